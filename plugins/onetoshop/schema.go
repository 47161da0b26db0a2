package main

import "github.com/koppel-nl/koppel/sdk"

func schema() sdk.Schema {
	return sdk.Schema{Attributes: []sdk.Attribute{
		{Name: "url", Type: sdk.TypeString, Required: true, Description: "Base URL of the Onetoshop API."},
		{Name: "token", Type: sdk.TypeString, Required: true, Sensitive: true, Description: "API token made in the shop's back office."},
		{Name: "statuses", Type: sdk.TypeStringList, Default: sdk.MustDefault([]string{"paid"}), Description: "Order statuses imported by default."},
		{Name: "timeout", Type: sdk.TypeDuration, Default: sdk.MustDefault("30s"), Description: "Deadline of one HTTP request."},
	}}
}

package main

import "github.com/koppel-nl/koppel/sdk"

func schema() sdk.Schema {
	return sdk.Schema{Attributes: []sdk.Attribute{
		{Name: "path", Type: sdk.TypeString, Required: true, Description: "Path of the administration's .mdb file."},
		{Name: "password", Type: sdk.TypeString, Sensitive: true, Description: "Database password, when the file has one."},
		{Name: "read_only", Type: sdk.TypeBool, Default: sdk.MustDefault(false), Description: "Only read (check, look-ups, stock export); never write."},
	}}
}

package main

import "github.com/koppel-nl/koppel/sdk"

func schema() sdk.Schema {
	return sdk.Schema{Attributes: []sdk.Attribute{
		{Name: "url", Type: sdk.TypeString, Required: true, Description: "Base URL of the store, e.g. https://shop.example.nl."},
		{Name: "store_code", Type: sdk.TypeString, Default: sdk.MustDefault("default"), Description: "Store view code in /rest/<store_code>/V1."},
		{Name: "auth", Type: sdk.TypeString, Default: sdk.MustDefault("oauth1"), Enum: []string{"oauth1", "bearer"}, Description: "oauth1 signs every request with the integration's four credentials; bearer sends the access token alone (needs 'Allow OAuth Access Tokens to be used as standalone Bearer tokens')."},
		{Name: "consumer_key", Type: sdk.TypeString, Sensitive: true, Description: "Integration consumer key (oauth1)."},
		{Name: "consumer_secret", Type: sdk.TypeString, Sensitive: true, Description: "Integration consumer secret (oauth1)."},
		{Name: "access_token", Type: sdk.TypeString, Required: true, Sensitive: true, Description: "Integration access token."},
		{Name: "access_token_secret", Type: sdk.TypeString, Sensitive: true, Description: "Integration access token secret (oauth1)."},
		{Name: "statuses", Type: sdk.TypeStringList, Default: sdk.MustDefault([]string{"processing", "complete"}), Description: "Order states imported by default."},
		{Name: "timeout", Type: sdk.TypeDuration, Default: sdk.MustDefault("30s"), Description: "Deadline of one HTTP request."},
	}}
}

package main

import (
	"github.com/koppel-nl/koppel/plugins/onetoshop/internal/onetoshop"
	"github.com/koppel-nl/koppel/sdk"
)

// info is what the binary declares: name, kind, version, configuration schema and
// capabilities (the schema is onetoshop.Schema).
func info() sdk.PluginInfo { return onetoshop.Info(version) }

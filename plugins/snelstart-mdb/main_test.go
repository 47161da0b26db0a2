package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/plugin"
)

func TestDescribe(t *testing.T) {
	var out bytes.Buffer
	opts := serveOpts()
	opts.Args, opts.Stdout = []string{"describe"}, &out
	if err := plugin.Serve(opts); err != nil {
		t.Fatal(err)
	}
	var info sdk.PluginInfo
	if err := json.Unmarshal(out.Bytes(), &info); err != nil {
		t.Fatal(err)
	}
	if info.Name != "snelstart-mdb" || info.Kind != sdk.KindLedger || !info.Has(sdk.CapCustomersWrite) {
		t.Errorf("describe = %+v", info)
	}
	for _, name := range []string{"path", "driver", "odbc_driver", "password", "tables", "read_only", "backups"} {
		if _, ok := info.Schema.Attribute(name); !ok {
			t.Errorf("schema lacks %s", name)
		}
	}
	if a, _ := info.Schema.Attribute("password"); !a.Sensitive {
		t.Errorf("password is not sensitive")
	}
}

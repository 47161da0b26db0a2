package config

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// probeConfig writes the attribute zz_probe into every block koppel defines itself, so that
// the loader names each block's known attributes in its "unknown attribute" diagnostic.
const probeConfig = `
koppel {
  zz_probe = 1
  smtp {
    zz_probe = 1
  }
}
profile "p" {
  zz_probe = 1
  shop "woocommerce" {
    url             = "https://shop.example"
    consumer_key    = env("WC_KEY")
    consumer_secret = env("WC_SECRET")
  }
  ledger "snelstart-online" {
    client_key       = env("SNELSTART_CLIENT_KEY")
    subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
  }
  orders {
    zz_probe = 1
  }
  articles {
    zz_probe = 1
  }
  customers {
    zz_probe = 1
  }
  stock {
    zz_probe = 1
  }
  task "import_orders" {
    zz_probe = 1
  }
  notify {
    zz_probe = 1
  }
}
`

// blockAttributes loads probeConfig and returns, per block as docs/profiles.md names it
// (koppel, koppel.smtp, profile, orders, ...), the attributes the loader accepts there.
func blockAttributes(t *testing.T) map[string][]string {
	t.Helper()
	_, diags := loadString(t, probeConfig)
	blockName := map[string]string{
		"the koppel block": "koppel", "the smtp block": "koppel.smtp", `profile "p"`: "profile",
		"the orders block": "orders", "the articles block": "articles", "the customers block": "customers",
		"the stock block": "stock", `task "import_orders"`: "task", "the notify block": "notify",
	}
	out := map[string][]string{}
	for _, d := range diags {
		block, ok := strings.CutPrefix(d.Summary, `unknown attribute "zz_probe" in `)
		if !ok {
			continue
		}
		name, ok := blockName[block]
		if !ok {
			t.Fatalf("a block the test does not know: %q", block)
		}
		_, list, ok := strings.Cut(d.Detail, "known attributes: ")
		if !ok {
			t.Fatalf("%s: no list of known attributes in %q", block, d.Detail)
		}
		for _, a := range strings.Split(list, ", ") {
			out[name] = append(out[name], strings.TrimSpace(a))
		}
	}
	if len(out) != len(blockName) {
		t.Fatalf("known attributes found for %d of %d blocks: %v\n%v", len(out), len(blockName), out, diags)
	}
	return out
}

// docRow is a row of an attribute table: | `name` | values | default | meaning |.
var docRow = regexp.MustCompile("^\\| `([a-z_]+)` \\|([^|]*)\\|([^|]*)\\|")

// TestProfilesDocListsEveryAttribute: the reference in docs/profiles.md has, for every block koppel
// defines itself, a table with each attribute the loader accepts and its default, and documents
// no attribute the loader does not accept.
func TestProfilesDocListsEveryAttribute(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "profiles.md"))
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]map[string]string{} // block → attribute → default
	block := ""
	for _, line := range strings.Split(string(b), "\n") {
		if h, ok := strings.CutPrefix(line, "### Attributes: `"); ok {
			block = strings.TrimSuffix(h, "`")
			documented[block] = map[string]string{}
			continue
		}
		if strings.HasPrefix(line, "#") {
			block = ""
		}
		if m := docRow.FindStringSubmatch(line); m != nil && block != "" {
			documented[block][m[1]] = strings.TrimSpace(m[3])
		}
	}
	known := blockAttributes(t)
	blocks := make([]string, 0, len(known))
	for b := range known {
		blocks = append(blocks, b)
	}
	sort.Strings(blocks)
	for _, blk := range blocks {
		doc, ok := documented[blk]
		if !ok {
			t.Errorf("docs/profiles.md has no table \"### Attributes: `%s`\"", blk)
			continue
		}
		for _, a := range known[blk] {
			def, ok := doc[a]
			switch {
			case !ok:
				t.Errorf("%s.%s is accepted by the loader but not in docs/profiles.md", blk, a)
			case def == "":
				t.Errorf("%s.%s: docs/profiles.md gives no default (write \"none\" or \"required\")", blk, a)
			}
		}
		for a := range doc {
			if !contains(known[blk], a) {
				t.Errorf("docs/profiles.md documents %s.%s, which the loader does not accept", blk, a)
			}
		}
	}
}

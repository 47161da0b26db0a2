package profiledoc

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/internal/testtools"
)

var update = flag.Bool("update", false, "rewrite the plugin sections of docs/profiles.md from the schemas")

// plugins are the connectors documented in docs/profiles.md, by their directory.
var plugins = []string{"plugins/woocommerce", "plugins/magento", "plugins/onetoshop", "plugins/snelstart-online", "plugins/snelstart-mdb"}

// TestProfilesDocMatchesSchemas builds every plugin, asks it for its schema (describe) and
// compares the generated section with docs/profiles.md.
func TestProfilesDocMatchesSchemas(t *testing.T) {
	root := testtools.RepoRoot(t)
	docPath := filepath.Join(root, "docs", "profiles.md")
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	bin := t.TempDir()
	for _, dir := range plugins {
		exe := filepath.Join(bin, filepath.Base(dir))
		build := exec.Command("go", "build", "-o", exe, "./"+dir)
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", dir, err, out)
		}
		out, err := exec.Command(exe, "describe").Output()
		if err != nil {
			t.Fatalf("%s describe: %v", dir, err)
		}
		var p Plugin
		if err := json.Unmarshal(out, &p); err != nil || p.Name == "" || len(p.Schema.Attributes) == 0 {
			t.Fatalf("%s describe: %v\n%s", dir, err, out)
		}
		section := Render(p)
		if *update {
			doc = Replace(doc, p.Name, section)
			continue
		}
		if !strings.Contains(doc, section) {
			t.Errorf("docs/profiles.md does not document the schema of koppel-plugin-%s as it is; run go test ./internal/profiledoc -update (or go generate ./internal/profiledoc) and review the diff", p.Name)
		}
	}
	if *update {
		if err := os.WriteFile(docPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRender(t *testing.T) {
	var p Plugin
	if err := json.Unmarshal([]byte(`{"name":"x","kind":"shop","description":"X shop.","schema":{"attributes":[
		{"name":"url","type":"string","required":true,"description":"Address."},
		{"name":"token","type":"string","sensitive":true,"required":true,"description":"Key | token."},
		{"name":"mode","type":"string","default":"a","enum":["a","b"],"description":"Mode."},
		{"name":"statuses","type":"list(string)","default":["processing"],"description":"Statuses."},
		{"name":"page_size","type":"number","default":100,"description":"Page."}]}}`), &p); err != nil {
		t.Fatal(err)
	}
	got := Render(p)
	for _, want := range []string{
		"### shop \"x\"\n\nX shop.\n",
		"| `url` | string | required |  | Address. |",
		"| `token` | string | required |  | Key \\| token. Secret: write it as `env(\"NAME\")`",
		"| `mode` | string | default `\"a\"` | `a`, `b` | Mode. |",
		"| `statuses` | list(string) | default `[\"processing\"]` |",
		"| `page_size` | number | default `100` |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Render lacks %q:\n%s", want, got)
		}
	}
	doc := Replace("# Doc\n", "x", got)
	if Replace(doc, "x", got) != doc {
		t.Fatal("Replace is not idempotent")
	}
}

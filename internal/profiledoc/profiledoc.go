// Package profiledoc writes the plugin part of docs/profiles.md: one table per plugin with the
// attributes of its shop or ledger block, taken from the schema the plugin describes
// (`koppel-plugin-NAME describe`). The test beside it rebuilds the tables from the plugins of
// this checkout and fails when docs/profiles.md disagrees (`go test ./internal/profiledoc
// -update` rewrites them), so a schema and its documentation never drift apart.
package profiledoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/koppel-nl/koppel/sdk"
)

// Plugin is what `koppel-plugin-NAME describe` prints, as far as the documentation needs it.
type Plugin struct {
	Name        string         `json:"name"`
	Kind        sdk.PluginKind `json:"kind"`
	Description string         `json:"description"`
	Schema      sdk.Schema     `json:"schema"`
}

// Markers enclose a plugin's generated section in the document.
func Markers(name string) (begin, end string) {
	return "<!-- generated from the schema of koppel-plugin-" + name + ": begin -->",
		"<!-- generated from the schema of koppel-plugin-" + name + ": end -->"
}

// Render returns p's section: a heading, its description and a table of its attributes with
// type, whether it is required or its default, the values it takes and what it does.
func Render(p Plugin) string {
	var b bytes.Buffer
	begin, end := Markers(p.Name)
	fmt.Fprintln(&b, begin)
	fmt.Fprintf(&b, "### %s \"%s\"\n\n", p.Kind, p.Name)
	if p.Description != "" {
		fmt.Fprintf(&b, "%s.\n\n", strings.TrimSuffix(p.Description, "."))
	}
	fmt.Fprintln(&b, "| attribute | type | required / default | values | what it does |")
	fmt.Fprintln(&b, "|---|---|---|---|---|")
	for _, a := range p.Schema.Attributes {
		need := "optional"
		switch {
		case a.Required:
			need = "required"
		case len(a.Default) > 0 && string(a.Default) != "null":
			need = "default " + defaultText(a.Default)
		}
		values := ""
		if len(a.Enum) > 0 {
			quoted := make([]string, len(a.Enum))
			for i, e := range a.Enum {
				quoted[i] = "`" + e + "`"
			}
			values = strings.Join(quoted, ", ")
		}
		desc := a.Description
		if a.Sensitive {
			desc += " Secret: write it as `env(\"NAME\")` or `file(\"PATH\")`; it is never printed."
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", a.Name, a.Type, cell(need), values, cell(desc))
	}
	fmt.Fprintln(&b, end)
	return b.String()
}

// defaultText shows a JSON default as it is written in a profile.
func defaultText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return "`\"\"` (none)"
		}
		return "`\"" + s + "\"`"
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		q := make([]string, len(list))
		for i, v := range list {
			q[i] = `"` + v + `"`
		}
		return "`[" + strings.Join(q, ", ") + "]`"
	}
	return "`" + string(raw) + "`"
}

// cell keeps text inside one table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// Replace puts section (from Render) into doc between the plugin's markers, or appends it at the
// end when the markers are not there yet.
func Replace(doc, name, section string) string {
	begin, end := Markers(name)
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return strings.TrimRight(doc, "\n") + "\n\n" + section
	}
	return doc[:i] + section + strings.TrimPrefix(doc[j+len(end):], "\n")
}

// Package scaffold writes the skeleton of a new koppel plugin: a Go module with main.go, the
// schema, a connector whose every interface method is marked "not written yet", an HTTP client
// with koppel's error classification, an in-memory simulator, a Makefile and a test that runs the
// conformance kit and names each method still to be written. It is what
// `koppel plugins new NAME --kind shop|ledger` runs; the skeleton builds as generated.
package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/koppel-nl/koppel/sdk"
)

//go:embed templates
var templates embed.FS

// Options say what to generate.
type Options struct {
	// Name is the plugin name: lower-case letters, digits, "-" and "_", starting with a letter.
	// The binary is koppel-plugin-NAME and profiles name it in their shop or ledger block.
	Name string
	// Kind is sdk.KindShop or sdk.KindLedger.
	Kind sdk.PluginKind
	// Module is the new Go module's path; default "example.com/koppel-plugin-NAME".
	Module string
	// SDKVersion is the version of github.com/koppel-nl/koppel to require; default
	// "v" + sdk.Version.
	SDKVersion string
	// Replace, when set, is a local koppel checkout the module uses instead of the published
	// one (a replace directive in go.mod), for plugin authors working beside koppel's source and
	// before koppel is published. The checkout's go.sum is copied as the new module's go.sum, so
	// the skeleton builds from the local module cache without looking anything up; `go mod tidy`
	// trims it later.
	Replace string
}

// namePattern is what Discover in the host accepts as a plugin name.
var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// data is what the templates see.
type data struct {
	Name, Package, Module, SDKVersion, Replace string
	Kind, KindTitle, Type                      string
}

// file maps a template to the path it is written to.
type file struct{ tmpl, path string }

// Generate writes the skeleton into dir, which must not exist or be empty, and returns the paths
// it wrote, relative to dir. Go files are gofmt-formatted; nothing is written when the options
// are invalid.
func Generate(dir string, o Options) ([]string, error) {
	d, err := o.data()
	if err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("scaffold: %s is not empty", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("scaffold: %w", err)
	}
	pkg := filepath.Join("internal", d.Package)
	files := []file{
		{"common/go.mod.tmpl", "go.mod"},
		{"common/main.go.tmpl", "main.go"},
		{"common/Makefile.tmpl", "Makefile"},
		{"common/README.md.tmpl", "README.md"},
		{"common/gitignore.tmpl", ".gitignore"},
		{"common/info.go.tmpl", filepath.Join(pkg, "info.go")},
		{"common/client.go.tmpl", filepath.Join(pkg, "client.go")},
		{"common/simulator.go.tmpl", filepath.Join(pkg, "simulator.go")},
		{d.Kind + "/" + d.Kind + ".go.tmpl", filepath.Join(pkg, d.Kind+".go")},
		{d.Kind + "/test.go.tmpl", filepath.Join(pkg, d.Package+"_test.go")},
	}
	var written []string
	for _, f := range files {
		b, err := render(f.tmpl, d)
		if err != nil {
			return written, err
		}
		p := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return written, fmt.Errorf("scaffold: %w", err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return written, fmt.Errorf("scaffold: %w", err)
		}
		written = append(written, f.path)
	}
	if d.Replace != "" {
		sum, err := os.ReadFile(filepath.Join(filepath.FromSlash(d.Replace), "go.sum"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return written, fmt.Errorf("scaffold: go.sum of the koppel checkout: %w", err)
		}
		if err == nil {
			if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
				return written, fmt.Errorf("scaffold: %w", err)
			}
			written = append(written, "go.sum")
		}
	}
	return written, nil
}

// FindCheckout returns the koppel checkout (the directory whose go.mod declares module
// github.com/koppel-nl/koppel) that holds one of dirs or a directory above it, or "" when none
// does. `koppel plugins new` uses it to point a new plugin at the source koppel was built from.
func FindCheckout(dirs ...string) string {
	for _, start := range dirs {
		if start == "" {
			continue
		}
		dir, err := filepath.Abs(start)
		if err != nil {
			continue
		}
		for {
			if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && modulePattern.Match(b) {
				return dir
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return ""
}

// modulePattern matches koppel's own module line in a go.mod.
var modulePattern = regexp.MustCompile(`(?m)^module\s+github\.com/koppel-nl/koppel\s*$`)

// NextSteps is what to type after Generate wrote dir: build and test the skeleton. With a
// replace directive the module builds before koppel is published; go mod tidy completes go.sum.
func NextSteps(dir string) string {
	return "cd " + dir + " && go mod tidy && go build ./... && go test ./...   (the test names every method still to write)"
}

func (o Options) data() (data, error) {
	if !namePattern.MatchString(o.Name) {
		return data{}, fmt.Errorf("scaffold: plugin name %q: use lower-case letters, digits, - and _, starting with a letter", o.Name)
	}
	if o.Kind != sdk.KindShop && o.Kind != sdk.KindLedger {
		return data{}, fmt.Errorf("scaffold: kind %q: use %q or %q", o.Kind, sdk.KindShop, sdk.KindLedger)
	}
	d := data{
		Name:       o.Name,
		Package:    strings.NewReplacer("-", "", "_", "").Replace(o.Name),
		Module:     o.Module,
		SDKVersion: o.SDKVersion,
		Replace:    o.Replace,
		Kind:       string(o.Kind),
		KindTitle:  strings.ToUpper(string(o.Kind[:1])) + string(o.Kind[1:]),
	}
	d.Type = d.KindTitle
	if d.Module == "" {
		d.Module = "example.com/koppel-plugin-" + o.Name
	}
	if d.SDKVersion == "" {
		d.SDKVersion = "v" + sdk.Version
	}
	if strings.ContainsAny(d.Module, " \t\n\"`") {
		return data{}, fmt.Errorf("scaffold: module path %q contains spaces or quotes", d.Module)
	}
	if d.Replace != "" {
		abs, err := filepath.Abs(d.Replace)
		if err != nil {
			return data{}, fmt.Errorf("scaffold: replace: %w", err)
		}
		d.Replace = filepath.ToSlash(abs)
	}
	return d, nil
}

func render(name string, d data) ([]byte, error) {
	src, err := templates.ReadFile("templates/" + name)
	if err != nil {
		return nil, fmt.Errorf("scaffold: template %s: %w", name, err)
	}
	t, err := template.New(name).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("scaffold: template %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("scaffold: template %s: %w", name, err)
	}
	if strings.HasSuffix(name, ".go.tmpl") {
		out, err := format.Source(b.Bytes())
		if err != nil {
			return nil, fmt.Errorf("scaffold: %s does not format: %w", name, err)
		}
		return out, nil
	}
	return b.Bytes(), nil
}

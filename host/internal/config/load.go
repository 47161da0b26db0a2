package config

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/zclconf/go-cty/cty"
)

// LoadOptions are the host's hooks for Load.
type LoadOptions struct {
	// Schemas returns the schema a plugin declares (the host starts the plugin and asks). It is
	// called at most once per kind and name during one Load, for the plugins the files name
	// concurrently (so their processes start side by side): it must be safe for concurrent use. Return an *UnknownPluginError when
	// no such plugin exists, so the diagnostic can list the plugins that do. Nil means plugin
	// bodies are not checked: their attributes are converted to JSON as written and every value
	// is treated as sensitive.
	Schemas func(kind sdk.PluginKind, name string) (sdk.Schema, error)
	// Capabilities returns the optional features a plugin declares (sdk.PluginInfo
	// Capabilities), for settings that need one (orders.mark_paid needs the shop's
	// sdk.CapOrderNotes); ok false when unknown. Nil means such settings are not checked.
	Capabilities func(kind sdk.PluginKind, name string) (caps []string, ok bool)
	// Env looks up an environment variable for env(); nil means os.LookupEnv.
	Env func(name string) (string, bool)
}

// UnknownPluginError is what LoadOptions.Schemas returns for a plugin that is not installed.
type UnknownPluginError struct {
	// Kind is the kind asked for.
	Kind sdk.PluginKind
	// Name is the plugin asked for.
	Name string
	// Known lists the plugins of that kind that do exist.
	Known []string
}

// Error implements error.
func (e *UnknownPluginError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("unknown plugin %q (no %s plugins installed)", e.Name, e.Kind)
	}
	return fmt.Sprintf("unknown plugin %q (installed: %s)", e.Name, strings.Join(e.Known, ", "))
}

// loader holds the state of one Load call.
type loader struct {
	dir     string
	absDir  string
	opts    LoadOptions
	cfg     *Config
	diags   hcl.Diagnostics
	schemas map[string]schemaResult
	// evalLog collects every value env() and file() produced while evaluating the current
	// expression, so the values can be marked sensitive when they land in a sensitive attribute.
	evalLog []string
	// koppelFirst is where the first koppel block was declared.
	koppelFirst *hcl.Range
	// profileAt is where each profile name was first declared.
	profileAt map[string]hcl.Range
	// originals holds the source of files whose one-line blocks were spread over lines before
	// parsing (see expandOneLineBlocks), for remapping diagnostic positions.
	originals map[string][]byte
}

type schemaResult struct {
	schema sdk.Schema
	err    error
}

// Load reads every *.hcl file in dir (sorted by name) and decodes the koppel block and the
// profiles, asking opts.Schemas for each shop and ledger plugin's schema. It reports every
// problem it finds in one run; the Config is complete only when the diagnostics hold no error
// (warnings may be present). No diagnostic ever contains a sensitive value.
func Load(dir string, opts LoadOptions) (*Config, hcl.Diagnostics) {
	if opts.Env == nil {
		opts.Env = os.LookupEnv
	}
	l := &loader{
		dir:       dir,
		opts:      opts,
		schemas:   map[string]schemaResult{},
		profileAt: map[string]hcl.Range{},
		originals: map[string][]byte{},
		cfg: &Config{
			Dir:       dir,
			Files:     map[string]*hcl.File{},
			sensitive: map[string]bool{},
		},
	}
	if abs, err := filepath.Abs(dir); err == nil {
		l.absDir = abs
	} else {
		l.absDir = dir
	}
	l.cfg.Koppel = KoppelBlock{
		StateDir:      l.resolvePath(DefaultStateDir),
		PluginDir:     l.resolvePath(DefaultPluginDir),
		Listen:        DefaultListen,
		RetentionDays: DefaultRetentionDays,
		MemoryLimit:   DefaultMemoryLimit,
	}

	names, err := hclFiles(dir)
	if err != nil {
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("cannot read config directory %s", dir),
			Detail:   withHint(err.Error(), "give the directory holding the *.hcl profiles with --config DIR"),
		})
		return l.cfg, l.diags
	}
	if len(names) == 0 {
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("no *.hcl files in %s", dir),
			Detail:   withHint("", "give the directory holding the *.hcl profiles with --config DIR"),
		})
		return l.cfg, l.diags
	}
	files := make([]parsedFile, 0, len(names))
	for _, name := range names {
		files = append(files, l.parseFile(filepath.Join(dir, name)))
	}
	l.askSchemas(files)
	for _, f := range files {
		l.decodeFile(f)
	}
	l.finish()
	remapDiagnostics(l.diags, l.originals)
	return l.cfg, l.diags
}

// hclFiles lists the *.hcl regular files in dir, sorted.
func hclFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".hcl") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out, nil
}

// resolvePath resolves a relative path against the config directory.
func (l *loader) resolvePath(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(l.absDir, p)
}

// maxFileSize bounds the size of a profile file (and of a file() read).
const maxFileSize = 1 << 20

// parsedFile is a profile file read and parsed, not yet decoded.
type parsedFile struct {
	// readErr is why the file could not be read, syntax its first syntax error; both are
	// reported when the file is decoded.
	readErr *hcl.Diagnostic
	syntax  hcl.Diagnostics
	// body is nil when there is nothing to decode (unreadable, or a syntax error).
	body *hclsyntax.Body
	// dir is the file's directory, for file() and relative paths.
	dir string
}

// parseFile reads and parses one profile file.
func (l *loader) parseFile(filename string) parsedFile {
	pf := parsedFile{dir: filepath.Dir(filename)}
	src, err := readLimited(filename)
	if err != nil {
		pf.readErr = &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("cannot read %s", filename),
			Detail:   withHint(err.Error(), "check the file's permissions"),
		}
		return pf
	}
	parseSrc, expanded := expandOneLineBlocks(src)
	file, diags := hclsyntax.ParseConfig(parseSrc, filename, hcl.InitialPos)
	if expanded {
		l.originals[filename] = src
		if file != nil {
			file.Bytes = src
		}
	}
	if file != nil {
		l.cfg.Files[filename] = file
	}
	// One syntax error usually causes several more after it; report only the first.
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		if _, hint := SplitHint(d.Detail); hint == "" {
			d.Detail = withHint(d.Detail, syntaxHint(d.Summary))
		}
		pf.syntax = hcl.Diagnostics{d}
		break
	}
	if file == nil || diags.HasErrors() {
		// A syntax error leaves a partial body; decoding it would add confusing follow-up
		// errors, so only the syntax errors of this file are reported.
		return pf
	}
	pf.body, _ = file.Body.(*hclsyntax.Body)
	return pf
}

// decodeFile reports a parsed file's read or syntax error, or decodes its blocks.
func (l *loader) decodeFile(pf parsedFile) {
	if pf.readErr != nil {
		l.diags = append(l.diags, pf.readErr)
	}
	l.add(pf.syntax)
	body := pf.body
	if body == nil {
		return
	}
	ctx := l.evalContext(pf.dir)
	for _, attr := range sortedAttrs(body.Attributes) {
		l.errorf(attr.NameRange, fmt.Sprintf("unexpected attribute %q at the top level", attr.Name),
			"", "the top level holds only blocks: koppel { ... } and profile \"name\" { ... }")
	}
	for _, block := range body.Blocks {
		switch block.Type {
		case "koppel":
			l.decodeKoppel(block, ctx)
		case "profile":
			l.decodeProfile(block, ctx)
		default:
			l.unknownBlock(block, []string{"koppel", "profile"}, "at the top level")
		}
	}
}

func readLimited(filename string) ([]byte, error) {
	f, err := os.Open(filename)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", filename)
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", filename, maxFileSize)
	}
	buf, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(buf) > maxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", filename, maxFileSize)
	}
	return buf, nil
}

// add appends diagnostics, rewriting those that come from env() and file() and adding hints to
// HCL's own diagnostics where one can be given.
func (l *loader) add(diags hcl.Diagnostics) {
	for _, d := range diags {
		l.diags = append(l.diags, improve(d))
	}
}

// errorf adds an error diagnostic at rng.
func (l *loader) errorf(rng hcl.Range, summary, detail, hint string) {
	r := rng
	l.diags = append(l.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   withHint(detail, hint),
		Subject:  &r,
	})
}

// warnf adds a warning diagnostic at rng.
func (l *loader) warnf(rng hcl.Range, summary, detail, hint string) {
	r := rng
	l.diags = append(l.diags, &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  summary,
		Detail:   withHint(detail, hint),
		Subject:  &r,
	})
}

// unknownBlock reports a block type that is not allowed where it stands.
func (l *loader) unknownBlock(block *hclsyntax.Block, allowed []string, where string) {
	hint := "allowed here: " + strings.Join(allowed, ", ")
	if s := suggest(block.Type, allowed); s != "" {
		hint = fmt.Sprintf("did you mean %q? %s", s, hint)
	}
	l.errorf(block.TypeRange, fmt.Sprintf("unexpected block %q %s", block.Type, where), "", hint)
}

// finish runs the cross-file checks and scrubs sensitive values from every diagnostic.
func (l *loader) finish() {
	l.crossProfile()
	l.checkNotify()
	// Source order: by file, then position; diagnostics without a position first.
	sort.SliceStable(l.diags, func(i, j int) bool {
		a, b := l.diags[i].Subject, l.diags[j].Subject
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
	redact := l.cfg.Redactor()
	for _, d := range l.diags {
		d.Summary = redact(d.Summary)
		d.Detail = redact(d.Detail)
	}
}

// markSensitive records the values evaluated for a sensitive attribute, and every env()/file()
// result that went into them.
func (l *loader) markSensitive(v cty.Value) {
	for _, s := range l.evalLog {
		l.cfg.sensitive[s] = true
	}
	collectStrings(v, l.cfg.sensitive)
}

func collectStrings(v cty.Value, into map[string]bool) {
	if v.IsNull() || !v.IsKnown() {
		return
	}
	t := v.Type()
	switch {
	case t == cty.String:
		into[v.AsString()] = true
	case t == cty.Number:
		if text, ok := numberText(v.AsBigFloat()); ok {
			into[text] = true
		}
	case t.IsListType() || t.IsTupleType() || t.IsSetType() || t.IsMapType() || t.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			collectStrings(e, into)
		}
	}
}

// markSensitiveSource records the source text of a literal expression given for a sensitive
// attribute, so it is hidden in printed source lines whatever its spelling (1.2e7, "x\ty").
func (l *loader) markSensitiveSource(expr hclsyntax.Expression) {
	switch e := expr.(type) {
	case *hclsyntax.LiteralValueExpr:
	case *hclsyntax.TemplateExpr:
		for _, p := range e.Parts {
			if _, ok := p.(*hclsyntax.LiteralValueExpr); !ok {
				return
			}
		}
	default:
		return
	}
	rng := expr.Range()
	f, ok := l.cfg.Files[rng.Filename]
	if !ok || rng.Start.Byte < 0 || rng.End.Byte > len(f.Bytes) || rng.Start.Byte >= rng.End.Byte {
		return
	}
	text := string(f.Bytes[rng.Start.Byte:rng.End.Byte])
	l.cfg.sensitive[text] = true
	l.cfg.sensitive[strings.Trim(text, `"`)] = true
}

// sortedAttrs returns a body's attributes in source order.
func sortedAttrs(attrs hclsyntax.Attributes) []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SrcRange.Start.Byte < out[j].SrcRange.Start.Byte })
	return out
}

// syntaxHint says how to fix a syntax error HCL reported.
func syntaxHint(summary string) string {
	switch summary {
	case "Invalid multi-line string", "Unterminated template string":
		return `close the text with a double quote (") on the same line`
	case "Unclosed configuration block":
		return "add the missing } that closes this block"
	case "Missing newline after argument", "Missing newline after block definition":
		return "put each attribute and each block on a line of its own"
	case "Invalid single-argument block definition", "Argument definition required":
		return `put each attribute of a block on its own line, or write a one-line block with one attribute: task "import_orders" { every = "15m" }`
	case "Missing name for argument", "Argument or block definition required":
		return `write name = value, or a block: name "label" { ... }`
	}
	return `check the syntax here: attributes are name = value, blocks are name "label" { ... }, text goes in double quotes`
}

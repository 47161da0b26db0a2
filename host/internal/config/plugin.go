package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// schemaFor asks opts.Schemas once per kind and name.
func (l *loader) schemaFor(kind sdk.PluginKind, name string) (sdk.Schema, error) {
	key := schemaKey(kind, name)
	if r, ok := l.schemas[key]; ok {
		return r.schema, r.err
	}
	r := l.askSchema(kind, name)
	l.schemas[key] = r
	return r.schema, r.err
}

// schemaKey is the key of a plugin's schema in loader.schemas.
func schemaKey(kind sdk.PluginKind, name string) string {
	return string(kind) + "/" + name
}

// askSchema asks opts.Schemas for one plugin's schema and validates it.
func (l *loader) askSchema(kind sdk.PluginKind, name string) schemaResult {
	s, err := l.opts.Schemas(kind, name)
	if err == nil {
		if verr := s.Validate(); verr != nil {
			err = &invalidSchemaError{err: verr}
		}
	}
	return schemaResult{schema: s, err: err}
}

// askSchemas asks opts.Schemas for the schemas of every shop and ledger plugin the parsed files
// name, all at the same time, before any block is decoded: the host starts each plugin to ask,
// so the plugins of a profile start side by side instead of one after the other. Blocks the
// decoder will refuse (no single label) are left to it.
func (l *loader) askSchemas(files []parsedFile) {
	if l.opts.Schemas == nil {
		return
	}
	type plugin struct {
		kind sdk.PluginKind
		name string
	}
	var wanted []plugin
	seen := map[string]bool{}
	for _, f := range files {
		if f.body == nil {
			continue
		}
		for _, pb := range f.body.Blocks {
			if pb.Type != "profile" || len(pb.Labels) != 1 {
				continue
			}
			for _, b := range pb.Body.Blocks {
				kind := sdk.PluginKind(b.Type)
				if (kind != sdk.KindShop && kind != sdk.KindLedger) || len(b.Labels) != 1 {
					continue
				}
				key := schemaKey(kind, b.Labels[0])
				if _, done := l.schemas[key]; done || seen[key] {
					continue
				}
				seen[key] = true
				wanted = append(wanted, plugin{kind, b.Labels[0]})
			}
		}
	}
	if len(wanted) < 2 {
		return // asked when its block is decoded
	}
	results := make([]schemaResult, len(wanted))
	var wg sync.WaitGroup
	for i, w := range wanted {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = l.askSchema(w.kind, w.name)
		}()
	}
	wg.Wait()
	for i, w := range wanted {
		l.schemas[schemaKey(w.kind, w.name)] = results[i]
	}
}

type invalidSchemaError struct{ err error }

func (e *invalidSchemaError) Error() string { return e.err.Error() }

// decodePlugin decodes a shop or ledger block against the plugin's schema. ok is false when
// the block could not be decoded at all (bad label, unknown plugin).
func (l *loader) decodePlugin(kind sdk.PluginKind, block *hclsyntax.Block, ctx *hcl.EvalContext) (PluginBlock, bool) {
	pb := PluginBlock{Range: block.DefRange(), Config: sdk.Config{}}
	if len(block.Labels) != 1 {
		example := `shop "woocommerce" { ... }`
		if kind == sdk.KindLedger {
			example = `ledger "snelstart-online" { ... }`
		}
		l.errorf(block.DefRange(), fmt.Sprintf("the %s block needs the plugin's name as its label", kind), "",
			"write "+example)
		return pb, false
	}
	name := block.Labels[0]
	pb.Name = name
	l.noBlocks(block.Body, fmt.Sprintf("the %s block", kind))

	if l.opts.Schemas == nil {
		l.decodePluginUnchecked(block, ctx, &pb)
		return pb, true
	}
	schema, err := l.schemaFor(kind, name)
	if err != nil {
		var unknown *UnknownPluginError
		var invalid *invalidSchemaError
		switch {
		case errors.As(err, &unknown):
			hint := fmt.Sprintf("no %s plugins are installed; put koppel-plugin-%s in the plugin directory", kind, name)
			if len(unknown.Known) > 0 {
				hint = fmt.Sprintf("installed %s plugins: %s", kind, strings.Join(unknown.Known, ", "))
				if s := suggest(name, unknown.Known); s != "" {
					hint = fmt.Sprintf("did you mean %q? %s", s, hint)
				}
			}
			l.errorf(block.LabelRanges[0], fmt.Sprintf("unknown plugin %q", name),
				fmt.Sprintf("there is no %s plugin koppel-plugin-%s", kind, name), hint)
		case errors.As(err, &invalid):
			l.errorf(block.LabelRanges[0], fmt.Sprintf("plugin %q declares an invalid schema", name), invalid.Error(),
				"this is a bug in the plugin; report it to its author or use another version")
		default:
			l.errorf(block.LabelRanges[0], fmt.Sprintf("cannot read the schema of plugin %q", name), err.Error(),
				"run `koppel plugins` to see whether the plugin starts")
		}
		l.markBodySensitive(block.Body, ctx)
		return pb, false
	}
	pb.Schema = schema
	d := l.decoder(block.Body, ctx, name, fmt.Sprintf("%s %q", kind, name))
	for _, a := range schema.Attributes {
		v, attr, st := d.get(a.Name, a.Sensitive)
		switch st {
		case failed:
			continue
		case absent:
			if a.Required {
				hint := fmt.Sprintf("add %s = %s", a.Name, exampleValue(a))
				if a.Description != "" {
					hint += " (" + strings.TrimSuffix(a.Description, ".") + ")"
				}
				l.errorf(block.DefRange(), fmt.Sprintf("%s %q: missing required attribute %q", kind, name, a.Name), "", hint)
			} else if a.Default != nil {
				pb.Config[a.Name] = append(json.RawMessage(nil), a.Default...)
			}
			continue
		}
		if raw, ok := d.pluginValue(a, attr, v); ok {
			pb.Config[a.Name] = raw
		}
	}
	d.finishPlugin(schema)
	return pb, true
}

// decodePluginUnchecked converts every attribute as written, treating all values as sensitive.
func (l *loader) decodePluginUnchecked(block *hclsyntax.Block, ctx *hcl.EvalContext, pb *PluginBlock) {
	for _, attr := range sortedAttrs(block.Body.Attributes) {
		v, _, st := l.eval(attr, ctx, true)
		if st != present {
			continue
		}
		b, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			l.errorf(attr.Expr.Range(), fmt.Sprintf("%s.%s cannot be converted to JSON", pb.Name, attr.Name), "",
				"use a string, number, bool, list or map")
			continue
		}
		pb.Config[attr.Name] = b
	}
}

// exampleValue is a placeholder of an attribute's type for hints.
func exampleValue(a sdk.Attribute) string {
	switch a.Type {
	case sdk.TypeNumber:
		return "1"
	case sdk.TypeBool:
		return "true"
	case sdk.TypeDuration:
		return `"30s"`
	case sdk.TypeStringList:
		return `["..."]`
	case sdk.TypeStringMap:
		return `{ key = "value" }`
	}
	if len(a.Enum) > 0 {
		return fmt.Sprintf("%q", a.Enum[0])
	}
	if a.Sensitive {
		return `env("` + strings.ToUpper(strings.ReplaceAll(a.Name, "-", "_")) + `")`
	}
	return `"..."`
}

// pluginValue converts one attribute's value to JSON according to its declared type. A
// sensitive value is never echoed.
func (d *blockDecoder) pluginValue(a sdk.Attribute, attr *hclsyntax.Attribute, v cty.Value) (json.RawMessage, bool) {
	rng := attr.Expr.Range()
	path := d.path(a.Name)
	got := func(s string) string {
		if a.Sensitive {
			return ""
		}
		return "got " + showValue(s)
	}
	checkEnum := func(s string) bool {
		if len(a.Enum) == 0 || contains(a.Enum, s) {
			return true
		}
		hint := fmt.Sprintf("write %s = %q", a.Name, a.Enum[0])
		if !a.Sensitive {
			if sg := suggest(s, a.Enum); sg != "" {
				hint = fmt.Sprintf("did you mean %q?", sg)
			}
		}
		d.l.errorf(rng, fmt.Sprintf("%s must be one of %s", path, quoteList(a.Enum)), got(s), hint)
		return false
	}
	switch a.Type {
	case sdk.TypeString:
		if v.Type() != cty.String {
			d.typeErr(attr, "a string", v, fmt.Sprintf(`put the value in double quotes: %s = %s`, a.Name, exampleValue(a)))
			return nil, false
		}
		s := v.AsString()
		if !checkEnum(s) {
			return nil, false
		}
		return marshal(s)
	case sdk.TypeNumber:
		var text string
		switch v.Type() {
		case cty.Number:
			t, ok := numberText(v.AsBigFloat())
			if !ok {
				d.l.errorf(rng, fmt.Sprintf("%s is too large", path), "", fmt.Sprintf("write %s = 1 or another reasonable number", a.Name))
				return nil, false
			}
			text = t
		case cty.String:
			dec, err := parseAmount(strings.TrimSpace(v.AsString()))
			if err != nil {
				d.l.errorf(rng, fmt.Sprintf("%s must be a number", path), got(v.AsString()), fmt.Sprintf("write %s = 10 (digits, without quotes)", a.Name))
				return nil, false
			}
			text = dec.String()
		default:
			d.typeErr(attr, "a number", v, fmt.Sprintf("write %s = 10 (digits, without quotes)", a.Name))
			return nil, false
		}
		return json.RawMessage(text), true
	case sdk.TypeBool:
		b, ok := toBool(v)
		if !ok {
			d.typeErr(attr, "true or false", v, fmt.Sprintf("write %s = true or %s = false (without quotes)", a.Name, a.Name))
			return nil, false
		}
		return marshal(b)
	case sdk.TypeDuration:
		if v.Type() != cty.String {
			d.typeErr(attr, "a duration", v, durationHint(a.Name, ""))
			return nil, false
		}
		s := strings.TrimSpace(v.AsString())
		dur, err := time.ParseDuration(s)
		if err != nil || dur < 0 {
			d.l.errorf(rng, fmt.Sprintf("%s must be a duration", path), got(s), durationHint(a.Name, s))
			return nil, false
		}
		return marshal(s)
	case sdk.TypeStringList:
		t := v.Type()
		if !(t.IsListType() || t.IsTupleType() || t.IsSetType()) {
			d.typeErr(attr, "a list of strings", v, fmt.Sprintf(`write %s = ["...", "..."]`, a.Name))
			return nil, false
		}
		out := []string{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsNull() || e.Type() != cty.String {
				d.typeErr(attr, "a list of strings", v, fmt.Sprintf(`put every element in double quotes: %s = ["...", "..."]`, a.Name))
				return nil, false
			}
			if !checkEnum(e.AsString()) {
				return nil, false
			}
			out = append(out, e.AsString())
		}
		return marshal(out)
	case sdk.TypeStringMap:
		t := v.Type()
		if !(t.IsMapType() || t.IsObjectType()) {
			d.typeErr(attr, "a map of strings", v, fmt.Sprintf(`write %s = { key = "value" }`, a.Name))
			return nil, false
		}
		out := map[string]string{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if e.IsNull() || e.Type() != cty.String {
				d.typeErr(attr, "a map of strings", v, fmt.Sprintf(`put every value in double quotes: %s = { key = "value" }`, a.Name))
				return nil, false
			}
			out[k.AsString()] = e.AsString()
		}
		return marshal(out)
	}
	return nil, false
}

func marshal(v any) (json.RawMessage, bool) {
	b, err := json.Marshal(v)
	return b, err == nil
}

// finishPlugin reports attributes the plugin does not declare, with the description of the
// suggested one.
func (d *blockDecoder) finishPlugin(schema sdk.Schema) {
	names := schema.Names()
	for _, attr := range sortedAttrs(d.attrs) {
		if _, ok := schema.Attribute(attr.Name); ok {
			continue
		}
		hint := "known attributes: " + strings.Join(names, ", ")
		if len(names) == 0 {
			hint = "this plugin takes no attributes"
		}
		if s := suggest(attr.Name, names); s != "" {
			hint = fmt.Sprintf("did you mean %q? %s", s, hint)
		}
		d.l.errorf(attr.NameRange, fmt.Sprintf("unknown attribute %q in %s", attr.Name, d.block), "", hint)
	}
}

// markBodySensitive evaluates every attribute of a plugin body that cannot be checked (its
// plugin is unknown) without reporting anything, and records all values as sensitive: without a
// schema any of them may be a secret.
func (l *loader) markBodySensitive(body *hclsyntax.Body, ctx *hcl.EvalContext) {
	for _, attr := range sortedAttrs(body.Attributes) {
		l.evalLog = l.evalLog[:0]
		v, _ := attr.Expr.Value(ctx)
		l.markSensitive(v)
		l.markSensitiveSource(attr.Expr)
	}
}

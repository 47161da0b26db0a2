package config

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/shopspring/decimal"
	"github.com/zclconf/go-cty/cty"
)

// blockDecoder decodes the attributes of one koppel-defined block with precise diagnostics.
// Each typed method registers its attribute name as known; finish reports the rest.
type blockDecoder struct {
	l     *loader
	ctx   *hcl.EvalContext
	where string // attribute path prefix, e.g. "orders"
	block string // how the block is named in messages, e.g. "the orders block"
	attrs hclsyntax.Attributes
	known []string
}

func (l *loader) decoder(body *hclsyntax.Body, ctx *hcl.EvalContext, where, block string) *blockDecoder {
	return &blockDecoder{l: l, ctx: ctx, where: where, block: block, attrs: body.Attributes}
}

// path names an attribute in messages.
func (d *blockDecoder) path(name string) string {
	if d.where == "" {
		return name
	}
	return d.where + "." + name
}

// evalStatus says what became of an attribute.
type evalStatus int

const (
	absent  evalStatus = iota // not written (or null)
	failed                    // written, but an error was reported
	present                   // written and evaluated
)

// get evaluates an attribute. Sensitive attributes have their values (and the env()/file()
// results that produced them) recorded for redaction.
func (d *blockDecoder) get(name string, sensitive bool) (cty.Value, *hclsyntax.Attribute, evalStatus) {
	d.known = append(d.known, name)
	attr, ok := d.attrs[name]
	if !ok {
		return cty.NilVal, nil, absent
	}
	return d.l.eval(attr, d.ctx, sensitive)
}

// eval evaluates an attribute's expression.
func (l *loader) eval(attr *hclsyntax.Attribute, ctx *hcl.EvalContext, sensitive bool) (cty.Value, *hclsyntax.Attribute, evalStatus) {
	l.evalLog = l.evalLog[:0]
	v, diags := attr.Expr.Value(ctx)
	if sensitive {
		l.markSensitive(v)
		l.markSensitiveSource(attr.Expr)
	}
	l.add(diags)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, attr, failed
	}
	if v.IsNull() {
		return cty.NilVal, attr, absent
	}
	return v, attr, present
}

// typeErr reports a value of the wrong type. It never echoes the value.
func (d *blockDecoder) typeErr(attr *hclsyntax.Attribute, want string, got cty.Value, hint string) {
	d.l.errorf(attr.Expr.Range(), fmt.Sprintf("%s must be %s", d.path(attr.Name), want),
		fmt.Sprintf("got %s", typeName(got.Type())), hint)
}

// typeName describes a cty type for a person.
func typeName(t cty.Type) string {
	switch {
	case t == cty.String:
		return "a string"
	case t == cty.Number:
		return "a number"
	case t == cty.Bool:
		return "a bool"
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		return "a list"
	case t.IsMapType() || t.IsObjectType():
		return "a map"
	}
	return "a value of type " + t.FriendlyName()
}

// String decodes a string attribute. Numbers are refused (write them in quotes), so a number
// that lost its leading zeros is never taken as a key.
func (d *blockDecoder) String(name string, dst *string, sensitive bool) evalStatus {
	v, attr, st := d.get(name, sensitive)
	if st != present {
		return st
	}
	if v.Type() != cty.String {
		d.typeErr(attr, "a string", v, fmt.Sprintf(`put the value in double quotes: %s = "..."`, name))
		return failed
	}
	*dst = v.AsString()
	return present
}

// Enum decodes a string attribute that must be one of allowed.
func (d *blockDecoder) Enum(name string, dst *string, allowed []string) evalStatus {
	var s string
	st := d.String(name, &s, false)
	if st != present {
		return st
	}
	for _, a := range allowed {
		if s == a {
			*dst = s
			return present
		}
	}
	attr := d.attrs[name]
	hint := fmt.Sprintf("write %s = %q", name, allowed[0])
	if sg := suggest(s, allowed); sg != "" {
		hint = fmt.Sprintf("did you mean %s = %q?", name, sg)
	}
	d.l.errorf(attr.Expr.Range(), fmt.Sprintf("%s must be one of %s", d.path(name), quoteList(allowed)),
		fmt.Sprintf("got %s", showValue(s)), hint)
	return failed
}

// showValue quotes a (non-sensitive) value for a message, shortened when long.
func showValue(s string) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return strconv.Quote(s)
}

// Bool decodes a bool attribute; the strings "true" and "false" (e.g. from env()) are accepted.
func (d *blockDecoder) Bool(name string, dst *bool) evalStatus {
	v, attr, st := d.get(name, false)
	if st != present {
		return st
	}
	b, ok := toBool(v)
	if !ok {
		d.typeErr(attr, "true or false", v, fmt.Sprintf("write %s = true or %s = false (without quotes)", name, name))
		return failed
	}
	*dst = b
	return present
}

func toBool(v cty.Value) (bool, bool) {
	switch v.Type() {
	case cty.Bool:
		return v.True(), true
	case cty.String:
		switch v.AsString() {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// maxNumber bounds numbers and amounts so a typo cannot produce an absurd value.
var maxNumber = big.NewFloat(1e15)

// numberText returns a number as decimal text, or false when it is not finite or too large.
func numberText(bf *big.Float) (string, bool) {
	if bf.IsInf() || new(big.Float).Abs(bf).Cmp(maxNumber) > 0 {
		return "", false
	}
	return bf.Text('f', -1), true
}

// Int decodes a whole number, from a number or a string of digits, and checks it is >= lo.
func (d *blockDecoder) Int(name string, dst *int, lo int) evalStatus {
	v, attr, st := d.get(name, false)
	if st != present {
		return st
	}
	n, ok := toInt(v)
	if !ok {
		hint := fmt.Sprintf("write %s = %d (digits, without quotes)", name, max(lo, 1))
		if v.Type() == cty.Number || v.Type() == cty.String {
			d.l.errorf(attr.Expr.Range(), fmt.Sprintf("%s must be a whole number", d.path(name)),
				"got a fraction, a number that is too large, or text that is not a number", hint)
		} else {
			d.typeErr(attr, "a whole number", v, hint)
		}
		return failed
	}
	if n < lo {
		d.l.errorf(attr.Expr.Range(), fmt.Sprintf("%s must be %d or more", d.path(name), lo),
			fmt.Sprintf("got %d", n), fmt.Sprintf("write %s = %d or a larger number", name, lo))
		return failed
	}
	*dst = n
	return present
}

func toInt(v cty.Value) (int, bool) {
	switch v.Type() {
	case cty.Number:
		bf := v.AsBigFloat()
		if !bf.IsInt() || new(big.Float).Abs(bf).Cmp(big.NewFloat(1e9)) > 0 {
			return 0, false
		}
		i, _ := bf.Int64()
		return int(i), true
	case cty.String:
		i, err := strconv.Atoi(strings.TrimSpace(v.AsString()))
		if err != nil || i > 1e9 || i < -1e9 {
			return 0, false
		}
		return i, true
	}
	return 0, false
}

// Decimal decodes an amount from a string ("0.05") or a number (0.05), never through float64.
func (d *blockDecoder) Decimal(name string, dst *decimal.Decimal) evalStatus {
	v, attr, st := d.get(name, false)
	if st != present {
		return st
	}
	var text string
	switch v.Type() {
	case cty.Number:
		t, ok := numberText(v.AsBigFloat())
		if !ok {
			d.l.errorf(attr.Expr.Range(), fmt.Sprintf("%s is too large", d.path(name)), "",
				fmt.Sprintf(`write an amount like %s = "0.05"`, name))
			return failed
		}
		text = t
	case cty.String:
		text = strings.TrimSpace(v.AsString())
	default:
		d.typeErr(attr, "an amount", v, fmt.Sprintf(`write an amount like %s = "0.05"`, name))
		return failed
	}
	dec, err := parseAmount(text)
	if err != nil {
		hint := fmt.Sprintf(`write an amount with a decimal point, like %s = "0.05"`, name)
		if strings.Contains(text, ",") {
			hint = fmt.Sprintf(`use a point, not a comma, for the decimals: %s = %q`, name, strings.ReplaceAll(text, ",", "."))
		}
		d.l.errorf(attr.Expr.Range(), fmt.Sprintf("%s must be an amount", d.path(name)),
			fmt.Sprintf("got %s", showValue(text)), hint)
		return failed
	}
	*dst = dec
	return present
}

// parseAmount parses a plain decimal amount ("12", "0.05", "-1.5"); exponents and commas are
// refused.
func parseAmount(s string) (decimal.Decimal, error) {
	if s == "" || len(s) > 40 || strings.ContainsAny(s, "eE,_ ") {
		return decimal.Decimal{}, fmt.Errorf("not an amount: %q", s)
	}
	return decimal.NewFromString(s)
}

// Time decodes an RFC 3339 time.
func (d *blockDecoder) Time(name string, dst *time.Time) evalStatus {
	var s string
	st := d.String(name, &s, false)
	if st != present {
		return st
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		d.l.errorf(d.attrs[name].Expr.Range(), fmt.Sprintf("%s must be an RFC 3339 time", d.path(name)),
			fmt.Sprintf("got %s", showValue(s)), timeHint(name, s))
		return failed
	}
	*dst = t
	return present
}

// timeHint suggests the RFC 3339 form of what was written, when it can be guessed.
func timeHint(name, s string) string {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05", "02-01-2006", "02-01-2006 15:04"} {
		if t, err := time.ParseInLocation(layout, s, amsterdam()); err == nil {
			return fmt.Sprintf("write the date, a T, the time and the UTC offset: %s = %q", name, t.Format(time.RFC3339))
		}
	}
	return fmt.Sprintf(`write the date, a T, the time and the UTC offset: %s = "2026-01-01T00:00:00+01:00"`, name)
}

// amsterdam is the Dutch time zone when the system knows it, else a fixed +01:00.
func amsterdam() *time.Location {
	if loc, err := time.LoadLocation("Europe/Amsterdam"); err == nil {
		return loc
	}
	return time.FixedZone("CET", 3600)
}

// Duration decodes a Go duration that must be > 0.
func (d *blockDecoder) Duration(name string, dst *time.Duration) evalStatus {
	var s string
	st := d.String(name, &s, false)
	if st != present {
		return st
	}
	dur, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || dur <= 0 {
		d.l.errorf(d.attrs[name].Expr.Range(), fmt.Sprintf("%s must be a duration greater than zero", d.path(name)),
			fmt.Sprintf("got %s", showValue(s)), durationHint(name, s))
		return failed
	}
	*dst = dur
	return present
}

// Size decodes an amount of memory written with its unit ("96MiB", "1GiB", "200MB") into bytes
// and checks it is at least lo bytes. The word in off (when not "") decodes to 0. example is
// a valid value for the hint.
func (d *blockDecoder) Size(name string, dst *int64, lo int64, off, example string) evalStatus {
	var s string
	st := d.String(name, &s, false)
	if st != present {
		return st
	}
	s = strings.TrimSpace(s)
	if off != "" && strings.EqualFold(s, off) {
		*dst = 0
		return present
	}
	hint := fmt.Sprintf(`write a number and a unit (MiB or GiB), like %s = %q`, name, example)
	if off != "" {
		hint += fmt.Sprintf(`, or %s = %q`, name, off)
	}
	n, err := humanize.ParseBytes(s)
	// A bare number is refused: bytes are never what is meant.
	if err != nil || strings.TrimLeft(s, "0123456789. ") == "" || n > math.MaxInt64 {
		d.l.errorf(d.attrs[name].Expr.Range(), fmt.Sprintf("%s must be an amount of memory with its unit", d.path(name)),
			fmt.Sprintf("got %s", showValue(s)), hint)
		return failed
	}
	if int64(n) < lo {
		d.l.errorf(d.attrs[name].Expr.Range(), fmt.Sprintf("%s must be at least %s", d.path(name), humanize.IBytes(uint64(lo))),
			fmt.Sprintf("got %s", showValue(s)), hint)
		return failed
	}
	*dst = int64(n)
	return present
}

func durationHint(name, s string) string {
	return fmt.Sprintf(`write a number and a unit (s, m or h), like %s = "15m", "1h" or "1h30m"; days are written as hours: "24h"`, name)
}

// StringList decodes a list of strings.
func (d *blockDecoder) StringList(name string, dst *[]string) evalStatus {
	v, attr, st := d.get(name, false)
	if st != present {
		return st
	}
	t := v.Type()
	if !(t.IsListType() || t.IsTupleType() || t.IsSetType()) {
		d.typeErr(attr, "a list of strings", v, fmt.Sprintf(`write %s = ["...", "..."]`, name))
		return failed
	}
	out := []string{}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() || e.Type() != cty.String {
			d.typeErr(attr, "a list of strings", v, fmt.Sprintf(`put every element in double quotes: %s = ["...", "..."]`, name))
			return failed
		}
		out = append(out, e.AsString())
	}
	*dst = out
	return present
}

// NumOrName decodes a "number or name" attribute (template, cost centre, revenue group) and
// keeps it as text: a whole number as its digits, a name as written.
func (d *blockDecoder) NumOrName(name string, dst *string) evalStatus {
	v, attr, st := d.get(name, false)
	if st != present {
		return st
	}
	s, ok := numOrName(v)
	if !ok {
		d.typeErr(attr, "a number or a name", v, fmt.Sprintf(`write %s = 1 or %s = "Name as in SnelStart"`, name, name))
		return failed
	}
	if strings.TrimSpace(s) == "" {
		d.l.errorf(attr.Expr.Range(), fmt.Sprintf("%s must not be empty", d.path(name)), "",
			fmt.Sprintf("leave %s out to use SnelStart's default, or give a number or name", name))
		return failed
	}
	*dst = s
	return present
}

func numOrName(v cty.Value) (string, bool) {
	switch v.Type() {
	case cty.String:
		return v.AsString(), true
	case cty.Number:
		if n, ok := toInt(v); ok && n >= 0 {
			return strconv.Itoa(n), true
		}
	}
	return "", false
}

// RateMap decodes articles.revenue_group_by_vat: VAT rate → group (number or name).
func (d *blockDecoder) RateMap(name string, dst *map[string]string) evalStatus {
	return d.rateMap(name, "revenue group", `{ "21" = 1, "9" = 2, "0" = 3 }`, `= 1 or %q = "Omzet hoog"`, nil, dst)
}

// LedgerMap decodes orders.ledger_by_vat: VAT rate, or one of the scheme keys, → revenue
// ledger (grootboek number or name).
func (d *blockDecoder) LedgerMap(name string, schemes []string, dst *map[string]string) evalStatus {
	return d.rateMap(name, "revenue ledger (grootboek)", `{ "21" = 8000, "9" = 8010, "0" = 8020, "icp" = 8100, "export" = 8110 }`,
		`= 8000 or %q = "Omzet hoog"`, schemes, dst)
}

// rateMap decodes a map whose keys are VAT rates in percent (or one of schemes) and whose
// values are a number or a name. Keys are normalised (rate decimal string, scheme lower case).
// A bad entry is reported at that entry.
func (d *blockDecoder) rateMap(name, what, example, valueHint string, schemes []string, dst *map[string]string) evalStatus {
	v, attr, st := d.get(name, false)
	if st != present {
		return st
	}
	t := v.Type()
	if !(t.IsMapType() || t.IsObjectType()) {
		d.typeErr(attr, "a map of VAT rate to "+what, v, fmt.Sprintf(`write %s = %s`, name, example))
		return failed
	}
	out := map[string]string{}
	from := map[string]string{}
	ok := true
	keyHint := `use the rate in percent as the key, like "21", "9" or "0"`
	if len(schemes) > 0 {
		keyHint += ", or one of " + quoteList(schemes)
	}
	// Map elements come out sorted by key, so messages are deterministic.
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		key := k.AsString()
		rng := mapItemRange(attr, key)
		norm := strings.ToLower(strings.TrimSpace(key))
		if !contains(schemes, norm) {
			rate, err := parseAmount(strings.TrimSuffix(strings.TrimSpace(key), "%"))
			if err != nil || rate.IsNegative() || rate.GreaterThan(decimal.NewFromInt(100)) {
				d.l.errorf(rng, fmt.Sprintf("%s: %s is not a VAT rate", d.path(name), showValue(key)), "", keyHint)
				ok = false
				continue
			}
			norm = rate.String()
		}
		if prev, dup := from[norm]; dup {
			d.l.errorf(rng, fmt.Sprintf("%s: rate %s is given twice (%q and %q)", d.path(name), norm, prev, key), "",
				"keep one entry per rate")
			ok = false
			continue
		}
		from[norm] = key
		g, gok := numOrName(e)
		if !gok || strings.TrimSpace(g) == "" {
			d.l.errorf(rng, fmt.Sprintf("%s: the %s for %s must be a number or a name", d.path(name), what, showValue(key)), "",
				fmt.Sprintf("write %q "+valueHint, key, key))
			ok = false
			continue
		}
		out[norm] = g
	}
	if !ok {
		return failed
	}
	*dst = out
	return present
}

// mapItemRange is the range of the entry with this key in a map written as { key = value },
// so an error points at the entry; the whole value's range otherwise.
func mapItemRange(attr *hclsyntax.Attribute, key string) hcl.Range {
	obj, ok := attr.Expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return attr.Expr.Range()
	}
	for _, item := range obj.Items {
		k, diags := item.KeyExpr.Value(nil)
		if diags.HasErrors() || k.IsNull() || !k.IsKnown() {
			continue
		}
		if k.Type() == cty.String && k.AsString() == key {
			return hcl.RangeBetween(item.KeyExpr.Range(), item.ValueExpr.Range())
		}
		if k.Type() == cty.Number && k.AsBigFloat().Text('f', -1) == key {
			return hcl.RangeBetween(item.KeyExpr.Range(), item.ValueExpr.Range())
		}
	}
	return attr.Expr.Range()
}

// finish reports every attribute that no method asked for, with a "did you mean" hint.
func (d *blockDecoder) finish() {
	for _, attr := range sortedAttrs(d.attrs) {
		if contains(d.known, attr.Name) {
			continue
		}
		hint := "known attributes: " + strings.Join(sortedCopy(d.known), ", ")
		if s := suggest(attr.Name, d.known); s != "" {
			hint = fmt.Sprintf("did you mean %q? %s", s, hint)
		}
		d.l.errorf(attr.NameRange, fmt.Sprintf("unknown attribute %q in %s", attr.Name, d.block), "", hint)
	}
}

// noBlocks reports nested blocks in a block that takes only attributes.
func (l *loader) noBlocks(body *hclsyntax.Body, block string) {
	for _, b := range body.Blocks {
		l.errorf(b.TypeRange, fmt.Sprintf("unexpected block %q in %s", b.Type, block), "",
			fmt.Sprintf("%s takes only attributes (name = value); write %s = ... instead of %s { ... }", block, b.Type, b.Type))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedCopy(list []string) []string {
	out := append([]string(nil), list...)
	sort.Strings(out)
	return out
}

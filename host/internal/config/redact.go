package config

import (
	"sort"
	"strconv"
	"strings"
)

// minRedactLength is the shortest sensitive value Redactor replaces in free text; shorter ones
// would mangle ordinary words. Messages never echo sensitive values of any length.
const minRedactLength = 3

// Redacted is what a sensitive value is replaced with.
const Redacted = "(sensitive)"

// Redactor returns a function that replaces every sensitive value found in the config (values of
// attributes a plugin schema marks Sensitive, koppel.api_token, and the env() and file() results
// they were built from; every plugin value when no schemas were given) with "(sensitive)", also
// in its JSON-escaped form. Use it on every log line and error text that may hold config values.
// It is safe for concurrent use.
func (c *Config) Redactor() func(string) string {
	var vals []string
	for v := range c.sensitive {
		if len(v) >= minRedactLength {
			vals = append(vals, v)
			if q := strconv.Quote(v); q[1:len(q)-1] != v {
				vals = append(vals, q[1:len(q)-1])
			}
			if t := strings.TrimSpace(v); t != v && len(t) >= minRedactLength {
				vals = append(vals, t)
			}
		}
	}
	if len(vals) == 0 {
		return func(s string) string { return s }
	}
	// Longest first, so a value containing another is replaced whole.
	sort.Slice(vals, func(i, j int) bool {
		if len(vals[i]) != len(vals[j]) {
			return len(vals[i]) > len(vals[j])
		}
		return vals[i] < vals[j]
	})
	pairs := make([]string, 0, 2*len(vals))
	for _, v := range vals {
		pairs = append(pairs, v, Redacted)
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace
}

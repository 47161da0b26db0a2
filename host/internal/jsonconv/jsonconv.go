// Package jsonconv checks a JSON document against koppel's conventions for machine output
// (every `--json` output of the CLI and every answer of the HTTP API, docs/cli.md "JSON"):
//
//   - every key of an object is snake_case: lower-case letters and digits, words joined by
//     single underscores (`shop_number`, `sha256`), never a Go field name (`ShopNumber`,
//     `SHA256`) or camelCase;
//   - a duration is a number of seconds (a float where fractions matter) under a key that ends
//     in `_seconds` (`duration_seconds`, `every_seconds`): never nanoseconds, never a Go
//     duration string ("1.5s"), never a bare `duration`.
//
// Maps whose keys are data rather than field names (a plugin's own check details, ledger
// calls per connector method) are named by their key and left out of the key check.
package jsonconv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// snake is a snake_case key.
var snake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// durationWords are the words of a key that names a duration (split on "_").
var durationWords = map[string]bool{
	"duration": true, "elapsed": true, "interval": true, "timeout": true, "latency": true,
	"took": true, "every": true, "uptime": true, "delay": true, "wait": true, "backoff": true,
}

// Violations returns every place in doc (a JSON value, or several one after the other as a
// JSON stream) that breaks the conventions, each as "path: problem"; none for a conforming
// document. dataMaps are the keys whose object values are maps keyed by data (their own keys
// are not checked; their values are). A document that is not JSON is one violation.
func Violations(doc []byte, dataMaps ...string) []string {
	data := map[string]bool{}
	for _, k := range dataMaps {
		data[k] = true
	}
	var out []string
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	for n := 0; ; n++ {
		var v any
		err := dec.Decode(&v)
		if err == io.EOF {
			if n == 0 {
				out = append(out, "$: no JSON value")
			}
			break
		}
		if err != nil {
			out = append(out, fmt.Sprintf("$: not JSON: %v", err))
			break
		}
		walk(v, "$", false, data, &out)
	}
	return out
}

func walk(v any, path string, dataKeys bool, data map[string]bool, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := path + "." + k
			if !dataKeys {
				if !snake.MatchString(k) {
					*out = append(*out, fmt.Sprintf("%s: key %q is not snake_case", p, k))
				}
				if msg := durationProblem(k, x[k]); msg != "" {
					*out = append(*out, p+": "+msg)
				}
			}
			walk(x[k], p, !dataKeys && data[k], data, out)
		}
	case []any:
		for i, e := range x {
			walk(e, fmt.Sprintf("%s[%d]", path, i), false, data, out)
		}
	}
}

// durationProblem says what is wrong with key k holding v, when k names a duration.
func durationProblem(k string, v any) string {
	isDuration := false
	for _, w := range strings.Split(k, "_") {
		if durationWords[w] {
			isDuration = true
		}
	}
	if !isDuration {
		return ""
	}
	if !strings.HasSuffix(k, "_seconds") {
		return fmt.Sprintf("duration under %q: name it %s_seconds and give seconds", k, strings.TrimSuffix(strings.TrimSuffix(k, "_ns"), "_ms"))
	}
	switch n := v.(type) {
	case nil:
		return ""
	case json.Number:
		// A duration in nanoseconds shows as a huge whole number: a year in seconds is 3.2e7.
		if f, err := n.Float64(); err == nil && (f > 1e9 || f < -1e9) {
			return fmt.Sprintf("%s seconds is more than 30 years: nanoseconds?", n)
		}
		return ""
	}
	return fmt.Sprintf("duration %v is not a number of seconds", v)
}

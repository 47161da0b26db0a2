package jsonconv

import (
	"strings"
	"testing"
)

func TestViolations(t *testing.T) {
	cases := []struct {
		doc  string
		data []string
		want []string // substrings, one per violation, in order
	}{
		{`{"shop_number":"1","sha256":"ab","duration_seconds":1.5,"every_seconds":900,"orders":[{"ledger_number":7}]}`, nil, nil},
		{`{"Name":"x","shopNumber":"1","SHA256":"y"}`, nil, []string{`$.Name: key "Name"`, `$.SHA256: key "SHA256"`, `$.shopNumber: key "shopNumber"`}},
		{`{"duration":1500000000}`, nil, []string{"name it duration_seconds"}},
		{`{"runs":[{"duration_seconds":1500000000}]}`, nil, []string{"$.runs[0].duration_seconds: 1500000000 seconds"}},
		{`{"every":"15m0s"}`, nil, []string{"name it every_seconds"}},
		{`{"timeout_seconds":"5s"}`, nil, []string{"not a number of seconds"}},
		{`{"calls_by_method":{"FindRelaties":3},"details":{"WooCommerce version":"10"}}`, []string{"calls_by_method", "details"}, nil},
		{`{"calls_by_method":{"FindRelaties":{"Bad":1}}}`, []string{"calls_by_method"}, []string{`$.calls_by_method.FindRelaties.Bad`}},
		{`{"a":1}` + "\n" + `{"B":2}`, nil, []string{`$.B`}},
		{`not json`, nil, []string{"not JSON"}},
		{``, nil, []string{"no JSON value"}},
	}
	for _, c := range cases {
		got := Violations([]byte(c.doc), c.data...)
		if len(got) != len(c.want) {
			t.Errorf("%s: %d violations %q, want %d", c.doc, len(got), got, len(c.want))
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%s: violation %d is %q, want it to contain %q", c.doc, i, got[i], w)
			}
		}
	}
}

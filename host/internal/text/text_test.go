package text

import (
	"strings"
	"testing"
)

// Every key exists in both languages, with the same format verbs in the same order.
func TestCatalogueComplete(t *testing.T) {
	for key, nl := range catalogue[NL] {
		en, ok := catalogue[EN][key]
		if !ok {
			t.Errorf("%q has no English text", key)
			continue
		}
		if verbs(nl) != verbs(en) {
			t.Errorf("%q: Dutch verbs %q, English %q", key, verbs(nl), verbs(en))
		}
	}
	for key := range catalogue[EN] {
		if _, ok := catalogue[NL][key]; !ok {
			t.Errorf("%q has no Dutch text", key)
		}
	}
}

// verbs lists the fmt verbs of a message, e.g. "%s%d".
func verbs(m string) string {
	var b strings.Builder
	for i := 0; i < len(m)-1; i++ {
		if m[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(m) && strings.ContainsRune("0123456789.-+# ", rune(m[j])) {
			j++
		}
		if j < len(m) {
			b.WriteString("%" + string(m[j]))
		}
		i = j
	}
	return b.String()
}

func TestDetect(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	cases := []struct {
		name string
		flag string
		env  map[string]string
		want Lang
		err  bool
	}{
		{"default Dutch", "", nil, NL, false},
		{"flag", "en", map[string]string{"LANG": "nl_NL.UTF-8"}, EN, false},
		{"KOPPEL_LANG before LANG", "", map[string]string{"KOPPEL_LANG": "nl", "LANG": "en_US.UTF-8"}, NL, false},
		{"LANG", "", map[string]string{"LANG": "en_GB.UTF-8"}, EN, false},
		{"C locale is Dutch", "", map[string]string{"LANG": "C.UTF-8"}, NL, false},
		{"bad flag", "de", nil, NL, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Detect(tc.flag, env(tc.env))
			if got != tc.want || (err != nil) != tc.err {
				t.Fatalf("Detect = %v, %v; want %v (error %v)", got, err, tc.want, tc.err)
			}
		})
	}
	if got := (Printer{EN}).T("no.such.key"); got != "??no.such.key" {
		t.Fatalf("missing key: %q", got)
	}
}

func TestBrief(t *testing.T) {
	long := `the order has a fee ("Betaalkosten", 0.35 including VAT) but orders.payment_fee_article is not set; set it to the SnelStart article code for them, then retry`
	cases := []struct {
		in, short string
		more      bool
	}{
		{"article VERZ is missing", "article VERZ is missing", false},
		{long, `the order has a fee ("Betaalkosten", 0.35 including VAT) but orders.payment_fee_article is not set`, true},
		{strings.Repeat("x", 300), strings.Repeat("x", BriefLen-1) + "…", true},
	}
	for _, tc := range cases {
		short, more := Brief(tc.in)
		if short != tc.short || more != tc.more {
			t.Errorf("Brief(%.30q) = %q, %v; want %q, %v", tc.in, short, more, tc.short, tc.more)
		}
	}
}

package mapping

import (
	"flag"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/golden"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// englishRE finds English words that have no place in a Dutch reason.
var englishRE = regexp.MustCompile(`\b(the|but|was|with|could|cannot|VAT|shop|Germany|United States|line|refund|rate)\b`)

// TestReasonsGolden plans orders that cross a border, books a refund that cannot be credited
// and collects warnings, and writes every problem and warning the planner made in English (as
// stored) and Dutch (as shown): testdata/reasons.golden. No Dutch text may keep an English word.
func TestReasonsGolden(t *testing.T) {
	type tc struct {
		name  string
		oss   bool
		warn  bool
		order sdk.Order
		known bool
	}
	longName := func(o *sdk.Order) { o.Billing.Company = strings.Repeat("Groothandel ", 12) }
	noStreet := func(o *sdk.Order) {
		o.Shipping = sdk.Address{FirstName: "Jan", LastName: "Jansen", City: "Berlin", Country: "DE"}
	}
	cases := []tc{
		{"OSS on, the shop charges 16 % for Germany", true, false, mkOrder("1", true, []ln{{"MOK", "Mok", "1", "5.95", "16"}}, abroad("DE", "")), false},
		{"OSS off, the shop charges 19 % for Germany", false, false, mkOrder("2", true, []ln{{"MOK", "Mok", "2", "5.95", "19"}}, abroad("DE", "")), false},
		{"export to the United States with VAT", false, false, mkOrder("3", true, []ln{mug}, abroad("US", "")), false},
		{"vat_check warn: booked with warnings", true, true, mkOrder("4", true, []ln{{"MOK", "Mok", "1", "5.95", "16"}}, abroad("DE", ""), longName, noStreet), false},
		{"ICP: the VAT number is put on the customer", false, false, mkOrder("5", false, []ln{{"MOK", "Mok", "2", "5.00", "0"}}, abroad("DE", "DE123456789")), true},
		{"a VAT number of invalid form", false, false, mkOrder("6", false, []ln{{"MOK", "Mok", "2", "5.00", "0"}}, abroad("DE", "DE12")), false},
	}
	var b strings.Builder
	write := func(title string, msgs []string) {
		fmt.Fprintf(&b, "## %s\n", title)
		for _, m := range msgs {
			nl := text.Reason(text.NL, m)
			fmt.Fprintf(&b, "en: %s\nnl: %s\n", m, nl)
			if w := englishRE.FindString(nl); w != "" {
				t.Errorf("%s: the Dutch text keeps %q: %s", title, w, nl)
			}
		}
		b.WriteString("\n")
	}
	for _, c := range cases {
		prof := testProfile()
		if c.warn {
			prof.Orders.VATCheck = config.VATCheckWarn
		}
		pl := planAbroad(t, prof, c.oss, c.known, c.order)
		if len(pl.Problems)+len(pl.Warnings) == 0 {
			t.Fatalf("%s: no problem nor warning (action %s)", c.name, pl.Action)
		}
		write(c.name+" ("+string(pl.Action)+")", append(append([]string{}, pl.Problems...), pl.Warnings...))
	}
	// A refund with an amount that names no product, shipping or fee, without orders.refund_article:
	// its credit order cannot be booked.
	o := mkOrder("7", true, []ln{mug, coffee})
	rf := sdk.Refund{ID: "r1", Amount: d("5.00"), CreatedAt: day}
	if _, err := CreditRefund(o, rf, "", nil); err == nil {
		t.Fatal("a refund of an unnamed amount without orders.refund_article was credited")
	} else {
		write("a refund that cannot be credited", []string{err.Error()})
	}
	golden.Check(t, "reasons.golden", b.String(), *updateGolden)
}

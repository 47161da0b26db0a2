package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/text"
)

// The bar shows handled/total once the shop's listing announced a total, and counts without
// one when the shop announces none (a plugin built before sdk.OrderItem.Total).
func TestProgressBarTotal(t *testing.T) {
	cases := []struct {
		name   string
		start  int   // the total known before the run (-1: none)
		totals []int // pipeline.Progress.Total of the three updates
		want   string
		max    int
	}{
		{"announced by the shop", -1, []int{5, 5, 5}, "3/5", 5},
		{"known before (retry)", 4, []int{4, 4, 4}, "3/4", 4},
		{"grown past the announcement", -1, []int{2, 2, 4}, "3/4", 4},
		{"not announced", -1, []int{0, 0, 0}, "3/-", -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			p := newBar(&out, text.Printer{Lang: text.NL}, "import_orders", c.start, 0)
			for i, total := range c.totals {
				p.update(pipeline.Progress{Task: "import_orders", Seen: i + 1, Total: total, Imported: i + 1})
			}
			last := out.String()
			if i := strings.LastIndex(last, "\r"); i >= 0 {
				last = last[i:]
			}
			if !strings.Contains(last, "geboekt") {
				t.Fatalf("bar drawn as %q: want the Dutch description (geboekt)", last)
			}
			if !strings.Contains(last, c.want) {
				t.Fatalf("bar drawn as %q: want %q in it", last, c.want)
			}
			if got := p.max; got != c.max || (got > 0 && p.bar.GetMax() != got) {
				t.Fatalf("bar total %d, want %d", got, c.max)
			}
		})
	}
}

package snelstart

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/koppel-nl/koppel/sdk"
)

// The filters of RelatieQuery.Emails: each address as an Email search filters it (lower-cased,
// quotes doubled), or-ed together, blank and repeated addresses (ignoring case) left out, split
// so that no filter is longer than the limit once URL-encoded, every address in exactly one.
func TestRelatieEmailFilters(t *testing.T) {
	got := relatieEmailFilters([]string{" Jan@Example.NL ", "o'brien@x.nl", "", "jan@example.nl", "  "}, maxFilterLen)
	want := []string{"substringof('jan@example.nl', tolower(Email)) eq true or substringof('o''brien@x.nl', tolower(Email)) eq true"}
	if !slices.Equal(got, want) {
		t.Fatalf("filters %q, want %q", got, want)
	}
	if got := relatieEmailFilters([]string{"", " "}, maxFilterLen); len(got) != 0 {
		t.Fatalf("blank addresses give filters %q, want none", got)
	}

	var emails []string
	for i := range 25 {
		emails = append(emails, fmt.Sprintf("klant.met.een.lang.adres%02d@voorbeeld-webwinkel.example", i))
	}
	filters := relatieEmailFilters(emails, maxFilterLen)
	if len(filters) < 2 {
		t.Fatalf("25 long addresses in %d filter(s); want them split", len(filters))
	}
	seen := map[string]int{}
	for _, f := range filters {
		if n := len(escapeQueryValue(f)); n > maxFilterLen {
			t.Fatalf("filter of %d encoded characters > %d", n, maxFilterLen)
		}
		for _, clause := range strings.Split(f, " or ") {
			addr, ok := strings.CutPrefix(clause, "substringof('")
			addr, ok2 := strings.CutSuffix(addr, "', tolower(Email)) eq true")
			if !ok || !ok2 {
				t.Fatalf("clause %q is not an e-mail search", clause)
			}
			seen[addr]++
		}
	}
	for _, e := range emails {
		if seen[e] != 1 {
			t.Fatalf("%s in %d filters, want 1", e, seen[e])
		}
	}
	if got := relatieEmailFilters([]string{strings.Repeat("x", 2000) + "@x.nl"}, maxFilterLen); len(got) != 1 {
		t.Fatalf("an over-long address gives %d filters, want 1", len(got))
	}
}

// FindRelaties with Emails pages each filter to its end, keeps only relaties one of whose
// addresses is asked (the server's substring filter can return more), returns a relatie found
// by two filters once, and refuses another criterion beside Emails.
func TestFindRelatieEmailsPagesAndMatches(t *testing.T) {
	f := newFakeAPI(t)
	var mu sync.Mutex // the parts of a split look-up are asked at the same time
	var pages []string
	// The fake ignores the filter and serves 520 relaties: the connector must page and match.
	const n = 520
	f.handle("GET /v2/relaties", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		top, _ := strconv.Atoi(q.Get("$top"))
		skip, _ := strconv.Atoi(q.Get("$skip"))
		mu.Lock()
		pages = append(pages, fmt.Sprintf("top=%d skip=%d filter=%s", top, skip, q.Get("$filter")))
		mu.Unlock()
		out := []map[string]any{}
		for i := skip; i < n && i < skip+top; i++ {
			email := fmt.Sprintf("anders%d@example.nl", i)
			switch i {
			case 3:
				email = "Info@Winkel.example; JAN@example.nl"
			case 511:
				email = "xjan@example.nl" // holds an asked address as a substring only
			case 517:
				email = "lang.adres24@voorbeeld-webwinkel.example"
			}
			out = append(out, map[string]any{"id": fmt.Sprintf("4e1a0000-0000-4000-8000-%012d", i), "relatiecode": 1000 + i,
				"naam": fmt.Sprintf("Klant %d", i), "email": email, "relatiesoort": []string{"Klant"}})
		}
		writeJSONTest(w, http.StatusOK, out)
	})
	c, _ := f.connector(t, options{})
	ctx := context.Background()
	emails := []string{"jan@example.nl"}
	for i := range 25 {
		emails = append(emails, fmt.Sprintf("lang.adres%02d@voorbeeld-webwinkel.example", i))
	}
	got, err := c.FindRelaties(ctx, sdk.RelatieQuery{Emails: emails})
	if err != nil {
		t.Fatal(err)
	}
	var codes []int
	for _, r := range got {
		codes = append(codes, r.Code)
	}
	if !slices.Equal(codes, []int{1003, 1517}) {
		t.Fatalf("relatiecodes %v, want 1003 and 1517 once each", codes)
	}
	filters := relatieEmailFilters(emails, maxFilterLen)
	var want []string
	for _, f := range filters {
		want = append(want, "top=500 skip=0 filter="+f, "top=500 skip=500 filter="+f)
	}
	mu.Lock()
	slices.Sort(pages)
	slices.Sort(want)
	if len(filters) < 2 || !slices.Equal(pages, want) {
		t.Fatalf("%d filters, pages asked %q; want two pages per filter (500 + 20)", len(filters), pages)
	}
	mu.Unlock()
	if _, err := c.FindRelaties(ctx, sdk.RelatieQuery{Emails: emails, Code: 7}); sdk.KindOf(err) != sdk.KindPermanent {
		t.Fatalf("Emails with a code: %v, want a permanent error", err)
	}
	if v, err := url.ParseQuery("x=" + escapeQueryValue(filters[0])); err != nil || v.Get("x") != filters[0] {
		t.Fatalf("filter does not survive encoding: %v", err)
	}
}

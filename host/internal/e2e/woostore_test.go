package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// Rows for what a real WooCommerce 10 store does (reference A.8b, issue 23), against the
// simulators through the koppel binary: VAT per rate of a fee split by the store, shuffled ties,
// drafts, notes, unknown products, and connection errors that name their cause.

// ssVATByRate is SnelStart's VAT per rate of a sales order as SnelStart computes it: the lines'
// totals per omzetgroep VAT rate (Hoog 21, Laag 9, Geen 0), VAT rounded once per rate, out of
// the amounts including VAT or on those excluding VAT as the order was entered.
func (r *run) ssVATByRate(v simulator.Verkooporder) map[string]sdk.Money {
	r.t.Helper()
	rateOf := map[string]decimal.Decimal{"Hoog": decimal.NewFromInt(21), "Laag": decimal.NewFromInt(9), "Geen": decimal.Zero}
	groups := map[simulator.GUID]decimal.Decimal{}
	for _, g := range r.admin.Omzetgroepen {
		groups[g.ID] = rateOf[g.VerkoopNederlandBtwSoort]
	}
	sums := map[string]decimal.Decimal{}
	rates := map[string]decimal.Decimal{}
	for _, l := range v.Regels {
		if l.Artikel == nil || l.Artikel.ID.IsEmpty() {
			continue
		}
		a := r.artikel(l.Artikel.ID)
		if a.ArtikelOmzetgroep == nil {
			r.t.Fatalf("article %s has no omzetgroep", a.Artikelcode)
		}
		rt := groups[a.ArtikelOmzetgroep.ID]
		sums[rt.String()] = sums[rt.String()].Add(l.Totaal.Decimal)
		rates[rt.String()] = rt
	}
	hundred := decimal.NewFromInt(100)
	out := map[string]sdk.Money{}
	for k, sum := range sums {
		if strings.EqualFold(v.VerkooporderBtwIngaveModel, "Inclusief") {
			out[k] = sum.Mul(rates[k]).Div(hundred.Add(rates[k])).Round(2)
		} else {
			out[k] = sum.Mul(rates[k]).Div(hundred).Round(2)
		}
	}
	return out
}

// shopVATByRate is the shop's VAT per rate of an order: its tax_lines (items, fees and
// shipping) by rate_percent.
func (s *stage) shopVATByRate(p placed) map[string]sdk.Money {
	s.t.Helper()
	var o struct {
		TaxLines []struct {
			RatePercent float64 `json:"rate_percent"`
			TaxTotal    string  `json:"tax_total"`
			ShipTax     string  `json:"shipping_tax_total"`
		} `json:"tax_lines"`
	}
	s.wc(http.MethodGet, fmt.Sprintf("/orders/%d", p.ID), nil, &o)
	out := map[string]sdk.Money{}
	for _, tl := range o.TaxLines {
		k := decimal.NewFromFloat(tl.RatePercent).String()
		out[k] = out[k].Add(sdk.MustMoney(tl.TaxTotal)).Add(sdk.MustMoney(tl.ShipTax))
	}
	return out
}

// Issue 23 point 1: a negative fee over 21 % and 9 % products, whose tax the store split over the
// cart's rates (shipping counted), is booked with the store's split: SnelStart's VAT per rate is
// the shop's, or, where SnelStart's per-rate rounding cannot follow the shop's per-line rounding,
// the order's warnings name the rate with both figures. The total is the shop's to the cent.
func TestWooStoreNegativeFeeVATPerRate(t *testing.T) {
	t.Parallel()
	s := newStage(t, nil)
	p := s.order(wooOrder{by: janHome, items: []item{{product: "SHIRT-01", qty: 2}, {product: "BOEK-01"}}, shipping: "4.95", fee: "-3.00"})
	shop := s.shopVATByRate(p)
	if len(shop) < 2 {
		t.Fatalf("the shop's order has VAT at %d rates, want 21 %% and 9 %%: %v", len(shop), shop)
	}
	r := s.syncOrders()
	out := r.must(p, "imported")
	v := r.so(p)
	r.totalIs(v, p.Total)
	ledger := r.ssVATByRate(v)
	t.Logf("VAT per rate: shop %v, SnelStart %v; lines %v; warnings %q", shop, ledger, r.lines(v), out.Warnings)
	for k, want := range shop {
		got := ledger[k]
		if got.Equal(want) {
			continue
		}
		named := false
		for _, w := range out.Warnings {
			named = named || (strings.Contains(w, "VAT at "+k+"%") && strings.Contains(w, want.StringFixed(2)) && strings.Contains(w, got.StringFixed(2)))
		}
		if !named {
			t.Fatalf("VAT at %s%%: SnelStart %s, shop %s, and no warning names it: %q (lines %v)", k, got.StringFixed(2), want.StringFixed(2), out.Warnings, r.lines(v))
		}
	}
}

// Issue 23 points 2 and 5: orders placed within a second or two (ties the simulator shuffles on
// every request) listed three to a page are all imported exactly once; a checkout-draft and an
// auto-draft among them are never imported; a note added to an imported order does not bring it
// back; a line whose product the store does not know (product_id 0, sku "") is not lost silently.
func TestWooStoreTiesDraftsNotesUnknownProducts(t *testing.T) {
	t.Parallel()
	s := newStage(t, map[string]string{"shop.page_size": "3"})
	var placedOrders []placed
	for i := 0; i < 14; i++ {
		placedOrders = append(placedOrders, s.order(wooOrder{by: janHome, items: []item{{product: "MOK-01", qty: 1 + i%3}}}))
	}
	draft := s.order(wooOrder{by: janHome, items: []item{{product: "MOK-01"}}, status: "checkout-draft"})
	auto := s.order(wooOrder{by: janHome, items: []item{{product: "MOK-01"}}, status: "pending"})
	send(t, http.MethodPost, fmt.Sprintf("http://%s/_sim/orders/%d/touch?status=auto-draft", s.woo, auto.ID), "")
	var unknown placed
	s.wc(http.MethodPost, "/orders", map[string]any{"status": "processing", "billing": janHome.address(true),
		"line_items": []any{map[string]any{"product_id": 987654, "name": "Verdwenen product", "quantity": 1, "subtotal": "10.00", "total": "10.00"}}}, &unknown)
	if unknown.Number == "" {
		unknown.Number = fmt.Sprint(unknown.ID)
	}

	r := s.syncOrders()
	for _, p := range placedOrders {
		r.must(p, "imported")
		r.so(p)
	}
	for _, p := range []placed{draft, auto} {
		r.none(p)
		for _, o := range r.res.Orders {
			if o.ShopNumber == p.Number && o.Status == "imported" {
				t.Fatalf("draft order %s was imported", p.Number)
			}
		}
	}
	if o := r.outcome(unknown); o.Status != "imported" && (o.Status != "failed" || !strings.Contains(o.Reason, "line 1")) {
		t.Fatalf("order with an unknown product: %s %q %v; want it imported or failed naming the line", o.Status, o.Reason, o.Warnings)
	}

	var note map[string]any
	s.wc(http.MethodPost, fmt.Sprintf("/orders/%d/notes", placedOrders[0].ID), map[string]any{"note": "Klant gebeld"}, &note)
	again := s.syncOrders()
	for _, o := range again.res.Orders {
		if o.ShopNumber == placedOrders[0].Number {
			t.Fatalf("a note brought order %s back into the listing: %+v", o.ShopNumber, o)
		}
	}
	for _, p := range placedOrders {
		if vs := again.new[p.Number]; len(vs) != 1 {
			t.Fatalf("order %s is in SnelStart %d times after the second sync", p.Number, len(vs))
		}
	}
}

// Issue 23 point 3: a store whose home URL has another host than the profile's url refuses the
// OAuth signature; `koppel check` names the home URL and the setting. A store with Plain
// permalinks is reached through ?rest_route= and its orders are imported exactly once.
func TestWooStoreConnectionErrors(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{Orders: 4, WooArgs: []string{"--site-url", "http://winkel.example"}})
	code, out, errs := r.koppel(t.Context(), "check", "winkel")
	all := out + errs
	if code == 0 || !strings.Contains(all, "home URL http://winkel.example") || !strings.Contains(all, `url = "http://winkel.example"`) || strings.Contains(all, "GET :") {
		t.Fatalf("check against a store with another home URL: exit %d\n%s", code, all)
	}

	p := newRig(t, rigOptions{Orders: 20, AllImportable: true, WooArgs: []string{"--plain-permalinks"}})
	code, out, errs = p.koppel(t.Context(), "check", "winkel")
	if code != 0 {
		t.Fatalf("check with Plain permalinks: exit %d\n%s%s", code, out, errs)
	}
	want := p.importable()
	p.syncUntilDone(3)
	p.assertExactlyOnce("", want)
}

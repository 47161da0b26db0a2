package mapping

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// The fixtures of the mapping tests: an administration's reference data, and a View over a
// few relaties and articles held in memory (no store, no plugins).

var day = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func d(s string) sdk.Money { return sdk.MustMoney(s) }
func dp(s string) *sdk.Money {
	m := d(s)
	return &m
}

func testReferenceData() sdk.ReferenceData {
	from := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	return sdk.ReferenceData{
		Company: sdk.CompanyInfo{Name: "Testadministratie", Extra: map[string]string{}},
		RevenueGroups: []sdk.RevenueGroup{
			{ID: "g-hoog", Number: 1, Description: "Omzet hoog", VATClass: sdk.VATHigh},
			{ID: "g-laag", Number: 2, Description: "Omzet laag", VATClass: sdk.VATLow},
			{ID: "g-geen", Number: 3, Description: "Omzet geen", VATClass: sdk.VATNone},
		},
		Templates:   []sdk.Template{{ID: "tpl-web", Description: "Webshop"}},
		CostCentres: []sdk.CostCentre{{ID: "kp-1", Number: 1, Description: "Webwinkel"}},
		Countries:   []sdk.Country{{ID: "land-nl", Code: "NL"}, {ID: "land-be", Code: "BE"}},
		VATRates: []sdk.VATRate{
			{Class: sdk.VATHigh, Percentage: d("21"), From: from},
			{Class: sdk.VATLow, Percentage: d("9"), From: from},
			{Class: sdk.VATNone, Percentage: d("0"), From: from},
		},
	}
}

// memView is a View over relaties and articles in memory. It counts its look-ups.
type memView struct {
	relaties  []sdk.Relatie
	articles  []sdk.Article
	mapped    map[string]MappedCustomer
	pending   map[string]PendingCustomer
	templates map[string]string
	lookups   int
}

func newMemView() *memView {
	v := &memView{mapped: map[string]MappedCustomer{}, pending: map[string]PendingCustomer{}, templates: map[string]string{}}
	for i, a := range []sdk.Article{
		{Code: "VERZEND", Description: "Verzendkosten", RevenueGroupID: "g-hoog"},
		{Code: "KORTING", Description: "Korting", RevenueGroupID: "g-hoog"},
		{Code: "VERSCHIL", Description: "Ordertotaalverschil", RevenueGroupID: "g-geen"},
		{Code: "DIVERS", Description: "Diversen", RevenueGroupID: "g-hoog"},
		{Code: "KOFFIE", Description: "Koffie 1kg (SnelStart)", RevenueGroupID: "g-laag", SalesPrice: d("10.00")},
		{Code: "MOK", Description: "Mok", RevenueGroupID: "g-hoog", SalesPrice: d("5.00")},
		{Code: "OUD", Description: "Oud", RevenueGroupID: "g-hoog", Inactive: true},
	} {
		a.ID = "art-" + strings.ToLower(a.Code) + "-" + string(rune('a'+i))
		v.articles = append(v.articles, a)
	}
	v.relaties = []sdk.Relatie{
		{ID: "rel-1001", Code: 1001, Name: "Jan Jansen", Customer: true, Email: "jan@example.nl",
			Address: sdk.LedgerAddress{Street: "Dorpsstraat 1", Postcode: "1234AB", City: "Utrecht", Country: "NL"}},
		{ID: "rel-1002", Code: 1002, Name: "Bakkerij De Korrel", Customer: true, Email: "inkoop@korrel.nl",
			Address: sdk.LedgerAddress{Street: "Molenweg 2", Postcode: "5678CD", City: "Ede", Country: "NL"}},
		{ID: "rel-1003", Code: 1003, Name: "Oud Klant", Customer: true, Inactive: true, Email: "oud@example.nl"},
	}
	return v
}

func (v *memView) MappedCustomer(_ context.Context, key string) (MappedCustomer, bool, error) {
	c, ok := v.mapped[key]
	return c, ok, nil
}

func (v *memView) PendingCustomer(_ context.Context, key string) (PendingCustomer, bool, error) {
	c, ok := v.pending[key]
	return c, ok, nil
}

func (v *memView) FindRelaties(_ context.Context, q sdk.RelatieQuery) ([]sdk.Relatie, error) {
	v.lookups++
	var out []sdk.Relatie
	for _, r := range v.relaties {
		switch {
		case q.ID != "" && r.ID != q.ID,
			q.Code != 0 && r.Code != q.Code,
			q.Email != "" && !EmailIn(q.Email, r.Email),
			q.Name != "" && !strings.EqualFold(q.Name, r.Name),
			q.Postcode != "" && NormPostcode(q.Postcode) != NormPostcode(r.Address.Postcode):
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func (v *memView) Article(_ context.Context, k ArticleKey) (*Article, bool, error) {
	v.lookups++
	var found []sdk.Article
	for _, a := range v.articles {
		if (k.ExtraField == "" && a.Code == k.Value) || (k.ExtraField != "" && a.ExtraFields[k.ExtraField] == k.Value) {
			found = append(found, a)
		}
	}
	hit, _ := PickActiveArticle(k, found)
	if hit == nil {
		return nil, false, nil
	}
	a := ArticleFrom(*hit)
	return &a, true, nil
}

func (v *memView) LastTemplate(_ context.Context, id string) (string, error) {
	v.lookups++
	return v.templates[id], nil
}

// testProfile is the profile of the mapping tests: articles add, customers add on e-mail,
// shipping, discount, fee and difference articles set.
func testProfile() *config.Profile {
	return &config.Profile{
		Name: "test", Description: "Testwinkel",
		Orders: config.Orders{
			Description: config.DescriptionOrderNumber, Addresses: config.AddressesOrder, Lines: config.LinesFull,
			ProductOptions: config.OptionsInLine, ProcessStatus: config.ProcessOrder, VATCheck: config.VATCheckFail,
			DifferenceTolerance: decimal.Zero, ShippingArticle: "VERZEND", DiscountArticle: "KORTING",
		},
		Articles: config.Articles{
			CodeField: config.CodeFieldArtikelcode, Mode: config.ModeAdd,
			RevenueGroupByVAT: map[string]string{"21": "1", "9": "2", "0": "3"},
		},
		Customers: config.Customers{Match: config.MatchEmail, Mode: config.ModeAdd},
	}
}

// ln is a product line of a test order: code, name, quantity, unit price including VAT, rate.
type ln struct{ sku, name, qty, price, rate string }

var (
	coffee = ln{"KOFFIE", "Koffie 1kg", "1", "10.90", "9"}
	mug    = ln{"MOK", "Mok", "2", "6.05", "21"}
)

// mkOrder builds a shop order with prices including VAT (incl) or excluding, and consistent
// totals.
func mkOrder(id string, incl bool, lines []ln, mods ...func(*sdk.Order)) sdk.Order {
	o := sdk.Order{
		ID: id, Number: "10" + id, Status: "processing", CreatedAt: day, ModifiedAt: day, Currency: "EUR",
		PricesIncludeTax: incl,
		Customer:         sdk.Customer{ID: "c" + id, Email: "jan@example.nl", FirstName: "Jan", LastName: "Jansen"},
		Billing: sdk.Address{FirstName: "Jan", LastName: "Jansen", Street: "Dorpsstraat 1", Postcode: "1234 AB",
			City: "Utrecht", Country: "NL", Email: "jan@example.nl"},
	}
	for _, l := range lines {
		q, p, r := d(l.qty), d(l.price), d(l.rate)
		ol := sdk.OrderLine{SKU: l.sku, Name: l.name, Quantity: q, TaxRate: r}
		if incl {
			ol.UnitPriceIncl = p
			ol.TotalIncl = q.Mul(p).Round(2)
			ol.TotalExcl = ol.TotalIncl.Mul(hundred).Div(hundred.Add(r)).Round(2)
			ol.UnitPriceExcl = ol.TotalExcl.Div(q).Round(4)
		} else {
			ol.UnitPriceExcl = p
			ol.TotalExcl = q.Mul(p).Round(2)
			ol.TotalIncl = ol.TotalExcl.Add(ol.TotalExcl.Mul(r).Div(hundred).Round(2))
			ol.UnitPriceIncl = ol.TotalIncl.Div(q).Round(4)
		}
		ol.Tax = ol.TotalIncl.Sub(ol.TotalExcl)
		o.Lines = append(o.Lines, ol)
	}
	for _, m := range mods {
		m(&o)
	}
	o.Totals = totalsOf(o)
	return o
}

func totalsOf(o sdk.Order) sdk.Totals {
	var t sdk.Totals
	add := func(c sdk.Charge, sign sdk.Money) {
		t.TotalExcl = t.TotalExcl.Add(c.TotalExcl.Mul(sign))
		t.Tax = t.Tax.Add(c.Tax.Mul(sign))
		t.Total = t.Total.Add(c.TotalIncl.Mul(sign))
	}
	for _, l := range o.Lines {
		add(sdk.Charge{TotalExcl: l.TotalExcl, Tax: l.Tax, TotalIncl: l.TotalIncl}, one)
	}
	for _, c := range append(append([]sdk.Charge{}, o.ShippingLines...), o.Fees...) {
		add(c, one)
	}
	for _, c := range o.Discounts {
		add(c, one.Neg())
	}
	return t
}

// charge is a shipping line or fee of amount including VAT at rate.
func charge(name, amount, rate string) sdk.Charge {
	a, r := d(amount), d(rate)
	excl := a.Mul(hundred).Div(hundred.Add(r)).Round(2)
	return sdk.Charge{Name: name, TotalIncl: a, TotalExcl: excl, Tax: a.Sub(excl), TaxRate: &r}
}

func asConfig(err error, target **ConfigError) bool { return errors.As(err, target) }

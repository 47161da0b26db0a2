package snelstart

import (
	"context"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// simEnv is a simulator behind httptest and a connector talking to it through the OpenAPI
// validating transport.
type simEnv struct {
	sim *simulator.Server
	srv *httptest.Server
	c   *Connector
	vt  *validatingTransport
}

// newSimEnv starts the simulator with opts (rate limit off unless set) and a connector with o.
func newSimEnv(t *testing.T, opts simulator.Options, o options, cfg func(sdk.Config) sdk.Config) *simEnv {
	t.Helper()
	if opts.RatePerMinute == 0 {
		opts.RatePerMinute = -1
	}
	sim, err := simulator.New(opts)
	if err != nil {
		t.Fatalf("simulator.New: %v", err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	vt := newValidatingTransport(t, nil)
	o.transport = vt
	if o.maxRetryWait == 0 {
		o.maxRetryWait = 5 * time.Second
	}
	conf := simConfig(srv.URL)
	if cfg != nil {
		conf = cfg(conf)
	}
	c, err := newConnector(conf, nil, o)
	if err != nil {
		t.Fatalf("newConnector: %v", err)
	}
	return &simEnv{sim: sim, srv: srv, c: c, vt: vt}
}

// simConfig is the configuration for a simulator at base with its demo keys.
func simConfig(base string) sdk.Config {
	return sdk.Config{}.
		Set("client_key", simulator.DefaultClientKey).
		Set("subscription_key", simulator.DefaultSubscriptionKey).
		Set("base_url", base+"/v2").
		Set("auth_url", base+"/b2b/token").
		Set("rate_limit", 0).
		Set("max_concurrent", 0)
}

var ctxBg = context.Background()

func TestSimCheckAndReferenceData(t *testing.T) {
	e := newSimEnv(t, simulator.Options{}, options{}, nil)
	res, err := e.c.Check(ctxBg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary != `SnelStart administration "Demo Webwinkel B.V."` {
		t.Fatalf("summary %q", res.Summary)
	}
	rd, err := e.c.ReferenceData(ctxBg)
	if err != nil {
		t.Fatal(err)
	}
	if rd.Company.Name != "Demo Webwinkel B.V." || rd.Company.Extra["regelkortingVerkooporder"] != "BerekenenOverRegelBedrag" ||
		rd.Company.Extra["verkoopprijsArtikelbestandExclusiefBtw"] != "true" {
		t.Errorf("company %+v", rd.Company)
	}
	if len(rd.RevenueGroups) != 4 || len(rd.Templates) != 2 || len(rd.CostCentres) != 2 || len(rd.Countries) != 6 || len(rd.VATRates) != 5 {
		t.Fatalf("reference data sizes: %d groups, %d templates, %d cost centres, %d countries, %d rates",
			len(rd.RevenueGroups), len(rd.Templates), len(rd.CostCentres), len(rd.Countries), len(rd.VATRates))
	}
	var hoog21 bool
	for _, r := range rd.VATRates {
		if r.Class == sdk.VATHigh && r.Percentage.Equal(sdk.MustMoney("21")) && r.Until == nil && r.From.Year() == 2012 {
			hoog21 = true
		}
	}
	if !hoog21 {
		t.Errorf("Hoog 21%% from 2012 not found in %+v", rd.VATRates)
	}
	for _, g := range rd.RevenueGroups {
		if g.ID == string(simulator.OmzetgroepLaag) && g.VATClass != sdk.VATLow {
			t.Errorf("group %+v", g)
		}
	}
	for _, c := range rd.Countries {
		if c.Code == "BE" && c.ID != string(simulator.LandBE) {
			t.Errorf("country %+v", c)
		}
	}
	if e.vt.count() < 7 {
		t.Errorf("only %d requests validated", e.vt.count())
	}
}

func TestSimFindRelaties(t *testing.T) {
	e := newSimEnv(t, simulator.Options{}, options{}, nil)
	tests := []struct {
		name string
		q    sdk.RelatieQuery
		want []string // names
	}{
		{"by code", sdk.RelatieQuery{Code: 1002}, []string{"Bakkerij Smit B.V."}},
		{"by e-mail in a ; list, other case", sdk.RelatieQuery{Email: "FACTUREN@bakkerijsmit.nl"}, []string{"Bakkerij Smit B.V."}},
		{"by e-mail, not a substring", sdk.RelatieQuery{Email: "smit.nl"}, nil},
		{"by postcode without space", sdk.RelatieQuery{Postcode: "3511ab"}, []string{"Jan de Vries"}},
		{"by Belgian postcode", sdk.RelatieQuery{Postcode: "2000"}, []string{"Familie Janssens"}},
		{"by name, other case", sdk.RelatieQuery{Name: "jan de vries"}, []string{"Jan de Vries"}},
		{"by id", sdk.RelatieQuery{ID: string(simulator.RelatieJanssens)}, []string{"Familie Janssens"}},
		{"unknown id", sdk.RelatieQuery{ID: "4e1a0000-0000-4000-8000-0000000000ff"}, nil},
		{"code and e-mail must both match", sdk.RelatieQuery{Code: 1001, Email: "info@bakkerijsmit.nl"}, nil},
		{"name with a quote", sdk.RelatieQuery{Name: "O'Brien"}, nil},
		// Several addresses in one look-up (an OData `or` of the e-mail searches): the relaties
		// an Email search of each would find, a supplier included (the host checks Customer).
		{"several e-mails", sdk.RelatieQuery{Emails: []string{"FACTUREN@bakkerijsmit.nl", "nobody@example.nl", "smit.nl",
			"Jan.DeVries@example.nl ", "verkoop@groothandelnoord.nl", "o'brien@example.nl", "info@bakkerijsmit.nl"}},
			[]string{"Jan de Vries", "Bakkerij Smit B.V.", "Groothandel Noord B.V."}},
		{"several e-mails, none known", sdk.RelatieQuery{Emails: []string{"nobody@example.nl", "devries@example.nl"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.c.FindRelaties(ctxBg, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range got {
				names = append(names, r.Name)
			}
			if strings.Join(names, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("got %q, want %q", names, tt.want)
			}
		})
	}
	got, _ := e.c.FindRelaties(ctxBg, sdk.RelatieQuery{Code: 1002})
	r := got[0]
	if !r.Customer || r.Address.Country != "NL" || r.Address.Contact != "P. Smit" || !r.EmailInvoices ||
		r.InvoiceEmail != "facturen@bakkerijsmit.nl" || r.PaymentTermDays == nil || *r.PaymentTermDays != 30 {
		t.Fatalf("relatie not mapped: %+v", r)
	}
	sup, _ := e.c.FindRelaties(ctxBg, sdk.RelatieQuery{Code: 2001})
	if len(sup) != 1 || sup[0].Customer {
		t.Fatalf("a supplier must be reported as not a customer: %+v", sup)
	}
}

func TestSimCreateAndUpdateRelatie(t *testing.T) {
	e := newSimEnv(t, simulator.Options{}, options{}, nil)
	term := 14
	created, err := e.c.CreateRelatie(ctxBg, sdk.Relatie{
		Name: "Café O'Brien", Email: "kees@obrien.nl;boekhouding@obrien.nl", Phone: "020-1234567",
		Address:         sdk.LedgerAddress{Street: "Leidseplein 1", Postcode: "1017 PT", City: "Amsterdam", Country: "NL"},
		PostalAddress:   sdk.LedgerAddress{Street: "Postbus 12", Postcode: "2000", City: "Antwerpen", Country: "BE"},
		PaymentTermDays: &term, EmailInvoices: true, InvoiceEmail: "boekhouding@obrien.nl", Customer: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !validGUID(created.ID) || created.Code == 0 || !created.Customer || created.PostalAddress.Country != "BE" || !created.EmailInvoices {
		t.Fatalf("created %+v", created)
	}
	found, err := e.c.FindRelaties(ctxBg, sdk.RelatieQuery{Email: "BOEKHOUDING@obrien.nl"})
	if err != nil || len(found) != 1 || found[0].ID != created.ID {
		t.Fatalf("find by second address: %v %+v", err, found)
	}
	found, err = e.c.FindRelaties(ctxBg, sdk.RelatieQuery{Name: "café o'brien"})
	if err != nil || len(found) != 1 {
		t.Fatalf("find by name with quote: %v %+v", err, found)
	}

	upd := found[0]
	upd.Name = "Café O'Brien & Zn"
	upd.Address.Postcode = "1017PT"
	upd.Mobile = "06-11112222"
	got, err := e.c.UpdateRelatie(ctxBg, upd)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != upd.Name || got.Mobile != "06-11112222" || got.Code != created.Code || got.PostalAddress.Country != "BE" || !got.EmailInvoices {
		t.Fatalf("updated %+v", got)
	}
	// Fields the connector does not manage survive the full replace.
	dump := e.sim.Dump()
	for _, r := range dump.Relaties {
		if string(r.ID) == string(simulator.RelatieBakkerijSmit) {
			smit, _ := e.c.FindRelaties(ctxBg, sdk.RelatieQuery{ID: string(r.ID)})
			smit[0].Phone = "050-5555555"
			if _, err := e.c.UpdateRelatie(ctxBg, smit[0]); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, r := range e.sim.Dump().Relaties {
		if r.ID == simulator.RelatieBakkerijSmit && (r.KvkNummer != "87654321" || r.Telefoon != "050-5555555" || !r.Factuurkorting.Equal(sdk.MustMoney("2"))) {
			t.Fatalf("full replace lost fields: %+v", r)
		}
	}
	_, err = e.c.UpdateRelatie(ctxBg, sdk.Relatie{ID: "4e1a0000-0000-4000-8000-0000000000ff", Name: "x"})
	wantKind(t, err, sdk.KindNotFound)

	_, err = e.c.CreateRelatie(ctxBg, sdk.Relatie{Name: "Te lang", Address: sdk.LedgerAddress{Street: "A 1", Postcode: strings.Repeat("9", 26), City: "B", Country: "NL"}})
	se := wantKind(t, err, sdk.KindPermanent)
	if se.Code != "REL-0021" || !strings.Contains(se.Message, "postcode longer than 25 characters on the business address") {
		t.Fatalf("error %v", se)
	}
	_, err = e.c.CreateRelatie(ctxBg, sdk.Relatie{Name: "Nergens", Address: sdk.LedgerAddress{Street: "A 1", Postcode: "1", City: "B", Country: "XX"}})
	if se := wantKind(t, err, sdk.KindPermanent); !strings.Contains(se.Message, "XX") {
		t.Fatalf("unknown country: %v", se)
	}
}

func TestSimArticles(t *testing.T) {
	e := newSimEnv(t, simulator.Options{}, options{}, nil)
	got, err := e.c.FindArticles(ctxBg, sdk.ArticleQuery{Code: "SET-01"})
	if err != nil || len(got) != 1 {
		t.Fatalf("by code: %v %+v", err, got)
	}
	set := got[0]
	if !set.Composite || len(set.Components) != 2 || set.Components[0].Code != "SHIRT-01" || set.RevenueGroupID != string(simulator.OmzetgroepHoog) {
		t.Fatalf("composite %+v", set)
	}
	got, err = e.c.FindArticles(ctxBg, sdk.ArticleQuery{ExtraField: "kleur", ExtraValue: "rood"})
	if err != nil || len(got) != 1 || got[0].Code != "SHIRT-01" || !got[0].FreeStock.Equal(sdk.MustMoney("35")) || !got[0].SalesPrice.Equal(sdk.MustMoney("20.62")) {
		t.Fatalf("by extra field: %v %+v", err, got)
	}
	got, err = e.c.FindArticles(ctxBg, sdk.ArticleQuery{ID: string(simulator.ArtikelMok)})
	if err != nil || len(got) != 1 || !got[0].FreeStock.Equal(sdk.MustMoney("-2")) {
		t.Fatalf("by id: %v %+v", err, got)
	}
	if got, err := e.c.FindArticles(ctxBg, sdk.ArticleQuery{Code: "GEEN-ARTIKEL"}); err != nil || len(got) != 0 {
		t.Fatalf("unknown code: %v %+v", err, got)
	}
	// Several codes in one look-up (an OData `or` filter); unknown codes are simply absent.
	got, err = e.c.FindArticles(ctxBg, sdk.ArticleQuery{Codes: []string{"SHIRT-01", "GEEN-ARTIKEL", "SET-01", "SHIRT-01"}})
	if err != nil || len(got) != 2 {
		t.Fatalf("by codes: %v %+v", err, got)
	}
	if codes := []string{got[0].Code, got[1].Code}; !slices.Contains(codes, "SHIRT-01") || !slices.Contains(codes, "SET-01") {
		t.Fatalf("by codes: %+v", got)
	}

	created, err := e.c.CreateArticle(ctxBg, sdk.Article{Code: "THEE-01", Description: "Thee 'Earl Grey'", RevenueGroupID: string(simulator.OmzetgroepLaag),
		SalesPrice: sdk.MustMoney("3.1234"), Unit: "doos", StockTracked: true, ExtraFields: map[string]string{"ean": "8712345678906"}})
	if err != nil {
		t.Fatal(err)
	}
	// The administration keeps 2 decimals (aantalDecimalenArtikelprijzen): 3.1234 goes as 3.12.
	if !validGUID(created.ID) || !created.SalesPrice.Equal(sdk.MustMoney("3.12")) {
		t.Fatalf("created %+v", created)
	}
	created.Description = "Thee Earl Grey 20 zakjes"
	created.SalesPrice = sdk.MustMoney("3.25")
	upd, err := e.c.UpdateArticle(ctxBg, created)
	if err != nil {
		t.Fatal(err)
	}
	if upd.Description != "Thee Earl Grey 20 zakjes" || !upd.SalesPrice.Equal(sdk.MustMoney("3.25")) || upd.RevenueGroupID != string(simulator.OmzetgroepLaag) {
		t.Fatalf("updated %+v", upd)
	}
	_, err = e.c.CreateArticle(ctxBg, sdk.Article{Code: "SHIRT-01", Description: "dubbel", RevenueGroupID: string(simulator.OmzetgroepHoog)})
	if se := wantKind(t, err, sdk.KindPermanent); se.Code != "ART-0005" || !strings.Contains(se.Message, "already exists") {
		t.Fatalf("duplicate: %v", se)
	}
	_, err = e.c.UpdateArticle(ctxBg, sdk.Article{ID: "a2710000-0000-4000-8000-0000000000ff", Code: "X", Description: "x"})
	wantKind(t, err, sdk.KindNotFound)

	n := 0
	if err := e.c.ListStock(ctxBg, func(a sdk.Article) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 11 {
		t.Fatalf("ListStock yielded %d articles, want 11", n)
	}
}

// orderFor builds a small order for Jan de Vries.
func orderFor(ref string) sdk.SalesOrder {
	price := sdk.MustMoney("24.95")
	ship := sdk.MustMoney("4.95")
	return sdk.SalesOrder{
		CustomerID: string(simulator.RelatieJanDeVries), Date: time.Date(2026, 5, 4, 14, 30, 0, 0, time.UTC),
		Description: "Webshop order " + ref, PaymentReference: ref, OrderReference: ref, PricesIncludeVAT: true,
		TemplateID: string(simulator.SjabloonWebshop), CostCentreID: string(simulator.KostenplaatsWebshop),
		DeliveryAddress: &sdk.LedgerAddress{Contact: "Jan de Vries", Street: "Dorpsstraat 12", Postcode: "3511 AB", City: "Utrecht", Country: "NL"},
		Lines: []sdk.SalesOrderLine{
			{ArticleID: string(simulator.ArtikelShirt), Description: "T-shirt rood", Quantity: sdk.MustMoney("2"), UnitPrice: &price},
			{ArticleID: string(simulator.ArtikelVerzendkosten), Description: "Verzending PostNL", Quantity: sdk.MustMoney("1"), UnitPrice: &ship},
		},
	}
}

func TestSimSalesOrders(t *testing.T) {
	for _, mode := range []string{LookupAuto, LookupFilter, LookupScan} {
		t.Run(mode, func(t *testing.T) {
			e := newSimEnv(t, simulator.Options{}, options{}, func(c sdk.Config) sdk.Config { return c.Set("order_lookup", mode) })
			first, err := e.c.CreateSalesOrder(ctxBg, orderFor("WS-1001"))
			if err != nil {
				t.Fatal(err)
			}
			if !validGUID(first.ID) || first.Number == 0 || first.TotalIncl.String() != "54.85" || first.DeliveryAddress == nil || first.DeliveryAddress.Country != "NL" {
				t.Fatalf("created %+v", first)
			}
			if len(first.Lines) != 2 || first.Lines[0].Total.IsZero() {
				t.Fatalf("lines %+v", first.Lines)
			}
			second, err := e.c.CreateSalesOrder(ctxBg, orderFor("WS-1002"))
			if err != nil {
				t.Fatal(err)
			}
			other := orderFor("WS-1003")
			other.CustomerID = string(simulator.RelatieBakkerijSmit)
			if _, err := e.c.CreateSalesOrder(ctxBg, other); err != nil {
				t.Fatal(err)
			}

			got, err := e.c.FindSalesOrders(ctxBg, sdk.SalesOrderQuery{Reference: "WS-1001"})
			if err != nil || len(got) != 1 || got[0].ID != first.ID || got[0].Number != first.Number {
				t.Fatalf("by reference: %v %+v", err, got)
			}
			got, err = e.c.FindSalesOrders(ctxBg, sdk.SalesOrderQuery{CustomerID: string(simulator.RelatieJanDeVries), Limit: 1})
			if err != nil || len(got) != 1 || got[0].ID != second.ID {
				t.Fatalf("most recent for customer: %v %+v", err, got)
			}
			got, err = e.c.FindSalesOrders(ctxBg, sdk.SalesOrderQuery{CustomerID: string(simulator.RelatieJanDeVries)})
			if err != nil || len(got) != 2 || got[0].ID != second.ID || got[1].ID != first.ID {
				t.Fatalf("customer's orders, most recent first: %v %+v", err, got)
			}
			got, err = e.c.FindSalesOrders(ctxBg, sdk.SalesOrderQuery{Reference: "WS-9999"})
			if err != nil || len(got) != 0 {
				t.Fatalf("unknown reference: %v %+v", err, got)
			}
			got, err = e.c.FindSalesOrders(ctxBg, sdk.SalesOrderQuery{Reference: "WS-1001", CustomerID: string(simulator.RelatieBakkerijSmit)})
			if err != nil || len(got) != 0 {
				t.Fatalf("reference of another customer: %v %+v", err, got)
			}
		})
	}
}

func TestSimSalesOrderErrors(t *testing.T) {
	e := newSimEnv(t, simulator.Options{}, options{}, nil)
	o := orderFor("WS-2001")
	o.DeliveryAddress.Postcode = strings.Repeat("1", 26)
	_, err := e.c.CreateSalesOrder(ctxBg, o)
	se := wantKind(t, err, sdk.KindPermanent)
	if se.Code != "VOR-0007" || !strings.Contains(se.Message, "postcode longer than 25 characters on the delivery address") {
		t.Fatalf("long postcode: %v", se)
	}
	o = orderFor("WS-2002")
	o.CustomerID = string(simulator.RelatieGroothandel)
	_, err = e.c.CreateSalesOrder(ctxBg, o)
	if se := wantKind(t, err, sdk.KindPermanent); se.Code != "VOR-0002" || !strings.Contains(se.Message, "not a customer") {
		t.Fatalf("supplier: %v", se)
	}
	o = orderFor(strings.Repeat("R", 51))
	_, err = e.c.CreateSalesOrder(ctxBg, o)
	if se := wantKind(t, err, sdk.KindPermanent); se.Code != "VOR-0011" {
		t.Fatalf("long reference: %v", se)
	}
	if n := e.sim.Stats().Creates["verkooporders"]; n != 0 {
		t.Fatalf("%d orders created by refused requests", n)
	}
}

func TestSimLostCreateThenFoundByReference(t *testing.T) {
	e := newSimEnv(t, simulator.Options{}, options{}, nil)
	if _, err := e.c.Check(ctxBg); err != nil { // token and landen first, so only the create is lost
		t.Fatal(err)
	}
	if err := e.sim.SetFaults(simulator.Faults{LoseCreateResponseRate: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := e.c.CreateSalesOrder(ctxBg, orderFor("WS-3001"))
	se := wantKind(t, err, sdk.KindOutcomeUnknown)
	if !strings.Contains(se.Message, "look it up") {
		t.Fatalf("message %q", se.Message)
	}
	if err := e.sim.SetFaults(simulator.Faults{}); err != nil {
		t.Fatal(err)
	}
	st := e.sim.Stats()
	if st.Creates["verkooporders"] != 1 || st.LostResponses != 1 {
		t.Fatalf("stats %+v: the POST must have been sent once and not repeated", st)
	}
	got, err := e.c.FindSalesOrders(ctxBg, sdk.SalesOrderQuery{Reference: "WS-3001"})
	if err != nil || len(got) != 1 || got[0].PaymentReference != "WS-3001" {
		t.Fatalf("look-up after a lost create: %v %+v", err, got)
	}
}

func TestSimTokenExpiredIsRenewed(t *testing.T) {
	e := newSimEnv(t, simulator.Options{}, options{}, nil)
	if _, err := e.c.Check(ctxBg); err != nil {
		t.Fatal(err)
	}
	e.sim.ExpireTokens()
	if _, err := e.c.Check(ctxBg); err != nil {
		t.Fatalf("after the server dropped the token: %v", err)
	}
	if n := e.sim.Stats().TokensIssued; n != 2 {
		t.Fatalf("tokens issued %d, want 2", n)
	}
}

func TestSimTokenRenewedBeforeExpiry(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)}
	e := newSimEnv(t, simulator.Options{Clock: clock.now}, options{now: clock.now}, nil)
	if _, err := e.c.Check(ctxBg); err != nil {
		t.Fatal(err)
	}
	clock.add(simulator.DefaultTokenTTL - 30*time.Second) // 30 s left on the token
	before := e.sim.Stats().Requests
	if _, err := e.c.Check(ctxBg); err != nil {
		t.Fatal(err)
	}
	st := e.sim.Stats()
	if st.TokensIssued != 2 || st.Requests-before != 1 {
		t.Fatalf("want a proactive renewal and one API call, got %d tokens and %d calls", st.TokensIssued, st.Requests-before)
	}
}

func TestSimMissingScopeIsAuth(t *testing.T) {
	e := newSimEnv(t, simulator.Options{Scopes: []string{"settings:read", "relaties:read", "orders:read", "artikelen:read"}}, options{}, nil)
	_, err := e.c.CreateSalesOrder(ctxBg, orderFor("WS-4001"))
	se := wantKind(t, err, sdk.KindAuth)
	if !strings.Contains(se.Message, "orders:write") {
		t.Fatalf("message %q does not name the scope", se.Message)
	}
}

func TestSimBadKeys(t *testing.T) {
	e := newSimEnv(t, simulator.Options{}, options{}, func(c sdk.Config) sdk.Config {
		return c.Set("subscription_key", "not-the-key-0000")
	})
	_, err := e.c.Check(ctxBg)
	if se := wantKind(t, err, sdk.KindAuth); !strings.Contains(se.Message, "subscription key") || strings.Contains(se.Message, "not-the-key-0000") {
		t.Fatalf("bad subscription key: %v", se)
	}
	e = newSimEnv(t, simulator.Options{}, options{}, func(c sdk.Config) sdk.Config {
		return c.Set("client_key", "d3Jvbmc6a2V5")
	})
	_, err = e.c.Check(ctxBg)
	if se := wantKind(t, err, sdk.KindAuth); strings.Contains(se.Error(), "d3Jvbmc6a2V5") {
		t.Fatalf("bad client key: %v", se)
	}
}

// TestSimRateLimit429 fills the simulator's window, so the next call gets 429 with a
// Retry-After of about a second; the connector waits and succeeds.
func TestSimRateLimit429(t *testing.T) {
	var mu sync.Mutex
	offset := time.Duration(0)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return time.Now().Add(offset)
	}
	e := newSimEnv(t, simulator.Options{Clock: clock, RatePerMinute: 2}, options{}, nil)
	if _, err := e.c.Check(ctxBg); err != nil { // call 1
		t.Fatal(err)
	}
	if _, err := e.c.Check(ctxBg); err != nil { // call 2: the window is full
		t.Fatal(err)
	}
	mu.Lock()
	offset = 59 * time.Second // the first call leaves the window in about a second
	mu.Unlock()
	start := time.Now()
	res, err := e.c.Check(ctxBg)
	if err != nil {
		t.Fatalf("want the connector to wait out the 429, got %v", err)
	}
	if res.Summary == "" || e.sim.Stats().RateLimited < 1 {
		t.Fatalf("no 429 happened (stats %+v)", e.sim.Stats())
	}
	if waited := time.Since(start); waited < 500*time.Millisecond {
		t.Fatalf("the connector did not honour Retry-After (waited %s)", waited)
	}
}

func TestSimServerErrorsRetried(t *testing.T) {
	// A fixed source: which requests fail is the same in every run.
	e := newSimEnv(t, simulator.Options{Rand: rand.NewPCG(0x5e1e, 0x57a7)}, options{maxAttempts: 8, maxRetryWait: 20 * time.Millisecond}, nil)
	if _, err := e.c.Check(ctxBg); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.SetFaults(simulator.Faults{ErrorRate: 0.4}); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := e.c.ListStock(ctxBg, func(sdk.Article) error { n++; return nil }); err != nil {
		t.Fatalf("GETs must be retried through 5xx: %v", err)
	}
	for i := 0; i < 5; i++ {
		if _, err := e.c.FindRelaties(ctxBg, sdk.RelatieQuery{Code: 1001}); err != nil {
			t.Fatalf("GETs must be retried through 5xx: %v", err)
		}
	}
	if n != 10 || e.sim.Stats().InjectedErrors == 0 {
		t.Fatalf("%d articles, stats %+v", n, e.sim.Stats())
	}
}

// TestSimErrorShapes sends requests the connector would never build (so without the OpenAPI
// check) to get each 400 shape from the simulator, and checks how the connector reports them.
func TestSimErrorShapes(t *testing.T) {
	sim, err := simulator.New(simulator.Options{RatePerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	c, err := newConnector(simConfig(srv.URL), nil, options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		call     call
		kind     sdk.ErrorKind
		code     string
		contains string
	}{
		{"coded array", call{method: "GET", path: "/relaties", query: pageQuery("Naam eq 3 and", 10, 0), what: "customers"},
			sdk.KindPermanent, "ALG-0104", "did not accept the search filter"},
		{"model state", call{method: "POST", path: "/verkooporders", body: map[string]any{"relatie": map[string]any{"id": string(simulator.RelatieJanDeVries)}, "datum": "2026-05-04T10:00:00", "regels": "geen lijst"}, what: "the sales order"},
			sdk.KindPermanent, "http_400", "regels"},
		{"message", call{method: "GET", path: "/verkooporders/" + "4e1a0000-0000-4000-8000-0000000000ff", what: "sales order x"},
			sdk.KindNotFound, "http_404", "was not found"},
		{"invalid id", call{method: "GET", path: "/relaties/niet-een-id", what: "customer x"},
			sdk.KindPermanent, "ALG-0103", "id sent to SnelStart is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.api.do(ctxBg, tt.call, nil)
			se := wantKind(t, err, tt.kind)
			if se.Code != tt.code || !strings.Contains(se.Message, tt.contains) {
				t.Fatalf("got %s %q, want %s containing %q", se.Code, se.Message, tt.code, tt.contains)
			}
		})
	}
}

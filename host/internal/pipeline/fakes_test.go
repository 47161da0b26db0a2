package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// ---------------------------------------------------------------------------------------------
// fakeLedger: an in-memory SnelStart administration. It behaves like SnelStart where the
// pipeline depends on it: it validates what SnelStart validates (lengths, unknown articles,
// relatie that is not a klant, partial addresses, unknown land, template, cost centre), fills an
// empty line description from the article, prices a line without price from the article, and
// computes line and order totals from the lines and the VAT class of each article's omzetgroep
// (reference/snelstart-totals.md 1.7, with VAT rounding per rate or per line as a switch).
// ---------------------------------------------------------------------------------------------

type fakeLedger struct {
	mu        sync.Mutex
	relaties  []sdk.Relatie
	articles  []sdk.Article
	orders    []sdk.SalesOrder
	ref       sdk.ReferenceData
	nextRel   int
	nextArt   int
	nextOrder int
	// vatPerLine rounds VAT per line instead of per rate; unitRounded rounds unit prices to
	// cents first (regelkortingVerkooporder = BerekenenOverStukprijs).
	vatPerLine  bool
	unitRounded bool
	// createHook, when set, is called before an order is stored: commit=false drops it; a
	// non-nil error is returned (after storing it when commit is true).
	createHook func(n int, so sdk.SalesOrder) (commit bool, err error)
	creates    int
	// relHook and artHook, when set, are called before a relatie or article is stored (n
	// counts the creates that passed validation): commit=false drops it; a non-nil error is
	// returned (after storing it when commit is true), e.g. "commit, then lose the answer".
	relHook    func(n int, r sdk.Relatie) (commit bool, err error)
	artHook    func(n int, a sdk.Article) (commit bool, err error)
	relCreates int
	artCreates int
	// lag hides each relatie and article created from the next lag look-ups that would return
	// it (a ledger whose reads trail its writes); hidden counts what is left per id.
	lag    int
	hidden map[string]int
	// anyCode switches off the artikelcode uniqueness check (ART-0005), as a ledger that does
	// not enforce it.
	anyCode bool
	// failFind, when set, fails FindSalesOrders.
	failFind error
	// finds records every FindSalesOrders query.
	finds []sdk.SalesOrderQuery
	// invoices are the sales invoice bookings (verkoopboekingen, orders.book_as = "invoice");
	// closedThrough, when set (a UTC midnight), closes the periods up to and including that
	// day (BOE-0042).
	invoices      []sdk.SalesInvoice
	nextInvoice   int
	closedThrough time.Time
}

var (
	_ sdk.Ledger        = (*fakeLedger)(nil)
	_ sdk.InvoiceLedger = (*fakeLedger)(nil)
)

func d(s string) sdk.Money { return sdk.MustMoney(s) }
func dp(s string) *sdk.Money {
	m := d(s)
	return &m
}

func newFakeLedger() *fakeLedger {
	from := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &fakeLedger{nextRel: 1000, nextArt: 1, nextOrder: 5001, nextInvoice: 1}
	l.ref = sdk.ReferenceData{
		Company: sdk.CompanyInfo{Name: "Testadministratie", Extra: map[string]string{}},
		RevenueGroups: []sdk.RevenueGroup{
			{ID: "g-hoog", Number: 1, Description: "Omzet hoog", VATClass: sdk.VATHigh, LedgerAccountID: "gb-8000"},
			{ID: "g-laag", Number: 2, Description: "Omzet laag", VATClass: sdk.VATLow, LedgerAccountID: "gb-8010"},
			{ID: "g-geen", Number: 3, Description: "Omzet geen", VATClass: sdk.VATNone, LedgerAccountID: "gb-8020"},
		},
		LedgerAccounts: []sdk.LedgerAccount{
			{ID: "gb-1300", Number: 1300, Description: "Debiteuren"},
			{ID: "gb-8000", Number: 8000, Description: "Omzet hoog", Function: "VerkopenOmzetHoog", ProfitAndLoss: true},
			{ID: "gb-8010", Number: 8010, Description: "Omzet laag", Function: "VerkopenOmzetLaag", ProfitAndLoss: true},
			{ID: "gb-8020", Number: 8020, Description: "Omzet geen", ProfitAndLoss: true},
		},
		Templates:   []sdk.Template{{ID: "tpl-web", Description: "Webshop"}, {ID: "tpl-en", Description: "English"}},
		CostCentres: []sdk.CostCentre{{ID: "kp-1", Number: 1, Description: "Webwinkel"}},
		Countries:   []sdk.Country{{ID: "land-nl", Code: "NL"}, {ID: "land-be", Code: "BE"}, {ID: "land-de", Code: "DE"}},
		VATRates: []sdk.VATRate{
			{Class: sdk.VATHigh, Percentage: d("21"), From: from},
			{Class: sdk.VATLow, Percentage: d("9"), From: from},
			{Class: sdk.VATNone, Percentage: d("0"), From: from},
		},
	}
	for _, a := range []sdk.Article{
		{Code: "VERZEND", Description: "Verzendkosten", RevenueGroupID: "g-hoog"},
		{Code: "KORTING", Description: "Korting", RevenueGroupID: "g-hoog"},
		{Code: "BETAALKOSTEN", Description: "Betaalkosten", RevenueGroupID: "g-hoog"},
		{Code: "VERSCHIL", Description: "Ordertotaalverschil", RevenueGroupID: "g-geen"},
		{Code: "DIVERS", Description: "Diversen", RevenueGroupID: "g-hoog"},
		{Code: "KOFFIE", Description: "Koffie 1kg (SnelStart)", RevenueGroupID: "g-laag", SalesPrice: d("10.00")},
		{Code: "MOK", Description: "Mok", RevenueGroupID: "g-hoog", SalesPrice: d("5.00")},
		{Code: "BOEK", Description: "Boek", RevenueGroupID: "g-laag", SalesPrice: d("20.00")},
		{Code: "THEE", Description: "Thee", RevenueGroupID: "g-laag", SalesPrice: d("4.00")},
	} {
		l.addArticle(a)
	}
	koffie, thee := l.article("KOFFIE"), l.article("THEE")
	l.addArticle(sdk.Article{Code: "PAKKET", Description: "Theepakket", RevenueGroupID: "g-laag", Composite: true,
		Components: []sdk.Component{{ArticleID: koffie.ID, Code: "KOFFIE", Quantity: d("2")}, {Code: thee.Code, Quantity: d("1")}}})
	return l
}

func (l *fakeLedger) addArticle(a sdk.Article) sdk.Article {
	a.ID = fmt.Sprintf("art-%d", l.nextArt)
	l.nextArt++
	l.articles = append(l.articles, a)
	return a
}

func (l *fakeLedger) addRelatie(r sdk.Relatie) sdk.Relatie {
	if r.Code == 0 {
		r.Code = l.nextRel
		l.nextRel++
	}
	r.ID = fmt.Sprintf("rel-%d", r.Code)
	r.Customer = true
	l.relaties = append(l.relaties, r)
	return r
}

func (l *fakeLedger) article(code string) sdk.Article {
	for _, a := range l.articles {
		if a.Code == code {
			return a
		}
	}
	return sdk.Article{}
}

func (l *fakeLedger) articleByID(id string) (sdk.Article, bool) {
	for _, a := range l.articles {
		if a.ID == id {
			return a, true
		}
	}
	return sdk.Article{}, false
}

func refused(code, format string, args ...any) error {
	return &sdk.Error{Kind: sdk.KindPermanent, Code: code, Message: fmt.Sprintf(format, args...)}
}

func (l *fakeLedger) Check(context.Context) (sdk.CheckResult, error) {
	return sdk.CheckResult{Summary: l.ref.Company.Name}, nil
}

func (l *fakeLedger) FindRelaties(_ context.Context, q sdk.RelatieQuery) ([]sdk.Relatie, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []sdk.Relatie
	for _, r := range l.relaties {
		if (q.ID != "" && r.ID != q.ID) || (q.Code != 0 && r.Code != q.Code) ||
			(q.Email != "" && !mapping.EmailIn(q.Email, r.Email)) ||
			(q.Postcode != "" && mapping.NormPostcode(r.Address.Postcode) != mapping.NormPostcode(q.Postcode)) ||
			(q.Name != "" && !strings.EqualFold(r.Name, q.Name)) ||
			(len(q.Emails) > 0 && !slices.ContainsFunc(q.Emails, func(e string) bool { return mapping.EmailIn(e, r.Email) })) {
			continue
		}
		if l.stillHidden(r.ID) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func (l *fakeLedger) validateAddress(a sdk.LedgerAddress, what string) error {
	if a == (sdk.LedgerAddress{}) {
		return nil
	}
	if len([]rune(a.Street)) > 50 || len([]rune(a.Contact)) > 50 || len([]rune(a.City)) > 50 || len([]rune(a.Postcode)) > 25 {
		return refused("VOR-0006", "%s: a field is too long", what)
	}
	if a.Street == "" || a.Postcode == "" || a.City == "" || a.Country == "" {
		return refused("REL-0060", "%s: street, postcode, city and land are required", what)
	}
	for _, c := range l.ref.Countries {
		if c.Code == a.Country {
			return nil
		}
	}
	return refused("VOR-0010", "%s: land %q not found", what, a.Country)
}

func (l *fakeLedger) validateRelatie(r sdk.Relatie) error {
	if r.Name == "" || len([]rune(r.Name)) > 50 {
		return refused("REL-0007", "naam is verplicht en maximaal 50 tekens")
	}
	if err := l.validateAddress(r.Address, "vestigingsAdres"); err != nil {
		return err
	}
	if len([]rune(r.Phone)) > 25 {
		return refused("REL-0024", "telefoon te lang")
	}
	if r.VATNumber != "" && (r.Address.Country == "" || !strings.HasPrefix(r.VATNumber, r.Address.Country)) {
		return refused("REL-0088", "btwNummer hoort niet bij het land")
	}
	if (r.EmailInvoices || r.EmailReminders) && r.InvoiceEmail == "" {
		return refused("REL-0029", "e-mailadres verplicht bij factuur e-mailen")
	}
	return nil
}

func (l *fakeLedger) CreateRelatie(_ context.Context, r sdk.Relatie) (sdk.Relatie, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r.ID != "" {
		return sdk.Relatie{}, refused("ALG-0100", "id moet leeg zijn")
	}
	if err := l.validateRelatie(r); err != nil {
		return sdk.Relatie{}, err
	}
	l.relCreates++
	commit, herr := true, error(nil)
	if l.relHook != nil {
		commit, herr = l.relHook(l.relCreates, r)
	}
	if commit {
		r = l.addRelatie(r)
		l.hide(r.ID)
	}
	if herr != nil {
		return sdk.Relatie{}, herr
	}
	return r, nil
}

// hide makes a new object invisible to the next l.lag look-ups that would return it.
func (l *fakeLedger) hide(id string) {
	if l.lag > 0 {
		if l.hidden == nil {
			l.hidden = map[string]int{}
		}
		l.hidden[id] = l.lag
	}
}

// stillHidden reports (and counts down) whether a look-up must leave id out.
func (l *fakeLedger) stillHidden(id string) bool {
	if l.hidden[id] > 0 {
		l.hidden[id]--
		return true
	}
	return false
}

// relatiesWith returns the relaties with the given name.
func (l *fakeLedger) relatiesWith(name string) []sdk.Relatie {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []sdk.Relatie
	for _, r := range l.relaties {
		if r.Name == name {
			out = append(out, r)
		}
	}
	return out
}

// articlesWith returns the articles with the given code.
func (l *fakeLedger) articlesWith(code string) []sdk.Article {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []sdk.Article
	for _, a := range l.articles {
		if a.Code == code {
			out = append(out, a)
		}
	}
	return out
}

func (l *fakeLedger) UpdateRelatie(_ context.Context, r sdk.Relatie) (sdk.Relatie, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.validateRelatie(r); err != nil {
		return sdk.Relatie{}, err
	}
	for i := range l.relaties {
		if l.relaties[i].ID == r.ID {
			l.relaties[i] = r
			return r, nil
		}
	}
	return sdk.Relatie{}, &sdk.Error{Kind: sdk.KindNotFound, Message: "relatie niet gevonden"}
}

func (l *fakeLedger) FindArticles(_ context.Context, q sdk.ArticleQuery) ([]sdk.Article, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []sdk.Article
	for _, a := range l.articles {
		switch {
		case q.ID != "" && a.ID == q.ID, q.Code != "" && a.Code == q.Code,
			q.ExtraField != "" && a.ExtraFields[q.ExtraField] == q.ExtraValue, slices.Contains(q.Codes, a.Code):
			if !l.stillHidden(a.ID) {
				out = append(out, a)
			}
		}
	}
	return out, nil
}

func (l *fakeLedger) CreateArticle(_ context.Context, a sdk.Article) (sdk.Article, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if a.Code == "" || a.Description == "" {
		return sdk.Article{}, refused("ART-0002", "artikelcode en omschrijving zijn verplicht")
	}
	if !l.anyCode && l.article(a.Code).ID != "" {
		return sdk.Article{}, refused("ART-0005", "artikelcode %s bestaat al", a.Code)
	}
	if !slices.ContainsFunc(l.ref.RevenueGroups, func(g sdk.RevenueGroup) bool { return g.ID == a.RevenueGroupID }) {
		return sdk.Article{}, refused("ART-0010", "artikelomzetgroep is verplicht")
	}
	l.artCreates++
	commit, herr := true, error(nil)
	if l.artHook != nil {
		commit, herr = l.artHook(l.artCreates, a)
	}
	if commit {
		a = l.addArticle(a)
		l.hide(a.ID)
	}
	if herr != nil {
		return sdk.Article{}, herr
	}
	return a, nil
}

func (l *fakeLedger) UpdateArticle(_ context.Context, a sdk.Article) (sdk.Article, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range l.articles {
		if l.articles[i].ID == a.ID {
			l.articles[i] = a
			return a, nil
		}
	}
	return sdk.Article{}, &sdk.Error{Kind: sdk.KindNotFound, Message: "artikel niet gevonden"}
}

func (l *fakeLedger) ListStock(_ context.Context, yield func(sdk.Article) error) error {
	l.mu.Lock()
	arts := slices.Clone(l.articles)
	l.mu.Unlock()
	for _, a := range arts {
		if err := yield(a); err != nil {
			return err
		}
	}
	return nil
}

func (l *fakeLedger) ReferenceData(context.Context) (sdk.ReferenceData, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ref, nil
}

// pctOf is the VAT percentage of an article on a date.
func (l *fakeLedger) pctOf(a sdk.Article, date time.Time) sdk.Money {
	for _, g := range l.ref.RevenueGroups {
		if g.ID == a.RevenueGroupID {
			p, _ := mapping.RateOn(l.ref.VATRates, g.VATClass, date)
			return p
		}
	}
	return decimal.Zero
}

func (l *fakeLedger) CreateSalesOrder(_ context.Context, so sdk.SalesOrder) (sdk.SalesOrder, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.creates++
	if so.ID != "" || so.Number != 0 {
		return sdk.SalesOrder{}, refused("VOR-0005", "nummer moet leeg zijn")
	}
	var cust *sdk.Relatie
	for i := range l.relaties {
		if l.relaties[i].ID == so.CustomerID {
			cust = &l.relaties[i]
		}
	}
	if cust == nil || !cust.Customer {
		return sdk.SalesOrder{}, refused("VOR-0002", "relatie is geen klant")
	}
	if len([]rune(so.OrderReference)) > 50 {
		return sdk.SalesOrder{}, refused("VOR-0011", "orderreferentie te lang")
	}
	for _, a := range []*sdk.LedgerAddress{so.InvoiceAddress, so.DeliveryAddress} {
		if a != nil {
			if err := l.validateAddress(*a, "adres"); err != nil {
				return sdk.SalesOrder{}, err
			}
		}
	}
	if so.TemplateID != "" && !slices.ContainsFunc(l.ref.Templates, func(t sdk.Template) bool { return t.ID == so.TemplateID }) {
		return sdk.SalesOrder{}, refused("VOR-0040", "sjabloon niet gevonden")
	}
	if so.CostCentreID != "" && !slices.ContainsFunc(l.ref.CostCentres, func(c sdk.CostCentre) bool { return c.ID == so.CostCentreID }) {
		return sdk.SalesOrder{}, refused("KPL-0001", "kostenplaats niet gevonden")
	}
	switch so.ProcessStatus {
	case "", "Order", "Bevestiging", "Werkbon", "Pakbon", "Afhaalbon":
	default:
		return sdk.SalesOrder{}, refused("VOR-0041", "procesStatus %s kan niet", so.ProcessStatus)
	}
	hundred := decimal.NewFromInt(100)
	byPct := map[string]sdk.Money{}
	pcts := map[string]sdk.Money{}
	sum, vatLines := decimal.Zero, decimal.Zero
	lines := slices.Clone(so.Lines)
	for i := range lines {
		ln := &lines[i]
		if len([]rune(ln.Description)) > 250 {
			return sdk.SalesOrder{}, refused("VOR-0042", "omschrijving regel %d te lang", i+1)
		}
		if ln.ArticleID == "" {
			if ln.UnitPrice != nil && !ln.UnitPrice.IsZero() {
				return sdk.SalesOrder{}, refused("VOR-0043", "regel %d zonder artikel met een bedrag", i+1)
			}
			continue
		}
		a, ok := l.articleByID(ln.ArticleID)
		if !ok {
			return sdk.SalesOrder{}, refused("ART-0001", "artikel %s niet gevonden (regel %d)", ln.ArticleID, i+1)
		}
		if a.Inactive {
			return sdk.SalesOrder{}, refused("ALG-0105", "artikel %s is nonactief", a.Code)
		}
		if ln.Description == "" {
			ln.Description = a.Description
		}
		pct := l.pctOf(a, so.Date)
		if ln.UnitPrice == nil {
			p := a.SalesPrice
			if so.PricesIncludeVAT {
				p = p.Mul(hundred.Add(pct)).Div(hundred).Round(2)
			}
			ln.UnitPrice = &p
		}
		ln.Total = mapping.LineAmount(ln.Quantity, *ln.UnitPrice, l.unitRounded)
		sum = sum.Add(ln.Total)
		k := pct.String()
		byPct[k] = byPct[k].Add(ln.Total)
		pcts[k] = pct
		if so.PricesIncludeVAT {
			vatLines = vatLines.Add(ln.Total.Mul(pct).Div(hundred.Add(pct)).Round(2))
		} else {
			vatLines = vatLines.Add(ln.Total.Mul(pct).Div(hundred).Round(2))
		}
	}
	vat := decimal.Zero
	for k, base := range byPct {
		if so.PricesIncludeVAT {
			vat = vat.Add(base.Mul(pcts[k]).Div(hundred.Add(pcts[k])).Round(2))
		} else {
			vat = vat.Add(base.Mul(pcts[k]).Div(hundred).Round(2))
		}
	}
	if l.vatPerLine {
		vat = vatLines
	}
	so.Lines = lines
	if so.PricesIncludeVAT {
		so.TotalIncl, so.TotalExcl = sum, sum.Sub(vat)
	} else {
		so.TotalExcl, so.TotalIncl = sum, sum.Add(vat)
	}
	if so.ProcessStatus == "" {
		so.ProcessStatus = "Order"
	}
	commit, herr := true, error(nil)
	if l.createHook != nil {
		commit, herr = l.createHook(l.creates, so)
	}
	if commit {
		so.ID = fmt.Sprintf("vo-%d", l.nextOrder)
		so.Number = l.nextOrder
		l.nextOrder++
		l.orders = append(l.orders, so)
	}
	if herr != nil {
		return sdk.SalesOrder{}, herr
	}
	return so, nil
}

// DeleteSalesOrder deletes an order unless its ProcessStatus is Factuur (KindProcessed, as
// SnelStart's VOR-0015); an unknown id is KindNotFound.
func (l *fakeLedger) DeleteSalesOrder(_ context.Context, id string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, o := range l.orders {
		if o.ID != id {
			continue
		}
		if o.ProcessStatus == "Factuur" {
			return &sdk.Error{Kind: sdk.KindProcessed, Code: "VOR-0015", Message: "de verkooporder is gefactureerd"}
		}
		l.orders = append(l.orders[:i], l.orders[i+1:]...)
		return nil
	}
	return &sdk.Error{Kind: sdk.KindNotFound, Code: "http_404", Message: "verkooporder " + id + " bestaat niet"}
}

func (l *fakeLedger) FindSalesOrders(_ context.Context, q sdk.SalesOrderQuery) ([]sdk.SalesOrder, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.finds = append(l.finds, q)
	if l.failFind != nil {
		return nil, l.failFind
	}
	var out []sdk.SalesOrder
	for i := len(l.orders) - 1; i >= 0; i-- {
		o := l.orders[i]
		if q.Reference != "" && o.PaymentReference != q.Reference && o.OrderReference != q.Reference {
			continue
		}
		if len(q.References) > 0 && !slices.Contains(q.References, o.PaymentReference) && !slices.Contains(q.References, o.OrderReference) {
			continue
		}
		if q.CustomerID != "" && o.CustomerID != q.CustomerID {
			continue
		}
		out = append(out, o)
		if q.Limit > 0 && len(out) >= q.Limit {
			break
		}
	}
	return out, nil
}

// CreateSalesInvoice books a sales invoice as SnelStart's POST /verkoopboekingen does: a
// factuurnummer (max 25) and a klant are required (REL-0005, VOR-0002), every line books on an
// active profit and loss ledger, a cost centre must exist (KPL-0001), a number is booked once
// (BOE-0021), the factuurbedrag must equal the lines plus the VAT lines to the cent (BOE-0039)
// and a date in a closed period is refused (BOE-0042). The booking is stored as sent.
func (l *fakeLedger) CreateSalesInvoice(_ context.Context, inv sdk.SalesInvoice) (sdk.SalesInvoice, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if inv.ID != "" {
		return sdk.SalesInvoice{}, refused("ALG-0100", "id moet leeg zijn")
	}
	if inv.Number == "" || len([]rune(inv.Number)) > 25 {
		return sdk.SalesInvoice{}, refused("", "factuurnummer is verplicht en maximaal 25 tekens")
	}
	if len([]rune(inv.Description)) > 250 {
		return sdk.SalesInvoice{}, refused("", "omschrijving maximaal 250 tekens")
	}
	var cust *sdk.Relatie
	for i := range l.relaties {
		if l.relaties[i].ID == inv.CustomerID {
			cust = &l.relaties[i]
		}
	}
	switch {
	case cust == nil:
		return sdk.SalesInvoice{}, refused("REL-0005", "relatie niet gevonden")
	case !cust.Customer:
		return sdk.SalesInvoice{}, refused("VOR-0002", "relatie is geen klant")
	}
	sum := decimal.Zero
	for i, ln := range inv.Lines {
		if !slices.ContainsFunc(l.ref.LedgerAccounts, func(a sdk.LedgerAccount) bool {
			return a.ID == ln.LedgerAccountID && a.ProfitAndLoss && !a.Inactive
		}) {
			return sdk.SalesInvoice{}, refused("", "boekingsregel %d: grootboek niet gevonden", i+1)
		}
		if ln.CostCentreID != "" && !slices.ContainsFunc(l.ref.CostCentres, func(c sdk.CostCentre) bool { return c.ID == ln.CostCentreID }) {
			return sdk.SalesInvoice{}, refused("KPL-0001", "kostenplaats niet gevonden")
		}
		sum = sum.Add(ln.Amount)
	}
	for _, v := range inv.VAT {
		sum = sum.Add(v.Amount)
	}
	if slices.ContainsFunc(l.invoices, func(b sdk.SalesInvoice) bool { return b.Number == inv.Number }) {
		return sdk.SalesInvoice{}, refused("BOE-0021", "factuurnummer %s is al geboekt", inv.Number)
	}
	if !sum.Equal(inv.Total) {
		return sdk.SalesInvoice{}, refused("BOE-0039", "factuurbedrag %s is niet gelijk aan de boekingsregels plus btw %s", inv.Total, sum)
	}
	if y, m, dd := inv.Date.UTC().Date(); !l.closedThrough.IsZero() && !time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).After(l.closedThrough) {
		return sdk.SalesInvoice{}, refused("BOE-0042", "de periode is afgesloten")
	}
	inv.ID = fmt.Sprintf("vb-%d", l.nextInvoice)
	l.nextInvoice++
	inv.Lines = slices.Clone(inv.Lines)
	inv.VAT = slices.Clone(inv.VAT)
	l.invoices = append(l.invoices, inv)
	return inv, nil
}

// FindSalesInvoices returns the bookings whose factuurnummer is one of q.Numbers.
func (l *fakeLedger) FindSalesInvoices(_ context.Context, q sdk.SalesInvoiceQuery) ([]sdk.SalesInvoice, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failFind != nil {
		return nil, l.failFind
	}
	var out []sdk.SalesInvoice
	for _, b := range l.invoices {
		if slices.Contains(q.Numbers, b.Number) {
			out = append(out, b)
		}
	}
	return out, nil
}

// onlyInvoice returns the single sales invoice booking the ledger holds (failing the test
// otherwise).
func (l *fakeLedger) onlyInvoice(t testing.TB) sdk.SalesInvoice {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.invoices) != 1 {
		t.Fatalf("ledger holds %d invoice bookings, want 1", len(l.invoices))
	}
	return l.invoices[0]
}

// only returns the single sales order the ledger holds (failing the test otherwise).
func (l *fakeLedger) only(t testing.TB) sdk.SalesOrder {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.orders) != 1 {
		t.Fatalf("ledger holds %d sales orders, want 1", len(l.orders))
	}
	return l.orders[0]
}

func (l *fakeLedger) relatie(id string) sdk.Relatie {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.relaties {
		if r.ID == id {
			return r
		}
	}
	return sdk.Relatie{}
}

// ---------------------------------------------------------------------------------------------
// fakeShop: orders listed by modification time and id, with an opaque cursor, Since and
// Statuses filters and IDs for retry, as the Shop contract says.
// ---------------------------------------------------------------------------------------------

type fakeShop struct {
	mu     sync.Mutex
	orders []sdk.Order
	lists  int
	// defaults, when set, is the plugin's default status set: listed when the query names no
	// statuses and AllStatuses is off (unset: every status).
	defaults []string
	// queries records every listing query.
	queries []sdk.OrderQuery
}

var _ sdk.Shop = (*fakeShop)(nil)

func (s *fakeShop) put(o sdk.Order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.orders {
		if s.orders[i].ID == o.ID {
			s.orders[i] = o
			return
		}
	}
	s.orders = append(s.orders, o)
}

func cursorOf(o sdk.Order) string { return o.ModifiedAt.UTC().Format(time.RFC3339Nano) + "|" + o.ID }

func (s *fakeShop) ListOrders(ctx context.Context, q sdk.OrderQuery, yield func(sdk.OrderItem) error) error {
	s.mu.Lock()
	s.lists++
	s.queries = append(s.queries, q)
	defaults := s.defaults
	all := slices.Clone(s.orders)
	s.mu.Unlock()
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].ModifiedAt.Equal(all[j].ModifiedAt) {
			return all[i].ModifiedAt.Before(all[j].ModifiedAt)
		}
		return all[i].ID < all[j].ID
	})
	for _, o := range all {
		if len(q.IDs) > 0 {
			if !slices.Contains(q.IDs, o.ID) {
				continue
			}
		} else {
			if o.ModifiedAt.Before(q.Since) || (q.Cursor != "" && cursorOf(o) <= q.Cursor) {
				continue
			}
			sts := q.Statuses
			if len(sts) == 0 {
				sts = defaults
			}
			if !q.AllStatuses && len(sts) > 0 && !slices.Contains(sts, o.Status) {
				continue
			}
		}
		if err := yield(sdk.OrderItem{Order: o, Cursor: cursorOf(o)}); err != nil {
			return err
		}
	}
	return nil
}

func (s *fakeShop) Check(context.Context) (sdk.CheckResult, error) { return sdk.CheckResult{}, nil }
func (s *fakeShop) ListProducts(context.Context, sdk.ProductQuery, func(sdk.ProductItem) error) error {
	return nil
}
func (s *fakeShop) FindProducts(context.Context, []string) ([]sdk.Product, error) { return nil, nil }
func (s *fakeShop) WriteStock(context.Context, []sdk.StockLevel) ([]sdk.StockResult, error) {
	return nil, nil
}

// ---------------------------------------------------------------------------------------------
// Test environment and order builder.
// ---------------------------------------------------------------------------------------------

var (
	since = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	day   = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
)

// baseProfile has the defaults of spec/settings.md plus the charge articles and revenue groups
// most tests need.
func baseProfile() *config.Profile {
	return &config.Profile{
		Name: "shop1", Description: "Testwinkel",
		Orders: config.Orders{
			Since: since, PaymentReference: true, Description: config.DescriptionOrderNumber,
			Addresses: config.AddressesOrder, Lines: config.LinesFull, ProductOptions: config.OptionsInLine,
			ProcessStatus: config.ProcessOrder, VATCheck: config.VATCheckFail, DifferenceTolerance: decimal.Zero,
			ShippingArticle: "VERZEND", DiscountArticle: "KORTING", PaymentFeeArticle: "BETAALKOSTEN",
		},
		Articles: config.Articles{
			CodeField: config.CodeFieldArtikelcode, Mode: config.ModeAdd,
			RevenueGroupByVAT: map[string]string{"21": "1", "9": "2", "0": "3"},
		},
		Customers: config.Customers{Match: config.MatchSmart, Mode: config.ModeAdd},
	}
}

type env struct {
	t      testing.TB
	prof   *config.Profile
	shop   *fakeShop
	ledger *fakeLedger
	store  *state.Store
	now    time.Time
	p      *Pipeline
}

func newEnv(t testing.TB, mods ...func(*config.Profile)) *env {
	t.Helper()
	prof := baseProfile()
	for _, m := range mods {
		m(prof)
	}
	st, err := state.Open(context.Background(), "", state.Options{InMemory: true, NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return newEnvStore(t, prof, st)
}

// newEnvStore is newEnv with the profile and store given.
func newEnvStore(t testing.TB, prof *config.Profile, st *state.Store) *env {
	t.Helper()
	e := &env{t: t, prof: prof, shop: &fakeShop{}, ledger: newFakeLedger(), store: st, now: day.Add(time.Hour)}
	e.p = New(Options{Profile: prof, Shop: e.shop, Ledger: e.ledger, Store: st, Clock: func() time.Time { return e.now }, Concurrency: testConcurrency})
	return e
}

// run runs ImportOrders and fails the test on a run error.
func (e *env) run() RunResult {
	e.t.Helper()
	res, err := e.p.ImportOrders(context.Background())
	if err != nil {
		e.t.Fatalf("ImportOrders: %v", err)
	}
	return res
}

// one runs ImportOrders with a single order and returns its outcome.
func (e *env) one(o sdk.Order) OrderOutcome {
	e.t.Helper()
	e.shop.put(o)
	res := e.run()
	for _, out := range res.Orders {
		if out.ShopID == o.ID {
			return out
		}
	}
	e.t.Fatalf("order %s not in the run's outcomes: %+v", o.ID, res.Orders)
	return OrderOutcome{}
}

// ln describes a product line: price is the unit price including VAT for a shop with prices
// including tax, excluding otherwise.
type ln struct {
	sku, name, qty, price, rate string
	opts                        []sdk.Option
	parent                      string
}

var hundred = decimal.NewFromInt(100)

// mkLine computes a line the way shops do: total rounded per line, tax per line.
func mkLine(i int, l ln, incl bool) sdk.OrderLine {
	q, p, r := d(l.qty), d(l.price), d(l.rate)
	ol := sdk.OrderLine{ID: fmt.Sprintf("l%d", i+1), SKU: l.sku, Name: l.name, Quantity: q, TaxRate: r, Options: l.opts, ParentLineID: l.parent}
	if incl {
		ol.TotalIncl = q.Mul(p).Round(2)
		ol.Tax = ol.TotalIncl.Mul(r).Div(hundred.Add(r)).Round(2)
		ol.TotalExcl = ol.TotalIncl.Sub(ol.Tax)
		ol.UnitPriceIncl = p
		ol.UnitPriceExcl = p.Mul(hundred).Div(hundred.Add(r))
	} else {
		ol.TotalExcl = q.Mul(p).Round(2)
		ol.Tax = ol.TotalExcl.Mul(r).Div(hundred).Round(2)
		ol.TotalIncl = ol.TotalExcl.Add(ol.Tax)
		ol.UnitPriceExcl = p
		ol.UnitPriceIncl = p.Mul(hundred.Add(r)).Div(hundred)
	}
	return ol
}

// chg makes a charge of amount (incl or excl VAT per the shop) at rate ("" = spread: give
// tax explicitly with chgTax).
func chg(name, amount, rate string, incl bool) sdk.Charge {
	a, r := d(amount), d(rate)
	c := sdk.Charge{Name: name, TaxRate: &r}
	if incl {
		c.TotalIncl = a
		c.Tax = a.Mul(r).Div(hundred.Add(r)).Round(2)
		c.TotalExcl = a.Sub(c.Tax)
	} else {
		c.TotalExcl = a
		c.Tax = a.Mul(r).Div(hundred).Round(2)
		c.TotalIncl = a.Add(c.Tax)
	}
	return c
}

// mkOrder builds an order of customer "c1" (Jan Jansen, 1234 AB) with the given lines; the
// totals are computed from lines and charges after the modifiers ran.
func mkOrder(id string, incl bool, lines []ln, mods ...func(*sdk.Order)) sdk.Order {
	o := sdk.Order{
		ID: id, Number: "10" + id, Status: "processing", CreatedAt: day, ModifiedAt: day, Currency: "EUR",
		PricesIncludeTax: incl,
		Customer:         sdk.Customer{ID: "c1", Email: "jan@example.nl", FirstName: "Jan", LastName: "Jansen", Phone: "0612345678"},
		Billing: sdk.Address{FirstName: "Jan", LastName: "Jansen", Street: "Dorpsstraat 1", Postcode: "1234 AB", City: "Utrecht",
			Country: "NL", Email: "jan@example.nl", Phone: "0612345678"},
		Payment: sdk.Payment{Method: "ideal", Title: "iDEAL", Paid: true},
	}
	for i, l := range lines {
		o.Lines = append(o.Lines, mkLine(i, l, incl))
	}
	for _, m := range mods {
		m(&o)
	}
	o.Totals = shopTotals(o)
	return o
}

// shopTotals adds up lines and charges as a shop does.
func shopTotals(o sdk.Order) sdk.Totals {
	var t sdk.Totals
	add := func(excl, tax, incl sdk.Money, sign int64) {
		s := decimal.NewFromInt(sign)
		t.TotalExcl = t.TotalExcl.Add(excl.Mul(s))
		t.Tax = t.Tax.Add(tax.Mul(s))
		t.Total = t.Total.Add(incl.Mul(s))
	}
	for _, l := range o.Lines {
		add(l.TotalExcl, l.Tax, l.TotalIncl, 1)
	}
	for _, c := range o.ShippingLines {
		add(c.TotalExcl, c.Tax, c.TotalIncl, 1)
	}
	for _, c := range o.Fees {
		add(c.TotalExcl, c.Tax, c.TotalIncl, 1)
	}
	for _, c := range o.Discounts {
		add(c.TotalExcl, c.Tax, c.TotalIncl, -1)
	}
	return t
}

var coffee = ln{sku: "KOFFIE", name: "Koffie 1kg", qty: "1", price: "10.90", rate: "9"}
var mug = ln{sku: "MOK", name: "Mok", qty: "2", price: "6.05", rate: "21"}

// lineFor returns the ledger order's line on the article with code, failing when absent.
func (e *env) lineFor(so sdk.SalesOrder, code string) sdk.SalesOrderLine {
	e.t.Helper()
	id := e.ledger.article(code).ID
	for _, l := range so.Lines {
		if l.ArticleID == id {
			return l
		}
	}
	e.t.Fatalf("sales order has no line on article %s: %+v", code, so.Lines)
	return sdk.SalesOrderLine{}
}

func (e *env) hasLineFor(so sdk.SalesOrder, code string) bool {
	id := e.ledger.article(code).ID
	for _, l := range so.Lines {
		if l.ArticleID == id {
			return true
		}
	}
	return false
}

func mustStatus(t testing.TB, out OrderOutcome, want OutcomeStatus) {
	t.Helper()
	if out.Status != want {
		t.Fatalf("status = %s (reason %q), want %s", out.Status, out.Reason, want)
	}
}

func mustReason(t testing.TB, out OrderOutcome, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(out.Reason, p) {
			t.Errorf("reason %q does not mention %q", out.Reason, p)
		}
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// testConcurrency is the orders in flight of the test environments' pipelines: more than one,
// so every test of the pipeline runs the concurrent import (import_orders_workers.go).
const testConcurrency = 4

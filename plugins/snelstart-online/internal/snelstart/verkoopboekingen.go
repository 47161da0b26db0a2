package snelstart

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/sdk"
)

// verkoopboekingWrite is VerkoopBoekingModel as sent on POST /verkoopboekingen.
type verkoopboekingWrite struct {
	Factuurdatum     ssTime               `json:"factuurdatum"`
	Factuurnummer    string               `json:"factuurnummer"`
	Klant            *ref                 `json:"klant"`
	Omschrijving     string               `json:"omschrijving,omitempty"`
	Factuurbedrag    *num                 `json:"factuurbedrag"`
	Betalingstermijn *int                 `json:"betalingstermijn,omitempty"`
	Boekingsregels   []boekingsregelWrite `json:"boekingsregels"`
	Btw              []btwRegel           `json:"btw"`
}

// boekingsregelWrite is VerkoopBoekingRegelModel.
type boekingsregelWrite struct {
	Omschrijving string `json:"omschrijving,omitempty"`
	Grootboek    *ref   `json:"grootboek"`
	Kostenplaats *ref   `json:"kostenplaats,omitempty"`
	Bedrag       *num   `json:"bedrag"`
	BtwSoort     string `json:"btwSoort,omitempty"`
}

// btwRegel is VerkoopBoekingBtwRegelModel, both ways.
type btwRegel struct {
	BtwSoort  string `json:"btwSoort"`
	BtwBedrag num    `json:"btwBedrag"`
}

// verkoopboekingIn is VerkoopBoekingModel as read.
type verkoopboekingIn struct {
	ID             string `json:"id"`
	ModifiedOn     ssTime `json:"modifiedOn"`
	Factuurdatum   ssTime `json:"factuurdatum"`
	Factuurnummer  string `json:"factuurnummer"`
	Klant          *refIn `json:"klant"`
	Omschrijving   string `json:"omschrijving"`
	Factuurbedrag  num    `json:"factuurbedrag"`
	Boekingsregels []struct {
		Omschrijving string `json:"omschrijving"`
		Grootboek    *refIn `json:"grootboek"`
		Kostenplaats *refIn `json:"kostenplaats"`
		Bedrag       num    `json:"bedrag"`
		BtwSoort     string `json:"btwSoort"`
	} `json:"boekingsregels"`
	Btw []btwRegel `json:"btw"`
}

// verkoopfactuurIn is VerkoopfactuurModel as read from GET /verkoopfacturen.
type verkoopfactuurIn struct {
	ID              string `json:"id"`
	Factuurnummer   string `json:"factuurnummer"`
	FactuurDatum    ssTime `json:"factuurDatum"`
	FactuurBedrag   num    `json:"factuurBedrag"`
	OpenstaandSaldo num    `json:"openstaandSaldo"`
	Relatie         *refIn `json:"relatie"`
	VerkoopBoeking  *refIn `json:"verkoopBoeking"`
	ModifiedOn      ssTime `json:"modifiedOn"`
}

// grootboekIn is GrootboekModel as read from GET /grootboeken.
type grootboekIn struct {
	ID               string `json:"id"`
	Nummer           int    `json:"nummer"`
	Omschrijving     string `json:"omschrijving"`
	Grootboekfunctie string `json:"grootboekfunctie"`
	RekeningCode     string `json:"rekeningCode"`
	Nonactief        bool   `json:"nonactief"`
}

// ledgerAccounts reads the grootboeken (GET /grootboeken, OData, scope boekhouden:read). A key
// without that scope gives nil and no error: only invoice mode needs them, and it needs
// boekhouden:write anyway, so it names the scope when it books.
func (c *Connector) ledgerAccounts(ctx context.Context) ([]sdk.LedgerAccount, error) {
	all, err := listAll[grootboekIn](ctx, c.api, "/grootboeken", "", pageDefault, "the ledger accounts (grootboeken)")
	if err != nil {
		var se *sdk.Error
		if errors.As(err, &se) && se.Kind == sdk.KindAuth && se.Code == "http_403" {
			return nil, nil
		}
		return nil, err
	}
	out := make([]sdk.LedgerAccount, 0, len(all))
	for _, g := range all {
		out = append(out, sdk.LedgerAccount{ID: g.ID, Number: g.Nummer, Description: g.Omschrijving, Function: g.Grootboekfunctie,
			ProfitAndLoss: g.RekeningCode == "WinstEnVerlies", Inactive: g.Nonactief})
	}
	return out, nil
}

// btwBoekingSoort maps a VAT class to the btwSoort of a VAT line of a sales booking.
var btwBoekingSoort = map[sdk.VATClass]string{
	sdk.VATNone: "Geen", sdk.VATLow: "VerkopenLaag", sdk.VATHigh: "VerkopenHoog",
	sdk.VATOther: "VerkopenOverig", sdk.VATReverse: "VerkopenVerlegd",
}

// toVerkoopboeking checks inv and builds the request body. The balance rule is checked here
// too, so a koppel mistake is named with both figures before SnelStart answers BOE-0039.
func toVerkoopboeking(inv sdk.SalesInvoice) (*verkoopboekingWrite, error) {
	switch {
	case strings.TrimSpace(inv.Number) == "":
		return nil, sdk.Errorf(sdk.KindPermanent, "the sales invoice has no invoice number (factuurnummer)")
	case len([]rune(inv.Number)) > 25:
		return nil, sdk.Errorf(sdk.KindPermanent, "invoice number %q is longer than the 25 characters SnelStart allows", inv.Number)
	case !validGUID(inv.CustomerID):
		return nil, sdk.Errorf(sdk.KindPermanent, "invoice %s: customer id %q is not a SnelStart id", inv.Number, inv.CustomerID)
	case inv.Date.IsZero():
		return nil, sdk.Errorf(sdk.KindPermanent, "invoice %s has no invoice date", inv.Number)
	}
	b := &verkoopboekingWrite{
		Factuurdatum: ssTime{inv.Date}, Factuurnummer: inv.Number, Klant: refOf(inv.CustomerID),
		Omschrijving: inv.Description, Factuurbedrag: newNum(inv.Total), Betalingstermijn: inv.PaymentTermDays,
		Boekingsregels: []boekingsregelWrite{}, Btw: []btwRegel{},
	}
	sum := decimal.Zero
	for i, l := range inv.Lines {
		if !validGUID(l.LedgerAccountID) {
			return nil, sdk.Errorf(sdk.KindPermanent, "invoice %s line %d: ledger account %q is not a SnelStart id", inv.Number, i+1, l.LedgerAccountID)
		}
		switch l.VATClass {
		case "", sdk.VATNone, sdk.VATLow, sdk.VATHigh, sdk.VATOther:
		default:
			return nil, sdk.Errorf(sdk.KindPermanent, "invoice %s line %d: VAT class %q is not possible on a revenue line", inv.Number, i+1, l.VATClass)
		}
		b.Boekingsregels = append(b.Boekingsregels, boekingsregelWrite{Omschrijving: l.Description,
			Grootboek: refOf(l.LedgerAccountID), Kostenplaats: refOf(l.CostCentreID), Bedrag: newNum(l.Amount), BtwSoort: string(l.VATClass)})
		sum = sum.Add(l.Amount)
	}
	for _, v := range inv.VAT {
		soort, ok := btwBoekingSoort[v.VATClass]
		if !ok {
			return nil, sdk.Errorf(sdk.KindPermanent, "invoice %s: unknown VAT class %q", inv.Number, v.VATClass)
		}
		b.Btw = append(b.Btw, btwRegel{BtwSoort: soort, BtwBedrag: num{D: v.Amount, Valid: true}})
		sum = sum.Add(v.Amount)
	}
	if !sum.Equal(inv.Total) {
		return nil, &sdk.Error{Kind: sdk.KindPermanent, Code: "BOE-0039",
			Message: fmt.Sprintf("factuur %s: het factuurbedrag %s is niet gelijk aan de omzetregels plus btw %s; koppel boekt haar niet, meld dit aan de beheerder van koppel (invoice amount is not lines plus VAT)", inv.Number, inv.Total.StringFixed(2), sum.StringFixed(2))}
	}
	return b, nil
}

// CreateSalesInvoice books inv with POST /verkoopboekingen (scope boekhouden:write). A create
// whose answer was lost is KindOutcomeUnknown: look it up with FindSalesInvoices by number.
func (c *Connector) CreateSalesInvoice(ctx context.Context, inv sdk.SalesInvoice) (sdk.SalesInvoice, error) {
	body, err := toVerkoopboeking(inv)
	if err != nil {
		return sdk.SalesInvoice{}, err
	}
	what := fmt.Sprintf("sales invoice %q", inv.Number)
	var created verkoopboekingIn
	if err := c.api.do(ctx, call{method: http.MethodPost, path: "/verkoopboekingen", body: body, what: what}, &created); err != nil {
		return sdk.SalesInvoice{}, c.customerRefusal(ctx, inv.CustomerID, err)
	}
	if created.ID == "" {
		return sdk.SalesInvoice{}, &sdk.Error{Kind: sdk.KindOutcomeUnknown,
			Message: fmt.Sprintf("SnelStart accepted %s but returned no id; look it up by number before booking it again", what)}
	}
	return fromVerkoopboeking(created), nil
}

func fromVerkoopboeking(v verkoopboekingIn) sdk.SalesInvoice {
	out := sdk.SalesInvoice{ID: v.ID, Number: v.Factuurnummer, Date: v.Factuurdatum.Time, CustomerID: idOf(v.Klant),
		Description: v.Omschrijving, Total: v.Factuurbedrag.dec(), ModifiedAt: v.ModifiedOn.Time}
	for _, r := range v.Boekingsregels {
		out.Lines = append(out.Lines, sdk.SalesInvoiceLine{Description: r.Omschrijving, LedgerAccountID: idOf(r.Grootboek),
			CostCentreID: idOf(r.Kostenplaats), Amount: r.Bedrag.dec(), VATClass: sdk.VATClass(r.BtwSoort)})
	}
	for _, b := range v.Btw {
		cls := sdk.VATClass(b.BtwSoort)
		for k, s := range btwBoekingSoort {
			if s == b.BtwSoort {
				cls = k
			}
		}
		out.VAT = append(out.VAT, sdk.SalesInvoiceVATRow{VATClass: cls, Amount: b.BtwBedrag.dec()})
	}
	return out
}

// FindSalesInvoices looks invoices up by number with GET /verkoopfacturen and a
// `Factuurnummer eq '…' or …` filter (scope orders:read), split so each request stays short (the parts sent at the same time).
// The answer carries number, date, customer, total and the booking id; lines are not read.
func (c *Connector) FindSalesInvoices(ctx context.Context, q sdk.SalesInvoiceQuery) ([]sdk.SalesInvoice, error) {
	want := map[string]bool{}
	var clauses []string
	for _, n := range q.Numbers {
		n = strings.TrimSpace(n)
		if n == "" || want[n] {
			continue
		}
		want[n] = true
		clauses = append(clauses, eqString("Factuurnummer", n))
	}
	parts, err := listAllEach[verkoopfactuurIn](ctx, c.api, "/verkoopfacturen", joinFilters(clauses, maxFilterLen), pageDefault, "sales invoices")
	if err != nil {
		return nil, err
	}
	var out []sdk.SalesInvoice
	seen := map[string]bool{}
	for _, all := range parts {
		for _, f := range all {
			if !want[f.Factuurnummer] || seen[f.Factuurnummer] {
				continue
			}
			seen[f.Factuurnummer] = true
			id := idOf(f.VerkoopBoeking)
			if id == "" {
				id = f.ID
			}
			inv := sdk.SalesInvoice{ID: id, Number: f.Factuurnummer, Date: f.FactuurDatum.Time,
				CustomerID: idOf(f.Relatie), Total: f.FactuurBedrag.dec(), ModifiedAt: f.ModifiedOn.Time}
			if f.OpenstaandSaldo.Valid {
				open := f.OpenstaandSaldo.dec()
				inv.OpenBalance = &open
			}
			out = append(out, inv)
		}
	}
	return out, nil
}

// joinFilters ors clauses into as few filters as possible, each at most maxLen encoded.
func joinFilters(clauses []string, maxLen int) []string {
	var out, cur []string
	curLen := 0
	for _, cl := range clauses {
		n := len(escapeQueryValue(cl)) + len(escapeQueryValue(" or "))
		if len(cur) > 0 && curLen+n > maxLen {
			out = append(out, or(cur...))
			cur, curLen = nil, 0
		}
		cur = append(cur, cl)
		curLen += n
	}
	if len(cur) > 0 {
		out = append(out, or(cur...))
	}
	return out
}

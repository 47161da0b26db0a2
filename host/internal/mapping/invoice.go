package mapping

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// MaxInvoiceNumber is the longest factuurnummer SnelStart takes (VerkoopBoekingModel
// factuurnummer maxLength 25).
const MaxInvoiceNumber = 25

// schemeLedger is, per cross-border VAT scheme, the orders.ledger_by_vat key, the ledger
// function koppel looks for when the key is not set, and the catalogue key naming the scheme.
var schemeLedger = map[VATScheme]struct{ key, function, name string }{
	SchemeICP:    {config.LedgerKeyICP, sdk.LedgerFunctionICP, "reason.invoice_scheme_icp"},
	SchemeExport: {config.LedgerKeyExport, sdk.LedgerFunctionExport, "reason.invoice_scheme_export"},
	SchemeOSS:    {config.LedgerKeyOSS, sdk.LedgerFunctionOSS, "reason.invoice_scheme_oss"},
}

// resolveLedgers resolves orders.ledger_by_vat against the administration's ledger accounts:
// every entry must name one active ledger of the profit and loss account (by number or name).
func (rd *Reference) resolveLedgers(m map[string]string) error {
	rd.LedgerByKey = map[string]string{}
	if len(m) == 0 {
		return nil
	}
	if len(rd.Data.LedgerAccounts) == 0 {
		return configErrorf("%s", text.Template("reason.ledger_by_vat_unreadable"))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := m[k]
		found, ok := FindLedger(rd.Data.LedgerAccounts, name)
		switch {
		case !ok:
			return configErrorf(text.Template("reason.ledger_by_vat_unknown"), k, name, ledgerNames(rd.Data.LedgerAccounts))
		case found.Inactive:
			return configErrorf(text.Template("reason.ledger_by_vat_inactive"), k, name, found.Number, found.Description)
		case !found.ProfitAndLoss:
			return configErrorf(text.Template("reason.ledger_by_vat_balance"), k, name, found.Number, found.Description)
		}
		rd.LedgerByKey[k] = found.ID
	}
	return nil
}

// FindLedger returns the ledger account that name (a number or a name as written in the
// profile) names.
func FindLedger(ls []sdk.LedgerAccount, name string) (sdk.LedgerAccount, bool) {
	for _, a := range ls {
		if matchNumOrName(name, a.ID, a.Number, a.Description) {
			return a, true
		}
	}
	return sdk.LedgerAccount{}, false
}

// ledgerNames lists the active profit and loss ledgers, for a message.
func ledgerNames(ls []sdk.LedgerAccount) string {
	var out []string
	for _, l := range ls {
		if l.ProfitAndLoss && !l.Inactive {
			out = append(out, fmt.Sprintf("%d %q", l.Number, l.Description))
		}
	}
	return listOrNone(out)
}

// schemeLedgerID is the revenue ledger of a cross-border order in invoice mode: the
// orders.ledger_by_vat entry of its scheme, else the active ledger with the scheme's
// grootboekfunctie (the lowest number when there are several). ok is false for a domestic
// order; a cross-border order without a ledger is a Refusal.
func (rd *Reference) schemeLedgerID(plan *Plan) (id string, ok bool, err error) {
	sl, cross := schemeLedger[plan.VATScheme]
	if !cross {
		return "", false, nil
	}
	if id, set := rd.LedgerByKey[sl.key]; set {
		return id, true, nil
	}
	var best *sdk.LedgerAccount
	for i := range rd.Data.LedgerAccounts {
		a := &rd.Data.LedgerAccounts[i]
		if a.Function == sl.function && !a.Inactive && a.ProfitAndLoss && (best == nil || a.Number < best.Number) {
			best = a
		}
	}
	if best == nil {
		return "", true, Refusef(text.Template("reason.invoice_scheme_ledger"), plan.ShopNumber, text.Template(sl.name), sl.function, sl.key, sl.key)
	}
	return best.ID, true, nil
}

// invoiceNumberOK refuses a factuurnummer longer than SnelStart takes.
func invoiceNumberOK(n string) error {
	if c := utf8.RuneCountInString(n); c > MaxInvoiceNumber {
		return Refusef(text.Template("reason.invoice_number_too_long"), n, c, MaxInvoiceNumber)
	}
	return nil
}

// Invoice plan kinds (orders.book_as = "invoice").
const (
	// KindInvoice books a shop order as a sales invoice booking (SnelStart verkoopboeking).
	KindInvoice Kind = "invoice"
	// KindCreditInvoice books a shop refund as a credit invoice booking (negative amounts).
	KindCreditInvoice Kind = "credit_invoice"
)

// InvoiceNumberExtra is the sdk.Order.Extra key a shop plugin fills with the shop's own
// invoice number (WooCommerce: from the order meta of the common invoice plugins).
const InvoiceNumberExtra = "invoice_number"

// BookingReference is what koppel books shop order o under: in invoice mode the shop's invoice
// number when the shop has one, else (and in order mode) OrderReference.
func BookingReference(set config.Orders, o sdk.Order) string {
	if set.BookAs == config.BookAsInvoice {
		if n := strings.TrimSpace(o.Extra[InvoiceNumberExtra]); n != "" {
			return n
		}
	}
	return OrderReference(set, o)
}

// asInvoice turns a planned sales order (or credit order) into the invoice booking of the same
// order: the plan's expected turnover per VAT rate, on the revenue ledger of the articles'
// revenue groups (split by ledger within a rate, exact to the cent), and the VAT per class. The
// sales order body stays for display; Invoice is what is booked.
func (p *Planner) asInvoice(plan *Plan) error {
	if plan.Kind == KindCreditOrder {
		plan.Kind = KindCreditInvoice
	} else {
		plan.Kind = KindInvoice
	}
	t := plan.Totals
	if !t.Predicted {
		return Refusef(text.Template("reason.invoice_prices_unknown"), plan.ShopNumber, p.prof.Orders.Lines)
	}
	if err := invoiceNumberOK(plan.Reference); err != nil {
		return err
	}
	crossLedger, cross, err := p.ref.schemeLedgerID(plan)
	if err != nil {
		return err
	}
	// ICP and export are taxed at 0 %: their revenue lines carry btw-soort Geen.
	zeroRated := plan.VATScheme == SchemeICP || plan.VATScheme == SchemeExport
	so := plan.SalesOrder
	type bucket struct {
		rate, sum sdk.Money
		ledger    string
		class     sdk.VATClass
	}
	var buckets []*bucket
	classOf := map[string]sdk.VATClass{}
	for _, l := range plan.Lines {
		if l.Amount == nil {
			continue
		}
		if l.VATRate == nil || l.Article < 0 || l.Article >= len(plan.Articles) {
			return Refusef(text.Template("reason.invoice_line_rate"), l.Label, plan.ShopNumber)
		}
		art := plan.Articles[l.Article].Article
		ledger, class := crossLedger, l.VATClass
		if zeroRated {
			class = sdk.VATNone
		}
		if !cross {
			ledger = p.ref.LedgerByKey[l.VATRate.String()]
		}
		if ledger == "" {
			g, ok := p.ref.Groups[art.RevenueGroupID]
			if !ok || g.LedgerAccountID == "" {
				return Refusef(text.Template("reason.invoice_group_ledger"), g.Number, g.Description, art.Code)
			}
			ledger = g.LedgerAccountID
		}
		rk := l.VATRate.String()
		classOf[rk] = class
		var b *bucket
		for _, x := range buckets {
			if x.rate.Equal(*l.VATRate) && x.ledger == ledger {
				b = x
			}
		}
		if b == nil {
			b = &bucket{rate: *l.VATRate, ledger: ledger, class: class}
			buckets = append(buckets, b)
		}
		b.sum = b.sum.Add(*l.Amount)
	}
	inv := sdk.SalesInvoice{Number: plan.Reference, Date: so.Date, Description: so.Description, PaymentTermDays: so.PaymentTermDays}
	vatByClass := map[sdk.VATClass]sdk.Money{}
	var classes []sdk.VATClass
	total := decimal.Zero
	for _, rt := range t.ByRate {
		var mine []*bucket
		for _, b := range buckets {
			if b.rate.Equal(rt.Rate) {
				mine = append(mine, b)
			}
		}
		rest := rt.Excl
		for i, b := range mine {
			excl := rest
			if i < len(mine)-1 {
				excl = b.sum
				if so.PricesIncludeVAT {
					excl = b.sum.Sub(b.sum.Mul(b.rate).Div(hundred.Add(b.rate)).Round(2))
				}
				rest = rest.Sub(excl)
			}
			inv.Lines = append(inv.Lines, sdk.SalesInvoiceLine{Description: fmt.Sprintf("Omzet %s%% %s", rt.Rate.String(), plan.Reference),
				LedgerAccountID: b.ledger, CostCentreID: so.CostCentreID, Amount: excl, VATClass: b.class})
			total = total.Add(excl)
		}
		cls := classOf[rt.Rate.String()]
		if cls == "" || cls == sdk.VATNone || rt.VAT.IsZero() {
			continue
		}
		if _, seen := vatByClass[cls]; !seen {
			classes = append(classes, cls)
		}
		vatByClass[cls] = vatByClass[cls].Add(rt.VAT)
		total = total.Add(rt.VAT)
	}
	for _, c := range classes {
		inv.VAT = append(inv.VAT, sdk.SalesInvoiceVATRow{VATClass: c, Amount: vatByClass[c]})
	}
	inv.Total = total
	if !total.Equal(t.Ledger) {
		return Refusef(text.Template("reason.invoice_total"), plan.ShopNumber, total.StringFixed(2), t.Ledger.StringFixed(2))
	}
	plan.Invoice = &inv
	return nil
}

// BindInvoice returns the invoice to book on customerID (KindInvoice, KindCreditInvoice).
func (p *Plan) BindInvoice(customerID string) sdk.SalesInvoice {
	inv := *p.Invoice
	inv.CustomerID = customerID
	inv.Lines = append([]sdk.SalesInvoiceLine(nil), p.Invoice.Lines...)
	inv.VAT = append([]sdk.SalesInvoiceVATRow(nil), p.Invoice.VAT...)
	return inv
}

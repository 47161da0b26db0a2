package mapping

import (
	"fmt"
	"strings"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

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
		return Refusef("order %s cannot be booked as an invoice: koppel must know every line's price and VAT rate (orders.lines = %q leaves prices to SnelStart, or an article's VAT rate is unknown); book it as an order (orders.book_as = \"order\") or send prices", plan.ShopNumber, p.prof.Orders.Lines)
	}
	if plan.VATScheme != "" && plan.VATScheme != SchemeDomestic {
		return Refusef("order %s is taxed as %s; koppel books only Dutch VAT as an invoice so far: book this order by hand in SnelStart or use orders.book_as = \"order\"", plan.ShopNumber, plan.VATScheme)
	}
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
			return Refusef("%s of order %s has no known VAT rate; koppel cannot book the invoice", l.Label, plan.ShopNumber)
		}
		art := plan.Articles[l.Article].Article
		g, ok := p.ref.Groups[art.RevenueGroupID]
		if !ok || g.LedgerAccountID == "" {
			return Refusef("revenue group %d %q of article %s has no revenue ledger (grootboek) in SnelStart; set one on the revenue group (artikelomzetgroep) and retry", g.Number, g.Description, art.Code)
		}
		rk := l.VATRate.String()
		classOf[rk] = l.VATClass
		var b *bucket
		for _, x := range buckets {
			if x.rate.Equal(*l.VATRate) && x.ledger == g.LedgerAccountID {
				b = x
			}
		}
		if b == nil {
			b = &bucket{rate: *l.VATRate, ledger: g.LedgerAccountID, class: l.VATClass}
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
		return Refusef("order %s: the invoice lines and VAT add up to %s, the expected total is %s; koppel does not book it (please report this)", plan.ShopNumber, total.StringFixed(2), t.Ledger.StringFixed(2))
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

package pipeline

// Invoice mode (orders.book_as = "invoice"): the plan's invoice booking is created instead of a
// sales order, under the same intent → look-up → create → outcome steps; the look-up is by
// invoice number (the booking reference). The rest of the pipeline keeps working on
// sdk.SalesOrder: a booked invoice is recorded as one with Number 0, its id, its number as
// reference and its total.

import (
	"context"
	"fmt"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// CreateSalesInvoice implements sdk.InvoiceLedger when the wrapped ledger does; otherwise it
// answers with KindConfig.
func (c *countingLedger) CreateSalesInvoice(ctx context.Context, inv sdk.SalesInvoice) (sdk.SalesInvoice, error) {
	il, err := invoiceLedgerOf(c.next)
	if err != nil {
		return sdk.SalesInvoice{}, err
	}
	c.count("CreateSalesInvoice")
	return il.CreateSalesInvoice(ctx, inv)
}

// FindSalesInvoices implements sdk.InvoiceLedger when the wrapped ledger does.
func (c *countingLedger) FindSalesInvoices(ctx context.Context, q sdk.SalesInvoiceQuery) ([]sdk.SalesInvoice, error) {
	il, err := invoiceLedgerOf(c.next)
	if err != nil {
		return nil, err
	}
	c.count("FindSalesInvoices")
	return il.FindSalesInvoices(ctx, q)
}

func invoiceLedgerOf(l sdk.Ledger) (sdk.InvoiceLedger, error) {
	il, ok := l.(sdk.InvoiceLedger)
	if !ok {
		return nil, sdk.Errorf(sdk.KindConfig, "this ledger cannot book sales invoices (orders.book_as = \"invoice\"); use ledger \"snelstart-online\" or book_as = \"order\"")
	}
	return il, nil
}

// invoiceMode reports whether the profile books invoices.
func (p *Pipeline) invoiceMode() bool { return p.prof.Orders.BookAs == config.BookAsInvoice }

// findBooked looks the bookings with these references up: sales orders by reference, or in
// invoice mode invoices by number (returned as sales orders, see invoiceAsOrder).
func (p *Pipeline) findBooked(ctx context.Context, refs ...string) ([]sdk.SalesOrder, error) {
	if !p.invoiceMode() {
		if len(refs) == 1 {
			return p.ledger.FindSalesOrders(ctx, sdk.SalesOrderQuery{Reference: refs[0]})
		}
		return p.ledger.FindSalesOrders(ctx, sdk.SalesOrderQuery{References: refs})
	}
	found, err := p.ledger.FindSalesInvoices(ctx, sdk.SalesInvoiceQuery{Numbers: refs})
	if err != nil {
		return nil, err
	}
	out := make([]sdk.SalesOrder, 0, len(found))
	for _, inv := range found {
		out = append(out, invoiceAsOrder(inv))
	}
	return out, nil
}

// invoiceAsOrder is how a booked invoice is recorded: Number 0, the invoice number as both
// references, its total (TotalExcl: the revenue lines, when the ledger returned them).
func invoiceAsOrder(inv sdk.SalesInvoice) sdk.SalesOrder {
	excl := decimal.Zero
	for _, l := range inv.Lines {
		excl = excl.Add(l.Amount)
	}
	if len(inv.Lines) == 0 {
		excl = inv.Total
		for _, v := range inv.VAT {
			excl = excl.Sub(v.Amount)
		}
	}
	return sdk.SalesOrder{ID: inv.ID, CustomerID: inv.CustomerID, Date: inv.Date, Description: inv.Description,
		PaymentReference: inv.Number, OrderReference: inv.Number, TotalIncl: inv.Total, TotalExcl: excl, ModifiedAt: inv.ModifiedAt}
}

// InvoiceNumber is the factuurnummer of an order booked as a sales invoice (orders.book_as =
// "invoice": recorded with a ledger id and no order number, its reference the invoice number),
// "" for a sales order.
func (r OrderRecord) InvoiceNumber() string {
	if r.LedgerNumber == 0 && r.LedgerOrderID != "" {
		return r.Reference
	}
	return ""
}

// refusedKey is the reason of a booking the ledger refused (refused: a permanent refusal) or did
// not confirm: a sales order, or in invoice mode an invoice booking.
func refusedKey(plan *mapping.Plan, refused bool) string {
	switch {
	case plan.Invoice != nil:
		return "reason.invoice_refused"
	case refused: // SnelStart said no: what it said is what to correct
		return "reason.sales_order_refused"
	}
	return "reason.sales_order_unconfirmed" // no answer: looked up before the next attempt
}

// book creates the plan's booking: the sales order so, or in invoice mode the plan's invoice
// on customerID. The answer is returned as a sales order either way.
func (p *Pipeline) book(ctx context.Context, plan *mapping.Plan, so sdk.SalesOrder, customerID string) (sdk.SalesOrder, error) {
	if plan.Invoice == nil {
		return p.ledger.CreateSalesOrder(ctx, so)
	}
	inv := plan.BindInvoice(customerID)
	created, err := p.ledger.CreateSalesInvoice(ctx, inv)
	if err != nil {
		return sdk.SalesOrder{}, fmt.Errorf("book invoice %s: %w", inv.Number, err)
	}
	if created.ID == "" {
		return sdk.SalesOrder{}, &sdk.Error{Kind: sdk.KindOutcomeUnknown, Message: fmt.Sprintf("the ledger returned no id for invoice %s", inv.Number)}
	}
	if created.Number == "" {
		created.Number = inv.Number
	}
	if created.CustomerID == "" {
		created.CustomerID = customerID
	}
	if created.Total.IsZero() && len(created.Lines) == 0 {
		created.Total, created.Lines, created.VAT = inv.Total, inv.Lines, inv.VAT
	}
	return invoiceAsOrder(created), nil
}

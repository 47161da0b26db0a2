package sdk

import (
	"context"
	"time"
)

// InvoiceLedger is the optional invoice side of a Ledger: booking the shop's invoices directly
// as sales invoice bookings (SnelStart verkoopboekingen) instead of sales orders (profile
// setting orders.book_as = "invoice"). A ledger that cannot book invoices does not implement it;
// over the plugin protocol such a ledger answers every call with KindConfig.
type InvoiceLedger interface {
	// CreateSalesInvoice books an invoice and returns it as the ledger stored it (ID filled
	// in). The ledger refuses an invoice whose Total is not the lines plus the VAT lines
	// (KindPermanent, code BOE-0039), one dated in a closed period (BOE-0042) and a number
	// already booked (BOE-0021). KindOutcomeUnknown means it may exist: look it up with
	// FindSalesInvoices by number before booking it again.
	CreateSalesInvoice(ctx context.Context, inv SalesInvoice) (SalesInvoice, error)
	// FindSalesInvoices returns the invoices whose number is one of q.Numbers (the
	// double-import guard). A connector may split a long list over several requests.
	FindSalesInvoices(ctx context.Context, q SalesInvoiceQuery) ([]SalesInvoice, error)
}

// LedgerAccount is a ledger account (SnelStart grootboek).
type LedgerAccount struct {
	ID          string `json:"id"`
	Number      int    `json:"number"`
	Description string `json:"description"`
	// Function is the ledger's grootboekfunctie, e.g. "VerkopenOmzetHoog",
	// "VerkopenExportBinnenEU" (ICP), "VerkopenExportBuitenEU" (export) or
	// "InstallatieTeleverkoopBinnenEUgeen" (OSS).
	Function string `json:"function,omitempty"`
	// ProfitAndLoss is set for a ledger of the profit and loss account (rekeningCode
	// WinstEnVerlies), where revenue is booked.
	ProfitAndLoss bool `json:"profit_and_loss,omitempty"`
	Inactive      bool `json:"inactive,omitempty"`
}

// Ledger functions (grootboekfuncties) of the revenue ledgers koppel picks by itself for
// cross-border sales in invoice mode.
const (
	LedgerFunctionICP    = "VerkopenExportBinnenEU"
	LedgerFunctionExport = "VerkopenExportBuitenEU"
	LedgerFunctionOSS    = "InstallatieTeleverkoopBinnenEUgeen"
)

// VATReverse is reverse-charged VAT (btw verlegd); valid on SalesInvoiceVATRow only.
const VATReverse VATClass = "Verlegd"

// SalesInvoice is a sales invoice booking: revenue lines (amounts excluding VAT) on revenue
// ledger accounts, the VAT per class, and the invoice total. A credit invoice has negative
// amounts. Total must equal the sum of the lines plus the sum of the VAT lines to the cent.
type SalesInvoice struct {
	ID string `json:"id,omitempty"`
	// Number is the factuurnummer (max 25 characters), unique in the administration.
	Number     string    `json:"number"`
	Date       time.Time `json:"date"`
	CustomerID string    `json:"customer_id"`
	// Description is the omschrijving (max 250).
	Description     string               `json:"description,omitempty"`
	PaymentTermDays *int                 `json:"payment_term_days,omitempty"`
	Lines           []SalesInvoiceLine   `json:"lines"`
	VAT             []SalesInvoiceVATRow `json:"vat,omitempty"`
	// Total is the factuurbedrag including VAT.
	Total      Money     `json:"total"`
	ModifiedAt time.Time `json:"modified_at,omitempty"`
	// OpenBalance is what is still to be paid (SnelStart verkoopfactuur openstaandSaldo; 0 =
	// paid), filled by FindSalesInvoices when the ledger knows it; nil otherwise.
	OpenBalance *Money `json:"open_balance,omitempty"`
}

// SalesInvoiceLine is one revenue line of a SalesInvoice.
type SalesInvoiceLine struct {
	Description string `json:"description,omitempty"`
	// LedgerAccountID is the revenue ledger account (grootboek) the amount is booked on.
	LedgerAccountID string `json:"ledger_account_id"`
	CostCentreID    string `json:"cost_centre_id,omitempty"`
	// Amount excludes VAT.
	Amount   Money    `json:"amount"`
	VATClass VATClass `json:"vat_class,omitempty"`
}

// SalesInvoiceVATRow is the VAT of one class on a SalesInvoice.
type SalesInvoiceVATRow struct {
	VATClass VATClass `json:"vat_class"`
	Amount   Money    `json:"amount"`
}

// SalesInvoiceQuery selects sales invoices by number.
type SalesInvoiceQuery struct {
	Numbers []string `json:"numbers"`
}

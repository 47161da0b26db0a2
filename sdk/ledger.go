package sdk

import "context"

// Ledger is the accounting side of a profile: one configured instance of a ledger plugin (one
// SnelStart administration). All methods are safe for concurrent use. Look-ups return an empty
// result, not an error, when nothing matches. Errors are *Error values: KindRetryable for 429,
// 5xx and timeouts before a request was sent; KindOutcomeUnknown for a create whose answer was
// lost; KindPermanent for a refusal, with the service's code and a message a bookkeeper can act
// on.
type Ledger interface {
	// Check connects and reports the administration's name (companyInfo).
	Check(ctx context.Context) (CheckResult, error)

	// FindRelaties returns the customers matching every field set in q.
	FindRelaties(ctx context.Context, q RelatieQuery) ([]Relatie, error)
	// CreateRelatie creates a customer and returns it with ID and Code filled in.
	CreateRelatie(ctx context.Context, r Relatie) (Relatie, error)
	// UpdateRelatie replaces the customer r.ID with r (a full replace: read, change, write).
	UpdateRelatie(ctx context.Context, r Relatie) (Relatie, error)

	// FindArticles returns the articles matching q.
	FindArticles(ctx context.Context, q ArticleQuery) ([]Article, error)
	// CreateArticle creates an article and returns it with ID filled in.
	CreateArticle(ctx context.Context, a Article) (Article, error)
	// UpdateArticle replaces the article a.ID with a.
	UpdateArticle(ctx context.Context, a Article) (Article, error)
	// ListStock streams every article with its stock, one page of the ledger at a time.
	ListStock(ctx context.Context, yield func(Article) error) error

	// ReferenceData returns the administration's revenue groups, templates, cost centres,
	// countries and VAT rates (what the host caches per run).
	ReferenceData(ctx context.Context) (ReferenceData, error)

	// CreateSalesOrder creates a sales order and returns it as the ledger stored it (ID,
	// Number and the ledger's totals filled in). KindOutcomeUnknown means it may exist: look
	// it up with FindSalesOrders by reference before creating it again.
	CreateSalesOrder(ctx context.Context, o SalesOrder) (SalesOrder, error)
	// FindSalesOrders returns the sales orders matching q, most recent first.
	FindSalesOrders(ctx context.Context, q SalesOrderQuery) ([]SalesOrder, error)
	// DeleteSalesOrder deletes the sales order id while it is still an order. An order the
	// ledger processed further (invoiced) is refused with KindProcessed; an order that does not
	// exist (already deleted) is KindNotFound, which the host treats as done.
	DeleteSalesOrder(ctx context.Context, id string) error
}

// RelatieQuery selects customers. Only the fields set are used; all must match.
type RelatieQuery struct {
	// Code is the relatiecode.
	Code int `json:"code,omitempty"`
	// Email matches case-insensitively against every address of the relatie's ";"-separated
	// e-mail field.
	Email string `json:"email,omitempty"`
	// Postcode matches the vestigingsadres postcode, ignoring spaces and case.
	Postcode string `json:"postcode,omitempty"`
	// Name matches the name exactly (case-insensitive).
	Name string `json:"name,omitempty"`
	// ID fetches one relatie by ledger id.
	ID string `json:"id,omitempty"`
	// Emails asks for several e-mail addresses at once (at most 25), with no other field set:
	// the answer holds every relatie that a query with Email set to one of them would return
	// (each address matched as Email is), in one look-up where the ledger allows it. The host
	// asks it only of a plugin that declares CapRelatieEmails, and reads an address without a
	// relatie in the answer as an Email query answered with none.
	Emails []string `json:"emails,omitempty"`
}

// ArticleQuery selects articles. Exactly one of the fields should be set.
type ArticleQuery struct {
	// Code matches the artikelcode exactly.
	Code string `json:"code,omitempty"`
	// ExtraField and ExtraValue match a custom field's value (articles.code_field =
	// "extra:<name>").
	ExtraField string `json:"extra_field,omitempty"`
	ExtraValue string `json:"extra_value,omitempty"`
	// ID fetches one article by ledger id.
	ID string `json:"id,omitempty"`
	// Codes matches any of these artikelcodes exactly (at most 25), in one look-up where the
	// ledger allows it. The host asks it only of a plugin that declares CapArticleCodes.
	Codes []string `json:"codes,omitempty"`
}

// SalesOrderQuery selects sales orders.
type SalesOrderQuery struct {
	// Reference matches the betalingskenmerk or orderreferentie exactly.
	Reference string `json:"reference,omitempty"`
	// References matches any of these references (betalingskenmerk or orderreferentie), so one
	// call can guard a batch of orders against double import. A connector may split a long
	// list over several requests.
	References []string `json:"references,omitempty"`
	// CustomerID limits to one relatie.
	CustomerID string `json:"customer_id,omitempty"`
	// Limit caps the number returned (0 = no cap); with CustomerID and Limit 1 it returns
	// the customer's most recent order.
	Limit int `json:"limit,omitempty"`
}

// ReferenceData is the administration's slowly-changing lists.
type ReferenceData struct {
	Company       CompanyInfo    `json:"company"`
	RevenueGroups []RevenueGroup `json:"revenue_groups"`
	Templates     []Template     `json:"templates"`
	CostCentres   []CostCentre   `json:"cost_centres"`
	Countries     []Country      `json:"countries"`
	VATRates      []VATRate      `json:"vat_rates"`
	// ForeignVATRates are the other EU countries' rates per VAT class; filled only when the
	// administration invoices foreign VAT (CompanyInfo.ForeignVAT).
	ForeignVATRates []ForeignVATRate `json:"foreign_vat_rates,omitempty"`
	// LedgerAccounts are the administration's ledger accounts (grootboeken), for invoice
	// bookings (orders.book_as = "invoice"). Nil when the ledger has none to offer or may not
	// read them (SnelStart online without the scope boekhouden:read).
	LedgerAccounts []LedgerAccount `json:"ledger_accounts,omitempty"`
}

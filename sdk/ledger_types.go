package sdk

import "time"

// Relatie is a customer in the ledger (SnelStart "relatie" of soort Klant).
type Relatie struct {
	// ID is the ledger's id (a GUID in SnelStart online); empty on create.
	ID string `json:"id,omitempty"`
	// Code is the relatiecode (customer number); 0 on create lets the ledger assign one.
	Code int `json:"code,omitempty"`
	// Name is the company name, or the person's name for consumers (max 50 in SnelStart).
	Name string `json:"name"`
	// Address is the vestigingsadres; PostalAddress the correspondentieadres.
	Address       LedgerAddress `json:"address"`
	PostalAddress LedgerAddress `json:"postal_address"`
	Phone         string        `json:"phone,omitempty"`
	Mobile        string        `json:"mobile,omitempty"`
	// Email may hold several addresses separated by ";".
	Email     string `json:"email,omitempty"`
	VATNumber string `json:"vat_number,omitempty"`
	// PaymentTermDays is the krediettermijn; nil leaves the ledger's default.
	PaymentTermDays *int `json:"payment_term_days,omitempty"`
	// EmailInvoices / EmailReminders switch "factuur e-mailen" / "aanmaning e-mailen" on, to
	// InvoiceEmail.
	EmailInvoices  bool   `json:"email_invoices,omitempty"`
	EmailReminders bool   `json:"email_reminders,omitempty"`
	InvoiceEmail   string `json:"invoice_email,omitempty"`
	// Customer is true for a klant; the ledger refuses orders for a relatie that is not one.
	Customer   bool      `json:"customer"`
	Inactive   bool      `json:"inactive,omitempty"`
	ModifiedAt time.Time `json:"modified_at,omitempty"`
}

// LedgerAddress is an address as SnelStart stores it.
type LedgerAddress struct {
	// Contact is the contactpersoon (max 50).
	Contact string `json:"contact,omitempty"`
	// Street is the street with house number (max 50).
	Street   string `json:"street,omitempty"`
	Postcode string `json:"postcode,omitempty"`
	City     string `json:"city,omitempty"`
	// Country is the ISO 3166-1 alpha-2 code; the connector maps it to the ledger's land id.
	Country string `json:"country,omitempty"`
}

// Article is an article (artikel) in the ledger.
type Article struct {
	ID          string `json:"id,omitempty"`
	Code        string `json:"code"`
	Description string `json:"description"`
	// RevenueGroupID is the artikelomzetgroep; it decides the VAT class.
	RevenueGroupID string `json:"revenue_group_id,omitempty"`
	// SalesPrice as stored in the ledger's article file (on the administration's price basis,
	// see CompanyInfo.ArticlePricesInclVAT).
	SalesPrice Money `json:"sales_price"`
	// Price, when set on a create or update, is the sales price both excluding and including
	// VAT. The connector writes the figure the administration's article file keeps (excl. or
	// incl. VAT) rounded to its number of price decimals, and ignores SalesPrice. When nil,
	// SalesPrice is written, rounded to the price decimals.
	Price    *ArticlePrice `json:"price,omitempty"`
	Unit     string        `json:"unit,omitempty"`
	Inactive bool          `json:"inactive,omitempty"`
	// StockTracked tells whether the ledger keeps stock for it.
	StockTracked bool `json:"stock_tracked,omitempty"`
	// FreeStock (vrije voorraad) and TechnicalStock (technische voorraad), read only.
	FreeStock      Money `json:"free_stock"`
	TechnicalStock Money `json:"technical_stock"`
	// ExtraFields are custom fields (name → value).
	ExtraFields map[string]string `json:"extra_fields,omitempty"`
	// Composite is set for a hoofdartikel; Components lists its subartikelen.
	Composite  bool        `json:"composite,omitempty"`
	Components []Component `json:"components,omitempty"`
	ModifiedAt time.Time   `json:"modified_at,omitempty"`
}

// ArticlePrice is a sales price on both bases, so the connector can write the one the
// administration keeps.
type ArticlePrice struct {
	Excl Money `json:"excl"`
	Incl Money `json:"incl"`
}

// Component is one subartikel of a composite article.
type Component struct {
	ArticleID string `json:"article_id,omitempty"`
	Code      string `json:"code"`
	Quantity  Money  `json:"quantity"`
}

// VATClass is a SnelStart VAT class (btwsoort).
type VATClass string

const (
	VATNone  VATClass = "Geen"
	VATLow   VATClass = "Laag"
	VATHigh  VATClass = "Hoog"
	VATOther VATClass = "Overig"
)

// RevenueGroup is an artikelomzetgroep.
type RevenueGroup struct {
	ID          string   `json:"id"`
	Number      int      `json:"number"`
	Description string   `json:"description"`
	VATClass    VATClass `json:"vat_class"`
	// LedgerAccountID is the revenue ledger account (grootboek) the group books on in the
	// home country; invoice bookings (orders.book_as = "invoice") book its revenue there.
	// Empty when the ledger does not say.
	LedgerAccountID string `json:"ledger_account_id,omitempty"`
}

// Template is a verkoopordersjabloon.
type Template struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	Inactive    bool   `json:"inactive,omitempty"`
	// PricesExclVAT is the template's prijsIngaveExclusiefBtw.
	PricesExclVAT bool `json:"prices_excl_vat,omitempty"`
}

// CostCentre is a kostenplaats.
type CostCentre struct {
	ID          string `json:"id"`
	Number      int    `json:"number"`
	Description string `json:"description"`
	Inactive    bool   `json:"inactive,omitempty"`
}

// Country is a land in the ledger.
type Country struct {
	ID   string `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// VATRate is one period of a Dutch VAT rate.
type VATRate struct {
	Class      VATClass   `json:"class"`
	Percentage Money      `json:"percentage"`
	From       time.Time  `json:"from"`
	Until      *time.Time `json:"until,omitempty"`
}

// ForeignVATRate is one period of another EU country's VAT rate for a SnelStart VAT class, as
// the ledger applies it to consumers in that country when it invoices foreign VAT (OSS).
type ForeignVATRate struct {
	// Country is the ISO 3166-1 alpha-2 code ("BE", "DE").
	Country string `json:"country"`
	// Class is the SnelStart VAT class whose articles get this rate in Country.
	Class VATClass `json:"class"`
	// RateCode is the ledger's own code of the rate ("SR", "RRL").
	RateCode   string    `json:"rate_code,omitempty"`
	Percentage Money     `json:"percentage"`
	From       time.Time `json:"from"`
}

// CompanyInfo describes the administration a ledger instance is connected to.
type CompanyInfo struct {
	Name string `json:"name"`
	// ForeignVAT tells whether the administration invoices foreign VAT to EU consumers (OSS,
	// SnelStart companyInfo factureerBuitenlandsBtw).
	ForeignVAT bool `json:"foreign_vat,omitempty"`
	// ArticlePricesInclVAT tells whether the article file keeps sales prices including VAT
	// (SnelStart companyInfo verkoopprijsArtikelbestandExclusiefBtw = false).
	ArticlePricesInclVAT bool `json:"article_prices_incl_vat,omitempty"`
	// PriceDecimals is the number of decimals of article prices (aantalDecimalenArtikelprijzen);
	// 0 when the ledger does not say.
	PriceDecimals int `json:"price_decimals,omitempty"`
	// Extra carries ledger-specific settings (e.g. regelkortingVerkooporder).
	Extra map[string]string `json:"extra,omitempty"`
}

// ProcessStatus is the procesStatus of a sales order.
type ProcessStatus string

// SalesOrder is a sales order (verkooporder) in the ledger.
type SalesOrder struct {
	ID string `json:"id,omitempty"`
	// Number is assigned by the ledger; 0 on create.
	Number     int       `json:"number,omitempty"`
	CustomerID string    `json:"customer_id"`
	Date       time.Time `json:"date"`
	// ProcessStatus, e.g. "Order" or "Pakbon".
	ProcessStatus ProcessStatus `json:"process_status,omitempty"`
	Description   string        `json:"description,omitempty"`
	// PaymentReference is the betalingskenmerk; koppel stamps its reference here.
	PaymentReference string `json:"payment_reference,omitempty"`
	// OrderReference is the orderreferentie (max 50); koppel also stamps its reference here.
	OrderReference  string         `json:"order_reference,omitempty"`
	InvoiceAddress  *LedgerAddress `json:"invoice_address,omitempty"`
	DeliveryAddress *LedgerAddress `json:"delivery_address,omitempty"`
	// PricesIncludeVAT selects verkooporderBtwIngaveModel Inclusief (true) or Exclusief.
	PricesIncludeVAT bool             `json:"prices_include_vat"`
	CostCentreID     string           `json:"cost_centre_id,omitempty"`
	TemplateID       string           `json:"template_id,omitempty"`
	PaymentTermDays  *int             `json:"payment_term_days,omitempty"`
	Memo             string           `json:"memo,omitempty"`
	Lines            []SalesOrderLine `json:"lines"`
	// TotalExcl and TotalIncl are computed by the ledger; filled on what it returns.
	TotalExcl  Money     `json:"total_excl"`
	TotalIncl  Money     `json:"total_incl"`
	ModifiedAt time.Time `json:"modified_at,omitempty"`
}

// SalesOrderLine is one line of a SalesOrder. A line without ArticleID is a text line.
type SalesOrderLine struct {
	ArticleID   string `json:"article_id,omitempty"`
	Description string `json:"description,omitempty"`
	// UnitPrice is including or excluding VAT as the order's PricesIncludeVAT says; nil leaves
	// the price to the ledger (price agreements).
	UnitPrice       *Money `json:"unit_price,omitempty"`
	Quantity        Money  `json:"quantity"`
	DiscountPercent Money  `json:"discount_percent"`
	// Total is computed by the ledger.
	Total Money `json:"total"`
}

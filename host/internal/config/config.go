// Package config reads koppel's profile language: every *.hcl file of a config directory,
// decoded into typed Go structures and checked against spec/settings.md and against the schemas
// the shop and ledger plugins declare. Every problem is reported as an hcl.Diagnostic with the
// file, line and column it concerns and a hint saying what to write instead; Format prints them.
// Sensitive values (attributes a plugin schema marks Sensitive, koppel.api_token, and whatever
// env() or file() produced for them) never appear in a diagnostic; Config.Redactor hides them in
// logs.
package config

import (
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// Config is a decoded config directory.
//
// Load always returns a non-nil Config. When its diagnostics contain errors the Config is
// partial: use it only for Files (to print the diagnostics) and Redactor, never to run anything.
type Config struct {
	// Dir is the config directory as given to Load.
	Dir string
	// Koppel is the koppel block with its defaults filled in (all defaults when there is none).
	Koppel KoppelBlock
	// Profiles in the order they appear (files sorted by name, then source order).
	Profiles []*Profile
	// Files maps each file name read (dir joined with the base name) to its parsed file, for
	// printing diagnostics with their source lines.
	Files map[string]*hcl.File

	// sensitive holds every sensitive value seen while loading, for Redactor.
	sensitive map[string]bool
}

// Profile returns the profile with that name, or nil.
func (c *Config) Profile(name string) *Profile {
	for _, p := range c.Profiles {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// ProfileNames returns the names of all profiles in order.
func (c *Config) ProfileNames() []string {
	out := make([]string, 0, len(c.Profiles))
	for _, p := range c.Profiles {
		out = append(out, p.Name)
	}
	return out
}

// Defaults of the koppel block.
const (
	DefaultStateDir      = "./state"
	DefaultPluginDir     = "./plugins"
	DefaultListen        = "127.0.0.1:8484"
	DefaultRetentionDays = 90
	// DefaultMemoryLimit is memory_limit's default: the Go runtime's soft limit on the host's
	// own memory (heap, stacks, runtime), see docs/operations.md ("Memory and a long history").
	DefaultMemoryLimit = 80 << 20
	// MinMemoryLimit is the smallest memory_limit accepted: below it the host would spend its
	// time collecting garbage.
	MinMemoryLimit = 32 << 20
)

// KoppelBlock is the optional top-level `koppel { ... }` block: settings of the host itself.
type KoppelBlock struct {
	// StateDir is the Badger directory; a relative path is resolved against the config
	// directory, so this is absolute (or relative to the working directory when the config
	// directory could not be made absolute). Default "./state".
	StateDir string
	// PluginDir is where koppel-plugin-* binaries live, resolved like StateDir. Default
	// "./plugins".
	PluginDir string
	// LockFile is the plugin lock file (lock_file), resolved like StateDir; "" means
	// PluginDir/koppel-plugins.lock. Putting it outside plugin_dir (a directory only the
	// administrator can write, such as /etc/koppel) keeps whoever can drop a binary into
	// plugin_dir from also trusting it.
	LockFile string
	// Listen is the dashboard and HTTP API address; "" disables them. Default "127.0.0.1:8484".
	Listen string
	// APIToken is the bearer token of the HTTP API. Sensitive: never print or log it. Required
	// when Listen is not a loopback address.
	APIToken string
	// TLSCert and TLSKey are PEM files (tls_cert, tls_key), resolved like StateDir: the
	// dashboard and API then speak HTTPS with this certificate. Both or neither.
	TLSCert, TLSKey string
	// TLSSelfSigned (tls = "self-signed") makes koppel serve HTTPS with a certificate it makes
	// itself and keeps in StateDir/tls; it prints the certificate's SHA-256 fingerprint at start.
	TLSSelfSigned bool
	// InsecureHTTP (insecure_http = true) allows plain HTTP on a listen address that is not
	// loopback, e.g. behind a reverse proxy that does TLS on the same machine.
	InsecureHTTP bool
	// RetentionDays is how long run history and resolved failures are kept; >= 1, default 90.
	RetentionDays int
	// MemoryLimit is the soft limit in bytes on the Go runtime's memory (memory_limit, default
	// DefaultMemoryLimit); 0 (memory_limit = "off") sets none. The environment variable
	// GOMEMLIMIT, when set, wins over it.
	MemoryLimit int64
	// SMTP is the smtp block (the mail server for notify e-mails), nil when there is none.
	SMTP *SMTP
	// DeclRange is the block header's range; zero when the config has no koppel block.
	DeclRange hcl.Range
}

// TLS reports whether the dashboard and API speak HTTPS (tls_cert/tls_key or tls = "self-signed").
func (k KoppelBlock) TLS() bool {
	return k.TLSSelfSigned || k.TLSCert != ""
}

// ListenIsLoopback reports whether Listen names a loopback address (127.0.0.0/8, ::1 or
// "localhost"). An empty host (":8484") listens on every interface and is not loopback.
func (k KoppelBlock) ListenIsLoopback() bool {
	return isLoopback(k.Listen)
}

// Profile links one webshop to one SnelStart administration.
type Profile struct {
	// Name is the block label; unique across the config directory. It is used on the command
	// line and in URLs, so it only holds letters, digits, '_', '-' and '.'.
	Name string
	// Description is free text, used by orders.description = "profile".
	Description string
	// Shop is the `shop "plugin" { ... }` block.
	Shop PluginBlock
	// Ledger is the `ledger "plugin" { ... }` block.
	Ledger PluginBlock
	// Orders holds the orders block (tab Verkopen) with defaults filled in.
	Orders Orders
	// Articles holds the articles block (tab Artikelen) with defaults filled in.
	Articles Articles
	// Customers holds the customers block (tab Klanten) with defaults filled in.
	Customers Customers
	// Stock holds the stock block (Voorraadkoppeling) with defaults filled in.
	Stock Stock
	// Tasks are the scheduled tasks in source order; labels are unique within the profile.
	Tasks []Task
	// Notify is the notify block (alerts by e-mail and webhook), nil when there is none.
	Notify *Notify
	// DeclRange is the range of the `profile "name"` header.
	DeclRange hcl.Range
}

// Task returns the task block with that name, or false.
func (p *Profile) Task(name TaskName) (Task, bool) {
	for _, t := range p.Tasks {
		if t.Name == name {
			return t, true
		}
	}
	return Task{}, false
}

// PluginBlock is a shop or ledger block: the plugin's name and its body decoded against the
// plugin's own schema.
type PluginBlock struct {
	// Name is the block label: the plugin's name (binary koppel-plugin-NAME).
	Name string
	// Config is the body as JSON values: types checked, enums checked, durations parsed,
	// defaults filled in. Pass it to the plugin.
	Config sdk.Config
	// Schema is the schema the plugin declared (empty when LoadOptions.Schemas was nil).
	Schema sdk.Schema
	// Range is the range of the block header (`shop "woocommerce"`).
	Range hcl.Range
}

// OrderDescription is orders.description.
type OrderDescription string

// Values of orders.description.
const (
	DescriptionAuto        OrderDescription = "auto"
	DescriptionProfile     OrderDescription = "profile"
	DescriptionOrderNumber OrderDescription = "order_number"
	DescriptionNone        OrderDescription = "none"
)

// OrderAddresses is orders.addresses.
type OrderAddresses string

// Values of orders.addresses.
const (
	AddressesOrder    OrderAddresses = "order"
	AddressesCustomer OrderAddresses = "customer"
)

// OrderLines is orders.lines.
type OrderLines string

// Values of orders.lines.
const (
	LinesFull              OrderLines = "full"
	LinesCodeAndQuantity   OrderLines = "code_and_quantity"
	LinesLedgerDescription OrderLines = "ledger_description"
)

// ProductOptions is orders.product_options.
type ProductOptions string

// Values of orders.product_options.
const (
	OptionsSeparateLine ProductOptions = "separate_line"
	OptionsInLine       ProductOptions = "in_line"
	OptionsIgnore       ProductOptions = "ignore"
)

// ProcessStatus is orders.process_status: the procesStatus of a new SnelStart sales order.
type ProcessStatus string

// Values of orders.process_status (SnelStart's own spelling).
const (
	ProcessOrder       ProcessStatus = "Order"
	ProcessBevestiging ProcessStatus = "Bevestiging"
	ProcessWerkbon     ProcessStatus = "Werkbon"
	ProcessPakbon      ProcessStatus = "Pakbon"
	ProcessAfhaalbon   ProcessStatus = "Afhaalbon"
)

// VATCheck is orders.vat_check.
type VATCheck string

// Values of orders.vat_check.
const (
	VATCheckFail VATCheck = "fail"
	VATCheckWarn VATCheck = "warn"
	VATCheckOff  VATCheck = "off"
)

// BookAs is orders.book_as: what a shop order becomes in the ledger.
type BookAs string

// Values of orders.book_as.
const (
	// BookAsOrder books a sales order (verkooporder) the bookkeeper invoices in SnelStart.
	BookAsOrder BookAs = "order"
	// BookAsInvoice books a sales invoice (verkoopboeking) directly, refunds as credit
	// invoices; SnelStart online only.
	BookAsInvoice BookAs = "invoice"
)

// Scheme keys of orders.ledger_by_vat besides the VAT rates.
const (
	// LedgerKeyICP is the revenue ledger of intra-community deliveries to EU businesses (ICP).
	LedgerKeyICP = "icp"
	// LedgerKeyExport is the revenue ledger of deliveries outside the EU.
	LedgerKeyExport = "export"
	// LedgerKeyOSS is the revenue ledger of sales to EU consumers taxed at their country's
	// rate (OSS).
	LedgerKeyOSS = "oss"
)

// OnRefund is orders.on_refund: what a refund in the shop becomes.
type OnRefund string

// Values of orders.on_refund.
const (
	RefundCreditOrder OnRefund = "credit_order"
	RefundAttention   OnRefund = "attention"
	RefundIgnore      OnRefund = "ignore"
)

// OnCancel is orders.on_cancel: what an order cancelled in the shop after import becomes.
type OnCancel string

// Values of orders.on_cancel.
const (
	CancelDelete      OnCancel = "delete"
	CancelCreditOrder OnCancel = "credit_order"
	CancelAttention   OnCancel = "attention"
	CancelIgnore      OnCancel = "ignore"
)

// OnChange is orders.on_change: what an imported order whose lines or total changed becomes.
type OnChange string

// Values of orders.on_change.
const (
	ChangeAttention OnChange = "attention"
	ChangeIgnore    OnChange = "ignore"
)

// Orders is the orders block (tab Verkopen). See spec/settings.md for the meaning of each field.
type Orders struct {
	// Since: orders created or modified before this are never imported. Required.
	Since time.Time
	// Statuses are the shop statuses imported; nil means the shop plugin's default set.
	Statuses []string
	// Template is the sales-order template, number or name as written; "" = SnelStart's default.
	Template string
	// ReuseLastTemplate uses the template of this customer's most recent order. Default false.
	ReuseLastTemplate bool
	// PaymentReference puts the order number in betalingskenmerk and refuses an order whose
	// number SnelStart already has. Default true.
	PaymentReference bool
	// ReferencePrefix is put before the reference. Default "".
	ReferencePrefix string
	// Description of the sales order. Default order_number.
	Description OrderDescription
	// Addresses of the sales order. Default order.
	Addresses OrderAddresses
	// Lines says how order lines are filled. Default full.
	Lines OrderLines
	// Recipes adds component lines for composite articles. Default false.
	Recipes bool
	// ProductOptions says where product options go. Default in_line.
	ProductOptions ProductOptions
	// ShippingArticle is the article code for shipping costs; "" = not set.
	ShippingArticle string
	// DiscountArticle is the article code for order-level discounts; "" = not set.
	DiscountArticle string
	// PaymentFeeArticle is the article code for payment fees; "" = not set.
	PaymentFeeArticle string
	// DifferenceArticle books a difference between SnelStart's and the shop's total; "" = not set.
	DifferenceArticle string
	// DifferenceTolerance is the largest difference left alone. Default 0.00, never negative.
	DifferenceTolerance decimal.Decimal
	// FallbackArticle is used for a line without a known SnelStart code; "" = not set.
	FallbackArticle string
	// CostCentre (kostenplaats), number or name as written; "" = none.
	CostCentre string
	// ProcessStatus of new sales orders. Default Order.
	ProcessStatus ProcessStatus
	// VATCheck compares shop VAT rates with the article's omzetgroep. Default fail.
	VATCheck VATCheck
	// Currency is the administration's currency (ISO 4217, upper case). Default "EUR"; an
	// order in another currency is refused with both currencies named.
	Currency string
	// BookAs says whether an order is booked as a sales order or as a sales invoice. Default
	// order.
	BookAs BookAs
	// LedgerByVAT maps a VAT rate ("21", "9", "0", by the rate's decimal string) or a VAT
	// scheme (LedgerKeyICP, LedgerKeyExport, LedgerKeyOSS) to a revenue ledger (grootboek),
	// number or name as written. In invoice mode it overrides the ledger of the articles'
	// omzetgroepen. Nil = not set.
	LedgerByVAT map[string]string
	// MarkPaid adds a note to the shop order once SnelStart shows its invoice paid (invoice
	// mode, shops whose API takes order notes). Default false.
	MarkPaid bool
	// OnRefund says what a shop refund becomes: a credit sales order per refund, an attention
	// item, or nothing. Default credit_order.
	OnRefund OnRefund
	// RefundArticle is the article code amount-only refunds are booked on; "" = not set.
	RefundArticle string
	// OnCancel says what an order cancelled after import becomes. Default attention.
	OnCancel OnCancel
	// OnChange says what an imported order whose lines or total changed becomes. Default
	// attention.
	OnChange OnChange
	// DeclRange is the block header's range; zero when the profile has no orders block.
	DeclRange hcl.Range
}

// ArticleMode is articles.mode and customers.mode.
type ArticleMode string

// Values of articles.mode and customers.mode.
const (
	ModeAdd       ArticleMode = "add"
	ModeAddUpdate ArticleMode = "add_update"
	ModeManual    ArticleMode = "manual"
)

// CodeFieldArtikelcode is the default of articles.code_field; the other form is "extra:<name>".
const CodeFieldArtikelcode = "artikelcode"

// Articles is the articles block (tab Artikelen).
type Articles struct {
	// Since: the import_articles task takes shop products changed after this; zero = all.
	Since time.Time
	// CodeField is "artikelcode" (default) or "extra:<field name>".
	CodeField string
	// RevenueGroup (omzetgroep) for articles koppel creates, number or name as written; "" = none.
	RevenueGroup string
	// RevenueGroupByVAT maps a VAT rate to an omzetgroep (number or name as written). Keys are
	// normalised decimal strings ("21", "9", "5.5", "0"); use GroupForRate to look one up.
	RevenueGroupByVAT map[string]string
	// Mode is add (default), add_update or manual.
	Mode ArticleMode
	// DeclRange is the block header's range; zero when the profile has no articles block.
	DeclRange hcl.Range
}

// ExtraField returns the extra (custom) field name when CodeField is "extra:<name>".
func (a Articles) ExtraField() (string, bool) {
	name, ok := strings.CutPrefix(a.CodeField, "extra:")
	return name, ok && name != ""
}

// GroupForRate returns the omzetgroep for a VAT rate: from RevenueGroupByVAT when it has the
// rate, else RevenueGroup; false when neither gives one.
func (a Articles) GroupForRate(rate decimal.Decimal) (string, bool) {
	if g, ok := a.RevenueGroupByVAT[rate.String()]; ok {
		return g, true
	}
	return a.RevenueGroup, a.RevenueGroup != ""
}

// CustomerMatch is customers.match.
type CustomerMatch string

// Values of customers.match.
const (
	MatchCode                CustomerMatch = "code"
	MatchEmail               CustomerMatch = "email"
	MatchCodeOrEmail         CustomerMatch = "code_or_email"
	MatchEmailPostcode       CustomerMatch = "email_postcode"
	MatchCodeOrEmailPostcode CustomerMatch = "code_or_email_postcode"
	MatchSmart               CustomerMatch = "smart"
)

// Customers is the customers block (tab Klanten).
type Customers struct {
	// Match is how a shop customer is recognised. Default smart.
	Match CustomerMatch
	// Mode is add (default), add_update or manual.
	Mode ArticleMode
	// FixedCustomer is the relatiecode every order is booked on (only with Mode manual);
	// 0 = not set.
	FixedCustomer int
	// PaymentTerm is the krediettermijn in days for customers koppel creates; nil = not set
	// (SnelStart's default).
	PaymentTerm *int
	// EmailInvoices turns on "factuur e-mailen" for new customers. Default false.
	EmailInvoices bool
	// EmailReminders turns on "aanmaning e-mailen" for new customers. Default false.
	EmailReminders bool
	// DeclRange is the block header's range; zero when the profile has no customers block.
	DeclRange hcl.Range
}

// StockQuantity is stock.quantity.
type StockQuantity string

// Values of stock.quantity.
const (
	QuantityFree      StockQuantity = "free"
	QuantityTechnical StockQuantity = "technical"
)

// Stock is the stock block (Voorraadkoppeling).
type Stock struct {
	// Quantity is which SnelStart stock is written. Default free.
	Quantity StockQuantity
	// Buffer is subtracted before writing (never below 0). Default 0, never negative.
	Buffer int
	// Composites computes a composite's stock from its components. Default true.
	Composites bool
	// DeclRange is the block header's range; zero when the profile has no stock block.
	DeclRange hcl.Range
}

// TaskName is a task block label.
type TaskName string

// The tasks a profile can schedule.
const (
	TaskImportOrders            TaskName = "import_orders"
	TaskImportArticles          TaskName = "import_articles"
	TaskExportStock             TaskName = "export_stock"
	TaskImportOrdersExportStock TaskName = "import_orders_export_stock"
	// TaskReconcile compares the shop's orders with SnelStart's (read-only; attention items).
	TaskReconcile TaskName = "reconcile"
)

// TaskNames lists every valid task name in documentation order.
var TaskNames = []TaskName{TaskImportOrders, TaskImportArticles, TaskExportStock, TaskImportOrdersExportStock, TaskReconcile}

// ValidTaskName reports whether s names a task.
func ValidTaskName(s string) bool {
	for _, t := range TaskNames {
		if string(t) == s {
			return true
		}
	}
	return false
}

// Task is one `task "name" { every = ... next = ... }` block.
type Task struct {
	// Name is the task.
	Name TaskName
	// Every is the interval; 0 means the task runs only on demand.
	Every time.Duration
	// Next is the first run time; zero when not given (the scheduler starts now). It is only
	// allowed together with Every.
	Next time.Time
	// DeclRange is the range of the `task "name"` header.
	DeclRange hcl.Range
}

// defaultOrders returns the orders block with every default.
func defaultOrders() Orders {
	return Orders{
		PaymentReference:    true,
		Description:         DescriptionOrderNumber,
		Addresses:           AddressesOrder,
		Lines:               LinesFull,
		ProductOptions:      OptionsInLine,
		DifferenceTolerance: decimal.Zero,
		ProcessStatus:       ProcessOrder,
		VATCheck:            VATCheckFail,
		Currency:            "EUR",
		OnRefund:            RefundCreditOrder,
		BookAs:              BookAsOrder,
		OnCancel:            CancelAttention,
		OnChange:            ChangeAttention,
	}
}

func defaultArticles() Articles {
	return Articles{CodeField: CodeFieldArtikelcode, Mode: ModeAdd}
}

func defaultCustomers() Customers {
	return Customers{Match: MatchSmart, Mode: ModeAdd}
}

func defaultStock() Stock {
	return Stock{Quantity: QuantityFree, Composites: true}
}

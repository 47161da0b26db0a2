// Package mapping turns a shop order, a profile and a read-only view of the ledger into a Plan:
// what koppel would book in SnelStart and why. It is the "functional core" of import_orders:
// every setting of the orders, articles and customers blocks takes effect here, and nothing here
// writes. The pipeline (host/internal/pipeline) applies a plan: it records intents, creates the
// customers and articles the plan asks for, creates the sales order exactly once and records the
// outcome. `koppel plan` and the dashboard's preview show plans without applying them.
//
// The package does no I/O of its own: look-ups go through a View (FindRelaties, articles by
// code, the last template of a customer, the state store's remembered customers and articles),
// which the caller implements and caches. It must not import the state store, the plugin
// manager or the plugin protocol (plan_imports_test.go checks that).
//
// A Plan has a Kind. Today there is KindSalesOrder; a credit order (a refund) or an invoice
// booking are further kinds with their own body, sharing the customer and article decisions,
// the lines, the totals and the problems.
package mapping

import (
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// Kind says what a plan books in the ledger.
type Kind string

// Plan kinds.
const (
	// KindSalesOrder books a shop order as a SnelStart sales order (verkooporder).
	KindSalesOrder Kind = "sales_order"
)

// Action is what applying a plan does with the order.
type Action string

// Plan actions.
const (
	// ActionCreate: the order is booked (the customer and articles the plan names are created
	// or updated first).
	ActionCreate Action = "create"
	// ActionSkip: nothing to do (already imported, waiting for a status, before orders.since,
	// parked and unchanged, already present in SnelStart). Set by the caller that screens orders.
	ActionSkip Action = "skip"
	// ActionFail: the order cannot be booked as it is; Problems says why and what to do.
	ActionFail Action = "fail"
)

// Plan is what koppel would book for one shop order. It is computed by Planner.Plan without
// writing anything; the pipeline applies it.
type Plan struct {
	Kind   Kind   `json:"kind"`
	Action Action `json:"action"`
	// ShopID and ShopNumber identify the shop order; Reference is what koppel stamps on the
	// booking (reference_prefix + number).
	ShopID     string `json:"shop_id"`
	ShopNumber string `json:"shop_number"`
	Reference  string `json:"reference"`
	// Customer is the decision about the relatie the order is booked on.
	Customer CustomerDecision `json:"customer"`
	// Articles are the decisions about every SnelStart article the order uses, each once
	// (lines refer to them by index).
	Articles []ArticleDecision `json:"articles,omitempty"`
	// SalesOrder is the body of the sales order (KindSalesOrder). The customer id and the
	// article ids of customers and articles still to be created are empty: Bind fills them.
	SalesOrder sdk.SalesOrder `json:"sales_order"`
	// Invoice is the invoice booking (KindInvoice, KindCreditInvoice: orders.book_as =
	// "invoice"), made from the same lines and totals; its customer id is filled by
	// BindInvoice. Nil for the other kinds.
	Invoice *sdk.SalesInvoice `json:"invoice,omitempty"`
	// Lines describe SalesOrder.Lines one to one.
	Lines []Line `json:"lines,omitempty"`
	// Totals are the shop's total and what SnelStart is expected to compute.
	Totals Totals `json:"totals"`
	// VATScheme is how SnelStart taxes the order (domestic, oss, icp, export) and VATCountry
	// the destination it was decided by.
	VATScheme  VATScheme `json:"vat_scheme,omitempty"`
	VATCountry string    `json:"vat_country,omitempty"`
	// Warnings are things a bookkeeper may want to look at; they never block the order.
	Warnings []string `json:"warnings,omitempty"`
	// Problems say why the order cannot be booked (Action fail), written for a bookkeeper.
	// Planning stops at the first problem, so there is one.
	Problems []string `json:"problems,omitempty"`
}

// Reason is the first problem, or "".
func (p *Plan) Reason() string {
	if len(p.Problems) == 0 {
		return ""
	}
	return p.Problems[0]
}

// Bind returns the sales order to create, with the customer id and the article ids filled in
// (articleIDs[i] is the ledger id of Articles[i] once it exists).
func (p *Plan) Bind(customerID string, articleIDs []string) sdk.SalesOrder {
	so := p.SalesOrder
	so.CustomerID = customerID
	so.Lines = make([]sdk.SalesOrderLine, len(p.SalesOrder.Lines))
	copy(so.Lines, p.SalesOrder.Lines)
	for i, l := range p.Lines {
		if l.Article >= 0 && l.Article < len(articleIDs) && so.Lines[i].ArticleID == "" {
			so.Lines[i].ArticleID = articleIDs[l.Article]
		}
	}
	return so
}

// CustomerAction is the decision about the relatie.
type CustomerAction string

// Customer actions.
const (
	// CustomerExisting: book on an existing relatie (ID, Code).
	CustomerExisting CustomerAction = "existing"
	// CustomerCreate: create Relatie, then book on it.
	CustomerCreate CustomerAction = "create"
	// CustomerUpdate: update the existing relatie (ID, Code) to Relatie (customers.mode =
	// add_update), then book on it.
	CustomerUpdate CustomerAction = "update"
	// CustomerFail: no relatie can be used; the plan's problem says why.
	CustomerFail CustomerAction = "fail"
)

// CustomerDecision is how the order's customer becomes a SnelStart relatie.
type CustomerDecision struct {
	Action CustomerAction `json:"action"`
	// Key is the map key the shop customer is remembered by (see pipeline.CustomerMapRecord).
	Key string `json:"key,omitempty"`
	// ID, Code and Name are the existing relatie (existing, update).
	ID   string `json:"id,omitempty"`
	Code int    `json:"code,omitempty"`
	Name string `json:"name,omitempty"`
	// MatchedBy says how the relatie was found: "code", "email",
	// "email_postcode", "name_postcode", "fixed", "adopted" (an earlier create whose answer was
	// lost), "planned" (created by an earlier order of the same preview), or "" for a create.
	MatchedBy string `json:"matched_by,omitempty"`
	// Remembered says the relatie came from what koppel remembers (no look-up was needed).
	Remembered bool `json:"remembered,omitempty"`
	// Relatie is the relatie to create (create) or as it is to become (update).
	Relatie *sdk.Relatie `json:"relatie,omitempty"`
	// DataHash is the hash of the shop data kept up to date with add_update.
	DataHash string `json:"data_hash,omitempty"`
	// Remember says the customer map record must be written (a new match, or a new hash).
	Remember bool `json:"remember,omitempty"`
	// Forget says the remembered relatie is gone or inactive in SnelStart: its map record is
	// dropped, whatever else happens.
	Forget bool `json:"forget,omitempty"`
	// HadIntent says an earlier create of this customer had no answer (its intent is settled
	// when the plan is applied).
	HadIntent bool `json:"had_intent,omitempty"`
	// Reason says why (fail).
	Reason string `json:"reason,omitempty"`
}

// ArticleAction is the decision about one SnelStart article.
type ArticleAction string

// Article actions.
const (
	// ArticleFound: the article exists (Article.ID).
	ArticleFound ArticleAction = "found"
	// ArticleCreate: create Create (articles.mode add / add_update), then use it.
	ArticleCreate ArticleAction = "create"
	// ArticleUpdate: the article exists and its description and price are brought up to date
	// from the shop (articles.mode = add_update).
	ArticleUpdate ArticleAction = "update"
)

// ArticleDecision is one SnelStart article the order uses.
type ArticleDecision struct {
	Action ArticleAction `json:"action"`
	// Lookup is how the article is found; its MapKey is the key it is remembered by.
	Lookup ArticleKey `json:"lookup"`
	// Article is the article as known (found), as it will be (create: without ID; update:
	// with the new description and price).
	Article Article `json:"article"`
	// Create is the article to create (create).
	Create *sdk.Article `json:"create,omitempty"`
	// Remember says the article was read from the ledger for this plan and is to be written
	// to the article map.
	Remember bool `json:"remember,omitempty"`
	// Setting names the profile setting the article comes from (shipping_article,
	// fallback_article, ...); "" for a product's own article or a component.
	Setting string `json:"setting,omitempty"`
}

// LineKind says where a sales-order line comes from.
type LineKind string

// Line kinds.
const (
	LineProduct    LineKind = "product"
	LineComponent  LineKind = "component"
	LineText       LineKind = "text"
	LineCharge     LineKind = "charge"
	LineDifference LineKind = "difference"
)

// Line describes one line of the booking.
type Line struct {
	Kind LineKind `json:"kind"`
	// Label names the line in messages ("line 2 (code "A1", "Koffie")").
	Label string `json:"label"`
	// Article is the index in Plan.Articles, or -1 for a text line.
	Article int `json:"article"`
	// ArticleCode is the SnelStart artikelcode ("" for a text line).
	ArticleCode string `json:"article_code,omitempty"`
	// Fallback is set when the product is booked on orders.fallback_article.
	Fallback bool `json:"fallback,omitempty"`
	// ShopRate is the shop's VAT rate of the line, when it has one.
	ShopRate *sdk.Money `json:"shop_rate,omitempty"`
	// VATClass and VATRate are those of the article's omzetgroep on the order date (empty or
	// nil when unknown).
	VATClass sdk.VATClass `json:"vat_class,omitempty"`
	VATRate  *sdk.Money   `json:"vat_rate,omitempty"`
	// Amount is quantity × unit price as SnelStart computes it (nil when SnelStart sets the
	// price), in the basis the order is entered in (Totals.PricesIncludeVAT).
	Amount *sdk.Money `json:"amount,omitempty"`
}

// Totals are the shop's total and the SnelStart totals a plan expects.
type Totals struct {
	// Shop is the shop's total including VAT.
	Shop sdk.Money `json:"shop"`
	// Predicted is false when SnelStart's total cannot be known before the create (prices left
	// to SnelStart with lines = "code_and_quantity", or an unknown VAT rate).
	Predicted bool `json:"predicted"`
	// PricesIncludeVAT says how the order is entered in SnelStart.
	PricesIncludeVAT bool `json:"prices_include_vat"`
	// Ledger is SnelStart's expected total including VAT (VAT rounded per rate), difference
	// line included.
	Ledger sdk.Money `json:"ledger"`
	// ByRate splits Ledger by VAT rate, highest rate first.
	ByRate []RateTotal `json:"by_rate,omitempty"`
	// Difference is the amount booked on orders.difference_article (zero when none).
	Difference sdk.Money `json:"difference"`
}

// RateTotal is the expected turnover and VAT at one VAT rate.
type RateTotal struct {
	Rate sdk.Money `json:"rate"`
	Excl sdk.Money `json:"excl"`
	VAT  sdk.Money `json:"vat"`
	Incl sdk.Money `json:"incl"`
}

var (
	hundred = decimal.NewFromInt(100)
	one     = decimal.NewFromInt(1)
)

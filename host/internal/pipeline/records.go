package pipeline

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// OrderRecord is stored under order/<profile>/<shop-id> once an order is done: created by koppel,
// adopted after a lost answer, or found already present in SnelStart. It holds ids, numbers,
// amounts and the relatiecode, and the name of a business customer only (CustomerName): never a
// private person's name, never an address. `koppel orders` and the dashboard list these.
type OrderRecord struct {
	// ShopID is the shop's id of the order (the key); ShopNumber the number the customer saw.
	ShopID     string `json:"shop_id"`
	ShopNumber string `json:"shop_number"`
	// Reference is what koppel stamped on the sales order (orderreferentie, and
	// betalingskenmerk when payment_reference is on).
	Reference string `json:"reference"`
	// Status is StatusImported, StatusAdopted or StatusAlreadyPresent.
	Status OutcomeStatus `json:"status"`
	// LedgerOrderID and LedgerNumber identify the SnelStart sales order.
	LedgerOrderID string `json:"ledger_order_id"`
	LedgerNumber  int    `json:"ledger_number"`
	// CustomerID and CustomerCode identify the relatie (id and relatiecode).
	CustomerID   string `json:"customer_id,omitempty"`
	CustomerCode int    `json:"customer_code,omitempty"`
	// CustomerName is the relatie's name as it was when the order was booked, kept only for a
	// business record: an order that names a company, or the profile's fixed customer (see
	// BusinessName). Empty for a private person, whose name koppel does not keep once the
	// order is done (docs/profiles.md, "Personal data"); records written before this field
	// existed have none either.
	CustomerName string `json:"customer_name,omitempty"`
	// TotalExcl and TotalIncl are SnelStart's totals of the sales order; ShopTotal is the
	// shop's total including VAT.
	TotalExcl sdk.Money `json:"total_excl"`
	TotalIncl sdk.Money `json:"total_incl"`
	ShopTotal sdk.Money `json:"shop_total"`
	// DifferenceBooked is the amount booked on orders.difference_article (zero when none).
	DifferenceBooked sdk.Money `json:"difference_booked"`
	// ShopModifiedAt is the shop's modification time of the order as imported.
	ShopModifiedAt time.Time `json:"shop_modified_at"`
	// LinesHash is a hash of the order's lines and charges as imported (see linesHash), so an
	// edit in the shop after import is seen (orders.on_change).
	LinesHash string `json:"lines_hash,omitempty"`
	// Cancel records what koppel did when the order was cancelled in the shop after import
	// (orders.on_cancel): "deleted", "credited", "listed" or "ignored"; "" while not cancelled.
	Cancel   string     `json:"cancel,omitempty"`
	CancelAt *time.Time `json:"cancel_at,omitempty"`
	// DoneAt is when koppel recorded the order.
	DoneAt time.Time `json:"done_at"`
	// Warnings are the run's warnings about this order (no personal data in them).
	Warnings []string `json:"warnings,omitempty"`
}

// IntentRecord is stored under intent/<profile>/<shop-id> just before CreateSalesOrder and
// deleted in the transaction that writes the OrderRecord (or when the create certainly did not
// happen). One that is still there at the start of an order's processing means the outcome of
// an earlier create is unknown: the ledger is asked for Reference before anything else.
type IntentRecord struct {
	ShopID     string `json:"shop_id"`
	ShopNumber string `json:"shop_number"`
	// Reference is the reference the create stamps on the sales order.
	Reference string `json:"reference"`
	// CustomerID is the relatie the order is being created for.
	CustomerID string `json:"customer_id,omitempty"`
	// StartedAt is when the create was started; Attempts counts creates started for the order.
	StartedAt time.Time `json:"started_at"`
	Attempts  int       `json:"attempts"`
	// LastError is the error of the last create whose outcome is unknown, if any.
	LastError string `json:"last_error,omitempty"`
}

// FailedRecord is stored under failed/<profile>/<shop-id> for an order that failed. A parked
// record (Parked true) waits for the user (`koppel retry`) or for a change of the order in the
// shop; one that is not parked failed transiently and is retried on the next run. It is
// deleted when the order is done.
type FailedRecord struct {
	ShopID     string `json:"shop_id"`
	ShopNumber string `json:"shop_number"`
	// Reason is written for a bookkeeper: what is wrong and, where known, what to do.
	Reason string `json:"reason"`
	// Kind is the error kind (sdk.ErrorKind, or "refused" for the pipeline's own checks) and
	// Code the service's error code, if any.
	Kind string `json:"kind"`
	Code string `json:"code,omitempty"`
	// Parked is true for a permanent failure (and for a transient one repeated too often).
	Parked bool `json:"parked"`
	// Attempts counts the runs in which the order failed.
	Attempts      int       `json:"attempts"`
	FirstFailedAt time.Time `json:"first_failed_at"`
	LastFailedAt  time.Time `json:"last_failed_at"`
	// ShopModifiedAt is the order's modification time when it failed; a newer one in the shop
	// retries it.
	ShopModifiedAt time.Time `json:"shop_modified_at"`
	// Order is the shop payload as it was when it failed.
	Order sdk.Order `json:"order"`
	// Request is the sales order the ledger refused, when the failure came from the create.
	Request *sdk.SalesOrder `json:"request,omitempty"`
}

// RunRecord is stored under run/<profile>/<start> for every run: the execution overview
// (`koppel runs`). Its order outcomes carry no customer names.
type RunRecord struct {
	RunResult
	// Error is the error that ended the run, if any.
	Error string `json:"error,omitempty"`
	// Truncated is set when Orders was cut to MaxRunOrders entries.
	Truncated bool `json:"truncated,omitempty"`
	// InProgress is set on the record an order run writes when it starts and rewrites as it
	// goes (counts and outcomes so far, End zero); the finished run's record clears it. A record
	// left in progress is a run whose process was killed: `koppel runs` shows it as aborted.
	InProgress bool `json:"in_progress,omitempty"`
	// Owner is the task lock's owner of the run (host/pid).
	Owner string `json:"owner,omitempty"`
	// Aborted is set when a later run closed this in-progress record (SettleAbortedRun): the
	// run's process ended without finishing it; the counts are what it booked.
	Aborted bool `json:"aborted,omitempty"`
}

// MaxRunOrders caps the per-order outcomes kept in a RunRecord.
const MaxRunOrders = 5000

// CursorRecord is stored under cursor/<profile>/import_orders: where the next run resumes the
// shop's order listing.
type CursorRecord struct {
	Cursor    string    `json:"cursor"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CustomerMapRecord is stored under map/<profile>/customer/<key>: a shop customer recognised
// before. The key is "id:<shop customer id>" for account holders, "fixed:<relatiecode>" for
// customers.fixed_customer, and "guest:<hash>" (a SHA-256 of strategy, e-mail, postcode and
// code, so no address is stored) for guests.
type CustomerMapRecord struct {
	RelatieID string `json:"relatie_id"`
	Code      int    `json:"code"`
	// MatchedBy says how the customer was found ("code", "email", "email_postcode",
	// "name_postcode", "created", "fixed"), or "adopted" for a relatie koppel created whose
	// answer was lost, found again by name, e-mail and postcode (CustomerIntentRecord).
	MatchedBy string    `json:"matched_by"`
	At        time.Time `json:"at"`
	// DataHash is a hash of the shop data last written to the relatie (customers.mode =
	// add_update): an unchanged hash costs no update.
	DataHash string `json:"data_hash,omitempty"`
}

// MapCustomerIntent is the map kind of CustomerIntentRecord
// (map/<profile>/customer-intent/<customer key>).
const MapCustomerIntent state.MapKind = "customer-intent"

// MapArticleIntent is the map kind of ArticleIntentRecord
// (map/<profile>/article-intent/<article key>).
const MapArticleIntent state.MapKind = "article-intent"

// CustomerIntentRecord is stored under map/<profile>/customer-intent/<key> (key as in
// CustomerMapRecord) just before CreateRelatie, with what identifies the new relatie: the name,
// e-mail address and vestigingsadres postcode sent. It is deleted in the transaction that
// writes the CustomerMapRecord, or when the create certainly did not happen (the ledger refused
// it, or did not send it). One that is still there means an earlier create's outcome is
// unknown: before the customer is created again, the ledger is asked for a relatie with these
// fields (FindRelaties), and a match is adopted. It holds name, e-mail and postcode only for as
// long as the outcome is unknown.
type CustomerIntentRecord struct {
	Key      string `json:"key"`
	Name     string `json:"name"`
	Email    string `json:"email,omitempty"`
	Postcode string `json:"postcode,omitempty"`
	// StartedAt is when the last create was started; Attempts counts creates started.
	StartedAt time.Time `json:"started_at"`
	Attempts  int       `json:"attempts"`
	// LastError is the error of the last create whose outcome is unknown, if any.
	LastError string `json:"last_error,omitempty"`
}

// ArticleIntentRecord is stored under map/<profile>/article-intent/<key> (key as in
// ArticleMapRecord) just before CreateArticle and deleted once the outcome is known. Articles
// are always looked up (by artikelcode or extra field) before one is created, and after a
// create whose outcome is unknown, so the record is what shows an unfinished create in the
// state store (`Attempts`, `LastError`), not what prevents a second one.
type ArticleIntentRecord struct {
	Key string `json:"key"`
	// Code is the artikelcode sent; ExtraField the extra field holding it, if any.
	Code       string    `json:"code"`
	ExtraField string    `json:"extra_field,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	Attempts   int       `json:"attempts"`
	LastError  string    `json:"last_error,omitempty"`
}

// ArticleMapRecord is stored under map/<profile>/article/<code>: a SnelStart article found for a
// shop product code, with what the pipeline needs of it (so a known article costs no call).
type ArticleMapRecord struct {
	ArticleID string `json:"article_id"`
	// Code is the SnelStart artikelcode (may differ from the shop code with code_field extra).
	Code           string          `json:"code"`
	Description    string          `json:"description"`
	RevenueGroupID string          `json:"revenue_group_id,omitempty"`
	SalesPrice     sdk.Money       `json:"sales_price"`
	Composite      bool            `json:"composite,omitempty"`
	Components     []sdk.Component `json:"components,omitempty"`
	Inactive       bool            `json:"inactive,omitempty"`
	// FetchedAt is when the article was last read from (or written to) the ledger; records
	// older than ArticleCacheAge are read again.
	FetchedAt time.Time `json:"fetched_at"`
}

// ArticleCacheAge is how long an ArticleMapRecord is trusted before the article is read again
// (so a changed omzetgroep or composition is seen within a day).
const ArticleCacheAge = 24 * time.Hour

// ListOrderRecords calls fn for every OrderRecord of profile, in shop-id key order.
func ListOrderRecords(ctx context.Context, s *state.Store, profile string, fn func(OrderRecord) error) error {
	err := state.List(ctx, s, state.NSOrder.ProfilePrefix(profile), func(_ state.Key, r OrderRecord) error { return fn(r) })
	if err != nil {
		return fmt.Errorf("list orders of profile %q: %w", profile, err)
	}
	return nil
}

// ListFailedRecords calls fn for every FailedRecord of profile.
func ListFailedRecords(ctx context.Context, s *state.Store, profile string, fn func(FailedRecord) error) error {
	err := state.List(ctx, s, state.NSFailed.ProfilePrefix(profile), func(_ state.Key, r FailedRecord) error { return fn(r) })
	if err != nil {
		return fmt.Errorf("list failed orders of profile %q: %w", profile, err)
	}
	return nil
}

// ListRunRecords calls fn for the runs of profile, newest first, at most limit (0 = all).
func ListRunRecords(ctx context.Context, s *state.Store, profile string, limit int, fn func(RunRecord) error) error {
	err := state.List(ctx, s, state.NSRun.ProfilePrefix(profile), func(_ state.Key, r RunRecord) error { return fn(r) },
		state.Reverse(), state.Limit(limit))
	if err != nil {
		return fmt.Errorf("list runs of profile %q: %w", profile, err)
	}
	return nil
}

// GetOrderRecord returns the OrderRecord of one shop order, or false.
func GetOrderRecord(ctx context.Context, s *state.Store, profile, shopID string) (OrderRecord, bool, error) {
	return state.Get[OrderRecord](ctx, s, state.OrderKey(profile, shopID))
}

// GetFailedRecord returns the FailedRecord of one shop order, or false.
func GetFailedRecord(ctx context.Context, s *state.Store, profile, shopID string) (FailedRecord, bool, error) {
	return state.Get[FailedRecord](ctx, s, state.FailedKey(profile, shopID))
}

// businessNameMax is the length of a relatie's name in SnelStart.
const businessNameMax = 50

// BusinessName is the customer name a done order keeps (OrderRecord.CustomerName): for the
// profile's fixed customer (fixed) the relatie's name; for an order that names a company (the
// billing or customer company) the name of the relatie it was booked on when known (relatie),
// else that company name, cut to SnelStart's 50 characters; for a private person — an order
// without a company — nothing, since a done order keeps no personal names.
func BusinessName(o sdk.Order, relatie string, fixed bool) string {
	relatie = strings.TrimSpace(relatie)
	if fixed {
		return relatie
	}
	company := strings.TrimSpace(o.Billing.Company)
	if company == "" {
		company = strings.TrimSpace(o.Customer.Company)
	}
	if company == "" {
		return ""
	}
	if relatie != "" {
		return relatie
	}
	if r := []rune(company); len(r) > businessNameMax {
		company = string(r[:businessNameMax])
	}
	return company
}

// ShopCustomerName is the customer's name in an order's shop data: the company, else the
// billing name, else the customer's name. A failed order keeps its shop data until it is
// resolved; a done order keeps only a business name (pipeline.BusinessName).
func ShopCustomerName(o sdk.Order) string {
	for _, n := range []string{o.Billing.Company, o.Customer.Company,
		o.Billing.FirstName + " " + o.Billing.LastName, o.Customer.FirstName + " " + o.Customer.LastName} {
		if n = strings.TrimSpace(n); n != "" {
			return n
		}
	}
	return ""
}

// Package pipeline holds the host's import_orders pipeline: it pulls orders from a shop
// connector, recognises or creates the customer, finds or creates the articles, builds a
// SnelStart sales order from the profile's orders, articles and customers settings
// (spec/settings.md), checks VAT and totals, and creates the order in the ledger exactly once.
//
// # Exactly once
//
// Before the create call the pipeline records an intent (intent/<profile>/<shop-id>) with the
// reference it stamps on the order (reference_prefix + shop order number, in the
// orderreferentie always and in the betalingskenmerk when payment_reference is on). When an
// intent without outcome is found on a later run (a crash, a timeout, KindOutcomeUnknown), the
// ledger is asked for an order with that reference first; a found order is adopted, otherwise
// the order is created once. The outcome is written as an OrderRecord in the same transaction
// that deletes the intent.
//
// # Cursor and failures
//
// Several orders are imported at once, up to Options.Concurrency (the ledger's max_concurrent);
// orders of one customer run in sequence and outcomes are released in listing order (see
// import_orders_workers.go). The shop cursor moves past an order only when the order, and every
// order listed before it, is done, parked as failed, waiting
// (a status that is not importable, see waiting.go: it is listed again when its status changes,
// because that changes its modification time; meanwhile it may hold its products' stock back)
// or skipped (created before orders.since). A transient failure
// (KindRetryable, KindOutcomeUnknown, KindUnreachable, or a plain error such as a crashed plugin)
// keeps the cursor where it is, so the order is tried again on the next run; later orders are
// still processed and are not repeated (their OrderRecord is found). A permanent failure
// (KindPermanent, KindNotFound, or a check of the pipeline itself) parks the order under
// failed/<profile>/<shop-id> with a reason a bookkeeper can act on, the shop payload and the
// refused request. A parked order is retried when the shop changes it, or by Retry.
//
// # Ledger calls
//
// Customers and articles found once are remembered in the state store (map/<profile>/customer/…,
// map/<profile>/article/…) so that an order of a known customer with known articles costs
// exactly one ledger call (CreateSalesOrder). Reference data is fetched once per run.
//
// # Double-import guard
//
// With orders.payment_reference on, an order whose reference SnelStart already has (booked by
// hand, by another tool, or by koppel before its state was lost) is not created again: it is
// recorded as already present, with the existing SnelStart number. To keep that at a fraction
// of a call per order, listed orders are buffered in batches (Options.GuardBatch, default 25)
// and the references of those about to be created are looked up with one FindSalesOrders call
// (SalesOrderQuery.References) per batch.
package pipeline

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// TaskImportOrders is the task name under which runs and the cursor are recorded.
const TaskImportOrders = "import_orders"

// DefaultRetention is how long run records are kept when Options.Retention is 0 (the koppel
// block's retention_days default of 90).
const DefaultRetention = 90 * 24 * time.Hour

// TaskRetry is the task name of runs started by Retry.
const TaskRetry = "retry"

// Options configures a Pipeline. Profile, Shop, Ledger and Store are required.
type Options struct {
	// Profile is the decoded profile (orders, articles and customers blocks).
	Profile *config.Profile
	// Shop is the profile's shop connector.
	Shop sdk.Shop
	// Ledger is the profile's ledger connector. The pipeline wraps it to count calls.
	Ledger sdk.Ledger
	// LedgerCapabilities are the capabilities the ledger plugin declares (sdk.PluginInfo); with
	// sdk.CapArticleCodes the articles of a listed batch are looked up together, with
	// sdk.CapRelatieEmails the e-mail addresses of its new customers.
	LedgerCapabilities []string
	// Store is the host's state store.
	Store *state.Store
	// Logger receives progress and warnings; nil discards.
	Logger hclog.Logger
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// Progress, when set, is called after every order a run handles, in listing order (from
	// the run's workers, one call at a time; it must not block for long).
	Progress func(Progress)
	// StrictGuard is kept for compatibility and ignored: the double-import guard
	// (orders.payment_reference) now checks every order, in batches of GuardBatch.
	StrictGuard bool
	// GuardBatch is how many listed orders are buffered so that the double-import guard looks
	// up all their references with one FindSalesOrders call; 0 means DefaultGuardBatch.
	GuardBatch int
	// ParkAfter is how many runs a transient failure may repeat (and for at least
	// ParkAfterAge) before the order is parked like a permanent one; 0 means 10.
	ParkAfter int
	// ParkAfterAge is the minimum age of the first transient failure before ParkAfter applies;
	// 0 means 24h.
	ParkAfterAge time.Duration
	// Retention is how long run records (run/<profile>/…) are kept: every run ends by deleting
	// the profile's runs that started longer ago (koppel block retention_days). 0 means
	// DefaultRetention; a negative value keeps them forever.
	Retention time.Duration
	// Concurrency is how many orders a run keeps in flight at once; 0 means
	// LedgerConcurrency(Profile): the ledger block's max_concurrent or its plan's default, 1 for
	// a ledger without that setting. Orders of one customer always run in sequence.
	Concurrency int
	// LockOwner identifies this process in the task lock; "" means a generated one.
	LockOwner string
	// NoLock skips taking the task lock (the caller holds it).
	NoLock bool
}

// Pipeline runs import_orders for one profile. A Pipeline is not safe for concurrent runs;
// ImportOrders and Retry take the profile's import_orders lock in the store (unless
// Options.NoLock), so two hosts or two goroutines never run them at once.
type Pipeline struct {
	// articleCodes: the ledger answers ArticleQuery.Codes (sdk.CapArticleCodes).
	articleCodes bool
	prof         *config.Profile
	shop         sdk.Shop
	ledger       *countingLedger
	store        *state.Store
	log          hclog.Logger
	now          func() time.Time
	prog         func(Progress)
	opts         Options
	profile      string
	// concurrency is Options.Concurrency or LedgerConcurrency.
	concurrency int

	// relatieEmails: the ledger answers RelatieQuery.Emails (sdk.CapRelatieEmails).
	relatieEmails bool
}

// New returns a Pipeline for opts. It does no I/O; a missing required option is reported by
// the first run.
func New(opts Options) *Pipeline {
	p := &Pipeline{
		prof:         opts.Profile,
		shop:         opts.Shop,
		store:        opts.Store,
		log:          opts.Logger,
		now:          opts.Clock,
		prog:         opts.Progress,
		opts:         opts,
		articleCodes: slices.Contains(opts.LedgerCapabilities, sdk.CapArticleCodes),
	}
	p.relatieEmails = slices.Contains(opts.LedgerCapabilities, sdk.CapRelatieEmails)
	if opts.Ledger != nil {
		p.ledger = newCountingLedger(opts.Ledger)
	}
	if p.log == nil {
		p.log = hclog.NewNullLogger()
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.opts.ParkAfter <= 0 {
		p.opts.ParkAfter = 10
	}
	if p.opts.ParkAfterAge <= 0 {
		p.opts.ParkAfterAge = 24 * time.Hour
	}
	p.concurrency = opts.Concurrency
	if p.concurrency <= 0 {
		p.concurrency = OrdersInFlight(LedgerConcurrency(opts.Profile))
	}
	if opts.Profile != nil {
		p.profile = opts.Profile.Name
		p.log = p.log.With("profile", opts.Profile.Name)
	}
	return p
}

func (p *Pipeline) validate() error {
	switch {
	case p.prof == nil:
		return errors.New("pipeline: Options.Profile is required")
	case p.shop == nil:
		return errors.New("pipeline: Options.Shop is required")
	case p.ledger == nil:
		return errors.New("pipeline: Options.Ledger is required")
	case p.store == nil:
		return errors.New("pipeline: Options.Store is required")
	}
	return nil
}

// Progress is reported after every order a run handles.
type Progress struct {
	// Profile and Task of the run.
	Profile string
	Task    string
	// Seen is how many orders the run has handled so far; the counts below add up to it.
	Seen int
	// Total is how many orders the run expects to handle in all: what the shop's listing
	// announced (sdk.OrderItem.Total) or the number of orders a retry names, never less than
	// Seen; 0 when unknown (a plugin that announces nothing).
	Total          int
	Imported       int
	AlreadyPresent int
	Waiting        int
	Failed         int
	Retrying       int
	Skipped        int
	// LedgerCalls made so far in this run.
	LedgerCalls int64
	// Current is the shop order number just handled.
	Current string
}

// OutcomeStatus is what happened to one order in a run.
type OutcomeStatus string

// Outcome statuses.
const (
	// StatusImported: the order was created in the ledger by this run.
	StatusImported OutcomeStatus = "imported"
	// StatusAdopted: a previous attempt's create had been committed (its answer was lost); the
	// ledger's order was found by reference and recorded. Counted as imported.
	StatusAdopted OutcomeStatus = "adopted"
	// StatusAlreadyPresent: the double-import guard found an order with this reference that
	// koppel did not create; it was recorded with the existing SnelStart number, not created.
	StatusAlreadyPresent OutcomeStatus = "already_present"
	// StatusWaiting: the order's shop status is not importable (orders.statuses, or the shop
	// plugin's statuses); it is imported once the shop moves it to an importable status.
	StatusWaiting OutcomeStatus = "waiting"
	// StatusFailed: a permanent failure; the order is parked under failed/ until the user acts.
	StatusFailed OutcomeStatus = "failed"
	// StatusRetrying: a transient failure; the order is tried again on the next run.
	StatusRetrying OutcomeStatus = "retrying"
	// StatusSkipped: nothing to do (already imported, created before orders.since, parked and
	// unchanged, or not returned by the shop on Retry).
	StatusSkipped OutcomeStatus = "skipped"
)

// OrderOutcome is the result of one order in a run.
type OrderOutcome struct {
	ShopID     string        `json:"shop_id"`
	ShopNumber string        `json:"shop_number"`
	Status     OutcomeStatus `json:"status"`
	// LedgerOrderID and LedgerNumber of the sales order (imported, adopted, already present).
	LedgerOrderID string `json:"ledger_order_id,omitempty"`
	LedgerNumber  int    `json:"ledger_number,omitempty"`
	// CustomerCode is the relatiecode the order was booked on.
	CustomerCode int `json:"customer_code,omitempty"`
	// CustomerName is the relatie's name, for the summary printed after a run. It is never
	// written to the state store (RunRecord leaves it out).
	CustomerName string `json:"customer_name,omitempty"`
	// TotalIncl is SnelStart's total including VAT.
	TotalIncl *sdk.Money `json:"total_incl,omitempty"`
	// Reason says why the order failed, waits or was skipped.
	Reason string `json:"reason,omitempty"`
	// Kind is the kind of a failure (as FailedRecord.Kind): how the summary introduces a
	// connector's own message.
	Kind string `json:"kind,omitempty"`
	// Code is the service's error code of a failure, if any (as FailedRecord.Code).
	Code string `json:"code,omitempty"`
	// Warnings are things a bookkeeper may want to look at (a value cut to SnelStart's
	// length, a VAT mismatch with vat_check = "warn", a total difference found afterwards).
	Warnings []string `json:"warnings,omitempty"`

	// parked is set for an order skipped because it is parked and unchanged (its failure
	// record still holds its stock); slowDown for a transient failure whose service asked to
	// slow down (Retry-After): the run stops after it.
	parked   bool
	slowDown bool
}

// RunResult is what a run did.
type RunResult struct {
	Profile string    `json:"profile"`
	Task    string    `json:"task"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	// Duration is End - Start.
	Duration time.Duration `json:"duration"`
	// Counts of orders by outcome. Imported includes adopted orders.
	Imported       int `json:"imported"`
	AlreadyPresent int `json:"already_present"`
	Waiting        int `json:"waiting"`
	Failed         int `json:"failed"`
	Retrying       int `json:"retrying"`
	Skipped        int `json:"skipped"`
	// LedgerCalls is the number of ledger connector calls the run made; CallsByMethod splits it.
	LedgerCalls   int64            `json:"ledger_calls"`
	CallsByMethod map[string]int64 `json:"calls_by_method,omitempty"`
	// Stopped, when not empty, says why the run ended before the shop's listing did (the
	// ledger asked to slow down, or several transient failures in a row).
	Stopped string `json:"stopped,omitempty"`
	// Orders holds one outcome per order handled, in order, for the first MaxRunOrders orders
	// of the run; Unlisted counts the orders handled after those (they are in the counts
	// above, and in the state store: `koppel orders` lists every booked order, `koppel orders
	// --failed` every failed one). A run's memory so stays the same however long the backlog.
	Orders   []OrderOutcome `json:"orders"`
	Unlisted int            `json:"unlisted,omitempty"`
}

// Seen is the number of orders the run handled.
func (r RunResult) Seen() int {
	return r.Imported + r.AlreadyPresent + r.Waiting + r.Failed + r.Retrying + r.Skipped
}

// CallsPerOrder is LedgerCalls divided by the orders that were imported or found present; 0
// when there were none.
func (r RunResult) CallsPerOrder() float64 {
	n := r.Imported + r.AlreadyPresent
	if n == 0 {
		return 0
	}
	return float64(r.LedgerCalls) / float64(n)
}

// failure kinds as the pipeline treats them.
type failClass int

const (
	classPermanent failClass = iota // park the order
	classTransient                  // retry on a later run
	classAbort                      // stop the run: nothing else can succeed (auth, config, cancelled)
)

// classify says how the pipeline treats err. A plain error that is not an *sdk.Error comes from
// the transport (a crashed plugin, a broken stream): it is transient, since only an explicit
// refusal may park an order.
func classify(err error) failClass {
	if err == nil {
		return classPermanent
	}
	if errors.Is(err, errAbort) || errors.Is(err, errStopRun) {
		return classAbort
	}
	var se *sdk.Error
	if !errors.As(err, &se) {
		if errors.Is(err, errPermanent) {
			return classPermanent
		}
		return classTransient
	}
	switch se.Kind {
	case sdk.KindPermanent, sdk.KindNotFound:
		return classPermanent
	case sdk.KindAuth, sdk.KindConfig:
		return classAbort
	default: // retryable, outcome unknown, unreachable, unknown kinds
		return classTransient
	}
}

// errPermanent marks the pipeline's own refusals (a missing article, a VAT mismatch...).
var errPermanent = errors.New("refused")

// errAbort marks failures that stop the whole run.
var errAbort = errors.New("run aborted")

// errStopRun is returned from the listing callback to end a run early without an error.
var errStopRun = errors.New("run stopped")

// refusal is a permanent failure found by the pipeline itself. Its message is written for a
// bookkeeper.
type refusal struct{ msg string }

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Is(target error) bool {
	return target == errPermanent
}

// refusef builds a refusal.
func refusef(format string, args ...any) error {
	return &refusal{msg: fmt.Sprintf(format, args...)}
}

// configErrorf is a configuration problem found at run time (an unknown template, cost centre
// or revenue group): it stops the run, since every order would fail the same way.
func configErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errAbort, fmt.Sprintf(format, args...))
}

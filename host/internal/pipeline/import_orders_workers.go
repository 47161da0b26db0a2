package pipeline

// Concurrent import.
//
// A run hands every listed order to a worker (submit) and keeps up to Pipeline.Concurrency
// orders in flight at once: a quarter more than the ledger's own limit of calls at once
// (OrdersInFlight of LedgerConcurrency). An order makes one ledger call at a time; the extra
// orders keep every call slot busy while others write their intents and outcomes, and the
// ledger plugin's HTTP client holds the calls at once to its limit. Three rules keep that as
// safe as one order at a time:
//
//   - Orders of one customer run in sequence. Each order is given the keys its customer can be
//     recognised by (orderKeys: the customer map key, the e-mail address, the relatiecode, the
//     company name and postcode); an order starts only after every earlier listed order sharing
//     a key has finished. Two orders of a new customer arriving together so make one relatie:
//     the second is planned after the first remembered the customer.
//   - Customer and article creates are shared between workers (createCustomerShared,
//     createArticleShared in apply.go): an order planned before another order created the same
//     article uses that article, and two orders creating it at the same moment make one create.
//   - Outcomes are released in listing order (release). The cursor moves only past a contiguous
//     run of finished orders (done, parked, waiting or skipped): an order that finishes before
//     an earlier one waits in the queue until the earlier one finishes, and one that is not
//     finished (a transient failure, or left because the run stopped) keeps the cursor before it
//     for the rest of the run, as the one-at-a-time import did. The cursor is written by the
//     releaser only, so it never goes back; after a crash the next run lists again from it and
//     finds the orders done meanwhile by their order records (exactly once holds per order:
//     intent, create, outcome, see importOne).
//
// After a transient failure (429, 5xx, unreachable) only one order runs at a time until an order
// finishes again, so a ledger that is down or asks to slow down meets one call at a time, not a
// burst, and maxConsecutiveTransient counts failures in a row as before. The queue of listed
// orders not yet released is bounded (queueFactor × Concurrency), so memory stays flat however
// long the backlog; it is deep enough that a slow order at its head (one creating its customer
// and articles) does not leave the workers idle. The reference data is read beside the first
// double-import guard look-up (prefetchPlanner), before the first order needs it.

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// MaxOrdersInFlight caps the ledger's calls at once a run plans for (LedgerConcurrency),
// whatever the ledger allows (max_concurrent = 0 means no cap in the ledger block); the run then
// keeps OrdersInFlight of that many orders in flight.
const MaxOrdersInFlight = 50

// queueFactor × the concurrency is how many listed orders may wait in a run's queue (in flight,
// waiting for an earlier order of their customer, or finished but not yet released).
const queueFactor = 16

// planConcurrency is the calls at once of the SnelStart API plans (ledger attribute plan), the
// default of max_concurrent in a ledger block that declares it.
var planConcurrency = map[string]int{"test": 5, "paid": 50}

// LedgerConcurrency is how many orders of the profile may be in flight at once: the ledger
// block's max_concurrent (0 there means no cap: MaxOrdersInFlight), else the default of its
// plan attribute (test 5, paid 50), else 1. A ledger plugin whose schema declares no
// max_concurrent attribute (snelstart-mdb: one Access file, one writer) gets one order at a
// time.
func LedgerConcurrency(prof *config.Profile) int {
	if prof == nil {
		return 1
	}
	cfg := prof.Ledger.Config
	_, declared := prof.Ledger.Schema.Attribute("max_concurrent")
	if raw, ok := cfg["max_concurrent"]; ok && raw != nil {
		var n int
		if err := json.Unmarshal(raw, &n); err == nil && n >= 0 {
			if n == 0 || n > MaxOrdersInFlight {
				return MaxOrdersInFlight
			}
			return n
		}
		declared = true
	}
	if !declared {
		return 1
	}
	if n, ok := planConcurrency[strings.TrimSpace(cfg.String("plan"))]; ok {
		return n
	}
	return 1
}

// OrdersInFlight is how many orders a run keeps in flight for a ledger that takes calls calls
// at once: that number and a quarter more (at least one) when it is more than one, so that every
// call slot has an order ready to use it while other orders write their intents and outcomes to
// the state store or are planned between their calls. The calls at once stay bounded by the
// ledger plugin's own HTTP client (max_concurrent); a ledger of one call at a time
// (snelstart-mdb) keeps one order in flight.
func OrdersInFlight(calls int) int {
	if calls <= 1 {
		return 1
	}
	return calls + max(1, calls/4)
}

// orderJob is one listed order in the run's queue.
type orderJob struct {
	it  pendingOrder
	seq int
	// keys are the sequencing keys of the order (orderKeys); waiting counts the earlier
	// orders sharing one that have not finished; next are the later orders waiting for this one.
	keys    []string
	waiting int
	next    []*orderJob

	// Set when the order finished (under run.mu).
	finished bool
	// handled is false for an order the run did not handle (it stopped first, or the order
	// failed in a way that stopped the run); listedTwice for one already handled in this run.
	handled     bool
	listedTwice bool
	terminal    bool
	outs        []numberedOutcome
}

// numberedOutcome is an outcome with the shop number reported as Progress.Current.
type numberedOutcome struct {
	out    OrderOutcome
	number string
}

// follow collects the outcomes of the credit orders booked while following an order after
// import (after_import.go), so they are released with the order, in listing order.
type follow struct{ outs []numberedOutcome }

type followKey struct{}
type creditKey struct{}

// withFollow returns ctx carrying f.
func withFollow(ctx context.Context, f *follow) context.Context {
	return context.WithValue(ctx, followKey{}, f)
}

// withCredit returns ctx for processing the credit order of the order recorded in rec.
func withCredit(ctx context.Context, rec *OrderRecord) context.Context {
	return context.WithValue(ctx, creditKey{}, rec)
}

// creditOf is the record of the order a credit order being processed credits, or nil.
func creditOf(ctx context.Context) *OrderRecord {
	rec, _ := ctx.Value(creditKey{}).(*OrderRecord)
	return rec
}

// orderKeys are the keys the customer of o can be recognised by; orders sharing one run in
// sequence. Orders of customers.fixed_customer share one key until the relatie is known (the
// customer map, or settled in this run): the first looks it up, the others then run side by
// side.
func (r *run) orderKeys(ctx context.Context, o sdk.Order) ([]string, error) {
	keys := []string{"order\x00" + o.ID}
	cs := r.p.prof.Customers
	if cs.Mode == config.ModeManual && cs.FixedCustomer > 0 {
		fk := fmt.Sprintf("fixed:%d", cs.FixedCustomer)
		if c, ok := r.view.settled(fk); ok && c.ID != "" {
			return keys, nil
		}
		if _, ok, err := state.Get[CustomerMapRecord](ctx, r.p.store, state.MapKey(r.p.profile, state.MapCustomer, fk)); err != nil {
			return nil, abortState(err, "reason.step.read_customer_map")
		} else if ok {
			return keys, nil
		}
		return append(keys, "customer\x00"+fk), nil
	}
	keys = append(keys, "customer\x00"+mapping.CustomerKey(cs.Match, o))
	if e := strings.ToLower(strings.TrimSpace(mapping.FirstNonEmpty(o.Customer.Email, o.Billing.Email))); e != "" {
		keys = append(keys, "email\x00"+e)
	}
	if c := strings.TrimSpace(o.Customer.Code); c != "" {
		keys = append(keys, "code\x00"+c)
	}
	if c := strings.ToLower(strings.TrimSpace(mapping.FirstNonEmpty(o.Billing.Company, o.Customer.Company))); c != "" {
		addr := o.Shipping
		if addr.Street == "" && addr.Postcode == "" && addr.City == "" {
			addr = o.Billing
		}
		keys = append(keys, "company\x00"+c+"\x00"+mapping.NormPostcode(addr.Postcode))
	}
	return keys, nil
}

// submit queues a listed order. It blocks while the queue is full, and returns an error only to
// stop the listing (the run stopped, or ctx ended).
func (r *run) submit(ctx context.Context, it pendingOrder) error {
	if err := r.stopErr(); err != nil {
		return err
	}
	keys, err := r.orderKeys(ctx, it.order)
	if err != nil {
		return cmp.Or(ctx.Err(), err)
	}
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.runErr != nil {
		<-r.slots
		return r.runErr
	}
	r.seq++
	j := &orderJob{it: it, seq: r.seq}
	r.queue = append(r.queue, j)
	if r.seen.Contains(it.order.ID) {
		// Listed twice in this run (changed while the run lists): handled already.
		j.finished, j.listedTwice = true, true
		r.release(ctx)
		return nil
	}
	r.seen.Add(it.order.ID, true)
	j.keys = keys
	for _, k := range j.keys {
		if prev, ok := r.lastOf[k]; ok && !slices.Contains(prev.next, j) {
			prev.next = append(prev.next, j)
			j.waiting++
		}
		r.lastOf[k] = j
	}
	if j.waiting == 0 {
		r.ready(j)
	}
	r.dispatch(ctx)
	return nil
}

// ready adds j to the orders that may start (r.mu held), kept in listing order.
func (r *run) ready(j *orderJob) {
	i, _ := slices.BinarySearchFunc(r.readyQ, j.seq, func(a *orderJob, seq int) int { return a.seq - seq })
	r.readyQ = slices.Insert(r.readyQ, i, j)
}

// dispatch starts the ready orders, earliest listed first, while fewer than limit run (r.mu
// held). Once the run stops, the ready orders finish without being handled.
func (r *run) dispatch(ctx context.Context) {
	if r.runErr == nil && len(r.readyQ) > 0 && stopping(r.p.shop) {
		// A graceful stop is honoured between orders: those in flight finish, the rest wait
		// (the cursor has not moved past them) for the next run.
		r.res.Stopped = mapping.FirstNonEmpty(r.res.Stopped, text.Template("reason.run.on_request"))
		r.runErr = errStopRun
	}
	if r.runErr != nil || ctx.Err() != nil {
		for _, j := range r.readyQ {
			r.finishJob(ctx, j, false, jobResult{}, nil)
		}
		r.readyQ = nil
		return
	}
	for len(r.readyQ) > 0 && r.running < r.limit() {
		j := r.readyQ[0]
		r.readyQ = r.readyQ[1:]
		r.running++
		r.wg.Add(1)
		go r.work(ctx, j)
	}
}

// work handles one started order.
func (r *run) work(ctx context.Context, j *orderJob) {
	defer r.wg.Done()
	res, err := r.handle(ctx, j.it.order)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running--
	r.finishJob(ctx, j, err == nil, res, err)
	r.dispatch(ctx)
}

// finishJob records that j finished (r.mu held), makes the orders waiting for it ready, and
// releases what can be released.
func (r *run) finishJob(ctx context.Context, j *orderJob, handled bool, res jobResult, err error) {
	if err != nil && r.runErr == nil {
		r.runErr = err
	}
	j.finished, j.handled = true, handled
	if handled {
		j.terminal, j.outs = res.terminal, res.outs
		r.count(j, res)
	}
	for _, k := range j.keys {
		if r.lastOf[k] == j {
			delete(r.lastOf, k)
		}
	}
	for _, n := range j.next {
		if n.waiting--; n.waiting == 0 {
			if r.runErr != nil || ctx.Err() != nil {
				r.finishJob(ctx, n, false, jobResult{}, nil)
			} else {
				r.ready(n)
			}
		}
	}
	j.next = nil
	r.release(ctx)
}

// limit is how many orders may run at once now (r.mu held): one while the last finished order
// failed transiently, else the concurrency.
func (r *run) limit() int {
	if r.probing {
		return 1
	}
	return r.p.concurrency
}

// count updates the run's transient-failure streak with a finished order (r.mu held) and
// stops the run after maxConsecutiveTransient in a row.
func (r *run) count(j *orderJob, res jobResult) {
	if j.terminal {
		r.transientRun = 0
		r.probing = false
		return
	}
	if res.status != StatusRetrying {
		return
	}
	r.probing = true
	r.transientRun++
	if res.slowDown {
		r.transientRun = max(r.transientRun, maxConsecutiveTransient)
	}
	if r.transientRun >= maxConsecutiveTransient && r.runErr == nil {
		r.res.Stopped = fmt.Sprintf(text.Template("reason.run.transient_orders"), r.transientRun, j.it.order.Number)
		r.runErr = errStopRun
	}
}

// release moves the finished orders at the head of the queue out of it, in listing order
// (r.mu held): their outcomes are counted and reported, and the cursor moves past them while
// every order before them finished.
func (r *run) release(ctx context.Context) {
	n := 0
	for n < len(r.queue) && r.queue[n].finished {
		j := r.queue[n]
		r.queue[n] = nil
		n++
		<-r.slots
		r.dropGuard(r.p.reference(j.it.order))
		switch {
		case j.listedTwice:
			r.advance(j.it.cursor)
			continue
		case !j.handled:
			r.clean = false
			continue
		}
		for _, o := range j.outs {
			r.add(o.out, o.number)
		}
		if j.terminal {
			r.advance(j.it.cursor)
		} else {
			r.clean = false
		}
		r.released++
		if err := r.maybeFlushCursor(ctx); err != nil && r.runErr == nil {
			r.runErr = err
		}
	}
	r.queue = r.queue[n:]
}

// stopErr is the error that stops the run's listing, if any.
func (r *run) stopErr() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runErr
}

// drain waits until every queued order has finished and been released, and returns the error
// that stopped the run, if any.
func (r *run) drain(ctx context.Context) error {
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	// Nothing runs any more: orders still waiting (the run stopped) finish unhandled.
	r.runErr = cmp.Or(r.runErr, ctx.Err())
	r.dispatch(ctx)
	return r.runErr
}

// jobResult is what handling one order gave.
type jobResult struct {
	terminal bool
	status   OutcomeStatus
	// slowDown is set when the service asked to slow down (Retry-After): the run stops after
	// this order.
	slowDown bool
	outs     []numberedOutcome
}

// isUnsettled reports whether a create of this run named key had an unknown outcome.
func (r *run) isUnsettled(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.unsettled[key]
}

// setUnsettled records (or clears) a create of this run with an unknown outcome.
func (r *run) setUnsettled(key string, on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if on {
		r.unsettled[key] = true
	} else {
		delete(r.unsettled, key)
	}
}

package pipeline

// Batched customer look-ups by e-mail.
//
// When customers.match looks a customer up by e-mail (every strategy but "code"), a new
// customer costs the order a FindRelaties{Email} call. prefetchCustomers asks those of a
// listed batch together (RelatieQuery.Emails) and the run answers each order's own look-up
// from that answer, once. Such an answer must be exactly as good as the look-up it replaces,
// also for a "not found" (which leads to a create), so:
//
//   - only addresses the single look-up would ask are prefetched: the order's e-mail address
//     (trimmed) when its customer is neither settled in this run nor in the customer map, and
//     has no customer intent (a create whose answer was lost resolves through its own look-up,
//     so no batched answer for an address of such an order is used in the rest of the run);
//   - the answer for an address holds exactly the relaties the single look-up would return
//     that have that address (the planner keeps no others): a relatie is put under an address
//     only when one of its ";"-separated addresses equals it, ASCII and ignoring case; an
//     address for which that is not certain (a match only through a "," list or through
//     non-ASCII case folding) gets no answer and is looked up on its own;
//   - an answer is taken once, and not at all when this run has created or updated a relatie
//     with that address (or updated a relatie in it) within customerPrefetchAge (counted from
//     when the write returned: one under way when the batch was asked may be missing from it):
//     the write may not be in the answer, and the single look-up then asks SnelStart again;
//   - an answer older than customerPrefetchAge is not used, and a failed batched look-up
//     decides nothing: those orders look their customer up on their own, as before.
//
// Orders of one customer (and of one e-mail address) still run in sequence
// (import_orders_workers.go), so the second order of a new customer finds the relatie the first
// created in the run's view and never asks.

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// prefetchEmails is how many e-mail addresses one batched look-up asks at most (the plugin
// splits them further when the request line would grow too long).
const prefetchEmails = 25

// customerPrefetchAge is how long a batched answer may be used: the single look-up it replaces
// asks SnelStart while the order is planned, seconds after the batch was listed.
const customerPrefetchAge = time.Minute

// customerPrefetch holds a run's batched e-mail look-ups, by lower-cased address.
type customerPrefetch struct {
	mu sync.Mutex
	// pending holds the look-ups under way (closed when the answer is in).
	pending map[string]chan struct{}
	// found holds the answers not yet taken; asked the addresses prefetched in this run (not
	// asked again: their customers are settled by then, or look themselves up).
	found *simplelru.LRU[string, emailAnswer]
	asked *simplelru.LRU[string, struct{}]
	// held holds the addresses of customers found with a customer intent: no answer for them
	// is used in this run.
	held *simplelru.LRU[string, struct{}]
	// written holds, with the time, the addresses and relatie ids ("id:…") a relatie create or
	// update of this run concerned in the last customerPrefetchAge (writes lists them oldest
	// first): an answer for them is not used. An older write is forgotten: every answer from
	// before it is too old to be used anyway.
	written map[string]time.Time
	writes  []writeAt
	// underWay counts, by key of written, the writes that have not returned yet: their key is
	// not forgotten, however long they take.
	underWay map[string]int
}

// writeAt is an entry of customerPrefetch.written, in the order written.
type writeAt struct {
	key string
	at  time.Time
}

// emailAnswer is the batched answer for one address: the relaties a single look-up would
// return that hold it, and when it was asked.
type emailAnswer struct {
	relaties []sdk.Relatie
	at       time.Time
}

func newCustomerPrefetch() *customerPrefetch {
	return &customerPrefetch{pending: map[string]chan struct{}{}, found: newLRU[string, emailAnswer](CustomerCacheSize),
		asked: newLRU[string, struct{}](CustomerCacheSize), held: newLRU[string, struct{}](CustomerCacheSize),
		written: map[string]time.Time{}, underWay: map[string]int{}}
}

// prefetchCustomers looks up, in one FindRelaties call per prefetchEmails addresses
// (RelatieQuery.Emails), the e-mail addresses of the new customers of a listed batch, before the
// workers plan those orders (see the top of this file for when an answer is used). Only a
// ledger plugin that declares sdk.CapRelatieEmails is asked, and only when customers.match
// looks customers up by e-mail.
func (r *run) prefetchCustomers(ctx context.Context, items []pendingOrder) {
	cs := r.p.prof.Customers
	if !r.p.relatieEmails || cs.Match == config.MatchCode || (cs.Mode == config.ModeManual && cs.FixedCustomer > 0) {
		return
	}
	cp := r.view.emails
	var ask []string
	inBatch := map[string]bool{}
	skip := map[string]bool{}
	for _, it := range items {
		o := it.order
		e := prefetchAddress(mapping.FirstNonEmpty(o.Customer.Email, o.Billing.Email))
		if e == "" {
			continue
		}
		key := mapping.CustomerKey(cs.Match, o)
		if _, ok := r.view.settled(key); ok {
			continue
		}
		if _, ok, err := state.Get[CustomerMapRecord](ctx, r.p.store, state.MapKey(r.p.profile, state.MapCustomer, key)); err != nil || ok {
			continue
		}
		in, hasIntent, err := r.customerIntent(ctx, key)
		if err != nil || hasIntent {
			// Its own look-up (by name, e-mail and postcode, then the match) resolves it; no
			// answer of a batch is used for its addresses.
			skip[e] = true
			for _, a := range emailAddresses(in.Email) {
				skip[a] = true
			}
			continue
		}
		if !inBatch[e] {
			inBatch[e] = true
			ask = append(ask, e)
		}
	}
	cp.mu.Lock()
	for a := range skip {
		cp.found.Remove(a)
		cp.held.Add(a, struct{}{})
	}
	kept := ask[:0]
	for _, e := range ask {
		if skip[e] || cp.asked.Contains(e) || cp.pending[e] != nil {
			continue
		}
		cp.asked.Add(e, struct{}{})
		kept = append(kept, e)
	}
	cp.mu.Unlock()
	for chunk := range slices.Chunk(kept, prefetchEmails) {
		done := make(chan struct{})
		cp.mu.Lock()
		for _, e := range chunk {
			cp.pending[e] = done
		}
		cp.mu.Unlock()
		at := r.p.now()
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			found, err := r.p.ledger.FindRelaties(ctx, sdk.RelatieQuery{Emails: chunk})
			cp.end(chunk, found, err, at, done)
		}()
	}
}

// end records the batched answer for the addresses of a look-up and wakes the workers waiting
// for it. A failed look-up records nothing.
func (cp *customerPrefetch) end(emails []string, found []sdk.Relatie, err error, at time.Time, done chan struct{}) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	for _, e := range emails {
		if cp.pending[e] == done {
			delete(cp.pending, e)
		}
		if err != nil {
			continue
		}
		if rs, certain := relatiesWith(e, found); certain {
			cp.found.Add(e, emailAnswer{relaties: rs, at: at})
		} else {
			cp.found.Remove(e)
		}
	}
	close(done)
}

// take waits for a batched look-up of addr under way, then returns (and forgets) its answer:
// ok false when there is none the run may use (the caller looks the address up itself).
func (cp *customerPrefetch) take(ctx context.Context, addr string, now time.Time) (rs []sdk.Relatie, ok bool, err error) {
	e := prefetchAddress(addr)
	if e == "" {
		return nil, false, nil
	}
	if err := waitPrefetch(ctx, &cp.mu, cp.pending, e); err != nil {
		return nil, false, err
	}
	cp.mu.Lock()
	defer cp.mu.Unlock()
	a, ok := cp.found.Peek(e)
	if !ok {
		return nil, false, nil
	}
	cp.found.Remove(e)
	cp.forgetWrites(now)
	if _, w := cp.written[e]; w || cp.held.Contains(e) || now.Sub(a.at) > customerPrefetchAge {
		return nil, false, nil
	}
	for _, rel := range a.relaties {
		if _, w := cp.written["id:"+rel.ID]; w && rel.ID != "" {
			return nil, false, nil
		}
	}
	return slices.Clone(a.relaties), true, nil
}

// wrote records that this run is about to create or update relatie rel (its id may be empty)
// at now: no batched answer for its addresses or holding it is used from now on. The caller
// calls the returned func with the time the write returned (whatever its outcome): an answer
// asked while the write was under way may not show it, so the write is remembered for
// customerPrefetchAge from then, not from its start.
func (cp *customerPrefetch) wrote(rel sdk.Relatie, now time.Time) (returned func(time.Time)) {
	cp.record(rel, now, 1)
	var once sync.Once
	return func(end time.Time) { once.Do(func() { cp.record(rel, end, -1) }) }
}

// record notes a write of rel at now and adds under to the count of its writes under way (see
// wrote).
func (cp *customerPrefetch) record(rel sdk.Relatie, now time.Time, under int) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	cp.forgetWrites(now)
	keys := emailAddresses(rel.Email + ";" + rel.InvoiceEmail)
	for _, a := range keys {
		cp.found.Remove(a)
	}
	if rel.ID != "" {
		keys = append(keys, "id:"+rel.ID)
	}
	for _, k := range keys {
		cp.written[k] = now
		if cp.underWay[k] += under; cp.underWay[k] <= 0 {
			delete(cp.underWay, k)
		}
		cp.writes = append(cp.writes, writeAt{key: k, at: now})
	}
}

// forgetWrites drops the writes older than customerPrefetchAge (cp.mu held).
func (cp *customerPrefetch) forgetWrites(now time.Time) {
	n := 0
	for n < len(cp.writes) && now.Sub(cp.writes[n].at) > customerPrefetchAge {
		w := cp.writes[n]
		if cp.written[w.key].Equal(w.at) && cp.underWay[w.key] == 0 {
			delete(cp.written, w.key)
		}
		n++
	}
	cp.writes = cp.writes[n:]
}

// prefetchAddress is the form an order's e-mail address is prefetched under: trimmed and
// lower-cased; "" for one that is not prefetched (empty, not ASCII, or holding a list
// separator, which no single address of a relatie can equal).
func prefetchAddress(addr string) string {
	e := strings.ToLower(strings.TrimSpace(addr))
	if e == "" || strings.ContainsAny(e, ";,") || !isASCII(e) {
		return ""
	}
	return e
}

// emailAddresses are the lower-cased addresses of an e-mail field (";" or "," separated).
func emailAddresses(field string) []string {
	var out []string
	for _, a := range strings.FieldsFunc(field, func(r rune) bool { return r == ';' || r == ',' }) {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// relatiesWith picks from a batched answer the relaties a look-up of address e alone returns
// that the planner would keep (mapping.EmailIn). certain is false when that cannot be told from
// the answer: a relatie holds e only inside a ","-joined part of its field, or only as text that
// equals e by non-ASCII case folding; a plugin may match those differently.
func relatiesWith(e string, found []sdk.Relatie) (rs []sdk.Relatie, certain bool) {
	for _, rel := range found {
		if !mapping.EmailIn(e, rel.Email) {
			continue
		}
		exact := false
		for _, part := range strings.Split(rel.Email, ";") {
			part = strings.TrimSpace(part)
			if isASCII(part) && strings.EqualFold(part, e) {
				exact = true
				break
			}
		}
		if !exact {
			return nil, false
		}
		rs = append(rs, rel)
	}
	return rs, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// emailOnly reports whether q is a look-up of one e-mail address and nothing else (the one a
// batched answer can replace).
func emailOnly(q sdk.RelatieQuery) bool {
	return q.Email != "" && q.Code == 0 && q.Postcode == "" && q.Name == "" && q.ID == "" && len(q.Emails) == 0
}

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// batchedCaps are the capabilities of a ledger plugin that answers the batched look-ups.
var batchedCaps = []string{sdk.CapArticleCodes, sdk.CapRelatieEmails}

// batched makes e's pipeline use ledger l (e.ledger when nil) as a plugin declaring batchedCaps.
func (e *env) batched(l sdk.Ledger) {
	if l == nil {
		l = e.ledger
	}
	e.p = New(Options{Profile: e.prof, Shop: e.shop, Ledger: l, LedgerCapabilities: batchedCaps, Store: e.store,
		Clock: func() time.Time { return e.now }, Concurrency: testConcurrency})
}

// relatieCalls records the FindRelaties calls a test watches: the batched ones (their
// addresses) and the single look-ups by e-mail alone (per lower-cased address).
type relatieCalls struct {
	mu      sync.Mutex
	batched [][]string
	single  map[string]int
	creates map[string]int
}

func watchRelaties(l *fakeLedger) (*watchLedger, *relatieCalls) {
	c := &relatieCalls{single: map[string]int{}, creates: map[string]int{}}
	return &watchLedger{fakeLedger: l,
		findRelaties: func(q sdk.RelatieQuery) {
			c.mu.Lock()
			defer c.mu.Unlock()
			if len(q.Emails) > 0 {
				c.batched = append(c.batched, slices.Clone(q.Emails))
			} else if emailOnly(q) {
				c.single[strings.ToLower(q.Email)]++
			}
		},
		createRelatie: func(r sdk.Relatie) {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.creates[strings.ToLower(r.Email)]++
		},
	}, c
}

// With a ledger that declares sdk.CapRelatieEmails the e-mail addresses of a listed batch's
// new customers are looked up together: no address is asked on its own, a new customer is
// created once (also with two of its orders in the batch), and a relatie SnelStart has is
// matched from the batched answer as the single look-up matches it. Without the capability
// every customer is looked up on its own.
func TestBatchedCustomerLookUp(t *testing.T) {
	for _, capable := range []bool{true, false} {
		t.Run(fmt.Sprint("capable=", capable), func(t *testing.T) {
			e := newEnv(t)
			known := e.ledger.addRelatie(sdk.Relatie{Name: "Bestaande Klant", Email: "info@winkel.example; Bestaand@Example.nl",
				Address: sdk.LedgerAddress{Street: "Laan 1", Postcode: "1099 ZZ", City: "Utrecht", Country: "NL"}})
			// An inactive relatie and a supplier with the same address are never matched.
			e.ledger.addRelatie(sdk.Relatie{Name: "Oud", Email: "klant3@example.nl", Inactive: true})
			sup := e.ledger.addRelatie(sdk.Relatie{Name: "Leverancier", Email: "klant4@example.nl"})
			e.ledger.mu.Lock()
			e.ledger.relaties[len(e.ledger.relaties)-1].Customer = false
			e.ledger.mu.Unlock()
			w, calls := watchRelaties(e.ledger)
			for i, n := range []int{1, 2, 2, 3, 4, 5} { // customer 2 orders twice
				e.shop.put(customerOrder(fmt.Sprint(i+1), n, i, coffee))
			}
			o7 := customerOrder("7", 9, 7, mug)
			o7.Customer.Email, o7.Billing.Email = " BESTAAND@example.nl ", " BESTAAND@example.nl "
			e.shop.put(o7)
			if capable {
				e.batched(w)
			} else {
				e.p = New(Options{Profile: e.prof, Shop: e.shop, Ledger: w, Store: e.store,
					Clock: func() time.Time { return e.now }, Concurrency: testConcurrency})
			}
			res := e.run()
			if res.Imported != 7 {
				t.Fatalf("run: %+v", res.Orders)
			}
			calls.mu.Lock()
			defer calls.mu.Unlock()
			want := []string{"klant1@example.nl", "klant2@example.nl", "klant3@example.nl", "klant4@example.nl", "klant5@example.nl", "bestaand@example.nl"}
			if capable {
				if len(calls.batched) != 1 || !slices.Equal(calls.batched[0], want) {
					t.Fatalf("batched look-ups %q, want one of %q", calls.batched, want)
				}
				if len(calls.single) != 0 {
					t.Fatalf("looked up on their own after the batched look-up: %v", calls.single)
				}
			} else if len(calls.batched) != 0 || len(calls.single) != 6 {
				t.Fatalf("without the capability: batched %q, on their own %v", calls.batched, calls.single)
			}
			for _, n := range []int{1, 2, 3, 4, 5} {
				if got := calls.creates[fmt.Sprintf("klant%d@example.nl", n)]; got != 1 {
					t.Fatalf("customer %d created %d times, want once (creates %v)", n, got, calls.creates)
				}
			}
			for _, out := range res.Orders {
				switch out.ShopID {
				case "7":
					if out.CustomerCode != known.Code {
						t.Fatalf("order 7 booked on relatiecode %d, want the known %d", out.CustomerCode, known.Code)
					}
				case "5":
					if out.CustomerCode == sup.Code {
						t.Fatalf("order 5 booked on the supplier")
					}
				}
			}
		})
	}
}

// A customer with a customer intent (an earlier create whose answer was lost) is resolved by its
// own look-up, never from a batched answer: its address is not asked in the batch, its relatie
// is adopted, and a later order with the same address (a guest) looks it up on its own.
func TestBatchedCustomerLookUpLeavesIntentsAlone(t *testing.T) {
	e := newEnv(t)
	in := CustomerIntentRecord{Key: "id:c1", Name: "Jan Jansen", Email: "jan@example.nl", Postcode: "1234AB", StartedAt: day, Attempts: 1}
	if err := state.Put(t.Context(), e.store, state.MapKey("shop1", MapCustomerIntent, "id:c1"), in); err != nil {
		t.Fatal(err)
	}
	jan := e.ledger.addRelatie(sdk.Relatie{Name: "Jan Jansen", Email: "Jan@Example.nl",
		Address: sdk.LedgerAddress{Street: "Dorpsstraat 1", Postcode: "1234 AB", City: "Utrecht", Country: "NL"}})
	w, calls := watchRelaties(e.ledger)
	e.shop.put(mkOrder("1", true, []ln{coffee}, at(0)))
	e.shop.put(customerOrder("2", 2, 1, mug))
	e.shop.put(mkOrder("3", true, []ln{mug}, guest, at(2)))
	e.batched(w)
	res := e.run()
	if res.Imported != 3 {
		t.Fatalf("run: %+v", res.Orders)
	}
	calls.mu.Lock()
	defer calls.mu.Unlock()
	if len(calls.batched) != 1 || !slices.Equal(calls.batched[0], []string{"klant2@example.nl"}) {
		t.Fatalf("batched look-ups %q, want one of klant2 only", calls.batched)
	}
	if n := len(e.ledger.relatiesWith("Jan Jansen")); calls.creates["jan@example.nl"] != 0 || n != 2 {
		t.Fatalf("jan@example.nl created %d times; %d relaties Jan Jansen, want 2 (Jan and customer 2)", calls.creates["jan@example.nl"], n)
	}
	if calls.single["jan@example.nl"] != 1 {
		t.Fatalf("the guest's look-up of jan@example.nl asked %d times on its own, want once", calls.single["jan@example.nl"])
	}
	for _, out := range res.Orders {
		if (out.ShopID == "1" || out.ShopID == "3") && out.CustomerCode != jan.Code {
			t.Fatalf("order %s booked on %d, want Jan's %d", out.ShopID, out.CustomerCode, jan.Code)
		}
	}
	if n := e.intentCount(); n != 0 {
		t.Fatalf("%d intents left", n)
	}
}

// failingEmails is the fake ledger whose batched customer look-up fails.
type failingEmails struct {
	*watchLedger
}

func (f failingEmails) FindRelaties(ctx context.Context, q sdk.RelatieQuery) ([]sdk.Relatie, error) {
	if len(q.Emails) > 0 {
		f.watchLedger.findRelaties(q)
		return nil, &sdk.Error{Kind: sdk.KindRetryable, Message: "SnelStart answered 503"}
	}
	return f.watchLedger.FindRelaties(ctx, q)
}

// A failed batched look-up decides nothing: every customer is looked up on its own, and created
// once.
func TestFailedBatchedCustomerLookUp(t *testing.T) {
	e := newEnv(t)
	w, calls := watchRelaties(e.ledger)
	for i := range 4 {
		e.shop.put(customerOrder(fmt.Sprint(i+1), i+1, i, coffee))
	}
	e.batched(failingEmails{w})
	res := e.run()
	if res.Imported != 4 {
		t.Fatalf("run: %+v", res.Orders)
	}
	calls.mu.Lock()
	defer calls.mu.Unlock()
	if len(calls.batched) != 1 || len(calls.single) != 4 {
		t.Fatalf("batched %q, on their own %v: want the failed batch, then each customer on its own", calls.batched, calls.single)
	}
	for a, n := range calls.creates {
		if n != 1 {
			t.Fatalf("%s created %d times", a, n)
		}
	}
}

// Relatie writes of the run with the batched look-ups on (the lost-create tests in
// create_once_test.go run with them too): an answer from before a write is not used.
func TestBatchedCustomerLookUpAfterWrites(t *testing.T) {
	t.Run("two customers, one address", func(t *testing.T) {
		// An account holder and a guest with the same address in one batch: the guest's order
		// runs after the account holder's create and must find that relatie, not a batched
		// "not found" from before it.
		e := newEnv(t)
		e.batched(nil)
		e.shop.put(mkOrder("1", true, []ln{coffee}, at(0)))
		e.shop.put(mkOrder("2", true, []ln{mug}, guest, at(1)))
		res := e.run()
		if res.Imported != 2 || res.CallsByMethod["CreateRelatie"] != 1 {
			t.Fatalf("run: %+v, calls %v", res.Orders, res.CallsByMethod)
		}
		e.oneRelatie("Jan Jansen", 2)
	})
	t.Run("address given to a relatie in the run", func(t *testing.T) {
		// customers.mode = add_update: order 1 is matched by relatiecode and brings that
		// relatie its new address; the guest's order 2 with that address runs after it and
		// must find the updated relatie, not the batched "not found" asked before the update.
		e := newEnv(t, func(p *config.Profile) { p.Customers.Mode = config.ModeAddUpdate })
		answered := make(chan struct{})
		e.batched(&updateAfterBatch{fakeLedger: e.ledger, answered: answered})
		known := e.ledger.addRelatie(sdk.Relatie{Code: 5001, Name: "Jan Jansen", Email: "oud@example.nl",
			Address: sdk.LedgerAddress{Street: "Dorpsstraat 1", Postcode: "1234 AB", City: "Utrecht", Country: "NL"}})
		e.shop.put(mkOrder("1", true, []ln{coffee}, at(0), func(o *sdk.Order) { o.Customer.Code = "5001" }))
		e.shop.put(mkOrder("2", true, []ln{mug}, guest, at(1)))
		res := e.run()
		if res.Imported != 2 || res.CallsByMethod["CreateRelatie"] != 0 || res.CallsByMethod["UpdateRelatie"] != 1 {
			t.Fatalf("run: %+v, calls %v", res.Orders, res.CallsByMethod)
		}
		for _, out := range res.Orders {
			if out.CustomerCode != known.Code {
				t.Fatalf("order %s booked on %d, want the updated relatie %d", out.ShopID, out.CustomerCode, known.Code)
			}
		}
	})
}

// updateAfterBatch is the fake ledger whose relatie updates wait until the batched customer
// look-up has answered, so that answer is certainly from before the update.
type updateAfterBatch struct {
	*fakeLedger
	answered chan struct{}
	once     sync.Once
}

func (u *updateAfterBatch) FindRelaties(ctx context.Context, q sdk.RelatieQuery) ([]sdk.Relatie, error) {
	rs, err := u.fakeLedger.FindRelaties(ctx, q)
	if len(q.Emails) > 0 {
		u.once.Do(func() { close(u.answered) })
	}
	return rs, err
}

func (u *updateAfterBatch) UpdateRelatie(ctx context.Context, r sdk.Relatie) (sdk.Relatie, error) {
	select {
	case <-u.answered:
	case <-ctx.Done():
		return sdk.Relatie{}, ctx.Err()
	}
	return u.fakeLedger.UpdateRelatie(ctx, r)
}

// The batched answers themselves: taken once, not after a relatie write of the run that
// concerns them, not when too old, not for an address the answer cannot settle.
func TestCustomerPrefetchAnswers(t *testing.T) {
	ctx := t.Context()
	now := day
	rel := func(id, email string) sdk.Relatie { return sdk.Relatie{ID: id, Email: email, Customer: true} }
	found := []sdk.Relatie{rel("r1", "a@x.nl"), rel("r2", "B@X.nl; c@x.nl"), rel("r3", "xa@x.nl"), rel("r4", "d@x.nl,e@x.nl"),
		rel("r5", "\u212a@x.nl")} // KELVIN SIGN: equal to "k@x.nl" only by Unicode case folding
	cp := newCustomerPrefetch()
	emails := []string{"a@x.nl", "b@x.nl", "c@x.nl", "e@x.nl", "k@x.nl", "z@x.nl"}
	done := make(chan struct{})
	cp.end(emails, found, nil, now, done)
	cases := []struct {
		addr string
		ok   bool
		ids  []string
	}{
		{" A@X.NL ", true, []string{"r1"}}, // not r3: a substring is not an address
		{"b@x.nl", true, []string{"r2"}},
		{"z@x.nl", true, nil},  // not in SnelStart
		{"e@x.nl", false, nil}, // only in a ","-joined part: looked up on its own
		{"k@x.nl", false, nil}, // only by non-ASCII folding: looked up on its own
		{"a@x.nl", false, nil}, // taken already
		{"q@x.nl", false, nil}, // never asked
	}
	for _, c := range cases {
		rs, ok, err := cp.take(ctx, c.addr, now)
		var ids []string
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
		if err != nil || ok != c.ok || !slices.Equal(ids, c.ids) {
			t.Errorf("take(%q) = %v, %v, %v; want %v, %v", c.addr, ids, ok, err, c.ids, c.ok)
		}
	}
	// c@x.nl: its relatie was updated in this run; d@… and f@…: a relatie with them was created.
	cp.wrote(sdk.Relatie{ID: "r2", Email: "nieuw@x.nl"}, now)(now)
	if _, ok, _ := cp.take(ctx, "c@x.nl", now); ok {
		t.Error("an answer holding a relatie updated in this run was used")
	}
	cp.end([]string{"f@x.nl", "g@x.nl", "h@x.nl"}, nil, nil, now, make(chan struct{}))
	cp.wrote(sdk.Relatie{Name: "F", Email: "F@x.nl", InvoiceEmail: "g@x.nl"}, now)(now)
	for _, a := range []string{"f@x.nl", "g@x.nl"} {
		if _, ok, _ := cp.take(ctx, a, now); ok {
			t.Errorf("the answer for %s was used after this run created a relatie with it", a)
		}
	}
	// A write is remembered as long as an answer from before it could be used, no longer.
	later := now.Add(customerPrefetchAge / 2)
	cp.end([]string{"f@x.nl"}, nil, nil, later, make(chan struct{}))
	if _, ok, _ := cp.take(ctx, "f@x.nl", later); ok {
		t.Error("an answer was used half a minute after a create with its address")
	}
	later = now.Add(customerPrefetchAge + time.Second)
	cp.end([]string{"f@x.nl"}, nil, nil, later, make(chan struct{}))
	if _, ok, _ := cp.take(ctx, "f@x.nl", later); !ok {
		t.Error("an answer asked after a create long past was not used")
	}
	if len(cp.writes) != 0 || len(cp.written) != 0 {
		t.Errorf("writes older than customerPrefetchAge kept: %v", cp.writes)
	}
	if _, ok, _ := cp.take(ctx, "h@x.nl", now.Add(customerPrefetchAge+time.Second)); ok {
		t.Error("an answer older than customerPrefetchAge was used")
	}
	// A failed look-up records nothing; a look-up under way is waited for.
	cp.end([]string{"i@x.nl"}, nil, errors.New("503"), now, make(chan struct{}))
	if _, ok, _ := cp.take(ctx, "i@x.nl", now); ok {
		t.Error("a failed batched look-up answered")
	}
	wait := make(chan struct{})
	cp.mu.Lock()
	cp.pending["j@x.nl"] = wait
	cp.mu.Unlock()
	got := make(chan bool)
	go func() {
		_, ok, _ := cp.take(ctx, "j@x.nl", now)
		got <- ok
	}()
	cp.end([]string{"j@x.nl"}, []sdk.Relatie{rel("r9", "j@x.nl")}, nil, now, wait)
	if !<-got {
		t.Error("a take waiting for the look-up under way got no answer")
	}
	for addr, want := range map[string]string{" Jan@Example.NL ": "jan@example.nl", "a@x.nl;b@x.nl": "", "zoë@x.nl": "", "": "", "a,b@x.nl": ""} {
		if got := prefetchAddress(addr); got != want {
			t.Errorf("prefetchAddress(%q) = %q, want %q", addr, got, want)
		}
	}
	if !emailOnly(sdk.RelatieQuery{Email: "a@x.nl"}) || emailOnly(sdk.RelatieQuery{Email: "a@x.nl", Name: "A"}) || emailOnly(sdk.RelatieQuery{Code: 1}) {
		t.Error("emailOnly")
	}
}

// A relatie write that was under way when a batched look-up was asked may be missing from its
// answer: the write is remembered from when it returned, not from when it started, so that answer
// is too old before the write is forgotten (a slow create started at now, the batch asked a second
// later, the create answered two seconds later: at now+61s the batch's "not found" must not be
// used, or a second relatie is created).
func TestCustomerPrefetchWriteUnderWay(t *testing.T) {
	ctx := context.Background()
	now := day
	cp := newCustomerPrefetch()
	done := cp.wrote(sdk.Relatie{Name: "Traag", Email: "traag@x.nl"}, now)
	cp.end([]string{"traag@x.nl"}, nil, nil, now.Add(time.Second), make(chan struct{}))
	done(now.Add(2 * time.Second))
	if _, ok, _ := cp.take(ctx, "traag@x.nl", now.Add(customerPrefetchAge+time.Second)); ok {
		t.Fatal("a batched answer asked while a create with its address was under way was used after the create")
	}
	// A write that takes longer than customerPrefetchAge is not forgotten while under way.
	done = cp.wrote(sdk.Relatie{ID: "r7", Name: "Trager", Email: "trager@x.nl"}, now)
	cp.end([]string{"trager@x.nl", "ander@x.nl"}, []sdk.Relatie{{ID: "r7", Email: "ander@x.nl"}}, nil, now.Add(30*time.Second), make(chan struct{}))
	for _, a := range []string{"trager@x.nl", "ander@x.nl"} {
		if _, ok, _ := cp.take(ctx, a, now.Add(customerPrefetchAge+time.Second)); ok {
			t.Errorf("the answer for %s was used while a write concerning it was still under way", a)
		}
	}
	done(now.Add(2 * customerPrefetchAge))
	done(now.Add(2 * customerPrefetchAge)) // a second call changes nothing
	if len(cp.underWay) != 0 {
		t.Errorf("writes under way after they returned: %v", cp.underWay)
	}
	cp.forgetWrites(now.Add(3*customerPrefetchAge + time.Second))
	if len(cp.writes) != 0 || len(cp.written) != 0 {
		t.Errorf("writes kept after they returned long ago: %v", cp.written)
	}
}

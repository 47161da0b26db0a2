package conformance

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// shopBugs are the contract violations the fake shop can be told to commit.
type shopBugs struct {
	dropOnResume      bool // skips the first order after a resumed cursor
	noProgress        bool // ignores the cursor and restarts from Since
	orderByCreated    bool // lists and resumes by creation time, so a modified order is never seen again
	wrongAuthKind     bool // bad credentials give KindPermanent
	leakSecret        bool // puts the key into the auth error message
	ignoreYieldError  bool // carries on after yield returns an error
	throttleAsPerm    bool // a 429 becomes KindPermanent
	badTotals         bool // totals that do not add up
	secretNotFlagged  bool // schema: api_key not Sensitive
	missingIDsInQuery bool // OrderQuery.IDs is ignored
}

// fakeShopInfo is the fake plugin's info; sensitive says whether api_key is flagged.
func fakeShopInfo(sensitive bool) sdk.PluginInfo {
	return sdk.PluginInfo{
		Name: "fakeshop", Kind: sdk.KindShop, Version: "0.0.1",
		Schema: sdk.Schema{Attributes: []sdk.Attribute{
			{Name: "url", Type: sdk.TypeString, Required: true, Description: "Base URL of the shop."},
			{Name: "api_key", Type: sdk.TypeString, Required: true, Sensitive: sensitive, Description: "API key."},
			{Name: "page_size", Type: sdk.TypeNumber, Default: sdk.MustDefault(25), Description: "Orders per page."},
		}},
	}
}

const (
	fakeURL = "mem://shop"
	fakeKey = "good-key-1234567"
)

// shopStore is the in-memory "shop" behind a fake: orders with a clock that moves a second for
// every three writes, so orders share modified seconds as on a real store.
type shopStore struct {
	mu     sync.Mutex
	clock  time.Time
	writes int
	next   int
	orders map[string]*sdk.Order
	fault  Fault
}

func newShopStore() *shopStore {
	return &shopStore{clock: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), next: 100, orders: map[string]*sdk.Order{}}
}

func (s *shopStore) tick() time.Time {
	s.writes++
	if s.writes%3 == 0 {
		s.clock = s.clock.Add(time.Second)
	}
	return s.clock
}

func (s *shopStore) seed(_ context.Context, n int) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, n)
	for range n {
		s.next++
		now := s.tick()
		id := strconv.Itoa(s.next)
		s.orders[id] = &sdk.Order{
			ID: id, Number: id, Status: "processing", CreatedAt: now, ModifiedAt: now, Currency: "EUR",
			Totals: sdk.Totals{TotalExcl: sdk.MustMoney("10.00"), Tax: sdk.MustMoney("2.10"), Total: sdk.MustMoney("12.10")},
			Lines: []sdk.OrderLine{{ID: id + "-1", SKU: "A", Quantity: sdk.MustMoney("1"),
				TotalExcl: sdk.MustMoney("10.00"), Tax: sdk.MustMoney("2.10"), TotalIncl: sdk.MustMoney("12.10")}},
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (s *shopStore) modify(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return fmt.Errorf("no order %s", id)
	}
	s.clock = s.clock.Add(time.Second)
	o.ModifiedAt = s.clock
	o.Status = "completed"
	return nil
}

func (s *shopStore) inject(_ context.Context, f Fault) (func(), error) {
	if f == FaultCommitThen500 {
		return nil, fmt.Errorf("not supported")
	}
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
	return func() { s.mu.Lock(); s.fault = ""; s.mu.Unlock() }, nil
}

// fakeShop is one configured instance.
type fakeShop struct {
	st   *shopStore
	cfg  sdk.Config
	bugs shopBugs
}

func (f *fakeShop) guard(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return &sdk.Error{Kind: sdk.KindRetryable, Message: "cancelled", Err: err}
	}
	if u := f.cfg.String("url"); u != fakeURL {
		return sdk.Errorf(sdk.KindUnreachable, "cannot reach %s: connection refused", u)
	}
	if f.cfg.String("api_key") != fakeKey {
		msg := "the shop refused the API key"
		if f.bugs.leakSecret {
			msg += " " + f.cfg.String("api_key")
		}
		kind := sdk.KindAuth
		if f.bugs.wrongAuthKind {
			kind = sdk.KindPermanent
		}
		return &sdk.Error{Kind: kind, Code: "unauthorized", Message: msg}
	}
	f.st.mu.Lock()
	fault := f.st.fault
	f.st.mu.Unlock()
	switch fault {
	case FaultThrottle:
		if f.bugs.throttleAsPerm {
			return sdk.Errorf(sdk.KindPermanent, "too many requests")
		}
		return &sdk.Error{Kind: sdk.KindRetryable, Message: "throttled", RetryAfter: 10 * time.Minute}
	case FaultUnavailable:
		return sdk.Errorf(sdk.KindRetryable, "service unavailable")
	}
	return nil
}

func (f *fakeShop) Check(ctx context.Context) (sdk.CheckResult, error) {
	if err := f.guard(ctx); err != nil {
		return sdk.CheckResult{}, err
	}
	return sdk.CheckResult{Summary: "Fake shop 1.0", Details: map[string]string{"url": fakeURL}}, nil
}

// sortKey orders the listing: modified (or created, with the bug) time, then id.
func (f *fakeShop) sortKey(o *sdk.Order) string {
	t := o.ModifiedAt
	if f.bugs.orderByCreated {
		t = o.CreatedAt
	}
	return fmt.Sprintf("%020d|%010s", t.UnixNano(), o.ID)
}

func (f *fakeShop) ListOrders(ctx context.Context, q sdk.OrderQuery, yield func(sdk.OrderItem) error) error {
	if err := f.guard(ctx); err != nil {
		return err
	}
	f.st.mu.Lock()
	var list []sdk.Order
	for _, o := range f.st.orders {
		if len(q.IDs) > 0 && !f.bugs.missingIDsInQuery {
			if !contains(q.IDs, o.ID) {
				continue
			}
		} else if o.ModifiedAt.Before(q.Since) {
			continue
		}
		c := *o
		if f.bugs.badTotals {
			c.Totals.Total = c.Totals.Total.Add(sdk.MustMoney("0.01"))
		}
		list = append(list, c)
	}
	f.st.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return f.sortKey(&list[i]) < f.sortKey(&list[j]) })
	cursor := q.Cursor
	if f.bugs.noProgress {
		cursor = ""
	}
	dropped := false
	var firstErr error
	for i := range list {
		key := f.sortKey(&list[i])
		if cursor != "" && key <= cursor {
			continue
		}
		if f.bugs.dropOnResume && cursor != "" && !dropped {
			dropped = true
			continue
		}
		if err := yield(sdk.OrderItem{Order: list[i], Cursor: key}); err != nil {
			if !f.bugs.ignoreYieldError {
				return err
			}
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	_ = firstErr // the buggy variant swallows it
	return nil
}

func (f *fakeShop) ListProducts(ctx context.Context, q sdk.ProductQuery, yield func(sdk.ProductItem) error) error {
	return f.guard(ctx)
}

func (f *fakeShop) FindProducts(ctx context.Context, skus []string) ([]sdk.Product, error) {
	return nil, f.guard(ctx)
}

func (f *fakeShop) WriteStock(ctx context.Context, levels []sdk.StockLevel) ([]sdk.StockResult, error) {
	return nil, f.guard(ctx)
}

// fakeShopHarness returns a harness for a fresh store and the given bugs.
func fakeShopHarness(bugs shopBugs) ShopHarness {
	st := newShopStore()
	info := fakeShopInfo(!bugs.secretNotFlagged)
	cfg := sdk.Config{}.Set("url", fakeURL).Set("api_key", fakeKey).Set("page_size", 25)
	return ShopHarness{
		Info: info,
		New: func(ctx context.Context, c sdk.Config) (sdk.Shop, error) {
			return &fakeShop{st: st, cfg: c, bugs: bugs}, nil
		},
		Config:         cfg,
		BadCredentials: WithBadCredentials(cfg, fakeShopInfo(true).Schema),
		Unreachable:    WithURL(cfg, "url", UnreachableURL),
		SeedOrders:     st.seed,
		ModifyOrder:    st.modify,
		InjectFault:    st.inject,
		Orders:         120,
		Timeout:        10 * time.Second,
	}
}

// hasPrefixIn reports whether some name starts with prefix.
func hasPrefixIn(names []string, prefix string) bool {
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	return false
}

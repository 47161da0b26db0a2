package conformance

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// ledgerBugs are the contract violations the fake ledger can be told to commit.
type ledgerBugs struct {
	unknownCustomerRetryable bool // an order for an unknown customer is KindRetryable
	referenceNotSearchable   bool // FindSalesOrders ignores Reference
	emailCaseSensitive       bool // FindRelaties compares e-mail exactly
	unknownLookupIsError     bool // FindArticles of an unknown code returns KindNotFound
	commitThen500Permanent   bool // a lost answer to a create is KindPermanent
	noRevenueGroups          bool // ReferenceData without revenue groups
}

func fakeLedgerInfo() sdk.PluginInfo {
	return sdk.PluginInfo{
		Name: "fakeledger", Kind: sdk.KindLedger, Version: "0.0.1",
		Schema: sdk.Schema{Attributes: []sdk.Attribute{
			{Name: "url", Type: sdk.TypeString, Default: sdk.MustDefault(fakeURL), Description: "API base URL."},
			{Name: "client_key", Type: sdk.TypeString, Required: true, Sensitive: true, Description: "Koppelsleutel."},
		}},
	}
}

// ledgerStore is the in-memory administration.
type ledgerStore struct {
	mu       sync.Mutex
	next     int
	relaties map[string]sdk.Relatie
	articles map[string]sdk.Article
	orders   []sdk.SalesOrder
	fault    Fault
}

func newLedgerStore() *ledgerStore {
	return &ledgerStore{next: 1000, relaties: map[string]sdk.Relatie{},
		articles: map[string]sdk.Article{"art-1": {ID: "art-1", Code: "A-1", Description: "Widget", SalesPrice: sdk.MustMoney("5")}}}
}

func (s *ledgerStore) inject(_ context.Context, f Fault) (func(), error) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
	return func() { s.mu.Lock(); s.fault = ""; s.mu.Unlock() }, nil
}

type fakeLedger struct {
	st   *ledgerStore
	cfg  sdk.Config
	bugs ledgerBugs
}

func (l *fakeLedger) guard(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return &sdk.Error{Kind: sdk.KindRetryable, Message: "cancelled", Err: err}
	}
	if l.cfg.String("url") != fakeURL {
		return sdk.Errorf(sdk.KindUnreachable, "cannot reach %s", l.cfg.String("url"))
	}
	if l.cfg.String("client_key") != fakeKey {
		return &sdk.Error{Kind: sdk.KindAuth, Code: "invalid_grant", Message: "the koppelsleutel was refused"}
	}
	l.st.mu.Lock()
	f := l.st.fault
	l.st.mu.Unlock()
	switch f {
	case FaultThrottle:
		return &sdk.Error{Kind: sdk.KindRetryable, Message: "rate limit", RetryAfter: 10 * time.Minute}
	case FaultUnavailable:
		return sdk.Errorf(sdk.KindRetryable, "503")
	}
	return nil
}

func (l *fakeLedger) Check(ctx context.Context) (sdk.CheckResult, error) {
	if err := l.guard(ctx); err != nil {
		return sdk.CheckResult{}, err
	}
	return sdk.CheckResult{Summary: "Administratie Fake BV"}, nil
}

func (l *fakeLedger) FindRelaties(ctx context.Context, q sdk.RelatieQuery) ([]sdk.Relatie, error) {
	if err := l.guard(ctx); err != nil {
		return nil, err
	}
	l.st.mu.Lock()
	defer l.st.mu.Unlock()
	var out []sdk.Relatie
	for _, r := range l.st.relaties {
		if q.ID != "" && r.ID != q.ID || q.Code != 0 && r.Code != q.Code {
			continue
		}
		if q.Email != "" {
			match := false
			for _, e := range strings.Split(r.Email, ";") {
				e = strings.TrimSpace(e)
				if e == q.Email || (!l.bugs.emailCaseSensitive && strings.EqualFold(e, q.Email)) {
					match = true
				}
			}
			if !match {
				continue
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func (l *fakeLedger) CreateRelatie(ctx context.Context, r sdk.Relatie) (sdk.Relatie, error) {
	if err := l.guard(ctx); err != nil {
		return sdk.Relatie{}, err
	}
	l.st.mu.Lock()
	defer l.st.mu.Unlock()
	l.st.next++
	r.ID = fmt.Sprintf("rel-%d", l.st.next)
	r.Code = l.st.next
	l.st.relaties[r.ID] = r
	return r, nil
}

func (l *fakeLedger) UpdateRelatie(ctx context.Context, r sdk.Relatie) (sdk.Relatie, error) {
	return r, l.guard(ctx)
}

func (l *fakeLedger) FindArticles(ctx context.Context, q sdk.ArticleQuery) ([]sdk.Article, error) {
	if err := l.guard(ctx); err != nil {
		return nil, err
	}
	l.st.mu.Lock()
	defer l.st.mu.Unlock()
	var out []sdk.Article
	for _, a := range l.st.articles {
		if (q.Code != "" && a.Code == q.Code) || (q.ID != "" && a.ID == q.ID) {
			out = append(out, a)
		}
	}
	if len(out) == 0 && l.bugs.unknownLookupIsError {
		return nil, sdk.Errorf(sdk.KindNotFound, "article not found")
	}
	return out, nil
}

func (l *fakeLedger) CreateArticle(ctx context.Context, a sdk.Article) (sdk.Article, error) {
	if err := l.guard(ctx); err != nil {
		return sdk.Article{}, err
	}
	l.st.mu.Lock()
	defer l.st.mu.Unlock()
	l.st.next++
	a.ID = fmt.Sprintf("art-%d", l.st.next)
	l.st.articles[a.ID] = a
	return a, nil
}

func (l *fakeLedger) UpdateArticle(ctx context.Context, a sdk.Article) (sdk.Article, error) {
	return a, l.guard(ctx)
}

func (l *fakeLedger) ListStock(ctx context.Context, yield func(sdk.Article) error) error {
	if err := l.guard(ctx); err != nil {
		return err
	}
	l.st.mu.Lock()
	var all []sdk.Article
	for _, a := range l.st.articles {
		all = append(all, a)
	}
	l.st.mu.Unlock()
	for _, a := range all {
		if err := yield(a); err != nil {
			return err
		}
	}
	return nil
}

func (l *fakeLedger) ReferenceData(ctx context.Context) (sdk.ReferenceData, error) {
	if err := l.guard(ctx); err != nil {
		return sdk.ReferenceData{}, err
	}
	rd := sdk.ReferenceData{
		Company:       sdk.CompanyInfo{Name: "Fake BV"},
		RevenueGroups: []sdk.RevenueGroup{{ID: "rg-1", Number: 1, Description: "Omzet hoog", VATClass: sdk.VATHigh}},
		Countries:     []sdk.Country{{ID: "c-nl", Code: "NL", Name: "Nederland"}},
		VATRates:      []sdk.VATRate{{Class: sdk.VATHigh, Percentage: sdk.MustMoney("21")}},
	}
	if l.bugs.noRevenueGroups {
		rd.RevenueGroups = nil
	}
	return rd, nil
}

func (l *fakeLedger) CreateSalesOrder(ctx context.Context, o sdk.SalesOrder) (sdk.SalesOrder, error) {
	if err := l.guard(ctx); err != nil {
		return sdk.SalesOrder{}, err
	}
	l.st.mu.Lock()
	defer l.st.mu.Unlock()
	if _, ok := l.st.relaties[o.CustomerID]; !ok {
		kind := sdk.KindPermanent
		if l.bugs.unknownCustomerRetryable {
			kind = sdk.KindRetryable
		}
		return sdk.SalesOrder{}, &sdk.Error{Kind: kind, Code: "VOR-0001", Message: "de relatie bestaat niet"}
	}
	l.st.next++
	o.ID = fmt.Sprintf("so-%d", l.st.next)
	o.Number = l.st.next
	total := sdk.MustMoney("0")
	for _, line := range o.Lines {
		if line.UnitPrice != nil {
			total = total.Add(line.UnitPrice.Mul(line.Quantity))
		}
	}
	o.TotalIncl = total
	l.st.orders = append(l.st.orders, o)
	if l.st.fault == FaultCommitThen500 {
		kind := sdk.KindOutcomeUnknown
		if l.bugs.commitThen500Permanent {
			kind = sdk.KindPermanent
		}
		return sdk.SalesOrder{}, sdk.Errorf(kind, "server answered 500")
	}
	return o, nil
}

func (l *fakeLedger) DeleteSalesOrder(ctx context.Context, id string) error {
	if err := l.guard(ctx); err != nil {
		return err
	}
	l.st.mu.Lock()
	defer l.st.mu.Unlock()
	for i, o := range l.st.orders {
		if o.ID == id {
			l.st.orders = append(l.st.orders[:i], l.st.orders[i+1:]...)
			return nil
		}
	}
	return &sdk.Error{Kind: sdk.KindNotFound, Code: "VOR-0001", Message: "verkooporder " + id + " bestaat niet"}
}

func (l *fakeLedger) FindSalesOrders(ctx context.Context, q sdk.SalesOrderQuery) ([]sdk.SalesOrder, error) {
	if err := l.guard(ctx); err != nil {
		return nil, err
	}
	l.st.mu.Lock()
	defer l.st.mu.Unlock()
	var out []sdk.SalesOrder
	for i := len(l.st.orders) - 1; i >= 0; i-- { // most recent first
		o := l.st.orders[i]
		if q.Reference != "" && (l.bugs.referenceNotSearchable || (o.PaymentReference != q.Reference && o.OrderReference != q.Reference)) {
			continue
		}
		if q.CustomerID != "" && o.CustomerID != q.CustomerID {
			continue
		}
		out = append(out, o)
		if q.Limit > 0 && len(out) >= q.Limit {
			break
		}
	}
	return out, nil
}

func fakeLedgerHarness(bugs ledgerBugs) LedgerHarness {
	st := newLedgerStore()
	info := fakeLedgerInfo()
	cfg := sdk.Config{}.Set("url", fakeURL).Set("client_key", fakeKey)
	return LedgerHarness{
		Info: info,
		New: func(ctx context.Context, c sdk.Config) (sdk.Ledger, error) {
			return &fakeLedger{st: st, cfg: c, bugs: bugs}, nil
		},
		Config:         cfg,
		BadCredentials: WithBadCredentials(cfg, info.Schema),
		Unreachable:    WithURL(cfg, "url", UnreachableURL),
		InjectFault:    st.inject,
		Timeout:        10 * time.Second,
	}
}

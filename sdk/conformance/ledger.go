package conformance

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// LedgerHarness tells the kit how to construct and exercise one ledger connector.
type LedgerHarness struct {
	// Info is the plugin's PluginInfo.
	Info sdk.PluginInfo
	// New constructs an instance from a configuration, as the plugin's NewLedger does.
	New func(ctx context.Context, cfg sdk.Config) (sdk.Ledger, error)
	// Config is a valid configuration pointing at the simulator (or a real administration in
	// acceptance mode).
	Config sdk.Config
	// BadCredentials is Config with wrong keys (see WithBadCredentials).
	BadCredentials sdk.Config
	// Unreachable is Config with a URL nothing listens on (see WithURL).
	Unreachable sdk.Config
	// ArticleCode is an existing article code for the look-up checks. When empty and the kit
	// may write, it creates an article with CreateArticle.
	ArticleCode string
	// InjectFault switches simulator faults on; optional (see Fault).
	InjectFault InjectFunc
	// Live marks a harness pointed at a real administration: the kit then creates nothing
	// unless KOPPEL_ACC_WRITE=1.
	Live bool
	// Timeout bounds each check; default DefaultTimeout.
	Timeout time.Duration
}

func (h LedgerHarness) writes() bool { return !h.Live || AcceptanceWrites() }

// TestLedger runs the ledger contract checks as subtests of t:
//
//	schema                             schema valid, documented, credentials Sensitive
//	check/valid_config, check/bad_credentials, check/unreachable
//	reference_data                     company name, revenue groups, countries, VAT rates
//	lookups/unknown_is_empty           look-ups of unknown things return empty, not errors
//	relaties/create_and_find           a created relatie is found by code, e-mail and id
//	articles/find_by_code              an article is found by its code
//	sales_orders/create_and_find       a created sales order is found by its reference
//	sales_orders/delete                a deleted sales order is gone; deleting it again is KindNotFound
//	stock/yield_error                  ListStock returns the yield's error
//	errors/unknown_customer            a sales order for an unknown customer is KindPermanent
//	faults/throttle, faults/unavailable, faults/commit_then_500   (need InjectFault)
//
// Checks that create objects are skipped when the harness may not write.
func TestLedger[T Runner[T]](t T, h LedgerHarness) {
	t.Helper()
	if h.New == nil {
		t.Fatalf("LedgerHarness.New is nil")
	}
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	secrets := secretValues(h.Info.Schema, h.Config, h.BadCredentials, h.Unreachable)
	show := func(err error) string { return redact(describe(err), secrets) }

	t.Run("schema", func(t T) {
		checkSchema(t, h.Info, sdk.KindLedger, map[string]sdk.Config{
			"Config": h.Config, "BadCredentials": h.BadCredentials, "Unreachable": h.Unreachable})
	})
	checkConnection(t, timeout, secrets, h.New, h.Config, h.BadCredentials, h.Unreachable)

	newLedger := func(t TB, ctx context.Context) sdk.Ledger {
		t.Helper()
		l, err := h.New(ctx, h.Config)
		if err != nil {
			t.Fatalf("New(Config): %s", show(err))
		}
		return l
	}
	needWrites := func(t TB) {
		t.Helper()
		if !h.writes() {
			t.Skipf("live harness: set KOPPEL_ACC_WRITE=1 to run checks that create objects")
		}
	}

	var ref sdk.ReferenceData
	t.Run("reference_data", func(t T) {
		ctx, cancel := ctxFor(timeout)
		defer cancel()
		var err error
		ref, err = newLedger(t, ctx).ReferenceData(ctx)
		if err != nil {
			t.Fatalf("ReferenceData: %s", show(err))
		}
		if strings.TrimSpace(ref.Company.Name) == "" {
			t.Errorf("Company.Name is empty")
		}
		if len(ref.RevenueGroups) == 0 {
			t.Errorf("no revenue groups")
		}
		if len(ref.Countries) == 0 {
			t.Errorf("no countries")
		}
		if len(ref.VATRates) == 0 {
			t.Errorf("no VAT rates")
		}
		for _, g := range ref.RevenueGroups {
			if g.ID == "" {
				t.Errorf("revenue group %q without ID", g.Description)
			}
		}
	})

	t.Run("lookups/unknown_is_empty", func(t T) {
		ctx, cancel := ctxFor(timeout)
		defer cancel()
		l := newLedger(t, ctx)
		suffix := uniqueSuffix()
		if got, err := l.FindRelaties(ctx, sdk.RelatieQuery{Email: "nobody-" + suffix + "@example.invalid"}); err != nil || len(got) != 0 {
			t.Errorf("FindRelaties(unknown e-mail) = %d results, %s; want none and no error", len(got), show(err))
		}
		if got, err := l.FindArticles(ctx, sdk.ArticleQuery{Code: "NOSUCH-" + suffix}); err != nil || len(got) != 0 {
			t.Errorf("FindArticles(unknown code) = %d results, %s; want none and no error", len(got), show(err))
		}
		if got, err := l.FindSalesOrders(ctx, sdk.SalesOrderQuery{Reference: "nosuch-" + suffix}); err != nil || len(got) != 0 {
			t.Errorf("FindSalesOrders(unknown reference) = %d results, %s; want none and no error", len(got), show(err))
		}
	})

	var customer sdk.Relatie
	t.Run("relaties/create_and_find", func(t T) {
		needWrites(t)
		ctx, cancel := ctxFor(timeout)
		defer cancel()
		l := newLedger(t, ctx)
		suffix := uniqueSuffix()
		email := "conformance-" + suffix + "@example.com"
		created, err := l.CreateRelatie(ctx, sdk.Relatie{
			Name:     "Conformance " + suffix,
			Email:    email,
			Customer: true,
			Address:  sdk.LedgerAddress{Street: "Teststraat 1", Postcode: "1234 AB", City: "Utrecht", Country: "NL"},
		})
		if err != nil {
			t.Fatalf("CreateRelatie: %s", show(err))
		}
		if created.ID == "" || created.Code == 0 {
			t.Fatalf("CreateRelatie returned ID %q code %d; want both filled in", created.ID, created.Code)
		}
		customer = created
		byCode, err := l.FindRelaties(ctx, sdk.RelatieQuery{Code: created.Code})
		if err != nil || len(byCode) != 1 || byCode[0].ID != created.ID {
			t.Errorf("FindRelaties{Code: %d} = %d results (%s), want exactly the created relatie", created.Code, len(byCode), show(err))
		}
		byEmail, err := l.FindRelaties(ctx, sdk.RelatieQuery{Email: strings.ToUpper(email)})
		if err != nil || !hasRelatie(byEmail, created.ID) {
			t.Errorf("FindRelaties{Email: %q} (upper case) did not find the created relatie (%d results, %s)", strings.ToUpper(email), len(byEmail), show(err))
		}
		byID, err := l.FindRelaties(ctx, sdk.RelatieQuery{ID: created.ID})
		if err != nil || len(byID) != 1 || byID[0].ID != created.ID {
			t.Errorf("FindRelaties{ID} = %d results (%s), want the created relatie", len(byID), show(err))
		}
	})

	var article sdk.Article
	t.Run("articles/find_by_code", func(t T) {
		ctx, cancel := ctxFor(timeout)
		defer cancel()
		l := newLedger(t, ctx)
		code := h.ArticleCode
		if code == "" {
			needWrites(t)
			if len(ref.RevenueGroups) == 0 {
				t.Fatalf("no revenue group to create an article with (reference_data failed)")
			}
			a, err := l.CreateArticle(ctx, sdk.Article{
				Code:           "CONF-" + strings.ToUpper(uniqueSuffix()),
				Description:    "Conformance article",
				RevenueGroupID: ref.RevenueGroups[0].ID,
				SalesPrice:     sdk.MustMoney("12.10"),
			})
			if err != nil {
				t.Fatalf("CreateArticle: %s", show(err))
			}
			if a.ID == "" {
				t.Errorf("CreateArticle returned no ID")
			}
			code = a.Code
		}
		got, err := l.FindArticles(ctx, sdk.ArticleQuery{Code: code})
		if err != nil {
			t.Fatalf("FindArticles{Code: %q}: %s", code, show(err))
		}
		if len(got) != 1 || got[0].Code != code || got[0].ID == "" {
			t.Fatalf("FindArticles{Code: %q} = %d results, want exactly that article with an ID", code, len(got))
		}
		article = got[0]
		byID, err := l.FindArticles(ctx, sdk.ArticleQuery{ID: article.ID})
		if err != nil || len(byID) != 1 || byID[0].Code != code {
			t.Errorf("FindArticles{ID} = %d results (%s), want the article", len(byID), show(err))
		}
	})

	newOrder := func(reference string) sdk.SalesOrder {
		price := sdk.MustMoney("12.10")
		return sdk.SalesOrder{
			CustomerID:       customer.ID,
			Date:             time.Now().UTC().Truncate(24 * time.Hour),
			Description:      "Conformance order " + reference,
			PaymentReference: reference,
			OrderReference:   reference,
			PricesIncludeVAT: true,
			Lines: []sdk.SalesOrderLine{{
				ArticleID: article.ID, Description: "Conformance line", UnitPrice: &price,
				Quantity: sdk.MustMoney("2"),
			}},
		}
	}
	needOrderPrereqs := func(t TB) {
		t.Helper()
		needWrites(t)
		if customer.ID == "" || article.ID == "" {
			t.Fatalf("needs the relatie and article from relaties/create_and_find and articles/find_by_code, which failed")
		}
	}

	t.Run("sales_orders/create_and_find", func(t T) {
		needOrderPrereqs(t)
		ctx, cancel := ctxFor(timeout)
		defer cancel()
		l := newLedger(t, ctx)
		orderRef := "KC-" + uniqueSuffix()
		created, err := l.CreateSalesOrder(ctx, newOrder(orderRef))
		if err != nil {
			t.Fatalf("CreateSalesOrder: %s", show(err))
		}
		if created.ID == "" {
			t.Errorf("CreateSalesOrder returned no ID")
		}
		if created.TotalIncl.IsZero() {
			t.Errorf("CreateSalesOrder returned no TotalIncl")
		}
		found, err := l.FindSalesOrders(ctx, sdk.SalesOrderQuery{Reference: orderRef})
		if err != nil {
			t.Fatalf("FindSalesOrders{Reference}: %s", show(err))
		}
		if len(found) != 1 || found[0].ID != created.ID {
			t.Errorf("FindSalesOrders{Reference: %q} = %d results, want exactly the created order %q", orderRef, len(found), created.ID)
		}
		recent, err := l.FindSalesOrders(ctx, sdk.SalesOrderQuery{CustomerID: customer.ID, Limit: 1})
		if err != nil || len(recent) != 1 || recent[0].ID != created.ID {
			t.Errorf("FindSalesOrders{CustomerID, Limit: 1} = %d results (%s), want the order just created", len(recent), show(err))
		}
	})

	t.Run("sales_orders/delete", func(t T) {
		needOrderPrereqs(t)
		ctx, cancel := ctxFor(timeout)
		defer cancel()
		l := newLedger(t, ctx)
		orderRef := "KC-" + uniqueSuffix()
		created, err := l.CreateSalesOrder(ctx, newOrder(orderRef))
		if err != nil {
			t.Fatalf("CreateSalesOrder: %s", show(err))
		}
		if err := l.DeleteSalesOrder(ctx, created.ID); err != nil {
			t.Fatalf("DeleteSalesOrder of an order just created: %s", show(err))
		}
		if found, err := l.FindSalesOrders(ctx, sdk.SalesOrderQuery{Reference: orderRef}); err != nil || len(found) != 0 {
			t.Errorf("after DeleteSalesOrder, FindSalesOrders{Reference} = %d results (%s); want none", len(found), show(err))
		}
		if err := l.DeleteSalesOrder(ctx, created.ID); sdk.KindOf(err) != sdk.KindNotFound {
			t.Errorf("DeleteSalesOrder of a deleted order: kind %q (%s), want not_found", sdk.KindOf(err), show(err))
		}
	})

	t.Run("stock/yield_error", func(t T) {
		ctx, cancel := ctxFor(timeout)
		defer cancel()
		calls := 0
		err := newLedger(t, ctx).ListStock(ctx, func(sdk.Article) error {
			calls++
			return errStop
		})
		if calls == 0 {
			if err != nil {
				t.Fatalf("ListStock: %s", show(err))
			}
			t.Skipf("no articles to list")
		}
		if !errors.Is(err, errStop) || calls != 1 {
			t.Errorf("ListStock returned %v after %d yields; want the yield's error after 1", err, calls)
		}
	})

	t.Run("errors/unknown_customer", func(t T) {
		needWrites(t)
		if article.ID == "" {
			t.Fatalf("needs the article from articles/find_by_code, which failed")
		}
		ctx, cancel := ctxFor(timeout)
		defer cancel()
		l := newLedger(t, ctx)
		o := newOrder("KC-" + uniqueSuffix())
		o.CustomerID = "00000000-0000-4000-8000-" + "00000000dead"
		_, err := l.CreateSalesOrder(ctx, o)
		if err == nil {
			t.Fatalf("CreateSalesOrder for an unknown customer succeeded")
		}
		if sdk.KindOf(err) != sdk.KindPermanent {
			t.Errorf("unknown customer: kind %q (%s), want permanent", sdk.KindOf(err), show(err))
		}
		var e *sdk.Error
		if !errors.As(err, &e) || strings.TrimSpace(e.Message) == "" {
			t.Errorf("unknown customer: want an *sdk.Error with a message, got %T %s", err, show(err))
		}
		noSecrets(t, "error", errorText(err), secrets)
	})

	for _, f := range []Fault{FaultThrottle, FaultUnavailable} {
		t.Run("faults/"+string(f), func(t T) {
			ctx, cancel := ctxFor(timeout)
			defer cancel()
			l := newLedger(t, ctx)
			restore := injectFault(t, ctx, h.InjectFault, f)
			_, err := l.FindArticles(ctx, sdk.ArticleQuery{Code: "ANY-" + uniqueSuffix()})
			restore()
			if sdk.KindOf(err) != sdk.KindRetryable {
				t.Errorf("FindArticles under %s: kind %q (%s), want retryable", f, sdk.KindOf(err), show(err))
			}
			if f == FaultThrottle && sdk.RetryAfterOf(err) <= 0 {
				t.Errorf("FindArticles under %s: RetryAfter not set", f)
			}
			noSecrets(t, "error", errorText(err), secrets)
		})
	}

	t.Run("faults/"+string(FaultCommitThen500), func(t T) {
		needOrderPrereqs(t)
		ctx, cancel := ctxFor(timeout)
		defer cancel()
		l := newLedger(t, ctx)
		orderRef := "KC-" + uniqueSuffix()
		restore := injectFault(t, ctx, h.InjectFault, FaultCommitThen500)
		_, err := l.CreateSalesOrder(ctx, newOrder(orderRef))
		restore()
		if sdk.KindOf(err) != sdk.KindOutcomeUnknown {
			t.Errorf("CreateSalesOrder answered 500 after commit: kind %q (%s), want outcome_unknown", sdk.KindOf(err), show(err))
		}
		found, err := l.FindSalesOrders(ctx, sdk.SalesOrderQuery{Reference: orderRef})
		if err != nil || len(found) != 1 {
			t.Errorf("after an unknown outcome, FindSalesOrders{Reference} = %d results (%s); want the committed order once", len(found), show(err))
		}
	})
}

func hasRelatie(rs []sdk.Relatie, id string) bool {
	for _, r := range rs {
		if r.ID == id {
			return true
		}
	}
	return false
}

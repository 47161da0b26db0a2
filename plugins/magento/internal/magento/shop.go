package magento

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/httpclient"
)

// Stock write modes (config attribute "stock_mode").
const (
	stockMSI    = "msi"    // POST /V1/inventory/source-items
	stockLegacy = "legacy" // PUT /V1/products/{sku}/stockItems/{itemId}
)

// Schema is the configuration the Magento plugin accepts in a profile's shop block.
func Schema() sdk.Schema {
	return sdk.Schema{Attributes: []sdk.Attribute{
		{Name: "url", Type: sdk.TypeString, Required: true, Description: "Base URL of the store, e.g. https://shop.example.nl (the REST API is under /rest/<store_code>/V1)."},
		{Name: "store_code", Type: sdk.TypeString, Default: sdk.MustDefault("default"), Description: "Store view code in /rest/<store_code>/V1 (\"default\", or \"all\")."},
		{Name: "auth", Type: sdk.TypeString, Default: sdk.MustDefault(authOAuth1), Enum: []string{authOAuth1, authBearer, authAdmin},
			Description: "oauth1 signs every request with the integration's four credentials (HMAC-SHA256); bearer sends the integration access token alone (needs 'Allow OAuth Access Tokens to be used as standalone Bearer tokens'); admin logs in with username and password (blocked when two-factor authentication is on)."},
		{Name: "consumer_key", Type: sdk.TypeString, Sensitive: true, Description: "Integration consumer key (oauth1)."},
		{Name: "consumer_secret", Type: sdk.TypeString, Sensitive: true, Description: "Integration consumer secret (oauth1)."},
		{Name: "access_token", Type: sdk.TypeString, Sensitive: true, Description: "Integration access token (oauth1 and bearer)."},
		{Name: "access_token_secret", Type: sdk.TypeString, Sensitive: true, Description: "Integration access token secret (oauth1)."},
		{Name: "signature_method", Type: sdk.TypeString, Default: sdk.MustDefault(sigHMACSHA256), Enum: []string{sigHMACSHA256, sigHMACSHA1}, Description: "OAuth 1.0a signature method (oauth1)."},
		{Name: "username", Type: sdk.TypeString, Description: "Admin user name (admin)."},
		{Name: "password", Type: sdk.TypeString, Sensitive: true, Description: "Admin password (admin)."},
		{Name: "statuses", Type: sdk.TypeStringList, Default: sdk.MustDefault([]string{"processing", "complete"}), Description: "Order statuses imported by default."},
		{Name: "stock_mode", Type: sdk.TypeString, Default: sdk.MustDefault(stockMSI), Enum: []string{stockMSI, stockLegacy},
			Description: "msi writes Multi-Source Inventory source items (Magento 2.3+); legacy writes the single-source stock item."},
		{Name: "source_code", Type: sdk.TypeString, Default: sdk.MustDefault("default"), Description: "MSI source that receives the stock quantities (msi)."},
		{Name: "stock_batch_size", Type: sdk.TypeNumber, Default: sdk.MustDefault(20), Description: "Source items per request (20 fits Magento's input limit when it is switched on)."},
		{Name: "discounts", Type: sdk.TypeString, Default: sdk.MustDefault(discountsInLines), Enum: []string{discountsInLines, discountsSeparate},
			Description: "in_lines books product lines after discounts; separate books them before discounts and the discount as its own charge per VAT rate."},
		{Name: "prices_include_tax", Type: sdk.TypeBool, Default: sdk.MustDefault(true), Description: "The store's catalog prices include VAT (Stores > Configuration > Sales > Tax > Calculation Settings); informational."},
		{Name: "overlap", Type: sdk.TypeDuration, Default: sdk.MustDefault("10m"), Description: "How far behind the cursor orders are read again, to catch orders committed late."},
		{Name: "settle_delay", Type: sdk.TypeDuration, Default: sdk.MustDefault("60s"), Description: "Orders changed within this time before the store's clock are left for the next run."},
		{Name: "page_size", Type: sdk.TypeNumber, Default: sdk.MustDefault(100), Description: "Orders per page (at most 300, Magento's input limit)."},
		{Name: "requests_per_minute", Type: sdk.TypeNumber, Default: sdk.MustDefault(600), Description: "Client-side limit on requests per minute; 0 for none."},
		{Name: "timeout", Type: sdk.TypeDuration, Default: sdk.MustDefault("30s"), Description: "Deadline of one HTTP request."},
	}}
}

// Shop is one configured Magento store. It is safe for concurrent use.
type Shop struct {
	api       *api
	log       hclog.Logger
	storeCode string
	baseURL   string
	statuses  []string
	stockMode string
	source    string
	batch     int
	pageSize  int
	overlap   time.Duration
	settle    time.Duration
	mapOpt    mapOptions
}

// New constructs a Shop from a configuration (defaults filled in by the host). It checks the
// configuration but makes no request; a missing credential for the chosen auth mode is
// KindConfig.
func New(ctx context.Context, cfg sdk.Config, log hclog.Logger) (sdk.Shop, error) {
	return newShop(cfg, log, nil, time.Now)
}

func newShop(cfg sdk.Config, log hclog.Logger, transport http.RoundTripper, now func() time.Time) (*Shop, error) {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	str := func(name, def string) string {
		if v := strings.TrimSpace(cfg.String(name)); v != "" {
			return v
		}
		return def
	}
	raw := str("url", "")
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, sdk.Errorf(sdk.KindConfig, "url %q is not an http(s) URL of a Magento store", truncate(raw, 80))
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	base := strings.TrimSuffix(u.String(), "/")
	base = strings.TrimSuffix(base, "/rest")
	storeCode := str("store_code", "default")
	if strings.ContainsAny(storeCode, "/?#% ") {
		return nil, sdk.Errorf(sdk.KindConfig, "store_code %q is not a store code", storeCode)
	}
	mode := str("auth", authOAuth1)
	need := map[string][]string{
		authOAuth1: {"consumer_key", "consumer_secret", "access_token", "access_token_secret"},
		authBearer: {"access_token"},
		authAdmin:  {"username", "password"},
	}
	names, ok := need[mode]
	if !ok {
		return nil, sdk.Errorf(sdk.KindConfig, "auth %q: want oauth1, bearer or admin", mode)
	}
	var missing []string
	for _, n := range names {
		if cfg.String(n) == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, sdk.Errorf(sdk.KindConfig, "auth %q needs %s", mode, strings.Join(missing, ", "))
	}
	var secrets []string
	for _, n := range []string{"consumer_key", "consumer_secret", "access_token", "access_token_secret", "password"} {
		if v := cfg.String(n); v != "" {
			secrets = append(secrets, v)
		}
	}
	if transport == nil {
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			transport = dt.Clone()
		} else {
			transport = http.DefaultTransport
		}
	}
	if mode == authOAuth1 {
		sig := str("signature_method", sigHMACSHA256)
		if sig != sigHMACSHA256 && sig != sigHMACSHA1 {
			return nil, sdk.Errorf(sdk.KindConfig, "signature_method %q: want HMAC-SHA256 or HMAC-SHA1", sig)
		}
		transport = &oauthSigner{consumerKey: cfg.String("consumer_key"), consumerSecret: cfg.String("consumer_secret"),
			token: cfg.String("access_token"), tokenSecret: cfg.String("access_token_secret"), method: sig,
			base: transport, now: now, nonce: randomNonce}
	}
	timeout := durationOr(cfg, "timeout", 30*time.Second)
	hc := httpclient.New(httpclient.Options{Timeout: timeout, RatePerMinute: intOr(cfg, "requests_per_minute", 600, 0),
		MaxConcurrent: 4, Redact: secrets, Logger: log.Named("http"), Transport: transport,
		UserAgent: "koppel-plugin-magento/" + sdk.Version})
	a := &api{hc: hc, base: base + "/rest/" + url.PathEscape(storeCode) + "/V1", mode: mode,
		bearer: cfg.String("access_token"), now: now}
	if mode == authAdmin {
		a.admin = &adminToken{hc: hc, url: a.base + "/integration/admin/token", user: cfg.String("username"),
			password: cfg.String("password"), lifetime: 3*time.Hour + 30*time.Minute, now: now}
	}
	stockMode := str("stock_mode", stockMSI)
	if stockMode != stockMSI && stockMode != stockLegacy {
		return nil, sdk.Errorf(sdk.KindConfig, "stock_mode %q: want msi or legacy", stockMode)
	}
	disc := str("discounts", discountsInLines)
	if disc != discountsInLines && disc != discountsSeparate {
		return nil, sdk.Errorf(sdk.KindConfig, "discounts %q: want in_lines or separate", disc)
	}
	pricesIncl := true
	if _, set := cfg["prices_include_tax"]; set {
		pricesIncl = cfg.Bool("prices_include_tax")
	}
	s := &Shop{api: a, log: log, storeCode: storeCode, baseURL: base, statuses: cleanList(cfg.StringList("statuses")),
		stockMode: stockMode, source: str("source_code", "default"), batch: intOr(cfg, "stock_batch_size", 20, 1),
		pageSize: intOr(cfg, "page_size", 100, 1), overlap: durationOr(cfg, "overlap", 10*time.Minute),
		settle: durationOr(cfg, "settle_delay", time.Minute), mapOpt: mapOptions{Discounts: disc, PricesIncludeTax: pricesIncl}}
	if _, set := cfg["statuses"]; !set {
		s.statuses = []string{"processing", "complete"}
	}
	if s.pageSize > 300 {
		s.pageSize = 300
	}
	if _, set := cfg["overlap"]; set && cfg.String("overlap") != "" {
		s.overlap = cfg.Duration("overlap")
	}
	if _, set := cfg["settle_delay"]; set && cfg.String("settle_delay") != "" {
		s.settle = cfg.Duration("settle_delay")
	}
	return s, nil
}

// Calls returns how many HTTP requests the shop has sent.
func (s *Shop) Calls() int64 { return s.api.hc.Calls() }

func cleanList(in []string) []string {
	var out []string
	for _, v := range in {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func durationOr(cfg sdk.Config, name string, def time.Duration) time.Duration {
	if d := cfg.Duration(name); d > 0 {
		return d
	}
	return def
}

func intOr(cfg sdk.Config, name string, def, min int) int {
	if _, ok := cfg[name]; !ok {
		return def
	}
	n := cfg.Int(name)
	if n < min {
		return def
	}
	return n
}

// Check reads the store configuration and one order: the store answers, the credentials are
// accepted, and the integration may read orders. A missing ACL resource is named.
func (s *Shop) Check(ctx context.Context) (sdk.CheckResult, error) {
	res := sdk.CheckResult{Details: map[string]string{"url": s.baseURL, "store_code": s.storeCode, "auth": s.api.mode}}
	var conf []struct {
		Code         string `json:"code"`
		BaseURL      string `json:"base_url"`
		BaseCurrency string `json:"base_currency_code"`
		Timezone     string `json:"timezone"`
		Locale       string `json:"locale"`
	}
	confErr := s.api.get(ctx, "/store/storeConfigs", nil, &conf)
	if k := sdk.KindOf(confErr); confErr != nil && k != sdk.KindAuth {
		return res, confErr
	}
	var page orderPage
	ordersErr := s.api.get(ctx, "/orders", (&criteria{pageSize: 1}).values(), &page)
	switch {
	case ordersErr != nil && confErr != nil:
		return res, &sdk.Error{Kind: sdk.KindAuth, Err: ordersErr,
			Message: "Magento refused the credentials (or the integration has none of the resources " + "Magento_Sales::actions_view, Magento_Backend::store): " + messageOf(ordersErr)}
	case ordersErr != nil && sdk.KindOf(ordersErr) == sdk.KindAuth:
		return res, &sdk.Error{Kind: sdk.KindAuth, Err: ordersErr,
			Message: "Magento accepted the credentials but refuses orders: the integration lacks the ACL resource Magento_Sales::actions_view (Sales > Operations > Orders > Actions > View) under System > Extensions > Integrations > API"}
	case ordersErr != nil:
		return res, ordersErr
	}
	res.Details["orders"] = strconv.Itoa(page.TotalCount)
	summary := "Magento store " + s.storeCode
	if confErr != nil {
		res.Details["warning"] = "the integration lacks Magento_Backend::store, so the store configuration could not be read"
	} else {
		for _, c := range conf {
			if c.Code == s.storeCode || len(conf) == 1 {
				summary = fmt.Sprintf("Magento store %s (%s), currency %s", c.Code, c.BaseURL, c.BaseCurrency)
				res.Details["timezone"], res.Details["locale"], res.Details["base_currency"] = c.Timezone, c.Locale, c.BaseCurrency
				break
			}
		}
	}
	res.Summary = fmt.Sprintf("%s, %d orders readable", summary, page.TotalCount)
	return res, nil
}

func messageOf(err error) string {
	var e *sdk.Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return err.Error()
}

// ctxErr wraps a context's end as an *sdk.Error.
func ctxErr(err error) error {
	return &sdk.Error{Kind: sdk.KindRetryable, Err: err, Message: "listing interrupted: " + err.Error()}
}

// ListOrders streams orders (see sdk.Shop): by updated_at from the cursor, in the statuses
// q.Statuses or the configured ones (every status, without a status filter, when
// q.AllStatuses is set), or exactly q.IDs.
func (s *Shop) ListOrders(ctx context.Context, q sdk.OrderQuery, yield func(sdk.OrderItem) error) error {
	if err := ctx.Err(); err != nil {
		return ctxErr(err)
	}
	if len(q.IDs) > 0 {
		return s.listOrdersByID(ctx, q.IDs, yield)
	}
	statuses := cleanList(q.Statuses)
	if len(statuses) == 0 {
		statuses = s.statuses
	}
	if q.AllStatuses {
		statuses = nil
	}
	var extra [][]cond
	if len(statuses) > 0 {
		extra = append(extra, []cond{{"status", strings.Join(statuses, ","), "in"}})
	}
	total := 0
	return scan(ctx, s.api, scanSpec[*wireOrder]{
		path: "/orders", extra: extra, since: q.Since, cursor: q.Cursor, pageSize: s.pageSize,
		overlap: s.overlap, settle: s.settle,
		fetch:   s.fetchOrders,
		onTotal: func(n int) { total = n },
		key: func(o *wireOrder) (time.Time, int64, error) {
			t, err := parseTime(o.UpdatedAt)
			if err != nil {
				return t, 0, sdk.Errorf(sdk.KindPermanent, "order %d: %v", o.EntityID, err)
			}
			return t, int64(o.EntityID), nil
		},
		yield: func(o *wireOrder, cursor string) error {
			m, err := mapOrder(o, s.mapOpt)
			if err != nil {
				return sdk.Errorf(sdk.KindPermanent, "%v", err)
			}
			if err := s.fillRefunds(ctx, o, &m); err != nil {
				return err
			}
			return yield(sdk.OrderItem{Order: m, Cursor: cursor, Total: total})
		},
	})
}

// fetchOrders reads one page of GET /V1/orders.
func (s *Shop) fetchOrders(ctx context.Context, c *criteria) ([]*wireOrder, int, error) {
	var page orderPage
	if err := s.api.get(ctx, "/orders", c.values(), &page); err != nil {
		return nil, 0, err
	}
	out := make([]*wireOrder, len(page.Items))
	for i := range page.Items {
		out[i] = &page.Items[i]
	}
	return out, page.TotalCount, nil
}

// listOrdersByID lists exactly the given orders (entity_id in ...), in pages of 100 ids.
func (s *Shop) listOrdersByID(ctx context.Context, ids []string, yield func(sdk.OrderItem) error) error {
	var clean []string
	for _, id := range ids {
		if n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64); err == nil && n > 0 {
			clean = append(clean, strconv.FormatInt(n, 10))
		}
	}
	for start := 0; start < len(clean); start += 100 {
		chunk := clean[start:min(start+100, len(clean))]
		c := (&criteria{pageSize: len(chunk)}).and(cond{"entity_id", strings.Join(chunk, ","), "in"}).sortBy("entity_id", "ASC")
		items, _, err := s.fetchOrders(ctx, c)
		if err != nil {
			return err
		}
		for _, o := range items {
			m, err := mapOrder(o, s.mapOpt)
			if err != nil {
				return sdk.Errorf(sdk.KindPermanent, "%v", err)
			}
			if err := s.fillRefunds(ctx, o, &m); err != nil {
				return err
			}
			p := position{}
			p.advance(int64(o.EntityID), m.ModifiedAt.Unix())
			if err := yield(sdk.OrderItem{Order: m, Cursor: p.encode(int64(s.overlap / time.Second))}); err != nil {
				return err
			}
		}
	}
	return nil
}

package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/httpclient"
)

// Configuration attribute names.
const (
	attrURL            = "url"
	attrKey            = "consumer_key"
	attrSecret         = "consumer_secret"
	attrAuth           = "auth"
	attrSigMethod      = "signature_method"
	attrStatuses       = "statuses"
	attrTimeout        = "timeout"
	attrOverlap        = "overlap"
	attrPageSize       = "page_size"
	attrRatePerMinute  = "rate_per_minute"
	attrMaxConcurrent  = "max_concurrent"
	attrCoupons        = "coupons"
	attrCustomerCode   = "customer_code_meta"
	attrInvoiceNumber  = "invoice_number_meta"
	defaultPageSize    = 100
	defaultOverlap     = 10 * time.Minute
	defaultTimeout     = 30 * time.Second
	defaultRatePerMin  = 600
	defaultConcurrency = 4
)

// DefaultStatuses are the order statuses listed when neither the profile nor the query names any.
var DefaultStatuses = []string{"processing", "completed"}

// Schema returns the configuration the WooCommerce plugin accepts in a profile's shop block.
func Schema() sdk.Schema {
	return sdk.Schema{Attributes: []sdk.Attribute{
		{Name: attrURL, Type: sdk.TypeString, Required: true,
			Description: "Address of the WordPress site with WooCommerce, e.g. https://www.mijnwinkel.nl (the REST API is at URL/wp-json/wc/v3)."},
		{Name: attrKey, Type: sdk.TypeString, Required: true, Sensitive: true,
			Description: "Consumer key (ck_...) from WooCommerce > Settings > Advanced > REST API; Read/Write for stock export."},
		{Name: attrSecret, Type: sdk.TypeString, Required: true, Sensitive: true,
			Description: "Consumer secret (cs_...) belonging to the consumer key."},
		{Name: attrAuth, Type: sdk.TypeString, Default: sdk.MustDefault(authAuto),
			Enum:        []string{authAuto, authBasic, authQuery, authOAuth1},
			Description: `How the keys are sent: "basic" (HTTP Basic, https only), "query" (keys in the query string, https only, for servers that strip the Authorization header), "oauth1" (OAuth 1.0a signature, what WooCommerce requires over plain http); "auto" picks basic for https and oauth1 for http.`},
		{Name: attrSigMethod, Type: sdk.TypeString, Default: sdk.MustDefault(sigHMACSHA256),
			Enum:        []string{sigHMACSHA256, sigHMACSHA1},
			Description: "OAuth 1.0a signature method (auth = oauth1)."},
		{Name: attrStatuses, Type: sdk.TypeStringList, Default: sdk.MustDefault(DefaultStatuses),
			Description: `Order statuses that are imported (WooCommerce status names without "wc-", e.g. "processing", "completed", "on-hold").`},
		{Name: attrTimeout, Type: sdk.TypeDuration, Default: sdk.MustDefault(defaultTimeout.String()),
			Description: "Time limit for one HTTP request to the shop."},
		{Name: attrOverlap, Type: sdk.TypeDuration, Default: sdk.MustDefault(defaultOverlap.String()),
			Description: "When resuming, orders modified up to this long before the stored position are looked for again, so orders saved late (after the previous run had passed their modification time) are not missed; the cursor records the orders of this window already handed out, so they are not repeated."},
		{Name: attrPageSize, Type: sdk.TypeNumber, Default: sdk.MustDefault(defaultPageSize),
			Description: "Orders and products per request, 1 to 100."},
		{Name: attrRatePerMinute, Type: sdk.TypeNumber, Default: sdk.MustDefault(defaultRatePerMin),
			Description: "Most requests started per minute (0 = no limit), to stay below a host's or firewall's throttle."},
		{Name: attrMaxConcurrent, Type: sdk.TypeNumber, Default: sdk.MustDefault(defaultConcurrency),
			Description: "Most requests in flight at once."},
		{Name: attrCoupons, Type: sdk.TypeString, Default: sdk.MustDefault(couponsSeparate),
			Enum:        []string{couponsSeparate, couponsInLines},
			Description: `"separate": product lines at their price before coupons, the coupon discount as discount charges (one per VAT rate); "in_lines": product lines at WooCommerce's totals after coupons, no coupon charges.`},
		{Name: attrCustomerCode, Type: sdk.TypeString, Default: sdk.MustDefault(""),
			Description: `The order or customer meta key whose value is the customer's SnelStart relatiecode, e.g. set by a B2B plugin ("" = none: WooCommerce has no customer number). Read from the order's meta_data, else, for a registered customer, from GET /customers/{id} (once per customer per 10 minutes).`},
		{Name: attrInvoiceNumber, Type: sdk.TypeStringList, Default: sdk.MustDefault(defaultInvoiceNumberMeta),
			Description: `Order meta keys holding the shop's own invoice number, tried in this order (defaults: the keys of the common invoice plugins, WP Overnight "PDF Invoices & Packing Slips" and "WooCommerce PDF Invoices", the formatted number first). "key.field" reads a field of a meta value that is an object. The first one set is handed to koppel as the order's invoice number (the factuurnummer with orders.book_as = "invoice"); [] = never.`},
	}}
}

// defaultInvoiceNumberMeta are the order meta keys of the common WooCommerce invoice plugins
// that hold the invoice number, the number as printed on the invoice first. WP Overnight "PDF
// Invoices & Packing Slips" keeps {number, formatted_number, ...} in
// _wcpdf_invoice_number_data and the formatted number in _wcpdf_invoice_number (before 2.0:
// the bare number there and the formatted one in _wcpdf_formatted_invoice_number). "WooCommerce
// PDF Invoices" (bewpi) kept the formatted number in _bewpi_formatted_invoice_number until
// version 2.6; later versions keep only the sequence number in _bewpi_invoice_number.
var defaultInvoiceNumberMeta = []string{"_wcpdf_invoice_number_data.formatted_number", "_wcpdf_formatted_invoice_number",
	"_wcpdf_invoice_number", "_bewpi_formatted_invoice_number", "_bewpi_invoice_number"}

// Info is the plugin's description for plugin.Serve (and for the conformance kit), with the
// given plugin version: name "woocommerce", kind shop, the Schema, and the capabilities
// stock_write and products.
func Info(version string) sdk.PluginInfo {
	return sdk.PluginInfo{
		Name:         "woocommerce",
		Kind:         sdk.KindShop,
		Version:      version,
		Description:  "WooCommerce REST API v3: orders, products and stock",
		Schema:       Schema(),
		Capabilities: []string{sdk.CapStockWrite, sdk.CapProducts, sdk.CapOrderNotes},
	}
}

// Shop is a configured WooCommerce store. It implements sdk.Shop and is safe for concurrent use.
type Shop struct {
	api      *api
	log      hclog.Logger
	statuses []string
	overlap  time.Duration
	perPage  int
	mapOpt   mapOptions
	codes    *customerCodes // nil when customer_code_meta is empty

	now func() time.Time

	taxMu sync.Mutex
	tax   *taxTable // the store's tax table and tax settings, read at taxAt (see taxInfo)
	taxAt time.Time
}

var _ sdk.Shop = (*Shop)(nil)

// New validates cfg and returns the Shop. It does not contact the store (Check does). A
// configuration WooCommerce would refuse (Basic or query keys over plain http, a URL without
// host) is an *sdk.Error of KindConfig.
func New(ctx context.Context, cfg sdk.Config, log hclog.Logger) (sdk.Shop, error) {
	return newShop(cfg, log, nil, nil)
}

// newShop is New with a base transport and clock for tests (nil for the defaults).
func newShop(cfg sdk.Config, log hclog.Logger, transport http.RoundTripper, now func() time.Time) (*Shop, error) {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	raw := strings.TrimSpace(cfg.String(attrURL))
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, sdk.Errorf(sdk.KindConfig, "url %q is not an http or https address of a WordPress site", truncate(raw, 100))
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	u.Path = strings.TrimRight(u.Path, "/")
	u.Path = strings.TrimSuffix(u.Path, apiPrefix)
	u.Path = strings.TrimSuffix(u.Path, "/wp-json")
	u.RawPath = ""
	key, secret := strings.TrimSpace(cfg.String(attrKey)), strings.TrimSpace(cfg.String(attrSecret))
	if key == "" || secret == "" {
		return nil, sdk.Errorf(sdk.KindConfig, "consumer_key and consumer_secret are both required")
	}
	auth := strings.ToLower(strings.TrimSpace(cfg.String(attrAuth)))
	switch auth {
	case "", authAuto:
		auth = authBasic
		if u.Scheme == "http" {
			auth = authOAuth1
		}
	case authBasic, authQuery:
		if u.Scheme != "https" {
			return nil, sdk.Errorf(sdk.KindConfig, "auth = %q sends the keys in clear and WooCommerce accepts it only over https; use an https url or auth = \"oauth1\"", auth)
		}
	case authOAuth1:
	default:
		return nil, sdk.Errorf(sdk.KindConfig, "auth = %q is not one of auto, basic, query, oauth1", auth)
	}
	sig := strings.ToUpper(strings.TrimSpace(cfg.String(attrSigMethod)))
	if sig == "" {
		sig = sigHMACSHA256
	}
	if sig != sigHMACSHA256 && sig != sigHMACSHA1 {
		return nil, sdk.Errorf(sdk.KindConfig, "signature_method = %q is not HMAC-SHA256 or HMAC-SHA1", sig)
	}
	statuses := cleanList(cfg.StringList(attrStatuses))
	if len(statuses) == 0 {
		statuses = DefaultStatuses
	}
	timeout := durationOr(cfg, attrTimeout, defaultTimeout)
	overlap := defaultOverlap
	if _, ok := cfg[attrOverlap]; ok {
		overlap = cfg.Duration(attrOverlap)
		if overlap < 0 {
			return nil, sdk.Errorf(sdk.KindConfig, "overlap must not be negative")
		}
	}
	perPage := intOr(cfg, attrPageSize, defaultPageSize)
	if perPage < 1 || perPage > 100 {
		return nil, sdk.Errorf(sdk.KindConfig, "page_size = %d: WooCommerce allows 1 to 100", perPage)
	}
	coupons := strings.TrimSpace(cfg.String(attrCoupons))
	if coupons == "" {
		coupons = couponsSeparate
	}
	if coupons != couponsSeparate && coupons != couponsInLines {
		return nil, sdk.Errorf(sdk.KindConfig, "coupons = %q is not separate or in_lines", coupons)
	}
	if transport == nil {
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			transport = dt.Clone()
		} else {
			transport = http.DefaultTransport
		}
	}
	if now == nil {
		now = time.Now
	}
	at := &authTransport{mode: auth, key: key, secret: secret, sigMethod: sig, base: transport, now: now, nonce: randomNonce}
	hc := httpclient.New(httpclient.Options{
		Timeout:       timeout,
		RatePerMinute: intOr(cfg, attrRatePerMinute, defaultRatePerMin),
		MaxConcurrent: intOr(cfg, attrMaxConcurrent, defaultConcurrency),
		Redact:        []string{key, secret},
		Logger:        log,
		Transport:     at,
		UserAgent:     "koppel-woocommerce/" + sdk.Version,
	})
	codeMeta := strings.TrimSpace(cfg.String(attrCustomerCode))
	sh := &Shop{
		api:      &api{base: u, auth: auth, hc: hc},
		log:      log,
		statuses: statuses,
		overlap:  overlap,
		perPage:  perPage,
		mapOpt:   mapOptions{Coupons: coupons, CustomerCodeMeta: codeMeta, InvoiceNumberMeta: cfg.StringList(attrInvoiceNumber)},
		now:      now,
	}
	if codeMeta != "" {
		sh.codes = newCustomerCodes(sh.api, codeMeta, now)
	}
	return sh, nil
}

// Calls returns how many HTTP requests the shop has sent (for figures).
func (s *Shop) Calls() int64 { return s.api.hc.Calls() }

// cleanList trims entries and drops empty ones.
func cleanList(in []string) []string {
	var out []string
	for _, v := range in {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, strings.TrimPrefix(v, "wc-"))
		}
	}
	return out
}

// durationOr reads a duration attribute, or def when absent or not positive.
func durationOr(cfg sdk.Config, name string, def time.Duration) time.Duration {
	if d := cfg.Duration(name); d > 0 {
		return d
	}
	return def
}

// intOr reads a number attribute, or def when absent.
func intOr(cfg sdk.Config, name string, def int) int {
	if _, ok := cfg[name]; !ok {
		return def
	}
	return cfg.Int(name)
}

// Check reaches URL/wp-json/wc/v3, verifies that the keys may read orders and reports the
// store's address and WooCommerce version. A redirect is KindUnreachable naming the target;
// no REST API at the address is KindUnreachable; refused keys are KindAuth.
func (s *Shop) Check(ctx context.Context) (sdk.CheckResult, error) {
	where := s.api.hc.RedactURL(s.api.endpoint("", nil))
	idx, err := s.api.get(ctx, "", nil)
	if err != nil {
		if sdk.KindOf(err) == sdk.KindNotFound {
			return sdk.CheckResult{}, &sdk.Error{Kind: sdk.KindUnreachable, Err: err,
				Message: fmt.Sprintf("no WooCommerce REST API at %s (is WooCommerce active, the REST API enabled and permalinks set to anything but \"Plain\"?)", where)}
		}
		return sdk.CheckResult{}, err
	}
	var index struct {
		Namespace string `json:"namespace"`
	}
	if json.Unmarshal(idx.Body, &index) != nil || (index.Namespace != "" && index.Namespace != "wc/v3") {
		return sdk.CheckResult{}, sdk.Errorf(sdk.KindUnreachable,
			"%s did not answer as the WooCommerce REST API (a web page instead of JSON: is this the WordPress address, with pretty permalinks?)", where)
	}

	// The keys: list one order.
	q := url.Values{"per_page": {"1"}}
	ord, err := s.api.get(ctx, "/orders", q)
	if err != nil {
		return sdk.CheckResult{}, err
	}
	total := ord.Header.Get("X-WP-Total")

	where = s.api.hc.RedactURL(s.api.endpoint("", nil)) // ?rest_route= once Plain permalinks were found
	details := map[string]string{"url": s.api.base.String(), "api": where, "auth": s.api.auth}
	if s.api.restRoute.Load() {
		details["permalinks"] = `Plain: the REST API is reached through ?rest_route= (WordPress Settings > Permalinks "Post name" gives the usual /wp-json/ path)`
	}
	version := ""
	// Version and site address from system_status (needs a key of a shop manager; optional).
	if st, err := s.api.get(ctx, "/system_status", url.Values{"_fields": {"environment"}}); err == nil {
		var ss struct {
			Environment struct {
				HomeURL   string `json:"home_url"`
				SiteURL   string `json:"site_url"`
				Version   string `json:"version"`
				WPVersion string `json:"wp_version"`
			} `json:"environment"`
		}
		if json.Unmarshal(st.Body, &ss) == nil {
			version = ss.Environment.Version
			setExtra(details, "store_url", nonEmpty(ss.Environment.HomeURL, ss.Environment.SiteURL))
			setExtra(details, "wordpress_version", ss.Environment.WPVersion)
		}
	} else if k := sdk.KindOf(err); k == sdk.KindRetryable || k == sdk.KindUnreachable {
		return sdk.CheckResult{}, err
	} else {
		s.log.Debug("system_status not readable; WooCommerce version taken from an order", "error", err.Error())
	}
	if version == "" {
		var orders []struct {
			Version wcString `json:"version"`
		}
		if json.Unmarshal(ord.Body, &orders) == nil && len(orders) > 0 {
			version = string(orders[0].Version)
		}
	}
	setExtra(details, "woocommerce_version", version)
	setExtra(details, "orders", total)
	// The currency and whether prices include VAT, for koppel check (needs a key that may read
	// settings; optional like system_status).
	for _, set := range []struct{ path, key string }{
		{"/settings/general/woocommerce_currency", "currency"},
		{"/settings/tax/woocommerce_prices_include_tax", "prices_include_tax"},
	} {
		resp, err := s.api.get(ctx, set.path, nil)
		if err != nil {
			s.log.Debug("setting not readable", "path", set.path, "error", err.Error())
			continue
		}
		var v struct {
			Value wcString `json:"value"`
		}
		if json.Unmarshal(resp.Body, &v) != nil {
			continue
		}
		val := string(v.Value)
		if set.key == "prices_include_tax" {
			val = strconv.FormatBool(val == "yes")
		}
		setExtra(details, set.key, val)
	}
	store := nonEmpty(details["store_url"], s.api.base.String())
	summary := "WooCommerce"
	if version != "" {
		summary += " " + version
	}
	summary += " at " + store
	if total != "" {
		summary += " (" + total + " orders)"
	}
	return sdk.CheckResult{Summary: summary, Details: details}, nil
}

// orderKey is the scan key of an order.
func orderKey(o *wcOrder) (int64, time.Time) {
	return o.ID.Int(), gmtOr(o.DateModifiedGMT, o.DateModified).T
}

// ListOrders streams orders by modification time (see scan for the guarantees). q.Statuses
// defaults to the configured statuses; q.AllStatuses lists every status (status=any, which
// WooCommerce takes as every registered order status except trash). With q.IDs it lists exactly
// those orders (any status unless q.Statuses is set), ignoring Since and Cursor. An order
// WooCommerce sends that cannot be mapped fails the listing with KindPermanent naming the order.
func (s *Shop) ListOrders(ctx context.Context, q sdk.OrderQuery, yield func(sdk.OrderItem) error) error {
	if len(q.IDs) > 0 {
		return s.listOrdersByID(ctx, q, yield)
	}
	statuses := cleanList(q.Statuses)
	if len(statuses) == 0 {
		statuses = s.statuses
	}
	if q.AllStatuses {
		statuses = []string{"any"}
	}
	total := 0
	spec := scanSpec[*wcOrder]{
		Since:   q.Since,
		Overlap: s.overlap,
		PerPage: s.perPage,
		Key:     orderKey,
		OnTotal: func(n int) { total = n },
	}
	if q.Cursor != "" {
		p, err := decodeCursor(q.Cursor, int64(s.overlap/time.Second))
		if err != nil {
			return err
		}
		spec.From, spec.HasFrom = p, true
	}
	spec.Fetch = func(ctx context.Context, after time.Time, page int) (scanPage[*wcOrder], error) {
		v := url.Values{
			"per_page": {strconv.Itoa(s.perPage)},
			"page":     {strconv.Itoa(page)},
			"orderby":  {"modified"},
			"order":    {"asc"},
			"status":   {strings.Join(statuses, ",")},
		}
		if !after.IsZero() {
			v.Set("modified_after", formatWCTime(after))
			v.Set("dates_are_gmt", "true")
		}
		return s.fetchOrders(ctx, v)
	}
	spec.FetchSecond = func(ctx context.Context, sec time.Time, page int) (scanPage[*wcOrder], error) {
		v := url.Values{
			"per_page":        {strconv.Itoa(s.perPage)},
			"page":            {strconv.Itoa(page)},
			"orderby":         {"id"},
			"order":           {"asc"},
			"status":          {strings.Join(statuses, ",")},
			"modified_after":  {formatWCTime(sec.Add(-time.Second))},
			"modified_before": {formatWCTime(sec.Add(time.Second))},
			"dates_are_gmt":   {"true"},
		}
		return s.fetchOrders(ctx, v)
	}
	spec.Yield = func(o *wcOrder, after, _ string) error {
		if neverImported(string(o.Status)) {
			return nil
		}
		ord, err := mapOrder(o, s.mapOpt)
		if err != nil {
			return &sdk.Error{Kind: sdk.KindPermanent, Err: err, Message: "WooCommerce order " + o.ID.String() + ": " + err.Error()}
		}
		if err := s.fillCustomerCode(ctx, &ord); err != nil {
			return err
		}
		if err := s.fillRefunds(ctx, o, &ord); err != nil {
			return err
		}
		return yield(sdk.OrderItem{Order: ord, Cursor: after, Total: total})
	}
	return wrapCtx(scan(ctx, spec))
}

// fetchOrders gets one page of /orders.
func (s *Shop) fetchOrders(ctx context.Context, v url.Values) (scanPage[*wcOrder], error) {
	r, err := s.api.get(ctx, "/orders", v)
	if err != nil {
		return scanPage[*wcOrder]{}, err
	}
	var orders []*wcOrder
	if err := decodeJSON("GET /orders", r.Body, &orders); err != nil {
		return scanPage[*wcOrder]{}, err
	}
	return scanPage[*wcOrder]{Items: orders, TotalPages: totalPages(r.Header), Total: headerCount(r.Header, "X-WP-Total")}, nil
}

// totalPages reads X-WP-TotalPages, -1 when absent or malformed.
func totalPages(h http.Header) int { return headerCount(h, "X-WP-TotalPages") }

// headerCount reads a count header (X-WP-Total, X-WP-TotalPages), -1 when absent or malformed.
func headerCount(h http.Header, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get(name)))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// listOrdersByID lists exactly the given orders through include=, 100 at a time.
func (s *Shop) listOrdersByID(ctx context.Context, q sdk.OrderQuery, yield func(sdk.OrderItem) error) error {
	ids := make([]string, 0, len(q.IDs))
	for _, id := range q.IDs {
		id = strings.TrimSpace(id)
		if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 {
			return sdk.Errorf(sdk.KindPermanent, "%q is not a WooCommerce order id", truncate(id, 40))
		}
		ids = append(ids, id)
	}
	status := "any"
	if st := cleanList(q.Statuses); len(st) > 0 && !q.AllStatuses {
		status = strings.Join(st, ",")
	}
	for start := 0; start < len(ids); start += 100 {
		chunk := ids[start:min(start+100, len(ids))]
		for page := 1; ; page++ {
			v := url.Values{
				"include":  {strings.Join(chunk, ",")},
				"per_page": {"100"},
				"page":     {strconv.Itoa(page)},
				"status":   {status},
				"orderby":  {"id"},
				"order":    {"asc"},
			}
			pg, err := s.fetchOrders(ctx, v)
			if err != nil {
				return err
			}
			for _, o := range pg.Items {
				if neverImported(string(o.Status)) {
					continue
				}
				ord, err := mapOrder(o, s.mapOpt)
				if err != nil {
					return &sdk.Error{Kind: sdk.KindPermanent, Err: err, Message: "WooCommerce order " + o.ID.String() + ": " + err.Error()}
				}
				if err := s.fillCustomerCode(ctx, &ord); err != nil {
					return err
				}
				if err := s.fillRefunds(ctx, o, &ord); err != nil {
					return err
				}
				p := position{}
				p.add(ord.ModifiedAt.Unix(), o.ID.Int())
				if err := yield(sdk.OrderItem{Order: ord, Cursor: p.encode()}); err != nil {
					return err
				}
			}
			if len(pg.Items) < 100 || pg.TotalPages < 0 || page >= pg.TotalPages {
				break
			}
		}
	}
	return nil
}

// neverImported reports whether an order status belongs to an order that is not one yet: a cart
// being checked out (checkout-draft, also what a refused create leaves behind) or a new order
// screen never saved (auto-draft). WooCommerce 10 lists them under status=any; koppel never
// imports them, whatever orders.statuses says. Once the customer completes the order its status
// and date_modified change, and it is listed again.
func neverImported(status string) bool {
	return status == "checkout-draft" || status == "auto-draft"
}

// wrapCtx turns a bare context error into a typed error the host retries.
func wrapCtx(err error) error {
	if err == context.Canceled || err == context.DeadlineExceeded {
		return &sdk.Error{Kind: sdk.KindRetryable, Err: err, Message: "listing interrupted: " + err.Error()}
	}
	return err
}

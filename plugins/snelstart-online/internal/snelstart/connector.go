// Package snelstart is koppel's connector for the SnelStart B2B API v2 (SnelStart online): it
// implements sdk.Ledger for one administration, reached with a koppelsleutel (client key) and
// a subscription key. It authenticates with grant_type=clientkey, keeps the token until a
// minute before it expires, sends Ocp-Apim-Subscription-Key on every call, builds OData v3
// filters, pages with $top/$skip, respects SnelStart's rate limit on the client side, and
// turns SnelStart's error codes into messages a bookkeeper can act on.
package snelstart

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/callbudget"
	"github.com/koppel-nl/koppel/sdk/httpclient"
)

// Default endpoints of SnelStart's production API.
const (
	DefaultBaseURL = "https://b2bapi.snelstart.nl/v2"
	DefaultAuthURL = "https://auth.snelstart.nl/b2b/token"
)

// Order look-up modes (attribute order_lookup).
const (
	LookupAuto   = "auto"
	LookupFilter = "filter"
	LookupScan   = "scan"
)

// API plans (attribute plan) and their limits.
const (
	PlanTest = "test"
	PlanPaid = "paid"
)

// planLimit are the limits of an API plan: calls per minute and per hour, calls at once.
type planLimit struct{ perMinute, perHour, concurrent int }

var planLimits = map[string]planLimit{
	PlanTest: {perMinute: 100, perHour: 1000, concurrent: 5},
	PlanPaid: {perMinute: 500, perHour: 5000, concurrent: 50},
}

// Schema returns the configuration the snelstart-online ledger block accepts.
func Schema() sdk.Schema {
	return sdk.Schema{Attributes: []sdk.Attribute{
		{Name: "client_key", Type: sdk.TypeString, Required: true, Sensitive: true,
			Description: "The koppelsleutel of the administration, created in SnelStart Web (Maatwerk / koppelingen)."},
		{Name: "subscription_key", Type: sdk.TypeString, Required: true, Sensitive: true,
			Description: "The partner's subscription key from the SnelStart developer portal (Ocp-Apim-Subscription-Key)."},
		{Name: "base_url", Type: sdk.TypeString, Default: sdk.MustDefault(DefaultBaseURL),
			Description: "Base URL of the B2B API v2; change it only to use the simulator."},
		{Name: "auth_url", Type: sdk.TypeString, Default: sdk.MustDefault(DefaultAuthURL),
			Description: "Token URL (grant_type=clientkey); change it only to use the simulator."},
		{Name: "plan", Type: sdk.TypeString, Default: sdk.MustDefault(PlanTest), Enum: []string{PlanTest, PlanPaid},
			Description: "The SnelStart API plan of the subscription key: test (100 calls a minute, 1000 an hour, 5 at once) or paid (Maatwerk and Productie: 500 a minute, 5000 an hour, 50 at once). It sets the defaults of rate_limit, hourly_limit and max_concurrent."},
		{Name: "rate_limit", Type: sdk.TypeNumber,
			Description: "Most calls started in any minute, kept for the administration by every profile and koppel process on this computer together; default by plan (test 100, paid 500); 0 switches the client-side limits off (then hourly_limit defaults to 0 too)."},
		{Name: "hourly_limit", Type: sdk.TypeNumber,
			Description: "Most calls started in any hour, kept like rate_limit; default by plan (test 1000, paid 5000); 0 switches the hourly limit off."},
		{Name: "max_concurrent", Type: sdk.TypeNumber,
			Description: "Most calls in flight at once; default by plan (test 5, paid 50); 0 means no cap."},
		{Name: "timeout", Type: sdk.TypeDuration, Default: sdk.MustDefault("30s"),
			Description: "Time allowed for one HTTP attempt."},
		{Name: "order_lookup", Type: sdk.TypeString, Default: sdk.MustDefault(LookupAuto), Enum: []string{LookupAuto, LookupFilter, LookupScan},
			Description: "How sales orders are found by reference or customer: filter asks SnelStart with $filter, scan pages by ModifiedOn and matches locally, auto filters and falls back to scan when SnelStart refuses the filter."},
		{Name: "order_scan_window", Type: sdk.TypeDuration, Default: sdk.MustDefault("2160h"),
			Description: "How far back (by ModifiedOn) a scan for sales orders looks; 0 scans every order."},
	}}
}

// PluginInfo describes the snelstart-online plugin built at version: its name, kind, schema
// and capabilities (extra fields, composites, article and customer writes).
func PluginInfo(version string) sdk.PluginInfo {
	return sdk.PluginInfo{
		Name:        "snelstart-online",
		Kind:        sdk.KindLedger,
		Version:     version,
		Description: "SnelStart online (B2B API v2): customers, articles, stock and sales orders",
		Schema:      Schema(),
		Capabilities: []string{
			sdk.CapExtraFields, sdk.CapComposites, sdk.CapArticlesWrite, sdk.CapCustomersWrite, sdk.CapArticleCodes, sdk.CapRelatieEmails,
		},
	}
}

// Connector is one configured SnelStart administration. It implements sdk.Ledger and is safe
// for concurrent use.
type Connector struct {
	api         *api
	log         hclog.Logger
	landen      *landCache
	now         func() time.Time
	orderLookup string
	scanWindow  time.Duration
	baseURL     string
	// filterRefused is set once SnelStart refused a $filter on verkooporders in auto mode;
	// later look-ups go straight to the scan.
	filterRefused atomic.Bool
	// modifiedRefused is set once SnelStart refused the ModifiedOn filter of a scan.
	modifiedRefused atomic.Bool
	// settings caches companyInfo for article price writes.
	settings companyCache
}

var _ sdk.Ledger = (*Connector)(nil)

// options are the test seams of newConnector.
type options struct {
	transport    http.RoundTripper
	now          func() time.Time
	maxRetryWait time.Duration
	maxAttempts  int
	// limitsDir is where call budgets are kept; "" means the directory named by
	// callbudget.DirEnv, and when that is unset too, in memory for this connector.
	limitsDir string
}

// New returns the connector for cfg (decoded against Schema; absent attributes take their
// defaults). It checks the configuration but makes no call: Check does. Errors are
// *sdk.Error of KindConfig and never contain a key.
func New(ctx context.Context, cfg sdk.Config, log hclog.Logger) (sdk.Ledger, error) {
	return newConnector(cfg, log, options{})
}

// newConnector is New with test seams.
func newConnector(cfg sdk.Config, log hclog.Logger, o options) (*Connector, error) {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	get := func(name string) string {
		if _, ok := cfg[name]; ok {
			return strings.TrimSpace(cfg.String(name))
		}
		if a, ok := Schema().Attribute(name); ok && a.Default != nil {
			var s string
			_ = json.Unmarshal(a.Default, &s)
			return s
		}
		return ""
	}
	number := func(name string, def int) (int, error) {
		raw, ok := cfg[name]
		if !ok || raw == nil {
			return def, nil
		}
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return 0, sdk.Errorf(sdk.KindConfig, "%s must be a number", name)
		}
		v, err := n.Int64()
		if err != nil || v < 0 || v > 1_000_000 {
			return 0, sdk.Errorf(sdk.KindConfig, "%s must be a whole number from 0 to 1000000", name)
		}
		return int(v), nil
	}
	clientKey, subKey := get("client_key"), get("subscription_key")
	if clientKey == "" {
		return nil, sdk.Errorf(sdk.KindConfig, "client_key (the koppelsleutel) is empty")
	}
	if subKey == "" {
		return nil, sdk.Errorf(sdk.KindConfig, "subscription_key is empty")
	}
	base := strings.TrimRight(get("base_url"), "/")
	if err := checkURL(base); err != nil {
		return nil, sdk.Errorf(sdk.KindConfig, "base_url %v", err)
	}
	auth := get("auth_url")
	if err := checkURL(auth); err != nil {
		return nil, sdk.Errorf(sdk.KindConfig, "auth_url %v", err)
	}
	planName := get("plan")
	plan, ok := planLimits[planName]
	if !ok {
		return nil, sdk.Errorf(sdk.KindConfig, "plan must be test or paid")
	}
	rate, err := number("rate_limit", plan.perMinute)
	if err != nil {
		return nil, err
	}
	hourDefault := plan.perHour
	if rate == 0 {
		hourDefault = 0
	}
	hourly, err := number("hourly_limit", hourDefault)
	if err != nil {
		return nil, err
	}
	conc, err := number("max_concurrent", plan.concurrent)
	if err != nil {
		return nil, err
	}
	timeout := 30 * time.Second
	if s := get("timeout"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, sdk.Errorf(sdk.KindConfig, "timeout must be a positive duration such as 30s")
		}
		timeout = d
	}
	lookup := get("order_lookup")
	switch lookup {
	case LookupAuto, LookupFilter, LookupScan:
	default:
		return nil, sdk.Errorf(sdk.KindConfig, "order_lookup must be auto, filter or scan")
	}
	var window time.Duration
	if s := get("order_scan_window"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return nil, sdk.Errorf(sdk.KindConfig, "order_scan_window must be a duration such as 2160h, or 0")
		}
		window = d
	}
	now := o.now
	if now == nil {
		now = time.Now
	}
	tr := o.transport
	if tr == nil {
		// Keep as many idle connections as calls may run at once, so concurrent calls reuse
		// their TLS connections instead of opening new ones (net/http keeps 2 by default).
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			t := dt.Clone()
			t.MaxIdleConnsPerHost = max(conc, 16)
			tr = t
		}
	}
	// One call budget per administration: the file under the host's limits directory is keyed
	// by the base URL and both keys, so every profile and process reaching the same
	// administration shares it (see callbudget).
	limitsDir := o.limitsDir
	if limitsDir == "" {
		limitsDir = os.Getenv(callbudget.DirEnv)
	}
	budget := callbudget.New(callbudget.Path(limitsDir, "snelstart", base, subKey, clientKey),
		callbudget.Window{Limit: rate, Period: time.Minute}, callbudget.Window{Limit: hourly, Period: time.Hour})
	budget.OnWait((&limitWaitLog{log: log, plan: planName, hourly: hourly, now: now}).note)
	hc := httpclient.New(httpclient.Options{
		Timeout:       timeout,
		MaxAttempts:   o.maxAttempts,
		Budget:        budget,
		MaxConcurrent: conc,
		MaxRetryWait:  o.maxRetryWait,
		Redact:        []string{clientKey, subKey},
		Logger:        log.Named("http"),
		Transport:     tr,
		UserAgent:     "koppel-plugin-snelstart-online/" + sdk.Version,
	})
	a := &api{http: hc, base: base, subKey: subKey, tokens: newTokenSource(hc, auth, clientKey, now)}
	return &Connector{
		api:         a,
		log:         log,
		landen:      &landCache{loading: make(chan struct{}, 1)},
		now:         now,
		orderLookup: lookup,
		scanWindow:  window,
		baseURL:     base,
	}, nil
}

// checkURL accepts an absolute http or https URL without user info.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("must be an absolute http(s) URL")
	}
	if u.User != nil {
		return fmt.Errorf("must not contain a user name or password")
	}
	return nil
}

// Calls returns how many HTTP requests the connector has sent (token calls and retries
// included), for "calls per order" figures.
func (c *Connector) Calls() int64 { return c.api.http.Calls() }

// Check reads companyInfo and reports the administration's name.
func (c *Connector) Check(ctx context.Context) (sdk.CheckResult, error) {
	info, err := c.companyInfo(ctx)
	if err != nil {
		return sdk.CheckResult{}, err
	}
	details := map[string]string{"base_url": c.baseURL}
	if v := info.Extra["administratieIdentifier"]; v != "" {
		details["administration_id"] = v
	}
	if v := info.Extra["bedrijfsnaam"]; v != "" {
		details["company"] = v
	}
	return sdk.CheckResult{Summary: fmt.Sprintf("SnelStart administration %q", info.Name), Details: details}, nil
}

// companyInfo reads GET /companyInfo: the name is administratieNaam (bedrijfsnaam when
// empty); Extra holds every scalar setting as a string (regelkortingVerkooporder,
// verkoopprijsArtikelbestandExclusiefBtw, aantalDecimalenArtikelprijzen, ...).
func (c *Connector) companyInfo(ctx context.Context) (sdk.CompanyInfo, error) {
	var raw map[string]json.RawMessage
	if err := c.api.get(ctx, "/companyInfo", nil, "the company information", &raw); err != nil {
		return sdk.CompanyInfo{}, err
	}
	extra := map[string]string{}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := raw[k]
		var s string
		if json.Unmarshal(v, &s) == nil {
			if s != "" {
				extra[k] = s
			}
			continue
		}
		var n json.Number
		if json.Unmarshal(v, &n) == nil {
			extra[k] = n.String()
			continue
		}
		var b bool
		if json.Unmarshal(v, &b) == nil {
			extra[k] = fmt.Sprint(b)
		}
	}
	name := extra["administratieNaam"]
	if name == "" {
		name = extra["bedrijfsnaam"]
	}
	info := sdk.CompanyInfo{Name: name, Extra: extra,
		ForeignVAT:           extra["factureerBuitenlandsBtw"] == "true",
		ArticlePricesInclVAT: extra["verkoopprijsArtikelbestandExclusiefBtw"] == "false",
		PriceDecimals:        priceDecimals(extra["aantalDecimalenArtikelprijzen"]),
	}
	c.settings.set(info, c.now())
	return info, nil
}

package simulator

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// Run is the `koppel-plugin-magento simulate` command: it parses args, builds a store, seeds
// it, listens on --addr and serves until ctx is cancelled, printing the URL and the demo
// credentials to stdout.
//
// Flags: --addr (default 127.0.0.1:8703), --seed FILE, --orders N, --rand-seed N,
// --allow-bearer, --prices-exclude-tax, --redirect-to URL, --error-rate, --throttle-rate,
// --unavailable-rate, --latency, --retry-after.
func Run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", DefaultAddr, "listen address (host:port)")
	seed := fs.String("seed", "", "JSON seed file: {\"products\":[{\"sku\",\"name\",\"price\",\"tax_percent\",\"qty\"}],\"orders\":N}")
	orders := fs.Int("orders", 0, "generate N realistic orders")
	randSeed := fs.Int64("rand-seed", 1, "seed of the generator and of random faults")
	bearer := fs.Bool("allow-bearer", false, "accept the integration access token as a bearer token (oauth/consumer/enable_integration_as_bearer)")
	excl := fs.Bool("prices-exclude-tax", false, "catalog prices exclude tax (default: include, as Dutch shops do)")
	redirect := fs.String("redirect-to", "", "answer every API request with 301 to this base URL")
	var f Faults
	fs.Float64Var(&f.ErrorRate, "error-rate", 0, "fraction of API requests answered 500")
	fs.Float64Var(&f.ThrottleRate, "throttle-rate", 0, "fraction answered 429 with Retry-After")
	fs.Float64Var(&f.UnavailableRate, "unavailable-rate", 0, "fraction answered 503 with Retry-After")
	latency := fs.Duration("latency", 0, "delay before every API answer")
	retry := fs.Duration("retry-after", time.Second, "Retry-After of 429/503 answers")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("simulate: unexpected argument %q", fs.Arg(0))
	}
	f.LatencyMS = latency.Milliseconds()
	f.RetryAfterSeconds = int64(retry.Seconds())
	srv, err := New(Options{AllowBearer: *bearer, PricesExcludeTax: *excl, RedirectTo: *redirect, Faults: f, RandSeed: *randSeed})
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if *seed != "" {
		fh, err := os.Open(*seed)
		if err != nil {
			return fmt.Errorf("simulate: open seed: %w", err)
		}
		np, no, err := srv.LoadSeed(fh)
		_ = fh.Close()
		if err != nil {
			return fmt.Errorf("simulate: seed %s: %w", *seed, err)
		}
		fmt.Fprintf(stdout, "seeded %d products and %d orders from %s\n", np, no, *seed)
	}
	if *orders < 0 {
		return fmt.Errorf("simulate: --orders %d: must not be negative", *orders)
	}
	if *orders > 0 {
		if _, err := srv.GenerateOrders(*orders, ""); err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
		fmt.Fprintf(stdout, "generated %d orders\n", *orders)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("simulate: listen %s: %w", *addr, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "Magento %s simulator listening on http://%s\n", DefaultVersion, ln.Addr())
	fmt.Fprintf(stdout, "REST API: http://%s/rest/default/V1/\n", ln.Addr())
	fmt.Fprintf(stdout, "integration (OAuth 1.0a, HMAC-SHA256): consumer_key=%s consumer_secret=%s access_token=%s access_token_secret=%s\n",
		DefaultConsumerKey, DefaultConsumerSecret, DefaultAccessToken, DefaultAccessTokenSecret)
	fmt.Fprintf(stdout, "admin token: POST /rest/V1/integration/admin/token {\"username\":%q,\"password\":%q}\n", DefaultAdminUser, DefaultAdminPassword)
	if *bearer {
		fmt.Fprintln(stdout, "the integration access token is also accepted as a bearer token")
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			return fmt.Errorf("simulate: shutdown: %w", err)
		}
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("simulate: serve: %w", err)
	}
}

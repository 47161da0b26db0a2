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

// Run is `koppel-plugin-onetoshop simulate`: it parses args, builds and seeds a shop, listens
// on --addr and serves until ctx is cancelled, printing the API address and token to stdout.
//
// Flags: --addr (default 127.0.0.1:8704), --seed FILE, --orders N, --token, --base-path,
// --auth-header, --shop-name, --redirect-to, --rate-limit N, --rand-seed N, --throttle-rate,
// --unavailable-rate, --error-rate, --drop-rate, --lost-response-rate, --latency, --retry-after.
func Run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", DefaultAddr, "listen address (host:port)")
	seed := fs.String("seed", "", "JSON seed file: {\"products\":[...],\"orders\":[...]}")
	orders := fs.Int("orders", 0, "generate N realistic orders")
	var o Options
	fs.StringVar(&o.Token, "token", DefaultToken, "API token the shop accepts")
	fs.StringVar(&o.BasePath, "base-path", DefaultBasePath, "path of the API")
	fs.StringVar(&o.AuthHeader, "auth-header", DefaultAuthHeader, "header carrying the token")
	fs.StringVar(&o.ShopName, "shop-name", DefaultShopName, "shop name GET /shop reports")
	fs.StringVar(&o.RedirectTo, "redirect-to", "", "answer every request with 301 to this base URL")
	fs.IntVar(&o.RatePerMinute, "rate-limit", 0, "answer 429 beyond N requests per minute (0 = no limit)")
	fs.Uint64Var(&o.RandSeed, "rand-seed", 1, "seed of the generator and of random faults")
	fs.Float64Var(&o.Faults.ThrottleRate, "throttle-rate", 0, "fraction of API requests answered 429")
	fs.Float64Var(&o.Faults.UnavailableRate, "unavailable-rate", 0, "fraction answered 503")
	fs.Float64Var(&o.Faults.ErrorRate, "error-rate", 0, "fraction answered 500")
	fs.Float64Var(&o.Faults.DropRate, "drop-rate", 0, "fraction whose connection is closed without an answer")
	fs.Float64Var(&o.Faults.LostResponseRate, "lost-response-rate", 0, "fraction of stock writes applied whose answer is lost")
	fs.DurationVar(&o.Faults.Latency, "latency", 0, "delay before every API answer")
	fs.DurationVar(&o.Faults.RetryAfter, "retry-after", time.Second, "Retry-After of 429/503 answers")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("simulate: unexpected argument %q", fs.Arg(0))
	}
	if *orders < 0 {
		return fmt.Errorf("simulate: --orders %d: must not be negative", *orders)
	}
	srv, err := New(o)
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
	if *orders > 0 {
		if _, err := srv.GenerateOrders(*orders); err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
		fmt.Fprintf(stdout, "generated %d orders\n", *orders)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("simulate: listen %s: %w", *addr, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "Onetoshop simulator (UNVERIFIED contract, see plugins/onetoshop/API.md) listening on http://%s\n", ln.Addr())
	fmt.Fprintf(stdout, "profile: url = \"http://%s\"  token = \"%s\"  (API at %s, token in %s)\n", ln.Addr(), srv.opts.Token, srv.opts.BasePath, srv.opts.AuthHeader)
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

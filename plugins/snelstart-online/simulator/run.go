package simulator

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Run implements `koppel-plugin-snelstart-online simulate [flags]`: it parses args, listens,
// prints one line with the URLs and the demo keys to stdout, and serves until ctx is done.
//
// Flags: --addr (default 127.0.0.1:8701), --seed FILE (JSON Administration), --rate-limit N
// (calls per minute, negative = off), --error-rate F, --latency D, --lose-create-rate F,
// --token-ttl D, --vat-rounding per-rate|per-line, --midpoint away|even,
// --subscription-key K, --client-key K.
func Run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", DefaultAddr, "listen address (host:port)")
	seed := fs.String("seed", "", "JSON file with the administration to start from (default, or \"demo\": the built-in demo administration of koppel demo)")
	rate := fs.Int("rate-limit", DefaultRatePerMinute, "API calls allowed per administration per minute (negative: unlimited)")
	errRate := fs.Float64("error-rate", 0, "share of API requests answered with a 5xx (0..1)")
	latency := fs.Duration("latency", 0, "latency added to every API request")
	lose := fs.Float64("lose-create-rate", 0, "share of creates committed whose response is dropped (0..1)")
	ttl := fs.Duration("token-ttl", DefaultTokenTTL, "access token lifetime")
	rounding := fs.String("vat-rounding", "per-rate", "VAT rounding: per-rate or per-line")
	midpoint := fs.String("midpoint", "away", "midpoint rounding: away (from zero) or even")
	subKey := fs.String("subscription-key", DefaultSubscriptionKey, "accepted Ocp-Apim-Subscription-Key")
	clientKey := fs.String("client-key", DefaultClientKey, "accepted client key (koppelsleutel)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("simulate: unexpected argument %q", fs.Arg(0))
	}
	opts := Options{SubscriptionKey: *subKey, ClientKey: *clientKey, TokenTTL: *ttl, RatePerMinute: *rate,
		Faults: Faults{ErrorRate: *errRate, Latency: *latency, LoseCreateResponseRate: *lose}}
	var err error
	if opts.Rounding, err = ParseRoundingMode(*rounding); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if opts.Midpoint, err = ParseMidpoint(*midpoint); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if *seed != "" && *seed != "demo" { // "demo" is the built-in administration, as without --seed
		if opts.Seed, err = LoadAdministrationFile(*seed); err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
	}
	srv, err := New(opts)
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", *addr)
	if err != nil {
		return fmt.Errorf("simulate: listen: %w", err)
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "snelstart simulator: token %s/b2b/token  api %s/v2  admin %s/_sim/ (lists its endpoints)  subscription-key %s  client-key %s\n",
		base, base, base, opts.SubscriptionKey, opts.ClientKey)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			return fmt.Errorf("simulate: shutdown: %w", err)
		}
		return nil
	case err := <-done:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("simulate: serve: %w", err)
	}
}

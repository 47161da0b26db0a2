package simulator

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// Run is the `koppel-plugin-woocommerce simulate` command: it parses args, builds a store,
// seeds it, listens on --addr and serves until ctx is cancelled, printing the URL and keys
// (and with --tls the certificate's SHA-256 fingerprint) to stdout.
//
// Flags: --addr (default 127.0.0.1:8702), --seed FILE, --orders N, --rand-seed N, --key,
// --secret, --timezone, --tls, --trust-proxy-https, --site-url, --redirect-to,
// --prices-include-tax, --base-country, --hide-variations-in-sku-search, --error-rate, --too-many-rate,
// --unavailable-rate, --drop-rate, --lost-response-rate, --latency, --retry-after.
func Run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", DefaultAddr, "listen address (host:port)")
	seed := fs.String("seed", "", "JSON seed file: {\"products\":[...],\"orders\":[...]}, or \"demo\" for the data of koppel demo")
	orders := fs.Int("orders", 0, "generate N realistic orders")
	randSeed := fs.Int64("rand-seed", 1, "seed of the generator and of random faults")
	key := fs.String("key", DefaultConsumerKey, "consumer key")
	secret := fs.String("secret", DefaultConsumerSecret, "consumer secret")
	tz := fs.String("timezone", DefaultTimeZone, "site timezone (IANA name)")
	useTLS := fs.Bool("tls", false, "serve https with a generated self-signed certificate")
	trustProxy := fs.Bool("trust-proxy-https", false, "treat X-Forwarded-Proto: https as TLS")
	siteURL := fs.String("site-url", "", "store home URL used in links and OAuth base strings (default: request Host)")
	redirect := fs.String("redirect-to", "", "answer every API request with 301 to this base URL")
	inclTax := fs.Bool("prices-include-tax", false, "shop prices include tax (orders created without totals)")
	baseCountry := fs.String("base-country", DefaultBaseCountry, "store base location (woocommerce_default_country): NL, or country:state such as US:CA")
	hideVar := fs.Bool("hide-variations-in-sku-search", false, "GET /products?sku= does not find variations (old stores)")
	stableTies := fs.Bool("stable-ties", false, "list orders of one second by descending id every time (a real store shuffles them)")
	plain := fs.Bool("plain-permalinks", false, "answer /wp-json/... with 301 to the home page, as WordPress with Plain permalinks (?rest_route= works)")
	var f Faults
	fs.Float64Var(&f.ErrorRate, "error-rate", 0, "fraction of API requests answered 500")
	fs.Float64Var(&f.TooManyRate, "too-many-rate", 0, "fraction answered 429 with Retry-After")
	fs.Float64Var(&f.UnavailableRate, "unavailable-rate", 0, "fraction answered 503 with Retry-After")
	fs.Float64Var(&f.DropRate, "drop-rate", 0, "fraction whose connection is closed without an answer")
	fs.Float64Var(&f.LostResponseRate, "lost-response-rate", 0, "fraction of writes applied whose answer is lost")
	fs.DurationVar(&f.Latency, "latency", 0, "delay before every API answer")
	fs.DurationVar(&f.RetryAfter, "retry-after", time.Second, "Retry-After of 429/503 answers")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("simulate: unexpected argument %q", fs.Arg(0))
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return fmt.Errorf("simulate: timezone %q: %w", *tz, err)
	}
	srv, err := New(Options{ConsumerKey: *key, ConsumerSecret: *secret, TimeZone: loc, Faults: f, RedirectTo: *redirect,
		TLS: *useTLS, TrustProxyHTTPS: *trustProxy, SiteURL: *siteURL, PricesIncludeTax: *inclTax,
		BaseCountry:               *baseCountry,
		HideVariationsInSKUSearch: *hideVar, RandSeed: *randSeed, StableTies: *stableTies, PlainPermalinks: *plain})
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if *seed == DemoSeedName {
		// The data of `koppel demo`: its catalogue and, unless --orders says otherwise, its
		// orders (the generator is seeded by --rand-seed, so they are the same every time).
		np, no, err := srv.LoadSeed(bytes.NewReader(DemoSeed))
		if err != nil {
			return fmt.Errorf("simulate: demo seed: %w", err)
		}
		fmt.Fprintf(stdout, "seeded %d products and %d orders from the demo\n", np, no)
		if !ordersSet(fs) {
			*orders = DemoOrders
		}
	} else if *seed != "" {
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
	scheme := "http"
	if *useTLS {
		cert, fp, err := SelfSignedCert(ln.Addr().String())
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("simulate: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme = "https"
		fmt.Fprintf(stdout, "TLS certificate SHA-256 fingerprint: %s\n", fp)
	}
	fmt.Fprintf(stdout, "WooCommerce %s simulator listening on %s://%s\n", DefaultVersion, scheme, ln.Addr())
	fmt.Fprintf(stdout, "REST API: %s://%s/wp-json/wc/v3/  consumer key: %s  consumer secret: %s\n", scheme, ln.Addr(), *key, *secret)
	fmt.Fprintf(stdout, "admin: %s://%s/_sim/  (lists the simulator's own endpoints: add products and orders, faults, dump)\n", scheme, ln.Addr())
	if scheme == "http" {
		fmt.Fprintln(stdout, "plain http: only OAuth 1.0a (HMAC-SHA1/HMAC-SHA256) is accepted, as on a real store")
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

// SelfSignedCert makes a fresh ECDSA P-256 certificate valid for a day for localhost,
// 127.0.0.1, ::1 and the host of addr, and returns it with its SHA-256 fingerprint
// (colon-separated upper-case hex of the DER bytes).
func SelfSignedCert(addr string) (tls.Certificate, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"koppel WooCommerce simulator"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback},
	}
	if host, _, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); ip != nil && !ip.IsUnspecified() {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if ip == nil && host != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, host)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("create certificate: %w", err)
	}
	sum := sha256.Sum256(der)
	hexParts := make([]string, len(sum))
	for i, b := range sum {
		hexParts[i] = fmt.Sprintf("%02X", b)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, strings.Join(hexParts, ":"), nil
}

// ordersSet reports whether --orders was given on the command line.
func ordersSet(fs *flag.FlagSet) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "orders" })
	return set
}

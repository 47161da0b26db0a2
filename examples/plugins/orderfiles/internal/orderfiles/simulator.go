package orderfiles

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/webdav"

	"github.com/koppel-nl/koppel/sdk/conformance"
)

// Simulator is a WebDAV server holding a shop's export folder in memory, the way a shop without
// an API drops its order files on a NAS or a Nextcloud. It is what the tests, the demo and
// `koppel-plugin-orderfiles simulate` run. Orders are added through WebDAV itself (PUT), so the
// connector reads exactly what a real server would give it.
type Simulator struct {
	// URL is the export folder's WebDAV address (the connector's location).
	URL string
	// Username and Password are the Basic credentials the server accepts.
	Username, Password string

	srv   *http.Server
	ln    net.Listener
	fs    webdav.FileSystem
	clock time.Time

	mu     sync.Mutex
	fault  conformance.Fault
	seq    int
	orders map[string][]string // order id → its CSV row values (simulator's own record)
}

// SimulatorOptions configure StartSimulator.
type SimulatorOptions struct {
	// Addr is where to listen; default "127.0.0.1:0".
	Addr string
	// Username and Password default to "koppel" and "koppel-sim".
	Username, Password string
}

// simHeader is the column layout the simulator writes.
var simHeader = []string{"order_id", "order_number", "status", "created_at", "modified_at", "email",
	"first_name", "last_name", "billing_street", "billing_postcode", "billing_city", "billing_country",
	"payment_method", "paid", "shipping_cost", "shipping_tax_rate", "sku", "name", "quantity", "unit_price", "tax_rate"}

// StartSimulator starts a simulator with an empty folder /orders.
func StartSimulator(o SimulatorOptions) (*Simulator, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.Username == "" {
		o.Username = "koppel"
	}
	if o.Password == "" {
		o.Password = "koppel-sim"
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("simulator: listen on %s: %w", o.Addr, err)
	}
	fs := webdav.NewMemFS()
	if err := fs.Mkdir(context.Background(), "/orders", 0o755); err != nil {
		ln.Close()
		return nil, fmt.Errorf("simulator: %w", err)
	}
	s := &Simulator{
		URL:      "http://" + ln.Addr().String() + "/dav/orders/",
		Username: o.Username, Password: o.Password,
		ln: ln, fs: fs, orders: map[string][]string{},
		clock: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC),
	}
	dav := &webdav.Handler{Prefix: "/dav", FileSystem: fs, LockSystem: webdav.NewMemLS()}
	mux := http.NewServeMux()
	mux.Handle("/dav/", s.guard(dav))
	mux.HandleFunc("POST /_sim/fault", s.handleFault)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *Simulator) Close() error { return s.srv.Close() }

// guard applies the injected fault and Basic authentication.
func (s *Simulator) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		f := s.fault
		s.mu.Unlock()
		switch f {
		case conformance.FaultThrottle:
			w.Header().Set("Retry-After", "600")
			http.Error(w, "too many requests", http.StatusTooManyRequests)
			return
		case conformance.FaultUnavailable:
			w.Header().Set("Retry-After", "600")
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(s.Username)) != 1 ||
			subtle.ConstantTimeCompare([]byte(p), []byte(s.Password)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="orders"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// handleFault switches a fault on (?kind=throttle|unavailable) or off (?kind=none), for people
// trying the connector by hand: curl -X POST 'http://127.0.0.1:PORT/_sim/fault?kind=throttle'.
func (s *Simulator) handleFault(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("kind")
	if kind == "none" || kind == "" {
		s.setFault("")
	} else if _, err := s.InjectFault(r.Context(), conformance.Fault(kind)); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fmt.Fprintf(w, "fault %q\n", kind)
}

func (s *Simulator) setFault(f conformance.Fault) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

// InjectFault switches a fault on until the returned function is called; it supports
// conformance.FaultThrottle and FaultUnavailable (a folder has no creates to lose).
func (s *Simulator) InjectFault(_ context.Context, f conformance.Fault) (func(), error) {
	switch f {
	case conformance.FaultThrottle, conformance.FaultUnavailable:
		s.setFault(f)
		return func() { s.setFault("") }, nil
	}
	return nil, fmt.Errorf("simulator cannot produce fault %q", f)
}

// put writes a file into the export folder through the simulator's own WebDAV API.
func (s *Simulator) put(ctx context.Context, name string, data []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, s.URL+name, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.SetBasicAuth(s.Username, s.Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("simulator: put %s: %w", name, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("simulator: put %s: HTTP %d", name, resp.StatusCode)
	}
	return nil
}

// PutFile writes a file (an order export, products.csv) into the folder.
func (s *Simulator) PutFile(ctx context.Context, name string, data []byte) error {
	return s.put(ctx, name, data)
}

// ReadFile returns a file from the folder (e.g. the stock file the connector wrote).
func (s *Simulator) ReadFile(ctx context.Context, name string) ([]byte, error) {
	f, err := s.fs.OpenFile(ctx, "/orders/"+name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// SeedOrders writes n new orders as one CSV export file (two lines each, Dutch VAT rates) and
// returns their ids. Each order is modified one second after the previous one.
func (s *Simulator) SeedOrders(ctx context.Context, n int) ([]string, error) {
	s.mu.Lock()
	s.seq++
	file := fmt.Sprintf("orders-%04d.csv", s.seq)
	var rows [][]string
	ids := make([]string, 0, n)
	for i := 0; i < n; i++ {
		s.clock = s.clock.Add(time.Second)
		num := 1000 + len(s.orders) + 1
		id := strconv.Itoa(num)
		ts := s.clock.Format(time.RFC3339)
		base := []string{id, "W" + id, "processing", ts, ts, fmt.Sprintf("klant%d@example.nl", num),
			"Klant", strconv.Itoa(num), "Dorpsstraat " + strconv.Itoa(num%200+1), "1234 AB", "Utrecht", "NL",
			"ideal", "ja", "6.95", "21"}
		lines := [][]string{
			{"KOFFIE-1KG", "Koffiebonen 1 kg", strconv.Itoa(i%3 + 1), "24.95", "9"},
			{"MOK-WIT", "Mok wit", "2", "8.50", "21"},
		}
		s.orders[id] = base
		for _, l := range lines {
			rows = append(rows, append(append([]string{}, base...), l...))
		}
		ids = append(ids, id)
	}
	s.mu.Unlock()
	data, err := csvBytes(simHeader, rows)
	if err != nil {
		return nil, err
	}
	if err := s.put(ctx, file, data); err != nil {
		return nil, err
	}
	return ids, nil
}

// ModifyOrder writes a new export file in which order id is completed one second after the
// newest modification so far, as a shop that exports changed orders again does.
func (s *Simulator) ModifyOrder(ctx context.Context, id string) error {
	s.mu.Lock()
	base, ok := s.orders[id]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("simulator: no order %q", id)
	}
	s.clock = s.clock.Add(time.Second)
	s.seq++
	file := fmt.Sprintf("orders-%04d.csv", s.seq)
	row := append([]string{}, base...)
	row[2] = "completed"
	row[4] = s.clock.Format(time.RFC3339)
	s.orders[id] = row
	s.mu.Unlock()
	data, err := csvBytes(simHeader, [][]string{
		append(append([]string{}, row...), "KOFFIE-1KG", "Koffiebonen 1 kg", "1", "24.95", "9"),
		append(append([]string{}, row...), "MOK-WIT", "Mok wit", "2", "8.50", "21"),
	})
	if err != nil {
		return err
	}
	return s.put(ctx, file, data)
}

func csvBytes(header []string, rows [][]string) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = ';'
	if err := w.Write(header); err != nil {
		return nil, err
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Simulate is `koppel-plugin-orderfiles simulate`: it serves a WebDAV export folder until ctx
// ends. Flags: --addr 127.0.0.1:PORT, --orders N (generated orders, default 25), --seed DIR (copy
// the files of DIR into the folder), --username, --password.
func Simulate(ctx context.Context, args []string) error {
	fl := flag.NewFlagSet("simulate", flag.ContinueOnError)
	addr := fl.String("addr", "127.0.0.1:8091", "address to listen on")
	n := fl.Int("orders", 25, "number of generated orders")
	seed := fl.String("seed", "", "folder whose files are copied into the export folder")
	user := fl.String("username", "koppel", "WebDAV user name")
	pass := fl.String("password", "koppel-sim", "WebDAV password")
	if err := fl.Parse(args); err != nil {
		return err
	}
	sim, err := StartSimulator(SimulatorOptions{Addr: *addr, Username: *user, Password: *pass})
	if err != nil {
		return err
	}
	defer sim.Close()
	if *seed != "" {
		entries, err := os.ReadDir(*seed)
		if err != nil {
			return fmt.Errorf("simulate: --seed: %w", err)
		}
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(*seed, e.Name()))
			if err != nil {
				return fmt.Errorf("simulate: --seed: %w", err)
			}
			if err := sim.PutFile(ctx, e.Name(), b); err != nil {
				return err
			}
		}
	}
	if *n > 0 {
		if _, err := sim.SeedOrders(ctx, *n); err != nil {
			return err
		}
	}
	fmt.Printf(`orderfiles simulator: WebDAV export folder at %s (user %q)

  shop "orderfiles" {
    location = %q
    username = %q
    password = env("ORDERFILES_PASSWORD")   # %s
  }

Faults: curl -X POST '%s_sim/fault?kind=throttle|unavailable|none'
Ctrl-C stops it.
`, sim.URL, sim.Username, sim.URL, sim.Username, sim.Password, strings.TrimSuffix(sim.URL, "dav/orders/"))
	<-ctx.Done()
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil
	}
	return ctx.Err()
}

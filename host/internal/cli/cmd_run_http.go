package cli

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/schedule"
	"github.com/koppel-nl/koppel/host/internal/serve"
)

// health is the answer of GET /healthz.
type health struct {
	Status   string            `json:"status"`
	Version  string            `json:"version,omitempty"`
	Profiles []string          `json:"profiles"`
	Running  int               `json:"running"`
	Jobs     []schedule.Status `json:"jobs"`
}

// healthz answers GET /healthz: 200 while running, 503 once stopping. It never needs the token
// and shows no secret.
func (d *daemon) healthz(w http.ResponseWriter, _ *http.Request) {
	h := health{Status: "ok", Version: d.a.env.Version, Jobs: d.sched.Jobs(), Running: d.sched.Running()}
	d.mu.Lock()
	h.Profiles = append([]string{}, d.names...)
	d.mu.Unlock()
	code := http.StatusOK
	select {
	case <-d.stop:
		h.Status, code = "stopping", http.StatusServiceUnavailable
	default:
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(h)
}

// requireToken reports whether the HTTP endpoint on listen needs koppel.api_token: when listen
// is not a loopback address, or whenever a token is configured.
func requireToken(k config.KoppelBlock, listen string) bool {
	k.Listen = listen
	return !k.ListenIsLoopback() || k.APIToken != ""
}

// serveHTTP serves the dashboard, the JSON API, /metrics and /healthz (serve.New) on listen.
// It returns the address it listens on and a function that shuts it down. A listen address
// that is not loopback without koppel.api_token is a usage error.
func (d *daemon) serveHTTP(listen string, k config.KoppelBlock) (string, func(), error) {
	h, err := serve.New(serve.Options{
		Store:        d.store,
		Profiles:     d.profiles,
		Scheduler:    dashScheduler{d},
		Retrier:      dashRetrier{d},
		Planner:      dashPlanner{d},
		Plugins:      serve.PluginStatuses(d.mgr),
		APIToken:     k.APIToken,
		RequireToken: requireToken(k, listen),
		Logger:       d.log.Named("http"),
		Metrics:      d.metrics,
		Healthz:      http.HandlerFunc(d.healthz),
		Version:      d.a.env.Version,
		Commands:     d.runForwarded,
	})
	if err != nil {
		return "", nil, usageErr("listen %s: %v", listen, err)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return "", nil, failedErr("listen on %s: %v", listen, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() { _ = srv.Serve(ln) }()
	return ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

package cli

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/schedule"
	"github.com/koppel-nl/koppel/host/internal/serve"
	"github.com/koppel-nl/koppel/host/internal/tlscert"
)

// health is the answer of GET /healthz.
type health struct {
	Status   string      `json:"status"`
	Version  string      `json:"version,omitempty"`
	Profiles []string    `json:"profiles"`
	Running  int         `json:"running"`
	Jobs     []healthJob `json:"jobs"`
}

// healthJob is one scheduled task in GET /healthz, with its interval in seconds like every
// duration koppel prints as JSON (docs/cli.md, "JSON output").
type healthJob struct {
	Profile      string    `json:"profile"`
	Task         string    `json:"task"`
	EverySeconds float64   `json:"every_seconds"`
	Next         time.Time `json:"next"`
	LastStart    time.Time `json:"last_start,omitzero"`
	LastEnd      time.Time `json:"last_end,omitzero"`
	LastError    string    `json:"last_error,omitempty"`
	Runs         int       `json:"runs"`
	Running      bool      `json:"running"`
	RunningSince time.Time `json:"running_since,omitzero"`
}

// healthJobs turns the scheduler's statuses into their /healthz form.
func healthJobs(st []schedule.Status) []healthJob {
	out := make([]healthJob, len(st))
	for i, s := range st {
		out[i] = healthJob{Profile: s.Profile, Task: s.Task, EverySeconds: s.Every.Seconds(), Next: s.Next,
			LastStart: s.LastStart, LastEnd: s.LastEnd, LastError: s.LastError, Runs: s.Runs,
			Running: s.Running, RunningSince: s.RunningSince}
	}
	return out
}

// healthz answers GET /healthz: 200 while running, 503 once stopping. It never needs the token
// and shows no secret.
func (d *daemon) healthz(w http.ResponseWriter, _ *http.Request) {
	h := health{Status: "ok", Version: d.a.env.Version, Jobs: healthJobs(d.sched.Jobs()), Running: d.sched.Running()}
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

// serveHTTP serves the dashboard, the JSON API, /metrics and /healthz (serve.New) on listen,
// over HTTPS when the koppel block says so (tls_cert/tls_key, or tls = "self-signed": then the
// certificate's SHA-256 fingerprint is printed). It returns the
// address and scheme (and the certificate's hash, for `koppel` commands that talk to the daemon)
// and a function that shuts it down. A listen address that is not
// loopback without koppel.api_token, or without TLS and without insecure_http, is a usage error
// (validate refuses the koppel block's listen; this also covers --listen).
func (d *daemon) serveHTTP(listen string, k config.KoppelBlock) (endpoint, func(), error) {
	k.Listen = listen
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
		return endpoint{}, nil, usageErr("listen %s: %v", listen, err)
	}
	if !k.ListenIsLoopback() && !k.TLS() && !k.InsecureHTTP {
		return endpoint{}, nil, usageErr("listen %s is not a loopback address and the dashboard would speak plain HTTP: "+
			"add tls_cert and tls_key, or tls = \"self-signed\", to the koppel block (insecure_http = true only behind a TLS proxy)", listen)
	}
	tlsConf, err := d.tlsConfig(k)
	if err != nil {
		return endpoint{}, nil, err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return endpoint{}, nil, failedErr("listen on %s: %v", listen, err)
	}
	ep := endpoint{Addr: ln.Addr().String()}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
		ep.TLS = true
		sum := sha256.Sum256(tlsConf.Certificates[0].Certificate[0])
		ep.CertSHA256 = hex.EncodeToString(sum[:])
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, TLSConfig: tlsConf,
		ErrorLog: log.New(io.Discard, "", 0)} // failed handshakes of scanners are no news
	go func() { _ = srv.Serve(ln) }()
	return ep, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// endpoint is where the daemon serves its API.
type endpoint struct {
	// Addr is host:port.
	Addr string `json:"addr"`
	// TLS is set when it speaks HTTPS; CertSHA256 is then the hex SHA-256 of its certificate
	// (DER), which koppel commands on this machine pin when they talk to the daemon.
	TLS        bool   `json:"tls,omitempty"`
	CertSHA256 string `json:"cert_sha256,omitempty"`
}

// url is the endpoint's base URL, without a trailing slash.
func (e endpoint) url() string {
	if e.TLS {
		return "https://" + e.Addr
	}
	return "http://" + e.Addr
}

// client is an HTTP client for the endpoint: over TLS it accepts exactly the certificate whose
// hash the daemon announced (self-signed or not), nothing else.
func (e endpoint) client() *http.Client {
	if !e.TLS {
		return http.DefaultClient
	}
	want := e.CertSHA256
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // replaced by the pin below
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("no certificate")
			}
			sum := sha256.Sum256(raw[0])
			if hex.EncodeToString(sum[:]) != want {
				return errors.New("the certificate is not the one the running koppel announced")
			}
			return nil
		},
	}}}
}

// tlsConfig loads tls_cert/tls_key or the self-signed certificate kept in state_dir/tls; nil
// when the koppel block asks for plain HTTP.
func (d *daemon) tlsConfig(k config.KoppelBlock) (*tls.Config, error) {
	var cert tls.Certificate
	switch {
	case k.TLSCert != "":
		c, err := tls.LoadX509KeyPair(k.TLSCert, k.TLSKey)
		if err != nil {
			return nil, usageErr("tls_cert %s and tls_key %s: %v", k.TLSCert, k.TLSKey, err)
		}
		cert = c
	case k.TLSSelfSigned:
		var hosts []string
		if h, _, err := net.SplitHostPort(k.Listen); err == nil && h != "" {
			hosts = append(hosts, h)
		}
		c, err := tlscert.LoadOrCreate(filepath.Join(k.StateDir, "tls"), hosts, time.Now())
		if err != nil {
			return nil, failedErr("tls = \"self-signed\": %v", err)
		}
		cert = c
		d.printf("koppel: self-signed certificate, SHA-256 fingerprint %s\n", tlscert.Fingerprint(cert))
		d.printf("koppel: compare it with what the browser shows before you accept the certificate\n")
	default:
		return nil, nil
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

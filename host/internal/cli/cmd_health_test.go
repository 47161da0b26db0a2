package cli

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthCommand(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	defer srv.Close()
	code, out, errs := run(t, nil, "health", "--url", srv.URL+"/healthz")
	if code != ExitOK || !strings.Contains(out, `"status":"ok"`) {
		t.Fatalf("healthy: exit %d\n%s%s", code, out, errs)
	}
	status = http.StatusServiceUnavailable
	if code, _, errs := run(t, nil, "health", "--url", srv.URL+"/healthz"); code != ExitFailed || !strings.Contains(errs, "503") {
		t.Errorf("stopping: exit %d, %s", code, errs)
	}
	srv.Close()
	if code, _, errs := run(t, nil, "health", "--url", srv.URL+"/healthz"); code != ExitFailed || !strings.Contains(errs, "does not answer") {
		t.Errorf("down: exit %d, %s", code, errs)
	}
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer tlsSrv.Close()
	if code, _, errs := run(t, nil, "health", "--url", tlsSrv.URL+"/healthz"); code != ExitFailed || !strings.Contains(errs, "certificate") {
		t.Errorf("unverified certificate accepted: exit %d, %s", code, errs)
	}
	if code, out, errs := run(t, nil, "health", "--insecure", "--url", tlsSrv.URL+"/healthz"); code != ExitOK {
		t.Errorf("--insecure: exit %d\n%s%s", code, out, errs)
	}
	for in, want := range map[string]string{"0.0.0.0:8484": "127.0.0.1:8484", ":9": "127.0.0.1:9", "[::]:1": "127.0.0.1:1", "10.0.0.1:2": "10.0.0.1:2"} {
		if got := loopbackFor(in); got != want {
			t.Errorf("loopbackFor(%q) = %q, want %q", in, got, want)
		}
	}
}

package cli

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRunTLSSelfSigned: with tls = "self-signed" the daemon serves HTTPS, prints the
// certificate's SHA-256 fingerprint, and a client that pins that fingerprint completes the
// handshake; plain HTTP on the same port gets no dashboard. The certificate is kept (0600) in
// state_dir/tls, so a restart keeps the fingerprint.
func TestRunTLSSelfSigned(t *testing.T) {
	bin := koppelBinary(t)
	dir := configDir(t, dashProfile("winkel", "127.0.0.1:1", "127.0.0.1:1", ""))
	koppel := "koppel {\n  state_dir = \"./state\"\n  plugin_dir = \"./plugins\"\n  tls = \"self-signed\"\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "koppel.hcl"), []byte(koppel), 0o644); err != nil {
		t.Fatal(err)
	}
	start := func() (*exec.Cmd, string, string) {
		cmd := exec.Command(bin, "run", "--config", dir, "--listen", "127.0.0.1:0")
		stdout, _ := cmd.StdoutPipe()
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		out, errs := collect(stdout), collect(stderr)
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("koppel run output:\n%s\n%s", out.text(), errs.text())
			}
		})
		fp, pos := out.wait(t, `self-signed certificate, SHA-256 fingerprint ([0-9A-F:]{95})$`, 0)
		m, _ := out.wait(t, `dashboard at https://(\S+)/$`, pos)
		return cmd, fp[1], m[1]
	}
	cmd, fingerprint, addr := start()

	var seen string
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true, // the certificate is self-signed: it is checked by its fingerprint below
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			sum := sha256.Sum256(raw[0])
			parts := make([]string, len(sum))
			for i, b := range sum {
				parts[i] = fmt.Sprintf("%02X", b)
			}
			seen = strings.Join(parts, ":")
			if seen != fingerprint {
				return fmt.Errorf("fingerprint %s, printed %s", seen, fingerprint)
			}
			return nil
		},
	}}}
	resp, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("TLS request: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil || !strings.Contains(string(body), `"status":"ok"`) {
		t.Fatalf("GET /healthz over TLS: %d %s", resp.StatusCode, body)
	}
	if seen != fingerprint {
		t.Fatalf("handshake saw %q, printed %q", seen, fingerprint)
	}
	// Plain HTTP to the TLS port does not get the dashboard.
	if resp, err := (&http.Client{Timeout: 10 * time.Second}).Get("http://" + addr + "/healthz"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), `"status":"ok"`) {
			t.Fatalf("plain HTTP answered: %d %s", resp.StatusCode, b)
		}
	}
	key, err := os.Stat(filepath.Join(dir, "state", "tls", "koppel-selfsigned.key"))
	if err != nil || key.Mode().Perm() != 0o600 {
		t.Fatalf("self-signed key: %v, mode %v", err, key.Mode())
	}

	// A restart keeps the certificate, so the fingerprint a person accepted stays valid.
	cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	_, again, _ := start()
	if again != fingerprint {
		t.Fatalf("fingerprint changed across a restart: %s, then %s", fingerprint, again)
	}
}

// TestRunPlainHTTPOffLoopbackRefused: --listen on a non-loopback address with a token but
// without TLS is refused before anything runs, unless insecure_http = true.
func TestRunPlainHTTPOffLoopbackRefused(t *testing.T) {
	dir := configDir(t, dashProfile("winkel", "127.0.0.1:1", "127.0.0.1:1", ""))
	koppel := "koppel {\n  state_dir = \"./state\"\n  plugin_dir = \"./plugins\"\n  api_token = \"" + dashToken + "\"\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "koppel.hcl"), []byte(koppel), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := run(t, nil, "run", "--config", dir, "--listen", "0.0.0.0:0")
	if code != ExitUsage || !strings.Contains(errs, "plain HTTP") || !strings.Contains(errs, `tls = "self-signed"`) {
		t.Fatalf("plain HTTP off loopback: exit %d: %s", code, errs)
	}
	// In the koppel block, validate names the line and column.
	koppel = "koppel {\n  state_dir = \"./state\"\n  plugin_dir = \"./plugins\"\n  listen = \"0.0.0.0:8484\"\n  api_token = \"" + dashToken + "\"\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "koppel.hcl"), []byte(koppel), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = run(t, nil, "validate", "--config", dir)
	if code != ExitUsage || !strings.Contains(errs, "koppel.hcl:4,12: error: koppel.listen") || !strings.Contains(errs, "insecure_http = true") {
		t.Fatalf("validate of plain HTTP off loopback: exit %d: %s", code, errs)
	}
	koppel = strings.Replace(koppel, "  listen", "  insecure_http = true\n  listen", 1)
	if err := os.WriteFile(filepath.Join(dir, "koppel.hcl"), []byte(koppel), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := run(t, nil, "validate", "--config", dir); code != 0 {
		t.Fatalf("validate with insecure_http: exit %d: %s %s", code, out, errs)
	}
}

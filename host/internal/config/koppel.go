package config

import (
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// minTokenLength is the api_token length below which koppel warns.
const minTokenLength = 16

// decodeKoppel decodes the koppel block; at most one may exist across all files.
func (l *loader) decodeKoppel(block *hclsyntax.Block, ctx *hcl.EvalContext) {
	if len(block.Labels) > 0 {
		l.errorf(block.LabelRanges[0], "the koppel block takes no name", "", "write koppel { ... }")
	}
	if l.koppelFirst != nil {
		l.errorf(block.DefRange(), "a second koppel block",
			fmt.Sprintf("the first one is at %s", rangeString(*l.koppelFirst)),
			"a config directory has at most one koppel block; merge them into one")
		return
	}
	def := block.DefRange()
	l.koppelFirst = &def
	k := &l.cfg.Koppel
	k.DeclRange = def
	d := l.decoder(block.Body, ctx, "koppel", "the koppel block")

	for _, p := range []struct {
		name string
		dst  *string
	}{{"state_dir", &k.StateDir}, {"plugin_dir", &k.PluginDir}, {"lock_file", &k.LockFile},
		{"tls_cert", &k.TLSCert}, {"tls_key", &k.TLSKey}} {
		var s string
		if d.String(p.name, &s, false) == present {
			if strings.TrimSpace(s) == "" {
				l.errorf(d.attrs[p.name].Expr.Range(), fmt.Sprintf("koppel.%s must not be empty", p.name), "",
					fmt.Sprintf("leave %s out for the default, or give a path; a relative path is taken from the config directory", p.name))
			} else {
				*p.dst = l.resolvePath(s)
			}
		}
	}

	var listen string
	listenSt := d.String("listen", &listen, false)
	if listenSt == present {
		k.Listen = listen
		if listen != "" {
			if err := checkListen(listen); err != nil {
				l.errorf(d.attrs["listen"].Expr.Range(), "koppel.listen must be host:port",
					fmt.Sprintf("%s: %v", showValue(listen), err),
					`write listen = "127.0.0.1:8484", or listen = "" to turn the dashboard and HTTP API off`)
				listenSt = failed
			}
		}
	}

	tokenSt := d.String("api_token", &k.APIToken, true)
	if tokenSt == present && k.APIToken != "" && len(k.APIToken) < minTokenLength {
		l.warnf(d.attrs["api_token"].Expr.Range(), fmt.Sprintf("koppel.api_token is shorter than %d characters", minTokenLength),
			"a short token is easy to guess", "generate one with: openssl rand -hex 32")
	}
	if listenSt == present && k.Listen != "" && !isLoopback(k.Listen) && k.APIToken == "" && tokenSt != failed {
		l.errorf(d.attrs["listen"].Expr.Range(),
			fmt.Sprintf("koppel.api_token is required when listen (%s) is not a loopback address", showValue(k.Listen)),
			"anyone who can reach that address could run tasks and read orders",
			`add api_token = env("KOPPEL_API_TOKEN") to the koppel block, or listen on "127.0.0.1:8484"`)
	}

	l.decodeTLS(d, k, listenSt)

	d.Int("retention_days", &k.RetentionDays, 1)
	d.Size("memory_limit", &k.MemoryLimit, MinMemoryLimit, "off", "96MiB")
	for _, b := range block.Body.Blocks {
		if b.Type == "smtp" {
			l.decodeSMTP(b, ctx, k)
			continue
		}
		l.unknownBlock(b, []string{"smtp"}, "in the koppel block")
	}
	d.finish()
}

// decodeTLS decodes tls, tls_cert, tls_key and insecure_http (tls_cert and tls_key were read
// with the paths) and refuses plain HTTP on an address that is not loopback.
func (l *loader) decodeTLS(d *blockDecoder, k *KoppelBlock, listenSt evalStatus) {
	var mode string
	if d.Enum("tls", &mode, []string{"self-signed"}) == present {
		k.TLSSelfSigned = true
	}
	d.Bool("insecure_http", &k.InsecureHTTP)
	certAttr, keyAttr := d.attrs["tls_cert"], d.attrs["tls_key"]
	switch {
	case k.TLSCert != "" && k.TLSKey == "":
		l.errorf(certAttr.Expr.Range(), "koppel.tls_cert needs koppel.tls_key", "",
			`add tls_key = "/etc/koppel/tls.key" (the certificate's private key, PEM)`)
	case k.TLSKey != "" && k.TLSCert == "":
		l.errorf(keyAttr.Expr.Range(), "koppel.tls_key needs koppel.tls_cert", "",
			`add tls_cert = "/etc/koppel/tls.crt" (the certificate chain, PEM)`)
	case k.TLSCert != "" && k.TLSSelfSigned:
		l.errorf(d.attrs["tls"].Expr.Range(), `koppel.tls = "self-signed" and tls_cert exclude each other`, "",
			`remove tls = "self-signed" to use your certificate, or remove tls_cert and tls_key`)
	case k.TLSCert != "":
		if _, err := tls.LoadX509KeyPair(k.TLSCert, k.TLSKey); err != nil {
			l.errorf(certAttr.Expr.Range(), "koppel.tls_cert and tls_key cannot be used", err.Error(),
				"give PEM files: the certificate (chain) in tls_cert and its unencrypted private key in tls_key")
		}
	}
	if listenSt == present && k.Listen != "" && !isLoopback(k.Listen) && !k.TLS() && !k.InsecureHTTP {
		l.errorf(d.attrs["listen"].Expr.Range(),
			fmt.Sprintf("koppel.listen (%s) is not a loopback address, and the dashboard would speak plain HTTP", showValue(k.Listen)),
			"the API token and the login cookie would cross the network readable by anyone on the way",
			`add tls_cert and tls_key (PEM files), or tls = "self-signed"; behind a reverse proxy that does TLS, write insecure_http = true`)
	}
}

// checkListen checks a host:port address.
func checkListen(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}

// isLoopback reports whether addr (host:port) is on a loopback address.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// rangeString is "file:line,col" of a range's start.
func rangeString(r hcl.Range) string {
	return fmt.Sprintf("%s:%d,%d", r.Filename, r.Start.Line, r.Start.Column)
}

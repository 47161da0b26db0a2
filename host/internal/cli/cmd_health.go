package cli

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// healthCommand is `koppel health`: asks a running daemon's /healthz, for container health
// checks and monitoring scripts on machines without curl.
func (a *app) healthCommand() *cobra.Command {
	var url string
	var timeout time.Duration
	var insecure bool
	cmd := &cobra.Command{
		Use:   "health",
		Short: "Ask the running koppel run for /healthz (exit 0 when it answers ok, 1 otherwise)",
		Long: `Asks GET /healthz of the running daemon, on the koppel block's listen address (a wildcard
address is asked on loopback; over HTTPS when the koppel block has TLS, without verifying the
certificate, which is koppel's own) or --url, prints the answer and exits 0 when it is 200 ok, 1 when
koppel is stopping, unreachable or answers anything else. Container health checks use it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if url == "" {
				k, err := a.koppelBlock()
				if err != nil {
					return err
				}
				if k.Listen == "" {
					return usageErr("the koppel block has listen = \"\" (no HTTP endpoint); give --url")
				}
				scheme := "http"
				if k.TLS() {
					// koppel's own (often self-signed) certificate, asked on this machine.
					scheme, insecure = "https", true
				}
				url = scheme + "://" + loopbackFor(k.Listen) + "/healthz"
			}
			return a.checkHealth(cmd.Context(), url, timeout, insecure)
		},
	}
	cmd.Flags().StringVar(&url, "url", "", "the /healthz address (default: from the koppel block's listen)")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "give up after this long")
	cmd.Flags().BoolVar(&insecure, "insecure", false, "with --url https://...: do not verify the certificate")
	return cmd
}

// loopbackFor turns a wildcard listen address into one a local client can reach.
func loopbackFor(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func (a *app) checkHealth(ctx context.Context, url string, timeout time.Duration, insecure bool) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return usageErr("--url %s: %v", url, err)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: insecure}}}
	resp, err := client.Do(req)
	if err != nil {
		return failedErr("koppel does not answer on %s: %v (is koppel run running?)", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	fmt.Fprintln(a.env.Stdout, strings.TrimSpace(string(body)))
	if resp.StatusCode != http.StatusOK {
		return failedErr("%s answered %s", url, resp.Status)
	}
	return nil
}

package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	neturl "net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
)

// Mailer sends one e-mail.
type Mailer interface {
	Send(ctx context.Context, to []string, subject, text string) error
}

// SMTPMailer sends e-mail through the smtp block's server: implicit TLS on port 465, STARTTLS on
// any other port (a server without STARTTLS is refused: the login and the messages never travel
// unencrypted), AUTH PLAIN when a username is set.
type SMTPMailer struct {
	Server config.SMTP
	// TLS, when set, is used instead of a configuration built from Server (tests).
	TLS *tls.Config
	// Timeout bounds the whole conversation (default 60 s).
	Timeout time.Duration
}

func (m *SMTPMailer) tlsConfig() (*tls.Config, error) {
	if m.TLS != nil {
		c := m.TLS.Clone()
		if c.ServerName == "" {
			c.ServerName = m.Server.Host
		}
		return c, nil
	}
	c := &tls.Config{ServerName: m.Server.Host, MinVersion: tls.VersionTLS12}
	if m.Server.CAFile != "" {
		pem, err := os.ReadFile(m.Server.CAFile)
		if err != nil {
			return nil, fmt.Errorf("smtp ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("smtp ca_file %s holds no PEM certificate", m.Server.CAFile)
		}
		c.RootCAs = pool
	}
	return c, nil
}

// Send sends text (UTF-8, quoted-printable) with subject to the addresses.
func (m *SMTPMailer) Send(ctx context.Context, to []string, subject, text string) error {
	timeout := m.Timeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tc, err := m.tlsConfig()
	if err != nil {
		return err
	}
	addr := net.JoinHostPort(m.Server.Host, strconv.Itoa(m.Server.Port))
	var conn net.Conn
	if m.Server.Port == 465 {
		conn, err = (&tls.Dialer{Config: tc}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("connect to %s: %w", addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, m.Server.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", addr, err)
	}
	defer c.Close()
	if err := c.Hello("koppel"); err != nil {
		return fmt.Errorf("smtp %s: EHLO: %w", addr, err)
	}
	if m.Server.Port != 465 {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("smtp %s does not offer STARTTLS; koppel does not send mail unencrypted (use port 465 if the server speaks TLS from the start)", addr)
		}
		if err := c.StartTLS(tc); err != nil {
			return fmt.Errorf("smtp %s: STARTTLS: %w", addr, err)
		}
	}
	if m.Server.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.Server.Username, m.Server.Password, m.Server.Host)); err != nil {
			return fmt.Errorf("smtp %s: login as %s refused: %w (check username and password in koppel.smtp)", addr, m.Server.Username, err)
		}
	}
	from, err := mail.ParseAddress(m.Server.From)
	if err != nil {
		return fmt.Errorf("smtp from %q: %w", m.Server.From, err)
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("smtp %s: MAIL FROM: %w", addr, err)
	}
	for _, t := range to {
		a, err := mail.ParseAddress(t)
		if err != nil {
			return fmt.Errorf("address %q: %w", t, err)
		}
		if err := c.Rcpt(a.Address); err != nil {
			return fmt.Errorf("smtp %s: RCPT TO %s: %w", addr, a.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp %s: DATA: %w", addr, err)
	}
	if _, err := w.Write(compose(from, to, subject, text)); err != nil {
		return fmt.Errorf("smtp %s: message: %w", addr, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp %s: message refused: %w", addr, err)
	}
	return c.Quit()
}

// compose builds the RFC 5322 message.
func compose(from *mail.Address, to []string, subject, text string) []byte {
	var b bytes.Buffer
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	domain := "koppel.invalid"
	if i := strings.LastIndexByte(from.Address, '@'); i >= 0 {
		domain = from.Address[i+1:]
	}
	fmt.Fprintf(&b, "From: %s\r\n", from.String())
	fmt.Fprintf(&b, "To: %s\r\n", strings.Join(to, ", "))
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subject))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", hex.EncodeToString(id), domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\nAuto-Submitted: auto-generated\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n")))
	_ = qp.Close()
	return b.Bytes()
}

// post sends msg as JSON to the webhook; any answer but 2xx is an error.
func (n *Notifier) post(ctx context.Context, url string, msg Message) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "koppel-notify")
	resp, err := n.o.HTTPClient.Do(req)
	if err != nil {
		// The URL may carry the receiver's token: the error says what failed without it.
		var ue *neturl.Error
		if errors.As(err, &ue) {
			return fmt.Errorf("POST to the webhook: %w", ue.Err)
		}
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the webhook answered %s", resp.Status)
	}
	return nil
}

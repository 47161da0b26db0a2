package config

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// SMTP is the koppel block's `smtp { ... }`: the mail server notify e-mails are sent through.
// koppel always speaks STARTTLS (port 587, the default) or implicit TLS (port 465) and never
// sends the password over an unencrypted connection.
type SMTP struct {
	// Host is the mail server's name (its certificate must be valid for it).
	Host string
	// Port is 587 (STARTTLS, default) or 465 (TLS from the start); any other port is spoken
	// to with STARTTLS.
	Port int
	// Username and Password log in with AUTH PLAIN; Password is sensitive. Both empty: no login.
	Username string
	Password string
	// From is the sender address, e.g. "koppel <koppel@mijnwinkel.nl>".
	From string
	// CAFile, when set, is a PEM file of the certificate authorities trusted for Host instead
	// of the system's (a company mail server with its own CA).
	CAFile string
	// DeclRange is the range of the smtp block header.
	DeclRange hcl.Range
}

// Notify is a profile's `notify { ... }` block: who hears about failed orders, attention items
// and failed tasks, and how often.
type Notify struct {
	// Email lists the addresses that receive the messages (needs koppel.smtp).
	Email []string
	// Webhook is a URL that receives every message as a JSON POST.
	Webhook string
	// On lists the events: "failed" (an order parked for a person), "attention" (a new
	// attention item), "task_failed" (a task run ended with an error). Default all three.
	On []string
	// Digest is "daily" (default: one message a day with everything new) or "none" (one message
	// per event, at once).
	Digest string
	// DeclRange is the range of the notify block header.
	DeclRange hcl.Range
}

// NotifyEvents are the values notify.on accepts.
var NotifyEvents = []string{"failed", "attention", "task_failed"}

// Wants reports whether n sends messages about event.
func (n *Notify) Wants(event string) bool { return n != nil && contains(n.On, event) }

// decodeSMTP decodes koppel { smtp { ... } }.
func (l *loader) decodeSMTP(b *hclsyntax.Block, ctx *hcl.EvalContext, k *KoppelBlock) {
	if len(b.Labels) > 0 {
		l.errorf(b.LabelRanges[0], "the smtp block takes no name", "", "write smtp { ... }")
		return
	}
	if k.SMTP != nil {
		l.errorf(b.DefRange(), "a second smtp block", fmt.Sprintf("the first one is at %s", rangeString(k.SMTP.DeclRange)),
			"the koppel block has at most one smtp block")
		return
	}
	s := &SMTP{Port: 587, DeclRange: b.DefRange()}
	d := l.decoder(b.Body, ctx, "koppel.smtp", "the smtp block")
	if d.String("host", &s.Host, false) == absent {
		l.errorf(b.DefRange(), "koppel.smtp.host is required", "", `add host = "smtp.mijnprovider.nl"`)
	}
	d.Int("port", &s.Port, 1)
	if s.Port > 65535 {
		l.errorf(d.attrs["port"].Expr.Range(), "koppel.smtp.port must be at most 65535", "", "write port = 587 (STARTTLS) or port = 465 (TLS)")
	}
	d.String("username", &s.Username, false)
	d.String("password", &s.Password, true)
	if (s.Username == "") != (s.Password == "") {
		l.errorf(b.DefRange(), "koppel.smtp needs both username and password, or neither", "",
			`write username = "koppel@mijnwinkel.nl" and password = env("SMTP_PASSWORD")`)
	}
	if d.String("from", &s.From, false) == absent {
		l.errorf(b.DefRange(), "koppel.smtp.from is required", "", `add from = "koppel <koppel@mijnwinkel.nl>"`)
	} else if _, err := mail.ParseAddress(s.From); err != nil && s.From != "" {
		l.errorf(d.attrs["from"].Expr.Range(), fmt.Sprintf("koppel.smtp.from %s is not an e-mail address", showValue(s.From)), err.Error(),
			`write from = "koppel@mijnwinkel.nl" or from = "koppel <koppel@mijnwinkel.nl>"`)
	}
	var ca string
	if d.String("ca_file", &ca, false) == present && ca != "" {
		s.CAFile = l.resolvePath(ca)
	}
	l.noBlocks(b.Body, "the smtp block")
	d.finish()
	k.SMTP = s
}

// decodeNotify decodes a profile's notify block.
func (l *loader) decodeNotify(b *hclsyntax.Block, ctx *hcl.EvalContext, p *Profile) {
	n := &Notify{On: append([]string(nil), NotifyEvents...), Digest: "daily", DeclRange: b.DefRange()}
	d := l.decoder(b.Body, ctx, fmt.Sprintf("profile %q notify", p.Name), "the notify block")
	if d.StringList("email", &n.Email) == present {
		for _, a := range n.Email {
			if _, err := mail.ParseAddress(a); err != nil {
				l.errorf(d.attrs["email"].Expr.Range(), fmt.Sprintf("notify.email: %s is not an e-mail address", showValue(a)), err.Error(),
					`write email = ["boekhouding@mijnwinkel.nl"]`)
			}
		}
	}
	if d.String("webhook", &n.Webhook, false) == present && n.Webhook != "" {
		u, err := url.Parse(n.Webhook)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			l.errorf(d.attrs["webhook"].Expr.Range(), fmt.Sprintf("notify.webhook %s is not an http(s) URL", showValue(n.Webhook)), "",
				`write webhook = "https://hooks.example/koppel"`)
		}
	}
	if d.StringList("on", &n.On) == present {
		for _, e := range n.On {
			if !contains(NotifyEvents, e) {
				hint := "allowed: " + strings.Join(NotifyEvents, ", ")
				if s := suggest(e, NotifyEvents); s != "" {
					hint = fmt.Sprintf("did you mean %q? %s", s, hint)
				}
				l.errorf(d.attrs["on"].Expr.Range(), fmt.Sprintf("notify.on: unknown event %s", showValue(e)), "", hint)
			}
		}
	}
	d.Enum("digest", &n.Digest, []string{"daily", "none"})
	if len(n.Email) == 0 && n.Webhook == "" {
		l.errorf(b.DefRange(), fmt.Sprintf("profile %q: the notify block sends nowhere", p.Name), "",
			`add email = ["boekhouding@mijnwinkel.nl"] (with koppel { smtp { ... } }) or webhook = "https://..."`)
	}
	l.noBlocks(b.Body, "the notify block")
	d.finish()
	p.Notify = n
}

// checkNotify requires koppel.smtp when a profile sends e-mail (the koppel block may be in any
// file, so this runs after all files were read).
func (l *loader) checkNotify() {
	if l.cfg.Koppel.SMTP != nil {
		return
	}
	for _, p := range l.cfg.Profiles {
		if p.Notify != nil && len(p.Notify.Email) > 0 {
			l.errorf(p.Notify.DeclRange, fmt.Sprintf("profile %q: notify.email needs koppel { smtp { ... } }", p.Name),
				"koppel sends e-mail through your mail server",
				`add to the koppel block: smtp { host = "smtp.mijnprovider.nl"  username = "..."  password = env("SMTP_PASSWORD")  from = "koppel@mijnwinkel.nl" }`)
		}
	}
}

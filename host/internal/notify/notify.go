// Package notify sends the alerts of a profile's notify block: an e-mail (SMTP with STARTTLS or
// TLS, and a login) and/or a JSON POST to a webhook about orders parked for a person, new
// attention items and failed task runs, one message per event or a daily digest. Every event is
// recorded in the state store (notify/<profile>/<event-id>) with the channels it reached, so it
// is sent once per channel, across restarts; a channel that failed is tried again at the next
// flush. Texts are Dutch, carry order numbers, amounts and reasons but never a secret (every
// text passes the configuration's redactor) nor a customer's personal data.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/state"
)

// The event kinds, as notify.on names them.
const (
	KindFailed     = "failed"
	KindAttention  = "attention"
	KindTaskFailed = "task_failed"
)

// Event is one thing a person should hear about.
type Event struct {
	// Profile and Kind (failed, attention, task_failed) say where and what.
	Profile string `json:"profile"`
	Kind    string `json:"kind"`
	// ID tells events of a kind apart within the profile: the same ID is the same event and is
	// sent once.
	ID string `json:"id"`
	// Time is when it happened.
	Time time.Time `json:"time"`
	// Title is one line in Dutch; Detail the reason; Action what to do next.
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
	Action string `json:"action,omitempty"`
	// Order is the shop's order number and Task the task, when the event is about one.
	Order string `json:"order,omitempty"`
	Task  string `json:"task,omitempty"`
}

// record is what the state store keeps per event.
type record struct {
	Event Event `json:"event"`
	// EmailSent and WebhookSent are when the event reached that channel (zero: not yet).
	EmailSent   time.Time `json:"email_sent,omitzero"`
	WebhookSent time.Time `json:"webhook_sent,omitzero"`
	// Done is set once every channel of the profile had it.
	Done bool `json:"done,omitempty"`
}

// digestRecord keeps when the last daily digest went out.
type digestRecord struct {
	Sent time.Time `json:"sent"`
}

// digestKey is the key of a profile's digest record; event ids never start with '~'.
func digestKey(profile string) state.Key { return state.NSNotify.Key(profile, "~digest") }

func eventKey(profile, kind, id string) state.Key { return state.NSNotify.Key(profile, kind+":"+id) }

// Options configure a Notifier.
type Options struct {
	// Store keeps the events (required).
	Store *state.Store
	// SMTP is the koppel block's smtp block (nil: e-mail is not possible).
	SMTP *config.SMTP
	// Mailer sends the e-mails (default: SMTP per the smtp block).
	Mailer Mailer
	// HTTPClient posts to webhooks (default: a client with a 30 s timeout).
	HTTPClient *http.Client
	// Redact removes secrets from a text (the configuration's redactor; default: none).
	Redact func(string) string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// DigestHour is the local hour from which the daily digest is sent (default 7).
	DigestHour int
	// Location is the digest's time zone (default Europe/Amsterdam, else Local).
	Location *time.Location
	// Logger logs sending failures (default: none).
	Logger hclog.Logger
}

// Notifier records events and sends them per the profiles' notify blocks. It is safe for
// concurrent use.
type Notifier struct {
	o  Options
	mu sync.Mutex // one flush at a time, so no event is sent twice by two flushes
}

// New returns a Notifier.
func New(o Options) *Notifier {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Redact == nil {
		o.Redact = func(s string) string { return s }
	}
	if o.DigestHour == 0 {
		o.DigestHour = 7
	}
	if o.Location == nil {
		if loc, err := time.LoadLocation("Europe/Amsterdam"); err == nil {
			o.Location = loc
		} else {
			o.Location = time.Local
		}
	}
	if o.Logger == nil {
		o.Logger = hclog.NewNullLogger()
	}
	if o.Mailer == nil && o.SMTP != nil {
		o.Mailer = &SMTPMailer{Server: *o.SMTP}
	}
	return &Notifier{o: o}
}

// Record stores ev for p when p's notify block wants its kind and it is new; it reports
// whether it was new. With digest = "none" it is sent at once (Flush).
func (n *Notifier) Record(ctx context.Context, p *config.Profile, ev Event) (bool, error) {
	if p == nil || p.Notify == nil || !p.Notify.Wants(ev.Kind) {
		return false, nil
	}
	ev.Profile = p.Name
	if ev.Time.IsZero() {
		ev.Time = n.o.Now()
	}
	key := eventKey(p.Name, ev.Kind, ev.ID)
	isNew := false
	err := n.o.Store.Update(ctx, func(tx *state.Tx) error {
		if _, ok, err := state.Get[record](ctx, tx, key); err != nil || ok {
			return err
		}
		isNew = true
		return state.Put(ctx, tx, key, record{Event: ev})
	})
	if err != nil {
		return false, fmt.Errorf("notify: record %s %s: %w", ev.Kind, ev.ID, err)
	}
	if isNew && p.Notify.Digest == "none" {
		return true, n.Flush(ctx, p)
	}
	return isNew, nil
}

// pending lists p's events not yet sent to every channel, oldest first.
func (n *Notifier) pending(ctx context.Context, profile string) (map[state.Key]record, []state.Key, error) {
	recs := map[state.Key]record{}
	var keys []state.Key
	err := n.o.Store.View(ctx, func(tx *state.Tx) error {
		return state.List(ctx, tx, state.NSNotify.ProfilePrefix(profile), func(k state.Key, r record) error {
			if r.Event.Kind == "" || r.Done {
				return nil
			}
			recs[k] = r
			keys = append(keys, k)
			return nil
		})
	})
	sort.SliceStable(keys, func(i, j int) bool { return recs[keys[i]].Event.Time.Before(recs[keys[j]].Event.Time) })
	return recs, keys, err
}

// digestDue reports whether p's daily digest may go out now: from DigestHour local time, once
// per local day.
func (n *Notifier) digestDue(ctx context.Context, profile string) (bool, error) {
	now := n.o.Now().In(n.o.Location)
	if now.Hour() < n.o.DigestHour {
		return false, nil
	}
	var last digestRecord
	err := n.o.Store.View(ctx, func(tx *state.Tx) error {
		r, _, err := state.Get[digestRecord](ctx, tx, digestKey(profile))
		last = r
		return err
	})
	if err != nil {
		return false, err
	}
	if last.Sent.IsZero() {
		return true, nil
	}
	ly, lm, ld := last.Sent.In(n.o.Location).Date()
	y, m, d := now.Date()
	return y != ly || m != lm || d != ld, nil
}

// Flush sends p's pending events: each on its own with digest = "none"; with "daily" all of
// them in one message once the digest is due. A channel that fails keeps its events pending for
// the next flush; the error names the channel, never a secret.
func (n *Notifier) Flush(ctx context.Context, p *config.Profile) error {
	if p == nil || p.Notify == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	recs, keys, err := n.pending(ctx, p.Name)
	if err != nil || len(keys) == 0 {
		return err
	}
	if p.Notify.Digest != "none" {
		due, err := n.digestDue(ctx, p.Name)
		if err != nil || !due {
			return err
		}
	}
	groups := [][]state.Key{keys}
	if p.Notify.Digest == "none" {
		groups = groups[:0]
		for _, k := range keys {
			groups = append(groups, []state.Key{k})
		}
	}
	var errs []error
	for _, g := range groups {
		errs = append(errs, n.sendGroup(ctx, p, recs, g))
	}
	if p.Notify.Digest != "none" {
		if err := n.o.Store.Update(ctx, func(tx *state.Tx) error {
			return state.Put(ctx, tx, digestKey(p.Name), digestRecord{Sent: n.o.Now()})
		}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// sendGroup sends the events of keys as one message to every channel that lacks them and
// records what reached where.
func (n *Notifier) sendGroup(ctx context.Context, p *config.Profile, recs map[state.Key]record, keys []state.Key) error {
	var evs []Event
	needMail, needHook := false, false
	for _, k := range keys {
		r := recs[k]
		evs = append(evs, r.Event)
		needMail = needMail || (len(p.Notify.Email) > 0 && r.EmailSent.IsZero())
		needHook = needHook || (p.Notify.Webhook != "" && r.WebhookSent.IsZero())
	}
	msg := n.compose(p, evs)
	var errs []error
	mailOK, hookOK := false, false
	if needMail {
		if n.o.Mailer == nil {
			errs = append(errs, fmt.Errorf("notify %s: e-mail: koppel.smtp is not configured", p.Name))
		} else if err := n.o.Mailer.Send(ctx, p.Notify.Email, msg.Subject, msg.Text); err != nil {
			errs = append(errs, fmt.Errorf("notify %s: e-mail: %s", p.Name, n.o.Redact(err.Error())))
		} else {
			mailOK = true
		}
	}
	if needHook {
		if err := n.post(ctx, p.Notify.Webhook, msg); err != nil {
			errs = append(errs, fmt.Errorf("notify %s: webhook: %s", p.Name, n.o.Redact(err.Error())))
		} else {
			hookOK = true
		}
	}
	now := n.o.Now()
	if err := n.o.Store.Update(ctx, func(tx *state.Tx) error {
		for _, k := range keys {
			r := recs[k]
			if mailOK && r.EmailSent.IsZero() {
				r.EmailSent = now
			}
			if hookOK && r.WebhookSent.IsZero() {
				r.WebhookSent = now
			}
			r.Done = (len(p.Notify.Email) == 0 || !r.EmailSent.IsZero()) && (p.Notify.Webhook == "" || !r.WebhookSent.IsZero())
			if err := state.Put(ctx, tx, k, r); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		errs = append(errs, fmt.Errorf("notify %s: record what was sent: %w", p.Name, err))
	}
	for _, err := range errs {
		if err != nil {
			n.o.Logger.Warn("alert not sent; trying again at the next run", "error", err)
		}
	}
	return errors.Join(errs...)
}

// Message is one alert as it is sent: the e-mail's subject and text, and the webhook's JSON.
type Message struct {
	Profile string  `json:"profile"`
	Digest  bool    `json:"digest"`
	Subject string  `json:"subject"`
	Text    string  `json:"text"`
	Events  []Event `json:"events"`
}

// compose writes the Dutch message for evs, redacted.
func (n *Notifier) compose(p *config.Profile, evs []Event) Message {
	r := n.o.Redact
	m := Message{Profile: p.Name, Digest: p.Notify.Digest != "none"}
	var b strings.Builder
	if len(evs) == 1 && !m.Digest {
		m.Subject = fmt.Sprintf("[koppel] %s: %s", p.Name, r(evs[0].Title))
	} else {
		day := n.o.Now().In(n.o.Location).Format("2-1-2006")
		m.Subject = fmt.Sprintf("[koppel] %s: %d %s (%s)", p.Name, len(evs), plural(len(evs), "melding", "meldingen"), day)
		fmt.Fprintf(&b, "Overzicht van koppel voor profiel %s: %d %s sinds het vorige overzicht.\n\n", p.Name, len(evs), plural(len(evs), "melding", "meldingen"))
	}
	for i, ev := range evs {
		ev.Title, ev.Detail, ev.Action = r(ev.Title), r(ev.Detail), r(ev.Action)
		evs[i] = ev
		fmt.Fprintf(&b, "%s (%s)\n", ev.Title, ev.Time.In(n.o.Location).Format("2-1-2006 15:04"))
		if ev.Detail != "" {
			fmt.Fprintf(&b, "  Reden: %s\n", ev.Detail)
		}
		if ev.Action != "" {
			fmt.Fprintf(&b, "  Wat te doen: %s\n", ev.Action)
		}
		b.WriteString("\n")
	}
	b.WriteString("Dit bericht komt van koppel (webshop naar SnelStart). De meldingen staan ook op het dashboard, tabblad Uitvoering en Aandacht nodig.\n")
	m.Text = b.String()
	m.Events = evs
	return m
}

func plural(n int, one, more string) string {
	if n == 1 {
		return one
	}
	return more
}

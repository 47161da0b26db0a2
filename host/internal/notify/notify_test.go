package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// hookServer is a local webhook receiver that keeps every JSON message and can be told to fail.
type hookServer struct {
	*httptest.Server
	mu   sync.Mutex
	msgs []Message
	fail int // answer 500 this many times first
}

func newHook(t *testing.T) *hookServer {
	h := &hookServer{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		defer h.mu.Unlock()
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want a JSON POST", http.StatusBadRequest)
			return
		}
		if h.fail > 0 {
			h.fail--
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		var m Message
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.msgs = append(h.msgs, m)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) messages() []Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Message(nil), h.msgs...)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var ams, _ = time.LoadLocation("Europe/Amsterdam")

type fixture struct {
	n     *Notifier
	st    *state.Store
	smtp  *smtpServer
	hook  *hookServer
	clock *clock
	p     *config.Profile
}

const secret = "sk_live_GEHEIM_9f8e7d"

func newFixture(t *testing.T, digest string) *fixture {
	t.Helper()
	st, err := state.Open(t.Context(), t.TempDir(), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := newSMTPServer(t, false)
	host, port, _ := net.SplitHostPort(srv.addr)
	pn, _ := strconv.Atoi(port)
	cfg := config.SMTP{Host: host, Port: pn, Username: srv.user, Password: srv.pass, From: "koppel <koppel@winkel.nl>"}
	hook := newHook(t)
	c := &clock{t: time.Date(2026, 12, 7, 10, 0, 0, 0, ams)}
	redact := strings.NewReplacer(secret, "***", srv.pass, "***").Replace
	n := New(Options{Store: st, SMTP: &cfg, Mailer: &SMTPMailer{Server: cfg, TLS: tls12{pool: srv.pool}.config()},
		Now: c.now, Location: ams, Redact: redact})
	p := &config.Profile{Name: "winkel", Notify: &config.Notify{Email: []string{"boekhouding@winkel.nl"}, Webhook: hook.URL + "/koppel?token=hook-token",
		On: config.NotifyEvents, Digest: digest}}
	return &fixture{n: n, st: st, smtp: srv, hook: hook, clock: c, p: p}
}

// body decodes a received message's quoted-printable text.
func body(t *testing.T, m smtpMsg) (subject, text string) {
	t.Helper()
	head, rest, _ := strings.Cut(m.data, "\r\n\r\n")
	for _, l := range strings.Split(head, "\r\n") {
		if s, ok := strings.CutPrefix(l, "Subject: "); ok {
			subject, _ = new(mime.WordDecoder).DecodeHeader(s)
		}
	}
	b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(rest)))
	if err != nil {
		t.Fatal(err)
	}
	return subject, string(b)
}

func putFailed(t *testing.T, st *state.Store, profile string, r pipeline.FailedRecord) {
	t.Helper()
	if err := st.Update(t.Context(), func(tx *state.Tx) error {
		return state.Put(t.Context(), tx, state.FailedKey(profile, r.ShopID), r)
	}); err != nil {
		t.Fatal(err)
	}
}

// TestOneMessagePerEventOnce: with digest = "none" every event is one e-mail and one webhook
// call, and an event recorded or swept again is not sent again, also by a new Notifier (a
// restart).
func TestOneMessagePerEventOnce(t *testing.T) {
	f := newFixture(t, "none")
	ctx := t.Context()
	start := f.clock.now()
	if isNew, err := f.n.Record(ctx, f.p, TaskFailedEvent("winkel", "import_orders", start, errString("shop answered 401 for key "+secret))); err != nil || !isNew {
		t.Fatalf("record: %v %v", isNew, err)
	}
	if got := len(f.smtp.messages()); got != 1 {
		t.Fatalf("%d e-mails, want 1", got)
	}
	if got := len(f.hook.messages()); got != 1 {
		t.Fatalf("%d webhook calls, want 1", got)
	}
	subject, text := body(t, f.smtp.messages()[0])
	if subject != "[koppel] winkel: De taak import_orders is mislukt" {
		t.Errorf("subject %q", subject)
	}
	for _, want := range []string{"Reden: shop answered 401", "Wat te doen: Bekijk de uitvoering (koppel runs winkel"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	raw, _ := json.Marshal(f.hook.messages())
	for _, leak := range []string{secret, f.smtp.pass} {
		if strings.Contains(f.smtp.messages()[0].data, leak) || strings.Contains(string(raw), leak) {
			t.Errorf("a message holds the secret %q", leak)
		}
	}
	// The same event again: nothing new.
	if isNew, err := f.n.Record(ctx, f.p, TaskFailedEvent("winkel", "import_orders", start, errString("again"))); err != nil || isNew {
		t.Fatalf("record again: %v %v", isNew, err)
	}
	// A parked order and an attention item in the state store: swept once, by two notifiers.
	putFailed(t, f.st, "winkel", pipeline.FailedRecord{ShopID: "981", ShopNumber: "1981", Reason: "Artikel SKU-9 bestaat niet in SnelStart",
		Parked: true, FirstFailedAt: start, LastFailedAt: start})
	putFailed(t, f.st, "winkel", pipeline.FailedRecord{ShopID: "982", ShopNumber: "1982", Reason: "tijdelijk", Parked: false, FirstFailedAt: start, LastFailedAt: start})
	shopTotal, ledgerTotal := sdk.Money(decimalOf("121.00")), sdk.Money(decimalOf("100.00"))
	if _, _, err := attention.Raise(ctx, f.st, "winkel", attention.Item{Kind: attention.KindChanged, ShopID: "977", ShopNumber: "1977",
		ShopTotal: &shopTotal, LedgerTotal: &ledgerTotal, Message: "gewijzigd na import", Action: "Pas de order in SnelStart aan."}, start); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := f.n.Sweep(ctx, f.p); err != nil {
			t.Fatal(err)
		}
	}
	restarted := New(Options{Store: f.st, Mailer: f.n.o.Mailer, Now: f.clock.now, Location: ams})
	if err := restarted.Sweep(ctx, f.p); err != nil {
		t.Fatal(err)
	}
	mails, hooks := f.smtp.messages(), f.hook.messages()
	if len(mails) != 3 || len(hooks) != 3 {
		t.Fatalf("%d e-mails and %d webhook calls, want 3 each (task, parked order, attention item; not the order being retried)", len(mails), len(hooks))
	}
	var subjects []string
	for _, m := range mails[1:] {
		s, _ := body(t, m)
		subjects = append(subjects, s)
	}
	joined := strings.Join(subjects, "|")
	for _, want := range []string{"Bestelling 1981 is niet in SnelStart geboekt", "Bestelling 1977: gewijzigd na import"} {
		if !strings.Contains(joined, want) {
			t.Errorf("subjects %q lack %q", subjects, want)
		}
	}
	for _, m := range mails[1:] {
		if s, text := body(t, m); strings.Contains(s, "1977") &&
			(!strings.Contains(text, "Totaal in de webshop € 121,00, in SnelStart € 100,00") || !strings.Contains(text, "koppel resolve winkel")) {
			t.Errorf("the attention e-mail lacks the totals or the resolve command:\n%s", text)
		}
	}
	if hooks[1].Digest || len(hooks[1].Events) != 1 || hooks[1].Events[0].Profile != "winkel" {
		t.Errorf("webhook message %+v", hooks[1])
	}
}

// TestDailyDigest: events wait for the digest hour, go out in one message per channel, and
// the next digest comes the next day with only what is new.
func TestDailyDigest(t *testing.T) {
	f := newFixture(t, "daily")
	ctx := t.Context()
	f.clock.set(time.Date(2026, 12, 7, 5, 30, 0, 0, ams))
	for i, nr := range []string{"2001", "2002"} {
		ev := FailedEvent("winkel", pipeline.FailedRecord{ShopID: nr, ShopNumber: nr, Reason: "btw-tarief onbekend", Parked: true,
			FirstFailedAt: f.clock.now().Add(time.Duration(i) * time.Minute)})
		if _, err := f.n.Record(ctx, f.p, ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.n.Flush(ctx, f.p); err != nil {
		t.Fatal(err)
	}
	if len(f.smtp.messages())+len(f.hook.messages()) != 0 {
		t.Fatal("the digest went out before 07:00")
	}
	f.clock.set(time.Date(2026, 12, 7, 7, 15, 0, 0, ams))
	for i := 0; i < 2; i++ {
		if err := f.n.Flush(ctx, f.p); err != nil {
			t.Fatal(err)
		}
	}
	mails, hooks := f.smtp.messages(), f.hook.messages()
	if len(mails) != 1 || len(hooks) != 1 {
		t.Fatalf("%d e-mails, %d webhook calls after the digest hour; want 1 each", len(mails), len(hooks))
	}
	subject, text := body(t, mails[0])
	if subject != "[koppel] winkel: 2 meldingen (7-12-2026)" || !strings.Contains(text, "Bestelling 2001") || !strings.Contains(text, "Bestelling 2002") {
		t.Errorf("digest %q:\n%s", subject, text)
	}
	if !hooks[0].Digest || len(hooks[0].Events) != 2 {
		t.Errorf("webhook digest %+v", hooks[0])
	}
	// Later that day: a new event waits for tomorrow.
	f.clock.set(time.Date(2026, 12, 7, 14, 0, 0, 0, ams))
	if _, err := f.n.Record(ctx, f.p, TaskFailedEvent("winkel", "export_stock", f.clock.now(), errString("timeout"))); err != nil {
		t.Fatal(err)
	}
	if err := f.n.Flush(ctx, f.p); err != nil {
		t.Fatal(err)
	}
	if len(f.smtp.messages()) != 1 {
		t.Fatal("a second digest on the same day")
	}
	f.clock.set(time.Date(2026, 12, 8, 7, 0, 0, 0, ams))
	if err := f.n.Flush(ctx, f.p); err != nil {
		t.Fatal(err)
	}
	mails = f.smtp.messages()
	if len(mails) != 2 || len(f.hook.messages()) != 2 {
		t.Fatalf("%d e-mails on the next day, want 2 in all", len(mails))
	}
	if s, text := body(t, mails[1]); !strings.Contains(s, "1 melding ") || strings.Contains(text, "2001") {
		t.Errorf("second digest %q holds old events:\n%s", s, text)
	}
}

// TestFailedChannelIsRetriedAlone: a webhook that fails keeps its events pending; the next
// flush sends them to the webhook only, the e-mail is not sent twice.
func TestFailedChannelIsRetriedAlone(t *testing.T) {
	f := newFixture(t, "none")
	f.hook.fail = 1
	ctx := t.Context()
	_, err := f.n.Record(ctx, f.p, TaskFailedEvent("winkel", "import_orders", f.clock.now(), errString("x")))
	if err == nil || !strings.Contains(err.Error(), "webhook") || strings.Contains(err.Error(), "hook-token") {
		t.Fatalf("error %v: want the webhook's failure without its URL", err)
	}
	if len(f.smtp.messages()) != 1 || len(f.hook.messages()) != 0 {
		t.Fatalf("after the failure: %d e-mails, %d webhook calls", len(f.smtp.messages()), len(f.hook.messages()))
	}
	if err := f.n.Flush(ctx, f.p); err != nil {
		t.Fatal(err)
	}
	if err := f.n.Flush(ctx, f.p); err != nil {
		t.Fatal(err)
	}
	if len(f.smtp.messages()) != 1 || len(f.hook.messages()) != 1 {
		t.Fatalf("after the retry: %d e-mails, %d webhook calls; want 1 and 1", len(f.smtp.messages()), len(f.hook.messages()))
	}
}

// TestSMTPWithoutSTARTTLSIsRefused: koppel never logs in nor sends over a plain connection.
func TestSMTPWithoutSTARTTLSIsRefused(t *testing.T) {
	srv := newSMTPServer(t, true)
	host, port, _ := net.SplitHostPort(srv.addr)
	pn, _ := strconv.Atoi(port)
	m := &SMTPMailer{Server: config.SMTP{Host: host, Port: pn, Username: srv.user, Password: srv.pass, From: "koppel@winkel.nl"}}
	err := m.Send(context.Background(), []string{"a@b.nl"}, "x", "y")
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("error %v, want a refusal naming STARTTLS", err)
	}
	for _, v := range srv.seen() {
		if v == "AUTH" || v == "MAIL" {
			t.Errorf("koppel sent %s over a plain connection", v)
		}
	}
	// A wrong password is an error naming the user, never the password.
	ok := newSMTPServer(t, false)
	host, port, _ = net.SplitHostPort(ok.addr)
	pn, _ = strconv.Atoi(port)
	bad := &SMTPMailer{Server: config.SMTP{Host: host, Port: pn, Username: ok.user, Password: "fout-wachtwoord", From: "koppel@winkel.nl"},
		TLS: (&tls12{pool: ok.pool}).config()}
	err = bad.Send(context.Background(), []string{"a@b.nl"}, "x", "y")
	if err == nil || !strings.Contains(err.Error(), "refused") || strings.Contains(err.Error(), "fout-wachtwoord") {
		t.Fatalf("wrong password: %v", err)
	}
	// An untrusted certificate is refused.
	untrusted := &SMTPMailer{Server: config.SMTP{Host: host, Port: pn, Username: ok.user, Password: ok.pass, From: "koppel@winkel.nl"}}
	if err := untrusted.Send(context.Background(), []string{"a@b.nl"}, "x", "y"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted certificate: %v", err)
	}
}

// A notification is Dutch: the reason a task or an order failed, stored in English, is rendered
// in Dutch in its Detail.
func TestEventDetailInDutch(t *testing.T) {
	stored := fmt.Sprintf(text.Template("reason.run.shop_auth"), text.Template("reason.step.list_orders"), "WooCommerce refused the consumer key (401)")
	ev := TaskFailedEvent("winkel", "import_orders", time.Time{}, errors.New(stored))
	if want := "de webwinkel weigerde de inloggegevens van koppel (de orders van de winkel opvragen): controleer de sleutel of het wachtwoord van de winkel in het profiel ('koppel check' test ze) en start opnieuw. De winkel meldde: WooCommerce refused the consumer key (401)"; ev.Detail != want {
		t.Errorf("task failed:\n got %s\nwant %s", ev.Detail, want)
	}
	fe := FailedEvent("winkel", pipeline.FailedRecord{ShopID: "7", ShopNumber: "1007", Kind: "unreachable", Reason: "no answer from SnelStart"})
	if want := "Niet bereikbaar: koppel probeert het later opnieuw. Melding: no answer from SnelStart"; fe.Detail != want {
		t.Errorf("order failed:\n got %s\nwant %s", fe.Detail, want)
	}
}

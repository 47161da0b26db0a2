package text

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Every key exists in both languages, with the same format verbs in the same order.
func TestCatalogueComplete(t *testing.T) {
	for key, nl := range catalogue[NL] {
		en, ok := catalogue[EN][key]
		if !ok {
			t.Errorf("%q has no English text", key)
			continue
		}
		if verbs(nl) != verbs(en) {
			t.Errorf("%q: Dutch verbs %q, English %q", key, verbs(nl), verbs(en))
		}
	}
	for key := range catalogue[EN] {
		if _, ok := catalogue[NL][key]; !ok {
			t.Errorf("%q has no Dutch text", key)
		}
	}
}

// verbs lists the fmt verbs of a message, e.g. "%s%d".
func verbs(m string) string {
	var b strings.Builder
	for i := 0; i < len(m)-1; i++ {
		if m[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(m) && strings.ContainsRune("0123456789.-+# ", rune(m[j])) {
			j++
		}
		if j < len(m) {
			b.WriteString("%" + string(m[j]))
		}
		i = j
	}
	return b.String()
}

func TestDetect(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	cases := []struct {
		name string
		flag string
		env  map[string]string
		want Lang
		err  bool
	}{
		{"default Dutch", "", nil, NL, false},
		{"flag", "en", map[string]string{"LANG": "nl_NL.UTF-8"}, EN, false},
		{"KOPPEL_LANG before LANG", "", map[string]string{"KOPPEL_LANG": "nl", "LANG": "en_US.UTF-8"}, NL, false},
		{"LANG", "", map[string]string{"LANG": "en_GB.UTF-8"}, EN, false},
		{"C locale is Dutch", "", map[string]string{"LANG": "C.UTF-8"}, NL, false},
		{"bad flag", "de", nil, NL, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Detect(tc.flag, env(tc.env))
			if got != tc.want || (err != nil) != tc.err {
				t.Fatalf("Detect = %v, %v; want %v (error %v)", got, err, tc.want, tc.err)
			}
		})
	}
	if got := (Printer{EN}).T("no.such.key"); got != "??no.such.key" {
		t.Fatalf("missing key: %q", got)
	}
}

func TestBrief(t *testing.T) {
	long := `the order has a fee ("Betaalkosten", 0.35 including VAT) but orders.payment_fee_article is not set; set it to the SnelStart article code for them, then retry`
	cases := []struct {
		in, short string
		more      bool
	}{
		{"article VERZ is missing", "article VERZ is missing", false},
		{long, `the order has a fee ("Betaalkosten", 0.35 including VAT) but orders.payment_fee_article is not set`, true},
		{strings.Repeat("x", 300), strings.Repeat("x", BriefLen-1) + "…", true},
	}
	for _, tc := range cases {
		short, more := Brief(tc.in)
		if short != tc.short || more != tc.more {
			t.Errorf("Brief(%.30q) = %q, %v; want %q, %v", tc.in, short, more, tc.short, tc.more)
		}
	}
}

// Every reason is in the catalogue (so TestCatalogueComplete checks both languages), and
// Template gives its English text.
func TestReasonTemplates(t *testing.T) {
	for key, en := range reasonMessages[EN] {
		if catalogue[NL][key] != reasonMessages[NL][key] || Template(key) != en {
			t.Errorf("%q: catalogue %q, Template %q", key, catalogue[NL][key], Template(key))
		}
	}
}

func TestReason(t *testing.T) {
	vatLine := fmt.Sprintf(Template("reason.vat_line"), `line 1 (code "A1", "Thee")`, "9", "A1", 3, "Hoog", "hoog", "21", "2026-01-05", "")
	cases := []struct {
		name, in, nl string
	}{
		{"totals", fmt.Sprintf(Template("reason.totals_differ"), "10.00", "10.05", "0.05", "0.01"),
			"totalen verschillen: het SnelStart-totaal inclusief btw zou 10.00 zijn (de som van de orderregels), maar de winkel heeft 10.05, een verschil van 0.05 (orders.difference_tolerance is 0.01); stel orders.difference_article in om zulke verschillen te boeken, of verbeter de order in de winkel, en probeer opnieuw"},
		{"quoted argument", fmt.Sprintf(Template("reason.setting_article_inactive"), "shipping_article", `VE"RZ`),
			`orders.shipping_article = "VE\"RZ" is geen actief artikel in SnelStart; maak het aan (of verbeter de instelling) en probeer de order opnieuw`},
		{"nested VAT lines", fmt.Sprintf(Template("reason.vat_mismatch"), vatLine+"; "+vatLine),
			`btw klopt niet: regel 1 (code "A1", "Thee"): de winkel rekent 9% btw, maar SnelStart-artikel A1 staat in omzetgroep 3 "Hoog" met btw-soort hoog (21% op 2026-01-05); regel 1 (code "A1", "Thee"): de winkel rekent 9% btw, maar SnelStart-artikel A1 staat in omzetgroep 3 "Hoog" met btw-soort hoog (21% op 2026-01-05). Zet het artikel in een omzetgroep met het tarief van de winkel (of verbeter het tarief in de winkel) en probeer de order opnieuw`},
		{"reason inside a reason", fmt.Sprintf(Template("reason.gave_up"), 5, "2026-01-02T10:00:00Z", fmt.Sprintf(Template("reason.already_imported"), 12)),
			"opgegeven na 5 pogingen sinds 2026-01-02T10:00:00Z: al geboekt als SnelStart-verkooporder 12"},
		{"status waiting with stock", fmt.Sprintf(Template("reason.status_waiting_stock"), "on-hold", "orders.statuses", "processing"),
			`winkelstatus "on-hold" wordt niet geboekt (orders.statuses: processing); de voorraad van de producten wordt tegengehouden tot dat wel zo is`},
		{"missing article", fmt.Sprintf(Template("reason.line_no_article"), fmt.Sprintf(Template("reason.line"), 2, "X1", "Thee"),
			fmt.Sprintf(Template("reason.article_manual"), fmt.Sprintf(Template("reason.key_extra"), "X1", "webcode"))),
			`regel 2 (code "X1", "Thee"): SnelStart heeft geen artikel met "X1" in vrij veld "webcode" en articles.mode is "manual", en orders.fallback_article is niet ingesteld; geef het product een code die in SnelStart bestaat (of stel fallback_article in) en probeer opnieuw`},
		{"currency", fmt.Sprintf(Template("reason.currency"), "USD", "EUR", "EUR", "EUR", "EUR"),
			"de order is in USD, maar de administratie boekt in EUR (orders.currency): koppel boekt geen bedragen in een andere munt alsof het EUR zijn. Boek deze order met de hand in SnelStart (omgerekend naar EUR) en markeer hem als afgehandeld, of zet de winkel op EUR"},
		{"the outer reason, not a longer inner one", fmt.Sprintf(Template("reason.plan_refund_unbookable"), "r1", fmt.Sprintf(Template("reason.refund_rest"), "r1", "1007", "5.00")),
			"terugbetaling r1 kan niet als creditorder worden geboekt: terugbetaling r1 van order 1007 heeft 5.00 dat bij geen product, verzending of toeslag hoort; stel orders.refund_article in op het SnelStart-artikel waarop zulke bedragen geboekt worden"},
		{"OSS mismatch with country names", fmt.Sprintf(Template("reason.vat_mismatch_export"), Country("us"), fmt.Sprintf(Template("reason.vat_line_scheme"),
			fmt.Sprintf(Template("reason.label.at"), fmt.Sprintf(Template("reason.label.shipping"), "Verzending"), "21"), "21", "VERZ", 4, "Verzending", "Hoog", "0", "2026-03-02", Template("reason.scheme.export"))),
			`Laat de winkel geen btw rekenen voor leveringen buiten de EU, of verbeter de order in de winkel, en probeer de order opnieuw. Een levering naar de Verenigde Staten (buiten de EU) is export: SnelStart rekent 0% btw. Btw klopt niet: verzendkosten "Verzending" tegen 21%: de winkel rekent 21% btw, maar SnelStart-artikel VERZ staat in omzetgroep 4 "Verzending" met btw-soort Hoog (0% op 2026-03-02, export buiten de EU)`},
		{"notes joined", Template("reason.article_adopted") + "; " + fmt.Sprintf(Template("reason.cut"), fmt.Sprintf(Template("reason.field.new_article"), "A1"), 130, 100),
			"SnelStart had het artikel al (het antwoord op het aanmaken ging verloren); het is niet opnieuw aangemaakt; de omschrijving van nieuw artikel A1 had 130 tekens en is ingekort tot het maximum van SnelStart (100)"},
		{"connector text stays", "Artikel X bestaat niet in SnelStart", "Artikel X bestaat niet in SnelStart"},
		{"a connector's English text is not half translated", "article VERZ does not exist in SnelStart", "article VERZ does not exist in SnelStart"},
		{"nor one that starts like a short template", "the street of the delivery address is longer than 50 characters", "the street of the delivery address is longer than 50 characters"},
		{"a short template with its own argument", fmt.Sprintf(Template("reason.field.street_of"), Template("reason.addr_delivery")), "de straat van het afleveradres"},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Reason(NL, tc.in); got != tc.nl {
				t.Errorf("Reason(NL)\n got %q\nwant %q", got, tc.nl)
			}
			if got := Reason(EN, tc.in); got != tc.in {
				t.Errorf("Reason(EN) = %q, want it unchanged", got)
			}
		})
	}
}

func FuzzReason(f *testing.F) {
	f.Add(fmt.Sprintf(Template("reason.gave_up"), 2, "x", "y"))
	f.Add("VAT mismatch: a; b; c. Put the article in an omzetgroep with the shop's rate (or correct the rate in the shop), then retry the order")
	f.Fuzz(func(t *testing.T, s string) {
		_ = Reason(NL, s)
	})
}

// A connector's message goes behind its kind's sentence; koppel's own reasons and unknown kinds
// are not wrapped.
func TestFailure(t *testing.T) {
	own := fmt.Sprintf(Template("reason.already_imported"), 12)
	cases := []struct {
		lang           Lang
		kind, in, want string
	}{
		{NL, "unreachable", "connection refused", "Niet bereikbaar: koppel probeert het later opnieuw. Melding: connection refused"},
		{EN, "auth", "401 Unauthorized", "Credentials refused: check the key or password in the profile (koppel check). Message: 401 Unauthorized"},
		{NL, "refused", own, "al geboekt als SnelStart-verkooporder 12"},
		{NL, "permanent", own, "al geboekt als SnelStart-verkooporder 12"},
		{NL, "strange", "iets", "iets"},
		{NL, "permanent", "", ""},
	}
	for _, tc := range cases {
		if got := Failure(tc.lang, tc.kind, tc.in); got != tc.want {
			t.Errorf("Failure(%s, %s, %q) = %q, want %q", tc.lang, tc.kind, tc.in, got, tc.want)
		}
	}
}

// Errorf wraps its last error argument and says the template's English text; Country names a
// code in English (the code itself when unknown).
func TestErrorfAndCountry(t *testing.T) {
	cause := errors.New("timeout")
	err := Errorf("reason.create_customer", "Jan", cause)
	if !errors.Is(err, cause) || err.Error() != `create customer "Jan": timeout` {
		t.Fatalf("Errorf = %v (wraps %v)", err, errors.Is(err, cause))
	}
	if got := Reason(NL, err.Error()); got != `klant "Jan" kon niet worden aangemaakt: timeout` {
		t.Fatalf("Dutch: %q", got)
	}
	if Country(" de") != "Germany" || Country("XX") != "XX" || Reason(NL, Country("GB")) != "het Verenigd Koninkrijk" {
		t.Fatalf("Country: %q %q %q", Country("de"), Country("XX"), Reason(NL, Country("GB")))
	}
}

// BenchmarkReason renders a VAT refusal of five lines in Dutch (the dashboard renders every
// failed order's reason on each page view).
func BenchmarkReason(b *testing.B) {
	line := fmt.Sprintf(Template("reason.vat_line_scheme"), fmt.Sprintf(Template("reason.line"), 1, "MOK", "Mok"),
		"16", "MOK", 1, "Omzet hoog", "Hoog", "19", "2026-03-02", fmt.Sprintf(Template("reason.scheme.oss"), Country("DE")))
	lines := strings.TrimSuffix(strings.Repeat(line+"; ", 5), "; ")
	in := fmt.Sprintf(Template("reason.vat_mismatch_oss"), Country("DE"), Country("DE"), lines)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = Reason(NL, in)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/reason")
}

// Every headline belongs to a reason, in both languages, and names only arguments the reason
// has, the same ones in Dutch and English.
func TestHeadlines(t *testing.T) {
	idx := regexp.MustCompile(`%\[([0-9]+)\]`)
	used := func(m string) string {
		var out []string
		for _, g := range idx.FindAllStringSubmatch(m, -1) {
			out = append(out, g[1])
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	for key, nl := range shortMessages[NL] {
		if strings.HasPrefix(key, "next.") {
			continue
		}
		reason, ok := reasonMessages[EN][strings.TrimPrefix(key, "short.")]
		if !ok {
			t.Errorf("%s: no reason %s", key, strings.TrimPrefix(key, "short."))
			continue
		}
		if en := shortMessages[EN][key]; used(nl) != used(en) {
			t.Errorf("%s: Dutch uses arguments %s, English %s", key, used(nl), used(en))
		}
		n := len(verbRE.FindAllString(strings.ReplaceAll(reason, "%%", ""), -1))
		for _, g := range idx.FindAllStringSubmatch(nl, -1) {
			if i, _ := strconv.Atoi(g[1]); i < 1 || i > n {
				t.Errorf("%s: argument %d, the reason has %d", key, i, n)
			}
		}
	}
	long := fmt.Sprintf(Template("reason.totals_differ"), "10.00", "10.05", "0.05", "0.01")
	cases := []struct {
		lang     Lang
		kind, in string
		want     string
		wantMore bool
	}{
		{NL, "refused", long, "Totaal wijkt 0.05 af van de winkel: stel orders.difference_article in of verbeter de order, en probeer opnieuw", true},
		{EN, "refused", long, "The total differs by 0.05 from the shop's: set orders.difference_article or correct the order, then retry", true},
		{NL, "refused", fmt.Sprintf(Template("reason.gave_up"), 5, "2026-01-02T10:00:00Z", long),
			"Opgegeven na 5 pogingen: los de oorzaak op en probeer opnieuw (koppel retry, of Opnieuw op het dashboard)", true},
		{NL, "refused", fmt.Sprintf(Template("reason.already_imported"), 12), "al geboekt als SnelStart-verkooporder 12", false},
		{NL, "unreachable", strings.Repeat("connection refused ", 8), "Niet bereikbaar: koppel probeert het later opnieuw", true},
	}
	if got, more := Headline(NL, "permanent", "VOR-0002", "the relatie is not a customer"); !more || !strings.HasPrefix(got, "De relatie is geen klant in SnelStart") {
		t.Errorf("headline by code: %q, %v", got, more)
	}
	if got, _ := Headline(NL, "permanent", "XYZ-1", long); !strings.HasPrefix(got, "Totaal wijkt") {
		t.Errorf("an unknown code: %q", got)
	}
	// A failed step with a connector's message: the step and what happens next by kind.
	step := Errorf("reason.lookup_customer_email", errors.New("dial tcp: connection refused")).Error()
	if got, more := Headline(NL, "unreachable", "", step); got != "klant kon niet worden opgezocht op e-mailadres; koppel probeert het later opnieuw" || !more {
		t.Errorf("step headline: %q, %v", got, more)
	}
	if got, _ := Headline(EN, "permanent", "", Errorf("reason.update_article", "A1", errors.New("refused")).Error()); got != "update article A1; correct what the message names, then retry" {
		t.Errorf("step headline in English: %q", got)
	}
	for kind, next := range nextByKind {
		if _, ok := shortMessages[NL][next]; !ok {
			t.Errorf("kind %s: no message %s", kind, next)
		}
	}
	for key := range stepReasons {
		if _, ok := reasonMessages[EN][key]; !ok || !strings.HasSuffix(reasonMessages[EN][key], "%s") {
			t.Errorf("%s is no reason ending in the connector's message", key)
		}
	}
	for _, tc := range cases {
		got, more := Headline(tc.lang, tc.kind, "", tc.in)
		if got != tc.want || more != tc.wantMore {
			t.Errorf("Headline(%s, %.40q) = %q, %v; want %q, %v", tc.lang, tc.in, got, more, tc.want, tc.wantMore)
		}
	}
}

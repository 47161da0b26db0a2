package redact

import (
	"bytes"
	"strings"
	"testing"
)

func TestPersonal(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"odata e-mail", `GET /v2/relaties?$filter=substringof('anouk.bakker@example.nl', Email)`,
			`GET /v2/relaties?$filter=substringof('[e-mail]', Email)`},
		{"odata name", `$filter=substringof('Anouk Bakker', Naam) and Relatiesoort eq 'Klant'`,
			`$filter=substringof('[naam]', Naam) and Relatiesoort eq 'Klant'`},
		{"odata eq postcode", `$filter=Vestigingsadres/Postcode eq '1234 AB'`, `$filter=Vestigingsadres/Postcode eq '[postcode]'`},
		{"odata startswith", `startswith(Naam, 'Bakker')`, `startswith(Naam, '[naam]')`},
		{"escaped url", `/v2/relaties?%24filter=substringof(%27anouk.bakker%40example.nl%27%2C%20Email)`, `/v2/relaties?$filter=substringof('[e-mail]', Email)`},
		{"query", `/wp-json/wc/v3/customers?email=anouk%40example.nl&per_page=100`, `/wp-json/wc/v3/customers?email=[e-mail]&per_page=100`},
		{"search", `/customers?search=Bakker&page=2`, `/customers?search=[naam]&page=2`},
		{"logfmt", `order failed: order=1042 first_name="Anouk" last_name=Bakker phone="06-12345678"`,
			`order failed: order=1042 first_name="[naam]" last_name=[naam] phone="[telefoon]"`},
		{"json", `{"@message":"klant","billing_email":"a@b.nl","first_name":"Anouk","order":"1042","total":"12.10"}`,
			`{"@message":"klant","billing_email":"[e-mail]","first_name":"[naam]","order":"1042","total":"12.10"}`},
		{"free e-mail", `order 1042: no relatie with e-mail Anouk.Bakker+shop@mail.example.co.uk (field Email)`,
			`order 1042: no relatie with e-mail [e-mail] (field Email)`},
		{"phones", `tel 020 123 4567, +31 6 1234 5678, 0031612345678, +31 (0)20-1234567`,
			`tel [telefoon], [telefoon], [telefoon], [telefoon]`},
		{"postcode", `order 1042: postcode 1234AB does not match 1234 ab in SnelStart`, `order 1042: postcode [postcode] does not match 1234 ab in SnelStart`},
		// What a bookkeeper needs stays: order numbers, amounts, dates, ids, relatiecodes.
		{"kept", `order 1042 (000000123, 1000000123) totaal 1234.56 EUR, 2026-11-24T06:00:00+01:00, relatiecode 10023, id 0a1b2c3d-0000-4000-8000-0612345678ab, status 2001`,
			`order 1042 (000000123, 1000000123) totaal 1234.56 EUR, 2026-11-24T06:00:00+01:00, relatiecode 10023, id 0a1b2c3d-0000-4000-8000-0612345678ab, status 2001`},
		{"field names kept", `the shop order has no Email and no Postcode; fill the field Naam`, `the shop order has no Email and no Postcode; fill the field Naam`},
		{"not personal keys", `plugin=woocommerce task=import_orders profile=winkel addr=127.0.0.1:8484`, `plugin=woocommerce task=import_orders profile=winkel addr=127.0.0.1:8484`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if tt.name == "escaped url" {
				if got := PersonalURL(in); got != tt.want {
					t.Errorf("PersonalURL(%q)\n got %q\nwant %q", in, got, tt.want)
				}
				return
			}
			if got := Personal(in); got != tt.want {
				t.Errorf("Personal(%q)\n got %q\nwant %q", in, got, tt.want)
			}
			if again := Personal(Personal(in)); again != tt.want {
				t.Errorf("Personal is not idempotent: %q", again)
			}
		})
	}
}

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := Writer(&buf)
	line := "2026-12-07T10:00:00Z [DEBUG] woocommerce: http request: path=\"/customers?email=anouk.bakker@example.nl\"\n"
	n, err := w.Write([]byte(line))
	if err != nil || n != len(line) {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if strings.Contains(buf.String(), "anouk") || !strings.Contains(buf.String(), "email=[e-mail]") {
		t.Fatalf("written: %q", buf.String())
	}
}

// FuzzPersonal: no input panics, and no e-mail address survives.
func FuzzPersonal(f *testing.F) {
	for _, s := range []string{`substringof('a@b.nl', Email)`, `name="x" phone=0612345678`, `{"email":"a@b.nl"}`, `1234 AB`, `%27%40`} {
		f.Add(s)
	}
	for _, s := range personalSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Personal(s)
		if emailRe.MatchString(out) {
			t.Fatalf("Personal(%q) = %q still holds an e-mail address", s, out)
		}
		if want := personalEveryPattern(s); out != want {
			t.Fatalf("Personal(%q) = %q, but every pattern run on it gives %q (a pre-check skipped a match)", s, out, want)
		}
		_ = PersonalURL(s)
	})
}

// personalEveryPattern is Personal without its pre-checks: every pattern runs on every text.
// Personal must give the same result (its pre-checks only skip patterns that cannot match).
func personalEveryPattern(s string) string {
	if s == "" {
		return s
	}
	s = odataSubstring(s)
	s = odataFieldFirst(s)
	s = odataEq(s)
	s = jsonFields(s)
	s = kvQuoted(s)
	s = kvPlain(s)
	s = emailRe.ReplaceAllString(s, Email)
	s = phoneRe.ReplaceAllString(s, Phone)
	s = postcodeRe.ReplaceAllString(s, Postcode)
	return s
}

// personalSamples are texts as Personal meets them: log lines of the host and of plugins,
// reasons and warnings, with and without personal data, and near misses of each pre-check.
var personalSamples = []string{
	`2026-12-07T22:06:00.337Z [WARN]  koppel.pipeline: order imported with a warning: profile=winkel order=1117 warning="VAT at 21%: the shop charged 24.15, SnelStart computes 24.13 over the same amounts"`,
	`{"@level":"debug","@message":"http request","@module":"snelstart-online.http","duration":1234567,"host":"127.0.0.1:8701","method":"GET","path":"/v2/relaties?$filter=Email eq 'anouk@example.nl'","status":200}`,
	`GET /v2/verkooporders?$filter=substringof('Anouk Bakker',%20Naam)`,
	`STARTSWITH(Naam, 'Bakker') and Postcode ne '1234 AB'`,
	`SUBſTRINGOF('Anouk', Naam)`, `ſtartswith(Naam, 'x')`,
	`call 06-12345678 or +31 (0)6 1234 5678 or 0031 6 12345678, postcode 1234AB`,
	`order 1117: 12 items, total 1234.56, reference 20260001`,
	`first_name=Anouk last_name="Bakker" email=anouk%40example.nl`,
	`phone: 0 6 1 2 3 4 5 6 7 8`, `+1-2-3-4-5-6-7-8-9`, `9999 ZZ`, `1000SA 1000SB`,
}

// A log line without personal data costs little: the patterns that cannot match are skipped.
func BenchmarkPersonal(b *testing.B) {
	for b.Loop() {
		for _, s := range personalSamples {
			_ = Personal(s)
		}
	}
}

func TestPersonalSamplesAsEveryPattern(t *testing.T) {
	for _, s := range personalSamples {
		if got, want := Personal(s), personalEveryPattern(s); got != want {
			t.Errorf("Personal(%q) = %q, every pattern gives %q", s, got, want)
		}
	}
}

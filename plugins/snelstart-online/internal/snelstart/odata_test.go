package snelstart

import (
	"net/url"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

func TestODataLiterals(t *testing.T) {
	when := time.Date(2017, 7, 16, 21, 59, 59, 999_000_000, time.UTC) // 23:59:59.999 in Amsterdam (CEST)
	tests := []struct {
		name, got, want string
	}{
		{"string", eqString("Naam", "Jansen"), "Naam eq 'Jansen'"},
		{"quote doubled", eqString("Naam", "O'Brien"), "Naam eq 'O''Brien'"},
		{"two quotes", eqString("Naam", "'t Hoekje's"), "Naam eq '''t Hoekje''s'"},
		{"int", eqInt("Relatiecode", 1043), "Relatiecode eq 1043"},
		{"guid", eqGUID("Relatie/Id", "75B4FE7B-1D2C-4E5F-8A9B-0C1D2E3F4A5B"), "Relatie/Id eq guid'75b4fe7b-1d2c-4e5f-8a9b-0c1d2e3f4a5b'"},
		{"datetime", geDateTime("ModifiedOn", when), "ModifiedOn ge datetime'2017-07-16T23:59:59.999'"},
		{"substringof", substringOf("jan@example.nl", "Email"), "substringof('jan@example.nl', Email) eq true"},
		{"substringof escaped", substringOf("o'brien@x.nl", "Email"), "substringof('o''brien@x.nl', Email) eq true"},
		{"extra field", anyExtraField("ExtraVelden", "kleur", "rood"), "ExtraVelden/any(e:e/Waarde eq 'rood' and e/Naam eq 'kleur')"},
		{"extra field escaped", anyExtraField("ExtraVelden", "o'neill", "d'r"), "ExtraVelden/any(e:e/Waarde eq 'd''r' and e/Naam eq 'o''neill')"},
		{"and skips empty", and("A eq 1", "", "B eq 2"), "A eq 1 and B eq 2"},
		{"or", or(eqString("Betalingskenmerk", "WS-1"), eqString("Orderreferentie", "WS-1")), "Betalingskenmerk eq 'WS-1' or Orderreferentie eq 'WS-1'"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestRelatieFilter(t *testing.T) {
	tests := []struct {
		q    sdk.RelatieQuery
		want string
	}{
		{sdk.RelatieQuery{Code: 7}, "Relatiecode eq 7"},
		{sdk.RelatieQuery{Email: "Jan@Example.NL"}, "substringof('jan@example.nl', tolower(Email)) eq true"},
		{sdk.RelatieQuery{Postcode: "1234 ab"}, "substringof('1234', VestigingsAdres/Postcode) eq true"},
		{sdk.RelatieQuery{Postcode: "SW"}, "tolower(VestigingsAdres/Postcode) eq 'sw'"},
		{sdk.RelatieQuery{Name: "O'Brien BV"}, "tolower(Naam) eq 'o''brien bv'"},
		{sdk.RelatieQuery{Code: 7, Name: "X"}, "Relatiecode eq 7 and tolower(Naam) eq 'x'"},
		{sdk.RelatieQuery{}, ""},
	}
	for _, tt := range tests {
		if got := relatieFilter(tt.q); got != tt.want {
			t.Errorf("relatieFilter(%+v) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestQueryEncoding(t *testing.T) {
	q := pageQuery("Naam eq 'O''Brien & Zn'", 25, 50).encode()
	want := "$filter=Naam%20eq%20%27O%27%27Brien%20%26%20Zn%27&$top=25&$skip=50"
	if q != want {
		t.Fatalf("encode = %q, want %q", q, want)
	}
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Get("$filter"); got != "Naam eq 'O''Brien & Zn'" {
		t.Fatalf("round trip: %q", got)
	}
}

func TestValidGUID(t *testing.T) {
	for s, want := range map[string]bool{
		"75b4fe7b-1d2c-4e5f-8a9b-0c1d2e3f4a5b":            true,
		"75B4FE7B-1D2C-4E5F-8A9B-0C1D2E3F4A5B":            true,
		"75b4fe7b-1d2c-4e5f-8a9b-0c1d2e3f4a5":             false,
		"75b4fe7b-1d2c-4e5f-8a9b-0c1d2e3f4a5b' or 1 eq 1": false,
		"../relaties": false,
		"":            false,
	} {
		if validGUID(s) != want {
			t.Errorf("validGUID(%q) = %v", s, !want)
		}
	}
}

func TestEmailAndPostcodeMatching(t *testing.T) {
	if !emailListHas("info@a.nl; Jan@Example.nl ;x@y.nl", "jan@example.NL") {
		t.Error("address in a ; list not found")
	}
	if emailListHas("anjan@example.nl", "jan@example.nl") {
		t.Error("a substring matched as an address")
	}
	if normalizePostcode("1234 ab") != normalizePostcode("1234AB") || normalizePostcode("B-1000") != "B1000" {
		t.Error("postcode normalisation")
	}
	if longestDigitRun("SW1A 1AA") != "1" || longestDigitRun("1234 AB") != "1234" || longestDigitRun("AB") != "" {
		t.Error("longestDigitRun")
	}
}

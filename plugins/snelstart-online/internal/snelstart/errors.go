package snelstart

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/koppel-nl/koppel/sdk"
)

// apiError is one error SnelStart reported in a 4xx body.
type apiError struct {
	// Code is SnelStart's code ("VOR-0007"), empty for model-state and plain messages.
	Code string
	// Message is SnelStart's own (Dutch) text, or for model-state errors "field: text".
	Message string
	// Details is SnelStart's optional extra text.
	Details string
}

// errorEntry is the array element and single-object form of a SnelStart error. encoding/json
// matches keys case-insensitively, so "Message" and "message" both land in Message.
type errorEntry struct {
	ErrorCode  string              `json:"errorCode"`
	Message    string              `json:"message"`
	Details    string              `json:"details"`
	ModelState map[string][]string `json:"modelState"`
}

// parseErrorBody reads the three 400 body shapes SnelStart uses (and the APIM and plain-text
// bodies of other statuses):
//
//  1. an array of {"errorCode","message","details"};
//  2. ASP.NET model state {"message":"The request is invalid.","modelState":{"field":["msg"]}};
//  3. a single {"message":"…"} or {"Message":"…"} (optionally with an errorCode).
//
// Anything else yields one entry holding the first line of the body, shortened. An empty body
// yields nil.
func parseErrorBody(b []byte) []apiError {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '[':
		var list []errorEntry
		if err := json.Unmarshal(b, &list); err == nil {
			var out []apiError
			for _, e := range list {
				out = append(out, entryErrors(e)...)
			}
			if len(out) > 0 {
				return out
			}
		}
	case '{':
		var e errorEntry
		if err := json.Unmarshal(b, &e); err == nil {
			if out := entryErrors(e); len(out) > 0 {
				return out
			}
		}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return []apiError{{Message: shorten(strings.TrimSpace(line), 200)}}
}

// entryErrors expands one entry: model-state fields become one error each (sorted by field).
func entryErrors(e errorEntry) []apiError {
	if len(e.ModelState) > 0 {
		fields := make([]string, 0, len(e.ModelState))
		for f := range e.ModelState {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		var out []apiError
		for _, f := range fields {
			for _, m := range e.ModelState[f] {
				out = append(out, apiError{Code: e.ErrorCode, Message: modelField(f) + ": " + strings.TrimSpace(m)})
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	if e.ErrorCode == "" && e.Message == "" && e.Details == "" {
		return nil
	}
	return []apiError{{Code: strings.TrimSpace(e.ErrorCode), Message: strings.TrimSpace(e.Message), Details: strings.TrimSpace(e.Details)}}
}

// modelField drops ASP.NET's "model." prefix from a model-state key.
func modelField(f string) string {
	if i := strings.Index(f, "."); i >= 0 && strings.EqualFold(f[:i], "model") {
		return f[i+1:]
	}
	if f == "" {
		return "request"
	}
	return f
}

// shorten cuts s to at most n runes, adding "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// errorMessages maps SnelStart error codes to messages a bookkeeper can act on. "{addr}" is
// replaced by the address the error is about when the connector can tell (see addressRole).
var errorMessages = map[string]string{
	"ALG-0100": "a new record was sent with an id (a connector error; please report it)",
	"ALG-0101": "the id in the URL and in the data differ (a connector error; please report it)",
	"ALG-0102": "SnelStart reported an unknown error; try again later and contact SnelStart support if it persists",
	"ALG-0103": "an id sent to SnelStart is not valid",
	"ALG-0104": "SnelStart did not accept the search filter",
	"ALG-0105": "the item is inactive (non-actief) in SnelStart; make it active again or choose another one",
	"ALG-0106": "the data sent to SnelStart was empty (a connector error; please report it)",

	"ART-0001": "the article does not exist in SnelStart",
	"ART-0002": "the article code is missing",
	"ART-0003": "the article code must be a number in this administration (artikelcode soort Numeriek)",
	"ART-0004": "the article code is longer than this administration allows (artikelcode maximale lengte)",
	"ART-0005": "an article with this code already exists in SnelStart",
	"ART-0006": "the article description is missing",
	"ART-0007": "the article description is longer than 250 characters",
	"ART-0008": "the article has no revenue group (artikelomzetgroep); set one in the profile",
	"ART-0009": "the revenue group (artikelomzetgroep) does not exist in SnelStart; choose an existing one in the profile",
	"ART-0010": "the article still has stock",
	"ART-0011": "the article is used in an open order or invoice",
	"ART-0012": "the article is part of a recipe",
	"ART-0013": "the article is linked to a wholesaler (grossierkoppeling)",
	"ART-0014": "the customer given for the price agreement cannot be found",
	"ART-0015": "the article is the text-invoice article (Tekst Facturen Artikel)",
	"ART-0016": "the supplier of the article cannot be found",
	"ART-0017": "the relatie on the article is not a supplier (leverancier)",
	"ART-0018": "the supplier of the article is inactive (non-actief)",

	"KPL-0001": "the cost centre (kostenplaats) does not exist in SnelStart; choose an existing one in the profile",

	"REL-0001": "the relatie type (relatiesoort) may not be 'Geen'",
	"REL-0002": "reminders (aanmanen) are only possible for a customer (klant)",
	"REL-0003": "the payment term (krediettermijn) must be between -365 and 1000 days",
	"REL-0004": "an invoice discount is only possible for a customer (klant)",
	"REL-0005": "the customer (relatie) does not exist in SnelStart",
	"REL-0006": "the KvK number is not valid (at most 12 characters)",
	"REL-0007": "the customer name is missing",
	"REL-0008": "the customer number (relatiecode) is already in use in SnelStart",
	"REL-0009": "an IBAN is required for banking or direct debit",
	"REL-0010": "the BIC is not valid",
	"REL-0011": "the IBAN is not valid",
	"REL-0012": "mobile phone number longer than 25 characters",
	"REL-0013": "phone number longer than 25 characters",
	"REL-0015": "the website is not a valid URL",
	"REL-0016": "direct debit (incassosoort) is only possible for a customer (klant)",
	"REL-0017": "the invoice relatie (factuurrelatie) does not exist",
	"REL-0018": "the invoice relatie (factuurrelatie) is not a customer (klant)",
	"REL-0020": "street longer than 50 characters on the business address (vestigingsadres)",
	"REL-0021": "postcode longer than 25 characters on the business address (vestigingsadres)",
	"REL-0022": "city longer than 50 characters on the business address (vestigingsadres)",
	"REL-0023": "contact person longer than 50 characters on the business address (vestigingsadres)",
	"REL-0025": "street longer than 50 characters on the postal address (correspondentieadres)",
	"REL-0026": "postcode longer than 25 characters on the postal address (correspondentieadres)",
	"REL-0027": "city longer than 50 characters on the postal address (correspondentieadres)",
	"REL-0028": "contact person longer than 50 characters on the postal address (correspondentieadres)",
	"REL-0029": "sending reminders by e-mail is on but no e-mail address is given",
	"REL-0030": "the e-mail address for reminders is not valid",
	"REL-0032": "sending invoices by e-mail is on but no e-mail address is given",
	"REL-0033": "the e-mail address for invoices is not valid",
	"REL-0047": "the id in the URL and in the data differ (a connector error; please report it)",
	"REL-0048": "the relatie type may not be 'Eigen' (own company)",
	"REL-0055": "the country of the postal address (correspondentieadres) is not known in SnelStart",
	"REL-0056": "the country of the business address (vestigingsadres) is not known in SnelStart",
	"REL-0057": "VAT number longer than 50 characters",
	"REL-0058": "the VAT number must have at least 2 characters",
	"REL-0059": "the VAT number may contain only letters and digits",
	"REL-0060": "the business address (vestigingsadres) is incomplete: when one field is filled, street, postcode, city and country must all be filled",
	"REL-0061": "the e-mail address is not valid",
	"REL-0062": "a credit limit is only possible for a customer (klant)",
	"REL-0063": "a new customer was sent with an id (a connector error; please report it)",
	"REL-0064": "the relatie type (relatiesoort) cannot be changed",
	"REL-0065": "a relatie cannot be both customer and supplier",
	"REL-0066": "SnelStart could not read the customer data (a connector error; please report it)",
	"REL-0068": "the e-mail address for reminders is not valid (separate several addresses with ';')",
	"REL-0069": "the e-mail address for reminders is longer than 250 characters",
	"REL-0072": "the e-mail address for invoices is not valid (separate several addresses with ';')",
	"REL-0073": "the e-mail address for invoices is longer than 250 characters",
	"REL-0084": "the e-mail address is not valid (separate several addresses with ';')",
	"REL-0085": "e-mail address longer than 250 characters",
	"REL-0086": "the OIN must be exactly 20 digits",
	"REL-0087": "the country code of the VAT number does not match the country of the business address",
	"REL-0088": "the VAT number is not a valid VAT number",

	// The booking codes are for a bookkeeper acting in SnelStart: Dutch first, English after.
	"BOE-0021": "dit factuurnummer is al geboekt in SnelStart; zoek de boeking op en hernummer of verwijder de dubbele (invoice number already booked)",
	"BOE-0039": "het factuurbedrag is niet gelijk aan de omzetregels plus de btw, dus SnelStart boekt de factuur niet; boek haar met de hand en meld dit aan de beheerder van koppel (invoice amount is not lines plus VAT)",
	"BOE-0042": "de factuurdatum valt in een afgesloten periode in SnelStart; heropen die periode in SnelStart en probeer opnieuw (koppel retry), of boek de factuur met de hand (invoice date in a closed period)",

	"VOR-0001": "the sales order does not exist in SnelStart",
	"VOR-0002": "the relatie is not a customer (klant) in SnelStart; tick 'Klant' on the relatie card",
	"VOR-0003": "the invoice relatie (factuurrelatie) is not a customer (klant)",
	"VOR-0004": "the direct debit mandate does not belong to this customer",
	"VOR-0005": "a new sales order was sent with an order number (a connector error; please report it)",
	"VOR-0006": "street longer than 50 characters on the {addr}",
	"VOR-0007": "postcode longer than 25 characters on the {addr}",
	"VOR-0008": "city longer than 50 characters on the {addr}",
	"VOR-0009": "contact person longer than 50 characters on the {addr}",
	"VOR-0010": "the country on the {addr} is not known in SnelStart",
	"VOR-0011": "order reference (orderreferentie) longer than 50 characters",
	"VOR-0013": "the direct debit mandate does not exist",
	"VOR-0014": "the sales order still has linked purchase orders",
	"VOR-0015": "the sales order has been processed further in SnelStart and can no longer be changed",
}

// errorPrefixMessages covers code families with one message.
var errorPrefixMessages = []struct{ prefix, msg string }{
	{"VOR-00", "an extra field (extra ingave) of the sales order template is not valid"},
	{"REF-", "an extra field (extra veld) is not valid"},
}

// addressRoles tells which address of a sent object an error code refers to, when it can be
// told from what was sent. field is "straat", "postcode", "plaats", "contactpersoon" or
// "land"; max is the limit (0 for land).
type addressRoles func(field string, max int) string

// vorAddressFields maps the VOR address codes to the field and limit they check.
var vorAddressFields = map[string]struct {
	field string
	max   int
}{
	"VOR-0006": {"straat", 50},
	"VOR-0007": {"postcode", 25},
	"VOR-0008": {"plaats", 50},
	"VOR-0009": {"contactpersoon", 50},
	"VOR-0010": {"land", 0},
}

// orderAddressRoles returns the addressRoles for a sales order as sent: which of the
// delivery and invoice address breaks the limit.
func orderAddressRoles(o *verkooporderWrite) addressRoles {
	return func(field string, max int) string {
		if o == nil || max == 0 {
			return "delivery or invoice address"
		}
		long := func(a *adres) bool {
			if a == nil {
				return false
			}
			var v string
			switch field {
			case "straat":
				v = a.Straat
			case "postcode":
				v = a.Postcode
			case "plaats":
				v = a.Plaats
			case "contactpersoon":
				v = a.Contactpersoon
			}
			return utf8.RuneCountInString(v) > max
		}
		d, i := long(o.Afleveradres), long(o.Factuuradres)
		switch {
		case d && i:
			return "delivery and invoice addresses"
		case d:
			return "delivery address"
		case i:
			return "invoice address"
		}
		return "delivery or invoice address"
	}
}

// explain turns one SnelStart error into a message a bookkeeper can act on, keeping
// SnelStart's own text when the code is not in the table.
func explain(e apiError, roles addressRoles) string {
	msg, ok := errorMessages[e.Code]
	if !ok {
		for _, p := range errorPrefixMessages {
			if e.Code != "" && strings.HasPrefix(e.Code, p.prefix) {
				msg, ok = p.msg, true
				break
			}
		}
		if ok && e.Message != "" {
			msg += " (SnelStart: " + e.Message + ")"
		}
	}
	if !ok {
		msg = e.Message
		if msg == "" {
			msg = "no reason given"
		}
	}
	if strings.Contains(msg, "{addr}") {
		role := "delivery or invoice address"
		if f, found := vorAddressFields[e.Code]; found && roles != nil {
			role = roles(f.field, f.max)
		}
		msg = strings.ReplaceAll(msg, "{addr}", role)
	}
	if e.Details != "" && e.Details != e.Message {
		msg += " (" + shorten(e.Details, 200) + ")"
	}
	return msg
}

// explainAll joins the explanations of every error, and returns the first code.
func explainAll(errs []apiError, roles addressRoles) (code, msg string) {
	var parts []string
	for _, e := range errs {
		if code == "" {
			code = e.Code
		}
		parts = append(parts, explain(e, roles))
	}
	if len(parts) == 0 {
		return "", "no reason given"
	}
	return code, strings.Join(parts, "; ")
}

// scopeFor returns the SnelStart scope an API path needs for a method, for 403 messages.
func scopeFor(method, path string) string {
	seg := strings.TrimPrefix(path, "/")
	if i := strings.IndexByte(seg, '/'); i >= 0 {
		seg = seg[:i]
	}
	access := "read"
	if method != "GET" {
		access = "write"
	}
	switch strings.ToLower(seg) {
	case "artikelen", "artikelomzetgroepen":
		return "artikelen:" + access
	case "relaties":
		return "relaties:" + access
	case "verkooporders", "verkoopordersjablonen", "offertes", "verkoopfacturen":
		return "orders:" + access
	case "landen", "kostenplaatsen", "btwtarieven", "companyinfo", "vatrates", "actieprijzen":
		return "settings:" + access
	case "verkoopboekingen", "grootboeken", "dagboeken":
		return "boekhouden:" + access
	}
	return fmt.Sprintf("%s:%s", seg, access)
}

// asSDK is errors.As for *sdk.Error.
func asSDK(err error, target **sdk.Error) bool { return errors.As(err, target) }

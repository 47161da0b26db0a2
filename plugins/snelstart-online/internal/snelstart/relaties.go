package snelstart

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode"

	"github.com/koppel-nl/koppel/sdk"
)

// FindRelaties returns the relaties matching every field set in q (relatiesoort is reported in
// Relatie.Customer; non-customers are not left out). The server is asked with an OData filter
// that can only return too many, and every criterion is then checked locally:
//
//   - Code: Relatiecode eq N;
//   - Email: substringof('addr', tolower(Email)) eq true, then each ";"-separated address of
//     the relatie's e-mail field is compared case-insensitively;
//   - Postcode: substringof on the longest digit run (1234 of "1234 AB"), then compared
//     ignoring spaces, hyphens and case;
//   - Name: tolower(Naam) eq 'name', then compared case-insensitively;
//   - ID: GET /relaties/{id} (an unknown or malformed id gives an empty result);
//   - Emails (alone): findRelatieEmails.
func (c *Connector) FindRelaties(ctx context.Context, q sdk.RelatieQuery) ([]sdk.Relatie, error) {
	q.Email, q.Postcode, q.Name = strings.TrimSpace(q.Email), strings.TrimSpace(q.Postcode), strings.TrimSpace(q.Name)
	if len(q.Emails) > 0 && (q.Code != 0 || q.Email != "" || q.Postcode != "" || q.Name != "" || q.ID != "") {
		return nil, sdk.Errorf(sdk.KindPermanent, "a search for several e-mail addresses takes no other criterion")
	}
	if err := c.ensureLanden(ctx); err != nil {
		return nil, err
	}
	var found []relatieIn
	if len(q.Emails) > 0 {
		return c.findRelatieEmails(ctx, q.Emails)
	} else if q.ID != "" {
		if !validGUID(q.ID) {
			return nil, nil
		}
		var r relatieIn
		err := c.api.get(ctx, "/relaties/"+q.ID, nil, "customer "+q.ID, &r)
		if sdk.KindOf(err) == sdk.KindNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		found = []relatieIn{r}
	} else {
		filter := relatieFilter(q)
		if filter == "" {
			return nil, sdk.Errorf(sdk.KindPermanent, "a customer search needs a code, e-mail address, postcode, name or id")
		}
		var err error
		found, err = listAll[relatieIn](ctx, c.api, "/relaties", filter, pageDefault, "customers")
		if err != nil {
			return nil, err
		}
	}
	var out []sdk.Relatie
	for _, r := range found {
		if relatieMatches(r, q) {
			out = append(out, c.fromRelatie(r))
		}
	}
	return out, nil
}

// findRelatieEmails answers RelatieQuery.Emails: the filter of an Email search for each address
// (substringof('addr', tolower(Email)) eq true), or-ed into as few filters as the request line
// allows (maxFilterLen; sent at the same time), each paged to its end; then, as for Email, a
// relatie is kept only when one of its ";"-separated addresses equals one of the addresses
// asked, ignoring case. A relatie found by two filters is returned once.
func (c *Connector) findRelatieEmails(ctx context.Context, emails []string) ([]sdk.Relatie, error) {
	var asked []string
	for _, e := range emails {
		if e = strings.TrimSpace(e); e != "" {
			asked = append(asked, e)
		}
	}
	parts, err := listAllEach[relatieIn](ctx, c.api, "/relaties", relatieEmailFilters(asked, maxFilterLen), pageDefault, "customers")
	if err != nil {
		return nil, err
	}
	var out []sdk.Relatie
	seen := map[string]bool{}
	for _, found := range parts {
		for _, r := range found {
			if seen[r.ID] || !slices.ContainsFunc(asked, func(e string) bool { return emailListHas(r.Email, e) }) {
				continue
			}
			seen[r.ID] = true
			out = append(out, c.fromRelatie(r))
		}
	}
	return out, nil
}

// relatieEmailFilters are the $filter values that together find the relaties of every address
// in emails (trimmed, blank and repeated ones, ignoring case, left out), each at most maxLen
// characters URL-encoded unless one address alone is longer.
func relatieEmailFilters(emails []string, maxLen int) []string {
	var clauses []string
	seen := map[string]bool{}
	for _, e := range emails {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" || seen[e] {
			continue
		}
		seen[e] = true
		clauses = append(clauses, substringOf(e, "tolower(Email)"))
	}
	return joinFilters(clauses, maxLen)
}

// relatieFilter builds the server-side filter for q (without ID).
func relatieFilter(q sdk.RelatieQuery) string {
	var clauses []string
	if q.Code != 0 {
		clauses = append(clauses, eqInt("Relatiecode", q.Code))
	}
	if q.Email != "" {
		clauses = append(clauses, substringOf(strings.ToLower(q.Email), "tolower(Email)"))
	}
	if q.Postcode != "" {
		if d := longestDigitRun(q.Postcode); d != "" {
			clauses = append(clauses, substringOf(d, "VestigingsAdres/Postcode"))
		} else {
			clauses = append(clauses, eqString("tolower(VestigingsAdres/Postcode)", strings.ToLower(q.Postcode)))
		}
	}
	if q.Name != "" {
		clauses = append(clauses, eqString("tolower(Naam)", strings.ToLower(q.Name)))
	}
	return and(clauses...)
}

// relatieMatches checks every criterion of q locally.
func relatieMatches(r relatieIn, q sdk.RelatieQuery) bool {
	if q.ID != "" && !strings.EqualFold(r.ID, q.ID) {
		return false
	}
	if q.Code != 0 && r.Relatiecode != q.Code {
		return false
	}
	if q.Email != "" && !emailListHas(r.Email, q.Email) {
		return false
	}
	if q.Postcode != "" {
		var pc string
		if r.VestigingsAdres != nil {
			pc = r.VestigingsAdres.Postcode
		}
		if normalizePostcode(pc) != normalizePostcode(q.Postcode) {
			return false
		}
	}
	if q.Name != "" && !strings.EqualFold(strings.TrimSpace(r.Naam), q.Name) {
		return false
	}
	return true
}

// emailListHas reports whether one of the ";"-separated addresses in list equals addr,
// ignoring case and surrounding spaces. "," is accepted as a separator too.
func emailListHas(list, addr string) bool {
	addr = strings.TrimSpace(addr)
	for _, e := range strings.FieldsFunc(list, func(r rune) bool { return r == ';' || r == ',' }) {
		if strings.EqualFold(strings.TrimSpace(e), addr) {
			return true
		}
	}
	return false
}

// normalizePostcode drops spaces and hyphens and upper-cases.
func normalizePostcode(s string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, s))
}

// longestDigitRun returns the longest run of digits in s ("1234" for "1234 AB").
func longestDigitRun(s string) string {
	best, cur := "", ""
	for _, r := range s {
		if r >= '0' && r <= '9' {
			cur += string(r)
			if len(cur) > len(best) {
				best = cur
			}
		} else {
			cur = ""
		}
	}
	return best
}

// fromRelatie maps RelatieModel to sdk.Relatie. The land cache must be loaded.
func (c *Connector) fromRelatie(r relatieIn) sdk.Relatie {
	out := sdk.Relatie{
		ID:              r.ID,
		Code:            r.Relatiecode,
		Name:            r.Naam,
		Address:         c.fromAdres(r.VestigingsAdres),
		PostalAddress:   c.fromAdres(r.CorrespondentieAdres),
		Phone:           r.Telefoon,
		Mobile:          r.MobieleTelefoon,
		Email:           r.Email,
		VATNumber:       r.BtwNummer,
		PaymentTermDays: r.Krediettermijn,
		Inactive:        r.Nonactief,
		ModifiedAt:      r.ModifiedOn.Time,
	}
	for _, s := range r.Relatiesoort {
		if strings.EqualFold(s, "Klant") {
			out.Customer = true
		}
	}
	if f := r.FactuurEmailVersturen; f != nil {
		out.EmailInvoices = f.ShouldSend
		out.InvoiceEmail = f.Email
	}
	if a := r.AanmaningEmail; a != nil {
		out.EmailReminders = a.ShouldSend
		if out.InvoiceEmail == "" {
			out.InvoiceEmail = a.Email
		}
	}
	return out
}

// mailSetting returns the EmailVersturenModel for a switch: on sends to invoiceEmail (or the
// relatie's e-mail); nil when off.
func mailSetting(on bool, r sdk.Relatie) *emailVersturen {
	if !on {
		return nil
	}
	to := r.InvoiceEmail
	if to == "" {
		to = r.Email
	}
	return &emailVersturen{ShouldSend: true, Email: to}
}

// CreateRelatie creates r as a customer (relatiesoort Klant) with POST /relaties. Code 0 lets
// SnelStart assign the relatiecode. Empty addresses are left out; countries are mapped from
// ISO codes to land ids.
func (c *Connector) CreateRelatie(ctx context.Context, r sdk.Relatie) (sdk.Relatie, error) {
	if r.ID != "" {
		return sdk.Relatie{}, sdk.Errorf(sdk.KindPermanent, "a new customer must not have an id (got %s)", r.ID)
	}
	vest, err := c.toAdres(ctx, &r.Address)
	if err != nil {
		return sdk.Relatie{}, err
	}
	corr, err := c.toAdres(ctx, &r.PostalAddress)
	if err != nil {
		return sdk.Relatie{}, err
	}
	body := relatieWrite{
		Relatiesoort:          []string{"Klant"},
		Relatiecode:           r.Code,
		Naam:                  r.Name,
		VestigingsAdres:       vest,
		CorrespondentieAdres:  corr,
		Telefoon:              r.Phone,
		MobieleTelefoon:       r.Mobile,
		Email:                 r.Email,
		BtwNummer:             r.VATNumber,
		Krediettermijn:        r.PaymentTermDays,
		Nonactief:             r.Inactive,
		FactuurEmailVersturen: mailSetting(r.EmailInvoices, r),
		AanmaningEmail:        mailSetting(r.EmailReminders, r),
	}
	var created relatieIn
	if err := c.api.do(ctx, call{method: http.MethodPost, path: "/relaties", body: body, what: fmt.Sprintf("customer %q", r.Name)}, &created); err != nil {
		return sdk.Relatie{}, err
	}
	if created.ID == "" {
		return sdk.Relatie{}, sdk.Errorf(sdk.KindOutcomeUnknown, "SnelStart created customer %q but returned no id; look it up before creating it again", r.Name)
	}
	return c.fromRelatie(created), nil
}

// UpdateRelatie replaces customer r.ID: it reads the relatie, overlays the fields sdk.Relatie
// carries (name, addresses, phones, e-mail, VAT number, inactive, code and payment term when
// set, invoice and reminder e-mailing) and writes the whole object back with PUT, so
// everything else (IBAN, memo, relatiesoort, ...) is kept. An unknown id is KindNotFound.
func (c *Connector) UpdateRelatie(ctx context.Context, r sdk.Relatie) (sdk.Relatie, error) {
	if !validGUID(r.ID) {
		return sdk.Relatie{}, &sdk.Error{Kind: sdk.KindNotFound, Message: fmt.Sprintf("customer id %q is not a SnelStart id", r.ID)}
	}
	what := fmt.Sprintf("customer %q", r.Name)
	var raw json.RawMessage
	if err := c.api.get(ctx, "/relaties/"+r.ID, nil, what, &raw); err != nil {
		return sdk.Relatie{}, err
	}
	obj, err := decodeObject(raw)
	if err != nil {
		return sdk.Relatie{}, sdk.Errorf(sdk.KindRetryable, "SnelStart's answer for %s could not be read", what)
	}
	vest, err := c.toAdres(ctx, &r.Address)
	if err != nil {
		return sdk.Relatie{}, err
	}
	corr, err := c.toAdres(ctx, &r.PostalAddress)
	if err != nil {
		return sdk.Relatie{}, err
	}
	fields := []struct {
		key string
		v   any
	}{
		{"naam", r.Name}, {"vestigingsAdres", vest}, {"correspondentieAdres", corr},
		{"telefoon", r.Phone}, {"mobieleTelefoon", r.Mobile}, {"email", r.Email},
		{"btwNummer", r.VATNumber}, {"nonactief", r.Inactive}, {"id", r.ID},
	}
	if r.Code != 0 {
		fields = append(fields, struct {
			key string
			v   any
		}{"relatiecode", r.Code})
	}
	if r.PaymentTermDays != nil {
		fields = append(fields, struct {
			key string
			v   any
		}{"krediettermijn", *r.PaymentTermDays})
	}
	for _, f := range fields {
		if err := set(obj, f.key, f.v); err != nil {
			return sdk.Relatie{}, sdk.Errorf(sdk.KindPermanent, "cannot encode %s", what)
		}
	}
	mergeMail(obj, "factuurEmailVersturen", r.EmailInvoices, r)
	mergeMail(obj, "aanmaningEmailVersturen", r.EmailReminders, r)

	var updated relatieIn
	if err := c.api.do(ctx, call{method: http.MethodPut, path: "/relaties/" + r.ID, body: forWrite(obj), what: what}, &updated); err != nil {
		return sdk.Relatie{}, err
	}
	if updated.ID == "" {
		updated.ID = r.ID
	}
	return c.fromRelatie(updated), nil
}

// mergeMail switches an EmailVersturenModel on or off, keeping its cc address; when switched
// on without an address it takes the invoice e-mail (or the relatie's e-mail).
func mergeMail(obj map[string]any, key string, on bool, r sdk.Relatie) {
	m, _ := obj[key].(map[string]any)
	if m == nil {
		if !on {
			return
		}
		m = map[string]any{}
	}
	m["shouldSend"] = on
	if on {
		to := r.InvoiceEmail
		if to == "" {
			to = r.Email
		}
		if to != "" {
			m["email"] = to
		}
	}
	obj[key] = m
}

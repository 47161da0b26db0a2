package mapping

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// customerRef is the relatie an order is booked on ("" ID for one still to be created).
type customerRef struct {
	ID   string
	Code int
	Name string
}

// customer decides the relatie for the order, following customers.match and customers.mode,
// into op.plan.Customer. A customer remembered before costs no ledger call.
func (op *orderPlan) customer(ctx context.Context) (customerRef, error) {
	cs := op.p.prof.Customers
	if cs.Mode == config.ModeManual && cs.FixedCustomer > 0 {
		return op.fixedCustomer(ctx)
	}
	o := op.o
	key := CustomerKey(cs.Match, o)
	d := &op.plan.Customer
	d.Key = key
	mc, ok, err := op.p.view.MappedCustomer(ctx, key)
	if err != nil {
		return customerRef{}, err
	}
	if !ok {
		return op.matchOrCreate(ctx, key)
	}
	d.Action, d.ID, d.Code, d.Name, d.MatchedBy, d.Remembered = CustomerExisting, mc.ID, mc.Code, mc.Name, mc.MatchedBy, true
	if mc.Planned {
		d.MatchedBy = "planned"
	}
	ref := customerRef{ID: mc.ID, Code: mc.Code, Name: mc.Name}
	if mc.Settled || mc.Planned || cs.Mode != config.ModeAddUpdate {
		return ref, nil
	}
	var bw Warnings
	want, hash, err := op.buildRelatie(&bw)
	if err != nil {
		return customerRef{}, err
	}
	if mc.DataHash == hash {
		return ref, nil
	}
	found, err := op.p.view.FindRelaties(ctx, sdk.RelatieQuery{ID: mc.ID})
	if err != nil {
		return customerRef{}, text.Errorf("reason.lookup_customer_update", mc.Code, err)
	}
	c := Eligible(found)
	if len(c) == 0 {
		// Deleted or made inactive in SnelStart: forget it and match again.
		*d = CustomerDecision{Key: key, Forget: true}
		return op.matchOrCreate(ctx, key)
	}
	ref = op.updateDecision(c[0], want)
	op.w = append(op.w, bw...)
	d.DataHash, d.Remember = hash, true
	return ref, nil
}

// matchOrCreate runs the match strategy and, when nothing matches, plans the customer's create
// (mode add / add_update) or refuses the order (manual). An earlier create of this customer
// whose answer was lost is looked for first (by name, e-mail and postcode) and adopted.
func (op *orderPlan) matchOrCreate(ctx context.Context, key string) (customerRef, error) {
	cs := op.p.prof.Customers
	o := op.o
	d := &op.plan.Customer
	pend, hasPend, err := op.p.view.PendingCustomer(ctx, key)
	if err != nil {
		return customerRef{}, err
	}
	d.HadIntent = hasPend
	var found *sdk.Relatie
	var how string
	if hasPend {
		if found, err = FindCreatedRelatie(ctx, op.p.view, pend); err != nil {
			return customerRef{}, err
		}
		if found != nil {
			how = "adopted"
		}
	}
	if found == nil {
		if found, how, err = op.match(ctx); err != nil {
			return customerRef{}, err
		}
	}
	build := func() (sdk.Relatie, error) {
		var bw Warnings
		want, h, err := op.buildRelatie(&bw)
		if err == nil {
			op.w = append(op.w, bw...)
			d.DataHash = h
		}
		return want, err
	}
	d.Remember, d.MatchedBy = true, how
	switch {
	case found != nil && how == "adopted":
		// Made by koppel from this customer's data: nothing to update.
		if _, err := build(); err != nil {
			return customerRef{}, err
		}
		d.Action, d.ID, d.Code, d.Name = CustomerExisting, found.ID, found.Code, found.Name
		return customerRef{ID: found.ID, Code: found.Code, Name: found.Name}, nil
	case found != nil && cs.Mode == config.ModeAddUpdate:
		want, err := build()
		if err != nil {
			return customerRef{}, err
		}
		return op.updateDecision(*found, want), nil
	case found != nil:
		d.Action, d.ID, d.Code, d.Name = CustomerExisting, found.ID, found.Code, found.Name
		return customerRef{ID: found.ID, Code: found.Code, Name: found.Name}, nil
	case cs.Mode == config.ModeManual:
		d.Remember, d.MatchedBy = false, ""
		return customerRef{}, Refusef(text.Template("reason.no_customer_manual"),
			cs.Match, describeMatch(cs.Match, o))
	default:
		want, err := build()
		if err != nil {
			return customerRef{}, err
		}
		d.Action, d.Name, d.Relatie, d.MatchedBy = CustomerCreate, want.Name, &want, ""
		return customerRef{Name: want.Name}, nil
	}
}

// fixedCustomer decides customers.fixed_customer.
func (op *orderPlan) fixedCustomer(ctx context.Context) (customerRef, error) {
	code := op.p.prof.Customers.FixedCustomer
	key := "fixed:" + strconv.Itoa(code)
	d := &op.plan.Customer
	d.Key = key
	if mc, ok, err := op.p.view.MappedCustomer(ctx, key); err != nil {
		return customerRef{}, err
	} else if ok {
		d.Action, d.ID, d.Code, d.Name, d.MatchedBy, d.Remembered = CustomerExisting, mc.ID, mc.Code, mc.Name, "fixed", true
		return customerRef{ID: mc.ID, Code: mc.Code, Name: mc.Name}, nil
	}
	found, err := op.p.view.FindRelaties(ctx, sdk.RelatieQuery{Code: code})
	if err != nil {
		return customerRef{}, text.Errorf("reason.lookup_fixed_customer", code, err)
	}
	c := Eligible(found)
	if len(c) == 0 {
		return customerRef{}, configErrorf(text.Template("reason.fixed_customer_inactive"), code)
	}
	d.Action, d.ID, d.Code, d.Name, d.MatchedBy, d.Remember = CustomerExisting, c[0].ID, c[0].Code, c[0].Name, "fixed", true
	return customerRef{ID: c[0].ID, Code: c[0].Code, Name: c[0].Name}, nil
}

// RelatieFinder finds relaties in the ledger (a View, or the ledger connector itself).
type RelatieFinder interface {
	FindRelaties(ctx context.Context, q sdk.RelatieQuery) ([]sdk.Relatie, error)
}

// FindCreatedRelatie asks the ledger for the relatie a lost create would have made: an active
// customer with the name, e-mail address and postcode that were sent (each checked again here).
// Among several, the lowest relatiecode wins; nil when there is none.
func FindCreatedRelatie(ctx context.Context, f RelatieFinder, pc PendingCustomer) (*sdk.Relatie, error) {
	name := strings.TrimSpace(pc.Name)
	q := sdk.RelatieQuery{Name: name, Email: strings.TrimSpace(pc.Email), Postcode: strings.TrimSpace(pc.Postcode)}
	found, err := f.FindRelaties(ctx, q)
	if err != nil {
		return nil, text.Errorf("reason.lookup_customer_unfinished", name, err)
	}
	for _, c := range Eligible(found) {
		if !strings.EqualFold(strings.TrimSpace(c.Name), name) ||
			(q.Email != "" && !EmailIn(q.Email, c.Email)) ||
			(q.Postcode != "" && NormPostcode(c.Address.Postcode) != NormPostcode(q.Postcode)) {
			continue
		}
		return &c, nil
	}
	return nil, nil
}

// match applies customers.match:
//   - code: the shop's customer code equals the relatiecode;
//   - email: the order e-mail is one of the relatie's e-mail addresses;
//   - code_or_email: code first, then e-mail;
//   - email_postcode: e-mail and delivery postcode must both match;
//   - code_or_email_postcode: code, then e-mail + postcode;
//   - smart: code, then e-mail + postcode, then e-mail alone when exactly one customer has it,
//     then company name + postcode.
//
// Only active customers (klant, not non-actief) match; among several, the lowest relatiecode
// wins. It returns nil when nothing matches, and how the customer was found.
func (op *orderPlan) match(ctx context.Context) (*sdk.Relatie, string, error) {
	o := op.o
	m := op.p.prof.Customers.Match
	useCode := m == config.MatchCode || m == config.MatchCodeOrEmail || m == config.MatchCodeOrEmailPostcode || m == config.MatchSmart
	if useCode {
		if code, err := strconv.Atoi(strings.TrimSpace(o.Customer.Code)); err == nil && code > 0 {
			found, err := op.p.view.FindRelaties(ctx, sdk.RelatieQuery{Code: code})
			if err != nil {
				return nil, "", text.Errorf("reason.lookup_customer_code", code, err)
			}
			if c := Eligible(found); len(c) > 0 {
				return &c[0], "code", nil
			}
		}
	}
	if m == config.MatchCode {
		return nil, "", nil
	}
	email := orderEmail(o)
	pc := NormPostcode(deliveryAddress(o).Postcode)
	if email != "" {
		found, err := op.p.view.FindRelaties(ctx, sdk.RelatieQuery{Email: email})
		if err != nil {
			return nil, "", text.Errorf("reason.lookup_customer_email", err)
		}
		var byEmail []sdk.Relatie
		for _, c := range Eligible(found) {
			if EmailIn(email, c.Email) {
				byEmail = append(byEmail, c)
			}
		}
		switch m {
		case config.MatchEmail, config.MatchCodeOrEmail:
			if len(byEmail) > 0 {
				return &byEmail[0], "email", nil
			}
		case config.MatchEmailPostcode, config.MatchCodeOrEmailPostcode, config.MatchSmart:
			if pc != "" {
				for i := range byEmail {
					if postcodeMatches(byEmail[i], pc) {
						return &byEmail[i], "email_postcode", nil
					}
				}
			}
			if m == config.MatchSmart && len(byEmail) == 1 {
				return &byEmail[0], "email", nil
			}
		}
	}
	company := strings.TrimSpace(FirstNonEmpty(o.Billing.Company, o.Customer.Company))
	if m == config.MatchSmart && company != "" && pc != "" {
		found, err := op.p.view.FindRelaties(ctx, sdk.RelatieQuery{Name: company, Postcode: pc})
		if err != nil {
			return nil, "", text.Errorf("reason.lookup_customer_company", err)
		}
		for _, c := range Eligible(found) {
			if strings.EqualFold(strings.TrimSpace(c.Name), company) && postcodeMatches(c, pc) {
				return &c, "name_postcode", nil
			}
		}
	}
	return nil, "", nil
}

// describeMatch names what was searched, for the refusal of a manual-mode order.
func describeMatch(m config.CustomerMatch, o sdk.Order) string {
	var parts []string
	if m != config.MatchEmail && m != config.MatchEmailPostcode {
		parts = append(parts, fmt.Sprintf("customer code %q", o.Customer.Code))
	}
	if m != config.MatchCode {
		parts = append(parts, fmt.Sprintf("e-mail %q", orderEmail(o)))
	}
	if m == config.MatchEmailPostcode || m == config.MatchCodeOrEmailPostcode || m == config.MatchSmart {
		parts = append(parts, fmt.Sprintf("delivery postcode %q", deliveryAddress(o).Postcode))
	}
	return strings.Join(parts, ", ")
}

// Eligible returns the active customers among rs, lowest relatiecode first.
func Eligible(rs []sdk.Relatie) []sdk.Relatie {
	var out []sdk.Relatie
	for _, r := range rs {
		if r.Customer && !r.Inactive && r.ID != "" {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

func postcodeMatches(r sdk.Relatie, pc string) bool {
	return NormPostcode(r.Address.Postcode) == pc || NormPostcode(r.PostalAddress.Postcode) == pc
}

// orderEmail is the order's e-mail address.
func orderEmail(o sdk.Order) string {
	return strings.TrimSpace(FirstNonEmpty(o.Customer.Email, o.Billing.Email))
}

// deliveryAddress is the shipping address, or the billing address for an order without one.
func deliveryAddress(o sdk.Order) sdk.Address {
	if o.Shipping.Street == "" && o.Shipping.Postcode == "" && o.Shipping.City == "" {
		return o.Billing
	}
	return o.Shipping
}

// CustomerKey is the map key a shop customer is remembered by: the shop's customer id for
// account holders, a hash of what the strategy matches on for guests.
func CustomerKey(m config.CustomerMatch, o sdk.Order) string {
	if !o.Customer.Guest() {
		return "id:" + o.Customer.ID
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s", m, strings.ToLower(orderEmail(o)), NormPostcode(deliveryAddress(o).Postcode),
		strings.TrimSpace(o.Customer.Code), strings.ToLower(FirstNonEmpty(o.Billing.Company, o.Customer.Company)))
	return "guest:" + hex.EncodeToString(h.Sum(nil))[:32]
}

// buildRelatie maps the order's customer to a new relatie, within SnelStart's limits, and
// returns it with a hash of the fields add_update keeps up to date.
func (op *orderPlan) buildRelatie(w *Warnings) (sdk.Relatie, string, error) {
	o := op.o
	cs := op.p.prof.Customers
	b := o.Billing
	company := FirstNonEmpty(b.Company, o.Customer.Company)
	person := personName(b, o.Customer)
	email := orderEmail(o)
	name := FirstNonEmpty(company, person, email)
	if name == "" {
		return sdk.Relatie{}, "", Refusef("%s", text.Template("reason.no_customer_data"))
	}
	rel := sdk.Relatie{
		Name:     w.Cut(name, maxName, text.Template("reason.field.customer_name")),
		Customer: true,
		Phone:    w.Cut(FirstNonEmpty(b.Phone, o.Customer.Phone), maxPhone, text.Template("reason.field.phone")),
	}
	contact := ""
	if company != "" {
		contact = person
	}
	addr, err := op.ledgerAddress(b, contact, w, text.Template("reason.addr_billing"))
	if err != nil {
		return sdk.Relatie{}, "", err
	}
	if addr != nil {
		rel.Address = *addr
	}
	if len(email) > maxEmail {
		w.Add(text.Template("reason.email_too_long"), maxEmail)
		email = ""
	}
	rel.Email = email
	switch v := strings.TrimSpace(o.Customer.VATNumber); {
	case op.vat.Scheme == SchemeICP:
		rel.VATNumber = op.vat.VATNumber
	case v == "":
	case op.vat.abroad:
		// SnelStart treats an EU relatie abroad with a VAT number as a business (ICP, 0 %);
		// the shop charged VAT, so it is booked as a consumer sale.
		w.Add(text.Template("reason.icp_vat_charged"), countryName(op.vat.Country))
	default:
		if n, ok := NormaliseVATNumber(v, b.Country); ok {
			rel.VATNumber = n
		} else {
			w.Add(text.Template("reason.vat_number_invalid"), b.Country)
		}
	}
	if cs.PaymentTerm != nil {
		t := *cs.PaymentTerm
		rel.PaymentTermDays = &t
	}
	if cs.EmailInvoices || cs.EmailReminders {
		if email == "" {
			w.Add("%s", text.Template("reason.no_email_invoices"))
		} else {
			rel.EmailInvoices = cs.EmailInvoices
			rel.EmailReminders = cs.EmailReminders
			rel.InvoiceEmail = email
		}
	}
	js, _ := json.Marshal([]any{rel.Name, rel.Address, rel.Phone, rel.Email})
	sum := sha256.Sum256(js)
	return rel, hex.EncodeToString(sum[:16]), nil
}

// ledgerAddress maps a shop address with the given contact person. An address that lacks street, postcode, city or country is left out with a warning
// (SnelStart refuses a partial one); a country the administration does not know refuses the
// order.
func (op *orderPlan) ledgerAddress(a sdk.Address, contact string, w *Warnings, what string) (*sdk.LedgerAddress, error) {
	street := joinNonEmpty(" ", a.Street, a.Street2)
	country := strings.ToUpper(strings.TrimSpace(a.Country))
	if street == "" && a.Postcode == "" && a.City == "" {
		return nil, nil
	}
	if street == "" || strings.TrimSpace(a.Postcode) == "" || strings.TrimSpace(a.City) == "" || country == "" {
		w.Add(text.Template("reason.address_incomplete"), what)
		return nil, nil
	}
	if len(op.p.ref.Countries) > 0 && !op.p.ref.Countries[country] {
		return nil, Refusef(text.Template("reason.country_unknown"), country, what)
	}
	la := &sdk.LedgerAddress{
		Street:   w.Cut(street, maxStreet, fmt.Sprintf(text.Template("reason.field.street_of"), what)),
		Postcode: w.Cut(a.Postcode, maxPostcode, fmt.Sprintf(text.Template("reason.field.postcode_of"), what)),
		City:     w.Cut(a.City, maxCity, fmt.Sprintf(text.Template("reason.field.city_of"), what)),
		Country:  country,
	}
	if contact != "" {
		la.Contact = w.Cut(contact, maxContact, fmt.Sprintf(text.Template("reason.field.contact_of"), what))
	}
	return la, nil
}

// updateDecision applies customers.mode = add_update to a matched relatie: name, address,
// phone and e-mail from the shop (a relatie whose e-mail list already holds the order's address
// keeps its list). Everything else on the relatie is left as it is. Nothing to change keeps the
// relatie as it is (existing).
func (op *orderPlan) updateDecision(cur, want sdk.Relatie) customerRef {
	d := &op.plan.Customer
	d.ID, d.Code, d.Name = cur.ID, cur.Code, cur.Name
	next := cur
	next.Name = want.Name
	if want.Address != (sdk.LedgerAddress{}) {
		next.Address = want.Address
	}
	if want.Phone != "" {
		next.Phone = want.Phone
	}
	if want.Email != "" && !EmailIn(want.Email, cur.Email) {
		next.Email = want.Email
	}
	if next.Name == cur.Name && next.Address == cur.Address && next.Phone == cur.Phone && next.Email == cur.Email {
		d.Action = CustomerExisting
		return customerRef{ID: cur.ID, Code: cur.Code, Name: cur.Name}
	}
	d.Action, d.Relatie, d.Name = CustomerUpdate, &next, next.Name
	return customerRef{ID: cur.ID, Code: cur.Code, Name: next.Name}
}

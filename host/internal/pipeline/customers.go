package pipeline

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
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// customerRef is the relatie an order is booked on.
type customerRef struct {
	ID   string
	Code int
	// Name is kept in memory only (for the run summary).
	Name string
}

// resolveCustomer finds (or creates, or updates) the relatie for an order, following
// customers.match and customers.mode. A customer recognised before is taken from the state
// store without a ledger call.
func (r *run) resolveCustomer(ctx context.Context, o sdk.Order, w *warnings) (customerRef, error) {
	cs := r.p.prof.Customers
	if cs.Mode == config.ModeManual && cs.FixedCustomer > 0 {
		return r.fixedCustomer(ctx)
	}
	key := customerKey(cs.Match, o)
	if ref, ok := r.customers[key]; ok {
		return ref, nil
	}
	rec, ok, err := state.Get[CustomerMapRecord](ctx, r.p.store, state.MapKey(r.p.profile, state.MapCustomer, key))
	if err != nil {
		return customerRef{}, fmt.Errorf("read the customer map: %w", err)
	}
	if !ok {
		return r.matchOrCreate(ctx, o, key, w)
	}
	ref := customerRef{ID: rec.RelatieID, Code: rec.Code}
	if cs.Mode == config.ModeAddUpdate {
		var bw warnings
		want, hash, err := r.buildRelatie(o, &bw)
		if err != nil {
			return customerRef{}, err
		}
		if rec.DataHash != hash {
			found, err := r.p.ledger.FindRelaties(ctx, sdk.RelatieQuery{ID: rec.RelatieID})
			if err != nil {
				return customerRef{}, fmt.Errorf("read customer %d to update it: %w", rec.Code, err)
			}
			if c := eligible(found); len(c) == 0 {
				// Deleted or made inactive in SnelStart: forget it and match again.
				if err := state.Delete(ctx, r.p.store, state.MapKey(r.p.profile, state.MapCustomer, key)); err != nil {
					return customerRef{}, fmt.Errorf("forget customer %d: %w", rec.Code, err)
				}
				return r.matchOrCreate(ctx, o, key, w)
			} else if ref, err = r.updateRelatie(ctx, c[0], want); err != nil {
				return customerRef{}, err
			}
			*w = append(*w, bw...)
			rec.DataHash = hash
			rec.At = r.p.now()
			if err := state.Put(ctx, r.p.store, state.MapKey(r.p.profile, state.MapCustomer, key), rec); err != nil {
				return customerRef{}, fmt.Errorf("remember customer %d: %w", rec.Code, err)
			}
		}
	}
	r.customers[key] = ref
	return ref, nil
}

// matchOrCreate runs the match strategy and, when nothing matches, creates the customer (mode
// add / add_update) or refuses the order (manual). An earlier create of this customer whose
// outcome is unknown (CustomerIntentRecord) is resolved first: the relatie it would have made is
// looked up by name, e-mail and postcode and adopted when found (create_once.go).
func (r *run) matchOrCreate(ctx context.Context, o sdk.Order, key string, w *warnings) (customerRef, error) {
	cs := r.p.prof.Customers
	intent, hasIntent, err := r.customerIntent(ctx, key)
	if err != nil {
		return customerRef{}, err
	}
	var found *sdk.Relatie
	var how string
	if hasIntent {
		if found, err = r.findCreatedRelatie(ctx, intent); err != nil {
			return customerRef{}, err
		}
		if found != nil {
			how = "adopted"
			r.p.log.Info("adopted a customer whose create had no answer", "code", found.Code, "attempts", intent.Attempts)
		}
	}
	if found == nil {
		if found, how, err = r.match(ctx, o); err != nil {
			return customerRef{}, err
		}
	}
	var ref customerRef
	var hash string
	build := func() (sdk.Relatie, error) {
		var bw warnings
		want, h, err := r.buildRelatie(o, &bw)
		if err == nil {
			*w = append(*w, bw...)
			hash = h
		}
		return want, err
	}
	switch {
	case found != nil && how == "adopted":
		// Made by koppel from this customer's data: nothing to update.
		if _, err := build(); err != nil {
			return customerRef{}, err
		}
		ref = customerRef{ID: found.ID, Code: found.Code, Name: found.Name}
	case found != nil && cs.Mode == config.ModeAddUpdate:
		want, err := build()
		if err != nil {
			return customerRef{}, err
		}
		if ref, err = r.updateRelatie(ctx, *found, want); err != nil {
			return customerRef{}, err
		}
	case found != nil:
		ref = customerRef{ID: found.ID, Code: found.Code, Name: found.Name}
	case cs.Mode == config.ModeManual:
		return customerRef{}, refusef("no SnelStart customer matches this order (match = %q: %s) and customers.mode is \"manual\", so koppel does not create one; create the customer in SnelStart, or set customers.fixed_customer, then retry the order",
			cs.Match, describeMatch(cs.Match, o))
	default:
		want, err := build()
		if err != nil {
			return customerRef{}, err
		}
		if r.unsettled[unsettledKey("customer", key)] {
			return customerRef{}, notYetVisible(fmt.Sprintf("customer %q", want.Name))
		}
		ref, how, err = r.createRelatieOnce(ctx, key, want, intent)
		if err != nil {
			return customerRef{}, err
		}
		hasIntent = true
	}
	rec := CustomerMapRecord{RelatieID: ref.ID, Code: ref.Code, MatchedBy: how, At: r.p.now()}
	rec.DataHash = hash
	err = r.p.store.Update(ctx, func(tx *state.Tx) error {
		if err := tx.Put(state.MapKey(r.p.profile, state.MapCustomer, key), rec); err != nil {
			return err
		}
		if hasIntent {
			return tx.Delete(r.customerIntentKey(key))
		}
		return nil
	})
	if err != nil {
		// A created relatie keeps its intent, so the next attempt finds and adopts it.
		return customerRef{}, fmt.Errorf("remember customer %d: %w", ref.Code, err)
	}
	delete(r.unsettled, unsettledKey("customer", key))
	r.customers[key] = ref
	return ref, nil
}

// fixedCustomer returns customers.fixed_customer, read once and remembered.
func (r *run) fixedCustomer(ctx context.Context) (customerRef, error) {
	code := r.p.prof.Customers.FixedCustomer
	key := "fixed:" + strconv.Itoa(code)
	if ref, ok := r.customers[key]; ok {
		return ref, nil
	}
	mk := state.MapKey(r.p.profile, state.MapCustomer, key)
	if rec, ok, err := state.Get[CustomerMapRecord](ctx, r.p.store, mk); err != nil {
		return customerRef{}, fmt.Errorf("read the customer map: %w", err)
	} else if ok {
		ref := customerRef{ID: rec.RelatieID, Code: rec.Code}
		r.customers[key] = ref
		return ref, nil
	}
	found, err := r.p.ledger.FindRelaties(ctx, sdk.RelatieQuery{Code: code})
	if err != nil {
		return customerRef{}, fmt.Errorf("look up customers.fixed_customer %d: %w", code, err)
	}
	c := eligible(found)
	if len(c) == 0 {
		return customerRef{}, configErrorf("customers.fixed_customer = %d is not an active customer (klant) in SnelStart; create it or correct the relatiecode", code)
	}
	ref := customerRef{ID: c[0].ID, Code: c[0].Code, Name: c[0].Name}
	if err := state.Put(ctx, r.p.store, mk, CustomerMapRecord{RelatieID: ref.ID, Code: ref.Code, MatchedBy: "fixed", At: r.p.now()}); err != nil {
		return customerRef{}, fmt.Errorf("remember customer %d: %w", ref.Code, err)
	}
	r.customers[key] = ref
	return ref, nil
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
func (r *run) match(ctx context.Context, o sdk.Order) (*sdk.Relatie, string, error) {
	m := r.p.prof.Customers.Match
	useCode := m == config.MatchCode || m == config.MatchCodeOrEmail || m == config.MatchCodeOrEmailPostcode || m == config.MatchSmart
	if useCode {
		if code, err := strconv.Atoi(strings.TrimSpace(o.Customer.Code)); err == nil && code > 0 {
			found, err := r.p.ledger.FindRelaties(ctx, sdk.RelatieQuery{Code: code})
			if err != nil {
				return nil, "", fmt.Errorf("look up customer by relatiecode %d: %w", code, err)
			}
			if c := eligible(found); len(c) > 0 {
				return &c[0], "code", nil
			}
		}
	}
	if m == config.MatchCode {
		return nil, "", nil
	}
	email := orderEmail(o)
	pc := normPostcode(deliveryAddress(o).Postcode)
	if email != "" {
		found, err := r.p.ledger.FindRelaties(ctx, sdk.RelatieQuery{Email: email})
		if err != nil {
			return nil, "", fmt.Errorf("look up customer by e-mail: %w", err)
		}
		var byEmail []sdk.Relatie
		for _, c := range eligible(found) {
			if emailIn(email, c.Email) {
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
	company := strings.TrimSpace(firstNonEmpty(o.Billing.Company, o.Customer.Company))
	if m == config.MatchSmart && company != "" && pc != "" {
		found, err := r.p.ledger.FindRelaties(ctx, sdk.RelatieQuery{Name: company, Postcode: pc})
		if err != nil {
			return nil, "", fmt.Errorf("look up customer by company name and postcode: %w", err)
		}
		for _, c := range eligible(found) {
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

// eligible returns the active customers among rs, lowest relatiecode first.
func eligible(rs []sdk.Relatie) []sdk.Relatie {
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
	return normPostcode(r.Address.Postcode) == pc || normPostcode(r.PostalAddress.Postcode) == pc
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}

// orderEmail is the order's e-mail address.
func orderEmail(o sdk.Order) string {
	return strings.TrimSpace(firstNonEmpty(o.Customer.Email, o.Billing.Email))
}

// deliveryAddress is the shipping address, or the billing address for an order without one.
func deliveryAddress(o sdk.Order) sdk.Address {
	if o.Shipping.Street == "" && o.Shipping.Postcode == "" && o.Shipping.City == "" {
		return o.Billing
	}
	return o.Shipping
}

// customerKey is the map key a shop customer is remembered by: the shop's customer id for
// account holders, a hash of what the strategy matches on for guests.
func customerKey(m config.CustomerMatch, o sdk.Order) string {
	if !o.Customer.Guest() {
		return "id:" + o.Customer.ID
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s", m, strings.ToLower(orderEmail(o)), normPostcode(deliveryAddress(o).Postcode),
		strings.TrimSpace(o.Customer.Code), strings.ToLower(firstNonEmpty(o.Billing.Company, o.Customer.Company)))
	return "guest:" + hex.EncodeToString(h.Sum(nil))[:32]
}

// buildRelatie maps the order's customer to a new relatie, within SnelStart's limits, and
// returns it with a hash of the fields add_update keeps up to date.
func (r *run) buildRelatie(o sdk.Order, w *warnings) (sdk.Relatie, string, error) {
	cs := r.p.prof.Customers
	b := o.Billing
	company := firstNonEmpty(b.Company, o.Customer.Company)
	person := personName(b, o.Customer)
	email := orderEmail(o)
	name := firstNonEmpty(company, person, email)
	if name == "" {
		return sdk.Relatie{}, "", refusef("the order has no customer name, company or e-mail address, so no SnelStart customer can be made for it")
	}
	rel := sdk.Relatie{
		Name:     w.cut(name, maxName, "the customer name"),
		Customer: true,
		Phone:    w.cut(firstNonEmpty(b.Phone, o.Customer.Phone), maxPhone, "the phone number"),
	}
	contact := ""
	if company != "" {
		contact = person
	}
	addr, err := r.ledgerAddress(b, contact, w, "the billing address")
	if err != nil {
		return sdk.Relatie{}, "", err
	}
	if addr != nil {
		rel.Address = *addr
	}
	if len(email) > maxEmail {
		w.add("the e-mail address is longer than SnelStart's %d characters and was left out", maxEmail)
		email = ""
	}
	rel.Email = email
	if v := strings.TrimSpace(o.Customer.VATNumber); v != "" {
		if n, ok := normaliseVATNumber(v, b.Country); ok {
			rel.VATNumber = n
		} else {
			w.add("the VAT number is not valid for country %q and was not stored on the customer", b.Country)
		}
	}
	if cs.PaymentTerm != nil {
		t := *cs.PaymentTerm
		rel.PaymentTermDays = &t
	}
	if cs.EmailInvoices || cs.EmailReminders {
		if email == "" {
			w.add("the order has no e-mail address, so invoice and reminder e-mail were not switched on")
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
func (r *run) ledgerAddress(a sdk.Address, contact string, w *warnings, what string) (*sdk.LedgerAddress, error) {
	street := joinNonEmpty(" ", a.Street, a.Street2)
	country := strings.ToUpper(strings.TrimSpace(a.Country))
	if street == "" && a.Postcode == "" && a.City == "" {
		return nil, nil
	}
	if street == "" || strings.TrimSpace(a.Postcode) == "" || strings.TrimSpace(a.City) == "" || country == "" {
		w.add("%s is incomplete (street, postcode, city and country are all needed) and was left out", what)
		return nil, nil
	}
	if len(r.rd.countries) > 0 && !r.rd.countries[country] {
		return nil, refusef("the country %q of %s is not in SnelStart's list of countries (landen); add it in SnelStart or correct the order", country, what)
	}
	la := &sdk.LedgerAddress{
		Street:   w.cut(street, maxStreet, "the street of "+what),
		Postcode: w.cut(a.Postcode, maxPostcode, "the postcode of "+what),
		City:     w.cut(a.City, maxCity, "the city of "+what),
		Country:  country,
	}
	if contact != "" {
		la.Contact = w.cut(contact, maxContact, "the contact person of "+what)
	}
	return la, nil
}

// updateRelatie applies customers.mode = add_update to a matched relatie: name, address, phone
// and e-mail from the shop (a relatie whose e-mail list already holds the order's address keeps
// its list). Everything else on the relatie is left as it is.
func (r *run) updateRelatie(ctx context.Context, cur, want sdk.Relatie) (customerRef, error) {
	next := cur
	next.Name = want.Name
	if want.Address != (sdk.LedgerAddress{}) {
		next.Address = want.Address
	}
	if want.Phone != "" {
		next.Phone = want.Phone
	}
	if want.Email != "" && !emailIn(want.Email, cur.Email) {
		next.Email = want.Email
	}
	if next.Name == cur.Name && next.Address == cur.Address && next.Phone == cur.Phone && next.Email == cur.Email {
		return customerRef{ID: cur.ID, Code: cur.Code, Name: cur.Name}, nil
	}
	upd, err := r.p.ledger.UpdateRelatie(ctx, next)
	if err != nil {
		return customerRef{}, fmt.Errorf("update customer %d: %w", cur.Code, err)
	}
	if upd.ID == "" {
		upd = next
	}
	return customerRef{ID: upd.ID, Code: upd.Code, Name: upd.Name}, nil
}

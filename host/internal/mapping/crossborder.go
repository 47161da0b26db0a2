package mapping

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// VATScheme says how SnelStart taxes an order, decided by where it goes and to whom.
type VATScheme string

// VAT schemes (spec/settings.md, orders.vat_check).
const (
	// SchemeDomestic: delivered in the Netherlands, or to an EU consumer abroad while the
	// administration does not invoice foreign VAT (OSS off): Dutch rates.
	SchemeDomestic VATScheme = "domestic"
	// SchemeOSS: an EU consumer abroad with foreign VAT invoicing (OSS) on: the destination
	// country's rate for the article's VAT class.
	SchemeOSS VATScheme = "oss"
	// SchemeICP: an EU business abroad with a VAT number of valid form, charged no VAT by the
	// shop (intracommunautaire levering): 0 %, the relatie carries the VAT number.
	SchemeICP VATScheme = "icp"
	// SchemeExport: delivered outside the EU: 0 %.
	SchemeExport VATScheme = "export"
)

// homeCountry is the country of every SnelStart administration.
const homeCountry = "NL"

// euMembers are the ISO codes of the EU member states.
var euMembers = map[string]bool{
	"AT": true, "BE": true, "BG": true, "CY": true, "CZ": true, "DE": true, "DK": true, "EE": true, "ES": true,
	"FI": true, "FR": true, "GR": true, "HR": true, "HU": true, "IE": true, "IT": true, "LT": true, "LU": true,
	"LV": true, "MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SE": true, "SI": true, "SK": true,
}

// orderVAT is the VAT scheme of one order.
type orderVAT struct {
	Scheme VATScheme
	// Country is the destination (ISO code): the delivery address's country, else the billing
	// address's; "NL" when the order names none.
	Country string
	// VATNumber is the customer's VAT number in SnelStart's form, for ICP.
	VATNumber string
	// abroad is set for an EU consumer outside the Netherlands (OSS, or Dutch rates with OSS off).
	abroad bool
}

// destination is the country an order goes to.
func destination(o sdk.Order) string {
	c := strings.ToUpper(strings.TrimSpace(o.Shipping.Country))
	if c == "" {
		c = strings.ToUpper(strings.TrimSpace(o.Billing.Country))
	}
	if c == "" {
		c = homeCountry
	}
	return c
}

// crossBorder decides the order's VAT scheme. It refuses (per orders.vat_check) an order that
// the shop sent VAT-free into another EU country with a VAT number of invalid form.
func (op *orderPlan) crossBorder() (orderVAT, error) {
	o := op.o
	ov := orderVAT{Scheme: SchemeDomestic, Country: destination(o)}
	switch {
	case ov.Country == homeCountry:
		return ov, nil
	case !euMembers[ov.Country]:
		ov.Scheme = SchemeExport
		return ov, nil
	}
	raw := strings.TrimSpace(o.Customer.VATNumber)
	if raw != "" && o.Totals.Tax.IsZero() && !o.Totals.Total.IsZero() {
		billing := strings.ToUpper(strings.TrimSpace(FirstNonEmpty(o.Billing.Country, ov.Country)))
		if n, ok := NormaliseVATNumber(raw, billing); ok && euMembers[billing] && billing != homeCountry {
			ov.Scheme, ov.VATNumber = SchemeICP, n
			return ov, nil
		}
		msg := fmt.Sprintf(text.Template("reason.icp_vat_number_form"),
			countryName(ov.Country), raw, countryName(FirstNonEmpty(o.Billing.Country, ov.Country)))
		switch op.p.prof.Orders.VATCheck {
		case config.VATCheckFail:
			return ov, Refusef("%s", msg)
		case config.VATCheckWarn:
			op.w.Add("%s", msg)
		}
	}
	ov.abroad = true
	if op.p.ref.Data.Company.ForeignVAT {
		ov.Scheme = SchemeOSS
	}
	return ov, nil
}

// confirmICP keeps the ICP scheme only when the shop left VAT off a product that SnelStart
// taxes at home (an article whose omzetgroep is Hoog or Laag). An order of zero-rated goods
// alone (a gift voucher, its shipping following at 0 %) is no ICP delivery: it is booked as a
// consumer sale, and a relatie the plan creates or updates does not get the VAT number.
func (op *orderPlan) confirmICP(lines []plannedLine) {
	if op.vat.Scheme != SchemeICP {
		return
	}
	for _, l := range lines {
		if l.kind != LineProduct || l.article == nil {
			continue
		}
		if g, ok := op.p.ref.Groups[l.article.RevenueGroupID]; ok && (g.VATClass == sdk.VATHigh || g.VATClass == sdk.VATLow) {
			return
		}
	}
	ov := orderVAT{Scheme: SchemeDomestic, Country: op.vat.Country, abroad: true}
	if op.p.ref.Data.Company.ForeignVAT {
		ov.Scheme = SchemeOSS
	}
	op.vat = ov
	op.p = op.p.home().withVAT(ov)
	op.plan.VATScheme = ov.Scheme
	if r := op.plan.Customer.Relatie; r != nil {
		r.VATNumber = ""
	}
}

// icpCustomer makes sure the relatie of a confirmed ICP delivery carries the VAT number, which
// is how SnelStart knows the delivery is intra-community: an existing relatie without one gets
// it (a CustomerUpdate) unless customers.mode is "manual", when the order is refused naming the
// fix. A relatie whose country differs from the VAT number's is left alone (SnelStart refuses
// the combination); SnelStart's total then differs and the difference is listed after the create.
func (op *orderPlan) icpCustomer(ctx context.Context) error {
	d := &op.plan.Customer
	if op.vat.Scheme != SchemeICP || d.Action != CustomerExisting || d.ID == "" {
		return nil
	}
	found, err := op.p.view.FindRelaties(ctx, sdk.RelatieQuery{ID: d.ID})
	if err != nil {
		return text.Errorf("reason.lookup_customer_vat", d.Code, err)
	}
	c := Eligible(found)
	if len(c) == 0 || c[0].VATNumber != "" {
		return nil
	}
	cur := c[0]
	vatCountry := op.vat.VATNumber[:2]
	if vatCountry == "EL" {
		vatCountry = "GR"
	}
	if cur.Address.Country != "" && !strings.EqualFold(cur.Address.Country, vatCountry) {
		op.w.Add(text.Template("reason.icp_country_differs"),
			cur.Code, countryName(cur.Address.Country), op.vat.VATNumber, countryName(vatCountry))
		return nil
	}
	if op.p.prof.Customers.Mode == config.ModeManual {
		return Refusef(text.Template("reason.icp_customer_manual"),
			countryName(op.vat.Country), cur.Code, cur.Name, op.vat.VATNumber)
	}
	next := cur
	next.VATNumber = op.vat.VATNumber
	d.Action, d.Relatie = CustomerUpdate, &next
	op.w.Add(text.Template("reason.icp_vat_set"), op.vat.VATNumber, cur.Code)
	return nil
}

// home returns the planner without an order's VAT scheme.
func (p *Planner) home() *Planner {
	if p.ref.vat == nil {
		return p
	}
	ref := *p.ref
	ref.vat = nil
	cp := *p
	cp.ref = &ref
	return &cp
}

// withVAT returns a copy of the planner whose reference data apply the order's VAT scheme.
func (p *Planner) withVAT(ov orderVAT) *Planner {
	if ov.Scheme == SchemeDomestic {
		return p
	}
	ref := *p.ref
	ref.vat = &ov
	cp := *p
	cp.ref = &ref
	return &cp
}

// schemeRate is the rate a VAT class has under the order's scheme (ok false when unknown).
func (rd *Reference) schemeRate(class sdk.VATClass, date time.Time) (sdk.Money, bool) {
	switch rd.vat.Scheme {
	case SchemeICP, SchemeExport:
		return decimal.Zero, true
	case SchemeOSS:
		return ForeignRateOn(rd.Data.ForeignVATRates, rd.vat.Country, class, date)
	}
	return RateOn(rd.Data.VATRates, class, date)
}

// ForeignRateOn returns the rate of a VAT class in an EU country on date, from the ledger's
// foreign rates (OSS). Geen is 0 %.
func ForeignRateOn(rates []sdk.ForeignVATRate, country string, class sdk.VATClass, date time.Time) (sdk.Money, bool) {
	if class == sdk.VATNone {
		return decimal.Zero, true
	}
	var best *sdk.ForeignVATRate
	for i := range rates {
		r := &rates[i]
		if !strings.EqualFold(r.Country, country) || r.Class != class || date.Before(r.From) {
			continue
		}
		if best == nil || r.From.After(best.From) {
			best = r
		}
	}
	if best == nil {
		return decimal.Zero, false
	}
	return best.Percentage, true
}

// vatMismatch refuses an order whose lines' VAT rates differ from SnelStart's (problems, joined
// by "; "), saying first what to do about it under the order's VAT scheme: OSS, OSS switched off
// for a consumer abroad, export, or at home.
func (op *orderPlan) vatMismatch(problems string) error {
	rd := op.p.ref
	country := countryName(op.vat.Country)
	switch {
	case rd.vat == nil && op.vat.abroad:
		return Refusef(text.Template("reason.vat_mismatch_oss_off"), country, country, problems)
	case rd.vat != nil && rd.vat.Scheme == SchemeOSS:
		return Refusef(text.Template("reason.vat_mismatch_oss"), countryName(rd.vat.Country), countryName(rd.vat.Country), problems)
	case rd.vat != nil && rd.vat.Scheme == SchemeExport:
		return Refusef(text.Template("reason.vat_mismatch_export"), countryName(rd.vat.Country), problems)
	}
	return Refusef(text.Template("reason.vat_mismatch"), problems)
}

// countryName is the English name of a country code as reasons are stored (text.Country); the
// reader sees it in their own language.
func countryName(code string) string { return text.Country(code) }

// checkCurrency refuses an order in another currency than the administration's
// (orders.currency): its amounts would otherwise be booked as if they were euros.
func (op *orderPlan) checkCurrency() error {
	want := strings.ToUpper(FirstNonEmpty(op.p.prof.Orders.Currency, "EUR"))
	got := strings.ToUpper(strings.TrimSpace(op.o.Currency))
	if got == "" || got == want {
		return nil
	}
	return Refusef(text.Template("reason.currency"),
		got, want, want, want, want)
}

package simulator

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// The generator makes realistic orders of a Dutch web shop selling to NL, BE and DE: simple
// products and variations, 21%/9% (NL), 21%/6% (BE) and 19%/7% (DE) rates, zero-rated gift
// vouchers, percentage and fixed coupons, shipping, payment fees and negative fees, guests and
// registered customers, companies, non-ASCII names, and shops with and without tax-inclusive
// prices. Orders go through the same code as POST /orders, so totals are consistent to the
// cent: order total = Σ line totals + shipping + fees + total_tax, line taxes = rate × total
// (taken out of the gross line amount when the order's prices include tax).

func js(v string) jString { return jString{Set: true, V: v} }
func ji(v int64) jInt     { return jInt{Set: true, V: v} }
func jm(v string) jMoney  { return jMoney{Set: true, V: decimal.RequireFromString(v)} }
func jp(v string) jPrice {
	return jPrice{Set: true, V: decimal.NewNullDecimal(decimal.RequireFromString(v))}
}

type genProduct struct {
	name, sku, price, class string
	attr                    string
	options                 []string
	optPrices               []string
	managed                 bool
}

var genCatalogue = []genProduct{
	{name: "Koffiebonen Ethiopië 1kg", sku: "GEN-KOF-1KG", price: "18.95", class: "reduced-rate", managed: true},
	{name: "Boek \"Koken\" & meer", sku: "GEN-BOEK-KOKEN", price: "24.50", class: "reduced-rate", managed: true},
	{name: "Theeglas Ærø", sku: "GEN-GLAS-AERO", price: "7.25", managed: true},
	{name: "Espressokopjes set (4)", sku: "GEN-ESP-SET", price: "29.99"},
	{name: "Cadeaubon €25", sku: "GEN-BON-25", price: "25.00", class: "zero-rate"},
	{name: "Wollen sokken Größe 43", sku: "GEN-SOK-43", price: "12.49", managed: true},
	{name: "T-shirt Ærø", sku: "GEN-TS", class: "", attr: "Maat", options: []string{"S", "M", "L", "XL"},
		optPrices: []string{"19.95", "19.95", "19.95", "21.95"}, managed: true},
	{name: "Hoodie Crème", sku: "GEN-HD", class: "", attr: "Kleur", options: []string{"Crème", "Zwart", "Bordeaux"},
		optPrices: []string{"49.95", "49.95", "54.95"}, managed: true},
}

type genCustomer struct {
	id                                     int64
	first, last, company, street, postcode string
	city, country, email, phone            string
	// emailAlt, when set, is the same address as the customer typed it on other orders
	// (mixed case): used on every order with an odd id.
	emailAlt string
	// vat is the customer's VAT number (B2B), stored as order meta "vat_number" as EU VAT
	// plugins do.
	vat string
}

// genCustomers are the generator's customers: every order carries a billing e-mail (guests
// too, as in WooCommerce); each customer orders several times in a generated set of a few dozen
// orders; Anouk (a guest) types her e-mail in mixed case on some orders; Hoekstra Fietsen,
// Janssens & Co and Weiß GmbH are businesses with a VAT number. Jan de Vries (customer 2,
// jan.devries@example.nl, 3511 AB) is also relatie 1001 of the SnelStart simulator's
// administration.
var genCustomers = []genCustomer{
	{id: 0, first: "Zoë", last: "van der Berg", company: "Berg & Zn. B.V.", street: "Keizersgracht 123", postcode: "1015 CJ", city: "Amsterdam", country: "NL", email: "zoe@bergenzn.example.nl", phone: "+31 20 123 4567"},
	{id: 2, first: "Jan", last: "de Vries", street: "Oudegracht 45", postcode: "3511 AB", city: "Utrecht", country: "NL", email: "jan.devries@example.nl", phone: "06 12345678"},
	{id: 0, first: "Anouk", last: "Bakker", street: "Markt 8", postcode: "5611 EB", city: "Eindhoven", country: "NL", email: "anouk.bakker@example.nl", emailAlt: "Anouk.Bakker@Example.NL", phone: "040 2123456"},
	{id: 3, first: "Sjoerd", last: "Hoekstra", company: "Hoekstra Fietsen V.O.F.", street: "Nieuwestad 77", postcode: "8911 CM", city: "Leeuwarden", country: "NL", email: "info@hoekstrafietsen.example.nl", phone: "058 2134567", vat: "NL123456782B01"},
	{id: 0, first: "Françoise", last: "Dubois", street: "Rue Haute 12", postcode: "1000", city: "Bruxelles", country: "BE", email: "francoise.dubois@example.be", phone: "+32 2 123 45 67"},
	{id: 4, first: "Pieter", last: "Janssens", company: "Janssens & Co BV", street: "Meir 50", postcode: "2000", city: "Antwerpen", country: "BE", email: "pieter@janssens-co.example.be", phone: "+32 3 987 65 43", vat: "BE0123456749"},
	{id: 0, first: "Jürgen", last: "Müller", street: "Königstraße 5", postcode: "70173", city: "Stuttgart", country: "DE", email: "juergen.mueller@example.de", phone: "+49 711 123456"},
	{id: 5, first: "Søren", last: "Weiß", company: "Weiß GmbH", street: "Straße des 17. Juni 100", postcode: "10623", city: "Berlin", country: "DE", email: "buchhaltung@weiss-gmbh.example.de", phone: "+49 30 1234567", vat: "DE123456789"},
	{id: 0, first: "Ömer", last: "Yılmaz", street: "Damrak 1", postcode: "1012 LG", city: "Amsterdam", country: "NL", email: "omer.yilmaz@example.nl", phone: "06 98765432"},
	{id: 6, first: "Marie-José", last: "Smit-Ruíz", street: "Grote Markt 3", postcode: "9711 LV", city: "Groningen", country: "NL", email: "mj.smit@example.nl", phone: "050 3123456"},
}

var genPayments = map[string][][2]string{
	"NL": {{"ideal", "iDEAL"}, {"bacs", "Bankoverschrijving"}, {"paypal", "PayPal"}},
	"BE": {{"bancontact", "Bancontact"}, {"bacs", "Bankoverschrijving"}},
	"DE": {{"klarna", "Klarna"}, {"paypal", "PayPal"}, {"sofort", "SOFORT"}},
}

var genShipping = map[string][2]string{"NL": {"PostNL", "4.95"}, "BE": {"bpost", "6.95"}, "DE": {"DHL", "7.95"}}

// ensureCatalogueLocked creates the generator's products once; the caller holds mu.
func (s *Server) ensureCatalogueLocked() ([]*Product, error) {
	var out []*Product
	for _, g := range genCatalogue {
		var existing *Product
		for _, p := range s.products {
			if p.SKU == g.sku {
				existing = p
			}
		}
		if existing == nil {
			in := productInput{Name: js(g.name), SKU: js(g.sku), TaxClass: js(g.class)}
			if g.managed {
				in.ManageStock = json.RawMessage("true")
				in.StockQuantity = ji(100000)
			}
			if g.attr == "" {
				in.Type = js("simple")
				in.RegularPrice = jp(g.price)
			} else {
				in.Type = js("variable")
				opts := make([]jString, len(g.options))
				for i, o := range g.options {
					opts[i] = js(o)
				}
				in.Attributes = []attributeInput{{Name: js(g.attr), Visible: jBool{Set: true, V: true},
					Variation: jBool{Set: true, V: true}, Options: opts}}
			}
			p, e := s.createProductLocked(&in, 0, false)
			if e != nil {
				return nil, fmt.Errorf("simulator: generator catalogue %s: %w", g.sku, e)
			}
			existing = p
			for i, o := range g.options {
				vin := productInput{SKU: js(g.sku + "-" + sanitizeTitle(o)), RegularPrice: jp(g.optPrices[i]),
					Attributes: []attributeInput{{Name: js(g.attr), Option: js(o)}}}
				if g.managed {
					vin.ManageStock = json.RawMessage("true")
					vin.StockQuantity = ji(100000)
				}
				if _, e := s.createProductLocked(&vin, p.ID, false); e != nil {
					return nil, fmt.Errorf("simulator: generator catalogue %s/%s: %w", g.sku, o, e)
				}
			}
		}
		out = append(out, existing)
	}
	return out, nil
}

// GenerateOrders creates n realistic orders (deterministic for a given RandSeed and store
// state), created over the 30 days before the clock's now, ids ascending with creation time,
// and about one in ten sharing its modification second with the previous one. It creates the
// generator's catalogue first when it is missing.
func (s *Server) GenerateOrders(n int) ([]Order, error) {
	if n < 0 {
		return nil, fmt.Errorf("simulator: generate %d orders: negative count", n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	catalogue, err := s.ensureCatalogueLocked()
	if err != nil {
		return nil, err
	}
	s.modIdx.markStale() // dates are rewritten after creation: rebuild once when next listed
	now := s.now()
	offsets := make([]int64, n)
	for i := range offsets {
		offsets[i] = s.rnd.Int63n(30*24*3600) + 60
	}
	sort.Slice(offsets, func(i, j int) bool { return offsets[i] > offsets[j] })
	out := make([]Order, 0, n)
	var prevModified time.Time
	for i := 0; i < n; i++ {
		in, c := s.genOrderInput(catalogue)
		s.ensureCustomerLocked(c)
		o, e := s.createOrderLocked(in, false)
		if e != nil {
			return out, fmt.Errorf("simulator: generate order %d: %w", i, e)
		}
		// The billing e-mail and phone are set on the stored order itself: real orders always
		// carry an e-mail, guests' too.
		o.Billing.Email, o.Billing.Phone = c.email, c.phone
		if c.emailAlt != "" && o.ID%2 == 1 {
			o.Billing.Email = c.emailAlt
		}
		created := now.Add(-time.Duration(offsets[i]) * time.Second)
		modified := created.Add(time.Duration(s.rnd.Int63n(48*3600)) * time.Second)
		if modified.After(now) {
			modified = now
		}
		if i > 0 && s.rnd.Intn(10) == 0 && !prevModified.Before(created) {
			modified = prevModified
		}
		if modified.Before(created) {
			modified = created
		}
		prevModified = modified
		o.DateCreated, o.DateModified = created, modified
		if o.DatePaid != nil {
			t := created.Add(time.Duration(s.rnd.Intn(300)) * time.Second)
			if t.After(modified) {
				t = modified
			}
			o.DatePaid = &t
		}
		if o.DateCompleted != nil {
			t := modified
			o.DateCompleted = &t
		}
		if o.Status == "refunded" {
			s.nextPostID++
			o.Refunds = []Refund{{ID: s.nextPostID, Reason: "Retour ontvangen", Total: o.Total.Neg(), Amount: o.Total,
				DateCreated: modified}}
		}
		out = append(out, o.clone())
	}
	return out, nil
}

func (s *Server) pick(n int) int { return s.rnd.Intn(n) }

// genOrderInput builds one POST /orders body and returns it with its customer; the caller
// holds mu.
func (s *Server) genOrderInput(catalogue []*Product) (*orderInput, genCustomer) {
	c := genCustomers[s.pick(len(genCustomers))]
	in := &orderInput{}
	addr := &addressInput{FirstName: js(c.first), LastName: js(c.last), Company: js(c.company), Address1: js(c.street),
		City: js(c.city), Postcode: js(c.postcode), Country: js(c.country), Email: js(c.email), Phone: js(c.phone)}
	in.Billing = addr
	ship := *addr
	ship.Email = jString{}
	in.Shipping = &ship
	in.CustomerID = ji(c.id)
	pays := genPayments[c.country]
	pay := pays[s.pick(len(pays))]
	in.PaymentMethod, in.PaymentMethodTitle = js(pay[0]), js(pay[1])
	in.PricesIncludeTax = jBool{Set: true, V: s.pick(2) == 0}
	in.MetaData = []metaInput{
		{Key: js("is_vat_exempt"), Value: json.RawMessage(`"no"`)},
		{Key: js("_wc_order_attribution_source_type"), Value: json.RawMessage(`"typein"`)},
	}
	if c.vat != "" {
		v, _ := json.Marshal(c.vat)
		in.MetaData = append(in.MetaData, metaInput{Key: js("vat_number"), Value: v})
	}
	nLines := 1 + s.pick(4)
	used := map[int64]bool{}
	for l := 0; l < nLines; l++ {
		p := catalogue[s.pick(len(catalogue))]
		li := lineInput{ProductID: ji(p.ID), Quantity: ji(int64(1 + s.pick(3)))}
		if p.Type == "variable" {
			kids := s.childrenOf(p.ID)
			if len(kids) == 0 {
				continue
			}
			v := kids[s.pick(len(kids))]
			if used[v] {
				continue
			}
			used[v] = true
			li.VariationID = ji(v)
		} else {
			if used[p.ID] {
				continue
			}
			used[p.ID] = true
		}
		in.LineItems = append(in.LineItems, li)
	}
	if len(in.LineItems) == 0 {
		in.LineItems = []lineInput{{ProductID: ji(catalogue[0].ID), Quantity: ji(1)}}
	}
	if s.pick(8) != 0 {
		sh := genShipping[c.country]
		in.ShippingLines = []shippingInput{{MethodID: js("flat_rate"), MethodTitle: js(sh[0]), InstanceID: js(strconv.Itoa(1 + s.pick(3))), Total: jm(sh[1])}}
	}
	switch s.pick(10) {
	case 0, 1:
		in.FeeLines = []feeInput{{Name: js("Betaalkosten"), TaxStatus: js("taxable"), Total: jm("0.29")}}
	case 2:
		in.FeeLines = []feeInput{{Name: js("Korting vaste klant"), TaxStatus: js("taxable"), Total: jm("-2.50")}}
	}
	switch s.pick(8) {
	case 0:
		in.CouponLines = []couponInput{{Code: js("welkom10")}}
	case 1:
		in.CouponLines = []couponInput{{Code: js("korting5")}}
	}
	statuses := []string{"processing", "processing", "processing", "processing", "completed", "completed", "completed",
		"on-hold", "pending", "cancelled", "refunded"}
	st := statuses[s.pick(len(statuses))]
	in.Status = js(st)
	if st == "processing" || st == "completed" || st == "refunded" {
		in.TransactionID = js("tr_" + strconv.FormatInt(s.rnd.Int63n(1e10), 36))
	}
	if s.pick(6) == 0 {
		in.CustomerNote = js("Graag bellen vóór bezorging")
	}
	return in, c
}

package simulator

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// catalogueItem is one product of the generated catalogue.
type catalogueItem struct {
	sku, name, price, rate string
	variants               []string // variant SKU suffixes (the parent is then not orderable)
	options                []Option
}

var catalogue = []catalogueItem{
	{sku: "TUIN-001", name: "Snoeischaar Professional", price: "24.95", rate: "21"},
	{sku: "TUIN-002", name: "Tuinhandschoenen &amp; knieschoner", price: "12.50", rate: "21"},
	{sku: "TUIN-003", name: "Potgrond universeel 40 L", price: "7.99", rate: "9"},
	{sku: "TUIN-004", name: "Zaadmix bloemenweide", price: "4.49", rate: "9"},
	{sku: "TUIN-005", name: "Olijfboom in pot", price: "89.00", rate: "9"},
	{sku: "TUIN-006", name: "Gieter 10 liter", price: "14.95", rate: "21"},
	{sku: "TUIN-007", name: "Mest korrels 2,5 kg", price: "11.25", rate: "21"},
	{sku: "TUIN-008", name: "Tuinbank hardhout", price: "349.00", rate: "21"},
	{sku: "TUIN-009", name: "Cadeaubon", price: "25.00", rate: "0"},
	{sku: "TUIN-010", name: "Bloembollen tulp mix (50 st.)", price: "9.95", rate: "9"},
	{sku: "TUIN-011", name: "Plantenvoeding vloeibaar", price: "6.79", rate: "21", options: []Option{{"Inhoud", "1 liter"}}},
	{sku: "TS", name: "Tuinschort", price: "19.95", rate: "21", variants: []string{"GROEN-M", "GROEN-L", "ZWART-M"}},
	{sku: "POT", name: "Terracotta pot", price: "8.50", rate: "21", variants: []string{"20CM", "30CM"}},
}

var (
	firstNames = []string{"Jan", "Sanne", "Pieter", "Fleur", "Mohamed", "Anouk", "Daan", "Lotte", "Kees", "Yara", "Bram", "Noor"}
	lastNames  = []string{"de Vries", "Jansen", "van den Berg", "Bakker", "El Amrani", "Visser", "Smit", "de Jong", "Meijer", "van Dijk"}
	companies  = []string{"", "", "", "", "Hoveniersbedrijf Groen B.V.", "De Bloemenhoek", "Kwekerij 't Zonnetje"}
	streets    = []struct{ street, postcode, city, country string }{
		{"Dorpsstraat", "1234AB", "Amersfoort", "NL"},
		{"Kerkweg", "3511 ab", "Utrecht", "NL"},
		{"Laan van Meerdervoort", "2517AK", "Den Haag", "NL"},
		{"Hoofdstraat", "9401 EB", "Assen", "NL"},
		{"Prinsengracht", "1015DX", "Amsterdam", "NL"},
		{"Stationsplein", "5611 AB", "Eindhoven", "NL"},
		{"Meir", "2000", "Antwerpen", "BE"},
		{"Grote Markt", "9000", "Gent", "BE"},
	}
	suffixes = []string{"", "", "", "", "A", "B", "bis", "-2", "hs", "1 hoog"}
	payments = []struct{ code, name, fee string }{
		{"ideal", "iDEAL", ""}, {"ideal", "iDEAL", ""}, {"ideal", "iDEAL", ""},
		{"bancontact", "Bancontact", ""}, {"banktransfer", "Overboeking", ""}, {"afterpay", "Achteraf betalen (Riverty)", "1.95"},
	}
	notes = []string{"", "", "", "", "Graag bij de buren afgeven als ik niet thuis ben.", "Cadeau: graag zonder factuur in het pakket."}
)

// ensureCatalogueLocked creates the generated catalogue once.
func (s *Server) ensureCatalogueLocked() {
	if s.catalogue {
		return
	}
	s.catalogue = true
	base := s.now().Add(-60 * 24 * time.Hour)
	for i, c := range catalogue {
		stock := int64(5 + s.rnd.IntN(80))
		p := Product{SKU: c.sku, EAN: fmt.Sprintf("87%011d", 1000+i), Name: c.name, PriceInclVAT: A(c.price), VATRate: A(c.rate),
			ManageStock: c.sku != "TUIN-009" && len(c.variants) == 0, UpdatedAt: Time{base.Add(time.Duration(i) * time.Hour)}}
		if p.ManageStock {
			p.Stock = &stock
		}
		parent, _ := s.addProductLocked(p)
		for j, v := range c.variants {
			vs := int64(s.rnd.IntN(30))
			_, _ = s.addProductLocked(Product{ParentID: parent.ID, SKU: c.sku + "-" + v, EAN: fmt.Sprintf("87%011d", 5000+i*10+j),
				Name: c.name + " " + strings.ReplaceAll(v, "-", " "), PriceInclVAT: A(c.price), VATRate: A(c.rate), ManageStock: true, Stock: &vs,
				UpdatedAt: Time{base.Add(time.Duration(i)*time.Hour + time.Duration(j+1)*time.Minute)}})
		}
	}
}

// orderable returns the products an order line can hold: simple products and variants.
func (s *Server) orderableLocked() []Product {
	hasChildren := map[int64]bool{}
	for _, p := range s.products {
		if p.ParentID != 0 {
			hasChildren[p.ParentID] = true
		}
	}
	var out []Product
	for id := int64(1); id < s.nextProd; id++ {
		if p, ok := s.products[id]; ok && !hasChildren[p.ID] {
			out = append(out, *p)
		}
	}
	return out
}

func (s *Server) pick(list []string) string { return list[s.rnd.IntN(len(list))] }

// GenerateOrders adds n realistic orders (and the catalogue, the first time) and returns them.
// Orders are created over the 30 days before the clock's now, ids ascending with creation time,
// each modified a little after creation; statuses are mostly paid, processing, shipped or
// completed, with some new, pending, cancelled and refunded ones. Amounts add up to the cent.
func (s *Server) GenerateOrders(n int) ([]Order, error) {
	if n < 0 || n > 1_000_000 {
		return nil, fmt.Errorf("simulator: cannot generate %d orders", n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureCatalogueLocked()
	products := s.orderableLocked()
	now := s.now()
	start := now.Add(-30 * 24 * time.Hour)
	step := 30 * 24 * time.Hour / time.Duration(max(n, 1))
	out := make([]Order, 0, n)
	for i := 0; i < n; i++ {
		created := start.Add(time.Duration(i)*step + time.Duration(s.rnd.Int64N(int64(step)/2+1)))
		o := s.randomOrderLocked(products, created, now)
		stored, err := s.addOrderLocked(o)
		if err != nil {
			return out, err
		}
		out = append(out, stored)
	}
	return out, nil
}

// randomOrderLocked makes one order created at created, modified no later than now.
func (s *Server) randomOrderLocked(products []Product, created, now time.Time) Order {
	first, last := s.pick(firstNames), s.pick(lastNames)
	company := s.pick(companies)
	addr := streets[s.rnd.IntN(len(streets))]
	email := strings.ToLower(strings.ReplaceAll(first+"."+last, " ", "")) + fmt.Sprintf("%d@example.nl", s.rnd.IntN(100))
	billing := Address{Company: company, FirstName: first, LastName: last, Street: addr.street,
		HouseNumber: fmt.Sprint(1 + s.rnd.IntN(250)), HouseNumberSuffix: s.pick(suffixes), PostalCode: addr.postcode,
		City: addr.city, Country: addr.country, Phone: fmt.Sprintf("06%08d", s.rnd.IntN(100000000)), Email: email}
	o := Order{Status: "paid", CreatedAt: Time{created}, Currency: "EUR", PricesIncludeVAT: true, BillingAddress: billing,
		CustomerNote: s.pick(notes)}
	if s.rnd.IntN(4) == 0 {
		ship := billing
		other := streets[s.rnd.IntN(len(streets))]
		ship.Street, ship.PostalCode, ship.City, ship.Country = other.street, other.postcode, other.city, other.country
		ship.HouseNumber, ship.HouseNumberSuffix = fmt.Sprint(1+s.rnd.IntN(99)), s.pick(suffixes)
		ship.Email, ship.Phone = "", ""
		o.ShippingAddress = &ship
	}
	if s.rnd.IntN(3) > 0 {
		cid := int64(500 + s.rnd.IntN(400))
		o.Customer = Customer{ID: cid, Code: fmt.Sprintf("K%d", cid)}
	}
	o.Customer.Email, o.Customer.Phone = email, billing.Phone
	o.Customer.FirstName, o.Customer.LastName, o.Customer.Company = first, last, company
	if company != "" && s.rnd.IntN(2) == 0 {
		o.Customer.VATNumber = fmt.Sprintf("NL%09dB01", s.rnd.IntN(1000000000))
	}

	lines := 1 + s.rnd.IntN(4)
	for j := 0; j < lines; j++ {
		p := products[s.rnd.IntN(len(products))]
		qty := decimal.NewFromInt(int64(1 + s.rnd.IntN(3)))
		unit := p.PriceInclVAT.Decimal
		l := Line{ProductID: p.ID, SKU: p.SKU, EAN: p.EAN, Name: p.Name, Quantity: Amount{qty}, VATRate: p.VATRate}
		if p.ParentID != 0 {
			l.ProductID, l.VariantID = p.ParentID, p.ID
			l.Options = []Option{{"Variant", strings.TrimPrefix(p.SKU, s.products[p.ParentID].SKU+"-")}}
		}
		for _, c := range catalogue {
			if c.sku == p.SKU {
				l.Options = append(l.Options, c.options...)
			}
		}
		if s.rnd.IntN(8) == 0 { // 10% line discount
			disc := unit.Mul(qty).Mul(decimal.NewFromInt(10)).Div(hundred).Round(2)
			l.DiscountInclVAT = Amount{disc}
			l.TotalInclVAT = Amount{unit.Mul(qty).Sub(disc)}
			unit = l.TotalInclVAT.Div(qty).Round(4)
		}
		l.UnitPriceInclVAT = Amount{unit}
		o.Lines = append(o.Lines, l)
	}
	goods := decimal.Zero
	for _, l := range o.Lines {
		if l.TotalInclVAT.IsZero() {
			goods = goods.Add(l.UnitPriceInclVAT.Mul(l.Quantity.Decimal))
		} else {
			goods = goods.Add(l.TotalInclVAT.Decimal)
		}
	}
	o.ShippingMethod, o.ShippingMethodName, o.ShippingVATRate = "postnl", "PostNL pakket", A("21")
	switch {
	case billing.Country == "BE":
		o.ShippingMethod, o.ShippingMethodName, o.ShippingCosts = "postnl_be", "PostNL België", A("9.95")
	case goods.GreaterThanOrEqual(decimal.NewFromInt(50)):
		o.ShippingCosts = A("0")
	default:
		o.ShippingCosts = A("6.95")
	}
	pay := payments[s.rnd.IntN(len(payments))]
	o.PaymentMethod, o.PaymentMethodName = pay.code, pay.name
	if pay.fee != "" {
		o.PaymentCosts, o.PaymentCostsVATRate = A(pay.fee), A("21")
	}
	if s.rnd.IntN(6) == 0 {
		o.Discounts = []Discount{{Code: "WELKOM5", Name: "Kortingscode WELKOM5", AmountInclVAT: A("5.00"), VATRate: A("21")}}
	}

	modified := created.Add(time.Duration(1+s.rnd.IntN(90)) * time.Minute)
	if modified.After(now) {
		modified = now
	}
	o.UpdatedAt = Time{modified}
	switch r := s.rnd.IntN(20); {
	case r < 8:
		o.Status = "paid"
	case r < 10:
		o.Status = "processing"
	case r < 14:
		o.Status = "shipped"
	case r < 17:
		o.Status = "completed"
	case r < 18:
		o.Status = "new"
	case r < 19:
		o.Status = "cancelled"
	default:
		o.Status = "refunded"
	}
	o.Paid = o.Status != "new" && o.Status != "pending_payment" && !(o.Status == "cancelled" && pay.code == "banktransfer")
	if o.Status == "new" && pay.code == "banktransfer" {
		o.Status = "pending_payment"
	}
	if o.Paid {
		o.PaidAt = Time{created.Add(2 * time.Minute)}
		if o.PaidAt.After(modified) {
			o.PaidAt = Time{modified}
		}
		o.TransactionID = fmt.Sprintf("tr_%x", s.rnd.Uint64()&0xffffffffff)
	}
	complete(&o)
	if o.Status == "refunded" {
		o.RefundedAmount = o.TotalInclVAT
	}
	return o
}

package simulator

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

var (
	hundred = decimal.NewFromInt(100)
	one     = decimal.NewFromInt(1)
)

// seedCatalog fills the default catalog: simple products (one with a "/" in its SKU), two
// configurables with their variations, a dynamic-price and a fixed-price bundle.
func (s *Server) seedCatalog() {
	now := s.nowLocked().Add(-30 * 24 * time.Hour)
	names := []string{"Koffiebonen Java 1kg", "Theedoos Earl Grey", "Mok Delfts blauw", "Stroopwafels 8 stuks",
		"Kaasschaaf RVS", "Fietsbel chroom", "Wollen sjaal", "Notitieboek A5", "Vulpen zwart", "Drop zoet 400g",
		"Tulpenbollen mix", "Kandelaar messing", "Placemat linnen", "Onderzetters kurk", "Broodplank eiken",
		"Thermoskan 1L", "Regenponcho", "Paraplu opvouwbaar", "Sokken 3-pack", "Zeep lavendel"}
	prices := []string{"12.95", "6.50", "14.99", "3.49", "19.95", "8.75", "39.00", "7.95", "24.50", "2.99",
		"9.99", "29.95", "11.00", "5.25", "34.95", "22.49", "15.00", "17.95", "9.00", "4.75"}
	food := map[int]bool{0: true, 1: true, 3: true, 9: true}
	for i, n := range names {
		rate := "21"
		if food[i] {
			rate = "9"
		}
		s.addProduct(&Product{SKU: fmt.Sprintf("KP-%d", 1001+i), Name: n, TypeID: "simple", Price: dec(prices[i]),
			TaxPercent: dec(rate), ManageStock: true}, decimal.NewFromInt(int64(5+(i*7)%60)), now)
	}
	s.addProduct(&Product{SKU: "KP/2000", Name: "Poster A2 (schuine streep in SKU)", TypeID: "simple", Price: dec("18.00"),
		TaxPercent: dec("21"), ManageStock: true}, decimal.NewFromInt(3), now)
	for _, c := range []struct {
		sku, name, price string
		sizes            []string
	}{{"HOODIE", "Hoodie koppel", "49.95", []string{"S", "M", "L"}}, {"TSHIRT", "T-shirt koppel", "19.95", []string{"S", "M"}}} {
		parent := &Product{SKU: c.sku, Name: c.name, TypeID: "configurable", Price: dec(c.price), TaxPercent: dec("21"), ManageStock: true}
		for _, sz := range c.sizes {
			child := &Product{SKU: c.sku + "-" + sz, Name: c.name + "-" + sz, TypeID: "simple", Price: dec(c.price),
				TaxPercent: dec("21"), ManageStock: true, Parent: c.sku}
			s.addProduct(child, decimal.NewFromInt(10), now)
			parent.Children = append(parent.Children, child.SKU)
		}
		s.addProduct(parent, decimal.Zero, now)
	}
	s.addProduct(&Product{SKU: "GIFTBOX", Name: "Cadeaubox (dynamische prijs)", TypeID: "bundle", TaxPercent: dec("9"),
		Children: []string{"KP-1001", "KP-1004"}, DynamicPrice: true}, decimal.Zero, now)
	s.addProduct(&Product{SKU: "STARTER-SET", Name: "Startpakket (vaste prijs)", TypeID: "bundle", Price: dec("29.95"),
		TaxPercent: dec("21"), Children: []string{"KP-1003", "KP-1005"}}, decimal.Zero, now)
}

// addProduct registers p with qty at the default source (for simple products).
func (s *Server) addProduct(p *Product, qty decimal.Decimal, at time.Time) {
	s.nextProduct++
	p.ID = s.nextProduct
	p.StockItemID = p.ID
	if p.Status == 0 {
		p.Status = 1
	}
	p.CreatedAt, p.UpdatedAt = at, at
	s.products[p.SKU] = p
	s.productByID[p.ID] = p
	if p.TypeID == "simple" || p.TypeID == "virtual" {
		st := 0
		if qty.IsPositive() {
			st = 1
		}
		s.sources[p.SKU] = map[string]*sourceItem{s.opts.Sources[0]: {SKU: p.SKU, SourceCode: s.opts.Sources[0], Quantity: mk(qty), Status: st}}
	}
	s.version++
}

// money is the computed money of one priced order row.
type money struct {
	price, priceIncl, rowTotal, rowIncl, discount, tax, comp decimal.Decimal
}

// rowMoney computes a row the way Magento's tax calculation does with the unit-based algorithm
// and "apply discount on prices including tax" when prices include tax: the discount is taken
// from the price including tax, the tax on the discounted amount, and the tax part of the
// discount becomes discount_tax_compensation_amount.
func rowMoney(catalogPrice, rate decimal.Decimal, qty int64, discPct decimal.Decimal, inclTax bool) money {
	q := decimal.NewFromInt(qty)
	factor := one.Add(rate.Div(hundred))
	var m money
	if inclTax {
		m.priceIncl = catalogPrice
		m.price = round2(catalogPrice.Div(factor))
		m.rowIncl = round2(catalogPrice.Mul(q))
		m.rowTotal = round2(m.rowIncl.Div(factor))
		taxBefore := m.rowIncl.Sub(m.rowTotal)
		m.discount = round2(m.rowIncl.Mul(discPct).Div(hundred))
		net := m.rowIncl.Sub(m.discount)
		m.tax = round2(net.Mul(rate).Div(hundred.Add(rate)))
		m.comp = taxBefore.Sub(m.tax)
		if m.discount.IsZero() {
			m.comp = decimal.Zero
			m.tax = taxBefore
		}
		return m
	}
	m.price = catalogPrice
	m.priceIncl = round2(catalogPrice.Mul(factor))
	m.rowTotal = round2(catalogPrice.Mul(q))
	m.rowIncl = round2(m.rowTotal.Mul(factor))
	m.discount = round2(m.rowTotal.Mul(discPct).Div(hundred))
	m.tax = round2(m.rowTotal.Sub(m.discount).Mul(rate).Div(hundred))
	m.comp = decimal.Zero
	return m
}

var (
	firstNames = []string{"Jan", "Sanne", "Pieter", "Fleur", "Daan", "Emma", "Lotte", "Bram", "Noor", "Koen"}
	lastNames  = []string{"de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Peters"}
	streets    = []string{"Kerkstraat", "Dorpsweg", "Stationsplein", "Molenlaan", "Havenkade", "Schoolstraat"}
	cities     = []struct{ city, postcode, country string }{{"Utrecht", "3511 AB", "NL"}, {"Amsterdam", "1012 JS", "NL"},
		{"Zwolle", "8011 CW", "NL"}, {"Gent", "9000", "BE"}, {"Groningen", "9711 LM", "NL"}, {"Köln", "50667", "DE"}}
	states = map[string]string{"pending": "new", "processing": "processing", "complete": "complete", "canceled": "canceled",
		"holded": "holded", "closed": "closed", "payment_review": "payment_review"}
)

// GenerateOrders creates n realistic orders (simple, configurable and bundle rows, custom
// options, coupons with tax compensation, flat-rate or free shipping) timestamped in the past
// (the newest five minutes before the simulator's clock), with status st or, when st is empty,
// a mix of pending, processing, complete and canceled. It returns their entity ids.
func (s *Server) GenerateOrders(n int, st string) ([]int64, error) {
	if n < 0 || n > 1_000_000 {
		return nil, fmt.Errorf("simulator: cannot generate %d orders", n)
	}
	if st != "" {
		if _, ok := states[st]; !ok {
			return nil, fmt.Errorf("simulator: unknown order status %q", st)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	end := s.nowLocked().Add(-5 * time.Minute)
	times := make([]time.Time, n)
	t := end
	for i := n - 1; i >= 0; i-- {
		times[i] = t
		t = t.Add(-time.Duration(s.rnd.Intn(300)) * time.Second)
	}
	ids := make([]int64, n)
	for i := 0; i < n; i++ {
		status := st
		if status == "" {
			switch r := s.rnd.Intn(100); {
			case r < 50:
				status = "processing"
			case r < 80:
				status = "complete"
			case r < 92:
				status = "pending"
			default:
				status = "canceled"
			}
		}
		o := s.buildOrder(times[i], status)
		ids[i] = o.EntityID
	}
	s.version++
	return ids, nil
}

// buildOrder makes one order; the caller holds s.mu.
func (s *Server) buildOrder(created time.Time, status string) *Order {
	s.nextOrder++
	id := s.nextOrder
	inclTax := !s.opts.PricesExcludeTax
	discPct := decimal.Zero
	coupon := ""
	if s.rnd.Intn(4) == 0 {
		discPct, coupon = dec("10"), "WELKOM10"
	}
	updated := created
	if status != "pending" {
		updated = created.Add(time.Duration(s.rnd.Intn(90)) * time.Second)
	}
	ts := fmtTime(created)
	o := &Order{EntityID: id, IncrementID: fmt.Sprintf("%09d", id), Status: status, State: states[status],
		CreatedAt: ts, UpdatedAt: fmtTime(updated), created: created, updated: updated,
		BaseCurrencyCode: s.opts.Currency, GlobalCurrencyCode: s.opts.Currency, OrderCurrencyCode: s.opts.Currency,
		StoreCurrencyCode: s.opts.Currency, BaseToGlobalRate: mk(one), BaseToOrderRate: mk(one), StoreToBaseRate: mk(decimal.Zero),
		StoreToOrderRate: mk(decimal.Zero), StoreID: 1, StoreName: "Main Website\nMain Website Store\nDefault Store View",
		QuoteID: id + 1000, RemoteIP: fmt.Sprintf("192.0.2.%d", 1+s.rnd.Intn(250)), EmailSent: 1,
		StatusHistories: []statusHistory{}}
	var pc [8]byte
	s.rnd.Read(pc[:])
	o.ProtectCode = hex.EncodeToString(pc[:])[:6]

	// Customer and addresses.
	fn, ln := firstNames[s.rnd.Intn(len(firstNames))], lastNames[s.rnd.Intn(len(lastNames))]
	email := fmt.Sprintf("%s.%d@example.nl", fn, s.rnd.Intn(100000))
	o.CustomerEmail, o.CustomerFirstname, o.CustomerLastname = email, fn, ln
	if s.rnd.Intn(5) < 3 {
		cid := int64(1 + s.rnd.Intn(400))
		o.CustomerID = &cid
		o.CustomerGroupID = 1
	} else {
		o.CustomerIsGuest = 1
	}
	city := cities[s.rnd.Intn(len(cities))]
	street := []string{streets[s.rnd.Intn(len(streets))] + " " + strconv.Itoa(1+s.rnd.Intn(200))}
	if s.rnd.Intn(2) == 0 {
		street = []string{streets[s.rnd.Intn(len(streets))], strconv.Itoa(1 + s.rnd.Intn(200)), []string{"A", "bis", "2"}[s.rnd.Intn(3)]}
	}
	company := ""
	if s.rnd.Intn(4) == 0 {
		company = ln + " B.V."
		o.CustomerTaxvat = "NL00" + strconv.Itoa(1000000+s.rnd.Intn(8999999)) + "B01"
	}
	addr := func(kind string) *Address {
		s.nextAddress++
		return &Address{AddressType: kind, City: city.city, Company: company, CountryID: city.country, Email: email,
			EntityID: s.nextAddress, Firstname: fn, Lastname: ln, ParentID: id, Postcode: city.postcode,
			Street: append([]string(nil), street...), Telephone: "06" + strconv.Itoa(10000000+s.rnd.Intn(89999999)), VatID: o.CustomerTaxvat}
	}
	o.BillingAddress = addr("billing")
	o.BillingAddressID = o.BillingAddress.EntityID
	if s.rnd.Intn(10) == 0 {
		o.CustomerNote = "Graag afleveren bij de buren & niet aanbellen"
	}

	// Rows.
	var subtotal, subIncl, discount, tax, comp, qtyTotal decimal.Decimal
	newItem := func(p *Product, qty int64, parent *item) *item {
		s.nextItem++
		it := &item{ItemID: s.nextItem, OrderID: id, Name: p.Name, SKU: p.SKU, ProductID: p.ID, ProductType: p.TypeID,
			QtyOrdered: mk(decimal.NewFromInt(qty)), QtyCanceled: mk(decimal.Zero), QtyInvoiced: mk(decimal.Zero),
			QtyRefunded: mk(decimal.Zero), QtyShipped: mk(decimal.Zero), CreatedAt: ts, UpdatedAt: ts, StoreID: 1,
			QuoteItemID: s.nextItem + 5000, AmountRefunded: mk(decimal.Zero)}
		zero := mk(decimal.Zero)
		it.Price, it.BasePrice, it.PriceInclTax, it.OriginalPrice = zero, zero, zero, zero
		it.RowTotal, it.BaseRowTotal, it.RowTotalInclTax, it.TaxAmount, it.BaseTaxAmount = zero, zero, zero, zero, zero
		it.DiscountAmount, it.BaseDiscountAmount, it.DiscountPercent, it.DiscountTaxCompensationAmount, it.TaxPercent = zero, zero, zero, zero, zero
		if parent != nil {
			pid := parent.ItemID
			it.ParentItemID = &pid
		}
		if status == "complete" {
			it.QtyInvoiced, it.QtyShipped = it.QtyOrdered, it.QtyOrdered
		} else if status == "processing" {
			it.QtyInvoiced = it.QtyOrdered
		}
		o.Items = append(o.Items, it)
		return it
	}
	price := func(it *item, catalog, rate decimal.Decimal, qty int64) money {
		m := rowMoney(catalog, rate, qty, discPct, inclTax)
		it.Price, it.BasePrice, it.OriginalPrice, it.PriceInclTax = mk(m.price), mk(m.price), mk(m.price), mk(m.priceIncl)
		it.RowTotal, it.BaseRowTotal, it.RowTotalInclTax = mk(m.rowTotal), mk(m.rowTotal), mk(m.rowIncl)
		it.TaxAmount, it.BaseTaxAmount, it.TaxPercent = mk(m.tax), mk(m.tax), mk(rate)
		it.DiscountAmount, it.BaseDiscountAmount, it.DiscountPercent = mk(m.discount), mk(m.discount), mk(discPct)
		it.DiscountTaxCompensationAmount = mk(m.comp)
		subtotal, subIncl = subtotal.Add(m.rowTotal), subIncl.Add(m.rowIncl)
		discount, tax, comp = discount.Add(m.discount), tax.Add(m.tax), comp.Add(m.comp)
		return m
	}
	lines := 1 + s.rnd.Intn(4)
	for l := 0; l < lines; l++ {
		qty := int64(1 + s.rnd.Intn(3))
		qtyTotal = qtyTotal.Add(decimal.NewFromInt(qty))
		switch r := s.rnd.Intn(100); {
		case r < 55:
			p := s.products[fmt.Sprintf("KP-%d", 1001+s.rnd.Intn(20))]
			if s.rnd.Intn(15) == 0 {
				p = s.products["KP/2000"]
			}
			it := newItem(p, qty, nil)
			price(it, p.Price, p.TaxPercent, qty)
			if s.rnd.Intn(8) == 0 {
				it.ProductOption = &productOption{productOptionExt{CustomOptions: []customOption{{OptionID: "3", OptionValue: "Gravure: " + fn}}}}
			}
		case r < 75:
			parent := s.products[[]string{"HOODIE", "TSHIRT"}[s.rnd.Intn(2)]]
			child := s.products[parent.Children[s.rnd.Intn(len(parent.Children))]]
			pi := newItem(parent, qty, nil)
			pi.SKU = child.SKU // the parent row carries the child's SKU (#21231)
			price(pi, parent.Price, parent.TaxPercent, qty)
			pi.ProductOption = &productOption{productOptionExt{ConfigurableItemOption: []configurableOption{{OptionID: "93", OptionValue: 50 + s.rnd.Intn(5)}}}}
			newItem(child, qty, pi)
		case r < 88:
			b := s.products["GIFTBOX"]
			pi := newItem(b, qty, nil)
			pi.SKU = b.SKU + "-" + b.Children[0] + "-" + b.Children[1]
			var sum, sumIncl, row, rowIncl decimal.Decimal
			var sel []int64
			for _, cs := range b.Children {
				c := s.products[cs]
				ci := newItem(c, qty, pi)
				m := price(ci, c.Price, b.TaxPercent, qty)
				sum, sumIncl, row, rowIncl = sum.Add(m.price), sumIncl.Add(m.priceIncl), row.Add(m.rowTotal), rowIncl.Add(m.rowIncl)
				sel = append(sel, c.ID)
			}
			// The dynamic bundle's own row shows the sum of its selections; its tax and
			// discount sit on the children (inferred, see webshop-apis.md B.6).
			pi.Price, pi.BasePrice, pi.OriginalPrice, pi.PriceInclTax = mk(sum), mk(sum), mk(sum), mk(sumIncl)
			pi.RowTotal, pi.BaseRowTotal, pi.RowTotalInclTax = mk(row), mk(row), mk(rowIncl)
			pi.ProductOption = &productOption{productOptionExt{BundleOptions: []bundleOption{{OptionID: 1, OptionQty: 1, OptionSelections: sel}}}}
		default:
			b := s.products["STARTER-SET"]
			pi := newItem(b, qty, nil)
			pi.SKU = b.SKU + "-" + b.Children[0] + "-" + b.Children[1]
			price(pi, b.Price, b.TaxPercent, qty)
			var sel []int64
			for _, cs := range b.Children {
				c := s.products[cs]
				newItem(c, qty, pi)
				sel = append(sel, c.ID)
			}
			pi.ProductOption = &productOption{productOptionExt{BundleOptions: []bundleOption{{OptionID: 2, OptionQty: 1, OptionSelections: sel}}}}
		}
	}

	// A child row carries a full copy of its parent row (parent_item).
	byID := map[int64]*item{}
	for _, it := range o.Items {
		byID[it.ItemID] = it
	}
	for _, it := range o.Items {
		if it.ParentItemID != nil {
			cp := *byID[*it.ParentItemID]
			cp.ParentItem = nil
			it.ParentItem = &cp
		}
	}

	// Shipping.
	method, desc := "flatrate_flatrate", "Flat Rate - Fixed"
	var shipEx, shipTax, shipIncl decimal.Decimal
	if s.rnd.Intn(5) == 0 {
		method, desc = "freeshipping_freeshipping", "Free Shipping - Free"
	} else {
		rate := dec("21")
		if inclTax {
			shipIncl = dec("6.95")
			shipEx = round2(shipIncl.Div(dec("1.21")))
			shipTax = shipIncl.Sub(shipEx)
		} else {
			shipEx = dec("5.74")
			shipTax = round2(shipEx.Mul(rate).Div(hundred))
			shipIncl = shipEx.Add(shipTax)
		}
	}
	o.ShippingAmount, o.BaseShippingAmount, o.ShippingTaxAmount, o.ShippingInclTax = mk(shipEx), mk(shipEx), mk(shipTax), mk(shipIncl)
	o.ShippingDiscountAmount, o.ShippingDiscountTaxCompensationAmount = mk(decimal.Zero), mk(decimal.Zero)
	o.ShippingDescription = desc
	tax = tax.Add(shipTax)

	grand := subtotal.Add(shipEx).Sub(discount).Add(tax).Add(comp)
	o.Subtotal, o.BaseSubtotal, o.SubtotalInclTax = mk(subtotal), mk(subtotal), mk(subIncl)
	o.DiscountAmount, o.BaseDiscountAmount = mk(discount.Neg()), mk(discount.Neg())
	o.DiscountTaxCompensationAmount, o.BaseDiscountTaxCompensationAmount = mk(comp), mk(comp)
	o.TaxAmount, o.BaseTaxAmount = mk(tax), mk(tax)
	o.GrandTotal, o.BaseGrandTotal = mk(grand), mk(grand)
	o.TotalQtyOrdered = mk(qtyTotal)
	o.TotalItemCount = len(o.Items)
	o.Weight = mk(qtyTotal.Mul(dec("0.5")))
	if coupon != "" {
		o.CouponCode, o.DiscountDescription = coupon, coupon
	}
	due := grand
	pm := &payment{AdditionalInformation: []string{"Bank Transfer Payment"}, Method: "banktransfer", AmountOrdered: mk(grand),
		BaseAmountOrdered: mk(grand), EntityID: id, ParentID: id}
	if s.rnd.Intn(2) == 0 {
		pm.Method, pm.AdditionalInformation = "checkmo", []string{"Check / Money order"}
	}
	if status == "processing" || status == "complete" || status == "closed" {
		paid := mk(grand)
		o.TotalPaid, pm.AmountPaid = &paid, &paid
		pm.LastTransID = fmt.Sprintf("tr_%d", 700000+id)
		due = decimal.Zero
	}
	if status == "closed" {
		ref := mk(grand)
		o.TotalRefunded = &ref
	}
	o.TotalDue, o.BaseTotalDue = mk(due), mk(due)
	o.Payment = pm
	ship := addr("shipping")
	o.ExtensionAttributes = &orderExt{ShippingAssignments: []shippingAssignment{{
		Shipping: shipping{Address: ship, Method: method, Total: shippingTotal{BaseShippingAmount: mk(shipEx),
			BaseShippingInclTax: mk(shipIncl), BaseShippingTaxAmount: mk(shipTax), ShippingAmount: mk(shipEx),
			ShippingDiscountAmount: mk(decimal.Zero), ShippingInclTax: mk(shipIncl), ShippingTaxAmount: mk(shipTax)}},
		Items: o.Items}}}
	s.orders[id] = o
	s.orderList = append(s.orderList, o)
	s.byUpdated.add(o)
	return o
}

// TouchOrder modifies an order now: its updated_at becomes the simulator's time (at least one
// second after the previous value), and its status changes when status is set.
func (s *Server) TouchOrder(id int64, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[id]
	if o == nil {
		return fmt.Errorf("simulator: no order %d", id)
	}
	if status != "" {
		st, ok := states[status]
		if !ok {
			return fmt.Errorf("simulator: unknown order status %q", status)
		}
		o.Status, o.State = status, st
	}
	t := s.nowLocked()
	if !t.After(o.updated) {
		t = o.updated.Add(time.Second)
	}
	s.byUpdated.take(o)
	o.updated, o.UpdatedAt = t, fmtTime(t)
	s.byUpdated.put(o)
	o.StatusHistories = append(o.StatusHistories, statusHistory{Comment: "Bijgewerkt", CreatedAt: o.UpdatedAt,
		EntityID: int64(len(o.StatusHistories) + 1), EntityName: "order", ParentID: id, Status: o.Status})
	s.version++
	return nil
}

// Seed is the --seed document: products to add to the catalog and a number of orders to
// generate. Amounts are strings or numbers.
type Seed struct {
	Products []struct {
		SKU        string          `json:"sku"`
		Name       string          `json:"name"`
		Price      decimal.Decimal `json:"price"`
		TaxPercent decimal.Decimal `json:"tax_percent"`
		Qty        decimal.Decimal `json:"qty"`
	} `json:"products"`
	Orders int    `json:"orders"`
	Status string `json:"status"`
}

// LoadSeed reads a Seed document and applies it; it returns how many products and orders it
// added.
func (s *Server) LoadSeed(r io.Reader) (int, int, error) {
	var sd Seed
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sd); err != nil {
		return 0, 0, fmt.Errorf("seed: %w", err)
	}
	s.mu.Lock()
	for i, p := range sd.Products {
		if p.SKU == "" || p.Name == "" {
			s.mu.Unlock()
			return i, 0, fmt.Errorf("seed: product %d needs sku and name", i)
		}
		if _, dup := s.products[p.SKU]; dup {
			s.mu.Unlock()
			return i, 0, fmt.Errorf("seed: product %q exists", p.SKU)
		}
		s.addProduct(&Product{SKU: p.SKU, Name: p.Name, TypeID: "simple", Price: p.Price, TaxPercent: p.TaxPercent,
			ManageStock: true}, p.Qty, s.nowLocked())
	}
	s.mu.Unlock()
	if sd.Orders > 0 {
		if _, err := s.GenerateOrders(sd.Orders, sd.Status); err != nil {
			return len(sd.Products), 0, err
		}
	}
	return len(sd.Products), sd.Orders, nil
}

package orderfiles

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/sdk"
)

// OrderColumns are the column names an order CSV may have, one row per order line. Columns that
// describe the order (order_id ... fee_tax_rate) are read from the first row of the order that
// has them; rows of one order need not be adjacent. Only order_id is required. The csv_columns
// setting maps these names onto the headers a shop really writes.
var OrderColumns = []string{
	"order_id", "order_number", "status", "created_at", "modified_at", "currency",
	"customer_id", "customer_code", "email", "first_name", "last_name", "company", "phone", "vat_number",
	"billing_street", "billing_street2", "billing_postcode", "billing_city", "billing_country",
	"shipping_first_name", "shipping_last_name", "shipping_company",
	"shipping_street", "shipping_street2", "shipping_postcode", "shipping_city", "shipping_country",
	"payment_method", "paid", "note",
	"shipping_method", "shipping_cost", "shipping_tax_rate",
	"discount_code", "discount", "discount_tax_rate",
	"fee_name", "fee", "fee_tax_rate",
	"order_total",
	// line columns
	"sku", "name", "quantity", "unit_price", "tax_rate",
}

// lineColumns are the per-row columns; every other column belongs to the order.
var lineColumns = map[string]bool{"sku": true, "name": true, "quantity": true, "unit_price": true, "tax_rate": true}

// parseSettings is what parsing needs from the plugin configuration.
type parseSettings struct {
	delimiter        rune
	columns          map[string]string // canonical name → header in the file (lower case)
	pricesIncludeTax bool
	loc              *time.Location
	currency         string
}

// fileError is a problem with one export file, with its line when known; it is KindPermanent.
func fileError(file string, line int, format string, args ...any) *sdk.Error {
	where := file
	if line > 0 {
		where = fmt.Sprintf("%s line %d", file, line)
	}
	return sdk.Errorf(sdk.KindPermanent, "%s: %s", where, fmt.Sprintf(format, args...))
}

// csvRow gives access to one record by canonical column name.
type csvRow struct {
	rec  []string
	idx  map[string]int
	line int
}

func (r csvRow) get(col string) string {
	i, ok := r.idx[col]
	if !ok || i >= len(r.rec) {
		return ""
	}
	return strings.TrimSpace(r.rec[i])
}

// csvOrder collects the rows of one order while a file is read.
type csvOrder struct {
	fields map[string]string
	rows   []csvRow
	first  int
}

// parseOrdersCSV reads an order CSV (see OrderColumns). mod is the file's modification time,
// used as the orders' ModifiedAt when there is no modified_at column.
func parseOrdersCSV(file string, data []byte, mod time.Time, s parseSettings) ([]sdk.Order, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // Excel's UTF-8 byte order mark
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = s.delimiter
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		return nil, fileError(file, 1, "header: %v", err)
	}
	idx, err := headerIndex(header, s.columns)
	if err != nil {
		return nil, fileError(file, 1, "%v", err)
	}
	if _, ok := idx["order_id"]; !ok {
		return nil, fileError(file, 1, "no %s column (the header is: %s); map it with csv_columns",
			columnLabel("order_id", s.columns), strings.Join(header, string(s.delimiter)))
	}
	var order []string
	byID := map[string]*csvOrder{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fileError(file, line, "%v", err)
		}
		row := csvRow{rec: rec, idx: idx, line: line}
		if blank(rec) {
			continue
		}
		id := row.get("order_id")
		if id == "" {
			return nil, fileError(file, line, "empty %s", columnLabel("order_id", s.columns))
		}
		o := byID[id]
		if o == nil {
			o = &csvOrder{fields: map[string]string{}, first: line}
			byID[id] = o
			order = append(order, id)
		}
		for col := range idx {
			if lineColumns[col] {
				continue
			}
			if v := row.get(col); v != "" && o.fields[col] == "" {
				o.fields[col] = v
			}
		}
		o.rows = append(o.rows, row)
	}
	out := make([]sdk.Order, 0, len(order))
	for _, id := range order {
		o, err := buildOrder(file, id, byID[id], mod, s)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// headerIndex maps canonical column names to positions, through the csv_columns mapping.
func headerIndex(header []string, mapping map[string]string) (map[string]int, error) {
	pos := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := pos[h]; dup && h != "" {
			return nil, fmt.Errorf("column %q appears twice in the header", h)
		}
		pos[h] = i
	}
	idx := map[string]int{}
	for _, c := range OrderColumns {
		if i, ok := pos[columnLabel(c, mapping)]; ok {
			idx[c] = i
		}
	}
	return idx, nil
}

// columnLabel is the header the file uses for canonical column c.
func columnLabel(c string, mapping map[string]string) string {
	if h, ok := mapping[c]; ok && h != "" {
		return strings.ToLower(strings.TrimSpace(h))
	}
	return c
}

// buildOrder turns the collected rows of one order into an sdk.Order.
func buildOrder(file, id string, c *csvOrder, mod time.Time, s parseSettings) (sdk.Order, error) {
	f := c.fields
	fail := func(line int, format string, args ...any) (sdk.Order, error) {
		return sdk.Order{}, fileError(file, line, "order %s: %s", id, fmt.Sprintf(format, args...))
	}
	o := sdk.Order{
		ID:               id,
		Number:           f["order_number"],
		Status:           f["status"],
		Currency:         strings.ToUpper(f["currency"]),
		PricesIncludeTax: s.pricesIncludeTax,
		Customer: sdk.Customer{
			ID: f["customer_id"], Code: f["customer_code"], Email: f["email"],
			FirstName: f["first_name"], LastName: f["last_name"], Company: f["company"],
			Phone: f["phone"], VATNumber: f["vat_number"],
		},
		Billing: sdk.Address{
			FirstName: f["first_name"], LastName: f["last_name"], Company: f["company"],
			Street: f["billing_street"], Street2: f["billing_street2"], Postcode: f["billing_postcode"],
			City: f["billing_city"], Country: strings.ToUpper(f["billing_country"]),
			Phone: f["phone"], Email: f["email"],
		},
		Shipping: sdk.Address{
			FirstName: f["shipping_first_name"], LastName: f["shipping_last_name"], Company: f["shipping_company"],
			Street: f["shipping_street"], Street2: f["shipping_street2"], Postcode: f["shipping_postcode"],
			City: f["shipping_city"], Country: strings.ToUpper(f["shipping_country"]),
		},
		Payment: sdk.Payment{Method: f["payment_method"], Title: f["payment_method"]},
		Note:    f["note"],
	}
	if o.Number == "" {
		o.Number = id
	}
	if o.Currency == "" {
		o.Currency = s.currency
	}
	if o.Shipping.Street == "" && o.Shipping.Postcode == "" && o.Shipping.City == "" {
		o.Shipping = sdk.Address{}
	}
	if v := f["paid"]; v != "" {
		paid, ok := parseBool(v)
		if !ok {
			return fail(c.first, "paid %q is not yes/no", v)
		}
		o.Payment.Paid = paid
	}
	var err error
	if v := f["created_at"]; v != "" {
		if o.CreatedAt, err = parseTime(v, s.loc); err != nil {
			return fail(c.first, "created_at: %v", err)
		}
	}
	if v := f["modified_at"]; v != "" {
		if o.ModifiedAt, err = parseTime(v, s.loc); err != nil {
			return fail(c.first, "modified_at: %v", err)
		}
	} else {
		o.ModifiedAt = mod.UTC()
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = o.ModifiedAt
	}

	for i, row := range c.rows {
		if row.get("sku") == "" && row.get("name") == "" && row.get("quantity") == "" && row.get("unit_price") == "" {
			continue // a row that only carries order fields
		}
		qty, err := amount(row.get("quantity"), "1")
		if err != nil {
			return fail(row.line, "quantity: %v", err)
		}
		price, err := amount(row.get("unit_price"), "0")
		if err != nil {
			return fail(row.line, "unit_price: %v", err)
		}
		rate, err := amount(row.get("tax_rate"), "0")
		if err != nil {
			return fail(row.line, "tax_rate: %v", err)
		}
		if rate.IsNegative() || rate.GreaterThan(decimal.NewFromInt(100)) {
			return fail(row.line, "tax_rate %s is not a percentage", rate)
		}
		excl, tax, incl := split(price.Mul(qty), rate, s.pricesIncludeTax)
		unitExcl, unitIncl := price, price
		if s.pricesIncludeTax {
			unitExcl = price.DivRound(onePlus(rate), 6)
		} else {
			unitIncl = price.Mul(onePlus(rate))
		}
		name := row.get("name")
		if name == "" {
			name = row.get("sku")
		}
		o.Lines = append(o.Lines, sdk.OrderLine{
			ID: fmt.Sprintf("%s-%d", id, i+1), SKU: row.get("sku"), Name: name, Quantity: qty,
			UnitPriceExcl: unitExcl, UnitPriceIncl: unitIncl,
			TotalExcl: excl, Tax: tax, TotalIncl: incl, TaxRate: rate,
		})
	}

	charge := func(code, name, amountCol, rateCol string) (*sdk.Charge, error) {
		v := f[amountCol]
		if v == "" {
			return nil, nil
		}
		amt, err := amount(v, "0")
		if err != nil {
			return nil, fmt.Errorf("%s: %v", amountCol, err)
		}
		if amt.IsZero() {
			return nil, nil
		}
		rate, err := amount(f[rateCol], "0")
		if err != nil {
			return nil, fmt.Errorf("%s: %v", rateCol, err)
		}
		if rate.IsNegative() || rate.GreaterThan(decimal.NewFromInt(100)) {
			// As for lines: at -100 the split would divide by zero.
			return nil, fmt.Errorf("%s %s is not a percentage", rateCol, rate)
		}
		excl, tax, incl := split(amt, rate, s.pricesIncludeTax)
		r := rate
		return &sdk.Charge{Code: code, Name: name, TotalExcl: excl, Tax: tax, TotalIncl: incl, TaxRate: &r}, nil
	}
	if ch, err := charge(f["shipping_method"], nonEmpty(f["shipping_method"], "Verzendkosten"), "shipping_cost", "shipping_tax_rate"); err != nil {
		return fail(c.first, "%v", err)
	} else if ch != nil {
		o.ShippingLines = append(o.ShippingLines, *ch)
	}
	if ch, err := charge(f["fee_name"], nonEmpty(f["fee_name"], "Betalingskosten"), "fee", "fee_tax_rate"); err != nil {
		return fail(c.first, "%v", err)
	} else if ch != nil {
		o.Fees = append(o.Fees, *ch)
	}
	if ch, err := charge(f["discount_code"], nonEmpty(f["discount_code"], "Korting"), "discount", "discount_tax_rate"); err != nil {
		return fail(c.first, "%v", err)
	} else if ch != nil {
		// Discounts are positive amounts that are subtracted, whatever sign the file used.
		ch.TotalExcl, ch.Tax, ch.TotalIncl = ch.TotalExcl.Abs(), ch.Tax.Abs(), ch.TotalIncl.Abs()
		o.Discounts = append(o.Discounts, *ch)
	}

	o.Totals = computeTotals(o)
	if v := f["order_total"]; v != "" {
		total, err := amount(v, "0")
		if err != nil {
			return fail(c.first, "order_total: %v", err)
		}
		// The shop's own total is what SnelStart's is compared to; keep the tax as computed.
		o.Totals.Total = total
		o.Totals.TotalExcl = total.Sub(o.Totals.Tax)
	}
	return o, nil
}

// computeTotals adds lines, shipping and fees and subtracts discounts.
func computeTotals(o sdk.Order) sdk.Totals {
	var t sdk.Totals
	add := func(excl, tax sdk.Money, sign int64) {
		t.TotalExcl = t.TotalExcl.Add(excl.Mul(decimal.NewFromInt(sign)))
		t.Tax = t.Tax.Add(tax.Mul(decimal.NewFromInt(sign)))
	}
	for _, l := range o.Lines {
		add(l.TotalExcl, l.Tax, 1)
	}
	for _, c := range o.ShippingLines {
		add(c.TotalExcl, c.Tax, 1)
	}
	for _, c := range o.Fees {
		add(c.TotalExcl, c.Tax, 1)
	}
	for _, c := range o.Discounts {
		add(c.TotalExcl, c.Tax, -1)
	}
	t.Total = t.TotalExcl.Add(t.Tax)
	return t
}

func onePlus(rate sdk.Money) sdk.Money {
	return decimal.NewFromInt(1).Add(rate.Div(decimal.NewFromInt(100)))
}

// split returns excl, tax and incl (to the cent, excl + tax = incl) of an amount that includes
// VAT (inclusive) or excludes it.
func split(amt, rate sdk.Money, inclusive bool) (excl, tax, incl sdk.Money) {
	if inclusive {
		incl = sdk.RoundCents(amt)
		excl = sdk.RoundCents(incl.Div(onePlus(rate)))
		return excl, incl.Sub(excl), incl
	}
	excl = sdk.RoundCents(amt)
	tax = sdk.RoundCents(excl.Mul(rate).Div(decimal.NewFromInt(100)))
	return excl, tax, excl.Add(tax)
}

// amount parses a decimal (a comma as decimal separator is accepted, a euro sign ignored); an
// empty string gives def.
func amount(s, def string) (sdk.Money, error) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "€"))
	if s == "" {
		s = def
	}
	return sdk.ParseMoney(s)
}

func nonEmpty(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "yes", "y", "true", "ja", "j", "paid", "betaald":
		return true, true
	case "0", "no", "n", "false", "nee", "unpaid", "onbetaald":
		return false, true
	}
	return false, false
}

// timeLayouts are the date formats accepted in created_at and modified_at. Layouts without a
// zone are read in the configured timezone.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"02-01-2006 15:04:05",
	"02-01-2006 15:04",
	"02-01-2006",
}

// parseTime reads a date and time in one of timeLayouts, in UTC and within sdk.CheckOrderTime.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			if err := sdk.CheckOrderTime(t); err != nil {
				return time.Time{}, fmt.Errorf("%q %v", s, err)
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date and time (use 2006-01-02 15:04:05 or RFC 3339)", s)
}

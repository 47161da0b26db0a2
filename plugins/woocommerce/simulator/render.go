package simulator

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// This file turns stored records into the exact JSON shapes a WooCommerce 10 store answers
// (key order included), see the captured responses in shared/reference.

const wcDateLayout = "2006-01-02T15:04:05"

func (s *Server) localDate(t time.Time) string { return t.In(s.loc).Format(wcDateLayout) }
func gmtDate(t time.Time) string               { return t.UTC().Format(wcDateLayout) }

func (s *Server) localDatePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return s.localDate(*t)
}

func gmtDatePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return gmtDate(*t)
}

func money(d decimal.Decimal, dp int) string { return d.StringFixed(int32(dp)) }

// number renders a decimal as a JSON number ("21", "17.955").
func number(d decimal.Decimal) json.Number {
	str := d.String()
	if str == "" {
		str = "0"
	}
	return json.Number(str)
}

func currencySymbol(c string) string {
	switch strings.ToUpper(c) {
	case "EUR":
		return "€"
	case "USD":
		return "$"
	case "GBP":
		return "£"
	case "CHF":
		return "CHF"
	case "DKK", "SEK", "NOK":
		return "kr."
	case "PLN":
		return "zł"
	}
	return c
}

func metaValue(v json.RawMessage) any {
	if len(v) == 0 {
		return ""
	}
	return v
}

// renderOrderMeta renders order-level meta_data entries: {id,key,value}.
func renderOrderMeta(ms []Meta) []any {
	out := make([]any, 0, len(ms))
	for _, m := range ms {
		out = append(out, orderedMap{{"id", m.ID}, {"key", m.Key}, {"value", metaValue(m.Value)}})
	}
	return out
}

// renderItemMeta renders order item meta_data entries with display_key and display_value.
func renderItemMeta(ms []Meta) []any {
	out := make([]any, 0, len(ms))
	for _, m := range ms {
		dk := m.DisplayKey
		if dk == "" {
			dk = m.Key
		}
		var dv any = m.DisplayValue
		if m.DisplayValue == "" {
			dv = metaValue(m.Value)
		}
		out = append(out, orderedMap{{"id", m.ID}, {"key", m.Key}, {"value", metaValue(m.Value)},
			{"display_key", dk}, {"display_value", dv}})
	}
	return out
}

func renderTaxes(ts []ItemTax, dp int) []any {
	out := make([]any, 0, len(ts))
	for _, t := range ts {
		sub := ""
		if t.Subtotal.Valid {
			sub = money(t.Subtotal.Decimal, dp)
		}
		out = append(out, orderedMap{{"id", t.RateID}, {"total", money(t.Total, dp)}, {"subtotal", sub}})
	}
	return out
}

func selfLinks(self, collection string) orderedMap {
	return orderedMap{
		{"self", []any{orderedMap{{"href", self}, {"targetHints", orderedMap{{"allow", []string{"GET", "POST", "PUT", "PATCH", "DELETE"}}}}}}},
		{"collection", []any{orderedMap{{"href", collection}}}},
	}
}

// renderOrder renders o as GET /orders/{id} does; the caller holds mu.
func (s *Server) renderOrder(o *Order, home string, dp int) orderedMap {
	api := home + "/wp-json/wc/v3"
	lines := make([]any, 0, len(o.LineItems))
	for _, li := range o.LineItems {
		sku := "" // a line whose product is unknown or deleted has an empty sku, as in WooCommerce
		var parentName any
		var image = orderedMap{{"id", ""}, {"src", ""}}
		pid := li.ProductID
		if li.VariationID != 0 {
			pid = li.VariationID
			image = orderedMap{{"id", 0}, {"src", ""}}
		}
		if p, ok := s.products[pid]; ok {
			sku = p.SKU
			if p.Type == "variation" {
				if parent, ok := s.products[p.ParentID]; ok {
					parentName = parent.Name
				}
			}
		}
		price := decimal.Zero
		if li.Quantity != 0 {
			price = li.Total.DivRound(decimal.NewFromInt(li.Quantity), 14)
		}
		lines = append(lines, orderedMap{
			{"id", li.ID}, {"name", li.Name}, {"product_id", li.ProductID}, {"variation_id", li.VariationID},
			{"quantity", li.Quantity}, {"tax_class", li.TaxClass},
			{"subtotal", money(li.Subtotal, dp)}, {"subtotal_tax", money(li.SubtotalTax, dp)},
			{"total", money(li.Total, dp)}, {"total_tax", money(li.TotalTax, dp)},
			{"taxes", renderTaxes(li.Taxes, dp)}, {"meta_data", renderItemMeta(li.MetaData)},
			{"sku", sku}, {"price", number(price)}, {"image", image}, {"parent_name", parentName},
		})
	}
	taxLines := make([]any, 0, len(o.TaxLines))
	for _, t := range o.TaxLines {
		taxLines = append(taxLines, orderedMap{
			{"id", t.ID}, {"rate_code", t.RateCode}, {"rate_id", t.RateID}, {"label", t.Label},
			{"compound", t.Compound}, {"tax_total", money(t.TaxTotal, dp)},
			{"shipping_tax_total", money(t.ShippingTaxTotal, dp)}, {"rate_percent", number(t.RatePercent)},
			{"meta_data", renderOrderMeta(t.MetaData)},
		})
	}
	ship := make([]any, 0, len(o.ShippingLines))
	for _, sl := range o.ShippingLines {
		ts := sl.TaxStatus
		if ts == "" {
			ts = "taxable"
		}
		ship = append(ship, orderedMap{
			{"id", sl.ID}, {"method_title", sl.MethodTitle}, {"method_id", sl.MethodID}, {"instance_id", sl.InstanceID},
			{"total", money(sl.Total, dp)}, {"total_tax", money(sl.TotalTax, dp)}, {"taxes", renderTaxes(sl.Taxes, dp)},
			{"tax_status", ts}, {"meta_data", renderItemMeta(sl.MetaData)},
		})
	}
	fees := make([]any, 0, len(o.FeeLines))
	for _, f := range o.FeeLines {
		fees = append(fees, orderedMap{
			{"id", f.ID}, {"name", f.Name}, {"tax_class", f.TaxClass}, {"tax_status", f.TaxStatus}, {"amount", ""},
			{"total", money(f.Total, dp)}, {"total_tax", money(f.TotalTax, dp)}, {"taxes", renderTaxes(f.Taxes, dp)},
			{"meta_data", renderItemMeta(f.MetaData)},
		})
	}
	coupons := make([]any, 0, len(o.CouponLines))
	for _, c := range o.CouponLines {
		coupons = append(coupons, orderedMap{
			{"id", c.ID}, {"code", c.Code}, {"discount", money(c.Discount, dp)}, {"discount_tax", money(c.DiscountTax, dp)},
			{"meta_data", renderItemMeta(c.MetaData)}, {"discount_type", c.DiscountType},
			{"nominal_amount", number(c.NominalAmount)}, {"free_shipping", c.FreeShipping},
		})
	}
	refunds := make([]any, 0, len(o.Refunds))
	for _, r := range o.Refunds {
		refunds = append(refunds, orderedMap{{"id", r.ID}, {"reason", r.Reason}, {"total", money(r.Total, dp)}})
	}
	billing := orderedMap{
		{"first_name", o.Billing.FirstName}, {"last_name", o.Billing.LastName}, {"company", o.Billing.Company},
		{"address_1", o.Billing.Address1}, {"address_2", o.Billing.Address2}, {"city", o.Billing.City},
		{"state", o.Billing.State}, {"postcode", o.Billing.Postcode}, {"country", o.Billing.Country},
		{"email", o.Billing.Email}, {"phone", o.Billing.Phone},
	}
	shipping := orderedMap{
		{"first_name", o.Shipping.FirstName}, {"last_name", o.Shipping.LastName}, {"company", o.Shipping.Company},
		{"address_1", o.Shipping.Address1}, {"address_2", o.Shipping.Address2}, {"city", o.Shipping.City},
		{"state", o.Shipping.State}, {"postcode", o.Shipping.Postcode}, {"country", o.Shipping.Country},
		{"phone", o.Shipping.Phone},
	}
	links := selfLinks(api+"/orders/"+strconv.FormatInt(o.ID, 10), api+"/orders")
	links = append(links, kv{"email_templates", []any{orderedMap{{"embeddable", true},
		{"href", api + "/orders/" + strconv.FormatInt(o.ID, 10) + "/actions/email_templates"}}}})
	if o.CustomerID != 0 {
		links = append(links, kv{"customer", []any{orderedMap{{"href", api + "/customers/" + strconv.FormatInt(o.CustomerID, 10)}}}})
	}
	if o.ParentID != 0 {
		links = append(links, kv{"up", []any{orderedMap{{"href", api + "/orders/" + strconv.FormatInt(o.ParentID, 10)}}}})
	}
	return orderedMap{
		{"id", o.ID}, {"parent_id", o.ParentID}, {"status", o.Status}, {"currency", o.Currency},
		{"version", o.Version}, {"prices_include_tax", o.PricesIncludeTax},
		{"date_created", s.localDate(o.DateCreated)}, {"date_modified", s.localDate(o.DateModified)},
		{"discount_total", money(o.DiscountTotal, dp)}, {"discount_tax", money(o.DiscountTax, dp)},
		{"shipping_total", money(o.ShippingTotal, dp)}, {"shipping_tax", money(o.ShippingTax, dp)},
		{"cart_tax", money(o.CartTax, dp)}, {"total", money(o.Total, dp)}, {"total_tax", money(o.TotalTax, dp)},
		{"customer_id", o.CustomerID}, {"order_key", o.OrderKey}, {"billing", billing}, {"shipping", shipping},
		{"payment_method", o.PaymentMethod}, {"payment_method_title", o.PaymentMethodTitle},
		{"transaction_id", o.TransactionID}, {"customer_ip_address", o.CustomerIPAddress},
		{"customer_user_agent", o.CustomerUserAgent}, {"created_via", o.CreatedVia}, {"customer_note", o.CustomerNote},
		{"date_completed", s.localDatePtr(o.DateCompleted)}, {"date_paid", s.localDatePtr(o.DatePaid)},
		{"cart_hash", o.CartHash}, {"number", o.Number}, {"meta_data", renderOrderMeta(o.MetaData)},
		{"line_items", lines}, {"tax_lines", taxLines}, {"shipping_lines", ship}, {"fee_lines", fees},
		{"coupon_lines", coupons}, {"refunds", refunds},
		{"payment_url", home + "/checkout/order-pay/" + strconv.FormatInt(o.ID, 10) + "/?pay_for_order=true&key=" + url.QueryEscape(o.OrderKey)},
		{"is_editable", o.Status == "pending" || o.Status == "on-hold" || o.Status == "auto-draft"},
		{"needs_payment", (o.Status == "pending" || o.Status == "failed") && o.Total.IsPositive()},
		{"needs_processing", s.needsProcessing(o)},
		{"date_created_gmt", gmtDate(o.DateCreated)}, {"date_modified_gmt", gmtDate(o.DateModified)},
		{"date_completed_gmt", gmtDatePtr(o.DateCompleted)}, {"date_paid_gmt", gmtDatePtr(o.DatePaid)},
		{"currency_symbol", currencySymbol(o.Currency)},
		{"_links", links},
	}
}

// needsProcessing is true when some line item is not a virtual downloadable product.
func (s *Server) needsProcessing(o *Order) bool {
	for _, li := range o.LineItems {
		id := li.ProductID
		if li.VariationID != 0 {
			id = li.VariationID
		}
		p, ok := s.products[id]
		if !ok || !(p.Virtual && p.Downloadable) {
			return true
		}
	}
	return false
}

// currentPrice is the product's active price: the sale price when set, else the regular one.
func currentPrice(p *Product) decimal.NullDecimal {
	if p.SalePrice.Valid && (!p.RegularPrice.Valid || p.SalePrice.Decimal.LessThan(p.RegularPrice.Decimal)) {
		return p.SalePrice
	}
	return p.RegularPrice
}

func nullMoney(d decimal.NullDecimal) string {
	if !d.Valid {
		return ""
	}
	return money(d.Decimal, 2)
}

func priceHTML(cur string, d decimal.NullDecimal) string {
	if !d.Valid {
		return ""
	}
	sym := map[string]string{"EUR": "&euro;", "USD": "&#36;", "GBP": "&pound;"}[cur]
	if sym == "" {
		sym = cur
	}
	return `<span class="woocommerce-Price-amount amount"><bdi><span class="woocommerce-Price-currencySymbol">` + sym + `</span>` + money(d.Decimal, 2) + `</bdi></span>`
}

func stockQty(p *Product) any {
	if p.StockQuantity == nil {
		return nil
	}
	return *p.StockQuantity
}

func (s *Server) manageStockValue(p *Product) any {
	if p.Type == "variation" && p.ManageStockParent {
		return "parent"
	}
	return p.ManageStock
}

// childrenOf returns the variation ids of a product, ascending; the caller holds mu.
func (s *Server) childrenOf(id int64) []int64 {
	var out []int64
	for _, k := range sortedKeys(s.products) {
		if p := s.products[k]; p.Type == "variation" && p.ParentID == id {
			out = append(out, k)
		}
	}
	return out
}

// effectivePrice is a product's price as rendered: for a variable product the lowest child price.
func (s *Server) effectivePrice(p *Product) decimal.NullDecimal {
	if p.Type != "variable" {
		return currentPrice(p)
	}
	var best decimal.NullDecimal
	for _, c := range s.childrenOf(p.ID) {
		cp := currentPrice(s.products[c])
		if cp.Valid && (!best.Valid || cp.Decimal.LessThan(best.Decimal)) {
			best = cp
		}
	}
	return best
}

// effectiveStockStatus: a variable product is in stock when one of its variations is.
func (s *Server) effectiveStockStatus(p *Product) string {
	if p.Type != "variable" {
		return p.StockStatus
	}
	for _, c := range s.childrenOf(p.ID) {
		if s.products[c].StockStatus == "instock" {
			return "instock"
		}
	}
	return "outofstock"
}

// renderProduct renders a product (or, for /products?sku=, a variation) in the product shape.
func (s *Server) renderProduct(p *Product, home string) orderedMap {
	api := home + "/wp-json/wc/v3"
	price := s.effectivePrice(p)
	attrs := make([]any, 0, len(p.Attributes))
	for _, a := range p.Attributes {
		if p.Type == "variation" {
			attrs = append(attrs, orderedMap{{"id", a.ID}, {"name", a.Name}, {"slug", sanitizeTitle(a.Name)}, {"option", a.Option}})
			continue
		}
		slug := a.Slug
		if slug == "" {
			slug = a.Name
		}
		opts := a.Options
		if opts == nil {
			opts = []string{}
		}
		attrs = append(attrs, orderedMap{{"id", a.ID}, {"name", a.Name}, {"slug", slug}, {"position", a.Position},
			{"visible", a.Visible}, {"variation", a.Variation}, {"options", opts}})
	}
	variations := []int64{}
	if p.Type == "variable" {
		variations = append(variations, s.childrenOf(p.ID)...)
	}
	related := []int64{}
	for _, k := range sortedKeys(s.products) {
		if q := s.products[k]; k != p.ID && q.Type != "variation" && len(related) < 5 {
			related = append(related, k)
		}
	}
	sort.Slice(related, func(i, j int) bool { return related[i] > related[j] })
	onSale := p.SalePrice.Valid && p.RegularPrice.Valid && p.SalePrice.Decimal.LessThan(p.RegularPrice.Decimal)
	slug := p.Slug
	permalink := home + "/product/" + slug + "/"
	if p.Type == "variation" {
		if parent, ok := s.products[p.ParentID]; ok {
			permalink = home + "/product/" + parent.Slug + "/"
		}
	}
	backordersAllowed := p.Backorders == "yes" || p.Backorders == "notify"
	links := selfLinks(api+"/products/"+strconv.FormatInt(p.ID, 10), api+"/products")
	if p.ParentID != 0 {
		links = append(links, kv{"up", []any{orderedMap{{"href", api + "/products/" + strconv.FormatInt(p.ParentID, 10)}}}})
	}
	return orderedMap{
		{"id", p.ID}, {"name", p.Name}, {"slug", slug}, {"permalink", permalink},
		{"date_created", s.localDate(p.DateCreated)}, {"date_created_gmt", gmtDate(p.DateCreated)},
		{"date_modified", s.localDate(p.DateModified)}, {"date_modified_gmt", gmtDate(p.DateModified)},
		{"type", p.Type}, {"status", p.Status}, {"featured", false}, {"catalog_visibility", "visible"},
		{"description", p.Description}, {"short_description", p.ShortDescription}, {"sku", p.SKU},
		{"price", nullMoney(price)}, {"regular_price", nullMoney(p.RegularPrice)}, {"sale_price", nullMoney(p.SalePrice)},
		{"date_on_sale_from", nil}, {"date_on_sale_from_gmt", nil}, {"date_on_sale_to", nil}, {"date_on_sale_to_gmt", nil},
		{"on_sale", onSale}, {"purchasable", price.Valid && p.Status == "publish"}, {"total_sales", p.TotalSales},
		{"virtual", p.Virtual}, {"downloadable", p.Downloadable}, {"downloads", []any{}},
		{"download_limit", -1}, {"download_expiry", -1}, {"external_url", ""}, {"button_text", ""},
		{"tax_status", p.TaxStatus}, {"tax_class", p.TaxClass}, {"manage_stock", s.manageStockValue(p)},
		{"stock_quantity", stockQty(p)}, {"backorders", p.Backorders}, {"backorders_allowed", backordersAllowed},
		{"backordered", false}, {"low_stock_amount", nil}, {"sold_individually", false}, {"weight", p.Weight},
		{"dimensions", orderedMap{{"length", ""}, {"width", ""}, {"height", ""}}},
		{"shipping_required", !p.Virtual}, {"shipping_taxable", p.TaxStatus == "taxable" || p.TaxStatus == "shipping"},
		{"shipping_class", ""}, {"shipping_class_id", 0}, {"reviews_allowed", true}, {"average_rating", "0"},
		{"rating_count", 0}, {"upsell_ids", []int64{}}, {"cross_sell_ids", []int64{}}, {"parent_id", p.ParentID},
		{"purchase_note", ""},
		{"categories", []any{orderedMap{{"id", 15}, {"name", "Uncategorized"}, {"slug", "uncategorized"}}}},
		{"brands", []any{}}, {"tags", []any{}}, {"images", []any{}}, {"attributes", attrs},
		{"default_attributes", []any{}}, {"variations", variations}, {"grouped_products", []int64{}},
		{"menu_order", p.MenuOrder}, {"price_html", priceHTML(s.opts.Currency, price)}, {"related_ids", related},
		{"meta_data", renderOrderMeta(p.MetaData)}, {"stock_status", s.effectiveStockStatus(p)},
		{"has_options", p.Type == "variable"}, {"post_password", ""}, {"global_unique_id", ""},
		{"permalink_template", home + "/product/%pagename%/"}, {"generated_slug", slug},
		{"_links", links},
	}
}

// renderVariation renders a variation as /products/{id}/variations does.
func (s *Server) renderVariation(v *Product, home string) orderedMap {
	api := home + "/wp-json/wc/v3"
	parentSlug := ""
	if parent, ok := s.products[v.ParentID]; ok {
		parentSlug = parent.Slug
	}
	permalink := home + "/product/" + parentSlug + "/"
	var qs []string
	attrs := make([]any, 0, len(v.Attributes))
	for _, a := range v.Attributes {
		slug := sanitizeTitle(a.Name)
		attrs = append(attrs, orderedMap{{"id", a.ID}, {"name", a.Name}, {"slug", slug}, {"option", a.Option}})
		qs = append(qs, "attribute_"+url.QueryEscape(slug)+"="+url.QueryEscape(a.Option))
	}
	if len(qs) > 0 {
		permalink += "?" + strings.Join(qs, "&")
	}
	price := currentPrice(v)
	onSale := v.SalePrice.Valid && v.RegularPrice.Valid && v.SalePrice.Decimal.LessThan(v.RegularPrice.Decimal)
	pid := strconv.FormatInt(v.ParentID, 10)
	links := selfLinks(api+"/products/"+pid+"/variations/"+strconv.FormatInt(v.ID, 10), api+"/products/"+pid+"/variations")
	links = append(links, kv{"up", []any{orderedMap{{"href", api + "/products/" + pid}}}})
	return orderedMap{
		{"id", v.ID}, {"type", "variation"},
		{"date_created", s.localDate(v.DateCreated)}, {"date_created_gmt", gmtDate(v.DateCreated)},
		{"date_modified", s.localDate(v.DateModified)}, {"date_modified_gmt", gmtDate(v.DateModified)},
		{"description", v.Description}, {"permalink", permalink}, {"sku", v.SKU}, {"global_unique_id", ""},
		{"price", nullMoney(price)}, {"regular_price", nullMoney(v.RegularPrice)}, {"sale_price", nullMoney(v.SalePrice)},
		{"date_on_sale_from", nil}, {"date_on_sale_from_gmt", nil}, {"date_on_sale_to", nil}, {"date_on_sale_to_gmt", nil},
		{"on_sale", onSale}, {"status", v.Status}, {"purchasable", price.Valid && v.Status == "publish"},
		{"virtual", v.Virtual}, {"downloadable", v.Downloadable}, {"downloads", []any{}},
		{"download_limit", -1}, {"download_expiry", -1}, {"tax_status", v.TaxStatus}, {"tax_class", v.TaxClass},
		{"manage_stock", s.manageStockValue(v)}, {"stock_quantity", stockQty(v)}, {"stock_status", v.StockStatus},
		{"backorders", v.Backorders}, {"backorders_allowed", v.Backorders == "yes" || v.Backorders == "notify"},
		{"backordered", false}, {"low_stock_amount", nil}, {"weight", v.Weight},
		{"dimensions", orderedMap{{"length", ""}, {"width", ""}, {"height", ""}}},
		{"shipping_class", ""}, {"shipping_class_id", 0}, {"image", nil}, {"attributes", attrs},
		{"menu_order", v.MenuOrder}, {"meta_data", renderOrderMeta(v.MetaData)}, {"name", variationName(v)},
		{"parent_id", v.ParentID}, {"_links", links},
	}
}

// variationName is the variation's attribute values joined, e.g. "M" or "Rood, L".
func variationName(v *Product) string {
	var vals []string
	for _, a := range v.Attributes {
		vals = append(vals, a.Option)
	}
	return strings.Join(vals, ", ")
}

// renderTax renders a tax rate as GET /taxes does.
func renderTax(t TaxRate, home string) orderedMap {
	api := home + "/wp-json/wc/v3"
	return orderedMap{
		{"id", t.ID}, {"country", t.Country}, {"state", t.State}, {"postcode", ""}, {"city", ""},
		{"rate", t.Rate.StringFixed(4)}, {"name", t.Name}, {"priority", t.Priority}, {"compound", t.Compound},
		{"shipping", t.Shipping}, {"order", t.Order}, {"class", t.Class}, {"postcodes", []string{}}, {"cities", []string{}},
		{"_links", selfLinks(api+"/taxes/"+strconv.FormatInt(t.ID, 10), api+"/taxes")},
	}
}

var translit = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'æ': "ae", 'ç': "c", 'è': "e", 'é': "e",
	'ê': "e", 'ë': "e", 'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ñ': "n", 'ò': "o", 'ó': "o", 'ô': "o",
	'õ': "o", 'ö': "o", 'ø': "o", 'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y", 'ß': "ss",
	'œ': "oe", 'ĳ': "ij",
}

// sanitizeTitle makes a slug as WordPress's sanitize_title does for common Latin text:
// entities removed, accents transliterated, lower case, runs of other characters as "-".
func sanitizeTitle(name string) string {
	name = entityRe.ReplaceAllString(name, "")
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '_':
			b.WriteRune(r)
			dash = false
		case translit[r] != "":
			b.WriteString(translit[r])
			dash = false
		case r == '"' || r == '\'' || r == '.':
			// dropped without a separator
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimRight(b.String(), "-")
}

package simulator

import (
	"net/http"
	"strings"
)

// DefaultBaseCountry is the store's base location ("woocommerce_default_country") when
// Options.BaseCountry is empty: a Dutch shop.
const DefaultBaseCountry = "NL"

// validBaseCountry accepts "CC" or "CC:STATE" (upper-case country code, a non-empty state).
func validBaseCountry(v string) bool {
	country, state, hasState := strings.Cut(v, ":")
	if len(country) != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' || country[1] > 'Z' {
		return false
	}
	return !hasState || (state != "" && !strings.ContainsAny(state, ": \t"))
}

// setting is one option of a settings group as GET /settings/{group} lists it.
type setting struct {
	id, label, description, typ, def, tip string
	options                               orderedMap // nil: no "options" key
	value                                 func(s *Server) string
}

// settingGroup is one group of GET /settings.
type settingGroup struct {
	id, label, description string
	settings               []setting
}

// yesNo renders a checkbox value.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// countryOptions are the select options of woocommerce_default_country: the countries of the
// default tax table (a real store lists every country and "CC:STATE" pair).
var countryOptions = orderedMap{
	{"BE", "Belgium"}, {"DE", "Germany"}, {"NL", "Netherlands"},
	{"US:CA", "United States (US) — California"}, {"US:NY", "United States (US) — New York"},
}

// settingGroups are the groups and options the simulator serves, a subset of a WooCommerce 10
// store's: the store address and tax switches in general, the tax options in tax.
var settingGroups = []settingGroup{
	{id: "general", label: "General", settings: []setting{
		{id: "woocommerce_store_address", label: "Address line 1", description: "The street address for your business location.",
			typ: "text", value: func(*Server) string { return "Keizersgracht 1" }},
		{id: "woocommerce_store_address_2", label: "Address line 2", description: "An additional, optional address line for your business location.",
			typ: "text", value: func(*Server) string { return "" }},
		{id: "woocommerce_store_city", label: "City", description: "The city in which your business is located.",
			typ: "text", value: func(*Server) string { return "Amsterdam" }},
		{id: "woocommerce_default_country", label: "Country / State", description: "The country and state or province, if any, in which your business is located.",
			typ: "select", def: "US:CA", options: countryOptions, value: func(s *Server) string { return s.opts.BaseCountry }},
		{id: "woocommerce_store_postcode", label: "Postcode / ZIP", description: "The postal code, if any, in which your business is located.",
			typ: "text", value: func(*Server) string { return "1015 AA" }},
		{id: "woocommerce_calc_taxes", label: "Enable tax rates and calculations", description: "Rates will be configurable and taxes will be calculated during checkout.",
			typ: "checkbox", def: "no", value: func(*Server) string { return "yes" }},
		{id: "woocommerce_currency", label: "Currency", description: "This controls what currency prices are listed at in the catalog and which currency gateways will take payments in.",
			typ: "select", def: "USD", options: orderedMap{{"EUR", "Euro (&euro;)"}, {"USD", "United States (US) dollar (&#36;)"}},
			value: func(s *Server) string { return s.opts.Currency }},
		{id: "woocommerce_price_num_decimals", label: "Number of decimals", description: "This sets the number of decimal points shown in displayed prices.",
			typ: "number", def: "2", value: func(*Server) string { return "2" }},
	}},
	{id: "tax", label: "Tax", settings: []setting{
		{id: "woocommerce_prices_include_tax", label: "Prices entered with tax", description: "",
			typ: "radio", def: "no", tip: "This option is important as it will affect how you input prices. Changing it will not update existing products.",
			options: orderedMap{{"yes", "Yes, I will enter prices inclusive of tax"}, {"no", "No, I will enter prices exclusive of tax"}},
			value:   func(s *Server) string { return yesNo(s.opts.PricesIncludeTax) }},
		{id: "woocommerce_tax_based_on", label: "Calculate tax based on", description: "",
			typ: "select", def: "shipping", tip: "This option determines which address is used to calculate tax.",
			options: orderedMap{{"shipping", "Customer shipping address"}, {"billing", "Customer billing address"}, {"base", "Shop base address"}},
			value:   func(*Server) string { return "shipping" }},
		{id: "woocommerce_tax_round_at_subtotal", label: "Rounding", description: "Round tax at subtotal level, instead of rounding per line",
			typ: "checkbox", def: "no", value: func(*Server) string { return "no" }},
		{id: "woocommerce_tax_display_shop", label: "Display prices in the shop", description: "",
			typ: "select", def: "excl", options: orderedMap{{"incl", "Including tax"}, {"excl", "Excluding tax"}},
			value: func(s *Server) string {
				if s.opts.PricesIncludeTax {
					return "incl"
				}
				return "excl"
			}},
	}},
}

// findGroup returns the settings group with the id, or nil.
func findGroup(id string) *settingGroup {
	for i := range settingGroups {
		if settingGroups[i].id == id {
			return &settingGroups[i]
		}
	}
	return nil
}

// renderSetting renders one option as GET /settings/{group}/{id} does (v3 adds group_id).
// Values come from the immutable Options, so no lock is needed.
func (s *Server) renderSetting(g *settingGroup, st setting, home string) orderedMap {
	api := home + "/wp-json/wc/v3/settings/" + g.id
	out := orderedMap{{"id", st.id}, {"label", st.label}, {"description", st.description}, {"type", st.typ},
		{"default", st.def}}
	if st.tip != "" {
		out = append(out, kv{"tip", st.tip})
	}
	if st.options != nil {
		out = append(out, kv{"options", st.options})
	}
	out = append(out, kv{"value", st.value(s)}, kv{"group_id", g.id},
		kv{"_links", selfLinks(api+"/"+st.id, api)})
	return out
}

// serveSettings answers GET /settings, /settings/{group} and /settings/{group}/{id} (p is the
// route below /wc/v3). Unknown groups and options are 404 with WooCommerce's codes.
func (s *Server) serveSettings(w http.ResponseWriter, req *request, p []string, count func(string)) bool {
	if req.method != http.MethodGet || len(p) > 3 {
		return false
	}
	home := s.homeURL(req)
	switch len(p) {
	case 1:
		count("/settings")
		if e := cannotList(req); e != nil {
			writeError(w, e)
			return true
		}
		out := make([]any, 0, len(settingGroups))
		for _, g := range settingGroups {
			out = append(out, orderedMap{{"id", g.id}, {"label", g.label}, {"description", g.description},
				{"parent_id", ""}, {"sub_groups", []string{}},
				{"_links", orderedMap{{"options", []any{orderedMap{{"href", home + "/wp-json/wc/v3/settings/" + g.id}}}}}}})
		}
		writeJSON(w, http.StatusOK, out)
		return true
	case 2:
		count("/settings/{group}")
		if e := cannotList(req); e != nil {
			writeError(w, e)
			return true
		}
		g := findGroup(p[1])
		if g == nil {
			writeError(w, newErr(http.StatusNotFound, "rest_setting_setting_group_invalid", "Invalid setting group."))
			return true
		}
		out := make([]any, 0, len(g.settings))
		for _, st := range g.settings {
			out = append(out, s.renderSetting(g, st, home))
		}
		writeJSON(w, http.StatusOK, out)
		return true
	default:
		count("/settings/{group}/{id}")
		if e := cannotView(req); e != nil {
			writeError(w, e)
			return true
		}
		g := findGroup(p[1])
		if g == nil {
			writeError(w, newErr(http.StatusNotFound, "rest_setting_setting_group_invalid", "Invalid setting group."))
			return true
		}
		for _, st := range g.settings {
			if st.id == strings.TrimSpace(p[2]) {
				writeJSON(w, http.StatusOK, s.renderSetting(g, st, home))
				return true
			}
		}
		writeError(w, newErr(http.StatusNotFound, "rest_setting_setting_invalid", "Invalid setting."))
		return true
	}
}

package simulator

import (
	"net/http"
	"strconv"
	"testing"
)

func TestSettingsEndpoints(t *testing.T) {
	tests := []struct {
		name                string
		opts                Options
		wantCountry, wantIn string
	}{
		{"defaults", Options{}, "NL", "no"},
		{"us store with tax-inclusive prices", Options{BaseCountry: "US:CA", PricesIncludeTax: true}, "US:CA", "yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts)
			one := obj(t, decode(t, e.do("GET", "/wp-json/wc/v3/settings/general/woocommerce_default_country", nil, nil), http.StatusOK))
			if one["value"] != tt.wantCountry || one["id"] != "woocommerce_default_country" || one["group_id"] != "general" || one["type"] != "select" {
				t.Errorf("default country setting: %v", one)
			}
			if _, ok := one["options"].(map[string]any); !ok {
				t.Errorf("select setting without options: %v", one)
			}
			pit := obj(t, decode(t, e.do("GET", "/wp-json/wc/v3/settings/tax/woocommerce_prices_include_tax", nil, nil), http.StatusOK))
			if pit["value"] != tt.wantIn || pit["default"] != "no" {
				t.Errorf("prices include tax: %v", pit)
			}
			group := arr(t, decode(t, e.do("GET", "/wp-json/wc/v3/settings/general", nil, nil), http.StatusOK))
			found := false
			for _, g := range group {
				m := obj(t, g)
				if m["id"] == "woocommerce_default_country" {
					found = m["value"] == tt.wantCountry
				}
				if _, ok := m["_links"]; !ok {
					t.Errorf("setting without _links: %v", m)
				}
			}
			if !found {
				t.Errorf("GET /settings/general lacks woocommerce_default_country = %s", tt.wantCountry)
			}
			groups := arr(t, decode(t, e.do("GET", "/wp-json/wc/v3/settings", nil, nil), http.StatusOK))
			if len(groups) != 2 || obj(t, groups[0])["id"] != "general" || obj(t, groups[1])["id"] != "tax" {
				t.Errorf("groups: %v", groups)
			}
			if st := e.sim.Stats(); st.PerEndpoint["GET /settings/{group}/{id}"] != 2 || st.PerEndpoint["GET /settings/{group}"] != 1 {
				t.Errorf("counters: %v", st.PerEndpoint)
			}
		})
	}
}

func TestSettingsErrors(t *testing.T) {
	e := newEnv(t, Options{})
	for _, tc := range []struct {
		path, code string
		status     int
	}{
		{"/wp-json/wc/v3/settings/nope", "rest_setting_setting_group_invalid", http.StatusNotFound},
		{"/wp-json/wc/v3/settings/nope/woocommerce_default_country", "rest_setting_setting_group_invalid", http.StatusNotFound},
		{"/wp-json/wc/v3/settings/general/nope", "rest_setting_setting_invalid", http.StatusNotFound},
		{"/wp-json/wc/v3/settings/general/a/b", "rest_no_route", http.StatusNotFound},
	} {
		body := obj(t, decode(t, e.do("GET", tc.path, nil, nil), tc.status))
		if body["code"] != tc.code {
			t.Errorf("%s: %v", tc.path, body)
		}
	}
	// Without keys: refused like every other WooCommerce resource.
	body := obj(t, decode(t, e.raw("GET", "/wp-json/wc/v3/settings/general/woocommerce_default_country", nil, nil), http.StatusUnauthorized))
	if body["code"] != "woocommerce_rest_cannot_view" {
		t.Errorf("unauthenticated: %v", body)
	}
	if _, err := New(Options{BaseCountry: "Netherlands"}); err == nil {
		t.Error("New accepted base country \"Netherlands\"")
	}
	for _, ok := range []string{"NL", "US:CA"} {
		if !validBaseCountry(ok) {
			t.Errorf("validBaseCountry(%q) = false", ok)
		}
	}
	for _, bad := range []string{"nl", "NLD", "US:", ":CA", "US:C A"} {
		if validBaseCountry(bad) {
			t.Errorf("validBaseCountry(%q) = true", bad)
		}
	}
}

// A variation's tax class: "parent" by default, "" (standard) when set so, and the parent's
// class applied to its order lines only when it is "parent".
func TestVariationTaxClassRendering(t *testing.T) {
	e := newEnv(t, Options{})
	parent, err := e.sim.AddProduct(Product{Type: "variable", Name: "Boekenset", SKU: "BS", TaxClass: "reduced-rate"})
	if err != nil {
		t.Fatal(err)
	}
	inherit, err := e.sim.AddProduct(Product{ParentID: parent.ID, SKU: "BS-1"})
	if err != nil {
		t.Fatal(err)
	}
	std, err := e.sim.AddProduct(Product{ParentID: parent.ID, SKU: "BS-2", TaxClass: "standard"})
	if err != nil {
		t.Fatal(err)
	}
	vs := arr(t, decode(t, e.do("GET", "/wp-json/wc/v3/products/"+strconv.FormatInt(parent.ID, 10)+"/variations", qs("orderby", "id", "order", "asc"), nil), http.StatusOK))
	got := map[float64]any{}
	for _, v := range vs {
		m := obj(t, v)
		got[m["id"].(float64)] = m["tax_class"]
	}
	if got[float64(inherit.ID)] != "parent" || got[float64(std.ID)] != "" {
		t.Errorf("variation tax classes: %v", got)
	}
	e.sim.mu.Lock()
	defer e.sim.mu.Unlock()
	if c := e.sim.productTaxClass(e.sim.products[inherit.ID]); c != "reduced-rate" {
		t.Errorf("inheriting variation's order class %q", c)
	}
	if c := e.sim.productTaxClass(e.sim.products[std.ID]); c != "" {
		t.Errorf("standard variation's order class %q", c)
	}
}

package simulator

import (
	"bytes"
	"io"
	"reflect"
	"strconv"
	"testing"
)

// TestCustomerCreateAndGet creates a customer with a meta entry through POST /customers and
// reads it back through GET /customers/{id}, in WooCommerce's shape.
func TestCustomerCreateAndGet(t *testing.T) {
	e := newEnv(t, Options{})
	body := map[string]any{"email": "inkoop@bakkerijsmit.nl", "first_name": "Piet", "last_name": "Smit",
		"billing":   map[string]any{"company": "Bakkerij Smit B.V.", "address_1": "Broodweg 5", "postcode": "9711 AA", "city": "Groningen", "country": "nl", "email": "inkoop@bakkerijsmit.nl"},
		"meta_data": []any{map[string]any{"key": "relatiecode", "value": "1002"}, map[string]any{"key": "b2b_group", "value": map[string]any{"id": 3}}}}
	c := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/customers", nil, body), 201))
	id := int64(c["id"].(float64))
	if id != 2 || c["username"] != "inkoop" || c["role"] != "customer" {
		t.Fatalf("created %v", c)
	}
	got := obj(t, decode(t, e.do("GET", "/wp-json/wc/v3/customers/"+strconv.FormatInt(id, 10), nil, nil), 200))
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	want := []string{"_links", "avatar_url", "billing", "date_created", "date_created_gmt", "date_modified", "date_modified_gmt",
		"email", "first_name", "id", "is_paying_customer", "last_name", "meta_data", "role", "shipping", "username"}
	if len(keys) != len(want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	for _, k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("no %q in %v", k, got)
		}
	}
	if b := obj(t, got["billing"]); b["company"] != "Bakkerij Smit B.V." || b["country"] != "NL" {
		t.Errorf("billing %v", b)
	}
	meta := arr(t, got["meta_data"])
	if len(meta) != 2 {
		t.Fatalf("meta_data %v", meta)
	}
	m0 := obj(t, meta[0])
	if m0["key"] != "relatiecode" || m0["value"] != "1002" || m0["id"] == nil {
		t.Errorf("meta %v", m0)
	}
	if v := obj(t, obj(t, meta[1])["value"]); v["id"] != float64(3) {
		t.Errorf("structured meta value %v", v)
	}
	if s, ok := e.sim.CustomerByID(id); !ok || s.Email != "inkoop@bakkerijsmit.nl" {
		t.Errorf("CustomerByID: %+v %v", s, ok)
	}
	// A second customer takes the next user id.
	c2 := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/customers", nil, map[string]any{"email": "x@example.nl"}), 201))
	if c2["id"] != float64(3) {
		t.Errorf("second customer id %v", c2["id"])
	}
}

// TestCustomerErrors checks the answers WooCommerce gives for an unknown id, a missing or
// taken e-mail and a request without keys.
func TestCustomerErrors(t *testing.T) {
	e := newEnv(t, Options{})
	if _, err := e.sim.AddCustomer(Customer{ID: 7, Email: "jan@example.nl"}); err != nil {
		t.Fatal(err)
	}
	resp := e.do("GET", "/wp-json/wc/v3/customers/999", nil, nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || string(b) != `{"code":"woocommerce_rest_invalid_id","message":"Invalid resource ID.","data":{"status":404}}` {
		t.Errorf("unknown id: %d %s", resp.StatusCode, b)
	}
	cases := []struct {
		body any
		code string
	}{
		{map[string]any{"first_name": "Zonder"}, "rest_missing_callback_param"},
		{map[string]any{"email": "JAN@example.nl"}, "registration-error-email-exists"},
		{map[string]any{"email": "geen-adres"}, "registration-error-invalid-email"},
		{map[string]any{"email": "n@example.nl", "id": 9}, "woocommerce_rest_customer_exists"},
		{map[string]any{"email": 12}, "rest_invalid_param"},
	}
	for _, k := range cases {
		v := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/customers", nil, k.body), 400))
		if v["code"] != k.code {
			t.Errorf("%v: %v, want %s", k.body, v, k.code)
		}
	}
	if v := obj(t, decode(t, e.raw("GET", "/wp-json/wc/v3/customers/7", nil, nil), 401)); v["code"] != "woocommerce_rest_cannot_view" {
		t.Errorf("without keys: %v", v)
	}
	if v := obj(t, decode(t, e.do("GET", "/wp-json/wc/v3/customers/abc", nil, nil), 404)); v["code"] != "rest_no_route" {
		t.Errorf("non-numeric id: %v", v)
	}
	if _, err := e.sim.AddCustomer(Customer{Email: "Jan@Example.nl"}); err == nil {
		t.Error("AddCustomer accepted a taken e-mail")
	}
}

// TestGeneratedCustomersAndSeed checks that the generator's registered customers can be read
// through GET /customers/{id}, and that a dump with customers seeds a store with the same ones.
func TestGeneratedCustomersAndSeed(t *testing.T) {
	e := newEnv(t, Options{RandSeed: 5})
	orders, err := e.sim.GenerateOrders(40)
	if err != nil {
		t.Fatal(err)
	}
	registered := 0
	for _, o := range orders {
		if o.CustomerID == 0 {
			continue
		}
		registered++
		c := obj(t, decode(t, e.do("GET", "/wp-json/wc/v3/customers/"+strconv.FormatInt(o.CustomerID, 10), nil, nil), 200))
		if c["email"] == "" || obj(t, c["billing"])["last_name"] != o.Billing.LastName {
			t.Errorf("customer %d: %v (order billing %+v)", o.CustomerID, c, o.Billing)
		}
	}
	if registered == 0 {
		t.Fatal("no generated order of a registered customer")
	}
	if _, err := e.sim.AddCustomer(Customer{Email: "b2b@example.nl", MetaData: []Meta{{Key: "relatiecode", Value: []byte(`"1001"`)}}}); err != nil {
		t.Fatal(err)
	}
	dump, err := e.sim.Dump("http://shop.example")
	if err != nil {
		t.Fatal(err)
	}
	f := newEnv(t, Options{})
	if _, _, err := f.sim.LoadSeed(bytes.NewReader(dump)); err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id < 20; id++ {
		a, okA := e.sim.CustomerByID(id)
		b, okB := f.sim.CustomerByID(id)
		if okA != okB {
			t.Fatalf("customer %d: before %v, after seeding %v", id, okA, okB)
		}
		a.MetaData, b.MetaData = nil, nil
		if !reflect.DeepEqual(a, b) {
			t.Errorf("customer %d: %+v after seeding, %+v before", id, b, a)
		}
	}
	dump2, _ := f.sim.Dump("http://shop.example")
	if !bytes.Contains(dump2, []byte(`"key":"relatiecode","value":"1001"`)) {
		t.Error("customer meta lost in the seed round trip")
	}
}

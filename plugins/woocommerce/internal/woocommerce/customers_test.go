package woocommerce

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/woocommerce/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

func TestSchemaHasCustomerCodeMeta(t *testing.T) {
	for _, a := range Schema().Attributes {
		if a.Name == attrCustomerCode {
			if a.Type != sdk.TypeString || string(a.Default) != `""` || !strings.Contains(a.Description, "relatiecode") {
				t.Fatalf("attribute %+v", a)
			}
			return
		}
	}
	t.Fatal("no customer_code_meta attribute")
}

// The order's meta entry named by customer_code_meta is the customer's code.
func TestMapOrderCustomerCodeFromMeta(t *testing.T) {
	cases := []struct {
		name, key, meta, want string
	}{
		{"string value", "relatiecode", `[{"id":1,"key":"relatiecode","value":"1001"}]`, "1001"},
		{"number value", "relatiecode", `[{"id":1,"key":"relatiecode","value":1001}]`, "1001"},
		{"trimmed", "relatiecode", `[{"id":1,"key":"relatiecode","value":"  1001 "}]`, "1001"},
		{"hidden key named exactly", "_b2b_customer_number", `[{"id":1,"key":"_b2b_customer_number","value":"2002"}]`, "2002"},
		{"other key", "relatiecode", `[{"id":1,"key":"klantnummer","value":"1001"}]`, ""},
		{"key case differs", "relatiecode", `[{"id":1,"key":"Relatiecode","value":"1001"}]`, ""},
		{"structured value", "relatiecode", `[{"id":1,"key":"relatiecode","value":{"code":"1001"}}]`, ""},
		{"empty first, filled later", "relatiecode", `[{"id":1,"key":"relatiecode","value":""},{"id":2,"key":"relatiecode","value":"7"}]`, "7"},
		{"setting empty", "", `[{"id":1,"key":"relatiecode","value":"1001"}]`, ""},
	}
	for _, k := range cases {
		t.Run(k.name, func(t *testing.T) {
			var o wcOrder
			raw := `{"id":5,"date_modified_gmt":"2026-03-01T10:00:00","meta_data":` + k.meta + `}`
			if err := json.Unmarshal([]byte(raw), &o); err != nil {
				t.Fatal(err)
			}
			ord, err := mapOrder(&o, mapOptions{Coupons: couponsSeparate, CustomerCodeMeta: k.key})
			if err != nil {
				t.Fatal(err)
			}
			checkStr(t, "Customer.Code", ord.Customer.Code, k.want)
		})
	}
}

// listCodes lists every order and returns the customer code per order number.
func listCodes(t *testing.T, s *Shop) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := s.ListOrders(context.Background(), sdk.OrderQuery{AllStatuses: true}, func(it sdk.OrderItem) error {
		out[it.Order.Number] = it.Order.Customer.Code
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A registered customer's code comes from GET /customers/{id} when the order's meta lacks it,
// read once per customer per 10 minutes; an unknown customer (404) has none.
func TestCustomerCodeFromSimulator(t *testing.T) {
	sim, u := startSimulator(t, simulator.Options{})
	cust, err := sim.AddCustomer(simulator.Customer{Email: "inkoop@bakkerijsmit.nl",
		MetaData: []simulator.Meta{{Key: "relatiecode", Value: json.RawMessage(`"1002"`)}}})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := sim.AddCustomer(simulator.Customer{Email: "jan@example.nl"})
	if err != nil {
		t.Fatal(err)
	}
	order := func(number string, customer int64, meta string) {
		body := `{"number":"` + number + `","status":"processing","customer_id":` + itoa64(customer) +
			`,"billing":{"email":"x@example.nl","country":"NL"},"line_items":[{"product_id":1,"name":"Los","quantity":1,"total":"10.00"}]`
		if meta != "" {
			body += `,"meta_data":[{"key":"relatiecode","value":"` + meta + `"}]`
		}
		if _, err := sim.CreateOrderJSON([]byte(body + "}")); err != nil {
			t.Fatal(err)
		}
	}
	order("A-guest-meta", 0, "1001")
	order("B-customer", cust.ID, "")
	order("C-customer-again", cust.ID, "")
	order("D-order-meta-wins", cust.ID, "1003")
	order("E-unknown-customer", 99, "")
	order("F-customer-without-code", plain.ID, "")
	order("G-guest", 0, "")

	calls := func() int64 { return sim.Stats().PerEndpoint["GET /customers/{id}"] }
	s := newTestShop(t, u, func(c sdk.Config) { c.Set(attrCustomerCode, " relatiecode ") })
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	s.codes.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	want := map[string]string{"A-guest-meta": "1001", "B-customer": "1002", "C-customer-again": "1002",
		"D-order-meta-wins": "1003", "E-unknown-customer": "", "F-customer-without-code": "", "G-guest": ""}
	got := listCodes(t, s)
	for n, w := range want {
		checkStr(t, "code of "+n, got[n], w)
	}
	if n := calls(); n != 3 {
		t.Errorf("%d customer reads, want 3 (customers %d, 99 and %d once each)", n, cust.ID, plain.ID)
	}
	listCodes(t, s)
	if n := calls(); n != 3 {
		t.Errorf("a second listing within 10 minutes read customers again: %d reads", n)
	}
	mu.Lock()
	clock = clock.Add(11 * time.Minute)
	mu.Unlock()
	got = listCodes(t, s)
	if n := calls(); n != 6 || got["B-customer"] != "1002" {
		t.Errorf("after 11 minutes: %d reads (want 6), B = %q", n, got["B-customer"])
	}

	// Without the setting nothing is read and no code is given.
	off := listCodes(t, newTestShop(t, u, nil))
	for n, c := range off {
		if c != "" {
			t.Errorf("order %s has code %q without customer_code_meta", n, c)
		}
	}
	if n := calls(); n != 6 {
		t.Errorf("customers read without customer_code_meta: %d", n)
	}
}

// A key whose user may not read customers fails the listing naming the setting, rather than
// matching the order without its code.
func TestCustomerCodeRefused(t *testing.T) {
	sim, err := simulator.New(simulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.AddCustomer(simulator.Customer{ID: 5, Email: "b2b@example.nl"}); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.CreateOrderJSON([]byte(`{"status":"processing","customer_id":5,"line_items":[{"product_id":1,"quantity":1,"total":"1.00"}]}`)); err != nil {
		t.Fatal(err)
	}
	h := sim.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/customers/") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot view this resource.","data":{"status":403}}`))
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s := newTestShop(t, srv.URL, func(c sdk.Config) { c.Set(attrCustomerCode, "relatiecode") })
	err = s.ListOrders(context.Background(), sdk.OrderQuery{AllStatuses: true}, func(sdk.OrderItem) error { return nil })
	if sdk.KindOf(err) != sdk.KindAuth || !strings.Contains(err.Error(), "customer_code_meta") || strings.Contains(err.Error(), "cs_demo") {
		t.Fatalf("refused customer read: %v", err)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

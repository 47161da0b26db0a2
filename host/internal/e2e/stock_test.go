package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// stockResult is the part of `koppel sync ... import_orders_export_stock --json` the stock
// tests read.
type stockResult struct {
	syncResult
	Stock *struct {
		Written  int      `json:"written"`
		Changed  []string `json:"changed"`
		HeldBack []struct {
			SKU    string   `json:"sku"`
			Orders []string `json:"orders"`
		} `json:"held_back"`
	} `json:"stock"`
}

func (s stockResult) held(sku string) bool {
	if s.Stock == nil {
		return false
	}
	for _, h := range s.Stock.HeldBack {
		if h.SKU == sku {
			return true
		}
	}
	return false
}

// syncTask runs `koppel sync winkel TASK --json` once.
func (r *rig) syncTask(task string) (int, stockResult, string) {
	r.t.Helper()
	code, out, errs := r.koppel(r.t.Context(), "sync", "winkel", task, "--json")
	var res stockResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		r.t.Fatalf("sync %s output is not JSON (exit %d): %v\n%s\n%s", task, code, err, out, tail(errs))
	}
	return code, res, errs
}

// shopStock returns the WooCommerce simulator's stock_quantity by SKU.
func (r *rig) shopStock() map[string]float64 {
	var d struct {
		Products []struct {
			SKU   string   `json:"sku"`
			Stock *float64 `json:"stock_quantity"`
		} `json:"products"`
	}
	getJSON(r.t, "http://"+r.woo+"/_sim/dump", &d)
	out := map[string]float64{}
	for _, p := range d.Products {
		if p.Stock != nil {
			out[p.SKU] = *p.Stock
		}
	}
	return out
}

// ssFreeStock returns the SnelStart simulator's vrije voorraad of an article.
func (r *rig) ssFreeStock(code string) float64 {
	for _, a := range r.ssState().Artikelen {
		if a.Artikelcode == code {
			f, _ := a.VrijeVoorraad.Float64()
			return f
		}
	}
	r.t.Fatalf("SnelStart has no article %s", code)
	return 0
}

// Issue 7 with real shops: an order waiting in the shop (on-hold: a bank transfer not yet
// received) is listed (every status is), not imported, and holds its product's stock back, so
// the shop never offers stock that is already sold; once the shop moves it to processing it is
// imported and the stock is exported. The profile names no statuses: the WooCommerce plugin's
// own default (processing, completed) decides what is imported.
func TestWaitingOrderHoldsBackStockThroughWooCommerce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	created := time.Now().UTC().Add(-2 * time.Hour).Format("2006-01-02T15:04:05")
	addr := map[string]any{"first_name": "Anouk", "last_name": "Bakker", "address_1": "Markt 8", "postcode": "5611 EB",
		"city": "Eindhoven", "country": "NL", "email": "anouk.bakker@example.nl", "phone": "040 2123456"}
	order := func(id int, status string, product int) map[string]any {
		return map[string]any{"id": id, "number": fmt.Sprint(id), "status": status, "customer_id": 0, "billing": addr, "shipping": addr,
			"payment_method": "bacs", "payment_method_title": "Bankoverschrijving", "prices_include_tax": true, "currency": "EUR",
			"line_items": []map[string]any{{"product_id": product, "quantity": 1}}, "date_created_gmt": created}
	}
	seed := map[string]any{
		"products": []map[string]any{
			{"id": 11, "name": "T-shirt katoen", "type": "simple", "status": "publish", "sku": "SHIRT-01", "regular_price": "24.95", "manage_stock": true, "stock_quantity": 99},
			{"id": 12, "name": "Kookboek Hollandse pot", "type": "simple", "status": "publish", "sku": "BOEK-01", "regular_price": "27.50", "tax_class": "reduced-rate", "manage_stock": true, "stock_quantity": 99},
			{"id": 13, "name": "Mok met logo", "type": "simple", "status": "publish", "sku": "MOK-01", "regular_price": "9.00", "manage_stock": true, "stock_quantity": 99},
		},
		"orders": []map[string]any{order(801, "on-hold", 11), order(802, "processing", 12), order(803, "cancelled", 13)},
	}
	b, err := json.Marshal(seed)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "seed.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r := newRig(t, rigOptions{WooArgs: []string{"--seed", path, "--prices-include-tax"}})

	code, res, errs := r.syncTask("import_orders_export_stock")
	if code != 0 || res.Imported != 1 || res.Waiting != 2 || res.Stock == nil {
		t.Fatalf("first run: exit %d %+v\n%s", code, res, tail(errs))
	}
	if !res.held("SHIRT-01") || res.held("MOK-01") || res.held("BOEK-01") || slices.Contains(res.Stock.Changed, "SHIRT-01") {
		t.Fatalf("first run: only SHIRT-01 (on the on-hold order) must be held back, not MOK-01 (cancelled): %+v", res.Stock)
	}
	stock := r.shopStock()
	if stock["SHIRT-01"] != 99 {
		t.Fatalf("the shop's SHIRT-01 stock was written while an order holds it: %v", stock)
	}
	if stock["BOEK-01"] != r.ssFreeStock("BOEK-01") || stock["MOK-01"] != 0 {
		t.Fatalf("free products must be exported (BOEK-01 = SnelStart's %v, MOK-01 = 0 for SnelStart's negative stock): %v", r.ssFreeStock("BOEK-01"), stock)
	}

	// The transfer arrives: the shop owner sets the order to processing.
	send(t, http.MethodPost, fmt.Sprintf("http://%s/_sim/orders/801/touch?status=processing", r.woo), "")
	code, res, errs = r.syncTask("import_orders_export_stock")
	if code != 0 || res.Imported != 1 || res.Stock == nil || len(res.Stock.HeldBack) != 0 {
		t.Fatalf("second run: exit %d %+v %+v\n%s", code, res.syncResult, res.Stock, tail(errs))
	}
	if len(r.newOrders()) != 2 {
		t.Fatalf("SnelStart holds %d new sales orders, want 2", len(r.newOrders()))
	}
	if got, want := r.shopStock()["SHIRT-01"], r.ssFreeStock("SHIRT-01"); got != want || !slices.Contains(res.Stock.Changed, "SHIRT-01") {
		t.Fatalf("SHIRT-01 after its order was imported: shop %v, SnelStart %v (%+v)", got, want, res.Stock)
	}
}

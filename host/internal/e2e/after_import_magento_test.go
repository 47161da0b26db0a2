package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// TestAfterImportMagento: Magento orders imported through the real magento plugin; then in the
// store a credit memo of one item with shipping, an adjustment-only credit memo and a credit memo
// of everything that is left; sync twice: SnelStart holds one credit order per credit memo with
// exactly minus its grand total, on the original relatie.
func TestAfterImportMagento(t *testing.T) {
	t.Parallel()
	r, mg := newMagentoRig(t, `["processing", "complete", "closed"]`, "")
	gen, imported := importMagento(t, r, mg, 6, "processing")
	type mgOrder struct {
		IncrementID    string      `json:"increment_id"`
		GrandTotal     json.Number `json:"grand_total"`
		ShippingAmount json.Number `json:"shipping_amount"`
		Items          []struct {
			ItemID       int64  `json:"item_id"`
			ParentItemID *int64 `json:"parent_item_id"`
			ProductType  string `json:"product_type"`
		} `json:"items"`
	}
	api := func(method, path, body string, out any) {
		t.Helper()
		magentoAPI(t, mg, method, path, body, out)
	}
	// Two imported orders (a generated order whose bundle SKU SnelStart refuses stays parked).
	var picked []int64
	var found []mgOrder
	for _, id := range gen.IDs {
		var o mgOrder
		api(http.MethodGet, fmt.Sprintf("/orders/%d", id), "", &o)
		if imported[o.IncrementID] && len(picked) < 2 {
			picked, found = append(picked, id), append(found, o)
		}
	}
	gen.IDs = picked
	o1, o2 := found[0], found[1]
	item := o1.Items[0].ItemID
	for _, it := range o1.Items {
		if it.ParentItemID == nil && it.ProductType == "simple" {
			item = it.ItemID
			break
		}
	}
	var memo1, memo2, memo3 int64
	api(http.MethodPost, fmt.Sprintf("/order/%d/refund", gen.IDs[0]),
		fmt.Sprintf(`{"items":[{"order_item_id":%d,"qty":1}],"arguments":{"shipping_amount":%s}}`, item, o1.ShippingAmount), &memo1)
	api(http.MethodPost, fmt.Sprintf("/order/%d/refund", gen.IDs[0]), `{"arguments":{"adjustment_positive":2.50}}`, &memo2)
	api(http.MethodPost, fmt.Sprintf("/order/%d/refund", gen.IDs[1]), fmt.Sprintf(`{"arguments":{"adjustment_positive":%s}}`, o2.GrandTotal), &memo3)
	send(t, http.MethodPost, "http://"+mg+"/_sim/clock?advance=5m", "")
	r.sync()
	r.sync()

	var memos struct {
		Items []struct {
			EntityID   int64       `json:"entity_id"`
			GrandTotal json.Number `json:"grand_total"`
		} `json:"items"`
	}
	api(http.MethodGet, "/creditmemos?searchCriteria[pageSize]=50", "", &memos)
	if len(memos.Items) != 3 {
		t.Fatalf("%d credit memos in the store", len(memos.Items))
	}
	got := r.newOrders()
	origin := map[int64]mgOrder{memo1: o1, memo2: o1, memo3: o2}
	for _, m := range memos.Items {
		o := origin[m.EntityID]
		ref := fmt.Sprintf("%s-R%d", o.IncrementID, m.EntityID)
		vs := got[ref]
		if len(vs) != 1 {
			t.Fatalf("credit memo %d: %d credit orders %q in SnelStart, want 1 (have %v)", m.EntityID, len(vs), ref, keys(got))
		}
		want := sdk.MustMoney(string(m.GrandTotal)).Neg()
		if !vs[0].TotaalInclusiefBtw.Equal(want) {
			t.Errorf("credit order %s: total %s, want %s", ref, vs[0].TotaalInclusiefBtw, want)
		}
		if orig := got[o.IncrementID]; len(orig) != 1 || orig[0].Relatie.ID != vs[0].Relatie.ID {
			t.Errorf("credit order %s not on the relatie of order %s", ref, o.IncrementID)
		}
	}
}

// newMagentoRig starts the Magento and SnelStart simulators and writes a profile "winkel" that
// imports the Magento store's orders in statuses (an HCL list) through the real magento plugin;
// orders is added to its orders block. It returns the rig and the Magento simulator's address.
func newMagentoRig(t *testing.T, statuses, orders string) (*rig, string) {
	t.Helper()
	mg := startSim(t, "magento", "--orders", "0", "--allow-bearer")
	r := &rig{t: t, ss: startSim(t, "snelstart-online", "--rate-limit", "-1"), dir: t.TempDir(), before: map[string]bool{}}
	for _, v := range r.ssState().Verkooporders {
		r.before[string(v.ID)] = true
	}
	profile := fmt.Sprintf(`koppel {
  state_dir  = "./state"
  plugin_dir = %q
  listen     = ""
}
profile "winkel" {
  shop "magento" {
    url                 = "http://%s"
    consumer_key        = "sim-consumer-key-0001"
    consumer_secret     = "sim-consumer-secret-0001"
    access_token        = "sim-access-token-0001"
    access_token_secret = "sim-access-token-secret-0001"
    statuses            = %s
  }
  ledger "snelstart-online" {
    client_key       = "ZGVtbzpkZW1v"
    subscription_key = "demo-subscription-key"
    base_url         = "http://%s/v2"
    auth_url         = "http://%s/b2b/token"
    rate_limit       = 0
    max_concurrent   = 0
  }
  orders {
    since              = "2020-01-01T00:00:00Z"
    shipping_article   = "VERZEND"
    discount_article   = "KORTING"
    difference_article = "ORDERVERSCHIL"
    refund_article     = "KORTING"
    vat_check          = "warn"
%s  }
  articles {
    revenue_group_by_vat = { "21" = 1, "9" = 2, "0" = 3 }
  }
}
`, filepath.Join(binDir, "plugins"), mg, statuses, r.ss, r.ss, orders)
	if err := os.WriteFile(filepath.Join(r.dir, "koppel.hcl"), []byte(profile), 0o644); err != nil {
		t.Fatal(err)
	}
	return r, mg
}

// generated is the answer of the Magento simulator's POST /_sim/orders.
type generated struct {
	IDs []int64 `json:"ids"`
}

// importMagento has the Magento simulator generate n orders in status, lets them settle (the
// plugin lists orders older than its settle delay) and syncs once. It returns the generated
// orders and the increment ids the sync imported, failing the test when fewer than two were.
func importMagento(t *testing.T, r *rig, mg string, n int, status string) (generated, map[string]bool) {
	t.Helper()
	var gen generated
	postJSON(t, fmt.Sprintf("http://%s/_sim/orders?n=%d&status=%s", mg, n, status), "", &gen)
	send(t, http.MethodPost, "http://"+mg+"/_sim/clock?advance=5m", "")
	_, res, errs := r.sync()
	imported := map[string]bool{}
	for _, o := range res.Orders {
		if o.Status == "imported" {
			imported[o.ShopNumber] = true
		}
	}
	if len(imported) < 2 {
		t.Fatalf("import: fewer than two orders imported: %+v\n%s", res, tail(errs))
	}
	return gen, imported
}

// magentoAPI calls the Magento simulator's REST API (/rest/default/V1 + path) with the
// integration's bearer token and decodes the JSON answer into out.
func magentoAPI(t *testing.T, mg, method, path, body string, out any) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+mg+"/rest/default/V1"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer sim-access-token-0001")
	req.Header.Set("Content-Type", "application/json")
	doJSON(t, req, out)
}

func keys(m map[string][]simulator.Verkooporder) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// postJSON POSTs body to url and decodes the JSON answer into out.
func postJSON(t testing.TB, url, body string, out any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	doJSON(t, req, out)
}

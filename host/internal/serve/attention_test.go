package serve

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/attention"
)

func TestAPIAttentionAndResolve(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.do(t, "GET", "/api/attention", nil, nil)
	wantStatus(t, resp, http.StatusOK)
	got := decode[AttentionJSON](t, resp)
	if len(got.Items) != 1 {
		t.Fatalf("items = %+v", got.Items)
	}
	it := got.Items[0]
	if it.Profile != "winkel" || it.Kind != "changed" || it.ShopNumber != "1001" || it.LedgerNumber != 6001 ||
		it.ShopTotal != "96.80" || it.LedgerTotal != "121.00" || !it.Open || !strings.Contains(it.Action, "6001") {
		t.Fatalf("item = %+v", it)
	}
	wantStatus(t, e.do(t, "GET", "/api/attention?profile=nope", nil, nil), http.StatusNotFound)
	if got := decode[AttentionJSON](t, e.do(t, "GET", "/api/attention?profile=magento-nl", nil, nil)); len(got.Items) != 0 {
		t.Fatalf("magento-nl items = %+v", got.Items)
	}

	// The gauge counts the open item.
	if body := readBody(t, e.do(t, "GET", "/metrics", nil, nil)); !strings.Contains(body, `koppel_attention_open{profile="winkel"} 1`) ||
		!strings.Contains(body, `koppel_attention_open{profile="magento-nl"} 0`) {
		t.Fatalf("/metrics lacks koppel_attention_open:\n%s", body)
	}

	wantStatus(t, e.do(t, "POST", "/api/profiles/winkel/attention/000000000000/resolve", nil, nil), http.StatusNotFound)
	wantStatus(t, e.do(t, "POST", "/api/profiles/nope/attention/"+it.ID+"/resolve", nil, nil), http.StatusNotFound)

	resp = e.do(t, "POST", "/api/profiles/winkel/attention/"+it.ID+"/resolve?note=gecorrigeerd", nil, nil)
	wantStatus(t, resp, http.StatusOK)
	res := decode[ResolvedJSON](t, resp)
	if res.Status != "resolved" || res.Item.Open || res.Item.ResolvedBy != "api" || res.Item.Note != "gecorrigeerd" || res.Item.ResolvedAt == nil {
		t.Fatalf("resolved = %+v", res)
	}
	res = decode[ResolvedJSON](t, e.do(t, "POST", "/api/profiles/winkel/attention/"+it.ID+"/resolve", nil, nil))
	if res.Status != "already_resolved" {
		t.Fatalf("second resolve = %+v", res)
	}
	if got := decode[AttentionJSON](t, e.do(t, "GET", "/api/attention", nil, nil)); len(got.Items) != 0 {
		t.Fatalf("open items after resolve = %+v", got.Items)
	}
	if got := decode[AttentionJSON](t, e.do(t, "GET", "/api/attention?all=1", nil, nil)); len(got.Items) != 1 || got.Items[0].Open {
		t.Fatalf("all items after resolve = %+v", got.Items)
	}
	if body := readBody(t, e.do(t, "GET", "/metrics", nil, nil)); !strings.Contains(body, `koppel_attention_open{profile="winkel"} 0`) {
		t.Fatal("gauge not back to 0")
	}
	if !strings.Contains(e.logs.String(), `"@message":"attention item resolved"`) {
		t.Fatal("resolve not logged")
	}
}

func TestDashboardAttention(t *testing.T) {
	e := newEnv(t, nil)
	id := attention.ItemID(attention.KindChanged, "401", "edit-1")
	body := readBody(t, e.do(t, "GET", "/?lang=nl", nil, nil))
	for _, want := range []string{"Aandacht nodig", "Gewijzigd", "Pas verkooporder 6001 in SnelStart aan.", "€ 96,80", "€ 121,00",
		`action="/api/profiles/winkel/attention/` + id + `/resolve"`, "Afgehandeld", "Niets dat aandacht nodig heeft."} {
		if !strings.Contains(body, want) {
			t.Errorf("Dutch page lacks %q", want)
		}
	}
	body = readBody(t, e.do(t, "GET", "/?lang=en", nil, nil))
	for _, want := range []string{"Needs attention", "Changed", "Correct sales order 6001 in SnelStart.", "€96.80"} {
		if !strings.Contains(body, want) {
			t.Errorf("English page lacks %q", want)
		}
	}

	// The button posts from the page and is answered with a redirect and a notice.
	form := url.Values{"from": {"page"}}.Encode()
	resp := e.do(t, "POST", "/api/profiles/winkel/attention/"+id+"/resolve", strings.NewReader(form),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	wantStatus(t, resp, http.StatusSeeOther)
	loc := resp.Header.Get("Location")
	if !strings.Contains(loc, "notice=resolved") {
		t.Fatalf("redirect to %q", loc)
	}
	page := readBody(t, e.do(t, "GET", loc+"&lang=nl", nil, nil))
	if !strings.Contains(page, "winkel: het punt van order 1001 is afgehandeld.") || strings.Contains(page, `data-item="`+id+`"`) {
		t.Fatal("page after resolve still shows the item or lacks the notice")
	}
	it, err := attention.Get(t.Context(), e.store, "winkel", id)
	if err != nil || it.ResolvedBy != "dashboard" {
		t.Fatalf("stored item = %+v, %v", it, err)
	}
}

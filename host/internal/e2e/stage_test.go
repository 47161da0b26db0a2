package e2e

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// A stage is the world of one settings row: its own WooCommerce simulator (prices including
// VAT, no generated orders) and SnelStart simulator (the demo administration), both seeded
// through their real APIs, and profile "winkel" = defaultSettings() plus the row's change.

type stage struct {
	*rig
	set      map[string]string
	products map[string]int64 // shop product id by catalogue key
	ssToken  string
	mu       sync.Mutex
}

// newStage starts the simulators and writes the profile with change applied to the base.
func newStage(t *testing.T, change map[string]string) *stage {
	t.Helper()
	return newStageWith(t, change, nil)
}

// configure changes one more setting (for values only known during the setup, such as a
// since between two orders) and rewrites the profile.
func (s *stage) configure(key, value string) {
	s.set[key] = value
	s.writeConfig(s.set)
}

// ---- WooCommerce, through /wp-json/wc/v3 with OAuth 1.0a (as over plain http) ----

// rfc3986 percent-encodes all but the unreserved characters, as OAuth 1.0a requires.
func rfc3986(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// wc sends one signed request to the shop's REST API and decodes the answer into out.
func (s *stage) wc(method, path string, body, out any) {
	s.t.Helper()
	nonce := make([]byte, 12)
	_, _ = rand.Read(nonce)
	params := map[string]string{
		"oauth_consumer_key":     "ck_demo",
		"oauth_nonce":            hex.EncodeToString(nonce),
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        strconv.FormatInt(time.Now().Unix(), 10),
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, rfc3986(k)+"="+rfc3986(params[k]))
	}
	base := "http://" + s.woo + "/wp-json/wc/v3" + path
	mac := hmac.New(sha1.New, []byte("cs_demo&"))
	mac.Write([]byte(method + "&" + rfc3986(base) + "&" + rfc3986(strings.Join(pairs, "&"))))
	q := url.Values{}
	for k, v := range params {
		q.Set(k, v)
	}
	q.Set("oauth_signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+"?"+q.Encode(), rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	doJSON(s.t, req, out)
}

func doJSON(t testing.TB, req *http.Request, out any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s %s", req.Method, req.URL.Path, resp.Status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", req.Method, req.URL.Path, err, b)
		}
	}
}

// wooProduct is a product of the test shop's catalogue; sku may differ from the catalogue key
// (the same code sold at another VAT rate) or be empty (a product without a SnelStart code).
type wooProduct struct {
	sku, name, price, class string
}

// catalogue is what the test shop sells. The SnelStart demo administration has SHIRT-01
// ("T-shirt katoen", Omzet hoog, 20.62 excl.), BOEK-01 (Omzet laag), MOK-01 (Omzet hoog) and
// the composite SET-01 (SHIRT-01 + BOEK-01); it lacks THEE-01, KOFFIE-01 and WEB-THEE.
var catalogue = map[string]wooProduct{
	"SHIRT-01":  {"SHIRT-01", "T-shirt katoen wit", "29.95", ""},
	"BOEK-01":   {"BOEK-01", "Kookboek Hollandse pot", "27.50", "reduced-rate"},
	"MOK-01":    {"MOK-01", "Mok met logo", "9.00", ""},
	"MOK-01@9%": {"MOK-01", "Mok met logo", "9.00", "reduced-rate"}, // sold at 9%: a VAT mismatch
	"SET-01":    {"SET-01", "Cadeaupakket shirt + kookboek", "45.00", ""},
	"THEE-01":   {"THEE-01", "Groene thee", "4.50", "reduced-rate"},
	"KOFFIE-01": {"KOFFIE-01", "Koffiebonen 1kg", "14.95", ""},
	"WEB-THEE":  {"WEB-THEE", "Thee (webshopcode)", "6.50", "reduced-rate"},
	"MAATWERK":  {"", "Maatwerk", "30.00", ""},
}

// product creates a catalogue product in the shop (once) and returns its id.
func (s *stage) product(key string) int64 {
	s.t.Helper()
	if id, ok := s.products[key]; ok {
		return id
	}
	p, ok := catalogue[key]
	if !ok {
		s.t.Fatalf("no catalogue product %q", key)
	}
	var out struct {
		ID int64 `json:"id"`
	}
	s.wc(http.MethodPost, "/products", map[string]any{"name": p.name, "type": "simple", "status": "publish",
		"sku": p.sku, "regular_price": p.price, "tax_class": p.class}, &out)
	s.products[key] = out.ID
	return out.ID
}

// buyer is who places a shop order: billing address, e-mail and the shop's customer id (0 for
// a guest).
type buyer struct {
	id                                 int64
	first, last, company, street, pc   string
	city, country, email, phone, vatNr string
}

var (
	// anouk is a guest SnelStart does not know.
	anouk = buyer{first: "Anouk", last: "Bakker", street: "Markt 8", pc: "5611 EB", city: "Eindhoven", country: "NL",
		email: "anouk.bakker@example.nl", phone: "040 2123456"}
	// janHome is relatie 1001 of the demo administration (jan.devries@example.nl, 3511 AB),
	// postcode typed without a space, ordering as a guest.
	janHome = buyer{first: "Jan", last: "de Vries", street: "Dorpsstraat 12", pc: "3511AB", city: "Utrecht", country: "NL",
		email: "jan.devries@example.nl", phone: "06 12345678"}
	// janAway is Jan with his e-mail in another case, at another address.
	janAway = buyer{first: "Jan", last: "de Vries", street: "Stationsweg 1", pc: "1012 AB", city: "Amsterdam", country: "NL",
		email: "Jan.DeVries@Example.NL", phone: "06 12345678"}
	// smitNew is relatie 1002 (Bakkerij Smit B.V., 9711 AA) ordering with an e-mail SnelStart
	// does not have.
	smitNew = buyer{first: "Piet", last: "Smit", company: "Bakkerij Smit B.V.", street: "Broodweg 5", pc: "9711 AA", city: "Groningen",
		country: "NL", email: "piet@nieuw-bij-smit.example.nl", phone: "050 1234567"}
	// smitInvoices uses the second address of relatie 1002's e-mail list
	// "info@bakkerijsmit.nl;facturen@bakkerijsmit.nl", in capitals, elsewhere.
	smitInvoices = buyer{first: "Piet", last: "Smit", street: "Havenweg 1", pc: "9999 ZZ", city: "Delfzijl", country: "NL",
		email: "FACTUREN@bakkerijsmit.nl"}
	// hoekstra is a business with a VAT number.
	hoekstra = buyer{first: "Sjoerd", last: "Hoekstra", company: "Hoekstra Fietsen V.O.F.", street: "Nieuwestad 77", pc: "8911 CM",
		city: "Leeuwarden", country: "NL", email: "info@hoekstrafietsen.example.nl", phone: "058 2134567", vatNr: "NL123456782B01"}
)

func (b buyer) address(withEmail bool) map[string]any {
	a := map[string]any{"first_name": b.first, "last_name": b.last, "company": b.company, "address_1": b.street,
		"postcode": b.pc, "city": b.city, "country": b.country}
	if withEmail {
		a["email"], a["phone"] = b.email, b.phone
	}
	return a
}

// item is one order line: a catalogue product, a quantity and its options (line meta).
type item struct {
	product string
	qty     int
	options [][2]string
}

// shopOrder is an order to place in the test shop.
type wooOrder struct {
	by       buyer
	shipTo   *buyer // a delivery address other than the billing address
	items    []item
	shipping string      // shipping costs excl. VAT (WooCommerce's shipping total), e.g. "4.95"
	fee      string      // a payment fee excl. VAT
	coupon   string      // welkom10 (10%), korting5 (5.00) or gratisverzending
	status   string      // default processing
	meta     [][2]string // order meta_data entries (key, value), e.g. a B2B plugin's customer number
}

// placed is a shop order as the REST API answered its creation.
type placed struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
	Total  string `json:"total"`
	Status string `json:"status"`
	// DiscountTotal and DiscountTax are the coupons' discount excl. VAT and its VAT.
	DiscountTotal string `json:"discount_total"`
	DiscountTax   string `json:"discount_tax"`
}

// order places o through POST /orders and returns it.
func (s *stage) order(o wooOrder) placed {
	s.t.Helper()
	var lines []map[string]any
	for _, it := range o.items {
		li := map[string]any{"product_id": s.product(it.product), "quantity": max(it.qty, 1)}
		var meta []map[string]any
		for _, opt := range it.options {
			meta = append(meta, map[string]any{"key": opt[0], "value": opt[1]})
		}
		if meta != nil {
			li["meta_data"] = meta
		}
		lines = append(lines, li)
	}
	ship := o.by
	if o.shipTo != nil {
		ship = *o.shipTo
	}
	status := o.status
	if status == "" {
		status = "processing"
	}
	body := map[string]any{"status": status, "customer_id": o.by.id, "billing": o.by.address(true), "shipping": ship.address(false),
		"payment_method": "ideal", "payment_method_title": "iDEAL", "line_items": lines}
	var meta []map[string]any
	if o.by.vatNr != "" {
		meta = append(meta, map[string]any{"key": "vat_number", "value": o.by.vatNr})
	}
	for _, m := range o.meta {
		meta = append(meta, map[string]any{"key": m[0], "value": m[1]})
	}
	if meta != nil {
		body["meta_data"] = meta
	}
	if o.shipping != "" {
		body["shipping_lines"] = []map[string]any{{"method_id": "flat_rate", "method_title": "PostNL", "total": o.shipping}}
	}
	if o.fee != "" {
		body["fee_lines"] = []map[string]any{{"name": "Betaalkosten", "tax_status": "taxable", "tax_class": "", "total": o.fee}}
	}
	if o.coupon != "" {
		body["coupon_lines"] = []map[string]any{{"code": o.coupon}}
	}
	var p placed
	s.wc(http.MethodPost, "/orders", body, &p)
	if p.Number == "" {
		p.Number = strconv.FormatInt(p.ID, 10)
	}
	return p
}

// wooCustomer registers a customer account in the shop through POST /customers, with the
// given meta entries (key, value), and returns its id for buyer.id.
func (s *stage) wooCustomer(email string, meta ...[2]string) int64 {
	s.t.Helper()
	var md []map[string]any
	for _, m := range meta {
		md = append(md, map[string]any{"key": m[0], "value": m[1]})
	}
	var out struct {
		ID int64 `json:"id"`
	}
	s.wc(http.MethodPost, "/customers", map[string]any{"email": email, "meta_data": md}, &out)
	if out.ID == 0 {
		s.t.Fatalf("POST /customers gave no id")
	}
	return out.ID
}

// surcharge raises a shop order's total by amount (a plug-in fee the REST API does not show
// as a line) through PUT /orders/{id}, and returns the order as the shop now has it.
func (s *stage) surcharge(p placed, amount string) placed {
	s.t.Helper()
	total := sdk.MustMoney(p.Total).Add(sdk.MustMoney(amount))
	var out placed
	s.wc(http.MethodPut, fmt.Sprintf("/orders/%d", p.ID), map[string]any{"total": total.StringFixed(2)}, &out)
	if out.Number == "" {
		out.Number = strconv.FormatInt(out.ID, 10)
	}
	return out
}

// ---- SnelStart, through the simulator's /v2 API with the demo keys ----

// ssAPI sends one request to the SnelStart API as a bookkeeper's other software would.
func (s *stage) ssAPI(method, path string, body, out any) {
	s.t.Helper()
	s.mu.Lock()
	if s.ssToken == "" {
		form := url.Values{"grant_type": {"clientkey"}, "clientkey": {simulator.DefaultClientKey}}
		resp, err := http.PostForm("http://"+s.ss+"/b2b/token", form)
		if err != nil {
			s.mu.Unlock()
			s.t.Fatal(err)
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		err = json.NewDecoder(resp.Body).Decode(&tok)
		resp.Body.Close()
		if err != nil || tok.AccessToken == "" {
			s.mu.Unlock()
			s.t.Fatalf("SnelStart token: %v", err)
		}
		s.ssToken = tok.AccessToken
	}
	token := s.ssToken
	s.mu.Unlock()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://"+s.ss+"/v2"+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Ocp-Apim-Subscription-Key", simulator.DefaultSubscriptionKey)
	doJSON(s.t, req, out)
}

// addRelatie creates a customer (klant) in SnelStart.
func (s *stage) addRelatie(code int32, name, email, street, pc, city string) {
	s.t.Helper()
	s.ssAPI(http.MethodPost, "/relaties", map[string]any{"relatiesoort": []string{"Klant"}, "relatiecode": code, "naam": name, "email": email,
		"vestigingsAdres": map[string]any{"straat": street, "postcode": pc, "plaats": city, "land": map[string]any{"id": simulator.LandNL}}}, nil)
}

// addArtikel creates an article in SnelStart, with extra fields (vrije velden) when given.
func (s *stage) addArtikel(code, desc string, group simulator.GUID, price string, extra map[string]string) {
	s.t.Helper()
	body := map[string]any{"artikelcode": code, "omschrijving": desc, "artikelOmzetgroep": map[string]any{"id": group}, "verkoopprijs": json.Number(price)}
	if len(extra) > 0 {
		var ev []map[string]string
		for k, v := range extra {
			ev = append(ev, map[string]string{"naam": k, "waarde": v})
		}
		body["extraVelden"] = ev
	}
	s.ssAPI(http.MethodPost, "/artikelen", body, nil)
}

// addVerkooporder books a sales order in SnelStart by hand: on relatie, with the template,
// betalingskenmerk and orderreferentie given, one MOK-01.
func (s *stage) addVerkooporder(relatie, template simulator.GUID, kenmerk, referentie string) {
	s.t.Helper()
	body := map[string]any{"relatie": map[string]any{"id": relatie}, "datum": "2026-01-10T00:00:00", "procesStatus": "Order",
		"betalingskenmerk": kenmerk, "orderreferentie": referentie,
		"regels": []map[string]any{{"artikel": map[string]any{"id": simulator.ArtikelMok}, "aantal": 1, "stuksprijs": 9}}}
	if template != "" {
		body["verkoopordersjabloon"] = map[string]any{"id": template}
	}
	s.ssAPI(http.MethodPost, "/verkooporders", body, nil)
	// Sales orders booked before the sync are not koppel's.
	for _, v := range s.ssState().Verkooporders {
		s.before[string(v.ID)] = true
	}
}

// ---- running and reading back ----

// outcome is one order of a sync's result.
type outcome struct {
	Status   string
	Reason   string
	Warnings []string
}

// run is what a sync left: its result and the SnelStart administration afterwards.
type run struct {
	t     testing.TB
	code  int
	res   syncResult
	admin simulator.Administration
	new   map[string][]simulator.Verkooporder // sales orders koppel created, by orderreferentie
	base  map[int32]bool                      // relatiecodes that existed before the sync
	arts  map[string]bool                     // artikelcodes that existed before the sync
}

// syncOrders runs `koppel sync winkel import_orders` once and reads SnelStart back.
func (s *stage) syncOrders() *run {
	s.t.Helper()
	baseRel, baseArt := map[int32]bool{}, map[string]bool{}
	for _, r := range s.ssState().Relaties {
		baseRel[r.Relatiecode] = true
	}
	for _, a := range s.ssState().Artikelen {
		baseArt[a.Artikelcode] = true
	}
	code, res, errs := s.sync()
	if code == 2 || (code != 0 && len(res.Orders) == 0) {
		s.t.Fatalf("sync: exit %d %+v\n%s", code, res, tail(errs))
	}
	return &run{t: s.t, code: code, res: res, admin: s.ssState(), new: s.newOrders(), base: baseRel, arts: baseArt}
}

// outcome returns what the sync did with shop order p.
func (r *run) outcome(p placed) outcome {
	r.t.Helper()
	for _, o := range r.res.Orders {
		if o.ShopNumber == p.Number {
			return outcome{o.Status, o.Reason, o.Warnings}
		}
	}
	r.t.Fatalf("the sync result does not mention order %s: %+v", p.Number, r.res)
	return outcome{}
}

// must checks that shop order p had status, with reason containing every part.
func (r *run) must(p placed, status string, parts ...string) outcome {
	r.t.Helper()
	o := r.outcome(p)
	if o.Status != status {
		r.t.Fatalf("order %s: status %q (%s), want %q", p.Number, o.Status, o.Reason, status)
	}
	// A part may be named in the stored (English) reason or in the Dutch a bookkeeper reads.
	nl := text.Reason(text.NL, o.Reason)
	for _, part := range parts {
		if !strings.Contains(o.Reason, part) && !strings.Contains(nl, part) {
			r.t.Fatalf("order %s: reason %q (in Dutch %q) does not name %q", p.Number, o.Reason, nl, part)
		}
	}
	return o
}

// so returns the sales order koppel created for shop order p under reference ref (default
// its number); it fails when there is none or more than one.
func (r *run) so(p placed, ref ...string) simulator.Verkooporder {
	r.t.Helper()
	key := p.Number
	if len(ref) > 0 {
		key = ref[0]
	}
	vs := r.new[key]
	if len(vs) != 1 {
		o := r.outcome(p)
		r.t.Fatalf("SnelStart holds %d sales orders with reference %q, want 1 (sync: %s %s %v)", len(vs), key, o.Status, o.Reason, o.Warnings)
	}
	return vs[0]
}

// none checks that SnelStart got no sales order for p.
func (r *run) none(p placed) {
	r.t.Helper()
	for ref, vs := range r.new {
		if strings.HasSuffix(ref, p.Number) {
			r.t.Fatalf("SnelStart holds sales order %d (%q) for shop order %s", vs[0].Nummer, ref, p.Number)
		}
	}
}

// ssLine is a sales-order line as a bookkeeper reads it.
type ssLine struct {
	code, desc  string
	qty, price  string
	total       string
	articleLess bool
}

func (l ssLine) String() string {
	return fmt.Sprintf("[%s %q %s x %s = %s]", l.code, l.desc, l.qty, l.price, l.total)
}

// lines returns v's lines with article codes.
func (r *run) lines(v simulator.Verkooporder) []ssLine {
	var out []ssLine
	for _, l := range v.Regels {
		sl := ssLine{desc: l.Omschrijving, qty: l.Aantal.String(), price: l.Stuksprijs.StringFixed(2), total: l.Totaal.StringFixed(2)}
		if l.Artikel == nil || l.Artikel.ID.IsEmpty() {
			sl.articleLess = true
		} else {
			sl.code = r.artikel(l.Artikel.ID).Artikelcode
		}
		out = append(out, sl)
	}
	return out
}

// line returns v's only line on article code.
func (r *run) line(v simulator.Verkooporder, code string) ssLine {
	r.t.Helper()
	var found []ssLine
	for _, l := range r.lines(v) {
		if l.code == code {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		r.t.Fatalf("sales order %d has %d lines on %s, want 1: %v", v.Nummer, len(found), code, r.lines(v))
	}
	return found[0]
}

// hasLine reports whether v has a line on article code.
func (r *run) hasLine(v simulator.Verkooporder, code string) bool {
	for _, l := range r.lines(v) {
		if l.code == code {
			return true
		}
	}
	return false
}

func (r *run) artikel(id simulator.GUID) simulator.Artikel {
	for _, a := range r.admin.Artikelen {
		if a.ID == id {
			return a
		}
	}
	return simulator.Artikel{}
}

// artikelByCode returns the article with code, and whether SnelStart has it.
func (r *run) artikelByCode(code string) (simulator.Artikel, bool) {
	for _, a := range r.admin.Artikelen {
		if a.Artikelcode == code {
			return a, true
		}
	}
	return simulator.Artikel{}, false
}

// relatie returns the relatie a sales order is booked on.
func (r *run) relatie(v simulator.Verkooporder) simulator.Relatie {
	r.t.Helper()
	for _, x := range r.admin.Relaties {
		if v.Relatie != nil && x.ID == v.Relatie.ID {
			return x
		}
	}
	r.t.Fatalf("sales order %d is booked on an unknown relatie", v.Nummer)
	return simulator.Relatie{}
}

// relatieByCode returns relatie code.
func (r *run) relatieByCode(code int32) simulator.Relatie {
	r.t.Helper()
	for _, x := range r.admin.Relaties {
		if x.Relatiecode == code {
			return x
		}
	}
	r.t.Fatalf("SnelStart has no relatie %d", code)
	return simulator.Relatie{}
}

// created returns the relaties the sync created.
func (r *run) created() []simulator.Relatie {
	var out []simulator.Relatie
	for _, x := range r.admin.Relaties {
		if !r.base[x.Relatiecode] {
			out = append(out, x)
		}
	}
	return out
}

// totalIs checks SnelStart's total of v including VAT.
func (r *run) totalIs(v simulator.Verkooporder, want string) {
	r.t.Helper()
	if !v.TotaalInclusiefBtw.Equal(sdk.MustMoney(want)) {
		r.t.Fatalf("sales order %d: SnelStart's total %s, want %s; lines %v", v.Nummer, v.TotaalInclusiefBtw.StringFixed(2), want, r.lines(v))
	}
}

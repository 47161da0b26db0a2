package snelstart

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/koppel-nl/koppel/sdk"
)

// CreateSalesOrder creates o with POST /verkooporders and returns the order as SnelStart
// stored it. When the answer carries no totals for an order with priced lines, the order is
// read back once (GET /verkooporders/{id}) for SnelStart's computed totals. A create whose
// answer was lost is KindOutcomeUnknown: look it up with FindSalesOrders by reference.
func (c *Connector) CreateSalesOrder(ctx context.Context, o sdk.SalesOrder) (sdk.SalesOrder, error) {
	body, err := c.toVerkooporder(ctx, o)
	if err != nil {
		return sdk.SalesOrder{}, err
	}
	what := "the sales order"
	if ref := firstNonEmpty(o.OrderReference, o.PaymentReference); ref != "" {
		what = fmt.Sprintf("sales order %q", ref)
	}
	var created verkooporderIn
	err = c.api.do(ctx, call{method: http.MethodPost, path: "/verkooporders", body: body, what: what, roles: orderAddressRoles(body)}, &created)
	if err != nil {
		return sdk.SalesOrder{}, c.customerRefusal(ctx, o.CustomerID, err)
	}
	if created.ID == "" {
		return sdk.SalesOrder{}, &sdk.Error{Kind: sdk.KindOutcomeUnknown,
			Message: fmt.Sprintf("SnelStart accepted %s but returned no id; look it up by reference before creating it again", what)}
	}
	if needsTotals(created, body) && validGUID(created.ID) {
		var stored verkooporderIn
		if err := c.api.get(ctx, "/verkooporders/"+created.ID, nil, what, &stored); err == nil && stored.ID != "" {
			created = stored
		} else if err != nil {
			// The order exists; report it without totals rather than fail and invite a
			// duplicate.
			c.log.Warn("sales order created but its totals could not be read back", "id", created.ID, "error", err)
		}
	}
	if err := c.ensureLanden(ctx); err != nil {
		c.log.Warn("countries could not be read to map the order's addresses", "error", err)
	}
	return c.fromVerkooporder(created), nil
}

// customerRefusal turns a refused create into a CodeCustomerGone error when the refusal is about
// the order's customer: SnelStart answers ALG-0105 (inactive) or REL-0005 (unknown relatie),
// and ALG-0105 may also be about an inactive article, so the relatie is read to tell which.
// Any other error (VOR-0002, a relatie that is not a klant, included) is returned unchanged.
func (c *Connector) customerRefusal(ctx context.Context, customerID string, err error) error {
	var se *sdk.Error
	if !asSDK(err, &se) || se.Kind != sdk.KindPermanent {
		return err
	}
	switch se.Code {
	case "ALG-0105", "REL-0005":
	default:
		return err
	}
	var r relatieIn
	gerr := c.api.get(ctx, "/relaties/"+customerID, nil, "customer "+customerID, &r)
	reason := ""
	switch {
	case sdk.KindOf(gerr) == sdk.KindNotFound:
		reason = "does not exist (any more)"
	case gerr != nil:
		return err
	case r.Nonactief:
		reason = "is inactive (non-actief)"
	default:
		return err
	}
	return &sdk.Error{Kind: sdk.KindPermanent, Code: sdk.CodeCustomerGone, Err: err,
		Message: fmt.Sprintf("SnelStart refused the order because customer %d %q %s (%s)", r.Relatiecode, r.Naam, reason, se.Error())}
}

// needsTotals reports an answer without totals for an order that has priced lines.
func needsTotals(o verkooporderIn, sent *verkooporderWrite) bool {
	if o.TotaalInclusiefBtw != nil && o.TotaalInclusiefBtw.Valid && !o.TotaalInclusiefBtw.D.IsZero() {
		return false
	}
	for _, l := range sent.Regels {
		if l.Stuksprijs != nil && !l.Stuksprijs.D.IsZero() && l.Aantal != nil && !l.Aantal.D.IsZero() {
			return true
		}
		if l.Stuksprijs == nil && l.Artikel != nil {
			return true // SnelStart fills the price
		}
	}
	return false
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// toVerkooporder maps a SalesOrder to the POST body, checking ids and mapping countries.
func (c *Connector) toVerkooporder(ctx context.Context, o sdk.SalesOrder) (*verkooporderWrite, error) {
	if o.ID != "" || o.Number != 0 {
		return nil, sdk.Errorf(sdk.KindPermanent, "a new sales order must not have an id or number")
	}
	if !validGUID(o.CustomerID) {
		return nil, sdk.Errorf(sdk.KindPermanent, "the sales order has no valid customer id (%q)", o.CustomerID)
	}
	for _, id := range []struct{ name, v string }{{"cost centre", o.CostCentreID}, {"template", o.TemplateID}} {
		if id.v != "" && !validGUID(id.v) {
			return nil, sdk.Errorf(sdk.KindPermanent, "the %s id %q is not a SnelStart id", id.name, id.v)
		}
	}
	if o.Date.IsZero() {
		return nil, sdk.Errorf(sdk.KindPermanent, "the sales order has no date")
	}
	body := &verkooporderWrite{
		Relatie:              refOf(o.CustomerID),
		ProcesStatus:         string(o.ProcessStatus),
		Datum:                ssTime{o.Date},
		Krediettermijn:       o.PaymentTermDays,
		Omschrijving:         o.Description,
		Betalingskenmerk:     o.PaymentReference,
		Memo:                 o.Memo,
		Orderreferentie:      o.OrderReference,
		Kostenplaats:         refOf(o.CostCentreID),
		Verkoopordersjabloon: refOf(o.TemplateID),
		Regels:               make([]regelWrite, 0, len(o.Lines)),
	}
	if o.PricesIncludeVAT {
		body.VerkooporderBtwIngaveModel = "Inclusief"
	} else {
		body.VerkooporderBtwIngaveModel = "Exclusief"
	}
	var err error
	if body.Factuuradres, err = c.toAdres(ctx, o.InvoiceAddress); err != nil {
		return nil, err
	}
	if body.Afleveradres, err = c.toAdres(ctx, o.DeliveryAddress); err != nil {
		return nil, err
	}
	for i, l := range o.Lines {
		if l.ArticleID != "" && !validGUID(l.ArticleID) {
			return nil, sdk.Errorf(sdk.KindPermanent, "line %d: article id %q is not a SnelStart id", i+1, l.ArticleID)
		}
		r := regelWrite{Artikel: refOf(l.ArticleID), Omschrijving: l.Description, Aantal: newNum(l.Quantity)}
		if l.UnitPrice != nil {
			r.Stuksprijs = newNum(*l.UnitPrice)
		}
		if !l.DiscountPercent.IsZero() {
			r.KortingsPercentage = newNum(l.DiscountPercent)
		}
		body.Regels = append(body.Regels, r)
	}
	return body, nil
}

// fromVerkooporder maps VerkoopOrderModel to sdk.SalesOrder.
func (c *Connector) fromVerkooporder(v verkooporderIn) sdk.SalesOrder {
	o := sdk.SalesOrder{
		ID:               v.ID,
		Number:           v.Nummer,
		CustomerID:       idOf(v.Relatie),
		Date:             v.Datum.Time,
		ProcessStatus:    sdk.ProcessStatus(v.ProcesStatus),
		Description:      v.Omschrijving,
		PaymentReference: v.Betalingskenmerk,
		OrderReference:   v.Orderreferentie,
		PricesIncludeVAT: v.VerkooporderBtwIngaveModel == "Inclusief",
		CostCentreID:     idOf(v.Kostenplaats),
		TemplateID:       idOf(v.Verkoopordersjabloon),
		PaymentTermDays:  v.Krediettermijn,
		Memo:             v.Memo,
		TotalExcl:        v.TotaalExclusiefBtw.dec(),
		TotalIncl:        v.TotaalInclusiefBtw.dec(),
		ModifiedAt:       v.ModifiedOn.Time,
		Lines:            make([]sdk.SalesOrderLine, 0, len(v.Regels)),
	}
	if v.Factuuradres != nil {
		a := c.fromAdres(v.Factuuradres)
		o.InvoiceAddress = &a
	}
	if v.Afleveradres != nil {
		a := c.fromAdres(v.Afleveradres)
		o.DeliveryAddress = &a
	}
	for _, r := range v.Regels {
		l := sdk.SalesOrderLine{
			ArticleID:       idOf(r.Artikel),
			Description:     r.Omschrijving,
			Quantity:        r.Aantal.dec(),
			DiscountPercent: r.KortingsPercentage.dec(),
			Total:           r.Totaal.dec(),
		}
		if r.Stuksprijs != nil && r.Stuksprijs.Valid {
			p := r.Stuksprijs.D
			l.UnitPrice = &p
		}
		o.Lines = append(o.Lines, l)
	}
	return o
}

// FindSalesOrders returns the sales orders matching q, most recent first (by date, then
// number), at most q.Limit when set.
//
// q.Reference and q.References together form the set of references looked for: an order
// matches when its betalingskenmerk or orderreferentie is one of them (the double-import
// guard asks for a whole batch of orders in one call). With order_lookup "filter" SnelStart is
// asked with $filter (Betalingskenmerk eq '…' or Orderreferentie eq '…' or …, split over
// several requests sent at the same time so no URL grows beyond maxFilterLen; or Relatie/Id eq
// guid'…'). With "scan"
// the orders modified within order_scan_window are paged (ModifiedOn ge datetime'…'; all
// orders when the window is 0 or SnelStart refuses that filter too) and matched locally, once
// for all references. "auto" filters first and switches to scanning for good when SnelStart
// refuses the filter (snelstart-totals.md §2: none of these filters is documented for
// verkooporders). Every result is also checked locally.
func (c *Connector) FindSalesOrders(ctx context.Context, q sdk.SalesOrderQuery) ([]sdk.SalesOrder, error) {
	refs := referenceSet(q)
	if q.CustomerID != "" && !validGUID(q.CustomerID) {
		return nil, nil
	}
	want := make(map[string]bool, len(refs))
	for _, r := range refs {
		want[r] = true
	}
	match := func(v verkooporderIn) bool {
		if len(refs) > 0 && !want[v.Betalingskenmerk] && !want[v.Orderreferentie] {
			return false
		}
		if q.CustomerID != "" && !strings.EqualFold(idOf(v.Relatie), q.CustomerID) {
			return false
		}
		return true
	}
	var filters []string
	switch {
	case len(refs) > 0:
		filters = referenceFilters(refs, maxFilterLen)
	case q.CustomerID != "":
		filters = []string{eqGUID("Relatie/Id", q.CustomerID)}
	}

	var found []verkooporderIn
	scan := c.orderLookup == LookupScan || (c.orderLookup == LookupAuto && c.filterRefused.Load())
	if !scan && len(filters) > 0 {
		parts, err := listAllEach[verkooporderIn](ctx, c.api, "/verkooporders", filters, pageDefault, "sales orders")
		switch {
		case err != nil && c.orderLookup == LookupAuto && filterRefused(err):
			c.filterRefused.Store(true)
			c.log.Warn("SnelStart refused a $filter on verkooporders; looking sales orders up by scanning from now on", "error", err)
			scan = true
		case err != nil:
			return nil, err
		}
		seen := map[string]bool{}
		for _, all := range parts {
			for _, v := range all {
				if match(v) && !seen[v.ID] {
					seen[v.ID] = true
					found = append(found, v)
				}
			}
		}
	} else {
		scan = true
	}
	if scan {
		var err error
		found, err = c.scanOrders(ctx, match)
		if err != nil {
			return nil, err
		}
	}
	sort.SliceStable(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if !a.Datum.Equal(b.Datum.Time) {
			return a.Datum.After(b.Datum.Time)
		}
		if a.Nummer != b.Nummer {
			return a.Nummer > b.Nummer
		}
		return a.ModifiedOn.After(b.ModifiedOn.Time)
	})
	if q.Limit > 0 && len(found) > q.Limit {
		found = found[:q.Limit]
	}
	if len(found) > 0 {
		if err := c.ensureLanden(ctx); err != nil {
			return nil, err
		}
	}
	out := make([]sdk.SalesOrder, 0, len(found))
	for _, v := range found {
		out = append(out, c.fromVerkooporder(v))
	}
	return out, nil
}

// maxFilterLen caps the URL-encoded length of one reference $filter, so a request line stays
// well below the 2,048-character query-string limit common in front of IIS.
const maxFilterLen = 1600

// referenceSet returns the trimmed, non-empty, distinct references of q (Reference first).
func referenceSet(q sdk.SalesOrderQuery) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range append([]string{q.Reference}, q.References...) {
		r = strings.TrimSpace(r)
		if r == "" || seen[r] {
			continue
		}
		seen[r] = true
		out = append(out, r)
	}
	return out
}

// referenceFilters builds `Betalingskenmerk eq 'r' or Orderreferentie eq 'r' or …` filters for
// refs, as few as possible with each one's encoded length at most maxLen (a single reference
// longer than that still gets a filter of its own).
func referenceFilters(refs []string, maxLen int) []string {
	clauses := make([]string, 0, len(refs))
	for _, r := range refs {
		clauses = append(clauses, or(eqString("Betalingskenmerk", r), eqString("Orderreferentie", r)))
	}
	return joinFilters(clauses, maxLen)
}

// filterRefused reports an error that means SnelStart did not accept a $filter (ALG-0104,
// or any other 400 on a list call).
func filterRefused(err error) bool {
	if sdk.KindOf(err) != sdk.KindPermanent {
		return false
	}
	var se *sdk.Error
	return asSDK(err, &se) && (se.Code == "ALG-0104" || se.Code == "http_400" || se.Code == "")
}

// scanOrders pages the orders modified within the scan window (or all) and keeps the matches.
func (c *Connector) scanOrders(ctx context.Context, match func(verkooporderIn) bool) ([]verkooporderIn, error) {
	var found []verkooporderIn
	keep := func(v verkooporderIn) error {
		if match(v) {
			found = append(found, v)
		}
		return nil
	}
	if c.scanWindow > 0 && !c.modifiedRefused.Load() {
		filter := geDateTime("ModifiedOn", c.now().Add(-c.scanWindow))
		err := list(ctx, c.api, "/verkooporders", filter, pageDefault, "sales orders", keep)
		if err == nil {
			return found, nil
		}
		if !filterRefused(err) {
			return nil, err
		}
		c.modifiedRefused.Store(true)
		c.log.Warn("SnelStart refused a ModifiedOn filter on verkooporders; scanning every order from now on", "error", err)
		found = nil
	}
	if err := list(ctx, c.api, "/verkooporders", "", pageDefault, "sales orders", keep); err != nil {
		return nil, err
	}
	return found, nil
}

// DeleteSalesOrder deletes sales order id with DELETE /verkooporders/{id}. SnelStart refuses
// an order that was invoiced (procesStatus Factuur) with VOR-0015: that is KindProcessed, so the
// host books a credit order instead. An unknown id (404, VOR-0001: deleted before, perhaps by a
// retried call whose first answer was lost) is KindNotFound.
func (c *Connector) DeleteSalesOrder(ctx context.Context, id string) error {
	if !validGUID(id) {
		return sdk.Errorf(sdk.KindNotFound, "sales order id %q is not a SnelStart id", id)
	}
	what := "sales order " + id
	err := c.api.do(ctx, call{method: http.MethodDelete, path: "/verkooporders/" + id, what: what}, nil)
	var se *sdk.Error
	if err != nil && asSDK(err, &se) {
		switch se.Code {
		case "VOR-0015":
			out := *se
			out.Kind = sdk.KindProcessed
			out.Message = fmt.Sprintf("SnelStart refused deleting %s: it has been invoiced (procesStatus Factuur) and can no longer be deleted; credit it instead", what)
			return &out
		case "VOR-0001":
			out := *se
			out.Kind = sdk.KindNotFound
			return &out
		}
	}
	return err
}

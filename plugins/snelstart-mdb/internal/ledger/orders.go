package ledger

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/tables"
	"github.com/koppel-nl/koppel/sdk"
)

// processStatuses are the procesStatus values SnelStart knows.
var processStatuses = []string{"Offerte", "Order", "Bevestiging", "Werkbon", "Pakbon", "Afhaalbon", "Contantbon", "Factuur"}

// defaultProcessStatus is used when an order gives none.
const defaultProcessStatus = "Order"

// addressOf maps one of the order's addresses (prefix "Factuur" or "Aflever").
func addressOf(row tables.Row, prefix string, lands countryTable) *sdk.LedgerAddress {
	return &sdk.LedgerAddress{
		Contact:  row.Str(prefix + "Naam"),
		Street:   row.Str(prefix + "Straat"),
		Postcode: row.Str(prefix + "Postcode"),
		City:     row.Str(prefix + "Plaats"),
		Country:  lands.byID[row.Int(prefix+"LandID")],
	}
}

// orderFromRows maps a Verkooporders row and its lines (any order; sorted here by Regelnummer).
func orderFromRows(h tables.Row, lines []tables.Row, lands countryTable) sdk.SalesOrder {
	term := int(h.Int("Krediettermijn"))
	o := sdk.SalesOrder{
		ID:               id(h.Int("OrderID")),
		Number:           int(h.Int("Ordernummer")),
		CustomerID:       id(h.Int("RelatieID")),
		Date:             h.Time("Datum"),
		ProcessStatus:    sdk.ProcessStatus(h.Str("ProcesStatus")),
		Description:      h.Str("Omschrijving"),
		PaymentReference: h.Str("Betalingskenmerk"),
		OrderReference:   h.Str("Orderreferentie"),
		InvoiceAddress:   addressOf(h, "Factuur", lands),
		DeliveryAddress:  addressOf(h, "Aflever", lands),
		PricesIncludeVAT: h.Bool("PrijsInclBtw"),
		TemplateID:       id(h.Int("SjabloonID")),
		PaymentTermDays:  &term,
		TotalExcl:        h.Dec("TotaalExclBtw").Round(2),
		TotalIncl:        h.Dec("TotaalInclBtw").Round(2),
		ModifiedAt:       h.Time("Gewijzigd"),
		Lines:            []sdk.SalesOrderLine{},
	}
	if !h.IsNull("KostenplaatsID") {
		o.CostCentreID = id(h.Int("KostenplaatsID"))
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].Int("Regelnummer") < lines[j].Int("Regelnummer") })
	for _, r := range lines {
		price := r.Dec("Stuksprijs")
		line := sdk.SalesOrderLine{
			Description:     r.Str("Omschrijving"),
			UnitPrice:       &price,
			Quantity:        r.Dec("Aantal"),
			DiscountPercent: r.Dec("KortingsPercentage"),
			Total:           r.Dec("Totaal").Round(2),
		}
		if !r.IsNull("ArtikelID") {
			line.ArticleID = id(r.Int("ArtikelID"))
		}
		o.Lines = append(o.Lines, line)
	}
	return o
}

// loadOrders reads the lines of the given headers and maps them, most recent first (by date,
// then order number).
func loadOrders(ctx context.Context, r tables.Reader, headers []tables.Row, limit int) ([]sdk.SalesOrder, error) {
	sort.SliceStable(headers, func(i, j int) bool {
		a, b := headers[i], headers[j]
		if !a.Time("Datum").Equal(b.Time("Datum")) {
			return a.Time("Datum").After(b.Time("Datum"))
		}
		return a.Int("Ordernummer") > b.Int("Ordernummer")
	})
	if limit > 0 && len(headers) > limit {
		headers = headers[:limit]
	}
	if len(headers) == 0 {
		return nil, nil
	}
	lands, err := countries(ctx, r)
	if err != nil {
		return nil, err
	}
	lines := map[int64][]tables.Row{}
	collect := func(row tables.Row) error {
		lines[row.Int("OrderID")] = append(lines[row.Int("OrderID")], row)
		return nil
	}
	if len(headers) <= 4 {
		for _, h := range headers {
			if err := r.Scan(ctx, tables.VerkooporderRegels, []tables.Cond{tables.Eq("OrderID", h.Int("OrderID"))}, collect); err != nil {
				return nil, err
			}
		}
	} else {
		want := map[int64]bool{}
		for _, h := range headers {
			want[h.Int("OrderID")] = true
		}
		if err := r.Scan(ctx, tables.VerkooporderRegels, nil, func(row tables.Row) error {
			if want[row.Int("OrderID")] {
				return collect(row)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	out := make([]sdk.SalesOrder, 0, len(headers))
	for _, h := range headers {
		out = append(out, orderFromRows(h, lines[h.Int("OrderID")], lands))
	}
	return out, nil
}

// FindSalesOrders returns the sales orders whose betalingskenmerk or orderreferentie equals
// q.Reference (case-insensitively, as Jet compares) and that belong to q.CustomerID, most
// recent first, at most q.Limit.
func (l *Ledger) FindSalesOrders(ctx context.Context, q sdk.SalesOrderQuery) ([]sdk.SalesOrder, error) {
	var base []tables.Cond
	if q.CustomerID != "" {
		n, ok := parseID(q.CustomerID)
		if !ok {
			return nil, nil
		}
		base = append(base, tables.Eq("RelatieID", n))
	}
	ref := strings.TrimSpace(q.Reference)
	if ref == "" && len(base) == 0 {
		return nil, nil
	}
	var out []sdk.SalesOrder
	err := l.read(ctx, "find sales orders", func(r tables.Reader) error {
		var headers []tables.Row
		seen := map[int64]bool{}
		collect := func(row tables.Row) error {
			if !seen[row.Int("OrderID")] {
				seen[row.Int("OrderID")] = true
				headers = append(headers, row)
			}
			return nil
		}
		if ref == "" {
			if err := r.Scan(ctx, tables.Verkooporders, base, collect); err != nil {
				return err
			}
		} else {
			for _, col := range []string{"Betalingskenmerk", "Orderreferentie"} {
				conds := append([]tables.Cond{tables.Eq(col, ref)}, base...)
				if err := r.Scan(ctx, tables.Verkooporders, conds, collect); err != nil {
					return err
				}
			}
		}
		var err error
		out, err = loadOrders(ctx, r, headers, q.Limit)
		return err
	})
	return out, err
}

// orderContext is what CreateSalesOrder reads before it writes.
type orderContext struct {
	customer   tables.Row
	lands      countryTable
	groups     map[int64]sdk.VATClass
	rates      []sdk.VATRate
	articles   map[int64]tables.Row
	pricesIncl bool // Instellingen.PrijsInvoerInclBtw: article prices include VAT
}

// CreateSalesOrder writes a sales order with its lines in one transaction: it checks the
// customer, articles, template and cost centre exist, takes each line's VAT rate from the
// article's omzetgroep on the order date, computes line and order totals as SnelStart does,
// takes the order number from Instellingen.VolgendOrdernummer (skipping numbers in use) and
// advances it. A line without UnitPrice takes the article's sales price, converted to the
// order's VAT basis.
func (l *Ledger) CreateSalesOrder(ctx context.Context, o sdk.SalesOrder) (sdk.SalesOrder, error) {
	if len(o.Lines) == 0 {
		return sdk.SalesOrder{}, permanent("order", "a sales order needs at least one line")
	}
	custID, ok := parseID(o.CustomerID)
	if !ok {
		return sdk.SalesOrder{}, permanent("customer", "customer %q does not exist in the administration", o.CustomerID)
	}
	status := string(o.ProcessStatus)
	if status == "" {
		status = defaultProcessStatus
	}
	validStatus := false
	for _, s := range processStatuses {
		if strings.EqualFold(s, status) {
			status, validStatus = s, true
		}
	}
	if !validStatus {
		return sdk.SalesOrder{}, permanent("process-status", "process status %q is not one of %s", status, strings.Join(processStatuses, ", "))
	}
	date := o.Date
	if date.IsZero() {
		date = l.opts.Now().In(l.loc)
	}
	y, m, d := date.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, l.loc)

	var created sdk.SalesOrder
	err := l.write(ctx, "create sales order", func(tx tables.Tx) error {
		oc, err := l.readOrderContext(ctx, tx, custID, o)
		if err != nil {
			return err
		}
		templateID, err := pickTemplate(ctx, tx, o)
		if err != nil {
			return err
		}
		header, lineRows, err := l.buildOrder(o, oc, day, status, templateID)
		if err != nil {
			return err
		}
		if o.CostCentreID != "" {
			n, ok := parseID(o.CostCentreID)
			found := false
			if ok {
				if found, err = exists(ctx, tx, tables.Kostenplaatsen, tables.Eq("KostenplaatsID", n)); err != nil {
					return err
				}
			}
			if !found {
				return permanent("cost-centre", "cost centre (kostenplaats) %q does not exist", o.CostCentreID)
			}
			header["KostenplaatsID"] = n
		}
		number, err := l.nextNumber(ctx, tx, settingNextOrder, tables.Verkooporders, "Ordernummer")
		if err != nil {
			return err
		}
		header["Ordernummer"] = number
		if err := tx.Insert(ctx, tables.Verkooporders, header); err != nil {
			return err
		}
		var orderID int64
		var stored tables.Row
		if err := tx.Scan(ctx, tables.Verkooporders, []tables.Cond{tables.Eq("Ordernummer", number)}, func(row tables.Row) error {
			orderID, stored = row.Int("OrderID"), row
			return nil
		}); err != nil {
			return err
		}
		if orderID == 0 {
			return fmt.Errorf("order %d was not found after it was inserted", number)
		}
		for i, lr := range lineRows {
			lr["OrderID"] = orderID
			lr["Regelnummer"] = int64(i + 1)
			if err := tx.Insert(ctx, tables.VerkooporderRegels, lr); err != nil {
				return err
			}
		}
		if err := setSetting(ctx, tx, settingNextOrder, number+1); err != nil {
			return err
		}
		orders, err := loadOrders(ctx, tx, []tables.Row{stored}, 1)
		if err != nil {
			return err
		}
		if len(orders) == 1 {
			created = orders[0]
		}
		return nil
	})
	if err != nil {
		return sdk.SalesOrder{}, err
	}
	l.log.Info("sales order written", "number", created.Number, "reference", o.PaymentReference, "total_incl", created.TotalIncl.StringFixed(2))
	return created, nil
}

// readOrderContext reads the customer, countries, revenue groups, VAT rates and the articles
// the order's lines name.
func (l *Ledger) readOrderContext(ctx context.Context, tx tables.Tx, custID int64, o sdk.SalesOrder) (orderContext, error) {
	oc := orderContext{groups: map[int64]sdk.VATClass{}, articles: map[int64]tables.Row{}}
	if err := tx.Scan(ctx, tables.Relaties, []tables.Cond{tables.Eq("RelatieID", custID)}, func(row tables.Row) error {
		oc.customer = row
		return nil
	}); err != nil {
		return oc, err
	}
	if oc.customer == nil {
		return oc, permanent("customer", "customer (relatie) %s does not exist in the administration", o.CustomerID)
	}
	if !oc.customer.Bool("IsKlant") {
		return oc, permanent("customer", "relatie %d %s is not a customer (klant); tick Klant in SnelStart or use another relatie",
			oc.customer.Int("Relatiecode"), oc.customer.Str("Naam"))
	}
	var err error
	if oc.lands, err = countries(ctx, tx); err != nil {
		return oc, err
	}
	if err := tx.Scan(ctx, tables.Omzetgroepen, nil, func(row tables.Row) error {
		oc.groups[row.Int("OmzetgroepID")] = vatClass(row.Str("BtwSoort"))
		return nil
	}); err != nil {
		return oc, err
	}
	if oc.rates, err = vatRates(ctx, tx); err != nil {
		return oc, err
	}
	set, err := l.settings(ctx, tx)
	if err != nil {
		return oc, err
	}
	oc.pricesIncl = strings.TrimSpace(set[settingPricesIncl]) == "1"
	for i, line := range o.Lines {
		if line.ArticleID == "" {
			continue
		}
		n, ok := parseID(line.ArticleID)
		if !ok {
			return oc, permanent("article", "line %d: article %q does not exist", i+1, line.ArticleID)
		}
		if _, done := oc.articles[n]; done {
			continue
		}
		if err := tx.Scan(ctx, tables.Artikelen, []tables.Cond{tables.Eq("ArtikelID", n)}, func(row tables.Row) error {
			oc.articles[n] = row
			return nil
		}); err != nil {
			return oc, err
		}
		if oc.articles[n] == nil {
			return oc, permanent("article", "line %d: article %s does not exist in the administration", i+1, line.ArticleID)
		}
	}
	return oc, nil
}

// pickTemplate returns the order's template, or the first active template whose price entry
// (incl./excl. VAT) matches the order, or else the first active one.
func pickTemplate(ctx context.Context, tx tables.Tx, o sdk.SalesOrder) (int64, error) {
	var all []tables.Row
	if err := tx.Scan(ctx, tables.Sjablonen, nil, func(row tables.Row) error {
		all = append(all, row)
		return nil
	}); err != nil {
		return 0, err
	}
	if o.TemplateID != "" {
		n, ok := parseID(o.TemplateID)
		for _, t := range all {
			if ok && t.Int("SjabloonID") == n {
				return n, nil
			}
		}
		return 0, permanent("template", "template (sjabloon) %q does not exist", o.TemplateID)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Int("SjabloonID") < all[j].Int("SjabloonID") })
	for _, t := range all {
		if !t.Bool("NonActief") && t.Bool("PrijsInclBtw") == o.PricesIncludeVAT {
			return t.Int("SjabloonID"), nil
		}
	}
	for _, t := range all {
		if !t.Bool("NonActief") {
			return t.Int("SjabloonID"), nil
		}
	}
	return 0, permanent("template", "the administration has no active template (sjabloon) for sales orders")
}

// buildOrder turns the order into its header and line rows, with totals.
func (l *Ledger) buildOrder(o sdk.SalesOrder, oc orderContext, day time.Time, status string, templateID int64) (tables.Row, []tables.Row, error) {
	hundred := decimal.NewFromInt(100)
	priced := make([]pricedLine, len(o.Lines))
	lineRows := make([]tables.Row, len(o.Lines))
	for i, line := range o.Lines {
		if line.ArticleID == "" {
			desc := strings.TrimSpace(line.Description)
			if desc == "" {
				return nil, nil, permanent("line", "line %d has neither an article nor a text", i+1)
			}
			priced[i] = pricedLine{Text: true}
			lineRows[i] = tables.Row{"Omschrijving": desc, "Aantal": zero, "Stuksprijs": zero, "KortingsPercentage": zero, "Totaal": zero}
			continue
		}
		n, _ := parseID(line.ArticleID)
		art := oc.articles[n]
		class, ok := oc.groups[art.Int("OmzetgroepID")]
		if !ok {
			return nil, nil, permanent("revenue-group", "line %d: article %s has omzetgroep %d, which does not exist", i+1, art.Str("Artikelcode"), art.Int("OmzetgroepID"))
		}
		rate, ok := rateOn(oc.rates, class, day)
		if !ok {
			return nil, nil, permanent("vat-rate", "line %d: no VAT rate %s valid on %s in BtwTarieven", i+1, class, day.Format("2006-01-02"))
		}
		if line.DiscountPercent.IsNegative() || line.DiscountPercent.GreaterThan(hundred) {
			return nil, nil, permanent("discount", "line %d: discount %s%% is not between 0 and 100", i+1, line.DiscountPercent)
		}
		var price decimal.Decimal
		if line.UnitPrice != nil {
			price = *line.UnitPrice
		} else {
			price = art.Dec("Verkoopprijs")
			switch {
			case oc.pricesIncl && !o.PricesIncludeVAT:
				price = price.Mul(hundred).DivRound(hundred.Add(rate), 8)
			case !oc.pricesIncl && o.PricesIncludeVAT:
				price = price.Mul(hundred.Add(rate)).Shift(-2)
			}
		}
		price = price.Round(4)
		desc := strings.TrimSpace(line.Description)
		if desc == "" {
			desc = art.Str("Omschrijving")
		}
		priced[i] = pricedLine{Quantity: line.Quantity, UnitPrice: price, Discount: line.DiscountPercent, Rate: rate}
		lineRows[i] = tables.Row{"ArtikelID": n, "Omschrijving": desc, "Aantal": line.Quantity, "Stuksprijs": price,
			"KortingsPercentage": line.DiscountPercent}
	}
	totals, _, excl, incl := orderTotals(priced, o.PricesIncludeVAT)
	for i := range lineRows {
		lineRows[i]["Totaal"] = totals[i]
		if err := checkSizes(tables.VerkooporderRegels, lineRows[i]); err != nil {
			err.Message = fmt.Sprintf("line %d: %s", i+1, err.Message)
			return nil, nil, err
		}
	}

	cust := oc.customer
	inv := sdk.LedgerAddress{Street: cust.Str("Straat"), Postcode: cust.Str("Postcode"), City: cust.Str("Plaats"), Country: oc.lands.byID[cust.Int("LandID")]}
	if o.InvoiceAddress != nil {
		inv = *o.InvoiceAddress
	}
	invName := cust.Str("Naam")
	del := inv
	delName := invName
	if o.DeliveryAddress != nil {
		del = *o.DeliveryAddress
		if c := strings.TrimSpace(del.Contact); c != "" {
			delName = c
		}
	}
	invLand, err := landOf(inv.Country, oc.lands, "invoice")
	if err != nil {
		return nil, nil, err
	}
	delLand, err := landOf(del.Country, oc.lands, "delivery")
	if err != nil {
		return nil, nil, err
	}
	term := cust.Int("Krediettermijn")
	if o.PaymentTermDays != nil {
		if *o.PaymentTermDays < 0 {
			return nil, nil, permanent("order", "payment term of %d days is negative", *o.PaymentTermDays)
		}
		term = int64(*o.PaymentTermDays)
	}
	desc := strings.TrimSpace(o.Description)
	if desc == "" {
		desc = strings.TrimSpace("Order " + firstNonEmpty(o.OrderReference, o.PaymentReference))
	}
	header := tables.Row{
		"RelatieID":        cust.Int("RelatieID"),
		"Datum":            day,
		"Omschrijving":     desc,
		"Betalingskenmerk": nullable(o.PaymentReference),
		"Orderreferentie":  nullable(o.OrderReference),
		"SjabloonID":       templateID,
		"ProcesStatus":     status,
		"PrijsInclBtw":     o.PricesIncludeVAT,
		"Krediettermijn":   term,
		"FactuurNaam":      nullable(invName),
		"FactuurStraat":    nullable(inv.Street),
		"FactuurPostcode":  nullable(inv.Postcode),
		"FactuurPlaats":    nullable(inv.City),
		"FactuurLandID":    invLand,
		"AfleverNaam":      nullable(delName),
		"AfleverStraat":    nullable(del.Street),
		"AfleverPostcode":  nullable(del.Postcode),
		"AfleverPlaats":    nullable(del.City),
		"AfleverLandID":    delLand,
		"TotaalExclBtw":    excl,
		"TotaalInclBtw":    incl,
		"Gewijzigd":        l.nowWall(),
	}
	if err := checkSizes(tables.Verkooporders, header); err != nil {
		return nil, nil, err
	}
	return header, lineRows, nil
}

func landOf(iso string, lands countryTable, which string) (int64, error) {
	iso = strings.ToUpper(strings.TrimSpace(iso))
	if iso == "" {
		iso = "NL"
	}
	n, ok := lands.byISO[iso]
	if !ok {
		return 0, permanent("country", "%s address: country %s is not in the administration's countries (Landen); add it in SnelStart first", which, iso)
	}
	return n, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// processedStatuses are the procesStatus values of an order SnelStart processed further: an
// invoice (Factuur) or a cash receipt (Contantbon) can no longer be deleted.
var processedStatuses = map[string]bool{"factuur": true, "contantbon": true}

// DeleteSalesOrder deletes sales order id and its lines in one transaction while the order is
// still an order. An invoiced one (procesStatus Factuur or Contantbon) is refused with
// KindProcessed, an unknown one is KindNotFound.
func (l *Ledger) DeleteSalesOrder(ctx context.Context, orderID string) error {
	n, ok := parseID(orderID)
	if !ok {
		return &sdk.Error{Kind: sdk.KindNotFound, Code: "order", Message: fmt.Sprintf("sales order %q does not exist in the administration", orderID)}
	}
	var number int64
	err := l.write(ctx, "delete sales order", func(tx tables.Tx) error {
		var header tables.Row
		if err := tx.Scan(ctx, tables.Verkooporders, []tables.Cond{tables.Eq("OrderID", n)}, func(row tables.Row) error {
			header = row
			return nil
		}); err != nil {
			return err
		}
		if header == nil {
			return &sdk.Error{Kind: sdk.KindNotFound, Code: "order", Message: fmt.Sprintf("sales order %s does not exist in the administration", orderID)}
		}
		number = header.Int("Ordernummer")
		if st := header.Str("ProcesStatus"); processedStatuses[strings.ToLower(st)] {
			return &sdk.Error{Kind: sdk.KindProcessed, Code: "processed",
				Message: fmt.Sprintf("sales order %d has been processed further in SnelStart (%s) and can no longer be deleted; credit it instead", number, st)}
		}
		if _, err := tx.Delete(ctx, tables.VerkooporderRegels, []tables.Cond{tables.Eq("OrderID", n)}); err != nil {
			return err
		}
		removed, err := tx.Delete(ctx, tables.Verkooporders, []tables.Cond{tables.Eq("OrderID", n)})
		if err != nil {
			return err
		}
		if removed != 1 {
			return fmt.Errorf("sales order %s: %d rows deleted, want 1", orderID, removed)
		}
		return nil
	})
	if err != nil {
		return err
	}
	l.log.Info("sales order deleted", "number", number)
	return nil
}

package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// profileNameRE is what a profile name may hold: it is used on the command line and in URLs.
var profileNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// now is the clock for "in the future" warnings; tests replace it.
var now = time.Now

// profileDecoding holds what one profile's checks need beyond the decoded values.
type profileDecoding struct {
	p *Profile
	// at maps an attribute path ("customers.fixed_customer") to its expression's range.
	at map[string]hcl.Range
	// set records which attribute paths were written and decoded.
	set map[string]bool
}

func (pd *profileDecoding) mark(d *blockDecoder, name string, st evalStatus) {
	if st == present {
		pd.set[d.path(name)] = true
		pd.at[d.path(name)] = d.attrs[name].Expr.Range()
	}
}

// decodeProfile decodes one profile block.
func (l *loader) decodeProfile(block *hclsyntax.Block, ctx *hcl.EvalContext) {
	if len(block.Labels) != 1 {
		l.errorf(block.DefRange(), "a profile needs exactly one name", "", `write profile "mijnwinkel" { ... }`)
		return
	}
	p := &Profile{
		Name:      block.Labels[0],
		DeclRange: block.DefRange(),
		Orders:    defaultOrders(),
		Articles:  defaultArticles(),
		Customers: defaultCustomers(),
		Stock:     defaultStock(),
	}
	pd := &profileDecoding{p: p, at: map[string]hcl.Range{}, set: map[string]bool{}}
	nameOK := true
	if !profileNameRE.MatchString(p.Name) {
		l.errorf(block.LabelRanges[0], fmt.Sprintf("profile name %s is not allowed", showValue(p.Name)),
			"the name is used on the command line and in URLs",
			"use letters, digits, '_', '-' and '.', starting with a letter or digit, at most 64 characters; e.g. profile \"mijnwinkel\"")
		nameOK = false
	}
	if first, dup := l.profileAt[p.Name]; dup {
		l.errorf(block.LabelRanges[0], fmt.Sprintf("profile %q is defined twice", p.Name),
			fmt.Sprintf("the first one is at %s", rangeString(first)),
			"profile names must be unique across all *.hcl files; rename one of them")
		nameOK = false
	} else {
		l.profileAt[p.Name] = block.LabelRanges[0]
	}

	d := l.decoder(block.Body, ctx, fmt.Sprintf("profile %q", p.Name), fmt.Sprintf("profile %q", p.Name))
	d.String("description", &p.Description, false)
	d.finish()

	var shops, ledgers []*hclsyntax.Block
	seen := map[string]*hclsyntax.Block{}
	tasks := map[TaskName]hcl.Range{}
	for _, b := range block.Body.Blocks {
		switch b.Type {
		case "shop":
			shops = append(shops, b)
		case "ledger":
			ledgers = append(ledgers, b)
		case "orders", "articles", "customers", "stock":
			if len(b.Labels) > 0 {
				l.errorf(b.LabelRanges[0], fmt.Sprintf("the %s block takes no name", b.Type), "", fmt.Sprintf("write %s { ... }", b.Type))
				continue
			}
			if prev, dup := seen[b.Type]; dup {
				l.errorf(b.DefRange(), fmt.Sprintf("a second %s block in profile %q", b.Type, p.Name),
					fmt.Sprintf("the first one is at %s", rangeString(prev.DefRange())),
					fmt.Sprintf("merge them into one %s block", b.Type))
				continue
			}
			seen[b.Type] = b
			switch b.Type {
			case "orders":
				l.decodeOrders(b, ctx, pd)
			case "articles":
				l.decodeArticles(b, ctx, pd)
			case "customers":
				l.decodeCustomers(b, ctx, pd)
			case "stock":
				l.decodeStock(b, ctx, pd)
			}
		case "task":
			if t, ok := l.decodeTask(b, ctx, tasks); ok {
				p.Tasks = append(p.Tasks, t)
			}
		case "notify":
			if len(b.Labels) > 0 {
				l.errorf(b.LabelRanges[0], "the notify block takes no name", "", "write notify { ... }")
			} else if p.Notify != nil {
				l.errorf(b.DefRange(), fmt.Sprintf("a second notify block in profile %q", p.Name),
					fmt.Sprintf("the first one is at %s", rangeString(p.Notify.DeclRange)), "merge them into one notify block")
			} else {
				l.decodeNotify(b, ctx, p)
			}
		default:
			l.unknownBlock(b, []string{"shop", "ledger", "orders", "articles", "customers", "stock", "task", "notify"},
				fmt.Sprintf("in profile %q", p.Name))
		}
	}

	l.decodeSide(p, sdk.KindShop, shops, &p.Shop, ctx)
	l.decodeSide(p, sdk.KindLedger, ledgers, &p.Ledger, ctx)
	if _, ok := seen["orders"]; !ok {
		l.errorf(p.DeclRange, fmt.Sprintf("profile %q: orders.since is required", p.Name),
			"orders created or modified before since are never imported; koppel needs to know where to start",
			`add orders { since = "2026-01-01T00:00:00+01:00" } to the profile`)
	}
	l.checkProfile(pd)
	if nameOK {
		l.cfg.Profiles = append(l.cfg.Profiles, p)
	}
}

// decodeSide decodes the shop or ledger blocks of a profile: exactly one is required.
func (l *loader) decodeSide(p *Profile, kind sdk.PluginKind, blocks []*hclsyntax.Block, dst *PluginBlock, ctx *hcl.EvalContext) {
	example := `shop "woocommerce" { url = "https://www.mijnwinkel.nl" ... }`
	if kind == sdk.KindLedger {
		example = `ledger "snelstart-online" { client_key = env("SNELSTART_CLIENT_KEY") ... }`
	}
	if len(blocks) == 0 {
		l.errorf(p.DeclRange, fmt.Sprintf("profile %q has no %s block", p.Name, kind),
			fmt.Sprintf("a profile links one shop to one ledger"), "add "+example)
		return
	}
	for i, b := range blocks {
		if i > 0 {
			l.errorf(b.DefRange(), fmt.Sprintf("profile %q has a second %s block", p.Name, kind),
				fmt.Sprintf("the first one is at %s", rangeString(blocks[0].DefRange())),
				fmt.Sprintf("a profile links exactly one shop to one ledger; make a second profile for another %s", kind))
			continue
		}
		if pb, ok := l.decodePlugin(kind, b, ctx); ok {
			*dst = pb
		} else {
			dst.Name = pb.Name
			dst.Range = pb.Range
		}
	}
}

func (l *loader) decodeOrders(b *hclsyntax.Block, ctx *hcl.EvalContext, pd *profileDecoding) {
	o := &pd.p.Orders
	o.DeclRange = b.DefRange()
	d := l.decoder(b.Body, ctx, "orders", "the orders block")
	st := d.Time("since", &o.Since)
	pd.mark(d, "since", st)
	if st == absent {
		l.errorf(b.DefRange(), fmt.Sprintf("profile %q: orders.since is required", pd.p.Name),
			"orders created or modified before since are never imported; koppel needs to know where to start",
			`add since = "2026-01-01T00:00:00+01:00" to the orders block`)
	}
	pd.mark(d, "statuses", d.StringList("statuses", &o.Statuses))
	pd.mark(d, "template", d.NumOrName("template", &o.Template))
	d.Bool("reuse_last_template", &o.ReuseLastTemplate)
	d.Bool("payment_reference", &o.PaymentReference)
	d.String("reference_prefix", &o.ReferencePrefix, false)
	pd.mark(d, "description", d.Enum("description", (*string)(&o.Description), []string{"auto", "profile", "order_number", "none"}))
	d.Enum("addresses", (*string)(&o.Addresses), []string{"order", "customer"})
	d.Enum("lines", (*string)(&o.Lines), []string{"full", "code_and_quantity", "ledger_description"})
	pd.mark(d, "recipes", d.Bool("recipes", &o.Recipes))
	d.Enum("product_options", (*string)(&o.ProductOptions), []string{"separate_line", "in_line", "ignore"})
	for _, a := range []struct {
		name string
		dst  *string
	}{
		{"shipping_article", &o.ShippingArticle},
		{"discount_article", &o.DiscountArticle},
		{"payment_fee_article", &o.PaymentFeeArticle},
		{"difference_article", &o.DifferenceArticle},
		{"fallback_article", &o.FallbackArticle},
		{"refund_article", &o.RefundArticle},
	} {
		l.articleCode(d, a.name, a.dst)
	}
	pd.mark(d, "difference_tolerance", d.Decimal("difference_tolerance", &o.DifferenceTolerance))
	d.NumOrName("cost_centre", &o.CostCentre)
	d.Enum("process_status", (*string)(&o.ProcessStatus), []string{"Order", "Bevestiging", "Werkbon", "Pakbon", "Afhaalbon"})
	d.Enum("vat_check", (*string)(&o.VATCheck), []string{"fail", "warn", "off"})
	l.currency(d, &o.Currency)
	d.Enum("on_refund", (*string)(&o.OnRefund), []string{"credit_order", "attention", "ignore"})
	pd.mark(d, "book_as", d.Enum("book_as", (*string)(&o.BookAs), []string{"order", "invoice"}))
	pd.mark(d, "ledger_by_vat", d.LedgerMap("ledger_by_vat", []string{LedgerKeyICP, LedgerKeyExport, LedgerKeyOSS}, &o.LedgerByVAT))
	pd.mark(d, "mark_paid", d.Bool("mark_paid", &o.MarkPaid))
	d.Enum("on_cancel", (*string)(&o.OnCancel), []string{"delete", "credit_order", "attention", "ignore"})
	d.Enum("on_change", (*string)(&o.OnChange), []string{"attention", "ignore"})
	l.noBlocks(b.Body, "the orders block")
	d.finish()
}

// currency decodes orders.currency: an ISO 4217 code of three letters, kept in upper case.
func (l *loader) currency(d *blockDecoder, dst *string) {
	var s string
	if d.String("currency", &s, false) != present {
		return
	}
	c := strings.ToUpper(strings.TrimSpace(s))
	if len(c) != 3 || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		l.errorf(d.attrs["currency"].Expr.Range(), fmt.Sprintf("%s must be an ISO currency code of three letters, not %q", d.path("currency"), s), "",
			`write the administration's currency, like currency = "EUR"`)
		return
	}
	*dst = c
}

// articleCode decodes an article code: text that is not empty. A whole number is accepted as
// its digits, since article codes are often numeric.
func (l *loader) articleCode(d *blockDecoder, name string, dst *string) {
	v, attr, st := d.get(name, false)
	if st != present {
		return
	}
	s, ok := numOrName(v)
	if !ok {
		d.typeErr(attr, "an article code", v, fmt.Sprintf(`write %s = "VERZEND" (the SnelStart article code)`, name))
		return
	}
	if strings.TrimSpace(s) == "" {
		l.errorf(attr.Expr.Range(), fmt.Sprintf("%s must not be empty", d.path(name)), "",
			fmt.Sprintf(`give the SnelStart article code, like %s = "VERZEND", or leave %s out`, name, name))
		return
	}
	*dst = strings.TrimSpace(s)
}

func (l *loader) decodeArticles(b *hclsyntax.Block, ctx *hcl.EvalContext, pd *profileDecoding) {
	a := &pd.p.Articles
	a.DeclRange = b.DefRange()
	d := l.decoder(b.Body, ctx, "articles", "the articles block")
	d.Time("since", &a.Since)
	if d.String("code_field", &a.CodeField, false) == present {
		cf := a.CodeField
		name, isExtra := strings.CutPrefix(cf, "extra:")
		if cf != CodeFieldArtikelcode && (!isExtra || strings.TrimSpace(name) == "") {
			hint := `write code_field = "artikelcode", or code_field = "extra:<name of the extra field in SnelStart>"`
			if isExtra {
				hint = `give the extra field's name after the colon, e.g. code_field = "extra:Webshopcode"`
			}
			l.errorf(d.attrs["code_field"].Expr.Range(), `articles.code_field must be "artikelcode" or "extra:<field name>"`,
				fmt.Sprintf("got %s", showValue(cf)), hint)
			a.CodeField = CodeFieldArtikelcode
		} else if isExtra {
			a.CodeField = "extra:" + strings.TrimSpace(name)
		}
	}
	pd.mark(d, "revenue_group", d.NumOrName("revenue_group", &a.RevenueGroup))
	pd.mark(d, "revenue_group_by_vat", d.RateMap("revenue_group_by_vat", &a.RevenueGroupByVAT))
	pd.mark(d, "mode", d.Enum("mode", (*string)(&a.Mode), []string{"add", "add_update", "manual"}))
	l.noBlocks(b.Body, "the articles block")
	d.finish()
}

func (l *loader) decodeCustomers(b *hclsyntax.Block, ctx *hcl.EvalContext, pd *profileDecoding) {
	c := &pd.p.Customers
	c.DeclRange = b.DefRange()
	d := l.decoder(b.Body, ctx, "customers", "the customers block")
	d.Enum("match", (*string)(&c.Match), []string{"code", "email", "code_or_email", "email_postcode", "code_or_email_postcode", "smart"})
	pd.mark(d, "mode", d.Enum("mode", (*string)(&c.Mode), []string{"add", "add_update", "manual"}))
	pd.mark(d, "fixed_customer", d.Int("fixed_customer", &c.FixedCustomer, 1))
	var term int
	if st := d.Int("payment_term", &term, 0); st == present {
		c.PaymentTerm = &term
		pd.mark(d, "payment_term", st)
	}
	pd.mark(d, "email_invoices", d.Bool("email_invoices", &c.EmailInvoices))
	pd.mark(d, "email_reminders", d.Bool("email_reminders", &c.EmailReminders))
	l.noBlocks(b.Body, "the customers block")
	d.finish()
}

func (l *loader) decodeStock(b *hclsyntax.Block, ctx *hcl.EvalContext, pd *profileDecoding) {
	s := &pd.p.Stock
	s.DeclRange = b.DefRange()
	d := l.decoder(b.Body, ctx, "stock", "the stock block")
	d.Enum("quantity", (*string)(&s.Quantity), []string{"free", "technical"})
	d.Int("buffer", &s.Buffer, 0)
	d.Bool("composites", &s.Composites)
	l.noBlocks(b.Body, "the stock block")
	d.finish()
}

// decodeTask decodes a task block; tasks maps the labels seen so far to their ranges.
func (l *loader) decodeTask(b *hclsyntax.Block, ctx *hcl.EvalContext, tasks map[TaskName]hcl.Range) (Task, bool) {
	names := make([]string, len(TaskNames))
	for i, t := range TaskNames {
		names[i] = string(t)
	}
	if len(b.Labels) != 1 {
		l.errorf(b.DefRange(), "a task block needs the task's name as its label", "",
			fmt.Sprintf(`write task "import_orders" { every = "15m" }; tasks: %s`, strings.Join(names, ", ")))
		return Task{}, false
	}
	t := Task{Name: TaskName(b.Labels[0]), DeclRange: b.DefRange()}
	ok := true
	if !ValidTaskName(b.Labels[0]) {
		hint := "tasks: " + strings.Join(names, ", ")
		if s := suggest(b.Labels[0], names); s != "" {
			hint = fmt.Sprintf("did you mean %q? %s", s, hint)
		}
		l.errorf(b.LabelRanges[0], fmt.Sprintf("unknown task %s", showValue(b.Labels[0])),
			"must be one of "+quoteList(names), hint)
		ok = false
	} else if first, dup := tasks[t.Name]; dup {
		l.errorf(b.LabelRanges[0], fmt.Sprintf("task %q is scheduled twice", t.Name),
			fmt.Sprintf("the first one is at %s", rangeString(first)),
			"keep one task block per task; give it the shortest interval you need")
		ok = false
	} else {
		tasks[t.Name] = b.LabelRanges[0]
	}
	d := l.decoder(b.Body, ctx, fmt.Sprintf("task %q", b.Labels[0]), fmt.Sprintf("task %q", b.Labels[0]))
	everySt := d.Duration("every", &t.Every)
	if everySt == present && t.Every < time.Minute {
		l.warnf(d.attrs["every"].Expr.Range(), fmt.Sprintf("task %q runs every %s", t.Name, t.Every),
			"the shop and SnelStart limit how many requests koppel may send; so short an interval mostly hits those limits",
			`an interval of "5m" or more is usual`)
	}
	nextSt := d.Time("next", &t.Next)
	if nextSt == present && everySt == absent {
		l.errorf(d.attrs["next"].Expr.Range(), fmt.Sprintf("task %q has next but no every", t.Name),
			"next is the first run of a schedule; without every the task runs only on demand",
			`add every = "24h" (or remove next to run the task only with koppel sync)`)
		ok = false
	}
	l.noBlocks(b.Body, fmt.Sprintf("task %q", b.Labels[0]))
	d.finish()
	return t, ok
}

// checkProfile runs the cross-field rules of one profile.
func (l *loader) checkProfile(pd *profileDecoding) {
	p := pd.p
	o, c, a := &p.Orders, &p.Customers, &p.Articles

	if pd.set["customers.fixed_customer"] && c.Mode != ModeManual {
		l.errorf(pd.at["customers.fixed_customer"], `customers.fixed_customer is only allowed with customers.mode = "manual"`,
			fmt.Sprintf("mode is %q, which finds or creates a customer for every order", c.Mode),
			`add mode = "manual" to the customers block, or remove fixed_customer`)
	}
	if pd.set["orders.difference_tolerance"] {
		rng := pd.at["orders.difference_tolerance"]
		switch {
		case o.DifferenceTolerance.IsNegative():
			l.errorf(rng, "orders.difference_tolerance must not be negative", fmt.Sprintf("got %s", o.DifferenceTolerance),
				`write an amount of 0 or more, like difference_tolerance = "0.05"`)
		case o.DifferenceTolerance.Exponent() < -2 && !o.DifferenceTolerance.Equal(o.DifferenceTolerance.Round(2)):
			l.warnf(rng, "orders.difference_tolerance has more than two decimals",
				"totals are compared to the cent", `round it to cents, like difference_tolerance = "0.05"`)
		case o.DifferenceTolerance.GreaterThan(decimal.NewFromInt(1)):
			l.warnf(rng, fmt.Sprintf("orders.difference_tolerance is %s", o.DifferenceTolerance),
				"differences up to this amount are left alone, so the order total in SnelStart may differ that much from the shop's",
				`a tolerance of a few cents (difference_tolerance = "0.05") is usual; book larger differences with difference_article`)
		}
	}
	if pd.set["orders.book_as"] && o.BookAs == BookAsInvoice && p.Ledger.Name != "" && p.Ledger.Name != "snelstart-online" {
		l.errorf(pd.at["orders.book_as"], fmt.Sprintf(`orders.book_as = "invoice" is not possible with ledger %q`, p.Ledger.Name),
			"sales invoices (verkoopboekingen) are booked through the SnelStart online API only",
			`remove book_as (or write book_as = "order"), or use ledger "snelstart-online"`)
	}
	if o.BookAs != BookAsInvoice {
		for _, n := range []string{"ledger_by_vat", "mark_paid"} {
			if pd.set["orders."+n] {
				l.warnf(pd.at["orders."+n], fmt.Sprintf(`orders.%s has no effect with book_as = "order"`, n),
					"it applies to sales invoice bookings only; a sales order's revenue and payment are handled in SnelStart",
					fmt.Sprintf(`add book_as = "invoice", or remove %s`, n))
			}
		}
	}
	if o.BookAs == BookAsInvoice && pd.set["orders.recipes"] && o.Recipes {
		l.warnf(pd.at["orders.recipes"], `orders.recipes has no effect with book_as = "invoice"`,
			"an invoice booking has no article lines, so no component lines are added; the composite article's turnover is booked as it is",
			`remove recipes (or write recipes = false), or book sales orders (book_as = "order")`)
	}
	if pd.set["orders.mark_paid"] && o.MarkPaid && l.opts.Capabilities != nil && p.Shop.Name != "" {
		if caps, ok := l.opts.Capabilities(sdk.KindShop, p.Shop.Name); ok && !contains(caps, sdk.CapOrderNotes) {
			l.errorf(pd.at["orders.mark_paid"], fmt.Sprintf("orders.mark_paid is not possible with shop %q", p.Shop.Name),
				"its API (or its plugin) cannot add a note to an order, so koppel cannot mark paid orders in the shop",
				"remove mark_paid (or write mark_paid = false); the payment is still visible in SnelStart")
		}
	}
	if pd.set["orders.since"] && o.Since.After(now()) {
		l.warnf(pd.at["orders.since"], "orders.since is in the future",
			"no order is imported until then", "set since to the moment the first order should be imported")
	}
	if pd.set["orders.statuses"] {
		rng := pd.at["orders.statuses"]
		if len(o.Statuses) == 0 {
			l.errorf(rng, "orders.statuses is empty", "no order would ever be imported",
				`leave statuses out for the shop's paid/processing set, or list them: statuses = ["processing", "completed"]`)
		}
		seen := map[string]bool{}
		for _, s := range o.Statuses {
			if strings.TrimSpace(s) == "" {
				l.errorf(rng, "orders.statuses holds an empty status", "", `remove the "" element`)
				break
			}
			if seen[s] {
				l.warnf(rng, fmt.Sprintf("orders.statuses lists %s twice", showValue(s)), "", "remove the duplicate")
			}
			seen[s] = true
		}
	}
	if o.Description == DescriptionProfile && strings.TrimSpace(p.Description) == "" {
		rng := p.DeclRange
		if r, ok := pd.at["orders.description"]; ok {
			rng = r
		}
		l.errorf(rng, `orders.description = "profile" needs a profile description`,
			"the sales order's description would be empty",
			fmt.Sprintf(`add description = "..." to profile %q`, p.Name))
	}
	if c.Mode == ModeManual {
		for _, n := range []string{"payment_term", "email_invoices", "email_reminders"} {
			if pd.set["customers."+n] {
				l.warnf(pd.at["customers."+n], fmt.Sprintf(`customers.%s has no effect with mode = "manual"`, n),
					"it only applies to customers koppel creates, and manual never creates customers",
					fmt.Sprintf(`remove %s, or use mode = "add"`, n))
			}
		}
	}
	if a.Mode == ModeManual {
		for _, n := range []string{"revenue_group", "revenue_group_by_vat"} {
			if pd.set["articles."+n] {
				l.warnf(pd.at["articles."+n], fmt.Sprintf(`articles.%s has no effect with mode = "manual"`, n),
					"it only applies to articles koppel creates, and manual never creates articles",
					fmt.Sprintf(`remove %s, or use mode = "add"`, n))
			}
		}
	}
}

// crossProfile runs the checks that span profiles.
func (l *loader) crossProfile() {
	type key struct{ shop, ledger string }
	seen := map[key]*Profile{}
	for _, p := range l.cfg.Profiles {
		if p.Shop.Config == nil || p.Ledger.Config == nil || p.Shop.Name == "" || p.Ledger.Name == "" {
			continue
		}
		k := key{p.Shop.Name + "\x00" + canonical(p.Shop.Config), p.Ledger.Name + "\x00" + canonical(p.Ledger.Config)}
		if first, dup := seen[k]; dup {
			l.warnf(p.DeclRange, fmt.Sprintf("profiles %q and %q link the same shop to the same administration", first.Name, p.Name),
				fmt.Sprintf("%q is at %s; every order would be offered to both", first.Name, rangeString(first.DeclRange)),
				"remove one of them, or point them at different shops or administrations")
			continue
		}
		seen[k] = p
	}
}

// canonical is a stable text of a plugin config for comparison.
func canonical(c sdk.Config) string {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		var v any
		if json.Unmarshal(c[n], &v) == nil {
			out, _ := json.Marshal(v)
			b.WriteString(n + "=" + string(out) + "\n")
		}
	}
	return b.String()
}

package cli

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// Levels of a checklist line.
const (
	levelOK   = "ok"
	levelWarn = "let_op" // worth a look, the profile works
	levelFail = "fout"   // the profile cannot work as it is: check exits 1
)

// checkItem is one line of the checklist `koppel check` prints after the connection tests.
type checkItem struct {
	// Setting is the profile attribute or fact checked, e.g. orders.shipping_article.
	Setting string `json:"setting"`
	Level   string `json:"level"`
	// Message says what was found and, for let_op and fout, what to do.
	Message string `json:"message"`
}

// articleRoles are the articles a profile names, with what they are for (a catalogue key) and whether
// the charge they book carries VAT (so an omzetgroep with btw-soort Geen would book it wrong).
var articleRoles = []struct {
	setting, what string
	get           func(o config.Orders) string
	needsVAT      bool
}{
	{"orders.shipping_article", "check.role.shipping", func(o config.Orders) string { return o.ShippingArticle }, true},
	{"orders.payment_fee_article", "check.role.payment_fee", func(o config.Orders) string { return o.PaymentFeeArticle }, true},
	{"orders.discount_article", "check.role.discount", func(o config.Orders) string { return o.DiscountArticle }, false},
	{"orders.difference_article", "check.role.difference", func(o config.Orders) string { return o.DifferenceArticle }, false},
	{"orders.fallback_article", "check.role.fallback", func(o config.Orders) string { return o.FallbackArticle }, false},
}

// checkAdministration checks the profile against what the ledger and the shop hold: every
// article the profile names exists, is active and sits in an omzetgroep with a named VAT class;
// the revenue groups, template, cost centre and fixed customer exist; OSS is reported; on the
// shop side the currency, prices incl. VAT and the statuses when the shop tells them.
func checkAdministration(ctx context.Context, tx text.Printer, p *config.Profile, ledger sdk.Ledger, shopDetails map[string]string) []checkItem {
	var items []checkItem
	add := func(setting, level, key string, args ...any) {
		items = append(items, checkItem{Setting: setting, Level: level, Message: tx.T(key, args...)})
	}
	ref, err := ledger.ReferenceData(ctx)
	if err != nil {
		add("snelstart", levelFail, "check.a.unreadable", err)
		return items
	}
	groupText := func(g sdk.RevenueGroup) string {
		return tx.T("check.a.group", g.Number, g.Description, vatName(tx, g.VATClass))
	}

	o := p.Orders
	for _, role := range articleRoles {
		code := role.get(o)
		if code == "" {
			continue
		}
		found, err := ledger.FindArticles(ctx, sdk.ArticleQuery{Code: code})
		if err != nil {
			add(role.setting, levelFail, "check.a.article_lookup", code, tx.T(role.what), err)
			continue
		}
		var art *sdk.Article
		for i := range found {
			if strings.EqualFold(found[i].Code, code) {
				art = &found[i]
				break
			}
		}
		switch {
		case art == nil:
			add(role.setting, levelFail, "check.a.article_missing", code, tx.T(role.what), role.setting)
			continue
		case art.Inactive:
			add(role.setting, levelFail, "check.a.article_inactive", code, tx.T(role.what))
			continue
		}
		g, ok := mapping.FindGroup(ref.RevenueGroups, art.RevenueGroupID)
		switch {
		case !ok:
			add(role.setting, levelFail, "check.a.article_no_group", code, tx.T(role.what))
		case !knownVAT(g.VATClass):
			add(role.setting, levelFail, "check.a.article_no_vat", code, tx.T(role.what), groupText(g))
		case role.needsVAT && g.VATClass == sdk.VATNone:
			add(role.setting, levelFail, "check.a.article_vat_none", code, tx.T(role.what), groupText(g), tx.T(role.what))
		default:
			add(role.setting, levelOK, "check.a.article_ok", code, art.Description, tx.T(role.what), groupText(g))
		}
	}

	a := p.Articles
	if a.RevenueGroup != "" {
		if g, ok := mapping.FindGroup(ref.RevenueGroups, a.RevenueGroup); ok {
			add("articles.revenue_group", levelOK, "check.a.group_ok", groupText(g))
		} else {
			add("articles.revenue_group", levelFail, "check.a.group_missing", a.RevenueGroup, groupList(tx, ref.RevenueGroups))
		}
	}
	rates := make([]string, 0, len(a.RevenueGroupByVAT))
	for r := range a.RevenueGroupByVAT {
		rates = append(rates, r)
	}
	sort.Strings(rates)
	for _, r := range rates {
		name := a.RevenueGroupByVAT[r]
		setting := fmt.Sprintf("articles.revenue_group_by_vat[%q]", r)
		if g, ok := mapping.FindGroup(ref.RevenueGroups, name); ok {
			add(setting, levelOK, "check.a.rate_ok", r, groupText(g))
		} else {
			add(setting, levelFail, "check.a.rate_group_missing", name, r, groupList(tx, ref.RevenueGroups))
		}
	}
	items = append(items, checkLedgerByVAT(tx, o, ref.LedgerAccounts)...)
	if o.Template != "" {
		if t, ok := mapping.FindTemplate(ref.Templates, o.Template); !ok {
			add("orders.template", levelFail, "check.a.template_missing", o.Template)
		} else if t.Inactive {
			add("orders.template", levelFail, "check.a.template_inactive", t.Description)
		} else {
			add("orders.template", levelOK, "check.a.template_ok", t.Description)
		}
	}
	if o.CostCentre != "" {
		if c, ok := mapping.FindCostCentre(ref.CostCentres, o.CostCentre); !ok {
			add("orders.cost_centre", levelFail, "check.a.costcentre_missing", o.CostCentre)
		} else if c.Inactive {
			add("orders.cost_centre", levelFail, "check.a.costcentre_inactive", c.Number, c.Description)
		} else {
			add("orders.cost_centre", levelOK, "check.a.costcentre_ok", c.Number, c.Description)
		}
	}
	if code := p.Customers.FixedCustomer; code != 0 {
		found, err := ledger.FindRelaties(ctx, sdk.RelatieQuery{Code: code})
		switch {
		case err != nil:
			add("customers.fixed_customer", levelFail, "check.a.customer_lookup", code, err)
		case len(found) == 0:
			add("customers.fixed_customer", levelFail, "check.a.customer_missing", code)
		default:
			add("customers.fixed_customer", levelOK, "check.a.customer_ok", code, found[0].Name)
		}
	}
	if ref.Company.ForeignVAT {
		add("snelstart.oss", levelOK, "check.a.oss_on")
	} else {
		add("snelstart.oss", levelOK, "check.a.oss_off")
	}

	// The shop side, as far as the shop's connection test tells.
	want := strings.ToUpper(firstNonEmpty(p.Orders.Currency, "EUR"))
	switch cur := strings.ToUpper(firstNonEmpty(shopDetails["currency"], shopDetails["base_currency"])); {
	case cur == "":
		add("shop.currency", levelWarn, "check.a.currency_unknown", want, want)
	case cur != want:
		add("shop.currency", levelFail, "check.a.currency_differs", cur, want)
	default:
		add("shop.currency", levelOK, "check.a.currency_ok", want)
	}
	switch v := firstNonEmpty(shopDetails["prices_include_tax"], shopDetails["prices_include_vat"]); v {
	case "true", "yes":
		add("shop.prices_include_tax", levelOK, "check.a.prices_incl")
	case "false", "no":
		add("shop.prices_include_tax", levelOK, "check.a.prices_excl")
	default:
		add("shop.prices_include_tax", levelWarn, "check.a.prices_unknown")
	}
	if list := shopDetails["order_statuses"]; list != "" && len(o.Statuses) > 0 {
		known := map[string]bool{}
		for _, s := range strings.Split(list, ",") {
			known[strings.TrimSpace(s)] = true
		}
		missing := false
		for _, s := range o.Statuses {
			if !known[s] {
				missing = true
				add("orders.statuses", levelFail, "check.a.status_missing", s, list)
			}
		}
		if !missing {
			add("orders.statuses", levelOK, "check.a.statuses_ok", strings.Join(o.Statuses, ", "))
		}
	}
	return items
}

// knownVAT reports whether c is a Dutch VAT class koppel books with.
func knownVAT(c sdk.VATClass) bool {
	return c == sdk.VATHigh || c == sdk.VATLow || c == sdk.VATNone
}

// vatName is the VAT class as a bookkeeper says it.
func vatName(tx text.Printer, c sdk.VATClass) string {
	if c == "" {
		return tx.T("check.a.unknown")
	}
	if m, ok := tx.Lookup("check.vat." + strings.ToLower(string(c))); ok {
		return m
	}
	return strings.ToLower(string(c))
}

func groupList(tx text.Printer, gs []sdk.RevenueGroup) string {
	out := make([]string, 0, len(gs))
	for _, g := range gs {
		out = append(out, strconv.Itoa(g.Number)+" "+strconv.Quote(g.Description))
	}
	if len(out) == 0 {
		return tx.T("check.a.none")
	}
	return strings.Join(out, ", ")
}

// checkLedgerByVAT checks every orders.ledger_by_vat entry (invoice mode) against the
// administration's grootboeken: it must name an active ledger of the profit and loss account.
func checkLedgerByVAT(tx text.Printer, o config.Orders, ledgers []sdk.LedgerAccount) []checkItem {
	if o.BookAs != config.BookAsInvoice || len(o.LedgerByVAT) == 0 {
		return nil
	}
	keys := make([]string, 0, len(o.LedgerByVAT))
	for k := range o.LedgerByVAT {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var items []checkItem
	for _, k := range keys {
		setting := fmt.Sprintf("orders.ledger_by_vat[%q]", k)
		name := o.LedgerByVAT[k]
		l, ok := mapping.FindLedger(ledgers, name)
		it := checkItem{Setting: setting, Level: levelFail}
		switch {
		case len(ledgers) == 0:
			it.Message = tx.T("check.a.ledger_unreadable")
		case !ok:
			it.Message = tx.T("check.a.ledger_missing", name)
		case l.Inactive || !l.ProfitAndLoss:
			it.Message = tx.T("check.a.ledger_unusable", l.Number, l.Description)
		default:
			it.Level, it.Message = levelOK, tx.T("check.a.ledger_ok", k, l.Number, l.Description)
		}
		items = append(items, it)
	}
	return items
}

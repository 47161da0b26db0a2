package cli

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/mapping"
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

// articleRoles are the articles a profile names, with what they are for (Dutch) and whether
// the charge they book carries VAT (so an omzetgroep with btw-soort Geen would book it wrong).
var articleRoles = []struct {
	setting, what string
	get           func(o config.Orders) string
	needsVAT      bool
}{
	{"orders.shipping_article", "verzendkosten", func(o config.Orders) string { return o.ShippingArticle }, true},
	{"orders.payment_fee_article", "betaalkosten", func(o config.Orders) string { return o.PaymentFeeArticle }, true},
	{"orders.discount_article", "korting", func(o config.Orders) string { return o.DiscountArticle }, false},
	{"orders.difference_article", "verschillen", func(o config.Orders) string { return o.DifferenceArticle }, false},
	{"orders.fallback_article", "onbekende artikelen", func(o config.Orders) string { return o.FallbackArticle }, false},
}

// checkAdministration checks the profile against what the ledger and the shop hold: every
// article the profile names exists, is active and sits in an omzetgroep with a named VAT class;
// the revenue groups, template, cost centre and fixed customer exist; OSS is reported; on the
// shop side the currency, prices incl. VAT and the statuses when the shop tells them.
func checkAdministration(ctx context.Context, p *config.Profile, ledger sdk.Ledger, shopDetails map[string]string) []checkItem {
	var items []checkItem
	add := func(setting, level, format string, args ...any) {
		items = append(items, checkItem{Setting: setting, Level: level, Message: fmt.Sprintf(format, args...)})
	}
	ref, err := ledger.ReferenceData(ctx)
	if err != nil {
		add("snelstart", levelFail, "de gegevens van de administratie (omzetgroepen, sjablonen, kostenplaatsen) zijn niet te lezen: %v", err)
		return items
	}
	groupText := func(g sdk.RevenueGroup) string {
		return fmt.Sprintf("omzetgroep %d %q (btw %s)", g.Number, g.Description, vatName(g.VATClass))
	}

	o := p.Orders
	for _, role := range articleRoles {
		code := role.get(o)
		if code == "" {
			continue
		}
		found, err := ledger.FindArticles(ctx, sdk.ArticleQuery{Code: code})
		if err != nil {
			add(role.setting, levelFail, "artikel %s voor %s is niet op te zoeken: %v", code, role.what, err)
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
			add(role.setting, levelFail, "artikel %s voor %s bestaat niet in SnelStart; maak het aan (Artikelen > Nieuw) of zet de code van een bestaand artikel in %s", code, role.what, role.setting)
			continue
		case art.Inactive:
			add(role.setting, levelFail, "artikel %s voor %s is niet actief in SnelStart; zet het op actief of kies een ander artikel", code, role.what)
			continue
		}
		g, ok := mapping.FindGroup(ref.RevenueGroups, art.RevenueGroupID)
		switch {
		case !ok:
			add(role.setting, levelFail, "artikel %s voor %s heeft geen omzetgroep die de administratie kent, dus geen btw-soort; geef het een omzetgroep", code, role.what)
		case !knownVAT(g.VATClass):
			add(role.setting, levelFail, "artikel %s voor %s staat in %s zonder bekende btw-soort (hoog, laag of geen); kies een omzetgroep met een btw-soort", code, role.what, groupText(g))
		case role.needsVAT && g.VATClass == sdk.VATNone:
			add(role.setting, levelFail, "artikel %s voor %s staat in %s: de webwinkel rekent btw over %s, SnelStart zou ze zonder btw boeken; kies een artikel in een omzetgroep met btw hoog of laag", code, role.what, groupText(g), role.what)
		default:
			add(role.setting, levelOK, "artikel %s %q voor %s: actief, %s", code, art.Description, role.what, groupText(g))
		}
	}

	a := p.Articles
	if a.RevenueGroup != "" {
		if g, ok := mapping.FindGroup(ref.RevenueGroups, a.RevenueGroup); ok {
			add("articles.revenue_group", levelOK, "%s", groupText(g))
		} else {
			add("articles.revenue_group", levelFail, "omzetgroep %q bestaat niet in de administratie; omzetgroepen: %s", a.RevenueGroup, groupList(ref.RevenueGroups))
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
			add(setting, levelOK, "%s%% → %s", r, groupText(g))
		} else {
			add(setting, levelFail, "omzetgroep %q voor %s%% btw bestaat niet in de administratie; omzetgroepen: %s", name, r, groupList(ref.RevenueGroups))
		}
	}
	if o.Template != "" {
		if t, ok := mapping.FindTemplate(ref.Templates, o.Template); !ok {
			add("orders.template", levelFail, "verkoopordersjabloon %q bestaat niet in de administratie", o.Template)
		} else if t.Inactive {
			add("orders.template", levelFail, "verkoopordersjabloon %q is niet actief; zet het op actief of kies een ander sjabloon", t.Description)
		} else {
			add("orders.template", levelOK, "verkoopordersjabloon %q", t.Description)
		}
	}
	if o.CostCentre != "" {
		if c, ok := mapping.FindCostCentre(ref.CostCentres, o.CostCentre); !ok {
			add("orders.cost_centre", levelFail, "kostenplaats %q bestaat niet in de administratie", o.CostCentre)
		} else if c.Inactive {
			add("orders.cost_centre", levelFail, "kostenplaats %d %q is niet actief", c.Number, c.Description)
		} else {
			add("orders.cost_centre", levelOK, "kostenplaats %d %q", c.Number, c.Description)
		}
	}
	if code := p.Customers.FixedCustomer; code != 0 {
		found, err := ledger.FindRelaties(ctx, sdk.RelatieQuery{Code: code})
		switch {
		case err != nil:
			add("customers.fixed_customer", levelFail, "klant %d is niet op te zoeken: %v", code, err)
		case len(found) == 0:
			add("customers.fixed_customer", levelFail, "klant (relatiecode) %d bestaat niet in SnelStart; maak de klant aan of pas customers.fixed_customer aan", code)
		default:
			add("customers.fixed_customer", levelOK, "vaste klant %d %s", code, found[0].Name)
		}
	}
	if ref.Company.ForeignVAT {
		add("snelstart.oss", levelOK, "btw buitenland (OSS, factureerBuitenlandsBtw) staat aan: orders aan consumenten in andere EU-landen krijgen de btw van dat land")
	} else {
		add("snelstart.oss", levelOK, "btw buitenland (OSS, factureerBuitenlandsBtw) staat uit: orders aan consumenten in andere EU-landen worden met Nederlandse btw geboekt")
	}

	// The shop side, as far as the shop's connection test tells.
	want := strings.ToUpper(firstNonEmpty(p.Orders.Currency, "EUR"))
	switch cur := strings.ToUpper(firstNonEmpty(shopDetails["currency"], shopDetails["base_currency"])); {
	case cur == "":
		add("shop.currency", levelWarn, "de webwinkel geeft zijn valuta niet door; de administratie boekt in %s (orders.currency), controleer dat de winkel in %s verkoopt", want, want)
	case cur != want:
		add("shop.currency", levelFail, "de webwinkel rekent in %s, de administratie boekt in %s (orders.currency); orders in een andere valuta kan koppel niet boeken", cur, want)
	default:
		add("shop.currency", levelOK, "valuta van de webwinkel: %s", want)
	}
	switch v := firstNonEmpty(shopDetails["prices_include_tax"], shopDetails["prices_include_vat"]); v {
	case "true", "yes":
		add("shop.prices_include_tax", levelOK, "prijzen in de webwinkel zijn inclusief btw")
	case "false", "no":
		add("shop.prices_include_tax", levelOK, "prijzen in de webwinkel zijn exclusief btw")
	default:
		add("shop.prices_include_tax", levelWarn, "de webwinkel geeft niet door of prijzen inclusief btw zijn; koppel rekent met de bedragen van elke order")
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
				add("orders.statuses", levelFail, "orderstatus %q bestaat niet in de webwinkel; statussen: %s", s, list)
			}
		}
		if !missing {
			add("orders.statuses", levelOK, "orderstatussen %s bestaan in de webwinkel", strings.Join(o.Statuses, ", "))
		}
	}
	return items
}

// knownVAT reports whether c is a Dutch VAT class koppel books with.
func knownVAT(c sdk.VATClass) bool {
	return c == sdk.VATHigh || c == sdk.VATLow || c == sdk.VATNone
}

// vatName is the VAT class as a bookkeeper says it.
func vatName(c sdk.VATClass) string {
	if c == "" {
		return "onbekend"
	}
	return strings.ToLower(string(c))
}

func groupList(gs []sdk.RevenueGroup) string {
	out := make([]string, 0, len(gs))
	for _, g := range gs {
		out = append(out, strconv.Itoa(g.Number)+" "+strconv.Quote(g.Description))
	}
	if len(out) == 0 {
		return "geen"
	}
	return strings.Join(out, ", ")
}

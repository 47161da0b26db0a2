package text

// shortMessages are the headlines of long reasons: one sentence saying what to do next, shown
// where a reason is listed (orders --failed, the sync summary, the dashboard) with the whole
// reason behind it (--verbose, "details"). The key is "short." + the reason's key; %[n]s is the
// reason's n-th argument as the reader sees it.
var shortMessages = map[Lang]map[string]string{
	NL: {
		"short.reason.article_no_group":         "SnelStart mist het artikel met %[2]s: maak het aan of stel articles.revenue_group in, en probeer opnieuw",
		"short.reason.charge_article_unset":     "Stel orders.%[4]s in op een SnelStart-artikel voor %[1]s en probeer opnieuw",
		"short.reason.country_unknown":          "Voeg land %[1]s toe in SnelStart of verbeter de order, en probeer opnieuw",
		"short.reason.currency":                 "Order in %[1]s: boek hem met de hand in SnelStart en markeer hem als afgehandeld",
		"short.reason.icp_customer_manual":      "Zet btw-nummer %[4]s op klant %[2]s in SnelStart en probeer de order opnieuw",
		"short.reason.icp_vat_number_form":      "Verbeter btw-nummer %[2]s in de winkel (of reken btw) en probeer de order opnieuw",
		"short.reason.line_no_article":          "%[1]s: geef het product een code die in SnelStart bestaat (of stel orders.fallback_article in) en probeer opnieuw",
		"short.reason.no_customer_manual":       "Maak de klant aan in SnelStart of stel customers.fixed_customer in, en probeer de order opnieuw",
		"short.reason.reference_too_long":       "Kies een kortere orders.reference_prefix: de referentie %[1]s is langer dan %[2]s tekens",
		"short.reason.refund_parts":             "Terugbetaling %[1]s telt niet op (%[3]s, teruggestort %[4]s): boek de creditorder zelf in SnelStart",
		"short.reason.refund_rest":              "Stel orders.refund_article in (terugbetaling %[1]s heeft %[3]s zonder product) of boek de creditorder zelf",
		"short.reason.setting_article_inactive": "Maak artikel %[2]s aan in SnelStart (of verbeter orders.%[1]s) en probeer opnieuw",
		"short.reason.totals_differ":            "Totaal wijkt %[3]s af van de winkel: stel orders.difference_article in of verbeter de order, en probeer opnieuw",
		"short.reason.vat_mismatch":             "Btw-tarief wijkt af: zet het artikel in een omzetgroep met het tarief van de winkel (of verbeter de winkel) en probeer opnieuw",
		"short.reason.gave_up":                  "Opgegeven na %[1]s pogingen: los de oorzaak op en probeer opnieuw (koppel retry, of Opnieuw op het dashboard)",
		"short.reason.no_customer_data":         "Vul naam, bedrijf of e-mailadres van de klant aan in de winkel en probeer opnieuw",
		"short.reason.reference_collision":      "SnelStart heeft al verkooporder %[1]s met kenmerk %[2]s: zie het punt op de lijst Aandacht nodig (koppel attention)",
		"short.reason.credit_refused_attention": "Terugbetaling %[1]s kan niet als creditorder worden geboekt: zie het punt op de lijst Aandacht nodig",
		"next.later":                            "%s; koppel probeert het later opnieuw",
		"next.fix":                              "%s; verbeter wat de melding noemt en probeer opnieuw",
		"next.check":                            "%s; controleer het profiel (koppel check)",
	},
	EN: {
		"short.reason.article_no_group":         "SnelStart lacks the article with %[2]s: create it or set articles.revenue_group, then retry",
		"short.reason.charge_article_unset":     "Set orders.%[4]s to a SnelStart article for %[1]s, then retry",
		"short.reason.country_unknown":          "Add country %[1]s in SnelStart or correct the order, then retry",
		"short.reason.currency":                 "Order in %[1]s: book it by hand in SnelStart and mark it as handled",
		"short.reason.icp_customer_manual":      "Put VAT number %[4]s on customer %[2]s in SnelStart, then retry the order",
		"short.reason.icp_vat_number_form":      "Correct VAT number %[2]s in the shop (or charge VAT), then retry the order",
		"short.reason.line_no_article":          "%[1]s: give the product a code that exists in SnelStart (or set orders.fallback_article), then retry",
		"short.reason.no_customer_manual":       "Create the customer in SnelStart or set customers.fixed_customer, then retry the order",
		"short.reason.reference_too_long":       "Use a shorter orders.reference_prefix: reference %[1]s is longer than %[2]s characters",
		"short.reason.refund_parts":             "Refund %[1]s does not add up (%[3]s, refunded %[4]s): book the credit order in SnelStart by hand",
		"short.reason.refund_rest":              "Set orders.refund_article (refund %[1]s has %[3]s without a product) or book the credit order by hand",
		"short.reason.setting_article_inactive": "Create article %[2]s in SnelStart (or correct orders.%[1]s), then retry",
		"short.reason.totals_differ":            "The total differs by %[3]s from the shop's: set orders.difference_article or correct the order, then retry",
		"short.reason.vat_mismatch":             "VAT rate differs: put the article in an omzetgroep with the shop's rate (or correct the shop), then retry",
		"short.reason.gave_up":                  "Gave up after %[1]s attempts: fix the cause, then retry (koppel retry, or Opnieuw on the dashboard)",
		"short.reason.no_customer_data":         "Add the customer's name, company or e-mail address in the shop, then retry",
		"short.reason.reference_collision":      "SnelStart already has sales order %[1]s with reference %[2]s: see the attention item (koppel attention)",
		"short.reason.credit_refused_attention": "Refund %[1]s cannot be booked as a credit order: see the attention item",
		"next.later":                            "%s; koppel tries again later",
		"next.fix":                              "%s; correct what the message names, then retry",
		"next.check":                            "%s; check the profile (koppel check)",
	},
}

// stepReasons are the reasons of a step that failed with a connector's message as their last
// argument (a look-up, a create, an update). Their headline is the step and what happens next by
// the failure's kind (nextByKind), the message behind it.
var stepReasons = map[string]bool{
	"reason.lookup": true, "reason.lookup_unfinished": true, "reason.lookup_guard": true, "reason.lookup_last_order": true,
	"reason.lookup_product": true, "reason.lookup_product_price": true, "reason.lookup_customer_vat": true,
	"reason.lookup_customer_update": true, "reason.lookup_fixed_customer": true, "reason.lookup_customer_unfinished": true,
	"reason.lookup_customer_code": true, "reason.lookup_customer_email": true, "reason.lookup_customer_company": true,
	"reason.create_customer": true, "reason.create_customer_unconfirmed": true, "reason.create_article": true,
	"reason.update_customer": true, "reason.update_article": true, "reason.read_article_update": true, "reason.forget_customer": true,
}

// nextByKind names the "next.*" message of a failure kind: koppel tries again (a passing fault),
// the bookkeeper corrects what was refused, or the profile is checked.
var nextByKind = map[string]string{
	"unreachable": "next.later", "retryable": "next.later", "outcome_unknown": "next.later", "transport": "next.later",
	"permanent": "next.fix", "not_found": "next.fix", "refused": "next.fix", "processed": "next.fix",
	"auth": "next.check", "config": "next.check",
}

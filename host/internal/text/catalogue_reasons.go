package text

// reasonMessages are the reasons an order, article or stock line is held for a person, per
// language. The English text is the template the reason is built from (Template) and stored as;
// Reason renders it in the chosen language. Arguments are shown as they were written.
var reasonMessages = map[Lang]map[string]string{
	NL: {
		"reason.setting_article_inactive": "orders.%s = %q is geen actief artikel in SnelStart; maak het aan (of verbeter de instelling) en probeer de order opnieuw",
		"reason.no_customer_manual":       "geen SnelStart-klant past bij deze order (match = %q: %s) en customers.mode is \"manual\", dus koppel maakt er geen aan; maak de klant aan in SnelStart, of stel customers.fixed_customer in, en probeer de order opnieuw",
		"reason.vat_mismatch":             "btw klopt niet: %s. Zet het artikel in een omzetgroep met het tarief van de winkel (of verbeter het tarief in de winkel) en probeer de order opnieuw",
		"reason.vat_line":                 "%s: de winkel rekent %s%% btw, maar SnelStart-artikel %s staat in omzetgroep %d %q met btw-soort %s (%s%% op %s%s)",
		"reason.totals_differ":            "totalen verschillen: het SnelStart-totaal inclusief btw zou %s zijn (de som van de orderregels), maar de winkel heeft %s, een verschil van %s (orders.difference_tolerance is %s); stel orders.difference_article in om zulke verschillen te boeken, of verbeter de order in de winkel, en probeer opnieuw",
		"reason.charge_article_unset":     "de order heeft %s (%q, %s inclusief btw) maar orders.%s is niet ingesteld; zet daar de SnelStart-artikelcode voor en probeer opnieuw",
		"reason.charge.shipping":          "verzendkosten",
		"reason.charge.fee":               "een toeslag",
		"reason.charge.discount":          "een korting",
		"reason.line":                     "regel %d (code %q, %q)",
		"reason.no_lines":                 "de order heeft geen regels",
		"reason.no_customer_data":         "de order heeft geen klantnaam, bedrijfsnaam of e-mailadres, dus koppel kan er geen SnelStart-klant voor maken",
		"reason.already_imported":         "al geboekt als SnelStart-verkooporder %d",
		"reason.before_since":             "aangemaakt %s, vóór orders.since %s",
		"reason.parked_unchanged":         "staat stil na een fout, sindsdien ongewijzigd in de winkel: %s",
		"reason.gave_up":                  "opgegeven na %d pogingen sinds %s: %s",
		"reason.not_in_shop":              "de winkel gaf deze order niet terug",
		"reason.status_waiting":           "winkelstatus %q wordt niet geboekt (%s: %s)",
		"reason.status_waiting_stock":     "winkelstatus %q wordt niet geboekt (%s: %s); de voorraad van de producten wordt tegengehouden tot dat wel zo is",
	},
	EN: {
		"reason.setting_article_inactive": "orders.%s = %q is not an active article in SnelStart; create it (or correct the setting), then retry",
		"reason.no_customer_manual":       "no SnelStart customer matches this order (match = %q: %s) and customers.mode is \"manual\", so koppel does not create one; create the customer in SnelStart, or set customers.fixed_customer, then retry the order",
		"reason.vat_mismatch":             "VAT mismatch: %s. Put the article in an omzetgroep with the shop's rate (or correct the rate in the shop), then retry the order",
		"reason.vat_line":                 "%s: the shop charges %s%% VAT but SnelStart article %s is in omzetgroep %d %q with VAT class %s (%s%% on %s%s)",
		"reason.totals_differ":            "totals differ: SnelStart's total including VAT would be %s (the sum of the order's lines) but the shop's total is %s, a difference of %s (orders.difference_tolerance is %s); set orders.difference_article to book such differences, or correct the order in the shop, then retry",
		"reason.charge_article_unset":     "the order has %s (%q, %s including VAT) but orders.%s is not set; set it to the SnelStart article code for them, then retry",
		"reason.charge.shipping":          "shipping costs",
		"reason.charge.fee":               "a fee",
		"reason.charge.discount":          "a discount",
		"reason.line":                     "line %d (code %q, %q)",
		"reason.no_lines":                 "the order has no lines",
		"reason.no_customer_data":         "the order has no customer name, company or e-mail address, so no SnelStart customer can be made for it",
		"reason.already_imported":         "already imported as SnelStart sales order %d",
		"reason.before_since":             "created %s, before orders.since %s",
		"reason.parked_unchanged":         "parked after a failure, unchanged in the shop since: %s",
		"reason.gave_up":                  "gave up after %d attempts since %s: %s",
		"reason.not_in_shop":              "the shop did not return this order",
		"reason.status_waiting":           "shop status %q is not imported (%s: %s)",
		"reason.status_waiting_stock":     "shop status %q is not imported (%s: %s); its products' stock is held back until it is",
	},
}

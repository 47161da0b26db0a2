package text

// invoiceReasonMessages are the reasons an order cannot be booked as a sales invoice
// (orders.book_as = "invoice"), per language, and the note koppel writes on a paid order.
var invoiceReasonMessages = map[Lang]map[string]string{
	NL: {
		"reason.ledger_by_vat_unreadable":      "orders.ledger_by_vat noemt grootboeken, maar koppel kan de grootboeken van de administratie niet lezen; geef de koppelsleutel in SnelStart het recht boekhouden:read (scope), of haal ledger_by_vat weg",
		"reason.ledger_by_vat_unknown":         "orders.ledger_by_vat[%q] = %q is geen grootboek van de administratie; omzetgrootboeken: %s. Noem een van deze (nummer of naam) en probeer opnieuw",
		"reason.ledger_by_vat_inactive":        "orders.ledger_by_vat[%q] = %q: grootboek %d %q is niet actief (nonactief) in SnelStart; maak het actief of noem een ander",
		"reason.ledger_by_vat_balance":         "orders.ledger_by_vat[%q] = %q: grootboek %d %q is een balansrekening; omzet wordt geboekt op een grootboek van de winst- en verliesrekening; noem een omzetgrootboek",
		"reason.invoice_prices_unknown":        "order %s kan niet als factuur geboekt worden: koppel moet de prijs en het btw-tarief van elke regel kennen (orders.lines = %q laat de prijzen aan SnelStart over, of het btw-tarief van een artikel is onbekend); boek haar als order (orders.book_as = \"order\") of stuur de prijzen mee",
		"reason.invoice_line_rate":             "%s van order %s heeft geen bekend btw-tarief; koppel kan de factuur niet boeken: geef het artikel in SnelStart een omzetgroep met een btw-soort en probeer opnieuw",
		"reason.invoice_group_ledger":          "omzetgroep %d %q van artikel %s heeft geen omzetgrootboek in SnelStart; stel er een in op de artikelomzetgroep, of noem het grootboek voor dit tarief in orders.ledger_by_vat, en probeer opnieuw",
		"reason.invoice_scheme_ledger":         "order %s is een %s, en daarvoor heeft de administratie geen omzetgrootboek: koppel vond geen actief grootboek met grootboekfunctie %s en orders.ledger_by_vat noemt geen %q. Zet %s = <grootboeknummer> in orders.ledger_by_vat (of maak het grootboek aan in SnelStart) en probeer opnieuw",
		"reason.invoice_total":                 "order %s: de omzetregels en btw van de factuur tellen op tot %s, het verwachte totaal is %s; koppel boekt haar niet (meld dit aan de beheerder van koppel)",
		"reason.invoice_number_too_long":       "het factuurnummer %q is %d tekens lang, SnelStart staat er hoogstens %d toe; stel in de factuur-plugin van de winkel een korter nummer in (of een kortere orders.reference_prefix als het ordernummer het factuurnummer is), of boek de factuur met de hand, en probeer opnieuw",
		"reason.invoice_scheme_icp":            "ICP-levering (btw-vrij aan een bedrijf in de EU)",
		"reason.invoice_scheme_export":         "export (levering buiten de EU)",
		"reason.invoice_scheme_oss":            "verkoop aan een consument in de EU tegen de btw van zijn land (OSS)",
		"reason.invoice_mark_paid_unsupported": "orders.mark_paid: de winkel-plugin %q kan geen notitie bij een order zetten; zet mark_paid uit",
		"reason.invoice_paid_note":             "Betaald volgens SnelStart: factuur %s, %s voldaan (koppel)",
		"reason.invoice_refused":               "SnelStart weigerde de factuurboeking (verkoopboeking) of bevestigde haar niet: %s",
	},
	EN: {
		"reason.ledger_by_vat_unreadable":      "orders.ledger_by_vat names ledger accounts, but koppel cannot read the administration's grootboeken; give the koppelsleutel the right boekhouden:read (scope) in SnelStart, or remove ledger_by_vat",
		"reason.ledger_by_vat_unknown":         "orders.ledger_by_vat[%q] = %q is not a grootboek of the administration; revenue ledgers: %s. Name one of these (number or name), then retry",
		"reason.ledger_by_vat_inactive":        "orders.ledger_by_vat[%q] = %q: grootboek %d %q is not active (nonactief) in SnelStart; make it active or name another",
		"reason.ledger_by_vat_balance":         "orders.ledger_by_vat[%q] = %q: grootboek %d %q is a balance sheet account; revenue is booked on a profit and loss account (winst- en verliesrekening); name a revenue ledger",
		"reason.invoice_prices_unknown":        "order %s cannot be booked as an invoice: koppel must know every line's price and VAT rate (orders.lines = %q leaves prices to SnelStart, or an article's VAT rate is unknown); book it as an order (orders.book_as = \"order\") or send prices",
		"reason.invoice_line_rate":             "%s of order %s has no known VAT rate; koppel cannot book the invoice: give the article an omzetgroep with a VAT class in SnelStart, then retry",
		"reason.invoice_group_ledger":          "revenue group %d %q of article %s has no revenue ledger (grootboek) in SnelStart; set one on the revenue group (artikelomzetgroep), or name the ledger for this rate in orders.ledger_by_vat, then retry",
		"reason.invoice_scheme_ledger":         "order %s is a %s, and the administration has no revenue ledger for it: koppel found no active ledger with grootboekfunctie %s and orders.ledger_by_vat names no %q. Write %s = <ledger number> in orders.ledger_by_vat (or create the ledger in SnelStart), then retry",
		"reason.invoice_total":                 "order %s: the invoice lines and VAT add up to %s, the expected total is %s; koppel does not book it (please report this)",
		"reason.invoice_number_too_long":       "invoice number %q is %d characters long, SnelStart allows at most %d; set a shorter number format in the shop's invoice plugin (or a shorter orders.reference_prefix when the order number is the invoice number), or book the invoice by hand, then retry",
		"reason.invoice_scheme_icp":            "ICP delivery (VAT-free to an EU business)",
		"reason.invoice_scheme_export":         "export (delivery outside the EU)",
		"reason.invoice_scheme_oss":            "sale to an EU consumer at their country's VAT (OSS)",
		"reason.invoice_mark_paid_unsupported": "orders.mark_paid: shop plugin %q cannot add a note to an order; switch mark_paid off",
		"reason.invoice_paid_note":             "Paid according to SnelStart: invoice %s, %s settled (koppel)",
		"reason.invoice_refused":               "SnelStart refused or did not confirm the invoice booking (verkoopboeking): %s",
	},
}

// invoiceMessages are the dashboard's and the command line's texts of invoice mode.
var invoiceMessages = map[Lang]map[string]string{
	NL: {
		"check.a.ledger_ok":         "%s → grootboek %d %q",
		"check.a.ledger_missing":    "grootboek %q bestaat niet in de administratie; noem een omzetgrootboek (nummer of naam)",
		"check.a.ledger_unusable":   "grootboek %d %q is niet actief of geen grootboek van de winst- en verliesrekening; noem een actief omzetgrootboek",
		"check.a.ledger_unreadable": "koppel kan de grootboeken niet lezen; geef de koppelsleutel het recht boekhouden:read",
		"invoice_number_short":      "factuur",
		"invoice_number_hint":       "Geboekt als verkoopboeking (orders.book_as = \"invoice\"): dit is het factuurnummer in SnelStart; een factuurboeking heeft geen ordernummer",
	},
	EN: {
		"check.a.ledger_ok":         "%s → ledger %d %q",
		"check.a.ledger_missing":    "ledger %q does not exist in the administration; name a revenue ledger (number or name)",
		"check.a.ledger_unusable":   "ledger %d %q is inactive or not a profit and loss account; name an active revenue ledger",
		"check.a.ledger_unreadable": "koppel cannot read the ledgers (grootboeken); give the koppelsleutel the right boekhouden:read",
		"invoice_number_short":      "invoice",
		"invoice_number_hint":       "Booked as a sales invoice (orders.book_as = \"invoice\"): this is the invoice number in SnelStart; an invoice booking has no order number",
	},
}

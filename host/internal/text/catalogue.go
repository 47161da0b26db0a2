package text

// catalogue is every message per language: the command line's, the dashboard's and the reasons.
// Keys are unique across them (a duplicate stops the program when it starts, so any test shows it).
var catalogue = merge(cliMessages, dashboardMessages, reasonMessages)

// merge joins message sets into one catalogue; a key in two sets panics.
func merge(sets ...map[Lang]map[string]string) map[Lang]map[string]string {
	out := map[Lang]map[string]string{NL: {}, EN: {}}
	for _, set := range sets {
		for l, msgs := range set {
			for k, v := range msgs {
				if _, dup := out[l][k]; dup {
					panic("text: message " + k + " is defined twice")
				}
				out[l][k] = v
			}
		}
	}
	return out
}

// cliMessages are the texts of the command line. Keys are grouped by command.
var cliMessages = map[Lang]map[string]string{
	NL: {
		// sync and retry summary
		"summary.head":        "%s van profiel %s: %d %s verwerkt in %s%s",
		"summary.rate":        " (%.1f %s/s)",
		"unit.orders":         "orders",
		"unit.products":       "producten",
		"summary.imported":    "geboekt",
		"summary.present":     "al in SnelStart",
		"summary.waiting":     "wachtend",
		"summary.failed":      "mislukt",
		"summary.retrying":    "later opnieuw",
		"summary.skipped":     "overgeslagen",
		"summary.calls":       "SnelStart-aanroepen",
		"summary.per_order":   " (%.2f per order)",
		"summary.duration":    "duur",
		"summary.articles":    "  artikelen: %d gelezen, %d aangemaakt, %d bijgewerkt, %d gekoppeld, %d overgeslagen, %d mislukt, %d later opnieuw",
		"summary.stock":       "  voorraad: %d artikelen (%d met voorraad), %d geschreven, %d ongewijzigd, %d niet in de winkel, %d geweigerd, %d tegengehouden",
		"summary.stock_fail":  "  voorraad geweigerd voor %s: %s",
		"summary.stopped":     "vroeg gestopt: %s",
		"summary.parked":      "mislukt (blijft staan tot de order in de winkel verandert of 'koppel retry')",
		"summary.retry_later": "wordt bij de volgende run opnieuw geprobeerd",
		"summary.order":       "  order %s: %s",
		"summary.more":        "  ... en nog %d ('koppel orders %s --failed' toont ze allemaal)",
		// reconcile
		"reconcile.head":            "reconcile van profiel %s sinds %s: %d orders gelezen, %d vergeleken, %d overgeslagen, %d nog te importeren, %d SnelStart-aanroepen",
		"reconcile.none":            "alles klopt: geen ontbrekende, dubbele of afwijkende orders",
		"reconcile.header":          "SOORT\tORDER\tKENMERK\tSNELSTART\tWINKEL TOTAAL\tSNELSTART TOTAAL\tPUNT\tNIEUW",
		"reconcile.kind.missing":    "ontbreekt",
		"reconcile.kind.duplicate":  "dubbel",
		"reconcile.kind.difference": "ander totaal",
		"reconcile.new":             "nieuw",
		"reconcile.old":             "al gemeld",
		"reconcile.next":            "%d nieuwe aandachtspunten; 'koppel attention %s' toont wat te doen per punt",
		// runs
		"runs.none":         "nog geen runs vastgelegd",
		"runs.header":       "PROFIEL\tTAAK\tSTART\tDUUR\tGEBOEKT\tAL AANWEZIG\tWACHTEND\tMISLUKT\tLATER OPNIEUW\tOVERGESLAGEN\tSNELSTART-AANROEPEN\tFOUT",
		"runs.aborted":      "afgebroken: het proces stopte voordat de run klaar was; %d orders geboekt tot dan, de volgende run gaat verder",
		"runs.aborted_task": "afgebroken: het proces stopte voordat de run klaar was; de volgende run gaat verder",
		"runs.running":      "bezig: deze run loopt nog; de aantallen zijn die tot nu toe",
		"runs.more":         " (+%d meer)",
		// orders
		"orders.none":            "nog geen orders geboekt",
		"orders.none_failed":     "geen mislukte orders",
		"orders.header":          "WINKELORDER\tSNELSTART-ORDER\tKLANT\tSTATUS\tTOTAAL\tTOTAAL WINKEL\tGEBOEKT OP\tOPMERKINGEN",
		"orders.header_fail":     "WINKELORDER\tSTATUS\tPOGINGEN\tKLANT\tTOTAAL WINKEL\tLAATSTE POGING\tREDEN",
		"orders.failed_count":    "%d order(s) mislukt; 'koppel orders %s --failed' toont ze",
		"orders.more_notes":      " (+%d meer; --json toont alles)",
		"status.imported":        "geboekt",
		"status.adopted":         "geboekt (overgenomen)",
		"status.already_present": "al in SnelStart",
		"status.failed":          "mislukt",
		"status.retrying":        "later opnieuw",
		// check
		"check.profile":     "profiel %s",
		"check.shop":        "webwinkel",
		"check.ledger":      "SnelStart",
		"check.conn_ok":     "  ok     verbinding %-9s (%s): %s",
		"check.conn_fail":   "  FOUT   verbinding %-9s (%s): %s",
		"check.mark.ok":     "ok    ",
		"check.mark.let_op": "let op",
		"check.mark.fout":   "FOUT  ",
		"check.one":         "1 punt moet opgelost worden voordat koppel orders kan boeken (regels met FOUT).",
		"check.many":        "%d punten moeten opgelost worden voordat koppel orders kan boeken (regels met FOUT).",
		"check.conn_first":  "De verbinding mislukt; los dat eerst op, daarna controleert koppel de instellingen.",
		"check.all_ok":      "Alles wat het profiel nodig heeft is aanwezig.",
	},
	EN: {
		// reconcile
		"reconcile.head":            "reconcile of profile %s since %s: %d orders listed, %d compared, %d skipped, %d not imported yet, %d ledger calls",
		"reconcile.none":            "all matches: no missing, duplicated or different orders",
		"reconcile.header":          "KIND\tORDER\tREFERENCE\tSNELSTART\tSHOP TOTAL\tSNELSTART TOTAL\tITEM\tNEW",
		"reconcile.kind.missing":    "missing",
		"reconcile.kind.duplicate":  "duplicated",
		"reconcile.kind.difference": "different total",
		"reconcile.new":             "new",
		"reconcile.old":             "known",
		"reconcile.next":            "%d new attention items; 'koppel attention %s' says what to do for each",
		"summary.head":              "%s of profile %s: %d %s handled in %s%s",
		"summary.rate":              " (%.1f %s/s)",
		"unit.orders":               "orders",
		"unit.products":             "products",
		"summary.imported":          "imported",
		"summary.present":           "already present",
		"summary.waiting":           "waiting",
		"summary.failed":            "failed",
		"summary.retrying":          "retrying",
		"summary.skipped":           "skipped",
		"summary.calls":             "ledger calls",
		"summary.per_order":         " (%.2f per order)",
		"summary.duration":          "duration",
		"summary.articles":          "  articles: %d listed, %d created, %d updated, %d linked, %d skipped, %d failed, %d retrying",
		"summary.stock":             "  stock: %d articles (%d tracked), %d written, %d unchanged, %d not in the shop, %d refused, %d held back",
		"summary.stock_fail":        "  stock refused for %s: %s",
		"summary.stopped":           "stopped early: %s",
		"summary.parked":            "failed (parked until the order changes or 'koppel retry')",
		"summary.retry_later":       "to be retried on the next run",
		"summary.order":             "  order %s: %s",
		"summary.more":              "  ... and %d more ('koppel orders %s --failed' lists them all)",
		"runs.none":                 "no runs recorded yet",
		"runs.header":               "PROFILE\tTASK\tSTART\tDURATION\tIMPORTED\tPRESENT\tWAITING\tFAILED\tRETRYING\tSKIPPED\tLEDGER CALLS\tERROR",
		"runs.aborted":              "aborted: the process ended before the run finished; %d orders booked until then, the next run goes on",
		"runs.aborted_task":         "aborted: the process ended before the run finished; the next run goes on",
		"runs.running":              "running: this run is still going on; the counts are those so far",
		"runs.more":                 " (+%d more)",
		"orders.none":               "no orders imported yet",
		"orders.none_failed":        "no failed orders",
		"orders.header":             "SHOP ORDER\tSNELSTART ORDER\tCUSTOMER\tSTATUS\tTOTAL\tSHOP TOTAL\tIMPORTED AT\tNOTES",
		"orders.header_fail":        "SHOP ORDER\tSTATUS\tATTEMPTS\tCUSTOMER\tSHOP TOTAL\tLAST TRIED\tREASON",
		"orders.failed_count":       "%d order(s) failed; 'koppel orders %s --failed' lists them",
		"orders.more_notes":         " (+%d more; --json shows all)",
		"status.imported":           "imported",
		"status.adopted":            "imported (adopted)",
		"status.already_present":    "already present",
		"status.failed":             "failed",
		"status.retrying":           "retrying",
		"check.profile":             "profile %s",
		"check.shop":                "shop",
		"check.ledger":              "SnelStart",
		"check.conn_ok":             "  ok     connection %-9s (%s): %s",
		"check.conn_fail":           "  FAILED connection %-9s (%s): %s",
		"check.mark.ok":             "ok    ",
		"check.mark.let_op":         "note  ",
		"check.mark.fout":           "FAILED",
		"check.one":                 "1 item must be fixed before koppel can book orders (lines marked FAILED).",
		"check.many":                "%d items must be fixed before koppel can book orders (lines marked FAILED).",
		"check.conn_first":          "The connection fails; fix that first, then koppel checks the settings.",
		"check.all_ok":              "Everything the profile needs is there.",
	},
}

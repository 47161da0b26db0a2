package serve

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// Languages of the dashboard: Dutch (the default) and English.
const (
	langNL = "nl"
	langEN = "en"
	// langCookie remembers the choice made with ?lang=.
	langCookie = "koppel_lang"
)

// messages holds every text of the dashboard per language. Keys missing in a language show as
// "??key" (a test checks that both languages have the same keys).
var messages = map[string]map[string]string{
	langNL: {
		"title":                           "Uitvoering",
		"subtitle":                        "Koppeling webwinkel ↔ SnelStart",
		"switch":                          "English",
		"logout":                          "Afmelden",
		"running":                         "Er loopt een taak; deze pagina ververst zichzelf.",
		"no_profiles":                     "Er zijn geen profielen ingesteld.",
		"profile":                         "Profiel",
		"shop":                            "Webwinkel",
		"ledger":                          "Boekhouding",
		"tasks":                           "Taken",
		"task":                            "Taak",
		"interval":                        "Interval",
		"on_demand":                       "alleen op verzoek",
		"next_run":                        "Volgende uitvoering",
		"last_result":                     "Laatste resultaat",
		"run_now":                         "Nu uitvoeren",
		"busy":                            "Bezig…",
		"busy_since":                      "bezig sinds",
		"no_tasks":                        "Geen taken ingesteld.",
		"never":                           "nog niet",
		"none":                            "—",
		"runs":                            "Recente uitvoeringen",
		"no_runs":                         "Nog geen uitvoeringen.",
		"start":                           "Start",
		"duration":                        "Duur",
		"imported":                        "Geïmporteerd",
		"already_present":                 "Al aanwezig",
		"waiting":                         "Wachtend",
		"failed":                          "Mislukt",
		"skipped":                         "Overgeslagen",
		"ledger_calls":                    "SnelStart-aanroepen",
		"result":                          "Resultaat",
		"orders":                          "Geïmporteerde orders",
		"orders_hint":                     "Orders uit de recente uitvoeringen.",
		"no_orders":                       "Nog geen geïmporteerde orders.",
		"shop_number":                     "Ordernummer webwinkel",
		"ledger_number":                   "SnelStart-ordernummer",
		"customer":                        "Klant (relatiecode)",
		"customer_name":                   "Naam",
		"amount":                          "Bedrag incl. btw",
		"status":                          "Status",
		"when":                            "Moment",
		"failed_orders":                   "Mislukte orders",
		"no_failed":                       "Geen mislukte orders.",
		"reason":                          "Reden",
		"attempts":                        "Pogingen",
		"last_failed":                     "Laatst mislukt",
		"retry":                           "Opnieuw",
		"plugins":                         "Plugins",
		"no_plugins":                      "Er draaien geen plugins.",
		"plugin":                          "Naam",
		"kind":                            "Soort",
		"version":                         "Versie",
		"pid":                             "Proces",
		"started":                         "Gestart",
		"restarts":                        "Herstarts",
		"login_title":                     "Aanmelden",
		"login_text":                      "Deze koppeling is beveiligd. Vul de API-token in (koppel.api_token).",
		"token":                           "API-token",
		"login":                           "Aanmelden",
		"login_wrong":                     "Die token klopt niet.",
		"load_error":                      "Gegevens lezen mislukt: ",
		"stopped":                         "gestopt",
		"ago":                             "%s geleden",
		"in":                              "over %s",
		"now":                             "nu",
		"articles_counts":                 "%d artikelen: %d nieuw, %d bijgewerkt",
		"stock_counts":                    "voorraad: %d geschreven, %d ongewijzigd",
		"result.ok":                       "Gelukt",
		"result.failed_items":             "Deels mislukt",
		"result.error":                    "Fout",
		"result.aborted":                  "Afgebroken",
		"result.running":                  "Bezig",
		"status.imported":                 "geïmporteerd",
		"status.adopted":                  "geïmporteerd (overgenomen)",
		"status.already_present":          "al aanwezig",
		"status.failed":                   "geparkeerd",
		"status.retrying":                 "wordt opnieuw geprobeerd",
		"task.import_orders":              "Orders importeren",
		"task.import_articles":            "Artikelen importeren",
		"task.export_stock":               "Voorraad bijwerken",
		"task.import_orders_export_stock": "Orders importeren en voorraad bijwerken",
		"notice.run_started":              "%[1]s: taak %[2]s is gestart.",
		"notice.run_busy":                 "%[1]s: taak %[2]s loopt al.",
		"notice.run_not_found":            "%[1]s: taak %[2]s bestaat niet.",
		"notice.run_failed":               "%[1]s: taak %[2]s kon niet worden gestart.",
		"notice.retry_started":            "%[1]s: order %[3]s wordt opnieuw verwerkt.",
		"notice.retry_busy":               "%[1]s: er loopt al een import; probeer het straks opnieuw.",
		"notice.retry_not_found":          "%[1]s: order %[3]s staat niet (meer) bij de mislukte orders.",
		"notice.retry_failed":             "%[1]s: order %[3]s kon niet opnieuw worden gestart.",
		"retry_all":                       "Opnieuw alle",
		"details":                         "details",
		"waiting_count":                   "%d order(s) wachten in de webwinkel op een status die koppel boekt; hun voorraad wordt vastgehouden.",
		"notice.retry_all_started":        "%[1]s: %[3]s mislukte orders worden opnieuw verwerkt.",
		"notice.retry_all_none":           "%[1]s: er zijn geen mislukte orders.",
		"notice.retry_all_busy":           "%[1]s: er loopt al een import; probeer het straks opnieuw.",
		"notice.retry_all_not_found":      "%[1]s: dit profiel bestaat niet (meer).",
		"notice.retry_all_failed":         "%[1]s: de mislukte orders konden niet opnieuw worden gestart.",
		"notice.not_found":                "%[1]s bestaat niet.",
		"notice.unavailable":              "Deze koppel kan dat hier niet uitvoeren.",
		"attention":                       "Aandacht nodig",
		"no_attention":                    "Niets dat aandacht nodig heeft.",
		"attention_kind":                  "Wat",
		"attention_what":                  "Wat er is en wat te doen",
		"shop_total":                      "Totaal webwinkel",
		"ledger_total":                    "Totaal SnelStart",
		"resolve":                         "Afgehandeld",
		"kind.cancelled":                  "Geannuleerd",
		"kind.refunded":                   "Terugbetaald",
		"kind.changed":                    "Gewijzigd",
		"kind.reference_collision":        "Zelfde referentie, andere order",
		"kind.difference":                 "Verschil",
		"kind.missing":                    "Ontbreekt in SnelStart",
		"kind.duplicate":                  "Dubbel in SnelStart",
		"kind.vat":                        "Btw",
		"kind.failed_action":              "Actie mislukt",
		"notice.resolved":                 "%[1]s: het punt van order %[3]s is afgehandeld.",
		"notice.resolve_not_found":        "%[1]s: punt %[3]s bestaat niet.",
		"notice.resolve_failed":           "%[1]s: punt %[3]s kon niet worden afgehandeld.",
		"preview":                         "Voorbeeld",
		"preview_title":                   "Voorbeeld: wat koppel zou boeken",
		"preview_hint":                    "Berekend met dezelfde code als de synchronisatie, zonder iets te boeken of op te slaan: er wordt niets aangemaakt in SnelStart of de webwinkel, en de stand van koppel blijft ongewijzigd.",
		"preview_back":                    "Terug naar het overzicht",
		"preview_unavailable":             "Deze koppel kan geen voorbeeld maken.",
		"preview_failed":                  "Het voorbeeld kon niet worden gemaakt: %s",
		"preview_nothing":                 "Niets te doen: er staan geen nieuwe orders klaar.",
		"preview_summary":                 "%d worden geïmporteerd, %d mislukken, %d worden overgeslagen.",
		"preview_more":                    "Er zijn er meer dan hier staan (de limiet is bereikt).",
		"preview_stock_summary":           "%d producten krijgen een nieuwe voorraad, %d ongewijzigd, %d tegengehouden door wachtende of mislukte orders.",
		"preview_articles_summary":        "%d worden aangemaakt of bijgewerkt, %d mislukken, %d ongewijzigd of overgeslagen.",
		"preview_customer":                "Klant",
		"preview_lines":                   "Regels",
		"preview_expected":                "Verwacht in SnelStart",
		"preview_difference":              "Verschil (verschilartikel)",
		"preview_problem":                 "Probleem",
		"preview_warning":                 "Let op",
		"preview_unknown_total":           "niet vooraf te berekenen",
		"preview_article":                 "Artikel",
		"preview_quantity":                "Aantal",
		"preview_unit_price":              "Stuksprijs",
		"preview_vat":                     "Btw",
		"preview_description":             "Omschrijving",
		"preview_rate":                    "Tarief",
		"preview_excl":                    "Excl. btw",
		"preview_incl":                    "Incl. btw",
		"preview_sku":                     "Artikelcode",
		"preview_previous":                "Was",
		"preview_status":                  "Wat er gebeurt",
		"action.create":                   "wordt geïmporteerd",
		"action.fail":                     "mislukt",
		"action.skip":                     "wordt overgeslagen",
		"customer.existing":               "bestaande relatie",
		"customer.create":                 "nieuwe relatie aanmaken",
		"customer.update":                 "bestaande relatie bijwerken",
		"customer.fail":                   "geen relatie",
		"article.create":                  "nieuw artikel",
		"article.update":                  "wordt bijgewerkt",
		"article.found":                   "",
		"matched_by":                      "gevonden op %s",
		"footer":                          "koppel %s",
	},
	langEN: {
		"title":                           "Execution",
		"subtitle":                        "Webshop ↔ SnelStart link",
		"switch":                          "Nederlands",
		"logout":                          "Log out",
		"running":                         "A task is running; this page refreshes itself.",
		"no_profiles":                     "No profiles are configured.",
		"profile":                         "Profile",
		"shop":                            "Webshop",
		"ledger":                          "Accounting",
		"tasks":                           "Tasks",
		"task":                            "Task",
		"interval":                        "Interval",
		"on_demand":                       "on demand only",
		"next_run":                        "Next run",
		"last_result":                     "Last result",
		"run_now":                         "Run now",
		"busy":                            "Running…",
		"busy_since":                      "running since",
		"no_tasks":                        "No tasks configured.",
		"never":                           "not yet",
		"none":                            "—",
		"runs":                            "Recent runs",
		"no_runs":                         "No runs yet.",
		"start":                           "Start",
		"duration":                        "Duration",
		"imported":                        "Imported",
		"already_present":                 "Already present",
		"waiting":                         "Waiting",
		"failed":                          "Failed",
		"skipped":                         "Skipped",
		"ledger_calls":                    "SnelStart calls",
		"result":                          "Result",
		"orders":                          "Imported orders",
		"orders_hint":                     "Orders of the recent runs.",
		"no_orders":                       "No imported orders yet.",
		"shop_number":                     "Webshop order number",
		"ledger_number":                   "SnelStart order number",
		"customer":                        "Customer (relatiecode)",
		"customer_name":                   "Name",
		"amount":                          "Amount incl. VAT",
		"status":                          "Status",
		"when":                            "When",
		"failed_orders":                   "Failed orders",
		"no_failed":                       "No failed orders.",
		"reason":                          "Reason",
		"attempts":                        "Attempts",
		"last_failed":                     "Last failed",
		"retry":                           "Retry",
		"plugins":                         "Plugins",
		"no_plugins":                      "No plugins are running.",
		"plugin":                          "Name",
		"kind":                            "Kind",
		"version":                         "Version",
		"pid":                             "Process",
		"started":                         "Started",
		"restarts":                        "Restarts",
		"login_title":                     "Log in",
		"login_text":                      "This koppel is protected. Enter the API token (koppel.api_token).",
		"token":                           "API token",
		"login":                           "Log in",
		"login_wrong":                     "That token is wrong.",
		"load_error":                      "Reading the data failed: ",
		"stopped":                         "stopped",
		"ago":                             "%s ago",
		"in":                              "in %s",
		"now":                             "now",
		"articles_counts":                 "%d articles: %d new, %d updated",
		"stock_counts":                    "stock: %d written, %d unchanged",
		"result.ok":                       "Succeeded",
		"result.failed_items":             "Partly failed",
		"result.error":                    "Error",
		"result.aborted":                  "Aborted",
		"result.running":                  "Running",
		"status.imported":                 "imported",
		"status.adopted":                  "imported (adopted)",
		"status.already_present":          "already present",
		"status.failed":                   "parked",
		"status.retrying":                 "will be retried",
		"task.import_orders":              "Import orders",
		"task.import_articles":            "Import articles",
		"task.export_stock":               "Update stock",
		"task.import_orders_export_stock": "Import orders and update stock",
		"notice.run_started":              "%[1]s: task %[2]s has started.",
		"notice.run_busy":                 "%[1]s: task %[2]s is already running.",
		"notice.run_not_found":            "%[1]s: task %[2]s does not exist.",
		"notice.run_failed":               "%[1]s: task %[2]s could not be started.",
		"notice.retry_started":            "%[1]s: order %[3]s is being processed again.",
		"notice.retry_busy":               "%[1]s: an import is running; try again shortly.",
		"notice.retry_not_found":          "%[1]s: order %[3]s is not (or no longer) among the failed orders.",
		"notice.retry_failed":             "%[1]s: order %[3]s could not be retried.",
		"retry_all":                       "Retry all",
		"details":                         "details",
		"waiting_count":                   "%d order(s) wait in the shop for a status koppel imports; their stock is held back.",
		"notice.retry_all_started":        "%[1]s: %[3]s failed orders are being processed again.",
		"notice.retry_all_none":           "%[1]s: there are no failed orders.",
		"notice.retry_all_busy":           "%[1]s: an import is running; try again shortly.",
		"notice.retry_all_not_found":      "%[1]s: this profile does not exist (any more).",
		"notice.retry_all_failed":         "%[1]s: the failed orders could not be retried.",
		"notice.not_found":                "%[1]s does not exist.",
		"notice.unavailable":              "This koppel cannot do that here.",
		"attention":                       "Needs attention",
		"no_attention":                    "Nothing needs attention.",
		"attention_kind":                  "What",
		"attention_what":                  "What happened and what to do",
		"shop_total":                      "Webshop total",
		"ledger_total":                    "SnelStart total",
		"resolve":                         "Resolved",
		"kind.cancelled":                  "Cancelled",
		"kind.refunded":                   "Refunded",
		"kind.changed":                    "Changed",
		"kind.reference_collision":        "Same reference, other order",
		"kind.difference":                 "Difference",
		"kind.missing":                    "Missing in SnelStart",
		"kind.duplicate":                  "Twice in SnelStart",
		"kind.vat":                        "VAT",
		"kind.failed_action":              "Action failed",
		"notice.resolved":                 "%[1]s: the item of order %[3]s is resolved.",
		"notice.resolve_not_found":        "%[1]s: item %[3]s does not exist.",
		"notice.resolve_failed":           "%[1]s: item %[3]s could not be resolved.",
		"preview":                         "Preview",
		"preview_title":                   "Preview: what koppel would book",
		"preview_hint":                    "Computed by the same code as the sync, without booking or storing anything: nothing is created in SnelStart or the shop, and koppel's state is left as it is.",
		"preview_back":                    "Back to the overview",
		"preview_unavailable":             "This koppel cannot make a preview.",
		"preview_failed":                  "The preview could not be made: %s",
		"preview_nothing":                 "Nothing to do: there are no new orders.",
		"preview_summary":                 "%d would be imported, %d would fail, %d would be skipped.",
		"preview_more":                    "There are more than shown here (the limit was reached).",
		"preview_stock_summary":           "%d products get a new quantity, %d unchanged, %d held back by waiting or failed orders.",
		"preview_articles_summary":        "%d would be created or updated, %d would fail, %d unchanged or skipped.",
		"preview_customer":                "Customer",
		"preview_lines":                   "Lines",
		"preview_expected":                "Expected in SnelStart",
		"preview_difference":              "Difference (difference article)",
		"preview_problem":                 "Problem",
		"preview_warning":                 "Note",
		"preview_unknown_total":           "cannot be known beforehand",
		"preview_article":                 "Article",
		"preview_quantity":                "Quantity",
		"preview_unit_price":              "Unit price",
		"preview_vat":                     "VAT",
		"preview_description":             "Description",
		"preview_rate":                    "Rate",
		"preview_excl":                    "Excl. VAT",
		"preview_incl":                    "Incl. VAT",
		"preview_sku":                     "Article code",
		"preview_previous":                "Was",
		"preview_status":                  "What happens",
		"action.create":                   "would be imported",
		"action.fail":                     "would fail",
		"action.skip":                     "would be skipped",
		"customer.existing":               "existing relatie",
		"customer.create":                 "create a new relatie",
		"customer.update":                 "update the existing relatie",
		"customer.fail":                   "no relatie",
		"article.create":                  "new article",
		"article.update":                  "updated",
		"article.found":                   "",
		"matched_by":                      "matched by %s",
		"footer":                          "koppel %s",
	},
}

// pickLang returns the language of a request: ?lang= (remembered in a cookie), else the
// cookie, else Dutch.
func pickLang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == langNL || l == langEN {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == langNL || c.Value == langEN) {
		return c.Value
	}
	return langNL
}

// tr is one language's texts and formats.
type tr struct {
	lang string
	loc  *time.Location
	now  time.Time
}

// Lang returns the language code ("nl" or "en").
func (t tr) Lang() string { return t.lang }

// Now returns the time the page was made.
func (t tr) Now() time.Time { return t.now }

// Reason renders a stored (English) reason in the page's language (text.Reason).
func (t tr) Reason(reason string) string { return text.Reason(text.Lang(t.lang), reason) }

// T returns the text of key, formatted with args when given.
func (t tr) T(key string, args ...any) string {
	m, ok := messages[t.lang][key]
	if !ok {
		return "??" + key
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...)
	}
	return m
}

// Time formats a time in the dashboard's zone; "—" for the zero time.
func (t tr) Time(v time.Time) string {
	if v.IsZero() {
		return t.T("none")
	}
	v = v.In(t.loc)
	if t.lang == langEN {
		return v.Format("2006-01-02 15:04:05")
	}
	return v.Format("02-01-2006 15:04:05")
}

// Rel says how far a time is from now ("over 4 min", "3 min geleden").
func (t tr) Rel(v time.Time) string {
	if v.IsZero() {
		return ""
	}
	d := v.Sub(t.now)
	switch {
	case d > time.Second:
		return t.T("in", shortDuration(d))
	case d < -time.Second:
		return t.T("ago", shortDuration(-d))
	}
	return t.T("now")
}

// Kind returns the human name of an attention item's kind, or the kind itself.
func (t tr) Kind(kind string) string {
	if m, ok := messages[t.lang]["kind."+kind]; ok {
		return m
	}
	return kind
}

// Dur formats a duration shortly ("1m5s", "850ms").
func (t tr) Dur(d time.Duration) string { return shortDuration(d) }

// Every formats a task interval; 0 is "on demand only".
func (t tr) Every(d time.Duration) string {
	if d <= 0 {
		return t.T("on_demand")
	}
	return shortDuration(d)
}

// Amount formats a decimal string (as in pipeline.PlanReport) like Money; "" shows as "—".
func (t tr) Amount(s string) string {
	if s == "" {
		return t.T("none")
	}
	m, err := sdk.ParseMoney(s)
	if err != nil {
		return s
	}
	return t.Money(&m)
}

// Num writes a decimal string as it is (a quantity, a unit price with up to 4 decimals), with a
// decimal comma in Dutch.
func (t tr) Num(s string) string {
	if t.lang == langEN {
		return s
	}
	return strings.ReplaceAll(s, ".", ",")
}

// Money formats an amount with two decimals and thousands separators in the language's style:
// € 1.234,50 in Dutch, €1,234.50 in English.
func (t tr) Money(m *sdk.Money) string {
	if m == nil {
		return t.T("none")
	}
	s := m.StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	thou, dec := ".", ","
	if t.lang == langEN {
		thou, dec = ",", "."
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(thou)
		}
		b.WriteRune(c)
	}
	sign := ""
	if neg {
		sign = "-"
	}
	if t.lang == langEN {
		return sign + "€" + b.String() + dec + frac
	}
	return sign + "€ " + b.String() + dec + frac
}

// shortDuration rounds d for people: milliseconds under a second, seconds under a minute,
// whole seconds under an hour, whole minutes above; without trailing zero units ("15m", "1h").
func shortDuration(d time.Duration) string {
	switch {
	case d < 0:
		d = -d
	}
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	case d < time.Hour:
		d = d.Round(time.Second)
	case d >= 48*time.Hour:
		// Days for far-away times ("over 3d4h"), not thousands of hours.
		days := int(d / (24 * time.Hour))
		hours := int((d % (24 * time.Hour)).Round(time.Hour) / time.Hour)
		if hours == 24 {
			days, hours = days+1, 0
		}
		if hours == 0 {
			return strconv.Itoa(days) + "d"
		}
		return strconv.Itoa(days) + "d" + strconv.Itoa(hours) + "h"
	default:
		d = d.Round(time.Minute)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

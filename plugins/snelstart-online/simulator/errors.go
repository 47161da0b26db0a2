package simulator

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// apiError is one entry of SnelStart's 400 body: `[{"errorCode":"VOR-0002","message":"..."}]`.
type apiError struct {
	ErrorCode string `json:"errorCode,omitempty"`
	Message   string `json:"message"`
	Details   string `json:"details,omitempty"`
}

// errs collects validation errors in the order they were found.
type errs []apiError

func (e *errs) add(code, msg string) { *e = append(*e, apiError{ErrorCode: code, Message: msg}) }

// Messages from the portal page "B2B API versie 2 foutcodes".
var codeText = map[string]string{
	"ALG-0100": "Het ID dient leeg te zijn",
	"ALG-0101": "Het ID in het url en het ID van de data in het request komen niet overeen",
	"ALG-0102": "Onbekende fout",
	"ALG-0103": "Ongeldig ID",
	"ALG-0104": "Ongeldig OData filter",
	"ALG-0105": "Het item is nonactief",
	"ALG-0106": "De data in het request is leeg",
	"ART-0001": "Artikel bestaat niet.",
	"ART-0002": "Artikelcode is verplicht.",
	"ART-0003": "Artikelcode is geen nummer.",
	"ART-0004": "Artikelcode is te lang.",
	"ART-0005": "Artikelcode bestaat al.",
	"ART-0006": "Omschrijving is verplicht.",
	"ART-0007": "Omschrijving is te lang.",
	"ART-0008": "Artikelomzetgroep is verplicht.",
	"ART-0009": "Opgegeven artikelomzetgroep bestaat niet.",
	"ART-0010": "Artikel heeft nog voorraad.",
	"ART-0011": "Artikel wordt gebruikt in een openstaande order of factuur.",
	"ART-0016": "De opgegeven leverancier kan niet worden gevonden.",
	"ART-0017": "De opgegeven relatie is geen leverancier en niet de eigen relatie.",
	"KPL-0001": "Kostenplaats niet gevonden",
	"KPL-0004": "De omschrijving is verplicht",
	"KPL-0005": "De omschrijving mag maximaal 50 karakters bevatten",
	"KPL-0006": "Het nummer is verplicht",
	"KPL-0007": "Het nummer moet tussen 1 en 999999999 liggen",
	"KPL-0008": "Dit nummer bestaat al",
	"KPL-0009": "Er kan geen nonactieve kostenplaats worden gemaakt",
	"REL-0001": "RelatieSoort mag niet 'geen' zijn",
	"REL-0002": "RelatieSoort dient klant te bevatten indien aanmanen aan staat",
	"REL-0003": "Krediettermijn mag niet kleiner dan -365 of groter dan 1000 zijn",
	"REL-0004": "RelatieSoort dient klant te bevatten indien Factuurkorting aan staat",
	"REL-0005": "Relatie niet gevonden",
	"REL-0006": "KvkNummer is ongeldig",
	"REL-0007": "Naam moet gevuld zijn",
	"REL-0008": "Relatiecode reeds in gebruik",
	"REL-0012": "MobieleTelefoon mag maximaal 25 karakters bevatten",
	"REL-0013": "Telefoon mag maximaal 25 karakters bevatten",
	"REL-0015": "WebSiteUrl dient een geldig URL te zijn",
	"REL-0016": "RelatieSoort dient klant te bevatten indien IncassoSoort gevuld is",
	"REL-0017": "Factuurrelatie bestaat niet",
	"REL-0018": "Factuurrelatie is geen klant",
	"REL-0020": "VestigingsAdres.Straat mag maximaal 50 karakters bevatten",
	"REL-0021": "VestigingsAdres.Postcode mag maximaal 25 karakters bevatten",
	"REL-0022": "VestigingsAdres.Plaats mag maximaal 50 karakters bevatten",
	"REL-0023": "VestigingsAdres.Contactpersoon mag maximaal 50 karakters bevatten",
	"REL-0025": "Correspondentie.Straat mag maximaal 50 karakters bevatten",
	"REL-0026": "Correspondentie.Postcode mag maximaal 25 karakters bevatten",
	"REL-0027": "Correspondentie.Plaats mag maximaal 50 karakters bevatten",
	"REL-0028": "Correspondentie.Contactpersoon mag maximaal 50 karakters bevatten",
	"REL-0047": "Het ID in het url en het ID van de relatie in het request komen niet overeen",
	"REL-0048": "RelatieSoort mag niet 'eigen' bevatten",
	"REL-0050": "Klant heeft openstaande verkooporders",
	"REL-0051": "Klant is een factuurrelatie",
	"REL-0055": "CorrespondentieAdres.LandId niet gevonden",
	"REL-0056": "VestigingsAdres.LandId niet gevonden",
	"REL-0057": "BtwNummer mag maximaal 50 karakters bevatten",
	"REL-0058": "BtwNummer moet minimaal 2 karakters bevatten",
	"REL-0059": "BtwNummer mag alleen cijfers en letters bevatten",
	"REL-0060": "Indien een van de velden van VestigingsAdres gevuld is, meegegeven dienen alle velden gevuld zijn, uitgezonderd Contactpersoon",
	"REL-0062": "RelatieSoort dient klant te bevatten indien Kredietlimiet ingevuld is.",
	"REL-0063": "Het ID dient leeg te zijn.",
	"REL-0064": "RelatieSoort mag niet aangepast worden.",
	"REL-0065": "RelatieSoort kan niet zowel 'klant' als 'leverancier' zijn.",
	"REL-0084": "Email bevat één of meerdere ongeldige emailadressen. U kunt meerdere emailadressen opgeven door ze te scheiden met een puntkomma(;).",
	"REL-0085": "Email mag maximaal 250 karakters bevatten",
	"REL-0086": "Oin moet exact 20 cijfers bevatten of null zijn",
	"REL-0087": "De Btw landcode komt niet overeen met de landcode van het vestigingsadres",
	"BOE-0021": "Het factuurnummer bestaat al",
	"BOE-0039": "Het factuurbedrag is niet gelijk aan het totaal van de boekingsregels en de btw",
	"BOE-0042": "De boekdatum valt in een afgesloten periode",
	"VOR-0001": "Verkooporder niet gevonden",
	"VOR-0002": "De relatie is geen klant",
	"VOR-0005": "Bij een nieuwe verkooporder moet het veld ordernummer leeg zijn",
	"VOR-0006": "Straat mag maximaal 50 karakters bevatten",
	"VOR-0007": "Postcode mag maximaal 25 karakters bevatten",
	"VOR-0008": "Plaats mag maximaal 50 karakters bevatten",
	"VOR-0009": "Contactpersoon mag maximaal 50 karakters bevatten",
	"VOR-0010": "LandId niet gevonden",
	"VOR-0011": "Orderreferentie mag maximaal 50 karakters bevatten",
	"VOR-0013": "Incassomachtiging niet gevonden",
	"VOR-0015": "Verkooporder is geen offerte en kan niet worden aangepast",
}

// addCode adds an error whose message is the documented text of code.
func (e *errs) addCode(code string) { e.add(code, codeText[code]) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"message":"An error has occurred."}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeErrors answers 400 with the SnelStart error array.
func writeErrors(w http.ResponseWriter, e errs) { writeJSON(w, http.StatusBadRequest, e) }

// writeCode answers 400 with one coded error.
func writeCode(w http.ResponseWriter, code string) {
	var e errs
	e.addCode(code)
	writeErrors(w, e)
}

// writeModelState answers 400 in ASP.NET Web API's model-state shape, as the API does for JSON
// that cannot be bound or that breaks a model annotation (required, maxLength, range).
func writeModelState(w http.ResponseWriter, field, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"message":    "The request is invalid.",
		"modelState": map[string][]string{field: {msg}},
	})
}

// writeMessage answers with the `{"message": "..."}` shape (404s and generic errors).
func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

// writeAPIM answers in Azure API Management's shape: `{"statusCode":401,"message":"..."}`.
func writeAPIM(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"statusCode": status, "message": msg})
}

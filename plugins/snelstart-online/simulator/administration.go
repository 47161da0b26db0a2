package simulator

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

// Administration is the whole state of one SnelStart administration. It is the --seed file
// format (JSON, field names as the API spells them) and what Dump returns, so a dump can be
// fed back as a seed. Entities without an id get one when loaded; references are by id.
type Administration struct {
	CompanyInfo    CompanyInfo    `json:"companyInfo"`
	Landen         []Land         `json:"landen"`
	BtwTarieven    []BtwTarief    `json:"btwtarieven"`
	Omzetgroepen   []Omzetgroep   `json:"artikelomzetgroepen"`
	Sjablonen      []Sjabloon     `json:"verkoopordersjablonen"`
	Kostenplaatsen []Kostenplaats `json:"kostenplaatsen"`
	Relaties       []Relatie      `json:"relaties"`
	Artikelen      []Artikel      `json:"artikelen"`
	Verkooporders  []Verkooporder `json:"verkooporders"`
	// VatRates are the rates per country GET /vatrates serves (VatRatesModel); with
	// companyInfo factureerBuitenlandsBtw on, orders to EU consumers abroad are taxed at them.
	VatRates []VatRates `json:"vatrates,omitempty"`
	// Verkoopboekingen are the booked sales invoices, Verkoopfacturen their open items.
	Verkoopboekingen []Verkoopboeking `json:"verkoopboekingen,omitempty"`
	Verkoopfacturen  []Verkoopfactuur `json:"verkoopfacturen,omitempty"`
	// Grootboeken are the ledger accounts (GET /grootboeken). A seed without them gets one
	// per revenue ledger its omzetgroepen name.
	Grootboeken []Grootboek `json:"grootboeken,omitempty"`
	// AfgeslotenTotEnMet closes the bookkeeping up to and including this date: a booking
	// dated in it is refused with BOE-0042 (SnelStart's closed periods; not part of the API).
	AfgeslotenTotEnMet *Time `json:"afgeslotenTotEnMet,omitempty"`
}

// LoadAdministration reads a seed from r (JSON). Unknown fields are refused so typos in a
// hand-written seed are caught.
func LoadAdministration(r io.Reader) (*Administration, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var a Administration
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("decode administration: %w", err)
	}
	return &a, nil
}

// LoadAdministrationFile reads a seed file.
func LoadAdministrationFile(path string) (*Administration, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open seed: %w", err)
	}
	defer f.Close()
	a, err := LoadAdministration(f)
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	return a, nil
}

// Well-known ids of the default administration, so tests and demos can refer to them.
const (
	LandNL GUID = "1a4d0000-0000-4000-8000-000000000528"
	LandBE GUID = "1a4d0000-0000-4000-8000-000000000056"
	LandDE GUID = "1a4d0000-0000-4000-8000-000000000276"
	LandFR GUID = "1a4d0000-0000-4000-8000-000000000250"
	LandGB GUID = "1a4d0000-0000-4000-8000-000000000826"
	LandUS GUID = "1a4d0000-0000-4000-8000-000000000840"

	OmzetgroepHoog       GUID = "0e2a0000-0000-4000-8000-000000000001"
	OmzetgroepLaag       GUID = "0e2a0000-0000-4000-8000-000000000002"
	OmzetgroepGeen       GUID = "0e2a0000-0000-4000-8000-000000000003"
	OmzetgroepVerzending GUID = "0e2a0000-0000-4000-8000-000000000004"
	SjabloonWebshop      GUID = "5ab10000-0000-4000-8000-000000000001"
	SjabloonStandaard    GUID = "5ab10000-0000-4000-8000-000000000002"
	KostenplaatsWebshop  GUID = "c0570000-0000-4000-8000-000000000001"
	RelatieEigen         GUID = "4e1a0000-0000-4000-8000-000000000001"
	RelatieJanDeVries    GUID = "4e1a0000-0000-4000-8000-000000000002"
	RelatieBakkerijSmit  GUID = "4e1a0000-0000-4000-8000-000000000003"
	RelatieJanssens      GUID = "4e1a0000-0000-4000-8000-000000000004"
	RelatieGroothandel   GUID = "4e1a0000-0000-4000-8000-000000000005"
	ArtikelShirt         GUID = "a2710000-0000-4000-8000-000000000001"
	ArtikelKookboek      GUID = "a2710000-0000-4000-8000-000000000002"
	ArtikelCadeaubon     GUID = "a2710000-0000-4000-8000-000000000003"
	ArtikelVerzendkosten GUID = "a2710000-0000-4000-8000-000000000004"
	ArtikelCadeaupakket  GUID = "a2710000-0000-4000-8000-000000000005"
	ArtikelMok           GUID = "a2710000-0000-4000-8000-000000000006"
	ArtikelOrderverschil GUID = "a2710000-0000-4000-8000-000000000007"
	ArtikelOud           GUID = "a2710000-0000-4000-8000-000000000008"
	ArtikelKorting       GUID = "a2710000-0000-4000-8000-000000000009"
	ArtikelBetaalkosten  GUID = "a2710000-0000-4000-8000-00000000000a"
	grootboekOmzetHoog   GUID = "9b000000-0000-4000-8000-000000008000"
	grootboekOmzetLaag   GUID = "9b000000-0000-4000-8000-000000008010"
	grootboekOmzetGeen   GUID = "9b000000-0000-4000-8000-000000008020"
	// GrootboekOmzetICP, GrootboekOmzetExport and GrootboekOmzetOSS are the revenue ledgers of
	// the default administration for deliveries to EU businesses (ICP), outside the EU and to
	// EU consumers at their country's VAT (OSS).
	GrootboekOmzetICP     GUID = "9b000000-0000-4000-8000-000000008100"
	GrootboekOmzetExport  GUID = "9b000000-0000-4000-8000-000000008110"
	GrootboekOmzetOSS     GUID = "9b000000-0000-4000-8000-000000008200"
	defaultAdministration GUID = "ad010000-0000-4000-8000-000000000001"
)

func day(y int, m time.Month, d int) Time { return Time{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DefaultAdministration is the small Dutch demo administration used when no seed is given:
// omzetgroepen for each VAT class (Hoog 21%, Laag 9%, Geen 0%), templates "Webshop" and
// "Standaard", landen NL BE DE FR GB US (with the vatrates of NL BE DE FR; foreign VAT
// invoicing off), the Dutch VAT history (Laag 6% before 2019, Hoog 19%
// before 2012-10-01), two kostenplaatsen, the own company, three customers (one with a
// `;`-separated e-mail list) and a supplier, and articles including a composite one, one with
// negative free stock, an "orderverschil" article at 0% and an inactive one.
func DefaultAdministration() *Administration {
	mod := Time{time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)}
	nl := func() *Ref { return ref("landen", LandNL) }
	return &Administration{
		CompanyInfo: CompanyInfo{
			AdministratieIdentifier:                defaultAdministration,
			AdministratieNaam:                      "Demo Webwinkel B.V.",
			Bedrijfsnaam:                           "Demo Webwinkel B.V.",
			Contactpersoon:                         "A. de Boer",
			Adres:                                  "Marktstraat 1",
			Postcode:                               "1234 AB",
			Plaats:                                 "Utrecht",
			Telefoon:                               "030-1234567",
			Iban:                                   "NL91ABNA0417164300",
			Bic:                                    "ABNANL2A",
			Rechtsvorm:                             "Bv",
			BtwNummer:                              "NL001234567B01",
			KvKNummer:                              "12345678",
			Email:                                  "info@demowebwinkel.nl",
			Website:                                "https://demowebwinkel.nl",
			HuidigBoekjaar:                         2026,
			BeginmaandFiscaleBoekjaar:              1,
			BtwAangiftePeriodeSoort:                "Kwartaal",
			KleineOndernemersregeling:              &KleineOndernemersRegeling{},
			VolgendFactuurnummer:                   20260001,
			VolgendVerkoopordernummer:              1001,
			VoorraadcontroleOrderinvoer:            true,
			TekstregelsOvernemenNaarBackorder:      "Geen",
			RegelkortingVerkooporder:               "BerekenenOverRegelBedrag",
			VerkoopprijsArtikelbestandExclusiefBtw: true,
			InkoopprijsArtikelbestandExclusiefBtw:  true,
			ArtikelcodeSoort:                       "Alfanumeriek",
			ArtikelcodeMaxLengte:                   20,
			AantalDecimalenArtikelprijzen:          2,
			AantalDecimalenArtikelaantallen:        2,
			VerkooporderVoorraadVanafNiveau:        "Alle",
		},
		Landen: []Land{
			{Naam: "Nederland", LandcodeISO: "NL", Landcode: "NL", ID: LandNL},
			{Naam: "België", LandcodeISO: "BE", Landcode: "B", ID: LandBE},
			{Naam: "Duitsland", LandcodeISO: "DE", Landcode: "D", ID: LandDE},
			{Naam: "Frankrijk", LandcodeISO: "FR", Landcode: "F", ID: LandFR},
			{Naam: "Verenigd Koninkrijk", LandcodeISO: "GB", Landcode: "GB", ID: LandGB},
			{Naam: "Verenigde Staten", LandcodeISO: "US", Landcode: "USA", ID: LandUS},
		},
		VatRates: defaultVatRates(),
		BtwTarieven: []BtwTarief{
			{BtwSoort: "Geen", BtwPercentage: D("0"), DatumVanaf: day(2001, 1, 1)},
			{BtwSoort: "Laag", BtwPercentage: D("6"), DatumVanaf: day(2001, 1, 1), DatumTotEnMet: day(2018, 12, 31)},
			{BtwSoort: "Laag", BtwPercentage: D("9"), DatumVanaf: day(2019, 1, 1)},
			{BtwSoort: "Hoog", BtwPercentage: D("19"), DatumVanaf: day(2001, 1, 1), DatumTotEnMet: day(2012, 9, 30)},
			{BtwSoort: "Hoog", BtwPercentage: D("21"), DatumVanaf: day(2012, 10, 1)},
		},
		Omzetgroepen: []Omzetgroep{
			{Nummer: 1, Omschrijving: "Omzet hoog", VerkoopNederlandBtwSoort: "Hoog", ID: OmzetgroepHoog, VerkoopGrootboekNederlandIdentifier: ref("grootboeken", grootboekOmzetHoog)},
			{Nummer: 2, Omschrijving: "Omzet laag", VerkoopNederlandBtwSoort: "Laag", ID: OmzetgroepLaag, VerkoopGrootboekNederlandIdentifier: ref("grootboeken", grootboekOmzetLaag)},
			{Nummer: 3, Omschrijving: "Omzet onbelast", VerkoopNederlandBtwSoort: "Geen", ID: OmzetgroepGeen, VerkoopGrootboekNederlandIdentifier: ref("grootboeken", grootboekOmzetGeen)},
			{Nummer: 4, Omschrijving: "Verzendkosten", VerkoopNederlandBtwSoort: "Hoog", ID: OmzetgroepVerzending, VerkoopGrootboekNederlandIdentifier: ref("grootboeken", grootboekOmzetHoog)},
		},
		Grootboeken: []Grootboek{
			{Nummer: 8000, Omschrijving: "Omzet hoog", RekeningCode: "WinstEnVerlies", Grootboekfunctie: "VerkopenOmzetHoog", ID: grootboekOmzetHoog},
			{Nummer: 8010, Omschrijving: "Omzet laag", RekeningCode: "WinstEnVerlies", Grootboekfunctie: "VerkopenOmzetLaag", ID: grootboekOmzetLaag},
			{Nummer: 8020, Omschrijving: "Omzet onbelast", RekeningCode: "WinstEnVerlies", Grootboekfunctie: "VerkopenBtwVrij", ID: grootboekOmzetGeen},
			{Nummer: 8100, Omschrijving: "Omzet ICP binnen EU", RekeningCode: "WinstEnVerlies", Grootboekfunctie: "VerkopenExportBinnenEU", ID: GrootboekOmzetICP},
			{Nummer: 8110, Omschrijving: "Omzet export buiten EU", RekeningCode: "WinstEnVerlies", Grootboekfunctie: "VerkopenExportBuitenEU", ID: GrootboekOmzetExport},
			{Nummer: 8200, Omschrijving: "Omzet OSS", RekeningCode: "WinstEnVerlies", Grootboekfunctie: "InstallatieTeleverkoopBinnenEUgeen", ID: GrootboekOmzetOSS},
		},
		Sjablonen: []Sjabloon{
			{Omschrijving: "Webshop", PrijsIngaveExclusiefBtw: false, ID: SjabloonWebshop,
				ExtraHoofdVelden: []IngaveGegevenSjabloon{{VeldNummer: 1, Omschrijving: "Webshopordernummer", SoortVeld: "Tekst", MaximumTekstLengte: 50}}},
			{Omschrijving: "Standaard", PrijsIngaveExclusiefBtw: true, ID: SjabloonStandaard},
		},
		Kostenplaatsen: []Kostenplaats{
			{Omschrijving: "Webshop", Nummer: 1, ID: KostenplaatsWebshop},
			{Omschrijving: "Winkel", Nummer: 2, ID: "c0570000-0000-4000-8000-000000000002"},
		},
		Relaties: []Relatie{
			{Relatiesoort: []string{"Eigen"}, Relatiecode: 1, Naam: "Demo Webwinkel B.V.", ModifiedOn: mod, ID: RelatieEigen,
				VestigingsAdres: &Adres{Straat: "Marktstraat 1", Postcode: "1234 AB", Plaats: "Utrecht", Land: nl()},
				Email:           "info@demowebwinkel.nl"},
			{Relatiesoort: []string{"Klant"}, Relatiecode: 1001, Naam: "Jan de Vries", ModifiedOn: mod, ID: RelatieJanDeVries,
				VestigingsAdres: &Adres{Straat: "Dorpsstraat 12", Postcode: "3511 AB", Plaats: "Utrecht", Land: nl()},
				Email:           "jan.devries@example.nl", Telefoon: "06-12345678", Krediettermijn: 14, Aanmaningsoort: "Consument"},
			{Relatiesoort: []string{"Klant"}, Relatiecode: 1002, Naam: "Bakkerij Smit B.V.", ModifiedOn: mod, ID: RelatieBakkerijSmit,
				VestigingsAdres: &Adres{Contactpersoon: "P. Smit", Straat: "Broodweg 5", Postcode: "9711 AA", Plaats: "Groningen", Land: nl()},
				Email:           "info@bakkerijsmit.nl;facturen@bakkerijsmit.nl", BtwNummer: "NL123456789B01", KvkNummer: "87654321",
				Krediettermijn: 30, Factuurkorting: D("2"),
				FactuurEmailVersturen: &EmailVersturen{ShouldSend: true, Email: "facturen@bakkerijsmit.nl"}},
			{Relatiesoort: []string{"Klant"}, Relatiecode: 1003, Naam: "Familie Janssens", ModifiedOn: mod, ID: RelatieJanssens,
				VestigingsAdres: &Adres{Straat: "Kerkstraat 3", Postcode: "2000", Plaats: "Antwerpen", Land: ref("landen", LandBE)},
				Email:           "janssens@example.be"},
			{Relatiesoort: []string{"Leverancier"}, Relatiecode: 2001, Naam: "Groothandel Noord B.V.", ModifiedOn: mod, ID: RelatieGroothandel,
				VestigingsAdres: &Adres{Straat: "Industrieweg 40", Postcode: "8000 AA", Plaats: "Zwolle", Land: nl()},
				Email:           "verkoop@groothandelnoord.nl", Iban: "NL02RABO0123456789"},
		},
		Artikelen: []Artikel{
			{Artikelcode: "SHIRT-01", Omschrijving: "T-shirt katoen", ArtikelOmzetgroep: ref("artikelomzetgroepen", OmzetgroepHoog),
				Verkoopprijs: D("20.62"), Inkoopprijs: D("8.50"), Eenheid: "stuk", ModifiedOn: mod, VoorraadControle: true,
				TechnischeVoorraad: D("40"), VrijeVoorraad: D("35"), Relatie: ref("relaties", RelatieGroothandel), ID: ArtikelShirt,
				ExtraVelden: []ExtraVeld{{Naam: "kleur", Waarde: "rood"}}},
			{Artikelcode: "BOEK-01", Omschrijving: "Kookboek Hollandse pot", ArtikelOmzetgroep: ref("artikelomzetgroepen", OmzetgroepLaag),
				Verkoopprijs: D("27.50"), Inkoopprijs: D("15"), Eenheid: "stuk", ModifiedOn: mod, VoorraadControle: true,
				TechnischeVoorraad: D("12"), VrijeVoorraad: D("10"), ID: ArtikelKookboek},
			{Artikelcode: "CADEAUBON", Omschrijving: "Cadeaubon", ArtikelOmzetgroep: ref("artikelomzetgroepen", OmzetgroepGeen),
				Verkoopprijs: D("25"), ModifiedOn: mod, ID: ArtikelCadeaubon},
			{Artikelcode: "VERZEND", Omschrijving: "Verzendkosten", ArtikelOmzetgroep: ref("artikelomzetgroepen", OmzetgroepVerzending),
				Verkoopprijs: D("4.09"), ModifiedOn: mod, ID: ArtikelVerzendkosten},
			{Artikelcode: "SET-01", Omschrijving: "Cadeaupakket shirt + kookboek", ArtikelOmzetgroep: ref("artikelomzetgroepen", OmzetgroepHoog),
				Verkoopprijs: D("45"), ModifiedOn: mod, VoorraadControle: true, TechnischeVoorraad: D("0"), VrijeVoorraad: D("0"),
				IsHoofdartikel: true, ID: ArtikelCadeaupakket, Subartikelen: []Subartikel{
					{Artikelcode: "SHIRT-01", Aantal: D("1"), ID: ArtikelShirt, URI: "/artikelen/" + string(ArtikelShirt)},
					{Artikelcode: "BOEK-01", Aantal: D("1"), ID: ArtikelKookboek, URI: "/artikelen/" + string(ArtikelKookboek)},
				}},
			{Artikelcode: "MOK-01", Omschrijving: "Mok met logo", ArtikelOmzetgroep: ref("artikelomzetgroepen", OmzetgroepHoog),
				Verkoopprijs: D("7.44"), Inkoopprijs: D("2.10"), Eenheid: "stuk", ModifiedOn: mod, VoorraadControle: true,
				TechnischeVoorraad: D("3"), VrijeVoorraad: D("-2"), ID: ArtikelMok},
			{Artikelcode: "ORDERVERSCHIL", Omschrijving: "Afrondingsverschil webshop", ArtikelOmzetgroep: ref("artikelomzetgroepen", OmzetgroepGeen),
				Verkoopprijs: D("0"), ModifiedOn: mod, ID: ArtikelOrderverschil},
			{Artikelcode: "OUD-01", Omschrijving: "Uit assortiment", ArtikelOmzetgroep: ref("artikelomzetgroepen", OmzetgroepHoog),
				Verkoopprijs: D("9.95"), ModifiedOn: mod, IsNonActief: true, ID: ArtikelOud},
			{Artikelcode: "KORTING", Omschrijving: "Korting webshop", ArtikelOmzetgroep: ref("artikelomzetgroepen", OmzetgroepHoog),
				Verkoopprijs: D("0"), ModifiedOn: mod, ID: ArtikelKorting},
			{Artikelcode: "BETAALKOSTEN", Omschrijving: "Betaalkosten", ArtikelOmzetgroep: ref("artikelomzetgroepen", OmzetgroepHoog),
				Verkoopprijs: D("0"), ModifiedOn: mod, ID: ArtikelBetaalkosten},
		},
	}
}

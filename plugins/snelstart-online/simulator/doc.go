// Package simulator is a strict, in-memory SnelStart B2B API v2 for tests, demos and external
// checkers. It serves the same paths and JSON shapes as the real service (the published OpenAPI
// document is the authority) and refuses what the real API refuses, with SnelStart's error codes.
//
// Endpoints (all under /v2, needing both `Authorization: Bearer <token>` and
// `Ocp-Apim-Subscription-Key`, or `?subscription-key=`):
//
//	GET/PUT               /companyInfo
//	GET                   /landen, /landen/{id}, /btwtarieven, /vatrates (OData), /vatrates/{id}
//	GET/POST              /kostenplaatsen;  GET/PUT/DELETE /kostenplaatsen/{id}
//	GET                   /artikelomzetgroepen, /artikelomzetgroepen/{id}
//	GET                   /verkoopordersjablonen, /verkoopordersjablonen/{id}
//	GET(OData)/POST       /relaties;        GET/PUT/DELETE /relaties/{id}
//	GET(OData,$top≤25)/POST /artikelen;     GET/PUT/DELETE /artikelen/{id}; GET/PUT /artikelen/{id}/customFields
//	GET(OData)/POST       /verkooporders;   GET/PUT/DELETE /verkooporders/{id}; PUT /verkooporders/{id}/ProcesStatus
//
// plus POST /b2b/token (form: grant_type=clientkey&clientkey=… or grant_type=password) and the
// admin endpoints under /_sim/ (see adminRoutes). Defaults: subscription key
// "demo-subscription-key", client key "ZGVtbzpkZW1v" (Base64 of "demo:demo").
//
// Behaviour that SnelStart does not document is modelled as described in
// snelstart-b2b-api.md §3.6 and snelstart-totals.md §1.7; the VAT rounding is switchable
// (Options.Rounding, Options.Midpoint). A verkooporder line without "stuksprijs" (left out or
// null) takes the article's verkoopprijs, converted between incl. and excl. VAT at the line's
// rate per companyInfo verkoopprijsArtikelbestandExclusiefBtw and the order's
// verkooporderBtwIngaveModel, rounded to cents with Options.Midpoint; an explicit 0 stays 0.
//
// VAT abroad (inferred, see the project's docs/profiles.md): the destination is the order's
// afleveradres country, else the customer's vestigingsadres country. Outside the EU every line is
// 0 % (export); an EU customer abroad with a btwNummer is 0 % (ICP); an EU consumer abroad pays
// the destination's rate for the article's VAT class (Hoog = rate code SR, Laag = RRL, else RRH)
// from the vatrates when companyInfo factureerBuitenlandsBtw is on, else the Dutch rate. An
// artikel's verkoopprijs may have at most companyInfo aantalDecimalenArtikelprijzen decimals.
//
// # Seed file
//
// A seed (--seed FILE, or Options.Seed) is a JSON Administration whose entities use the API's
// own field names. Entities without an id get one; references are {"id": "..."}; articles can be
// composite through "subartikelen"; stock figures are read-only through the API and come only
// from here. A minimal example:
//
//	{
//	  "companyInfo": {"administratieNaam": "Test B.V.", "volgendVerkoopordernummer": 500,
//	                  "regelkortingVerkooporder": "BerekenenOverRegelBedrag"},
//	  "landen": [{"id": "1a4d0000-0000-4000-8000-000000000528", "naam": "Nederland",
//	              "landcodeISO": "NL", "landcode": "NL"}],
//	  "btwtarieven": [{"btwSoort": "Hoog", "btwPercentage": 21, "datumVanaf": "2012-10-01T00:00:00"},
//	                  {"btwSoort": "Laag", "btwPercentage": 6, "datumVanaf": "2001-01-01T00:00:00",
//	                   "datumTotEnMet": "2018-12-31T00:00:00"},
//	                  {"btwSoort": "Laag", "btwPercentage": 9, "datumVanaf": "2019-01-01T00:00:00"},
//	                  {"btwSoort": "Geen", "btwPercentage": 0, "datumVanaf": "2001-01-01T00:00:00"}],
//	  "artikelomzetgroepen": [{"id": "0e2a0000-0000-4000-8000-000000000001", "nummer": 1,
//	                           "omschrijving": "Omzet hoog", "verkoopNederlandBtwSoort": "Hoog"}],
//	  "verkoopordersjablonen": [{"omschrijving": "Webshop", "prijsIngaveExclusiefBtw": false}],
//	  "kostenplaatsen": [{"omschrijving": "Webshop", "nummer": 1}],
//	  "relaties": [{"relatiesoort": ["Klant"], "relatiecode": 1, "naam": "Jan",
//	                "email": "jan@example.nl;boekhouding@example.nl"}],
//	  "artikelen": [{"id": "a2710000-0000-4000-8000-000000000001", "artikelcode": "A1",
//	                 "omschrijving": "Shirt", "verkoopprijs": 10,
//	                 "artikelOmzetgroep": {"id": "0e2a0000-0000-4000-8000-000000000001"},
//	                 "voorraadControle": true, "technischeVoorraad": 5, "vrijeVoorraad": 4},
//	                {"artikelcode": "SET", "omschrijving": "Set", "verkoopprijs": 18,
//	                 "artikelOmzetgroep": {"id": "0e2a0000-0000-4000-8000-000000000001"},
//	                 "subartikelen": [{"id": "a2710000-0000-4000-8000-000000000001", "aantal": 2}]}]
//	}
//
// Dump returns the same structure, so a dump can be replayed as a seed.
package simulator

package ledger

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/tables"
	"github.com/koppel-nl/koppel/sdk"
)

// vatClass maps a BtwSoort to the SDK's class.
func vatClass(s string) sdk.VATClass {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "hoog":
		return sdk.VATHigh
	case "laag":
		return sdk.VATLow
	case "geen":
		return sdk.VATNone
	}
	return sdk.VATOther
}

// ReferenceData returns the administration's name and settings, revenue groups with their
// VAT class, templates, cost centres, countries and VAT rates.
func (l *Ledger) ReferenceData(ctx context.Context) (sdk.ReferenceData, error) {
	var ref sdk.ReferenceData
	err := l.read(ctx, "read the reference data", func(r tables.Reader) error {
		set, err := l.settings(ctx, r)
		if err != nil {
			return err
		}
		ref.Company = sdk.CompanyInfo{Name: set[settingName], Extra: map[string]string{}}
		for k, v := range set {
			if k != settingName {
				ref.Company.Extra[k] = v
			}
		}
		ref.RevenueGroups, err = revenueGroups(ctx, r)
		if err != nil {
			return err
		}
		if err := r.Scan(ctx, tables.Sjablonen, nil, func(row tables.Row) error {
			ref.Templates = append(ref.Templates, sdk.Template{ID: id(row.Int("SjabloonID")), Description: row.Str("Omschrijving"),
				Inactive: row.Bool("NonActief"), PricesExclVAT: !row.Bool("PrijsInclBtw")})
			return nil
		}); err != nil {
			return err
		}
		if err := r.Scan(ctx, tables.Kostenplaatsen, nil, func(row tables.Row) error {
			ref.CostCentres = append(ref.CostCentres, sdk.CostCentre{ID: id(row.Int("KostenplaatsID")),
				Number: int(row.Int("Nummer")), Description: row.Str("Omschrijving")})
			return nil
		}); err != nil {
			return err
		}
		lands, err := countries(ctx, r)
		if err != nil {
			return err
		}
		ref.Countries = lands.list
		rates, err := vatRates(ctx, r)
		if err != nil {
			return err
		}
		ref.VATRates = rates
		return nil
	})
	return ref, err
}

// revenueGroups reads Omzetgroepen, by number.
func revenueGroups(ctx context.Context, r tables.Reader) ([]sdk.RevenueGroup, error) {
	var out []sdk.RevenueGroup
	err := r.Scan(ctx, tables.Omzetgroepen, nil, func(row tables.Row) error {
		out = append(out, sdk.RevenueGroup{ID: id(row.Int("OmzetgroepID")), Number: int(row.Int("Nummer")),
			Description: row.Str("Omschrijving"), VATClass: vatClass(row.Str("BtwSoort"))})
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, err
}

// countryTable is Landen by id and by ISO code.
type countryTable struct {
	list  []sdk.Country
	byID  map[int64]string // LandID → ISO code
	byISO map[string]int64 // upper-case ISO code → LandID
}

func countries(ctx context.Context, r tables.Reader) (countryTable, error) {
	c := countryTable{byID: map[int64]string{}, byISO: map[string]int64{}}
	err := r.Scan(ctx, tables.Landen, nil, func(row tables.Row) error {
		code := strings.ToUpper(strings.TrimSpace(row.Str("LandcodeISO")))
		c.list = append(c.list, sdk.Country{ID: id(row.Int("LandID")), Code: code, Name: row.Str("Naam")})
		c.byID[row.Int("LandID")] = code
		if _, dup := c.byISO[code]; !dup {
			c.byISO[code] = row.Int("LandID")
		}
		return nil
	})
	return c, err
}

// vatRates reads BtwTarieven; From and Until are dates (Until inclusive, nil when open).
func vatRates(ctx context.Context, r tables.Reader) ([]sdk.VATRate, error) {
	var out []sdk.VATRate
	err := r.Scan(ctx, tables.BtwTarieven, nil, func(row tables.Row) error {
		rate := sdk.VATRate{Class: vatClass(row.Str("BtwSoort")), Percentage: row.Dec("Percentage"), From: row.Time("DatumVanaf")}
		if !row.IsNull("DatumTotEnMet") {
			u := row.Time("DatumTotEnMet")
			rate.Until = &u
		}
		out = append(out, rate)
		return nil
	})
	return out, err
}

// rateOn returns the percentage of class on date d (compared by calendar day), or false.
func rateOn(rates []sdk.VATRate, class sdk.VATClass, d time.Time) (decimal.Decimal, bool) {
	day := func(t time.Time) int { y, m, dd := t.Date(); return y*10000 + int(m)*100 + dd }
	want := day(d)
	for _, r := range rates {
		if r.Class != class || day(r.From) > want {
			continue
		}
		if r.Until != nil && day(*r.Until) < want {
			continue
		}
		return r.Percentage, true
	}
	return decimal.Zero, false
}

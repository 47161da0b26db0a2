package snelstart

import (
	"context"
	"strings"
	"sync"

	"github.com/koppel-nl/koppel/sdk"
)

// landCache maps ISO country codes to SnelStart land ids and back. It is filled once per
// connector instance from GET /landen (and refreshed by ReferenceData).
type landCache struct {
	// loading is a one-slot semaphore so concurrent callers load the list once.
	loading chan struct{}
	mu      sync.Mutex
	byISO   map[string]string // "NL" → id
	byID    map[string]string // lower-case id → "NL"
	// list is the list as read; loads counts the reads that filled the cache (0: not read yet).
	list  []landIn
	loads int
}

// set replaces the cache contents.
func (l *landCache) set(list []landIn) {
	byISO, byID := map[string]string{}, map[string]string{}
	for _, land := range list {
		iso := strings.ToUpper(strings.TrimSpace(land.LandcodeISO))
		if iso == "" || land.ID == "" {
			continue
		}
		if _, dup := byISO[iso]; !dup {
			byISO[iso] = land.ID
		}
		byID[strings.ToLower(land.ID)] = iso
	}
	l.mu.Lock()
	l.byISO, l.byID, l.list = byISO, byID, list
	l.loads++
	l.mu.Unlock()
}

// read returns the list as last read and how many reads filled the cache so far.
func (l *landCache) read() ([]landIn, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.list, l.loads
}

// isLoaded reports whether the list has been read.
func (l *landCache) isLoaded() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.loads > 0
}

// lock waits until no other read of the list is under way and takes the turn (unlock gives it
// back); a retryable error when ctx ends first.
func (l *landCache) lock(ctx context.Context) error {
	select {
	case l.loading <- struct{}{}:
		return nil
	case <-ctx.Done():
		return &sdk.Error{Kind: sdk.KindRetryable, Err: ctx.Err(), Message: "waiting for the list of countries: " + ctx.Err().Error()}
	}
}

// unlock ends a turn taken with lock.
func (l *landCache) unlock() { <-l.loading }

// ensureLanden loads the land list once; concurrent callers wait for the one load.
func (c *Connector) ensureLanden(ctx context.Context) error {
	if c.landen.isLoaded() {
		return nil
	}
	if err := c.landen.lock(ctx); err != nil {
		return err
	}
	defer c.landen.unlock()
	if c.landen.isLoaded() {
		return nil
	}
	_, err := c.loadLanden(ctx)
	return err
}

// freshLanden is ReferenceData's read of GET /landen into the cache. loads is how many reads
// had filled the cache when ReferenceData was asked: when another read (ensureLanden, from a
// look-up started beside the reference data) filled it since, its list is as fresh and is used
// instead of reading the list a second time.
func (c *Connector) freshLanden(ctx context.Context, loads int) ([]landIn, error) {
	if err := c.landen.lock(ctx); err != nil {
		return nil, err
	}
	defer c.landen.unlock()
	if list, n := c.landen.read(); n != loads {
		return list, nil
	}
	return c.loadLanden(ctx)
}

// loadLanden reads GET /landen into the cache.
func (c *Connector) loadLanden(ctx context.Context) ([]landIn, error) {
	var list []landIn
	if err := c.api.get(ctx, "/landen", nil, "the list of countries (landen)", &list); err != nil {
		return nil, err
	}
	c.landen.set(list)
	return list, nil
}

// landID returns the land id for an ISO code; "" for an empty code. An unknown code is a
// KindPermanent error naming it.
func (c *Connector) landID(ctx context.Context, iso string) (string, error) {
	iso = strings.ToUpper(strings.TrimSpace(iso))
	if iso == "" {
		return "", nil
	}
	if err := c.ensureLanden(ctx); err != nil {
		return "", err
	}
	c.landen.mu.Lock()
	id, ok := c.landen.byISO[iso]
	c.landen.mu.Unlock()
	if !ok {
		return "", &sdk.Error{Kind: sdk.KindPermanent, Code: "unknown_country",
			Message: "country code " + iso + " is not in SnelStart's list of countries (landen)"}
	}
	return id, nil
}

// landISO returns the ISO code of a land id ("" when unknown or empty). The cache must be
// loaded (ensureLanden) before.
func (c *Connector) landISO(id string) string {
	if id == "" {
		return ""
	}
	c.landen.mu.Lock()
	defer c.landen.mu.Unlock()
	return c.landen.byID[strings.ToLower(id)]
}

// toAdres maps an sdk address to AdresModel; nil when the address is empty.
func (c *Connector) toAdres(ctx context.Context, a *sdk.LedgerAddress) (*adres, error) {
	if a == nil || *a == (sdk.LedgerAddress{}) {
		return nil, nil
	}
	id, err := c.landID(ctx, a.Country)
	if err != nil {
		return nil, err
	}
	return &adres{Contactpersoon: a.Contact, Straat: a.Street, Postcode: a.Postcode, Plaats: a.City, Land: refOf(id)}, nil
}

// fromAdres maps AdresModel to an sdk address (zero for nil).
func (c *Connector) fromAdres(a *adresIn) sdk.LedgerAddress {
	if a == nil {
		return sdk.LedgerAddress{}
	}
	return sdk.LedgerAddress{Contact: a.Contactpersoon, Street: a.Straat, Postcode: a.Postcode, City: a.Plaats, Country: c.landISO(idOf(a.Land))}
}

// ReferenceData reads companyInfo, artikelomzetgroepen, verkoopordersjablonen, kostenplaatsen,
// landen, btwtarieven and grootboeken and refreshes the country cache (a look-up that loads the
// countries at the same moment shares that read: freshLanden); when the administration
// invoices foreign VAT (factureerBuitenlandsBtw) also the EU rates per class from GET /vatrates.
// The token is taken first (so a refused key costs one token request, not one per read); then
// all reads run at the same time (within max_concurrent and the call budget), the EU rates as
// soon as companyInfo said they are needed, so a sync starts after about one round trip beyond
// the token instead of seven. When reads fail, the error is that of the first in the order
// above, as when they ran one after another.
func (c *Connector) ReferenceData(ctx context.Context) (sdk.ReferenceData, error) {
	var rd sdk.ReferenceData
	_, landenLoads := c.landen.read()
	if _, err := c.api.tokens.Token(ctx); err != nil {
		return rd, err
	}
	reads := []func() error{
		func() error {
			info, err := c.companyInfo(ctx)
			if err != nil {
				return err
			}
			rd.Company = info
			if info.ForeignVAT {
				rd.ForeignVATRates, err = c.foreignVATRates(ctx)
			}
			return err
		},
		func() error {
			var groups []omzetgroepIn
			if err := c.api.get(ctx, "/artikelomzetgroepen", nil, "the revenue groups (artikelomzetgroepen)", &groups); err != nil {
				return err
			}
			rd.RevenueGroups = make([]sdk.RevenueGroup, 0, len(groups))
			for _, g := range groups {
				rd.RevenueGroups = append(rd.RevenueGroups, sdk.RevenueGroup{ID: g.ID, Number: g.Nummer, Description: g.Omschrijving, VATClass: sdk.VATClass(g.VerkoopNederlandBtwSoort),
					LedgerAccountID: idOf(g.VerkoopGrootboekNederlandIdentifier)})
			}
			return nil
		},
		func() error {
			var templates []sjabloonIn
			if err := c.api.get(ctx, "/verkoopordersjablonen", nil, "the sales order templates (verkoopordersjablonen)", &templates); err != nil {
				return err
			}
			rd.Templates = make([]sdk.Template, 0, len(templates))
			for _, t := range templates {
				rd.Templates = append(rd.Templates, sdk.Template{ID: t.ID, Description: t.Omschrijving, Inactive: t.Nonactief, PricesExclVAT: t.PrijsIngaveExclusiefBtw})
			}
			return nil
		},
		func() error {
			var centres []kostenplaatsIn
			if err := c.api.get(ctx, "/kostenplaatsen", nil, "the cost centres (kostenplaatsen)", &centres); err != nil {
				return err
			}
			rd.CostCentres = make([]sdk.CostCentre, 0, len(centres))
			for _, k := range centres {
				rd.CostCentres = append(rd.CostCentres, sdk.CostCentre{ID: k.ID, Number: k.Nummer, Description: k.Omschrijving, Inactive: k.Nonactief})
			}
			return nil
		},
		func() error {
			landen, err := c.freshLanden(ctx, landenLoads)
			if err != nil {
				return err
			}
			rd.Countries = make([]sdk.Country, 0, len(landen))
			for _, l := range landen {
				rd.Countries = append(rd.Countries, sdk.Country{ID: l.ID, Code: strings.ToUpper(l.LandcodeISO), Name: l.Naam})
			}
			return nil
		},
		func() error {
			var rates []btwTariefIn
			if err := c.api.get(ctx, "/btwtarieven", nil, "the VAT rates (btwtarieven)", &rates); err != nil {
				return err
			}
			rd.VATRates = make([]sdk.VATRate, 0, len(rates))
			for _, r := range rates {
				v := sdk.VATRate{Class: sdk.VATClass(r.BtwSoort), Percentage: r.BtwPercentage.dec(), From: r.DatumVanaf.Time}
				if !r.DatumTotEnMet.IsZero() {
					until := r.DatumTotEnMet.Time
					v.Until = &until
				}
				rd.VATRates = append(rd.VATRates, v)
			}
			return nil
		},
		func() error {
			var err error
			rd.LedgerAccounts, err = c.ledgerAccounts(ctx)
			return err
		},
	}
	// Each read fills its own fields of rd.
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, read := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = read()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return sdk.ReferenceData{}, err
		}
	}
	return rd, nil
}

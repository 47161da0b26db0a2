package snelstart

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/sdk"
)

// companyTTL is how long the companyInfo read for article writes is reused: the price basis and
// the decimals change rarely, and ReferenceData (every run) refreshes it anyway.
const companyTTL = 10 * time.Minute

// companyCache keeps the last companyInfo the connector read.
type companyCache struct {
	mu   sync.Mutex
	info sdk.CompanyInfo
	at   time.Time
}

func (cc *companyCache) set(info sdk.CompanyInfo, now time.Time) {
	cc.mu.Lock()
	cc.info, cc.at = info, now
	cc.mu.Unlock()
}

func (cc *companyCache) get(now time.Time) (sdk.CompanyInfo, bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.info, !cc.at.IsZero() && now.Sub(cc.at) < companyTTL
}

// company returns companyInfo, read at most once per companyTTL.
func (c *Connector) company(ctx context.Context) (sdk.CompanyInfo, error) {
	if info, ok := c.settings.get(c.now()); ok {
		return info, nil
	}
	return c.companyInfo(ctx)
}

// priceDecimals reads aantalDecimalenArtikelprijzen. The published examples show 0 as a
// placeholder and SnelStart keeps article prices with 2 to 5 decimals, so a value outside 2..6
// (or none) means the usual 2.
func priceDecimals(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 2 || n > 6 {
		return 2
	}
	return n
}

// articleSalesPrice is the verkoopprijs to write for a: on the administration's price basis
// (companyInfo verkoopprijsArtikelbestandExclusiefBtw) when a.Price gives both figures, and
// rounded half away from zero to aantalDecimalenArtikelprijzen decimals.
func (c *Connector) articleSalesPrice(ctx context.Context, a sdk.Article) (decimal.Decimal, error) {
	info, err := c.company(ctx)
	if err != nil {
		return decimal.Zero, err
	}
	p := a.SalesPrice
	if a.Price != nil {
		p = a.Price.Excl
		if info.ArticlePricesInclVAT {
			p = a.Price.Incl
		}
	}
	n := info.PriceDecimals
	if n == 0 {
		n = 2
	}
	return p.Round(int32(n)), nil
}

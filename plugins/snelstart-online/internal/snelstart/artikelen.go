package snelstart

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/koppel-nl/koppel/sdk"
)

// FindArticles returns the articles matching q: by ID (GET /artikelen/{id}), by artikelcode
// (Artikelcode eq '…', compared exactly), by several artikelcodes (findArticleCodes), or by extra field
// (ExtraVelden/any(e:e/Waarde eq '…' and e/Naam eq '…'), value compared exactly and name
// case-insensitively). Pages are 25 articles, the API's maximum for artikelen.
func (c *Connector) FindArticles(ctx context.Context, q sdk.ArticleQuery) ([]sdk.Article, error) {
	switch {
	case q.ID != "":
		if !validGUID(q.ID) {
			return nil, nil
		}
		var a artikelIn
		err := c.api.get(ctx, "/artikelen/"+q.ID, nil, "article "+q.ID, &a)
		if sdk.KindOf(err) == sdk.KindNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return []sdk.Article{fromArtikel(a)}, nil
	case q.Code != "":
		found, err := listAll[artikelIn](ctx, c.api, "/artikelen", eqString("Artikelcode", q.Code), pageArtikelen, "articles")
		if err != nil {
			return nil, err
		}
		var out []sdk.Article
		for _, a := range found {
			if a.Artikelcode == q.Code {
				out = append(out, fromArtikel(a))
			}
		}
		return out, nil
	case len(q.Codes) > 0:
		return c.findArticleCodes(ctx, q.Codes)
	case q.ExtraField != "":
		found, err := listAll[artikelIn](ctx, c.api, "/artikelen", anyExtraField("ExtraVelden", q.ExtraField, q.ExtraValue), pageArtikelen, "articles")
		if err != nil {
			return nil, err
		}
		var out []sdk.Article
		for _, a := range found {
			for _, f := range a.ExtraVelden {
				if strings.EqualFold(f.Naam, q.ExtraField) && f.Waarde == q.ExtraValue {
					out = append(out, fromArtikel(a))
					break
				}
			}
		}
		return out, nil
	}
	return nil, sdk.Errorf(sdk.KindPermanent, "an article search needs a code, an extra field or an id")
}

// findArticleCodes looks up several artikelcodes with `Artikelcode eq 'a' or Artikelcode eq
// 'b' …` filters (as few as the request line allows, maxFilterLen; sent at the same time),
// compared exactly.
func (c *Connector) findArticleCodes(ctx context.Context, codes []string) ([]sdk.Article, error) {
	want := map[string]bool{}
	var clauses []string
	for _, code := range codes {
		if code == "" || want[code] {
			continue
		}
		want[code] = true
		clauses = append(clauses, eqString("Artikelcode", code))
	}
	parts, err := listAllEach[artikelIn](ctx, c.api, "/artikelen", joinFilters(clauses, maxFilterLen), pageArtikelen, "articles")
	if err != nil {
		return nil, err
	}
	var out []sdk.Article
	for _, found := range parts {
		for _, a := range found {
			if want[a.Artikelcode] {
				out = append(out, fromArtikel(a))
			}
		}
	}
	return out, nil
}

// ListStock pages through every article (25 per call) and yields each with its free and
// technical stock, composite flag and components. It stops at the first error of yield.
func (c *Connector) ListStock(ctx context.Context, yield func(sdk.Article) error) error {
	return list(ctx, c.api, "/artikelen", "", pageArtikelen, "articles", func(a artikelIn) error {
		return yield(fromArtikel(a))
	})
}

// fromArtikel maps ArtikelQueryModel to sdk.Article.
func fromArtikel(a artikelIn) sdk.Article {
	out := sdk.Article{
		ID:             a.ID,
		Code:           a.Artikelcode,
		Description:    a.Omschrijving,
		RevenueGroupID: idOf(a.ArtikelOmzetgroep),
		SalesPrice:     a.Verkoopprijs.dec(),
		Unit:           a.Eenheid,
		Inactive:       a.IsNonActief,
		StockTracked:   a.VoorraadControle,
		FreeStock:      a.VrijeVoorraad.dec(),
		TechnicalStock: a.TechnischeVoorraad.dec(),
		Composite:      a.IsHoofdartikel,
		ModifiedAt:     a.ModifiedOn.Time,
	}
	if len(a.ExtraVelden) > 0 {
		out.ExtraFields = make(map[string]string, len(a.ExtraVelden))
		for _, f := range a.ExtraVelden {
			out.ExtraFields[f.Naam] = f.Waarde
		}
	}
	for _, s := range a.Subartikelen {
		out.Components = append(out.Components, sdk.Component{ArticleID: s.ID, Code: s.Artikelcode, Quantity: s.Aantal.dec()})
	}
	if len(out.Components) > 0 {
		out.Composite = true
	}
	return out
}

// extraVelden renders extra fields sorted by name.
func extraVelden(m map[string]string) []extraVeld {
	if len(m) == 0 {
		return nil
	}
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]extraVeld, 0, len(m))
	for _, n := range names {
		out = append(out, extraVeld{Naam: n, Waarde: m[n]})
	}
	return out
}

// CreateArticle creates a with POST /artikelen (artikelcode, omschrijving, artikelOmzetgroep,
// verkoopprijs, eenheid, voorraadControle, isNonActief, extraVelden). The verkoopprijs is on
// the administration's price basis and rounded to its price decimals (companyInfo, read at
// most every ten minutes). Stock cannot be written through the API.
func (c *Connector) CreateArticle(ctx context.Context, a sdk.Article) (sdk.Article, error) {
	if a.ID != "" {
		return sdk.Article{}, sdk.Errorf(sdk.KindPermanent, "a new article must not have an id (got %s)", a.ID)
	}
	if a.RevenueGroupID != "" && !validGUID(a.RevenueGroupID) {
		return sdk.Article{}, sdk.Errorf(sdk.KindPermanent, "revenue group id %q is not a SnelStart id", a.RevenueGroupID)
	}
	price, err := c.articleSalesPrice(ctx, a)
	if err != nil {
		return sdk.Article{}, err
	}
	body := artikelWrite{
		Artikelcode:       a.Code,
		Omschrijving:      a.Description,
		ArtikelOmzetgroep: refOf(a.RevenueGroupID),
		Verkoopprijs:      newNum(price),
		Eenheid:           a.Unit,
		IsNonActief:       a.Inactive,
		VoorraadControle:  a.StockTracked,
		ExtraVelden:       extraVelden(a.ExtraFields),
	}
	var created artikelIn
	if err := c.api.do(ctx, call{method: http.MethodPost, path: "/artikelen", body: body, what: fmt.Sprintf("article %q", a.Code)}, &created); err != nil {
		return sdk.Article{}, err
	}
	if created.ID == "" {
		return sdk.Article{}, sdk.Errorf(sdk.KindOutcomeUnknown, "SnelStart created article %q but returned no id; look it up before creating it again", a.Code)
	}
	return fromArtikel(created), nil
}

// UpdateArticle replaces article a.ID: it reads the article, overlays code, description,
// revenue group (when set), sales price (price basis and decimals as CreateArticle), unit, inactive, stock tracking and extra fields (when
// a.ExtraFields is not nil), and writes it back with PUT. An unknown id is KindNotFound.
func (c *Connector) UpdateArticle(ctx context.Context, a sdk.Article) (sdk.Article, error) {
	if !validGUID(a.ID) {
		return sdk.Article{}, &sdk.Error{Kind: sdk.KindNotFound, Message: fmt.Sprintf("article id %q is not a SnelStart id", a.ID)}
	}
	if a.RevenueGroupID != "" && !validGUID(a.RevenueGroupID) {
		return sdk.Article{}, sdk.Errorf(sdk.KindPermanent, "revenue group id %q is not a SnelStart id", a.RevenueGroupID)
	}
	what := fmt.Sprintf("article %q", a.Code)
	price, err := c.articleSalesPrice(ctx, a)
	if err != nil {
		return sdk.Article{}, err
	}
	var raw json.RawMessage
	if err := c.api.get(ctx, "/artikelen/"+a.ID, nil, what, &raw); err != nil {
		return sdk.Article{}, err
	}
	obj, err := decodeObject(raw)
	if err != nil {
		return sdk.Article{}, sdk.Errorf(sdk.KindRetryable, "SnelStart's answer for %s could not be read", what)
	}
	fields := []struct {
		key string
		v   any
	}{
		{"id", a.ID}, {"artikelcode", a.Code}, {"omschrijving", a.Description},
		{"verkoopprijs", newNum(price)}, {"eenheid", a.Unit},
		{"isNonActief", a.Inactive}, {"voorraadControle", a.StockTracked},
	}
	if a.RevenueGroupID != "" {
		fields = append(fields, struct {
			key string
			v   any
		}{"artikelOmzetgroep", refOf(a.RevenueGroupID)})
	}
	if a.ExtraFields != nil {
		ev := extraVelden(a.ExtraFields)
		if ev == nil {
			ev = []extraVeld{} // an empty map clears the extra fields
		}
		fields = append(fields, struct {
			key string
			v   any
		}{"extraVelden", ev})
	}
	for _, f := range fields {
		if err := set(obj, f.key, f.v); err != nil {
			return sdk.Article{}, sdk.Errorf(sdk.KindPermanent, "cannot encode %s", what)
		}
	}
	var updated artikelIn
	if err := c.api.do(ctx, call{method: http.MethodPut, path: "/artikelen/" + a.ID, body: forWrite(obj), what: what}, &updated); err != nil {
		return sdk.Article{}, err
	}
	if updated.ID == "" {
		updated.ID = a.ID
	}
	return fromArtikel(updated), nil
}

package ledger

import (
	"context"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/tables"
	"github.com/koppel-nl/koppel/sdk"
)

// ExtraWebshopcode is the name of the one extra field of articles the layout knows: the
// webshop's product code (column Artikelen.Webshopcode).
const ExtraWebshopcode = "Webshopcode"

// articleFromRow maps an Artikelen row; components are filled in by the caller.
func articleFromRow(row tables.Row) sdk.Article {
	a := sdk.Article{
		ID:             id(row.Int("ArtikelID")),
		Code:           row.Str("Artikelcode"),
		Description:    row.Str("Omschrijving"),
		RevenueGroupID: id(row.Int("OmzetgroepID")),
		SalesPrice:     row.Dec("Verkoopprijs"),
		Unit:           row.Str("Eenheid"),
		Inactive:       row.Bool("NonActief"),
		StockTracked:   row.Bool("VoorraadControle"),
		FreeStock:      row.Dec("VrijeVoorraad"),
		TechnicalStock: row.Dec("TechnischeVoorraad"),
		Composite:      row.Bool("IsHoofdartikel"),
		ModifiedAt:     row.Time("Gewijzigd"),
	}
	if !row.IsNull("Webshopcode") {
		a.ExtraFields = map[string]string{ExtraWebshopcode: row.Str("Webshopcode")}
	}
	return a
}

// composition is ArtikelSamenstelling: composite id → its component rows.
type composition map[int64][]tables.Row

// readComposition reads the components of the given composites (all when ids is nil) in one
// scan (the table has no index on HoofdArtikelID).
func readComposition(ctx context.Context, r tables.Reader, ids map[int64]bool) (composition, error) {
	c := composition{}
	err := r.Scan(ctx, tables.ArtikelSamenstelling, nil, func(row tables.Row) error {
		h := row.Int("HoofdArtikelID")
		if ids == nil || ids[h] {
			c[h] = append(c[h], row)
		}
		return nil
	})
	for _, rows := range c {
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Int("SamenstellingID") < rows[j].Int("SamenstellingID") })
	}
	return c, err
}

// subIDs returns the component article ids of c.
func (c composition) subIDs() map[int64]bool {
	out := map[int64]bool{}
	for _, rows := range c {
		for _, r := range rows {
			out[r.Int("SubArtikelID")] = true
		}
	}
	return out
}

// codesOf returns ArtikelID → Artikelcode for ids (one scan of Artikelen, or one look-up per
// id when there are few).
func codesOf(ctx context.Context, r tables.Reader, ids map[int64]bool) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	collect := func(row tables.Row) error {
		if ids[row.Int("ArtikelID")] {
			out[row.Int("ArtikelID")] = row.Str("Artikelcode")
		}
		return nil
	}
	if len(ids) <= 4 {
		for n := range ids {
			if err := r.Scan(ctx, tables.Artikelen, []tables.Cond{tables.Eq("ArtikelID", n)}, collect); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return out, r.Scan(ctx, tables.Artikelen, nil, collect)
}

// withComponents fills in the components of a composite article.
func withComponents(a sdk.Article, n int64, c composition, codes map[int64]string) sdk.Article {
	if !a.Composite {
		return a
	}
	for _, row := range c[n] {
		sub := row.Int("SubArtikelID")
		a.Components = append(a.Components, sdk.Component{ArticleID: id(sub), Code: codes[sub], Quantity: row.Dec("Aantal")})
	}
	return a
}

// FindArticles returns the articles matching every field set in q: the code and the extra
// field Webshopcode compare case-insensitively, as Jet does. Active articles come first, so a
// webshop code on both an active and a discontinued article resolves to the active one.
// Composite articles carry their components. Codes (several artikelcodes) are read one after
// the other, as the database is local, and answer the articles of any of them.
func (l *Ledger) FindArticles(ctx context.Context, q sdk.ArticleQuery) ([]sdk.Article, error) {
	if len(q.Codes) > 0 {
		var out []sdk.Article
		seen := map[string]bool{}
		for _, code := range q.Codes {
			if strings.TrimSpace(code) == "" {
				continue
			}
			found, err := l.FindArticles(ctx, sdk.ArticleQuery{Code: code})
			if err != nil {
				return nil, err
			}
			for _, a := range found {
				if !seen[a.ID] {
					seen[a.ID] = true
					out = append(out, a)
				}
			}
		}
		return out, nil
	}
	var conds []tables.Cond
	if q.ID != "" {
		n, ok := parseID(q.ID)
		if !ok {
			return nil, nil
		}
		conds = append(conds, tables.Eq("ArtikelID", n))
	}
	if q.Code != "" {
		conds = append(conds, tables.Eq("Artikelcode", strings.TrimSpace(q.Code)))
	}
	if q.ExtraField != "" || q.ExtraValue != "" {
		field := strings.TrimPrefix(strings.TrimSpace(q.ExtraField), "extra:")
		if !strings.EqualFold(field, ExtraWebshopcode) && !strings.EqualFold(field, l.cfg.layout.PhysColumn(tables.Artikelen, "Webshopcode")) {
			return nil, sdk.Errorf(sdk.KindConfig, "articles have one extra field in this layout, %s (column %s), not %q",
				ExtraWebshopcode, l.cfg.layout.PhysColumn(tables.Artikelen, "Webshopcode"), q.ExtraField)
		}
		if strings.TrimSpace(q.ExtraValue) == "" {
			return nil, nil
		}
		conds = append(conds, tables.Eq("Webshopcode", strings.TrimSpace(q.ExtraValue)))
	}
	if len(conds) == 0 {
		return nil, nil
	}
	var out []sdk.Article
	err := l.read(ctx, "find articles", func(r tables.Reader) error {
		var rows []tables.Row
		if err := r.Scan(ctx, tables.Artikelen, conds, func(row tables.Row) error {
			rows = append(rows, row)
			return nil
		}); err != nil {
			return err
		}
		composites := map[int64]bool{}
		for _, row := range rows {
			if row.Bool("IsHoofdartikel") {
				composites[row.Int("ArtikelID")] = true
			}
		}
		var comp composition
		codes := map[int64]string{}
		if len(composites) > 0 {
			var err error
			if comp, err = readComposition(ctx, r, composites); err != nil {
				return err
			}
			if codes, err = codesOf(ctx, r, comp.subIDs()); err != nil {
				return err
			}
		}
		for _, row := range rows {
			out = append(out, withComponents(articleFromRow(row), row.Int("ArtikelID"), comp, codes))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Inactive != out[j].Inactive {
			return !out[i].Inactive
		}
		return out[i].Code < out[j].Code
	})
	return out, nil
}

// ListStock streams every article (active or not, composites with their components) with its
// free and technical stock, in the file's order. It returns the yield's error unchanged.
func (l *Ledger) ListStock(ctx context.Context, yield func(sdk.Article) error) error {
	st, err := l.open(ctx)
	if err != nil {
		return err
	}
	comp, err := readComposition(ctx, st, nil)
	if err != nil {
		return l.classify("read the article compositions", err)
	}
	codes, err := codesOf(ctx, st, comp.subIDs())
	if err != nil {
		return l.classify("read the articles", err)
	}
	var yieldErr error
	err = st.Scan(ctx, tables.Artikelen, nil, func(row tables.Row) error {
		if err := yield(withComponents(articleFromRow(row), row.Int("ArtikelID"), comp, codes)); err != nil {
			yieldErr = err
			return err
		}
		return nil
	})
	if yieldErr != nil {
		return yieldErr
	}
	return l.classify("read the articles", err)
}

// CreateArticle is refused: koppel writes only what an order import needs (relaties and sales
// orders); articles are made in SnelStart.
func (l *Ledger) CreateArticle(ctx context.Context, a sdk.Article) (sdk.Article, error) {
	return sdk.Article{}, permanent("articles-read-only", "snelstart-mdb does not create articles in the .mdb file: add article %q in SnelStart itself", a.Code)
}

// UpdateArticle is refused, as CreateArticle.
func (l *Ledger) UpdateArticle(ctx context.Context, a sdk.Article) (sdk.Article, error) {
	return sdk.Article{}, permanent("articles-read-only", "snelstart-mdb does not change articles in the .mdb file: change article %q in SnelStart itself", a.Code)
}

// zero is a named zero for readability.
var zero = decimal.Zero

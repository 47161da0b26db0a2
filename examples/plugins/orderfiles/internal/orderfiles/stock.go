package orderfiles

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// parseProductsCSV reads the products file: a header with sku (required), and any of id,
// parent_id, name, price, tax_rate, stock (or quantity). The file's modification time is every
// product's ModifiedAt.
func parseProductsCSV(file string, data []byte, mod time.Time, s parseSettings) ([]sdk.Product, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = s.delimiter
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		return nil, fileError(file, 1, "header: %v", err)
	}
	pos := map[string]int{}
	for i, h := range header {
		pos[strings.ToLower(strings.TrimSpace(h))] = i
	}
	if _, ok := pos["stock"]; !ok {
		if i, ok := pos["quantity"]; ok {
			pos["stock"] = i
		}
	}
	if _, ok := pos["sku"]; !ok {
		return nil, fileError(file, 1, "no sku column")
	}
	get := func(rec []string, col string) string {
		i, ok := pos[col]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var out []sdk.Product
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fileError(file, line, "%v", err)
		}
		sku := get(rec, "sku")
		if sku == "" {
			continue
		}
		p := sdk.Product{ID: nonEmpty(get(rec, "id"), sku), ParentID: get(rec, "parent_id"), SKU: sku,
			Name: nonEmpty(get(rec, "name"), sku), PriceIncludesTax: s.pricesIncludeTax, ModifiedAt: mod.UTC()}
		if p.Price, err = amount(get(rec, "price"), "0"); err != nil {
			return nil, fileError(file, line, "price: %v", err)
		}
		if v := get(rec, "tax_rate"); v != "" {
			rate, err := amount(v, "0")
			if err != nil {
				return nil, fileError(file, line, "tax_rate: %v", err)
			}
			p.TaxRate = &rate
		}
		if v := get(rec, "stock"); v != "" {
			q, err := amount(v, "0")
			if err != nil {
				return nil, fileError(file, line, "stock: %v", err)
			}
			p.ManagesStock, p.Stock = true, &q
		}
		out = append(out, p)
	}
	return out, nil
}

// stockRow is one line of the stock file koppel writes.
type stockRow struct {
	SKU      string
	Quantity sdk.Money
	Updated  time.Time
}

// parseStockCSV reads a stock file written by formatStockCSV (sku, quantity, updated_at).
func parseStockCSV(file string, data []byte, s parseSettings) (map[string]stockRow, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	r.Comma = s.delimiter
	r.FieldsPerRecord = -1
	out := map[string]stockRow{}
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return out, nil
	}
	if err != nil || len(header) < 2 || !strings.EqualFold(strings.TrimSpace(header[0]), "sku") {
		return nil, fileError(file, 1, "not a stock file koppel wrote (header sku%squantity expected)", string(s.delimiter))
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fileError(file, line, "%v", err)
		}
		if len(rec) < 2 || strings.TrimSpace(rec[0]) == "" {
			continue
		}
		q, err := amount(rec[1], "0")
		if err != nil {
			return nil, fileError(file, line, "quantity: %v", err)
		}
		row := stockRow{SKU: strings.TrimSpace(rec[0]), Quantity: q}
		if len(rec) > 2 {
			row.Updated, _ = time.Parse(time.RFC3339, strings.TrimSpace(rec[2]))
		}
		out[row.SKU] = row
	}
}

// formatStockCSV writes the stock file: header sku, quantity, updated_at; one row per SKU,
// sorted by SKU so the file diffs well.
func formatStockCSV(rows map[string]stockRow, s parseSettings) ([]byte, error) {
	skus := make([]string, 0, len(rows))
	for k := range rows {
		skus = append(skus, k)
	}
	sort.Strings(skus)
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = s.delimiter
	if err := w.Write([]string{"sku", "quantity", "updated_at"}); err != nil {
		return nil, err
	}
	for _, k := range skus {
		r := rows[k]
		if err := w.Write([]string{r.SKU, r.Quantity.String(), r.Updated.UTC().Format(time.RFC3339)}); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

package ledger

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/tables"
	"github.com/koppel-nl/koppel/sdk"
)

// defaultPaymentTerm is the krediettermijn of a new relatie when none is given.
const defaultPaymentTerm = 14

// relatieFromRow maps a Relaties row.
func relatieFromRow(row tables.Row, lands countryTable) sdk.Relatie {
	term := int(row.Int("Krediettermijn"))
	r := sdk.Relatie{
		ID:   id(row.Int("RelatieID")),
		Code: int(row.Int("Relatiecode")),
		Name: row.Str("Naam"),
		Address: sdk.LedgerAddress{
			Contact:  row.Str("Contactpersoon"),
			Street:   row.Str("Straat"),
			Postcode: row.Str("Postcode"),
			City:     row.Str("Plaats"),
			Country:  lands.byID[row.Int("LandID")],
		},
		Phone:           row.Str("Telefoon"),
		Email:           row.Str("Email"),
		VATNumber:       row.Str("BtwNummer"),
		PaymentTermDays: &term,
		EmailInvoices:   row.Bool("FactuurEmailen"),
		EmailReminders:  row.Bool("AanmaningEmailen"),
		Customer:        row.Bool("IsKlant"),
		Inactive:        row.Bool("NonActief"),
		ModifiedAt:      row.Time("Gewijzigd"),
	}
	if r.EmailInvoices {
		r.InvoiceEmail = firstEmail(r.Email)
	}
	return r
}

func firstEmail(s string) string {
	first, _, _ := strings.Cut(s, ";")
	return strings.TrimSpace(first)
}

// hasEmail reports whether the ";"-separated field holds addr, ignoring case and spaces.
func hasEmail(field, addr string) bool {
	addr = strings.TrimSpace(addr)
	for _, e := range strings.Split(field, ";") {
		if strings.EqualFold(strings.TrimSpace(e), addr) {
			return true
		}
	}
	return false
}

// normPostcode removes spaces and upper-cases.
func normPostcode(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// FindRelaties returns the relaties matching every field set in q, by relatiecode. Code, ID
// and Name are asked of the database; e-mail (any of the ";"-separated addresses, ignoring
// case) and postcode (ignoring spaces and case) are matched here. Emails (several addresses,
// no other field) is answered by one pass over the relaties: those holding any of them.
func (l *Ledger) FindRelaties(ctx context.Context, q sdk.RelatieQuery) ([]sdk.Relatie, error) {
	var emails []string
	for _, e := range q.Emails {
		if e = strings.TrimSpace(e); e != "" {
			emails = append(emails, e)
		}
	}
	if len(q.Emails) > 0 {
		if q.ID != "" || q.Code != 0 || q.Name != "" || q.Email != "" || q.Postcode != "" {
			return nil, permanent("relatie", "a search for several e-mail addresses takes no other criterion")
		}
		if len(emails) == 0 {
			return nil, nil
		}
	}
	var conds []tables.Cond
	if q.ID != "" {
		n, ok := parseID(q.ID)
		if !ok {
			return nil, nil
		}
		conds = append(conds, tables.Eq("RelatieID", n))
	}
	if q.Code != 0 {
		conds = append(conds, tables.Eq("Relatiecode", int64(q.Code)))
	}
	if q.Name != "" {
		conds = append(conds, tables.Eq("Naam", strings.TrimSpace(q.Name)))
	}
	var out []sdk.Relatie
	err := l.read(ctx, "find relaties", func(r tables.Reader) error {
		lands, err := countries(ctx, r)
		if err != nil {
			return err
		}
		return r.Scan(ctx, tables.Relaties, conds, func(row tables.Row) error {
			if q.Email != "" && !hasEmail(row.Str("Email"), q.Email) {
				return nil
			}
			if len(emails) > 0 && !slices.ContainsFunc(emails, func(e string) bool { return hasEmail(row.Str("Email"), e) }) {
				return nil
			}
			if q.Postcode != "" && normPostcode(row.Str("Postcode")) != normPostcode(q.Postcode) {
				return nil
			}
			out = append(out, relatieFromRow(row, lands))
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

// relatieRow maps a relatie to the columns koppel writes. Fields the layout has no column for
// (PostalAddress, Mobile beside Phone, a separate InvoiceEmail) are not stored.
func (l *Ledger) relatieRow(r sdk.Relatie, lands countryTable) (tables.Row, error) {
	name := strings.TrimSpace(r.Name)
	if name == "" {
		return nil, permanent("relatie", "a relatie needs a name")
	}
	country := strings.ToUpper(strings.TrimSpace(r.Address.Country))
	if country == "" {
		country = "NL"
	}
	landID, ok := lands.byISO[country]
	if !ok {
		return nil, permanent("country", "country %s is not in the administration's countries (Landen); add it in SnelStart first", country)
	}
	phone := strings.TrimSpace(r.Phone)
	if phone == "" {
		phone = strings.TrimSpace(r.Mobile)
	}
	term := defaultPaymentTerm
	if r.PaymentTermDays != nil {
		if *r.PaymentTermDays < 0 {
			return nil, permanent("relatie", "payment term of %d days is negative", *r.PaymentTermDays)
		}
		term = *r.PaymentTermDays
	}
	email := strings.TrimSpace(r.Email)
	if r.InvoiceEmail != "" && !hasEmail(email, r.InvoiceEmail) {
		if email == "" {
			email = strings.TrimSpace(r.InvoiceEmail)
		} else {
			email = email + ";" + strings.TrimSpace(r.InvoiceEmail)
		}
	}
	row := tables.Row{
		"Naam":             name,
		"Contactpersoon":   nullable(r.Address.Contact),
		"Straat":           nullable(r.Address.Street),
		"Postcode":         nullable(r.Address.Postcode),
		"Plaats":           nullable(r.Address.City),
		"LandID":           landID,
		"Email":            nullable(email),
		"Telefoon":         nullable(phone),
		"BtwNummer":        nullable(r.VATNumber),
		"Krediettermijn":   int64(term),
		"FactuurEmailen":   r.EmailInvoices,
		"AanmaningEmailen": r.EmailReminders,
		"IsKlant":          r.Customer,
		"IsLeverancier":    false,
		"NonActief":        r.Inactive,
		"Gewijzigd":        l.nowWall(),
	}
	if err := checkSizes(tables.Relaties, row); err != nil {
		return nil, err
	}
	return row, nil
}

// CreateRelatie adds a relatie in one transaction: the relatiecode is r.Code when given and
// free, otherwise Instellingen.VolgendRelatiecode (skipping codes in use), which is then
// advanced.
func (l *Ledger) CreateRelatie(ctx context.Context, r sdk.Relatie) (sdk.Relatie, error) {
	var created sdk.Relatie
	err := l.write(ctx, "create relatie", func(tx tables.Tx) error {
		lands, err := countries(ctx, tx)
		if err != nil {
			return err
		}
		row, err := l.relatieRow(r, lands)
		if err != nil {
			return err
		}
		code := int64(r.Code)
		if code < 0 {
			return permanent("relatie", "relatiecode %d is negative", code)
		}
		if code > 0 {
			taken, err := exists(ctx, tx, tables.Relaties, tables.Eq("Relatiecode", code))
			if err != nil {
				return err
			}
			if taken {
				return permanent("relatiecode", "relatiecode %d is already in use", code)
			}
		}
		next, err := l.nextNumber(ctx, tx, settingNextCode, tables.Relaties, "Relatiecode")
		if err != nil {
			return err
		}
		if code == 0 {
			code = next
		}
		row["Relatiecode"] = code
		if err := tx.Insert(ctx, tables.Relaties, row); err != nil {
			return err
		}
		if code >= next {
			if err := setSetting(ctx, tx, settingNextCode, code+1); err != nil {
				return err
			}
		}
		return tx.Scan(ctx, tables.Relaties, []tables.Cond{tables.Eq("Relatiecode", code)}, func(row tables.Row) error {
			created = relatieFromRow(row, lands)
			return nil
		})
	})
	if err != nil {
		return sdk.Relatie{}, err
	}
	if created.ID == "" {
		return sdk.Relatie{}, permanent("relatie", "the new relatie was not found after it was written")
	}
	return created, nil
}

// UpdateRelatie replaces relatie r.ID with r. The relatiecode changes only when r.Code is set,
// differs and is free.
func (l *Ledger) UpdateRelatie(ctx context.Context, r sdk.Relatie) (sdk.Relatie, error) {
	n, ok := parseID(r.ID)
	if !ok {
		return sdk.Relatie{}, &sdk.Error{Kind: sdk.KindNotFound, Message: "relatie " + strconv.Quote(r.ID) + " does not exist"}
	}
	var updated sdk.Relatie
	err := l.write(ctx, "update relatie", func(tx tables.Tx) error {
		lands, err := countries(ctx, tx)
		if err != nil {
			return err
		}
		var current tables.Row
		if err := tx.Scan(ctx, tables.Relaties, []tables.Cond{tables.Eq("RelatieID", n)}, func(row tables.Row) error {
			current = row
			return nil
		}); err != nil {
			return err
		}
		if current == nil {
			return &sdk.Error{Kind: sdk.KindNotFound, Message: "relatie " + r.ID + " does not exist"}
		}
		row, err := l.relatieRow(r, lands)
		if err != nil {
			return err
		}
		if r.Code != 0 && int64(r.Code) != current.Int("Relatiecode") {
			taken, err := exists(ctx, tx, tables.Relaties, tables.Eq("Relatiecode", int64(r.Code)))
			if err != nil {
				return err
			}
			if taken {
				return permanent("relatiecode", "relatiecode %d is already in use", r.Code)
			}
			row["Relatiecode"] = int64(r.Code)
		}
		// Keep what koppel does not manage.
		row["IsLeverancier"] = current.Bool("IsLeverancier")
		if _, err := tx.Update(ctx, tables.Relaties, row, []tables.Cond{tables.Eq("RelatieID", n)}); err != nil {
			return err
		}
		return tx.Scan(ctx, tables.Relaties, []tables.Cond{tables.Eq("RelatieID", n)}, func(row tables.Row) error {
			updated = relatieFromRow(row, lands)
			return nil
		})
	})
	if err != nil {
		return sdk.Relatie{}, err
	}
	return updated, nil
}

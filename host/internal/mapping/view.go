package mapping

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// View is the read-only view of the ledger and of what koppel remembers about it that a
// Planner needs. Implementations cache their look-ups (a customer or article found once costs
// no further call) and never write to the ledger; whether they remember anything in a store is
// up to the caller that applies plans. Errors are the ledger's (*sdk.Error) or the store's,
// wrapped with what was looked up.
type View interface {
	// MappedCustomer returns the relatie remembered for a shop customer key, if any.
	MappedCustomer(ctx context.Context, key string) (MappedCustomer, bool, error)
	// PendingCustomer returns the customer create of key whose answer was lost, if any (its
	// name, e-mail and postcode, to find the relatie it may have made).
	PendingCustomer(ctx context.Context, key string) (PendingCustomer, bool, error)
	// FindRelaties asks the ledger for relaties.
	FindRelaties(ctx context.Context, q sdk.RelatieQuery) ([]sdk.Relatie, error)
	// Article returns the active article for k (nil when the ledger has none), and whether it
	// was read from the ledger now (so it is worth remembering).
	Article(ctx context.Context, k ArticleKey) (a *Article, fromLedger bool, err error)
	// LastTemplate returns the template of the customer's most recent sales order ("" when
	// none), for orders.reuse_last_template.
	LastTemplate(ctx context.Context, customerID string) (string, error)
}

// MappedCustomer is a relatie remembered for a shop customer.
type MappedCustomer struct {
	ID   string
	Code int
	// Name is known when the relatie was seen in this run; "" otherwise.
	Name string
	// MatchedBy is how it was first found (see CustomerDecision.MatchedBy).
	MatchedBy string
	// DataHash is the hash of the shop data last written to it (add_update).
	DataHash string
	// Settled is set when the relatie was already decided in this run (no add_update check).
	Settled bool
	// Planned is set by a preview for a relatie an earlier order of the preview would create.
	Planned bool
}

// PendingCustomer is a customer create whose answer was lost.
type PendingCustomer struct {
	Name, Email, Postcode string
	Attempts              int
}

// Article is what the planner needs of a SnelStart article.
type Article struct {
	ID             string          `json:"id,omitempty"`
	Code           string          `json:"code"`
	Description    string          `json:"description,omitempty"`
	RevenueGroupID string          `json:"revenue_group_id,omitempty"`
	SalesPrice     sdk.Money       `json:"sales_price"`
	Composite      bool            `json:"composite,omitempty"`
	Components     []sdk.Component `json:"components,omitempty"`
	// UpToDate is set by a view for an article already brought up to date (or checked) in this
	// run: articles.mode = add_update leaves it alone (at most one update per article per run).
	UpToDate bool `json:"-"`
}

// ArticleFrom converts a ledger article.
func ArticleFrom(a sdk.Article) Article {
	return Article{ID: a.ID, Code: a.Code, Description: a.Description, RevenueGroupID: a.RevenueGroupID,
		SalesPrice: a.SalesPrice, Composite: a.Composite, Components: a.Components}
}

// ArticleKey is how an article is looked up: by artikelcode, or by the value of an extra field.
type ArticleKey struct {
	// ExtraField is the extra field (vrij veld) holding the shop code; "" = artikelcode.
	ExtraField string `json:"extra_field,omitempty"`
	Value      string `json:"value"`
}

// MapKey is the key the article is remembered by ("code:X" or "extra:F:X").
func (k ArticleKey) MapKey() string {
	if k.ExtraField == "" {
		return "code:" + k.Value
	}
	return "extra:" + k.ExtraField + ":" + k.Value
}

// Query is the ledger query that finds the article.
func (k ArticleKey) Query() sdk.ArticleQuery {
	if k.ExtraField != "" {
		return sdk.ArticleQuery{ExtraField: k.ExtraField, ExtraValue: k.Value}
	}
	return sdk.ArticleQuery{Code: k.Value}
}

func (k ArticleKey) String() string {
	if k.ExtraField == "" {
		return fmt.Sprintf(text.Template("reason.key_code"), k.Value)
	}
	return fmt.Sprintf(text.Template("reason.key_extra"), k.Value, k.ExtraField)
}

// PickActiveArticle returns the active article among found that k names (nil when none), and
// whether an inactive one with that code was among them.
func PickActiveArticle(k ArticleKey, found []sdk.Article) (a *sdk.Article, inactive bool) {
	for i := range found {
		f := &found[i]
		if f.ID == "" || (k.ExtraField == "" && f.Code != k.Value) {
			continue
		}
		if f.Inactive {
			inactive = true
			continue
		}
		return f, false
	}
	return nil, inactive
}

// Refusal is a problem found while planning: the order cannot be booked as it is. Its message
// is written for a bookkeeper.
type Refusal struct{ Msg string }

func (r *Refusal) Error() string { return r.Msg }

// Refusef builds a Refusal.
func Refusef(format string, args ...any) error {
	return &Refusal{Msg: fmt.Sprintf(format, args...)}
}

// ConfigError is a configuration problem found while planning (an unknown template, a
// fixed_customer that is no active customer): every order would fail the same way, so a run
// stops on it.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

func configErrorf(format string, args ...any) error {
	return &ConfigError{Msg: fmt.Sprintf(format, args...)}
}

// IsRefusal reports whether err is (or wraps) a Refusal.
func IsRefusal(err error) bool {
	var r *Refusal
	return errors.As(err, &r)
}

// Clock returns the current time.
type Clock func() time.Time

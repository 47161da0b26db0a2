// Package attention keeps the host's attention items: situations after import that koppel does
// not decide alone and lists for a person (spec/settings.md "After import"). An order cancelled,
// refunded or changed in the shop after import, a SnelStart order that carries koppel's reference
// but another customer or total, a difference SnelStart booked that the shop does not have: each
// is one Item, stored under attention/<profile>/<id> in the state store, listed by
// `koppel attention`, GET /api/attention and the dashboard ("Aandacht nodig"), counted in
// /metrics (koppel_attention_open) and closed by `koppel resolve` or
// POST /api/profiles/{p}/attention/{id}/resolve.
//
// # Raised once
//
// An item's id is derived from its kind, the shop order id and a detail key (the refund id, the
// shop's modification time, the SnelStart order id, ...), so raising the same situation again is
// idempotent: Raise on an open item refreshes its facts (totals, texts) and keeps its creation
// time; Raise on a resolved item leaves it resolved. A new situation of the same order (another
// refund, a second edit) takes another detail key and becomes another item.
package attention

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// Kind says what situation an item is about.
type Kind string

// The kinds koppel raises. Other parts of the host may raise further kinds; any non-empty kind
// of lower-case letters, digits and underscores is accepted.
const (
	// KindCancelled: the order was cancelled in the shop after import (orders.on_cancel).
	KindCancelled Kind = "cancelled"
	// KindRefunded: the shop refunded (part of) the order after import (orders.on_refund).
	KindRefunded Kind = "refunded"
	// KindChanged: the order's lines or total changed in the shop after import (orders.on_change).
	KindChanged Kind = "changed"
	// KindReferenceCollision: SnelStart has an order with koppel's reference but another customer
	// or total; the double-import guard did not adopt it.
	KindReferenceCollision Kind = "reference_collision"
	// KindDifference: SnelStart booked a total the shop does not have (reconcile).
	KindDifference Kind = "difference"
	// KindMissing: an order of the shop is missing in SnelStart (reconcile).
	KindMissing Kind = "missing"
	// KindDuplicate: SnelStart holds the shop order more than once (reconcile).
	KindDuplicate Kind = "duplicate"
	// KindVAT: a VAT question a person must answer.
	KindVAT Kind = "vat"
	// KindFailedAction: koppel tried to follow the shop (delete, credit) and could not.
	KindFailedAction Kind = "failed_action"
)

// Kinds are the kinds koppel raises, in the order a person reads them (for a usage message or
// a filter's choices).
var Kinds = []Kind{KindCancelled, KindRefunded, KindChanged, KindReferenceCollision, KindDifference, KindMissing,
	KindDuplicate, KindVAT, KindFailedAction}

// Item is one attention item. Amounts are including VAT; the texts carry no personal data
// (order numbers, amounts and SnelStart numbers only).
type Item struct {
	// ID identifies the item within its profile (ItemID of kind, shop id and detail key).
	ID      string `json:"id"`
	Profile string `json:"profile"`
	Kind    Kind   `json:"kind"`
	// ShopID and ShopNumber identify the shop order (empty for items about SnelStart alone).
	ShopID     string `json:"shop_id,omitempty"`
	ShopNumber string `json:"shop_number,omitempty"`
	// Detail is the detail key that tells situations of one order apart (refund id, ...).
	Detail string `json:"detail,omitempty"`
	// LedgerOrderID and LedgerNumber identify the SnelStart sales order concerned, if any.
	LedgerOrderID string `json:"ledger_order_id,omitempty"`
	LedgerNumber  int    `json:"ledger_number,omitempty"`
	// ShopTotal is the shop's total now and LedgerTotal SnelStart's total, both incl. VAT, when
	// known.
	ShopTotal   *sdk.Money `json:"shop_total,omitempty"`
	LedgerTotal *sdk.Money `json:"ledger_total,omitempty"`
	// Message says what happened and Action what to do, in Dutch; MessageEN and ActionEN the
	// same in English (optional).
	Message   string `json:"message"`
	Action    string `json:"action"`
	MessageEN string `json:"message_en,omitempty"`
	ActionEN  string `json:"action_en,omitempty"`
	// CreatedAt is when the situation was first raised; UpdatedAt when it was last raised.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// ResolvedAt is set once a person resolved the item, with an optional note and who did it
	// ("cli", "dashboard", "api", or what the caller passed).
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
	ResolvedBy string     `json:"resolved_by,omitempty"`
	Note       string     `json:"note,omitempty"`
}

// Open reports whether the item is not resolved.
func (it Item) Open() bool { return it.ResolvedAt == nil }

// ErrNotFound is returned (wrapped) by Resolve and Get for an unknown item.
var ErrNotFound = errors.New("attention item not found")

// ItemID returns the id of the item of kind about shop order shopID with detail key detail: 12
// hex digits of a SHA-256 of the three, so the same situation always has the same id.
func ItemID(kind Kind, shopID, detail string) string {
	h := sha256.Sum256([]byte(string(kind) + "\x00" + shopID + "\x00" + detail))
	return hex.EncodeToString(h[:6])
}

// validKind reports whether k is a usable kind.
func validKind(k Kind) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Raise stores it as an open item of profile unless the same situation (kind, shop id,
// detail) was raised before. It fills ID, Profile and the times; now is the current time. It
// returns the stored item and whether it was new. An existing open item gets the new facts
// (totals, SnelStart order, texts) and UpdatedAt; a resolved one is left as it is.
func Raise(ctx context.Context, st *state.Store, profile string, it Item, now time.Time) (Item, bool, error) {
	var out Item
	var created bool
	err := st.Update(ctx, func(tx *state.Tx) error {
		var err error
		out, created, err = RaiseTx(ctx, tx, profile, it, now)
		return err
	})
	if err != nil {
		return Item{}, false, err
	}
	return out, created, nil
}

// RaiseTx is Raise inside the caller's transaction, so an item can be stored together with the
// record of what koppel did (the function of Update may run more than once; RaiseTx is safe to
// repeat).
func RaiseTx(ctx context.Context, tx *state.Tx, profile string, it Item, now time.Time) (Item, bool, error) {
	if !validKind(it.Kind) {
		return Item{}, false, fmt.Errorf("raise attention item: invalid kind %q", it.Kind)
	}
	if strings.TrimSpace(it.Action) == "" {
		return Item{}, false, fmt.Errorf("raise attention item %s of order %s: no action text", it.Kind, it.ShopNumber)
	}
	it.ID = ItemID(it.Kind, it.ShopID, it.Detail)
	it.Profile = profile
	now = now.UTC()
	key := state.AttentionKey(profile, it.ID)
	old, ok, err := state.Get[Item](ctx, tx, key)
	if err != nil {
		return Item{}, false, fmt.Errorf("raise attention item %s of order %s in profile %q: %w", it.Kind, it.ShopNumber, profile, err)
	}
	switch {
	case !ok:
		it.CreatedAt = now
	case !old.Open():
		return old, false, nil
	default:
		it.CreatedAt = old.CreatedAt
	}
	it.UpdatedAt, it.ResolvedAt, it.ResolvedBy, it.Note = now, nil, "", ""
	if err := state.Put(ctx, tx, key, it); err != nil {
		return Item{}, false, fmt.Errorf("raise attention item %s of order %s in profile %q: %w", it.Kind, it.ShopNumber, profile, err)
	}
	return it, !ok, nil
}

// Get returns item id of profile, or an error wrapping ErrNotFound.
func Get(ctx context.Context, r state.Reader, profile, id string) (Item, error) {
	it, ok, err := state.Get[Item](ctx, r, state.AttentionKey(profile, id))
	if err != nil {
		return Item{}, fmt.Errorf("read attention item %q of profile %q: %w", id, profile, err)
	}
	if !ok {
		return Item{}, fmt.Errorf("no attention item %q in profile %q: %w", id, profile, ErrNotFound)
	}
	return it, nil
}

// Resolve marks item id of profile resolved at now by who, with an optional note. It returns the
// item and whether it was open; resolving a resolved item changes nothing. An unknown id is
// ErrNotFound; id may also be a unique prefix of at least 4 characters of an item's id.
func Resolve(ctx context.Context, st *state.Store, profile, id, who, note string, now time.Time) (Item, bool, error) {
	full, err := expandID(ctx, st, profile, id)
	if err != nil {
		return Item{}, false, err
	}
	key := state.AttentionKey(profile, full)
	var out Item
	var was bool
	err = st.Update(ctx, func(tx *state.Tx) error {
		it, ok, err := state.Get[Item](ctx, tx, key)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("no attention item %q in profile %q: %w", id, profile, ErrNotFound)
		}
		was = it.Open()
		if was {
			t := now.UTC()
			it.ResolvedAt, it.ResolvedBy, it.Note = &t, who, note
			if err := state.Put(ctx, tx, key, it); err != nil {
				return err
			}
		}
		out = it
		return nil
	})
	if err != nil {
		return Item{}, false, fmt.Errorf("resolve attention item %q of profile %q: %w", id, profile, err)
	}
	return out, was, nil
}

// expandID returns the full id that id names: id itself when such an item exists, else the one
// item whose id starts with id (at least 4 characters).
func expandID(ctx context.Context, st *state.Store, profile, id string) (string, error) {
	if _, ok, err := state.Get[Item](ctx, st, state.AttentionKey(profile, id)); err != nil {
		return "", fmt.Errorf("read attention item %q of profile %q: %w", id, profile, err)
	} else if ok {
		return id, nil
	}
	if len(id) < 4 {
		return "", fmt.Errorf("no attention item %q in profile %q: %w", id, profile, ErrNotFound)
	}
	var match []string
	err := state.List(ctx, st, state.NSAttention.ProfilePrefix(profile), func(_ state.Key, it Item) error {
		if strings.HasPrefix(it.ID, id) {
			match = append(match, it.ID)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("list attention items of profile %q: %w", profile, err)
	}
	switch len(match) {
	case 1:
		return match[0], nil
	case 0:
		return "", fmt.Errorf("no attention item %q in profile %q: %w", id, profile, ErrNotFound)
	}
	return "", fmt.Errorf("attention item %q of profile %q is ambiguous (%s): give more of the id: %w", id, profile, strings.Join(match, ", "), ErrNotFound)
}

// Filter selects items for List.
type Filter struct {
	// All includes resolved items; without it only open items are listed.
	All bool
	// Kind keeps only items of this kind ("" = every kind).
	Kind Kind
	// ShopID keeps only items of this shop order ("" = every order).
	ShopID string
}

func (f Filter) keep(it Item) bool {
	return (f.All || it.Open()) && (f.Kind == "" || it.Kind == f.Kind) && (f.ShopID == "" || it.ShopID == f.ShopID)
}

// List returns the items of profile that f selects, oldest first (by creation time, then id).
func List(ctx context.Context, r state.Reader, profile string, f Filter) ([]Item, error) {
	var out []Item
	err := state.List(ctx, r, state.NSAttention.ProfilePrefix(profile), func(_ state.Key, it Item) error {
		if f.keep(it) {
			out = append(out, it)
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list attention items of profile %q: %w", profile, err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// CountOpen returns how many items of profile are open.
func CountOpen(ctx context.Context, r state.Reader, profile string) (int, error) {
	n := 0
	err := state.List(ctx, r, state.NSAttention.ProfilePrefix(profile), func(_ state.Key, it Item) error {
		if it.Open() {
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count attention items of profile %q: %w", profile, err)
	}
	return n, nil
}

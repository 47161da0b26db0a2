package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/config"
)

// AttentionJSON is the answer of GET /api/attention.
type AttentionJSON struct {
	Items []AttentionItemJSON `json:"items"`
}

// AttentionItemJSON is one attention item. Amounts are decimal strings with two places, absent
// when unknown; Message and Action are Dutch, MessageEN and ActionEN English.
type AttentionItemJSON struct {
	Profile       string     `json:"profile"`
	ID            string     `json:"id"`
	Kind          string     `json:"kind"`
	ShopID        string     `json:"shop_id,omitempty"`
	ShopNumber    string     `json:"shop_number,omitempty"`
	LedgerOrderID string     `json:"ledger_order_id,omitempty"`
	LedgerNumber  int        `json:"ledger_number,omitempty"`
	ShopTotal     string     `json:"shop_total,omitempty"`
	LedgerTotal   string     `json:"ledger_total,omitempty"`
	Message       string     `json:"message"`
	Action        string     `json:"action"`
	MessageEN     string     `json:"message_en,omitempty"`
	ActionEN      string     `json:"action_en,omitempty"`
	Open          bool       `json:"open"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	ResolvedAt    *time.Time `json:"resolved_at,omitempty"`
	ResolvedBy    string     `json:"resolved_by,omitempty"`
	Note          string     `json:"note,omitempty"`
}

// AttentionItemFromItem converts a stored item to its JSON form (shared with the CLI's --json).
func AttentionItemFromItem(it attention.Item) AttentionItemJSON {
	out := AttentionItemJSON{
		Profile: it.Profile, ID: it.ID, Kind: string(it.Kind), ShopID: it.ShopID, ShopNumber: it.ShopNumber,
		LedgerOrderID: it.LedgerOrderID, LedgerNumber: it.LedgerNumber, Message: it.Message, Action: it.Action,
		MessageEN: it.MessageEN, ActionEN: it.ActionEN, Open: it.Open(), CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt,
		ResolvedAt: it.ResolvedAt, ResolvedBy: it.ResolvedBy, Note: it.Note,
	}
	if it.ShopTotal != nil {
		out.ShopTotal = moneyString(*it.ShopTotal)
	}
	if it.LedgerTotal != nil {
		out.LedgerTotal = moneyString(*it.LedgerTotal)
	}
	return out
}

// ResolvedJSON is the answer of POST /api/profiles/{p}/attention/{id}/resolve.
type ResolvedJSON struct {
	Status string            `json:"status"` // "resolved", or "already_resolved"
	Item   AttentionItemJSON `json:"item"`
}

// listAttention reads the items of profiles f selects, oldest first per profile.
func (s *server) listAttention(ctx context.Context, profiles []*config.Profile, f attention.Filter) ([]attention.Item, error) {
	var out []attention.Item
	for _, p := range profiles {
		items, err := attention.List(ctx, s.opts.Store, p.Name, f)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// apiAttention answers GET /api/attention?profile=&kind=&all=1&limit=: the open attention items
// (with all=1 the resolved ones too), oldest first.
func (s *server) apiAttention(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := parseLimit(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	profiles, err := s.selectProfiles(q.Get("profile"))
	if err != nil {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	f := attention.Filter{All: q.Get("all") == "1" || q.Get("all") == "true", Kind: attention.Kind(q.Get("kind"))}
	items, err := s.listAttention(r.Context(), profiles, f)
	if err != nil {
		s.log.Error("reading attention items", "error", err)
		writeError(w, http.StatusInternalServerError, "reading the attention items failed")
		return
	}
	out := AttentionJSON{Items: make([]AttentionItemJSON, 0, len(items))}
	for i, it := range items {
		if i >= limit {
			break
		}
		out.Items = append(out.Items, AttentionItemFromItem(it))
	}
	writeJSON(w, http.StatusOK, out)
}

// resolveAttention answers POST /api/profiles/{p}/attention/{id}/resolve (form or query field
// note: an optional note kept with the item).
func (s *server) resolveAttention(w http.ResponseWriter, r *http.Request) {
	profile, id := r.PathValue("p"), r.PathValue("id")
	page := fromPage(r)
	params := url.Values{"profile": {profile}, "order": {id}}
	log := s.log.With("profile", profile, "item", id, "remote", r.RemoteAddr)
	if s.profile(profile) == nil {
		log.Warn("resolve refused: unknown profile")
		s.actionDone(w, r, page, http.StatusNotFound, fmt.Sprintf("unknown profile %q", profile), "not_found", params)
		return
	}
	who := "api"
	if page {
		who = "dashboard"
	}
	note := r.FormValue("note")
	if len(note) > 1000 {
		note = note[:1000]
	}
	it, was, err := attention.Resolve(r.Context(), s.opts.Store, profile, id, who, note, s.now())
	if err != nil {
		if errors.Is(err, attention.ErrNotFound) {
			log.Warn("resolve refused", "error", err)
			s.actionDone(w, r, page, http.StatusNotFound, err.Error(), "resolve_not_found", params)
			return
		}
		log.Error("resolve failed", "error", err)
		s.actionDone(w, r, page, http.StatusInternalServerError, "resolving the item failed", "resolve_failed", params)
		return
	}
	if it.ShopNumber != "" {
		params.Set("order", it.ShopNumber)
	}
	status := "resolved"
	if !was {
		status = "already_resolved"
	}
	log.Info("attention item resolved", "kind", it.Kind, "shop_number", it.ShopNumber, "status", status)
	s.actionDone(w, r, page, http.StatusOK, ResolvedJSON{Status: status, Item: AttentionItemFromItem(it)}, "resolved", params)
}

package woocommerce

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/koppel-nl/koppel/sdk"
)

// cursorVersion is the version of the cursor encoding.
const cursorVersion = 1

// maxCursorIDs caps the ids a cursor records for its second. Orders beyond it that share the
// second are yielded again after a resume (the listing is at-least-once), which keeps every
// cursor small whatever the store does.
const maxCursorIDs = 200

// position is a resume point: every order modified before second T has been handed to the
// host, and of second T the ones in ids. Encoded, it is the opaque cursor string.
type position struct {
	T   int64 // unix seconds of date_modified_gmt; 0 = nothing yet
	ids []int64
	set map[int64]struct{}
}

// cursorJSON is the wire form of a position.
type cursorJSON struct {
	V   int     `json:"v"`
	T   int64   `json:"t"`
	IDs []int64 `json:"ids,omitempty"`
}

// has reports whether id was yielded in second T.
func (p *position) has(id int64) bool {
	_, ok := p.set[id]
	return ok
}

// add records id as yielded in second T.
func (p *position) add(id int64) {
	if p.set == nil {
		p.set = map[int64]struct{}{}
	}
	if _, ok := p.set[id]; ok {
		return
	}
	p.set[id] = struct{}{}
	p.ids = append(p.ids, id)
}

// moveTo starts a new second.
func (p *position) moveTo(t int64) {
	p.T = t
	p.ids = p.ids[:0]
	clear(p.set)
}

// encode renders the position as an opaque cursor (URL-safe base64 of a small JSON object).
func (p *position) encode() string {
	ids := p.ids
	if len(ids) > maxCursorIDs {
		ids = ids[:maxCursorIDs]
	}
	b, _ := json.Marshal(cursorJSON{V: cursorVersion, T: p.T, IDs: ids})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses a cursor made by encode. A cursor from elsewhere is a KindPermanent error.
func decodeCursor(s string) (position, error) {
	var p position
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursorJSON
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err == nil && (c.V != cursorVersion || c.T < 0) {
		err = fmt.Errorf("unknown cursor version %d", c.V)
	}
	if err != nil {
		return p, &sdk.Error{Kind: sdk.KindPermanent, Err: err,
			Message: fmt.Sprintf("the stored WooCommerce cursor %q is not one this plugin made", truncate(s, 60))}
	}
	p.T = c.T
	for _, id := range c.IDs {
		p.add(id)
	}
	return p, nil
}

package onetoshop

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/koppel-nl/koppel/sdk"
)

// cursorVersion is the version of the cursor encoding.
const cursorVersion = 1

// maxCursorIDs caps the ids a cursor keeps for its second; items beyond it that share the
// second are listed again after a resume (at-least-once), so a cursor stays small.
const maxCursorIDs = 500

// position is a resume point of a listing by modification time: everything modified before
// second T has been handed out, and of second T the items in ids.
type position struct {
	T   int64 // unix seconds of updated_at; 0 = nothing yet
	ids []string
	set map[string]bool
}

// cursorJSON is a position on the wire (URL-safe base64 of this JSON).
type cursorJSON struct {
	V   int      `json:"v"`
	T   int64    `json:"t"`
	IDs []string `json:"ids,omitempty"`
}

func (p *position) has(id string) bool { return p.set[id] }

func (p *position) add(id string) {
	if p.set == nil {
		p.set = map[string]bool{}
	}
	if !p.set[id] {
		p.set[id] = true
		p.ids = append(p.ids, id)
	}
}

// moveTo starts second t with no ids.
func (p *position) moveTo(t int64) {
	p.T = t
	p.ids = p.ids[:0]
	clear(p.set)
}

// encode renders the position as an opaque cursor.
func (p *position) encode() string {
	ids := p.ids
	if len(ids) > maxCursorIDs {
		ids = ids[:maxCursorIDs]
	}
	b, _ := json.Marshal(cursorJSON{V: cursorVersion, T: p.T, IDs: ids})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses a cursor made by encode; anything else is KindPermanent.
func decodeCursor(s string) (position, error) {
	var c cursorJSON
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err == nil && (c.V != cursorVersion || c.T < 0) {
		err = fmt.Errorf("cursor version %d", c.V)
	}
	if err != nil {
		shown := s
		if len(shown) > 60 {
			shown = shown[:60] + "..."
		}
		return position{}, &sdk.Error{Kind: sdk.KindPermanent, Err: err,
			Message: fmt.Sprintf("the stored Onetoshop cursor %q is not one this plugin made", shown)}
	}
	p := position{T: c.T, set: map[string]bool{}}
	for _, id := range c.IDs {
		p.add(id)
	}
	return p, nil
}

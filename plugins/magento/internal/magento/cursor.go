package magento

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/koppel-nl/koppel/sdk"
)

// cursorVersion is the version of the cursor encoding.
const cursorVersion = 1

// maxSeen caps the versions a cursor remembers inside the overlap window; beyond it the oldest
// are forgotten, and those orders may be yielded again (the listing is at-least-once).
const maxSeen = 500

// position is a resume point: everything up to (T, ID) in (updated_at, entity_id) order has
// been handed to the host, and seen holds the versions (id → updated_at) yielded within the
// overlap window before T, so that re-reading the window yields only what is new there (an
// order committed late with an older updated_at, or one modified again).
type position struct {
	T    int64 // unix seconds of updated_at; 0 = nothing yet
	ID   int64
	seen map[int64]int64
}

type cursorJSON struct {
	V    int        `json:"v"`
	T    int64      `json:"t"`
	ID   int64      `json:"id"`
	Seen [][2]int64 `json:"s,omitempty"` // [id, T - updated_at]
}

// after reports whether (t, id) comes after the position.
func (p *position) after(t, id int64) bool {
	return t > p.T || (t == p.T && id > p.ID)
}

// seenVersion reports whether this version of the order was already yielded.
func (p *position) seenVersion(id, t int64) bool {
	v, ok := p.seen[id]
	return ok && v == t
}

// versionsFrom counts the recorded versions modified at or after second t: the ones a listing
// from t reads again and skips.
func (p *position) versionsFrom(t int64) int {
	n := 0
	for _, v := range p.seen {
		if v >= t {
			n++
		}
	}
	return n
}

// advance records a yielded (or re-encountered) version.
func (p *position) advance(id, t int64) {
	if p.seen == nil {
		p.seen = map[int64]int64{}
	}
	if p.after(t, id) {
		p.T, p.ID = t, id
	}
	if old, ok := p.seen[id]; !ok || t >= old {
		p.seen[id] = t
	}
}

// encode renders the position, keeping only versions within overlap seconds before T.
func (p *position) encode(overlap int64) string {
	c := cursorJSON{V: cursorVersion, T: p.T, ID: p.ID}
	for id, t := range p.seen {
		if p.T-t <= overlap {
			c.Seen = append(c.Seen, [2]int64{id, p.T - t})
		} else {
			delete(p.seen, id)
		}
	}
	sort.Slice(c.Seen, func(i, j int) bool {
		if c.Seen[i][1] != c.Seen[j][1] {
			return c.Seen[i][1] < c.Seen[j][1]
		}
		return c.Seen[i][0] < c.Seen[j][0]
	})
	if len(c.Seen) > maxSeen {
		c.Seen = c.Seen[:maxSeen]
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses a cursor made by encode; a foreign one is KindPermanent.
func decodeCursor(s string) (position, error) {
	var c cursorJSON
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err == nil && (c.V != cursorVersion || c.T < 0) {
		err = fmt.Errorf("unknown cursor version %d", c.V)
	}
	if err != nil {
		return position{}, &sdk.Error{Kind: sdk.KindPermanent, Err: err,
			Message: fmt.Sprintf("the stored Magento cursor %q is not one this plugin made", truncate(s, 60))}
	}
	p := position{T: c.T, ID: c.ID, seen: map[int64]int64{}}
	for _, s := range c.Seen {
		p.seen[s[0]] = c.T - s[1]
	}
	return p, nil
}

package woocommerce

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/koppel-nl/koppel/sdk"
)

// Cursor encodings: version 1 (JSON, second T and the ids handed out in it; a resume re-read
// the whole overlap window) is still read; version 2 is written.
const (
	cursorV1 = 1
	cursorV2 = 2
)

// maxCursorRanges caps the id ranges a cursor records (about 3 KB encoded at most). When more
// would be needed, the oldest seconds of the window are forgotten first (the window shrinks);
// when the newest second alone needs more, its closest ranges are merged (see add).
const maxCursorRanges = 256

// maxCursorSeconds bounds the seconds a decoded cursor may name (defence against garbage).
const maxCursorSeconds = maxCursorRanges

// idRange is the ids lo..hi (inclusive).
type idRange struct{ lo, hi int64 }

// second is the ids handed out in one second of modification time, as sorted, disjoint,
// non-adjacent ranges.
type second struct {
	t      int64
	ranges []idRange
}

// position is a resume point. Every item modified before second W has been handed to the host
// (or is older than the listing's Since); of the seconds W..T, exactly the (second, id) pairs
// recorded in secs have. T is the newest second handed out (0: nothing yet).
//
// W trails T by the overlap window: a resume queries from W, hands out the items of W..T that
// the cursor does not record (orders saved late, after the listing had passed their second)
// and skips the ones it does, so that a resume repeats nothing and always makes progress,
// however many orders the window holds and wherever the host stopped.
type position struct {
	T    int64
	W    int64
	secs []second // ascending by t, all within W..T
	n    int      // ranges in secs
	// window is the overlap in seconds (not encoded): add keeps W ≥ T - window.
	window int64
	// legacy marks a version 1 cursor, which records only second T: a resume from it re-reads
	// the overlap window before T as version 1 did.
	legacy bool
}

// find returns the index of second t in secs, or where it would go.
func (p *position) find(t int64) (int, bool) {
	// Almost every look-up is for one of the newest seconds: search from the end.
	for i := len(p.secs) - 1; i >= 0; i-- {
		if p.secs[i].t == t {
			return i, true
		}
		if p.secs[i].t < t {
			return i + 1, false
		}
	}
	return 0, false
}

// has reports whether (t, id) was handed out.
func (p *position) has(t, id int64) bool {
	i, ok := p.find(t)
	if !ok {
		return false
	}
	rs := p.secs[i].ranges
	j, _ := slices.BinarySearchFunc(rs, id, func(r idRange, id int64) int {
		switch {
		case r.hi < id:
			return -1
		case r.lo > id:
			return 1
		}
		return 0
	})
	return j < len(rs) && rs[j].lo <= id && id <= rs[j].hi
}

// handed returns how many (second, id) pairs the position records as handed out (the ids of
// merged ranges included).
func (p *position) handed() int {
	n := 0
	for _, s := range p.secs {
		for _, r := range s.ranges {
			n += int(r.hi-r.lo) + 1
		}
	}
	return n
}

// add records (t, id) as handed out, moving T forward when t is newer, dropping seconds that
// fall out of the window, and keeping the record within maxCursorRanges.
func (p *position) add(t, id int64) {
	if p.has(t, id) {
		return
	}
	if t > p.T {
		p.T = t
		if w := t - p.window; w > p.W {
			p.W = w
		}
		drop := 0
		for drop < len(p.secs) && p.secs[drop].t < p.W {
			p.n -= len(p.secs[drop].ranges)
			drop++
		}
		p.secs = slices.Delete(p.secs, 0, drop)
	}
	i, ok := p.find(t)
	if !ok {
		p.secs = slices.Insert(p.secs, i, second{t: t})
	}
	s := &p.secs[i]
	before := len(s.ranges)
	s.ranges = insertID(s.ranges, id)
	p.n += len(s.ranges) - before
	for p.n > maxCursorRanges && len(p.secs) > 1 {
		// Forget the oldest second: the window now starts at the next one.
		p.n -= len(p.secs[0].ranges)
		p.secs = slices.Delete(p.secs, 0, 1)
		p.W = p.secs[0].t
	}
	if p.n > maxCursorRanges {
		// One second with more scattered ids than a cursor holds: merge the two ranges with
		// the smallest gap. The ids in that gap count as handed out; one of them would be
		// missed only if it was modified into this very second after the listing passed it.
		s := &p.secs[0]
		best := 1
		for k := 2; k < len(s.ranges); k++ {
			if s.ranges[k].lo-s.ranges[k-1].hi < s.ranges[best].lo-s.ranges[best-1].hi {
				best = k
			}
		}
		s.ranges[best-1].hi = s.ranges[best].hi
		s.ranges = slices.Delete(s.ranges, best, best+1)
		p.n--
	}
}

// insertID adds id to sorted disjoint ranges, merging neighbours.
func insertID(rs []idRange, id int64) []idRange {
	j, _ := slices.BinarySearchFunc(rs, id, func(r idRange, id int64) int {
		if r.hi < id {
			return -1
		}
		return 1
	})
	// rs[j] is the first range with hi ≥ id; id is not in it (add checked).
	joinLeft := j > 0 && rs[j-1].hi == id-1
	joinRight := j < len(rs) && rs[j].lo == id+1
	switch {
	case joinLeft && joinRight:
		rs[j-1].hi = rs[j].hi
		return slices.Delete(rs, j, j+1)
	case joinLeft:
		rs[j-1].hi = id
	case joinRight:
		rs[j].lo = id
	default:
		rs = slices.Insert(rs, j, idRange{id, id})
	}
	return rs
}

// encode renders the position as an opaque cursor: URL-safe base64 of version 2, T, T-W, then
// per second (newest first) its distance to T and its ranges as deltas, all as uvarints.
func (p *position) encode() string {
	buf := make([]byte, 0, 16+8*p.n)
	buf = append(buf, cursorV2)
	buf = binary.AppendUvarint(buf, uint64(p.T))
	buf = binary.AppendUvarint(buf, uint64(p.T-p.W))
	buf = binary.AppendUvarint(buf, uint64(len(p.secs)))
	for i := len(p.secs) - 1; i >= 0; i-- {
		s := p.secs[i]
		buf = binary.AppendUvarint(buf, uint64(p.T-s.t))
		buf = binary.AppendUvarint(buf, uint64(len(s.ranges)))
		prev := int64(0)
		for _, r := range s.ranges {
			buf = binary.AppendUvarint(buf, uint64(r.lo-prev))
			buf = binary.AppendUvarint(buf, uint64(r.hi-r.lo))
			prev = r.hi
		}
	}
	return base64.RawURLEncoding.EncodeToString(buf)
}

// errCursor is what a malformed cursor decodes to.
var errCursor = errors.New("malformed cursor")

// cursorV1JSON is the wire form of a version 1 cursor.
type cursorV1JSON struct {
	V   int     `json:"v"`
	T   int64   `json:"t"`
	IDs []int64 `json:"ids,omitempty"`
}

// decodeCursor parses a cursor made by encode (or a version 1 cursor). window is the overlap in
// seconds for the positions the listing goes on to make. A cursor from elsewhere is a
// KindPermanent error.
func decodeCursor(s string, window int64) (position, error) {
	p, err := parseCursor(s)
	if err != nil {
		return position{}, &sdk.Error{Kind: sdk.KindPermanent, Err: err,
			Message: fmt.Sprintf("the stored WooCommerce cursor %q is not one this plugin made", truncate(s, 60))}
	}
	p.window = window
	return p, nil
}

func parseCursor(s string) (position, error) {
	var p position
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return p, err
	}
	if len(b) > 0 && b[0] == '{' {
		var c cursorV1JSON
		if err := json.Unmarshal(b, &c); err != nil {
			return p, err
		}
		if c.V != cursorV1 || c.T < 0 || len(c.IDs) > 10*maxCursorRanges {
			return p, fmt.Errorf("unknown cursor version %d", c.V)
		}
		p.T, p.W, p.legacy = c.T, c.T, true
		for _, id := range c.IDs {
			p.add(c.T, id)
		}
		return p, nil
	}
	if len(b) == 0 || b[0] != cursorV2 {
		return p, errCursor
	}
	b = b[1:]
	next := func() (int64, error) {
		v, n := binary.Uvarint(b)
		if n <= 0 || v > 1<<62 {
			return 0, errCursor
		}
		b = b[n:]
		return int64(v), nil
	}
	var vals [3]int64
	for i := range vals {
		if vals[i], err = next(); err != nil {
			return p, err
		}
	}
	p.T, p.W = vals[0], vals[0]-vals[1]
	nsecs := vals[2]
	if p.W < 0 || nsecs > maxCursorSeconds {
		return p, errCursor
	}
	for i := int64(0); i < nsecs; i++ {
		dt, err := next()
		if err != nil {
			return p, err
		}
		nr, err := next()
		if err != nil {
			return p, err
		}
		t := p.T - dt
		if t < p.W || nr == 0 || nr > maxCursorRanges || int64(p.n)+nr > maxCursorRanges ||
			(len(p.secs) > 0 && t >= p.secs[0].t) {
			return p, errCursor
		}
		sec := second{t: t, ranges: make([]idRange, 0, nr)}
		prev := int64(0)
		for k := int64(0); k < nr; k++ {
			dlo, err := next()
			if err != nil {
				return p, err
			}
			width, err := next()
			if err != nil {
				return p, err
			}
			lo := prev + dlo
			if (k > 0 && dlo < 2) || lo < prev || lo+width < lo || lo > 1<<62 || lo+width > 1<<62 {
				return p, errCursor
			}
			sec.ranges = append(sec.ranges, idRange{lo, lo + width})
			prev = lo + width
		}
		p.secs = slices.Insert(p.secs, 0, sec)
		p.n += int(nr)
	}
	if len(b) != 0 {
		return p, errCursor
	}
	return p, nil
}

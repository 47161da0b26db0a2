package simulator

import (
	"cmp"
	"slices"
	"sort"
	"time"
)

// modEntry is one order in the modification index.
type modEntry struct {
	sec    int64 // date_modified, whole seconds since the epoch
	id     int64
	o      *Order
	status uint8 // statusBit(o.Status), so a listing filters by status without touching o
}

// statusBit numbers an order status by its place in orderStatuses (1..9; "any" is 0 and never
// an order's status); a status outside the list is 63.
func statusBit(st string) uint8 {
	for i, v := range orderStatuses {
		if v == st && i > 0 {
			return uint8(i)
		}
	}
	return 63
}

// statusMask is the set of status bits lp.Status selects ("any": all but trash, drafts
// included, as orderMatches has it).
func statusMask(lp *listParams) uint64 {
	var m uint64
	for _, st := range lp.Status {
		if st == "any" {
			m |= ^(uint64(1)<<statusBit("trash") | 1)
		} else {
			m |= uint64(1) << statusBit(st)
		}
	}
	return m
}

// onlyStatusFilter reports whether lp filters orders by status and dates only, so that the
// index entry's status bit decides what orderMatches would.
func onlyStatusFilter(lp *listParams) bool {
	return len(lp.Include) == 0 && len(lp.Exclude) == 0 && len(lp.Parent) == 0 && len(lp.ParentExclude) == 0 &&
		lp.Customer == nil && lp.Product == nil && lp.Search == ""
}

// cmpMod orders the index as orderby=modified&order=asc answers: by second ascending, orders of
// one second by descending id (reference A.8b).
func cmpMod(a modEntry, sec, id int64) int {
	if c := cmp.Compare(a.sec, sec); c != 0 {
		return c
	}
	return cmp.Compare(id, a.id)
}

// modIndex keeps the stored orders sorted by (date_modified second, id descending), so that
// the connector's listing (orderby=modified&order=asc&modified_after=...) finds its start by
// binary search instead of sorting every order on every page. It is updated on each write;
// bulk writes (generation, seeding) mark it stale instead and it is rebuilt, once, when next
// read. The caller holds the server's mutex for every method.
type modIndex struct {
	entries []modEntry
	secOf   map[int64]int64 // order id → the second it is indexed under
	stale   bool
}

// reset empties the index.
func (x *modIndex) reset() {
	x.entries, x.secOf, x.stale = nil, map[int64]int64{}, false
}

// put (re)indexes o after it was stored or its date_modified changed.
func (x *modIndex) put(o *Order) {
	if x.stale {
		return
	}
	sec := o.DateModified.Unix()
	if old, ok := x.secOf[o.ID]; ok {
		if old == sec {
			if i, found := x.find(sec, o.ID); found {
				x.entries[i].o, x.entries[i].status = o, statusBit(o.Status)
				return
			}
		}
		x.remove(old, o.ID)
	}
	i, _ := x.find(sec, o.ID)
	x.entries = slices.Insert(x.entries, i, modEntry{sec: sec, id: o.ID, o: o, status: statusBit(o.Status)})
	x.secOf[o.ID] = sec
}

// del drops the order with this id.
func (x *modIndex) del(id int64) {
	if x.stale {
		return
	}
	if old, ok := x.secOf[id]; ok {
		x.remove(old, id)
		delete(x.secOf, id)
	}
}

// find returns where (sec, id) is or would be in the index.
func (x *modIndex) find(sec, id int64) (int, bool) {
	return slices.BinarySearchFunc(x.entries, modEntry{sec: sec, id: id}, func(e, t modEntry) int { return cmpMod(e, t.sec, t.id) })
}

func (x *modIndex) remove(sec, id int64) {
	i, ok := x.find(sec, id)
	if ok {
		x.entries = slices.Delete(x.entries, i, i+1)
	} else {
		x.stale = true // cannot happen; rebuild rather than serve a wrong order
	}
}

// markStale makes the next read rebuild the index from the orders.
func (x *modIndex) markStale() { x.stale = true }

// sorted returns the index, rebuilding it from orders when stale.
func (x *modIndex) sorted(orders map[int64]*Order) []modEntry {
	if x.stale || x.secOf == nil {
		x.entries = x.entries[:0]
		x.secOf = make(map[int64]int64, len(orders))
		for id, o := range orders {
			sec := o.DateModified.Unix()
			x.entries = append(x.entries, modEntry{sec: sec, id: id, o: o, status: statusBit(o.Status)})
			x.secOf[id] = sec
		}
		slices.SortFunc(x.entries, func(a, b modEntry) int { return cmpMod(a, b.sec, b.id) })
		x.stale = false
	}
	return x.entries
}

// firstModifiedAfter returns the index of the first entry modified after the GMT wall time t
// (exclusive, at second resolution, as modified_after with dates_are_gmt compares).
func firstModifiedAfter(entries []modEntry, t time.Time) int {
	return sort.Search(len(entries), func(i int) bool {
		return time.Unix(entries[i].sec, 0).UTC().After(t)
	})
}

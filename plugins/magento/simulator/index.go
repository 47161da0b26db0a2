package simulator

import (
	"cmp"
	"slices"
	"sort"
	"time"
)

// updatedIndex keeps the orders sorted by (updated_at in whole seconds, entity_id), as Magento's sales_order
// table is indexed on updated_at: the connector's incremental listing (updated_at gteq …
// and lt …, sorted by updated_at then entity_id) finds its range by binary search and never
// sorts the whole history. Orders are appended as they are created; an order whose updated_at
// moves is taken out of its place and inserted at its new one (take, put). Out-of-order appends (a
// generated history) mark the index unsorted and it is sorted once, when next read. The
// caller holds the server's mutex.
type updatedIndex struct {
	list     []*Order
	unsorted bool
}

// cmpUpdated orders by updated_at as Magento compares it (whole seconds: the column is a
// DATETIME), then entity_id.
func cmpUpdated(a, b *Order) int {
	if c := a.updated.Truncate(time.Second).Compare(b.updated.Truncate(time.Second)); c != 0 {
		return c
	}
	return cmp.Compare(a.EntityID, b.EntityID)
}

// add appends a new order.
func (x *updatedIndex) add(o *Order) {
	if n := len(x.list); n > 0 && cmpUpdated(x.list[n-1], o) > 0 {
		x.unsorted = true
	}
	x.list = append(x.list, o)
}

// take removes o before its updated_at changes; put files it again afterwards.
func (x *updatedIndex) take(o *Order) {
	if x.unsorted {
		return // o stays in the list; the next read sorts it into place
	}
	i, found := slices.BinarySearchFunc(x.list, o, cmpUpdated)
	if !found || x.list[i] != o {
		x.unsorted = true // cannot happen; sort rather than serve a wrong order
		return
	}
	x.list = slices.Delete(x.list, i, i+1)
}

// put files o again after take and the change of its updated_at.
func (x *updatedIndex) put(o *Order) {
	if x.unsorted {
		return // take left o in the list
	}
	j, _ := slices.BinarySearchFunc(x.list, o, cmpUpdated)
	x.list = slices.Insert(x.list, j, o)
}

// sorted returns the orders in (updated_at, entity_id) order.
func (x *updatedIndex) sorted() []*Order {
	if x.unsorted {
		slices.SortFunc(x.list, cmpUpdated)
		x.unsorted = false
	}
	return x.list
}

// updatedRange returns the orders that may match c's updated_at bounds, in (updated_at,
// entity_id) order, when c sorts by updated_at ascending (then, optionally, entity_id
// ascending): the order a listing by the index gives. ok is false for any other sort, which
// is answered by filtering and sorting every order. Bounds are taken from filter groups that
// hold a single updated_at filter; they are widened to whole seconds (updated_at is compared
// at second resolution), so the range can only hold too many, which the filters then drop.
func (x *updatedIndex) updatedRange(c *criteria) ([]*Order, bool) {
	so := c.SortOrders
	if len(so) == 0 || len(so) > 2 || so[0].Field != "updated_at" || so[0].Direction != "ASC" ||
		len(so) == 2 && (so[1].Field != "entity_id" || so[1].Direction != "ASC") {
		return nil, false
	}
	list := x.sorted()
	lo, hi := 0, len(list)
	sec := func(i int) time.Time { return list[i].updated.Truncate(time.Second) }
	for _, g := range c.FilterGroups {
		if len(g.Filters) != 1 || g.Filters[0].Field != "updated_at" {
			continue
		}
		f := g.Filters[0]
		t, ok := parseDate(f.Value)
		if !ok {
			continue
		}
		switch f.Condition {
		case "gteq", "moreq", "from", "gt":
			lo = max(lo, sort.Search(len(list), func(i int) bool { return !sec(i).Before(t) }))
		case "lt", "lteq", "to":
			hi = min(hi, sort.Search(len(list), func(i int) bool { return sec(i).After(t) }))
		}
	}
	if lo >= hi {
		return nil, true
	}
	return list[lo:hi], true
}

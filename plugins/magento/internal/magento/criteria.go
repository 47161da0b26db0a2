package magento

import (
	"net/url"
	"strconv"
	"time"
)

// cond is one searchCriteria filter.
type cond struct{ field, value, condition string }

// criteria builds a searchCriteria query: filters in one group are OR'ed, groups are AND'ed.
type criteria struct {
	groups   [][]cond
	sorts    [][2]string // field, direction
	pageSize int
	page     int
}

// and adds a group of OR'ed filters.
func (c *criteria) and(filters ...cond) *criteria {
	c.groups = append(c.groups, filters)
	return c
}

// sortBy adds a sort order.
func (c *criteria) sortBy(field, dir string) *criteria {
	c.sorts = append(c.sorts, [2]string{field, dir})
	return c
}

// values renders the criteria with the snake_case names of Magento's documentation for
// filter groups and the camelCase ones for sort orders and paging (both are accepted).
func (c *criteria) values() url.Values {
	v := url.Values{}
	for g, group := range c.groups {
		for f, fl := range group {
			p := "searchCriteria[filter_groups][" + strconv.Itoa(g) + "][filters][" + strconv.Itoa(f) + "]"
			v.Set(p+"[field]", fl.field)
			v.Set(p+"[value]", fl.value)
			if fl.condition != "" {
				v.Set(p+"[condition_type]", fl.condition)
			}
		}
	}
	for i, s := range c.sorts {
		p := "searchCriteria[sortOrders][" + strconv.Itoa(i) + "]"
		v.Set(p+"[field]", s[0])
		v.Set(p+"[direction]", s[1])
	}
	if c.pageSize > 0 {
		v.Set("searchCriteria[pageSize]", strconv.Itoa(c.pageSize))
		v.Set("searchCriteria[currentPage]", strconv.Itoa(max(c.page, 1)))
	}
	if len(v) == 0 {
		v.Set("searchCriteria", "")
	}
	return v
}

// mtime renders t the way Magento compares timestamps.
func mtime(t time.Time) string { return t.UTC().Format(magentoTime) }

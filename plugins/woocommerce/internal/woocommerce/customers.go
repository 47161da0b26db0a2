package woocommerce

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/koppel-nl/koppel/sdk"
	"golang.org/x/sync/singleflight"
)

// customerCodeTTL is how long a customer's code read from GET /customers/{id} is reused.
const customerCodeTTL = 10 * time.Minute

// metaText returns the trimmed text of the first meta entry whose key is exactly key, or ""
// (also for an empty key, or a structured value).
func metaText(meta []wcMeta, key string) string {
	if key == "" {
		return ""
	}
	for _, m := range meta {
		if string(m.Key) == key {
			if v := strings.TrimSpace(scalarText(m.Value)); v != "" {
				return v
			}
		}
	}
	return ""
}

// customerCodes reads a registered customer's code (the meta entry customer_code_meta names)
// through GET /customers/{id}, at most once per customer id per customerCodeTTL, and at most
// one request per id at a time. It is safe for concurrent use.
type customerCodes struct {
	api *api
	key string
	now func() time.Time

	mu      sync.Mutex
	entries map[int64]codeEntry
	flight  singleflight.Group
}

// codeEntry is one cached answer: the code ("" when the customer has none or is gone).
type codeEntry struct {
	code string
	at   time.Time
}

func newCustomerCodes(a *api, key string, now func() time.Time) *customerCodes {
	return &customerCodes{api: a, key: key, now: now, entries: map[int64]codeEntry{}}
}

// code returns customer id's code. A customer WooCommerce no longer knows (404) has none; any
// other failure is returned, so the order is not matched without its code. Refused keys
// (KindAuth) name the setting: the key's user must be allowed to read customers.
func (c *customerCodes) code(ctx context.Context, id int64) (string, error) {
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && c.now().Sub(e.at) < customerCodeTTL {
		return e.code, nil
	}
	v, err, _ := c.flight.Do(strconv.FormatInt(id, 10), func() (any, error) {
		// Another caller may have filled the entry while this one waited to start.
		c.mu.Lock()
		e, ok := c.entries[id]
		c.mu.Unlock()
		if ok && c.now().Sub(e.at) < customerCodeTTL {
			return e.code, nil
		}
		code, err := c.fetch(ctx, id)
		if err != nil {
			return "", err
		}
		c.mu.Lock()
		c.entries[id] = codeEntry{code: code, at: c.now()}
		c.mu.Unlock()
		return code, nil
	})
	if err != nil {
		return "", err
	}
	s, _ := v.(string)
	return s, nil
}

// fetch reads one customer's meta_data.
func (c *customerCodes) fetch(ctx context.Context, id int64) (string, error) {
	path := "/customers/" + strconv.FormatInt(id, 10)
	r, err := c.api.get(ctx, path, nil)
	if err != nil {
		kind := sdk.KindOf(err)
		msg := fmt.Sprintf("customer_code_meta = %q: WooCommerce customer %d could not be read: %v", c.key, id, err)
		switch kind {
		case sdk.KindNotFound:
			return "", nil // a deleted customer: the order keeps its e-mail and address
		case sdk.KindAuth:
			msg += "; give the API key's user the right to read customers, or leave customer_code_meta empty"
		}
		return "", &sdk.Error{Kind: kind, Err: err, Message: msg, RetryAfter: sdk.RetryAfterOf(err)}
	}
	var cust struct {
		MetaData []wcMeta `json:"meta_data"`
	}
	if err := decodeJSON("GET "+path, r.Body, &cust); err != nil {
		return "", err
	}
	return metaText(cust.MetaData, c.key), nil
}

// fillCustomerCode completes ord.Customer.Code for an order of a registered customer whose
// order meta did not carry it, from the customer's own meta (customer_code_meta set).
func (s *Shop) fillCustomerCode(ctx context.Context, ord *sdk.Order) error {
	if s.codes == nil || ord.Customer.Code != "" || ord.Customer.Guest() {
		return nil
	}
	id, err := strconv.ParseInt(ord.Customer.ID, 10, 64)
	if err != nil || id <= 0 {
		return nil
	}
	code, err := s.codes.code(ctx, id)
	if err != nil {
		return err
	}
	ord.Customer.Code = code
	return nil
}

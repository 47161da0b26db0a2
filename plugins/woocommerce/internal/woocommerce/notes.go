package woocommerce

import (
	"context"
	"net/url"
	"strings"

	"github.com/koppel-nl/koppel/sdk"
)

// wcNote is an order note as GET /orders/{id}/notes lists it.
type wcNote struct {
	ID           wcID   `json:"id"`
	Note         string `json:"note"`
	CustomerNote bool   `json:"customer_note"`
}

var _ sdk.OrderNoter = (*Shop)(nil)

// AddOrderNote implements sdk.OrderNoter with the order notes of the REST API: GET
// /orders/{id}/notes (all of them, newest first; WooCommerce does not page notes) and, when no note has this
// text yet, POST /orders/{id}/notes as a private note (customer_note false: the customer gets
// no e-mail). A note does not change the order's date_modified, so the order is not listed
// again.
func (s *Shop) AddOrderNote(ctx context.Context, orderID, note string) error {
	orderID = strings.TrimSpace(orderID)
	note = strings.TrimSpace(note)
	if orderID == "" || note == "" {
		return sdk.Errorf(sdk.KindPermanent, "an order note needs an order id and a text")
	}
	path := "/orders/" + url.PathEscape(orderID) + "/notes"
	r, err := s.api.get(ctx, path, nil)
	if err != nil {
		return err
	}
	var notes []wcNote
	if err := decodeJSON("GET "+path, r.Body, &notes); err != nil {
		return err
	}
	for _, n := range notes {
		if strings.TrimSpace(n.Note) == note {
			return nil
		}
	}
	_, err = s.api.post(ctx, path, map[string]any{"note": note, "customer_note": false})
	return err
}

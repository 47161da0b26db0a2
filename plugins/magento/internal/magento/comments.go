package magento

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/koppel-nl/koppel/sdk"
)

// wireComment is one entry of GET /V1/orders/{id}/comments
// (sales-data-order-status-history-interface).
type wireComment struct {
	Comment string `json:"comment"`
}

var _ sdk.OrderNoter = (*Shop)(nil)

// AddOrderNote implements sdk.OrderNoter with the order's comments (status history): GET
// /V1/orders/{id}/comments and, when no comment has this text yet, POST
// /V1/orders/{id}/comments with a comment the customer is not notified of and does not see
// (ACL Magento_Sales::comment). orderID is the order's entity_id.
func (s *Shop) AddOrderNote(ctx context.Context, orderID, note string) error {
	note = strings.TrimSpace(note)
	id, err := strconv.ParseInt(strings.TrimSpace(orderID), 10, 64)
	if err != nil || id <= 0 || note == "" {
		return sdk.Errorf(sdk.KindPermanent, "an order comment needs an order id (entity_id) and a text, got %q", orderID)
	}
	path := "/orders/" + url.PathEscape(strconv.FormatInt(id, 10)) + "/comments"
	var list struct {
		Items []wireComment `json:"items"`
	}
	if err := s.api.get(ctx, path, nil, &list); err != nil {
		return err
	}
	for _, c := range list.Items {
		if strings.TrimSpace(c.Comment) == note {
			return nil
		}
	}
	body := map[string]any{"statusHistory": map[string]any{"comment": note, "is_customer_notified": 0, "is_visible_on_front": 0, "parent_id": id}}
	return s.api.call(ctx, http.MethodPost, path, nil, body, nil)
}

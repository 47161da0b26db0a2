package simulator

import (
	"fmt"
	"net/http"
)

// codeInvalidCoupon is the error code of a coupon the store does not have.
const codeInvalidCoupon = "woocommerce_rest_invalid_coupon"

// invalidCoupon is WooCommerce's answer to an unknown coupon code in coupon_lines
// (WC_Abstract_Order::apply_coupon's invalid_coupon error, prefixed by the REST controller).
func invalidCoupon(code string) *wpError {
	return newErr(http.StatusBadRequest, codeInvalidCoupon, fmt.Sprintf("Coupon \"%s\" does not exist!", code))
}

// leaveCheckoutDraft stores what a create refused for an unknown coupon leaves behind in a real
// store: the order, already saved before its coupons were applied, with status checkout-draft
// and without coupon lines. It is listed under status=any; koppel must never import it. The
// caller holds mu.
func (s *Server) leaveCheckoutDraft(in *orderInput) {
	draftIn := *in
	draftIn.CouponLines = nil
	draftIn.Status, draftIn.SetPaid = jString{}, jBool{} // a draft is neither paid nor processing
	now := s.now()
	o := &Order{Status: "checkout-draft", Currency: s.opts.Currency, CreatedVia: "rest-api", Version: s.opts.Version,
		PricesIncludeTax: s.opts.PricesIncludeTax, DateCreated: now, DateModified: now}
	saved := [3]int64{s.nextPostID, s.nextItemID, s.nextMetaID}
	if e := s.applyOrder(o, &draftIn, true, false); e != nil {
		s.nextPostID, s.nextItemID, s.nextMetaID = saved[0], saved[1], saved[2]
		return
	}
	o.Status = "checkout-draft"
	s.nextPostID++
	o.ID = s.nextPostID
	o.Number = fmt.Sprint(o.ID)
	o.OrderKey = s.newOrderKey()
	s.orders[o.ID] = o
	s.modIdx.put(o)
}

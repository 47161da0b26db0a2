package simulator

import "fmt"

// Refund adds refund r to order id as the shop's back office does (assumed, API.md "Refunds"):
// every line it names must be a line of the order and not refund more than was ordered; the
// amount, when zero, is what the lines, shipping and payment costs add up to; it may not exceed
// what is left to refund. The order's refunded_amount grows, an order refunded in full becomes
// "refunded", and updated_at moves. It returns the refund as stored.
func (s *Server) Refund(id int64, r Refund) (Refund, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return Refund{}, fmt.Errorf("order %d not found", id)
	}
	named := r.ShippingInclVAT.Decimal.Add(r.PaymentCostsInclVAT.Decimal)
	for _, rl := range r.Lines {
		var line *Line
		for i := range o.Lines {
			if o.Lines[i].ID == rl.LineID {
				line = &o.Lines[i]
			}
		}
		if line == nil {
			return Refund{}, fmt.Errorf("order %d has no line %d", id, rl.LineID)
		}
		if rl.Quantity.Decimal.GreaterThan(line.Quantity.Decimal) || rl.AmountInclVAT.Decimal.GreaterThan(line.TotalInclVAT.Decimal) {
			return Refund{}, fmt.Errorf("refund of line %d exceeds the line", rl.LineID)
		}
		named = named.Add(rl.AmountInclVAT.Decimal)
	}
	if r.AmountInclVAT.IsZero() {
		r.AmountInclVAT = Amount{named}
	}
	left := o.TotalInclVAT.Decimal.Sub(o.RefundedAmount.Decimal)
	if !r.AmountInclVAT.IsPositive() || r.AmountInclVAT.GreaterThan(left) || named.GreaterThan(r.AmountInclVAT.Decimal) {
		return Refund{}, fmt.Errorf("refund of %s: must be positive, at most %s and at least what it names (%s)", r.AmountInclVAT, left, named)
	}
	s.nextRefund++
	r.ID = 90000 + s.nextRefund
	r.CreatedAt = Time{s.now()}
	o.Refunds = append(o.Refunds, r)
	o.RefundedAmount = Amount{o.RefundedAmount.Decimal.Add(r.AmountInclVAT.Decimal)}
	if o.RefundedAmount.Decimal.Equal(o.TotalInclVAT.Decimal) {
		o.Status = "refunded"
	}
	o.UpdatedAt = Time{s.laterThan(o.UpdatedAt.Time)}
	return r, nil
}

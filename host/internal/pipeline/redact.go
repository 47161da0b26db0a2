package pipeline

import "github.com/koppel-nl/koppel/sdk/redact"

// Personal data out of the run history and the reasons of failed orders: what is stored for
// retention_days (runs) or until resolved (failed orders' reasons) names orders by their number
// and fields by their name, never a customer's e-mail address, name, phone number or postcode
// (see package sdk/redact). The failed order's shop payload (FailedRecord.Order) is kept until
// the order is resolved: it is what a retry imports.

// redactRecord removes personal data from the texts of a run record before it is stored.
func redactRecord(rec *RunRecord) {
	rec.Error = redact.Personal(rec.Error)
	rec.Stopped = redact.Personal(rec.Stopped)
	for i := range rec.Orders {
		redactOutcome(&rec.Orders[i])
	}
}

// redactOutcome removes personal data from one order outcome.
func redactOutcome(o *OrderOutcome) {
	o.CustomerName = ""
	o.Reason = redact.Personal(o.Reason)
	for i, w := range o.Warnings {
		o.Warnings[i] = redact.Personal(w)
	}
}

// redactTaskRecord is redactRecord for a task record with its article and stock summaries.
func redactTaskRecord(rec *TaskRunRecord) {
	redactRecord(&rec.RunRecord)
	if rec.Articles != nil {
		a := *rec.Articles
		a.Items = append([]ArticleOutcome(nil), a.Items...)
		for i := range a.Items {
			a.Items[i].Reason = redact.Personal(a.Items[i].Reason)
		}
		rec.Articles = &a
	}
	if rec.Stock != nil {
		s := *rec.Stock
		s.Failed = redactStockFailures(s.Failed)
		s.Skipped = redactStockFailures(s.Skipped)
		rec.Stock = &s
	}
}

func redactStockFailures(in []StockFailure) []StockFailure {
	if in == nil {
		return nil
	}
	out := make([]StockFailure, len(in))
	for i, f := range in {
		f.Reason = redact.Personal(f.Reason)
		out[i] = f
	}
	return out
}

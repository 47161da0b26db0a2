package pipeline

// Creating customers and articles at most once.
//
// A create whose answer is lost (KindOutcomeUnknown: a timeout or a dropped connection after the
// request was sent, or a plugin that died mid-call) may have been committed. Repeating it blindly
// books the same customer twice (customers.match = "code" never finds the first one; a guest's
// e-mail search may run before SnelStart shows the new relatie), and would do the same for an
// article in a ledger that does not enforce unique codes. So:
//
//   - an intent is recorded before the create (CustomerIntentRecord, ArticleIntentRecord);
//   - after a create whose outcome is unknown, and whenever an intent without outcome is found,
//     the ledger is asked first (relaties by the name, e-mail and postcode sent; articles by
//     artikelcode or extra field) and a match is adopted;
//   - a create whose outcome stayed unknown (the look-up found nothing) is not repeated in the
//     same run: the customer's or article's orders wait for the next run, which looks again
//     before creating;
//   - the outcome is recorded in the customer map (in the transaction that deletes the intent)
//     or the article map.

import (
	"context"
	"errors"
	"fmt"

	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// createMayHaveHappened reports whether a failed create may nevertheless have been committed:
// the ledger said so (KindOutcomeUnknown), or the call broke without a typed answer (a crashed
// plugin, a broken stream, a cancelled call). Any other typed error is a refusal, or a failure
// before the request was sent.
func createMayHaveHappened(err error) bool {
	if err == nil {
		return false
	}
	var se *sdk.Error
	if !errors.As(err, &se) {
		return true
	}
	return se.Kind == sdk.KindOutcomeUnknown
}

// unsettledKey names a create of this run whose outcome stayed unknown.
func unsettledKey(kind, key string) string { return kind + ":" + key }

// notYetVisible is the transient error of a create that is not repeated in this run: an earlier
// create of the same thing in this run had no answer and the ledger does not show it yet.
func notYetVisible(what string) error {
	return &sdk.Error{Kind: sdk.KindOutcomeUnknown, Message: fmt.Sprintf(text.Template("reason.not_yet_visible"), what)}
}

// ---- customers ----

func (r *run) customerIntentKey(key string) state.Key {
	return state.MapKey(r.p.profile, MapCustomerIntent, key)
}

// customerIntent returns the intent of an earlier create of customer key whose outcome is
// unknown, if any.
func (r *run) customerIntent(ctx context.Context, key string) (CustomerIntentRecord, bool, error) {
	in, ok, err := state.Get[CustomerIntentRecord](ctx, r.p.store, r.customerIntentKey(key))
	if err != nil {
		return CustomerIntentRecord{}, false, abortState(err, "reason.step.read_customer_intent")
	}
	return in, ok, nil
}

// createRelatieOnce creates want for customer key under an intent. prev is the intent of an
// earlier attempt (zero when none). When the create's outcome is unknown the relatie is looked
// up at once and adopted when found (how = "adopted"); otherwise the intent stays, for the next
// attempt to resolve, and the create is not repeated in this run. It reports whether an intent
// is left in the store (so the caller deletes it with the map record).
func (r *run) createRelatieOnce(ctx context.Context, key string, want sdk.Relatie, prev CustomerIntentRecord) (ref customerRef, how string, err error) {
	p := r.p
	ik := r.customerIntentKey(key)
	in := CustomerIntentRecord{Key: key, Name: want.Name, Email: want.Email, Postcode: want.Address.Postcode,
		StartedAt: p.now(), Attempts: prev.Attempts + 1}
	returned := r.view.emails.wrote(want, p.now()) // a batched look-up's answer may not show this relatie
	if err := state.Put(ctx, p.store, ik, in); err != nil {
		return customerRef{}, "", abortState(err, "reason.step.record_customer_intent", want.Name)
	}
	created, err := p.ledger.CreateRelatie(ctx, want)
	returned(p.now())
	if err == nil && created.ID == "" {
		err = &sdk.Error{Kind: sdk.KindOutcomeUnknown, Message: text.Template("reason.no_id_customer")}
	}
	if err == nil {
		return customerRef{ID: created.ID, Code: created.Code, Name: mapping.FirstNonEmpty(created.Name, want.Name)}, "created", nil
	}
	if !createMayHaveHappened(err) {
		// Refused, or never sent: nothing was created.
		if derr := state.Delete(ctx, p.store, ik); derr != nil {
			p.log.Warn("could not delete the customer intent", "error", derr)
		}
		return customerRef{}, "", text.Errorf("reason.create_customer", want.Name, err)
	}
	in.LastError = reasonOf(err)
	if perr := state.Put(ctx, p.store, ik, in); perr != nil {
		p.log.Warn("could not update the customer intent", "error", perr)
	}
	if ctx.Err() == nil && classify(err) != classAbort {
		if c, ferr := mapping.FindCreatedRelatie(ctx, p.ledger, pendingOf(in)); ferr == nil && c != nil {
			p.log.Info("adopted a customer whose create had no answer", "code", c.Code)
			return customerRef{ID: c.ID, Code: c.Code, Name: c.Name}, "adopted", nil
		}
	}
	r.setUnsettled(unsettledKey("customer", key), true)
	return customerRef{}, "", text.Errorf("reason.create_customer_unconfirmed", want.Name, err)
}

// ---- articles ----

// findActiveArticle asks the ledger for the active article of k (by artikelcode, or by the
// extra field's value). inactive reports an inactive article with that code.
func (p *Pipeline) findActiveArticle(ctx context.Context, k mapping.ArticleKey) (a *sdk.Article, inactive bool, err error) {
	found, err := p.ledger.FindArticles(ctx, k.Query())
	if err != nil {
		return nil, false, text.Errorf("reason.lookup", k, err)
	}
	a, inactive = mapping.PickActiveArticle(k, found)
	return a, inactive, nil
}

// articleCreate is the outcome of createArticleOnce.
type articleCreate struct {
	// Article is the created (or adopted) article, with the fields sent filled in where the
	// ledger's answer lacked them.
	Article sdk.Article
	// Adopted is set when the create failed or had no answer and the article was found in
	// the ledger afterwards.
	Adopted bool
	// Unsettled is set when the create's outcome stays unknown (not found afterwards): it must
	// not be repeated before a later look-up.
	Unsettled bool
}

// createArticleOnce creates na (the article of k) under an intent
// (map/<profile>/article-intent/<key>). The caller has just looked k up and found nothing.
// When the create fails in a way that may hide an earlier or this create's success (its outcome
// is unknown, or SnelStart refuses the code as taken), k is looked up again and an active
// article is adopted. The intent is deleted when the create certainly did not happen, else by
// the caller's article map write (putArticleMap) once the article is known.
func (p *Pipeline) createArticleOnce(ctx context.Context, k mapping.ArticleKey, na sdk.Article) (articleCreate, error) {
	ik := state.MapKey(p.profile, MapArticleIntent, k.MapKey())
	prev, _, err := state.Get[ArticleIntentRecord](ctx, p.store, ik)
	if err != nil {
		return articleCreate{}, abortState(err, "reason.step.read_article_intent")
	}
	if prev.Attempts > 0 {
		p.log.Info("an earlier create of this article had no answer and SnelStart does not show it; creating it", "code", na.Code, "attempts", prev.Attempts)
	}
	in := ArticleIntentRecord{Key: k.MapKey(), Code: na.Code, ExtraField: k.ExtraField, StartedAt: p.now(), Attempts: prev.Attempts + 1}
	if err := state.Put(ctx, p.store, ik, in); err != nil {
		return articleCreate{}, abortState(err, "reason.step.record_article_intent", na.Code)
	}
	forget := func() {
		if derr := state.Delete(ctx, p.store, ik); derr != nil {
			p.log.Warn("could not delete the article intent", "code", na.Code, "error", derr)
		}
	}
	created, err := p.ledger.CreateArticle(ctx, na)
	if err == nil && created.ID == "" {
		err = &sdk.Error{Kind: sdk.KindOutcomeUnknown, Message: text.Template("reason.no_id_article")}
	}
	if err == nil {
		// The intent is deleted with the article map record the caller writes (putArticleMap).
		if created.Code == "" {
			created.Code, created.Description, created.RevenueGroupID, created.SalesPrice = na.Code, na.Description, na.RevenueGroupID, na.SalesPrice
		}
		return articleCreate{Article: created}, nil
	}
	unknown := createMayHaveHappened(err)
	if unknown {
		in.LastError = reasonOf(err)
		if perr := state.Put(ctx, p.store, ik, in); perr != nil {
			p.log.Warn("could not update the article intent", "code", na.Code, "error", perr)
		}
	} else {
		forget()
	}
	if classify(err) == classAbort || ctx.Err() != nil {
		return articleCreate{Unsettled: unknown}, err
	}
	// The create may have been committed (no answer), or an earlier one whose answer was lost
	// made it and SnelStart refuses the code as taken: look again before giving up.
	if again, _, ferr := p.findActiveArticle(ctx, k); ferr == nil && again != nil {
		p.log.Info("the article exists in SnelStart (a create's answer was lost); using it", "code", na.Code)
		return articleCreate{Article: *again, Adopted: true}, nil
	}
	return articleCreate{Unsettled: unknown}, err
}

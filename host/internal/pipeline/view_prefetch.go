package pipeline

import (
	"context"
	"slices"
	"sync"

	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// prefetchCodes is how many artikelcodes one batched look-up asks at most (SnelStart returns
// at most 25 artikelen a page).
const prefetchCodes = 25

// prefetchArticles looks up, in one FindArticles call per prefetchCodes codes
// (ArticleQuery.Codes), the artikelcodes of the order lines of a listed batch that neither the
// run nor the state store knows, before the workers plan those orders. The answer counts as
// each code's own look-up at that moment (Article): the active article found, or "not in the
// ledger" for a code without one, which the run caches as it caches a single look-up's "not
// found" (a create then goes through createArticleOnce as before). A failed look-up decides
// nothing: those codes are looked up one by one. A worker that needs a code being prefetched
// waits for the batched answer instead of asking itself. Only a ledger plugin that declares
// sdk.CapArticleCodes is asked (one that predates Codes might answer nothing), and articles
// looked up by an extra field (articles.code_field = "extra:…") are not prefetched.
func (r *run) prefetchArticles(ctx context.Context, items []pendingOrder) {
	if _, extra := r.p.prof.Articles.ExtraField(); extra || !r.p.articleCodes {
		return
	}
	v := r.view
	var codes []string
	seen := map[string]bool{}
	for _, it := range items {
		for _, l := range it.order.Lines {
			k := mapping.ArticleKey{Value: l.SKU}
			mk := k.MapKey()
			if l.SKU == "" || seen[mk] {
				continue
			}
			seen[mk] = true
			if _, ok := v.article(mk); ok {
				continue
			}
			rec, ok, err := state.Get[ArticleMapRecord](ctx, r.p.store, state.MapKey(r.p.profile, state.MapArticle, mk))
			if err != nil || (ok && r.p.now().Sub(rec.FetchedAt) < ArticleCacheAge) {
				continue
			}
			codes = append(codes, l.SKU)
		}
	}
	for chunk := range slices.Chunk(codes, prefetchCodes) {
		chunk, done := v.startPrefetch(chunk)
		if done == nil {
			continue
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			found, err := r.p.ledger.FindArticles(ctx, sdk.ArticleQuery{Codes: chunk})
			v.endPrefetch(chunk, found, err, done)
		}()
	}
}

// startPrefetch marks the codes neither being prefetched nor holding an answer not yet taken as
// being prefetched and returns them with the channel closed when their answer is in (nil when
// there is none left to ask).
func (v *ledgerView) startPrefetch(codes []string) ([]string, chan struct{}) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.pending == nil {
		v.pending = map[string]chan struct{}{}
		v.prefetched = map[string]*mapping.Article{}
	}
	done := make(chan struct{})
	var kept []string
	for _, c := range codes {
		mk := mapping.ArticleKey{Value: c}.MapKey()
		if _, busy := v.pending[mk]; busy {
			continue
		}
		if _, answered := v.prefetched[mk]; answered {
			continue // an earlier batch's answer, not taken yet: the order that takes it caches it
		}
		v.pending[mk] = done
		kept = append(kept, c)
	}
	if len(kept) == 0 {
		return nil, nil
	}
	return kept, done
}

// endPrefetch records the answer for codes (the active article, or nil when none) and wakes the
// workers waiting for them. A code the run has an entry for by now (an order created or looked
// it up meanwhile) keeps that entry; a failed look-up records nothing.
func (v *ledgerView) endPrefetch(codes []string, found []sdk.Article, err error, done chan struct{}) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, c := range codes {
		k := mapping.ArticleKey{Value: c}
		mk := k.MapKey()
		if v.pending[mk] == done {
			delete(v.pending, mk)
		}
		if _, known := v.articles.Peek(mk); err != nil || known {
			continue
		}
		if hit, _ := mapping.PickActiveArticle(k, found); hit != nil {
			a := mapping.ArticleFrom(*hit)
			v.prefetched[mk] = &a
		} else {
			v.prefetched[mk] = nil
		}
	}
	close(done)
}

// takePrefetched waits for a prefetch of map key mk under way, then returns (and forgets) its
// answer: ok false when there is none (the caller looks it up itself), else the article (nil:
// not in the ledger).
func (v *ledgerView) takePrefetched(ctx context.Context, mk string) (a *mapping.Article, ok bool, err error) {
	if err := waitPrefetch(ctx, &v.mu, v.pending, mk); err != nil {
		return nil, false, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	a, ok = v.prefetched[mk]
	delete(v.prefetched, mk)
	return a, ok, nil
}

// waitPrefetch waits until the batched look-up under way for key in pending (guarded by mu), if
// any, has its answer in; the error of ctx when ctx ends first. The article and the customer
// prefetch both wait with it.
func waitPrefetch(ctx context.Context, mu *sync.Mutex, pending map[string]chan struct{}, key string) error {
	mu.Lock()
	done := pending[key]
	mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

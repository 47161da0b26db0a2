package pipeline

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/sdk"
)

// A failed batched article look-up decides nothing: the worker waiting for it gets no answer
// (ok false) and looks the code up itself; a code found is answered once.
func TestFailedBatchedArticleLookUp(t *testing.T) {
	ctx := t.Context()
	v := newLedgerView(New(Options{}))
	codes, done := v.startPrefetch([]string{"KOFFIE", "MOK"})
	if len(codes) != 2 || done == nil {
		t.Fatalf("startPrefetch: %q, %v", codes, done)
	}
	if again, d := v.startPrefetch([]string{"KOFFIE"}); again != nil || d != nil {
		t.Fatalf("a code under way was started again: %q", again)
	}
	v.endPrefetch(codes, nil, errors.New("429 Too Many Requests"), done)
	for _, c := range codes {
		a, ok, err := v.takePrefetched(ctx, mapping.ArticleKey{Value: c}.MapKey())
		if err != nil || ok || a != nil {
			t.Fatalf("%s after a failed look-up: %v, %v, %v; want no answer", c, a, ok, err)
		}
	}
	codes, done = v.startPrefetch([]string{"KOFFIE", "NIEUW"})
	v.endPrefetch(codes, []sdk.Article{{ID: "a1", Code: "KOFFIE", Description: "Koffie"}}, nil, done)
	if again, d := v.startPrefetch([]string{"KOFFIE", "NIEUW"}); again != nil || d != nil {
		t.Fatalf("codes with an answer not yet taken were asked again: %q", again)
	}
	if a, ok, err := v.takePrefetched(ctx, mapping.ArticleKey{Value: "KOFFIE"}.MapKey()); err != nil || !ok || a == nil || a.ID != "a1" {
		t.Fatalf("KOFFIE: %+v, %v, %v; want article a1", a, ok, err)
	}
	if a, ok, err := v.takePrefetched(ctx, mapping.ArticleKey{Value: "NIEUW"}.MapKey()); err != nil || !ok || a != nil {
		t.Fatalf("NIEUW: %+v, %v, %v; want not in the ledger", a, ok, err)
	}
	if _, ok, _ := v.takePrefetched(ctx, mapping.ArticleKey{Value: "KOFFIE"}.MapKey()); ok {
		t.Fatal("KOFFIE answered twice")
	}
}

// A worker waiting for a batched look-up under way stops with the context's error when the run
// is cancelled, for articles and for customers alike, and takes no answer.
func TestPrefetchWaitCancelled(t *testing.T) {
	v := newLedgerView(New(Options{}))
	_, done := v.startPrefetch([]string{"KOFFIE"})
	cp := newCustomerPrefetch()
	cp.pending["a@x.nl"] = make(chan struct{})
	ctx, cancel := context.WithCancel(t.Context())
	errs := make(chan error, 2)
	go func() {
		_, ok, err := v.takePrefetched(ctx, mapping.ArticleKey{Value: "KOFFIE"}.MapKey())
		if ok {
			err = errors.New("article answered")
		}
		errs <- err
	}()
	go func() {
		_, ok, err := cp.take(ctx, "a@x.nl", time.Now())
		if ok {
			err = errors.New("customer answered")
		}
		errs <- err
	}()
	cancel()
	for range 2 {
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Fatalf("waiting for a prefetch under way after cancel: %v, want context canceled", err)
		}
	}
	close(done)
}

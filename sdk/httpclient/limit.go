package httpclient

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/time/rate"
)

// limiterParams returns the token-bucket rate (tokens per second) and burst that keep the number
// of requests started in any sliding window of length window at or below perWindow.
//
// A token bucket with rate r and burst b lets at most b + r·T requests start in any interval of
// length T (the full bucket plus what refills during it). A bucket of "perWindow per window,
// burst perWindow" would therefore allow up to 2·perWindow in one window. We choose
//
//	b = max(1, perWindow/10)      (an initial burst of a tenth of the limit)
//	r = (perWindow - b) / window  (the rest spread evenly)
//
// so that b + r·window = perWindow exactly: never more than perWindow starts in any window,
// closed or half-open, at the cost of a sustained rate of 90% of the limit. With perWindow = 1
// the burst is 1 and r = 1/window, which keeps every half-open window at one start.
func limiterParams(perWindow int, window time.Duration) (rate.Limit, int) {
	if perWindow <= 0 || window <= 0 {
		return rate.Inf, 0
	}
	b := perWindow / 10
	if b < 1 {
		b = 1
	}
	refill := perWindow - b
	if refill < 1 {
		refill = 1
	}
	return rate.Limit(float64(refill) / window.Seconds()), b
}

// startLimiter gates the start of every attempt: at most maxConcurrent in flight and at most
// perWindow started per window. The zero value (both nil) lets everything through.
type startLimiter struct {
	sem     chan struct{}
	limiter *rate.Limiter
	budget  Budget
}

func newStartLimiter(perWindow, maxConcurrent int, window time.Duration, budget Budget) *startLimiter {
	l := &startLimiter{budget: budget}
	if maxConcurrent > 0 {
		l.sem = make(chan struct{}, maxConcurrent)
	}
	if perWindow > 0 && budget == nil {
		r, b := limiterParams(perWindow, window)
		l.limiter = rate.NewLimiter(r, b)
	}
	return l
}

// acquire waits for a concurrency slot and then for a rate token (in that order, so the request
// starts as soon as it has its token and starts are never bunched behind the semaphore). It
// returns a release function for the slot, or an error when ctx ends first.
func (l *startLimiter) acquire(ctx context.Context) (func(), error) {
	release := func() {}
	if l.sem != nil {
		select {
		case l.sem <- struct{}{}:
			release = func() { <-l.sem }
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if l.limiter != nil {
		if err := l.limiter.Wait(ctx); err != nil {
			release()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// Wait refuses at once when the wait would pass ctx's deadline.
			return nil, fmt.Errorf("rate limit wait would pass the deadline: %w", context.DeadlineExceeded)
		}
	}
	if l.budget != nil {
		if err := l.budget.Wait(ctx); err != nil {
			release()
			return nil, err
		}
	}
	return release, nil
}

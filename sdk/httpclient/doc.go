// Package httpclient is the HTTP client every koppel connector uses for its calls to a shop or
// ledger API. It adds to net/http what real services need:
//
//   - retries with capped exponential backoff and jitter, honouring Retry-After (seconds or an
//     HTTP date) on 429 and 503, only where a retry cannot create a duplicate: idempotent
//     methods (GET, HEAD, PUT, DELETE, OPTIONS, TRACE) are retried on 429, 502, 503, 504 and
//     network errors; other methods (POST, PATCH) only on 429 and on failures where the request
//     was certainly not sent (dial and DNS errors, no connection obtained);
//   - typed errors (*sdk.Error): KindOutcomeUnknown for a POST whose answer was lost or that got
//     a 5xx, KindRetryable when retries are exhausted, KindUnreachable when the host does not
//     resolve, refuses connections or presents a bad certificate;
//   - a client-side rate limit (requests started per minute) that is never exceeded in any
//     sliding 60 s window, and a cap on requests in flight;
//   - after a 429 with Retry-After, every call of the client holds back until that time (or
//     fails fast with KindRetryable and RetryAfter when the wait is longer than MaxRetryWait
//     or than its context allows);
//   - a timeout per attempt inside the caller's context;
//   - redirects are never followed: a 3xx response is returned to the caller;
//   - logging (hclog, Debug level) of method, host and path with secret-looking query values
//     and every Options.Redact string replaced; headers and bodies are never logged, and error
//     messages are built the same way.
//
// Typical use in a connector:
//
//	c := httpclient.New(httpclient.Options{RatePerMinute: 100, MaxConcurrent: 5,
//		Redact: []string{key, secret}, Logger: log})
//	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
//	...
//	resp, err := c.Do(req)
//	if err != nil {
//		return err // always an *sdk.Error (a context's end stays in its chain)
//	}
//	body, err := httpclient.ReadBody(resp, 8<<20)
package httpclient

package httpclient

import (
	"fmt"
	"io"
	"net/http"

	"github.com/koppel-nl/koppel/sdk"
)

// DefaultBodyLimit is a sensible cap for ReadBody on API responses (a page of 100 orders is
// well under it).
const DefaultBodyLimit = 32 << 20

// ReadBody reads resp's body, at most limit bytes (limit <= 0 means DefaultBodyLimit), and
// closes it in every case. A body longer than limit is an *sdk.Error of KindPermanent; a read
// that fails midway (connection reset, attempt timeout) is KindRetryable. The error never
// contains the body or the URL's secrets.
func ReadBody(resp *http.Response, limit int64) ([]byte, error) {
	if resp == nil || resp.Body == nil {
		return nil, sdk.Errorf(sdk.KindPermanent, "read response body: no response")
	}
	defer resp.Body.Close()
	if limit <= 0 {
		limit = DefaultBodyLimit
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, &sdk.Error{Kind: sdk.KindRetryable, Err: err,
			Message: fmt.Sprintf("read response body (%s): %v", statusText(resp.StatusCode), safeCause(err))}
	}
	if int64(len(b)) > limit {
		return nil, sdk.Errorf(sdk.KindPermanent, "read response body (%s): longer than %d bytes", statusText(resp.StatusCode), limit)
	}
	return b, nil
}

// safeCause drops a *url.Error's URL from a read error's text.
func safeCause(err error) error { return unwrapURLError(err) }

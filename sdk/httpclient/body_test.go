package httpclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/sdk"
)

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestReadBody(t *testing.T) {
	tests := []struct {
		body  string
		limit int64
		kind  sdk.ErrorKind
	}{
		{"hello", 5, ""},
		{"hello", 0, ""},
		{"hello!", 5, sdk.KindPermanent},
		{"", 1, ""},
	}
	for _, tc := range tests {
		rc := &closeRecorder{Reader: strings.NewReader(tc.body)}
		b, err := ReadBody(&http.Response{StatusCode: 200, Body: rc}, tc.limit)
		if sdk.KindOf(err) != tc.kind {
			t.Errorf("%q limit %d: kind %q (%v)", tc.body, tc.limit, sdk.KindOf(err), err)
		}
		if err == nil && string(b) != tc.body {
			t.Errorf("%q: got %q", tc.body, b)
		}
		if !rc.closed {
			t.Errorf("%q: body not closed", tc.body)
		}
	}
	if _, err := ReadBody(nil, 10); sdk.KindOf(err) != sdk.KindPermanent {
		t.Errorf("nil response: %v", err)
	}
	rc := &closeRecorder{Reader: io.MultiReader(strings.NewReader("x"), errReader{})}
	if _, err := ReadBody(&http.Response{StatusCode: 200, Body: rc}, 10); sdk.KindOf(err) != sdk.KindRetryable || !rc.closed {
		t.Errorf("failing read: %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset by peer") }

// TestBodyReleasesSlot checks a concurrency slot is freed when the caller closes the body.
func TestBodyReleasesSlot(t *testing.T) {
	srv, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
		_, _ = io.WriteString(w, "x")
	})
	c := fast(Options{MaxConcurrent: 1})
	for range 5 {
		resp, err := get(t, context.Background(), c, srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		if err := resp.Body.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

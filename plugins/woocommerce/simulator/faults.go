package simulator

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

const maxBody = 32 << 20

func validFaults(f Faults) error {
	for name, v := range map[string]float64{"error_rate": f.ErrorRate, "too_many_rate": f.TooManyRate,
		"unavailable_rate": f.UnavailableRate, "drop_rate": f.DropRate, "lost_response_rate": f.LostResponseRate} {
		if v < 0 || v > 1 || v != v {
			return fmt.Errorf("simulator: fault %s=%v: want a fraction between 0 and 1", name, v)
		}
	}
	if f.Latency < 0 || f.RetryAfter < 0 {
		return fmt.Errorf("simulator: fault durations must not be negative")
	}
	return nil
}

// SetFaults replaces the injected failures.
func (s *Server) SetFaults(f Faults) error {
	if err := validFaults(f); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	return nil
}

// CurrentFaults returns the injected failures in force.
func (s *Server) CurrentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// FailNext makes the next n API requests fail with status (429, 500, 502, 503 or 504; 0 means
// "drop the connection"), before any random fault. Calls queue up.
func (s *Server) FailNext(status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		s.failNext = append(s.failNext, status)
	}
}

type faultKind int

const (
	faultNone faultKind = iota
	faultHandled
	faultLoseResponse
)

// injectFault applies the configured failures; faultHandled means the answer was written.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request) faultKind {
	s.mu.Lock()
	f := s.faults
	status := -1
	if len(s.failNext) > 0 {
		status = s.failNext[0]
		s.failNext = s.failNext[1:]
	}
	draw := func(rate float64) bool { return rate > 0 && s.rnd.Float64() < rate }
	if status < 0 {
		switch {
		case draw(f.DropRate):
			status = 0
		case draw(f.TooManyRate):
			status = http.StatusTooManyRequests
		case draw(f.UnavailableRate):
			status = http.StatusServiceUnavailable
		case draw(f.ErrorRate):
			status = http.StatusInternalServerError
		}
	}
	lose := status < 0 && r.Method != http.MethodGet && r.Method != http.MethodHead && draw(f.LostResponseRate)
	if status >= 0 || lose {
		s.stats.FaultsInjected++
	}
	s.mu.Unlock()

	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return faultHandled
		}
	}
	if lose {
		return faultLoseResponse
	}
	if status < 0 {
		return faultNone
	}
	retry := f.RetryAfter
	if retry <= 0 {
		retry = time.Second
	}
	secs := strconv.Itoa(int((retry + time.Second - 1) / time.Second))
	switch status {
	case 0:
		dropConnection(w)
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", secs)
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1></body></html>")
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", secs)
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>")
	case http.StatusInternalServerError:
		// WordPress's fatal-error handler answers REST requests with this body.
		writeJSON(w, status, orderedMap{
			{"code", "internal_server_error"},
			{"message", "<p>There has been a critical error on this website.</p><p><a href=\"https://wordpress.org/documentation/article/faq-troubleshooting/\">Learn more about troubleshooting WordPress.</a></p>"},
			{"data", orderedMap{{"status", 500}}},
			{"additional_errors", []any{}},
		})
	default:
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "<html><body><h1>"+strconv.Itoa(status)+" "+http.StatusText(status)+"</h1></body></html>")
	}
	return faultHandled
}

// dropConnection closes the client connection without an answer (when the server supports
// hijacking; otherwise it answers 502 so the client still sees a failure).
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	w.WriteHeader(http.StatusBadGateway)
}

// discardWriter is a ResponseWriter that keeps nothing (for a write whose answer is lost).
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header {
	if d.h == nil {
		d.h = http.Header{}
	}
	return d.h
}
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("request body over %d bytes", maxBody)
	}
	return b, nil
}

func bodyFrom(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

package simulator

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Faults are failures the simulator injects into API requests (admin requests are never
// affected). Rates are fractions between 0 and 1, drawn per request in this order: drop,
// throttle, unavailable, error.
type Faults struct {
	// ThrottleRate answers 429 with Retry-After.
	ThrottleRate float64 `json:"throttle_rate"`
	// UnavailableRate answers 503 with Retry-After.
	UnavailableRate float64 `json:"unavailable_rate"`
	// ErrorRate answers 500.
	ErrorRate float64 `json:"error_rate"`
	// DropRate closes the connection without an answer.
	DropRate float64 `json:"drop_rate"`
	// LostResponseRate applies a write (PUT) and then closes the connection without an answer.
	LostResponseRate float64 `json:"lost_response_rate"`
	// Latency delays every API answer.
	Latency time.Duration `json:"-"`
	// RetryAfter is the Retry-After of 429 and 503 answers; default 1s.
	RetryAfter time.Duration `json:"-"`
}

func (f Faults) validate() error {
	for name, v := range map[string]float64{"throttle_rate": f.ThrottleRate, "unavailable_rate": f.UnavailableRate,
		"error_rate": f.ErrorRate, "drop_rate": f.DropRate, "lost_response_rate": f.LostResponseRate} {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("simulator: fault %s=%v: want a fraction from 0 to 1", name, v)
		}
	}
	if f.Latency < 0 || f.RetryAfter < 0 {
		return errors.New("simulator: fault durations must not be negative")
	}
	return nil
}

// SetFaults replaces the injected failures.
func (s *Server) SetFaults(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
	return nil
}

// CurrentFaults returns the failures in force.
func (s *Server) CurrentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// FailNext makes the next n API requests fail with status (429, 500, 502, 503, 504; 0 drops
// the connection), before any random fault.
func (s *Server) FailNext(status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		s.failNext = append(s.failNext, status)
	}
}

// injectFault applies the failures in force; true means the answer has been written (or the
// connection dropped) and the request must not be served. A lost response is served first and
// then dropped, through lostResponseWriter.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	f := s.faults
	status := -1
	if len(s.failNext) > 0 {
		status, s.failNext = s.failNext[0], s.failNext[1:]
	}
	draw := func(rate float64) bool { return rate > 0 && (rate >= 1 || s.rnd.Float64() < rate) }
	if status < 0 {
		switch {
		case draw(f.DropRate):
			status = 0
		case draw(f.ThrottleRate):
			status = http.StatusTooManyRequests
		case draw(f.UnavailableRate):
			status = http.StatusServiceUnavailable
		case draw(f.ErrorRate):
			status = http.StatusInternalServerError
		}
	}
	lose := status < 0 && r.Method == http.MethodPut && draw(f.LostResponseRate)
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
			return true
		}
	}
	if lose {
		s.serveAPIThenDrop(w, r)
		return true
	}
	if status < 0 {
		return false
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
		writeError(w, status, "rate_limited", "too many requests; try again later")
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", secs)
		writeError(w, status, "unavailable", "the shop is under maintenance")
	default:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "<html><body><h1>Er is iets misgegaan</h1></body></html>")
	}
	return true
}

// serveAPIThenDrop serves a write for real and then closes the connection without answering.
func (s *Server) serveAPIThenDrop(w http.ResponseWriter, r *http.Request) {
	s.serveAPIWithoutFaults(&discardWriter{header: http.Header{}}, r)
	dropConnection(w)
}

// dropConnection closes the client connection without an HTTP answer.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// discardWriter is a ResponseWriter that forgets everything.
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// readLimited reads at most limit bytes of r's body.
func readLimited(r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("body longer than %d bytes", limit)
	}
	return b, nil
}

package simulator

import (
	"io"
	"net/http"
	"strconv"
	"time"
)

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

// takeCommitFault reports (once) that a committed write must be answered 500.
func (s *Server) takeCommitFault() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.Mode == "commit_then_500" {
		s.faults.Mode = ""
		s.stats.FaultsInjected++
		return true
	}
	return false
}

// injectFault answers the request with an injected failure, or returns false.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	f := s.faults
	status := 0
	retry := f.RetryAfterSeconds
	switch f.Mode {
	case "throttle":
		status = http.StatusTooManyRequests
	case "unavailable":
		status = http.StatusServiceUnavailable
	}
	if status != 0 && retry == 0 {
		retry = 600
	}
	draw := func(rate float64) bool { return rate > 0 && s.rnd.Float64() < rate }
	if status == 0 {
		switch {
		case draw(f.ThrottleRate):
			status = http.StatusTooManyRequests
		case draw(f.UnavailableRate):
			status = http.StatusServiceUnavailable
		case draw(f.ErrorRate):
			status = http.StatusInternalServerError
		}
	}
	if status != 0 {
		s.stats.FaultsInjected++
	}
	s.mu.Unlock()
	if f.LatencyMS > 0 {
		t := time.NewTimer(time.Duration(f.LatencyMS) * time.Millisecond)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	if retry <= 0 {
		retry = 1
	}
	switch status {
	case 0:
		return false
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		// What a CDN or Magento's maintenance mode answers: HTML, with Retry-After.
		w.Header().Set("Retry-After", strconv.FormatInt(retry, 10))
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "<html><body><h1>"+strconv.Itoa(status)+" "+http.StatusText(status)+"</h1></body></html>")
	default:
		writeError(w, status, "Internal Error. Details are available in Magento log file. Report ID: %1", []string{"webapi-sim"})
	}
	return true
}

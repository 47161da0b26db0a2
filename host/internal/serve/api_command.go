package serve

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
)

// CommandRequest is the body of POST /api/cli: a koppel command another koppel process on this
// machine could not run itself because this daemon holds the state store.
type CommandRequest struct {
	// Args are the command line without the program name and without --config (the daemon's
	// configuration is used), e.g. ["orders", "winkel", "--failed"].
	Args []string `json:"args"`
	// Lang is the caller's language choice (nl or en); empty means the daemon's default.
	Lang string `json:"lang,omitempty"`
}

// CommandEvent is one line of POST /api/cli's answer, a stream of JSON lines: output as the
// command writes it (stdout or stderr), then one final line with its exit status.
type CommandEvent struct {
	Stdout string `json:"stdout,omitempty"`
	Stderr string `json:"stderr,omitempty"`
	// Exit is set on the last line only.
	Exit *int `json:"exit,omitempty"`
}

// CommandRunner runs one forwarded command in the daemon, writing its output to stdout and
// stderr, and returns its exit status. It refuses (exit 2, with a message) commands that are
// not meant to be forwarded.
type CommandRunner func(ctx context.Context, req CommandRequest, stdout, stderr io.Writer) int

// eventWriter turns writes into CommandEvent lines, flushed at once so a long sync shows its
// output while it runs.
type eventWriter struct {
	mu     *sync.Mutex
	enc    *json.Encoder
	flush  func()
	stderr bool
}

func (e eventWriter) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ev := CommandEvent{Stdout: string(p)}
	if e.stderr {
		ev = CommandEvent{Stderr: string(p)}
	}
	if err := e.enc.Encode(ev); err != nil {
		return 0, err
	}
	e.flush()
	return len(p), nil
}

// apiCommand answers POST /api/cli: it runs a command for a koppel process that found the state
// store held by this daemon, streaming its output back (see CommandEvent).
func (s *server) apiCommand(w http.ResponseWriter, r *http.Request) {
	if s.opts.Commands == nil {
		writeError(w, http.StatusServiceUnavailable, "this koppel does not run commands for others")
		return
	}
	var req CommandRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil || len(req.Args) == 0 {
		writeError(w, http.StatusBadRequest, `send {"args": ["orders", "PROFILE"]}`)
		return
	}
	s.log.Info("command for another koppel process", "command", req.Args[0], "remote", r.RemoteAddr)
	w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	flush := func() {}
	if f, ok := w.(http.Flusher); ok {
		flush = f.Flush
	}
	var mu sync.Mutex
	enc := json.NewEncoder(w)
	code := s.opts.Commands(r.Context(), req, eventWriter{mu: &mu, enc: enc, flush: flush}, eventWriter{mu: &mu, enc: enc, flush: flush, stderr: true})
	mu.Lock()
	defer mu.Unlock()
	_ = enc.Encode(CommandEvent{Exit: &code}) // the caller went away; nothing to do
	flush()
}

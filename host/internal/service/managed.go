package service

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"

	kservice "github.com/kardianos/service"
)

// UnderServiceManager reports whether this process was started by the Windows service control
// manager, so `koppel run` must hand control to RunManaged. On Linux systemd simply starts the
// process and stops it with SIGTERM; nothing special is needed there.
func UnderServiceManager() bool {
	return runtime.GOOS == "windows" && !kservice.Interactive()
}

// Body is the service's work: it runs until ctx ends, writing its log lines to log.
type Body func(ctx context.Context, log *LogWriter) error

// program adapts a Body to the library's Start/Stop.
type program struct {
	body   Body
	log    *LogWriter
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

func (p *program) Start(kservice.Service) error {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.done = make(chan struct{})
	go func() {
		defer close(p.done)
		p.err = p.body(ctx, p.log)
		if p.err != nil && ctx.Err() == nil {
			// The body ended on its own (a broken configuration, the state store locked):
			// the event log says why and the service manager sees the process end.
			_ = p.log.sys.Error(fmt.Sprintf("koppel stopped: %v", p.err))
			p.log.fatal()
		}
	}()
	return nil
}

func (p *program) Stop(kservice.Service) error {
	p.cancel()
	<-p.done
	return nil
}

// RunManaged runs body as the service l.Name under the Windows service control manager until
// the manager stops it; body's log goes to the Windows event log. exit ends the process with a
// failure status when body ends on its own (the manager then restarts the service).
func RunManaged(l Layout, body Body, exit func(code int)) error {
	c, err := kardianosConfig(l)
	if err != nil {
		return err
	}
	p := &program{body: body}
	s, err := kservice.New(p, c)
	if err != nil {
		return fmt.Errorf("service manager: %w", err)
	}
	sys, err := s.Logger(nil)
	if err != nil {
		return fmt.Errorf("open the event log: %w", err)
	}
	p.log = &LogWriter{sys: sys, fatal: func() { exit(1) }}
	return s.Run()
}

// SystemLog is the part of the system log a LogWriter writes to (the Windows event log).
type SystemLog interface {
	Error(v ...any) error
	Warning(v ...any) error
	Info(v ...any) error
}

// LogWriter turns the host's log lines into system log entries: a line with [ERROR] becomes an
// error, [WARN] a warning, anything else information. It is safe for concurrent use.
type LogWriter struct {
	sys   SystemLog
	fatal func()
	mu    sync.Mutex
	buf   []byte
}

// NewLogWriter returns a LogWriter writing to sys.
func NewLogWriter(sys SystemLog) *LogWriter { return &LogWriter{sys: sys, fatal: func() {}} }

// Write buffers p and sends every complete line.
func (w *LogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := strings.TrimRight(string(w.buf[:i]), "\r")
		w.buf = w.buf[i+1:]
		if strings.TrimSpace(line) == "" {
			continue
		}
		switch {
		case strings.Contains(line, "[ERROR]"), strings.Contains(line, `"@level":"error"`):
			_ = w.sys.Error(line)
		case strings.Contains(line, "[WARN]"), strings.Contains(line, `"@level":"warn"`):
			_ = w.sys.Warning(line)
		default:
			_ = w.sys.Info(line)
		}
	}
}

package conformance

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
)

// recorder is a Runner[*recorder] that records what the kit reports instead of failing the
// real test, so the kit's own tests can assert that it fails on broken connectors.
type recorder struct {
	name   string
	parent *recorder
	log    *recLog

	mu      sync.Mutex
	failed  bool
	skipped bool
}

// recLog is shared by a recorder tree.
type recLog struct {
	mu      sync.Mutex
	lines   []string
	failed  map[string]bool // subtest names (without the root) that failed themselves
	skipped map[string]bool
	ran     map[string]bool
}

func newRecorder() *recorder {
	return &recorder{name: "", log: &recLog{failed: map[string]bool{}, skipped: map[string]bool{}, ran: map[string]bool{}}}
}

func (r *recorder) Helper()      {}
func (r *recorder) Name() string { return r.name }

func (r *recorder) add(kind, format string, args ...any) {
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	r.log.lines = append(r.log.lines, fmt.Sprintf("%s %s: %s", kind, r.name, fmt.Sprintf(format, args...)))
	switch kind {
	case "FAIL":
		r.log.failed[r.name] = true
	case "SKIP":
		r.log.skipped[r.name] = true
	}
}

func (r *recorder) Logf(format string, args ...any) { r.add("LOG ", format, args...) }

func (r *recorder) Errorf(format string, args ...any) {
	r.add("FAIL", format, args...)
	r.fail()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.add("SKIP", format, args...)
	r.mu.Lock()
	r.skipped = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) fail() {
	for p := r; p != nil; p = p.parent {
		p.mu.Lock()
		p.failed = true
		p.mu.Unlock()
	}
}

func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

// Run runs f on its own goroutine, as testing does, so Fatalf and Skipf end only the subtest.
func (r *recorder) Run(name string, f func(*recorder)) bool {
	child := &recorder{name: strings.TrimPrefix(r.name+"/"+name, "/"), parent: r, log: r.log}
	r.log.mu.Lock()
	r.log.ran[child.name] = true
	r.log.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(child)
	}()
	<-done
	return !child.Failed()
}

// failedTests returns the names of the subtests that reported a failure, sorted.
func (r *recorder) failedTests() []string {
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	var out []string
	for n := range r.log.failed {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// didRun reports whether a subtest of that name was started.
func (r *recorder) didRun(name string) bool {
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	return r.log.ran[name]
}

func (r *recorder) skippedTests() []string {
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	var out []string
	for n := range r.log.skipped {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (r *recorder) String() string {
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	return strings.Join(r.log.lines, "\n")
}

// Compile-time proof that both *testing.T and the recorder are Runners.
var (
	_ Runner[*testing.T] = (*testing.T)(nil)
	_ Runner[*recorder]  = (*recorder)(nil)
)

func TestRecorderFatalEndsOnlyTheSubtest(t *testing.T) {
	r := newRecorder()
	after := false
	r.Run("a", func(r *recorder) {
		r.Fatalf("boom")
		after = true
	})
	ran := false
	r.Run("b", func(r *recorder) { ran = true })
	r.Run("c", func(r *recorder) { r.Skipf("not here") })
	if after || !ran || !r.Failed() {
		t.Errorf("after=%v ran=%v failed=%v", after, ran, r.Failed())
	}
	if got := r.failedTests(); len(got) != 1 || got[0] != "a" {
		t.Errorf("failed %v", got)
	}
	if got := r.skippedTests(); len(got) != 1 || got[0] != "c" {
		t.Errorf("skipped %v", got)
	}
}

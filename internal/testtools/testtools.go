// Package testtools is how koppel's tests ask for an outside program (headless Chromium,
// mdbtools). A missing program fails the test, naming it and the command that installs it, so
// `make test` never passes by quietly leaving tests out. Only when the person running the tests
// says so on purpose, with the tool's skip variable (KOPPEL_SKIP_BROWSER=1,
// KOPPEL_SKIP_MDBTOOLS=1), does the test skip instead.
package testtools

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Tool is an outside program (or family of programs) a test needs.
type Tool struct {
	// Name is what the tool is called in messages, e.g. "headless Chromium".
	Name string
	// Programs are the binaries looked up in PATH; Find returns the first one found and Require
	// wants all of them unless Any is set.
	Programs []string
	// Any means one of Programs is enough (browser names differ per distribution).
	Any bool
	// Install is the command that installs the tool on Debian.
	Install string
	// SkipEnv is the environment variable that, set to 1, turns the failure into a skip.
	SkipEnv string
}

// Chromium is headless Chromium for the dashboard's browser tests.
var Chromium = Tool{
	Name:     "headless Chromium",
	Programs: []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"},
	Any:      true,
	Install:  "apt-get install chromium (or: make deps)",
	SkipEnv:  "KOPPEL_SKIP_BROWSER",
}

// MDBTools are the mdbtools programs that read SnelStart desktop's Access files.
var MDBTools = Tool{
	Name:     "mdbtools",
	Programs: []string{"mdb-json", "mdb-export", "mdb-tables", "mdb-schema"},
	Install:  "apt-get install mdbtools (or: make deps)",
	SkipEnv:  "KOPPEL_SKIP_MDBTOOLS",
}

// TB is the part of testing.TB that Require uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// Missing returns the tool's programs that are not in PATH; with Any, all of them when none is
// found and nothing otherwise.
func (tool Tool) Missing() []string {
	var missing []string
	for _, p := range tool.Programs {
		if _, err := exec.LookPath(p); err != nil {
			missing = append(missing, p)
		} else if tool.Any {
			return nil
		}
	}
	return missing
}

// Find returns the path of the first of the tool's programs in PATH, or "".
func (tool Tool) Find() string {
	for _, p := range tool.Programs {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	return ""
}

// Skipped reports whether the person running the tests chose to leave the tool's tests out.
func (tool Tool) Skipped() bool {
	return os.Getenv(tool.SkipEnv) == "1"
}

// Message says what is missing, how to install it and how to leave the tests out on purpose.
func (tool Tool) Message(missing []string) string {
	what := strings.Join(missing, ", ")
	if tool.Any {
		what = "none of " + what
	}
	return "this test needs " + tool.Name + " (" + what + " in PATH): " + tool.Install +
		"; or set " + tool.SkipEnv + "=1 to leave these tests out on purpose"
}

// Require fails t when the tool is missing, naming it and its install command, or skips t when
// the tool's skip variable is set to 1. It returns the path of the first program found.
func Require(t TB, tool Tool) string {
	t.Helper()
	missing := tool.Missing()
	if len(missing) == 0 {
		return tool.Find()
	}
	if tool.Skipped() {
		t.Skipf("%s is missing and %s=1 is set: %s", tool.Name, tool.SkipEnv, tool.Message(missing))
		return ""
	}
	t.Fatalf("%s", tool.Message(missing))
	return ""
}

// RepoRoot returns the directory holding go.mod above the test's working directory.
func RepoRoot(t TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("%v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod above the test directory")
			return ""
		}
		dir = parent
	}
}

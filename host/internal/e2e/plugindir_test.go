package e2e

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
)

// pluginSources maps a plugin name to the package it is built from, for plugins TestMain does
// not build.
var pluginSources = map[string]string{
	"snelstart-mdb": "./plugins/snelstart-mdb",
	"orderfiles":    "./examples/plugins/orderfiles",
}

// builtDirs caches one locked plugin_dir per set of plugin names for the whole test binary.
var builtDirs struct {
	sync.Mutex
	dirs map[string]*builtDir
}

type builtDir struct {
	once sync.Once
	dir  string
	err  error
}

// pluginDirWith returns a plugin_dir, shared read-only by the tests that ask for the same set,
// holding exactly the named plugins and a lock file for them written by `koppel plugins
// lock`: the ones TestMain built are copied from there, the others are built from this
// checkout (pluginSources). It lives in binDir and is removed with it.
func pluginDirWith(t *testing.T, names ...string) string {
	t.Helper()
	names = append([]string(nil), names...)
	sort.Strings(names)
	key := strings.Join(names, "+")
	builtDirs.Lock()
	if builtDirs.dirs == nil {
		builtDirs.dirs = map[string]*builtDir{}
	}
	b := builtDirs.dirs[key]
	if b == nil {
		b = &builtDir{}
		builtDirs.dirs[key] = b
	}
	builtDirs.Unlock()
	b.once.Do(func() { b.dir, b.err = buildPluginDir(key, names) })
	if b.err != nil {
		t.Fatalf("plugin_dir with %s: %v", key, b.err)
	}
	return b.dir
}

func buildPluginDir(key string, names []string) (string, error) {
	root := filepath.Join(binDir, "sets", key)
	dir := filepath.Join(root, "plugins")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	exe := ""
	if runtime.GOOS == "windows" {
		exe = ".exe"
	}
	for _, n := range names {
		bin := "koppel-plugin-" + n + exe
		dst := filepath.Join(dir, bin)
		if _, err := os.Stat(filepath.Join(binDir, "plugins", bin)); err == nil {
			if err := copyFile(filepath.Join(binDir, "plugins", bin), dst, 0o755); err != nil {
				return "", err
			}
			continue
		}
		src, ok := pluginSources[n]
		if !ok {
			return "", fmt.Errorf("no source known for plugin %s", n)
		}
		cmd := exec.Command("go", "build", "-o", dst, src)
		cmd.Dir = repoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build %s: %v\n%s", src, err, out)
		}
	}
	cfg := fmt.Sprintf("koppel {\n  plugin_dir = %q\n  state_dir = %q\n}\n", dir, filepath.Join(root, "state"))
	if err := os.WriteFile(filepath.Join(root, "koppel.hcl"), []byte(cfg), 0o644); err != nil {
		return "", err
	}
	cmd := exec.Command(filepath.Join(binDir, "koppel"), "plugins", "lock", "--config", root)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("koppel plugins lock: %v\n%s", err, out)
	}
	return dir, nil
}

// copyFile copies src to dst with mode perm.
func copyFile(src, dst string, perm os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// sharedFile returns the path of a file under the shared directory ($KOPPEL_SHARED, or
// ../shared beside the repository root); it skips the test, naming the file, when it is
// absent.
func sharedFile(t *testing.T, rel string) string {
	t.Helper()
	dir := os.Getenv("KOPPEL_SHARED")
	if dir == "" {
		dir = filepath.Join(filepath.Dir(repoRoot()), "shared")
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s is missing (set KOPPEL_SHARED to the shared directory)", p)
	}
	return p
}

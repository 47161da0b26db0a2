// Package release builds koppel's release archives (`make dist`): for every target platform an
// archive holding the koppel binary, the bundled plugins with their koppel-plugins.lock, the
// documentation and the example profiles, built with -trimpath and the version stamped; and a
// SHA256SUMS file over the archives that `sha256sum -c` reads.
package release

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/host/internal/plugins"
	"github.com/koppel-nl/koppel/sdk"
)

// Target is one platform an archive is built for.
type Target struct {
	GOOS, GOARCH string
}

func (t Target) String() string { return t.GOOS + "/" + t.GOARCH }

// exe is the file name of a binary for the target.
func (t Target) exe(name string) string {
	if t.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

// ParseTargets reads "linux/amd64,windows/amd64".
func ParseTargets(s string) ([]Target, error) {
	var out []Target
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		goos, goarch, ok := strings.Cut(part, "/")
		if !ok || goos == "" || goarch == "" {
			return nil, fmt.Errorf("target %q: write GOOS/GOARCH, e.g. linux/amd64", part)
		}
		out = append(out, Target{GOOS: goos, GOARCH: goarch})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no targets")
	}
	return out, nil
}

// DefaultTargets are the platforms koppel is released for.
var DefaultTargets = []Target{{"linux", "amd64"}, {"linux", "arm64"}, {"windows", "amd64"}}

// DefaultPlugins are the plugins bundled in every archive.
var DefaultPlugins = []string{"woocommerce", "magento", "onetoshop", "snelstart-online", "snelstart-mdb"}

// Options say what Build builds.
type Options struct {
	// RepoDir is the koppel checkout.
	RepoDir string
	// OutDir receives the archives and SHA256SUMS.
	OutDir string
	// Version is stamped into every binary (main.version) and names the archives.
	Version string
	// Targets are the platforms (default DefaultTargets).
	Targets []Target
	// Plugins are the bundled plugins (default DefaultPlugins).
	Plugins []string
	// ModTime is the time recorded for every archive entry (default 2000-01-01), so two builds
	// of the same commit give the same archives.
	ModTime time.Time
	// Go is the go command (default "go").
	Go string
	// Log receives one line per step (may be nil).
	Log io.Writer
}

// Archive is one archive Build wrote.
type Archive struct {
	Target Target
	// Path is the archive file.
	Path string
	// SHA256 is its checksum, as written to SHA256SUMS.
	SHA256 string
	// Files are the archive's entries (relative to its top directory).
	Files []string
}

// SumsFile is the name of the checksum file in OutDir.
const SumsFile = "SHA256SUMS"

// Build builds every target's archive into o.OutDir and writes SHA256SUMS there.
func Build(ctx context.Context, o Options) ([]Archive, error) {
	if o.Targets == nil {
		o.Targets = DefaultTargets
	}
	if o.Plugins == nil {
		o.Plugins = DefaultPlugins
	}
	if o.Go == "" {
		o.Go = "go"
	}
	if o.ModTime.IsZero() {
		o.ModTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Version == "" {
		return nil, fmt.Errorf("no version: give one (make dist VERSION=1.2.3)")
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", o.OutDir, err)
	}
	work, err := os.MkdirTemp("", "koppel-dist-")
	if err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	defer os.RemoveAll(work)

	// The plugins describe themselves (kind, version, protocol) when built for this machine;
	// those facts are the same for every platform, only the checksums differ.
	meta, err := describePlugins(ctx, o, filepath.Join(work, "native"))
	if err != nil {
		return nil, err
	}
	var out []Archive
	for _, t := range o.Targets {
		a, err := buildTarget(ctx, o, t, work, meta)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t, err)
		}
		out = append(out, a)
	}
	if err := WriteSums(filepath.Join(o.OutDir, SumsFile), out); err != nil {
		return nil, err
	}
	fmt.Fprintf(o.Log, "wrote %s\n", filepath.Join(o.OutDir, SumsFile))
	return out, nil
}

// goBuild builds pkg for t into dst with -trimpath and the version stamped.
func goBuild(ctx context.Context, o Options, t Target, pkg, dst string) error {
	fmt.Fprintf(o.Log, "build %s %s\n", t, pkg)
	cmd := exec.CommandContext(ctx, o.Go, "build", "-trimpath", "-ldflags", "-s -w -X main.version="+o.Version, "-o", dst, pkg)
	cmd.Dir = o.RepoDir
	cmd.Env = append(os.Environ(), "GOOS="+t.GOOS, "GOARCH="+t.GOARCH, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s for %s: %v\n%s", pkg, t, err, out)
	}
	return nil
}

// pluginTarget is the platform a plugin is built for in t's archive: the SnelStart desktop
// plugin is 32-bit on Windows, because the Access ODBC driver that comes with Windows is.
func pluginTarget(t Target, name string) Target {
	if t.GOOS == "windows" && name == "snelstart-mdb" {
		return Target{GOOS: "windows", GOARCH: "386"}
	}
	return t
}

func describePlugins(ctx context.Context, o Options, dir string) (map[string]plugins.LockEntry, error) {
	native := Target{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}
	meta := map[string]plugins.LockEntry{}
	for _, name := range o.Plugins {
		bin := filepath.Join(dir, native.exe(plugins.BinaryPrefix+name))
		if err := goBuild(ctx, o, native, "./plugins/"+name, bin); err != nil {
			return nil, err
		}
		out, err := exec.CommandContext(ctx, bin, "describe").Output()
		if err != nil {
			return nil, fmt.Errorf("%s describe: %w", name, err)
		}
		var d struct {
			Name       string         `json:"name"`
			Kind       sdk.PluginKind `json:"kind"`
			Version    string         `json:"version"`
			SDKVersion string         `json:"sdk_version"`
			Protocol   int            `json:"protocol"`
		}
		if err := json.Unmarshal(out, &d); err != nil {
			return nil, fmt.Errorf("%s describe: %w", name, err)
		}
		if d.Name != name || d.Version != o.Version {
			return nil, fmt.Errorf("plugin %s describes itself as %s %s; want %s %s", name, d.Name, d.Version, name, o.Version)
		}
		meta[name] = plugins.LockEntry{Kind: d.Kind, Version: d.Version, Protocol: d.Protocol, SDKVersion: d.SDKVersion}
	}
	return meta, nil
}

// buildTarget stages and archives one target.
func buildTarget(ctx context.Context, o Options, t Target, work string, meta map[string]plugins.LockEntry) (Archive, error) {
	top := fmt.Sprintf("koppel-%s-%s-%s", o.Version, t.GOOS, t.GOARCH)
	stage := filepath.Join(work, top)
	pluginDir := filepath.Join(stage, "plugins")
	if err := os.MkdirAll(pluginDir, 0o755); err != nil {
		return Archive{}, err
	}
	if err := goBuild(ctx, o, t, "./host", filepath.Join(stage, t.exe("koppel"))); err != nil {
		return Archive{}, err
	}
	lock := &plugins.LockFile{Plugins: map[string]plugins.LockEntry{}}
	for _, name := range o.Plugins {
		file := t.exe(plugins.BinaryPrefix + name)
		dst := filepath.Join(pluginDir, file)
		if err := goBuild(ctx, o, pluginTarget(t, name), "./plugins/"+name, dst); err != nil {
			return Archive{}, err
		}
		sum, err := fileSum(dst)
		if err != nil {
			return Archive{}, err
		}
		e := meta[name]
		e.File = file
		e.SHA256 = sum
		lock.Plugins[name] = e
	}
	if err := plugins.WriteLockFile(plugins.DefaultLockPath(pluginDir), lock); err != nil {
		return Archive{}, err
	}
	if err := copyDocs(o.RepoDir, stage); err != nil {
		return Archive{}, err
	}
	files, err := listFiles(stage)
	if err != nil {
		return Archive{}, err
	}
	var path string
	if t.GOOS == "windows" {
		path = filepath.Join(o.OutDir, top+".zip")
		err = writeZip(path, stage, top, files, o.ModTime)
	} else {
		path = filepath.Join(o.OutDir, top+".tar.gz")
		err = writeTarGz(path, stage, top, files, o.ModTime)
	}
	if err != nil {
		return Archive{}, fmt.Errorf("archive %s: %w", path, err)
	}
	sum, err := fileSum(path)
	if err != nil {
		return Archive{}, err
	}
	fmt.Fprintf(o.Log, "wrote %s\n", path)
	return Archive{Target: t, Path: path, SHA256: sum, Files: files}, nil
}

// copyDocs copies the README, the docs and the example profiles into the staging directory.
func copyDocs(repo, stage string) error {
	for _, p := range []string{"README.md", "LICENSE", "docs", "examples/profiles", "examples/deploy"} {
		src := filepath.Join(repo, p)
		if _, err := os.Stat(src); err != nil {
			continue
		}
		err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(repo, path)
			dst := filepath.Join(stage, rel)
			if d.IsDir() {
				return os.MkdirAll(dst, 0o755)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(dst, b, 0o644)
		})
		if err != nil {
			return fmt.Errorf("copy %s: %w", p, err)
		}
	}
	return nil
}

// listFiles lists the regular files under dir, relative and slash-separated, sorted.
func listFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(out)
	return out, err
}

// WriteSums writes SHA256SUMS for the archives in the format of sha256sum: "HASH  NAME" lines,
// sorted by name.
func WriteSums(path string, archives []Archive) error {
	lines := make([]string, 0, len(archives))
	for _, a := range archives {
		lines = append(lines, a.SHA256+"  "+filepath.Base(a.Path))
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i][66:] < lines[j][66:] })
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkImport imports a generated shop history through the real binaries: the WooCommerce
// and SnelStart simulators as processes, `koppel sync winkel import_orders` as a subprocess
// with its plugins. It reports, per history size, the orders handled per second and the
// highest resident memory (VmHWM) of the host and of each plugin process, in MiB. 1,000 and
// 10,000 generated orders run under `make bench`; 100,000 only with KOPPEL_SOAK=1 (`make soak`).
// The import is a single run from an empty state, so the figures cover the whole backlog.
//
// Both plugins run without their client-side rate limits (ledger.rate_limit = 0 as in every
// rig, shop.rate_per_minute = 0 here): the WooCommerce plugin's default of 600 requests a
// minute lets a burst of 60 through and then about 9 a second, which at a page of 100 orders
// plus a refunds look-up for one order in ten caps the import near 90 orders a second. With
// it on, the figures would measure that politeness limit (the first 1,000 orders fit in its
// burst, a longer history does not), not koppel.
func BenchmarkImport(b *testing.B) {
	sizes := []int{1_000, 10_000}
	if soak() {
		sizes = append(sizes, 100_000)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			var handled int
			var wall time.Duration
			peak := map[string]int64{}
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				r := newRig(b, rigOptions{Orders: n, Settings: map[string]string{"shop.rate_per_minute": "0"}})
				b.StartTimer()
				res, d, hwm := r.syncMeasured()
				b.StopTimer()
				if res.Error != "" || res.Stopped != "" || res.Retrying > 0 || res.Imported == 0 {
					b.Fatalf("sync of %d orders: imported %d, failed %d, retrying %d, stopped %q, error %q",
						n, res.Imported, res.Failed, res.Retrying, res.Stopped, res.Error)
				}
				handled += res.Imported + res.AlreadyPresent + res.Failed + res.Skipped + res.Waiting
				wall += d
				for k, v := range hwm {
					peak[k] = max(peak[k], v)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(handled)/wall.Seconds(), "orders/s")
			for _, who := range []string{"host", "woocommerce", "snelstart-online"} {
				v, ok := peak[who]
				if !ok {
					b.Fatalf("no memory figure for %s (seen: %v)", who, peak)
				}
				b.ReportMetric(float64(v)/(1<<20), who+"-MiB")
				b.ReportMetric(float64(peak[who+"-anon"])/(1<<20), who+"-anon-MiB")
			}
		})
	}
}

// syncMeasured runs `koppel sync winkel import_orders --json` once while sampling the peak
// resident memory of koppel and of every process it starts. It returns the run's result, its
// wall time and the peaks in bytes by "host" or plugin name.
func (r *rig) syncMeasured() (syncResult, time.Duration, map[string]int64) {
	r.t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "koppel"), "sync", "winkel", "import_orders", "--json", "--config", r.dir)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var mu sync.Mutex
	peak := map[string]int64{}
	sample := func() {
		for pid, name := range processTree(cmd.Process.Pid) {
			if hwm, anon, ok := memFigures(pid); ok {
				mu.Lock()
				peak[name] = max(peak[name], hwm)
				peak[name+"-anon"] = max(peak[name+"-anon"], anon)
				mu.Unlock()
			}
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	d := time.Since(start)
	stop()
	wg.Wait()
	if ee, ok := err.(*exec.ExitError); err != nil && !ok {
		r.t.Fatalf("koppel sync: %v", err)
	} else if ok && ee.ExitCode() == 2 {
		r.t.Fatalf("koppel sync: usage error\n%s", errb.String())
	}
	var res syncResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		r.t.Fatalf("sync output is not JSON: %v\n%.2000s\n%s", err, out.String(), tail(errb.String()))
	}
	// The host's own figure from the kernel (ru_maxrss of koppel includes its waited-for
	// children, so it is used only when sampling saw nothing).
	if _, ok := peak["host"]; !ok {
		r.t.Logf("host memory not sampled (the run ended within %s)", d)
	}
	return res, d, peak
}

// processTree returns root and its descendants, named "host" for root and by plugin name
// (koppel-plugin-NAME → NAME) or executable name for the others.
func processTree(root int) map[int]string {
	parent := parentPIDs()
	out := map[int]string{root: "host"}
	for changed := true; changed; {
		changed = false
		for pid, pp := range parent {
			if _, in := out[pid]; !in {
				if _, ok := out[pp]; ok {
					out[pid] = processName(pid)
					changed = true
				}
			}
		}
	}
	return out
}

// parentPIDs returns the parent of every process, read from /proc/<pid>/stat.
func parentPIDs() map[int]int {
	parent := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		if pp, err := strconv.Atoi(f[1]); err == nil {
			parent[pid] = pp
		}
	}
	return parent
}

// processName is the plugin name of a koppel-plugin-NAME process, else its executable's name.
func processName(pid int) string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		return strconv.Itoa(pid)
	}
	argv0, _, _ := strings.Cut(string(b), "\x00")
	base := filepath.Base(argv0)
	if name, ok := strings.CutPrefix(base, "koppel-plugin-"); ok {
		return name
	}
	return base
}

// memFigures reads the peak resident set size (VmHWM) and the anonymous part of the current
// resident set (RssAnon: heap and stacks, without the pages of mapped files, which are the
// kernel's file cache and given back under memory pressure) of pid, in bytes.
func memFigures(pid int) (hwm, anon int64, ok bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, v, found := strings.Cut(line, ":")
		f := strings.Fields(v)
		if !found || len(f) != 2 || f[1] != "kB" {
			continue
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "VmHWM":
			hwm, ok = kb<<10, true
		case "RssAnon":
			anon = kb << 10
		}
	}
	return hwm, anon, ok
}

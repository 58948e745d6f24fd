package load

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// RSS returns a process's resident set size in bytes (VmRSS in /proc/PID/status).
func RSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read RSS: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// VmRSS:	   12345 kB
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("read RSS: %q: %w", rest, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("read RSS: no VmRSS in /proc/%d/status", pid)
}

// SteadyRSS samples a process's RSS every interval until two consecutive samples differ by
// less than 0.5% (the Go runtime has finished growing or returning memory), or until limit
// has passed, and returns the last sample.
func SteadyRSS(ctx context.Context, pid int, interval, limit time.Duration) (int64, error) {
	deadline := time.Now().Add(limit)
	prev, err := RSS(pid)
	if err != nil {
		return 0, err
	}
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return prev, ctx.Err()
		case <-time.After(interval):
		}
		cur, err := RSS(pid)
		if err != nil {
			return 0, err
		}
		diff := cur - prev
		if diff < 0 {
			diff = -diff
		}
		if diff*200 < cur {
			return cur, nil
		}
		prev = cur
	}
	return prev, nil
}

// RaiseFileLimit lifts this process's soft open-file limit to its hard limit and returns it:
// every WebSocket is a file descriptor on both ends.
func RaiseFileLimit() (uint64, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, fmt.Errorf("getrlimit: %w", err)
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
			return 0, fmt.Errorf("setrlimit: %w", err)
		}
	}
	return l.Cur, nil
}

// Scrape reads the named samples (exact series names, labels included, as printed in the
// Prometheus text format) from a /metrics endpoint. Missing names are absent from the map.
func Scrape(ctx context.Context, url string, names ...string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", url, err)
	}
	defer res.Body.Close()
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		i := strings.LastIndexByte(line, ' ')
		if i < 0 || strings.HasPrefix(line, "#") || !want[line[:i]] {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("scrape %s: %w", url, err)
	}
	return out, nil
}

// Machine describes where the numbers were measured.
func Machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s), %s %s/%s, load average %s", runtime.NumCPU(), model, runtime.Version(),
		runtime.GOOS, runtime.GOARCH, LoadAverage())
}

// LoadAverage is the 1-minute load average: other work on the machine skews latencies, so
// every report says how busy the machine was.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(b))[0]
}

// CPUTime returns the user plus system CPU time a process has used so far (pid 0: this one).
func CPUTime(pid int) (time.Duration, error) {
	path := "/proc/self/stat"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/stat", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read CPU time: %w", err)
	}
	// The command name (field 2) may contain spaces; the fields after it are plain.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, fmt.Errorf("read CPU time: unexpected %s", path)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("read CPU time: unexpected %s", path)
	}
	// utime and stime are fields 14 and 15 of the line, in clock ticks (USER_HZ, 100 on Linux).
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("read CPU time: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// CPUPressure returns the total time, since boot, during which some runnable task waited for
// a CPU (Linux pressure stall information). Over a run, its growth divided by the wall time is
// the share of time the machine was short of CPU: other work on it, or this benchmark's own
// client and server wanting more than the cores there are.
func CPUPressure() (time.Duration, error) {
	b, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return 0, fmt.Errorf("read CPU pressure: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "some ") {
			continue
		}
		for _, f := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(f, "total="); ok {
				us, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return 0, fmt.Errorf("read CPU pressure: %w", err)
				}
				return time.Duration(us) * time.Microsecond, nil
			}
		}
	}
	return 0, fmt.Errorf("read CPU pressure: no total in /proc/pressure/cpu")
}

// Usage measures, over a stretch of time, the CPU used by the server and by this process and
// how short of CPU the machine was.
type Usage struct {
	pid                    int
	start                  time.Time
	server, self, pressure time.Duration
}

// StartUsage begins measuring; the server is the process pid.
func StartUsage(pid int) *Usage {
	u := &Usage{pid: pid, start: time.Now()}
	u.server, _ = CPUTime(pid)
	u.self, _ = CPUTime(0)
	u.pressure, _ = CPUPressure()
	return u
}

// String ends the measurement and describes it.
func (u *Usage) String() string {
	wall := time.Since(u.start).Seconds()
	server, _ := CPUTime(u.pid)
	self, _ := CPUTime(0)
	pressure, _ := CPUPressure()
	return fmt.Sprintf("server %.0f%% of a core, load generator %.0f%%; CPU pressure %.0f%% (time some task waited for a CPU)",
		100*(server-u.server).Seconds()/wall, 100*(self-u.self).Seconds()/wall, 100*(pressure-u.pressure).Seconds()/wall)
}

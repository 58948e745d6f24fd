// Package apptest runs the real `baton` binary for process-level tests: built once per test
// binary, started on a free loopback port, and stopped the way operators and kernels stop it
// (SIGTERM, SIGKILL). Tests that need the server in-process use app.New instead.
package apptest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildPath string
	buildErr  error
)

// Binary builds cmd/baton once per test binary and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "baton-apptest-")
		if buildErr != nil {
			return
		}
		buildPath = filepath.Join(buildDir, "baton")
		cmd := exec.Command("go", "build", "-o", buildPath, "github.com/batonchat/baton/cmd/baton")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build cmd/baton: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

// Main runs the tests and removes the built binary; call it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	return code
}

// Options say which database a process uses and how it is configured.
type Options struct {
	DataDir     string   // SQLite data directory (used when DatabaseURL is empty)
	DatabaseURL string   // a postgres:// URL
	Env         []string // extra KEY=VALUE settings, such as BATON_SHUTDOWN_TIMEOUT=10s
}

func (o Options) dbFlags() []string {
	if o.DatabaseURL != "" {
		return []string{"--database-url", o.DatabaseURL}
	}
	return []string{"--data", o.DataDir}
}

func (o Options) environ() []string {
	// The parent's BATON_* settings must not leak into the child: the test says what it runs.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BATON_") {
			env = append(env, kv)
		}
	}
	return append(env, o.Env...)
}

// Process is a running `baton serve`.
type Process struct {
	URL  string // http://127.0.0.1:PORT
	Addr string // 127.0.0.1:PORT

	t      testing.TB
	cmd    *exec.Cmd
	log    *syncBuffer
	done   chan struct{} // closed when the process has exited
	waitFn func() error
	err    error // the exit, once done is closed
}

// startTimeout bounds how long a process may take to become ready.
const startTimeout = 30 * time.Second

// Start runs `baton serve` on a free loopback port and waits until /readyz answers 200. The
// process is killed when the test ends, if it is still running.
func Start(t testing.TB, o Options) *Process {
	t.Helper()
	bin := Binary(t)
	var lastErr error
	for range 5 { // a port found free can be taken by someone else before the child binds it
		p, err := start(t, bin, o)
		if err == nil {
			return p
		}
		lastErr = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	t.Fatalf("start baton serve: %v", lastErr)
	return nil
}

func start(t testing.TB, bin string, o Options) (*Process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--addr", addr}, o.dbFlags()...)
	cmd := exec.Command(bin, args...)
	cmd.Env = o.environ()
	log := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", bin, err)
	}
	p := &Process{URL: "http://" + addr, Addr: addr, t: t, cmd: cmd, log: log, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		if p.Exited() {
			return
		}
		_ = cmd.Process.Kill()
		<-p.done
	})
	if err := p.waitReady(); err != nil {
		_ = cmd.Process.Kill()
		<-p.done
		return nil, fmt.Errorf("%w\nserver output:\n%s", err, log.String())
	}
	return p, nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// waitReady polls /readyz until it answers 200, the process exits, or startTimeout passes.
func (p *Process) waitReady() error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(startTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		if resp, err := client.Get(p.URL + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("baton serve exited before it was ready: %v", p.err)
		case <-tick.C:
		}
	}
	return fmt.Errorf("baton serve was not ready within %s", startTimeout)
}

// Signal sends sig to the process.
func (p *Process) Signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("send %v to baton serve: %v", sig, err)
	}
}

// Kill ends the process with SIGKILL, as the OOM killer or a power-cut-free crash would, and
// waits until it is gone.
func (p *Process) Kill() {
	p.t.Helper()
	if err := syscall.Kill(p.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		p.t.Fatalf("kill -9 baton serve: %v", err)
	}
	<-p.done
}

// Wait waits up to timeout for the process to exit and returns its exit status. It fails the
// test if the process is still running then.
func (p *Process) Wait(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.t.Fatalf("baton serve did not exit within %s\nserver output:\n%s", timeout, p.Log())
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		p.t.Fatalf("wait for baton serve: %v", p.err)
	}
	return 0
}

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Log is everything the process wrote to stdout and stderr so far.
func (p *Process) Log() string { return p.log.String() }

// CLI runs a one-shot `baton` command on the database o names (--data or --database-url is
// added), with stdin as its input, and returns its standard output. It fails the test if the
// command fails.
func CLI(t testing.TB, o Options, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(Binary(t), append(args, o.dbFlags()...)...)
	cmd.Env = o.environ()
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("baton %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// syncBuffer is a bytes.Buffer the child's output goroutines and the test may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

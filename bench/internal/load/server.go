// Package load is what Baton's benchmark programs share: building and starting the server
// under test as its own process (it has its own open-file limit), reading its memory from
// /proc, creating visitors and agents through the public API, dialing many WebSockets from
// several loopback addresses, and summarising latencies.
package load

import (
	"bytes"
	"context"
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
	"time"
)

// ModuleRoot is the directory of the go.mod the benchmarks belong to, so `go run ./bench/x`
// works from any folder of the repository.
func ModuleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run the benchmarks from inside the baton repository")
	}
	return filepath.Dir(mod), nil
}

// Build compiles pkg (a path relative to the module root, like ./cmd/baton) into dir and
// returns the binary's path. The benchmark measures the same static binary users run.
func Build(ctx context.Context, pkg, dir string) (string, error) {
	root, err := ModuleRoot(ctx)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, stderr.String())
	}
	return bin, nil
}

// FreeAddr returns a loopback address with a port nobody listens on right now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Process is a server started for a benchmark.
type Process struct {
	cmd    *exec.Cmd
	done   chan struct{}
	err    error
	stderr *tailBuffer
	// URL is the server's base URL, like http://127.0.0.1:41234.
	URL string
}

// Start runs bin with args and extra environment variables, and waits (up to a minute) until
// GET URL+ready answers 200.
func Start(ctx context.Context, bin string, args, env []string, addr, ready string) (*Process, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	p := &Process{cmd: cmd, done: make(chan struct{}), stderr: &tailBuffer{max: 16 << 10}, URL: "http://" + addr}
	cmd.Stdout = p.stderr
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	deadline := time.Now().Add(time.Minute)
	for {
		select {
		case <-p.done:
			return nil, fmt.Errorf("%s exited before it was ready: %v\n%s", filepath.Base(bin), p.err, p.stderr)
		case <-ctx.Done():
			p.Stop()
			return nil, ctx.Err()
		default:
		}
		if res, err := http.Get(p.URL + ready); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			p.Stop()
			return nil, fmt.Errorf("%s was not ready within a minute\n%s", filepath.Base(bin), p.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// PID is the server's process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Log returns the tail of what the server wrote to stdout and stderr.
func (p *Process) Log() string { return p.stderr.String() }

// Stop asks the server to shut down (SIGTERM), and kills it if it has not exited within 30 s.
func (p *Process) Stop() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("the server did not stop within 30 s of SIGTERM; killed it")
	}
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

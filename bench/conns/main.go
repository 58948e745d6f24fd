// Command conns measures what idle visitors cost: it starts `baton serve` (and, for
// reference, a bare coder/websocket echo server) as a separate process, opens -n WebSocket
// connections to it from this process, and reports the connection rate, the server's RSS per
// connection once memory is steady, and (for Baton) that connecting wrote nothing to the
// database.
//
//	go run ./bench/conns -n 19900
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/batonchat/baton/bench/internal/load"
)

type config struct {
	n       int
	servers string
	sources int
	workers int
	settle  time.Duration
	timeout time.Duration
	url     string
	pid     int
}

func main() {
	var c config
	flag.IntVar(&c.n, "n", 19900, "connections to hold")
	flag.StringVar(&c.servers, "server", "both", "baton, echo (the reference) or both")
	flag.IntVar(&c.sources, "sources", 8, "loopback source addresses to dial from (127.0.0.1 … 127.0.0.N)")
	flag.IntVar(&c.workers, "workers", 64, "connections being opened at once")
	flag.DurationVar(&c.settle, "settle", 60*time.Second, "longest wait for the server's RSS to stop changing")
	flag.DurationVar(&c.timeout, "timeout", 10*time.Minute, "give up after this long")
	flag.StringVar(&c.url, "url", "", "measure an already running baton at this URL instead of starting one (needs -pid; rate limits must be off)")
	flag.IntVar(&c.pid, "pid", 0, "with -url: the server's process id, for its RSS")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "conns:", err)
		os.Exit(1)
	}
}

// result is one server's numbers.
type result struct {
	name                        string
	n                           int
	openFor                     time.Duration
	serverCPU, clientCPU        time.Duration // used while opening
	usage                       string
	dial                        load.Latencies
	rssBefore, rssAfter         int64
	extra                       []string
	metricsBefore, metricsAfter map[string]float64
}

func run(c config) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	limit, err := load.RaiseFileLimit()
	if err != nil {
		return err
	}
	if uint64(c.n)+64 > limit {
		return fmt.Errorf("-n %d needs %d open files in this process; the limit is %d", c.n, c.n+64, limit)
	}
	fmt.Printf("machine: %s\nload generator open-file limit: %d\n\n", load.Machine(), limit)
	if c.url != "" {
		if c.pid == 0 {
			return errors.New("-url needs -pid (the server's process id, for its RSS)")
		}
		r, err := measure(ctx, c, "baton (running)", c.url, c.pid, "/v1/ws", nil)
		if err != nil {
			return err
		}
		report(r)
		return nil
	}
	bin, err := os.MkdirTemp("", "baton-bench-bin-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bin)
	if c.servers == "echo" || c.servers == "both" {
		if err := runEcho(ctx, c, bin); err != nil {
			return err
		}
	}
	if c.servers == "baton" || c.servers == "both" {
		if err := runBaton(ctx, c, bin); err != nil {
			return err
		}
	}
	return nil
}

func runEcho(ctx context.Context, c config, bin string) error {
	exe, err := load.Build(ctx, "./bench/conns/echo", bin)
	if err != nil {
		return err
	}
	addr, err := load.FreeAddr()
	if err != nil {
		return err
	}
	p, err := load.Start(ctx, exe, []string{"-addr", addr}, nil, addr, "/healthz")
	if err != nil {
		return err
	}
	defer p.Stop()
	r, err := measure(ctx, c, "coder/websocket echo", p.URL, p.PID(), "/ws", nil)
	if err != nil {
		return fmt.Errorf("echo: %w\n%s", err, p.Log())
	}
	report(r)
	return nil
}

func runBaton(ctx context.Context, c config, bin string) error {
	exe, err := load.Build(ctx, "./cmd/baton", bin)
	if err != nil {
		return err
	}
	b, err := load.StartBaton(ctx, load.BatonOptions{Bin: exe})
	if err != nil {
		return err
	}
	defer b.Stop()
	tables := []string{"visitors", "conversations", "messages"}
	start := time.Now()
	tokens, err := load.VisitorTokens(ctx, b.URL, "demo", c.n, 16)
	if err != nil {
		return err
	}
	tokenRate := float64(c.n) / time.Since(start).Seconds()
	// Measure from a fresh process: the garbage of creating the sessions would otherwise be
	// reused by the connections and hide part of their cost.
	if err := b.Restart(ctx); err != nil {
		return err
	}
	rowsBefore, err := b.CountRows(ctx, tables...)
	if err != nil {
		return err
	}
	bytesBefore, err := b.SQLiteBytes()
	if err != nil {
		return err
	}
	r, err := measure(ctx, c, "baton", b.URL, b.PID(), "/v1/ws", tokens)
	if err != nil {
		return fmt.Errorf("baton: %w\n%s", err, b.Log())
	}
	rowsAfter, err := b.CountRows(ctx, tables...)
	if err != nil {
		return err
	}
	bytesAfter, err := b.SQLiteBytes()
	if err != nil {
		return err
	}
	r.extra = append(r.extra,
		fmt.Sprintf("visitor sessions created: %d at %.0f/s (POST /v1/visitors, 16 at a time; writes nothing)", c.n, tokenRate),
		fmt.Sprintf("database rows before/after connecting: %v / %v", rowsBefore, rowsAfter),
		fmt.Sprintf("database + WAL bytes before/after connecting: %d / %d", bytesBefore, bytesAfter))
	if fmt.Sprint(rowsBefore) != fmt.Sprint(rowsAfter) || bytesBefore != bytesAfter {
		r.extra = append(r.extra, "FAIL: connecting wrote to the database")
	} else {
		r.extra = append(r.extra, "ok: connecting wrote nothing to the database")
	}
	report(r)
	return nil
}

// serverMetrics are the Go runtime's own numbers, from Baton's /metrics, to explain the RSS.
var serverMetrics = []string{"go_goroutines", "go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes",
	"go_memstats_sys_bytes", `baton_connections{role="visitor"}`}

// measure opens c.n connections to the server at url (tokens[i%len] as their credentials,
// when given), waits for the server's memory to settle, checks the connections still work,
// and closes them.
func measure(ctx context.Context, c config, name, url string, pid int, path string, tokens []string) (*result, error) {
	r := &result{name: name, n: c.n}
	var err error
	if r.rssBefore, err = load.SteadyRSS(ctx, pid, time.Second, c.settle); err != nil {
		return nil, err
	}
	r.metricsBefore, _ = load.Scrape(ctx, url+"/metrics", serverMetrics...)
	d := load.NewDialer(url, path, c.sources)
	conns := make([]*websocket.Conn, c.n)
	dials := make([]time.Duration, c.n)
	defer func() {
		for _, ws := range conns {
			if ws != nil {
				ws.CloseNow()
			}
		}
	}()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	usage := load.StartUsage(pid)
	serverCPU0, err := load.CPUTime(pid)
	if err != nil {
		return nil, err
	}
	clientCPU0, err := load.CPUTime(0)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	for range c.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= c.n {
					return
				}
				t := time.Now()
				tok := ""
				if tokens != nil {
					tok = tokens[i%len(tokens)]
				}
				dctx, dcancel := context.WithTimeout(ctx, 30*time.Second)
				ws, err := d.Dial(dctx, tok)
				if err == nil {
					_, _, err = ws.Read(dctx) // hello: the server has registered the connection
					if err != nil {
						ws.CloseNow()
					}
				}
				dcancel()
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("connection %d: %w", i, err)
					}
					mu.Unlock()
					next.Store(int64(c.n))
					return
				}
				// Answers the server's heartbeat pings while the connection idles.
				ws.CloseRead(ctx)
				conns[i], dials[i] = ws, time.Since(t)
			}
		}()
	}
	wg.Wait()
	r.openFor = time.Since(start)
	if firstErr != nil {
		return nil, firstErr
	}
	serverCPU1, _ := load.CPUTime(pid)
	clientCPU1, _ := load.CPUTime(0)
	r.serverCPU, r.clientCPU = serverCPU1-serverCPU0, clientCPU1-clientCPU0
	r.usage = usage.String()
	r.dial = load.Summarise(dials)
	if r.rssAfter, err = load.SteadyRSS(ctx, pid, time.Second, c.settle); err != nil {
		return nil, err
	}
	r.metricsAfter, _ = load.Scrape(ctx, url+"/metrics", serverMetrics...)
	// The connections must still be alive: ping a sample of them.
	for range 100 {
		ws := conns[rand.IntN(len(conns))]
		pctx, pcancel := context.WithTimeout(ctx, 10*time.Second)
		err := ws.Ping(pctx)
		pcancel()
		if err != nil {
			return nil, fmt.Errorf("a held connection does not answer pings: %w", err)
		}
	}
	r.extra = append(r.extra, "a sample of 100 held connections answered pings")
	return r, nil
}

func report(r *result) {
	perConn := float64(r.rssAfter-r.rssBefore) / float64(r.n)
	fmt.Printf("== %s\n", r.name)
	fmt.Printf("connections held:       %d\n", r.n)
	fmt.Printf("opened in:              %s (%.0f connections/s, handshake + first frame)\n", r.openFor.Round(time.Millisecond), float64(r.n)/r.openFor.Seconds())
	fmt.Printf("time to open one:       %s\n", r.dial)
	fmt.Printf("CPU used while opening: server %s (%.0f µs per connection), load generator %s\n",
		r.serverCPU.Round(10*time.Millisecond), float64(r.serverCPU.Microseconds())/float64(r.n), r.clientCPU.Round(10*time.Millisecond))
	fmt.Printf("                        %s\n", r.usage)
	fmt.Printf("server RSS before:      %.1f MiB\n", float64(r.rssBefore)/(1<<20))
	fmt.Printf("server RSS with conns:  %.1f MiB\n", float64(r.rssAfter)/(1<<20))
	fmt.Printf("RSS per connection:     %.1f KiB\n", perConn/1024)
	for _, k := range serverMetrics {
		a, ok := r.metricsAfter[k]
		if !ok {
			continue
		}
		b := r.metricsBefore[k]
		if k == "go_goroutines" || k[0] == 'b' {
			fmt.Printf("  %-36s %.0f → %.0f\n", k, b, a)
			continue
		}
		fmt.Printf("  %-36s %.1f → %.1f MiB (%.2f KiB per connection)\n", k, b/(1<<20), a/(1<<20), (a-b)/float64(r.n)/1024)
	}
	for _, e := range r.extra {
		fmt.Println(e)
	}
	fmt.Println()
}

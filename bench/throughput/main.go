// Command throughput measures sustained durable message throughput: -visitors visitor
// connections each keep -window sends outstanding (closed loop: a new send goes out when a
// reply comes back), and one agent subscribed to the site receives every message. First each
// visitor opens a conversation and the agent answers it, which takes it over from the demo
// site's bot (-bot leaves the bot answering every message instead). A reply is sent only after
// the message is committed, so the replies counted per second are messages durably stored per
// second; the time from send to reply is the commit latency a visitor sees.
//
//	go run ./bench/throughput -db sqlite,sqlite-full,postgres
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/batonchat/baton/bench/internal/load"
)

type config struct {
	dbs      string
	postgres string
	visitors int
	window   int
	warmup   time.Duration
	duration time.Duration
	sources  int
	profile  string
	env      load.EnvFlag
	bot      bool
}

func main() {
	var c config
	flag.StringVar(&c.dbs, "db", "sqlite", "storage setups to measure, comma-separated: sqlite, sqlite-full, postgres")
	flag.StringVar(&c.postgres, "postgres", load.DefaultPostgres, "PostgreSQL server to create a fresh database on (for -db postgres)")
	flag.IntVar(&c.visitors, "visitors", 100, "visitor connections, one conversation each")
	flag.IntVar(&c.window, "window", 1, "sends each visitor keeps outstanding (a connection's commands run one at a time)")
	flag.DurationVar(&c.warmup, "warmup", 5*time.Second, "load before measuring")
	flag.DurationVar(&c.duration, "duration", 20*time.Second, "how long to measure (at most 10m)")
	flag.IntVar(&c.sources, "sources", 2, "loopback source addresses to dial from")
	flag.Var(&c.env, "env", "an extra KEY=VALUE for the server's environment, e.g. GOGC=200 (repeatable)")
	flag.StringVar(&c.profile, "cpuprofile", "", "write the server's CPU profile to FILE.DB.pprof (runs bench/internal/pprofbaton, baton with a profiler)")
	flag.BoolVar(&c.bot, "bot", false, "leave the conversations to the demo site's bot, which then answers visitors too (default: an agent takes each over first)")
	flag.Parse()
	if c.duration <= 0 || c.duration > 10*time.Minute || c.warmup < 0 || c.warmup > time.Minute || c.visitors <= 0 || c.window <= 0 {
		fmt.Fprintln(os.Stderr, "throughput: want 0 < -duration ≤ 10m, 0 ≤ -warmup ≤ 1m, -visitors > 0, -window > 0")
		os.Exit(2)
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "throughput:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	n := len(strings.Split(c.dbs, ","))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute+(c.warmup+c.duration)*time.Duration(n))
	defer cancel()
	if _, err := load.RaiseFileLimit(); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "baton-bench-bin-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	pkg := "./cmd/baton"
	if c.profile != "" {
		pkg = "./bench/internal/pprofbaton"
	}
	bin, err := load.Build(ctx, pkg, dir)
	if err != nil {
		return err
	}
	agent := "1 agent subscribed, who has taken every conversation over"
	if c.bot {
		agent = "1 agent subscribed, the demo bot answering"
	}
	fmt.Printf("machine: %s\n%d visitors × %d sends outstanding, %s; %s warm-up, %s measured\n\n",
		load.Machine(), c.visitors, c.window, agent, c.warmup, c.duration)
	return load.EachStorage(c.dbs, c.postgres, bin, c.env, c.profile, func(name string, o load.BatonOptions) error {
		return measure(ctx, c, name, o)
	})
}

type sendFrame struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	ClientID string `json:"client_id"`
	Text     string `json:"text"`
}

type reply struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// sample is one acknowledged send: when its reply came, and how long after its send.
type sample struct {
	at, latency time.Duration
}

func measure(ctx context.Context, c config, name string, o load.BatonOptions) error {
	demo, err := load.StartDemo(ctx, o, c.visitors, c.sources)
	if err != nil {
		return err
	}
	defer demo.Close()
	b, agent, visitors := demo.Baton, demo.Agent, demo.Visitors
	if !c.bot {
		if _, err := load.TakeOver(ctx, agent, visitors); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	var agentEvents atomic.Int64
	go func() {
		for {
			if _, _, err := agent.Read(ctx); err != nil {
				return
			}
			agentEvents.Add(1)
		}
	}()

	var (
		base    = time.Now()
		stop    = base.Add(c.warmup + c.duration)
		errs    atomic.Int64
		lastErr atomic.Value
		wg      sync.WaitGroup
		mu      sync.Mutex
		samples []sample
	)
	// CPU use over the measured window.
	var (
		usage *load.Usage
		cpu   string
		cpuWG sync.WaitGroup
	)
	cpuWG.Add(2)
	time.AfterFunc(c.warmup, func() {
		usage = load.StartUsage(b.PID())
		cpuWG.Done()
		time.AfterFunc(c.duration, func() {
			cpu = usage.String()
			cpuWG.Done()
		})
	})
	for vi, v := range visitors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var (
				sent   = make([]time.Duration, 0, 1024) // send time by message number
				mine   []sample
				window = make(chan struct{}, c.window)
				done   = make(chan struct{})
				smu    sync.Mutex
			)
			// The reader returns a window slot per reply.
			go func() {
				defer close(done)
				for {
					_, raw, err := v.Read(ctx)
					now := time.Since(base)
					if err != nil {
						return
					}
					var r reply
					if json.Unmarshal(raw, &r) != nil || (r.Type != "reply" && r.Type != "error") {
						continue
					}
					if r.Type == "error" {
						errs.Add(1)
						lastErr.Store(string(raw))
					} else if i, err := strconv.Atoi(r.ID); err == nil {
						smu.Lock()
						mine = append(mine, sample{at: now, latency: now - sent[i]})
						smu.Unlock()
					}
					<-window
				}
			}()
			for i := 0; time.Now().Before(stop) && errs.Load() == 0; i++ {
				select {
				case window <- struct{}{}:
				case <-ctx.Done():
					return
				}
				f, _ := json.Marshal(sendFrame{ID: strconv.Itoa(i), Type: "send", ClientID: fmt.Sprintf("v%d-%d", vi, i),
					Text: fmt.Sprintf("Message %d: where is my order? It was due yesterday.", i)})
				smu.Lock()
				sent = append(sent, time.Since(base))
				smu.Unlock()
				if err := v.Write(ctx, websocket.MessageText, f); err != nil {
					errs.Add(1)
					lastErr.Store(err.Error())
					return
				}
			}
			// Wait (at most 10 s) for the replies still outstanding, then stop the reader.
			for deadline := time.Now().Add(10 * time.Second); len(window) > 0 && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			v.CloseNow()
			<-done
			mu.Lock()
			samples = append(samples, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	cpuWG.Wait()

	// Count what was acknowledged inside the measured window.
	from, to := c.warmup, c.warmup+c.duration
	var lat []time.Duration
	for _, s := range samples {
		if s.at >= from && s.at < to {
			lat = append(lat, s.latency)
		}
	}
	fmt.Printf("== %s\n", name)
	fmt.Printf("messages committed:   %d in %s: %.0f messages/s\n", len(lat), c.duration, float64(len(lat))/c.duration.Seconds())
	fmt.Printf("send → reply:         %s\n", load.Summarise(lat))
	fmt.Printf("CPU:                  %s\n", cpu)
	fmt.Printf("agent events:         %d (all phases)\n", agentEvents.Load())
	if n := errs.Load(); n > 0 {
		fmt.Printf("FAIL: %d errors (last: %v)\n", n, lastErr.Load())
	}
	fmt.Println()
	return nil
}

// Command latency measures visitor → agent delivery: -visitors visitor connections (one
// conversation each) send at an aggregate -rate messages per second, paced open-loop (a send
// never waits for an earlier one), and one agent subscribed to the site receives them. The
// latency of a message is from the visitor's send to the agent's receipt of the `message`
// event, both in this process on the monotonic clock. First each visitor opens a conversation
// and the agent answers it, taking it over from the demo site's bot, as after a handoff. The server publishes a message only
// after committing it (server/conversation: Tx, then publish), so every delivery measured is
// of a durably stored message.
//
//	go run ./bench/latency -db sqlite,sqlite-full,postgres
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
	rate     int
	duration time.Duration
	sources  int
	profile  string
	env      load.EnvFlag
	timeline bool
}

func main() {
	var c config
	flag.StringVar(&c.dbs, "db", "sqlite", "storage setups to measure, comma-separated: sqlite, sqlite-full, postgres")
	flag.StringVar(&c.postgres, "postgres", load.DefaultPostgres, "PostgreSQL server to create a fresh database on (for -db postgres)")
	flag.IntVar(&c.visitors, "visitors", 500, "visitor connections, one conversation each")
	flag.IntVar(&c.rate, "rate", 1000, "messages per second, all visitors together")
	flag.DurationVar(&c.duration, "duration", 30*time.Second, "how long to send (at most 10m)")
	flag.IntVar(&c.sources, "sources", 2, "loopback source addresses to dial from")
	flag.BoolVar(&c.timeline, "timeline", false, "also print, per 100 ms of sending, the messages over 2 ms and the slowest")
	flag.Var(&c.env, "env", "an extra KEY=VALUE for the server's environment, e.g. GOGC=200 (repeatable)")
	flag.StringVar(&c.profile, "cpuprofile", "", "write the server's CPU profile to FILE.DB.pprof (runs bench/internal/pprofbaton, baton with a profiler)")
	flag.Parse()
	if c.duration <= 0 || c.duration > 10*time.Minute || c.rate <= 0 || c.visitors <= 0 {
		fmt.Fprintln(os.Stderr, "latency: want 0 < -duration ≤ 10m, -rate > 0, -visitors > 0")
		os.Exit(2)
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "latency:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute+c.duration*time.Duration(len(strings.Split(c.dbs, ","))))
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
	fmt.Printf("machine: %s\n%d visitors, %d messages/s open-loop for %s, 1 agent subscribed\n\n", load.Machine(), c.visitors, c.rate, c.duration)
	return load.EachStorage(c.dbs, c.postgres, bin, c.env, c.profile, func(name string, o load.BatonOptions) error {
		return measure(ctx, c, name, o)
	})
}

// sendFrame is a visitor's send command; the client id carries the message's index.
type sendFrame struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	ClientID string `json:"client_id"`
	Text     string `json:"text"`
}

// event is the part of a server frame the agent's reader needs.
type event struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Message struct {
		ClientID string `json:"client_id"`
	} `json:"message"`
}

func measure(ctx context.Context, c config, name string, o load.BatonOptions) error {
	demo, err := load.StartDemo(ctx, o, c.visitors, c.sources)
	if err != nil {
		return err
	}
	defer demo.Close()
	b, agent, visitors := demo.Baton, demo.Agent, demo.Visitors
	// Warm-up: each visitor's first message opens their conversation and the agent answers it,
	// so the measured messages are those of 500 ongoing conversations with a person.
	if _, err := load.TakeOver(ctx, agent, visitors); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}

	total := int(float64(c.rate) * c.duration.Seconds())
	var (
		base      = time.Now()
		sentAt    = make([]atomic.Int64, total) // ns since base; 0: not sent
		delivered = make([]atomic.Int64, total) // send → agent receipt
		acked     = make([]atomic.Int64, total) // send → the visitor's reply
		errs      atomic.Int64
		lastErr   atomic.Value
	)
	index := func(s, prefix string) int {
		i, err := strconv.Atoi(strings.TrimPrefix(s, prefix))
		if err != nil || !strings.HasPrefix(s, prefix) || i < 0 || i >= total {
			return -1
		}
		return i
	}
	// The agent's reader: the measurement.
	agentDone := make(chan struct{})
	go func() {
		defer close(agentDone)
		for {
			_, raw, err := agent.Read(ctx)
			now := int64(time.Since(base))
			if err != nil {
				return
			}
			var ev event
			if json.Unmarshal(raw, &ev) != nil || ev.Type != "message" {
				continue
			}
			if i := index(ev.Message.ClientID, "m"); i >= 0 {
				if s := sentAt[i].Load(); s > 0 {
					delivered[i].Store(max(1, now-s))
				}
			}
		}
	}()
	// Each visitor's reader: replies (the commit acknowledgement), and draining its events.
	for _, v := range visitors {
		go func() {
			for {
				_, raw, err := v.Read(ctx)
				now := int64(time.Since(base))
				if err != nil {
					return
				}
				var ev event
				if json.Unmarshal(raw, &ev) != nil {
					continue
				}
				switch {
				case ev.Type == "error":
					errs.Add(1)
					lastErr.Store(string(raw))
				case ev.Type != "reply":
				default:
					if i := index(ev.ID, ""); i >= 0 {
						acked[i].Store(max(1, now-sentAt[i].Load()))
					}
				}
			}
		}()
	}
	// Open loop: message i is due at start + i/rate, from visitor i mod visitors. Each visitor
	// has its own writer, so a slow send delays nobody else's.
	queues := make([]chan int, len(visitors))
	var writers sync.WaitGroup
	var lag atomic.Int64 // the latest a send started after it was due
	interval := time.Second / time.Duration(c.rate)
	start := time.Since(base) + 100*time.Millisecond
	for vi, v := range visitors {
		queues[vi] = make(chan int, 64)
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range queues[vi] {
				f, _ := json.Marshal(sendFrame{ID: strconv.Itoa(i), Type: "send", ClientID: "m" + strconv.Itoa(i),
					Text: fmt.Sprintf("Message %d: where is my order? It was due yesterday.", i)})
				now := time.Since(base)
				if l := now - (start + time.Duration(i)*interval); l > time.Duration(lag.Load()) {
					lag.Store(int64(l))
				}
				sentAt[i].Store(int64(now))
				if err := v.Write(ctx, websocket.MessageText, f); err != nil {
					errs.Add(1)
					lastErr.Store(err.Error())
					return
				}
			}
		}()
	}
	commitsBefore, _ := load.Scrape(ctx, b.URL+"/metrics", commitBuckets...)
	usage := load.StartUsage(b.PID())
	for i := range total {
		if d := start + time.Duration(i)*interval - time.Since(base); d > 0 {
			time.Sleep(d)
		}
		select {
		case queues[i%len(queues)] <- i:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, q := range queues {
		close(q)
	}
	writers.Wait()
	sendFor := time.Since(base) - start
	cpu := usage.String()
	// Wait (at most 10 s) for the last deliveries.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && (count(delivered) < total || count(acked) < total) && errs.Load() == 0 {
		time.Sleep(20 * time.Millisecond)
	}

	if c.timeline {
		printTimeline(sentAt, delivered, start)
	}
	del, ack := durations(delivered), durations(acked)
	fmt.Printf("== %s\n", name)
	fmt.Printf("sent:                     %d messages in %s (%.0f/s); a send started at most %s after it was due\n",
		total, sendFor.Round(time.Millisecond), float64(total)/sendFor.Seconds(), load.MS(time.Duration(lag.Load())))
	fmt.Printf("visitor → agent delivery: %s\n", load.Summarise(del))
	fmt.Printf("visitor send → reply:     %s\n", load.Summarise(ack))
	fmt.Printf("CPU while sending:        %s\n", cpu)
	if after, err := load.Scrape(ctx, b.URL+"/metrics", commitBuckets...); err == nil {
		n := after[commitBuckets[len(commitBuckets)-1]] - commitsBefore[commitBuckets[len(commitBuckets)-1]]
		fmt.Printf("server's own send time:   ")
		for _, k := range commitBuckets[:len(commitBuckets)-1] {
			le := strings.TrimSuffix(strings.TrimPrefix(k, `baton_commit_seconds_bucket{le="`), `"}`)
			fmt.Printf("%.2f%% within %s s; ", 100*(after[k]-commitsBefore[k])/n, le)
		}
		fmt.Printf("of %.0f sends (baton_commit_seconds: from the command to the commit and publish)\n", n)
	}
	if missing := total - len(del); missing > 0 || errs.Load() > 0 {
		fmt.Printf("FAIL: %d messages not delivered to the agent, %d errors (last: %v)\n", missing, errs.Load(), lastErr.Load())
	}
	fmt.Println()
	agent.CloseNow()
	<-agentDone
	return nil
}

// commitBuckets are the server's histogram of a send's handling, the commit included.
var commitBuckets = []string{`baton_commit_seconds_bucket{le="0.001"}`, `baton_commit_seconds_bucket{le="0.0025"}`,
	`baton_commit_seconds_bucket{le="0.005"}`, `baton_commit_seconds_bucket{le="+Inf"}`}

// printTimeline shows when the slow deliveries happened: steady, or in bursts.
func printTimeline(sentAt, delivered []atomic.Int64, start time.Duration) {
	const window = 100 * time.Millisecond
	type bucket struct {
		n, over int
		slowest time.Duration
	}
	var buckets []bucket
	for i := range sentAt {
		k := int((time.Duration(sentAt[i].Load()) - start) / window)
		if k < 0 {
			continue
		}
		for len(buckets) <= k {
			buckets = append(buckets, bucket{})
		}
		d := time.Duration(delivered[i].Load())
		b := &buckets[k]
		b.n++
		if d > 2*time.Millisecond {
			b.over++
		}
		b.slowest = max(b.slowest, d)
	}
	for k, b := range buckets {
		if b.over > 0 {
			fmt.Printf("  %6.1fs: %3d of %3d over 2 ms, slowest %s\n", (time.Duration(k) * window).Seconds(), b.over, b.n, load.MS(b.slowest))
		}
	}
}

func count(v []atomic.Int64) int {
	n := 0
	for i := range v {
		if v[i].Load() > 0 {
			n++
		}
	}
	return n
}

func durations(v []atomic.Int64) []time.Duration {
	out := make([]time.Duration, 0, len(v))
	for i := range v {
		if d := v[i].Load(); d > 0 {
			out = append(out, time.Duration(d))
		}
	}
	return out
}

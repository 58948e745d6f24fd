// Package commit_test benchmarks Baton's durable write path without the network: the
// conversation service sending visitor messages into a real SQLite store, publishing to a hub
// with nobody connected. It is the ceiling that bench/throughput and bench/latency approach
// from outside, and where the storage's share of their numbers can be read off.
//
//	go test -run '^$' -bench . -benchtime 10000x ./bench/commit
package commit_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/batonchat/baton/bench/internal/load"
	"github.com/batonchat/baton/server/app"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/site"
	"github.com/batonchat/baton/server/store"
)

type nobody struct{}

func (nobody) Publish(*chat.Event) {}

// setup opens a store in a temporary directory and returns a service and n visitors, each with
// an open conversation (their first message sent), as after the warm-up of bench/latency.
func setup(b *testing.B, syncMode string, n int) (*conversation.Service, []conversation.Actor) {
	b.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{DataDir: b.TempDir(), SQLiteSync: syncMode})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	l, _, err := site.Apply(ctx, db, app.DemoSettings("http://127.0.0.1:8080"))
	if err != nil {
		b.Fatal(err)
	}
	svc := conversation.New(db, nobody{}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	actors := make([]conversation.Actor, n)
	for i := range actors {
		actors[i] = conversation.VisitorActor(chat.NewID("vi"), l.ID)
		if _, err := svc.Send(ctx, actors[i], "", conversation.SendInput{ClientID: "hello", Text: "Hello, I have a question"}); err != nil {
			b.Fatal(err)
		}
	}
	return svc, actors
}

func text(i int) string {
	return fmt.Sprintf("Message %d: where is my order? It was due yesterday.", i)
}

// BenchmarkSend sends b.N messages as fast as they commit, from 64 visitors at once (each
// waits for its previous message, as a connection's commands run one at a time).
func BenchmarkSend(b *testing.B) {
	for _, mode := range []string{"normal", "full"} {
		b.Run("sync="+mode, func(b *testing.B) {
			svc, actors := setup(b, mode, 64)
			ctx := context.Background()
			var (
				next atomic.Int64
				wg   sync.WaitGroup
				mu   sync.Mutex
				lat  = make([]time.Duration, 0, b.N)
			)
			b.ResetTimer()
			start, cpu := time.Now(), cpuTime()
			for _, a := range actors {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var mine []time.Duration
					for {
						i := int(next.Add(1) - 1)
						if i >= b.N {
							break
						}
						t := time.Now()
						if _, err := svc.Send(ctx, a, "", conversation.SendInput{ClientID: fmt.Sprint("m", i), Text: text(i)}); err != nil {
							b.Error(err)
							return
						}
						mine = append(mine, time.Since(t))
					}
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
				}()
			}
			wg.Wait()
			el, used := time.Since(start), cpuTime()-cpu
			b.StopTimer()
			report(b, el, lat)
			// The CPU a message costs moves less than the rate with what else runs on the machine.
			b.ReportMetric(float64(used.Microseconds())/float64(len(lat)), "cpu-µs/msg")
		})
	}
}

// BenchmarkSendPaced sends b.N messages at 1,000 per second over 500 conversations, each
// message in its own goroutine (open loop: a slow commit delays nobody's send), and reports
// the latency of Send, the commit included.
func BenchmarkSendPaced(b *testing.B) {
	const rate = 1000
	svc, actors := setup(b, "normal", 500)
	ctx := context.Background()
	lat := make([]time.Duration, b.N)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if d := time.Until(start.Add(time.Duration(i) * time.Second / rate)); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			if _, err := svc.Send(ctx, actors[i%len(actors)], "", conversation.SendInput{ClientID: fmt.Sprint("m", i), Text: text(i)}); err != nil {
				b.Error(err)
			}
			lat[i] = time.Since(t)
		}()
	}
	wg.Wait()
	el := time.Since(start)
	b.StopTimer()
	report(b, el, lat)
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func report(b *testing.B, el time.Duration, lat []time.Duration) {
	s := load.Summarise(lat)
	b.ReportMetric(float64(len(lat))/el.Seconds(), "msgs/s")
	b.ReportMetric(float64(s.P50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(s.P99.Microseconds()), "p99-µs")
	b.ReportMetric(float64(s.Max.Microseconds()), "max-µs")
	b.ReportMetric(0, "ns/op") // the rate is the measure here, not the time per message
}

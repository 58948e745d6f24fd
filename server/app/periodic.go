package app

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// How often the background work runs: due reassignment timers are looked for every few
// seconds (a visitor waits on them), expired rows and files every ten minutes.
const (
	reassignEvery = 5 * time.Second
	sweepEvery    = 10 * time.Minute
	// taskTimeout bounds one run, so a stuck database delays the next run, never stops the loop.
	taskTimeout = time.Minute
)

// task is one bounded batch of background work (firing due timers, deleting expired rows);
// it says how many things it acted on.
type task struct {
	name string
	run  func(ctx context.Context) (int, error)
}

// periodic runs its tasks at start and then every interval, until Close: the one loop behind
// the reassignment timers and the sweeps of sessions and uploads nobody will present again.
// What each task acts on is chosen by its own injected clock.
type periodic struct {
	log     *slog.Logger
	every   time.Duration
	tasks   []task
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}
	started sync.Once
}

func newPeriodic(log *slog.Logger, every time.Duration, tasks ...task) *periodic {
	ctx, cancel := context.WithCancel(context.Background())
	return &periodic{log: log, every: every, tasks: tasks, ctx: ctx, cancel: cancel, done: make(chan struct{})}
}

// Start runs the loop in the background.
func (w *periodic) Start() { w.started.Do(func() { go w.loop() }) }

func (w *periodic) loop() {
	defer close(w.done)
	t := time.NewTicker(w.every)
	defer t.Stop()
	for {
		w.once()
		select {
		case <-w.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// once runs every task once; a failure is logged and retried at the next tick.
func (w *periodic) once() {
	for _, task := range w.tasks {
		if w.ctx.Err() != nil {
			return
		}
		ctx, cancel := context.WithTimeout(w.ctx, taskTimeout)
		n, err := task.run(ctx)
		cancel()
		switch {
		case err != nil && w.ctx.Err() == nil:
			w.log.Warn("background task failed", "task", task.name, "err", err)
		case n > 0:
			w.log.Info("background task", "task", task.name, "count", n)
		}
	}
}

// Close stops the loop (a task under way is cancelled: each runs in one transaction at a
// time, so what it had not committed is done at the next start) and waits for it, or for ctx.
// Started or not, it may be called any number of times.
func (w *periodic) Close(ctx context.Context) {
	w.cancel()
	w.started.Do(func() { close(w.done) }) // never started
	select {
	case <-w.done:
	case <-ctx.Done():
	}
}

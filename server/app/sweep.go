package app

import (
	"context"
	"log/slog"
	"time"
)

// sweepEvery spaces the periodic sweeps of rows and files nobody will touch again.
const sweepEvery = 10 * time.Minute

// sweepTask deletes one bounded batch of something expired and says how many went.
type sweepTask struct {
	name string
	run  func(ctx context.Context) (int, error)
}

// sweeper runs its tasks at start and then every interval, until Close: expired console
// sessions and uploads never sent are deleted even when nobody presents them again. Each task
// deletes a bounded batch per run by its own injected clock.
type sweeper struct {
	log    *slog.Logger
	every  time.Duration
	tasks  []sweepTask
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

func newSweeper(log *slog.Logger, every time.Duration, tasks ...sweepTask) *sweeper {
	ctx, cancel := context.WithCancel(context.Background())
	return &sweeper{log: log, every: every, tasks: tasks, ctx: ctx, cancel: cancel, done: make(chan struct{})}
}

// Start runs the loop in the background.
func (w *sweeper) Start() { go w.loop() }

func (w *sweeper) loop() {
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
func (w *sweeper) once() {
	for _, task := range w.tasks {
		if w.ctx.Err() != nil {
			return
		}
		n, err := task.run(w.ctx)
		switch {
		case err != nil && w.ctx.Err() == nil:
			w.log.Warn("sweep", "task", task.name, "err", err)
		case n > 0:
			w.log.Info("sweep", "task", task.name, "deleted", n)
		}
	}
}

// Close stops the loop (a sweep under way is cancelled) and waits for it, or for ctx; started
// or not, it is safe to call once.
func (w *sweeper) Close(ctx context.Context) {
	w.cancel()
	select {
	case <-w.done:
	case <-ctx.Done():
	}
}

package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

func TestPeriodicRunsEveryTaskAtStartAndStopsOnClose(t *testing.T) {
	ran := make(chan string, 10)
	blocked := make(chan struct{})
	w := newPeriodic(slog.New(slog.NewTextHandler(io.Discard, nil)), time.Hour,
		task{"failing", func(ctx context.Context) (int, error) { ran <- "failing"; return 0, errors.New("database gone") }},
		task{"counting", func(ctx context.Context) (int, error) { ran <- "counting"; return 3, nil }},
		// A sweep under way when the server stops is cancelled, not waited for.
		task{"slow", func(ctx context.Context) (int, error) { close(blocked); <-ctx.Done(); return 0, ctx.Err() }},
	)
	w.Start()
	for _, want := range []string{"failing", "counting"} {
		select {
		case got := <-ran:
			if got != want {
				t.Fatalf("ran %s, want %s", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s never ran", want)
		}
	}
	<-blocked
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	w.Close(ctx)
	select {
	case <-w.done:
	default:
		t.Fatal("the loop still runs after Close")
	}
	if len(ran) != 0 {
		t.Errorf("ran again: %d", len(ran))
	}
	w.Close(ctx) // twice

	never := newPeriodic(slog.New(slog.NewTextHandler(io.Discard, nil)), time.Hour)
	never.Close(ctx)
	if ctx.Err() != nil {
		t.Fatal("closing a loop never started waited for it")
	}
}

package account_test

import (
	"context"
	"testing"
	"time"

	"github.com/batonchat/baton/server/account"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
)

func TestTheSweepDeletesEndedSessionsInBoundedBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, clk, _, a := setup(t, db)
		start := func() *chat.Session {
			t.Helper()
			_, s, err := svc.Start(ctx, a, "test", "10.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		// One batch and one more, never used again: they end a day later.
		for range account.SweepBatch + 1 {
			start()
		}
		clk.t = clk.t.Add(20 * time.Hour)
		recent := start()
		left := func() int {
			t.Helper()
			list, err := db.SessionsOf(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		// A second before the old ones end, nothing goes.
		clk.t = clk.t.Add(4*time.Hour - time.Second)
		if n, err := svc.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("sweep before the end: %d %v", n, err)
		}
		clk.t = clk.t.Add(time.Second)
		if n, err := svc.Sweep(ctx); err != nil || n != account.SweepBatch {
			t.Fatalf("first sweep: %d %v", n, err)
		}
		if n, err := svc.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("second sweep: %d %v", n, err)
		}
		if n, err := svc.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("third sweep: %d %v", n, err)
		}
		list, err := db.SessionsOf(ctx, a.ID)
		if err != nil || len(list) != 1 || list[0].ID != recent.ID {
			t.Fatalf("left after the sweeps: %v %v", list, err)
		}
		// The recent one goes when it ends too.
		clk.t = recent.ExpiresAt
		if n, err := svc.Sweep(ctx); err != nil || n != 1 || left() != 0 {
			t.Fatalf("sweep of the recent one: %d %v", n, err)
		}
	})
}

package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
)

func enqueue(t *testing.T, db *store.DB, d *chat.Delivery) bool {
	t.Helper()
	var stored bool
	err := db.Tx(context.Background(), func(tx chat.Tx) error {
		var err error
		stored, err = tx.(chat.DeliveryTx).EnqueueDelivery(d)
		return err
	})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return stored
}

func delivery(site *chat.Site, conv *chat.Conversation, key string, due time.Time) *chat.Delivery {
	return &chat.Delivery{SiteID: site.ID, ConversationID: conv.ID, Kind: chat.DeliveryHandoff, Method: "zendesk", Key: key,
		Payload: []byte(`{"k":"` + key + `"}`), MaxAttempts: 5, DueAt: due}
}

func TestDeliveriesAreEnqueuedWithTheTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newSite(t, db, "shop")
		conv := openConversation(t, db, site)
		now := time.Now().Truncate(time.Millisecond)
		rollback := errors.New("rolled back")
		err := db.Tx(ctx, func(tx chat.Tx) error {
			if _, err := tx.(chat.DeliveryTx).EnqueueDelivery(delivery(site, conv, "k0", now)); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		if list, _, _ := db.Deliveries(ctx, chat.DeliveryFilter{SiteID: site.ID}); len(list) != 0 {
			t.Fatalf("a rolled back delivery was stored: %+v", list[0])
		}
		d := delivery(site, conv, "k1", now)
		if !enqueue(t, db, d) || d.ID == "" || d.Status != chat.DeliveryPending {
			t.Fatalf("first enqueue: %+v", d)
		}
		if enqueue(t, db, delivery(site, conv, "k1", now)) {
			t.Fatal("a second delivery with the same key was stored")
		}
		got, err := db.Delivery(ctx, d.ID)
		if err != nil || got.Key != "k1" || string(got.Payload) != `{"k":"k1"}` || !got.DueAt.Equal(now) || got.Attempts != 0 || got.MaxAttempts != 5 {
			t.Fatalf("stored %+v %v", got, err)
		}
		if _, err := db.Delivery(ctx, "dl_nope"); !errors.Is(err, chat.ErrNotFound) {
			t.Fatalf("missing: %v", err)
		}
	})
}

func TestDeliveryClaimsLeasesAndFences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newSite(t, db, "shop")
		conv := openConversation(t, db, site)
		now := time.Now().Truncate(time.Millisecond)
		due := delivery(site, conv, "due", now.Add(-time.Second))
		later := delivery(site, conv, "later", now.Add(time.Hour))
		enqueue(t, db, due)
		enqueue(t, db, later)
		if at, ok, err := db.NextDeliveryAt(ctx); err != nil || !ok || !at.Equal(now.Add(-time.Second)) {
			t.Fatalf("next: %v %v %v", at, ok, err)
		}
		got, err := db.ClaimDeliveries(ctx, now, time.Minute, 10)
		if err != nil || len(got) != 1 || got[0].ID != due.ID || got[0].Attempts != 1 || !got[0].DueAt.Equal(now.Add(time.Minute)) || string(got[0].Payload) == "" {
			t.Fatalf("claim: %+v %v", got, err)
		}
		lease := got[0].DueAt
		if again, _ := db.ClaimDeliveries(ctx, now.Add(30*time.Second), time.Minute, 10); len(again) != 0 {
			t.Fatalf("claimed during the lease: %+v", again)
		}
		// The lease runs out (the worker died): another worker takes it, counting a second attempt.
		retaken, _ := db.ClaimDeliveries(ctx, now.Add(2*time.Minute), time.Minute, 10)
		if len(retaken) != 1 || retaken[0].Attempts != 2 {
			t.Fatalf("after the lease: %+v", retaken)
		}
		// The first worker's late result is refused; the second one's is stored.
		stale := *got[0]
		stale.Status, stale.Ref, stale.DueAt = chat.DeliveryDelivered, "stale", time.Time{}
		if ok, err := db.SaveDelivery(ctx, &stale, lease, nil); err != nil || ok {
			t.Fatalf("stale save: %v %v", ok, err)
		}
		d := *retaken[0]
		d.Status, d.DueAt, d.LastError = chat.DeliveryFailed, time.Time{}, "HTTP 422"
		d.Notified, d.DoneAt = true, now
		fb := &chat.Delivery{SiteID: site.ID, ConversationID: conv.ID, Kind: chat.DeliveryFallback, Method: "email", Key: "due:fallback",
			FallbackOf: d.ID, Payload: d.Payload, MaxAttempts: 5, DueAt: now}
		if ok, err := db.SaveDelivery(ctx, &d, retaken[0].DueAt, fb); err != nil || !ok {
			t.Fatalf("save: %v %v", ok, err)
		}
		stored, _ := db.Delivery(ctx, d.ID)
		if stored.Status != chat.DeliveryFailed || stored.Ref != "" || !stored.DueAt.IsZero() || stored.LastError != "HTTP 422" || !stored.Notified || !stored.DoneAt.Equal(now) {
			t.Fatalf("after save: %+v", stored)
		}
		if f, err := db.Delivery(ctx, fb.ID); err != nil || f.FallbackOf != d.ID || f.Kind != chat.DeliveryFallback {
			t.Fatalf("fallback: %+v %v", f, err)
		}
		// Done deliveries are never taken again; the fallback is.
		next, _ := db.ClaimDeliveries(ctx, now.Add(time.Hour+time.Minute), time.Minute, 10)
		if len(next) != 2 || next[0].Key == "due" || next[1].Key == "due" {
			t.Fatalf("claimable: %+v", next)
		}
	})
}

func TestDeliveryClaimsNeverOverlap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newSite(t, db, "shop")
		conv := openConversation(t, db, site)
		now := time.Now()
		const n = 40
		for i := range n {
			enqueue(t, db, delivery(site, conv, "k"+string(rune('A'+i)), now.Add(-time.Second)))
		}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					got, err := db.ClaimDeliveries(ctx, now, time.Minute, 3)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, d := range got {
						seen[d.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != n {
			t.Fatalf("%d of %d deliveries claimed", len(seen), n)
		}
		for id, c := range seen {
			if c != 1 {
				t.Fatalf("%s claimed %d times", id, c)
			}
		}
	})
}

func TestDeliveriesListNewestFirstByPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newSite(t, db, "shop")
		other := newSite(t, db, "other")
		conv := openConversation(t, db, site)
		conv2 := openConversation(t, db, site)
		for i := range 5 {
			c := conv
			if i%2 == 1 {
				c = conv2
			}
			enqueue(t, db, delivery(site, c, "k"+string(rune('0'+i)), time.Now()))
		}
		enqueue(t, db, delivery(other, openConversation(t, db, other), "other", time.Now()))
		var keys []string
		cursor := ""
		for {
			page, next, err := db.Deliveries(ctx, chat.DeliveryFilter{SiteID: site.ID, Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range page {
				if len(d.Payload) != 0 {
					t.Fatal("the list carries payloads")
				}
				keys = append(keys, d.Key)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if want := []string{"k4", "k3", "k2", "k1", "k0"}; !slices.Equal(keys, want) {
			t.Fatalf("keys %v, want %v", keys, want)
		}
		byConv, _, _ := db.Deliveries(ctx, chat.DeliveryFilter{SiteID: site.ID, ConversationID: conv2.ID})
		failed, _, _ := db.Deliveries(ctx, chat.DeliveryFilter{SiteID: site.ID, Status: chat.DeliveryFailed})
		if len(byConv) != 2 || len(failed) != 0 {
			t.Fatalf("by conversation %d, failed %d", len(byConv), len(failed))
		}
		if _, _, err := db.Deliveries(ctx, chat.DeliveryFilter{SiteID: site.ID, Cursor: "bogus"}); chat.ErrorCode(err) != chat.EInvalid {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}

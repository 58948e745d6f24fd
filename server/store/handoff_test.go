package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
)

func TestHandoffStateIsKeptBesideTheConversation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newSite(t, db, "shop")
		c := openConversation(t, db, site)
		if _, err := db.Handoff(ctx, c.ID); !errors.Is(err, chat.ErrNotFound) {
			t.Fatalf("before: %v", err)
		}
		at := time.UnixMilli(1_770_000_000_000).UTC()
		want := &chat.Handoff{ConversationID: c.ID, SiteID: site.ID, State: "offered", Method: "inbox", Reason: "unknown", Locale: "nl",
			OfferedAt: at, UpdatedAt: at}
		save := func(h *chat.Handoff) {
			t.Helper()
			err := db.Tx(ctx, func(tx chat.Tx) error {
				if _, err := tx.Conversation(c.ID); err != nil {
					return err
				}
				return tx.(chat.HandoffTx).SaveHandoff(h)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		save(want)
		got, err := db.Handoff(ctx, c.ID)
		if err != nil || *got != *want {
			t.Fatalf("got %+v, %v; want %+v", got, err, want)
		}
		// Saving again replaces every field.
		want.State, want.Email, want.Tries, want.Outcome, want.TicketRef = "done", "jane@example.com", 1, "ticket", "T-1"
		want.ConsentedAt, want.FirstReplyAt, want.UpdatedAt = at.Add(time.Second), at.Add(time.Minute), at.Add(time.Minute)
		save(want)
		err = db.Tx(ctx, func(tx chat.Tx) error {
			got, err = tx.(chat.HandoffTx).Handoff(c.ID)
			return err
		})
		if err != nil || *got != *want {
			t.Fatalf("after replace: %+v, %v; want %+v", got, err, want)
		}
	})
}

func TestHandoffCountsSelectConversationsByStartTagAndSite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site, other := newSite(t, db, "shop"), newSite(t, db, "other")
		convs := []*chat.Conversation{openConversation(t, db, site), openConversation(t, db, site), openConversation(t, db, site),
			openConversation(t, db, other)}
		tag := func(c *chat.Conversation, tags ...string) {
			err := db.Tx(ctx, func(tx chat.Tx) error {
				for _, tg := range tags {
					if _, err := tx.AddTag(c, tg); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		tag(convs[0], "sys_human_help", "shipping")
		tag(convs[1], "sys_human_follow_up")
		tag(convs[3], "sys_human_help")
		events := map[int][]string{0: {"offered", "accepted", "routed", "first_human_reply"}, 1: {"offered", "declined"}, 3: {"offered"}}
		for i, kinds := range events {
			err := db.Tx(ctx, func(tx chat.Tx) error {
				for _, k := range kinds {
					if err := tx.(chat.HandoffTx).AddHandoffEvent(&chat.HandoffEvent{SiteID: convs[i].SiteID, ConversationID: convs[i].ID, Kind: k}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		consent := time.Now()
		err := db.Tx(ctx, func(tx chat.Tx) error {
			return tx.(chat.HandoffTx).SaveHandoff(&chat.Handoff{ConversationID: convs[0].ID, SiteID: site.ID, State: "done",
				ConsentedAt: consent, FirstReplyAt: consent.Add(90 * time.Second)})
		})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		tags := []string{"sys_human_help", "sys_human_follow_up"}
		all, err := db.HandoffCounts(ctx, chat.StatsQuery{SiteID: site.ID, From: now.Add(-time.Hour), To: now.Add(time.Hour)}, tags)
		if err != nil {
			t.Fatal(err)
		}
		if all.Conversations != 3 || all.Tagged["sys_human_help"] != 1 || all.Tagged["sys_human_follow_up"] != 1 || all.TaggedAny != 2 ||
			all.Events["offered"] != 2 || all.Events["declined"] != 1 || all.Events["routed"] != 1 ||
			len(all.ReplyDelays) != 1 || all.ReplyDelays[0] != 90*time.Second {
			t.Fatalf("all: %+v", all)
		}
		shipping, err := db.HandoffCounts(ctx, chat.StatsQuery{SiteID: site.ID, From: now.Add(-time.Hour), To: now.Add(time.Hour), Tag: "shipping"}, tags)
		if err != nil || shipping.Conversations != 1 || shipping.Events["offered"] != 1 || shipping.Events["declined"] != 0 || shipping.TaggedAny != 1 {
			t.Fatalf("by tag: %+v %v", shipping, err)
		}
		before, err := db.HandoffCounts(ctx, chat.StatsQuery{SiteID: site.ID, From: now.Add(-48 * time.Hour), To: now.Add(-24 * time.Hour)}, tags)
		if err != nil || before.Conversations != 0 || len(before.Events) != 0 || len(before.ReplyDelays) != 0 {
			t.Fatalf("another day: %+v %v", before, err)
		}
	})
}

func TestOpenAssignedCountsUnresolvedConversationsPerAgent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newSite(t, db, "shop")
		alice := &chat.Agent{ID: chat.NewID("ag"), Email: "alice@example.com", Name: "Alice", Role: chat.RoleAgent, PasswordHash: "x"}
		bob := &chat.Agent{ID: chat.NewID("ag"), Email: "bob@example.com", Name: "Bob", Role: chat.RoleAgent, PasswordHash: "x"}
		for _, a := range []*chat.Agent{alice, bob} {
			if err := db.CreateAgent(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		assign := func(status chat.Status, to string) {
			c := openConversation(t, db, site)
			err := db.Tx(ctx, func(tx chat.Tx) error {
				c.Status, c.AssigneeID = status, to
				return tx.SaveConversation(c)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		assign(chat.StatusAssigned, alice.ID)
		assign(chat.StatusAssigned, alice.ID)
		assign(chat.StatusResolved, alice.ID)
		got, err := db.OpenAssigned(ctx, []string{alice.ID, bob.ID})
		if err != nil || got[alice.ID] != 2 || got[bob.ID] != 0 || len(got) != 2 {
			t.Fatalf("%v %v", got, err)
		}
	})
}

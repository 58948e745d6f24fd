package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/store"
)

// BenchmarkDashboard10000 measures the dashboard's queries (HandoffCounts and OutcomeFacts,
// what GET /v1/sites/{key}/stats runs) over a 30-day range holding 10,000 conversations of the
// site, beside 10,000 of another site (docs/benchmarks.md):
//
//	go test -run '^$' -bench Dashboard10000 -benchtime 50x ./server/store
func BenchmarkDashboard10000(b *testing.B) {
	benchEach(b, func(b *testing.B, _ string, db *store.DB) {
		ctx := context.Background()
		site := seedDashboard(b, db, "shop")
		seedDashboard(b, db, "other")
		from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		q := chat.StatsQuery{SiteID: site.ID, From: from, To: from.AddDate(0, 0, 30)}
		tags := []string{"sys_human_help", "sys_human_follow_up"}
		b.Run("HandoffCounts", func(b *testing.B) {
			for range b.N {
				c, err := db.HandoffCounts(ctx, q, tags)
				if err != nil || c.Conversations != 10000 {
					b.Fatalf("%v, %d conversations", err, c.Conversations)
				}
			}
		})
		b.Run("OutcomeFacts", func(b *testing.B) {
			for range b.N {
				facts, err := db.OutcomeFacts(ctx, q, time.UTC, tags)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for _, f := range facts {
					n += f.Count
				}
				if n != 10000 {
					b.Fatalf("the facts count %d conversations", n)
				}
			}
		})
	})
}

// seedDashboard stores 10,000 conversations of a new site spread over March 2026, each with
// one of the shapes a conversation ends in: the bot's, declined, with a person, a ticket.
func seedDashboard(b *testing.B, db *store.DB, key string) *chat.Site {
	b.Helper()
	ctx := context.Background()
	site := newSite(b, db, key)
	agent := &chat.Agent{ID: chat.NewID("ag"), Email: key + "@example.com", Name: key, Role: chat.RoleAgent, PasswordHash: "x"}
	if err := db.CreateAgent(ctx, agent); err != nil {
		b.Fatal(err)
	}
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	const n = 10000
	seedConversations(b, db, site.ID, n, func(tx chat.Tx, j int, c *chat.Conversation) error {
		c.CreatedAt = from.Add(time.Duration(j) * (30 * 24 * time.Hour / n))
		if err := tx.CreateConversation(c); err != nil {
			return err
		}
		var h *chat.Handoff
		switch j % 5 {
		case 0, 1: // the bot's
		case 2: // declined
			h = &chat.Handoff{State: "declined", Outcome: "declined"}
		case 3: // with a person
			h = &chat.Handoff{State: "done", Outcome: "team", ConsentedAt: c.CreatedAt, FirstReplyAt: c.CreatedAt.Add(time.Duration(j%600) * time.Second)}
			c.Status, c.AssigneeID = chat.StatusResolved, agent.ID
		case 4: // a ticket
			h = &chat.Handoff{State: "done", Outcome: "ticket"}
			c.Status = chat.StatusResolved
		}
		if h == nil {
			return nil
		}
		if _, err := tx.AddTag(c, "sys_human_help"); err != nil {
			return err
		}
		if err := tx.SaveConversation(c); err != nil {
			return err
		}
		h.ConversationID, h.SiteID, h.OfferedAt, h.UpdatedAt = c.ID, site.ID, c.CreatedAt, c.CreatedAt
		ht := tx.(chat.HandoffTx)
		if err := ht.SaveHandoff(h); err != nil {
			return err
		}
		for _, k := range []string{"offered", "accepted"} {
			if err := ht.AddHandoffEvent(&chat.HandoffEvent{SiteID: site.ID, ConversationID: c.ID, Kind: k, At: c.CreatedAt}); err != nil {
				return err
			}
		}
		return nil
	})
	return site
}

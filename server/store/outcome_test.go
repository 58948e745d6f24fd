package store_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
)

func TestOutcomeFactsGroupConversationsByDayAndFacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site, other := newSite(t, db, "shop"), newSite(t, db, "other")
		alice := &chat.Agent{ID: chat.NewID("ag"), Email: "alice@example.com", Name: "Alice", Role: chat.RoleAgent, PasswordHash: "x"}
		if err := db.CreateAgent(ctx, alice); err != nil {
			t.Fatal(err)
		}
		day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		// conv makes a conversation started at, then lets change set it up in a transaction.
		conv := func(s *chat.Site, at time.Time, change func(tx chat.Tx, c *chat.Conversation) error) {
			t.Helper()
			c := &chat.Conversation{ID: chat.NewID("cv"), SiteID: s.ID, VisitorID: chat.NewID("vi"), Status: chat.StatusBot, CreatedAt: at}
			err := db.Tx(ctx, func(tx chat.Tx) error {
				if err := tx.EnsureVisitor(&chat.Visitor{ID: c.VisitorID, SiteID: s.ID}); err != nil {
					return err
				}
				if err := tx.CreateConversation(c); err != nil {
					return err
				}
				if change == nil {
					return nil
				}
				return change(tx, c)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		handoff := func(state, outcome string, replied bool) func(tx chat.Tx, c *chat.Conversation) error {
			return func(tx chat.Tx, c *chat.Conversation) error {
				h := &chat.Handoff{ConversationID: c.ID, SiteID: c.SiteID, State: state, Outcome: outcome, OfferedAt: c.CreatedAt}
				if replied {
					h.ConsentedAt, h.FirstReplyAt = c.CreatedAt, c.CreatedAt.Add(time.Minute)
				}
				return tx.(chat.HandoffTx).SaveHandoff(h)
			}
		}
		// Two bot conversations, at the first and the last millisecond of the day.
		conv(site, day, nil)
		conv(site, day.Add(24*time.Hour-time.Millisecond), nil)
		// One a person has, one tagged sys_human_help, one with a ticket.
		conv(site, day.Add(15*time.Minute), func(tx chat.Tx, c *chat.Conversation) error {
			c.Status, c.AssigneeID = chat.StatusAssigned, alice.ID
			if err := tx.SaveConversation(c); err != nil {
				return err
			}
			return handoff("done", "team", true)(tx, c)
		})
		conv(site, day.Add(20*time.Minute), func(tx chat.Tx, c *chat.Conversation) error {
			_, err := tx.AddTag(c, "sys_human_help")
			return err
		})
		conv(site, day.Add(29*time.Minute), func(tx chat.Tx, c *chat.Conversation) error {
			if _, err := tx.AddTag(c, "returns"); err != nil {
				return err
			}
			c.Status = chat.StatusResolved
			if err := tx.SaveConversation(c); err != nil {
				return err
			}
			return handoff("done", "ticket", false)(tx, c)
		})
		// Outside the range, and another site's.
		conv(site, day.Add(-time.Millisecond), nil)
		conv(site, day.Add(24*time.Hour), nil)
		conv(other, day.Add(time.Hour), nil)

		q := chat.StatsQuery{SiteID: site.ID, From: day, To: day.Add(24 * time.Hour)}
		got, err := db.OutcomeFacts(ctx, q, time.UTC, []string{"sys_human_help", "sys_human_follow_up"})
		if err != nil {
			t.Fatal(err)
		}
		sort.Slice(got, func(i, j int) bool {
			return got[i].Count > got[j].Count || (got[i].Count == got[j].Count && got[i].HandoffOutcome+string(got[i].Status) < got[j].HandoffOutcome+string(got[j].Status))
		})
		want := []chat.OutcomeFacts{
			{Date: "2026-03-02", Status: chat.StatusBot, Count: 2},
			{Date: "2026-03-02", Status: chat.StatusBot, Tagged: true, Count: 1},
			{Date: "2026-03-02", Status: chat.StatusAssigned, Assigned: true, Replied: true, HandoffState: "done", HandoffOutcome: "team", Count: 1},
			{Date: "2026-03-02", Status: chat.StatusResolved, HandoffState: "done", HandoffOutcome: "ticket", Count: 1},
		}
		if len(got) != len(want) {
			t.Fatalf("got %+v\nwant %+v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%d: %+v, want %+v", i, got[i], want[i])
			}
		}
		// By tag: only the conversation tagged returns.
		q.Tag = "returns"
		got, err = db.OutcomeFacts(ctx, q, time.UTC, []string{"sys_human_help", "sys_human_follow_up"})
		if err != nil || len(got) != 1 || got[0].HandoffOutcome != "ticket" || got[0].Count != 1 {
			t.Fatalf("by tag: %+v %v", got, err)
		}
	})
}

func TestOutcomeFactsCountDaysInTheTimeZoneAskedFor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newSite(t, db, "shop")
		start := func(at time.Time) {
			t.Helper()
			c := &chat.Conversation{ID: chat.NewID("cv"), SiteID: site.ID, VisitorID: chat.NewID("vi"), Status: chat.StatusBot, CreatedAt: at}
			err := db.Tx(ctx, func(tx chat.Tx) error {
				if err := tx.EnsureVisitor(&chat.Visitor{ID: c.VisitorID, SiteID: site.ID}); err != nil {
					return err
				}
				return tx.CreateConversation(c)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		zone := func(name string) *time.Location {
			l, err := time.LoadLocation(name)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		ny, kolkata := zone("America/New_York"), zone("Asia/Kolkata")
		// New York, 7 to 9 March 2026: summer time starts on the 8th at 02:00 (UTC-5, then -4).
		for _, at := range []time.Time{
			time.Date(2026, 3, 7, 0, 0, 0, 0, ny),                    // 05:00 UTC on the 7th
			time.Date(2026, 3, 7, 23, 59, 59, 999e6, ny),             // 04:59 UTC on the 8th
			time.Date(2026, 3, 8, 1, 59, 0, 0, ny),                   // before the change
			time.Date(2026, 3, 8, 3, 0, 0, 0, ny),                    // after it
			time.Date(2026, 3, 8, 23, 30, 0, 0, ny),                  // 03:30 UTC on the 9th
			time.Date(2026, 3, 9, 12, 0, 0, 0, ny),                   //
			time.Date(2026, 3, 9, 20, 0, 0, 0, time.UTC).In(kolkata), // 01:30 on the 10th in Kolkata
		} {
			start(at)
		}
		count := func(from, to time.Time, loc *time.Location) map[string]int {
			t.Helper()
			facts, err := db.OutcomeFacts(ctx, chat.StatsQuery{SiteID: site.ID, From: from, To: to}, loc, nil)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]int{}
			for _, f := range facts {
				out[f.Date] += f.Count
			}
			return out
		}
		got := count(time.Date(2026, 3, 7, 0, 0, 0, 0, ny), time.Date(2026, 3, 10, 0, 0, 0, 0, ny), ny)
		if want := map[string]int{"2026-03-07": 2, "2026-03-08": 3, "2026-03-09": 2}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("New York: %v, want %v", got, want)
		}
		// The same conversations by UTC days, and by Kolkata's (UTC+5:30).
		got = count(time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC), time.UTC)
		if want := map[string]int{"2026-03-07": 1, "2026-03-08": 3, "2026-03-09": 3}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("UTC: %v, want %v", got, want)
		}
		got = count(time.Date(2026, 3, 7, 0, 0, 0, 0, kolkata), time.Date(2026, 3, 11, 0, 0, 0, 0, kolkata), kolkata)
		if want := map[string]int{"2026-03-07": 1, "2026-03-08": 3, "2026-03-09": 2, "2026-03-10": 1}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Kolkata: %v, want %v", got, want)
		}
	})
}

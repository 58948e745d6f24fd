package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
)

// inbox is a site with 10,000 conversations in the shapes an inbox holds (docs/benchmarks.md).
type inbox struct {
	site   *chat.Site
	agents []*chat.Agent
}

// The console's tab filters over the seeded site, with how many conversations each holds.
func (in *inbox) tabs() []struct {
	name string
	f    chat.ConversationFilter
	want int
} {
	open := []chat.Status{chat.StatusBot, chat.StatusUnassigned, chat.StatusAssigned}
	view := []string{"sys_human_help", "sys_human_follow_up"}
	return []struct {
		name string
		f    chat.ConversationFilter
		want int
	}{
		{"Unassigned", chat.ConversationFilter{SiteID: in.site.ID, Statuses: []chat.Status{chat.StatusUnassigned}}, 2000},
		{"Open", chat.ConversationFilter{SiteID: in.site.ID, Statuses: open}, 6000},
		{"Me", chat.ConversationFilter{SiteID: in.site.ID, Statuses: open, AssigneeID: in.agents[0].ID}, 400},
		{"Closed", chat.ConversationFilter{SiteID: in.site.ID, Statuses: []chat.Status{chat.StatusResolved}}, 4000},
		{"View", chat.ConversationFilter{SiteID: in.site.ID, Statuses: open, AnyTags: view}, 2500},
	}
}

// seedInbox stores 10,000 conversations of a new site: 40 % resolved, 20 % with the bot, 20 %
// unassigned (tagged sys_human_help), 20 % assigned to one of 5 agents; a quarter of the bot's
// are tagged sys_human_follow_up and some return_or_refund.
func seedInbox(tb testing.TB, db *store.DB, key string) *inbox {
	tb.Helper()
	ctx := context.Background()
	in := &inbox{site: newSite(tb, db, key)}
	for i := range 5 {
		a := &chat.Agent{ID: chat.NewID("ag"), Email: fmt.Sprintf("%s-%d@example.com", key, i), Name: "Agent", Role: chat.RoleAgent, PasswordHash: "x", SiteIDs: []string{in.site.ID}}
		if err := db.CreateAgent(ctx, a); err != nil {
			tb.Fatal(err)
		}
		in.agents = append(in.agents, a)
	}
	seedConversations(tb, db, in.site.ID, 10000, func(tx chat.Tx, j int, c *chat.Conversation) error {
		var tags []string
		switch j % 10 {
		case 0, 1, 2, 3:
			c.Status = chat.StatusResolved
		case 4, 5:
			if j%20 == 4 {
				tags = append(tags, "sys_human_follow_up")
			}
		case 6, 7:
			c.Status = chat.StatusUnassigned
			tags = append(tags, "sys_human_help")
		case 8, 9:
			c.Status, c.AssigneeID = chat.StatusAssigned, in.agents[(j/10)%5].ID
		}
		if j%20 == 0 || j%20 == 9 {
			tags = append(tags, "return_or_refund")
		}
		if err := tx.CreateConversation(c); err != nil {
			return err
		}
		for _, t := range tags {
			if _, err := tx.AddTag(c, t); err != nil {
				return err
			}
		}
		return nil
	})
	return in
}

// fullScan reports a plan step that reads the whole conversations table.
func fullScan(plan string) bool {
	for _, line := range strings.Split(plan, "\n") {
		if strings.Contains(line, "Seq Scan on conversations") ||
			(strings.HasPrefix(strings.TrimSpace(line), "SCAN conversations") && !strings.Contains(line, "INDEX")) {
			return true
		}
	}
	return false
}

// BenchmarkConversationList10000 measures the console's list query (pages of 100) for each tab
// of a site with 10,000 conversations, beside another site with as many, first pages and a page
// 20 deep by cursor, on SQLite and PostgreSQL; it fails when a plan reads the whole table
// (docs/benchmarks.md):
//
//	go test -run '^$' -bench ConversationList10000 -benchtime 200x ./server/store
func BenchmarkConversationList10000(b *testing.B) {
	benchEach(b, func(b *testing.B, kind string, db *store.DB) {
		ctx := context.Background()
		in := seedInbox(b, db, "shop")
		seedInbox(b, db, "other")
		analyze(b, db)
		for _, tab := range in.tabs() {
			f := tab.f
			f.Limit = 100
			plan, err := db.ExplainConversations(ctx, f)
			if err != nil {
				b.Fatal(err)
			}
			if fullScan(plan) {
				b.Fatalf("%s: the plan reads the whole table:\n%s", tab.name, plan)
			}
			b.Logf("%s %s plan:\n%s", kind, tab.name, plan)
			b.Run(tab.name, func(b *testing.B) {
				for range b.N {
					list, _, err := db.Conversations(ctx, f)
					if err != nil || len(list) != min(100, tab.want) {
						b.Fatalf("%v, %d conversations", err, len(list))
					}
				}
			})
			if tab.want < 2100 {
				continue
			}
			deep := f
			for range 20 {
				_, next, err := db.Conversations(ctx, deep)
				if err != nil || next == "" {
					b.Fatalf("paging %s: %v", tab.name, err)
				}
				deep.Cursor = next
			}
			b.Run(tab.name+"/page21", func(b *testing.B) {
				for range b.N {
					list, _, err := db.Conversations(ctx, deep)
					if err != nil || len(list) != 100 {
						b.Fatalf("%v, %d conversations", err, len(list))
					}
				}
			})
		}
	})
}

// analyze refreshes the planner's statistics, as autovacuum (PostgreSQL) or ANALYZE after
// migrations would on a live database.
func analyze(tb testing.TB, db *store.DB) {
	tb.Helper()
	if err := db.Analyze(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

// TestConversationListPagesThroughEveryTab walks every tab of the 10,000-conversation site page
// by page (100 at a time) with the cursor: each conversation once, none of the other site's.
func TestConversationListPagesThroughEveryTab(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		in := seedInbox(t, db, "shop")
		seedInbox(t, db, "other")
		analyze(t, db)
		for _, tab := range in.tabs() {
			f := tab.f
			f.Limit = 100
			plan, err := db.ExplainConversations(context.Background(), f)
			if err != nil || fullScan(plan) {
				t.Fatalf("%s: %v, plan:\n%s", tab.name, err, plan)
			}
			seen := map[string]bool{}
			for page := 0; ; page++ {
				if page > tab.want/100+1 {
					t.Fatalf("%s: more pages than conversations", tab.name)
				}
				list, next, err := db.Conversations(context.Background(), f)
				if err != nil || len(list) > 100 {
					t.Fatalf("%s page %d: %v, %d", tab.name, page, err, len(list))
				}
				for _, c := range list {
					if seen[c.ID] || c.SiteID != in.site.ID {
						t.Fatalf("%s: %s twice or of another site", tab.name, c.ID)
					}
					seen[c.ID] = true
				}
				if next == "" {
					break
				}
				f.Cursor = next
			}
			if len(seen) != tab.want {
				t.Fatalf("%s: %d conversations, want %d", tab.name, len(seen), tab.want)
			}
		}
	})
}

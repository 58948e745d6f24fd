package store_test

import (
	"context"
	"testing"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
)

// countViews are the demo site's views: "Needs a human" and "Returns".
var countViews = [][]string{{"sys_human_help", "sys_human_follow_up"}, {"return_or_refund"}}

// wantCounts are the seeded site's tab counts for its first agent (seedInbox).
var wantCounts = chat.InboxCounts{Me: 400, Unassigned: 2000, Open: 6000, Bot: 2000, Closed: 4000, Views: []int{2500, 500}}

func sameCounts(a, b *chat.InboxCounts) bool {
	if a.Me != b.Me || a.Unassigned != b.Unassigned || a.Open != b.Open || a.Bot != b.Bot || a.Closed != b.Closed || len(a.Views) != len(b.Views) {
		return false
	}
	for i := range a.Views {
		if a.Views[i] != b.Views[i] {
			return false
		}
	}
	return true
}

// BenchmarkInboxCounts10000 measures the console's counts (every tab of a site with 10,000
// conversations, beside three other sites with as many, and two views) on SQLite and PostgreSQL; it
// fails when the plan reads the whole conversations table (docs/benchmarks.md):
//
//	go test -run '^$' -bench InboxCounts10000 -benchtime 200x -v ./server/store
func BenchmarkInboxCounts10000(b *testing.B) {
	benchEach(b, func(b *testing.B, kind string, db *store.DB) {
		ctx := context.Background()
		in := seedInbox(b, db, "shop")
		for _, key := range []string{"other", "third", "fourth"} {
			seedInbox(b, db, key)
		}
		if err := db.Vacuum(ctx); err != nil {
			b.Fatal(err)
		}
		me := in.agents[0].ID
		plan, err := db.ExplainInboxCounts(ctx, in.site.ID, me, countViews)
		if err != nil {
			b.Fatal(err)
		}
		if fullScan(plan) {
			b.Fatalf("the plan reads the whole table:\n%s", plan)
		}
		b.Logf("%s plan:\n%s", kind, plan)
		var twenty [][]string // the most a site may have (site.MaxViews)
		for i := range 20 {
			twenty = append(twenty, countViews[i%2])
		}
		for _, c := range []struct {
			name  string
			views [][]string
		}{{"tabs", nil}, {"tabs+2views", countViews}, {"tabs+20views", twenty}} {
			b.Run(c.name, func(b *testing.B) {
				for range b.N {
					got, err := db.InboxCounts(ctx, in.site.ID, me, c.views)
					if err != nil || got.Open != wantCounts.Open || len(got.Views) != len(c.views) {
						b.Fatalf("%v, %+v", err, got)
					}
				}
			})
		}
	})
}

// TestInboxCountsMatchTheLists counts every tab of the 10,000-conversation site and compares
// with what walking its lists finds (TestConversationListPagesThroughEveryTab): exact, none of
// the other sites', and indexed. With a single other site PostgreSQL rightly reads the whole
// table to count half of it; beside three the site is a quarter, as on a database of many.
func TestInboxCountsMatchTheLists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := seedInbox(t, db, "shop")
		other := seedInbox(t, db, "other")
		seedInbox(t, db, "third")
		seedInbox(t, db, "fourth")
		if err := db.Vacuum(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := db.InboxCounts(ctx, in.site.ID, in.agents[0].ID, countViews)
		if err != nil || !sameCounts(got, &wantCounts) {
			t.Fatalf("counts %+v, %v; want %+v", got, err, wantCounts)
		}
		for _, tab := range in.tabs() {
			n := map[string]int{"Unassigned": got.Unassigned, "Open": got.Open, "Me": got.Me, "Closed": got.Closed, "View": got.Views[0]}[tab.name]
			if n != tab.want {
				t.Fatalf("%s: counted %d, the list holds %d", tab.name, n, tab.want)
			}
		}
		// Another agent of the site, one without conversations, and no views.
		got, err = db.InboxCounts(ctx, in.site.ID, other.agents[0].ID, nil)
		if err != nil || got.Me != 0 || got.Open != 6000 || len(got.Views) != 0 {
			t.Fatalf("another site's agent: %+v, %v", got, err)
		}
		plan, err := db.ExplainInboxCounts(ctx, in.site.ID, in.agents[0].ID, countViews)
		if err != nil || fullScan(plan) {
			t.Fatalf("%v, plan:\n%s", err, plan)
		}
		t.Logf("plan:\n%s", plan)
	})
}

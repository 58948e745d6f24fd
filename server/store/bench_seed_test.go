package store_test

import (
	"context"
	"testing"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
)

// benchEach runs fn as the sub-benchmarks "sqlite" and "postgres", each on a new database of
// that kind.
func benchEach(b *testing.B, fn func(b *testing.B, kind string, db *store.DB)) {
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			var db *store.DB
			if kind == "sqlite" {
				db = storetest.SQLite(b)
			} else {
				db = storetest.Postgres(b)
			}
			fn(b, kind, db)
		})
	}
}

// seedConversations stores n conversations of the site, 500 to a transaction, each of a new
// visitor (the benchmarks' 10,000-conversation sites): add is given the j-th in the bot's state,
// sets what else it holds and stores it (tx.CreateConversation) with what comes with it.
func seedConversations(tb testing.TB, db *store.DB, siteID string, n int, add func(tx chat.Tx, j int, c *chat.Conversation) error) {
	tb.Helper()
	const batch = 500
	for i := 0; i < n; i += batch {
		err := db.Tx(context.Background(), func(tx chat.Tx) error {
			for j := i; j < min(i+batch, n); j++ {
				c := &chat.Conversation{ID: chat.NewID("cv"), SiteID: siteID, VisitorID: chat.NewID("vi"), Status: chat.StatusBot}
				if err := tx.EnsureVisitor(&chat.Visitor{ID: c.VisitorID, SiteID: siteID}); err != nil {
					return err
				}
				if err := add(tx, j, c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

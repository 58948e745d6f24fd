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

func TestOpenConversationIDIsTheUnresolvedOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newSite(t, db, "shop")
		c := openConversation(t, db, site)
		if id, err := db.OpenConversationID(ctx, c.VisitorID); err != nil || id != c.ID {
			t.Fatalf("open: got %q %v, want %s", id, err, c.ID)
		}
		must(t, db.Tx(ctx, func(tx chat.Tx) error {
			cv, err := tx.Conversation(c.ID)
			if err != nil {
				return err
			}
			cv.Status, cv.ResolvedAt = chat.StatusResolved, time.Now()
			return tx.SaveConversation(cv)
		}))
		if id, err := db.OpenConversationID(ctx, c.VisitorID); !errors.Is(err, chat.ErrNotFound) {
			t.Fatalf("after resolving: got %q %v, want not found", id, err)
		}
		if id, err := db.OpenConversationID(ctx, "vi_nobody"); !errors.Is(err, chat.ErrNotFound) {
			t.Fatalf("unknown visitor: got %q %v, want not found", id, err)
		}
	})
}

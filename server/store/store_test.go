package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
)

// The conformance suite: every test runs unchanged against SQLite and PostgreSQL.

func newSite(t testing.TB, db *store.DB, key string) *chat.Site {
	t.Helper()
	s := &chat.Site{ID: chat.NewID("st"), Key: key, Name: "Site " + key, IdentitySecret: "secret", Settings: []byte(`{"key":"` + key + `"}`)}
	if err := db.CreateSite(context.Background(), s); err != nil {
		t.Fatalf("create site: %v", err)
	}
	return s
}

// openConversation creates a visitor and an open conversation in the bot state.
func openConversation(t *testing.T, db *store.DB, site *chat.Site) *chat.Conversation {
	t.Helper()
	c := &chat.Conversation{ID: chat.NewID("cv"), SiteID: site.ID, VisitorID: chat.NewID("vi"), Status: chat.StatusBot}
	err := db.Tx(context.Background(), func(tx chat.Tx) error {
		if err := tx.EnsureVisitor(&chat.Visitor{ID: c.VisitorID, SiteID: site.ID}); err != nil {
			return err
		}
		return tx.CreateConversation(c)
	})
	if err != nil {
		t.Fatalf("open conversation: %v", err)
	}
	return c
}

func appendMsg(t *testing.T, db *store.DB, convID string, m *chat.Message, visible bool) *chat.Message {
	t.Helper()
	err := db.Tx(context.Background(), func(tx chat.Tx) error {
		c, err := tx.Conversation(convID)
		if err != nil {
			return err
		}
		return tx.AppendMessage(c, m, visible)
	})
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return m
}

func text(s string) *chat.Message {
	return &chat.Message{ID: chat.NewID("ms"), AuthorType: chat.AuthorVisitor, AuthorID: "vi_x", Kind: chat.KindText, Text: s}
}

func TestSites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newSite(t, db, "shop")
		if err := db.CreateSite(ctx, &chat.Site{ID: chat.NewID("st"), Key: "shop", Settings: []byte("{}")}); chat.ErrorCode(err) != chat.EConflict {
			t.Fatalf("duplicate key: got %v, want conflict", err)
		}
		got, err := db.SiteByKey(ctx, "shop")
		if err != nil || got.ID != s.ID || string(got.Settings) != string(s.Settings) {
			t.Fatalf("by key: %+v %v", got, err)
		}
		got.Name = "Renamed"
		got.Settings = []byte(`{"key":"shop","name":"Renamed"}`)
		if err := db.UpdateSite(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, err := db.SiteByID(ctx, s.ID)
		if err != nil || again.Name != "Renamed" || string(again.Settings) != string(got.Settings) {
			t.Fatalf("after update: %+v %v", again, err)
		}
		if _, err := db.SiteByKey(ctx, "nope"); !errors.Is(err, chat.ErrNotFound) {
			t.Fatalf("missing site: %v", err)
		}
		if err := db.UpdateSite(ctx, &chat.Site{ID: "st_missing"}); !errors.Is(err, chat.ErrNotFound) {
			t.Fatalf("update missing: %v", err)
		}
		newSite(t, db, "another")
		list, err := db.Sites(ctx)
		if err != nil || len(list) != 2 || list[0].Key != "another" {
			t.Fatalf("sites: %v %v", list, err)
		}
	})
}

func TestAgents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s1, s2 := newSite(t, db, "one"), newSite(t, db, "two")
		a := &chat.Agent{ID: chat.NewID("ag"), Email: "a@example.com", Name: "Alice", Role: chat.RoleAgent, PasswordHash: "h", SiteIDs: []string{s1.ID}}
		if err := db.CreateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateAgent(ctx, &chat.Agent{ID: chat.NewID("ag"), Email: "a@example.com", Role: chat.RoleAgent}); chat.ErrorCode(err) != chat.EConflict {
			t.Fatalf("duplicate email: %v", err)
		}
		got, err := db.AgentByEmail(ctx, "a@example.com")
		if err != nil || got.ID != a.ID || len(got.SiteIDs) != 1 || !got.CanAccessSite(s1.ID) || got.CanAccessSite(s2.ID) {
			t.Fatalf("by email: %+v %v", got, err)
		}
		got.SiteIDs = []string{s1.ID, s2.ID}
		got.TokenVersion++
		if err := db.UpdateAgent(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, err := db.AgentByID(ctx, a.ID)
		if err != nil || len(again.SiteIDs) != 2 || again.TokenVersion != 1 {
			t.Fatalf("after update: %+v %v", again, err)
		}
		list, err := db.Agents(ctx)
		if err != nil || len(list) != 1 || len(list[0].SiteIDs) != 2 {
			t.Fatalf("agents: %+v %v", list, err)
		}
	})
}

func TestVisitorProfile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newSite(t, db, "shop")
		v := &chat.Visitor{ID: chat.NewID("vi"), SiteID: site.ID}
		must(t, db.Tx(ctx, func(tx chat.Tx) error { return tx.EnsureVisitor(v) }))
		v.Name, v.Email, v.Attributes = "Jane", "jane@example.com", map[string]string{"plan": "pro"}
		must(t, db.Tx(ctx, func(tx chat.Tx) error { return tx.SaveVisitor(v) }))
		// EnsureVisitor never overwrites a profile.
		must(t, db.Tx(ctx, func(tx chat.Tx) error { return tx.EnsureVisitor(&chat.Visitor{ID: v.ID, SiteID: site.ID}) }))
		got, err := db.Visitor(ctx, v.ID)
		if err != nil || got.Name != "Jane" || got.Attributes["plan"] != "pro" || got.EmailVerified {
			t.Fatalf("visitor: %+v %v", got, err)
		}
	})
}

func TestVisitorByExternalIDIsPerSiteAndUnique(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		shop, other := newSite(t, db, "shop"), newSite(t, db, "other")
		jane := &chat.Visitor{ID: chat.NewID("vi"), SiteID: shop.ID, ExternalID: "user-42", Email: "jane@example.com", EmailVerified: true}
		anon := &chat.Visitor{ID: chat.NewID("vi"), SiteID: shop.ID, Email: "jane@example.com"}
		elsewhere := &chat.Visitor{ID: chat.NewID("vi"), SiteID: other.ID, ExternalID: "user-42"}
		for _, v := range []*chat.Visitor{jane, anon, elsewhere} {
			must(t, db.Tx(ctx, func(tx chat.Tx) error { return tx.SaveVisitor(v) }))
		}
		tests := []struct {
			name, siteID, externalID, want string
		}{
			{"the site's user", shop.ID, "user-42", jane.ID},
			{"the same user id at another site is another person", other.ID, "user-42", elsewhere.ID},
			{"an unknown user", shop.ID, "user-43", ""},
			{"anonymous visitors have no external id", shop.ID, "", ""},
		}
		for _, tt := range tests {
			got, err := db.VisitorByExternalID(ctx, tt.siteID, tt.externalID)
			switch {
			case tt.want == "" && !errors.Is(err, chat.ErrNotFound):
				t.Errorf("%s: got %+v %v, want not found", tt.name, got, err)
			case tt.want != "" && (err != nil || got.ID != tt.want || got.ExternalID != tt.externalID):
				t.Errorf("%s: got %+v %v, want %s", tt.name, got, err, tt.want)
			}
		}
		twin := &chat.Visitor{ID: chat.NewID("vi"), SiteID: shop.ID, ExternalID: "user-42"}
		if err := db.Tx(ctx, func(tx chat.Tx) error { return tx.SaveVisitor(twin) }); chat.ErrorCode(err) != chat.EConflict {
			t.Fatalf("a second visitor for the same user: got %v, want conflict", err)
		}
	})
}

func TestSequenceIsGapFreeAndVisitorSequenceSkipsHidden(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := openConversation(t, db, newSite(t, db, "shop"))
		appendMsg(t, db, c.ID, text("one"), true)
		note := &chat.Message{ID: chat.NewID("ms"), AuthorType: chat.AuthorAgent, AuthorID: "ag_x", Kind: chat.KindNote, Text: "secret"}
		appendMsg(t, db, c.ID, note, false)
		three := appendMsg(t, db, c.ID, text("three"), true)
		if note.Seq != 2 || note.VisitorSeq != 0 || three.Seq != 3 || three.VisitorSeq != 2 {
			t.Fatalf("numbers: note %d/%d three %d/%d", note.Seq, note.VisitorSeq, three.Seq, three.VisitorSeq)
		}
		all, more, err := db.Messages(ctx, chat.MessageQuery{ConversationID: c.ID})
		if err != nil || more || len(all) != 3 || all[1].Text != "secret" {
			t.Fatalf("agent view: %v %v %v", all, more, err)
		}
		vis, _, err := db.Messages(ctx, chat.MessageQuery{ConversationID: c.ID, VisitorView: true, After: 1})
		if err != nil || len(vis) != 1 || vis[0].Text != "three" {
			t.Fatalf("visitor view after 1: %v %v", vis, err)
		}
		got, err := db.Conversation(ctx, c.ID)
		if err != nil || got.LastSeq != 3 || got.VisitorSeq != 2 {
			t.Fatalf("counters: %+v %v", got, err)
		}
	})
}

func TestConcurrentAppendsGetConsecutiveNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := openConversation(t, db, newSite(t, db, "shop"))
		const writers, each = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					err := db.Tx(ctx, func(tx chat.Tx) error {
						cv, err := tx.Conversation(c.ID)
						if err != nil {
							return err
						}
						return tx.AppendMessage(cv, text("x"), true)
					})
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		list, _, err := db.Messages(ctx, chat.MessageQuery{ConversationID: c.ID, Limit: 500})
		if err != nil || len(list) != writers*each {
			t.Fatalf("got %d messages, %v", len(list), err)
		}
		for i, m := range list {
			if m.Seq != int64(i+1) || m.VisitorSeq != int64(i+1) {
				t.Fatalf("message %d has seq %d/%d", i, m.Seq, m.VisitorSeq)
			}
		}
	})
}

func TestClientIDIsUniquePerAuthor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := openConversation(t, db, newSite(t, db, "shop"))
		m := text("hi")
		m.ClientID = "c1"
		appendMsg(t, db, c.ID, m, true)
		err := db.Tx(ctx, func(tx chat.Tx) error {
			got, err := tx.MessageByClientID("vi_x", "c1")
			if err != nil || got.ID != m.ID {
				return fmt.Errorf("lookup: %v %v", got, err)
			}
			if _, err := tx.MessageByClientID("vi_other", "c1"); !errors.Is(err, chat.ErrNotFound) {
				return fmt.Errorf("other author: %v", err)
			}
			return nil
		})
		must(t, err)
		dup := text("hi again")
		dup.ClientID = "c1"
		err = db.Tx(ctx, func(tx chat.Tx) error {
			cv, err := tx.Conversation(c.ID)
			if err != nil {
				return err
			}
			return tx.AppendMessage(cv, dup, true)
		})
		if err == nil {
			t.Fatal("a second message with the same author and client id was stored")
		}
		got, _ := db.Conversation(ctx, c.ID)
		if got.LastSeq != 1 {
			t.Fatalf("failed append changed the counter: %d", got.LastSeq)
		}
	})
}

func TestOneOpenConversationPerVisitor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := newSite(t, db, "shop")
		c := openConversation(t, db, site)
		err := db.Tx(ctx, func(tx chat.Tx) error {
			return tx.CreateConversation(&chat.Conversation{ID: chat.NewID("cv"), SiteID: site.ID, VisitorID: c.VisitorID, Status: chat.StatusBot})
		})
		if err == nil {
			t.Fatal("second open conversation accepted")
		}
		must(t, db.Tx(ctx, func(tx chat.Tx) error {
			cv, err := tx.Conversation(c.ID)
			if err != nil {
				return err
			}
			cv.Status, cv.ResolvedAt = chat.StatusResolved, time.Now()
			return tx.SaveConversation(cv)
		}))
		if _, err := db.OpenConversation(ctx, c.VisitorID); !errors.Is(err, chat.ErrNotFound) {
			t.Fatalf("resolved conversation still open: %v", err)
		}
		must(t, db.Tx(ctx, func(tx chat.Tx) error {
			return tx.CreateConversation(&chat.Conversation{ID: chat.NewID("cv"), SiteID: site.ID, VisitorID: c.VisitorID, Status: chat.StatusBot})
		}))
	})
}

func TestTxRollsBackEverything(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := openConversation(t, db, newSite(t, db, "shop"))
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx chat.Tx) error {
			cv, err := tx.Conversation(c.ID)
			if err != nil {
				return err
			}
			if err := tx.AppendMessage(cv, text("lost"), true); err != nil {
				return err
			}
			if _, err := tx.AddTag(cv, "vip"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
		got, _ := db.Conversation(ctx, c.ID)
		list, _, _ := db.Messages(ctx, chat.MessageQuery{ConversationID: c.ID})
		if got.LastSeq != 0 || len(got.Tags) != 0 || len(list) != 0 {
			t.Fatalf("rolled back transaction left %+v and %d messages", got, len(list))
		}
	})
}

func TestMessagePaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := openConversation(t, db, newSite(t, db, "shop"))
		for i := 1; i <= 7; i++ {
			appendMsg(t, db, c.ID, text(fmt.Sprint(i)), true)
		}
		tests := []struct {
			name  string
			q     chat.MessageQuery
			first int64
			n     int
			more  bool
		}{
			{"after 0, page of 3", chat.MessageQuery{After: 0, Limit: 3}, 1, 3, true},
			{"after 3, page of 3", chat.MessageQuery{After: 3, Limit: 3}, 4, 3, true},
			{"after 6", chat.MessageQuery{After: 6, Limit: 3}, 7, 1, false},
			{"after the end", chat.MessageQuery{After: 7}, 0, 0, false},
			{"newest 3 before 8", chat.MessageQuery{Before: 8, Limit: 3}, 5, 3, true},
			{"before 3", chat.MessageQuery{Before: 3, Limit: 3}, 1, 2, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tt.q.ConversationID = c.ID
				list, more, err := db.Messages(ctx, tt.q)
				if err != nil || len(list) != tt.n || more != tt.more {
					t.Fatalf("got %d messages more=%v err=%v", len(list), more, err)
				}
				for i, m := range list {
					if m.Seq != tt.first+int64(i) {
						t.Fatalf("message %d has seq %d", i, m.Seq)
					}
				}
			})
		}
	})
}

func TestConversationListFiltersAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site, other := newSite(t, db, "shop"), newSite(t, db, "other")
		openConversation(t, db, other)
		var ids []string
		for i := 0; i < 5; i++ {
			c := openConversation(t, db, site)
			ids = append(ids, c.ID)
			appendMsg(t, db, c.ID, text("x"), true) // distinct updated_at order
			time.Sleep(2 * time.Millisecond)
		}
		must(t, db.Tx(ctx, func(tx chat.Tx) error {
			c, err := tx.Conversation(ids[1])
			if err != nil {
				return err
			}
			if _, err := tx.AddTag(c, "vip"); err != nil {
				return err
			}
			c.Status, c.AssigneeID = chat.StatusUnassigned, ""
			return tx.SaveConversation(c)
		}))
		var seen []string
		cursor := ""
		for page := 0; page < 5; page++ {
			list, next, err := db.Conversations(ctx, chat.ConversationFilter{SiteID: site.ID, Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range list {
				seen = append(seen, c.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if len(seen) != 5 || seen[0] != ids[1] {
			t.Fatalf("paged through %v", seen)
		}
		tagged, _, err := db.Conversations(ctx, chat.ConversationFilter{SiteID: site.ID, Tag: "vip"})
		if err != nil || len(tagged) != 1 || tagged[0].ID != ids[1] || tagged[0].Tags[0] != "vip" {
			t.Fatalf("by tag: %v %v", tagged, err)
		}
		waiting, _, err := db.Conversations(ctx, chat.ConversationFilter{SiteID: site.ID, Statuses: []chat.Status{chat.StatusUnassigned}})
		if err != nil || len(waiting) != 1 {
			t.Fatalf("by status: %v %v", waiting, err)
		}
		if _, _, err := db.Conversations(ctx, chat.ConversationFilter{SiteID: site.ID, Cursor: "garbage!"}); chat.ErrorCode(err) != chat.EInvalid {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}

func TestSecretIsCreatedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n := 0
		gen := func() ([]byte, error) { n++; return []byte(fmt.Sprint("s", n)), nil }
		a, err := db.Secret(ctx, "jwt", gen)
		must(t, err)
		b, err := db.Secret(ctx, "jwt", gen)
		must(t, err)
		if string(a) != "s1" || string(b) != "s1" {
			t.Fatalf("got %q then %q", a, b)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

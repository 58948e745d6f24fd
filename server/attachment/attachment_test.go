package attachment_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/batonchat/baton/server/attachment"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
)

var png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00")

func TestUploadsNeverSentArePrunedAfterADay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := &chat.Site{ID: chat.NewID("st"), Key: "shop", Name: "Shop", IdentitySecret: "x", Settings: []byte("{}")}
		if err := db.CreateSite(ctx, site); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		dir := t.TempDir()
		svc, err := attachment.New(attachment.Options{Store: db, Dir: dir, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		save := func(name string) *chat.Attachment {
			a, err := svc.Save(ctx, attachment.Upload{SiteID: site.ID, UploaderType: chat.AuthorVisitor, UploaderID: "vi_1",
				Name: name, Body: bytes.NewReader(png)})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		old := save("old.png")
		now = now.Add(23 * time.Hour)
		recent := save("recent.png")
		for _, a := range []*chat.Attachment{old, recent} {
			_, f, err := svc.Open(ctx, a.ID, a.Secret)
			if err != nil {
				t.Fatalf("open %s: %v", a.Name, err)
			}
			f.Close()
		}
		now = now.Add(2 * time.Hour) // old is 25 h old, recent 2 h
		if n, err := svc.Prune(ctx); err != nil || n != 1 {
			t.Fatalf("prune: %d %v", n, err)
		}
		if _, _, err := svc.Open(ctx, old.ID, old.Secret); !errors.Is(err, chat.ErrNotFound) {
			t.Errorf("the pruned upload opens: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, old.ID[len(old.ID)-2:], old.ID)); !os.IsNotExist(err) {
			t.Errorf("the pruned upload's bytes are still stored: %v", err)
		}
		_, f, err := svc.Open(ctx, recent.ID, recent.Secret)
		if err != nil {
			t.Fatalf("the recent upload: %v", err)
		}
		f.Close()
		if n, err := svc.Prune(ctx); err != nil || n != 0 {
			t.Errorf("second prune: %d %v", n, err)
		}
	})
}

package site_test

import (
	"context"
	"testing"

	"github.com/batonchat/baton/server/site"
	"github.com/batonchat/baton/server/store"
)

// The knowledge base is compiled when settings are parsed; the cache must not parse (and
// compile) again when it reloads a site whose settings did not change.
func TestCacheReusesParsedSettingsUntilTheyChange(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := site.ParseYAML([]byte("key: shop\nname: Shop\nbot:\n  knowledge:\n    entries:\n      - {id: hours, questions: [\"When are you open?\"], answer: 9 to 5}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := site.Apply(ctx, db, st); err != nil {
		t.Fatal(err)
	}
	cache := site.NewCache(db, 0) // every lookup goes to the database
	first, err := cache.ByKey(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	again, err := cache.ByKey(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if again.Settings != first.Settings {
		t.Fatal("unchanged settings were parsed again")
	}
	st.Name = "Shop 2"
	if _, _, err := site.Apply(ctx, db, st); err != nil {
		t.Fatal(err)
	}
	changed, err := cache.ByKey(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if changed.Settings == first.Settings || changed.Settings.Name != "Shop 2" || changed.Settings.Bot.Base() == nil {
		t.Fatalf("changed settings not reloaded: %+v", changed.Settings)
	}
}

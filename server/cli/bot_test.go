package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/batonchat/baton/server/app"
	"github.com/batonchat/baton/server/auth"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/store"
)

func TestBotTokenMakesTheSitesBotAccountOnceAndRevokeEndsItsTokens(t *testing.T) {
	data := t.TempDir()
	if r := runCLI(t, "", "site", "add", "--data", data, "--name", "My Shop", "--origin", "https://shop.example"); r.code != 0 {
		t.Fatalf("site add: %+v", r)
	}
	r := runCLI(t, "", "bot", "token", "--data", data, "--site", "my-shop", "--ttl", "1h")
	if r.code != 0 || !strings.Contains(r.stderr, "created the bot account of site my-shop") {
		t.Fatalf("bot token: %+v", r)
	}
	again := runCLI(t, "", "bot", "token", "--data", data, "--site", "my-shop")
	if again.code != 0 || again.stderr != "" {
		t.Fatalf("second bot token: %+v", again)
	}

	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := app.Signer(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := signer.Parse(strings.TrimSpace(r.stdout))
	if err != nil || claims.Kind != auth.KindAgent {
		t.Fatalf("token: %v %+v", err, claims)
	}
	a, err := db.AgentByID(ctx, claims.Subject())
	if err != nil || a.Role != chat.RoleBot || a.Name != "My Shop bot" || len(a.SiteIDs) != 1 || a.TokenVersion != claims.Version {
		t.Fatalf("bot account: %v %+v", err, a)
	}
	if auth.CheckPassword(a.PasswordHash, "") || auth.CheckPassword(a.PasswordHash, "!") {
		t.Fatal("a bot account can sign in")
	}
	db.Close()

	if r := runCLI(t, "", "bot", "revoke", "--data", data, "--site", "my-shop"); r.code != 0 || !strings.Contains(r.stdout, "revoked") {
		t.Fatalf("bot revoke: %+v", r)
	}
	db, err = store.Open(ctx, store.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if a, _ := db.AgentByID(ctx, claims.Subject()); a.TokenVersion == claims.Version {
		t.Fatal("revoke left the token valid")
	}
}

func TestBotCommandMistakes(t *testing.T) {
	data := t.TempDir()
	runCLI(t, "", "site", "add", "--data", data, "--name", "Shop", "--origin", "https://shop.example")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"bot", "token", "--data", data}, "--site is required"},
		{[]string{"bot", "token", "--data", data, "--site", "nope"}, `no site with key "nope"`},
		{[]string{"bot", "token", "--data", data, "--site", "shop", "--ttl", "0s"}, "--ttl"},
		{[]string{"bot", "revoke", "--data", data, "--site", "shop"}, "has no bot account yet"},
		{[]string{"bot", "fire", "--data", data}, `unknown subcommand "fire"`},
	} {
		if r := runCLI(t, "", tt.args...); r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}

package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonchat/baton/server/app/apptest"
	"github.com/batonchat/baton/server/bot"
)

// A visitor's message is committed and acknowledged, the bot's webhook is still thinking, and
// the server is killed (SIGKILL): the bot's queue was in memory. The next run finds the message
// still unanswered and replays the turn, so the visitor gets the bot's reply, once.
func TestKilledWhileTheBotThinksTheNextRunAnswers(t *testing.T) {
	const secret = "replay-secret"
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			var answer atomic.Bool
			var asked atomic.Int32
			arrived := make(chan struct{}, 1)
			hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.ReadAll(r.Body)
				asked.Add(1)
				if !answer.Load() {
					// The first run's turn: think until the process dies.
					select {
					case arrived <- struct{}{}:
					default:
					}
					select {
					case <-r.Context().Done():
					case <-ctx.Done():
					}
					return
				}
				out := []byte(`{"text": "Your order left our warehouse today."}`)
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set(bot.SignatureHeader, bot.Sign([]byte(secret), time.Now(), out))
				_, _ = w.Write(out)
			}))
			defer hook.Close()

			o := options(t, db.open)
			o.Env = append(o.Env, "BATON_BOT_ALLOW_PRIVATE=1", "BATON_BOT_SECRET_REPLAY="+secret)
			p := apptest.Start(t, o)
			admin := adminToken(t, o)
			var settings map[string]any
			if code := doJSON(ctx, t, "GET", p.URL+"/v1/sites/demo/settings", admin, nil, &settings); code != http.StatusOK {
				t.Fatalf("get settings: status %d", code)
			}
			settings["bot"] = map[string]any{"brain": "webhook", "name": "Hookbot", "timeout": "60s",
				"webhook": map[string]any{"url": hook.URL, "secret_env": "BATON_BOT_SECRET_REPLAY"}}
			if code := doJSON(ctx, t, "PUT", p.URL+"/v1/sites/demo/settings", admin, settings, nil); code != http.StatusOK {
				t.Fatalf("put settings: status %d", code)
			}

			var v struct {
				Token string `json:"visitor_token"`
			}
			if code := doJSON(ctx, t, "POST", p.URL+"/v1/visitors", "", map[string]string{"site": "demo"}, &v); code != http.StatusCreated {
				t.Fatalf("create visitor: status %d", code)
			}
			ws, err := dial(ctx, p.URL, v.Token)
			if err != nil {
				t.Fatal(err)
			}
			f, err := call(ctx, ws, map[string]any{"id": "s1", "type": "send", "client_id": "c1", "text": "where is my order?"})
			if err != nil || f.Type != "reply" {
				t.Fatalf("send: %+v, %v", f, err)
			}
			select {
			case <-arrived:
			case <-ctx.Done():
				t.Fatal("the webhook was never asked")
			}
			p.Kill()
			ws.CloseNow()
			answer.Store(true)

			p = apptest.Start(t, o)
			var bots []message
			for try := 0; try < 200 && len(bots) == 0; try++ {
				st := readStoreOnce(ctx, t, p.URL, admin)
				for _, c := range st.convs {
					for _, m := range c.Messages {
						if m.Author.Type == "bot" {
							bots = append(bots, m)
						}
					}
				}
				if len(bots) == 0 {
					time.Sleep(50 * time.Millisecond)
				}
			}
			if len(bots) != 1 {
				t.Fatalf("after the restart the conversation has %d bot messages, want 1 (the replayed answer); webhook asked %d times\n%s",
					len(bots), asked.Load(), p.Log())
			}
			if n := asked.Load(); n != 2 {
				t.Errorf("webhook asked %d times, want 2 (the lost turn, then its replay)", n)
			}
		})
	}
}

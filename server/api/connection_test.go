package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/metrics"
)

func TestPresenceOfAgents(t *testing.T) {
	e := start(t)
	_, aliceTok := e.agent("Alice", chat.RoleAgent, "demo")
	_, bobTok := e.agent("Bob", chat.RoleAgent, "demo")
	e.siteWith("other", "https://other.example")
	_, carolTok := e.agent("Carol", chat.RoleAgent, "other")
	alice := e.mustDial(aliceTok)
	carol := e.mustDial(carolTok)
	bob := e.mustDial(bobTok)
	bobs := func() frame {
		for i := 0; i < 5; i++ {
			if f := alice.next("presence"); f == nil || f.obj("agent").str("name") == "Bob" {
				return f
			}
		}
		return nil
	}
	if f := bobs(); f.str("status") != "online" {
		t.Fatalf("alice saw %v", f)
	}
	bob.ok(map[string]any{"type": "presence", "status": "away"})
	if f := bobs(); f.str("status") != "away" {
		t.Fatalf("alice saw %v", f)
	}
	if code := bob.errCode(map[string]any{"type": "presence", "status": "asleep"}); code != "invalid" {
		t.Fatalf("bad status: %q", code)
	}
	bob.ws.Close(websocket.StatusNormalClosure, "")
	if f := bobs(); f.str("status") != "offline" {
		t.Fatalf("alice saw %v", f)
	}
	for _, f := range carol.drain(200 * time.Millisecond) {
		if f.str("type") == "presence" && f.obj("agent").str("name") != "Carol" {
			t.Fatalf("an agent of another site saw %v", f)
		}
	}
}

// A client that never reads its events is cut off instead of growing the server's memory.
func TestSlowConsumerIsDisconnected(t *testing.T) {
	e := start(t)
	_, tok := e.agent("Lazy", chat.RoleAdmin)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u := strings.Replace(e.url, "http://", "ws://", 1) + "/v1/ws?token=" + tok
	lazy, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lazy.CloseNow()
	if err := lazy.Write(ctx, websocket.MessageText, []byte(`{"id":"1","type":"subscribe","site":"demo"}`)); err != nil {
		t.Fatal(err)
	}
	before := testutil.ToFloat64(metrics.SlowConsumers)
	v := e.mustDial(e.visitorToken("demo"))
	text := strings.Repeat("x", 3900)
	for i := 0; i < 3000 && testutil.ToFloat64(metrics.SlowConsumers) == before; i++ {
		v.ok(map[string]any{"type": "send", "client_id": fmt.Sprint("m", i), "text": text})
	}
	if testutil.ToFloat64(metrics.SlowConsumers) == before {
		t.Fatal("the lazy connection was never cut off")
	}
	// The visitor, who reads, is unaffected.
	v.ok(map[string]any{"type": "ping"})
}

func TestMetricsAndHealth(t *testing.T) {
	e := start(t)
	v := e.mustDial(e.visitorToken("demo"))
	v.ok(map[string]any{"type": "send", "client_id": "m1", "text": "hi"})
	var health map[string]string
	if code := e.do("GET", "/healthz", "", nil, &health); code != 200 {
		t.Fatalf("healthz %d", code)
	}
	if code := e.do("GET", "/readyz", "", nil, &health); code != 200 || health["status"] != "ready" {
		t.Fatalf("readyz %d %v", code, health)
	}
	resp, err := e.get("/metrics")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"baton_connections{role=\"visitor\"}", "baton_messages_total", "baton_commit_seconds_bucket", "baton_commands_total"} {
		if !strings.Contains(resp, name) {
			t.Errorf("metrics lack %s", name)
		}
	}
}

func TestHelloIsTheFirstFrame(t *testing.T) {
	e := start(t)
	_, tok := e.agent("Alice", chat.RoleAgent, "demo")
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ws, _, err := websocket.Dial(ctx, strings.Replace(e.url, "http://", "ws://", 1)+"/v1/ws?token="+tok, nil)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		_, b, err := ws.Read(ctx)
		cancel()
		ws.CloseNow()
		if err != nil || !strings.HasPrefix(string(b), `{"type":"hello"`) {
			t.Fatalf("first frame %s (%v)", b, err)
		}
	}
}

package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/batonchat/baton/server/app"
	"github.com/batonchat/baton/server/auth"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/site"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
)

// env is a real Baton (the whole router, real SQLite or PostgreSQL) on a loopback port.
type env struct {
	t    *testing.T
	url  string
	db   *store.DB
	srv  *app.Server
	stop func() // stops the server once; later calls do nothing
}

type envOption func(*app.Config)

// start runs a server whose demo site has no bot, so tests of the core see only what they
// send; startWithBot keeps the demo site's knowledge bot.
func start(t *testing.T, opts ...envOption) *env {
	t.Helper()
	return launch(t, false, opts...)
}

func startWithBot(t *testing.T, opts ...envOption) *env {
	t.Helper()
	return launch(t, true, opts...)
}

func launch(t *testing.T, demoBot bool, opts ...envOption) *env {
	t.Helper()
	cfg := app.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.AdminPassword = "admin-password"
	cfg.RateNewVisitors, cfg.RateVisitorMessages, cfg.RateIPMessages, cfg.RateLogins = 0, 0, 0, 0
	cfg.RateUploads, cfg.RateIPUploads = 0, 0
	for _, o := range opts {
		o(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := app.New(ctx, cfg, log, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	if !demoBot {
		demo, err := srv.Store().SiteByKey(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		quiet, err := site.ParseJSON(demo.Settings)
		if err != nil {
			t.Fatal(err)
		}
		quiet.Bot, quiet.Tags = nil, nil
		if _, _, err := site.Apply(ctx, srv.Store(), quiet); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	e := &env{t: t, url: "http://" + addr.String(), db: srv.Store(), srv: srv}
	var once sync.Once
	e.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("server stopped with %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Error("server did not stop")
			}
		})
	}
	t.Cleanup(e.stop)
	return e
}

// eachDatabase runs fn against a server on SQLite and one on PostgreSQL.
func eachDatabase(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, start(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, start(t, withPostgres(t))) })
}

func withPostgres(t *testing.T) envOption {
	u := storetest.PostgresURL(t)
	return func(c *app.Config) { c.DatabaseURL = u }
}

// siteWith creates a site allowing origin.
func (e *env) siteWith(key, origin string) *chat.Site {
	e.t.Helper()
	s, _, err := site.Apply(context.Background(), e.db, site.Default(key, "Site "+key, []string{origin}))
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// agent creates an agent of the given sites (keys) and returns them with a token.
func (e *env) agent(name string, role chat.Role, siteKeys ...string) (*chat.Agent, string) {
	e.t.Helper()
	ctx := context.Background()
	a := &chat.Agent{ID: chat.NewID("ag"), Email: strings.ToLower(name) + "@example.com", Name: name, Role: role, PasswordHash: "x"}
	for _, k := range siteKeys {
		s, err := e.db.SiteByKey(ctx, k)
		if err != nil {
			e.t.Fatal(err)
		}
		a.SiteIDs = append(a.SiteIDs, s.ID)
	}
	if err := e.db.CreateAgent(ctx, a); err != nil {
		e.t.Fatal(err)
	}
	tok, _, err := e.signer(nil).AgentToken(a, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return a, tok
}

// signer signs with the server's key; now lets a test make expired tokens.
func (e *env) signer(now func() time.Time) *auth.Signer {
	key, err := e.db.Secret(context.Background(), "token_signing_key", auth.NewSecret)
	if err != nil {
		e.t.Fatal(err)
	}
	return auth.NewSigner(key, now)
}

// do sends a JSON request and decodes a JSON response.
func (e *env) do(method, path, token string, body any, out any) int {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.url+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, out); err != nil && len(b) > 0 {
			e.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

// visitorToken starts a visitor session on a site.
func (e *env) visitorToken(siteKey string) string {
	e.t.Helper()
	var out struct {
		Token string `json:"visitor_token"`
	}
	if code := e.do("POST", "/v1/visitors", "", map[string]string{"site": siteKey}, &out); code != 201 {
		e.t.Fatalf("create visitor: %d", code)
	}
	return out.Token
}

// frame is any server frame, decoded loosely.
type frame map[string]any

func (f frame) str(k string) string { s, _ := f[k].(string); return s }
func (f frame) obj(k string) frame  { m, _ := f[k].(map[string]any); return m }
func (f frame) num(k string) int64  { n, _ := f[k].(float64); return int64(n) }
func (f frame) list(k string) []frame {
	var out []frame
	l, _ := f[k].([]any)
	for _, x := range l {
		m, _ := x.(map[string]any)
		out = append(out, m)
	}
	return out
}

// client is a realtime API client over a real WebSocket.
type client struct {
	t      *testing.T
	ws     *websocket.Conn
	frames chan frame
	closed chan error
	ids    atomic.Int64
	stash  []frame // frames read while waiting for something else
}

func (e *env) dial(token string, header http.Header) (*client, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := strings.Replace(e.url, "http://", "ws://", 1) + "/v1/ws?token=" + token
	ws, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		return nil, resp, err
	}
	ws.SetReadLimit(1 << 20)
	c := &client{t: e.t, ws: ws, frames: make(chan frame, 1024), closed: make(chan error, 1)}
	go func() {
		for {
			_, b, err := ws.Read(context.Background())
			if err != nil {
				c.closed <- err
				close(c.frames)
				return
			}
			var f frame
			if err := json.Unmarshal(b, &f); err != nil {
				c.closed <- fmt.Errorf("server sent non-JSON %q", b)
				close(c.frames)
				return
			}
			c.frames <- f
		}
	}()
	e.t.Cleanup(func() { ws.Close(websocket.StatusNormalClosure, "") })
	if f := c.next("hello"); f == nil {
		e.t.Fatal("no hello frame")
	}
	return c, resp, nil
}

func (e *env) mustDial(token string) *client {
	e.t.Helper()
	c, resp, err := e.dial(token, nil)
	if err != nil {
		code := 0
		if resp != nil {
			code = resp.StatusCode
		}
		e.t.Fatalf("dial: %v (%d)", err, code)
	}
	return c
}

// read returns the next frame (stashed first), or nil after 5 s or when the connection closed.
func (c *client) read() frame {
	if len(c.stash) > 0 {
		f := c.stash[0]
		c.stash = c.stash[1:]
		return f
	}
	select {
	case f, ok := <-c.frames:
		if !ok {
			return nil
		}
		return f
	case <-time.After(5 * time.Second):
		return nil
	}
}

// next returns the next frame of a type, keeping the others for later.
func (c *client) next(typ string) frame {
	c.t.Helper()
	var keep []frame
	defer func() { c.stash = append(keep, c.stash...) }()
	for i := 0; i < 1000; i++ {
		f := c.read()
		if f == nil {
			return nil
		}
		if f.str("type") == typ {
			return f
		}
		keep = append(keep, f)
	}
	return nil
}

func (c *client) send(cmd map[string]any) string {
	c.t.Helper()
	id, ok := cmd["id"].(string)
	if !ok {
		id = fmt.Sprint("c", c.ids.Add(1))
		cmd["id"] = id
	}
	b, _ := json.Marshal(cmd)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
	return id
}

// call sends a command and returns its reply or error frame; other frames are kept.
func (c *client) call(cmd map[string]any) frame {
	c.t.Helper()
	id := c.send(cmd)
	return c.answer(id)
}

func (c *client) answer(id string) frame {
	c.t.Helper()
	var keep []frame
	defer func() { c.stash = append(keep, c.stash...) }()
	for i := 0; i < 10000; i++ {
		f := c.read()
		if f == nil {
			c.t.Fatalf("no answer to %s", id)
		}
		if (f.str("type") == "reply" || f.str("type") == "error") && f.str("id") == id {
			return f
		}
		keep = append(keep, f)
	}
	c.t.Fatalf("no answer to %s", id)
	return nil
}

// ok calls and fails the test unless the reply is a success; it returns the data.
func (c *client) ok(cmd map[string]any) frame {
	c.t.Helper()
	f := c.call(cmd)
	if f.str("type") != "reply" {
		c.t.Fatalf("%v: got %v", cmd, f)
	}
	return f.obj("data")
}

// errCode calls and returns the error code ("" on success).
func (c *client) errCode(cmd map[string]any) string {
	c.t.Helper()
	f := c.call(cmd)
	return f.str("code")
}

// drain returns the frames that arrive within d.
func (c *client) drain(d time.Duration) []frame {
	out := c.stash
	c.stash = nil
	deadline := time.After(d)
	for {
		select {
		case f, ok := <-c.frames:
			if !ok {
				return out
			}
			out = append(out, f)
		case <-deadline:
			return out
		}
	}
}

func (e *env) get(path string) (string, error) {
	resp, err := http.Get(e.url + path)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

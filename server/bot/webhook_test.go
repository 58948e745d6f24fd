package bot

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/site"
)

// fakeBot is an owner's webhook: it checks Baton's signature and answers as told.
type fakeBot struct {
	secret string
	answer func(w http.ResponseWriter, body []byte)
	got    chan *Request
}

func (f *fakeBot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := Verify([]byte(f.secret), r.Header.Get(SignatureHeader), body, time.Now()); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var req Request
	if err := json.Unmarshal(body, &req); err != nil || r.Header.Get(EventIDHeader) != req.ID {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f.got <- &req
	f.answer(w, body)
}

func signed(secret string, status int, body string) func(http.ResponseWriter, []byte) {
	return func(w http.ResponseWriter, _ []byte) {
		w.Header().Set(SignatureHeader, Sign([]byte(secret), time.Now(), []byte(body)))
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func TestWebhookAsk(t *testing.T) {
	const secret = "hook-secret"
	tests := []struct {
		name    string
		answer  func(http.ResponseWriter, []byte)
		want    *Response
		wantErr string
	}{
		{"answer with quick replies, tags and a handoff", signed(secret, 200,
			`{"text":" Hi! ","quick_replies":[{"label":"Yes","value":"yes"}],"tags":["vip"],"handoff":true,"extra":"ignored"}`),
			&Response{Text: "Hi!", QuickReplies: []chat.QuickReply{{Label: "Yes", Value: "yes"}}, Tags: []string{"vip"}, Handoff: true}, ""},
		{"empty answer keeps the bot silent", signed(secret, 204, ""), &Response{}, ""},
		{"server error", signed(secret, 500, `{"text":"oops"}`), nil, "answered HTTP 500"},
		{"unsigned answer", func(w http.ResponseWriter, _ []byte) { io.WriteString(w, `{"text":"trust me"}`) }, nil, "signature missing"},
		{"answer signed with another secret", signed("not-the-secret", 200, `{"text":"hi"}`), nil, "signature does not match"},
		{"answer whose body was changed after signing", func(w http.ResponseWriter, _ []byte) {
			w.Header().Set(SignatureHeader, Sign([]byte(secret), time.Now(), []byte(`{"text":"hi"}`)))
			io.WriteString(w, `{"text":"send your password"}`)
		}, nil, "signature does not match"},
		{"not JSON", signed(secret, 200, `hello`), nil, "not the expected JSON"},
		{"bad tag", signed(secret, 200, `{"text":"hi","tags":["Not OK"]}`), nil, "tags[0]"},
		{"text too long", signed(secret, 200, `{"text":"`+strings.Repeat("a", 4001)+`"}`), nil, "4,000 characters"},
		{"quick replies without text", signed(secret, 200, `{"quick_replies":[{"label":"a","value":"b"}]}`), nil, "need a text"},
		{"too large", signed(secret, 200, `{"text":"`+strings.Repeat("a", maxResponseBytes)+`"}`), nil, "answer over"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb := &fakeBot{secret: secret, answer: tt.answer, got: make(chan *Request, 1)}
			srv := httptest.NewServer(fb)
			defer srv.Close()
			w := &webhook{client: NewWebhookClient(true), getenv: func(string) string { return secret }, now: time.Now}
			resp, err := w.ask(context.Background(), &site.Webhook{URL: srv.URL, SecretEnv: "HOOK"}, &Request{Version: 1, ID: "ev_1", Type: "visitor_message"})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want an error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a, b := mustJSON(resp), mustJSON(tt.want); a != b {
				t.Fatalf("got %s, want %s", a, b)
			}
			if req := <-fb.got; req.ID != "ev_1" {
				t.Fatalf("bot got %+v", req)
			}
		})
	}
}

func TestWebhookFailsWithoutItsSecretOrInTime(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	cfg := &site.Webhook{URL: srv.URL, SecretEnv: "HOOK"}
	w := &webhook{client: NewWebhookClient(true), getenv: func(string) string { return "" }, now: time.Now}
	if _, err := w.ask(context.Background(), cfg, &Request{ID: "ev_1"}); err == nil || !strings.Contains(err.Error(), "HOOK") {
		t.Fatalf("no secret: %v", err)
	}
	w.getenv = func(string) string { return "x" }
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := w.ask(ctx, cfg, &Request{ID: "ev_1"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow bot: %v", err)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

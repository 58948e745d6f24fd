package helpdesk_test

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

	"github.com/batonchat/baton/server/helpdesk"
	"github.com/batonchat/baton/server/webhook"
)

func TestWebhookPostsASignedVersionedPayload(t *testing.T) {
	type received struct {
		header http.Header
		body   []byte
	}
	got := make(chan received, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if err := webhook.Verify([]byte("hook-secret"), r.Header.Get(webhook.SignatureHeader), b, time.Now()); err != nil {
			t.Errorf("signature: %v", err)
		}
		got <- received{r.Header, b}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	d := &helpdesk.Webhook{Config: helpdesk.WebhookConfig{URL: srv.URL, SecretEnv: "HOOK"}, Client: client(), Getenv: env("HOOK", "hook-secret"), Now: time.Now}
	ref, err := d.Deliver(context.Background(), helpdesk.Request{Key: "cv_123:webhook:1", Attempt: 1, Ticket: ticket()})
	if err != nil {
		t.Fatal(err)
	}
	r := <-got
	var p helpdesk.WebhookPayload
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	if ref != "cv_123:webhook:1" || p.Version != 1 || p.ID != ref || p.Type != "handoff" || r.header.Get(webhook.EventIDHeader) != ref ||
		p.ConversationID != "cv_123" || p.Visitor.ExternalID != "user-42" || p.Visitor.Email != "jane@example.com" ||
		len(p.Transcript) != 3 || !p.Transcript[2].At.Equal(time.Date(2026, 3, 29, 1, 1, 30, 0, time.UTC)) || p.Link == "" || len(p.Tags) != 2 {
		t.Fatalf("ref %q, payload %s", ref, r.body)
	}
	// A retry is the same event: the receiver dedupes on its id.
	if again, err := d.Deliver(context.Background(), helpdesk.Request{Key: "cv_123:webhook:1", Attempt: 2, Ticket: ticket()}); err != nil || again != ref {
		t.Fatalf("retry: %q %v", again, err)
	}
	if r2 := <-got; r2.header.Get(webhook.EventIDHeader) != ref {
		t.Fatalf("retry event id %q", r2.header.Get(webhook.EventIDHeader))
	}
}

func TestWebhookAnswers(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		header    string
		want      string
		wantAfter time.Duration
	}{
		{"204", 204, "", "delivered", 0},
		{"410 gone is final", 410, "", "final", 0},
		{"429 with Retry-After", 429, "30", "retry", 30 * time.Second},
		{"502", 502, "", "retry", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			d := &helpdesk.Webhook{Config: helpdesk.WebhookConfig{URL: srv.URL, SecretEnv: "HOOK"}, Client: client(), Getenv: env("HOOK", "s"), Now: time.Now}
			_, err := d.Deliver(context.Background(), helpdesk.Request{Key: "k", Attempt: 1, Ticket: ticket()})
			if got := outcome(err); got != tt.want {
				t.Fatalf("outcome %s (%v), want %s", got, err, tt.want)
			}
			if after, _ := helpdesk.RetryAfter(err); after != tt.wantAfter {
				t.Fatalf("retry after %s", after)
			}
		})
	}
}

// An owner's URL leading into the operator's network is refused for good, not retried.
func TestWebhookToAPrivateAddressIsFinal(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer srv.Close()
	d := &helpdesk.Webhook{Config: helpdesk.WebhookConfig{URL: srv.URL, SecretEnv: "HOOK"}, Client: webhook.NewClient(false), Getenv: env("HOOK", "s"), Now: time.Now}
	_, err := d.Deliver(context.Background(), helpdesk.Request{Key: "k", Attempt: 1, Ticket: ticket()})
	if outcome(err) != "final" || !errors.Is(err, webhook.ErrBlockedAddress) || hit {
		t.Fatalf("got %v (reached: %v)", err, hit)
	}
	d.Getenv = env()
	if _, err := d.Deliver(context.Background(), helpdesk.Request{Key: "k", Attempt: 1, Ticket: ticket()}); outcome(err) != "final" || !strings.Contains(err.Error(), "HOOK") {
		t.Fatalf("no secret: %v", err)
	}
}

package helpdesk_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batonchat/baton/server/helpdesk"
	"github.com/batonchat/baton/server/helpdesk/helpdesktest"
)

func newGorgias(t *testing.T) (*helpdesktest.Gorgias, *helpdesk.Gorgias) {
	t.Helper()
	fake := helpdesktest.NewGorgias(t, "agent@shop.example", "gg-key")
	d := &helpdesk.Gorgias{
		Config: helpdesk.GorgiasConfig{URL: fake.URL, Email: "agent@shop.example", APIKeyEnv: "GORGIAS_KEY"},
		Client: client(), Getenv: env("GORGIAS_KEY", "gg-key"), Now: time.Now,
	}
	return fake, d
}

func TestGorgiasCreatesTheDocumentedTicket(t *testing.T) {
	fake, d := newGorgias(t)
	ref, err := d.Deliver(context.Background(), helpdesk.Request{Key: "cv_123:gorgias:1", Attempt: 1, Ticket: ticket()})
	if err != nil {
		t.Fatal(err)
	}
	got := fake.Tickets()
	if len(got) != 1 {
		t.Fatalf("%d tickets", len(got))
	}
	tk := got[0]
	if ref != "5000" || tk.Subject != "Where is my order?" || tk.CustomerEmail != "jane@example.com" || tk.CustomerName != "Jane Doe" ||
		tk.ExternalID != "cv_123:gorgias:1" || !slices.Equal(tk.Tags, []string{"baton", "order_status", "vip"}) {
		t.Fatalf("ref %q, ticket %+v", ref, tk)
	}
	if !strings.Contains(tk.BodyText, "[2026-03-29 01:59:30 CET] Jane Doe (visitor):\nWhere is my order <b>#1234</b>?") ||
		!strings.Contains(tk.BodyHTML, "Where is my order &lt;b&gt;#1234&lt;/b&gt;?") {
		t.Fatalf("message bodies:\n%s\n%s", tk.BodyText, tk.BodyHTML)
	}
	if creates, lookups := fake.Requests(); creates != 1 || lookups != 0 {
		t.Fatalf("a first attempt made %d creations and %d lookups", creates, lookups)
	}
}

func TestGorgiasAnswers(t *testing.T) {
	tests := []struct {
		name      string
		answer    helpdesktest.Answer
		timeout   time.Duration
		want      string
		wantAfter time.Duration
	}{
		{"201 created", helpdesktest.Answer{}, 0, "delivered", 0},
		{"400 invalid is final", helpdesktest.Answer{Status: 400, Body: `{"error":{"msg":"Invalid data"}}`}, 0, "final", 0},
		{"422 is final", helpdesktest.Answer{Status: 422}, 0, "final", 0},
		{"429 with Retry-After waits as told", helpdesktest.Answer{Status: 429, RetryAfter: "20"}, 0, "retry", 20 * time.Second},
		{"500 is retried", helpdesktest.Answer{Status: 500}, 0, "retry", 0},
		{"a hang ends at the deadline and is retried", helpdesktest.Answer{Status: 500, Hang: true}, 50 * time.Millisecond, "retry", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, d := newGorgias(t)
			fake.Then(tt.answer)
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			_, err := d.Deliver(ctx, helpdesk.Request{Key: "k1", Attempt: 1, Ticket: ticket()})
			if got := outcome(err); got != tt.want {
				t.Fatalf("outcome %s (%v), want %s", got, err, tt.want)
			}
			if after, _ := helpdesk.RetryAfter(err); after != tt.wantAfter {
				t.Fatalf("retry after %s, want %s", after, tt.wantAfter)
			}
		})
	}
}

// Gorgias has no idempotency key: after a lost answer, the next attempt finds the ticket by
// external_id instead of creating a second one.
func TestGorgiasRetryAfterALostAnswerFindsTheTicket(t *testing.T) {
	fake, d := newGorgias(t)
	fake.Then(helpdesktest.Answer{Status: 502, Create: true})
	if _, err := d.Deliver(context.Background(), helpdesk.Request{Key: "k1", Attempt: 1, Ticket: ticket()}); outcome(err) != "retry" {
		t.Fatalf("lost answer: %v", err)
	}
	ref, err := d.Deliver(context.Background(), helpdesk.Request{Key: "k1", Attempt: 2, Ticket: ticket()})
	if err != nil || ref != "5000" {
		t.Fatalf("second attempt: %q %v", ref, err)
	}
	if n := len(fake.Tickets()); n != 1 {
		t.Fatalf("%d tickets after a retry", n)
	}
	// A retry that finds nothing creates the ticket.
	fake.Then(helpdesktest.Answer{Status: 500})
	if _, err := d.Deliver(context.Background(), helpdesk.Request{Key: "k2", Attempt: 1, Ticket: ticket()}); outcome(err) != "retry" {
		t.Fatal(err)
	}
	if ref, err := d.Deliver(context.Background(), helpdesk.Request{Key: "k2", Attempt: 2, Ticket: ticket()}); err != nil || ref != "5001" {
		t.Fatalf("retry of a failed creation: %q %v", ref, err)
	}
	if creates, lookups := fake.Requests(); creates != 3 || lookups != 2 || len(fake.Tickets()) != 2 {
		t.Fatalf("%d creations, %d lookups, %d tickets", creates, lookups, len(fake.Tickets()))
	}
}

func TestGorgiasWithoutItsKeyFailsBeforeSending(t *testing.T) {
	fake, d := newGorgias(t)
	d.Getenv = env()
	_, err := d.Deliver(context.Background(), helpdesk.Request{Key: "k1", Attempt: 1, Ticket: ticket()})
	if outcome(err) != "final" || !strings.Contains(err.Error(), "GORGIAS_KEY (gorgias.api_key_env) is not set") {
		t.Fatal(err)
	}
	if creates, _ := fake.Requests(); creates != 0 {
		t.Fatal("the request was sent")
	}
}

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

func newZendesk(t *testing.T) (*helpdesktest.Zendesk, *helpdesk.Zendesk) {
	t.Helper()
	fake := helpdesktest.NewZendesk(t, "agent@shop.example", "zd-token")
	d := &helpdesk.Zendesk{
		Config: helpdesk.ZendeskConfig{URL: fake.URL, Email: "agent@shop.example", TokenEnv: "ZD_TOKEN"},
		Client: client(), Getenv: env("ZD_TOKEN", "zd-token"), Now: time.Now,
	}
	return fake, d
}

func TestZendeskCreatesTheDocumentedTicket(t *testing.T) {
	fake, d := newZendesk(t)
	ref, err := d.Deliver(context.Background(), helpdesk.Request{Key: "cv_123:zendesk:1", Attempt: 1, Ticket: ticket()})
	if err != nil {
		t.Fatal(err)
	}
	got := fake.Tickets()
	if len(got) != 1 {
		t.Fatalf("%d tickets", len(got))
	}
	tk := got[0]
	if ref != "1000" || tk.Subject != "Where is my order?" || tk.RequesterName != "Jane Doe" || tk.RequesterEmail != "jane@example.com" ||
		!tk.Public || tk.ExternalID != "cv_123:zendesk:1" || tk.IdempotencyKey != "cv_123:zendesk:1" ||
		!slices.Equal(tk.Tags, []string{"baton", "order_status", "vip"}) {
		t.Fatalf("ref %q, ticket %+v", ref, tk)
	}
	for _, want := range []string{"Where is my order &lt;b&gt;#1234&lt;/b&gt;?", "user-42", "https://chat.example.com/inbox/cv_123", "2026-03-29 03:01:30 CEST"} {
		if !strings.Contains(tk.HTMLBody, want) {
			t.Errorf("comment lacks %q", want)
		}
	}
	if creates, lookups := fake.Requests(); creates != 1 || lookups != 0 {
		t.Fatalf("a first attempt made %d creations and %d lookups", creates, lookups)
	}
}

func TestZendeskAnswers(t *testing.T) {
	tests := []struct {
		name      string
		answer    helpdesktest.Answer
		timeout   time.Duration
		want      string // delivered, retry or final
		wantAfter time.Duration
		wantErr   string
	}{
		{"201 created", helpdesktest.Answer{}, 0, "delivered", 0, ""},
		{"422 invalid is final", helpdesktest.Answer{Status: 422, Body: `{"error":"RecordInvalid","description":"Record validation errors"}`}, 0, "final", 0, "HTTP 422: {\"error\":\"RecordInvalid\""},
		{"401 bad token is final", helpdesktest.Answer{Status: 401, Body: `{"error":"Couldn't authenticate you"}`}, 0, "final", 0, "HTTP 401"},
		{"429 with Retry-After waits as told", helpdesktest.Answer{Status: 429, RetryAfter: "93"}, 0, "retry", 93 * time.Second, "HTTP 429"},
		{"429 with an HTTP date", helpdesktest.Answer{Status: 429, RetryAfter: time.Now().Add(time.Hour).UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")}, 0, "retry", 59 * time.Minute, "HTTP 429"},
		{"503 with Retry-After", helpdesktest.Answer{Status: 503, RetryAfter: "5"}, 0, "retry", 5 * time.Second, "HTTP 503"},
		{"500 is retried", helpdesktest.Answer{Status: 500}, 0, "retry", 0, "HTTP 500"},
		{"a hang ends at the deadline and is retried", helpdesktest.Answer{Status: 500, Hang: true}, 50 * time.Millisecond, "retry", 0, "deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, d := newZendesk(t)
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
			if after, _ := helpdesk.RetryAfter(err); after < tt.wantAfter || (tt.wantAfter == 0 && after != 0) {
				t.Fatalf("retry after %s, want %s", after, tt.wantAfter)
			}
			if tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q lacks %q", err, tt.wantErr)
			}
		})
	}
}

// Zendesk created the ticket but Baton never heard: a later attempt finds it by external_id.
func TestZendeskRetryAfterALostAnswerFindsTheTicket(t *testing.T) {
	for _, lost := range []helpdesktest.Answer{{Status: 500, Create: true}, {Create: true, Hang: true}} {
		fake, d := newZendesk(t)
		fake.Then(lost)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		_, err := d.Deliver(ctx, helpdesk.Request{Key: "k1", Attempt: 1, Ticket: ticket()})
		cancel()
		if outcome(err) != "retry" {
			t.Fatalf("lost answer: %v", err)
		}
		ref, err := d.Deliver(context.Background(), helpdesk.Request{Key: "k1", Attempt: 2, Ticket: ticket()})
		if err != nil || ref != "1000" {
			t.Fatalf("second attempt: %q %v", ref, err)
		}
		if n := len(fake.Tickets()); n != 1 {
			t.Fatalf("%d tickets after a retry", n)
		}
		if creates, lookups := fake.Requests(); creates != 1 || lookups != 1 {
			t.Fatalf("%d creations, %d lookups", creates, lookups)
		}
	}
}

// The Idempotency-Key alone keeps a repeated creation from making a second ticket.
func TestZendeskIdempotencyKeyDedupesARepeatedCreation(t *testing.T) {
	fake, d := newZendesk(t)
	first, err := d.Deliver(context.Background(), helpdesk.Request{Key: "k1", Attempt: 1, Ticket: ticket()})
	if err != nil {
		t.Fatal(err)
	}
	again, err := d.Deliver(context.Background(), helpdesk.Request{Key: "k1", Attempt: 1, Ticket: ticket()})
	if err != nil || again != first {
		t.Fatalf("repeat: %q %v, want %q", again, err, first)
	}
	if creates, _ := fake.Requests(); creates != 2 || len(fake.Tickets()) != 1 {
		t.Fatalf("%d creations made %d tickets", creates, len(fake.Tickets()))
	}
}

func TestZendeskFinalErrorsBeforeSending(t *testing.T) {
	fake, d := newZendesk(t)
	noEmail := ticket()
	noEmail.Visitor.Email = "jane@example.com\r\nBcc: x@evil.example"
	tests := []struct {
		name   string
		getenv func(string) string
		tk     *helpdesk.Ticket
		want   string
	}{
		{"token not in the environment", env(), ticket(), "ZD_TOKEN (zendesk.token_env) is not set"},
		{"visitor without a valid email", env("ZD_TOKEN", "zd-token"), noEmail, "is not an address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d.Getenv = tt.getenv
			_, err := d.Deliver(context.Background(), helpdesk.Request{Key: "k1", Attempt: 1, Ticket: tt.tk})
			if outcome(err) != "final" || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want a final error with %q", err, tt.want)
			}
		})
	}
	if creates, _ := fake.Requests(); creates != 0 {
		t.Fatalf("%d requests reached Zendesk", creates)
	}
}

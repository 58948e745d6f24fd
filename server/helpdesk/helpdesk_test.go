package helpdesk_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/batonchat/baton/server/helpdesk"
	"github.com/batonchat/baton/server/webhook"
)

// ticket is a handed-off conversation with everything a ticket carries.
func ticket() *helpdesk.Ticket {
	at := time.Date(2026, 3, 29, 0, 59, 30, 0, time.UTC) // the night Amsterdam moves to summer time
	return &helpdesk.Ticket{
		ConversationID: "cv_123",
		SiteKey:        "shop",
		SiteName:       "The Shop",
		Subject:        "Where is my order?",
		Visitor:        helpdesk.Visitor{ID: "vi_1", ExternalID: "user-42", Email: "jane@example.com", EmailVerified: true, Name: "Jane Doe"},
		Tags:           []string{"order_status", "vip"},
		Link:           "https://chat.example.com/inbox/cv_123",
		TimeZone:       "Europe/Amsterdam",
		Transcript: []helpdesk.Line{
			{At: at, Author: "Jane Doe", AuthorType: "visitor", Text: "Where is my order <b>#1234</b>?"},
			{At: at.Add(time.Second), Author: "Shop bot", AuthorType: "bot", Text: "I could not find it.\nShall I connect you?"},
			{At: at.Add(2 * time.Minute), Author: "Jane Doe", AuthorType: "visitor", Text: "Yes"},
		},
	}
}

// env is the secrets a test's Deliverers read.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func client() *http.Client { return webhook.NewClient(true) }

// outcome names how an attempt ended, as the outbox sees it.
func outcome(err error) string {
	if err == nil {
		return "delivered"
	}
	if _, ok := helpdesk.RetryAfter(err); ok {
		return "retry"
	}
	return "final"
}

func TestTranscriptIsEscapedAndTimed(t *testing.T) {
	tk := ticket()
	html := tk.HTML()
	for _, want := range []string{
		"Where is my order &lt;b&gt;#1234&lt;/b&gt;?", // a visitor's markup stays text
		"2026-03-29 01:59:30 CET",                     // before the clocks move
		"2026-03-29 03:01:30 CEST",                    // after
		"I could not find it.<br>Shall I connect you?",
		`<a href="https://chat.example.com/inbox/cv_123">`,
		"user-42", "jane@example.com (verified by the site)", "order_status, vip",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<b>#1234") {
		t.Errorf("the visitor's markup reached the HTML:\n%s", html)
	}
	text := tk.Text()
	for _, want := range []string{"[2026-03-29 01:59:30 CET] Jane Doe (visitor):\nWhere is my order <b>#1234</b>?", "Profile id: user-42", "Tags: order_status, vip"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}

func TestTranscriptLinkIsOnlyALinkWhenHTTP(t *testing.T) {
	tk := ticket()
	tk.Link = "javascript:alert(1)"
	if html := tk.HTML(); strings.Contains(html, "<a ") {
		t.Fatalf("a non-http link became a link:\n%s", html)
	}
}

func TestRetryAfterReportsTheVendorsDelay(t *testing.T) {
	err := error(&helpdesk.Retry{After: 7 * time.Second, Err: errors.New("busy")})
	if d, ok := helpdesk.RetryAfter(errors.Join(errors.New("context"), err)); !ok || d != 7*time.Second {
		t.Fatalf("got %v %v", d, ok)
	}
	if _, ok := helpdesk.RetryAfter(errors.New("422")); ok {
		t.Fatal("a plain error is final")
	}
}

package helpdesk_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"slices"
	"strings"
	"testing"

	"github.com/batonchat/baton/server/helpdesk"
	"github.com/batonchat/baton/server/helpdesk/helpdesktest"
)

func newEmail(t *testing.T) (*helpdesktest.SMTP, *helpdesk.Email) {
	t.Helper()
	srv := helpdesktest.NewSMTP(t)
	smtp, err := helpdesk.ParseSMTP(srv.URL(), "Baton <baton@chat.example.com>")
	if err != nil {
		t.Fatal(err)
	}
	return srv, &helpdesk.Email{Config: helpdesk.EmailConfig{To: "support@shop.example"}, SMTP: smtp}
}

// parts reads a received mail: its header and the decoded text of each MIME part by type.
func parts(t *testing.T, data []byte) (mail.Header, map[string]string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a mail: %v\n%s", err, data)
	}
	out := map[string]string{}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("Content-Type %q: want a multipart message", msg.Header.Get("Content-Type"))
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		out[ct] = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	return msg.Header, out
}

func TestEmailSendsTheTranscriptToSupportWithReplyToTheVisitor(t *testing.T) {
	srv, d := newEmail(t)
	ref, err := d.Deliver(context.Background(), helpdesk.Request{Key: "cv_123:email:1", Attempt: 1, Ticket: ticket()})
	if err != nil {
		t.Fatal(err)
	}
	mails := srv.Mails()
	if len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
	m := mails[0]
	if m.From != "baton@chat.example.com" || !slices.Equal(m.To, []string{"support@shop.example"}) {
		t.Fatalf("envelope from %q to %q", m.From, m.To)
	}
	h, body := parts(t, m.Data)
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(h.Get("Subject"))
	from, _ := h.AddressList("From")
	replyTo, _ := h.AddressList("Reply-To")
	to, _ := h.AddressList("To")
	if subject != "Where is my order?" || len(from) != 1 || from[0].Address != "baton@chat.example.com" || from[0].Name != "The Shop (Baton)" ||
		len(to) != 1 || to[0].Address != "support@shop.example" ||
		len(replyTo) != 1 || replyTo[0].Address != "jane@example.com" || replyTo[0].Name != "Jane Doe" {
		t.Fatalf("headers: subject %q from %v to %v reply-to %v", subject, from, to, replyTo)
	}
	if h.Get("Message-Id") != ref || !strings.HasPrefix(ref, "<baton.") || !strings.HasSuffix(ref, "@chat.example.com>") {
		t.Fatalf("Message-ID %q, ref %q", h.Get("Message-Id"), ref)
	}
	if !strings.Contains(body["text/plain"], "[2026-03-29 03:01:30 CEST] Jane Doe (visitor):\nYes") ||
		!strings.Contains(body["text/html"], "Where is my order &lt;b&gt;#1234&lt;/b&gt;?") {
		t.Fatalf("bodies: %q", body)
	}
	// The same delivery sent again has the same Message-ID, so mail systems fold the duplicate.
	again, err := d.Deliver(context.Background(), helpdesk.Request{Key: "cv_123:email:1", Attempt: 2, Ticket: ticket()})
	if err != nil || again != ref {
		t.Fatalf("resend: %q %v, want %q", again, err, ref)
	}
}

// Nothing a visitor or an owner types can add a header or a recipient.
func TestEmailNeutralisesHeaderInjection(t *testing.T) {
	tests := []struct {
		name        string
		edit        func(*helpdesk.Ticket)
		wantReplyTo string // "" when the visitor's address is not one
	}{
		{"CRLF in the visitor's name", func(t *helpdesk.Ticket) { t.Visitor.Name = "Jane\r\nBcc: x@evil.example" }, "jane@example.com"},
		{"LF alone in the name", func(t *helpdesk.Ticket) { t.Visitor.Name = "Jane\nBcc: x@evil.example" }, "jane@example.com"},
		{"quotes and an address in the name", func(t *helpdesk.Ticket) { t.Visitor.Name = `Jane" <x@evil.example>, "Bob` }, "jane@example.com"},
		{"CRLF in the visitor's email", func(t *helpdesk.Ticket) { t.Visitor.Email = "jane@example.com\r\nBcc: x@evil.example" }, ""},
		{"two addresses as the email", func(t *helpdesk.Ticket) { t.Visitor.Email = "jane@example.com, x@evil.example" }, ""},
		{"CRLF in the subject", func(t *helpdesk.Ticket) { t.Subject = "Hi\r\nBcc: x@evil.example\r\n\r\nbody" }, "jane@example.com"},
		{"CRLF in the site name", func(t *helpdesk.Ticket) { t.SiteName = "Shop\r\nBcc: x@evil.example" }, "jane@example.com"},
		{"CRLF in the conversation id", func(t *helpdesk.Ticket) { t.ConversationID = "cv_1\r\nBcc: x@evil.example" }, "jane@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, d := newEmail(t)
			tk := ticket()
			tt.edit(tk)
			if _, err := d.Deliver(context.Background(), helpdesk.Request{Key: "k1", Attempt: 1, Ticket: tk}); err != nil {
				t.Fatal(err)
			}
			m := srv.Mails()[0]
			if !slices.Equal(m.To, []string{"support@shop.example"}) {
				t.Fatalf("envelope recipients %q", m.To)
			}
			h, _ := parts(t, m.Data)
			for _, k := range []string{"Bcc", "Cc"} {
				if v, ok := h[k]; ok {
					t.Fatalf("the mail has a %s header: %q", k, v)
				}
			}
			head, _, _ := bytes.Cut(m.Data, []byte("\r\n\r\n"))
			for _, line := range strings.Split(string(head), "\r\n") {
				if strings.HasPrefix(strings.ToLower(line), "bcc:") || strings.Contains(line, "\n") || strings.Contains(line, "\r") {
					t.Fatalf("header line %q", line)
				}
			}
			replyTo, _ := h.AddressList("Reply-To")
			switch {
			case tt.wantReplyTo == "" && len(replyTo) != 0:
				t.Fatalf("Reply-To %v for an address that is not one", replyTo)
			case tt.wantReplyTo != "" && (len(replyTo) != 1 || replyTo[0].Address != tt.wantReplyTo):
				t.Fatalf("Reply-To %v, want only %s", replyTo, tt.wantReplyTo)
			}
			for _, a := range replyTo {
				if strings.ContainsAny(a.Name, "\r\n") {
					t.Fatalf("Reply-To name %q", a.Name)
				}
			}
		})
	}
}

func TestEmailServerAnswers(t *testing.T) {
	tests := []struct {
		name string
		code int
		want string
	}{
		{"451 is retried", 451, "retry"},
		{"550 is final", 550, "final"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, d := newEmail(t)
			srv.Reject(tt.code)
			_, err := d.Deliver(context.Background(), helpdesk.Request{Key: "k1", Attempt: 1, Ticket: ticket()})
			if got := outcome(err); got != tt.want {
				t.Fatalf("outcome %s (%v), want %s", got, err, tt.want)
			}
		})
	}
	t.Run("no server is retried", func(t *testing.T) {
		smtp, _ := helpdesk.ParseSMTP("smtp://127.0.0.1:1?tls=none", "baton@chat.example.com")
		d := &helpdesk.Email{Config: helpdesk.EmailConfig{To: "support@shop.example"}, SMTP: smtp}
		if _, err := d.Deliver(context.Background(), helpdesk.Request{Key: "k1", Attempt: 1, Ticket: ticket()}); outcome(err) != "retry" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("no SMTP configured is final", func(t *testing.T) {
		d := &helpdesk.Email{Config: helpdesk.EmailConfig{To: "support@shop.example"}}
		if _, err := d.Deliver(context.Background(), helpdesk.Request{Key: "k1", Attempt: 1, Ticket: ticket()}); outcome(err) != "final" || !strings.Contains(err.Error(), "BATON_SMTP_URL") {
			t.Fatalf("got %v", err)
		}
	})
}

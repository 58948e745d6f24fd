package helpdesk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTP is the mail server of `baton serve`: BATON_SMTP_URL and BATON_SMTP_FROM.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	// Security is "starttls" (smtp://, the default: the server must offer STARTTLS), "tls"
	// (smtps://, TLS from the first byte) or "none" (smtp://…?tls=none, a relay on a network
	// the operator trusts).
	Security string
	// From is the sender of every mail Baton sends, unless a site sets its own.
	From string
	// Timeout bounds connecting and each SMTP command; default 30 s.
	Timeout time.Duration
}

// ParseSMTP reads BATON_SMTP_URL, smtp[s]://[user[:password]@]host[:port][?tls=none|starttls],
// and BATON_SMTP_FROM (an address, optionally with a name: "Baton <baton@example.com>").
func ParseSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("BATON_SMTP_URL: want smtp://user:password@host:587 or smtps://…:465")
	}
	s := &SMTP{Host: u.Hostname(), From: from}
	switch u.Scheme {
	case "smtp":
		s.Security, s.Port = "starttls", 587
		switch tls := u.Query().Get("tls"); tls {
		case "", "starttls":
		case "none":
			s.Security, s.Port = "none", 25
		default:
			return nil, fmt.Errorf("BATON_SMTP_URL: tls=%q: want starttls or none", tls)
		}
	case "smtps":
		s.Security, s.Port = "tls", 465
	default:
		return nil, fmt.Errorf("BATON_SMTP_URL: scheme %q: want smtp or smtps", u.Scheme)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("BATON_SMTP_URL: port %q", p)
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	if a, err := mail.ParseAddress(from); err != nil || strings.ContainsAny(from, "\r\n") {
		return nil, fmt.Errorf("BATON_SMTP_FROM: %q is not an address like baton@example.com", from)
	} else {
		s.From = a.String()
	}
	return s, nil
}

// Email sends the transcript to the site's support address, with Reply-To set to the visitor
// so that answering the mail answers them.
//
// Header injection: every header is built from parsed values. Addresses go through net/mail
// (one address, or none: a visitor's "a@b.c\r\nBcc: x" is not one) and names and subjects lose
// their control characters before go-mail encodes them (RFC 2047), so nothing a visitor or an
// owner typed can end a header line and start another.
//
// Idempotency: SMTP has none. The Message-ID is derived from the delivery's key, so the rare
// duplicate (the process dying after the server accepted the mail and before Baton recorded it)
// carries the same Message-ID, which mail systems use to fold duplicates.
type Email struct {
	Config EmailConfig
	SMTP   *SMTP
}

// Deliver sends the mail and returns its Message-ID.
func (e *Email) Deliver(ctx context.Context, r Request) (string, error) {
	if e.SMTP == nil {
		return "", errors.New("email: no mail server: set BATON_SMTP_URL and BATON_SMTP_FROM")
	}
	t := r.Ticket
	m := &Mail{Key: r.Key, From: e.Config.From, To: e.Config.To, Subject: t.subject(), Text: t.Text(), HTML: t.HTML(),
		Conversation: t.ConversationID}
	if t.SiteName != "" {
		m.FromName = t.SiteName + " (Baton)"
	}
	if addr, err := t.requesterEmail(); err == nil {
		m.ReplyTo, m.ReplyToName = addr, t.Visitor.Name
	}
	return e.SMTP.Send(ctx, m)
}

// Mail is one message Baton sends: a transcript to a support address, or a reply to a visitor.
type Mail struct {
	// Key is the same for every attempt of one delivery: the Message-ID is derived from it.
	Key      string
	From     string // empty: the server's sender (BATON_SMTP_FROM)
	FromName string // empty: the sender's own
	To       string
	ToName   string
	// ReplyTo is where answers go; an empty one or one that is not an address is left out.
	ReplyTo     string
	ReplyToName string
	Subject     string
	Text        string
	HTML        string // empty: text only
	// Conversation is sent as the X-Baton-Conversation header, for the team's mail filters.
	Conversation string
}

// Send sends m and returns its Message-ID. Every header is built from parsed values (see
// Email); a To that is not one address is a final error.
func (s *SMTP) Send(ctx context.Context, m *Mail) (string, error) {
	from, err := mail.ParseAddress(s.From)
	if m.From != "" {
		from, err = mail.ParseAddress(m.From)
	}
	if err != nil {
		return "", fmt.Errorf("email: sender: %w", err)
	}
	if name := truncate(oneLine(m.FromName), 100); name != "" {
		from.Name = name
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil || to.Address != strings.TrimSpace(m.To) {
		return "", fmt.Errorf("email: recipient %q is not an address", m.To)
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderFrom, from)
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderTo, &mail.Address{Name: truncate(oneLine(m.ToName), 100), Address: to.Address})
	if rt, err := mail.ParseAddress(m.ReplyTo); err == nil && rt.Address == strings.TrimSpace(m.ReplyTo) {
		msg.SetAddrHeaderFromMailAddress(gomail.HeaderReplyTo, &mail.Address{Name: truncate(oneLine(m.ReplyToName), 100), Address: rt.Address})
	}
	msg.Subject(truncate(oneLine(m.Subject), 200))
	id := messageID(m.Key, from.Address)
	msg.SetMessageIDWithValue(id)
	msg.SetDate()
	if m.Conversation != "" {
		msg.SetGenHeader("X-Baton-Conversation", oneLine(m.Conversation))
	}
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	c, err := s.client()
	if err != nil {
		return "", fmt.Errorf("email: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return "", smtpError(err)
	}
	return "<" + id + ">", nil
}

// messageID is the same for every attempt of one delivery: "baton.<hash of key>@<domain>".
func messageID(key, sender string) string {
	sum := sha256.Sum256([]byte(key))
	domain := "baton.invalid"
	if _, d, ok := strings.Cut(sender, "@"); ok && d != "" {
		domain = d
	}
	return "baton." + hex.EncodeToString(sum[:16]) + "@" + domain
}

func (s *SMTP) client() (*gomail.Client, error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(s.Port), gomail.WithTimeout(timeout)}
	switch s.Security {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	return gomail.NewClient(s.Host, opts...)
}

// smtpError: a 5xx reply to the mail (a refused recipient, a message too large) is final;
// connection trouble and 4xx replies are tried again.
func smtpError(err error) error {
	err = fmt.Errorf("email: %w", err)
	var se *gomail.SendError
	if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
		return err
	}
	return &Retry{Err: err}
}

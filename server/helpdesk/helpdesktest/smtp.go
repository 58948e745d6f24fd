package helpdesktest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is one message the SMTP stand-in accepted: the envelope and the raw message.
type Mail struct {
	From string
	To   []string
	Data []byte
}

// SMTP is a real SMTP server (emersion/go-smtp) on a loopback port, without TLS or
// authentication, that keeps what it is sent.
type SMTP struct {
	Host string
	Port int

	mu     sync.Mutex
	mails  []Mail
	reject *smtp.SMTPError
}

// NewSMTP starts the server; it stops with the test.
func NewSMTP(t testing.TB) *SMTP {
	s := &SMTP{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 10 << 20
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtp listen: %v", err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	s.Host = "127.0.0.1"
	s.Port = ln.Addr().(*net.TCPAddr).Port
	return s
}

// URL is the BATON_SMTP_URL of this server.
func (s *SMTP) URL() string {
	return "smtp://" + net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) + "?tls=none"
}

// Reject makes the server refuse the next messages' data with code (say 451 or 550); 0 accepts
// them again.
func (s *SMTP) Reject(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = nil
	if code != 0 {
		s.reject = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: "refused by the stand-in"}
	}
}

// Mails returns the messages accepted so far.
func (s *SMTP) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

type session struct {
	s    *SMTP
	from string
	to   []string
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := b.ReadFrom(r); err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.reject != nil {
		return x.s.reject
	}
	if x.from == "" || len(x.to) == 0 {
		return errors.New("no envelope")
	}
	x.s.mails = append(x.s.mails, Mail{From: x.from, To: x.to, Data: b.Bytes()})
	return nil
}

func (x *session) Reset() { x.from, x.to = "", nil }

func (x *session) Logout() error { return nil }

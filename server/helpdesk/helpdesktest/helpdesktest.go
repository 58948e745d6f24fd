// Package helpdesktest runs local stand-ins for the services a handoff is delivered to: Zendesk
// and Gorgias (HTTP servers that check every request field by field and behave as the vendors
// document, Zendesk's Idempotency-Key included), and an SMTP server (emersion/go-smtp). Each
// can be told how to answer the next requests: 201, an error status with Retry-After, a lost
// answer (the ticket is created, the answer is an error), or a hang.
package helpdesktest

import (
	"net/http"
	"sync"
	"testing"
)

// Answer says how a stand-in answers one ticket creation.
type Answer struct {
	// Status is the HTTP status to answer; 0 creates the ticket and answers 201.
	Status int
	// RetryAfter is sent as the Retry-After header when set.
	RetryAfter string
	// Body is the answer's body for an error status.
	Body string
	// Create creates the ticket before answering Status: the answer Baton gets is lost.
	Create bool
	// Hang keeps the request open until the client gives up (after creating the ticket when
	// Create is set).
	Hang bool
	// Created, when set, is called after the ticket is stored and before the answer is written:
	// a test can kill the client there, between the vendor's commit and Baton's.
	Created func()
}

// script is a queue of answers shared by the stand-ins.
type script struct {
	mu      sync.Mutex
	answers []Answer
}

// Then queues answers for the next ticket creations, in order; once they are used up, tickets
// are created normally.
func (s *script) Then(a ...Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers = append(s.answers, a...)
}

func (s *script) next() Answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.answers) == 0 {
		return Answer{}
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	return a
}

// refuse answers a request the real service would reject, and fails the test: Baton sent
// something it must not.
func refuse(t testing.TB, w http.ResponseWriter, status int, format string, args ...any) {
	t.Helper()
	t.Errorf(format, args...)
	http.Error(w, "refused by the stand-in: see the test log", status)
}

// hang blocks until the client goes away.
func hang(r *http.Request) { <-r.Context().Done() }

// Package helpdesktest runs local stand-ins for the services a handoff is delivered to: Zendesk
// and Gorgias (HTTP servers that check every request field by field and behave as the vendors
// document, Zendesk's Idempotency-Key included), and an SMTP server (emersion/go-smtp). Each
// can be told how to answer the next requests: 201, an error status with Retry-After, a lost
// answer (the ticket is created, the answer is an error), or a hang.
package helpdesktest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
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

// standIn is what the vendor stand-ins share: the scripted answers, the test to fail on a
// request the vendor would refuse, and the request counts.
type standIn struct {
	script
	vendor  string
	t       testing.TB
	mu      sync.Mutex
	creates int // ticket creations received
	lookups int // lookups by external id received
}

// Requests returns how many creations and lookups the stand-in received.
func (s *standIn) Requests() (creates, lookups int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.creates, s.lookups
}

// authorized checks HTTP basic authentication as the vendor documents it (form names the
// user:password shape in the failure), and refuses the request otherwise.
func (s *standIn) authorized(w http.ResponseWriter, r *http.Request, user, password, form string) bool {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	if got := r.Header.Get("Authorization"); got != want {
		refuse(s.t, w, http.StatusUnauthorized, "%s: Authorization %q, want %q (%s)", s.vendor, got, want, form)
		return false
	}
	return true
}

// decodeCreate counts a ticket creation and decodes its JSON body into req, refusing any
// field the vendor's API does not take; it returns the raw body, or false once refused.
func (s *standIn) decodeCreate(w http.ResponseWriter, r *http.Request, req any) ([]byte, bool) {
	s.mu.Lock()
	s.creates++
	s.mu.Unlock()
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		refuse(s.t, w, http.StatusUnsupportedMediaType, "%s: Content-Type %q", s.vendor, ct)
		return nil, false
	}
	var body bytes.Buffer
	body.ReadFrom(r.Body)
	dec := json.NewDecoder(bytes.NewReader(body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(req); err != nil {
		refuse(s.t, w, http.StatusBadRequest, "%s: body %s: %v", s.vendor, body.String(), err)
		return nil, false
	}
	return body.Bytes(), true
}

// before answers a creation the script fails without creating a ticket (an error status, or a
// hang); it reports whether it answered.
func (a Answer) before(w http.ResponseWriter, r *http.Request) bool {
	if a.Status == 0 || a.Create {
		return false
	}
	if a.Hang {
		hang(r)
		return true
	}
	if a.RetryAfter != "" {
		w.Header().Set("Retry-After", a.RetryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.Status)
	fmt.Fprint(w, a.Body)
	return true
}

// after runs once the ticket is stored: the Created hook, then a hang or the scripted status
// in place of the 201 (the answer is lost); it reports whether it answered. The caller sets
// its headers first.
func (a Answer) after(w http.ResponseWriter, r *http.Request) bool {
	if a.Created != nil {
		a.Created()
	}
	if a.Hang {
		hang(r)
		return true
	}
	if a.Status != 0 {
		w.WriteHeader(a.Status)
		fmt.Fprint(w, a.Body)
		return true
	}
	return false
}

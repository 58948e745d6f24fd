package helpdesktest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// GorgiasTicket is a ticket the Gorgias stand-in created, with the request's fields.
type GorgiasTicket struct {
	ID            int64
	Subject       string
	ExternalID    string
	CustomerEmail string
	CustomerName  string
	Tags          []string
	SenderEmail   string
	BodyText      string
	BodyHTML      string
}

// Gorgias stands in for a Gorgias account's REST API. Like Gorgias, it has no idempotency key:
// every creation it accepts is a new ticket.
type Gorgias struct {
	script
	URL    string
	Email  string // the API key's user
	APIKey string

	t       testing.TB
	mu      sync.Mutex
	tickets []GorgiasTicket
	creates int
	lookups int
}

// NewGorgias starts a stand-in for the user's email with the API key; it stops with the test.
func NewGorgias(t testing.TB, email, key string) *Gorgias {
	g := &Gorgias{Email: email, APIKey: key, t: t}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	g.URL = srv.URL
	return g
}

// Tickets returns the tickets created so far.
func (g *Gorgias) Tickets() []GorgiasTicket {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]GorgiasTicket(nil), g.tickets...)
}

// Requests returns how many creations and lookups the stand-in received.
func (g *Gorgias) Requests() (creates, lookups int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.creates, g.lookups
}

func (g *Gorgias) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(g.Email+":"+g.APIKey))
	if got := r.Header.Get("Authorization"); got != want {
		refuse(g.t, w, http.StatusUnauthorized, "gorgias: Authorization %q, want %q ({email}:{api_key})", got, want)
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/tickets":
		g.create(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/api/tickets" && r.URL.Query().Has("external_id"):
		g.lookup(w, r)
	default:
		refuse(g.t, w, http.StatusNotFound, "gorgias: unexpected %s %s", r.Method, r.URL)
	}
}

// gorgiasMessage and gorgiasRequest are exactly what Baton may send to create a ticket.
type gorgiasMessage struct {
	Channel   string `json:"channel"`
	Via       string `json:"via"`
	FromAgent *bool  `json:"from_agent"`
	Sender    struct {
		Email string `json:"email"`
	} `json:"sender"`
	Subject  string `json:"subject"`
	BodyText string `json:"body_text"`
	BodyHTML string `json:"body_html"`
}

type gorgiasRequest struct {
	Channel    string `json:"channel"`
	Via        string `json:"via"`
	FromAgent  *bool  `json:"from_agent"`
	Subject    string `json:"subject"`
	ExternalID string `json:"external_id"`
	Customer   struct {
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"customer"`
	Tags []struct {
		Name string `json:"name"`
	} `json:"tags"`
	Messages []gorgiasMessage `json:"messages"`
}

func (g *Gorgias) create(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.creates++
	g.mu.Unlock()
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		refuse(g.t, w, http.StatusUnsupportedMediaType, "gorgias: Content-Type %q", ct)
		return
	}
	var body bytes.Buffer
	body.ReadFrom(r.Body)
	var req gorgiasRequest
	dec := json.NewDecoder(bytes.NewReader(body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		refuse(g.t, w, http.StatusBadRequest, "gorgias: body %s: %v", body.String(), err)
		return
	}
	// The api channel's required fields, as Gorgias's "Create a ticket using API" lists them.
	ok := req.Channel == "api" && req.Via == "api" && req.FromAgent != nil && !*req.FromAgent &&
		req.Customer.Email != "" && req.ExternalID != "" && len(req.Messages) == 1
	if ok {
		m := req.Messages[0]
		ok = m.Channel == "api" && m.Via == "api" && m.FromAgent != nil && !*m.FromAgent &&
			m.Sender.Email == req.Customer.Email && m.BodyText != "" && m.BodyHTML != ""
	}
	if !ok {
		refuse(g.t, w, http.StatusBadRequest, "gorgias: not a valid api-channel ticket from the customer: %s", body.String())
		return
	}
	a := g.next()
	if a.Status != 0 && !a.Create {
		if a.Hang {
			hang(r)
			return
		}
		if a.RetryAfter != "" {
			w.Header().Set("Retry-After", a.RetryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.Status)
		fmt.Fprint(w, a.Body)
		return
	}
	g.mu.Lock()
	id := int64(5000 + len(g.tickets))
	tk := GorgiasTicket{ID: id, Subject: req.Subject, ExternalID: req.ExternalID, CustomerEmail: req.Customer.Email,
		CustomerName: req.Customer.Name, SenderEmail: req.Messages[0].Sender.Email, BodyText: req.Messages[0].BodyText,
		BodyHTML: req.Messages[0].BodyHTML}
	for _, t := range req.Tags {
		tk.Tags = append(tk.Tags, t.Name)
	}
	g.tickets = append(g.tickets, tk)
	g.mu.Unlock()
	if a.Created != nil {
		a.Created()
	}
	if a.Hang {
		hang(r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if a.Status != 0 {
		w.WriteHeader(a.Status)
		fmt.Fprint(w, a.Body)
		return
	}
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"id": id, "uri": fmt.Sprintf("/api/tickets/%d/", id), "external_id": req.ExternalID, "subject": req.Subject})
}

func (g *Gorgias) lookup(w http.ResponseWriter, r *http.Request) {
	ext := r.URL.Query().Get("external_id")
	g.mu.Lock()
	g.lookups++
	found := []map[string]any{}
	for _, tk := range g.tickets {
		if tk.ExternalID == ext {
			found = append(found, map[string]any{"id": tk.ID, "external_id": tk.ExternalID, "subject": tk.Subject})
		}
	}
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "uri": "/api/tickets", "data": found, "meta": map[string]any{"next_cursor": nil, "prev_cursor": nil}})
}

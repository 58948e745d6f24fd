package helpdesktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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
	standIn
	URL    string
	Email  string // the API key's user
	APIKey string

	tickets []GorgiasTicket
}

// NewGorgias starts a stand-in for the user's email with the API key; it stops with the test.
func NewGorgias(t testing.TB, email, key string) *Gorgias {
	g := &Gorgias{Email: email, APIKey: key, standIn: standIn{vendor: "gorgias", t: t}}
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

func (g *Gorgias) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !g.authorized(w, r, g.Email, g.APIKey, "{email}:{api_key}") {
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
	var req gorgiasRequest
	body, ok := g.decodeCreate(w, r, &req)
	if !ok {
		return
	}
	// The api channel's required fields, as Gorgias's "Create a ticket using API" lists them.
	ok = req.Channel == "api" && req.Via == "api" && req.FromAgent != nil && !*req.FromAgent &&
		req.Customer.Email != "" && req.ExternalID != "" && len(req.Messages) == 1
	if ok {
		m := req.Messages[0]
		ok = m.Channel == "api" && m.Via == "api" && m.FromAgent != nil && !*m.FromAgent &&
			m.Sender.Email == req.Customer.Email && m.BodyText != "" && m.BodyHTML != ""
	}
	if !ok {
		refuse(g.t, w, http.StatusBadRequest, "gorgias: not a valid api-channel ticket from the customer: %s", body)
		return
	}
	a := g.next()
	if a.before(w, r) {
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
	w.Header().Set("Content-Type", "application/json")
	if a.after(w, r) {
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

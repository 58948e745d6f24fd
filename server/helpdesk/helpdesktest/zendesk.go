package helpdesktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// ZendeskTicket is a ticket the Zendesk stand-in created, with the request's fields.
type ZendeskTicket struct {
	ID             int64
	Subject        string
	RequesterName  string
	RequesterEmail string
	HTMLBody       string
	Public         bool
	Tags           []string
	ExternalID     string
	IdempotencyKey string
}

// Zendesk stands in for a Zendesk account's Tickets API.
type Zendesk struct {
	standIn
	URL   string
	Email string // the agent's email
	Token string // the API token

	tickets []ZendeskTicket
	keys    map[string]idempotent // Idempotency-Key → the first request and its answer
}

type idempotent struct {
	body   []byte
	status int
	answer []byte
}

// NewZendesk starts a stand-in for the agent email with the API token; it stops with the test.
func NewZendesk(t testing.TB, email, token string) *Zendesk {
	z := &Zendesk{Email: email, Token: token, standIn: standIn{vendor: "zendesk", t: t}, keys: map[string]idempotent{}}
	srv := httptest.NewServer(z)
	t.Cleanup(srv.Close)
	z.URL = srv.URL
	return z
}

// Tickets returns the tickets created so far.
func (z *Zendesk) Tickets() []ZendeskTicket {
	z.mu.Lock()
	defer z.mu.Unlock()
	return append([]ZendeskTicket(nil), z.tickets...)
}

func (z *Zendesk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !z.authorized(w, r, z.Email+"/token", z.Token, "{email}/token:{api_token}") {
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/v2/tickets":
		z.create(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v2/tickets" && r.URL.Query().Has("external_id"):
		z.lookup(w, r)
	default:
		refuse(z.t, w, http.StatusNotFound, "zendesk: unexpected %s %s", r.Method, r.URL)
	}
}

// zendeskRequest is exactly what Baton may send to create a ticket.
type zendeskRequest struct {
	Ticket struct {
		Subject   string `json:"subject"`
		Requester struct {
			Name  string `json:"name"`
			Email string `json:"email"`
		} `json:"requester"`
		Comment struct {
			HTMLBody string `json:"html_body"`
			Public   *bool  `json:"public"`
		} `json:"comment"`
		Tags       []string `json:"tags"`
		ExternalID string   `json:"external_id"`
	} `json:"ticket"`
}

func (z *Zendesk) create(w http.ResponseWriter, r *http.Request) {
	var req zendeskRequest
	body, ok := z.decodeCreate(w, r, &req)
	if !ok {
		return
	}
	tk := req.Ticket
	if tk.Subject == "" || tk.Requester.Email == "" || tk.Requester.Name == "" || tk.Comment.HTMLBody == "" || tk.Comment.Public == nil || tk.ExternalID == "" {
		refuse(z.t, w, http.StatusUnprocessableEntity, "zendesk: a required field is missing: %s", body)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		refuse(z.t, w, http.StatusBadRequest, "zendesk: no Idempotency-Key header")
		return
	}
	// As Zendesk documents: a request repeating a key gets the first request's answer, marked
	// x-idempotency-lookup: hit; the same key with another body is an error.
	z.mu.Lock()
	if prev, ok := z.keys[key]; ok {
		z.mu.Unlock()
		if !bytes.Equal(prev.body, body) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"IdempotentRequestError","description":"Request parameters do not match the original request for this idempotency key"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Idempotency-Lookup", "hit")
		w.WriteHeader(prev.status)
		w.Write(prev.answer)
		return
	}
	z.mu.Unlock()

	a := z.next()
	if a.before(w, r) {
		return
	}
	z.mu.Lock()
	id := int64(1000 + len(z.tickets))
	z.tickets = append(z.tickets, ZendeskTicket{
		ID: id, Subject: tk.Subject, RequesterName: tk.Requester.Name, RequesterEmail: tk.Requester.Email,
		HTMLBody: tk.Comment.HTMLBody, Public: *tk.Comment.Public, Tags: tk.Tags, ExternalID: tk.ExternalID, IdempotencyKey: key,
	})
	answer, _ := json.Marshal(map[string]any{"ticket": map[string]any{
		"id": id, "url": z.URL + "/api/v2/tickets/" + strconv.FormatInt(id, 10) + ".json", "subject": tk.Subject, "external_id": tk.ExternalID,
	}})
	z.keys[key] = idempotent{body: body, status: http.StatusCreated, answer: answer}
	z.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Idempotency-Lookup", "miss")
	if a.after(w, r) { // created, but the answer Baton gets may say otherwise
		return
	}
	w.WriteHeader(http.StatusCreated)
	w.Write(answer)
}

func (z *Zendesk) lookup(w http.ResponseWriter, r *http.Request) {
	ext := r.URL.Query().Get("external_id")
	z.mu.Lock()
	z.lookups++
	found := []map[string]any{}
	for _, tk := range z.tickets {
		if tk.ExternalID == ext {
			found = append(found, map[string]any{"id": tk.ID, "external_id": tk.ExternalID, "subject": tk.Subject})
		}
	}
	z.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"tickets": found, "count": len(found), "next_page": nil, "previous_page": nil})
}

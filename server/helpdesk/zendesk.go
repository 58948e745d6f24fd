package helpdesk

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Zendesk creates a ticket with the Tickets API: POST /api/v2/tickets, the visitor as
// requester, the transcript as the first comment, authenticated as {email}/token:{api_token}.
//
// Idempotency: every attempt carries the delivery's key as Zendesk's Idempotency-Key header, so
// Zendesk answers a repeated request with the ticket it created the first time instead of a
// second one; the key is also the ticket's external_id, and an attempt after the first looks
// the ticket up by it before creating one, which covers a retry coming after Zendesk has
// forgotten the key.
type Zendesk struct {
	Config ZendeskConfig
	Client *http.Client
	Getenv func(string) string
	Now    func() time.Time
}

func (z *Zendesk) base() string {
	if z.Config.URL != "" {
		return strings.TrimSuffix(z.Config.URL, "/")
	}
	return "https://" + z.Config.Subdomain + ".zendesk.com"
}

type zendeskTicket struct {
	Ticket struct {
		ID json.Number `json:"id"`
	} `json:"ticket"`
}

// Deliver creates the ticket (or finds the one an earlier attempt created) and returns its id.
func (z *Zendesk) Deliver(ctx context.Context, r Request) (string, error) {
	tk, err := startTicket("zendesk", z.Config.TokenEnv, "token_env", z.Getenv, z.Client, z.Now, r,
		func(token string) string { return z.Config.Email + "/token:" + token })
	if err != nil {
		return "", err
	}
	if r.Attempt > 1 {
		if ref, err := tk.find(ctx, z.base()+"/api/v2/tickets?external_id="+url.QueryEscape(r.Key), "tickets"); err != nil || ref != "" {
			return ref, err
		}
	}
	c, h, email := tk.c, tk.h, tk.email
	t := r.Ticket
	body := map[string]any{"ticket": map[string]any{
		"subject":     t.subject(),
		"requester":   map[string]any{"name": requesterName(t), "email": email},
		"comment":     map[string]any{"html_body": t.HTML(), "public": true},
		"tags":        zendeskTags(t.Tags),
		"external_id": r.Key,
	}}
	create := h.Clone()
	create.Set("Idempotency-Key", r.Key)
	answer, err := c.do(ctx, http.MethodPost, z.base()+"/api/v2/tickets", create, body)
	if err != nil {
		return "", err
	}
	var out zendeskTicket
	if err := json.Unmarshal(answer, &out); err != nil || out.Ticket.ID == "" {
		// Created, but the answer is not what Zendesk documents: retrying finds it by external_id.
		return "", &Retry{Err: fmt.Errorf("zendesk: unexpected answer to the ticket creation%s", snippet(answer))}
	}
	return out.Ticket.ID.String(), nil
}

func requesterName(t *Ticket) string {
	if n := oneLine(t.Visitor.Name); n != "" {
		return truncate(n, 100)
	}
	name, _, _ := strings.Cut(t.Visitor.Email, "@")
	return name
}

// zendeskTags: Zendesk tags cannot hold spaces; Baton's tags never do, but a tag is data.
func zendeskTags(tags []string) []string {
	out := []string{"baton"}
	for _, t := range tags {
		if t = strings.ReplaceAll(oneLine(t), " ", "_"); t != "" {
			out = append(out, t)
		}
	}
	return out
}

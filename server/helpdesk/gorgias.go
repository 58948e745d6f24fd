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

// Gorgias creates a ticket with the REST API: POST /api/tickets on the api channel, the
// visitor as customer and sender of the one message (from_agent false) holding the transcript,
// authenticated as {email}:{api_key}.
//
// Idempotency: Gorgias has no idempotency key, so the delivery's key is the ticket's
// external_id and an attempt after the first lists the tickets with that external_id
// (GET /api/tickets?external_id=…) before creating one. What remains is a window no client can
// close: an attempt whose creation Gorgias commits after the next attempt's lookup. The outbox
// keeps it shut in practice by giving each attempt a deadline well inside its lease, so two
// attempts of one delivery never run at once.
type Gorgias struct {
	Config GorgiasConfig
	Client *http.Client
	Getenv func(string) string
	Now    func() time.Time
}

func (g *Gorgias) base() string {
	if g.Config.URL != "" {
		return strings.TrimSuffix(g.Config.URL, "/")
	}
	return "https://" + g.Config.Domain + ".gorgias.com"
}

// Deliver creates the ticket (or finds the one an earlier attempt created) and returns its id.
func (g *Gorgias) Deliver(ctx context.Context, r Request) (string, error) {
	tk, err := startTicket("gorgias", g.Config.APIKeyEnv, "api_key_env", g.Getenv, g.Client, g.Now, r,
		func(key string) string { return g.Config.Email + ":" + key })
	if err != nil {
		return "", err
	}
	// Trashed tickets count in the lookup: a ticket someone already dealt with must not come back.
	if r.Attempt > 1 {
		if ref, err := tk.find(ctx, g.base()+"/api/tickets?limit=1&external_id="+url.QueryEscape(r.Key), "data"); err != nil || ref != "" {
			return ref, err
		}
	}
	c, h, email := tk.c, tk.h, tk.email
	t := r.Ticket
	customer := map[string]any{"email": email}
	if n := oneLine(t.Visitor.Name); n != "" {
		customer["name"] = truncate(n, 100)
	}
	tags := []map[string]string{{"name": "baton"}}
	for _, tag := range t.Tags {
		if tag = oneLine(tag); tag != "" {
			tags = append(tags, map[string]string{"name": tag})
		}
	}
	subject := t.subject()
	body := map[string]any{
		"channel":     "api",
		"via":         "api",
		"from_agent":  false,
		"subject":     subject,
		"external_id": r.Key,
		"customer":    customer,
		"tags":        tags,
		"messages": []map[string]any{{
			"channel":    "api",
			"via":        "api",
			"from_agent": false,
			"sender":     map[string]any{"email": email},
			"subject":    subject,
			"body_text":  t.Text(),
			"body_html":  t.HTML(),
		}},
	}
	answer, err := c.do(ctx, http.MethodPost, g.base()+"/api/tickets", h, body)
	if err != nil {
		return "", err
	}
	var out struct {
		ID json.Number `json:"id"`
	}
	if err := json.Unmarshal(answer, &out); err != nil || out.ID == "" {
		return "", &Retry{Err: fmt.Errorf("gorgias: unexpected answer to the ticket creation%s", snippet(answer))}
	}
	return out.ID.String(), nil
}

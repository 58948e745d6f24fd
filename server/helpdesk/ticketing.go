package helpdesk

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// ticketing is one delivery to a ticketing API (Zendesk, Gorgias): the checked requester, the
// call that classifies errors, and the headers with basic authentication.
type ticketing struct {
	c     *call
	h     http.Header
	email string
}

// startTicket checks the secret (named by secretField, read from the environment) and the
// requester, and prepares basic authentication as user(secret).
func startTicket(vendor, secretEnv, secretField string, getenv func(string) string, client *http.Client, now func() time.Time,
	r Request, user func(secret string) string) (*ticketing, error) {
	secret := getenv(secretEnv)
	if secret == "" {
		return nil, fmt.Errorf("%s: the environment variable %s (%s.%s) is not set", vendor, secretEnv, vendor, secretField)
	}
	email, err := r.Ticket.requesterEmail()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", vendor, err)
	}
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user(secret))))
	return &ticketing{c: &call{vendor: vendor, client: client, now: now}, h: h, email: email}, nil
}

// find looks up the ticket an earlier attempt created: u lists tickets by external id, and the
// answer holds them under listField. It returns "" when there is none.
func (t *ticketing) find(ctx context.Context, u, listField string) (string, error) {
	answer, err := t.c.do(ctx, http.MethodGet, u, t.h, nil)
	if err != nil {
		return "", err
	}
	var out map[string]json.RawMessage
	var list []struct {
		ID json.Number `json:"id"`
	}
	if err := json.Unmarshal(answer, &out); err != nil || (out[listField] != nil && json.Unmarshal(out[listField], &list) != nil) {
		return "", &Retry{Err: fmt.Errorf("%s: unexpected answer to the ticket lookup%s", t.c.vendor, snippet(answer))}
	}
	if len(list) > 0 {
		return list[0].ID.String(), nil
	}
	return "", nil
}

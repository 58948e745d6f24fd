package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/batonchat/baton/server/chat"
)

func (h *handlers) bindDeliveries(e *echo.Echo) {
	e.GET("/v1/sites/:key/deliveries", h.listDeliveries, h.agentAuth, requireAdmin)
}

// deliveryView is one outbox delivery as admins see it: where it stands and why, never its
// payload (the transcript).
type deliveryView struct {
	ID             string `json:"id"`
	ConversationID string `json:"conversation_id"`
	Kind           string `json:"kind"`   // handoff, fallback or reply
	Method         string `json:"method"` // zendesk, gorgias, email or webhook
	Status         string `json:"status"` // pending, delivered or failed
	Attempts       int    `json:"attempts"`
	MaxAttempts    int    `json:"max_attempts"`
	// NextAttemptAt is when a pending delivery is tried next (Unix ms).
	NextAttemptAt int64  `json:"next_attempt_at,omitempty"`
	Ref           string `json:"ref,omitempty"`
	LastError     string `json:"last_error,omitempty"`
	FallbackOf    string `json:"fallback_of,omitempty"`
	// Reported: the handoff flow has heard the outcome (the conversation was resolved, or
	// went to the team).
	Reported  bool  `json:"reported"`
	CreatedAt int64 `json:"created_at"`
	UpdatedAt int64 `json:"updated_at"`
	DoneAt    int64 `json:"done_at,omitempty"`
}

// listDeliveries lists a site's outbox, newest first: ?status=pending|delivered|failed,
// ?conversation_id=, ?limit= (1-200), ?cursor=.
func (h *handlers) listDeliveries(c echo.Context) error {
	ctx := c.Request().Context()
	ds, ok := h.Store.(chat.DeliveryStore)
	if !ok {
		return chat.Errorf(chat.EUnavailable, "this server keeps no deliveries")
	}
	l, err := h.Sites.ByKey(ctx, c.Param("key"))
	if err != nil {
		return err
	}
	status := chat.DeliveryStatus(c.QueryParam("status"))
	switch status {
	case "", chat.DeliveryPending, chat.DeliveryDelivered, chat.DeliveryFailed:
	default:
		return chat.Errorf(chat.EInvalid, "status: %q is not pending, delivered or failed", status)
	}
	limit, err := queryInt(c, "limit")
	if err != nil {
		return err
	}
	list, next, err := ds.Deliveries(ctx, chat.DeliveryFilter{SiteID: l.Site.ID, Status: status,
		ConversationID: c.QueryParam("conversation_id"), Limit: int(limit), Cursor: c.QueryParam("cursor")})
	if err != nil {
		return err
	}
	out := make([]deliveryView, 0, len(list))
	for _, d := range list {
		v := deliveryView{ID: d.ID, ConversationID: d.ConversationID, Kind: d.Kind, Method: d.Method, Status: string(d.Status),
			Attempts: d.Attempts, MaxAttempts: d.MaxAttempts, Ref: d.Ref, LastError: d.LastError, FallbackOf: d.FallbackOf,
			Reported: d.Notified, CreatedAt: ms(d.CreatedAt), UpdatedAt: ms(d.UpdatedAt), DoneAt: ms(d.DoneAt)}
		if d.Status == chat.DeliveryPending {
			v.NextAttemptAt = ms(d.DueAt)
		}
		out = append(out, v)
	}
	return c.JSON(http.StatusOK, map[string]any{"deliveries": out, "next_cursor": next})
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/metrics"
	"github.com/batonchat/baton/server/wire"
)

// The REST face of what agents do over the realtime API, for integrations.
func (h *handlers) bindConversations(e *echo.Echo) {
	g := e.Group("/v1/conversations", h.agentAuth)
	g.GET("", h.listConversations)
	g.GET("/:id", h.getConversation)
	g.GET("/:id/messages", h.listMessages)
	g.POST("/:id/messages", h.sendMessage)
	g.POST("/:id/assign", h.assign)
	g.POST("/:id/tags", h.tag)
	g.DELETE("/:id/tags/:tag", h.untag)
	g.POST("/:id/resolve", h.convAction((*conversation.Service).Resolve))
	g.POST("/:id/reopen", h.convAction((*conversation.Service).Reopen))
	g.POST("/:id/read", h.read)
	g.POST("/:id/bot/pause", h.pauseBot(true))
	g.POST("/:id/bot/resume", h.pauseBot(false))
	e.GET("/v1/visitors/:id", h.getVisitor, h.agentAuth)
	e.PATCH("/v1/visitors/:id", h.updateVisitor, h.agentAuth)
}

func queryInt(c echo.Context, name string) (int64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, chat.Errorf(chat.EInvalid, "%s: must be a whole number ≥ 0", name)
	}
	return n, nil
}

func (h *handlers) listConversations(c echo.Context) error {
	key := c.QueryParam("site")
	if key == "" {
		return chat.Errorf(chat.EInvalid, "site: is required (a site key)")
	}
	l, err := h.Sites.ByKey(c.Request().Context(), key)
	if err != nil {
		return chat.Errorf(chat.ENotFound, "site: no such site %q", key)
	}
	limit, err := queryInt(c, "limit")
	if err != nil {
		return err
	}
	list, next, err := h.Service.List(c.Request().Context(), actorOf(c), conversation.ListInput{
		SiteID: l.Site.ID, Status: c.QueryParam("status"), Assignee: c.QueryParam("assignee"), Tag: c.QueryParam("tag"),
		Cursor: c.QueryParam("cursor"), Limit: int(limit), AnyTags: splitList(c.QueryParam("tags")), VisitorID: c.QueryParam("visitor_id")})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"conversations": wire.NewConversations(list), "next_cursor": next})
}

func (h *handlers) getConversation(c echo.Context) error {
	conv, err := h.Service.Get(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"conversation": wire.NewConversation(conv, false)})
}

func (h *handlers) listMessages(c echo.Context) error {
	after, err := queryInt(c, "after")
	if err != nil {
		return err
	}
	before, err := queryInt(c, "before")
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit")
	if err != nil {
		return err
	}
	ctx, actor, id := c.Request().Context(), actorOf(c), c.Param("id")
	if before > 0 {
		list, more, err := h.Service.History(ctx, actor, id, before, int(limit))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"messages": wire.NewMessages(list, false), "more": more})
	}
	res, err := h.Service.Sync(ctx, actor, id, after, int(limit))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"conversation": wire.NewConversation(res.Conversation, false),
		"messages": wire.NewMessages(res.Messages, false), "more": res.More})
}

func (h *handlers) sendMessage(c echo.Context) error {
	var in struct {
		ClientID     string            `json:"client_id"`
		Text         string            `json:"text"`
		Note         bool              `json:"note"`
		QuickReplies []chat.QuickReply `json:"quick_replies"`
		Form         *chat.Form        `json:"form"`
		Attachments  []string          `json:"attachments"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	res, err := h.Service.Send(c.Request().Context(), actorOf(c), c.Param("id"), conversation.SendInput{
		ClientID: in.ClientID, Text: in.Text, Note: in.Note, QuickReplies: in.QuickReplies, Form: in.Form,
		Attachments: in.Attachments})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Duplicate {
		status = http.StatusOK
	} else {
		metrics.Messages.WithLabelValues(string(chat.AuthorAgent)).Inc()
	}
	return c.JSON(status, map[string]any{"message": wire.NewMessage(res.Message, false),
		"conversation": wire.NewConversation(res.Conversation, false), "duplicate": res.Duplicate})
}

func (h *handlers) assign(c echo.Context) error {
	var in struct {
		AgentID *string `json:"agent_id"`
		ToBot   bool    `json:"to_bot"`
		Team    string  `json:"team"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.Team != "" {
		if in.ToBot || in.AgentID != nil {
			return chat.Errorf(chat.EInvalid, "team: give one of agent_id, team and to_bot")
		}
		return conversationReply(c)(h.Service.AssignTeam(c.Request().Context(), actorOf(c), c.Param("id"), in.Team))
	}
	if in.ToBot {
		if in.AgentID != nil {
			return chat.Errorf(chat.EInvalid, "agent_id: give agent_id or to_bot, not both")
		}
		return conversationReply(c)(h.Service.HandBack(c.Request().Context(), actorOf(c), c.Param("id")))
	}
	if in.AgentID == nil {
		return chat.Errorf(chat.EInvalid, "agent_id: is required (\"\" to unassign)")
	}
	return conversationReply(c)(h.Service.Assign(c.Request().Context(), actorOf(c), c.Param("id"), *in.AgentID))
}

func (h *handlers) tag(c echo.Context) error {
	var in struct {
		Tag string `json:"tag"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	return conversationReply(c)(h.Service.Tag(c.Request().Context(), actorOf(c), c.Param("id"), in.Tag))
}

func (h *handlers) untag(c echo.Context) error {
	return conversationReply(c)(h.Service.Untag(c.Request().Context(), actorOf(c), c.Param("id"), c.Param("tag")))
}

func (h *handlers) convAction(fn func(*conversation.Service, context.Context, conversation.Actor, string) (*chat.Conversation, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		return conversationReply(c)(fn(h.Service, c.Request().Context(), actorOf(c), c.Param("id")))
	}
}

func (h *handlers) read(c echo.Context) error {
	var in struct {
		Seq int64 `json:"seq"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := h.Service.Read(c.Request().Context(), actorOf(c), c.Param("id"), in.Seq); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func conversationReply(c echo.Context) func(*chat.Conversation, error) error {
	return func(conv *chat.Conversation, err error) error {
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"conversation": wire.NewConversation(conv, false)})
	}
}

func (h *handlers) getVisitor(c echo.Context) error {
	v, err := h.Store.Visitor(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if !agentOf(c).CanAccessSite(v.SiteID) {
		return chat.ErrNotFound
	}
	return c.JSON(http.StatusOK, map[string]any{"visitor": v})
}

// pauseBot pauses or resumes the bot in one conversation, without taking it over.
func (h *handlers) pauseBot(paused bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		return conversationReply(c)(h.Service.SetBotPaused(c.Request().Context(), actorOf(c), c.Param("id"), paused))
	}
}

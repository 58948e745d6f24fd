package realtime

import (
	"context"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/metrics"
	"github.com/batonchat/baton/server/wire"
)

// commandTimeout bounds one command's work; a store that hangs must not hang the connection.
const commandTimeout = 15 * time.Second

var (
	visitorCommands = map[string]bool{"sync": true, "send": true, "history": true, "typing": true, "read": true,
		"set_attributes": true, "page": true, "ping": true, "submit_form": true}
	agentCommands = map[string]bool{"sync": true, "send": true, "history": true, "typing": true, "read": true,
		"ping": true, "subscribe": true, "list": true, "get": true, "assign": true, "tag": true, "untag": true,
		"resolve": true, "reopen": true, "presence": true, "pause_bot": true, "resume_bot": true, "counts": true}
	// botCommands are what a realtime bot account may do: read the conversations of its site,
	// show that it is typing, and answer the bot_request frames it receives.
	botCommands = map[string]bool{"ping": true, "get": true, "sync": true, "history": true, "typing": true, "bot_reply": true}
)

func (s *Server) handle(c *Conn, cmd *wire.Command) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		c.replyErr(cmd.ID, cmd.Type, chat.Errorf(chat.EUnavailable, "the server is shutting down: reconnect and send again"))
		return
	}
	s.inflight.Add(1)
	s.mu.Unlock()
	defer s.inflight.Done()
	allowed := visitorCommands
	switch {
	case c.bot:
		allowed = botCommands
	case c.agent != nil:
		allowed = agentCommands
	}
	if !allowed[cmd.Type] {
		code := wire.CodeUnknownCommand
		if visitorCommands[cmd.Type] || agentCommands[cmd.Type] || botCommands[cmd.Type] {
			code = chat.EForbidden
		}
		metrics.Commands.WithLabelValues("unknown", string(code)).Inc()
		c.replyErr(cmd.ID, cmd.Type, &wire.FrameError{ID: cmd.ID, Code: code, Msg: "unknown command " + quote(cmd.Type) + " for a " + string(c.actor.Type)})
		return
	}
	// Not derived from the connection: a command that is committing finishes even if the
	// client goes away or the server is shutting down.
	ctx, cancel := context.WithTimeout(chat.WithOrigin(context.Background(), c), commandTimeout)
	defer cancel()
	data, err := s.run(ctx, c, cmd)
	code := "ok"
	if err != nil {
		code = string(chat.ErrorCode(err))
	}
	metrics.Commands.WithLabelValues(cmd.Type, code).Inc()
	if cmd.Type == "sync" {
		return // sync replies itself, in order with the events it held back
	}
	if err != nil {
		c.replyErr(cmd.ID, cmd.Type, err)
		return
	}
	if sd, ok := data.(sendReply); ok {
		c.sent(cmd.ID, sd.data, sd.conv, sd.seq)
		return
	}
	c.replyOK(cmd.ID, data)
}

func quote(s string) string {
	if len(s) > 32 {
		s = s[:32]
	}
	return "\"" + s + "\""
}

type empty struct{}

func (s *Server) run(ctx context.Context, c *Conn, cmd *wire.Command) (any, error) {
	svc, actor := s.Service, c.actor
	visitor := c.agent == nil
	switch cmd.Type {
	case "ping":
		return empty{}, nil
	case "sync":
		conv := cmd.ConversationID
		c.beginSync(conv)
		res, err := svc.Sync(ctx, actor, conv, cmd.Since, cmd.Limit)
		if err != nil {
			c.endSync(cmd.ID, nil, cmd.Since, visitor)
			c.replyErr(cmd.ID, cmd.Type, err)
			return nil, err
		}
		c.endSync(cmd.ID, res, cmd.Since, visitor)
		return nil, nil
	case "send":
		if visitor {
			if err := s.allowVisitorMessage(c); err != nil {
				return nil, err
			}
		}
		start := time.Now()
		res, err := svc.Send(ctx, actor, cmd.ConversationID, conversation.SendInput{
			ClientID: cmd.ClientID, Text: cmd.Text, Note: cmd.Note, QuickReplies: cmd.QuickReplies, Form: cmd.Form,
			Attachments: cmd.Attachments})
		if err != nil {
			return nil, err
		}
		if !res.Duplicate {
			metrics.CommitSeconds.Observe(time.Since(start).Seconds())
			metrics.Messages.WithLabelValues(string(actor.Type)).Inc()
		}
		return newSendReply(res, visitor), nil
	case "submit_form":
		res, err := svc.SubmitForm(ctx, actor, cmd.MessageID, cmd.FormID, cmd.Values)
		if err != nil {
			return nil, err
		}
		return newSendReply(res, visitor), nil
	case "history":
		list, more, err := svc.History(ctx, actor, cmd.ConversationID, cmd.Before, cmd.Limit)
		if err != nil {
			return nil, err
		}
		return map[string]any{"messages": wire.NewMessages(list, visitor), "more": more}, nil
	case "typing":
		return empty{}, svc.Typing(ctx, actor, cmd.ConversationID, cmd.Typing)
	case "read":
		return empty{}, svc.Read(ctx, actor, cmd.ConversationID, cmd.Seq)
	case "set_attributes":
		_, err := svc.SetAttributes(ctx, actor, cmd.Attributes)
		return empty{}, err
	case "page":
		return empty{}, svc.Page(ctx, actor, cmd.URL, cmd.Title)
	case "subscribe":
		l, err := s.Sites.ByKey(ctx, cmd.Site)
		if err != nil || !c.agent.CanAccessSite(l.Site.ID) {
			return nil, chat.Errorf(chat.ENotFound, "site: no such site %s", quote(cmd.Site))
		}
		s.Hub.subscribe(c, l.Site.ID)
		return map[string]any{"site": l.Site.Key, "site_id": l.Site.ID}, nil
	case "list":
		l, err := s.Sites.ByKey(ctx, cmd.Site)
		if err != nil {
			return nil, chat.Errorf(chat.ENotFound, "site: no such site %s", quote(cmd.Site))
		}
		list, next, err := svc.List(ctx, actor, conversation.ListInput{SiteID: l.Site.ID, Status: cmd.Status,
			Assignee: cmd.Assignee, Tag: cmd.Tag, Cursor: cmd.Cursor, Limit: cmd.Limit, AnyTags: cmd.Tags, VisitorID: cmd.VisitorID})
		if err != nil {
			return nil, err
		}
		return map[string]any{"conversations": wire.NewConversations(list), "next_cursor": next}, nil
	case "counts":
		return s.counts(ctx, actor, cmd.Site)
	case "get":
		return convData(svc.Get(ctx, actor, cmd.ConversationID))
	case "assign":
		if cmd.Team != "" {
			if cmd.ToBot || cmd.AgentID != nil {
				return nil, chat.Errorf(chat.EInvalid, "team: give one of agent_id, team and to_bot")
			}
			return convData(svc.AssignTeam(ctx, actor, cmd.ConversationID, cmd.Team))
		}
		if cmd.ToBot {
			if cmd.AgentID != nil {
				return nil, chat.Errorf(chat.EInvalid, "agent_id: give agent_id or to_bot, not both")
			}
			return convData(svc.HandBack(ctx, actor, cmd.ConversationID))
		}
		if cmd.AgentID == nil {
			return nil, chat.Errorf(chat.EInvalid, "agent_id: is required (\"\" to unassign)")
		}
		return convData(svc.Assign(ctx, actor, cmd.ConversationID, *cmd.AgentID))
	case "tag":
		return convData(svc.Tag(ctx, actor, cmd.ConversationID, cmd.Tag))
	case "untag":
		return convData(svc.Untag(ctx, actor, cmd.ConversationID, cmd.Tag))
	case "resolve":
		return convData(svc.Resolve(ctx, actor, cmd.ConversationID))
	case "reopen":
		return convData(svc.Reopen(ctx, actor, cmd.ConversationID))
	case "pause_bot", "resume_bot":
		return convData(svc.SetBotPaused(ctx, actor, cmd.ConversationID, cmd.Type == "pause_bot"))
	case "bot_reply":
		return empty{}, s.botReply(c, cmd)
	case "presence":
		if cmd.Status != "online" && cmd.Status != "away" {
			return nil, chat.Errorf(chat.EInvalid, "status: must be online or away")
		}
		s.Hub.SetPresence(c.agent, cmd.Status)
		return empty{}, nil
	}
	return nil, chat.Errorf(chat.EInvalid, "type: unknown command")
}

func (s *Server) allowVisitorMessage(c *Conn) error {
	if ok, wait := s.VisitorMessages.Allow(c.visitorID); !ok {
		metrics.RateLimited.WithLabelValues("visitor_message").Inc()
		return &rateLimitError{chat.Errorf(chat.ERateLimited, "you are sending messages too fast: wait a moment"), wait}
	}
	if ok, wait := s.IPMessages.Allow(c.ip); !ok {
		metrics.RateLimited.WithLabelValues("ip_message").Inc()
		return &rateLimitError{chat.Errorf(chat.ERateLimited, "too many messages from your network: wait a moment"), wait}
	}
	return nil
}

func convData(c *chat.Conversation, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return map[string]any{"conversation": wire.NewConversation(c, false)}, nil
}

// sendReply is a send's reply with what the connection needs to place it in the sequence.
type sendReply struct {
	data any
	conv string
	seq  int64
}

func newSendReply(res *conversation.Result, visitor bool) sendReply {
	seq := res.Message.Seq
	if visitor {
		seq = res.Message.VisitorSeq
	}
	return sendReply{data: sendData(res, visitor), conv: res.Message.ConversationID, seq: seq}
}

func sendData(res *conversation.Result, visitor bool) any {
	return map[string]any{"message": wire.NewMessage(res.Message, visitor), "conversation": wire.NewConversation(res.Conversation, visitor),
		"duplicate": res.Duplicate}
}

func syncData(res *conversation.SyncResult, visitor bool) any {
	return map[string]any{"conversation": wire.NewConversation(res.Conversation, visitor),
		"messages": wire.NewMessages(res.Messages, visitor), "more": res.More}
}

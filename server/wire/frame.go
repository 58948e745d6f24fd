package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/batonchat/baton/server/chat"
)

// Command is a client's command frame. One flat shape for every command keeps decoding to a
// single pass; which fields matter depends on Type (see docs/api.md).
type Command struct {
	ID             string            `json:"id" validate:"max=64"`
	Type           string            `json:"type" validate:"required,max=32"`
	ConversationID string            `json:"conversation_id,omitempty" validate:"max=64"`
	ClientID       string            `json:"client_id,omitempty" validate:"max=64"`
	Text           string            `json:"text,omitempty"`
	Note           bool              `json:"note,omitempty"`
	QuickReplies   []chat.QuickReply `json:"quick_replies,omitempty" validate:"max=10,dive"`
	Since          int64             `json:"since,omitempty" validate:"min=0"`
	Before         int64             `json:"before,omitempty" validate:"min=0"`
	Limit          int               `json:"limit,omitempty" validate:"min=0,max=500"`
	Typing         bool              `json:"typing,omitempty"`
	Seq            int64             `json:"seq,omitempty" validate:"min=0"`
	Site           string            `json:"site,omitempty" validate:"max=64"`
	Status         string            `json:"status,omitempty" validate:"max=32"`
	Assignee       string            `json:"assignee,omitempty" validate:"max=64"`
	AgentID        *string           `json:"agent_id,omitempty" validate:"omitempty,max=64"`
	Tag            string            `json:"tag,omitempty" validate:"max=64"`
	Cursor         string            `json:"cursor,omitempty" validate:"max=200"`
	Attributes     map[string]string `json:"attributes,omitempty" validate:"max=64"`
	URL            string            `json:"url,omitempty" validate:"max=2000"`
	Form           *chat.Form        `json:"form,omitempty"`
	MessageID      string            `json:"message_id,omitempty" validate:"max=64"`
	FormID         string            `json:"form_id,omitempty" validate:"max=64"`
	Values         map[string]string `json:"values,omitempty" validate:"max=10"`
	Title          string            `json:"title,omitempty" validate:"max=1000"`
	ToBot          bool              `json:"to_bot,omitempty"`                             // assign: hand back to the bot
	Team           string            `json:"team,omitempty" validate:"max=64"`             // assign: route within a team
	RequestID      string            `json:"request_id,omitempty" validate:"max=64"`       // bot_reply
	Tags           []string          `json:"tags,omitempty" validate:"max=20,dive,max=64"` // bot_reply; list: any of these tags
	Handoff        bool              `json:"handoff,omitempty"`                            // bot_reply: ask for a person
	VisitorID      string            `json:"visitor_id,omitempty" validate:"max=64"`       // list: one visitor's conversations
	// send: ids of uploaded files to send with the message
	Attachments []string `json:"attachments,omitempty" validate:"max=10,dive,max=64"`
}

var validate = func() *validator.Validate {
	v := validator.New()
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		return name
	})
	return v
}()

// FrameError is a frame that could not be read; ID is set when the frame's id was readable.
type FrameError struct {
	ID   string
	Code chat.Code
	Msg  string
}

func (e *FrameError) Error() string { return string(e.Code) + ": " + e.Msg }

// CodeBadFrame and CodeUnknownCommand are the frame-level error codes.
const (
	CodeBadFrame       chat.Code = "bad_frame"
	CodeUnknownCommand chat.Code = "unknown_command"
)

// Decode reads one command frame. It never panics, whatever the input.
func Decode(b []byte) (*Command, error) {
	var cmd Command
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&cmd); err != nil {
		fe := &FrameError{Code: CodeBadFrame, Msg: "frame is not a JSON command object"}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			fe.Code, fe.Msg = chat.EInvalid, fmt.Sprintf("%s: wrong type (want %s)", te.Field, te.Type)
			fe.ID = peekID(b)
		}
		return nil, fe
	}
	if dec.More() {
		return nil, &FrameError{Code: CodeBadFrame, Msg: "one JSON object per frame"}
	}
	if cmd.Type == "" {
		return nil, &FrameError{ID: cmd.ID, Code: CodeBadFrame, Msg: "type: is required"}
	}
	if err := validate.Struct(&cmd); err != nil {
		var verrs validator.ValidationErrors
		if errors.As(err, &verrs) && len(verrs) > 0 {
			fe := verrs[0]
			field := strings.TrimPrefix(fe.Namespace(), "Command.")
			return nil, &FrameError{ID: truncate(cmd.ID, 64), Code: chat.EInvalid, Msg: fmt.Sprintf("%s: fails %s %s", field, fe.Tag(), fe.Param())}
		}
		return nil, &FrameError{Code: chat.EInvalid, Msg: "invalid frame"}
	}
	return &cmd, nil
}

func peekID(b []byte) string {
	var p struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(b, &p) != nil {
		return ""
	}
	return truncate(p.ID, 64)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Reply answers a command.
type Reply struct {
	Type string `json:"type"` // "reply"
	ID   string `json:"id"`
	Data any    `json:"data"`
}

// ErrorFrame answers a command that failed, or a frame that could not be read.
type ErrorFrame struct {
	Type         string    `json:"type"` // "error"
	ID           string    `json:"id,omitempty"`
	Code         chat.Code `json:"code"`
	Message      string    `json:"message"`
	Temporary    bool      `json:"temporary"`
	RetryAfterMS int64     `json:"retry_after_ms,omitempty"`
}

// Hello is the first frame on a connection.
type Hello struct {
	Type        string `json:"type"` // "hello"
	Role        string `json:"role"`
	VisitorID   string `json:"visitor_id,omitempty"`
	AgentID     string `json:"agent_id,omitempty"`
	SiteID      string `json:"site_id,omitempty"`
	HeartbeatMS int64  `json:"heartbeat_ms"`
	ServerTime  int64  `json:"server_time"`
}

// MessageEvent is a new message.
type MessageEvent struct {
	Type    string   `json:"type"` // "message"
	Message *Message `json:"message"`
}

// ConversationEvent is a conversation's new state.
type ConversationEvent struct {
	Type         string        `json:"type"` // "conversation"
	Conversation *Conversation `json:"conversation"`
}

// TypingEvent says someone is typing.
type TypingEvent struct {
	Type           string `json:"type"` // "typing"
	ConversationID string `json:"conversation_id"`
	Author         Author `json:"author"`
	Typing         bool   `json:"typing"`
}

// ReadEvent says how far someone has read.
type ReadEvent struct {
	Type           string `json:"type"` // "read"
	ConversationID string `json:"conversation_id"`
	Author         Author `json:"author"`
	Seq            int64  `json:"seq"`
}

// PresenceEvent says an agent came online, went away or offline.
type PresenceEvent struct {
	Type   string   `json:"type"` // "presence"
	Agent  Assignee `json:"agent"`
	Status string   `json:"status"`
}

// ReconnectEvent asks the client to reconnect (the server is going away).
type ReconnectEvent struct {
	Type         string `json:"type"` // "reconnect"
	Reason       string `json:"reason"`
	RetryAfterMS int64  `json:"retry_after_ms"`
}

// Marshal encodes a frame; frames are plain data, so this cannot fail.
func Marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("wire: frame %T does not marshal: %v", v, err))
	}
	return b
}

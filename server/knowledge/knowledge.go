// Package knowledge is Baton's built-in bot: it matches a visitor's message against the
// questions a site owner wrote, in English, Dutch, French, German and Spanish, and says how sure
// it is. It also recognises a visitor asking for a person (HumanRequest) and owners' own tags
// (Detector). It is plain Go with no storage or network.
package knowledge

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Entry is one thing the bot knows: several phrasings of a question and the answer to give.
type Entry struct {
	// ID names the entry in logs, analytics and the evaluation set; unique within a base.
	ID string `yaml:"id" json:"id"`
	// Questions are phrasings visitors might use, in any of the supported languages.
	Questions []string `yaml:"questions" json:"questions"`
	// Answer is what the bot replies.
	Answer string `yaml:"answer" json:"answer"`
	// Tag, if set, is added to the conversation when the entry matches.
	Tag string `yaml:"tag,omitempty" json:"tag,omitempty"`
	// FollowUp marks a request the bot recognises but cannot carry out (for example "cancel my
	// subscription"): after answering, a person has to act.
	FollowUp bool `yaml:"follow_up,omitempty" json:"follow_up,omitempty"`
}

// DefaultThreshold is the confidence from which the bot answers. On the sample shop it keeps
// wrong answers rare while answering most paraphrases; see docs/bot.md for the measurements.
const DefaultThreshold = 0.5

// Options tune a Base.
type Options struct {
	// Threshold is the lowest Score that counts as Known, in (0, 1]; 0 means DefaultThreshold.
	Threshold float64
}

// Result is the outcome of matching one message.
type Result struct {
	// Entry is the best-matching entry, or nil when no word of the message occurs in the base.
	// It is set even when Known is false (useful in logs); only answer with it when Known.
	Entry *Entry
	// Score is the confidence in [0, 1]. It is a share of the message's and the question's
	// weight that match, so the same threshold means the same thing for any knowledge base.
	Score float64
	// Known reports Score >= the threshold: the bot should answer with Entry.
	Known bool
}

// Base is a knowledge base ready for matching. It is immutable and safe for concurrent use.
type Base struct {
	entries   []Entry
	threshold float64
	index     *index
	scratch   sync.Pool
}

// EntryError reports an invalid entry (from New) or tag rule (from NewDetector).
type EntryError struct {
	List  string // "entries" or "tag rules"
	Index int    // position in the slice given to New or NewDetector
	ID    string // the entry's id or the rule's tag, as given
	Field string // "id", "questions[2]", "answer", "tag", "keywords[0]", …
	Msg   string
}

// Error names the item and the field, so an owner can find the mistake in a settings file.
func (e *EntryError) Error() string {
	return fmt.Sprintf("knowledge %s[%d] (%q): %s: %s", e.List, e.Index, e.ID, e.Field, e.Msg)
}

// New validates entries and builds a Base. The entries are copied.
func New(entries []Entry, opts Options) (*Base, error) {
	threshold := opts.Threshold
	if threshold == 0 {
		threshold = DefaultThreshold
	}
	if !(threshold > 0 && threshold <= 1) {
		return nil, fmt.Errorf("knowledge: threshold %v is outside (0, 1]", opts.Threshold)
	}
	if err := validate(entries); err != nil {
		return nil, err
	}
	b := &Base{entries: make([]Entry, len(entries)), threshold: threshold}
	for i, e := range entries {
		e.Questions = append([]string(nil), e.Questions...)
		b.entries[i] = e
	}
	qlangs := make([][]language, len(b.entries))
	for i, e := range b.entries {
		qlangs[i] = make([]language, len(e.Questions))
		for j, q := range e.Questions {
			qlangs[i][j], _ = detect(q)
		}
	}
	b.index = newIndex(b.entries, qlangs)
	return b, nil
}

// validate checks every entry and returns all problems at once.
func validate(entries []Entry) error {
	var errs []error
	bad := func(i int, id, field, msg string) {
		errs = append(errs, &EntryError{List: "entries", Index: i, ID: id, Field: field, Msg: msg})
	}
	seen := map[string]int{}
	for i, e := range entries {
		switch {
		case strings.TrimSpace(e.ID) == "":
			bad(i, e.ID, "id", "is empty")
		case seen[e.ID] > 0:
			bad(i, e.ID, "id", fmt.Sprintf("is also used by entries[%d]", seen[e.ID]-1))
		default:
			seen[e.ID] = i + 1
		}
		if len(e.Questions) == 0 {
			bad(i, e.ID, "questions", "needs at least one question")
		}
		for j, q := range e.Questions {
			if len(contentWords(q)) == 0 {
				bad(i, e.ID, fmt.Sprintf("questions[%d]", j),
					fmt.Sprintf("%q has no word to match on (only small words such as \"how\" or \"the\")", q))
			}
		}
		if strings.TrimSpace(e.Answer) == "" {
			bad(i, e.ID, "answer", "is empty")
		}
	}
	return errors.Join(errs...)
}

// Entries returns the entries of the base, in the order given to New.
func (b *Base) Entries() []Entry { return append([]Entry(nil), b.entries...) }

// Threshold returns the confidence from which Match reports Known.
func (b *Base) Threshold() float64 { return b.threshold }

// Match finds the entry that best answers text. lang is the visitor's language as an ISO 639-1
// code or locale ("nl", "de-CH"), or "" when unknown; see languagesFor for how it is used.
func (b *Base) Match(text, lang string) Result {
	ws := contentWords(text)
	if len(ws) == 0 {
		return Result{}
	}
	sc, _ := b.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	defer b.scratch.Put(sc)

	best, bestScore := int32(-1), 0.0
	for _, l := range languagesFor(parseLang(lang), text) {
		e, s := b.index.best(ws, l, sc)
		if e >= 0 && (s > bestScore || best < 0) {
			best, bestScore = e, s
		}
	}
	if best < 0 {
		return Result{}
	}
	return Result{Entry: &b.entries[best], Score: bestScore, Known: bestScore >= b.threshold}
}

// allLanguages is every supported language, in order.
var allLanguages = func() []language {
	ls := make([]language, numLanguages)
	for i := range ls {
		ls[i] = language(i)
	}
	return ls
}()

// languagesFor returns the languages to analyse a message in. A message that gives its
// language away (function words, accents) is analysed in that language and the one given by the
// caller; a few keywords ("verzendkosten belgie") in every language, the best analysis winning.
// The caller's language alone is not trusted: a visitor whose browser says English may well
// write Dutch.
func languagesFor(given language, text string) []language {
	detected, ok := detect(text)
	switch {
	case !ok:
		return allLanguages
	case given == langUnknown || given == detected:
		return []language{detected}
	default:
		return []language{given, detected}
	}
}

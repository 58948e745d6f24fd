package knowledge

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// TagRule is an owner's smart tag: a conversation gets Tag when a visitor's message contains one
// of the Keywords or says most of one of the Phrases.
type TagRule struct {
	// Tag is the tag to set.
	Tag string `yaml:"tag" json:"tag"`
	// Phrases are example sentences; a message matches one when it says most of its meaningful
	// words (in any order, any supported language, inflected, with the odd typo).
	Phrases []string `yaml:"phrases,omitempty" json:"phrases,omitempty"`
	// Keywords are words or short word groups; a message matches one when it contains all of its
	// words, inflected or not ("refund" matches "refunded", "money back" matches "I want my
	// money back").
	Keywords []string `yaml:"keywords,omitempty" json:"keywords,omitempty"`
}

// DefaultPhraseThreshold is the share of a phrase's weight a message must say for the phrase to
// match. It is higher than the bot's threshold because a message that merely mentions one word
// of a phrase must not be tagged.
const DefaultPhraseThreshold = 0.75

// DetectorOptions tune a Detector.
type DetectorOptions struct {
	// PhraseThreshold is in (0, 1]; 0 means DefaultPhraseThreshold.
	PhraseThreshold float64
}

// Detector finds the smart tags of a message. It is immutable and safe for concurrent use.
type Detector struct {
	rules     []TagRule
	keyword   [][]bool // per rule, per question (phrases then keywords): is it a keyword
	index     *index
	threshold float64
	scratch   sync.Pool
}

// NewDetector validates rules and builds a Detector. Errors name the rule index and field.
func NewDetector(rules []TagRule, opts DetectorOptions) (*Detector, error) {
	threshold := opts.PhraseThreshold
	if threshold == 0 {
		threshold = DefaultPhraseThreshold
	}
	if !(threshold > 0 && threshold <= 1) {
		return nil, fmt.Errorf("knowledge: phrase threshold %v is outside (0, 1]", opts.PhraseThreshold)
	}
	d := &Detector{threshold: threshold}
	var errs []error
	bad := func(i int, tag, field, msg string) {
		errs = append(errs, &EntryError{List: "tag rules", Index: i, ID: tag, Field: field, Msg: msg})
	}
	seen := map[string]bool{}
	entries := make([]Entry, len(rules))
	qlangs := make([][]language, len(rules))
	for i, r := range rules {
		switch {
		case strings.TrimSpace(r.Tag) == "":
			bad(i, r.Tag, "tag", "is empty")
		case seen[r.Tag]:
			bad(i, r.Tag, "tag", "is used by an earlier rule")
		}
		seen[r.Tag] = true
		if len(r.Phrases)+len(r.Keywords) == 0 {
			bad(i, r.Tag, "phrases", "a rule needs at least one phrase or keyword")
		}
		check := func(field string, list []string) {
			for j, p := range list {
				if len(contentWords(p)) == 0 {
					bad(i, r.Tag, fmt.Sprintf("%s[%d]", field, j), fmt.Sprintf("%q has no word to match on", p))
				}
			}
		}
		check("phrases", r.Phrases)
		check("keywords", r.Keywords)

		r.Phrases = append([]string(nil), r.Phrases...)
		r.Keywords = append([]string(nil), r.Keywords...)
		d.rules = append(d.rules, r)
		entries[i] = Entry{ID: r.Tag, Questions: append(append([]string(nil), r.Phrases...), r.Keywords...)}
		kinds := make([]bool, len(entries[i].Questions))
		qlangs[i] = make([]language, len(kinds))
		for j := range kinds {
			kinds[j] = j >= len(r.Phrases)
			// Keywords are language-neutral; phrases are sentences whose language shows.
			qlangs[i][j] = langUnknown
			if !kinds[j] {
				qlangs[i][j], _ = detect(entries[i].Questions[j])
			}
		}
		d.keyword = append(d.keyword, kinds)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	d.index = newIndex(entries, qlangs)
	return d, nil
}

// Detect returns the tags whose rules match text, in the order of the rules. lang is as for
// Base.Match.
func (d *Detector) Detect(text, lang string) []string {
	ws := contentWords(text)
	if len(ws) == 0 {
		return nil
	}
	sc, _ := d.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	defer d.scratch.Put(sc)

	hit := make([]bool, len(d.rules))
	for _, l := range languagesFor(parseLang(lang), text) {
		d.index.eachQuestion(ws, l, sc, func(q *question, said float64) {
			need := d.threshold
			if d.keyword[q.entry][q.source] {
				// Every word of a keyword, allowing for a typo: missing one of n words leaves
				// at most 1-1/n, a typo costs 1-creditTypo of one word.
				need = max(creditTypo, 1-1/(2*float64(len(q.terms))))
			}
			if said >= need-1e-9 {
				hit[q.entry] = true
			}
		})
	}
	var tags []string
	for i, h := range hit {
		if h {
			tags = append(tags, d.rules[i].Tag)
		}
	}
	return tags
}

package knowledge

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Unknown is the expected entry id of an evaluation case the base must not answer.
const Unknown = "unknown"

// EvalCase is one visitor message of an evaluation set.
type EvalCase struct {
	Lang string `yaml:"lang" json:"lang"`
	Text string `yaml:"text" json:"text"`
	// Want is the id of the entry that answers Text, or Unknown.
	Want string `yaml:"want" json:"want"`
}

// ReadEntries decodes a YAML document with a top-level "entries" list.
func ReadEntries(r io.Reader) ([]Entry, error) {
	var doc struct {
		Entries []Entry `yaml:"entries"`
	}
	if err := decodeStrict(r, &doc); err != nil {
		return nil, fmt.Errorf("read knowledge entries: %w", err)
	}
	return doc.Entries, nil
}

// ReadEvalCases decodes a YAML document with a top-level "cases" list.
func ReadEvalCases(r io.Reader) ([]EvalCase, error) {
	var doc struct {
		Cases []EvalCase `yaml:"cases"`
	}
	if err := decodeStrict(r, &doc); err != nil {
		return nil, fmt.Errorf("read evaluation cases: %w", err)
	}
	return doc.Cases, nil
}

func decodeStrict(r io.Reader, v any) error {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	return dec.Decode(v)
}

// EvalScore counts the outcomes for one language (or all).
type EvalScore struct {
	Lang string
	// InScope cases have an entry; Correct of them were answered with that entry.
	InScope, Correct int
	// OutOfScope cases want Unknown; Rejected of them were reported unknown.
	OutOfScope, Rejected int
	// Misses lists the cases that went wrong.
	Misses []EvalMiss
}

// EvalMiss is a case the base got wrong.
type EvalMiss struct {
	Case  EvalCase
	Got   string // entry id answered, or Unknown
	Best  string // best candidate even when unknown ("" if none)
	Score float64
}

// Precision is the share of in-scope questions answered with the right entry: a wrong entry and
// an unnecessary "I don't know" both count against it.
func (s EvalScore) Precision() float64 { return ratio(s.Correct, s.InScope) }

// UnknownRecall is the share of out-of-scope questions the base declined to answer.
func (s EvalScore) UnknownRecall() float64 { return ratio(s.Rejected, s.OutOfScope) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// Evaluate matches every case and scores per language, then overall (the last element). With
// withLang false the cases' language is withheld from Match, as for a visitor whose language is
// not known.
func Evaluate(b *Base, cases []EvalCase, withLang bool) []EvalScore {
	byLang := map[string]*EvalScore{}
	var order []string
	overall := EvalScore{Lang: "all"}
	for _, c := range cases {
		s := byLang[c.Lang]
		if s == nil {
			s = &EvalScore{Lang: c.Lang}
			byLang[c.Lang] = s
			order = append(order, c.Lang)
		}
		lang := ""
		if withLang {
			lang = c.Lang
		}
		r := b.Match(c.Text, lang)
		got, best := Unknown, ""
		if r.Entry != nil {
			best = r.Entry.ID
			if r.Known {
				got = r.Entry.ID
			}
		}
		for _, sc := range []*EvalScore{s, &overall} {
			if c.Want == Unknown {
				sc.OutOfScope++
				if got == Unknown {
					sc.Rejected++
				}
			} else {
				sc.InScope++
				if got == c.Want {
					sc.Correct++
				}
			}
			if got != c.Want {
				sc.Misses = append(sc.Misses, EvalMiss{Case: c, Got: got, Best: best, Score: r.Score})
			}
		}
	}
	slices.Sort(order)
	out := make([]EvalScore, 0, len(order)+1)
	for _, l := range order {
		out = append(out, *byLang[l])
	}
	return append(out, overall)
}

// UnrelatedEntries returns n entries of made-up words (ten questions each, in the five languages'
// sentence patterns), the same every time. Added to a sample base they show whether a bigger
// base answers more near misses: every word of the sample becomes rare, and a shared keyword
// weighs more against a word nobody uses (boteval -pad, the evaluation gates).
func UnrelatedEntries(n int) []Entry { return generateEntries(n, false) }

// generateEntries builds n entries deterministically: ten questions each (two per language
// pattern) mixing stop words, made-up topic words and, with shopWords, shop words that belong to
// concepts (the benchmarks' syntheticEntries), so that postings lists have realistic lengths.
func generateEntries(n int, shopWords bool) []Entry {
	rng := rand.New(rand.NewPCG(1, 2))
	syllables := []string{"ka", "lo", "mi", "ter", "van", "dus", "ro", "sel", "pen", "gar", "tu", "bri", "ost", "ne", "wal"}
	topic := make([]string, 4000)
	for i := range topic {
		var b strings.Builder
		for range 3 + rng.IntN(2) {
			b.WriteString(syllables[rng.IntN(len(syllables))])
		}
		topic[i] = b.String()
	}
	shop := strings.Fields("order delivery shipping refund return payment invoice account password " +
		"bestelling verzending retour betaling factuur commande livraison remboursement Bestellung " +
		"Lieferung Rückerstattung pedido envío devolución size store opening price")
	if !shopWords {
		shop = topic
	}
	frames := []string{
		"How can I %s my %s %s?", "Where is the %s for %s %s?", "Hoe kan ik mijn %s %s %s?",
		"Wat is de %s van %s %s?", "Comment %s ma %s %s ?", "Quel est le %s de %s %s ?",
		"Wie kann ich %s %s %s?", "Wo ist mein %s %s %s?", "¿Cómo puedo %s mi %s %s?",
		"¿Dónde está el %s de %s %s?",
	}
	entries := make([]Entry, n)
	for i := range entries {
		e := Entry{ID: fmt.Sprintf("e%04d", i), Answer: "answer"}
		for _, f := range frames {
			e.Questions = append(e.Questions, fmt.Sprintf(f,
				topic[rng.IntN(len(topic))], shop[rng.IntN(len(shop))], topic[rng.IntN(len(topic))]))
		}
		entries[i] = e
	}
	return entries
}

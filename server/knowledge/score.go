package knowledge

import "math"

// scratch is per-call working memory, pooled so that matching does not allocate per question.
type scratch struct {
	stems    []string
	used     []bool
	terms    []qterm
	matched  []float64 // per question: weight of the message found in it
	touched  []int32   // questions with matched > 0
	explains []float64 // per entry: weight of the message found in any of its questions
	complete []float64 // per entry: the largest share of one of its questions the message says
	entries  []int32   // entries with explains > 0
	hits     []int32   // per entry: how many of the message's terms its questions use
	last     []int32   // per entry: the last of the message's terms its questions use
	mask     []uint64  // per entry: bit i set when its questions use the message's i-th term
}

// best returns the entry that best answers the content words ws, analysed in language l, and
// its confidence; -1 when no word occurs in the base.
func (ix *index) best(ws []string, l language, sc *scratch) (int32, float64) {
	sc.stems, sc.used, sc.terms = ix.analyze(ws, l, sc.stems, sc.used, sc.terms[:0])
	terms := dedupe(sc.terms)
	var total float64
	for _, t := range terms {
		total += t.weight
	}
	if total == 0 {
		return -1, 0
	}
	if len(sc.matched) < len(ix.questions) {
		sc.matched = make([]float64, len(ix.questions))
	}
	if len(sc.explains) < ix.entries {
		sc.explains = make([]float64, ix.entries)
		sc.complete = make([]float64, ix.entries)
		sc.hits = make([]int32, ix.entries)
		sc.last = make([]int32, ix.entries)
		sc.mask = make([]uint64, ix.entries)
	}
	sc.touched, sc.entries = sc.touched[:0], sc.entries[:0]
	for ti, t := range terms {
		if t.term < 0 {
			continue
		}
		// The message side counts the word as the visitor weighed it (a country name counts
		// less), the question side as the owner did.
		said, found := t.weight*t.credit, ix.idf[t.term]*t.credit
		lastEntry := int32(-1)
		for _, qi := range ix.postings[t.term] {
			if sc.matched[qi] == 0 {
				sc.touched = append(sc.touched, qi)
			}
			sc.matched[qi] += found
			// Postings are in question order, and an entry's questions are adjacent.
			if e := ix.questions[qi].entry; e != lastEntry {
				lastEntry = e
				if sc.explains[e] == 0 {
					sc.entries = append(sc.entries, e)
				}
				sc.explains[e] += said
				sc.hits[e]++
				sc.last[e] = t.term
				if ti < 64 {
					sc.mask[e] |= 1 << ti
				}
			}
		}
	}
	for _, qi := range sc.touched {
		q := &ix.questions[qi]
		sc.complete[q.entry] = max(sc.complete[q.entry], sc.matched[qi]/q.norm)
		sc.matched[qi] = 0
	}
	acts := actionsOf(sc.stems, l)
	best, bestScore := int32(-1), 0.0
	for _, e := range sc.entries {
		s := confidence(sc.explains[e]/total, sc.complete[e])
		if sc.hits[e] == 1 && len(terms) >= 2 && ix.shared[sc.last[e]] && sc.explains[e]/total < singleTermShare {
			s *= singleTermFactor
		}
		if acts != 0 {
			s *= contrast(acts, ix.actions[e])
			if miss := acts &^ ix.actions[e] & ix.allActions; miss != 0 {
				s *= unexplainedActionFactor
			}
		}
		if s > bestScore || (s == bestScore && e < best) {
			// The second stage (answer.go) costs a look-up per word, so it runs only for an
			// entry that could win; it can only lower the confidence.
			u, attribute := ix.unexplained(e, terms, sc.mask[e], total)
			if u > unexplainedFree {
				s *= max(0, 1-unexplainedPenalty*(u-unexplainedFree))
			}
			if attribute {
				s *= attributeFactor
			}
		}
		if s > bestScore || (s == bestScore && e < best) {
			best, bestScore = e, s
		}
		sc.explains[e], sc.complete[e], sc.hits[e], sc.mask[e] = 0, 0, 0, 0
	}
	return best, bestScore
}

// eachQuestion calls f for every question that shares a term with the content words ws (analysed
// in language l), with the weighted share of the question the message says.
func (ix *index) eachQuestion(ws []string, l language, sc *scratch, f func(q *question, said float64)) {
	sc.stems, sc.used, sc.terms = ix.analyze(ws, l, sc.stems, sc.used, sc.terms[:0])
	terms := dedupe(sc.terms)
	if len(sc.matched) < len(ix.questions) {
		sc.matched = make([]float64, len(ix.questions))
	}
	sc.touched = sc.touched[:0]
	for _, t := range terms {
		if t.term < 0 {
			continue
		}
		for _, qi := range ix.postings[t.term] {
			if sc.matched[qi] == 0 {
				sc.touched = append(sc.touched, qi)
			}
			sc.matched[qi] += ix.idf[t.term] * t.credit
		}
	}
	for _, qi := range sc.touched {
		q := &ix.questions[qi]
		f(q, min(sc.matched[qi]/q.norm, 1))
		sc.matched[qi] = 0
	}
}

// dedupe merges repeated terms in place, keeping the best credit: a word said twice counts
// once, as it does in the questions.
func dedupe(ts []qterm) []qterm {
	out := ts[:0]
next:
	for _, t := range ts {
		if t.term >= 0 {
			for i := range out {
				if out[i].term == t.term {
					out[i].credit = max(out[i].credit, t.credit)
					continue next
				}
			}
		}
		out = append(out, t)
	}
	return out
}

// confidence combines how much of the message an entry explains (the weighted share of the
// message's words found in any of its questions) with how completely the message states one of
// its questions (the weighted share of that question's words found in the message). Both are
// shares of BM25 term weights, so the result is in [0, 1] whatever the size of the base. The
// geometric mean needs both: a message that only shares a common word with a question is not
// an answer, nor is a long message of which one word appears in the base.
func confidence(explains, complete float64) float64 {
	return math.Sqrt(min(explains, 1) * min(complete, 1))
}

// A message of several words that shares a single term with an entry, a term other entries use
// too ("store", "cancel") and that explains less than singleTermShare of the message, rarely asks
// that entry's question: "where can I park when I visit the store" shares only "store" with
// "where is your store", "how do I cancel my return" only "cancel" with "I want to cancel my
// order". Such an entry keeps singleTermFactor of its confidence. A term only one entry uses
// ("download invoice") is that entry's topic and is not discounted.
const (
	singleTermShare  = 0.7
	singleTermFactor = 0.9
)

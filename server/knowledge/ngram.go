package knowledge

import (
	"slices"
	"sync"
)

// Character n-grams are the last resort for a visitor's word the base does not know by its
// stem, a prefix, a one-letter typo or a compound split: an inflection the stemmer leaves apart
// ("akzeptiert" and "akzeptieren"), a spelling variant, two typos in a long word. The word's
// trigrams (with its first and last letters marked) are compared with those of every stem and
// word of the base, and the closest one counts if the Dice coefficient of the two trigram sets
// reaches minNgramSimilarity, at creditNgram of its weight: a guess, worth less than a typo.
const (
	minNgramLen        = 7
	minNgramSimilarity = 0.7
	creditNgram        = 0.7
)

// maxGramShare drops a trigram shared by more than this share of the indexed words (with at
// least maxGramFloor words) from the comparison, as a stop word: in a large base "ing" or "ver"
// says nothing and would make every look-up walk most of the words.
const (
	maxGramShare = 0.02
	maxGramFloor = 50
)

// gramIndex finds the words of a base that share trigrams with a word.
type gramIndex struct {
	words    []nearWord         // the base's stems and words of at least minNgramLen letters
	counts   []int32            // number of distinct trigrams of each word
	postings map[string][]int32 // trigram → words that contain it
	scratch  sync.Pool          // *gramScratch
}

// gramScratch is the per-look-up working memory of closest.
type gramScratch struct {
	hits    []int32 // per word: trigrams shared with the word looked up
	touched []int32 // words with hits > 0
	grams   []string
}

// add indexes word (a stem or word of the base, standing for term t).
func (g *gramIndex) add(word string, t int32) {
	if len(word) < minNgramLen {
		return
	}
	if g.postings == nil {
		g.postings = map[string][]int32{}
	}
	id := int32(len(g.words))
	g.words = append(g.words, nearWord{word, t})
	n := int32(0)
	eachGram(word, func(gram string) {
		ps := g.postings[gram]
		if len(ps) > 0 && ps[len(ps)-1] == id {
			return // a trigram seen twice in the word counts once
		}
		g.postings[gram] = append(ps, id)
		n++
	})
	g.counts = append(g.counts, n)
}

// closest returns the term of the word most similar to w, if one is similar enough.
func (g *gramIndex) closest(w string) (int32, bool) {
	if len(w) < minNgramLen || len(g.words) == 0 {
		return -1, false
	}
	sc, _ := g.scratch.Get().(*gramScratch)
	if sc == nil {
		sc = &gramScratch{}
	}
	defer g.scratch.Put(sc)
	if len(sc.hits) < len(g.words) {
		sc.hits = make([]int32, len(g.words))
	}
	sc.touched, sc.grams = sc.touched[:0], sc.grams[:0]
	eachGram(w, func(gram string) {
		if !slices.Contains(sc.grams, gram) {
			sc.grams = append(sc.grams, gram)
		}
	})
	n := int32(len(sc.grams))
	limit := max(maxGramFloor, int(maxGramShare*float64(len(g.words))))
	for _, gram := range sc.grams {
		ps := g.postings[gram]
		if len(ps) > limit {
			continue
		}
		for _, id := range ps {
			if sc.hits[id] == 0 {
				sc.touched = append(sc.touched, id)
			}
			sc.hits[id]++
		}
	}
	best, bestSim := int32(-1), 0.0
	for _, id := range sc.touched {
		sim := 2 * float64(sc.hits[id]) / float64(n+g.counts[id])
		sc.hits[id] = 0
		if sim > bestSim || (sim == bestSim && g.words[id].word < g.words[best].word) {
			best, bestSim = id, sim
		}
	}
	if best < 0 || bestSim < minNgramSimilarity {
		return -1, false
	}
	return g.words[best].term, true
}

// eachGram calls f with the trigrams of "^" + w + "$".
func eachGram(w string, f func(string)) {
	padded := "^" + w + "$"
	for i := 0; i+3 <= len(padded); i++ {
		f(padded[i : i+3])
	}
}

package knowledge

import (
	"math"
	"slices"
	"sort"
	"strings"
)

// index holds every question of a knowledge base as a set of terms. Each question is analysed
// in its own language (detected when the base is built), so "bestellingen" is stemmed by the
// Dutch stemmer and "commandes" by the French one. Terms are language-neutral: a concept shared
// by all languages ("~parcel" for package, pakket, colis, Paket, paquete) or a bare stem, so a
// visitor's message can match a phrasing in another language, and names such as "PayPal" match
// everywhere.
type index struct {
	keys       map[string]int32 // term key (concept or stem) → term
	stems      map[string]int32 // stems of the owner's words, for prefix and typo look-ups
	sorted     []string         // the stems, sorted
	near       map[string][]nearWord
	grams      gramIndex
	idf        []float64 // per term
	shared     []bool    // per term: more than one entry uses it (score.go, single-term overlap)
	oov        float64   // weight of a visitor word the knowledge base never uses
	postings   [][]int32 // term → questions that contain it
	questions  []question
	entries    int
	actions    []uint8     // per entry: the action concepts its questions use (intent.go)
	allActions uint8       // the action concepts any entry uses
	keyOf      []string    // per term: its key
	topic      []float64   // per term: the largest share of one entry's questions that use it
	answers    answerIndex // the entries' answers (answer.go)
}

// question is one phrasing of an entry, reduced to its distinct terms. A question whose language
// is unknown is kept once per language whose analysis differs.
type question struct {
	entry  int32
	source int32 // position of the phrasing in entry.Questions
	terms  []int32
	norm   float64 // sum of the terms' weights
}

// nearWord is a stem or a word of the knowledge base, reachable from its one-letter deletions.
type nearWord struct {
	word string
	term int32
}

// Typos are only corrected in words of at least this many letters: in shorter words one letter
// changes the meaning too often ("sale"/"safe", "size"/"site").
const minFuzzyLen = 5

// Compounds ("verzendkosten", "Lieferzeit", "giftcard") of at least minCompoundLen letters are
// split into known parts of at least minKnownPartLen letters ("cadeau-bon") or a known part and
// an unknown one of at least minPartLen, so that endings and syllables are not taken for words.
const (
	minCompoundLen  = 8
	minKnownPartLen = 3
	minPartLen      = 4
)

// linking lists the joints between the parts of Dutch and German compounds
// ("Sendung-s-nummer", "studente-n-korting").
var linking = [...]string{"s", "e", "en", "n", "es", "er"}

// newIndex builds the index of entries; qlangs gives the language of each question, parallel to
// the entries' questions (langUnknown: analysed in every language).
func newIndex(entries []Entry, qlangs [][]language) *index {
	type phrasing struct {
		entry, source int32
		lang          language
		words         []string
	}
	var phrasings []phrasing
	// Term keys of whole words, to recognise the parts of compounds.
	whole := map[string]bool{}
	for ei, e := range entries {
		for qi, q := range e.Questions {
			ws := contentWords(q)
			for _, l := range languagesOf(qlangs[ei][qi]) {
				for _, w := range ws {
					whole[canon(stem(w, l), l)] = true
				}
				phrasings = append(phrasings, phrasing{int32(ei), int32(qi), l, ws})
			}
		}
	}

	ix := &index{keys: map[string]int32{}, stems: map[string]int32{}, near: map[string][]nearWord{}, entries: len(entries)}
	surfaces := map[string]int32{}
	var terms []int32
	for _, p := range phrasings {
		known := func(k string) bool { return whole[canon(k, p.lang)] || concepts[p.lang][k] != "" }
		stems := make([]string, len(p.words))
		for i, w := range p.words {
			stems[i] = stem(w, p.lang)
		}
		used := make([]bool, len(p.words))
		for i := range p.words {
			if used[i] {
				continue
			}
			w, s := p.words[i], stems[i]
			if c, j, ok := pairAt(stems, used, i, p.lang); ok {
				terms = append(terms, ix.intern(c))
				used[j] = true
				continue
			}
			if keys, ok := expansions[p.lang][s]; ok {
				for _, k := range keys {
					terms = append(terms, ix.intern(k))
				}
				continue
			}
			if c, ok := rewriteAt(stems, i, p.lang); ok {
				terms = append(terms, ix.intern(c))
				continue
			}
			parts := []string{s}
			if c, ok := foreignConcepts[w]; ok && concepts[p.lang][s] == "" && !whole[canon(s, p.lang)] {
				// A phrasing too short to tell its language ("Combien coûte la livraison ?") is
				// analysed in every language; "coûte" is the cost in each of them.
				terms = append(terms, ix.intern(c))
				continue
			}
			if concepts[p.lang][s] == "" {
				if split := splitCompound(w, s, p.lang, known); split != nil {
					parts = split
				}
			}
			for _, part := range parts {
				t := ix.intern(canon(part, p.lang))
				ix.stems[part] = t
				terms = append(terms, t)
			}
			if len(parts) == 1 {
				surfaces[w] = ix.stems[s]
			}
		}
		slices.Sort(terms)
		terms = slices.Compact(terms)
		last := len(ix.questions) - 1
		if last < 0 || ix.questions[last].entry != p.entry || ix.questions[last].source != p.source ||
			!slices.Equal(ix.questions[last].terms, terms) {
			ix.questions = append(ix.questions, question{entry: p.entry, source: p.source, terms: slices.Clone(terms)})
		}
		terms = terms[:0]
	}

	// Document frequency counts entries, not questions: an entry with ten phrasings that all say
	// "shipping" must not make "shipping" look like a common word.
	df := make([]int, len(ix.keys))
	ix.postings = make([][]int32, len(ix.keys))
	lastEntry := make([]int32, len(ix.keys))
	for i := range lastEntry {
		lastEntry[i] = -1
	}
	for qi, q := range ix.questions {
		for _, t := range q.terms {
			ix.postings[t] = append(ix.postings[t], int32(qi))
			if lastEntry[t] != q.entry {
				lastEntry[t] = q.entry
				df[t]++
			}
		}
	}
	n := float64(len(entries))
	ix.idf = make([]float64, len(df))
	ix.shared = make([]bool, len(df))
	for t, d := range df {
		ix.idf[t] = idf(n, float64(d))
		ix.shared[t] = d > 1
	}
	// A word the base never uses weighs at least oovRatio times a word one entry uses, as it
	// does in a base of about twenty entries. In a base of 1,000 the two weigh almost the same
	// (7.6 and 6.5), and a message sharing one rare word with an entry while asking about
	// something else ("parking near the shop") would pass more often the bigger the base.
	ix.oov = max(idf(n, 0), oovRatio*idf(n, 1))
	for key, t := range ix.keys {
		if detailConcepts[key] {
			ix.idf[t] *= weakFactor
		}
	}
	for qi := range ix.questions {
		q := &ix.questions[qi]
		for _, t := range q.terms {
			q.norm += ix.idf[t]
		}
		// A question weighs at least as much as a word that only one entry uses. Otherwise a
		// question of one common word ("Haben Sie einen Laden?") is completed by any message
		// that says "store", and "can I pick up my order in the store" is answered with the
		// address. A question of one distinctive word ("factuur") is still completed by it.
		q.norm = max(q.norm, idf(n, 1))
	}

	termActions := make([]uint8, len(ix.keys))
	for key, t := range ix.keys {
		termActions[t] = actionBits[key]
	}
	ix.actions = make([]uint8, len(entries))
	for _, q := range ix.questions {
		for _, t := range q.terms {
			ix.actions[q.entry] |= termActions[t]
			ix.allActions |= termActions[t]
		}
	}

	ix.topic = topicality(ix.questions, len(ix.keys), len(entries))
	ix.keyOf = make([]string, len(ix.keys))
	for key, t := range ix.keys {
		ix.keyOf[t] = key
	}
	ix.answers = newAnswerIndex(entries, func(k string, l language) bool { return whole[canon(k, l)] || concepts[l][k] != "" })

	for s, t := range ix.stems {
		ix.sorted = append(ix.sorted, s)
		ix.addNear(s, t)
	}
	sort.Strings(ix.sorted)
	for _, s := range ix.sorted {
		ix.grams.add(s, ix.stems[s])
	}
	surfaceWords := make([]string, 0, len(surfaces))
	for w, t := range surfaces {
		ix.addNear(w, t)
		surfaceWords = append(surfaceWords, w)
	}
	sort.Strings(surfaceWords)
	for _, w := range surfaceWords {
		ix.grams.add(w, surfaces[w])
	}
	return ix
}

// oovRatio is the least weight of an unknown word, as a multiple of the weight of a word that
// one entry uses: idf(23, 0)/idf(23, 1) in the sample base.
const oovRatio = 1.4

// languagesOf returns l, or every language when l is unknown.
func languagesOf(l language) []language {
	if l == langUnknown {
		return allLanguages
	}
	return []language{l}
}

// idf is the BM25 inverse document frequency of a term found in df of n entries.
func idf(n, df float64) float64 {
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// intern returns the term of key, creating it.
func (ix *index) intern(key string) int32 {
	if t, ok := ix.keys[key]; ok {
		return t
	}
	t := int32(len(ix.keys))
	ix.keys[key] = t
	return t
}

// addNear makes word findable from a misspelling of one letter.
func (ix *index) addNear(word string, t int32) {
	if len(word) < minFuzzyLen {
		return
	}
	nw := nearWord{word, t}
	add := func(v string) {
		if !slices.Contains(ix.near[v], nw) {
			ix.near[v] = append(ix.near[v], nw)
		}
	}
	add(word)
	forDeletions(word, add)
}

// forDeletions calls f with every string made by deleting one byte of s (the words are
// accent-free, so almost always one letter).
func forDeletions(s string, f func(string)) {
	for i := range len(s) {
		f(s[:i] + s[i+1:])
	}
}

// Credits are the share of a word's weight it earns when it matches: an exact term earns all
// of it, a term reached through a typo or an ending the stemmer missed earns less, so that a
// guess never beats an exact match.
const (
	creditExact  = 1.0
	creditPrefix = 0.8
	creditTypo   = 0.8
)

// qterm is one term of a visitor message; term is -1 for a word the knowledge base never uses.
type qterm struct {
	term   int32
	weight float64
	credit float64
	key    string // of a word the base never uses: its stem or concept, to look up in the answers
}

// analyze appends the terms of the content words ws of a message analysed in language l; stems
// and used are buffers.
func (ix *index) analyze(ws []string, l language, stems []string, used []bool, out []qterm) ([]string, []bool, []qterm) {
	stems, used = stems[:0], used[:0]
	for _, w := range ws {
		stems = append(stems, stem(w, l))
		used = append(used, false)
	}
	for i := range ws {
		if used[i] {
			continue
		}
		if c, j, ok := pairAt(stems, used, i, l); ok {
			if t, known := ix.keys[c]; known {
				out = append(out, qterm{term: t, weight: ix.idf[t], credit: creditExact})
				used[j] = true
				continue
			}
			if detailConcepts[c] {
				out = ix.detail(out)
				used[j] = true
				continue
			}
			if !functionConcepts[c] {
				// An expression the base never uses ("offene Stellen") is one unknown word, not
				// its parts ("offen" is opening hours).
				out = append(out, qterm{term: -1, weight: ix.oov, key: c})
				used[j] = true
				continue
			}
		}
		if keys, ok := expansions[l][stems[i]]; ok {
			out = ix.concepts(keys, out)
			continue
		}
		if c, ok := rewriteAt(stems, i, l); ok {
			out = ix.concepts([]string{c}, out)
			continue
		}
		out = ix.lookup(ws[i], stems[i], l, out)
	}
	return stems, used, out
}

// concepts appends the terms of the concept keys the base uses, or an unknown word if it uses
// none of them.
func (ix *index) concepts(keys []string, out []qterm) []qterm {
	n := len(out)
	for _, k := range keys {
		if t, ok := ix.keys[k]; ok {
			out = append(out, qterm{term: t, weight: ix.idf[t], credit: creditExact})
		}
	}
	if len(out) == n {
		out = append(out, qterm{term: -1, weight: ix.oov, key: keys[0]})
	}
	return out
}

// detail appends the term of a thing of the catalogue the base does not name: "product" at
// weakFactor of its weight if the base uses it, else an unknown word of weakFactor weight.
func (ix *index) detail(out []qterm) []qterm {
	if t, ok := ix.keys[productConcept]; ok {
		return append(out, qterm{term: t, weight: ix.idf[t] * weakFactor, credit: creditExact})
	}
	return append(out, qterm{term: -1, weight: ix.oov * weakFactor, key: productConcept})
}

// lookup appends the terms of content word w, whose stem is s, of a message analysed in
// language l.
func (ix *index) lookup(w, s string, l language, out []qterm) []qterm {
	factor := 1.0
	if weakConcepts[l][s] {
		factor = weakFactor
	}
	key := canon(s, l)
	if t, ok := ix.keys[key]; ok {
		return append(out, qterm{term: t, weight: ix.idf[t] * factor, credit: creditExact})
	}
	if functionConcepts[key] {
		return out
	}
	if detailConcepts[key] {
		return ix.detail(out)
	}
	known := func(k string) bool { _, ok := ix.keys[canon(k, l)]; return ok }
	if parts := splitCompound(w, s, l, known); parts != nil {
		return ix.compoundParts(parts, l, known, maxCompoundDepth, out)
	}
	if c, ok := foreignConcepts[w]; ok {
		if t, ok := ix.keys[c]; ok {
			return append(out, qterm{term: t, weight: ix.idf[t] * factor, credit: creditExact})
		}
		if !functionConcepts[c] {
			return append(out, qterm{term: -1, weight: ix.oov * factor, key: c})
		}
		return out
	}
	if t, ok := ix.prefixTerm(s, l); ok {
		return append(out, qterm{term: t, weight: ix.idf[t], credit: creditPrefix})
	}
	if t, ok := ix.typoTerm(w, s, l); ok {
		return append(out, qterm{term: t, weight: ix.idf[t], credit: creditTypo})
	}
	if t, ok := ix.participle(w, l); ok {
		return append(out, qterm{term: t, weight: ix.idf[t], credit: creditPrefix})
	}
	if t, ok := ix.grams.closest(w); ok {
		return append(out, qterm{term: t, weight: ix.idf[t], credit: creditNgram})
	}
	return append(out, qterm{term: -1, weight: ix.oov * factor, key: key})
}

// participle finds the term of a Dutch or German past participle the stemmers leave alone
// because of its "ge-" prefix ("geannuleerd", "gewijzigd", "geändert"): the word without it,
// and its ending, stemmed, known to the base or a concept it uses, directly or by a prefix.
func (ix *index) participle(w string, l language) (int32, bool) {
	if l != langNL && l != langDE {
		return -1, false
	}
	rest, ok := strings.CutPrefix(w, "ge")
	if !ok || len(rest) < minFuzzyLen {
		return -1, false
	}
	// The participle's ending: "geannuleer-d" is "annuleer" (stemmed like "annuleren").
	candidates := [...]string{rest, strings.TrimRight(rest, "dt")}
	for _, c := range candidates {
		s := stem(c, l)
		if t, ok := ix.keys[canon(s, l)]; ok && !functionConcepts[canon(s, l)] {
			return t, true
		}
	}
	for _, c := range candidates {
		if t, ok := ix.prefixTerm(stem(c, l), l); ok {
			return t, true
		}
	}
	return -1, false
}

// maxCompoundDepth is how many times a compound's part is split again: "versand-kosten-frei"
// and "laagste-prijs-garantie" have three parts.
const maxCompoundDepth = 2

// compoundParts appends the terms of the parts of a compound: a part the base knows, one with a
// typo ("verzendkostn"), a part that is itself a compound (depth permitting), or else an unknown
// word.
func (ix *index) compoundParts(parts []string, l language, known func(string) bool, depth int, out []qterm) []qterm {
	for _, k := range parts {
		if t, ok := ix.keys[canon(k, l)]; ok {
			out = append(out, qterm{term: t, weight: ix.idf[t], credit: creditExact})
		} else if t, ok := ix.typoTerm(k, k, l); ok {
			out = append(out, qterm{term: t, weight: ix.idf[t], credit: creditTypo})
		} else if sub := splitCompound(k, k, l, known); depth > 1 && sub != nil {
			out = ix.compoundParts(sub, l, known, depth-1, out)
		} else {
			out = append(out, qterm{term: -1, weight: ix.oov, key: canon(k, l)})
		}
	}
	return out
}

// A stem that another extends by a few letters is taken for the same word with an ending the
// stemmer left alone ("methodes"/"method"), if it has at least minPrefixLen letters and is at
// least prefixShare of the longer one.
const (
	minPrefixLen = 6
	prefixShare  = 0.75
)

// prefixTerm finds a stem of the base that s extends, or that extends s, or else such a stem of
// a concept of language l that the base uses ("verschickt" for "verschicken").
func (ix *index) prefixTerm(s string, l language) (int32, bool) {
	if stem, ok := prefixMatch(s, ix.sorted, func(k string) bool { _, ok := ix.stems[k]; return ok }); ok {
		return ix.stems[stem], true
	}
	members := conceptStems[l]
	if stem, ok := prefixMatch(s, members, func(k string) bool { return concepts[l][k] != "" }); ok {
		t, used := ix.keys[concepts[l][stem]]
		return t, used
	}
	return -1, false
}

// prefixMatch finds in sorted (whose members satisfy has) a stem that s extends or that
// extends s, sharing at least minPrefixLen letters and prefixShare of the longer one.
func prefixMatch(s string, sorted []string, has func(string) bool) (string, bool) {
	for n := len(s) - 1; n >= minPrefixLen && float64(n) >= prefixShare*float64(len(s)); n-- {
		if has(s[:n]) {
			return s[:n], true
		}
	}
	if len(s) < minPrefixLen {
		return "", false
	}
	i := sort.SearchStrings(sorted, s)
	if i < len(sorted) && strings.HasPrefix(sorted[i], s) && float64(len(s)) >= prefixShare*float64(len(sorted[i])) {
		return sorted[i], true
	}
	return "", false
}

// typoTerm finds a stem or knowledge-base word one edit away from the word or its stem, or else
// a word of a concept of language l that the base uses ("recieved" for "received").
func (ix *index) typoTerm(w, s string, l language) (int32, bool) {
	if t, ok := ix.baseTypo(w, s); ok {
		return t, true
	}
	if key, ok := conceptTypo(w, l); ok {
		t, used := ix.keys[key]
		return t, used
	}
	return -1, false
}

// baseTypo finds a stem or knowledge-base word one edit away from the word or its stem.
func (ix *index) baseTypo(w, s string) (int32, bool) {
	best, bestWord := int32(-1), ""
	try := func(q string) {
		if len(q) < minFuzzyLen {
			return
		}
		check := func(v string) {
			for _, nw := range ix.near[v] {
				if osaWithin1(q, nw.word) && (best < 0 || nw.word < bestWord) {
					best, bestWord = nw.term, nw.word
				}
			}
		}
		check(q)
		forDeletions(q, check)
	}
	try(w)
	if s != w {
		try(s)
	}
	return best, best >= 0
}

// osaWithin1 reports whether a and b differ by at most one insertion, deletion, substitution or
// swap of neighbouring letters.
func osaWithin1(a, b string) bool {
	if a == b {
		return true
	}
	la, lb := len(a), len(b)
	if la-lb > 1 || lb-la > 1 {
		return false
	}
	i := 0
	for i < la && i < lb && a[i] == b[i] {
		i++
	}
	if i == 0 {
		// Typists rarely get the first letter wrong, and a word that differs there is usually
		// another word ("brand" and "grand", "parking" and "barking").
		return false
	}
	switch {
	case la == lb:
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case la > lb:
		return a[i+1:] == b[i:]
	default:
		return a[i:] == b[i+1:]
	}
}

// splitCompound splits a compound word into the stems of its two parts ("versandkosten" →
// "versand", "kost"; "giftcard" → "gift", "card"). In Dutch and German, where compounds are the
// norm, one known part is enough (the other part then counts as a word the base does not use);
// elsewhere both parts must be known. It returns nil for a word that is only an inflection of
// its first part ("bestelling" is not "bestel" + "ling").
func splitCompound(w, s string, l language, known func(string) bool) []string {
	if len(w) < minCompoundLen {
		return nil
	}
	compounding := l == langNL || l == langDE
	var best []string
	bestScore := 0
	for i := minKnownPartLen; i <= len(w)-minKnownPartLen; i++ {
		left, right := w[:i], w[i:]
		lk, lok := knownLeft(left, l, known)
		if lok && lk == s {
			continue
		}
		rk := stem(right, l)
		rok := known(rk)
		if !rok && known(right) {
			rk, rok = right, true
		}
		switch {
		case lok && rok:
		case lok || rok:
			// A known short stem next to an unknown remainder is too often a coincidence
			// ("herunter" + "laden").
			knownLen, otherLen := len(lk), len(right)
			if rok {
				knownLen, otherLen = len(rk), len(left)
			}
			if !compounding || knownLen <= minPartLen || otherLen < minPartLen {
				continue
			}
		default:
			continue
		}
		score := 0
		if lok {
			score += len(left)
		}
		if rok {
			score += len(right)
		}
		if score > bestScore {
			if !lok {
				lk = stem(left, l)
			}
			best, bestScore = []string{lk, rk}, score
		}
	}
	return best
}

// knownLeft finds the known stem a compound's first part stands for, allowing for a linking
// letter or syllable.
func knownLeft(left string, l language, known func(string) bool) (string, bool) {
	if known(left) {
		return left, true
	}
	if s := stem(left, l); known(s) {
		return s, true
	}
	for _, j := range linking {
		if t, ok := strings.CutSuffix(left, j); ok && len(t) >= minPartLen {
			if known(t) {
				return t, true
			}
			if s := stem(t, l); known(s) {
				return s, true
			}
		}
	}
	return "", false
}

// contentWords returns the normalised content words of text. A negation that belongs to a hedge
// ("I'm not sure which size", "je ne sais pas", "ich weiß nicht", "no sé qué talla") is dropped
// with it: it says nothing about the question, and would otherwise count as the "not" of "I did
// not receive my order".
func contentWords(text string) []string {
	ws := words(text)
	hedged := func(i int) bool {
		for j := max(0, i-hedgeWindow); j < len(ws) && j <= i+hedgeWindow; j++ {
			if hedges[ws[j]] {
				return true
			}
		}
		return false
	}
	out := make([]string, 0, len(ws))
	for i, w := range ws {
		if isContent(w) && !(negations[w] && hedged(i)) {
			if v, ok := separated(ws, i); ok {
				w = v
			}
			out = append(out, w)
		}
	}
	return out
}

// particles are the Dutch and German separable particles that change what a verb does: "ich
// melde mich an" signs up, "ich melde mich ab" unsubscribes, "ik meld me af", "ik schrijf me in".
// They are stop words on their own.
var particles = map[string]bool{"an": true, "ab": true, "aus": true, "aan": true, "af": true, "in": true, "uit": true}

// particleWindow is how far, in words, a separated particle may follow its verb ("wie melde ich
// mich für den Newsletter an").
const particleWindow = 6

// separated returns the verb ws[i] joined with a particle that follows it within particleWindow
// words ("melde … an" → "anmelde"), when the joined verb is a word of a concept in Dutch or
// German: the only joins made are those that carry a known meaning.
func separated(ws []string, i int) (string, bool) {
	w := ws[i]
	for j := i + 1; j < len(ws) && j <= i+particleWindow; j++ {
		if !particles[ws[j]] {
			continue
		}
		cands := [...]string{ws[j] + w, ""}
		// A Dutch verb's present stem ends in f or s where its infinitive has v or z ("schrijf",
		// "inschrijven").
		if n := len(w); n > 2 && (w[n-1] == 'f' || w[n-1] == 's') {
			cands[1] = ws[j] + w[:n-1] + map[byte]string{'f': "v", 's': "z"}[w[n-1]] + "en"
		}
		for _, c := range cands {
			if c == "" {
				continue
			}
			for _, l := range [...]language{langNL, langDE} {
				if concepts[l][stem(c, l)] != "" {
					return c, true
				}
			}
		}
	}
	return "", false
}

// hedgeWindow is how far, in words, a negation may stand from the hedge it belongs to ("ik weet
// het niet", "ich weiß es nicht").
const hedgeWindow = 2

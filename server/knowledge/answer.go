package knowledge

import "slices"

// A question next to an entry's topic often asks what the entry's answer does not say: whether
// return shipping is free (the returns entry), how to sign up for the newsletter (the account
// entry, through "sign up"), what the Gear Box contains (the cancelling entry). Such a message
// carries a word that is another entry's topic ("newsletter") or an attribute ("free", "cost",
// "balance", "contents"), and that neither this entry's questions nor its answer use. A
// paraphrase's extra words are mostly the answer's own ("label" for returns, "fleece" for the
// size entry), small talk, or words no entry uses, which the confidence already weighs.
//
// So, for an entry that could win, the second stage (unexplained) weighs every word of the
// message that neither the entry's questions nor its answer use by its topicality: the largest
// share of one entry's questions that use it ("newsletter" is in nearly all of the newsletter
// entry's phrasings, "sitzt" in one of the store's). Beyond unexplainedFree of the message's
// weight, the entry loses unexplainedPenalty × the excess of its confidence; an attribute of
// the message that the entry's questions and answer never mention costs it attributeFactor
// more. Words no entry uses are left out: counting them cost paraphrases more than it turned
// away near misses (docs/bot.md, sixth round).
const (
	unexplainedFree    = 0.1
	unexplainedPenalty = 1.0
	attributeFactor    = 0.65
)

// attributeConcepts are what a question asks about a topic rather than the topic: its price,
// whether it is free, paying for it, what is left on it, what it contains.
var attributeConcepts = map[string]bool{"~cost": true, "~free": true, "~pay": true, "~balance": true, "~contents": true}

// answerIndex maps the term keys (stems and concepts) of the entries' answers to the entries
// whose answer uses them, in entry order.
type answerIndex map[string][]int32

// newAnswerIndex analyses every entry's answer in its language (every language when it cannot be
// told), like a question; known recognises the parts of compounds.
func newAnswerIndex(entries []Entry, known func(k string, l language) bool) answerIndex {
	ai := answerIndex{}
	for ei, e := range entries {
		ws := contentWords(e.Answer)
		al, ok := detect(e.Answer)
		if !ok {
			al = langUnknown
		}
		for _, l := range languagesOf(al) {
			for _, k := range phrasingKeys(ws, l, func(k string) bool { return known(k, l) }) {
				if es := ai[k]; len(es) == 0 || es[len(es)-1] != int32(ei) {
					ai[k] = append(es, int32(ei))
				}
			}
		}
	}
	return ai
}

// says reports whether entry e's answer uses key.
func (ai answerIndex) says(e int32, key string) bool {
	_, ok := slices.BinarySearch(ai[key], e)
	return ok
}

// phrasingKeys returns the term keys of the content words ws of an owner's text analysed in
// language l, as newIndex derives a question's terms.
func phrasingKeys(ws []string, l language, known func(string) bool) []string {
	stems := make([]string, len(ws))
	for i, w := range ws {
		stems[i] = stem(w, l)
	}
	used := make([]bool, len(ws))
	var keys []string
	for i := range ws {
		if used[i] {
			continue
		}
		if c, j, ok := pairAt(stems, used, i, l); ok {
			keys = append(keys, c)
			used[j] = true
			continue
		}
		if ks, ok := expansions[l][stems[i]]; ok {
			keys = append(keys, ks...)
			continue
		}
		if c, ok := rewriteAt(stems, i, l); ok {
			keys = append(keys, c)
			continue
		}
		keys = append(keys, canon(stems[i], l))
		if concepts[l][stems[i]] == "" {
			for _, part := range splitCompound(ws[i], stems[i], l, known) {
				keys = append(keys, canon(part, l))
			}
		}
	}
	return keys
}

// unexplained returns the topicality-weighted share of the message's weight (terms, total) that
// neither entry e's questions (mask: bit i set when they use terms[i]) nor its answer use, and
// whether an attribute of the message is among those words.
func (ix *index) unexplained(e int32, terms []qterm, mask uint64, total float64) (share float64, attribute bool) {
	var w float64
	for i, t := range terms {
		if i < 64 && mask&(1<<i) != 0 {
			continue
		}
		key, topic := t.key, 0.0
		if t.term >= 0 {
			key, topic = ix.keyOf[t.term], ix.topic[t.term]
		}
		if functionConcepts[key] || detailConcepts[key] || ix.answers.says(e, key) {
			continue
		}
		if attributeConcepts[key] {
			attribute = true
			continue
		}
		w += topic * t.weight
	}
	return w / total, attribute
}

// topicality returns, per term, the largest share of one entry's questions that use it: 0.8 for
// "newsletter" (the newsletter entry's topic, in most of its phrasings), 0.05 for a word one
// phrasing of an entry happens to use.
func topicality(qs []question, terms, entries int) []float64 {
	count := make([]int, entries)
	uses := make([]map[int32]int, entries)
	for _, q := range qs {
		count[q.entry]++
		if uses[q.entry] == nil {
			uses[q.entry] = map[int32]int{}
		}
		for _, t := range q.terms {
			uses[q.entry][t]++
		}
	}
	topic := make([]float64, terms)
	for e, m := range uses {
		for t, n := range m {
			topic[t] = max(topic[t], float64(n)/float64(count[e]))
		}
	}
	return topic
}

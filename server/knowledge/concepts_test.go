package knowledge

import (
	"strings"
	"testing"
)

func TestConceptWordsBelongToOneGroup(t *testing.T) {
	for l := range numLanguages {
		owner := map[string]string{}
		for _, c := range allConcepts {
			for _, w := range strings.Fields(c.words[l]) {
				for _, n := range words(w) {
					s := stem(n, l)
					if prev, ok := owner[s]; ok && prev != c.name {
						t.Errorf("%s: %q stems to %q, which is in both %s and %s", l, w, s, prev, c.name)
					}
					owner[s] = c.name
				}
			}
		}
	}
}

func TestConceptWordsAreNotStopWords(t *testing.T) {
	for _, c := range allConcepts {
		for l, list := range c.words {
			for _, w := range strings.Fields(list) {
				for _, n := range words(w) {
					if !isContent(n) {
						t.Errorf("%s %s: %q is a stop word, so it can never match", language(l), c.name, w)
					}
				}
			}
		}
	}
}

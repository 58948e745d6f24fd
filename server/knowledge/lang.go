package knowledge

import (
	"strings"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/dutch"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/spanish"
)

// language indexes the supported languages; it is the position in languages.
type language int

const (
	langEN language = iota
	langNL
	langFR
	langDE
	langES
	numLanguages
)

// langUnknown means the caller did not say, or said a language we do not stem.
const langUnknown language = -1

// languages lists the supported ISO 639-1 codes in language order.
var languages = [numLanguages]string{"en", "nl", "fr", "de", "es"}

// stemmers are the Snowball stemmers, in language order.
var stemmers = [numLanguages]func(*snowballstem.Env) bool{
	english.Stem, dutch.Stem, french.Stem, german.Stem, spanish.Stem,
}

// Languages returns the language codes the matcher stems, in a fixed order.
func Languages() []string { return append([]string(nil), languages[:]...) }

// parseLang accepts "nl", "NL", "nl-BE", "nl_BE"; anything else is langUnknown.
func parseLang(lang string) language {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	base, _, _ = strings.Cut(base, "_")
	for i, code := range languages {
		if base == code {
			return language(i)
		}
	}
	return langUnknown
}

// String returns the ISO code, or "" for langUnknown.
func (l language) String() string {
	if l < 0 || l >= numLanguages {
		return ""
	}
	return languages[l]
}

// stem reduces a normalised (accent-free) word to its Snowball stem in language l.
func stem(word string, l language) string {
	if l == langDE {
		word = dropInfinitiveZu(word)
	}
	accented := reaccent(word, l)
	env := snowballstem.NewEnv(accented)
	stemmers[l](env)
	if accented == word {
		return env.Current()
	}
	return normalize(env.Current())
}

// reaccent puts back the accent of endings that are always written with one, because the French
// and Spanish stemmers only recognise those suffixes accented: without this "devoluciones" and
// "devolucion" (typed without accent) would not meet, nor "livrée" and "livree".
func reaccent(word string, l language) string {
	switch l {
	case langES:
		for _, suf := range [...]string{"cion", "sion"} {
			if strings.HasSuffix(word, suf) {
				return word[:len(word)-2] + "ón"
			}
		}
		// The vosotros forms of verbs ("aceptáis", "cambiáis", "tenéis").
		for _, suf := range [...]struct{ plain, accented string }{{"ais", "áis"}, {"eis", "éis"}} {
			if strings.HasSuffix(word, suf.plain) && len(word) > len(suf.plain)+3 {
				return word[:len(word)-len(suf.plain)] + suf.accented
			}
		}
	case langFR:
		for _, suf := range [...]string{"ees", "ee"} {
			if strings.HasSuffix(word, suf) && len(word) > len(suf)+2 {
				return word[:len(word)-len(suf)] + "é" + suf[1:]
			}
		}
	}
	return word
}

// separablePrefixes are the German verb particles before which an infinitive takes "zu" inside
// the word: "zurückzuschicken" is "zurückschicken", "abzubestellen" "abbestellen".
var separablePrefixes = [...]string{"zuruck", "an", "ab", "auf", "aus", "ein", "um", "weg", "mit", "vor"}

// dropInfinitiveZu removes the "zu" of a German infinitive with a separable particle, so that it
// stems like the plain infinitive. The rest after "zu" must look like an infinitive (at least five
// letters ending in "n"), which keeps "Anzug" and "Umzug" as they are.
func dropInfinitiveZu(w string) string {
	for _, p := range separablePrefixes {
		rest, ok := strings.CutPrefix(w, p+"zu")
		if ok && len(rest) >= 5 && strings.HasSuffix(rest, "n") {
			return p + rest
		}
	}
	return w
}

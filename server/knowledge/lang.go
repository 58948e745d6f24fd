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
	case langFR:
		for _, suf := range [...]string{"ees", "ee"} {
			if strings.HasSuffix(word, suf) && len(word) > len(suf)+2 {
				return word[:len(word)-len(suf)] + "é" + suf[1:]
			}
		}
	}
	return word
}

package knowledge

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foldings spell out letters that do not decompose into a base letter plus accent, so that
// "Größe" typed on a keyboard without ß ("Grosse") still meets it.
var foldings = map[rune]string{'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ı': "i"}

// normalize lower-cases text, removes accents and turns every run of characters that is not a
// letter or digit into one space. Visitors often leave accents out, so both sides are compared
// without them.
func normalize(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	space := true
	for _, r := range norm.NFD.String(text) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			r = unicode.ToLower(r)
			if f, ok := foldings[r]; ok {
				b.WriteString(f)
			} else {
				b.WriteRune(r)
			}
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSpace(b.String())
}

// words splits text into normalised words. Apostrophes split too ("l'adresse" gives "l" and
// "adresse"), which is what French and Dutch need and harmless for English contractions.
func words(text string) []string {
	return strings.Fields(normalize(text))
}

// isContent reports whether a normalised word carries meaning for matching: not a stop word of
// any supported language, not a bare number, and longer than one letter.
func isContent(w string) bool {
	if len(w) < 2 || stopwords[w] {
		return false
	}
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

package knowledge

import "strings"

// markers are short function words that give a language away. A word listed under several
// languages counts for each of them, divided by their number. They are written accent-free, as
// normalize produces them.
var markers = func() map[string][]language {
	lists := [numLanguages]string{
		langEN: `the is are am my your you do does did how what when where which who why can could will
			would with have has to of for and it this that an not on at be was there please want
			get from our me i`,
		langNL: `de het een ik mijn jullie je jij is niet wat hoe waar wanneer welke welk kan kun kunt wil
			zijn van voor met op ook er dat die naar bij heb heeft hebben geen uw mag moet wordt
			worden nog al zit wij we ons onze`,
		langFR: `le la les est je vous nous mon ma mes votre vos un une des du de et en que qui pas ne pour
			avec sur comment quel quelle quels quelles quand ou puis peux ce cette il elle sont avez
			ai au aux etes suis`,
		langDE: `der die das ich ist sie nicht wie was wo wann welche welcher welches kann meine mein meinen
			meiner ein eine einen einem und mit auf zu den dem es gibt habe haben bitte ihr ihre euch
			sind wird kein keine fur von nach bei mich mir wir uns`,
		langES: `el la los las mi mis es que de en un una con por para como cuando donde cual puedo tienen
			tiene esta del al su sus lo me se no hay quiero mas`,
	}
	m := map[string][]language{}
	for l, list := range lists {
		for _, w := range strings.Fields(list) {
			m[w] = append(m[w], language(l))
		}
	}
	return m
}()

// letterHints are letters that occur in one or two of the languages only.
var letterHints = map[rune][]language{
	'ñ': {langES}, '¿': {langES}, '¡': {langES}, 'á': {langES}, 'í': {langES}, 'ó': {langES}, 'ú': {langES},
	'ß': {langDE}, 'ä': {langDE}, 'ö': {langDE}, 'ü': {langDE},
	'ç': {langFR}, 'è': {langFR}, 'ê': {langFR}, 'à': {langFR}, 'ù': {langFR}, 'î': {langFR}, 'ô': {langFR},
	'â': {langFR}, 'œ': {langFR}, 'é': {langFR, langES},
}

// detect guesses the language of text from its function words and letters. ok is false when
// the evidence is thin or split, which is normal for a few keywords ("shipping costs NL").
func detect(text string) (l language, ok bool) {
	var score [numLanguages]float64
	for _, r := range strings.ToLower(text) {
		if ls, hit := letterHints[r]; hit {
			for _, l := range ls {
				score[l] += 1 / float64(len(ls))
			}
		}
	}
	for _, w := range words(text) {
		if ls, hit := markers[w]; hit {
			for _, l := range ls {
				score[l] += 1 / float64(len(ls))
			}
		}
	}
	best, second := langUnknown, 0.0
	for l, s := range score {
		switch {
		case best < 0 || s > score[best]:
			if best >= 0 {
				second = score[best]
			}
			best = language(l)
		case s > second:
			second = s
		}
	}
	if score[best] < 1 || score[best] < second+1 {
		return langUnknown, false
	}
	return best, true
}

// DetectLanguage returns the ISO 639-1 code of the supported language text is most likely
// written in, or "" when it cannot tell (short or mixed text).
func DetectLanguage(text string) string {
	l, _ := detect(text)
	return l.String()
}

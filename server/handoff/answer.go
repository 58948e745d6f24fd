package handoff

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/knowledge"
	"github.com/batonchat/baton/server/site"
)

// How a typed answer to "do you want a person?" is read, in the five widget languages. Words
// are written as normalise leaves them: lower case, no accents, apostrophes as spaces.
var (
	// yesWords start a yes ("yes please", "ja graag", "oui merci", "si por favor").
	yesWords = set(`yes y yeah yea yep yup sure ok okay okey k please absolutely definitely certainly
		alright ja jawel jazeker graag zeker prima natuurlijk goed oke oui ouais volontiers
		certainement evidemment bien si claro vale dale bueno jawohl gerne gern klar natuerlich naturlich
		sicher bitte selbstverstandlich`)
	// noWords start a no ("no thanks", "nee hoor", "non merci", "nein danke").
	noWords = set(`no n nope nah nee neen non nein ne nö noe nicht niet`)
	// noPhrases are whole answers that decline without a no-word first.
	noPhrases = set(`not now|no need|never mind|nevermind|i m fine|im fine|i m good|im good|all good|not really|
		niet nodig|liever niet|nu niet|laat maar|hoeft niet|
		pas maintenant|pas besoin|ca va|c est bon|ca ira|plus tard|
		jetzt nicht|lieber nicht|nicht notig|nicht noetig|passt schon|schon gut|spater|spaeter|
		ahora no|mas tarde|esta bien|no hace falta`, "|")
	// yesPhrases are whole answers that accept without a yes-word first.
	yesPhrases = set(`go ahead|connect me|let s do it|sounds good|of course|that would be great|
		doe maar|graag gedaan|bien sur|d accord|avec plaisir|je veux bien|
		na klar|auf jeden fall|por supuesto|de acuerdo|me parece bien`, "|")
	// negations turn a yes-word into a no ("yes, but not now" is not a yes).
	negations = set(`not no don t dont niet geen pas non nicht kein keine ne no`)
)

func set(words string, sep ...string) map[string]bool {
	var parts []string
	if len(sep) > 0 {
		parts = strings.Split(words, sep[0])
	} else {
		parts = strings.Fields(words)
	}
	m := make(map[string]bool, len(parts))
	for _, w := range parts {
		if w = strings.Join(strings.Fields(w), " "); w != "" {
			m[w] = true
		}
	}
	return m
}

// normalise lower-cases text, drops accents, and turns every run of other characters into a
// space, as the answers above are written.
func normalise(text string) string {
	var b strings.Builder
	space := true
	for _, r := range norm.NFD.String(text) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
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

// politeness is said around an answer and changes nothing.
var politeness = set(`thanks thank you thx merci danke dank je wel bedankt gracias please svp plait vous s il schon hoor
	dankjewel dankje vielen dank muchas`)

// consentAnswer reads a typed answer to the consent question: the quick replies' labels (in
// every language, and the owner's), a yes or a no in any of the five languages, or a request
// for a person. Anything else is Other: the visitor moved on.
func consentAnswer(st *site.Settings, text string) Input {
	n := normalise(text)
	if n == "" {
		return Other
	}
	for _, lang := range []string{"en", "nl", "fr", "de", "es"} {
		switch n {
		case normalise(builtin[lang]["yes"]):
			return Yes
		case normalise(builtin[lang]["no"]):
			return No
		}
	}
	if st.Handoff != nil {
		for _, t := range st.Handoff.Texts {
			if y, ok := t["yes"]; ok && n == normalise(y) {
				return Yes
			}
			if no, ok := t["no"]; ok && n == normalise(no) {
				return No
			}
		}
	}
	if noPhrases[n] || yesPhrases[n] {
		if noPhrases[n] {
			return No
		}
		return Yes
	}
	words := strings.Fields(n)
	if len(words) <= 6 {
		if noWords[words[0]] {
			return No
		}
		if yesWords[words[0]] {
			for _, w := range words[1:] {
				if negations[w] {
					return Other // "yes but not now", "ok no": not a clear yes
				}
			}
			return Yes
		}
		// "thanks, no" and "merci non": politeness first.
		rest := words
		for len(rest) > 1 && politeness[rest[0]] {
			rest = rest[1:]
		}
		if noWords[rest[0]] {
			return No
		}
	}
	if knowledge.HumanRequest(text, "") {
		return Yes
	}
	return Other
}

// emailAnswer reads an answer to the email question: a form's answer, or a typed message that
// holds one address. A no declines; anything else is BadEmail.
func emailAnswer(m *chat.Message) (Input, string) {
	if m.Event != nil && m.Event["action"] == "form_submitted" {
		if values, ok := m.Event["values"].(map[string]string); ok {
			if e := values["email"]; conversation.ValidEmail(e) {
				return Email, e
			}
		}
		if values, ok := m.Event["values"].(map[string]any); ok {
			if e, _ := values["email"].(string); conversation.ValidEmail(e) {
				return Email, e
			}
		}
		return BadEmail, ""
	}
	var found []string
	for _, f := range strings.Fields(m.Text) {
		f = strings.Trim(f, ".,;:!?()<>[]{}\"'`")
		f = strings.TrimPrefix(f, "mailto:")
		if strings.Contains(f, "@") && conversation.ValidEmail(f) {
			found = append(found, f)
		}
	}
	if len(found) == 1 {
		return Email, found[0]
	}
	n := normalise(m.Text)
	if w := strings.Fields(n); len(found) == 0 && len(w) > 0 && len(w) <= 4 && (noWords[w[0]] || noPhrases[n]) {
		return No, ""
	}
	return BadEmail, ""
}

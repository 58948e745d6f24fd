package knowledge

import "strings"

// The words HumanRequest looks for, per language, written accent-free as normalize produces
// them. Entries of several words ("customer service", "atención al cliente") must appear as
// written.
var (
	// humanNouns name a person, or the team of persons, a visitor may ask for.
	humanNouns = [numLanguages]string{
		langEN: `human humans person someone somebody agent agents employee staff representative rep
			operator advisor adviser consultant colleague manager supervisor
			human_being real_person live_agent live_person customer_service customer_support
			support_team service_desk`,
		langNL: `mens persoon iemand medewerker medewerkster adviseur collega leidinggevende manager
			klantenservice klantendienst servicedesk helpdesk operator`,
		langFR: `humain humaine personne conseiller conseillere agent operateur operatrice
			interlocuteur vendeur vendeuse responsable quelqu_un service_client`,
		langDE: `mensch menschen person jemand jemanden jemandem mitarbeiter mitarbeiterin berater
			beraterin kundenberater kundenservice kundendienst kollegen vorgesetzten manager
			support`,
		langES: `humano humana persona alguien agente asesor asesora operador operadora empleado
			empleada representante encargado encargada gerente atencion_al_cliente servicio_al_cliente`,
	}
	// humanModifiers may stand next to a noun in a short request ("real person", "echte mens").
	humanModifiers = `real live actual actually true echte echt echter echten vrai vraie reel reelle
		vrais verdad de_verdad`
	// contactVerbs ask to be put in touch, in the present or infinitive only: "I spoke to your
	// agent" tells a story and asks for nothing.
	contactVerbs = [numLanguages]string{
		langEN: "talk speak chat connect contact transfer reach",
		langNL: "spreken spreek praten praat chatten chat bellen contact doorverbinden verbinden",
		langFR: "parler parle discuter contacter joindre passer passez relation",
		langDE: "sprechen spreche reden rede chatten kontaktieren verbinden",
		langES: "hablar hablo charlar contactar comunicarme comunicar pasar pasame paseme",
	}
	// wantWords ask for something directly: "I want a human", "ik wil een medewerker".
	wantWords = [numLanguages]string{
		langEN: "want wanna need give get prefer",
		langNL: "wil wilt willen graag nodig liever",
		langFR: "veux voudrais voudrait souhaite besoin prefere",
		langDE: "mochte will brauche hatte gern lieber",
		langES: "quiero quisiera necesito prefiero",
	}
	// existWords ask whether someone is there: "is there a person", "y a-t-il quelqu'un".
	existWords = "there er gibt hay"
	// negations in front of a verb turn the request around: "I don't want to talk to a human".
	negationWords = "not dont don didn no niet geen nee pas ne nicht kein keinen nein"
)

// humanNounLangs restricts nouns that mean something else in another language: Dutch "mens" is a
// person, English "mens" is men's clothing.
var humanNounLangs = map[string]language{"mens": langNL}

// humanWords is the lexicon above as sets.
var humanWords = func() (w struct {
	nouns, modifiers, verbs, wants, exists, negations map[string]bool
}) {
	set := func(lists ...string) map[string]bool {
		m := map[string]bool{}
		for _, l := range lists {
			for _, f := range strings.Fields(l) {
				m[strings.ReplaceAll(f, "_", " ")] = true
			}
		}
		return m
	}
	w.nouns, w.verbs, w.wants = set(humanNouns[:]...), set(contactVerbs[:]...), set(wantWords[:]...)
	w.modifiers, w.exists, w.negations = set(humanModifiers), set(existWords), set(negationWords)
	return w
}()

// Window sizes, in words: a contact verb and a person must be this close ("speak to someone",
// "een medewerker spreken", "mit einem Mitarbeiter sprechen"); a short message of only a person
// and small words ("agent", "human please", "un conseiller") counts on its own.
const (
	verbWindow     = 4
	wantWindow     = 3
	shortMessage   = 5
	negationWindow = 4
)

// HumanRequest reports whether text asks to talk to a person instead of the bot, in any of the
// supported languages. lang (as for Match; "" if unknown) only settles words that mean a person
// in one language and something else in another. A message that merely mentions an agent or a
// person ("what does your agent fee cost", "does a person need to sign?") is not a request: it
// needs a verb of contact or wanting next to the person, or to consist of little else.
func HumanRequest(text, lang string) bool {
	ws := words(text)
	if len(ws) == 0 {
		return false
	}
	l := parseLang(lang)
	// persons[i] is the number of words of a person noun starting at word i, or 0.
	persons := make([]int, len(ws))
	found := false
	for i := range ws {
		if n := personAt(ws, i, l); n > 0 {
			persons[i], found = n, true
		}
	}
	if !found {
		return false
	}
	if shortPersonOnly(ws, persons) {
		return true
	}
	for i, w := range ws {
		switch {
		case humanWords.verbs[w] && !negatedAt(ws, i):
			if personWithin(persons, i-verbWindow, i+verbWindow) {
				return true
			}
		case (humanWords.wants[w] && !negatedAt(ws, i)) || humanWords.exists[w]:
			if personWithin(persons, i+1, i+wantWindow) {
				return true
			}
		}
	}
	return false
}

// maxNounWords is the length of the longest person noun.
const maxNounWords = 3

// personAt returns the number of words of the person noun starting at word i, or 0.
func personAt(ws []string, i int, l language) int {
	for n := min(maxNounWords, len(ws)-i); n > 1; n-- {
		if humanWords.nouns[strings.Join(ws[i:i+n], " ")] {
			return n
		}
	}
	if !humanWords.nouns[ws[i]] {
		return 0
	}
	if only, restricted := humanNounLangs[ws[i]]; restricted && l != langUnknown && l != only {
		return 0
	}
	return 1
}

// shortPersonOnly reports a message of a few words that, small words aside, only names a person.
func shortPersonOnly(ws []string, persons []int) bool {
	if len(ws) > shortMessage {
		return false
	}
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		switch {
		case persons[i] > 0:
			i += persons[i] - 1
		case humanWords.modifiers[w], humanWords.wants[w], !isContent(w):
		default:
			return false
		}
	}
	return true
}

// personWithin reports a person noun starting at a word in [from, to].
func personWithin(persons []int, from, to int) bool {
	for i := max(from, 0); i <= to && i < len(persons); i++ {
		if persons[i] > 0 {
			return true
		}
	}
	return false
}

// negatedAt reports a negation just before word i.
func negatedAt(ws []string, i int) bool {
	for j := max(i-negationWindow, 0); j < i; j++ {
		if humanWords.negations[ws[j]] {
			return true
		}
	}
	return false
}

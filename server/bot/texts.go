package bot

import "strings"

// builtinTexts are what the bot says in its own words, per widget language; site settings
// (bot.texts) override them.
var builtinTexts = map[string]map[string]string{
	"unknown": {
		"en": "Sorry, I don't have an answer to that.",
		"nl": "Sorry, daar heb ik geen antwoord op.",
		"fr": "Désolé, je n'ai pas de réponse à cette question.",
		"de": "Entschuldigung, darauf habe ich keine Antwort.",
		"es": "Lo siento, no tengo una respuesta para eso.",
	},
	"handoff": {
		"en": "I've passed your message on to our team: someone will reply here as soon as possible.",
		"nl": "Ik heb je bericht doorgegeven aan ons team: iemand antwoordt hier zo snel mogelijk.",
		"fr": "J'ai transmis votre message à notre équipe : quelqu'un vous répondra ici dès que possible.",
		"de": "Ich habe Ihre Nachricht an unser Team weitergegeben: Jemand antwortet hier so bald wie möglich.",
		"es": "He pasado tu mensaje a nuestro equipo: alguien te responderá aquí lo antes posible.",
	},
}

// text returns the owner's override, or the built-in text in lang (English when unknown).
func text(key, override, lang string) string {
	if override != "" {
		return override
	}
	t := builtinTexts[key]
	if s, ok := t[baseLang(lang)]; ok {
		return s
	}
	return t["en"]
}

// baseLang is "nl" for "nl-BE" and "NL_be".
func baseLang(l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	if i := strings.IndexAny(l, "-_"); i >= 0 {
		l = l[:i]
	}
	return l
}

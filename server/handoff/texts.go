package handoff

import (
	"strconv"
	"strings"
	"time"

	"github.com/batonchat/baton/server/site"
)

// builtin are the flow's words in the five widget languages; the site's handoff.texts
// override them per locale. {email}, {time} and {wait} are filled in.
var builtin = map[string]map[string]string{
	"en": {
		"consent":          "I can connect you with someone from our team. Would you like that?",
		"yes":              "Yes, connect me with an agent",
		"no":               "No, thanks",
		"declined":         "No problem, I'll stay with you. If you change your mind, just ask for a person.",
		"email_ask":        "Sure! What's your email address? Then the team can also reply by email if you leave the chat.",
		"email_ask_ticket": "Sure! What's your email address? The team will reply to you there.",
		"email_label":      "Your email",
		"email_invalid":    "That doesn't look like an email address. Could you check it and try again?",
		"email_giveup":     "Without an email address I can't pass this on to the team. Ask for a person again whenever you like.",
		"coming":           "Thanks! Someone from our team will be with you here shortly.",
		"coming_wait":      "Thanks! Someone from our team will be with you here in about {wait}.",
		"closed":           "Thanks! Our team is away right now: we're back {time}.",
		"closed_unknown":   "Thanks! Our team is away right now.",
		"busy":             "Thanks! Everyone on our team is busy right now, so your question is waiting in the queue.",
		"reply_email":      "We'll reply here, or by email at {email} if you have left the chat by then.",
		"reply_here":       "We'll reply here as soon as we can.",
		"ticket":           "Thanks! I've passed your question on to our team: they'll reply by email at {email}.",
		"no_human":         "Our team can't chat here right now. Please have a look at our help pages, or contact us by email.",
	},
	"nl": {
		"consent":          "Ik kan je in contact brengen met iemand van ons team. Wil je dat?",
		"yes":              "Ja, verbind me met een medewerker",
		"no":               "Nee, bedankt",
		"declined":         "Geen probleem, ik blijf bij je. Bedenk je je, vraag dan gewoon naar een medewerker.",
		"email_ask":        "Prima! Wat is je e-mailadres? Dan kan het team ook per e-mail antwoorden als je de chat verlaat.",
		"email_ask_ticket": "Prima! Wat is je e-mailadres? Het team antwoordt je daar.",
		"email_label":      "Je e-mailadres",
		"email_invalid":    "Dat lijkt geen e-mailadres. Wil je het controleren en het nog eens proberen?",
		"email_giveup":     "Zonder e-mailadres kan ik dit niet aan het team doorgeven. Vraag gerust opnieuw naar een medewerker.",
		"coming":           "Bedankt! Iemand van ons team is zo bij je.",
		"coming_wait":      "Bedankt! Iemand van ons team is over ongeveer {wait} bij je.",
		"closed":           "Bedankt! Ons team is er nu niet: we zijn er weer {time}.",
		"closed_unknown":   "Bedankt! Ons team is er nu niet.",
		"busy":             "Bedankt! Ons hele team is nu bezig, dus je vraag staat in de wachtrij.",
		"reply_email":      "We antwoorden hier, of per e-mail op {email} als je de chat dan al hebt verlaten.",
		"reply_here":       "We antwoorden hier zo snel mogelijk.",
		"ticket":           "Bedankt! Ik heb je vraag doorgegeven aan ons team: ze antwoorden per e-mail op {email}.",
		"no_human":         "Ons team kan hier nu niet chatten. Kijk op onze hulppagina's, of neem contact met ons op per e-mail.",
	},
	"fr": {
		"consent":          "Je peux vous mettre en relation avec quelqu'un de notre équipe. Le souhaitez-vous ?",
		"yes":              "Oui, mettez-moi en relation",
		"no":               "Non, merci",
		"declined":         "Pas de problème, je reste avec vous. Si vous changez d'avis, demandez simplement à parler à quelqu'un.",
		"email_ask":        "Volontiers ! Quelle est votre adresse e-mail ? L'équipe pourra aussi vous répondre par e-mail si vous quittez le chat.",
		"email_ask_ticket": "Volontiers ! Quelle est votre adresse e-mail ? L'équipe vous y répondra.",
		"email_label":      "Votre e-mail",
		"email_invalid":    "Cela ne ressemble pas à une adresse e-mail. Pouvez-vous la vérifier et réessayer ?",
		"email_giveup":     "Sans adresse e-mail, je ne peux pas transmettre votre demande à l'équipe. Redemandez à parler à quelqu'un quand vous voulez.",
		"coming":           "Merci ! Quelqu'un de notre équipe sera avec vous ici sous peu.",
		"coming_wait":      "Merci ! Quelqu'un de notre équipe sera avec vous ici dans environ {wait}.",
		"closed":           "Merci ! Notre équipe est absente pour le moment : nous serons de retour {time}.",
		"closed_unknown":   "Merci ! Notre équipe est absente pour le moment.",
		"busy":             "Merci ! Toute notre équipe est occupée pour le moment : votre question attend dans la file.",
		"reply_email":      "Nous vous répondrons ici, ou par e-mail à {email} si vous avez quitté le chat d'ici là.",
		"reply_here":       "Nous vous répondrons ici dès que possible.",
		"ticket":           "Merci ! J'ai transmis votre question à notre équipe : elle vous répondra par e-mail à {email}.",
		"no_human":         "Notre équipe ne peut pas discuter ici pour le moment. Consultez nos pages d'aide ou contactez-nous par e-mail.",
	},
	"de": {
		"consent":          "Ich kann Sie mit jemandem aus unserem Team verbinden. Möchten Sie das?",
		"yes":              "Ja, mit einem Mitarbeiter verbinden",
		"no":               "Nein, danke",
		"declined":         "Kein Problem, ich bleibe bei Ihnen. Wenn Sie es sich anders überlegen, fragen Sie einfach nach einem Mitarbeiter.",
		"email_ask":        "Gerne! Wie lautet Ihre E-Mail-Adresse? Dann kann das Team auch per E-Mail antworten, wenn Sie den Chat verlassen.",
		"email_ask_ticket": "Gerne! Wie lautet Ihre E-Mail-Adresse? Das Team antwortet Ihnen dorthin.",
		"email_label":      "Ihre E-Mail-Adresse",
		"email_invalid":    "Das sieht nicht nach einer E-Mail-Adresse aus. Könnten Sie sie prüfen und es noch einmal versuchen?",
		"email_giveup":     "Ohne E-Mail-Adresse kann ich das nicht an das Team weitergeben. Fragen Sie gern jederzeit wieder nach einem Mitarbeiter.",
		"coming":           "Danke! Gleich ist jemand aus unserem Team für Sie da.",
		"coming_wait":      "Danke! In etwa {wait} ist jemand aus unserem Team für Sie da.",
		"closed":           "Danke! Unser Team ist gerade nicht da: Wir sind {time} wieder da.",
		"closed_unknown":   "Danke! Unser Team ist gerade nicht da.",
		"busy":             "Danke! Unser ganzes Team ist gerade beschäftigt, Ihre Frage wartet in der Warteschlange.",
		"reply_email":      "Wir antworten hier, oder per E-Mail an {email}, falls Sie den Chat bis dahin verlassen haben.",
		"reply_here":       "Wir antworten hier so bald wie möglich.",
		"ticket":           "Danke! Ich habe Ihre Frage an unser Team weitergegeben: Es antwortet Ihnen per E-Mail an {email}.",
		"no_human":         "Unser Team kann hier gerade nicht chatten. Schauen Sie auf unseren Hilfeseiten nach oder schreiben Sie uns eine E-Mail.",
	},
	"es": {
		"consent":          "Puedo ponerte en contacto con alguien de nuestro equipo. ¿Quieres?",
		"yes":              "Sí, conéctame con un agente",
		"no":               "No, gracias",
		"declined":         "Sin problema, sigo contigo. Si cambias de opinión, pide hablar con una persona.",
		"email_ask":        "¡Claro! ¿Cuál es tu correo electrónico? Así el equipo también puede responderte por correo si sales del chat.",
		"email_ask_ticket": "¡Claro! ¿Cuál es tu correo electrónico? El equipo te responderá allí.",
		"email_label":      "Tu correo electrónico",
		"email_invalid":    "Eso no parece un correo electrónico. ¿Puedes revisarlo e intentarlo de nuevo?",
		"email_giveup":     "Sin un correo electrónico no puedo pasar esto al equipo. Pide hablar con una persona cuando quieras.",
		"coming":           "¡Gracias! Alguien de nuestro equipo estará contigo aquí en breve.",
		"coming_wait":      "¡Gracias! Alguien de nuestro equipo estará contigo aquí en unos {wait}.",
		"closed":           "¡Gracias! Nuestro equipo no está disponible ahora: volvemos {time}.",
		"closed_unknown":   "¡Gracias! Nuestro equipo no está disponible ahora.",
		"busy":             "¡Gracias! Todo nuestro equipo está ocupado ahora, así que tu pregunta espera en la cola.",
		"reply_email":      "Te responderemos aquí, o por correo a {email} si para entonces has salido del chat.",
		"reply_here":       "Te responderemos aquí lo antes posible.",
		"ticket":           "¡Gracias! He pasado tu pregunta a nuestro equipo: te responderán por correo a {email}.",
		"no_human":         "Nuestro equipo no puede chatear aquí ahora. Consulta nuestras páginas de ayuda o escríbenos por correo.",
	},
}

// texts speaks one language for one site: the owner's words first, then the built-in ones.
type texts struct {
	lang  string
	owner map[string]string
}

// textsFor picks the language: the visitor's when Baton or the owner has words in it, else the
// site's default locale, else English.
func textsFor(st *site.Settings, lang string) texts {
	var owner map[string]map[string]string
	if st.Handoff != nil {
		owner = st.Handoff.Texts
	}
	for _, l := range []string{baseLang(lang), baseLang(st.DefaultLocale), "en"} {
		if _, ok := builtin[l]; ok || owner[l] != nil {
			return texts{lang: l, owner: owner[l]}
		}
	}
	return texts{lang: "en"}
}

// get returns the text for key with {name} placeholders filled in.
func (t texts) get(key string, vars ...string) string {
	s, ok := t.owner[key]
	if !ok {
		if s, ok = builtin[t.lang][key]; !ok {
			s = builtin["en"][key]
		}
	}
	for i := 0; i+1 < len(vars); i += 2 {
		s = strings.ReplaceAll(s, "{"+vars[i]+"}", vars[i+1])
	}
	return s
}

// baseLang is "nl" for "nl-BE" and "NL_be".
func baseLang(l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	if i := strings.IndexAny(l, "-_"); i >= 0 {
		l = l[:i]
	}
	return l
}

// Words for times and waits. A table of five languages is smaller and plainer than a
// localisation library, and the phrases need the flow's own prepositions anyway.
var (
	weekdays = map[string][7]string{
		"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		"nl": {"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"},
		"fr": {"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
		"de": {"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
		"es": {"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
	}
	months = map[string][12]string{
		"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		"nl": {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
		"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		"de": {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
		"es": {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
	}
	// whenPhrases: today, tomorrow, a weekday, a date; %c is the clock, %d the weekday or date.
	whenPhrases = map[string][4]string{
		"en": {"today at %c", "tomorrow at %c", "on %d at %c", "on %d at %c"},
		"nl": {"vandaag om %c", "morgen om %c", "%d om %c", "op %d om %c"},
		"fr": {"aujourd'hui à %c", "demain à %c", "%d à %c", "le %d à %c"},
		"de": {"heute um %c", "morgen um %c", "am %d um %c", "am %d um %c"},
		"es": {"hoy a las %c", "mañana a las %c", "el %d a las %c", "el %d a las %c"},
	}
	// units: one minute, n minutes, one hour, n hours.
	units = map[string][4]string{
		"en": {"1 minute", "%n minutes", "1 hour", "%n hours"},
		"nl": {"1 minuut", "%n minuten", "1 uur", "%n uur"},
		"fr": {"1 minute", "%n minutes", "1 heure", "%n heures"},
		"de": {"1 Minute", "%n Minuten", "1 Stunde", "%n Stunden"},
		"es": {"1 minuto", "%n minutos", "1 hora", "%n horas"},
	}
)

// formatWhen says when t is, as seen from now, in the visitor's zone loc: "tomorrow at 09:00",
// "on Monday at 09:00", "on 25 December at 09:00". zone adds the zone's name, for a visitor
// whose own zone is unknown (the time is then the site's).
func formatWhen(lang string, t, now time.Time, loc *time.Location, zone bool) string {
	if _, ok := whenPhrases[lang]; !ok {
		lang = "en"
	}
	t, now = t.In(loc), now.In(loc)
	clock := t.Format("15:04")
	if zone {
		clock += " (" + t.Format("MST") + ")"
	}
	ty, tm, td := t.Date()
	ny, nm, nd := now.Date()
	days := int(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC).Sub(time.Date(ny, nm, nd, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	p := whenPhrases[lang]
	var phrase, d string
	switch {
	case days <= 0:
		phrase = p[0]
	case days == 1:
		phrase = p[1]
	case days < 7:
		phrase, d = p[2], weekdays[lang][t.Weekday()]
	default:
		phrase = p[3]
		switch lang {
		case "en", "nl", "fr":
			d = strconv.Itoa(td) + " " + months[lang][tm-1]
		case "de":
			d = strconv.Itoa(td) + ". " + months[lang][tm-1]
		case "es":
			d = strconv.Itoa(td) + " de " + months[lang][tm-1]
		}
	}
	return strings.NewReplacer("%c", clock, "%d", d).Replace(phrase)
}

// formatWait says a wait in minutes (under two hours) or hours, rounded up.
func formatWait(lang string, d time.Duration) string {
	u, ok := units[lang]
	if !ok {
		u = units["en"]
	}
	if d < 2*time.Hour {
		n := int((d + time.Minute - 1) / time.Minute)
		if n <= 1 {
			return u[0]
		}
		return strings.ReplaceAll(u[1], "%n", strconv.Itoa(n))
	}
	n := int((d + time.Hour - 1) / time.Hour)
	return strings.ReplaceAll(u[3], "%n", strconv.Itoa(n))
}

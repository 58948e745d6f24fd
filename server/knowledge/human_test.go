package knowledge

import "testing"

func TestHumanRequest(t *testing.T) {
	tests := []struct {
		lang, text string
		want       bool
	}{
		// English
		{"en", "I want to talk to a human", true},
		{"en", "agent", true},
		{"en", "Agent please!", true},
		{"en", "real person", true},
		{"en", "Can I speak to someone about my order?", true},
		{"en", "I need a human", true},
		{"en", "is there a real person I can talk to", true},
		{"en", "connect me with customer service", true},
		{"en", "what does your agent fee cost", false},
		{"en", "does a person need to sign for the delivery?", false},
		{"en", "can someone tell me the shipping costs", false},
		{"en", "I spoke to your agent yesterday about my refund", false},
		{"en", "I don't want to talk to a human", false},
		{"en", "do you have mens jackets", false},
		{"en", "where is my order", false},
		// Dutch
		{"nl", "ik wil een medewerker spreken", true},
		{"nl", "een medewerker", true},
		{"nl", "Kan ik een mens spreken?", true},
		{"nl", "mens", true},
		{"nl", "kan ik met iemand praten", true},
		{"nl", "ik wil graag iemand van de klantenservice spreken", true},
		{"nl", "hoeveel mensen werken er bij jullie", false},
		{"nl", "ik wil niet met een medewerker spreken", false},
		{"nl", "moet iemand thuis zijn bij de bezorging?", false},
		// French
		{"fr", "un conseiller", true},
		{"fr", "Je voudrais parler à quelqu'un", true},
		{"fr", "puis-je parler a un conseiller ?", true},
		{"fr", "je veux un humain", true},
		{"fr", "personne ne m'a répondu à mon e-mail", false},
		{"fr", "je ne veux pas parler à un conseiller", false},
		{"fr", "quelqu'un doit-il signer à la livraison ?", false},
		// German
		{"de", "Ich möchte mit einem Mitarbeiter sprechen", true},
		{"de", "Mitarbeiter bitte", true},
		{"de", "kann ich mit jemandem reden?", true},
		{"de", "echter Mensch", true},
		{"de", "sucht ihr Mitarbeiter?", false},
		{"de", "muss jemand die Lieferung unterschreiben?", false},
		// Spanish
		{"es", "quiero hablar con una persona", true},
		{"es", "agente", true},
		{"es", "¿Puedo hablar con un asesor?", true},
		{"es", "necesito un humano", true},
		{"es", "la persona que recibe el paquete tiene que firmar?", false},
		{"es", "agente de aduanas", false},
		// Language not given: every language counts.
		{"", "ik wil een medewerker spreken", true},
		{"", "hablar con alguien", true},
		{"", "where is my parcel", false},
	}
	for _, tt := range tests {
		if got := HumanRequest(tt.text, tt.lang); got != tt.want {
			t.Errorf("HumanRequest(%q, %q) = %v, want %v", tt.text, tt.lang, got, tt.want)
		}
	}
}

package knowledge

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
)

func TestNewRejectsInvalidEntries(t *testing.T) {
	ok := Entry{ID: "ok", Questions: []string{"Where is my order?"}, Answer: "On its way."}
	tests := []struct {
		name    string
		entries []Entry
		index   int
		field   string
	}{
		{"empty id", []Entry{ok, {Questions: ok.Questions, Answer: "x"}}, 1, "id"},
		{"duplicate id", []Entry{ok, ok}, 1, "id"},
		{"no questions", []Entry{{ID: "a", Answer: "x"}}, 0, "questions"},
		{"question without content words", []Entry{{ID: "a", Questions: []string{"Where is my order?", "How is it?"}, Answer: "x"}}, 0, "questions[1]"},
		{"empty answer", []Entry{{ID: "a", Questions: ok.Questions, Answer: "  "}}, 0, "answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.entries, Options{})
			var ee *EntryError
			if !errors.As(err, &ee) {
				t.Fatalf("New() error = %v, want an *EntryError", err)
			}
			if ee.Index != tt.index || ee.Field != tt.field {
				t.Errorf("error names entry %d field %q, want entry %d field %q (%v)", ee.Index, ee.Field, tt.index, tt.field, err)
			}
		})
	}
}

func TestNewRejectsThresholdOutsideRange(t *testing.T) {
	entries := []Entry{{ID: "a", Questions: []string{"Where is my order?"}, Answer: "x"}}
	for _, th := range []float64{-0.1, 1.5} {
		if _, err := New(entries, Options{Threshold: th}); err == nil {
			t.Errorf("New(Threshold: %v) succeeded, want an error", th)
		}
	}
	b, err := New(entries, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Threshold() != DefaultThreshold {
		t.Errorf("Threshold() = %v, want the default %v", b.Threshold(), DefaultThreshold)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Où est ma commande ?", "ou est ma commande"},
		{"Größe", "grosse"},
		{"¿Cuándo llega mi PEDIDO?", "cuando llega mi pedido"},
		{"l'adresse", "l adresse"},
		{"track & trace", "track trace"},
		{"  e-mail\taddress\n", "e mail address"},
		{"cœur", "coeur"},
	}
	for _, tt := range tests {
		if got := normalize(tt.in); got != tt.want {
			t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// miniBase has one entry per topic, each phrased once in English and once in another language,
// so that each test message must find its entry through stemming, concepts or cross-language
// matching rather than by repeating a question.
var miniEntries = []Entry{
	{ID: "tracking", Questions: []string{"Where is my order?", "Waar is mijn bestelling?"}, Answer: "a"},
	{ID: "shipping_cost", Questions: []string{"How much does shipping cost?", "Wie hoch sind die Versandkosten?"}, Answer: "a"},
	{ID: "returns", Questions: []string{"How do I return an item?", "¿Cómo devuelvo un artículo?"}, Answer: "a"},
	{ID: "opening_hours", Questions: []string{"What are your opening hours?", "Quels sont vos horaires d'ouverture ?"}, Answer: "a"},
	{ID: "password", Questions: []string{"I forgot my password", "Ich habe mein Passwort vergessen"}, Answer: "a"},
	{ID: "invoice", Questions: []string{"Can I get an invoice?", "Kan ik een factuur krijgen?"}, Answer: "a"},
	{ID: "gift_card", Questions: []string{"Do you sell gift cards?", "Vendez-vous des cartes cadeaux ?"}, Answer: "a"},
	{ID: "refund", Questions: []string{"When will I get my money back?"}, Answer: "a"},
	{ID: "warranty", Questions: []string{"My product is broken"}, Answer: "a"},
	{ID: "missing", Questions: []string{"Something is missing from my order"}, Answer: "a"},
}

func TestMatchFindsParaphrases(t *testing.T) {
	b, err := New(miniEntries, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text, lang, want string
	}{
		{"exact question", "Where is my order?", "en", "tracking"},
		{"word order", "my order, where is it", "en", "tracking"},
		{"plural and case", "WHERE ARE MY ORDERS", "en", "tracking"},
		{"synonym through a concept", "where is my parcel", "en", "tracking"},
		{"dutch inflection", "waar blijven mijn bestellingen", "nl", "tracking"},
		{"german compound split", "Kosten für den Versand", "de", "shipping_cost"},
		{"dutch compound against german phrasing", "verzendkosten", "nl", "shipping_cost"},
		{"english inflection", "returning items", "en", "returns"},
		{"spanish without accents", "como devuelvo un articulo", "es", "returns"},
		{"spanish plural noun", "devoluciones de articulos", "es", "returns"},
		{"french without accents", "horaires d'ouverture", "fr", "opening_hours"},
		{"closing is opening hours", "when do you close on saturday", "en", "opening_hours"},
		{"german umlaut typed without", "passwort vergessen", "de", "password"},
		{"typo", "I forgot my pasword", "en", "password"},
		{"language not given", "factuur", "", "invoice"},
		{"wrong language given", "ik ben mijn wachtwoord vergeten", "en", "password"},
		{"english compound", "giftcard", "en", "gift_card"},
		{"typo in a part of a compound", "verzendkostn", "nl", "shipping_cost"},
		{"typo of a concept word the base spells otherwise", "where is my pakage", "en", "tracking"},
		{"pair split by a separable verb", "hoe stuur ik de schoenen terug", "nl", "returns"},
		{"pair split by a negation", "mein Geld ist noch nicht zurück", "de", "refund"},
		{"pair of concepts", "I would like the money returned", "en", "refund"},
		{"thing the base does not name stands for product", "the zipper of my coat is broken", "en", "warranty"},
		{"missing is a concept", "er ontbreekt iets in mijn pakket", "nl", "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.Match(tt.text, tt.lang)
			if !r.Known || r.Entry == nil || r.Entry.ID != tt.want {
				t.Errorf("Match(%q, %q) = %s, want %s known", tt.text, tt.lang, describe(r), tt.want)
			}
		})
	}
}

func TestMatchReportsUnknown(t *testing.T) {
	b, err := New(miniEntries, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, text string }{
		{"unrelated question", "do you sell bicycles"},
		{"small talk only", "hello, thanks!"},
		{"empty", ""},
		{"one shared word among unknown ones", "is the red jacket with hood in stock at the Utrecht branch"},
		{"numbers only", "12345"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.Match(tt.text, "en")
			if r.Known {
				t.Errorf("Match(%q) = %s, want unknown", tt.text, describe(r))
			}
			if r.Score < 0 || r.Score > 1 {
				t.Errorf("Score %v outside [0, 1]", r.Score)
			}
		})
	}
}

// A question of one word that other entries use too ("Haben Sie einen Laden?") is not completed
// by that word alone: the visitor who wants to pick up an order in the store is not asking where
// the store is.
func TestMatchDoesNotCompleteAOneWordQuestionWithACommonWord(t *testing.T) {
	shop := loadShop(t, Options{})
	if r := shop.Match("kann ich meine Bestellung im Laden abholen", "de"); r.Known {
		t.Errorf("pick-up question: Match() = %s, want unknown", describe(r))
	}
	if r := shop.Match("Haben Sie einen Laden?", "de"); !r.Known || r.Entry.ID != "store_location" {
		t.Errorf("the question itself: Match() = %s, want store_location known", describe(r))
	}
}

func TestContentWordsDropTheNegationOfAHedge(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"I'm not sure which size", []string{"size"}},
		{"I don't know which size", []string{"size"}},
		{"ik weet het niet, welke maat", []string{"maat"}},
		{"je ne sais pas quelle taille", []string{"taille"}},
		{"ich weiß nicht welche Größe", []string{"grosse"}},
		{"no estoy seguro de la talla", []string{"talla"}},
		{"my code does not work", []string{"code", "not", "work"}},
		{"el pago no se ha realizado", []string{"pago", "no", "realizado"}},
	}
	for _, tt := range tests {
		if got := contentWords(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("contentWords(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestMatchScoreIsOneForAQuestionOfTheBase(t *testing.T) {
	b, err := New(miniEntries, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range miniEntries {
		for _, q := range e.Questions {
			r := b.Match(q, "")
			if r.Entry == nil || r.Entry.ID != e.ID || r.Score < 0.999 {
				t.Errorf("Match(%q) = %s, want %s with score 1", q, describe(r), e.ID)
			}
		}
	}
}

func TestMatchHonoursThreshold(t *testing.T) {
	strict, err := New(miniEntries, Options{Threshold: 0.95})
	if err != nil {
		t.Fatal(err)
	}
	// "parcel" reaches the entry through a concept, "status" is unknown: a partial match.
	r := strict.Match("parcel status", "en")
	if r.Entry == nil || r.Entry.ID != "tracking" {
		t.Fatalf("Match() = %s, want tracking as best candidate", describe(r))
	}
	if r.Known {
		t.Errorf("Match() = %s, want unknown below threshold 0.95", describe(r))
	}
}

func TestMatchIsSafeForConcurrentUse(t *testing.T) {
	b, err := New(miniEntries, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				e := miniEntries[(g+i)%len(miniEntries)]
				q := e.Questions[i%len(e.Questions)]
				if r := b.Match(q, ""); r.Entry == nil || r.Entry.ID != e.ID {
					t.Errorf("Match(%q) = %s, want %s", q, describe(r), e.ID)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestDetectLanguage(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Where is my order?", "en"},
		{"Waar is mijn bestelling?", "nl"},
		{"Où est ma commande ?", "fr"},
		{"Wo ist meine Bestellung?", "de"},
		{"¿Dónde está mi pedido?", "es"},
		{"verzendkosten", ""},
		{"PayPal", ""},
	}
	for _, tt := range tests {
		if got := DetectLanguage(tt.text); got != tt.want {
			t.Errorf("DetectLanguage(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestParseLang(t *testing.T) {
	tests := []struct {
		in   string
		want language
	}{{"nl", langNL}, {"NL", langNL}, {"nl-BE", langNL}, {"de_CH", langDE}, {"it", langUnknown}, {"", langUnknown}}
	for _, tt := range tests {
		if got := parseLang(tt.in); got != tt.want {
			t.Errorf("parseLang(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func describe(r Result) string {
	if r.Entry == nil {
		return fmt.Sprintf("no entry (score %.2f)", r.Score)
	}
	return fmt.Sprintf("%s (score %.2f, known %v)", r.Entry.ID, r.Score, r.Known)
}

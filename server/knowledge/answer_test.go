package knowledge

import (
	"slices"
	"testing"
)

// A small base where the second stage is the only thing that tells a near miss from an answer.
func secondStageBase(t *testing.T) *Base {
	t.Helper()
	b, err := New([]Entry{
		{ID: "returns", Questions: []string{"How do I return an item?", "Can I send my order back?", "How do returns work?"},
			Answer: "Create a return label in your account and drop the parcel at a post office."},
		{ID: "shipping_cost", Questions: []string{"How much does shipping cost?", "Is shipping free?", "What are the shipping costs?"},
			Answer: "Shipping is free above €50."},
		{ID: "newsletter", Questions: []string{"How do I unsubscribe from the newsletter?", "Stop sending me the newsletter", "I no longer want the newsletter"},
			Answer: "Every newsletter has an unsubscribe link at the bottom."},
		{ID: "account", Questions: []string{"How do I create an account?", "I want to register", "Can I register an account?"},
			Answer: "Click Sign in, then Create account."},
	}, Options{Threshold: 0.55})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSecondStage(t *testing.T) {
	b := secondStageBase(t)
	tests := []struct {
		text, lang, want string
	}{
		{"how do I return my order", "en", "returns"},
		{"is shipping free", "en", "shipping_cost"},
		// An attribute neither the returns entry's questions nor its answer mention.
		{"is returning an item free", "en", Unknown},
		{"do I have to pay for a return", "en", Unknown},
		// Another entry's topic, unexplained by the account entry.
		{"can I register for the newsletter", "en", Unknown},
	}
	for _, tt := range tests {
		r := b.Match(tt.text, tt.lang)
		got := Unknown
		if r.Known {
			got = r.Entry.ID
		}
		if got != tt.want {
			id := ""
			if r.Entry != nil {
				id = r.Entry.ID
			}
			t.Errorf("Match(%q) = %s (best %s, %.2f), want %s", tt.text, got, id, r.Score, tt.want)
		}
	}
}

func TestAnswerIndex(t *testing.T) {
	b := secondStageBase(t)
	ai := b.index.answers
	if !ai.says(0, "label") || ai.says(1, "label") {
		t.Errorf("label: returns %v, shipping_cost %v; want only returns", ai.says(0, "label"), ai.says(1, "label"))
	}
	if !ai.says(1, "~free") {
		t.Error("the shipping cost answer says free")
	}
}

func TestTopicality(t *testing.T) {
	b := secondStageBase(t)
	ix := b.index
	news, ok := ix.keys["~newsletter"]
	if !ok {
		t.Fatal("no ~newsletter term")
	}
	if got := ix.topic[news]; got != 1 {
		t.Errorf("topicality of newsletter = %.2f, want 1 (every phrasing of its entry)", got)
	}
	post := ix.keys[canon(stem("work", langEN), langEN)]
	if got := ix.topic[post]; got > 0.34 {
		t.Errorf("topicality of work = %.2f, want at most 1/3 (one phrasing of three)", got)
	}
}

func TestSeparablePrefix(t *testing.T) {
	tests := []struct {
		text string
		want string // a content word the text must yield
	}{
		{"wie melde ich mich für den newsletter an", "anmelde"},
		{"wie melde ich mich vom newsletter ab", "abmelde"},
		{"hoe meld ik me af voor de nieuwsbrief", "afmeld"},
		{"hoe schrijf ik me in voor de nieuwsbrief", "inschrijven"},
	}
	for _, tt := range tests {
		if ws := contentWords(tt.text); !slices.Contains(ws, tt.want) {
			t.Errorf("contentWords(%q) = %q, want %q among them", tt.text, ws, tt.want)
		}
	}
	// A particle that makes no known verb is left alone.
	if ws := contentWords("ik woon in Utrecht"); slices.Contains(ws, "inwoon") {
		t.Errorf("contentWords(ik woon in Utrecht) = %q", ws)
	}
}

func TestSampleNearMisses(t *testing.T) {
	shop := loadShop(t, Options{Threshold: sampleThreshold})
	tests := []struct{ text, lang, want string }{
		{"wie melde ich mich für den newsletter an", "de", Unknown},
		{"wie melde ich mich vom newsletter ab", "de", "newsletter"},
		{"sind rücksendungen kostenlos", "de", Unknown},
		{"was ist in der gear box drin", "de", Unknown},
		{"hoeveel tegoed staat er nog op mijn cadeaubon", "nl", Unknown},
		{"kan ik met een cadeaubon betalen", "nl", "gift_card"},
		{"how much does shipping cost", "en", "shipping_cost"},
		// "prendre" (take) is no phrasing's word of the size entry, but its answer says "take the
		// larger one": explained by the answer, so the exchange entry does not win.
		{"je fais du 38, quelle taille prendre pour les pantalons", "fr", "size_guide"},
	}
	for _, tt := range tests {
		r := shop.Match(tt.text, tt.lang)
		got := Unknown
		if r.Known {
			got = r.Entry.ID
		}
		if got != tt.want {
			t.Errorf("Match(%q) = %s (%.2f), want %s", tt.text, got, r.Score, tt.want)
		}
	}
}

func TestForeignConcept(t *testing.T) {
	// "cuesta" analysed in English (a message too short to tell its language) is the cost, not a
	// typo of "cuenta".
	if got := foreignConcepts["cuesta"]; got != "~cost" {
		t.Errorf("foreignConcepts[cuesta] = %q, want ~cost", got)
	}
	shop := loadShop(t, Options{Threshold: sampleThreshold})
	ws := contentWords("cuanto cuesta la gear box")
	_, _, terms := shop.index.analyze(ws, langEN, nil, nil, nil)
	var keys []string
	for _, q := range terms {
		k := q.key
		if q.term >= 0 {
			k = shop.index.keyOf[q.term]
		}
		keys = append(keys, k)
	}
	if !slices.Contains(keys, "~cost") || slices.Contains(keys, "~account") {
		t.Errorf("English analysis of %q = %q, want ~cost and no ~account", ws, keys)
	}
}

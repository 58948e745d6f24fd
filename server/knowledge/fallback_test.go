package knowledge

import "testing"

// fallbackEntries are phrased so that each case below can only find its entry through one of the
// last-resort analyses: a word standing for two concepts, a three-part compound, a Dutch
// participle, a trigram-similar inflection, a concept group added for the shop's vocabulary, or a
// word whose meaning its neighbour changes.
var fallbackEntries = []Entry{
	{ID: "shipping_cost", Questions: []string{"How much does shipping cost?"}, Answer: "a"},
	{ID: "payment_methods", Questions: []string{"Welche Zahlungsmethoden akzeptieren Sie?", "Can I pay with PayPal?"}, Answer: "a"},
	{ID: "change_order", Questions: []string{"Ik wil mijn bestelling annuleren"}, Answer: "a"},
	{ID: "invoice", Questions: []string{"I need a VAT invoice for my company"}, Answer: "a"},
	{ID: "opening_hours", Questions: []string{"When is the store open?"}, Answer: "a"},
	{ID: "account_create", Questions: []string{"How do I create an account?"}, Answer: "a"},
}

func TestFallbackAnalyses(t *testing.T) {
	b, err := New(fallbackEntries, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text, lang, want string
	}{
		{"postage is shipping cost", "how much is postage", "en", "shipping_cost"},
		{"porto is shipping cost", "was kostet das Porto", "de", "shipping_cost"},
		{"participle with ge-", "kan mijn bestelling nog geannuleerd worden", "nl", "change_order"},
		{"inflection the stemmer leaves apart", "akzeptiert ihr paypal", "de", "payment_methods"},
		{"bank transfer is a way to pay", "can i pay by bank transfer", "en", "payment_methods"},
		{"virement is a way to pay", "paiement par virement", "fr", "payment_methods"},
		{"VAT across languages", "factuur met btw voor mijn bedrijf", "nl", "invoice"},
		{"MwSt across languages", "Rechnung mit MwSt für die Firma", "de", "invoice"},
		{"open an account is create", "quiero abrir una cuenta", "es", "account_create"},
		{"open a compound account is create", "waar kan ik een klantaccount openen", "nl", "account_create"},
		{"open alone is still the hours", "cuando abre la tienda", "es", "opening_hours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.Match(tt.text, tt.lang)
			if r.Entry == nil || r.Entry.ID != tt.want || !r.Known {
				id := ""
				if r.Entry != nil {
					id = r.Entry.ID
				}
				t.Errorf("Match(%q) = %q (known %v, %.2f), want %q known", tt.text, id, r.Known, r.Score, tt.want)
			}
		})
	}
}

func TestTrigramFallbackNeedsSimilarWords(t *testing.T) {
	var g gramIndex
	g.add("akzeptieren", 1)
	g.add("zahlungsmethoden", 2)
	if term, ok := g.closest("akzeptiert"); !ok || term != 1 {
		t.Errorf("closest(akzeptiert) = %d, %v; want 1, true", term, ok)
	}
	for _, w := range []string{"reservieren", "akzeptabel", "zahlung"} {
		if term, ok := g.closest(w); ok {
			t.Errorf("closest(%q) = %d, want no match", w, term)
		}
	}
}

func TestCompoundOfThreeParts(t *testing.T) {
	b, err := New([]Entry{
		{ID: "free", Questions: []string{"Ist der Versand kostenlos?"}, Answer: "a"},
		{ID: "cost", Questions: []string{"Wie hoch sind die Kosten?"}, Answer: "a"},
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ws := contentWords("versandkostenfrei")
	_, _, terms := b.index.analyze(ws, langDE, nil, nil, nil)
	keys := map[string]bool{}
	for _, q := range terms {
		for k, term := range b.index.keys {
			if term == q.term {
				keys[k] = true
			}
		}
	}
	if len(terms) != 3 || !keys["~ship"] || !keys["~cost"] || !keys["~free"] {
		t.Errorf("versandkostenfrei analysed as %d terms %v, want ~ship, ~cost and ~free", len(terms), keys)
	}
}

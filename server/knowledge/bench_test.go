package knowledge

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// syntheticEntries builds n entries deterministically: ten questions each (two per language
// pattern), mixing stop words, shop words that belong to concepts and made-up topic words, so that
// postings lists have realistic lengths.
func syntheticEntries(n int) []Entry { return generateEntries(n, true) }

// generateEntries is syntheticEntries; without shopWords the questions use made-up words only.
func generateEntries(n int, shopWords bool) []Entry {
	rng := rand.New(rand.NewPCG(1, 2))
	syllables := []string{"ka", "lo", "mi", "ter", "van", "dus", "ro", "sel", "pen", "gar", "tu", "bri", "ost", "ne", "wal"}
	topic := make([]string, 4000)
	for i := range topic {
		var b strings.Builder
		for range 3 + rng.IntN(2) {
			b.WriteString(syllables[rng.IntN(len(syllables))])
		}
		topic[i] = b.String()
	}
	shop := strings.Fields("order delivery shipping refund return payment invoice account password " +
		"bestelling verzending retour betaling factuur commande livraison remboursement Bestellung " +
		"Lieferung Rückerstattung pedido envío devolución size store opening price")
	if !shopWords {
		shop = topic
	}
	frames := []string{
		"How can I %s my %s %s?", "Where is the %s for %s %s?", "Hoe kan ik mijn %s %s %s?",
		"Wat is de %s van %s %s?", "Comment %s ma %s %s ?", "Quel est le %s de %s %s ?",
		"Wie kann ich %s %s %s?", "Wo ist mein %s %s %s?", "¿Cómo puedo %s mi %s %s?",
		"¿Dónde está el %s de %s %s?",
	}
	entries := make([]Entry, n)
	for i := range entries {
		e := Entry{ID: fmt.Sprintf("e%04d", i), Answer: "answer"}
		for _, f := range frames {
			e.Questions = append(e.Questions, fmt.Sprintf(f,
				topic[rng.IntN(len(topic))], shop[rng.IntN(len(shop))], topic[rng.IntN(len(topic))]))
		}
		entries[i] = e
	}
	return entries
}

func BenchmarkMatch1000(b *testing.B) {
	base, err := New(syntheticEntries(1000), Options{})
	if err != nil {
		b.Fatal(err)
	}
	messages := []struct{ text, lang string }{
		{"Hi, I ordered last week and wonder when my delivery with the refund will arrive?", "en"},
		{"hoe kan ik mijn bestelling retourneren en wanneer krijg ik mijn geld terug", ""},
		{"verzendkosten belgie", "en"},
		{"¿Dónde está mi pedido? Lo pedí hace una semana", "es"},
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m := messages[i%len(messages)]
		base.Match(m.text, m.lang)
		i++
	}
}

func BenchmarkNew1000(b *testing.B) {
	entries := syntheticEntries(1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(entries, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

package knowledge

import "testing"

// syntheticEntries builds n entries deterministically: ten questions each (two per language
// pattern), mixing stop words, shop words that belong to concepts and made-up topic words, so that
// postings lists have realistic lengths.
func syntheticEntries(n int) []Entry { return generateEntries(n, true) }

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

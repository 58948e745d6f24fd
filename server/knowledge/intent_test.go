package knowledge

import "testing"

// An entry about doing one thing does not answer its opposite, in any of the five languages;
// the entry's own action, or a paraphrase of it, still does. (In the sample base, "account"
// alone explains enough of "how do I delete my account" to pass the threshold.)
func TestOppositeActionsAreNotAnswers(t *testing.T) {
	base := loadShop(t, Options{})
	for _, tt := range []struct{ lang, text, want string }{
		{"en", "how do i delete my account", ""},
		{"en", "please close my account", ""},
		{"nl", "hoe verwijder ik mijn account", ""},
		{"fr", "comment supprimer mon compte", ""},
		{"de", "wie lösche ich mein Konto", ""},
		{"es", "cómo elimino mi cuenta", ""},
		{"en", "how do i subscribe to a subscription", ""},
		{"de", "habt ihr offene Stellen", ""},
		{"en", "do you have job openings", ""},
		{"en", "can I open an account", "account_create"},
		{"nl", "account aanmaken", "account_create"},
		{"de", "wie kann ich ein Kundenkonto anlegen", "account_create"},
		{"es", "quiero cancelar la suscripción", "cancel_subscription"},
		{"de", "habt ihr sonntags geöffnet", "opening_hours"},
	} {
		r := base.Match(tt.text, tt.lang)
		got := ""
		if r.Known {
			got = r.Entry.ID
		}
		if got != tt.want {
			t.Errorf("%s %q: got %q (score %.2f), want %q", tt.lang, tt.text, got, r.Score, tt.want)
		}
	}
}

// A word the base never uses weighs at least oovRatio times a word one entry uses, whatever the
// size of the base, so a bigger base does not answer more near misses.
func TestUnknownWordWeighsMoreThanARareOne(t *testing.T) {
	for _, n := range []int{0, 1000} {
		base, err := New(append([]Entry{{ID: "store", Questions: []string{"Where is your store?"}, Answer: "Utrecht."}},
			generateEntries(n, false)...), Options{})
		if err != nil {
			t.Fatal(err)
		}
		ix := base.index
		entries := float64(ix.entries)
		if ix.oov < oovRatio*idf(entries, 1)-1e-9 {
			t.Errorf("%d entries: unknown word weighs %.2f, a word of one entry %.2f", ix.entries, ix.oov, idf(entries, 1))
		}
	}
}

package knowledge

import (
	"os"
	"testing"
)

func loadShop(t testing.TB, opts Options) *Base {
	t.Helper()
	f, err := os.Open("testdata/shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := ReadEntries(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(entries, opts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadCases(t testing.TB, path string) []EvalCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := ReadEvalCases(f)
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// gate is what an evaluation set must keep: overall, and per language (a language has only 6 to
// 14 out-of-scope cases, so one case moves its number by seven to seventeen points).
type gate struct {
	precision, unknownRecall         float64 // overall
	langPrecision, langUnknownRecall float64 // each language
}

// The gates (see docs/bot.md, "Evaluation").
//
// The third blind set (testdata/blind3.yaml) carries the quality gate. Issue 4's target is 90 %
// for both numbers. Written before the fourth round of matcher changes (actions and their
// opposites, the unknown word's least weight) and scored once after them, it reached 78.7 %
// precision and 78.7 % unknown recall, with the language given or withheld (80.0 % and 77.3 %
// among 1,000 unrelated entries): neither meets the target. Nearly all its out-of-scope
// questions are near misses that share the words of an entry, and its in-scope paraphrases use
// verbs the base and the concepts lack ("add", "replace", "accept"); the matcher before the round
// scored 79.3 % and 65.3 % on it. The gates sit a little under what was reached (one
// out-of-scope case is 1.3 points overall, 6.7 in a language), so that they catch regressions
// without pretending the target is met.
//
// The second blind set (testdata/blind2.yaml) was scored once at the end of the third round
// (92.7 % and 76.0 %), the first (testdata/test.yaml) at the end of the second (80.7 % and
// 95.0 %); both have been development data since, like eval.yaml and holdout.yaml. Their numbers
// are optimistic and only guard against regressions.
var (
	blindGate        = gate{precision: 0.77, unknownRecall: 0.77, langPrecision: 0.70, langUnknownRecall: 0.70}
	blindGatePadded  = gate{precision: 0.78, unknownRecall: 0.75, langPrecision: 0.70, langUnknownRecall: 0.65}
	blind2Gate       = gate{precision: 0.90, unknownRecall: 0.86, langPrecision: 0.85, langUnknownRecall: 0.70}
	blind2GatePadded = gate{precision: 0.90, unknownRecall: 0.70, langPrecision: 0.80, langUnknownRecall: 0.50}
	testGate         = gate{precision: 0.90, unknownRecall: 0.90, langPrecision: 0.85, langUnknownRecall: 0.75}
	testGatePadded   = gate{precision: 0.90, unknownRecall: 0.85, langPrecision: 0.85, langUnknownRecall: 0.75}
	devGate          = gate{precision: 0.95, unknownRecall: 0.90, langPrecision: 0.85, langUnknownRecall: 0.75}
	devGatePadded    = gate{precision: 0.95, unknownRecall: 0.80, langPrecision: 0.80, langUnknownRecall: 0.60}
)

func TestBlindSetMeetsItsGate(t *testing.T) {
	checkGate(t, "testdata/blind3.yaml", blindGate, blindGatePadded)
}

func TestSecondBlindSetDoesNotRegress(t *testing.T) {
	checkGate(t, "testdata/blind2.yaml", blind2Gate, blind2GatePadded)
}

func TestTestSetMeetsItsGate(t *testing.T) {
	checkGate(t, "testdata/test.yaml", testGate, testGatePadded)
}

func TestDevelopmentSetsDoNotRegress(t *testing.T) {
	for _, path := range []string{"testdata/eval.yaml", "testdata/holdout.yaml"} {
		t.Run(path, func(t *testing.T) { checkGate(t, path, devGate, devGatePadded) })
	}
}

// checkGate scores the cases of path against the sample base with the language given and
// withheld (gate g), and with 1,000 unrelated entries added to the base (gate padded). In the
// padded base every word of the shop is rare, so a shared keyword weighs more against a word
// nobody uses and a few more out-of-scope questions pass the same threshold.
func checkGate(t *testing.T, path string, g, padded gate) {
	shop := loadShop(t, Options{})
	cases := loadCases(t, path)
	big, err := New(append(shop.Entries(), generateEntries(1000, false)...), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		base     *Base
		withLang bool
		gate     gate
	}{
		{"language given", shop, true, g},
		{"language unknown", shop, false, g},
		{"among 1000 unrelated entries", big, true, padded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.gate
			scores := Evaluate(tt.base, cases, tt.withLang)
			for _, s := range scores {
				t.Logf("%-3s precision %.3f (%d/%d)  unknown recall %.3f (%d/%d)",
					s.Lang, s.Precision(), s.Correct, s.InScope, s.UnknownRecall(), s.Rejected, s.OutOfScope)
			}
			all := scores[len(scores)-1]
			if all.Precision() < g.precision || all.UnknownRecall() < g.unknownRecall {
				t.Errorf("overall precision %.3f, unknown recall %.3f; want at least %.2f and %.2f",
					all.Precision(), all.UnknownRecall(), g.precision, g.unknownRecall)
			}
			for _, s := range scores[:len(scores)-1] {
				if s.Precision() < g.langPrecision || s.UnknownRecall() < g.langUnknownRecall {
					t.Errorf("%s: precision %.3f, unknown recall %.3f; want at least %.2f and %.2f",
						s.Lang, s.Precision(), s.UnknownRecall(), g.langPrecision, g.langUnknownRecall)
				}
			}
			if t.Failed() {
				for _, m := range all.Misses {
					t.Logf("miss %s %q: want %s, got %s (best %s, %.2f)", m.Case.Lang, m.Case.Text, m.Case.Want, m.Got, m.Best, m.Score)
				}
			}
		})
	}
}

func TestEvalSetReferencesExistingEntries(t *testing.T) {
	shop := loadShop(t, Options{})
	ids := map[string]bool{Unknown: true}
	for _, e := range shop.Entries() {
		ids[e.ID] = true
	}
	var cases []EvalCase
	for _, path := range []string{"testdata/eval.yaml", "testdata/holdout.yaml", "testdata/test.yaml", "testdata/blind2.yaml", "testdata/blind3.yaml"} {
		cases = append(cases, loadCases(t, path)...)
	}
	for _, c := range cases {
		if !ids[c.Want] {
			t.Errorf("case %q wants %q, which is not an entry", c.Text, c.Want)
		}
		if parseLang(c.Lang) == langUnknown {
			t.Errorf("case %q has unsupported language %q", c.Text, c.Lang)
		}
	}
}

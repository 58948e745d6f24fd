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

// sampleThreshold is the threshold the sample shop runs at (server/app/demo-site.yaml; a test
// there keeps the two equal). Its owner raised it from the default 0.5 once every entry had
// several phrasings per language: a paraphrase of a well-phrased entry scores higher, so a
// higher threshold turns near misses away without losing answers (docs/bot.md, "The threshold").
const sampleThreshold = 0.55

// The gates (see docs/bot.md, "Evaluation").
//
// The fifth blind set (testdata/blind5.yaml) carries the quality gate. Issue 4's target is 90 %
// for both numbers. Written by another person from the sample's answers only, committed before
// the sixth round (a second stage that weighs the words neither an entry's questions nor its
// answer use, attributes, separated particles) was final, and scored once after it: 90.0 %
// precision and 96.0 % unknown recall with the language given or withheld (90.0 % and 93.3 %
// among 1,000 unrelated entries); the fifth round's code scored 90.0 % and 85.3 % on it. Both
// targets are met, precision exactly. The gates sit a little under what was reached (one
// out-of-scope case is 1.3 points overall, 6.7 in a language), so that they catch regressions.
//
// The earlier blind sets have been development data since they were scored: blind4.yaml (90.0 %
// and 73.3 % when scored at the end of the fifth round), blind3.yaml (78.7 % and 78.7 % at the
// end of the fourth), blind2.yaml (92.7 % and 76.0 % at the end of the third), test.yaml (80.7 %
// and 95.0 % at the end of the second). The rounds since tuned on them; their numbers are
// optimistic and only guard against regressions.
var (
	blindGate        = gate{precision: 0.89, unknownRecall: 0.94, langPrecision: 0.78, langUnknownRecall: 0.90}
	blindGatePadded  = gate{precision: 0.89, unknownRecall: 0.92, langPrecision: 0.78, langUnknownRecall: 0.85}
	blind4Gate       = gate{precision: 0.89, unknownRecall: 0.82, langPrecision: 0.78, langUnknownRecall: 0.70}
	blind4GatePadded = gate{precision: 0.90, unknownRecall: 0.85, langPrecision: 0.80, langUnknownRecall: 0.75}
	blind3Gate       = gate{precision: 0.94, unknownRecall: 0.94, langPrecision: 0.90, langUnknownRecall: 0.85}
	blind3GatePadded = gate{precision: 0.93, unknownRecall: 0.92, langPrecision: 0.85, langUnknownRecall: 0.80}
	blind2Gate       = gate{precision: 0.95, unknownRecall: 0.96, langPrecision: 0.85, langUnknownRecall: 0.85}
	blind2GatePadded = gate{precision: 0.94, unknownRecall: 0.96, langPrecision: 0.85, langUnknownRecall: 0.90}
	testGate         = gate{precision: 0.91, unknownRecall: 0.95, langPrecision: 0.80, langUnknownRecall: 0.85}
	testGatePadded   = gate{precision: 0.91, unknownRecall: 0.95, langPrecision: 0.80, langUnknownRecall: 0.85}
	devGate          = gate{precision: 0.97, unknownRecall: 0.95, langPrecision: 0.90, langUnknownRecall: 0.90}
	devGatePadded    = gate{precision: 0.96, unknownRecall: 0.95, langPrecision: 0.90, langUnknownRecall: 0.90}
)

func TestBlindSetMeetsItsGate(t *testing.T) {
	checkGate(t, "testdata/blind5.yaml", blindGate, blindGatePadded)
}

func TestFourthBlindSetDoesNotRegress(t *testing.T) {
	checkGate(t, "testdata/blind4.yaml", blind4Gate, blind4GatePadded)
}

func TestThirdBlindSetDoesNotRegress(t *testing.T) {
	checkGate(t, "testdata/blind3.yaml", blind3Gate, blind3GatePadded)
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
	shop := loadShop(t, Options{Threshold: sampleThreshold})
	cases := loadCases(t, path)
	big, err := New(append(shop.Entries(), generateEntries(1000, false)...), Options{Threshold: sampleThreshold})
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
	for _, path := range []string{"testdata/eval.yaml", "testdata/holdout.yaml", "testdata/test.yaml", "testdata/blind2.yaml", "testdata/blind3.yaml", "testdata/blind4.yaml", "testdata/blind5.yaml"} {
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

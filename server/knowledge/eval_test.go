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

func loadEval(t testing.TB) []EvalCase { return loadCases(t, "testdata/eval.yaml") }

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

// Targets of the evaluation (see docs/bot.md): the share of in-scope questions answered with the
// right entry, and the share of out-of-scope questions left unanswered. Each language must stay
// above a lower floor: a language has only thirteen or fourteen out-of-scope cases, so one case
// moves its number by eight points.
const (
	targetPrecision     = 0.90
	targetUnknownRecall = 0.90
	languageFloor       = 0.80
)

func TestEvaluationMeetsTargets(t *testing.T) {
	shop := loadShop(t, Options{})
	cases := loadEval(t)
	padded, err := New(append(shop.Entries(), generateEntries(1000, false)...), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		base     *Base
		withLang bool
	}{
		{"language given", shop, true},
		{"language unknown", shop, false},
		// The same threshold must hold in a base forty times larger: scores are comparable
		// across bases.
		{"among 1000 unrelated entries", padded, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scores := Evaluate(tt.base, cases, tt.withLang)
			for _, s := range scores {
				t.Logf("%-3s precision %.3f (%d/%d)  unknown recall %.3f (%d/%d)",
					s.Lang, s.Precision(), s.Correct, s.InScope, s.UnknownRecall(), s.Rejected, s.OutOfScope)
			}
			all := scores[len(scores)-1]
			if all.Precision() < targetPrecision || all.UnknownRecall() < targetUnknownRecall {
				t.Errorf("overall precision %.3f, unknown recall %.3f; want at least %.2f and %.2f",
					all.Precision(), all.UnknownRecall(), targetPrecision, targetUnknownRecall)
			}
			for _, s := range scores[:len(scores)-1] {
				if s.Precision() < languageFloor || s.UnknownRecall() < languageFloor {
					t.Errorf("%s: precision %.3f, unknown recall %.3f; want at least %.2f each",
						s.Lang, s.Precision(), s.UnknownRecall(), languageFloor)
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

// holdoutFloor guards the held-out set (testdata/holdout.yaml), which was written after tuning and
// must not be tuned on: it measures how the matcher does on questions nobody fitted it to, and
// this floor only catches regressions.
const holdoutFloor = 0.75

func TestHoldoutDoesNotRegress(t *testing.T) {
	scores := Evaluate(loadShop(t, Options{}), loadCases(t, "testdata/holdout.yaml"), true)
	all := scores[len(scores)-1]
	t.Logf("held out: precision %.3f (%d/%d), unknown recall %.3f (%d/%d)",
		all.Precision(), all.Correct, all.InScope, all.UnknownRecall(), all.Rejected, all.OutOfScope)
	if all.Precision() < holdoutFloor || all.UnknownRecall() < holdoutFloor {
		t.Errorf("held-out precision %.3f, unknown recall %.3f; want at least %.2f each",
			all.Precision(), all.UnknownRecall(), holdoutFloor)
	}
}

func TestEvalSetReferencesExistingEntries(t *testing.T) {
	shop := loadShop(t, Options{})
	ids := map[string]bool{Unknown: true}
	for _, e := range shop.Entries() {
		ids[e.ID] = true
	}
	var cases []EvalCase
	for _, path := range []string{"testdata/eval.yaml", "testdata/holdout.yaml", "testdata/test.yaml"} {
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

// Command boteval measures the built-in knowledge bot on an evaluation set: per language, the
// share of in-scope questions answered with the right entry (precision) and the share of
// out-of-scope questions it declines to answer (unknown recall). See docs/bot.md, "Evaluation",
// for the sets and what each measures.
//
//	go run ./bench/boteval [-kb file] [-eval file] [-threshold 0.55] [-pad 1000] [-misses]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/batonchat/baton/server/knowledge"
)

func main() {
	kbPath := flag.String("kb", "server/knowledge/testdata/shop.yaml", "knowledge base (YAML with an entries list)")
	evalPath := flag.String("eval", "server/knowledge/testdata/eval.yaml",
		"evaluation set (YAML with a cases list): eval.yaml, holdout.yaml, test.yaml, blind2.yaml, blind3.yaml and blind4.yaml are development data, blind5.yaml the blind test set")
	threshold := flag.Float64("threshold", 0.55,
		"confidence from which the bot answers: 0.55 is the sample shop's (server/app/demo-site.yaml), 0 the package default")
	misses := flag.Bool("misses", false, "list the cases the bot gets wrong")
	pad := flag.Int("pad", 0, "add this many entries of made-up words to the base (1000: the evaluation gates' bigger base)")
	flag.Parse()
	if err := run(os.Stdout, *kbPath, *evalPath, *threshold, *pad, *misses); err != nil {
		fmt.Fprintln(os.Stderr, "boteval:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, kbPath, evalPath string, threshold float64, pad int, misses bool) error {
	entries, err := readFile(kbPath, knowledge.ReadEntries)
	if err != nil {
		return err
	}
	if pad < 0 {
		return fmt.Errorf("-pad %d: want 0 or more entries", pad)
	}
	entries = append(entries, knowledge.UnrelatedEntries(pad)...)
	cases, err := readFile(evalPath, knowledge.ReadEvalCases)
	if err != nil {
		return err
	}
	base, err := knowledge.New(entries, knowledge.Options{Threshold: threshold})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "knowledge base %s: %d entries; evaluation %s: %d cases; threshold %.2f\n",
		kbPath, len(entries), evalPath, len(cases), base.Threshold())
	for _, mode := range []struct {
		title    string
		withLang bool
	}{{"language given (widget locale)", true}, {"language unknown", false}} {
		scores := knowledge.Evaluate(base, cases, mode.withLang)
		fmt.Fprintf(w, "\n%s\n", mode.title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "lang\tprecision\tcorrect/in-scope\tunknown recall\tunknown/out-of-scope\t")
		for _, s := range scores {
			fmt.Fprintf(tw, "%s\t%.1f%%\t%d/%d\t%.1f%%\t%d/%d\t\n", s.Lang,
				100*s.Precision(), s.Correct, s.InScope, 100*s.UnknownRecall(), s.Rejected, s.OutOfScope)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if misses {
			for _, m := range scores[len(scores)-1].Misses {
				fmt.Fprintf(w, "  miss %s %q: want %s, got %s (best %s, score %.2f)\n",
					m.Case.Lang, m.Case.Text, m.Case.Want, m.Got, m.Best, m.Score)
			}
		}
	}
	return nil
}

// readFile opens path and decodes it with read.
func readFile[T any](path string, read func(io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	v, err := read(f)
	if err != nil {
		return v, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

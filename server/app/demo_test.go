package app_test

import (
	"os"
	"reflect"
	"testing"

	"github.com/batonchat/baton/server/app"
	"github.com/batonchat/baton/server/knowledge"
	"github.com/batonchat/baton/server/site"
)

// The demo site answers from the knowledge base whose quality docs/bot.md measures.
func TestDemoSiteShipsTheEvaluatedKnowledgeBaseAndAReturnTag(t *testing.T) {
	st := app.DemoSettings("http://127.0.0.1:8080")
	if err := st.Validate(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../knowledge/testdata/shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, err := knowledge.ReadEntries(f)
	if err != nil {
		t.Fatal(err)
	}
	if st.Bot == nil || st.Bot.BrainName() != site.BrainKnowledge || !reflect.DeepEqual(st.Bot.Knowledge.Entries, want) {
		t.Fatal("the demo's knowledge base differs from server/knowledge/testdata/shop.yaml")
	}
	// The threshold the evaluation in docs/bot.md measures the sample at (sampleThreshold in
	// server/knowledge/eval_test.go, the default of go run ./bench/boteval).
	if got := st.Bot.Knowledge.Threshold; got != 0.55 {
		t.Fatalf("the demo's threshold is %v, want 0.55 as evaluated", got)
	}
	tag := st.TagByName("return_or_refund")
	if tag == nil || tag.Instruction == "" || tag.Action() != site.PostSuspend {
		t.Fatalf("return_or_refund: %+v", tag)
	}
	if got := st.AllowedOrigins; len(got) != 2 || got[0] != "http://127.0.0.1:8080" || got[1] != "http://localhost:8080" {
		t.Fatalf("origins %v", got)
	}
	for text, want := range map[string]string{
		"I want my money back":                 "return_or_refund",
		"ik wil mijn jas terugsturen":          "return_or_refund",
		"je voudrais un remboursement":         "return_or_refund",
		"Wie bekomme ich eine Rückerstattung?": "return_or_refund",
		"quiero devolver mi pedido":            "return_or_refund",
		"where is my order":                    "",
	} {
		got := ""
		if tags := st.Detector().Detect(text, ""); len(tags) > 0 {
			got = tags[0]
		}
		if got != want {
			t.Errorf("%q: tagged %q, want %q", text, got, want)
		}
	}
}

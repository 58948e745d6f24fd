package bot

import (
	"os"
	"strings"
	"testing"

	"github.com/batonchat/baton/server/site"
)

// The example site file of docs/bot.md must be one Baton accepts.
func TestTheDocumentedExampleSiteFileIsValid(t *testing.T) {
	b, err := os.ReadFile("../../docs/bot.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, "## A complete example site file")
	if i < 0 {
		t.Fatal("no example section")
	}
	rest := doc[i:]
	start := strings.Index(rest, "```yaml\n")
	end := strings.Index(rest[start+8:], "```")
	if start < 0 || end < 0 {
		t.Fatal("no yaml block in the example section")
	}
	st, err := site.ParseYAML([]byte(rest[start+8 : start+8+end]))
	if err != nil {
		t.Fatal(err)
	}
	if st.Bot.Base() == nil || len(st.Tags) != 5 {
		t.Fatalf("%+v", st)
	}
	// The tags detect what the comments promise.
	for text, want := range map[string]string{
		"I want my money back":       "return_or_refund",
		"free crypto giveaway":       "spam",
		"my problem is solved":       "solved",
		"I want to file a complaint": "complaint",
	} {
		if got := detect(st, text, "", site.OnVisitor); len(got) != 1 || got[0] != want {
			t.Errorf("%q: %v, want %s", text, got, want)
		}
	}
	if got := detect(st, "A colleague will look at it.", "en", site.OnBot); len(got) != 1 || got[0] != "transfer_promised" {
		t.Errorf("bot side: %v", got)
	}
}

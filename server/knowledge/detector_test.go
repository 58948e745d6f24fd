package knowledge

import (
	"errors"
	"slices"
	"testing"
)

var tagRules = []TagRule{
	{Tag: "return_or_refund", Phrases: []string{"I want to return my order"}, Keywords: []string{"refund", "money back"}},
	{Tag: "complaint", Phrases: []string{"Mijn pakket is beschadigd aangekomen", "I am not happy with the service"}},
	{Tag: "wholesale", Keywords: []string{"wholesale", "reseller", "B2B"}},
	{Tag: "urgent", Keywords: []string{"urgent", "dringend", "asap"}},
}

func TestDetectorDetect(t *testing.T) {
	d, err := NewDetector(tagRules, DetectorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text, lang string
		want             []string
	}{
		{"keyword inflected", "I was refunded twice?", "en", []string{"return_or_refund"}},
		{"keyword phrase in other words", "how do I get my money back for a returned item?", "en", []string{"return_or_refund"}},
		{"keyword through a concept in Dutch", "wanneer krijg ik mijn geld terug", "nl", []string{"return_or_refund"}},
		{"phrase in other order and form", "returning an order, I want that", "en", []string{"return_or_refund"}},
		{"phrase in another language", "ik wil mijn bestelling retourneren", "nl", []string{"return_or_refund"}},
		{"phrase without accents and inflected", "mijn pakketten zijn beschadigd aangekomen", "nl", []string{"complaint"}},
		{"phrase through concepts across languages", "my parcel arrived damaged", "en", []string{"complaint"}},
		{"keyword with a typo", "are you a wholesaler or resseller", "en", []string{"wholesale"}},
		{"two tags", "URGENT: I need a refund", "", []string{"return_or_refund", "urgent"}},
		{"keyword in German", "Es ist dringend!", "de", []string{"urgent"}},
		{"one word of a phrase is not enough", "where is my order", "en", nil},
		{"unrelated", "what are your opening hours", "en", nil},
		{"empty", "", "en", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := d.Detect(tt.text, tt.lang); !slices.Equal(got, tt.want) {
				t.Errorf("Detect(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestNewDetectorRejectsInvalidRules(t *testing.T) {
	tests := []struct {
		name  string
		rules []TagRule
		index int
		field string
	}{
		{"empty tag", []TagRule{{Keywords: []string{"x1"}}}, 0, "tag"},
		{"duplicate tag", []TagRule{{Tag: "a", Keywords: []string{"refund"}}, {Tag: "a", Keywords: []string{"refund"}}}, 1, "tag"},
		{"nothing to match", []TagRule{{Tag: "a"}}, 0, "phrases"},
		{"keyword of small words", []TagRule{{Tag: "a", Keywords: []string{"refund", "the"}}}, 0, "keywords[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewDetector(tt.rules, DetectorOptions{})
			var ee *EntryError
			if !errors.As(err, &ee) {
				t.Fatalf("NewDetector() error = %v, want an *EntryError", err)
			}
			if ee.Index != tt.index || ee.Field != tt.field {
				t.Errorf("error names rule %d field %q, want rule %d field %q (%v)", ee.Index, ee.Field, tt.index, tt.field, err)
			}
		})
	}
}

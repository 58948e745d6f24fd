package site

import (
	"strings"
	"testing"
)

func TestParseYAMLReportsEveryProblemByField(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // substrings of the error, one per problem
	}{
		{"valid", "key: shop\nname: Shop\nallowed_origins: [\"https://shop.example\"]\n", nil},
		{"missing key and name", "allowed_origins: []\n", []string{"key: is required", "name: is required"}},
		{"bad key", "key: Shop!\nname: S\n", []string{`key: "Shop!" is not a valid key`}},
		{"origin with a path", "key: shop\nname: S\nallowed_origins: [\"https://shop.example/page\"]\n", []string{"allowed_origins[0]"}},
		{"origin without scheme", "key: shop\nname: S\nallowed_origins: [shop.example]\n", []string{"allowed_origins[0]"}},
		{"bad colour and position", "key: shop\nname: S\nappearance: {color: red, position: middle}\n", []string{"appearance.color", "appearance.position"}},
		{"unknown locale", "key: shop\nname: S\ndefault_locale: it\n", []string{"default_locale"}},
		{"texts for an unknown locale", "key: shop\nname: S\ntexts: {xx: {send: Go}}\n", []string{"texts"}},
		{"typo in a field name", "key: shop\nname: S\nalowed_origins: []\n", []string{`unknown field "alowed_origins"`}},
		{"not yaml", "key: [\n", []string{"settings:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseYAML([]byte(tt.doc))
			if tt.want == nil {
				if err != nil || s == nil {
					t.Fatalf("got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestYAMLRoundTrip(t *testing.T) {
	s := Default("shop", "Shop", []string{"https://shop.example"})
	s.Texts = map[string]map[string]string{"nl": {"send": "Verstuur"}}
	y, err := s.YAML()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseYAML(y)
	if err != nil {
		t.Fatalf("%v in\n%s", err, y)
	}
	if string(back.JSON()) != string(s.JSON()) {
		t.Fatalf("round trip changed the document:\n%s\n%s", s.JSON(), back.JSON())
	}
}

func TestAllowsOriginIgnoresCaseAndTrailingSlash(t *testing.T) {
	s := Default("shop", "Shop", []string{"https://Shop.example"})
	for origin, want := range map[string]bool{
		"https://shop.example":     true,
		"https://shop.example/":    true,
		"http://shop.example":      false,
		"https://shop.example:444": false,
		"https://evil.example":     false,
		"":                         false,
	} {
		if got := s.AllowsOrigin(origin); got != want {
			t.Errorf("%q: got %v", origin, got)
		}
	}
}

func TestPublicViewHasNoSecretsAndDefaults(t *testing.T) {
	p := Default("shop", "Shop", nil).Public()
	if p.DefaultLocale != "en" || p.Texts == nil || p.Appearance.Position != "right" {
		t.Fatalf("%+v", p)
	}
}

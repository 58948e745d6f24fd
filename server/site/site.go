// Package site holds the settings document of a site: what owners keep as a YAML file
// (`baton site apply -f`), what admins change through the API, and the public part the widget
// reads. Parsing and validation live here so every entry point reports the same errors.
package site

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/go-playground/validator/v10"
	"gopkg.in/yaml.v3"

	"github.com/batonchat/baton/server/hours"
	"github.com/batonchat/baton/server/knowledge"
)

// Locales the widget ships texts for.
var Locales = []string{"en", "nl", "fr", "de", "es"}

// Settings is a site's settings document.
type Settings struct {
	Key            string     `yaml:"key" json:"key" validate:"required,sitekey"`
	Name           string     `yaml:"name" json:"name" validate:"required,max=100"`
	AllowedOrigins []string   `yaml:"allowed_origins" json:"allowed_origins" validate:"max=50,dive,origin"`
	DefaultLocale  string     `yaml:"default_locale,omitempty" json:"default_locale,omitempty" validate:"omitempty,locale"`
	Appearance     Appearance `yaml:"appearance" json:"appearance"`
	// Texts overrides the widget's built-in texts: locale → text key → text.
	Texts map[string]map[string]string `yaml:"texts,omitempty" json:"texts,omitempty" validate:"max=5,dive,keys,locale,endkeys,max=100,dive,keys,max=64,endkeys,max=1000"`
	// Bot is who answers first (see docs/bot.md); nil: no automatic replies.
	Bot *Bot `yaml:"bot,omitempty" json:"bot,omitempty"`
	// Tags are the owner's smart tags.
	Tags []Tag `yaml:"tags,omitempty" json:"tags,omitempty" validate:"max=100,dive"`
	// Handoff says what happens when the bot gives a conversation up (see docs/handoff.md).
	Handoff *Handoff `yaml:"handoff,omitempty" json:"handoff,omitempty"`
	// BusinessHours is when people answer (see docs/business-hours.md); nil: always open.
	BusinessHours *hours.Settings `yaml:"business_hours,omitempty" json:"business_hours,omitempty" validate:"-"`
	// Views are inbox tabs an admin defines by tags (see docs/console.md).
	Views []View `yaml:"views,omitempty" json:"views,omitempty" validate:"-"`
	// QuickResponses are the canned replies agents insert with "/" in the console.
	QuickResponses []QuickResponse `yaml:"quick_responses,omitempty" json:"quick_responses,omitempty" validate:"-"`
	// Routing says who gets a conversation waiting for a person (see docs/routing.md); nil: manual.
	Routing *Routing `yaml:"routing,omitempty" json:"routing,omitempty"`

	detector *knowledge.Detector // built by Validate from Tags
	calendar *hours.Calendar     // built by Validate from BusinessHours
}

// Appearance is how the widget looks on the owner's page.
type Appearance struct {
	Color         string `yaml:"color,omitempty" json:"color,omitempty" validate:"omitempty,hexcolor"`
	Position      string `yaml:"position,omitempty" json:"position,omitempty" validate:"omitempty,oneof=left right"`
	LauncherLabel string `yaml:"launcher_label,omitempty" json:"launcher_label,omitempty" validate:"max=40"`
	Greeting      string `yaml:"greeting,omitempty" json:"greeting,omitempty" validate:"max=500"`
}

// Default returns the settings of a new site.
func Default(key, name string, origins []string) *Settings {
	return &Settings{
		Key:            key,
		Name:           name,
		AllowedOrigins: origins,
		DefaultLocale:  "en",
		Appearance:     Appearance{Color: "#4f46e5", Position: "right"},
	}
}

// ParseYAML reads a settings document written by an owner. Unknown fields are errors, so a
// typo never silently does nothing.
func ParseYAML(b []byte) (*Settings, error) {
	var s Settings
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, &ValidationError{Problems: []string{cleanYAMLError(err)}}
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// ParseJSON reads a settings document from the API or the database.
func ParseJSON(b []byte) (*Settings, error) {
	var s Settings
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, &ValidationError{Problems: []string{"settings: " + err.Error()}}
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// YAML renders the document for `baton site export`.
func (s *Settings) YAML() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("encode settings: %w", err)
	}
	return buf.Bytes(), nil
}

// JSON renders the document for storage and the API.
func (s *Settings) JSON() []byte {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("site: settings do not marshal: %v", err)) // only plain types inside
	}
	return b
}

// AllowsOrigin reports whether a browser page at origin may embed the widget.
func (s *Settings) AllowsOrigin(origin string) bool {
	origin = strings.TrimSuffix(strings.ToLower(origin), "/")
	for _, o := range s.AllowedOrigins {
		if strings.ToLower(o) == origin {
			return true
		}
	}
	return false
}

// Public is the part of the settings the widget reads; it never holds secrets.
type Public struct {
	Key           string                       `json:"key"`
	Name          string                       `json:"name"`
	DefaultLocale string                       `json:"default_locale"`
	Appearance    Appearance                   `json:"appearance"`
	Texts         map[string]map[string]string `json:"texts"`
	// HideWhenUnavailable asks the widget to hide its launcher while nobody is available.
	HideWhenUnavailable bool `json:"hide_when_unavailable,omitempty"`
}

// Public returns the widget's view of the settings.
func (s *Settings) Public() Public {
	texts := s.Texts
	if texts == nil {
		texts = map[string]map[string]string{}
	}
	loc := s.DefaultLocale
	if loc == "" {
		loc = "en"
	}
	return Public{Key: s.Key, Name: s.Name, DefaultLocale: loc, Appearance: s.Appearance, Texts: texts,
		HideWhenUnavailable: s.Handoff != nil && s.Handoff.HideWhenUnavailable}
}

// ValidationError lists every problem of a document, each naming the field and the reason.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string { return strings.Join(e.Problems, "; ") }

var keyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

// ValidKey reports whether key can name a site: 2–40 lowercase letters, digits and dashes.
func ValidKey(key string) bool { return keyRE.MatchString(key) }

var validate = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	must(v.RegisterValidation("sitekey", func(fl validator.FieldLevel) bool { return ValidKey(fl.Field().String()) }))
	must(v.RegisterValidation("origin", func(fl validator.FieldLevel) bool { return validOrigin(fl.Field().String()) }))
	must(v.RegisterValidation("tagname", func(fl validator.FieldLevel) bool { return tagNameRE.MatchString(fl.Field().String()) }))
	must(v.RegisterValidation("envname", func(fl validator.FieldLevel) bool { return envNameRE.MatchString(fl.Field().String()) }))
	must(v.RegisterValidation("locale", func(fl validator.FieldLevel) bool {
		for _, l := range Locales {
			if fl.Field().String() == l {
				return true
			}
		}
		return false
	}))
	return v
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func validOrigin(s string) bool {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	return u.Path == "" && u.RawQuery == "" && u.Fragment == "" && u.User == nil
}

// Validate checks the whole document and reports every problem at once. It also compiles the
// bot's knowledge base and the tag detector, which the settings then carry.
func (s *Settings) Validate() error {
	var problems []string
	err := validate.Struct(s)
	var verrs validator.ValidationErrors
	if err != nil && !errors.As(err, &verrs) {
		return fmt.Errorf("validate settings: %w", err)
	}
	for _, fe := range verrs {
		field := strings.TrimPrefix(fe.Namespace(), "Settings.")
		problems = append(problems, field+": "+reason(fe))
	}
	problems = append(problems, s.validateBot()...)
	problems = append(problems, s.validateHandoff()...)
	problems = append(problems, s.validateInbox()...)
	problems = append(problems, s.validateRouting()...)
	if len(problems) == 0 {
		return nil
	}
	sort.Strings(problems)
	return &ValidationError{Problems: problems}
}

func reason(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "max":
		switch fe.Kind() {
		case reflect.String:
			return "must be at most " + fe.Param() + " characters"
		case reflect.Slice, reflect.Map:
			return "must have at most " + fe.Param() + " entries"
		}
		return "must be at most " + fe.Param()
	case "sitekey":
		return fmt.Sprintf("%q is not a valid key: use 2-40 lowercase letters, digits and dashes", fe.Value())
	case "origin":
		return fmt.Sprintf("%q is not an origin: write scheme://host[:port], like https://shop.example.com", fe.Value())
	case "locale":
		return fmt.Sprintf("%q is not a supported locale (%s)", fe.Value(), strings.Join(Locales, ", "))
	case "hexcolor":
		return fmt.Sprintf("%q is not a colour: write it like #4f46e5", fe.Value())
	case "oneof":
		return fmt.Sprintf("%q must be one of: %s", fe.Value(), fe.Param())
	case "min":
		return "must be at least " + fe.Param()
	case "tagname":
		return fmt.Sprintf("%q is not a tag: use 1-64 lowercase letters, digits, _, - and :", fe.Value())
	case "envname":
		return fmt.Sprintf("%q is not an environment variable name (letters, digits and _)", fe.Value())
	}
	return "fails " + fe.Tag()
}

var yamlLineRE = regexp.MustCompile(`field (\S+) not found in type \S+`)

func cleanYAMLError(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	msg = yamlLineRE.ReplaceAllString(msg, "unknown field \"$1\"")
	return "settings: " + msg
}

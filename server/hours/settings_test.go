package hours

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestValidateAccepts(t *testing.T) {
	tests := []struct {
		name     string
		settings Settings
	}{
		{"zero settings (always open)", Settings{}},
		{"time zone alone", Settings{Timezone: "Europe/Amsterdam"}},
		{"always open with holidays", Settings{Timezone: "UTC", Holidays: []Holiday{{Date: "2026-12-25"}}}},
		{"the shop fixture", shop},
		{"all day", weekly("Europe/Amsterdam", map[string][]string{"monday": {"00:00-24:00"}})},
		{"until midnight written as 00:00", weekly("Europe/Amsterdam", map[string][]string{"monday": {"18:00-00:00"}, "tuesday": {"00:00-09:00"}})},
		{"touching intervals", weekly("Europe/Amsterdam", map[string][]string{"monday": {"09:00-12:00", "12:00-17:00"}})},
		{"night touching the next morning", weekly("Europe/Amsterdam", map[string][]string{"friday": {"22:00-02:00"}, "saturday": {"02:00-05:00"}})},
		{"sunday night touching monday", weekly("Europe/Amsterdam", map[string][]string{"sunday": {"22:00-09:00"}, "monday": {"09:00-17:00"}})},
		{"nearly a whole day overnight", weekly("Europe/Amsterdam", map[string][]string{"monday": {"10:00-09:59"}})},
		{"day names in any case, hours without a leading zero, spaces", weekly("Europe/Amsterdam", map[string][]string{"Monday": {"9:00 - 17:30"}})},
		{"holiday range of one day", Settings{Timezone: "UTC", Holidays: []Holiday{{From: "2026-12-25", To: "2026-12-25"}}}},
		{"overlapping holidays", Settings{Timezone: "UTC", Holidays: []Holiday{{From: "2026-12-20", To: "2026-12-31"}, {Date: "2026-12-25"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.settings.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestValidateRejects(t *testing.T) {
	ams := func(days map[string][]string) Settings { return weekly("Europe/Amsterdam", days) }
	holidays := func(h ...Holiday) Settings { return Settings{Timezone: "Europe/Amsterdam", Holidays: h} }

	tests := []struct {
		name     string
		settings Settings
		want     []string
	}{
		{"unknown time zone", Settings{Timezone: "Europe/Amsterdm"},
			[]string{`business_hours.timezone: "Europe/Amsterdm": unknown time zone (use an IANA name such as Europe/Amsterdam)`}},
		{"missing time zone once hours are set", weekly("", map[string][]string{"monday": {"09:00-17:00"}}),
			[]string{`business_hours.timezone: required once hours or holidays are set (an IANA name such as Europe/Amsterdam)`}},
		{"missing time zone once holidays are set", Settings{Holidays: []Holiday{{Date: "2026-12-25"}}},
			[]string{`business_hours.timezone: required once hours or holidays are set (an IANA name such as Europe/Amsterdam)`}},
		{"the server's local zone", Settings{Timezone: "Local"},
			[]string{`business_hours.timezone: "Local": name the zone (an IANA name such as Europe/Amsterdam), not Local`}},
		{"end equal to start", ams(map[string][]string{"monday": {"09:00-12:00", "13:30-13:30"}}),
			[]string{`business_hours.weekly.monday[1]: "13:30-13:30": end must differ from start (use "00:00-24:00" for all day)`}},
		{"00:00-00:00 is not all day", ams(map[string][]string{"monday": {"00:00-00:00"}}),
			[]string{`business_hours.weekly.monday[0]: "00:00-00:00": end must differ from start (use "00:00-24:00" for all day)`}},
		{"24:00 as a start", ams(map[string][]string{"monday": {"24:00-02:00"}}),
			[]string{`business_hours.weekly.monday[0]: "24:00-02:00": start cannot be 24:00 (use 00:00)`}},
		{"hour out of range", ams(map[string][]string{"tuesday": {"09:00-25:00"}}),
			[]string{`business_hours.weekly.tuesday[0]: "09:00-25:00": want "HH:MM-HH:MM", e.g. "09:00-17:30"`}},
		{"minutes past 24:00", ams(map[string][]string{"tuesday": {"09:00-24:30"}}),
			[]string{`business_hours.weekly.tuesday[0]: "09:00-24:30": want "HH:MM-HH:MM", e.g. "09:00-17:30"`}},
		{"hours only", ams(map[string][]string{"tuesday": {"9-17"}}),
			[]string{`business_hours.weekly.tuesday[0]: "9-17": want "HH:MM-HH:MM", e.g. "09:00-17:30"`}},
		{"a single time", ams(map[string][]string{"tuesday": {"09:00"}}),
			[]string{`business_hours.weekly.tuesday[0]: "09:00": want "HH:MM-HH:MM", e.g. "09:00-17:30"`}},
		{"signed numbers", ams(map[string][]string{"tuesday": {"+9:00-17:00"}}),
			[]string{`business_hours.weekly.tuesday[0]: "+9:00-17:00": want "HH:MM-HH:MM", e.g. "09:00-17:30"`}},
		{"overlap within a day", ams(map[string][]string{"monday": {"09:00-12:30", "12:00-17:00"}}),
			[]string{`business_hours.weekly.monday[1]: "12:00-17:00": overlaps monday[0] "09:00-12:30"`}},
		{"night overlapping the next morning", ams(map[string][]string{"friday": {"22:00-02:00"}, "saturday": {"01:00-05:00"}}),
			[]string{`business_hours.weekly.saturday[0]: "01:00-05:00": overlaps friday[0] "22:00-02:00"`}},
		{"sunday night overlapping monday morning", ams(map[string][]string{"sunday": {"22:00-10:00"}, "monday": {"09:00-17:00"}}),
			[]string{`business_hours.weekly.sunday[0]: "22:00-10:00": overlaps monday[0] "09:00-17:00"`}},
		{"unknown day", ams(map[string][]string{"mondy": {"09:00-17:00"}}),
			[]string{`business_hours.weekly.mondy: unknown day (use monday, tuesday, wednesday, thursday, friday, saturday or sunday)`}},
		{"day listed twice", ams(map[string][]string{"monday": {"09:00-17:00"}, "Monday": {}}),
			[]string{`business_hours.weekly.monday: monday is listed twice (also as Monday)`}},
		{"bad holiday date", holidays(Holiday{Date: "2026-02-30"}),
			[]string{`business_hours.holidays[0].date: "2026-02-30": want a date as YYYY-MM-DD`}},
		{"holiday date in another format", holidays(Holiday{Date: "25-12-2026"}),
			[]string{`business_hours.holidays[0].date: "25-12-2026": want a date as YYYY-MM-DD`}},
		{"to before from", holidays(Holiday{Date: "2026-12-25"}, Holiday{From: "2026-12-31", To: "2026-12-30"}),
			[]string{`business_hours.holidays[1].to: "2026-12-30": is before from "2026-12-31"`}},
		{"date and range together", holidays(Holiday{Date: "2026-12-25", From: "2026-12-24"}),
			[]string{`business_hours.holidays[0]: use either date or from and to, not both`}},
		{"from without to", holidays(Holiday{From: "2026-12-24"}),
			[]string{`business_hours.holidays[0].to: required with from`}},
		{"to without from", holidays(Holiday{To: "2026-12-24"}),
			[]string{`business_hours.holidays[0].from: required with to`}},
		{"a name without a date", holidays(Holiday{Name: "Christmas"}),
			[]string{`business_hours.holidays[0]: date (or from and to) is required`}},
		{"bad dates in a range", holidays(Holiday{From: "2026-12-32", To: "soon"}),
			[]string{
				`business_hours.holidays[0].from: "2026-12-32": want a date as YYYY-MM-DD`,
				`business_hours.holidays[0].to: "soon": want a date as YYYY-MM-DD`,
			}},
		{"every problem at once, in a stable order", Settings{
			Timezone: "Mars/Olympus",
			Weekly: map[string][]string{
				"sunday":  {"x"},
				"monday":  {"09:00-09:00", "08:00-12:00", "11:00-13:00"},
				"funday":  {},
				"weekend": {},
			},
			Holidays: []Holiday{{Date: "tomorrow"}},
		}, []string{
			`business_hours.timezone: "Mars/Olympus": unknown time zone (use an IANA name such as Europe/Amsterdam)`,
			`business_hours.weekly.funday: unknown day (use monday, tuesday, wednesday, thursday, friday, saturday or sunday)`,
			`business_hours.weekly.weekend: unknown day (use monday, tuesday, wednesday, thursday, friday, saturday or sunday)`,
			`business_hours.weekly.monday[0]: "09:00-09:00": end must differ from start (use "00:00-24:00" for all day)`,
			`business_hours.weekly.sunday[0]: "x": want "HH:MM-HH:MM", e.g. "09:00-17:30"`,
			`business_hours.weekly.monday[2]: "11:00-13:00": overlaps monday[1] "08:00-12:00"`,
			`business_hours.holidays[0].date: "tomorrow": want a date as YYYY-MM-DD`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.settings.Validate()
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Validate = %v, want Errors", err)
			}
			if got := strings.Split(errs.Error(), "\n"); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Validate errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if c, err := tt.settings.Compile(); c != nil || err == nil {
				t.Errorf("Compile = %v, %v; want no calendar and an error", c, err)
			}
		})
	}
}

func TestErrorsUnder(t *testing.T) {
	err := Settings{Timezone: "Nowhere"}.Validate()
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Validate = %v, want Errors", err)
	}
	want := `sites[2].business_hours.timezone: "Nowhere": unknown time zone (use an IANA name such as Europe/Amsterdam)`
	if got := errs.Under("sites[2]").Error(); got != want {
		t.Errorf("Under = %s, want %s", got, want)
	}
	if errs[0].Path != Key+".timezone" {
		t.Errorf("Under changed the original: %s", errs[0].Path)
	}
}

// TestSettingsDecode checks that the shapes in docs/business-hours.md decode as documented,
// from YAML with unquoted dates and from JSON.
func TestSettingsDecode(t *testing.T) {
	const doc = `
business_hours:
  timezone: Europe/Amsterdam
  weekly:
    monday: ["09:00-12:30", "13:30-17:30"]
    tuesday: [09:00-17:00]
    friday: ["09:00-17:00", "22:00-02:00"]
    saturday: []
    sunday:
  holidays:
    - date: 2026-12-25
      name: Christmas
    - from: 2026-12-31
      to: 2027-01-01
`
	const jsonDoc = `{"business_hours": {
  "timezone": "Europe/Amsterdam",
  "weekly": {
    "monday": ["09:00-12:30", "13:30-17:30"],
    "tuesday": ["09:00-17:00"],
    "friday": ["09:00-17:00", "22:00-02:00"],
    "saturday": [],
    "sunday": null
  },
  "holidays": [
    {"date": "2026-12-25", "name": "Christmas"},
    {"from": "2026-12-31", "to": "2027-01-01"}
  ]
}}`
	want := Settings{
		Timezone: "Europe/Amsterdam",
		Weekly: map[string][]string{
			"monday":   {"09:00-12:30", "13:30-17:30"},
			"tuesday":  {"09:00-17:00"},
			"friday":   {"09:00-17:00", "22:00-02:00"},
			"saturday": {},
			"sunday":   nil,
		},
		Holidays: []Holiday{
			{Date: "2026-12-25", Name: "Christmas"},
			{From: "2026-12-31", To: "2027-01-01"},
		},
	}
	var fromYAML, fromJSON struct {
		BusinessHours Settings `yaml:"business_hours" json:"business_hours"`
	}
	if err := yaml.Unmarshal([]byte(doc), &fromYAML); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	if err := json.Unmarshal([]byte(jsonDoc), &fromJSON); err != nil {
		t.Fatalf("json: %v", err)
	}
	for name, got := range map[string]Settings{"yaml": fromYAML.BusinessHours, "json": fromJSON.BusinessHours} {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s decoded %#v, want %#v", name, got, want)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("%s: Validate: %v", name, err)
		}
	}

	c := mustCompile(t, fromYAML.BusinessHours)
	for _, tt := range []struct {
		at   string
		want bool
	}{
		{"2026-06-02T10:00:00+02:00", true},  // tuesday
		{"2026-06-03T10:00:00+02:00", false}, // wednesday is not listed
		{"2026-06-07T10:00:00+02:00", false}, // sunday is listed empty
		{"2026-12-25T10:00:00+01:00", false}, // Christmas
	} {
		if got := c.Open(instant(t, tt.at)); got != tt.want {
			t.Errorf("Open(%s) = %v, want %v", tt.at, got, tt.want)
		}
	}
}

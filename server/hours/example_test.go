package hours_test

import (
	"fmt"
	"time"

	"github.com/batonchat/baton/server/hours"
)

// The message a closed site shows a visitor who asks for a human.
func ExampleCalendar_NextOpening() {
	cal, err := hours.Settings{
		Timezone: "Europe/Amsterdam",
		Weekly: map[string][]string{
			"monday": {"09:00-12:30", "13:30-17:30"},
			"friday": {"09:00-17:00"},
		},
		Holidays: []hours.Holiday{{Date: "2026-12-25", Name: "Christmas"}},
	}.Compile()
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 12, 25, 10, 0, 0, 0, time.UTC)
	if name, ok := cal.HolidayAt(now); ok && !cal.Open(now) {
		fmt.Printf("Closed for %s. ", name)
	}
	if at, ok := cal.NextOpening(now); ok {
		fmt.Println("We are back on", at.Format("Monday 2 January at 15:04"))
	}
	// Output: Closed for Christmas. We are back on Monday 28 December at 09:00
}

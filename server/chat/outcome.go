package chat

// OutcomeFacts are what the store knows, for the dashboard's chart, about a group of a site's
// conversations that started on the same day and share every fact that decides their outcome
// (package handoff turns the facts into an outcome; the store only counts).
type OutcomeFacts struct {
	// Date is the day the conversations started, YYYY-MM-DD in the time zone asked for.
	Date string
	// Status is the conversations' status now.
	Status Status
	// Assigned: a person has them (assigned now or when resolved; a reply assigns its author).
	Assigned bool
	// Replied: a person wrote to the visitor after they accepted the handoff.
	Replied bool
	// HandoffState and HandoffOutcome are the handoff record's state and how its last
	// handoff ended ("" without a record).
	HandoffState   string
	HandoffOutcome string
	// Tagged: the conversations carry at least one of the tags asked for.
	Tagged bool
	Count  int
}

package chat

// InboxCounts is how many conversations of one site each inbox tab holds for one agent, so
// the console shows exact numbers however many conversations there are (docs/console.md).
type InboxCounts struct {
	Me         int   // unresolved, assigned to the agent
	Unassigned int   // waiting for a human
	Open       int   // every unresolved one
	Bot        int   // with the bot, unresolved
	Closed     int   // resolved
	Views      []int // one per view asked for, in order: unresolved with any of its tags
}

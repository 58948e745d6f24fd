package knowledge

// A question's action decides what it asks as much as its topic: "how do I delete my account"
// shares "account" with "how do I create an account" and nothing else, and the shared word
// explains half of the message. Actions are the concepts below; an entry whose questions use an
// action opposite to the message's, and never the message's own, is a near miss, not an answer.

// actionBits gives every action concept a bit.
var actionBits = map[string]uint8{
	"~create":    1 << 0,
	"~register":  1 << 1,
	"~delete":    1 << 2,
	"~subscribe": 1 << 3,
	"~cancel":    1 << 4,
	"~change":    1 << 5,
}

// opposites pairs an action's bit with the bits of the actions that undo it.
var opposites = [...]struct{ bit, opp uint8 }{
	{1 << 0, 1 << 2},      // create ↔ delete
	{1 << 1, 1<<2 | 1<<4}, // register ↔ delete, cancel
	{1 << 2, 1<<0 | 1<<1}, // delete ↔ create, register
	{1 << 3, 1 << 4},      // subscribe ↔ cancel
	{1 << 4, 1<<3 | 1<<1}, // cancel ↔ subscribe, register
}

// contrastFactor is what an entry's confidence keeps when it does the opposite of the message.
const contrastFactor = 0.5

// unexplainedActionFactor is what an entry's confidence keeps when the message asks an action
// that other entries use and this entry never does.
const unexplainedActionFactor = 0.7

// actionsOf returns the action bits of a message's stems, analysed in language l.
func actionsOf(stems []string, l language) uint8 {
	var bits uint8
	for i, s := range stems {
		key := canon(s, l)
		if c, ok := rewriteAt(stems, i, l); ok {
			key = c
		}
		bits |= actionBits[key]
		for j := i + 1; j < len(stems) && j <= i+pairWindow; j++ {
			bits |= actionBits[pairConcepts[l][pairKey(s, stems[j])]]
		}
	}
	return bits
}

// contrast returns the factor for an entry with actions entry answering a message with actions
// msg: contrastFactor when the entry does the opposite of an action of the message and never
// that action itself, else 1.
func contrast(msg, entry uint8) float64 {
	for _, o := range opposites {
		if msg&o.bit != 0 && entry&o.bit == 0 && entry&o.opp != 0 {
			return contrastFactor
		}
	}
	return 1
}

package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/batonchat/baton/server/chat"
)

// ReplayWindow is how old a visitor message left without its bot turn may be for Replay to
// answer it after a restart: a reply minutes late is still welcome, one an hour late is not
// (the visitor has left, or an agent will see the message in the Bot tab).
const ReplayWindow = 10 * time.Minute

// maxReplay bounds the turns one Replay queues.
const maxReplay = 1000

// PendingStore finds the visitor messages whose bot turn a crash may have lost: the engine's
// queue lives in memory. *store.DB implements it.
type PendingStore interface {
	// UnansweredVisitorMessages returns, oldest first, at most limit visitor text messages
	// created at or after since that are the last message the visitor sees in a conversation
	// the bot handles, with no reply after them.
	UnansweredVisitorMessages(ctx context.Context, since time.Time, limit int) ([]*chat.Message, error)
}

// Replay queues a bot turn for every visitor message of the last ReplayWindow that the bot
// never answered, because the process stopped (a crash, a kill, a shutdown that cut turns
// short) between committing the message and committing the bot's reply. Run it once at start-up,
// before visitors can send: a message the live path also queues is answered once anyway, since
// the bot's reply to a message is idempotent (conversation.Service.BotReply). It returns the
// number of turns queued. A store without PendingStore replays nothing.
func (e *Engine) Replay(ctx context.Context) (int, error) {
	ps, ok := e.o.Store.(PendingStore)
	if !ok {
		return 0, nil
	}
	msgs, err := ps.UnansweredVisitorMessages(ctx, e.o.Now().Add(-ReplayWindow), maxReplay)
	if err != nil {
		return 0, fmt.Errorf("bot replay: %w", err)
	}
	n := 0
	for _, m := range msgs {
		c, err := e.o.Store.Conversation(ctx, m.ConversationID)
		if err != nil {
			return n, fmt.Errorf("bot replay: conversation %s: %w", m.ConversationID, err)
		}
		e.Notify(c, m)
		n++
	}
	if n > 0 {
		e.o.Log.Info("bot: replaying turns left unanswered by the last run", "turns", n, "window", ReplayWindow)
	}
	return n, nil
}

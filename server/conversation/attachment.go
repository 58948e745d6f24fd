package conversation

import (
	"errors"

	"github.com/batonchat/baton/server/chat"
)

// MaxAttachments bounds the files of one message.
const MaxAttachments = 10

func validAttachments(actor Actor, ids []string) error {
	if len(ids) > MaxAttachments {
		return chat.Errorf(chat.EInvalid, "attachments: at most %d files per message", MaxAttachments)
	}
	if len(ids) > 0 && actor.Type != chat.AuthorVisitor && actor.Type != chat.AuthorAgent {
		return chat.Errorf(chat.EForbidden, "attachments: only visitors and agents send files")
	}
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		if id == "" || len(id) > 64 {
			return chat.Errorf(chat.EInvalid, "attachments[%d]: must be an attachment id (at_…)", i)
		}
		if seen[id] {
			return chat.Errorf(chat.EInvalid, "attachments[%d]: %s is given twice", i, id)
		}
		seen[id] = true
	}
	return nil
}

// attachFiles puts the files named by ids on m, and binds each to m, in the transaction that
// stores m: a file is sent once, with one message, by the person who uploaded it, in the
// conversation it was uploaded to (a visitor's upload made before their first message goes to
// the conversation that message opens). Anyone else's file is reported as not found, so its
// existence does not leak; a refused file leaves the transaction to roll back, changing nothing.
func attachFiles(tx chat.Tx, actor Actor, c *chat.Conversation, m *chat.Message, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	atx, ok := tx.(chat.AttachmentTx)
	if !ok {
		return errors.New("conversation: the store's transactions cannot bind attachments")
	}
	for i, id := range ids {
		a, err := atx.Attachment(id)
		if err != nil && !errors.Is(err, chat.ErrNotFound) {
			return err
		}
		if err != nil || a.UploaderType != actor.Type || a.UploaderID != actor.ID || a.SiteID != c.SiteID {
			return chat.Errorf(chat.ENotFound, "attachments[%d]: no attachment %s of yours: upload the file first", i, id)
		}
		if a.ConversationID != "" && a.ConversationID != c.ID {
			return chat.Errorf(chat.EInvalid, "attachments[%d]: %s was uploaded to another conversation", i, id)
		}
		if a.MessageID != "" {
			return chat.Errorf(chat.EConflict, "attachments[%d]: %s was sent already", i, id)
		}
		if err := atx.BindAttachment(a.ID, c.ID, m.ID); err != nil {
			return err
		}
		m.Attachments = append(m.Attachments, *a)
	}
	return nil
}

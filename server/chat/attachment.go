package chat

import "time"

// Attachment is a file a visitor or an agent uploaded to send with a message. Its bytes live
// under the data directory (package attachment); this is what is known about them.
type Attachment struct {
	ID             string
	SiteID         string
	ConversationID string // empty for a visitor's upload made before their first message
	MessageID      string // empty until a send binds it; only its uploader may send it then
	UploaderType   AuthorType
	UploaderID     string
	Name           string // sanitised file name, shown to people and offered when saving
	ContentType    string // sniffed from the bytes, never taken from the client
	Size           int64
	SHA256         string // hex
	// Secret is the capability in the download URL: whoever can read the message holds it.
	Secret    string
	CreatedAt time.Time
}

// AttachmentTx is the part of a transaction that binds uploaded files to the message being
// sent, so a file is bound exactly when its message is stored. The store's transactions
// implement it.
type AttachmentTx interface {
	// Attachment returns an attachment by id, or ErrNotFound.
	Attachment(id string) (*Attachment, error)
	// BindAttachment ties an unbound attachment to a message of a conversation; ErrConflict
	// when it was bound meanwhile.
	BindAttachment(id, conversationID, messageID string) error
}

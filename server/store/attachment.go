package store

import (
	"context"
	"fmt"
	"time"

	"github.com/batonchat/baton/server/chat"
)

const attachmentColumns = `id, site_id, conversation_id, message_id, uploader_type, uploader_id, name, content_type, size, sha256, secret, created_at`

// messageFile is an attachment as its message's data column keeps it: enough to show and
// download it without a join.
type messageFile struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Secret      string `json:"secret"`
}

func toMessageFiles(list []chat.Attachment) []messageFile {
	var out []messageFile
	for _, a := range list {
		out = append(out, messageFile{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, Secret: a.Secret})
	}
	return out
}

func fromMessageFiles(m *chat.Message, list []messageFile) []chat.Attachment {
	var out []chat.Attachment
	for _, f := range list {
		out = append(out, chat.Attachment{ID: f.ID, ConversationID: m.ConversationID, MessageID: m.ID, Name: f.Name,
			ContentType: f.ContentType, Size: f.Size, Secret: f.Secret})
	}
	return out
}

func scanAttachment(row interface{ Scan(...any) error }) (*chat.Attachment, error) {
	var (
		a         chat.Attachment
		conv, msg *string
		uploader  string
		created   int64
	)
	if err := row.Scan(&a.ID, &a.SiteID, &conv, &msg, &uploader, &a.UploaderID, &a.Name, &a.ContentType, &a.Size,
		&a.SHA256, &a.Secret, &created); err != nil {
		return nil, err
	}
	if conv != nil {
		a.ConversationID = *conv
	}
	if msg != nil {
		a.MessageID = *msg
	}
	a.UploaderType, a.CreatedAt = chat.AuthorType(uploader), fromMS(created)
	return &a, nil
}

// CreateAttachment stores an uploaded file's record (its bytes are already on disk).
func (db *DB) CreateAttachment(ctx context.Context, a *chat.Attachment) error {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = db.now()
	}
	return db.Tx(ctx, func(ct chat.Tx) error {
		t := ct.(*tx)
		_, err := t.q.ExecContext(t.ctx, `INSERT INTO attachments (`+attachmentColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			a.ID, a.SiteID, nullable(a.ConversationID), nullable(a.MessageID), string(a.UploaderType), a.UploaderID, a.Name,
			a.ContentType, a.Size, a.SHA256, a.Secret, ms(a.CreatedAt))
		if err != nil {
			return fmt.Errorf("create attachment: %w", err)
		}
		return nil
	})
}

// Attachment returns an attachment by id, or chat.ErrNotFound.
func (db *DB) Attachment(ctx context.Context, id string) (*chat.Attachment, error) {
	a, err := scanAttachment(db.read.QueryRowContext(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "attachment")
	}
	return a, nil
}

// UnboundAttachments returns up to limit attachments never sent and uploaded before t, oldest first.
func (db *DB) UnboundAttachments(ctx context.Context, before time.Time, limit int) ([]*chat.Attachment, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE message_id IS NULL AND created_at < $1
		ORDER BY created_at LIMIT $2`, ms(before), limit)
	if err != nil {
		return nil, fmt.Errorf("unbound attachments: %w", err)
	}
	defer rows.Close()
	var out []*chat.Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, fmt.Errorf("unbound attachments: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// DeleteUnboundAttachment deletes an attachment's record unless a send bound it meanwhile; it
// reports whether it did (and so whether its bytes may go).
func (db *DB) DeleteUnboundAttachment(ctx context.Context, id string) (bool, error) {
	deleted := false
	err := db.Tx(ctx, func(ct chat.Tx) error {
		t := ct.(*tx)
		res, err := t.q.ExecContext(t.ctx, `DELETE FROM attachments WHERE id = $1 AND message_id IS NULL`, id)
		if err != nil {
			return fmt.Errorf("delete attachment: %w", err)
		}
		n, _ := res.RowsAffected()
		deleted = n > 0
		return nil
	})
	return deleted, err
}

// Attachment returns an attachment by id inside the transaction (chat.AttachmentTx).
func (t *tx) Attachment(id string) (*chat.Attachment, error) {
	a, err := scanAttachment(t.q.QueryRowContext(t.ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "attachment")
	}
	return a, nil
}

// BindAttachment ties an unbound attachment to a message (chat.AttachmentTx); a bound one is a
// conflict, so two sends racing for one file cannot both carry it.
func (t *tx) BindAttachment(id, conversationID, messageID string) error {
	res, err := t.q.ExecContext(t.ctx, `UPDATE attachments SET conversation_id = $2, message_id = $3 WHERE id = $1 AND message_id IS NULL`,
		id, conversationID, messageID)
	if err != nil {
		return fmt.Errorf("bind attachment: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chat.Errorf(chat.EConflict, "attachments: %s was sent already", id)
	}
	return nil
}

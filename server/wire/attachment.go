package wire

import (
	"net/url"

	"github.com/batonchat/baton/server/chat"
)

// Attachment is a file sent with a message. URL is relative to Baton's public URL and carries
// the file's capability: whoever can read the message can download the file, nobody else.
type Attachment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	URL         string `json:"url"`
}

// NewAttachment renders a for anyone who may read the message (or, unsent, its uploader).
func NewAttachment(a *chat.Attachment) Attachment {
	return Attachment{ID: a.ID, Name: a.Name, Size: a.Size, ContentType: a.ContentType, URL: AttachmentURL(a)}
}

// AttachmentURL is the download path of a: GET it for the bytes, as a download.
func AttachmentURL(a *chat.Attachment) string {
	return "/v1/attachments/" + url.PathEscape(a.ID) + "?key=" + url.QueryEscape(a.Secret)
}

func newAttachments(list []chat.Attachment) []Attachment {
	if len(list) == 0 {
		return nil
	}
	out := make([]Attachment, 0, len(list))
	for i := range list {
		out = append(out, NewAttachment(&list[i]))
	}
	return out
}

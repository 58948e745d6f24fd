package outbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"strings"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/helpdesk"
)

// replyTexts are the reply email's words in the widget's languages: subject, the line above
// the reply, and the link back to the chat. %[1]s is the site, %[2]s the person who replied.
var replyTexts = map[string][3]string{
	"en": {"%[1]s: %[2]s replied to your chat", "%[2]s wrote:", "Continue the conversation"},
	"nl": {"%[1]s: %[2]s heeft op je chat gereageerd", "%[2]s schreef:", "Ga verder met het gesprek"},
	"fr": {"%[1]s : %[2]s a répondu à votre message", "%[2]s a écrit :", "Poursuivre la conversation"},
	"de": {"%[1]s: %[2]s hat auf Ihren Chat geantwortet", "%[2]s schrieb:", "Gespräch fortsetzen"},
	"es": {"%[1]s: %[2]s ha respondido a tu chat", "%[2]s escribió:", "Continuar la conversación"},
}

var replyHTML = template.Must(template.New("reply").Parse(`<div>
<p>{{.Intro}}</p>
<blockquote>{{range $i, $l := .Lines}}{{if $i}}<br>{{end}}{{$l}}{{end}}</blockquote>
{{- if .Link}}
<p><a href="{{.Link}}">{{.More}}</a></p>
{{- end}}
</div>`))

// reply makes an attempt at a reply email: nothing is sent to a visitor who has read the reply
// in the chat meanwhile.
func (ob *Outbox) reply(ctx context.Context, j *job) (string, error) {
	r := j.p.Reply
	if r == nil {
		return "", errors.New("outbox: the delivery has no reply")
	}
	conv, err := ob.o.Store.Conversation(ctx, r.ConversationID)
	if err != nil {
		return "", retryUnlessGone("read the conversation", err)
	}
	if conv.VisitorReadSeq >= r.VisitorSeq {
		return "read in the chat", nil
	}
	msgs, _, err := ob.o.Store.Messages(ctx, chat.MessageQuery{ConversationID: r.ConversationID, After: r.VisitorSeq - 1, Limit: 1, VisitorView: true})
	if err != nil {
		return "", &helpdesk.Retry{Err: fmt.Errorf("read the reply: %w", err)}
	}
	if len(msgs) == 0 || msgs[0].ID != r.MessageID {
		return "", errors.New("the reply is not in the conversation any more")
	}
	m := msgs[0]
	site, err := ob.o.Store.SiteByID(ctx, r.SiteID)
	if err != nil {
		return "", retryUnlessGone("read the site", err)
	}
	if ob.o.Senders == nil || ob.o.Senders.SMTP == nil {
		return "", errors.New("email: no mail server: set BATON_SMTP_URL and BATON_SMTP_FROM")
	}
	texts, ok := replyTexts[r.Locale]
	if !ok {
		texts = replyTexts["en"]
	}
	who := author(m)
	mail := &helpdesk.Mail{Key: j.d.Key, FromName: site.Name, To: r.Email, Conversation: r.ConversationID,
		Subject: fmt.Sprintf(texts[0], site.Name, who)}
	intro := fmt.Sprintf(texts[1], site.Name, who)
	var text strings.Builder
	fmt.Fprintf(&text, "%s\n\n%s\n", intro, strings.TrimSpace(m.Text))
	link := ""
	if strings.HasPrefix(r.PageURL, "https://") || strings.HasPrefix(r.PageURL, "http://") {
		link = r.PageURL
		fmt.Fprintf(&text, "\n%s: %s\n", texts[2], link)
	}
	mail.Text = text.String()
	var html bytes.Buffer
	if err := replyHTML.Execute(&html, map[string]any{"Intro": intro, "Lines": strings.Split(strings.TrimSpace(m.Text), "\n"), "Link": link, "More": texts[2]}); err != nil {
		return "", fmt.Errorf("outbox: reply template: %w", err)
	}
	mail.HTML = html.String()
	return ob.o.Senders.SMTP.Send(ctx, mail)
}

func retryUnlessGone(what string, err error) error {
	if errors.Is(err, chat.ErrNotFound) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return &helpdesk.Retry{Err: fmt.Errorf("%s: %w", what, err)}
}

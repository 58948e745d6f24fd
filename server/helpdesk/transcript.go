package helpdesk

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"
)

// timeLayout writes transcript times with their zone, so a reader in another one is not misled.
const timeLayout = "2006-01-02 15:04:05 MST"

func (t *Ticket) location() *time.Location {
	if t.TimeZone != "" {
		if loc, err := time.LoadLocation(t.TimeZone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// details are the facts above the transcript, in order.
func (t *Ticket) details() [][2]string {
	d := [][2]string{}
	add := func(k, v string) {
		if v = oneLine(v); v != "" {
			d = append(d, [2]string{k, v})
		}
	}
	add("Visitor", t.Visitor.Name)
	email := t.Visitor.Email
	if email != "" && t.Visitor.EmailVerified {
		email += " (verified by the site)"
	}
	add("Email", email)
	add("Profile id", t.Visitor.ExternalID)
	add("Visitor id", t.Visitor.ID)
	add("Site", t.SiteName)
	add("Tags", strings.Join(t.Tags, ", "))
	add("Handed over", t.Reason)
	add("Conversation", t.Link)
	if t.Link == "" {
		add("Conversation", t.ConversationID)
	}
	return d
}

// Text renders the ticket as plain text: notice, details, then the transcript with times.
func (t *Ticket) Text() string {
	var b strings.Builder
	if t.Notice != "" {
		b.WriteString(t.Notice)
		b.WriteString("\n\n")
	}
	for _, d := range t.details() {
		fmt.Fprintf(&b, "%s: %s\n", d[0], d[1])
	}
	b.WriteString("\nTranscript\n")
	loc := t.location()
	for _, l := range t.Transcript {
		fmt.Fprintf(&b, "\n[%s] %s (%s):\n%s\n", l.At.In(loc).Format(timeLayout), oneLine(l.Author), l.AuthorType, strings.TrimSpace(l.Text))
	}
	return b.String()
}

// ticketHTML is the HTML body. html/template escapes every value, so nothing a visitor typed
// can become markup in an agent's helpdesk or mail client.
var ticketHTML = template.Must(template.New("ticket").Parse(`<div>
{{- if .Notice}}<p><strong>{{.Notice}}</strong></p>{{end}}
<table>
{{- range .Details}}<tr><th align="left">{{index . 0}}</th><td>{{if eq (index . 0) "Conversation"}}{{if $.LinkOK}}<a href="{{index . 1}}">{{index . 1}}</a>{{else}}{{index . 1}}{{end}}{{else}}{{index . 1}}{{end}}</td></tr>{{end}}
</table>
<h3>Transcript</h3>
{{- range .Lines}}
<p><small>{{.At}}</small> <strong>{{.Author}}</strong> <small>({{.Type}})</small><br>{{range $i, $l := .Text}}{{if $i}}<br>{{end}}{{$l}}{{end}}</p>
{{- end}}
</div>`))

// HTML renders the ticket as an HTML fragment (Zendesk's html_body, Gorgias's body_html, the
// email's HTML part).
func (t *Ticket) HTML() string {
	type line struct {
		At, Author, Type string
		Text             []string
	}
	loc := t.location()
	data := struct {
		Notice  string
		Details [][2]string
		LinkOK  bool
		Lines   []line
	}{Notice: t.Notice, Details: t.details(), LinkOK: strings.HasPrefix(t.Link, "https://") || strings.HasPrefix(t.Link, "http://")}
	for _, l := range t.Transcript {
		data.Lines = append(data.Lines, line{At: l.At.In(loc).Format(timeLayout), Author: oneLine(l.Author), Type: l.AuthorType,
			Text: strings.Split(strings.TrimSpace(l.Text), "\n")})
	}
	var b bytes.Buffer
	if err := ticketHTML.Execute(&b, data); err != nil {
		panic(fmt.Sprintf("helpdesk: ticket template: %v", err)) // plain strings only: cannot fail
	}
	return b.String()
}

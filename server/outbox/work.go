package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/helpdesk"
)

// job is one claimed delivery and the lease it was claimed with.
type job struct {
	d     *chat.Delivery
	lease time.Time // the DueAt of the claim: SaveDelivery must present it
	p     payload
}

// work makes one attempt at a claimed delivery, or reports the outcome of a finished one.
func (ob *Outbox) work(d *chat.Delivery) {
	j := &job{d: d, lease: d.DueAt}
	log := ob.o.Log.With("delivery", d.ID, "kind", d.Kind, "method", d.Method, "site", d.SiteID, "conversation", d.ConversationID)
	if err := json.Unmarshal(d.Payload, &j.p); err != nil {
		ob.finish(j, "", fmt.Errorf("outbox: unreadable payload: %w", err), nil)
		return
	}
	if d.Status != chat.DeliveryPending {
		ob.report(j)
		return
	}
	ctx, cancel := context.WithTimeout(ob.ctx, ob.o.Timeout)
	defer cancel()
	var (
		ref string
		err error
		cfg *helpdesk.Config
	)
	if d.Kind == chat.DeliveryReply {
		ref, err = ob.reply(ctx, j)
	} else if d.Kind == DeliveryRule {
		ref, err = ob.rule(ctx, j)
	} else {
		cfg, ref, err = ob.deliver(ctx, j)
	}
	if errors.Is(err, errLeaseLost) {
		log.Warn("outbox: attempt abandoned", "err", err)
		return
	}
	if ob.finish(j, ref, err, cfg) {
		if err != nil {
			log.Warn("outbox: attempt failed", "attempt", d.Attempts, "of", d.MaxAttempts, "status", d.Status, "err", err)
		} else {
			log.Info("outbox: delivered", "attempt", d.Attempts, "ref", ref)
		}
		if d.Status != chat.DeliveryPending && !d.Notified {
			ob.report(j)
		}
	}
}

// deliver makes an attempt at a handoff or fallback delivery.
func (ob *Outbox) deliver(ctx context.Context, j *job) (*helpdesk.Config, string, error) {
	d := j.d
	cfg, err := ob.o.Config(ctx, d.SiteID)
	if err != nil {
		if errors.Is(err, chat.ErrNotFound) {
			return nil, "", fmt.Errorf("the site is gone: %w", err)
		}
		return nil, "", &helpdesk.Retry{Err: fmt.Errorf("read the site's settings: %w", err)}
	}
	var del helpdesk.Deliverer
	if d.Kind == chat.DeliveryFallback {
		if del = ob.o.Senders.Fallback(cfg); del == nil {
			return cfg, "", errors.New("the site has no fallback_email any more")
		}
	} else if del, err = ob.o.Senders.For(d.Method, cfg); err != nil {
		return cfg, "", err
	}
	if j.p.Ticket == nil {
		// The first attempt writes the transcript down: every later attempt sends the same one.
		if j.p.Ticket, err = ob.ticket(ctx, j.p.Handoff); err != nil {
			return cfg, "", &helpdesk.Retry{Err: err}
		}
		if err := ob.save(j, nil); err != nil {
			return cfg, "", err
		}
	}
	ref, err := del.Deliver(ctx, helpdesk.Request{Key: d.Key, Attempt: d.Attempts, Ticket: j.p.Ticket})
	return cfg, ref, err
}

// errLeaseLost: the delivery was taken by another worker after this one's lease ran out.
var errLeaseLost = errors.New("outbox: the lease ran out and another worker took the delivery")

// save stores the job's delivery under its lease (and next with it).
func (ob *Outbox) save(j *job, next *chat.Delivery) error {
	b, err := json.Marshal(j.p)
	if err != nil {
		return fmt.Errorf("outbox: encode delivery: %w", err)
	}
	j.d.Payload = b
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ok, err := ob.o.Store.SaveDelivery(ctx, j.d, j.lease, next)
	if err != nil {
		return fmt.Errorf("outbox: save delivery: %w", err)
	}
	if !ok {
		return errLeaseLost
	}
	j.lease = j.d.DueAt
	return nil
}

// finish records an attempt's result: delivered, retried later, or failed (with the fallback
// enqueued). It reports whether the result was stored.
func (ob *Outbox) finish(j *job, ref string, err error, cfg *helpdesk.Config) bool {
	d, now := j.d, ob.o.Now()
	var next *chat.Delivery
	after, retry := helpdesk.RetryAfter(err)
	switch {
	case err == nil:
		d.Status, d.Ref, d.LastError, d.DoneAt = chat.DeliveryDelivered, ref, "", now
		deliveries.WithLabelValues(d.Kind, d.Method, "delivered").Inc()
	case retry && d.Attempts < d.MaxAttempts:
		if after <= 0 {
			after = ob.o.Backoff(d.Attempts)
		}
		d.LastError, d.DueAt = clip(err.Error()), now.Add(min(after, ob.o.MaxRetryAfter))
		deliveries.WithLabelValues(d.Kind, d.Method, "retry").Inc()
	default:
		d.Status, d.LastError, d.DoneAt = chat.DeliveryFailed, clip(err.Error()), now
		deliveries.WithLabelValues(d.Kind, d.Method, "failed").Inc()
		if d.Kind == chat.DeliveryHandoff && cfg != nil && cfg.FallbackEmail != "" {
			next = ob.fallback(j, now)
		}
	}
	if d.Status != chat.DeliveryPending {
		// The outcome is reported next, under a fresh lease: if this process dies first,
		// another worker reports it when the lease ends.
		d.DueAt = now.Add(ob.o.Lease)
		if d.Kind == chat.DeliveryReply || d.Kind == DeliveryRule || next != nil {
			d.Notified, d.DueAt = true, time.Time{} // nothing to report, or the fallback will
		}
	}
	if err := ob.save(j, next); err != nil {
		ob.o.Log.Error("outbox: the attempt's result was not stored", "delivery", d.ID, "err", err)
		return false
	}
	if d.Status == chat.DeliveryFailed {
		ob.o.Log.Error("outbox: delivery failed", "delivery", d.ID, "kind", d.Kind, "method", d.Method, "site", d.SiteID,
			"conversation", d.ConversationID, "attempts", d.Attempts, "err", d.LastError, "fallback", next != nil)
	}
	return true
}

// fallback is the delivery of a failed handoff's transcript to the site's fallback address.
func (ob *Outbox) fallback(j *job, now time.Time) *chat.Delivery {
	d := j.d
	p := payload{Handoff: j.p.Handoff}
	if j.p.Ticket != nil {
		t := *j.p.Ticket
		t.Notice = fmt.Sprintf("Baton could not deliver this conversation by %s after %d attempt(s): %s. "+
			"The visitor was told a person will reply by email: please answer them at %s.", d.Method, d.Attempts, d.LastError, t.Visitor.Email)
		t.Subject = "Not delivered by " + d.Method + ": " + t.Subject
		p.Ticket = &t
	}
	b, _ := json.Marshal(p)
	return &chat.Delivery{SiteID: d.SiteID, ConversationID: d.ConversationID, Kind: chat.DeliveryFallback, Method: helpdesk.MethodEmail,
		Key: d.Key + ":fallback", FallbackOf: d.ID, Payload: b, MaxAttempts: d.MaxAttempts, DueAt: now}
}

// report tells the flow how a handoff delivery ended, and records that it did.
func (ob *Outbox) report(j *job) {
	d := j.d
	if d.Kind != chat.DeliveryReply && d.Kind != DeliveryRule && ob.outcomes != nil {
		ctx, cancel := context.WithTimeout(ob.ctx, ob.o.Timeout)
		err := ob.tell(ctx, d)
		cancel()
		if err != nil && !errors.Is(err, chat.ErrNotFound) {
			// Left due at the end of its lease: told again then.
			ob.o.Log.Error("outbox: the handoff flow was not told the outcome; it will be again", "delivery", d.ID, "err", err)
			return
		}
		if err != nil {
			ob.o.Log.Error("outbox: the handoff flow could not take the outcome", "delivery", d.ID, "err", err)
		}
	}
	d.Notified, d.DueAt = true, time.Time{}
	if err := ob.save(j, nil); err != nil {
		ob.o.Log.Error("outbox: could not record that the outcome was told", "delivery", d.ID, "err", err)
	}
}

func (ob *Outbox) tell(ctx context.Context, d *chat.Delivery) error {
	if d.Kind == chat.DeliveryFallback {
		if d.Status == chat.DeliveryDelivered {
			return ob.outcomes.Delivered(ctx, d.ConversationID, "fallback email "+d.Ref)
		}
		reason := "the fallback email failed too: " + d.LastError
		if root, err := ob.o.Store.Delivery(ctx, d.FallbackOf); err == nil {
			reason = root.LastError + "; " + reason
		}
		return ob.outcomes.Failed(ctx, d.ConversationID, reason)
	}
	if d.Status == chat.DeliveryDelivered {
		return ob.outcomes.Delivered(ctx, d.ConversationID, d.Ref)
	}
	return ob.outcomes.Failed(ctx, d.ConversationID, d.LastError)
}

// ticket builds what the team receives from the conversation as it is now.
func (ob *Outbox) ticket(ctx context.Context, h *Handoff) (*helpdesk.Ticket, error) {
	if h == nil {
		return nil, errors.New("outbox: the delivery has no handoff")
	}
	site, err := ob.o.Store.SiteByID(ctx, h.SiteID)
	if err != nil {
		return nil, fmt.Errorf("read the site: %w", err)
	}
	t := &helpdesk.Ticket{ConversationID: h.ConversationID, SiteKey: site.Key, SiteName: site.Name, Tags: h.Tags, Reason: h.Reason,
		TimeZone: h.TimeZone, Visitor: helpdesk.Visitor{Email: h.Email}}
	if t.Tags == nil {
		t.Tags = []string{}
	}
	if v := h.Visitor; v != nil {
		t.Visitor.ID, t.Visitor.ExternalID, t.Visitor.Name = v.ID, v.ExternalID, v.Name
		t.Visitor.EmailVerified = v.EmailVerified && strings.EqualFold(v.Email, h.Email)
	}
	if ob.o.Link != nil {
		t.Link = ob.o.Link(site.Key, h.ConversationID)
	}
	var after int64
	for {
		page, more, err := ob.o.Store.Messages(ctx, chat.MessageQuery{ConversationID: h.ConversationID, After: after, Limit: 500, VisitorView: true})
		if err != nil {
			return nil, fmt.Errorf("read the conversation: %w", err)
		}
		for _, m := range page {
			after = m.VisitorSeq
			text := strings.TrimSpace(m.Text)
			for i := range m.Attachments {
				text = strings.TrimSpace(text + "\n" + ob.fileLine(&m.Attachments[i]))
			}
			if m.Kind != chat.KindText || text == "" {
				continue
			}
			t.Transcript = append(t.Transcript, helpdesk.Line{At: m.CreatedAt, Author: author(m), AuthorType: string(m.AuthorType), Text: text})
		}
		if !more || len(page) == 0 {
			break
		}
	}
	if n := len(t.Transcript) - ob.o.MaxLines; n > 0 {
		t.Transcript = t.Transcript[n:]
		t.Notice = fmt.Sprintf("The %d earliest messages are left out; the whole conversation is in Baton.", n)
	}
	for _, l := range t.Transcript {
		if l.AuthorType == string(chat.AuthorVisitor) {
			t.Subject = subjectFrom(l.Text)
			break
		}
	}
	return t, nil
}

func author(m *chat.Message) string {
	if m.AuthorName != "" {
		return m.AuthorName
	}
	switch m.AuthorType {
	case chat.AuthorVisitor:
		return "Visitor"
	case chat.AuthorBot:
		return "Bot"
	}
	return string(m.AuthorType)
}

// subjectFrom makes a subject of the visitor's first message: its first line, shortened.
func subjectFrom(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if utf8.RuneCountInString(s) > 80 {
		s = string([]rune(s)[:79]) + "…"
	}
	return s
}

// clip keeps an error short enough for the admins' list.
func clip(s string) string {
	if len(s) <= 1000 {
		return s
	}
	return strings.ToValidUTF8(s[:1000], "") + "…"
}

// fileLine is how a file sent in the conversation reads in a ticket: name, size and, when the
// server knows its public URL, where to download it.
func (ob *Outbox) fileLine(a *chat.Attachment) string {
	line := fmt.Sprintf("[file] %s (%s)", a.Name, fileSize(a.Size))
	if ob.o.FileURL != nil {
		line += ": " + ob.o.FileURL(a)
	}
	return line
}

func fileSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+1<<9)>>10)
	}
	return fmt.Sprintf("%d B", n)
}

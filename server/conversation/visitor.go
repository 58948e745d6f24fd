package conversation

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/batonchat/baton/server/chat"
)

// MaxViewTags bounds a list's any-of tag filter (site.MaxViewTags for views in settings).
const MaxViewTags = 20

// viewTags checks the tags of an any-of filter.
func viewTags(tags []string) error {
	if len(tags) > MaxViewTags {
		return chat.Errorf(chat.EInvalid, "tags: at most %d", MaxViewTags)
	}
	for i, t := range tags {
		if len(t) > MaxTagLen || !tagRE.MatchString(t) {
			return chat.Errorf(chat.EInvalid, "tags[%d]: %q is not a tag (1-%d lowercase letters, digits, _, - and :)", i, t, MaxTagLen)
		}
	}
	return nil
}

// VisitorDetails are the profile fields an agent may edit; nil leaves a field as it is and ""
// clears it.
type VisitorDetails struct {
	Name    *string
	Email   *string
	Phone   *string
	Address *string
}

// Limits of the details an agent edits (docs/api.md).
const (
	MaxVisitorName    = 200
	MaxVisitorPhone   = 40
	MaxVisitorAddress = 500
)

var phoneRE = regexp.MustCompile(`^\+?[0-9 ()./-]{3,40}$`)

func (d *VisitorDetails) validate(v *chat.Visitor) error {
	trim := func(p *string) {
		if p != nil {
			*p = strings.TrimSpace(*p)
		}
	}
	trim(d.Name)
	trim(d.Email)
	trim(d.Phone)
	trim(d.Address)
	text := func(field string, p *string, max int) error {
		if p != nil && (!utf8.ValidString(*p) || utf8.RuneCountInString(*p) > max || strings.ContainsAny(*p, "\x00\r")) {
			return chat.Errorf(chat.EInvalid, "%s: must be text of at most %d characters", field, max)
		}
		return nil
	}
	if err := text("name", d.Name, MaxVisitorName); err != nil {
		return err
	}
	if d.Name != nil && strings.Contains(*d.Name, "\n") {
		return chat.Errorf(chat.EInvalid, "name: must be one line")
	}
	if err := text("address", d.Address, MaxVisitorAddress); err != nil {
		return err
	}
	if d.Phone != nil && *d.Phone != "" && !phoneRE.MatchString(*d.Phone) {
		return chat.Errorf(chat.EInvalid, "phone: %q is not a phone number (digits, spaces, + ( ) . / -, at most %d)", *d.Phone, MaxVisitorPhone)
	}
	if d.Email != nil {
		if *d.Email != "" && !plausibleEmail(*d.Email) {
			return chat.Errorf(chat.EInvalid, "email: %q is not an email address", *d.Email)
		}
		// A verified email is the site's word (its identity token): agents see it, never change it.
		if v.EmailVerified && *d.Email != v.Email {
			return chat.Errorf(chat.EConflict, "email: verified by the site's sign-in: change it in the site's own account, not here")
		}
	}
	if d.Name == nil && d.Email == nil && d.Phone == nil && d.Address == nil {
		return chat.Errorf(chat.EInvalid, "give at least one of name, email, phone and address")
	}
	return nil
}

// UpdateVisitor changes a visitor's details for an agent of the visitor's site. A visitor of
// another site is not found, so its existence does not leak.
func (s *Service) UpdateVisitor(ctx context.Context, actor Actor, id string, d VisitorDetails) (*chat.Visitor, error) {
	if actor.Type != chat.AuthorAgent || actor.Agent == nil {
		return nil, chat.Errorf(chat.EForbidden, "only agents edit a visitor's details")
	}
	var out *chat.Visitor
	err := s.store.Tx(ctx, func(tx chat.Tx) error {
		v, err := tx.Visitor(id)
		if err != nil {
			return err
		}
		if !actor.Agent.CanAccessSite(v.SiteID) {
			return chat.ErrNotFound
		}
		if err := d.validate(v); err != nil {
			return err
		}
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		set(&v.Name, d.Name)
		set(&v.Email, d.Email)
		set(&v.Phone, d.Phone)
		set(&v.Address, d.Address)
		out = v
		return tx.SaveVisitor(v)
	})
	if err != nil {
		return nil, fmt.Errorf("update visitor %s: %w", id, err)
	}
	// Other agents' consoles showing this visitor follow the edit live.
	cp := *out
	s.pub.Publish(&chat.Event{Type: chat.EventVisitor, SiteID: out.SiteID, VisitorID: out.ID, Visitor: &cp})
	return out, nil
}

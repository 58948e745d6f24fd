package chat

import (
	"context"
	"time"
)

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

// Delivery states.
const (
	DeliveryPending   DeliveryStatus = "pending"   // waiting for its first or next attempt
	DeliveryDelivered DeliveryStatus = "delivered" // the helpdesk, mail server or webhook took it
	DeliveryFailed    DeliveryStatus = "failed"    // a final error, or every attempt failed
)

// Delivery kinds.
const (
	DeliveryHandoff  = "handoff"  // a handed-off conversation to the site's helpdesk, support address or webhook
	DeliveryFallback = "fallback" // the transcript of a failed handoff delivery, to the site's fallback address
	DeliveryReply    = "reply"    // a person's reply, by email, to a visitor who left the chat
)

// Delivery is a durable job of the outbox (package outbox): something to send outside Baton,
// written in the transaction that decides it and attempted until it succeeds or fails for good.
type Delivery struct {
	ID             string
	SiteID         string
	ConversationID string
	Kind           string // DeliveryHandoff, DeliveryFallback or DeliveryReply
	Method         string // zendesk, gorgias, email or webhook
	// Key is the same on every attempt (the vendors' idempotency key) and unique: a second
	// delivery with the same key is not stored.
	Key string
	// FallbackOf is the delivery whose failure this one reports, for a fallback.
	FallbackOf string
	// Payload is what to deliver, as package outbox encodes it.
	Payload     []byte
	Status      DeliveryStatus
	Attempts    int
	MaxAttempts int
	// DueAt is when a worker should next take the delivery (its next attempt, or reporting its
	// outcome); zero when nothing is left to do. A worker taking it moves it to the end of its
	// lease, so a worker that dies leaves it to another one after the lease.
	DueAt     time.Time
	Ref       string // the vendor's reference, once delivered
	LastError string
	Notified  bool // the outcome was reported (package outbox's Outcomes)
	CreatedAt time.Time
	UpdatedAt time.Time
	DoneAt    time.Time // delivered or failed
}

// DeliveryFilter selects deliveries for the admin list, newest first.
type DeliveryFilter struct {
	SiteID         string
	Status         DeliveryStatus // empty: any
	ConversationID string
	Limit          int    // 1..200, default 50
	Cursor         string // from a previous page's next
}

// DeliveryTx is the part of a transaction that enqueues deliveries, so that a delivery is
// stored with the state change that decides it, or not at all. The store's transactions
// implement it.
type DeliveryTx interface {
	// EnqueueDelivery stores d unless a delivery with its key exists; it reports whether it did.
	EnqueueDelivery(d *Delivery) (bool, error)
}

// DeliveryStore reads the outbox for admins.
type DeliveryStore interface {
	Delivery(ctx context.Context, id string) (*Delivery, error)
	// Deliveries lists a site's deliveries, newest first, without their payloads.
	Deliveries(ctx context.Context, f DeliveryFilter) (list []*Delivery, next string, err error)
}

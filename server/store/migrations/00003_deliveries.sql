-- +goose Up
-- The outbox (package outbox): tickets, emails and webhooks to send outside Baton, each written
-- in the transaction that decides it and attempted until it succeeds or fails for good.
CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    site_id         TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    -- Erasing a conversation erases its deliveries: their payloads hold its transcript.
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    method          TEXT NOT NULL,
    -- The same on every attempt: vendors dedupe on it, and it keeps an intent stored once.
    idempotency_key TEXT NOT NULL UNIQUE,
    fallback_of     TEXT REFERENCES deliveries(id) ON DELETE CASCADE,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    max_attempts    INTEGER NOT NULL,
    -- When a worker should next take it (an attempt, or reporting the outcome); NULL when done.
    -- Taking it moves due_at to the end of the worker's lease, which also fences the worker's
    -- result: it is stored only while due_at still holds the lease it took.
    due_at          BIGINT,
    ref             TEXT NOT NULL DEFAULT '',
    last_error      TEXT NOT NULL DEFAULT '',
    notified        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    done_at         BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_due ON deliveries (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX deliveries_site ON deliveries (site_id, created_at, id);
CREATE INDEX deliveries_conversation ON deliveries (conversation_id);
CREATE INDEX deliveries_fallback ON deliveries (fallback_of) WHERE fallback_of IS NOT NULL;

-- +goose Down
DROP TABLE deliveries;

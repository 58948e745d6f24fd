-- +goose Up
-- The handoff flow's state, one row per conversation, changed in the same transaction as the
-- conversation, so a restart continues the flow where it was (package handoff).
CREATE TABLE handoffs (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    site_id         TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    state           TEXT NOT NULL,
    method          TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    tag             TEXT NOT NULL DEFAULT '',
    locale          TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    tries           INTEGER NOT NULL DEFAULT 0,
    outcome         TEXT NOT NULL DEFAULT '',
    ticket_ref      TEXT NOT NULL DEFAULT '',
    offered_at      BIGINT NOT NULL DEFAULT 0,
    consented_at    BIGINT NOT NULL DEFAULT 0,
    first_reply_at  BIGINT NOT NULL DEFAULT 0,
    updated_at      BIGINT NOT NULL
);

-- Countable steps of handoffs (offered, accepted, declined, …) for the dashboard's numbers,
-- which are asked per conversation started in a date range.
CREATE TABLE handoff_events (
    id              TEXT PRIMARY KEY,
    site_id         TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    at              BIGINT NOT NULL
);
CREATE INDEX handoff_events_conversation ON handoff_events (conversation_id, kind);
-- The numbers select a site's conversations by start time.
CREATE INDEX conversations_site_created ON conversations (site_id, created_at);

-- +goose Down
DROP INDEX conversations_site_created;
DROP TABLE handoff_events;
DROP TABLE handoffs;

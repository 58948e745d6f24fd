-- +goose Up
-- One schema for SQLite and PostgreSQL: plain types only, times as Unix milliseconds.
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE sites (
    id              TEXT PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    identity_secret TEXT NOT NULL,
    settings        TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE agents (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    token_version BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

CREATE TABLE agent_sites (
    agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    site_id  TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    PRIMARY KEY (agent_id, site_id)
);

CREATE TABLE visitors (
    id             TEXT PRIMARY KEY,
    site_id        TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    external_id    TEXT,
    name           TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    phone          TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    locale         TEXT NOT NULL DEFAULT '',
    page_url       TEXT NOT NULL DEFAULT '',
    page_title     TEXT NOT NULL DEFAULT '',
    attributes     TEXT NOT NULL DEFAULT '{}',
    created_at     BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX visitors_external ON visitors (site_id, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE conversations (
    id               TEXT PRIMARY KEY,
    site_id          TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    visitor_id       TEXT NOT NULL REFERENCES visitors(id) ON DELETE CASCADE,
    status           TEXT NOT NULL,
    assignee_id      TEXT REFERENCES agents(id) ON DELETE SET NULL,
    bot_paused       BOOLEAN NOT NULL DEFAULT FALSE,
    last_seq         BIGINT NOT NULL DEFAULT 0,
    visitor_seq      BIGINT NOT NULL DEFAULT 0,
    visitor_read_seq BIGINT NOT NULL DEFAULT 0,
    agent_read_seq   BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    resolved_at      BIGINT NOT NULL DEFAULT 0
);
-- A visitor has at most one unresolved conversation; concurrent first messages race on this.
CREATE UNIQUE INDEX conversations_open_visitor ON conversations (visitor_id) WHERE status <> 'resolved';
CREATE INDEX conversations_site_status ON conversations (site_id, status, updated_at, id);
CREATE INDEX conversations_site_updated ON conversations (site_id, updated_at, id);
CREATE INDEX conversations_assignee ON conversations (assignee_id, status, updated_at);

CREATE TABLE conversation_tags (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    tag             TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, tag)
);
CREATE INDEX conversation_tags_tag ON conversation_tags (tag, conversation_id);

CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    visitor_seq     BIGINT NOT NULL DEFAULT 0,
    client_id       TEXT,
    author_type     TEXT NOT NULL,
    author_id       TEXT NOT NULL,
    author_name     TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,
    body            TEXT NOT NULL,
    data            TEXT,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX messages_seq ON messages (conversation_id, seq);
CREATE INDEX messages_visitor_seq ON messages (conversation_id, visitor_seq) WHERE visitor_seq > 0;
-- Idempotent sends: one message per author and client id, however often it is retried.
CREATE UNIQUE INDEX messages_client_id ON messages (author_id, client_id) WHERE client_id IS NOT NULL;

-- +goose Down
DROP TABLE messages;
DROP TABLE conversation_tags;
DROP TABLE conversations;
DROP TABLE visitors;
DROP TABLE agent_sites;
DROP TABLE agents;
DROP TABLE sites;
DROP TABLE meta;

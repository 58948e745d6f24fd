-- +goose Up
-- Files visitors and agents attach to messages (package attachment). The bytes live under the
-- data directory, named by id; this table holds what is known about them. An attachment is
-- uploaded first (message_id NULL: only its uploader may send it) and bound to one message by
-- the send that carries it; unbound uploads older than a day are pruned.
CREATE TABLE attachments (
    id              TEXT PRIMARY KEY,
    site_id         TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    -- NULL for a visitor's upload before their first message opened a conversation.
    conversation_id TEXT REFERENCES conversations(id) ON DELETE CASCADE,
    message_id      TEXT,
    uploader_type   TEXT NOT NULL,
    uploader_id     TEXT NOT NULL,
    -- Sanitised: no path, no control characters, at most 200 characters.
    name            TEXT NOT NULL,
    -- Found by sniffing the bytes, never taken from the client.
    content_type    TEXT NOT NULL,
    size            BIGINT NOT NULL,
    sha256          TEXT NOT NULL,
    -- The capability in the download URL: 32 random bytes, hex.
    secret          TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX attachments_unbound ON attachments (created_at) WHERE message_id IS NULL;

-- +goose Down
DROP TABLE attachments;

-- +goose Up
-- Console sessions (package account): the cookie holds a random secret, this table its SHA-256,
-- so signing out or revoking deletes the row and the session is gone at once.
CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    agent_id      TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    secret_hash   TEXT NOT NULL UNIQUE,
    -- The agent's token version at sign-in: changing the password (which bumps it) ends the session.
    token_version BIGINT NOT NULL,
    user_agent    TEXT NOT NULL DEFAULT '',
    ip            TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX sessions_agent ON sessions (agent_id, created_at);

-- One-time links to set a password: invitations and resets. Only the token's SHA-256 is kept;
-- using a link deletes it.
CREATE TABLE password_links (
    hash       TEXT PRIMARY KEY,
    agent_id   TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX password_links_agent ON password_links (agent_id);

-- +goose Down
DROP TABLE password_links;
DROP TABLE sessions;

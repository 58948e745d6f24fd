-- +goose Up
-- Routing (package routing): where round-robin stands per site and team, and the timers that
-- reassign a conversation whose agent has not replied. Both live here, not in memory, so they
-- survive a restart and are shared by every node.
CREATE TABLE routing_cursors (
    site_id       TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    -- The team's name; '' for the site's own policy.
    team          TEXT NOT NULL,
    -- The agent who got the last conversation: the next one goes to the agent after them.
    last_agent_id TEXT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (site_id, team)
);

-- One timer per conversation, written in the transaction that assigns it: when due_at passes
-- and the agent has not replied since assigned_seq, a worker reassigns the conversation. A
-- worker claims a timer by deleting it inside the transaction that acts on it.
CREATE TABLE routing_timers (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    site_id         TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    agent_id        TEXT NOT NULL,
    -- The team the conversation was routed within ('' for the site): a reassignment stays in it.
    team            TEXT NOT NULL DEFAULT '',
    -- The conversation's last sequence number at the assignment: a reply after it counts.
    assigned_seq    BIGINT NOT NULL,
    assigned_at     BIGINT NOT NULL,
    due_at          BIGINT NOT NULL
);
CREATE INDEX routing_timers_due ON routing_timers (due_at);

-- +goose Down
DROP TABLE routing_timers;
DROP TABLE routing_cursors;

-- Other channels (issue 10): what each non-primary platform holds of our orders, and its health.
-- The outbox already keeps one ordered stream per order per channel (its `channel` column).

-- One row per order a channel holds that we know of: a till sale we reported to it
-- (origin 'ours'), or the channel's own order we pulled (origin 'theirs'; when it was put on
-- the clerk's board, client_ref names the local order — this marks its channel of origin).
CREATE TABLE channel_orders (
    channel      TEXT NOT NULL,
    remote_id    TEXT NOT NULL,
    number       TEXT NOT NULL,
    origin       TEXT NOT NULL CHECK (origin IN ('ours', 'theirs')),
    client_ref   TEXT,
    -- The channel's own status spelling, always kept; status_ours is NULL when unknown.
    status_raw   TEXT NOT NULL,
    status_label TEXT,
    status_ours  TEXT,
    refund_raw   TEXT,
    total_fen    INTEGER,
    business_day TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '{}',
    conflict     TEXT,
    PRIMARY KEY (channel, remote_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX channel_orders_ref ON channel_orders (channel, client_ref) WHERE client_ref IS NOT NULL;
CREATE INDEX channel_orders_day ON channel_orders (business_day, channel);
CREATE INDEX channel_orders_local ON channel_orders (client_ref);

CREATE TABLE channel_health (
    channel          TEXT PRIMARY KEY,
    online           INTEGER NOT NULL DEFAULT 0,
    last_round_at    TEXT,
    last_success_at  TEXT,
    last_error       TEXT,
    counts           TEXT
) WITHOUT ROWID;

-- The outbox engine's state in typed columns (issue 13): nothing is decided by parsing
-- `last_error` any more, which is kept for people only.
--   unknown    a request left and its outcome is not known: look it up before any resend
--   accepted   the platform took it (an after-sales service stored without a number):
--              it is only ever looked up, never sent again
--   generation the marker generation of a create: a sale whose platform number turned out
--              to reach another order is created again under the next generation
--   regens     re-creations since a person last looked (the bound; `generation` names
--              the marker and never goes back)
--   checks     read-backs that found an action not applied yet
--   ambiguous  answers that may be transient (库存不足 from a deadlock, a walk-in 500)
--   failures   consecutive failed tries (the backoff exponent)
--   conflict_kind  why a held row is held (refused, stock, not_ours, attempts, ...)
ALTER TABLE outbox ADD COLUMN unknown INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN accepted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN regens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN checks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN ambiguous INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN conflict_kind TEXT;

-- Rows written by earlier versions: any attempt may have landed.
UPDATE outbox SET unknown = 1 WHERE state != 'done' AND attempts > 0;
UPDATE outbox SET accepted = 1 WHERE state != 'done' AND op = 'after_sales' AND last_error LIKE 'created on platform%';

-- Platform orders that carry one of our markers but cannot be reached: their number is
-- shared with an older order (same millisecond, same account), so GET and PUT by it
-- reach that other order. The sale was created again; a manager has these voided.
CREATE TABLE platform_strays (
    id             INTEGER PRIMARY KEY,
    client_ref     TEXT NOT NULL,
    order_number   TEXT NOT NULL,
    generation     INTEGER NOT NULL,
    -- the remark of the order the number reaches instead (for the manager)
    reaches_remark TEXT,
    found_at       TEXT NOT NULL,
    voided_at      TEXT,
    UNIQUE (client_ref, generation)
);
CREATE INDEX platform_strays_open ON platform_strays (voided_at, found_at);

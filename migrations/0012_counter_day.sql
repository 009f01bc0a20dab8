-- Issue 23, the cashier's day. (Numbered 0012: 0010 and 0011 belong to other branches.)

-- The cart being built on one screen (a browser tab's or the desktop window's device id),
-- kept so a reload, a crash of the till or another window of the same screen gets it back.
-- Not an order: nothing here goes to the platform. `pending_client_ref` is the unpaid sale
-- the screen was taking money for (reopened after a reload or restart).
CREATE TABLE cart_drafts (
    device             TEXT PRIMARY KEY,
    user_id            INTEGER,
    cart               TEXT NOT NULL,
    pending_client_ref TEXT,
    updated_at         TEXT NOT NULL
);

-- 挂单: a cart parked with a note while the next customer is rung up; recalled (取单) on
-- any screen of this till. Not an order until checkout. `recalled_at` set = taken back
-- (or discarded by a manager); open rows older than the business day are listed for the manager.
CREATE TABLE held_carts (
    id            INTEGER PRIMARY KEY,
    hold_ref      TEXT NOT NULL UNIQUE,
    till_code     TEXT NOT NULL,
    business_day  TEXT NOT NULL,
    note          TEXT NOT NULL,
    cart          TEXT NOT NULL,
    total         TEXT NOT NULL,
    items         INTEGER NOT NULL,
    held_by       TEXT NOT NULL,
    held_at       TEXT NOT NULL,
    recalled_at   TEXT,
    recalled_by   TEXT,
    discarded     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX held_carts_open ON held_carts (recalled_at, held_at);

-- The customer of a counter sale (seed 000: contact, invoice, invoice_title): sent with
-- the create unless `member_state` is 'dropped' (the cashier's consent after the platform's
-- member services kept failing). `member_failures` counts creates with the member that failed.
CREATE TABLE sale_customers (
    client_ref      TEXT PRIMARY KEY,
    member_phone    TEXT,
    member_name     TEXT,
    invoice_title   TEXT,
    member_state    TEXT NOT NULL DEFAULT 'pending',
    member_failures INTEGER NOT NULL DEFAULT 0,
    member_user_id  INTEGER,
    updated_at      TEXT NOT NULL
);

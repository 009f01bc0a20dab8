-- storepos ledger, version 1. Money is integer fen; times are UTC RFC 3339 text.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('cashier', 'clerk', 'manager')),
    pin_hash        TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE categories (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    station TEXT
);

CREATE TABLE products (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    category_id     INTEGER NOT NULL REFERENCES categories (id),
    price_fen       INTEGER NOT NULL CHECK (price_fen >= 0),
    pinyin_initials TEXT NOT NULL DEFAULT '',
    active          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX products_category ON products (category_id);
CREATE INDEX products_pinyin ON products (pinyin_initials);

CREATE TABLE specifications (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products (id),
    name       TEXT NOT NULL,
    price_fen  INTEGER NOT NULL CHECK (price_fen >= 0)
);
CREATE INDEX specifications_product ON specifications (product_id);

CREATE TABLE barcodes (
    barcode          TEXT PRIMARY KEY,
    product_id       INTEGER NOT NULL REFERENCES products (id),
    specification_id INTEGER REFERENCES specifications (id)
) WITHOUT ROWID;

CREATE TABLE orders (
    id             INTEGER PRIMARY KEY,
    client_ref     TEXT NOT NULL UNIQUE,
    local_number   TEXT NOT NULL,
    till_code      TEXT NOT NULL,
    business_day   TEXT NOT NULL,
    day_seq        INTEGER NOT NULL,
    order_number   TEXT UNIQUE,
    channel        TEXT NOT NULL CHECK (channel IN ('COUNTER', 'SELF_PICK', 'FLASH')),
    status         TEXT NOT NULL,
    payment_method TEXT,
    total_fen      INTEGER NOT NULL,
    paid_fen       INTEGER,
    change_fen     INTEGER,
    remark         TEXT NOT NULL DEFAULT '',
    contact_user   TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    cashier_id     INTEGER REFERENCES users (id),
    cashier_name   TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    local_hour     INTEGER NOT NULL,
    sync_state     TEXT NOT NULL DEFAULT 'pending',
    conflict       TEXT,
    left_store     INTEGER NOT NULL DEFAULT 0,
    checked_in_at  TEXT,
    UNIQUE (business_day, till_code, day_seq)
);
CREATE INDEX orders_day ON orders (business_day, status);
CREATE INDEX orders_sync ON orders (sync_state);

CREATE TABLE order_lines (
    order_id         INTEGER NOT NULL REFERENCES orders (id),
    line_no          INTEGER NOT NULL,
    product_id       INTEGER NOT NULL,
    specification_id INTEGER,
    name             TEXT NOT NULL,
    category         TEXT NOT NULL,
    station          TEXT,
    unit_price_fen   INTEGER NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    line_total_fen   INTEGER NOT NULL,
    memo             TEXT,
    PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;

CREATE TABLE after_sales (
    id                INTEGER PRIMARY KEY,
    client_ref        TEXT NOT NULL UNIQUE,
    order_id          INTEGER REFERENCES orders (id),
    service_type      TEXT NOT NULL CHECK (service_type IN ('REFUND', 'RETURN', 'EXCHANGE')),
    service_number    TEXT,
    status            TEXT NOT NULL,
    reason            TEXT NOT NULL,
    refund_fen        INTEGER,
    supplementary_fen INTEGER,
    created_by        INTEGER REFERENCES users (id),
    created_at        TEXT NOT NULL,
    business_day      TEXT NOT NULL,
    sync_state        TEXT NOT NULL DEFAULT 'pending',
    conflict          TEXT
);
CREATE INDEX after_sales_day ON after_sales (business_day);
CREATE INDEX after_sales_order ON after_sales (order_id);

CREATE TABLE after_sales_lines (
    service_id       INTEGER NOT NULL REFERENCES after_sales (id),
    kind             TEXT NOT NULL CHECK (kind IN ('return', 'exchange')),
    seq              INTEGER NOT NULL,
    line_no          INTEGER,
    product_id       INTEGER NOT NULL,
    specification_id INTEGER,
    name             TEXT NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    amount_fen       INTEGER NOT NULL,
    PRIMARY KEY (service_id, kind, seq)
) WITHOUT ROWID;

-- Append-only: who did what, when, before → after.
CREATE TABLE journal (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_ref TEXT NOT NULL,
    action     TEXT NOT NULL,
    before     TEXT,
    after      TEXT,
    detail     TEXT
);
CREATE INDEX journal_entity ON journal (entity_ref);
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;

-- What the platform must hear of. One ordered stream per order (or service) per channel.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL DEFAULT 'rest-store',
    stream          TEXT NOT NULL,
    op              TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'conflict')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    done_at         TEXT
);
CREATE INDEX outbox_pending ON outbox (state, channel, stream, id);

CREATE TABLE print_jobs (
    id              INTEGER PRIMARY KEY,
    printer_id      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    dedupe_key      TEXT NOT NULL UNIQUE,
    client_ref      TEXT,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'printing', 'printed', 'failed', 'uncertain')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    reprint         INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    printed_at      TEXT
);
CREATE INDEX print_jobs_queue ON print_jobs (printer_id, state, id);

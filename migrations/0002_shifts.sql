-- storepos ledger, version 2: the manager's day. Shifts with a cash count, cash
-- movements, immutable Z reports, and covering indexes for the day statistics.
-- Money is integer fen; times are UTC RFC 3339 text.

CREATE TABLE shifts (
    id             INTEGER PRIMARY KEY,
    till_code      TEXT NOT NULL,
    business_day   TEXT NOT NULL,
    opened_at      TEXT NOT NULL,
    opened_by      INTEGER REFERENCES users (id),
    opened_by_name TEXT NOT NULL,
    float_fen      INTEGER NOT NULL CHECK (float_fen >= 0),
    closed_at      TEXT,
    closed_by      INTEGER REFERENCES users (id),
    manager_id     INTEGER REFERENCES users (id),
    manager_name   TEXT,
    counted_json   TEXT,
    counted_fen    INTEGER,
    expected_fen   INTEGER,
    over_short_fen INTEGER,
    z_report_id    INTEGER
);
-- One open shift per till.
CREATE UNIQUE INDEX shifts_one_open ON shifts (till_code) WHERE closed_at IS NULL;
CREATE INDEX shifts_till ON shifts (till_code, id);
-- A closed shift is history: it can be neither changed nor deleted.
CREATE TRIGGER shifts_closed_no_update BEFORE UPDATE ON shifts WHEN OLD.closed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a closed shift cannot be changed'); END;
CREATE TRIGGER shifts_no_delete BEFORE DELETE ON shifts
BEGIN SELECT RAISE(ABORT, 'shifts cannot be deleted'); END;

-- Cash put into (+) or taken out of (−) the drawer outside a sale.
CREATE TABLE cash_moves (
    id         INTEGER PRIMARY KEY,
    shift_id   INTEGER NOT NULL REFERENCES shifts (id),
    at         TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen != 0),
    reason     TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    user_id    INTEGER REFERENCES users (id),
    user_name  TEXT NOT NULL
);
CREATE INDEX cash_moves_shift ON cash_moves (shift_id, id);
CREATE TRIGGER cash_moves_no_update BEFORE UPDATE ON cash_moves
BEGIN SELECT RAISE(ABORT, 'cash movements are append-only'); END;
CREATE TRIGGER cash_moves_no_delete BEFORE DELETE ON cash_moves
BEGIN SELECT RAISE(ABORT, 'cash movements are append-only'); END;

-- Z reports (交班 / 日结): built once, stored as JSON, never changed.
CREATE TABLE z_reports (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('shift', 'day')),
    shift_id     INTEGER REFERENCES shifts (id),
    till_code    TEXT NOT NULL,
    business_day TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    report       TEXT NOT NULL
);
CREATE UNIQUE INDEX z_reports_one_per_shift ON z_reports (shift_id) WHERE kind = 'shift';
CREATE UNIQUE INDEX z_reports_one_per_day ON z_reports (business_day) WHERE kind = 'day';
CREATE INDEX z_reports_day ON z_reports (business_day, id);
CREATE TRIGGER z_reports_no_update BEFORE UPDATE ON z_reports
BEGIN SELECT RAISE(ABORT, 'z reports are immutable'); END;
CREATE TRIGGER z_reports_no_delete BEFORE DELETE ON z_reports
BEGIN SELECT RAISE(ABORT, 'z reports are immutable'); END;

-- Day statistics read one day's orders from this index alone (no table lookups):
-- every column the aggregate groups or sums is in it.
CREATE INDEX orders_day_stats ON orders (business_day, status, left_store, channel, payment_method, local_hour, cashier_name, total_fen);
-- A shift's cash sales: orders of one till created in the shift's window.
CREATE INDEX orders_till_created ON orders (till_code, created_at);
-- A shift's refunds: after-sales created in the shift's window.
CREATE INDEX after_sales_created ON after_sales (created_at);

-- 0010: money under control at the counter (issue 22).
--
-- Manager approvals (授权): a manager's PIN lets one guarded act through once. Each row is
-- bound to a rule (domain::approval::Rule), a subject (the order's client_ref, or '') and
-- an amount, expires a few minutes after it was granted and is consumed by the act it
-- approved, in the act's own transaction. Rows are never deleted; the only change is
-- marking one used.
CREATE TABLE approvals (
    id               TEXT PRIMARY KEY,
    rule             TEXT NOT NULL,
    subject          TEXT NOT NULL DEFAULT '',
    amount_fen       INTEGER NOT NULL CHECK (amount_fen >= 0),
    requested_by     TEXT NOT NULL,
    approved_by      INTEGER NOT NULL REFERENCES users (id),
    approved_by_name TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    used_at          TEXT,
    used_by          TEXT
);
CREATE TRIGGER approvals_no_delete BEFORE DELETE ON approvals
BEGIN SELECT RAISE(ABORT, 'approvals cannot be deleted'); END;
CREATE TRIGGER approvals_used_once BEFORE UPDATE ON approvals
WHEN OLD.used_at IS NOT NULL OR NEW.id != OLD.id OR NEW.rule != OLD.rule OR NEW.subject != OLD.subject
  OR NEW.amount_fen != OLD.amount_fen OR NEW.expires_at != OLD.expires_at
BEGIN SELECT RAISE(ABORT, 'an approval is used once and otherwise never changed'); END;

-- When the money was taken (cash or WeChat). A shift's cash is the sales *paid* in it: a sale
-- rung up before the shift opened (the cashier was then asked to open one) and paid after
-- belongs to the shift that took the money. Orders paid before this migration read as paid
-- when they were created.
ALTER TABLE orders ADD COLUMN paid_at TEXT;
CREATE INDEX orders_till_paid ON orders (till_code, coalesce(paid_at, created_at));

-- A store-side adjustment on a counter sale (整单优惠 / 抹零): the platform order keeps the
-- full price (total_fen); the customer pays total_fen - discount_fen.
ALTER TABLE orders ADD COLUMN discount_fen INTEGER NOT NULL DEFAULT 0 CHECK (discount_fen >= 0);
-- 'moling' (jiao/fen dropped) or 'amount' (a sum off the order); NULL without a discount.
ALTER TABLE orders ADD COLUMN discount_kind TEXT CHECK (discount_kind IS NULL OR discount_kind IN ('moling', 'amount'));

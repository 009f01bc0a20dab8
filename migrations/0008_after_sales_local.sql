-- 0008: after-sales the way the store and the platform really work (issue 14).
--
-- A service the platform cannot take (a completed counter sale, REFUND, a walk-in return,
-- a second service on one order) is handled by the store itself (门店自理): local_only = 1,
-- sync_state 'local', never enqueued, never a conflict.
ALTER TABLE after_sales ADD COLUMN local_only INTEGER NOT NULL DEFAULT 0 CHECK (local_only IN (0, 1));
-- Why it is local only (domain::after_sales_rules::StoreOnlyWhy code).
ALTER TABLE after_sales ADD COLUMN local_reason TEXT;
-- How the money goes back: 'OTHERWAY' (cash at the counter; a platform service is sent with
-- "otherway": true) or 'ORIGINAL_PATH' (WeChat / online payment, back the way it came).
-- NULL on services recorded before this migration.
ALTER TABLE after_sales ADD COLUMN refund_way TEXT CHECK (refund_way IS NULL OR refund_way IN ('ORIGINAL_PATH', 'OTHERWAY'));
-- The platform mode the route was decided in, and what the rules expect the order to become.
ALTER TABLE after_sales ADD COLUMN platform_mode TEXT;
ALTER TABLE after_sales ADD COLUMN expected_order_status TEXT;
-- What the platform confirmed (written by the sync engine's follow-up); stats prefer these.
ALTER TABLE after_sales ADD COLUMN platform_status TEXT;
ALTER TABLE after_sales ADD COLUMN platform_refund_fen INTEGER;
ALTER TABLE after_sales ADD COLUMN platform_supplementary_fen INTEGER;
ALTER TABLE after_sales ADD COLUMN platform_order_status TEXT;
ALTER TABLE after_sales ADD COLUMN platform_checked_at TEXT;
CREATE INDEX after_sales_follow ON after_sales (sync_state, platform_status);

-- The platform's GET /rest/store/order_count, stored on each sync round for the manager's
-- reconciliation (money as fen: totalPrice arrives as a float and is rounded at store time).
CREATE TABLE platform_order_counts (
    id               INTEGER PRIMARY KEY,
    channel          TEXT NOT NULL DEFAULT 'rest-store',
    store_id         TEXT NOT NULL,
    fetched_at       TEXT NOT NULL,
    total_price_fen  INTEGER NOT NULL,
    total            INTEGER NOT NULL,
    handle_pending   INTEGER NOT NULL,
    pick_pending     INTEGER NOT NULL,
    deliver_pending  INTEGER NOT NULL,
    delivering       INTEGER NOT NULL,
    closed           INTEGER NOT NULL,
    cancled          INTEGER NOT NULL,
    raw              TEXT NOT NULL
);
CREATE INDEX platform_order_counts_latest ON platform_order_counts (channel, store_id, id);

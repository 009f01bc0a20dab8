-- WeChat Pay NATIVE codes shown for counter orders. At most one live code per order.

CREATE TABLE wechat_codes (
    id           INTEGER PRIMARY KEY,
    client_ref   TEXT NOT NULL REFERENCES orders (client_ref),
    order_number TEXT NOT NULL,
    code_url     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('live', 'paid', 'expired', 'cancelled', 'superseded'))
);
CREATE UNIQUE INDEX wechat_one_live_code ON wechat_codes (client_ref) WHERE state = 'live';
CREATE INDEX wechat_codes_state ON wechat_codes (state, created_at);

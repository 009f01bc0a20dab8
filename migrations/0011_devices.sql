-- 0011: devices paired with this till over the store LAN (issue 24).
--
-- An iPad pairs once (a one-time code the manager shows as a QR) and keeps its own
-- credential. Only a keyed hash of the credential is stored (HMAC-SHA256, with the key in
-- DATA/device-key, outside the ledger): a copied ledger hands out no device. A revoked
-- device keeps its row (who paired it, when it was last seen) with revoked_at set.
CREATE TABLE devices (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    credential_hash TEXT NOT NULL UNIQUE,
    paired_at       TEXT NOT NULL,
    paired_by       TEXT NOT NULL,
    last_seen_at    TEXT,
    revoked_at      TEXT,
    revoked_by      TEXT
);

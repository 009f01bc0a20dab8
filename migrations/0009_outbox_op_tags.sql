-- 0009: one operation vocabulary for every outlet (issue 21).
--
-- Versions before this one wrote a person's action on another channel's order with the
-- tag 'action', the tag of the platform's own order actions; the engine told them apart
-- by the row's channel. Such rows get their own tag, so a row's tag alone says what it is.
UPDATE outbox SET op = 'channel_action' WHERE op = 'action' AND channel <> 'rest-store';

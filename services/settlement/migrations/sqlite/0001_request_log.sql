-- Idempotency: every write carries a request id. The first answer is stored here in the same
-- transaction as the write's effects; a retry with the same id and content returns it, the same
-- id with other content is refused.
CREATE TABLE request_log (
    request_id   TEXT    NOT NULL PRIMARY KEY,
    method       TEXT    NOT NULL,
    content_hash BLOB    NOT NULL,
    response     BLOB    NOT NULL,
    recorded_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

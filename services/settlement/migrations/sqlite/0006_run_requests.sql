-- One request id is one run: a retry attaches to the run its id started, or completes it after
-- an interruption, instead of starting another.
ALTER TABLE runs ADD COLUMN request_id TEXT;
CREATE UNIQUE INDEX runs_by_request ON runs (request_id);
CREATE INDEX runs_by_period_state ON runs (period, state);

-- The W3C traceparent of the write behind each feed event, so followers continue its trace.
ALTER TABLE feed_events ADD COLUMN trace_parent TEXT NOT NULL DEFAULT '';

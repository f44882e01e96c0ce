-- Orders (bestillinger): each grant version's order to each provider it names, and to each
-- provider a provider change moves the grant away from. An order points at the grant version
-- whose terms it asks for; its sequence comes from its own counter, taken with
-- UPDATE … RETURNING inside the grant's write, so a provider's orders are gap-free in commit order.
CREATE TABLE order_counter (
    id            BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    last_sequence BIGINT NOT NULL
);
INSERT INTO order_counter (id, last_sequence) VALUES (1, 0);

CREATE TABLE orders (
    sequence      BIGINT NOT NULL PRIMARY KEY,
    provider_id   TEXT NOT NULL,
    grant_id      TEXT NOT NULL,
    grant_version BIGINT NOT NULL,
    citizen_id    TEXT NOT NULL,
    change        BIGINT NOT NULL,
    share_percent BIGINT NOT NULL,
    lead          BIGINT NOT NULL,
    valid_from    TEXT NOT NULL,
    valid_to      TEXT,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX orders_by_provider ON orders (provider_id, sequence);
CREATE INDEX orders_by_citizen ON orders (citizen_id, sequence);

-- The first acknowledgement of each order; a later one changes nothing.
CREATE TABLE order_acknowledgements (
    sequence        BIGINT NOT NULL PRIMARY KEY REFERENCES orders (sequence),
    acknowledged_at TEXT NOT NULL,
    principal       TEXT NOT NULL
);

CREATE TRIGGER orders_append_only BEFORE UPDATE OR DELETE ON orders FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER order_acknowledgements_append_only BEFORE UPDATE OR DELETE ON order_acknowledgements FOR EACH ROW EXECUTE FUNCTION refuse_change();

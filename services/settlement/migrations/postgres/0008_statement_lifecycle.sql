-- What happens to an issued statement after issue, kept beside it so its seal never changes:
-- the provider's one answer (accepted, or disputed with a reason per line) and finance's payment.
CREATE TABLE statement_answers (
    statement_id   TEXT NOT NULL PRIMARY KEY REFERENCES statements (statement_id),
    answer         BIGINT NOT NULL,
    answered_at    TEXT NOT NULL,
    -- JSON: [{"line_no": 3, "reason": "…"}], empty for an acceptance.
    disputed_lines TEXT NOT NULL
);

CREATE TABLE statement_payments (
    statement_id TEXT NOT NULL PRIMARY KEY REFERENCES statements (statement_id),
    paid_on      TEXT NOT NULL,
    reference    TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);

-- An answer and a payment, once recorded, stand: the database refuses changing them.
CREATE TRIGGER statement_answers_final BEFORE UPDATE OR DELETE ON statement_answers FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER statement_payments_final BEFORE UPDATE OR DELETE ON statement_payments FOR EACH ROW EXECUTE FUNCTION refuse_change();

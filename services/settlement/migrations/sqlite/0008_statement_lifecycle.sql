-- What happens to an issued statement after issue, kept beside it so its seal never changes:
-- the provider's one answer (accepted, or disputed with a reason per line) and finance's payment.
CREATE TABLE statement_answers (
    statement_id   TEXT NOT NULL PRIMARY KEY REFERENCES statements (statement_id),
    answer         INTEGER NOT NULL,
    answered_at    TEXT NOT NULL,
    -- JSON: [{"line_no": 3, "reason": "…"}], empty for an acceptance.
    disputed_lines TEXT NOT NULL
) STRICT;

CREATE TABLE statement_payments (
    statement_id TEXT NOT NULL PRIMARY KEY REFERENCES statements (statement_id),
    paid_on      TEXT NOT NULL,
    reference    TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
) STRICT;

-- An answer and a payment, once recorded, stand: the database refuses changing them.
CREATE TRIGGER statement_answers_final_u BEFORE UPDATE ON statement_answers BEGIN SELECT RAISE(ABORT, 'statement_answers is append-only'); END;
CREATE TRIGGER statement_answers_final_d BEFORE DELETE ON statement_answers BEGIN SELECT RAISE(ABORT, 'statement_answers is append-only'); END;
CREATE TRIGGER statement_payments_final_u BEFORE UPDATE ON statement_payments BEGIN SELECT RAISE(ABORT, 'statement_payments is append-only'); END;
CREATE TRIGGER statement_payments_final_d BEFORE DELETE ON statement_payments BEGIN SELECT RAISE(ABORT, 'statement_payments is append-only'); END;

-- Every setting of a frame, by the day it takes effect and the time it was recorded. A status at a
-- date reads the version in force that day (of several taking effect on one day, the last
-- recorded), so a frame raised in November leaves what July
-- showed as it was. `frames` keeps the latest setting for lists. Never updated, never deleted.
CREATE TABLE frame_versions (
    version_no     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    frame          TEXT NOT NULL,
    year           BIGINT NOT NULL,
    effective_from TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    committee      TEXT NOT NULL,
    name           TEXT NOT NULL,
    account        TEXT NOT NULL,
    amount_ore     BIGINT NOT NULL,
    profile        TEXT NOT NULL
);
CREATE INDEX frame_versions_in_force ON frame_versions (frame, year, effective_from, version_no);
INSERT INTO frame_versions (frame, year, effective_from, recorded_at, committee, name, account, amount_ore, profile)
    SELECT frame, year, lpad(year::text, 4, '0') || '-01-01', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           committee, name, account, amount_ore, profile
    FROM frames;
CREATE TRIGGER frame_versions_kept BEFORE UPDATE OR DELETE ON frame_versions FOR EACH ROW EXECUTE FUNCTION refuse_change();

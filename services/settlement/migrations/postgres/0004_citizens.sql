-- CPR numbers of the citizens on mirrored grants: printed on the statement lines a provider
-- sees for its own citizens, and nowhere else.
CREATE TABLE citizens (
    citizen_id TEXT NOT NULL PRIMARY KEY,
    cpr        TEXT NOT NULL
);

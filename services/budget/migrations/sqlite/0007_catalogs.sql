-- Tariff catalog versions as published through visitation (its own table there, followed from the
-- grant feed elsewhere). A version is never updated or deleted: a correction is a new version.
CREATE TABLE catalogs (
    version TEXT PRIMARY KEY,
    year INTEGER NOT NULL,
    effective_from TEXT NOT NULL,
    document TEXT NOT NULL,
    published_at TEXT NOT NULL
);

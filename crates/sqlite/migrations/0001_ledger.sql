-- The commons: ventures, members, versioned terms and policies, the hash-chained ledger with
-- each entry's effects, the maintained totals, and idempotency keys. Every venture-scoped table leads with
-- venture_id. Dates are Julian day numbers; money and slices are integers in minor units.

CREATE TABLE ventures (
    venture_id    INTEGER PRIMARY KEY,
    slug          TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    pitch         TEXT    NOT NULL,
    currency      TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL,
    head_seq      INTEGER NOT NULL DEFAULT 0,
    head_hash     BLOB    NOT NULL
);

CREATE TABLE members (
    venture_id     INTEGER NOT NULL REFERENCES ventures (venture_id),
    member_no      INTEGER NOT NULL,
    handle         TEXT    NOT NULL,
    display_name   TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    joined_on      INTEGER NOT NULL,
    recorded_at_ms INTEGER NOT NULL,
    PRIMARY KEY (venture_id, member_no),
    UNIQUE (venture_id, handle)
) WITHOUT ROWID;

CREATE TABLE member_terms (
    venture_id          INTEGER NOT NULL,
    member_no           INTEGER NOT NULL,
    version             INTEGER NOT NULL,
    effective_from      INTEGER NOT NULL,
    basis               TEXT    NOT NULL CHECK (basis IN ('salary', 'hourly')),
    market_salary_minor INTEGER,
    cash_salary_minor   INTEGER,
    hours_per_year      INTEGER,
    rate_minor          INTEGER,
    recorded_at_ms      INTEGER NOT NULL,
    PRIMARY KEY (venture_id, member_no, version),
    FOREIGN KEY (venture_id, member_no) REFERENCES members (venture_id, member_no)
) WITHOUT ROWID;

CREATE TABLE policy_versions (
    venture_id     INTEGER NOT NULL REFERENCES ventures (venture_id),
    version        INTEGER NOT NULL,
    effective_from INTEGER NOT NULL,
    settings       TEXT    NOT NULL,
    recorded_at_ms INTEGER NOT NULL,
    PRIMARY KEY (venture_id, version)
) WITHOUT ROWID;

CREATE TABLE entries (
    venture_id     INTEGER NOT NULL,
    seq            INTEGER NOT NULL CHECK (seq > 0),
    occurred_on    INTEGER NOT NULL,
    recorded_at_ms INTEGER NOT NULL,
    author_no      INTEGER,
    member_no      INTEGER,
    tag            TEXT    NOT NULL,
    inputs         TEXT    NOT NULL,
    note           TEXT    NOT NULL,
    policy_version INTEGER NOT NULL,
    terms_version  INTEGER NOT NULL,
    fmv_minor      INTEGER NOT NULL,
    slices_minor   INTEGER NOT NULL,
    reverses_seq   INTEGER,
    hash           BLOB    NOT NULL CHECK (length(hash) = 32),
    -- 1 when the effects reach a member other than member_no (a well withdrawal pays every depositor).
    shared         INTEGER NOT NULL CHECK (shared IN (0, 1)),
    -- What the entry does to each member's balances, in the compact form of peerstake-store's
    -- effects module: one row per entry however many members it touches.
    effects        BLOB    NOT NULL,
    PRIMARY KEY (venture_id, seq)
) WITHOUT ROWID;

-- An entry is reversed at most once.
CREATE UNIQUE INDEX entries_reverses ON entries (venture_id, reverses_seq) WHERE reverses_seq IS NOT NULL;
-- A member's entries, and the entries whose effects reach several members, for traces and filters.
CREATE INDEX entries_member ON entries (venture_id, member_no, seq);
CREATE INDEX entries_shared ON entries (venture_id, seq) WHERE shared = 1;

CREATE TABLE member_totals (
    venture_id   INTEGER NOT NULL,
    member_no    INTEGER NOT NULL,
    kind         INTEGER NOT NULL,
    class        INTEGER NOT NULL,
    fmv_minor    INTEGER NOT NULL,
    slices_minor INTEGER NOT NULL,
    well_minor   INTEGER NOT NULL,
    PRIMARY KEY (venture_id, member_no, kind, class)
) WITHOUT ROWID;

CREATE TABLE idempotency_keys (
    venture_id    INTEGER NOT NULL,
    key           TEXT    NOT NULL,
    fingerprint   TEXT    NOT NULL,
    result        TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (venture_id, key)
) WITHOUT ROWID;

-- The ledger is append-only: the database itself refuses to change or remove its rows.
CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'append-only: entries cannot be updated'); END;
CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'append-only: entries cannot be deleted'); END;
CREATE TRIGGER member_terms_append_only_update BEFORE UPDATE ON member_terms
BEGIN SELECT RAISE(ABORT, 'append-only: member terms cannot be updated'); END;
CREATE TRIGGER member_terms_append_only_delete BEFORE DELETE ON member_terms
BEGIN SELECT RAISE(ABORT, 'append-only: member terms cannot be deleted'); END;
CREATE TRIGGER policy_versions_append_only_update BEFORE UPDATE ON policy_versions
BEGIN SELECT RAISE(ABORT, 'append-only: policy versions cannot be updated'); END;
CREATE TRIGGER policy_versions_append_only_delete BEFORE DELETE ON policy_versions
BEGIN SELECT RAISE(ABORT, 'append-only: policy versions cannot be deleted'); END;

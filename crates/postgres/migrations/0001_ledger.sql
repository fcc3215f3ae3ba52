-- The commons: ventures, members, versioned terms and policies, the hash-chained ledger with
-- each entry's effects, the maintained totals, and idempotency keys. Every venture-scoped table leads with
-- venture_id. Dates are real DATEs; money and slices are integers in minor units.

CREATE TABLE ventures (
    venture_id    BIGINT   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug          TEXT     NOT NULL UNIQUE,
    name          TEXT     NOT NULL,
    pitch         TEXT     NOT NULL,
    currency      TEXT     NOT NULL,
    created_at_ms BIGINT   NOT NULL,
    head_seq      BIGINT   NOT NULL DEFAULT 0,
    head_hash     BYTEA    NOT NULL CHECK (octet_length(head_hash) = 32)
);

CREATE TABLE members (
    venture_id     BIGINT  NOT NULL REFERENCES ventures (venture_id),
    member_no      INTEGER NOT NULL,
    handle         TEXT    NOT NULL,
    display_name   TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    joined_on      DATE    NOT NULL,
    recorded_at_ms BIGINT  NOT NULL,
    PRIMARY KEY (venture_id, member_no),
    UNIQUE (venture_id, handle)
);

CREATE TABLE member_terms (
    venture_id          BIGINT  NOT NULL,
    member_no           INTEGER NOT NULL,
    version             INTEGER NOT NULL,
    effective_from      DATE    NOT NULL,
    basis               TEXT    NOT NULL CHECK (basis IN ('salary', 'hourly')),
    market_salary_minor BIGINT,
    cash_salary_minor   BIGINT,
    hours_per_year      BIGINT,
    rate_minor          BIGINT,
    recorded_at_ms      BIGINT  NOT NULL,
    PRIMARY KEY (venture_id, member_no, version),
    FOREIGN KEY (venture_id, member_no) REFERENCES members (venture_id, member_no)
);

CREATE TABLE policy_versions (
    venture_id     BIGINT  NOT NULL REFERENCES ventures (venture_id),
    version        INTEGER NOT NULL,
    effective_from DATE    NOT NULL,
    settings       TEXT    NOT NULL,
    recorded_at_ms BIGINT  NOT NULL,
    PRIMARY KEY (venture_id, version)
);

CREATE TABLE entries (
    venture_id     BIGINT  NOT NULL,
    seq            BIGINT  NOT NULL CHECK (seq > 0),
    occurred_on    DATE    NOT NULL,
    recorded_at_ms BIGINT  NOT NULL,
    author_no      INTEGER,
    member_no      INTEGER,
    tag            TEXT    NOT NULL,
    inputs         TEXT    NOT NULL,
    note           TEXT    NOT NULL,
    policy_version INTEGER NOT NULL,
    terms_version  INTEGER NOT NULL,
    fmv_minor      BIGINT  NOT NULL,
    slices_minor   BIGINT  NOT NULL,
    reverses_seq   BIGINT,
    hash           BYTEA   NOT NULL CHECK (octet_length(hash) = 32),
    -- True when the effects reach a member other than member_no (a well withdrawal pays every depositor).
    shared         BOOLEAN NOT NULL,
    -- What the entry does to each member's balances, in the compact form of peerstake-store's
    -- effects module: one row per entry however many members it touches.
    effects        BYTEA   NOT NULL,
    PRIMARY KEY (venture_id, seq)
);

-- An entry is reversed at most once.
CREATE UNIQUE INDEX entries_reverses ON entries (venture_id, reverses_seq) WHERE reverses_seq IS NOT NULL;

-- A member's entries, and the entries whose effects reach several members, for traces and filters.
CREATE INDEX entries_member ON entries (venture_id, member_no, seq);
CREATE INDEX entries_shared ON entries (venture_id, seq) WHERE shared;

CREATE TABLE member_totals (
    venture_id   BIGINT   NOT NULL,
    member_no    INTEGER  NOT NULL,
    kind         SMALLINT NOT NULL,
    class        SMALLINT NOT NULL,
    fmv_minor    BIGINT   NOT NULL,
    slices_minor BIGINT   NOT NULL,
    well_minor   BIGINT   NOT NULL,
    PRIMARY KEY (venture_id, member_no, kind, class)
);

CREATE TABLE idempotency_keys (
    venture_id    BIGINT NOT NULL,
    key           TEXT   NOT NULL,
    fingerprint   TEXT   NOT NULL,
    result        TEXT   NOT NULL,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (venture_id, key)
);

-- The ledger is append-only: the database itself refuses to change or remove its rows. The
-- message reads like SQLite's ("append-only: entries cannot be deleted"); the error is
-- raised with SQLSTATE P0001.
CREATE FUNCTION peerstake_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'append-only: % cannot be %',
        replace(TG_TABLE_NAME, '_', ' '),
        CASE TG_OP WHEN 'UPDATE' THEN 'updated' WHEN 'DELETE' THEN 'deleted' ELSE 'truncated' END;
END;
$$;

CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
    FOR EACH ROW EXECUTE FUNCTION peerstake_append_only();
CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION peerstake_append_only();
CREATE TRIGGER entries_append_only_truncate BEFORE TRUNCATE ON entries
    FOR EACH STATEMENT EXECUTE FUNCTION peerstake_append_only();

CREATE TRIGGER member_terms_append_only_update BEFORE UPDATE ON member_terms
    FOR EACH ROW EXECUTE FUNCTION peerstake_append_only();
CREATE TRIGGER member_terms_append_only_delete BEFORE DELETE ON member_terms
    FOR EACH ROW EXECUTE FUNCTION peerstake_append_only();
CREATE TRIGGER member_terms_append_only_truncate BEFORE TRUNCATE ON member_terms
    FOR EACH STATEMENT EXECUTE FUNCTION peerstake_append_only();

CREATE TRIGGER policy_versions_append_only_update BEFORE UPDATE ON policy_versions
    FOR EACH ROW EXECUTE FUNCTION peerstake_append_only();
CREATE TRIGGER policy_versions_append_only_delete BEFORE DELETE ON policy_versions
    FOR EACH ROW EXECUTE FUNCTION peerstake_append_only();
CREATE TRIGGER policy_versions_append_only_truncate BEFORE TRUNCATE ON policy_versions
    FOR EACH STATEMENT EXECUTE FUNCTION peerstake_append_only();

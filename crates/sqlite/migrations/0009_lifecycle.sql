-- A venture's later life: members who left, buyouts of their slices, changes of steward, freezes
-- of the split with their votes and cap tables, income received and distributions paid out.
-- What a departure or buyout does to slices is a ledger entry, linked by sequence number.

ALTER TABLE members ADD COLUMN departed_on INTEGER;

CREATE TABLE departures (
    venture_id     INTEGER NOT NULL REFERENCES ventures (venture_id),
    departure_no   INTEGER NOT NULL,
    member_no      INTEGER NOT NULL,
    leave_case     TEXT    NOT NULL,
    justification  TEXT    NOT NULL,
    departed_on    INTEGER NOT NULL,
    entry_seq      INTEGER,
    recorded_by    INTEGER,
    recorded_at_ms INTEGER NOT NULL,
    PRIMARY KEY (venture_id, departure_no),
    UNIQUE (venture_id, member_no)
) WITHOUT ROWID;

CREATE TABLE buyouts (
    venture_id            INTEGER NOT NULL REFERENCES ventures (venture_id),
    buyout_no             INTEGER NOT NULL,
    member_no             INTEGER NOT NULL,
    forced                INTEGER NOT NULL CHECK (forced IN (0, 1)),
    buyer_no              INTEGER,
    slices_minor          INTEGER NOT NULL CHECK (slices_minor > 0),
    price_per_slice_minor INTEGER NOT NULL CHECK (price_per_slice_minor >= 0),
    amount_minor          INTEGER NOT NULL CHECK (amount_minor >= 0),
    status                TEXT    NOT NULL CHECK (status IN ('offered', 'accepted', 'declined', 'withdrawn')),
    offered_by            INTEGER,
    offered_at_ms         INTEGER NOT NULL,
    decided_at_ms         INTEGER,
    entry_seq             INTEGER,
    clawback_until        INTEGER,
    PRIMARY KEY (venture_id, buyout_no),
    CHECK ((status = 'accepted') = (entry_seq IS NOT NULL))
) WITHOUT ROWID;

CREATE TABLE stewardships (
    venture_id     INTEGER NOT NULL REFERENCES ventures (venture_id),
    change_no      INTEGER NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('handover', 'adoption')),
    from_no        INTEGER,
    to_no          INTEGER,
    to_account     INTEGER REFERENCES accounts (account_id),
    message        TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('proposed', 'accepted', 'declined', 'withdrawn', 'objected', 'passed')),
    notice_until   INTEGER,
    created_at_ms  INTEGER NOT NULL,
    decided_at_ms  INTEGER,
    decided_by     INTEGER,
    decision_note  TEXT    NOT NULL,
    PRIMARY KEY (venture_id, change_no),
    CHECK (to_no IS NOT NULL OR to_account IS NOT NULL)
) WITHOUT ROWID;

CREATE TABLE freezes (
    venture_id               INTEGER NOT NULL REFERENCES ventures (venture_id),
    freeze_no                INTEGER NOT NULL,
    reason                   TEXT    NOT NULL CHECK (reason IN ('break-even', 'funding-round', 'other')),
    note                     TEXT    NOT NULL,
    total_shares             INTEGER NOT NULL CHECK (total_shares > 0),
    issued                   TEXT    NOT NULL,
    status                   TEXT    NOT NULL CHECK (status IN ('proposed', 'rejected', 'withdrawn', 'frozen', 'unfrozen')),
    proposed_by              INTEGER NOT NULL,
    proposed_at_ms           INTEGER NOT NULL,
    head_seq                 INTEGER,
    head_hash                TEXT,
    frozen_on                INTEGER,
    frozen_at_ms             INTEGER,
    unfreeze_proposed_at_ms  INTEGER,
    unfrozen_at_ms           INTEGER,
    PRIMARY KEY (venture_id, freeze_no)
) WITHOUT ROWID;

CREATE TABLE freeze_votes (
    venture_id INTEGER NOT NULL,
    freeze_no  INTEGER NOT NULL,
    round      TEXT    NOT NULL CHECK (round IN ('freeze', 'unfreeze')),
    member_no  INTEGER NOT NULL,
    approve    INTEGER NOT NULL CHECK (approve IN (0, 1)),
    at_ms      INTEGER NOT NULL,
    PRIMARY KEY (venture_id, freeze_no, round, member_no),
    FOREIGN KEY (venture_id, freeze_no) REFERENCES freezes (venture_id, freeze_no)
) WITHOUT ROWID;

CREATE TABLE cap_tables (
    venture_id   INTEGER NOT NULL,
    freeze_no    INTEGER NOT NULL,
    member_no    INTEGER NOT NULL,
    slices_minor INTEGER NOT NULL,
    shares       INTEGER NOT NULL CHECK (shares >= 0),
    issued       INTEGER NOT NULL CHECK (issued >= 0),
    buy_back     INTEGER NOT NULL CHECK (buy_back >= 0),
    issue        INTEGER NOT NULL CHECK (issue >= 0),
    PRIMARY KEY (venture_id, freeze_no, member_no),
    FOREIGN KEY (venture_id, freeze_no) REFERENCES freezes (venture_id, freeze_no)
) WITHOUT ROWID;

CREATE TABLE incomes (
    venture_id      INTEGER NOT NULL REFERENCES ventures (venture_id),
    income_no       INTEGER NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('revenue', 'sale')),
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    received_on     INTEGER NOT NULL,
    note            TEXT    NOT NULL,
    valuation_minor INTEGER CHECK (valuation_minor > 0),
    recorded_by     INTEGER,
    recorded_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (venture_id, income_no)
) WITHOUT ROWID;

-- One row per distribution: its payouts are one compact value, so paying 100,000 holders is one
-- write.
CREATE TABLE distributions (
    venture_id    INTEGER NOT NULL REFERENCES ventures (venture_id),
    distribution_no INTEGER NOT NULL,
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    basis         TEXT    NOT NULL CHECK (basis IN ('split', 'cap-table')),
    freeze_no     INTEGER,
    head_seq      INTEGER NOT NULL,
    total_weight  INTEGER NOT NULL CHECK (total_weight > 0),
    paid_on       INTEGER NOT NULL,
    note          TEXT    NOT NULL,
    posted_by     INTEGER,
    posted_at_ms  INTEGER NOT NULL,
    payouts       BLOB    NOT NULL,
    PRIMARY KEY (venture_id, distribution_no)
) WITHOUT ROWID;

CREATE INDEX entries_author ON entries (venture_id, author_no, recorded_at_ms);

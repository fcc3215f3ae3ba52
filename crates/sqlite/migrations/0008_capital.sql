-- Pooled capital: a venture's needs and the pledges held toward them, well withdrawals that paid
-- a need, the commons' registry of capital goods, the bookings ventures make of them and the
-- usage logged under a booking. Money and slices are ledger entries, linked by sequence number.

CREATE TABLE needs (
    venture_id       INTEGER NOT NULL REFERENCES ventures (venture_id),
    need_no          INTEGER NOT NULL,
    title            TEXT    NOT NULL,
    description      TEXT    NOT NULL,
    goal_minor       INTEGER NOT NULL CHECK (goal_minor > 0),
    stretch_minor    INTEGER CHECK (stretch_minor > goal_minor),
    cadence          TEXT    CHECK (cadence IN ('weekly', 'monthly')),
    periods          INTEGER NOT NULL CHECK (periods >= 1),
    deadline         INTEGER NOT NULL,
    min_pledge_minor INTEGER NOT NULL CHECK (min_pledge_minor > 0),
    status           TEXT    NOT NULL CHECK (status IN ('open', 'met', 'unmet', 'cancelled')),
    created_by       INTEGER,
    created_at_ms    INTEGER NOT NULL,
    resolved_at_ms   INTEGER,
    PRIMARY KEY (venture_id, need_no)
) WITHOUT ROWID;

CREATE TABLE pledges (
    venture_id     INTEGER NOT NULL,
    pledge_no      INTEGER NOT NULL,
    need_no        INTEGER NOT NULL,
    account_id     INTEGER NOT NULL REFERENCES accounts (account_id),
    amount_minor   INTEGER NOT NULL CHECK (amount_minor > 0),
    status         TEXT    NOT NULL CHECK (status IN ('held', 'posted', 'released')),
    created_at_ms  INTEGER NOT NULL,
    resolved_at_ms INTEGER,
    entry_seq      INTEGER,
    PRIMARY KEY (venture_id, pledge_no),
    FOREIGN KEY (venture_id, need_no) REFERENCES needs (venture_id, need_no),
    CHECK ((status = 'posted') = (entry_seq IS NOT NULL))
) WITHOUT ROWID;
CREATE INDEX pledges_need ON pledges (venture_id, need_no, pledge_no);

CREATE TABLE need_payments (
    venture_id INTEGER NOT NULL,
    need_no    INTEGER NOT NULL,
    entry_seq  INTEGER NOT NULL,
    PRIMARY KEY (venture_id, entry_seq),
    FOREIGN KEY (venture_id, need_no) REFERENCES needs (venture_id, need_no)
) WITHOUT ROWID;

CREATE TABLE goods (
    good_id         INTEGER PRIMARY KEY,
    owner_id        INTEGER NOT NULL REFERENCES accounts (account_id),
    kind            TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    rate_minor      INTEGER NOT NULL CHECK (rate_minor > 0),
    unit            TEXT    NOT NULL CHECK (unit IN ('hour', 'day', 'week', 'month')),
    available_from  INTEGER,
    available_until INTEGER,
    availability    TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('available', 'withdrawn', 'given')),
    given_venture   INTEGER,
    given_seq       INTEGER,
    created_at_ms   INTEGER NOT NULL
);
CREATE INDEX goods_owner ON goods (owner_id, good_id);

CREATE TABLE bookings (
    venture_id    INTEGER NOT NULL REFERENCES ventures (venture_id),
    booking_no    INTEGER NOT NULL,
    good_id       INTEGER NOT NULL REFERENCES goods (good_id),
    need_no       INTEGER,
    starts_on     INTEGER NOT NULL,
    ends_on       INTEGER NOT NULL CHECK (ends_on >= starts_on),
    planned_milli INTEGER NOT NULL CHECK (planned_milli > 0),
    status        TEXT    NOT NULL CHECK (status IN ('requested', 'accepted', 'declined', 'cancelled')),
    requested_by  INTEGER,
    note          TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL,
    decided_at_ms INTEGER,
    PRIMARY KEY (venture_id, booking_no)
) WITHOUT ROWID;
CREATE INDEX bookings_good ON bookings (good_id, starts_on);

CREATE TABLE usages (
    venture_id     INTEGER NOT NULL,
    usage_no       INTEGER NOT NULL,
    booking_no     INTEGER NOT NULL,
    occurred_on    INTEGER NOT NULL,
    units_milli    INTEGER NOT NULL CHECK (units_milli > 0),
    fee_paid_minor INTEGER NOT NULL CHECK (fee_paid_minor >= 0),
    note           TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('logged', 'confirmed', 'declined')),
    logged_by      INTEGER,
    entry_seq      INTEGER,
    created_at_ms  INTEGER NOT NULL,
    decided_at_ms  INTEGER,
    PRIMARY KEY (venture_id, usage_no),
    FOREIGN KEY (venture_id, booking_no) REFERENCES bookings (venture_id, booking_no)
) WITHOUT ROWID;

-- Pooled capital: a venture's needs and the pledges held toward them, well withdrawals that paid
-- a need, the commons' registry of capital goods, the bookings ventures make of them and the
-- usage logged under a booking. Money and slices are ledger entries, linked by sequence number.

CREATE TABLE needs (
    venture_id       BIGINT  NOT NULL REFERENCES ventures (venture_id),
    need_no          INTEGER NOT NULL,
    title            TEXT    NOT NULL,
    description      TEXT    NOT NULL,
    goal_minor       BIGINT  NOT NULL CHECK (goal_minor > 0),
    stretch_minor    BIGINT  CHECK (stretch_minor > goal_minor),
    cadence          TEXT    CHECK (cadence IN ('weekly', 'monthly')),
    periods          INTEGER NOT NULL CHECK (periods >= 1),
    deadline         DATE    NOT NULL,
    min_pledge_minor BIGINT  NOT NULL CHECK (min_pledge_minor > 0),
    status           TEXT    NOT NULL CHECK (status IN ('open', 'met', 'unmet', 'cancelled')),
    created_by       INTEGER,
    created_at_ms    BIGINT  NOT NULL,
    resolved_at_ms   BIGINT,
    PRIMARY KEY (venture_id, need_no)
);

CREATE TABLE pledges (
    venture_id     BIGINT  NOT NULL,
    pledge_no      INTEGER NOT NULL,
    need_no        INTEGER NOT NULL,
    account_id     BIGINT  NOT NULL REFERENCES accounts (account_id),
    amount_minor   BIGINT  NOT NULL CHECK (amount_minor > 0),
    status         TEXT    NOT NULL CHECK (status IN ('held', 'posted', 'released')),
    created_at_ms  BIGINT  NOT NULL,
    resolved_at_ms BIGINT,
    entry_seq      BIGINT,
    PRIMARY KEY (venture_id, pledge_no),
    FOREIGN KEY (venture_id, need_no) REFERENCES needs (venture_id, need_no),
    CHECK ((status = 'posted') = (entry_seq IS NOT NULL))
);
CREATE INDEX pledges_need ON pledges (venture_id, need_no, pledge_no);

CREATE TABLE need_payments (
    venture_id BIGINT  NOT NULL,
    need_no    INTEGER NOT NULL,
    entry_seq  BIGINT  NOT NULL,
    PRIMARY KEY (venture_id, entry_seq),
    FOREIGN KEY (venture_id, need_no) REFERENCES needs (venture_id, need_no)
);

CREATE TABLE goods (
    good_id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id        BIGINT NOT NULL REFERENCES accounts (account_id),
    kind            TEXT   NOT NULL,
    description     TEXT   NOT NULL,
    currency        TEXT   NOT NULL,
    rate_minor      BIGINT NOT NULL CHECK (rate_minor > 0),
    unit            TEXT   NOT NULL CHECK (unit IN ('hour', 'day', 'week', 'month')),
    available_from  DATE,
    available_until DATE,
    availability    TEXT   NOT NULL,
    status          TEXT   NOT NULL CHECK (status IN ('available', 'withdrawn', 'given')),
    given_venture   BIGINT,
    given_seq       BIGINT,
    created_at_ms   BIGINT NOT NULL
);
CREATE INDEX goods_owner ON goods (owner_id, good_id);

CREATE TABLE bookings (
    venture_id    BIGINT  NOT NULL REFERENCES ventures (venture_id),
    booking_no    INTEGER NOT NULL,
    good_id       BIGINT  NOT NULL REFERENCES goods (good_id),
    need_no       INTEGER,
    starts_on     DATE    NOT NULL,
    ends_on       DATE    NOT NULL CHECK (ends_on >= starts_on),
    planned_milli BIGINT  NOT NULL CHECK (planned_milli > 0),
    status        TEXT    NOT NULL CHECK (status IN ('requested', 'accepted', 'declined', 'cancelled')),
    requested_by  INTEGER,
    note          TEXT    NOT NULL,
    created_at_ms BIGINT  NOT NULL,
    decided_at_ms BIGINT,
    PRIMARY KEY (venture_id, booking_no)
);
CREATE INDEX bookings_good ON bookings (good_id, starts_on);

CREATE TABLE usages (
    venture_id     BIGINT  NOT NULL,
    usage_no       INTEGER NOT NULL,
    booking_no     INTEGER NOT NULL,
    occurred_on    DATE    NOT NULL,
    units_milli    BIGINT  NOT NULL CHECK (units_milli > 0),
    fee_paid_minor BIGINT  NOT NULL CHECK (fee_paid_minor >= 0),
    note           TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('logged', 'confirmed', 'declined')),
    logged_by      INTEGER,
    entry_seq      BIGINT,
    created_at_ms  BIGINT  NOT NULL,
    decided_at_ms  BIGINT,
    PRIMARY KEY (venture_id, usage_no),
    FOREIGN KEY (venture_id, booking_no) REFERENCES bookings (venture_id, booking_no)
);

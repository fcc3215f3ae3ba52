-- Recurring contributions: a member's standing contribution (20 hours a week, a desk's monthly
-- rent) and the drafts each period creates, waiting for the member to confirm or skip them.

CREATE TABLE recurring (
    venture_id    BIGINT  NOT NULL REFERENCES ventures (venture_id),
    recurring_no  INTEGER NOT NULL,
    member_no     INTEGER NOT NULL,
    form          TEXT    NOT NULL,
    note          TEXT    NOT NULL,
    cadence       TEXT    NOT NULL CHECK (cadence IN ('weekly', 'monthly')),
    starts_on     DATE    NOT NULL,
    next_on       DATE    NOT NULL,
    ends_on       DATE,
    active        BOOLEAN NOT NULL,
    created_at_ms BIGINT  NOT NULL,
    PRIMARY KEY (venture_id, recurring_no)
);

CREATE TABLE recurring_drafts (
    venture_id   BIGINT  NOT NULL,
    recurring_no INTEGER NOT NULL,
    period_on    DATE    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('waiting', 'confirmed', 'skipped')),
    entry_seq    BIGINT,
    PRIMARY KEY (venture_id, recurring_no, period_on)
);
CREATE INDEX recurring_drafts_status ON recurring_drafts (venture_id, status, period_on);

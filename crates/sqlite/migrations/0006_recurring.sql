-- Recurring contributions: a member's standing contribution (20 hours a week, a desk's monthly
-- rent) and the drafts each period creates, waiting for the member to confirm or skip them.

CREATE TABLE recurring (
    venture_id    INTEGER NOT NULL REFERENCES ventures (venture_id),
    recurring_no  INTEGER NOT NULL,
    member_no     INTEGER NOT NULL,
    form          TEXT    NOT NULL,
    note          TEXT    NOT NULL,
    cadence       TEXT    NOT NULL CHECK (cadence IN ('weekly', 'monthly')),
    starts_on     INTEGER NOT NULL,
    next_on       INTEGER NOT NULL,
    ends_on       INTEGER,
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (venture_id, recurring_no)
) WITHOUT ROWID;

CREATE TABLE recurring_drafts (
    venture_id   INTEGER NOT NULL,
    recurring_no INTEGER NOT NULL,
    period_on    INTEGER NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('waiting', 'confirmed', 'skipped')),
    entry_seq    INTEGER,
    PRIMARY KEY (venture_id, recurring_no, period_on)
) WITHOUT ROWID;
CREATE INDEX recurring_drafts_status ON recurring_drafts (venture_id, status, period_on);

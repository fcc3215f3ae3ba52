-- Peer review and policy proposals. A review step is an entry about another entry (about_seq);
-- entry_reviews is the projection of where each reviewed entry stands, kept in the same
-- transaction as each step. Proposals are changes to the policy waiting for the rule in force.

ALTER TABLE entries ADD COLUMN about_seq INTEGER;
CREATE INDEX entries_about ON entries (venture_id, about_seq, seq) WHERE about_seq IS NOT NULL;

CREATE TABLE entry_reviews (
    venture_id INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('pending', 'counted', 'disputed', 'rejected', 'reversed')),
    PRIMARY KEY (venture_id, seq)
) WITHOUT ROWID;
CREATE INDEX entry_reviews_status ON entry_reviews (venture_id, status, seq);

CREATE TABLE proposals (
    venture_id     INTEGER NOT NULL REFERENCES ventures (venture_id),
    proposal_no    INTEGER NOT NULL,
    proposed_by    INTEGER NOT NULL,
    label          TEXT    NOT NULL,
    settings       TEXT    NOT NULL,
    effective_from INTEGER NOT NULL,
    note           TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('open', 'adopted', 'rejected', 'withdrawn')),
    created_at_ms  INTEGER NOT NULL,
    decided_at_ms  INTEGER,
    policy_version INTEGER,
    PRIMARY KEY (venture_id, proposal_no)
) WITHOUT ROWID;

CREATE TABLE proposal_votes (
    venture_id  INTEGER NOT NULL,
    proposal_no INTEGER NOT NULL,
    member_no   INTEGER NOT NULL,
    approve     INTEGER NOT NULL CHECK (approve IN (0, 1)),
    note        TEXT    NOT NULL,
    at_ms       INTEGER NOT NULL,
    PRIMARY KEY (venture_id, proposal_no, member_no)
) WITHOUT ROWID;

-- Votes are a record: never changed, never removed.
CREATE TRIGGER proposal_votes_append_only_update BEFORE UPDATE ON proposal_votes
BEGIN SELECT RAISE(ABORT, 'append-only: proposal votes cannot be updated'); END;
CREATE TRIGGER proposal_votes_append_only_delete BEFORE DELETE ON proposal_votes
BEGIN SELECT RAISE(ABORT, 'append-only: proposal votes cannot be deleted'); END;

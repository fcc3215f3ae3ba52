-- Peer review and policy proposals. A review step is an entry about another entry (about_seq);
-- entry_reviews is the projection of where each reviewed entry stands, kept in the same
-- transaction as each step. Proposals are changes to the policy waiting for the rule in force.

ALTER TABLE entries ADD COLUMN about_seq BIGINT;
CREATE INDEX entries_about ON entries (venture_id, about_seq, seq) WHERE about_seq IS NOT NULL;

CREATE TABLE entry_reviews (
    venture_id BIGINT  NOT NULL,
    seq        BIGINT  NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('pending', 'counted', 'disputed', 'rejected', 'reversed')),
    PRIMARY KEY (venture_id, seq)
);
CREATE INDEX entry_reviews_status ON entry_reviews (venture_id, status, seq);

CREATE TABLE proposals (
    venture_id     BIGINT  NOT NULL REFERENCES ventures (venture_id),
    proposal_no    INTEGER NOT NULL,
    proposed_by    INTEGER NOT NULL,
    label          TEXT    NOT NULL,
    settings       TEXT    NOT NULL,
    effective_from DATE    NOT NULL,
    note           TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('open', 'adopted', 'rejected', 'withdrawn')),
    created_at_ms  BIGINT  NOT NULL,
    decided_at_ms  BIGINT,
    policy_version INTEGER,
    PRIMARY KEY (venture_id, proposal_no)
);

CREATE TABLE proposal_votes (
    venture_id  BIGINT  NOT NULL,
    proposal_no INTEGER NOT NULL,
    member_no   INTEGER NOT NULL,
    approve     BOOLEAN NOT NULL,
    note        TEXT    NOT NULL,
    at_ms       BIGINT  NOT NULL,
    PRIMARY KEY (venture_id, proposal_no, member_no)
);

-- Votes are a record: never changed, never removed.
CREATE TRIGGER proposal_votes_append_only_update BEFORE UPDATE ON proposal_votes
    FOR EACH ROW EXECUTE FUNCTION peerstake_append_only();
CREATE TRIGGER proposal_votes_append_only_delete BEFORE DELETE ON proposal_votes
    FOR EACH ROW EXECUTE FUNCTION peerstake_append_only();
CREATE TRIGGER proposal_votes_append_only_truncate BEFORE TRUNCATE ON proposal_votes
    FOR EACH STATEMENT EXECUTE FUNCTION peerstake_append_only();

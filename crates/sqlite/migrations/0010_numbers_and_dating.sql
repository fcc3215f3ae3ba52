-- How people write numbers (per venture, and per account when they choose), the edition of the
-- rules each ledger was started under (ledgers before this migration keep the first), and the
-- read marks: for each balance a recorded entry read (a member's balances, a member's well
-- balance, the whole well, every member's slices), the latest date it was read. An entry that
-- would change a balance read on a later date is refused. The marks of existing ledgers are
-- filled in from their entries, freezes and distributions.

ALTER TABLE ventures ADD COLUMN number_format TEXT NOT NULL DEFAULT '1,234.56';
ALTER TABLE ventures ADD COLUMN edition INTEGER NOT NULL DEFAULT 1 CHECK (edition IN (1, 2));
ALTER TABLE accounts ADD COLUMN number_format TEXT;

CREATE TABLE read_marks (
    venture_id INTEGER NOT NULL REFERENCES ventures (venture_id),
    scope      INTEGER NOT NULL CHECK (scope IN (1, 2, 3, 4)),
    -- 0 for the scopes of the whole venture.
    member_no  INTEGER NOT NULL,
    read_on    INTEGER NOT NULL,
    PRIMARY KEY (venture_id, scope, member_no)
) WITHOUT ROWID;

INSERT INTO read_marks (venture_id, scope, member_no, read_on)
SELECT venture_id, 1, member_no, max(occurred_on) FROM entries
WHERE tag IN ('cash-paid', 'departure', 'buyout') AND member_no IS NOT NULL GROUP BY venture_id, member_no;

INSERT INTO read_marks (venture_id, scope, member_no, read_on)
SELECT venture_id, 2, member_no, max(occurred_on) FROM entries
WHERE tag = 'well-return' AND member_no IS NOT NULL GROUP BY venture_id, member_no;

INSERT INTO read_marks (venture_id, scope, member_no, read_on)
SELECT venture_id, 3, 0, max(occurred_on) FROM entries WHERE tag = 'withdrawal' GROUP BY venture_id;

INSERT INTO read_marks (venture_id, scope, member_no, read_on)
SELECT venture_id, 4, 0, max(day) FROM (
    SELECT venture_id, frozen_on AS day FROM freezes WHERE frozen_on IS NOT NULL
    UNION ALL
    SELECT venture_id, paid_on AS day FROM distributions
) GROUP BY venture_id;

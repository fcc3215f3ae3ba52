-- Hardening. Failed sign-ins are kept in the database, so throttling survives a restart and is
-- shared by every server of one database; and every change of a venture's settings (how it is
-- joined, who may read it, who its stewards are) is kept, with who made it and when.

-- One failed sign-in under one throttle key (the application stores a digest of `user:<name>`
-- or `client:<address>`, never the name or the address). A sign-in counts a key's failures in
-- its window with one indexed query; failures past the window are deleted, oldest first, as new
-- ones are written, so the table holds little more than the failures that still count.
CREATE TABLE sign_in_failures (
    failure_id   INTEGER PRIMARY KEY,
    throttle_key TEXT    NOT NULL,
    failed_at_ms INTEGER NOT NULL
);

CREATE INDEX sign_in_failures_key ON sign_in_failures (throttle_key, failed_at_ms);
CREATE INDEX sign_in_failures_time ON sign_in_failures (failed_at_ms);

-- The audit trail of a venture's settings: a change of its join mode or visibility, or a member
-- made a steward or no longer one (`member_no`), with the value before (empty when there was
-- none) and after, why, and who: a person signed in (their account, and their member number when
-- they are one), the operator on the command line (naming the member they act for, if any), or
-- the venture's rules (an adoption whose notice ran out). Append-only.
CREATE TABLE settings_changes (
    venture_id INTEGER NOT NULL REFERENCES ventures (venture_id),
    change_no  INTEGER NOT NULL,
    setting    TEXT    NOT NULL CHECK (setting IN ('join_mode', 'visibility', 'steward')),
    member_no  INTEGER,
    old_value  TEXT    NOT NULL,
    new_value  TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    by_kind    TEXT    NOT NULL CHECK (by_kind IN ('person', 'operator', 'rule')),
    by_account INTEGER REFERENCES accounts (account_id),
    by_member  INTEGER,
    at_ms      INTEGER NOT NULL,
    PRIMARY KEY (venture_id, change_no),
    FOREIGN KEY (venture_id, member_no) REFERENCES members (venture_id, member_no),
    FOREIGN KEY (venture_id, by_member) REFERENCES members (venture_id, member_no),
    CHECK ((setting = 'steward') = (member_no IS NOT NULL)),
    CHECK (by_kind <> 'person' OR by_account IS NOT NULL),
    CHECK (by_kind <> 'rule' OR (by_account IS NULL AND by_member IS NULL)),
    CHECK (by_kind <> 'operator' OR by_account IS NULL)
) WITHOUT ROWID;

CREATE TRIGGER settings_changes_append_only_update BEFORE UPDATE ON settings_changes
BEGIN SELECT RAISE(ABORT, 'append-only: settings changes cannot be updated'); END;
CREATE TRIGGER settings_changes_append_only_delete BEFORE DELETE ON settings_changes
BEGIN SELECT RAISE(ABORT, 'append-only: settings changes cannot be deleted'); END;

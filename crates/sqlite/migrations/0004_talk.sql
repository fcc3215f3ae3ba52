-- Conversation: comments on a venture's entries and members, their text in versions (an edit
-- appends one; nothing is updated or deleted), and when each person last looked at the
-- venture's activity. A comment's subject is a word and a number; the application names the
-- words (entry, member, …), so a new kind of subject needs no migration.

CREATE TABLE comments (
    venture_id     INTEGER NOT NULL REFERENCES ventures (venture_id),
    comment_no     INTEGER NOT NULL CHECK (comment_no > 0),
    subject_kind   TEXT    NOT NULL,
    subject_number INTEGER NOT NULL,
    reply_to       INTEGER,
    author_no      INTEGER NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (venture_id, comment_no),
    FOREIGN KEY (venture_id, author_no) REFERENCES members (venture_id, member_no),
    FOREIGN KEY (venture_id, reply_to) REFERENCES comments (venture_id, comment_no)
) WITHOUT ROWID;

-- A subject's thread, and the venture's comments by time for its activity.
CREATE INDEX comments_subject ON comments (venture_id, subject_kind, subject_number, comment_no);
CREATE INDEX comments_created ON comments (venture_id, created_at_ms, comment_no);

CREATE TABLE comment_versions (
    venture_id   INTEGER NOT NULL,
    comment_no   INTEGER NOT NULL,
    version      INTEGER NOT NULL CHECK (version > 0),
    body         TEXT    NOT NULL,
    edited_at_ms INTEGER NOT NULL,
    PRIMARY KEY (venture_id, comment_no, version),
    FOREIGN KEY (venture_id, comment_no) REFERENCES comments (venture_id, comment_no)
) WITHOUT ROWID;

CREATE TABLE feed_visits (
    venture_id    INTEGER NOT NULL REFERENCES ventures (venture_id),
    account_id    INTEGER NOT NULL REFERENCES accounts (account_id),
    visited_at_ms INTEGER NOT NULL,
    PRIMARY KEY (venture_id, account_id)
) WITHOUT ROWID;

-- The venture's entries by the time they were recorded, for its activity.
CREATE INDEX entries_recorded ON entries (venture_id, recorded_at_ms, seq);

CREATE TRIGGER comments_append_only_update BEFORE UPDATE ON comments
BEGIN SELECT RAISE(ABORT, 'append-only: comments cannot be updated'); END;
CREATE TRIGGER comments_append_only_delete BEFORE DELETE ON comments
BEGIN SELECT RAISE(ABORT, 'append-only: comments cannot be deleted'); END;
CREATE TRIGGER comment_versions_append_only_update BEFORE UPDATE ON comment_versions
BEGIN SELECT RAISE(ABORT, 'append-only: comment versions cannot be updated'); END;
CREATE TRIGGER comment_versions_append_only_delete BEFORE DELETE ON comment_versions
BEGIN SELECT RAISE(ABORT, 'append-only: comment versions cannot be deleted'); END;

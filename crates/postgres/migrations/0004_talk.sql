-- Conversation: comments on a venture's entries and members, their text in versions (an edit
-- appends one; nothing is updated or deleted), and when each person last looked at the
-- venture's activity. A comment's subject is a word and a number; the application names the
-- words (entry, member, …), so a new kind of subject needs no migration.

CREATE TABLE comments (
    venture_id     BIGINT  NOT NULL REFERENCES ventures (venture_id),
    comment_no     BIGINT  NOT NULL CHECK (comment_no > 0),
    subject_kind   TEXT    NOT NULL,
    subject_number BIGINT  NOT NULL,
    reply_to       BIGINT,
    author_no      INTEGER NOT NULL,
    created_at_ms  BIGINT  NOT NULL,
    PRIMARY KEY (venture_id, comment_no),
    FOREIGN KEY (venture_id, author_no) REFERENCES members (venture_id, member_no),
    FOREIGN KEY (venture_id, reply_to) REFERENCES comments (venture_id, comment_no)
);

-- A subject's thread, and the venture's comments by time for its activity.
CREATE INDEX comments_subject ON comments (venture_id, subject_kind, subject_number, comment_no);
CREATE INDEX comments_created ON comments (venture_id, created_at_ms, comment_no);

CREATE TABLE comment_versions (
    venture_id   BIGINT  NOT NULL,
    comment_no   BIGINT  NOT NULL,
    version      INTEGER NOT NULL CHECK (version > 0),
    body         TEXT    NOT NULL,
    edited_at_ms BIGINT  NOT NULL,
    PRIMARY KEY (venture_id, comment_no, version),
    FOREIGN KEY (venture_id, comment_no) REFERENCES comments (venture_id, comment_no)
);

CREATE TABLE feed_visits (
    venture_id    BIGINT NOT NULL REFERENCES ventures (venture_id),
    account_id    BIGINT NOT NULL REFERENCES accounts (account_id),
    visited_at_ms BIGINT NOT NULL,
    PRIMARY KEY (venture_id, account_id)
);

-- The venture's entries by the time they were recorded, for its activity.
CREATE INDEX entries_recorded ON entries (venture_id, recorded_at_ms, seq);

CREATE TRIGGER comments_append_only_update BEFORE UPDATE ON comments
    FOR EACH ROW EXECUTE FUNCTION peerstake_append_only();
CREATE TRIGGER comments_append_only_delete BEFORE DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION peerstake_append_only();
CREATE TRIGGER comments_append_only_truncate BEFORE TRUNCATE ON comments
    FOR EACH STATEMENT EXECUTE FUNCTION peerstake_append_only();
CREATE TRIGGER comment_versions_append_only_update BEFORE UPDATE ON comment_versions
    FOR EACH ROW EXECUTE FUNCTION peerstake_append_only();
CREATE TRIGGER comment_versions_append_only_delete BEFORE DELETE ON comment_versions
    FOR EACH ROW EXECUTE FUNCTION peerstake_append_only();
CREATE TRIGGER comment_versions_append_only_truncate BEFORE TRUNCATE ON comment_versions
    FOR EACH STATEMENT EXECUTE FUNCTION peerstake_append_only();

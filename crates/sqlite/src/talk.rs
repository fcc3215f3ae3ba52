//! The SQLite storage of comments, their versions, activity and feed visits.

use super::*;
use peerstake_store::Talk;

impl Talk for SqliteTransaction<'_> {
    fn insert_comment(&mut self, venture: VentureId, comment: &NewComment) -> Result<u64, StoreError> {
        let subject_number = seq_param(comment.subject.number())?;
        let reply_to = comment.reply_to.map(seq_param).transpose()?;
        let id = self.next_number("comments", "comment_no", venture)?;
        self.connection()
            .exec(
                "INSERT INTO comments (venture_id, comment_no, subject_kind, subject_number, reply_to, author_no, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![venture.0, id, comment.subject.kind(), subject_number, reply_to, comment.author.0, comment.at_ms],
            )
            .map_err(backend)?;
        self.connection()
            .exec(
                "INSERT INTO comment_versions (venture_id, comment_no, version, body, edited_at_ms) VALUES (?1, ?2, 1, ?3, ?4)",
                params![venture.0, id, comment.body, comment.at_ms],
            )
            .map_err(backend)?;
        to_u64(id, "comment")
    }

    fn comment(&mut self, venture: VentureId, id: u64) -> Result<Option<CommentRecord>, StoreError> {
        let sql = format!("{COMMENT_SELECT} WHERE c.venture_id = ?1 AND c.comment_no = ?2");
        let raw = self.connection().one(&sql, params![venture.0, seq_key(id)], comment_from_row).optional().map_err(backend)?;
        raw.map(comment_record).transpose()
    }

    fn comments(&mut self, venture: VentureId, subject: CommentSubject, after: u64, limit: u32) -> Result<Vec<CommentRecord>, StoreError> {
        let sql = format!(
            "{COMMENT_SELECT} WHERE c.venture_id = ?1 AND c.subject_kind = ?2 AND c.subject_number = ?3 AND c.comment_no > ?4 ORDER BY c.comment_no LIMIT ?5"
        );
        let mut statement = self.connection().prepare_cached(&sql).map_err(backend)?;
        let raws: Vec<CommentRow> = statement
            .query_map(params![venture.0, subject.kind(), seq_key(subject.number()), seq_key(after), limit.min(COMMENTS_PAGE_MAX)], comment_from_row)
            .map_err(backend)?
            .collect::<Result<_, _>>()
            .map_err(backend)?;
        raws.into_iter().map(comment_record).collect()
    }

    fn insert_comment_version(&mut self, venture: VentureId, id: u64, body: &str, at_ms: i64) -> Result<u32, StoreError> {
        let id = seq_param(id)?;
        let version: i64 = self
            .connection()
            .one("SELECT coalesce(max(version), 0) + 1 FROM comment_versions WHERE venture_id = ?1 AND comment_no = ?2", params![venture.0, id], |row| {
                row.get(0)
            })
            .map_err(backend)?;
        self.connection()
            .exec(
                "INSERT INTO comment_versions (venture_id, comment_no, version, body, edited_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![venture.0, id, version, body, at_ms],
            )
            .map_err(backend)?;
        to_u32(version, "comment version")
    }

    fn comment_versions(&mut self, venture: VentureId, id: u64) -> Result<Vec<CommentVersionRecord>, StoreError> {
        self.rows(
            "SELECT version, body, edited_at_ms FROM comment_versions WHERE venture_id = ?1 AND comment_no = ?2 ORDER BY version",
            params![venture.0, seq_key(id)],
            |row| {
                Ok(CommentVersionRecord {
                    version: to_u32(row.get(0).map_err(backend)?, "comment version")?,
                    body: row.get(1).map_err(backend)?,
                    at_ms: row.get(2).map_err(backend)?,
                })
            },
        )
    }

    fn activity(&mut self, venture: VentureId, before: &ActivityCursor, limit: u32) -> Result<Vec<ActivityRecord>, StoreError> {
        let limit = limit.min(ACTIVITY_PAGE_MAX);
        let parameters =
            params![venture.0, before.at_ms, number_bound_at_cursor(before, 1), number_bound_at_cursor(before, 2), number_bound_at_cursor(before, 3), limit];
        self.rows(ACTIVITY_SQL, parameters, |row| {
            let rank: i64 = row.get(0).map_err(backend)?;
            let at_ms: i64 = row.get(1).map_err(backend)?;
            let number: i64 = row.get(2).map_err(backend)?;
            let word: String = row.get(3).map_err(backend)?;
            let other: Option<i64> = row.get(4).map_err(backend)?;
            let actor: Option<i64> = row.get(5).map_err(backend)?;
            let text: String = row.get(6).map_err(backend)?;
            let what = match rank {
                1 => ActivityWhat::Joined { member: MemberNo(to_u32(number, "member")?) },
                2 => ActivityWhat::Entry { seq: to_u64(number, "sequence")?, tag: word, member: member(other)?, author: member(actor)?, note: text },
                _ => ActivityWhat::Comment {
                    id: to_u64(number, "comment")?,
                    subject: CommentSubject::from_stored(&word, other.unwrap_or(0))?,
                    author: member(actor)?.ok_or_else(|| StoreError::Corrupt("a comment has no author".into()))?,
                    body: text,
                },
            };
            Ok(ActivityRecord { at_ms, what })
        })
    }

    fn activity_count_since(&mut self, venture: VentureId, since_ms: i64, except: Option<MemberNo>, cap: u32) -> Result<u32, StoreError> {
        let except = except.map_or(-1, |m| i64::from(m.0));
        let count: i64 = self
            .connection()
            .one(
                "SELECT (SELECT count(*) FROM (SELECT 1 FROM entries WHERE venture_id = ?1 AND recorded_at_ms > ?2 AND (author_no IS NULL OR author_no <> ?3) LIMIT ?4))
                      + (SELECT count(*) FROM (SELECT 1 FROM comments WHERE venture_id = ?1 AND created_at_ms > ?2 AND author_no <> ?3 LIMIT ?4))
                      + (SELECT count(*) FROM (SELECT 1 FROM members WHERE venture_id = ?1 AND recorded_at_ms > ?2 AND member_no <> ?3 LIMIT ?4))",
                params![venture.0, since_ms, except, cap],
                |row| row.get(0),
            )
            .map_err(backend)?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX).min(cap))
    }

    fn feed_visit(&mut self, venture: VentureId, account: AccountId) -> Result<Option<i64>, StoreError> {
        self.connection()
            .one("SELECT visited_at_ms FROM feed_visits WHERE venture_id = ?1 AND account_id = ?2", params![venture.0, account.0], |row| row.get(0))
            .optional()
            .map_err(backend)
    }

    fn set_feed_visit(&mut self, venture: VentureId, account: AccountId, at_ms: i64) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO feed_visits (venture_id, account_id, visited_at_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (venture_id, account_id) DO UPDATE SET visited_at_ms = max(visited_at_ms, excluded.visited_at_ms)",
                params![venture.0, account.0, at_ms],
            )
            .map_err(backend)?;
        Ok(())
    }
}

//! The PostgreSQL storage of comments, their versions, activity and feed visits.

use super::*;
use peerstake_store::Talk;

impl Talk for PostgresTransaction<'_> {
    fn insert_comment(&mut self, venture: VentureId, comment: &NewComment) -> Result<u64, StoreError> {
        let subject_number = seq_param(comment.subject.number())?;
        let reply_to = comment.reply_to.map(seq_param).transpose()?;
        let author = member_param(comment.author)?;
        let row = self.pooled().query_one(
            "INSERT INTO comments (venture_id, comment_no, subject_kind, subject_number, reply_to, author_no, created_at_ms)
             VALUES ($1, (SELECT coalesce(max(comment_no), 0) + 1 FROM comments WHERE venture_id = $1), $2, $3, $4, $5, $6) RETURNING comment_no",
            &[&venture.0, &comment.subject.kind(), &subject_number, &reply_to, &author, &comment.at_ms],
        )?;
        let id: i64 = get(&row, 0)?;
        self.pooled().execute(
            "INSERT INTO comment_versions (venture_id, comment_no, version, body, edited_at_ms) VALUES ($1, $2, 1, $3, $4)",
            &[&venture.0, &id, &comment.body, &comment.at_ms],
        )?;
        narrow(id, "comment")
    }

    fn comment(&mut self, venture: VentureId, id: u64) -> Result<Option<CommentRecord>, StoreError> {
        let row = self.pooled().query_opt(&format!("{COMMENT_SELECT} WHERE c.venture_id = $1 AND c.comment_no = $2"), &[&venture.0, &seq_key(id)])?;
        row.as_ref().map(comment_from_row).transpose()
    }

    fn comments(&mut self, venture: VentureId, subject: CommentSubject, after: u64, limit: u32) -> Result<Vec<CommentRecord>, StoreError> {
        let sql = format!(
            "{COMMENT_SELECT} WHERE c.venture_id = $1 AND c.subject_kind = $2 AND c.subject_number = $3 AND c.comment_no > $4 ORDER BY c.comment_no LIMIT $5"
        );
        let limit = i64::from(limit.min(COMMENTS_PAGE_MAX));
        let rows = self.pooled().query(&sql, &[&venture.0, &subject.kind(), &seq_key(subject.number()), &seq_key(after), &limit])?;
        rows.iter().map(comment_from_row).collect()
    }

    fn insert_comment_version(&mut self, venture: VentureId, id: u64, body: &str, at_ms: i64) -> Result<u32, StoreError> {
        let row = self.pooled().query_one(
            "INSERT INTO comment_versions (venture_id, comment_no, version, body, edited_at_ms)
             VALUES ($1, $2, (SELECT coalesce(max(version), 0) + 1 FROM comment_versions WHERE venture_id = $1 AND comment_no = $2), $3, $4) RETURNING version",
            &[&venture.0, &seq_param(id)?, &body, &at_ms],
        )?;
        let version: i32 = get(&row, 0)?;
        narrow(version, "comment version")
    }

    fn comment_versions(&mut self, venture: VentureId, id: u64) -> Result<Vec<CommentVersionRecord>, StoreError> {
        let rows = self.pooled().query(
            "SELECT version, body, edited_at_ms FROM comment_versions WHERE venture_id = $1 AND comment_no = $2 ORDER BY version",
            &[&venture.0, &seq_key(id)],
        )?;
        rows.iter()
            .map(|row| {
                let version: i32 = get(row, 0)?;
                Ok(CommentVersionRecord { version: narrow(version, "comment version")?, body: get(row, 1)?, at_ms: get(row, 2)? })
            })
            .collect()
    }

    fn activity(&mut self, venture: VentureId, before: &ActivityCursor, limit: u32) -> Result<Vec<ActivityRecord>, StoreError> {
        let limit = i64::from(limit.min(ACTIVITY_PAGE_MAX));
        let rows = self.pooled().query(
            ACTIVITY_SQL,
            &[&venture.0, &before.at_ms, &number_bound_at_cursor(before, 1), &number_bound_at_cursor(before, 2), &number_bound_at_cursor(before, 3), &limit],
        )?;
        let member = |value: Option<i64>| value.map(|v| narrow(v, "member").map(MemberNo)).transpose();
        rows.iter()
            .map(|row| {
                let rank: i32 = get(row, 0)?;
                let at_ms: i64 = get(row, 1)?;
                let number: i64 = get(row, 2)?;
                let word: String = get(row, 3)?;
                let other: Option<i64> = get(row, 4)?;
                let actor: Option<i64> = get(row, 5)?;
                let text: String = get(row, 6)?;
                let what = match rank {
                    1 => ActivityWhat::Joined { member: MemberNo(narrow(number, "member")?) },
                    2 => ActivityWhat::Entry { seq: narrow(number, "sequence")?, tag: word, member: member(other)?, author: member(actor)?, note: text },
                    _ => ActivityWhat::Comment {
                        id: narrow(number, "comment")?,
                        subject: CommentSubject::from_stored(&word, other.unwrap_or(0))?,
                        author: member(actor)?.ok_or_else(|| StoreError::Corrupt("a comment has no author".into()))?,
                        body: text,
                    },
                };
                Ok(ActivityRecord { at_ms, what })
            })
            .collect()
    }

    fn activity_count_since(&mut self, venture: VentureId, since_ms: i64, except: Option<MemberNo>, cap: u32) -> Result<u32, StoreError> {
        let except = except.map_or(-1, |m| i64::from(m.0));
        let row = self.pooled().query_one(
            "SELECT (SELECT count(*) FROM (SELECT 1 FROM entries WHERE venture_id = $1 AND recorded_at_ms > $2 AND (author_no IS NULL OR author_no::bigint <> $3::bigint) LIMIT $4::bigint) AS e)
                  + (SELECT count(*) FROM (SELECT 1 FROM comments WHERE venture_id = $1 AND created_at_ms > $2 AND author_no::bigint <> $3::bigint LIMIT $4::bigint) AS c)
                  + (SELECT count(*) FROM (SELECT 1 FROM members WHERE venture_id = $1 AND recorded_at_ms > $2 AND member_no::bigint <> $3::bigint LIMIT $4::bigint) AS m)",
            &[&venture.0, &since_ms, &except, &i64::from(cap)],
        )?;
        let count: i64 = get(&row, 0)?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX).min(cap))
    }

    fn feed_visit(&mut self, venture: VentureId, account: AccountId) -> Result<Option<i64>, StoreError> {
        let row = self.pooled().query_opt("SELECT visited_at_ms FROM feed_visits WHERE venture_id = $1 AND account_id = $2", &[&venture.0, &account.0])?;
        row.map(|row| get(&row, 0)).transpose()
    }

    fn set_feed_visit(&mut self, venture: VentureId, account: AccountId, at_ms: i64) -> Result<(), StoreError> {
        self.pooled().execute(
            "INSERT INTO feed_visits (venture_id, account_id, visited_at_ms) VALUES ($1, $2, $3)
             ON CONFLICT (venture_id, account_id) DO UPDATE SET visited_at_ms = GREATEST(feed_visits.visited_at_ms, EXCLUDED.visited_at_ms)",
            &[&venture.0, &account.0, &at_ms],
        )?;
        Ok(())
    }
}

//! The SQLite storage of review statuses, policy proposals and votes, recurring contributions and drafts.

use super::*;
use peerstake_store::Reviews;

impl Reviews for SqliteTransaction<'_> {
    fn entries_about(&mut self, venture: VentureId, seq: u64) -> Result<Vec<StoredEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = ?1 AND about_seq = ?2 ORDER BY seq");
        self.rows(&sql, params![venture.0, seq_key(seq)], entry_from_row)
    }

    fn reviewed_entries(&mut self, venture: VentureId) -> Result<Vec<u64>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT DISTINCT about_seq FROM entries WHERE venture_id = ?1 AND about_seq IS NOT NULL ORDER BY about_seq")
            .map_err(backend)?;
        let rows = statement.query_map([venture.0], |row| row.get::<_, i64>(0)).map_err(backend)?;
        rows.map(|r| r.map_err(backend).and_then(|v| to_u64(v, "sequence"))).collect()
    }

    fn set_review_status(&mut self, venture: VentureId, seq: u64, status: &str) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO entry_reviews (venture_id, seq, status) VALUES (?1, ?2, ?3)
                 ON CONFLICT (venture_id, seq) DO UPDATE SET status = excluded.status",
                params![venture.0, seq_param(seq)?, status],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn review_statuses(&mut self, venture: VentureId, from: u64, to: u64) -> Result<Vec<(u64, String)>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT seq, status FROM entry_reviews WHERE venture_id = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq")
            .map_err(backend)?;
        let rows = statement
            .query_map(params![venture.0, seq_key(from), seq_key(to)], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend).and_then(|(seq, status)| Ok((to_u64(seq, "sequence")?, status)))).collect()
    }

    fn entries_with_status(&mut self, venture: VentureId, statuses: &[&str], limit: u32) -> Result<Vec<(u64, String)>, StoreError> {
        let mut out = Vec::new();
        for status in statuses {
            let mut statement = self
                .connection()
                .prepare_cached("SELECT seq, status FROM entry_reviews WHERE venture_id = ?1 AND status = ?2 ORDER BY seq LIMIT ?3")
                .map_err(backend)?;
            let rows = statement.query_map(params![venture.0, status, limit], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))).map_err(backend)?;
            for row in rows {
                let (seq, status) = row.map_err(backend)?;
                out.push((to_u64(seq, "sequence")?, status));
            }
        }
        out.sort();
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(out)
    }

    fn insert_proposal(&mut self, venture: VentureId, proposal: &ProposalRecord) -> Result<u32, StoreError> {
        let number = self.next_number("proposals", "proposal_no", venture)?;
        self.connection()
            .exec(
                "INSERT INTO proposals (venture_id, proposal_no, proposed_by, label, settings, effective_from, note, status, created_at_ms, decided_at_ms, policy_version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    venture.0,
                    number,
                    proposal.proposed_by.0,
                    proposal.label,
                    proposal.settings,
                    date_to_day(proposal.effective_from),
                    proposal.note,
                    proposal.status,
                    proposal.created_at_ms,
                    proposal.decided_at_ms,
                    proposal.policy_version,
                ],
            )
            .map_err(backend)?;
        to_u32(number, "proposal number")
    }

    fn proposals(&mut self, venture: VentureId) -> Result<Vec<ProposalRecord>, StoreError> {
        let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE venture_id = ?1 ORDER BY proposal_no DESC");
        self.rows(&sql, [venture.0], proposal_from_row)
    }

    fn proposal(&mut self, venture: VentureId, number: u32) -> Result<Option<ProposalRecord>, StoreError> {
        let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE venture_id = ?1 AND proposal_no = ?2");
        let mut statement = self.connection().prepare_cached(&sql).map_err(backend)?;
        let mut rows = statement.query(params![venture.0, number]).map_err(backend)?;
        rows.next().map_err(backend)?.map(proposal_from_row).transpose()
    }

    fn decide_proposal(&mut self, venture: VentureId, number: u32, status: &str, at_ms: i64, policy_version: Option<u32>) -> Result<bool, StoreError> {
        let changed = self
            .connection()
            .exec(
                "UPDATE proposals SET status = ?3, decided_at_ms = ?4, policy_version = ?5 WHERE venture_id = ?1 AND proposal_no = ?2 AND status = 'open'",
                params![venture.0, number, status, at_ms, policy_version],
            )
            .map_err(backend)?;
        Ok(changed == 1)
    }

    fn insert_proposal_vote(&mut self, venture: VentureId, number: u32, vote: &ProposalVote) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO proposal_votes (venture_id, proposal_no, member_no, approve, note, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![venture.0, number, vote.member.0, vote.approve, vote.note, vote.at_ms],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn proposal_votes(&mut self, venture: VentureId, number: u32) -> Result<Vec<ProposalVote>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT member_no, approve, note, at_ms FROM proposal_votes WHERE venture_id = ?1 AND proposal_no = ?2 ORDER BY at_ms, member_no")
            .map_err(backend)?;
        let rows = statement
            .query_map(params![venture.0, number], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, bool>(1)?, row.get::<_, String>(2)?, row.get::<_, i64>(3)?)))
            .map_err(backend)?;
        let mut out = Vec::new();
        for row in rows {
            let (member, approve, note, at_ms) = row.map_err(backend)?;
            out.push(ProposalVote { member: MemberNo(to_u32(member, "member")?), approve, note, at_ms });
        }
        Ok(out)
    }

    fn insert_recurring(&mut self, venture: VentureId, recurring: &RecurringRecord) -> Result<u32, StoreError> {
        let number = self.next_number("recurring", "recurring_no", venture)?;
        self.connection()
            .exec(
                "INSERT INTO recurring (venture_id, recurring_no, member_no, form, note, cadence, starts_on, next_on, ends_on, active, created_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    venture.0,
                    number,
                    recurring.member.0,
                    recurring.form,
                    recurring.note,
                    recurring.cadence,
                    date_to_day(recurring.starts_on),
                    date_to_day(recurring.next_on),
                    recurring.ends_on.map(date_to_day),
                    recurring.active,
                    recurring.created_at_ms,
                ],
            )
            .map_err(backend)?;
        to_u32(number, "recurring number")
    }

    fn recurring(&mut self, venture: VentureId) -> Result<Vec<RecurringRecord>, StoreError> {
        self.rows(
            "SELECT recurring_no, member_no, form, note, cadence, starts_on, next_on, ends_on, active, created_at_ms FROM recurring
             WHERE venture_id = ?1 ORDER BY recurring_no",
            [venture.0],
            |row| {
                Ok(RecurringRecord {
                    number: to_u32(row.get(0).map_err(backend)?, "recurring number")?,
                    member: MemberNo(to_u32(row.get(1).map_err(backend)?, "member")?),
                    form: row.get(2).map_err(backend)?,
                    note: row.get(3).map_err(backend)?,
                    cadence: row.get(4).map_err(backend)?,
                    starts_on: day_to_date(row.get(5).map_err(backend)?)?,
                    next_on: day_to_date(row.get(6).map_err(backend)?)?,
                    ends_on: date(row.get(7).map_err(backend)?)?,
                    active: row.get(8).map_err(backend)?,
                    created_at_ms: row.get(9).map_err(backend)?,
                })
            },
        )
    }

    fn set_recurring_schedule(&mut self, venture: VentureId, number: u32, next_on: Date, active: bool) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "UPDATE recurring SET next_on = ?3, active = ?4 WHERE venture_id = ?1 AND recurring_no = ?2",
                params![venture.0, number, date_to_day(next_on), active],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn insert_recurring_draft(&mut self, venture: VentureId, number: u32, period_on: Date) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO recurring_drafts (venture_id, recurring_no, period_on, status) VALUES (?1, ?2, ?3, 'waiting')",
                params![venture.0, number, date_to_day(period_on)],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn recurring_drafts(&mut self, venture: VentureId, status: Option<&str>) -> Result<Vec<DraftRecord>, StoreError> {
        self.rows(
            "SELECT recurring_no, period_on, status, entry_seq FROM recurring_drafts
             WHERE venture_id = ?1 AND (?2 IS NULL OR status = ?2) ORDER BY period_on, recurring_no",
            params![venture.0, status],
            |row| {
                Ok(DraftRecord {
                    number: to_u32(row.get(0).map_err(backend)?, "recurring number")?,
                    period_on: day_to_date(row.get(1).map_err(backend)?)?,
                    status: row.get(2).map_err(backend)?,
                    entry_seq: seq(row.get(3).map_err(backend)?)?,
                })
            },
        )
    }

    fn decide_recurring_draft(&mut self, venture: VentureId, number: u32, period_on: Date, status: &str, entry_seq: Option<u64>) -> Result<bool, StoreError> {
        let changed = self
            .connection()
            .exec(
                "UPDATE recurring_drafts SET status = ?4, entry_seq = ?5 WHERE venture_id = ?1 AND recurring_no = ?2 AND period_on = ?3 AND status = 'waiting'",
                params![venture.0, number, date_to_day(period_on), status, entry_seq.map(seq_param).transpose()?],
            )
            .map_err(backend)?;
        Ok(changed == 1)
    }
}

//! The PostgreSQL storage of review statuses, policy proposals and votes, recurring contributions and drafts.

use super::*;
use peerstake_store::Reviews;

impl Reviews for PostgresTransaction<'_> {
    fn entries_about(&mut self, venture: VentureId, seq: u64) -> Result<Vec<StoredEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = $1 AND about_seq = $2 ORDER BY seq");
        let rows = self.pooled().query(&sql, &[&venture.0, &seq_key(seq)])?;
        rows.iter().map(entry_from_row).collect()
    }

    fn reviewed_entries(&mut self, venture: VentureId) -> Result<Vec<u64>, StoreError> {
        let rows =
            self.pooled().query("SELECT DISTINCT about_seq FROM entries WHERE venture_id = $1 AND about_seq IS NOT NULL ORDER BY about_seq", &[&venture.0])?;
        rows.iter().map(|row| narrow(get::<i64>(row, 0)?, "sequence")).collect()
    }

    fn set_review_status(&mut self, venture: VentureId, seq: u64, status: &str) -> Result<(), StoreError> {
        self.pooled().execute(
            "INSERT INTO entry_reviews (venture_id, seq, status) VALUES ($1, $2, $3)
             ON CONFLICT (venture_id, seq) DO UPDATE SET status = excluded.status",
            &[&venture.0, &seq_param(seq)?, &status],
        )?;
        Ok(())
    }

    fn review_statuses(&mut self, venture: VentureId, from: u64, to: u64) -> Result<Vec<(u64, String)>, StoreError> {
        let rows = self.pooled().query(
            "SELECT seq, status FROM entry_reviews WHERE venture_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq",
            &[&venture.0, &seq_key(from), &seq_key(to)],
        )?;
        rows.iter().map(|row| Ok((narrow(get::<i64>(row, 0)?, "sequence")?, get(row, 1)?))).collect()
    }

    fn entries_with_status(&mut self, venture: VentureId, statuses: &[&str], limit: u32) -> Result<Vec<(u64, String)>, StoreError> {
        let statuses: Vec<String> = statuses.iter().map(|s| (*s).to_string()).collect();
        let rows = self.pooled().query(
            "SELECT seq, status FROM entry_reviews WHERE venture_id = $1 AND status = ANY($2) ORDER BY seq LIMIT $3",
            &[&venture.0, &statuses, &i64::from(limit)],
        )?;
        rows.iter().map(|row| Ok((narrow(get::<i64>(row, 0)?, "sequence")?, get(row, 1)?))).collect()
    }

    fn insert_proposal(&mut self, venture: VentureId, proposal: &ProposalRecord) -> Result<u32, StoreError> {
        let policy_version = proposal.policy_version.map(|v| narrow::<u32, i32>(v, "policy version")).transpose()?;
        let row = self.pooled().query_one(
            "INSERT INTO proposals (venture_id, proposal_no, proposed_by, label, settings, effective_from, note, status, created_at_ms, decided_at_ms, policy_version)
             VALUES ($1, (SELECT coalesce(max(proposal_no), 0) + 1 FROM proposals WHERE venture_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10)
             RETURNING proposal_no",
            &[
                &venture.0,
                &member_param(proposal.proposed_by)?,
                &proposal.label,
                &proposal.settings,
                &proposal.effective_from,
                &proposal.note,
                &proposal.status,
                &proposal.created_at_ms,
                &proposal.decided_at_ms,
                &policy_version,
            ],
        )?;
        narrow(get::<i32>(&row, 0)?, "proposal number")
    }

    fn proposals(&mut self, venture: VentureId) -> Result<Vec<ProposalRecord>, StoreError> {
        let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE venture_id = $1 ORDER BY proposal_no DESC");
        let rows = self.pooled().query(&sql, &[&venture.0])?;
        rows.iter().map(proposal_from_row).collect()
    }

    fn proposal(&mut self, venture: VentureId, number: u32) -> Result<Option<ProposalRecord>, StoreError> {
        let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE venture_id = $1 AND proposal_no = $2");
        let number: i32 = narrow(number, "proposal number")?;
        let row = self.pooled().query_opt(&sql, &[&venture.0, &number])?;
        row.as_ref().map(proposal_from_row).transpose()
    }

    fn decide_proposal(&mut self, venture: VentureId, number: u32, status: &str, at_ms: i64, policy_version: Option<u32>) -> Result<bool, StoreError> {
        let number: i32 = narrow(number, "proposal number")?;
        let policy_version = policy_version.map(|v| narrow::<u32, i32>(v, "policy version")).transpose()?;
        let changed = self.pooled().execute(
            "UPDATE proposals SET status = $3, decided_at_ms = $4, policy_version = $5 WHERE venture_id = $1 AND proposal_no = $2 AND status = 'open'",
            &[&venture.0, &number, &status, &at_ms, &policy_version],
        )?;
        Ok(changed == 1)
    }

    fn insert_proposal_vote(&mut self, venture: VentureId, number: u32, vote: &ProposalVote) -> Result<(), StoreError> {
        let number: i32 = narrow(number, "proposal number")?;
        self.pooled().execute(
            "INSERT INTO proposal_votes (venture_id, proposal_no, member_no, approve, note, at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&venture.0, &number, &member_param(vote.member)?, &vote.approve, &vote.note, &vote.at_ms],
        )?;
        Ok(())
    }

    fn proposal_votes(&mut self, venture: VentureId, number: u32) -> Result<Vec<ProposalVote>, StoreError> {
        let number: i32 = narrow(number, "proposal number")?;
        let rows = self.pooled().query(
            "SELECT member_no, approve, note, at_ms FROM proposal_votes WHERE venture_id = $1 AND proposal_no = $2 ORDER BY at_ms, member_no",
            &[&venture.0, &number],
        )?;
        rows.iter()
            .map(|row| {
                Ok(ProposalVote { member: MemberNo(narrow(get::<i32>(row, 0)?, "member")?), approve: get(row, 1)?, note: get(row, 2)?, at_ms: get(row, 3)? })
            })
            .collect()
    }

    fn insert_recurring(&mut self, venture: VentureId, recurring: &RecurringRecord) -> Result<u32, StoreError> {
        let row = self.pooled().query_one(
            "INSERT INTO recurring (venture_id, recurring_no, member_no, form, note, cadence, starts_on, next_on, ends_on, active, created_at_ms)
             VALUES ($1, (SELECT coalesce(max(recurring_no), 0) + 1 FROM recurring WHERE venture_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10)
             RETURNING recurring_no",
            &[
                &venture.0,
                &member_param(recurring.member)?,
                &recurring.form,
                &recurring.note,
                &recurring.cadence,
                &recurring.starts_on,
                &recurring.next_on,
                &recurring.ends_on,
                &recurring.active,
                &recurring.created_at_ms,
            ],
        )?;
        narrow(get::<i32>(&row, 0)?, "recurring number")
    }

    fn recurring(&mut self, venture: VentureId) -> Result<Vec<RecurringRecord>, StoreError> {
        let rows = self.pooled().query(
            "SELECT recurring_no, member_no, form, note, cadence, starts_on, next_on, ends_on, active, created_at_ms FROM recurring
             WHERE venture_id = $1 ORDER BY recurring_no",
            &[&venture.0],
        )?;
        rows.iter()
            .map(|row| {
                Ok(RecurringRecord {
                    number: narrow(get::<i32>(row, 0)?, "recurring number")?,
                    member: MemberNo(narrow(get::<i32>(row, 1)?, "member")?),
                    form: get(row, 2)?,
                    note: get(row, 3)?,
                    cadence: get(row, 4)?,
                    starts_on: get(row, 5)?,
                    next_on: get(row, 6)?,
                    ends_on: get(row, 7)?,
                    active: get(row, 8)?,
                    created_at_ms: get(row, 9)?,
                })
            })
            .collect()
    }

    fn set_recurring_schedule(&mut self, venture: VentureId, number: u32, next_on: Date, active: bool) -> Result<(), StoreError> {
        let number: i32 = narrow(number, "recurring number")?;
        self.pooled()
            .execute("UPDATE recurring SET next_on = $3, active = $4 WHERE venture_id = $1 AND recurring_no = $2", &[&venture.0, &number, &next_on, &active])?;
        Ok(())
    }

    fn insert_recurring_draft(&mut self, venture: VentureId, number: u32, period_on: Date) -> Result<(), StoreError> {
        let number: i32 = narrow(number, "recurring number")?;
        self.pooled().execute(
            "INSERT INTO recurring_drafts (venture_id, recurring_no, period_on, status) VALUES ($1, $2, $3, 'waiting')",
            &[&venture.0, &number, &period_on],
        )?;
        Ok(())
    }

    fn recurring_drafts(&mut self, venture: VentureId, status: Option<&str>) -> Result<Vec<DraftRecord>, StoreError> {
        let rows = self.pooled().query(
            "SELECT recurring_no, period_on, status, entry_seq FROM recurring_drafts
             WHERE venture_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY period_on, recurring_no",
            &[&venture.0, &status],
        )?;
        rows.iter()
            .map(|row| {
                Ok(DraftRecord {
                    number: narrow(get::<i32>(row, 0)?, "recurring number")?,
                    period_on: get(row, 1)?,
                    status: get(row, 2)?,
                    entry_seq: get::<Option<i64>>(row, 3)?.map(|v| narrow(v, "sequence")).transpose()?,
                })
            })
            .collect()
    }

    fn decide_recurring_draft(&mut self, venture: VentureId, number: u32, period_on: Date, status: &str, entry_seq: Option<u64>) -> Result<bool, StoreError> {
        let number: i32 = narrow(number, "recurring number")?;
        let entry_seq = entry_seq.map(seq_param).transpose()?;
        let changed = self.pooled().execute(
            "UPDATE recurring_drafts SET status = $4, entry_seq = $5 WHERE venture_id = $1 AND recurring_no = $2 AND period_on = $3 AND status = 'waiting'",
            &[&venture.0, &number, &period_on, &status, &entry_seq],
        )?;
        Ok(changed == 1)
    }
}

//! Departures, buyouts, changes of steward, freezes, income and distributions in PostgreSQL.

use peerstake_core::terms::MemberNo;
use peerstake_store::lifecycle::{decode_issued, decode_payouts, encode_issued, encode_payouts};
use peerstake_store::{
    AccountId, BuyoutRecord, CapTableLine, DepartureRecord, DistributionRecord, FreezeRecord, FreezeVoteRecord, IncomeRecord, Lifecycle, StewardshipRecord,
    StoreError, VentureId,
};
use postgres::Row;
use time::Date;

use super::capital::{member, member_opt, number, number_param, seq, seq_opt};
use super::{PostgresTransaction, get, member_param, narrow, seq_param};

const DEPARTURE_COLUMNS: &str = "departure_no, member_no, leave_case, justification, departed_on, entry_seq, recorded_by, recorded_at_ms";

fn departure_from_row(row: &Row) -> Result<DepartureRecord, StoreError> {
    Ok(DepartureRecord {
        number: number(get(row, 0)?, "departure")?,
        member: MemberNo(narrow(get::<i32>(row, 1)?, "member")?),
        case: get(row, 2)?,
        justification: get(row, 3)?,
        departed_on: get(row, 4)?,
        entry_seq: seq(get(row, 5)?)?,
        recorded_by: member(get(row, 6)?)?,
        recorded_at_ms: get(row, 7)?,
    })
}

const BUYOUT_COLUMNS: &str = "buyout_no, member_no, forced, buyer_no, slices_minor, price_per_slice_minor, amount_minor, status, offered_by, offered_at_ms, decided_at_ms, entry_seq, clawback_until";

fn buyout_from_row(row: &Row) -> Result<BuyoutRecord, StoreError> {
    Ok(BuyoutRecord {
        number: number(get(row, 0)?, "buyout")?,
        member: MemberNo(narrow(get::<i32>(row, 1)?, "member")?),
        forced: get(row, 2)?,
        buyer: member(get(row, 3)?)?,
        slices_minor: get(row, 4)?,
        price_per_slice_minor: get(row, 5)?,
        amount_minor: get(row, 6)?,
        status: get(row, 7)?,
        offered_by: member(get(row, 8)?)?,
        offered_at_ms: get(row, 9)?,
        decided_at_ms: get(row, 10)?,
        entry_seq: seq(get(row, 11)?)?,
        clawback_until: get(row, 12)?,
    })
}

const STEWARDSHIP_COLUMNS: &str =
    "change_no, kind, from_no, to_no, to_account, message, status, notice_until, created_at_ms, decided_at_ms, decided_by, decision_note";

fn stewardship_from_row(row: &Row) -> Result<StewardshipRecord, StoreError> {
    Ok(StewardshipRecord {
        number: number(get(row, 0)?, "change")?,
        kind: get(row, 1)?,
        from: member(get(row, 2)?)?,
        to_member: member(get(row, 3)?)?,
        to_account: get::<Option<i64>>(row, 4)?.map(AccountId),
        message: get(row, 5)?,
        status: get(row, 6)?,
        notice_until: get(row, 7)?,
        created_at_ms: get(row, 8)?,
        decided_at_ms: get(row, 9)?,
        decided_by: member(get(row, 10)?)?,
        decision_note: get(row, 11)?,
    })
}

const FREEZE_COLUMNS: &str = "freeze_no, reason, note, total_shares, issued, status, proposed_by, proposed_at_ms, head_seq, head_hash, frozen_on, frozen_at_ms, unfreeze_proposed_at_ms, unfrozen_at_ms";

fn freeze_from_row(row: &Row) -> Result<FreezeRecord, StoreError> {
    let head_seq = seq(get(row, 8)?)?;
    let head_hash: Option<String> = get(row, 9)?;
    Ok(FreezeRecord {
        number: number(get(row, 0)?, "freeze")?,
        reason: get(row, 1)?,
        note: get(row, 2)?,
        total_shares: get(row, 3)?,
        issued: decode_issued(get::<&str>(row, 4)?)?,
        status: get(row, 5)?,
        proposed_by: MemberNo(narrow(get::<i32>(row, 6)?, "member")?),
        proposed_at_ms: get(row, 7)?,
        head: head_seq.zip(head_hash),
        frozen_on: get(row, 10)?,
        frozen_at_ms: get(row, 11)?,
        unfreeze_proposed_at_ms: get(row, 12)?,
        unfrozen_at_ms: get(row, 13)?,
    })
}

const INCOME_COLUMNS: &str = "income_no, kind, amount_minor, received_on, note, valuation_minor, recorded_by, recorded_at_ms";

fn income_from_row(row: &Row) -> Result<IncomeRecord, StoreError> {
    Ok(IncomeRecord {
        number: number(get(row, 0)?, "income")?,
        kind: get(row, 1)?,
        amount_minor: get(row, 2)?,
        received_on: get(row, 3)?,
        note: get(row, 4)?,
        valuation_minor: get(row, 5)?,
        recorded_by: member(get(row, 6)?)?,
        recorded_at_ms: get(row, 7)?,
    })
}

const DISTRIBUTION_COLUMNS: &str = "distribution_no, amount_minor, basis, freeze_no, head_seq, total_weight, paid_on, note, posted_by, posted_at_ms, payouts";

fn distribution_from_row(row: &Row) -> Result<DistributionRecord, StoreError> {
    Ok(DistributionRecord {
        number: number(get(row, 0)?, "distribution")?,
        amount_minor: get(row, 1)?,
        basis: get(row, 2)?,
        freeze: get::<Option<i32>>(row, 3)?.map(|v| number(v, "freeze")).transpose()?,
        head_seq: narrow(get::<i64>(row, 4)?, "sequence")?,
        total_weight: get(row, 5)?,
        paid_on: get(row, 6)?,
        note: get(row, 7)?,
        posted_by: member(get(row, 8)?)?,
        posted_at_ms: get(row, 9)?,
        payouts: decode_payouts(get::<&[u8]>(row, 10)?)?,
    })
}

impl Lifecycle for PostgresTransaction<'_> {
    fn set_member_departed(&mut self, venture: VentureId, member: MemberNo, on: Option<Date>) -> Result<(), StoreError> {
        let member = member_param(member)?;
        self.pooled().execute("UPDATE members SET departed_on = $3 WHERE venture_id = $1 AND member_no = $2", &[&venture.0, &member, &on])?;
        self.bump_book_version(venture)
    }

    fn set_member_role(&mut self, venture: VentureId, member: MemberNo, role: &str) -> Result<(), StoreError> {
        let member = member_param(member)?;
        self.pooled().execute("UPDATE members SET role = $3 WHERE venture_id = $1 AND member_no = $2", &[&venture.0, &member, &role])?;
        self.bump_book_version(venture)
    }

    fn member_last_active(&mut self, venture: VentureId, member: MemberNo) -> Result<Option<i64>, StoreError> {
        let member = member_param(member)?;
        let row = self.pooled().query_one(
            "SELECT max(t) FROM (
                 SELECT max(recorded_at_ms) AS t FROM entries WHERE venture_id = $1 AND author_no = $2
                 UNION ALL SELECT max(created_at_ms) FROM comments WHERE venture_id = $1 AND author_no = $2
                 UNION ALL SELECT recorded_at_ms FROM members WHERE venture_id = $1 AND member_no = $2
                 UNION ALL SELECT max(created_at_ms) FROM stewardships WHERE venture_id = $1 AND from_no = $2
                 UNION ALL SELECT max(decided_at_ms) FROM stewardships WHERE venture_id = $1 AND decided_by = $2
                 UNION ALL SELECT max(at_ms) FROM freeze_votes WHERE venture_id = $1 AND member_no = $2
                 UNION ALL SELECT max(recorded_at_ms) FROM incomes WHERE venture_id = $1 AND recorded_by = $2
                 UNION ALL SELECT max(posted_at_ms) FROM distributions WHERE venture_id = $1 AND posted_by = $2) AS times",
            &[&venture.0, &member],
        )?;
        get(&row, 0)
    }

    fn insert_departure(&mut self, venture: VentureId, departure: &DepartureRecord) -> Result<u32, StoreError> {
        let member = member_param(departure.member)?;
        let entry_seq = seq_opt(departure.entry_seq)?;
        let recorded_by = member_opt(departure.recorded_by)?;
        let row = self.pooled().query_one(
            &format!(
                "INSERT INTO departures (venture_id, {DEPARTURE_COLUMNS})
                 VALUES ($1, (SELECT coalesce(max(departure_no), 0) + 1 FROM departures WHERE venture_id = $1), $2, $3, $4, $5, $6, $7, $8)
                 RETURNING departure_no"
            ),
            &[&venture.0, &member, &departure.case, &departure.justification, &departure.departed_on, &entry_seq, &recorded_by, &departure.recorded_at_ms],
        )?;
        number(get(&row, 0)?, "departure")
    }

    fn departures(&mut self, venture: VentureId) -> Result<Vec<DepartureRecord>, StoreError> {
        let rows = self.pooled().query(&format!("SELECT {DEPARTURE_COLUMNS} FROM departures WHERE venture_id = $1 ORDER BY departure_no"), &[&venture.0])?;
        rows.iter().map(departure_from_row).collect()
    }

    fn insert_buyout(&mut self, venture: VentureId, buyout: &BuyoutRecord) -> Result<u32, StoreError> {
        let member = member_param(buyout.member)?;
        let buyer = member_opt(buyout.buyer)?;
        let offered_by = member_opt(buyout.offered_by)?;
        let entry_seq = seq_opt(buyout.entry_seq)?;
        let row = self.pooled().query_one(
            &format!(
                "INSERT INTO buyouts (venture_id, {BUYOUT_COLUMNS})
                 VALUES ($1, (SELECT coalesce(max(buyout_no), 0) + 1 FROM buyouts WHERE venture_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 RETURNING buyout_no"
            ),
            &[
                &venture.0,
                &member,
                &buyout.forced,
                &buyer,
                &buyout.slices_minor,
                &buyout.price_per_slice_minor,
                &buyout.amount_minor,
                &buyout.status,
                &offered_by,
                &buyout.offered_at_ms,
                &buyout.decided_at_ms,
                &entry_seq,
                &buyout.clawback_until,
            ],
        )?;
        number(get(&row, 0)?, "buyout")
    }

    fn buyouts(&mut self, venture: VentureId) -> Result<Vec<BuyoutRecord>, StoreError> {
        let rows = self.pooled().query(&format!("SELECT {BUYOUT_COLUMNS} FROM buyouts WHERE venture_id = $1 ORDER BY buyout_no"), &[&venture.0])?;
        rows.iter().map(buyout_from_row).collect()
    }

    fn decide_buyout(
        &mut self,
        venture: VentureId,
        number: u32,
        from: &str,
        to: &str,
        at_ms: i64,
        entry_seq: Option<u64>,
        clawback_until: Option<Date>,
    ) -> Result<bool, StoreError> {
        let number = number_param(number, "buyout")?;
        let entry_seq = seq_opt(entry_seq)?;
        let changed = self.pooled().execute(
            "UPDATE buyouts SET status = $4, decided_at_ms = $5, entry_seq = $6, clawback_until = $7
             WHERE venture_id = $1 AND buyout_no = $2 AND status = $3",
            &[&venture.0, &number, &from, &to, &at_ms, &entry_seq, &clawback_until],
        )?;
        Ok(changed == 1)
    }

    fn insert_stewardship(&mut self, venture: VentureId, change: &StewardshipRecord) -> Result<u32, StoreError> {
        let from = member_opt(change.from)?;
        let to_member = member_opt(change.to_member)?;
        let to_account = change.to_account.map(|a| a.0);
        let decided_by = member_opt(change.decided_by)?;
        let row = self.pooled().query_one(
            &format!(
                "INSERT INTO stewardships (venture_id, {STEWARDSHIP_COLUMNS})
                 VALUES ($1, (SELECT coalesce(max(change_no), 0) + 1 FROM stewardships WHERE venture_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                 RETURNING change_no"
            ),
            &[
                &venture.0,
                &change.kind,
                &from,
                &to_member,
                &to_account,
                &change.message,
                &change.status,
                &change.notice_until,
                &change.created_at_ms,
                &change.decided_at_ms,
                &decided_by,
                &change.decision_note,
            ],
        )?;
        number(get(&row, 0)?, "change")
    }

    fn stewardships(&mut self, venture: VentureId) -> Result<Vec<StewardshipRecord>, StoreError> {
        let rows = self.pooled().query(&format!("SELECT {STEWARDSHIP_COLUMNS} FROM stewardships WHERE venture_id = $1 ORDER BY change_no"), &[&venture.0])?;
        rows.iter().map(stewardship_from_row).collect()
    }

    fn decide_stewardship(
        &mut self,
        venture: VentureId,
        number: u32,
        from: &str,
        to: &str,
        at_ms: i64,
        by: Option<MemberNo>,
        note: &str,
    ) -> Result<bool, StoreError> {
        let number = number_param(number, "change")?;
        let by = member_opt(by)?;
        let changed = self.pooled().execute(
            "UPDATE stewardships SET status = $4, decided_at_ms = $5, decided_by = $6, decision_note = $7
             WHERE venture_id = $1 AND change_no = $2 AND status = $3",
            &[&venture.0, &number, &from, &to, &at_ms, &by, &note],
        )?;
        Ok(changed == 1)
    }

    fn insert_freeze(&mut self, venture: VentureId, freeze: &FreezeRecord) -> Result<u32, StoreError> {
        let (head_seq, head_hash) = match &freeze.head {
            Some((seq, hash)) => (Some(seq_param(*seq)?), Some(hash.as_str())),
            None => (None, None),
        };
        let issued = encode_issued(&freeze.issued);
        let proposed_by = member_param(freeze.proposed_by)?;
        let row = self.pooled().query_one(
            &format!(
                "INSERT INTO freezes (venture_id, {FREEZE_COLUMNS})
                 VALUES ($1, (SELECT coalesce(max(freeze_no), 0) + 1 FROM freezes WHERE venture_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                 RETURNING freeze_no"
            ),
            &[
                &venture.0,
                &freeze.reason,
                &freeze.note,
                &freeze.total_shares,
                &issued,
                &freeze.status,
                &proposed_by,
                &freeze.proposed_at_ms,
                &head_seq,
                &head_hash,
                &freeze.frozen_on,
                &freeze.frozen_at_ms,
                &freeze.unfreeze_proposed_at_ms,
                &freeze.unfrozen_at_ms,
            ],
        )?;
        number(get(&row, 0)?, "freeze")
    }

    fn freezes(&mut self, venture: VentureId) -> Result<Vec<FreezeRecord>, StoreError> {
        let rows = self.pooled().query(&format!("SELECT {FREEZE_COLUMNS} FROM freezes WHERE venture_id = $1 ORDER BY freeze_no"), &[&venture.0])?;
        rows.iter().map(freeze_from_row).collect()
    }

    fn set_freeze_status(
        &mut self,
        venture: VentureId,
        number: u32,
        from: &str,
        to: &str,
        at_ms: i64,
        head: Option<(u64, &str)>,
        frozen_on: Option<Date>,
    ) -> Result<bool, StoreError> {
        let number = number_param(number, "freeze")?;
        let changed = match (to, head) {
            ("frozen", Some((seq, hash))) => {
                let seq = seq_param(seq)?;
                self.pooled().execute(
                    "UPDATE freezes SET status = $4, frozen_at_ms = $5, head_seq = $6, head_hash = $7, frozen_on = $8
                     WHERE venture_id = $1 AND freeze_no = $2 AND status = $3",
                    &[&venture.0, &number, &from, &to, &at_ms, &seq, &hash, &frozen_on],
                )?
            }
            ("unfrozen", _) => self.pooled().execute(
                "UPDATE freezes SET status = $4, unfrozen_at_ms = $5, unfreeze_proposed_at_ms = NULL
                 WHERE venture_id = $1 AND freeze_no = $2 AND status = $3",
                &[&venture.0, &number, &from, &to, &at_ms],
            )?,
            _ => self
                .pooled()
                .execute("UPDATE freezes SET status = $4 WHERE venture_id = $1 AND freeze_no = $2 AND status = $3", &[&venture.0, &number, &from, &to])?,
        };
        Ok(changed == 1)
    }

    fn set_unfreeze_proposed(&mut self, venture: VentureId, number: u32, at_ms: Option<i64>) -> Result<(), StoreError> {
        let number = number_param(number, "freeze")?;
        self.pooled().execute("UPDATE freezes SET unfreeze_proposed_at_ms = $3 WHERE venture_id = $1 AND freeze_no = $2", &[&venture.0, &number, &at_ms])?;
        if at_ms.is_some() {
            // A new round starts with no votes.
            self.pooled().execute("DELETE FROM freeze_votes WHERE venture_id = $1 AND freeze_no = $2 AND round = 'unfreeze'", &[&venture.0, &number])?;
        }
        Ok(())
    }

    fn insert_freeze_vote(&mut self, venture: VentureId, number: u32, vote: &FreezeVoteRecord) -> Result<(), StoreError> {
        let number = number_param(number, "freeze")?;
        let member = member_param(vote.member)?;
        self.pooled().execute(
            "INSERT INTO freeze_votes (venture_id, freeze_no, round, member_no, approve, at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&venture.0, &number, &vote.round, &member, &vote.approve, &vote.at_ms],
        )?;
        Ok(())
    }

    fn freeze_votes(&mut self, venture: VentureId, number: u32, round: &str) -> Result<Vec<FreezeVoteRecord>, StoreError> {
        let number = number_param(number, "freeze")?;
        let rows = self.pooled().query(
            "SELECT round, member_no, approve, at_ms FROM freeze_votes WHERE venture_id = $1 AND freeze_no = $2 AND round = $3 ORDER BY at_ms, member_no",
            &[&venture.0, &number, &round],
        )?;
        rows.iter()
            .map(|row| {
                Ok(FreezeVoteRecord {
                    round: get(row, 0)?,
                    member: MemberNo(narrow(get::<i32>(row, 1)?, "member")?),
                    approve: get(row, 2)?,
                    at_ms: get(row, 3)?,
                })
            })
            .collect()
    }

    fn insert_cap_table(&mut self, venture: VentureId, number: u32, lines: &[CapTableLine]) -> Result<(), StoreError> {
        let number = number_param(number, "freeze")?;
        for line in lines {
            let member = member_param(line.member)?;
            self.pooled().execute(
                "INSERT INTO cap_tables (venture_id, freeze_no, member_no, slices_minor, shares, issued, buy_back, issue) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[&venture.0, &number, &member, &line.slices_minor, &line.shares, &line.issued, &line.buy_back, &line.issue],
            )?;
        }
        Ok(())
    }

    fn cap_table(&mut self, venture: VentureId, number: u32) -> Result<Vec<CapTableLine>, StoreError> {
        let number = number_param(number, "freeze")?;
        let rows = self.pooled().query(
            "SELECT member_no, slices_minor, shares, issued, buy_back, issue FROM cap_tables WHERE venture_id = $1 AND freeze_no = $2 ORDER BY member_no",
            &[&venture.0, &number],
        )?;
        rows.iter()
            .map(|row| {
                Ok(CapTableLine {
                    member: MemberNo(narrow(get::<i32>(row, 0)?, "member")?),
                    slices_minor: get(row, 1)?,
                    shares: get(row, 2)?,
                    issued: get(row, 3)?,
                    buy_back: get(row, 4)?,
                    issue: get(row, 5)?,
                })
            })
            .collect()
    }

    fn insert_income(&mut self, venture: VentureId, income: &IncomeRecord) -> Result<u32, StoreError> {
        let recorded_by = member_opt(income.recorded_by)?;
        let row = self.pooled().query_one(
            &format!(
                "INSERT INTO incomes (venture_id, {INCOME_COLUMNS})
                 VALUES ($1, (SELECT coalesce(max(income_no), 0) + 1 FROM incomes WHERE venture_id = $1), $2, $3, $4, $5, $6, $7, $8)
                 RETURNING income_no"
            ),
            &[&venture.0, &income.kind, &income.amount_minor, &income.received_on, &income.note, &income.valuation_minor, &recorded_by, &income.recorded_at_ms],
        )?;
        number(get(&row, 0)?, "income")
    }

    fn incomes(&mut self, venture: VentureId) -> Result<Vec<IncomeRecord>, StoreError> {
        let rows = self.pooled().query(&format!("SELECT {INCOME_COLUMNS} FROM incomes WHERE venture_id = $1 ORDER BY income_no"), &[&venture.0])?;
        rows.iter().map(income_from_row).collect()
    }

    fn insert_distribution(&mut self, venture: VentureId, distribution: &DistributionRecord) -> Result<u32, StoreError> {
        let freeze = distribution.freeze.map(|n| number_param(n, "freeze")).transpose()?;
        let head_seq = seq_param(distribution.head_seq)?;
        let posted_by = member_opt(distribution.posted_by)?;
        let payouts = encode_payouts(&distribution.payouts);
        let row = self.pooled().query_one(
            &format!(
                "INSERT INTO distributions (venture_id, {DISTRIBUTION_COLUMNS})
                 VALUES ($1, (SELECT coalesce(max(distribution_no), 0) + 1 FROM distributions WHERE venture_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 RETURNING distribution_no"
            ),
            &[
                &venture.0,
                &distribution.amount_minor,
                &distribution.basis,
                &freeze,
                &head_seq,
                &distribution.total_weight,
                &distribution.paid_on,
                &distribution.note,
                &posted_by,
                &distribution.posted_at_ms,
                &payouts,
            ],
        )?;
        number(get(&row, 0)?, "distribution")
    }

    fn member_slices(&mut self, venture: VentureId) -> Result<Vec<(MemberNo, i64)>, StoreError> {
        // Summed here rather than with SQL's sum(), which widens to numeric and, without fresh
        // statistics, hashes to disk; the rows arrive in key order, a member's buckets together.
        let rows = self
            .pooled()
            .query("SELECT member_no, slices_minor FROM member_totals WHERE venture_id = $1 AND slices_minor <> 0 ORDER BY member_no", &[&venture.0])?;
        let mut out: Vec<(MemberNo, i64)> = Vec::new();
        for row in &rows {
            let member = MemberNo(narrow(get::<i32>(row, 0)?, "member")?);
            let slices: i64 = get(row, 1)?;
            match out.last_mut() {
                Some((last, sum)) if *last == member => {
                    *sum = sum.checked_add(slices).ok_or_else(|| StoreError::Corrupt("a member's slices overflow".into()))?;
                }
                _ => out.push((member, slices)),
            }
        }
        out.retain(|(_, slices)| *slices > 0);
        Ok(out)
    }

    fn distribution_summary(&mut self, venture: VentureId) -> Result<(u32, i64), StoreError> {
        let row = self
            .pooled()
            .query_one("SELECT count(*)::BIGINT, coalesce(sum(amount_minor), 0)::BIGINT FROM distributions WHERE venture_id = $1", &[&venture.0])?;
        let count: i64 = get(&row, 0)?;
        Ok((narrow(count, "distributions")?, get(&row, 1)?))
    }

    fn distributions(&mut self, venture: VentureId) -> Result<Vec<DistributionRecord>, StoreError> {
        let rows =
            self.pooled().query(&format!("SELECT {DISTRIBUTION_COLUMNS} FROM distributions WHERE venture_id = $1 ORDER BY distribution_no"), &[&venture.0])?;
        rows.iter().map(distribution_from_row).collect()
    }
}

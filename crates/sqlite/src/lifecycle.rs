//! Departures, buyouts, changes of steward, freezes, income and distributions in SQLite.

use peerstake_core::terms::MemberNo;
use peerstake_store::lifecycle::{decode_issued, decode_payouts, encode_issued, encode_payouts};
use peerstake_store::{
    AccountId, BuyoutRecord, CapTableLine, DepartureRecord, DistributionRecord, FreezeRecord, FreezeVoteRecord, IncomeRecord, Lifecycle, StewardshipRecord,
    StoreError, VentureId,
};
use rusqlite::{Row, params};
use time::Date;

use super::{Cached, SqliteTransaction, backend, date, date_to_day, day_to_date, member, seq, to_u32, to_u64};

fn seq_opt(value: Option<u64>) -> Result<Option<i64>, StoreError> {
    value.map(|v| i64::try_from(v).map_err(|_| StoreError::Corrupt("a sequence number is too large".into()))).transpose()
}

const DEPARTURE_COLUMNS: &str = "departure_no, member_no, leave_case, justification, departed_on, entry_seq, recorded_by, recorded_at_ms";

fn departure_from_row(row: &Row<'_>) -> Result<DepartureRecord, StoreError> {
    Ok(DepartureRecord {
        number: to_u32(row.get(0).map_err(backend)?, "departure")?,
        member: MemberNo(to_u32(row.get(1).map_err(backend)?, "member")?),
        case: row.get(2).map_err(backend)?,
        justification: row.get(3).map_err(backend)?,
        departed_on: day_to_date(row.get(4).map_err(backend)?)?,
        entry_seq: seq(row.get(5).map_err(backend)?)?,
        recorded_by: member(row.get(6).map_err(backend)?)?,
        recorded_at_ms: row.get(7).map_err(backend)?,
    })
}

const BUYOUT_COLUMNS: &str = "buyout_no, member_no, forced, buyer_no, slices_minor, price_per_slice_minor, amount_minor, status, offered_by, offered_at_ms, decided_at_ms, entry_seq, clawback_until";

fn buyout_from_row(row: &Row<'_>) -> Result<BuyoutRecord, StoreError> {
    Ok(BuyoutRecord {
        number: to_u32(row.get(0).map_err(backend)?, "buyout")?,
        member: MemberNo(to_u32(row.get(1).map_err(backend)?, "member")?),
        forced: row.get::<_, i64>(2).map_err(backend)? == 1,
        buyer: member(row.get(3).map_err(backend)?)?,
        slices_minor: row.get(4).map_err(backend)?,
        price_per_slice_minor: row.get(5).map_err(backend)?,
        amount_minor: row.get(6).map_err(backend)?,
        status: row.get(7).map_err(backend)?,
        offered_by: member(row.get(8).map_err(backend)?)?,
        offered_at_ms: row.get(9).map_err(backend)?,
        decided_at_ms: row.get(10).map_err(backend)?,
        entry_seq: seq(row.get(11).map_err(backend)?)?,
        clawback_until: date(row.get(12).map_err(backend)?)?,
    })
}

const STEWARDSHIP_COLUMNS: &str =
    "change_no, kind, from_no, to_no, to_account, message, status, notice_until, created_at_ms, decided_at_ms, decided_by, decision_note";

fn stewardship_from_row(row: &Row<'_>) -> Result<StewardshipRecord, StoreError> {
    Ok(StewardshipRecord {
        number: to_u32(row.get(0).map_err(backend)?, "change")?,
        kind: row.get(1).map_err(backend)?,
        from: member(row.get(2).map_err(backend)?)?,
        to_member: member(row.get(3).map_err(backend)?)?,
        to_account: row.get::<_, Option<i64>>(4).map_err(backend)?.map(AccountId),
        message: row.get(5).map_err(backend)?,
        status: row.get(6).map_err(backend)?,
        notice_until: date(row.get(7).map_err(backend)?)?,
        created_at_ms: row.get(8).map_err(backend)?,
        decided_at_ms: row.get(9).map_err(backend)?,
        decided_by: member(row.get(10).map_err(backend)?)?,
        decision_note: row.get(11).map_err(backend)?,
    })
}

const FREEZE_COLUMNS: &str = "freeze_no, reason, note, total_shares, issued, status, proposed_by, proposed_at_ms, head_seq, head_hash, frozen_on, frozen_at_ms, unfreeze_proposed_at_ms, unfrozen_at_ms";

fn freeze_from_row(row: &Row<'_>) -> Result<FreezeRecord, StoreError> {
    let head_seq = seq(row.get(8).map_err(backend)?)?;
    let head_hash: Option<String> = row.get(9).map_err(backend)?;
    Ok(FreezeRecord {
        number: to_u32(row.get(0).map_err(backend)?, "freeze")?,
        reason: row.get(1).map_err(backend)?,
        note: row.get(2).map_err(backend)?,
        total_shares: row.get(3).map_err(backend)?,
        issued: decode_issued(&row.get::<_, String>(4).map_err(backend)?)?,
        status: row.get(5).map_err(backend)?,
        proposed_by: MemberNo(to_u32(row.get(6).map_err(backend)?, "member")?),
        proposed_at_ms: row.get(7).map_err(backend)?,
        head: head_seq.zip(head_hash),
        frozen_on: date(row.get(10).map_err(backend)?)?,
        frozen_at_ms: row.get(11).map_err(backend)?,
        unfreeze_proposed_at_ms: row.get(12).map_err(backend)?,
        unfrozen_at_ms: row.get(13).map_err(backend)?,
    })
}

const INCOME_COLUMNS: &str = "income_no, kind, amount_minor, received_on, note, valuation_minor, recorded_by, recorded_at_ms";

fn income_from_row(row: &Row<'_>) -> Result<IncomeRecord, StoreError> {
    Ok(IncomeRecord {
        number: to_u32(row.get(0).map_err(backend)?, "income")?,
        kind: row.get(1).map_err(backend)?,
        amount_minor: row.get(2).map_err(backend)?,
        received_on: day_to_date(row.get(3).map_err(backend)?)?,
        note: row.get(4).map_err(backend)?,
        valuation_minor: row.get(5).map_err(backend)?,
        recorded_by: member(row.get(6).map_err(backend)?)?,
        recorded_at_ms: row.get(7).map_err(backend)?,
    })
}

const DISTRIBUTION_COLUMNS: &str = "distribution_no, amount_minor, basis, freeze_no, head_seq, total_weight, paid_on, note, posted_by, posted_at_ms, payouts";

fn distribution_from_row(row: &Row<'_>) -> Result<DistributionRecord, StoreError> {
    Ok(DistributionRecord {
        number: to_u32(row.get(0).map_err(backend)?, "distribution")?,
        amount_minor: row.get(1).map_err(backend)?,
        basis: row.get(2).map_err(backend)?,
        freeze: row.get::<_, Option<i64>>(3).map_err(backend)?.map(|v| to_u32(v, "freeze")).transpose()?,
        head_seq: to_u64(row.get(4).map_err(backend)?, "sequence")?,
        total_weight: row.get(5).map_err(backend)?,
        paid_on: day_to_date(row.get(6).map_err(backend)?)?,
        note: row.get(7).map_err(backend)?,
        posted_by: member(row.get(8).map_err(backend)?)?,
        posted_at_ms: row.get(9).map_err(backend)?,
        payouts: decode_payouts(&row.get::<_, Vec<u8>>(10).map_err(backend)?)?,
    })
}

impl Lifecycle for SqliteTransaction<'_> {
    fn set_member_departed(&mut self, venture: VentureId, member: MemberNo, on: Option<Date>) -> Result<(), StoreError> {
        self.connection()
            .exec("UPDATE members SET departed_on = ?3 WHERE venture_id = ?1 AND member_no = ?2", params![venture.0, member.0, on.map(date_to_day)])
            .map_err(backend)?;
        self.bump_book_version(venture)
    }

    fn set_member_role(&mut self, venture: VentureId, member: MemberNo, role: &str) -> Result<(), StoreError> {
        self.connection().exec("UPDATE members SET role = ?3 WHERE venture_id = ?1 AND member_no = ?2", params![venture.0, member.0, role]).map_err(backend)?;
        self.bump_book_version(venture)
    }

    fn member_last_active(&mut self, venture: VentureId, member: MemberNo) -> Result<Option<i64>, StoreError> {
        self.connection()
            .one(
                "SELECT max(t) FROM (
                     SELECT max(recorded_at_ms) AS t FROM entries WHERE venture_id = ?1 AND author_no = ?2
                     UNION ALL SELECT max(created_at_ms) FROM comments WHERE venture_id = ?1 AND author_no = ?2
                     UNION ALL SELECT recorded_at_ms FROM members WHERE venture_id = ?1 AND member_no = ?2
                     UNION ALL SELECT max(created_at_ms) FROM stewardships WHERE venture_id = ?1 AND from_no = ?2
                     UNION ALL SELECT max(decided_at_ms) FROM stewardships WHERE venture_id = ?1 AND decided_by = ?2
                     UNION ALL SELECT max(at_ms) FROM freeze_votes WHERE venture_id = ?1 AND member_no = ?2
                     UNION ALL SELECT max(recorded_at_ms) FROM incomes WHERE venture_id = ?1 AND recorded_by = ?2
                     UNION ALL SELECT max(posted_at_ms) FROM distributions WHERE venture_id = ?1 AND posted_by = ?2)",
                params![venture.0, member.0],
                |row| row.get(0),
            )
            .map_err(backend)
    }

    fn insert_departure(&mut self, venture: VentureId, departure: &DepartureRecord) -> Result<u32, StoreError> {
        let number = self.next_number("departures", "departure_no", venture)?;
        self.connection()
            .exec(
                &format!("INSERT INTO departures (venture_id, {DEPARTURE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
                params![
                    venture.0,
                    number,
                    departure.member.0,
                    departure.case,
                    departure.justification,
                    date_to_day(departure.departed_on),
                    seq_opt(departure.entry_seq)?,
                    departure.recorded_by.map(|m| m.0),
                    departure.recorded_at_ms,
                ],
            )
            .map_err(backend)?;
        to_u32(number, "departure")
    }

    fn departures(&mut self, venture: VentureId) -> Result<Vec<DepartureRecord>, StoreError> {
        self.rows(&format!("SELECT {DEPARTURE_COLUMNS} FROM departures WHERE venture_id = ?1 ORDER BY departure_no"), [venture.0], departure_from_row)
    }

    fn insert_buyout(&mut self, venture: VentureId, buyout: &BuyoutRecord) -> Result<u32, StoreError> {
        let number = self.next_number("buyouts", "buyout_no", venture)?;
        self.connection()
            .exec(
                &format!("INSERT INTO buyouts (venture_id, {BUYOUT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
                params![
                    venture.0,
                    number,
                    buyout.member.0,
                    i64::from(buyout.forced),
                    buyout.buyer.map(|m| m.0),
                    buyout.slices_minor,
                    buyout.price_per_slice_minor,
                    buyout.amount_minor,
                    buyout.status,
                    buyout.offered_by.map(|m| m.0),
                    buyout.offered_at_ms,
                    buyout.decided_at_ms,
                    seq_opt(buyout.entry_seq)?,
                    buyout.clawback_until.map(date_to_day),
                ],
            )
            .map_err(backend)?;
        to_u32(number, "buyout")
    }

    fn buyouts(&mut self, venture: VentureId) -> Result<Vec<BuyoutRecord>, StoreError> {
        self.rows(&format!("SELECT {BUYOUT_COLUMNS} FROM buyouts WHERE venture_id = ?1 ORDER BY buyout_no"), [venture.0], buyout_from_row)
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
        let changed = self
            .connection()
            .exec(
                "UPDATE buyouts SET status = ?4, decided_at_ms = ?5, entry_seq = ?6, clawback_until = ?7
                 WHERE venture_id = ?1 AND buyout_no = ?2 AND status = ?3",
                params![venture.0, number, from, to, at_ms, seq_opt(entry_seq)?, clawback_until.map(date_to_day)],
            )
            .map_err(backend)?;
        Ok(changed == 1)
    }

    fn insert_stewardship(&mut self, venture: VentureId, change: &StewardshipRecord) -> Result<u32, StoreError> {
        let number = self.next_number("stewardships", "change_no", venture)?;
        self.connection()
            .exec(
                &format!("INSERT INTO stewardships (venture_id, {STEWARDSHIP_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"),
                params![
                    venture.0,
                    number,
                    change.kind,
                    change.from.map(|m| m.0),
                    change.to_member.map(|m| m.0),
                    change.to_account.map(|a| a.0),
                    change.message,
                    change.status,
                    change.notice_until.map(date_to_day),
                    change.created_at_ms,
                    change.decided_at_ms,
                    change.decided_by.map(|m| m.0),
                    change.decision_note,
                ],
            )
            .map_err(backend)?;
        to_u32(number, "change")
    }

    fn stewardships(&mut self, venture: VentureId) -> Result<Vec<StewardshipRecord>, StoreError> {
        self.rows(&format!("SELECT {STEWARDSHIP_COLUMNS} FROM stewardships WHERE venture_id = ?1 ORDER BY change_no"), [venture.0], stewardship_from_row)
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
        let changed = self
            .connection()
            .exec(
                "UPDATE stewardships SET status = ?4, decided_at_ms = ?5, decided_by = ?6, decision_note = ?7
                 WHERE venture_id = ?1 AND change_no = ?2 AND status = ?3",
                params![venture.0, number, from, to, at_ms, by.map(|m| m.0), note],
            )
            .map_err(backend)?;
        Ok(changed == 1)
    }

    fn insert_freeze(&mut self, venture: VentureId, freeze: &FreezeRecord) -> Result<u32, StoreError> {
        let number = self.next_number("freezes", "freeze_no", venture)?;
        let (head_seq, head_hash) = match &freeze.head {
            Some((seq, hash)) => (seq_opt(Some(*seq))?, Some(hash.clone())),
            None => (None, None),
        };
        self.connection()
            .exec(
                &format!("INSERT INTO freezes (venture_id, {FREEZE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
                params![
                    venture.0,
                    number,
                    freeze.reason,
                    freeze.note,
                    freeze.total_shares,
                    encode_issued(&freeze.issued),
                    freeze.status,
                    freeze.proposed_by.0,
                    freeze.proposed_at_ms,
                    head_seq,
                    head_hash,
                    freeze.frozen_on.map(date_to_day),
                    freeze.frozen_at_ms,
                    freeze.unfreeze_proposed_at_ms,
                    freeze.unfrozen_at_ms,
                ],
            )
            .map_err(backend)?;
        to_u32(number, "freeze")
    }

    fn freezes(&mut self, venture: VentureId) -> Result<Vec<FreezeRecord>, StoreError> {
        self.rows(&format!("SELECT {FREEZE_COLUMNS} FROM freezes WHERE venture_id = ?1 ORDER BY freeze_no"), [venture.0], freeze_from_row)
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
        let connection = self.connection();
        let changed = match (to, head) {
            ("frozen", Some((seq, hash))) => connection.exec(
                "UPDATE freezes SET status = ?4, frozen_at_ms = ?5, head_seq = ?6, head_hash = ?7, frozen_on = ?8
                 WHERE venture_id = ?1 AND freeze_no = ?2 AND status = ?3",
                params![venture.0, number, from, to, at_ms, seq_opt(Some(seq))?, hash, frozen_on.map(date_to_day)],
            ),
            ("unfrozen", _) => connection.exec(
                "UPDATE freezes SET status = ?4, unfrozen_at_ms = ?5, unfreeze_proposed_at_ms = NULL
                 WHERE venture_id = ?1 AND freeze_no = ?2 AND status = ?3",
                params![venture.0, number, from, to, at_ms],
            ),
            _ => {
                connection.exec("UPDATE freezes SET status = ?4 WHERE venture_id = ?1 AND freeze_no = ?2 AND status = ?3", params![venture.0, number, from, to])
            }
        }
        .map_err(backend)?;
        Ok(changed == 1)
    }

    fn set_unfreeze_proposed(&mut self, venture: VentureId, number: u32, at_ms: Option<i64>) -> Result<(), StoreError> {
        self.connection()
            .exec("UPDATE freezes SET unfreeze_proposed_at_ms = ?3 WHERE venture_id = ?1 AND freeze_no = ?2", params![venture.0, number, at_ms])
            .map_err(backend)?;
        if at_ms.is_some() {
            // A new round starts with no votes.
            self.connection()
                .exec("DELETE FROM freeze_votes WHERE venture_id = ?1 AND freeze_no = ?2 AND round = 'unfreeze'", params![venture.0, number])
                .map_err(backend)?;
        }
        Ok(())
    }

    fn insert_freeze_vote(&mut self, venture: VentureId, number: u32, vote: &FreezeVoteRecord) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO freeze_votes (venture_id, freeze_no, round, member_no, approve, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![venture.0, number, vote.round, vote.member.0, i64::from(vote.approve), vote.at_ms],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn freeze_votes(&mut self, venture: VentureId, number: u32, round: &str) -> Result<Vec<FreezeVoteRecord>, StoreError> {
        self.rows(
            "SELECT round, member_no, approve, at_ms FROM freeze_votes WHERE venture_id = ?1 AND freeze_no = ?2 AND round = ?3 ORDER BY at_ms, member_no",
            params![venture.0, number, round],
            |row| {
                Ok(FreezeVoteRecord {
                    round: row.get(0).map_err(backend)?,
                    member: MemberNo(to_u32(row.get(1).map_err(backend)?, "member")?),
                    approve: row.get::<_, i64>(2).map_err(backend)? == 1,
                    at_ms: row.get(3).map_err(backend)?,
                })
            },
        )
    }

    fn insert_cap_table(&mut self, venture: VentureId, number: u32, lines: &[CapTableLine]) -> Result<(), StoreError> {
        for line in lines {
            self.connection()
                .exec(
                    "INSERT INTO cap_tables (venture_id, freeze_no, member_no, slices_minor, shares, issued, buy_back, issue) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![venture.0, number, line.member.0, line.slices_minor, line.shares, line.issued, line.buy_back, line.issue],
                )
                .map_err(backend)?;
        }
        Ok(())
    }

    fn cap_table(&mut self, venture: VentureId, number: u32) -> Result<Vec<CapTableLine>, StoreError> {
        self.rows(
            "SELECT member_no, slices_minor, shares, issued, buy_back, issue FROM cap_tables WHERE venture_id = ?1 AND freeze_no = ?2 ORDER BY member_no",
            params![venture.0, number],
            |row| {
                Ok(CapTableLine {
                    member: MemberNo(to_u32(row.get(0).map_err(backend)?, "member")?),
                    slices_minor: row.get(1).map_err(backend)?,
                    shares: row.get(2).map_err(backend)?,
                    issued: row.get(3).map_err(backend)?,
                    buy_back: row.get(4).map_err(backend)?,
                    issue: row.get(5).map_err(backend)?,
                })
            },
        )
    }

    fn insert_income(&mut self, venture: VentureId, income: &IncomeRecord) -> Result<u32, StoreError> {
        let number = self.next_number("incomes", "income_no", venture)?;
        self.connection()
            .exec(
                &format!("INSERT INTO incomes (venture_id, {INCOME_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
                params![
                    venture.0,
                    number,
                    income.kind,
                    income.amount_minor,
                    date_to_day(income.received_on),
                    income.note,
                    income.valuation_minor,
                    income.recorded_by.map(|m| m.0),
                    income.recorded_at_ms,
                ],
            )
            .map_err(backend)?;
        to_u32(number, "income")
    }

    fn incomes(&mut self, venture: VentureId) -> Result<Vec<IncomeRecord>, StoreError> {
        self.rows(&format!("SELECT {INCOME_COLUMNS} FROM incomes WHERE venture_id = ?1 ORDER BY income_no"), [venture.0], income_from_row)
    }

    fn insert_distribution(&mut self, venture: VentureId, distribution: &DistributionRecord) -> Result<u32, StoreError> {
        let number = self.next_number("distributions", "distribution_no", venture)?;
        self.connection()
            .exec(
                &format!("INSERT INTO distributions (venture_id, {DISTRIBUTION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
                params![
                    venture.0,
                    number,
                    distribution.amount_minor,
                    distribution.basis,
                    distribution.freeze,
                    seq_opt(Some(distribution.head_seq))?,
                    distribution.total_weight,
                    date_to_day(distribution.paid_on),
                    distribution.note,
                    distribution.posted_by.map(|m| m.0),
                    distribution.posted_at_ms,
                    encode_payouts(&distribution.payouts),
                ],
            )
            .map_err(backend)?;
        to_u32(number, "distribution")
    }

    fn member_slices(&mut self, venture: VentureId) -> Result<Vec<(MemberNo, i64)>, StoreError> {
        self.rows(
            "SELECT member_no, sum(slices_minor) FROM member_totals WHERE venture_id = ?1 GROUP BY member_no HAVING sum(slices_minor) > 0 ORDER BY member_no",
            [venture.0],
            |row| Ok((MemberNo(to_u32(row.get(0).map_err(backend)?, "member")?), row.get(1).map_err(backend)?)),
        )
    }

    fn distribution_summary(&mut self, venture: VentureId) -> Result<(u32, i64), StoreError> {
        let (count, sum): (i64, i64) = self
            .connection()
            .one("SELECT count(*), coalesce(sum(amount_minor), 0) FROM distributions WHERE venture_id = ?1", [venture.0], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(backend)?;
        Ok((to_u32(count, "distributions")?, sum))
    }

    fn distributions(&mut self, venture: VentureId) -> Result<Vec<DistributionRecord>, StoreError> {
        self.rows(
            &format!("SELECT {DISTRIBUTION_COLUMNS} FROM distributions WHERE venture_id = ?1 ORDER BY distribution_no"),
            [venture.0],
            distribution_from_row,
        )
    }
}

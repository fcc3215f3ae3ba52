//! Needs, pledges, goods, bookings and usage in SQLite.

use peerstake_store::{AccountId, BookingRecord, Capital, GoodRecord, NeedRecord, PledgeRecord, StoreError, UsageRecord, VentureId};
use rusqlite::{OptionalExtension, Row, params};

use super::{Cached, SqliteTransaction, backend, date, date_to_day, day_to_date, member, seq, seq_param, to_u32, to_u64};

const NEED_COLUMNS: &str =
    "need_no, title, description, goal_minor, stretch_minor, cadence, periods, deadline, min_pledge_minor, status, created_by, created_at_ms, resolved_at_ms";

fn need_from_row(row: &Row<'_>) -> Result<NeedRecord, StoreError> {
    Ok(NeedRecord {
        number: to_u32(row.get(0).map_err(backend)?, "need")?,
        title: row.get(1).map_err(backend)?,
        description: row.get(2).map_err(backend)?,
        goal_minor: row.get(3).map_err(backend)?,
        stretch_minor: row.get(4).map_err(backend)?,
        cadence: row.get(5).map_err(backend)?,
        periods: to_u32(row.get(6).map_err(backend)?, "periods")?,
        deadline: day_to_date(row.get(7).map_err(backend)?)?,
        min_pledge_minor: row.get(8).map_err(backend)?,
        status: row.get(9).map_err(backend)?,
        created_by: member(row.get(10).map_err(backend)?)?,
        created_at_ms: row.get(11).map_err(backend)?,
        resolved_at_ms: row.get(12).map_err(backend)?,
    })
}

const PLEDGE_COLUMNS: &str = "pledge_no, need_no, account_id, amount_minor, status, created_at_ms, resolved_at_ms, entry_seq";

fn pledge_from_row(row: &Row<'_>) -> Result<PledgeRecord, StoreError> {
    Ok(PledgeRecord {
        number: to_u32(row.get(0).map_err(backend)?, "pledge")?,
        need: to_u32(row.get(1).map_err(backend)?, "need")?,
        account: AccountId(row.get(2).map_err(backend)?),
        amount_minor: row.get(3).map_err(backend)?,
        status: row.get(4).map_err(backend)?,
        created_at_ms: row.get(5).map_err(backend)?,
        resolved_at_ms: row.get(6).map_err(backend)?,
        entry_seq: seq(row.get(7).map_err(backend)?)?,
    })
}

const GOOD_COLUMNS: &str = "good_id, owner_id, kind, description, currency, rate_minor, unit, available_from, available_until, availability, status, given_venture, given_seq, created_at_ms";

fn good_from_row(row: &Row<'_>) -> Result<GoodRecord, StoreError> {
    let given_venture: Option<i64> = row.get(11).map_err(backend)?;
    let given_seq = seq(row.get(12).map_err(backend)?)?;
    Ok(GoodRecord {
        id: row.get(0).map_err(backend)?,
        owner: AccountId(row.get(1).map_err(backend)?),
        kind: row.get(2).map_err(backend)?,
        description: row.get(3).map_err(backend)?,
        currency: row.get(4).map_err(backend)?,
        rate_minor: row.get(5).map_err(backend)?,
        unit: row.get(6).map_err(backend)?,
        available_from: date(row.get(7).map_err(backend)?)?,
        available_until: date(row.get(8).map_err(backend)?)?,
        availability: row.get(9).map_err(backend)?,
        status: row.get(10).map_err(backend)?,
        given_to: given_venture.zip(given_seq).map(|(v, s)| (VentureId(v), s)),
        created_at_ms: row.get(13).map_err(backend)?,
    })
}

const BOOKING_COLUMNS: &str =
    "booking_no, good_id, need_no, starts_on, ends_on, planned_milli, status, requested_by, note, created_at_ms, decided_at_ms, venture_id";

fn booking_from_row(row: &Row<'_>) -> Result<(VentureId, BookingRecord), StoreError> {
    let need: Option<i64> = row.get(2).map_err(backend)?;
    Ok((
        VentureId(row.get(11).map_err(backend)?),
        BookingRecord {
            number: to_u32(row.get(0).map_err(backend)?, "booking")?,
            good: row.get(1).map_err(backend)?,
            need: need.map(|n| to_u32(n, "need")).transpose()?,
            starts_on: day_to_date(row.get(3).map_err(backend)?)?,
            ends_on: day_to_date(row.get(4).map_err(backend)?)?,
            planned_milli: row.get(5).map_err(backend)?,
            status: row.get(6).map_err(backend)?,
            requested_by: member(row.get(7).map_err(backend)?)?,
            note: row.get(8).map_err(backend)?,
            created_at_ms: row.get(9).map_err(backend)?,
            decided_at_ms: row.get(10).map_err(backend)?,
        },
    ))
}

const USAGE_COLUMNS: &str = "usage_no, booking_no, occurred_on, units_milli, fee_paid_minor, note, status, logged_by, entry_seq, created_at_ms, decided_at_ms";

fn usage_from_row(row: &Row<'_>) -> Result<UsageRecord, StoreError> {
    Ok(UsageRecord {
        number: to_u32(row.get(0).map_err(backend)?, "usage")?,
        booking: to_u32(row.get(1).map_err(backend)?, "booking")?,
        occurred_on: day_to_date(row.get(2).map_err(backend)?)?,
        units_milli: row.get(3).map_err(backend)?,
        fee_paid_minor: row.get(4).map_err(backend)?,
        note: row.get(5).map_err(backend)?,
        status: row.get(6).map_err(backend)?,
        logged_by: member(row.get(7).map_err(backend)?)?,
        entry_seq: seq(row.get(8).map_err(backend)?)?,
        created_at_ms: row.get(9).map_err(backend)?,
        decided_at_ms: row.get(10).map_err(backend)?,
    })
}

impl Capital for SqliteTransaction<'_> {
    fn insert_need(&mut self, venture: VentureId, need: &NeedRecord) -> Result<u32, StoreError> {
        let number = self.next_number("needs", "need_no", venture)?;
        self.connection()
            .exec(
                &format!("INSERT INTO needs (venture_id, {NEED_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
                params![
                    venture.0,
                    number,
                    need.title,
                    need.description,
                    need.goal_minor,
                    need.stretch_minor,
                    need.cadence,
                    need.periods,
                    date_to_day(need.deadline),
                    need.min_pledge_minor,
                    need.status,
                    need.created_by.map(|m| m.0),
                    need.created_at_ms,
                    need.resolved_at_ms,
                ],
            )
            .map_err(backend)?;
        to_u32(number, "need")
    }

    fn needs(&mut self, venture: VentureId) -> Result<Vec<NeedRecord>, StoreError> {
        self.rows(&format!("SELECT {NEED_COLUMNS} FROM needs WHERE venture_id = ?1 ORDER BY need_no"), [venture.0], need_from_row)
    }

    fn set_need_status(&mut self, venture: VentureId, number: u32, from: &str, to: &str, at_ms: i64) -> Result<bool, StoreError> {
        let changed = self
            .connection()
            .exec(
                "UPDATE needs SET status = ?4, resolved_at_ms = ?5 WHERE venture_id = ?1 AND need_no = ?2 AND status = ?3",
                params![venture.0, number, from, to, at_ms],
            )
            .map_err(backend)?;
        Ok(changed == 1)
    }

    fn insert_pledge(&mut self, venture: VentureId, pledge: &PledgeRecord) -> Result<u32, StoreError> {
        let number = self.next_number("pledges", "pledge_no", venture)?;
        self.connection()
            .exec(
                &format!("INSERT INTO pledges (venture_id, {PLEDGE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
                params![
                    venture.0,
                    number,
                    pledge.need,
                    pledge.account.0,
                    pledge.amount_minor,
                    pledge.status,
                    pledge.created_at_ms,
                    pledge.resolved_at_ms,
                    pledge.entry_seq.map(seq_param).transpose()?,
                ],
            )
            .map_err(backend)?;
        to_u32(number, "pledge")
    }

    fn pledges(&mut self, venture: VentureId, need: Option<u32>) -> Result<Vec<PledgeRecord>, StoreError> {
        self.rows(
            &format!("SELECT {PLEDGE_COLUMNS} FROM pledges WHERE venture_id = ?1 AND (?2 IS NULL OR need_no = ?2) ORDER BY pledge_no"),
            params![venture.0, need],
            pledge_from_row,
        )
    }

    fn resolve_pledge(&mut self, venture: VentureId, number: u32, status: &str, at_ms: i64, entry_seq: Option<u64>) -> Result<bool, StoreError> {
        let changed = self
            .connection()
            .exec(
                "UPDATE pledges SET status = ?3, resolved_at_ms = ?4, entry_seq = ?5 WHERE venture_id = ?1 AND pledge_no = ?2 AND status = 'held'",
                params![venture.0, number, status, at_ms, entry_seq.map(seq_param).transpose()?],
            )
            .map_err(backend)?;
        Ok(changed == 1)
    }

    fn insert_need_payment(&mut self, venture: VentureId, need: u32, entry_seq: u64) -> Result<(), StoreError> {
        self.connection()
            .exec("INSERT INTO need_payments (venture_id, need_no, entry_seq) VALUES (?1, ?2, ?3)", params![venture.0, need, seq_param(entry_seq)?])
            .map_err(backend)?;
        Ok(())
    }

    fn need_payments(&mut self, venture: VentureId) -> Result<Vec<(u32, u64)>, StoreError> {
        self.rows("SELECT need_no, entry_seq FROM need_payments WHERE venture_id = ?1 ORDER BY entry_seq", [venture.0], |row| {
            Ok((to_u32(row.get(0).map_err(backend)?, "need")?, to_u64(row.get(1).map_err(backend)?, "sequence")?))
        })
    }

    fn insert_good(&mut self, good: &GoodRecord) -> Result<i64, StoreError> {
        self.connection()
            .exec(
                "INSERT INTO goods (owner_id, kind, description, currency, rate_minor, unit, available_from, available_until, availability, status, created_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    good.owner.0,
                    good.kind,
                    good.description,
                    good.currency,
                    good.rate_minor,
                    good.unit,
                    good.available_from.map(date_to_day),
                    good.available_until.map(date_to_day),
                    good.availability,
                    good.status,
                    good.created_at_ms,
                ],
            )
            .map_err(backend)?;
        Ok(self.connection().last_insert_rowid())
    }

    fn goods(&mut self, owner: Option<AccountId>) -> Result<Vec<GoodRecord>, StoreError> {
        self.rows(
            &format!("SELECT {GOOD_COLUMNS} FROM goods WHERE ?1 IS NULL OR owner_id = ?1 ORDER BY good_id DESC"),
            params![owner.map(|a| a.0)],
            good_from_row,
        )
    }

    fn good(&mut self, id: i64) -> Result<Option<GoodRecord>, StoreError> {
        let mut statement = self.connection().prepare_cached(&format!("SELECT {GOOD_COLUMNS} FROM goods WHERE good_id = ?1")).map_err(backend)?;
        let row = statement.query_row([id], |row| Ok(good_from_row(row))).optional().map_err(backend)?;
        row.transpose()
    }

    fn lock_good(&mut self, id: i64) -> Result<Option<GoodRecord>, StoreError> {
        // One writer at a time: the transaction already excludes every other writer.
        self.good(id)
    }

    fn set_good_status(&mut self, id: i64, status: &str, given_to: Option<(VentureId, u64)>) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "UPDATE goods SET status = ?2, given_venture = ?3, given_seq = ?4 WHERE good_id = ?1",
                params![id, status, given_to.map(|(v, _)| v.0), given_to.map(|(_, s)| seq_param(s)).transpose()?],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn insert_booking(&mut self, venture: VentureId, booking: &BookingRecord) -> Result<u32, StoreError> {
        let number = self.next_number("bookings", "booking_no", venture)?;
        self.connection()
            .exec(
                &format!("INSERT INTO bookings ({BOOKING_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
                params![
                    number,
                    booking.good,
                    booking.need,
                    date_to_day(booking.starts_on),
                    date_to_day(booking.ends_on),
                    booking.planned_milli,
                    booking.status,
                    booking.requested_by.map(|m| m.0),
                    booking.note,
                    booking.created_at_ms,
                    booking.decided_at_ms,
                    venture.0,
                ],
            )
            .map_err(backend)?;
        to_u32(number, "booking")
    }

    fn bookings(&mut self, venture: VentureId) -> Result<Vec<BookingRecord>, StoreError> {
        let rows = self.rows(&format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE venture_id = ?1 ORDER BY booking_no"), [venture.0], booking_from_row)?;
        Ok(rows.into_iter().map(|(_, b)| b).collect())
    }

    fn good_bookings(&mut self, good: i64) -> Result<Vec<(VentureId, BookingRecord)>, StoreError> {
        self.rows(&format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE good_id = ?1 ORDER BY starts_on, venture_id, booking_no"), [good], booking_from_row)
    }

    fn decide_booking(&mut self, venture: VentureId, number: u32, from: &str, to: &str, at_ms: i64) -> Result<bool, StoreError> {
        let changed = self
            .connection()
            .exec(
                "UPDATE bookings SET status = ?4, decided_at_ms = ?5 WHERE venture_id = ?1 AND booking_no = ?2 AND status = ?3",
                params![venture.0, number, from, to, at_ms],
            )
            .map_err(backend)?;
        Ok(changed == 1)
    }

    fn insert_usage(&mut self, venture: VentureId, usage: &UsageRecord) -> Result<u32, StoreError> {
        let number = self.next_number("usages", "usage_no", venture)?;
        self.connection()
            .exec(
                &format!("INSERT INTO usages (venture_id, {USAGE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
                params![
                    venture.0,
                    number,
                    usage.booking,
                    date_to_day(usage.occurred_on),
                    usage.units_milli,
                    usage.fee_paid_minor,
                    usage.note,
                    usage.status,
                    usage.logged_by.map(|m| m.0),
                    usage.entry_seq.map(seq_param).transpose()?,
                    usage.created_at_ms,
                    usage.decided_at_ms,
                ],
            )
            .map_err(backend)?;
        to_u32(number, "usage")
    }

    fn usages(&mut self, venture: VentureId) -> Result<Vec<UsageRecord>, StoreError> {
        self.rows(&format!("SELECT {USAGE_COLUMNS} FROM usages WHERE venture_id = ?1 ORDER BY usage_no"), [venture.0], usage_from_row)
    }

    fn decide_usage(&mut self, venture: VentureId, number: u32, status: &str, at_ms: i64, entry_seq: Option<u64>) -> Result<bool, StoreError> {
        let changed = self
            .connection()
            .exec(
                "UPDATE usages SET status = ?3, decided_at_ms = ?4, entry_seq = ?5 WHERE venture_id = ?1 AND usage_no = ?2 AND status = 'logged'",
                params![venture.0, number, status, at_ms, entry_seq.map(seq_param).transpose()?],
            )
            .map_err(backend)?;
        Ok(changed == 1)
    }
}

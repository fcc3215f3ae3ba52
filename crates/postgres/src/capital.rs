//! Needs, pledges, goods, bookings and usage in PostgreSQL.

use peerstake_core::terms::MemberNo;
use peerstake_store::{AccountId, BookingRecord, Capital, GoodRecord, NeedRecord, PledgeRecord, StoreError, UsageRecord, VentureId};
use postgres::Row;

use super::{PostgresTransaction, get, member_param, narrow, seq_param};

pub(crate) fn member(value: Option<i32>) -> Result<Option<MemberNo>, StoreError> {
    value.map(|v| narrow(v, "member").map(MemberNo)).transpose()
}

pub(crate) fn member_opt(value: Option<MemberNo>) -> Result<Option<i32>, StoreError> {
    value.map(member_param).transpose()
}

pub(crate) fn seq(value: Option<i64>) -> Result<Option<u64>, StoreError> {
    value.map(|v| narrow(v, "sequence")).transpose()
}

pub(crate) fn seq_opt(value: Option<u64>) -> Result<Option<i64>, StoreError> {
    value.map(seq_param).transpose()
}

pub(crate) fn number(value: i32, what: &str) -> Result<u32, StoreError> {
    narrow(value, what)
}

pub(crate) fn number_param(value: u32, what: &str) -> Result<i32, StoreError> {
    narrow(value, what)
}

const NEED_COLUMNS: &str =
    "need_no, title, description, goal_minor, stretch_minor, cadence, periods, deadline, min_pledge_minor, status, created_by, created_at_ms, resolved_at_ms";

fn need_from_row(row: &Row) -> Result<NeedRecord, StoreError> {
    Ok(NeedRecord {
        number: number(get(row, 0)?, "need")?,
        title: get(row, 1)?,
        description: get(row, 2)?,
        goal_minor: get(row, 3)?,
        stretch_minor: get(row, 4)?,
        cadence: get(row, 5)?,
        periods: number(get(row, 6)?, "periods")?,
        deadline: get(row, 7)?,
        min_pledge_minor: get(row, 8)?,
        status: get(row, 9)?,
        created_by: member(get(row, 10)?)?,
        created_at_ms: get(row, 11)?,
        resolved_at_ms: get(row, 12)?,
    })
}

const PLEDGE_COLUMNS: &str = "pledge_no, need_no, account_id, amount_minor, status, created_at_ms, resolved_at_ms, entry_seq";

fn pledge_from_row(row: &Row) -> Result<PledgeRecord, StoreError> {
    Ok(PledgeRecord {
        number: number(get(row, 0)?, "pledge")?,
        need: number(get(row, 1)?, "need")?,
        account: AccountId(get(row, 2)?),
        amount_minor: get(row, 3)?,
        status: get(row, 4)?,
        created_at_ms: get(row, 5)?,
        resolved_at_ms: get(row, 6)?,
        entry_seq: seq(get(row, 7)?)?,
    })
}

const GOOD_COLUMNS: &str = "good_id, owner_id, kind, description, currency, rate_minor, unit, available_from, available_until, availability, status, given_venture, given_seq, created_at_ms";

fn good_from_row(row: &Row) -> Result<GoodRecord, StoreError> {
    let given_venture: Option<i64> = get(row, 11)?;
    let given_seq = seq(get(row, 12)?)?;
    Ok(GoodRecord {
        id: get(row, 0)?,
        owner: AccountId(get(row, 1)?),
        kind: get(row, 2)?,
        description: get(row, 3)?,
        currency: get(row, 4)?,
        rate_minor: get(row, 5)?,
        unit: get(row, 6)?,
        available_from: get(row, 7)?,
        available_until: get(row, 8)?,
        availability: get(row, 9)?,
        status: get(row, 10)?,
        given_to: given_venture.zip(given_seq).map(|(v, s)| (VentureId(v), s)),
        created_at_ms: get(row, 13)?,
    })
}

const BOOKING_COLUMNS: &str =
    "booking_no, good_id, need_no, starts_on, ends_on, planned_milli, status, requested_by, note, created_at_ms, decided_at_ms, venture_id";

fn booking_from_row(row: &Row) -> Result<(VentureId, BookingRecord), StoreError> {
    let need: Option<i32> = get(row, 2)?;
    Ok((
        VentureId(get(row, 11)?),
        BookingRecord {
            number: number(get(row, 0)?, "booking")?,
            good: get(row, 1)?,
            need: need.map(|n| number(n, "need")).transpose()?,
            starts_on: get(row, 3)?,
            ends_on: get(row, 4)?,
            planned_milli: get(row, 5)?,
            status: get(row, 6)?,
            requested_by: member(get(row, 7)?)?,
            note: get(row, 8)?,
            created_at_ms: get(row, 9)?,
            decided_at_ms: get(row, 10)?,
        },
    ))
}

const USAGE_COLUMNS: &str = "usage_no, booking_no, occurred_on, units_milli, fee_paid_minor, note, status, logged_by, entry_seq, created_at_ms, decided_at_ms";

fn usage_from_row(row: &Row) -> Result<UsageRecord, StoreError> {
    Ok(UsageRecord {
        number: number(get(row, 0)?, "usage")?,
        booking: number(get(row, 1)?, "booking")?,
        occurred_on: get(row, 2)?,
        units_milli: get(row, 3)?,
        fee_paid_minor: get(row, 4)?,
        note: get(row, 5)?,
        status: get(row, 6)?,
        logged_by: member(get(row, 7)?)?,
        entry_seq: seq(get(row, 8)?)?,
        created_at_ms: get(row, 9)?,
        decided_at_ms: get(row, 10)?,
    })
}

impl Capital for PostgresTransaction<'_> {
    fn insert_need(&mut self, venture: VentureId, need: &NeedRecord) -> Result<u32, StoreError> {
        let periods = number_param(need.periods, "periods")?;
        let created_by = member_opt(need.created_by)?;
        let row = self.pooled().query_one(
            &format!(
                "INSERT INTO needs (venture_id, {NEED_COLUMNS})
                 VALUES ($1, (SELECT coalesce(max(need_no), 0) + 1 FROM needs WHERE venture_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 RETURNING need_no"
            ),
            &[
                &venture.0,
                &need.title,
                &need.description,
                &need.goal_minor,
                &need.stretch_minor,
                &need.cadence,
                &periods,
                &need.deadline,
                &need.min_pledge_minor,
                &need.status,
                &created_by,
                &need.created_at_ms,
                &need.resolved_at_ms,
            ],
        )?;
        number(get(&row, 0)?, "need")
    }

    fn needs(&mut self, venture: VentureId) -> Result<Vec<NeedRecord>, StoreError> {
        let rows = self.pooled().query(&format!("SELECT {NEED_COLUMNS} FROM needs WHERE venture_id = $1 ORDER BY need_no"), &[&venture.0])?;
        rows.iter().map(need_from_row).collect()
    }

    fn set_need_status(&mut self, venture: VentureId, number: u32, from: &str, to: &str, at_ms: i64) -> Result<bool, StoreError> {
        let number = number_param(number, "need")?;
        let changed = self.pooled().execute(
            "UPDATE needs SET status = $4, resolved_at_ms = $5 WHERE venture_id = $1 AND need_no = $2 AND status = $3",
            &[&venture.0, &number, &from, &to, &at_ms],
        )?;
        Ok(changed == 1)
    }

    fn insert_pledge(&mut self, venture: VentureId, pledge: &PledgeRecord) -> Result<u32, StoreError> {
        let need = number_param(pledge.need, "need")?;
        let entry_seq = seq_opt(pledge.entry_seq)?;
        let row = self.pooled().query_one(
            &format!(
                "INSERT INTO pledges (venture_id, {PLEDGE_COLUMNS})
                 VALUES ($1, (SELECT coalesce(max(pledge_no), 0) + 1 FROM pledges WHERE venture_id = $1), $2, $3, $4, $5, $6, $7, $8)
                 RETURNING pledge_no"
            ),
            &[&venture.0, &need, &pledge.account.0, &pledge.amount_minor, &pledge.status, &pledge.created_at_ms, &pledge.resolved_at_ms, &entry_seq],
        )?;
        number(get(&row, 0)?, "pledge")
    }

    fn pledges(&mut self, venture: VentureId, need: Option<u32>) -> Result<Vec<PledgeRecord>, StoreError> {
        let need = need.map(|n| number_param(n, "need")).transpose()?;
        let rows = self.pooled().query(
            &format!("SELECT {PLEDGE_COLUMNS} FROM pledges WHERE venture_id = $1 AND ($2::integer IS NULL OR need_no = $2) ORDER BY pledge_no"),
            &[&venture.0, &need],
        )?;
        rows.iter().map(pledge_from_row).collect()
    }

    fn resolve_pledge(&mut self, venture: VentureId, number: u32, status: &str, at_ms: i64, entry_seq: Option<u64>) -> Result<bool, StoreError> {
        let number = number_param(number, "pledge")?;
        let entry_seq = seq_opt(entry_seq)?;
        let changed = self.pooled().execute(
            "UPDATE pledges SET status = $3, resolved_at_ms = $4, entry_seq = $5 WHERE venture_id = $1 AND pledge_no = $2 AND status = 'held'",
            &[&venture.0, &number, &status, &at_ms, &entry_seq],
        )?;
        Ok(changed == 1)
    }

    fn insert_need_payment(&mut self, venture: VentureId, need: u32, entry_seq: u64) -> Result<(), StoreError> {
        let need = number_param(need, "need")?;
        let entry_seq = seq_param(entry_seq)?;
        self.pooled().execute("INSERT INTO need_payments (venture_id, need_no, entry_seq) VALUES ($1, $2, $3)", &[&venture.0, &need, &entry_seq])?;
        Ok(())
    }

    fn need_payments(&mut self, venture: VentureId) -> Result<Vec<(u32, u64)>, StoreError> {
        let rows = self.pooled().query("SELECT need_no, entry_seq FROM need_payments WHERE venture_id = $1 ORDER BY entry_seq", &[&venture.0])?;
        rows.iter().map(|row| Ok((number(get(row, 0)?, "need")?, narrow(get::<i64>(row, 1)?, "sequence")?))).collect()
    }

    fn insert_good(&mut self, good: &GoodRecord) -> Result<i64, StoreError> {
        let row = self.pooled().query_one(
            "INSERT INTO goods (owner_id, kind, description, currency, rate_minor, unit, available_from, available_until, availability, status, created_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING good_id",
            &[
                &good.owner.0,
                &good.kind,
                &good.description,
                &good.currency,
                &good.rate_minor,
                &good.unit,
                &good.available_from,
                &good.available_until,
                &good.availability,
                &good.status,
                &good.created_at_ms,
            ],
        )?;
        get(&row, 0)
    }

    fn goods(&mut self, owner: Option<AccountId>) -> Result<Vec<GoodRecord>, StoreError> {
        let owner = owner.map(|a| a.0);
        let rows =
            self.pooled().query(&format!("SELECT {GOOD_COLUMNS} FROM goods WHERE $1::bigint IS NULL OR owner_id = $1 ORDER BY good_id DESC"), &[&owner])?;
        rows.iter().map(good_from_row).collect()
    }

    fn good(&mut self, id: i64) -> Result<Option<GoodRecord>, StoreError> {
        let row = self.pooled().query_opt(&format!("SELECT {GOOD_COLUMNS} FROM goods WHERE good_id = $1"), &[&id])?;
        row.as_ref().map(good_from_row).transpose()
    }

    fn lock_good(&mut self, id: i64) -> Result<Option<GoodRecord>, StoreError> {
        // Bookings of a good span ventures: the row lock serializes them until commit.
        let row = self.pooled().query_opt(&format!("SELECT {GOOD_COLUMNS} FROM goods WHERE good_id = $1 FOR UPDATE"), &[&id])?;
        row.as_ref().map(good_from_row).transpose()
    }

    fn set_good_status(&mut self, id: i64, status: &str, given_to: Option<(VentureId, u64)>) -> Result<(), StoreError> {
        let given_venture = given_to.map(|(v, _)| v.0);
        let given_seq = given_to.map(|(_, s)| seq_param(s)).transpose()?;
        self.pooled()
            .execute("UPDATE goods SET status = $2, given_venture = $3, given_seq = $4 WHERE good_id = $1", &[&id, &status, &given_venture, &given_seq])?;
        Ok(())
    }

    fn insert_booking(&mut self, venture: VentureId, booking: &BookingRecord) -> Result<u32, StoreError> {
        let need = booking.need.map(|n| number_param(n, "need")).transpose()?;
        let requested_by = member_opt(booking.requested_by)?;
        let row = self.pooled().query_one(
            &format!(
                "INSERT INTO bookings ({BOOKING_COLUMNS})
                 VALUES ((SELECT coalesce(max(booking_no), 0) + 1 FROM bookings WHERE venture_id = $11), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 RETURNING booking_no"
            ),
            &[
                &booking.good,
                &need,
                &booking.starts_on,
                &booking.ends_on,
                &booking.planned_milli,
                &booking.status,
                &requested_by,
                &booking.note,
                &booking.created_at_ms,
                &booking.decided_at_ms,
                &venture.0,
            ],
        )?;
        number(get(&row, 0)?, "booking")
    }

    fn bookings(&mut self, venture: VentureId) -> Result<Vec<BookingRecord>, StoreError> {
        let rows = self.pooled().query(&format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE venture_id = $1 ORDER BY booking_no"), &[&venture.0])?;
        rows.iter().map(|row| booking_from_row(row).map(|(_, b)| b)).collect()
    }

    fn good_bookings(&mut self, good: i64) -> Result<Vec<(VentureId, BookingRecord)>, StoreError> {
        let rows =
            self.pooled().query(&format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE good_id = $1 ORDER BY starts_on, venture_id, booking_no"), &[&good])?;
        rows.iter().map(booking_from_row).collect()
    }

    fn decide_booking(&mut self, venture: VentureId, number: u32, from: &str, to: &str, at_ms: i64) -> Result<bool, StoreError> {
        let number = number_param(number, "booking")?;
        let changed = self.pooled().execute(
            "UPDATE bookings SET status = $4, decided_at_ms = $5 WHERE venture_id = $1 AND booking_no = $2 AND status = $3",
            &[&venture.0, &number, &from, &to, &at_ms],
        )?;
        Ok(changed == 1)
    }

    fn insert_usage(&mut self, venture: VentureId, usage: &UsageRecord) -> Result<u32, StoreError> {
        let booking = number_param(usage.booking, "booking")?;
        let logged_by = member_opt(usage.logged_by)?;
        let entry_seq = seq_opt(usage.entry_seq)?;
        let row = self.pooled().query_one(
            &format!(
                "INSERT INTO usages (venture_id, {USAGE_COLUMNS})
                 VALUES ($1, (SELECT coalesce(max(usage_no), 0) + 1 FROM usages WHERE venture_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 RETURNING usage_no"
            ),
            &[
                &venture.0,
                &booking,
                &usage.occurred_on,
                &usage.units_milli,
                &usage.fee_paid_minor,
                &usage.note,
                &usage.status,
                &logged_by,
                &entry_seq,
                &usage.created_at_ms,
                &usage.decided_at_ms,
            ],
        )?;
        number(get(&row, 0)?, "usage")
    }

    fn usages(&mut self, venture: VentureId) -> Result<Vec<UsageRecord>, StoreError> {
        let rows = self.pooled().query(&format!("SELECT {USAGE_COLUMNS} FROM usages WHERE venture_id = $1 ORDER BY usage_no"), &[&venture.0])?;
        rows.iter().map(usage_from_row).collect()
    }

    fn decide_usage(&mut self, venture: VentureId, number: u32, status: &str, at_ms: i64, entry_seq: Option<u64>) -> Result<bool, StoreError> {
        let number = number_param(number, "usage")?;
        let entry_seq = seq_opt(entry_seq)?;
        let changed = self.pooled().execute(
            "UPDATE usages SET status = $3, decided_at_ms = $4, entry_seq = $5 WHERE venture_id = $1 AND usage_no = $2 AND status = 'logged'",
            &[&venture.0, &number, &status, &at_ms, &entry_seq],
        )?;
        Ok(changed == 1)
    }
}

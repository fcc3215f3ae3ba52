//! Capital goods peers already own, lent to ventures: a person registers a good (a laptop, a
//! server, a desk, a room, a licence) with a fair rental rate per hour, day, week or month; a
//! venture books it for a period and the owner accepts; use is logged in units and the owner
//! confirms it, and each confirmed use becomes a capital-use contribution for the owner (units ×
//! rate − fee paid, at the non-cash multiplier) while the owner keeps title. A good can instead be
//! given outright, as equipment. Bookings of one good never overlap: the check runs under the
//! good's lock, in the transaction that writes the booking.

use crate::book::{Draft, check_date, check_note};
use crate::error::{AppError, invalid};
use crate::forms::check_text;
use crate::idempotency::{fingerprint, remember, replayed};
use crate::journal::append_input;
use crate::{Commons, Now};
use peerstake_core::input::{Condition, Input, RentalUnit, parse_units};
use peerstake_core::money::Currency;
use peerstake_core::valuation::use_value;
use peerstake_store::{AccountId, BookingRecord, GoodRecord, Mode, StoredEntry, Transaction, UsageRecord, VentureId};
use std::collections::HashMap;
use time::{Date, Duration};

/// The units a rate is per.
pub const UNITS: [&str; 4] = ["hour", "day", "week", "month"];

/// The longest booking, in days.
pub const BOOKING_DAYS_MAX: i64 = 366 * 3;

/// A good to register.
#[derive(Debug, Clone, Default)]
pub struct RegisterGood {
    /// Who owns it.
    pub account: AccountId,
    /// What sort of thing (`laptop`, `desk`, …).
    pub kind: String,
    /// What it is.
    pub description: String,
    /// The currency of the rate (ISO 4217).
    pub currency: String,
    /// Fair rental rate per unit.
    pub rate: String,
    /// `hour`, `day`, `week` or `month`.
    pub unit: String,
    /// First day it can be booked, if limited.
    pub available_from: Option<Date>,
    /// Last day it can be booked, if limited.
    pub available_until: Option<Date>,
    /// When it is free, in the owner's words.
    pub availability: String,
}

/// A good with its owner.
#[derive(Debug, Clone)]
pub struct GoodView {
    /// The stored good.
    pub record: GoodRecord,
    /// The owner's username.
    pub owner: String,
    /// The owner's display name.
    pub owner_name: String,
    /// The rate's currency.
    pub currency: Currency,
}

/// A booking to make.
#[derive(Debug, Clone, Default)]
pub struct BookGood {
    /// The venture's slug.
    pub venture: String,
    /// The good.
    pub good: i64,
    /// First day.
    pub starts_on: Option<Date>,
    /// Last day.
    pub ends_on: Option<Date>,
    /// The use planned, in the good's unit; empty to count it from the dates (not for hours).
    pub planned: String,
    /// The need it meets, if any.
    pub need: Option<u32>,
    /// What it is for.
    pub note: String,
    /// Who books it (none for the operator).
    pub by: Option<String>,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// A booking with its good.
#[derive(Debug, Clone)]
pub struct BookingView {
    /// The venture's slug.
    pub venture: String,
    /// The stored booking.
    pub record: BookingRecord,
    /// The good.
    pub good: GoodView,
    /// What the use planned is worth at the good's rate.
    pub value_minor: i64,
}

/// Use to log under a booking.
#[derive(Debug, Clone, Default)]
pub struct LogUsage {
    /// The venture's slug.
    pub venture: String,
    /// The booking.
    pub booking: u32,
    /// The day of the use.
    pub occurred_on: Option<Date>,
    /// Units used, in the good's unit.
    pub units: String,
    /// Fee the venture paid the owner for it.
    pub fee_paid: String,
    /// What it was used for.
    pub note: String,
    /// Who logs it (none for the operator).
    pub by: Option<String>,
}

/// A usage with its booking.
#[derive(Debug, Clone)]
pub struct UsageView {
    /// The stored usage.
    pub record: UsageRecord,
    /// Its booking and good.
    pub booking: BookingView,
    /// What it is worth at the good's rate, before any fee.
    pub value_minor: i64,
}

/// A good given to a venture outright.
#[derive(Debug, Clone, Default)]
pub struct GiveGood {
    /// The owner.
    pub account: AccountId,
    /// The good.
    pub good: i64,
    /// The venture's slug.
    pub venture: String,
    /// `new`, `used-recent` (pre-owned under a year) or `used-old`.
    pub condition: String,
    /// Price (new), purchase price (under a year) or resale value (older).
    pub value: String,
    /// Any words.
    pub note: String,
}

/// What waits for an owner: bookings of their goods to answer, use to confirm.
#[derive(Debug, Clone, Default)]
pub struct OwnerInbox {
    /// Requested bookings.
    pub bookings: Vec<BookingView>,
    /// Logged use.
    pub usages: Vec<UsageView>,
}

fn owner_view(tx: &mut dyn Transaction, record: GoodRecord) -> Result<GoodView, AppError> {
    let account = tx.account(record.owner)?;
    let currency = Currency::from_code(&record.currency)?;
    let (owner, owner_name) = account.map_or_else(|| (format!("#{}", record.owner.0), String::new()), |a| (a.username, a.display_name));
    Ok(GoodView { record, owner, owner_name, currency })
}

fn find_good(tx: &mut dyn Transaction, id: i64, lock: bool) -> Result<GoodRecord, AppError> {
    let found = if lock { tx.lock_good(id)? } else { tx.good(id)? };
    found.ok_or_else(|| AppError::NotFound { what: "good", name: id.to_string() })
}

fn booking_view(tx: &mut dyn Transaction, slug: &str, record: BookingRecord, goods: &mut HashMap<i64, GoodView>) -> Result<BookingView, AppError> {
    let good = match goods.get(&record.good) {
        Some(view) => view.clone(),
        None => {
            let found = find_good(tx, record.good, false)?;
            let view = owner_view(tx, found)?;
            goods.insert(record.good, view.clone());
            view
        }
    };
    let value_minor = use_value(good.record.rate_minor, record.planned_milli);
    Ok(BookingView { venture: slug.to_string(), record, good, value_minor })
}

fn overlaps(a: (Date, Date), b: (Date, Date)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// The use a period holds in a unit, in thousandths: days, weeks of seven days, or months
/// (whole calendar months when the period is made of them, else days over 30).
fn planned_from_dates(unit: &str, starts_on: Date, ends_on: Date) -> Option<i64> {
    let days = (ends_on - starts_on).whole_days() + 1;
    match unit {
        "day" => Some(days * 1_000),
        "week" => Some(days * 1_000 / 7),
        "month" => {
            let after = ends_on + Duration::days(1);
            let months =
                (i64::from(after.year()) - i64::from(starts_on.year())) * 12 + i64::from(u8::from(after.month())) - i64::from(u8::from(starts_on.month()));
            if after.day() == starts_on.day() && months > 0 { Some(months * 1_000) } else { Some(days * 1_000 / 30) }
        }
        _ => None,
    }
}

fn venture_slugs(tx: &mut dyn Transaction) -> Result<HashMap<VentureId, String>, AppError> {
    Ok(tx.ventures()?.into_iter().map(|v| (v.id, v.slug)).collect())
}

impl Commons {
    /// Registers a good a person owns.
    pub fn register_good(&self, request: &RegisterGood, now: Now) -> Result<GoodView, AppError> {
        check_text("kind", &request.kind, 40, true)?;
        check_text("description", &request.description, 500, true)?;
        check_text("availability", &request.availability, 200, false)?;
        let currency = Currency::from_code(request.currency.trim())?;
        if request.rate.trim().is_empty() {
            return Err(invalid("rate", "is required"));
        }
        let rate = currency.parse_amount("rate", &request.rate)?;
        if rate == 0 {
            return Err(invalid("rate", "must be more than zero"));
        }
        let unit = request.unit.trim();
        if !UNITS.contains(&unit) {
            return Err(invalid("unit", "use hour, day, week or month"));
        }
        if let (Some(from), Some(until)) = (request.available_from, request.available_until)
            && until < from
        {
            return Err(invalid("available until", "is before available from"));
        }
        let mut record = GoodRecord {
            id: 0,
            owner: request.account,
            kind: request.kind.trim().to_lowercase(),
            description: request.description.trim().to_string(),
            currency: currency.code().to_string(),
            rate_minor: rate,
            unit: unit.to_string(),
            available_from: request.available_from,
            available_until: request.available_until,
            availability: request.availability.trim().to_string(),
            status: "available".into(),
            given_to: None,
            created_at_ms: now.at_ms,
        };
        let mut tx = self.store.begin(Mode::Write)?;
        if tx.account(request.account)?.is_none() {
            return Err(AppError::NotFound { what: "account", name: request.account.0.to_string() });
        }
        record.id = tx.insert_good(&record)?;
        let view = owner_view(tx.as_mut(), record)?;
        tx.commit()?;
        Ok(view)
    }

    /// Registered goods, newest first: everyone's, or one owner's.
    pub fn goods(&self, owner: Option<AccountId>) -> Result<Vec<GoodView>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let mut out = Vec::new();
        for record in tx.goods(owner)? {
            out.push(owner_view(tx.as_mut(), record)?);
        }
        Ok(out)
    }

    /// One good with every booking of it, in any venture, by start.
    pub fn good(&self, id: i64) -> Result<(GoodView, Vec<BookingView>), AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let found = find_good(tx.as_mut(), id, false)?;
        let good = owner_view(tx.as_mut(), found)?;
        let slugs = venture_slugs(tx.as_mut())?;
        let mut cache = HashMap::from([(id, good.clone())]);
        let mut bookings = Vec::new();
        for (venture, record) in tx.good_bookings(id)? {
            let slug = slugs.get(&venture).cloned().unwrap_or_default();
            bookings.push(booking_view(tx.as_mut(), &slug, record, &mut cache)?);
        }
        Ok((good, bookings))
    }

    /// Takes a good off the registry (its owner): no new bookings; accepted ones stand.
    pub fn withdraw_good(&self, account: AccountId, id: i64) -> Result<GoodView, AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let mut good = find_good(tx.as_mut(), id, true)?;
        if good.owner != account {
            return Err(AppError::Forbidden(format!("good #{id} is not yours")));
        }
        if good.status != "available" {
            return Err(invalid("good", format!("#{id} is {}", good.status)));
        }
        tx.set_good_status(id, "withdrawn", None)?;
        good.status = "withdrawn".into();
        let view = owner_view(tx.as_mut(), good)?;
        tx.commit()?;
        Ok(view)
    }

    /// Books a good for a venture. It waits for the owner to accept; a period that overlaps a
    /// live booking of the good (requested or accepted, in any venture) is refused.
    pub fn book_good(&self, request: &BookGood, now: Now) -> Result<BookingView, AppError> {
        check_note(&request.note)?;
        let starts_on = request.starts_on.ok_or_else(|| invalid("from", "is required"))?;
        let ends_on = request.ends_on.ok_or_else(|| invalid("until", "is required"))?;
        if ends_on < starts_on {
            return Err(invalid("until", "is before the first day"));
        }
        if (ends_on - starts_on).whole_days() >= BOOKING_DAYS_MAX {
            return Err(invalid("until", format!("a booking is at most {BOOKING_DAYS_MAX} days")));
        }
        let key = fingerprint(&[
            "book-good",
            &request.venture,
            &request.good.to_string(),
            &starts_on.to_string(),
            &ends_on.to_string(),
            &request.planned,
            &request.need.map(|n| n.to_string()).unwrap_or_default(),
            &request.note,
            request.by.as_deref().unwrap_or(""),
        ]);
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let venture = book.venture.id;
        let mut cache = HashMap::new();
        if let Some(result) = replayed(tx.as_mut(), venture, request.idempotency_key.as_deref(), &key)? {
            let number: u32 = result.strip_prefix("booking:").and_then(|n| n.parse().ok()).ok_or_else(|| invalid("idempotency key", "refers to no booking"))?;
            let record = tx.bookings(venture)?.into_iter().find(|b| b.number == number).ok_or_else(|| invalid("idempotency key", "refers to no booking"))?;
            return booking_view(tx.as_mut(), &request.venture, record, &mut cache);
        }
        let requested_by = request.by.as_deref().map(|h| book.member(h).map(|m| m.member_no)).transpose()?;
        if let Some(need) = request.need {
            let found = tx.needs(venture)?.into_iter().find(|n| n.number == need).ok_or_else(|| AppError::NotFound { what: "need", name: need.to_string() })?;
            if found.status != "open" && found.status != "met" {
                return Err(invalid("need", format!("#{need} is {}", found.status)));
            }
        }
        let good = find_good(tx.as_mut(), request.good, true)?;
        if good.status != "available" {
            return Err(invalid("good", format!("#{} is {} and cannot be booked", good.id, good.status)));
        }
        if good.currency != book.currency.code() {
            return Err(invalid(
                "good",
                format!("#{}'s rate is in {}; {} keeps its books in {}", good.id, good.currency, book.venture.slug, book.currency.code()),
            ));
        }
        if good.available_from.is_some_and(|from| starts_on < from) || good.available_until.is_some_and(|until| ends_on > until) {
            let from = good.available_from.map_or_else(|| "any day".to_string(), |d| d.to_string());
            let until = good.available_until.map_or_else(|| "any day".to_string(), |d| d.to_string());
            return Err(invalid("from", format!("good #{} can be booked from {from} until {until}", good.id)));
        }
        let slugs = venture_slugs(tx.as_mut())?;
        for (other_venture, other) in tx.good_bookings(good.id)? {
            if matches!(other.status.as_str(), "requested" | "accepted") && overlaps((starts_on, ends_on), (other.starts_on, other.ends_on)) {
                let owner = slugs.get(&other_venture).cloned().unwrap_or_default();
                return Err(AppError::AlreadyExists {
                    what: "booking",
                    name: format!("good #{} is booked from {} to {} (booking #{} of {owner})", good.id, other.starts_on, other.ends_on, other.number),
                });
            }
        }
        let planned_milli = match request.planned.trim() {
            "" => planned_from_dates(&good.unit, starts_on, ends_on).ok_or_else(|| invalid("planned", "say how many hours of use are planned"))?,
            text => parse_units(text)?,
        };
        if planned_milli <= 0 {
            return Err(invalid("planned", "must be more than zero"));
        }
        let mut record = BookingRecord {
            number: 0,
            good: good.id,
            need: request.need,
            starts_on,
            ends_on,
            planned_milli,
            status: "requested".into(),
            requested_by,
            note: request.note.trim().to_string(),
            created_at_ms: now.at_ms,
            decided_at_ms: None,
        };
        record.number = tx.insert_booking(venture, &record)?;
        remember(tx.as_mut(), venture, request.idempotency_key.as_deref(), &key, &format!("booking:{}", record.number), now)?;
        let view = booking_view(tx.as_mut(), &request.venture, record, &mut cache)?;
        tx.commit()?;
        let subject = format!("[{}] asks to book your {} from {} to {}", book.venture.name, view.good.record.kind, starts_on, ends_on);
        let body = format!("{} would like to use \"{}\". Accept or decline the booking on your goods page.", book.venture.name, view.good.record.description);
        self.notify_accounts(&[view.good.record.owner], &subject, &body, "/goods");
        Ok(view)
    }

    /// A venture's bookings, by number.
    pub fn bookings(&self, venture: &str) -> Result<Vec<BookingView>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let mut cache = HashMap::new();
        let mut out = Vec::new();
        for record in tx.bookings(book.venture.id)? {
            out.push(booking_view(tx.as_mut(), venture, record, &mut cache)?);
        }
        Ok(out)
    }

    /// The owner accepts or declines a requested booking. Accepting one toward a need may meet
    /// the need, which posts its held pledges.
    pub fn decide_booking(&self, account: AccountId, venture: &str, number: u32, accept: bool, now: Now) -> Result<BookingView, AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let id = book.venture.id;
        let record =
            tx.bookings(id)?.into_iter().find(|b| b.number == number).ok_or_else(|| AppError::NotFound { what: "booking", name: number.to_string() })?;
        let good = find_good(tx.as_mut(), record.good, true)?;
        if good.owner != account {
            return Err(AppError::Forbidden(format!("only the owner of good #{} answers its bookings", good.id)));
        }
        if record.status != "requested" {
            return Err(invalid("booking", format!("#{number} is {}", record.status)));
        }
        if accept {
            if good.status != "available" {
                return Err(invalid("good", format!("#{} is {}", good.id, good.status)));
            }
            let clash = tx.good_bookings(good.id)?.into_iter().any(|(v, other)| {
                (v, other.number) != (id, number)
                    && other.status == "accepted"
                    && overlaps((record.starts_on, record.ends_on), (other.starts_on, other.ends_on))
            });
            if clash {
                return Err(invalid("booking", format!("good #{} is already booked for part of that period", good.id)));
            }
        }
        let to = if accept { "accepted" } else { "declined" };
        if !tx.decide_booking(id, number, "requested", to, now.at_ms)? {
            return Err(invalid("booking", format!("#{number} was answered already")));
        }
        if accept && let Some(need) = record.need {
            self.recheck_need(tx.as_mut(), venture, need, now)?;
        }
        let record =
            tx.bookings(id)?.into_iter().find(|b| b.number == number).ok_or_else(|| AppError::NotFound { what: "booking", name: number.to_string() })?;
        let view = booking_view(tx.as_mut(), venture, record, &mut HashMap::new())?;
        tx.commit()?;
        if let Some(member) = view.record.requested_by {
            let subject = format!("[{}] Booking #{number} was {to}", book.venture.name);
            let body = format!("The owner of \"{}\" {to} the booking from {} to {}.", view.good.record.description, view.record.starts_on, view.record.ends_on);
            self.notify(venture, &[member], &subject, &body, &format!("/v/{venture}/goods"));
        }
        Ok(view)
    }

    /// Cancels a booking the venture no longer wants (requested, or accepted with no use
    /// confirmed under it).
    pub fn cancel_booking(&self, venture: &str, number: u32, now: Now) -> Result<BookingView, AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let id = book.venture.id;
        let record =
            tx.bookings(id)?.into_iter().find(|b| b.number == number).ok_or_else(|| AppError::NotFound { what: "booking", name: number.to_string() })?;
        if !matches!(record.status.as_str(), "requested" | "accepted") {
            return Err(invalid("booking", format!("#{number} is {}", record.status)));
        }
        if tx.usages(id)?.iter().any(|u| u.booking == number && u.status == "confirmed") {
            return Err(invalid("booking", format!("#{number} has confirmed use; it stands")));
        }
        tx.decide_booking(id, number, &record.status, "cancelled", now.at_ms)?;
        let record = BookingRecord { status: "cancelled".into(), decided_at_ms: Some(now.at_ms), ..record };
        let view = booking_view(tx.as_mut(), venture, record, &mut HashMap::new())?;
        tx.commit()?;
        Ok(view)
    }

    /// Logs use of a booked good; it waits for the owner to confirm.
    pub fn log_usage(&self, request: &LogUsage, now: Now) -> Result<UsageView, AppError> {
        check_note(&request.note)?;
        let occurred_on = request.occurred_on.ok_or_else(|| invalid("date", "is required"))?;
        check_date("date", occurred_on, now.today)?;
        if request.units.trim().is_empty() {
            return Err(invalid("units", "is required"));
        }
        let units_milli = parse_units(&request.units)?;
        if units_milli <= 0 {
            return Err(invalid("units", "must be more than zero"));
        }
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let id = book.venture.id;
        let logged_by = request.by.as_deref().map(|h| book.member(h).map(|m| m.member_no)).transpose()?;
        let booking = tx
            .bookings(id)?
            .into_iter()
            .find(|b| b.number == request.booking)
            .ok_or_else(|| AppError::NotFound { what: "booking", name: request.booking.to_string() })?;
        if booking.status != "accepted" {
            return Err(invalid("booking", format!("#{} is {}; use is logged under an accepted booking", booking.number, booking.status)));
        }
        if occurred_on < booking.starts_on || occurred_on > booking.ends_on {
            return Err(AppError::DateOutOfRange {
                field: "date",
                reason: format!("booking #{} runs from {} to {}", booking.number, booking.starts_on, booking.ends_on),
            });
        }
        let fee_paid_minor = if request.fee_paid.trim().is_empty() { 0 } else { book.currency.parse_amount("fee paid", &request.fee_paid)? };
        let mut record = UsageRecord {
            number: 0,
            booking: booking.number,
            occurred_on,
            units_milli,
            fee_paid_minor,
            note: request.note.trim().to_string(),
            status: "logged".into(),
            logged_by,
            entry_seq: None,
            created_at_ms: now.at_ms,
            decided_at_ms: None,
        };
        let booking = booking_view(tx.as_mut(), &request.venture, booking, &mut HashMap::new())?;
        let value_minor = use_value(booking.good.record.rate_minor, units_milli);
        if fee_paid_minor > value_minor {
            return Err(invalid("fee paid", format!("is more than the use is worth at the good's rate ({})", book.currency.format(value_minor))));
        }
        record.number = tx.insert_usage(id, &record)?;
        tx.commit()?;
        let subject = format!("[{}] logged use of your {}", book.venture.name, booking.good.record.kind);
        let body = format!(
            "{} units on {occurred_on}. Confirm it to record it as your contribution, or decline it.",
            peerstake_core::money::format_scaled(i128::from(units_milli), 3)
        );
        self.notify_accounts(&[booking.good.record.owner], &subject, &body, "/goods");
        Ok(UsageView { record, booking, value_minor })
    }

    /// A venture's logged use, by number.
    pub fn usages(&self, venture: &str) -> Result<Vec<UsageView>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let bookings: HashMap<u32, BookingRecord> = tx.bookings(book.venture.id)?.into_iter().map(|b| (b.number, b)).collect();
        let mut cache = HashMap::new();
        let mut out = Vec::new();
        for record in tx.usages(book.venture.id)? {
            let Some(booking) = bookings.get(&record.booking).cloned() else { continue };
            let booking = booking_view(tx.as_mut(), venture, booking, &mut cache)?;
            let value_minor = use_value(booking.good.record.rate_minor, record.units_milli);
            out.push(UsageView { record, booking, value_minor });
        }
        Ok(out)
    }

    /// The owner confirms logged use (it becomes their capital-use contribution, and they become
    /// a member of the venture if they were not) or declines it.
    pub fn decide_usage(&self, account: AccountId, venture: &str, number: u32, confirm: bool, now: Now) -> Result<UsageView, AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let id = book.venture.id;
        let record = tx.usages(id)?.into_iter().find(|u| u.number == number).ok_or_else(|| AppError::NotFound { what: "usage", name: number.to_string() })?;
        let booking = tx
            .bookings(id)?
            .into_iter()
            .find(|b| b.number == record.booking)
            .ok_or_else(|| AppError::NotFound { what: "booking", name: record.booking.to_string() })?;
        let booking = booking_view(tx.as_mut(), venture, booking, &mut HashMap::new())?;
        if booking.good.record.owner != account {
            return Err(AppError::Forbidden(format!("only the owner of good #{} confirms its use", booking.good.record.id)));
        }
        if record.status != "logged" {
            return Err(invalid("usage", format!("#{number} is {}", record.status)));
        }
        let entry_seq = if confirm {
            let owner = crate::membership::ensure_member(self, tx.as_mut(), venture, account, "backer", now)?;
            let book = self.books.within(tx.as_mut(), venture)?;
            let unit =
                RentalUnit::from_name(&booking.good.record.unit).ok_or_else(|| AppError::Internal(format!("good #{} has no unit", booking.good.record.id)))?;
            let input =
                Input::CapitalUse { units_milli: record.units_milli, unit, rate_minor: booking.good.record.rate_minor, fee_paid_minor: record.fee_paid_minor };
            let mut note = format!("Use of {} (good #{}) under booking #{}", booking.good.record.description, booking.good.record.id, booking.record.number);
            if !record.note.is_empty() {
                note = format!("{note}: {}", record.note);
            }
            let draft =
                Draft { occurred_on: record.occurred_on, recorded_at_ms: now.at_ms, author: Some(owner), member: Some(owner), input: &input, note: &note };
            let mut head = (book.venture.head_seq, book.venture.head_hash);
            Some(append_input(tx.as_mut(), &book, &draft, &mut head)?.entry.seq)
        } else {
            None
        };
        if !tx.decide_usage(id, number, if confirm { "confirmed" } else { "declined" }, now.at_ms, entry_seq)? {
            return Err(invalid("usage", format!("#{number} was answered already")));
        }
        let record = UsageRecord { status: if confirm { "confirmed" } else { "declined" }.into(), entry_seq, decided_at_ms: Some(now.at_ms), ..record };
        let value_minor = use_value(booking.good.record.rate_minor, record.units_milli);
        tx.commit()?;
        Ok(UsageView { record, booking, value_minor })
    }

    /// Gives a good to a venture outright: an equipment contribution for the owner (new ×4,
    /// pre-owned by age), and the good leaves the registry.
    pub fn give_good(&self, request: &GiveGood, now: Now) -> Result<StoredEntry, AppError> {
        check_note(&request.note)?;
        // A good is given once: a second try finds it given and is refused.
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let good = find_good(tx.as_mut(), request.good, true)?;
        if good.owner != request.account {
            return Err(AppError::Forbidden(format!("good #{} is not yours to give", good.id)));
        }
        if good.status == "given" {
            return Err(invalid("good", format!("#{} was given already", good.id)));
        }
        if good.currency != book.currency.code() {
            return Err(invalid(
                "good",
                format!("#{} is valued in {}; {} keeps its books in {}", good.id, good.currency, book.venture.slug, book.currency.code()),
            ));
        }
        let condition =
            Condition::from_name(request.condition.trim()).ok_or_else(|| invalid("condition", "use new, used-recent (pre-owned under a year) or used-old"))?;
        if request.value.trim().is_empty() {
            return Err(invalid("value", "is required"));
        }
        let value_minor = book.currency.parse_amount("value", &request.value)?;
        let owner = crate::membership::ensure_member(self, tx.as_mut(), &request.venture, request.account, "backer", now)?;
        let book = self.books.within(tx.as_mut(), &request.venture)?;
        let input = Input::Equipment { condition, value_minor, reimbursed_minor: 0 };
        let mut note = format!("Gave {} (good #{})", good.description, good.id);
        if !request.note.trim().is_empty() {
            note = format!("{note}: {}", request.note.trim());
        }
        let draft = Draft { occurred_on: now.today, recorded_at_ms: now.at_ms, author: Some(owner), member: Some(owner), input: &input, note: &note };
        let mut head = (book.venture.head_seq, book.venture.head_hash);
        let stored = append_input(tx.as_mut(), &book, &draft, &mut head)?;
        tx.set_good_status(good.id, "given", Some((book.venture.id, stored.entry.seq)))?;
        tx.commit()?;
        Ok(stored)
    }

    /// What waits for an owner's answer: requested bookings of their goods and use logged under
    /// them, in every venture.
    pub fn owner_inbox(&self, account: AccountId) -> Result<OwnerInbox, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let goods = tx.goods(Some(account))?;
        let slugs = venture_slugs(tx.as_mut())?;
        let mut cache = HashMap::new();
        let mut inbox = OwnerInbox::default();
        let mut ventures = Vec::new();
        for good in &goods {
            for (venture, record) in tx.good_bookings(good.id)? {
                let slug = slugs.get(&venture).cloned().unwrap_or_default();
                if !ventures.contains(&venture) {
                    ventures.push(venture);
                }
                if record.status == "requested" {
                    inbox.bookings.push(booking_view(tx.as_mut(), &slug, record, &mut cache)?);
                }
            }
        }
        let owned: Vec<i64> = goods.iter().map(|g| g.id).collect();
        for venture in ventures {
            let slug = slugs.get(&venture).cloned().unwrap_or_default();
            let bookings: HashMap<u32, BookingRecord> = tx.bookings(venture)?.into_iter().filter(|b| owned.contains(&b.good)).map(|b| (b.number, b)).collect();
            for record in tx.usages(venture)? {
                if record.status != "logged" {
                    continue;
                }
                let Some(booking) = bookings.get(&record.booking).cloned() else { continue };
                let booking = booking_view(tx.as_mut(), &slug, booking, &mut cache)?;
                let value_minor = use_value(booking.good.record.rate_minor, record.units_milli);
                inbox.usages.push(UsageView { record, booking, value_minor });
            }
        }
        Ok(inbox)
    }
}

impl crate::access::Acting<'_> {
    /// Registers a good the signed-in person owns.
    pub fn register_good(&self, request: &RegisterGood, now: Now) -> Result<GoodView, AppError> {
        let account = self.signed_in()?;
        self.commons.register_good(&RegisterGood { account: account.id, ..request.clone() }, now)
    }

    /// Takes one of the signed-in person's goods off the registry.
    pub fn withdraw_good(&self, id: i64) -> Result<GoodView, AppError> {
        let account = self.signed_in()?;
        self.commons.withdraw_good(account.id, id)
    }

    /// Books a good for a venture (stewards).
    pub fn book_good(&self, request: &BookGood, now: Now) -> Result<BookingView, AppError> {
        let standing = self.standing(&request.venture, now)?;
        let steward = standing.require_steward()?;
        self.commons.book_good(&BookGood { by: Some(steward.handle.clone()), ..request.clone() }, now)
    }

    /// A venture's bookings and logged use (whoever may read the venture).
    pub fn bookings(&self, slug: &str, now: Now) -> Result<(Vec<BookingView>, Vec<UsageView>), AppError> {
        self.standing(slug, now)?;
        Ok((self.commons.bookings(slug)?, self.commons.usages(slug)?))
    }

    /// Accepts or declines a booking of one of the signed-in person's goods.
    pub fn decide_booking(&self, slug: &str, number: u32, accept: bool, now: Now) -> Result<BookingView, AppError> {
        let account = self.signed_in()?;
        self.commons.decide_booking(account.id, slug, number, accept, now)
    }

    /// Cancels a booking (stewards).
    pub fn cancel_booking(&self, slug: &str, number: u32, now: Now) -> Result<BookingView, AppError> {
        self.standing(slug, now)?.require_steward()?;
        self.commons.cancel_booking(slug, number, now)
    }

    /// Logs use of a booked good (members).
    pub fn log_usage(&self, request: &LogUsage, now: Now) -> Result<UsageView, AppError> {
        let standing = self.standing(&request.venture, now)?;
        let member = standing.require_member()?;
        self.commons.log_usage(&LogUsage { by: Some(member.handle.clone()), ..request.clone() }, now)
    }

    /// Confirms or declines use of one of the signed-in person's goods.
    pub fn decide_usage(&self, slug: &str, number: u32, confirm: bool, now: Now) -> Result<UsageView, AppError> {
        let account = self.signed_in()?;
        self.commons.decide_usage(account.id, slug, number, confirm, now)
    }

    /// Gives one of the signed-in person's goods to a venture they may read.
    pub fn give_good(&self, request: &GiveGood, now: Now) -> Result<StoredEntry, AppError> {
        let account = self.signed_in()?;
        self.standing(&request.venture, now)?;
        self.commons.give_good(&GiveGood { account: account.id, ..request.clone() }, now)
    }

    /// What waits for the signed-in person's answer as an owner of goods.
    pub fn owner_inbox(&self) -> Result<OwnerInbox, AppError> {
        let account = self.signed_in()?;
        self.commons.owner_inbox(account.id)
    }

    /// Registered goods, newest first: everyone's, or the person's own.
    pub fn goods(&self, own: bool) -> Result<Vec<GoodView>, AppError> {
        let owner = if own { Some(self.signed_in()?.id) } else { None };
        self.commons.goods(owner)
    }

    /// One good with every booking of it, in any venture, by start.
    pub fn good(&self, id: i64) -> Result<(GoodView, Vec<BookingView>), AppError> {
        self.commons.good(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn planned_use_from_dates() {
        assert_eq!(planned_from_dates("day", date!(2026 - 01 - 01), date!(2026 - 01 - 10)), Some(10_000));
        assert_eq!(planned_from_dates("week", date!(2026 - 01 - 01), date!(2026 - 01 - 14)), Some(2_000));
        // Whole calendar months, across a year end.
        assert_eq!(planned_from_dates("month", date!(2025 - 11 - 15), date!(2026 - 02 - 14)), Some(3_000));
        // Otherwise days over 30.
        assert_eq!(planned_from_dates("month", date!(2026 - 01 - 01), date!(2026 - 01 - 15)), Some(500));
        assert_eq!(planned_from_dates("hour", date!(2026 - 01 - 01), date!(2026 - 01 - 01)), None);
    }

    #[test]
    fn use_value_rounds_down_to_the_minor_unit() {
        assert_eq!(use_value(1_500, 2_500), 3_750);
        assert_eq!(use_value(333, 1_001), 333);
        assert_eq!(use_value(10_000, 3_000), 30_000);
    }
}

//! `peerstake goods …`, `booking …` and `usage …`: goods people own (a desk, a laptop, a room)
//! and lend to ventures at a fair rate, or give outright. A venture books a good for a period; the
//! owner accepts or declines; the venture logs its use; the owner confirms the use, which counts
//! as their capital-use contribution, or declines it.
//!
//! What a person does names their web account with `--as <username>`; what a venture does names
//! one of its members with `--by <handle>` (none: the operator).

use std::io::Write;

use clap::{Args, Subcommand};
use peerstake_app::goods::{BookGood, BookingView, GiveGood, GoodView, LogUsage, OwnerInbox, RegisterGood, UsageView};
use peerstake_app::{AppError, Commons, Now};
use peerstake_core::money::format_scaled;
use serde_json::{Value, json};

use crate::args::{VentureArgs, WriteArgs, date, optional_date};
use crate::output::{Format, Section, one_line, records, sections};

/// Goods people own and lend to ventures (or give).
#[derive(Subcommand)]
pub enum GoodsCommand {
    /// Offer a good you own to ventures, with a fair rental rate.
    ///
    /// Example: `goods register --as ana --kind desk --description "Standing desk" --currency EUR --rate 100 --unit month`
    Register {
        /// The owner (an account's username).
        #[arg(long = "as", value_name = "USERNAME")]
        account: String,
        /// What sort of thing: laptop, server, desk, room, licence…
        #[arg(long)]
        kind: String,
        /// What it is.
        #[arg(long)]
        description: String,
        /// The currency of the rate (ISO 4217, e.g. EUR); ventures keeping books in it can book it.
        #[arg(long)]
        currency: String,
        /// The fair rental rate per unit.
        #[arg(long)]
        rate: String,
        /// What the rate is per: hour, day, week or month.
        #[arg(long)]
        unit: String,
        /// The first day it can be booked (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// The last day it can be booked (YYYY-MM-DD).
        #[arg(long)]
        until: Option<String>,
        /// When it is free, in your words (e.g. "weekday evenings").
        #[arg(long, default_value = "")]
        availability: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Registered goods, newest first.
    List {
        /// Only this owner's goods (an account's username).
        #[arg(long, value_name = "USERNAME")]
        owner: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// One good and every booking of it.
    Show {
        /// The good's number.
        good: i64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Take one of your goods off the registry: no new bookings; accepted ones stand.
    Withdraw {
        /// The good's number.
        good: i64,
        /// The owner (an account's username).
        #[arg(long = "as", value_name = "USERNAME")]
        account: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Give one of your goods to a venture outright: it is logged as your equipment
    /// contribution, and you join the venture as a backer if you were not a member. Prints the
    /// ledger entry.
    Give {
        /// The good's number.
        good: i64,
        /// The owner (an account's username).
        #[arg(long = "as", value_name = "USERNAME")]
        account: String,
        /// The venture it goes to.
        #[arg(long)]
        venture: String,
        /// new, used-recent (owned under a year) or used-old.
        #[arg(long)]
        condition: String,
        /// Its price (new), what you paid (used-recent) or what it would sell for (used-old).
        #[arg(long)]
        value: String,
        /// Any words about it.
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// What waits for you as an owner: bookings to accept or decline, use to confirm.
    Inbox {
        /// The owner (an account's username).
        #[arg(long = "as", value_name = "USERNAME")]
        account: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// Bookings of goods by a venture.
#[derive(Subcommand)]
pub enum BookingCommand {
    /// Ask to book a good for a period; the owner accepts or declines. A period that overlaps
    /// another live booking of the good is refused.
    Request {
        /// The venture.
        venture: String,
        /// The good's number.
        #[arg(long)]
        good: i64,
        /// The first day (YYYY-MM-DD).
        #[arg(long)]
        from: String,
        /// The last day (YYYY-MM-DD).
        #[arg(long)]
        until: String,
        /// The use planned, in the good's unit (default: counted from the dates; required for
        /// goods rented by the hour).
        #[arg(long)]
        planned: Option<String>,
        /// The need it covers: once accepted, its value counts toward the need's goal.
        #[arg(long)]
        need: Option<u32>,
        /// What it is for.
        #[arg(long, default_value = "")]
        note: String,
        /// Who asks (a member's handle).
        #[arg(long)]
        by: Option<String>,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// A venture's bookings and the use logged under them.
    List(VentureArgs),
    /// Accept a booking of your good (the owner).
    Accept(BookingAnswer),
    /// Decline a booking of your good (the owner).
    Decline(BookingAnswer),
    /// Cancel a booking the venture no longer wants (not once use under it is confirmed).
    Cancel {
        /// The venture.
        venture: String,
        /// The booking's number.
        booking: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Log use of a booked good; it waits for the owner to confirm (`usage confirm`).
    Use {
        /// The venture.
        venture: String,
        /// The booking's number.
        booking: u32,
        /// The day of the use (YYYY-MM-DD, default today).
        #[arg(long)]
        date: Option<String>,
        /// How much was used, in the good's unit (e.g. 1 month, 3 days, 2.5 hours).
        #[arg(long)]
        units: String,
        /// What the venture paid the owner for it, if anything.
        #[arg(long)]
        fee_paid: Option<String>,
        /// What it was used for.
        #[arg(long, default_value = "")]
        note: String,
        /// Who logs it (a member's handle).
        #[arg(long)]
        by: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// The owner's answer to a booking of their good.
#[derive(Args)]
pub struct BookingAnswer {
    /// The venture.
    venture: String,
    /// The booking's number.
    booking: u32,
    /// The good's owner (an account's username).
    #[arg(long = "as", value_name = "USERNAME")]
    account: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The owner's answer to logged use of their goods.
#[derive(Subcommand)]
pub enum UsageCommand {
    /// Confirm logged use of your good: it is recorded as your capital-use contribution
    /// (you join the venture as a backer if you were not a member).
    Confirm(UsageAnswer),
    /// Decline logged use of your good: nothing is recorded.
    Decline(UsageAnswer),
}

/// The owner's answer to logged use of their good.
#[derive(Args)]
pub struct UsageAnswer {
    /// The venture.
    venture: String,
    /// The usage's number.
    usage: u32,
    /// The good's owner (an account's username).
    #[arg(long = "as", value_name = "USERNAME")]
    account: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Units in thousandths as a short exact decimal: 3000 → "3", 2500 → "2.5".
fn units(milli: i64) -> String {
    let text = format_scaled(i128::from(milli), 3);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The columns of a good.
const GOOD_HEADERS: [&str; 8] = ["good", "kind", "description", "owner", "rate", "per", "status", "available"];

/// A good as a row.
fn good_row(view: &GoodView) -> Vec<String> {
    let r = &view.record;
    let mut available = match (r.available_from, r.available_until) {
        (None, None) => String::new(),
        (from, until) => format!("{}–{}", from.map(|d| d.to_string()).unwrap_or_default(), until.map(|d| d.to_string()).unwrap_or_default()),
    };
    if !r.availability.is_empty() {
        if !available.is_empty() {
            available.push_str("; ");
        }
        available.push_str(&r.availability);
    }
    vec![
        format!("#{}", r.id),
        r.kind.clone(),
        r.description.clone(),
        view.owner.clone(),
        format!("{} {}", view.currency.format(r.rate_minor), view.currency.code()),
        r.unit.clone(),
        r.status.clone(),
        available,
    ]
}

/// A good as JSON.
fn good_json(view: &GoodView) -> Value {
    let r = &view.record;
    json!({
        "id": r.id,
        "kind": r.kind,
        "description": r.description,
        "owner": view.owner,
        "owner_name": view.owner_name,
        "currency": view.currency.code(),
        "rate": view.currency.format(r.rate_minor),
        "unit": r.unit,
        "available_from": r.available_from.map(|d| d.to_string()),
        "available_until": r.available_until.map(|d| d.to_string()),
        "availability": r.availability,
        "status": r.status,
        "given_entry": r.given_to.map(|(_, seq)| seq),
    })
}

/// Goods, one a row.
fn goods(out: &mut impl Write, list: &[GoodView], format: Format) -> Result<(), AppError> {
    records(out, format, &GOOD_HEADERS, list, good_row, good_json)
}

/// The columns of a booking.
const BOOKING_HEADERS: [&str; 11] = ["booking", "venture", "good", "owner", "from", "until", "planned", "value", "need", "status", "note"];

/// A booking as a row.
fn booking_row(view: &BookingView) -> Vec<String> {
    let r = &view.record;
    let g = &view.good;
    vec![
        format!("#{}", r.number),
        view.venture.clone(),
        format!("#{} {}", g.record.id, g.record.kind),
        g.owner.clone(),
        r.starts_on.to_string(),
        r.ends_on.to_string(),
        format!("{} {}", units(r.planned_milli), g.record.unit),
        g.currency.format(view.value_minor),
        r.need.map(|n| format!("#{n}")).unwrap_or_default(),
        r.status.clone(),
        one_line(&r.note),
    ]
}

/// A booking as JSON.
fn booking_json(view: &BookingView) -> Value {
    let r = &view.record;
    let g = &view.good;
    json!({
        "number": r.number,
        "venture": view.venture,
        "good": g.record.id,
        "kind": g.record.kind,
        "description": g.record.description,
        "owner": g.owner,
        "from": r.starts_on.to_string(),
        "until": r.ends_on.to_string(),
        "planned": units(r.planned_milli),
        "unit": g.record.unit,
        "currency": g.currency.code(),
        "rate": g.currency.format(g.record.rate_minor),
        "value": g.currency.format(view.value_minor),
        "need": r.need,
        "status": r.status,
        "note": r.note,
    })
}

/// Bookings, one a row.
fn bookings(out: &mut impl Write, list: &[BookingView], format: Format) -> Result<(), AppError> {
    records(out, format, &BOOKING_HEADERS, list, booking_row, booking_json)
}

/// The columns of logged use.
const USAGE_HEADERS: [&str; 11] = ["usage", "venture", "booking", "good", "date", "units", "value", "fee_paid", "status", "entry", "note"];

/// Logged use as a row.
fn usage_row(view: &UsageView) -> Vec<String> {
    let r = &view.record;
    let g = &view.booking.good;
    vec![
        format!("#{}", r.number),
        view.booking.venture.clone(),
        format!("#{}", r.booking),
        format!("#{} {}", g.record.id, g.record.kind),
        r.occurred_on.to_string(),
        format!("{} {}", units(r.units_milli), g.record.unit),
        g.currency.format(view.value_minor),
        g.currency.format(r.fee_paid_minor),
        r.status.clone(),
        r.entry_seq.map(|s| format!("#{s}")).unwrap_or_default(),
        one_line(&r.note),
    ]
}

/// Logged use as JSON.
fn usage_json(view: &UsageView) -> Value {
    let r = &view.record;
    let g = &view.booking.good;
    json!({
        "number": r.number,
        "venture": view.booking.venture,
        "booking": r.booking,
        "good": g.record.id,
        "owner": g.owner,
        "date": r.occurred_on.to_string(),
        "units": units(r.units_milli),
        "unit": g.record.unit,
        "currency": g.currency.code(),
        "value": g.currency.format(view.value_minor),
        "fee_paid": g.currency.format(r.fee_paid_minor),
        "status": r.status,
        "entry": r.entry_seq,
        "note": r.note,
    })
}

/// Logged use, one a row.
fn usages(out: &mut impl Write, list: &[UsageView], format: Format) -> Result<(), AppError> {
    records(out, format, &USAGE_HEADERS, list, usage_row, usage_json)
}

/// Bookings and logged use: two tables, one JSON object.
fn bookings_and_usages(out: &mut impl Write, titles: [&str; 2], list: &[BookingView], used: &[UsageView], format: Format) -> Result<(), AppError> {
    let parts = [
        Section::new(titles[0], &BOOKING_HEADERS, list.iter().map(booking_row).collect()),
        Section::new(titles[1], &USAGE_HEADERS, used.iter().map(usage_row).collect()),
    ];
    sections(
        out,
        format,
        &parts,
        || json!({"bookings": list.iter().map(booking_json).collect::<Vec<_>>(), "usages": used.iter().map(usage_json).collect::<Vec<_>>()}),
    )
}

/// Runs a `goods` subcommand.
pub fn goods_command(commons: &Commons, command: GoodsCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    match command {
        GoodsCommand::Register { account, kind, description, currency, rate, unit, from, until, availability, format } => {
            let request = RegisterGood {
                account: commons.account_by_username(&account)?.id,
                kind,
                description,
                currency,
                rate: crate::numbers::amount(commons, None, "rate", &rate)?,
                unit,
                available_from: optional_date("from", from.as_deref())?,
                available_until: optional_date("until", until.as_deref())?,
                availability,
            };
            let view = commons.register_good(&request, now)?;
            goods(out, &[view], format)
        }
        GoodsCommand::List { owner, format } => {
            let owner = owner.map(|o| commons.account_by_username(&o)).transpose()?.map(|a| a.id);
            goods(out, &commons.goods(owner)?, format)
        }
        GoodsCommand::Show { good, format } => {
            let (view, list) = commons.good(good)?;
            let parts = [
                Section::new(format!("Good #{}", view.record.id), &GOOD_HEADERS, vec![good_row(&view)]),
                Section::new("Bookings", &BOOKING_HEADERS, list.iter().map(booking_row).collect()),
            ];
            sections(out, format, &parts, || json!({"good": good_json(&view), "bookings": list.iter().map(booking_json).collect::<Vec<_>>()}))
        }
        GoodsCommand::Withdraw { good, account, format } => {
            let view = commons.withdraw_good(commons.account_by_username(&account)?.id, good)?;
            goods(out, &[view], format)
        }
        GoodsCommand::Give { good, account, venture, condition, value, note, format } => {
            let value = crate::numbers::amount(commons, Some(&venture), "value", &value)?;
            let request = GiveGood { account: commons.account_by_username(&account)?.id, good, venture: venture.clone(), condition, value, note };
            let stored = commons.give_good(&request, now)?;
            crate::output::print_entry(commons, out, &venture, stored.entry.seq, format)
        }
        GoodsCommand::Inbox { account, format } => {
            let inbox: OwnerInbox = commons.owner_inbox(commons.account_by_username(&account)?.id)?;
            bookings_and_usages(out, ["Bookings waiting for your answer", "Use waiting for your confirmation"], &inbox.bookings, &inbox.usages, format)
        }
    }
}

/// Runs a `booking` subcommand.
pub fn booking_command(commons: &Commons, command: BookingCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    match command {
        BookingCommand::Request { venture, good, from, until, planned, need, note, by, write: WriteArgs { key, format } } => {
            let request = BookGood {
                venture,
                good,
                starts_on: Some(date("from", &from)?),
                ends_on: Some(date("until", &until)?),
                planned: planned.unwrap_or_default(),
                need,
                note,
                by,
                idempotency_key: key,
            };
            let view = commons.book_good(&request, now)?;
            bookings(out, &[view], format)
        }
        BookingCommand::List(args) => {
            let list = commons.bookings(&args.venture)?;
            let used = commons.usages(&args.venture)?;
            bookings_and_usages(out, ["Bookings", "Logged use"], &list, &used, args.format)
        }
        BookingCommand::Accept(answer) => decide_booking(commons, answer, true, now, out),
        BookingCommand::Decline(answer) => decide_booking(commons, answer, false, now, out),
        BookingCommand::Cancel { venture, booking, format } => {
            let view = commons.cancel_booking(&venture, booking, now)?;
            bookings(out, &[view], format)
        }
        BookingCommand::Use { venture, booking, date: on, units, fee_paid, note, by, format } => {
            let request = LogUsage {
                venture: venture.clone(),
                booking,
                occurred_on: Some(optional_date("date", on.as_deref())?.unwrap_or(now.today)),
                units: crate::numbers::units(commons, Some(&venture), &units)?,
                fee_paid: crate::numbers::optional(commons, Some(&venture), "fee paid", fee_paid)?.unwrap_or_default(),
                note,
                by,
            };
            let view = commons.log_usage(&request, now)?;
            usages(out, &[view], format)
        }
    }
}

/// The owner accepts or declines a booking of their good.
fn decide_booking(commons: &Commons, answer: BookingAnswer, accept: bool, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let view = commons.decide_booking(commons.account_by_username(&answer.account)?.id, &answer.venture, answer.booking, accept, now)?;
    bookings(out, &[view], answer.format)
}

/// Runs a `usage` subcommand.
pub fn usage_command(commons: &Commons, command: UsageCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let (answer, confirm) = match command {
        UsageCommand::Confirm(answer) => (answer, true),
        UsageCommand::Decline(answer) => (answer, false),
    };
    let view = commons.decide_usage(commons.account_by_username(&answer.account)?.id, &answer.venture, answer.usage, confirm, now)?;
    usages(out, &[view], answer.format)
}

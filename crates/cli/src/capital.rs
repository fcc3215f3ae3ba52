//! `peerstake need …`, `pledge`, `well`, `costs`, `goods …`, `booking …` and `usage …`: pooled
//! capital from the command line. A venture publishes the costs it needs covered; people pledge
//! toward them (all or nothing: held until the goal is met, then posted into the well); the well
//! pays the costs, and what it spends turns into cash slices for the people who paid in. People
//! can also lend goods they own (a desk, a laptop, a room) to ventures, or give them outright.
//!
//! What a person does names their web account with `--as <username>`; what a venture does names
//! one of its members with `--by <handle>` (none: the operator).

use std::io::Write;

use clap::{Args, Subcommand};
use peerstake_app::holds::NeedView;
use peerstake_app::capital::{PayNeed, PledgeOutcome, PledgeRequest, PledgeView, PublishNeed};
use peerstake_app::goods::{BookGood, BookingView, GiveGood, GoodView, LogUsage, OwnerInbox, RegisterGood, UsageView};
use peerstake_app::ledger::LedgerQuery;
use peerstake_app::well::{CostShare, SharedCosts, WellStatement};
use peerstake_app::{AppError, Commons, Now};
use peerstake_core::money::{Currency, format_scaled};
use serde_json::{Value, json};

use crate::output::{Section, emit, sections};
use crate::{Format, date, optional_date, output};

/// Needs: costs a venture asks its peers to cover together.
#[derive(Subcommand)]
pub enum NeedCommand {
    /// Publish a need: a one-off cost, or a weekly or monthly one, with a goal and a deadline.
    /// Pledges toward it are held until the goal is met, then all paid into the well at once;
    /// if the deadline passes first, every pledge is released and nothing is taken.
    ///
    /// Example: `need publish kiln --title "Studio rent" --amount 400 --cadence monthly --periods 6 --deadline 2026-12-31`
    Publish {
        /// The venture.
        venture: String,
        /// What it is for, in a few words.
        #[arg(long)]
        title: String,
        /// More about it.
        #[arg(long, default_value = "")]
        description: String,
        /// The cost of a one-off, or of one period of a recurring cost.
        #[arg(long)]
        amount: String,
        /// weekly or monthly for a recurring cost; leave it out for a one-off.
        #[arg(long)]
        cadence: Option<String>,
        /// How many periods the goal covers (recurring costs): the goal is amount × periods.
        #[arg(long)]
        periods: Option<u32>,
        /// A stretch goal above the goal: pledges are still taken after the goal is met, up to it.
        #[arg(long)]
        stretch: Option<String>,
        /// The smallest pledge taken (default: one unit of the currency).
        #[arg(long)]
        min_pledge: Option<String>,
        /// The last day pledges are taken (YYYY-MM-DD).
        #[arg(long)]
        deadline: String,
        /// The steward who publishes it (a member's handle).
        #[arg(long)]
        by: Option<String>,
        /// Idempotency key: a retry with the same key changes nothing.
        #[arg(long, visible_alias = "idempotency-key")]
        key: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// A venture's needs and how far each is covered.
    List {
        /// The venture.
        venture: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// One need and every pledge toward it.
    Show {
        /// The venture.
        venture: String,
        /// The need's number.
        need: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Cancel an open need: pledges still held are released; money already in the well stays.
    Cancel {
        /// The venture.
        venture: String,
        /// The need's number.
        need: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Close every need whose deadline has passed without reaching its goal, releasing its
    /// pledges (listing needs does this too).
    Settle {
        /// The venture.
        venture: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Pay a need from the well: a withdrawal, shared among the people who paid in, which earns
    /// them cash slices. Prints the ledger entry.
    Pay {
        /// The venture.
        venture: String,
        /// The need's number.
        need: u32,
        /// How much (default: what is left of the goal, at most what the well holds).
        #[arg(long)]
        amount: Option<String>,
        /// The steward who pays it (a member's handle).
        #[arg(long)]
        by: Option<String>,
        /// Idempotency key: a retry with the same key changes nothing.
        #[arg(long, visible_alias = "idempotency-key")]
        key: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// Pledge money toward a need.
#[derive(Args)]
pub struct PledgeArgs {
    /// The venture.
    venture: String,
    /// The need's number.
    #[arg(long)]
    need: u32,
    /// Who pledges (an account's username); they join the venture as a backer when it is paid in.
    #[arg(long = "as", value_name = "USERNAME")]
    account: String,
    /// How much. A pledge above what the need still lacks is lowered to it.
    #[arg(long)]
    amount: String,
    /// Idempotency key: a retry with the same key changes nothing.
    #[arg(long, visible_alias = "idempotency-key")]
    key: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The well's statement.
#[derive(Args)]
pub struct WellArgs {
    /// The venture.
    venture: String,
    /// Only this member's part (a member's handle).
    #[arg(long)]
    member: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Shared costs.
#[derive(Args)]
pub struct CostsArgs {
    /// The venture.
    venture: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

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
        /// Idempotency key: a retry with the same key changes nothing.
        #[arg(long, visible_alias = "idempotency-key")]
        key: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// A venture's bookings and the use logged under them.
    List {
        /// The venture.
        venture: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Accept a booking of your good (the owner).
    Accept {
        /// The venture.
        venture: String,
        /// The booking's number.
        booking: u32,
        /// The good's owner (an account's username).
        #[arg(long = "as", value_name = "USERNAME")]
        account: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Decline a booking of your good (the owner).
    Decline {
        /// The venture.
        venture: String,
        /// The booking's number.
        booking: u32,
        /// The good's owner (an account's username).
        #[arg(long = "as", value_name = "USERNAME")]
        account: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
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

/// The owner's answer to logged use of their goods.
#[derive(Subcommand)]
pub enum UsageCommand {
    /// Confirm logged use of your good: it is recorded as your capital-use contribution
    /// (you join the venture as a backer if you were not a member).
    Confirm {
        /// The venture.
        venture: String,
        /// The usage's number.
        usage: u32,
        /// The good's owner (an account's username).
        #[arg(long = "as", value_name = "USERNAME")]
        account: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Decline logged use of your good: nothing is recorded.
    Decline {
        /// The venture.
        venture: String,
        /// The usage's number.
        usage: u32,
        /// The good's owner (an account's username).
        #[arg(long = "as", value_name = "USERNAME")]
        account: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

fn io(error: std::io::Error) -> AppError {
    AppError::File(format!("cannot write output: {error}"))
}

/// A date from milliseconds since the epoch.
fn day(at_ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at_ms.div_euclid(1000)).map(|t| t.date().to_string()).unwrap_or_default()
}

/// Units in thousandths as a short exact decimal: 3000 → "3", 2500 → "2.5".
fn units(milli: i64) -> String {
    let text = format_scaled(i128::from(milli), 3);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Prints one ledger entry as `log` does.
fn entry(commons: &Commons, out: &mut impl Write, venture: &str, seq: u64, format: Format) -> Result<(), AppError> {
    let page = commons.ledger(venture, &LedgerQuery { after: Some(seq.saturating_sub(1)), limit: 1, ..LedgerQuery::default() })?;
    output::ledger(out, venture, &page, format)
}

// Needs and pledges.

const NEED_HEADERS: [&str; 10] = ["need", "title", "status", "goal", "covered", "percent", "paid", "deadline", "backers", "cadence"];

fn need_row(view: &NeedView) -> Vec<String> {
    let c = view.currency;
    let r = &view.record;
    let goal = match r.stretch_minor {
        Some(stretch) => format!("{} (stretch {})", c.format(r.goal_minor), c.format(stretch)),
        None => c.format(r.goal_minor),
    };
    let cadence = match &r.cadence {
        Some(cadence) => format!("{} × {} {cadence}", c.format(view.period_minor()), r.periods),
        None => "one-off".to_string(),
    };
    vec![
        format!("#{}", r.number),
        r.title.clone(),
        r.status.clone(),
        goal,
        c.format(view.covered_minor()),
        format!("{}%", view.percent()),
        c.format(view.paid_minor),
        r.deadline.to_string(),
        view.backers.to_string(),
        cadence,
    ]
}

fn need_json(view: &NeedView, now: Now) -> Value {
    let c = view.currency;
    let r = &view.record;
    json!({
        "number": r.number,
        "title": r.title,
        "description": r.description,
        "status": r.status,
        "currency": c.code(),
        "cadence": r.cadence,
        "periods": r.periods,
        "period_amount": c.format(view.period_minor()),
        "goal": c.format(r.goal_minor),
        "stretch": r.stretch_minor.map(|s| c.format(s)),
        "min_pledge": c.format(r.min_pledge_minor),
        "deadline": r.deadline.to_string(),
        "held": c.format(view.held_minor),
        "posted": c.format(view.posted_minor),
        "goods": c.format(view.goods_minor),
        "covered": c.format(view.covered_minor()),
        "remaining": c.format(view.remaining_minor()),
        "paid": c.format(view.paid_minor),
        "percent": view.percent(),
        "stretch_percent": view.stretch_percent(),
        "backers": view.backers,
        "taking_pledges": view.takes_pledges(now.today),
    })
}

fn needs(out: &mut impl Write, list: &[NeedView], now: Now, format: Format) -> Result<(), AppError> {
    let rows: Vec<Vec<String>> = list.iter().map(need_row).collect();
    emit(out, format, &NEED_HEADERS, &rows, || Value::Array(list.iter().map(|n| need_json(n, now)).collect()))
}

fn pledge_json(pledge: &PledgeView, currency: Currency) -> Value {
    let r = &pledge.record;
    json!({
        "number": r.number,
        "need": r.need,
        "backer": pledge.username,
        "name": pledge.display_name,
        "amount": currency.format(r.amount_minor),
        "status": r.status,
        "pledged_on": day(r.created_at_ms),
        "entry": r.entry_seq,
    })
}

fn pledge_outcome(out: &mut impl Write, outcome: &PledgeOutcome, backer: &str, now: Now, format: Format) -> Result<(), AppError> {
    let c = outcome.need.currency;
    let p = &outcome.pledge;
    let capped = outcome.asked_minor > p.amount_minor;
    let posted = outcome.posted.iter().map(|s| format!("#{s}")).collect::<Vec<_>>().join(" ");
    match format {
        Format::Table => {
            let mut line = format!("pledge #{} by {backer}: {} {} toward need #{}, {}", p.number, c.format(p.amount_minor), c.code(), p.need, p.status);
            if capped {
                line.push_str(&format!(" (asked {}, lowered to what the need still lacked)", c.format(outcome.asked_minor)));
            }
            writeln!(out, "{line}").map_err(io)?;
            needs(out, std::slice::from_ref(&outcome.need), now, format)?;
            if !outcome.posted.is_empty() {
                writeln!(out, "goal met: every pledge was paid into the well as deposits {posted}").map_err(io)?;
            }
            Ok(())
        }
        _ => {
            let headers = ["pledge", "need", "backer", "asked", "amount", "capped", "status", "need_status", "covered", "goal", "percent", "deposits"];
            let row = vec![
                p.number.to_string(),
                p.need.to_string(),
                backer.to_string(),
                c.format(outcome.asked_minor),
                c.format(p.amount_minor),
                capped.to_string(),
                p.status.clone(),
                outcome.need.record.status.clone(),
                c.format(outcome.need.covered_minor()),
                c.format(outcome.need.record.goal_minor),
                outcome.need.percent().to_string(),
                posted,
            ];
            emit(out, format, &headers, &[row], || {
                json!({
                    "pledge": {
                        "number": p.number,
                        "need": p.need,
                        "backer": backer,
                        "asked": c.format(outcome.asked_minor),
                        "amount": c.format(p.amount_minor),
                        "capped": capped,
                        "status": p.status,
                        "entry": p.entry_seq,
                    },
                    "need": need_json(&outcome.need, now),
                    "posted": outcome.posted,
                })
            })
        }
    }
}

/// Runs a `need` subcommand.
pub fn need(commons: &Commons, command: NeedCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    match command {
        NeedCommand::Publish { venture, title, description, amount, cadence, periods, stretch, min_pledge, deadline, by, key, format } => {
            let read = |field: &'static str, text: Option<String>| crate::numbers::optional(commons, Some(&venture), field, text);
            let (amount, stretch, min_pledge) =
                (read("amount", Some(amount))?.unwrap_or_default(), read("stretch goal", stretch)?, read("minimum pledge", min_pledge)?);
            let request = PublishNeed {
                venture,
                title,
                description,
                amount,
                cadence: cadence.unwrap_or_default(),
                periods: periods.unwrap_or(0),
                stretch: stretch.unwrap_or_default(),
                min_pledge: min_pledge.unwrap_or_default(),
                deadline: Some(date("deadline", &deadline)?),
                by,
                idempotency_key: key,
            };
            let view = commons.publish_need(&request, now)?;
            needs(out, &[view], now, format)
        }
        NeedCommand::List { venture, format } => needs(out, &commons.needs(&venture, now)?, now, format),
        NeedCommand::Show { venture, need, format } => {
            let (view, pledges) = commons.need(&venture, need, now)?;
            let c = view.currency;
            let rows: Vec<Vec<String>> = pledges
                .iter()
                .map(|p| {
                    let r = &p.record;
                    vec![
                        format!("#{}", r.number),
                        day(r.created_at_ms),
                        p.username.clone(),
                        p.display_name.clone(),
                        c.format(r.amount_minor),
                        r.status.clone(),
                        r.entry_seq.map(|s| format!("#{s}")).unwrap_or_default(),
                    ]
                })
                .collect();
            let mut title = format!("Need #{} of {venture} ({})", view.record.number, c.code());
            if !view.record.description.is_empty() {
                title.push_str(&format!(": {}", view.record.description.split_whitespace().collect::<Vec<_>>().join(" ")));
            }
            let parts = [
                Section::new(title, &NEED_HEADERS, vec![need_row(&view)]),
                Section::new("Pledges, newest first", &["pledge", "on", "backer", "name", "amount", "status", "deposit"], rows),
            ];
            sections(out, format, &parts, || json!({"need": need_json(&view, now), "pledges": pledges.iter().map(|p| pledge_json(p, c)).collect::<Vec<_>>()}))
        }
        NeedCommand::Cancel { venture, need, format } => {
            let view = commons.cancel_need(&venture, need, now)?;
            needs(out, &[view], now, format)
        }
        NeedCommand::Settle { venture, format } => {
            let closed = commons.settle_needs(&venture, now)?;
            if format == Format::Table {
                writeln!(out, "{closed} need(s) of {venture} closed unmet; their pledges were released").map_err(io)?;
                return Ok(());
            }
            emit(out, format, &["closed"], &[vec![closed.to_string()]], || json!({"venture": venture, "closed": closed}))
        }
        NeedCommand::Pay { venture, need, amount, by, key, format } => {
            let amount = crate::numbers::optional(commons, Some(&venture), "amount", amount)?.unwrap_or_default();
            let request = PayNeed { venture: venture.clone(), need, amount, by, idempotency_key: key };
            let stored = commons.pay_need(&request, now)?;
            entry(commons, out, &venture, stored.entry.seq, format)
        }
    }
}

/// Runs `pledge`.
pub fn pledge(commons: &Commons, args: PledgeArgs, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let account = commons.account_by_username(&args.account)?;
    let amount = crate::numbers::amount(commons, Some(&args.venture), "amount", &args.amount)?;
    let request = PledgeRequest { venture: args.venture, need: args.need, account: account.id, amount, idempotency_key: args.key };
    let outcome = commons.pledge(&request, now)?;
    pledge_outcome(out, &outcome, &account.username, now, args.format)
}

// The well and shared costs.

/// Runs `well`.
pub fn well(commons: &Commons, args: WellArgs, out: &mut impl Write) -> Result<(), AppError> {
    let statement: WellStatement = match &args.member {
        Some(handle) => commons.member_well(&args.venture, handle)?,
        None => commons.well(&args.venture)?,
    };
    let c = statement.currency;
    let whose = statement.member.as_ref().map_or_else(String::new, |m| format!(", {}'s part", m.handle));
    let summary = vec![
        c.format(statement.balance_minor),
        c.format(statement.deposited_minor),
        c.format(statement.spent_minor),
        c.format(statement.returned_minor),
        c.format_slices(statement.slices_minor),
    ];
    let mut parts = vec![Section::new(
        format!("Well of {}{whose} ({})", args.venture, c.code()),
        &["balance", "deposited", "spent", "returned", "cash_slices"],
        vec![summary],
    )];
    if statement.member.is_none() {
        let rows = statement.depositors.iter().map(|d| vec![d.handle.clone(), d.display_name.clone(), c.format(d.balance_minor)]).collect();
        parts.push(Section::new("Depositors", &["member", "name", "balance"], rows));
    }
    let rows = statement
        .movements
        .iter()
        .map(|m| {
            vec![
                format!("#{}", m.seq),
                m.occurred_on.to_string(),
                m.tag.clone(),
                m.member.clone().unwrap_or_default(),
                c.format(m.change_minor),
                c.format_slices(m.slices_minor),
                c.format(m.balance_minor),
                m.need.map(|n| format!("#{n}")).unwrap_or_default(),
                m.note.split_whitespace().collect::<Vec<_>>().join(" "),
            ]
        })
        .collect();
    parts.push(Section::new("Movements, oldest first", &["entry", "date", "kind", "member", "change", "slices", "balance", "need", "note"], rows));
    let depositor = |d: &peerstake_app::well::Depositor| json!({"member": d.handle, "name": d.display_name, "balance": c.format(d.balance_minor)});
    sections(out, args.format, &parts, || {
        json!({
            "venture": args.venture,
            "currency": c.code(),
            "member": statement.member.as_ref().map(depositor),
            "balance": c.format(statement.balance_minor),
            "deposited": c.format(statement.deposited_minor),
            "spent": c.format(statement.spent_minor),
            "returned": c.format(statement.returned_minor),
            "slices": c.format_slices(statement.slices_minor),
            "depositors": statement.depositors.iter().map(depositor).collect::<Vec<_>>(),
            "movements": statement.movements.iter().map(|m| json!({
                "entry": m.seq,
                "date": m.occurred_on.to_string(),
                "kind": m.tag,
                "member": m.member,
                "change": c.format(m.change_minor),
                "slices": c.format_slices(m.slices_minor),
                "balance": c.format(m.balance_minor),
                "need": m.need,
                "note": m.note,
            })).collect::<Vec<_>>(),
        })
    })
}

/// Runs `costs`.
pub fn costs(commons: &Commons, args: CostsArgs, out: &mut impl Write) -> Result<(), AppError> {
    let report: SharedCosts = commons.shared_costs(&args.venture)?;
    let c = report.currency;
    let share_row =
        |scope: &str, s: &CostShare| vec![scope.to_string(), s.handle.clone(), s.display_name.clone(), c.format(s.cash_minor), c.format(s.goods_minor)];
    let mut rows = Vec::new();
    for need in &report.needs {
        let scope = format!("need #{} {}", need.need.number, need.need.title);
        rows.push(vec![scope.clone(), "(all)".to_string(), String::new(), c.format(need.cash_minor), c.format(need.goods_minor)]);
        rows.extend(need.shares.iter().map(|s| share_row(&scope, s)));
    }
    for month in &report.months {
        let scope = format!("month {}", month.month);
        rows.extend(month.shares.iter().map(|s| share_row(&scope, s)));
    }
    rows.extend(report.totals.iter().map(|s| share_row("total", s)));
    if args.format == Format::Table {
        writeln!(out, "Shared costs of {} ({}): cash paid from the well and goods lent or given, per need, per month and in all:", args.venture, c.code())
            .map_err(io)?;
    }
    let share = |s: &CostShare| json!({"member": s.handle, "name": s.display_name, "cash": c.format(s.cash_minor), "goods": c.format(s.goods_minor)});
    emit(out, args.format, &["scope", "member", "name", "cash", "goods"], &rows, || {
        json!({
            "venture": args.venture,
            "currency": c.code(),
            "needs": report.needs.iter().map(|n| json!({
                "number": n.need.number,
                "title": n.need.title,
                "status": n.need.status,
                "cash": c.format(n.cash_minor),
                "goods": c.format(n.goods_minor),
                "shares": n.shares.iter().map(share).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "months": report.months.iter().map(|m| json!({"month": m.month, "shares": m.shares.iter().map(share).collect::<Vec<_>>()})).collect::<Vec<_>>(),
            "totals": report.totals.iter().map(share).collect::<Vec<_>>(),
        })
    })
}

// Goods, bookings and use.

const GOOD_HEADERS: [&str; 8] = ["good", "kind", "description", "owner", "rate", "per", "status", "available"];

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

fn goods(out: &mut impl Write, list: &[GoodView], format: Format) -> Result<(), AppError> {
    let rows: Vec<Vec<String>> = list.iter().map(good_row).collect();
    emit(out, format, &GOOD_HEADERS, &rows, || Value::Array(list.iter().map(good_json).collect()))
}

const BOOKING_HEADERS: [&str; 11] = ["booking", "venture", "good", "owner", "from", "until", "planned", "value", "need", "status", "note"];

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
        r.note.split_whitespace().collect::<Vec<_>>().join(" "),
    ]
}

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

fn bookings(out: &mut impl Write, list: &[BookingView], format: Format) -> Result<(), AppError> {
    let rows: Vec<Vec<String>> = list.iter().map(booking_row).collect();
    emit(out, format, &BOOKING_HEADERS, &rows, || Value::Array(list.iter().map(booking_json).collect()))
}

const USAGE_HEADERS: [&str; 11] = ["usage", "venture", "booking", "good", "date", "units", "value", "fee_paid", "status", "entry", "note"];

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
        r.note.split_whitespace().collect::<Vec<_>>().join(" "),
    ]
}

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

fn usages(out: &mut impl Write, list: &[UsageView], format: Format) -> Result<(), AppError> {
    let rows: Vec<Vec<String>> = list.iter().map(usage_row).collect();
    emit(out, format, &USAGE_HEADERS, &rows, || Value::Array(list.iter().map(usage_json).collect()))
}

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
            entry(commons, out, &venture, stored.entry.seq, format)
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
        BookingCommand::Request { venture, good, from, until, planned, need, note, by, key, format } => {
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
        BookingCommand::List { venture, format } => {
            let list = commons.bookings(&venture)?;
            let used = commons.usages(&venture)?;
            bookings_and_usages(out, ["Bookings", "Logged use"], &list, &used, format)
        }
        BookingCommand::Accept { venture, booking, account, format } => {
            let view = commons.decide_booking(commons.account_by_username(&account)?.id, &venture, booking, true, now)?;
            bookings(out, &[view], format)
        }
        BookingCommand::Decline { venture, booking, account, format } => {
            let view = commons.decide_booking(commons.account_by_username(&account)?.id, &venture, booking, false, now)?;
            bookings(out, &[view], format)
        }
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

/// Runs a `usage` subcommand.
pub fn usage_command(commons: &Commons, command: UsageCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let (venture, usage, account, confirm, format) = match command {
        UsageCommand::Confirm { venture, usage, account, format } => (venture, usage, account, true, format),
        UsageCommand::Decline { venture, usage, account, format } => (venture, usage, account, false, format),
    };
    let view = commons.decide_usage(commons.account_by_username(&account)?.id, &venture, usage, confirm, now)?;
    usages(out, &[view], format)
}

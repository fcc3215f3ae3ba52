//! `peerstake need …` and `pledge`: costs a venture asks its peers to cover together. A venture
//! publishes a need; people pledge toward it, all or nothing: pledges are held until the goal is
//! met, then posted into the well at once, or released if the deadline passes first. A steward
//! pays the need from the well.
//!
//! Who pledges names their web account with `--as <username>`; what a venture does names one of
//! its members with `--by <handle>` (none: the operator).

use std::io::Write;

use clap::{Args, Subcommand};
use peerstake_app::capital::{PayNeed, PledgeOutcome, PledgeRequest, PledgeView, PublishNeed};
use peerstake_app::holds::NeedView;
use peerstake_app::{AppError, Commons, Now};
use peerstake_core::money::Currency;
use serde_json::{Value, json};

use crate::args::{VentureArgs, WriteArgs, date};
use crate::output::{Format, Section, day, emit, io, one_line, records, sections};

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
        #[command(flatten)]
        write: WriteArgs,
    },
    /// A venture's needs and how far each is covered.
    List(VentureArgs),
    /// One need and every pledge toward it.
    Show(NeedArgs),
    /// Cancel an open need: pledges still held are released; money already in the well stays.
    Cancel(NeedArgs),
    /// Close every need whose deadline has passed without reaching its goal, releasing its
    /// pledges (listing needs does this too).
    Settle(VentureArgs),
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
        #[command(flatten)]
        write: WriteArgs,
    },
}

/// One need of a venture.
#[derive(Args)]
pub struct NeedArgs {
    /// The venture.
    venture: String,
    /// The need's number.
    need: u32,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
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
    #[command(flatten)]
    write: WriteArgs,
}

/// The columns of a need.
const NEED_HEADERS: [&str; 10] = ["need", "title", "status", "goal", "covered", "percent", "paid", "deadline", "backers", "cadence"];

/// A need as a row.
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

/// A need as JSON.
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

/// Needs, one a row.
fn needs(out: &mut impl Write, list: &[NeedView], now: Now, format: Format) -> Result<(), AppError> {
    records(out, format, &NEED_HEADERS, list, need_row, |n| need_json(n, now))
}

/// A pledge as JSON.
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

/// What a pledge did: for people a sentence and the need; for programs the pledge and the need.
fn pledge_outcome(out: &mut impl Write, outcome: &PledgeOutcome, backer: &str, now: Now, format: Format) -> Result<(), AppError> {
    let c = outcome.need.currency;
    let p = &outcome.pledge;
    let capped = outcome.asked_minor > p.amount_minor;
    let posted = outcome.posted.iter().map(|s| format!("#{s}")).collect::<Vec<_>>().join(" ");
    if format == Format::Table {
        let mut line = format!("pledge #{} by {backer}: {} {} toward need #{}, {}", p.number, c.format(p.amount_minor), c.code(), p.need, p.status);
        if capped {
            line.push_str(&format!(" (asked {}, lowered to what the need still lacked)", c.format(outcome.asked_minor)));
        }
        writeln!(out, "{line}").map_err(io)?;
        needs(out, std::slice::from_ref(&outcome.need), now, format)?;
        if !outcome.posted.is_empty() {
            writeln!(out, "goal met: every pledge was paid into the well as deposits {posted}").map_err(io)?;
        }
        return Ok(());
    }
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

/// One need and every pledge toward it.
fn show(commons: &Commons, args: &NeedArgs, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let (view, pledges) = commons.need(&args.venture, args.need, now)?;
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
    let mut title = format!("Need #{} of {} ({})", view.record.number, args.venture, c.code());
    if !view.record.description.is_empty() {
        title.push_str(&format!(": {}", one_line(&view.record.description)));
    }
    let parts = [
        Section::new(title, &NEED_HEADERS, vec![need_row(&view)]),
        Section::new("Pledges, newest first", &["pledge", "on", "backer", "name", "amount", "status", "deposit"], rows),
    ];
    sections(out, args.format, &parts, || json!({"need": need_json(&view, now), "pledges": pledges.iter().map(|p| pledge_json(p, c)).collect::<Vec<_>>()}))
}

/// Runs a `need` subcommand.
pub fn run(commons: &Commons, command: NeedCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    match command {
        NeedCommand::Publish { venture, title, description, amount, cadence, periods, stretch, min_pledge, deadline, by, write: WriteArgs { key, format } } => {
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
        NeedCommand::List(args) => needs(out, &commons.needs(&args.venture, now)?, now, args.format),
        NeedCommand::Show(args) => show(commons, &args, now, out),
        NeedCommand::Cancel(args) => {
            let view = commons.cancel_need(&args.venture, args.need, now)?;
            needs(out, &[view], now, args.format)
        }
        NeedCommand::Settle(VentureArgs { venture, format }) => {
            let closed = commons.settle_needs(&venture, now)?;
            if format == Format::Table {
                return writeln!(out, "{closed} need(s) of {venture} closed unmet; their pledges were released").map_err(io);
            }
            emit(out, format, &["closed"], &[vec![closed.to_string()]], || json!({"venture": venture, "closed": closed}))
        }
        NeedCommand::Pay { venture, need, amount, by, write: WriteArgs { key, format } } => {
            let amount = crate::numbers::optional(commons, Some(&venture), "amount", amount)?.unwrap_or_default();
            let request = PayNeed { venture: venture.clone(), need, amount, by, idempotency_key: key };
            let stored = commons.pay_need(&request, now)?;
            crate::output::print_entry(commons, out, &venture, stored.entry.seq, format)
        }
    }
}

/// Runs `pledge`.
pub fn pledge(commons: &Commons, args: PledgeArgs, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let account = commons.account_by_username(&args.account)?;
    let amount = crate::numbers::amount(commons, Some(&args.venture), "amount", &args.amount)?;
    let request = PledgeRequest { venture: args.venture, need: args.need, account: account.id, amount, idempotency_key: args.write.key };
    let outcome = commons.pledge(&request, now)?;
    pledge_outcome(out, &outcome, &account.username, now, args.write.format)
}

//! `peerstake income …`, `distribute`, `distributions`, `statement` and `report export`: money
//! the venture received, paid out to holders by the split or the frozen cap table exact to the
//! smallest unit of the currency; what each member holds and received; and exports of the cap
//! table, the distributions and the statements for people outside peerstake.
//!
//! Who acts in the venture is named with `--by <handle>` (a member). Money and slices print in
//! the venture's currency, exact to the minor unit.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use peerstake_app::payouts::{DistributeRequest, DistributionView, IncomeBook, IncomeRequest, Statement};
use peerstake_app::{AppError, Commons, Now};
use peerstake_core::money::Currency;
use peerstake_core::terms::MemberNo;
use peerstake_store::IncomeRecord;
use serde_json::{Value, json};

use crate::args::{VentureArgs, WriteArgs, optional_date};
use crate::output::{BUYOUT_HEADERS, buyout_json, buyout_row};
use crate::output::{Format, Section, caption, currency_of, emit, handle_of, handles, io, one_line, records, sections};

/// Money the venture received.
#[derive(Subcommand)]
pub enum IncomeCommand {
    /// Record money the venture received; it can then be distributed.
    Record {
        /// The venture.
        venture: String,
        /// How much.
        #[arg(long)]
        amount: String,
        /// revenue (from operations) or sale (of the venture or its assets).
        #[arg(long, default_value = "revenue")]
        kind: String,
        /// The day it arrived (YYYY-MM-DD, default today).
        #[arg(long)]
        date: Option<String>,
        /// Where it came from.
        #[arg(long, default_value = "")]
        note: String,
        /// For a sale of the venture: the price of the whole venture (it implies a price per
        /// slice, which claw-backs compare against).
        #[arg(long)]
        valuation: Option<String>,
        /// The steward recording it (a member's handle).
        #[arg(long)]
        by: Option<String>,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// Income received, and what is left to distribute.
    List(VentureArgs),
}

/// `distribute`: pay income out to holders.
#[derive(Args)]
pub struct DistributeArgs {
    /// The venture.
    venture: String,
    /// How much to pay out (at most the income not yet distributed).
    #[arg(long)]
    amount: String,
    /// split (each holder's slices now) or cap-table (the frozen shares); default: the cap
    /// table when the split is frozen, the split otherwise.
    #[arg(long)]
    basis: Option<String>,
    /// The day it is paid (YYYY-MM-DD, default today).
    #[arg(long)]
    date: Option<String>,
    /// What it is.
    #[arg(long, default_value = "")]
    note: String,
    /// The steward posting it (a member's handle).
    #[arg(long)]
    by: Option<String>,
    /// Show every payout and write nothing.
    #[arg(long)]
    preview: bool,
    #[command(flatten)]
    write: WriteArgs,
}

/// `distributions`: every distribution, or one with its payouts.
#[derive(Args)]
pub struct DistributionsArgs {
    /// The venture.
    venture: String,
    /// One distribution's number (default: list them all).
    number: Option<u32>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// `statement`: what members hold and received.
#[derive(Args)]
pub struct StatementArgs {
    /// The venture.
    venture: String,
    /// One member's handle (default: every member).
    member: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Reports for people outside peerstake.
#[derive(Subcommand)]
pub enum ReportCommand {
    /// Export the cap table (the frozen one, or the split now as a would-be one), every
    /// distribution's payouts, or every member's statement, as CSV or JSON.
    Export {
        /// The venture.
        venture: String,
        /// cap-table, distributions or statements.
        what: String,
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
}

/// Formats of an export.
#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// CSV for spreadsheets.
    Csv,
    /// JSON for programs.
    Json,
}

/// The columns of income received.
const INCOME_HEADERS: [&str; 7] = ["income", "received_on", "kind", "amount", "valuation", "recorded_by", "note"];

/// Income received as a row.
fn income_row(record: &IncomeRecord, c: Currency, handles: &BTreeMap<MemberNo, String>) -> Vec<String> {
    vec![
        format!("#{}", record.number),
        record.received_on.to_string(),
        record.kind.clone(),
        c.format(record.amount_minor),
        record.valuation_minor.map(|v| c.format(v)).unwrap_or_default(),
        handle_of(handles, record.recorded_by),
        one_line(&record.note),
    ]
}

/// Income received as JSON.
fn income_json(record: &IncomeRecord, c: Currency, handles: &BTreeMap<MemberNo, String>) -> Value {
    json!({
        "number": record.number,
        "received_on": record.received_on.to_string(),
        "kind": record.kind,
        "currency": c.code(),
        "amount": c.format(record.amount_minor),
        "valuation": record.valuation_minor.map(|v| c.format(v)),
        "recorded_by": record.recorded_by.map(|m| handle_of(handles, Some(m))),
        "note": record.note,
    })
}

/// Runs an `income` subcommand.
pub fn income(commons: &Commons, command: IncomeCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    match command {
        IncomeCommand::Record { venture, amount, kind, date, note, valuation, by, write: WriteArgs { key, format } } => {
            let request = IncomeRequest {
                amount: crate::numbers::amount(commons, Some(&venture), "amount", &amount)?,
                valuation: crate::numbers::optional(commons, Some(&venture), "valuation", valuation)?.unwrap_or_default(),
                venture: venture.clone(),
                kind,
                received_on: optional_date("date", date.as_deref())?,
                note,
                by,
                idempotency_key: key,
            };
            let record = commons.record_income(&request, now)?;
            let c = currency_of(commons, &venture)?;
            let handles = handles(commons, &venture, now)?;
            if format == Format::Table {
                let book = commons.incomes(&venture)?;
                writeln!(out, "Income #{} recorded; {} {} is now waiting to be distributed.", record.number, c.format(book.undistributed_minor), c.code())
                    .map_err(io)?;
            }
            emit(out, format, &INCOME_HEADERS, &[income_row(&record, c, &handles)], || json!([income_json(&record, c, &handles)]))
        }
        IncomeCommand::List(args) => {
            let book: IncomeBook = commons.incomes(&args.venture)?;
            let c = currency_of(commons, &args.venture)?;
            let handles = handles(commons, &args.venture, now)?;
            let received: i64 = book.incomes.iter().map(|i| i.amount_minor).sum();
            let rows: Vec<Vec<String>> = book.incomes.iter().map(|i| income_row(i, c, &handles)).collect();
            caption(out, args.format, format_args!("Income of {} ({}):", args.venture, c.code()))?;
            emit(out, args.format, &INCOME_HEADERS, &rows, || {
                json!({
                    "venture": args.venture,
                    "currency": c.code(),
                    "received": c.format(received),
                    "undistributed": c.format(book.undistributed_minor),
                    "incomes": book.incomes.iter().map(|i| income_json(i, c, &handles)).collect::<Vec<_>>(),
                })
            })?;
            caption(out, args.format, format_args!("\nReceived {} in all; {} not yet distributed.", c.format(received), c.format(book.undistributed_minor)))
        }
    }
}

// Distributions.

/// The columns of a distribution.
const DISTRIBUTION_HEADERS: [&str; 9] = ["distribution", "paid_on", "amount", "basis", "freeze", "head_seq", "holders", "posted", "note"];

/// A distribution as a row.
fn distribution_row(view: &DistributionView, c: Currency) -> Vec<String> {
    let r = &view.record;
    vec![
        format!("#{}", r.number),
        r.paid_on.to_string(),
        c.format(r.amount_minor),
        r.basis.clone(),
        r.freeze.map(|f| format!("#{f}")).unwrap_or_default(),
        r.head_seq.to_string(),
        r.payouts.len().to_string(),
        if view.posted { "yes" } else { "no (preview)" }.to_string(),
        one_line(&r.note),
    ]
}

/// A weight as people read it: slices in the currency's units, or whole shares.
fn weight_text(basis: &str, weight: i64, c: Currency) -> String {
    if basis == "cap-table" { weight.to_string() } else { c.format_slices(weight) }
}

/// The columns of a payout.
const PAYOUT_HEADERS: [&str; 5] = ["member", "name", "weight", "percent", "amount"];

/// A distribution's payouts, with a total for people.
fn payout_rows(view: &DistributionView, c: Currency, total: bool) -> Vec<Vec<String>> {
    let basis = view.record.basis.as_str();
    let mut rows: Vec<Vec<String>> = view
        .lines
        .iter()
        .map(|l| vec![l.member.clone(), l.display_name.clone(), weight_text(basis, l.payout.weight, c), l.percent.clone(), c.format(l.payout.amount_minor)])
        .collect();
    if total && !view.lines.is_empty() {
        rows.push(vec![
            "total".to_string(),
            String::new(),
            weight_text(basis, view.record.total_weight, c),
            "100.00".to_string(),
            c.format(view.lines.iter().map(|l| l.payout.amount_minor).sum()),
        ]);
    }
    rows
}

/// A distribution and its payouts as JSON.
fn distribution_json(view: &DistributionView, c: Currency) -> Value {
    let r = &view.record;
    json!({
        "number": r.number,
        "posted": view.posted,
        "paid_on": r.paid_on.to_string(),
        "currency": c.code(),
        "amount": c.format(r.amount_minor),
        "basis": r.basis,
        "freeze": r.freeze,
        "head_seq": r.head_seq,
        "total_weight": weight_text(&r.basis, r.total_weight, c),
        "note": r.note,
        "payouts": view.lines.iter().map(|l| json!({
            "member": l.member,
            "name": l.display_name,
            "weight": weight_text(&r.basis, l.payout.weight, c),
            "percent": l.percent,
            "amount": c.format(l.payout.amount_minor),
        })).collect::<Vec<_>>(),
    })
}

/// One distribution in full: for people a sentence and the payouts.
fn distribution_out(out: &mut impl Write, venture: &str, view: &DistributionView, c: Currency, format: Format) -> Result<(), AppError> {
    let r = &view.record;
    if format == Format::Table {
        let by = if r.basis == "cap-table" { "whole shares in the frozen cap table" } else { "slices in the split now" };
        if view.posted {
            writeln!(
                out,
                "Distribution #{} of {venture}: {} {} paid on {}, split by {by} (ledger at entry #{}).",
                r.number,
                c.format(r.amount_minor),
                c.code(),
                r.paid_on,
                r.head_seq
            )
        } else {
            writeln!(
                out,
                "Preview, nothing written: {} {} would be paid on {}, split by {by} (ledger at entry #{}).",
                c.format(r.amount_minor),
                c.code(),
                r.paid_on,
                r.head_seq
            )
        }
        .map_err(io)?;
        if !r.note.is_empty() {
            writeln!(out, "Note: {}", one_line(&r.note)).map_err(io)?;
        }
        writeln!(out).map_err(io)?;
        return sections(out, format, &[Section::new("Payouts", &PAYOUT_HEADERS, payout_rows(view, c, true))], || Value::Null);
    }
    let parts = [
        Section::new("Distribution", &DISTRIBUTION_HEADERS, vec![distribution_row(view, c)]),
        Section::new("Payouts", &PAYOUT_HEADERS, payout_rows(view, c, false)),
    ];
    sections(out, format, &parts, || distribution_json(view, c))
}

/// Runs `distribute`.
pub fn distribute(commons: &Commons, args: DistributeArgs, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let request = DistributeRequest {
        amount: crate::numbers::amount(commons, Some(&args.venture), "amount", &args.amount)?,
        venture: args.venture.clone(),
        basis: args.basis.unwrap_or_default(),
        paid_on: optional_date("date", args.date.as_deref())?,
        note: args.note,
        by: args.by,
        idempotency_key: args.write.key,
    };
    let view = if args.preview { commons.preview_distribution(&request, now)? } else { commons.post_distribution(&request, now)? };
    let c = currency_of(commons, &args.venture)?;
    distribution_out(out, &args.venture, &view, c, args.write.format)
}

/// Runs `distributions`.
pub fn distributions(commons: &Commons, args: DistributionsArgs, out: &mut impl Write) -> Result<(), AppError> {
    let c = currency_of(commons, &args.venture)?;
    if let Some(number) = args.number {
        let view = commons.distribution(&args.venture, number)?;
        return distribution_out(out, &args.venture, &view, c, args.format);
    }
    let list = commons.distributions(&args.venture)?;
    caption(out, args.format, format_args!("Distributions of {} ({}); `distributions {} <number>` shows the payouts:", args.venture, c.code(), args.venture))?;
    records(out, args.format, &DISTRIBUTION_HEADERS, &list, |v| distribution_row(v, c), |v| distribution_json(v, c))
}

// Statements.

/// The columns of a member's holdings.
const STATEMENT_HEADERS: [&str; 11] =
    ["member", "name", "role", "departed", "slices", "percent", "shares", "well", "well_owed_back", "received", "owed_clawback"];

/// A member's holdings as a row.
fn statement_row(s: &Statement, c: Currency) -> Vec<String> {
    vec![
        s.member.clone(),
        s.display_name.clone(),
        s.role.clone(),
        s.departed.as_ref().map(|(on, case)| format!("{on} ({case})")).unwrap_or_default(),
        c.format_slices(s.slices_minor),
        s.percent.clone(),
        s.shares.map(|(n, _)| n.to_string()).unwrap_or_default(),
        c.format(s.well_minor),
        c.format(s.well_owed_back_minor),
        c.format(s.received_minor),
        c.format(s.owed_minor),
    ]
}

/// The columns of a payout a member received.
const STATEMENT_PAYOUT_HEADERS: [&str; 8] = ["member", "distribution", "paid_on", "basis", "weight", "total_weight", "head_seq", "amount"];
/// The columns of what a claw-back owes a member.
const CLAWBACK_HEADERS: [&str; 7] = ["member", "buyout", "until", "event", "on", "implied_per_slice", "owed"];

/// A member's statement as JSON.
fn statement_json(s: &Statement, c: Currency) -> Value {
    json!({
        "member": s.member,
        "name": s.display_name,
        "role": s.role,
        "departed_on": s.departed.as_ref().map(|(on, _)| on.to_string()),
        "departure_case": s.departed.as_ref().map(|(_, case)| case.clone()),
        "currency": c.code(),
        "slices": c.format_slices(s.slices_minor),
        "total_slices": c.format_slices(s.total_slices_minor),
        "percent": s.percent,
        "shares": s.shares.map(|(n, _)| n),
        "total_shares": s.shares.map(|(_, total)| total),
        "well": c.format(s.well_minor),
        "well_owed_back": c.format(s.well_owed_back_minor),
        "received": c.format(s.received_minor),
        "owed_clawback": c.format(s.owed_minor),
        "payouts": s.payouts.iter().map(|p| json!({
            "distribution": p.distribution,
            "paid_on": p.paid_on.to_string(),
            "basis": p.basis,
            "weight": weight_text(&p.basis, p.weight, c),
            "total_weight": weight_text(&p.basis, p.total_weight, c),
            "head_seq": p.head_seq,
            "amount": c.format(p.amount_minor),
        })).collect::<Vec<_>>(),
        "buyouts": s.buyouts.iter().map(|b| buyout_json(b, c)).collect::<Vec<_>>(),
        "clawbacks": s.clawbacks.iter().map(|k| json!({
            "buyout": k.buyout,
            "until": k.until.to_string(),
            "event": k.event,
            "on": k.on.map(|d| d.to_string()),
            "implied_per_slice": c.format(k.implied_per_slice_minor),
            "owed": c.format(k.owed_minor),
        })).collect::<Vec<_>>(),
    })
}

/// Runs `statement`.
pub fn statement(commons: &Commons, args: StatementArgs, out: &mut impl Write) -> Result<(), AppError> {
    let c = currency_of(commons, &args.venture)?;
    let list = match &args.member {
        Some(handle) => vec![commons.statement(&args.venture, handle)?],
        None => commons.statements(&args.venture)?,
    };
    let mut payouts = Vec::new();
    let mut buyouts = Vec::new();
    let mut clawbacks = Vec::new();
    for s in &list {
        payouts.extend(s.payouts.iter().map(|p| {
            vec![
                s.member.clone(),
                format!("#{}", p.distribution),
                p.paid_on.to_string(),
                p.basis.clone(),
                weight_text(&p.basis, p.weight, c),
                weight_text(&p.basis, p.total_weight, c),
                p.head_seq.to_string(),
                c.format(p.amount_minor),
            ]
        }));
        buyouts.extend(s.buyouts.iter().map(|b| buyout_row(b, c)));
        clawbacks.extend(s.clawbacks.iter().map(|k| {
            vec![
                s.member.clone(),
                format!("#{}", k.buyout),
                k.until.to_string(),
                k.event.clone().unwrap_or_default(),
                k.on.map(|d| d.to_string()).unwrap_or_default(),
                c.format(k.implied_per_slice_minor),
                c.format(k.owed_minor),
            ]
        }));
    }
    if args.format == Format::Table {
        let whose = args.member.as_deref().map_or_else(|| "every member".to_string(), |m| m.to_string());
        writeln!(out, "Statement of {whose} in {} (amounts in {}):", args.venture, c.code()).map_err(io)?;
        writeln!(out).map_err(io)?;
    }
    let parts = [
        Section::new("Holdings", &STATEMENT_HEADERS, list.iter().map(|s| statement_row(s, c)).collect()),
        Section::new("Payouts received", &STATEMENT_PAYOUT_HEADERS, payouts),
        Section::new("Buyouts of their slices", &BUYOUT_HEADERS, buyouts),
        Section::new("Owed under claw-back", &CLAWBACK_HEADERS, clawbacks),
    ];
    sections(out, args.format, &parts, || match &args.member {
        Some(_) => list.first().map_or(Value::Null, |s| statement_json(s, c)),
        None => Value::Array(list.iter().map(|s| statement_json(s, c)).collect()),
    })
}

// Reports.

/// Runs a `report` subcommand.
pub fn report(commons: &Commons, command: ReportCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    match command {
        ReportCommand::Export { venture, what, format, out: path } => {
            let format = match format {
                ExportFormat::Csv => "csv",
                ExportFormat::Json => "json",
            };
            let mut text = commons.export_table(&venture, &what, format, now)?;
            if !text.ends_with('\n') {
                text.push('\n');
            }
            match path {
                Some(path) => {
                    std::fs::write(&path, text.as_bytes()).map_err(|e| AppError::File(format!("cannot write {}: {e}", path.display())))?;
                    writeln!(out, "exported the {what} of {venture} to {}", path.display()).map_err(io)
                }
                None => out.write_all(text.as_bytes()).map_err(io),
            }
        }
    }
}

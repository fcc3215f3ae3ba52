//! A venture's later life from the command line: `depart` and `departures`, `buyout …`,
//! `handover …` and `stewards`, `adopt …`, `freeze …`, `income …`, `distribute` and
//! `distributions`, `statement`, and `report export`.
//!
//! The CLI acts as the operator: who acts in a venture is named with `--by <handle>` (a member),
//! who asks to adopt one with `--account <username>` (an account). Money and slices print in the
//! venture's currency, exact to the minor unit.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use peerstake_app::stewards::{Adoptable, StewardshipView};
use peerstake_app::departures::{BuyoutRequest, DepartRequest, DepartureView};
use peerstake_app::book::BuyoutView;
use peerstake_app::freezes::{CapLine, FreezeRequest, FreezeView};
use peerstake_app::payouts::{DistributeRequest, DistributionView, IncomeBook, IncomeRequest, Statement, day_of};
use peerstake_app::{AppError, Commons, Now};
use peerstake_core::money::Currency;
use peerstake_core::terms::MemberNo;
use peerstake_store::IncomeRecord;
use serde_json::{Value, json};

use crate::output::{Section, emit, sections};
use crate::{Format, optional_date};

fn io(error: std::io::Error) -> AppError {
    AppError::File(format!("cannot write output: {error}"))
}

/// The venture's currency: every amount and slice count prints in it.
fn currency_of(commons: &Commons, venture: &str) -> Result<Currency, AppError> {
    Ok(commons.policy_history(venture)?.0)
}

/// Handles by member number, members who left included.
fn handles(commons: &Commons, venture: &str, now: Now) -> Result<BTreeMap<MemberNo, String>, AppError> {
    Ok(commons.members(venture, now)?.into_iter().map(|m| (m.record.member_no, m.record.handle)).collect())
}

fn handle_of(handles: &BTreeMap<MemberNo, String>, member: Option<MemberNo>) -> String {
    member.map(|m| handles.get(&m).cloned().unwrap_or_else(|| format!("#{}", m.0))).unwrap_or_default()
}

/// A note on one line, for a table cell.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn entries_text(entries: &[u64]) -> String {
    entries.iter().map(|s| format!("#{s}")).collect::<Vec<_>>().join(" ")
}

// Arguments.

/// `depart`: a member leaves.
#[derive(Args)]
pub struct DepartArgs {
    /// The venture.
    venture: String,
    /// Who leaves (a member's handle).
    member: String,
    /// fired-for-good-reason, fired-for-no-good-reason, resigned-for-good-reason or
    /// resigned-for-no-good-reason. The first and last make a bad leaver: time is lost, cash and
    /// goods are kept at ×1, and the venture may force a buyout. A good leaver keeps everything.
    #[arg(long)]
    case: String,
    /// Why, in words the members can check the case against.
    #[arg(long)]
    why: String,
    /// The day they leave (YYYY-MM-DD, default today; not before the latest entry).
    #[arg(long)]
    date: Option<String>,
    /// The steward recording it (a member's handle).
    #[arg(long)]
    by: Option<String>,
    /// Show what it would do and write nothing.
    #[arg(long)]
    preview: bool,
    /// Idempotency key: a retry with the same key changes nothing.
    #[arg(long, visible_alias = "idempotency-key")]
    key: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// A venture, and how to print what is asked about it.
#[derive(Args)]
pub struct VentureArgs {
    /// The venture.
    venture: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Buyouts of a departed member's slices.
#[derive(Subcommand)]
pub enum BuyoutCommand {
    /// Offer to buy a departed member's slices. A bad leaver's buyout is forced (recorded at
    /// once); a good leaver's is an offer they accept or decline, with a claw-back window.
    Offer {
        /// The venture.
        venture: String,
        /// Whose slices (a member who left).
        member: String,
        /// A member who buys them (default: the venture buys them and they leave the pie).
        #[arg(long)]
        buyer: Option<String>,
        /// The price of one whole slice (default: the policy's).
        #[arg(long, visible_alias = "price-per-slice")]
        price: Option<String>,
        /// The steward offering it (a member's handle).
        #[arg(long)]
        by: Option<String>,
        /// Idempotency key: a retry with the same key changes nothing.
        #[arg(long, visible_alias = "idempotency-key")]
        key: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Accept an offer for your slices (the member who left): the slices move.
    Accept(BuyoutAnswer),
    /// Decline an offer for your slices (the member who left).
    Decline(BuyoutAnswer),
    /// Withdraw an open offer (a steward).
    Withdraw(BuyoutAnswer),
    /// Every buyout, with its claw-back window.
    List(VentureArgs),
}

/// An answer to a buyout offer.
#[derive(Args)]
pub struct BuyoutAnswer {
    /// The venture.
    venture: String,
    /// The buyout's number.
    number: u32,
    /// Who answers (a member's handle): the member who left, or a steward to withdraw.
    #[arg(long)]
    by: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Handing the steward role to another member.
#[derive(Subcommand)]
pub enum HandoverCommand {
    /// Propose to hand your steward role to another member; it passes when they accept.
    Propose {
        /// The venture.
        venture: String,
        /// The steward handing over (a member's handle).
        #[arg(long)]
        from: String,
        /// The member taking over (a member's handle).
        #[arg(long)]
        to: String,
        /// A word to them.
        #[arg(long, default_value = "")]
        message: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Accept a handover (the member it names): they become a steward, the one handing over a member.
    Accept(HandoverAnswer),
    /// Decline a handover (the member it names).
    Decline(HandoverAnswer),
    /// Withdraw a handover (the steward who proposed it).
    Withdraw(HandoverAnswer),
}

/// An answer to a handover.
#[derive(Args)]
pub struct HandoverAnswer {
    /// The venture.
    venture: String,
    /// The handover's number.
    number: u32,
    /// Who answers (a member's handle).
    #[arg(long)]
    by: String,
    /// A comment.
    #[arg(long, default_value = "")]
    note: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Adopting a venture whose stewards left or fell silent.
#[derive(Subcommand)]
pub enum AdoptCommand {
    /// Ask to adopt a venture (only when no steward remains or none has been active for the
    /// policy's silence period). Unless a member objects within the notice period, the steward
    /// role passes to the one who asked.
    Ask {
        /// The venture.
        venture: String,
        /// Who asks (an account's username).
        #[arg(long, visible_alias = "as", value_name = "USERNAME")]
        account: String,
        /// Who they are and what they would do with the venture.
        #[arg(long)]
        message: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Object to an adoption during its notice period (a member): it does not pass.
    Object {
        /// The venture.
        venture: String,
        /// The request's number.
        number: u32,
        /// Who objects (a member's handle).
        #[arg(long)]
        by: String,
        /// Why.
        #[arg(long)]
        note: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Pass the steward role for every adoption whose notice ended without objection (in one
    /// venture, or all).
    Settle {
        /// The venture (default: every venture).
        venture: Option<String>,
    },
}

/// Crystallizing the split into a cap table of whole shares.
#[derive(Subcommand)]
pub enum FreezeCommand {
    /// Propose to freeze the split into a cap table (a steward; their vote for it counts). It
    /// freezes when the policy's decision rule is met: at once for a venture's only steward.
    Propose {
        /// The venture.
        venture: String,
        /// The steward proposing it (a member's handle).
        #[arg(long)]
        by: String,
        /// Why now: break-even, funding-round or other.
        #[arg(long)]
        reason: String,
        /// More about it.
        #[arg(long, default_value = "")]
        note: String,
        /// Whole shares to split (default 10,000,000).
        #[arg(long)]
        total_shares: Option<String>,
        /// Shares issued at the start, for a buy-back plan: `handle=shares`, once per member.
        #[arg(long, value_name = "HANDLE=SHARES")]
        issued: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Vote for or against a proposed freeze, or an open proposal to unfreeze.
    Vote(FreezeVote),
    /// Propose to undo a freeze (a steward, when the policy allows); the same rule decides.
    Unfreeze {
        /// The venture.
        venture: String,
        /// The freeze's number.
        number: u32,
        /// The steward proposing it (a member's handle).
        #[arg(long)]
        by: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Every freeze of a venture.
    List(VentureArgs),
    /// One freeze: its votes and cap table (worked out from the split now while proposed).
    Show {
        /// The venture.
        venture: String,
        /// The freeze's number.
        number: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// A vote on a freeze.
#[derive(Args)]
#[command(group(ArgGroup::new("choice").required(true).args(["approve", "against"])))]
pub struct FreezeVote {
    /// The venture.
    venture: String,
    /// The freeze's number.
    number: u32,
    /// Who votes (a member's handle).
    #[arg(long)]
    by: String,
    /// Vote for it.
    #[arg(long = "for")]
    approve: bool,
    /// Vote against it.
    #[arg(long)]
    against: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

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
        /// Idempotency key: a retry with the same key changes nothing.
        #[arg(long, visible_alias = "idempotency-key")]
        key: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
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
    /// Idempotency key: a retry with the same key changes nothing.
    #[arg(long, visible_alias = "idempotency-key")]
    key: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
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

// Departures.

const BUCKET_HEADERS: [&str; 8] = ["kind", "class", "treatment", "value_before", "slices_before", "protected_slices", "value_after", "slices_after"];

fn bucket_rows(view: &DepartureView, c: Currency, total: bool) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = view
        .lines
        .iter()
        .map(|l| {
            vec![
                l.kind.name().to_string(),
                l.class.name().to_string(),
                l.treatment.name().to_string(),
                c.format(l.before.fmv_minor),
                c.format_slices(l.before.slices_minor),
                c.format_slices(l.protected.slices_minor),
                c.format(l.after.fmv_minor),
                c.format_slices(l.after.slices_minor),
            ]
        })
        .collect();
    if total {
        let sum = |f: fn(&peerstake_core::lifecycle::RecoveryLine) -> i64| c.format(view.lines.iter().map(f).sum());
        rows.push(vec![
            "total".to_string(),
            String::new(),
            String::new(),
            sum(|l| l.before.fmv_minor),
            sum(|l| l.before.slices_minor),
            sum(|l| l.protected.slices_minor),
            sum(|l| l.after.fmv_minor),
            sum(|l| l.after.slices_minor),
        ]);
    }
    rows
}

fn leaver_words(view: &DepartureView) -> &'static str {
    if view.bad_leaver() { "bad leaver" } else { "good leaver" }
}

const DEPARTURE_HEADERS: [&str; 13] = [
    "departure",
    "member",
    "name",
    "case",
    "leaver",
    "departed_on",
    "slices_before",
    "slices_after",
    "price_per_slice",
    "buyout_price",
    "entry",
    "recorded_by",
    "why",
];

fn departure_row(view: &DepartureView, c: Currency) -> Vec<String> {
    vec![
        view.number.map(|n| format!("#{n}")).unwrap_or_else(|| "(preview)".to_string()),
        view.member.clone(),
        view.display_name.clone(),
        view.case.name().to_string(),
        leaver_words(view).to_string(),
        view.departed_on.to_string(),
        c.format_slices(view.slices_before()),
        c.format_slices(view.slices_after()),
        c.format(view.price_per_slice_minor),
        c.format(view.buyout_minor),
        view.entry_seq.map(|s| format!("#{s}")).unwrap_or_default(),
        view.recorded_by.clone().unwrap_or_default(),
        one_line(&view.justification),
    ]
}

fn departure_json(view: &DepartureView, c: Currency) -> Value {
    json!({
        "number": view.number,
        "preview": view.number.is_none(),
        "member": view.member,
        "name": view.display_name,
        "case": view.case.name(),
        "bad_leaver": view.bad_leaver(),
        "why": view.justification,
        "departed_on": view.departed_on.to_string(),
        "loyalty_cutoff": view.cutoff.map(|d| d.to_string()),
        "currency": c.code(),
        "slices_before": c.format_slices(view.slices_before()),
        "slices_after": c.format_slices(view.slices_after()),
        "buckets": view.lines.iter().map(|l| json!({
            "kind": l.kind.name(),
            "class": l.class.name(),
            "treatment": l.treatment.name(),
            "before": {"value": c.format(l.before.fmv_minor), "slices": c.format_slices(l.before.slices_minor)},
            "protected": {"value": c.format(l.protected.fmv_minor), "slices": c.format_slices(l.protected.slices_minor)},
            "after": {"value": c.format(l.after.fmv_minor), "slices": c.format_slices(l.after.slices_minor)},
        })).collect::<Vec<_>>(),
        "entries_adjusted": view.entries,
        "entry": view.entry_seq,
        "price_per_slice": c.format(view.price_per_slice_minor),
        "buyout_price": c.format(view.buyout_minor),
        "recorded_by": view.recorded_by,
    })
}

/// One departure in full: what happens to each bucket of slices.
fn departure_out(out: &mut impl Write, venture: &str, view: &DepartureView, c: Currency, format: Format) -> Result<(), AppError> {
    if format == Format::Table {
        match view.number {
            None => writeln!(
                out,
                "Preview, nothing written: {} ({}) would leave {venture} on {}, {} (a {}).",
                view.member,
                view.display_name,
                view.departed_on,
                view.case.words(),
                leaver_words(view)
            ),
            Some(number) => writeln!(
                out,
                "Departure #{number}: {} ({}) left {venture} on {}, {} (a {}){}.",
                view.member,
                view.display_name,
                view.departed_on,
                view.case.words(),
                leaver_words(view),
                view.entry_seq.map(|s| format!("; recorded as entry #{s}")).unwrap_or_default()
            ),
        }
        .map_err(io)?;
        writeln!(out, "Reason given: {}", one_line(&view.justification)).map_err(io)?;
        if let Some(cutoff) = view.cutoff {
            writeln!(out, "Loyalty clause: slices held on {cutoff} are protected.").map_err(io)?;
        }
        writeln!(out).map_err(io)?;
        writeln!(out, "Slices by kind (amounts in {}):", c.code()).map_err(io)?;
        emit(out, format, &BUCKET_HEADERS, &bucket_rows(view, c, true), || Value::Null)?;
        writeln!(out).map_err(io)?;
        let adjusted = if view.entries.is_empty() { "none".to_string() } else { entries_text(&view.entries) };
        writeln!(out, "Entries whose slices change: {adjusted}").map_err(io)?;
        writeln!(out, "Slices: {} before, {} after.", c.format_slices(view.slices_before()), c.format_slices(view.slices_after())).map_err(io)?;
        let buyout = if view.bad_leaver() { "the venture may force it" } else { "an offer they may accept or decline" };
        writeln!(
            out,
            "Buyout price of what is kept: {} {} ({} {} a slice; {buyout}).",
            c.format(view.buyout_minor),
            c.code(),
            c.format(view.price_per_slice_minor),
            c.code()
        )
        .map_err(io)?;
        return Ok(());
    }
    let parts = [
        Section::new("Departure", &DEPARTURE_HEADERS, vec![departure_row(view, c)]),
        Section::new("Slices by kind", &BUCKET_HEADERS, bucket_rows(view, c, false)),
    ];
    sections(out, format, &parts, || departure_json(view, c))
}

/// Runs `depart`.
pub fn depart(commons: &Commons, args: DepartArgs, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let request = DepartRequest {
        venture: args.venture.clone(),
        member: args.member,
        case: args.case,
        justification: args.why,
        departed_on: optional_date("date", args.date.as_deref())?,
        by: args.by,
        idempotency_key: args.key,
    };
    let view = if args.preview { commons.preview_departure(&request, now)? } else { commons.depart(&request, now)? };
    let c = currency_of(commons, &args.venture)?;
    departure_out(out, &args.venture, &view, c, args.format)
}

/// Runs `departures`.
pub fn departures(commons: &Commons, args: VentureArgs, out: &mut impl Write) -> Result<(), AppError> {
    let c = currency_of(commons, &args.venture)?;
    let list = commons.departures(&args.venture)?;
    if args.format == Format::Table {
        writeln!(out, "Departures from {} (slices and prices in {}):", args.venture, c.code()).map_err(io)?;
    }
    let rows: Vec<Vec<String>> = list.iter().map(|v| departure_row(v, c)).collect();
    emit(out, args.format, &DEPARTURE_HEADERS, &rows, || Value::Array(list.iter().map(|v| departure_json(v, c)).collect()))
}

// Buyouts.

const BUYOUT_HEADERS: [&str; 12] =
    ["buyout", "member", "buyer", "kind", "slices", "price_per_slice", "amount", "status", "offered_on", "decided_on", "entry", "clawback_until"];

fn buyout_row(view: &BuyoutView, c: Currency) -> Vec<String> {
    let r = &view.record;
    vec![
        format!("#{}", r.number),
        view.member.clone(),
        view.buyer.clone().unwrap_or_else(|| "(the venture)".to_string()),
        if r.forced { "forced" } else { "offered" }.to_string(),
        c.format_slices(r.slices_minor),
        c.format(r.price_per_slice_minor),
        c.format(r.amount_minor),
        r.status.clone(),
        day_of(r.offered_at_ms).to_string(),
        r.decided_at_ms.map(|t| day_of(t).to_string()).unwrap_or_default(),
        r.entry_seq.map(|s| format!("#{s}")).unwrap_or_default(),
        r.clawback_until.map(|d| d.to_string()).unwrap_or_default(),
    ]
}

fn buyout_json(view: &BuyoutView, c: Currency) -> Value {
    let r = &view.record;
    json!({
        "number": r.number,
        "member": view.member,
        "buyer": view.buyer,
        "forced": r.forced,
        "currency": c.code(),
        "slices": c.format_slices(r.slices_minor),
        "price_per_slice": c.format(r.price_per_slice_minor),
        "amount": c.format(r.amount_minor),
        "status": r.status,
        "offered_on": day_of(r.offered_at_ms).to_string(),
        "decided_on": r.decided_at_ms.map(|t| day_of(t).to_string()),
        "entry": r.entry_seq,
        "clawback_until": r.clawback_until.map(|d| d.to_string()),
    })
}

fn buyouts_out(out: &mut impl Write, list: &[BuyoutView], c: Currency, format: Format) -> Result<(), AppError> {
    let rows: Vec<Vec<String>> = list.iter().map(|b| buyout_row(b, c)).collect();
    emit(out, format, &BUYOUT_HEADERS, &rows, || Value::Array(list.iter().map(|b| buyout_json(b, c)).collect()))
}

/// Runs a `buyout` subcommand.
pub fn buyout(commons: &Commons, command: BuyoutCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let (venture, answer, args) = match command {
        BuyoutCommand::Offer { venture, member, buyer, price, by, key, format } => {
            let price_per_slice = crate::numbers::optional(commons, Some(&venture), "price per slice", price)?.unwrap_or_default();
            let request = BuyoutRequest { venture: venture.clone(), member, buyer, price_per_slice, by, idempotency_key: key };
            let view = commons.offer_buyout(&request, now)?;
            let c = currency_of(commons, &venture)?;
            if format == Format::Table {
                let what = if view.record.forced {
                    "forced (a bad leaver's buyout is final)".to_string()
                } else {
                    format!("offered; {} may accept or decline it", view.member)
                };
                writeln!(out, "Buyout #{} of {}'s slices: {what}.", view.record.number, view.member).map_err(io)?;
            }
            return buyouts_out(out, &[view], c, format);
        }
        BuyoutCommand::List(args) => {
            let c = currency_of(commons, &args.venture)?;
            if args.format == Format::Table {
                writeln!(
                    out,
                    "Buyouts in {} (amounts in {}; a good leaver is owed more if the venture sells or pays out above the price before the claw-back date):",
                    args.venture,
                    c.code()
                )
                .map_err(io)?;
            }
            return buyouts_out(out, &commons.buyouts(&args.venture)?, c, args.format);
        }
        BuyoutCommand::Accept(args) => (args.venture.clone(), "accept", args),
        BuyoutCommand::Decline(args) => (args.venture.clone(), "decline", args),
        BuyoutCommand::Withdraw(args) => (args.venture.clone(), "withdraw", args),
    };
    let view = commons.answer_buyout(&venture, args.number, answer, args.by.as_deref(), now)?;
    let c = currency_of(commons, &venture)?;
    buyouts_out(out, &[view], c, args.format)
}

// Stewards: handovers and adoptions.

const STEWARDSHIP_HEADERS: [&str; 10] = ["number", "kind", "from", "to", "status", "asked_on", "notice_until", "decided_by", "message", "answer"];

fn stewardship_row(view: &StewardshipView, handles: &BTreeMap<MemberNo, String>) -> Vec<String> {
    let r = &view.record;
    vec![
        format!("#{}", r.number),
        r.kind.clone(),
        view.from.clone().unwrap_or_default(),
        view.to.clone(),
        r.status.clone(),
        day_of(r.created_at_ms).to_string(),
        r.notice_until.map(|d| d.to_string()).unwrap_or_default(),
        handle_of(handles, r.decided_by),
        one_line(&r.message),
        one_line(&r.decision_note),
    ]
}

fn stewardship_json(view: &StewardshipView, handles: &BTreeMap<MemberNo, String>) -> Value {
    let r = &view.record;
    json!({
        "number": r.number,
        "kind": r.kind,
        "from": view.from,
        "to": view.to,
        "status": r.status,
        "asked_on": day_of(r.created_at_ms).to_string(),
        "notice_until": r.notice_until.map(|d| d.to_string()),
        "decided_on": r.decided_at_ms.map(|t| day_of(t).to_string()),
        "decided_by": r.decided_by.map(|m| handle_of(handles, Some(m))),
        "message": r.message,
        "answer": r.decision_note,
    })
}

fn stewardships_out(commons: &Commons, venture: &str, list: &[StewardshipView], now: Now, format: Format, out: &mut impl Write) -> Result<(), AppError> {
    let handles = handles(commons, venture, now)?;
    let rows: Vec<Vec<String>> = list.iter().map(|v| stewardship_row(v, &handles)).collect();
    emit(out, format, &STEWARDSHIP_HEADERS, &rows, || Value::Array(list.iter().map(|v| stewardship_json(v, &handles)).collect()))
}

/// Runs a `handover` subcommand.
pub fn handover(commons: &Commons, command: HandoverCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let (answer, args) = match command {
        HandoverCommand::Propose { venture, from, to, message, format } => {
            let view = commons.propose_handover(&venture, &from, &to, &message, now)?;
            if format == Format::Table {
                writeln!(
                    out,
                    "Handover #{} proposed: {} asks {} to take over as steward of {venture}.",
                    view.record.number,
                    view.from.clone().unwrap_or_default(),
                    view.to
                )
                .map_err(io)?;
            }
            return stewardships_out(commons, &venture, &[view], now, format, out);
        }
        HandoverCommand::Accept(args) => ("accept", args),
        HandoverCommand::Decline(args) => ("decline", args),
        HandoverCommand::Withdraw(args) => ("withdraw", args),
    };
    let view = commons.answer_handover(&args.venture, args.number, answer, &args.by, &args.note, now)?;
    if args.format == Format::Table && view.record.status == "accepted" {
        writeln!(out, "{} is now a steward of {}.", view.to, args.venture).map_err(io)?;
    }
    stewardships_out(commons, &args.venture, &[view], now, args.format, out)
}

fn adoptable_words(adoptable: &Adoptable) -> String {
    if adoptable.open { format!("yes: {}", adoptable.reason) } else { format!("no: {}", adoptable.reason) }
}

/// Runs `stewards`: every change of steward, and whether the venture may be adopted.
pub fn stewards(commons: &Commons, args: VentureArgs, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let list = commons.stewardships(&args.venture, now)?;
    let adoptable = commons.adoptable(&args.venture, now)?;
    let stewards: Vec<String> = commons
        .members(&args.venture, now)?
        .into_iter()
        .filter(|m| m.record.departed_on.is_none() && m.record.role == "steward")
        .map(|m| m.record.handle)
        .collect();
    let handles = handles(commons, &args.venture, now)?;
    let rows: Vec<Vec<String>> = list.iter().map(|v| stewardship_row(v, &handles)).collect();
    match args.format {
        Format::Table => {
            let names = if stewards.is_empty() { "none".to_string() } else { stewards.join(", ") };
            writeln!(out, "Stewards of {}: {names}", args.venture).map_err(io)?;
            writeln!(out, "May it be adopted? {}", adoptable_words(&adoptable)).map_err(io)?;
            writeln!(out).map_err(io)?;
            sections(out, args.format, &[Section::new("Changes of steward", &STEWARDSHIP_HEADERS, rows)], || Value::Null)
        }
        Format::Csv => emit(out, args.format, &STEWARDSHIP_HEADERS, &rows, || Value::Null),
        Format::Json => emit(out, args.format, &[], &[], || {
            json!({
                "venture": args.venture,
                "stewards": stewards,
                "adoptable": {"open": adoptable.open, "reason": adoptable.reason},
                "changes": list.iter().map(|v| stewardship_json(v, &handles)).collect::<Vec<_>>(),
            })
        }),
    }
}

/// Runs an `adopt` subcommand.
pub fn adopt(commons: &Commons, command: AdoptCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    match command {
        AdoptCommand::Ask { venture, account, message, format } => {
            let account = commons.account_by_username(&account)?;
            let view = commons.ask_to_adopt(&venture, account.id, &message, now)?;
            if format == Format::Table {
                writeln!(
                    out,
                    "Adoption request #{} by {}: unless a member objects by {}, they become a steward of {venture}.",
                    view.record.number,
                    account.username,
                    view.record.notice_until.map(|d| d.to_string()).unwrap_or_default()
                )
                .map_err(io)?;
            }
            stewardships_out(commons, &venture, &[view], now, format, out)
        }
        AdoptCommand::Object { venture, number, by, note, format } => {
            let view = commons.object_to_adoption(&venture, number, &by, &note, now)?;
            stewardships_out(commons, &venture, &[view], now, format, out)
        }
        AdoptCommand::Settle { venture } => {
            let passed = match &venture {
                Some(slug) => commons.settle_adoptions(slug, now)?,
                None => commons.settle_all_adoptions(now)?,
            };
            let scope = venture.map_or_else(|| "every venture".to_string(), |v| v.to_string());
            writeln!(out, "{passed} adoption(s) passed in {scope}").map_err(io)
        }
    }
}

// Freezes.

const FREEZE_HEADERS: [&str; 11] =
    ["freeze", "reason", "status", "proposed_by", "proposed_on", "frozen_on", "total_shares", "votes", "head_seq", "head_hash", "note"];

fn votes_text(votes: &[(String, peerstake_store::FreezeVoteRecord)]) -> String {
    let count = |approve: bool| votes.iter().filter(|(_, v)| v.approve == approve).count();
    format!("{} for, {} against", count(true), count(false))
}

fn freeze_row(view: &FreezeView) -> Vec<String> {
    let r = &view.record;
    let votes = if r.unfreeze_proposed_at_ms.is_some() { format!("unfreeze: {}", votes_text(&view.unfreeze_votes)) } else { votes_text(&view.votes) };
    vec![
        format!("#{}", r.number),
        r.reason.clone(),
        r.status.clone(),
        view.proposed_by.clone(),
        day_of(r.proposed_at_ms).to_string(),
        r.frozen_on.map(|d| d.to_string()).unwrap_or_default(),
        r.total_shares.to_string(),
        votes,
        r.head.as_ref().map(|(seq, _)| seq.to_string()).unwrap_or_default(),
        r.head.as_ref().map(|(_, hash)| hash.clone()).unwrap_or_default(),
        one_line(&r.note),
    ]
}

const CAP_HEADERS: [&str; 8] = ["member", "name", "slices", "shares", "percent", "issued", "buy_back", "issue"];

fn cap_rows(lines: &[CapLine], c: Currency, total: bool) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            vec![
                l.member.clone(),
                l.display_name.clone(),
                c.format_slices(l.line.slices_minor),
                l.line.shares.to_string(),
                l.percent.clone(),
                l.line.issued.to_string(),
                l.line.buy_back.to_string(),
                l.line.issue.to_string(),
            ]
        })
        .collect();
    if total && !lines.is_empty() {
        let sum = |f: fn(&CapLine) -> i64| lines.iter().map(f).sum::<i64>();
        rows.push(vec![
            "total".to_string(),
            String::new(),
            c.format(sum(|l| l.line.slices_minor)),
            sum(|l| l.line.shares).to_string(),
            "100.00".to_string(),
            sum(|l| l.line.issued).to_string(),
            sum(|l| l.line.buy_back).to_string(),
            sum(|l| l.line.issue).to_string(),
        ]);
    }
    rows
}

fn freeze_json(view: &FreezeView, c: Currency) -> Value {
    let r = &view.record;
    let votes = |votes: &[(String, peerstake_store::FreezeVoteRecord)]| -> Vec<Value> {
        votes.iter().map(|(who, v)| json!({"member": who, "for": v.approve, "on": day_of(v.at_ms).to_string()})).collect()
    };
    json!({
        "number": r.number,
        "reason": r.reason,
        "note": r.note,
        "status": r.status,
        "proposed_by": view.proposed_by,
        "proposed_on": day_of(r.proposed_at_ms).to_string(),
        "frozen_on": r.frozen_on.map(|d| d.to_string()),
        "unfrozen_on": r.unfrozen_at_ms.map(|t| day_of(t).to_string()),
        "unfreeze_open": r.unfreeze_proposed_at_ms.is_some(),
        "total_shares": r.total_shares,
        "head_seq": r.head.as_ref().map(|(seq, _)| *seq),
        "head_hash": r.head.as_ref().map(|(_, hash)| hash.clone()),
        "rule": view.rule,
        "votes": votes(&view.votes),
        "unfreeze_votes": votes(&view.unfreeze_votes),
        "currency": c.code(),
        "cap_table": view.cap_table.iter().map(|l| json!({
            "member": l.member,
            "name": l.display_name,
            "slices": c.format_slices(l.line.slices_minor),
            "shares": l.line.shares,
            "percent": l.percent,
            "issued": l.line.issued,
            "buy_back": l.line.buy_back,
            "issue": l.line.issue,
        })).collect::<Vec<_>>(),
        "buyback_total": view.buyback_total,
    })
}

/// One freeze in full: its state, votes and cap table.
fn freeze_out(out: &mut impl Write, venture: &str, view: &FreezeView, c: Currency, format: Format) -> Result<(), AppError> {
    let r = &view.record;
    if format == Format::Table {
        let state = match r.status.as_str() {
            "frozen" => format!(
                "frozen on {} at entry #{} (hash {})",
                r.frozen_on.map(|d| d.to_string()).unwrap_or_default(),
                r.head.as_ref().map(|(seq, _)| seq.to_string()).unwrap_or_default(),
                r.head.as_ref().map(|(_, hash)| hash.as_str()).unwrap_or_default()
            ),
            "proposed" => "proposed; the cap table below is worked out from the split now".to_string(),
            other => other.to_string(),
        };
        writeln!(out, "Freeze #{} of {venture} ({}), proposed by {}: {state}.", r.number, r.reason, view.proposed_by).map_err(io)?;
        if !r.note.is_empty() {
            writeln!(out, "Note: {}", one_line(&r.note)).map_err(io)?;
        }
        let round = if r.unfreeze_proposed_at_ms.is_some() { "Unfreeze votes" } else { "Votes" };
        let counting = if r.unfreeze_proposed_at_ms.is_some() { &view.unfreeze_votes } else { &view.votes };
        let names = |approve: bool| counting.iter().filter(|(_, v)| v.approve == approve).map(|(who, _)| who.as_str()).collect::<Vec<_>>().join(", ");
        writeln!(out, "{round}: for {}; against {}. Decided by {}.", or_none(names(true)), or_none(names(false)), view.rule).map_err(io)?;
        if let Some(total) = view.buyback_total {
            writeln!(out, "Buy-back plan: the shares issued at the start become {total} in all.").map_err(io)?;
        }
        writeln!(out).map_err(io)?;
        let title = format!("Cap table: {} whole shares (slices in units of 1 {})", r.total_shares, c.code());
        return sections(out, format, &[Section::new(title, &CAP_HEADERS, cap_rows(&view.cap_table, c, true))], || Value::Null);
    }
    let parts = [Section::new("Freeze", &FREEZE_HEADERS, vec![freeze_row(view)]), Section::new("Cap table", &CAP_HEADERS, cap_rows(&view.cap_table, c, false))];
    sections(out, format, &parts, || freeze_json(view, c))
}

fn or_none(text: String) -> String {
    if text.is_empty() { "none".to_string() } else { text }
}

/// Runs a `freeze` subcommand.
pub fn freeze(commons: &Commons, command: FreezeCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let (venture, view, format) = match command {
        FreezeCommand::Propose { venture, by, reason, note, total_shares, issued, format } => {
            let issued = issued
                .iter()
                .map(|pair| {
                    pair.split_once('=')
                        .map(|(handle, shares)| (handle.trim().to_string(), shares.trim().to_string()))
                        .ok_or_else(|| peerstake_app::error::invalid("issued", format!("'{pair}': use handle=shares")))
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            let request = FreezeRequest { venture: venture.clone(), by, reason, note, total_shares: total_shares.unwrap_or_default(), issued };
            let view = commons.propose_freeze(&request, now)?;
            (venture, view, format)
        }
        FreezeCommand::Vote(vote) => {
            let view = commons.vote_freeze(&vote.venture, vote.number, &vote.by, vote.approve && !vote.against, now)?;
            (vote.venture, view, vote.format)
        }
        FreezeCommand::Unfreeze { venture, number, by, format } => {
            let view = commons.propose_unfreeze(&venture, number, &by, now)?;
            (venture, view, format)
        }
        FreezeCommand::Show { venture, number, format } => {
            let view = commons.freeze(&venture, number, now)?;
            (venture, view, format)
        }
        FreezeCommand::List(args) => {
            let list = commons.freezes(&args.venture, now)?;
            let c = currency_of(commons, &args.venture)?;
            let rows: Vec<Vec<String>> = list.iter().map(freeze_row).collect();
            return emit(out, args.format, &FREEZE_HEADERS, &rows, || Value::Array(list.iter().map(|v| freeze_json(v, c)).collect()));
        }
    };
    let c = currency_of(commons, &venture)?;
    freeze_out(out, &venture, &view, c, format)
}

// Income.

const INCOME_HEADERS: [&str; 7] = ["income", "received_on", "kind", "amount", "valuation", "recorded_by", "note"];

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
        IncomeCommand::Record { venture, amount, kind, date, note, valuation, by, key, format } => {
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
            if args.format == Format::Table {
                writeln!(out, "Income of {} ({}):", args.venture, c.code()).map_err(io)?;
            }
            emit(out, args.format, &INCOME_HEADERS, &rows, || {
                json!({
                    "venture": args.venture,
                    "currency": c.code(),
                    "received": c.format(received),
                    "undistributed": c.format(book.undistributed_minor),
                    "incomes": book.incomes.iter().map(|i| income_json(i, c, &handles)).collect::<Vec<_>>(),
                })
            })?;
            if args.format == Format::Table {
                writeln!(out, "\nReceived {} in all; {} not yet distributed.", c.format(received), c.format(book.undistributed_minor)).map_err(io)?;
            }
            Ok(())
        }
    }
}

// Distributions.

const DISTRIBUTION_HEADERS: [&str; 9] = ["distribution", "paid_on", "amount", "basis", "freeze", "head_seq", "holders", "posted", "note"];

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

const PAYOUT_HEADERS: [&str; 5] = ["member", "name", "weight", "percent", "amount"];

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
        idempotency_key: args.key,
    };
    let view = if args.preview { commons.preview_distribution(&request, now)? } else { commons.post_distribution(&request, now)? };
    let c = currency_of(commons, &args.venture)?;
    distribution_out(out, &args.venture, &view, c, args.format)
}

/// Runs `distributions`.
pub fn distributions(commons: &Commons, args: DistributionsArgs, out: &mut impl Write) -> Result<(), AppError> {
    let c = currency_of(commons, &args.venture)?;
    if let Some(number) = args.number {
        let view = commons.distribution(&args.venture, number)?;
        return distribution_out(out, &args.venture, &view, c, args.format);
    }
    let list = commons.distributions(&args.venture)?;
    if args.format == Format::Table {
        writeln!(out, "Distributions of {} ({}); `distributions {} <number>` shows the payouts:", args.venture, c.code(), args.venture).map_err(io)?;
    }
    let rows: Vec<Vec<String>> = list.iter().map(|v| distribution_row(v, c)).collect();
    emit(out, args.format, &DISTRIBUTION_HEADERS, &rows, || Value::Array(list.iter().map(|v| distribution_json(v, c)).collect()))
}

// Statements.

const STATEMENT_HEADERS: [&str; 11] =
    ["member", "name", "role", "departed", "slices", "percent", "shares", "well", "well_owed_back", "received", "owed_clawback"];

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

const STATEMENT_PAYOUT_HEADERS: [&str; 8] = ["member", "distribution", "paid_on", "basis", "weight", "total_weight", "head_seq", "amount"];
const CLAWBACK_HEADERS: [&str; 7] = ["member", "buyout", "until", "event", "on", "implied_per_slice", "owed"];

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

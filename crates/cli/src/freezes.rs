//! `peerstake freeze …`: crystallizing the split into a cap table of whole shares. A steward
//! proposes a freeze, members vote under the policy's decision rule, and a frozen split may be
//! unfrozen the same way; a freeze shows its votes and its cap table.

use std::io::Write;

use clap::{ArgGroup, Args, Subcommand};
use peerstake_app::freezes::{CapLine, FreezeRequest, FreezeView};
use peerstake_app::payouts::day_of;
use peerstake_app::{AppError, Commons, Now};
use peerstake_core::money::Currency;
use serde_json::{Value, json};

use crate::args::VentureArgs;
use crate::output::{Format, Section, currency_of, io, one_line, records, sections};

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

/// The columns of a freeze.
const FREEZE_HEADERS: [&str; 11] =
    ["freeze", "reason", "status", "proposed_by", "proposed_on", "frozen_on", "total_shares", "votes", "head_seq", "head_hash", "note"];

/// Votes counted: `2 for, 1 against`.
fn votes_text(votes: &[(String, peerstake_store::FreezeVoteRecord)]) -> String {
    let count = |approve: bool| votes.iter().filter(|(_, v)| v.approve == approve).count();
    format!("{} for, {} against", count(true), count(false))
}

/// A freeze as a row.
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

/// The columns of a cap table.
const CAP_HEADERS: [&str; 8] = ["member", "name", "slices", "shares", "percent", "issued", "buy_back", "issue"];

/// A cap table's lines, with a total for people.
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

/// A freeze, its votes and cap table as JSON.
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

/// The text, or `none` for none.
fn or_none(text: String) -> String {
    if text.is_empty() { "none".to_string() } else { text }
}

/// Runs a `freeze` subcommand.
pub fn run(commons: &Commons, command: FreezeCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
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
            return records(out, args.format, &FREEZE_HEADERS, &list, freeze_row, |v| freeze_json(v, c));
        }
    };
    let c = currency_of(commons, &venture)?;
    freeze_out(out, &venture, &view, c, format)
}

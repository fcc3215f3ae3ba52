//! `peerstake handover …`, `stewards` and `adopt …`: the steward role changing hands. A steward
//! hands it to another member, who accepts or declines; a venture whose stewards left or fell
//! silent may be adopted by someone who asks, unless a member objects within the notice period.
//!
//! Who acts in a venture is named with `--by <handle>` (a member), who asks to adopt one with
//! `--account <username>` (an account).

use std::collections::BTreeMap;
use std::io::Write;

use clap::{Args, Subcommand};
use peerstake_app::payouts::day_of;
use peerstake_app::stewards::{Adoptable, StewardshipView};
use peerstake_app::{AppError, Commons, Now};
use peerstake_core::terms::MemberNo;
use serde_json::{Value, json};

use crate::args::VentureArgs;
use crate::output::{Format, Section, caption, emit, handle_of, handles, io, one_line, records, sections};

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

/// The columns of a change of steward: a handover or an adoption.
const STEWARDSHIP_HEADERS: [&str; 10] = ["number", "kind", "from", "to", "status", "asked_on", "notice_until", "decided_by", "message", "answer"];

/// A change of steward as a row.
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

/// A change of steward as JSON.
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

/// Changes of steward, one a row.
fn stewardships_out(commons: &Commons, venture: &str, list: &[StewardshipView], now: Now, format: Format, out: &mut impl Write) -> Result<(), AppError> {
    let handles = handles(commons, venture, now)?;
    records(out, format, &STEWARDSHIP_HEADERS, list, |v| stewardship_row(v, &handles), |v| stewardship_json(v, &handles))
}

/// Runs a `handover` subcommand.
pub fn handover(commons: &Commons, command: HandoverCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let (answer, args) = match command {
        HandoverCommand::Propose { venture, from, to, message, format } => {
            let view = commons.propose_handover(&venture, &from, &to, &message, now)?;
            caption(
                out,
                format,
                format_args!(
                    "Handover #{} proposed: {} asks {} to take over as steward of {venture}.",
                    view.record.number,
                    view.from.clone().unwrap_or_default(),
                    view.to
                ),
            )?;
            return stewardships_out(commons, &venture, &[view], now, format, out);
        }
        HandoverCommand::Accept(args) => ("accept", args),
        HandoverCommand::Decline(args) => ("decline", args),
        HandoverCommand::Withdraw(args) => ("withdraw", args),
    };
    let view = commons.answer_handover(&args.venture, args.number, answer, &args.by, &args.note, now)?;
    if view.record.status == "accepted" {
        caption(out, args.format, format_args!("{} is now a steward of {}.", view.to, args.venture))?;
    }
    stewardships_out(commons, &args.venture, &[view], now, args.format, out)
}

/// Whether the venture may be adopted, and why, in words.
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
            caption(
                out,
                format,
                format_args!(
                    "Adoption request #{} by {}: unless a member objects by {}, they become a steward of {venture}.",
                    view.record.number,
                    account.username,
                    view.record.notice_until.map(|d| d.to_string()).unwrap_or_default()
                ),
            )?;
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

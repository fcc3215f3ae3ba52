//! `peerstake depart`, `departures` and `buyout …`: a member leaves under one of four cases that
//! decide which of their slices they keep; the venture buys what they kept (forced for a bad
//! leaver, an offer for a good one, with a claw-back window).
//!
//! Who acts in the venture is named with `--by <handle>` (a member). Money and slices print in
//! the venture's currency, exact to the minor unit.

use std::io::Write;

use clap::{Args, Subcommand};
use peerstake_app::book::BuyoutView;
use peerstake_app::departures::{BuyoutRequest, DepartRequest, DepartureView};
use peerstake_app::{AppError, Commons, Now};
use peerstake_core::money::Currency;
use serde_json::{Value, json};

use crate::args::{VentureArgs, WriteArgs, optional_date};
use crate::output::{BUYOUT_HEADERS, buyout_json, buyout_row};
use crate::output::{Format, Section, caption, currency_of, emit, io, one_line, records, sections};

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
    #[command(flatten)]
    write: WriteArgs,
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
        #[command(flatten)]
        write: WriteArgs,
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

/// Entry numbers as `#3 #4`.
fn entries_text(entries: &[u64]) -> String {
    entries.iter().map(|s| format!("#{s}")).collect::<Vec<_>>().join(" ")
}

/// What happens to each kind of slices.
const BUCKET_HEADERS: [&str; 8] = ["kind", "class", "treatment", "value_before", "slices_before", "protected_slices", "value_after", "slices_after"];

/// A departure's buckets of slices, before and after, with a total for people.
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

/// Whether the member leaves as a good or a bad leaver, in words.
fn leaver_words(view: &DepartureView) -> &'static str {
    if view.bad_leaver() { "bad leaver" } else { "good leaver" }
}

/// The columns of a departure.
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

/// A departure as a row.
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

/// A departure as JSON.
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
        idempotency_key: args.write.key,
    };
    let view = if args.preview { commons.preview_departure(&request, now)? } else { commons.depart(&request, now)? };
    let c = currency_of(commons, &args.venture)?;
    departure_out(out, &args.venture, &view, c, args.write.format)
}

/// Runs `departures`.
pub fn departures(commons: &Commons, args: VentureArgs, out: &mut impl Write) -> Result<(), AppError> {
    let c = currency_of(commons, &args.venture)?;
    let list = commons.departures(&args.venture)?;
    caption(out, args.format, format_args!("Departures from {} (slices and prices in {}):", args.venture, c.code()))?;
    records(out, args.format, &DEPARTURE_HEADERS, &list, |v| departure_row(v, c), |v| departure_json(v, c))
}

/// Buyouts, one a row.
fn buyouts_out(out: &mut impl Write, list: &[BuyoutView], c: Currency, format: Format) -> Result<(), AppError> {
    records(out, format, &BUYOUT_HEADERS, list, |b| buyout_row(b, c), |b| buyout_json(b, c))
}

/// Runs a `buyout` subcommand.
pub fn buyout(commons: &Commons, command: BuyoutCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let (venture, answer, args) = match command {
        BuyoutCommand::Offer { venture, member, buyer, price, by, write: WriteArgs { key, format } } => {
            let price_per_slice = crate::numbers::optional(commons, Some(&venture), "price per slice", price)?.unwrap_or_default();
            let request = BuyoutRequest { venture: venture.clone(), member, buyer, price_per_slice, by, idempotency_key: key };
            let view = commons.offer_buyout(&request, now)?;
            let c = currency_of(commons, &venture)?;
            let what = if view.record.forced {
                "forced (a bad leaver's buyout is final)".to_string()
            } else {
                format!("offered; {} may accept or decline it", view.member)
            };
            caption(out, format, format_args!("Buyout #{} of {}'s slices: {what}.", view.record.number, view.member))?;
            return buyouts_out(out, &[view], c, format);
        }
        BuyoutCommand::List(args) => {
            let c = currency_of(commons, &args.venture)?;
            caption(
                out,
                args.format,
                format_args!(
                    "Buyouts in {} (amounts in {}; a good leaver is owed more if the venture sells or pays out above the price before the claw-back date):",
                    args.venture,
                    c.code()
                ),
            )?;
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

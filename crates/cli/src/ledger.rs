//! The ledger from the command line: `log` a contribution, `reverse` or `amend` an entry, read
//! the `split`, `trace` a member's slices, list the `ledger`, `verify` it, `import` and `export`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use peerstake_app::journal::ReverseRequest;
use peerstake_app::ledger::{LedgerQuery, SplitQuery, TraceReport};
use peerstake_app::review::AmendRequest;
use peerstake_app::{AppError, Commons, Now};
use serde_json::json;

use crate::args::optional_date;
use crate::args::{LogArgs, log_request};
use crate::output::print_entry;
use crate::output::{self, Format, emit, io};

/// `reverse`: undo an entry.
#[derive(Args)]
pub struct ReverseArgs {
    /// The venture.
    venture: String,
    /// The entry number.
    seq: u64,
    /// Why it is reversed.
    #[arg(long)]
    reason: String,
    /// Who reverses it (a member's handle).
    #[arg(long = "by")]
    author: Option<String>,
    /// Idempotency key: a retry with the same key changes nothing.
    #[arg(long)]
    key: Option<String>,
}

/// `amend`: an entry reversed and logged again, corrected.
#[derive(Args)]
pub struct AmendArgs {
    /// The entry number amended.
    #[arg(long = "entry")]
    seq: u64,
    /// Why it is amended.
    #[arg(long)]
    reason: String,
    #[command(flatten)]
    log: LogArgs,
}

/// `split`: each member's slices and share.
#[derive(Args)]
pub struct SplitArgs {
    /// The venture.
    venture: String,
    /// As of the end of this date (YYYY-MM-DD).
    #[arg(long)]
    as_of: Option<String>,
    /// Compute it under another policy (a preset or a .toml file) without writing anything.
    #[arg(long)]
    policy: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// `trace`: a member's slices, entry by entry.
#[derive(Args)]
pub struct TraceArgs {
    /// The venture.
    venture: String,
    /// The member's handle.
    member: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// `ledger`: a page of entries.
#[derive(Args)]
pub struct LedgerArgs {
    /// The venture.
    venture: String,
    /// Only this member's entries.
    #[arg(long)]
    member: Option<String>,
    /// Only this kind (or `reversal`).
    #[arg(long)]
    kind: Option<String>,
    /// From this date.
    #[arg(long)]
    from: Option<String>,
    /// To this date.
    #[arg(long)]
    to: Option<String>,
    /// After this entry number (the next page).
    #[arg(long)]
    after: Option<u64>,
    /// Entries per page (at most 1000).
    #[arg(long, default_value_t = 100)]
    limit: u32,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// `verify`: one venture or all.
#[derive(Args)]
pub struct VerifyArgs {
    /// The venture (or --all).
    venture: Option<String>,
    /// Verify every venture.
    #[arg(long, conflicts_with = "venture")]
    all: bool,
}

/// `import`: contributions from CSV, or a venture from its JSON export.
#[derive(Args)]
pub struct ImportArgs {
    /// The venture.
    venture: String,
    /// A .csv file of contributions or a .json export.
    file: PathBuf,
    /// Idempotency key (CSV): importing the same file with the same key again changes nothing.
    #[arg(long)]
    key: Option<String>,
}

/// `export`: a whole venture as JSON.
#[derive(Args)]
pub struct ExportArgs {
    /// The venture.
    venture: String,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// Runs `log`.
pub fn log(commons: &Commons, args: LogArgs, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let request = log_request(commons, &args, now)?;
    let stored = commons.log(&request, now)?;
    print_entry(commons, out, &args.venture, stored.entry.seq, args.format)
}

/// Runs `reverse`.
pub fn reverse(commons: &Commons, args: ReverseArgs, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let ReverseArgs { venture, seq, reason, author, key } = args;
    let stored = commons.reverse(&ReverseRequest { venture, seq, reason, author, idempotency_key: key }, now)?;
    writeln!(out, "entry #{} reverses entry #{seq}", stored.entry.seq).map_err(io)
}

/// Runs `amend`.
pub fn amend(commons: &Commons, args: AmendArgs, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let seq = args.seq;
    let request = AmendRequest { seq, reason: args.reason, log: log_request(commons, &args.log, now)? };
    let stored = commons.amend(&request, now)?;
    writeln!(out, "entry #{} amends entry #{seq} (reversed by entry #{})", stored.entry.seq, stored.entry.seq - 1).map_err(io)
}

/// Runs `split`.
pub fn split(commons: &Commons, args: SplitArgs, out: &mut impl Write) -> Result<(), AppError> {
    let query = SplitQuery { as_of: optional_date("as-of", args.as_of.as_deref())?, policy: args.policy.as_deref().map(crate::args::choice).transpose()? };
    let report = commons.split(&args.venture, &query)?;
    output::split(out, &report, args.format)
}

/// Runs `trace`.
pub fn trace(commons: &Commons, args: TraceArgs, out: &mut impl Write) -> Result<(), AppError> {
    let report = commons.trace(&args.venture, &args.member)?;
    trace_out(out, &report, args.format)
}

/// Runs `ledger`.
pub fn ledger(commons: &Commons, args: LedgerArgs, out: &mut impl Write) -> Result<(), AppError> {
    let LedgerArgs { venture, member, kind, from, to, after, limit, format } = args;
    let query = LedgerQuery { member, tag: kind, from: optional_date("from", from.as_deref())?, to: optional_date("to", to.as_deref())?, after, limit };
    let page = commons.ledger(&venture, &query)?;
    output::ledger(out, &venture, &page, format)
}

/// Runs `verify`; returns how many ventures do not verify.
pub fn verify(commons: &Commons, args: VerifyArgs, now: Now, out: &mut impl Write) -> Result<usize, AppError> {
    let slugs: Vec<String> = match (args.venture, args.all) {
        (Some(slug), false) => vec![slug],
        (None, true) => commons.ventures(now)?.into_iter().map(|v| v.record.slug).collect(),
        _ => return Err(peerstake_app::error::invalid("venture", "name a venture or pass --all")),
    };
    let mut failed = 0;
    for slug in slugs {
        let report = commons.verify(&slug)?;
        if report.differences.is_empty() {
            writeln!(out, "{slug}: ok — {} entries, chain head {}", report.entries, report.head.to_hex()).map_err(io)?;
        } else {
            failed += 1;
            writeln!(out, "{slug}: {} difference(s) in {} entries", report.differences.len(), report.entries).map_err(io)?;
            for difference in &report.differences {
                writeln!(out, "  {difference}").map_err(io)?;
            }
        }
    }
    Ok(failed)
}

/// Runs `import`.
pub fn import(commons: &Commons, args: ImportArgs, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let ImportArgs { venture, file, key } = args;
    let reader = std::fs::File::open(&file).map_err(|e| AppError::File(format!("cannot open {}: {e}", file.display())))?;
    let is_json = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let report = if is_json { commons.import_venture(&venture, reader)? } else { commons.import_csv(&venture, reader, key.as_deref(), now)? };
    writeln!(out, "imported {} entries into {venture}; chain head #{} {}", report.entries, report.head_seq, report.head.to_hex()).map_err(io)
}

/// Runs `export`.
pub fn export(commons: &Commons, args: ExportArgs, out: &mut impl Write) -> Result<(), AppError> {
    let ExportArgs { venture, output: path } = args;
    let Some(path) = path else {
        commons.export(&venture, std::io::BufWriter::new(&mut *out))?;
        return Ok(());
    };
    let file = std::fs::File::create(&path).map_err(|e| AppError::File(format!("cannot create {}: {e}", path.display())))?;
    let report = commons.export(&venture, std::io::BufWriter::new(file))?;
    writeln!(out, "exported {} entries of {venture} to {}; chain head {}", report.entries, path.display(), report.head.to_hex()).map_err(io)
}

/// A member's slices traced to entries: a row an entry, and a subtotal a kind for people.
fn trace_out(out: &mut impl Write, report: &TraceReport, format: Format) -> Result<(), AppError> {
    let currency = report.currency;
    let headers = ["kind", "entry", "date", "tag", "policy_version", "value", "slices"];
    let mut rows = Vec::new();
    for kind in &report.kinds {
        for entry in &kind.entries {
            rows.push(vec![
                kind.kind.name().to_string(),
                entry.seq.to_string(),
                entry.occurred_on.to_string(),
                entry.tag.clone(),
                entry.policy_version.to_string(),
                currency.format(entry.fmv_minor),
                currency.format_slices(entry.slices_minor),
            ]);
        }
        if format == Format::Table {
            rows.push(vec![
                format!("= {}", kind.kind.name()),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                currency.format(kind.fmv_minor),
                currency.format_slices(kind.slices_minor),
            ]);
        }
    }
    output::caption(
        out,
        format,
        format_args!(
            "Slices of {} ({}), {} in all, entry by entry:",
            report.member.handle,
            report.member.display_name,
            currency.format_slices(report.slices_minor)
        ),
    )?;
    emit(out, format, &headers, &rows, || {
        json!({
            "member": report.member.handle,
            "slices": currency.format_slices(report.slices_minor),
            "kinds": report.kinds.iter().map(|k| json!({
                "kind": k.kind.name(),
                "slices": currency.format_slices(k.slices_minor),
                "value": currency.format(k.fmv_minor),
                "entries": k.entries.iter().map(|e| json!({
                    "entry": e.seq,
                    "date": e.occurred_on.to_string(),
                    "tag": e.tag,
                    "policy_version": e.policy_version,
                    "value": currency.format(e.fmv_minor),
                    "slices": currency.format_slices(e.slices_minor),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    })
}

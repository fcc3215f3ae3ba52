//! Printing results as aligned tables, JSON (amounts as exact decimal strings) or CSV, and what
//! every command group prints with: a list of records, several titled tables, a caption for
//! people, a note on one line, the day of a moment, a venture's currency and its members' handles.
//! The split, a page of the ledger, an entry and a buyout print here too: several commands print
//! them.

use std::collections::BTreeMap;
use std::io::Write;

use clap::ValueEnum;
use peerstake_app::book::BuyoutView;
use peerstake_app::csv_safe::CsvWriter;
use peerstake_app::ledger::LedgerQuery;
use peerstake_app::ledger::{LedgerPage, SplitReport};
use peerstake_app::payouts::day_of;
use peerstake_app::{AppError, Commons, Now};
use peerstake_core::kind::{ALL_KINDS, Kind};
use peerstake_core::money::Currency;
use peerstake_core::split::format_share;
use peerstake_core::terms::MemberNo;
use serde_json::{Value, json};

/// Output format.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// JSON for programs (amounts as exact decimal strings).
    Json,
    /// CSV for spreadsheets.
    Csv,
}

/// The error of a failed write to the output.
pub(crate) fn io(error: std::io::Error) -> AppError {
    AppError::File(format!("cannot write output: {error}"))
}

/// Text on one line, for a table cell or a message: line breaks and runs of spaces become one space.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The day (UTC) of a moment in milliseconds since the epoch; empty when out of range.
pub(crate) fn day(at_ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at_ms.div_euclid(1000)).map(|t| t.date().to_string()).unwrap_or_default()
}

/// The venture's currency: every amount and slice count prints in it.
pub(crate) fn currency_of(commons: &Commons, venture: &str) -> Result<Currency, AppError> {
    Ok(commons.policy_history(venture)?.0)
}

/// Handles by member number, members who left included.
pub(crate) fn handles(commons: &Commons, venture: &str, now: Now) -> Result<BTreeMap<MemberNo, String>, AppError> {
    Ok(commons.members(venture, now)?.into_iter().map(|m| (m.record.member_no, m.record.handle)).collect())
}

/// A member's handle, `#n` for one not in `handles`, empty for none.
pub(crate) fn handle_of(handles: &BTreeMap<MemberNo, String>, member: Option<MemberNo>) -> String {
    member.map(|m| handles.get(&m).cloned().unwrap_or_else(|| format!("#{}", m.0))).unwrap_or_default()
}

/// A caption above or below a table, printed for people only: JSON and CSV carry the data alone.
pub(crate) fn caption(out: &mut impl Write, format: Format, text: impl std::fmt::Display) -> Result<(), AppError> {
    if format == Format::Table {
        writeln!(out, "{text}").map_err(io)?;
    }
    Ok(())
}

/// Writes rows as aligned columns; numbers (cells starting with a digit or '-') align right.
pub(crate) fn table(out: &mut impl Write, headers: &[&str], rows: &[Vec<String>]) -> Result<(), AppError> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (index, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(index) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let numeric =
        |cell: &str| cell.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '-') && cell.chars().all(|c| c.is_ascii_digit() || ".-%".contains(c));
    let line = |cells: Vec<&str>| -> String {
        let mut text = String::new();
        for (index, cell) in cells.iter().enumerate() {
            let width = widths.get(index).copied().unwrap_or(0);
            let pad = width.saturating_sub(cell.chars().count());
            if index > 0 {
                text.push_str("  ");
            }
            if numeric(cell) {
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
            } else {
                text.push_str(cell);
                if index + 1 < cells.len() {
                    text.push_str(&" ".repeat(pad));
                }
            }
        }
        text
    };
    writeln!(out, "{}", line(headers.to_vec())).map_err(io)?;
    writeln!(out, "{}", widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  ")).map_err(io)?;
    for row in rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect())).map_err(io)?;
    }
    Ok(())
}

/// Rows as CSV, headers first, every cell neutralised so no cell can become a spreadsheet formula.
fn csv_rows(out: &mut impl Write, headers: &[&str], rows: &[Vec<String>]) -> Result<(), AppError> {
    let mut writer = CsvWriter::new(out);
    writer.row(headers)?;
    for row in rows {
        writer.row(row)?;
    }
    writer.flush().map_err(io)?;
    Ok(())
}

/// Rows in the format asked for: a table, CSV, or the JSON value `value` makes (only then).
pub(crate) fn emit(out: &mut impl Write, format: Format, headers: &[&str], rows: &[Vec<String>], value: impl FnOnce() -> Value) -> Result<(), AppError> {
    match format {
        Format::Table => table(out, headers, rows),
        Format::Csv => csv_rows(out, headers, rows),
        Format::Json => {
            let text = serde_json::to_string_pretty(&value()).map_err(|e| AppError::File(e.to_string()))?;
            writeln!(out, "{text}").map_err(io)
        }
    }
}

/// Records of one kind: a row each in a table or CSV, an array of objects in JSON.
pub(crate) fn records<T>(
    out: &mut impl Write,
    format: Format,
    headers: &[&str],
    items: &[T],
    row: impl Fn(&T) -> Vec<String>,
    object: impl Fn(&T) -> Value,
) -> Result<(), AppError> {
    let rows: Vec<Vec<String>> = items.iter().map(row).collect();
    emit(out, format, headers, &rows, || Value::Array(items.iter().map(object).collect()))
}

/// The split.
pub fn split(out: &mut impl Write, report: &SplitReport, format: Format) -> Result<(), AppError> {
    let currency = report.currency;
    let used_kinds: Vec<Kind> = ALL_KINDS.iter().copied().filter(|k| report.lines.iter().any(|l| l.figures.slices_of(*k) != 0)).collect();
    let mut headers: Vec<&str> = vec!["member", "name", "role"];
    headers.extend(used_kinds.iter().map(|k| k.name()));
    headers.extend(["slices", "share_%"]);
    let mut rows: Vec<Vec<String>> = report
        .lines
        .iter()
        .map(|line| {
            let mut row = vec![line.member.handle.clone(), line.member.display_name.clone(), line.member.role.clone()];
            row.extend(used_kinds.iter().map(|k| currency.format_slices(line.figures.slices_of(*k))));
            row.push(currency.format_slices(line.figures.slices_minor));
            row.push(format_share(line.figures.share_units));
            row
        })
        .collect();
    if format == Format::Table {
        let mut total = vec!["total".to_string(), String::new(), String::new()];
        total.extend(used_kinds.iter().map(|k| currency.format(report.lines.iter().map(|l| l.figures.slices_of(*k)).sum())));
        total.push(currency.format_slices(report.total_slices_minor));
        total.push(format_share(report.lines.iter().map(|l| l.figures.share_units).sum()));
        rows.push(total);
        let as_of = report.as_of.map_or("now".to_string(), |d| format!("as of {d}"));
        let policy = if report.policy == "ledger" {
            "the policy versions in force".to_string()
        } else {
            format!("candidate policy '{}' (nothing written)", report.policy)
        };
        writeln!(out, "Split of {} {as_of}, valued under {policy}; slices in units of 1 {}:", report.venture, currency.code()).map_err(io)?;
    }
    emit(out, format, &headers, &rows, || {
        json!({
            "venture": report.venture,
            "currency": currency.code(),
            "as_of": report.as_of.map(|d| d.to_string()),
            "policy": report.policy,
            "total_slices": currency.format_slices(report.total_slices_minor),
            "members": report.lines.iter().map(|line| {
                let by_kind: serde_json::Map<String, Value> = ALL_KINDS
                    .iter()
                    .filter(|k| line.figures.slices_of(**k) != 0)
                    .map(|k| (k.name().to_string(), Value::String(currency.format_slices(line.figures.slices_of(*k)))))
                    .collect();
                json!({
                    "member": line.member.handle,
                    "name": line.member.display_name,
                    "role": line.member.role,
                    "slices": currency.format_slices(line.figures.slices_minor),
                    "share_percent": format_share(line.figures.share_units),
                    "value_at_risk": currency.format(line.figures.fmv_minor),
                    "well_balance": currency.format(line.figures.well_minor),
                    "slices_by_kind": by_kind,
                })
            }).collect::<Vec<_>>(),
            "unvalued": report.unvalued.iter().map(|(seq, reason)| json!({"entry": seq, "reason": reason})).collect::<Vec<_>>(),
        })
    })?;
    if format == Format::Table && !report.unvalued.is_empty() {
        writeln!(out, "\n{} entries could not be valued under the candidate policy:", report.unvalued.len()).map_err(io)?;
        for (seq, reason) in report.unvalued.iter().take(20) {
            writeln!(out, "  #{seq}: {reason}").map_err(io)?;
        }
    }
    Ok(())
}

/// A page of the ledger.
pub fn ledger(out: &mut impl Write, venture: &str, page: &LedgerPage, format: Format) -> Result<(), AppError> {
    let currency = page.currency;
    let handle = |member: Option<peerstake_core::terms::MemberNo>| -> String {
        member.and_then(|m| page.members.iter().find(|r| r.member_no == m)).map(|r| r.handle.clone()).unwrap_or_default()
    };
    let headers = ["entry", "date", "kind", "member", "value", "slices", "policy", "note", "reverses", "hash", "from"];
    let rows: Vec<Vec<String>> = page
        .entries
        .iter()
        .map(|stored| {
            let e = &stored.entry;
            vec![
                e.seq.to_string(),
                e.occurred_on.to_string(),
                e.tag.clone(),
                handle(e.member),
                currency.format(e.fmv_minor),
                currency.format_slices(e.slices_minor),
                format!("v{}", e.policy_version),
                e.note.clone(),
                e.reverses.map(|r| format!("#{r}")).unwrap_or_default(),
                stored.hash.to_hex().chars().take(12).collect(),
                Some(e.first_day()).filter(|d| *d != e.occurred_on).map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    emit(out, format, &headers, &rows, || {
        json!({
            "venture": venture,
            "currency": currency.code(),
            "entries": page.entries.iter().map(|stored| {
                let e = &stored.entry;
                json!({
                    "entry": e.seq,
                    "date": e.occurred_on.to_string(),
                    "from": Some(e.first_day()).filter(|d| *d != e.occurred_on).map(|d| d.to_string()),
                    "recorded_at_ms": e.recorded_at_ms,
                    "kind": e.tag,
                    "member": if e.member.is_some() { Value::String(handle(e.member)) } else { Value::Null },
                    "author": if e.author.is_some() { Value::String(handle(e.author)) } else { Value::Null },
                    "inputs": e.inputs,
                    "note": e.note,
                    "policy_version": e.policy_version,
                    "terms_version": e.terms_version,
                    "value": currency.format(e.fmv_minor),
                    "slices": currency.format_slices(e.slices_minor),
                    "reverses": e.reverses,
                    "hash": stored.hash.to_hex(),
                    "effects": e.effects.iter().map(|f| json!({
                        "member": handle(Some(f.member)),
                        "kind": f.kind.name(),
                        "class": f.class.name(),
                        "value": currency.format(f.fmv_minor),
                        "slices": currency.format_slices(f.slices_minor),
                        "well": currency.format(f.well_minor),
                    })).collect::<Vec<_>>(),
                })
            }).collect::<Vec<_>>(),
            "next_after": page.next_after,
        })
    })?;
    if format == Format::Table
        && let Some(after) = page.next_after
    {
        writeln!(out, "… more: --after {after}").map_err(io)?;
    }
    Ok(())
}

/// One titled table of several.
pub(crate) struct Section {
    title: String,
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Section {
    /// A table titled `title`.
    pub(crate) fn new(title: impl Into<String>, headers: &[&'static str], rows: Vec<Vec<String>>) -> Section {
        Section { title: title.into(), headers: headers.to_vec(), rows }
    }
}

/// Several tables: titled and spaced for people; CSV blocks separated by a blank line; one JSON
/// value for programs.
pub(crate) fn sections(out: &mut impl Write, format: Format, parts: &[Section], value: impl FnOnce() -> Value) -> Result<(), AppError> {
    if format == Format::Json {
        return emit(out, format, &[], &[], value);
    }
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            writeln!(out).map_err(io)?;
        }
        if format == Format::Table {
            if part.rows.is_empty() {
                writeln!(out, "{}: none", part.title).map_err(io)?;
                continue;
            }
            writeln!(out, "{}:", part.title).map_err(io)?;
        }
        emit(out, format, &part.headers, &part.rows, || Value::Null)?;
    }
    Ok(())
}

/// Prints one ledger entry as a page of the ledger: what `log` and every command that posts an
/// entry print.
pub(crate) fn print_entry(commons: &Commons, out: &mut impl Write, venture: &str, seq: u64, format: Format) -> Result<(), AppError> {
    let page = commons.ledger(venture, &LedgerQuery { after: Some(seq.saturating_sub(1)), limit: 1, ..LedgerQuery::default() })?;
    ledger(out, venture, &page, format)
}

// Buyouts.

/// The columns of a buyout (statements list buyouts too).
pub(crate) const BUYOUT_HEADERS: [&str; 12] =
    ["buyout", "member", "buyer", "kind", "slices", "price_per_slice", "amount", "status", "offered_on", "decided_on", "entry", "clawback_until"];

/// A buyout as a row.
pub(crate) fn buyout_row(view: &BuyoutView, c: Currency) -> Vec<String> {
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

/// A buyout as JSON.
pub(crate) fn buyout_json(view: &BuyoutView, c: Currency) -> Value {
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

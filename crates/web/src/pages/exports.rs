//! Downloads: the split and the ledger as CSV (written through `peerstake_app::csv_safe`, so no
//! cell can become a spreadsheet formula), the whole venture as JSON.

use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use peerstake_app::AppError;
use peerstake_app::csv_safe::{self, CsvWriter};
use peerstake_app::ledger::SplitQuery;
use peerstake_core::kind::ALL_KINDS;
use peerstake_core::split::format_share;

use super::kit::*;
use crate::AppState;
use crate::extract::Actor;

pub(super) async fn split_csv(actor: Actor, Path(slug): Path<String>) -> PageResult {
    let slug_for_run = slug.clone();
    let text = actor
        .run(move |acting, now| {
            let report = acting.split(&slug_for_run, &SplitQuery::default(), now)?;
            let currency = report.currency;
            let mut header = vec!["member", "name", "role", "slices", "share_percent", "value_at_risk", "well_balance"];
            header.extend(ALL_KINDS.iter().map(|k| k.name()));
            let rows = report.lines.iter().map(|line| {
                let mut row = vec![
                    line.member.handle.clone(),
                    line.member.display_name.clone(),
                    line.member.role.clone(),
                    currency.format_slices(line.figures.slices_minor),
                    format_share(line.figures.share_units),
                    currency.format(line.figures.fmv_minor),
                    currency.format(line.figures.well_minor),
                ];
                row.extend(ALL_KINDS.iter().map(|k| currency.format_slices(line.figures.slices_of(*k))));
                row
            });
            // Every cell neutralised, so a name cannot become a spreadsheet formula.
            csv_safe::to_text(&header, rows)
        })
        .await
        .map_err(fail(&actor))?;
    Ok(download("text/csv; charset=utf-8", format!("{slug}-split.csv"), text.into_bytes()))
}

pub(super) async fn ledger_csv(actor: Actor, Path(slug): Path<String>) -> PageResult {
    let slug_for_run = slug.clone();
    let text = actor
        .run(move |acting, now| {
            // Every cell neutralised, so a note cannot become a spreadsheet formula.
            let mut writer = CsvWriter::new(Vec::new());
            writer.row(["seq", "date", "kind", "member", "author", "note", "value", "slices", "policy_version", "reverses", "hash", "from"])?;
            let mut after = None;
            loop {
                let page = acting.ledger(&slug_for_run, &peerstake_app::ledger::LedgerQuery { after, limit: 1_000, ..Default::default() }, now)?;
                let handle = |no: Option<peerstake_core::terms::MemberNo>| {
                    no.and_then(|no| page.members.iter().find(|m| m.member_no == no)).map_or_else(String::new, |m| m.handle.clone())
                };
                for stored in &page.entries {
                    let e = &stored.entry;
                    writer.row([
                        e.seq.to_string(),
                        e.occurred_on.to_string(),
                        e.tag.to_string(),
                        handle(e.member),
                        handle(e.author),
                        e.note.clone(),
                        page.currency.format(e.fmv_minor),
                        page.currency.format_slices(e.slices_minor),
                        e.policy_version.to_string(),
                        e.reverses.map(|r| r.to_string()).unwrap_or_default(),
                        stored.hash.to_hex(),
                        Some(e.first_day()).filter(|d| *d != e.occurred_on).map(|d| d.to_string()).unwrap_or_default(),
                    ])?;
                }
                match page.next_after {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            let bytes = writer.into_inner()?;
            String::from_utf8(bytes).map_err(|e| AppError::Internal(e.to_string()))
        })
        .await
        .map_err(fail(&actor))?;
    Ok(download("text/csv; charset=utf-8", format!("{slug}-ledger.csv"), text.into_bytes()))
}

pub(super) async fn export_json(actor: Actor, Path(slug): Path<String>) -> PageResult {
    let slug_for_run = slug.clone();
    let bytes = actor
        .run(move |acting, now| {
            let mut out = Vec::new();
            acting.export(&slug_for_run, &mut out, now)?;
            Ok(out)
        })
        .await
        .map_err(fail(&actor))?;
    Ok(download("application/json", format!("{slug}.json"), bytes))
}

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/v/{slug}/split.csv", get(split_csv)).route("/v/{slug}/ledger.csv", get(ledger_csv)).route("/v/{slug}/export.json", get(export_json))
}

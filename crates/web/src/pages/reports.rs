//! The venture's report, printable, and its tables exported for accountants' and lawyers' tools.
//! Like the report itself it composes other modules' pieces (the one page module that imports
//! siblings).

use axum::Router;
use axum::extract::Path;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use maud::html;
use peerstake_app::error::AppError;
use peerstake_app::reports::EXPORTS;
use peerstake_core::split::format_share;

use super::departures::outcome;
use super::freezes::cap_table;
use super::kit::*;
use super::payouts::payouts;
use super::statement::statement_body;
use crate::AppState;
use crate::extract::Actor;

// ---- the printable report and the exports

/// The printable report. Its print rules live in the stylesheet: no navigation or forms, each
/// part on its own page, no statement split across two.
pub(super) async fn report_page(actor: Actor, Path(slug): Path<String>) -> PageResult {
    let (standing, report, today) =
        actor.run(move |acting, now| Ok((acting.standing(&slug, now)?, acting.venture_report(&slug, now)?, now.today))).await.map_err(fail(&actor))?;
    let c = report.currency;
    let slug = &standing.venture.record.slug;
    let body = html! {
        h1 { "Report: " (report.venture.name) }
        (venture_nav(&standing))
        p { "As of " (today) ", at ledger entry #" (report.head.0) " (hash " code.wrap { (report.head.1) } "). Amounts in " (c.code()) "." }
        p.no-print { "Use your browser's Print command to print this report or save it as a PDF: each part starts on a new page. Download: "
            @for (index, what) in EXPORTS.iter().enumerate() {
                @if index > 0 { " · " }
                (what) " " a href=(format!("/v/{slug}/exports/{what}.csv")) { "CSV" } " " a href=(format!("/v/{slug}/exports/{what}.json")) { "JSON" }
            } }
        section.report-part {
            h2 { "The split" }
            div.scroll { table {
                thead { tr { th { "Member" } th.n { "Slices" } th.n { "Share" } } }
                tbody {
                    @for line in &report.split.lines { tr {
                        td { (who(&line.member.display_name, &line.member.handle)) } td.n { (c.format_slices(line.figures.slices_minor)) } td.n { (format_share(line.figures.share_units)) "%" }
                    } }
                    tr { th { "All" } th.n { (c.format_slices(report.split.total_slices_minor)) } th.n { "100.00%" } }
                }
            } }
        }
        @if let Some(frozen) = &report.frozen {
            section.report-part {
                h2 { "The cap table (freeze #" (frozen.record.number) ")" }
                p { "Frozen on " (frozen.record.frozen_on.map(|d| d.to_string()).unwrap_or_default())
                    @if let Some((seq, hash)) = &frozen.record.head { " at ledger entry #" (seq) ", hash " code.wrap { (hash) } } "." }
                (cap_table(slug, c, frozen))
            }
        }
        section.report-part {
            h2 { "Departures" }
            @if report.departures.is_empty() { p { "Nobody has left." } }
            @for d in &report.departures {
                h3 { "#" (d.number.unwrap_or(0)) " " (who(&d.display_name, &d.member)) ", " (d.case.words()) ", on " (d.departed_on) }
                p { "Reason given: " (d.justification) }
                (outcome(slug, c, d))
            }
        }
        section.report-part {
            h2 { "Buyouts" }
            @if report.buyouts.is_empty() { p { "No buyouts." } }
            @else { div.scroll { table {
                thead { tr { th { "#" } th { "Whose slices" } th { "Bought by" } th.n { "Slices" } th.n { "Price a slice" } th.n { "Amount" } th { "Status" } th { "Claw-back until" } } }
                tbody { @for b in &report.buyouts { tr {
                    td { (b.record.number) } td { (b.member) } td { (b.buyer.as_deref().unwrap_or("the venture")) }
                    td.n { (c.format_slices(b.record.slices_minor)) } td.n { (c.format(b.record.price_per_slice_minor)) } td.n { (c.format(b.record.amount_minor)) }
                    td { (b.record.status) @if b.record.forced { " (forced)" } } td { (b.record.clawback_until.map(|d| d.to_string()).unwrap_or_default()) }
                } } }
            } } }
        }
        section.report-part {
            h2 { "Income" }
            p { "Not yet distributed: " (c.format(report.income.undistributed_minor)) "." }
            @if report.income.incomes.is_empty() { p { "No income recorded." } }
            @else { div.scroll { table {
                thead { tr { th { "#" } th { "Received on" } th { "What" } th.n { "Amount" } th { "Where from" } } }
                tbody { @for i in &report.income.incomes { tr { td { (i.number) } td { (i.received_on) } td { (i.kind) } td.n { (c.format(i.amount_minor)) } td { (i.note) } } } }
            } } }
        }
        section.report-part {
            h2 { "Distributions" }
            @if report.distributions.is_empty() { p { "Nothing distributed." } }
            @for d in &report.distributions {
                h3 { "#" (d.record.number) ": " (c.format(d.record.amount_minor)) " paid on " (d.record.paid_on) @if !d.record.note.is_empty() { " (" (d.record.note) ")" } }
                (payouts(slug, c, d))
            }
        }
        section.report-part {
            h2 { "Every member's statement" }
            @for s in &report.statements {
                article.statement {
                    h3 { (who(&s.display_name, &s.member)) " (" (s.member) ")" }
                    (statement_body(&actor, &standing, slug, c, s, false, true))
                }
            }
        }
    };
    let page = crate::views::page(&format!("Report: {}", report.venture.name), actor.account.as_ref(), &actor.csrf, body);
    Ok(Html(page.into_string()).into_response())
}

/// `/v/{slug}/exports/{what}.{csv|json}`: the cap table, the distributions or the statements.
pub(super) async fn export(actor: Actor, Path((slug, file)): Path<(String, String)>) -> PageResult {
    let parsed = file.rsplit_once('.').filter(|(what, format)| EXPORTS.contains(what) && (*format == "csv" || *format == "json"));
    let Some((what, format)) = parsed.map(|(w, f)| (w.to_string(), f.to_string())) else {
        return Err(fail(&actor)(AppError::NotFound { what: "export", name: file.clone() }));
    };
    let (run_slug, run_what, run_format) = (slug.clone(), what.clone(), format.clone());
    let text = actor.run(move |acting, now| acting.export_table(&run_slug, &run_what, &run_format, now)).await.map_err(fail(&actor))?;
    let content_type = if format == "csv" { "text/csv; charset=utf-8" } else { "application/json" };
    Ok(download(content_type, format!("{slug}-{what}.{format}"), text.into_bytes()))
}

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/v/{slug}/report", get(report_page)).route("/v/{slug}/exports/{file}", get(export))
}

//! The ledger: a member's page with their trace, the ledger with its filters, and reversing an
//! entry.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::html;
use peerstake_app::error::AppError;
use peerstake_app::forms::LOG_KINDS;
use peerstake_app::journal::ReverseRequest;
use serde::Deserialize;

use super::kit::*;
use super::widgets::*;
use crate::AppState;
use crate::common::{LedgerParams, ledger_query};
use crate::error::status_of;
use crate::extract::Actor;

pub(super) async fn member_page(actor: Actor, Path((slug, handle)): Path<(String, String)>, Query(query): Query<ReplyQuery>) -> PageResult {
    render_member(&actor, slug, handle, query.reply_to, None).await
}

/// A member's page: their trace and the conversation about them (with a comment form's failure).
pub(super) async fn render_member(actor: &Actor, slug: String, handle: String, reply_to: Option<u64>, failure: Option<CommentFailure>) -> PageResult {
    let (standing, report, thread) = actor
        .run(move |acting, now| {
            let thread = acting.comments(&slug, &peerstake_app::talk::Subject::Member(handle.clone()), None, 0, now)?;
            Ok((acting.standing(&slug, now)?, acting.trace(&slug, &handle, now)?, thread))
        })
        .await
        .map_err(fail(actor))?;
    let currency = report.currency;
    let slug = &standing.venture.record.slug;
    let body = html! {
        h1 { (report.member.display_name) " in " (standing.venture.record.name) }
        (venture_nav(&standing))
        p { (report.member.role) " since " (report.member.joined_on.to_string()) " · " strong { (currency.format_slices(report.slices_minor)) } " slices" }
        @for kind in &report.kinds {
            h2 { (kind.kind.name()) ": " (currency.format_slices(kind.slices_minor)) " slices" }
            div.scroll { table {
                thead { tr { th { "Entry" } th { "Date" } th { "Kind" } th.n { "Policy version" } th.n { "Value" } th.n { "Slices" } } }
                tbody { @for e in &kind.entries { tr {
                    td { a href=(format!("/v/{slug}/ledger?after={}&limit=1", e.seq.saturating_sub(1))) { "#" (e.seq) } }
                    td { (e.occurred_on.to_string()) } td { (e.tag) } td.n { (e.policy_version) }
                    td.n { (currency.format(e.fmv_minor)) } td.n { (currency.format_slices(e.slices_minor)) }
                } } }
            } }
        }
        (comment_section(actor, &standing, &peerstake_app::talk::Subject::Member(report.member.handle.clone()), &thread, reply_to, failure.as_ref()))
    };
    let status = failure.as_ref().map_or(StatusCode::OK, |f| status_of(&f.error));
    Ok(show_status(actor, status, &report.member.display_name, body))
}

pub(super) async fn ledger_page(actor: Actor, Path(slug): Path<String>, Query(params): Query<LedgerParams>) -> PageResult {
    render_ledger(&actor, slug, params, None).await
}

pub(super) async fn render_ledger(actor: &Actor, slug: String, params: LedgerParams, failure: Option<(u64, AppError)>) -> PageResult {
    let query = ledger_query(&params).map_err(fail(actor))?;
    let query_for_run = query.clone();
    let (standing, page_data) =
        actor.run(move |acting, now| Ok((acting.standing(&slug, now)?, acting.ledger(&slug, &query_for_run, now)?))).await.map_err(fail(actor))?;
    let currency = page_data.currency;
    let slug = &standing.venture.record.slug;
    let name_of =
        |no: peerstake_core::terms::MemberNo| page_data.members.iter().find(|m| m.member_no == no).map_or_else(|| format!("#{}", no.0), |m| m.handle.clone());
    let own = standing.member.as_ref().map(|m| m.member_no);
    let filter_link = |after: u64| {
        let mut link = format!("/v/{slug}/ledger?after={after}");
        for (key, value) in [("member", &params.member), ("kind", &params.kind), ("from", &params.from), ("to", &params.to)] {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                link.push_str(&format!("&{key}={value}"));
            }
        }
        link
    };
    let body = html! {
        h1 { "Ledger of " (standing.venture.record.name) }
        (venture_nav(&standing))
        form method="get" action=(format!("/v/{slug}/ledger")) class="filters" {
            div { label for="f-member" { "Member" } br; select id="f-member" name="member" {
                option value="" { "everyone" }
                @for m in &page_data.members { option value=(m.handle) selected[params.member.as_deref() == Some(m.handle.as_str())] { (m.display_name) } }
            } }
            div { label for="f-kind" { "Kind" } br; select id="f-kind" name="kind" {
                option value="" { "all" }
                @for k in LOG_KINDS.iter().chain(["reversal"].iter()).chain(peerstake_core::review::REVIEW_TAGS.iter()) { option value=(k) selected[params.kind.as_deref() == Some(*k)] { (k) } }
            } }
            div { label for="f-from" { "From" } br; input id="f-from" type="date" name="from" value=(params.from.clone().unwrap_or_default()); }
            div { label for="f-to" { "To" } br; input id="f-to" type="date" name="to" value=(params.to.clone().unwrap_or_default()); }
            button type="submit" { "Filter" }
        }
        p { a href=(format!("/v/{slug}/ledger.csv")) { "Ledger as CSV" } }
        @if let Some((seq, error)) = &failure { p.error role="alert" { "Entry #" (seq) " was not reversed: " (error.to_string()) } }
        div.scroll { table {
            thead { tr { th { "#" } th { "Date" } th { "Kind" } th { "For" } th { "Note" } th.n { "Value" } th.n { "Slices" } th { "Policy" } th { "Correct" } } }
            tbody { @for stored in &page_data.entries {
                @let entry = &stored.entry;
                tr id=(format!("entry-{}", entry.seq)) {
                    td { a href=(format!("/v/{slug}/entries/{}", entry.seq)) { "#" (entry.seq) } } td { (entry.dates()) }
                    td {
                        (entry.tag)
                        @if let Some(target) = entry.reverses.or(entry.about) { " of #" (target) }
                        @if let Some(status) = page_data.statuses.get(&entry.seq) { " " span.status data-status=(status) { (status) } }
                    }
                    td { @if let Some(m) = entry.member { (name_of(m)) } @else { "the venture" } }
                    td { (entry.note) } td.n { (currency.format(entry.fmv_minor)) } td.n { (currency.format_slices(entry.slices_minor)) }
                    td { "v" (entry.policy_version) }
                    td {
                        @if entry.tag != "reversal" && (standing.is_steward() || (own.is_some() && entry.author == own)) {
                            form.inline method="post" action=(format!("/v/{slug}/ledger/{}/reverse", entry.seq)) {
                                (csrf_field(actor))
                                label for=(format!("reason-{}", entry.seq)) { span.skip { "Reason to reverse #" (entry.seq) } }
                                input id=(format!("reason-{}", entry.seq)) type="text" name="reason" placeholder="reason" required size="10";
                                @if let Some((seq, error)) = &failure { @if *seq == entry.seq { (field_error(Some(error), "reason")) } }
                                button.secondary.flat type="submit" { "Reverse" }
                            }
                        }
                    }
                }
            } }
        } }
        @if let Some(next) = page_data.next_after { p { a href=(filter_link(next)) rel="next" { "Next page" } } }
    };
    let status = failure.as_ref().map_or(StatusCode::OK, |(_, error)| status_of(error));
    Ok(show_status(actor, status, "Ledger", body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ReverseForm {
    csrf: String,
    reason: String,
}

pub(super) async fn reverse(actor: Actor, Path((slug, seq)): Path<(String, u64)>, Form(form): Form<ReverseForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let target = format!("/v/{slug}/ledger#entry-{seq}");
    let slug_for_run = slug.clone();
    let outcome = actor
        .run(move |acting, now| acting.reverse(&ReverseRequest { venture: slug_for_run, seq, reason: form.reason, author: None, idempotency_key: None }, now))
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&target)),
        Err(error) if shown_in_form(&error) => {
            let params = LedgerParams { member: None, kind: None, from: None, to: None, after: Some(seq.saturating_sub(1)), limit: Some(20) };
            render_ledger(&actor, slug, params, Some((seq, error))).await
        }
        Err(error) => Err(fail(&actor)(error)),
    }
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v/{slug}/members/{handle}", get(member_page))
        .route("/v/{slug}/ledger", get(ledger_page))
        .route("/v/{slug}/ledger/{seq}/reverse", post(reverse))
}

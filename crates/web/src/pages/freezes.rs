//! Freezes: proposing to crystallize the split into a cap table, voting, the cap table, and
//! unfreezing.

use axum::extract::Path;
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};
use peerstake_app::error::AppError;
use peerstake_app::freezes::{FREEZE_REASONS, FreezeRequest, FreezeView, TOTAL_SHARES_DEFAULT};
use peerstake_app::payouts::day_of;
use peerstake_core::money::Currency;
use serde::Deserialize;

use super::kit::*;
use crate::AppState;
use crate::extract::Actor;

// ---- freezes and the cap table

/// What the freeze form sent: its fields, and shares issued at the start per member
/// (`issued-<handle>`).
#[derive(Default, Clone)]
struct FreezeValues {
    csrf: String,
    reason: String,
    note: String,
    total_shares: String,
    issued: Vec<(String, String)>,
}

impl FreezeValues {
    fn from_pairs(pairs: Vec<(String, String)>) -> FreezeValues {
        let mut values = FreezeValues::default();
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => values.csrf = value,
                "reason" => values.reason = value,
                "note" => values.note = value,
                "total_shares" => values.total_shares = value,
                _ => {
                    if let Some(handle) = name.strip_prefix("issued-")
                        && !value.trim().is_empty()
                    {
                        values.issued.push((handle.to_string(), value));
                    }
                }
            }
        }
        values
    }

    fn issued_for(&self, handle: &str) -> &str {
        self.issued.iter().find(|(h, _)| h == handle).map_or("", |(_, v)| v.as_str())
    }
}

fn reason_words(reason: &str) -> &'static str {
    match reason {
        "break-even" => "the venture breaks even",
        "funding-round" => "a large funding round",
        _ => "another reason",
    }
}

pub(super) async fn freezes_page(actor: Actor, Path(slug): Path<String>) -> PageResult {
    render_freezes(&actor, slug, FreezeValues::default(), None).await
}

async fn render_freezes(actor: &Actor, slug: String, values: FreezeValues, failure: Option<AppError>) -> PageResult {
    let (standing, freezes, members) = actor
        .run(move |acting, now| Ok((acting.standing(&slug, now)?, acting.freezes(&slug, now)?, acting.members(&slug, now)?)))
        .await
        .map_err(fail(actor))?;
    let failure = failure.as_ref();
    let slug = &standing.venture.record.slug;
    let current = freezes.iter().find(|f| f.record.status == "frozen");
    let open = freezes.iter().any(|f| f.record.status == "proposed" || f.record.status == "frozen");
    let body = html! {
        h1 { "Freezing the split of " (standing.venture.record.name) }
        (venture_nav(&standing))
        p { "While the venture grows, its split moves with every contribution. When it breaks even or raises a large funding round, the stewards may freeze it: the split becomes a cap table of whole shares, and the ledger's head (its latest entry and that entry's hash) is recorded, so anyone can check what the cap table was built from. A freeze is decided by the same rule as a change of formula." }
        @if let Some(frozen) = current {
            p.notice data-frozen=(frozen.record.number) { "The split is frozen since " (frozen.record.frozen_on.map(|d| d.to_string()).unwrap_or_default()) ": "
                a href=(format!("/v/{slug}/freezes/{}", frozen.record.number)) { "see the cap table (freeze #" (frozen.record.number) ")" } "." }
        } @else { p { "The split is not frozen." } }
        (form_error(failure))
        h2 { "Freezes" }
        @if freezes.is_empty() { p.muted { "None yet." } }
        @else { div.scroll { table {
            thead { tr { th { "#" } th { "Why" } th { "Status" } th { "Proposed by" } th { "Frozen on" } th { "Ledger head" } } }
            tbody { @for f in &freezes { tr data-freeze=(f.record.number) {
                td { a href=(format!("/v/{slug}/freezes/{}", f.record.number)) { "#" (f.record.number) } }
                td { (reason_words(&f.record.reason)) }
                td { strong data-status=(f.record.status) { (f.record.status) } }
                td { (f.proposed_by) }
                td { (f.record.frozen_on.map(|d| d.to_string()).unwrap_or_default()) }
                td { @if let Some((seq, _)) = &f.record.head { "entry #" (seq) } }
            } } }
        } } }
        p { "The cap table as it would be now: " a href=(format!("/v/{slug}/exports/cap-table.csv")) { "CSV" } " · " a href=(format!("/v/{slug}/exports/cap-table.json")) { "JSON" } }
        @if standing.is_steward() && !open {
            h2 { "Propose a freeze" }
            form.stack method="post" action=(format!("/v/{slug}/freezes")) {
                (csrf_field(actor))
                label for="f-reason" { "Why now" }
                select id="f-reason" name="reason" {
                    @for reason in FREEZE_REASONS { option value=(reason) selected[values.reason == reason] { (first_upper(reason_words(reason))) } }
                }
                (field_error(failure, "reason"))
                label for="f-note" { "More about it (optional)" }
                textarea id="f-note" name="note" rows="2" { (values.note) }
                (field_error(failure, "note"))
                (text_input("Whole shares in the cap table", "total_shares", if values.total_shares.is_empty() { "10000000" } else { &values.total_shares }, "text", failure, "total shares",
                    &format!("{TOTAL_SHARES_DEFAULT} unless you choose another number; each holder gets whole shares in proportion to their slices")))
                details {
                    summary { "Shares issued at the start (optional, for a buy-back plan)" }
                    p.hint { "If the team issued equal shares when it began, say how many each holds: the plan shows how many to buy back from each, and how many to issue, so that the shares end up in proportion to the slices." }
                    @for m in present(&members) {
                        (text_input(&format!("Issued to {}", who(&m.record.display_name, &m.record.handle)), &format!("issued-{}", m.record.handle), values.issued_for(&m.record.handle), "text", None, "issued shares", ""))
                    }
                    (field_error(failure, "issued shares"))
                }
                button type="submit" { "Propose the freeze" }
            }
        }
    };
    Ok(show_status(actor, status_with(failure), "Cap table", body))
}

pub(super) async fn propose_freeze(actor: Actor, Path(slug): Path<String>, Form(pairs): Form<Vec<(String, String)>>) -> PageResult {
    let values = FreezeValues::from_pairs(pairs);
    actor.check_form(&values.csrf).map_err(fail(&actor))?;
    actor.account().map_err(fail(&actor))?;
    let run_slug = slug.clone();
    let sent = values.clone();
    let outcome = actor
        .run(move |acting, now| {
            let request = FreezeRequest {
                venture: run_slug,
                by: String::new(),
                reason: sent.reason,
                note: sent.note,
                total_shares: sent.total_shares,
                issued: sent.issued,
            };
            acting.propose_freeze(&request, now)
        })
        .await;
    settle(
        &actor,
        outcome,
        in_form,
        |view| format!("/v/{slug}/freezes/{}", view.record.number),
        |error| render_freezes(&actor, slug.clone(), values, Some(error)),
    )
    .await
}

/// A cap table: each holder's slices, whole shares and share, with the buy-back plan when there is one.
pub(super) fn cap_table(slug: &str, c: Currency, view: &FreezeView) -> Markup {
    let plan = !view.record.issued.is_empty();
    let slices: i64 = view.cap_table.iter().map(|l| l.line.slices_minor).sum();
    let shares: i64 = view.cap_table.iter().map(|l| l.line.shares).sum();
    html! {
        div.scroll { table data-cap-table=(view.record.number) {
            thead { tr { th { "Holder" } th.n { "Slices" } th.n { "Whole shares" } th.n { "Share" }
                @if plan { th.n { "Issued at the start" } th.n { "Buy back" } th.n { "Issue" } } } }
            tbody {
                @for l in &view.cap_table { tr {
                    td { (member_link(slug, &l.member, &l.display_name)) }
                    td.n { (c.format_slices(l.line.slices_minor)) } td.n data-shares=(l.member) { (l.line.shares) } td.n { (l.percent) "%" }
                    @if plan { td.n { (l.line.issued) } td.n { (l.line.buy_back) } td.n { (l.line.issue) } }
                } }
                tr { th { "All" } th.n { (c.format_slices(slices)) } th.n { (shares) } th.n { "100.00%" } @if plan { th {} th {} th {} } }
            }
        } }
        @if let Some(total) = view.buyback_total { p { "After the buy-back plan: " strong { (total) } " shares in all." } }
    }
}

pub(super) async fn freeze_page(actor: Actor, Path((slug, number)): Path<(String, u32)>) -> PageResult {
    render_freeze(&actor, slug, number, None).await
}

async fn render_freeze(actor: &Actor, slug: String, number: u32, failure: Option<AppError>) -> PageResult {
    let (standing, view) = actor.run(move |acting, now| Ok((acting.standing(&slug, now)?, acting.freeze(&slug, number, now)?))).await.map_err(fail(actor))?;
    let failure = failure.as_ref();
    let c = currency_of(&standing).map_err(fail(actor))?;
    let slug = &standing.venture.record.slug;
    let r = &view.record;
    let unfreezing = r.status == "frozen" && r.unfreeze_proposed_at_ms.is_some();
    let counting = if unfreezing { &view.unfreeze_votes } else { &view.votes };
    let voted = standing.handle().is_some_and(|me| counting.iter().any(|(who, _)| who == me));
    let may_vote = is_present(&standing) && !voted && (r.status == "proposed" || unfreezing);
    let body = html! {
        h1 { "Freeze #" (r.number) " of " (standing.venture.record.name) }
        (venture_nav(&standing))
        p { "Status: " strong data-status=(r.status) { (r.status) } @if unfreezing { " (undoing it is proposed)" } }
        p { "Why: " (reason_words(&r.reason)) "." @if !r.note.is_empty() { " " (r.note) } }
        p { "Proposed by " (view.proposed_by) " on " (day_of(r.proposed_at_ms)) ". " (view.rule) }
        @match &r.head {
            Some((seq, hash)) => p data-head=(seq) { "Frozen on " (r.frozen_on.map(|d| d.to_string()).unwrap_or_default()) " at ledger entry "
                @if *seq > 0 { (entry_link(slug, *seq)) } @else { "#0 (empty ledger)" } ", hash " code.wrap { (hash) } "." },
            None => p { "While it is proposed, the cap table below is worked out from the split now; it is fixed, with the ledger's head, when the freeze is decided." },
        }
        (form_error(failure))
        h2 { "Votes" }
        @if counting.is_empty() { p.muted { "No votes yet." } }
        @else { ul { @for (who, vote) in counting.iter() { li { (who) ": " (if vote.approve { "for" } else { "against" }) } } } }
        @if may_vote {
            form method="post" action=(format!("/v/{slug}/freezes/{}/vote", r.number)) {
                (csrf_field(actor))
                button type="submit" name="vote" value="for" { @if unfreezing { "Vote to unfreeze" } @else { "Vote for the freeze" } } " "
                button.secondary type="submit" name="vote" value="against" { "Vote against" }
            }
        }
        @if standing.is_steward() && r.status == "frozen" && !unfreezing {
            form method="post" action=(format!("/v/{slug}/freezes/{}/unfreeze", r.number)) {
                (csrf_field(actor))
                button.secondary type="submit" { "Propose to unfreeze the split" }
            }
        }
        h2 { "The cap table" }
        @if view.cap_table.is_empty() { p.muted { "No one holds slices." } } @else { (cap_table(slug, c, &view)) }
        p { "Download: " a href=(format!("/v/{slug}/exports/cap-table.csv")) { "CSV" } " · " a href=(format!("/v/{slug}/exports/cap-table.json")) { "JSON" } }
    };
    Ok(show_status(actor, status_with(failure), &format!("Freeze #{number}"), body))
}

pub(super) async fn vote_freeze(actor: Actor, Path((slug, number)): Path<(String, u32)>, Form(form): Form<VoteForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let run_slug = slug.clone();
    let outcome = actor
        .run(move |acting, now| {
            let approve = match form.vote.as_str() {
                "for" => true,
                "against" => false,
                _ => return Err(peerstake_app::error::invalid("vote", "use for or against")),
            };
            acting.vote_freeze(&run_slug, number, approve, now)
        })
        .await;
    settle(&actor, outcome, in_form, |_| format!("/v/{slug}/freezes/{number}"), |error| render_freeze(&actor, slug.clone(), number, Some(error))).await
}

pub(super) async fn propose_unfreeze(actor: Actor, Path((slug, number)): Path<(String, u32)>, Form(form): Form<CsrfOnly>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let run_slug = slug.clone();
    let outcome = actor.run(move |acting, now| acting.propose_unfreeze(&run_slug, number, now)).await;
    settle(&actor, outcome, in_form, |_| format!("/v/{slug}/freezes/{number}"), |error| render_freeze(&actor, slug.clone(), number, Some(error))).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct VoteForm {
    csrf: String,
    vote: String,
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v/{slug}/freezes", get(freezes_page).post(propose_freeze))
        .route("/v/{slug}/freezes/{number}", get(freeze_page))
        .route("/v/{slug}/freezes/{number}/vote", post(vote_freeze))
        .route("/v/{slug}/freezes/{number}/unfreeze", post(propose_unfreeze))
}

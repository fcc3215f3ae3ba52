//! The policy: the versions in force and adopting one; proposals to change it, with the split
//! under each, votes and withdrawal.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::html;
use peerstake_app::book::SetPolicy;
use peerstake_app::error::AppError;
use peerstake_app::ledger::SplitQuery;
use peerstake_app::policy_file::PolicyChoice;
use peerstake_app::proposals::{ProposeRequest, VoteRequest};
use peerstake_core::split::format_share;
use serde::Deserialize;

use super::kit::*;
use super::widgets::*;
use crate::AppState;
use crate::error::status_of;
use crate::extract::{Actor, parse_date};

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PolicyQuery {
    pub(super) candidate: String,
}

pub(super) async fn policy_page(actor: Actor, Path(slug): Path<String>, Query(query): Query<PolicyQuery>) -> PageResult {
    render_policy(&actor, slug, query, None).await
}

pub(super) async fn render_policy(actor: &Actor, slug: String, query: PolicyQuery, failure: Option<AppError>) -> PageResult {
    let failure = failure.as_ref();
    let candidate = if query.candidate.is_empty() { "hours-only".to_string() } else { query.candidate.clone() };
    let candidate_for_run = candidate.clone();
    let (standing, (currency, versions), current, proposed, proposals) = actor
        .run(move |acting, now| {
            let standing = acting.standing(&slug, now)?;
            let history = acting.policy_history(&slug, now)?;
            let current = acting.split(&slug, &SplitQuery::default(), now)?;
            let proposed = acting.split(&slug, &SplitQuery { as_of: None, policy: Some(PolicyChoice::Preset(candidate_for_run)) }, now)?;
            let proposals = acting.proposals(&slug, now)?;
            Ok((standing, history, current, proposed, proposals))
        })
        .await
        .map_err(fail(actor))?;
    let slug = &standing.venture.record.slug;
    let in_force = versions.iter().rev().find(|v| v.record.version == standing.venture.policy_version).or(versions.last());
    let body = html! {
        h1 { "The formula of " (standing.venture.record.name) }
        (venture_nav(&standing))
        @if let Some(version) = in_force {
            h2 { "In force: version " (version.record.version) " (" (version.policy.preset) "), since " (version.record.effective_from.to_string()) }
            details { summary { "Every setting" } pre { (version.record.settings) } }
        }
        h2 { "History" }
        div.scroll { table {
            thead { tr { th { "Version" } th { "From" } th { "Preset" } } }
            tbody { @for v in &versions { tr { td { (v.record.version) } td { (v.record.effective_from.to_string()) } td { (v.policy.preset) } } } }
        } }
        h2 { "Compare with another formula" }
        form method="get" action=(format!("/v/{slug}/policy")) {
            label for="f-candidate" { "Candidate preset" } " "
            select id="f-candidate" name="candidate" {
                @for p in ["slicing-pie", "hours-only"] { option value=(p) selected[p == candidate] { (p) } }
            }
            " " button type="submit" { "Compare" }
        }
        p.hint { "The same ledger, valued under the candidate; nothing is written." }
        div.scroll { table {
            thead { tr { th { "Member" } th.n { "Share now" } th.n { "Share under " (candidate) } } }
            tbody { @for line in &current.lines {
                @let other = proposed.lines.iter().find(|l| l.member.member_no == line.member.member_no);
                tr { td { (line.member.display_name) } td.n { (format_share(line.figures.share_units)) "%" } td.n { (other.map_or_else(String::new, |l| format_share(l.figures.share_units))) "%" } }
            } }
        } }
        @if !proposed.unvalued.is_empty() { p.muted { (proposed.unvalued.len()) " entries could not be valued under the candidate." } }
        h2 { "Proposals" }
        @if proposals.is_empty() { p { "No change has been proposed." } }
        @else { ul { @for p in &proposals {
            li { a href=(format!("/v/{slug}/proposals/{}", p.record.number)) { "Proposal #" (p.record.number) } ": " (p.policy.preset) " from "
                (p.record.effective_from.to_string()) " by " (p.proposed_by) " · " span.status data-status=(p.record.status) { (p.record.status) } }
        } } }
        @if standing.member.is_some() && !standing.is_steward() {
            h2 { "Propose a formula" }
            form.stack method="post" action=(format!("/v/{slug}/proposals")) {
                (csrf_field(actor))
                (form_error(failure))
                (select("Preset", "preset", &[("slicing-pie", "Slicing Pie"), ("hours-only", "Hours only")], &candidate))
                label for="f-effective_from" { "From" }
                input id="f-effective_from" type="date" name="effective_from" required;
                (field_error(failure, "effective from"))
                label for="f-note" { "Why" }
                input id="f-note" type="text" name="note";
                button type="submit" { "Propose" }
            }
        }
        @if standing.is_steward() {
            h2 { "Adopt a formula" }
            form.stack method="post" action=(format!("/v/{slug}/policy")) {
                (csrf_field(actor))
                (form_error(failure))
                (select("Preset", "preset", &[("slicing-pie", "Slicing Pie"), ("hours-only", "Hours only")], &candidate))
                label for="f-effective_from" { "From" }
                span.hint { "after every entry already valued: no past figure changes" }
                input id="f-effective_from" type="date" name="effective_from" required;
                (field_error(failure, "effective from"))
                button type="submit" { "Adopt" }
            }
        }
        p.muted { "Amounts in " (currency.code()) "." }
    };
    Ok(show_after(actor, failure, "Formula", body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AdoptForm {
    csrf: String,
    preset: String,
    effective_from: String,
}

pub(super) async fn adopt_policy(actor: Actor, Path(slug): Path<String>, Form(form): Form<AdoptForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let target = format!("/v/{slug}/policy");
    let slug_for_run = slug.clone();
    let preset = form.preset.clone();
    let outcome = actor
        .run(move |acting, now| {
            let request = SetPolicy {
                venture: slug_for_run,
                policy: PolicyChoice::Preset(form.preset),
                effective_from: parse_date("effective from", form.effective_from.trim())?,
                idempotency_key: None,
            };
            acting.set_policy(&request, now)
        })
        .await;
    match outcome {
        Ok(Ok(_)) => Ok(see_other(&target)),
        Ok(Err(proposal)) => Ok(see_other(&format!("/v/{slug}/proposals/{}", proposal.record.number))),
        Err(error) if shown_in_form(&error) => render_policy(&actor, slug, PolicyQuery { candidate: preset }, Some(error)).await,
        Err(error) => Err(fail(&actor)(error)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct VoteForm {
    csrf: String,
    approve: String,
    note: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ProposeForm {
    csrf: String,
    preset: String,
    effective_from: String,
    note: String,
}

pub(super) async fn propose(actor: Actor, Path(slug): Path<String>, Form(form): Form<ProposeForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let slug_for_run = slug.clone();
    let preset = form.preset.clone();
    let outcome = actor
        .run(move |acting, now| {
            let request = ProposeRequest {
                venture: slug_for_run,
                by: String::new(),
                policy: PolicyChoice::Preset(form.preset),
                effective_from: parse_date("effective from", form.effective_from.trim())?,
                note: form.note,
                idempotency_key: None,
            };
            acting.propose(&request, now)
        })
        .await;
    settle(
        &actor,
        outcome,
        shown_in_form,
        |view| format!("/v/{slug}/proposals/{}", view.record.number),
        |error| render_policy(&actor, slug.clone(), PolicyQuery { candidate: preset }, Some(error)),
    )
    .await
}

pub(super) async fn proposal_page(actor: Actor, Path((slug, number)): Path<(String, u32)>, Query(query): Query<ReplyQuery>) -> PageResult {
    render_proposal(&actor, slug, number, query.reply_to, None, None).await
}

pub(super) async fn render_proposal(
    actor: &Actor,
    slug: String,
    number: u32,
    reply_to: Option<u64>,
    failure: Option<AppError>,
    comment_failure: Option<CommentFailure>,
) -> PageResult {
    let (standing, (proposal, current, proposed), thread) = actor
        .run(move |acting, now| {
            let thread = acting.comments(&slug, &peerstake_app::talk::Subject::Proposal(number), None, 0, now)?;
            let proposal = acting.proposal(&slug, number, now)?;
            let current = acting.split(&slug, &peerstake_app::ledger::SplitQuery::default(), now)?;
            let proposed = acting.split(&slug, &peerstake_app::ledger::SplitQuery::under(&proposal.record.settings), now)?;
            Ok((acting.standing(&slug, now)?, (proposal, current, proposed), thread))
        })
        .await
        .map_err(fail(actor))?;
    let failure = failure.as_ref();
    let slug = &standing.venture.record.slug;
    let record = &proposal.record;
    let own = standing.member.as_ref().map(|m| m.handle.as_str());
    let voted = own.is_some_and(|h| proposal.votes.iter().any(|(who, _)| who == h));
    let body = html! {
        h1 { "Proposal #" (record.number) ": " (proposal.policy.preset) " from " (record.effective_from.to_string()) }
        (venture_nav(&standing))
        p { "Proposed by " (proposal.proposed_by) " · " strong data-status=(record.status) { (record.status) }
            @if let Some(version) = record.policy_version { " as policy version " (version) } }
        @if !record.note.is_empty() { p { (record.note) } }
        p.hint { "Decided by " (proposal.rule) "." }
        (form_error(failure))
        h2 { "The split now and under this proposal" }
        div.scroll { table {
            thead { tr { th { "Member" } th.n { "Share now" } th.n { "Share if adopted" } } }
            tbody { @for line in &current.lines {
                @let other = proposed.lines.iter().find(|l| l.member.member_no == line.member.member_no);
                tr { td { (line.member.display_name) } td.n { (format_share(line.figures.share_units)) "%" }
                     td.n data-proposed=(line.member.handle) { (other.map_or_else(String::new, |l| format_share(l.figures.share_units))) "%" } }
            } }
        } }
        details { summary { "Every proposed setting" } pre { (record.settings) } }
        h2 { "Votes" }
        @if proposal.votes.is_empty() { p { "No votes yet." } }
        ul { @for (who, vote) in &proposal.votes { li { (who) ": " strong { @if vote.approve { "for" } @else { "against" } } @if !vote.note.is_empty() { " — " (vote.note) } } } }
        @if record.status == "open" && standing.member.is_some() {
            @if !voted {
                form.stack method="post" action=(format!("/v/{slug}/proposals/{}/vote", record.number)) {
                    (csrf_field(actor))
                    label for="f-note" { "Comment (optional)" }
                    input id="f-note" type="text" name="note";
                    div { button type="submit" name="approve" value="yes" { "Vote for" } " " button.secondary type="submit" name="approve" value="no" { "Vote against" } }
                }
            }
            @if own == Some(proposal.proposed_by.as_str()) {
                form method="post" action=(format!("/v/{slug}/proposals/{}/withdraw", record.number)) {
                    (csrf_field(actor))
                    button.secondary type="submit" { "Withdraw this proposal" }
                }
            }
        }
        (comment_section(actor, &standing, &peerstake_app::talk::Subject::Proposal(number), &thread, reply_to, comment_failure.as_ref()))
    };
    let status = failure.or(comment_failure.as_ref().map(|f| &f.error)).map_or(StatusCode::OK, status_of);
    Ok(show_status(actor, status, &format!("Proposal #{number}"), body))
}

pub(super) async fn vote(actor: Actor, Path((slug, number)): Path<(String, u32)>, Form(form): Form<VoteForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let slug_for_run = slug.clone();
    let outcome = actor
        .run(move |acting, now| {
            let approve = match form.approve.as_str() {
                "yes" => true,
                "no" => false,
                _ => return Err(peerstake_app::error::invalid("approve", "vote for or against")),
            };
            acting.vote_on_proposal(&VoteRequest { venture: slug_for_run, number, by: String::new(), approve, note: form.note }, now)
        })
        .await;
    settle(
        &actor,
        outcome,
        shown_in_form,
        |_| format!("/v/{slug}/proposals/{number}"),
        |error| render_proposal(&actor, slug.clone(), number, None, Some(error), None),
    )
    .await
}

pub(super) async fn withdraw(actor: Actor, Path((slug, number)): Path<(String, u32)>, Form(form): Form<VoteForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let slug_for_run = slug.clone();
    actor.run(move |acting, now| acting.withdraw_proposal(&slug_for_run, number, now)).await.map_err(fail(&actor))?;
    Ok(see_other(&format!("/v/{slug}/proposals/{number}")))
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v/{slug}/proposals", post(propose))
        .route("/v/{slug}/proposals/{number}", get(proposal_page))
        .route("/v/{slug}/proposals/{number}/vote", post(vote))
        .route("/v/{slug}/proposals/{number}/withdraw", post(withdraw))
        .route("/v/{slug}/policy", get(policy_page).post(adopt_policy))
}

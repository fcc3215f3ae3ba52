//! Review: an entry with its review and conversation, the steps (approve, dispute, decide,
//! vote), amendments, and the queue of entries waiting.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};
use peerstake_app::access::Standing;
use peerstake_app::error::AppError;
use peerstake_app::journal::LogRequest;
use peerstake_app::review::{AmendRequest, EntryReview, ReviewRequest};
use peerstake_core::review::{Status, Step, Verdict};
use serde::Deserialize;

use super::kit::*;
use super::widgets::*;
use crate::AppState;
use crate::common::{LogIn, log_request};
use crate::error::status_of;
use crate::extract::{Actor, Caller};

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct StepForm {
    csrf: String,
    step: String,
    verdict: String,
    note: String,
}

#[derive(Deserialize)]
pub(super) struct AmendForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(flatten)]
    entry: LogIn,
}

pub(super) async fn entry_page(actor: Actor, Path((slug, seq)): Path<(String, u64)>, Query(query): Query<ReplyQuery>) -> PageResult {
    render_entry(&actor, slug, seq, query.reply_to, None).await
}

async fn render_entry(actor: &Actor, slug: String, seq: u64, reply_to: Option<u64>, failure: Option<AppError>) -> PageResult {
    let (standing, review, thread) = actor
        .run(move |acting, now| {
            let thread = acting.comments(&slug, &peerstake_app::talk::Subject::Entry(seq), None, 0, now)?;
            Ok((acting.standing(&slug, now)?, acting.entry_review(&slug, seq, now)?, thread))
        })
        .await
        .map_err(fail(actor))?;
    let failure = failure.as_ref();
    let status = failure.map_or(StatusCode::OK, status_of);
    let body = html! {
        (entry_body(actor, &standing, &review, failure))
        (comment_section(actor, &standing, &peerstake_app::talk::Subject::Entry(seq), &thread, reply_to, None))
    };
    Ok(show_status(actor, status, &format!("Entry #{seq}"), body))
}

fn entry_body(actor: &Caller, standing: &Standing, review: &EntryReview, failure: Option<&AppError>) -> Markup {
    let named = &review.entry;
    let entry = &named.entry.entry;
    let currency = named.currency;
    let slug = &standing.venture.record.slug;
    let seq = entry.seq;
    let action = format!("/v/{slug}/entries/{seq}/review");
    let open = review.reversed_by.is_none();
    let status = review.status.filter(|_| open);
    let is_member = standing.member.is_some();
    let status_text = match (review.reversed_by, review.status) {
        (Some(_), _) => "reversed",
        (None, Some(status)) => status.name(),
        (None, None) => "a record",
    };
    let step_button = |step: &str, verdict: &str, label: &str| {
        html! {
            form.inline method="post" action=(action) {
                (csrf_field(actor))
                input type="hidden" name="step" value=(step);
                @if !verdict.is_empty() { input type="hidden" name="verdict" value=(verdict); }
                button type="submit" { (label) }
            }
        }
    };
    html! {
        h1 { "Entry #" (seq) " · " (entry.tag) }
        (venture_nav(standing))
        p { "Status: " strong data-status=(status_text) { (status_text) } " · " (review.rule) }
        (form_error(failure))
        dl {
            dt { "Date" } dd { (entry.dates()) }
            dt { "For" } dd { @if let Some(m) = entry.member { (named.handle(m)) } @else { "the venture" } }
            @if let Some(author) = entry.author { dt { "Recorded by" } dd { (named.handle(author)) } }
            dt { "Value" } dd { (currency.format(entry.fmv_minor)) }
            dt { "Slices" } dd { (currency.format_slices(entry.slices_minor)) @if status.is_some_and(|s| s != Status::Counted) { " (not counted while " (status_text) ")" } }
            dt { "Policy version" } dd { (entry.policy_version) }
            @if !entry.note.is_empty() { dt { "Note" } dd { (entry.note) } }
            @if let Some(target) = entry.reverses.or(entry.about) { dt { "About" } dd { a href=(format!("/v/{slug}/entries/{target}")) { "entry #" (target) } } }
            @if !review.approvals.is_empty() { dt { "Approved by" } dd { (review.approvals.join(", ")) } }
            @if let Some(by) = &review.disputed_by { dt { "Disputed by" } dd { (by) } }
            @if let Some(by) = review.reversed_by { dt { "Reversed by" } dd { a href=(format!("/v/{slug}/entries/{by}")) { "entry #" (by) } } }
            @if let Some(by) = review.amended_by { dt { "Amended by" } dd { a href=(format!("/v/{slug}/entries/{by}")) { "entry #" (by) } } }
        }
        @if !review.steps.is_empty() {
            h2 { "Review" }
            ol { @for step in &review.steps {
                @let e = &step.entry.entry;
                li id=(format!("step-{}", e.seq)) {
                    a href=(format!("/v/{slug}/entries/{}", e.seq)) { "#" (e.seq) } " " (e.dates()) " · " strong { (e.tag) }
                    @if let Some(author) = e.author { " by " (step.handle(author)) }
                    @if e.slices_minor != 0 { " · " (currency.format_slices(e.slices_minor)) " slices" }
                    @if !e.note.is_empty() { ": " (e.note) }
                }
            } }
        }
        @if is_member && open {
            @match status {
                Some(Status::Pending) => {
                    h2 { "Review this entry" }
                    (step_button("approve", "", "Approve"))
                    (dispute_form(actor, &action, failure))
                }
                Some(Status::Counted) => {
                    h2 { "Something wrong?" }
                    (dispute_form(actor, &action, failure))
                }
                Some(Status::Disputed) => {
                    h2 { "Settle the dispute" }
                    p { (step_button("withdraw", "", "Withdraw my dispute")) }
                    @if review.disputes == peerstake_core::policy::DisputeRule::Stewards {
                        @if standing.is_steward() { p { "As a steward: " (step_button("decide", "uphold", "Uphold (it counts)")) " " (step_button("decide", "reject", "Reject")) } }
                    } @else {
                        p { "Your vote: " (step_button("vote", "uphold", "Uphold")) " " (step_button("vote", "reject", "Reject")) }
                    }
                }
                _ => {}
            }
            @if status.is_some() && (standing.is_steward() || entry.author == standing.member.as_ref().map(|m| m.member_no)) {
                h2 { "Amend" }
                p.hint { "Amending reverses this entry and logs the corrected one, linked to it." }
                form method="post" action=(format!("/v/{slug}/entries/{seq}/amend")) {
                    (csrf_field(actor))
                    input type="hidden" name="kind" value=(entry.tag);
                    @if let Some(m) = entry.member { input type="hidden" name="member" value=(named.handle(m)); }
                    (text_input("Date", "date", &entry.occurred_on.to_string(), "date", failure, "date", ""))
                    (text_input("Hours or units", "quantity", "", "text", failure, "quantity", "for time and capital-use"))
                    (text_input("Amount", "amount", "", "text", failure, "amount", "for money and goods"))
                    (text_input("Paid back", "paid", "", "text", failure, "paid", ""))
                    (text_input("What was done", "note", &entry.note, "text", failure, "note", ""))
                    (text_input("Why amend", "reason", "", "text", failure, "reason", "required"))
                    button type="submit" { "Amend entry #" (seq) }
                }
            }
        }
    }
}

fn dispute_form(actor: &Caller, action: &str, failure: Option<&AppError>) -> Markup {
    html! {
        form method="post" action=(action) {
            (csrf_field(actor))
            input type="hidden" name="step" value="dispute";
            (text_input("Reason to dispute", "note", "", "text", failure, "reason", "what is wrong with it"))
            button.secondary type="submit" { "Dispute" }
        }
    }
}

pub(super) async fn take_step(actor: Actor, Path((slug, seq)): Path<(String, u64)>, Form(form): Form<StepForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let verdict = || Verdict::from_name(&form.verdict).ok_or_else(|| peerstake_app::error::invalid("verdict", "use uphold or reject"));
    let step = match form.step.as_str() {
        "approve" => Ok(Step::Approve),
        "dispute" => Ok(Step::Dispute),
        "withdraw" => Ok(Step::Withdraw),
        "decide" => verdict().map(Step::Decide),
        "vote" => verdict().map(Step::Vote),
        other => Err(peerstake_app::error::invalid("step", format!("'{other}' is not a review step"))),
    };
    let slug_for_run = slug.clone();
    let note = form.note.clone();
    let outcome = match step {
        Ok(step) => {
            actor
                .run(move |acting, now| {
                    let request = ReviewRequest { venture: slug_for_run, seq, step, by: String::new(), note, idempotency_key: None };
                    acting.review(&request, now)
                })
                .await
        }
        Err(error) => Err(error),
    };
    settle(&actor, outcome, shown_in_form, |_| format!("/v/{slug}/entries/{seq}"), |error| render_entry(&actor, slug.clone(), seq, None, Some(error))).await
}

pub(super) async fn amend(actor: Actor, Path((slug, seq)): Path<(String, u64)>, Form(form): Form<AmendForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let slug_for_run = slug.clone();
    let outcome = actor
        .run(move |acting, now| {
            let log = log_request(&slug_for_run, &form.entry, None)?;
            let log = LogRequest { form: log.form.read_in(acting.numbers_for(Some(&slug_for_run))?)?, ..log };
            acting.amend(&AmendRequest { seq, reason: form.reason, log }, now)
        })
        .await;
    settle(
        &actor,
        outcome,
        shown_in_form,
        |stored| format!("/v/{slug}/entries/{}", stored.entry.seq),
        |error| render_entry(&actor, slug.clone(), seq, None, Some(error)),
    )
    .await
}

pub(super) async fn queue_page(actor: Actor, Path(slug): Path<String>) -> PageResult {
    let (standing, queue) = actor.run(move |acting, now| Ok((acting.standing(&slug, now)?, acting.review_queue(&slug, now)?))).await.map_err(fail(&actor))?;
    let slug = &standing.venture.record.slug;
    let body = html! {
        h1 { "To review in " (standing.venture.record.name) }
        (venture_nav(&standing))
        @if queue.is_empty() { p { "Nothing waits for review." } }
        @else {
            div.scroll { table {
                thead { tr { th { "#" } th { "Status" } th { "Date" } th { "Kind" } th { "For" } th.n { "Slices" } th { "Note" } } }
                tbody { @for (named, status) in &queue {
                    @let e = &named.entry.entry;
                    tr {
                        td { a href=(format!("/v/{slug}/entries/{}", e.seq)) { "#" (e.seq) } }
                        td { span.status data-status=(status.name()) { (status.name()) } }
                        td { (e.dates()) } td { (e.tag) }
                        td { @if let Some(m) = e.member { (named.handle(m)) } @else { "the venture" } }
                        td.n { (named.currency.format_slices(e.slices_minor)) } td { (e.note) }
                    }
                } }
            } }
        }
    };
    Ok(show(&actor, "To review", body))
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v/{slug}/entries/{seq}", get(entry_page))
        .route("/v/{slug}/entries/{seq}/review", post(take_step))
        .route("/v/{slug}/entries/{seq}/amend", post(amend))
        .route("/v/{slug}/review", get(queue_page))
}

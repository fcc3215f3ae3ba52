//! Needs: a venture's needs with their goals and progress, one need with its pledges and
//! conversation, pledging, paying and cancelling.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::html;
use peerstake_app::capital::{PayNeed, PublishNeed};
use peerstake_app::error::AppError;
use peerstake_app::forms::read_amount;
use peerstake_app::talk::Subject;
use serde::Deserialize;

use super::kit::*;
use super::widgets::*;
use crate::AppState;
use crate::error::status_of;
use crate::extract::Actor;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NeedForm {
    csrf: String,
    title: String,
    description: String,
    amount: String,
    cadence: String,
    periods: String,
    stretch: String,
    min_pledge: String,
    deadline: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AmountForm {
    csrf: String,
    amount: String,
    key: String,
}

pub(super) async fn needs_page(actor: Actor, Path(slug): Path<String>) -> PageResult {
    render_needs(&actor, slug, None).await
}

async fn render_needs(actor: &Actor, slug: String, failure: Option<AppError>) -> PageResult {
    let (standing, needs, well) =
        actor.run(move |acting, now| Ok((acting.standing(&slug, now)?, acting.needs(&slug, now)?, acting.well(&slug, now)?))).await.map_err(fail(actor))?;
    let failure = failure.as_ref();
    let slug = &standing.venture.record.slug;
    let c = well.currency;
    let body = html! {
        h1 { "Needs of " (standing.venture.record.name) }
        (venture_nav(&standing))
        p { "What the venture must pay for. Pledges are held until a need's goal is met, then posted into the well all at once; if the deadline passes first, every pledge is released and nothing is taken." }
        p { "The well holds " strong data-well=(c.format(well.balance_minor)) { (c.format(well.balance_minor)) } ". "
            a href=(format!("/v/{slug}/well")) { "Well statement" } " · " a href=(format!("/v/{slug}/costs")) { "Who covered what" } " · " a href=(format!("/v/{slug}/goods")) { "Lent goods" } }
        @if needs.is_empty() { p.muted { "No needs published yet." } }
        ul.cards { @for need in needs.iter().rev() {
            li { h3.top { a href=(format!("/v/{slug}/needs/{}", need.record.number)) { "#" (need.record.number) " " (need.record.title) } } (progress(need)) }
        } }
        @if standing.is_steward() {
            h2 { "Publish a need" }
            form.stack method="post" action=(format!("/v/{slug}/needs")) {
                (csrf_field(actor))
                (form_error(failure))
                (text_input("What it is for", "title", "", "text", failure, "title", "e.g. A laptop for the designer"))
                (text_input("More about it (optional)", "description", "", "text", failure, "note", ""))
                (numbers_note(actor, &standing))
                (text_input("Amount", "amount", "", "text", failure, "amount", "a one-off cost, or one period's"))
                (select("Recurring?", "cadence", &[("", "No, a one-off cost"), ("monthly", "Monthly"), ("weekly", "Weekly")], ""))
                (text_input("Periods (recurring)", "periods", "", "number", failure, "periods", "how many months or weeks the goal covers"))
                (text_input("Stretch goal (optional)", "stretch", "", "text", failure, "stretch goal", "a total above the goal"))
                (text_input("Smallest pledge (optional)", "min_pledge", "", "text", failure, "minimum pledge", "one unit of the currency when empty"))
                (text_input("Pledges until", "deadline", "", "date", failure, "deadline", ""))
                button type="submit" { "Publish" }
            }
        }
    };
    Ok(show_after(actor, failure, "Needs", body))
}

pub(super) async fn publish_need(actor: Actor, Path(slug): Path<String>, Form(form): Form<NeedForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let run_slug = slug.clone();
    let outcome = actor
        .run(move |acting, now| {
            let periods = match form.periods.trim() {
                "" => 0,
                text => text.parse::<u32>().map_err(|_| peerstake_app::error::invalid("periods", "is not a whole number"))?,
            };
            let numbers = acting.numbers_for(Some(&run_slug))?;
            let request = PublishNeed {
                amount: read_amount(numbers, "amount", &form.amount)?,
                stretch: read_amount(numbers, "stretch goal", &form.stretch)?,
                min_pledge: read_amount(numbers, "minimum pledge", &form.min_pledge)?,
                venture: run_slug,
                title: form.title,
                description: form.description,
                cadence: form.cadence,
                periods,
                deadline: optional("deadline", &form.deadline)?,
                by: None,
                idempotency_key: None,
            };
            acting.publish_need(&request, now)
        })
        .await;
    settle(&actor, outcome, shown_in_form, |need| format!("/v/{slug}/needs/{}", need.record.number), |error| render_needs(&actor, slug.clone(), Some(error)))
        .await
}

#[derive(Deserialize)]
pub(super) struct NeedQuery {
    reply_to: Option<u64>,
}

pub(super) async fn need_page(actor: Actor, Path((slug, number)): Path<(String, u32)>, Query(query): Query<NeedQuery>) -> PageResult {
    render_need(&actor, slug, number, query.reply_to, None, None).await
}

pub(super) async fn render_need(
    actor: &Actor,
    slug: String,
    number: u32,
    reply_to: Option<u64>,
    failure: Option<AppError>,
    comment_failure: Option<CommentFailure>,
) -> PageResult {
    let (standing, (need, pledges), well, thread, today) = actor
        .run(move |acting, now| {
            let thread = acting.comments(&slug, &Subject::Need(number), None, 0, now)?;
            Ok((acting.standing(&slug, now)?, acting.need(&slug, number, now)?, acting.well(&slug, now)?, thread, now.today))
        })
        .await
        .map_err(fail(actor))?;
    let failure = failure.as_ref();
    let slug = &standing.venture.record.slug;
    let c = need.currency;
    let r = &need.record;
    let payments: Vec<_> = well.movements.iter().filter(|m| m.need == Some(number) && m.tag == "withdrawal").collect();
    let body = html! {
        h1 { "Need #" (r.number) ": " (r.title) }
        (venture_nav(&standing))
        @if !r.description.is_empty() { p { (r.description) } }
        (progress(&need))
        (form_error(failure))
        @if need.takes_pledges(today) {
            @if actor.account.is_some() {
                form.stack method="post" action=(format!("/v/{slug}/needs/{number}/pledge")) {
                    (csrf_field(actor))
                    input type="hidden" name="key" value=(format!("pledge-{}-{}", number, actor.csrf.get(..12).unwrap_or_default()));
                    (numbers_note(actor, &standing))
                    (text_input("Pledge", "amount", "", "text", failure, "amount",
                        &format!("at least {}; {} remain. Held until the goal is met, released if it is not by {}.", c.format(r.min_pledge_minor), c.format(need.remaining_minor()), r.deadline)))
                    button type="submit" { "Pledge" }
                }
            } @else { p { a href="/login" { "Sign in" } " to pledge." } }
        }
        h2 { "Pledges" }
        @if pledges.is_empty() { p.muted { "No pledges yet." } }
        @else { div.scroll { table {
            thead { tr { th { "#" } th { "Backer" } th.n { "Amount" } th { "Status" } th { "Deposit" } } }
            tbody { @for p in &pledges { tr data-pledge=(p.record.number) {
                td { (p.record.number) } td { (if p.display_name.is_empty() { &p.username } else { &p.display_name }) } td.n { (c.format(p.record.amount_minor)) }
                td { (p.record.status) }
                td { @if let Some(seq) = p.record.entry_seq { a href=(format!("/v/{slug}/entries/{seq}")) { "#" (seq) } } }
            } } }
        } } }
        h2 { "Paid from the well" }
        p { (c.format(need.paid_minor)) " paid of " (c.format(r.goal_minor)) "." }
        @if !payments.is_empty() { ul { @for m in &payments { li { a href=(format!("/v/{slug}/entries/{}", m.seq)) { "Entry #" (m.seq) } " on " (m.occurred_on.to_string()) ": " (c.format(-m.change_minor)) } } } }
        @if standing.is_steward() {
            @if r.status == "open" || r.status == "met" {
                form.stack method="post" action=(format!("/v/{slug}/needs/{number}/pay")) {
                    (csrf_field(actor))
                    (text_input("Pay from the well", "amount", "", "text", failure, "amount",
                        &format!("the well holds {}; empty pays what is left of the goal. Each depositor's share becomes their cash slices.", c.format(well.balance_minor))))
                    button type="submit" { "Pay" }
                }
            }
            @if r.status == "open" {
                form method="post" action=(format!("/v/{slug}/needs/{number}/cancel")) { (csrf_field(actor)) button.secondary type="submit" { "Cancel this need and release its pledges" } }
            }
        }
        (comment_section(actor, &standing, &Subject::Need(number), &thread, reply_to, comment_failure.as_ref()))
    };
    let status = failure.or(comment_failure.as_ref().map(|f| &f.error)).map_or(StatusCode::OK, status_of);
    Ok(show_status(actor, status, &format!("Need #{number}"), body))
}

pub(super) async fn pledge(actor: Actor, Path((slug, number)): Path<(String, u32)>, Form(form): Form<AmountForm>) -> PageResult {
    let account = posted(&actor, &form.csrf)?.clone();
    let run_slug = slug.clone();
    // The form's key makes a double submission harmless; it is one person's, so it names them.
    let key = if form.key.trim().is_empty() { None } else { Some(format!("{}:{}-{}", account.id.0, form.key.trim(), form.amount.trim())) };
    let outcome = actor
        .run(move |acting, now| {
            let amount = read_amount(acting.numbers_for(Some(&run_slug))?, "amount", &form.amount)?;
            acting.pledge(&run_slug, number, &amount, key, now)
        })
        .await;
    settle(&actor, outcome, shown_in_form, |_| format!("/v/{slug}/needs/{number}"), |error| render_need(&actor, slug.clone(), number, None, Some(error), None))
        .await
}

pub(super) async fn pay_need(actor: Actor, Path((slug, number)): Path<(String, u32)>, Form(form): Form<AmountForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let run_slug = slug.clone();
    let outcome = actor
        .run(move |acting, now| {
            let amount = read_amount(acting.numbers_for(Some(&run_slug))?, "amount", &form.amount)?;
            let request = PayNeed { venture: run_slug, need: number, amount, by: None, idempotency_key: None };
            acting.pay_need(&request, now)
        })
        .await;
    settle(&actor, outcome, shown_in_form, |_| format!("/v/{slug}/needs/{number}"), |error| render_need(&actor, slug.clone(), number, None, Some(error), None))
        .await
}

pub(super) async fn cancel_need(actor: Actor, Path((slug, number)): Path<(String, u32)>, Form(form): Form<CsrfOnly>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let run_slug = slug.clone();
    let outcome = actor.run(move |acting, now| acting.cancel_need(&run_slug, number, now)).await;
    settle(&actor, outcome, shown_in_form, |_| format!("/v/{slug}/needs/{number}"), |error| render_need(&actor, slug.clone(), number, None, Some(error), None))
        .await
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v/{slug}/needs", get(needs_page).post(publish_need))
        .route("/v/{slug}/needs/{number}", get(need_page))
        .route("/v/{slug}/needs/{number}/pledge", post(pledge))
        .route("/v/{slug}/needs/{number}/pay", post(pay_need))
        .route("/v/{slug}/needs/{number}/cancel", post(cancel_need))
}

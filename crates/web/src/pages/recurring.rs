//! Recurring contributions: setting one up, its drafts to confirm or skip, stopping it.

use axum::extract::Path;
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::html;
use peerstake_app::error::AppError;
use peerstake_app::forms::ContributionForm;
use peerstake_app::recurring::SetUpRecurring;
use serde::Deserialize;

use super::kit::*;
use crate::AppState;
use crate::extract::{Actor, parse_date};

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RecurringForm {
    csrf: String,
    member: String,
    kind: String,
    quantity: String,
    amount: String,
    note: String,
    cadence: String,
    starts_on: String,
    ends_on: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DraftForm {
    csrf: String,
    period_on: String,
    decision: String,
}

pub(super) async fn recurring_page(actor: Actor, Path(slug): Path<String>) -> PageResult {
    render_recurring(&actor, slug, None).await
}

async fn render_recurring(actor: &Actor, slug: String, failure: Option<AppError>) -> PageResult {
    let (standing, (recurring, drafts)) =
        actor.run(move |acting, now| Ok((acting.standing(&slug, now)?, acting.recurring(&slug, now)?))).await.map_err(fail(actor))?;
    let failure = failure.as_ref();
    let slug = &standing.venture.record.slug;
    let own = standing.handle().unwrap_or_default().to_string();
    let body = html! {
        h1 { "Recurring contributions in " (standing.venture.record.name) }
        (venture_nav(&standing))
        h2 { "Waiting for confirmation" }
        @if drafts.is_empty() { p { "No period waits." } }
        @else { div.scroll { table {
            thead { tr { th { "Period" } th { "For" } th { "Kind" } th { "What" } th { "Confirm" } } }
            tbody { @for d in &drafts { tr data-draft=(format!("{}-{}", d.draft.number, d.draft.period_on)) {
                td { (d.draft.period_on.to_string()) } td { (d.recurring.member) } td { (d.recurring.form.kind) } td { (d.recurring.record.note) }
                td { @if standing.is_steward() || d.recurring.member == own {
                    form.inline method="post" action=(format!("/v/{slug}/recurring/{}/drafts", d.draft.number)) {
                        (csrf_field(actor))
                        input type="hidden" name="period_on" value=(d.draft.period_on.to_string());
                        button type="submit" name="decision" value="confirm" { "Confirm" } " "
                        button.secondary type="submit" name="decision" value="skip" { "Skip" }
                    }
                } }
            } } }
        } } }
        h2 { "Set up" }
        @if !recurring.is_empty() { ul { @for r in &recurring {
            li { "#" (r.record.number) " " (r.member) ": " (r.form.kind) " " (r.form.quantity) (r.form.amount) ", " (r.record.cadence) " from " (r.record.starts_on.to_string())
                @if let Some(end) = r.record.ends_on { " to " (end.to_string()) }
                @if r.record.active {
                    " · next " (r.record.next_on.to_string()) " "
                    @if standing.is_steward() || r.member == own {
                        form.inline method="post" action=(format!("/v/{slug}/recurring/{}/stop", r.record.number)) { (csrf_field(actor)) button.secondary type="submit" { "Stop" } }
                    }
                } @else { " · stopped" }
            }
        } } }
        form.stack method="post" action=(format!("/v/{slug}/recurring")) {
            (csrf_field(actor))
            (form_error(failure))
            @if standing.is_steward() { (text_input("For (handle; yourself when empty)", "member", "", "text", failure, "member", "")) }
            (select("Kind", "kind", &[("time", "Time"), ("facilities", "Facilities (rent)"), ("capital-use", "Capital use"), ("expense", "Expense"), ("deposit", "Cash into the well")], "time"))
            (text_input("Hours each period", "quantity", "", "text", failure, "quantity", "for time, e.g. 20"))
            (text_input("Amount each period", "amount", "", "text", failure, "amount", "for rent, expenses and cash"))
            (text_input("What is done", "note", "", "text", failure, "note", ""))
            (select("Every", "cadence", &[("weekly", "week"), ("monthly", "month")], "weekly"))
            (text_input("From", "starts_on", "", "date", failure, "starts on", ""))
            (text_input("Until (optional)", "ends_on", "", "date", failure, "ends on", ""))
            button type="submit" { "Set up" }
        }
    };
    Ok(show_after(actor, failure, "Recurring contributions", body))
}

pub(super) async fn set_up_recurring(actor: Actor, Path(slug): Path<String>, Form(form): Form<RecurringForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let slug_for_run = slug.clone();
    let outcome = actor
        .run(move |acting, now| {
            let own = acting.standing(&slug_for_run, now)?.handle().map(str::to_string).unwrap_or_default();
            let ends_on = form.ends_on.trim();
            let numbers = acting.numbers_for(Some(&slug_for_run))?;
            let request = SetUpRecurring {
                venture: slug_for_run,
                member: if form.member.trim().is_empty() { own } else { form.member.trim().to_string() },
                form: ContributionForm { kind: form.kind, quantity: form.quantity, amount: form.amount, ..ContributionForm::default() }.read_in(numbers)?,
                note: form.note,
                cadence: form.cadence,
                starts_on: parse_date("starts on", form.starts_on.trim())?,
                ends_on: if ends_on.is_empty() { None } else { Some(parse_date("ends on", ends_on)?) },
            };
            acting.set_up_recurring(&request, now)
        })
        .await;
    settle(&actor, outcome, shown_in_form, |_| format!("/v/{slug}/recurring"), |error| render_recurring(&actor, slug.clone(), Some(error))).await
}

pub(super) async fn decide_draft(actor: Actor, Path((slug, number)): Path<(String, u32)>, Form(form): Form<DraftForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let slug_for_run = slug.clone();
    let outcome = actor
        .run(move |acting, now| {
            let period_on = parse_date("period on", form.period_on.trim())?;
            acting.decide_draft(&slug_for_run, number, period_on, form.decision == "confirm", now)
        })
        .await;
    match outcome {
        Ok(Some(seq)) => Ok(see_other(&format!("/v/{slug}/entries/{seq}"))),
        Ok(None) => Ok(see_other(&format!("/v/{slug}/recurring"))),
        Err(error) if shown_in_form(&error) => render_recurring(&actor, slug, Some(error)).await,
        Err(error) => Err(fail(&actor)(error)),
    }
}

pub(super) async fn stop_recurring(actor: Actor, Path((slug, number)): Path<(String, u32)>, Form(form): Form<DraftForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let slug_for_run = slug.clone();
    actor.run(move |acting, now| acting.stop_recurring(&slug_for_run, number, now)).await.map_err(fail(&actor))?;
    Ok(see_other(&format!("/v/{slug}/recurring")))
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v/{slug}/recurring", get(recurring_page).post(set_up_recurring))
        .route("/v/{slug}/recurring/{number}/drafts", post(decide_draft))
        .route("/v/{slug}/recurring/{number}/stop", post(stop_recurring))
}

//! A venture's settings: who may join and read, how numbers are written, requests to join and
//! invitations, and the history of who changed the access settings and the stewards, and when.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::html;
use peerstake_app::error::AppError;
use peerstake_app::forms::TermsForm;
use peerstake_store::AccessRecord;
use serde::Deserialize;

use super::kit::*;
use crate::AppState;
use crate::error::status_of;
use crate::extract::Actor;

pub(super) async fn settings_page(actor: Actor, Path(slug): Path<String>) -> PageResult {
    render_settings(&actor, slug, None).await
}

/// The settings page; a failed form is shown again with its error (`access` or `invite`).
pub(super) async fn render_settings(actor: &Actor, slug: String, failure: Option<(&'static str, AppError)>) -> PageResult {
    actor.account().map_err(fail(actor))?;
    let failed = |section: &str| failure.as_ref().filter(|(s, _)| *s == section).map(|(_, e)| e);
    let (standing, requests, history) = actor
        .run(move |acting, now| Ok((acting.standing(&slug, now)?, acting.join_requests(&slug, now)?, acting.settings_history(&slug, now)?)))
        .await
        .map_err(fail(actor))?;
    let slug = &standing.venture.record.slug;
    let body = html! {
        h1 { "Settings of " (standing.venture.record.name) }
        (venture_nav(&standing))
        h2 { "Joining and reading" }
        form.stack method="post" action=(format!("/v/{slug}/settings/access")) {
            (csrf_field(actor))
            (form_error(failed("access")))
            (select("Who may join", "join_mode", &[("open", "Anyone"), ("request", "Anyone may ask; stewards accept"), ("invite", "Only people stewards invite")], &standing.access.join_mode))
            (select("Who may read the ledger", "visibility", &[("public", "Anyone"), ("members", "Members only")], &standing.access.visibility))
            button type="submit" { "Save" }
        }
        h2 { "How numbers are written" }
        form.stack method="post" action=(format!("/v/{slug}/settings/numbers")) {
            (csrf_field(actor))
            (form_error(failed("numbers")))
            (select("Numbers in forms and on the command line", "number_format", &number_format_choices(false), standing.venture.record.number_format.name()))
            p.hint { "People who chose their own format on their account page keep it. The API and files always take 1234.56." }
            button type="submit" { "Save" }
        }
        h2 { "Requests to join" }
        @if requests.is_empty() { p { "None waiting." } }
        ul { @for request in &requests { li {
            strong { (request.account.display_name) } " (" (request.account.username) ")"
            @if !request.record.message.is_empty() { ": " (request.record.message) }
            " "
            form.inline method="post" action=(format!("/v/{slug}/settings/requests/{}", request.account.username)) {
                (csrf_field(actor)) input type="hidden" name="accept" value="true"; button.flat type="submit" { "Accept" }
            }
            " "
            form.inline method="post" action=(format!("/v/{slug}/settings/requests/{}", request.account.username)) {
                (csrf_field(actor)) input type="hidden" name="accept" value="false"; button.secondary.flat type="submit" { "Decline" }
            }
        } } }
        h2 { "Invite someone" }
        form.stack method="post" action=(format!("/v/{slug}/settings/invite")) {
            (csrf_field(actor))
            (form_error(failed("invite")))
            label for="f-username" { "Their username" }
            input id="f-username" type="text" name="username" required;
            (select("Role", "role", &[("member", "Member"), ("steward", "Steward"), ("advisor", "Advisor"), ("contractor", "Contractor"), ("backer", "Backer")], "member"))
            button type="submit" { "Add" }
        }
        h2 { "History of these settings" }
        p.hint { "Every change of who may join and read, and of who the stewards are, with who made it and when. Kept for good: nothing here is ever rewritten." }
        @if history.is_empty() { p.muted { "No change yet." } }
        @else { div.scroll { table data-history="settings" {
            thead { tr { th.n { "#" } th { "When" } th { "What changed" } th { "Why" } th { "Who" } } }
            tbody { @for change in &history { tr data-change=(change.record.number) data-setting=(change.record.setting) {
                td.n { (change.record.number) }
                td { (when(change.record.at_ms)) }
                td { (change.what()) }
                td { (change.record.reason) }
                td data-by=(change.record.by_kind) { (change.by()) }
            } } }
        } } }
    };
    let status = failure.as_ref().map_or(StatusCode::OK, |(_, error)| status_of(error));
    Ok(show_status(actor, status, "Settings", body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AccessForm {
    csrf: String,
    join_mode: String,
    visibility: String,
}

pub(super) async fn save_access(actor: Actor, Path(slug): Path<String>, Form(form): Form<AccessForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let target = format!("/v/{slug}/settings");
    let access = AccessRecord { join_mode: form.join_mode, visibility: form.visibility };
    let slug_for_run = slug.clone();
    match actor.run(move |acting, now| acting.set_access(&slug_for_run, &access, now)).await {
        Ok(()) => Ok(see_other(&target)),
        Err(error) if shown_in_form(&error) => render_settings(&actor, slug, Some(("access", error))).await,
        Err(error) => Err(fail(&actor)(error)),
    }
}

pub(super) async fn save_numbers(actor: Actor, Path(slug): Path<String>, Form(form): Form<NumbersForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let target = format!("/v/{slug}/settings");
    let slug_for_run = slug.clone();
    match actor.run(move |acting, now| acting.set_number_format(&slug_for_run, &form.number_format, now)).await {
        Ok(_) => Ok(see_other(&target)),
        Err(error) if shown_in_form(&error) => render_settings(&actor, slug, Some(("numbers", error))).await,
        Err(error) => Err(fail(&actor)(error)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DecideForm {
    csrf: String,
    accept: String,
}

pub(super) async fn decide(actor: Actor, Path((slug, username)): Path<(String, String)>, Form(form): Form<DecideForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let target = format!("/v/{slug}/settings");
    let accept = form.accept == "true";
    actor.run(move |acting, now| acting.decide_join(&slug, &username, accept, now)).await.map_err(fail(&actor))?;
    Ok(see_other(&target))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct InviteForm {
    csrf: String,
    username: String,
    role: String,
}

pub(super) async fn invite(actor: Actor, Path(slug): Path<String>, Form(form): Form<InviteForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let target = format!("/v/{slug}/settings");
    let slug_for_run = slug.clone();
    let outcome = actor
        .run(move |acting, now| {
            let role = if form.role.is_empty() { "member" } else { form.role.as_str() };
            acting.invite(&slug_for_run, &form.username, role, &TermsForm::default(), now)
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&target)),
        // An unknown username is the form's error too: the steward typed it.
        Err(error @ AppError::NotFound { what: "account", .. }) => render_settings(&actor, slug, Some(("invite", error))).await,
        Err(error) if shown_in_form(&error) => render_settings(&actor, slug, Some(("invite", error))).await,
        Err(error) => Err(fail(&actor)(error)),
    }
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v/{slug}/settings", get(settings_page))
        .route("/v/{slug}/settings/access", post(save_access))
        .route("/v/{slug}/settings/numbers", post(save_numbers))
        .route("/v/{slug}/settings/requests/{username}", post(decide))
        .route("/v/{slug}/settings/invite", post(invite))
}

//! The steward role: handing it over, asking to adopt a venture whose steward is gone, answering
//! and objecting.

use axum::extract::Path;
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::html;
use peerstake_app::error::AppError;
use peerstake_app::membership::MemberView;
use peerstake_app::stewards::StewardshipView;
use serde::Deserialize;

use super::kit::*;
use crate::AppState;
use crate::extract::Actor;

// ---- stewards: handover and adoption

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct HandoverForm {
    csrf: String,
    to: String,
    message: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct MessageForm {
    csrf: String,
    message: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NoteForm {
    csrf: String,
    note: String,
}

fn stewardship_status(s: &StewardshipView) -> String {
    let r = &s.record;
    match (r.kind.as_str(), r.status.as_str()) {
        ("adoption", "proposed") => {
            format!("waiting: unless a member objects by {}, the role passes", r.notice_until.map(|d| d.to_string()).unwrap_or_default())
        }
        ("handover", "proposed") => format!("waiting for {} to answer", s.to),
        (_, "passed") => "passed: no member objected".to_string(),
        (_, status) => status.to_string(),
    }
}

pub(super) async fn stewards_page(actor: Actor, Path(slug): Path<String>) -> PageResult {
    render_stewards(&actor, slug, None).await
}

async fn render_stewards(actor: &Actor, slug: String, failure: Option<AppError>) -> PageResult {
    let (standing, changes, adoptable, members, today) = actor
        .run(move |acting, now| {
            // The changes first: reading them passes any adoption whose notice ran out.
            let changes = acting.stewardships(&slug, now)?;
            Ok((acting.standing(&slug, now)?, changes, acting.adoptable(&slug, now)?, acting.members(&slug, now)?, now.today))
        })
        .await
        .map_err(fail(actor))?;
    let failure = failure.as_ref();
    let slug = &standing.venture.record.slug;
    let me = standing.handle();
    let stewards: Vec<&MemberView> = present(&members).filter(|m| m.record.role == "steward").collect();
    let candidates = choices(present(&members).filter(|m| m.record.role != "steward"));
    let adoption_open = changes.iter().any(|s| s.record.kind == "adoption" && s.record.status == "proposed");
    let body = html! {
        h1 { "Stewards of " (standing.venture.record.name) }
        (venture_nav(&standing))
        p { "Stewards run the venture and set its policy. A steward may hand the role to another member, who takes it when they accept. When no steward is left, or none has been active for a long time, anyone may ask to adopt the venture: the members are told, and unless one of them objects within the notice period, the role passes." }
        (form_error(failure))
        h2 { "Stewards now" }
        @if stewards.is_empty() { p { strong { "No steward is left." } } }
        @else { ul { @for m in &stewards { li data-steward=(m.record.handle) { (member_link(slug, &m.record.handle, &m.record.display_name)) } } } }
        p.notice data-adoptable=(if adoptable.open { "open" } else { "closed" }) {
            @if adoptable.open { "This venture may be adopted: " (adoptable.reason) "." } @else { "This venture is not open to adoption: " (adoptable.reason) "." }
        }
        h2 { "Changes of steward" }
        @if changes.is_empty() { p.muted { "None yet." } }
        @else { div.scroll { table {
            thead { tr { th { "#" } th { "What" } th { "From" } th { "To" } th { "Message" } th { "Status" } th {} } }
            tbody { @for s in &changes { tr data-stewardship=(s.record.number) {
                td { (s.record.number) }
                td { (if s.record.kind == "adoption" { "adoption" } else { "handover" }) }
                td { (s.from.as_deref().unwrap_or("—")) }
                td { (s.to) }
                td { (s.record.message) }
                td { strong data-status=(s.record.status) { (stewardship_status(s)) }
                    @if !s.record.decision_note.is_empty() { br; span.muted { "“" (s.record.decision_note) "”" } } }
                td {
                    @if s.record.kind == "handover" && s.record.status == "proposed" && is_present(&standing) {
                        @if me == Some(s.to.as_str()) {
                            form.stack method="post" action=(format!("/v/{slug}/stewards/{}/answer", s.record.number)) {
                                (csrf_field(actor))
                                label for=(format!("f-note-{}", s.record.number)) { "A word back (optional)" }
                                input id=(format!("f-note-{}", s.record.number)) type="text" name="note";
                                button type="submit" name="answer" value="accept" { "Accept: become a steward" } " "
                                button.secondary type="submit" name="answer" value="decline" { "Decline" }
                            }
                        }
                        @if me.is_some() && me == s.from.as_deref() {
                            form.inline method="post" action=(format!("/v/{slug}/stewards/{}/answer", s.record.number)) {
                                (csrf_field(actor)) button.secondary type="submit" name="answer" value="withdraw" { "Withdraw" }
                            }
                        }
                    }
                    @if s.record.kind == "adoption" && s.record.status == "proposed" && is_present(&standing)
                        && s.record.notice_until.is_none_or(|d| d >= today) && me.is_some() && me != Some(s.to.as_str()) {
                        form.stack method="post" action=(format!("/v/{slug}/stewards/{}/object", s.record.number)) {
                            (csrf_field(actor))
                            label for=(format!("f-object-{}", s.record.number)) { "Why you object" }
                            input id=(format!("f-object-{}", s.record.number)) type="text" name="note";
                            button.secondary type="submit" { "Object" }
                        }
                    }
                }
            } } }
        } } }
        @if standing.is_steward() {
            h2 { "Hand the role over" }
            @if candidates.is_empty() { p.muted { "Every member who has not left is already a steward." } }
            @else {
                form.stack method="post" action=(format!("/v/{slug}/stewards/handover")) {
                    (csrf_field(actor))
                    (member_select("To", "to", &candidates, "", None))
                    (field_error(failure, "to"))
                    label for="f-message" { "A word to them (optional)" }
                    textarea id="f-message" name="message" rows="2" {}
                    button type="submit" { "Ask them to take over" }
                }
            }
        }
        @if adoptable.open && !adoption_open && !standing.departed() {
            h2 { "Ask to adopt this venture" }
            @if standing.account.is_some() {
                form.stack method="post" action=(format!("/v/{slug}/stewards/adopt")) {
                    (csrf_field(actor))
                    label for="f-adopt" { "Who you are and what you would do with the venture" }
                    textarea id="f-adopt" name="message" rows="3" aria-describedby="message-error" {}
                    (field_error(failure, "message"))
                    button type="submit" { "Ask to adopt" }
                }
            } @else { p { a href="/login" { "Sign in" } " to ask to adopt this venture." } }
        }
    };
    Ok(show_status(actor, status_with(failure), "Stewards", body))
}

/// Runs one stewards form: back to the page, or the page again with the error.
async fn after_stewards_form(actor: &Actor, slug: String, outcome: Result<StewardshipView, AppError>) -> PageResult {
    match outcome {
        Ok(_) => Ok(see_other(&format!("/v/{slug}/stewards"))),
        Err(error) if in_form(&error) => render_stewards(actor, slug, Some(error)).await,
        Err(error) => Err(fail(actor)(error)),
    }
}

pub(super) async fn propose_handover(actor: Actor, Path(slug): Path<String>, Form(form): Form<HandoverForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let run_slug = slug.clone();
    let outcome = actor.run(move |acting, now| acting.propose_handover(&run_slug, &form.to, &form.message, now)).await;
    after_stewards_form(&actor, slug, outcome).await
}

pub(super) async fn answer_handover(actor: Actor, Path((slug, number)): Path<(String, u32)>, Form(form): Form<AnswerForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let run_slug = slug.clone();
    let outcome = actor.run(move |acting, now| acting.answer_handover(&run_slug, number, &form.answer, &form.note, now)).await;
    after_stewards_form(&actor, slug, outcome).await
}

pub(super) async fn ask_to_adopt(actor: Actor, Path(slug): Path<String>, Form(form): Form<MessageForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let run_slug = slug.clone();
    let outcome = actor.run(move |acting, now| acting.ask_to_adopt(&run_slug, &form.message, now)).await;
    after_stewards_form(&actor, slug, outcome).await
}

pub(super) async fn object_to_adoption(actor: Actor, Path((slug, number)): Path<(String, u32)>, Form(form): Form<NoteForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let run_slug = slug.clone();
    let outcome = actor.run(move |acting, now| acting.object_to_adoption(&run_slug, number, &form.note, now)).await;
    after_stewards_form(&actor, slug, outcome).await
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v/{slug}/stewards", get(stewards_page))
        .route("/v/{slug}/stewards/handover", post(propose_handover))
        .route("/v/{slug}/stewards/adopt", post(ask_to_adopt))
        .route("/v/{slug}/stewards/{number}/answer", post(answer_handover))
        .route("/v/{slug}/stewards/{number}/object", post(object_to_adoption))
}

//! Recurring contributions over the API: set one up, list them with the drafts waiting, confirm
//! or skip a draft, stop one.

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use peerstake_app::recurring::{DraftView, RecurringView, SetUpRecurring};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::AppState;
use crate::common::ContributionIn;
use crate::error::{ApiError, ApiResult, BodyRefused, Refused};
use crate::extract::{Actor, At, Body, parse_date};

/// A recurring contribution to set up.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RecurringIn {
    /// Handle of whom it is for (yourself when absent).
    pub member: Option<String>,
    /// What is contributed each period, as for logging (not a withdrawal).
    #[serde(flatten)]
    pub contribution: ContributionIn,
    /// `weekly` or `monthly`.
    pub cadence: String,
    /// The first period (YYYY-MM-DD).
    #[schema(format = Date)]
    pub starts_on: String,
    /// The last day a period may fall on.
    pub ends_on: Option<String>,
}

/// A recurring contribution.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecurringOut {
    /// Its number in the venture.
    pub number: u32,
    /// Whom it is for.
    pub member: String,
    /// The kind.
    pub kind: String,
    /// Hours or units each period.
    pub quantity: String,
    /// The amount each period.
    pub amount: String,
    /// What is done each period.
    pub note: String,
    /// `weekly` or `monthly`.
    pub cadence: String,
    /// The first period.
    pub starts_on: String,
    /// The next period not yet drafted.
    pub next_on: String,
    /// The last day a period may fall on.
    pub ends_on: Option<String>,
    /// Whether it still drafts periods.
    pub active: bool,
}

/// A period's draft waiting to be confirmed or skipped.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftOut {
    /// The recurring contribution.
    pub recurring: u32,
    /// Whom it is for.
    pub member: String,
    /// The period's date (the entry's date once confirmed).
    pub period_on: String,
    /// The kind.
    pub kind: String,
    /// What is done.
    pub note: String,
}

/// Recurring contributions and the drafts waiting.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecurringListOut {
    /// Every recurring contribution.
    pub recurring: Vec<RecurringOut>,
    /// Drafts waiting, oldest first.
    pub drafts: Vec<DraftOut>,
}

/// Confirm or skip a draft.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DraftDecisionIn {
    /// The period's date.
    pub period_on: String,
    /// `confirm` (log it) or `skip`.
    pub decision: String,
}

/// What deciding a draft did.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftDecisionOut {
    /// The entry logged, when confirmed.
    pub entry: Option<u64>,
}

fn recurring_out(view: &RecurringView) -> RecurringOut {
    let r = &view.record;
    RecurringOut {
        number: r.number,
        member: view.member.clone(),
        kind: view.form.kind.clone(),
        quantity: view.form.quantity.clone(),
        amount: view.form.amount.clone(),
        note: r.note.clone(),
        cadence: r.cadence.clone(),
        starts_on: r.starts_on.to_string(),
        next_on: r.next_on.to_string(),
        ends_on: r.ends_on.map(|d| d.to_string()),
        active: r.active,
    }
}

pub(crate) fn draft_out(view: &DraftView) -> DraftOut {
    DraftOut {
        recurring: view.draft.number,
        member: view.recurring.member.clone(),
        period_on: view.draft.period_on.to_string(),
        kind: view.recurring.form.kind.clone(),
        note: view.recurring.record.note.clone(),
    }
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/recurring", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = RecurringListOut), Refused))]
pub(super) async fn list_recurring(actor: Actor, At(slug): At<String>) -> ApiResult<RecurringListOut> {
    let (recurring, drafts) = actor.run(move |acting, now| acting.recurring(&slug, now)).await?;
    Ok(Json(RecurringListOut { recurring: recurring.iter().map(recurring_out).collect(), drafts: drafts.iter().map(draft_out).collect() }))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/recurring", params(("slug" = String, Path, example = "demo")), request_body = RecurringIn, responses((status = 201, body = RecurringOut), Refused, BodyRefused))]
pub(super) async fn set_up(actor: Actor, At(slug): At<String>, Body(input): Body<RecurringIn>) -> Result<(StatusCode, Json<RecurringOut>), ApiError> {
    actor.writer()?;
    let view = actor
        .run(move |acting, now| {
            let own = acting.standing(&slug, now)?.handle().map(str::to_string).unwrap_or_default();
            let request = SetUpRecurring {
                venture: slug,
                member: input.member.filter(|m| !m.trim().is_empty()).unwrap_or(own),
                form: input.contribution.form(),
                note: input.contribution.note,
                cadence: input.cadence,
                starts_on: parse_date("starts on", input.starts_on.trim())?,
                ends_on: input.ends_on.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(|t| parse_date("ends on", t)).transpose()?,
            };
            acting.set_up_recurring(&request, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(recurring_out(&view))))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/recurring/{number}/drafts", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), request_body = DraftDecisionIn, responses((status = 200, body = DraftDecisionOut), Refused, BodyRefused))]
pub(super) async fn decide(actor: Actor, At((slug, number)): At<(String, u32)>, Body(input): Body<DraftDecisionIn>) -> ApiResult<DraftDecisionOut> {
    actor.writer()?;
    let entry = actor
        .run(move |acting, now| {
            let confirm = match input.decision.as_str() {
                "confirm" => true,
                "skip" => false,
                _ => return Err(peerstake_app::error::invalid("decision", "use confirm or skip")),
            };
            let period_on = parse_date("period on", input.period_on.trim())?;
            acting.decide_draft(&slug, number, period_on, confirm, now)
        })
        .await?;
    Ok(Json(DraftDecisionOut { entry }))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/recurring/{number}/stop", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), responses((status = 204), Refused))]
pub(super) async fn stop(actor: Actor, At((slug, number)): At<(String, u32)>) -> Result<StatusCode, ApiError> {
    actor.writer()?;
    actor.run(move |acting, now| acting.stop_recurring(&slug, number, now)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(OpenApi)]
#[openapi(paths(list_recurring, set_up, decide, stop))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ventures/{slug}/recurring", get(list_recurring).post(set_up))
        .route("/ventures/{slug}/recurring/{number}/drafts", post(decide))
        .route("/ventures/{slug}/recurring/{number}/stop", post(stop))
}

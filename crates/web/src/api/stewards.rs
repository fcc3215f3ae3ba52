//! The steward role over the API: handing it over, asking to adopt a venture whose steward is
//! gone, answering and objecting.

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use peerstake_app::access::Names;
use peerstake_app::stewards::{Adoptable, StewardshipView};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use super::shapes::AnswerIn;
use crate::AppState;
use crate::error::{ApiError, ApiResult, BodyRefused, Refused};
use crate::extract::{Actor, At, Body};

/// A change of steward: a handover or an adoption.
#[derive(Debug, Serialize, ToSchema)]
pub struct StewardshipOut {
    /// Its number in the venture.
    pub number: u32,
    /// `handover` or `adoption`.
    pub kind: String,
    /// The steward handing over.
    pub from: Option<String>,
    /// Who takes over: a member's handle, or an account's username.
    pub to: String,
    /// What they say.
    pub message: String,
    /// `proposed`, `accepted`, `declined`, `withdrawn`, `objected` or `passed`.
    pub status: String,
    /// For an adoption: the role passes after this day unless a member objects.
    pub notice_until: Option<String>,
    /// When it was made, ms since the epoch.
    pub created_at_ms: i64,
    /// When it was decided.
    pub decided_at_ms: Option<i64>,
    /// Who decided it.
    pub decided_by: Option<String>,
    /// What they said.
    pub decision_note: String,
}

/// Whether the venture may be adopted now.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdoptableOut {
    /// Whether someone may ask to adopt it.
    pub open: bool,
    /// Why, or why not.
    pub reason: String,
}

/// The venture's changes of steward, and whether it may be adopted.
#[derive(Debug, Serialize, ToSchema)]
pub struct StewardsOut {
    /// Every handover and adoption, oldest first.
    pub changes: Vec<StewardshipOut>,
    /// Whether it may be adopted.
    pub adoptable: AdoptableOut,
}

/// A handover to propose.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HandoverIn {
    /// The member to take over (handle).
    pub to: String,
    /// What the steward says.
    #[serde(default)]
    pub message: String,
}

/// A request to adopt a venture whose stewards left or fell silent.
#[derive(Debug, Deserialize, Default, ToSchema)]
#[serde(default)]
pub struct AdoptIn {
    /// Who you are and what you would do with the venture (required).
    pub message: String,
}

/// An objection to an adoption.
#[derive(Debug, Deserialize, Default, ToSchema)]
#[serde(default)]
pub struct ObjectIn {
    /// Why (required).
    pub note: String,
}

fn stewardship_out(view: &StewardshipView, names: &Names) -> StewardshipOut {
    let r = &view.record;
    StewardshipOut {
        number: r.number,
        kind: r.kind.clone(),
        from: view.from.clone(),
        to: view.to.clone(),
        message: r.message.clone(),
        status: r.status.clone(),
        notice_until: r.notice_until.map(|d| d.to_string()),
        created_at_ms: r.created_at_ms,
        decided_at_ms: r.decided_at_ms,
        decided_by: r.decided_by.map(|m| names.handle(m)),
        decision_note: r.decision_note.clone(),
    }
}

fn adoptable_out(adoptable: &Adoptable) -> AdoptableOut {
    AdoptableOut { open: adoptable.open, reason: adoptable.reason.clone() }
}

// ---------------------------------------------------------------- stewards

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/stewards", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = StewardsOut), Refused))]
async fn stewards(actor: Actor, At(slug): At<String>) -> ApiResult<StewardsOut> {
    let out = actor
        .run(move |acting, now| {
            let changes = acting.stewardships(&slug, now)?;
            let adoptable = acting.adoptable(&slug, now)?;
            let names = acting.names(&slug, now)?;
            Ok(StewardsOut { changes: changes.iter().map(|c| stewardship_out(c, &names)).collect(), adoptable: adoptable_out(&adoptable) })
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/stewards/handover", params(("slug" = String, Path, example = "demo")), request_body = HandoverIn, responses((status = 201, body = StewardshipOut), Refused, BodyRefused))]
async fn propose_handover(actor: Actor, At(slug): At<String>, Body(input): Body<HandoverIn>) -> Result<(StatusCode, Json<StewardshipOut>), ApiError> {
    actor.writer()?;
    let out = actor.named(slug, move |acting, slug, now| acting.propose_handover(slug, &input.to, &input.message, now), stewardship_out).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/stewards/{number}/answer", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), request_body = AnswerIn, responses((status = 200, body = StewardshipOut), Refused, BodyRefused))]
async fn answer_handover(actor: Actor, At((slug, number)): At<(String, u32)>, Body(input): Body<AnswerIn>) -> ApiResult<StewardshipOut> {
    actor.writer()?;
    let out = actor.named(slug, move |acting, slug, now| acting.answer_handover(slug, number, input.answer.trim(), &input.note, now), stewardship_out).await?;
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/stewards/adopt", params(("slug" = String, Path, example = "demo")), request_body = AdoptIn, responses((status = 201, body = StewardshipOut, description = "Asked; the members are told and may object during the notice period"), Refused, BodyRefused))]
async fn ask_to_adopt(actor: Actor, At(slug): At<String>, Body(input): Body<AdoptIn>) -> Result<(StatusCode, Json<StewardshipOut>), ApiError> {
    actor.writer()?;
    let out = actor.named(slug, move |acting, slug, now| acting.ask_to_adopt(slug, &input.message, now), stewardship_out).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/stewards/{number}/object", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), request_body = ObjectIn, responses((status = 200, body = StewardshipOut), Refused, BodyRefused))]
async fn object_to_adoption(actor: Actor, At((slug, number)): At<(String, u32)>, Body(input): Body<ObjectIn>) -> ApiResult<StewardshipOut> {
    actor.writer()?;
    let out = actor.named(slug, move |acting, slug, now| acting.object_to_adoption(slug, number, &input.note, now), stewardship_out).await?;
    Ok(Json(out))
}

#[derive(OpenApi)]
#[openapi(paths(stewards, propose_handover, answer_handover, ask_to_adopt, object_to_adoption))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ventures/{slug}/stewards", get(stewards))
        .route("/ventures/{slug}/stewards/handover", post(propose_handover))
        .route("/ventures/{slug}/stewards/{number}/answer", post(answer_handover))
        .route("/ventures/{slug}/stewards/adopt", post(ask_to_adopt))
        .route("/ventures/{slug}/stewards/{number}/object", post(object_to_adoption))
}

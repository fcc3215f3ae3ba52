//! Review over the API: an entry with its review, the steps (approve, dispute, withdraw, decide,
//! vote), amendments, and the queue of entries waiting.

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use peerstake_app::error::invalid;
use peerstake_app::journal::NamedEntry;
use peerstake_app::review::{AmendRequest, ReviewRequest};
use peerstake_core::review::{Step, Verdict};
use peerstake_core::terms::MemberNo;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use super::shapes::{EntryOut, entry_out};
use crate::AppState;
use crate::common::{LogIn, log_request};
use crate::error::{ApiError, ApiResult, BodyRefused, Refused};
use crate::extract::{Actor, At, Body, IdempotencyKey};

/// A review step.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewIn {
    /// `approve`, `dispute`, `withdraw` (one's own dispute), `decide` (a steward settles a
    /// dispute) or `vote` (on a dispute).
    pub step: String,
    /// For `decide` and `vote`: `uphold` or `reject`.
    pub verdict: Option<String>,
    /// The reason (required to dispute) or a comment.
    #[serde(default)]
    pub note: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// An amendment: the entry is reversed and the corrected contribution logged, linked to it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AmendIn {
    /// Why (the reversal's reason).
    pub reason: String,
    /// The corrected contribution.
    pub entry: LogIn,
}

/// An entry with its review.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryReviewOut {
    /// The entry.
    pub entry: EntryOut,
    /// For a contribution: `pending`, `counted`, `disputed`, `rejected` or `reversed`.
    pub status: Option<String>,
    /// The rule it is reviewed under, in words.
    pub rule: String,
    /// Who approved it since it last waited.
    pub approvals: Vec<String>,
    /// Who disputes it, while a dispute is open.
    pub disputed_by: Option<String>,
    /// The entry that reversed it.
    pub reversed_by: Option<u64>,
    /// The entry that amends it.
    pub amended_by: Option<u64>,
    /// Its review steps, in order.
    pub steps: Vec<EntryOut>,
}

/// The outcome of a step.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepOut {
    /// The ledger entry recording the step.
    pub step: EntryOut,
    /// Where the reviewed entry stands now.
    pub status: String,
}

fn out(named: &NamedEntry, status: Option<String>) -> EntryOut {
    let handle = |no: MemberNo| named.handle(no);
    EntryOut { status, ..entry_out(&named.entry, named.currency, &handle) }
}

fn parse_step(input: &ReviewIn) -> Result<Step, ApiError> {
    let verdict = || input.verdict.as_deref().and_then(Verdict::from_name).ok_or_else(|| ApiError::from(invalid("verdict", "use uphold or reject")));
    Ok(match input.step.as_str() {
        "approve" => Step::Approve,
        "dispute" => Step::Dispute,
        "withdraw" => Step::Withdraw,
        "decide" => Step::Decide(verdict()?),
        "vote" => Step::Vote(verdict()?),
        other => return Err(invalid("step", format!("'{other}': use approve, dispute, withdraw, decide or vote")).into()),
    })
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/entries/{seq}", params(("slug" = String, Path, example = "demo"), ("seq" = u64, Path, example = 1)), responses((status = 200, body = EntryReviewOut), Refused))]
pub(super) async fn get_entry(actor: Actor, At((slug, seq)): At<(String, u64)>) -> ApiResult<EntryReviewOut> {
    let review = actor.run(move |acting, now| acting.entry_review(&slug, seq, now)).await?;
    let status = match (review.reversed_by, review.status) {
        (Some(_), Some(_)) => Some("reversed".to_string()),
        (_, status) => status.map(|s| s.name().to_string()),
    };
    Ok(Json(EntryReviewOut {
        entry: out(&review.entry, status.clone()),
        status,
        rule: review.rule,
        approvals: review.approvals,
        disputed_by: review.disputed_by,
        reversed_by: review.reversed_by,
        amended_by: review.amended_by,
        steps: review.steps.iter().map(|s| out(s, None)).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/entries/{seq}/review", params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless"), ("slug" = String, Path, example = "demo"), ("seq" = u64, Path, example = 1)), request_body = ReviewIn, responses((status = 201, body = StepOut), Refused, BodyRefused))]
pub(super) async fn review_entry(
    actor: Actor,
    At((slug, seq)): At<(String, u64)>,
    key: IdempotencyKey,
    Body(input): Body<ReviewIn>,
) -> Result<(StatusCode, Json<StepOut>), ApiError> {
    actor.writer()?;
    let step = parse_step(&input)?;
    let (named, status) = actor
        .run(move |acting, now| {
            let request =
                ReviewRequest { venture: slug.clone(), seq, step, by: String::new(), note: input.note, idempotency_key: key.or(input.idempotency_key) };
            let stored = acting.review(&request, now)?;
            let review = acting.entry_review(&slug, seq, now)?;
            let named =
                review.steps.into_iter().find(|s| s.entry.entry.seq == stored.entry.seq).ok_or_else(|| invalid("entry", "the step was not recorded"))?;
            Ok((named, review.status.map_or("", |s| s.name()).to_string()))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(StepOut { step: out(&named, None), status })))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/entries/{seq}/amendment", params(("slug" = String, Path, example = "demo"), ("seq" = u64, Path, example = 1)), request_body = AmendIn, responses((status = 201, body = EntryOut), Refused, BodyRefused))]
pub(super) async fn amend_entry(
    actor: Actor,
    At((slug, seq)): At<(String, u64)>,
    Body(input): Body<AmendIn>,
) -> Result<(StatusCode, Json<EntryOut>), ApiError> {
    actor.writer()?;
    let review = actor
        .run(move |acting, now| {
            let log = log_request(&slug, &input.entry, None)?;
            let stored = acting.amend(&AmendRequest { seq, reason: input.reason, log }, now)?;
            acting.entry_review(&slug, stored.entry.seq, now)
        })
        .await?;
    let status = review.status.map(|s| s.name().to_string());
    Ok((StatusCode::CREATED, Json(out(&review.entry, status))))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/review-queue", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = [EntryOut]), Refused))]
pub(super) async fn review_queue(actor: Actor, At(slug): At<String>) -> ApiResult<Vec<EntryOut>> {
    let queue = actor.run(move |acting, now| acting.review_queue(&slug, now)).await?;
    Ok(Json(queue.iter().map(|(named, status)| out(named, Some(status.name().to_string()))).collect()))
}

#[derive(OpenApi)]
#[openapi(paths(get_entry, review_entry, amend_entry, review_queue))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ventures/{slug}/entries/{seq}", get(get_entry))
        .route("/ventures/{slug}/entries/{seq}/review", post(review_entry))
        .route("/ventures/{slug}/entries/{seq}/amendment", post(amend_entry))
        .route("/ventures/{slug}/review-queue", get(review_queue))
}

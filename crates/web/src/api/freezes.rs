//! Freezes over the API: proposing to crystallize the split into a cap table, voting, the cap
//! table, and unfreezing.

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use peerstake_app::access::Names;
use peerstake_app::error::AppError;
use peerstake_app::freezes::{FreezeRequest, FreezeView};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult, BodyRefused, Refused};
use crate::extract::{Actor, At, Body};

/// Shares issued at the start to one member, for a buy-back plan.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct IssuedShares {
    /// The member (handle).
    pub member: String,
    /// Whole shares.
    pub shares: i64,
}

/// A freeze to propose.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FreezeIn {
    /// `break-even`, `funding-round` or `other`.
    pub reason: String,
    /// More about it.
    #[serde(default)]
    pub note: String,
    /// Whole shares to split (10,000,000 when absent).
    pub total_shares: Option<i64>,
    /// Shares issued at the start, for a buy-back plan.
    #[serde(default)]
    pub issued: Vec<IssuedShares>,
}

/// A vote on a freeze, or on undoing one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FreezeVoteIn {
    /// For (true) or against (false).
    pub approve: bool,
}

/// One vote on a freeze.
#[derive(Debug, Serialize, ToSchema)]
pub struct FreezeVoteOut {
    /// The voter.
    pub member: String,
    /// For or against.
    pub approve: bool,
    /// When, ms since the epoch.
    pub at_ms: i64,
}

/// One holder's line of a cap table.
#[derive(Debug, Serialize, ToSchema)]
pub struct CapLineOut {
    /// Handle.
    pub member: String,
    /// Display name.
    pub name: String,
    /// Slices held at the freeze (or now, while it is proposed).
    pub slices: String,
    /// Whole shares.
    pub shares: i64,
    /// Share of all shares, two decimals; the lines add up to exactly 100.00.
    pub percent: String,
    /// Shares issued at the start.
    pub issued: i64,
    /// Shares to buy back.
    pub buy_back: i64,
    /// Shares to issue.
    pub issue: i64,
}

/// A freeze of the split into a cap table.
#[derive(Debug, Serialize, ToSchema)]
pub struct FreezeOut {
    /// Its number in the venture.
    pub number: u32,
    /// `break-even`, `funding-round` or `other`.
    pub reason: String,
    /// More about it.
    pub note: String,
    /// `proposed`, `rejected`, `frozen` or `unfrozen`.
    pub status: String,
    /// Who proposed it.
    pub proposed_by: String,
    /// When, ms since the epoch.
    pub proposed_at_ms: i64,
    /// Whole shares it splits.
    pub total_shares: i64,
    /// Shares issued at the start, for a buy-back plan.
    pub issued: Vec<IssuedShares>,
    /// The ledger's head when it froze: sequence number.
    pub head_seq: Option<u64>,
    /// … and hash.
    pub head_hash: Option<String>,
    /// The day it froze.
    pub frozen_on: Option<String>,
    /// When it froze, ms since the epoch.
    pub frozen_at_ms: Option<i64>,
    /// When undoing it was proposed, while that vote is open.
    pub unfreeze_proposed_at_ms: Option<i64>,
    /// When it was unfrozen.
    pub unfrozen_at_ms: Option<i64>,
    /// The rule that decides, and where the count stands.
    pub rule: String,
    /// Votes on freezing.
    pub votes: Vec<FreezeVoteOut>,
    /// Votes on undoing it.
    pub unfreeze_votes: Vec<FreezeVoteOut>,
    /// The cap table: stored once frozen, worked out from the split now while proposed.
    pub cap_table: Vec<CapLineOut>,
    /// The shares in the cap table, added up.
    pub cap_table_shares: i64,
    /// The total the buy-back plan leads to, when shares were issued at the start.
    pub buyback_total: Option<i64>,
}

pub(super) fn freeze_out(view: &FreezeView, names: &Names) -> FreezeOut {
    let r = &view.record;
    let votes = |votes: &[(String, peerstake_store::FreezeVoteRecord)]| -> Vec<FreezeVoteOut> {
        votes.iter().map(|(member, v)| FreezeVoteOut { member: member.clone(), approve: v.approve, at_ms: v.at_ms }).collect()
    };
    FreezeOut {
        number: r.number,
        reason: r.reason.clone(),
        note: r.note.clone(),
        status: r.status.clone(),
        proposed_by: view.proposed_by.clone(),
        proposed_at_ms: r.proposed_at_ms,
        total_shares: r.total_shares,
        issued: r.issued.iter().map(|(member, shares)| IssuedShares { member: names.handle(*member), shares: *shares }).collect(),
        head_seq: r.head.as_ref().map(|(seq, _)| *seq),
        head_hash: r.head.as_ref().map(|(_, hash)| hash.clone()),
        frozen_on: r.frozen_on.map(|d| d.to_string()),
        frozen_at_ms: r.frozen_at_ms,
        unfreeze_proposed_at_ms: r.unfreeze_proposed_at_ms,
        unfrozen_at_ms: r.unfrozen_at_ms,
        rule: view.rule.clone(),
        votes: votes(&view.votes),
        unfreeze_votes: votes(&view.unfreeze_votes),
        cap_table: view
            .cap_table
            .iter()
            .map(|l| CapLineOut {
                member: l.member.clone(),
                name: l.display_name.clone(),
                slices: names.slices(l.line.slices_minor),
                shares: l.line.shares,
                percent: l.percent.clone(),
                issued: l.line.issued,
                buy_back: l.line.buy_back,
                issue: l.line.issue,
            })
            .collect(),
        cap_table_shares: view.cap_table.iter().map(|l| l.line.shares).sum(),
        buyback_total: view.buyback_total,
    }
}

// ---------------------------------------------------------------- freezes

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/freezes", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = [FreezeOut]), Refused))]
async fn list_freezes(actor: Actor, At(slug): At<String>) -> ApiResult<Vec<FreezeOut>> {
    let out =
        actor.named(slug, move |acting, slug, now| acting.freezes(slug, now), |views, names| views.iter().map(|v| freeze_out(v, names)).collect()).await?;
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/freezes", params(("slug" = String, Path, example = "demo")), request_body = FreezeIn, responses((status = 201, body = FreezeOut, description = "Proposed with the steward's vote; frozen at once when that meets the rule"), Refused, BodyRefused))]
async fn propose_freeze(actor: Actor, At(slug): At<String>, Body(input): Body<FreezeIn>) -> Result<(StatusCode, Json<FreezeOut>), ApiError> {
    actor.writer()?;
    let out = actor
        .run(move |acting, now| {
            let request = FreezeRequest {
                venture: slug.clone(),
                by: String::new(),
                reason: input.reason,
                note: input.note,
                total_shares: input.total_shares.map(|n| n.to_string()).unwrap_or_default(),
                issued: input.issued.into_iter().map(|i| (i.member, i.shares.to_string())).collect(),
            };
            let view = acting.propose_freeze(&request, now)?;
            Ok(freeze_out(&view, &acting.names(&slug, now)?))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/freezes/{number}", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), responses((status = 200, body = FreezeOut), Refused))]
async fn get_freeze(actor: Actor, At((slug, number)): At<(String, u32)>) -> ApiResult<FreezeOut> {
    let out = actor.named(slug, move |acting, slug, now| acting.freeze(slug, number, now), freeze_out).await?;
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/freezes/{number}/vote", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), request_body = FreezeVoteIn, responses((status = 200, body = FreezeOut), Refused, BodyRefused))]
async fn vote_freeze(actor: Actor, At((slug, number)): At<(String, u32)>, Body(input): Body<FreezeVoteIn>) -> ApiResult<FreezeOut> {
    actor.writer()?;
    let out = actor.named(slug, move |acting, slug, now| acting.vote_freeze(slug, number, input.approve, now), freeze_out).await?;
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/freezes/{number}/unfreeze", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), responses((status = 200, body = FreezeOut, description = "Proposed with the steward's vote; unfrozen at once when that meets the rule"), Refused))]
async fn propose_unfreeze(actor: Actor, At((slug, number)): At<(String, u32)>) -> ApiResult<FreezeOut> {
    actor.writer()?;
    let out = actor.named(slug, move |acting, slug, now| acting.propose_unfreeze(slug, number, now), freeze_out).await?;
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/cap-table", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = FreezeOut, description = "The freeze in force, with its cap table"), Refused))]
async fn cap_table(actor: Actor, At(slug): At<String>) -> ApiResult<FreezeOut> {
    let out = actor
        .run(move |acting, now| {
            let frozen = acting.freezes(&slug, now)?.into_iter().find(|f| f.record.status == "frozen");
            let view = frozen.ok_or_else(|| AppError::NotFound { what: "cap table", name: format!("{slug} (the split is not frozen)") })?;
            Ok(freeze_out(&view, &acting.names(&slug, now)?))
        })
        .await?;
    Ok(Json(out))
}

#[derive(OpenApi)]
#[openapi(paths(list_freezes, propose_freeze, get_freeze, vote_freeze, propose_unfreeze, cap_table))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ventures/{slug}/freezes", get(list_freezes).post(propose_freeze))
        .route("/ventures/{slug}/freezes/{number}", get(get_freeze))
        .route("/ventures/{slug}/freezes/{number}/vote", post(vote_freeze))
        .route("/ventures/{slug}/freezes/{number}/unfreeze", post(propose_unfreeze))
        .route("/ventures/{slug}/cap-table", get(cap_table))
}

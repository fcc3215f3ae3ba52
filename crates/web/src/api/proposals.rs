//! Policy proposals: propose, vote, withdraw, and read them with the split under each.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use peerstake_app::proposals::{ProposalView, ProposeRequest, VoteRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiError, ApiResult, Body, ErrorBody, SplitOut, parse_date, policy_choice, split_out};
use crate::AppState;
use crate::auth::Caller;

/// A proposed policy change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProposeIn {
    /// A preset name…
    pub preset: Option<String>,
    /// …or a whole policy as TOML.
    pub toml: Option<String>,
    /// From when it would apply (after every entry already valued).
    pub effective_from: String,
    /// Why.
    #[serde(default)]
    pub note: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// A vote.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VoteIn {
    /// For (true) or against (false).
    pub approve: bool,
    /// What the voter says.
    #[serde(default)]
    pub note: String,
}

/// One vote as shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoteOut {
    /// The voter's handle.
    pub member: String,
    /// For or against.
    pub approve: bool,
    /// What they said.
    pub note: String,
    /// When, ms since the epoch.
    pub at_ms: i64,
}

/// A proposal.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalOut {
    /// Its number in the venture.
    pub number: u32,
    /// `open`, `adopted`, `rejected` or `withdrawn`.
    pub status: String,
    /// Who proposed it.
    pub proposed_by: String,
    /// The preset it starts from, or `custom`.
    pub preset: String,
    /// From when it would apply.
    pub effective_from: String,
    /// Every proposed setting, as TOML.
    pub settings: String,
    /// Why.
    pub note: String,
    /// The rule deciding it and the tally.
    pub rule: String,
    /// The votes, in order.
    pub votes: Vec<VoteOut>,
    /// The policy version it became, once adopted.
    pub policy_version: Option<u32>,
}

/// A proposal with the split now and under it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalDetailOut {
    /// The proposal.
    pub proposal: ProposalOut,
    /// The split under the policies in force.
    pub current: SplitOut,
    /// The split of the same ledger under the proposed policy.
    pub proposed: SplitOut,
}

pub(crate) fn proposal_out(view: &ProposalView) -> ProposalOut {
    ProposalOut {
        number: view.record.number,
        status: view.record.status.clone(),
        proposed_by: view.proposed_by.clone(),
        preset: view.policy.preset.clone(),
        effective_from: view.record.effective_from.to_string(),
        settings: view.record.settings.clone(),
        note: view.record.note.clone(),
        rule: view.rule.clone(),
        votes: view.votes.iter().map(|(member, v)| VoteOut { member: member.clone(), approve: v.approve, note: v.note.clone(), at_ms: v.at_ms }).collect(),
        policy_version: view.record.policy_version,
    }
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/proposals", params(("slug" = String, Path)), responses((status = 200, body = [ProposalOut]), (status = 404, body = ErrorBody)))]
pub(super) async fn list(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> ApiResult<Vec<ProposalOut>> {
    let account = caller.account.clone();
    let views = state.run(move |commons, now| commons.acting(account.as_ref()).proposals(&slug, now)).await?;
    Ok(Json(views.iter().map(proposal_out).collect()))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/proposals", params(("slug" = String, Path)), request_body = ProposeIn, responses((status = 201, body = ProposalOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Body(input): Body<ProposeIn>,
) -> Result<(StatusCode, Json<ProposalOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let view = state
        .run(move |commons, now| {
            let request = ProposeRequest {
                venture: slug,
                by: String::new(),
                policy: policy_choice(input.preset.as_deref(), input.toml.as_deref())?,
                effective_from: parse_date("effective from", input.effective_from.trim())?,
                note: input.note,
                idempotency_key: input.idempotency_key,
            };
            commons.acting(Some(&account)).propose(&request, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(proposal_out(&view))))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/proposals/{number}", params(("slug" = String, Path), ("number" = u32, Path)), responses((status = 200, body = ProposalDetailOut), (status = 404, body = ErrorBody)))]
pub(super) async fn detail(State(state): State<AppState>, caller: Caller, Path((slug, number)): Path<(String, u32)>) -> ApiResult<ProposalDetailOut> {
    let account = caller.account.clone();
    let (view, current, proposed) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            let view = acting.proposal(&slug, number, now)?;
            let current = acting.split(&slug, &peerstake_app::ledger::SplitQuery::default(), now)?;
            let proposed = acting.split(&slug, &peerstake_app::ledger::SplitQuery::under(&view.record.settings), now)?;
            Ok((view, current, proposed))
        })
        .await?;
    Ok(Json(ProposalDetailOut { proposal: proposal_out(&view), current: split_out(&current), proposed: split_out(&proposed) }))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/proposals/{number}/votes", params(("slug" = String, Path), ("number" = u32, Path)), request_body = VoteIn, responses((status = 201, body = ProposalOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn vote(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Body(input): Body<VoteIn>,
) -> Result<(StatusCode, Json<ProposalOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let view = state
        .run(move |commons, now| {
            let request = VoteRequest { venture: slug, number, by: String::new(), approve: input.approve, note: input.note };
            commons.acting(Some(&account)).vote_on_proposal(&request, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(proposal_out(&view))))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/proposals/{number}/withdrawal", params(("slug" = String, Path), ("number" = u32, Path)), responses((status = 200, body = ProposalOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn withdraw(State(state): State<AppState>, caller: Caller, Path((slug, number)): Path<(String, u32)>) -> ApiResult<ProposalOut> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let view = state.run(move |commons, now| commons.acting(Some(&account)).withdraw_proposal(&slug, number, now)).await?;
    Ok(Json(proposal_out(&view)))
}

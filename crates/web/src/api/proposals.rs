//! The policy over the API: the versions in force, adopting one, and proposals to change it
//! (propose, vote, withdraw, and read each with the split under it).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use peerstake_app::book::{PolicyVersionView, SetPolicy};
use peerstake_app::proposals::{ProposalView, ProposeRequest, VoteRequest};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use super::shapes::{SplitOut, policy_choice, split_out};
use crate::AppState;
use crate::error::{ApiError, ApiResult, BodyRefused, Refused};
use crate::extract::{Actor, At, Body, IdempotencyKey, parse_date};

/// A policy version.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyVersionOut {
    /// Version.
    pub version: u32,
    /// From when.
    pub effective_from: String,
    /// Its preset name.
    pub preset: String,
    /// Every setting, as TOML.
    pub settings: String,
}

fn policy_out(view: &PolicyVersionView) -> PolicyVersionOut {
    PolicyVersionOut {
        version: view.record.version,
        effective_from: view.record.effective_from.to_string(),
        preset: view.policy.preset.clone(),
        settings: view.record.settings.clone(),
    }
}

/// A new policy version.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SetPolicyIn {
    /// A preset name…
    pub preset: Option<String>,
    /// …or a whole policy as TOML.
    pub toml: Option<String>,
    /// It applies from this date (after every entry already valued).
    pub effective_from: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/policy", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = [PolicyVersionOut]), Refused))]
async fn get_policy(actor: Actor, At(slug): At<String>) -> ApiResult<Vec<PolicyVersionOut>> {
    let (_, versions) = actor.run(move |acting, now| acting.policy_history(&slug, now)).await?;
    Ok(Json(versions.iter().map(policy_out).collect()))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/policy", params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless"), ("slug" = String, Path, example = "demo")), request_body = SetPolicyIn, responses((status = 201, body = PolicyVersionOut, description = "Adopted at once (the rule in force allows it)"), (status = 202, body = ProposalOut, description = "Proposed; it waits for votes"), Refused, BodyRefused))]
async fn set_policy(actor: Actor, At(slug): At<String>, key: IdempotencyKey, Body(input): Body<SetPolicyIn>) -> Result<Response, ApiError> {
    actor.writer()?;
    let outcome = actor
        .run(move |acting, now| {
            let request = SetPolicy {
                venture: slug,
                policy: policy_choice(input.preset.as_deref(), input.toml.as_deref())?,
                effective_from: parse_date("effective from", input.effective_from.trim())?,
                idempotency_key: key.or(input.idempotency_key),
            };
            acting.set_policy(&request, now)
        })
        .await?;
    Ok(match outcome {
        Ok(view) => (StatusCode::CREATED, Json(policy_out(&view))).into_response(),
        Err(proposal) => (StatusCode::ACCEPTED, Json(proposal_out(&proposal))).into_response(),
    })
}

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

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/proposals", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = [ProposalOut]), Refused))]
pub(super) async fn list_proposals(actor: Actor, At(slug): At<String>) -> ApiResult<Vec<ProposalOut>> {
    let views = actor.run(move |acting, now| acting.proposals(&slug, now)).await?;
    Ok(Json(views.iter().map(proposal_out).collect()))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/proposals", params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless"), ("slug" = String, Path, example = "demo")), request_body = ProposeIn, responses((status = 201, body = ProposalOut), Refused, BodyRefused))]
pub(super) async fn propose(
    actor: Actor,
    At(slug): At<String>,
    key: IdempotencyKey,
    Body(input): Body<ProposeIn>,
) -> Result<(StatusCode, Json<ProposalOut>), ApiError> {
    actor.writer()?;
    let view = actor
        .run(move |acting, now| {
            let request = ProposeRequest {
                venture: slug,
                by: String::new(),
                policy: policy_choice(input.preset.as_deref(), input.toml.as_deref())?,
                effective_from: parse_date("effective from", input.effective_from.trim())?,
                note: input.note,
                idempotency_key: key.or(input.idempotency_key),
            };
            acting.propose(&request, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(proposal_out(&view))))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/proposals/{number}", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), responses((status = 200, body = ProposalDetailOut), Refused))]
pub(super) async fn detail(actor: Actor, At((slug, number)): At<(String, u32)>) -> ApiResult<ProposalDetailOut> {
    let (view, current, proposed) = actor
        .run(move |acting, now| {
            let view = acting.proposal(&slug, number, now)?;
            let current = acting.split(&slug, &peerstake_app::ledger::SplitQuery::default(), now)?;
            let proposed = acting.split(&slug, &peerstake_app::ledger::SplitQuery::under(&view.record.settings), now)?;
            Ok((view, current, proposed))
        })
        .await?;
    Ok(Json(ProposalDetailOut { proposal: proposal_out(&view), current: split_out(&current), proposed: split_out(&proposed) }))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/proposals/{number}/votes", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), request_body = VoteIn, responses((status = 201, body = ProposalOut), Refused, BodyRefused))]
pub(super) async fn vote(actor: Actor, At((slug, number)): At<(String, u32)>, Body(input): Body<VoteIn>) -> Result<(StatusCode, Json<ProposalOut>), ApiError> {
    actor.writer()?;
    let view = actor
        .run(move |acting, now| {
            let request = VoteRequest { venture: slug, number, by: String::new(), approve: input.approve, note: input.note };
            acting.vote_on_proposal(&request, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(proposal_out(&view))))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/proposals/{number}/withdrawal", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), responses((status = 200, body = ProposalOut), Refused))]
pub(super) async fn withdraw(actor: Actor, At((slug, number)): At<(String, u32)>) -> ApiResult<ProposalOut> {
    actor.writer()?;
    let view = actor.run(move |acting, now| acting.withdraw_proposal(&slug, number, now)).await?;
    Ok(Json(proposal_out(&view)))
}

#[derive(OpenApi)]
#[openapi(paths(get_policy, set_policy, list_proposals, propose, detail, vote, withdraw))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ventures/{slug}/policy", get(get_policy).post(set_policy))
        .route("/ventures/{slug}/proposals", get(list_proposals).post(propose))
        .route("/ventures/{slug}/proposals/{number}", get(detail))
        .route("/ventures/{slug}/proposals/{number}/votes", post(vote))
        .route("/ventures/{slug}/proposals/{number}/withdrawal", post(withdraw))
}

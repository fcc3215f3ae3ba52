//! Members over the API: the list with their terms, setting terms, joining, requests to join and
//! invitations.

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use peerstake_app::forms::TermsForm;
use peerstake_app::members::{Joined, SetTerms};
use peerstake_app::membership::MemberView;
use peerstake_core::money::Currency;
use peerstake_core::terms::Terms;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult, BodyRefused, Refused};
use crate::extract::{Actor, At, Body, IdempotencyKey, parse_date};

/// A member.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    /// Number in the venture.
    pub member_no: u32,
    /// Handle.
    pub handle: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: String,
    /// When they joined.
    pub joined_on: String,
    /// Their terms today, in words.
    pub terms: String,
}

pub(crate) fn terms_text(view: &MemberView, currency: Currency) -> String {
    match view.terms.as_ref().map(|t| t.terms) {
        None => String::new(),
        Some(Terms::Salary { market_salary_minor, cash_salary_minor, .. }) => {
            format!("salary {} (cash {}) / year", currency.format(market_salary_minor), currency.format(cash_salary_minor))
        }
        Some(Terms::Hourly { rate_minor }) => format!("{} / hour", currency.format(rate_minor)),
    }
}

/// New terms for a member from a date.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SetTermsIn {
    /// They apply to time logged on or after this date.
    pub effective_from: String,
    /// An hourly rate, or:
    #[serde(default)]
    #[schema(pattern = r"^([0-9]+(\.[0-9]+)?)?$")]
    pub hourly_rate: String,
    /// a market salary per year
    #[serde(default)]
    pub market_salary: String,
    /// and the cash salary paid per year.
    #[serde(default)]
    pub cash_salary: String,
    /// Hours per year, when the policy lets members set it.
    #[serde(default)]
    pub hours_per_year: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// A request to join.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct JoinIn {
    /// A word to the stewards.
    pub message: String,
    /// Your market hourly rate, for valuing your time.
    #[schema(pattern = r"^([0-9]+(\.[0-9]+)?)?$")]
    pub hourly_rate: String,
}

/// What joining did.
#[derive(Debug, Serialize, ToSchema)]
pub struct JoinOut {
    /// `member` or `requested`.
    pub status: String,
    /// Your handle, when you are a member.
    pub handle: Option<String>,
}

/// A request waiting for the stewards.
#[derive(Debug, Serialize, ToSchema)]
pub struct JoinRequestOut {
    /// Who asks.
    pub username: String,
    /// Their display name.
    pub display_name: String,
    /// What they say.
    pub message: String,
    /// When, ms since the epoch.
    pub requested_at_ms: i64,
}

/// A decision on a request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecideIn {
    /// Accept (true) or decline (false).
    pub accept: bool,
}

/// A person added by a steward.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InviteIn {
    /// Their username.
    pub username: String,
    /// Their role (`member` when absent).
    pub role: Option<String>,
    /// Their market hourly rate.
    #[serde(default)]
    #[schema(pattern = r"^([0-9]+(\.[0-9]+)?)?$")]
    pub hourly_rate: String,
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/members", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = [MemberOut]), Refused))]
async fn list_members(actor: Actor, At(slug): At<String>) -> ApiResult<Vec<MemberOut>> {
    let (members, currency) = actor
        .run(move |acting, now| {
            let standing = acting.standing(&slug, now)?;
            Ok((acting.members(&slug, now)?, standing.venture.record.money()?))
        })
        .await?;
    Ok(Json(
        members
            .iter()
            .map(|m| MemberOut {
                member_no: m.record.member_no.0,
                handle: m.record.handle.clone(),
                name: m.record.display_name.clone(),
                role: m.record.role.clone(),
                joined_on: m.record.joined_on.to_string(),
                terms: terms_text(m, currency),
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/members/{handle}/terms", params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless"), ("slug" = String, Path, example = "demo"), ("handle" = String, Path, example = "ana")), request_body = SetTermsIn, responses((status = 201), Refused, BodyRefused))]
async fn set_terms(actor: Actor, At((slug, handle)): At<(String, String)>, key: IdempotencyKey, Body(input): Body<SetTermsIn>) -> Result<StatusCode, ApiError> {
    actor.writer()?;
    actor
        .run(move |acting, now| {
            let request = SetTerms {
                venture: slug,
                handle,
                terms: TermsForm {
                    market_salary: input.market_salary,
                    cash_salary: input.cash_salary,
                    hours_per_year: input.hours_per_year,
                    hourly_rate: input.hourly_rate,
                },
                effective_from: parse_date("effective from", input.effective_from.trim())?,
                idempotency_key: key.or(input.idempotency_key),
            };
            acting.set_terms(&request, now)
        })
        .await?;
    Ok(StatusCode::CREATED)
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/join", params(("slug" = String, Path, example = "demo")), request_body = JoinIn, responses((status = 200, body = JoinOut), Refused, BodyRefused))]
async fn join(actor: Actor, At(slug): At<String>, Body(input): Body<JoinIn>) -> ApiResult<JoinOut> {
    actor.writer()?;
    let joined = actor
        .run(move |acting, now| {
            let terms = TermsForm { hourly_rate: input.hourly_rate, ..TermsForm::default() };
            acting.join(&slug, &input.message, &terms, now)
        })
        .await?;
    Ok(Json(match joined {
        Joined::Member(handle) => JoinOut { status: "member".into(), handle: Some(handle) },
        Joined::Requested => JoinOut { status: "requested".into(), handle: None },
    }))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/join-requests", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = [JoinRequestOut]), Refused))]
async fn join_requests(actor: Actor, At(slug): At<String>) -> ApiResult<Vec<JoinRequestOut>> {
    actor.account()?;
    let requests = actor.run(move |acting, now| acting.join_requests(&slug, now)).await?;
    Ok(Json(
        requests
            .into_iter()
            .map(|r| JoinRequestOut {
                username: r.account.username,
                display_name: r.account.display_name,
                message: r.record.message,
                requested_at_ms: r.record.requested_at_ms,
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/join-requests/{username}", params(("slug" = String, Path, example = "demo"), ("username" = String, Path)), request_body = DecideIn, responses((status = 200, body = JoinOut), Refused, BodyRefused))]
async fn decide_join(actor: Actor, At((slug, username)): At<(String, String)>, Body(input): Body<DecideIn>) -> ApiResult<JoinOut> {
    actor.writer()?;
    let handle = actor.run(move |acting, now| acting.decide_join(&slug, &username, input.accept, now)).await?;
    Ok(Json(JoinOut { status: if handle.is_some() { "member".into() } else { "declined".into() }, handle }))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/members", params(("slug" = String, Path, example = "demo")), request_body = InviteIn, responses((status = 201, body = JoinOut), Refused, BodyRefused))]
async fn invite(actor: Actor, At(slug): At<String>, Body(input): Body<InviteIn>) -> Result<(StatusCode, Json<JoinOut>), ApiError> {
    actor.writer()?;
    let handle = actor
        .run(move |acting, now| {
            let terms = TermsForm { hourly_rate: input.hourly_rate, ..TermsForm::default() };
            acting.invite(&slug, &input.username, input.role.as_deref().unwrap_or("member"), &terms, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(JoinOut { status: "member".into(), handle: Some(handle) })))
}

#[derive(OpenApi)]
#[openapi(paths(list_members, set_terms, join, join_requests, decide_join, invite))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ventures/{slug}/members", get(list_members).post(invite))
        .route("/ventures/{slug}/members/{handle}/terms", post(set_terms))
        .route("/ventures/{slug}/join", post(join))
        .route("/ventures/{slug}/join-requests", get(join_requests))
        .route("/ventures/{slug}/join-requests/{username}", post(decide_join))
}

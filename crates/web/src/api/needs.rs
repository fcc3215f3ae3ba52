//! Needs over the API: publishing one with its goal, pledging toward it, cancelling it, and
//! paying from the well what it was for.

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use peerstake_app::capital::{PayNeed, PledgeView, PublishNeed};
use peerstake_app::holds::NeedView;
use peerstake_core::money::Currency;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use super::shapes::{CapitalEntryOut, capital_entry};
use crate::AppState;
use crate::error::{ApiError, ApiResult, BodyRefused, Refused};
use crate::extract::{Actor, At, Body, IdempotencyKey, parse_date};

/// A need to publish.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NeedIn {
    /// What it is for.
    pub title: String,
    /// More about it.
    #[serde(default)]
    pub description: String,
    /// The cost of a one-off, or of one period of a recurring cost.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub amount: String,
    /// Empty for a one-off; `weekly` or `monthly`.
    #[serde(default)]
    pub cadence: String,
    /// How many periods the goal covers (recurring costs).
    #[serde(default)]
    pub periods: u32,
    /// A stretch goal above the goal.
    #[serde(default)]
    #[schema(pattern = r"^([0-9]+(\.[0-9]+)?)?$")]
    pub stretch: String,
    /// The smallest pledge taken (one unit of the currency when empty).
    #[serde(default)]
    #[schema(pattern = r"^([0-9]+(\.[0-9]+)?)?$")]
    pub min_pledge: String,
    /// The last day pledges are taken (YYYY-MM-DD).
    #[schema(format = Date)]
    pub deadline: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// A need with its progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeedOut {
    /// Its number in the venture.
    pub number: u32,
    /// What it is for.
    pub title: String,
    /// More about it.
    pub description: String,
    /// `open`, `met`, `unmet` or `cancelled`.
    pub status: String,
    /// The goal (one period's amount × the periods).
    pub goal: String,
    /// One period's amount, for a recurring cost.
    pub per_period: String,
    /// `weekly` or `monthly`, or none for a one-off.
    pub cadence: Option<String>,
    /// How many periods the goal covers.
    pub periods: u32,
    /// The stretch goal, if any.
    pub stretch: Option<String>,
    /// The smallest pledge taken.
    pub min_pledge: String,
    /// The last day pledges are taken.
    pub deadline: String,
    /// Pledges still held.
    pub held: String,
    /// Pledges posted into the well.
    pub posted: String,
    /// Goods booked toward it.
    pub goods: String,
    /// What covers it so far.
    pub covered: String,
    /// What is still open to pledges.
    pub remaining: String,
    /// Paid from the well toward it.
    pub paid: String,
    /// Whole percent of the goal covered (at most 100).
    pub percent: u32,
    /// People with a live pledge.
    pub backers: usize,
}

/// A pledge.
#[derive(Debug, Serialize, ToSchema)]
pub struct PledgeItemOut {
    /// Its number in the venture.
    pub number: u32,
    /// Who pledged.
    pub backer: String,
    /// The amount.
    pub amount: String,
    /// `held`, `posted` or `released`.
    pub status: String,
    /// The deposit it was posted as.
    pub entry: Option<u64>,
}

/// A need with its pledges, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeedDetailOut {
    /// The need.
    pub need: NeedOut,
    /// Its pledges.
    pub pledges: Vec<PledgeItemOut>,
}

/// A pledge to make.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PledgeIn {
    /// How much.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub amount: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// What a pledge did.
#[derive(Debug, Serialize, ToSchema)]
pub struct PledgeOut {
    /// Its number.
    pub number: u32,
    /// The amount held or posted, after any cap.
    pub amount: String,
    /// What was asked for.
    pub asked: String,
    /// Whether it was capped at what remained.
    pub capped: bool,
    /// `held` or `posted`.
    pub status: String,
    /// The need afterwards.
    pub need: NeedOut,
    /// Deposits posted because the goal was met.
    pub posted_entries: Vec<u64>,
}

/// A payment from the well.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PayIn {
    /// How much; empty for what is left of the goal (at most the well's balance).
    #[serde(default)]
    #[schema(pattern = r"^([0-9]+(\.[0-9]+)?)?$")]
    pub amount: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

pub(crate) fn need_out(view: &NeedView) -> NeedOut {
    let c = view.currency;
    let r = &view.record;
    NeedOut {
        number: r.number,
        title: r.title.clone(),
        description: r.description.clone(),
        status: r.status.clone(),
        goal: c.format(r.goal_minor),
        per_period: c.format(view.period_minor()),
        cadence: r.cadence.clone(),
        periods: r.periods,
        stretch: r.stretch_minor.map(|s| c.format(s)),
        min_pledge: c.format(r.min_pledge_minor),
        deadline: r.deadline.to_string(),
        held: c.format(view.held_minor),
        posted: c.format(view.posted_minor),
        goods: c.format(view.goods_minor),
        covered: c.format(view.covered_minor()),
        remaining: c.format(view.remaining_minor()),
        paid: c.format(view.paid_minor),
        percent: view.percent(),
        backers: view.backers,
    }
}

fn pledge_item(pledge: &PledgeView, currency: Currency) -> PledgeItemOut {
    PledgeItemOut {
        number: pledge.record.number,
        backer: pledge.username.clone(),
        amount: currency.format(pledge.record.amount_minor),
        status: pledge.record.status.clone(),
        entry: pledge.record.entry_seq,
    }
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/needs", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = [NeedOut]), Refused))]
async fn list_needs(actor: Actor, At(slug): At<String>) -> ApiResult<Vec<NeedOut>> {
    let needs = actor.run(move |acting, now| acting.needs(&slug, now)).await?;
    Ok(Json(needs.iter().map(need_out).collect()))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/needs", params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless"), ("slug" = String, Path, example = "demo")), request_body = NeedIn, responses((status = 201, body = NeedOut), Refused, BodyRefused))]
async fn publish_need(actor: Actor, At(slug): At<String>, key: IdempotencyKey, Body(input): Body<NeedIn>) -> Result<(StatusCode, Json<NeedOut>), ApiError> {
    actor.writer()?;
    let view = actor
        .run(move |acting, now| {
            let request = PublishNeed {
                venture: slug,
                title: input.title,
                description: input.description,
                amount: input.amount,
                cadence: input.cadence,
                periods: input.periods,
                stretch: input.stretch,
                min_pledge: input.min_pledge,
                deadline: Some(parse_date("deadline", input.deadline.trim())?),
                by: None,
                idempotency_key: key.or(input.idempotency_key),
            };
            acting.publish_need(&request, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(need_out(&view))))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/needs/{number}", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), responses((status = 200, body = NeedDetailOut), Refused))]
async fn get_need(actor: Actor, At((slug, number)): At<(String, u32)>) -> ApiResult<NeedDetailOut> {
    let (view, pledges) = actor.run(move |acting, now| acting.need(&slug, number, now)).await?;
    Ok(Json(NeedDetailOut { pledges: pledges.iter().map(|p| pledge_item(p, view.currency)).collect(), need: need_out(&view) }))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/needs/{number}/pledges", params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless"), ("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), request_body = PledgeIn, responses((status = 201, body = PledgeOut), Refused, BodyRefused))]
async fn pledge(
    actor: Actor,
    At((slug, number)): At<(String, u32)>,
    key: IdempotencyKey,
    Body(input): Body<PledgeIn>,
) -> Result<(StatusCode, Json<PledgeOut>), ApiError> {
    actor.writer()?;
    let outcome = actor.run(move |acting, now| acting.pledge(&slug, number, &input.amount, key.or(input.idempotency_key), now)).await?;
    let c = outcome.need.currency;
    Ok((
        StatusCode::CREATED,
        Json(PledgeOut {
            number: outcome.pledge.number,
            amount: c.format(outcome.pledge.amount_minor),
            asked: c.format(outcome.asked_minor),
            capped: outcome.asked_minor > outcome.pledge.amount_minor,
            status: outcome.pledge.status.clone(),
            need: need_out(&outcome.need),
            posted_entries: outcome.posted.clone(),
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/needs/{number}/cancellation", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), responses((status = 200, body = NeedOut), Refused))]
async fn cancel_need(actor: Actor, At((slug, number)): At<(String, u32)>) -> ApiResult<NeedOut> {
    actor.writer()?;
    let view = actor.run(move |acting, now| acting.cancel_need(&slug, number, now)).await?;
    Ok(Json(need_out(&view)))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/needs/{number}/payments", params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless"), ("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), request_body = PayIn, responses((status = 201, body = CapitalEntryOut), Refused, BodyRefused))]
async fn pay_need(
    actor: Actor,
    At((slug, number)): At<(String, u32)>,
    key: IdempotencyKey,
    Body(input): Body<PayIn>,
) -> Result<(StatusCode, Json<CapitalEntryOut>), ApiError> {
    actor.writer()?;
    let out = actor
        .run(move |acting, now| {
            let request = PayNeed { venture: slug.clone(), need: number, amount: input.amount, by: None, idempotency_key: key.or(input.idempotency_key) };
            let stored = acting.pay_need(&request, now)?;
            let members = acting.members(&slug, now)?;
            let handle = |no: u32| members.iter().find(|m| m.record.member_no.0 == no).map_or_else(|| format!("#{no}"), |m| m.record.handle.clone());
            let currency = acting.names(&slug, now)?.currency;
            Ok(capital_entry(&stored, currency, &handle))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[derive(OpenApi)]
#[openapi(paths(list_needs, publish_need, get_need, pledge, cancel_need, pay_need))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ventures/{slug}/needs", get(list_needs).post(publish_need))
        .route("/ventures/{slug}/needs/{number}", get(get_need))
        .route("/ventures/{slug}/needs/{number}/pledges", post(pledge))
        .route("/ventures/{slug}/needs/{number}/cancellation", post(cancel_need))
        .route("/ventures/{slug}/needs/{number}/payments", post(pay_need))
}

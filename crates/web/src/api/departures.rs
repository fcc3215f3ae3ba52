//! Departures over the API: a leaver's outcome previewed, then recorded, under the venture's
//! leaver rules; and buyouts of their slices, offered and answered.

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use peerstake_app::access::Names;
use peerstake_app::departures::{BuyoutRequest, DepartRequest, DepartureView};
use peerstake_core::lifecycle::Treatment;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use super::shapes::{AnswerIn, BalanceOut, BuyoutOut, balance, buyout_out};
use crate::AppState;
use crate::error::{ApiError, ApiResult, BodyRefused, Refused};
use crate::extract::{Actor, At, Body, IdempotencyKey, optional_date};

// ---------------------------------------------------------------- shapes

/// A departure to record, or to preview.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DepartureIn {
    /// Who leaves (handle).
    pub member: String,
    /// `fired-for-good-reason`, `fired-for-no-good-reason`, `resigned-for-good-reason` or
    /// `resigned-for-no-good-reason`.
    pub case: String,
    /// Why, so the members can check the case (required).
    #[serde(default)]
    pub justification: String,
    /// The day they leave (YYYY-MM-DD; today when absent).
    #[schema(format = Date)]
    pub departed_on: Option<String>,
    /// Work out the outcome and write nothing.
    #[serde(default)]
    pub preview: bool,
    /// Makes a retry harmless (the `Idempotency-Key` header wins).
    pub idempotency_key: Option<String>,
}

/// One bucket of a leaver's slices: what the rule does to it, and the balance before and after.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartureBucketOut {
    /// Kind.
    pub kind: String,
    /// `cash`, `non-cash` or `plain`.
    pub class: String,
    /// `keep`, `at-par` (kept at multiplier 1) or `lose`.
    pub treatment: String,
    /// The treatment in words.
    pub treatment_words: String,
    /// Before the departure.
    pub before: BalanceOut,
    /// The part a loyalty clause protects.
    pub protected: BalanceOut,
    /// After it.
    pub after: BalanceOut,
}

/// A departure: recorded, or as it would be.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartureOut {
    /// Its number, once recorded.
    pub number: Option<u32>,
    /// Whether it is recorded (false for a preview).
    pub recorded: bool,
    /// Who leaves.
    pub member: String,
    /// Their display name.
    pub name: String,
    /// The case.
    pub case: String,
    /// The case in words.
    pub case_words: String,
    /// Whether the case makes a bad leaver (whose buyout can be forced).
    pub bad_leaver: bool,
    /// Why.
    pub justification: String,
    /// The day they leave.
    pub departed_on: String,
    /// The loyalty cut-off, when the clause applies: slices held that day are protected.
    pub loyalty_cutoff: Option<String>,
    /// The venture's currency.
    pub currency: String,
    /// Each bucket before and after.
    pub buckets: Vec<DepartureBucketOut>,
    /// The entries whose slices change.
    pub entries_adjusted: Vec<u64>,
    /// The ledger entry recording it, once recorded.
    pub entry: Option<u64>,
    /// Slices before.
    pub slices_before: String,
    /// Slices after.
    pub slices_after: String,
    /// The policy's price of one whole slice.
    pub price_per_slice: String,
    /// The price of buying what they keep, at that price.
    pub buyout_price: String,
    /// The steward who recorded it.
    pub recorded_by: Option<String>,
}

/// A buyout to offer (a good leaver) or force (a bad leaver).
#[derive(Debug, Deserialize, ToSchema)]
pub struct BuyoutIn {
    /// Whose slices (a member who left).
    pub member: String,
    /// A member who buys them; absent when the venture buys them and they leave the pie.
    pub buyer: Option<String>,
    /// Price of one whole slice; the policy's when absent.
    #[serde(default)]
    #[schema(pattern = r"^([0-9]+(\.[0-9]+)?)?$")]
    pub price_per_slice: String,
    /// Makes a retry harmless (the `Idempotency-Key` header wins).
    pub idempotency_key: Option<String>,
}

fn treatment_name(treatment: Treatment) -> &'static str {
    match treatment {
        Treatment::Keep => "keep",
        Treatment::AtPar => "at-par",
        Treatment::Lose => "lose",
    }
}

pub(super) fn departure_out(view: &DepartureView, names: &Names) -> DepartureOut {
    DepartureOut {
        number: view.number,
        recorded: view.number.is_some(),
        member: view.member.clone(),
        name: view.display_name.clone(),
        case: view.case.name().to_string(),
        case_words: view.case.words().to_string(),
        bad_leaver: view.bad_leaver(),
        justification: view.justification.clone(),
        departed_on: view.departed_on.to_string(),
        loyalty_cutoff: view.cutoff.map(|d| d.to_string()),
        currency: names.currency.code().to_string(),
        buckets: view
            .lines
            .iter()
            .map(|line| DepartureBucketOut {
                kind: line.kind.name().to_string(),
                class: line.class.name().to_string(),
                treatment: treatment_name(line.treatment).to_string(),
                treatment_words: line.treatment.name().to_string(),
                before: balance(names, &line.before),
                protected: balance(names, &line.protected),
                after: balance(names, &line.after),
            })
            .collect(),
        entries_adjusted: view.entries.clone(),
        entry: view.entry_seq,
        slices_before: names.slices(view.slices_before()),
        slices_after: names.slices(view.slices_after()),
        price_per_slice: names.money(view.price_per_slice_minor),
        buyout_price: names.money(view.buyout_minor),
        recorded_by: view.recorded_by.clone(),
    }
}

// ---------------------------------------------------------------- departures and buyouts

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/departures", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = [DepartureOut]), Refused))]
async fn list_departures(actor: Actor, At(slug): At<String>) -> ApiResult<Vec<DepartureOut>> {
    let out = actor
        .named(slug, move |acting, slug, now| acting.departures(slug, now), |views, names| views.iter().map(|v| departure_out(v, names)).collect())
        .await?;
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/departures", params(("slug" = String, Path, example = "demo"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless")), request_body = DepartureIn, responses((status = 200, body = DepartureOut, description = "A preview: the outcome, nothing written"), (status = 201, body = DepartureOut, description = "Recorded"), Refused, BodyRefused))]
async fn depart(actor: Actor, At(slug): At<String>, key: IdempotencyKey, Body(input): Body<DepartureIn>) -> Result<(StatusCode, Json<DepartureOut>), ApiError> {
    actor.writer()?;
    let preview = input.preview;
    let out = actor
        .run(move |acting, now| {
            let request = DepartRequest {
                venture: slug.clone(),
                member: input.member,
                case: input.case,
                justification: input.justification,
                departed_on: optional_date("departed on", &input.departed_on)?,
                by: None,
                idempotency_key: key.or(input.idempotency_key),
            };
            let view = if preview { acting.preview_departure(&request, now)? } else { acting.depart(&request, now)? };
            Ok(departure_out(&view, &acting.names(&slug, now)?))
        })
        .await?;
    Ok((if preview { StatusCode::OK } else { StatusCode::CREATED }, Json(out)))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/buyouts", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = [BuyoutOut]), Refused))]
async fn list_buyouts(actor: Actor, At(slug): At<String>) -> ApiResult<Vec<BuyoutOut>> {
    let out =
        actor.named(slug, move |acting, slug, now| acting.buyouts(slug, now), |views, names| views.iter().map(|v| buyout_out(v, names)).collect()).await?;
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/buyouts", params(("slug" = String, Path, example = "demo"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless")), request_body = BuyoutIn, responses((status = 201, body = BuyoutOut, description = "Offered (a good leaver) or, forced, accepted at once (a bad leaver)"), Refused, BodyRefused))]
async fn offer_buyout(actor: Actor, At(slug): At<String>, key: IdempotencyKey, Body(input): Body<BuyoutIn>) -> Result<(StatusCode, Json<BuyoutOut>), ApiError> {
    actor.writer()?;
    let out = actor
        .run(move |acting, now| {
            let request = BuyoutRequest {
                venture: slug.clone(),
                member: input.member,
                buyer: input.buyer,
                price_per_slice: input.price_per_slice,
                by: None,
                idempotency_key: key.or(input.idempotency_key),
            };
            let view = acting.offer_buyout(&request, now)?;
            Ok(buyout_out(&view, &acting.names(&slug, now)?))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/buyouts/{number}/answer", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), request_body = AnswerIn, responses((status = 200, body = BuyoutOut), Refused, BodyRefused))]
async fn answer_buyout(actor: Actor, At((slug, number)): At<(String, u32)>, Body(input): Body<AnswerIn>) -> ApiResult<BuyoutOut> {
    actor.writer()?;
    let out = actor.named(slug, move |acting, slug, now| acting.answer_buyout(slug, number, input.answer.trim(), now), buyout_out).await?;
    Ok(Json(out))
}

#[derive(OpenApi)]
#[openapi(paths(list_departures, depart, list_buyouts, offer_buyout, answer_buyout))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ventures/{slug}/departures", get(list_departures).post(depart))
        .route("/ventures/{slug}/buyouts", get(list_buyouts).post(offer_buyout))
        .route("/ventures/{slug}/buyouts/{number}/answer", post(answer_buyout))
}

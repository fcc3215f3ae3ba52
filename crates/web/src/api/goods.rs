//! Lent goods over the API: the commons' registry, an owner's inbox, bookings by ventures, use
//! logged and confirmed, and goods given outright.

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use peerstake_app::error::invalid;
use peerstake_app::goods::{BookGood, BookingView, GiveGood, GoodView, LogUsage, RegisterGood, UsageView};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use super::shapes::{CapitalEntryOut, capital_entry};
use crate::AppState;
use crate::common::units;
use crate::error::{ApiError, ApiResult, BodyRefused, Refused};
use crate::extract::{Actor, At, Body, IdempotencyKey, optional_date, parse_date};

/// A good to register.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GoodIn {
    /// What sort of thing (`laptop`, `desk`, …).
    pub kind: String,
    /// What it is.
    pub description: String,
    /// Currency of the rate (ISO 4217).
    pub currency: String,
    /// Fair rental rate per unit.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub rate: String,
    /// `hour`, `day`, `week` or `month`.
    pub unit: String,
    /// First day it can be booked.
    pub available_from: Option<String>,
    /// Last day it can be booked.
    pub available_until: Option<String>,
    /// When it is free, in your words.
    #[serde(default)]
    pub availability: String,
}

/// A registered good.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoodOut {
    /// Its id.
    pub id: i64,
    /// Owner's username.
    pub owner: String,
    /// What sort of thing.
    pub kind: String,
    /// What it is.
    pub description: String,
    /// Rate per unit.
    pub rate: String,
    /// Currency of the rate.
    pub currency: String,
    /// The unit.
    pub unit: String,
    /// First day it can be booked.
    pub available_from: Option<String>,
    /// Last day it can be booked.
    pub available_until: Option<String>,
    /// When it is free.
    pub availability: String,
    /// `available`, `withdrawn` or `given`.
    pub status: String,
}

/// A booking.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingOut {
    /// The venture.
    pub venture: String,
    /// Its number in the venture.
    pub number: u32,
    /// The good.
    pub good: GoodOut,
    /// The need it meets.
    pub need: Option<u32>,
    /// First day.
    pub starts_on: String,
    /// Last day.
    pub ends_on: String,
    /// Use planned, in the good's unit.
    pub planned: String,
    /// What the use planned is worth.
    pub value: String,
    /// `requested`, `accepted`, `declined` or `cancelled`.
    pub status: String,
    /// What it is for.
    pub note: String,
}

/// A good with its bookings.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoodDetailOut {
    /// The good.
    pub good: GoodOut,
    /// Every booking of it, by start.
    pub bookings: Vec<BookingOut>,
}

/// A booking to request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BookingIn {
    /// The good.
    pub good: i64,
    /// First day (YYYY-MM-DD).
    #[schema(format = Date)]
    pub starts_on: String,
    /// Last day.
    pub ends_on: String,
    /// Use planned, in the good's unit (counted from the dates when empty; required for hours).
    #[serde(default)]
    pub planned: String,
    /// The need it meets.
    pub need: Option<u32>,
    /// What it is for.
    #[serde(default)]
    pub note: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// An answer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionIn {
    /// Bookings: `accept`, `decline` (the owner) or `cancel` (stewards). Use: `confirm` or
    /// `decline` (the owner).
    pub decision: String,
}

/// Use to log.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UsageIn {
    /// The day of the use.
    pub date: String,
    /// Units used, in the good's unit.
    pub units: String,
    /// Fee paid to the owner for it.
    #[serde(default)]
    pub fee_paid: String,
    /// What it was used for.
    #[serde(default)]
    pub note: String,
}

/// Logged use.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageOut {
    /// The venture.
    pub venture: String,
    /// Its number in the venture.
    pub number: u32,
    /// The booking.
    pub booking: u32,
    /// The good.
    pub good: i64,
    /// The day.
    pub date: String,
    /// Units used.
    pub units: String,
    /// Fee paid.
    pub fee_paid: String,
    /// What it is worth at the good's rate.
    pub value: String,
    /// `logged`, `confirmed` or `declined`.
    pub status: String,
    /// The capital-use entry it became.
    pub entry: Option<u64>,
}

/// A venture's bookings and logged use.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingsOut {
    /// Bookings, by number.
    pub bookings: Vec<BookingOut>,
    /// Use, by number.
    pub usages: Vec<UsageOut>,
}

/// A good given outright.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GiftIn {
    /// The venture it goes to.
    pub venture: String,
    /// `new`, `used-recent` or `used-old`.
    pub condition: String,
    /// Price (new), purchase price (under a year) or resale value (older).
    pub value: String,
    /// Any words.
    #[serde(default)]
    pub note: String,
}

/// What waits for an owner's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxOut {
    /// Requested bookings of your goods.
    pub bookings: Vec<BookingOut>,
    /// Use logged under them.
    pub usages: Vec<UsageOut>,
}

pub(crate) fn good_out(view: &GoodView) -> GoodOut {
    let r = &view.record;
    GoodOut {
        id: r.id,
        owner: view.owner.clone(),
        kind: r.kind.clone(),
        description: r.description.clone(),
        rate: view.currency.format(r.rate_minor),
        currency: r.currency.clone(),
        unit: r.unit.clone(),
        available_from: r.available_from.map(|d| d.to_string()),
        available_until: r.available_until.map(|d| d.to_string()),
        availability: r.availability.clone(),
        status: r.status.clone(),
    }
}

fn booking_out(view: &BookingView) -> BookingOut {
    let r = &view.record;
    BookingOut {
        venture: view.venture.clone(),
        number: r.number,
        good: good_out(&view.good),
        need: r.need,
        starts_on: r.starts_on.to_string(),
        ends_on: r.ends_on.to_string(),
        planned: units(r.planned_milli),
        value: view.good.currency.format(view.value_minor),
        status: r.status.clone(),
        note: r.note.clone(),
    }
}

fn usage_out(view: &UsageView) -> UsageOut {
    let r = &view.record;
    let c = view.booking.good.currency;
    UsageOut {
        venture: view.booking.venture.clone(),
        number: r.number,
        booking: r.booking,
        good: view.booking.good.record.id,
        date: r.occurred_on.to_string(),
        units: units(r.units_milli),
        fee_paid: c.format(r.fee_paid_minor),
        value: c.format(view.value_minor),
        status: r.status.clone(),
        entry: r.entry_seq,
    }
}

#[utoipa::path(get, path = "/api/v1/goods", responses((status = 200, body = [GoodOut]), Refused))]
async fn list_goods(actor: Actor) -> ApiResult<Vec<GoodOut>> {
    let goods = actor.run(move |acting, _| acting.goods(false)).await?;
    Ok(Json(goods.iter().map(good_out).collect()))
}

#[utoipa::path(post, path = "/api/v1/goods", request_body = GoodIn, responses((status = 201, body = GoodOut), Refused, BodyRefused))]
async fn register_good(actor: Actor, Body(input): Body<GoodIn>) -> Result<(StatusCode, Json<GoodOut>), ApiError> {
    actor.check_api()?;
    let account = actor.account()?.clone();
    let view = actor
        .run(move |acting, now| {
            let request = RegisterGood {
                account: account.id,
                kind: input.kind,
                description: input.description,
                currency: input.currency,
                rate: input.rate,
                unit: input.unit,
                available_from: optional_date("available from", &input.available_from)?,
                available_until: optional_date("available until", &input.available_until)?,
                availability: input.availability,
            };
            acting.register_good(&request, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(good_out(&view))))
}

#[utoipa::path(get, path = "/api/v1/goods/{id}", params(("id" = i64, Path, example = 1)), responses((status = 200, body = GoodDetailOut), Refused))]
async fn get_good(actor: Actor, At(id): At<i64>) -> ApiResult<GoodDetailOut> {
    let (good, bookings) = actor.run(move |acting, _| acting.good(id)).await?;
    Ok(Json(GoodDetailOut { good: good_out(&good), bookings: bookings.iter().map(booking_out).collect() }))
}

#[utoipa::path(post, path = "/api/v1/goods/{id}/withdrawal", params(("id" = i64, Path, example = 1)), responses((status = 200, body = GoodOut), Refused))]
async fn withdraw_good(actor: Actor, At(id): At<i64>) -> ApiResult<GoodOut> {
    actor.writer()?;
    let view = actor.run(move |acting, _| acting.withdraw_good(id)).await?;
    Ok(Json(good_out(&view)))
}

#[utoipa::path(post, path = "/api/v1/goods/{id}/gift", params(("id" = i64, Path, example = 1)), request_body = GiftIn, responses((status = 201, body = CapitalEntryOut), Refused, BodyRefused))]
async fn give_good(actor: Actor, At(id): At<i64>, Body(input): Body<GiftIn>) -> Result<(StatusCode, Json<CapitalEntryOut>), ApiError> {
    actor.check_api()?;
    let account = actor.account()?.clone();
    let out = actor
        .run(move |acting, now| {
            let slug = input.venture.clone();
            let request = GiveGood { account: account.id, good: id, venture: input.venture, condition: input.condition, value: input.value, note: input.note };
            let stored = acting.give_good(&request, now)?;
            let currency = acting.names(&slug, now)?.currency;
            let handle = account.username.clone();
            Ok(capital_entry(&stored, currency, &|_| handle.clone()))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(get, path = "/api/v1/me/goods/inbox", responses((status = 200, body = InboxOut), Refused))]
async fn inbox(actor: Actor) -> ApiResult<InboxOut> {
    actor.account()?;
    let inbox = actor.run(move |acting, _| acting.owner_inbox()).await?;
    Ok(Json(InboxOut { bookings: inbox.bookings.iter().map(booking_out).collect(), usages: inbox.usages.iter().map(usage_out).collect() }))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/bookings", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = BookingsOut), Refused))]
async fn list_bookings(actor: Actor, At(slug): At<String>) -> ApiResult<BookingsOut> {
    let (bookings, usages) = actor.run(move |acting, now| acting.bookings(&slug, now)).await?;
    Ok(Json(BookingsOut { bookings: bookings.iter().map(booking_out).collect(), usages: usages.iter().map(usage_out).collect() }))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/bookings", params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless"), ("slug" = String, Path, example = "demo")), request_body = BookingIn, responses((status = 201, body = BookingOut), Refused, BodyRefused))]
async fn request_booking(
    actor: Actor,
    At(slug): At<String>,
    key: IdempotencyKey,
    Body(input): Body<BookingIn>,
) -> Result<(StatusCode, Json<BookingOut>), ApiError> {
    actor.writer()?;
    let view = actor
        .run(move |acting, now| {
            let request = BookGood {
                venture: slug,
                good: input.good,
                starts_on: Some(parse_date("starts on", input.starts_on.trim())?),
                ends_on: Some(parse_date("ends on", input.ends_on.trim())?),
                planned: input.planned,
                need: input.need,
                note: input.note,
                by: None,
                idempotency_key: key.or(input.idempotency_key),
            };
            acting.book_good(&request, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(booking_out(&view))))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/bookings/{number}/decision", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), request_body = DecisionIn, responses((status = 200, body = BookingOut), Refused, BodyRefused))]
async fn decide_booking(actor: Actor, At((slug, number)): At<(String, u32)>, Body(input): Body<DecisionIn>) -> ApiResult<BookingOut> {
    actor.writer()?;
    let view = actor
        .run(move |acting, now| match input.decision.as_str() {
            "accept" => acting.decide_booking(&slug, number, true, now),
            "decline" => acting.decide_booking(&slug, number, false, now),
            "cancel" => acting.cancel_booking(&slug, number, now),
            _ => Err(invalid("decision", "use accept, decline or cancel")),
        })
        .await?;
    Ok(Json(booking_out(&view)))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/bookings/{number}/usage", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), request_body = UsageIn, responses((status = 201, body = UsageOut), Refused, BodyRefused))]
async fn log_usage(actor: Actor, At((slug, number)): At<(String, u32)>, Body(input): Body<UsageIn>) -> Result<(StatusCode, Json<UsageOut>), ApiError> {
    actor.writer()?;
    let view = actor
        .run(move |acting, now| {
            let request = LogUsage {
                venture: slug,
                booking: number,
                occurred_on: Some(parse_date("date", input.date.trim())?),
                units: input.units,
                fee_paid: input.fee_paid,
                note: input.note,
                by: None,
            };
            acting.log_usage(&request, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(usage_out(&view))))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/usage/{number}/decision", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), request_body = DecisionIn, responses((status = 200, body = UsageOut), Refused, BodyRefused))]
async fn decide_usage(actor: Actor, At((slug, number)): At<(String, u32)>, Body(input): Body<DecisionIn>) -> ApiResult<UsageOut> {
    actor.writer()?;
    let view = actor
        .run(move |acting, now| {
            let confirm = match input.decision.as_str() {
                "confirm" => true,
                "decline" => false,
                _ => return Err(invalid("decision", "use confirm or decline")),
            };
            acting.decide_usage(&slug, number, confirm, now)
        })
        .await?;
    Ok(Json(usage_out(&view)))
}

#[derive(OpenApi)]
#[openapi(paths(
    list_goods,
    register_good,
    get_good,
    withdraw_good,
    give_good,
    inbox,
    list_bookings,
    request_booking,
    decide_booking,
    log_usage,
    decide_usage
))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/goods", get(list_goods).post(register_good))
        .route("/goods/{id}", get(get_good))
        .route("/goods/{id}/withdrawal", post(withdraw_good))
        .route("/goods/{id}/gift", post(give_good))
        .route("/me/goods/inbox", get(inbox))
        .route("/ventures/{slug}/bookings", get(list_bookings).post(request_booking))
        .route("/ventures/{slug}/bookings/{number}/decision", post(decide_booking))
        .route("/ventures/{slug}/bookings/{number}/usage", post(log_usage))
        .route("/ventures/{slug}/usage/{number}/decision", post(decide_usage))
}

//! Pooled capital over the API: needs and pledges, paying a need from the well, well statements,
//! shared costs, the registry of lent goods, bookings and the use logged under them. Its OpenAPI
//! paths are merged into the document by [`CapitalDoc`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use peerstake_app::holds::NeedView;
use peerstake_app::capital::{PayNeed, PledgeView, PublishNeed};
use peerstake_app::error::invalid;
use peerstake_app::goods::{BookGood, BookingView, GiveGood, GoodView, LogUsage, RegisterGood, UsageView};
use peerstake_app::well::{SharedCosts, WellStatement};
use peerstake_core::money::{Currency, format_scaled};
use peerstake_store::StoredEntry;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use super::{ApiError, ApiResult, Body, ErrorBody, optional_date, parse_date};
use crate::AppState;
use crate::auth::Caller;

/// A need to publish.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NeedIn {
    /// What it is for.
    pub title: String,
    /// More about it.
    #[serde(default)]
    pub description: String,
    /// The cost of a one-off, or of one period of a recurring cost.
    pub amount: String,
    /// Empty for a one-off; `weekly` or `monthly`.
    #[serde(default)]
    pub cadence: String,
    /// How many periods the goal covers (recurring costs).
    #[serde(default)]
    pub periods: u32,
    /// A stretch goal above the goal.
    #[serde(default)]
    pub stretch: String,
    /// The smallest pledge taken (one unit of the currency when empty).
    #[serde(default)]
    pub min_pledge: String,
    /// The last day pledges are taken (YYYY-MM-DD).
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
    pub amount: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// One depositor's share of a withdrawal, or the slices of a contribution.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareOut {
    /// The member.
    pub member: String,
    /// Value.
    pub value: String,
    /// Slices.
    pub slices: String,
}

/// An entry a capital action wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct CapitalEntryOut {
    /// Its number in the ledger.
    pub seq: u64,
    /// Its kind.
    pub kind: String,
    /// Value.
    pub value: String,
    /// Slices.
    pub slices: String,
    /// Its effects by member (empty while it waits for review).
    pub shares: Vec<ShareOut>,
}

/// A well statement.
#[derive(Debug, Serialize, ToSchema)]
pub struct WellOut {
    /// The member's handle, for a member's statement.
    pub member: Option<String>,
    /// The balance now.
    pub balance: String,
    /// Paid in.
    pub deposited: String,
    /// Spent on costs.
    pub spent: String,
    /// Handed back or paid out otherwise.
    pub returned: String,
    /// Cash slices the spending earned.
    pub slices: String,
    /// Depositors with a balance (the venture's statement).
    pub depositors: Vec<DepositorOut>,
    /// Every movement, oldest first.
    pub movements: Vec<MovementOut>,
}

/// A depositor's balance.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepositorOut {
    /// Handle.
    pub member: String,
    /// Balance.
    pub balance: String,
}

/// One movement of the well.
#[derive(Debug, Serialize, ToSchema)]
pub struct MovementOut {
    /// The entry.
    pub seq: u64,
    /// Its date.
    pub date: String,
    /// Its kind.
    pub kind: String,
    /// Whose balance moved, when it is one person's.
    pub member: Option<String>,
    /// The change (negative for spending and returns).
    pub change: String,
    /// Cash slices earned.
    pub slices: String,
    /// The balance after it.
    pub balance: String,
    /// The entry's note.
    pub note: String,
    /// The need it paid.
    pub need: Option<u32>,
}

/// Who covered what.
#[derive(Debug, Serialize, ToSchema)]
pub struct CostShareOut {
    /// Handle.
    pub member: String,
    /// Share of well spending.
    pub cash: String,
    /// Goods lent or given.
    pub goods: String,
}

/// How one need's cost was spread.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeedCostsOut {
    /// The need.
    pub need: u32,
    /// Its title.
    pub title: String,
    /// Paid from the well.
    pub cash: String,
    /// Covered by goods.
    pub goods: String,
    /// Who covered it.
    pub shares: Vec<CostShareOut>,
}

/// How a month's costs were spread.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthCostsOut {
    /// `YYYY-MM`.
    pub month: String,
    /// Who covered them.
    pub shares: Vec<CostShareOut>,
}

/// How a venture's costs were spread across its peers.
#[derive(Debug, Serialize, ToSchema)]
pub struct CostsOut {
    /// Per need.
    pub needs: Vec<NeedCostsOut>,
    /// Per month.
    pub months: Vec<MonthCostsOut>,
    /// Over the venture's life.
    pub totals: Vec<CostShareOut>,
}

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

fn capital_entry(stored: &StoredEntry, currency: Currency, handle: &dyn Fn(u32) -> String) -> CapitalEntryOut {
    let e = &stored.entry;
    CapitalEntryOut {
        seq: e.seq,
        kind: e.tag.clone(),
        value: currency.format(e.fmv_minor),
        slices: currency.format_slices(e.slices_minor),
        shares: e
            .effects
            .iter()
            .map(|x| ShareOut { member: handle(x.member.0), value: currency.format(x.fmv_minor), slices: currency.format_slices(x.slices_minor) })
            .collect(),
    }
}

fn well_out(statement: &WellStatement) -> WellOut {
    let c = statement.currency;
    WellOut {
        member: statement.member.as_ref().map(|m| m.handle.clone()),
        balance: c.format(statement.balance_minor),
        deposited: c.format(statement.deposited_minor),
        spent: c.format(statement.spent_minor),
        returned: c.format(statement.returned_minor),
        slices: c.format_slices(statement.slices_minor),
        depositors: statement.depositors.iter().map(|d| DepositorOut { member: d.handle.clone(), balance: c.format(d.balance_minor) }).collect(),
        movements: statement
            .movements
            .iter()
            .map(|m| MovementOut {
                seq: m.seq,
                date: m.occurred_on.to_string(),
                kind: m.tag.clone(),
                member: m.member.clone(),
                change: c.format(m.change_minor),
                slices: c.format_slices(m.slices_minor),
                balance: c.format(m.balance_minor),
                note: m.note.clone(),
                need: m.need,
            })
            .collect(),
    }
}

fn costs_out(costs: &SharedCosts) -> CostsOut {
    let c = costs.currency;
    let shares = |list: &[peerstake_app::well::CostShare]| -> Vec<CostShareOut> {
        list.iter().map(|s| CostShareOut { member: s.handle.clone(), cash: c.format(s.cash_minor), goods: c.format(s.goods_minor) }).collect()
    };
    CostsOut {
        needs: costs
            .needs
            .iter()
            .map(|n| NeedCostsOut {
                need: n.need.number,
                title: n.need.title.clone(),
                cash: c.format(n.cash_minor),
                goods: c.format(n.goods_minor),
                shares: shares(&n.shares),
            })
            .collect(),
        months: costs.months.iter().map(|m| MonthCostsOut { month: m.month.clone(), shares: shares(&m.shares) }).collect(),
        totals: shares(&costs.totals),
    }
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

/// Thousandths of a unit as a decimal (`2.5`).
pub(crate) fn units(milli: i64) -> String {
    let text = format_scaled(i128::from(milli), 3);
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    trimmed.to_string()
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

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/needs", params(("slug" = String, Path)), responses((status = 200, body = [NeedOut]), (status = 404, body = ErrorBody)))]
async fn list_needs(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> ApiResult<Vec<NeedOut>> {
    let account = caller.account.clone();
    let needs = state.run(move |commons, now| commons.acting(account.as_ref()).needs(&slug, now)).await?;
    Ok(Json(needs.iter().map(need_out).collect()))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/needs", params(("slug" = String, Path)), request_body = NeedIn, responses((status = 201, body = NeedOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn publish_need(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Body(input): Body<NeedIn>,
) -> Result<(StatusCode, Json<NeedOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let view = state
        .run(move |commons, now| {
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
                idempotency_key: input.idempotency_key,
            };
            commons.acting(Some(&account)).publish_need(&request, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(need_out(&view))))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/needs/{number}", params(("slug" = String, Path), ("number" = u32, Path)), responses((status = 200, body = NeedDetailOut), (status = 404, body = ErrorBody)))]
async fn get_need(State(state): State<AppState>, caller: Caller, Path((slug, number)): Path<(String, u32)>) -> ApiResult<NeedDetailOut> {
    let account = caller.account.clone();
    let (view, pledges) = state.run(move |commons, now| commons.acting(account.as_ref()).need(&slug, number, now)).await?;
    Ok(Json(NeedDetailOut { pledges: pledges.iter().map(|p| pledge_item(p, view.currency)).collect(), need: need_out(&view) }))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/needs/{number}/pledges", params(("slug" = String, Path), ("number" = u32, Path)), request_body = PledgeIn, responses((status = 201, body = PledgeOut), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn pledge(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Body(input): Body<PledgeIn>,
) -> Result<(StatusCode, Json<PledgeOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let outcome = state.run(move |commons, now| commons.acting(Some(&account)).pledge(&slug, number, &input.amount, input.idempotency_key, now)).await?;
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

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/needs/{number}/cancellation", params(("slug" = String, Path), ("number" = u32, Path)), responses((status = 200, body = NeedOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cancel_need(State(state): State<AppState>, caller: Caller, Path((slug, number)): Path<(String, u32)>) -> ApiResult<NeedOut> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let view = state.run(move |commons, now| commons.acting(Some(&account)).cancel_need(&slug, number, now)).await?;
    Ok(Json(need_out(&view)))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/needs/{number}/payments", params(("slug" = String, Path), ("number" = u32, Path)), request_body = PayIn, responses((status = 201, body = CapitalEntryOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn pay_need(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Body(input): Body<PayIn>,
) -> Result<(StatusCode, Json<CapitalEntryOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let out = state
        .run(move |commons, now| {
            let acting = commons.acting(Some(&account));
            let request = PayNeed { venture: slug.clone(), need: number, amount: input.amount, by: None, idempotency_key: input.idempotency_key };
            let stored = acting.pay_need(&request, now)?;
            let members = acting.members(&slug, now)?;
            let handle = |no: u32| members.iter().find(|m| m.record.member_no.0 == no).map_or_else(|| format!("#{no}"), |m| m.record.handle.clone());
            let currency = commons.venture(&slug, now)?.record.money()?;
            Ok(capital_entry(&stored, currency, &handle))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/well", params(("slug" = String, Path)), responses((status = 200, body = WellOut), (status = 404, body = ErrorBody)))]
async fn get_well(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> ApiResult<WellOut> {
    let account = caller.account.clone();
    let statement = state.run(move |commons, now| commons.acting(account.as_ref()).well(&slug, now)).await?;
    Ok(Json(well_out(&statement)))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/well/{handle}", params(("slug" = String, Path), ("handle" = String, Path)), responses((status = 200, body = WellOut), (status = 404, body = ErrorBody)))]
async fn get_member_well(State(state): State<AppState>, caller: Caller, Path((slug, handle)): Path<(String, String)>) -> ApiResult<WellOut> {
    let account = caller.account.clone();
    let statement = state.run(move |commons, now| commons.acting(account.as_ref()).member_well(&slug, &handle, now)).await?;
    Ok(Json(well_out(&statement)))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/costs", params(("slug" = String, Path)), responses((status = 200, body = CostsOut), (status = 404, body = ErrorBody)))]
async fn get_costs(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> ApiResult<CostsOut> {
    let account = caller.account.clone();
    let costs = state.run(move |commons, now| commons.acting(account.as_ref()).shared_costs(&slug, now)).await?;
    Ok(Json(costs_out(&costs)))
}

#[utoipa::path(get, path = "/api/v1/goods", responses((status = 200, body = [GoodOut])))]
async fn list_goods(State(state): State<AppState>) -> ApiResult<Vec<GoodOut>> {
    let goods = state.run(move |commons, _| commons.goods(None)).await?;
    Ok(Json(goods.iter().map(good_out).collect()))
}

#[utoipa::path(post, path = "/api/v1/goods", request_body = GoodIn, responses((status = 201, body = GoodOut), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn register_good(State(state): State<AppState>, caller: Caller, Body(input): Body<GoodIn>) -> Result<(StatusCode, Json<GoodOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let view = state
        .run(move |commons, now| {
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
            commons.acting(Some(&account)).register_good(&request, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(good_out(&view))))
}

#[utoipa::path(get, path = "/api/v1/goods/{id}", params(("id" = i64, Path)), responses((status = 200, body = GoodDetailOut), (status = 404, body = ErrorBody)))]
async fn get_good(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult<GoodDetailOut> {
    let (good, bookings) = state.run(move |commons, _| commons.good(id)).await?;
    Ok(Json(GoodDetailOut { good: good_out(&good), bookings: bookings.iter().map(booking_out).collect() }))
}

#[utoipa::path(post, path = "/api/v1/goods/{id}/withdrawal", params(("id" = i64, Path)), responses((status = 200, body = GoodOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn withdraw_good(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<GoodOut> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let view = state.run(move |commons, _| commons.acting(Some(&account)).withdraw_good(id)).await?;
    Ok(Json(good_out(&view)))
}

#[utoipa::path(post, path = "/api/v1/goods/{id}/gift", params(("id" = i64, Path)), request_body = GiftIn, responses((status = 201, body = CapitalEntryOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn give_good(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(input): Body<GiftIn>,
) -> Result<(StatusCode, Json<CapitalEntryOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let out = state
        .run(move |commons, now| {
            let acting = commons.acting(Some(&account));
            let slug = input.venture.clone();
            let request = GiveGood { account: account.id, good: id, venture: input.venture, condition: input.condition, value: input.value, note: input.note };
            let stored = acting.give_good(&request, now)?;
            let currency = commons.venture(&slug, now)?.record.money()?;
            let handle = account.username.clone();
            Ok(capital_entry(&stored, currency, &|_| handle.clone()))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(get, path = "/api/v1/me/goods/inbox", responses((status = 200, body = InboxOut), (status = 401, body = ErrorBody)))]
async fn inbox(State(state): State<AppState>, caller: Caller) -> ApiResult<InboxOut> {
    let account = caller.account()?.clone();
    let inbox = state.run(move |commons, _| commons.acting(Some(&account)).owner_inbox()).await?;
    Ok(Json(InboxOut { bookings: inbox.bookings.iter().map(booking_out).collect(), usages: inbox.usages.iter().map(usage_out).collect() }))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/bookings", params(("slug" = String, Path)), responses((status = 200, body = BookingsOut), (status = 404, body = ErrorBody)))]
async fn list_bookings(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> ApiResult<BookingsOut> {
    let account = caller.account.clone();
    let (bookings, usages) = state.run(move |commons, now| commons.acting(account.as_ref()).bookings(&slug, now)).await?;
    Ok(Json(BookingsOut { bookings: bookings.iter().map(booking_out).collect(), usages: usages.iter().map(usage_out).collect() }))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/bookings", params(("slug" = String, Path)), request_body = BookingIn, responses((status = 201, body = BookingOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn request_booking(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Body(input): Body<BookingIn>,
) -> Result<(StatusCode, Json<BookingOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let view = state
        .run(move |commons, now| {
            let request = BookGood {
                venture: slug,
                good: input.good,
                starts_on: Some(parse_date("starts on", input.starts_on.trim())?),
                ends_on: Some(parse_date("ends on", input.ends_on.trim())?),
                planned: input.planned,
                need: input.need,
                note: input.note,
                by: None,
                idempotency_key: input.idempotency_key,
            };
            commons.acting(Some(&account)).book_good(&request, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(booking_out(&view))))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/bookings/{number}/decision", params(("slug" = String, Path), ("number" = u32, Path)), request_body = DecisionIn, responses((status = 200, body = BookingOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide_booking(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Body(input): Body<DecisionIn>,
) -> ApiResult<BookingOut> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let view = state
        .run(move |commons, now| {
            let acting = commons.acting(Some(&account));
            match input.decision.as_str() {
                "accept" => acting.decide_booking(&slug, number, true, now),
                "decline" => acting.decide_booking(&slug, number, false, now),
                "cancel" => acting.cancel_booking(&slug, number, now),
                _ => Err(invalid("decision", "use accept, decline or cancel")),
            }
        })
        .await?;
    Ok(Json(booking_out(&view)))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/bookings/{number}/usage", params(("slug" = String, Path), ("number" = u32, Path)), request_body = UsageIn, responses((status = 201, body = UsageOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn log_usage(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Body(input): Body<UsageIn>,
) -> Result<(StatusCode, Json<UsageOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let view = state
        .run(move |commons, now| {
            let request = LogUsage {
                venture: slug,
                booking: number,
                occurred_on: Some(parse_date("date", input.date.trim())?),
                units: input.units,
                fee_paid: input.fee_paid,
                note: input.note,
                by: None,
            };
            commons.acting(Some(&account)).log_usage(&request, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(usage_out(&view))))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/usage/{number}/decision", params(("slug" = String, Path), ("number" = u32, Path)), request_body = DecisionIn, responses((status = 200, body = UsageOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide_usage(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Body(input): Body<DecisionIn>,
) -> ApiResult<UsageOut> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let view = state
        .run(move |commons, now| {
            let confirm = match input.decision.as_str() {
                "confirm" => true,
                "decline" => false,
                _ => return Err(invalid("decision", "use confirm or decline")),
            };
            commons.acting(Some(&account)).decide_usage(&slug, number, confirm, now)
        })
        .await?;
    Ok(Json(usage_out(&view)))
}

#[derive(OpenApi)]
#[openapi(paths(
    list_needs,
    publish_need,
    get_need,
    pledge,
    cancel_need,
    pay_need,
    get_well,
    get_member_well,
    get_costs,
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
pub(crate) struct CapitalDoc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ventures/{slug}/needs", get(list_needs).post(publish_need))
        .route("/ventures/{slug}/needs/{number}", get(get_need))
        .route("/ventures/{slug}/needs/{number}/pledges", post(pledge))
        .route("/ventures/{slug}/needs/{number}/cancellation", post(cancel_need))
        .route("/ventures/{slug}/needs/{number}/payments", post(pay_need))
        .route("/ventures/{slug}/well", get(get_well))
        .route("/ventures/{slug}/well/{handle}", get(get_member_well))
        .route("/ventures/{slug}/costs", get(get_costs))
        .route("/ventures/{slug}/bookings", get(list_bookings).post(request_booking))
        .route("/ventures/{slug}/bookings/{number}/decision", post(decide_booking))
        .route("/ventures/{slug}/bookings/{number}/usage", post(log_usage))
        .route("/ventures/{slug}/usage/{number}/decision", post(decide_usage))
        .route("/goods", get(list_goods).post(register_good))
        .route("/goods/{id}", get(get_good))
        .route("/goods/{id}/withdrawal", post(withdraw_good))
        .route("/goods/{id}/gift", post(give_good))
        .route("/me/goods/inbox", get(inbox))
}

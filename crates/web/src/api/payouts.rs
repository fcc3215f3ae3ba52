//! Income and payouts over the API: income recorded, distributions previewed then posted,
//! clawbacks, and each member's statement.

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use peerstake_app::access::Names;
use peerstake_app::payouts::{Clawback, DistributeRequest, DistributionView, IncomeBook, IncomeRequest, Statement};
use peerstake_store::IncomeRecord;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use super::shapes::{BuyoutOut, buyout_out, trace_path, weight};
use crate::AppState;
use crate::error::{ApiError, ApiResult, BodyRefused, Refused};
use crate::extract::{Actor, At, Body, IdempotencyKey, optional_date};

/// Income to record.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IncomeIn {
    /// `revenue` (default) or `sale`.
    #[serde(default)]
    pub kind: String,
    /// The amount.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub amount: String,
    /// The day it arrived (YYYY-MM-DD; today when absent).
    #[schema(format = Date)]
    pub received_on: Option<String>,
    /// Where it came from.
    #[serde(default)]
    pub note: String,
    /// For a sale of the venture: the price of the whole venture.
    #[serde(default)]
    pub valuation: String,
    /// Makes a retry harmless (the `Idempotency-Key` header wins).
    pub idempotency_key: Option<String>,
}

/// Income received.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncomeOut {
    /// Its number in the venture.
    pub number: u32,
    /// `revenue` or `sale`.
    pub kind: String,
    /// The amount.
    pub amount: String,
    /// The day it arrived.
    pub received_on: String,
    /// Where it came from.
    pub note: String,
    /// For a sale: the price of the whole venture.
    pub valuation: Option<String>,
    /// Who recorded it.
    pub recorded_by: Option<String>,
    /// When, ms since the epoch.
    pub recorded_at_ms: i64,
}

/// Income, and what is left to distribute.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncomeBookOut {
    /// The venture's currency.
    pub currency: String,
    /// All received.
    pub received: String,
    /// Received and not yet distributed.
    pub undistributed: String,
    /// Every income, oldest first.
    pub incomes: Vec<IncomeOut>,
}

/// A distribution to post, or to preview.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DistributionIn {
    /// The amount to pay out (at most what is undistributed).
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub amount: String,
    /// `split`, `cap-table`, or absent for the cap table when frozen and the split otherwise.
    #[serde(default)]
    pub basis: String,
    /// The day it is paid (YYYY-MM-DD; today when absent).
    #[schema(format = Date)]
    pub paid_on: Option<String>,
    /// What it is.
    #[serde(default)]
    pub note: String,
    /// Work out every payout and write nothing.
    #[serde(default)]
    pub preview: bool,
    /// Makes a retry harmless (the `Idempotency-Key` header wins).
    pub idempotency_key: Option<String>,
}

/// One holder's payout, with what it was split by.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayoutOut {
    /// Handle.
    pub member: String,
    /// Display name.
    pub name: String,
    /// What their payout was split by: slices (a decimal) or whole shares.
    pub weight: String,
    /// All the weight.
    pub total_weight: String,
    /// Their share of the weight, two decimals; the payouts' add up to exactly 100.00.
    pub percent: String,
    /// Paid.
    pub amount: String,
    /// The ledger head it was split at: the entries behind their slices are those up to it.
    pub head_seq: u64,
    /// Where their entries are traced (those up to `head_seq` made the weight, for a split).
    pub trace: String,
}

/// A distribution: posted, or as it would be.
#[derive(Debug, Serialize, ToSchema)]
pub struct DistributionOut {
    /// Its number (the number it would get, for a preview).
    pub number: u32,
    /// Whether it is posted (false for a preview).
    pub posted: bool,
    /// The venture's currency.
    pub currency: String,
    /// The amount; the payouts add up to exactly it.
    pub amount: String,
    /// `split` or `cap-table`.
    pub basis: String,
    /// The freeze whose cap table it used.
    pub freeze: Option<u32>,
    /// The ledger head it was split at.
    pub head_seq: u64,
    /// All the weight.
    pub total_weight: String,
    /// The day it is paid.
    pub paid_on: String,
    /// What it is.
    pub note: String,
    /// Who posted it.
    pub posted_by: Option<String>,
    /// When, ms since the epoch.
    pub posted_at_ms: i64,
    /// One per holder, by member number.
    pub payouts: Vec<PayoutOut>,
}

/// One payout on a member's statement.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementPayoutOut {
    /// The distribution.
    pub distribution: u32,
    /// The day it was paid.
    pub paid_on: String,
    /// `split` or `cap-table`.
    pub basis: String,
    /// What the payout was split by: slices or whole shares.
    pub weight: String,
    /// All the weight.
    pub total_weight: String,
    /// The ledger head it was split at.
    pub head_seq: u64,
    /// Paid.
    pub amount: String,
}

/// What a claw-back owes for one buyout.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClawbackOut {
    /// The buyout.
    pub buyout: u32,
    /// The last day of its window.
    pub until: String,
    /// The event with the highest implied price in the window: `sale #n` or `distribution #n`.
    pub event: Option<String>,
    /// Its date.
    pub on: Option<String>,
    /// The price per slice it implies.
    pub implied_price_per_slice: String,
    /// Owed.
    pub owed: String,
}

/// A member's statement.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementOut {
    /// Handle.
    pub member: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: String,
    /// The venture's currency.
    pub currency: String,
    /// The day they left.
    pub departed_on: Option<String>,
    /// The case they left under.
    pub departure_case: Option<String>,
    /// Slices held now.
    pub slices: String,
    /// All slices.
    pub total_slices: String,
    /// Their share of the split now, two decimals.
    pub percent: String,
    /// Whole shares in the frozen cap table, when frozen.
    pub shares: Option<i64>,
    /// All shares in it, when frozen.
    pub total_shares: Option<i64>,
    /// Their unspent money in the well.
    pub well_balance: String,
    /// Of it, what is owed back to them because they left (handed back with a well return).
    pub well_owed_back: String,
    /// All they received.
    pub received: String,
    /// Every payout.
    pub payouts: Vec<StatementPayoutOut>,
    /// Buyouts of their slices.
    pub buyouts: Vec<BuyoutOut>,
    /// Claw-backs owed to them.
    pub clawbacks: Vec<ClawbackOut>,
    /// All claw-backs owed.
    pub owed: String,
}

fn income_out(record: &IncomeRecord, names: &Names) -> IncomeOut {
    IncomeOut {
        number: record.number,
        kind: record.kind.clone(),
        amount: names.money(record.amount_minor),
        received_on: record.received_on.to_string(),
        note: record.note.clone(),
        valuation: record.valuation_minor.map(|v| names.money(v)),
        recorded_by: record.recorded_by.map(|m| names.handle(m)),
        recorded_at_ms: record.recorded_at_ms,
    }
}

pub(super) fn income_book_out(book: &IncomeBook, names: &Names) -> IncomeBookOut {
    IncomeBookOut {
        currency: names.currency.code().to_string(),
        received: names.money(book.incomes.iter().map(|i| i.amount_minor).sum()),
        undistributed: names.money(book.undistributed_minor),
        incomes: book.incomes.iter().map(|i| income_out(i, names)).collect(),
    }
}

pub(super) fn distribution_out(view: &DistributionView, names: &Names) -> DistributionOut {
    let r = &view.record;
    DistributionOut {
        number: r.number,
        posted: view.posted,
        currency: names.currency.code().to_string(),
        amount: names.money(r.amount_minor),
        basis: r.basis.clone(),
        freeze: r.freeze,
        head_seq: r.head_seq,
        total_weight: weight(names, &r.basis, r.total_weight),
        paid_on: r.paid_on.to_string(),
        note: r.note.clone(),
        posted_by: r.posted_by.map(|m| names.handle(m)),
        posted_at_ms: r.posted_at_ms,
        payouts: view
            .lines
            .iter()
            .map(|line| PayoutOut {
                member: line.member.clone(),
                name: line.display_name.clone(),
                weight: weight(names, &r.basis, line.payout.weight),
                total_weight: weight(names, &r.basis, r.total_weight),
                percent: line.percent.clone(),
                amount: names.money(line.payout.amount_minor),
                head_seq: r.head_seq,
                trace: trace_path(names, &line.member),
            })
            .collect(),
    }
}

fn clawback_out(clawback: &Clawback, names: &Names) -> ClawbackOut {
    ClawbackOut {
        buyout: clawback.buyout,
        until: clawback.until.to_string(),
        event: clawback.event.clone(),
        on: clawback.on.map(|d| d.to_string()),
        implied_price_per_slice: names.money(clawback.implied_per_slice_minor),
        owed: names.money(clawback.owed_minor),
    }
}

pub(super) fn statement_out(statement: &Statement, names: &Names) -> StatementOut {
    StatementOut {
        member: statement.member.clone(),
        name: statement.display_name.clone(),
        role: statement.role.clone(),
        currency: names.currency.code().to_string(),
        departed_on: statement.departed.as_ref().map(|(on, _)| on.to_string()),
        departure_case: statement.departed.as_ref().map(|(_, case)| case.clone()),
        slices: names.slices(statement.slices_minor),
        total_slices: names.slices(statement.total_slices_minor),
        percent: statement.percent.clone(),
        shares: statement.shares.map(|(shares, _)| shares),
        total_shares: statement.shares.map(|(_, total)| total),
        well_balance: names.money(statement.well_minor),
        well_owed_back: names.money(statement.well_owed_back_minor),
        received: names.money(statement.received_minor),
        payouts: statement
            .payouts
            .iter()
            .map(|p| StatementPayoutOut {
                distribution: p.distribution,
                paid_on: p.paid_on.to_string(),
                basis: p.basis.clone(),
                weight: weight(names, &p.basis, p.weight),
                total_weight: weight(names, &p.basis, p.total_weight),
                head_seq: p.head_seq,
                amount: names.money(p.amount_minor),
            })
            .collect(),
        buyouts: statement.buyouts.iter().map(|b| buyout_out(b, names)).collect(),
        clawbacks: statement.clawbacks.iter().map(|c| clawback_out(c, names)).collect(),
        owed: names.money(statement.owed_minor),
    }
}

// ---------------------------------------------------------------- income and distributions

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/income", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = IncomeBookOut), Refused))]
async fn list_income(actor: Actor, At(slug): At<String>) -> ApiResult<IncomeBookOut> {
    let out = actor
        .run(move |acting, now| {
            let book = acting.incomes(&slug, now)?;
            Ok(income_book_out(&book, &acting.names(&slug, now)?))
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/income", params(("slug" = String, Path, example = "demo"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless")), request_body = IncomeIn, responses((status = 201, body = IncomeOut), Refused, BodyRefused))]
async fn record_income(
    actor: Actor,
    At(slug): At<String>,
    key: IdempotencyKey,
    Body(input): Body<IncomeIn>,
) -> Result<(StatusCode, Json<IncomeOut>), ApiError> {
    actor.writer()?;
    let out = actor
        .run(move |acting, now| {
            let request = IncomeRequest {
                venture: slug.clone(),
                kind: input.kind,
                amount: input.amount,
                received_on: optional_date("received on", &input.received_on)?,
                note: input.note,
                valuation: input.valuation,
                by: None,
                idempotency_key: key.or(input.idempotency_key),
            };
            let record = acting.record_income(&request, now)?;
            Ok(income_out(&record, &acting.names(&slug, now)?))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/distributions", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = [DistributionOut]), Refused))]
async fn list_distributions(actor: Actor, At(slug): At<String>) -> ApiResult<Vec<DistributionOut>> {
    let out = actor
        .named(slug, move |acting, slug, now| acting.distributions(slug, now), |views, names| views.iter().map(|v| distribution_out(v, names)).collect())
        .await?;
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/distributions", params(("slug" = String, Path, example = "demo"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless")), request_body = DistributionIn, responses((status = 200, body = DistributionOut, description = "A preview: every payout, nothing written"), (status = 201, body = DistributionOut, description = "Posted"), Refused, BodyRefused))]
async fn distribute(
    actor: Actor,
    At(slug): At<String>,
    key: IdempotencyKey,
    Body(input): Body<DistributionIn>,
) -> Result<(StatusCode, Json<DistributionOut>), ApiError> {
    actor.writer()?;
    let preview = input.preview;
    let out = actor
        .run(move |acting, now| {
            let request = DistributeRequest {
                venture: slug.clone(),
                amount: input.amount,
                basis: input.basis,
                paid_on: optional_date("paid on", &input.paid_on)?,
                note: input.note,
                by: None,
                idempotency_key: key.or(input.idempotency_key),
            };
            let view = if preview { acting.preview_distribution(&request, now)? } else { acting.post_distribution(&request, now)? };
            Ok(distribution_out(&view, &acting.names(&slug, now)?))
        })
        .await?;
    Ok((if preview { StatusCode::OK } else { StatusCode::CREATED }, Json(out)))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/distributions/{number}", params(("slug" = String, Path, example = "demo"), ("number" = u32, Path, example = 1)), responses((status = 200, body = DistributionOut), Refused))]
async fn get_distribution(actor: Actor, At((slug, number)): At<(String, u32)>) -> ApiResult<DistributionOut> {
    let out = actor.named(slug, move |acting, slug, now| acting.distribution(slug, number, now), distribution_out).await?;
    Ok(Json(out))
}

// ---------------------------------------------------------------- statements, report, exports

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/statements", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = [StatementOut]), Refused))]
async fn list_statements(actor: Actor, At(slug): At<String>) -> ApiResult<Vec<StatementOut>> {
    let out = actor
        .run(move |acting, now| {
            let statements = acting.statements(&slug, now)?;
            let names = acting.names(&slug, now)?;
            Ok(statements.iter().map(|s| statement_out(s, &names)).collect())
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/statements/{handle}", params(("slug" = String, Path, example = "demo"), ("handle" = String, Path, example = "ana")), responses((status = 200, body = StatementOut, description = "Whoever may read the venture, and always the member themselves, even after they left"), Refused))]
async fn get_statement(actor: Actor, At((slug, handle)): At<(String, String)>) -> ApiResult<StatementOut> {
    let out = actor
        .run(move |acting, now| {
            let statement = acting.statement(&slug, &handle, now)?;
            Ok(statement_out(&statement, &acting.names(&slug, now)?))
        })
        .await?;
    Ok(Json(out))
}

#[derive(OpenApi)]
#[openapi(paths(list_income, record_income, list_distributions, distribute, get_distribution, list_statements, get_statement))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ventures/{slug}/income", get(list_income).post(record_income))
        .route("/ventures/{slug}/distributions", get(list_distributions).post(distribute))
        .route("/ventures/{slug}/distributions/{number}", get(get_distribution))
        .route("/ventures/{slug}/statements", get(list_statements))
        .route("/ventures/{slug}/statements/{handle}", get(get_statement))
}

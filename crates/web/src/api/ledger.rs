//! The ledger over the API: the split (as of a date, under a policy), the entries (paged with a
//! cursor), logging and previewing a contribution, reversing one, and a member's trace.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use peerstake_app::error::AppError;
use peerstake_app::journal::ReverseRequest;
use peerstake_app::ledger::{LedgerPage, SplitQuery, TraceReport};
use peerstake_app::policy_file::PolicyChoice;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::shapes::{EntryOut, SplitOut, entry_out, split_out};
use crate::AppState;
use crate::common::{LedgerParams, LogIn, ledger_query, log_request};
use crate::error::{ApiError, ApiResult, BodyRefused, Refused};
use crate::extract::{Actor, At, Body, IdempotencyKey, Params, optional_date};

/// Which split.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SplitParams {
    /// As of the end of this date (YYYY-MM-DD).
    #[param(format = Date)]
    pub as_of: Option<String>,
    /// Revalue the whole ledger under this preset instead (nothing is written).
    pub policy: Option<String>,
}

/// A page of the ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerOut {
    /// The entries, oldest first.
    pub entries: Vec<EntryOut>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<u64>,
}

fn ledger_out(page: &LedgerPage) -> LedgerOut {
    let handle =
        |no: peerstake_core::terms::MemberNo| page.members.iter().find(|m| m.member_no == no).map_or_else(|| format!("#{}", no.0), |m| m.handle.clone());
    LedgerOut { entries: page.entries.iter().map(|s| entry_out(s, page.currency, &handle)).collect(), next_after: page.next_after }
}

/// A reversal.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReverseIn {
    /// Why (required).
    pub reason: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// One entry behind a figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct TraceEntryOut {
    /// Entry number.
    pub entry: u64,
    /// Its date.
    pub date: String,
    /// Its kind.
    pub tag: String,
    /// Policy version used.
    pub policy_version: u32,
    /// Change in value.
    pub value: String,
    /// Change in slices.
    pub slices: String,
}

/// A kind of a member's slices.
#[derive(Debug, Serialize, ToSchema)]
pub struct TraceKindOut {
    /// The kind.
    pub kind: String,
    /// Slices of this kind.
    pub slices: String,
    /// Value of this kind.
    pub value: String,
    /// The entries behind it.
    pub entries: Vec<TraceEntryOut>,
}

/// A member's slices traced to entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct TraceOut {
    /// Handle.
    pub member: String,
    /// All their slices.
    pub slices: String,
    /// By kind.
    pub kinds: Vec<TraceKindOut>,
}

pub(crate) fn trace_out(report: &TraceReport) -> TraceOut {
    let currency = report.currency;
    TraceOut {
        member: report.member.handle.clone(),
        slices: currency.format_slices(report.slices_minor),
        kinds: report
            .kinds
            .iter()
            .map(|k| TraceKindOut {
                kind: k.kind.name().to_string(),
                slices: currency.format_slices(k.slices_minor),
                value: currency.format(k.fmv_minor),
                entries: k
                    .entries
                    .iter()
                    .map(|e| TraceEntryOut {
                        entry: e.seq,
                        date: e.occurred_on.to_string(),
                        tag: e.tag.clone(),
                        policy_version: e.policy_version,
                        value: currency.format(e.fmv_minor),
                        slices: currency.format_slices(e.slices_minor),
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/split", params(("slug" = String, Path, example = "demo"), SplitParams), responses((status = 200, body = SplitOut), Refused))]
async fn get_split(actor: Actor, At(slug): At<String>, Params(params): Params<SplitParams>) -> Result<Response, ApiError> {
    let query = SplitQuery {
        as_of: optional_date("as of", &params.as_of)?,
        policy: params.policy.as_deref().filter(|p| !p.trim().is_empty()).map(|p| PolicyChoice::Preset(p.trim().to_string())),
    };
    // The current split is read from maintained totals (or the cache): quick. An as-of split or
    // a comparison replays the ledger: that goes to a blocking thread.
    let report = if params.as_of.is_none() && params.policy.is_none() {
        actor.run_quick(move |acting, now| acting.split(&slug, &query, now)).await?
    } else {
        actor.run(move |acting, now| acting.split(&slug, &query, now)).await?
    };
    // The current split is written once per committed state and served from then on.
    let body = match report.state {
        Some(at) => actor.split_json().get_or_render(&report.venture, at, || serde_json::to_vec(&split_out(&report))),
        None => serde_json::to_vec(&split_out(&report)).map(axum::body::Bytes::from),
    }
    .map_err(|e| AppError::Internal(format!("cannot write JSON: {e}")))?;
    Ok(([(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"))], body).into_response())
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/entries", params(("slug" = String, Path, example = "demo"), LedgerParams), responses((status = 200, body = LedgerOut), Refused))]
async fn get_ledger(actor: Actor, At(slug): At<String>, Params(params): Params<LedgerParams>) -> ApiResult<LedgerOut> {
    let page = actor.run_quick(move |acting, now| acting.ledger(&slug, &ledger_query(&params)?, now)).await?;
    Ok(Json(ledger_out(&page)))
}

async fn log_or_preview(actor: Actor, slug: String, input: LogIn, record: bool) -> Result<(StatusCode, Json<EntryOut>), ApiError> {
    actor.writer()?;
    // With no member named, the entry is for the person logging it.
    let named = if record {
        let authorized = actor.run_quick(move |acting, now| acting.authorize(&log_request(&slug, &input, None)?, now)).await?;
        actor.log_batched(authorized).await?
    } else {
        actor.run(move |acting, now| acting.log_named(&log_request(&slug, &input, None)?, now, false)).await?
    };
    let handle = |no: peerstake_core::terms::MemberNo| named.handle(no);
    Ok((if record { StatusCode::CREATED } else { StatusCode::OK }, Json(entry_out(&named.entry, named.currency, &handle))))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/entries", params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless"), ("slug" = String, Path, example = "demo")), request_body = LogIn, responses((status = 201, body = EntryOut), Refused, BodyRefused))]
async fn log_entry(actor: Actor, At(slug): At<String>, key: IdempotencyKey, Body(mut input): Body<LogIn>) -> Result<(StatusCode, Json<EntryOut>), ApiError> {
    input.idempotency_key = key.or(input.idempotency_key.take());
    log_or_preview(actor, slug, input, true).await
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/entries/preview", params(("slug" = String, Path, example = "demo")), request_body = LogIn, responses((status = 200, body = EntryOut, description = "What the entry would be; nothing is written"), Refused, BodyRefused))]
async fn preview_entry(actor: Actor, At(slug): At<String>, Body(input): Body<LogIn>) -> Result<(StatusCode, Json<EntryOut>), ApiError> {
    log_or_preview(actor, slug, input, false).await
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/entries/{seq}/reversal", params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless"), ("slug" = String, Path, example = "demo"), ("seq" = u64, Path, example = 1)), request_body = ReverseIn, responses((status = 201, body = EntryOut), Refused, BodyRefused))]
async fn reverse_entry(
    actor: Actor,
    At((slug, seq)): At<(String, u64)>,
    key: IdempotencyKey,
    Body(input): Body<ReverseIn>,
) -> Result<(StatusCode, Json<EntryOut>), ApiError> {
    actor.writer()?;
    let (stored, currency, members) = actor
        .run(move |acting, now| {
            let request = ReverseRequest { venture: slug.clone(), seq, reason: input.reason, author: None, idempotency_key: key.or(input.idempotency_key) };
            let stored = acting.reverse(&request, now)?;
            let standing = acting.standing(&slug, now)?;
            Ok((stored, standing.venture.record.money()?, acting.members(&slug, now)?))
        })
        .await?;
    let handle = |no: peerstake_core::terms::MemberNo| {
        members.iter().find(|m| m.record.member_no == no).map_or_else(|| format!("#{}", no.0), |m| m.record.handle.clone())
    };
    Ok((StatusCode::CREATED, Json(entry_out(&stored, currency, &handle))))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/members/{handle}/trace", params(("slug" = String, Path, example = "demo"), ("handle" = String, Path, example = "ana")), responses((status = 200, body = TraceOut), Refused))]
async fn get_trace(actor: Actor, At((slug, handle)): At<(String, String)>) -> ApiResult<TraceOut> {
    let report = actor.run(move |acting, now| acting.trace(&slug, &handle, now)).await?;
    Ok(Json(trace_out(&report)))
}

#[derive(OpenApi)]
#[openapi(paths(get_split, get_ledger, log_entry, preview_entry, reverse_entry, get_trace))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ventures/{slug}/split", get(get_split))
        .route("/ventures/{slug}/entries", get(get_ledger).post(log_entry))
        .route("/ventures/{slug}/entries/preview", post(preview_entry))
        .route("/ventures/{slug}/entries/{seq}/reversal", post(reverse_entry))
        .route("/ventures/{slug}/members/{handle}/trace", get(get_trace))
}

//! The venture's report over the API, and its tables exported for accountants' and lawyers'
//! tools. Like the report itself, it composes the other modules' shapes (the one API module
//! that imports siblings).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use peerstake_app::access::Names;
use peerstake_app::reports::VentureReport;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::departures::{DepartureOut, departure_out};
use super::freezes::{FreezeOut, freeze_out};
use super::payouts::{DistributionOut, IncomeBookOut, StatementOut, distribution_out, income_book_out, statement_out};
use super::shapes::{BuyoutOut, SplitOut, buyout_out, split_out};
use crate::AppState;
use crate::error::{ApiError, ApiResult, Refused};
use crate::extract::{Actor, At, Params};

/// Which format an export comes in.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// Everything the printable report shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportOut {
    /// The venture's slug.
    pub venture: String,
    /// Its name.
    pub name: String,
    /// Its currency.
    pub currency: String,
    /// The ledger's head: sequence number.
    pub head_seq: u64,
    /// … and hash.
    pub head_hash: String,
    /// The split now.
    pub split: SplitOut,
    /// The frozen cap table, if frozen.
    pub cap_table: Option<FreezeOut>,
    /// Departures.
    pub departures: Vec<DepartureOut>,
    /// Buyouts.
    pub buyouts: Vec<BuyoutOut>,
    /// Income.
    pub income: IncomeBookOut,
    /// Distributions.
    pub distributions: Vec<DistributionOut>,
    /// Every member's statement.
    pub statements: Vec<StatementOut>,
}

fn report_out(report: &VentureReport, names: &Names) -> ReportOut {
    ReportOut {
        venture: report.venture.slug.clone(),
        name: report.venture.name.clone(),
        currency: report.currency.code().to_string(),
        head_seq: report.head.0,
        head_hash: report.head.1.clone(),
        split: split_out(&report.split),
        cap_table: report.frozen.as_ref().map(|f| freeze_out(f, names)),
        departures: report.departures.iter().map(|d| departure_out(d, names)).collect(),
        buyouts: report.buyouts.iter().map(|b| buyout_out(b, names)).collect(),
        income: income_book_out(&report.income, names),
        distributions: report.distributions.iter().map(|d| distribution_out(d, names)).collect(),
        statements: report.statements.iter().map(|s| statement_out(s, names)).collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/report", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = ReportOut), Refused))]
async fn report(actor: Actor, At(slug): At<String>) -> ApiResult<ReportOut> {
    let out = actor
        .run(move |acting, now| {
            let report = acting.venture_report(&slug, now)?;
            Ok(report_out(&report, &acting.names(&slug, now)?))
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/exports/{what}", params(("slug" = String, Path, example = "demo"), ("what" = String, Path, description = "`cap-table`, `distributions` or `statements`", example = "statements"), ExportParams), responses((status = 200, description = "JSON (`{venture, export, currency, rows}`) or CSV (text/csv), every figure a decimal string"), Refused))]
async fn export_table(actor: Actor, At((slug, what)): At<(String, String)>, Params(params): Params<ExportParams>) -> Result<Response, ApiError> {
    let format = params.format.as_deref().map(str::trim).filter(|f| !f.is_empty()).unwrap_or("json").to_string();
    let (text, file) = actor
        .run(move |acting, now| {
            let text = acting.export_table(&slug, &what, &format, now)?;
            Ok((text, format!("{slug}-{what}.{format}")))
        })
        .await?;
    let content_type = if file.ends_with(".csv") { "text/csv; charset=utf-8" } else { "application/json" };
    let disposition = format!("attachment; filename=\"{file}\"");
    Ok(([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], text).into_response())
}

#[derive(OpenApi)]
#[openapi(paths(report, export_table))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/ventures/{slug}/report", get(report)).route("/ventures/{slug}/exports/{what}", get(export_table))
}

//! The JSON API under `/api/v1`. Amounts are exact decimal strings; errors are
//! `{"error": {"code", "message", "field"}}` with a stable code; lists of entries are paged with
//! a cursor; writes that a use case can replay take an `Idempotency-Key` header.
//!
//! One module per capability, each owning its shapes, handlers, `routes()` and OpenAPI paths
//! (`Doc`); `shapes` holds what several answer with. `/api/v1/openapi.json` is the document
//! merged from every module's paths.

use axum::routing::get;
use axum::{Json, Router};
use peerstake_app::error::AppError;
use utoipa::OpenApi;

use crate::AppState;
use crate::error::{ApiError, ErrorBody, ErrorDetail};

mod accounts;
mod departures;
mod freezes;
mod goods;
mod ledger;
mod members;
mod needs;
mod payouts;
mod proposals;
mod recurring;
mod reports;
mod review;
mod shapes;
mod stewards;
mod talk;
mod ventures;
mod well;

#[derive(OpenApi)]
#[openapi(
    info(title = "peerstake", description = "A fair, checkable ledger of contributions to peer-produced ventures, and the split it gives."),
    components(schemas(ErrorBody, ErrorDetail))
)]
struct ApiDoc;

/// The OpenAPI document: every module's paths.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    for part in [
        accounts::Doc::openapi(),
        ventures::Doc::openapi(),
        ledger::Doc::openapi(),
        members::Doc::openapi(),
        proposals::Doc::openapi(),
        review::Doc::openapi(),
        recurring::Doc::openapi(),
        talk::Doc::openapi(),
        needs::Doc::openapi(),
        well::Doc::openapi(),
        goods::Doc::openapi(),
        departures::Doc::openapi(),
        stewards::Doc::openapi(),
        freezes::Doc::openapi(),
        payouts::Doc::openapi(),
        reports::Doc::openapi(),
    ] {
        document.merge(part);
    }
    document
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}

async fn not_found() -> ApiError {
    ApiError::App(AppError::NotFound { what: "API route", name: "this path".into() })
}

async fn method_not_allowed() -> ApiError {
    ApiError::Rejected(axum::http::StatusCode::METHOD_NOT_ALLOWED, "this path does not take this method".into())
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .merge(accounts::routes())
        .merge(ventures::routes())
        .merge(ledger::routes())
        .merge(members::routes())
        .merge(proposals::routes())
        .merge(review::routes())
        .merge(recurring::routes())
        .merge(talk::routes())
        .merge(needs::routes())
        .merge(well::routes())
        .merge(goods::routes())
        .merge(departures::routes())
        .merge(stewards::routes())
        .merge(freezes::routes())
        .merge(payouts::routes())
        .merge(reports::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

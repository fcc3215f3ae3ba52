//! Server-rendered pages for people. Every form works without JavaScript, carries the
//! anti-forgery token, and on bad input shows the form again with the error next to its field.
//!
//! One module per capability, each owning its forms, handlers and `routes()`; `kit` (the page
//! plumbing), `widgets` (drawings several pages show) and `statement` (a member's statement,
//! shown after answers given from it) are leaves that import no capability's page module.
//! Pages reach the use cases through [`crate::extract::Actor`] and share no code with the API
//! beyond [`crate::common`].

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kit::PageError;
use peerstake_app::error::AppError;

use crate::AppState;
use crate::extract::Caller;

mod accounts;
mod departures;
mod exports;
mod freezes;
mod goods;
mod kit;
mod ledger;
mod log;
mod needs;
mod payouts;
mod proposals;
mod recurring;
mod reports;
mod review;
mod settings;
mod statement;
mod stewards;
mod talk;
mod ventures;
mod well;
mod widgets;

async fn not_found(caller: Caller) -> Response {
    PageError::new(AppError::NotFound { what: "page", name: "this address".into() }, &caller).into_response()
}

/// The stylesheet, kept by browsers for a year: its address changes with its rules.
async fn stylesheet() -> Response {
    let headers = [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")];
    (headers, crate::views::stylesheet()).into_response()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/style.css", axum::routing::get(stylesheet))
        .merge(ventures::routes())
        .merge(accounts::routes())
        .merge(log::routes())
        .merge(ledger::routes())
        .merge(review::routes())
        .merge(proposals::routes())
        .merge(recurring::routes())
        .merge(settings::routes())
        .merge(exports::routes())
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
}

//! Each request in its own span: its method, the route it matched, and a request id (the one
//! the client sent in `x-request-id`, when it is a plain token, else a new one), echoed in the
//! response's `x-request-id`. Whatever a handler logs carries them. When it ends, one event
//! gives its status and how long it took: at `debug` (an access log is `RUST_LOG=peerstake_web=debug`;
//! at tens of thousands of requests a second a line each is disk traffic a server should choose),
//! and a server error at `error`, always. A leaf: it knows no handler.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The header a request id is read from and echoed in.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The longest request id kept from a client.
const ID_CHARS_MAX: usize = 64;

/// Runs a request inside its span and logs how it ended.
pub(crate) async fn request_span(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|id| !id.is_empty() && id.len() <= ID_CHARS_MAX && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .map_or_else(new_id, str::to_string);
    let route = request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |path| path.as_str().to_string());
    let span = tracing::info_span!("request", method = %request.method(), route, id = %id);
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16();
    let latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    span.in_scope(|| {
        if status >= 500 {
            tracing::error!(status, latency_us, "request failed");
        } else {
            tracing::debug!(status, latency_us, "request");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// A new request id: 16 random hex digits (a count of requests, should randomness fail).
fn new_id() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        bytes = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed).to_be_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

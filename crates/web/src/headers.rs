//! What every response tells the browser about itself: a content-security policy that allows
//! this site's own stylesheet and forms and nothing inline (no script at all, no framing), no
//! sniffing of content types, no referrer sent elsewhere, and — for pages that show an account,
//! its tokens or a sign-in form — no keeping in any cache. A leaf: it knows no handler.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// Only this site's stylesheet and images; forms post here only; never in a frame.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Paths whose answers must not be kept by a browser or a proxy: they show an account, its
/// tokens (a new token's secret), its email, or take a password.
fn private(path: &str) -> bool {
    ["/account", "/login", "/signup", "/api/v1/tokens", "/api/v1/me", "/api/v1/accounts"].iter().any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// Adds the headers to every response.
pub(crate) async fn security_headers(request: Request, next: Next) -> Response {
    let no_store = private(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if no_store {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

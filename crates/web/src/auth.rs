//! Cookies and the anti-forgery token. Forms are protected against cross-site requests by a
//! token every form repeats in a hidden field (and a browser's API calls in the `X-CSRF-Token`
//! header): signed in, it is derived from the session's secret; signed out (signing in or up),
//! it is a random token in a cookie. Bearer-token requests carry no cookie and need none. Who is
//! asking is read from these in [`crate::extract`].

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "ps_session";
/// The anti-forgery cookie's name.
pub const CSRF_COOKIE: &str = "ps_csrf";
/// The header a browser's API calls repeat the anti-forgery token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A cookie's value from the request headers.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// A `Set-Cookie` value.
pub(crate) fn set_cookie(name: &str, value: &str, max_age_seconds: i64, http_only: bool, same_site: &str, secure: bool) -> Option<HeaderValue> {
    let mut text = format!("{name}={value}; Path=/; Max-Age={max_age_seconds}; SameSite={same_site}");
    if http_only {
        text.push_str("; HttpOnly");
    }
    if secure {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).ok()
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // Without randomness the token is empty, which no form can match: forms fail closed.
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    bytes.iter().flat_map(|b| [char::from(HEX[usize::from(b >> 4)]), char::from(HEX[usize::from(b & 0x0f)])]).collect()
}

/// The anti-forgery token of a signed-in session: derived from the session's secret, so it is
/// bound to that session and known only to its browser.
pub(crate) fn session_csrf(session: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new().chain_update(b"peerstake anti-forgery token\0").chain_update(session.as_bytes()).finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The anti-forgery token of this request (from its cookie, or new).
#[derive(Debug, Clone)]
pub(crate) struct CsrfToken(pub String);

/// Gives every visitor an anti-forgery cookie, and the token to the handlers.
pub(crate) async fn csrf_cookie(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    // Scripts calling the API carry a bearer token and no cookies: they get no anti-forgery
    // cookie (a browser's API calls reuse the one its pages set).
    if request.uri().path().starts_with("/api/") && !request.headers().contains_key(header::COOKIE) {
        request.extensions_mut().insert(CsrfToken(String::new()));
        return next.run(request).await;
    }
    let existing = cookie(request.headers(), CSRF_COOKIE).filter(|t| t.len() == 64 && t.chars().all(|c| c.is_ascii_hexdigit()));
    let (token, fresh) = match existing {
        Some(token) => (token, false),
        None => (random_token(), true),
    };
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    if fresh && let Some(value) = set_cookie(CSRF_COOKIE, &token, 365 * 24 * 3600, true, "Strict", state.secure_cookies) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

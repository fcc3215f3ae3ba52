//! Who is asking: a session cookie (pages, and the API from a browser) or a bearer API token
//! (scripts). Forms are protected against cross-site requests by a token in a cookie that every
//! form repeats in a hidden field (and a browser's API calls in the `X-CSRF-Token` header);
//! bearer-token requests carry no cookie and need none.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use peerstake_app::access::Account;
use peerstake_app::error::AppError;

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

/// Equal in constant time (for secrets of equal length).
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && !a.is_empty() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The person behind a request, and how they proved it.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// Who, when signed in.
    pub account: Option<Account>,
    /// The session token, when signed in by cookie.
    pub session: Option<String>,
    /// Whether they came with a bearer token (no cookie, so no forgery check).
    pub bearer: bool,
    /// This request's anti-forgery token.
    pub csrf: String,
    /// The anti-forgery token the request carried (header), if any.
    pub csrf_header: Option<String>,
    /// The client's address, for throttling sign-ins.
    pub client: String,
}

impl Caller {
    /// Checks the anti-forgery token a form carried.
    pub fn check_form(&self, submitted: &str) -> Result<(), AppError> {
        if same_secret(&self.csrf, submitted) { Ok(()) } else { Err(forged()) }
    }

    /// Checks a state-changing API call: bearer tokens need nothing; cookie sessions need the
    /// anti-forgery header.
    pub fn check_api(&self) -> Result<(), AppError> {
        if self.bearer || self.session.is_none() {
            return Ok(());
        }
        match &self.csrf_header {
            Some(header) if same_secret(&self.csrf, header) => Ok(()),
            _ => Err(forged()),
        }
    }

    /// The signed-in account, or 401.
    pub fn account(&self) -> Result<&Account, AppError> {
        self.account.as_ref().ok_or_else(|| AppError::Unauthorized("sign in first".into()))
    }
}

fn forged() -> AppError {
    AppError::Forbidden("the form's anti-forgery token is missing or stale; reload the page and try again".into())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = crate::api::ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, Self::Rejection> {
        let csrf = parts.extensions.get::<CsrfToken>().map(|t| t.0.clone()).unwrap_or_default();
        let csrf_header = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
        let client = parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or_else(|| "local".to_string(), |c| c.0.ip().to_string());
        let bearer = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::to_string);
        if let Some(secret) = bearer {
            let account = state.run_quick(move |commons, _| commons.token_account(&secret)).await?;
            let Some(account) = account else {
                return Err(AppError::Unauthorized("the API token is unknown or revoked".into()).into());
            };
            return Ok(Caller { account: Some(account), session: None, bearer: true, csrf, csrf_header, client });
        }
        let session = cookie(&parts.headers, SESSION_COOKIE).filter(|t| !t.is_empty());
        let account = match session.clone() {
            Some(token) => state.run_quick(move |commons, now| commons.session_account(&token, now)).await?,
            None => None,
        };
        let session = session.filter(|_| account.is_some());
        Ok(Caller { account, session, bearer: false, csrf, csrf_header, client })
    }
}

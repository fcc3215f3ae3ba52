//! What a handler takes from a request: the [`Caller`] (who, and how they proved it), an
//! [`Actor`] that can only act as that person (the one place a handler reaches the use cases),
//! a JSON body, query and path whose errors are JSON too, and the `Idempotency-Key` header.
//! Used by every API and page module; knows none of them.

use std::net::SocketAddr;
use std::ops::Deref;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use peerstake_app::Now;
use peerstake_app::access::{Account, Acting, Names};
use peerstake_app::error::AppError;
use serde::de::DeserializeOwned;
use time::Date;

use crate::auth::{CSRF_HEADER, CsrfToken, SESSION_COOKIE, cookie, session_csrf};
use crate::error::ApiError;
use crate::{AppState, SplitJson};

/// The header that makes a retried write harmless.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

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

    /// A state-changing API call: signed in, and from a browser with the anti-forgery header.
    pub fn writer(&self) -> Result<&Account, AppError> {
        self.check_api()?;
        self.account()
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
    type Rejection = ApiError;

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
        // Signed in, the anti-forgery token is the session's own: a cookie planted with a
        // matching field is refused.
        let csrf = session.as_deref().map_or(csrf, session_csrf);
        Ok(Caller { account, session, bearer: false, csrf, csrf_header, client })
    }
}

/// The person behind a request, able to act only as themselves: handlers reach the use cases
/// through [`Acting`], never the unchecked commons.
pub(crate) struct Actor {
    state: AppState,
    caller: Caller,
}

impl Deref for Actor {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.caller
    }
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Actor, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        Ok(Actor { state: state.clone(), caller })
    }
}

impl Actor {
    /// Runs a use case as this person, on a blocking thread, and returns once what it wrote is
    /// on disk.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce(Acting<'_>, Now) -> Result<T, AppError> + Send + 'static) -> Result<T, AppError> {
        let account = self.caller.account.clone();
        self.state.run_durably(move |commons, now| work(commons.acting(account.as_ref()), now)).await
    }

    /// Runs a use case on a venture as this person, and writes what it gives with the
    /// venture's names (read after the use case, so they show what it changed).
    pub async fn named<V, T: Send + 'static>(
        &self,
        slug: String,
        work: impl FnOnce(Acting<'_>, &str, Now) -> Result<V, AppError> + Send + 'static,
        write: impl FnOnce(&V, &Names) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        self.run(move |acting, now| {
            let view = work(acting, &slug, now)?;
            Ok(write(&view, &acting.names(&slug, now)?))
        })
        .await
    }

    /// Runs a short read as this person (inline where the store's reads never wait).
    pub async fn run_quick<T: Send + 'static>(&self, work: impl FnOnce(Acting<'_>, Now) -> Result<T, AppError> + Send + 'static) -> Result<T, AppError> {
        let account = self.caller.account.clone();
        self.state.run_quick(move |commons, now| work(commons.acting(account.as_ref()), now)).await
    }

    /// Runs a use case as nobody in particular, whoever asks (what a public feed shows).
    pub async fn run_as_anyone<T: Send + 'static>(&self, work: impl FnOnce(Acting<'_>, Now) -> Result<T, AppError> + Send + 'static) -> Result<T, AppError> {
        self.state.run_durably(move |commons, now| work(commons.acting(None), now)).await
    }

    /// Logs a contribution this person may log with whatever else waits for its venture (see
    /// [`crate::batch`]), answering once it is on disk.
    pub async fn log_batched(&self, request: peerstake_app::ledger::AuthorizedLog) -> Result<peerstake_app::journal::NamedEntry, AppError> {
        self.state.batcher.log(&self.state, request).await
    }

    /// Whether cookies set for this request are marked Secure.
    pub fn secure_cookies(&self) -> bool {
        self.state.secure_cookies
    }

    /// The rendered splits, shared by every request.
    pub fn split_json(&self) -> &SplitJson {
        &self.state.split_json
    }
}

/// A JSON body whose errors are JSON too.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Body<T>, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => {
                let status = match &rejection {
                    JsonRejection::BytesRejection(_) => rejection.status(),
                    JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                Err(ApiError::Rejected(status, rejection.body_text()))
            }
        }
    }
}

/// Query parameters whose errors are JSON too.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Params<T>, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Params(q.0))
            .map_err(|rejection: QueryRejection| ApiError::Rejected(StatusCode::UNPROCESSABLE_ENTITY, rejection.body_text()))
    }
}

/// Path parameters whose errors are JSON too (a number that is not a number is a 400 problem,
/// not plain text).
pub struct At<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for At<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<At<T>, ApiError> {
        Path::<T>::from_request_parts(parts, state).await.map(|p| At(p.0)).map_err(|rejection: PathRejection| {
            let status = if rejection.status().is_server_error() { rejection.status() } else { StatusCode::BAD_REQUEST };
            ApiError::Rejected(status, rejection.body_text())
        })
    }
}

/// The `Idempotency-Key` header, when one was sent.
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<IdempotencyKey, ApiError> {
        match parts.headers.get(IDEMPOTENCY_HEADER) {
            None => Ok(IdempotencyKey(None)),
            Some(value) => value
                .to_str()
                .map(|text| IdempotencyKey(Some(text.trim().to_string())))
                .map_err(|_| ApiError::Rejected(StatusCode::BAD_REQUEST, "the Idempotency-Key header must be printable ASCII".into())),
        }
    }
}

impl IdempotencyKey {
    /// The header's key, else the body's.
    pub fn or(self, body: Option<String>) -> Option<String> {
        self.0.or(body)
    }
}

/// A date written YYYY-MM-DD.
pub(crate) fn parse_date(field: &'static str, text: &str) -> Result<Date, AppError> {
    peerstake_app::files::date(field, text)
}

/// A date that may be left out (absent or blank).
pub(crate) fn optional_date(field: &'static str, text: &Option<String>) -> Result<Option<Date>, AppError> {
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse_date(field, text).map(Some),
    }
}

//! Accounts over the API: signing up, who am I, the notification address, the number format, and
//! API tokens.

use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use peerstake_app::error::AppError;
use peerstake_store::ApiTokenRecord;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use super::shapes::NumberFormatIn;
use crate::AppState;
use crate::error::{ApiError, ApiResult, BodyRefused, ErrorBody, Refused};
use crate::extract::{Actor, At, Body};

// ---------------------------------------------------------------- shapes

/// An account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountOut {
    /// Sign-in name.
    pub username: String,
    /// Display name.
    pub display_name: String,
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SignUpIn {
    /// 2–40 lowercase letters, digits and hyphens, starting with a letter.
    pub username: String,
    /// Display name (the username when absent).
    #[serde(default)]
    pub display_name: String,
    /// At least 10 characters.
    pub password: String,
}

/// A new API token: signed in already, or with a username and password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTokenIn {
    /// What the token is for.
    pub name: String,
    /// When not signed in: the username.
    pub username: Option<String>,
    /// When not signed in: the password.
    pub password: Option<String>,
}

/// An API token (the secret only when created).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    /// Its id, to revoke it.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its first characters.
    pub prefix: String,
    /// When it was created, ms since the epoch.
    pub created_at_ms: i64,
    /// Whether it is revoked.
    pub revoked: bool,
    /// The secret: shown once, when the token is created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

fn token_out(record: ApiTokenRecord, secret: Option<String>) -> TokenOut {
    TokenOut {
        id: record.id,
        name: record.name,
        prefix: record.prefix,
        created_at_ms: record.created_at_ms,
        revoked: record.revoked_at_ms.is_some(),
        token: secret,
    }
}

// ---------------------------------------------------------------- handlers

#[utoipa::path(post, path = "/api/v1/accounts", request_body = SignUpIn, responses((status = 201, body = AccountOut), Refused, BodyRefused))]
async fn sign_up(actor: Actor, Body(input): Body<SignUpIn>) -> Result<(StatusCode, Json<AccountOut>), ApiError> {
    let request = peerstake_app::accounts::SignUp { username: input.username, display_name: input.display_name, password: input.password };
    let account = actor.run(move |acting, now| acting.sign_up(&request, now)).await?;
    Ok((StatusCode::CREATED, Json(AccountOut { username: account.username, display_name: account.display_name })))
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = AccountOut), Refused))]
async fn me(actor: Actor) -> ApiResult<AccountOut> {
    let account = actor.account()?;
    Ok(Json(AccountOut { username: account.username.clone(), display_name: account.display_name.clone() }))
}

/// Where notifications go.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailIn {
    /// An email address, or empty for none.
    pub email: String,
}

#[utoipa::path(put, path = "/api/v1/me/email", request_body = EmailIn, responses((status = 204), Refused, BodyRefused))]
async fn set_email(actor: Actor, Body(input): Body<EmailIn>) -> Result<StatusCode, ApiError> {
    actor.writer()?;
    actor.run(move |acting, now| acting.set_email(&input.email, now)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/me/number-format", request_body = NumberFormatIn, responses((status = 204), Refused, BodyRefused))]
async fn set_my_number_format(actor: Actor, Body(input): Body<NumberFormatIn>) -> Result<StatusCode, ApiError> {
    actor.writer()?;
    actor.run(move |acting, _| acting.set_own_number_format(&input.number_format)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/tokens", request_body = NewTokenIn, responses((status = 201, body = TokenOut), (status = 429, body = ErrorBody), Refused, BodyRefused))]
async fn create_token(actor: Actor, Body(input): Body<NewTokenIn>) -> Result<(StatusCode, Json<TokenOut>), ApiError> {
    actor.check_api()?;
    let signed_in = actor.account.is_some().then_some(());
    let client = actor.client.clone();
    let (secret, record) = actor
        .run(move |acting, now| match (signed_in, input.username, input.password) {
            (Some(_), _, _) => acting.create_api_token(&input.name, now),
            (None, Some(username), Some(password)) => acting.create_api_token_signing_in(&username, &password, &client, &input.name, now),
            _ => Err(AppError::Unauthorized("sign in, or give a username and password".into())),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(token_out(record, Some(secret)))))
}

#[utoipa::path(get, path = "/api/v1/tokens", responses((status = 200, body = [TokenOut]), Refused))]
async fn list_tokens(actor: Actor) -> ApiResult<Vec<TokenOut>> {
    actor.account()?;
    let tokens = actor.run(move |acting, _| acting.api_tokens()).await?;
    Ok(Json(tokens.into_iter().map(|t| token_out(t, None)).collect()))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", params(("id" = i64, Path, description = "The token's id")), responses((status = 204), Refused))]
async fn revoke_token(actor: Actor, At(id): At<i64>) -> Result<StatusCode, ApiError> {
    actor.writer()?;
    actor.run(move |acting, now| acting.revoke_api_token(id, now)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(OpenApi)]
#[openapi(paths(sign_up, me, set_email, set_my_number_format, create_token, list_tokens, revoke_token))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts", post(sign_up))
        .route("/me", get(me))
        .route("/me/email", put(set_email))
        .route("/me/number-format", put(set_my_number_format))
        .route("/tokens", post(create_token).get(list_tokens))
        .route("/tokens/{id}", delete(revoke_token))
}

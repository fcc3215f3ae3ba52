//! Accounts: signing up, in and out, the account page (password, number format, API tokens)
//! and where notifications go.

use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};
use peerstake_app::access::Account;
use peerstake_app::accounts::SignUp;
use peerstake_app::error::AppError;
use serde::Deserialize;

use super::kit::*;
use crate::AppState;
use crate::auth::{SESSION_COOKIE, set_cookie};
use crate::error::status_of;
use crate::extract::{Actor, Caller};

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SignUpForm {
    csrf: String,
    username: String,
    display_name: String,
    password: String,
}

pub(super) fn sign_up_page(actor: &Caller, form: &SignUpForm, error: Option<&AppError>) -> Markup {
    html! {
        h1 { "Sign up" }
        (form_error(error))
        form.stack method="post" action="/signup" {
            (csrf_field(actor))
            (text_input("Username", "username", &form.username, "text", error, "username", "2–40 lowercase letters, digits or hyphens"))
            (text_input("Your name", "display_name", &form.display_name, "text", error, "name", ""))
            (text_input("Password", "password", "", "password", error, "password", "at least 10 characters"))
            button type="submit" { "Create account" }
        }
        p { "Have an account? " a href="/login" { "Sign in" } }
    }
}

pub(super) async fn sign_up_form(actor: Actor) -> Response {
    show(&actor, "Sign up", sign_up_page(&actor, &SignUpForm::default(), None))
}

pub(super) fn session_cookie(actor: &Actor, token: &str, max_age: i64) -> Option<HeaderValue> {
    set_cookie(SESSION_COOKIE, token, max_age, true, "Lax", actor.secure_cookies())
}

pub(super) fn signed_in_redirect(actor: &Actor, token: &str, to: &str) -> Response {
    let mut response = see_other(to);
    if let Some(cookie) = session_cookie(actor, token, peerstake_app::accounts::SESSION_DAYS * 24 * 3600) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

pub(super) async fn sign_up(actor: Actor, Form(form): Form<SignUpForm>) -> PageResult {
    actor.check_form(&form.csrf).map_err(fail(&actor))?;
    let request = SignUp { username: form.username.clone(), display_name: form.display_name.clone(), password: form.password.clone() };
    let client = actor.client.clone();
    let outcome = actor
        .run(move |acting, now| {
            acting.sign_up(&request, now)?;
            acting.sign_in(&request.username, &request.password, &client, now)
        })
        .await;
    match outcome {
        Ok(session) => Ok(signed_in_redirect(&actor, &session.token, "/")),
        Err(error) => Ok(show_status(&actor, status_of(&error), "Sign up", sign_up_page(&actor, &form, Some(&error)))),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SignInForm {
    csrf: String,
    username: String,
    password: String,
    next: String,
}

pub(super) fn sign_in_page(actor: &Caller, form: &SignInForm, error: Option<&AppError>) -> Markup {
    html! {
        h1 { "Sign in" }
        (form_error(error))
        form.stack method="post" action="/login" {
            (csrf_field(actor))
            input type="hidden" name="next" value=(form.next);
            (text_input("Username", "username", &form.username, "text", error, "username", ""))
            (text_input("Password", "password", "", "password", error, "password", ""))
            button type="submit" { "Sign in" }
        }
        p { "New here? " a href="/signup" { "Sign up" } }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NextQuery {
    next: String,
}

pub(super) async fn sign_in_form(actor: Actor, Query(query): Query<NextQuery>) -> Response {
    show(&actor, "Sign in", sign_in_page(&actor, &SignInForm { next: query.next, ..SignInForm::default() }, None))
}

/// Where to go after signing in: a path on this site, else the commons. Only printable ASCII
/// without spaces or backslashes is kept, starting with one `/` (browsers drop tabs and line
/// breaks and read `\` as `/`, so `/\t/evil.example` would leave the site).
pub(super) fn local_path(next: &str) -> &str {
    let plain = next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if plain && next.starts_with('/') && !next[1..].starts_with('/') { next } else { "/" }
}

pub(super) async fn sign_in(actor: Actor, Form(form): Form<SignInForm>) -> PageResult {
    actor.check_form(&form.csrf).map_err(fail(&actor))?;
    let (username, password, client) = (form.username.clone(), form.password.clone(), actor.client.clone());
    match actor.run(move |acting, now| acting.sign_in(&username, &password, &client, now)).await {
        Ok(session) => Ok(signed_in_redirect(&actor, &session.token, local_path(&form.next))),
        Err(error) => Ok(show_status(&actor, status_of(&error), "Sign in", sign_in_page(&actor, &form, Some(&error)))),
    }
}

pub(super) async fn sign_out(actor: Actor, Form(form): Form<CsrfOnly>) -> PageResult {
    actor.check_form(&form.csrf).map_err(fail(&actor))?;
    if let Some(token) = actor.session.clone() {
        actor.run(move |acting, _| acting.sign_out(&token)).await.map_err(fail(&actor))?;
    }
    let mut response = see_other("/");
    if let Some(cookie) = session_cookie(&actor, "", 0) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

pub(super) fn account_page(
    actor: &Caller,
    account: &Account,
    tokens: &[peerstake_store::ApiTokenRecord],
    new_token: Option<&str>,
    error: Option<&AppError>,
) -> Markup {
    html! {
        h1 { "Your account" }
        p { a href="/account/notifications" { "Email notifications" } }
        p { "Signed in as " strong { (account.username) } "." }
        h2 { "Numbers" }
        form.stack method="post" action="/account/numbers" {
            (csrf_field(actor))
            (select("How you write numbers", "number_format", &number_format_choices(true), account.number_format.map_or("", |f| f.name())))
            p.hint { "Forms read amounts and hours the way you write them; by default, the way each venture writes them." }
            button type="submit" { "Save" }
        }
        h2 { "Change password" }
        form.stack method="post" action="/account/password" {
            (csrf_field(actor))
            (text_input("Current password", "current", "", "password", error, "current password", ""))
            (text_input("New password", "new", "", "password", error, "new password", "at least 10 characters"))
            @let live: Vec<_> = tokens.iter().filter(|t| t.revoked_at_ms.is_none()).collect();
            @if live.is_empty() {
                p.hint { "Every other session ends." }
            } @else {
                fieldset {
                    legend { "API tokens to keep" }
                    p.hint { "Every other session ends, and so does every API token you do not tick here: whoever learnt your old password may have made one." }
                    @for token in &live {
                        div {
                            input id=(format!("keep-{}", token.id)) type="checkbox" name="keep" value=(token.id);
                            label.choice for=(format!("keep-{}", token.id)) { "Keep " (token.name) " (" code { (token.prefix) "…" } ")" }
                        }
                    }
                }
            }
            button type="submit" { "Change password" }
        }
        h2 { "API tokens" }
        p.hint { "For scripts: send " code { "Authorization: Bearer <token>" } " to " a href="/api/v1/openapi.json" { "the API" } "." }
        @if let Some(token) = new_token {
            p.notice role="status" { "Your new token (shown once): " code data-token="new" { (token) } }
        }
        (form_error(error.filter(|e| !matches!(e, AppError::Invalid { field, .. } if field.contains("password")))))
        form.stack method="post" action="/account/tokens" {
            (csrf_field(actor))
            (text_input("Token name", "name", "", "text", error, "token name", "what the script is"))
            button type="submit" { "Create token" }
        }
        @if !tokens.is_empty() {
            div.scroll { table {
                thead { tr { th { "Name" } th { "Starts with" } th { "State" } th { span.skip { "Action" } } } }
                tbody { @for token in tokens { tr {
                    td { (token.name) } td { code { (token.prefix) "…" } }
                    td { @if token.revoked_at_ms.is_some() { "revoked" } @else { "live" } }
                    td { @if token.revoked_at_ms.is_none() {
                        form.inline method="post" action=(format!("/account/tokens/{}/revoke", token.id)) {
                            (csrf_field(actor)) button.secondary.flat type="submit" { "Revoke " (token.name) }
                        }
                    } }
                } } }
            } }
        }
    }
}

pub(super) async fn account_view(actor: Actor) -> PageResult {
    let account = actor.account().map_err(fail(&actor))?.clone();
    let tokens = actor.run(move |acting, _| acting.api_tokens()).await.map_err(fail(&actor))?;
    Ok(show(&actor, "Account", account_page(&actor, &account, &tokens, None, None)))
}

pub(super) async fn save_account_numbers(actor: Actor, Form(form): Form<NumbersForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    actor.run(move |acting, _| acting.set_own_number_format(&form.number_format)).await.map_err(fail(&actor))?;
    Ok(see_other("/account"))
}

/// A password change: the fields, and the API tokens ticked to keep (`keep` once per token).
#[derive(Default)]
pub(super) struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    keep: Vec<i64>,
}

impl PasswordForm {
    fn read(fields: Vec<(String, String)>) -> PasswordForm {
        let mut form = PasswordForm::default();
        for (name, value) in fields {
            match name.as_str() {
                "csrf" => form.csrf = value,
                "current" => form.current = value,
                "new" => form.new = value,
                "keep" => form.keep.extend(value.trim().parse::<i64>()),
                _ => {}
            }
        }
        form
    }
}

pub(super) async fn change_password(actor: Actor, Form(fields): Form<Vec<(String, String)>>) -> PageResult {
    let form = PasswordForm::read(fields);
    let account = posted(&actor, &form.csrf)?.clone();
    match actor.run(move |acting, now| acting.change_password(&form.current, &form.new, &form.keep, now)).await {
        Ok(session) => Ok(signed_in_redirect(&actor, &session.token, "/account")),
        Err(error) => {
            let tokens = actor.run(move |acting, _| acting.api_tokens()).await.map_err(fail(&actor))?;
            Ok(show_status(&actor, status_of(&error), "Account", account_page(&actor, &account, &tokens, None, Some(&error))))
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct TokenForm {
    csrf: String,
    name: String,
}

pub(super) async fn create_token(actor: Actor, Form(form): Form<TokenForm>) -> PageResult {
    let account = posted(&actor, &form.csrf)?.clone();
    let outcome = actor.run(move |acting, now| acting.create_api_token(&form.name, now)).await;
    let tokens = actor.run(move |acting, _| acting.api_tokens()).await.map_err(fail(&actor))?;
    match outcome {
        Ok((secret, _)) => Ok(show_status(&actor, StatusCode::CREATED, "Account", account_page(&actor, &account, &tokens, Some(&secret), None))),
        Err(error) => Ok(show_status(&actor, status_of(&error), "Account", account_page(&actor, &account, &tokens, None, Some(&error)))),
    }
}

pub(super) async fn revoke_token(actor: Actor, Path(id): Path<i64>, Form(form): Form<CsrfOnly>) -> PageResult {
    posted(&actor, &form.csrf)?;
    actor.run(move |acting, now| acting.revoke_api_token(id, now)).await.map_err(fail(&actor))?;
    Ok(see_other("/account"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct EmailForm {
    csrf: String,
    email: String,
}

fn notifications_page(actor: &Caller, email: &str, error: Option<&AppError>) -> Markup {
    html! {
        h1 { "Email notifications" }
        p { "peerstake writes when an entry waits for your review, when your entry is disputed or starts to count, and when a proposal waits for your vote — if this server has a mail server set up. Leave the address empty to get none." }
        form.stack method="post" action="/account/notifications" {
            (csrf_field(actor))
            (text_input("Email address", "email", email, "email", error, "email", ""))
            button type="submit" { "Save" }
        }
    }
}

pub(super) async fn notifications_view(actor: Actor) -> PageResult {
    actor.account().map_err(fail(&actor))?;
    let email = actor.run(move |acting, _| acting.email()).await.map_err(fail(&actor))?;
    Ok(show(&actor, "Email notifications", notifications_page(&actor, email.as_deref().unwrap_or(""), None)))
}

pub(super) async fn save_notifications(actor: Actor, Form(form): Form<EmailForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let email = form.email.clone();
    match actor.run(move |acting, now| acting.set_email(&email, now)).await {
        Ok(()) => Ok(see_other("/account/notifications")),
        Err(error) if shown_in_form(&error) => {
            Ok(show_status(&actor, status_of(&error), "Email notifications", notifications_page(&actor, &form.email, Some(&error))))
        }
        Err(error) => Err(fail(&actor)(error)),
    }
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/signup", get(sign_up_form).post(sign_up))
        .route("/login", get(sign_in_form).post(sign_in))
        .route("/logout", post(sign_out))
        .route("/account", get(account_view))
        .route("/account/password", post(change_password))
        .route("/account/numbers", post(save_account_numbers))
        .route("/account/tokens", post(create_token))
        .route("/account/notifications", get(notifications_view).post(save_notifications))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

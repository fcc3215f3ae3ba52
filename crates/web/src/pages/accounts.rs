//! Commons page, sign-up, sign-in, sign-out, the account page and API tokens.

use super::*;

#[derive(Deserialize)]
pub(super) struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub(super) async fn commons_page(State(state): State<AppState>, caller: Caller, Query(query): Query<SearchQuery>) -> PageResult {
    let account = caller.account.clone();
    let search = query.q.clone();
    let (cards, needs) = state
        .run(move |commons, now| {
            let cards = commons.acting(account.as_ref()).ventures(&search, now)?;
            let mut needs = Vec::with_capacity(cards.len());
            for card in &cards {
                let open: Vec<_> = commons.needs(&card.venture.record.slug, now)?.into_iter().filter(|n| n.takes_pledges(now.today)).collect();
                needs.push(open);
            }
            Ok((cards, needs))
        })
        .await
        .map_err(fail(&caller))?;

    let body = html! {
        h1 { "Ventures open to peers" }
        p { "Ventures built in the open. Give hours, small amounts of money or the use of things you own; every contribution is valued into slices and the split is live." }
        form role="search" method="get" action="/" {
            label for="q" { "Search by name" }
            input id="q" type="search" name="q" value=(query.q);
            button type="submit" { "Search" }
        }
        @if cards.is_empty() { p { "No ventures match." } }
        ul.cards {
            @for (card, open) in cards.iter().zip(&needs) {
                li {
                    h2 style="margin-top:0" { a href=(format!("/v/{}", card.venture.record.slug)) { (card.venture.record.name) } }
                    p { (card.venture.record.pitch) }
                    p.muted { (card.venture.member_count) " members · " (card.venture.record.head_seq) " entries · " (card.venture.record.currency) }
                    @if open.is_empty() { p.muted { "No open needs." } }
                    @for need in open {
                        p style="margin:.25rem 0" { a href=(format!("/v/{}/needs/{}", card.venture.record.slug, need.record.number)) { (need.record.title) } }
                        (super::capital::progress(need))
                    }
                    p {
                        @if card.is_member { "You are a member." }
                        @else { @match card.access.join_mode.as_str() {
                            "open" => "Open: anyone may join.",
                            "request" => "Ask to join: stewards accept members.",
                            _ => "By invitation of its stewards.",
                        } }
                    }
                }
            }
        }
    };
    Ok(show(&caller, "Commons", body))
}

#[derive(Deserialize, Default)]
pub(super) struct SignUpForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

pub(super) fn sign_up_page(caller: &Caller, form: &SignUpForm, error: Option<&AppError>) -> Markup {
    html! {
        h1 { "Sign up" }
        (form_error(error))
        form.stack method="post" action="/signup" {
            (csrf_field(caller))
            (text_input("Username", "username", &form.username, "text", error, "username", "2–40 lowercase letters, digits or hyphens"))
            (text_input("Your name", "display_name", &form.display_name, "text", error, "name", ""))
            (text_input("Password", "password", "", "password", error, "password", "at least 10 characters"))
            button type="submit" { "Create account" }
        }
        p { "Have an account? " a href="/login" { "Sign in" } }
    }
}

pub(super) async fn sign_up_form(caller: Caller) -> Response {
    show(&caller, "Sign up", sign_up_page(&caller, &SignUpForm::default(), None))
}

pub(super) fn session_cookie(state: &AppState, token: &str, max_age: i64) -> Option<HeaderValue> {
    set_cookie(SESSION_COOKIE, token, max_age, true, "Lax", state.secure_cookies)
}

pub(super) fn signed_in_redirect(state: &AppState, token: &str, to: &str) -> Response {
    let mut response = see_other(to);
    if let Some(cookie) = session_cookie(state, token, peerstake_app::accounts::SESSION_DAYS * 24 * 3600) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

pub(super) async fn sign_up(State(state): State<AppState>, caller: Caller, Form(form): Form<SignUpForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let request = SignUp { username: form.username.clone(), display_name: form.display_name.clone(), password: form.password.clone() };
    let client = caller.client.clone();
    let outcome = state
        .run(move |commons, now| {
            commons.sign_up(&request, now)?;
            commons.sign_in(&request.username, &request.password, &client, now)
        })
        .await;
    match outcome {
        Ok(session) => Ok(signed_in_redirect(&state, &session.token, "/")),
        Err(error) => Ok(show_status(&caller, status_of(&error), "Sign up", sign_up_page(&caller, &form, Some(&error)))),
    }
}

#[derive(Deserialize, Default)]
pub(super) struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub(super) fn sign_in_page(caller: &Caller, form: &SignInForm, error: Option<&AppError>) -> Markup {
    html! {
        h1 { "Sign in" }
        (form_error(error))
        form.stack method="post" action="/login" {
            (csrf_field(caller))
            input type="hidden" name="next" value=(form.next);
            (text_input("Username", "username", &form.username, "text", error, "username", ""))
            (text_input("Password", "password", "", "password", error, "password", ""))
            button type="submit" { "Sign in" }
        }
        p { "New here? " a href="/signup" { "Sign up" } }
    }
}

#[derive(Deserialize)]
pub(super) struct NextQuery {
    #[serde(default)]
    next: String,
}

pub(super) async fn sign_in_form(caller: Caller, Query(query): Query<NextQuery>) -> Response {
    show(&caller, "Sign in", sign_in_page(&caller, &SignInForm { next: query.next, ..SignInForm::default() }, None))
}

/// Only a path on this site is a place to go back to.
pub(super) fn local_path(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') { next } else { "/" }
}

pub(super) async fn sign_in(State(state): State<AppState>, caller: Caller, Form(form): Form<SignInForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let (username, password, client) = (form.username.clone(), form.password.clone(), caller.client.clone());
    match state.run(move |commons, now| commons.sign_in(&username, &password, &client, now)).await {
        Ok(session) => Ok(signed_in_redirect(&state, &session.token, local_path(&form.next))),
        Err(error) => Ok(show_status(&caller, status_of(&error), "Sign in", sign_in_page(&caller, &form, Some(&error)))),
    }
}

#[derive(Deserialize)]
pub(super) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub(super) async fn sign_out(State(state): State<AppState>, caller: Caller, Form(form): Form<CsrfOnly>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    if let Some(token) = caller.session.clone() {
        state.run(move |commons, _| commons.sign_out(&token)).await.map_err(fail(&caller))?;
    }
    let mut response = see_other("/");
    if let Some(cookie) = session_cookie(&state, "", 0) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

pub(super) fn account_page(
    caller: &Caller,
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
            (csrf_field(caller))
            (select("How you write numbers", "number_format", &number_format_choices(true), account.number_format.map_or("", |f| f.name())))
            p.hint { "Forms read amounts and hours the way you write them; by default, the way each venture writes them." }
            button type="submit" { "Save" }
        }
        h2 { "Change password" }
        form.stack method="post" action="/account/password" {
            (csrf_field(caller))
            (text_input("Current password", "current", "", "password", error, "current password", ""))
            (text_input("New password", "new", "", "password", error, "new password", "at least 10 characters"))
            button type="submit" { "Change password" }
        }
        h2 { "API tokens" }
        p.hint { "For scripts: send " code { "Authorization: Bearer <token>" } " to " a href="/api/v1/openapi.json" { "the API" } "." }
        @if let Some(token) = new_token {
            p.notice role="status" { "Your new token (shown once): " code data-token="new" { (token) } }
        }
        (form_error(error.filter(|e| !matches!(e, AppError::Invalid { field, .. } if field.contains("password")))))
        form.stack method="post" action="/account/tokens" {
            (csrf_field(caller))
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
                            (csrf_field(caller)) button.secondary type="submit" style="margin:0" { "Revoke " (token.name) }
                        }
                    } }
                } } }
            } }
        }
    }
}

pub(super) async fn account_view(State(state): State<AppState>, caller: Caller) -> PageResult {
    let account = caller.account().map_err(fail(&caller))?.clone();
    let id = account.id;
    let tokens = state.run(move |commons, _| commons.api_tokens(id)).await.map_err(fail(&caller))?;
    Ok(show(&caller, "Account", account_page(&caller, &account, &tokens, None, None)))
}

pub(super) async fn save_account_numbers(State(state): State<AppState>, caller: Caller, Form(form): Form<NumbersForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let id = caller.account().map_err(fail(&caller))?.id;
    state.run(move |commons, _| commons.set_account_number_format(id, &form.number_format)).await.map_err(fail(&caller))?;
    Ok(see_other("/account"))
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
}

pub(super) async fn change_password(State(state): State<AppState>, caller: Caller, Form(form): Form<PasswordForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let id = account.id;
    match state.run(move |commons, now| commons.change_password(id, &form.current, &form.new, now)).await {
        Ok(session) => Ok(signed_in_redirect(&state, &session.token, "/account")),
        Err(error) => {
            let tokens = state.run(move |commons, _| commons.api_tokens(id)).await.map_err(fail(&caller))?;
            Ok(show_status(&caller, status_of(&error), "Account", account_page(&caller, &account, &tokens, None, Some(&error))))
        }
    }
}

#[derive(Deserialize)]
pub(super) struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

pub(super) async fn create_token(State(state): State<AppState>, caller: Caller, Form(form): Form<TokenForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let id = account.id;
    let outcome = state.run(move |commons, now| commons.create_api_token(id, &form.name, now)).await;
    let tokens = state.run(move |commons, _| commons.api_tokens(id)).await.map_err(fail(&caller))?;
    match outcome {
        Ok((secret, _)) => Ok(show_status(&caller, StatusCode::CREATED, "Account", account_page(&caller, &account, &tokens, Some(&secret), None))),
        Err(error) => Ok(show_status(&caller, status_of(&error), "Account", account_page(&caller, &account, &tokens, None, Some(&error)))),
    }
}

pub(super) async fn revoke_token(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>, Form(form): Form<CsrfOnly>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.id;
    state.run(move |commons, now| commons.revoke_api_token(account, id, now)).await.map_err(fail(&caller))?;
    Ok(see_other("/account"))
}

#[derive(Deserialize)]
pub(super) struct EmailForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

fn notifications_page(caller: &Caller, email: &str, error: Option<&AppError>) -> Markup {
    html! {
        h1 { "Email notifications" }
        p { "peerstake writes when an entry waits for your review, when your entry is disputed or starts to count, and when a proposal waits for your vote — if this server has a mail server set up. Leave the address empty to get none." }
        form.stack method="post" action="/account/notifications" {
            (csrf_field(caller))
            (text_input("Email address", "email", email, "email", error, "email", ""))
            button type="submit" { "Save" }
        }
    }
}

pub(super) async fn notifications_view(State(state): State<AppState>, caller: Caller) -> PageResult {
    let account = caller.account().map_err(fail(&caller))?.clone();
    let email = state.run(move |commons, _| commons.email_of(account.id)).await.map_err(fail(&caller))?;
    Ok(show(&caller, "Email notifications", notifications_page(&caller, email.as_deref().unwrap_or(""), None)))
}

pub(super) async fn save_notifications(State(state): State<AppState>, caller: Caller, Form(form): Form<EmailForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let email = form.email.clone();
    match state.run(move |commons, now| commons.set_email(&account, &email, now)).await {
        Ok(()) => Ok(see_other("/account/notifications")),
        Err(error) if shown_in_form(&error) => {
            Ok(show_status(&caller, status_of(&error), "Email notifications", notifications_page(&caller, &form.email, Some(&error))))
        }
        Err(error) => Err(fail(&caller)(error)),
    }
}

//! The plumbing every page shares: the error page, the page shell around a body, form fields with
//! their errors, links to members and entries, and small readings of form values. A leaf: it
//! imports no page module.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use peerstake_app::access::{Account, Standing};
use peerstake_app::error::AppError;
use peerstake_app::membership::MemberView;
use peerstake_core::money::Currency;
use serde::Deserialize;
use time::Date;

use crate::error::status_of;
use crate::extract::{Caller, parse_date};
use crate::views::page;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CsrfOnly {
    pub(super) csrf: String,
}

pub(super) fn optional(field: &'static str, text: &str) -> Result<Option<time::Date>, AppError> {
    match text.trim() {
        "" => Ok(None),
        t => parse_date(field, t).map(Some),
    }
}

pub(super) fn download(content_type: &'static str, filename: String, body: Vec<u8>) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")).unwrap_or(HeaderValue::from_static("attachment"));
    ([(header::CONTENT_TYPE, HeaderValue::from_static(content_type)), (header::CONTENT_DISPOSITION, disposition)], body).into_response()
}

// ---- shared bits

/// A person's name as shown: their display name, or their handle when they gave none.
pub(super) fn who<'a>(display_name: &'a str, handle: &'a str) -> &'a str {
    if display_name.trim().is_empty() { handle } else { display_name }
}

/// A link to a member's page (their trace: every entry behind their slices).
pub(super) fn member_link(slug: &str, handle: &str, display_name: &str) -> Markup {
    html! { a href=(format!("/v/{slug}/members/{handle}")) { (who(display_name, handle)) } }
}

/// A link to a ledger entry.
pub(super) fn entry_link(slug: &str, seq: u64) -> Markup {
    html! { a href=(format!("/v/{slug}/entries/{seq}")) { "#" (seq) } }
}

pub(super) fn optional_date(field: &'static str, text: &str) -> Result<Option<Date>, AppError> {
    match text.trim() {
        "" => Ok(None),
        text => parse_date(field, text).map(Some),
    }
}

/// A form's key made one person's, so a double submission is harmless and nobody else's key
/// can collide with it.
pub(super) fn key_of(account: &Account, key: &str) -> Option<String> {
    let key = key.trim();
    (!key.is_empty()).then(|| format!("web:{}:{key}", account.id.0))
}

/// Whether a failed form is shown again with its error: bad input, and a member named in the
/// form who does not exist (the forms offer only real ones, so that is a stale or edited form).
pub(super) fn in_form(error: &AppError) -> bool {
    shown_in_form(error) || matches!(error, AppError::NotFound { what: "member", .. })
}

pub(super) fn currency_of(standing: &Standing) -> Result<Currency, AppError> {
    Ok(standing.venture.record.money()?)
}

/// Members who have not left.
pub(super) fn present(members: &[MemberView]) -> impl Iterator<Item = &MemberView> {
    members.iter().filter(|m| m.record.departed_on.is_none())
}

pub(super) fn is_present(standing: &Standing) -> bool {
    standing.member.as_ref().is_some_and(|m| m.departed_on.is_none())
}

/// The status of a page shown with a form's error: that of the error, except that a member the
/// form names and who does not exist is bad input like any other.
pub(super) fn status_with(failure: Option<&AppError>) -> StatusCode {
    match failure {
        None => StatusCode::OK,
        Some(AppError::NotFound { what: "member", .. }) => StatusCode::UNPROCESSABLE_ENTITY,
        Some(error) => status_of(error),
    }
}

/// A member's choice of another member, by handle.
pub(super) fn member_select(label: &str, name: &str, choices: &[(String, String)], chosen: &str, first: Option<&str>) -> Markup {
    let id = format!("f-{name}");
    html! {
        label for=(id) { (label) }
        select id=(id) name=(name) {
            @if let Some(first) = first { option value="" { (first) } }
            @for (handle, shown) in choices { option value=(handle) selected[handle == chosen] { (shown) " (" (handle) ")" } }
        }
    }
}

pub(super) fn choices<'a>(members: impl Iterator<Item = &'a MemberView>) -> Vec<(String, String)> {
    members.map(|m| (m.record.handle.clone(), who(&m.record.display_name, &m.record.handle).to_string())).collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AnswerForm {
    pub(super) csrf: String,
    pub(super) answer: String,
    pub(super) note: String,
    pub(super) from: String,
}

pub(super) fn first_upper(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

pub(super) fn random_key() -> String {
    let mut bytes = [0u8; 12];
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A page that failed: shown as a page with the reason and the right status.
pub(crate) struct PageError {
    pub(super) error: AppError,
    pub(super) account: Option<Account>,
    pub(super) csrf: String,
}

impl PageError {
    /// The error as shown to this caller.
    pub(super) fn new(error: AppError, caller: &Caller) -> PageError {
        PageError { error, account: caller.account.clone(), csrf: caller.csrf.clone() }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = status_of(&self.error);
        let title = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::UNAUTHORIZED => "Please sign in",
            StatusCode::FORBIDDEN => "Not allowed",
            _ => "Something is wrong",
        };
        let body = html! {
            h1 { (title) }
            p.error role="alert" { (self.error.to_string()) }
            @if status == StatusCode::UNAUTHORIZED { p { a href="/login" { "Sign in" } " or " a href="/signup" { "sign up" } "." } }
            p { a href="/" { "Back to the commons" } }
        };
        (status, Html(page(title, self.account.as_ref(), &self.csrf, body).into_string())).into_response()
    }
}

pub(super) type PageResult = Result<Response, PageError>;

pub(super) fn fail(actor: &Caller) -> impl Fn(AppError) -> PageError + '_ {
    move |error| PageError { error, account: actor.account.clone(), csrf: actor.csrf.clone() }
}

pub(super) fn show(actor: &Caller, title: &str, body: Markup) -> Response {
    Html(page(title, actor.account.as_ref(), &actor.csrf, body).into_string()).into_response()
}

/// Checks a posted form: signed in, with the anti-forgery token this browser was given.
// The error is the page about to be shown, built once per refused request.
#[allow(clippy::result_large_err)]
pub(super) fn posted<'a>(actor: &'a Caller, csrf: &str) -> Result<&'a Account, PageError> {
    actor.check_form(csrf).map_err(fail(actor))?;
    actor.account().map_err(fail(actor))
}

/// A page, with the status of the failure it shows (200 when none).
pub(super) fn show_after(actor: &Caller, failure: Option<&AppError>, title: &str, body: Markup) -> Response {
    show_status(actor, failure.map_or(StatusCode::OK, status_of), title, body)
}

/// Where a posted form leads: on success, to the page `to` names; on input the form shows
/// (`shown`), its page again with the error (`again`); otherwise, the error page.
pub(super) async fn settle<T, F: Future<Output = PageResult>>(
    actor: &Caller,
    outcome: Result<T, AppError>,
    shown: fn(&AppError) -> bool,
    to: impl FnOnce(T) -> String,
    again: impl FnOnce(AppError) -> F,
) -> PageResult {
    match outcome {
        Ok(done) => Ok(see_other(&to(done))),
        Err(error) if shown(&error) => again(error).await,
        Err(error) => Err(fail(actor)(error)),
    }
}

pub(super) fn show_status(actor: &Caller, status: StatusCode, title: &str, body: Markup) -> Response {
    (status, Html(page(title, actor.account.as_ref(), &actor.csrf, body).into_string())).into_response()
}

pub(super) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

pub(super) fn csrf_field(actor: &Caller) -> Markup {
    html! { input type="hidden" name="csrf" value=(actor.csrf); }
}

/// The message for a field, if the error is about it.
pub(super) fn field_error(error: Option<&AppError>, field: &str) -> Markup {
    let message = match error {
        Some(AppError::Invalid { field: f, reason }) if f == field => Some(reason.clone()),
        Some(AppError::DateOutOfRange { field: f, reason }) if *f == field => Some(reason.clone()),
        Some(other) if other.field() == Some(field) => Some(other.to_string()),
        _ => None,
    };
    html! { @if let Some(message) = message { span.field-error id=(format!("{}-error", field.replace(' ', "-"))) role="alert" { (message) } } }
}

/// Whether a failed form is shown again with its error (bad input) rather than as an error page
/// (not signed in, not allowed, not found).
pub(super) fn shown_in_form(error: &AppError) -> bool {
    matches!(status_of(error), StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT)
}

pub(super) fn form_error(error: Option<&AppError>) -> Markup {
    html! { @if let Some(error) = error { p.error role="alert" { (error.to_string()) } } }
}

/// How this person's numbers are read here: their own format, else the venture's.
pub(super) fn numbers_of(actor: &Caller, standing: &Standing) -> peerstake_core::numbers::NumberFormat {
    let venture = standing.venture.record.number_format;
    actor.account.as_ref().map_or(venture, |a| a.numbers_in(venture))
}

/// Says which number format a form reads, and where to change it.
pub(super) fn numbers_note(actor: &Caller, standing: &Standing) -> Markup {
    let format = numbers_of(actor, standing);
    let own = actor.account.as_ref().is_some_and(|a| a.number_format.is_some());
    html! {
        p.hint data-number-format=(format.name()) {
            "Numbers are written " strong { (format.name()) } " here ("
            @if own { "your choice" } @else { "this venture's format" }
            "; change it on " a href="/account" { "your account page" } ")."
        }
    }
}

pub(super) fn text_input(label: &str, name: &str, value: &str, kind: &str, error: Option<&AppError>, error_field: &str, hint: &str) -> Markup {
    let id = format!("f-{name}");
    html! {
        label for=(id) { (label) }
        @if !hint.is_empty() { span.hint { (hint) } }
        input id=(id) type=(kind) name=(name) value=(value) aria-describedby=(format!("{}-error", error_field.replace(' ', "-")));
        (field_error(error, error_field))
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NumbersForm {
    pub(super) csrf: String,
    pub(super) number_format: String,
}

/// The number formats to choose from; with `own`, also "each venture's".
pub(super) fn number_format_choices(own: bool) -> Vec<(&'static str, &'static str)> {
    let mut choices: Vec<(&'static str, &'static str)> = if own { vec![("", "Each venture's own")] } else { Vec::new() };
    choices.extend([
        ("1,234.56", "1,234.56 (English)"),
        ("1.234,56", "1.234,56 (German, Spanish, Italian, …)"),
        ("1 234,56", "1 234,56 (French, Nordic, …)"),
        ("1'234.56", "1'234.56 (Swiss)"),
    ]);
    choices
}

/// A moment as pages show it: `2026-01-15 12:00 UTC`.
pub(super) fn when(at_ms: i64) -> String {
    let moment = time::OffsetDateTime::from_unix_timestamp(at_ms.div_euclid(1000)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{} {:02}:{:02} UTC", moment.date(), moment.hour(), moment.minute())
}

pub(super) fn select(label: &str, name: &str, options: &[(&str, &str)], chosen: &str) -> Markup {
    let id = format!("f-{name}");
    html! {
        label for=(id) { (label) }
        select id=(id) name=(name) {
            @for (value, text) in options { option value=(value) selected[*value == chosen] { (text) } }
        }
    }
}

pub(super) fn venture_nav(standing: &Standing) -> Markup {
    let slug = &standing.venture.record.slug;
    html! {
        nav.row aria-label="Venture" {
            a href=(format!("/v/{slug}")) { "Overview" }
            a href=(format!("/v/{slug}/ledger")) { "Ledger" }
            a href=(format!("/v/{slug}/review")) { "To review" }
            a href=(format!("/v/{slug}/policy")) { "Formula" }
            a href=(format!("/v/{slug}/activity")) { "Activity" }
            a href=(format!("/v/{slug}/needs")) { "Needs" }
            a href=(format!("/v/{slug}/goods")) { "Goods" }
            @let present = standing.member.as_ref().is_some_and(|m| m.departed_on.is_none());
            @if present { a href=(format!("/v/{slug}/log")) { "Log a contribution" } }
            @if present { a href=(format!("/v/{slug}/recurring")) { "Recurring" } }
            a href=(format!("/v/{slug}/departures")) { "Departures" }
            a href=(format!("/v/{slug}/stewards")) { "Stewards" }
            a href=(format!("/v/{slug}/freezes")) { "Cap table" }
            a href=(format!("/v/{slug}/income")) { "Income" }
            a href=(format!("/v/{slug}/distributions")) { "Payouts" }
            a href=(format!("/v/{slug}/report")) { "Report" }
            @if standing.member.is_some() { a href=(format!("/v/{slug}/statement")) { "My statement" } }
            @if standing.is_steward() { a href=(format!("/v/{slug}/settings")) { "Settings" } }
        }
    }
}

//! Server-rendered pages for people. Every form works without JavaScript, carries the
//! anti-forgery token, and on bad input shows the form again with the error next to its field.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};
use peerstake_app::members::Joined;
use peerstake_app::access::Standing;
use peerstake_app::access::Account;
use peerstake_app::accounts::SignUp;
use peerstake_app::error::AppError;
use peerstake_app::forms::{LOG_KINDS, TermsForm};
use peerstake_app::journal::{LogRequest, ReverseRequest};
use peerstake_app::ledger::SplitQuery;
use peerstake_app::ventures::CreateVenture;
use peerstake_app::policy_file::PolicyChoice;
use peerstake_app::book::SetPolicy;
use peerstake_core::kind::ALL_KINDS;
use peerstake_core::money::Currency;
use peerstake_core::split::format_share;
use peerstake_store::AccessRecord;
use serde::Deserialize;

use crate::api::{LedgerParams, LogIn, ledger_query, log_request, parse_date};
use crate::auth::{Caller, SESSION_COOKIE, set_cookie};
use crate::views::{chart, colour, page, pie};
use crate::{AppState, status_of};

mod accounts;
mod capital;
mod exports;
mod ledger;
mod lifecycle;
mod log;
mod proposals;
mod recurring;
mod review;
mod settings;
mod talk;
mod ventures;

use accounts::*;
use capital::*;
use exports::*;
use ledger::*;
use log::*;
use proposals::{proposal_page, propose, vote as vote_on_proposal, withdraw as withdraw_proposal};
use recurring::*;
use review::*;
use settings::*;
use talk::*;
use ventures::*;

/// A page that failed: shown as a page with the reason and the right status.
pub(crate) struct PageError {
    error: AppError,
    account: Option<Account>,
    csrf: String,
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

type PageResult = Result<Response, PageError>;

fn fail(caller: &Caller) -> impl Fn(AppError) -> PageError + '_ {
    move |error| PageError { error, account: caller.account.clone(), csrf: caller.csrf.clone() }
}

fn show(caller: &Caller, title: &str, body: Markup) -> Response {
    Html(page(title, caller.account.as_ref(), &caller.csrf, body).into_string()).into_response()
}

fn show_status(caller: &Caller, status: StatusCode, title: &str, body: Markup) -> Response {
    (status, Html(page(title, caller.account.as_ref(), &caller.csrf, body).into_string())).into_response()
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

fn csrf_field(caller: &Caller) -> Markup {
    html! { input type="hidden" name="csrf" value=(caller.csrf); }
}

/// The message for a field, if the error is about it.
fn field_error(error: Option<&AppError>, field: &str) -> Markup {
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
fn shown_in_form(error: &AppError) -> bool {
    matches!(status_of(error), StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT)
}

fn form_error(error: Option<&AppError>) -> Markup {
    html! { @if let Some(error) = error { p.error role="alert" { (error.to_string()) } } }
}

/// How this person's numbers are read here: their own format, else the venture's.
fn numbers_of(caller: &Caller, standing: &Standing) -> peerstake_core::numbers::NumberFormat {
    let venture = standing.venture.record.number_format;
    caller.account.as_ref().map_or(venture, |a| a.numbers_in(venture))
}

/// Says which number format a form reads, and where to change it.
fn numbers_note(caller: &Caller, standing: &Standing) -> Markup {
    let format = numbers_of(caller, standing);
    let own = caller.account.as_ref().is_some_and(|a| a.number_format.is_some());
    html! {
        p.hint data-number-format=(format.name()) {
            "Numbers are written " strong { (format.name()) } " here ("
            @if own { "your choice" } @else { "this venture's format" }
            "; change it on " a href="/account" { "your account page" } ")."
        }
    }
}

fn text_input(label: &str, name: &str, value: &str, kind: &str, error: Option<&AppError>, error_field: &str, hint: &str) -> Markup {
    let id = format!("f-{name}");
    html! {
        label for=(id) { (label) }
        @if !hint.is_empty() { span.hint { (hint) } }
        input id=(id) type=(kind) name=(name) value=(value) aria-describedby=(format!("{}-error", error_field.replace(' ', "-")));
        (field_error(error, error_field))
    }
}

async fn not_found(caller: Caller) -> Response {
    PageError { error: AppError::NotFound { what: "page", name: "this address".into() }, account: caller.account.clone(), csrf: caller.csrf.clone() }
        .into_response()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(commons_page))
        .route("/signup", get(sign_up_form).post(sign_up))
        .route("/login", get(sign_in_form).post(sign_in))
        .route("/logout", post(sign_out))
        .route("/account", get(account_view))
        .route("/account/password", post(change_password))
        .route("/account/numbers", post(save_account_numbers))
        .route("/account/tokens", post(create_token))
        .route("/account/notifications", get(notifications_view).post(save_notifications))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/new", get(new_venture_form).post(new_venture))
        .route("/v/{slug}", get(venture_page))
        .route("/v/{slug}/join", post(join))
        .route("/v/{slug}/log", get(log_form).post(log_post))
        .route("/v/{slug}/members/{handle}", get(member_page))
        .route("/v/{slug}/ledger", get(ledger_page))
        .route("/v/{slug}/ledger/{seq}/reverse", post(reverse))
        .route("/v/{slug}/entries/{seq}", get(entry_page))
        .route("/v/{slug}/entries/{seq}/review", post(take_step))
        .route("/v/{slug}/entries/{seq}/amend", post(amend))
        .route("/v/{slug}/review", get(queue_page))
        .route("/v/{slug}/proposals", post(propose))
        .route("/v/{slug}/recurring", get(recurring_page).post(set_up_recurring))
        .route("/v/{slug}/recurring/{number}/drafts", post(decide_draft))
        .route("/v/{slug}/recurring/{number}/stop", post(stop_recurring))
        .route("/v/{slug}/proposals/{number}", get(proposal_page))
        .route("/v/{slug}/proposals/{number}/vote", post(vote_on_proposal))
        .route("/v/{slug}/proposals/{number}/withdraw", post(withdraw_proposal))
        .route("/v/{slug}/policy", get(policy_page).post(adopt_policy))
        // ---- pooled capital: needs, pledges, the well, lent goods
        .route("/v/{slug}/needs", get(needs_page).post(publish_need))
        .route("/v/{slug}/needs/{number}", get(need_page))
        .route("/v/{slug}/needs/{number}/pledge", post(pledge))
        .route("/v/{slug}/needs/{number}/pay", post(pay_need))
        .route("/v/{slug}/needs/{number}/cancel", post(cancel_need))
        .route("/v/{slug}/well", get(well_page))
        .route("/v/{slug}/well/{handle}", get(member_well_page))
        .route("/v/{slug}/costs", get(costs_page))
        .route("/v/{slug}/goods", get(venture_goods_page))
        .route("/v/{slug}/bookings", post(request_booking))
        .route("/v/{slug}/bookings/{number}/decide", post(decide_booking))
        .route("/v/{slug}/bookings/{number}/usage", post(log_usage))
        .route("/v/{slug}/usage/{number}/decide", post(decide_usage))
        .route("/goods", get(goods_page).post(register_good))
        .route("/goods/{id}/withdraw", post(withdraw_good))
        .route("/goods/{id}/give", post(give_good))
        // ---- later life: departures, stewards, freezes, income, payouts, statements, the report
        .route("/v/{slug}/departures", get(lifecycle::departures_page).post(lifecycle::depart))
        .route("/v/{slug}/buyouts", post(lifecycle::offer_buyout))
        .route("/v/{slug}/buyouts/{number}", post(lifecycle::answer_buyout))
        .route("/v/{slug}/stewards", get(lifecycle::stewards_page))
        .route("/v/{slug}/stewards/handover", post(lifecycle::propose_handover))
        .route("/v/{slug}/stewards/adopt", post(lifecycle::ask_to_adopt))
        .route("/v/{slug}/stewards/{number}/answer", post(lifecycle::answer_handover))
        .route("/v/{slug}/stewards/{number}/object", post(lifecycle::object_to_adoption))
        .route("/v/{slug}/freezes", get(lifecycle::freezes_page).post(lifecycle::propose_freeze))
        .route("/v/{slug}/freezes/{number}", get(lifecycle::freeze_page))
        .route("/v/{slug}/freezes/{number}/vote", post(lifecycle::vote_freeze))
        .route("/v/{slug}/freezes/{number}/unfreeze", post(lifecycle::propose_unfreeze))
        .route("/v/{slug}/income", get(lifecycle::income_page).post(lifecycle::record_income))
        .route("/v/{slug}/distributions", get(lifecycle::distributions_page).post(lifecycle::distribute))
        .route("/v/{slug}/distributions/{number}", get(lifecycle::distribution_page))
        .route("/v/{slug}/statement", get(lifecycle::own_statement_page))
        .route("/v/{slug}/statement/{handle}", get(lifecycle::statement_page))
        .route("/v/{slug}/report", get(lifecycle::report_page))
        .route("/v/{slug}/exports/{file}", get(lifecycle::export))
        .route("/v/{slug}/settings", get(settings_page))
        .route("/v/{slug}/settings/access", post(save_access))
        .route("/v/{slug}/settings/numbers", post(save_numbers))
        .route("/v/{slug}/settings/requests/{username}", post(decide))
        .route("/v/{slug}/settings/invite", post(invite))
        .route("/v/{slug}/split.csv", get(split_csv))
        .route("/v/{slug}/ledger.csv", get(ledger_csv))
        .route("/v/{slug}/export.json", get(export_json))
        // ---- talk: comments and activity
        .route("/activity", get(person_activity))
        .route("/v/{slug}/activity", get(venture_activity))
        .route("/v/{slug}/feed.atom", get(atom_feed))
        .route("/v/{slug}/comments", post(post_comment))
        .route("/v/{slug}/comments/{id}/edit", get(edit_comment_form).post(edit_comment))
        .route("/v/{slug}/comments/{id}/history", get(comment_history))
        .route("/v/{slug}/entries/{seq}/comments", get(entry_comments_page))
        .fallback(not_found)
}

//! Logging a contribution: the form for each kind, with a preview of its slices before it is
//! recorded.

use axum::extract::{Path, Query};
use axum::routing::get;
use axum::{Form, Router};
use maud::{Markup, html};
use peerstake_app::access::Standing;
use peerstake_app::error::AppError;
use peerstake_app::forms::LOG_KINDS;
use peerstake_app::journal::LogRequest;
use serde::Deserialize;

use super::kit::*;
use crate::AppState;
use crate::common::{ContributionIn, LogIn, log_request};
use crate::error::status_of;
use crate::extract::{Actor, Caller};

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct LogForm {
    csrf: String,
    action: String,
    member: String,
    date: String,
    from: String,
    kind: String,
    quantity: String,
    amount: String,
    paid: String,
    condition: String,
    unit: String,
    rate: String,
    class: String,
    note: String,
    key: String,
}

impl LogForm {
    fn to_api(&self) -> LogIn {
        LogIn {
            member: Some(self.member.clone()),
            date: self.date.clone(),
            contribution: ContributionIn {
                kind: self.kind.clone(),
                quantity: self.quantity.clone(),
                amount: self.amount.clone(),
                paid: self.paid.clone(),
                condition: self.condition.clone(),
                unit: self.unit.clone(),
                rate: self.rate.clone(),
                class: self.class.clone(),
                note: self.note.clone(),
            },
            from: Some(self.from.clone()).filter(|f| !f.trim().is_empty()),
            idempotency_key: Some(self.key.clone()).filter(|k| !k.is_empty()),
        }
    }
}

/// The fields each kind asks for: (form field, label, hint).
pub(super) fn kind_fields(kind: &str) -> Vec<(&'static str, &'static str, &'static str)> {
    match kind {
        "time" => vec![("quantity", "Hours", "e.g. 1.5, 1:30 or 90m"), ("paid", "Cash paid for this time", "leave empty if none")],
        "deposit" => vec![("amount", "Amount put into the well", "")],
        "withdrawal" => vec![("amount", "Amount spent from the well", "slices go to the depositors, pro rata")],
        "cash-paid" => vec![("amount", "Cash paid to the member", "")],
        "well-return" => vec![("amount", "Unspent money handed back from the well", "at most the member's balance in the well; it earned no slices")],
        "expense" => vec![("amount", "Amount spent", ""), ("paid", "Reimbursed", "leave empty if none")],
        "equipment" | "supplies" => {
            vec![("amount", "Value", ""), ("condition", "Condition", "new, used-recent (under a year) or used-old"), ("paid", "Reimbursed", "")]
        }
        "facilities" => vec![("amount", "Market rent", ""), ("paid", "Rent paid", "")],
        "capital-use" => vec![
            ("quantity", "Units used", ""),
            ("unit", "Unit", "hour, day, week, month or unit"),
            ("rate", "Rental rate per unit", ""),
            ("paid", "Fee paid", ""),
        ],
        "idea" => vec![("amount", "Revenue from the idea", ""), ("paid", "Royalty paid", "")],
        "sale" => vec![("amount", "Revenue from the sale", ""), ("paid", "Commission paid", "")],
        "finders-fee" => vec![("amount", "Investment found", ""), ("paid", "Fee paid", "")],
        "other" => vec![("amount", "Value", ""), ("class", "Class", "cash or non-cash")],
        _ => Vec::new(),
    }
}

pub(super) fn form_value<'a>(form: &'a LogForm, field: &str) -> &'a str {
    match field {
        "quantity" => &form.quantity,
        "amount" => &form.amount,
        "paid" => &form.paid,
        "condition" => &form.condition,
        "unit" => &form.unit,
        "rate" => &form.rate,
        "class" => &form.class,
        _ => "",
    }
}

pub(super) fn log_page(
    actor: &Caller,
    standing: &Standing,
    members: &[peerstake_app::membership::MemberView],
    form: &LogForm,
    error: Option<&AppError>,
    preview: Option<Markup>,
) -> Markup {
    let slug = &standing.venture.record.slug;
    let kind = if LOG_KINDS.contains(&form.kind.as_str()) { form.kind.as_str() } else { "time" };
    html! {
        h1 { "Log a contribution to " (standing.venture.record.name) }
        (venture_nav(standing))
        nav aria-label="Kinds" {
            p { "Kind: " @for k in LOG_KINDS { @if *k == kind { strong { (k) } " " } @else { a href=(format!("/v/{slug}/log?kind={k}")) { (k) } " " } } }
        }
        (form_error(error))
        @if let Some(preview) = preview { (preview) }
        form.stack method="post" action=(format!("/v/{slug}/log")) {
            (csrf_field(actor))
            input type="hidden" name="kind" value=(kind);
            input type="hidden" name="key" value=(form.key);
            @if standing.is_steward() {
                label for="f-member" { "For" }
                select id="f-member" name="member" {
                    @if kind == "withdrawal" { option value="" { "the venture (the well)" } }
                    @for m in members { option value=(m.record.handle) selected[m.record.handle == form.member] { (m.record.display_name) " (" (m.record.handle) ")" } }
                }
            } @else {
                input type="hidden" name="member" value=(standing.handle().unwrap_or(""));
            }
            (field_error(error, "member"))
            (numbers_note(actor, standing))
            @if kind == "time" {
                (text_input("Date (for work over several days, the last day)", "date", &form.date, "date", error, "date", ""))
                (text_input("From (the first day, for work over several days)", "from", &form.from, "date", error, "from", "at most 24 hours a day; leave empty for one day"))
            } @else {
                (text_input("Date", "date", &form.date, "date", error, "date", ""))
            }
            @for (field, label, hint) in kind_fields(kind) {
                @let error_field = match field { "quantity" if kind == "time" => "hours", "quantity" => "units", "paid" => "paid", other => other };
                (text_input(label, field, form_value(form, field), "text", error, error_field, hint))
            }
            label for="f-note" { "What was done" }
            textarea id="f-note" name="note" rows="2" { (form.note) }
            (field_error(error, "note"))
            div {
                button type="submit" name="action" value="preview" { "Preview" } " "
                @if preview_ready(form, error) { button type="submit" name="action" value="record" { "Record it" } }
            }
        }
    }
}

pub(super) fn preview_ready(form: &LogForm, error: Option<&AppError>) -> bool {
    form.action == "preview" && error.is_none()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct KindQuery {
    kind: String,
}

pub(super) async fn log_form(actor: Actor, Path(slug): Path<String>, Query(query): Query<KindQuery>) -> PageResult {
    let (standing, members, today) =
        actor.run(move |acting, now| Ok((acting.standing(&slug, now)?, acting.members(&slug, now)?, now.today))).await.map_err(fail(&actor))?;
    if standing.member.is_none() {
        actor.account().map_err(fail(&actor))?;
        return Err(fail(&actor)(AppError::Forbidden("join the venture to log contributions".into())));
    }
    let form =
        LogForm { kind: query.kind, date: today.to_string(), member: standing.handle().unwrap_or("").to_string(), key: random_key(), ..LogForm::default() };
    Ok(show(&actor, "Log a contribution", log_page(&actor, &standing, &members, &form, None, None)))
}

pub(super) async fn log_post(actor: Actor, Path(slug): Path<String>, Form(form): Form<LogForm>) -> PageResult {
    let account = posted(&actor, &form.csrf)?.clone();
    let record = form.action == "record";
    let input = form.to_api();
    let slug_for_run = slug.clone();
    let (standing, members, outcome) = actor
        .run(move |acting, now| {
            let standing = acting.standing(&slug_for_run, now)?;
            let members = acting.members(&slug_for_run, now)?;
            let numbers = account.numbers_in(standing.venture.record.number_format);
            let outcome = log_request(&slug_for_run, &input, standing.handle())
                .and_then(|request| Ok(LogRequest { form: request.form.read_in(numbers)?, ..request }))
                .and_then(|request| if record { acting.log(&request, now) } else { acting.preview(&request, now) });
            Ok((standing, members, outcome))
        })
        .await
        .map_err(fail(&actor))?;
    match outcome {
        Ok(_) if record => Ok(see_other(&format!("/v/{slug}"))),
        Ok(stored) => {
            let currency = standing.venture.record.money().map_err(|e| fail(&actor)(e.into()))?;
            let said = peerstake_core::input::Input::from_canonical(&stored.entry.inputs)
                .map(|input| peerstake_app::forms::in_words(&input, currency))
                .unwrap_or_default();
            let period = peerstake_core::input::Input::from_canonical(&stored.entry.inputs).ok().map(|i| i.period_start(stored.entry.occurred_on));
            let preview = html! {
                div.notice role="status" data-preview="" {
                    p { "You typed:" }
                    ul data-said="" {
                        @for (what, figure, words) in &said { li { (what) ": " strong { (figure) } " — " (words) } }
                        @if let Some(first) = period.filter(|p| *p != stored.entry.occurred_on) { li { "period: " (first.to_string()) " to " (stored.entry.occurred_on.to_string()) } }
                    }
                    p { "Under the policy in force on " (stored.entry.occurred_on.to_string()) " (version " (stored.entry.policy_version) "), this is worth "
                        strong { (currency.format(stored.entry.fmv_minor)) " " (currency.code()) } " and earns " strong data-preview-slices="" { (currency.format_slices(stored.entry.slices_minor)) " slices" } "." }
                    p { "Nothing is recorded until you choose " em { "Record it" } "." }
                }
            };
            Ok(show(&actor, "Preview", log_page(&actor, &standing, &members, &form, None, Some(preview))))
        }
        Err(error) => Ok(show_status(&actor, status_of(&error), "Log a contribution", log_page(&actor, &standing, &members, &form, Some(&error), None))),
    }
}

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/v/{slug}/log", get(log_form).post(log_post))
}

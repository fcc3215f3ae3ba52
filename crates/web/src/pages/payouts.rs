//! Income and payouts: income recorded, distributions previewed then posted, and each member's
//! statement.

use axum::extract::Path;
use axum::routing::get;
use axum::{Form, Router};
use maud::{Markup, html};
use peerstake_app::error::AppError;
use peerstake_app::forms::read_amount;
use peerstake_app::payouts::{DistributeRequest, DistributionView, INCOME_KINDS, IncomeRequest};
use peerstake_core::money::Currency;
use serde::Deserialize;

use super::kit::*;
use super::statement::{basis_words, render_statement, weight_words};
use crate::AppState;
use crate::extract::Actor;

// ---- income

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct IncomeForm {
    csrf: String,
    kind: String,
    amount: String,
    date: String,
    note: String,
    valuation: String,
    key: String,
}

fn income_kind_words(kind: &str) -> &'static str {
    if kind == "sale" { "A sale of the venture or of its assets" } else { "Revenue from the venture's work" }
}

pub(super) async fn income_page(actor: Actor, Path(slug): Path<String>) -> PageResult {
    render_income(&actor, slug, IncomeForm::default(), None).await
}

async fn render_income(actor: &Actor, slug: String, form: IncomeForm, failure: Option<AppError>) -> PageResult {
    let (standing, income, today) =
        actor.run(move |acting, now| Ok((acting.standing(&slug, now)?, acting.incomes(&slug, now)?, now.today))).await.map_err(fail(actor))?;
    let failure = failure.as_ref();
    let c = currency_of(&standing).map_err(fail(actor))?;
    let today_text = today.to_string();
    let slug = &standing.venture.record.slug;
    let body = html! {
        h1 { "Income of " (standing.venture.record.name) }
        (venture_nav(&standing))
        p { "Money the venture received. It waits here until the stewards distribute it to the holders: by the split, or by the cap table once the split is frozen." }
        p { "Not yet distributed: " strong data-undistributed=(c.format(income.undistributed_minor)) { (c.format(income.undistributed_minor)) " " (c.code()) } ". "
            a href=(format!("/v/{slug}/distributions")) { "Distributions" } }
        @if income.incomes.is_empty() { p.muted { "No income recorded yet." } }
        @else { div.scroll { table {
            thead { tr { th { "#" } th { "Received on" } th { "What" } th.n { "Amount" } th { "Where from" } th.n { "Price of the whole venture" } } }
            tbody { @for i in income.incomes.iter().rev() { tr data-income=(i.number) {
                td { (i.number) } td { (i.received_on) } td { (i.kind) } td.n { (c.format(i.amount_minor)) } td { (i.note) }
                td.n { @if let Some(v) = i.valuation_minor { (c.format(v)) } }
            } } }
        } } }
        @if standing.is_steward() {
            h2 { "Record income" }
            form.stack method="post" action=(format!("/v/{slug}/income")) {
                (csrf_field(actor))
                input type="hidden" name="key" value=(if form.key.is_empty() { random_key() } else { form.key.clone() });
                (form_error(failure))
                label for="f-kind" { "What it is" }
                select id="f-kind" name="kind" { @for kind in INCOME_KINDS { option value=(kind) selected[form.kind == kind] { (income_kind_words(kind)) } } }
                (field_error(failure, "kind"))
                (numbers_note(actor, &standing))
                (text_input(&format!("Amount ({})", c.code()), "amount", &form.amount, "text", failure, "amount", ""))
                (text_input("Received on", "date", if form.date.is_empty() { &today_text } else { &form.date }, "date", failure, "date", ""))
                (text_input("Where it came from (optional)", "note", &form.note, "text", failure, "note", ""))
                (text_input("For a sale of the whole venture: its price (optional)", "valuation", &form.valuation, "text", failure, "valuation",
                    "sets a price per slice; a good leaver bought out within their claw-back window is owed the difference"))
                button type="submit" { "Record income" }
            }
        }
    };
    Ok(show_status(actor, status_with(failure), "Income", body))
}

pub(super) async fn record_income(actor: Actor, Path(slug): Path<String>, Form(form): Form<IncomeForm>) -> PageResult {
    let account = posted(&actor, &form.csrf)?.clone();
    let run_slug = slug.clone();
    let sent = form.clone();
    let outcome = actor
        .run(move |acting, now| {
            let numbers = acting.numbers_for(Some(&run_slug))?;
            let request = IncomeRequest {
                amount: read_amount(numbers, "amount", &sent.amount)?,
                valuation: read_amount(numbers, "valuation", &sent.valuation)?,
                venture: run_slug,
                kind: sent.kind,
                received_on: optional_date("date", &sent.date)?,
                note: sent.note,
                by: None,
                idempotency_key: key_of(&account, &sent.key),
            };
            acting.record_income(&request, now)
        })
        .await;
    settle(&actor, outcome, in_form, |_| format!("/v/{slug}/income"), |error| render_income(&actor, slug.clone(), form, Some(error))).await
}

// ---- distributions

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct DistributeForm {
    csrf: String,
    action: String,
    amount: String,
    basis: String,
    date: String,
    note: String,
    key: String,
}

/// Every holder's payout in a distribution, each linked to their trace, with what it was split by.
pub(super) fn payouts(slug: &str, c: Currency, view: &DistributionView) -> Markup {
    let r = &view.record;
    html! {
        p { "Split by " (basis_words(&r.basis)) " at ledger entry " @if r.head_seq > 0 { (entry_link(slug, r.head_seq)) } @else { "#0" }
            ": " (weight_words(c, &r.basis, r.total_weight)) " in all." }
        div.scroll { table data-payouts=(r.number) {
            thead { tr { th { "Holder" } th { "Split by" } th.n { "Share" } th.n { "Payout" } } }
            tbody {
                @for l in &view.lines { tr {
                    td { (member_link(slug, &l.member, &l.display_name)) }
                    td { (weight_words(c, &r.basis, l.payout.weight)) " of " (weight_words(c, &r.basis, r.total_weight)) ", at entry #" (r.head_seq) }
                    td.n { (l.percent) "%" }
                    td.n data-payout=(l.member) { (c.format(l.payout.amount_minor)) }
                } }
                tr { th { "All" } th {} th.n { "100.00%" } th.n { (c.format(r.amount_minor)) " " (c.code()) } }
            }
        } }
    }
}

pub(super) async fn distributions_page(actor: Actor, Path(slug): Path<String>) -> PageResult {
    render_distributions(&actor, slug, DistributeForm::default(), None, None).await
}

async fn render_distributions(actor: &Actor, slug: String, form: DistributeForm, preview: Option<DistributionView>, failure: Option<AppError>) -> PageResult {
    let (standing, distributions, income, frozen, today) = actor
        .run(move |acting, now| {
            let frozen = acting.freezes(&slug, now)?.into_iter().find(|f| f.record.status == "frozen").map(|f| f.record.number);
            Ok((acting.standing(&slug, now)?, acting.distributions(&slug, now)?, acting.incomes(&slug, now)?, frozen, now.today))
        })
        .await
        .map_err(fail(actor))?;
    let failure = failure.as_ref();
    let c = currency_of(&standing).map_err(fail(actor))?;
    let slug = &standing.venture.record.slug;
    let today_text = today.to_string();
    // The amount offered is written as the person writes numbers: the form reads it that way.
    let numbers = numbers_of(actor, &standing);
    let amount = if form.amount.is_empty() && income.undistributed_minor > 0 {
        numbers.format(i128::from(income.undistributed_minor), c.exponent())
    } else {
        form.amount.clone()
    };
    let body = html! {
        h1 { "Payouts of " (standing.venture.record.name) }
        (venture_nav(&standing))
        p { "A distribution pays income out to every holder in proportion to their slices, or to their shares once the split is frozen, exact to the cent: the payouts add up to the amount, and a cent left over by rounding goes to a holder picked by a tie-break that rotates from one distribution to the next." }
        p { "Not yet distributed: " strong data-undistributed=(c.format(income.undistributed_minor)) { (c.format(income.undistributed_minor)) " " (c.code()) } ". "
            a href=(format!("/v/{slug}/income")) { "Income" } }
        @if distributions.is_empty() { p.muted { "Nothing distributed yet." } }
        @else { div.scroll { table {
            thead { tr { th { "#" } th { "Paid on" } th.n { "Amount" } th { "Split by" } th { "At ledger entry" } th.n { "Holders" } } }
            tbody { @for d in distributions.iter().rev() { tr data-distribution=(d.record.number) {
                td { a href=(format!("/v/{slug}/distributions/{}", d.record.number)) { "#" (d.record.number) } }
                td { (d.record.paid_on) } td.n { (c.format(d.record.amount_minor)) } td { (basis_words(&d.record.basis)) }
                td { "#" (d.record.head_seq) } td.n { (d.lines.len()) }
            } } }
        } } }
        p { "Download every payout: " a href=(format!("/v/{slug}/exports/distributions.csv")) { "CSV" } " · " a href=(format!("/v/{slug}/exports/distributions.json")) { "JSON" } }
        @if standing.is_steward() {
            h2 { "Distribute income" }
            @if let Some(view) = &preview {
                div.notice role="status" data-distribution-preview="" {
                    h3 { "Every holder's payout" }
                    (payouts(slug, c, view))
                    p { "Nothing is paid until you post it." }
                    form method="post" action=(format!("/v/{slug}/distributions")) {
                        (csrf_field(actor))
                        input type="hidden" name="action" value="post";
                        input type="hidden" name="amount" value=(form.amount);
                        input type="hidden" name="basis" value=(view.record.basis);
                        input type="hidden" name="date" value=(view.record.paid_on);
                        input type="hidden" name="note" value=(form.note);
                        input type="hidden" name="key" value=(form.key);
                        button type="submit" { "Post this distribution" }
                    }
                }
            }
            form.stack method="post" action=(format!("/v/{slug}/distributions")) {
                (csrf_field(actor))
                input type="hidden" name="key" value=(if form.key.is_empty() { random_key() } else { form.key.clone() });
                (form_error(failure))
                (numbers_note(actor, &standing))
                (text_input(&format!("Amount ({})", c.code()), "amount", &amount, "text", failure, "amount", "at most what is not yet distributed"))
                label for="f-basis" { "Split by" }
                select id="f-basis" name="basis" {
                    option value="" selected[form.basis.is_empty()] { @if frozen.is_some() { "The frozen cap table (shares)" } @else { "The split now (slices)" } }
                    option value="split" selected[form.basis == "split"] { "The split now (slices)" }
                    @if frozen.is_some() { option value="cap-table" selected[form.basis == "cap-table"] { "The frozen cap table (shares)" } }
                }
                (field_error(failure, "basis"))
                (text_input("Paid on", "date", if form.date.is_empty() { &today_text } else { &form.date }, "date", failure, "date", ""))
                (text_input("What it is (optional)", "note", &form.note, "text", failure, "note", "e.g. First quarter's profit"))
                button type="submit" name="action" value="preview" { "Show every payout" }
            }
        }
    };
    Ok(show_status(actor, status_with(failure), "Payouts", body))
}

pub(super) async fn distribute(actor: Actor, Path(slug): Path<String>, Form(form): Form<DistributeForm>) -> PageResult {
    let account = posted(&actor, &form.csrf)?.clone();
    let post = form.action == "post";
    let run_slug = slug.clone();
    let sent = form.clone();
    let outcome = actor
        .run(move |acting, now| {
            let request = DistributeRequest {
                amount: read_amount(acting.numbers_for(Some(&run_slug))?, "amount", &sent.amount)?,
                venture: run_slug,
                basis: sent.basis,
                paid_on: optional_date("date", &sent.date)?,
                note: sent.note,
                by: None,
                idempotency_key: key_of(&account, &sent.key),
            };
            if post { acting.post_distribution(&request, now) } else { acting.preview_distribution(&request, now) }
        })
        .await;
    match outcome {
        Ok(view) if post => Ok(see_other(&format!("/v/{slug}/distributions/{}", view.record.number))),
        Ok(view) => render_distributions(&actor, slug, form, Some(view), None).await,
        Err(error) if in_form(&error) => render_distributions(&actor, slug, form, None, Some(error)).await,
        Err(error) => Err(fail(&actor)(error)),
    }
}

pub(super) async fn distribution_page(actor: Actor, Path((slug, number)): Path<(String, u32)>) -> PageResult {
    let (standing, view) =
        actor.run(move |acting, now| Ok((acting.standing(&slug, now)?, acting.distribution(&slug, number, now)?))).await.map_err(fail(&actor))?;
    let c = currency_of(&standing).map_err(fail(&actor))?;
    let slug = &standing.venture.record.slug;
    let r = &view.record;
    let body = html! {
        h1 { "Distribution #" (r.number) " of " (standing.venture.record.name) }
        (venture_nav(&standing))
        p { strong data-amount=(c.format(r.amount_minor)) { (c.format(r.amount_minor)) " " (c.code()) } " paid on " (r.paid_on) @if !r.note.is_empty() { ": " (r.note) } "." }
        @if let Some(freeze) = r.freeze { p { "By the cap table of " a href=(format!("/v/{slug}/freezes/{freeze}")) { "freeze #" (freeze) } "." } }
        (payouts(slug, c, &view))
        p.hint { "Each holder's name leads to every entry behind their slices; the entries counted are those up to the ledger entry the payout was split at." }
        p { a href=(format!("/v/{slug}/distributions")) { "Every distribution" } }
    };
    Ok(show(&actor, &format!("Distribution #{number}"), body))
}

// ---- statements

pub(super) async fn own_statement_page(actor: Actor, Path(slug): Path<String>) -> PageResult {
    render_statement(&actor, slug, None, None).await
}

pub(super) async fn statement_page(actor: Actor, Path((slug, handle)): Path<(String, String)>) -> PageResult {
    render_statement(&actor, slug, Some(handle), None).await
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v/{slug}/income", get(income_page).post(record_income))
        .route("/v/{slug}/distributions", get(distributions_page).post(distribute))
        .route("/v/{slug}/distributions/{number}", get(distribution_page))
        .route("/v/{slug}/statement", get(own_statement_page))
        .route("/v/{slug}/statement/{handle}", get(statement_page))
}

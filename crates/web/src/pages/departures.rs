//! Departures: a leaver's outcome previewed and recorded under the venture's leaver rules, and
//! buyouts of their slices.

use axum::extract::Path;
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};
use peerstake_app::book::PolicyVersionView;
use peerstake_app::departures::{BuyoutRequest, DepartRequest, DepartureView};
use peerstake_app::error::AppError;
use peerstake_app::forms::read_amount;
use peerstake_core::lifecycle::{ALL_CASES, LeaveCase, RecoveryLine};
use peerstake_core::money::Currency;
use peerstake_core::policy::Policy;
use serde::Deserialize;
use time::Date;

use super::kit::*;
use super::statement::render_statement;
use super::widgets::*;
use crate::AppState;
use crate::extract::Actor;

/// The policy in force on a day.
fn policy_on(versions: &[PolicyVersionView], today: Date) -> Option<Policy> {
    versions.iter().rev().find(|v| v.record.effective_from <= today).or_else(|| versions.first()).map(|v| v.policy.clone())
}

// ---- departures and buyouts

/// The four cases, in plain words: what each means and what it does to the slices.
fn case_explained(case: LeaveCase) -> &'static str {
    match case {
        LeaveCase::FiredForGoodReason => {
            "The venture let them go for a real reason, such as misconduct or not doing the work after warnings. A bad leaver: they lose the slices for their time and \
             other non-cash help, and keep what they put in as money or goods at its value (×1, without the multiplier). The venture may buy that out at once."
        }
        LeaveCase::FiredForNoGoodReason => {
            "The venture let them go though they did nothing wrong. A good leaver: they keep every slice. The venture may only offer to buy them out."
        }
        LeaveCase::ResignedForGoodReason => {
            "They chose to leave for a real reason, such as illness, moving away, a demotion or family. A good leaver: they keep every slice. The venture may only \
             offer to buy them out."
        }
        LeaveCase::ResignedForNoGoodReason => {
            "They walked away. A bad leaver, as when fired for a real reason; but when the policy has a loyalty clause, slices they have held for longer than it \
             says are kept as they are."
        }
    }
}

fn kind_words(line: &RecoveryLine) -> String {
    match line.class.name() {
        "plain" => line.kind.name().to_string(),
        class => format!("{} ({class})", line.kind.name()),
    }
}

/// A departure's outcome: each kind of slice before, protected, and after with the rule that
/// applied; the entries adjusted; slices before and after; the buyout price of what is kept.
pub(super) fn outcome(slug: &str, c: Currency, view: &DepartureView) -> Markup {
    let protected = view.cutoff.is_some();
    html! {
        p { (who(&view.display_name, &view.member)) " " (view.case.words()) " on " (view.departed_on) ": "
            @if view.bad_leaver() { strong { "a bad leaver" } } @else { strong { "a good leaver" } } "." }
        p { "Slices: " strong data-slices-before=(c.format_slices(view.slices_before())) { (c.format_slices(view.slices_before())) }
            " → " strong data-slices-after=(c.format_slices(view.slices_after())) { (c.format_slices(view.slices_after())) } }
        @if let Some(cutoff) = view.cutoff { p { "Loyalty clause: what they held on " (cutoff) " and still hold is kept as it is (the “Protected” column)." } }
        div.scroll { table {
            thead { tr { th { "Slices for" } th.n { "Before" } @if protected { th.n { "Protected" } } th { "Rule" } th.n { "After" } } }
            tbody { @for line in &view.lines { tr data-kind=(line.kind.name()) {
                td { (kind_words(line)) } td.n { (c.format_slices(line.before.slices_minor)) }
                @if protected { td.n { (c.format_slices(line.protected.slices_minor)) } }
                td { (line.treatment.name()) } td.n { (c.format_slices(line.after.slices_minor)) }
            } } }
        } }
        p data-entries-adjusted="" { "Entries adjusted: "
            @if view.entries.is_empty() { "none." }
            @else { @for (index, seq) in view.entries.iter().enumerate() { @if index > 0 { ", " } (entry_link(slug, *seq)) } "." } }
        p { "Buyout price of what they keep: " strong data-buyout=(c.format(view.buyout_minor)) { (c.format(view.buyout_minor)) " " (c.code()) }
            " (" (c.format(view.price_per_slice_minor)) " a slice). "
            @if view.bad_leaver() { "The venture may buy it out at once." } @else { "The venture may offer to buy it; they may accept or decline." } }
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct DepartForm {
    csrf: String,
    action: String,
    member: String,
    case: String,
    justification: String,
    date: String,
    key: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct BuyoutForm {
    csrf: String,
    member: String,
    buyer: String,
    price_per_slice: String,
    key: String,
}

/// Which form on the departures page failed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DepartPart {
    Depart,
    Buyout,
    Answer,
}

pub(super) async fn departures_page(actor: Actor, Path(slug): Path<String>) -> PageResult {
    render_departures(&actor, slug, DepartForm::default(), BuyoutForm::default(), None, None).await
}

async fn render_departures(
    actor: &Actor,
    slug: String,
    form: DepartForm,
    offer: BuyoutForm,
    preview: Option<DepartureView>,
    failure: Option<(DepartPart, AppError)>,
) -> PageResult {
    let (standing, departures, buyouts, members, policy, today) = actor
        .run(move |acting, now| {
            let standing = acting.standing(&slug, now)?;
            let (_, versions) = acting.policy_history(&slug, now)?;
            Ok((standing, acting.departures(&slug, now)?, acting.buyouts(&slug, now)?, acting.members(&slug, now)?, policy_on(&versions, now.today), now.today))
        })
        .await
        .map_err(fail(actor))?;
    let c = currency_of(&standing).map_err(fail(actor))?;
    let today_text = today.to_string();
    let failed = |part: DepartPart| failure.as_ref().filter(|(p, _)| *p == part).map(|(_, e)| e);
    let slug = &standing.venture.record.slug;
    let me = standing.handle();
    let leavers = choices(present(&members).filter(|m| Some(m.record.handle.as_str()) != me));
    let departed = choices(members.iter().filter(|m| m.record.departed_on.is_some()));
    let buyers = choices(present(&members));
    let clawback_months = policy.as_ref().map_or(12, |p| p.clawback_months);
    let body = html! {
        h1 { "Departures from " (standing.venture.record.name) }
        (venture_nav(&standing))
        p { "When a member leaves, a steward records why. The case decides which slices they keep, by the venture's rules; the outcome is shown before anything is recorded, and it becomes an entry in the ledger that anyone can check." }
        (form_error(failed(DepartPart::Answer)))
        h2 { "Who left" }
        @if departures.is_empty() { p.muted { "Nobody has left." } }
        @for d in &departures {
            section id=(format!("departure-{}", d.number.unwrap_or(0))) data-departure=(d.member) {
                h3 { "#" (d.number.unwrap_or(0)) " " (member_link(slug, &d.member, &d.display_name)) ", " (d.case.words()) }
                p { "Left on " (d.departed_on) "."
                    @if let Some(by) = &d.recorded_by { " Recorded by " (by) "." }
                    @if let Some(seq) = d.entry_seq { " Ledger entry " (entry_link(slug, seq)) "." } }
                p { "Reason given: " (d.justification) }
                (outcome(slug, c, d))
            }
        }
        h2 id="buyouts" { "Buyouts" }
        p { "The venture may buy a departed member's slices, at the policy's price per slice unless the stewards set another. A bad leaver's buyout is forced: it is recorded at once. A good leaver's is only an offer, which they accept or decline; if they accept and the venture is sold, or pays out, at a higher price per slice within "
            (clawback_months) " months (the claw-back window), they are owed the difference." }
        @if buyouts.is_empty() { p.muted { "No buyouts." } }
        @else { div.scroll { table {
            thead { tr { th { "#" } th { "Whose slices" } th { "Bought by" } th.n { "Slices" } th.n { "Price a slice" } th.n { "Amount" } th { "Status" } th { "Claw-back until" } th {} } }
            tbody { @for b in &buyouts { tr data-buyout=(b.record.number) {
                td { (b.record.number) }
                td { a href=(format!("/v/{slug}/statement/{}", b.member)) { (b.member) } }
                td { @match &b.buyer { Some(buyer) => (buyer), None => "the venture (the slices leave the pie)" } }
                td.n { (c.format_slices(b.record.slices_minor)) } td.n { (c.format(b.record.price_per_slice_minor)) } td.n { (c.format(b.record.amount_minor)) " " (c.code()) }
                td { strong data-status=(b.record.status) { (b.record.status) } @if b.record.forced { " (forced)" }
                    @if let Some(seq) = b.record.entry_seq { " · entry " (entry_link(slug, seq)) } }
                td data-clawback=(b.record.clawback_until.map(|d| d.to_string()).unwrap_or_default()) {
                    @match b.record.clawback_until { Some(until) => { (until) }, None => { @if b.record.forced { "none (a bad leaver)" } @else { "from acceptance" } }, } }
                td { (buyout_actions(actor, &standing, slug, b, "departures")) }
            } } }
        } } }
        @if standing.is_steward() && !departed.is_empty() {
            h3 { "Offer to buy a departed member's slices" }
            @let error = failed(DepartPart::Buyout);
            form.stack method="post" action=(format!("/v/{slug}/buyouts")) {
                (csrf_field(actor))
                input type="hidden" name="key" value=(if offer.key.is_empty() { random_key() } else { offer.key.clone() });
                (form_error(error))
                (member_select("Whose slices", "member", &departed, &offer.member, None))
                (field_error(error, "member"))
                (member_select("Who buys them", "buyer", &buyers, &offer.buyer, Some("The venture: the slices leave the pie")))
                (field_error(error, "buyer"))
                (text_input("Price of one slice (optional)", "price_per_slice", &offer.price_per_slice, "text", error, "price per slice",
                    &format!("empty for the policy's price, {} {}", c.format(policy.as_ref().map_or(c.minor_per_major(), |p| p.buyout_price_per_slice_minor)), c.code())))
                button type="submit" { "Buy out (bad leaver) or make the offer (good leaver)" }
            }
        }
        @if standing.is_steward() {
            h2 { "Record a departure" }
            @if let Some(view) = &preview {
                div.notice role="status" data-departure-preview="" {
                    h3 { "What this departure does" }
                    (outcome(slug, c, view))
                    p { "Nothing is recorded until you confirm." }
                    form method="post" action=(format!("/v/{slug}/departures")) {
                        (csrf_field(actor))
                        input type="hidden" name="action" value="confirm";
                        input type="hidden" name="member" value=(view.member);
                        input type="hidden" name="case" value=(view.case.name());
                        input type="hidden" name="justification" value=(view.justification);
                        input type="hidden" name="date" value=(view.departed_on);
                        input type="hidden" name="key" value=(form.key);
                        button type="submit" { "Confirm departure" }
                    }
                }
            }
            @let error = failed(DepartPart::Depart);
            @if leavers.is_empty() { p.muted { "There is no other member whose departure you could record." } }
            @else {
                form.stack method="post" action=(format!("/v/{slug}/departures")) {
                    (csrf_field(actor))
                    input type="hidden" name="key" value=(if form.key.is_empty() { random_key() } else { form.key.clone() });
                    (form_error(error))
                    (member_select("Who leaves", "member", &leavers, &form.member, None))
                    (field_error(error, "member"))
                    fieldset.choices aria-describedby="case-error" {
                        legend { "Why they leave" }
                        @for case in ALL_CASES {
                            div {
                                input type="radio" id=(format!("f-case-{}", case.name())) name="case" value=(case.name()) checked[form.case == case.name()];
                                label.choice for=(format!("f-case-{}", case.name())) { (first_upper(case.words())) }
                                p.hint { (case_explained(case)) }
                            }
                        }
                    }
                    (field_error(error, "case"))
                    label for="f-justification" { "What happened" }
                    span.hint { "in your own words: the members read it to check the case" }
                    textarea id="f-justification" name="justification" rows="3" aria-describedby="justification-error" { (form.justification) }
                    (field_error(error, "justification"))
                    (field_error(error, "note"))
                    (text_input("The day they leave", "date", if form.date.is_empty() { &today_text } else { &form.date }, "date", error, "date",
                        "today unless you say otherwise; not before the latest entry in the ledger"))
                    button type="submit" name="action" value="preview" { "Show what it does" }
                }
            }
        }
    };
    let status = status_with(failure.as_ref().map(|(_, e)| e));
    Ok(show_status(actor, status, "Departures", body))
}

pub(super) async fn depart(actor: Actor, Path(slug): Path<String>, Form(form): Form<DepartForm>) -> PageResult {
    let account = posted(&actor, &form.csrf)?.clone();
    let confirm = form.action == "confirm";
    let run_slug = slug.clone();
    let sent = form.clone();
    let outcome = actor
        .run(move |acting, now| {
            let request = DepartRequest {
                venture: run_slug,
                member: sent.member.trim().to_string(),
                case: sent.case,
                justification: sent.justification,
                departed_on: optional_date("date", &sent.date)?,
                by: None,
                idempotency_key: key_of(&account, &sent.key),
            };
            if confirm { acting.depart(&request, now) } else { acting.preview_departure(&request, now) }
        })
        .await;
    match outcome {
        Ok(view) if confirm => Ok(see_other(&format!("/v/{slug}/departures#departure-{}", view.number.unwrap_or(0)))),
        Ok(view) => render_departures(&actor, slug, form, BuyoutForm::default(), Some(view), None).await,
        Err(error) if in_form(&error) => render_departures(&actor, slug, form, BuyoutForm::default(), None, Some((DepartPart::Depart, error))).await,
        Err(error) => Err(fail(&actor)(error)),
    }
}

pub(super) async fn offer_buyout(actor: Actor, Path(slug): Path<String>, Form(form): Form<BuyoutForm>) -> PageResult {
    let account = posted(&actor, &form.csrf)?.clone();
    let run_slug = slug.clone();
    let sent = form.clone();
    let outcome = actor
        .run(move |acting, now| {
            let request = BuyoutRequest {
                price_per_slice: read_amount(acting.numbers_for(Some(&run_slug))?, "price per slice", &sent.price_per_slice)?,
                venture: run_slug,
                member: sent.member.trim().to_string(),
                buyer: Some(sent.buyer.trim().to_string()).filter(|b| !b.is_empty()),
                by: None,
                idempotency_key: key_of(&account, &sent.key),
            };
            acting.offer_buyout(&request, now)
        })
        .await;
    settle(
        &actor,
        outcome,
        in_form,
        |_| format!("/v/{slug}/departures#buyouts"),
        |error| render_departures(&actor, slug.clone(), DepartForm::default(), form, None, Some((DepartPart::Buyout, error))),
    )
    .await
}

pub(super) async fn answer_buyout(actor: Actor, Path((slug, number)): Path<(String, u32)>, Form(form): Form<AnswerForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let run_slug = slug.clone();
    let answer = form.answer.clone();
    let outcome = actor.run(move |acting, now| acting.answer_buyout(&run_slug, number, &answer, now)).await;
    let to_statement = form.from == "statement";
    match outcome {
        Ok(_) if to_statement => Ok(see_other(&format!("/v/{slug}/statement"))),
        Ok(_) => Ok(see_other(&format!("/v/{slug}/departures#buyouts"))),
        Err(error) if in_form(&error) && to_statement => render_statement(&actor, slug, None, Some(error)).await,
        Err(error) if in_form(&error) => {
            render_departures(&actor, slug, DepartForm::default(), BuyoutForm::default(), None, Some((DepartPart::Answer, error))).await
        }
        Err(error) => Err(fail(&actor)(error)),
    }
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v/{slug}/departures", get(departures_page).post(depart))
        .route("/v/{slug}/buyouts", post(offer_buyout))
        .route("/v/{slug}/buyouts/{number}", post(answer_buyout))
}

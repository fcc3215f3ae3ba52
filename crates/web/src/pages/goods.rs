//! Lent goods: a venture's bookings and logged use, and the commons' registry where owners
//! register, lend, withdraw and give their goods.

use axum::extract::Path;
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::html;
use peerstake_app::error::AppError;
use peerstake_app::forms::read_amount;
use peerstake_app::goods::{BookGood, GiveGood, LogUsage, RegisterGood};
use serde::Deserialize;

use super::kit::*;
use crate::AppState;
use crate::common::units;
use crate::extract::Actor;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DecisionForm {
    csrf: String,
    decision: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct BookingForm {
    csrf: String,
    good: String,
    starts_on: String,
    ends_on: String,
    planned: String,
    need: String,
    note: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct UsageForm {
    csrf: String,
    date: String,
    units: String,
    fee_paid: String,
    note: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct GoodForm {
    csrf: String,
    kind: String,
    description: String,
    currency: String,
    rate: String,
    unit: String,
    available_from: String,
    available_until: String,
    availability: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct GiftForm {
    csrf: String,
    venture: String,
    condition: String,
    value: String,
    note: String,
}

pub(super) async fn venture_goods_page(actor: Actor, Path(slug): Path<String>) -> PageResult {
    render_venture_goods(&actor, slug, None).await
}

async fn render_venture_goods(actor: &Actor, slug: String, failure: Option<AppError>) -> PageResult {
    let (standing, (bookings, usages), goods, needs) = actor
        .run(move |acting, now| Ok((acting.standing(&slug, now)?, acting.bookings(&slug, now)?, acting.goods(false)?, acting.needs(&slug, now)?)))
        .await
        .map_err(fail(actor))?;
    let failure = failure.as_ref();
    let slug = &standing.venture.record.slug;
    let currency = standing.venture.record.currency.clone();
    let bookable: Vec<_> = goods.iter().filter(|g| g.record.status == "available" && g.record.currency == currency).collect();
    let open_needs: Vec<_> = needs.iter().filter(|n| n.record.status == "open" || n.record.status == "met").collect();
    let owner_id = actor.account.as_ref().map(|a| a.id);
    let body = html! {
        h1 { "Goods lent to " (standing.venture.record.name) }
        (venture_nav(&standing))
        p { "Peers lend goods they own; the owner keeps title. Each confirmed use becomes the owner's capital-use contribution (units × rate − fee paid). " a href="/goods" { "The registry of goods" } }
        (form_error(failure))
        h2 { "Bookings" }
        @if bookings.is_empty() { p.muted { "No bookings yet." } }
        @else { div.scroll { table {
            thead { tr { th { "#" } th { "Good" } th { "Owner" } th { "Period" } th.n { "Planned" } th.n { "Value" } th { "Need" } th { "Status" } th {} } }
            tbody { @for b in &bookings { tr data-booking=(b.record.number) {
                td { (b.record.number) } td { (b.good.record.description) " (" (b.good.record.kind) ")" } td { (b.good.owner) }
                td { (b.record.starts_on.to_string()) " – " (b.record.ends_on.to_string()) } td.n { (units(b.record.planned_milli)) " " (b.good.record.unit) }
                td.n { (b.good.currency.format(b.value_minor)) }
                td { @if let Some(n) = b.record.need { a href=(format!("/v/{slug}/needs/{n}")) { "#" (n) } } }
                td { (b.record.status) }
                td {
                    @if b.record.status == "requested" && owner_id == Some(b.good.record.owner) {
                        form.inline method="post" action=(format!("/v/{slug}/bookings/{}/decide", b.record.number)) {
                            (csrf_field(actor)) button type="submit" name="decision" value="accept" { "Accept" } " " button.secondary type="submit" name="decision" value="decline" { "Decline" }
                        }
                    }
                    @if (b.record.status == "requested" || b.record.status == "accepted") && standing.is_steward() {
                        form.inline method="post" action=(format!("/v/{slug}/bookings/{}/decide", b.record.number)) { (csrf_field(actor)) button.secondary type="submit" name="decision" value="cancel" { "Cancel" } }
                    }
                }
            } } }
        } } }
        @let accepted: Vec<_> = bookings.iter().filter(|b| b.record.status == "accepted").collect();
        @if standing.member.is_some() && !accepted.is_empty() {
            h2 { "Log use" }
            @for b in &accepted {
                form.stack method="post" action=(format!("/v/{slug}/bookings/{}/usage", b.record.number)) {
                    (csrf_field(actor))
                    p { strong { "Booking #" (b.record.number) ": " (b.good.record.description) } " at " (b.good.currency.format(b.good.record.rate_minor)) " a " (b.good.record.unit) }
                    (text_input("Day", "date", "", "date", failure, "date", ""))
                    (text_input(&format!("{}s used", b.good.record.unit), "units", "", "text", failure, "units", ""))
                    (text_input("Fee paid to the owner (optional)", "fee_paid", "", "text", failure, "fee paid", ""))
                    (text_input("What for (optional)", "note", "", "text", failure, "note", ""))
                    button type="submit" { "Log use" }
                }
            }
        }
        h2 { "Use logged" }
        @if usages.is_empty() { p.muted { "None yet." } }
        @else { div.scroll { table {
            thead { tr { th { "#" } th { "Booking" } th { "Day" } th.n { "Units" } th.n { "Value" } th.n { "Fee paid" } th { "Status" } th {} } }
            tbody { @for u in &usages { tr data-usage=(u.record.number) {
                td { (u.record.number) } td { "#" (u.record.booking) } td { (u.record.occurred_on.to_string()) } td.n { (units(u.record.units_milli)) }
                td.n { (u.booking.good.currency.format(u.value_minor)) } td.n { (u.booking.good.currency.format(u.record.fee_paid_minor)) }
                td { (u.record.status) @if let Some(seq) = u.record.entry_seq { " · " a href=(format!("/v/{slug}/entries/{seq}")) { "entry #" (seq) } } }
                td { @if u.record.status == "logged" && owner_id == Some(u.booking.good.record.owner) {
                    form.inline method="post" action=(format!("/v/{slug}/usage/{}/decide", u.record.number)) {
                        (csrf_field(actor)) button type="submit" name="decision" value="confirm" { "Confirm" } " " button.secondary type="submit" name="decision" value="decline" { "Decline" }
                    }
                } }
            } } }
        } } }
        @if standing.is_steward() {
            h2 { "Book a good" }
            @if bookable.is_empty() { p.muted { "No good in " (currency) " is offered right now." } }
            @else {
                form.stack method="post" action=(format!("/v/{slug}/bookings")) {
                    (csrf_field(actor))
                    label for="f-good" { "Good" }
                    select id="f-good" name="good" { @for g in &bookable {
                        option value=(g.record.id) { "#" (g.record.id) " " (g.record.description) " — " (g.currency.format(g.record.rate_minor)) " a " (g.record.unit) ", " (g.owner) }
                    } }
                    (text_input("From", "starts_on", "", "date", failure, "from", ""))
                    (text_input("Until", "ends_on", "", "date", failure, "until", ""))
                    (text_input("Use planned (optional)", "planned", "", "text", failure, "planned", "in the good's unit; counted from the dates when empty (required for hourly goods)"))
                    label for="f-need" { "Meets a need (optional)" }
                    select id="f-need" name="need" { option value="" { "None" } @for n in &open_needs { option value=(n.record.number) { "#" (n.record.number) " " (n.record.title) } } }
                    (text_input("What for (optional)", "note", "", "text", failure, "note", ""))
                    button type="submit" { "Ask the owner" }
                }
            }
        }
    };
    Ok(show_after(actor, failure, "Lent goods", body))
}

pub(super) async fn request_booking(actor: Actor, Path(slug): Path<String>, Form(form): Form<BookingForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let run_slug = slug.clone();
    let outcome = actor
        .run(move |acting, now| {
            let good = form.good.trim().parse::<i64>().map_err(|_| peerstake_app::error::invalid("good", "choose a good"))?;
            let need = match form.need.trim() {
                "" => None,
                text => Some(text.parse::<u32>().map_err(|_| peerstake_app::error::invalid("need", "is not a need's number"))?),
            };
            let request = BookGood {
                venture: run_slug,
                good,
                starts_on: optional("from", &form.starts_on)?,
                ends_on: optional("until", &form.ends_on)?,
                planned: form.planned,
                need,
                note: form.note,
                by: None,
                idempotency_key: None,
            };
            acting.book_good(&request, now)
        })
        .await;
    settle(&actor, outcome, shown_in_form, |_| format!("/v/{slug}/goods"), |error| render_venture_goods(&actor, slug.clone(), Some(error))).await
}

pub(super) async fn decide_booking(actor: Actor, Path((slug, number)): Path<(String, u32)>, Form(form): Form<DecisionForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let run_slug = slug.clone();
    let outcome = actor
        .run(move |acting, now| match form.decision.as_str() {
            "accept" => acting.decide_booking(&run_slug, number, true, now),
            "decline" => acting.decide_booking(&run_slug, number, false, now),
            "cancel" => acting.cancel_booking(&run_slug, number, now),
            _ => Err(peerstake_app::error::invalid("decision", "use accept, decline or cancel")),
        })
        .await;
    settle(&actor, outcome, shown_in_form, |_| format!("/v/{slug}/goods"), |error| render_venture_goods(&actor, slug.clone(), Some(error))).await
}

pub(super) async fn log_usage(actor: Actor, Path((slug, number)): Path<(String, u32)>, Form(form): Form<UsageForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let run_slug = slug.clone();
    let outcome = actor
        .run(move |acting, now| {
            let numbers = acting.numbers_for(Some(&run_slug))?;
            let request = LogUsage {
                units: if form.units.trim().is_empty() { String::new() } else { numbers.canonical_quantity("units", &form.units)? },
                fee_paid: read_amount(numbers, "fee paid", &form.fee_paid)?,
                venture: run_slug,
                booking: number,
                occurred_on: optional("date", &form.date)?,
                note: form.note,
                by: None,
            };
            acting.log_usage(&request, now)
        })
        .await;
    settle(&actor, outcome, shown_in_form, |_| format!("/v/{slug}/goods"), |error| render_venture_goods(&actor, slug.clone(), Some(error))).await
}

pub(super) async fn decide_usage(actor: Actor, Path((slug, number)): Path<(String, u32)>, Form(form): Form<DecisionForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let run_slug = slug.clone();
    let outcome = actor
        .run(move |acting, now| {
            let confirm = match form.decision.as_str() {
                "confirm" => true,
                "decline" => false,
                _ => return Err(peerstake_app::error::invalid("decision", "use confirm or decline")),
            };
            acting.decide_usage(&run_slug, number, confirm, now)
        })
        .await;
    settle(&actor, outcome, shown_in_form, |_| format!("/v/{slug}/goods"), |error| render_venture_goods(&actor, slug.clone(), Some(error))).await
}

pub(super) async fn goods_page(actor: Actor) -> PageResult {
    render_goods(&actor, None).await
}

async fn render_goods(actor: &Actor, failure: Option<AppError>) -> PageResult {
    let account = actor.account.clone();
    let (goods, inbox, ventures) = actor
        .run(move |acting, now| {
            let inbox = if account.is_some() { Some(acting.owner_inbox()?) } else { None };
            let ventures = if account.is_some() { acting.ventures("", now)?.into_iter().map(|v| v.venture.record.slug).collect() } else { Vec::new() };
            Ok((acting.goods(false)?, inbox, ventures))
        })
        .await
        .map_err(fail(actor))?;
    let failure = failure.as_ref();
    let me = actor.account.as_ref().map(|a| a.id);
    let body = html! {
        h1 { "Goods peers lend" }
        p { "Laptops, servers, desks, rooms, licences: things people already own and offer to ventures at a fair rental rate. The owner keeps title; each confirmed use becomes their capital-use contribution to the venture." }
        (form_error(failure))
        @if let Some(inbox) = &inbox {
            @if !inbox.bookings.is_empty() || !inbox.usages.is_empty() {
                h2 { "Waiting for your answer" }
                ul {
                    @for b in &inbox.bookings { li data-ask=(format!("booking-{}-{}", b.venture, b.record.number)) {
                        (b.venture) " asks to book " strong { (b.good.record.description) } " from " (b.record.starts_on.to_string()) " to " (b.record.ends_on.to_string()) " "
                        form.inline method="post" action=(format!("/v/{}/bookings/{}/decide", b.venture, b.record.number)) {
                            (csrf_field(actor)) button type="submit" name="decision" value="accept" { "Accept" } " " button.secondary type="submit" name="decision" value="decline" { "Decline" }
                        }
                    } }
                    @for u in &inbox.usages { li data-ask=(format!("usage-{}-{}", u.booking.venture, u.record.number)) {
                        (u.booking.venture) " used " strong { (u.booking.good.record.description) } " " (units(u.record.units_milli)) " " (u.booking.good.record.unit) " on " (u.record.occurred_on.to_string())
                        " (worth " (u.booking.good.currency.format(u.value_minor)) ") "
                        form.inline method="post" action=(format!("/v/{}/usage/{}/decide", u.booking.venture, u.record.number)) {
                            (csrf_field(actor)) button type="submit" name="decision" value="confirm" { "Confirm" } " " button.secondary type="submit" name="decision" value="decline" { "Decline" }
                        }
                    } }
                }
            }
        }
        h2 { "The registry" }
        @if goods.is_empty() { p.muted { "Nothing registered yet." } }
        @else { div.scroll { table {
            thead { tr { th { "#" } th { "What" } th { "Owner" } th.n { "Rate" } th { "When" } th { "Status" } } }
            tbody { @for g in &goods { tr data-good=(g.record.id) {
                td { (g.record.id) } td { (g.record.description) " (" (g.record.kind) ")" } td { (g.owner) }
                td.n { (g.currency.format(g.record.rate_minor)) " " (g.record.currency) " a " (g.record.unit) }
                td { @if let Some(from) = g.record.available_from { "from " (from.to_string()) " " } @if let Some(until) = g.record.available_until { "until " (until.to_string()) " " } (g.record.availability) }
                td { (g.record.status)
                    @if me == Some(g.record.owner) && g.record.status == "available" {
                        " " form.inline method="post" action=(format!("/goods/{}/withdraw", g.record.id)) { (csrf_field(actor)) button.secondary type="submit" { "Withdraw" } }
                        details { summary { "Give it to a venture" }
                            form.stack method="post" action=(format!("/goods/{}/give", g.record.id)) {
                                (csrf_field(actor))
                                label for=(format!("f-venture-{}", g.record.id)) { "Venture" }
                                select id=(format!("f-venture-{}", g.record.id)) name="venture" { @for v in &ventures { option value=(v) { (v) } } }
                                (select("Condition", "condition", &[("new", "New (×4)"), ("used-recent", "Pre-owned, under a year (purchase price ×2)"), ("used-old", "Older (resale value ×2)")], "used-recent"))
                                (text_input("Value", "value", "", "text", failure, "value", "price, purchase price or resale value"))
                                button type="submit" { "Give" }
                            }
                        }
                    }
                }
            } } }
        } } }
        @if actor.account.is_some() {
            h2 { "Register a good" }
            form.stack method="post" action="/goods" {
                (csrf_field(actor))
                (text_input("Kind", "kind", "", "text", failure, "kind", "laptop, server, desk, room, licence…"))
                (text_input("Description", "description", "", "text", failure, "description", ""))
                (text_input("Currency", "currency", "EUR", "text", failure, "currency", "ISO code of the rate, e.g. EUR"))
                (text_input("Fair rental rate", "rate", "", "text", failure, "rate", ""))
                (select("Per", "unit", &[("hour", "hour"), ("day", "day"), ("week", "week"), ("month", "month")], "day"))
                (text_input("Available from (optional)", "available_from", "", "date", failure, "available from", ""))
                (text_input("Available until (optional)", "available_until", "", "date", failure, "available until", ""))
                (text_input("When it is free (optional)", "availability", "", "text", failure, "availability", "e.g. weekday evenings"))
                button type="submit" { "Register" }
            }
        } @else { p { a href="/login" { "Sign in" } " to register what you can lend." } }
    };
    Ok(show_after(actor, failure, "Goods", body))
}

pub(super) async fn register_good(actor: Actor, Form(form): Form<GoodForm>) -> PageResult {
    let account = posted(&actor, &form.csrf)?.clone();
    let outcome = actor
        .run(move |acting, now| {
            let request = RegisterGood {
                account: account.id,
                kind: form.kind,
                description: form.description,
                currency: form.currency,
                rate: read_amount(acting.numbers_for(None)?, "rate", &form.rate)?,
                unit: form.unit,
                available_from: optional("available from", &form.available_from)?,
                available_until: optional("available until", &form.available_until)?,
                availability: form.availability,
            };
            acting.register_good(&request, now)
        })
        .await;
    settle(&actor, outcome, shown_in_form, |_| "/goods".into(), |error| render_goods(&actor, Some(error))).await
}

pub(super) async fn withdraw_good(actor: Actor, Path(id): Path<i64>, Form(form): Form<CsrfOnly>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let outcome = actor.run(move |acting, _| acting.withdraw_good(id)).await;
    settle(&actor, outcome, shown_in_form, |_| "/goods".into(), |error| render_goods(&actor, Some(error))).await
}

pub(super) async fn give_good(actor: Actor, Path(id): Path<i64>, Form(form): Form<GiftForm>) -> PageResult {
    let account = posted(&actor, &form.csrf)?.clone();
    let outcome = actor
        .run(move |acting, now| {
            let venture = form.venture.clone();
            let value = read_amount(acting.numbers_for(Some(&venture))?, "value", &form.value)?;
            let request = GiveGood { account: account.id, good: id, venture: form.venture, condition: form.condition, value, note: form.note };
            acting.give_good(&request, now).map(|stored| (venture, stored.entry.seq))
        })
        .await;
    match outcome {
        Ok((venture, seq)) => Ok(see_other(&format!("/v/{venture}/entries/{seq}"))),
        Err(error) if shown_in_form(&error) => render_goods(&actor, Some(error)).await,
        Err(error) => Err(fail(&actor)(error)),
    }
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v/{slug}/goods", get(venture_goods_page))
        .route("/v/{slug}/bookings", post(request_booking))
        .route("/v/{slug}/bookings/{number}/decide", post(decide_booking))
        .route("/v/{slug}/bookings/{number}/usage", post(log_usage))
        .route("/v/{slug}/usage/{number}/decide", post(decide_usage))
        .route("/goods", get(goods_page).post(register_good))
        .route("/goods/{id}/withdraw", post(withdraw_good))
        .route("/goods/{id}/give", post(give_good))
}

//! The commons (every venture open to peers, searchable), starting a venture, a venture's page
//! and joining it.

use axum::extract::{Path, Query};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};
use peerstake_app::error::AppError;
use peerstake_app::forms::TermsForm;
use peerstake_app::ledger::SplitQuery;
use peerstake_app::members::Joined;
use peerstake_app::policy_file::PolicyChoice;
use peerstake_app::ventures::CreateVenture;
use peerstake_core::split::format_share;
use peerstake_store::AccessRecord;
use serde::Deserialize;

use super::kit::*;
use super::widgets::*;
use crate::AppState;
use crate::error::status_of;
use crate::extract::{Actor, Caller, parse_date};
use crate::views::{chart, pie};

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SearchQuery {
    q: String,
}

pub(super) async fn commons_page(actor: Actor, Query(query): Query<SearchQuery>) -> PageResult {
    let search = query.q.clone();
    let (cards, needs) = actor
        .run(move |acting, now| {
            let cards = acting.ventures(&search, now)?;
            let mut needs = Vec::with_capacity(cards.len());
            for card in &cards {
                let open: Vec<_> = acting.needs(&card.venture.record.slug, now)?.into_iter().filter(|n| n.takes_pledges(now.today)).collect();
                needs.push(open);
            }
            Ok((cards, needs))
        })
        .await
        .map_err(fail(&actor))?;

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
                    h2.top { a href=(format!("/v/{}", card.venture.record.slug)) { (card.venture.record.name) } }
                    p { (card.venture.record.pitch) }
                    p.muted { (card.venture.member_count) " members · " (card.venture.record.head_seq) " entries · " (card.venture.record.currency) }
                    @if open.is_empty() { p.muted { "No open needs." } }
                    @for need in open {
                        p.tight { a href=(format!("/v/{}/needs/{}", card.venture.record.slug, need.record.number)) { (need.record.title) } }
                        (progress(need))
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
    Ok(show(&actor, "Commons", body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NewVentureForm {
    csrf: String,
    slug: String,
    name: String,
    pitch: String,
    currency: String,
    policy: String,
    join_mode: String,
    visibility: String,
    started_on: String,
    number_format: String,
}

pub(super) fn new_venture_page(actor: &Caller, form: &NewVentureForm, error: Option<&AppError>) -> Markup {
    html! {
        h1 { "Start a venture" }
        (form_error(error))
        form.stack method="post" action="/new" {
            (csrf_field(actor))
            (text_input("Name", "name", &form.name, "text", error, "name", ""))
            (text_input("Short name for links", "slug", &form.slug, "text", error, "slug", "lowercase letters, digits and hyphens, e.g. loomworks"))
            (text_input("Pitch", "pitch", &form.pitch, "text", error, "pitch", "one line"))
            (text_input("Currency", "currency", if form.currency.is_empty() { "EUR" } else { &form.currency }, "text", error, "currency", "ISO 4217 code, e.g. EUR"))
            (text_input("Started on", "started_on", &form.started_on, "date", error, "started on", "the day its first contributions count from; today when empty"))
            (select("How numbers are written", "number_format", &number_format_choices(false), if form.number_format.is_empty() { "1,234.56" } else { &form.number_format }))
            (select("Formula", "policy", &[("slicing-pie", "Slicing Pie (the default)"), ("hours-only", "Hours only")], &form.policy))
            (select("Who may join", "join_mode", &[("open", "Anyone"), ("request", "Anyone may ask; stewards accept"), ("invite", "Only people stewards invite")], &form.join_mode))
            (select("Who may read the ledger", "visibility", &[("public", "Anyone"), ("members", "Members only")], &form.visibility))
            button type="submit" { "Start the venture" }
        }
    }
}

pub(super) async fn new_venture_form(actor: Actor) -> PageResult {
    actor.account().map_err(fail(&actor))?;
    Ok(show(&actor, "Start a venture", new_venture_page(&actor, &NewVentureForm::default(), None)))
}

pub(super) async fn new_venture(actor: Actor, Form(form): Form<NewVentureForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let started_on = match form.started_on.trim() {
        "" => None,
        text => match parse_date("started on", text) {
            Ok(date) => Some(date),
            Err(error) => return Ok(show_status(&actor, status_of(&error), "Start a venture", new_venture_page(&actor, &form, Some(&error)))),
        },
    };
    let request = CreateVenture {
        slug: form.slug.trim().to_string(),
        name: form.name.clone(),
        pitch: form.pitch.clone(),
        currency: form.currency.trim().to_uppercase(),
        policy: PolicyChoice::Preset(if form.policy.is_empty() { "slicing-pie".into() } else { form.policy.clone() }),
        started_on,
        number_format: form.number_format.clone(),
        idempotency_key: None,
    };
    let access = AccessRecord {
        join_mode: if form.join_mode.is_empty() { "open".into() } else { form.join_mode.clone() },
        visibility: if form.visibility.is_empty() { "public".into() } else { form.visibility.clone() },
    };
    match actor.run(move |acting, now| acting.create_venture(&request, &access, now)).await {
        Ok(standing) => Ok(see_other(&format!("/v/{}", standing.venture.record.slug))),
        Err(error) => Ok(show_status(&actor, status_of(&error), "Start a venture", new_venture_page(&actor, &form, Some(&error)))),
    }
}

pub(super) async fn venture_page(actor: Actor, Path(slug): Path<String>) -> PageResult {
    render_venture(&actor, slug, None).await
}

pub(super) async fn render_venture(actor: &Actor, slug: String, failure: Option<AppError>) -> PageResult {
    let failure = failure.as_ref();
    let (standing, split, history, recent, mine, unread, (needs, today)) = actor
        .run(move |acting, now| {
            let standing = acting.standing(&slug, now)?;
            let split = acting.split(&slug, &SplitQuery::default(), now)?;
            let history = acting.split_history(&slug, 24, now)?;
            let head = standing.venture.record.head_seq;
            let recent =
                acting.ledger(&slug, &peerstake_app::ledger::LedgerQuery { after: Some(head.saturating_sub(10)), limit: 10, ..Default::default() }, now)?;
            let mine = match standing.handle() {
                Some(handle) => Some(acting.trace(&slug, handle, now)?),
                None => None,
            };
            let unread = acting.unread(&slug, now)?;
            let needs = acting.needs(&slug, now)?;
            Ok((standing, split, history, recent, mine, unread, (needs, now.today)))
        })
        .await
        .map_err(fail(actor))?;
    let venture = &standing.venture.record;
    let currency = split.currency;
    let shares: Vec<(String, i64)> = split.lines.iter().map(|l| (l.member.display_name.clone(), l.figures.share_units)).collect();
    let labels: Vec<String> = history.points.iter().map(|(month, _)| format!("{}-{:02}", month.year(), u8::from(month.month()))).collect();
    let series: Vec<(String, Vec<i64>)> = history
        .members
        .iter()
        .map(|m| {
            (m.display_name.clone(), history.points.iter().map(|(_, values)| values.iter().find(|(no, _)| *no == m.member_no).map_or(0, |(_, s)| *s)).collect())
        })
        .collect();
    let name_of = |no: peerstake_core::terms::MemberNo| {
        recent.members.iter().find(|m| m.member_no == no).map_or_else(|| format!("#{}", no.0), |m| m.display_name.clone())
    };
    let body = html! {
        h1 { (venture.name) }
        p { (venture.pitch) }
        (venture_nav(&standing))
        @if let Some(unread) = unread.filter(|n| *n > 0) {
            p.notice role="status" { a href=(format!("/v/{}/activity", venture.slug)) data-unread=(venture.slug) { (unread_text(unread)) " new" } " in the activity since your last visit." }
        }
        @if standing.member.is_none() {
            @if standing.account.is_none() {
                p.notice { a href=(format!("/login?next=/v/{}", venture.slug)) { "Sign in" } " to join this venture." }
            } @else if standing.request_pending {
                p.notice role="status" { "Your request to join waits for the stewards." }
            } @else if standing.access.join_mode != "invite" {
                form.stack method="post" action=(format!("/v/{}/join", venture.slug)) {
                    (csrf_field(actor))
                    (form_error(failure))
                    @if standing.access.join_mode == "request" {
                        label for="f-message" { "A word to the stewards" }
                        textarea id="f-message" name="message" rows="2" {}
                    }
                    label for="f-hourly_rate" { "Your market hourly rate (" (venture.currency) ")" }
                    span.hint { "used to value your time; you can set it later" }
                    input id="f-hourly_rate" name="hourly_rate" type="text" inputmode="decimal";
                    (field_error(failure, "hourly rate"))
                    button type="submit" { @if standing.access.join_mode == "open" { "Join" } @else { "Ask to join" } }
                }
            } @else {
                p.muted { "This venture takes members by invitation of its stewards." }
            }
        }
        @let open: Vec<_> = needs.iter().filter(|n| n.takes_pledges(today)).collect();
        @if !open.is_empty() {
            h2 { "Needs" }
            ul.cards { @for need in &open {
                li { h3.top { a href=(format!("/v/{}/needs/{}", venture.slug, need.record.number)) { (need.record.title) } } (progress(need)) }
            } }
        }
        h2 { "The split" }
        div.split {
            (pie(&shares))
            div.scroll.grow { table {
                caption.skip { "Each member's slices and share" }
                thead { tr { th { "Member" } th.n { "Slices" } th.n { "Share" } } }
                tbody {
                    @for (index, line) in split.lines.iter().enumerate() { tr {
                        td { span class=(format!("key k{}", index % 8)) {} a href=(format!("/v/{}/members/{}", venture.slug, line.member.handle)) { (line.member.display_name) } }
                        td.n { (currency.format_slices(line.figures.slices_minor)) }
                        td.n data-share=(line.member.handle) { (format_share(line.figures.share_units)) "%" }
                    } }
                    tr { th { "All" } th.n { (currency.format_slices(split.total_slices_minor)) } th.n { "100.00%" } }
                }
            } }
        }
        p { a href=(format!("/v/{}/split.csv", venture.slug)) { "Split as CSV" } " · " a href=(format!("/v/{}/export.json", venture.slug)) { "Whole venture as JSON" } }
        @if labels.len() > 1 {
            h2 { "The split over time" }
            div.scroll { (chart(&labels, &series)) }
        }
        @if let Some(mine) = &mine {
            h2 { "My slices and how I earned them" }
            p { "You hold " strong { (currency.format_slices(mine.slices_minor)) } " slices." }
            ul { @for kind in &mine.kinds { li { (kind.kind.name()) ": " (currency.format_slices(kind.slices_minor)) " slices from " (kind.entries.len()) " entries" } } }
            p { a href=(format!("/v/{}/members/{}", venture.slug, standing.handle().unwrap_or(""))) { "Every entry behind them" } }
        }
        h2 { "Recent activity" }
        @if recent.entries.is_empty() { p { "Nothing logged yet." } }
        ul { @for stored in recent.entries.iter().rev() { li {
            (stored.entry.dates()) " · #" (stored.entry.seq) " " (stored.entry.tag)
            @if let Some(member) = stored.entry.member { " for " (name_of(member)) }
            ": " (currency.format_slices(stored.entry.slices_minor)) " slices"
        } } }
    };
    Ok(show_after(actor, failure, &venture.name, body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct JoinForm {
    csrf: String,
    message: String,
    hourly_rate: String,
}

pub(super) async fn join(actor: Actor, Path(slug): Path<String>, Form(form): Form<JoinForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let target = format!("/v/{slug}");
    let terms = TermsForm { hourly_rate: form.hourly_rate.clone(), ..TermsForm::default() };
    let slug_for_run = slug.clone();
    let joined = actor.run(move |acting, now| {
        let terms = terms.read_in(acting.numbers_for(Some(&slug_for_run))?)?;
        acting.join(&slug_for_run, &form.message, &terms, now)
    });
    match joined.await {
        Ok(Joined::Member(_) | Joined::Requested) => Ok(see_other(&target)),
        Err(error) if shown_in_form(&error) => render_venture(&actor, slug, Some(error)).await,
        Err(error) => Err(fail(&actor)(error)),
    }
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(commons_page))
        .route("/new", get(new_venture_form).post(new_venture))
        .route("/v/{slug}", get(venture_page))
        .route("/v/{slug}/join", post(join))
}

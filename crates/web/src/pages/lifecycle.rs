//! A venture's later life: departures (the outcome shown before it is recorded) and buyouts with
//! their claw-back window; changes of steward (handover and adoption); freezing the split into a
//! cap table; income and its distribution to the holders; each member's statement; and the
//! printable report with its CSV and JSON exports.
//!
//! Every form here follows the house pattern: it carries the anti-forgery token, and a bad
//! submission shows the page again with the error next to its form and changes nothing. Forms
//! that decide something for others (a departure, a distribution) show their outcome first and
//! record it only from a second, explicit button that resends exactly what was shown.

use peerstake_app::departures::{BuyoutRequest, DepartRequest, DepartureView};

use peerstake_app::book::BuyoutView;

use peerstake_app::stewards::StewardshipView;
use peerstake_app::freezes::{FREEZE_REASONS, FreezeRequest, FreezeView, TOTAL_SHARES_DEFAULT};
use peerstake_app::payouts::{DistributeRequest, DistributionView, INCOME_KINDS, IncomeRequest, Statement, day_of};
use peerstake_app::reports::EXPORTS;
use peerstake_app::membership::MemberView;
use peerstake_app::book::PolicyVersionView;
use peerstake_core::lifecycle::{ALL_CASES, LeaveCase, RecoveryLine};
use peerstake_core::policy::Policy;
use time::Date;

use super::*;
use peerstake_app::forms::read_amount;

// ---- shared bits

/// A person's name as shown: their display name, or their handle when they gave none.
fn who<'a>(display_name: &'a str, handle: &'a str) -> &'a str {
    if display_name.trim().is_empty() { handle } else { display_name }
}

/// A link to a member's page (their trace: every entry behind their slices).
fn member_link(slug: &str, handle: &str, display_name: &str) -> Markup {
    html! { a href=(format!("/v/{slug}/members/{handle}")) { (who(display_name, handle)) } }
}

/// A link to a ledger entry.
fn entry_link(slug: &str, seq: u64) -> Markup {
    html! { a href=(format!("/v/{slug}/entries/{seq}")) { "#" (seq) } }
}

fn optional_date(field: &'static str, text: &str) -> Result<Option<Date>, AppError> {
    match text.trim() {
        "" => Ok(None),
        text => parse_date(field, text).map(Some),
    }
}

/// A form's key made one person's, so a double submission is harmless and nobody else's key
/// can collide with it.
fn key_of(account: &Account, key: &str) -> Option<String> {
    let key = key.trim();
    (!key.is_empty()).then(|| format!("web:{}:{key}", account.id.0))
}

/// Whether a failed form is shown again with its error: bad input, and a member named in the
/// form who does not exist (the forms offer only real ones, so that is a stale or edited form).
fn in_form(error: &AppError) -> bool {
    shown_in_form(error) || matches!(error, AppError::NotFound { what: "member", .. })
}

fn currency_of(standing: &Standing) -> Result<Currency, AppError> {
    Ok(standing.venture.record.money()?)
}

/// The policy in force on a day.
fn policy_on(versions: &[PolicyVersionView], today: Date) -> Option<Policy> {
    versions.iter().rev().find(|v| v.record.effective_from <= today).or_else(|| versions.first()).map(|v| v.policy.clone())
}

/// Members who have not left.
fn present(members: &[MemberView]) -> impl Iterator<Item = &MemberView> {
    members.iter().filter(|m| m.record.departed_on.is_none())
}

fn is_present(standing: &Standing) -> bool {
    standing.member.as_ref().is_some_and(|m| m.departed_on.is_none())
}

/// The status of a page shown with a form's error: that of the error, except that a member the
/// form names and who does not exist is bad input like any other.
fn status_with(failure: Option<&AppError>) -> StatusCode {
    match failure {
        None => StatusCode::OK,
        Some(AppError::NotFound { what: "member", .. }) => StatusCode::UNPROCESSABLE_ENTITY,
        Some(error) => status_of(error),
    }
}

/// A member's choice of another member, by handle.
fn member_select(label: &str, name: &str, choices: &[(String, String)], chosen: &str, first: Option<&str>) -> Markup {
    let id = format!("f-{name}");
    html! {
        label for=(id) { (label) }
        select id=(id) name=(name) {
            @if let Some(first) = first { option value="" { (first) } }
            @for (handle, shown) in choices { option value=(handle) selected[handle == chosen] { (shown) " (" (handle) ")" } }
        }
    }
}

fn choices<'a>(members: impl Iterator<Item = &'a MemberView>) -> Vec<(String, String)> {
    members.map(|m| (m.record.handle.clone(), who(&m.record.display_name, &m.record.handle).to_string())).collect()
}

/// What a split's or a cap table's weight is, in words.
fn weight_words(currency: Currency, basis: &str, weight: i64) -> String {
    if basis == "cap-table" { format!("{weight} shares") } else { format!("{} slices", currency.format_slices(weight)) }
}

fn basis_words(basis: &str) -> &'static str {
    if basis == "cap-table" { "the frozen cap table" } else { "the split" }
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
fn outcome(slug: &str, c: Currency, view: &DepartureView) -> Markup {
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
pub(super) struct DepartForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    member: String,
    #[serde(default)]
    case: String,
    #[serde(default)]
    justification: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    key: String,
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct BuyoutForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    member: String,
    #[serde(default)]
    buyer: String,
    #[serde(default)]
    price_per_slice: String,
    #[serde(default)]
    key: String,
}

#[derive(Deserialize)]
pub(super) struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    from: String,
}

/// Which form on the departures page failed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DepartPart {
    Depart,
    Buyout,
    Answer,
}

pub(super) async fn departures_page(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> PageResult {
    render_departures(&state, &caller, slug, DepartForm::default(), BuyoutForm::default(), None, None).await
}

async fn render_departures(
    state: &AppState,
    caller: &Caller,
    slug: String,
    form: DepartForm,
    offer: BuyoutForm,
    preview: Option<DepartureView>,
    failure: Option<(DepartPart, AppError)>,
) -> PageResult {
    let account = caller.account.clone();
    let (standing, departures, buyouts, members, policy, today) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            let standing = acting.standing(&slug, now)?;
            let (_, versions) = acting.policy_history(&slug, now)?;
            Ok((standing, acting.departures(&slug, now)?, acting.buyouts(&slug, now)?, acting.members(&slug, now)?, policy_on(&versions, now.today), now.today))
        })
        .await
        .map_err(fail(caller))?;
    let c = currency_of(&standing).map_err(fail(caller))?;
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
                td { (buyout_actions(caller, &standing, slug, b, "departures")) }
            } } }
        } } }
        @if standing.is_steward() && !departed.is_empty() {
            h3 { "Offer to buy a departed member's slices" }
            @let error = failed(DepartPart::Buyout);
            form.stack method="post" action=(format!("/v/{slug}/buyouts")) {
                (csrf_field(caller))
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
                        (csrf_field(caller))
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
                    (csrf_field(caller))
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
    Ok(show_status(caller, status, "Departures", body))
}

fn first_upper(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The buttons on an open offer: accept or decline for the member whose slices it is, withdraw
/// for a steward.
fn buyout_actions(caller: &Caller, standing: &Standing, slug: &str, b: &BuyoutView, from: &str) -> Markup {
    let own = standing.handle() == Some(b.member.as_str());
    html! {
        @if b.record.status == "offered" {
            @if own {
                form.inline method="post" action=(format!("/v/{slug}/buyouts/{}", b.record.number)) {
                    (csrf_field(caller)) input type="hidden" name="from" value=(from);
                    button type="submit" name="answer" value="accept" { "Accept" } " "
                    button.secondary type="submit" name="answer" value="decline" { "Decline" }
                }
            }
            @if standing.is_steward() {
                form.inline method="post" action=(format!("/v/{slug}/buyouts/{}", b.record.number)) {
                    (csrf_field(caller)) input type="hidden" name="from" value=(from);
                    button.secondary type="submit" name="answer" value="withdraw" { "Withdraw the offer" }
                }
            }
        }
    }
}

pub(super) async fn depart(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Form(form): Form<DepartForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let confirm = form.action == "confirm";
    let run_slug = slug.clone();
    let sent = form.clone();
    let outcome = state
        .run(move |commons, now| {
            let request = DepartRequest {
                venture: run_slug,
                member: sent.member.trim().to_string(),
                case: sent.case,
                justification: sent.justification,
                departed_on: optional_date("date", &sent.date)?,
                by: None,
                idempotency_key: key_of(&account, &sent.key),
            };
            let acting = commons.acting(Some(&account));
            if confirm { acting.depart(&request, now) } else { acting.preview_departure(&request, now) }
        })
        .await;
    match outcome {
        Ok(view) if confirm => Ok(see_other(&format!("/v/{slug}/departures#departure-{}", view.number.unwrap_or(0)))),
        Ok(view) => render_departures(&state, &caller, slug, form, BuyoutForm::default(), Some(view), None).await,
        Err(error) if in_form(&error) => render_departures(&state, &caller, slug, form, BuyoutForm::default(), None, Some((DepartPart::Depart, error))).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

pub(super) async fn offer_buyout(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Form(form): Form<BuyoutForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let sent = form.clone();
    let outcome = state
        .run(move |commons, now| {
            let request = BuyoutRequest {
                price_per_slice: read_amount(commons.numbers_for(&account, Some(&run_slug))?, "price per slice", &sent.price_per_slice)?,
                venture: run_slug,
                member: sent.member.trim().to_string(),
                buyer: Some(sent.buyer.trim().to_string()).filter(|b| !b.is_empty()),
                by: None,
                idempotency_key: key_of(&account, &sent.key),
            };
            commons.acting(Some(&account)).offer_buyout(&request, now)
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/v/{slug}/departures#buyouts"))),
        Err(error) if in_form(&error) => render_departures(&state, &caller, slug, DepartForm::default(), form, None, Some((DepartPart::Buyout, error))).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

pub(super) async fn answer_buyout(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Form(form): Form<AnswerForm>,
) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let answer = form.answer.clone();
    let outcome = state.run(move |commons, now| commons.acting(Some(&account)).answer_buyout(&run_slug, number, &answer, now)).await;
    let to_statement = form.from == "statement";
    match outcome {
        Ok(_) if to_statement => Ok(see_other(&format!("/v/{slug}/statement"))),
        Ok(_) => Ok(see_other(&format!("/v/{slug}/departures#buyouts"))),
        Err(error) if in_form(&error) && to_statement => render_statement(&state, &caller, slug, None, Some(error)).await,
        Err(error) if in_form(&error) => {
            render_departures(&state, &caller, slug, DepartForm::default(), BuyoutForm::default(), None, Some((DepartPart::Answer, error))).await
        }
        Err(error) => Err(fail(&caller)(error)),
    }
}

// ---- stewards: handover and adoption

#[derive(Deserialize)]
pub(super) struct HandoverForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
pub(super) struct MessageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
pub(super) struct NoteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
}

fn stewardship_status(s: &StewardshipView) -> String {
    let r = &s.record;
    match (r.kind.as_str(), r.status.as_str()) {
        ("adoption", "proposed") => {
            format!("waiting: unless a member objects by {}, the role passes", r.notice_until.map(|d| d.to_string()).unwrap_or_default())
        }
        ("handover", "proposed") => format!("waiting for {} to answer", s.to),
        (_, "passed") => "passed: no member objected".to_string(),
        (_, status) => status.to_string(),
    }
}

pub(super) async fn stewards_page(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> PageResult {
    render_stewards(&state, &caller, slug, None).await
}

async fn render_stewards(state: &AppState, caller: &Caller, slug: String, failure: Option<AppError>) -> PageResult {
    let account = caller.account.clone();
    let (standing, changes, adoptable, members, today) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            // The changes first: reading them passes any adoption whose notice ran out.
            let changes = acting.stewardships(&slug, now)?;
            Ok((acting.standing(&slug, now)?, changes, acting.adoptable(&slug, now)?, acting.members(&slug, now)?, now.today))
        })
        .await
        .map_err(fail(caller))?;
    let failure = failure.as_ref();
    let slug = &standing.venture.record.slug;
    let me = standing.handle();
    let stewards: Vec<&MemberView> = present(&members).filter(|m| m.record.role == "steward").collect();
    let candidates = choices(present(&members).filter(|m| m.record.role != "steward"));
    let adoption_open = changes.iter().any(|s| s.record.kind == "adoption" && s.record.status == "proposed");
    let body = html! {
        h1 { "Stewards of " (standing.venture.record.name) }
        (venture_nav(&standing))
        p { "Stewards run the venture and set its policy. A steward may hand the role to another member, who takes it when they accept. When no steward is left, or none has been active for a long time, anyone may ask to adopt the venture: the members are told, and unless one of them objects within the notice period, the role passes." }
        (form_error(failure))
        h2 { "Stewards now" }
        @if stewards.is_empty() { p { strong { "No steward is left." } } }
        @else { ul { @for m in &stewards { li data-steward=(m.record.handle) { (member_link(slug, &m.record.handle, &m.record.display_name)) } } } }
        p.notice data-adoptable=(if adoptable.open { "open" } else { "closed" }) {
            @if adoptable.open { "This venture may be adopted: " (adoptable.reason) "." } @else { "This venture is not open to adoption: " (adoptable.reason) "." }
        }
        h2 { "Changes of steward" }
        @if changes.is_empty() { p.muted { "None yet." } }
        @else { div.scroll { table {
            thead { tr { th { "#" } th { "What" } th { "From" } th { "To" } th { "Message" } th { "Status" } th {} } }
            tbody { @for s in &changes { tr data-stewardship=(s.record.number) {
                td { (s.record.number) }
                td { (if s.record.kind == "adoption" { "adoption" } else { "handover" }) }
                td { (s.from.as_deref().unwrap_or("—")) }
                td { (s.to) }
                td { (s.record.message) }
                td { strong data-status=(s.record.status) { (stewardship_status(s)) }
                    @if !s.record.decision_note.is_empty() { br; span.muted { "“" (s.record.decision_note) "”" } } }
                td {
                    @if s.record.kind == "handover" && s.record.status == "proposed" && is_present(&standing) {
                        @if me == Some(s.to.as_str()) {
                            form.stack method="post" action=(format!("/v/{slug}/stewards/{}/answer", s.record.number)) {
                                (csrf_field(caller))
                                label for=(format!("f-note-{}", s.record.number)) { "A word back (optional)" }
                                input id=(format!("f-note-{}", s.record.number)) type="text" name="note";
                                button type="submit" name="answer" value="accept" { "Accept: become a steward" } " "
                                button.secondary type="submit" name="answer" value="decline" { "Decline" }
                            }
                        }
                        @if me.is_some() && me == s.from.as_deref() {
                            form.inline method="post" action=(format!("/v/{slug}/stewards/{}/answer", s.record.number)) {
                                (csrf_field(caller)) button.secondary type="submit" name="answer" value="withdraw" { "Withdraw" }
                            }
                        }
                    }
                    @if s.record.kind == "adoption" && s.record.status == "proposed" && is_present(&standing)
                        && s.record.notice_until.is_none_or(|d| d >= today) && me.is_some() && me != Some(s.to.as_str()) {
                        form.stack method="post" action=(format!("/v/{slug}/stewards/{}/object", s.record.number)) {
                            (csrf_field(caller))
                            label for=(format!("f-object-{}", s.record.number)) { "Why you object" }
                            input id=(format!("f-object-{}", s.record.number)) type="text" name="note";
                            button.secondary type="submit" { "Object" }
                        }
                    }
                }
            } } }
        } } }
        @if standing.is_steward() {
            h2 { "Hand the role over" }
            @if candidates.is_empty() { p.muted { "Every member who has not left is already a steward." } }
            @else {
                form.stack method="post" action=(format!("/v/{slug}/stewards/handover")) {
                    (csrf_field(caller))
                    (member_select("To", "to", &candidates, "", None))
                    (field_error(failure, "to"))
                    label for="f-message" { "A word to them (optional)" }
                    textarea id="f-message" name="message" rows="2" {}
                    button type="submit" { "Ask them to take over" }
                }
            }
        }
        @if adoptable.open && !adoption_open && !standing.departed() {
            h2 { "Ask to adopt this venture" }
            @if standing.account.is_some() {
                form.stack method="post" action=(format!("/v/{slug}/stewards/adopt")) {
                    (csrf_field(caller))
                    label for="f-adopt" { "Who you are and what you would do with the venture" }
                    textarea id="f-adopt" name="message" rows="3" aria-describedby="message-error" {}
                    (field_error(failure, "message"))
                    button type="submit" { "Ask to adopt" }
                }
            } @else { p { a href="/login" { "Sign in" } " to ask to adopt this venture." } }
        }
    };
    Ok(show_status(caller, status_with(failure), "Stewards", body))
}

/// Runs one stewards form: back to the page, or the page again with the error.
async fn after_stewards_form(state: &AppState, caller: &Caller, slug: String, outcome: Result<StewardshipView, AppError>) -> PageResult {
    match outcome {
        Ok(_) => Ok(see_other(&format!("/v/{slug}/stewards"))),
        Err(error) if in_form(&error) => render_stewards(state, caller, slug, Some(error)).await,
        Err(error) => Err(fail(caller)(error)),
    }
}

pub(super) async fn propose_handover(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Form(form): Form<HandoverForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let outcome = state.run(move |commons, now| commons.acting(Some(&account)).propose_handover(&run_slug, &form.to, &form.message, now)).await;
    after_stewards_form(&state, &caller, slug, outcome).await
}

pub(super) async fn answer_handover(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Form(form): Form<AnswerForm>,
) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let outcome = state.run(move |commons, now| commons.acting(Some(&account)).answer_handover(&run_slug, number, &form.answer, &form.note, now)).await;
    after_stewards_form(&state, &caller, slug, outcome).await
}

pub(super) async fn ask_to_adopt(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Form(form): Form<MessageForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let outcome = state.run(move |commons, now| commons.acting(Some(&account)).ask_to_adopt(&run_slug, &form.message, now)).await;
    after_stewards_form(&state, &caller, slug, outcome).await
}

pub(super) async fn object_to_adoption(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Form(form): Form<NoteForm>,
) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let outcome = state.run(move |commons, now| commons.acting(Some(&account)).object_to_adoption(&run_slug, number, &form.note, now)).await;
    after_stewards_form(&state, &caller, slug, outcome).await
}

// ---- freezes and the cap table

/// What the freeze form sent: its fields, and shares issued at the start per member
/// (`issued-<handle>`).
#[derive(Default, Clone)]
struct FreezeValues {
    csrf: String,
    reason: String,
    note: String,
    total_shares: String,
    issued: Vec<(String, String)>,
}

impl FreezeValues {
    fn from_pairs(pairs: Vec<(String, String)>) -> FreezeValues {
        let mut values = FreezeValues::default();
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => values.csrf = value,
                "reason" => values.reason = value,
                "note" => values.note = value,
                "total_shares" => values.total_shares = value,
                _ => {
                    if let Some(handle) = name.strip_prefix("issued-")
                        && !value.trim().is_empty()
                    {
                        values.issued.push((handle.to_string(), value));
                    }
                }
            }
        }
        values
    }

    fn issued_for(&self, handle: &str) -> &str {
        self.issued.iter().find(|(h, _)| h == handle).map_or("", |(_, v)| v.as_str())
    }
}

fn reason_words(reason: &str) -> &'static str {
    match reason {
        "break-even" => "the venture breaks even",
        "funding-round" => "a large funding round",
        _ => "another reason",
    }
}

pub(super) async fn freezes_page(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> PageResult {
    render_freezes(&state, &caller, slug, FreezeValues::default(), None).await
}

async fn render_freezes(state: &AppState, caller: &Caller, slug: String, values: FreezeValues, failure: Option<AppError>) -> PageResult {
    let account = caller.account.clone();
    let (standing, freezes, members) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            Ok((acting.standing(&slug, now)?, acting.freezes(&slug, now)?, acting.members(&slug, now)?))
        })
        .await
        .map_err(fail(caller))?;
    let failure = failure.as_ref();
    let slug = &standing.venture.record.slug;
    let current = freezes.iter().find(|f| f.record.status == "frozen");
    let open = freezes.iter().any(|f| f.record.status == "proposed" || f.record.status == "frozen");
    let body = html! {
        h1 { "Freezing the split of " (standing.venture.record.name) }
        (venture_nav(&standing))
        p { "While the venture grows, its split moves with every contribution. When it breaks even or raises a large funding round, the stewards may freeze it: the split becomes a cap table of whole shares, and the ledger's head (its latest entry and that entry's hash) is recorded, so anyone can check what the cap table was built from. A freeze is decided by the same rule as a change of formula." }
        @if let Some(frozen) = current {
            p.notice data-frozen=(frozen.record.number) { "The split is frozen since " (frozen.record.frozen_on.map(|d| d.to_string()).unwrap_or_default()) ": "
                a href=(format!("/v/{slug}/freezes/{}", frozen.record.number)) { "see the cap table (freeze #" (frozen.record.number) ")" } "." }
        } @else { p { "The split is not frozen." } }
        (form_error(failure))
        h2 { "Freezes" }
        @if freezes.is_empty() { p.muted { "None yet." } }
        @else { div.scroll { table {
            thead { tr { th { "#" } th { "Why" } th { "Status" } th { "Proposed by" } th { "Frozen on" } th { "Ledger head" } } }
            tbody { @for f in &freezes { tr data-freeze=(f.record.number) {
                td { a href=(format!("/v/{slug}/freezes/{}", f.record.number)) { "#" (f.record.number) } }
                td { (reason_words(&f.record.reason)) }
                td { strong data-status=(f.record.status) { (f.record.status) } }
                td { (f.proposed_by) }
                td { (f.record.frozen_on.map(|d| d.to_string()).unwrap_or_default()) }
                td { @if let Some((seq, _)) = &f.record.head { "entry #" (seq) } }
            } } }
        } } }
        p { "The cap table as it would be now: " a href=(format!("/v/{slug}/exports/cap-table.csv")) { "CSV" } " · " a href=(format!("/v/{slug}/exports/cap-table.json")) { "JSON" } }
        @if standing.is_steward() && !open {
            h2 { "Propose a freeze" }
            form.stack method="post" action=(format!("/v/{slug}/freezes")) {
                (csrf_field(caller))
                label for="f-reason" { "Why now" }
                select id="f-reason" name="reason" {
                    @for reason in FREEZE_REASONS { option value=(reason) selected[values.reason == reason] { (first_upper(reason_words(reason))) } }
                }
                (field_error(failure, "reason"))
                label for="f-note" { "More about it (optional)" }
                textarea id="f-note" name="note" rows="2" { (values.note) }
                (field_error(failure, "note"))
                (text_input("Whole shares in the cap table", "total_shares", if values.total_shares.is_empty() { "10000000" } else { &values.total_shares }, "text", failure, "total shares",
                    &format!("{TOTAL_SHARES_DEFAULT} unless you choose another number; each holder gets whole shares in proportion to their slices")))
                details {
                    summary { "Shares issued at the start (optional, for a buy-back plan)" }
                    p.hint { "If the team issued equal shares when it began, say how many each holds: the plan shows how many to buy back from each, and how many to issue, so that the shares end up in proportion to the slices." }
                    @for m in present(&members) {
                        (text_input(&format!("Issued to {}", who(&m.record.display_name, &m.record.handle)), &format!("issued-{}", m.record.handle), values.issued_for(&m.record.handle), "text", None, "issued shares", ""))
                    }
                    (field_error(failure, "issued shares"))
                }
                button type="submit" { "Propose the freeze" }
            }
        }
    };
    Ok(show_status(caller, status_with(failure), "Cap table", body))
}

pub(super) async fn propose_freeze(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let values = FreezeValues::from_pairs(pairs);
    caller.check_form(&values.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let sent = values.clone();
    let outcome = state
        .run(move |commons, now| {
            let request = FreezeRequest {
                venture: run_slug,
                by: String::new(),
                reason: sent.reason,
                note: sent.note,
                total_shares: sent.total_shares,
                issued: sent.issued,
            };
            commons.acting(Some(&account)).propose_freeze(&request, now)
        })
        .await;
    match outcome {
        Ok(view) => Ok(see_other(&format!("/v/{slug}/freezes/{}", view.record.number))),
        Err(error) if in_form(&error) => render_freezes(&state, &caller, slug, values, Some(error)).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

/// A cap table: each holder's slices, whole shares and share, with the buy-back plan when there is one.
fn cap_table(slug: &str, c: Currency, view: &FreezeView) -> Markup {
    let plan = !view.record.issued.is_empty();
    let slices: i64 = view.cap_table.iter().map(|l| l.line.slices_minor).sum();
    let shares: i64 = view.cap_table.iter().map(|l| l.line.shares).sum();
    html! {
        div.scroll { table data-cap-table=(view.record.number) {
            thead { tr { th { "Holder" } th.n { "Slices" } th.n { "Whole shares" } th.n { "Share" }
                @if plan { th.n { "Issued at the start" } th.n { "Buy back" } th.n { "Issue" } } } }
            tbody {
                @for l in &view.cap_table { tr {
                    td { (member_link(slug, &l.member, &l.display_name)) }
                    td.n { (c.format_slices(l.line.slices_minor)) } td.n data-shares=(l.member) { (l.line.shares) } td.n { (l.percent) "%" }
                    @if plan { td.n { (l.line.issued) } td.n { (l.line.buy_back) } td.n { (l.line.issue) } }
                } }
                tr { th { "All" } th.n { (c.format_slices(slices)) } th.n { (shares) } th.n { "100.00%" } @if plan { th {} th {} th {} } }
            }
        } }
        @if let Some(total) = view.buyback_total { p { "After the buy-back plan: " strong { (total) } " shares in all." } }
    }
}

pub(super) async fn freeze_page(State(state): State<AppState>, caller: Caller, Path((slug, number)): Path<(String, u32)>) -> PageResult {
    render_freeze(&state, &caller, slug, number, None).await
}

async fn render_freeze(state: &AppState, caller: &Caller, slug: String, number: u32, failure: Option<AppError>) -> PageResult {
    let account = caller.account.clone();
    let (standing, view) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            Ok((acting.standing(&slug, now)?, acting.freeze(&slug, number, now)?))
        })
        .await
        .map_err(fail(caller))?;
    let failure = failure.as_ref();
    let c = currency_of(&standing).map_err(fail(caller))?;
    let slug = &standing.venture.record.slug;
    let r = &view.record;
    let unfreezing = r.status == "frozen" && r.unfreeze_proposed_at_ms.is_some();
    let counting = if unfreezing { &view.unfreeze_votes } else { &view.votes };
    let voted = standing.handle().is_some_and(|me| counting.iter().any(|(who, _)| who == me));
    let may_vote = is_present(&standing) && !voted && (r.status == "proposed" || unfreezing);
    let body = html! {
        h1 { "Freeze #" (r.number) " of " (standing.venture.record.name) }
        (venture_nav(&standing))
        p { "Status: " strong data-status=(r.status) { (r.status) } @if unfreezing { " (undoing it is proposed)" } }
        p { "Why: " (reason_words(&r.reason)) "." @if !r.note.is_empty() { " " (r.note) } }
        p { "Proposed by " (view.proposed_by) " on " (day_of(r.proposed_at_ms)) ". " (view.rule) }
        @match &r.head {
            Some((seq, hash)) => p data-head=(seq) { "Frozen on " (r.frozen_on.map(|d| d.to_string()).unwrap_or_default()) " at ledger entry "
                @if *seq > 0 { (entry_link(slug, *seq)) } @else { "#0 (empty ledger)" } ", hash " code style="word-break:break-all" { (hash) } "." },
            None => p { "While it is proposed, the cap table below is worked out from the split now; it is fixed, with the ledger's head, when the freeze is decided." },
        }
        (form_error(failure))
        h2 { "Votes" }
        @if counting.is_empty() { p.muted { "No votes yet." } }
        @else { ul { @for (who, vote) in counting.iter() { li { (who) ": " (if vote.approve { "for" } else { "against" }) } } } }
        @if may_vote {
            form method="post" action=(format!("/v/{slug}/freezes/{}/vote", r.number)) {
                (csrf_field(caller))
                button type="submit" name="vote" value="for" { @if unfreezing { "Vote to unfreeze" } @else { "Vote for the freeze" } } " "
                button.secondary type="submit" name="vote" value="against" { "Vote against" }
            }
        }
        @if standing.is_steward() && r.status == "frozen" && !unfreezing {
            form method="post" action=(format!("/v/{slug}/freezes/{}/unfreeze", r.number)) {
                (csrf_field(caller))
                button.secondary type="submit" { "Propose to unfreeze the split" }
            }
        }
        h2 { "The cap table" }
        @if view.cap_table.is_empty() { p.muted { "No one holds slices." } } @else { (cap_table(slug, c, &view)) }
        p { "Download: " a href=(format!("/v/{slug}/exports/cap-table.csv")) { "CSV" } " · " a href=(format!("/v/{slug}/exports/cap-table.json")) { "JSON" } }
    };
    Ok(show_status(caller, status_with(failure), &format!("Freeze #{number}"), body))
}

#[derive(Deserialize)]
pub(super) struct VoteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    vote: String,
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub(super) async fn vote_freeze(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Form(form): Form<VoteForm>,
) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let outcome = state
        .run(move |commons, now| {
            let approve = match form.vote.as_str() {
                "for" => true,
                "against" => false,
                _ => return Err(peerstake_app::error::invalid("vote", "use for or against")),
            };
            commons.acting(Some(&account)).vote_freeze(&run_slug, number, approve, now)
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/v/{slug}/freezes/{number}"))),
        Err(error) if in_form(&error) => render_freeze(&state, &caller, slug, number, Some(error)).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

pub(super) async fn propose_unfreeze(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let outcome = state.run(move |commons, now| commons.acting(Some(&account)).propose_unfreeze(&run_slug, number, now)).await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/v/{slug}/freezes/{number}"))),
        Err(error) if in_form(&error) => render_freeze(&state, &caller, slug, number, Some(error)).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

// ---- income

#[derive(Deserialize, Default, Clone)]
pub(super) struct IncomeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    valuation: String,
    #[serde(default)]
    key: String,
}

fn income_kind_words(kind: &str) -> &'static str {
    if kind == "sale" { "A sale of the venture or of its assets" } else { "Revenue from the venture's work" }
}

pub(super) async fn income_page(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> PageResult {
    render_income(&state, &caller, slug, IncomeForm::default(), None).await
}

async fn render_income(state: &AppState, caller: &Caller, slug: String, form: IncomeForm, failure: Option<AppError>) -> PageResult {
    let account = caller.account.clone();
    let (standing, income, today) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            Ok((acting.standing(&slug, now)?, acting.incomes(&slug, now)?, now.today))
        })
        .await
        .map_err(fail(caller))?;
    let failure = failure.as_ref();
    let c = currency_of(&standing).map_err(fail(caller))?;
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
                (csrf_field(caller))
                input type="hidden" name="key" value=(if form.key.is_empty() { random_key() } else { form.key.clone() });
                (form_error(failure))
                label for="f-kind" { "What it is" }
                select id="f-kind" name="kind" { @for kind in INCOME_KINDS { option value=(kind) selected[form.kind == kind] { (income_kind_words(kind)) } } }
                (field_error(failure, "kind"))
                (numbers_note(caller, &standing))
                (text_input(&format!("Amount ({})", c.code()), "amount", &form.amount, "text", failure, "amount", ""))
                (text_input("Received on", "date", if form.date.is_empty() { &today_text } else { &form.date }, "date", failure, "date", ""))
                (text_input("Where it came from (optional)", "note", &form.note, "text", failure, "note", ""))
                (text_input("For a sale of the whole venture: its price (optional)", "valuation", &form.valuation, "text", failure, "valuation",
                    "sets a price per slice; a good leaver bought out within their claw-back window is owed the difference"))
                button type="submit" { "Record income" }
            }
        }
    };
    Ok(show_status(caller, status_with(failure), "Income", body))
}

pub(super) async fn record_income(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Form(form): Form<IncomeForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let sent = form.clone();
    let outcome = state
        .run(move |commons, now| {
            let numbers = commons.numbers_for(&account, Some(&run_slug))?;
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
            commons.acting(Some(&account)).record_income(&request, now)
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/v/{slug}/income"))),
        Err(error) if in_form(&error) => render_income(&state, &caller, slug, form, Some(error)).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

// ---- distributions

#[derive(Deserialize, Default, Clone)]
pub(super) struct DistributeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    key: String,
}

/// Every holder's payout in a distribution, each linked to their trace, with what it was split by.
fn payouts(slug: &str, c: Currency, view: &DistributionView) -> Markup {
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

pub(super) async fn distributions_page(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> PageResult {
    render_distributions(&state, &caller, slug, DistributeForm::default(), None, None).await
}

async fn render_distributions(
    state: &AppState,
    caller: &Caller,
    slug: String,
    form: DistributeForm,
    preview: Option<DistributionView>,
    failure: Option<AppError>,
) -> PageResult {
    let account = caller.account.clone();
    let (standing, distributions, income, frozen, today) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            let frozen = acting.freezes(&slug, now)?.into_iter().find(|f| f.record.status == "frozen").map(|f| f.record.number);
            Ok((acting.standing(&slug, now)?, acting.distributions(&slug, now)?, acting.incomes(&slug, now)?, frozen, now.today))
        })
        .await
        .map_err(fail(caller))?;
    let failure = failure.as_ref();
    let c = currency_of(&standing).map_err(fail(caller))?;
    let slug = &standing.venture.record.slug;
    let today_text = today.to_string();
    // The amount offered is written as the person writes numbers: the form reads it that way.
    let numbers = numbers_of(caller, &standing);
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
                        (csrf_field(caller))
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
                (csrf_field(caller))
                input type="hidden" name="key" value=(if form.key.is_empty() { random_key() } else { form.key.clone() });
                (form_error(failure))
                (numbers_note(caller, &standing))
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
    Ok(show_status(caller, status_with(failure), "Payouts", body))
}

pub(super) async fn distribute(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Form(form): Form<DistributeForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let post = form.action == "post";
    let run_slug = slug.clone();
    let sent = form.clone();
    let outcome = state
        .run(move |commons, now| {
            let request = DistributeRequest {
                amount: read_amount(commons.numbers_for(&account, Some(&run_slug))?, "amount", &sent.amount)?,
                venture: run_slug,
                basis: sent.basis,
                paid_on: optional_date("date", &sent.date)?,
                note: sent.note,
                by: None,
                idempotency_key: key_of(&account, &sent.key),
            };
            let acting = commons.acting(Some(&account));
            if post { acting.post_distribution(&request, now) } else { acting.preview_distribution(&request, now) }
        })
        .await;
    match outcome {
        Ok(view) if post => Ok(see_other(&format!("/v/{slug}/distributions/{}", view.record.number))),
        Ok(view) => render_distributions(&state, &caller, slug, form, Some(view), None).await,
        Err(error) if in_form(&error) => render_distributions(&state, &caller, slug, form, None, Some(error)).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

pub(super) async fn distribution_page(State(state): State<AppState>, caller: Caller, Path((slug, number)): Path<(String, u32)>) -> PageResult {
    let account = caller.account.clone();
    let (standing, view) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            Ok((acting.standing(&slug, now)?, acting.distribution(&slug, number, now)?))
        })
        .await
        .map_err(fail(&caller))?;
    let c = currency_of(&standing).map_err(fail(&caller))?;
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
    Ok(show(&caller, &format!("Distribution #{number}"), body))
}

// ---- statements

pub(super) async fn own_statement_page(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> PageResult {
    render_statement(&state, &caller, slug, None, None).await
}

pub(super) async fn statement_page(State(state): State<AppState>, caller: Caller, Path((slug, handle)): Path<(String, String)>) -> PageResult {
    render_statement(&state, &caller, slug, Some(handle), None).await
}

/// A member's statement. A member who left a members-only venture reads their own (and only
/// theirs), without the venture's navigation, which is closed to them.
async fn render_statement(state: &AppState, caller: &Caller, slug: String, handle: Option<String>, failure: Option<AppError>) -> PageResult {
    let account = caller.account.clone();
    let (standing, statement, readable) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            let Some(handle) = handle else {
                let (standing, statement) = acting.own_statement(&slug, now)?;
                let readable = acting.standing(&slug, now).is_ok();
                return Ok((standing, statement, readable));
            };
            match acting.standing(&slug, now) {
                Ok(standing) => Ok((standing, acting.statement(&slug, &handle, now)?, true)),
                Err(hidden) => {
                    // A member who left a members-only venture: their own statement, or the refusal.
                    let Ok((standing, own)) = acting.own_statement(&slug, now) else { return Err(hidden) };
                    if own.member != handle {
                        acting.statement(&slug, &handle, now)?;
                        return Err(hidden);
                    }
                    Ok((standing, own, false))
                }
            }
        })
        .await
        .map_err(fail(caller))?;
    let failure = failure.as_ref();
    let c = currency_of(&standing).map_err(fail(caller))?;
    let slug = &standing.venture.record.slug;
    let own = standing.handle() == Some(statement.member.as_str());
    let body = html! {
        h1 { "Statement of " (who(&statement.display_name, &statement.member)) " in " (standing.venture.record.name) }
        @if readable { (venture_nav(&standing)) }
        @else { p.notice { "You left this venture, which only its members may read; your statement stays yours to read." } }
        (form_error(failure))
        (statement_body(caller, &standing, slug, c, &statement, own, readable))
    };
    Ok(show_status(caller, status_with(failure), &format!("Statement of {}", statement.member), body))
}

/// What a member holds and received: slices and shares, payouts with what each was split by,
/// buyouts of their slices, and claw-backs owed to them.
fn statement_body(caller: &Caller, standing: &Standing, slug: &str, c: Currency, s: &Statement, own: bool, linked: bool) -> Markup {
    html! {
        @if let Some((on, case)) = &s.departed {
            p data-departed=(on) { "Left on " (on) ", " (LeaveCase::from_name(case).map_or(case.as_str(), |known| known.words())) "." }
        }
        div.scroll { table data-statement=(s.member) style="max-width:40rem" {
            tbody {
                tr { th { "Role" } td { (s.role) } }
                tr { th { "Slices held now" } td.n data-slices=(c.format_slices(s.slices_minor)) { (c.format_slices(s.slices_minor)) " of " (c.format_slices(s.total_slices_minor)) " (" (s.percent) "%)" } }
                @if let Some((shares, total)) = s.shares { tr { th { "Whole shares in the frozen cap table" } td.n data-shares=(shares) { (shares) " of " (total) } } }
                tr { th { "Unspent money in the well" } td.n { (c.format(s.well_minor)) " " (c.code()) } }
                @if s.well_owed_back_minor > 0 {
                    tr data-owed-back="" { th { "Owed back to them (they left; it pays for nothing now)" } td.n { (c.format(s.well_owed_back_minor)) " " (c.code()) } }
                }
                tr { th { "Received in payouts" } td.n data-received=(c.format(s.received_minor)) { (c.format(s.received_minor)) " " (c.code()) } }
                @if !s.clawbacks.is_empty() { tr { th { "Owed by claw-back" } td.n data-owed=(c.format(s.owed_minor)) { (c.format(s.owed_minor)) " " (c.code()) } } }
            }
        } }
        @if linked { p { a href=(format!("/v/{slug}/members/{}", s.member)) { "Every entry behind these slices" } } }
        h3 { "Payouts" }
        @if s.payouts.is_empty() { p.muted { "None yet." } }
        @else { div.scroll { table {
            thead { tr { th { "Distribution" } th { "Paid on" } th { "Split by" } th { "At ledger entry" } th.n { "Payout" } } }
            tbody { @for p in &s.payouts { tr data-statement-payout=(p.distribution) {
                td { @if linked { a href=(format!("/v/{slug}/distributions/{}", p.distribution)) { "#" (p.distribution) } } @else { "#" (p.distribution) } }
                td { (p.paid_on) }
                td { (weight_words(c, &p.basis, p.weight)) " of " (weight_words(c, &p.basis, p.total_weight)) " (" (basis_words(&p.basis)) ")" }
                td { "#" (p.head_seq) }
                td.n { (c.format(p.amount_minor)) }
            } } }
        } } }
        @if !s.buyouts.is_empty() {
            h3 { "Buyouts of these slices" }
            div.scroll { table {
                thead { tr { th { "#" } th { "Bought by" } th.n { "Slices" } th.n { "Price a slice" } th.n { "Amount" } th { "Status" } th { "Claw-back until" } th {} } }
                tbody { @for b in &s.buyouts { tr data-buyout=(b.record.number) {
                    td { (b.record.number) }
                    td { @match &b.buyer { Some(buyer) => (buyer), None => "the venture" } }
                    td.n { (c.format_slices(b.record.slices_minor)) } td.n { (c.format(b.record.price_per_slice_minor)) }
                    td.n data-buyout-amount=(c.format(b.record.amount_minor)) { (c.format(b.record.amount_minor)) " " (c.code()) }
                    td { strong data-status=(b.record.status) { (b.record.status) } @if b.record.forced { " (forced)" } }
                    td { @match b.record.clawback_until { Some(until) => (until), None => "—" } }
                    td { @if own { (buyout_actions(caller, standing, slug, b, "statement")) } }
                } } }
            } }
        }
        @if !s.clawbacks.is_empty() {
            h3 { "Claw-backs" }
            ul { @for k in &s.clawbacks { li data-clawback=(k.buyout) {
                "Buyout #" (k.buyout) ", window until " (k.until) ": "
                @match (&k.event, k.on) {
                    (Some(event), Some(on)) => { (event) " on " (on) " implies " (c.format(k.implied_per_slice_minor)) " a slice; owed " strong { (c.format(k.owed_minor)) " " (c.code()) } "." },
                    _ => { "no sale or payout at a higher price yet; nothing owed." },
                }
            } } }
        }
    }
}

// ---- the printable report and the exports

/// Print rules: no navigation or forms (the shell hides them), each part on its own page, no
/// statement split across two.
const PRINT_STYLE: &str = "
@media print{
 body{font-size:11pt}
 main{max-width:none;padding:0}
 .no-print{display:none}
 section.report-part + section.report-part{break-before:page}
 article.statement{break-inside:avoid}
 tr{break-inside:avoid}
 a{color:#000;text-decoration:none}
}
";

pub(super) async fn report_page(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> PageResult {
    let account = caller.account.clone();
    let (standing, report, today) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            Ok((acting.standing(&slug, now)?, acting.venture_report(&slug, now)?, now.today))
        })
        .await
        .map_err(fail(&caller))?;
    let c = report.currency;
    let slug = &standing.venture.record.slug;
    let body = html! {
        h1 { "Report: " (report.venture.name) }
        (venture_nav(&standing))
        p { "As of " (today) ", at ledger entry #" (report.head.0) " (hash " code style="word-break:break-all" { (report.head.1) } "). Amounts in " (c.code()) "." }
        p.no-print { "Use your browser's Print command to print this report or save it as a PDF: each part starts on a new page. Download: "
            @for (index, what) in EXPORTS.iter().enumerate() {
                @if index > 0 { " · " }
                (what) " " a href=(format!("/v/{slug}/exports/{what}.csv")) { "CSV" } " " a href=(format!("/v/{slug}/exports/{what}.json")) { "JSON" }
            } }
        section.report-part {
            h2 { "The split" }
            div.scroll { table {
                thead { tr { th { "Member" } th.n { "Slices" } th.n { "Share" } } }
                tbody {
                    @for line in &report.split.lines { tr {
                        td { (who(&line.member.display_name, &line.member.handle)) } td.n { (c.format_slices(line.figures.slices_minor)) } td.n { (format_share(line.figures.share_units)) "%" }
                    } }
                    tr { th { "All" } th.n { (c.format_slices(report.split.total_slices_minor)) } th.n { "100.00%" } }
                }
            } }
        }
        @if let Some(frozen) = &report.frozen {
            section.report-part {
                h2 { "The cap table (freeze #" (frozen.record.number) ")" }
                p { "Frozen on " (frozen.record.frozen_on.map(|d| d.to_string()).unwrap_or_default())
                    @if let Some((seq, hash)) = &frozen.record.head { " at ledger entry #" (seq) ", hash " code style="word-break:break-all" { (hash) } } "." }
                (cap_table(slug, c, frozen))
            }
        }
        section.report-part {
            h2 { "Departures" }
            @if report.departures.is_empty() { p { "Nobody has left." } }
            @for d in &report.departures {
                h3 { "#" (d.number.unwrap_or(0)) " " (who(&d.display_name, &d.member)) ", " (d.case.words()) ", on " (d.departed_on) }
                p { "Reason given: " (d.justification) }
                (outcome(slug, c, d))
            }
        }
        section.report-part {
            h2 { "Buyouts" }
            @if report.buyouts.is_empty() { p { "No buyouts." } }
            @else { div.scroll { table {
                thead { tr { th { "#" } th { "Whose slices" } th { "Bought by" } th.n { "Slices" } th.n { "Price a slice" } th.n { "Amount" } th { "Status" } th { "Claw-back until" } } }
                tbody { @for b in &report.buyouts { tr {
                    td { (b.record.number) } td { (b.member) } td { (b.buyer.as_deref().unwrap_or("the venture")) }
                    td.n { (c.format_slices(b.record.slices_minor)) } td.n { (c.format(b.record.price_per_slice_minor)) } td.n { (c.format(b.record.amount_minor)) }
                    td { (b.record.status) @if b.record.forced { " (forced)" } } td { (b.record.clawback_until.map(|d| d.to_string()).unwrap_or_default()) }
                } } }
            } } }
        }
        section.report-part {
            h2 { "Income" }
            p { "Not yet distributed: " (c.format(report.income.undistributed_minor)) "." }
            @if report.income.incomes.is_empty() { p { "No income recorded." } }
            @else { div.scroll { table {
                thead { tr { th { "#" } th { "Received on" } th { "What" } th.n { "Amount" } th { "Where from" } } }
                tbody { @for i in &report.income.incomes { tr { td { (i.number) } td { (i.received_on) } td { (i.kind) } td.n { (c.format(i.amount_minor)) } td { (i.note) } } } }
            } } }
        }
        section.report-part {
            h2 { "Distributions" }
            @if report.distributions.is_empty() { p { "Nothing distributed." } }
            @for d in &report.distributions {
                h3 { "#" (d.record.number) ": " (c.format(d.record.amount_minor)) " paid on " (d.record.paid_on) @if !d.record.note.is_empty() { " (" (d.record.note) ")" } }
                (payouts(slug, c, d))
            }
        }
        section.report-part {
            h2 { "Every member's statement" }
            @for s in &report.statements {
                article.statement {
                    h3 { (who(&s.display_name, &s.member)) " (" (s.member) ")" }
                    (statement_body(&caller, &standing, slug, c, s, false, true))
                }
            }
        }
    };
    let page = crate::views::page_styled(&format!("Report: {}", report.venture.name), caller.account.as_ref(), &caller.csrf, PRINT_STYLE, body);
    Ok(Html(page.into_string()).into_response())
}

/// `/v/{slug}/exports/{what}.{csv|json}`: the cap table, the distributions or the statements.
pub(super) async fn export(State(state): State<AppState>, caller: Caller, Path((slug, file)): Path<(String, String)>) -> PageResult {
    let parsed = file.rsplit_once('.').filter(|(what, format)| EXPORTS.contains(what) && (*format == "csv" || *format == "json"));
    let Some((what, format)) = parsed.map(|(w, f)| (w.to_string(), f.to_string())) else {
        return Err(fail(&caller)(AppError::NotFound { what: "export", name: file.clone() }));
    };
    let account = caller.account.clone();
    let (run_slug, run_what, run_format) = (slug.clone(), what.clone(), format.clone());
    let text =
        state.run(move |commons, now| commons.acting(account.as_ref()).export_table(&run_slug, &run_what, &run_format, now)).await.map_err(fail(&caller))?;
    let content_type = if format == "csv" { "text/csv; charset=utf-8" } else { "application/json" };
    Ok(download(content_type, format!("{slug}-{what}.{format}"), text.into_bytes()))
}

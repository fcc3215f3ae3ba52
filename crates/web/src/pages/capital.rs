//! Pooled capital: a venture's needs with progress bars and pledges, its well and who covered
//! its costs, its bookings of lent goods; and the commons' registry of goods, where owners
//! register what they lend and answer bookings and logged use.

use peerstake_app::holds::NeedView;

use peerstake_app::capital::{PayNeed, PublishNeed};
use peerstake_app::goods::{BookGood, GiveGood, LogUsage, RegisterGood};
use peerstake_app::talk::Subject;

use super::*;
use crate::api::capital::units;
use peerstake_app::forms::read_amount;

#[derive(Deserialize)]
pub(super) struct NeedForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    cadence: String,
    #[serde(default)]
    periods: String,
    #[serde(default)]
    stretch: String,
    #[serde(default)]
    min_pledge: String,
    #[serde(default)]
    deadline: String,
}

#[derive(Deserialize)]
pub(super) struct AmountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    key: String,
}

#[derive(Deserialize)]
pub(super) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

#[derive(Deserialize)]
pub(super) struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
}

#[derive(Deserialize)]
pub(super) struct BookingForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    good: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    planned: String,
    #[serde(default)]
    need: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
pub(super) struct UsageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    units: String,
    #[serde(default)]
    fee_paid: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
pub(super) struct GoodForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    rate: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    available_from: String,
    #[serde(default)]
    available_until: String,
    #[serde(default)]
    availability: String,
}

#[derive(Deserialize)]
pub(super) struct GiftForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    venture: String,
    #[serde(default)]
    condition: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    note: String,
}

fn optional(field: &'static str, text: &str) -> Result<Option<time::Date>, AppError> {
    match text.trim() {
        "" => Ok(None),
        t => parse_date(field, t).map(Some),
    }
}

/// A need's progress bar with its figures in words, so it reads without the drawing.
pub(super) fn progress(need: &NeedView) -> Markup {
    let c = need.currency;
    let r = &need.record;
    html! {
        div.need data-need=(r.number) {
            progress max="100" value=(need.percent()) aria-label=(format!("{} of {} for {}", c.format(need.covered_minor()), c.format(r.goal_minor), r.title)) { (need.percent()) "%" }
            " " span data-covered=(c.format(need.covered_minor())) { strong { (c.format(need.covered_minor())) } " of " (c.format(r.goal_minor)) " (" (need.percent()) "%)" }
            @if need.goods_minor > 0 { span.muted { " · " (c.format(need.goods_minor)) " in goods" } }
            @if let (Some(stretch), Some(percent)) = (r.stretch_minor, need.stretch_percent()) { span.muted { " · stretch goal " (c.format(stretch)) " (" (percent) "%)" } }
            br;
            span.muted {
                strong data-status=(r.status) { (r.status) } " · " (need.backers) " backer" @if need.backers != 1 { "s" } " · pledges until " (r.deadline.to_string())
                @if let Some(cadence) = &r.cadence { " · " (c.format(need.period_minor())) " a " (if cadence == "weekly" { "week" } else { "month" }) " × " (r.periods) }
            }
        }
    }
}

pub(super) async fn needs_page(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> PageResult {
    render_needs(&state, &caller, slug, None).await
}

async fn render_needs(state: &AppState, caller: &Caller, slug: String, failure: Option<AppError>) -> PageResult {
    let account = caller.account.clone();
    let (standing, needs, well) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            Ok((acting.standing(&slug, now)?, acting.needs(&slug, now)?, acting.well(&slug, now)?))
        })
        .await
        .map_err(fail(caller))?;
    let failure = failure.as_ref();
    let slug = &standing.venture.record.slug;
    let c = well.currency;
    let body = html! {
        h1 { "Needs of " (standing.venture.record.name) }
        (venture_nav(&standing))
        p { "What the venture must pay for. Pledges are held until a need's goal is met, then posted into the well all at once; if the deadline passes first, every pledge is released and nothing is taken." }
        p { "The well holds " strong data-well=(c.format(well.balance_minor)) { (c.format(well.balance_minor)) } ". "
            a href=(format!("/v/{slug}/well")) { "Well statement" } " · " a href=(format!("/v/{slug}/costs")) { "Who covered what" } " · " a href=(format!("/v/{slug}/goods")) { "Lent goods" } }
        @if needs.is_empty() { p.muted { "No needs published yet." } }
        ul.cards { @for need in needs.iter().rev() {
            li { h3 style="margin-top:0" { a href=(format!("/v/{slug}/needs/{}", need.record.number)) { "#" (need.record.number) " " (need.record.title) } } (progress(need)) }
        } }
        @if standing.is_steward() {
            h2 { "Publish a need" }
            form.stack method="post" action=(format!("/v/{slug}/needs")) {
                (csrf_field(caller))
                (form_error(failure))
                (text_input("What it is for", "title", "", "text", failure, "title", "e.g. A laptop for the designer"))
                (text_input("More about it (optional)", "description", "", "text", failure, "note", ""))
                (numbers_note(caller, &standing))
                (text_input("Amount", "amount", "", "text", failure, "amount", "a one-off cost, or one period's"))
                (select("Recurring?", "cadence", &[("", "No, a one-off cost"), ("monthly", "Monthly"), ("weekly", "Weekly")], ""))
                (text_input("Periods (recurring)", "periods", "", "number", failure, "periods", "how many months or weeks the goal covers"))
                (text_input("Stretch goal (optional)", "stretch", "", "text", failure, "stretch goal", "a total above the goal"))
                (text_input("Smallest pledge (optional)", "min_pledge", "", "text", failure, "minimum pledge", "one unit of the currency when empty"))
                (text_input("Pledges until", "deadline", "", "date", failure, "deadline", ""))
                button type="submit" { "Publish" }
            }
        }
    };
    let status = failure.map_or(StatusCode::OK, status_of);
    Ok(show_status(caller, status, "Needs", body))
}

pub(super) async fn publish_need(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Form(form): Form<NeedForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let outcome = state
        .run(move |commons, now| {
            let periods = match form.periods.trim() {
                "" => 0,
                text => text.parse::<u32>().map_err(|_| peerstake_app::error::invalid("periods", "is not a whole number"))?,
            };
            let numbers = commons.numbers_for(&account, Some(&run_slug))?;
            let request = PublishNeed {
                amount: read_amount(numbers, "amount", &form.amount)?,
                stretch: read_amount(numbers, "stretch goal", &form.stretch)?,
                min_pledge: read_amount(numbers, "minimum pledge", &form.min_pledge)?,
                venture: run_slug,
                title: form.title,
                description: form.description,
                cadence: form.cadence,
                periods,
                deadline: optional("deadline", &form.deadline)?,
                by: None,
                idempotency_key: None,
            };
            commons.acting(Some(&account)).publish_need(&request, now)
        })
        .await;
    match outcome {
        Ok(need) => Ok(see_other(&format!("/v/{slug}/needs/{}", need.record.number))),
        Err(error) if shown_in_form(&error) => render_needs(&state, &caller, slug, Some(error)).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

#[derive(Deserialize)]
pub(super) struct NeedQuery {
    reply_to: Option<u64>,
}

pub(super) async fn need_page(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Query(query): Query<NeedQuery>,
) -> PageResult {
    render_need(&state, &caller, slug, number, query.reply_to, None, None).await
}

pub(super) async fn render_need(
    state: &AppState,
    caller: &Caller,
    slug: String,
    number: u32,
    reply_to: Option<u64>,
    failure: Option<AppError>,
    comment_failure: Option<super::talk::CommentFailure>,
) -> PageResult {
    let account = caller.account.clone();
    let (standing, (need, pledges), well, thread, today) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            let thread = acting.comments(&slug, &Subject::Need(number), None, 0, now)?;
            Ok((acting.standing(&slug, now)?, acting.need(&slug, number, now)?, acting.well(&slug, now)?, thread, now.today))
        })
        .await
        .map_err(fail(caller))?;
    let failure = failure.as_ref();
    let slug = &standing.venture.record.slug;
    let c = need.currency;
    let r = &need.record;
    let payments: Vec<_> = well.movements.iter().filter(|m| m.need == Some(number) && m.tag == "withdrawal").collect();
    let body = html! {
        h1 { "Need #" (r.number) ": " (r.title) }
        (venture_nav(&standing))
        @if !r.description.is_empty() { p { (r.description) } }
        (progress(&need))
        (form_error(failure))
        @if need.takes_pledges(today) {
            @if caller.account.is_some() {
                form.stack method="post" action=(format!("/v/{slug}/needs/{number}/pledge")) {
                    (csrf_field(caller))
                    input type="hidden" name="key" value=(format!("pledge-{}-{}", number, caller.csrf.get(..12).unwrap_or_default()));
                    (numbers_note(caller, &standing))
                    (text_input("Pledge", "amount", "", "text", failure, "amount",
                        &format!("at least {}; {} remain. Held until the goal is met, released if it is not by {}.", c.format(r.min_pledge_minor), c.format(need.remaining_minor()), r.deadline)))
                    button type="submit" { "Pledge" }
                }
            } @else { p { a href="/login" { "Sign in" } " to pledge." } }
        }
        h2 { "Pledges" }
        @if pledges.is_empty() { p.muted { "No pledges yet." } }
        @else { div.scroll { table {
            thead { tr { th { "#" } th { "Backer" } th.n { "Amount" } th { "Status" } th { "Deposit" } } }
            tbody { @for p in &pledges { tr data-pledge=(p.record.number) {
                td { (p.record.number) } td { (if p.display_name.is_empty() { &p.username } else { &p.display_name }) } td.n { (c.format(p.record.amount_minor)) }
                td { (p.record.status) }
                td { @if let Some(seq) = p.record.entry_seq { a href=(format!("/v/{slug}/entries/{seq}")) { "#" (seq) } } }
            } } }
        } } }
        h2 { "Paid from the well" }
        p { (c.format(need.paid_minor)) " paid of " (c.format(r.goal_minor)) "." }
        @if !payments.is_empty() { ul { @for m in &payments { li { a href=(format!("/v/{slug}/entries/{}", m.seq)) { "Entry #" (m.seq) } " on " (m.occurred_on.to_string()) ": " (c.format(-m.change_minor)) } } } }
        @if standing.is_steward() {
            @if r.status == "open" || r.status == "met" {
                form.stack method="post" action=(format!("/v/{slug}/needs/{number}/pay")) {
                    (csrf_field(caller))
                    (text_input("Pay from the well", "amount", "", "text", failure, "amount",
                        &format!("the well holds {}; empty pays what is left of the goal. Each depositor's share becomes their cash slices.", c.format(well.balance_minor))))
                    button type="submit" { "Pay" }
                }
            }
            @if r.status == "open" {
                form method="post" action=(format!("/v/{slug}/needs/{number}/cancel")) { (csrf_field(caller)) button.secondary type="submit" { "Cancel this need and release its pledges" } }
            }
        }
        (super::talk::comment_section(caller, &standing, &Subject::Need(number), &thread, reply_to, comment_failure.as_ref()))
    };
    let status = failure.or(comment_failure.as_ref().map(|f| &f.error)).map_or(StatusCode::OK, status_of);
    Ok(show_status(caller, status, &format!("Need #{number}"), body))
}

pub(super) async fn pledge(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Form(form): Form<AmountForm>,
) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    // The form's key makes a double submission harmless; it is one person's, so it names them.
    let key = if form.key.trim().is_empty() { None } else { Some(format!("{}:{}-{}", account.id.0, form.key.trim(), form.amount.trim())) };
    let outcome = state
        .run(move |commons, now| {
            let amount = read_amount(commons.numbers_for(&account, Some(&run_slug))?, "amount", &form.amount)?;
            commons.acting(Some(&account)).pledge(&run_slug, number, &amount, key, now)
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/v/{slug}/needs/{number}"))),
        Err(error) if shown_in_form(&error) => render_need(&state, &caller, slug, number, None, Some(error), None).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

pub(super) async fn pay_need(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Form(form): Form<AmountForm>,
) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let outcome = state
        .run(move |commons, now| {
            let amount = read_amount(commons.numbers_for(&account, Some(&run_slug))?, "amount", &form.amount)?;
            let request = PayNeed { venture: run_slug, need: number, amount, by: None, idempotency_key: None };
            commons.acting(Some(&account)).pay_need(&request, now)
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/v/{slug}/needs/{number}"))),
        Err(error) if shown_in_form(&error) => render_need(&state, &caller, slug, number, None, Some(error), None).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

pub(super) async fn cancel_need(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let outcome = state.run(move |commons, now| commons.acting(Some(&account)).cancel_need(&run_slug, number, now)).await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/v/{slug}/needs/{number}"))),
        Err(error) if shown_in_form(&error) => render_need(&state, &caller, slug, number, None, Some(error), None).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

pub(super) async fn well_page(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> PageResult {
    render_well(&state, &caller, slug, None).await
}

pub(super) async fn member_well_page(State(state): State<AppState>, caller: Caller, Path((slug, handle)): Path<(String, String)>) -> PageResult {
    render_well(&state, &caller, slug, Some(handle)).await
}

async fn render_well(state: &AppState, caller: &Caller, slug: String, handle: Option<String>) -> PageResult {
    let account = caller.account.clone();
    let (standing, statement) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            let statement = match &handle {
                Some(h) => acting.member_well(&slug, h, now)?,
                None => acting.well(&slug, now)?,
            };
            Ok((acting.standing(&slug, now)?, statement))
        })
        .await
        .map_err(fail(caller))?;
    let slug = &standing.venture.record.slug;
    let c = statement.currency;
    let whose = statement.member.as_ref().map(|m| if m.display_name.is_empty() { m.handle.clone() } else { m.display_name.clone() });
    let body = html! {
        h1 { "The well of " (standing.venture.record.name) @if let Some(who) = &whose { ": " (who) } }
        (venture_nav(&standing))
        p { "Money in the well earns nothing until it is spent on a cost; then each depositor's share becomes their cash slices. Money never spent can be handed back." }
        div.scroll { table {
            tbody {
                tr { th { "Balance" } td.n data-balance=(c.format(statement.balance_minor)) { (c.format(statement.balance_minor)) } }
                tr { th { "Paid in" } td.n { (c.format(statement.deposited_minor)) } }
                tr { th { "Spent on costs" } td.n { (c.format(statement.spent_minor)) } }
                tr { th { "Handed back" } td.n { (c.format(statement.returned_minor)) } }
                tr { th { "Cash slices earned" } td.n { (c.format_slices(statement.slices_minor)) } }
            }
        } }
        @if statement.member.is_none() {
            h2 { "Depositors" }
            @if statement.depositors.is_empty() { p.muted { "Nobody has money in the well." } }
            ul { @for d in &statement.depositors { li { a href=(format!("/v/{slug}/well/{}", d.handle)) { (d.handle) } ": " (c.format(d.balance_minor)) } } }
        }
        h2 { "Movements" }
        @if statement.movements.is_empty() { p.muted { "None yet." } }
        @else { div.scroll { table {
            thead { tr { th { "Entry" } th { "Date" } th { "What" } th { "Whose" } th.n { "Change" } th.n { "Slices" } th.n { "Balance" } th { "Note" } } }
            tbody { @for m in &statement.movements { tr {
                td { a href=(format!("/v/{slug}/entries/{}", m.seq)) { "#" (m.seq) } } td { (m.occurred_on.to_string()) } td { (m.tag) }
                td { (m.member.clone().unwrap_or_else(|| "several".into())) } td.n { (c.format(m.change_minor)) } td.n { (c.format_slices(m.slices_minor)) } td.n { (c.format(m.balance_minor)) }
                td { @if let Some(need) = m.need { a href=(format!("/v/{slug}/needs/{need}")) { "need #" (need) } " " } (m.note) }
            } } }
        } } }
        @if standing.is_steward() && statement.member.is_none() {
            p.hint { "To hand unspent money back, " a href=(format!("/v/{slug}/log")) { "log" } " a well return for the depositor." }
        }
    };
    Ok(show(caller, "Well", body))
}

pub(super) async fn costs_page(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> PageResult {
    let account = caller.account.clone();
    let (standing, costs) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            Ok((acting.standing(&slug, now)?, acting.shared_costs(&slug, now)?))
        })
        .await
        .map_err(fail(&caller))?;
    let c = costs.currency;
    let table = |shares: &[peerstake_app::well::CostShare]| {
        html! { div.scroll { table {
            thead { tr { th { "Who" } th.n { "Cash (from the well)" } th.n { "Goods" } } }
            tbody { @for s in shares { tr data-share=(s.handle) { td { (if s.display_name.is_empty() { &s.handle } else { &s.display_name }) } td.n { (c.format(s.cash_minor)) } td.n { (c.format(s.goods_minor)) } } } }
        } } }
    };
    let body = html! {
        h1 { "Who covered the costs of " (standing.venture.record.name) }
        (venture_nav(&standing))
        p { "Cash is each depositor's share of what the well paid; goods are the value of goods lent (confirmed use) or given." }
        h2 { "Over the venture's life" }
        @if costs.totals.is_empty() { p.muted { "No costs covered yet." } } @else { (table(&costs.totals)) }
        h2 { "Per need" }
        @for need in &costs.needs {
            h3 { a href=(format!("/v/{}/needs/{}", standing.venture.record.slug, need.need.number)) { "#" (need.need.number) " " (need.need.title) } }
            p.muted { (c.format(need.cash_minor)) " in cash, " (c.format(need.goods_minor)) " in goods" }
            @if !need.shares.is_empty() { (table(&need.shares)) }
        }
        h2 { "Per month" }
        @for month in costs.months.iter().rev() { h3 { (month.month) } (table(&month.shares)) }
    };
    Ok(show(&caller, "Shared costs", body))
}

pub(super) async fn venture_goods_page(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> PageResult {
    render_venture_goods(&state, &caller, slug, None).await
}

async fn render_venture_goods(state: &AppState, caller: &Caller, slug: String, failure: Option<AppError>) -> PageResult {
    let account = caller.account.clone();
    let (standing, (bookings, usages), goods, needs) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            Ok((acting.standing(&slug, now)?, acting.bookings(&slug, now)?, commons.goods(None)?, acting.needs(&slug, now)?))
        })
        .await
        .map_err(fail(caller))?;
    let failure = failure.as_ref();
    let slug = &standing.venture.record.slug;
    let currency = standing.venture.record.currency.clone();
    let bookable: Vec<_> = goods.iter().filter(|g| g.record.status == "available" && g.record.currency == currency).collect();
    let open_needs: Vec<_> = needs.iter().filter(|n| n.record.status == "open" || n.record.status == "met").collect();
    let owner_id = caller.account.as_ref().map(|a| a.id);
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
                            (csrf_field(caller)) button type="submit" name="decision" value="accept" { "Accept" } " " button.secondary type="submit" name="decision" value="decline" { "Decline" }
                        }
                    }
                    @if (b.record.status == "requested" || b.record.status == "accepted") && standing.is_steward() {
                        form.inline method="post" action=(format!("/v/{slug}/bookings/{}/decide", b.record.number)) { (csrf_field(caller)) button.secondary type="submit" name="decision" value="cancel" { "Cancel" } }
                    }
                }
            } } }
        } } }
        @let accepted: Vec<_> = bookings.iter().filter(|b| b.record.status == "accepted").collect();
        @if standing.member.is_some() && !accepted.is_empty() {
            h2 { "Log use" }
            @for b in &accepted {
                form.stack method="post" action=(format!("/v/{slug}/bookings/{}/usage", b.record.number)) {
                    (csrf_field(caller))
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
                        (csrf_field(caller)) button type="submit" name="decision" value="confirm" { "Confirm" } " " button.secondary type="submit" name="decision" value="decline" { "Decline" }
                    }
                } }
            } } }
        } } }
        @if standing.is_steward() {
            h2 { "Book a good" }
            @if bookable.is_empty() { p.muted { "No good in " (currency) " is offered right now." } }
            @else {
                form.stack method="post" action=(format!("/v/{slug}/bookings")) {
                    (csrf_field(caller))
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
    let status = failure.map_or(StatusCode::OK, status_of);
    Ok(show_status(caller, status, "Lent goods", body))
}

pub(super) async fn request_booking(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Form(form): Form<BookingForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let outcome = state
        .run(move |commons, now| {
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
            commons.acting(Some(&account)).book_good(&request, now)
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/v/{slug}/goods"))),
        Err(error) if shown_in_form(&error) => render_venture_goods(&state, &caller, slug, Some(error)).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

pub(super) async fn decide_booking(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Form(form): Form<DecisionForm>,
) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let outcome = state
        .run(move |commons, now| {
            let acting = commons.acting(Some(&account));
            match form.decision.as_str() {
                "accept" => acting.decide_booking(&run_slug, number, true, now),
                "decline" => acting.decide_booking(&run_slug, number, false, now),
                "cancel" => acting.cancel_booking(&run_slug, number, now),
                _ => Err(peerstake_app::error::invalid("decision", "use accept, decline or cancel")),
            }
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/v/{slug}/goods"))),
        Err(error) if shown_in_form(&error) => render_venture_goods(&state, &caller, slug, Some(error)).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

pub(super) async fn log_usage(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Form(form): Form<UsageForm>,
) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let outcome = state
        .run(move |commons, now| {
            let numbers = commons.numbers_for(&account, Some(&run_slug))?;
            let request = LogUsage {
                units: if form.units.trim().is_empty() { String::new() } else { numbers.canonical_quantity("units", &form.units)? },
                fee_paid: read_amount(numbers, "fee paid", &form.fee_paid)?,
                venture: run_slug,
                booking: number,
                occurred_on: optional("date", &form.date)?,
                note: form.note,
                by: None,
            };
            commons.acting(Some(&account)).log_usage(&request, now)
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/v/{slug}/goods"))),
        Err(error) if shown_in_form(&error) => render_venture_goods(&state, &caller, slug, Some(error)).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

pub(super) async fn decide_usage(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Form(form): Form<DecisionForm>,
) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let run_slug = slug.clone();
    let outcome = state
        .run(move |commons, now| {
            let confirm = match form.decision.as_str() {
                "confirm" => true,
                "decline" => false,
                _ => return Err(peerstake_app::error::invalid("decision", "use confirm or decline")),
            };
            commons.acting(Some(&account)).decide_usage(&run_slug, number, confirm, now)
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/v/{slug}/goods"))),
        Err(error) if shown_in_form(&error) => render_venture_goods(&state, &caller, slug, Some(error)).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

pub(super) async fn goods_page(State(state): State<AppState>, caller: Caller) -> PageResult {
    render_goods(&state, &caller, None).await
}

async fn render_goods(state: &AppState, caller: &Caller, failure: Option<AppError>) -> PageResult {
    let account = caller.account.clone();
    let (goods, inbox, ventures) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            let inbox = if account.is_some() { Some(acting.owner_inbox()?) } else { None };
            let ventures = if account.is_some() { acting.ventures("", now)?.into_iter().map(|v| v.venture.record.slug).collect() } else { Vec::new() };
            Ok((commons.goods(None)?, inbox, ventures))
        })
        .await
        .map_err(fail(caller))?;
    let failure = failure.as_ref();
    let me = caller.account.as_ref().map(|a| a.id);
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
                            (csrf_field(caller)) button type="submit" name="decision" value="accept" { "Accept" } " " button.secondary type="submit" name="decision" value="decline" { "Decline" }
                        }
                    } }
                    @for u in &inbox.usages { li data-ask=(format!("usage-{}-{}", u.booking.venture, u.record.number)) {
                        (u.booking.venture) " used " strong { (u.booking.good.record.description) } " " (units(u.record.units_milli)) " " (u.booking.good.record.unit) " on " (u.record.occurred_on.to_string())
                        " (worth " (u.booking.good.currency.format(u.value_minor)) ") "
                        form.inline method="post" action=(format!("/v/{}/usage/{}/decide", u.booking.venture, u.record.number)) {
                            (csrf_field(caller)) button type="submit" name="decision" value="confirm" { "Confirm" } " " button.secondary type="submit" name="decision" value="decline" { "Decline" }
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
                        " " form.inline method="post" action=(format!("/goods/{}/withdraw", g.record.id)) { (csrf_field(caller)) button.secondary type="submit" { "Withdraw" } }
                        details { summary { "Give it to a venture" }
                            form.stack method="post" action=(format!("/goods/{}/give", g.record.id)) {
                                (csrf_field(caller))
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
        @if caller.account.is_some() {
            h2 { "Register a good" }
            form.stack method="post" action="/goods" {
                (csrf_field(caller))
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
    let status = failure.map_or(StatusCode::OK, status_of);
    Ok(show_status(caller, status, "Goods", body))
}

pub(super) async fn register_good(State(state): State<AppState>, caller: Caller, Form(form): Form<GoodForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let outcome = state
        .run(move |commons, now| {
            let request = RegisterGood {
                account: account.id,
                kind: form.kind,
                description: form.description,
                currency: form.currency,
                rate: read_amount(commons.numbers_for(&account, None)?, "rate", &form.rate)?,
                unit: form.unit,
                available_from: optional("available from", &form.available_from)?,
                available_until: optional("available until", &form.available_until)?,
                availability: form.availability,
            };
            commons.acting(Some(&account)).register_good(&request, now)
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other("/goods")),
        Err(error) if shown_in_form(&error) => render_goods(&state, &caller, Some(error)).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

pub(super) async fn withdraw_good(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>, Form(form): Form<CsrfOnly>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let outcome = state.run(move |commons, _| commons.acting(Some(&account)).withdraw_good(id)).await;
    match outcome {
        Ok(_) => Ok(see_other("/goods")),
        Err(error) if shown_in_form(&error) => render_goods(&state, &caller, Some(error)).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

pub(super) async fn give_good(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>, Form(form): Form<GiftForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let outcome = state
        .run(move |commons, now| {
            let venture = form.venture.clone();
            let value = read_amount(commons.numbers_for(&account, Some(&venture))?, "value", &form.value)?;
            let request = GiveGood { account: account.id, good: id, venture: form.venture, condition: form.condition, value, note: form.note };
            commons.acting(Some(&account)).give_good(&request, now).map(|stored| (venture, stored.entry.seq))
        })
        .await;
    match outcome {
        Ok((venture, seq)) => Ok(see_other(&format!("/v/{venture}/entries/{seq}"))),
        Err(error) if shown_in_form(&error) => render_goods(&state, &caller, Some(error)).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

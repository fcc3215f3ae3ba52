//! The well: what it holds and from whom, each depositor's account of it, and what the venture's
//! needs and months cost.

use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use maud::html;

use super::kit::*;
use crate::AppState;
use crate::extract::Actor;

pub(super) async fn well_page(actor: Actor, Path(slug): Path<String>) -> PageResult {
    render_well(&actor, slug, None).await
}

pub(super) async fn member_well_page(actor: Actor, Path((slug, handle)): Path<(String, String)>) -> PageResult {
    render_well(&actor, slug, Some(handle)).await
}

async fn render_well(actor: &Actor, slug: String, handle: Option<String>) -> PageResult {
    let (standing, statement) = actor
        .run(move |acting, now| {
            let statement = match &handle {
                Some(h) => acting.member_well(&slug, h, now)?,
                None => acting.well(&slug, now)?,
            };
            Ok((acting.standing(&slug, now)?, statement))
        })
        .await
        .map_err(fail(actor))?;
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
    Ok(show(actor, "Well", body))
}

pub(super) async fn costs_page(actor: Actor, Path(slug): Path<String>) -> PageResult {
    let (standing, costs) = actor.run(move |acting, now| Ok((acting.standing(&slug, now)?, acting.shared_costs(&slug, now)?))).await.map_err(fail(&actor))?;
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
    Ok(show(&actor, "Shared costs", body))
}

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/v/{slug}/well", get(well_page)).route("/v/{slug}/well/{handle}", get(member_well_page)).route("/v/{slug}/costs", get(costs_page))
}

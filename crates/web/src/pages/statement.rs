//! A member's statement: their slices, their share of each distribution, what the well owes
//! them back and the buyouts of their slices. Shown on its own page and again after a buyout is
//! answered from it; the report prints each. A leaf: it imports no page module but the kit and
//! the widgets.

use maud::{Markup, html};
use peerstake_app::access::Standing;
use peerstake_app::error::AppError;
use peerstake_app::payouts::Statement;
use peerstake_core::lifecycle::LeaveCase;
use peerstake_core::money::Currency;

use super::kit::*;
use super::widgets::*;
use crate::extract::{Actor, Caller};

/// What a split's or a cap table's weight is, in words.
pub(super) fn weight_words(currency: Currency, basis: &str, weight: i64) -> String {
    if basis == "cap-table" { format!("{weight} shares") } else { format!("{} slices", currency.format_slices(weight)) }
}

pub(super) fn basis_words(basis: &str) -> &'static str {
    if basis == "cap-table" { "the frozen cap table" } else { "the split" }
}

/// A member's statement. A member who left a members-only venture reads their own (and only
/// theirs), without the venture's navigation, which is closed to them.
pub(super) async fn render_statement(actor: &Actor, slug: String, handle: Option<String>, failure: Option<AppError>) -> PageResult {
    let (standing, statement, readable) = actor
        .run(move |acting, now| {
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
        .map_err(fail(actor))?;
    let failure = failure.as_ref();
    let c = currency_of(&standing).map_err(fail(actor))?;
    let slug = &standing.venture.record.slug;
    let own = standing.handle() == Some(statement.member.as_str());
    let body = html! {
        h1 { "Statement of " (who(&statement.display_name, &statement.member)) " in " (standing.venture.record.name) }
        @if readable { (venture_nav(&standing)) }
        @else { p.notice { "You left this venture, which only its members may read; your statement stays yours to read." } }
        (form_error(failure))
        (statement_body(actor, &standing, slug, c, &statement, own, readable))
    };
    Ok(show_status(actor, status_with(failure), &format!("Statement of {}", statement.member), body))
}

/// What a member holds and received: slices and shares, payouts with what each was split by,
/// buyouts of their slices, and claw-backs owed to them.
pub(super) fn statement_body(actor: &Caller, standing: &Standing, slug: &str, c: Currency, s: &Statement, own: bool, linked: bool) -> Markup {
    html! {
        @if let Some((on, case)) = &s.departed {
            p data-departed=(on) { "Left on " (on) ", " (LeaveCase::from_name(case).map_or(case.as_str(), |known| known.words())) "." }
        }
        div.scroll { table.narrow data-statement=(s.member) {
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
                    td { @if own { (buyout_actions(actor, standing, slug, b, "statement")) } }
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

//! Holds: what a need has covered (pledges held and goods booked toward it), and the one place
//! holds resolve: when a need is met every hold is posted into the well at once, each as a
//! deposit by its backer; when its deadline passes first, every hold is released. Pledges
//! (`capital`) and bookings of goods (`goods`) both cover needs, so this is shared.

use crate::book::{Book, Draft};
use crate::error::AppError;
use crate::journal::append_input;
use crate::{Commons, Now};
use peerstake_core::chain::EntryHash;
use peerstake_core::input::Input;
use peerstake_core::money::Currency;
use peerstake_store::{AccountId, NeedRecord, PledgeRecord, Transaction, VentureId};
use std::collections::{HashMap, HashSet};
use time::Date;

/// A need with its progress.
#[derive(Debug, Clone)]
pub struct NeedView {
    /// The stored need.
    pub record: NeedRecord,
    /// The venture's currency.
    pub currency: Currency,
    /// Pledges still held.
    pub held_minor: i64,
    /// Pledges posted into the well.
    pub posted_minor: i64,
    /// Goods booked toward it, valued at their rate over the use planned.
    pub goods_minor: i64,
    /// Paid out of the well toward it.
    pub paid_minor: i64,
    /// People with a live pledge (held or posted).
    pub backers: usize,
}

impl NeedView {
    /// What covers the need so far: pledges and goods.
    pub fn covered_minor(&self) -> i64 {
        self.held_minor.saturating_add(self.posted_minor).saturating_add(self.goods_minor)
    }

    /// The most it takes: the stretch goal, or the goal.
    pub fn cap_minor(&self) -> i64 {
        self.record.stretch_minor.unwrap_or(self.record.goal_minor)
    }

    /// What is still open to pledges.
    pub fn remaining_minor(&self) -> i64 {
        (self.cap_minor() - self.covered_minor()).max(0)
    }

    /// Progress toward the goal, whole percent, at most 100.
    pub fn percent(&self) -> u32 {
        percent_of(self.covered_minor(), self.record.goal_minor)
    }

    /// Progress toward the stretch goal, when there is one.
    pub fn stretch_percent(&self) -> Option<u32> {
        self.record.stretch_minor.map(|stretch| percent_of(self.covered_minor(), stretch))
    }

    /// One period's amount (the goal for a one-off).
    pub fn period_minor(&self) -> i64 {
        self.record.goal_minor / i64::from(self.record.periods.max(1))
    }

    /// Whether it takes pledges on `today`: open, or met with a stretch goal not yet reached,
    /// and the deadline not past.
    pub fn takes_pledges(&self, today: Date) -> bool {
        let stage = match self.record.status.as_str() {
            "open" => true,
            "met" => self.record.stretch_minor.is_some(),
            _ => false,
        };
        stage && today <= self.record.deadline && self.remaining_minor() > 0
    }
}

pub(crate) fn percent_of(part: i64, whole: i64) -> u32 {
    if whole <= 0 {
        return 0;
    }
    let percent = (i128::from(part.max(0)) * 100 / i128::from(whole)).min(100);
    u32::try_from(percent).unwrap_or(100)
}

/// Progress of every need of a venture, read inside a transaction.
pub(crate) fn need_views(tx: &mut dyn Transaction, book: &Book) -> Result<Vec<NeedView>, AppError> {
    let venture = book.venture.id;
    let needs = tx.needs(venture)?;
    if needs.is_empty() {
        return Ok(Vec::new());
    }
    let pledges = tx.pledges(venture, None)?;
    let goods_value = booked_goods_value(tx, venture)?;
    let mut paid: HashMap<u32, i64> = HashMap::new();
    for (need, seq) in tx.need_payments(venture)? {
        if tx.reversal_of(venture, seq)?.is_some() {
            continue;
        }
        if let Some(entry) = tx.entry(venture, seq)? {
            *paid.entry(need).or_default() += entry.entry.fmv_minor;
        }
    }
    Ok(needs
        .into_iter()
        .map(|record| {
            let mine = pledges.iter().filter(|p| p.need == record.number);
            let held_minor = mine.clone().filter(|p| p.status == "held").map(|p| p.amount_minor).sum();
            let posted_minor = mine.clone().filter(|p| p.status == "posted").map(|p| p.amount_minor).sum();
            let backers = mine.filter(|p| p.status != "released").map(|p| p.account).collect::<HashSet<_>>().len();
            NeedView {
                goods_minor: goods_value.get(&record.number).copied().unwrap_or(0),
                paid_minor: paid.get(&record.number).copied().unwrap_or(0),
                currency: book.currency,
                held_minor,
                posted_minor,
                backers,
                record,
            }
        })
        .collect())
}

/// What accepted bookings toward each need are worth: rate × use planned, per need.
pub(crate) fn booked_goods_value(tx: &mut dyn Transaction, venture: VentureId) -> Result<HashMap<u32, i64>, AppError> {
    let bookings: Vec<_> = tx.bookings(venture)?.into_iter().filter(|b| b.status == "accepted" && b.need.is_some()).collect();
    let mut out = HashMap::new();
    if bookings.is_empty() {
        return Ok(out);
    }
    let goods: HashMap<i64, i64> = tx.goods(None)?.into_iter().map(|g| (g.id, g.rate_minor)).collect();
    for booking in bookings {
        let (Some(need), Some(rate)) = (booking.need, goods.get(&booking.good)) else { continue };
        *out.entry(need).or_default() += peerstake_core::valuation::use_value(*rate, booking.planned_milli);
    }
    Ok(out)
}

pub(crate) fn need_view(tx: &mut dyn Transaction, book: &Book, number: u32) -> Result<NeedView, AppError> {
    need_views(tx, book)?.into_iter().find(|n| n.record.number == number).ok_or_else(|| AppError::NotFound { what: "need", name: number.to_string() })
}

/// Releases the holds of every open need whose deadline has passed, and marks it unmet.
/// Returns the needs it closed. The caller holds the venture's write lock.
pub(crate) fn settle_due(tx: &mut dyn Transaction, venture: VentureId, now: Now) -> Result<Vec<(u32, Vec<AccountId>)>, AppError> {
    let mut closed = Vec::new();
    for need in tx.needs(venture)? {
        if need.status != "open" || need.deadline >= now.today {
            continue;
        }
        let mut backers = Vec::new();
        for pledge in tx.pledges(venture, Some(need.number))? {
            if pledge.status == "held" && tx.resolve_pledge(venture, pledge.number, "released", now.at_ms, None)? {
                backers.push(pledge.account);
            }
        }
        if tx.set_need_status(venture, need.number, "open", "unmet", now.at_ms)? {
            closed.push((need.number, backers));
        }
    }
    Ok(closed)
}

/// Posts every held pledge of a need as a deposit by its backer when the need is met (marking an
/// open need met first when its goal is covered). Returns the deposits posted.
pub(crate) fn post_if_met(commons: &Commons, tx: &mut dyn Transaction, slug: &str, number: u32, now: Now) -> Result<Vec<u64>, AppError> {
    let book = commons.books.within(tx, slug)?;
    let view = need_view(tx, &book, number)?;
    let venture = book.venture.id;
    if view.record.status == "open" && view.covered_minor() >= view.record.goal_minor {
        tx.set_need_status(venture, number, "open", "met", now.at_ms)?;
    } else if view.record.status != "met" {
        return Ok(Vec::new());
    }
    let mut held: Vec<PledgeRecord> = tx.pledges(venture, Some(number))?.into_iter().filter(|p| p.status == "held").collect();
    // A backer who has left the venture gains nothing new: their hold is released, not posted.
    let linked = tx.member_accounts(venture)?;
    let left = |account: AccountId| linked.iter().any(|(member, a)| *a == account && book.is_departed(*member));
    for pledge in held.iter().filter(|p| left(p.account)) {
        tx.resolve_pledge(venture, pledge.number, "released", now.at_ms, None)?;
    }
    held.retain(|p| !left(p.account));
    if held.is_empty() {
        return Ok(Vec::new());
    }
    let mut backers = Vec::with_capacity(held.len());
    for pledge in &held {
        backers.push(crate::membership::ensure_member(commons, tx, slug, pledge.account, "backer", now)?);
    }
    // Members may have been added: read the book again.
    let book = commons.books.within(tx, slug)?;
    let mut head: (u64, EntryHash) = (book.venture.head_seq, book.venture.head_hash);
    let mut posted = Vec::with_capacity(held.len());
    for (pledge, backer) in held.iter().zip(backers) {
        let input = Input::Deposit { amount_minor: pledge.amount_minor };
        let note = format!("Pledge #{} to need #{}: {}", pledge.number, number, view.record.title);
        let draft = Draft { occurred_on: now.today, recorded_at_ms: now.at_ms, author: Some(backer), member: Some(backer), input: &input, note: &note };
        let stored = append_input(tx, &book, &draft, &mut head)?;
        if !tx.resolve_pledge(venture, pledge.number, "posted", now.at_ms, Some(stored.entry.seq))? {
            return Err(AppError::Internal(format!("pledge #{} was resolved twice", pledge.number)));
        }
        posted.push(stored.entry.seq);
    }
    Ok(posted)
}

impl Commons {
    /// Re-checks a need after goods were booked toward it: when now covered, its holds post.
    pub(crate) fn recheck_need(&self, tx: &mut dyn Transaction, venture: &str, number: u32, now: Now) -> Result<Vec<u64>, AppError> {
        post_if_met(self, tx, venture, number, now)
    }
}

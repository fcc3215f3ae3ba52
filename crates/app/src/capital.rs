//! Pooling dispersed capital: a venture publishes its needs (one-off or recurring costs, with a
//! goal, a deadline and an optional stretch goal); anyone signed in pledges small amounts toward
//! one. A pledge is a hold, all or nothing: when what is pledged and booked in goods reaches the
//! goal, every hold is posted at once as a deposit into the well by its backer; when the deadline
//! passes first, every hold is released. Spending from the well on a need turns into cash slices
//! for the depositors, pro rata (the ledger's withdrawal), and unspent money can be handed back.
//!
//! Every check that guards a pledge (the goal, what remains of it, the need still open) runs
//! under the venture's write lock in the same transaction as the write, so racing pledges can
//! never overfund a need, and a hold leaves `held` exactly once.

use crate::book::{Book, Draft, check_note};
use crate::error::{AppError, invalid};
use crate::forms::check_text;
use crate::holds::{NeedView, need_view, need_views, post_if_met, settle_due};
use crate::idempotency::{fingerprint, remember, replayed};
use crate::journal::append_input;
use crate::{Commons, Now};
use peerstake_core::input::Input;
use peerstake_core::money::check_amount;
use peerstake_store::{AccountId, Mode, NeedRecord, PledgeRecord, StoredEntry};
use std::collections::HashMap;
use time::{Date, Duration};

/// Recurring needs: a cost that comes each week or each month.
pub const CADENCES: [&str; 2] = ["weekly", "monthly"];

/// The most periods one need can ask for at once (ten years of months).
pub const PERIODS_MAX: u32 = 520;

/// The latest deadline, counted from the day a need is published.
pub const DEADLINE_DAYS_MAX: i64 = 366 * 2;

/// A need's title, in characters.
pub const TITLE_CHARS_MAX: usize = 120;

/// A need to publish.
#[derive(Debug, Clone, Default)]
pub struct PublishNeed {
    /// The venture's slug.
    pub venture: String,
    /// What it is for.
    pub title: String,
    /// More about it.
    pub description: String,
    /// The cost of a one-off, or of one period of a recurring need.
    pub amount: String,
    /// Empty for a one-off; `weekly` or `monthly` for a recurring cost.
    pub cadence: String,
    /// How many periods the goal covers (a one-off takes 1 or 0).
    pub periods: u32,
    /// A stretch goal above the goal (the whole amount), or empty.
    pub stretch: String,
    /// The smallest pledge taken; empty for one unit of the currency.
    pub min_pledge: String,
    /// The last day pledges are taken.
    pub deadline: Option<Date>,
    /// The steward publishing it (none for the operator).
    pub by: Option<String>,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// A pledge with who made it.
#[derive(Debug, Clone)]
pub struct PledgeView {
    /// The stored pledge.
    pub record: PledgeRecord,
    /// The backer's username.
    pub username: String,
    /// The backer's display name.
    pub display_name: String,
}

/// A pledge to make.
#[derive(Debug, Clone)]
pub struct PledgeRequest {
    /// The venture's slug.
    pub venture: String,
    /// The need.
    pub need: u32,
    /// Who pledges.
    pub account: AccountId,
    /// How much.
    pub amount: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// What a pledge did.
#[derive(Debug, Clone)]
pub struct PledgeOutcome {
    /// The pledge as held (or posted), after any cap.
    pub pledge: PledgeRecord,
    /// What was asked for; more than the pledge when it was capped at what remained.
    pub asked_minor: i64,
    /// The need afterwards.
    pub need: NeedView,
    /// The deposits posted by this pledge meeting the goal (or by a pledge to a met need).
    pub posted: Vec<u64>,
}

/// A payment of a need from the well.
#[derive(Debug, Clone, Default)]
pub struct PayNeed {
    /// The venture's slug.
    pub venture: String,
    /// The need.
    pub need: u32,
    /// How much; empty for what is left of the goal (at most the well's balance).
    pub amount: String,
    /// The steward paying (none for the operator).
    pub by: Option<String>,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

impl Commons {
    /// Publishes a need.
    pub fn publish_need(&self, request: &PublishNeed, now: Now) -> Result<NeedView, AppError> {
        check_text("title", &request.title, TITLE_CHARS_MAX, true)?;
        check_note(&request.description)?;
        let cadence = match request.cadence.trim() {
            "" | "once" | "one-off" => None,
            c if CADENCES.contains(&c) => Some(c.to_string()),
            _ => return Err(invalid("cadence", "use weekly or monthly for a recurring cost, or leave it empty for a one-off")),
        };
        let periods = match (&cadence, request.periods) {
            (None, 0 | 1) => 1,
            (None, _) => return Err(invalid("periods", "a one-off cost has one period; choose a cadence for a recurring one")),
            (Some(_), 0) => return Err(invalid("periods", "say how many periods the goal covers")),
            (Some(_), n) if n > PERIODS_MAX => return Err(invalid("periods", format!("at most {PERIODS_MAX}"))),
            (Some(_), n) => n,
        };
        let deadline = request.deadline.ok_or_else(|| invalid("deadline", "is required"))?;
        if deadline < now.today {
            return Err(AppError::DateOutOfRange { field: "deadline", reason: format!("{deadline} has passed (today is {})", now.today) });
        }
        if deadline > now.today + Duration::days(DEADLINE_DAYS_MAX) {
            return Err(AppError::DateOutOfRange { field: "deadline", reason: format!("is more than {DEADLINE_DAYS_MAX} days away") });
        }
        let key = fingerprint(&[
            "publish-need",
            &request.venture,
            &request.title,
            &request.description,
            &request.amount,
            &request.cadence,
            &periods.to_string(),
            &request.stretch,
            &request.min_pledge,
            &deadline.to_string(),
            request.by.as_deref().unwrap_or(""),
        ]);
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let venture = book.venture.id;
        if let Some(result) = replayed(tx.as_mut(), venture, request.idempotency_key.as_deref(), &key)? {
            let number = result.strip_prefix("need:").and_then(|n| n.parse().ok()).ok_or_else(|| invalid("idempotency key", "refers to no need"))?;
            return need_view(tx.as_mut(), &book, number);
        }
        let created_by = request.by.as_deref().map(|h| book.member(h).map(|m| m.member_no)).transpose()?;
        let currency = book.currency;
        if request.amount.trim().is_empty() {
            return Err(invalid("amount", "is required"));
        }
        let amount = currency.parse_amount("amount", &request.amount)?;
        if amount == 0 {
            return Err(invalid("amount", "must be more than zero"));
        }
        let goal = check_amount("goal", amount.checked_mul(i64::from(periods)).ok_or(peerstake_core::DomainError::Overflow("the goal"))?)?;
        let stretch = match request.stretch.trim() {
            "" => None,
            text => {
                let stretch = currency.parse_amount("stretch goal", text)?;
                if stretch <= goal {
                    return Err(invalid("stretch goal", format!("must be more than the goal ({})", currency.format(goal))));
                }
                Some(stretch)
            }
        };
        let min_pledge = match request.min_pledge.trim() {
            "" => currency.minor_per_major().min(goal),
            text => currency.parse_amount("minimum pledge", text)?,
        };
        if min_pledge == 0 || min_pledge > goal {
            return Err(invalid("minimum pledge", format!("must be more than zero and at most the goal ({})", currency.format(goal))));
        }
        let record = NeedRecord {
            number: 0,
            title: request.title.trim().to_string(),
            description: request.description.trim().to_string(),
            goal_minor: goal,
            stretch_minor: stretch,
            cadence,
            periods,
            deadline,
            min_pledge_minor: min_pledge,
            status: "open".into(),
            created_by,
            created_at_ms: now.at_ms,
            resolved_at_ms: None,
        };
        let number = tx.insert_need(venture, &record)?;
        remember(tx.as_mut(), venture, request.idempotency_key.as_deref(), &key, &format!("need:{number}"), now)?;
        let view = need_view(tx.as_mut(), &book, number)?;
        tx.commit()?;
        Ok(view)
    }

    /// A venture's needs with their progress. Needs whose deadline has passed are settled first
    /// (their holds released), so what is shown is what holds.
    pub fn needs(&self, venture: &str, now: Now) -> Result<Vec<NeedView>, AppError> {
        let due = {
            let mut tx = self.store.begin(Mode::Read)?;
            let book = self.books.read(tx.as_mut(), venture)?;
            let views = need_views(tx.as_mut(), &book)?;
            if !views.iter().any(|n| n.record.status == "open" && n.record.deadline < now.today) {
                return Ok(views);
            }
            true
        };
        if due {
            self.settle_needs(venture, now)?;
        }
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        need_views(tx.as_mut(), &book)
    }

    /// One need with its pledges, newest first.
    pub fn need(&self, venture: &str, number: u32, now: Now) -> Result<(NeedView, Vec<PledgeView>), AppError> {
        let view = self
            .needs(venture, now)?
            .into_iter()
            .find(|n| n.record.number == number)
            .ok_or_else(|| AppError::NotFound { what: "need", name: number.to_string() })?;
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let mut accounts: HashMap<AccountId, (String, String)> = HashMap::new();
        let mut pledges = Vec::new();
        for record in tx.pledges(book.venture.id, Some(number))?.into_iter().rev() {
            let (username, display_name) = match accounts.get(&record.account) {
                Some(names) => names.clone(),
                None => {
                    let names = tx.account(record.account)?.map_or_else(|| (format!("#{}", record.account.0), String::new()), |a| (a.username, a.display_name));
                    accounts.insert(record.account, names.clone());
                    names
                }
            };
            pledges.push(PledgeView { record, username, display_name });
        }
        Ok((view, pledges))
    }

    /// Pledges toward a need: a hold, capped at what remains of the goal (or the stretch goal).
    /// When it meets the goal, every hold is posted into the well at once.
    pub fn pledge(&self, request: &PledgeRequest, now: Now) -> Result<PledgeOutcome, AppError> {
        let key = fingerprint(&["pledge", &request.venture, &request.need.to_string(), &request.account.0.to_string(), &request.amount]);
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let venture = book.venture.id;
        if let Some(result) = replayed(tx.as_mut(), venture, request.idempotency_key.as_deref(), &key)? {
            let number: u32 = result.strip_prefix("pledge:").and_then(|n| n.parse().ok()).ok_or_else(|| invalid("idempotency key", "refers to no pledge"))?;
            let pledge = tx
                .pledges(venture, Some(request.need))?
                .into_iter()
                .find(|p| p.number == number)
                .ok_or_else(|| invalid("idempotency key", "refers to no pledge"))?;
            let need = need_view(tx.as_mut(), &book, request.need)?;
            return Ok(PledgeOutcome { asked_minor: pledge.amount_minor, pledge, need, posted: Vec::new() });
        }
        if let Some(member) = tx.account_member(venture, request.account)?
            && let Some(record) = book.member_by_no(member)
            && let Some(on) = record.departed_on
        {
            return Err(AppError::Forbidden(format!("you left {} on {on}; a pledge would make you new slices", book.venture.slug)));
        }
        let closed = settle_due(tx.as_mut(), venture, now)?;
        let view = need_view(tx.as_mut(), &book, request.need)?;
        if request.amount.trim().is_empty() {
            return Err(invalid("amount", "is required"));
        }
        let asked = book.currency.parse_amount("amount", &request.amount)?;
        if asked == 0 {
            return Err(invalid("amount", "must be more than zero"));
        }
        if !view.takes_pledges(now.today) {
            let why = match view.record.status.as_str() {
                "met" | "open" if view.remaining_minor() == 0 => "is fully pledged".to_string(),
                "met" => "is met".to_string(),
                "unmet" => format!("closed unmet on {}", view.record.deadline),
                "cancelled" => "was cancelled".to_string(),
                _ => format!("closed on {}", view.record.deadline),
            };
            // Releases made on the way are kept: they were due whatever this pledge does.
            if !closed.is_empty() {
                tx.commit()?;
            }
            return Err(invalid("need", format!("#{} {why}", request.need)));
        }
        let remaining = view.remaining_minor();
        if asked < view.record.min_pledge_minor && asked < remaining {
            return Err(invalid("amount", format!("the smallest pledge to this need is {}", book.currency.format(view.record.min_pledge_minor))));
        }
        let amount = asked.min(remaining);
        let mut pledge = PledgeRecord {
            number: 0,
            need: request.need,
            account: request.account,
            amount_minor: amount,
            status: "held".into(),
            created_at_ms: now.at_ms,
            resolved_at_ms: None,
            entry_seq: None,
        };
        pledge.number = tx.insert_pledge(venture, &pledge)?;
        let posted = post_if_met(self, tx.as_mut(), &request.venture, request.need, now)?;
        remember(tx.as_mut(), venture, request.idempotency_key.as_deref(), &key, &format!("pledge:{}", pledge.number), now)?;
        let book = self.books.within(tx.as_mut(), &request.venture)?;
        let need = need_view(tx.as_mut(), &book, request.need)?;
        let pledges = tx.pledges(venture, Some(request.need))?;
        if let Some(resolved) = pledges.iter().find(|p| p.number == pledge.number) {
            pledge = resolved.clone();
        }
        let all_backers: Vec<AccountId> = pledges.iter().filter(|p| p.status == "posted").map(|p| p.account).collect();
        tx.commit()?;
        self.tell_closed(&book, &closed);
        if view.record.status == "open" && need.record.status == "met" {
            let subject = format!("[{}] Need #{} is met: {}", book.venture.name, need.record.number, need.record.title);
            let body = format!(
                "The goal of {} was reached. Every pledge has been posted into the well as a deposit by its backer; it earns cash slices when it is spent.",
                book.currency.format(need.record.goal_minor)
            );
            self.notify_accounts(&all_backers, &subject, &body, &format!("/v/{}/needs/{}", book.venture.slug, need.record.number));
        }
        Ok(PledgeOutcome { pledge, asked_minor: asked, need, posted })
    }

    fn tell_closed(&self, book: &Book, closed: &[(u32, Vec<AccountId>)]) {
        for (number, backers) in closed {
            let subject = format!("[{}] Need #{number} closed unmet", book.venture.name);
            let body = "Its deadline passed before the goal was reached, so every pledge to it was released: nothing was taken.";
            self.notify_accounts(backers, &subject, body, &format!("/v/{}/needs/{number}", book.venture.slug));
        }
    }

    /// Releases the holds of every need of a venture whose deadline has passed unmet; returns how
    /// many needs closed.
    pub fn settle_needs(&self, venture: &str, now: Now) -> Result<usize, AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let closed = settle_due(tx.as_mut(), book.venture.id, now)?;
        tx.commit()?;
        self.tell_closed(&book, &closed);
        Ok(closed.len())
    }

    /// Settles due needs in every venture (the server runs this on a timer).
    pub fn settle_all_needs(&self, now: Now) -> Result<usize, AppError> {
        let slugs: Vec<String> = {
            let mut tx = self.store.begin(Mode::Read)?;
            tx.ventures()?.into_iter().map(|v| v.slug).collect()
        };
        let mut closed = 0;
        for slug in slugs {
            closed += self.settle_needs(&slug, now)?;
        }
        Ok(closed)
    }

    /// Cancels an open need (or a met one still taking stretch pledges): held pledges are
    /// released; what was posted stays in the well.
    pub fn cancel_need(&self, venture: &str, number: u32, now: Now) -> Result<NeedView, AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let view = need_view(tx.as_mut(), &book, number)?;
        if view.record.status != "open" {
            return Err(invalid("need", format!("#{number} is {}; only an open need can be cancelled", view.record.status)));
        }
        let mut backers = Vec::new();
        for pledge in tx.pledges(book.venture.id, Some(number))? {
            if pledge.status == "held" && tx.resolve_pledge(book.venture.id, pledge.number, "released", now.at_ms, None)? {
                backers.push(pledge.account);
            }
        }
        tx.set_need_status(book.venture.id, number, "open", "cancelled", now.at_ms)?;
        let view = need_view(tx.as_mut(), &book, number)?;
        tx.commit()?;
        let subject = format!("[{}] Need #{number} was cancelled", book.venture.name);
        self.notify_accounts(&backers, &subject, "Your pledge to it was released: nothing was taken.", &format!("/v/{}/needs/{number}", book.venture.slug));
        Ok(view)
    }

    /// Pays a need from the well: a withdrawal, split across the depositors pro rata, each share
    /// turning into cash slices for its depositor. Payments of a need add up to at most its
    /// goal (or stretch goal).
    pub fn pay_need(&self, request: &PayNeed, now: Now) -> Result<StoredEntry, AppError> {
        let key = fingerprint(&["pay-need", &request.venture, &request.need.to_string(), &request.amount, request.by.as_deref().unwrap_or("")]);
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let venture = book.venture.id;
        if let Some(result) = replayed(tx.as_mut(), venture, request.idempotency_key.as_deref(), &key)? {
            return crate::journal::entry_result(tx.as_mut(), venture, &result);
        }
        let view = need_view(tx.as_mut(), &book, request.need)?;
        if matches!(view.record.status.as_str(), "cancelled" | "unmet") {
            return Err(invalid("need", format!("#{} is {}; it is not a cost to pay", request.need, view.record.status)));
        }
        let left = (view.cap_minor() - view.paid_minor).max(0);
        if left == 0 {
            return Err(invalid("need", format!("#{} is paid in full ({})", request.need, book.currency.format(view.paid_minor))));
        }
        // What the well may spend: under the current edition, money of members who left is owed
        // back to them and pays for nothing.
        let leavers_out = book.venture.edition.leavers_leave_the_well();
        let well: i64 = tx.well_balances(venture)?.iter().filter(|(member, _)| !(leavers_out && book.is_departed(*member))).map(|(_, b)| *b).sum();
        let amount = match request.amount.trim() {
            // What is left of the goal, or of the stretch goal once the goal is paid.
            "" => (if view.paid_minor < view.record.goal_minor { view.record.goal_minor - view.paid_minor } else { left }).min(well),
            text => book.currency.parse_amount("amount", text)?,
        };
        if amount == 0 {
            return Err(invalid("amount", if well == 0 { "the well is empty".to_string() } else { "must be more than zero".to_string() }));
        }
        if amount > left {
            return Err(invalid("amount", format!("need #{} has {} left to pay", request.need, book.currency.format(left))));
        }
        let author = request.by.as_deref().map(|h| book.member(h).map(|m| m.member_no)).transpose()?;
        let input = Input::Withdrawal { amount_minor: amount };
        let note = format!("Need #{}: {}", request.need, view.record.title);
        let draft = Draft { occurred_on: now.today, recorded_at_ms: now.at_ms, author, member: None, input: &input, note: &note };
        let mut head = (book.venture.head_seq, book.venture.head_hash);
        let stored = append_input(tx.as_mut(), &book, &draft, &mut head)?;
        tx.insert_need_payment(venture, request.need, stored.entry.seq)?;
        remember(tx.as_mut(), venture, request.idempotency_key.as_deref(), &key, &format!("entry:{}", stored.entry.seq), now)?;
        tx.commit()?;
        Ok(stored)
    }
}

impl crate::access::Acting<'_> {
    /// Publishes a need (stewards).
    pub fn publish_need(&self, request: &PublishNeed, now: Now) -> Result<NeedView, AppError> {
        let standing = self.standing(&request.venture, now)?;
        let steward = standing.require_steward()?;
        self.commons.publish_need(&PublishNeed { by: Some(steward.handle.clone()), ..request.clone() }, now)
    }

    /// A venture's needs (whoever may read the venture).
    pub fn needs(&self, slug: &str, now: Now) -> Result<Vec<NeedView>, AppError> {
        self.standing(slug, now)?;
        self.commons.needs(slug, now)
    }

    /// One need with its pledges.
    pub fn need(&self, slug: &str, number: u32, now: Now) -> Result<(NeedView, Vec<PledgeView>), AppError> {
        self.standing(slug, now)?;
        self.commons.need(slug, number, now)
    }

    /// Pledges toward a need as the signed-in person (anyone who may read the venture).
    pub fn pledge(&self, slug: &str, need: u32, amount: &str, idempotency_key: Option<String>, now: Now) -> Result<PledgeOutcome, AppError> {
        let account = self.signed_in()?;
        self.standing(slug, now)?;
        self.commons.pledge(&PledgeRequest { venture: slug.to_string(), need, account: account.id, amount: amount.to_string(), idempotency_key }, now)
    }

    /// Cancels an open need (stewards).
    pub fn cancel_need(&self, slug: &str, number: u32, now: Now) -> Result<NeedView, AppError> {
        self.standing(slug, now)?.require_steward()?;
        self.commons.cancel_need(slug, number, now)
    }

    /// Pays a need from the well (stewards).
    pub fn pay_need(&self, request: &PayNeed, now: Now) -> Result<StoredEntry, AppError> {
        let standing = self.standing(&request.venture, now)?;
        let steward = standing.require_steward()?;
        self.commons.pay_need(&PayNeed { by: Some(steward.handle.clone()), ..request.clone() }, now)
    }
}

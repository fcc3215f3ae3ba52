//! Recurring contributions: a member sets up a standing contribution (20 hours a week, a desk's
//! monthly rent); each period that comes round creates a draft that waits for the member to
//! confirm it (then it is logged like any contribution, and reviewed as the policy says) or skip it.

use crate::access::Standing;
use crate::book::check_note;
use crate::error::{AppError, invalid};
use crate::forms::ContributionForm;
use crate::journal::{LogRequest, draft_entry, persist_logged};
use crate::{Commons, Now};
use peerstake_store::MemberRecord;
use peerstake_store::{DraftRecord, Mode, RecurringRecord, Transaction, VentureId};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

/// The most periods one run drafts for one recurring contribution (a year of weeks, and more).
pub const PERIODS_PER_RUN_MAX: usize = 60;

/// A recurring contribution to set up.
#[derive(Debug, Clone)]
pub struct SetUpRecurring {
    /// The venture's slug.
    pub venture: String,
    /// Handle of whom it is for.
    pub member: String,
    /// What each period contributes.
    pub form: ContributionForm,
    /// What is done each period.
    pub note: String,
    /// `weekly` or `monthly`.
    pub cadence: String,
    /// The first period.
    pub starts_on: Date,
    /// The last day a period may fall on.
    pub ends_on: Option<Date>,
}

/// A recurring contribution with whom it is for.
#[derive(Debug, Clone)]
pub struct RecurringView {
    /// The stored record.
    pub record: RecurringRecord,
    /// The member's handle.
    pub member: String,
    /// What each period contributes.
    pub form: ContributionForm,
}

/// A draft with its recurring contribution.
#[derive(Debug, Clone)]
pub struct DraftView {
    /// The draft.
    pub draft: DraftRecord,
    /// Its recurring contribution.
    pub recurring: RecurringView,
}

/// The form fields as stored.
#[derive(Serialize, Deserialize)]
struct StoredForm {
    kind: String,
    quantity: String,
    amount: String,
    paid: String,
    condition: String,
    unit: String,
    rate: String,
    class: String,
}

fn encode(form: &ContributionForm) -> String {
    let stored = StoredForm {
        kind: form.kind.clone(),
        quantity: form.quantity.clone(),
        amount: form.amount.clone(),
        paid: form.paid.clone(),
        condition: form.condition.clone(),
        unit: form.unit.clone(),
        rate: form.rate.clone(),
        class: form.class.clone(),
    };
    serde_json::to_string(&stored).unwrap_or_default()
}

fn decode(text: &str) -> Result<ContributionForm, AppError> {
    let s: StoredForm = serde_json::from_str(text).map_err(|e| AppError::Internal(format!("a recurring contribution cannot be read: {e}")))?;
    Ok(ContributionForm {
        kind: s.kind,
        quantity: s.quantity,
        amount: s.amount,
        paid: s.paid,
        condition: s.condition,
        unit: s.unit,
        rate: s.rate,
        class: s.class,
    })
}

/// The days a period's work covers, ending on its date: a week, or the days since the same day of
/// the month before. Work of more than 24 hours is logged over them.
fn period_days(cadence: &str, period_on: Date) -> i64 {
    match cadence {
        "weekly" => 7,
        _ => {
            let (year, month) = if period_on.month() == time::Month::January {
                (period_on.year() - 1, time::Month::December)
            } else {
                (period_on.year(), period_on.month().previous())
            };
            let day = period_on.day().min(time::util::days_in_month(month, year));
            Date::from_calendar_date(year, month, day).map_or(28, |before| (period_on - before).whole_days())
        }
    }
}

/// The period after `date`.
fn next_period(cadence: &str, date: Date, start: Date) -> Option<Date> {
    match cadence {
        "weekly" => date.checked_add(Duration::weeks(1)),
        _ => {
            // The same day of the month as the start, or the month's last day when it is shorter.
            let (year, month) =
                if date.month() == time::Month::December { (date.year() + 1, time::Month::January) } else { (date.year(), date.month().next()) };
            let day = start.day().min(time::util::days_in_month(month, year));
            Date::from_calendar_date(year, month, day).ok()
        }
    }
}

impl Commons {
    /// Sets up a recurring contribution; its first period is drafted when it comes round.
    pub fn set_up_recurring(&self, request: &SetUpRecurring, now: Now) -> Result<RecurringView, AppError> {
        check_note(&request.note)?;
        if !matches!(request.cadence.as_str(), "weekly" | "monthly") {
            return Err(invalid("cadence", "use weekly or monthly"));
        }
        if request.ends_on.is_some_and(|end| end < request.starts_on) {
            return Err(invalid("ends on", "is before it starts"));
        }
        if request.form.kind.trim() == "withdrawal" {
            return Err(invalid("kind", "a withdrawal spends the well once; it does not recur"));
        }
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let member = book.member(&request.member)?.clone();
        // The form must make a valid contribution now; time must fit in the shortest period.
        let shortest = if request.cadence == "weekly" { 7 } else { 28 };
        if request.form.kind.trim() == "time" {
            if let peerstake_core::input::Input::Time { minutes, .. } = request.form.to_period_input(book.currency, shortest)?
                && minutes > peerstake_core::input::MINUTES_PER_DAY_MAX * i64::from(shortest)
            {
                return Err(invalid("hours", format!("at most 24 hours a day: {} hours for a {} contribution", 24 * shortest, request.cadence)));
            }
        } else {
            request.form.to_input(book.currency)?;
        }
        let mut record = RecurringRecord {
            number: 0,
            member: member.member_no,
            form: encode(&request.form),
            note: request.note.trim().to_string(),
            cadence: request.cadence.clone(),
            starts_on: request.starts_on,
            next_on: request.starts_on,
            ends_on: request.ends_on,
            active: true,
            created_at_ms: now.at_ms,
        };
        record.number = tx.insert_recurring(book.venture.id, &record)?;
        tx.commit()?;
        Ok(RecurringView { record, member: member.handle, form: request.form.clone() })
    }

    /// A venture's recurring contributions.
    pub fn recurring(&self, venture: &str) -> Result<Vec<RecurringView>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let mut out = Vec::new();
        for record in tx.recurring(book.venture.id)? {
            let member = book.member_by_no(record.member).map_or_else(|| format!("#{}", record.member.0), |m| m.handle.clone());
            out.push(RecurringView { form: decode(&record.form)?, member, record });
        }
        Ok(out)
    }

    /// Drafts every period that has come round (up to today) in a venture; returns how many.
    pub fn run_recurring(&self, venture: &str, now: Now) -> Result<usize, AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let mut drafted = 0;
        for record in tx.recurring(book.venture.id)? {
            if !record.active || record.next_on > now.today {
                continue;
            }
            let mut next = record.next_on;
            let mut active = true;
            for _ in 0..PERIODS_PER_RUN_MAX {
                if next > now.today {
                    break;
                }
                if record.ends_on.is_some_and(|end| next > end) {
                    active = false;
                    break;
                }
                tx.insert_recurring_draft(book.venture.id, record.number, next)?;
                drafted += 1;
                match next_period(&record.cadence, next, record.starts_on) {
                    Some(date) => next = date,
                    None => {
                        active = false;
                        break;
                    }
                }
            }
            if record.ends_on.is_some_and(|end| next > end) {
                active = false;
            }
            tx.set_recurring_schedule(book.venture.id, record.number, next, active)?;
        }
        tx.commit()?;
        Ok(drafted)
    }

    /// Drafts due periods in every venture (the server runs this on a timer).
    pub fn run_all_recurring(&self, now: Now) -> Result<usize, AppError> {
        let slugs: Vec<String> = {
            let mut tx = self.store.begin(Mode::Read)?;
            tx.ventures()?.into_iter().map(|v| v.slug).collect()
        };
        let mut drafted = 0;
        for slug in slugs {
            drafted += self.run_recurring(&slug, now)?;
        }
        Ok(drafted)
    }

    /// Drafts waiting for confirmation, oldest first.
    pub fn recurring_drafts(&self, venture: &str) -> Result<Vec<DraftView>, AppError> {
        let recurring = self.recurring(venture)?;
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let mut out = Vec::new();
        for draft in tx.recurring_drafts(book.venture.id, Some("waiting"))? {
            if let Some(view) = recurring.iter().find(|r| r.record.number == draft.number) {
                out.push(DraftView { draft, recurring: view.clone() });
            }
        }
        Ok(out)
    }

    /// Confirms a draft: logs its contribution, dated on its period, by `author`; or skips it.
    /// Returns the entry logged, if any.
    pub fn decide_draft(&self, venture: &str, number: u32, period_on: Date, confirm: bool, author: Option<&str>, now: Now) -> Result<Option<u64>, AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let record = recurring_numbered(tx.as_mut(), book.venture.id, number)?;
        let waiting = tx.recurring_drafts(book.venture.id, Some("waiting"))?.into_iter().any(|d| d.number == number && d.period_on == period_on);
        if !waiting {
            return Err(invalid("period", format!("no draft of recurring contribution #{number} waits for {period_on}")));
        }
        let seq = if confirm {
            let member = book.member_by_no(record.member);
            let form = decode(&record.form)?;
            // More than a day's work is logged over the days of its period (from the day the
            // member joined, if later).
            let more_than_a_day =
                form.kind.trim() == "time" && peerstake_core::input::parse_minutes(&form.quantity)? > peerstake_core::input::MINUTES_PER_DAY_MAX;
            let from = more_than_a_day.then(|| {
                let first = period_on - Duration::days(period_days(&record.cadence, period_on) - 1);
                [Some(first), member.map(|m| m.joined_on), book.started_on()].into_iter().flatten().max().unwrap_or(first)
            });
            let request = LogRequest {
                venture: venture.to_string(),
                member: member.map(|m| m.handle.clone()),
                author: author.map(str::to_string),
                occurred_on: period_on,
                from,
                form,
                note: record.note.clone(),
                idempotency_key: None,
            };
            let stored = draft_entry(tx.as_mut(), &book, &request, now, (book.venture.head_seq, book.venture.head_hash), None)?;
            persist_logged(tx.as_mut(), &book, &stored)?;
            Some(stored.entry.seq)
        } else {
            None
        };
        tx.decide_recurring_draft(book.venture.id, number, period_on, if confirm { "confirmed" } else { "skipped" }, seq)?;
        tx.commit()?;
        Ok(seq)
    }

    /// Stops a recurring contribution: it drafts no more periods.
    pub fn stop_recurring(&self, venture: &str, number: u32) -> Result<(), AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let record = recurring_numbered(tx.as_mut(), book.venture.id, number)?;
        tx.set_recurring_schedule(book.venture.id, number, record.next_on, false)?;
        tx.commit()?;
        Ok(())
    }
}

impl crate::access::Acting<'_> {
    /// Sets up a recurring contribution: for oneself, or for anyone as a steward.
    pub fn set_up_recurring(&self, request: &SetUpRecurring, now: Now) -> Result<RecurringView, AppError> {
        let standing = self.standing(&request.venture, now)?;
        let member = standing.require_member()?;
        if member.handle != request.member && !standing.is_steward() {
            return Err(AppError::Forbidden("members set up recurring contributions for themselves; stewards for anyone".into()));
        }
        self.commons.set_up_recurring(request, now)
    }

    /// A venture's recurring contributions and the drafts waiting (drafting any period that has
    /// come round first), for its members.
    pub fn recurring(&self, slug: &str, now: Now) -> Result<(Vec<RecurringView>, Vec<DraftView>), AppError> {
        self.standing(slug, now)?.require_member()?;
        self.commons.run_recurring(slug, now)?;
        Ok((self.commons.recurring(slug)?, self.commons.recurring_drafts(slug)?))
    }

    /// Confirms (logs) or skips a draft: the member it is for, or a steward.
    pub fn decide_draft(&self, slug: &str, number: u32, period_on: time::Date, confirm: bool, now: Now) -> Result<Option<u64>, AppError> {
        let standing = self.standing(slug, now)?;
        let member = standing.require_member()?.clone();
        self.require_own_recurring(&standing, &member, slug, number)?;
        self.commons.decide_draft(slug, number, period_on, confirm, Some(&member.handle), now)
    }

    /// Stops a recurring contribution: the member it is for, or a steward.
    pub fn stop_recurring(&self, slug: &str, number: u32, now: Now) -> Result<(), AppError> {
        let standing = self.standing(slug, now)?;
        let member = standing.require_member()?.clone();
        self.require_own_recurring(&standing, &member, slug, number)?;
        self.commons.stop_recurring(slug, number)
    }

    fn require_own_recurring(&self, standing: &Standing, member: &MemberRecord, slug: &str, number: u32) -> Result<(), AppError> {
        let recurring = self.commons.recurring(slug)?;
        let found =
            recurring.iter().find(|r| r.record.number == number).ok_or(AppError::NotFound { what: "recurring contribution", name: number.to_string() })?;
        if found.record.member != member.member_no && !standing.is_steward() {
            return Err(AppError::Forbidden("only the member it is for, or a steward, may do this".into()));
        }
        Ok(())
    }
}

/// A venture's recurring contribution by its number.
fn recurring_numbered(tx: &mut dyn Transaction, venture: VentureId, number: u32) -> Result<RecurringRecord, AppError> {
    tx.recurring(venture)?.into_iter().find(|r| r.number == number).ok_or(AppError::NotFound { what: "recurring contribution", name: number.to_string() })
}

//! The journal: what goes into a venture's ledger and how. A contribution is checked (its date,
//! its people, the frozen split), valued against the balances it reads and chained after the
//! head; every entry passes one door, [`persist`], which applies the dating rules and the rule that
//! nobody who left gains anything, appends it, moves the totals, the read marks and the head.
//! Reversals are drafted here too, since correcting and amending both write them.

use crate::Now;
use crate::book::{Book, Draft, check_date, check_not_backdated};
use crate::error::{AppError, invalid};
use crate::forms::ContributionForm;
use peerstake_core::chain::EntryHash;
use peerstake_core::dating::Marks;
use peerstake_core::entry::{Entry, REVERSAL_TAG};
use peerstake_core::input::Input;
use peerstake_core::kind::{Class, Kind};
use peerstake_core::lifecycle::is_lifecycle_tag;
use peerstake_core::money::Currency;
use peerstake_core::policy::AfterFreeze;
use peerstake_core::replay::{Bucket, BucketKey, Effect, LedgerState, StateView, deltas};
use peerstake_core::review::{Status, is_review_tag};
use peerstake_core::terms::MemberNo;
use peerstake_store::lifecycle::FreezeRecord;
use peerstake_store::{StoredEntry, Transaction, VentureId};
use time::Date;

/// A request to log one contribution.
#[derive(Debug, Clone)]
pub struct LogRequest {
    /// The venture's slug.
    pub venture: String,
    /// Handle of the member it is for (none for a well withdrawal).
    pub member: Option<String>,
    /// Handle of who records it (none for the operator).
    pub author: Option<String>,
    /// When it happened (for work over a period, its last day).
    pub occurred_on: Date,
    /// For time worked over a period of days: its first day (at most 24 hours a day).
    pub from: Option<Date>,
    /// What it is.
    pub form: ContributionForm,
    /// What was done, or the purpose of a withdrawal.
    pub note: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

impl LogRequest {
    /// What tells this request apart for an idempotency key, after the use case's own words
    /// (`head`): every field that changes what is recorded. A period's first day is added only
    /// when there is one, so the requests of one day keep the identity they always had.
    pub(crate) fn fingerprint(&self, head: &[&str]) -> String {
        let form = &self.form;
        let occurred_on = self.occurred_on.to_string();
        let from = self.from.map(|d| d.to_string());
        let mut parts: Vec<&str> = head.to_vec();
        parts.extend([
            self.member.as_deref().unwrap_or(""),
            self.author.as_deref().unwrap_or(""),
            &occurred_on,
            &form.kind,
            &form.quantity,
            &form.amount,
            &form.paid,
            &form.condition,
            &form.unit,
            &form.rate,
            &form.class,
            &self.note,
        ]);
        parts.extend(from.as_deref());
        crate::idempotency::fingerprint(&parts)
    }
}

/// A request to reverse an entry.
#[derive(Debug, Clone)]
pub struct ReverseRequest {
    /// The venture's slug.
    pub venture: String,
    /// The entry's number.
    pub seq: u64,
    /// Why (required).
    pub reason: String,
    /// Handle of who reverses it (none for the operator).
    pub author: Option<String>,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// Balances read from the store for one valuation.
#[derive(Default)]
pub(crate) struct Snapshot {
    pub wells: Vec<(MemberNo, i64)>,
    pub buckets: Vec<(BucketKey, Bucket)>,
}

impl StateView for Snapshot {
    fn well_balances(&self) -> Vec<(MemberNo, i64)> {
        self.wells.clone()
    }

    fn member_buckets(&self, member: MemberNo) -> Vec<(Kind, Class, Bucket)> {
        self.buckets.iter().filter(|(k, _)| k.member == member).map(|(k, b)| (k.kind, k.class, *b)).collect()
    }
}

/// Appends entries, moves the totals, the read marks and the head, all in the caller's
/// transaction. Every entry passes [`guard`] first: this is the one door into the ledger.
pub(crate) fn persist(tx: &mut dyn Transaction, book: &Book, entries: &[StoredEntry], totals: &[(BucketKey, Bucket)]) -> Result<(), AppError> {
    let Some(last) = entries.last() else { return Ok(()) };
    let venture = book.venture.id;
    let mut marks = Marks::from_marks(tx.read_marks(venture)?);
    let mut raised = Vec::new();
    for stored in entries {
        guard(book, &marks, &stored.entry)?;
        let mut target_tag = |seq: u64| tx.entry(venture, seq).ok().flatten().map(|s| s.entry.tag);
        if let Some(mark) = Marks::read_by_entry(&stored.entry, &mut target_tag)
            && marks.raise(mark)
        {
            raised.push(mark);
        }
    }
    tx.insert_entries(venture, entries)?;
    tx.add_totals(venture, totals)?;
    if !raised.is_empty() {
        tx.raise_read_marks(venture, &raised)?;
    }
    tx.set_head(venture, last.entry.seq, &last.hash)?;
    Ok(())
}

/// What every entry must pass before it is appended, whichever path it took: it does not change
/// a balance a recorded entry read on a later date (`peerstake_core::dating`), and it adds
/// nothing (slices, value, money in the well) to a member who has left.
pub(crate) fn guard(book: &Book, marks: &Marks, entry: &Entry) -> Result<(), AppError> {
    if let Err(backdated) = marks.check(entry.occurred_on, &entry.effects) {
        return Err(AppError::Backdated { on: entry.occurred_on, earliest: backdated.earliest, reason: backdated.reason.to_string() });
    }
    for effect in &entry.effects {
        let gains = effect.slices_minor > 0 || effect.fmv_minor > 0 || effect.well_minor > 0;
        if gains
            && let Some(record) = book.member_by_no(effect.member)
            && let Some(on) = record.departed_on
        {
            return Err(AppError::Forbidden(format!(
                "{} left on {on}; nothing new counts for them (money of theirs still in the well is handed back with a well return)",
                record.handle
            )));
        }
    }
    Ok(())
}

pub(crate) fn entry_result(tx: &mut dyn Transaction, venture: VentureId, result: &str) -> Result<StoredEntry, AppError> {
    let seq: u64 = result.strip_prefix("entry:").and_then(|s| s.parse().ok()).ok_or_else(|| invalid("idempotency key", "refers to no entry"))?;
    tx.entry(venture, seq)?.ok_or(AppError::NotFound { what: "entry", name: seq.to_string() })
}

/// An entry with the handles of the members it names (author, member, effects).
#[derive(Debug, Clone)]
pub struct NamedEntry {
    /// The entry.
    pub entry: StoredEntry,
    /// Handles by member number.
    pub names: Vec<(MemberNo, String)>,
    /// The venture's currency.
    pub currency: Currency,
}

impl NamedEntry {
    pub(crate) fn of(entry: StoredEntry, book: &Book) -> NamedEntry {
        let e = &entry.entry;
        let mut numbers: Vec<MemberNo> = e.author.into_iter().chain(e.member).chain(e.effects.iter().map(|x| x.member)).collect();
        numbers.sort();
        numbers.dedup();
        let names = numbers.into_iter().filter_map(|no| book.member_by_no(no).map(|m| (no, m.handle.clone()))).collect();
        NamedEntry { entry, names, currency: book.currency }
    }

    /// A member's handle (`#n` if unknown).
    pub fn handle(&self, member: MemberNo) -> String {
        self.names.iter().find(|(no, _)| *no == member).map_or_else(|| format!("#{}", member.0), |(_, h)| h.clone())
    }
}

pub(crate) fn resolve_member(book: &Book, handle: Option<&str>) -> Result<Option<MemberNo>, AppError> {
    handle.map(|h| book.member(h).map(|m| m.member_no)).transpose()
}

/// Checks and values a contribution as the next entry after `head`, linked to the entry it
/// amends if any. Writes nothing.
pub(crate) fn draft_entry(
    tx: &mut dyn Transaction,
    book: &Book,
    request: &LogRequest,
    now: Now,
    head: (u64, EntryHash),
    amends: Option<u64>,
) -> Result<StoredEntry, AppError> {
    let days = match request.from {
        Some(from) => period_days(from, request.occurred_on)?,
        None => 1,
    };
    let input = request.form.to_period_input(book.currency, days)?;
    let member = resolve_member(book, request.member.as_deref())?;
    match (input.needs_member(), member) {
        (true, None) => return Err(invalid("member", "is required")),
        (false, Some(_)) => return Err(invalid("member", "a withdrawal is for the whole venture; it takes no member")),
        _ => {}
    }
    let author = resolve_member(book, request.author.as_deref())?;
    check_dated(book, &input, request.occurred_on, member, author, now.today)?;
    crate::journal::check_not_frozen(tx, book, request.occurred_on)?;
    let draft = Draft { occurred_on: request.occurred_on, recorded_at_ms: now.at_ms, author, member, input: &input, note: &request.note };
    let mut stored = draft_input(tx, book, &draft, head)?;
    if amends.is_some() {
        stored.entry.about = amends;
        stored.hash = stored.entry.hash_after(&head.1);
    }
    Ok(stored)
}

/// The days of a period of work from its first day to its last (the entry's date).
pub(crate) fn period_days(from: Date, to: Date) -> Result<u32, AppError> {
    if from > to {
        return Err(AppError::DateOutOfRange { field: "from", reason: format!("{from} is after the period's last day ({to})") });
    }
    u32::try_from((to - from).whole_days() + 1)
        .ok()
        .filter(|d| *d <= peerstake_core::input::PERIOD_DAYS_MAX)
        .ok_or_else(|| invalid("from", format!("a period covers at most {} days; log a longer one in parts", peerstake_core::input::PERIOD_DAYS_MAX)))
}

/// The rules on a contribution's date and people, whichever way it comes in (a form, the API, an
/// import): dated from 1970 to today, not before the venture started (no policy was in force) nor
/// before its member joined, and neither its member nor its author has left (money handed back
/// from the well goes to a member who left, recorded by someone present).
pub(crate) fn check_dated(
    book: &Book,
    input: &Input,
    occurred_on: Date,
    member: Option<MemberNo>,
    author: Option<MemberNo>,
    today: Date,
) -> Result<(), AppError> {
    check_date("date", occurred_on, today)?;
    let first_day = input.period_start(occurred_on);
    let field = if first_day == occurred_on { "date" } else { "from" };
    if let Some(started) = book.started_on()
        && first_day < started
    {
        return Err(AppError::DateOutOfRange { field, reason: format!("{first_day} is before the venture started ({started}); no policy was in force") });
    }
    if let Some(record) = member.and_then(|m| book.member_by_no(m))
        && first_day < record.joined_on
    {
        return Err(AppError::DateOutOfRange { field, reason: format!("{first_day} is before {} joined ({})", record.handle, record.joined_on) });
    }
    if let Some(member) = member
        && !matches!(input, Input::WellReturn { .. })
    {
        crate::membership::require_present(book, member)?;
    }
    if let Some(author) = author {
        crate::membership::require_present(book, author)?;
    }
    Ok(())
}

/// Values an input for members already resolved as the next entry after `head`: the balances it
/// draws on are read first, and an input that draws on them cannot be dated before the latest
/// entry. Under the current edition members who left have no share in a payment from the well.
/// Writes nothing.
pub(crate) fn draft_input(tx: &mut dyn Transaction, book: &Book, draft: &Draft<'_>, head: (u64, EntryHash)) -> Result<StoredEntry, AppError> {
    let venture = &book.venture;
    let input = draft.input;
    if matches!(input, Input::Withdrawal { .. } | Input::CashPaid { .. } | Input::WellReturn { .. }) {
        check_not_backdated(input, draft.occurred_on, tx.latest_entry_date(venture.id)?)?;
    }
    let mut snapshot = Snapshot::default();
    match (input, draft.member) {
        (Input::Withdrawal { .. }, _) => snapshot.wells = tx.well_balances(venture.id)?,
        (Input::CashPaid { .. } | Input::WellReturn { .. }, Some(member)) => snapshot.buckets = tx.member_totals(venture.id, member)?,
        _ => {}
    }
    let leavers = book.leavers();
    book.value_entry(head.0 + 1, &head.1, draft, &book.view(&snapshot, &leavers))
}

/// Values and appends an input after `head` (a use case that writes several entries in one
/// transaction carries the head along), then moves `head` to it.
pub(crate) fn append_input(tx: &mut dyn Transaction, book: &Book, draft: &Draft<'_>, head: &mut (u64, EntryHash)) -> Result<StoredEntry, AppError> {
    let stored = draft_input(tx, book, draft, *head)?;
    persist_logged(tx, book, &stored)?;
    *head = (stored.entry.seq, stored.hash);
    Ok(stored)
}

/// Appends a logged contribution; one that waits for approval is recorded as pending.
pub(crate) fn persist_logged(tx: &mut dyn Transaction, book: &Book, stored: &StoredEntry) -> Result<(), AppError> {
    persist(tx, book, std::slice::from_ref(stored), &deltas(&stored.entry.effects))?;
    if book.logged_pending(&stored.entry) {
        tx.set_review_status(book.venture.id, stored.entry.seq, Status::Pending.name())?;
    }
    Ok(())
}

/// The reversal of an entry as the next entry after `head`: the negation of what the entry
/// counts now (its own effects and its review steps'). Writes nothing.
pub(crate) fn reversal_entry(
    tx: &mut dyn Transaction,
    book: &Book,
    request: &ReverseRequest,
    now: Now,
    head: (u64, EntryHash),
) -> Result<StoredEntry, AppError> {
    let venture = &book.venture;
    let author = resolve_member(book, request.author.as_deref())?;
    let original = tx.entry(venture.id, request.seq)?.ok_or(AppError::NotFound { what: "entry", name: format!("#{}", request.seq) })?.entry;
    if original.tag == REVERSAL_TAG {
        return Err(AppError::ReversalOfReversal(request.seq));
    }
    if is_review_tag(&original.tag) {
        return Err(invalid("entry", format!("#{} is a review step; it cannot be reversed", request.seq)));
    }
    if is_lifecycle_tag(&original.tag) {
        return Err(invalid("entry", format!("#{} is a {}; it cannot be reversed", request.seq, original.tag)));
    }
    if let Some(by) = tx.reversal_of(venture.id, request.seq)? {
        return Err(AppError::AlreadyReversed { seq: request.seq, by });
    }
    let steps: Vec<StoredEntry> = tx.entries_about(venture.id, request.seq)?.into_iter().filter(|s| is_review_tag(&s.entry.tag)).collect();
    let (effects, occurred_on) = if steps.is_empty() {
        (original.effects.iter().map(Effect::negated).collect::<Vec<Effect>>(), original.occurred_on)
    } else {
        // Counted since a review step: undone from the day it last started or stopped counting.
        let counted = crate::journal::counted_effects(&original, &steps);
        let since = steps.iter().rev().find(|s| !s.entry.effects.is_empty()).map_or(original.occurred_on, |s| s.entry.occurred_on);
        (counted.iter().map(Effect::negated).collect(), since)
    };
    check_applies(tx, venture.id, &effects)?;
    let fmv_minor = effects.iter().map(|e| e.fmv_minor).sum::<i64>();
    let slices_minor = effects.iter().map(|e| e.slices_minor).sum::<i64>();
    let (fmv_minor, slices_minor) = if steps.is_empty() { (-original.fmv_minor, -original.slices_minor) } else { (fmv_minor, slices_minor) };
    let entry = Entry {
        seq: head.0 + 1,
        occurred_on,
        recorded_at_ms: now.at_ms,
        author,
        member: original.member,
        tag: REVERSAL_TAG.to_string(),
        inputs: String::new(),
        note: request.reason.trim().to_string(),
        policy_version: original.policy_version,
        terms_version: original.terms_version,
        fmv_minor,
        slices_minor,
        reverses: Some(original.seq),
        about: None,
        effects,
    };
    Ok(StoredEntry { hash: entry.hash_after(&head.1), entry })
}

/// Refuses effects that would leave any member they reach below zero, against the maintained totals.
pub(crate) fn check_applies(tx: &mut dyn Transaction, venture: VentureId, effects: &[Effect]) -> Result<(), AppError> {
    let mut affected: Vec<MemberNo> = effects.iter().map(|e| e.member).collect();
    affected.sort();
    affected.dedup();
    let mut current = Vec::new();
    for member in affected {
        current.extend(tx.member_totals(venture, member)?);
    }
    LedgerState::from_buckets(current).apply(effects)?;
    Ok(())
}

/// Appends a reversal; a reviewed entry is recorded as reversed.
pub(crate) fn persist_reversal(tx: &mut dyn Transaction, book: &Book, stored: &StoredEntry) -> Result<(), AppError> {
    persist(tx, book, std::slice::from_ref(stored), &deltas(&stored.entry.effects))?;
    if let Some(target) = stored.entry.reverses
        && !tx.review_statuses(book.venture.id, target, target)?.is_empty()
    {
        tx.set_review_status(book.venture.id, target, peerstake_core::review::REVERSED)?;
    }
    Ok(())
}

/// The frozen cap table a venture has now, if any.
pub(crate) fn frozen(tx: &mut dyn Transaction, book: &Book) -> Result<Option<FreezeRecord>, AppError> {
    Ok(tx.freezes(book.venture.id)?.into_iter().find(|f| f.status == "frozen"))
}

/// Refuses a contribution while the split is frozen, when the policy in force on its date says so.
pub(crate) fn check_not_frozen(tx: &mut dyn Transaction, book: &Book, date: Date) -> Result<(), AppError> {
    if book.policy_at(date)?.1.after_freeze != AfterFreeze::Refuse {
        return Ok(());
    }
    refuse_while_frozen(book, date, frozen(tx, book)?.as_ref())
}

/// As [`check_not_frozen`], with the freeze in force already read (an import checks many rows).
pub(crate) fn refuse_while_frozen(book: &Book, date: Date, freeze: Option<&FreezeRecord>) -> Result<(), AppError> {
    if book.policy_at(date)?.1.after_freeze != AfterFreeze::Refuse {
        return Ok(());
    }
    if let Some(freeze) = freeze {
        return Err(invalid(
            "entry",
            format!(
                "the split is frozen since {} (freeze #{}); the policy refuses new contributions until it is unfrozen",
                freeze.frozen_on.map(|d| d.to_string()).unwrap_or_default(),
                freeze.number
            ),
        ));
    }
    Ok(())
}

/// What a reviewed entry counts now: its own effects plus its review steps', per bucket.
pub(crate) fn counted_effects(entry: &Entry, steps: &[StoredEntry]) -> Vec<Effect> {
    peerstake_core::review::counted_effects(std::iter::once(entry.effects.as_slice()).chain(steps.iter().map(|s| s.entry.effects.as_slice())))
}

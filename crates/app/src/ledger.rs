//! Logging contributions, reversing them, reading the ledger and the split, tracing a figure to
//! its entries, and verifying a venture's ledger end to end.

use std::collections::{BTreeMap, HashMap, HashSet};

use peerstake_core::chain::EntryHash;
use peerstake_core::entry::{Entry, REVERSAL_TAG};
use peerstake_core::input::Input;
use peerstake_core::kind::{Class, Kind};
use peerstake_core::lifecycle::is_lifecycle_tag;
use peerstake_core::money::Currency;
use peerstake_core::replay::{Bucket, BucketKey, Effect, LedgerState, StateView};
use peerstake_core::review::{Status, is_review_tag};
use peerstake_core::split::{MemberSplit, compute};
use peerstake_core::terms::MemberNo;
use peerstake_store::{EntryFilter, MemberRecord, Mode, PAGE_SIZE_MAX, StoredEntry, Transaction, VentureId};
use time::Date;

use crate::book::{Book, Draft, check_date, check_not_backdated, check_note};
use crate::error::{AppError, invalid};
use crate::forms::ContributionForm;
use crate::ventures::{PolicyChoice, fingerprint, remember, replayed};
use crate::{Commons, Now};
use peerstake_core::dating::Marks;

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

/// A page of the ledger.
#[derive(Debug, Clone)]
pub struct LedgerPage {
    /// The venture's currency.
    pub currency: Currency,
    /// Members, to name them.
    pub members: Vec<MemberRecord>,
    /// The entries.
    pub entries: Vec<StoredEntry>,
    /// The cursor for the next page, when there may be one.
    pub next_after: Option<u64>,
    /// Where the reviewed entries on the page stand (`pending`, `counted`, `disputed`,
    /// `rejected`, `reversed`), by entry number.
    pub statuses: BTreeMap<u64, String>,
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct LedgerQuery {
    /// Only this member's (by handle).
    pub member: Option<String>,
    /// Only this tag.
    pub tag: Option<String>,
    /// From this date.
    pub from: Option<Date>,
    /// To this date.
    pub to: Option<Date>,
    /// After this entry number.
    pub after: Option<u64>,
    /// Page size (1 to 1,000; 100 when 0).
    pub limit: u32,
}

/// One member's line of a split, with their record.
#[derive(Debug, Clone)]
pub struct SplitLine {
    /// The member.
    pub member: MemberRecord,
    /// Their figures.
    pub figures: MemberSplit,
}

/// The split of a venture.
#[derive(Debug, Clone)]
pub struct SplitReport {
    /// The venture's slug.
    pub venture: String,
    /// Its currency.
    pub currency: Currency,
    /// The date it is as of (none for now).
    pub as_of: Option<Date>,
    /// Which policy valued it: `ledger` (the versions in force) or the candidate's preset.
    pub policy: String,
    /// One line per member.
    pub lines: Vec<SplitLine>,
    /// All slices.
    pub total_slices_minor: i64,
    /// Entries the candidate policy could not value, with the reason (comparison only).
    pub unvalued: Vec<(u64, String)>,
    /// For the current split, the committed head and book version it reflects: two reports
    /// with the same value here are the same split.
    pub state: Option<(u64, u64)>,
}

/// What to compute.
#[derive(Debug, Clone, Default)]
pub struct SplitQuery {
    /// As of the end of this date.
    pub as_of: Option<Date>,
    /// Revalue the whole ledger under this policy instead of the versions in force.
    pub policy: Option<PolicyChoice>,
}

/// One kind of a member's figure and the entries that make it.
#[derive(Debug, Clone)]
pub struct TraceKind {
    /// The kind.
    pub kind: Kind,
    /// The member's slices of this kind.
    pub slices_minor: i64,
    /// Value at risk of this kind.
    pub fmv_minor: i64,
    /// Each entry's number, date, tag, policy version and change in slices.
    pub entries: Vec<TraceEntry>,
}

/// One entry behind a figure.
#[derive(Debug, Clone)]
pub struct TraceEntry {
    /// Entry number.
    pub seq: u64,
    /// Its date.
    pub occurred_on: Date,
    /// Its tag.
    pub tag: String,
    /// The policy version it was valued with.
    pub policy_version: u32,
    /// Change in the member's value of this kind.
    pub fmv_minor: i64,
    /// Change in the member's slices of this kind.
    pub slices_minor: i64,
}

/// A member's slices traced to entries.
#[derive(Debug, Clone)]
pub struct TraceReport {
    /// The venture's currency.
    pub currency: Currency,
    /// The member.
    pub member: MemberRecord,
    /// By kind.
    pub kinds: Vec<TraceKind>,
    /// Their total slices.
    pub slices_minor: i64,
}

/// A split with the (head, book version) it was computed at.
type CachedSplit = ((u64, u64), std::sync::Arc<SplitReport>);

/// The current split of each venture, with the (head, book version) it was computed at. Read
/// transactions see only committed states, and a committed head names one ledger, so a match is
/// exactly the split a fresh computation would give.
#[derive(Debug, Default)]
pub(crate) struct SplitCache {
    reports: std::sync::Mutex<std::collections::HashMap<VentureId, CachedSplit>>,
}

impl SplitCache {
    fn get(&self, venture: VentureId, key: (u64, u64)) -> Option<SplitReport> {
        let reports = self.reports.lock().unwrap_or_else(|p| p.into_inner());
        reports.get(&venture).filter(|(at, _)| *at == key).map(|(_, report)| SplitReport::clone(report))
    }

    fn put(&self, venture: VentureId, key: (u64, u64), report: &SplitReport) {
        let mut reports = self.reports.lock().unwrap_or_else(|p| p.into_inner());
        // A slower reader with an older snapshot must not replace a newer split.
        if reports.get(&venture).is_none_or(|(at, _)| *at < key) {
            reports.insert(venture, (key, std::sync::Arc::new(report.clone())));
        }
    }
}

/// Each member's slices month by month.
#[derive(Debug, Clone)]
pub struct SplitHistory {
    /// The venture's currency.
    pub currency: Currency,
    /// Members, to name them.
    pub members: Vec<MemberRecord>,
    /// The first day of each month and every member's slices at its end.
    pub points: Vec<(Date, Vec<(MemberNo, i64)>)>,
}

/// What `verify` found.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    /// The venture's slug.
    pub venture: String,
    /// Entries checked.
    pub entries: u64,
    /// The recomputed head hash.
    pub head: EntryHash,
    /// Every difference found; empty means the ledger is sound.
    pub differences: Vec<String>,
    /// Where each reviewed entry stands, from the replay.
    pub statuses: BTreeMap<u64, &'static str>,
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

/// Sums effects into bucket deltas.
pub(crate) fn deltas(effects: &[Effect]) -> Vec<(BucketKey, Bucket)> {
    let mut sums: BTreeMap<BucketKey, Bucket> = BTreeMap::new();
    for effect in effects {
        let bucket = sums.entry(BucketKey { member: effect.member, kind: effect.kind, class: effect.class }).or_default();
        bucket.fmv_minor += effect.fmv_minor;
        bucket.slices_minor += effect.slices_minor;
        bucket.well_minor += effect.well_minor;
    }
    sums.into_iter().collect()
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
    crate::freezes::check_not_frozen(tx, book, request.occurred_on)?;
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
        crate::departures::require_present(book, member)?;
    }
    if let Some(author) = author {
        crate::departures::require_present(book, author)?;
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
        let counted = crate::review::counted_effects(&original, &steps);
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
        tx.set_review_status(book.venture.id, target, crate::review::REVERSED)?;
    }
    Ok(())
}

impl Commons {
    /// Logs one contribution: values it under the policy version and terms in force on its
    /// date, chains it, and updates the totals, in one transaction.
    pub fn log(&self, request: &LogRequest, now: Now) -> Result<StoredEntry, AppError> {
        self.log_or_preview(request, now, true).map(|named| named.entry)
    }

    /// Values a contribution exactly as [`Commons::log`] would, and writes nothing: the FMV,
    /// slices and effects it would get under the policy and terms in force on its date.
    pub fn preview(&self, request: &LogRequest, now: Now) -> Result<StoredEntry, AppError> {
        self.log_or_preview(request, now, false).map(|named| named.entry)
    }

    /// Logs (`commit`) or previews a contribution, with the handles of the members it names.
    pub fn log_named(&self, request: &LogRequest, now: Now, commit: bool) -> Result<NamedEntry, AppError> {
        self.log_or_preview(request, now, commit)
    }

    fn log_or_preview(&self, request: &LogRequest, now: Now, commit: bool) -> Result<NamedEntry, AppError> {
        check_note(&request.note)?;
        let form = &request.form;
        let fingerprint = fingerprint(&[
            "log",
            &request.venture,
            request.member.as_deref().unwrap_or(""),
            request.author.as_deref().unwrap_or(""),
            &request.occurred_on.to_string(),
            &form.kind,
            &form.quantity,
            &form.amount,
            &form.paid,
            &form.condition,
            &form.unit,
            &form.rate,
            &form.class,
            &request.note,
        ]);
        let mut tx = self.store.begin(if commit { Mode::Write } else { Mode::Read })?;
        let book = if commit { self.books.write(tx.as_mut(), &request.venture)? } else { self.books.read(tx.as_mut(), &request.venture)? };
        let venture = book.venture.clone();
        if commit && let Some(result) = replayed(tx.as_mut(), venture.id, request.idempotency_key.as_deref(), &fingerprint)? {
            return entry_result(tx.as_mut(), venture.id, &result).map(|entry| NamedEntry::of(entry, &book));
        }
        let stored = draft_entry(tx.as_mut(), &book, request, now, (venture.head_seq, venture.head_hash), None)?;
        if !commit {
            // Dropping the transaction rolls it back: nothing was written.
            return Ok(NamedEntry::of(stored, &book));
        }
        persist_logged(tx.as_mut(), &book, &stored)?;
        remember(tx.as_mut(), venture.id, request.idempotency_key.as_deref(), &fingerprint, &format!("entry:{}", stored.entry.seq), now)?;
        tx.commit()?;
        if book.logged_pending(&stored.entry) {
            self.ask_for_review(&book, &stored.entry);
        }
        Ok(NamedEntry::of(stored, &book))
    }

    /// Tells whoever may approve a pending entry that it waits for them.
    pub(crate) fn ask_for_review(&self, book: &Book, entry: &Entry) {
        let parties = [entry.author, entry.member];
        let others: Vec<MemberNo> = book.members.iter().map(|m| m.member_no).filter(|m| !parties.contains(&Some(*m))).collect();
        let stewards: Vec<MemberNo> = others.iter().copied().filter(|m| book.is_steward(*m)).collect();
        let reviewers = match book.review_rules(entry.policy_version).0 {
            peerstake_core::policy::ReviewRule::Stewards if !stewards.is_empty() => stewards,
            _ => others,
        };
        let name = |m: Option<MemberNo>| m.and_then(|m| book.member_by_no(m)).map_or_else(|| "the venture".to_string(), |r| r.display_name.clone());
        let subject = format!("[{}] Entry #{} waits for your review", book.venture.name, entry.seq);
        let body = format!(
            "{} logged {} for {} on {}: worth {} and {} slices. It counts once it is approved.",
            name(entry.author),
            entry.tag,
            name(entry.member),
            entry.occurred_on,
            book.currency.format(entry.fmv_minor),
            book.currency.format_slices(entry.slices_minor)
        );
        self.notify(&book.venture.slug, &reviewers, &subject, &body, &format!("/v/{}/entries/{}", book.venture.slug, entry.seq));
    }

    /// Reverses an entry: a new entry with its effects negated, dated like the original so the
    /// split at every date is corrected. Refused if it would leave anyone below zero (reverse the
    /// later entries that spent the value first).
    pub fn reverse(&self, request: &ReverseRequest, now: Now) -> Result<StoredEntry, AppError> {
        check_note(&request.reason)?;
        if request.reason.trim().is_empty() {
            return Err(invalid("reason", "is required"));
        }
        let fingerprint = fingerprint(&["reverse", &request.venture, &request.seq.to_string(), &request.reason, request.author.as_deref().unwrap_or("")]);
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let venture = book.venture.clone();
        if let Some(result) = replayed(tx.as_mut(), venture.id, request.idempotency_key.as_deref(), &fingerprint)? {
            return entry_result(tx.as_mut(), venture.id, &result);
        }
        let stored = reversal_entry(tx.as_mut(), &book, request, now, (venture.head_seq, venture.head_hash))?;
        persist_reversal(tx.as_mut(), &book, &stored)?;
        remember(tx.as_mut(), venture.id, request.idempotency_key.as_deref(), &fingerprint, &format!("entry:{}", stored.entry.seq), now)?;
        tx.commit()?;
        Ok(stored)
    }

    /// A page of the ledger.
    pub fn ledger(&self, venture: &str, query: &LedgerQuery) -> Result<LedgerPage, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        if let Some(tag) = &query.tag
            && tag != REVERSAL_TAG
            && !is_review_tag(tag)
            && !is_lifecycle_tag(tag)
            && !crate::forms::LOG_KINDS.contains(&tag.as_str())
        {
            return Err(invalid("kind", format!("unknown kind '{tag}'")));
        }
        let limit = if query.limit == 0 { 100 } else { query.limit };
        if limit > PAGE_SIZE_MAX {
            return Err(invalid("limit", format!("at most {PAGE_SIZE_MAX} entries per page")));
        }
        let filter = EntryFilter {
            member: resolve_member(&book, query.member.as_deref())?,
            tag: query.tag.clone(),
            from: query.from,
            to: query.to,
            after_seq: query.after,
            limit,
        };
        let entries = tx.entries(book.venture.id, &filter)?;
        let next_after = if entries.len() == usize::try_from(limit).unwrap_or(usize::MAX) { entries.last().map(|e| e.entry.seq) } else { None };
        let statuses = match (entries.first(), entries.last()) {
            (Some(first), Some(last)) => tx.review_statuses(book.venture.id, first.entry.seq, last.entry.seq)?.into_iter().collect(),
            _ => BTreeMap::new(),
        };
        Ok(LedgerPage { currency: book.currency, members: book.members.clone(), entries, next_after, statuses })
    }

    /// The split now, as of a date, or under a candidate policy.
    pub fn split(&self, venture: &str, query: &SplitQuery) -> Result<SplitReport, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let current = query.as_of.is_none() && query.policy.is_none();
        // The current split follows from the committed head and the members alone.
        let key = (book.venture.head_seq, book.venture.book_version);
        if current && let Some(report) = self.splits.get(book.venture.id, key) {
            return Ok(report);
        }
        let (buckets, policy_label, unvalued) = match &query.policy {
            None => {
                let buckets = match query.as_of {
                    None => tx.totals(book.venture.id)?,
                    Some(date) => tx.totals_as_of(book.venture.id, date)?,
                };
                (buckets, "ledger".to_string(), Vec::new())
            }
            Some(choice) => {
                let candidate = choice.resolve(book.currency)?;
                let (state, unvalued) = revalue(tx.as_mut(), &book, &candidate, query.as_of)?;
                (state.sorted_buckets(), candidate.preset.clone(), unvalued)
            }
        };
        let member_numbers: Vec<MemberNo> = book.members.iter().map(|m| m.member_no).collect();
        let split = compute(&member_numbers, buckets)?;
        let lines =
            split.members.into_iter().filter_map(|figures| book.member_by_no(figures.member).map(|m| SplitLine { member: m.clone(), figures })).collect();
        let report = SplitReport {
            venture: book.venture.slug.clone(),
            currency: book.currency,
            as_of: query.as_of,
            policy: policy_label,
            lines,
            total_slices_minor: split.total_slices_minor,
            unvalued,
            state: current.then_some(key),
        };
        if current {
            self.splits.put(book.venture.id, key, &report);
        }
        Ok(report)
    }

    /// Each member's slices at the end of every month with entries (the split over time), from
    /// one pass over the ledger. At most the last `months` months are returned, oldest first.
    pub fn split_history(&self, venture: &str, months: usize) -> Result<SplitHistory, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let mut by_month: BTreeMap<Date, BTreeMap<MemberNo, i64>> = BTreeMap::new();
        tx.scan_entries(book.venture.id, &mut |stored| {
            let month = stored.entry.occurred_on.replace_day(1).unwrap_or(stored.entry.occurred_on);
            let deltas = by_month.entry(month).or_default();
            for effect in &stored.entry.effects {
                *deltas.entry(effect.member).or_insert(0) += effect.slices_minor;
            }
            Ok(())
        })?;
        let mut running: BTreeMap<MemberNo, i64> = BTreeMap::new();
        let mut points = Vec::with_capacity(by_month.len());
        for (month, deltas) in by_month {
            for (member, delta) in deltas {
                *running.entry(member).or_insert(0) += delta;
            }
            points.push((month, running.iter().map(|(m, s)| (*m, *s)).collect::<Vec<_>>()));
        }
        let skip = points.len().saturating_sub(months);
        Ok(SplitHistory { currency: book.currency, members: book.members.clone(), points: points.into_iter().skip(skip).collect() })
    }

    /// A member's slices, kind by kind, traced to every entry behind them.
    pub fn trace(&self, venture: &str, handle: &str) -> Result<TraceReport, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let member = book.member(handle)?.clone();
        let mut kinds: BTreeMap<Kind, TraceKind> = BTreeMap::new();
        let filter = EntryFilter { member: Some(member.member_no), ..EntryFilter::default() };
        each_page(tx.as_mut(), book.venture.id, filter, &mut |page| {
            for stored in page {
                let entry = &stored.entry;
                let mut by_kind: BTreeMap<Kind, (i64, i64)> = BTreeMap::new();
                for effect in entry.effects.iter().filter(|e| e.member == member.member_no) {
                    let sums = by_kind.entry(effect.kind).or_default();
                    sums.0 += effect.fmv_minor;
                    sums.1 += effect.slices_minor;
                }
                for (kind, (fmv_minor, slices_minor)) in by_kind {
                    let line = kinds.entry(kind).or_insert_with(|| TraceKind { kind, slices_minor: 0, fmv_minor: 0, entries: Vec::new() });
                    line.slices_minor += slices_minor;
                    line.fmv_minor += fmv_minor;
                    line.entries.push(TraceEntry {
                        seq: entry.seq,
                        occurred_on: entry.occurred_on,
                        tag: entry.tag.clone(),
                        policy_version: entry.policy_version,
                        fmv_minor,
                        slices_minor,
                    });
                }
            }
        })?;
        let kinds: Vec<TraceKind> = kinds.into_values().collect();
        let slices_minor = kinds.iter().map(|k| k.slices_minor).sum();
        Ok(TraceReport { currency: book.currency, member, kinds, slices_minor })
    }

    /// Recomputes a venture's hash chain, revalues every entry from its stored inputs under the
    /// policy and terms versions it names, replays every effect, and compares the result with
    /// the stored entries, the maintained totals and the chain head.
    pub fn verify(&self, venture: &str) -> Result<VerifyReport, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        verify_in(tx.as_mut(), &book, true)
    }
}

/// Verifies a venture inside a transaction (so an import can check before it commits).
///
/// Reading and checking run on two threads: this one steps through the stored entries and
/// decodes them; a checker revalues each entry from its inputs and replays its effects. The
/// hash chain of a batch depends only on the stored hash before it, so whichever thread has time
/// checks it: the reader when the checker is behind, the checker otherwise. Batches pass through
/// a bounded channel, so memory stays at a few batches.
pub(crate) fn verify_in(tx: &mut dyn Transaction, book: &Book, check_statuses: bool) -> Result<VerifyReport, AppError> {
    let venture_id = book.venture.id;
    let reviewed: HashSet<u64> = tx.reviewed_entries(venture_id)?.into_iter().collect();
    let reviewed = &reviewed;
    let (batches, arriving) = std::sync::mpsc::sync_channel::<Batch>(VERIFY_BATCHES_IN_FLIGHT);
    let mut previous = EntryHash::genesis(&book.venture.slug);
    let mut expected_seq: u64 = 0;
    let mut found: Vec<Finding> = Vec::new();
    let (scanned, check) = std::thread::scope(|scope| {
        let checker = std::thread::Builder::new()
            .name("verify-check".into())
            .spawn_scoped(scope, move || {
                let mut check = Revaluation {
                    book,
                    state: LedgerState::new(),
                    left: Vec::new(),
                    marks: Marks::default(),
                    latest: None,
                    differences: Vec::new(),
                    reversals: Vec::new(),
                    reviewed,
                    tracked: HashMap::new(),
                    statuses: BTreeMap::new(),
                };
                for batch in arriving {
                    if !batch.chain_checked {
                        batch.check_chain(&mut check.differences);
                    }
                    for stored in &batch.entries {
                        check.visit(&stored.entry, stored.hash);
                    }
                }
                check
            })
            .map_err(|e| AppError::Internal(format!("cannot start the verify thread: {e}")))?;
        let mut batch = Batch { before: previous, entries: Vec::with_capacity(VERIFY_BATCH_ENTRIES), chain_checked: false };
        let hand_over = |batch: Batch, found: &mut Vec<Finding>| match batches.try_send(batch) {
            Err(std::sync::mpsc::TrySendError::Full(mut batch)) => {
                batch.check_chain(found);
                batch.chain_checked = true;
                // The checker only stops early by panicking, which the join below reports.
                let _ = batches.send(batch);
            }
            Ok(()) | Err(std::sync::mpsc::TrySendError::Disconnected(_)) => {}
        };
        let scanned = tx.scan_entries(venture_id, &mut |stored| {
            expected_seq += 1;
            if stored.entry.seq != expected_seq {
                found.push((stored.entry.seq, Stage::Numbering, format!("entry #{}: expected number {expected_seq}", stored.entry.seq)));
                expected_seq = stored.entry.seq;
            }
            previous = stored.hash;
            batch.entries.push(stored);
            if batch.entries.len() == VERIFY_BATCH_ENTRIES {
                let next = Batch { before: previous, entries: Vec::with_capacity(VERIFY_BATCH_ENTRIES), chain_checked: false };
                hand_over(std::mem::replace(&mut batch, next), &mut found);
            }
            Ok(())
        });
        if !batch.entries.is_empty() {
            hand_over(batch, &mut found);
        }
        drop(batches);
        let check = checker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok::<_, AppError>((scanned, check))
    })?;
    scanned?;
    let Revaluation { state, differences, reversals, statuses, mut marks, .. } = check;
    found.extend(differences);
    // One list in ledger order; for each entry, numbering, then chain, then revaluation.
    found.sort_by_key(|(seq, stage, _)| (*seq, *stage));
    let mut differences: Vec<String> = found.into_iter().map(|(_, _, text)| text).collect();
    for (seq, target, effects) in reversals {
        let original = tx.entry(venture_id, target)?;
        let negated: Option<Vec<Effect>> = original.map(|o| o.entry.effects.iter().map(Effect::negated).collect());
        if negated.as_ref() != Some(&effects) {
            differences.push(format!("entry #{seq}: does not exactly undo entry #{target}"));
        }
    }
    if book.venture.head_seq != expected_seq || book.venture.head_hash != previous {
        differences.push(format!(
            "chain head: stored #{} {} but the entries end at #{expected_seq} {}",
            book.venture.head_seq,
            book.venture.head_hash.to_hex(),
            previous.to_hex()
        ));
    }
    let stored_totals = tx.totals(venture_id)?;
    let replayed = state.sorted_buckets();
    if stored_totals != replayed {
        let stored_map: BTreeMap<BucketKey, Bucket> = stored_totals.into_iter().collect();
        let replayed_map: BTreeMap<BucketKey, Bucket> = replayed.into_iter().collect();
        let keys: std::collections::BTreeSet<&BucketKey> = stored_map.keys().chain(replayed_map.keys()).collect();
        for key in keys {
            let stored_bucket = stored_map.get(key).copied().unwrap_or_default();
            let replayed_bucket = replayed_map.get(key).copied().unwrap_or_default();
            if stored_bucket != replayed_bucket {
                differences.push(format!(
                    "totals of member #{} in {} ({}): stored {:?}, replay gives {:?}",
                    key.member.0,
                    key.kind.name(),
                    key.class.name(),
                    stored_bucket,
                    replayed_bucket
                ));
            }
        }
    }
    // The read marks are a projection too: the replay's, with what freezes and distributions by
    // the split read.
    for freeze in tx.freezes(venture_id)? {
        if let Some(on) = freeze.frozen_on {
            marks.raise(peerstake_core::dating::ReadMark { scope: peerstake_core::dating::ReadScope::Slices, member: None, read_on: on });
        }
    }
    for distribution in tx.distributions(venture_id)?.iter().filter(|d| d.basis == "split") {
        marks.raise(peerstake_core::dating::ReadMark { scope: peerstake_core::dating::ReadScope::Slices, member: None, read_on: distribution.paid_on });
    }
    let stored_marks = Marks::from_marks(tx.read_marks(venture_id)?);
    if stored_marks != marks {
        differences.push(format!("read marks: stored {:?}, the replay gives {:?}", stored_marks.marks(), marks.marks()));
    }
    if check_statuses && expected_seq > 0 {
        let stored: BTreeMap<u64, String> = tx.review_statuses(venture_id, 1, expected_seq)?.into_iter().collect();
        let seqs: std::collections::BTreeSet<u64> = stored.keys().chain(statuses.keys()).copied().collect();
        for seq in seqs {
            let (kept, replay) = (stored.get(&seq).map(String::as_str), statuses.get(&seq).copied());
            if kept != replay {
                differences.push(format!("entry #{seq}: review status stored as {}, the replay gives {}", kept.unwrap_or("none"), replay.unwrap_or("none")));
            }
        }
    }
    Ok(VerifyReport { venture: book.venture.slug.clone(), entries: expected_seq, head: previous, differences, statuses })
}

/// Entries per batch handed from the reader to the checker in `verify`.
const VERIFY_BATCH_ENTRIES: usize = 2_048;
/// Batches the reader may run ahead of the checker.
const VERIFY_BATCHES_IN_FLIGHT: usize = 4;

/// Which check found a difference; for one entry, they are reported in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Numbering,
    Chain,
    Value,
}

/// A difference `verify` found: the entry, the check, and the text.
type Finding = (u64, Stage, String);

/// A run of consecutive entries on their way from the reader to the checker in `verify`.
struct Batch {
    /// The stored hash of the entry before the first (the genesis hash for entry 1).
    before: EntryHash,
    entries: Vec<StoredEntry>,
    /// Whether the reader has already checked the hashes.
    chain_checked: bool,
}

impl Batch {
    /// Checks that each entry's stored hash is its contents chained after the stored hash before it.
    fn check_chain(&self, differences: &mut Vec<Finding>) {
        let mut previous = self.before;
        for stored in &self.entries {
            if stored.hash != stored.entry.hash_after(&previous) {
                differences.push((
                    stored.entry.seq,
                    Stage::Chain,
                    format!("entry #{}: hash does not match its contents and the entry before it", stored.entry.seq),
                ));
            }
            previous = stored.hash;
        }
    }
}

/// The checker's side of `verify`: revalues each entry from its inputs, in order, and replays it.
struct Revaluation<'a> {
    book: &'a Book,
    state: LedgerState,
    /// Members whose departure has been replayed.
    left: Vec<MemberNo>,
    /// What the entries replayed so far read, and until when.
    marks: Marks,
    /// The latest date of the entries replayed so far.
    latest: Option<Date>,
    differences: Vec<Finding>,
    /// Reversals, checked against their originals once the walk is done: (seq, target, effects).
    reversals: Vec<(u64, u64, Vec<Effect>)>,
    /// Entries that some later entry is about (review steps, amendments).
    reviewed: &'a HashSet<u64>,
    /// Those of them seen so far, with their review steps.
    tracked: HashMap<u64, Tracked>,
    /// Where each reviewed entry stands.
    statuses: BTreeMap<u64, &'static str>,
}

/// A reviewed contribution as `verify` walks past its steps.
struct Tracked {
    entry: Entry,
    steps: Vec<StoredEntry>,
    review: peerstake_core::review::Review,
}

impl Revaluation<'_> {
    fn differ(&mut self, seq: u64, text: String) {
        self.differences.push((seq, Stage::Value, format!("entry #{seq}: {text}")));
    }

    fn visit(&mut self, entry: &Entry, hash: EntryHash) {
        self.check_dating(entry);
        if entry.tag == REVERSAL_TAG {
            match entry.reverses {
                Some(target) if target < entry.seq => {
                    if let Some(tracked) = self.tracked.remove(&target) {
                        let expected: Vec<Effect> = if tracked.steps.is_empty() {
                            tracked.entry.effects.iter().map(Effect::negated).collect()
                        } else {
                            crate::review::counted_effects(&tracked.entry, &tracked.steps).iter().map(Effect::negated).collect()
                        };
                        if expected != entry.effects {
                            self.differ(entry.seq, format!("does not exactly undo entry #{target}"));
                        }
                    } else {
                        self.reversals.push((entry.seq, target, entry.effects.clone()));
                    }
                    if let Some(status) = self.statuses.get_mut(&target) {
                        *status = crate::review::REVERSED;
                    }
                }
                _ => self.differ(entry.seq, "a reversal must name an earlier entry".into()),
            }
        } else if peerstake_core::review::is_review_tag(&entry.tag) {
            self.visit_step(entry, hash);
        } else if is_lifecycle_tag(&entry.tag) {
            match crate::departures::lifecycle_effects(self.book, entry, &self.state, None) {
                Ok(expected) if expected == entry.effects => {}
                Ok(_) => self.differ(entry.seq, format!("does not carry what its {} implies", entry.tag)),
                Err(error) => self.differ(entry.seq, format!("cannot be revalued: {error}")),
            }
        } else {
            match revalues_to_itself(self.book, entry, &self.book.view(&self.state, &self.left)) {
                Ok(true) => {}
                Ok(false) => self.differ(entry.seq, format!("stored figures differ from its inputs valued under policy version {}", entry.policy_version)),
                Err(error) => self.differ(entry.seq, format!("cannot be revalued: {error}")),
            }
            let pending = self.book.logged_pending(entry);
            if pending {
                self.statuses.insert(entry.seq, Status::Pending.name());
            }
            if self.reviewed.contains(&entry.seq) {
                let review = peerstake_core::review::Review::logged(self.book.review_rules(entry.policy_version).0);
                self.tracked.insert(entry.seq, Tracked { entry: entry.clone(), steps: Vec::new(), review });
            }
        }
        if let Err(error) = self.state.apply(&entry.effects) {
            self.differ(entry.seq, error.to_string());
        }
        if entry.tag == peerstake_core::lifecycle::DEPARTURE_TAG
            && let Some(member) = entry.member
        {
            self.left.push(member);
        }
    }

    /// The dating rules (`peerstake_core::dating`): a reader is dated on or after every entry
    /// before it, and no entry changes what a reader before it read on a later date. Ledgers of
    /// the first edition were recorded before the rules and are only followed, not checked.
    fn check_dating(&mut self, entry: &Entry) {
        let tracked = &self.tracked;
        let read = Marks::read_by_entry(entry, |seq| tracked.get(&seq).map(|t| t.entry.tag.clone()));
        if !self.book.venture.edition.dating_verified() {
            if let Some(mark) = read {
                self.marks.raise(mark);
            }
            return;
        }
        if read.is_some()
            && let Some(latest) = self.latest
            && entry.occurred_on < latest
        {
            self.differ(entry.seq, format!("a {} dated {} reads balances an entry dated {latest} had already changed", entry.tag, entry.occurred_on));
        }
        if let Err(backdated) = self.marks.check(entry.occurred_on, &entry.effects) {
            self.differ(entry.seq, format!("dated {} but {} on {}", entry.occurred_on, backdated.reason, backdated.earliest));
        }
        if let Some(mark) = read {
            self.marks.raise(mark);
        }
        self.latest = self.latest.max(Some(entry.occurred_on));
    }

    /// Checks a review step: it follows from the entry's status, and carries exactly the effects
    /// its change implies (the entry valued now, the negation of what it counted, or nothing).
    fn visit_step(&mut self, entry: &Entry, hash: EntryHash) {
        let Some(target) = entry.about.filter(|t| *t < entry.seq) else {
            return self.differ(entry.seq, "a review step must be about an earlier entry".into());
        };
        let Some((step, after)) = peerstake_core::review::Step::from_stored(&entry.tag, &entry.inputs) else {
            return self.differ(entry.seq, "the review step cannot be read".into());
        };
        let Some(mut tracked) = self.tracked.remove(&target) else {
            return self.differ(entry.seq, format!("entry #{target} is not a contribution open to review"));
        };
        let by = entry.author.unwrap_or(MemberNo(0));
        let expected = match tracked.review.replay(step, entry.seq, by, after) {
            Err(refusal) => {
                self.differ(entry.seq, format!("cannot follow: {refusal}"));
                None
            }
            Ok(peerstake_core::review::Change::None) => Some((0, 0, Vec::new())),
            Ok(peerstake_core::review::Change::Uncount) => {
                let effects: Vec<Effect> = crate::review::counted_effects(&tracked.entry, &tracked.steps).iter().map(Effect::negated).collect();
                Some((effects.iter().map(|e| e.fmv_minor).sum(), effects.iter().map(|e| e.slices_minor).sum(), effects))
            }
            Ok(peerstake_core::review::Change::Count) => {
                let valued = Input::from_canonical(&tracked.entry.inputs).map_err(AppError::from).and_then(|input| {
                    let policy = self
                        .book
                        .policy_version(tracked.entry.policy_version)
                        .ok_or_else(|| invalid("policy version", format!("{} does not exist", tracked.entry.policy_version)))?;
                    self.book.valuation_with(entry.seq, &Draft::of(&tracked.entry, &input), &self.book.view(&self.state, &self.left), policy)
                });
                match valued {
                    Ok((valuation, _)) => Some((valuation.fmv_minor, valuation.slices_minor, valuation.effects)),
                    Err(error) => {
                        self.differ(entry.seq, format!("cannot be revalued: {error}"));
                        None
                    }
                }
            }
        };
        if let Some((fmv_minor, slices_minor, effects)) = expected
            && (fmv_minor != entry.fmv_minor
                || slices_minor != entry.slices_minor
                || effects != entry.effects
                || entry.policy_version != tracked.entry.policy_version
                || entry.member != tracked.entry.member)
        {
            self.differ(entry.seq, format!("does not carry what its {} of entry #{target} implies", entry.tag));
        }
        self.statuses.insert(target, after.name());
        tracked.steps.push(StoredEntry { entry: entry.clone(), hash });
        self.tracked.insert(target, tracked);
    }
}

/// Visits every entry a filter selects, a full page at a time.
fn each_page(tx: &mut dyn Transaction, venture: VentureId, mut filter: EntryFilter, visit: &mut dyn FnMut(&[StoredEntry])) -> Result<(), AppError> {
    filter.limit = PAGE_SIZE_MAX;
    loop {
        let page = tx.entries(venture, &filter)?;
        visit(&page);
        match page.last() {
            Some(last) if page.len() == usize::try_from(PAGE_SIZE_MAX).unwrap_or(usize::MAX) => filter.after_seq = Some(last.entry.seq),
            _ => return Ok(()),
        }
    }
}

/// Whether a stored entry's figures, effects and terms version are what its stored inputs give
/// under the policy version it names (which must be the one in force on its date).
fn revalues_to_itself(book: &Book, entry: &Entry, state: &dyn StateView) -> Result<bool, AppError> {
    let input = Input::from_canonical(&entry.inputs)?;
    let (version_in_force, _) = book.policy_at(entry.occurred_on)?;
    if version_in_force != entry.policy_version {
        return Err(invalid("policy version", format!("{} was not in force on {} (version {version_in_force} was)", entry.policy_version, entry.occurred_on)));
    }
    let policy = book.policy_version(entry.policy_version).ok_or_else(|| invalid("policy version", format!("{} does not exist", entry.policy_version)))?;
    let (valuation, terms_version) = book.valuation_with(entry.seq, &Draft::of(entry, &input), state, policy)?;
    Ok(input.tag() == entry.tag
        && terms_version == entry.terms_version
        && valuation.fmv_minor == entry.fmv_minor
        && valuation.slices_minor == entry.slices_minor
        && (if book.logged_pending(entry) { entry.effects.is_empty() } else { valuation.effects == entry.effects })
        && entry.reverses.is_none())
}

/// Replays the ledger under a candidate policy, leaving out reversed entries and reversals.
fn revalue(
    tx: &mut dyn Transaction,
    book: &Book,
    candidate: &peerstake_core::policy::Policy,
    as_of: Option<Date>,
) -> Result<(LedgerState, Vec<(u64, String)>), AppError> {
    let mut reversed: HashSet<u64> = HashSet::new();
    let filter = EntryFilter { tag: Some(REVERSAL_TAG.to_string()), ..EntryFilter::default() };
    each_page(tx, book.venture.id, filter, &mut |page| reversed.extend(page.iter().filter_map(|s| s.entry.reverses)))?;
    // Entries waiting for review, disputed or rejected count under no formula.
    let not_counted = [Status::Pending.name(), Status::Disputed.name(), Status::Rejected.name()];
    reversed.extend(tx.entries_with_status(book.venture.id, &not_counted, u32::MAX)?.into_iter().map(|(seq, _)| seq));
    let mut state = LedgerState::new();
    let mut unvalued = Vec::new();
    let mut left: Vec<MemberNo> = Vec::new();
    let genesis = EntryHash::genesis(&book.venture.slug);
    tx.scan_entries(book.venture.id, &mut |stored| {
        let entry = &stored.entry;
        if entry.tag == peerstake_core::lifecycle::DEPARTURE_TAG
            && let Some(member) = entry.member
        {
            left.push(member);
        }
        if entry.tag == REVERSAL_TAG || is_review_tag(&entry.tag) || reversed.contains(&entry.seq) || as_of.is_some_and(|d| entry.occurred_on > d) {
            return Ok(());
        }
        if is_lifecycle_tag(&entry.tag) {
            // A departure or buyout applies its rule to the balances under the candidate.
            let outcome = crate::departures::lifecycle_effects(book, entry, &state, Some(candidate));
            if let Err(error) = outcome.and_then(|effects| state.apply(&effects).map_err(AppError::from)) {
                unvalued.push((entry.seq, error.to_string()));
            }
            return Ok(());
        }
        let outcome = Input::from_canonical(&entry.inputs).map_err(AppError::from).and_then(|input| {
            let draft = Draft::of(entry, &input);
            book.value_entry_with(entry.seq, &genesis, &draft, &book.view(&state, &left), 0, candidate)
        });
        match outcome.and_then(|valued| state.apply(&valued.entry.effects).map_err(AppError::from)) {
            Ok(()) => {}
            Err(error) => unvalued.push((entry.seq, error.to_string())),
        }
        Ok(())
    })?;
    Ok((state, unvalued))
}

//! Logging contributions, reversing them, reading the ledger and the split, tracing a figure to
//! its entries, and verifying a venture's ledger end to end.

use crate::book::{Book, Draft, check_note};
use crate::error::{AppError, invalid};
use crate::idempotency::{fingerprint, remember, replayed};
use crate::journal::{LogRequest, NamedEntry, ReverseRequest, draft_entry, entry_result, persist_logged, persist_reversal, resolve_member, reversal_entry};
use crate::policy_file::PolicyChoice;
use crate::{Commons, Now};
use peerstake_core::chain::EntryHash;
use peerstake_core::entry::{Entry, REVERSAL_TAG};
use peerstake_core::input::Input;
use peerstake_core::kind::Kind;
use peerstake_core::lifecycle::is_lifecycle_tag;
use peerstake_core::money::Currency;
use peerstake_core::replay::LedgerState;
use peerstake_core::review::{Status, is_review_tag};
use peerstake_core::split::{MemberSplit, compute};
use peerstake_core::terms::MemberNo;
use peerstake_store::{EntryFilter, MemberRecord, Mode, PAGE_SIZE_MAX, StoredEntry, Transaction, VentureId};
use std::collections::{BTreeMap, HashSet};
use time::Date;

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

impl SplitQuery {
    /// The split now under a proposed policy's stored settings, the ledger unchanged.
    pub fn under(settings: &str) -> SplitQuery {
        SplitQuery { as_of: None, policy: Some(PolicyChoice::File(settings.to_string())) }
    }
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
        let fingerprint = request.fingerprint(&["log", &request.venture]);
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

    /// Logs several contributions to one venture in one transaction — one lock, one commit, and
    /// under grouped durability one sync — each as [`Commons::log`] would on its own: in order,
    /// each between a savepoint and its release, so one that is refused is rolled back alone and
    /// answered with its own error while the others are recorded. The outer error is the whole
    /// batch failing (the venture cannot be read, or the commit fails): then nothing is written.
    pub fn log_batch(&self, venture: &str, requests: &[AuthorizedLog], now: Now) -> Result<Vec<Result<NamedEntry, AppError>>, AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let id = book.venture.id;
        let mut head = (book.venture.head_seq, book.venture.head_hash);
        let mut answers = Vec::with_capacity(requests.len());
        let mut waiting_review = Vec::new();
        for AuthorizedLog(request) in requests {
            tx.savepoint()?;
            let outcome = (|| {
                if request.venture != venture {
                    return Err(invalid("venture", format!("a batch for {venture} holds a request for {}", request.venture)));
                }
                check_note(&request.note)?;
                let fingerprint = request.fingerprint(&["log", &request.venture]);
                if let Some(result) = replayed(tx.as_mut(), id, request.idempotency_key.as_deref(), &fingerprint)? {
                    return entry_result(tx.as_mut(), id, &result).map(|entry| (entry, false));
                }
                let stored = draft_entry(tx.as_mut(), &book, request, now, head, None)?;
                persist_logged(tx.as_mut(), &book, &stored)?;
                remember(tx.as_mut(), id, request.idempotency_key.as_deref(), &fingerprint, &format!("entry:{}", stored.entry.seq), now)?;
                Ok((stored, true))
            })();
            match outcome {
                Ok((stored, new)) => {
                    tx.release_savepoint()?;
                    if new {
                        head = (stored.entry.seq, stored.hash);
                        if book.logged_pending(&stored.entry) {
                            waiting_review.push(stored.entry.clone());
                        }
                    }
                    answers.push(Ok(NamedEntry::of(stored, &book)));
                }
                Err(error) => {
                    tx.rollback_to_savepoint()?;
                    answers.push(Err(error));
                }
            }
        }
        tx.commit()?;
        for entry in &waiting_review {
            self.ask_for_review(&book, entry);
        }
        Ok(answers)
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
            let outcome = book.lifecycle_effects(entry, &state, Some(candidate));
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

/// A contribution this person may log, as they may log it (see
/// [`crate::access::Acting::authorize`]): what a
/// batch of writes takes, so every request in it was checked for the one who made it.
#[derive(Debug, Clone)]
pub struct AuthorizedLog(LogRequest);

impl AuthorizedLog {
    /// A request as the operator makes it (the command line: whoever holds the database may log
    /// anything), for [`Commons::log_batch`].
    pub fn as_operator(request: LogRequest) -> AuthorizedLog {
        AuthorizedLog(request)
    }

    /// The venture it is for.
    pub fn venture(&self) -> &str {
        &self.0.venture
    }
}

impl crate::access::Acting<'_> {
    /// Checks that the person may log the contribution, and makes it theirs (authored by them,
    /// for them when it names nobody), for [`Commons::log_batch`].
    pub fn authorize(&self, request: &LogRequest, now: Now) -> Result<AuthorizedLog, AppError> {
        self.authorize_log(request, now).map(AuthorizedLog)
    }

    /// Logs a contribution: for oneself, or for anyone as a steward. The author is always the
    /// person acting.
    pub fn log(&self, request: &LogRequest, now: Now) -> Result<StoredEntry, AppError> {
        let request = self.authorize_log(request, now)?;
        self.commons.log(&request, now)
    }

    /// Logs (`commit`) or previews a contribution, with the handles of the members it names.
    pub fn log_named(&self, request: &LogRequest, now: Now, commit: bool) -> Result<crate::journal::NamedEntry, AppError> {
        let request = self.authorize_log(request, now)?;
        self.commons.log_named(&request, now, commit)
    }

    /// Values a contribution as [`Acting::log`] would, writing nothing.
    pub fn preview(&self, request: &LogRequest, now: Now) -> Result<StoredEntry, AppError> {
        let request = self.authorize_log(request, now)?;
        self.commons.preview(&request, now)
    }

    /// Reverses an entry: its author or a steward.
    pub fn reverse(&self, request: &ReverseRequest, now: Now) -> Result<StoredEntry, AppError> {
        let standing = self.standing(&request.venture, now)?;
        let member = standing.require_member()?;
        if !standing.is_steward() {
            let mut tx = self.commons.store.begin(Mode::Read)?;
            let entry = tx.entry(standing.venture.record.id, request.seq)?.ok_or(AppError::NotFound { what: "entry", name: format!("#{}", request.seq) })?;
            if entry.entry.author != Some(member.member_no) {
                return Err(AppError::Forbidden("an entry is reversed by its author or a steward".into()));
            }
        }
        self.commons.reverse(&ReverseRequest { author: Some(member.handle.clone()), ..request.clone() }, now)
    }

    /// The split: now, as of a date, or under a candidate policy.
    pub fn split(&self, slug: &str, query: &SplitQuery, now: Now) -> Result<SplitReport, AppError> {
        self.standing(slug, now)?;
        self.commons.split(slug, query)
    }

    /// The split month by month.
    pub fn split_history(&self, slug: &str, months: usize, now: Now) -> Result<crate::ledger::SplitHistory, AppError> {
        self.standing(slug, now)?;
        self.commons.split_history(slug, months)
    }

    /// A page of the ledger.
    pub fn ledger(&self, slug: &str, query: &LedgerQuery, now: Now) -> Result<LedgerPage, AppError> {
        self.standing(slug, now)?;
        self.commons.ledger(slug, query)
    }

    /// A member's slices traced to their entries.
    pub fn trace(&self, slug: &str, handle: &str, now: Now) -> Result<TraceReport, AppError> {
        self.standing(slug, now)?;
        self.commons.trace(slug, handle)
    }

    /// The member number of the person in a venture, if any.
    pub fn member_no(&self, slug: &str, now: Now) -> Result<Option<MemberNo>, AppError> {
        Ok(self.standing(slug, now)?.member.map(|m| m.member_no))
    }
}

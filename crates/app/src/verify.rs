//! Verification: a venture's ledger checked end to end. The hash chain is recomputed, every
//! entry revalued from its stored inputs under the versions it names, every review step, departure,
//! buyout and reversal followed, the dating rules replayed, and the result compared with the
//! maintained totals, the head, the review statuses and the read marks.

use crate::Commons;
use crate::book::{Book, Draft};
use crate::error::{AppError, invalid};
use peerstake_core::chain::EntryHash;
use peerstake_core::dating::Marks;
use peerstake_core::entry::{Entry, REVERSAL_TAG};
use peerstake_core::input::Input;
use peerstake_core::lifecycle::is_lifecycle_tag;
use peerstake_core::replay::{Bucket, BucketKey, Effect, LedgerState, StateView};
use peerstake_core::review::Status;
use peerstake_core::terms::MemberNo;
use peerstake_store::{Mode, StoredEntry, Transaction};
use std::collections::{BTreeMap, HashMap, HashSet};
use time::Date;

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
                            crate::journal::counted_effects(&tracked.entry, &tracked.steps).iter().map(Effect::negated).collect()
                        };
                        if expected != entry.effects {
                            self.differ(entry.seq, format!("does not exactly undo entry #{target}"));
                        }
                    } else {
                        self.reversals.push((entry.seq, target, entry.effects.clone()));
                    }
                    if let Some(status) = self.statuses.get_mut(&target) {
                        *status = peerstake_core::review::REVERSED;
                    }
                }
                _ => self.differ(entry.seq, "a reversal must name an earlier entry".into()),
            }
        } else if peerstake_core::review::is_review_tag(&entry.tag) {
            self.visit_step(entry, hash);
        } else if is_lifecycle_tag(&entry.tag) {
            match self.book.lifecycle_effects(entry, &self.state, None) {
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
                let effects: Vec<Effect> = crate::journal::counted_effects(&tracked.entry, &tracked.steps).iter().map(Effect::negated).collect();
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

impl Commons {
    /// Recomputes a venture's hash chain, revalues every entry from its stored inputs under the
    /// policy and terms versions it names, replays every effect, and compares the result with
    /// the stored entries, the maintained totals and the chain head.
    pub fn verify(&self, venture: &str) -> Result<VerifyReport, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        verify_in(tx.as_mut(), &book, true)
    }
}

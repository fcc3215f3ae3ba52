//! Peer review of entries: approving, disputing, withdrawing a dispute, settling it by the
//! stewards' decision or a vote, and amending an entry (its reversal and a new entry linked to
//! it, in one transaction). The rules of each step are the domain core's (`review`); this module
//! gathers the facts they need, values the entry when it starts counting, and records the step as
//! a ledger entry.

use crate::book::{Book, Draft, check_note};
use crate::error::{AppError, invalid};
use crate::idempotency::{fingerprint, remember, replayed};
use crate::journal::{
    LogRequest, NamedEntry, ReverseRequest, Snapshot, check_applies, draft_entry, entry_result, persist, persist_logged, persist_reversal, reversal_entry,
};
use crate::{Commons, Now};
use peerstake_core::entry::{Entry, REVERSAL_TAG};
use peerstake_core::input::Input;
use peerstake_core::replay::Effect;
use peerstake_core::replay::deltas;
use peerstake_core::review::{Change, Electorate, Review, Reviewer, Status, Step, is_review_tag};
use peerstake_core::terms::MemberNo;
use peerstake_store::{Mode, StoredEntry, Transaction};
use std::collections::BTreeMap;

/// The most entries the review queue lists.
pub const QUEUE_MAX: u32 = 200;

/// A review step someone takes on an entry.
#[derive(Debug, Clone)]
pub struct ReviewRequest {
    /// The venture's slug.
    pub venture: String,
    /// The entry reviewed.
    pub seq: u64,
    /// The step.
    pub step: Step,
    /// Handle of the member taking it.
    pub by: String,
    /// The reason (required for a dispute).
    pub note: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// An amendment: the entry is reversed and a corrected one, linked to it, is logged.
#[derive(Debug, Clone)]
pub struct AmendRequest {
    /// The entry amended.
    pub seq: u64,
    /// Why (the reversal's reason).
    pub reason: String,
    /// The corrected contribution (its venture, author and idempotency key serve the whole amendment).
    pub log: LogRequest,
}

/// An entry with everything about its review.
#[derive(Debug, Clone)]
pub struct EntryReview {
    /// The entry.
    pub entry: NamedEntry,
    /// Where it stands (none for entries that are not contributions).
    pub status: Option<Status>,
    /// Whether it has been reversed, and by which entry.
    pub reversed_by: Option<u64>,
    /// Its review steps, in order.
    pub steps: Vec<NamedEntry>,
    /// The entry that amends it, if any.
    pub amended_by: Option<u64>,
    /// Who approved it since it was last pending.
    pub approvals: Vec<String>,
    /// Who disputes it, when a dispute is open.
    pub disputed_by: Option<String>,
    /// The rule it is reviewed under, in words.
    pub rule: String,
    /// How a dispute on it is settled.
    pub disputes: peerstake_core::policy::DisputeRule,
}

/// An entry's review, folded from its recorded steps.
pub(crate) fn review_of(book: &Book, entry: &Entry, steps: &[StoredEntry]) -> Result<Review, AppError> {
    let mut review = Review::logged(book.review_rules(entry.policy_version).0);
    for step in steps {
        let (kind, after) = Step::from_stored(&step.entry.tag, &step.entry.inputs)
            .ok_or_else(|| AppError::Internal(format!("entry #{}: review step cannot be read", step.entry.seq)))?;
        let by = step.entry.author.unwrap_or(MemberNo(0));
        review.replay(kind, step.entry.seq, by, after).map_err(|refusal| AppError::Internal(format!("entry #{}: {refusal}", step.entry.seq)))?;
    }
    Ok(review)
}

/// Everyone but the entry's author and the member it is for, with their slices now.
fn electorate(tx: &mut dyn Transaction, book: &Book, entry: &Entry) -> Result<Electorate, AppError> {
    let parties = [entry.author, entry.member];
    let mut slices: BTreeMap<MemberNo, i64> = BTreeMap::new();
    for (key, bucket) in tx.totals(book.venture.id)? {
        *slices.entry(key.member).or_insert(0) += bucket.slices_minor;
    }
    // Members who left review nothing.
    let others: Vec<MemberNo> = book.active_members().map(|m| m.member_no).filter(|m| !parties.contains(&Some(*m))).collect();
    Ok(Electorate {
        peers: others.iter().map(|m| (*m, slices.get(m).copied().unwrap_or(0).max(0))).collect(),
        other_steward: others.iter().any(|m| book.is_steward(*m)),
    })
}

/// The contribution an entry number names, for review.
fn contribution(tx: &mut dyn Transaction, book: &Book, seq: u64) -> Result<Entry, AppError> {
    let entry = tx.entry(book.venture.id, seq)?.ok_or(AppError::NotFound { what: "entry", name: format!("#{seq}") })?.entry;
    if entry.tag == REVERSAL_TAG || is_review_tag(&entry.tag) || peerstake_core::lifecycle::is_lifecycle_tag(&entry.tag) {
        return Err(invalid("entry", format!("#{seq} is a {}; only contributions are reviewed", entry.tag)));
    }
    Ok(entry)
}

/// The step as the next entry after `head`, with the effects its change carries.
fn step_entry(
    tx: &mut dyn Transaction,
    book: &Book,
    target: &Entry,
    counted: &[Effect],
    change: Change,
    recorded: (Step, Status, MemberNo, &str),
    now: Now,
) -> Result<StoredEntry, AppError> {
    let (step, status, by, note) = recorded;
    let venture = &book.venture;
    let seq = venture.head_seq + 1;
    let (fmv_minor, slices_minor, effects) = match change {
        Change::None => (0, 0, Vec::new()),
        Change::Uncount => {
            let effects: Vec<Effect> = counted.iter().map(Effect::negated).collect();
            (effects.iter().map(|e| e.fmv_minor).sum(), effects.iter().map(|e| e.slices_minor).sum(), effects)
        }
        Change::Count => {
            let input = Input::from_canonical(&target.inputs)?;
            let mut snapshot = Snapshot::default();
            match (&input, target.member) {
                (Input::Withdrawal { .. }, _) => snapshot.wells = tx.well_balances(venture.id)?,
                (Input::CashPaid { .. } | Input::WellReturn { .. }, Some(member)) => snapshot.buckets = tx.member_totals(venture.id, member)?,
                _ => {}
            }
            let policy =
                book.policy_version(target.policy_version).ok_or_else(|| invalid("policy version", format!("{} does not exist", target.policy_version)))?;
            let (valuation, _) = book.valuation_with(seq, &Draft::of(target, &input), &book.view(&snapshot, &book.leavers()), policy)?;
            (valuation.fmv_minor, valuation.slices_minor, valuation.effects)
        }
    };
    check_applies(tx, venture.id, &effects)?;
    let entry = Entry {
        seq,
        occurred_on: now.today.max(target.occurred_on),
        recorded_at_ms: now.at_ms,
        author: Some(by),
        member: target.member,
        tag: step.tag().to_string(),
        inputs: step.stored_inputs(status),
        note: note.trim().to_string(),
        policy_version: target.policy_version,
        terms_version: target.terms_version,
        fmv_minor,
        slices_minor,
        reverses: None,
        about: Some(target.seq),
        effects,
    };
    Ok(StoredEntry { hash: entry.hash_after(&venture.head_hash), entry })
}

impl Commons {
    /// Takes a review step on an entry and records it as a ledger entry about it. A step that
    /// makes the entry count carries its effects, valued now and dated today; one that takes it
    /// out carries the negation of what it counted. Writers to a venture are serialized, so of
    /// approvals arriving together exactly one reaches the quorum.
    pub fn review(&self, request: &ReviewRequest, now: Now) -> Result<StoredEntry, AppError> {
        check_note(&request.note)?;
        if request.step == Step::Dispute && request.note.trim().is_empty() {
            return Err(invalid("reason", "say why the entry is disputed"));
        }
        let fingerprint = fingerprint(&[
            "review",
            &request.venture,
            &request.seq.to_string(),
            request.step.tag(),
            &format!("{:?}", request.step),
            &request.by,
            &request.note,
        ]);
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let venture = book.venture.clone();
        if let Some(result) = replayed(tx.as_mut(), venture.id, request.idempotency_key.as_deref(), &fingerprint)? {
            return entry_result(tx.as_mut(), venture.id, &result);
        }
        let by = book.member(&request.by)?.member_no;
        crate::membership::require_present(&book, by)?;
        let target = contribution(tx.as_mut(), &book, request.seq)?;
        if let Some(reversal) = tx.reversal_of(venture.id, request.seq)? {
            return Err(invalid("entry", format!("#{} was reversed by entry #{reversal}", request.seq)));
        }
        let steps: Vec<StoredEntry> = tx.entries_about(venture.id, request.seq)?.into_iter().filter(|s| is_review_tag(&s.entry.tag)).collect();
        let mut review = review_of(&book, &target, &steps)?;
        let counted = crate::journal::counted_effects(&target, &steps);
        let reviewer = Reviewer { member: by, steward: book.is_steward(by), party: target.author == Some(by) || target.member == Some(by) };
        let electorate = electorate(tx.as_mut(), &book, &target)?;
        let change = review
            .step(request.step, venture.head_seq + 1, reviewer, book.review_rules(target.policy_version), &electorate)
            .map_err(|refusal| AppError::Review { seq: request.seq, refusal })?;
        let stored = step_entry(tx.as_mut(), &book, &target, &counted, change, (request.step, review.status, by, &request.note), now)?;
        persist(tx.as_mut(), &book, std::slice::from_ref(&stored), &deltas(&stored.entry.effects))?;
        tx.set_review_status(venture.id, request.seq, review.status.name())?;
        remember(tx.as_mut(), venture.id, request.idempotency_key.as_deref(), &fingerprint, &format!("entry:{}", stored.entry.seq), now)?;
        tx.commit()?;
        let path = format!("/v/{}/entries/{}", venture.slug, request.seq);
        let who = book.member_by_no(by).map_or_else(String::new, |m| m.display_name.clone());
        match (request.step, change) {
            (Step::Dispute, _) => {
                let subject = format!("[{}] Entry #{} is disputed", venture.name, request.seq);
                let body = format!("{who} disputes entry #{} ({} on {}): {}", request.seq, target.tag, target.occurred_on, request.note.trim());
                self.notify(&venture.slug, &[target.author, target.member].into_iter().flatten().collect::<Vec<_>>(), &subject, &body, &path);
            }
            (_, Change::Count) => {
                let subject = format!("[{}] Entry #{} counts now", venture.name, request.seq);
                let body = format!("Entry #{} ({} on {}) is in the split from today.", request.seq, target.tag, target.occurred_on);
                self.notify(&venture.slug, &target.member.into_iter().collect::<Vec<_>>(), &subject, &body, &path);
            }
            _ => {}
        }
        Ok(stored)
    }

    /// Amends an entry: reverses it and logs the corrected contribution, linked to it, in one
    /// transaction. Returns the new entry.
    pub fn amend(&self, request: &AmendRequest, now: Now) -> Result<StoredEntry, AppError> {
        let log = &request.log;
        check_note(&log.note)?;
        check_note(&request.reason)?;
        if request.reason.trim().is_empty() {
            return Err(invalid("reason", "is required"));
        }
        let fingerprint = log.fingerprint(&["amend", &log.venture, &request.seq.to_string(), &request.reason]);
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &log.venture)?;
        let venture = book.venture.clone();
        if let Some(result) = replayed(tx.as_mut(), venture.id, log.idempotency_key.as_deref(), &fingerprint)? {
            return entry_result(tx.as_mut(), venture.id, &result);
        }
        let reverse = ReverseRequest {
            venture: log.venture.clone(),
            seq: request.seq,
            reason: request.reason.clone(),
            author: log.author.clone(),
            idempotency_key: None,
        };
        let reversal = reversal_entry(tx.as_mut(), &book, &reverse, now, (venture.head_seq, venture.head_hash))?;
        persist_reversal(tx.as_mut(), &book, &reversal)?;
        let amended = draft_entry(tx.as_mut(), &book, log, now, (reversal.entry.seq, reversal.hash), Some(request.seq))?;
        persist_logged(tx.as_mut(), &book, &amended)?;
        remember(tx.as_mut(), venture.id, log.idempotency_key.as_deref(), &fingerprint, &format!("entry:{}", amended.entry.seq), now)?;
        tx.commit()?;
        if book.logged_pending(&amended.entry) {
            self.ask_for_review(&book, &amended.entry);
        }
        Ok(amended)
    }

    /// An entry with its review: status, steps, approvals, open dispute, amendment.
    pub fn entry_review(&self, venture: &str, seq: u64) -> Result<EntryReview, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let stored = tx.entry(book.venture.id, seq)?.ok_or(AppError::NotFound { what: "entry", name: format!("#{seq}") })?;
        let about = tx.entries_about(book.venture.id, seq)?;
        let (steps, amendments): (Vec<StoredEntry>, Vec<StoredEntry>) = about.into_iter().partition(|s| is_review_tag(&s.entry.tag));
        let reversed_by = tx.reversal_of(book.venture.id, seq)?;
        let contribution = stored.entry.tag != REVERSAL_TAG && !is_review_tag(&stored.entry.tag);
        let (status, approvals, disputed_by) = if contribution {
            let review = review_of(&book, &stored.entry, &steps)?;
            let name = |m: MemberNo| book.member_by_no(m).map_or_else(|| format!("#{}", m.0), |r| r.handle.clone());
            (Some(review.status), review.approvals.iter().map(|m| name(*m)).collect(), review.dispute.as_ref().map(|d| name(d.by)))
        } else {
            (None, Vec::new(), None)
        };
        let (rule, disputes) = book.review_rules(stored.entry.policy_version);
        let rule = format!("{}; disputes settled {}", describe_rule(rule), describe_disputes(disputes));
        Ok(EntryReview {
            entry: NamedEntry::of(stored, &book),
            status,
            reversed_by,
            steps: steps.into_iter().map(|s| NamedEntry::of(s, &book)).collect(),
            amended_by: amendments.first().map(|s| s.entry.seq),
            approvals,
            disputed_by,
            rule,
            disputes,
        })
    }

    /// Entries waiting for review or disputed, oldest first, with their status.
    pub fn review_queue(&self, venture: &str) -> Result<Vec<(NamedEntry, Status)>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let mut out = Vec::new();
        for (seq, status) in tx.entries_with_status(book.venture.id, &[Status::Pending.name(), Status::Disputed.name()], QUEUE_MAX)? {
            let status = Status::from_name(&status).ok_or_else(|| AppError::Internal(format!("entry #{seq}: unknown status '{status}'")))?;
            if let Some(stored) = tx.entry(book.venture.id, seq)? {
                out.push((NamedEntry::of(stored, &book), status));
            }
        }
        Ok(out)
    }
}

/// A review rule in words.
pub fn describe_rule(rule: peerstake_core::policy::ReviewRule) -> String {
    use peerstake_core::policy::ReviewRule;
    match rule {
        ReviewRule::None => "entries count at once".to_string(),
        ReviewRule::Stewards => "a steward other than the author approves each entry".to_string(),
        ReviewRule::Quorum { count, weighted: false } => format!("{count} peers other than the author approve each entry"),
        ReviewRule::Quorum { count, weighted: true } => format!("peers holding {count}% of the others' slices approve each entry"),
    }
}

/// A dispute rule in words.
pub fn describe_disputes(rule: peerstake_core::policy::DisputeRule) -> &'static str {
    match rule {
        peerstake_core::policy::DisputeRule::Stewards => "by the stewards",
        peerstake_core::policy::DisputeRule::Vote => "by a vote of the members",
    }
}

impl crate::access::Acting<'_> {
    /// Takes a review step as oneself: members only; the rules of the step (not one's own
    /// entry, stewards only, one approval each) are checked by the use case.
    pub fn review(&self, request: &ReviewRequest, now: Now) -> Result<StoredEntry, AppError> {
        let standing = self.standing(&request.venture, now)?;
        let member = standing.require_member()?;
        self.commons.review(&ReviewRequest { by: member.handle.clone(), ..request.clone() }, now)
    }

    /// Amends an entry (its author or a steward): reverses it and logs the correction, linked.
    pub fn amend(&self, request: &AmendRequest, now: Now) -> Result<StoredEntry, AppError> {
        let log = self.authorize_log(&request.log, now)?;
        let standing = self.standing(&log.venture, now)?;
        let member = standing.require_member()?;
        if !standing.is_steward() {
            let mut tx = self.commons.store.begin(Mode::Read)?;
            let entry = tx.entry(standing.venture.record.id, request.seq)?.ok_or(AppError::NotFound { what: "entry", name: format!("#{}", request.seq) })?;
            if entry.entry.author != Some(member.member_no) {
                return Err(AppError::Forbidden("an entry is amended by its author or a steward".into()));
            }
        }
        self.commons.amend(&AmendRequest { log, ..request.clone() }, now)
    }

    /// An entry with its review, for anyone who may read the venture.
    pub fn entry_review(&self, slug: &str, seq: u64, now: Now) -> Result<EntryReview, AppError> {
        self.standing(slug, now)?;
        self.commons.entry_review(slug, seq)
    }

    /// Entries waiting for review or disputed, for anyone who may read the venture.
    pub fn review_queue(&self, slug: &str, now: Now) -> Result<Vec<(crate::journal::NamedEntry, peerstake_core::review::Status)>, AppError> {
        self.standing(slug, now)?;
        self.commons.review_queue(slug)
    }
}

//! A venture's book inside one transaction: its record, members, terms and parsed policy
//! versions, and the one function that turns a contribution into the next chained entry. Logging
//! one entry, importing a million, replaying for `verify` and comparing formulas all go through
//! [`Book::value_entry`], so they cannot disagree.

use crate::Now;
use crate::error::{AppError, invalid};
use crate::policy_file::PolicyChoice;
use peerstake_core::chain::EntryHash;
use peerstake_core::entry::{Entry, REVERSAL_TAG};
use peerstake_core::input::Input;
use peerstake_core::lifecycle::is_lifecycle_tag;
use peerstake_core::money::Currency;
use peerstake_core::policy::DecisionRule;
use peerstake_core::policy::Policy;
use peerstake_core::policy::{DisputeRule, ReviewRule};
use peerstake_core::replay::{Effect, LedgerState};
use peerstake_core::replay::{StateView, WithoutLeavers};
use peerstake_core::review::is_review_tag;
use peerstake_core::terms::{MemberNo, Role};
use peerstake_core::valuation::{Context, Valuation, value};
use peerstake_store::ProposalVote;
use peerstake_store::lifecycle::BuyoutRecord;
use peerstake_store::{MemberRecord, PolicyVersionRecord, StoredEntry, TermsRecord, Transaction, VentureId, VentureRecord};
use rustc_hash::FxHashMap;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::Date;

/// The earliest contribution date accepted.
pub const DATE_MIN: Date = time::macros::date!(1970 - 01 - 01);

/// Longest free text on an entry.
pub const NOTE_CHARS_MAX: usize = 2_000;

pub(crate) struct Book {
    pub venture: VentureRecord,
    parts: Arc<Parts>,
}

/// What a venture's book holds besides its record: members, terms and parsed policies. It
/// changes only when the venture's `book_version` moves, so it is shared between transactions.
pub(crate) struct Parts {
    pub currency: Currency,
    /// Sorted by member number.
    pub members: Vec<MemberRecord>,
    /// Each member's role, parallel to `members`.
    roles: Vec<Option<Role>>,
    /// Index into `members` by handle.
    handles: HashMap<String, usize>,
    pub terms: FxHashMap<MemberNo, Vec<TermsRecord>>,
    pub policies: Vec<(PolicyVersionRecord, Policy)>,
}

impl std::ops::Deref for Book {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.parts
    }
}

/// Parsed books by venture, each with the `book_version` it was read at. Only books read in a
/// transaction that wrote none of their parts are kept: a write that is rolled back could
/// otherwise leave a version number behind that a later write reuses for different parts.
#[derive(Default)]
pub(crate) struct BookCache {
    books: Mutex<HashMap<VentureId, (u64, Arc<Parts>)>>,
}

impl BookCache {
    fn get(&self, venture: &VentureRecord) -> Option<Arc<Parts>> {
        let books = self.books.lock().unwrap_or_else(|p| p.into_inner());
        books.get(&venture.id).filter(|(version, _)| *version == venture.book_version).map(|(_, parts)| Arc::clone(parts))
    }

    fn book(&self, tx: &mut dyn Transaction, venture: VentureRecord, keep: bool) -> Result<Book, AppError> {
        if let Some(parts) = self.get(&venture) {
            return Ok(Book { venture, parts });
        }
        let parts = Arc::new(Parts::load(tx, &venture)?);
        if keep {
            self.books.lock().unwrap_or_else(|p| p.into_inner()).insert(venture.id, (venture.book_version, Arc::clone(&parts)));
        }
        Ok(Book { venture, parts })
    }

    /// A venture's book in a read-only transaction.
    pub fn read(&self, tx: &mut dyn Transaction, slug: &str) -> Result<Book, AppError> {
        let venture = tx.venture_by_slug(slug)?.ok_or_else(|| AppError::NotFound { what: "venture", name: slug.to_string() })?;
        self.book(tx, venture, true)
    }

    /// A venture's book from its record, in a read-only transaction.
    pub fn read_record(&self, tx: &mut dyn Transaction, venture: VentureRecord) -> Result<Book, AppError> {
        self.book(tx, venture, true)
    }

    /// A venture's book inside a write transaction, without locking it.
    pub fn within(&self, tx: &mut dyn Transaction, slug: &str) -> Result<Book, AppError> {
        let venture = tx.venture_by_slug(slug)?.ok_or_else(|| AppError::NotFound { what: "venture", name: slug.to_string() })?;
        self.book(tx, venture, false)
    }

    /// Loads a venture's book for a write: locks the venture against other writers first, so the
    /// members, terms, policy versions and head read here cannot change before the commit.
    pub fn write(&self, tx: &mut dyn Transaction, slug: &str) -> Result<Book, AppError> {
        let venture = tx.venture_by_slug(slug)?.ok_or_else(|| AppError::NotFound { what: "venture", name: slug.to_string() })?;
        let locked = tx.lock_venture(venture.id)?;
        self.book(tx, locked, false)
    }
}

/// What a contribution is before it is valued.
pub(crate) struct Draft<'a> {
    pub occurred_on: Date,
    pub recorded_at_ms: i64,
    pub author: Option<MemberNo>,
    pub member: Option<MemberNo>,
    pub input: &'a Input,
    pub note: &'a str,
}

impl<'a> Draft<'a> {
    /// The draft a stored entry was valued from, for revaluing it.
    pub fn of(entry: &'a Entry, input: &'a Input) -> Draft<'a> {
        Draft { occurred_on: entry.occurred_on, recorded_at_ms: entry.recorded_at_ms, author: entry.author, member: entry.member, input, note: &entry.note }
    }
}

impl Parts {
    fn load(tx: &mut dyn Transaction, venture: &VentureRecord) -> Result<Parts, AppError> {
        let currency = venture.money()?;
        let mut members = tx.members(venture.id)?;
        members.sort_by_key(|m| m.member_no);
        let roles = members.iter().map(|m| Role::from_name(&m.role)).collect();
        let handles = members.iter().enumerate().map(|(index, m)| (m.handle.clone(), index)).collect();
        let mut terms: FxHashMap<MemberNo, Vec<TermsRecord>> = FxHashMap::default();
        for record in tx.terms(venture.id)? {
            terms.entry(record.member_no).or_default().push(record);
        }
        let mut policies = Vec::new();
        for record in tx.policy_versions(venture.id)? {
            let policy = crate::policy_file::parse(&record.settings, currency)?;
            policies.push((record, policy));
        }
        Ok(Parts { currency, members, roles, handles, terms, policies })
    }
}

impl Book {
    pub fn member(&self, handle: &str) -> Result<&MemberRecord, AppError> {
        self.handles.get(handle).and_then(|index| self.members.get(*index)).ok_or_else(|| AppError::NotFound { what: "member", name: handle.to_string() })
    }

    pub fn member_by_no(&self, member_no: MemberNo) -> Option<&MemberRecord> {
        self.members.binary_search_by_key(&member_no, |m| m.member_no).ok().and_then(|index| self.members.get(index))
    }

    /// The policy version in force on a date: the latest that took effect on or before it;
    /// version 1 covers everything before version 2.
    pub fn policy_at(&self, date: Date) -> Result<(u32, &Policy), AppError> {
        let found = self.policies.iter().rev().find(|(record, _)| record.effective_from <= date).or_else(|| self.policies.first());
        found.map(|(record, policy)| (record.version, policy)).ok_or_else(|| AppError::NotFound { what: "policy of venture", name: self.venture.slug.clone() })
    }

    /// The policy of a given version.
    pub fn policy_version(&self, version: u32) -> Option<&Policy> {
        self.policies.iter().find(|(record, _)| record.version == version).map(|(_, policy)| policy)
    }

    /// A member's terms in force on a date.
    pub fn terms_at(&self, member: MemberNo, date: Date) -> Option<&TermsRecord> {
        self.terms.get(&member).and_then(|versions| versions.iter().rev().find(|t| t.effective_from <= date))
    }

    fn role_of(&self, member: MemberNo) -> Option<Role> {
        self.members.binary_search_by_key(&member, |m| m.member_no).ok().and_then(|index| self.roles.get(index).copied().flatten())
    }

    /// Values a draft under the versions in force on its date and chains it after the head. When
    /// that policy wants entries approved, the entry is pending: it keeps its figures for people to
    /// review but has no effects until a review step makes it count.
    pub fn value_entry(&self, seq: u64, previous: &EntryHash, draft: &Draft<'_>, state: &dyn StateView) -> Result<StoredEntry, AppError> {
        let (policy_version, policy) = self.policy_at(draft.occurred_on)?;
        let mut stored = self.value_entry_with(seq, previous, draft, state, policy_version, policy)?;
        if policy.review != ReviewRule::None {
            stored.entry.effects.clear();
            stored.hash = stored.entry.hash_after(previous);
        }
        Ok(stored)
    }

    /// The review and dispute rules of a policy version.
    pub fn review_rules(&self, policy_version: u32) -> (ReviewRule, DisputeRule) {
        self.policy_version(policy_version).map_or((ReviewRule::None, DisputeRule::Stewards), |p| (p.review, p.disputes))
    }

    /// Whether an entry is a contribution logged under a policy that wants it approved.
    pub fn logged_pending(&self, entry: &Entry) -> bool {
        entry.tag != REVERSAL_TAG
            && !is_review_tag(&entry.tag)
            && !is_lifecycle_tag(&entry.tag)
            && self.review_rules(entry.policy_version).0 != ReviewRule::None
    }

    /// Whether a member is a steward (one who has left is not).
    pub fn is_steward(&self, member: MemberNo) -> bool {
        self.role_of(member) == Some(Role::Steward) && !self.is_departed(member)
    }

    /// Whether a member has left the venture.
    pub fn is_departed(&self, member: MemberNo) -> bool {
        self.member_by_no(member).is_some_and(|m| m.departed_on.is_some())
    }

    /// The effects a departure or buyout entry implies from the balances before it, under its own
    /// policy version or a candidate being compared.
    pub fn lifecycle_effects(&self, entry: &Entry, state: &LedgerState, candidate: Option<&Policy>) -> Result<Vec<Effect>, AppError> {
        let member = entry.member.ok_or_else(|| invalid("entry", format!("#{} names no member", entry.seq)))?;
        let buckets = state.member_buckets(member);
        let policy = match candidate {
            Some(policy) => policy,
            None => self.policy_version(entry.policy_version).ok_or_else(|| invalid("policy version", format!("{} does not exist", entry.policy_version)))?,
        };
        Ok(peerstake_core::lifecycle::entry_effects(entry, &buckets, policy, candidate.is_none(), self.venture.edition.slices_per_minor(self.currency))?)
    }

    /// Decimals of a slice in this venture.
    pub fn slice_scale(&self) -> u8 {
        self.currency.slice_scale()
    }

    /// Slice units in one whole slice.
    pub fn slice_unit(&self) -> i64 {
        10_i64.pow(u32::from(self.slice_scale()))
    }

    /// The day the venture started: policy version 1 takes effect on it.
    pub fn started_on(&self) -> Option<Date> {
        self.policies.first().map(|(record, _)| record.effective_from)
    }

    /// The members who have left.
    pub fn leavers(&self) -> Vec<MemberNo> {
        self.members.iter().filter(|m| m.departed_on.is_some()).map(|m| m.member_no).collect()
    }

    /// The balances a valuation reads: under the current edition, members in `left` have no
    /// share of the well.
    pub fn view<'a>(&self, state: &'a dyn StateView, left: &'a [MemberNo]) -> WithoutLeavers<'a> {
        WithoutLeavers { inner: state, left: if self.venture.edition.leavers_leave_the_well() { left } else { &[] } }
    }

    /// The members who have not left, by member number.
    pub fn active_members(&self) -> impl Iterator<Item = &MemberRecord> {
        self.members.iter().filter(|m| m.departed_on.is_none())
    }

    /// Values a draft under a given policy (the one in force, or a candidate being compared).
    pub fn value_entry_with(
        &self,
        seq: u64,
        previous: &EntryHash,
        draft: &Draft<'_>,
        state: &dyn StateView,
        policy_version: u32,
        policy: &Policy,
    ) -> Result<StoredEntry, AppError> {
        let (valuation, terms_version) = self.valuation_with(seq, draft, state, policy)?;
        let entry = Entry {
            seq,
            occurred_on: draft.occurred_on,
            recorded_at_ms: draft.recorded_at_ms,
            author: draft.author,
            member: draft.member,
            tag: draft.input.tag().to_string(),
            inputs: draft.input.canonical(),
            note: draft.note.to_string(),
            policy_version,
            terms_version,
            fmv_minor: valuation.fmv_minor,
            slices_minor: valuation.slices_minor,
            reverses: None,
            about: None,
            effects: valuation.effects,
        };
        let hash = entry.hash_after(previous);
        Ok(StoredEntry { entry, hash })
    }

    /// Values a draft under a policy: its figures and effects, and the version of the member's
    /// terms they used (0 for none).
    pub fn valuation_with(&self, seq: u64, draft: &Draft<'_>, state: &dyn StateView, policy: &Policy) -> Result<(Valuation, u32), AppError> {
        let terms = draft.member.and_then(|m| self.terms_at(m, draft.occurred_on));
        let edition = self.venture.edition;
        let context = Context {
            policy,
            member: draft.member,
            role: draft.member.and_then(|m| self.role_of(m)),
            terms: terms.map(|t| &t.terms),
            tie_break: edition.tie_break(seq, draft.occurred_on),
            slices_per_minor: edition.slices_per_minor(self.currency),
        };
        let valuation = value(draft.input, &context, state).map_err(|error| match error {
            peerstake_core::DomainError::NoTermsInForce(_) => peerstake_core::DomainError::NoTermsInForce(draft.occurred_on.to_string()).into(),
            other => AppError::from(other),
        })?;
        Ok((valuation, terms.map_or(0, |t| t.version)))
    }
}

/// Checks a contribution date: not before 1970, not after today.
pub(crate) fn check_date(field: &'static str, date: Date, today: Date) -> Result<(), AppError> {
    if date < DATE_MIN {
        return Err(AppError::DateOutOfRange { field, reason: format!("{date} is before {DATE_MIN}") });
    }
    if date > today {
        return Err(AppError::DateOutOfRange { field, reason: format!("{date} is in the future (today is {today})") });
    }
    Ok(())
}

/// A withdrawal or cash paid is valued against the current balances, so it cannot be dated
/// before the latest entry: then the split as of any date only counts what it drew on.
pub(crate) fn check_not_backdated(input: &Input, occurred_on: Date, latest: Option<Date>) -> Result<(), AppError> {
    let draws_on_balances = matches!(input, Input::Withdrawal { .. } | Input::CashPaid { .. } | Input::WellReturn { .. });
    if let Some(latest) = latest
        && draws_on_balances
        && occurred_on < latest
    {
        return Err(AppError::DateOutOfRange {
            field: "date",
            reason: format!("a {} is valued against the current balances and cannot be dated before the latest entry ({latest})", input.tag()),
        });
    }
    Ok(())
}

/// Checks free text: length and no control characters besides newlines.
pub(crate) fn check_note(note: &str) -> Result<(), AppError> {
    if note.chars().count() > NOTE_CHARS_MAX {
        return Err(crate::error::invalid("note", format!("is longer than {NOTE_CHARS_MAX} characters")));
    }
    if note.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(crate::error::invalid("note", "contains control characters"));
    }
    Ok(())
}

/// Adds a policy version after the last, refusing a date that would reach entries already valued.
pub(crate) fn insert_policy_version(
    tx: &mut dyn Transaction,
    book: &crate::book::Book,
    policy: &Policy,
    effective_from: Date,
    now: Now,
) -> Result<PolicyVersionRecord, AppError> {
    let last = book.policies.last().map(|(record, _)| record);
    check_not_retroactive(tx, book.venture.id, "a policy", effective_from, last.map(|r| r.effective_from))?;
    let record = PolicyVersionRecord {
        version: last.map_or(1, |r| r.version + 1),
        effective_from,
        settings: crate::policy_file::to_toml(policy, book.currency),
        recorded_at_ms: now.at_ms,
    };
    tx.insert_policy_version(book.venture.id, &record)?;
    Ok(record)
}

pub(crate) fn check_not_retroactive(
    tx: &mut dyn Transaction,
    venture: VentureId,
    what: &'static str,
    effective_from: Date,
    previous: Option<Date>,
) -> Result<(), AppError> {
    if let Some(previous) = previous
        && effective_from <= previous
    {
        return Err(AppError::Retroactive {
            what,
            effective_from: effective_from.to_string(),
            reason: format!("the current version takes effect on {previous}"),
        });
    }
    if let Some(latest) = tx.latest_entry_date(venture)?
        && effective_from <= latest
    {
        return Err(AppError::Retroactive { what, effective_from: effective_from.to_string(), reason: format!("entries up to {latest} are already valued") });
    }
    Ok(())
}

/// Where a tally stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Adopt,
    Reject,
    Wait,
}

/// Tallies the votes under a rule: who counts (stewards, or every member), how many must approve,
/// and whether approval is still possible.
pub(crate) fn tally(rule: DecisionRule, book: &Book, votes: &[ProposalVote]) -> (Outcome, String) {
    // Members who left vote on nothing.
    let members: Vec<MemberNo> = book.active_members().map(|m| m.member_no).collect();
    let stewards: Vec<MemberNo> = members.iter().copied().filter(|m| book.is_steward(*m)).collect();
    let (voters, needed, words) = match rule {
        DecisionRule::Stewards if !stewards.is_empty() => {
            let needed = stewards.len() / 2 + 1;
            (stewards, needed, "a majority of the stewards")
        }
        DecisionRule::Stewards => {
            let needed = members.len() / 2 + 1;
            (members, needed, "a majority of the members (there is no steward)")
        }
        DecisionRule::Quorum(count) => {
            let needed = usize::try_from(count).unwrap_or(usize::MAX).min(members.len()).max(1);
            (members, needed, "a quorum of members")
        }
        DecisionRule::All => {
            let needed = members.len().max(1);
            (members, needed, "every member")
        }
    };
    let counted = |approve: bool| votes.iter().filter(|v| v.approve == approve && voters.contains(&v.member)).count();
    let (for_it, against) = (counted(true), counted(false));
    let outcome = if for_it >= needed {
        Outcome::Adopt
    } else if voters.len().saturating_sub(against) < needed {
        Outcome::Reject
    } else {
        Outcome::Wait
    };
    (outcome, format!("{words}: {for_it} of {needed} needed for, {against} against"))
}

/// The date `months` whole months after `date` (before it when negative), the day clamped to
/// the month's length.
pub(crate) fn add_months(date: Date, months: i32) -> Date {
    let total = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months;
    let (year, month) = (total.div_euclid(12), u8::try_from(total.rem_euclid(12) + 1).unwrap_or(1));
    let month = time::Month::try_from(month).unwrap_or(time::Month::January);
    Date::from_calendar_date(year, month, date.day().min(month.length(year))).unwrap_or(date)
}

/// A buyout as people see it.
#[derive(Debug, Clone)]
pub struct BuyoutView {
    /// The record.
    pub record: BuyoutRecord,
    /// Whose slices (handle).
    pub member: String,
    /// Who buys them (handle), or none when the venture does.
    pub buyer: Option<String>,
}

pub(crate) fn buyout_view(book: &Book, record: BuyoutRecord) -> BuyoutView {
    let name = |m: MemberNo| book.member_by_no(m).map_or_else(|| format!("#{}", m.0), |r| r.handle.clone());
    BuyoutView { member: name(record.member), buyer: record.buyer.map(name), record }
}

/// A request to adopt a new policy version.
#[derive(Debug, Clone)]
pub struct SetPolicy {
    /// The venture's slug.
    pub venture: String,
    /// The new policy.
    pub policy: PolicyChoice,
    /// It applies to contributions on or after this date.
    pub effective_from: Date,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// A policy version with its parsed settings.
#[derive(Debug, Clone)]
pub struct PolicyVersionView {
    /// The stored record.
    pub record: PolicyVersionRecord,
    /// The parsed policy.
    pub policy: Policy,
}

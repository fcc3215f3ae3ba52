//! The storage boundary. The application layer talks to a database only through [`Store`] and
//! [`Transaction`]; SQLite and PostgreSQL each implement them in their own crate, with their own
//! migrations, and one conformance suite (`peerstake-store-suite`) runs against both.
//!
//! Architecture invariant: this crate knows the domain's types and nothing about SQL, HTTP or
//! any particular database. Every venture-scoped record is addressed by its venture id first.
#![warn(missing_docs)]

use peerstake_core::chain::EntryHash;
use peerstake_core::dating::ReadMark;
use peerstake_core::edition::Edition;
use peerstake_core::entry::Entry;
use peerstake_core::numbers::NumberFormat;
use peerstake_core::replay::{Bucket, BucketKey};
use peerstake_core::terms::{MemberNo, Terms};
use thiserror::Error;
use time::Date;

pub mod capital;
pub mod lifecycle;
pub mod people;
pub mod review;
pub mod talk;

pub use capital::{BookingRecord, Capital, GoodRecord, NeedRecord, PledgeRecord, UsageRecord};
pub use lifecycle::{
    BuyoutRecord, CapTableLine, DepartureRecord, DistributionRecord, FreezeRecord, FreezeVoteRecord, IncomeRecord, Lifecycle, Payout, StewardshipRecord,
};
pub use people::{AccessRecord, AccountId, AccountRecord, ApiTokenRecord, JoinRequestRecord, People, SessionRecord};
pub use review::{DraftRecord, ProposalRecord, ProposalVote, RecurringRecord, Reviews};
pub use talk::{ActivityCursor, ActivityRecord, ActivityWhat, CommentRecord, CommentSubject, CommentVersionRecord, NewComment, Talk};

/// The largest page of entries a caller may ask for.
pub const PAGE_SIZE_MAX: u32 = 1_000;

/// A venture's id in this database. Not exported: a venture is known by its slug outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VentureId(pub i64);

/// Scope of idempotency keys that are not tied to a venture (creating one).
pub const COMMONS_SCOPE: VentureId = VentureId(0);

/// A venture as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VentureRecord {
    /// Database id.
    pub id: VentureId,
    /// Unique, immutable, URL-safe name.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// One-line pitch.
    pub pitch: String,
    /// ISO 4217 code of the base currency.
    pub currency: String,
    /// When it was created, ms since the epoch.
    pub created_at_ms: i64,
    /// Sequence number of the last entry (0 for none).
    pub head_seq: u64,
    /// Hash of the last entry (the genesis hash for none).
    pub head_hash: EntryHash,
    /// Moves whenever the venture's members, terms or policy versions change (the store moves it
    /// in the same transaction as the insert), so a parsed copy of them is current while it holds.
    pub book_version: u64,
    /// How its people write numbers, unless their account says otherwise.
    pub number_format: NumberFormat,
    /// The rules its ledger was started under.
    pub edition: Edition,
}

impl VentureRecord {
    /// Its currency, carrying the decimals of its slices (fixed by its edition), for valuing and
    /// writing its figures.
    pub fn money(&self) -> Result<peerstake_core::money::Currency, peerstake_core::DomainError> {
        let code = peerstake_core::money::Currency::from_code(&self.currency)?;
        Ok(code.with_slice_scale(self.edition.slice_scale(code)))
    }
}

/// A new venture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVenture {
    /// Unique slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// One-line pitch.
    pub pitch: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Creation time, ms since the epoch.
    pub created_at_ms: i64,
    /// How its people write numbers.
    pub number_format: NumberFormat,
    /// The rules its ledger starts under.
    pub edition: Edition,
}

/// A member of a venture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    /// Number within the venture.
    pub member_no: MemberNo,
    /// Unique short name within the venture (used in the CLI and in files).
    pub handle: String,
    /// Display name.
    pub display_name: String,
    /// Role name (`steward`, `member`, …).
    pub role: String,
    /// The date they joined.
    pub joined_on: Date,
    /// When it was recorded, ms since the epoch.
    pub recorded_at_ms: i64,
    /// The day they left, once they have.
    pub departed_on: Option<Date>,
}

/// One version of a member's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermsRecord {
    /// The member.
    pub member_no: MemberNo,
    /// Version, from 1 per member.
    pub version: u32,
    /// Applies to time logged on or after this date.
    pub effective_from: Date,
    /// The terms.
    pub terms: Terms,
    /// When it was recorded, ms since the epoch.
    pub recorded_at_ms: i64,
}

/// One version of a venture's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVersionRecord {
    /// Version, from 1.
    pub version: u32,
    /// Applies to contributions on or after this date.
    pub effective_from: Date,
    /// The settings as canonical TOML text (the application reads and writes it).
    pub settings: String,
    /// When it was recorded, ms since the epoch.
    pub recorded_at_ms: i64,
}

/// An entry as stored, with its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// The entry.
    pub entry: Entry,
    /// Its hash in the chain.
    pub hash: EntryHash,
}

/// Which entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryFilter {
    /// Only entries with an effect on this member, or recorded for them.
    pub member: Option<MemberNo>,
    /// Only entries with this tag (`time`, `deposit`, …, `reversal`).
    pub tag: Option<String>,
    /// Only entries on or after this date.
    pub from: Option<Date>,
    /// Only entries on or before this date.
    pub to: Option<Date>,
    /// Only entries with a sequence number greater than this (the cursor).
    pub after_seq: Option<u64>,
    /// At most this many (capped at [`PAGE_SIZE_MAX`]).
    pub limit: u32,
}

/// A stored idempotency record: the fingerprint of the first request and its result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// Hash of the request's canonical form.
    pub fingerprint: String,
    /// What the first request returned, as `what:id` text.
    pub result: String,
}

/// What can go wrong in storage.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A uniqueness rule of the database refused the write (the text names which).
    #[error("already exists: {0}")]
    Conflict(String),
    /// The database refused an update or delete of an append-only row.
    #[error("the ledger is append-only: {0}")]
    AppendOnly(String),
    /// Stored data could not be read back into the domain's types.
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// The database failed (connection, IO, syntax).
    #[error("database error: {0}")]
    Backend(String),
}

/// Whether a transaction may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A consistent snapshot for reading.
    Read,
    /// A serialized writer.
    Write,
}

/// A database holding a commons.
pub trait Store: Send + Sync {
    /// Begins a transaction. Writers are serialized per venture by [`Transaction::lock_venture`]
    /// (SQLite serializes all writers).
    fn begin(&self, mode: Mode) -> Result<Box<dyn Transaction + '_>, StoreError>;

    /// Applies pending migrations. Idempotent; every start calls it.
    fn migrate(&self) -> Result<Vec<String>, StoreError>;

    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Folds what a bulk write left in logs into the database (SQLite's write-ahead log), so the
    /// bulk writer pays for it rather than whatever runs next. Nothing to do by default.
    fn settle(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Where a store whose commits reach the disk after `commit` returns (grouped durability)
    /// keeps count: the mark of the last commit this thread made since it last asked, if any.
    /// `None` for a store whose every commit is durable when it returns.
    fn take_commit_mark(&self) -> Option<u64> {
        None
    }

    /// Resolves once every commit up to `mark` is on disk (at once where commits are durable
    /// when they return). The waiting is a future, so a server answering many writes waits for
    /// their one shared sync without a thread for each.
    fn durable(&self, mark: u64) -> DurableFuture<'_> {
        let _ = mark;
        Box::pin(std::future::ready(Ok(())))
    }

    /// Blocks until every commit made so far is on disk.
    fn sync(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Writes a consistent copy of the whole database to a new file, while writes go on (what
    /// was committed when the copy began, nothing after). Only a store in one file can; a
    /// server database is copied with its own tools.
    fn back_up(&self, to: &std::path::Path) -> Result<(), StoreError> {
        let _ = to;
        Err(StoreError::Backend(format!("a {} database is backed up with its own tools (see the README's Backups)", self.backend())))
    }
}

/// A wait for commits to reach the disk.
pub type DurableFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), StoreError>> + Send + 'a>>;

/// When a commit is durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// When `commit` returns: every commit syncs (a command that prints what it wrote).
    #[default]
    EachCommit,
    /// Shortly after: one sync serves every commit made while the one before ran, and a server
    /// answers each write once [`Store::durable`] says it is on disk.
    Grouped,
}

/// One transaction. Dropped without [`Transaction::commit`], it rolls back and nothing is
/// written. Pooled capital's records are in its [`Capital`] part.
pub trait Transaction: Ledger + People + Reviews + Talk + Capital + Lifecycle {
    /// Commits.
    fn commit(self: Box<Self>) -> Result<(), StoreError>;

    /// Marks a point to come back to: several requests share one transaction (a batch of
    /// writes committed together), each between a savepoint and its release, and one that fails
    /// rolls back to its savepoint without touching the others'.
    fn savepoint(&mut self) -> Result<(), StoreError>;

    /// Keeps what was done since the last savepoint, and forgets the point.
    fn release_savepoint(&mut self) -> Result<(), StoreError>;

    /// Undoes what was done since the last savepoint, and forgets the point.
    fn rollback_to_savepoint(&mut self) -> Result<(), StoreError>;
}

/// A venture's ledger: the venture record and its head, members, terms, policy versions,
/// entries, the maintained totals, the read marks of the dating rules and idempotency keys. Every
/// [`Transaction`] has it.
pub trait Ledger {
    /// Inserts a venture; a taken slug is a [`StoreError::Conflict`].
    fn insert_venture(&mut self, venture: &NewVenture, genesis: &EntryHash) -> Result<VentureId, StoreError>;
    /// A venture by slug.
    fn venture_by_slug(&mut self, slug: &str) -> Result<Option<VentureRecord>, StoreError>;
    /// Every venture, by slug.
    fn ventures(&mut self) -> Result<Vec<VentureRecord>, StoreError>;
    /// Locks a venture against other writers until the end of the transaction and returns its
    /// current head.
    fn lock_venture(&mut self, venture: VentureId) -> Result<VentureRecord, StoreError>;
    /// Moves the chain head.
    fn set_head(&mut self, venture: VentureId, seq: u64, hash: &EntryHash) -> Result<(), StoreError>;
    /// Sets how a venture's people write numbers.
    fn set_number_format(&mut self, venture: VentureId, format: NumberFormat) -> Result<(), StoreError>;
    /// The read marks of a venture: the latest date a recorded entry read each scope (see
    /// `peerstake_core::dating`).
    fn read_marks(&mut self, venture: VentureId) -> Result<Vec<ReadMark>, StoreError>;
    /// Raises read marks (a mark never moves back: the later date stays).
    fn raise_read_marks(&mut self, venture: VentureId, marks: &[ReadMark]) -> Result<(), StoreError>;

    /// Adds a member; a taken number or handle is a [`StoreError::Conflict`].
    fn insert_member(&mut self, venture: VentureId, member: &MemberRecord) -> Result<(), StoreError>;
    /// Every member, by number.
    fn members(&mut self, venture: VentureId) -> Result<Vec<MemberRecord>, StoreError>;
    /// Adds a version of a member's terms.
    fn insert_terms(&mut self, venture: VentureId, terms: &TermsRecord) -> Result<(), StoreError>;
    /// Every terms version, by member then version.
    fn terms(&mut self, venture: VentureId) -> Result<Vec<TermsRecord>, StoreError>;
    /// Adds a policy version.
    fn insert_policy_version(&mut self, venture: VentureId, policy: &PolicyVersionRecord) -> Result<(), StoreError>;
    /// Every policy version, by version.
    fn policy_versions(&mut self, venture: VentureId) -> Result<Vec<PolicyVersionRecord>, StoreError>;

    /// Appends entries with their effects, in order.
    fn insert_entries(&mut self, venture: VentureId, entries: &[StoredEntry]) -> Result<(), StoreError>;
    /// One entry.
    fn entry(&mut self, venture: VentureId, seq: u64) -> Result<Option<StoredEntry>, StoreError>;
    /// The entry that reverses `seq`, if any.
    fn reversal_of(&mut self, venture: VentureId, seq: u64) -> Result<Option<u64>, StoreError>;
    /// A page of entries in order.
    fn entries(&mut self, venture: VentureId, filter: &EntryFilter) -> Result<Vec<StoredEntry>, StoreError>;
    /// Every entry in order, streamed to `visit` (for replay and export) without holding them all.
    fn scan_entries(&mut self, venture: VentureId, visit: &mut dyn FnMut(StoredEntry) -> Result<(), StoreError>) -> Result<(), StoreError>;
    /// The latest date of any entry.
    fn latest_entry_date(&mut self, venture: VentureId) -> Result<Option<Date>, StoreError>;

    /// The maintained totals, every non-empty bucket.
    fn totals(&mut self, venture: VentureId) -> Result<Vec<(BucketKey, Bucket)>, StoreError>;
    /// One member's maintained totals.
    fn member_totals(&mut self, venture: VentureId, member: MemberNo) -> Result<Vec<(BucketKey, Bucket)>, StoreError>;
    /// Members with money in the well, by member number.
    fn well_balances(&mut self, venture: VentureId) -> Result<Vec<(MemberNo, i64)>, StoreError>;
    /// Adds deltas to the maintained totals.
    fn add_totals(&mut self, venture: VentureId, deltas: &[(BucketKey, Bucket)]) -> Result<(), StoreError>;
    /// Totals summed from the effects of entries dated on or before `date`.
    fn totals_as_of(&mut self, venture: VentureId, date: Date) -> Result<Vec<(BucketKey, Bucket)>, StoreError>;
    /// A stored idempotency record.
    fn idempotency(&mut self, scope: VentureId, key: &str) -> Result<Option<IdempotencyRecord>, StoreError>;
    /// Stores an idempotency record; a taken key is a [`StoreError::Conflict`].
    fn put_idempotency(&mut self, scope: VentureId, key: &str, record: &IdempotencyRecord, at_ms: i64) -> Result<(), StoreError>;
}

/// Codes for kinds and classes as stored (small integers, stable forever).
pub mod codes {
    use peerstake_core::kind::{ALL_KINDS, Class, Kind};

    /// A kind's stored code.
    pub fn kind_code(kind: Kind) -> i16 {
        i16::try_from(kind.index()).unwrap_or(i16::MAX)
    }

    /// A kind from its stored code.
    pub fn kind_from_code(code: i64) -> Option<Kind> {
        usize::try_from(code).ok().and_then(|index| ALL_KINDS.get(index).copied())
    }

    /// A class's stored code.
    pub fn class_code(class: Class) -> i16 {
        match class {
            Class::Cash => 1,
            Class::NonCash => 2,
            Class::Plain => 3,
        }
    }

    /// A class from its stored code.
    pub fn class_from_code(code: i64) -> Option<Class> {
        match code {
            1 => Some(Class::Cash),
            2 => Some(Class::NonCash),
            3 => Some(Class::Plain),
            _ => None,
        }
    }

    /// Terms' stored basis.
    pub const TERMS_SALARY: &str = "salary";
    /// Terms' stored basis.
    pub const TERMS_HOURLY: &str = "hourly";

    /// A number format from its stored name; the default for none.
    pub fn number_format_from_name(name: Option<&str>) -> Option<peerstake_core::numbers::NumberFormat> {
        match name {
            None => Some(peerstake_core::numbers::NumberFormat::default()),
            Some(name) => peerstake_core::numbers::NumberFormat::ALL.into_iter().find(|f| f.name() == name),
        }
    }
}

pub mod effects;

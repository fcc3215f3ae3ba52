//! Records of the conversation around a venture: comments on its entries and members (each
//! edit a new version, never a change of the old text), the venture's activity (entries,
//! comments and members joining, newest first), and when each person last looked at it.

use peerstake_core::terms::MemberNo;

use crate::{AccountId, StoreError, VentureId};

/// The largest page of activity a caller may ask for.
pub const ACTIVITY_PAGE_MAX: u32 = 200;

/// The largest page of comments on one subject a caller may ask for.
pub const COMMENTS_PAGE_MAX: u32 = 1_000;

/// What a comment is about. Stored as a word ([`CommentSubject::kind`]) and a number
/// ([`CommentSubject::number`]); the database accepts any word, so a new kind of subject is one
/// variant here and one arm in each of the three functions below, with no migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommentSubject {
    /// A ledger entry, by sequence number.
    Entry(u64),
    /// A member of the venture, by number.
    Member(MemberNo),
    /// A policy proposal, by number.
    Proposal(u32),
    /// A need, by number.
    Need(u32),
}

impl CommentSubject {
    /// The stored word for the kind of subject.
    pub fn kind(&self) -> &'static str {
        match self {
            CommentSubject::Entry(_) => "entry",
            CommentSubject::Member(_) => "member",
            CommentSubject::Proposal(_) => "proposal",
            CommentSubject::Need(_) => "need",
        }
    }

    /// The stored number of the subject within its kind.
    pub fn number(&self) -> u64 {
        match self {
            CommentSubject::Entry(seq) => *seq,
            CommentSubject::Member(member) => u64::from(member.0),
            CommentSubject::Proposal(number) | CommentSubject::Need(number) => u64::from(*number),
        }
    }

    /// The subject from its stored word and number.
    pub fn from_stored(kind: &str, number: i64) -> Result<CommentSubject, StoreError> {
        let out_of_range = || StoreError::Corrupt(format!("comment subject {kind}:{number} is out of range"));
        match kind {
            "entry" => u64::try_from(number).map(CommentSubject::Entry).map_err(|_| out_of_range()),
            "member" => u32::try_from(number).map(|n| CommentSubject::Member(MemberNo(n))).map_err(|_| out_of_range()),
            "proposal" => u32::try_from(number).map(CommentSubject::Proposal).map_err(|_| out_of_range()),
            "need" => u32::try_from(number).map(CommentSubject::Need).map_err(|_| out_of_range()),
            other => Err(StoreError::Corrupt(format!("unknown comment subject kind '{other}'"))),
        }
    }
}

/// A new comment: its first version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    /// What it is about.
    pub subject: CommentSubject,
    /// The comment it answers (on the same subject), if any.
    pub reply_to: Option<u64>,
    /// Who says it.
    pub author: MemberNo,
    /// The text.
    pub body: String,
    /// When, ms since the epoch.
    pub at_ms: i64,
}

/// A comment as stored, with its latest version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRecord {
    /// Number within the venture, from 1.
    pub id: u64,
    /// What it is about.
    pub subject: CommentSubject,
    /// The comment it answers, if any.
    pub reply_to: Option<u64>,
    /// Who said it.
    pub author: MemberNo,
    /// When it was first said, ms since the epoch.
    pub created_at_ms: i64,
    /// The latest version's number (1 when never edited).
    pub version: u32,
    /// The latest version's text.
    pub body: String,
    /// When the latest version was written, ms since the epoch.
    pub edited_at_ms: i64,
}

/// One version of a comment's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentVersionRecord {
    /// Version, from 1.
    pub version: u32,
    /// The text of this version.
    pub body: String,
    /// When it was written, ms since the epoch.
    pub at_ms: i64,
}

/// Where a page of activity ends: the next page holds the items strictly older than it.
/// Items are ordered by time, then by [`ActivityWhat::rank`], then by their number, all
/// descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ActivityCursor {
    /// The item's time, ms since the epoch.
    pub at_ms: i64,
    /// The item's kind's rank.
    pub rank: u8,
    /// The item's number within its kind.
    pub number: u64,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityWhat {
    /// An entry was recorded in the ledger. Any tag, including ones added later.
    Entry {
        /// Sequence number.
        seq: u64,
        /// The entry's tag (`time`, `reversal`, …).
        tag: String,
        /// Whom it is for.
        member: Option<MemberNo>,
        /// Who recorded it.
        author: Option<MemberNo>,
        /// Its note.
        note: String,
    },
    /// A comment was made (its latest text).
    Comment {
        /// Comment number.
        id: u64,
        /// What it is about.
        subject: CommentSubject,
        /// Who said it.
        author: MemberNo,
        /// Its latest text.
        body: String,
    },
    /// A member joined.
    Joined {
        /// The member.
        member: MemberNo,
    },
}

impl ActivityWhat {
    /// Orders items of the same millisecond: comments after the entries they may be about,
    /// entries after the members who logged them joined.
    pub fn rank(&self) -> u8 {
        match self {
            ActivityWhat::Joined { .. } => 1,
            ActivityWhat::Entry { .. } => 2,
            ActivityWhat::Comment { .. } => 3,
        }
    }

    /// The item's number within its kind.
    pub fn number(&self) -> u64 {
        match self {
            ActivityWhat::Joined { member } => u64::from(member.0),
            ActivityWhat::Entry { seq, .. } => *seq,
            ActivityWhat::Comment { id, .. } => *id,
        }
    }
}

/// One item of a venture's activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRecord {
    /// When it happened, ms since the epoch.
    pub at_ms: i64,
    /// What happened.
    pub what: ActivityWhat,
}

impl ActivityRecord {
    /// The cursor just after this item.
    pub fn cursor(&self) -> ActivityCursor {
        ActivityCursor { at_ms: self.at_ms, rank: self.what.rank(), number: self.what.number() }
    }
}

/// For one kind of activity (by rank), the bound on the item number among items at exactly the
/// cursor's time: an item at that time comes after the cursor when its number is below the
/// bound. Lets each backend page every kind with the same plain `at < t OR (at = t AND n < b)`.
pub fn number_bound_at_cursor(cursor: &ActivityCursor, rank: u8) -> i64 {
    match rank.cmp(&cursor.rank) {
        std::cmp::Ordering::Less => i64::MAX,
        std::cmp::Ordering::Equal => i64::try_from(cursor.number).unwrap_or(i64::MAX),
        std::cmp::Ordering::Greater => i64::MIN,
    }
}

/// The cursor before every item.
pub const ACTIVITY_START: ActivityCursor = ActivityCursor { at_ms: i64::MAX, rank: u8::MAX, number: u64::MAX };

/// Storage of comments, their versions, a venture's activity and each person's last visit to
/// it. Every [`crate::Transaction`] has it.
pub trait Talk {
    /// Adds a comment with its first version and returns its number (the next in the venture).
    /// The caller holds the venture's lock ([`Transaction::lock_venture`]).
    fn insert_comment(&mut self, venture: VentureId, comment: &NewComment) -> Result<u64, StoreError>;
    /// One comment with its latest version.
    fn comment(&mut self, venture: VentureId, id: u64) -> Result<Option<CommentRecord>, StoreError>;
    /// A page of the comments on one subject, oldest first, numbered above `after` (at most
    /// [`talk::COMMENTS_PAGE_MAX`]).
    fn comments(&mut self, venture: VentureId, subject: CommentSubject, after: u64, limit: u32) -> Result<Vec<CommentRecord>, StoreError>;
    /// Appends a version of a comment's text (the old ones stay) and returns its number.
    fn insert_comment_version(&mut self, venture: VentureId, id: u64, body: &str, at_ms: i64) -> Result<u32, StoreError>;
    /// Every version of a comment, oldest first.
    fn comment_versions(&mut self, venture: VentureId, id: u64) -> Result<Vec<CommentVersionRecord>, StoreError>;
    /// A page of the venture's activity strictly before `before`, newest first (at most
    /// [`talk::ACTIVITY_PAGE_MAX`]): entries by the time they were recorded, comments by the time
    /// they were first made, members by the time they were added.
    fn activity(&mut self, venture: VentureId, before: &ActivityCursor, limit: u32) -> Result<Vec<ActivityRecord>, StoreError>;
    /// How many items of activity happened after `since_ms`, leaving out those by `except` (the
    /// entries they recorded, their comments, their own joining); counts at most `cap`.
    fn activity_count_since(&mut self, venture: VentureId, since_ms: i64, except: Option<MemberNo>, cap: u32) -> Result<u32, StoreError>;
    /// When an account last looked at a venture's activity.
    fn feed_visit(&mut self, venture: VentureId, account: AccountId) -> Result<Option<i64>, StoreError>;
    /// Records that an account looked at a venture's activity now.
    fn set_feed_visit(&mut self, venture: VentureId, account: AccountId, at_ms: i64) -> Result<(), StoreError>;
}

//! Records of the people side of the commons: accounts, their sessions and API tokens, failed
//! sign-ins (for throttling), who may join a venture and how, the audit trail of a venture's
//! settings, the link from a venture's member to an account, and requests to join.

use peerstake_core::numbers::NumberFormat;
use peerstake_core::terms::MemberNo;

use crate::{StoreError, VentureId};

/// An account's id in this database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub i64);

/// A person's account on this server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    /// Database id.
    pub id: AccountId,
    /// Unique sign-in name, lower case.
    pub username: String,
    /// How others see them.
    pub display_name: String,
    /// The argon2id hash in PHC string form.
    pub password_hash: String,
    /// When it was created, ms since the epoch.
    pub created_at_ms: i64,
    /// How they write numbers, when they chose (otherwise each venture's format applies).
    pub number_format: Option<peerstake_core::numbers::NumberFormat>,
}

/// A signed-in session: only the SHA-256 of its token is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Whose session.
    pub account: AccountId,
    /// When it was created, ms since the epoch.
    pub created_at_ms: i64,
    /// When it stops being valid, ms since the epoch.
    pub expires_at_ms: i64,
}

/// An API token for scripts: only the SHA-256 of the secret is stored, with a short prefix to
/// recognise it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    /// Database id.
    pub id: i64,
    /// Whose token.
    pub account: AccountId,
    /// What the owner called it.
    pub name: String,
    /// The first characters of the secret, safe to show.
    pub prefix: String,
    /// When it was created, ms since the epoch.
    pub created_at_ms: i64,
    /// When it was revoked, if it was.
    pub revoked_at_ms: Option<i64>,
}

/// How people join a venture and who may read its ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRecord {
    /// `open` (anyone may join), `request` (stewards accept) or `invite` (stewards add people).
    pub join_mode: String,
    /// `public` (anyone may read) or `members` (only members know it exists).
    pub visibility: String,
}

/// A request to join a venture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinRequestRecord {
    /// Who asks.
    pub account: AccountId,
    /// What they say about themselves.
    pub message: String,
    /// When they asked, ms since the epoch.
    pub requested_at_ms: i64,
    /// `pending`, `accepted` or `declined`.
    pub status: String,
    /// When it was decided.
    pub decided_at_ms: Option<i64>,
}

/// The most failed sign-ins past their window that one [`People::record_sign_in_failure`]
/// deletes: the work of one write stays bounded, and the table still shrinks faster than one
/// write (one row per key) grows it.
pub const SIGN_IN_FAILURES_PRUNED_MAX: u32 = 100;

/// A throttle key's failed sign-ins in a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignInFailures {
    /// How many.
    pub count: u32,
    /// When the oldest of them was, ms since the epoch (none when there are none).
    pub oldest_at_ms: Option<i64>,
}

/// One change of a venture's settings: its join mode or visibility, or a member made a steward
/// or no longer one. Kept for good: the table refuses UPDATE and DELETE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsChangeRecord {
    /// Its number in the venture, from 1 (the store gives it on insert).
    pub number: u32,
    /// `join_mode`, `visibility` or `steward`.
    pub setting: String,
    /// Whose role changed (a `steward` change only).
    pub member: Option<MemberNo>,
    /// The value before: a join mode, a visibility or a role; empty when there was none (a new
    /// venture, a new member).
    pub old_value: String,
    /// The value after: a join mode, a visibility, a role, or `left` for a steward who left.
    pub new_value: String,
    /// Why, in words (`venture created`, `handover #2 accepted`, …).
    pub reason: String,
    /// Who made it: `person` (signed in: [`Self::by_account`], and [`Self::by_member`] when they
    /// are a member), `operator` (the command line, naming the member it acts for, if any) or
    /// `rule` (the venture's rules: an adoption whose notice ran out).
    pub by_kind: String,
    /// The account of the person who made it.
    pub by_account: Option<AccountId>,
    /// The member who made it.
    pub by_member: Option<MemberNo>,
    /// When, ms since the epoch.
    pub at_ms: i64,
}

/// Storage of accounts, sessions, API tokens, failed sign-ins, access settings and their
/// history, member-to-account links and requests to join. Every [`crate::Transaction`] has it.
pub trait People {
    /// Creates an account; a taken username is a [`StoreError::Conflict`].
    fn insert_account(&mut self, username: &str, display_name: &str, password_hash: &str, at_ms: i64) -> Result<AccountId, StoreError>;
    /// An account by id.
    fn account(&mut self, id: AccountId) -> Result<Option<AccountRecord>, StoreError>;
    /// An account by username.
    fn account_by_username(&mut self, username: &str) -> Result<Option<AccountRecord>, StoreError>;
    /// Replaces an account's password hash.
    fn set_password_hash(&mut self, id: AccountId, password_hash: &str) -> Result<(), StoreError>;
    /// Sets (or, with none, removes) the address an account's notifications go to.
    fn set_account_email(&mut self, id: AccountId, email: Option<&str>, at_ms: i64) -> Result<(), StoreError>;
    /// The address an account's notifications go to, if any.
    fn account_email(&mut self, id: AccountId) -> Result<Option<String>, StoreError>;
    /// Sets (or, with none, removes) how an account writes numbers.
    fn set_account_number_format(&mut self, id: AccountId, format: Option<NumberFormat>) -> Result<(), StoreError>;

    /// Stores a session under the SHA-256 of its token.
    fn insert_session(&mut self, token_hash: &[u8; 32], session: &SessionRecord) -> Result<(), StoreError>;
    /// A session by the SHA-256 of its token.
    fn session(&mut self, token_hash: &[u8; 32]) -> Result<Option<SessionRecord>, StoreError>;
    /// Ends one session.
    fn delete_session(&mut self, token_hash: &[u8; 32]) -> Result<(), StoreError>;
    /// Ends every session of an account (after a password change).
    fn delete_sessions_of(&mut self, account: AccountId) -> Result<(), StoreError>;

    /// Stores an API token under the SHA-256 of its secret; returns its id.
    fn insert_api_token(&mut self, token_hash: &[u8; 32], account: AccountId, name: &str, prefix: &str, at_ms: i64) -> Result<i64, StoreError>;
    /// An account's API tokens, newest first, revoked ones included.
    fn api_tokens(&mut self, account: AccountId) -> Result<Vec<ApiTokenRecord>, StoreError>;
    /// A token by the SHA-256 of its secret.
    fn api_token_by_hash(&mut self, token_hash: &[u8; 32]) -> Result<Option<ApiTokenRecord>, StoreError>;
    /// Revokes one of an account's tokens; false when it has no such live token.
    fn revoke_api_token(&mut self, account: AccountId, id: i64, at_ms: i64) -> Result<bool, StoreError>;

    /// How a venture is joined and read (none stored: open and public).
    fn venture_access(&mut self, venture: VentureId) -> Result<Option<AccessRecord>, StoreError>;
    /// Sets how a venture is joined and read.
    fn set_venture_access(&mut self, venture: VentureId, access: &AccessRecord, at_ms: i64) -> Result<(), StoreError>;

    /// Records one failed sign-in at `at_ms` under each key, and deletes failures of any key at
    /// or before `forget_through_ms` (those no window counts any more), oldest first, at most
    /// [`SIGN_IN_FAILURES_PRUNED_MAX`] of them.
    fn record_sign_in_failure(&mut self, keys: &[&str], at_ms: i64, forget_through_ms: i64) -> Result<(), StoreError>;
    /// A key's failed sign-ins after `after_ms`: how many, and the oldest.
    fn sign_in_failures(&mut self, key: &str, after_ms: i64) -> Result<SignInFailures, StoreError>;
    /// Forgets a key's failed sign-ins (after a sign-in that succeeded).
    fn clear_sign_in_failures(&mut self, key: &str) -> Result<(), StoreError>;

    /// Appends a change to a venture's settings history, numbered after the last; returns its
    /// number (the record's own is ignored).
    fn insert_settings_change(&mut self, venture: VentureId, change: &SettingsChangeRecord) -> Result<u32, StoreError>;
    /// A venture's settings history, oldest first.
    fn settings_changes(&mut self, venture: VentureId) -> Result<Vec<SettingsChangeRecord>, StoreError>;

    /// Links a member to the account they sign in with; an account already linked in the venture
    /// is a [`StoreError::Conflict`].
    fn link_member(&mut self, venture: VentureId, member: MemberNo, account: AccountId) -> Result<(), StoreError>;
    /// The member an account is in a venture, if any.
    fn account_member(&mut self, venture: VentureId, account: AccountId) -> Result<Option<MemberNo>, StoreError>;
    /// Which accounts a venture's members sign in with, by member number.
    fn member_accounts(&mut self, venture: VentureId) -> Result<Vec<(MemberNo, AccountId)>, StoreError>;
    /// The ventures an account is a member of, with its member number in each.
    fn account_memberships(&mut self, account: AccountId) -> Result<Vec<(VentureId, MemberNo)>, StoreError>;

    /// Records a request to join; a pending request from the same account is a [`StoreError::Conflict`].
    fn insert_join_request(&mut self, venture: VentureId, account: AccountId, message: &str, at_ms: i64) -> Result<(), StoreError>;
    /// A venture's join requests, oldest first.
    fn join_requests(&mut self, venture: VentureId) -> Result<Vec<JoinRequestRecord>, StoreError>;
    /// Decides a pending request; false when there is none.
    fn decide_join_request(&mut self, venture: VentureId, account: AccountId, accepted: bool, at_ms: i64) -> Result<bool, StoreError>;
}

//! Records of the people side of the commons: accounts, their sessions and API tokens, who may
//! join a venture and how, the link from a venture's member to an account, and requests to join.

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

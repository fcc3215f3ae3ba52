//! Records of peer review and policy proposals: where a reviewed entry stands, proposed changes of
//! the policy, and the votes on them.

use peerstake_core::terms::MemberNo;
use time::Date;

use crate::{StoreError, StoredEntry, VentureId};

/// A proposed change of a venture's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalRecord {
    /// Number within the venture, from 1.
    pub number: u32,
    /// The member who proposed it.
    pub proposed_by: MemberNo,
    /// What it is called: the preset it starts from, or `custom`.
    pub label: String,
    /// The proposed settings as canonical policy TOML.
    pub settings: String,
    /// The date it would take effect from.
    pub effective_from: Date,
    /// Why.
    pub note: String,
    /// `open`, `adopted`, `rejected` or `withdrawn`.
    pub status: String,
    /// When it was proposed, ms since the epoch.
    pub created_at_ms: i64,
    /// When it was decided, if it was.
    pub decided_at_ms: Option<i64>,
    /// The policy version it became, when adopted.
    pub policy_version: Option<u32>,
}

/// One member's vote on a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalVote {
    /// Who voted.
    pub member: MemberNo,
    /// For (true) or against.
    pub approve: bool,
    /// What they said.
    pub note: String,
    /// When, ms since the epoch.
    pub at_ms: i64,
}

/// A recurring contribution: a standing contribution that creates a draft each period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecurringRecord {
    /// Number within the venture, from 1.
    pub number: u32,
    /// Whom it is for.
    pub member: MemberNo,
    /// The contribution's form fields, as the application encodes them.
    pub form: String,
    /// What is done each period.
    pub note: String,
    /// `weekly` or `monthly`.
    pub cadence: String,
    /// The first period's date.
    pub starts_on: Date,
    /// The next period's date not yet drafted.
    pub next_on: Date,
    /// The last date a period may fall on, if any.
    pub ends_on: Option<Date>,
    /// Whether it still creates drafts.
    pub active: bool,
    /// When it was set up, ms since the epoch.
    pub created_at_ms: i64,
}

/// One period's draft of a recurring contribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftRecord {
    /// The recurring contribution.
    pub number: u32,
    /// The period's date.
    pub period_on: Date,
    /// `waiting`, `confirmed` or `skipped`.
    pub status: String,
    /// The entry logged when it was confirmed.
    pub entry_seq: Option<u64>,
}

/// Storage of review statuses, policy proposals and their votes, recurring contributions and
/// their drafts. Every [`crate::Transaction`] has it.
pub trait Reviews {
    /// The entries about an entry (its review steps and any amendment), in order.
    fn entries_about(&mut self, venture: VentureId, seq: u64) -> Result<Vec<StoredEntry>, StoreError>;
    /// Every entry some other entry is about, in order (for `verify`).
    fn reviewed_entries(&mut self, venture: VentureId) -> Result<Vec<u64>, StoreError>;
    /// Records where a reviewed entry stands (`pending`, `counted`, `disputed`, `rejected`,
    /// `reversed`), replacing what was recorded before.
    fn set_review_status(&mut self, venture: VentureId, seq: u64, status: &str) -> Result<(), StoreError>;
    /// The recorded status of reviewed entries numbered `from` to `to`, in order.
    fn review_statuses(&mut self, venture: VentureId, from: u64, to: u64) -> Result<Vec<(u64, String)>, StoreError>;
    /// Reviewed entries with one of these statuses, in order, at most `limit`.
    fn entries_with_status(&mut self, venture: VentureId, statuses: &[&str], limit: u32) -> Result<Vec<(u64, String)>, StoreError>;

    /// Stores a proposal under the next number; returns the number.
    fn insert_proposal(&mut self, venture: VentureId, proposal: &ProposalRecord) -> Result<u32, StoreError>;
    /// A venture's proposals, newest first.
    fn proposals(&mut self, venture: VentureId) -> Result<Vec<ProposalRecord>, StoreError>;
    /// One proposal.
    fn proposal(&mut self, venture: VentureId, number: u32) -> Result<Option<ProposalRecord>, StoreError>;
    /// Records a decision on an open proposal; false when it was not open.
    fn decide_proposal(&mut self, venture: VentureId, number: u32, status: &str, at_ms: i64, policy_version: Option<u32>) -> Result<bool, StoreError>;
    /// Records a vote; a second vote by the same member is a [`StoreError::Conflict`].
    fn insert_proposal_vote(&mut self, venture: VentureId, number: u32, vote: &ProposalVote) -> Result<(), StoreError>;
    /// The votes on a proposal, in the order cast.
    fn proposal_votes(&mut self, venture: VentureId, number: u32) -> Result<Vec<ProposalVote>, StoreError>;

    /// Stores a recurring contribution under the next number; returns the number.
    fn insert_recurring(&mut self, venture: VentureId, recurring: &RecurringRecord) -> Result<u32, StoreError>;
    /// A venture's recurring contributions, by number.
    fn recurring(&mut self, venture: VentureId) -> Result<Vec<RecurringRecord>, StoreError>;
    /// Moves a recurring contribution's next period, or stops it.
    fn set_recurring_schedule(&mut self, venture: VentureId, number: u32, next_on: Date, active: bool) -> Result<(), StoreError>;
    /// Adds a period's draft; an existing one is a [`StoreError::Conflict`].
    fn insert_recurring_draft(&mut self, venture: VentureId, number: u32, period_on: Date) -> Result<(), StoreError>;
    /// A venture's drafts, by period then number; only those with `status` when given.
    fn recurring_drafts(&mut self, venture: VentureId, status: Option<&str>) -> Result<Vec<DraftRecord>, StoreError>;
    /// Confirms or skips a waiting draft; false when it is not waiting.
    fn decide_recurring_draft(&mut self, venture: VentureId, number: u32, period_on: Date, status: &str, entry_seq: Option<u64>) -> Result<bool, StoreError>;
}

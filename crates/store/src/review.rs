//! Records of peer review and policy proposals: where a reviewed entry stands, proposed changes of
//! the policy, and the votes on them.

use peerstake_core::terms::MemberNo;
use time::Date;

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

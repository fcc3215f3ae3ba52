//! Records of pooled capital: a venture's needs and the pledges held toward them, the well
//! withdrawals that paid a need, the capital goods people own and lend (a commons-wide
//! registry), the bookings ventures make of them, and the usage logged under a booking.
//!
//! These are state machines beside the ledger: a pledge, a booking or a usage moves from one
//! status to the next only through a `decide`/`resolve` call that names the status it leaves, so
//! a second attempt finds nothing to change. What they are worth in money or slices is always a
//! ledger entry, linked here by its sequence number.

use peerstake_core::terms::MemberNo;
use time::Date;

use crate::{AccountId, StoreError, VentureId};

/// A cost a venture must meet, published with a goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedRecord {
    /// Number within the venture, from 1.
    pub number: u32,
    /// What it is for (`A laptop for the designer`).
    pub title: String,
    /// More about it.
    pub description: String,
    /// The goal, minor units: for a recurring need, one period's amount times the periods.
    pub goal_minor: i64,
    /// A stretch goal above the goal, if any.
    pub stretch_minor: Option<i64>,
    /// `weekly` or `monthly` for a recurring cost, none for a one-off.
    pub cadence: Option<String>,
    /// How many periods the goal covers (1 for a one-off).
    pub periods: u32,
    /// The last day pledges are taken; unmet by its end, every hold is released.
    pub deadline: Date,
    /// The smallest pledge taken, minor units.
    pub min_pledge_minor: i64,
    /// `open`, `met`, `unmet` or `cancelled`.
    pub status: String,
    /// Who published it.
    pub created_by: Option<MemberNo>,
    /// When it was published, ms since the epoch.
    pub created_at_ms: i64,
    /// When it was met, failed or was cancelled.
    pub resolved_at_ms: Option<i64>,
}

/// A person's pledge toward a need: a hold until the need is met, then posted into the well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgeRecord {
    /// Number within the venture, from 1.
    pub number: u32,
    /// The need.
    pub need: u32,
    /// Who pledged.
    pub account: AccountId,
    /// The amount held (after any cap), minor units.
    pub amount_minor: i64,
    /// `held`, `posted` or `released`.
    pub status: String,
    /// When it was made, ms since the epoch.
    pub created_at_ms: i64,
    /// When it was posted or released.
    pub resolved_at_ms: Option<i64>,
    /// The deposit it was posted as.
    pub entry_seq: Option<u64>,
}

/// A capital good a person owns and offers to ventures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoodRecord {
    /// Commons-wide id.
    pub id: i64,
    /// Who owns it.
    pub owner: AccountId,
    /// What sort of thing (`laptop`, `server`, `desk`, `room`, `licence`, …).
    pub kind: String,
    /// What it is.
    pub description: String,
    /// The currency of the rate (ISO 4217).
    pub currency: String,
    /// Fair rental rate per unit, minor units.
    pub rate_minor: i64,
    /// `hour`, `day`, `week` or `month`.
    pub unit: String,
    /// First day it can be booked, if limited.
    pub available_from: Option<Date>,
    /// Last day it can be booked, if limited.
    pub available_until: Option<Date>,
    /// When it is free, in the owner's words (`weekday evenings`).
    pub availability: String,
    /// `available`, `withdrawn` or `given`.
    pub status: String,
    /// The venture it was given to, and the entry that records the gift.
    pub given_to: Option<(VentureId, u64)>,
    /// When it was registered, ms since the epoch.
    pub created_at_ms: i64,
}

/// A venture's booking of a good for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRecord {
    /// Number within the venture, from 1.
    pub number: u32,
    /// The good.
    pub good: i64,
    /// The need it meets, if any.
    pub need: Option<u32>,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// The use planned, in thousandths of the good's unit.
    pub planned_milli: i64,
    /// `requested`, `accepted`, `declined` or `cancelled`.
    pub status: String,
    /// Who asked for it.
    pub requested_by: Option<MemberNo>,
    /// What it is for.
    pub note: String,
    /// When it was asked for, ms since the epoch.
    pub created_at_ms: i64,
    /// When the owner answered, or it was cancelled.
    pub decided_at_ms: Option<i64>,
}

/// Use of a booked good, logged by the venture and confirmed by the owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRecord {
    /// Number within the venture, from 1.
    pub number: u32,
    /// The booking.
    pub booking: u32,
    /// The day (or the last day) of the use.
    pub occurred_on: Date,
    /// Units used, thousandths.
    pub units_milli: i64,
    /// Fee the venture paid the owner for it, minor units.
    pub fee_paid_minor: i64,
    /// What it was used for.
    pub note: String,
    /// `logged`, `confirmed` or `declined`.
    pub status: String,
    /// Who logged it.
    pub logged_by: Option<MemberNo>,
    /// The capital-use entry it became.
    pub entry_seq: Option<u64>,
    /// When it was logged, ms since the epoch.
    pub created_at_ms: i64,
    /// When the owner answered.
    pub decided_at_ms: Option<i64>,
}

/// Storage of needs, pledges, goods, bookings and usage. Every [`crate::Transaction`] has it.
pub trait Capital {
    /// Stores a need under the next number; returns the number.
    fn insert_need(&mut self, venture: VentureId, need: &NeedRecord) -> Result<u32, StoreError>;
    /// A venture's needs, by number.
    fn needs(&mut self, venture: VentureId) -> Result<Vec<NeedRecord>, StoreError>;
    /// Moves a need from one status to another; false when it was not in `from`.
    fn set_need_status(&mut self, venture: VentureId, number: u32, from: &str, to: &str, at_ms: i64) -> Result<bool, StoreError>;

    /// Stores a pledge under the next number; returns the number.
    fn insert_pledge(&mut self, venture: VentureId, pledge: &PledgeRecord) -> Result<u32, StoreError>;
    /// A venture's pledges, by number; only one need's when given.
    fn pledges(&mut self, venture: VentureId, need: Option<u32>) -> Result<Vec<PledgeRecord>, StoreError>;
    /// Posts or releases a held pledge; false when it was no longer held.
    fn resolve_pledge(&mut self, venture: VentureId, number: u32, status: &str, at_ms: i64, entry_seq: Option<u64>) -> Result<bool, StoreError>;

    /// Records that a well withdrawal paid (part of) a need.
    fn insert_need_payment(&mut self, venture: VentureId, need: u32, entry_seq: u64) -> Result<(), StoreError>;
    /// Every payment of a need as (need, withdrawal), in ledger order.
    fn need_payments(&mut self, venture: VentureId) -> Result<Vec<(u32, u64)>, StoreError>;

    /// Registers a good; returns its id.
    fn insert_good(&mut self, good: &GoodRecord) -> Result<i64, StoreError>;
    /// Goods, newest first; only one owner's when given.
    fn goods(&mut self, owner: Option<AccountId>) -> Result<Vec<GoodRecord>, StoreError>;
    /// One good.
    fn good(&mut self, id: i64) -> Result<Option<GoodRecord>, StoreError>;
    /// One good, locked against other writers until the end of the transaction (bookings of a
    /// good span ventures, so the venture's lock does not cover them).
    fn lock_good(&mut self, id: i64) -> Result<Option<GoodRecord>, StoreError>;
    /// Changes a good's status, recording where it went when given.
    fn set_good_status(&mut self, id: i64, status: &str, given_to: Option<(VentureId, u64)>) -> Result<(), StoreError>;

    /// Stores a booking under the next number; returns the number.
    fn insert_booking(&mut self, venture: VentureId, booking: &BookingRecord) -> Result<u32, StoreError>;
    /// A venture's bookings, by number.
    fn bookings(&mut self, venture: VentureId) -> Result<Vec<BookingRecord>, StoreError>;
    /// Every booking of one good, in any venture, by start.
    fn good_bookings(&mut self, good: i64) -> Result<Vec<(VentureId, BookingRecord)>, StoreError>;
    /// Moves a booking from one status to another; false when it was not in `from`.
    fn decide_booking(&mut self, venture: VentureId, number: u32, from: &str, to: &str, at_ms: i64) -> Result<bool, StoreError>;

    /// Stores a usage under the next number; returns the number.
    fn insert_usage(&mut self, venture: VentureId, usage: &UsageRecord) -> Result<u32, StoreError>;
    /// A venture's usage, by number.
    fn usages(&mut self, venture: VentureId) -> Result<Vec<UsageRecord>, StoreError>;
    /// Confirms or declines a logged usage; false when it was no longer waiting.
    fn decide_usage(&mut self, venture: VentureId, number: u32, status: &str, at_ms: i64, entry_seq: Option<u64>) -> Result<bool, StoreError>;
}

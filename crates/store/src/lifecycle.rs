//! Records of a venture's later life: departures, buyouts, changes of steward (handover and
//! adoption), freezes of the split with their votes and cap tables, income received, and
//! distributions with their payouts.
//!
//! What a departure or buyout does to slices is a ledger entry, linked here by its sequence
//! number; these tables keep the case, the offer, the votes and the money paid out. Each status
//! changes only through a call that names the status it leaves, so a decision is taken once.

use peerstake_core::terms::MemberNo;
use time::Date;

use crate::{AccountId, StoreError, VentureId};

/// A member's departure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartureRecord {
    /// Number within the venture, from 1.
    pub number: u32,
    /// Who left.
    pub member: MemberNo,
    /// The case (`fired-for-good-reason`, …).
    pub case: String,
    /// Why, in the steward's words.
    pub justification: String,
    /// The day they left.
    pub departed_on: Date,
    /// The ledger entry adjusting their slices (none when nothing changed).
    pub entry_seq: Option<u64>,
    /// Who recorded it.
    pub recorded_by: Option<MemberNo>,
    /// When, ms since the epoch.
    pub recorded_at_ms: i64,
}

/// An offer to buy a departed member's slices, forced or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyoutRecord {
    /// Number within the venture, from 1.
    pub number: u32,
    /// Whose slices.
    pub member: MemberNo,
    /// Forced (a bad leaver: no acceptance needed) or offered.
    pub forced: bool,
    /// A member buying the slices, or none when the venture buys them and they leave the pie.
    pub buyer: Option<MemberNo>,
    /// Slices bought, slice minor units.
    pub slices_minor: i64,
    /// Price of one whole slice, minor units.
    pub price_per_slice_minor: i64,
    /// The price of all of them, minor units.
    pub amount_minor: i64,
    /// `offered`, `accepted`, `declined` or `withdrawn` (a forced buyout is `accepted` at once).
    pub status: String,
    /// Who offered it.
    pub offered_by: Option<MemberNo>,
    /// When, ms since the epoch.
    pub offered_at_ms: i64,
    /// When it was accepted, declined or withdrawn.
    pub decided_at_ms: Option<i64>,
    /// The ledger entry moving the slices, once accepted.
    pub entry_seq: Option<u64>,
    /// The last day of the claw-back window (an offered buyout, once accepted).
    pub clawback_until: Option<Date>,
}

/// A change of steward: a handover proposed by a steward, or an adoption asked for by someone
/// when the stewards left or fell silent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StewardshipRecord {
    /// Number within the venture, from 1.
    pub number: u32,
    /// `handover` or `adoption`.
    pub kind: String,
    /// The steward handing over (none for an adoption).
    pub from: Option<MemberNo>,
    /// The member taking over, when they are one.
    pub to_member: Option<MemberNo>,
    /// The account taking over, for an adoption by someone who is not a member yet.
    pub to_account: Option<AccountId>,
    /// What they say.
    pub message: String,
    /// `proposed`, `accepted`, `declined`, `withdrawn`, `objected` or `passed`.
    pub status: String,
    /// For an adoption: the role passes after this day if no one objects.
    pub notice_until: Option<Date>,
    /// When it was made, ms since the epoch.
    pub created_at_ms: i64,
    /// When it was decided.
    pub decided_at_ms: Option<i64>,
    /// Who decided it (accepted, declined or objected), and why.
    pub decided_by: Option<MemberNo>,
    /// What the decider said.
    pub decision_note: String,
}

/// A freeze of the split into a cap table: proposed, voted on, then frozen (and perhaps later
/// unfrozen by the same rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreezeRecord {
    /// Number within the venture, from 1.
    pub number: u32,
    /// `break-even`, `funding-round` or `other`.
    pub reason: String,
    /// More about it.
    pub note: String,
    /// Whole shares the cap table splits.
    pub total_shares: i64,
    /// Shares issued at the start, per member, for a buy-back plan (empty for none).
    pub issued: Vec<(MemberNo, i64)>,
    /// `proposed`, `rejected`, `withdrawn`, `frozen` or `unfrozen`.
    pub status: String,
    /// Who proposed it.
    pub proposed_by: MemberNo,
    /// When, ms since the epoch.
    pub proposed_at_ms: i64,
    /// The ledger's head when it froze: sequence number and hash (hex).
    pub head: Option<(u64, String)>,
    /// The day it froze.
    pub frozen_on: Option<Date>,
    /// When it froze, ms since the epoch.
    pub frozen_at_ms: Option<i64>,
    /// When an unfreeze was proposed, while it is open.
    pub unfreeze_proposed_at_ms: Option<i64>,
    /// When it was unfrozen.
    pub unfrozen_at_ms: Option<i64>,
}

/// A vote on a freeze (round `freeze`) or on undoing one (round `unfreeze`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreezeVoteRecord {
    /// `freeze` or `unfreeze`.
    pub round: String,
    /// Who voted.
    pub member: MemberNo,
    /// For or against.
    pub approve: bool,
    /// When, ms since the epoch.
    pub at_ms: i64,
}

/// One holder's line of a frozen cap table, with the buy-back plan when there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapTableLine {
    /// The holder.
    pub member: MemberNo,
    /// Slices held at the freeze, slice minor units.
    pub slices_minor: i64,
    /// Whole shares.
    pub shares: i64,
    /// Shares issued at the start (0 when none).
    pub issued: i64,
    /// Shares to buy back.
    pub buy_back: i64,
    /// Shares to issue.
    pub issue: i64,
}

/// Money the venture received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomeRecord {
    /// Number within the venture, from 1.
    pub number: u32,
    /// `revenue` (from operations) or `sale` (of the venture or its assets).
    pub kind: String,
    /// Amount, minor units.
    pub amount_minor: i64,
    /// The day it arrived.
    pub received_on: Date,
    /// Where it came from.
    pub note: String,
    /// For a sale: the price of the whole venture, minor units, which implies a price per slice.
    pub valuation_minor: Option<i64>,
    /// Who recorded it.
    pub recorded_by: Option<MemberNo>,
    /// When, ms since the epoch.
    pub recorded_at_ms: i64,
}

/// One holder's payout in a distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payout {
    /// The holder.
    pub member: MemberNo,
    /// What it was split by: slices (slice minor units) or shares.
    pub weight: i64,
    /// Paid, minor units.
    pub amount_minor: i64,
}

/// Income paid out to holders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionRecord {
    /// Number within the venture, from 1; it also rotates the tie-break.
    pub number: u32,
    /// The amount, minor units.
    pub amount_minor: i64,
    /// `split` (the current split) or `cap-table` (the frozen cap table).
    pub basis: String,
    /// The freeze whose cap table it used.
    pub freeze: Option<u32>,
    /// The ledger head it was split at.
    pub head_seq: u64,
    /// The sum of the weights.
    pub total_weight: i64,
    /// The day it was paid.
    pub paid_on: Date,
    /// What it is.
    pub note: String,
    /// Who posted it.
    pub posted_by: Option<MemberNo>,
    /// When, ms since the epoch.
    pub posted_at_ms: i64,
    /// Every holder's payout, by member number.
    pub payouts: Vec<Payout>,
}

/// The later-life records, part of every transaction.
pub trait Lifecycle {
    /// Marks a member departed on a day (or back, with none); changes the venture's book.
    fn set_member_departed(&mut self, venture: VentureId, member: MemberNo, on: Option<Date>) -> Result<(), StoreError>;
    /// Changes a member's role; changes the venture's book.
    fn set_member_role(&mut self, venture: VentureId, member: MemberNo, role: &str) -> Result<(), StoreError>;
    /// The latest time a member joined, wrote an entry or a comment, handed over or took up the
    /// steward role, voted on a freeze, recorded income or posted a distribution, ms since the epoch.
    fn member_last_active(&mut self, venture: VentureId, member: MemberNo) -> Result<Option<i64>, StoreError>;

    /// Records a departure; returns its number.
    fn insert_departure(&mut self, venture: VentureId, departure: &DepartureRecord) -> Result<u32, StoreError>;
    /// Every departure, by number.
    fn departures(&mut self, venture: VentureId) -> Result<Vec<DepartureRecord>, StoreError>;

    /// Records a buyout offer; returns its number.
    fn insert_buyout(&mut self, venture: VentureId, buyout: &BuyoutRecord) -> Result<u32, StoreError>;
    /// Every buyout, by number.
    fn buyouts(&mut self, venture: VentureId) -> Result<Vec<BuyoutRecord>, StoreError>;
    /// Moves a buyout from `from` to `to`; false when it was not in `from`.
    #[allow(clippy::too_many_arguments)]
    fn decide_buyout(
        &mut self,
        venture: VentureId,
        number: u32,
        from: &str,
        to: &str,
        at_ms: i64,
        entry_seq: Option<u64>,
        clawback_until: Option<Date>,
    ) -> Result<bool, StoreError>;

    /// Records a change of steward; returns its number.
    fn insert_stewardship(&mut self, venture: VentureId, change: &StewardshipRecord) -> Result<u32, StoreError>;
    /// Every change of steward, by number.
    fn stewardships(&mut self, venture: VentureId) -> Result<Vec<StewardshipRecord>, StoreError>;
    /// Moves a change from `from` to `to`; false when it was not in `from`.
    #[allow(clippy::too_many_arguments)]
    fn decide_stewardship(
        &mut self,
        venture: VentureId,
        number: u32,
        from: &str,
        to: &str,
        at_ms: i64,
        by: Option<MemberNo>,
        note: &str,
    ) -> Result<bool, StoreError>;

    /// Records a freeze proposal; returns its number.
    fn insert_freeze(&mut self, venture: VentureId, freeze: &FreezeRecord) -> Result<u32, StoreError>;
    /// Every freeze, by number.
    fn freezes(&mut self, venture: VentureId) -> Result<Vec<FreezeRecord>, StoreError>;
    /// Moves a freeze from `from` to `to`, stamping the head and day when it freezes; false when
    /// it was not in `from`.
    #[allow(clippy::too_many_arguments)]
    fn set_freeze_status(
        &mut self,
        venture: VentureId,
        number: u32,
        from: &str,
        to: &str,
        at_ms: i64,
        head: Option<(u64, &str)>,
        frozen_on: Option<Date>,
    ) -> Result<bool, StoreError>;
    /// Opens (with a time) or closes (none) a vote to unfreeze.
    fn set_unfreeze_proposed(&mut self, venture: VentureId, number: u32, at_ms: Option<i64>) -> Result<(), StoreError>;
    /// Records a vote; a second vote by the same member in the same round replaces nothing and
    /// is refused as a conflict.
    fn insert_freeze_vote(&mut self, venture: VentureId, number: u32, vote: &FreezeVoteRecord) -> Result<(), StoreError>;
    /// The votes of a round, in the order cast.
    fn freeze_votes(&mut self, venture: VentureId, number: u32, round: &str) -> Result<Vec<FreezeVoteRecord>, StoreError>;
    /// Stores the cap table of a freeze.
    fn insert_cap_table(&mut self, venture: VentureId, number: u32, lines: &[CapTableLine]) -> Result<(), StoreError>;
    /// The cap table of a freeze, by member number.
    fn cap_table(&mut self, venture: VentureId, number: u32) -> Result<Vec<CapTableLine>, StoreError>;

    /// Records income; returns its number.
    fn insert_income(&mut self, venture: VentureId, income: &IncomeRecord) -> Result<u32, StoreError>;
    /// Every income record, by number.
    fn incomes(&mut self, venture: VentureId) -> Result<Vec<IncomeRecord>, StoreError>;

    /// Records a distribution with its payouts; returns its number.
    fn insert_distribution(&mut self, venture: VentureId, distribution: &DistributionRecord) -> Result<u32, StoreError>;
    /// Every distribution with its payouts, by number.
    fn distributions(&mut self, venture: VentureId) -> Result<Vec<DistributionRecord>, StoreError>;
    /// Every member holding slices, with their slices, by member number.
    fn member_slices(&mut self, venture: VentureId) -> Result<Vec<(MemberNo, i64)>, StoreError>;
    /// How many distributions there are and the sum of their amounts, without reading payouts.
    fn distribution_summary(&mut self, venture: VentureId) -> Result<(u32, i64), StoreError>;
}

/// Encodes payouts compactly (a distribution to 100,000 holders is one row): per payout the
/// member number, the weight and the amount as variable-length integers.
pub fn encode_payouts(payouts: &[Payout]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payouts.len() * 10 + 4);
    put(&mut out, u64::try_from(payouts.len()).unwrap_or(0));
    for payout in payouts {
        put(&mut out, u64::from(payout.member.0));
        put(&mut out, u64::try_from(payout.weight).unwrap_or(0));
        put(&mut out, u64::try_from(payout.amount_minor).unwrap_or(0));
    }
    out
}

/// Decodes what [`encode_payouts`] wrote; damaged bytes are an error, never a misreading.
pub fn decode_payouts(bytes: &[u8]) -> Result<Vec<Payout>, StoreError> {
    let mut at = 0usize;
    let count = take(bytes, &mut at)?;
    let mut payouts = Vec::with_capacity(usize::try_from(count.min(1_000_000)).unwrap_or(0));
    for _ in 0..count {
        let member = u32::try_from(take(bytes, &mut at)?).map_err(|_| corrupt())?;
        let weight = i64::try_from(take(bytes, &mut at)?).map_err(|_| corrupt())?;
        let amount_minor = i64::try_from(take(bytes, &mut at)?).map_err(|_| corrupt())?;
        payouts.push(Payout { member: MemberNo(member), weight, amount_minor });
    }
    if at != bytes.len() {
        return Err(corrupt());
    }
    Ok(payouts)
}

fn corrupt() -> StoreError {
    StoreError::Corrupt("a distribution's payouts cannot be read".into())
}

fn put(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn take(bytes: &[u8], at: &mut usize) -> Result<u64, StoreError> {
    let mut value: u64 = 0;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at).ok_or_else(corrupt)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(corrupt())
}

/// Encodes shares issued per member as `member:shares` pairs.
pub fn encode_issued(issued: &[(MemberNo, i64)]) -> String {
    issued.iter().map(|(m, s)| format!("{}:{s}", m.0)).collect::<Vec<_>>().join(",")
}

/// Decodes what [`encode_issued`] wrote.
pub fn decode_issued(text: &str) -> Result<Vec<(MemberNo, i64)>, StoreError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|pair| {
            let (member, shares) = pair.split_once(':').ok_or_else(|| StoreError::Corrupt(format!("issued shares '{pair}'")))?;
            let member = member.parse::<u32>().map_err(|_| StoreError::Corrupt(format!("issued shares '{pair}'")))?;
            let shares = shares.parse::<i64>().map_err(|_| StoreError::Corrupt(format!("issued shares '{pair}'")))?;
            Ok((MemberNo(member), shares))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payouts_round_trip_and_damage_is_refused() {
        let payouts =
            vec![Payout { member: MemberNo(1), weight: 12_345, amount_minor: 99 }, Payout { member: MemberNo(70_000), weight: i64::MAX, amount_minor: 0 }];
        let bytes = encode_payouts(&payouts);
        assert_eq!(decode_payouts(&bytes).unwrap(), payouts);
        assert!(decode_payouts(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode_payouts(&longer).is_err());
    }

    #[test]
    fn issued_shares_round_trip() {
        let issued = vec![(MemberNo(1), 1_000_000), (MemberNo(3), 5)];
        assert_eq!(decode_issued(&encode_issued(&issued)).unwrap(), issued);
        assert!(decode_issued("1:x").is_err());
    }
}

//! Ledger effects and the state they build: per member, kind and class, the value (FMV), the
//! slices and the well balance. The same code folds effects when a write is recorded, when the
//! split is recomputed from scratch, and when `verify` replays a whole ledger.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::DomainError;
use crate::kind::{ALL_KINDS, Class, Kind};
use crate::terms::MemberNo;

/// What one ledger entry does to one member's balances. An entry has one or more effects (a well
/// withdrawal has one per depositor); a reversal has the same effects negated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effect {
    /// Whose balances change.
    pub member: MemberNo,
    /// Under which kind.
    pub kind: Kind,
    /// Under which multiplier class.
    pub class: Class,
    /// Change in fair market value at risk, minor units.
    pub fmv_minor: i64,
    /// Change in slices, slice minor units (one hundredth of a slice in a two-decimal currency).
    pub slices_minor: i64,
    /// Change in the member's unspent balance in the well, minor units.
    pub well_minor: i64,
}

impl Effect {
    /// The same effect, undone.
    pub fn negated(&self) -> Effect {
        Effect { fmv_minor: -self.fmv_minor, slices_minor: -self.slices_minor, well_minor: -self.well_minor, ..*self }
    }
}

/// The key of a balance bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BucketKey {
    /// The member.
    pub member: MemberNo,
    /// The kind.
    pub kind: Kind,
    /// The class.
    pub class: Class,
}

/// Running totals of one bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bucket {
    /// Value at risk, minor units.
    pub fmv_minor: i64,
    /// Slices, slice minor units.
    pub slices_minor: i64,
    /// Unspent well balance, minor units (cash buckets only).
    pub well_minor: i64,
}

/// What valuation needs to know of the current balances: the well for withdrawals, one member's
/// buckets for cash paid to them.
pub trait StateView {
    /// Every member with money in the well, by member number, with their balance (> 0).
    fn well_balances(&self) -> Vec<(MemberNo, i64)>;
    /// One member's non-empty buckets, in kind then class order.
    fn member_buckets(&self, member: MemberNo) -> Vec<(Kind, Class, Bucket)>;
}

/// Effects summed per bucket, in bucket order: what an entry adds to the maintained totals.
pub fn deltas(effects: &[Effect]) -> Vec<(BucketKey, Bucket)> {
    let mut sums: BTreeMap<BucketKey, Bucket> = BTreeMap::new();
    for effect in effects {
        let bucket = sums.entry(BucketKey { member: effect.member, kind: effect.kind, class: effect.class }).or_default();
        bucket.fmv_minor += effect.fmv_minor;
        bucket.slices_minor += effect.slices_minor;
        bucket.well_minor += effect.well_minor;
    }
    sums.into_iter().collect()
}

/// Beyond this many effects in one entry, `apply` indexes them instead of searching.
const APPLY_LINEAR_MAX: usize = 16;

/// Balances folded from effects.
#[derive(Debug, Clone, Default)]
pub struct LedgerState {
    // Keys are small integers chosen by the venture itself, so a fast non-keyed hash is safe.
    buckets: FxHashMap<BucketKey, Bucket>,
    wells: BTreeMap<MemberNo, i64>,
}

impl LedgerState {
    /// An empty state.
    pub fn new() -> LedgerState {
        LedgerState::default()
    }

    /// A state from stored bucket totals.
    pub fn from_buckets(rows: impl IntoIterator<Item = (BucketKey, Bucket)>) -> LedgerState {
        let mut state = LedgerState::new();
        for (key, bucket) in rows {
            if bucket.well_minor != 0 {
                *state.wells.entry(key.member).or_insert(0) += bucket.well_minor;
            }
            state.buckets.insert(key, bucket);
        }
        state.wells.retain(|_, balance| *balance != 0);
        state
    }

    /// Applies effects, all or nothing: if any bucket would go below zero in value, slices or
    /// well balance, nothing changes and the error names it.
    pub fn apply(&mut self, effects: &[Effect]) -> Result<(), DomainError> {
        let mut pending: Vec<(BucketKey, Bucket)> = Vec::with_capacity(effects.len());
        // Where each key sits in `pending`; a linear search is faster for the usual few effects,
        // an index keeps a withdrawal paying thousands of depositors linear.
        let mut index: Option<FxHashMap<BucketKey, usize>> =
            (effects.len() > APPLY_LINEAR_MAX).then(|| FxHashMap::with_capacity_and_hasher(effects.len(), Default::default()));
        for effect in effects {
            let key = BucketKey { member: effect.member, kind: effect.kind, class: effect.class };
            let position = match &index {
                Some(map) => map.get(&key).copied(),
                None => pending.iter().position(|(k, _)| *k == key),
            };
            let current = match position {
                Some(at) => pending.get(at).map(|(_, b)| *b).unwrap_or_default(),
                None => self.buckets.get(&key).copied().unwrap_or_default(),
            };
            let add = |a: i64, b: i64| a.checked_add(b).ok_or(DomainError::Overflow("a balance"));
            let next = Bucket {
                fmv_minor: add(current.fmv_minor, effect.fmv_minor)?,
                slices_minor: add(current.slices_minor, effect.slices_minor)?,
                well_minor: add(current.well_minor, effect.well_minor)?,
            };
            let negative = |what: &'static str| DomainError::WouldGoNegative { member: key.member.0, kind: key.kind.name(), what };
            if next.slices_minor < 0 {
                return Err(negative("slices"));
            }
            if next.fmv_minor < 0 {
                return Err(negative("value"));
            }
            if next.well_minor < 0 {
                return Err(negative("well balance"));
            }
            match position.and_then(|at| pending.get_mut(at)) {
                Some(slot) => slot.1 = next,
                None => {
                    if let Some(map) = &mut index {
                        map.insert(key, pending.len());
                    }
                    pending.push((key, next));
                }
            }
        }
        for (key, bucket) in pending {
            let previous_well = self.buckets.get(&key).map(|b| b.well_minor).unwrap_or(0);
            if bucket.well_minor != previous_well {
                let balance = self.wells.entry(key.member).or_insert(0);
                *balance += bucket.well_minor - previous_well;
                if *balance == 0 {
                    self.wells.remove(&key.member);
                }
            }
            self.buckets.insert(key, bucket);
        }
        Ok(())
    }

    /// Every bucket, in no particular order.
    pub fn buckets(&self) -> impl Iterator<Item = (&BucketKey, &Bucket)> {
        self.buckets.iter()
    }

    /// Every bucket sorted by key, dropping empty ones: the form compared against stored totals.
    pub fn sorted_buckets(&self) -> Vec<(BucketKey, Bucket)> {
        let mut rows: Vec<(BucketKey, Bucket)> = self.buckets.iter().filter(|(_, b)| **b != Bucket::default()).map(|(k, b)| (*k, *b)).collect();
        rows.sort_by_key(|(k, _)| *k);
        rows
    }

    /// The well's total balance.
    pub fn well_total(&self) -> i64 {
        self.wells.values().sum()
    }
}

impl StateView for LedgerState {
    fn well_balances(&self) -> Vec<(MemberNo, i64)> {
        self.wells.iter().filter(|(_, b)| **b > 0).map(|(m, b)| (*m, *b)).collect()
    }

    fn member_buckets(&self, member: MemberNo) -> Vec<(Kind, Class, Bucket)> {
        let mut rows = Vec::new();
        for kind in ALL_KINDS {
            for class in [Class::Cash, Class::NonCash, Class::Plain] {
                if let Some(bucket) = self.buckets.get(&BucketKey { member, kind, class })
                    && *bucket != Bucket::default()
                {
                    rows.push((kind, class, *bucket));
                }
            }
        }
        rows
    }
}

/// Balances in which members who left have no share of the well (edition 2 on): their unspent
/// money is owed back to them, so a payment from the well is split among the others only.
pub struct WithoutLeavers<'a> {
    /// The balances.
    pub inner: &'a dyn StateView,
    /// The members who left, in any order.
    pub left: &'a [MemberNo],
}

impl StateView for WithoutLeavers<'_> {
    fn well_balances(&self) -> Vec<(MemberNo, i64)> {
        self.inner.well_balances().into_iter().filter(|(member, _)| !self.left.contains(member)).collect()
    }

    fn member_buckets(&self, member: MemberNo) -> Vec<(Kind, Class, Bucket)> {
        self.inner.member_buckets(member)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effect(member: u32, slices: i64, well: i64) -> Effect {
        Effect { member: MemberNo(member), kind: Kind::Cash, class: Class::Cash, fmv_minor: slices / 4, slices_minor: slices, well_minor: well }
    }

    #[test]
    fn apply_is_all_or_nothing() {
        let mut state = LedgerState::new();
        state.apply(&[effect(1, 400, 50)]).unwrap();
        let before = state.sorted_buckets();
        let error = state.apply(&[effect(2, 4, 0), effect(1, 0, -51)]).unwrap_err();
        assert!(matches!(error, DomainError::WouldGoNegative { member: 1, .. }));
        assert_eq!(state.sorted_buckets(), before);
        assert_eq!(state.well_balances(), vec![(MemberNo(1), 50)]);
        state.apply(&[effect(1, 0, -50)]).unwrap();
        assert!(state.well_balances().is_empty());
    }

    #[test]
    fn many_effects_on_one_entry_fold_like_few() {
        // Beyond the linear-search size, effects on the same bucket still add up in order, and
        // one that would go negative still leaves nothing changed.
        let mut state = LedgerState::new();
        let deposits: Vec<Effect> = (1..=40).map(|m| effect(m, 0, 100)).collect();
        state.apply(&deposits).unwrap();
        let mut spend: Vec<Effect> = (1..=40).map(|m| effect(m, 40, -10)).collect();
        spend.extend((1..=40).map(|m| effect(m, 40, -10)));
        state.apply(&spend).unwrap();
        assert_eq!(state.well_total(), 40 * 80);
        assert!(state.sorted_buckets().iter().all(|(_, b)| b.slices_minor == 80 && b.well_minor == 80));
        let before = state.sorted_buckets();
        let mut overdraw: Vec<Effect> = (1..=40).map(|m| effect(m, 0, -50)).collect();
        overdraw.push(effect(7, 0, -31));
        let error = state.apply(&overdraw).unwrap_err();
        assert!(matches!(error, DomainError::WouldGoNegative { member: 7, .. }));
        assert_eq!(state.sorted_buckets(), before);
    }
}

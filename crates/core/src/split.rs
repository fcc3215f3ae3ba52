//! The split: each member's slices ÷ all slices, with percentages that add up to exactly 100.00.

use std::collections::BTreeMap;

use crate::DomainError;
use crate::allocation::largest_remainder;
use crate::kind::Kind;
use crate::replay::{Bucket, BucketKey};
use crate::terms::MemberNo;

/// Hundredths of a percent in a whole: shares are whole hundredths of a percent (0.01%).
pub const SHARE_UNITS: i64 = 10_000;

/// One member's line of the split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSplit {
    /// The member.
    pub member: MemberNo,
    /// Slices by kind, indexed by [`Kind::index`].
    pub slices_by_kind: [i64; 11],
    /// All their slices.
    pub slices_minor: i64,
    /// Their value at risk, minor units.
    pub fmv_minor: i64,
    /// Their unspent balance in the well, minor units.
    pub well_minor: i64,
    /// Their share in hundredths of a percent (1234 = 12.34%).
    pub share_units: i64,
}

impl MemberSplit {
    /// Slices of one kind.
    pub fn slices_of(&self, kind: Kind) -> i64 {
        self.slices_by_kind.get(kind.index()).copied().unwrap_or(0)
    }
}

/// A venture's split at a point in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// One line per member, in member order.
    pub members: Vec<MemberSplit>,
    /// All slices.
    pub total_slices_minor: i64,
}

/// Computes the split from bucket totals. Every member in `members` gets a line, even with no
/// slices. Percentages come from the largest-remainder method over whole hundredths of a percent,
/// ties going to the lower member number, so they add up to exactly 100.00 whenever there are
/// slices at all.
pub fn compute(members: &[MemberNo], buckets: impl IntoIterator<Item = (BucketKey, Bucket)>) -> Result<Split, DomainError> {
    let mut lines: BTreeMap<MemberNo, MemberSplit> = members
        .iter()
        .map(|m| (*m, MemberSplit { member: *m, slices_by_kind: [0; 11], slices_minor: 0, fmv_minor: 0, well_minor: 0, share_units: 0 }))
        .collect();
    let add = |a: i64, b: i64| a.checked_add(b).ok_or(DomainError::Overflow("the split"));
    for (key, bucket) in buckets {
        let line = lines.entry(key.member).or_insert_with(|| MemberSplit {
            member: key.member,
            slices_by_kind: [0; 11],
            slices_minor: 0,
            fmv_minor: 0,
            well_minor: 0,
            share_units: 0,
        });
        if let Some(slot) = line.slices_by_kind.get_mut(key.kind.index()) {
            *slot = add(*slot, bucket.slices_minor)?;
        }
        line.slices_minor = add(line.slices_minor, bucket.slices_minor)?;
        line.fmv_minor = add(line.fmv_minor, bucket.fmv_minor)?;
        line.well_minor = add(line.well_minor, bucket.well_minor)?;
    }
    let mut members: Vec<MemberSplit> = lines.into_values().collect();
    let weights: Vec<i64> = members.iter().map(|m| m.slices_minor).collect();
    let total_slices_minor = weights.iter().try_fold(0_i64, |sum, w| sum.checked_add(*w)).ok_or(DomainError::Overflow("the split"))?;
    if total_slices_minor > 0 {
        let shares = largest_remainder(SHARE_UNITS, &weights, 0)?;
        for (line, share) in members.iter_mut().zip(shares) {
            line.share_units = share;
        }
    }
    Ok(Split { members, total_slices_minor })
}

/// Percentages of weights with two decimals, adding up to exactly 100.00 (all zero when no weight
/// is positive).
pub fn percents(weights: &[i64]) -> Result<Vec<String>, DomainError> {
    if weights.iter().all(|w| *w <= 0) {
        return Ok(weights.iter().map(|_| "0.00".to_string()).collect());
    }
    Ok(largest_remainder(SHARE_UNITS, weights, 0)?.into_iter().map(format_share).collect())
}

/// Formats a share as a percentage with two decimals (`12.34`).
pub fn format_share(share_units: i64) -> String {
    crate::money::format_scaled(i128::from(share_units), 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::Class;
    use proptest::prelude::*;

    fn bucket(member: u32, kind: Kind, slices: i64) -> (BucketKey, Bucket) {
        (BucketKey { member: MemberNo(member), kind, class: Class::NonCash }, Bucket { fmv_minor: slices / 2, slices_minor: slices, well_minor: 0 })
    }

    #[test]
    fn thirds_add_up_to_one_hundred() {
        let split = compute(&[MemberNo(1), MemberNo(2), MemberNo(3)], vec![bucket(1, Kind::Time, 100), bucket(2, Kind::Time, 100), bucket(3, Kind::Idea, 100)])
            .unwrap();
        let shares: Vec<String> = split.members.iter().map(|m| format_share(m.share_units)).collect();
        assert_eq!(shares, ["33.34", "33.33", "33.33"]);
        assert_eq!(split.total_slices_minor, 300);
    }

    #[test]
    fn no_slices_means_no_shares() {
        let split = compute(&[MemberNo(1)], Vec::new()).unwrap();
        assert_eq!(split.members.first().map(|m| m.share_units), Some(0));
    }

    proptest! {
        #[test]
        fn percentages_sum_to_exactly_one_hundred(slices in proptest::collection::vec(0_i64..10_000_000_000, 1..300)) {
            let members: Vec<MemberNo> = (1..=u32::try_from(slices.len()).unwrap()).map(MemberNo).collect();
            let buckets: Vec<(BucketKey, Bucket)> = slices.iter().enumerate().map(|(i, s)| bucket(u32::try_from(i).unwrap() + 1, Kind::Time, *s)).collect();
            let split = compute(&members, buckets).unwrap();
            let sum: i64 = split.members.iter().map(|m| m.share_units).sum();
            if slices.iter().any(|s| *s > 0) {
                prop_assert_eq!(sum, SHARE_UNITS);
            } else {
                prop_assert_eq!(sum, 0);
            }
        }
    }
}

//! Splitting an integer total into integer parts in proportion to weights, exactly.

use crate::DomainError;

/// Splits `total` into parts proportional to `weights` by the largest-remainder method: each part
/// gets the floor of its exact quota, and the units left over go one each to the largest
/// remainders. Ties go to the earliest index counted from `start` (wrapping), so a caller that
/// rotates `start` spreads the spare units fairly over time; a caller that passes 0 gets a fixed,
/// deterministic order.
///
/// The parts always add up to `total` exactly. All weights zero gives all parts zero.
pub fn largest_remainder(total: i64, weights: &[i64], start: usize) -> Result<Vec<i64>, DomainError> {
    if total < 0 || weights.iter().any(|w| *w < 0) {
        return Err(DomainError::NegativeAmount { field: "allocation" });
    }
    let weight_sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if weight_sum == 0 {
        return Ok(vec![0; weights.len()]);
    }
    let total_wide = i128::from(total);
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut assigned: i128 = 0;
    for (index, weight) in weights.iter().enumerate() {
        let product = total_wide.checked_mul(i128::from(*weight)).ok_or(DomainError::Overflow("an allocation"))?;
        let floor = product / weight_sum;
        assigned += floor;
        parts.push(floor);
        remainders.push((product % weight_sum, index));
    }
    let leftover = usize::try_from(total_wide - assigned).map_err(|_| DomainError::Overflow("an allocation"))?;
    assert!(leftover <= weights.len(), "largest remainder: leftover exceeds the number of parts");
    if leftover > 0 {
        let count = weights.len();
        let rotated = |index: usize| (index + count - start % count) % count;
        let order = |a: &(i128, usize), b: &(i128, usize)| b.0.cmp(&a.0).then_with(|| rotated(a.1).cmp(&rotated(b.1)));
        // Only which parts get a spare unit matters, not their order: selecting them is linear,
        // where sorting every remainder is not (it shows at a hundred thousand holders).
        if leftover < remainders.len() {
            remainders.select_nth_unstable_by(leftover - 1, order);
        }
        for (_, index) in remainders.iter().take(leftover) {
            if let Some(part) = parts.get_mut(*index) {
                *part += 1;
            }
        }
    }
    let result: Result<Vec<i64>, DomainError> = parts.into_iter().map(|p| crate::money::narrow(p, "an allocation")).collect();
    let result = result?;
    debug_assert_eq!(result.iter().map(|p| i128::from(*p)).sum::<i128>(), total_wide);
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_cases() {
        let cases: &[(i64, &[i64], usize, &[i64])] = &[
            (10_000, &[1, 1, 1], 0, &[3334, 3333, 3333]),
            (10_000, &[1, 1, 1], 1, &[3333, 3334, 3333]),
            (10_000, &[1, 1, 1], 2, &[3333, 3333, 3334]),
            (100, &[0, 0], 0, &[0, 0]),
            (7, &[2, 1], 0, &[5, 2]),
            (1, &[1, 1, 1, 1], 3, &[0, 0, 0, 1]),
            (10_000, &[6, 6, 2], 0, &[4286, 4286, 1428]),
        ];
        for (total, weights, start, expected) in cases {
            assert_eq!(largest_remainder(*total, weights, *start).unwrap(), *expected, "{total} {weights:?} {start}");
        }
    }

    #[test]
    fn the_spare_units_rotate_so_no_one_always_gets_them() {
        // Seven equal holders, three spare units a round: over seven rounds each gets three.
        let mut received = [0_i64; 7];
        for round in 0..7 {
            let parts = largest_remainder(3, &[5; 7], round).unwrap();
            for (total, part) in received.iter_mut().zip(parts) {
                *total += part;
            }
        }
        assert_eq!(received, [3; 7]);
        // Larger remainders still come first, whatever the round.
        for round in 0..3 {
            assert_eq!(largest_remainder(1, &[1, 2, 1], round).unwrap(), vec![0, 1, 0]);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

        /// Up to a hundred thousand holders, any amount: the parts add up exactly and each is its
        /// floor or one more.
        #[test]
        fn many_holders_add_up_exactly(total in 0_i64..100_000_000_000, seed in 0_u64..u64::MAX, count in 1_usize..100_001, start in 0_usize..100_001) {
            let mut state = seed | 1;
            let weights: Vec<i64> = (0..count).map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                i64::try_from(state % 10_000_000).unwrap()
            }).collect();
            let parts = largest_remainder(total, &weights, start).unwrap();
            let weight_sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
            prop_assert_eq!(parts.iter().map(|p| i128::from(*p)).sum::<i128>(), if weight_sum > 0 { i128::from(total) } else { 0 });
            for (part, weight) in parts.iter().zip(&weights) {
                let floor = i128::from(total) * i128::from(*weight) / weight_sum.max(1);
                prop_assert!(i128::from(*part) == floor || i128::from(*part) == floor + 1);
            }
        }
    }

    proptest! {
        #[test]
        fn parts_add_up_exactly(total in 0_i64..1_000_000_000_000, weights in proptest::collection::vec(0_i64..1_000_000_000_000, 1..200), start in 0_usize..500) {
            let parts = largest_remainder(total, &weights, start).unwrap();
            let weight_sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
            if weight_sum > 0 {
                prop_assert_eq!(parts.iter().map(|p| i128::from(*p)).sum::<i128>(), i128::from(total));
                // The spare units go where sorting every remainder (largest first, ties in the
                // rotated order) would put them.
                let count = weights.len();
                let mut order: Vec<usize> = (0..count).collect();
                let remainder = |i: usize| i128::from(total) * i128::from(weights[i]) % weight_sum;
                order.sort_by(|a, b| remainder(*b).cmp(&remainder(*a)).then_with(|| ((a + count - start % count) % count).cmp(&((b + count - start % count) % count))));
                let floors: Vec<i128> = weights.iter().map(|w| i128::from(total) * i128::from(*w) / weight_sum).collect();
                let spare = usize::try_from(i128::from(total) - floors.iter().sum::<i128>()).unwrap();
                let mut expected = floors;
                for index in order.into_iter().take(spare) {
                    expected[index] += 1;
                }
                prop_assert_eq!(parts.iter().map(|p| i128::from(*p)).collect::<Vec<_>>(), expected);
            }
            for (part, weight) in parts.iter().zip(&weights) {
                // Each part is its floor or floor + 1.
                if weight_sum > 0 {
                    let floor = i128::from(total) * i128::from(*weight) / weight_sum;
                    prop_assert!(i128::from(*part) == floor || i128::from(*part) == floor + 1);
                }
            }
        }
    }
}

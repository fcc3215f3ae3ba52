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
        remainders.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| rotated(a.1).cmp(&rotated(b.1))));
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

    proptest! {
        #[test]
        fn parts_add_up_exactly(total in 0_i64..1_000_000_000_000, weights in proptest::collection::vec(0_i64..1_000_000_000_000, 1..200), start in 0_usize..500) {
            let parts = largest_remainder(total, &weights, start).unwrap();
            let weight_sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
            if weight_sum > 0 {
                prop_assert_eq!(parts.iter().map(|p| i128::from(*p)).sum::<i128>(), i128::from(total));
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

//! Exact decimals as integers scaled by a power of ten: reading the canonical text
//! (`1234.56`, digits and one point) and writing it. A leaf: money and the number formats both
//! build on it.

/// Parses a non-negative decimal with at most `scale` fractional digits into an integer scaled by
/// 10^scale. Returns `None` on anything else (signs, exponents, stray characters, overflow).
pub fn parse_scaled(text: &str, scale: u8) -> Option<i64> {
    parse_scaled_wide(text, scale).and_then(|v| i64::try_from(v).ok())
}

/// As [`parse_scaled`], into an `i128` (up to 30 digits), so callers can tell "too large" from
/// "not a number".
pub fn parse_scaled_wide(text: &str, scale: u8) -> Option<i128> {
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    // Thirty digits of value: leading zeros are not counted.
    if fraction.len() > usize::from(scale) || whole.trim_start_matches('0').len() > 30 {
        return None;
    }
    let mut value: i128 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    for _ in 0..scale {
        value = value.checked_mul(10)?;
    }
    if !fraction.is_empty() {
        let mut fraction_value: i128 = fraction.parse().ok()?;
        for _ in fraction.len()..usize::from(scale) {
            fraction_value = fraction_value.checked_mul(10)?;
        }
        value = value.checked_add(fraction_value)?;
    }
    Some(value)
}

/// Formats an integer scaled by 10^scale as an exact decimal string.
pub fn format_scaled(value: i128, scale: u8) -> String {
    let negative = value < 0;
    let magnitude = value.unsigned_abs();
    // Past 38 decimals the divisor does not fit in a u128, and every digit is a decimal.
    let (whole, fraction) = match 10_u128.checked_pow(u32::from(scale)) {
        Some(divisor) => (magnitude / divisor, magnitude % divisor),
        None => (0, magnitude),
    };
    let mut text = String::with_capacity(24);
    if negative {
        text.push('-');
    }
    push_digits(&mut text, whole, 1);
    if scale > 0 {
        text.push('.');
        push_digits(&mut text, fraction, usize::from(scale));
    }
    text
}

/// Appends the decimal digits of `value`, padded with zeros to at least `width` digits. (Faster
/// than the formatting machinery for the many amounts an export or a page writes.)
fn push_digits(text: &mut String, mut value: u128, width: usize) {
    // A u128 has at most 39 digits; wider is zeros in front.
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    loop {
        at -= 1;
        // The remainder of a division by ten is a single digit.
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    let written = digits.len() - at;
    text.extend(std::iter::repeat_n('0', width.saturating_sub(written)));
    text.extend(digits[at..].iter().map(|d| char::from(*d)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scale_a_u8_can_name_round_trips() {
        // Found by the fuzzer: `format_scaled` overflowed computing 10^scale past 38 decimals
        // (and wrote past its digit buffer), for values `parse_scaled` reads at those scales.
        for scale in [38_u8, 39, 40, 255] {
            assert_eq!(parse_scaled("0", scale), Some(0));
            let text = format_scaled(0, scale);
            assert_eq!(text.len(), 2 + usize::from(scale), "{text}");
            assert_eq!(parse_scaled(&text, scale), Some(0));
        }
        assert_eq!(format_scaled(-5, 40), format!("-0.{}5", "0".repeat(39)));
        assert_eq!(format_scaled(i128::MIN, 39), "-0.170141183460469231731687303715884105728");
        assert_eq!(format_scaled(1_234, 2), "12.34");
    }

    #[test]
    fn leading_zeros_are_not_digits_of_the_value() {
        // Found by the fuzzer: 30 zeros and a one read as 1 through `parse_canonical` but as
        // nothing here, so the two readings of one text disagreed.
        assert_eq!(parse_scaled(&format!("{}1", "0".repeat(30)), 0), Some(1));
        assert_eq!(parse_scaled_wide(&format!("0{}.6", "9".repeat(30)), 2), Some(10_i128.pow(32) - 40));
        assert_eq!(parse_scaled_wide(&"9".repeat(31), 0), None, "31 digits of value are too many");
    }
}

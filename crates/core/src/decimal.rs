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
    if fraction.len() > usize::from(scale) || whole.len() > 30 {
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
    let divisor = 10_u128.pow(u32::from(scale));
    let (whole, fraction) = (magnitude / divisor, magnitude % divisor);
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
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    loop {
        at -= 1;
        // The remainder of a division by ten is a single digit.
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 && digits.len() - at >= width {
            break;
        }
    }
    text.extend(digits[at..].iter().map(|d| char::from(*d)));
}

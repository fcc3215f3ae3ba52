//! Numbers as people write them and amounts in the canonical form: the four number formats
//! (`peerstake_core::numbers`), `Currency::parse_amount` and the exact decimals underneath
//! (`parse_scaled`). What reads must read one way only, be canonical, and come back the same when
//! written out again; what is refused must be refused for the reason it has.

use fastrand::Rng;
use peerstake_core::money::{AMOUNT_MINOR_MAX, Currency, format_scaled, parse_scaled, parse_scaled_wide};
use peerstake_core::numbers::{NumberFormat, parse_canonical, words_of_decimal};
use peerstake_core::{DomainError, ErrorCode};

use crate::mutate;
use crate::runner::Target;

/// Whether `text` is the canonical form: digits, then optionally a point and digits.
pub fn is_canonical(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match text.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(text),
    }
}

/// A value worth writing: small, near a limit, or beyond every limit.
pub fn value(rng: &mut Rng) -> i128 {
    match rng.u8(0..6) {
        0 => i128::from(rng.u8(0..=10)),
        1 => i128::from(rng.u32(..)),
        2 => i128::from(rng.i64(0..=AMOUNT_MINOR_MAX)),
        3 => i128::from(AMOUNT_MINOR_MAX) + i128::from(rng.i8(-2..=2)),
        4 => i128::from(rng.i64(0..=i64::MAX)),
        _ => rng.i128(0..=10_i128.pow(32)),
    }
}

/// A number written in some format, at some scale, often bent.
fn written(rng: &mut Rng) -> String {
    let format = *mutate::pick(rng, &NumberFormat::ALL);
    let scale = rng.u8(0..=4);
    let mut text = match rng.u8(0..4) {
        0 => format_scaled(value(rng), scale),
        1 => {
            let (whole_len, fraction_len) = (mutate::length(rng, 40).max(1), rng.usize(1..=5));
            format!("{}.{}", mutate::digits(rng, whole_len), mutate::digits(rng, fraction_len))
        }
        _ => format.format(value(rng), scale),
    };
    if rng.u8(0..6) == 0 {
        text = format!("{}{text}{}", [" ", "\t", "\u{a0}", "-", "+", ""][rng.usize(0..6)], [" ", "\n", "%", ""][rng.usize(0..4)]);
    }
    if rng.u8(0..3) != 0 { mutate::text(rng, &text, 3) } else { text }
}

/// The independent reading of a text in a format: group separators dropped, the decimal
/// separator read as the point.
fn oracle(format: NumberFormat, text: &str) -> String {
    let groups: &[char] = match format {
        NumberFormat::Point => &[','],
        NumberFormat::Comma => &['.'],
        NumberFormat::SpaceComma => &[' ', '\u{a0}', '\u{202f}'],
        NumberFormat::Apostrophe => &['\'', '\u{2019}'],
    };
    text.trim().chars().filter(|c| !groups.contains(c)).map(|c| if c == format.decimal_separator() { '.' } else { c }).collect()
}

/// The scales each reading is tried at.
const SCALES: [u8; 5] = [0, 2, 3, 4, 6];

/// Number formats: read in each of the four formats.
#[derive(Default)]
pub struct Numbers;

impl Numbers {
    fn check_format(format: NumberFormat, text: &str) -> Result<String, String> {
        let name = format.name();
        let canonical = match format.canonical_text("amount", text) {
            Ok(canonical) => canonical,
            Err(error) => {
                return match &error {
                    DomainError::InvalidAmount { hint, .. } => Ok(format!("refused{}", if hint.contains(" for ") { "+readings" } else { "" })),
                    DomainError::NegativeAmount { .. } => Ok("negative".into()),
                    other => Err(format!("refusal code: {name} refused {text:?} as {} ({other})", other.code())),
                };
            }
        };
        if !is_canonical(&canonical) {
            return Err(format!("canonical form: {name} read {text:?} as {canonical:?}"));
        }
        let _ = words_of_decimal(&canonical);
        // One reading: the same value at every scale that takes it, and the oracle's.
        let mut read: Vec<(u8, i128)> = Vec::new();
        for scale in SCALES {
            match format.parse("amount", text, scale) {
                Ok(value) => read.push((scale, value)),
                // Too many decimals for the scale is the one malformed-looking refusal it may have.
                Err(DomainError::InvalidAmount { hint, .. }) if hint.starts_with("has ") => {}
                Err(DomainError::AmountTooLarge { .. }) => {}
                Err(error) => return Err(format!("refusal reason: {name} read {text:?} as {canonical:?}, then at scale {scale}: {error}")),
            }
        }
        for (scale, value) in &read {
            if parse_scaled_wide(&oracle(format, text), *scale) != Some(*value) {
                return Err(format!("one reading: {name} read {text:?} at scale {scale} as {value}, the oracle disagrees"));
            }
            // Written back in the same format, it reads the same.
            let again = format.format(*value, *scale);
            match format.parse("amount", &again, *scale) {
                Ok(back) if back == *value => {}
                other => return Err(format!("round trip: {name} read {text:?} as {value} (scale {scale}), wrote {again:?}, read back {other:?}")),
            }
        }
        let unscaled: Vec<i128> = read.iter().map(|(scale, value)| value * 10_i128.pow(u32::from(6 - scale))).collect();
        if unscaled.windows(2).any(|w| w[0] != w[1]) {
            return Err(format!("one reading: {name} reads {text:?} differently by scale: {read:?}"));
        }
        // The canonical text, grouped in the format, reads back to itself (leading zeros aside).
        let whole_end = canonical.find('.').unwrap_or(canonical.len());
        let trimmed_zeros = canonical[..whole_end].trim_start_matches('0');
        let normal = format!("{}{}", if trimmed_zeros.is_empty() { "0" } else { trimmed_zeros }, &canonical[whole_end..]);
        let shown = format.show_decimal(&normal);
        match format.canonical_text("amount", &shown) {
            Ok(back) if back == normal => {}
            other => return Err(format!("round trip: {name} showed {normal:?} as {shown:?}, which reads as {other:?}")),
        }
        Ok(if read.is_empty() { "read+unscaled".into() } else { format!("read@{}", read.len()) })
    }
}

impl Target for Numbers {
    fn generate(&mut self, rng: &mut Rng) -> Vec<u8> {
        written(rng).into_bytes()
    }

    fn run(&mut self, input: &[u8]) -> Result<String, String> {
        let text = mutate::as_text(input);
        let mut outcome = Vec::with_capacity(4);
        for format in NumberFormat::ALL {
            outcome.push(Self::check_format(format, &text)?);
        }
        Ok(outcome.join(" "))
    }
}

/// Amounts in the canonical form, in currencies of 0, 2, 3 and 4 decimals, and the exact decimals
/// underneath.
pub struct Money {
    currencies: Vec<Currency>,
}

impl Money {
    /// The target, over JPY, EUR, KWD and CLF.
    pub fn new() -> anyhow::Result<Money> {
        let currencies = ["JPY", "EUR", "KWD", "CLF"].iter().map(|code| Currency::from_code(code)).collect::<Result<Vec<_>, _>>()?;
        Ok(Money { currencies })
    }
}

impl Target for Money {
    fn generate(&mut self, rng: &mut Rng) -> Vec<u8> {
        let scale = rng.u8(0..=4);
        let text = match rng.u8(0..3) {
            0 => written(rng),
            _ => format_scaled(value(rng), scale),
        };
        (if rng.u8(0..3) == 0 { mutate::text(rng, &text, 2) } else { text }).into_bytes()
    }

    fn run(&mut self, input: &[u8]) -> Result<String, String> {
        let text = mutate::as_text(input);
        let mut outcome = Vec::new();
        for currency in &self.currencies {
            let code = currency.code();
            let exponent = currency.exponent();
            match currency.parse_amount("amount", &text) {
                Ok(value) => {
                    if !(0..=AMOUNT_MINOR_MAX).contains(&value) {
                        return Err(format!("limits: {code} read {text:?} as {value}"));
                    }
                    if parse_scaled(&text, exponent) != Some(value) {
                        return Err(format!("one reading: {code} read {text:?} as {value}, parse_scaled as {:?}", parse_scaled(&text, exponent)));
                    }
                    let again = currency.format(value);
                    if currency.parse_amount("amount", &again).ok() != Some(value) {
                        return Err(format!("round trip: {code} read {text:?} as {value}, wrote {again:?}"));
                    }
                    let _ = currency.in_words(value);
                    outcome.push("ok".to_string());
                }
                Err(error) => {
                    let canonical_digits = is_canonical(&text) && text.split_once('.').is_none_or(|(_, f)| f.len() <= usize::from(exponent));
                    match &error {
                        DomainError::InvalidAmount { .. } if canonical_digits => {
                            return Err(format!("refusal reason: {code} refused the exact amount {text:?} as malformed: {error}"));
                        }
                        DomainError::InvalidAmount { .. } | DomainError::NegativeAmount { .. } | DomainError::AmountTooLarge { .. } => {}
                        other => return Err(format!("refusal code: {code} refused {text:?} as {} ({other})", other.code())),
                    }
                    outcome.push(error.code().to_string());
                }
            }
        }
        for scale in [0_u8, 2, 4, 18, 40] {
            let narrow = parse_scaled(&text, scale);
            if narrow != parse_scaled_wide(&text, scale).and_then(|v| i64::try_from(v).ok()) {
                return Err(format!("one reading: parse_scaled and parse_scaled_wide disagree on {text:?} at scale {scale}"));
            }
            if let Some(value) = narrow {
                let again = format_scaled(i128::from(value), scale);
                if value < 0 || parse_scaled(&again, scale) != Some(value) {
                    return Err(format!("round trip: parse_scaled read {text:?} as {value} at scale {scale}, wrote {again:?}"));
                }
            }
            outcome.push(if narrow.is_some() { "s".into() } else { "-".into() });
        }
        if is_canonical(&text)
            && text.split_once('.').is_none_or(|(_, fraction)| fraction.len() <= 30)
            && let Err(error) = parse_canonical("amount", &text, 30)
            && !matches!(error, DomainError::AmountTooLarge { .. })
        {
            return Err(format!("refusal reason: parse_canonical refused the exact {text:?} as {error}"));
        }
        Ok(outcome.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_numbers_pass_every_check() {
        let mut numbers = Numbers;
        for text in ["1,234.56", "1.234,56", "1 234,56", "1'234.56", "0", "007", "12,50", "-5", "", "1e5", "٣"] {
            numbers.run(text.as_bytes()).unwrap();
        }
        let mut money = Money::new().unwrap();
        for text in ["12.5", "0.001", "1000000000000000", "99999999999999999", "-1", ".5", "5.", "abc"] {
            money.run(text.as_bytes()).unwrap();
        }
    }

    #[test]
    fn the_oracle_reads_as_people_do() {
        assert_eq!(oracle(NumberFormat::Comma, " 1.234,5 "), "1234.5");
        assert_eq!(oracle(NumberFormat::SpaceComma, "1\u{a0}234,5"), "1234.5");
        assert!(is_canonical("0.5") && !is_canonical(".5") && !is_canonical("5.") && !is_canonical(""));
    }
}

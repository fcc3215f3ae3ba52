//! Mutations every target shares: random bytes, byte-level damage (bit flips, truncations,
//! duplicated chunks) and text-level edits with the characters and tokens that matter to number,
//! date, CSV, TOML and JSON parsers (separators, signs, exponents, unicode digits and spaces,
//! huge values, quotes, line ends). Targets build near-valid inputs from their real formats and
//! hand them here to be bent.

use fastrand::Rng;

/// Characters parsers of people's text treat specially, or should refuse.
pub const CHARS: &[char] = &[
    '0',
    '1',
    '2',
    '5',
    '9',
    '.',
    ',',
    ' ',
    '\u{a0}',
    '\u{202f}',
    '\u{2009}',
    '\'',
    '\u{2019}',
    '-',
    '+',
    'e',
    'E',
    '_',
    ':',
    'h',
    'm',
    '%',
    'x',
    '×',
    '\t',
    '\n',
    '\r',
    '"',
    ';',
    '=',
    '#',
    '[',
    ']',
    '{',
    '}',
    '\0',
    '\u{663}',
    '\u{66b}',
    '\u{ff10}',
    '\u{ff11}',
    '\u{1d7d9}',
    '\u{feff}',
    '\u{200b}',
    '\u{202e}',
    'é',
    '\\',
    '/',
    'T',
    'Z',
    '\u{2212}',
    '\u{ff0c}',
    '\u{ff0e}',
];

/// Tokens worth splicing into any text: limits, overflows, other notations.
pub const TOKENS: &[&str] = &[
    "0",
    "00",
    "-0",
    "0.0",
    "1e5",
    "1E-3",
    "NaN",
    "inf",
    "-1",
    "127",
    "128",
    "255",
    "256",
    "32767",
    "65536",
    "2147483647",
    "2147483648",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551616",
    "1000000000000000",
    "1000000000000001",
    "170141183460469231731687303715884105727",
    "340282366920938463463374607431768211456",
    "999999999999999999999999999999",
    "0.000000000000000000000000000001",
    "1,000",
    "1.000",
    "1 000",
    "1'000",
    "1,234.56",
    "1.234,56",
    "0x10",
    "\u{661}\u{662}\u{663}",
    "\u{ff11}\u{ff12}\u{ff13}",
    "\"\"",
    "\r\n",
    "9999-12-31",
    "-9999-01-01",
    "+10000-01-01",
    "1970-01-01",
    "2025-02-29",
    "2024-02-29",
    "true",
    "[]",
    "{}",
    "null",
];

/// A random length up to `max`, short more often than long.
pub fn length(rng: &mut Rng, max: usize) -> usize {
    let max = max.max(1);
    match rng.u8(0..4) {
        0 => rng.usize(0..=max.min(4)),
        1 | 2 => rng.usize(0..=max.min(16)),
        _ => rng.usize(0..=max),
    }
}

/// Random bytes, up to `max` of them.
pub fn random_bytes(rng: &mut Rng, max: usize) -> Vec<u8> {
    let len = length(rng, max);
    (0..len).map(|_| rng.u8(..)).collect()
}

/// A random character: usually one that matters, sometimes any scalar value.
pub fn char(rng: &mut Rng) -> char {
    if rng.u8(0..4) == 0 { rng.char(..) } else { CHARS[rng.usize(0..CHARS.len())] }
}

/// A run of `count` digits, the first not zero.
pub fn digits(rng: &mut Rng, count: usize) -> String {
    (0..count).map(|i| if i == 0 { rng.char('1'..='9') } else { rng.char('0'..='9') }).collect()
}

/// One to `rounds` text edits of `text`.
pub fn text(rng: &mut Rng, text: &str, rounds: usize) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..rng.usize(1..=rounds.max(1)) {
        edit_chars(rng, &mut chars);
    }
    chars.into_iter().collect()
}

fn edit_chars(rng: &mut Rng, chars: &mut Vec<char>) {
    let at = rng.usize(0..=chars.len());
    match rng.u8(0..12) {
        0 => chars.insert(at, char(rng)),
        1 if !chars.is_empty() => {
            let at = at.min(chars.len() - 1);
            let end = rng.usize(at..=chars.len().min(at + 4));
            chars.drain(at..end);
        }
        2 if !chars.is_empty() => {
            let at = at.min(chars.len() - 1);
            chars[at] = char(rng);
        }
        3 => {
            let token = TOKENS[rng.usize(0..TOKENS.len())];
            chars.splice(at..at, token.chars());
        }
        4 if !chars.is_empty() => {
            let start = rng.usize(0..chars.len());
            let end = rng.usize(start..=chars.len().min(start + 8));
            let piece: Vec<char> = chars[start..end].to_vec();
            let repeat = rng.usize(1..=3);
            for _ in 0..repeat {
                chars.splice(at..at, piece.iter().copied());
            }
        }
        5 => chars.truncate(at),
        6 if chars.len() > 1 => {
            let other = rng.usize(0..chars.len());
            let at = at.min(chars.len() - 1);
            chars.swap(at, other);
        }
        7 => {
            let count = rng.usize(10..=60);
            chars.splice(at..at, digits(rng, count).chars());
        }
        8 => {
            // Change one digit to another: the number stays near valid.
            let places: Vec<usize> = chars.iter().enumerate().filter(|(_, c)| c.is_ascii_digit()).map(|(i, _)| i).collect();
            if let Some(&place) = places.get(rng.usize(0..places.len().max(1))) {
                chars[place] = rng.char('0'..='9');
            }
        }
        9 => {
            // Trade a separator for another one.
            let places: Vec<usize> = chars.iter().enumerate().filter(|(_, c)| !c.is_alphanumeric()).map(|(i, _)| i).collect();
            if let Some(&place) = places.get(rng.usize(0..places.len().max(1))) {
                chars[place] = ['.', ',', ' ', '\u{a0}', '\'', '\u{2019}', ':', '-', '_', '/'][rng.usize(0..10)];
            }
        }
        10 if !chars.is_empty() => {
            let at = at.min(chars.len() - 1);
            chars[at] = if chars[at].is_uppercase() { chars[at].to_ascii_lowercase() } else { chars[at].to_ascii_uppercase() };
        }
        _ => {
            let whitespace = [' ', '\t', '\u{a0}', '\n', '\u{3000}'][rng.usize(0..5)];
            chars.insert(at, whitespace);
        }
    }
}

/// One to `rounds` byte-level edits of `bytes`.
pub fn bytes(rng: &mut Rng, bytes: &[u8], rounds: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..rng.usize(1..=rounds.max(1)) {
        edit_bytes(rng, &mut out);
    }
    out
}

fn edit_bytes(rng: &mut Rng, out: &mut Vec<u8>) {
    let at = rng.usize(0..=out.len());
    match rng.u8(0..9) {
        0 if !out.is_empty() => {
            let at = at.min(out.len() - 1);
            out[at] ^= 1 << rng.u8(0..8);
        }
        1 if !out.is_empty() => {
            let at = at.min(out.len() - 1);
            out[at] = [0x00, 0x01, 0x7f, 0x80, 0x81, 0xfe, 0xff][rng.usize(0..7)];
        }
        2 => out.insert(at, rng.u8(..)),
        3 if !out.is_empty() => {
            let at = at.min(out.len() - 1);
            let end = rng.usize(at..=out.len().min(at + 8));
            out.drain(at..end);
        }
        4 => out.truncate(at),
        5 if !out.is_empty() => {
            let start = rng.usize(0..out.len());
            let end = rng.usize(start..=out.len().min(start + 16));
            let piece = out[start..end].to_vec();
            out.splice(at..at, piece);
        }
        6 if !out.is_empty() => {
            let at = at.min(out.len() - 1);
            out[at] = out[at].wrapping_add(rng.u8(1..=3)).wrapping_sub(if rng.bool() { 0 } else { 4 });
        }
        7 => {
            let token = TOKENS[rng.usize(0..TOKENS.len())];
            out.splice(at..at, token.bytes());
        }
        _ => {
            let count = rng.usize(1..=4);
            let fresh: Vec<u8> = (0..count).map(|_| rng.u8(..)).collect();
            out.splice(at..at, fresh);
        }
    }
}

/// A text or a byte-level mutation of `input`, whichever fits: inputs that are text are mostly
/// edited as text.
pub fn any(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    match std::str::from_utf8(input) {
        Ok(text) if rng.u8(0..4) != 0 => self::text(rng, text, 4).into_bytes(),
        _ => bytes(rng, input, 4),
    }
}

/// The input as text: invalid UTF-8 becomes U+FFFD, as a web form or a file reader would give it.
pub fn as_text(input: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(input)
}

/// Picks one of `items`.
pub fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(0..items.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_stay_within_bounds_and_vary() {
        let mut rng = Rng::with_seed(7);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..2_000 {
            let edited = text(&mut rng, "1,234.56", 3);
            seen.insert(edited);
            let damaged = bytes(&mut rng, &[1, 2, 3, 4], 3);
            assert!(damaged.len() < 200);
            assert!(random_bytes(&mut rng, 16).len() <= 16);
        }
        assert!(seen.len() > 500, "mutations repeat too often: {}", seen.len());
    }
}

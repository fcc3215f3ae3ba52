//! Numbers as people write them. A venture (and an account) has a number format: where the
//! decimal separator goes and what groups the thousands. People's text is read strictly in that
//! format and turned into the one canonical form the API, files and the ledger use (digits, an
//! optional `.`, then digits). Nothing is guessed: text the format does not allow is refused with
//! the readings it could have, in words. The format in force decides: `1,500` is one thousand
//! five hundred where numbers are written `1,234.56`, and refused (as one and a half with too many
//! decimals) in a two-decimal currency where they are written `1.234,56`; the preview of an entry
//! says the amount back in words, so a slip shows before anything is recorded.

use crate::DomainError;

/// Where the decimal separator goes and what groups the thousands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NumberFormat {
    /// `1,234.56` (English and most of Asia).
    #[default]
    Point,
    /// `1.234,56` (German, Spanish, Italian, Dutch, Portuguese, …).
    Comma,
    /// `1 234,56` (French, Nordic, Polish, Czech, …): a space, a no-break space or a narrow
    /// no-break space between groups.
    SpaceComma,
    /// `1'234.56` (Swiss): an apostrophe (straight or typographic) between groups.
    Apostrophe,
}

/// Separators a person may group thousands with in the space format.
const SPACES: [char; 3] = [' ', '\u{a0}', '\u{202f}'];
/// Apostrophes a person may group thousands with in the Swiss format.
const APOSTROPHES: [char; 2] = ['\'', '\u{2019}'];

impl NumberFormat {
    /// Every format, in the order they are offered.
    pub const ALL: [NumberFormat; 4] = [NumberFormat::Point, NumberFormat::Comma, NumberFormat::SpaceComma, NumberFormat::Apostrophe];

    /// The format's name, which is also its example: `1,234.56`, `1.234,56`, `1 234,56` or
    /// `1'234.56`.
    pub fn name(&self) -> &'static str {
        match self {
            NumberFormat::Point => "1,234.56",
            NumberFormat::Comma => "1.234,56",
            NumberFormat::SpaceComma => "1 234,56",
            NumberFormat::Apostrophe => "1'234.56",
        }
    }

    /// Reads a format by its name (`1,234.56`, …) or by a language it is the usual format of
    /// (`en`, `de`, `fr`, `de-CH`, …; see [`NumberFormat::for_locale`]).
    pub fn from_name(text: &str) -> Option<NumberFormat> {
        let trimmed = text.trim();
        NumberFormat::ALL.into_iter().find(|f| f.name() == trimmed).or_else(|| NumberFormat::known_locale(trimmed))
    }

    /// The usual format of a language tag (`en`, `de`, `fr-CA`, `de-CH`); `1,234.56` for any
    /// language not listed.
    pub fn for_locale(locale: &str) -> NumberFormat {
        NumberFormat::known_locale(locale).unwrap_or_default()
    }

    fn known_locale(locale: &str) -> Option<NumberFormat> {
        let lower = locale.trim().to_ascii_lowercase().replace('_', "-");
        if matches!(lower.as_str(), "de-ch" | "fr-ch" | "it-ch" | "rm" | "rm-ch" | "de-li") {
            return Some(NumberFormat::Apostrophe);
        }
        let language = lower.split('-').next().unwrap_or("");
        match language {
            "en" | "ja" | "zh" | "ko" | "he" | "th" | "ms" | "hi" | "ga" => Some(NumberFormat::Point),
            "de" | "es" | "it" | "nl" | "pt" | "da" | "id" | "tr" | "el" | "ro" | "hr" | "sl" | "sr" => Some(NumberFormat::Comma),
            "fr" | "sv" | "nb" | "nn" | "no" | "fi" | "pl" | "cs" | "sk" | "ru" | "uk" | "hu" | "bg" | "et" | "lv" | "lt" => Some(NumberFormat::SpaceComma),
            _ => None,
        }
    }

    /// The decimal separator.
    pub fn decimal_separator(&self) -> char {
        match self {
            NumberFormat::Point | NumberFormat::Apostrophe => '.',
            NumberFormat::Comma | NumberFormat::SpaceComma => ',',
        }
    }

    /// The separator written between groups of thousands.
    pub fn group_separator(&self) -> char {
        match self {
            NumberFormat::Point => ',',
            NumberFormat::Comma => '.',
            NumberFormat::SpaceComma => '\u{a0}',
            NumberFormat::Apostrophe => '\'',
        }
    }

    fn is_group(&self, c: char) -> bool {
        match self {
            NumberFormat::Point => c == ',',
            NumberFormat::Comma => c == '.',
            NumberFormat::SpaceComma => SPACES.contains(&c),
            NumberFormat::Apostrophe => APOSTROPHES.contains(&c),
        }
    }

    /// Reads a number written in this format into canonical text (`1234.56`: no grouping, `.`
    /// before the decimals, the decimals as typed). A leading `-` is refused as negative; anything
    /// the format does not allow is refused with how to write what was probably meant.
    pub fn canonical_text(&self, field: &'static str, text: &str) -> Result<String, DomainError> {
        let trimmed = text.trim();
        if trimmed.starts_with('-') {
            return Err(DomainError::NegativeAmount { field });
        }
        let refuse = |hint: String| DomainError::InvalidAmount { field, text: trimmed.to_string(), hint };
        if trimmed.is_empty() {
            return Err(refuse(format!("is empty: write a number such as {}", self.example())));
        }
        self.read(trimmed).ok_or_else(|| refuse(self.misread_hint(trimmed)))
    }

    /// Reads a number written in this format, scaled by 10^scale (more decimals than `scale` are
    /// refused).
    pub fn parse(&self, field: &'static str, text: &str, scale: u8) -> Result<i128, DomainError> {
        parse_canonical(field, &self.canonical_text(field, text)?, scale)
    }

    /// The strict reading: `None` when the text is not a number in this format.
    fn read(&self, text: &str) -> Option<String> {
        let decimal = self.decimal_separator();
        let (whole, fraction) = match text.split_once(decimal) {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (text, None),
        };
        if let Some(fraction) = fraction
            && (fraction.is_empty() || !fraction.chars().all(|c| c.is_ascii_digit()))
        {
            return None;
        }
        let digits = self.ungroup(whole)?;
        Some(match fraction {
            Some(fraction) => format!("{digits}.{fraction}"),
            None => digits,
        })
    }

    /// The digits of a whole part, either plain or grouped by threes with this format's
    /// separator (the first group 1 to 3 digits and not starting with 0).
    fn ungroup(&self, whole: &str) -> Option<String> {
        if whole.is_empty() {
            return None;
        }
        if whole.chars().all(|c| c.is_ascii_digit()) {
            return Some(whole.to_string());
        }
        let groups: Vec<&str> = whole.split(|c: char| self.is_group(c)).collect();
        let (first, rest) = groups.split_first()?;
        let digits_only = |g: &str| !g.is_empty() && g.chars().all(|c| c.is_ascii_digit());
        if !digits_only(first) || first.len() > 3 || first.starts_with('0') || rest.iter().any(|g| g.len() != 3 || !digits_only(g)) {
            return None;
        }
        Some(groups.concat())
    }

    /// How to write text this format refused, with the readings it could have had.
    fn misread_hint(&self, text: &str) -> String {
        let readings = readings(text);
        if readings.is_empty() {
            return format!(
                "is not a number as written here ({}): use digits, {} between thousands and {} before the decimals",
                self.name(),
                self.group_word(),
                self.decimal_word()
            );
        }
        let shown: Vec<String> = readings.iter().map(|r| format!("{} for {}", self.show_decimal(r), words_of_decimal(r))).collect();
        format!("is not how numbers are written here ({}): write {}", self.name(), shown.join(", or "))
    }

    /// A canonical decimal in this format, grouped.
    pub fn show_decimal(&self, canonical: &str) -> String {
        let (whole, fraction) = canonical.split_once('.').unwrap_or((canonical, ""));
        let mut text = group_digits(whole, self.group_separator());
        if !fraction.is_empty() {
            text.push(self.decimal_separator());
            text.push_str(fraction);
        }
        text
    }

    /// Formats an integer scaled by 10^scale in this format, grouped (`-1,234.50`).
    pub fn format(&self, value: i128, scale: u8) -> String {
        let canonical = crate::decimal::format_scaled(value, scale);
        match canonical.strip_prefix('-') {
            Some(magnitude) => format!("-{}", self.show_decimal(magnitude)),
            None => self.show_decimal(&canonical),
        }
    }

    fn example(&self) -> String {
        self.show_decimal("1234.56")
    }

    fn group_word(&self) -> &'static str {
        match self {
            NumberFormat::Point => "a comma",
            NumberFormat::Comma => "a point",
            NumberFormat::SpaceComma => "a space",
            NumberFormat::Apostrophe => "an apostrophe",
        }
    }

    fn decimal_word(&self) -> &'static str {
        match self.decimal_separator() {
            '.' => "a point",
            _ => "a comma",
        }
    }

    /// Reads a quantity of hours or units typed in this format into the canonical text
    /// [`crate::input::parse_minutes`] and [`crate::input::parse_units`] take: the number part is
    /// read like an amount; `1:30` (hours and minutes) is the same in every format.
    pub fn canonical_quantity(&self, field: &'static str, text: &str) -> Result<String, DomainError> {
        let trimmed = text.trim();
        if trimmed.contains(':') {
            return Ok(trimmed.to_string());
        }
        for suffix in ['h', 'm'] {
            if let Some(number) = trimmed.strip_suffix(suffix) {
                return Ok(format!("{}{suffix}", self.canonical_text(field, number)?));
            }
        }
        self.canonical_text(field, trimmed)
    }
}

/// The canonical decimals a refused text could have meant: its last `.` or `,` as the decimal
/// separator, and every separator as grouping. Empty when it holds anything but digits and
/// separators.
fn readings(text: &str) -> Vec<String> {
    let separator = |c: char| matches!(c, '.' | ',' | '_' | '\'' | '\u{2019}') || SPACES.contains(&c);
    if !text.chars().all(|c| c.is_ascii_digit() || separator(c)) || !text.chars().any(|c| c.is_ascii_digit()) {
        return Vec::new();
    }
    let strip = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let mut found = Vec::new();
    if let Some(at) = text.rfind(['.', ',']) {
        let (whole, fraction) = (strip(&text[..at]), &text[at + 1..]);
        if !fraction.is_empty() && fraction.chars().all(|c| c.is_ascii_digit()) {
            let whole = if whole.is_empty() { "0".to_string() } else { trim_leading_zeros(&whole) };
            found.push(format!("{whole}.{fraction}"));
        }
    }
    let all = trim_leading_zeros(&strip(text));
    if !all.is_empty() && !found.contains(&all) {
        found.push(all);
    }
    found
}

fn trim_leading_zeros(digits: &str) -> String {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() && !digits.is_empty() { "0".to_string() } else { trimmed.to_string() }
}

/// `12.50` → `12.5`, `12.0` → `12`.
fn trim_fraction(canonical: &str) -> String {
    match canonical.split_once('.') {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            if fraction.is_empty() { whole.to_string() } else { format!("{whole}.{fraction}") }
        }
        None => canonical.to_string(),
    }
}

fn group_digits(digits: &str, separator: char) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

/// The most digits before the point that [`parse_canonical`] reads (leading zeros aside); more is
/// too large, as is any value that does not fit at the scale asked for.
const WHOLE_DIGITS_MAX: usize = 30;

/// Reads the canonical form only: digits, then optionally a `.` and 1 to `scale` digits. Returns
/// the value scaled by 10^scale. This is what the JSON API, files and every stored setting take.
pub fn parse_canonical(field: &'static str, text: &str, scale: u8) -> Result<i128, DomainError> {
    if text.starts_with('-') {
        return Err(DomainError::NegativeAmount { field });
    }
    let refuse = |hint: String| DomainError::InvalidAmount { field, text: text.to_string(), hint };
    let form = || {
        if scale == 0 {
            "is not an exact amount: write whole digits only, such as 1234".to_string()
        } else {
            format!(
                "is not an exact amount: write digits, then optionally a point and at most {scale} decimals, such as 1234.{}",
                "5".repeat(usize::from(scale))
            )
        }
    };
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
        return Err(refuse(form()));
    }
    let fraction = fraction.unwrap_or("");
    if fraction.len() > usize::from(scale) {
        return Err(refuse(if scale == 0 {
            "has decimals, but this takes whole numbers only".to_string()
        } else {
            format!("has more than the {scale} decimals this takes")
        }));
    }
    // Well formed from here on: a number that does not fit is too large, not malformed.
    let too_large = || DomainError::AmountTooLarge { field, limit: format!("{WHOLE_DIGITS_MAX} digits before the point") };
    let significant = match whole.trim_start_matches('0') {
        "" => "0",
        digits => digits,
    };
    if significant.len() > WHOLE_DIGITS_MAX {
        return Err(too_large());
    }
    crate::decimal::parse_scaled_wide(&format!("{significant}.{fraction}"), scale).ok_or_else(too_large)
}

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const SCALES: [&str; 7] = ["", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion"];

/// A whole number in English words (`1234` → "one thousand two hundred thirty-four").
pub fn words_of_integer(value: u128) -> String {
    if value == 0 {
        return ONES[0].to_string();
    }
    let below_thousand = |n: u128| -> String {
        let mut parts = Vec::new();
        let hundreds = n / 100;
        let rest = n % 100;
        if hundreds > 0 {
            parts.push(format!("{} hundred", ONES[usize::try_from(hundreds).unwrap_or(0)]));
        }
        if rest > 0 {
            let rest = usize::try_from(rest).unwrap_or(0);
            parts.push(match rest {
                0..20 => ONES[rest].to_string(),
                _ if rest % 10 == 0 => TENS[rest / 10].to_string(),
                _ => format!("{}-{}", TENS[rest / 10], ONES[rest % 10]),
            });
        }
        parts.join(" ")
    };
    let mut groups = Vec::new();
    let mut rest = value;
    while rest > 0 {
        groups.push(rest % 1000);
        rest /= 1000;
    }
    if groups.len() > SCALES.len() {
        return value.to_string();
    }
    let mut parts = Vec::new();
    for (index, group) in groups.iter().enumerate().rev() {
        if *group == 0 {
            continue;
        }
        let scale = SCALES.get(index).copied().unwrap_or("");
        parts.push(if scale.is_empty() { below_thousand(*group) } else { format!("{} {scale}", below_thousand(*group)) });
    }
    parts.join(" ")
}

/// A canonical decimal in English words: `12.5` → "twelve and a half", `12.25` → "twelve and a
/// quarter", `3.14` → "three point one four".
pub fn words_of_decimal(canonical: &str) -> String {
    let trimmed = trim_fraction(canonical);
    let (whole, fraction) = trimmed.split_once('.').unwrap_or((&trimmed, ""));
    let whole_words = match whole.parse::<u128>() {
        Ok(value) => words_of_integer(value),
        Err(_) => whole.to_string(),
    };
    match fraction {
        "" => whole_words,
        "5" if whole == "0" => "one half".to_string(),
        "5" => format!("{whole_words} and a half"),
        "25" => format!("{whole_words} and a quarter"),
        "75" => format!("{whole_words} and three quarters"),
        digits => {
            let spoken: Vec<&str> = digits.chars().filter_map(|c| c.to_digit(10)).filter_map(|d| ONES.get(usize::try_from(d).unwrap_or(0)).copied()).collect();
            format!("{whole_words} point {}", spoken.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read(format: NumberFormat, text: &str) -> Result<String, String> {
        format.canonical_text("amount", text).map_err(|e| e.to_string())
    }

    #[test]
    fn each_format_reads_its_own_writing() {
        let cases = [
            (NumberFormat::Point, "1,234.56", "1234.56"),
            (NumberFormat::Point, "1234.56", "1234.56"),
            (NumberFormat::Point, "12.5", "12.5"),
            (NumberFormat::Point, "1,234,567", "1234567"),
            (NumberFormat::Point, " 7 ", "7"),
            (NumberFormat::Comma, "1.234,56", "1234.56"),
            (NumberFormat::Comma, "12,5", "12.5"),
            (NumberFormat::Comma, "1.234.567,8", "1234567.8"),
            (NumberFormat::SpaceComma, "1 234,56", "1234.56"),
            (NumberFormat::SpaceComma, "1\u{a0}234\u{202f}567,5", "1234567.5"),
            (NumberFormat::Apostrophe, "1'234.56", "1234.56"),
            (NumberFormat::Apostrophe, "1\u{2019}234", "1234"),
        ];
        for (format, text, canonical) in cases {
            assert_eq!(read(format, text).unwrap(), canonical, "{text} in {}", format.name());
        }
    }

    #[test]
    fn what_a_format_does_not_allow_is_refused_with_readings() {
        // The defects this module exists for: a comma read as grouping anywhere in the text.
        let message = read(NumberFormat::Point, "12,50").unwrap_err();
        assert!(message.contains("12.50 for twelve and a half"), "{message}");
        assert!(message.contains("1,250 for one thousand two hundred fifty"), "{message}");
        for text in ["1,5", "1_0", "1,2,3", "12,5,0", "1.234,56", "1,23", "1,2345", "0,5", "12.", ".5", "+5", "1e5", "five", "1 234"] {
            assert!(read(NumberFormat::Point, text).is_err(), "{text} must be refused");
        }
        for text in ["12.50", "1,5.5", "1.2.3", "1 234,5"] {
            assert!(read(NumberFormat::Comma, text).is_err(), "{text} must be refused in 1.234,56");
        }
        let message = read(NumberFormat::Comma, "12.50").unwrap_err();
        assert!(message.contains("12,50 for twelve and a half"), "{message}");
        assert!(matches!(NumberFormat::Point.canonical_text("amount", "-3"), Err(DomainError::NegativeAmount { .. })));
    }

    #[test]
    fn the_format_in_force_decides() {
        assert_eq!(read(NumberFormat::Point, "1,500").unwrap(), "1500");
        assert_eq!(read(NumberFormat::Comma, "1,500").unwrap(), "1.500");
        assert!(NumberFormat::Comma.parse("amount", "1,500", 2).is_err(), "three decimals in a two-decimal currency");
        assert_eq!(NumberFormat::Comma.parse("amount", "1.500", 2).unwrap(), 150_000);
    }

    #[test]
    fn quantities_keep_their_units() {
        assert_eq!(NumberFormat::Comma.canonical_quantity("hours", "1,5").unwrap(), "1.5");
        assert_eq!(NumberFormat::Comma.canonical_quantity("hours", "1,5h").unwrap(), "1.5h");
        assert_eq!(NumberFormat::Comma.canonical_quantity("hours", "1:30").unwrap(), "1:30");
        assert_eq!(NumberFormat::Point.canonical_quantity("hours", "90m").unwrap(), "90m");
        assert!(NumberFormat::Point.canonical_quantity("hours", "1,5").is_err());
    }

    #[test]
    fn the_canonical_form_is_strict() {
        assert_eq!(parse_canonical("amount", "12.5", 2).unwrap(), 1250);
        assert_eq!(parse_canonical("amount", "007", 0).unwrap(), 7);
        for text in ["12,50", "1,234.56", "1_0", ".5", "5.", "+5", " 5", "5 ", "1.234", "", "1e3", "0x10"] {
            assert!(parse_canonical("amount", text, 2).is_err(), "{text}");
        }
        assert!(matches!(parse_canonical("amount", "-1", 2), Err(DomainError::NegativeAmount { .. })));
        assert!(parse_canonical("amount", "1.5", 0).unwrap_err().to_string().contains("whole numbers"));
        assert!(parse_canonical("amount", "1.555", 2).unwrap_err().to_string().contains("more than the 2 decimals"));
    }

    #[test]
    fn well_formed_numbers_that_do_not_fit_are_too_large_not_malformed() {
        // Found by the fuzzer: 31 digits, or 9 digits at 30 decimals, were refused as "not an
        // exact amount: write digits …", which they are.
        for (text, scale) in [("8919852592462403196582175150123", 0), ("355029755", 30), ("2", 38)] {
            let refused = parse_canonical("amount", text, scale).unwrap_err();
            assert!(matches!(refused, DomainError::AmountTooLarge { .. }), "{text} at scale {scale}: {refused}");
        }
        let grouped = NumberFormat::Point.parse("amount", "8,919,852,592,462,403,196,582,175,150,123", 0).unwrap_err();
        assert!(matches!(grouped, DomainError::AmountTooLarge { .. }), "{grouped}");
        // Leading zeros are no digits of the value.
        assert_eq!(parse_canonical("amount", "0000000000000000000000000000000007", 0).unwrap(), 7);
        assert_eq!(parse_canonical("amount", "000", 2).unwrap(), 0);
    }

    #[test]
    fn words() {
        assert_eq!(words_of_integer(0), "zero");
        assert_eq!(words_of_integer(15), "fifteen");
        assert_eq!(words_of_integer(40), "forty");
        assert_eq!(words_of_integer(1_234), "one thousand two hundred thirty-four");
        assert_eq!(words_of_integer(2_000_017), "two million seventeen");
        assert_eq!(words_of_decimal("12.50"), "twelve and a half");
        assert_eq!(words_of_decimal("3.14"), "three point one four");
        assert_eq!(words_of_decimal("0.5"), "one half");
    }

    #[test]
    fn locales_have_formats() {
        assert_eq!(NumberFormat::for_locale("en"), NumberFormat::Point);
        assert_eq!(NumberFormat::for_locale("de"), NumberFormat::Comma);
        assert_eq!(NumberFormat::for_locale("fr-FR"), NumberFormat::SpaceComma);
        assert_eq!(NumberFormat::for_locale("de-CH"), NumberFormat::Apostrophe);
        assert_eq!(NumberFormat::for_locale("xx"), NumberFormat::Point);
        for format in NumberFormat::ALL {
            assert_eq!(NumberFormat::from_name(format.name()), Some(format));
        }
        assert_eq!(NumberFormat::from_name("es"), Some(NumberFormat::Comma));
        assert_eq!(NumberFormat::from_name("1.234.56"), None);
    }

    proptest! {
        /// Every value written in every format, at every currency exponent, reads back to itself.
        #[test]
        fn formatting_round_trips(value in 0_i64..=crate::money::AMOUNT_MINOR_MAX, scale in 0_u8..=3, index in 0_usize..4) {
            let format = NumberFormat::ALL[index];
            let text = format.format(i128::from(value), scale);
            let canonical = format.canonical_text("amount", &text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            prop_assert_eq!(parse_canonical("amount", &canonical, scale).map_err(|e| TestCaseError::fail(e.to_string()))?, i128::from(value));
        }

        /// A format reads a text one way only: the value is the one an independent reading gives
        /// (drop the group separators, take the decimal separator as the point), and it does not
        /// depend on the scale it is read at.
        #[test]
        fn one_reading_per_format(text in "[0-9.,' \u{a0}\u{2019}]{1,12}", index in 0_usize..4) {
            let format = NumberFormat::ALL[index];
            let oracle: String = text.trim().chars().filter(|c| !format.is_group(*c)).map(|c| if c == format.decimal_separator() { '.' } else { c }).collect();
            let read: Vec<(u8, i128)> = (0..=6).filter_map(|scale| format.parse("amount", &text, scale).ok().map(|v| (scale, v))).collect();
            for (scale, value) in &read {
                prop_assert_eq!(Some(*value), crate::money::parse_scaled_wide(&oracle, *scale), "{:?} at scale {}", text, scale);
            }
            let unscaled: Vec<i128> = read.iter().map(|(scale, value)| value * 10_i128.pow(u32::from(6 - scale))).collect();
            prop_assert!(unscaled.windows(2).all(|w| w[0] == w[1]), "{:?} reads as {:?}", text, read);
        }

        /// Whatever is typed, reading it never panics, and what it accepts is canonical.
        #[test]
        fn reading_anything_is_safe(text in "\\PC{0,16}", index in 0_usize..4) {
            if let Ok(canonical) = NumberFormat::ALL[index].canonical_text("amount", &text) {
                prop_assert!(parse_canonical("amount", &canonical, 30).is_ok(), "{:?} gave {:?}", text, canonical);
            }
        }
    }
}

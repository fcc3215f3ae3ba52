//! Money: integer minor units in a venture's base currency, exact decimal parsing and formatting,
//! explicit rounding, and the limits on every amount.

use crate::DomainError;
pub use crate::decimal::{format_scaled, parse_scaled, parse_scaled_wide};

/// The largest amount, in minor units, that any single input may carry: 10^15 minor units (ten
/// trillion in a two-decimal currency). Products of two limits still fit in `i128`, so every
/// intermediate value is representable before the final checked narrowing to `i64`.
pub const AMOUNT_MINOR_MAX: i64 = 1_000_000_000_000_000;

/// An ISO 4217 currency: its code and the number of digits of its minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
    /// Decimals of a slice in the venture this currency belongs to (the currency's own unless a
    /// venture says otherwise: see `edition::Edition::slice_scale`).
    slice_scale: u8,
}

/// Active ISO 4217 codes whose minor unit is not two digits.
const EXPONENT_EXCEPTIONS: &[(&str, u8)] = &[
    ("BHD", 3),
    ("BIF", 0),
    ("CLF", 4),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("PYG", 0),
    ("RWF", 0),
    ("TND", 3),
    ("UGX", 0),
    ("UYI", 0),
    ("UYW", 4),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
];

/// Active ISO 4217 codes with a two-digit minor unit.
const TWO_DIGIT_CODES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB \
BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN \
ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW \
KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN \
NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD \
SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VES VED WST XCD XCG YER \
ZAR ZMW ZWG";

impl Currency {
    /// Looks up an ISO 4217 code (case-insensitive).
    pub fn from_code(code: &str) -> Result<Currency, DomainError> {
        let upper = code.trim().to_ascii_uppercase();
        let bytes: [u8; 3] = upper.as_bytes().try_into().map_err(|_| DomainError::UnknownCurrency(code.to_string()))?;
        if let Some((_, exponent)) = EXPONENT_EXCEPTIONS.iter().find(|(c, _)| *c == upper) {
            return Ok(Currency { code: bytes, exponent: *exponent, slice_scale: *exponent });
        }
        if TWO_DIGIT_CODES.split_whitespace().any(|c| c == upper) {
            return Ok(Currency { code: bytes, exponent: 2, slice_scale: 2 });
        }
        Err(DomainError::UnknownCurrency(code.to_string()))
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // The bytes come from a validated ASCII code.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    /// Digits of the minor unit (2 for EUR, 0 for JPY, 3 for KWD).
    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    /// Minor units in one major unit (100 for EUR).
    pub fn minor_per_major(&self) -> i64 {
        10_i64.pow(u32::from(self.exponent))
    }

    /// Parses an amount in the canonical form (`1234.5`: digits, then optionally a point and at
    /// most the currency's decimals) into minor units. Refuses grouping, signs, more decimals than
    /// the currency has, and anything over [`AMOUNT_MINOR_MAX`]. People's text in a number format
    /// is turned into this form first ([`crate::numbers::NumberFormat::canonical_text`]).
    pub fn parse_amount(&self, field: &'static str, text: &str) -> Result<i64, DomainError> {
        let too_large = || DomainError::AmountTooLarge { field, limit: AMOUNT_MINOR_MAX.to_string() + " minor units" };
        let value = crate::numbers::parse_canonical(field, text, self.exponent).map_err(|error| match error {
            DomainError::AmountTooLarge { .. } => too_large(),
            other => other,
        })?;
        if value > i128::from(AMOUNT_MINOR_MAX) {
            return Err(too_large());
        }
        check_amount(field, narrow(value, field)?)
    }

    /// Formats minor units as an exact decimal string (`-12.50`), the form used in every export.
    pub fn format(&self, amount_minor: i64) -> String {
        format_scaled(i128::from(amount_minor), self.exponent)
    }

    /// The same currency in a venture whose slices have `scale` decimals (never fewer than the
    /// currency's own).
    pub fn with_slice_scale(self, scale: u8) -> Currency {
        Currency { slice_scale: scale.max(self.exponent), ..self }
    }

    /// Decimals of a slice.
    pub fn slice_scale(&self) -> u8 {
        self.slice_scale
    }

    /// Formats slice units as an exact decimal string, with the slice's decimals.
    pub fn format_slices(&self, slices_units: i64) -> String {
        format_scaled(i128::from(slices_units), self.slice_scale)
    }
}

/// Names of the units of well-known currencies: (code, major one, major many, minor one, minor
/// many). Others are said with their code.
const UNIT_NAMES: &[(&str, &str, &str, &str, &str)] = &[
    ("AUD", "Australian dollar", "Australian dollars", "cent", "cents"),
    ("BHD", "Bahraini dinar", "Bahraini dinars", "fils", "fils"),
    ("BRL", "real", "reais", "centavo", "centavos"),
    ("CAD", "Canadian dollar", "Canadian dollars", "cent", "cents"),
    ("CHF", "Swiss franc", "Swiss francs", "centime", "centimes"),
    ("CNY", "yuan", "yuan", "fen", "fen"),
    ("CZK", "koruna", "korunas", "haléř", "haléřů"),
    ("DKK", "Danish krone", "Danish kroner", "øre", "øre"),
    ("EUR", "euro", "euros", "cent", "cents"),
    ("GBP", "pound", "pounds", "penny", "pence"),
    ("HKD", "Hong Kong dollar", "Hong Kong dollars", "cent", "cents"),
    ("INR", "rupee", "rupees", "paisa", "paise"),
    ("JPY", "yen", "yen", "", ""),
    ("KRW", "won", "won", "", ""),
    ("KWD", "Kuwaiti dinar", "Kuwaiti dinars", "fils", "fils"),
    ("MXN", "Mexican peso", "Mexican pesos", "centavo", "centavos"),
    ("NOK", "Norwegian krone", "Norwegian kroner", "øre", "øre"),
    ("NZD", "New Zealand dollar", "New Zealand dollars", "cent", "cents"),
    ("PLN", "złoty", "złoty", "grosz", "groszy"),
    ("SEK", "Swedish krona", "Swedish kronor", "öre", "öre"),
    ("SGD", "Singapore dollar", "Singapore dollars", "cent", "cents"),
    ("USD", "dollar", "dollars", "cent", "cents"),
    ("ZAR", "rand", "rand", "cent", "cents"),
];

impl Currency {
    /// An amount in English words of the currency, as a cheque spells it: "twelve euros and
    /// fifty cents", "one thousand yen", "three KES and 5/100".
    pub fn in_words(&self, amount_minor: i64) -> String {
        let negative = amount_minor < 0;
        let magnitude = amount_minor.unsigned_abs();
        let per_major = self.minor_per_major().unsigned_abs();
        let (major, minor) = (magnitude / per_major, magnitude % per_major);
        let words = crate::numbers::words_of_integer;
        let text = match UNIT_NAMES.iter().find(|(code, ..)| *code == self.code()) {
            Some((_, one, many, minor_one, minor_many)) => {
                let major_text = format!("{} {}", words(u128::from(major)), if major == 1 { one } else { many });
                if minor == 0 || minor_one.is_empty() {
                    major_text
                } else if major == 0 {
                    format!("{} {}", words(u128::from(minor)), if minor == 1 { minor_one } else { minor_many })
                } else {
                    format!("{major_text} and {} {}", words(u128::from(minor)), if minor == 1 { minor_one } else { minor_many })
                }
            }
            None if minor == 0 => format!("{} {}", words(u128::from(major)), self.code()),
            None => format!("{} {} and {minor}/{per_major}", words(u128::from(major)), self.code()),
        };
        if negative { format!("minus {text}") } else { text }
    }
}

/// Refuses amounts above [`AMOUNT_MINOR_MAX`] or below zero.
pub fn check_amount(field: &'static str, value: i64) -> Result<i64, DomainError> {
    if value < 0 {
        return Err(DomainError::NegativeAmount { field });
    }
    if value > AMOUNT_MINOR_MAX {
        return Err(DomainError::AmountTooLarge { field, limit: AMOUNT_MINOR_MAX.to_string() + " minor units" });
    }
    Ok(value)
}

/// How a division that does not come out even is rounded to the minor unit. Every valuation
/// records the rule it used, so any figure can be recomputed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// Halves away from zero (0.5 → 1, −0.5 → −1).
    HalfUp,
    /// Halves to the even neighbour (0.5 → 0, 1.5 → 2): no drift over many entries.
    HalfEven,
    /// Toward zero: never more than the exact value.
    Down,
}

impl Rounding {
    /// The name used in policy files.
    pub fn name(&self) -> &'static str {
        match self {
            Rounding::HalfUp => "half-up",
            Rounding::HalfEven => "half-even",
            Rounding::Down => "down",
        }
    }

    /// Parses a policy-file name.
    pub fn from_name(name: &str) -> Option<Rounding> {
        match name {
            "half-up" => Some(Rounding::HalfUp),
            "half-even" => Some(Rounding::HalfEven),
            "down" => Some(Rounding::Down),
            _ => None,
        }
    }

    /// Divides `numerator` by a positive `denominator`, rounding by this rule.
    pub fn divide(&self, numerator: i128, denominator: i128) -> Result<i128, DomainError> {
        if denominator <= 0 {
            return Err(DomainError::Overflow("a division by a non-positive number"));
        }
        let quotient = numerator.div_euclid(denominator);
        let remainder = numerator.rem_euclid(denominator);
        if remainder == 0 {
            return Ok(quotient);
        }
        // `quotient` is the floor; decide whether to step up to the ceiling.
        let twice = remainder.checked_mul(2).ok_or(DomainError::Overflow("rounding"))?;
        let step_up = match self {
            Rounding::Down => numerator < 0,
            Rounding::HalfUp => twice > denominator || (twice == denominator && numerator > 0),
            Rounding::HalfEven => twice > denominator || (twice == denominator && quotient % 2 != 0),
        };
        Ok(if step_up { quotient + 1 } else { quotient })
    }
}

/// Narrows an `i128` intermediate to `i64`, refusing overflow.
pub fn narrow(value: i128, what: &'static str) -> Result<i64, DomainError> {
    i64::try_from(value).map_err(|_| DomainError::Overflow(what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_exponents() {
        assert_eq!(Currency::from_code("eur").unwrap().exponent(), 2);
        assert_eq!(Currency::from_code("JPY").unwrap().exponent(), 0);
        assert_eq!(Currency::from_code("KWD").unwrap().exponent(), 3);
        assert!(Currency::from_code("XYZ").is_err());
        assert!(Currency::from_code("EURO").is_err());
    }

    #[test]
    fn parse_and_format() {
        let eur = Currency::from_code("EUR").unwrap();
        assert_eq!(eur.parse_amount("a", "12.5").unwrap(), 1250);
        // Only the canonical form: no grouping, no bare point, no sign.
        for text in ["1,234.56", "12,50", "1,5", "1_0", "1,2,3", ".5", "+5", " 5"] {
            assert!(matches!(eur.parse_amount("a", text), Err(DomainError::InvalidAmount { .. })), "{text}");
        }
        assert!(eur.parse_amount("a", "1.234").is_err());
        assert!(matches!(eur.parse_amount("a", "-1"), Err(DomainError::NegativeAmount { .. })));
        assert!(eur.parse_amount("a", "1e5").is_err());
        assert!(eur.parse_amount("a", "").is_err());
        assert!(matches!(eur.parse_amount("a", "99999999999999999"), Err(DomainError::AmountTooLarge { .. })));
        // Found by the fuzzer: past 30 digits an exact amount was refused as malformed.
        let huge = eur.parse_amount("a", "8919852592462403196582175150123").unwrap_err();
        assert_eq!(huge, DomainError::AmountTooLarge { field: "a", limit: "1000000000000000 minor units".into() });
        assert_eq!(eur.format(-1250), "-12.50");
        assert_eq!(eur.format(5), "0.05");
        let jpy = Currency::from_code("JPY").unwrap();
        assert_eq!(jpy.format(500), "500");
        assert!(jpy.parse_amount("a", "1.5").is_err());
        for (value, scale, text) in [
            (0, 2, "0.00"),
            (-5, 3, "-0.005"),
            (100, 2, "1.00"),
            (1_000_000_007, 2, "10000000.07"),
            (0, 0, "0"),
            (i128::from(i64::MIN), 2, "-92233720368547758.08"),
            (i128::MAX, 0, "170141183460469231731687303715884105727"),
        ] {
            assert_eq!(format_scaled(value, scale), text);
            // Every formatted amount reads back to the same value.
            if value >= 0 && value <= i128::from(i64::MAX) {
                assert_eq!(parse_scaled_wide(text, scale), Some(value), "{text}");
            }
        }
    }

    #[test]
    fn amounts_in_words() {
        let code = |c: &str| Currency::from_code(c).unwrap();
        assert_eq!(code("EUR").in_words(1250), "twelve euros and fifty cents");
        assert_eq!(code("EUR").in_words(125_000), "one thousand two hundred fifty euros");
        assert_eq!(code("EUR").in_words(101), "one euro and one cent");
        assert_eq!(code("EUR").in_words(5), "five cents");
        assert_eq!(code("GBP").in_words(1), "one penny");
        assert_eq!(code("JPY").in_words(1500), "one thousand five hundred yen");
        assert_eq!(code("KWD").in_words(1_234), "one Kuwaiti dinar and two hundred thirty-four fils");
        assert_eq!(code("KES").in_words(305), "three KES and 5/100");
        assert_eq!(code("EUR").in_words(0), "zero euros");
    }

    #[test]
    fn rounding_rules() {
        let cases = [
            (5, 2, Rounding::HalfUp, 3),
            (5, 2, Rounding::HalfEven, 2),
            (7, 2, Rounding::HalfEven, 4),
            (-5, 2, Rounding::HalfUp, -3),
            (-5, 2, Rounding::HalfEven, -2),
            (5, 2, Rounding::Down, 2),
            (-5, 2, Rounding::Down, -2),
            (10, 3, Rounding::HalfUp, 3),
            (11, 3, Rounding::HalfUp, 4),
            (6, 3, Rounding::Down, 2),
        ];
        for (n, d, rule, expected) in cases {
            assert_eq!(rule.divide(n, d).unwrap(), expected, "{n}/{d} {rule:?}");
        }
    }
}

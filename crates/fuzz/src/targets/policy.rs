//! The policy as TOML (`peerstake_app::policy_file::parse`), in currencies of 0, 2 and 3
//! decimals: stored forms of the presets, bent; every setting's key with values of the right type
//! and of wrong ones (numbers as strings, huge integers, arrays, tables, dates). A policy that reads
//! validates, and written back with `to_toml` reads as the same policy.

use fastrand::Rng;
use peerstake_app::policy_file::{parse, to_toml};
use peerstake_core::money::Currency;
use peerstake_core::policy::Policy;

use crate::mutate;
use crate::runner::Target;
use crate::targets::{outcome_of, refuse_fault};

/// The shape of a setting's value.
#[derive(Clone, Copy)]
enum Shape {
    /// A decimal in a string: an amount, a percentage, a multiplier.
    Decimal,
    /// A word in a string.
    Word,
    /// A whole number.
    Count,
    /// `true` or `false`.
    Flag,
    /// A list of kinds.
    Kinds,
}

/// Every setting a policy file may hold, with the shape of its value.
const KEYS: &[(&str, Shape)] = &[
    ("preset", Shape::Word),
    ("multiplier_cash", Shape::Decimal),
    ("multiplier_non_cash", Shape::Decimal),
    ("rounding", Shape::Word),
    ("time_valuation", Shape::Word),
    ("time_flat_rate", Shape::Decimal),
    ("hours_per_year", Shape::Count),
    ("hours_per_year_per_member", Shape::Flag),
    ("royalty_rate_percent", Shape::Decimal),
    ("commission_rate_percent", Shape::Decimal),
    ("finders_fee_first_rate_percent", Shape::Decimal),
    ("finders_fee_first_tier", Shape::Decimal),
    ("finders_fee_rest_rate_percent", Shape::Decimal),
    ("finders_fee_class", Shape::Word),
    ("over_reimbursement", Shape::Word),
    ("supplies_value_min", Shape::Decimal),
    ("advisor_cap_slices_per_hour", Shape::Decimal),
    ("counted", Shape::Kinds),
    ("leaver_rent_royalty", Shape::Word),
    ("loyalty_months", Shape::Count),
    ("buyout_price_per_slice", Shape::Decimal),
    ("clawback_months", Shape::Count),
    ("freeze_reversible", Shape::Flag),
    ("freeze_funding_threshold", Shape::Decimal),
    ("after_freeze", Shape::Word),
    ("steward_silence_days", Shape::Count),
    ("adoption_notice_days", Shape::Count),
    ("review", Shape::Word),
    ("review_quorum", Shape::Count),
    ("review_weighted", Shape::Flag),
    ("disputes", Shape::Word),
    ("proposals", Shape::Word),
    ("proposal_quorum", Shape::Count),
];

/// Words the settings take.
const WORDS: &[&str] = &[
    "slicing-pie",
    "hours-only",
    "half-up",
    "half-even",
    "down",
    "member-terms",
    "flat-rate",
    "cash",
    "non-cash",
    "plain",
    "refuse",
    "count-as-zero",
    "keep",
    "lose",
    "record",
    "none",
    "stewards",
    "quorum",
    "vote",
    "all",
    "custom",
    "time",
    "expense",
];

/// A TOML value, of the type a setting takes or of another.
fn value(rng: &mut Rng) -> String {
    match rng.u8(0..12) {
        0..=2 => {
            let number = crate::targets::numbers::value(rng) % 10_i128.pow(rng.u32(1..20));
            let text = peerstake_core::money::format_scaled(number, rng.u8(0..=3));
            let text = if rng.u8(0..3) == 0 { mutate::text(rng, &text, 2) } else { text };
            format!("{text:?}")
        }
        3 | 4 => format!("{:?}", mutate::pick(rng, WORDS)),
        5 => mutate::pick(rng, &["0", "1", "2", "-1", "4294967295", "4294967296", "9223372036854775807", "99999999999999999999", "1_000", "0x10"]).to_string(),
        6 => rng.u32(..).to_string(),
        7 => mutate::pick(rng, &["true", "false"]).to_string(),
        8 => {
            let count = rng.usize(0..4);
            let items: Vec<String> = (0..count).map(|_| format!("{:?}", mutate::pick(rng, WORDS))).collect();
            format!("[{}]", items.join(", "))
        }
        9 => mutate::pick(rng, &["1.5", "nan", "inf", "-0.0", "1e400", "1979-05-27", "{ a = 1 }", "[[1], \"x\"]", "''", "\"\"\"x\"\"\""]).to_string(),
        10 => format!("{:?}", mutate::text(rng, "x4", 2)),
        _ => format!("{:?}", mutate::text(rng, "12.5%", 2)),
    }
}

/// A value for a setting: of its shape four times in five, else of any.
fn value_for(rng: &mut Rng, shape: Shape) -> String {
    if rng.u8(0..5) == 0 {
        return value(rng);
    }
    match shape {
        Shape::Decimal => {
            let number = crate::targets::numbers::value(rng) % 10_i128.pow(rng.u32(1..12));
            let text = peerstake_core::money::format_scaled(number, rng.u8(0..=3));
            format!("{:?}", if rng.u8(0..4) == 0 { mutate::text(rng, &text, 2) } else { text })
        }
        Shape::Word => format!("{:?}", mutate::pick(rng, WORDS)),
        Shape::Count => match rng.u8(0..4) {
            0 => mutate::pick(rng, &["0", "4294967295", "4294967296", "-1"]).to_string(),
            _ => rng.u32(0..5_000).to_string(),
        },
        Shape::Flag => mutate::pick(rng, &["true", "false"]).to_string(),
        Shape::Kinds => {
            let kinds = ["time", "cash", "expense", "equipment", "supplies", "facilities", "capital-use", "idea", "sale", "finders-fee", "other", "gift"];
            let items: Vec<String> = (0..rng.usize(0..6)).map(|_| format!("{:?}", mutate::pick(rng, &kinds))).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

/// A setting and a value for it.
fn setting(rng: &mut Rng) -> String {
    let (key, shape) = *mutate::pick(rng, KEYS);
    format!("{key} = {}", value_for(rng, shape))
}

/// `policy_file::parse` and `to_toml`.
pub struct PolicyToml {
    currencies: Vec<Currency>,
    stored: Vec<String>,
}

impl PolicyToml {
    /// The target, with the presets' stored forms as seeds.
    pub fn new() -> anyhow::Result<PolicyToml> {
        let currencies = ["EUR", "JPY", "KWD"].iter().map(|code| Currency::from_code(code)).collect::<Result<Vec<_>, _>>()?;
        let mut stored = Vec::new();
        for currency in &currencies {
            for preset in ["slicing-pie", "hours-only"] {
                let policy = Policy::preset(preset, *currency).ok_or_else(|| anyhow::anyhow!("no preset {preset}"))?;
                stored.push(to_toml(&policy, *currency));
            }
        }
        Ok(PolicyToml { currencies, stored })
    }

    /// Edits line by line: a setting given another value (most often), dropped, doubled, or
    /// set where the file had none.
    fn edit_lines(rng: &mut Rng, text: &str) -> String {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        for _ in 0..rng.usize(1..=3) {
            let at = rng.usize(0..=lines.len());
            match rng.u8(0..20) {
                0..=2 if at < lines.len() => {
                    lines.remove(at);
                }
                3 if at < lines.len() => {
                    let copy = lines[at].clone();
                    lines.insert(at, copy);
                }
                4 => lines.insert(at, format!("[{}]", mutate::pick(rng, KEYS).0)),
                5..=9 => {
                    let (key, shape) = *mutate::pick(rng, KEYS);
                    let line = format!("{key} = {}", value_for(rng, shape));
                    match lines.iter().position(|l| l.split('=').next().is_some_and(|k| k.trim() == key)) {
                        Some(existing) => lines[existing] = line,
                        None => lines.push(line),
                    }
                }
                _ if at < lines.len() => {
                    if let Some((key, _)) = lines[at].split_once('=') {
                        let key = key.trim().to_string();
                        let shape = KEYS.iter().find(|(name, _)| *name == key).map_or(Shape::Word, |(_, shape)| *shape);
                        lines[at] = format!("{key} = {}", value_for(rng, shape));
                    }
                }
                _ => lines.push(setting(rng)),
            }
        }
        lines.join("\n")
    }
}

impl Target for PolicyToml {
    fn generate(&mut self, rng: &mut Rng) -> Vec<u8> {
        let text = match rng.u8(0..3) {
            0 => {
                let count = rng.usize(0..6);
                (0..count).map(|_| format!("{}\n", setting(rng))).collect()
            }
            _ => {
                let stored = self.stored[rng.usize(0..self.stored.len())].clone();
                PolicyToml::edit_lines(rng, &stored)
            }
        };
        (if rng.u8(0..8) == 0 { mutate::text(rng, &text, 2) } else { text }).into_bytes()
    }

    fn mutate(&mut self, rng: &mut Rng, input: &[u8]) -> Vec<u8> {
        match std::str::from_utf8(input) {
            Ok(text) if rng.u8(0..4) != 0 => PolicyToml::edit_lines(rng, text).into_bytes(),
            _ => mutate::any(rng, input),
        }
    }

    fn run(&mut self, input: &[u8]) -> Result<String, String> {
        let text = mutate::as_text(input);
        let mut outcome = Vec::new();
        for currency in &self.currencies {
            match parse(&text, *currency) {
                Ok(policy) => {
                    if let Err(error) = policy.validate() {
                        return Err(format!("validated: the file reads in {} as a policy that does not validate: {error}", currency.code()));
                    }
                    let written = to_toml(&policy, *currency);
                    match parse(&written, *currency) {
                        Ok(back) if back == policy => outcome.push(format!("ok:{}", policy.preset)),
                        other => {
                            return Err(format!(
                                "round trip: the file reads in {} as {policy:?}; written back as {written:?} it reads as {other:?}",
                                currency.code()
                            ));
                        }
                    }
                }
                Err(error) => {
                    refuse_fault("the policy file", &error)?;
                    outcome.push(outcome_of(&error));
                }
            }
        }
        Ok(outcome.join(" "))
    }

    fn random_len_max(&self) -> usize {
        128
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_forms_and_edits_pass() {
        let mut target = PolicyToml::new().unwrap();
        for stored in target.stored.clone() {
            assert!(target.run(stored.as_bytes()).unwrap().contains("ok:"), "{stored}");
        }
        assert!(target.run(b"multiplier_cash = \"3.5\"").unwrap().starts_with("ok:custom"));
        let mut rng = Rng::with_seed(13);
        for _ in 0..300 {
            let input = target.generate(&mut rng);
            target.run(&input).unwrap();
        }
    }
}

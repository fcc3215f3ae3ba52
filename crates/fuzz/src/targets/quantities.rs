//! Hours and units as people type them (`1.5`, `1.5h`, `1:30`, `90m`, in each number format),
//! and whole contribution forms (`ContributionForm` read in a format, into an `Input`): whatever
//! reads must come back the same when written out again in the same format.

use fastrand::Rng;
use peerstake_app::forms::{ContributionForm, LOG_KINDS};
use peerstake_core::ErrorCode;
use peerstake_core::input::{Input, MINUTES_MAX, parse_minutes, parse_units};
use peerstake_core::kind::Class;
use peerstake_core::money::{Currency, format_scaled};
use peerstake_core::numbers::NumberFormat;

use crate::mutate;
use crate::runner::Target;
use crate::targets::{outcome_of, refuse_fault};

/// Hours typed in one of the ways people type them, in some number format.
fn hours_text(rng: &mut Rng) -> String {
    let format = *mutate::pick(rng, &NumberFormat::ALL);
    let minutes = match rng.u8(0..4) {
        0 => rng.i64(0..=24 * 60),
        1 => rng.i64(0..=MINUTES_MAX + 10),
        2 => rng.i64(0..=i64::MAX / 2),
        _ => rng.i64(0..600),
    };
    let text = match rng.u8(0..5) {
        0 => format!("{}:{:02}", minutes / 60, minutes % 60),
        1 => format!("{minutes}m"),
        2 => format!("{}h", format.format(i128::from(minutes) * 10_000 / 60, 4).trim_end_matches('0').trim_end_matches(format.decimal_separator())),
        3 => format.format(i128::from(rng.i64(0..=2_000_000_000)), 3),
        _ => format.format(i128::from(minutes / 60), 0),
    };
    if rng.u8(0..3) != 0 { mutate::text(rng, &text, 3) } else { text }
}

/// Minutes written as hours in `format`: a decimal when they make one exactly, else `h:mm`.
fn hours_in(format: NumberFormat, minutes: i64) -> String {
    if minutes % 3 == 0 {
        // A multiple of three minutes is an exact number of ten-thousandths of an hour.
        format.format(i128::from(minutes) * 10_000 / 60, 4)
    } else {
        format!("{}:{:02}", minutes / 60, minutes % 60)
    }
}

/// `parse_minutes`, `parse_units` and `NumberFormat::canonical_quantity`.
#[derive(Default)]
pub struct Hours;

impl Target for Hours {
    fn generate(&mut self, rng: &mut Rng) -> Vec<u8> {
        hours_text(rng).into_bytes()
    }

    fn run(&mut self, input: &[u8]) -> Result<String, String> {
        let text = mutate::as_text(input);
        let mut outcome = Vec::new();
        match parse_minutes(&text) {
            Ok(minutes) => {
                if !(0..=MINUTES_MAX).contains(&minutes) {
                    return Err(format!("limits: {text:?} read as {minutes} minutes"));
                }
                let mut forms = vec![format!("{}:{:02}", minutes / 60, minutes % 60), format!("{minutes}m")];
                if minutes % 3 == 0 {
                    forms.push(format_scaled(i128::from(minutes) * 10_000 / 60, 4));
                }
                for again in forms {
                    if parse_minutes(&again).ok() != Some(minutes) {
                        return Err(format!("round trip: {text:?} read as {minutes} minutes, written {again:?}, read as {:?}", parse_minutes(&again)));
                    }
                }
                outcome.push("minutes".to_string());
            }
            Err(error) => outcome.push(error.code().to_string()),
        }
        match parse_units(&text) {
            Ok(units) => {
                let again = format_scaled(i128::from(units), 3);
                if units < 0 || parse_units(&again).ok() != Some(units) {
                    return Err(format!("round trip: {text:?} read as {units} thousandths of a unit, written {again:?}"));
                }
                outcome.push("units".to_string());
            }
            Err(error) => outcome.push(error.code().to_string()),
        }
        for format in NumberFormat::ALL {
            let Ok(canonical) = format.canonical_quantity("hours", &text) else {
                outcome.push("-".into());
                continue;
            };
            match parse_minutes(&canonical) {
                Ok(minutes) => {
                    let again = hours_in(format, minutes);
                    let back = format.canonical_quantity("hours", &again).map_err(|e| e.to_string()).and_then(|c| parse_minutes(&c).map_err(|e| e.to_string()));
                    if back != Ok(minutes) {
                        return Err(format!("round trip: {} read {text:?} as {minutes} minutes, wrote {again:?}, read back {back:?}", format.name()));
                    }
                    outcome.push("m".into());
                }
                Err(_) => outcome.push("q".into()),
            }
        }
        Ok(outcome.join(" "))
    }
}

/// The fields of a form in the fuzzer's input, in order, after the format and currency digits.
const FIELDS: usize = 9;
/// Separates the fields of a form in one input.
const SEPARATOR: char = '\u{1f}';

/// A contribution form as the edges fill it in: read in a number format, turned into an input.
pub struct Form {
    currencies: Vec<Currency>,
}

impl Form {
    /// The target, over EUR, JPY and KWD.
    pub fn new() -> anyhow::Result<Form> {
        let currencies = ["EUR", "JPY", "KWD"].iter().map(|code| Currency::from_code(code)).collect::<Result<Vec<_>, _>>()?;
        Ok(Form { currencies })
    }

    fn encode(format: usize, currency: usize, days: &str, form: &ContributionForm) -> String {
        let fields = [&form.kind, &form.quantity, &form.amount, &form.paid, &form.condition, &form.unit, &form.rate, &form.class];
        let mut text = format!("{format}{currency}{days}");
        for field in fields {
            text.push(SEPARATOR);
            text.push_str(field);
        }
        text
    }

    /// An input written back as the form a person would type in `format`.
    fn form_of(input: &Input, format: NumberFormat, currency: Currency) -> ContributionForm {
        let money = |minor: i64| format.format(i128::from(minor), currency.exponent());
        let optional = |minor: i64| if minor == 0 { String::new() } else { money(minor) };
        let mut form = ContributionForm { kind: input.tag().to_string(), ..ContributionForm::default() };
        match *input {
            Input::Time { minutes, paid_minor, .. } => (form.quantity, form.paid) = (hours_in(format, minutes), optional(paid_minor)),
            Input::Deposit { amount_minor } | Input::Withdrawal { amount_minor } | Input::CashPaid { amount_minor } | Input::WellReturn { amount_minor } => {
                form.amount = money(amount_minor)
            }
            Input::Expense { amount_minor, reimbursed_minor } => (form.amount, form.paid) = (money(amount_minor), optional(reimbursed_minor)),
            Input::Equipment { condition, value_minor, reimbursed_minor } | Input::Supplies { condition, value_minor, reimbursed_minor } => {
                (form.condition, form.amount, form.paid) = (condition.name().to_string(), money(value_minor), optional(reimbursed_minor));
            }
            Input::Facilities { market_rent_minor, rent_paid_minor } => (form.amount, form.paid) = (money(market_rent_minor), optional(rent_paid_minor)),
            Input::CapitalUse { units_milli, unit, rate_minor, fee_paid_minor } => {
                form.quantity = format.format(i128::from(units_milli), 3);
                (form.unit, form.rate, form.paid) = (unit.name().to_string(), money(rate_minor), optional(fee_paid_minor));
            }
            Input::Idea { revenue_minor, royalty_paid_minor: paid }
            | Input::Sale { revenue_minor, commission_paid_minor: paid }
            | Input::FindersFee { investment_minor: revenue_minor, fee_paid_minor: paid } => (form.amount, form.paid) = (money(revenue_minor), optional(paid)),
            Input::Other { amount_minor, class } => {
                form.amount = money(amount_minor);
                form.class = if class == Class::Cash { "cash".into() } else { "non-cash".into() };
            }
        }
        form
    }
}

impl Target for Form {
    fn generate(&mut self, rng: &mut Rng) -> Vec<u8> {
        let format_index = rng.usize(0..4);
        let format = NumberFormat::ALL[format_index];
        let currency_index = rng.usize(0..self.currencies.len());
        let amount = |rng: &mut Rng| {
            let text = format.format(crate::targets::numbers::value(rng) % 10_i128.pow(17), rng.u8(0..=3));
            if rng.u8(0..4) == 0 { mutate::text(rng, &text, 2) } else { text }
        };
        let kind = if rng.u8(0..20) == 0 { mutate::text(rng, "time", 2) } else { mutate::pick(rng, LOG_KINDS).to_string() };
        let mut form = ContributionForm { kind, ..ContributionForm::default() };
        match form.kind.as_str() {
            "time" => form.quantity = hours_text(rng),
            "capital-use" => {
                form.quantity = format.format(i128::from(rng.u32(..)), rng.u8(0..=4));
                form.unit = mutate::pick(rng, &["hour", "day", "week", "month", "unit", "year"]).to_string();
                form.rate = amount(rng);
            }
            _ => form.amount = amount(rng),
        }
        if rng.bool() {
            form.paid = amount(rng);
        }
        if matches!(form.kind.as_str(), "equipment" | "supplies") || rng.u8(0..10) == 0 {
            form.condition = mutate::pick(rng, &["new", "used-recent", "used-old", "broken", ""]).to_string();
        }
        if form.kind == "other" || rng.u8(0..10) == 0 {
            form.class = mutate::pick(rng, &["cash", "non-cash", "plain", ""]).to_string();
        }
        let days = match rng.u8(0..4) {
            0 => rng.u32(0..=400).to_string(),
            _ => "1".to_string(),
        };
        Form::encode(format_index, currency_index, &days, &form).into_bytes()
    }

    fn run(&mut self, input: &[u8]) -> Result<String, String> {
        let text = mutate::as_text(input);
        let mut parts = text.split(SEPARATOR);
        let head = parts.next().unwrap_or_default();
        let mut head_chars = head.chars();
        let digit = |c: Option<char>| c.and_then(|c| c.to_digit(10)).map_or(0, |d| usize::try_from(d).unwrap_or(0));
        let format = NumberFormat::ALL[digit(head_chars.next()) % 4];
        let currency = self.currencies[digit(head_chars.next()) % self.currencies.len()];
        let days: u32 = head_chars.as_str().parse().unwrap_or(1);
        let fields: Vec<String> = parts.map(str::to_string).chain(std::iter::repeat(String::new())).take(FIELDS).collect();
        let form = ContributionForm {
            kind: fields[0].clone(),
            quantity: fields[1].clone(),
            amount: fields[2].clone(),
            paid: fields[3].clone(),
            condition: fields[4].clone(),
            unit: fields[5].clone(),
            rate: fields[6].clone(),
            class: fields[7].clone(),
        };
        let read = match form.read_in(format).and_then(|canonical| canonical.to_period_input(currency, days)) {
            Ok(read) => read,
            Err(error) => {
                refuse_fault("a contribution form", &error)?;
                return Ok(outcome_of(&error));
            }
        };
        if let Err(error) = read.validate() {
            return Err(format!("validated: the form gave {read:?}, which does not validate: {error}"));
        }
        if Input::from_canonical(&read.canonical()).as_ref() != Ok(&read) {
            return Err(format!("canonical round trip: {read:?} as {:?}", read.canonical()));
        }
        let again = Form::form_of(&read, format, currency);
        let back = again.read_in(format).and_then(|canonical| canonical.to_period_input(currency, days));
        match back {
            Ok(back) if back == read => Ok(format!("ok:{}", read.tag())),
            other => Err(format!("round trip: the form read as {read:?}, written back in {} as {again:?}, reads as {other:?}", format.name())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_in_every_form_pass() {
        let mut hours = Hours;
        for text in ["1.5", "1.5h", "1:30", "90m", "1,5", "0.33", "1:75", "-1", "abc", "10001", ""] {
            hours.run(text.as_bytes()).unwrap();
        }
    }

    #[test]
    fn forms_round_trip() {
        let mut form = Form::new().unwrap();
        let time = ContributionForm { kind: "time".into(), quantity: "1,5".into(), paid: "12,50".into(), ..ContributionForm::default() };
        let encoded = Form::encode(1, 0, "1", &time);
        assert_eq!(form.run(encoded.as_bytes()).unwrap(), "ok:time");
        let gear = ContributionForm { kind: "equipment".into(), amount: "1'234.5".into(), condition: "new".into(), ..ContributionForm::default() };
        assert_eq!(form.run(Form::encode(3, 0, "1", &gear).as_bytes()).unwrap(), "ok:equipment");
        let mut rng = Rng::with_seed(3);
        for _ in 0..500 {
            let input = form.generate(&mut rng);
            form.run(&input).unwrap();
        }
    }
}

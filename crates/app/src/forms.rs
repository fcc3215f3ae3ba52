//! Contributions and terms as people write them (text fields, decimals, names), turned into the
//! domain's exact inputs. Shared by the command line, CSV import and, later, web forms, so the
//! same words mean the same thing everywhere.

use crate::error::{AppError, invalid};
use peerstake_core::input::{Condition, Input, RentalUnit, parse_minutes, parse_units};
use peerstake_core::kind::Class;
use peerstake_core::money::Currency;
use peerstake_core::numbers::NumberFormat;
use peerstake_core::terms::Terms;

/// The kinds a person can log, by the name they type.
pub const LOG_KINDS: &[&str] = &[
    "time",
    "deposit",
    "withdrawal",
    "expense",
    "equipment",
    "supplies",
    "facilities",
    "capital-use",
    "idea",
    "sale",
    "finders-fee",
    "other",
    "cash-paid",
    "well-return",
];

/// One contribution as text fields. Which fields a kind reads is documented per kind in the
/// README; a field a kind does not read must be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContributionForm {
    /// One of [`LOG_KINDS`].
    pub kind: String,
    /// Hours for time (`1.5`, `1:30`, `90m`); units for capital-use.
    pub quantity: String,
    /// The main amount: deposit, expense, value, market rent, revenue, investment.
    pub amount: String,
    /// What was paid back: cash paid for time, reimbursed, rent paid, fee, royalty or commission paid.
    pub paid: String,
    /// Equipment and supplies: `new`, `used-recent` or `used-old`.
    pub condition: String,
    /// Capital-use: `hour`, `day`, `week`, `month` or `unit`.
    pub unit: String,
    /// Capital-use: the rental rate per unit.
    pub rate: String,
    /// Other: `cash` or `non-cash`.
    pub class: String,
}

fn money(currency: Currency, field: &'static str, text: &str) -> Result<i64, AppError> {
    if text.trim().is_empty() {
        return Err(invalid(field, "is required"));
    }
    Ok(currency.parse_amount(field, text)?)
}

fn money_or_zero(currency: Currency, field: &'static str, text: &str) -> Result<i64, AppError> {
    if text.trim().is_empty() { Ok(0) } else { Ok(currency.parse_amount(field, text)?) }
}

/// An amount typed in a number format, as the canonical text the use cases take (`1234.56`).
/// Empty stays empty (the use case says whether it is required).
pub fn read_amount(format: NumberFormat, field: &'static str, text: &str) -> Result<String, AppError> {
    if text.trim().is_empty() {
        return Ok(String::new());
    }
    Ok(format.canonical_text(field, text)?)
}

/// What the paid field means for a kind, as its error names it.
fn paid_label(kind: &str) -> &'static str {
    match kind {
        "time" => "cash paid",
        "facilities" => "rent paid",
        "capital-use" | "finders-fee" => "fee paid",
        "idea" => "royalty paid",
        "sale" => "commission paid",
        _ => "reimbursed",
    }
}

impl ContributionForm {
    /// The same form with the numbers people typed in `format` (hours, units and amounts) turned
    /// into the canonical text [`ContributionForm::to_input`] reads. Anything the format does not
    /// allow is refused, naming the field, with how to write it.
    pub fn read_in(&self, format: NumberFormat) -> Result<ContributionForm, AppError> {
        let kind = self.kind.trim();
        let quantity_field = if kind == "capital-use" { "units" } else { "hours" };
        Ok(ContributionForm {
            quantity: if self.quantity.trim().is_empty() { String::new() } else { format.canonical_quantity(quantity_field, &self.quantity)? },
            amount: read_amount(format, "amount", &self.amount)?,
            paid: read_amount(format, paid_label(kind), &self.paid)?,
            rate: read_amount(format, "rate", &self.rate)?,
            ..self.clone()
        })
    }

    /// The exact input this form describes, in the venture's currency.
    pub fn to_input(&self, currency: Currency) -> Result<Input, AppError> {
        self.to_period_input(currency, 1)
    }

    /// As [`ContributionForm::to_input`], for time worked over `days` days ending on the entry's
    /// date (other kinds take one day only).
    pub fn to_period_input(&self, currency: Currency, days: u32) -> Result<Input, AppError> {
        let kind = self.kind.trim();
        let used = |field: &str, value: &str, allowed: bool| -> Result<(), AppError> {
            if !allowed && !value.trim().is_empty() {
                return Err(invalid(field.to_string(), format!("is not used by {kind} contributions")));
            }
            Ok(())
        };
        let reads_quantity = matches!(kind, "time" | "capital-use");
        let reads_paid = !matches!(kind, "deposit" | "withdrawal" | "other" | "cash-paid" | "well-return");
        let reads_amount = !matches!(kind, "time" | "capital-use");
        used("quantity", &self.quantity, reads_quantity)?;
        used("paid", &self.paid, reads_paid)?;
        used("amount", &self.amount, reads_amount)?;
        used("condition", &self.condition, matches!(kind, "equipment" | "supplies"))?;
        used("unit", &self.unit, kind == "capital-use")?;
        used("rate", &self.rate, kind == "capital-use")?;
        used("class", &self.class, kind == "other")?;
        let amount = || money(currency, "amount", &self.amount);
        let paid = |field: &'static str| money_or_zero(currency, field, &self.paid);
        let condition =
            || Condition::from_name(self.condition.trim()).ok_or_else(|| invalid("condition", "use new, used-recent (pre-owned under a year) or used-old"));
        let input = match kind {
            "time" => {
                if self.quantity.trim().is_empty() {
                    return Err(invalid("hours", "is required"));
                }
                Input::Time { minutes: parse_minutes(&self.quantity)?, paid_minor: paid("cash paid")?, days }
            }
            "deposit" => Input::Deposit { amount_minor: amount()? },
            "withdrawal" => Input::Withdrawal { amount_minor: amount()? },
            "cash-paid" => Input::CashPaid { amount_minor: amount()? },
            "well-return" => Input::WellReturn { amount_minor: amount()? },
            "expense" => Input::Expense { amount_minor: amount()?, reimbursed_minor: paid("reimbursed")? },
            "equipment" => Input::Equipment { condition: condition()?, value_minor: amount()?, reimbursed_minor: paid("reimbursed")? },
            "supplies" => Input::Supplies { condition: condition()?, value_minor: amount()?, reimbursed_minor: paid("reimbursed")? },
            "facilities" => Input::Facilities { market_rent_minor: amount()?, rent_paid_minor: paid("rent paid")? },
            "capital-use" => {
                if self.quantity.trim().is_empty() {
                    return Err(invalid("units", "is required"));
                }
                Input::CapitalUse {
                    units_milli: parse_units(&self.quantity)?,
                    unit: RentalUnit::from_name(self.unit.trim()).ok_or_else(|| invalid("unit", "use hour, day, week, month or unit"))?,
                    rate_minor: money(currency, "rate", &self.rate)?,
                    fee_paid_minor: paid("fee paid")?,
                }
            }
            "idea" => Input::Idea { revenue_minor: amount()?, royalty_paid_minor: paid("royalty paid")? },
            "sale" => Input::Sale { revenue_minor: amount()?, commission_paid_minor: paid("commission paid")? },
            "finders-fee" => Input::FindersFee { investment_minor: amount()?, fee_paid_minor: paid("fee paid")? },
            "other" => Input::Other {
                amount_minor: amount()?,
                class: match self.class.trim() {
                    "cash" => Class::Cash,
                    "non-cash" => Class::NonCash,
                    _ => return Err(invalid("class", "use cash or non-cash")),
                },
            },
            other => return Err(invalid("kind", format!("unknown kind '{other}' (one of: {})", LOG_KINDS.join(", ")))),
        };
        if days != 1 && !matches!(input, Input::Time { .. }) {
            return Err(invalid("from", "only time is logged for a period; other contributions are dated on one day"));
        }
        input.validate()?;
        Ok(input)
    }
}

/// The figures of a contribution said back in words before it is recorded, so a slip of the
/// keyboard (a comma for a point, a zero too many) shows: (what, the figure, in words).
pub fn in_words(input: &Input, currency: Currency) -> Vec<(&'static str, String, String)> {
    use peerstake_core::numbers::{words_of_decimal, words_of_integer};
    let money = |what: &'static str, minor: i64| (what, format!("{} {}", currency.format(minor), currency.code()), currency.in_words(minor));
    let paid = |what: &'static str, minor: i64| (minor > 0).then(|| money(what, minor));
    let mut said = Vec::new();
    match *input {
        Input::Time { minutes, paid_minor, days } => {
            let (hours, rest) = (minutes / 60, minutes % 60);
            let hour_words = match (hours, rest) {
                (1, 0) => "one hour".to_string(),
                (h, 0) => format!("{} hours", words_of_integer(u128::try_from(h).unwrap_or(0))),
                (0, m) => format!("{} minutes", words_of_integer(u128::try_from(m).unwrap_or(0))),
                (h, m) => format!(
                    "{} hour{} and {} minute{}",
                    words_of_integer(u128::try_from(h).unwrap_or(0)),
                    if h == 1 { "" } else { "s" },
                    words_of_integer(u128::try_from(m).unwrap_or(0)),
                    if m == 1 { "" } else { "s" }
                ),
            };
            let over = if days > 1 { format!(" over {} days", words_of_integer(u128::from(days))) } else { String::new() };
            said.push(("hours", format!("{hours}:{rest:02}"), format!("{hour_words}{over}")));
            said.extend(paid("cash paid", paid_minor));
        }
        Input::Deposit { amount_minor } | Input::Withdrawal { amount_minor } | Input::CashPaid { amount_minor } | Input::WellReturn { amount_minor } => {
            said.push(money("amount", amount_minor));
        }
        Input::Other { amount_minor, .. } => said.push(money("value", amount_minor)),
        Input::Expense { amount_minor, reimbursed_minor } => {
            said.push(money("amount", amount_minor));
            said.extend(paid("reimbursed", reimbursed_minor));
        }
        Input::Equipment { value_minor, reimbursed_minor, .. } | Input::Supplies { value_minor, reimbursed_minor, .. } => {
            said.push(money("value", value_minor));
            said.extend(paid("reimbursed", reimbursed_minor));
        }
        Input::Facilities { market_rent_minor, rent_paid_minor } => {
            said.push(money("market rent", market_rent_minor));
            said.extend(paid("rent paid", rent_paid_minor));
        }
        Input::CapitalUse { units_milli, unit, rate_minor, fee_paid_minor } => {
            let units = peerstake_core::money::format_scaled(i128::from(units_milli), 3);
            let units = units.trim_end_matches('0').trim_end_matches('.').to_string();
            said.push(("units", format!("{units} {}", unit.name()), format!("{} {}", words_of_decimal(&units), unit.name())));
            said.push(money("rate", rate_minor));
            said.extend(paid("fee paid", fee_paid_minor));
        }
        Input::Idea { revenue_minor, royalty_paid_minor } => {
            said.push(money("revenue", revenue_minor));
            said.extend(paid("royalty paid", royalty_paid_minor));
        }
        Input::Sale { revenue_minor, commission_paid_minor } => {
            said.push(money("revenue", revenue_minor));
            said.extend(paid("commission paid", commission_paid_minor));
        }
        Input::FindersFee { investment_minor, fee_paid_minor } => {
            said.push(money("investment", investment_minor));
            said.extend(paid("fee paid", fee_paid_minor));
        }
    }
    said
}

/// Member terms as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermsForm {
    /// Market salary per year (with `cash_salary`), or empty.
    pub market_salary: String,
    /// Cash salary paid per year; empty means none.
    pub cash_salary: String,
    /// This member's hours per year, if the policy allows one; empty for the policy's.
    pub hours_per_year: String,
    /// An hourly rate instead of a salary, or empty.
    pub hourly_rate: String,
}

impl TermsForm {
    /// The same terms with the amounts people typed in `format` turned into canonical text.
    pub fn read_in(&self, format: NumberFormat) -> Result<TermsForm, AppError> {
        Ok(TermsForm {
            market_salary: read_amount(format, "market salary", &self.market_salary)?,
            cash_salary: read_amount(format, "cash salary", &self.cash_salary)?,
            hourly_rate: read_amount(format, "hourly rate", &self.hourly_rate)?,
            ..self.clone()
        })
    }

    /// Whether any field is filled in.
    pub fn is_empty(&self) -> bool {
        self.market_salary.trim().is_empty()
            && self.cash_salary.trim().is_empty()
            && self.hourly_rate.trim().is_empty()
            && self.hours_per_year.trim().is_empty()
    }

    /// The exact terms, in the venture's currency.
    pub fn to_terms(&self, currency: Currency) -> Result<Terms, AppError> {
        let salary = !self.market_salary.trim().is_empty();
        let hourly = !self.hourly_rate.trim().is_empty();
        let terms = match (salary, hourly) {
            (true, false) => Terms::Salary {
                market_salary_minor: money(currency, "market salary", &self.market_salary)?,
                cash_salary_minor: money_or_zero(currency, "cash salary", &self.cash_salary)?,
                hours_per_year: if self.hours_per_year.trim().is_empty() {
                    None
                } else {
                    Some(self.hours_per_year.trim().parse().map_err(|_| invalid("hours per year", "a whole number of hours"))?)
                },
            },
            (false, true) => {
                if !self.cash_salary.trim().is_empty() || !self.hours_per_year.trim().is_empty() {
                    return Err(invalid("hourly rate", "an hourly rate takes no cash salary or hours per year"));
                }
                Terms::Hourly { rate_minor: money(currency, "hourly rate", &self.hourly_rate)? }
            }
            (true, true) => return Err(invalid("terms", "give a market salary or an hourly rate, not both")),
            (false, false) => return Err(invalid("terms", "give a market salary (and cash salary) or an hourly rate")),
        };
        terms.validate()?;
        Ok(terms)
    }
}

/// Reads a number format by name or language; the default when empty.
pub fn number_format(text: &str) -> Result<NumberFormat, AppError> {
    if text.trim().is_empty() {
        return Ok(NumberFormat::default());
    }
    NumberFormat::from_name(text).ok_or_else(|| invalid("number format", "use 1,234.56, 1.234,56, 1 234,56 or 1'234.56, or a language such as en, de or fr"))
}

/// Checks a slug or handle: 2–40 characters, lowercase letters, digits and hyphens, starting
/// with a letter.
pub fn check_slug(field: &'static str, text: &str) -> Result<(), AppError> {
    let valid_chars = text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let starts_with_letter = text.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    if !(2..=40).contains(&text.len()) || !valid_chars || !starts_with_letter || text.ends_with('-') {
        return Err(invalid(field, format!("'{text}' must be 2 to 40 lowercase letters, digits or hyphens, starting with a letter")));
    }
    Ok(())
}

pub(crate) fn check_text(field: &'static str, text: &str, chars_max: usize, required: bool) -> Result<(), AppError> {
    if required && text.trim().is_empty() {
        return Err(invalid(field, "is required"));
    }
    if text.chars().count() > chars_max {
        return Err(invalid(field, format!("is longer than {chars_max} characters")));
    }
    if text.chars().any(char::is_control) {
        return Err(invalid(field, "contains control characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::from_code("EUR").unwrap()
    }

    #[test]
    fn forms_become_inputs() {
        let form = ContributionForm { kind: "time".into(), quantity: "1:30".into(), ..Default::default() };
        assert_eq!(form.to_input(eur()).unwrap(), Input::Time { minutes: 90, paid_minor: 0, days: 1 });
        let form = ContributionForm { kind: "capital-use".into(), quantity: "2.5".into(), unit: "day".into(), rate: "15".into(), ..Default::default() };
        assert_eq!(form.to_input(eur()).unwrap(), Input::CapitalUse { units_milli: 2500, unit: RentalUnit::Day, rate_minor: 1500, fee_paid_minor: 0 });
    }

    #[test]
    fn bad_forms_are_refused_with_the_field() {
        let cases = [
            (ContributionForm { kind: "time".into(), ..Default::default() }, "hours"),
            (ContributionForm { kind: "expense".into(), amount: "-5".into(), ..Default::default() }, "negative"),
            (ContributionForm { kind: "expense".into(), amount: "5".into(), quantity: "2".into(), ..Default::default() }, "quantity"),
            (ContributionForm { kind: "equipment".into(), amount: "5".into(), condition: "shiny".into(), ..Default::default() }, "condition"),
            (ContributionForm { kind: "gift".into(), ..Default::default() }, "unknown kind"),
        ];
        for (form, needle) in cases {
            let message = form.to_input(eur()).unwrap_err().to_string();
            assert!(message.contains(needle), "{message} should mention {needle}");
        }
    }

    #[test]
    fn forms_are_read_in_the_format_in_force() {
        let form = ContributionForm { kind: "expense".into(), amount: "1.234,5".into(), paid: "12,5".into(), ..Default::default() };
        let read = form.read_in(NumberFormat::Comma).unwrap();
        assert_eq!(read.to_input(eur()).unwrap(), Input::Expense { amount_minor: 123_450, reimbursed_minor: 1_250 });
        let time = ContributionForm { kind: "time".into(), quantity: "1,5".into(), ..Default::default() };
        assert_eq!(time.read_in(NumberFormat::Comma).unwrap().to_input(eur()).unwrap(), Input::Time { minutes: 90, paid_minor: 0, days: 1 });
        // The defect: 12,50 in a 1,234.56 venture was 1250.00. Now it is refused, naming the field.
        let error = ContributionForm { kind: "expense".into(), amount: "12,50".into(), ..Default::default() }.read_in(NumberFormat::Point).unwrap_err();
        assert_eq!(error.field(), Some("amount"));
        assert!(error.to_string().contains("12.50 for twelve and a half"), "{error}");
        let error = time.read_in(NumberFormat::Point).unwrap_err();
        assert_eq!(error.field(), Some("hours"));
        // Typed straight into a use case, only the canonical form is taken.
        assert!(ContributionForm { kind: "expense".into(), amount: "12,50".into(), ..Default::default() }.to_input(eur()).is_err());
    }

    #[test]
    fn figures_are_said_back_in_words() {
        let said = in_words(&Input::Expense { amount_minor: 1_250, reimbursed_minor: 0 }, eur());
        assert_eq!(said, vec![("amount", "12.50 EUR".to_string(), "twelve euros and fifty cents".to_string())]);
        let said = in_words(&Input::Time { minutes: 80, paid_minor: 0, days: 1 }, eur());
        assert_eq!(said[0].2, "one hour and twenty minutes");
        let said = in_words(&Input::Time { minutes: 2_400, paid_minor: 0, days: 7 }, eur());
        assert_eq!(said[0].2, "forty hours over seven days");
    }

    #[test]
    fn terms_forms() {
        let form = TermsForm { market_salary: "90000".into(), cash_salary: "30000".into(), ..Default::default() };
        assert_eq!(form.to_terms(eur()).unwrap(), Terms::Salary { market_salary_minor: 9_000_000, cash_salary_minor: 3_000_000, hours_per_year: None });
        assert!(TermsForm { market_salary: "1".into(), hourly_rate: "2".into(), ..Default::default() }.to_terms(eur()).is_err());
        assert!(TermsForm::default().to_terms(eur()).is_err());
    }
}

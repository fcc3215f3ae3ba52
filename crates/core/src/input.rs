//! What a contributor logs: the inputs of each kind of contribution, and their canonical text
//! form. The canonical form is what the ledger stores and hashes, so it is deterministic: fixed
//! key order, integers only.

use crate::DomainError;
use crate::kind::{Class, Kind};
use crate::money::{check_amount, parse_scaled};

/// The most minutes one time entry may carry (10,000 hours).
pub const MINUTES_MAX: i64 = 10_000 * 60;

/// The most minutes of work in one day.
pub const MINUTES_PER_DAY_MAX: i64 = 24 * 60;

/// The longest period one time entry may cover, in days.
pub const PERIOD_DAYS_MAX: u32 = 366;

/// The most units (in thousandths) one capital-use entry may carry.
pub const UNITS_MILLI_MAX: i64 = 1_000_000_000;

/// Condition of equipment or supplies given to the venture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Bought new for the venture: price − reimbursement, cash multiplier.
    New,
    /// Pre-owned, bought less than a year ago: purchase price, non-cash multiplier.
    UsedRecent,
    /// Pre-owned, a year or older: resale value, non-cash multiplier.
    UsedOld,
}

impl Condition {
    /// The name used in files.
    pub fn name(&self) -> &'static str {
        match self {
            Condition::New => "new",
            Condition::UsedRecent => "used-recent",
            Condition::UsedOld => "used-old",
        }
    }

    /// Parses a name.
    pub fn from_name(name: &str) -> Option<Condition> {
        match name {
            "new" => Some(Condition::New),
            "used-recent" => Some(Condition::UsedRecent),
            "used-old" => Some(Condition::UsedOld),
            _ => None,
        }
    }
}

/// The unit a capital good is rented by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RentalUnit {
    /// Per hour.
    Hour,
    /// Per day.
    Day,
    /// Per week.
    Week,
    /// Per month.
    Month,
    /// Per use or another countable unit.
    Unit,
}

impl RentalUnit {
    /// The name used in files.
    pub fn name(&self) -> &'static str {
        match self {
            RentalUnit::Hour => "hour",
            RentalUnit::Day => "day",
            RentalUnit::Week => "week",
            RentalUnit::Month => "month",
            RentalUnit::Unit => "unit",
        }
    }

    /// Parses a name.
    pub fn from_name(name: &str) -> Option<RentalUnit> {
        match name {
            "hour" => Some(RentalUnit::Hour),
            "day" => Some(RentalUnit::Day),
            "week" => Some(RentalUnit::Week),
            "month" => Some(RentalUnit::Month),
            "unit" => Some(RentalUnit::Unit),
            _ => None,
        }
    }
}

/// One contribution's inputs. Amounts are minor units of the venture's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Hours of work, exact to the minute, less any cash paid for them: on the entry's date, or
    /// over a period of days ending on it (at most 24 hours a day).
    Time {
        /// Minutes worked.
        minutes: i64,
        /// Cash paid for this work, minor units.
        paid_minor: i64,
        /// Days the work spans, ending on the entry's date (1 for one day).
        days: u32,
    },
    /// Cash deposited into the well: no slices until it is spent.
    Deposit {
        /// Amount deposited.
        amount_minor: i64,
    },
    /// Cash spent from the well on a venture cost: cash slices for the depositors, pro rata.
    Withdrawal {
        /// Amount spent.
        amount_minor: i64,
    },
    /// An expense paid by the member.
    Expense {
        /// Amount paid.
        amount_minor: i64,
        /// Amount reimbursed.
        reimbursed_minor: i64,
    },
    /// Equipment given to the venture.
    Equipment {
        /// New, or pre-owned under a year, or older.
        condition: Condition,
        /// Price (new), purchase price (under a year) or resale value (older).
        value_minor: i64,
        /// Amount reimbursed.
        reimbursed_minor: i64,
    },
    /// Supplies given to the venture.
    Supplies {
        /// New, or pre-owned under a year, or older.
        condition: Condition,
        /// Price (new), purchase price (under a year) or resale value (older).
        value_minor: i64,
        /// Amount reimbursed.
        reimbursed_minor: i64,
    },
    /// Space used by the venture.
    Facilities {
        /// Market rent of the space used.
        market_rent_minor: i64,
        /// Rent paid for it.
        rent_paid_minor: i64,
    },
    /// Use of a good the member keeps.
    CapitalUse {
        /// Units used, in thousandths.
        units_milli: i64,
        /// What a unit is.
        unit: RentalUnit,
        /// Fair rental rate per unit.
        rate_minor: i64,
        /// Fee paid for the use.
        fee_paid_minor: i64,
    },
    /// Royalty on revenue from an idea.
    Idea {
        /// Revenue attributable to the idea.
        revenue_minor: i64,
        /// Royalty paid in cash.
        royalty_paid_minor: i64,
    },
    /// Commission on a sale closed.
    Sale {
        /// Revenue of the sale.
        revenue_minor: i64,
        /// Commission paid in cash.
        commission_paid_minor: i64,
    },
    /// Finder's fee on an investment brought in.
    FindersFee {
        /// Amount invested.
        investment_minor: i64,
        /// Fee paid in cash.
        fee_paid_minor: i64,
    },
    /// Anything else, at a stated value and class.
    Other {
        /// Value.
        amount_minor: i64,
        /// Cash-like or not.
        class: Class,
    },
    /// Cash paid to the member: reduces their at-risk value.
    CashPaid {
        /// Amount paid.
        amount_minor: i64,
    },
    /// Unspent cash handed back to its depositor from the well: it never earned slices, so it
    /// only lowers their well balance.
    WellReturn {
        /// Amount returned.
        amount_minor: i64,
    },
}

impl Input {
    /// The tag of this input, as stored in the ledger's `kind` column.
    pub fn tag(&self) -> &'static str {
        match self {
            Input::Time { .. } => "time",
            Input::Deposit { .. } => "deposit",
            Input::Withdrawal { .. } => "withdrawal",
            Input::Expense { .. } => "expense",
            Input::Equipment { .. } => "equipment",
            Input::Supplies { .. } => "supplies",
            Input::Facilities { .. } => "facilities",
            Input::CapitalUse { .. } => "capital-use",
            Input::Idea { .. } => "idea",
            Input::Sale { .. } => "sale",
            Input::FindersFee { .. } => "finders-fee",
            Input::Other { .. } => "other",
            Input::CashPaid { .. } => "cash-paid",
            Input::WellReturn { .. } => "well-return",
        }
    }

    /// The kind this input counts under, for the policy's `counted` switches. Cash paid to a
    /// member is not a contribution and always applies.
    pub fn kind(&self) -> Option<Kind> {
        Some(match self {
            Input::Time { .. } => Kind::Time,
            Input::Deposit { .. } | Input::Withdrawal { .. } | Input::WellReturn { .. } => Kind::Cash,
            Input::Expense { .. } => Kind::Expense,
            Input::Equipment { .. } => Kind::Equipment,
            Input::Supplies { .. } => Kind::Supplies,
            Input::Facilities { .. } => Kind::Facilities,
            Input::CapitalUse { .. } => Kind::CapitalUse,
            Input::Idea { .. } => Kind::Idea,
            Input::Sale { .. } => Kind::Sale,
            Input::FindersFee { .. } => Kind::FindersFee,
            Input::Other { .. } => Kind::Other,
            Input::CashPaid { .. } => return None,
        })
    }

    /// Whether this input needs a member it is for (a withdrawal is venture-wide).
    pub fn needs_member(&self) -> bool {
        !matches!(self, Input::Withdrawal { .. })
    }

    /// Checks every field is within limits.
    pub fn validate(&self) -> Result<(), DomainError> {
        if let Input::Time { minutes, days, .. } = *self {
            if days == 0 || days > PERIOD_DAYS_MAX {
                return Err(DomainError::InvalidText { field: "period", reason: format!("a period covers 1 to {PERIOD_DAYS_MAX} days") });
            }
            if minutes > MINUTES_PER_DAY_MAX * i64::from(days) {
                let limit = if days == 1 {
                    "24 hours in one day; log longer work for a period (from and to dates), at most 24 hours a day".to_string()
                } else {
                    format!("24 hours a day, {} hours over these {days} days", 24 * i64::from(days))
                };
                return Err(DomainError::AmountTooLarge { field: "hours", limit });
            }
        }
        for (field, value) in self.fields() {
            match field {
                "days" => {}
                "minutes" => {
                    if value <= 0 {
                        return Err(DomainError::ZeroAmount { field: "hours" });
                    }
                    if value > MINUTES_MAX {
                        return Err(DomainError::AmountTooLarge { field: "hours", limit: "10000 hours".into() });
                    }
                }
                "units" => {
                    if value <= 0 {
                        return Err(DomainError::ZeroAmount { field: "units" });
                    }
                    if value > UNITS_MILLI_MAX {
                        return Err(DomainError::AmountTooLarge { field: "units", limit: "1000000 units".into() });
                    }
                }
                _ => {
                    check_amount(field, value)?;
                }
            }
        }
        let primary = match self {
            Input::Deposit { amount_minor }
            | Input::Withdrawal { amount_minor }
            | Input::Expense { amount_minor, .. }
            | Input::Other { amount_minor, .. }
            | Input::CashPaid { amount_minor }
            | Input::WellReturn { amount_minor } => Some(("amount", *amount_minor)),
            Input::Equipment { value_minor, .. } | Input::Supplies { value_minor, .. } => Some(("value", *value_minor)),
            Input::Facilities { market_rent_minor, .. } => Some(("market rent", *market_rent_minor)),
            Input::CapitalUse { rate_minor, .. } => Some(("rate", *rate_minor)),
            Input::Idea { revenue_minor, .. } | Input::Sale { revenue_minor, .. } => Some(("revenue", *revenue_minor)),
            Input::FindersFee { investment_minor, .. } => Some(("investment", *investment_minor)),
            Input::Time { .. } => None,
        };
        if let Some((field, 0)) = primary {
            return Err(DomainError::ZeroAmount { field });
        }
        Ok(())
    }

    /// The integer fields in canonical order, named as in the canonical text.
    fn fields(&self) -> Vec<(&'static str, i64)> {
        match *self {
            Input::Time { minutes, paid_minor, days } if days > 1 => vec![("minutes", minutes), ("paid", paid_minor), ("days", i64::from(days))],
            Input::Time { minutes, paid_minor, .. } => vec![("minutes", minutes), ("paid", paid_minor)],
            Input::Deposit { amount_minor } | Input::Withdrawal { amount_minor } | Input::CashPaid { amount_minor } | Input::WellReturn { amount_minor } => {
                vec![("amount", amount_minor)]
            }
            Input::Expense { amount_minor, reimbursed_minor } => vec![("amount", amount_minor), ("reimbursed", reimbursed_minor)],
            Input::Equipment { value_minor, reimbursed_minor, .. } | Input::Supplies { value_minor, reimbursed_minor, .. } => {
                vec![("value", value_minor), ("reimbursed", reimbursed_minor)]
            }
            Input::Facilities { market_rent_minor, rent_paid_minor } => {
                vec![("market_rent", market_rent_minor), ("rent_paid", rent_paid_minor)]
            }
            Input::CapitalUse { units_milli, rate_minor, fee_paid_minor, .. } => {
                vec![("units", units_milli), ("rate", rate_minor), ("fee_paid", fee_paid_minor)]
            }
            Input::Idea { revenue_minor, royalty_paid_minor } => vec![("revenue", revenue_minor), ("royalty_paid", royalty_paid_minor)],
            Input::Sale { revenue_minor, commission_paid_minor } => {
                vec![("revenue", revenue_minor), ("commission_paid", commission_paid_minor)]
            }
            Input::FindersFee { investment_minor, fee_paid_minor } => vec![("investment", investment_minor), ("fee_paid", fee_paid_minor)],
            Input::Other { amount_minor, .. } => vec![("amount", amount_minor)],
        }
    }

    /// The canonical text: `tag;key=value;…` with the fields in a fixed order. Stored in the
    /// ledger and covered by the hash chain.
    pub fn canonical(&self) -> String {
        let mut text = String::with_capacity(48);
        // Writing to a String cannot fail.
        let _ = self.write_canonical(&mut text);
        text
    }

    /// Writes the canonical text (see [`Input::canonical`]).
    fn write_canonical(&self, out: &mut impl std::fmt::Write) -> std::fmt::Result {
        out.write_str(self.tag())?;
        match self {
            Input::Equipment { condition, .. } | Input::Supplies { condition, .. } => write!(out, ";condition={}", condition.name())?,
            Input::CapitalUse { unit, .. } => write!(out, ";unit={}", unit.name())?,
            Input::Other { class, .. } => write!(out, ";class={}", class.name())?,
            _ => {}
        }
        for (name, value) in self.fields() {
            write!(out, ";{name}={value}")?;
        }
        Ok(())
    }

    /// Whether `text` is exactly this input's canonical text, compared without building it.
    fn is_canonical_text(&self, text: &str) -> bool {
        struct Matcher<'a>(&'a str);
        impl std::fmt::Write for Matcher<'_> {
            fn write_str(&mut self, piece: &str) -> std::fmt::Result {
                self.0 = self.0.strip_prefix(piece).ok_or(std::fmt::Error)?;
                Ok(())
            }
        }
        let mut matcher = Matcher(text);
        self.write_canonical(&mut matcher).is_ok() && matcher.0.is_empty()
    }

    /// The first day of the period a time entry dated `on` covers (`on` itself for one day).
    pub fn period_start(&self, on: time::Date) -> time::Date {
        match self {
            Input::Time { days, .. } if *days > 1 => on.checked_sub(time::Duration::days(i64::from(*days) - 1)).unwrap_or(on),
            _ => on,
        }
    }

    /// Reads the canonical text back.
    pub fn from_canonical(text: &str) -> Result<Input, DomainError> {
        let corrupt = || DomainError::CorruptInputs(text.chars().take(120).collect());
        let mut parts = text.split(';');
        let tag = parts.next().ok_or_else(corrupt)?;
        let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(4);
        for part in parts {
            pairs.push(part.split_once('=').ok_or_else(corrupt)?);
        }
        let word = |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| *v).ok_or_else(corrupt);
        let number = |name: &str| -> Result<i64, DomainError> { word(name)?.parse::<i64>().map_err(|_| corrupt()) };
        let input = match tag {
            "time" => {
                let days = match pairs.iter().find(|(k, _)| *k == "days") {
                    Some((_, text)) => text.parse::<u32>().map_err(|_| corrupt())?,
                    None => 1,
                };
                Input::Time { minutes: number("minutes")?, paid_minor: number("paid")?, days }
            }
            "deposit" => Input::Deposit { amount_minor: number("amount")? },
            "withdrawal" => Input::Withdrawal { amount_minor: number("amount")? },
            "cash-paid" => Input::CashPaid { amount_minor: number("amount")? },
            "well-return" => Input::WellReturn { amount_minor: number("amount")? },
            "expense" => Input::Expense { amount_minor: number("amount")?, reimbursed_minor: number("reimbursed")? },
            "equipment" | "supplies" => {
                let condition = Condition::from_name(word("condition")?).ok_or_else(corrupt)?;
                let value_minor = number("value")?;
                let reimbursed_minor = number("reimbursed")?;
                if tag == "equipment" {
                    Input::Equipment { condition, value_minor, reimbursed_minor }
                } else {
                    Input::Supplies { condition, value_minor, reimbursed_minor }
                }
            }
            "facilities" => Input::Facilities { market_rent_minor: number("market_rent")?, rent_paid_minor: number("rent_paid")? },
            "capital-use" => Input::CapitalUse {
                units_milli: number("units")?,
                unit: RentalUnit::from_name(word("unit")?).ok_or_else(corrupt)?,
                rate_minor: number("rate")?,
                fee_paid_minor: number("fee_paid")?,
            },
            "idea" => Input::Idea { revenue_minor: number("revenue")?, royalty_paid_minor: number("royalty_paid")? },
            "sale" => Input::Sale { revenue_minor: number("revenue")?, commission_paid_minor: number("commission_paid")? },
            "finders-fee" => Input::FindersFee { investment_minor: number("investment")?, fee_paid_minor: number("fee_paid")? },
            "other" => Input::Other { amount_minor: number("amount")?, class: Class::from_name(word("class")?).ok_or_else(corrupt)? },
            _ => return Err(corrupt()),
        };
        if !input.is_canonical_text(text) {
            return Err(corrupt());
        }
        Ok(input)
    }
}

/// Parses a duration of work: `1.5` or `1.5h` (hours), `1:30` (hours:minutes) or `90m`
/// (minutes). Exact to the minute; a fraction of an hour that is not a whole number of minutes is
/// refused rather than rounded.
pub fn parse_minutes(text: &str) -> Result<i64, DomainError> {
    let hint = "write hours as 1.5, 1:30 or 90m";
    let invalid = || DomainError::InvalidQuantity { field: "hours", text: text.to_string(), hint };
    let trimmed = text.trim();
    if trimmed.starts_with('-') {
        return Err(DomainError::NegativeAmount { field: "hours" });
    }
    let minutes = if let Some(minutes) = trimmed.strip_suffix('m') {
        parse_scaled(minutes.trim(), 0).ok_or_else(invalid)?
    } else if let Some((hours, minutes)) = trimmed.split_once(':') {
        let hours = parse_scaled(hours, 0).ok_or_else(invalid)?;
        let minutes = parse_scaled(minutes, 0).ok_or_else(invalid)?;
        if minutes >= 60 || minutes_text_len(trimmed) != 2 {
            return Err(invalid());
        }
        hours.checked_mul(60).and_then(|h| h.checked_add(minutes)).ok_or_else(invalid)?
    } else {
        let hours_text = trimmed.strip_suffix('h').unwrap_or(trimmed).trim();
        // Hours with up to 4 decimals, in ten-thousandths; it must come to whole minutes.
        let scaled = parse_scaled(hours_text, 4).ok_or_else(invalid)?;
        let times_sixty = scaled.checked_mul(60).ok_or_else(invalid)?;
        if times_sixty % 10_000 != 0 {
            return Err(DomainError::InvalidQuantity {
                field: "hours",
                text: text.to_string(),
                hint: "that is not a whole number of minutes; write 1:20 or 80m",
            });
        }
        times_sixty / 10_000
    };
    if minutes > MINUTES_MAX {
        return Err(DomainError::AmountTooLarge { field: "hours", limit: "10000 hours".into() });
    }
    Ok(minutes)
}

fn minutes_text_len(text: &str) -> usize {
    text.split_once(':').map(|(_, m)| m.len()).unwrap_or(0)
}

/// Parses a quantity of units with up to three decimals, into thousandths.
pub fn parse_units(text: &str) -> Result<i64, DomainError> {
    let trimmed = text.trim();
    if trimmed.starts_with('-') {
        return Err(DomainError::NegativeAmount { field: "units" });
    }
    parse_scaled(trimmed, 3).ok_or_else(|| DomainError::InvalidQuantity { field: "units", text: text.to_string(), hint: "a number with at most 3 decimals" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_forms() {
        assert_eq!(parse_minutes("1.5").unwrap(), 90);
        assert_eq!(parse_minutes("1.5h").unwrap(), 90);
        assert_eq!(parse_minutes("1:30").unwrap(), 90);
        assert_eq!(parse_minutes("90m").unwrap(), 90);
        assert_eq!(parse_minutes("0.25").unwrap(), 15);
        assert!(parse_minutes("0.33").is_err());
        assert!(parse_minutes("1:75").is_err());
        assert!(parse_minutes("-1").is_err());
        assert!(parse_minutes("abc").is_err());
        assert!(parse_minutes("10001").is_err());
    }

    #[test]
    fn a_day_holds_at_most_24_hours() {
        let time = |minutes, days| Input::Time { minutes, paid_minor: 0, days };
        assert!(time(24 * 60, 1).validate().is_ok());
        assert!(time(24 * 60 + 1, 1).validate().unwrap_err().to_string().contains("period"));
        assert!(time(8_760 * 60, 1).validate().is_err(), "a year of hours on one day");
        assert!(time(7 * 24 * 60, 7).validate().is_ok());
        assert!(time(7 * 24 * 60 + 1, 7).validate().is_err());
        assert!(time(60, 0).validate().is_err());
        assert!(time(60, PERIOD_DAYS_MAX + 1).validate().is_err());
        let on = time::macros::date!(2026 - 03 - 07);
        assert_eq!(time(60, 7).period_start(on), time::macros::date!(2026 - 03 - 01));
    }

    #[test]
    fn canonical_round_trip() {
        let inputs = [
            Input::Time { minutes: 90, paid_minor: 0, days: 1 },
            Input::Time { minutes: 2_400, paid_minor: 0, days: 7 },
            Input::Equipment { condition: Condition::UsedOld, value_minor: 30_000, reimbursed_minor: 0 },
            Input::CapitalUse { units_milli: 2_500, unit: RentalUnit::Day, rate_minor: 1_500, fee_paid_minor: 0 },
            Input::Other { amount_minor: 5, class: Class::Cash },
            Input::Withdrawal { amount_minor: 7 },
            Input::WellReturn { amount_minor: 12 },
        ];
        for input in inputs {
            assert_eq!(Input::from_canonical(&input.canonical()).unwrap(), input);
        }
        assert!(Input::from_canonical("time;minutes=x;paid=0").is_err());
        assert!(Input::from_canonical("time;paid=0;minutes=1").is_err());
        assert!(Input::from_canonical("nonsense").is_err());
        // Only the canonical spelling is accepted: no padding, no extra or missing text.
        assert!(Input::from_canonical("time;minutes=90;paid=0").is_ok());
        assert_eq!(Input::Time { minutes: 60, paid_minor: 0, days: 1 }.canonical(), "time;minutes=60;paid=0", "one day keeps the layout of old entries");
        for altered in [
            "time;minutes=90;paid=0;days=1",
            "time;minutes=90;paid=0;days=x",
            "time;minutes=090;paid=0",
            "time;minutes=+90;paid=0",
            "time;minutes=90;paid=0;",
            "time;minutes=90;paid=0;x=1",
            "time;minutes=90",
        ] {
            assert!(Input::from_canonical(altered).is_err(), "{altered}");
        }
    }
}

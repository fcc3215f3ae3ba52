//! Valuation: one contribution's inputs, under one policy version and the member's terms, become
//! its fair market value (FMV), its slices, and the effects on balances.
//!
//! Rounding: each FMV is one exact fraction rounded once to the minor unit by the policy's rule.
//! Slices have a precision of their own (the venture's slice scale, at least a hundredth of a
//! slice): the same exact value is rounded once to that precision, then multiplied and rounded
//! once more by the same rule. Where the slice scale is the currency's (every two-decimal
//! currency), that value is the FMV itself, so anyone can check `slices = round(fmv × multiplier)`
//! on every entry.

use crate::DomainError;
use crate::allocation::largest_remainder;
use crate::input::{Condition, Input};
use crate::kind::{Class, Kind};
use crate::money::narrow;
use crate::policy::{Multiplier, OverReimbursement, Policy, TimeValuation};
use crate::replay::{Effect, StateView};
use crate::terms::{MemberNo, Role, Terms};

/// Everything valuation reads besides the inputs.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The policy version in force on the contribution's date.
    pub policy: &'a Policy,
    /// The member the contribution is for (none for a well withdrawal).
    pub member: Option<MemberNo>,
    /// Their role.
    pub role: Option<Role>,
    /// Their terms in force on the contribution's date.
    pub terms: Option<&'a Terms>,
    /// Rotates the tie-break of pro-rata splits (see [`crate::edition::Edition::tie_break`]).
    pub tie_break: u64,
    /// Slice units in one minor unit of the currency: 10^(slice scale − currency exponent), 1 when
    /// slices have the currency's precision.
    pub slices_per_minor: i64,
}

/// An exact value in minor units, before rounding: `numerator / denominator`.
#[derive(Debug, Clone, Copy)]
struct Exact {
    numerator: i128,
    denominator: i128,
}

impl Exact {
    fn whole(minor: i64) -> Exact {
        Exact { numerator: i128::from(minor), denominator: 1 }
    }
}

/// The outcome of valuing one contribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valuation {
    /// Fair market value, minor units (negative for cash paid to a member).
    pub fmv_minor: i64,
    /// Slices, slice minor units.
    pub slices_minor: i64,
    /// Effects on members' balances.
    pub effects: Vec<Effect>,
}

/// Values one contribution.
pub fn value(input: &Input, context: &Context<'_>, state: &dyn StateView) -> Result<Valuation, DomainError> {
    input.validate()?;
    let policy = context.policy;
    match *input {
        Input::Deposit { amount_minor } => {
            let member = require_member(context)?;
            Ok(Valuation {
                fmv_minor: 0,
                slices_minor: 0,
                effects: vec![Effect { member, kind: Kind::Cash, class: Class::Cash, fmv_minor: 0, slices_minor: 0, well_minor: amount_minor }],
            })
        }
        Input::Withdrawal { amount_minor } => withdrawal(amount_minor, context, state),
        Input::CashPaid { amount_minor } => cash_paid(amount_minor, context, state),
        Input::WellReturn { amount_minor } => well_return(amount_minor, context, state),
        Input::Time { minutes, paid_minor, .. } => {
            let (numerator, denominator) = time_fraction(minutes, paid_minor, context)?;
            let fmv = net_of_payment(numerator, denominator, policy, "cash paid", "value of the time")?;
            let mut valuation = single(Kind::Time, Class::NonCash, fmv, context)?;
            if context.role == Some(Role::Advisor)
                && let Some(cap) = policy.advisor_cap_slices_per_hour_minor
            {
                // The cap is written with the currency's decimals; slices may have more.
                let cap_units = i128::from(cap) * i128::from(context.slices_per_minor);
                let cap_total = narrow(policy.rounding.divide(cap_units * i128::from(minutes), 60)?, "the advisor cap")?;
                if valuation.slices_minor > cap_total {
                    valuation.slices_minor = cap_total;
                    if let Some(effect) = valuation.effects.first_mut() {
                        effect.slices_minor = cap_total;
                    }
                }
            }
            Ok(valuation)
        }
        Input::Expense { amount_minor, reimbursed_minor } => {
            let fmv = minus(amount_minor, reimbursed_minor, policy, "reimbursed", "amount")?;
            single(Kind::Expense, Class::Cash, Exact::whole(fmv), context)
        }
        Input::Equipment { condition, value_minor, reimbursed_minor } => goods(Kind::Equipment, condition, value_minor, reimbursed_minor, context),
        Input::Supplies { condition, value_minor, reimbursed_minor } => goods(Kind::Supplies, condition, value_minor, reimbursed_minor, context),
        Input::Facilities { market_rent_minor, rent_paid_minor } => {
            let fmv = minus(market_rent_minor, rent_paid_minor, policy, "rent paid", "market rent")?;
            single(Kind::Facilities, Class::NonCash, Exact::whole(fmv), context)
        }
        Input::CapitalUse { units_milli, rate_minor, fee_paid_minor, .. } => {
            let gross = mul(units_milli, rate_minor)?;
            let numerator = gross - i128::from(fee_paid_minor) * 1000;
            let fmv = net_of_payment(numerator, 1000, policy, "fee paid", "units × rate")?;
            single(Kind::CapitalUse, Class::NonCash, fmv, context)
        }
        Input::Idea { revenue_minor, royalty_paid_minor } => {
            let numerator = mul(revenue_minor, i64::from(policy.royalty_rate_bps))? - i128::from(royalty_paid_minor) * 10_000;
            let fmv = net_of_payment(numerator, 10_000, policy, "royalty paid", "royalty")?;
            single(Kind::Idea, Class::NonCash, fmv, context)
        }
        Input::Sale { revenue_minor, commission_paid_minor } => {
            let numerator = mul(revenue_minor, i64::from(policy.commission_rate_bps))? - i128::from(commission_paid_minor) * 10_000;
            let fmv = net_of_payment(numerator, 10_000, policy, "commission paid", "commission")?;
            single(Kind::Sale, Class::NonCash, fmv, context)
        }
        Input::FindersFee { investment_minor, fee_paid_minor } => {
            let first = investment_minor.min(policy.finders_fee_first_tier_minor);
            let rest = investment_minor - first;
            let numerator = mul(first, i64::from(policy.finders_fee_first_rate_bps))? + mul(rest, i64::from(policy.finders_fee_rest_rate_bps))?
                - i128::from(fee_paid_minor) * 10_000;
            let fmv = net_of_payment(numerator, 10_000, policy, "fee paid", "finder's fee")?;
            single(Kind::FindersFee, policy.finders_fee_class, fmv, context)
        }
        Input::Other { amount_minor, class } => single(Kind::Other, class, Exact::whole(amount_minor), context),
    }
}

/// What use of a good planned or logged is worth at a rate: rate × units (in thousandths),
/// rounded down to the minor unit.
pub fn use_value(rate_minor: i64, units_milli: i64) -> i64 {
    i64::try_from(i128::from(rate_minor) * i128::from(units_milli) / 1_000).unwrap_or(i64::MAX)
}

/// Slices for a value under a class: `round(value × multiplier)`, or zero if the kind does not
/// count. The value is in slice units (minor units when slices have the currency's precision).
pub fn slices_for(value_units: i64, kind: Kind, class: Class, policy: &Policy) -> Result<i64, DomainError> {
    if !policy.counts(kind) {
        return Ok(0);
    }
    let Multiplier(hundredths) = policy.multiplier(class);
    narrow(policy.rounding.divide(mul(value_units, i64::from(hundredths))?, 100)?, "slices")
}

fn require_member(context: &Context<'_>) -> Result<MemberNo, DomainError> {
    context.member.ok_or(DomainError::InvalidText { field: "member", reason: "this kind of contribution needs a member".into() })
}

fn mul(a: i64, b: i64) -> Result<i128, DomainError> {
    i128::from(a).checked_mul(i128::from(b)).ok_or(DomainError::Overflow("a product"))
}

/// A contribution valued at an exact value: its FMV rounded once to the minor unit, its slices
/// from the value rounded once to the slice precision.
fn single(kind: Kind, class: Class, fmv: Exact, context: &Context<'_>) -> Result<Valuation, DomainError> {
    let member = require_member(context)?;
    let rounding = context.policy.rounding;
    let fmv_minor = narrow(rounding.divide(fmv.numerator, fmv.denominator)?, "the value")?;
    let value_units = if context.slices_per_minor == 1 {
        fmv_minor
    } else {
        let scaled = fmv.numerator.checked_mul(i128::from(context.slices_per_minor)).ok_or(DomainError::Overflow("the value in slice units"))?;
        narrow(rounding.divide(scaled, fmv.denominator)?, "the value in slice units")?
    };
    let slices_minor = slices_for(value_units, kind, class, context.policy)?;
    Ok(Valuation { fmv_minor, slices_minor, effects: vec![Effect { member, kind, class, fmv_minor, slices_minor, well_minor: 0 }] })
}

/// Minor units in slice units (exact: the slice scale is never below the currency's).
fn in_slice_units(minor: i64, context: &Context<'_>) -> Result<i64, DomainError> {
    minor.checked_mul(context.slices_per_minor).ok_or(DomainError::Overflow("the value in slice units"))
}

/// `value − paid`, with the policy's rule for over-reimbursement.
fn minus(value: i64, paid: i64, policy: &Policy, paid_field: &'static str, value_field: &'static str) -> Result<i64, DomainError> {
    if paid > value {
        return match policy.over_reimbursement {
            OverReimbursement::Refuse => Err(DomainError::OverReimbursed { paid_field, value_field }),
            OverReimbursement::CountAsZero => Ok(0),
        };
    }
    Ok(value - paid)
}

/// The exact value `numerator / denominator`, applying the over-reimbursement rule when the
/// payment made the numerator negative.
fn net_of_payment(numerator: i128, denominator: i128, policy: &Policy, paid_field: &'static str, value_field: &'static str) -> Result<Exact, DomainError> {
    if numerator < 0 {
        return match policy.over_reimbursement {
            OverReimbursement::Refuse => Err(DomainError::OverReimbursed { paid_field, value_field }),
            OverReimbursement::CountAsZero => Ok(Exact::whole(0)),
        };
    }
    if denominator <= 0 {
        return Err(DomainError::Overflow(value_field));
    }
    Ok(Exact { numerator, denominator })
}

/// The exact value of a time entry as a fraction, before rounding.
fn time_fraction(minutes: i64, paid_minor: i64, context: &Context<'_>) -> Result<(i128, i128), DomainError> {
    let policy = context.policy;
    let hourly = |rate_minor: i64| -> Result<(i128, i128), DomainError> { Ok((mul(rate_minor, minutes)? - i128::from(paid_minor) * 60, 60)) };
    match policy.time_valuation {
        TimeValuation::FlatRate { rate_minor } => hourly(rate_minor),
        TimeValuation::MemberTerms => match context.terms {
            None => Err(DomainError::NoTermsInForce("the contribution's date".into())),
            Some(Terms::Hourly { rate_minor }) => hourly(*rate_minor),
            Some(Terms::Salary { market_salary_minor, cash_salary_minor, hours_per_year }) => {
                let gap = market_salary_minor - cash_salary_minor;
                if gap < 0 && policy.over_reimbursement == OverReimbursement::Refuse {
                    return Err(DomainError::OverReimbursed { paid_field: "cash salary", value_field: "market salary" });
                }
                let hours = match hours_per_year {
                    Some(own) if policy.hours_per_year_per_member => *own,
                    _ => policy.hours_per_year,
                };
                let denominator = i128::from(hours) * 60;
                let numerator = mul(gap.max(0), minutes)? - i128::from(paid_minor) * denominator;
                Ok((numerator, denominator))
            }
        },
    }
}

fn goods(kind: Kind, condition: Condition, value_minor: i64, reimbursed_minor: i64, context: &Context<'_>) -> Result<Valuation, DomainError> {
    let policy = context.policy;
    if value_minor < policy.supplies_value_min_minor {
        return Err(DomainError::BelowMinimum { kind: kind.name(), value: value_minor, minimum: policy.supplies_value_min_minor });
    }
    let class = match condition {
        Condition::New => Class::Cash,
        Condition::UsedRecent | Condition::UsedOld => Class::NonCash,
    };
    let fmv = minus(value_minor, reimbursed_minor, policy, "reimbursed", "value")?;
    single(kind, class, Exact::whole(fmv), context)
}

/// Spending from the well: the amount is split across depositors pro rata to their balances
/// (largest remainder, tie-break rotating with the entry's number), and each share becomes cash
/// slices for its depositor.
fn withdrawal(amount_minor: i64, context: &Context<'_>, state: &dyn StateView) -> Result<Valuation, DomainError> {
    let balances = state.well_balances();
    let available: i64 = balances.iter().map(|(_, b)| *b).sum();
    if amount_minor > available {
        return Err(DomainError::WellInsufficient { available, requested: amount_minor });
    }
    let weights: Vec<i64> = balances.iter().map(|(_, b)| *b).collect();
    let start = usize::try_from(context.tie_break % u64::try_from(balances.len().max(1)).unwrap_or(1)).unwrap_or(0);
    let shares = largest_remainder(amount_minor, &weights, start)?;
    let mut effects = Vec::with_capacity(balances.len());
    let mut slices_total: i64 = 0;
    for ((member, _), share) in balances.iter().zip(shares) {
        if share == 0 {
            continue;
        }
        let slices_minor = slices_for(in_slice_units(share, context)?, Kind::Cash, Class::Cash, context.policy)?;
        slices_total = slices_total.checked_add(slices_minor).ok_or(DomainError::Overflow("slices"))?;
        effects.push(Effect { member: *member, kind: Kind::Cash, class: Class::Cash, fmv_minor: share, slices_minor, well_minor: -share });
    }
    Ok(Valuation { fmv_minor: amount_minor, slices_minor: slices_total, effects })
}

/// Unspent money handed back to its depositor: their well balance falls by the amount, which may
/// not exceed it; it never earned slices, so none are taken.
fn well_return(amount_minor: i64, context: &Context<'_>, state: &dyn StateView) -> Result<Valuation, DomainError> {
    let member = require_member(context)?;
    let available: i64 = state.member_buckets(member).iter().filter(|(kind, _, _)| *kind == Kind::Cash).map(|(_, _, b)| b.well_minor).sum();
    if amount_minor > available {
        return Err(DomainError::WellInsufficient { available, requested: amount_minor });
    }
    Ok(Valuation {
        fmv_minor: 0,
        slices_minor: 0,
        effects: vec![Effect { member, kind: Kind::Cash, class: Class::Cash, fmv_minor: 0, slices_minor: 0, well_minor: -amount_minor }],
    })
}

/// Cash paid to a member reduces their value at risk: first their cash-like buckets (in kind
/// order), then their unspent well balance, then their other buckets; slices of a bucket shrink
/// in proportion to its value. Nothing goes below zero: a payment larger than everything at risk
/// reduces it all and the rest has no effect.
fn cash_paid(amount_minor: i64, context: &Context<'_>, state: &dyn StateView) -> Result<Valuation, DomainError> {
    let member = require_member(context)?;
    let buckets = state.member_buckets(member);
    let mut remaining = amount_minor;
    let mut effects = Vec::new();
    let reduce_buckets = |class_filter: &dyn Fn(Class) -> bool, remaining: &mut i64, effects: &mut Vec<Effect>| -> Result<(), DomainError> {
        for (kind, class, bucket) in &buckets {
            if *remaining == 0 || !class_filter(*class) || bucket.fmv_minor == 0 {
                continue;
            }
            let taken = (*remaining).min(bucket.fmv_minor);
            let slices = if taken == bucket.fmv_minor {
                bucket.slices_minor
            } else {
                narrow(context.policy.rounding.divide(mul(bucket.slices_minor, taken)?, i128::from(bucket.fmv_minor))?, "slices")?
            };
            *remaining -= taken;
            effects.push(Effect { member, kind: *kind, class: *class, fmv_minor: -taken, slices_minor: -slices, well_minor: 0 });
        }
        Ok(())
    };
    reduce_buckets(&|class| class == Class::Cash, &mut remaining, &mut effects)?;
    if remaining > 0 {
        let well: i64 = buckets.iter().filter(|(kind, _, _)| *kind == Kind::Cash).map(|(_, _, b)| b.well_minor).sum();
        let taken = remaining.min(well);
        if taken > 0 {
            remaining -= taken;
            // The well's share is drawn from the cash bucket that holds it.
            effects.push(Effect { member, kind: Kind::Cash, class: Class::Cash, fmv_minor: 0, slices_minor: 0, well_minor: -taken });
        }
    }
    reduce_buckets(&|class| class != Class::Cash, &mut remaining, &mut effects)?;
    let applied = amount_minor - remaining;
    let slices_minor: i64 = effects.iter().map(|e| e.slices_minor).sum();
    Ok(Valuation { fmv_minor: -applied, slices_minor, effects })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::RentalUnit;
    use crate::money::Currency;
    use crate::replay::LedgerState;

    fn eur() -> Currency {
        Currency::from_code("EUR").unwrap()
    }

    const SALARY_100K: Terms = Terms::Salary { market_salary_minor: 10_000_000, cash_salary_minor: 0, hours_per_year: None };
    const SALARY_100K_PAID_40K: Terms = Terms::Salary { market_salary_minor: 10_000_000, cash_salary_minor: 4_000_000, hours_per_year: None };
    const HOURLY_80: Terms = Terms::Hourly { rate_minor: 8_000 };
    const HOURLY_300: Terms = Terms::Hourly { rate_minor: 30_000 };

    /// One worked rule: the inputs, the policy, the role and terms, and the figures expected
    /// (FMV and slices in minor units) or the error code.
    struct Case {
        name: &'static str,
        policy: fn() -> Policy,
        role: Role,
        terms: Option<Terms>,
        input: Input,
        expected: Result<(i64, i64), &'static str>,
    }

    fn pie() -> Policy {
        Policy::slicing_pie(eur())
    }
    fn hours_only() -> Policy {
        Policy::hours_only(eur())
    }
    fn pie_advisor_cap() -> Policy {
        Policy { advisor_cap_slices_per_hour_minor: Some(20_000), ..pie() }
    }
    fn pie_lenient() -> Policy {
        Policy { over_reimbursement: OverReimbursement::CountAsZero, ..pie() }
    }
    fn pie_half_even() -> Policy {
        Policy { rounding: crate::money::Rounding::HalfEven, ..pie() }
    }
    fn pie_min_supplies() -> Policy {
        Policy { supplies_value_min_minor: 5_000, ..pie() }
    }
    fn pie_plain_finders() -> Policy {
        Policy { finders_fee_class: Class::Plain, ..pie() }
    }

    fn cases() -> Vec<Case> {
        use Input::*;
        let member = Role::Member;
        vec![
            Case {
                name: "time: 100k salary gap, 10 h = 500.00 ×2",
                policy: pie,
                role: member,
                terms: Some(SALARY_100K),
                input: Time { days: 1, minutes: 600, paid_minor: 0 },
                expected: Ok((50_000, 100_000)),
            },
            Case {
                name: "time: 60k gap, 1.5 h = 45.00 ×2",
                policy: pie,
                role: member,
                terms: Some(SALARY_100K_PAID_40K),
                input: Time { days: 1, minutes: 90, paid_minor: 0 },
                expected: Ok((4_500, 9_000)),
            },
            Case {
                name: "time: one minute at 50/h rounds half-up",
                policy: pie,
                role: member,
                terms: Some(SALARY_100K),
                input: Time { days: 1, minutes: 1, paid_minor: 0 },
                expected: Ok((83, 166)),
            },
            Case {
                name: "time: hourly 80, 2 h, 50 paid",
                policy: pie,
                role: member,
                terms: Some(HOURLY_80),
                input: Time { days: 1, minutes: 120, paid_minor: 5_000 },
                expected: Ok((11_000, 22_000)),
            },
            Case {
                name: "time: paid more than it was worth",
                policy: pie,
                role: member,
                terms: Some(HOURLY_80),
                input: Time { days: 1, minutes: 60, paid_minor: 9_000 },
                expected: Err("over_reimbursed"),
            },
            Case {
                name: "time: over-paid counts as zero when the policy says so",
                policy: pie_lenient,
                role: member,
                terms: Some(HOURLY_80),
                input: Time { days: 1, minutes: 60, paid_minor: 9_000 },
                expected: Ok((0, 0)),
            },
            Case {
                name: "time: no terms in force",
                policy: pie,
                role: member,
                terms: None,
                input: Time { days: 1, minutes: 60, paid_minor: 0 },
                expected: Err("no_terms_in_force"),
            },
            Case {
                name: "time: advisor capped at 200 slices/h",
                policy: pie_advisor_cap,
                role: Role::Advisor,
                terms: Some(HOURLY_300),
                input: Time { days: 1, minutes: 60, paid_minor: 0 },
                expected: Ok((30_000, 20_000)),
            },
            Case {
                name: "time: the cap leaves members alone",
                policy: pie_advisor_cap,
                role: member,
                terms: Some(HOURLY_300),
                input: Time { days: 1, minutes: 60, paid_minor: 0 },
                expected: Ok((30_000, 60_000)),
            },
            Case {
                name: "time: hours-only, 1.5 h = 1.50 slices",
                policy: hours_only,
                role: member,
                terms: None,
                input: Time { days: 1, minutes: 90, paid_minor: 0 },
                expected: Ok((150, 150)),
            },
            Case {
                name: "expense: 120 − 20 reimbursed = 100 ×4",
                policy: pie,
                role: member,
                terms: None,
                input: Expense { amount_minor: 12_000, reimbursed_minor: 2_000 },
                expected: Ok((10_000, 40_000)),
            },
            Case {
                name: "expense: over-reimbursed",
                policy: pie,
                role: member,
                terms: None,
                input: Expense { amount_minor: 1_000, reimbursed_minor: 2_000 },
                expected: Err("over_reimbursed"),
            },
            Case {
                name: "expense: not counted under hours-only",
                policy: hours_only,
                role: member,
                terms: None,
                input: Expense { amount_minor: 12_000, reimbursed_minor: 0 },
                expected: Ok((12_000, 0)),
            },
            Case {
                name: "equipment: new 1,000 ×4",
                policy: pie,
                role: member,
                terms: None,
                input: Equipment { condition: Condition::New, value_minor: 100_000, reimbursed_minor: 0 },
                expected: Ok((100_000, 400_000)),
            },
            Case {
                name: "equipment: pre-owned under a year, 600 ×2",
                policy: pie,
                role: member,
                terms: None,
                input: Equipment { condition: Condition::UsedRecent, value_minor: 60_000, reimbursed_minor: 0 },
                expected: Ok((60_000, 120_000)),
            },
            Case {
                name: "supplies: older, resale 300 ×2",
                policy: pie,
                role: member,
                terms: None,
                input: Supplies { condition: Condition::UsedOld, value_minor: 30_000, reimbursed_minor: 0 },
                expected: Ok((30_000, 60_000)),
            },
            Case {
                name: "supplies: below the minimum",
                policy: pie_min_supplies,
                role: member,
                terms: None,
                input: Supplies { condition: Condition::New, value_minor: 4_999, reimbursed_minor: 0 },
                expected: Err("below_minimum"),
            },
            Case {
                name: "facilities: rent 500 − 200 paid ×2",
                policy: pie,
                role: member,
                terms: None,
                input: Facilities { market_rent_minor: 50_000, rent_paid_minor: 20_000 },
                expected: Ok((30_000, 60_000)),
            },
            Case {
                name: "capital-use: 2.5 days × 15.00 ×2",
                policy: pie,
                role: member,
                terms: None,
                input: CapitalUse { units_milli: 2_500, unit: RentalUnit::Day, rate_minor: 1_500, fee_paid_minor: 0 },
                expected: Ok((3_750, 7_500)),
            },
            Case {
                name: "capital-use: fee paid",
                policy: pie,
                role: member,
                terms: None,
                input: CapitalUse { units_milli: 3_000, unit: RentalUnit::Hour, rate_minor: 1_000, fee_paid_minor: 1_000 },
                expected: Ok((2_000, 4_000)),
            },
            Case {
                name: "idea: 5% of 10,000 − 100 paid ×2",
                policy: pie,
                role: member,
                terms: None,
                input: Idea { revenue_minor: 1_000_000, royalty_paid_minor: 10_000 },
                expected: Ok((40_000, 80_000)),
            },
            Case {
                name: "sale: 10% of 20,000 ×2",
                policy: pie,
                role: member,
                terms: None,
                input: Sale { revenue_minor: 2_000_000, commission_paid_minor: 0 },
                expected: Ok((200_000, 400_000)),
            },
            Case {
                name: "finder's fee: 5% of 1M + 2.5% of 0.5M ×2",
                policy: pie,
                role: member,
                terms: None,
                input: FindersFee { investment_minor: 150_000_000, fee_paid_minor: 0 },
                expected: Ok((6_250_000, 12_500_000)),
            },
            Case {
                name: "finder's fee: under the first tier",
                policy: pie,
                role: member,
                terms: None,
                input: FindersFee { investment_minor: 2_000_000, fee_paid_minor: 0 },
                expected: Ok((100_000, 200_000)),
            },
            Case {
                name: "finder's fee: plain, no multiplier",
                policy: pie_plain_finders,
                role: member,
                terms: None,
                input: FindersFee { investment_minor: 2_000_000, fee_paid_minor: 0 },
                expected: Ok((100_000, 100_000)),
            },
            Case {
                name: "other: cash class ×4",
                policy: pie,
                role: member,
                terms: None,
                input: Other { amount_minor: 1_000, class: Class::Cash },
                expected: Ok((1_000, 4_000)),
            },
            Case {
                name: "other: non-cash ×2",
                policy: pie,
                role: member,
                terms: None,
                input: Other { amount_minor: 1_000, class: Class::NonCash },
                expected: Ok((1_000, 2_000)),
            },
            Case { name: "deposit: nothing until spent", policy: pie, role: member, terms: None, input: Deposit { amount_minor: 5_000 }, expected: Ok((0, 0)) },
            Case {
                name: "zero amounts are refused",
                policy: pie,
                role: member,
                terms: None,
                input: Expense { amount_minor: 0, reimbursed_minor: 0 },
                expected: Err("zero_amount"),
            },
            Case {
                name: "absurd amounts are refused",
                policy: pie,
                role: member,
                terms: None,
                input: Expense { amount_minor: i64::MAX, reimbursed_minor: 0 },
                expected: Err("amount_too_large"),
            },
            Case {
                name: "absurd hours are refused",
                policy: pie,
                role: member,
                terms: Some(SALARY_100K),
                input: Time { days: 1, minutes: 10_000 * 60 + 1, paid_minor: 0 },
                expected: Err("amount_too_large"),
            },
            Case {
                name: "half-even rounding of a half minor unit",
                policy: pie_half_even,
                role: member,
                terms: Some(Terms::Hourly { rate_minor: 1 }),
                input: Time { days: 1, minutes: 30, paid_minor: 0 },
                expected: Ok((0, 0)),
            },
            Case {
                name: "half-up rounding of a half minor unit",
                policy: pie,
                role: member,
                terms: Some(Terms::Hourly { rate_minor: 1 }),
                input: Time { days: 1, minutes: 30, paid_minor: 0 },
                expected: Ok((1, 2)),
            },
        ]
    }

    fn check(case: &Case) {
        use crate::ErrorCode;
        let policy = (case.policy)();
        let context =
            Context { policy: &policy, member: Some(MemberNo(1)), role: Some(case.role), terms: case.terms.as_ref(), tie_break: 1, slices_per_minor: 1 };
        let outcome = value(&case.input, &context, &LedgerState::new()).map(|v| {
            assert_eq!(v.effects.iter().map(|e| e.slices_minor).sum::<i64>(), v.slices_minor, "{}: effects add up", case.name);
            (v.fmv_minor, v.slices_minor)
        });
        assert_eq!(outcome.map_err(|e| e.code()), case.expected, "{}", case.name);
    }

    #[test]
    fn slices_keep_their_precision_where_the_currency_has_none() {
        // An hours-only venture in yen: twenty minutes is a third of a yen, but a third of a slice.
        let jpy = Currency::from_code("JPY").unwrap();
        let policy = Policy::hours_only(jpy);
        let context = Context { policy: &policy, member: Some(MemberNo(1)), role: Some(Role::Member), terms: None, tie_break: 1, slices_per_minor: 100 };
        let twenty = Input::Time { minutes: 20, paid_minor: 0, days: 1 };
        let valuation = value(&twenty, &context, &LedgerState::new()).unwrap();
        assert_eq!((valuation.fmv_minor, valuation.slices_minor), (0, 33));
        // Under the first edition slices had the yen's precision: none.
        let first = Context { slices_per_minor: 1, ..context };
        assert_eq!(value(&twenty, &first, &LedgerState::new()).unwrap().slices_minor, 0);
        // A payment from the well turns whole yen into slices with two decimals.
        let mut state = LedgerState::new();
        state.apply(&[Effect { member: MemberNo(1), kind: Kind::Cash, class: Class::Cash, fmv_minor: 0, slices_minor: 0, well_minor: 500 }]).unwrap();
        let pie = Policy::slicing_pie(jpy);
        let withdrawal = Context { policy: &pie, member: None, role: None, ..context };
        assert_eq!(value(&Input::Withdrawal { amount_minor: 300 }, &withdrawal, &state).unwrap().slices_minor, 120_000);
    }

    #[test]
    fn worked_slicing_pie_rules() {
        for case in cases() {
            check(&case);
        }
    }

    fn deposit(state: &mut LedgerState, member: u32, amount: i64) {
        let policy = pie();
        let context = Context { policy: &policy, member: Some(MemberNo(member)), role: Some(Role::Member), terms: None, tie_break: 1, slices_per_minor: 1 };
        let valuation = value(&Input::Deposit { amount_minor: amount }, &context, state).unwrap();
        state.apply(&valuation.effects).unwrap();
    }

    #[test]
    fn withdrawal_is_pro_rata_and_exact() {
        let mut state = LedgerState::new();
        deposit(&mut state, 1, 2_000);
        deposit(&mut state, 2, 5_000);
        deposit(&mut state, 3, 3_000);
        let policy = pie();
        let context = Context { policy: &policy, member: None, role: None, terms: None, tie_break: 4, slices_per_minor: 1 };
        let valuation = value(&Input::Withdrawal { amount_minor: 1_001 }, &context, &state).unwrap();
        let shares: Vec<(u32, i64, i64)> = valuation.effects.iter().map(|e| (e.member.0, e.fmv_minor, e.slices_minor)).collect();
        // 1,001 × 20% / 50% / 30% = 200.2 / 500.5 / 300.3: the spare unit goes to the largest remainder.
        assert_eq!(shares, vec![(1, 200, 800), (2, 501, 2_004), (3, 300, 1_200)]);
        assert_eq!(valuation.fmv_minor, 1_001);
        state.apply(&valuation.effects).unwrap();
        assert_eq!(state.well_total(), 10_000 - 1_001);
        let too_much = value(&Input::Withdrawal { amount_minor: 9_000 }, &context, &state).unwrap_err();
        assert!(matches!(too_much, DomainError::WellInsufficient { available: 8_999, requested: 9_000 }));
    }

    #[test]
    fn a_well_return_lowers_only_the_depositors_balance() {
        let mut state = LedgerState::new();
        deposit(&mut state, 1, 2_000);
        deposit(&mut state, 2, 5_000);
        let policy = pie();
        let context = Context { policy: &policy, member: Some(MemberNo(2)), role: Some(Role::Member), terms: None, tie_break: 3, slices_per_minor: 1 };
        let valuation = value(&Input::WellReturn { amount_minor: 1_500 }, &context, &state).unwrap();
        assert_eq!((valuation.fmv_minor, valuation.slices_minor), (0, 0));
        state.apply(&valuation.effects).unwrap();
        assert_eq!(state.well_balances(), vec![(MemberNo(1), 2_000), (MemberNo(2), 3_500)]);
        let too_much = value(&Input::WellReturn { amount_minor: 3_501 }, &context, &state).unwrap_err();
        assert!(matches!(too_much, DomainError::WellInsufficient { available: 3_500, requested: 3_501 }));
    }

    #[test]
    fn cash_paid_reduces_cash_then_well_then_non_cash() {
        let policy = pie();
        let mut state = LedgerState::new();
        let context =
            Context { policy: &policy, member: Some(MemberNo(1)), role: Some(Role::Member), terms: Some(&HOURLY_80), tie_break: 1, slices_per_minor: 1 };
        for input in [
            Input::Expense { amount_minor: 10_000, reimbursed_minor: 0 },
            Input::Deposit { amount_minor: 5_000 },
            Input::Time { days: 1, minutes: 600, paid_minor: 0 },
        ] {
            let valuation = value(&input, &context, &state).unwrap();
            state.apply(&valuation.effects).unwrap();
        }
        // 100 expense (400 slices), 50 in the well, 800 of time (1,600 slices). Pay 200.
        let valuation = value(&Input::CashPaid { amount_minor: 20_000 }, &context, &state).unwrap();
        let effects: Vec<(Kind, i64, i64, i64)> = valuation.effects.iter().map(|e| (e.kind, e.fmv_minor, e.slices_minor, e.well_minor)).collect();
        assert_eq!(effects, vec![(Kind::Expense, -10_000, -40_000, 0), (Kind::Cash, 0, 0, -5_000), (Kind::Time, -5_000, -10_000, 0)]);
        assert_eq!(valuation.fmv_minor, -20_000);
        state.apply(&valuation.effects).unwrap();
        // Paying far more than is at risk takes everything to zero, never below.
        let valuation = value(&Input::CashPaid { amount_minor: 10_000_000 }, &context, &state).unwrap();
        state.apply(&valuation.effects).unwrap();
        assert!(state.sorted_buckets().is_empty());
    }
}

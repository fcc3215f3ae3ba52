//! A venture's policy: the formula that values contributions into slices, and every setting the
//! source model leaves open, made explicit.

use crate::DomainError;
use crate::kind::{ALL_KINDS, Class, Kind};
use crate::money::{AMOUNT_MINOR_MAX, Currency, Rounding, check_amount};

/// A multiplier in hundredths (400 = ×4, 150 = ×1.5). Custom multipliers are exact decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Multiplier(pub u32);

impl Multiplier {
    /// ×1.
    pub const ONE: Multiplier = Multiplier(100);
    /// The largest multiplier accepted (×20).
    pub const MAX: Multiplier = Multiplier(2000);
}

/// How time is valued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeValuation {
    /// From each member's terms: (market salary − cash salary) ÷ hours per year, or an hourly rate.
    MemberTerms,
    /// Every hour counts the same: a flat rate per hour for everyone ("hours in").
    FlatRate {
        /// Minor units per hour.
        rate_minor: i64,
    },
}

/// What happens when a payment or reimbursement is larger than the value it offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverReimbursement {
    /// Refuse the entry with an error.
    Refuse,
    /// Value it at zero.
    CountAsZero,
}

/// What a bad leaver keeps of rent (facilities, capital-use) and royalty (idea) slices; the source
/// model contradicts itself here, so it is a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaverRentRoyalty {
    /// They survive a departure, as cash-like value at ×1.
    Keep,
    /// They are lost like other non-cash slices.
    Lose,
}

/// What happens to contributions logged after the split is frozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFreeze {
    /// They are recorded and show in the live split; the frozen cap table does not change until
    /// the split is unfrozen and frozen again.
    Record,
    /// They are refused: once frozen, the venture pays for contributions in cash.
    Refuse,
}

impl AfterFreeze {
    /// The name used in files.
    pub fn name(&self) -> &'static str {
        match self {
            AfterFreeze::Record => "record",
            AfterFreeze::Refuse => "refuse",
        }
    }
}

/// Who must approve a contribution before it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewRule {
    /// Entries count as soon as they are logged.
    None,
    /// A steward other than the entry's author and the member it is for approves it.
    Stewards,
    /// Peers other than the author and the member it is for approve it: `count` of them, or,
    /// when `weighted`, approvers holding at least `count` percent of those peers' slices.
    Quorum {
        /// Approvals needed, or the percentage of slices when weighted.
        count: u32,
        /// Whether approvals weigh by the approvers' slices.
        weighted: bool,
    },
}

/// Who settles a disputed entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisputeRule {
    /// A steward decides (not the entry's author or the member it is for).
    Stewards,
    /// The members other than its author and the member it is for vote; a majority decides.
    Vote,
}

/// Who adopts a proposed change of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionRule {
    /// A majority of the stewards.
    Stewards,
    /// This many members (or all of them, when there are fewer).
    Quorum(u32),
    /// Every member.
    All,
}

/// A venture's policy. Built from a preset or a file, then checked by [`Policy::validate`];
/// stored as a new version whenever it changes, and each version applies only from its effective
/// date on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The preset this policy started from ("slicing-pie", "hours-only", "custom").
    pub preset: String,
    /// Multiplier for cash-like contributions.
    pub multiplier_cash: Multiplier,
    /// Multiplier for non-cash contributions.
    pub multiplier_non_cash: Multiplier,
    /// Rounding of every division to the minor unit.
    pub rounding: Rounding,
    /// How time is valued.
    pub time_valuation: TimeValuation,
    /// Working hours per year, dividing a yearly salary gap into an hourly one.
    pub hours_per_year: u32,
    /// Whether a member's terms may set their own hours per year.
    pub hours_per_year_per_member: bool,
    /// Royalty on revenue from an idea, in basis points (500 = 5%).
    pub royalty_rate_bps: u32,
    /// Commission on revenue from a sale, in basis points (1000 = 10%).
    pub commission_rate_bps: u32,
    /// Finder's fee on the first tier of an investment, in basis points.
    pub finders_fee_first_rate_bps: u32,
    /// Where the first tier ends, minor units (1,000,000 currency units by default).
    pub finders_fee_first_tier_minor: i64,
    /// Finder's fee on the rest, in basis points.
    pub finders_fee_rest_rate_bps: u32,
    /// The class of a finder's fee (non-cash by default; `plain` for no multiplier).
    pub finders_fee_class: Class,
    /// What happens when a payment exceeds the value it offsets.
    pub over_reimbursement: OverReimbursement,
    /// Supplies and equipment below this value are refused (minor units; 0 = no minimum).
    pub supplies_value_min_minor: i64,
    /// A cap on an advisor's slices per hour (slice minor units), if the advisor accepts one.
    pub advisor_cap_slices_per_hour_minor: Option<i64>,
    /// Which kinds count at all.
    pub counted: [bool; 11],
    /// What a bad leaver keeps of rent and royalty slices.
    pub leaver_rent_royalty: LeaverRentRoyalty,
    /// Loyalty clause: slices older than this many months survive resigning for no good reason.
    pub loyalty_months: Option<u32>,
    /// Buyout price of one whole slice, minor units (1 currency unit by default).
    pub buyout_price_per_slice_minor: i64,
    /// The claw-back window after a good leaver's buyout, in months.
    pub clawback_months: u32,
    /// Whether a frozen split may be unfrozen (with the same approval as the freeze).
    pub freeze_reversible: bool,
    /// A funding round at least this large (minor units) is a reason to propose a freeze.
    pub freeze_funding_threshold_minor: Option<i64>,
    /// What happens to contributions logged while the split is frozen.
    pub after_freeze: AfterFreeze,
    /// After this many days with no steward active, the venture may be adopted.
    pub steward_silence_days: u32,
    /// How long members have to object to someone adopting the venture, in days.
    pub adoption_notice_days: u32,
    /// Who approves a contribution before it counts.
    pub review: ReviewRule,
    /// Who settles a disputed entry.
    pub disputes: DisputeRule,
    /// Who adopts a proposed policy change.
    pub proposals: DecisionRule,
}

impl Policy {
    /// The Slicing Pie defaults from the brief: ×4 cash, ×2 non-cash, 2,000 hours a year, 5%
    /// royalty, 10% commission, finder's fee 5% of the first 1,000,000 and 2.5% of the rest.
    pub fn slicing_pie(currency: Currency) -> Policy {
        let unit = currency.minor_per_major();
        Policy {
            preset: "slicing-pie".to_string(),
            multiplier_cash: Multiplier(400),
            multiplier_non_cash: Multiplier(200),
            rounding: Rounding::HalfUp,
            time_valuation: TimeValuation::MemberTerms,
            hours_per_year: 2000,
            hours_per_year_per_member: false,
            royalty_rate_bps: 500,
            commission_rate_bps: 1000,
            finders_fee_first_rate_bps: 500,
            finders_fee_first_tier_minor: 1_000_000_i64.saturating_mul(unit),
            finders_fee_rest_rate_bps: 250,
            finders_fee_class: Class::NonCash,
            over_reimbursement: OverReimbursement::Refuse,
            supplies_value_min_minor: 0,
            advisor_cap_slices_per_hour_minor: None,
            counted: [true; 11],
            leaver_rent_royalty: LeaverRentRoyalty::Keep,
            loyalty_months: None,
            buyout_price_per_slice_minor: unit,
            clawback_months: 12,
            freeze_reversible: true,
            freeze_funding_threshold_minor: None,
            after_freeze: AfterFreeze::Record,
            steward_silence_days: 180,
            adoption_notice_days: 30,
            review: ReviewRule::None,
            disputes: DisputeRule::Stewards,
            proposals: DecisionRule::Stewards,
        }
    }

    /// Every hour counts the same: one slice per hour, no multipliers, and only time counts
    /// (a file may turn other kinds back on).
    pub fn hours_only(currency: Currency) -> Policy {
        let mut counted = [false; 11];
        counted[Kind::Time.index()] = true;
        Policy {
            preset: "hours-only".to_string(),
            multiplier_cash: Multiplier::ONE,
            multiplier_non_cash: Multiplier::ONE,
            time_valuation: TimeValuation::FlatRate { rate_minor: currency.minor_per_major() },
            counted,
            ..Policy::slicing_pie(currency)
        }
    }

    /// A preset by name.
    pub fn preset(name: &str, currency: Currency) -> Option<Policy> {
        match name {
            "slicing-pie" => Some(Policy::slicing_pie(currency)),
            "hours-only" => Some(Policy::hours_only(currency)),
            _ => None,
        }
    }

    /// The multiplier of a class under this policy.
    pub fn multiplier(&self, class: Class) -> Multiplier {
        match class {
            Class::Cash => self.multiplier_cash,
            Class::NonCash => self.multiplier_non_cash,
            Class::Plain => Multiplier::ONE,
        }
    }

    /// Whether a kind counts.
    pub fn counts(&self, kind: Kind) -> bool {
        self.counted[kind.index()]
    }

    /// Checks every setting is in range.
    pub fn validate(&self) -> Result<(), DomainError> {
        let invalid = |setting: &'static str, reason: &str| DomainError::InvalidPolicy { setting, reason: reason.to_string() };
        for (setting, multiplier) in [("multiplier_cash", self.multiplier_cash), ("multiplier_non_cash", self.multiplier_non_cash)] {
            if multiplier.0 == 0 || multiplier.0 > Multiplier::MAX.0 {
                return Err(invalid(setting, "must be more than 0 and at most 20"));
            }
        }
        if !(100..=8784).contains(&self.hours_per_year) {
            return Err(invalid("hours_per_year", "must be between 100 and 8784"));
        }
        for (setting, bps) in [
            ("royalty_rate", self.royalty_rate_bps),
            ("commission_rate", self.commission_rate_bps),
            ("finders_fee_first_rate", self.finders_fee_first_rate_bps),
            ("finders_fee_rest_rate", self.finders_fee_rest_rate_bps),
        ] {
            if bps > 10_000 {
                return Err(invalid(setting, "must be between 0% and 100%"));
            }
        }
        if let TimeValuation::FlatRate { rate_minor } = self.time_valuation {
            check_amount("time_flat_rate", rate_minor)?;
            if rate_minor == 0 {
                return Err(invalid("time_flat_rate", "must be more than zero"));
            }
        }
        check_amount("finders_fee_first_tier", self.finders_fee_first_tier_minor)?;
        check_amount("supplies_value_min", self.supplies_value_min_minor)?;
        check_amount("buyout_price_per_slice", self.buyout_price_per_slice_minor)?;
        if let Some(cap) = self.advisor_cap_slices_per_hour_minor
            && (cap <= 0 || cap > AMOUNT_MINOR_MAX)
        {
            return Err(invalid("advisor_cap_slices_per_hour", "must be more than zero"));
        }
        if let Some(threshold) = self.freeze_funding_threshold_minor {
            check_amount("freeze_funding_threshold", threshold)?;
        }
        if self.loyalty_months.is_some_and(|m| m == 0 || m > 600) {
            return Err(invalid("loyalty_months", "must be between 1 and 600"));
        }
        if !(7..=3660).contains(&self.steward_silence_days) {
            return Err(invalid("steward_silence_days", "must be between 7 and 3660"));
        }
        if !(1..=365).contains(&self.adoption_notice_days) {
            return Err(invalid("adoption_notice_days", "must be between 1 and 365"));
        }
        if self.clawback_months > 120 {
            return Err(invalid("clawback_months", "must be at most 120"));
        }
        if let ReviewRule::Quorum { count, weighted } = self.review
            && (count == 0 || (weighted && count > 100) || count > 1_000)
        {
            return Err(invalid("review_quorum", "must be at least 1 (and at most 100 when weighted by slices)"));
        }
        if let DecisionRule::Quorum(count) = self.proposals
            && (count == 0 || count > 1_000)
        {
            return Err(invalid("proposal_quorum", "must be between 1 and 1000"));
        }
        if !ALL_KINDS.iter().any(|k| self.counts(*k)) {
            return Err(invalid("counted", "at least one kind must count"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_valid() {
        let eur = Currency::from_code("EUR").unwrap();
        Policy::slicing_pie(eur).validate().unwrap();
        Policy::hours_only(eur).validate().unwrap();
        assert!(Policy::preset("nope", eur).is_none());
    }

    #[test]
    fn out_of_range_settings_are_refused() {
        let eur = Currency::from_code("EUR").unwrap();
        let mut policy = Policy::slicing_pie(eur);
        policy.multiplier_cash = Multiplier(0);
        assert!(policy.validate().is_err());
        let mut policy = Policy::slicing_pie(eur);
        policy.royalty_rate_bps = 10_001;
        assert!(policy.validate().is_err());
        let mut policy = Policy::slicing_pie(eur);
        policy.counted = [false; 11];
        assert!(policy.validate().is_err());
    }
}

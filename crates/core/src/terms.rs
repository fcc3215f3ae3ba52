//! Members' numbers, roles and terms.

use crate::DomainError;

/// A member's number within one venture (1, 2, 3 … in order of joining). Ids are per venture so a
/// venture's ledger is self-contained and exports reproduce the same hash chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MemberNo(pub u32);

/// A member's role in a venture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Runs the venture and sets its policy.
    Steward,
    /// Contributes as a peer.
    Member,
    /// Advises; the policy may cap their slices per hour.
    Advisor,
    /// Works for a billed rate.
    Contractor,
    /// Gives cash or lends goods only.
    Backer,
}

impl Role {
    /// The name used in files and the CLI.
    pub fn name(&self) -> &'static str {
        match self {
            Role::Steward => "steward",
            Role::Member => "member",
            Role::Advisor => "advisor",
            Role::Contractor => "contractor",
            Role::Backer => "backer",
        }
    }

    /// Parses a name.
    pub fn from_name(name: &str) -> Option<Role> {
        match name {
            "steward" => Some(Role::Steward),
            "member" => Some(Role::Member),
            "advisor" => Some(Role::Advisor),
            "contractor" => Some(Role::Contractor),
            "backer" => Some(Role::Backer),
            _ => None,
        }
    }
}

/// The terms a member's time is valued with. Versioned: each version has an effective date and
/// values only the time logged on or after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terms {
    /// A yearly market salary and the cash salary actually paid; the gap is at risk.
    Salary {
        /// What the job would pay elsewhere, per year, minor units.
        market_salary_minor: i64,
        /// Cash salary paid by the venture, per year, minor units.
        cash_salary_minor: i64,
        /// This member's working hours per year, when the policy allows a per-member figure.
        hours_per_year: Option<u32>,
    },
    /// An hourly rate (contractors, advisors).
    Hourly {
        /// Rate per hour, minor units.
        rate_minor: i64,
    },
}

impl Terms {
    /// Checks the amounts are within limits and the hours are sensible.
    pub fn validate(&self) -> Result<(), DomainError> {
        match *self {
            Terms::Salary { market_salary_minor, cash_salary_minor, hours_per_year } => {
                crate::money::check_amount("market salary", market_salary_minor)?;
                crate::money::check_amount("cash salary", cash_salary_minor)?;
                if let Some(hours) = hours_per_year
                    && !(100..=8784).contains(&hours)
                {
                    return Err(DomainError::InvalidQuantity { field: "hours per year", text: hours.to_string(), hint: "between 100 and 8784" });
                }
                Ok(())
            }
            Terms::Hourly { rate_minor } => {
                crate::money::check_amount("hourly rate", rate_minor)?;
                Ok(())
            }
        }
    }
}

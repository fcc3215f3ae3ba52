//! Domain errors. Each carries a stable, machine-readable code that the edges return verbatim.

use thiserror::Error;

/// A stable error code, the same string at every edge (CLI, JSON API, pages).
pub trait ErrorCode {
    /// The stable snake_case code of this error.
    fn code(&self) -> &'static str;
}

/// Everything the domain can refuse. None of these is a programmer error: they describe input
/// that breaks a rule, so callers report them and write nothing.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DomainError {
    /// A number could not be read exactly as written: the hint says how to write it.
    #[error("{field}: '{text}' {hint}")]
    InvalidAmount {
        /// The input field.
        field: &'static str,
        /// What was given.
        text: String,
        /// How to write it, with the readings it could have had.
        hint: String,
    },
    /// A number was negative where only zero or more makes sense.
    #[error("{field} must not be negative")]
    NegativeAmount {
        /// The input field.
        field: &'static str,
    },
    /// A number was beyond the limits peerstake accepts.
    #[error("{field} is too large (the limit is {limit})")]
    AmountTooLarge {
        /// The input field.
        field: &'static str,
        /// The limit, as readable text.
        limit: String,
    },
    /// A quantity (hours, units) could not be read.
    #[error("{field}: '{text}' is not a valid quantity ({hint})")]
    InvalidQuantity {
        /// The input field.
        field: &'static str,
        /// What was given.
        text: String,
        /// How to write it.
        hint: &'static str,
    },
    /// A required input was zero.
    #[error("{field} must be more than zero")]
    ZeroAmount {
        /// The input field.
        field: &'static str,
    },
    /// The currency code is not an ISO 4217 code peerstake knows.
    #[error("unknown currency '{0}' (use an ISO 4217 code such as EUR, USD, JPY)")]
    UnknownCurrency(String),
    /// A checked product or sum overflowed.
    #[error("arithmetic overflow while computing {0}")]
    Overflow(&'static str),
    /// A reimbursement or payment was larger than the value it offsets, and the policy refuses it.
    #[error("{paid_field} is more than the {value_field}; the policy refuses over-reimbursement")]
    OverReimbursed {
        /// The field holding the payment.
        paid_field: &'static str,
        /// The field holding the value.
        value_field: &'static str,
    },
    /// A policy setting is out of its range.
    #[error("policy setting {setting}: {reason}")]
    InvalidPolicy {
        /// The setting.
        setting: &'static str,
        /// Why it is refused.
        reason: String,
    },
    /// A time entry needs member terms and the member has none in force.
    #[error("member has no terms in force on {0}; set a market salary or an hourly rate first")]
    NoTermsInForce(String),
    /// A well withdrawal asked for more than the well holds.
    #[error("the well holds {available} but {requested} was asked for")]
    WellInsufficient {
        /// The well's balance, minor units.
        available: i64,
        /// The withdrawal, minor units.
        requested: i64,
    },
    /// Supplies or equipment below the policy's minimum value.
    #[error("value {value} is below the policy's minimum of {minimum} for {kind}")]
    BelowMinimum {
        /// The kind.
        kind: &'static str,
        /// The value, minor units.
        value: i64,
        /// The minimum, minor units.
        minimum: i64,
    },
    /// Applying the effects would leave a negative balance somewhere.
    #[error("this would leave member #{member} with negative {what} in {kind}")]
    WouldGoNegative {
        /// The member number.
        member: u32,
        /// The kind bucket.
        kind: &'static str,
        /// "slices", "value" or "well balance".
        what: &'static str,
    },
    /// An input record could not be decoded (a stored entry was damaged).
    #[error("stored inputs could not be read: {0}")]
    CorruptInputs(String),
    /// A text field is too long or empty.
    #[error("{field}: {reason}")]
    InvalidText {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

impl ErrorCode for DomainError {
    fn code(&self) -> &'static str {
        match self {
            DomainError::InvalidAmount { .. } => "invalid_amount",
            DomainError::NegativeAmount { .. } => "negative_amount",
            DomainError::AmountTooLarge { .. } => "amount_too_large",
            DomainError::InvalidQuantity { .. } => "invalid_quantity",
            DomainError::ZeroAmount { .. } => "zero_amount",
            DomainError::UnknownCurrency(_) => "unknown_currency",
            DomainError::Overflow(_) => "arithmetic_overflow",
            DomainError::OverReimbursed { .. } => "over_reimbursed",
            DomainError::InvalidPolicy { .. } => "invalid_policy",
            DomainError::NoTermsInForce(_) => "no_terms_in_force",
            DomainError::WellInsufficient { .. } => "well_insufficient",
            DomainError::BelowMinimum { .. } => "below_minimum",
            DomainError::WouldGoNegative { .. } => "would_go_negative",
            DomainError::CorruptInputs(_) => "corrupt_inputs",
            DomainError::InvalidText { .. } => "invalid_text",
        }
    }
}

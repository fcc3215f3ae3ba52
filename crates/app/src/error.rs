//! Application errors: every refusal a use case can return, each with a stable code.

use peerstake_core::{DomainError, ErrorCode};
use peerstake_store::StoreError;
use thiserror::Error;

/// Why a use case refused or failed. Nothing is written when one is returned.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AppError {
    /// A rule of the domain refused the input.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The thing named does not exist.
    #[error("{what} '{name}' not found")]
    NotFound {
        /// What kind of thing.
        what: &'static str,
        /// Its name.
        name: String,
    },
    /// It exists already.
    #[error("{what} '{name}' already exists")]
    AlreadyExists {
        /// What kind of thing.
        what: &'static str,
        /// Its name.
        name: String,
    },
    /// An input is not acceptable.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
    /// A date outside what is allowed.
    #[error("{field}: {reason}")]
    DateOutOfRange {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The entry would change a balance that a recorded entry dated later read.
    #[error("date: {on} is too early: {reason} on {earliest}; date this entry {earliest} or later")]
    Backdated {
        /// The date asked for.
        on: time::Date,
        /// The earliest date the entry may carry.
        earliest: time::Date,
        /// What read the balances it would change.
        reason: String,
    },
    /// The same idempotency key was used before with a different request.
    #[error("idempotency key '{0}' was already used for a different request")]
    IdempotencyConflict(String),
    /// The entry was reversed already.
    #[error("entry #{seq} was already reversed by entry #{by}")]
    AlreadyReversed {
        /// The entry.
        seq: u64,
        /// The reversal.
        by: u64,
    },
    /// A reversal cannot itself be reversed.
    #[error("entry #{0} is a reversal; log a new entry instead")]
    ReversalOfReversal(u64),
    /// A policy or terms change would apply to entries already valued.
    #[error("{what} cannot take effect on {effective_from}: {reason}; choose a later date")]
    Retroactive {
        /// Policy or terms.
        what: &'static str,
        /// The date asked for.
        effective_from: String,
        /// What it would collide with.
        reason: String,
    },
    /// A review step was refused (who took it, or the entry's state).
    #[error("entry #{seq}: {refusal}")]
    Review {
        /// The entry.
        seq: u64,
        /// Why.
        refusal: peerstake_core::review::Refusal,
    },
    /// A line of an import file was refused; nothing was imported.
    #[error("line {line}: {source}")]
    ImportLine {
        /// The 1-based line number in the file.
        line: u64,
        /// Why.
        source: Box<AppError>,
    },
    /// A file could not be read or written.
    #[error("{0}")]
    File(String),
    /// Verification found differences.
    #[error("verification failed: {0} difference(s)")]
    VerificationFailed(usize),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Not signed in, or the credentials are wrong.
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, but this person may not do this.
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// Too many failed attempts; try again later.
    #[error("too many failed attempts; try again in {retry_after_seconds} seconds")]
    Throttled {
        /// When to try again.
        retry_after_seconds: i64,
    },
    /// The system refused a resource the work needs (a thread).
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The input field at fault, when the error is about one (for showing it next to the field).
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            AppError::DateOutOfRange { field, .. } => Some(field),
            AppError::Backdated { .. } => Some("date"),
            AppError::ImportLine { source, .. } => source.field(),
            AppError::Domain(
                DomainError::InvalidAmount { field, .. }
                | DomainError::NegativeAmount { field, .. }
                | DomainError::AmountTooLarge { field, .. }
                | DomainError::InvalidQuantity { field, .. }
                | DomainError::ZeroAmount { field, .. },
            ) => Some(field),
            AppError::Domain(DomainError::OverReimbursed { paid_field, .. }) => Some(paid_field),
            AppError::Domain(DomainError::UnknownCurrency(_)) => Some("currency"),
            _ => None,
        }
    }
}

impl ErrorCode for AppError {
    fn code(&self) -> &'static str {
        match self {
            AppError::Domain(error) => error.code(),
            AppError::NotFound { .. } => "not_found",
            AppError::AlreadyExists { .. } => "already_exists",
            AppError::Invalid { .. } => "invalid_input",
            AppError::DateOutOfRange { .. } => "date_out_of_range",
            AppError::Backdated { .. } => "backdated",
            AppError::IdempotencyConflict(_) => "idempotency_conflict",
            AppError::AlreadyReversed { .. } => "already_reversed",
            AppError::ReversalOfReversal(_) => "reversal_of_reversal",
            AppError::Retroactive { .. } => "retroactive_change",
            AppError::Review { refusal, .. } => refusal.code(),
            AppError::ImportLine { source, .. } => source.code(),
            AppError::File(_) => "file_error",
            AppError::VerificationFailed(_) => "verification_failed",
            AppError::Store(StoreError::Conflict(_)) => "conflict",
            AppError::Store(StoreError::AppendOnly(_)) => "append_only",
            AppError::Store(StoreError::Corrupt(_)) => "corrupt_data",
            AppError::Store(_) => "storage_error",
            AppError::Internal(_) => "internal",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::Throttled { .. } => "too_many_attempts",
        }
    }
}

/// Shorthand for an [`AppError::Invalid`].
pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> AppError {
    AppError::Invalid { field: field.into(), reason: reason.into() }
}

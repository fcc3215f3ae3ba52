//! The targets, one module per kind of outside input, and what they share: how an error becomes
//! an outcome, and which errors no outside input may cause.

pub mod canonical;
pub mod csv;
pub mod dates;
pub mod effects;
pub mod fixture;
pub mod numbers;
pub mod policy;
pub mod quantities;
pub mod restore;

use peerstake_app::AppError;
use peerstake_core::ErrorCode;

/// Error codes that say "the server or the data is broken": outside input must never cause one.
pub const FAULT_CODES: &[&str] = &["storage_error", "corrupt_data", "internal", "corrupt_inputs"];

/// An application error as an outcome: its code and the field it names.
pub fn outcome_of(error: &AppError) -> String {
    match error.field() {
        Some(field) => format!("{}:{field}", error.code()),
        None => error.code().to_string(),
    }
}

/// Refuses an error that reports a fault for what was only bad input.
pub fn refuse_fault(what: &str, error: &AppError) -> Result<(), String> {
    if FAULT_CODES.contains(&error.code()) {
        return Err(format!("fault for bad input: {what} answered {} ({error})", error.code()));
    }
    Ok(())
}

//! How numbers typed on the command line are read: in the format `--number-format` names, or else
//! in the venture's own (`1,234.56` unless its stewards chose another), strictly, and turned into
//! the canonical text the use cases take. `12,50` where numbers are written `1,234.56` is refused
//! with the ways to write what was meant.

use std::sync::OnceLock;

use peerstake_app::forms::{ContributionForm, TermsForm, read_amount};
use peerstake_app::{AppError, Commons};
use peerstake_core::numbers::NumberFormat;

/// The format `--number-format` named, once parsed.
static CHOSEN: OnceLock<Option<NumberFormat>> = OnceLock::new();

/// Records the `--number-format` flag, refusing a format that does not exist.
pub fn choose(flag: Option<&str>) -> Result<(), AppError> {
    let chosen = flag.map(peerstake_app::forms::number_format).transpose()?;
    // Set once, before any command runs.
    let _ = CHOSEN.set(chosen);
    Ok(())
}

/// The format amounts for `venture` are read in (the chosen one for commons-wide commands).
pub fn format_for(commons: &Commons, venture: Option<&str>) -> Result<NumberFormat, AppError> {
    match (CHOSEN.get().copied().flatten(), venture) {
        (Some(chosen), _) => Ok(chosen),
        (None, Some(slug)) => commons.number_format(slug),
        (None, None) => Ok(NumberFormat::default()),
    }
}

/// An amount as typed, in canonical text.
pub fn amount(commons: &Commons, venture: Option<&str>, field: &'static str, text: &str) -> Result<String, AppError> {
    read_amount(format_for(commons, venture)?, field, text)
}

/// An optional amount as typed, in canonical text.
pub fn optional(commons: &Commons, venture: Option<&str>, field: &'static str, text: Option<String>) -> Result<Option<String>, AppError> {
    text.map(|t| amount(commons, venture, field, &t)).transpose()
}

/// A quantity of units as typed, in canonical text.
pub fn units(commons: &Commons, venture: Option<&str>, text: &str) -> Result<String, AppError> {
    Ok(format_for(commons, venture)?.canonical_quantity("units", text)?)
}

/// A contribution's numbers as typed, in canonical text.
pub fn contribution(commons: &Commons, venture: &str, form: &ContributionForm) -> Result<ContributionForm, AppError> {
    form.read_in(format_for(commons, Some(venture))?)
}

/// Terms as typed, in canonical text.
pub fn terms(commons: &Commons, venture: &str, form: &TermsForm) -> Result<TermsForm, AppError> {
    form.read_in(format_for(commons, Some(venture))?)
}

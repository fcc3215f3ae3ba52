//! What several command groups take alike: a venture with an output format, and dates as typed.

use clap::Args;
use peerstake_app::AppError;
use time::Date;

use crate::output::Format;

/// A venture, and how to print what is asked about it.
#[derive(Args)]
pub struct VentureArgs {
    /// The venture.
    pub venture: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// A date as typed (YYYY-MM-DD); `field` names it in the error.
pub(crate) fn date(field: &'static str, text: &str) -> Result<Date, AppError> {
    peerstake_app::files::date(field, text)
}

/// A date as typed, if one was.
pub(crate) fn optional_date(field: &'static str, text: Option<&str>) -> Result<Option<Date>, AppError> {
    text.map(|t| date(field, t)).transpose()
}

/// What every command that records something takes last: an idempotency key, and how to print
/// what it recorded.
#[derive(Args)]
pub struct WriteArgs {
    /// Idempotency key: a retry with the same key changes nothing.
    #[arg(long, visible_alias = "idempotency-key")]
    pub key: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

//! What the API and the pages read alike: a contribution as typed or sent, a ledger's filters, an
//! activity page's bounds, and thousandths of a unit as written. A leaf: it knows neither.

use peerstake_app::error::AppError;
use peerstake_app::forms::ContributionForm;
use peerstake_app::journal::LogRequest;
use peerstake_app::ledger::LedgerQuery;
use peerstake_app::talk::{ActivityQuery, parse_cursor};
use peerstake_core::money::format_scaled;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::extract::{optional_date, parse_date};

/// Which entries.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerParams {
    /// Only this member's (handle).
    pub member: Option<String>,
    /// Only this kind (or `reversal`).
    pub kind: Option<String>,
    /// From this date (YYYY-MM-DD).
    #[param(format = Date)]
    pub from: Option<String>,
    /// To this date (YYYY-MM-DD).
    #[param(format = Date)]
    pub to: Option<String>,
    /// After this entry number (the cursor).
    pub after: Option<u64>,
    /// Page size, 1 to 1,000 (100 by default).
    pub limit: Option<u32>,
}

pub(crate) fn ledger_query(params: &LedgerParams) -> Result<LedgerQuery, AppError> {
    Ok(LedgerQuery {
        member: params.member.clone().filter(|m| !m.trim().is_empty()),
        tag: params.kind.clone().filter(|k| !k.trim().is_empty()),
        from: optional_date("from", &params.from)?,
        to: optional_date("to", &params.to)?,
        after: params.after,
        limit: params.limit.unwrap_or(100),
    })
}

/// What a contribution is, as typed or sent: its kind and the fields the kind reads (which
/// fields each kind reads is in the README).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ContributionIn {
    /// `time`, `deposit`, `withdrawal`, `expense`, `equipment`, `supplies`, `facilities`,
    /// `capital-use`, `idea`, `sale`, `finders-fee`, `other`, `cash-paid` or `well-return`.
    pub kind: String,
    /// Hours for time (`1.5`, `1:30`, `90m`); units for capital-use.
    #[serde(default)]
    pub quantity: String,
    /// The main amount.
    #[serde(default)]
    #[schema(pattern = r"^([0-9]+(\.[0-9]+)?)?$")]
    pub amount: String,
    /// What was paid back.
    #[serde(default)]
    #[schema(pattern = r"^([0-9]+(\.[0-9]+)?)?$")]
    pub paid: String,
    /// Equipment and supplies: `new`, `used-recent`, `used-old`.
    #[serde(default)]
    pub condition: String,
    /// Capital-use: `hour`, `day`, `week`, `month`, `unit`.
    #[serde(default)]
    pub unit: String,
    /// Capital-use: rate per unit.
    #[serde(default)]
    #[schema(pattern = r"^([0-9]+(\.[0-9]+)?)?$")]
    pub rate: String,
    /// Other: `cash` or `non-cash`.
    #[serde(default)]
    pub class: String,
    /// What was done.
    #[serde(default)]
    pub note: String,
}

impl ContributionIn {
    /// The fields as the use cases read them (the note aside).
    pub(crate) fn form(&self) -> ContributionForm {
        ContributionForm {
            kind: self.kind.trim().to_string(),
            quantity: self.quantity.clone(),
            amount: self.amount.clone(),
            paid: self.paid.clone(),
            condition: self.condition.clone(),
            unit: self.unit.clone(),
            rate: self.rate.clone(),
            class: self.class.clone(),
        }
    }
}

/// A contribution to log (or preview).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct LogIn {
    /// Handle of whom it is for (yourself when absent; none for a withdrawal).
    pub member: Option<String>,
    /// When it happened (YYYY-MM-DD).
    #[schema(format = Date)]
    pub date: String,
    /// What it is.
    #[serde(flatten)]
    pub contribution: ContributionIn,
    /// Time worked over a period: its first day (`date` is its last; at most 24 hours a day).
    #[serde(default)]
    pub from: Option<String>,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// The request to log what a person typed or sent: for `own_handle` when it names nobody (but a
/// withdrawal, which is the venture's).
pub(crate) fn log_request(slug: &str, input: &LogIn, own_handle: Option<&str>) -> Result<LogRequest, AppError> {
    let member = match input.member.as_deref().map(str::trim) {
        Some("") => None,
        Some(handle) => Some(handle.to_string()),
        None if input.contribution.kind == "withdrawal" => None,
        None => own_handle.map(str::to_string),
    };
    Ok(LogRequest {
        venture: slug.to_string(),
        member,
        author: None,
        occurred_on: parse_date("date", input.date.trim())?,
        from: match input.from.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(parse_date("from", text)?),
        },
        form: input.contribution.form(),
        note: input.contribution.note.clone(),
        idempotency_key: input.idempotency_key.clone(),
    })
}

/// Thousandths of a unit as a decimal (`2.5`).
pub(crate) fn units(milli: i64) -> String {
    let text = format_scaled(i128::from(milli), 3);
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    trimmed.to_string()
}

pub(crate) fn activity_query(before: Option<&str>, limit: Option<u32>) -> Result<ActivityQuery, AppError> {
    let before = before.map(str::trim).filter(|b| !b.is_empty()).map(parse_cursor).transpose()?;
    Ok(ActivityQuery { before, limit: limit.unwrap_or(0) })
}

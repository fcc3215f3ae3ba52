//! What several command groups take alike: a venture with an output format, dates as typed, a
//! contribution as typed (`log` and `recurring`), and a policy named by preset or file.

use clap::Args;
use peerstake_app::AppError;
use peerstake_app::forms::ContributionForm;
use peerstake_app::journal::LogRequest;
use peerstake_app::policy_file::PolicyChoice;
use peerstake_app::{Commons, Now};
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

/// `log`: a contribution of one kind.
#[derive(Args)]
#[command(allow_negative_numbers = true)]
pub struct LogArgs {
    /// time, deposit, withdrawal, expense, equipment, supplies, facilities, capital-use, idea,
    /// sale, finders-fee, other or cash-paid.
    pub kind: String,
    /// The venture.
    pub venture: String,
    /// Whom it is for (a member's handle); a withdrawal takes none.
    #[arg(long)]
    pub member: Option<String>,
    /// Who records it (a member's handle).
    #[arg(long = "by")]
    pub author: Option<String>,
    /// When it happened (YYYY-MM-DD, default today); for work over a period, its last day.
    #[arg(long, visible_alias = "to")]
    pub date: Option<String>,
    /// Time worked over a period: its first day (YYYY-MM-DD; at most 24 hours a day of it).
    #[arg(long)]
    pub from: Option<String>,
    /// Time: hours worked (1.5, 1:30 or 90m, the number as the venture writes numbers).
    #[arg(long)]
    pub hours: Option<String>,
    /// Capital-use: units used.
    #[arg(long)]
    pub units: Option<String>,
    /// The amount (deposit, withdrawal, expense, value of goods, market rent, revenue, investment, other, cash paid).
    #[arg(long)]
    pub amount: Option<String>,
    /// What was paid back (cash paid for time, reimbursed, rent paid, fee, royalty or commission paid).
    #[arg(long)]
    pub paid: Option<String>,
    /// Equipment and supplies: new, used-recent or used-old.
    #[arg(long)]
    pub condition: Option<String>,
    /// Capital-use: hour, day, week, month or unit.
    #[arg(long)]
    pub unit: Option<String>,
    /// Capital-use: rental rate per unit.
    #[arg(long)]
    pub rate: Option<String>,
    /// Other: cash or non-cash.
    #[arg(long)]
    pub class: Option<String>,
    /// What was done.
    #[arg(long, default_value = "")]
    pub note: String,
    #[arg(long)]
    pub key: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// A log request from the command line's arguments.
pub(crate) fn log_request(commons: &Commons, args: &LogArgs, now: Now) -> Result<LogRequest, AppError> {
    if args.hours.is_some() && args.units.is_some() {
        return Err(peerstake_app::error::invalid("hours", "give --hours (time) or --units (capital-use), not both"));
    }
    Ok(LogRequest {
        venture: args.venture.clone(),
        member: args.member.clone(),
        author: args.author.clone(),
        occurred_on: optional_date("date", args.date.as_deref())?.unwrap_or(now.today),
        from: optional_date("from", args.from.as_deref())?,
        form: crate::numbers::contribution(
            commons,
            &args.venture,
            &ContributionForm {
                kind: args.kind.clone(),
                quantity: args.hours.clone().or(args.units.clone()).unwrap_or_default(),
                amount: args.amount.clone().unwrap_or_default(),
                paid: args.paid.clone().unwrap_or_default(),
                condition: args.condition.clone().unwrap_or_default(),
                unit: args.unit.clone().unwrap_or_default(),
                rate: args.rate.clone().unwrap_or_default(),
                class: args.class.clone().unwrap_or_default(),
            },
        )?,
        note: args.note.clone(),
        idempotency_key: args.key.clone(),
    })
}

/// A policy as named: a `.toml` file (or any path) is read; anything else names a preset.
pub(crate) fn choice(text: &str) -> Result<PolicyChoice, AppError> {
    if text.ends_with(".toml") || text.contains('/') {
        let content = std::fs::read_to_string(text).map_err(|e| AppError::File(format!("cannot read {text}: {e}")))?;
        Ok(PolicyChoice::File(content))
    } else {
        Ok(PolicyChoice::Preset(text.to_string()))
    }
}

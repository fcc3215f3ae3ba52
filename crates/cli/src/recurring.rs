//! `peerstake recurring …`: recurring contributions. Set one up, draft the periods that came
//! round, confirm or skip a draft, stop one.

use std::io::Write;

use clap::Subcommand;
use peerstake_app::recurring::SetUpRecurring;
use peerstake_app::{AppError, Commons, Now};

use crate::args::optional_date;
use crate::args::{LogArgs, log_request};
use crate::output::io;

/// Recurring contributions.
#[derive(Subcommand)]
pub enum RecurringCommand {
    /// Set up a recurring contribution, e.g. `time kiln --member bo --hours 20 --cadence weekly --starts-on 2025-09-01`.
    /// More than a day's hours are logged over the days of each period (a week, or the month
    /// since the same day of the month before).
    Add {
        /// weekly or monthly.
        #[arg(long)]
        cadence: String,
        /// The first period (YYYY-MM-DD).
        #[arg(long = "starts-on")]
        starts_on: String,
        /// The last day a period may fall on.
        #[arg(long = "until")]
        ends_on: Option<String>,
        #[command(flatten)]
        log: Box<LogArgs>,
    },
    /// Draft every period that has come round, in every venture or one.
    Run {
        /// Only this venture.
        venture: Option<String>,
    },
    /// Recurring contributions and the drafts waiting.
    List {
        /// The venture.
        venture: String,
    },
    /// Confirm a draft: log its contribution, dated on its period.
    Confirm {
        /// The venture.
        venture: String,
        /// The recurring contribution's number.
        number: u32,
        /// The period's date.
        #[arg(long)]
        period: String,
        /// Who confirms it (a member's handle).
        #[arg(long = "by")]
        by: Option<String>,
    },
    /// Skip a draft.
    Skip {
        /// The venture.
        venture: String,
        /// The recurring contribution's number.
        number: u32,
        /// The period's date.
        #[arg(long)]
        period: String,
    },
    /// Stop a recurring contribution.
    Stop {
        /// The venture.
        venture: String,
        /// Its number.
        number: u32,
    },
}

/// Runs a `recurring` subcommand.
pub fn run(commons: &Commons, command: RecurringCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    match command {
        RecurringCommand::Add { cadence, starts_on, ends_on, log } => {
            let request = log_request(commons, &log, now)?;
            let member = request.member.clone().ok_or_else(|| peerstake_app::error::invalid("member", "is required"))?;
            let set_up = SetUpRecurring {
                venture: request.venture.clone(),
                member,
                form: request.form,
                note: request.note,
                cadence,
                starts_on: optional_date("from", Some(&starts_on))?.unwrap_or(now.today),
                ends_on: optional_date("until", ends_on.as_deref())?,
            };
            let view = commons.set_up_recurring(&set_up, now)?;
            writeln!(out, "recurring contribution #{} for {}: {} from {}", view.record.number, view.member, view.record.cadence, view.record.starts_on)
                .map_err(io)
        }
        RecurringCommand::Run { venture } => {
            let drafted = match venture {
                Some(slug) => commons.run_recurring(&slug, now)?,
                None => commons.run_all_recurring(now)?,
            };
            writeln!(out, "{drafted} period(s) drafted").map_err(io)
        }
        RecurringCommand::List { venture } => {
            for view in commons.recurring(&venture)? {
                let r = &view.record;
                let state = if r.active { format!("next {}", r.next_on) } else { "stopped".to_string() };
                writeln!(
                    out,
                    "#{} {} {} {}{} {} from {} ({state})",
                    r.number, view.member, view.form.kind, view.form.quantity, view.form.amount, r.cadence, r.starts_on
                )
                .map_err(io)?;
            }
            for draft in commons.recurring_drafts(&venture)? {
                writeln!(out, "waiting: #{} {} for {} ({})", draft.draft.number, draft.draft.period_on, draft.recurring.member, draft.recurring.form.kind)
                    .map_err(io)?;
            }
            Ok(())
        }
        RecurringCommand::Confirm { venture, number, period, by } => {
            let period = optional_date("period", Some(&period))?.unwrap_or(now.today);
            let seq = commons.decide_draft(&venture, number, period, true, by.as_deref(), now)?;
            writeln!(out, "entry #{} logged for {period}", seq.unwrap_or(0)).map_err(io)
        }
        RecurringCommand::Skip { venture, number, period } => {
            let period = optional_date("period", Some(&period))?.unwrap_or(now.today);
            commons.decide_draft(&venture, number, period, false, None, now)?;
            writeln!(out, "the {period} period of #{number} is skipped").map_err(io)
        }
        RecurringCommand::Stop { venture, number } => {
            commons.stop_recurring(&venture, number)?;
            writeln!(out, "recurring contribution #{number} stopped").map_err(io)
        }
    }
}

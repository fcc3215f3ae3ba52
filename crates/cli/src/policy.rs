//! `peerstake policy …`: the policy (the formula) in force on a date, a new version from a date
//! on, every version; and how a policy named on the command line (a preset or a TOML file) is read.

use std::io::Write;

use clap::Subcommand;
use peerstake_app::book::{PolicyVersionView, SetPolicy};
use peerstake_app::{AppError, Commons, Now};
use serde_json::json;

use crate::args::choice;
use crate::args::{date, optional_date};
use crate::output::{Format, io, records};

/// Show, change and list the policy.
#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Print the policy in force (TOML).
    Show {
        venture: String,
        /// As of this date (default today).
        #[arg(long)]
        on: Option<String>,
    },
    /// Adopt a new policy version from a date on.
    Set {
        venture: String,
        /// slicing-pie, hours-only, or a .toml file.
        policy: String,
        /// It applies to contributions on or after this date.
        #[arg(long)]
        from: String,
        #[arg(long)]
        key: Option<String>,
    },
    /// List every policy version.
    History {
        venture: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// Runs a `policy` subcommand.
pub fn run(commons: &Commons, command: PolicyCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    match command {
        PolicyCommand::Show { venture, on } => {
            let on = optional_date("on", on.as_deref())?.unwrap_or(now.today);
            let (currency, versions) = commons.policy_history(&venture)?;
            let in_force = versions.iter().rev().find(|v| v.record.effective_from <= on).or_else(|| versions.first());
            if let Some(version) = in_force {
                writeln!(out, "# {venture}: policy version {} in force on {on} (effective from {})", version.record.version, version.record.effective_from)
                    .map_err(io)?;
                write!(out, "{}", peerstake_app::policy_file::to_toml(&version.policy, currency)).map_err(io)?;
            }
            Ok(())
        }
        PolicyCommand::Set { venture, policy, from, key } => {
            let request = SetPolicy { venture, policy: choice(&policy)?, effective_from: date("from", &from)?, idempotency_key: key };
            let view = commons.set_policy(&request, now)?;
            writeln!(out, "policy version {} ({}) takes effect on {}", view.record.version, view.policy.preset, view.record.effective_from).map_err(io)
        }
        PolicyCommand::History { venture, format } => {
            let (_, versions) = commons.policy_history(&venture)?;
            policies(out, &versions, format)
        }
    }
}

/// Policy versions, one a row.
fn policies(out: &mut impl Write, versions: &[PolicyVersionView], format: Format) -> Result<(), AppError> {
    let headers = ["version", "effective_from", "preset", "cash_multiplier", "non_cash_multiplier", "rounding"];
    let times = |hundredths: u32| peerstake_core::money::format_scaled(i128::from(hundredths), 2);
    let row = |v: &PolicyVersionView| {
        vec![
            v.record.version.to_string(),
            v.record.effective_from.to_string(),
            v.policy.preset.clone(),
            times(v.policy.multiplier_cash.0),
            times(v.policy.multiplier_non_cash.0),
            v.policy.rounding.name().to_string(),
        ]
    };
    let object = |v: &PolicyVersionView| json!({"version": v.record.version, "effective_from": v.record.effective_from.to_string(), "preset": v.policy.preset, "settings": v.record.settings});
    records(out, format, &headers, versions, row, object)
}

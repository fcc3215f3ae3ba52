//! `peerstake venture …`: create a venture, set how its people write numbers, list and show
//! ventures, and the history of a venture's settings.

use std::io::Write;

use clap::Subcommand;
use peerstake_app::access::VentureSummary;
use peerstake_app::audit::SettingsChangeView;
use peerstake_app::ventures::CreateVenture;
use peerstake_app::{AppError, Commons, Now};
use serde_json::json;

use crate::args::optional_date;
use crate::output::{Format, io, one_line, records};

/// Create, list and show ventures.
#[derive(Subcommand)]
pub enum VentureCommand {
    /// Create a venture.
    Create {
        /// Unique short name: lowercase letters, digits, hyphens.
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        pitch: String,
        /// ISO 4217 currency code.
        #[arg(long, default_value = "EUR")]
        currency: String,
        /// slicing-pie, hours-only, or a .toml policy file.
        #[arg(long, default_value = "slicing-pie")]
        policy: String,
        /// The date the policy takes effect (default today).
        #[arg(long)]
        started_on: Option<String>,
        /// How its people write numbers: 1,234.56 (default), 1.234,56, 1 234,56, 1'234.56, or a
        /// language whose usual format it is (en, de, fr, de-CH).
        #[arg(long, default_value = "")]
        numbers: String,
        #[arg(long)]
        key: Option<String>,
    },
    /// Set how a venture's people write numbers (forms, this command line, CSV imports).
    Numbers {
        venture: String,
        /// 1,234.56, 1.234,56, 1 234,56, 1'234.56, or a language (en, de, fr, de-CH).
        format: String,
    },
    /// List ventures.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Show one venture.
    Show {
        venture: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The history of a venture's settings: every change of who may join and read it and of
    /// who its stewards are, with who made it and when, oldest first.
    History {
        venture: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// Runs a `venture` subcommand.
pub fn run(commons: &Commons, command: VentureCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    match command {
        VentureCommand::Numbers { venture, format } => {
            let format = commons.set_number_format(&venture, &format)?;
            writeln!(out, "{venture} writes numbers {}", format.name()).map_err(io)
        }
        VentureCommand::Create { slug, name, pitch, currency, policy, started_on, numbers, key } => {
            let request = CreateVenture {
                slug,
                name,
                pitch,
                currency,
                policy: crate::args::choice(&policy)?,
                started_on: optional_date("started-on", started_on.as_deref())?,
                number_format: numbers,
                idempotency_key: key,
            };
            let record = commons.create_venture(&request, now)?;
            writeln!(out, "created venture {} ({}, {})", record.slug, record.name, record.currency).map_err(io)
        }
        VentureCommand::List { format } => ventures(out, &commons.ventures(now)?, format),
        VentureCommand::Show { venture, format } => ventures(out, &[commons.venture(&venture, now)?], format),
        VentureCommand::History { venture, format } => history(out, &commons.settings_history(&venture)?, format),
    }
}

/// A moment (UTC) to the minute, from milliseconds since the epoch.
fn moment(at_ms: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(at_ms.div_euclid(1000)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{} {:02}:{:02}", at.date(), at.hour(), at.minute())
}

/// The history of a venture's settings, one change a row.
fn history(out: &mut impl Write, changes: &[SettingsChangeView], format: Format) -> Result<(), AppError> {
    let headers = ["number", "at_utc", "setting", "member", "from", "to", "reason", "by"];
    let row = |c: &SettingsChangeView| {
        vec![
            format!("#{}", c.record.number),
            moment(c.record.at_ms),
            c.record.setting.clone(),
            c.member.clone().unwrap_or_default(),
            c.record.old_value.clone(),
            c.record.new_value.clone(),
            one_line(&c.record.reason),
            c.by(),
        ]
    };
    let object = |c: &SettingsChangeView| {
        json!({
            "number": c.record.number,
            "at_ms": c.record.at_ms,
            "setting": c.record.setting,
            "member": c.member,
            "from": c.record.old_value,
            "to": c.record.new_value,
            "reason": c.record.reason,
            "by_kind": c.record.by_kind,
            "by_account": c.by_username,
            "by_member": c.by_handle,
            "by": c.by(),
        })
    };
    records(out, format, &headers, changes, row, object)
}

/// Ventures, one a row.
fn ventures(out: &mut impl Write, ventures: &[VentureSummary], format: Format) -> Result<(), AppError> {
    let headers = ["slug", "name", "currency", "members", "entries", "policy", "chain_head", "numbers"];
    let row = |v: &VentureSummary| {
        vec![
            v.record.slug.clone(),
            v.record.name.clone(),
            v.record.currency.clone(),
            v.member_count.to_string(),
            v.record.head_seq.to_string(),
            format!("{} v{}", v.policy_preset, v.policy_version),
            v.record.head_hash.to_hex(),
            v.record.number_format.name().to_string(),
        ]
    };
    let object = |v: &VentureSummary| {
        json!({
            "slug": v.record.slug,
            "name": v.record.name,
            "pitch": v.record.pitch,
            "currency": v.record.currency,
            "members": v.member_count,
            "entries": v.record.head_seq,
            "policy": v.policy_preset,
            "policy_version": v.policy_version,
            "chain_head": v.record.head_hash.to_hex(),
            "number_format": v.record.number_format.name(),
            "slice_decimals": v.record.money().map_or(0, |c| c.slice_scale()),
            "edition": v.record.edition.number(),
        })
    };
    records(out, format, &headers, ventures, row, object)
}

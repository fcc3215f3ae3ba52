//! `peerstake member …`: add members, set their terms from a date on, list them, link one to the
//! web account they sign in with.

use std::io::Write;

use clap::{Args, Subcommand};
use peerstake_app::forms::TermsForm;
use peerstake_app::members::SetTerms;
use peerstake_app::membership::{AddMember, MemberView};
use peerstake_app::{AppError, Commons, Now};
use peerstake_core::money::Currency;
use peerstake_core::terms::Terms;
use serde_json::json;

use crate::args::{date, optional_date};
use crate::output::{Format, currency_of, io, records};

/// Add members, set their terms, list them.
#[derive(Subcommand)]
pub enum MemberCommand {
    /// Add a member.
    Add {
        venture: String,
        /// Short unique name in the venture.
        handle: String,
        #[arg(long, default_value = "")]
        name: String,
        /// steward, member, advisor, contractor or backer.
        #[arg(long, default_value = "member")]
        role: String,
        #[arg(long)]
        joined_on: Option<String>,
        #[command(flatten)]
        terms: TermsArgs,
        #[arg(long)]
        key: Option<String>,
    },
    /// Set new terms from a date on.
    Terms {
        venture: String,
        handle: String,
        /// The terms apply to time logged on or after this date.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        terms: TermsArgs,
        #[arg(long)]
        key: Option<String>,
    },
    /// List members and their terms in force today.
    List {
        venture: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Link a member to the account they sign in with on the web.
    Link {
        venture: String,
        handle: String,
        /// The account's username.
        username: String,
    },
}

/// A member's terms as typed: a salary, or an hourly rate.
#[derive(Args)]
pub struct TermsArgs {
    /// Market salary per year (what the job pays elsewhere).
    #[arg(long)]
    market_salary: Option<String>,
    /// Cash salary paid per year.
    #[arg(long)]
    cash_salary: Option<String>,
    /// This member's hours per year (if the policy allows one).
    #[arg(long)]
    hours_per_year: Option<String>,
    /// An hourly rate instead of a salary.
    #[arg(long)]
    hourly_rate: Option<String>,
}

impl TermsArgs {
    /// The terms as the form the use cases read.
    fn form(&self) -> TermsForm {
        TermsForm {
            market_salary: self.market_salary.clone().unwrap_or_default(),
            cash_salary: self.cash_salary.clone().unwrap_or_default(),
            hours_per_year: self.hours_per_year.clone().unwrap_or_default(),
            hourly_rate: self.hourly_rate.clone().unwrap_or_default(),
        }
    }
}

/// Runs a `member` subcommand.
pub fn run(commons: &Commons, command: MemberCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    match command {
        MemberCommand::Add { venture, handle, name, role, joined_on, terms, key } => {
            let request = AddMember {
                terms: crate::numbers::terms(commons, &venture, &terms.form())?,
                venture,
                handle,
                display_name: name,
                role,
                joined_on: optional_date("joined-on", joined_on.as_deref())?,
                idempotency_key: key,
            };
            let view = commons.add_member(&request, now)?;
            writeln!(out, "added member #{} {} ({})", view.record.member_no.0, view.record.handle, view.record.role).map_err(io)
        }
        MemberCommand::Terms { venture, handle, from, terms, key } => {
            let request = SetTerms {
                terms: crate::numbers::terms(commons, &venture, &terms.form())?,
                venture,
                handle: handle.clone(),
                effective_from: date("from", &from)?,
                idempotency_key: key,
            };
            let record = commons.set_terms(&request, now)?;
            writeln!(out, "terms version {} for {handle} from {}", record.version, record.effective_from).map_err(io)
        }
        MemberCommand::List { venture, format } => {
            let currency = currency_of(commons, &venture)?;
            members(out, &commons.members(&venture, now)?, currency, format)
        }
        MemberCommand::Link { venture, handle, username } => {
            commons.link_account(&venture, &handle, &username)?;
            writeln!(out, "{handle} in {venture} signs in as {username}").map_err(io)
        }
    }
}

/// Terms in force, in words.
fn terms_text(terms: &Option<peerstake_store::TermsRecord>, currency: Currency) -> String {
    match terms.as_ref().map(|t| t.terms) {
        None => String::new(),
        Some(Terms::Salary { market_salary_minor, cash_salary_minor, .. }) => {
            format!("salary {} (cash {}) / year", currency.format(market_salary_minor), currency.format(cash_salary_minor))
        }
        Some(Terms::Hourly { rate_minor }) => format!("{} / hour", currency.format(rate_minor)),
    }
}

/// Members and their terms, one a row.
fn members(out: &mut impl Write, members: &[MemberView], currency: Currency, format: Format) -> Result<(), AppError> {
    let headers = ["no", "handle", "name", "role", "joined_on", "terms"];
    let row = |m: &MemberView| {
        vec![
            m.record.member_no.0.to_string(),
            m.record.handle.clone(),
            m.record.display_name.clone(),
            m.record.role.clone(),
            m.record.joined_on.to_string(),
            terms_text(&m.terms, currency),
        ]
    };
    let object = |m: &MemberView| {
        json!({
            "member_no": m.record.member_no.0,
            "handle": m.record.handle,
            "name": m.record.display_name,
            "role": m.record.role,
            "joined_on": m.record.joined_on.to_string(),
            "terms": terms_text(&m.terms, currency),
            "terms_version": m.terms.as_ref().map(|t| t.version),
        })
    };
    records(out, format, &headers, members, row, object)
}

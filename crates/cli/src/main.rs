//! The `peerstake` command: a thin shell over the application layer. Arguments are parsed once
//! into typed requests; errors print as one line with a stable code and exit non-zero.

mod capital;
mod lifecycle;
mod numbers;
mod output;
mod talk;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use peerstake_app::forms::{ContributionForm, TermsForm};
use peerstake_app::ledger::{LedgerQuery, SplitQuery};
use peerstake_app::journal::{LogRequest, ReverseRequest};
use peerstake_app::membership::AddMember;
use peerstake_app::ventures::CreateVenture;
use peerstake_app::policy_file::PolicyChoice;
use peerstake_app::book::SetPolicy;
use peerstake_app::members::SetTerms;
use peerstake_app::{AppError, Commons, Now};
use peerstake_core::ErrorCode;
use time::Date;

/// mimalloc: verify and import move entries between a reader and a checker thread, and the
/// system allocator serializes those cross-thread frees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The database used when none is given: a SQLite file in `./peerstake-data`.
const DEFAULT_DATABASE_URL: &str = "sqlite://peerstake-data/peerstake.db";

#[derive(Parser)]
#[command(name = "peerstake", version, about = "A fair, checkable ledger of contributions to peer-produced ventures, and the split it gives.")]
struct Cli {
    /// Database: a SQLite file (sqlite://path) or PostgreSQL (postgres://user@host/db).
    #[arg(long, global = true, env = "PEERSTAKE_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    database_url: String,
    /// How the amounts and hours you type are written: 1,234.56, 1.234,56, 1 234,56, 1'234.56 or a
    /// language (en, de, fr, de-CH). By default, the venture's own format.
    #[arg(long, global = true, env = "PEERSTAKE_NUMBER_FORMAT")]
    number_format: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply database migrations (every other command does this too).
    Migrate,
    /// Create the demo venture `demo`: six peers, a year of contributions of every kind.
    Demo,
    /// Run the web application: pages for people, the JSON API for programs.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        address: std::net::SocketAddr,
        /// Load the demo venture first (once) and print its logins.
        #[arg(long)]
        demo: bool,
        /// Send cookies without the Secure flag: only when serving plain HTTP on an address
        /// other than loopback (loopback works either way; behind HTTPS, leave this off).
        #[arg(long)]
        insecure_cookies: bool,
        /// Send email notifications through this server: `smtp://[user:password@]host[:port]`
        /// (a relay), or `file:///dir` to write them as files. None: nothing is sent.
        #[arg(long, env = "PEERSTAKE_SMTP_URL")]
        smtp_url: Option<String>,
        /// The sender of notifications.
        #[arg(long, env = "PEERSTAKE_MAIL_FROM", default_value = "peerstake <peerstake@localhost>")]
        mail_from: String,
        /// The address people reach this server at, for links in notifications.
        #[arg(long, env = "PEERSTAKE_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// Create, list and show ventures.
    #[command(subcommand)]
    Venture(VentureCommand),
    /// Add members, set their terms, list them.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Show, change and list the policy (the formula).
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Web accounts (people sign up on the web; operators can add them here).
    #[command(subcommand)]
    Account(AccountCommand),
    /// Log a contribution of one kind.
    Log(LogArgs),
    /// Reverse an entry (corrections are a reversal plus a new entry).
    Reverse {
        /// The venture.
        venture: String,
        /// The entry number.
        seq: u64,
        /// Why it is reversed.
        #[arg(long)]
        reason: String,
        /// Who reverses it (a member's handle).
        #[arg(long = "by")]
        author: Option<String>,
        /// Idempotency key: a retry with the same key changes nothing.
        #[arg(long)]
        key: Option<String>,
    },
    /// Review an entry: approve, dispute, withdraw a dispute, decide or vote on one; list the
    /// entries waiting; show one entry's review.
    #[command(subcommand)]
    Review(ReviewCommand),
    /// Policy proposals: propose a change, vote on it, withdraw it, list and show them.
    #[command(subcommand)]
    Proposal(ProposalCommand),
    /// Recurring contributions: set one up, draft the periods due, confirm or skip drafts, stop one.
    #[command(subcommand)]
    Recurring(RecurringCommand),
    /// Needs: costs a venture asks its peers to cover together (publish, list, show, cancel,
    /// settle, pay from the well).
    #[command(subcommand)]
    Need(capital::NeedCommand),
    /// Pledge money toward a need. It is held, not taken: when the need's goal is met every
    /// pledge is paid into the well at once; if the deadline passes first, it is released.
    Pledge(capital::PledgeArgs),
    /// The well: money paid in and not yet spent, who paid it, and every movement.
    Well(capital::WellArgs),
    /// Shared costs: who covered what, in cash from the well and in goods, per need and per month.
    Costs(capital::CostsArgs),
    /// Goods people own and lend to ventures at a fair rate (or give): register, list, show,
    /// withdraw, give, and the owner's inbox.
    #[command(subcommand, visible_alias = "good")]
    Goods(capital::GoodsCommand),
    /// Bookings of goods by a venture: request, list, accept or decline (the owner), cancel, log use.
    #[command(subcommand)]
    Booking(capital::BookingCommand),
    /// The owner's answer to logged use of their goods: confirm (it counts as their contribution)
    /// or decline.
    #[command(subcommand)]
    Usage(capital::UsageCommand),
    /// A member leaves, under one of four cases that decide which slices they keep. With
    /// --preview, shows each kind of slices before and after, and the buyout price, and writes
    /// nothing.
    ///
    /// Example: `depart kiln bo --case resigned-for-good-reason --why "Moving abroad" --by ada --preview`
    Depart(lifecycle::DepartArgs),
    /// Every departure of a venture.
    Departures(lifecycle::VentureArgs),
    /// Buyouts of a departed member's slices: offer (forced for a bad leaver), accept, decline,
    /// withdraw, list.
    #[command(subcommand)]
    Buyout(lifecycle::BuyoutCommand),
    /// Hand the steward role to another member: propose, accept, decline, withdraw.
    #[command(subcommand)]
    Handover(lifecycle::HandoverCommand),
    /// The stewards, every change of steward, and whether the venture may be adopted and why.
    Stewards(lifecycle::VentureArgs),
    /// Adopt a venture whose stewards left or fell silent: ask, object, settle.
    #[command(subcommand)]
    Adopt(lifecycle::AdoptCommand),
    /// Freeze the split into a cap table of whole shares: propose, vote, unfreeze, list, show.
    #[command(subcommand)]
    Freeze(lifecycle::FreezeCommand),
    /// Money the venture received: record, list.
    #[command(subcommand)]
    Income(lifecycle::IncomeCommand),
    /// Pay income out to holders by the split or the frozen cap table, exact to the smallest unit of the currency. With
    /// --preview, shows every payout and writes nothing.
    Distribute(lifecycle::DistributeArgs),
    /// Every distribution, or one with its payouts.
    Distributions(lifecycle::DistributionsArgs),
    /// What each member holds and received: slices, share, shares, well, payouts, and what a
    /// claw-back owes them.
    Statement(lifecycle::StatementArgs),
    /// Reports: export the cap table, distributions or statements as CSV or JSON.
    #[command(subcommand)]
    Report(lifecycle::ReportCommand),
    /// Amend an entry: reverse it and log the corrected contribution, linked to it.
    Amend {
        /// The entry number amended.
        #[arg(long = "entry")]
        seq: u64,
        /// Why it is amended.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        log: LogArgs,
    },
    /// The split: each member's slices and share.
    Split {
        /// The venture.
        venture: String,
        /// As of the end of this date (YYYY-MM-DD).
        #[arg(long)]
        as_of: Option<String>,
        /// Compute it under another policy (a preset or a .toml file) without writing anything.
        #[arg(long)]
        policy: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Trace a member's slices to every entry behind them.
    Trace {
        /// The venture.
        venture: String,
        /// The member's handle.
        member: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// List ledger entries.
    Ledger {
        /// The venture.
        venture: String,
        /// Only this member's entries.
        #[arg(long)]
        member: Option<String>,
        /// Only this kind (or `reversal`).
        #[arg(long)]
        kind: Option<String>,
        /// From this date.
        #[arg(long)]
        from: Option<String>,
        /// To this date.
        #[arg(long)]
        to: Option<String>,
        /// After this entry number (the next page).
        #[arg(long)]
        after: Option<u64>,
        /// Entries per page (at most 1000).
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Recompute the hash chain, every entry's value and every total; exit 1 on any difference.
    Verify {
        /// The venture (or --all).
        venture: Option<String>,
        /// Verify every venture.
        #[arg(long, conflicts_with = "venture")]
        all: bool,
    },
    /// Import contributions from CSV, or a whole venture from a JSON export.
    Import {
        /// The venture.
        venture: String,
        /// A .csv file of contributions or a .json export.
        file: PathBuf,
        /// Idempotency key (CSV): importing the same file with the same key again changes nothing.
        #[arg(long)]
        key: Option<String>,
    },
    /// Comment on entries and members, edit comments, read a conversation.
    #[command(subcommand)]
    Comment(talk::CommentCommand),
    /// A venture's activity, newest first: entries, comments, members joining.
    Activity {
        /// The venture.
        venture: String,
        /// Older than this cursor (printed under a full page).
        #[arg(long)]
        before: Option<String>,
        /// Items per page (at most 200).
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Export a whole venture as JSON.
    Export {
        /// The venture.
        venture: String,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum VentureCommand {
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
}

#[derive(Args)]
struct TermsArgs {
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
    fn form(&self) -> TermsForm {
        TermsForm {
            market_salary: self.market_salary.clone().unwrap_or_default(),
            cash_salary: self.cash_salary.clone().unwrap_or_default(),
            hours_per_year: self.hours_per_year.clone().unwrap_or_default(),
            hourly_rate: self.hourly_rate.clone().unwrap_or_default(),
        }
    }
}

#[derive(Subcommand)]
enum MemberCommand {
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

#[derive(Subcommand)]
enum AccountCommand {
    /// Create an account; the password is read from the first line of standard input.
    Add {
        username: String,
        #[arg(long, default_value = "")]
        name: String,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
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

#[derive(Subcommand)]
enum ReviewCommand {
    /// Approve a pending entry.
    Approve(StepArgs),
    /// Dispute an entry (it leaves the split until the dispute is settled).
    Dispute(StepArgs),
    /// Withdraw one's own dispute.
    Withdraw(StepArgs),
    /// Settle a dispute as a steward: --verdict uphold or reject.
    Decide(StepArgs),
    /// Vote on a dispute: --verdict uphold or reject.
    Vote(StepArgs),
    /// Entries waiting for review or disputed.
    Queue {
        /// The venture.
        venture: String,
    },
    /// One entry's status and review steps.
    Show {
        /// The venture.
        venture: String,
        /// The entry number.
        seq: u64,
    },
}

#[derive(Subcommand)]
enum RecurringCommand {
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

#[derive(Subcommand)]
enum ProposalCommand {
    /// Propose a policy change (the proposer's vote for it is recorded with it).
    Propose {
        /// The venture.
        venture: String,
        /// Who proposes it (a member's handle).
        #[arg(long = "by")]
        by: String,
        /// A preset (slicing-pie, hours-only) or a TOML policy file.
        #[arg(long)]
        policy: String,
        /// From when it would apply (YYYY-MM-DD).
        #[arg(long)]
        effective_from: String,
        /// Why.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Vote for or against an open proposal.
    Vote {
        /// The venture.
        venture: String,
        /// The proposal's number.
        number: u32,
        /// Who votes (a member's handle).
        #[arg(long = "by")]
        by: String,
        /// for or against.
        #[arg(long)]
        choice: String,
        /// A comment.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Withdraw one's own open proposal.
    Withdraw {
        /// The venture.
        venture: String,
        /// The proposal's number.
        number: u32,
        /// Who proposed it.
        #[arg(long = "by")]
        by: String,
    },
    /// Every proposal of a venture.
    List {
        /// The venture.
        venture: String,
    },
}

#[derive(Args)]
struct StepArgs {
    /// The venture.
    venture: String,
    /// The entry number.
    seq: u64,
    /// Who takes the step (a member's handle).
    #[arg(long = "by")]
    by: String,
    /// The reason or comment (required to dispute).
    #[arg(long, alias = "reason", default_value = "")]
    note: String,
    /// uphold or reject (decide, vote).
    #[arg(long)]
    verdict: Option<String>,
    #[arg(long)]
    key: Option<String>,
}

#[derive(Args)]
#[command(allow_negative_numbers = true)]
struct LogArgs {
    /// time, deposit, withdrawal, expense, equipment, supplies, facilities, capital-use, idea,
    /// sale, finders-fee, other or cash-paid.
    kind: String,
    /// The venture.
    venture: String,
    /// Whom it is for (a member's handle); a withdrawal takes none.
    #[arg(long)]
    member: Option<String>,
    /// Who records it (a member's handle).
    #[arg(long = "by")]
    author: Option<String>,
    /// When it happened (YYYY-MM-DD, default today); for work over a period, its last day.
    #[arg(long, visible_alias = "to")]
    date: Option<String>,
    /// Time worked over a period: its first day (YYYY-MM-DD; at most 24 hours a day of it).
    #[arg(long)]
    from: Option<String>,
    /// Time: hours worked (1.5, 1:30 or 90m, the number as the venture writes numbers).
    #[arg(long)]
    hours: Option<String>,
    /// Capital-use: units used.
    #[arg(long)]
    units: Option<String>,
    /// The amount (deposit, withdrawal, expense, value of goods, market rent, revenue, investment, other, cash paid).
    #[arg(long)]
    amount: Option<String>,
    /// What was paid back (cash paid for time, reimbursed, rent paid, fee, royalty or commission paid).
    #[arg(long)]
    paid: Option<String>,
    /// Equipment and supplies: new, used-recent or used-old.
    #[arg(long)]
    condition: Option<String>,
    /// Capital-use: hour, day, week, month or unit.
    #[arg(long)]
    unit: Option<String>,
    /// Capital-use: rental rate per unit.
    #[arg(long)]
    rate: Option<String>,
    /// Other: cash or non-cash.
    #[arg(long)]
    class: Option<String>,
    /// What was done.
    #[arg(long, default_value = "")]
    note: String,
    #[arg(long)]
    key: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Output format.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// JSON for programs (amounts as exact decimal strings).
    Json,
    /// CSV for spreadsheets.
    Csv,
}

fn now() -> Now {
    let at_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)).unwrap_or(0);
    Now::from_unix_ms(at_ms)
}

fn date(field: &'static str, text: &str) -> Result<Date, AppError> {
    peerstake_app::files::date(field, text)
}

fn optional_date(field: &'static str, text: Option<&str>) -> Result<Option<Date>, AppError> {
    text.map(|t| date(field, t)).transpose()
}

fn policy_choice(text: &str) -> Result<PolicyChoice, AppError> {
    if text.ends_with(".toml") || text.contains('/') {
        let content = std::fs::read_to_string(text).map_err(|e| AppError::File(format!("cannot read {text}: {e}")))?;
        Ok(PolicyChoice::File(content))
    } else {
        Ok(PolicyChoice::Preset(text.to_string()))
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage(&error),
    };
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            let code = error.code();
            eprintln!("error[{code}]: {}", one_line(&error.to_string()));
            ExitCode::from(2)
        }
    }
}

/// Help and the version print as clap writes them; every mistake in the arguments is one line,
/// `error[usage]: …`, like every other error, and exits 2.
fn usage(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    let rendered = error.render().to_string();
    // The message and what it lists, up to clap's usage line and tips.
    let message: Vec<&str> =
        rendered.lines().map(str::trim).take_while(|l| !l.starts_with("Usage:") && !l.starts_with("tip:")).filter(|l| !l.is_empty()).collect();
    let message = message.join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    let message = if message.is_empty() { "the arguments could not be read" } else { message };
    eprintln!("error[usage]: {} (see peerstake --help)", one_line(message));
    ExitCode::from(2)
}

/// Text on one line: line breaks become spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn run(cli: Cli) -> Result<ExitCode, AppError> {
    numbers::choose(cli.number_format.as_deref())?;
    let commons = peerstake_backends::open(&cli.database_url).map(Commons::with_store)?;
    let now = now();
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Migrate => {
            let applied = commons.migrate()?;
            println!("database {} is up to date ({} migration(s) applied now)", peerstake_backends::redact_url(&cli.database_url), applied.len());
        }
        Command::Demo => {
            if commons.ventures(now)?.iter().any(|v| v.record.slug == peerstake_app::demo::DEMO_SLUG) {
                println!("The demo venture already exists in {}.", peerstake_backends::redact_url(&cli.database_url));
            } else {
                let head = commons.create_demo()?;
                println!("Created the demo venture 'demo' with {head} entries in {}.", peerstake_backends::redact_url(&cli.database_url));
            }
            let report = commons.split("demo", &SplitQuery::default())?;
            output::split(&mut out, &report, Format::Table)?;
            println!("\nTry: peerstake ledger demo --limit 20 | peerstake trace demo ana | peerstake split demo --policy hours-only | peerstake verify demo");
        }
        Command::Serve { address, demo, insecure_cookies, smtp_url, mail_from, public_url } => {
            let mut commons = commons;
            if let Some(url) = smtp_url.as_deref().filter(|u| !u.trim().is_empty()) {
                let public_url = public_url.clone().unwrap_or_else(|| format!("http://{address}"));
                let mailer = peerstake_web::mail::EmailMailer::start(url, &mail_from, &public_url).map_err(|e| peerstake_app::error::invalid("smtp url", e))?;
                commons.set_mailer(std::sync::Arc::new(mailer));
            }
            if demo {
                if !commons.ventures(now)?.iter().any(|v| v.record.slug == peerstake_app::demo::DEMO_SLUG) {
                    commons.create_demo()?;
                }
                let logins = commons.create_demo_logins(now)?;
                println!("Demo venture 'demo' (Loomworks) is loaded. Sign in as any of its peers:");
                for (username, password) in logins {
                    println!("  {username:<8} password {password}");
                }
            }
            let state = peerstake_web::AppState::new(std::sync::Arc::new(commons), peerstake_web::system_clock(), !insecure_cookies);
            let runtime =
                tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| AppError::Internal(format!("cannot start the server: {e}")))?;
            let url = cli.database_url.clone();
            runtime
                .block_on(peerstake_web::serve(state, address, |bound| {
                    println!("peerstake is serving http://{bound}/ from {} (Ctrl-C stops it)", peerstake_backends::redact_url(&url));
                }))
                .map_err(|e| AppError::Internal(format!("the server stopped: {e}")))?;
        }
        Command::Account(AccountCommand::Add { username, name }) => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).map_err(|e| AppError::File(format!("cannot read the password: {e}")))?;
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            let account = commons.sign_up(&peerstake_app::accounts::SignUp { username, display_name: name, password }, now)?;
            println!("account {} created", account.username);
        }
        Command::Venture(command) => venture(&commons, command, now, &mut out)?,
        Command::Member(command) => member(&commons, command, now, &mut out)?,
        Command::Policy(command) => policy(&commons, command, now, &mut out)?,
        Command::Log(args) => {
            let request = log_request(&commons, &args, now)?;
            let stored = commons.log(&request, now)?;
            let page = commons.ledger(&args.venture, &LedgerQuery { after: Some(stored.entry.seq - 1), limit: 1, ..LedgerQuery::default() })?;
            output::ledger(&mut out, &args.venture, &page, args.format)?;
        }
        Command::Amend { seq, reason, log } => {
            let request = peerstake_app::review::AmendRequest { seq, reason, log: log_request(&commons, &log, now)? };
            let stored = commons.amend(&request, now)?;
            println!("entry #{} amends entry #{seq} (reversed by entry #{})", stored.entry.seq, stored.entry.seq - 1);
        }
        Command::Review(command) => review_command(&commons, command, now, &mut out)?,
        Command::Proposal(command) => proposal_command(&commons, command, now)?,
        Command::Recurring(command) => recurring_command(&commons, command, now)?,
        Command::Need(command) => capital::need(&commons, command, now, &mut out)?,
        Command::Pledge(args) => capital::pledge(&commons, args, now, &mut out)?,
        Command::Well(args) => capital::well(&commons, args, &mut out)?,
        Command::Costs(args) => capital::costs(&commons, args, &mut out)?,
        Command::Goods(command) => capital::goods_command(&commons, command, now, &mut out)?,
        Command::Booking(command) => capital::booking_command(&commons, command, now, &mut out)?,
        Command::Usage(command) => capital::usage_command(&commons, command, now, &mut out)?,
        Command::Depart(args) => lifecycle::depart(&commons, args, now, &mut out)?,
        Command::Departures(args) => lifecycle::departures(&commons, args, &mut out)?,
        Command::Buyout(command) => lifecycle::buyout(&commons, command, now, &mut out)?,
        Command::Handover(command) => lifecycle::handover(&commons, command, now, &mut out)?,
        Command::Stewards(args) => lifecycle::stewards(&commons, args, now, &mut out)?,
        Command::Adopt(command) => lifecycle::adopt(&commons, command, now, &mut out)?,
        Command::Freeze(command) => lifecycle::freeze(&commons, command, now, &mut out)?,
        Command::Income(command) => lifecycle::income(&commons, command, now, &mut out)?,
        Command::Distribute(args) => lifecycle::distribute(&commons, args, now, &mut out)?,
        Command::Distributions(args) => lifecycle::distributions(&commons, args, &mut out)?,
        Command::Statement(args) => lifecycle::statement(&commons, args, &mut out)?,
        Command::Report(command) => lifecycle::report(&commons, command, now, &mut out)?,
        Command::Reverse { venture, seq, reason, author, key } => {
            let stored = commons.reverse(&ReverseRequest { venture: venture.clone(), seq, reason, author, idempotency_key: key }, now)?;
            println!("entry #{} reverses entry #{seq}", stored.entry.seq);
        }
        Command::Split { venture, as_of, policy, format } => {
            let query = SplitQuery { as_of: optional_date("as-of", as_of.as_deref())?, policy: policy.as_deref().map(policy_choice).transpose()? };
            let report = commons.split(&venture, &query)?;
            output::split(&mut out, &report, format)?;
        }
        Command::Trace { venture, member, format } => {
            let report = commons.trace(&venture, &member)?;
            output::trace(&mut out, &report, format)?;
        }
        Command::Ledger { venture, member, kind, from, to, after, limit, format } => {
            let query = LedgerQuery { member, tag: kind, from: optional_date("from", from.as_deref())?, to: optional_date("to", to.as_deref())?, after, limit };
            let page = commons.ledger(&venture, &query)?;
            output::ledger(&mut out, &venture, &page, format)?;
        }
        Command::Verify { venture, all } => {
            let slugs: Vec<String> = match (venture, all) {
                (Some(slug), false) => vec![slug],
                (None, true) => commons.ventures(now)?.into_iter().map(|v| v.record.slug).collect(),
                _ => return Err(peerstake_app::error::invalid("venture", "name a venture or pass --all")),
            };
            let mut failed = 0;
            for slug in slugs {
                let report = commons.verify(&slug)?;
                if report.differences.is_empty() {
                    println!("{slug}: ok — {} entries, chain head {}", report.entries, report.head.to_hex());
                } else {
                    failed += 1;
                    println!("{slug}: {} difference(s) in {} entries", report.differences.len(), report.entries);
                    for difference in &report.differences {
                        println!("  {difference}");
                    }
                }
            }
            if failed > 0 {
                eprintln!("error[verification_failed]: {failed} venture(s) do not verify");
                return Ok(ExitCode::from(1));
            }
        }
        Command::Import { venture, file, key } => {
            let reader = std::fs::File::open(&file).map_err(|e| AppError::File(format!("cannot open {}: {e}", file.display())))?;
            let is_json = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
            let report = if is_json { commons.import_venture(&venture, reader)? } else { commons.import_csv(&venture, reader, key.as_deref(), now)? };
            println!("imported {} entries into {venture}; chain head #{} {}", report.entries, report.head_seq, report.head.to_hex());
        }
        Command::Comment(command) => talk::comment(&commons, command, now, &mut out)?,
        Command::Activity { venture, before, limit, format } => talk::activity(&commons, &venture, before.as_deref(), limit, format, &mut out)?,
        Command::Export { venture, output: path } => {
            let report = match &path {
                Some(path) => {
                    let file = std::fs::File::create(path).map_err(|e| AppError::File(format!("cannot create {}: {e}", path.display())))?;
                    commons.export(&venture, std::io::BufWriter::new(file))?
                }
                None => commons.export(&venture, std::io::BufWriter::new(&mut out))?,
            };
            if let Some(path) = path {
                println!("exported {} entries of {venture} to {}; chain head {}", report.entries, path.display(), report.head.to_hex());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn venture(commons: &Commons, command: VentureCommand, now: Now, out: &mut impl std::io::Write) -> Result<(), AppError> {
    match command {
        VentureCommand::Numbers { venture, format } => {
            let format = commons.set_number_format(&venture, &format)?;
            println!("{venture} writes numbers {}", format.name());
        }
        VentureCommand::Create { slug, name, pitch, currency, policy, started_on, numbers, key } => {
            let request = CreateVenture {
                slug,
                name,
                pitch,
                currency,
                policy: policy_choice(&policy)?,
                started_on: optional_date("started-on", started_on.as_deref())?,
                number_format: numbers,
                idempotency_key: key,
            };
            let record = commons.create_venture(&request, now)?;
            println!("created venture {} ({}, {})", record.slug, record.name, record.currency);
        }
        VentureCommand::List { format } => output::ventures(out, &commons.ventures(now)?, format)?,
        VentureCommand::Show { venture, format } => output::ventures(out, &[commons.venture(&venture, now)?], format)?,
    }
    Ok(())
}

fn member(commons: &Commons, command: MemberCommand, now: Now, out: &mut impl std::io::Write) -> Result<(), AppError> {
    match command {
        MemberCommand::Add { venture, handle, name, role, joined_on, terms, key } => {
            let request = AddMember {
                terms: numbers::terms(commons, &venture, &terms.form())?,
                venture,
                handle,
                display_name: name,
                role,
                joined_on: optional_date("joined-on", joined_on.as_deref())?,
                idempotency_key: key,
            };
            let view = commons.add_member(&request, now)?;
            println!("added member #{} {} ({})", view.record.member_no.0, view.record.handle, view.record.role);
        }
        MemberCommand::Terms { venture, handle, from, terms, key } => {
            let request = SetTerms {
                terms: numbers::terms(commons, &venture, &terms.form())?,
                venture,
                handle: handle.clone(),
                effective_from: date("from", &from)?,
                idempotency_key: key,
            };
            let record = commons.set_terms(&request, now)?;
            println!("terms version {} for {handle} from {}", record.version, record.effective_from);
        }
        MemberCommand::List { venture, format } => {
            let (currency, _) = commons.policy_history(&venture)?;
            output::members(out, &commons.members(&venture, now)?, currency, format)?;
        }
        MemberCommand::Link { venture, handle, username } => {
            commons.link_account(&venture, &handle, &username)?;
            writeln!(out, "{handle} in {venture} signs in as {username}").map_err(|e| AppError::File(e.to_string()))?;
        }
    }
    Ok(())
}

fn policy(commons: &Commons, command: PolicyCommand, now: Now, out: &mut impl std::io::Write) -> Result<(), AppError> {
    match command {
        PolicyCommand::Show { venture, on } => {
            let on = optional_date("on", on.as_deref())?.unwrap_or(now.today);
            let (currency, versions) = commons.policy_history(&venture)?;
            let in_force = versions.iter().rev().find(|v| v.record.effective_from <= on).or_else(|| versions.first());
            if let Some(version) = in_force {
                println!("# {venture}: policy version {} in force on {on} (effective from {})", version.record.version, version.record.effective_from);
                print!("{}", peerstake_app::policy_file::to_toml(&version.policy, currency));
            }
        }
        PolicyCommand::Set { venture, policy, from, key } => {
            let request = SetPolicy { venture, policy: policy_choice(&policy)?, effective_from: date("from", &from)?, idempotency_key: key };
            let view = commons.set_policy(&request, now)?;
            println!("policy version {} ({}) takes effect on {}", view.record.version, view.policy.preset, view.record.effective_from);
        }
        PolicyCommand::History { venture, format } => {
            let (_, versions) = commons.policy_history(&venture)?;
            output::policies(out, &versions, format)?;
        }
    }
    Ok(())
}

/// A log request from the command line's arguments.
fn log_request(commons: &Commons, args: &LogArgs, now: Now) -> Result<LogRequest, AppError> {
    if args.hours.is_some() && args.units.is_some() {
        return Err(peerstake_app::error::invalid("hours", "give --hours (time) or --units (capital-use), not both"));
    }
    Ok(LogRequest {
        venture: args.venture.clone(),
        member: args.member.clone(),
        author: args.author.clone(),
        occurred_on: optional_date("date", args.date.as_deref())?.unwrap_or(now.today),
        from: optional_date("from", args.from.as_deref())?,
        form: numbers::contribution(
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

/// Runs a `review` subcommand.
fn review_command(commons: &Commons, command: ReviewCommand, now: Now, out: &mut impl std::io::Write) -> Result<(), AppError> {
    use peerstake_core::review::{Step, Verdict};
    let verdict = |args: &StepArgs| -> Result<Verdict, AppError> {
        let text = args.verdict.as_deref().unwrap_or("");
        Verdict::from_name(text).ok_or_else(|| peerstake_app::error::invalid("verdict", "use uphold or reject"))
    };
    let (args, step) = match command {
        ReviewCommand::Approve(args) => (args, Step::Approve),
        ReviewCommand::Dispute(args) => (args, Step::Dispute),
        ReviewCommand::Withdraw(args) => (args, Step::Withdraw),
        ReviewCommand::Decide(args) => {
            let verdict = verdict(&args)?;
            (args, Step::Decide(verdict))
        }
        ReviewCommand::Vote(args) => {
            let verdict = verdict(&args)?;
            (args, Step::Vote(verdict))
        }
        ReviewCommand::Queue { venture } => {
            let queue = commons.review_queue(&venture)?;
            let io = |e: std::io::Error| AppError::Internal(e.to_string());
            if queue.is_empty() {
                writeln!(out, "nothing waits for review in {venture}").map_err(io)?;
            }
            for (named, status) in queue {
                let entry = &named.entry.entry;
                let member = entry.member.map(|m| named.handle(m)).unwrap_or_else(|| "(venture)".into());
                writeln!(
                    out,
                    "#{:<6} {:<9} {} {:<12} {:<10} {} slices",
                    entry.seq,
                    status.name(),
                    entry.occurred_on,
                    entry.tag,
                    member,
                    named.currency.format_slices(entry.slices_minor)
                )
                .map_err(io)?;
            }
            return Ok(());
        }
        ReviewCommand::Show { venture, seq } => {
            let review = commons.entry_review(&venture, seq)?;
            let io = |e: std::io::Error| AppError::Internal(e.to_string());
            let entry = &review.entry.entry.entry;
            let status = review.status.map_or("(not a contribution)", |s| s.name());
            let status = if review.reversed_by.is_some() { "reversed" } else { status };
            writeln!(out, "entry #{seq}: {} on {}, {status}; {}", entry.tag, entry.occurred_on, review.rule).map_err(io)?;
            if !review.approvals.is_empty() {
                writeln!(out, "approved by: {}", review.approvals.join(", ")).map_err(io)?;
            }
            if let Some(by) = &review.disputed_by {
                writeln!(out, "disputed by: {by}").map_err(io)?;
            }
            for step in &review.steps {
                let e = &step.entry.entry;
                let who = e.author.map(|m| step.handle(m)).unwrap_or_default();
                writeln!(out, "  #{} {} {} by {who}: {}", e.seq, e.occurred_on, e.tag, e.note).map_err(io)?;
            }
            if let Some(by) = review.reversed_by {
                writeln!(out, "reversed by entry #{by}").map_err(io)?;
            }
            if let Some(by) = review.amended_by {
                writeln!(out, "amended by entry #{by}").map_err(io)?;
            }
            return Ok(());
        }
    };
    let request =
        peerstake_app::review::ReviewRequest { venture: args.venture.clone(), seq: args.seq, step, by: args.by, note: args.note, idempotency_key: args.key };
    let stored = commons.review(&request, now)?;
    let status = commons.entry_review(&args.venture, args.seq)?.status.map_or("", |s| s.name());
    println!("entry #{} records the {} of entry #{}; it is now {status}", stored.entry.seq, step.tag(), args.seq);
    Ok(())
}

/// Runs a `proposal` subcommand.
fn proposal_command(commons: &Commons, command: ProposalCommand, now: Now) -> Result<(), AppError> {
    use peerstake_app::proposals::{ProposalView, ProposeRequest, VoteRequest};
    let show = |view: &ProposalView| {
        let record = &view.record;
        println!(
            "proposal #{}: {} from {} by {} — {} ({})",
            record.number, view.policy.preset, record.effective_from, view.proposed_by, record.status, view.rule
        );
    };
    match command {
        ProposalCommand::Propose { venture, by, policy, effective_from, note } => {
            let request = ProposeRequest {
                venture,
                by,
                policy: policy_choice(&policy)?,
                effective_from: optional_date("effective-from", Some(&effective_from))?.unwrap_or(now.today),
                note,
                idempotency_key: None,
            };
            show(&commons.propose(&request, now)?);
        }
        ProposalCommand::Vote { venture, number, by, choice, note } => {
            let approve = match choice.as_str() {
                "for" => true,
                "against" => false,
                _ => return Err(peerstake_app::error::invalid("choice", "use for or against")),
            };
            show(&commons.vote_on_proposal(&VoteRequest { venture, number, by, approve, note }, now)?);
        }
        ProposalCommand::Withdraw { venture, number, by } => show(&commons.withdraw_proposal(&venture, number, &by, now)?),
        ProposalCommand::List { venture } => {
            let proposals = commons.proposals(&venture)?;
            if proposals.is_empty() {
                println!("no proposals in {venture}");
            }
            for view in &proposals {
                show(view);
            }
        }
    }
    Ok(())
}

/// Runs a `recurring` subcommand.
fn recurring_command(commons: &Commons, command: RecurringCommand, now: Now) -> Result<(), AppError> {
    match command {
        RecurringCommand::Add { cadence, starts_on, ends_on, log } => {
            let request = log_request(commons, &log, now)?;
            let member = request.member.clone().ok_or_else(|| peerstake_app::error::invalid("member", "is required"))?;
            let set_up = peerstake_app::recurring::SetUpRecurring {
                venture: request.venture.clone(),
                member,
                form: request.form,
                note: request.note,
                cadence,
                starts_on: optional_date("from", Some(&starts_on))?.unwrap_or(now.today),
                ends_on: optional_date("until", ends_on.as_deref())?,
            };
            let view = commons.set_up_recurring(&set_up, now)?;
            println!("recurring contribution #{} for {}: {} from {}", view.record.number, view.member, view.record.cadence, view.record.starts_on);
        }
        RecurringCommand::Run { venture } => {
            let drafted = match venture {
                Some(slug) => commons.run_recurring(&slug, now)?,
                None => commons.run_all_recurring(now)?,
            };
            println!("{drafted} period(s) drafted");
        }
        RecurringCommand::List { venture } => {
            for view in commons.recurring(&venture)? {
                let r = &view.record;
                let state = if r.active { format!("next {}", r.next_on) } else { "stopped".to_string() };
                println!(
                    "#{} {} {} {}{} {} from {} ({state})",
                    r.number, view.member, view.form.kind, view.form.quantity, view.form.amount, r.cadence, r.starts_on
                );
            }
            for draft in commons.recurring_drafts(&venture)? {
                println!("waiting: #{} {} for {} ({})", draft.draft.number, draft.draft.period_on, draft.recurring.member, draft.recurring.form.kind);
            }
        }
        RecurringCommand::Confirm { venture, number, period, by } => {
            let period = optional_date("period", Some(&period))?.unwrap_or(now.today);
            let seq = commons.decide_draft(&venture, number, period, true, by.as_deref(), now)?;
            println!("entry #{} logged for {period}", seq.unwrap_or(0));
        }
        RecurringCommand::Skip { venture, number, period } => {
            let period = optional_date("period", Some(&period))?.unwrap_or(now.today);
            commons.decide_draft(&venture, number, period, false, None, now)?;
            println!("the {period} period of #{number} is skipped");
        }
        RecurringCommand::Stop { venture, number } => {
            commons.stop_recurring(&venture, number)?;
            println!("recurring contribution #{number} stopped");
        }
    }
    Ok(())
}

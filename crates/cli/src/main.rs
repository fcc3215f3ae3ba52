//! The `peerstake` command: a thin shell over the application layer. Arguments are parsed once
//! into typed requests; each command group runs in its own module; errors print as one line with
//! a stable code and exit non-zero. This file holds only the top-level commands, the parsing, the
//! log set-up and the dispatch.

mod accounts;
mod args;
mod backup;
mod departures;
mod freezes;
mod goods;
mod ledger;
mod members;
mod needs;
mod numbers;
mod output;
mod payouts;
mod policy;
mod proposals;
mod recurring;
mod review;
mod serve;
mod stewards;
mod talk;
mod ventures;
mod well;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use peerstake_app::{AppError, Commons, Now};
use peerstake_core::ErrorCode;
use peerstake_store::Durability;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

use crate::args::VentureArgs;

/// mimalloc: verify and import move entries between a reader and a checker thread, and the
/// system allocator serializes those cross-thread frees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The database used when none is given: a SQLite file in `./peerstake-data`.
const DEFAULT_DATABASE_URL: &str = "sqlite://peerstake-data/peerstake.db";

/// The command line: flags every command takes, and the command.
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
    /// How log lines on standard error are written: human, or json (one object a line). RUST_LOG
    /// picks which are written (default: info).
    #[arg(long, global = true, value_enum, env = "PEERSTAKE_LOG_FORMAT", default_value_t = LogFormat::Human)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

/// How log lines are written. (The variants have no doc comments on purpose: clap would show
/// them as the values' help and turn every command's `--help` into the long form.)
#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    // Lines for people.
    Human,
    // One JSON object a line, for log collectors.
    Json,
}

/// Every command, in the order `--help` lists them.
#[derive(Subcommand)]
enum Command {
    /// Apply database migrations (every other command does this too).
    Migrate,
    /// Create the demo venture `demo`: six peers, a year of contributions of every kind.
    Demo,
    /// Run the web application: pages for people, the JSON API for programs.
    Serve(serve::ServeArgs),
    /// Write a consistent copy of a SQLite database while it is in use.
    Backup(backup::BackupArgs),
    /// Bring back a copy `backup` wrote as a new database, and verify every venture in it.
    Restore(backup::RestoreArgs),
    /// Create, list and show ventures.
    #[command(subcommand)]
    Venture(ventures::VentureCommand),
    /// Add members, set their terms, list them.
    #[command(subcommand)]
    Member(members::MemberCommand),
    /// Show, change and list the policy (the formula).
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Web accounts (people sign up on the web; operators can add them here).
    #[command(subcommand)]
    Account(accounts::AccountCommand),
    /// Log a contribution of one kind.
    Log(args::LogArgs),
    /// Reverse an entry (corrections are a reversal plus a new entry).
    Reverse(ledger::ReverseArgs),
    /// Review an entry: approve, dispute, withdraw a dispute, decide or vote on one; list the
    /// entries waiting; show one entry's review.
    #[command(subcommand)]
    Review(review::ReviewCommand),
    /// Policy proposals: propose a change, vote on it, withdraw it, list and show them.
    #[command(subcommand)]
    Proposal(proposals::ProposalCommand),
    /// Recurring contributions: set one up, draft the periods due, confirm or skip drafts, stop one.
    #[command(subcommand)]
    Recurring(recurring::RecurringCommand),
    /// Needs: costs a venture asks its peers to cover together (publish, list, show, cancel,
    /// settle, pay from the well).
    #[command(subcommand)]
    Need(needs::NeedCommand),
    /// Pledge money toward a need. It is held, not taken: when the need's goal is met every
    /// pledge is paid into the well at once; if the deadline passes first, it is released.
    Pledge(needs::PledgeArgs),
    /// The well: money paid in and not yet spent, who paid it, and every movement.
    Well(well::WellArgs),
    /// Shared costs: who covered what, in cash from the well and in goods, per need and per month.
    Costs(VentureArgs),
    /// Goods people own and lend to ventures at a fair rate (or give): register, list, show,
    /// withdraw, give, and the owner's inbox.
    #[command(subcommand, visible_alias = "good")]
    Goods(goods::GoodsCommand),
    /// Bookings of goods by a venture: request, list, accept or decline (the owner), cancel, log use.
    #[command(subcommand)]
    Booking(goods::BookingCommand),
    /// The owner's answer to logged use of their goods: confirm (it counts as their contribution)
    /// or decline.
    #[command(subcommand)]
    Usage(goods::UsageCommand),
    /// A member leaves, under one of four cases that decide which slices they keep. With
    /// --preview, shows each kind of slices before and after, and the buyout price, and writes
    /// nothing.
    ///
    /// Example: `depart kiln bo --case resigned-for-good-reason --why "Moving abroad" --by ada --preview`
    Depart(departures::DepartArgs),
    /// Every departure of a venture.
    Departures(VentureArgs),
    /// Buyouts of a departed member's slices: offer (forced for a bad leaver), accept, decline,
    /// withdraw, list.
    #[command(subcommand)]
    Buyout(departures::BuyoutCommand),
    /// Hand the steward role to another member: propose, accept, decline, withdraw.
    #[command(subcommand)]
    Handover(stewards::HandoverCommand),
    /// The stewards, every change of steward, and whether the venture may be adopted and why.
    Stewards(VentureArgs),
    /// Adopt a venture whose stewards left or fell silent: ask, object, settle.
    #[command(subcommand)]
    Adopt(stewards::AdoptCommand),
    /// Freeze the split into a cap table of whole shares: propose, vote, unfreeze, list, show.
    #[command(subcommand)]
    Freeze(freezes::FreezeCommand),
    /// Money the venture received: record, list.
    #[command(subcommand)]
    Income(payouts::IncomeCommand),
    /// Pay income out to holders by the split or the frozen cap table, exact to the smallest unit of the currency. With
    /// --preview, shows every payout and writes nothing.
    Distribute(payouts::DistributeArgs),
    /// Every distribution, or one with its payouts.
    Distributions(payouts::DistributionsArgs),
    /// What each member holds and received: slices, share, shares, well, payouts, and what a
    /// claw-back owes them.
    Statement(payouts::StatementArgs),
    /// Reports: export the cap table, distributions or statements as CSV or JSON.
    #[command(subcommand)]
    Report(payouts::ReportCommand),
    /// Amend an entry: reverse it and log the corrected contribution, linked to it.
    Amend(ledger::AmendArgs),
    /// The split: each member's slices and share.
    Split(ledger::SplitArgs),
    /// Trace a member's slices to every entry behind them.
    Trace(ledger::TraceArgs),
    /// List ledger entries.
    Ledger(ledger::LedgerArgs),
    /// Recompute the hash chain, every entry's value and every total; exit 1 on any difference.
    Verify(ledger::VerifyArgs),
    /// Import contributions from CSV, or a whole venture from a JSON export.
    Import(ledger::ImportArgs),
    /// Comment on entries and members, edit comments, read a conversation.
    #[command(subcommand)]
    Comment(talk::CommentCommand),
    /// A venture's activity, newest first: entries, comments, members joining.
    Activity(talk::ActivityArgs),
    /// Export a whole venture as JSON.
    Export(ledger::ExportArgs),
}

/// How a command that ran to its end came out.
enum Outcome {
    /// It did what it was asked.
    Done,
    /// `verify` found ventures that do not verify: how many.
    Unverified(usize),
}

/// Parses the arguments, sets up logging, runs the command in its span, and prints an error as
/// one line: `error[code]: message`, exit 2 (1 when `verify` finds a difference).
fn main() -> ExitCode {
    let (cli, name) = match parse() {
        Ok(parsed) => parsed,
        Err(error) => return usage(&error),
    };
    let _logs = install_logging(cli.log_format);
    // The field is not `name`: JSON lines name the span itself `name`.
    let span = tracing::info_span!("command", command = %name);
    let outcome = span.in_scope(|| {
        let started = Instant::now();
        let outcome = run(cli);
        let result = match &outcome {
            Ok(Outcome::Done) => "ok",
            Ok(Outcome::Unverified(_)) => "verification_failed",
            Err(error) => error.code(),
        };
        tracing::debug!(elapsed_ms = started.elapsed().as_secs_f64() * 1000.0, result, "command finished");
        outcome
    });
    match outcome {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Unverified(failed)) => {
            eprintln!("error[verification_failed]: {failed} venture(s) do not verify");
            ExitCode::from(1)
        }
        Err(error) => {
            let code = error.code();
            eprintln!("error[{code}]: {}", output::one_line(&error.to_string()));
            ExitCode::from(2)
        }
    }
}

/// The arguments, parsed, and the command's name as typed without its arguments (`need
/// publish`), which names the span it runs in.
fn parse() -> Result<(Cli, String), clap::Error> {
    let mut matches = Cli::command().try_get_matches()?;
    let name = command_name(&matches);
    let cli = Cli::from_arg_matches_mut(&mut matches).map_err(|error| error.format(&mut Cli::command()))?;
    Ok((cli, name))
}

/// The names of the subcommands chosen, outermost first, separated by spaces.
fn command_name(matches: &ArgMatches) -> String {
    let mut names = Vec::new();
    let mut current = matches;
    while let Some((name, inner)) = current.subcommand() {
        names.push(name);
        current = inner;
    }
    names.join(" ")
}

/// Log lines go to standard error, as lines for people or JSON objects, filtered by `RUST_LOG`
/// (default: info). Standard output stays for results. A thread of their own writes them, so a
/// request never waits on the terminal or the disk for its log line (unless a backlog of 128k
/// lines builds up; none is dropped); the guard returned flushes them when it is dropped.
fn install_logging(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default().lossy(false).finish(std::io::stderr());
    let filter = EnvFilter::builder().with_default_directive(LevelFilter::INFO.into()).from_env_lossy();
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    // Installing fails only where a subscriber is installed already; that one then logs.
    let _ = match format {
        LogFormat::Human => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    guard
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
    eprintln!("error[usage]: {} (see peerstake --help)", output::one_line(message));
    ExitCode::from(2)
}

/// The clock, read once for the whole command.
fn now() -> Now {
    let at_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)).unwrap_or(0);
    Now::from_unix_ms(at_ms)
}

/// Opens the database and runs the command.
fn run(cli: Cli) -> Result<Outcome, AppError> {
    numbers::choose(cli.number_format.as_deref())?;
    // A server groups its commits onto shared syncs and answers each write once it is on disk;
    // a command syncs each commit before it prints what it wrote.
    let now = now();
    // A restore makes the database: nothing opens it before.
    let command = match cli.command {
        Command::Restore(args) => {
            let failed = backup::restore(&cli.database_url, args, now, &mut std::io::stdout())?;
            return Ok(if failed == 0 { Outcome::Done } else { Outcome::Unverified(failed) });
        }
        command => command,
    };
    let durability = if matches!(command, Command::Serve(_)) { Durability::Grouped } else { Durability::EachCommit };
    let commons = peerstake_backends::open_with(&cli.database_url, durability).map(Commons::with_store)?;
    // Standard output is not held locked: the server, run below, prints from its own threads.
    let out = &mut std::io::stdout();
    match command {
        Command::Serve(args) => serve::serve(commons, args, &cli.database_url, now)?,
        Command::Migrate => serve::migrate(&commons, &cli.database_url, out)?,
        Command::Backup(args) => backup::backup(&commons, args, out)?,
        // Handled above, before the database is opened.
        Command::Restore(_) => return Err(AppError::Internal("a restore runs before the database is opened".into())),
        Command::Demo => serve::demo(&commons, &cli.database_url, now, out)?,
        Command::Venture(command) => ventures::run(&commons, command, now, out)?,
        Command::Member(command) => members::run(&commons, command, now, out)?,
        Command::Policy(command) => policy::run(&commons, command, now, out)?,
        Command::Account(command) => accounts::run(&commons, command, now, out)?,
        Command::Log(args) => ledger::log(&commons, args, now, out)?,
        Command::Reverse(args) => ledger::reverse(&commons, args, now, out)?,
        Command::Review(command) => review::run(&commons, command, now, out)?,
        Command::Proposal(command) => proposals::run(&commons, command, now, out)?,
        Command::Recurring(command) => recurring::run(&commons, command, now, out)?,
        Command::Need(command) => needs::run(&commons, command, now, out)?,
        Command::Pledge(args) => needs::pledge(&commons, args, now, out)?,
        Command::Well(args) => well::well(&commons, args, out)?,
        Command::Costs(args) => well::costs(&commons, args, out)?,
        Command::Goods(command) => goods::goods_command(&commons, command, now, out)?,
        Command::Booking(command) => goods::booking_command(&commons, command, now, out)?,
        Command::Usage(command) => goods::usage_command(&commons, command, now, out)?,
        Command::Depart(args) => departures::depart(&commons, args, now, out)?,
        Command::Departures(args) => departures::departures(&commons, args, out)?,
        Command::Buyout(command) => departures::buyout(&commons, command, now, out)?,
        Command::Handover(command) => stewards::handover(&commons, command, now, out)?,
        Command::Stewards(args) => stewards::stewards(&commons, args, now, out)?,
        Command::Adopt(command) => stewards::adopt(&commons, command, now, out)?,
        Command::Freeze(command) => freezes::run(&commons, command, now, out)?,
        Command::Income(command) => payouts::income(&commons, command, now, out)?,
        Command::Distribute(args) => payouts::distribute(&commons, args, now, out)?,
        Command::Distributions(args) => payouts::distributions(&commons, args, out)?,
        Command::Statement(args) => payouts::statement(&commons, args, out)?,
        Command::Report(command) => payouts::report(&commons, command, now, out)?,
        Command::Amend(args) => ledger::amend(&commons, args, now, out)?,
        Command::Split(args) => ledger::split(&commons, args, out)?,
        Command::Trace(args) => ledger::trace(&commons, args, out)?,
        Command::Ledger(args) => ledger::ledger(&commons, args, out)?,
        Command::Verify(args) => match ledger::verify(&commons, args, now, out)? {
            0 => {}
            failed => return Ok(Outcome::Unverified(failed)),
        },
        Command::Import(args) => ledger::import(&commons, args, now, out)?,
        Command::Comment(command) => talk::run(&commons, command, now, out)?,
        Command::Activity(args) => talk::activity(&commons, args, out)?,
        Command::Export(args) => ledger::export(&commons, args, out)?,
    }
    Ok(Outcome::Done)
}

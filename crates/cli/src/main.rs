//! The `peerstake` command: a thin shell over the application layer. Arguments are parsed once
//! into typed requests; errors print as one line with a stable code and exit non-zero.

mod output;
mod talk;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use peerstake_app::forms::{ContributionForm, TermsForm};
use peerstake_app::ledger::{LedgerQuery, LogRequest, ReverseRequest, SplitQuery};
use peerstake_app::ventures::{AddMember, CreateVenture, PolicyChoice, SetPolicy, SetTerms};
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
        #[arg(long)]
        key: Option<String>,
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

#[derive(Args)]
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
    /// When it happened (YYYY-MM-DD, default today).
    #[arg(long)]
    date: Option<String>,
    /// Time: hours worked (1.5, 1:30 or 90m).
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
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            let code = error.code();
            eprintln!("error[{code}]: {error}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, AppError> {
    let commons = Commons::open(&cli.database_url)?;
    let now = now();
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Migrate => {
            let applied = commons.migrate()?;
            println!("database {} is up to date ({} migration(s) applied now)", peerstake_app::redact_url(&cli.database_url), applied.len());
        }
        Command::Demo => {
            if commons.ventures(now)?.iter().any(|v| v.record.slug == peerstake_app::demo::DEMO_SLUG) {
                println!("The demo venture already exists in {}.", peerstake_app::redact_url(&cli.database_url));
            } else {
                let head = commons.create_demo()?;
                println!("Created the demo venture 'demo' with {head} entries in {}.", peerstake_app::redact_url(&cli.database_url));
            }
            let report = commons.split("demo", &SplitQuery::default())?;
            output::split(&mut out, &report, Format::Table)?;
            println!("\nTry: peerstake ledger demo --limit 20 | peerstake trace demo ana | peerstake split demo --policy hours-only | peerstake verify demo");
        }
        Command::Serve { address, demo, insecure_cookies } => {
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
                    println!("peerstake is serving http://{bound}/ from {} (Ctrl-C stops it)", peerstake_app::redact_url(&url));
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
            if args.hours.is_some() && args.units.is_some() {
                return Err(peerstake_app::error::invalid("hours", "give --hours (time) or --units (capital-use), not both"));
            }
            let request = LogRequest {
                venture: args.venture.clone(),
                member: args.member.clone(),
                author: args.author.clone(),
                occurred_on: optional_date("date", args.date.as_deref())?.unwrap_or(now.today),
                form: ContributionForm {
                    kind: args.kind.clone(),
                    quantity: args.hours.clone().or(args.units.clone()).unwrap_or_default(),
                    amount: args.amount.clone().unwrap_or_default(),
                    paid: args.paid.clone().unwrap_or_default(),
                    condition: args.condition.clone().unwrap_or_default(),
                    unit: args.unit.clone().unwrap_or_default(),
                    rate: args.rate.clone().unwrap_or_default(),
                    class: args.class.clone().unwrap_or_default(),
                },
                note: args.note.clone(),
                idempotency_key: args.key.clone(),
            };
            let stored = commons.log(&request, now)?;
            let page = commons.ledger(&args.venture, &LedgerQuery { after: Some(stored.entry.seq - 1), limit: 1, ..LedgerQuery::default() })?;
            output::ledger(&mut out, &args.venture, &page, args.format)?;
        }
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
        VentureCommand::Create { slug, name, pitch, currency, policy, started_on, key } => {
            let request = CreateVenture {
                slug,
                name,
                pitch,
                currency,
                policy: policy_choice(&policy)?,
                started_on: optional_date("started-on", started_on.as_deref())?,
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
                venture,
                handle,
                display_name: name,
                role,
                joined_on: optional_date("joined-on", joined_on.as_deref())?,
                terms: terms.form(),
                idempotency_key: key,
            };
            let view = commons.add_member(&request, now)?;
            println!("added member #{} {} ({})", view.record.member_no.0, view.record.handle, view.record.role);
        }
        MemberCommand::Terms { venture, handle, from, terms, key } => {
            let request = SetTerms { venture, handle: handle.clone(), terms: terms.form(), effective_from: date("from", &from)?, idempotency_key: key };
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

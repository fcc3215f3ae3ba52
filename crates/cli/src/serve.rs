//! `peerstake serve`, `demo` and `migrate`: running the web application (pages for people, the
//! JSON API for programs), loading the demo venture, and bringing the database up to date.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use peerstake_app::demo::DEMO_SLUG;
use peerstake_app::ledger::SplitQuery;
use peerstake_app::{AppError, Commons, Now};
use peerstake_backends::redact_url;
use peerstake_web::mail::{EmailMailer, MailSettings, Outbox};

use crate::output::{self, Format, io};

/// `serve`: the web application.
#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    address: SocketAddr,
    /// Load the demo venture first (once) and print its logins.
    #[arg(long)]
    demo: bool,
    /// Send cookies without the Secure flag: only when serving plain HTTP on an address
    /// other than loopback (loopback works either way; behind HTTPS, leave this off).
    #[arg(long)]
    insecure_cookies: bool,
    /// Send email notifications through this relay: `smtp://[user:password@]host[:port]`
    /// (STARTTLS, required; port 587 unless given), `smtps://[user:password@]host[:port]`
    /// (TLS from the start; port 465), `smtp://host[:port]?tls=none` (no TLS: a relay on
    /// loopback only; port 25), or `file:///dir` to write them as files. None: nothing is sent.
    #[arg(long, env = "PEERSTAKE_SMTP_URL")]
    smtp_url: Option<String>,
    /// Also trust the certificate authorities in this PEM file for the relay's certificate (a
    /// relay with a private CA); Mozilla's roots are always trusted.
    #[arg(long, env = "PEERSTAKE_SMTP_CA_FILE")]
    smtp_ca_file: Option<PathBuf>,
    /// The sender of notifications.
    #[arg(long, env = "PEERSTAKE_MAIL_FROM", default_value = "peerstake <peerstake@localhost>")]
    mail_from: String,
    /// The address people reach this server at, for links in notifications.
    #[arg(long, env = "PEERSTAKE_PUBLIC_URL")]
    public_url: Option<String>,
}

/// Whether the demo venture is in the database.
fn has_demo(commons: &Commons, now: Now) -> Result<bool, AppError> {
    Ok(commons.ventures(now)?.iter().any(|v| v.record.slug == DEMO_SLUG))
}

/// Runs `migrate`.
pub fn migrate(commons: &Commons, database_url: &str, out: &mut impl Write) -> Result<(), AppError> {
    let applied = commons.migrate()?;
    writeln!(out, "database {} is up to date ({} migration(s) applied now)", redact_url(database_url), applied.len()).map_err(io)
}

/// Runs `demo`: creates the demo venture unless it exists, and prints its split.
pub fn demo(commons: &Commons, database_url: &str, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    if has_demo(commons, now)? {
        writeln!(out, "The demo venture already exists in {}.", redact_url(database_url)).map_err(io)?;
    } else {
        let head = commons.create_demo()?;
        writeln!(out, "Created the demo venture 'demo' with {head} entries in {}.", redact_url(database_url)).map_err(io)?;
    }
    let report = commons.split("demo", &SplitQuery::default())?;
    output::split(out, &report, Format::Table)?;
    writeln!(out, "\nTry: peerstake ledger demo --limit 20 | peerstake trace demo ana | peerstake split demo --policy hours-only | peerstake verify demo")
        .map_err(io)
}

/// Runs `serve` until the server stops. It prints as it goes, without holding standard output:
/// the server's threads may print too.
pub fn serve(mut commons: Commons, args: ServeArgs, database_url: &str, now: Now) -> Result<(), AppError> {
    let ServeArgs { address, demo, insecure_cookies, smtp_url, smtp_ca_file, mail_from, public_url } = args;
    if let Some(url) = smtp_url.as_deref().filter(|u| !u.trim().is_empty()) {
        let public_url = public_url.unwrap_or_else(|| format!("http://{address}"));
        let settings = MailSettings { url, from: &mail_from, public_url: &public_url, ca_file: smtp_ca_file.as_deref() };
        let mailer = Outbox::open(&settings).and_then(EmailMailer::with_outbox).map_err(|e| peerstake_app::error::invalid("smtp url", e))?;
        commons.set_mailer(Arc::new(mailer));
    } else if smtp_ca_file.is_some() {
        return Err(peerstake_app::error::invalid("smtp ca file", "--smtp-ca-file needs --smtp-url"));
    }
    if demo {
        if !has_demo(&commons, now)? {
            commons.create_demo()?;
        }
        let logins = commons.create_demo_logins(now)?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "Demo venture 'demo' (Loomworks) is loaded. Sign in as any of its peers:").map_err(io)?;
        for (username, password) in logins {
            writeln!(out, "  {username:<8} password {password}").map_err(io)?;
        }
    }
    let state = peerstake_web::AppState::new(Arc::new(commons), peerstake_web::system_clock(), !insecure_cookies);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| AppError::Internal(format!("cannot start the server: {e}")))?;
    let url = redact_url(database_url);
    runtime
        .block_on(peerstake_web::serve(state, address, |bound| {
            tracing::info!(address = %bound, database = %url, "serving");
            println!("peerstake is serving http://{bound}/ from {url} (Ctrl-C stops it)");
        }))
        .map_err(|e| AppError::Internal(format!("the server stopped: {e}")))
}

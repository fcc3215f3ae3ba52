//! `backup` and `restore`: a consistent copy of a live SQLite database while the server keeps
//! writing, and bringing one back, checked end to end. A PostgreSQL database is copied with
//! `pg_dump` and brought back with `pg_restore` (the README says how), then checked with
//! `verify --all`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use peerstake_app::{AppError, Commons, Now};

use crate::output::io;

/// `backup`: where the copy goes.
#[derive(Args)]
pub struct BackupArgs {
    /// The new file to write (it must not exist).
    #[arg(long)]
    output: PathBuf,
}

/// `restore`: the copy to bring back.
#[derive(Args)]
pub struct RestoreArgs {
    /// A file `peerstake backup` wrote.
    #[arg(long)]
    input: PathBuf,
}

/// Writes a consistent copy of the database: what was committed when it began.
pub fn backup(commons: &Commons, args: BackupArgs, out: &mut impl Write) -> Result<(), AppError> {
    commons.store().back_up(&args.output)?;
    writeln!(out, "backed up to {}", args.output.display()).map_err(io)
}

/// Brings back a copy as the database `database_url` names (which must not exist), then
/// verifies every venture in it. Returns how many ventures failed verification.
pub fn restore(database_url: &str, args: RestoreArgs, now: Now, out: &mut impl Write) -> Result<usize, AppError> {
    peerstake_backends::restore(&args.input, database_url)?;
    let commons = peerstake_backends::open(database_url).map(Commons::with_store)?;
    writeln!(out, "restored {} as {}", args.input.display(), peerstake_backends::redact_url(database_url)).map_err(io)?;
    let mut failed = 0;
    for venture in commons.ventures(now)? {
        let report = commons.verify(&venture.record.slug)?;
        if report.differences.is_empty() {
            writeln!(out, "{}: ok — {} entries, chain head {}", venture.record.slug, report.entries, report.head.to_hex()).map_err(io)?;
        } else {
            failed += 1;
            writeln!(out, "{}: {} difference(s)", venture.record.slug, report.differences.len()).map_err(io)?;
        }
    }
    Ok(failed)
}

//! Opens the store a database URL names, so that only the binaries (and tests) choose a backend:
//! `postgres://…` or `postgresql://…` for PostgreSQL; `sqlite://path`, `sqlite:path` or a plain
//! path for a SQLite file. Migrations are applied on opening.
//!
//! Architecture invariant: knows the two backends and URLs, nothing else; the application layer
//! above sees only the `Store` trait.
#![warn(missing_docs)]

use std::path::Path;

use peerstake_store::{Durability, Store, StoreError};

/// Opens the store `url` names and applies its migrations; every commit is on disk when it
/// returns.
pub fn open(url: &str) -> Result<Box<dyn Store>, StoreError> {
    open_with(url, Durability::EachCommit)
}

/// Opens the store `url` names with the durability asked for: a server groups its commits onto
/// shared syncs and answers each write once its commit is on disk. (PostgreSQL's commits are
/// durable when they return, either way.)
pub fn open_with(url: &str, durability: Durability) -> Result<Box<dyn Store>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Box::new(peerstake_postgres::PostgresStore::connect(url)?));
    }
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    if path.is_empty() {
        return Err(StoreError::Backend("the database URL names no SQLite file".into()));
    }
    Ok(Box::new(peerstake_sqlite::SqliteStore::open_with(Path::new(path), durability)?))
}

/// Brings back a SQLite backup as the database `url` names (which must not exist yet). A
/// PostgreSQL database is restored with `pg_restore`.
pub fn restore(backup: &Path, url: &str) -> Result<(), StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Err(StoreError::Backend("a PostgreSQL database is restored with pg_restore (see the README's Backups)".into()));
    }
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    peerstake_sqlite::restore(backup, Path::new(path))
}

/// Describes a database URL for messages without its password.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

//! Opens the store a database URL names, so that only the binaries (and tests) choose a backend:
//! `postgres://…` or `postgresql://…` for PostgreSQL; `sqlite://path`, `sqlite:path` or a plain
//! path for a SQLite file. Migrations are applied on opening.
//!
//! Architecture invariant: knows the two backends and URLs, nothing else; the application layer
//! above sees only the `Store` trait.
#![warn(missing_docs)]

use std::path::Path;

use peerstake_store::{Store, StoreError};

/// Opens the store `url` names and applies its migrations.
pub fn open(url: &str) -> Result<Box<dyn Store>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Box::new(peerstake_postgres::PostgresStore::connect(url)?));
    }
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    if path.is_empty() {
        return Err(StoreError::Backend("the database URL names no SQLite file".into()));
    }
    Ok(Box::new(peerstake_sqlite::SqliteStore::open(Path::new(path))?))
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

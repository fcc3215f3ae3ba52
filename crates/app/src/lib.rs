//! The application layer of peerstake: every use case (create a venture, add a member, log a
//! contribution, reverse one, read the split, verify, import, export), each one transaction that
//! either writes everything or nothing.
//!
//! Architecture invariant: this crate owns the transaction boundary, idempotency and the file
//! formats (policy TOML, contribution CSV, venture export JSON). It knows the storage trait, not
//! SQL; it knows nothing of HTTP or of the command line. Time comes in as an argument ([`Now`]).
#![warn(missing_docs)]

// The kernel: what every capability builds on. It imports no capability.
pub mod access;
pub mod audit;
pub mod book;
pub mod csv_safe;
pub mod error;
pub mod forms;
pub mod holds;
pub mod idempotency;
pub mod journal;
pub mod membership;
pub mod notify;
pub mod policy_file;
pub mod verify;

// The capabilities: each owns its requests, views and use cases, and its own `impl Acting`; it
// imports the kernel, the core and the store, never a sibling (the demo and the reports, which
// compose others, aside).
pub mod accounts;
pub mod capital;
pub mod demo;
pub mod departures;
pub mod files;
pub mod freezes;
pub mod goods;
pub mod ledger;
pub mod members;
pub mod payouts;
pub mod proposals;
pub mod recurring;
pub mod reports;
pub mod review;
pub mod stewards;
pub mod talk;
pub mod ventures;
pub mod well;

pub use error::AppError;
use peerstake_store::Store;
use time::{Date, OffsetDateTime};

/// The moment a use case runs at, passed in so tests and imports control it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// Milliseconds since the Unix epoch (UTC).
    pub at_ms: i64,
    /// Today's date (UTC).
    pub today: Date,
}

impl Now {
    /// The moment `at_ms` milliseconds after the epoch.
    pub fn from_unix_ms(at_ms: i64) -> Now {
        let today = OffsetDateTime::from_unix_timestamp(at_ms.div_euclid(1000)).map(|t| t.date()).unwrap_or(Date::MIN);
        Now { at_ms, today }
    }

    /// Noon UTC on a date: the moment demo and test data are recorded at.
    pub fn noon_of(date: Date) -> Now {
        let at_ms = (date.midnight().assume_utc().unix_timestamp() + 12 * 3600) * 1000;
        Now { at_ms, today: date }
    }
}

/// A commons: one database of ventures. Every use case is a method.
pub struct Commons {
    store: Box<dyn Store>,
    books: book::BookCache,
    splits: ledger::SplitCache,
    mailer: Option<std::sync::Arc<dyn notify::Mailer>>,
}

impl std::fmt::Debug for Commons {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Commons").field("backend", &self.store.backend()).finish()
    }
}

impl Commons {
    /// A commons over any store.
    pub fn with_store(store: Box<dyn Store>) -> Commons {
        Commons { store, books: book::BookCache::default(), splits: ledger::SplitCache::default(), mailer: None }
    }

    /// The store underneath.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// Applies pending migrations (opening already does); returns their names.
    pub fn migrate(&self) -> Result<Vec<String>, AppError> {
        Ok(self.store.migrate()?)
    }
}

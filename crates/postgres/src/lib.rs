//! The PostgreSQL backend: a shared server, a small pool of connections, and writers serialized
//! per venture by a row lock on the venture (`SELECT … FOR UPDATE`). Readers get a repeatable-read
//! snapshot. Migrations are embedded and applied on every connect, under an advisory lock so
//! that processes starting together do not collide.
//!
//! Architecture invariant: the only crate besides `peerstake-sqlite` that knows SQL; it knows
//! nothing of valuation rules, HTTP or the CLI.
#![warn(missing_docs)]

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::Mutex;

use peerstake_core::chain::EntryHash;
use peerstake_core::dating::{ReadMark, ReadScope};
use peerstake_core::edition::Edition;
use peerstake_core::entry::Entry;
use peerstake_core::kind::Kind;
use peerstake_core::numbers::NumberFormat;
use peerstake_core::replay::{Bucket, BucketKey};
use peerstake_core::terms::{MemberNo, Terms};
use peerstake_store::codes::{TERMS_HOURLY, TERMS_SALARY, class_code, class_from_code, kind_code, kind_from_code, number_format_from_name};
use peerstake_store::effects;
use peerstake_store::talk::{ACTIVITY_PAGE_MAX, COMMENTS_PAGE_MAX, number_bound_at_cursor};
use peerstake_store::{
    AccessRecord, AccountId, AccountRecord, ActivityCursor, ActivityRecord, ActivityWhat, ApiTokenRecord, CommentRecord, CommentSubject, CommentVersionRecord,
    DraftRecord, EntryFilter, IdempotencyRecord, JoinRequestRecord, MemberRecord, Mode, NewComment, NewVenture, PAGE_SIZE_MAX, PolicyVersionRecord,
    ProposalRecord, ProposalVote, RecurringRecord, SessionRecord, Store, StoreError, StoredEntry, TermsRecord, Transaction, VentureId, VentureRecord,
};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::error::SqlState;
use postgres::types::{FromSql, ToSql, Type};
use postgres::{Client, Config, NoTls, Row, Statement};
use time::Date;

mod capital;
mod lifecycle;
#[cfg(test)]
mod tests;

/// The migrations, in order. Each runs once, in its own transaction.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_ledger", include_str!("../migrations/0001_ledger.sql")),
    ("0002_people", include_str!("../migrations/0002_people.sql")),
    ("0003_book_version", include_str!("../migrations/0003_book_version.sql")),
    ("0004_talk", include_str!("../migrations/0004_talk.sql")),
    ("0005_review", include_str!("../migrations/0005_review.sql")),
    ("0006_recurring", include_str!("../migrations/0006_recurring.sql")),
    ("0007_notifications", include_str!("../migrations/0007_notifications.sql")),
    ("0008_capital", include_str!("../migrations/0008_capital.sql")),
    ("0009_lifecycle", include_str!("../migrations/0009_lifecycle.sql")),
    ("0010_numbers_and_dating", include_str!("../migrations/0010_numbers_and_dating.sql")),
];

/// The advisory lock held while migrating ("peerstak" in ASCII).
const MIGRATION_LOCK: i64 = 0x7065_6572_7374_616b;

/// How many idle connections are kept.
const IDLE_MAX: usize = 8;

/// How many entries a scan fetches from its cursor at a time.
const SCAN_CHUNK: usize = 10_000;

/// Batches of at most this many entries are inserted row by row; larger ones are copied.
const INSERT_ROWS_MAX: usize = 4;

/// The name of the cursor a scan reads through (one scan at a time per transaction).
const SCAN_CURSOR: &str = "peerstake_scan";

/// A commons in one PostgreSQL database.
pub struct PostgresStore {
    config: Config,
    idle: Mutex<Vec<Pooled>>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        formatter
            .debug_struct("PostgresStore")
            .field("user", &self.config.get_user())
            .field("hosts", &self.config.get_hosts())
            .field("ports", &self.config.get_ports())
            .field("dbname", &self.config.get_dbname())
            .finish_non_exhaustive()
    }
}

fn backend(error: postgres::Error) -> StoreError {
    if let Some(db) = error.as_db_error() {
        let code = db.code();
        let message = db.message();
        if *code == SqlState::RAISE_EXCEPTION && message.contains("append-only") {
            return StoreError::AppendOnly(message.to_string());
        }
        if *code == SqlState::UNIQUE_VIOLATION || *code == SqlState::FOREIGN_KEY_VIOLATION || *code == SqlState::CHECK_VIOLATION {
            return StoreError::Conflict(match db.detail() {
                Some(detail) => format!("{message} ({detail})"),
                None => message.to_string(),
            });
        }
    }
    StoreError::Backend(error.to_string())
}

/// A pooled connection with the statements it has prepared.
struct Pooled {
    client: Client,
    statements: HashMap<String, Statement>,
    /// A statement failed in the open transaction: PostgreSQL has aborted it.
    aborted: bool,
}

type Params<'a> = [&'a (dyn ToSql + Sync)];

impl Pooled {
    /// Records a failure: a server error (or a lost connection) aborts the transaction.
    fn fail(&mut self, error: postgres::Error) -> StoreError {
        if error.as_db_error().is_some() || self.client.is_closed() {
            self.aborted = true;
        }
        backend(error)
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.client.batch_execute(sql).map_err(|e| self.fail(e))
    }

    /// Prepares a statement once per connection.
    fn prepare(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql).map_err(|e| self.fail(e))?;
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    fn query(&mut self, sql: &str, params: &Params<'_>) -> Result<Vec<Row>, StoreError> {
        let statement = self.prepare(sql)?;
        self.client.query(&statement, params).map_err(|e| self.fail(e))
    }

    fn query_opt(&mut self, sql: &str, params: &Params<'_>) -> Result<Option<Row>, StoreError> {
        let statement = self.prepare(sql)?;
        self.client.query_opt(&statement, params).map_err(|e| self.fail(e))
    }

    fn query_one(&mut self, sql: &str, params: &Params<'_>) -> Result<Row, StoreError> {
        let statement = self.prepare(sql)?;
        self.client.query_one(&statement, params).map_err(|e| self.fail(e))
    }

    fn execute(&mut self, sql: &str, params: &Params<'_>) -> Result<u64, StoreError> {
        let statement = self.prepare(sql)?;
        self.client.execute(&statement, params).map_err(|e| self.fail(e))
    }
}

impl PostgresStore {
    /// Connects to the database a `postgres://` URL names (without TLS) and applies pending
    /// migrations.
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let config: Config = url.parse().map_err(backend)?;
        let store = PostgresStore { config, idle: Mutex::new(Vec::new()) };
        store.migrate()?;
        // Databases made before version 0.1.0 kept effects in a table of their own; this binary
        // cannot read their ledger, so it says so rather than failing on the first entry.
        let mut pooled = store.open()?;
        let early = pooled.query_opt("SELECT to_regclass('entry_effects')::text", &[])?.map(|row| get::<Option<String>>(&row, 0)).transpose()?.flatten();
        if early.is_some() {
            return Err(StoreError::Backend(
                "this database was made by a pre-release peerstake whose ledger layout this version does not read; export it with that version, or use a new database".into(),
            ));
        }
        Ok(store)
    }

    fn open(&self) -> Result<Pooled, StoreError> {
        let client = self.config.connect(NoTls).map_err(backend)?;
        Ok(Pooled { client, statements: HashMap::new(), aborted: false })
    }

    /// An idle connection, or a new one. The flag says whether it was idle (it may have been
    /// closed by the server since).
    fn take(&self) -> Result<(Pooled, bool), StoreError> {
        loop {
            let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
            match idle {
                Some(pooled) if !pooled.client.is_closed() => return Ok((pooled, true)),
                Some(_) => continue,
                None => return Ok((self.open()?, false)),
            }
        }
    }

    fn give_back(&self, pooled: Pooled) {
        if pooled.client.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < IDLE_MAX {
            idle.push(pooled);
        }
    }

    /// A connection inside a new transaction. A pooled connection the server has dropped is
    /// replaced by a new one once.
    fn begin_on(&self, statement: &str) -> Result<Pooled, StoreError> {
        let (mut pooled, was_idle) = self.take()?;
        pooled.aborted = false;
        match pooled.client.batch_execute(statement) {
            Ok(()) => Ok(pooled),
            Err(_) if was_idle && pooled.client.is_closed() => {
                drop(pooled);
                let mut fresh = self.open()?;
                fresh.client.batch_execute(statement).map_err(backend)?;
                Ok(fresh)
            }
            Err(error) => {
                // BEGIN failed; nothing is open. The connection goes back only if it is whole.
                self.give_back(pooled);
                Err(backend(error))
            }
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)).unwrap_or(0)
}

/// Applies one migration inside an open transaction; false when it was already applied.
fn apply_migration(client: &mut Client, name: &str, sql: &str) -> Result<bool, StoreError> {
    client.batch_execute(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")).map_err(backend)?;
    client.batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at_ms BIGINT NOT NULL)").map_err(backend)?;
    let done = client.query_opt("SELECT name FROM schema_migrations WHERE name = $1", &[&name]).map_err(backend)?;
    if done.is_some() {
        return Ok(false);
    }
    client.batch_execute(sql).map_err(backend)?;
    client.execute("INSERT INTO schema_migrations (name, applied_at_ms) VALUES ($1, $2)", &[&name, &now_ms()]).map_err(backend)?;
    Ok(true)
}

fn migrate_on(client: &mut Client) -> Result<Vec<String>, StoreError> {
    let mut applied = Vec::new();
    for (name, sql) in MIGRATIONS {
        client.batch_execute("BEGIN").map_err(backend)?;
        match apply_migration(client, name, sql) {
            Ok(fresh) => {
                client.batch_execute("COMMIT").map_err(backend)?;
                if fresh {
                    applied.push((*name).to_string());
                }
            }
            Err(error) => {
                // The error is what matters; a failed rollback leaves a connection we drop.
                let _ = client.batch_execute("ROLLBACK");
                return Err(error);
            }
        }
    }
    Ok(applied)
}

impl Store for PostgresStore {
    fn begin(&self, mode: Mode) -> Result<Box<dyn Transaction + '_>, StoreError> {
        let statement = match mode {
            Mode::Read => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            Mode::Write => "BEGIN",
        };
        let pooled = self.begin_on(statement)?;
        Ok(Box::new(PostgresTransaction { store: self, pooled: Some(pooled), open: true }))
    }

    fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let (mut pooled, _) = self.take()?;
        let outcome = migrate_on(&mut pooled.client);
        if outcome.is_ok() {
            self.give_back(pooled);
        }
        outcome
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }
}

struct PostgresTransaction<'a> {
    store: &'a PostgresStore,
    pooled: Option<Pooled>,
    open: bool,
}

impl Drop for PostgresTransaction<'_> {
    fn drop(&mut self) {
        let Some(mut pooled) = self.pooled.take() else {
            return;
        };
        if self.open && pooled.client.batch_execute("ROLLBACK").is_err() {
            // A connection that cannot roll back is not returned to the pool.
            return;
        }
        self.store.give_back(pooled);
    }
}

fn narrow<S, T>(value: S, what: &str) -> Result<T, StoreError>
where
    S: Copy + Display,
    T: TryFrom<S>,
{
    T::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} {value} is out of range")))
}

fn seq_param(seq: u64) -> Result<i64, StoreError> {
    narrow(seq, "sequence")
}

fn member_param(member: MemberNo) -> Result<i32, StoreError> {
    narrow(member.0, "member")
}

fn get<'a, T: FromSql<'a>>(row: &'a Row, index: usize) -> Result<T, StoreError> {
    row.try_get(index).map_err(backend)
}

fn hash_from_bytes(bytes: &[u8]) -> Result<EntryHash, StoreError> {
    let array: [u8; 32] = bytes.try_into().map_err(|_| StoreError::Corrupt("a hash is not 32 bytes".into()))?;
    Ok(EntryHash(array))
}

fn kind_of(code: i16) -> Result<Kind, StoreError> {
    kind_from_code(i64::from(code)).ok_or_else(|| StoreError::Corrupt(format!("kind code {code}")))
}

fn class_of(code: i16) -> Result<peerstake_core::kind::Class, StoreError> {
    class_from_code(i64::from(code)).ok_or_else(|| StoreError::Corrupt(format!("class code {code}")))
}

const VENTURE_COLUMNS: &str = "venture_id, slug, name, pitch, currency, created_at_ms, head_seq, head_hash, book_version, number_format, edition";

fn venture_from_row(row: &Row) -> Result<VentureRecord, StoreError> {
    let head_seq: i64 = get(row, 6)?;
    let head_hash: &[u8] = get(row, 7)?;
    let book_version: i64 = get(row, 8)?;
    let number_format: String = get(row, 9)?;
    let edition: i16 = get(row, 10)?;
    Ok(VentureRecord {
        number_format: number_format_from_name(Some(&number_format)).ok_or_else(|| StoreError::Corrupt(format!("number format {number_format}")))?,
        edition: u8::try_from(edition).ok().and_then(Edition::from_number).ok_or_else(|| StoreError::Corrupt(format!("edition {edition}")))?,
        id: VentureId(get(row, 0)?),
        slug: get(row, 1)?,
        name: get(row, 2)?,
        pitch: get(row, 3)?,
        currency: get(row, 4)?,
        created_at_ms: get(row, 5)?,
        head_seq: narrow(head_seq, "head")?,
        head_hash: hash_from_bytes(head_hash)?,
        book_version: narrow(book_version, "book version")?,
    })
}

const ENTRY_COLUMNS: &str = "seq, occurred_on, recorded_at_ms, author_no, member_no, tag, inputs, note, policy_version, terms_version, fmv_minor, slices_minor, reverses_seq, hash, effects, about_seq";

fn entry_from_row(row: &Row) -> Result<StoredEntry, StoreError> {
    let optional_member =
        |index: usize| -> Result<Option<MemberNo>, StoreError> { get::<Option<i32>>(row, index)?.map(|v| narrow(v, "member").map(MemberNo)).transpose() };
    let seq: i64 = get(row, 0)?;
    let policy_version: i32 = get(row, 8)?;
    let terms_version: i32 = get(row, 9)?;
    let reverses: Option<i64> = get(row, 12)?;
    let about: Option<i64> = get(row, 15)?;
    let hash: &[u8] = get(row, 13)?;
    let effect_bytes: &[u8] = get(row, 14)?;
    Ok(StoredEntry {
        entry: Entry {
            seq: narrow(seq, "sequence")?,
            occurred_on: get(row, 1)?,
            recorded_at_ms: get(row, 2)?,
            author: optional_member(3)?,
            member: optional_member(4)?,
            tag: get(row, 5)?,
            inputs: get(row, 6)?,
            note: get(row, 7)?,
            policy_version: narrow(policy_version, "policy version")?,
            terms_version: narrow(terms_version, "terms version")?,
            fmv_minor: get(row, 10)?,
            slices_minor: get(row, 11)?,
            reverses: reverses.map(|v| narrow(v, "sequence")).transpose()?,
            about: about.map(|v| narrow(v, "sequence")).transpose()?,
            effects: effects::decode(effect_bytes)?,
        },
        hash: hash_from_bytes(hash)?,
    })
}

fn bucket_from_row(row: &Row) -> Result<(BucketKey, Bucket), StoreError> {
    let member: i32 = get(row, 0)?;
    Ok((
        BucketKey { member: MemberNo(narrow(member, "member")?), kind: kind_of(get(row, 1)?)?, class: class_of(get(row, 2)?)? },
        Bucket { fmv_minor: get(row, 3)?, slices_minor: get(row, 4)?, well_minor: get(row, 5)? },
    ))
}

const INSERT_ENTRY: &str = "INSERT INTO entries (venture_id, seq, occurred_on, recorded_at_ms, author_no, member_no, tag, inputs, note, policy_version, terms_version, fmv_minor, slices_minor, reverses_seq, hash, shared, effects, about_seq)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";

const COPY_ENTRIES: &str = "COPY entries (venture_id, seq, occurred_on, recorded_at_ms, author_no, member_no, tag, inputs, note, policy_version, terms_version, fmv_minor, slices_minor, reverses_seq, hash, shared, effects, about_seq)
     FROM STDIN (FORMAT binary)";

const ENTRY_TYPES: &[Type] = &[
    Type::INT8,
    Type::INT8,
    Type::DATE,
    Type::INT8,
    Type::INT4,
    Type::INT4,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT4,
    Type::INT4,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::BYTEA,
    Type::BOOL,
    Type::BYTEA,
    Type::INT8,
];

/// An entry's columns, converted for binding.
struct EntryRow<'a> {
    venture: i64,
    seq: i64,
    occurred_on: Date,
    recorded_at_ms: i64,
    author: Option<i32>,
    member: Option<i32>,
    tag: &'a str,
    inputs: &'a str,
    note: &'a str,
    policy_version: i32,
    terms_version: i32,
    fmv_minor: i64,
    slices_minor: i64,
    reverses: Option<i64>,
    hash: &'a [u8],
    shared: bool,
    effects: Vec<u8>,
    about: Option<i64>,
}

impl<'a> EntryRow<'a> {
    fn new(venture: VentureId, stored: &'a StoredEntry) -> Result<EntryRow<'a>, StoreError> {
        let entry = &stored.entry;
        Ok(EntryRow {
            venture: venture.0,
            seq: seq_param(entry.seq)?,
            occurred_on: entry.occurred_on,
            recorded_at_ms: entry.recorded_at_ms,
            author: entry.author.map(member_param).transpose()?,
            member: entry.member.map(member_param).transpose()?,
            tag: &entry.tag,
            inputs: &entry.inputs,
            note: &entry.note,
            policy_version: narrow(entry.policy_version, "policy version")?,
            terms_version: narrow(entry.terms_version, "terms version")?,
            fmv_minor: entry.fmv_minor,
            slices_minor: entry.slices_minor,
            reverses: entry.reverses.map(seq_param).transpose()?,
            hash: stored.hash.0.as_slice(),
            shared: effects::shared(entry.member, &entry.effects),
            effects: effects::encode(&entry.effects),
            about: entry.about.map(seq_param).transpose()?,
        })
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 18] {
        [
            &self.venture,
            &self.seq,
            &self.occurred_on,
            &self.recorded_at_ms,
            &self.author,
            &self.member,
            &self.tag,
            &self.inputs,
            &self.note,
            &self.policy_version,
            &self.terms_version,
            &self.fmv_minor,
            &self.slices_minor,
            &self.reverses,
            &self.hash,
            &self.shared,
            &self.effects,
            &self.about,
        ]
    }
}

/// Streams rows into a table with binary COPY. Any failure aborts the COPY and so the
/// transaction.
fn copy_in(
    pooled: &mut Pooled,
    sql: &str,
    types: &[Type],
    write: impl FnOnce(&mut BinaryCopyInWriter<'_>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let statement = pooled.prepare(sql)?;
    let outcome = (|| -> Result<(), StoreError> {
        let sink = pooled.client.copy_in(&statement).map_err(backend)?;
        let mut writer = BinaryCopyInWriter::new(sink, types);
        write(&mut writer)?;
        writer.finish().map_err(backend)?;
        Ok(())
    })();
    if outcome.is_err() {
        pooled.aborted = true;
    }
    outcome
}

impl PostgresTransaction<'_> {
    pub(crate) fn bump_book_version(&mut self, venture: VentureId) -> Result<(), StoreError> {
        self.pooled().execute("UPDATE ventures SET book_version = book_version + 1 WHERE venture_id = $1", &[&venture.0])?;
        Ok(())
    }

    fn pooled(&mut self) -> &mut Pooled {
        match &mut self.pooled {
            Some(pooled) => pooled,
            None => unreachable!("a connection is present until drop"),
        }
    }

    fn buckets(&mut self, sql: &str, params: &Params<'_>) -> Result<Vec<(BucketKey, Bucket)>, StoreError> {
        let rows = self.pooled().query(sql, params)?;
        rows.iter().map(bucket_from_row).collect()
    }

    fn insert_rows(&mut self, venture: VentureId, entries: &[StoredEntry]) -> Result<(), StoreError> {
        let pooled = self.pooled();
        for stored in entries {
            let row = EntryRow::new(venture, stored)?;
            pooled.execute(INSERT_ENTRY, &row.params())?;
        }
        Ok(())
    }

    fn copy_rows(&mut self, venture: VentureId, entries: &[StoredEntry]) -> Result<(), StoreError> {
        copy_in(self.pooled(), COPY_ENTRIES, ENTRY_TYPES, |writer| {
            for stored in entries {
                let row = EntryRow::new(venture, stored)?;
                writer.write(&row.params()).map_err(backend)?;
            }
            Ok(())
        })
    }

    /// Runs a query through a server-side cursor inside the transaction, visiting its rows a
    /// chunk at a time, so a scan of a long ledger holds one chunk in memory.
    fn each_row(&mut self, query: &str, params: &Params<'_>, visit: &mut dyn FnMut(&Row) -> Result<(), StoreError>) -> Result<(), StoreError> {
        self.pooled().execute(&format!("DECLARE {SCAN_CURSOR} NO SCROLL CURSOR FOR {query}"), params)?;
        let outcome = self.fetch_all(visit);
        let close = format!("CLOSE {SCAN_CURSOR}");
        match outcome {
            Ok(()) => self.pooled().batch(&close),
            Err(error) => {
                if !self.pooled().aborted {
                    // The scan's error is the one to report.
                    let _ = self.pooled().batch(&close);
                }
                Err(error)
            }
        }
    }

    fn fetch_all(&mut self, visit: &mut dyn FnMut(&Row) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let pooled = self.pooled();
        // Not cached: a FETCH is described against the cursor open now.
        let fetch = pooled.client.prepare(&format!("FETCH FORWARD {SCAN_CHUNK} FROM {SCAN_CURSOR}")).map_err(|e| pooled.fail(e))?;
        loop {
            let rows = pooled.client.query(&fetch, &[]).map_err(|e| pooled.fail(e))?;
            for row in &rows {
                visit(row)?;
            }
            if rows.len() < SCAN_CHUNK {
                return Ok(());
            }
        }
    }
}

impl Transaction for PostgresTransaction<'_> {
    fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        let pooled = self.pooled();
        if pooled.aborted {
            // PostgreSQL would answer COMMIT with a silent rollback.
            return Err(StoreError::Backend("an earlier statement failed and PostgreSQL aborted the transaction; nothing was written".into()));
        }
        pooled.batch("COMMIT")?;
        self.open = false;
        Ok(())
    }

    fn insert_venture(&mut self, venture: &NewVenture, genesis: &EntryHash) -> Result<VentureId, StoreError> {
        let hash = genesis.0.as_slice();
        let row = self.pooled().query_one(
            "INSERT INTO ventures (slug, name, pitch, currency, created_at_ms, head_seq, head_hash, number_format, edition)
             VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8) RETURNING venture_id",
            &[
                &venture.slug,
                &venture.name,
                &venture.pitch,
                &venture.currency,
                &venture.created_at_ms,
                &hash,
                &venture.number_format.name(),
                &i16::from(venture.edition.number()),
            ],
        )?;
        Ok(VentureId(get(&row, 0)?))
    }

    fn venture_by_slug(&mut self, slug: &str) -> Result<Option<VentureRecord>, StoreError> {
        let sql = format!("SELECT {VENTURE_COLUMNS} FROM ventures WHERE slug = $1");
        let row = self.pooled().query_opt(&sql, &[&slug])?;
        row.as_ref().map(venture_from_row).transpose()
    }

    fn ventures(&mut self) -> Result<Vec<VentureRecord>, StoreError> {
        let sql = format!("SELECT {VENTURE_COLUMNS} FROM ventures ORDER BY slug");
        let rows = self.pooled().query(&sql, &[])?;
        rows.iter().map(venture_from_row).collect()
    }

    fn lock_venture(&mut self, venture: VentureId) -> Result<VentureRecord, StoreError> {
        // The row lock serializes writers to one venture until the end of the transaction.
        let sql = format!("SELECT {VENTURE_COLUMNS} FROM ventures WHERE venture_id = $1 FOR UPDATE");
        let row = self.pooled().query_one(&sql, &[&venture.0])?;
        venture_from_row(&row)
    }

    fn set_head(&mut self, venture: VentureId, seq: u64, hash: &EntryHash) -> Result<(), StoreError> {
        let hash = hash.0.as_slice();
        self.pooled().execute("UPDATE ventures SET head_seq = $2, head_hash = $3 WHERE venture_id = $1", &[&venture.0, &seq_param(seq)?, &hash])?;
        Ok(())
    }

    fn set_number_format(&mut self, venture: VentureId, format: NumberFormat) -> Result<(), StoreError> {
        self.pooled().execute("UPDATE ventures SET number_format = $2 WHERE venture_id = $1", &[&venture.0, &format.name()])?;
        Ok(())
    }

    fn read_marks(&mut self, venture: VentureId) -> Result<Vec<ReadMark>, StoreError> {
        let rows = self.pooled().query("SELECT scope, member_no, read_on FROM read_marks WHERE venture_id = $1 ORDER BY scope, member_no", &[&venture.0])?;
        rows.iter()
            .map(|row| {
                let scope: i16 = get(row, 0)?;
                let member: i32 = get(row, 1)?;
                Ok(ReadMark {
                    scope: ReadScope::from_code(i64::from(scope)).ok_or_else(|| StoreError::Corrupt(format!("read scope {scope}")))?,
                    member: if member == 0 { None } else { Some(MemberNo(narrow(member, "member")?)) },
                    read_on: get(row, 2)?,
                })
            })
            .collect()
    }

    fn raise_read_marks(&mut self, venture: VentureId, marks: &[ReadMark]) -> Result<(), StoreError> {
        for mark in marks {
            let member = i32::try_from(mark.member.map_or(0, |m| m.0)).map_err(|_| StoreError::Corrupt("member number out of range".into()))?;
            self.pooled().execute(
                "INSERT INTO read_marks (venture_id, scope, member_no, read_on) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (venture_id, scope, member_no) DO UPDATE SET read_on = greatest(read_marks.read_on, excluded.read_on)",
                &[&venture.0, &mark.scope.code(), &member, &mark.read_on],
            )?;
        }
        Ok(())
    }

    fn insert_member(&mut self, venture: VentureId, member: &MemberRecord) -> Result<(), StoreError> {
        self.pooled().execute(
            "INSERT INTO members (venture_id, member_no, handle, display_name, role, joined_on, recorded_at_ms, departed_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &venture.0,
                &member_param(member.member_no)?,
                &member.handle,
                &member.display_name,
                &member.role,
                &member.joined_on,
                &member.recorded_at_ms,
                &member.departed_on,
            ],
        )?;
        self.bump_book_version(venture)?;
        Ok(())
    }

    fn members(&mut self, venture: VentureId) -> Result<Vec<MemberRecord>, StoreError> {
        let rows = self.pooled().query(
            "SELECT member_no, handle, display_name, role, joined_on, recorded_at_ms, departed_on FROM members WHERE venture_id = $1 ORDER BY member_no",
            &[&venture.0],
        )?;
        rows.iter()
            .map(|row| {
                let member: i32 = get(row, 0)?;
                Ok(MemberRecord {
                    member_no: MemberNo(narrow(member, "member")?),
                    handle: get(row, 1)?,
                    display_name: get(row, 2)?,
                    role: get(row, 3)?,
                    joined_on: get(row, 4)?,
                    recorded_at_ms: get(row, 5)?,
                    departed_on: get(row, 6)?,
                })
            })
            .collect()
    }

    fn insert_terms(&mut self, venture: VentureId, record: &TermsRecord) -> Result<(), StoreError> {
        let (basis, market, cash, hours, rate) = match record.terms {
            Terms::Salary { market_salary_minor, cash_salary_minor, hours_per_year } => {
                (TERMS_SALARY, Some(market_salary_minor), Some(cash_salary_minor), hours_per_year.map(i64::from), None)
            }
            Terms::Hourly { rate_minor } => (TERMS_HOURLY, None, None, None, Some(rate_minor)),
        };
        self.pooled().execute(
            "INSERT INTO member_terms (venture_id, member_no, version, effective_from, basis, market_salary_minor, cash_salary_minor, hours_per_year, rate_minor, recorded_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &venture.0,
                &member_param(record.member_no)?,
                &narrow::<u32, i32>(record.version, "version")?,
                &record.effective_from,
                &basis,
                &market,
                &cash,
                &hours,
                &rate,
                &record.recorded_at_ms,
            ],
        )?;
        self.bump_book_version(venture)?;
        Ok(())
    }

    fn terms(&mut self, venture: VentureId) -> Result<Vec<TermsRecord>, StoreError> {
        let rows = self.pooled().query(
            "SELECT member_no, version, effective_from, basis, market_salary_minor, cash_salary_minor, hours_per_year, rate_minor, recorded_at_ms
             FROM member_terms WHERE venture_id = $1 ORDER BY member_no, version",
            &[&venture.0],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let basis: &str = get(row, 3)?;
            let money =
                |index: usize| -> Result<i64, StoreError> { get::<Option<i64>>(row, index)?.ok_or_else(|| StoreError::Corrupt("terms lack an amount".into())) };
            let terms = match basis {
                TERMS_SALARY => Terms::Salary {
                    market_salary_minor: money(4)?,
                    cash_salary_minor: money(5)?,
                    hours_per_year: get::<Option<i64>>(row, 6)?.map(|h| narrow(h, "hours")).transpose()?,
                },
                TERMS_HOURLY => Terms::Hourly { rate_minor: money(7)? },
                other => return Err(StoreError::Corrupt(format!("terms basis {other}"))),
            };
            let member: i32 = get(row, 0)?;
            let version: i32 = get(row, 1)?;
            out.push(TermsRecord {
                member_no: MemberNo(narrow(member, "member")?),
                version: narrow(version, "version")?,
                effective_from: get(row, 2)?,
                terms,
                recorded_at_ms: get(row, 8)?,
            });
        }
        Ok(out)
    }

    fn insert_policy_version(&mut self, venture: VentureId, policy: &PolicyVersionRecord) -> Result<(), StoreError> {
        self.pooled().execute(
            "INSERT INTO policy_versions (venture_id, version, effective_from, settings, recorded_at_ms) VALUES ($1, $2, $3, $4, $5)",
            &[&venture.0, &narrow::<u32, i32>(policy.version, "version")?, &policy.effective_from, &policy.settings, &policy.recorded_at_ms],
        )?;
        self.bump_book_version(venture)?;
        Ok(())
    }

    fn policy_versions(&mut self, venture: VentureId) -> Result<Vec<PolicyVersionRecord>, StoreError> {
        let rows = self
            .pooled()
            .query("SELECT version, effective_from, settings, recorded_at_ms FROM policy_versions WHERE venture_id = $1 ORDER BY version", &[&venture.0])?;
        rows.iter()
            .map(|row| {
                let version: i32 = get(row, 0)?;
                Ok(PolicyVersionRecord {
                    version: narrow(version, "version")?,
                    effective_from: get(row, 1)?,
                    settings: get(row, 2)?,
                    recorded_at_ms: get(row, 3)?,
                })
            })
            .collect()
    }

    fn insert_entries(&mut self, venture: VentureId, entries: &[StoredEntry]) -> Result<(), StoreError> {
        if entries.len() <= INSERT_ROWS_MAX { self.insert_rows(venture, entries) } else { self.copy_rows(venture, entries) }
    }

    fn entry(&mut self, venture: VentureId, seq: u64) -> Result<Option<StoredEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = $1 AND seq = $2");
        let row = self.pooled().query_opt(&sql, &[&venture.0, &seq_param(seq)?])?;
        row.as_ref().map(entry_from_row).transpose()
    }

    fn reversal_of(&mut self, venture: VentureId, seq: u64) -> Result<Option<u64>, StoreError> {
        let row = self.pooled().query_opt("SELECT seq FROM entries WHERE venture_id = $1 AND reverses_seq = $2", &[&venture.0, &seq_param(seq)?])?;
        row.map(|row| {
            let seq: i64 = get(&row, 0)?;
            narrow(seq, "sequence")
        })
        .transpose()
    }

    fn entries(&mut self, venture: VentureId, filter: &EntryFilter) -> Result<Vec<StoredEntry>, StoreError> {
        let mut sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = $1");
        let mut parameters: Vec<Box<dyn ToSql + Sync>> = vec![Box::new(venture.0)];
        if let Some(member) = filter.member {
            // The member's own entries and the shared ones; which shared entries reach the member
            // is read from their effects below.
            parameters.push(Box::new(member_param(member)?));
            sql.push_str(&format!(" AND (member_no = ${} OR shared)", parameters.len()));
        }
        if let Some(tag) = &filter.tag {
            parameters.push(Box::new(tag.clone()));
            sql.push_str(&format!(" AND tag = ${}", parameters.len()));
        }
        if let Some(from) = filter.from {
            parameters.push(Box::new(from));
            sql.push_str(&format!(" AND occurred_on >= ${}", parameters.len()));
        }
        if let Some(to) = filter.to {
            parameters.push(Box::new(to));
            sql.push_str(&format!(" AND occurred_on <= ${}", parameters.len()));
        }
        if let Some(after) = filter.after_seq {
            parameters.push(Box::new(seq_param(after)?));
            sql.push_str(&format!(" AND seq > ${}", parameters.len()));
        }
        let limit = usize::try_from(filter.limit.clamp(1, PAGE_SIZE_MAX)).unwrap_or(1);
        if filter.member.is_none() {
            parameters.push(Box::new(i64::try_from(limit).unwrap_or(1)));
            sql.push_str(&format!(" ORDER BY seq LIMIT ${}", parameters.len()));
        } else {
            sql.push_str(" ORDER BY seq");
        }
        let references: Vec<&(dyn ToSql + Sync)> = parameters.iter().map(|p| &**p).collect();
        let mut entries = Vec::new();
        self.each_row(&sql, &references, &mut |row| {
            if entries.len() < limit {
                let stored = entry_from_row(row)?;
                if filter.member.is_none_or(|member| stored.entry.member == Some(member) || stored.entry.effects.iter().any(|e| e.member == member)) {
                    entries.push(stored);
                }
            }
            Ok(())
        })?;
        Ok(entries)
    }

    fn scan_entries(&mut self, venture: VentureId, visit: &mut dyn FnMut(StoredEntry) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = $1 ORDER BY seq");
        self.each_row(&sql, &[&venture.0], &mut |row| visit(entry_from_row(row)?))
    }

    fn latest_entry_date(&mut self, venture: VentureId) -> Result<Option<Date>, StoreError> {
        let row = self.pooled().query_one("SELECT max(occurred_on) FROM entries WHERE venture_id = $1", &[&venture.0])?;
        get(&row, 0)
    }

    fn totals(&mut self, venture: VentureId) -> Result<Vec<(BucketKey, Bucket)>, StoreError> {
        self.buckets(
            "SELECT member_no, kind, class, fmv_minor, slices_minor, well_minor FROM member_totals
             WHERE venture_id = $1 AND (fmv_minor <> 0 OR slices_minor <> 0 OR well_minor <> 0) ORDER BY member_no, kind, class",
            &[&venture.0],
        )
    }

    fn member_totals(&mut self, venture: VentureId, member: MemberNo) -> Result<Vec<(BucketKey, Bucket)>, StoreError> {
        self.buckets(
            "SELECT member_no, kind, class, fmv_minor, slices_minor, well_minor FROM member_totals
             WHERE venture_id = $1 AND member_no = $2 AND (fmv_minor <> 0 OR slices_minor <> 0 OR well_minor <> 0) ORDER BY kind, class",
            &[&venture.0, &member_param(member)?],
        )
    }

    fn well_balances(&mut self, venture: VentureId) -> Result<Vec<(MemberNo, i64)>, StoreError> {
        let rows = self.pooled().query(
            "SELECT member_no, sum(well_minor)::BIGINT FROM member_totals WHERE venture_id = $1 AND well_minor <> 0 GROUP BY member_no ORDER BY member_no",
            &[&venture.0],
        )?;
        let mut out = Vec::new();
        for row in &rows {
            let balance: i64 = get(row, 1)?;
            if balance > 0 {
                let member: i32 = get(row, 0)?;
                out.push((MemberNo(narrow(member, "member")?), balance));
            }
        }
        Ok(out)
    }

    fn add_totals(&mut self, venture: VentureId, deltas: &[(BucketKey, Bucket)]) -> Result<(), StoreError> {
        let pooled = self.pooled();
        for (key, delta) in deltas {
            pooled.execute(
                "INSERT INTO member_totals (venture_id, member_no, kind, class, fmv_minor, slices_minor, well_minor) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (venture_id, member_no, kind, class) DO UPDATE SET
                   fmv_minor = member_totals.fmv_minor + EXCLUDED.fmv_minor,
                   slices_minor = member_totals.slices_minor + EXCLUDED.slices_minor,
                   well_minor = member_totals.well_minor + EXCLUDED.well_minor",
                &[
                    &venture.0,
                    &member_param(key.member)?,
                    &kind_code(key.kind),
                    &class_code(key.class),
                    &delta.fmv_minor,
                    &delta.slices_minor,
                    &delta.well_minor,
                ],
            )?;
        }
        Ok(())
    }

    fn totals_as_of(&mut self, venture: VentureId, date: Date) -> Result<Vec<(BucketKey, Bucket)>, StoreError> {
        let mut sums = effects::Sums::default();
        self.each_row("SELECT effects FROM entries WHERE venture_id = $1 AND occurred_on <= $2", &[&venture.0, &date], &mut |row| {
            sums.add(&effects::decode(get(row, 0)?)?)
        })?;
        Ok(sums.into_nonzero())
    }

    fn idempotency(&mut self, scope: VentureId, key: &str) -> Result<Option<IdempotencyRecord>, StoreError> {
        let row = self.pooled().query_opt("SELECT fingerprint, result FROM idempotency_keys WHERE venture_id = $1 AND key = $2", &[&scope.0, &key])?;
        row.map(|row| Ok(IdempotencyRecord { fingerprint: get(&row, 0)?, result: get(&row, 1)? })).transpose()
    }

    fn put_idempotency(&mut self, scope: VentureId, key: &str, record: &IdempotencyRecord, at_ms: i64) -> Result<(), StoreError> {
        self.pooled().execute(
            "INSERT INTO idempotency_keys (venture_id, key, fingerprint, result, created_at_ms) VALUES ($1, $2, $3, $4, $5)",
            &[&scope.0, &key, &record.fingerprint, &record.result, &at_ms],
        )?;
        Ok(())
    }

    fn insert_account(&mut self, username: &str, display_name: &str, password_hash: &str, at_ms: i64) -> Result<AccountId, StoreError> {
        let row = self.pooled().query_one(
            "INSERT INTO accounts (username, display_name, password_hash, created_at_ms) VALUES ($1, $2, $3, $4) RETURNING account_id",
            &[&username, &display_name, &password_hash, &at_ms],
        )?;
        Ok(AccountId(get(&row, 0)?))
    }

    fn account(&mut self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        let row = self.pooled().query_opt(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE account_id = $1"), &[&id.0])?;
        row.as_ref().map(account_from_row).transpose()
    }

    fn account_by_username(&mut self, username: &str) -> Result<Option<AccountRecord>, StoreError> {
        let row = self.pooled().query_opt(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username = $1"), &[&username])?;
        row.as_ref().map(account_from_row).transpose()
    }

    fn set_password_hash(&mut self, id: AccountId, password_hash: &str) -> Result<(), StoreError> {
        self.pooled().execute("UPDATE accounts SET password_hash = $2 WHERE account_id = $1", &[&id.0, &password_hash])?;
        Ok(())
    }

    fn set_account_email(&mut self, id: AccountId, email: Option<&str>, at_ms: i64) -> Result<(), StoreError> {
        match email {
            Some(email) => self.pooled().execute(
                "INSERT INTO account_emails (account_id, email, updated_at_ms) VALUES ($1, $2, $3)
                 ON CONFLICT (account_id) DO UPDATE SET email = excluded.email, updated_at_ms = excluded.updated_at_ms",
                &[&id.0, &email, &at_ms],
            )?,
            None => self.pooled().execute("DELETE FROM account_emails WHERE account_id = $1", &[&id.0])?,
        };
        Ok(())
    }

    fn account_email(&mut self, id: AccountId) -> Result<Option<String>, StoreError> {
        let row = self.pooled().query_opt("SELECT email FROM account_emails WHERE account_id = $1", &[&id.0])?;
        row.map(|row| get(&row, 0)).transpose()
    }

    fn set_account_number_format(&mut self, id: AccountId, format: Option<NumberFormat>) -> Result<(), StoreError> {
        self.pooled().execute("UPDATE accounts SET number_format = $2 WHERE account_id = $1", &[&id.0, &format.map(|f| f.name())])?;
        Ok(())
    }

    fn insert_session(&mut self, token_hash: &[u8; 32], session: &SessionRecord) -> Result<(), StoreError> {
        let hash = token_hash.as_slice();
        self.pooled().execute(
            "INSERT INTO sessions (token_hash, account_id, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4)",
            &[&hash, &session.account.0, &session.created_at_ms, &session.expires_at_ms],
        )?;
        Ok(())
    }

    fn session(&mut self, token_hash: &[u8; 32]) -> Result<Option<SessionRecord>, StoreError> {
        let hash = token_hash.as_slice();
        let row = self.pooled().query_opt("SELECT account_id, created_at_ms, expires_at_ms FROM sessions WHERE token_hash = $1", &[&hash])?;
        row.map(|row| Ok(SessionRecord { account: AccountId(get(&row, 0)?), created_at_ms: get(&row, 1)?, expires_at_ms: get(&row, 2)? })).transpose()
    }

    fn delete_session(&mut self, token_hash: &[u8; 32]) -> Result<(), StoreError> {
        let hash = token_hash.as_slice();
        self.pooled().execute("DELETE FROM sessions WHERE token_hash = $1", &[&hash])?;
        Ok(())
    }

    fn delete_sessions_of(&mut self, account: AccountId) -> Result<(), StoreError> {
        self.pooled().execute("DELETE FROM sessions WHERE account_id = $1", &[&account.0])?;
        Ok(())
    }

    fn insert_api_token(&mut self, token_hash: &[u8; 32], account: AccountId, name: &str, prefix: &str, at_ms: i64) -> Result<i64, StoreError> {
        let hash = token_hash.as_slice();
        let row = self.pooled().query_one(
            "INSERT INTO api_tokens (token_hash, account_id, name, prefix, created_at_ms) VALUES ($1, $2, $3, $4, $5) RETURNING token_id",
            &[&hash, &account.0, &name, &prefix, &at_ms],
        )?;
        get(&row, 0)
    }

    fn api_tokens(&mut self, account: AccountId) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let rows = self.pooled().query(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE account_id = $1 ORDER BY token_id DESC"), &[&account.0])?;
        rows.iter().map(token_from_row).collect()
    }

    fn api_token_by_hash(&mut self, token_hash: &[u8; 32]) -> Result<Option<ApiTokenRecord>, StoreError> {
        let hash = token_hash.as_slice();
        let row = self.pooled().query_opt(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1"), &[&hash])?;
        row.as_ref().map(token_from_row).transpose()
    }

    fn revoke_api_token(&mut self, account: AccountId, id: i64, at_ms: i64) -> Result<bool, StoreError> {
        let changed = self.pooled().execute(
            "UPDATE api_tokens SET revoked_at_ms = $3 WHERE account_id = $1 AND token_id = $2 AND revoked_at_ms IS NULL",
            &[&account.0, &id, &at_ms],
        )?;
        Ok(changed == 1)
    }

    fn venture_access(&mut self, venture: VentureId) -> Result<Option<AccessRecord>, StoreError> {
        let row = self.pooled().query_opt("SELECT join_mode, visibility FROM venture_access WHERE venture_id = $1", &[&venture.0])?;
        row.map(|row| Ok(AccessRecord { join_mode: get(&row, 0)?, visibility: get(&row, 1)? })).transpose()
    }

    fn set_venture_access(&mut self, venture: VentureId, access: &AccessRecord, at_ms: i64) -> Result<(), StoreError> {
        self.pooled().execute(
            "INSERT INTO venture_access (venture_id, join_mode, visibility, updated_at_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (venture_id) DO UPDATE SET join_mode = excluded.join_mode, visibility = excluded.visibility, updated_at_ms = excluded.updated_at_ms",
            &[&venture.0, &access.join_mode, &access.visibility, &at_ms],
        )?;
        Ok(())
    }

    fn link_member(&mut self, venture: VentureId, member: MemberNo, account: AccountId) -> Result<(), StoreError> {
        self.pooled().execute(
            "INSERT INTO member_accounts (venture_id, member_no, account_id) VALUES ($1, $2, $3)",
            &[&venture.0, &member_param(member)?, &account.0],
        )?;
        Ok(())
    }

    fn account_member(&mut self, venture: VentureId, account: AccountId) -> Result<Option<MemberNo>, StoreError> {
        let row = self.pooled().query_opt("SELECT member_no FROM member_accounts WHERE venture_id = $1 AND account_id = $2", &[&venture.0, &account.0])?;
        row.map(|row| {
            let member: i32 = get(&row, 0)?;
            narrow(member, "member").map(MemberNo)
        })
        .transpose()
    }

    fn member_accounts(&mut self, venture: VentureId) -> Result<Vec<(MemberNo, AccountId)>, StoreError> {
        let rows = self.pooled().query("SELECT member_no, account_id FROM member_accounts WHERE venture_id = $1 ORDER BY member_no", &[&venture.0])?;
        rows.iter()
            .map(|row| {
                let member: i32 = get(row, 0)?;
                Ok((MemberNo(narrow(member, "member")?), AccountId(get(row, 1)?)))
            })
            .collect()
    }

    fn account_memberships(&mut self, account: AccountId) -> Result<Vec<(VentureId, MemberNo)>, StoreError> {
        let rows = self.pooled().query("SELECT venture_id, member_no FROM member_accounts WHERE account_id = $1 ORDER BY venture_id", &[&account.0])?;
        rows.iter()
            .map(|row| {
                let member: i32 = get(row, 1)?;
                Ok((VentureId(get(row, 0)?), MemberNo(narrow(member, "member")?)))
            })
            .collect()
    }

    fn insert_join_request(&mut self, venture: VentureId, account: AccountId, message: &str, at_ms: i64) -> Result<(), StoreError> {
        self.pooled().execute(
            "INSERT INTO join_requests (venture_id, request_no, account_id, message, requested_at_ms, status)
             VALUES ($1, (SELECT coalesce(max(request_no), 0) + 1 FROM join_requests WHERE venture_id = $1), $2, $3, $4, 'pending')",
            &[&venture.0, &account.0, &message, &at_ms],
        )?;
        Ok(())
    }

    fn join_requests(&mut self, venture: VentureId) -> Result<Vec<JoinRequestRecord>, StoreError> {
        let rows = self.pooled().query(
            "SELECT account_id, message, requested_at_ms, status, decided_at_ms FROM join_requests WHERE venture_id = $1 ORDER BY request_no",
            &[&venture.0],
        )?;
        rows.iter()
            .map(|row| {
                Ok(JoinRequestRecord {
                    account: AccountId(get(row, 0)?),
                    message: get(row, 1)?,
                    requested_at_ms: get(row, 2)?,
                    status: get(row, 3)?,
                    decided_at_ms: get(row, 4)?,
                })
            })
            .collect()
    }

    fn decide_join_request(&mut self, venture: VentureId, account: AccountId, accepted: bool, at_ms: i64) -> Result<bool, StoreError> {
        let status = if accepted { "accepted" } else { "declined" };
        let changed = self.pooled().execute(
            "UPDATE join_requests SET status = $3, decided_at_ms = $4 WHERE venture_id = $1 AND account_id = $2 AND status = 'pending'",
            &[&venture.0, &account.0, &status, &at_ms],
        )?;
        Ok(changed == 1)
    }

    fn entries_about(&mut self, venture: VentureId, seq: u64) -> Result<Vec<StoredEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = $1 AND about_seq = $2 ORDER BY seq");
        let rows = self.pooled().query(&sql, &[&venture.0, &seq_param(seq)?])?;
        rows.iter().map(entry_from_row).collect()
    }

    fn reviewed_entries(&mut self, venture: VentureId) -> Result<Vec<u64>, StoreError> {
        let rows =
            self.pooled().query("SELECT DISTINCT about_seq FROM entries WHERE venture_id = $1 AND about_seq IS NOT NULL ORDER BY about_seq", &[&venture.0])?;
        rows.iter().map(|row| narrow(get::<i64>(row, 0)?, "sequence")).collect()
    }

    fn set_review_status(&mut self, venture: VentureId, seq: u64, status: &str) -> Result<(), StoreError> {
        self.pooled().execute(
            "INSERT INTO entry_reviews (venture_id, seq, status) VALUES ($1, $2, $3)
             ON CONFLICT (venture_id, seq) DO UPDATE SET status = excluded.status",
            &[&venture.0, &seq_param(seq)?, &status],
        )?;
        Ok(())
    }

    fn review_statuses(&mut self, venture: VentureId, from: u64, to: u64) -> Result<Vec<(u64, String)>, StoreError> {
        let rows = self.pooled().query(
            "SELECT seq, status FROM entry_reviews WHERE venture_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq",
            &[&venture.0, &seq_param(from)?, &seq_param(to)?],
        )?;
        rows.iter().map(|row| Ok((narrow(get::<i64>(row, 0)?, "sequence")?, get(row, 1)?))).collect()
    }

    fn entries_with_status(&mut self, venture: VentureId, statuses: &[&str], limit: u32) -> Result<Vec<(u64, String)>, StoreError> {
        let statuses: Vec<String> = statuses.iter().map(|s| (*s).to_string()).collect();
        let rows = self.pooled().query(
            "SELECT seq, status FROM entry_reviews WHERE venture_id = $1 AND status = ANY($2) ORDER BY seq LIMIT $3",
            &[&venture.0, &statuses, &i64::from(limit)],
        )?;
        rows.iter().map(|row| Ok((narrow(get::<i64>(row, 0)?, "sequence")?, get(row, 1)?))).collect()
    }

    fn insert_proposal(&mut self, venture: VentureId, proposal: &ProposalRecord) -> Result<u32, StoreError> {
        let policy_version = proposal.policy_version.map(|v| narrow::<u32, i32>(v, "policy version")).transpose()?;
        let row = self.pooled().query_one(
            "INSERT INTO proposals (venture_id, proposal_no, proposed_by, label, settings, effective_from, note, status, created_at_ms, decided_at_ms, policy_version)
             VALUES ($1, (SELECT coalesce(max(proposal_no), 0) + 1 FROM proposals WHERE venture_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10)
             RETURNING proposal_no",
            &[
                &venture.0,
                &member_param(proposal.proposed_by)?,
                &proposal.label,
                &proposal.settings,
                &proposal.effective_from,
                &proposal.note,
                &proposal.status,
                &proposal.created_at_ms,
                &proposal.decided_at_ms,
                &policy_version,
            ],
        )?;
        narrow(get::<i32>(&row, 0)?, "proposal number")
    }

    fn proposals(&mut self, venture: VentureId) -> Result<Vec<ProposalRecord>, StoreError> {
        let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE venture_id = $1 ORDER BY proposal_no DESC");
        let rows = self.pooled().query(&sql, &[&venture.0])?;
        rows.iter().map(proposal_from_row).collect()
    }

    fn proposal(&mut self, venture: VentureId, number: u32) -> Result<Option<ProposalRecord>, StoreError> {
        let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE venture_id = $1 AND proposal_no = $2");
        let number: i32 = narrow(number, "proposal number")?;
        let row = self.pooled().query_opt(&sql, &[&venture.0, &number])?;
        row.as_ref().map(proposal_from_row).transpose()
    }

    fn decide_proposal(&mut self, venture: VentureId, number: u32, status: &str, at_ms: i64, policy_version: Option<u32>) -> Result<bool, StoreError> {
        let number: i32 = narrow(number, "proposal number")?;
        let policy_version = policy_version.map(|v| narrow::<u32, i32>(v, "policy version")).transpose()?;
        let changed = self.pooled().execute(
            "UPDATE proposals SET status = $3, decided_at_ms = $4, policy_version = $5 WHERE venture_id = $1 AND proposal_no = $2 AND status = 'open'",
            &[&venture.0, &number, &status, &at_ms, &policy_version],
        )?;
        Ok(changed == 1)
    }

    fn insert_proposal_vote(&mut self, venture: VentureId, number: u32, vote: &ProposalVote) -> Result<(), StoreError> {
        let number: i32 = narrow(number, "proposal number")?;
        self.pooled().execute(
            "INSERT INTO proposal_votes (venture_id, proposal_no, member_no, approve, note, at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&venture.0, &number, &member_param(vote.member)?, &vote.approve, &vote.note, &vote.at_ms],
        )?;
        Ok(())
    }

    fn proposal_votes(&mut self, venture: VentureId, number: u32) -> Result<Vec<ProposalVote>, StoreError> {
        let number: i32 = narrow(number, "proposal number")?;
        let rows = self.pooled().query(
            "SELECT member_no, approve, note, at_ms FROM proposal_votes WHERE venture_id = $1 AND proposal_no = $2 ORDER BY at_ms, member_no",
            &[&venture.0, &number],
        )?;
        rows.iter()
            .map(|row| {
                Ok(ProposalVote { member: MemberNo(narrow(get::<i32>(row, 0)?, "member")?), approve: get(row, 1)?, note: get(row, 2)?, at_ms: get(row, 3)? })
            })
            .collect()
    }

    fn insert_recurring(&mut self, venture: VentureId, recurring: &RecurringRecord) -> Result<u32, StoreError> {
        let row = self.pooled().query_one(
            "INSERT INTO recurring (venture_id, recurring_no, member_no, form, note, cadence, starts_on, next_on, ends_on, active, created_at_ms)
             VALUES ($1, (SELECT coalesce(max(recurring_no), 0) + 1 FROM recurring WHERE venture_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10)
             RETURNING recurring_no",
            &[
                &venture.0,
                &member_param(recurring.member)?,
                &recurring.form,
                &recurring.note,
                &recurring.cadence,
                &recurring.starts_on,
                &recurring.next_on,
                &recurring.ends_on,
                &recurring.active,
                &recurring.created_at_ms,
            ],
        )?;
        narrow(get::<i32>(&row, 0)?, "recurring number")
    }

    fn recurring(&mut self, venture: VentureId) -> Result<Vec<RecurringRecord>, StoreError> {
        let rows = self.pooled().query(
            "SELECT recurring_no, member_no, form, note, cadence, starts_on, next_on, ends_on, active, created_at_ms FROM recurring
             WHERE venture_id = $1 ORDER BY recurring_no",
            &[&venture.0],
        )?;
        rows.iter()
            .map(|row| {
                Ok(RecurringRecord {
                    number: narrow(get::<i32>(row, 0)?, "recurring number")?,
                    member: MemberNo(narrow(get::<i32>(row, 1)?, "member")?),
                    form: get(row, 2)?,
                    note: get(row, 3)?,
                    cadence: get(row, 4)?,
                    starts_on: get(row, 5)?,
                    next_on: get(row, 6)?,
                    ends_on: get(row, 7)?,
                    active: get(row, 8)?,
                    created_at_ms: get(row, 9)?,
                })
            })
            .collect()
    }

    fn set_recurring_schedule(&mut self, venture: VentureId, number: u32, next_on: Date, active: bool) -> Result<(), StoreError> {
        let number: i32 = narrow(number, "recurring number")?;
        self.pooled()
            .execute("UPDATE recurring SET next_on = $3, active = $4 WHERE venture_id = $1 AND recurring_no = $2", &[&venture.0, &number, &next_on, &active])?;
        Ok(())
    }

    fn insert_recurring_draft(&mut self, venture: VentureId, number: u32, period_on: Date) -> Result<(), StoreError> {
        let number: i32 = narrow(number, "recurring number")?;
        self.pooled().execute(
            "INSERT INTO recurring_drafts (venture_id, recurring_no, period_on, status) VALUES ($1, $2, $3, 'waiting')",
            &[&venture.0, &number, &period_on],
        )?;
        Ok(())
    }

    fn recurring_drafts(&mut self, venture: VentureId, status: Option<&str>) -> Result<Vec<DraftRecord>, StoreError> {
        let rows = self.pooled().query(
            "SELECT recurring_no, period_on, status, entry_seq FROM recurring_drafts
             WHERE venture_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY period_on, recurring_no",
            &[&venture.0, &status],
        )?;
        rows.iter()
            .map(|row| {
                Ok(DraftRecord {
                    number: narrow(get::<i32>(row, 0)?, "recurring number")?,
                    period_on: get(row, 1)?,
                    status: get(row, 2)?,
                    entry_seq: get::<Option<i64>>(row, 3)?.map(|v| narrow(v, "sequence")).transpose()?,
                })
            })
            .collect()
    }

    fn decide_recurring_draft(&mut self, venture: VentureId, number: u32, period_on: Date, status: &str, entry_seq: Option<u64>) -> Result<bool, StoreError> {
        let number: i32 = narrow(number, "recurring number")?;
        let entry_seq = entry_seq.map(seq_param).transpose()?;
        let changed = self.pooled().execute(
            "UPDATE recurring_drafts SET status = $4, entry_seq = $5 WHERE venture_id = $1 AND recurring_no = $2 AND period_on = $3 AND status = 'waiting'",
            &[&venture.0, &number, &period_on, &status, &entry_seq],
        )?;
        Ok(changed == 1)
    }

    // ---- talk: comments and activity

    fn insert_comment(&mut self, venture: VentureId, comment: &NewComment) -> Result<u64, StoreError> {
        let subject_number = seq_param(comment.subject.number())?;
        let reply_to = comment.reply_to.map(seq_param).transpose()?;
        let author = member_param(comment.author)?;
        let row = self.pooled().query_one(
            "INSERT INTO comments (venture_id, comment_no, subject_kind, subject_number, reply_to, author_no, created_at_ms)
             VALUES ($1, (SELECT coalesce(max(comment_no), 0) + 1 FROM comments WHERE venture_id = $1), $2, $3, $4, $5, $6) RETURNING comment_no",
            &[&venture.0, &comment.subject.kind(), &subject_number, &reply_to, &author, &comment.at_ms],
        )?;
        let id: i64 = get(&row, 0)?;
        self.pooled().execute(
            "INSERT INTO comment_versions (venture_id, comment_no, version, body, edited_at_ms) VALUES ($1, $2, 1, $3, $4)",
            &[&venture.0, &id, &comment.body, &comment.at_ms],
        )?;
        narrow(id, "comment")
    }

    fn comment(&mut self, venture: VentureId, id: u64) -> Result<Option<CommentRecord>, StoreError> {
        let row = self.pooled().query_opt(&format!("{COMMENT_SELECT} WHERE c.venture_id = $1 AND c.comment_no = $2"), &[&venture.0, &seq_param(id)?])?;
        row.as_ref().map(comment_from_row).transpose()
    }

    fn comments(&mut self, venture: VentureId, subject: CommentSubject, after: u64, limit: u32) -> Result<Vec<CommentRecord>, StoreError> {
        let sql = format!(
            "{COMMENT_SELECT} WHERE c.venture_id = $1 AND c.subject_kind = $2 AND c.subject_number = $3 AND c.comment_no > $4 ORDER BY c.comment_no LIMIT $5"
        );
        let limit = i64::from(limit.min(COMMENTS_PAGE_MAX));
        let rows = self.pooled().query(&sql, &[&venture.0, &subject.kind(), &seq_param(subject.number())?, &seq_param(after)?, &limit])?;
        rows.iter().map(comment_from_row).collect()
    }

    fn insert_comment_version(&mut self, venture: VentureId, id: u64, body: &str, at_ms: i64) -> Result<u32, StoreError> {
        let row = self.pooled().query_one(
            "INSERT INTO comment_versions (venture_id, comment_no, version, body, edited_at_ms)
             VALUES ($1, $2, (SELECT coalesce(max(version), 0) + 1 FROM comment_versions WHERE venture_id = $1 AND comment_no = $2), $3, $4) RETURNING version",
            &[&venture.0, &seq_param(id)?, &body, &at_ms],
        )?;
        let version: i32 = get(&row, 0)?;
        narrow(version, "comment version")
    }

    fn comment_versions(&mut self, venture: VentureId, id: u64) -> Result<Vec<CommentVersionRecord>, StoreError> {
        let rows = self.pooled().query(
            "SELECT version, body, edited_at_ms FROM comment_versions WHERE venture_id = $1 AND comment_no = $2 ORDER BY version",
            &[&venture.0, &seq_param(id)?],
        )?;
        rows.iter()
            .map(|row| {
                let version: i32 = get(row, 0)?;
                Ok(CommentVersionRecord { version: narrow(version, "comment version")?, body: get(row, 1)?, at_ms: get(row, 2)? })
            })
            .collect()
    }

    fn activity(&mut self, venture: VentureId, before: &ActivityCursor, limit: u32) -> Result<Vec<ActivityRecord>, StoreError> {
        let limit = i64::from(limit.min(ACTIVITY_PAGE_MAX));
        let rows = self.pooled().query(
            ACTIVITY_SQL,
            &[&venture.0, &before.at_ms, &number_bound_at_cursor(before, 1), &number_bound_at_cursor(before, 2), &number_bound_at_cursor(before, 3), &limit],
        )?;
        let member = |value: Option<i64>| value.map(|v| narrow(v, "member").map(MemberNo)).transpose();
        rows.iter()
            .map(|row| {
                let rank: i32 = get(row, 0)?;
                let at_ms: i64 = get(row, 1)?;
                let number: i64 = get(row, 2)?;
                let word: String = get(row, 3)?;
                let other: Option<i64> = get(row, 4)?;
                let actor: Option<i64> = get(row, 5)?;
                let text: String = get(row, 6)?;
                let what = match rank {
                    1 => ActivityWhat::Joined { member: MemberNo(narrow(number, "member")?) },
                    2 => ActivityWhat::Entry { seq: narrow(number, "sequence")?, tag: word, member: member(other)?, author: member(actor)?, note: text },
                    _ => ActivityWhat::Comment {
                        id: narrow(number, "comment")?,
                        subject: CommentSubject::from_stored(&word, other.unwrap_or(0))?,
                        author: member(actor)?.ok_or_else(|| StoreError::Corrupt("a comment has no author".into()))?,
                        body: text,
                    },
                };
                Ok(ActivityRecord { at_ms, what })
            })
            .collect()
    }

    fn activity_count_since(&mut self, venture: VentureId, since_ms: i64, except: Option<MemberNo>, cap: u32) -> Result<u32, StoreError> {
        let except = except.map_or(-1, |m| i64::from(m.0));
        let row = self.pooled().query_one(
            "SELECT (SELECT count(*) FROM (SELECT 1 FROM entries WHERE venture_id = $1 AND recorded_at_ms > $2 AND coalesce(author_no, -1)::bigint <> $3::bigint LIMIT $4::bigint) AS e)
                  + (SELECT count(*) FROM (SELECT 1 FROM comments WHERE venture_id = $1 AND created_at_ms > $2 AND author_no::bigint <> $3::bigint LIMIT $4::bigint) AS c)
                  + (SELECT count(*) FROM (SELECT 1 FROM members WHERE venture_id = $1 AND recorded_at_ms > $2 AND member_no::bigint <> $3::bigint LIMIT $4::bigint) AS m)",
            &[&venture.0, &since_ms, &except, &i64::from(cap)],
        )?;
        let count: i64 = get(&row, 0)?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX).min(cap))
    }

    fn feed_visit(&mut self, venture: VentureId, account: AccountId) -> Result<Option<i64>, StoreError> {
        let row = self.pooled().query_opt("SELECT visited_at_ms FROM feed_visits WHERE venture_id = $1 AND account_id = $2", &[&venture.0, &account.0])?;
        row.map(|row| get(&row, 0)).transpose()
    }

    fn set_feed_visit(&mut self, venture: VentureId, account: AccountId, at_ms: i64) -> Result<(), StoreError> {
        self.pooled().execute(
            "INSERT INTO feed_visits (venture_id, account_id, visited_at_ms) VALUES ($1, $2, $3)
             ON CONFLICT (venture_id, account_id) DO UPDATE SET visited_at_ms = GREATEST(feed_visits.visited_at_ms, EXCLUDED.visited_at_ms)",
            &[&venture.0, &account.0, &at_ms],
        )?;
        Ok(())
    }
}

const PROPOSAL_COLUMNS: &str = "proposal_no, proposed_by, label, settings, effective_from, note, status, created_at_ms, decided_at_ms, policy_version";

fn proposal_from_row(row: &Row) -> Result<ProposalRecord, StoreError> {
    Ok(ProposalRecord {
        number: narrow(get::<i32>(row, 0)?, "proposal number")?,
        proposed_by: MemberNo(narrow(get::<i32>(row, 1)?, "member")?),
        label: get(row, 2)?,
        settings: get(row, 3)?,
        effective_from: get(row, 4)?,
        note: get(row, 5)?,
        status: get(row, 6)?,
        created_at_ms: get(row, 7)?,
        decided_at_ms: get(row, 8)?,
        policy_version: get::<Option<i32>>(row, 9)?.map(|v| narrow(v, "policy version")).transpose()?,
    })
}

/// A comment with its latest version.
const COMMENT_SELECT: &str =
    "SELECT c.comment_no, c.subject_kind, c.subject_number, c.reply_to, c.author_no, c.created_at_ms, v.version, v.body, v.edited_at_ms
     FROM comments c JOIN comment_versions v ON v.venture_id = c.venture_id AND v.comment_no = c.comment_no
       AND v.version = (SELECT max(w.version) FROM comment_versions w WHERE w.venture_id = c.venture_id AND w.comment_no = c.comment_no)";

fn comment_from_row(row: &Row) -> Result<CommentRecord, StoreError> {
    let id: i64 = get(row, 0)?;
    let kind: String = get(row, 1)?;
    let reply_to: Option<i64> = get(row, 3)?;
    let author: i32 = get(row, 4)?;
    let version: i32 = get(row, 6)?;
    Ok(CommentRecord {
        id: narrow(id, "comment")?,
        subject: CommentSubject::from_stored(&kind, get(row, 2)?)?,
        reply_to: reply_to.map(|r| narrow(r, "comment")).transpose()?,
        author: MemberNo(narrow(author, "member")?),
        created_at_ms: get(row, 5)?,
        version: narrow(version, "comment version")?,
        body: get(row, 7)?,
        edited_at_ms: get(row, 8)?,
    })
}

/// A page of activity: each kind newest first from its own index, then merged. Columns: rank
/// (1 joined, 2 entry, 3 comment), time, number, word (tag or subject kind), other number
/// (member or subject), actor (author), text (note or latest comment text).
const ACTIVITY_SQL: &str = "SELECT rank, at_ms, number, word, other, actor, text FROM (
    (SELECT 1 AS rank, recorded_at_ms AS at_ms, member_no::bigint AS number, ''::text AS word, member_no::bigint AS other, member_no::bigint AS actor, ''::text AS text
        FROM members WHERE venture_id = $1 AND recorded_at_ms <= $2 AND (recorded_at_ms < $2 OR member_no::bigint < $3::bigint)
        ORDER BY recorded_at_ms DESC, member_no DESC LIMIT $6::bigint)
    UNION ALL
    (SELECT 2, recorded_at_ms, seq, tag, member_no::bigint, author_no::bigint, note
        FROM entries WHERE venture_id = $1 AND recorded_at_ms <= $2 AND (recorded_at_ms < $2 OR seq < $4::bigint)
        ORDER BY recorded_at_ms DESC, seq DESC LIMIT $6::bigint)
    UNION ALL
    (SELECT 3, c.created_at_ms, c.comment_no, c.subject_kind, c.subject_number, c.author_no::bigint,
            (SELECT v.body FROM comment_versions v WHERE v.venture_id = c.venture_id AND v.comment_no = c.comment_no ORDER BY v.version DESC LIMIT 1)
        FROM comments c WHERE c.venture_id = $1 AND c.created_at_ms <= $2 AND (c.created_at_ms < $2 OR c.comment_no < $5::bigint)
        ORDER BY c.created_at_ms DESC, c.comment_no DESC LIMIT $6::bigint)
) AS items ORDER BY at_ms DESC, rank DESC, number DESC LIMIT $6::bigint";

const ACCOUNT_COLUMNS: &str = "account_id, username, display_name, password_hash, created_at_ms, number_format";

fn account_from_row(row: &Row) -> Result<AccountRecord, StoreError> {
    let format: Option<String> = get(row, 5)?;
    Ok(AccountRecord {
        number_format: format.as_deref().and_then(|name| NumberFormat::ALL.into_iter().find(|f| f.name() == name)),
        id: AccountId(get(row, 0)?),
        username: get(row, 1)?,
        display_name: get(row, 2)?,
        password_hash: get(row, 3)?,
        created_at_ms: get(row, 4)?,
    })
}

const TOKEN_COLUMNS: &str = "token_id, account_id, name, prefix, created_at_ms, revoked_at_ms";

fn token_from_row(row: &Row) -> Result<ApiTokenRecord, StoreError> {
    Ok(ApiTokenRecord {
        id: get(row, 0)?,
        account: AccountId(get(row, 1)?),
        name: get(row, 2)?,
        prefix: get(row, 3)?,
        created_at_ms: get(row, 4)?,
        revoked_at_ms: get(row, 5)?,
    })
}

/// Runs one raw SQL statement against the database, outside the application's rules, on a
/// connection of its own. For tests that prove the database itself guards the ledger (an UPDATE
/// of an entry must fail). Returns the number of rows changed.
pub fn execute_raw(url: &str, sql: &str) -> Result<u64, StoreError> {
    let mut client = Client::connect(url, NoTls).map_err(backend)?;
    client.execute(sql, &[]).map_err(backend)
}

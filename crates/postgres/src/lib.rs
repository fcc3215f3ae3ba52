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
mod ledger;
mod lifecycle;
mod people;
mod reviews;
mod talk;
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
    ("0011_hardening", include_str!("../migrations/0011_hardening.sql")),
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

/// A sequence number or id to look up. Beyond what can be stored it becomes the largest stored
/// value, which no row reaches: an id too large to exist is not found, not "damaged".
fn seq_key(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
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

    fn savepoint(&mut self) -> Result<(), StoreError> {
        self.pooled().batch("SAVEPOINT request")
    }

    fn release_savepoint(&mut self) -> Result<(), StoreError> {
        self.pooled().batch("RELEASE SAVEPOINT request")
    }

    fn rollback_to_savepoint(&mut self) -> Result<(), StoreError> {
        let pooled = self.pooled();
        // A failed statement aborted the transaction up to the savepoint: rolling back to it
        // recovers the transaction.
        pooled.aborted = false;
        pooled.batch("ROLLBACK TO SAVEPOINT request")?;
        pooled.batch("RELEASE SAVEPOINT request")
    }

    // ---- talk: comments and activity
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

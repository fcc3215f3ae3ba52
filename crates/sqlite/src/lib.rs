//! The SQLite backend: one file in WAL mode, one writer connection and a small pool of read-only
//! readers. Migrations are embedded and applied on every open.
//!
//! Architecture invariant: the only crate besides `peerstake-postgres` that knows SQL; it knows
//! nothing of valuation rules, HTTP or the CLI.
#![warn(missing_docs)]

mod capital;
mod durable;
mod ledger;
mod lifecycle;
mod people;
mod reviews;
mod talk;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use peerstake_core::chain::EntryHash;
use peerstake_core::dating::{ReadMark, ReadScope};
use peerstake_core::edition::Edition;
use peerstake_core::entry::Entry;
use peerstake_core::numbers::NumberFormat;
use peerstake_core::replay::{Bucket, BucketKey};
use peerstake_core::terms::{MemberNo, Terms};
use peerstake_store::codes::{TERMS_HOURLY, TERMS_SALARY, class_code, class_from_code, kind_code, kind_from_code, number_format_from_name};
use peerstake_store::effects;
use peerstake_store::talk::{ACTIVITY_PAGE_MAX, COMMENTS_PAGE_MAX, number_bound_at_cursor};
use peerstake_store::{
    AccessRecord, AccountId, AccountRecord, ActivityCursor, ActivityRecord, ActivityWhat, ApiTokenRecord, CommentRecord, CommentSubject, CommentVersionRecord,
    DraftRecord, Durability, DurableFuture, EntryFilter, IdempotencyRecord, JoinRequestRecord, MemberRecord, Mode, NewComment, NewVenture, PAGE_SIZE_MAX,
    PolicyVersionRecord, ProposalRecord, ProposalVote, RecurringRecord, SessionRecord, Store, StoreError, StoredEntry, TermsRecord, Transaction, VentureId,
    VentureRecord,
};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params, params_from_iter};
use time::Date;

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

/// How many idle read connections are kept.
const READERS_IDLE_MAX: usize = 8;

/// How often the background checkpointer copies the write-ahead log into the database.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// A commons in one SQLite file.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    /// Syncs the write-ahead log for grouped durability; none when every commit syncs.
    syncer: Option<durable::Syncer>,
    /// Dropped with the store, which stops the checkpointer.
    _checkpointer: Option<Checkpointer>,
}

/// Moves the write-ahead log into the database file on its own thread and connection, so no
/// committing writer pays for a checkpoint (which would show as a latency spike every thousand
/// pages). Passive checkpoints never block readers or writers.
struct Checkpointer {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    fn start(path: &Path) -> Option<Checkpointer> {
        let connection = Connection::open(path).ok()?;
        configure(&connection).ok()?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY) {
                    // A checkpoint that cannot finish now (a reader holds an old snapshot) is
                    // simply tried again next time.
                    let _ = connection.execute_batch("PRAGMA wal_checkpoint(PASSIVE);");
                }
            })
            .ok()?;
        Some(Checkpointer { stop: Some(stop), thread: Some(thread) })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("SqliteStore").field("path", &self.path).finish()
    }
}

/// Statements run through the connection's prepared-statement cache: the hot paths (a session
/// check, a logged contribution) run the same few statements thousands of times a second, and
/// parsing SQL each time would cost more than running it.
trait Cached {
    fn exec(&self, sql: &str, parameters: impl rusqlite::Params) -> rusqlite::Result<usize>;
    fn one<T>(&self, sql: &str, parameters: impl rusqlite::Params, read: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>) -> rusqlite::Result<T>;
}

impl Cached for Connection {
    fn exec(&self, sql: &str, parameters: impl rusqlite::Params) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(parameters)
    }

    fn one<T>(&self, sql: &str, parameters: impl rusqlite::Params, read: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        self.prepare_cached(sql)?.query_row(parameters, read)
    }
}

fn backend(error: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(failure, message) = &error {
        let text = message.clone().unwrap_or_else(|| failure.to_string());
        if text.contains("append-only") {
            return StoreError::AppendOnly(text);
        }
        if failure.code == rusqlite::ErrorCode::ConstraintViolation {
            return StoreError::Conflict(text);
        }
    }
    StoreError::Backend(error.to_string())
}

fn configure(connection: &Connection) -> Result<(), StoreError> {
    // NORMAL: a commit writes the log without syncing it; the writer's own setting (below, in
    // `open_with`) decides when a commit is durable.
    connection
        .execute_batch(
            "PRAGMA page_size = 8192;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -65536;
             PRAGMA temp_store = MEMORY;",
        )
        .map_err(backend)?;
    connection.busy_timeout(std::time::Duration::from_secs(10)).map_err(backend)?;
    connection.set_prepared_statement_cache_capacity(128);
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if missing) the database file and applies pending migrations; every
    /// commit is on disk when it returns.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(path, Durability::EachCommit)
    }

    /// Opens the database file with the durability asked for: each commit synced before it
    /// returns (`synchronous = FULL`), or commits grouped onto the syncs of a thread of their own
    /// (see the `durable` module).
    pub fn open_with(path: &Path, durability: Durability) -> Result<SqliteStore, StoreError> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Backend(format!("cannot create {}: {e}", parent.display())))?;
        }
        let writer = Connection::open(path).map_err(backend)?;
        configure(&writer)?;
        let syncer = match durability {
            Durability::EachCommit => {
                writer.execute_batch("PRAGMA synchronous = FULL;").map_err(backend)?;
                None
            }
            Durability::Grouped => {
                let mut wal = path.as_os_str().to_owned();
                wal.push("-wal");
                Some(durable::Syncer::start(PathBuf::from(wal))?)
            }
        };
        let mut store = SqliteStore { path: path.to_path_buf(), writer: Mutex::new(writer), readers: Mutex::new(Vec::new()), syncer, _checkpointer: None };
        store.migrate()?;
        store.refuse_early_layout()?;
        // With a checkpointer running, the writer leaves checkpoints to it (and to `settle`
        // after a bulk write); without one, SQLite's automatic checkpoints stay on.
        if let Some(checkpointer) = Checkpointer::start(path) {
            store.writer.lock().unwrap_or_else(|p| p.into_inner()).execute_batch("PRAGMA wal_autocheckpoint = 0;").map_err(backend)?;
            store._checkpointer = Some(checkpointer);
        }
        Ok(store)
    }

    /// Databases made before version 0.1.0 kept effects in a table of their own; this binary
    /// cannot read their ledger, so it says so rather than failing on the first entry.
    fn refuse_early_layout(&self) -> Result<(), StoreError> {
        let connection = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let early: Option<i64> = connection
            .query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'entry_effects'", [], |row| row.get(0))
            .optional()
            .map_err(backend)?;
        if early.is_some() {
            return Err(StoreError::Backend(format!(
                "{} was made by a pre-release peerstake whose ledger layout this version does not read; export it with that version, or move it away and start a new one",
                self.path.display()
            )));
        }
        Ok(())
    }

    fn reader(&self) -> Result<Connection, StoreError> {
        if let Some(connection) = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop() {
            return Ok(connection);
        }
        let connection = Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(backend)?;
        configure(&connection)?;
        connection.execute_batch("PRAGMA query_only = ON;").map_err(backend)?;
        Ok(connection)
    }
}

impl Store for SqliteStore {
    fn begin(&self, mode: Mode) -> Result<Box<dyn Transaction + '_>, StoreError> {
        let held = match mode {
            Mode::Write => Held::Writer(self.writer.lock().unwrap_or_else(|p| p.into_inner())),
            Mode::Read => Held::Reader(Some(self.reader()?), self),
        };
        let statement = match mode {
            Mode::Write => "BEGIN IMMEDIATE",
            Mode::Read => "BEGIN DEFERRED",
        };
        held.connection().exec(statement, []).map_err(backend)?;
        let syncer = if mode == Mode::Write { self.syncer.as_ref() } else { None };
        Ok(Box::new(SqliteTransaction { held, open: true, syncer }))
    }

    fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let connection = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        connection.execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at_ms INTEGER NOT NULL)").map_err(backend)?;
        let mut applied = Vec::new();
        for (name, sql) in MIGRATIONS {
            let done: Option<String> =
                connection.query_row("SELECT name FROM schema_migrations WHERE name = ?1", [name], |row| row.get(0)).optional().map_err(backend)?;
            if done.is_some() {
                continue;
            }
            connection.execute_batch("BEGIN IMMEDIATE").map_err(backend)?;
            let outcome =
                connection.execute_batch(sql).and_then(|_| connection.execute("INSERT INTO schema_migrations (name, applied_at_ms) VALUES (?1, 0)", [name]));
            match outcome {
                Ok(_) => connection.execute_batch("COMMIT").map_err(backend)?,
                Err(error) => {
                    connection.execute_batch("ROLLBACK").map_err(backend)?;
                    return Err(backend(error));
                }
            }
            applied.push((*name).to_string());
        }
        Ok(applied)
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn settle(&self) -> Result<(), StoreError> {
        let connection = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        connection.execute_batch("PRAGMA wal_checkpoint(PASSIVE);").map_err(backend)
    }

    fn take_commit_mark(&self) -> Option<u64> {
        self.syncer.as_ref().and_then(durable::Syncer::take_mark)
    }

    fn durable(&self, mark: u64) -> DurableFuture<'_> {
        match &self.syncer {
            Some(syncer) => syncer.durable(mark),
            None => Box::pin(std::future::ready(Ok(()))),
        }
    }

    fn sync(&self) -> Result<(), StoreError> {
        self.syncer.as_ref().map_or(Ok(()), durable::Syncer::sync)
    }

    fn back_up(&self, to: &Path) -> Result<(), StoreError> {
        copy_database(&self.path, to)
    }
}

/// Copies the database at `from` into a new file `to`: a snapshot of what was committed when the
/// copy began (`VACUUM INTO` reads in one transaction; writers go on meanwhile), synced to disk.
fn copy_database(from: &Path, to: &Path) -> Result<(), StoreError> {
    if to.exists() {
        return Err(StoreError::Backend(format!("{} exists already: name a new file", to.display())));
    }
    let target = to.to_str().ok_or_else(|| StoreError::Backend(format!("{} is not a path SQLite can name", to.display())))?;
    let connection = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(backend)?;
    connection.busy_timeout(std::time::Duration::from_secs(10)).map_err(backend)?;
    connection.execute("VACUUM INTO ?1", [target]).map_err(backend)?;
    let copy = std::fs::File::open(to).map_err(|e| StoreError::Backend(format!("cannot reopen {}: {e}", to.display())))?;
    copy.sync_all().map_err(|e| StoreError::Backend(format!("cannot sync {}: {e}", to.display())))?;
    Ok(())
}

/// Brings back a copy made by [`Store::back_up`] as the database `to`, which must not exist yet:
/// the copy is checked to be a peerstake database, copied into place and synced; opening it then
/// applies any migration it lacks.
pub fn restore(from: &Path, to: &Path) -> Result<(), StoreError> {
    let probe = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(backend)?;
    let migrations: i64 = probe
        .query_row("SELECT count(*) FROM schema_migrations", [], |row| row.get(0))
        .map_err(|_| StoreError::Backend(format!("{} is not a peerstake database", from.display())))?;
    if migrations == 0 {
        return Err(StoreError::Backend(format!("{} is not a peerstake database", from.display())));
    }
    drop(probe);
    copy_database(from, to)
}

enum Held<'a> {
    Writer(MutexGuard<'a, Connection>),
    Reader(Option<Connection>, &'a SqliteStore),
}

impl Held<'_> {
    fn connection(&self) -> &Connection {
        match self {
            Held::Writer(guard) => guard,
            Held::Reader(Some(connection), _) => connection,
            Held::Reader(None, _) => unreachable!("a reader connection is present until drop"),
        }
    }
}

struct SqliteTransaction<'a> {
    held: Held<'a>,
    open: bool,
    /// For a writer under grouped durability: told of each commit.
    syncer: Option<&'a durable::Syncer>,
}

impl Drop for SqliteTransaction<'_> {
    fn drop(&mut self) {
        if self.open {
            // Rolling back a transaction that failed part-way; an error here leaves nothing to do.
            let _ = self.held.connection().exec("ROLLBACK", []);
        }
        if let Held::Reader(connection, store) = &mut self.held
            && let Some(connection) = connection.take()
        {
            let mut idle = store.readers.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < READERS_IDLE_MAX {
                idle.push(connection);
            }
        }
    }
}

fn date_to_day(date: Date) -> i64 {
    i64::from(date.to_julian_day())
}

fn day_to_date(day: i64) -> Result<Date, StoreError> {
    i32::try_from(day).ok().and_then(|d| Date::from_julian_day(d).ok()).ok_or_else(|| StoreError::Corrupt(format!("day {day} is not a date")))
}

fn hash_from_blob(bytes: &[u8]) -> Result<EntryHash, StoreError> {
    let array: [u8; 32] = bytes.try_into().map_err(|_| StoreError::Corrupt("a hash is not 32 bytes".into()))?;
    Ok(EntryHash(array))
}

fn to_u32(value: i64, what: &str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} {value} is out of range")))
}

fn to_u64(value: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} {value} is out of range")))
}

fn seq_param(seq: u64) -> Result<i64, StoreError> {
    i64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("sequence {seq} is out of range")))
}

/// A sequence number or id to look up. Beyond what can be stored it becomes the largest stored
/// value, which no row reaches: an id too large to exist is not found, not "damaged".
fn seq_key(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

/// A member number as stored, if any.
fn member(value: Option<i64>) -> Result<Option<MemberNo>, StoreError> {
    value.map(|v| to_u32(v, "member").map(MemberNo)).transpose()
}

/// A sequence number as stored, if any.
fn seq(value: Option<i64>) -> Result<Option<u64>, StoreError> {
    value.map(|v| to_u64(v, "sequence")).transpose()
}

/// A day as stored, if any.
fn date(value: Option<i64>) -> Result<Option<Date>, StoreError> {
    value.map(day_to_date).transpose()
}

const VENTURE_COLUMNS: &str = "venture_id, slug, name, pitch, currency, created_at_ms, head_seq, head_hash, book_version, number_format, edition";

fn venture_from_row(row: &Row<'_>) -> rusqlite::Result<VentureRow> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?, row.get(7)?, row.get(8)?, row.get(9)?, row.get(10)?))
}

type VentureRow = (i64, String, String, String, String, i64, i64, Vec<u8>, i64, String, i64);

fn venture_record(raw: VentureRow) -> Result<VentureRecord, StoreError> {
    let (id, slug, name, pitch, currency, created_at_ms, head_seq, head_hash, book_version, number_format, edition) = raw;
    Ok(VentureRecord {
        number_format: number_format_from_name(Some(&number_format)).ok_or_else(|| StoreError::Corrupt(format!("number format {number_format}")))?,
        edition: u8::try_from(edition).ok().and_then(Edition::from_number).ok_or_else(|| StoreError::Corrupt(format!("edition {edition}")))?,
        id: VentureId(id),
        slug,
        name,
        pitch,
        currency,
        created_at_ms,
        head_seq: to_u64(head_seq, "head")?,
        head_hash: hash_from_blob(&head_hash)?,
        book_version: to_u64(book_version, "book version")?,
    })
}

const ENTRY_COLUMNS: &str = "seq, occurred_on, recorded_at_ms, author_no, member_no, tag, inputs, note, policy_version, terms_version, fmv_minor, slices_minor, reverses_seq, hash, effects, about_seq";

fn entry_from_row(row: &Row<'_>) -> Result<StoredEntry, StoreError> {
    let get_i64 = |index: usize| -> Result<i64, StoreError> { row.get::<_, i64>(index).map_err(backend) };
    let optional_member = |index: usize| -> Result<Option<MemberNo>, StoreError> {
        row.get::<_, Option<i64>>(index).map_err(backend)?.map(|v| to_u32(v, "member").map(MemberNo)).transpose()
    };
    let hash_bytes = row.get_ref(13).and_then(|v| v.as_blob().map_err(Into::into)).map_err(backend)?;
    let effect_bytes = row.get_ref(14).and_then(|v| v.as_blob().map_err(Into::into)).map_err(backend)?;
    Ok(StoredEntry {
        entry: Entry {
            seq: to_u64(get_i64(0)?, "sequence")?,
            occurred_on: day_to_date(get_i64(1)?)?,
            recorded_at_ms: get_i64(2)?,
            author: optional_member(3)?,
            member: optional_member(4)?,
            tag: row.get(5).map_err(backend)?,
            inputs: row.get(6).map_err(backend)?,
            note: row.get(7).map_err(backend)?,
            policy_version: to_u32(get_i64(8)?, "policy version")?,
            terms_version: to_u32(get_i64(9)?, "terms version")?,
            fmv_minor: get_i64(10)?,
            slices_minor: get_i64(11)?,
            reverses: row.get::<_, Option<i64>>(12).map_err(backend)?.map(|v| to_u64(v, "sequence")).transpose()?,
            about: row.get::<_, Option<i64>>(15).map_err(backend)?.map(|v| to_u64(v, "sequence")).transpose()?,
            effects: effects::decode(effect_bytes)?,
        },
        hash: hash_from_blob(hash_bytes)?,
    })
}

fn bucket_from_row(row: &Row<'_>) -> Result<(BucketKey, Bucket), StoreError> {
    let get = |index: usize| -> Result<i64, StoreError> { row.get::<_, i64>(index).map_err(backend) };
    let kind = get(1)?;
    let class = get(2)?;
    Ok((
        BucketKey {
            member: MemberNo(to_u32(get(0)?, "member")?),
            kind: kind_from_code(kind).ok_or_else(|| StoreError::Corrupt(format!("kind code {kind}")))?,
            class: class_from_code(class).ok_or_else(|| StoreError::Corrupt(format!("class code {class}")))?,
        },
        Bucket { fmv_minor: get(3)?, slices_minor: get(4)?, well_minor: get(5)? },
    ))
}

impl SqliteTransaction<'_> {
    fn connection(&self) -> &Connection {
        self.held.connection()
    }

    pub(crate) fn bump_book_version(&self, venture: VentureId) -> Result<(), StoreError> {
        self.connection().exec("UPDATE ventures SET book_version = book_version + 1 WHERE venture_id = ?1", [venture.0]).map_err(backend)?;
        Ok(())
    }

    /// The venture's next number in `table`, whose numbers per venture are in `column`.
    pub(crate) fn next_number(&self, table: &str, column: &str, venture: VentureId) -> Result<i64, StoreError> {
        self.connection()
            .one(&format!("SELECT coalesce(max({column}), 0) + 1 FROM {table} WHERE venture_id = ?1"), [venture.0], |row| row.get(0))
            .map_err(backend)
    }

    /// Every row a cached statement returns, each read by `read`.
    pub(crate) fn rows<T>(&self, sql: &str, parameters: impl rusqlite::Params, read: impl Fn(&Row<'_>) -> Result<T, StoreError>) -> Result<Vec<T>, StoreError> {
        let mut statement = self.connection().prepare_cached(sql).map_err(backend)?;
        let mut rows = statement.query(parameters).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            out.push(read(row)?);
        }
        Ok(out)
    }

    fn buckets(&self, sql: &str, parameters: &[Value]) -> Result<Vec<(BucketKey, Bucket)>, StoreError> {
        self.rows(sql, params_from_iter(parameters.iter()), bucket_from_row)
    }
}

impl Transaction for SqliteTransaction<'_> {
    fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        self.connection().exec("COMMIT", []).map_err(backend)?;
        self.open = false;
        if let Some(syncer) = self.syncer {
            syncer.committed();
        }
        Ok(())
    }

    fn savepoint(&mut self) -> Result<(), StoreError> {
        self.connection().exec("SAVEPOINT request", []).map(drop).map_err(backend)
    }

    fn release_savepoint(&mut self) -> Result<(), StoreError> {
        self.connection().exec("RELEASE request", []).map(drop).map_err(backend)
    }

    fn rollback_to_savepoint(&mut self) -> Result<(), StoreError> {
        let connection = self.connection();
        connection.exec("ROLLBACK TO request", []).map_err(backend)?;
        connection.exec("RELEASE request", []).map(drop).map_err(backend)
    }

    // ---- talk: comments and activity
}

const PROPOSAL_COLUMNS: &str = "proposal_no, proposed_by, label, settings, effective_from, note, status, created_at_ms, decided_at_ms, policy_version";

fn proposal_from_row(row: &Row<'_>) -> Result<ProposalRecord, StoreError> {
    Ok(ProposalRecord {
        number: to_u32(row.get(0).map_err(backend)?, "proposal number")?,
        proposed_by: MemberNo(to_u32(row.get(1).map_err(backend)?, "member")?),
        label: row.get(2).map_err(backend)?,
        settings: row.get(3).map_err(backend)?,
        effective_from: day_to_date(row.get(4).map_err(backend)?)?,
        note: row.get(5).map_err(backend)?,
        status: row.get(6).map_err(backend)?,
        created_at_ms: row.get(7).map_err(backend)?,
        decided_at_ms: row.get(8).map_err(backend)?,
        policy_version: row.get::<_, Option<i64>>(9).map_err(backend)?.map(|v| to_u32(v, "policy version")).transpose()?,
    })
}

/// A comment with its latest version.
const COMMENT_SELECT: &str =
    "SELECT c.comment_no, c.subject_kind, c.subject_number, c.reply_to, c.author_no, c.created_at_ms, v.version, v.body, v.edited_at_ms
     FROM comments c JOIN comment_versions v ON v.venture_id = c.venture_id AND v.comment_no = c.comment_no
       AND v.version = (SELECT max(w.version) FROM comment_versions w WHERE w.venture_id = c.venture_id AND w.comment_no = c.comment_no)";

type CommentRow = (i64, String, i64, Option<i64>, i64, i64, i64, String, i64);

fn comment_from_row(row: &Row<'_>) -> rusqlite::Result<CommentRow> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?, row.get(7)?, row.get(8)?))
}

fn comment_record(raw: CommentRow) -> Result<CommentRecord, StoreError> {
    let (id, kind, number, reply_to, author, created_at_ms, version, body, edited_at_ms) = raw;
    Ok(CommentRecord {
        id: to_u64(id, "comment")?,
        subject: CommentSubject::from_stored(&kind, number)?,
        reply_to: reply_to.map(|r| to_u64(r, "comment")).transpose()?,
        author: MemberNo(to_u32(author, "member")?),
        created_at_ms,
        version: to_u32(version, "comment version")?,
        body,
        edited_at_ms,
    })
}

/// A page of activity: each kind newest first from its own index, then merged. Columns: rank
/// (1 joined, 2 entry, 3 comment), time, number, word (tag or subject kind), other number
/// (member or subject), actor (author), text (note or latest comment text).
const ACTIVITY_SQL: &str = "SELECT rank, at_ms, number, word, other, actor, text FROM (
    SELECT * FROM (SELECT 1 AS rank, recorded_at_ms AS at_ms, member_no AS number, '' AS word, member_no AS other, member_no AS actor, '' AS text
        FROM members WHERE venture_id = ?1 AND recorded_at_ms <= ?2 AND (recorded_at_ms < ?2 OR member_no < ?3)
        ORDER BY recorded_at_ms DESC, member_no DESC LIMIT ?6)
    UNION ALL
    SELECT * FROM (SELECT 2, recorded_at_ms, seq, tag, member_no, author_no, note
        FROM entries WHERE venture_id = ?1 AND recorded_at_ms <= ?2 AND (recorded_at_ms < ?2 OR seq < ?4)
        ORDER BY recorded_at_ms DESC, seq DESC LIMIT ?6)
    UNION ALL
    SELECT * FROM (SELECT 3, c.created_at_ms, c.comment_no, c.subject_kind, c.subject_number, c.author_no,
            (SELECT v.body FROM comment_versions v WHERE v.venture_id = c.venture_id AND v.comment_no = c.comment_no ORDER BY v.version DESC LIMIT 1)
        FROM comments c WHERE c.venture_id = ?1 AND c.created_at_ms <= ?2 AND (c.created_at_ms < ?2 OR c.comment_no < ?5)
        ORDER BY c.created_at_ms DESC, c.comment_no DESC LIMIT ?6)
) ORDER BY at_ms DESC, rank DESC, number DESC LIMIT ?6";

const TOKEN_COLUMNS: &str = "token_id, account_id, name, prefix, created_at_ms, revoked_at_ms";

fn token_from_row(row: &Row<'_>) -> rusqlite::Result<ApiTokenRecord> {
    Ok(ApiTokenRecord {
        id: row.get(0)?,
        account: AccountId(row.get(1)?),
        name: row.get(2)?,
        prefix: row.get(3)?,
        created_at_ms: row.get(4)?,
        revoked_at_ms: row.get(5)?,
    })
}

fn account_from_row(row: &Row<'_>) -> rusqlite::Result<AccountRecord> {
    let format: Option<String> = row.get(5)?;
    Ok(AccountRecord {
        id: AccountId(row.get(0)?),
        username: row.get(1)?,
        display_name: row.get(2)?,
        password_hash: row.get(3)?,
        created_at_ms: row.get(4)?,
        number_format: format.as_deref().and_then(|name| NumberFormat::ALL.into_iter().find(|f| f.name() == name)),
    })
}

/// Runs raw SQL against the file, outside the application's rules. For tests that prove the
/// database itself guards the ledger (an UPDATE of an entry must fail).
pub fn execute_raw(path: &Path, sql: &str) -> Result<usize, StoreError> {
    let connection = Connection::open(path).map_err(backend)?;
    connection.execute(sql, []).map_err(backend)
}

#[cfg(test)]
mod tests {
    //! SQLite's own checks, and the store conformance suite (`peerstake-store-suite`) on a fresh
    //! file per case.
    #![allow(clippy::unwrap_used)]

    use super::*;
    use peerstake_store_suite::Fresh;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A directory of its own under the system's temporary directory, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(what: &str) -> TempDir {
            static NEXT: AtomicU64 = AtomicU64::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
            let dir = std::env::temp_dir().join(format!("peerstake-sqlite-{what}-{}-{nanos}-{n}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A fresh SQLite file in a directory of its own, removed after the case.
    fn fresh() -> Option<Fresh> {
        let dir = TempDir::new("suite");
        let path = dir.0.join("peerstake.db");
        let store = SqliteStore::open(&path).unwrap();
        Some(Fresh::new(store, move |sql| execute_raw(&path, sql)).with_cleanup(dir))
    }

    peerstake_store_suite::store_suite!(fresh);

    #[test]
    fn a_pre_release_layout_is_refused_with_a_reason() {
        let dir = TempDir::new("early");
        let path = dir.0.join("early.db");
        Connection::open(&path).unwrap().execute_batch("CREATE TABLE entry_effects (venture_id INTEGER)").unwrap();
        let error = SqliteStore::open(&path).unwrap_err();
        assert!(error.to_string().contains("pre-release"), "{error}");
        let fresh = dir.0.join("fresh.db");
        assert!(SqliteStore::open(&fresh).is_ok());
    }

    #[test]
    fn names_itself() {
        let dir = TempDir::new("name");
        assert_eq!(SqliteStore::open(&dir.0.join("peerstake.db")).unwrap().backend(), "sqlite");
    }
}

//! The SQLite backend: one file in WAL mode, one writer connection and a small pool of read-only
//! readers. Migrations are embedded and applied on every open.
//!
//! Architecture invariant: the only crate besides `peerstake-postgres` that knows SQL; it knows
//! nothing of valuation rules, HTTP or the CLI.
#![warn(missing_docs)]

mod capital;
mod lifecycle;

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
    DraftRecord, EntryFilter, IdempotencyRecord, JoinRequestRecord, MemberRecord, Mode, NewComment, NewVenture, PAGE_SIZE_MAX, PolicyVersionRecord,
    ProposalRecord, ProposalVote, RecurringRecord, SessionRecord, Store, StoreError, StoredEntry, TermsRecord, Transaction, VentureId, VentureRecord,
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
    /// Opens (creating if missing) the database file and applies pending migrations.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Backend(format!("cannot create {}: {e}", parent.display())))?;
        }
        let writer = Connection::open(path).map_err(backend)?;
        configure(&writer)?;
        let mut store = SqliteStore { path: path.to_path_buf(), writer: Mutex::new(writer), readers: Mutex::new(Vec::new()), _checkpointer: None };
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
        Ok(Box::new(SqliteTransaction { held, open: true }))
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

    fn buckets(&self, sql: &str, parameters: &[Value]) -> Result<Vec<(BucketKey, Bucket)>, StoreError> {
        let mut statement = self.connection().prepare_cached(sql).map_err(backend)?;
        let mut rows = statement.query(params_from_iter(parameters.iter())).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            out.push(bucket_from_row(row)?);
        }
        Ok(out)
    }
}

impl Transaction for SqliteTransaction<'_> {
    fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        self.connection().exec("COMMIT", []).map_err(backend)?;
        self.open = false;
        Ok(())
    }

    fn insert_venture(&mut self, venture: &NewVenture, genesis: &EntryHash) -> Result<VentureId, StoreError> {
        self.connection()
            .exec(
                "INSERT INTO ventures (slug, name, pitch, currency, created_at_ms, head_seq, head_hash, number_format, edition) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8)",
                params![
                    venture.slug,
                    venture.name,
                    venture.pitch,
                    venture.currency,
                    venture.created_at_ms,
                    genesis.0.as_slice(),
                    venture.number_format.name(),
                    venture.edition.number()
                ],
            )
            .map_err(backend)?;
        Ok(VentureId(self.connection().last_insert_rowid()))
    }

    fn venture_by_slug(&mut self, slug: &str) -> Result<Option<VentureRecord>, StoreError> {
        let sql = format!("SELECT {VENTURE_COLUMNS} FROM ventures WHERE slug = ?1");
        let raw = self.connection().one(&sql, [slug], venture_from_row).optional().map_err(backend)?;
        raw.map(venture_record).transpose()
    }

    fn ventures(&mut self) -> Result<Vec<VentureRecord>, StoreError> {
        let sql = format!("SELECT {VENTURE_COLUMNS} FROM ventures ORDER BY slug");
        let mut statement = self.connection().prepare_cached(&sql).map_err(backend)?;
        let raws: Vec<VentureRow> = statement.query_map([], venture_from_row).map_err(backend)?.collect::<Result<_, _>>().map_err(backend)?;
        raws.into_iter().map(venture_record).collect()
    }

    fn lock_venture(&mut self, venture: VentureId) -> Result<VentureRecord, StoreError> {
        // The writer holds BEGIN IMMEDIATE: it is already the only writer.
        let sql = format!("SELECT {VENTURE_COLUMNS} FROM ventures WHERE venture_id = ?1");
        let raw = self.connection().one(&sql, [venture.0], venture_from_row).map_err(backend)?;
        venture_record(raw)
    }

    fn set_head(&mut self, venture: VentureId, seq: u64, hash: &EntryHash) -> Result<(), StoreError> {
        self.connection()
            .exec("UPDATE ventures SET head_seq = ?2, head_hash = ?3 WHERE venture_id = ?1", params![venture.0, seq_param(seq)?, hash.0.as_slice()])
            .map_err(backend)?;
        Ok(())
    }

    fn set_number_format(&mut self, venture: VentureId, format: NumberFormat) -> Result<(), StoreError> {
        self.connection().exec("UPDATE ventures SET number_format = ?2 WHERE venture_id = ?1", params![venture.0, format.name()]).map_err(backend)?;
        Ok(())
    }

    fn read_marks(&mut self, venture: VentureId) -> Result<Vec<ReadMark>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT scope, member_no, read_on FROM read_marks WHERE venture_id = ?1 ORDER BY scope, member_no")
            .map_err(backend)?;
        let rows: Vec<(i64, i64, i64)> =
            statement.query_map([venture.0], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?))).map_err(backend)?.collect::<Result<_, _>>().map_err(backend)?;
        rows.into_iter()
            .map(|(scope, member, day)| {
                Ok(ReadMark {
                    scope: ReadScope::from_code(scope).ok_or_else(|| StoreError::Corrupt(format!("read scope {scope}")))?,
                    member: if member == 0 { None } else { Some(MemberNo(to_u32(member, "member")?)) },
                    read_on: day_to_date(day)?,
                })
            })
            .collect()
    }

    fn raise_read_marks(&mut self, venture: VentureId, marks: &[ReadMark]) -> Result<(), StoreError> {
        for mark in marks {
            self.connection()
                .exec(
                    "INSERT INTO read_marks (venture_id, scope, member_no, read_on) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (venture_id, scope, member_no) DO UPDATE SET read_on = max(read_on, excluded.read_on)",
                    params![venture.0, mark.scope.code(), mark.member.map_or(0, |m| m.0), date_to_day(mark.read_on)],
                )
                .map_err(backend)?;
        }
        Ok(())
    }

    fn insert_member(&mut self, venture: VentureId, member: &MemberRecord) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO members (venture_id, member_no, handle, display_name, role, joined_on, recorded_at_ms, departed_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    venture.0,
                    member.member_no.0,
                    member.handle,
                    member.display_name,
                    member.role,
                    date_to_day(member.joined_on),
                    member.recorded_at_ms,
                    member.departed_on.map(date_to_day)
                ],
            )
            .map_err(backend)?;
        self.bump_book_version(venture)?;
        Ok(())
    }

    fn members(&mut self, venture: VentureId) -> Result<Vec<MemberRecord>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached(
                "SELECT member_no, handle, display_name, role, joined_on, recorded_at_ms, departed_on FROM members WHERE venture_id = ?1 ORDER BY member_no",
            )
            .map_err(backend)?;
        let mut rows = statement.query([venture.0]).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            out.push(MemberRecord {
                member_no: MemberNo(to_u32(row.get(0).map_err(backend)?, "member")?),
                handle: row.get(1).map_err(backend)?,
                display_name: row.get(2).map_err(backend)?,
                role: row.get(3).map_err(backend)?,
                joined_on: day_to_date(row.get(4).map_err(backend)?)?,
                recorded_at_ms: row.get(5).map_err(backend)?,
                departed_on: row.get::<_, Option<i64>>(6).map_err(backend)?.map(day_to_date).transpose()?,
            });
        }
        Ok(out)
    }

    fn insert_terms(&mut self, venture: VentureId, record: &TermsRecord) -> Result<(), StoreError> {
        let (basis, market, cash, hours, rate) = match record.terms {
            Terms::Salary { market_salary_minor, cash_salary_minor, hours_per_year } => {
                (TERMS_SALARY, Some(market_salary_minor), Some(cash_salary_minor), hours_per_year.map(i64::from), None)
            }
            Terms::Hourly { rate_minor } => (TERMS_HOURLY, None, None, None, Some(rate_minor)),
        };
        self.connection()
            .exec(
                "INSERT INTO member_terms (venture_id, member_no, version, effective_from, basis, market_salary_minor, cash_salary_minor, hours_per_year, rate_minor, recorded_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    venture.0,
                    record.member_no.0,
                    record.version,
                    date_to_day(record.effective_from),
                    basis,
                    market,
                    cash,
                    hours,
                    rate,
                    record.recorded_at_ms
                ],
            )
            .map_err(backend)?;
        self.bump_book_version(venture)?;
        Ok(())
    }

    fn terms(&mut self, venture: VentureId) -> Result<Vec<TermsRecord>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached(
                "SELECT member_no, version, effective_from, basis, market_salary_minor, cash_salary_minor, hours_per_year, rate_minor, recorded_at_ms
                 FROM member_terms WHERE venture_id = ?1 ORDER BY member_no, version",
            )
            .map_err(backend)?;
        let mut rows = statement.query([venture.0]).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            let basis: String = row.get(3).map_err(backend)?;
            let money = |index: usize| -> Result<i64, StoreError> {
                row.get::<_, Option<i64>>(index).map_err(backend)?.ok_or_else(|| StoreError::Corrupt("terms lack an amount".into()))
            };
            let terms = match basis.as_str() {
                TERMS_SALARY => Terms::Salary {
                    market_salary_minor: money(4)?,
                    cash_salary_minor: money(5)?,
                    hours_per_year: row.get::<_, Option<i64>>(6).map_err(backend)?.map(|h| to_u32(h, "hours")).transpose()?,
                },
                TERMS_HOURLY => Terms::Hourly { rate_minor: money(7)? },
                other => return Err(StoreError::Corrupt(format!("terms basis {other}"))),
            };
            out.push(TermsRecord {
                member_no: MemberNo(to_u32(row.get(0).map_err(backend)?, "member")?),
                version: to_u32(row.get(1).map_err(backend)?, "version")?,
                effective_from: day_to_date(row.get(2).map_err(backend)?)?,
                terms,
                recorded_at_ms: row.get(8).map_err(backend)?,
            });
        }
        Ok(out)
    }

    fn insert_policy_version(&mut self, venture: VentureId, policy: &PolicyVersionRecord) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO policy_versions (venture_id, version, effective_from, settings, recorded_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![venture.0, policy.version, date_to_day(policy.effective_from), policy.settings, policy.recorded_at_ms],
            )
            .map_err(backend)?;
        self.bump_book_version(venture)?;
        Ok(())
    }

    fn policy_versions(&mut self, venture: VentureId) -> Result<Vec<PolicyVersionRecord>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT version, effective_from, settings, recorded_at_ms FROM policy_versions WHERE venture_id = ?1 ORDER BY version")
            .map_err(backend)?;
        let mut rows = statement.query([venture.0]).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            out.push(PolicyVersionRecord {
                version: to_u32(row.get(0).map_err(backend)?, "version")?,
                effective_from: day_to_date(row.get(1).map_err(backend)?)?,
                settings: row.get(2).map_err(backend)?,
                recorded_at_ms: row.get(3).map_err(backend)?,
            });
        }
        Ok(out)
    }

    fn insert_entries(&mut self, venture: VentureId, entries: &[StoredEntry]) -> Result<(), StoreError> {
        let connection = self.connection();
        let mut insert_entry = connection
            .prepare_cached(
                "INSERT INTO entries (venture_id, seq, occurred_on, recorded_at_ms, author_no, member_no, tag, inputs, note, policy_version, terms_version,
                                      fmv_minor, slices_minor, reverses_seq, hash, shared, effects, about_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            )
            .map_err(backend)?;
        let mut effect_bytes = Vec::new();
        for stored in entries {
            let entry = &stored.entry;
            effect_bytes.clear();
            effects::encode_into(&entry.effects, &mut effect_bytes);
            insert_entry
                .execute(params![
                    venture.0,
                    seq_param(entry.seq)?,
                    date_to_day(entry.occurred_on),
                    entry.recorded_at_ms,
                    entry.author.map(|m| m.0),
                    entry.member.map(|m| m.0),
                    entry.tag,
                    entry.inputs,
                    entry.note,
                    entry.policy_version,
                    entry.terms_version,
                    entry.fmv_minor,
                    entry.slices_minor,
                    entry.reverses.map(seq_param).transpose()?,
                    stored.hash.0.as_slice(),
                    effects::shared(entry.member, &entry.effects),
                    effect_bytes.as_slice(),
                    entry.about.map(seq_param).transpose()?,
                ])
                .map_err(backend)?;
        }
        Ok(())
    }

    fn entry(&mut self, venture: VentureId, seq: u64) -> Result<Option<StoredEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = ?1 AND seq = ?2");
        let mut statement = self.connection().prepare_cached(&sql).map_err(backend)?;
        let mut rows = statement.query(params![venture.0, seq_param(seq)?]).map_err(backend)?;
        rows.next().map_err(backend)?.map(entry_from_row).transpose()
    }

    fn reversal_of(&mut self, venture: VentureId, seq: u64) -> Result<Option<u64>, StoreError> {
        let found: Option<i64> = self
            .connection()
            .one("SELECT seq FROM entries WHERE venture_id = ?1 AND reverses_seq = ?2", params![venture.0, seq_param(seq)?], |row| row.get(0))
            .optional()
            .map_err(backend)?;
        found.map(|s| to_u64(s, "sequence")).transpose()
    }

    fn entries(&mut self, venture: VentureId, filter: &EntryFilter) -> Result<Vec<StoredEntry>, StoreError> {
        let mut sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = ?1");
        let mut parameters: Vec<Value> = vec![Value::Integer(venture.0)];
        if let Some(member) = filter.member {
            // The member's own entries and the shared ones; which shared entries reach the member
            // is read from their effects below.
            parameters.push(Value::Integer(i64::from(member.0)));
            sql.push_str(&format!(" AND (member_no = ?{} OR shared = 1)", parameters.len()));
        }
        if let Some(tag) = &filter.tag {
            parameters.push(Value::Text(tag.clone()));
            sql.push_str(&format!(" AND tag = ?{}", parameters.len()));
        }
        if let Some(from) = filter.from {
            parameters.push(Value::Integer(date_to_day(from)));
            sql.push_str(&format!(" AND occurred_on >= ?{}", parameters.len()));
        }
        if let Some(to) = filter.to {
            parameters.push(Value::Integer(date_to_day(to)));
            sql.push_str(&format!(" AND occurred_on <= ?{}", parameters.len()));
        }
        if let Some(after) = filter.after_seq {
            parameters.push(Value::Integer(seq_param(after)?));
            sql.push_str(&format!(" AND seq > ?{}", parameters.len()));
        }
        let limit = usize::try_from(filter.limit.clamp(1, PAGE_SIZE_MAX)).unwrap_or(1);
        if filter.member.is_none() {
            parameters.push(Value::Integer(i64::try_from(limit).unwrap_or(1)));
            sql.push_str(&format!(" ORDER BY seq LIMIT ?{}", parameters.len()));
        } else {
            sql.push_str(" ORDER BY seq");
        }
        let mut statement = self.connection().prepare_cached(&sql).map_err(backend)?;
        let mut rows = statement.query(params_from_iter(parameters.iter())).map_err(backend)?;
        let mut entries = Vec::new();
        while entries.len() < limit
            && let Some(row) = rows.next().map_err(backend)?
        {
            let stored = entry_from_row(row)?;
            if filter.member.is_none_or(|member| stored.entry.member == Some(member) || stored.entry.effects.iter().any(|e| e.member == member)) {
                entries.push(stored);
            }
        }
        Ok(entries)
    }

    fn scan_entries(&mut self, venture: VentureId, visit: &mut dyn FnMut(StoredEntry) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = ?1 ORDER BY seq");
        let mut statement = self.connection().prepare(&sql).map_err(backend)?;
        let mut rows = statement.query([venture.0]).map_err(backend)?;
        while let Some(row) = rows.next().map_err(backend)? {
            visit(entry_from_row(row)?)?;
        }
        Ok(())
    }

    fn latest_entry_date(&mut self, venture: VentureId) -> Result<Option<Date>, StoreError> {
        let day: Option<i64> =
            self.connection().one("SELECT max(occurred_on) FROM entries WHERE venture_id = ?1", [venture.0], |row| row.get(0)).map_err(backend)?;
        day.map(day_to_date).transpose()
    }

    fn totals(&mut self, venture: VentureId) -> Result<Vec<(BucketKey, Bucket)>, StoreError> {
        self.buckets(
            "SELECT member_no, kind, class, fmv_minor, slices_minor, well_minor FROM member_totals
             WHERE venture_id = ?1 AND (fmv_minor <> 0 OR slices_minor <> 0 OR well_minor <> 0) ORDER BY member_no, kind, class",
            &[Value::Integer(venture.0)],
        )
    }

    fn member_totals(&mut self, venture: VentureId, member: MemberNo) -> Result<Vec<(BucketKey, Bucket)>, StoreError> {
        self.buckets(
            "SELECT member_no, kind, class, fmv_minor, slices_minor, well_minor FROM member_totals
             WHERE venture_id = ?1 AND member_no = ?2 AND (fmv_minor <> 0 OR slices_minor <> 0 OR well_minor <> 0) ORDER BY kind, class",
            &[Value::Integer(venture.0), Value::Integer(i64::from(member.0))],
        )
    }

    fn well_balances(&mut self, venture: VentureId) -> Result<Vec<(MemberNo, i64)>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached(
                "SELECT member_no, sum(well_minor) FROM member_totals WHERE venture_id = ?1 AND well_minor <> 0 GROUP BY member_no ORDER BY member_no",
            )
            .map_err(backend)?;
        let mut rows = statement.query([venture.0]).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            let balance: i64 = row.get(1).map_err(backend)?;
            if balance > 0 {
                out.push((MemberNo(to_u32(row.get(0).map_err(backend)?, "member")?), balance));
            }
        }
        Ok(out)
    }

    fn add_totals(&mut self, venture: VentureId, deltas: &[(BucketKey, Bucket)]) -> Result<(), StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached(
                "INSERT INTO member_totals (venture_id, member_no, kind, class, fmv_minor, slices_minor, well_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (venture_id, member_no, kind, class) DO UPDATE SET
                   fmv_minor = fmv_minor + excluded.fmv_minor,
                   slices_minor = slices_minor + excluded.slices_minor,
                   well_minor = well_minor + excluded.well_minor",
            )
            .map_err(backend)?;
        for (key, delta) in deltas {
            statement
                .execute(params![venture.0, key.member.0, kind_code(key.kind), class_code(key.class), delta.fmv_minor, delta.slices_minor, delta.well_minor])
                .map_err(backend)?;
        }
        Ok(())
    }

    fn totals_as_of(&mut self, venture: VentureId, date: Date) -> Result<Vec<(BucketKey, Bucket)>, StoreError> {
        let mut statement = self.connection().prepare_cached("SELECT effects FROM entries WHERE venture_id = ?1 AND occurred_on <= ?2").map_err(backend)?;
        let mut rows = statement.query(params![venture.0, date_to_day(date)]).map_err(backend)?;
        let mut sums = effects::Sums::default();
        while let Some(row) = rows.next().map_err(backend)? {
            sums.add(&effects::decode(row.get_ref(0).and_then(|v| v.as_blob().map_err(Into::into)).map_err(backend)?)?)?;
        }
        Ok(sums.into_nonzero())
    }

    fn idempotency(&mut self, scope: VentureId, key: &str) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.connection()
            .one("SELECT fingerprint, result FROM idempotency_keys WHERE venture_id = ?1 AND key = ?2", params![scope.0, key], |row| {
                Ok(IdempotencyRecord { fingerprint: row.get(0)?, result: row.get(1)? })
            })
            .optional()
            .map_err(backend)
    }

    fn put_idempotency(&mut self, scope: VentureId, key: &str, record: &IdempotencyRecord, at_ms: i64) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO idempotency_keys (venture_id, key, fingerprint, result, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![scope.0, key, record.fingerprint, record.result, at_ms],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn insert_account(&mut self, username: &str, display_name: &str, password_hash: &str, at_ms: i64) -> Result<AccountId, StoreError> {
        self.connection()
            .exec(
                "INSERT INTO accounts (username, display_name, password_hash, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
                params![username, display_name, password_hash, at_ms],
            )
            .map_err(backend)?;
        Ok(AccountId(self.connection().last_insert_rowid()))
    }

    fn account(&mut self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        self.connection()
            .one(
                "SELECT account_id, username, display_name, password_hash, created_at_ms, number_format FROM accounts WHERE account_id = ?1",
                [id.0],
                account_from_row,
            )
            .optional()
            .map_err(backend)
    }

    fn account_by_username(&mut self, username: &str) -> Result<Option<AccountRecord>, StoreError> {
        self.connection()
            .one(
                "SELECT account_id, username, display_name, password_hash, created_at_ms, number_format FROM accounts WHERE username = ?1",
                [username],
                account_from_row,
            )
            .optional()
            .map_err(backend)
    }

    fn set_password_hash(&mut self, id: AccountId, password_hash: &str) -> Result<(), StoreError> {
        self.connection().exec("UPDATE accounts SET password_hash = ?2 WHERE account_id = ?1", params![id.0, password_hash]).map_err(backend)?;
        Ok(())
    }

    fn set_account_email(&mut self, id: AccountId, email: Option<&str>, at_ms: i64) -> Result<(), StoreError> {
        match email {
            Some(email) => self.connection().exec(
                "INSERT INTO account_emails (account_id, email, updated_at_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account_id) DO UPDATE SET email = excluded.email, updated_at_ms = excluded.updated_at_ms",
                params![id.0, email, at_ms],
            ),
            None => self.connection().exec("DELETE FROM account_emails WHERE account_id = ?1", params![id.0]),
        }
        .map_err(backend)?;
        Ok(())
    }

    fn account_email(&mut self, id: AccountId) -> Result<Option<String>, StoreError> {
        self.connection().one("SELECT email FROM account_emails WHERE account_id = ?1", [id.0], |row| row.get(0)).optional().map_err(backend)
    }

    fn set_account_number_format(&mut self, id: AccountId, format: Option<NumberFormat>) -> Result<(), StoreError> {
        self.connection().exec("UPDATE accounts SET number_format = ?2 WHERE account_id = ?1", params![id.0, format.map(|f| f.name())]).map_err(backend)?;
        Ok(())
    }

    fn insert_session(&mut self, token_hash: &[u8; 32], session: &SessionRecord) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO sessions (token_hash, account_id, created_at_ms, expires_at_ms) VALUES (?1, ?2, ?3, ?4)",
                params![token_hash.as_slice(), session.account.0, session.created_at_ms, session.expires_at_ms],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn session(&mut self, token_hash: &[u8; 32]) -> Result<Option<SessionRecord>, StoreError> {
        self.connection()
            .one("SELECT account_id, created_at_ms, expires_at_ms FROM sessions WHERE token_hash = ?1", [token_hash.as_slice()], |row| {
                Ok(SessionRecord { account: AccountId(row.get(0)?), created_at_ms: row.get(1)?, expires_at_ms: row.get(2)? })
            })
            .optional()
            .map_err(backend)
    }

    fn delete_session(&mut self, token_hash: &[u8; 32]) -> Result<(), StoreError> {
        self.connection().exec("DELETE FROM sessions WHERE token_hash = ?1", [token_hash.as_slice()]).map_err(backend)?;
        Ok(())
    }

    fn delete_sessions_of(&mut self, account: AccountId) -> Result<(), StoreError> {
        self.connection().exec("DELETE FROM sessions WHERE account_id = ?1", [account.0]).map_err(backend)?;
        Ok(())
    }

    fn insert_api_token(&mut self, token_hash: &[u8; 32], account: AccountId, name: &str, prefix: &str, at_ms: i64) -> Result<i64, StoreError> {
        self.connection()
            .exec(
                "INSERT INTO api_tokens (token_hash, account_id, name, prefix, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![token_hash.as_slice(), account.0, name, prefix, at_ms],
            )
            .map_err(backend)?;
        Ok(self.connection().last_insert_rowid())
    }

    fn api_tokens(&mut self, account: AccountId) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE account_id = ?1 ORDER BY token_id DESC"))
            .map_err(backend)?;
        let rows = statement.query_map([account.0], token_from_row).map_err(backend)?;
        rows.collect::<Result<_, _>>().map_err(backend)
    }

    fn api_token_by_hash(&mut self, token_hash: &[u8; 32]) -> Result<Option<ApiTokenRecord>, StoreError> {
        self.connection()
            .one(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = ?1"), [token_hash.as_slice()], token_from_row)
            .optional()
            .map_err(backend)
    }

    fn revoke_api_token(&mut self, account: AccountId, id: i64, at_ms: i64) -> Result<bool, StoreError> {
        let changed = self
            .connection()
            .exec("UPDATE api_tokens SET revoked_at_ms = ?3 WHERE account_id = ?1 AND token_id = ?2 AND revoked_at_ms IS NULL", params![account.0, id, at_ms])
            .map_err(backend)?;
        Ok(changed == 1)
    }

    fn venture_access(&mut self, venture: VentureId) -> Result<Option<AccessRecord>, StoreError> {
        self.connection()
            .one("SELECT join_mode, visibility FROM venture_access WHERE venture_id = ?1", [venture.0], |row| {
                Ok(AccessRecord { join_mode: row.get(0)?, visibility: row.get(1)? })
            })
            .optional()
            .map_err(backend)
    }

    fn set_venture_access(&mut self, venture: VentureId, access: &AccessRecord, at_ms: i64) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO venture_access (venture_id, join_mode, visibility, updated_at_ms) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (venture_id) DO UPDATE SET join_mode = excluded.join_mode, visibility = excluded.visibility, updated_at_ms = excluded.updated_at_ms",
                params![venture.0, access.join_mode, access.visibility, at_ms],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn link_member(&mut self, venture: VentureId, member: MemberNo, account: AccountId) -> Result<(), StoreError> {
        self.connection()
            .exec("INSERT INTO member_accounts (venture_id, member_no, account_id) VALUES (?1, ?2, ?3)", params![venture.0, member.0, account.0])
            .map_err(backend)?;
        Ok(())
    }

    fn account_member(&mut self, venture: VentureId, account: AccountId) -> Result<Option<MemberNo>, StoreError> {
        let member: Option<i64> = self
            .connection()
            .one("SELECT member_no FROM member_accounts WHERE venture_id = ?1 AND account_id = ?2", params![venture.0, account.0], |row| row.get(0))
            .optional()
            .map_err(backend)?;
        member.map(|m| to_u32(m, "member").map(MemberNo)).transpose()
    }

    fn member_accounts(&mut self, venture: VentureId) -> Result<Vec<(MemberNo, AccountId)>, StoreError> {
        let mut statement =
            self.connection().prepare_cached("SELECT member_no, account_id FROM member_accounts WHERE venture_id = ?1 ORDER BY member_no").map_err(backend)?;
        let mut rows = statement.query([venture.0]).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            out.push((MemberNo(to_u32(row.get(0).map_err(backend)?, "member")?), AccountId(row.get(1).map_err(backend)?)));
        }
        Ok(out)
    }

    fn account_memberships(&mut self, account: AccountId) -> Result<Vec<(VentureId, MemberNo)>, StoreError> {
        let mut statement =
            self.connection().prepare_cached("SELECT venture_id, member_no FROM member_accounts WHERE account_id = ?1 ORDER BY venture_id").map_err(backend)?;
        let mut rows = statement.query([account.0]).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            out.push((VentureId(row.get(0).map_err(backend)?), MemberNo(to_u32(row.get(1).map_err(backend)?, "member")?)));
        }
        Ok(out)
    }

    fn insert_join_request(&mut self, venture: VentureId, account: AccountId, message: &str, at_ms: i64) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO join_requests (venture_id, request_no, account_id, message, requested_at_ms, status)
                 VALUES (?1, (SELECT coalesce(max(request_no), 0) + 1 FROM join_requests WHERE venture_id = ?1), ?2, ?3, ?4, 'pending')",
                params![venture.0, account.0, message, at_ms],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn join_requests(&mut self, venture: VentureId) -> Result<Vec<JoinRequestRecord>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT account_id, message, requested_at_ms, status, decided_at_ms FROM join_requests WHERE venture_id = ?1 ORDER BY request_no")
            .map_err(backend)?;
        let rows = statement
            .query_map([venture.0], |row| {
                Ok(JoinRequestRecord {
                    account: AccountId(row.get(0)?),
                    message: row.get(1)?,
                    requested_at_ms: row.get(2)?,
                    status: row.get(3)?,
                    decided_at_ms: row.get(4)?,
                })
            })
            .map_err(backend)?;
        rows.collect::<Result<_, _>>().map_err(backend)
    }

    fn decide_join_request(&mut self, venture: VentureId, account: AccountId, accepted: bool, at_ms: i64) -> Result<bool, StoreError> {
        let changed = self
            .connection()
            .exec(
                "UPDATE join_requests SET status = ?3, decided_at_ms = ?4 WHERE venture_id = ?1 AND account_id = ?2 AND status = 'pending'",
                params![venture.0, account.0, if accepted { "accepted" } else { "declined" }, at_ms],
            )
            .map_err(backend)?;
        Ok(changed == 1)
    }

    fn entries_about(&mut self, venture: VentureId, seq: u64) -> Result<Vec<StoredEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = ?1 AND about_seq = ?2 ORDER BY seq");
        let mut statement = self.connection().prepare_cached(&sql).map_err(backend)?;
        let mut rows = statement.query(params![venture.0, seq_param(seq)?]).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            out.push(entry_from_row(row)?);
        }
        Ok(out)
    }

    fn reviewed_entries(&mut self, venture: VentureId) -> Result<Vec<u64>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT DISTINCT about_seq FROM entries WHERE venture_id = ?1 AND about_seq IS NOT NULL ORDER BY about_seq")
            .map_err(backend)?;
        let rows = statement.query_map([venture.0], |row| row.get::<_, i64>(0)).map_err(backend)?;
        rows.map(|r| r.map_err(backend).and_then(|v| to_u64(v, "sequence"))).collect()
    }

    fn set_review_status(&mut self, venture: VentureId, seq: u64, status: &str) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO entry_reviews (venture_id, seq, status) VALUES (?1, ?2, ?3)
                 ON CONFLICT (venture_id, seq) DO UPDATE SET status = excluded.status",
                params![venture.0, seq_param(seq)?, status],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn review_statuses(&mut self, venture: VentureId, from: u64, to: u64) -> Result<Vec<(u64, String)>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT seq, status FROM entry_reviews WHERE venture_id = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq")
            .map_err(backend)?;
        let rows = statement
            .query_map(params![venture.0, seq_param(from)?, seq_param(to)?], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend).and_then(|(seq, status)| Ok((to_u64(seq, "sequence")?, status)))).collect()
    }

    fn entries_with_status(&mut self, venture: VentureId, statuses: &[&str], limit: u32) -> Result<Vec<(u64, String)>, StoreError> {
        let mut out = Vec::new();
        for status in statuses {
            let mut statement = self
                .connection()
                .prepare_cached("SELECT seq, status FROM entry_reviews WHERE venture_id = ?1 AND status = ?2 ORDER BY seq LIMIT ?3")
                .map_err(backend)?;
            let rows = statement.query_map(params![venture.0, status, limit], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))).map_err(backend)?;
            for row in rows {
                let (seq, status) = row.map_err(backend)?;
                out.push((to_u64(seq, "sequence")?, status));
            }
        }
        out.sort();
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(out)
    }

    fn insert_proposal(&mut self, venture: VentureId, proposal: &ProposalRecord) -> Result<u32, StoreError> {
        let number: i64 = self
            .connection()
            .one("SELECT coalesce(max(proposal_no), 0) + 1 FROM proposals WHERE venture_id = ?1", [venture.0], |row| row.get(0))
            .map_err(backend)?;
        self.connection()
            .exec(
                "INSERT INTO proposals (venture_id, proposal_no, proposed_by, label, settings, effective_from, note, status, created_at_ms, decided_at_ms, policy_version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    venture.0,
                    number,
                    proposal.proposed_by.0,
                    proposal.label,
                    proposal.settings,
                    date_to_day(proposal.effective_from),
                    proposal.note,
                    proposal.status,
                    proposal.created_at_ms,
                    proposal.decided_at_ms,
                    proposal.policy_version,
                ],
            )
            .map_err(backend)?;
        to_u32(number, "proposal number")
    }

    fn proposals(&mut self, venture: VentureId) -> Result<Vec<ProposalRecord>, StoreError> {
        let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE venture_id = ?1 ORDER BY proposal_no DESC");
        let mut statement = self.connection().prepare_cached(&sql).map_err(backend)?;
        let mut rows = statement.query([venture.0]).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            out.push(proposal_from_row(row)?);
        }
        Ok(out)
    }

    fn proposal(&mut self, venture: VentureId, number: u32) -> Result<Option<ProposalRecord>, StoreError> {
        let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE venture_id = ?1 AND proposal_no = ?2");
        let mut statement = self.connection().prepare_cached(&sql).map_err(backend)?;
        let mut rows = statement.query(params![venture.0, number]).map_err(backend)?;
        rows.next().map_err(backend)?.map(proposal_from_row).transpose()
    }

    fn decide_proposal(&mut self, venture: VentureId, number: u32, status: &str, at_ms: i64, policy_version: Option<u32>) -> Result<bool, StoreError> {
        let changed = self
            .connection()
            .exec(
                "UPDATE proposals SET status = ?3, decided_at_ms = ?4, policy_version = ?5 WHERE venture_id = ?1 AND proposal_no = ?2 AND status = 'open'",
                params![venture.0, number, status, at_ms, policy_version],
            )
            .map_err(backend)?;
        Ok(changed == 1)
    }

    fn insert_proposal_vote(&mut self, venture: VentureId, number: u32, vote: &ProposalVote) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO proposal_votes (venture_id, proposal_no, member_no, approve, note, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![venture.0, number, vote.member.0, vote.approve, vote.note, vote.at_ms],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn proposal_votes(&mut self, venture: VentureId, number: u32) -> Result<Vec<ProposalVote>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT member_no, approve, note, at_ms FROM proposal_votes WHERE venture_id = ?1 AND proposal_no = ?2 ORDER BY at_ms, member_no")
            .map_err(backend)?;
        let rows = statement
            .query_map(params![venture.0, number], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, bool>(1)?, row.get::<_, String>(2)?, row.get::<_, i64>(3)?)))
            .map_err(backend)?;
        let mut out = Vec::new();
        for row in rows {
            let (member, approve, note, at_ms) = row.map_err(backend)?;
            out.push(ProposalVote { member: MemberNo(to_u32(member, "member")?), approve, note, at_ms });
        }
        Ok(out)
    }

    fn insert_recurring(&mut self, venture: VentureId, recurring: &RecurringRecord) -> Result<u32, StoreError> {
        let number: i64 = self
            .connection()
            .one("SELECT coalesce(max(recurring_no), 0) + 1 FROM recurring WHERE venture_id = ?1", [venture.0], |row| row.get(0))
            .map_err(backend)?;
        self.connection()
            .exec(
                "INSERT INTO recurring (venture_id, recurring_no, member_no, form, note, cadence, starts_on, next_on, ends_on, active, created_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    venture.0,
                    number,
                    recurring.member.0,
                    recurring.form,
                    recurring.note,
                    recurring.cadence,
                    date_to_day(recurring.starts_on),
                    date_to_day(recurring.next_on),
                    recurring.ends_on.map(date_to_day),
                    recurring.active,
                    recurring.created_at_ms,
                ],
            )
            .map_err(backend)?;
        to_u32(number, "recurring number")
    }

    fn recurring(&mut self, venture: VentureId) -> Result<Vec<RecurringRecord>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached(
                "SELECT recurring_no, member_no, form, note, cadence, starts_on, next_on, ends_on, active, created_at_ms FROM recurring
                 WHERE venture_id = ?1 ORDER BY recurring_no",
            )
            .map_err(backend)?;
        let mut rows = statement.query([venture.0]).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            out.push(RecurringRecord {
                number: to_u32(row.get(0).map_err(backend)?, "recurring number")?,
                member: MemberNo(to_u32(row.get(1).map_err(backend)?, "member")?),
                form: row.get(2).map_err(backend)?,
                note: row.get(3).map_err(backend)?,
                cadence: row.get(4).map_err(backend)?,
                starts_on: day_to_date(row.get(5).map_err(backend)?)?,
                next_on: day_to_date(row.get(6).map_err(backend)?)?,
                ends_on: row.get::<_, Option<i64>>(7).map_err(backend)?.map(day_to_date).transpose()?,
                active: row.get(8).map_err(backend)?,
                created_at_ms: row.get(9).map_err(backend)?,
            });
        }
        Ok(out)
    }

    fn set_recurring_schedule(&mut self, venture: VentureId, number: u32, next_on: Date, active: bool) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "UPDATE recurring SET next_on = ?3, active = ?4 WHERE venture_id = ?1 AND recurring_no = ?2",
                params![venture.0, number, date_to_day(next_on), active],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn insert_recurring_draft(&mut self, venture: VentureId, number: u32, period_on: Date) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO recurring_drafts (venture_id, recurring_no, period_on, status) VALUES (?1, ?2, ?3, 'waiting')",
                params![venture.0, number, date_to_day(period_on)],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn recurring_drafts(&mut self, venture: VentureId, status: Option<&str>) -> Result<Vec<DraftRecord>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached(
                "SELECT recurring_no, period_on, status, entry_seq FROM recurring_drafts
                 WHERE venture_id = ?1 AND (?2 IS NULL OR status = ?2) ORDER BY period_on, recurring_no",
            )
            .map_err(backend)?;
        let mut rows = statement.query(params![venture.0, status]).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            out.push(DraftRecord {
                number: to_u32(row.get(0).map_err(backend)?, "recurring number")?,
                period_on: day_to_date(row.get(1).map_err(backend)?)?,
                status: row.get(2).map_err(backend)?,
                entry_seq: row.get::<_, Option<i64>>(3).map_err(backend)?.map(|v| to_u64(v, "sequence")).transpose()?,
            });
        }
        Ok(out)
    }

    fn decide_recurring_draft(&mut self, venture: VentureId, number: u32, period_on: Date, status: &str, entry_seq: Option<u64>) -> Result<bool, StoreError> {
        let changed = self
            .connection()
            .exec(
                "UPDATE recurring_drafts SET status = ?4, entry_seq = ?5 WHERE venture_id = ?1 AND recurring_no = ?2 AND period_on = ?3 AND status = 'waiting'",
                params![venture.0, number, date_to_day(period_on), status, entry_seq.map(seq_param).transpose()?],
            )
            .map_err(backend)?;
        Ok(changed == 1)
    }

    // ---- talk: comments and activity

    fn insert_comment(&mut self, venture: VentureId, comment: &NewComment) -> Result<u64, StoreError> {
        let subject_number = seq_param(comment.subject.number())?;
        let reply_to = comment.reply_to.map(seq_param).transpose()?;
        let id: i64 = self
            .connection()
            .one("SELECT coalesce(max(comment_no), 0) + 1 FROM comments WHERE venture_id = ?1", [venture.0], |row| row.get(0))
            .map_err(backend)?;
        self.connection()
            .exec(
                "INSERT INTO comments (venture_id, comment_no, subject_kind, subject_number, reply_to, author_no, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![venture.0, id, comment.subject.kind(), subject_number, reply_to, comment.author.0, comment.at_ms],
            )
            .map_err(backend)?;
        self.connection()
            .exec(
                "INSERT INTO comment_versions (venture_id, comment_no, version, body, edited_at_ms) VALUES (?1, ?2, 1, ?3, ?4)",
                params![venture.0, id, comment.body, comment.at_ms],
            )
            .map_err(backend)?;
        to_u64(id, "comment")
    }

    fn comment(&mut self, venture: VentureId, id: u64) -> Result<Option<CommentRecord>, StoreError> {
        let sql = format!("{COMMENT_SELECT} WHERE c.venture_id = ?1 AND c.comment_no = ?2");
        let raw = self.connection().one(&sql, params![venture.0, seq_param(id)?], comment_from_row).optional().map_err(backend)?;
        raw.map(comment_record).transpose()
    }

    fn comments(&mut self, venture: VentureId, subject: CommentSubject, after: u64, limit: u32) -> Result<Vec<CommentRecord>, StoreError> {
        let sql = format!(
            "{COMMENT_SELECT} WHERE c.venture_id = ?1 AND c.subject_kind = ?2 AND c.subject_number = ?3 AND c.comment_no > ?4 ORDER BY c.comment_no LIMIT ?5"
        );
        let mut statement = self.connection().prepare_cached(&sql).map_err(backend)?;
        let raws: Vec<CommentRow> = statement
            .query_map(params![venture.0, subject.kind(), seq_param(subject.number())?, seq_param(after)?, limit.min(COMMENTS_PAGE_MAX)], comment_from_row)
            .map_err(backend)?
            .collect::<Result<_, _>>()
            .map_err(backend)?;
        raws.into_iter().map(comment_record).collect()
    }

    fn insert_comment_version(&mut self, venture: VentureId, id: u64, body: &str, at_ms: i64) -> Result<u32, StoreError> {
        let id = seq_param(id)?;
        let version: i64 = self
            .connection()
            .one("SELECT coalesce(max(version), 0) + 1 FROM comment_versions WHERE venture_id = ?1 AND comment_no = ?2", params![venture.0, id], |row| {
                row.get(0)
            })
            .map_err(backend)?;
        self.connection()
            .exec(
                "INSERT INTO comment_versions (venture_id, comment_no, version, body, edited_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![venture.0, id, version, body, at_ms],
            )
            .map_err(backend)?;
        to_u32(version, "comment version")
    }

    fn comment_versions(&mut self, venture: VentureId, id: u64) -> Result<Vec<CommentVersionRecord>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT version, body, edited_at_ms FROM comment_versions WHERE venture_id = ?1 AND comment_no = ?2 ORDER BY version")
            .map_err(backend)?;
        let mut rows = statement.query(params![venture.0, seq_param(id)?]).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            out.push(CommentVersionRecord {
                version: to_u32(row.get(0).map_err(backend)?, "comment version")?,
                body: row.get(1).map_err(backend)?,
                at_ms: row.get(2).map_err(backend)?,
            });
        }
        Ok(out)
    }

    fn activity(&mut self, venture: VentureId, before: &ActivityCursor, limit: u32) -> Result<Vec<ActivityRecord>, StoreError> {
        let limit = limit.min(ACTIVITY_PAGE_MAX);
        let mut statement = self.connection().prepare_cached(ACTIVITY_SQL).map_err(backend)?;
        let mut rows = statement
            .query(params![
                venture.0,
                before.at_ms,
                number_bound_at_cursor(before, 1),
                number_bound_at_cursor(before, 2),
                number_bound_at_cursor(before, 3),
                limit
            ])
            .map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            let rank: i64 = row.get(0).map_err(backend)?;
            let at_ms: i64 = row.get(1).map_err(backend)?;
            let number: i64 = row.get(2).map_err(backend)?;
            let word: String = row.get(3).map_err(backend)?;
            let other: Option<i64> = row.get(4).map_err(backend)?;
            let actor: Option<i64> = row.get(5).map_err(backend)?;
            let text: String = row.get(6).map_err(backend)?;
            let member = |value: Option<i64>| value.map(|v| to_u32(v, "member").map(MemberNo)).transpose();
            let what = match rank {
                1 => ActivityWhat::Joined { member: MemberNo(to_u32(number, "member")?) },
                2 => ActivityWhat::Entry { seq: to_u64(number, "sequence")?, tag: word, member: member(other)?, author: member(actor)?, note: text },
                _ => ActivityWhat::Comment {
                    id: to_u64(number, "comment")?,
                    subject: CommentSubject::from_stored(&word, other.unwrap_or(0))?,
                    author: member(actor)?.ok_or_else(|| StoreError::Corrupt("a comment has no author".into()))?,
                    body: text,
                },
            };
            out.push(ActivityRecord { at_ms, what });
        }
        Ok(out)
    }

    fn activity_count_since(&mut self, venture: VentureId, since_ms: i64, except: Option<MemberNo>, cap: u32) -> Result<u32, StoreError> {
        let except = except.map_or(-1, |m| i64::from(m.0));
        let count: i64 = self
            .connection()
            .one(
                "SELECT (SELECT count(*) FROM (SELECT 1 FROM entries WHERE venture_id = ?1 AND recorded_at_ms > ?2 AND coalesce(author_no, -1) <> ?3 LIMIT ?4))
                      + (SELECT count(*) FROM (SELECT 1 FROM comments WHERE venture_id = ?1 AND created_at_ms > ?2 AND author_no <> ?3 LIMIT ?4))
                      + (SELECT count(*) FROM (SELECT 1 FROM members WHERE venture_id = ?1 AND recorded_at_ms > ?2 AND member_no <> ?3 LIMIT ?4))",
                params![venture.0, since_ms, except, cap],
                |row| row.get(0),
            )
            .map_err(backend)?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX).min(cap))
    }

    fn feed_visit(&mut self, venture: VentureId, account: AccountId) -> Result<Option<i64>, StoreError> {
        self.connection()
            .one("SELECT visited_at_ms FROM feed_visits WHERE venture_id = ?1 AND account_id = ?2", params![venture.0, account.0], |row| row.get(0))
            .optional()
            .map_err(backend)
    }

    fn set_feed_visit(&mut self, venture: VentureId, account: AccountId, at_ms: i64) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO feed_visits (venture_id, account_id, visited_at_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (venture_id, account_id) DO UPDATE SET visited_at_ms = max(visited_at_ms, excluded.visited_at_ms)",
                params![venture.0, account.0, at_ms],
            )
            .map_err(backend)?;
        Ok(())
    }
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
    #![allow(clippy::unwrap_used)]

    use super::*;
    use time::macros::date;

    fn venture(tx: &mut dyn Transaction, slug: &str) -> VentureId {
        let new = NewVenture {
            slug: slug.into(),
            name: "Acme".into(),
            pitch: "Anvils".into(),
            currency: "EUR".into(),
            created_at_ms: 1,
            number_format: Default::default(),
            edition: peerstake_core::edition::Edition::CURRENT,
        };
        tx.insert_venture(&new, &EntryHash::genesis(slug)).unwrap()
    }

    fn member(no: u32, handle: &str) -> MemberRecord {
        MemberRecord {
            departed_on: None,
            member_no: MemberNo(no),
            handle: handle.into(),
            display_name: handle.to_uppercase(),
            role: "member".into(),
            joined_on: date!(2024 - 01 - 01),
            recorded_at_ms: 2,
        }
    }

    fn entry(seq: u64, on: Date, effects: Vec<peerstake_core::replay::Effect>) -> StoredEntry {
        let mut hash = [0u8; 32];
        hash[..8].copy_from_slice(&seq.to_be_bytes());
        StoredEntry {
            entry: Entry {
                seq,
                occurred_on: on,
                recorded_at_ms: 1000 + i64::try_from(seq).unwrap(),
                author: Some(MemberNo(1)),
                member: Some(MemberNo(1)),
                tag: "time".into(),
                inputs: format!("hours={seq}"),
                note: format!("entry {seq}"),
                policy_version: 1,
                terms_version: 1,
                fmv_minor: 100,
                slices_minor: 200,
                reverses: None,
                about: None,
                effects,
            },
            hash: EntryHash(hash),
        }
    }

    #[test]
    fn a_pre_release_layout_is_refused_with_a_reason() {
        let dir = std::env::temp_dir().join(format!("peerstake-sqlite-early-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("early.db");
        Connection::open(&path).unwrap().execute_batch("CREATE TABLE entry_effects (venture_id INTEGER)").unwrap();
        let error = SqliteStore::open(&path).unwrap_err();
        assert!(error.to_string().contains("pre-release"), "{error}");
        let fresh = dir.join("fresh.db");
        assert!(SqliteStore::open(&fresh).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn comments_versions_activity_and_visits() {
        let dir = std::env::temp_dir().join(format!("peerstake-sqlite-talk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("talk.db");
        let store = SqliteStore::open(&path).unwrap();
        let mut tx = store.begin(Mode::Write).unwrap();
        let acme = venture(tx.as_mut(), "acme");
        let ann_account = tx.insert_account("ann", "Ann", "hash", 1).unwrap();
        tx.insert_member(acme, &member(1, "ann")).unwrap();
        tx.insert_member(acme, &member(2, "bob")).unwrap();
        tx.insert_entries(acme, &[entry(1, date!(2024 - 01 - 02), vec![]), entry(2, date!(2024 - 01 - 03), vec![])]).unwrap();
        let say = |subject, reply_to, author, body: &str, at_ms| NewComment { subject, reply_to, author: MemberNo(author), body: body.into(), at_ms };
        assert_eq!(tx.insert_comment(acme, &say(CommentSubject::Entry(1), None, 1, "first", 2000)).unwrap(), 1);
        assert_eq!(tx.insert_comment(acme, &say(CommentSubject::Entry(1), Some(1), 2, "a reply", 2001)).unwrap(), 2);
        assert_eq!(tx.insert_comment(acme, &say(CommentSubject::Member(MemberNo(2)), None, 1, "about bob", 2001)).unwrap(), 3);
        tx.commit().unwrap();

        let mut tx = store.begin(Mode::Write).unwrap();
        assert!(matches!(tx.insert_comment(acme, &say(CommentSubject::Entry(1), Some(99), 1, "x", 1)), Err(StoreError::Conflict(_))), "no such comment");
        drop(tx);
        let mut tx = store.begin(Mode::Write).unwrap();
        assert!(matches!(tx.insert_comment(acme, &say(CommentSubject::Entry(1), None, 9, "x", 1)), Err(StoreError::Conflict(_))), "no such member");
        drop(tx);

        let mut tx = store.begin(Mode::Write).unwrap();
        assert_eq!(tx.insert_comment_version(acme, 1, "first, edited", 3000).unwrap(), 2);
        tx.commit().unwrap();

        let mut tx = store.begin(Mode::Read).unwrap();
        let first = tx.comment(acme, 1).unwrap().unwrap();
        assert_eq!(
            first,
            CommentRecord {
                id: 1,
                subject: CommentSubject::Entry(1),
                reply_to: None,
                author: MemberNo(1),
                created_at_ms: 2000,
                version: 2,
                body: "first, edited".into(),
                edited_at_ms: 3000
            }
        );
        assert!(tx.comment(acme, 4).unwrap().is_none());
        let ids = |records: Vec<CommentRecord>| records.iter().map(|c| c.id).collect::<Vec<_>>();
        assert_eq!(ids(tx.comments(acme, CommentSubject::Entry(1), 0, 10).unwrap()), vec![1, 2]);
        assert_eq!(ids(tx.comments(acme, CommentSubject::Entry(1), 1, 10).unwrap()), vec![2]);
        assert_eq!(ids(tx.comments(acme, CommentSubject::Entry(1), 0, 1).unwrap()), vec![1]);
        assert_eq!(ids(tx.comments(acme, CommentSubject::Member(MemberNo(2)), 0, 10).unwrap()), vec![3]);
        assert!(tx.comments(acme, CommentSubject::Entry(2), 0, 10).unwrap().is_empty());
        let versions = tx.comment_versions(acme, 1).unwrap();
        assert_eq!(versions.iter().map(|v| (v.version, v.body.as_str(), v.at_ms)).collect::<Vec<_>>(), vec![(1, "first", 2000), (2, "first, edited", 3000)]);

        // Activity: newest first; comments by when they were first made, with their latest text.
        let all = tx.activity(acme, &peerstake_store::talk::ACTIVITY_START, 50).unwrap();
        let described: Vec<String> = all
            .iter()
            .map(|item| match &item.what {
                ActivityWhat::Comment { id, body, .. } => format!("{} comment {id} {body}", item.at_ms),
                ActivityWhat::Entry { seq, tag, .. } => format!("{} {tag} {seq}", item.at_ms),
                ActivityWhat::Joined { member } => format!("{} joined {}", item.at_ms, member.0),
            })
            .collect();
        assert_eq!(
            described,
            vec![
                "2001 comment 3 about bob",
                "2001 comment 2 a reply",
                "2000 comment 1 first, edited",
                "1002 time 2",
                "1001 time 1",
                "2 joined 2",
                "2 joined 1"
            ]
        );
        let mut paged = Vec::new();
        let mut cursor = peerstake_store::talk::ACTIVITY_START;
        loop {
            let page = tx.activity(acme, &cursor, 2).unwrap();
            let Some(last) = page.last() else { break };
            cursor = last.cursor();
            paged.extend(page);
        }
        assert_eq!(paged, all, "pages of two cover everything once");

        assert_eq!(tx.activity_count_since(acme, 0, None, 100).unwrap(), 7);
        assert_eq!(tx.activity_count_since(acme, 0, None, 3).unwrap(), 3, "counts stop at the cap");
        assert_eq!(tx.activity_count_since(acme, 2, Some(MemberNo(1)), 100).unwrap(), 1, "only bob's reply is not ann's own");
        assert_eq!(tx.activity_count_since(acme, 2001, None, 100).unwrap(), 0);
        drop(tx);

        // Visits only move forward.
        let mut tx = store.begin(Mode::Write).unwrap();
        assert_eq!(tx.feed_visit(acme, ann_account).unwrap(), None);
        tx.set_feed_visit(acme, ann_account, 500).unwrap();
        tx.set_feed_visit(acme, ann_account, 400).unwrap();
        assert_eq!(tx.feed_visit(acme, ann_account).unwrap(), Some(500));
        tx.set_feed_visit(acme, ann_account, 600).unwrap();
        assert_eq!(tx.feed_visit(acme, ann_account).unwrap(), Some(600));
        tx.commit().unwrap();

        for sql in ["UPDATE comment_versions SET body = 'rewritten'", "DELETE FROM comments", "UPDATE comments SET created_at_ms = 0"] {
            assert!(matches!(execute_raw(&path, sql), Err(StoreError::AppendOnly(_))), "{sql}");
        }
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

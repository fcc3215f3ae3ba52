//! The SQLite backend: one file in WAL mode, one writer connection and a small pool of read-only
//! readers. Migrations are embedded and applied on every open.
//!
//! Architecture invariant: the only crate besides `peerstake-postgres` that knows SQL; it knows
//! nothing of valuation rules, HTTP or the CLI.
#![warn(missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use peerstake_core::chain::EntryHash;
use peerstake_core::entry::Entry;
use peerstake_core::replay::{Bucket, BucketKey, Effect};
use peerstake_core::terms::{MemberNo, Terms};
use peerstake_store::codes::{TERMS_HOURLY, TERMS_SALARY, class_code, class_from_code, kind_code, kind_from_code};
use peerstake_store::{
    EntryFilter, IdempotencyRecord, MemberRecord, Mode, NewVenture, PAGE_SIZE_MAX, PolicyVersionRecord, Store, StoreError, StoredEntry, TermsRecord,
    Transaction, VentureId, VentureRecord,
};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params, params_from_iter};
use time::Date;

/// The migrations, in order. Each runs once, in its own transaction.
const MIGRATIONS: &[(&str, &str)] = &[("0001_ledger", include_str!("../migrations/0001_ledger.sql"))];

/// How many idle read connections are kept.
const READERS_IDLE_MAX: usize = 8;

/// A commons in one SQLite file.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("SqliteStore").field("path", &self.path).finish()
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
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -65536;
             PRAGMA temp_store = MEMORY;",
        )
        .map_err(backend)?;
    connection.busy_timeout(std::time::Duration::from_secs(10)).map_err(backend)?;
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
        let store = SqliteStore { path: path.to_path_buf(), writer: Mutex::new(writer), readers: Mutex::new(Vec::new()) };
        store.migrate()?;
        Ok(store)
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
        held.connection().execute_batch(statement).map_err(backend)?;
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
            let _ = self.held.connection().execute_batch("ROLLBACK");
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

const VENTURE_COLUMNS: &str = "venture_id, slug, name, pitch, currency, created_at_ms, head_seq, head_hash";

fn venture_from_row(row: &Row<'_>) -> rusqlite::Result<VentureRow> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?, row.get(7)?))
}

type VentureRow = (i64, String, String, String, String, i64, i64, Vec<u8>);

fn venture_record(raw: VentureRow) -> Result<VentureRecord, StoreError> {
    let (id, slug, name, pitch, currency, created_at_ms, head_seq, head_hash) = raw;
    Ok(VentureRecord {
        id: VentureId(id),
        slug,
        name,
        pitch,
        currency,
        created_at_ms,
        head_seq: to_u64(head_seq, "head")?,
        head_hash: hash_from_blob(&head_hash)?,
    })
}

const ENTRY_COLUMNS: &str =
    "seq, occurred_on, recorded_at_ms, author_no, member_no, tag, inputs, note, policy_version, terms_version, fmv_minor, slices_minor, reverses_seq, hash";

fn entry_from_row(row: &Row<'_>) -> Result<StoredEntry, StoreError> {
    let get_i64 = |index: usize| -> Result<i64, StoreError> { row.get::<_, i64>(index).map_err(backend) };
    let optional_member = |index: usize| -> Result<Option<MemberNo>, StoreError> {
        row.get::<_, Option<i64>>(index).map_err(backend)?.map(|v| to_u32(v, "member").map(MemberNo)).transpose()
    };
    let hash_bytes: Vec<u8> = row.get(13).map_err(backend)?;
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
            effects: Vec::new(),
        },
        hash: hash_from_blob(&hash_bytes)?,
    })
}

const EFFECT_COLUMNS: &str = "seq, member_no, kind, class, fmv_minor, slices_minor, well_minor";

fn effect_from_row(row: &Row<'_>) -> Result<(u64, Effect), StoreError> {
    let get = |index: usize| -> Result<i64, StoreError> { row.get::<_, i64>(index).map_err(backend) };
    let kind = get(2)?;
    let class = get(3)?;
    Ok((
        to_u64(get(0)?, "sequence")?,
        Effect {
            member: MemberNo(to_u32(get(1)?, "member")?),
            kind: kind_from_code(kind).ok_or_else(|| StoreError::Corrupt(format!("kind code {kind}")))?,
            class: class_from_code(class).ok_or_else(|| StoreError::Corrupt(format!("class code {class}")))?,
            fmv_minor: get(4)?,
            slices_minor: get(5)?,
            well_minor: get(6)?,
        },
    ))
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

    fn buckets(&self, sql: &str, parameters: &[Value]) -> Result<Vec<(BucketKey, Bucket)>, StoreError> {
        let mut statement = self.connection().prepare_cached(sql).map_err(backend)?;
        let mut rows = statement.query(params_from_iter(parameters.iter())).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            out.push(bucket_from_row(row)?);
        }
        Ok(out)
    }

    /// Attaches effects to entries whose sequence numbers lie in `[first, last]`.
    fn attach_effects(&self, venture: VentureId, entries: &mut [StoredEntry]) -> Result<(), StoreError> {
        let (Some(first), Some(last)) = (entries.first().map(|e| e.entry.seq), entries.last().map(|e| e.entry.seq)) else {
            return Ok(());
        };
        let sql = format!("SELECT {EFFECT_COLUMNS} FROM entry_effects WHERE venture_id = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq, effect_no");
        let mut statement = self.connection().prepare_cached(&sql).map_err(backend)?;
        let mut rows = statement.query(params![venture.0, seq_param(first)?, seq_param(last)?]).map_err(backend)?;
        let mut index = 0;
        while let Some(row) = rows.next().map_err(backend)? {
            let (seq, effect) = effect_from_row(row)?;
            while entries.get(index).is_some_and(|e| e.entry.seq < seq) {
                index += 1;
            }
            if let Some(stored) = entries.get_mut(index)
                && stored.entry.seq == seq
            {
                stored.entry.effects.push(effect);
            }
        }
        Ok(())
    }
}

impl Transaction for SqliteTransaction<'_> {
    fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        self.connection().execute_batch("COMMIT").map_err(backend)?;
        self.open = false;
        Ok(())
    }

    fn insert_venture(&mut self, venture: &NewVenture, genesis: &EntryHash) -> Result<VentureId, StoreError> {
        self.connection()
            .execute(
                "INSERT INTO ventures (slug, name, pitch, currency, created_at_ms, head_seq, head_hash) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)",
                params![venture.slug, venture.name, venture.pitch, venture.currency, venture.created_at_ms, genesis.0.as_slice()],
            )
            .map_err(backend)?;
        Ok(VentureId(self.connection().last_insert_rowid()))
    }

    fn venture_by_slug(&mut self, slug: &str) -> Result<Option<VentureRecord>, StoreError> {
        let sql = format!("SELECT {VENTURE_COLUMNS} FROM ventures WHERE slug = ?1");
        let raw = self.connection().query_row(&sql, [slug], venture_from_row).optional().map_err(backend)?;
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
        let raw = self.connection().query_row(&sql, [venture.0], venture_from_row).map_err(backend)?;
        venture_record(raw)
    }

    fn set_head(&mut self, venture: VentureId, seq: u64, hash: &EntryHash) -> Result<(), StoreError> {
        self.connection()
            .execute("UPDATE ventures SET head_seq = ?2, head_hash = ?3 WHERE venture_id = ?1", params![venture.0, seq_param(seq)?, hash.0.as_slice()])
            .map_err(backend)?;
        Ok(())
    }

    fn insert_member(&mut self, venture: VentureId, member: &MemberRecord) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "INSERT INTO members (venture_id, member_no, handle, display_name, role, joined_on, recorded_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![venture.0, member.member_no.0, member.handle, member.display_name, member.role, date_to_day(member.joined_on), member.recorded_at_ms],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn members(&mut self, venture: VentureId) -> Result<Vec<MemberRecord>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT member_no, handle, display_name, role, joined_on, recorded_at_ms FROM members WHERE venture_id = ?1 ORDER BY member_no")
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
            .execute(
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
            .execute(
                "INSERT INTO policy_versions (venture_id, version, effective_from, settings, recorded_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![venture.0, policy.version, date_to_day(policy.effective_from), policy.settings, policy.recorded_at_ms],
            )
            .map_err(backend)?;
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
                "INSERT INTO entries (venture_id, seq, occurred_on, recorded_at_ms, author_no, member_no, tag, inputs, note, policy_version, terms_version, fmv_minor, slices_minor, reverses_seq, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )
            .map_err(backend)?;
        let mut insert_effect = connection
            .prepare_cached(
                "INSERT INTO entry_effects (venture_id, seq, effect_no, member_no, kind, class, fmv_minor, slices_minor, well_minor, occurred_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .map_err(backend)?;
        for stored in entries {
            let entry = &stored.entry;
            let seq = seq_param(entry.seq)?;
            let day = date_to_day(entry.occurred_on);
            insert_entry
                .execute(params![
                    venture.0,
                    seq,
                    day,
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
                ])
                .map_err(backend)?;
            for (effect_no, effect) in entry.effects.iter().enumerate() {
                insert_effect
                    .execute(params![
                        venture.0,
                        seq,
                        i64::try_from(effect_no).unwrap_or(i64::MAX),
                        effect.member.0,
                        kind_code(effect.kind),
                        class_code(effect.class),
                        effect.fmv_minor,
                        effect.slices_minor,
                        effect.well_minor,
                        day,
                    ])
                    .map_err(backend)?;
            }
        }
        Ok(())
    }

    fn entry(&mut self, venture: VentureId, seq: u64) -> Result<Option<StoredEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = ?1 AND seq = ?2");
        let mut statement = self.connection().prepare_cached(&sql).map_err(backend)?;
        let mut rows = statement.query(params![venture.0, seq_param(seq)?]).map_err(backend)?;
        let Some(row) = rows.next().map_err(backend)? else {
            return Ok(None);
        };
        let mut entries = vec![entry_from_row(row)?];
        drop(rows);
        self.attach_effects(venture, &mut entries)?;
        Ok(entries.pop())
    }

    fn reversal_of(&mut self, venture: VentureId, seq: u64) -> Result<Option<u64>, StoreError> {
        let found: Option<i64> = self
            .connection()
            .query_row("SELECT seq FROM entries WHERE venture_id = ?1 AND reverses_seq = ?2", params![venture.0, seq_param(seq)?], |row| row.get(0))
            .optional()
            .map_err(backend)?;
        found.map(|s| to_u64(s, "sequence")).transpose()
    }

    fn entries(&mut self, venture: VentureId, filter: &EntryFilter) -> Result<Vec<StoredEntry>, StoreError> {
        let mut sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = ?1");
        let mut parameters: Vec<Value> = vec![Value::Integer(venture.0)];
        if let Some(member) = filter.member {
            parameters.push(Value::Integer(i64::from(member.0)));
            let n = parameters.len();
            sql.push_str(&format!(
                " AND (member_no = ?{n} OR EXISTS (SELECT 1 FROM entry_effects f WHERE f.venture_id = entries.venture_id AND f.seq = entries.seq AND f.member_no = ?{n}))"
            ));
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
        parameters.push(Value::Integer(i64::from(filter.limit.clamp(1, PAGE_SIZE_MAX))));
        sql.push_str(&format!(" ORDER BY seq LIMIT ?{}", parameters.len()));
        let mut entries = Vec::new();
        {
            let mut statement = self.connection().prepare_cached(&sql).map_err(backend)?;
            let mut rows = statement.query(params_from_iter(parameters.iter())).map_err(backend)?;
            while let Some(row) = rows.next().map_err(backend)? {
                entries.push(entry_from_row(row)?);
            }
        }
        // Effects for a sparse page are fetched one entry range at a time.
        for chunk in entries.chunk_by_mut(|a, b| b.entry.seq == a.entry.seq + 1) {
            self.attach_effects(venture, chunk)?;
        }
        Ok(entries)
    }

    fn scan_entries(&mut self, venture: VentureId, visit: &mut dyn FnMut(StoredEntry) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let connection = self.connection();
        let entry_sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = ?1 ORDER BY seq");
        let effect_sql = format!("SELECT {EFFECT_COLUMNS} FROM entry_effects WHERE venture_id = ?1 ORDER BY seq, effect_no");
        let mut entry_statement = connection.prepare(&entry_sql).map_err(backend)?;
        let mut effect_statement = connection.prepare(&effect_sql).map_err(backend)?;
        let mut entry_rows = entry_statement.query([venture.0]).map_err(backend)?;
        let mut effect_rows = effect_statement.query([venture.0]).map_err(backend)?;
        let mut pending: Option<(u64, Effect)> = match effect_rows.next().map_err(backend)? {
            Some(row) => Some(effect_from_row(row)?),
            None => None,
        };
        while let Some(row) = entry_rows.next().map_err(backend)? {
            let mut stored = entry_from_row(row)?;
            while let Some((seq, effect)) = pending {
                if seq != stored.entry.seq {
                    if seq < stored.entry.seq {
                        return Err(StoreError::Corrupt(format!("effect of entry {seq} has no entry")));
                    }
                    break;
                }
                stored.entry.effects.push(effect);
                pending = match effect_rows.next().map_err(backend)? {
                    Some(row) => Some(effect_from_row(row)?),
                    None => None,
                };
            }
            visit(stored)?;
        }
        if let Some((seq, _)) = pending {
            return Err(StoreError::Corrupt(format!("effect of entry {seq} has no entry")));
        }
        Ok(())
    }

    fn latest_entry_date(&mut self, venture: VentureId) -> Result<Option<Date>, StoreError> {
        let day: Option<i64> =
            self.connection().query_row("SELECT max(occurred_on) FROM entries WHERE venture_id = ?1", [venture.0], |row| row.get(0)).map_err(backend)?;
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
        self.buckets(
            "SELECT member_no, kind, class, sum(fmv_minor), sum(slices_minor), sum(well_minor) FROM entry_effects
             WHERE venture_id = ?1 AND occurred_on <= ?2 GROUP BY member_no, kind, class
             HAVING sum(fmv_minor) <> 0 OR sum(slices_minor) <> 0 OR sum(well_minor) <> 0 ORDER BY member_no, kind, class",
            &[Value::Integer(venture.0), Value::Integer(date_to_day(date))],
        )
    }

    fn idempotency(&mut self, scope: VentureId, key: &str) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.connection()
            .query_row("SELECT fingerprint, result FROM idempotency_keys WHERE venture_id = ?1 AND key = ?2", params![scope.0, key], |row| {
                Ok(IdempotencyRecord { fingerprint: row.get(0)?, result: row.get(1)? })
            })
            .optional()
            .map_err(backend)
    }

    fn put_idempotency(&mut self, scope: VentureId, key: &str, record: &IdempotencyRecord, at_ms: i64) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "INSERT INTO idempotency_keys (venture_id, key, fingerprint, result, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![scope.0, key, record.fingerprint, record.result, at_ms],
            )
            .map_err(backend)?;
        Ok(())
    }
}

/// Runs raw SQL against the file, outside the application's rules. For tests that prove the
/// database itself guards the ledger (an UPDATE of an entry must fail).
pub fn execute_raw(path: &Path, sql: &str) -> Result<usize, StoreError> {
    let connection = Connection::open(path).map_err(backend)?;
    connection.execute(sql, []).map_err(backend)
}

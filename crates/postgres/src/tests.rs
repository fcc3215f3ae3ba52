//! PostgreSQL's own checks, and the store conformance suite (`peerstake-store-suite`) on a fresh
//! database per case. Skipped unless `PEERSTAKE_TEST_POSTGRES_URL` names a maintenance database
//! (such as `postgres://postgres@127.0.0.1:5432/postgres`) on which the user may create databases.
#![allow(clippy::unwrap_used)]

use super::*;
use peerstake_core::kind::Class;
use peerstake_store_suite::Fresh;
use peerstake_store_suite::fixtures::{effect, entry, member, venture};
use time::macros::date;

/// A fresh database, dropped at the end.
struct TestDb {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDb {
    fn create() -> Option<TestDb> {
        let Ok(admin_url) = std::env::var("PEERSTAKE_TEST_POSTGRES_URL") else {
            eprintln!("PEERSTAKE_TEST_POSTGRES_URL is unset: skipping");
            return None;
        };
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("peerstake_pgtest_{}_{nanos}_{n}", std::process::id());
        let mut admin = Client::connect(&admin_url, NoTls).unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let (base, _) = admin_url.rsplit_once('/').unwrap();
        let url = format!("{base}/{name}");
        Some(TestDb { admin_url, name, url })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let mut admin = Client::connect(&self.admin_url, NoTls).unwrap();
        admin.batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", self.name)).unwrap();
    }
}

/// A fresh database with the store connected (and so migrated), dropped after the case; none
/// when no server is configured.
fn fresh() -> Option<Fresh> {
    let db = TestDb::create()?;
    let store = PostgresStore::connect(&db.url).unwrap();
    let url = db.url.clone();
    Some(Fresh::new(store, move |sql| execute_raw(&url, sql).map(|rows| usize::try_from(rows).unwrap())).with_cleanup(db))
}

peerstake_store_suite::store_suite!(fresh);

#[test]
fn names_itself() {
    let Some(db) = TestDb::create() else {
        return;
    };
    assert_eq!(PostgresStore::connect(&db.url).unwrap().backend(), "postgres");
}

/// PostgreSQL aborts a transaction at its first failed statement: a commit after one reports
/// that nothing was written rather than pretending to commit.
#[test]
fn a_failed_statement_aborts_the_transaction() {
    let Some(db) = TestDb::create() else {
        return;
    };
    let store = PostgresStore::connect(&db.url).unwrap();
    let mut tx = store.begin(Mode::Write).unwrap();
    venture(tx.as_mut(), "acme");
    tx.commit().unwrap();

    let mut tx = store.begin(Mode::Write).unwrap();
    tx.put_idempotency(peerstake_store::COMMONS_SCOPE, "before", &IdempotencyRecord { fingerprint: "f".into(), result: "r".into() }, 1).unwrap();
    let error = tx.insert_venture(&peerstake_store_suite::fixtures::new_venture("acme"), &EntryHash::genesis("acme")).unwrap_err();
    assert!(matches!(error, StoreError::Conflict(_)), "{error:?}");
    assert!(matches!(tx.commit(), Err(StoreError::Backend(_))));
    let mut tx = store.begin(Mode::Read).unwrap();
    assert!(tx.idempotency(peerstake_store::COMMONS_SCOPE, "before").unwrap().is_none(), "nothing was written");
}

/// TRUNCATE, which SQLite does not have, is refused on every ledger table like UPDATE and DELETE.
#[test]
fn truncating_the_ledger_is_refused() {
    let Some(db) = TestDb::create() else {
        return;
    };
    let _store = PostgresStore::connect(&db.url).unwrap();
    for table in ["entries", "member_terms", "policy_versions", "proposal_votes", "comments", "comment_versions", "settings_changes"] {
        let error = execute_raw(&db.url, &format!("TRUNCATE {table} CASCADE")).unwrap_err();
        assert!(matches!(error, StoreError::AppendOnly(_)), "{table}: {error:?}");
    }
}

#[test]
fn concurrent_migrations_do_not_collide() {
    let Some(db) = TestDb::create() else {
        return;
    };
    let applied: Vec<Vec<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..3)
            .map(|_| {
                scope.spawn(|| {
                    let store = PostgresStore::connect(&db.url).unwrap();
                    store.migrate().unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(applied.iter().all(Vec::is_empty), "connect already migrated");
    let mut client = Client::connect(&db.url, NoTls).unwrap();
    let rows = client.query("SELECT name FROM schema_migrations ORDER BY name", &[]).unwrap();
    let names: Vec<String> = rows.iter().map(|row| row.get(0)).collect();
    assert_eq!(names, MIGRATIONS.iter().map(|(name, _)| name.to_string()).collect::<Vec<_>>(), "each migration applied once");
}

#[test]
fn bulk_import_and_chunked_scan() {
    let Some(db) = TestDb::create() else {
        return;
    };
    let (scheme, rest) = db.url.split_once("://").unwrap();
    let (user, place) = rest.split_once('@').unwrap();
    let with_password = format!("{scheme}://{user}:hunter2@{place}");
    let store = PostgresStore::connect(&with_password).unwrap();
    let shown = format!("{store:?}");
    assert!(!shown.contains("hunter2"), "{shown}");

    let total: u64 = 2 * u64::try_from(SCAN_CHUNK).unwrap() + 123;
    let mut tx = store.begin(Mode::Write).unwrap();
    let id = venture(tx.as_mut(), "bulk");
    tx.insert_member(id, &member(1, "ann")).unwrap();
    let started = std::time::Instant::now();
    let entries: Vec<StoredEntry> = (1..=total)
        .map(|seq| {
            let effects = (0..seq % 3).map(|_| effect(1, Kind::Time, Class::NonCash, 1)).collect();
            entry(seq, date!(2024 - 01 - 01), effects)
        })
        .collect();
    for batch in entries.chunks(5_000) {
        tx.insert_entries(id, batch).unwrap();
    }
    tx.commit().unwrap();
    eprintln!("inserted {total} entries in {:?}", started.elapsed());

    let started = std::time::Instant::now();
    let mut tx = store.begin(Mode::Read).unwrap();
    let mut expected = entries.iter();
    tx.scan_entries(id, &mut |stored| {
        assert_eq!(Some(&stored), expected.next());
        Ok(())
    })
    .unwrap();
    assert!(expected.next().is_none());
    eprintln!("scanned {total} entries in {:?}", started.elapsed());
    drop(tx);

    // Damaged stored effects are reported, wherever the entry lies in the cursor's chunks, after
    // every entry before it was visited, as in SQLite.
    let chunk = u64::try_from(SCAN_CHUNK).unwrap();
    for (slug, orphan) in [("gap", 3), ("boundary", chunk + 1), ("tail", chunk + 20)] {
        let mut tx = store.begin(Mode::Write).unwrap();
        let id = venture(tx.as_mut(), slug);
        let entries: Vec<StoredEntry> = (1..=chunk + 10).filter(|seq| *seq != orphan).map(|seq| entry(seq, date!(2024 - 01 - 01), Vec::new())).collect();
        tx.insert_entries(id, &entries).unwrap();
        tx.commit().unwrap();
        execute_raw(
            &db.url,
            &format!(
                "INSERT INTO entries (venture_id, seq, occurred_on, recorded_at_ms, tag, inputs, note, policy_version, terms_version, fmv_minor, slices_minor, hash, shared, effects)
                 VALUES ({}, {orphan}, '2024-01-01', 0, 'time', '', '', 1, 1, 0, 0, decode(repeat('00', 32), 'hex'), false, '\\x0902'::bytea)",
                id.0
            ),
        )
        .unwrap();
        let mut tx = store.begin(Mode::Read).unwrap();
        let mut visited = 0;
        let error = tx
            .scan_entries(id, &mut |_| {
                visited += 1;
                Ok(())
            })
            .unwrap_err();
        assert!(matches!(error, StoreError::Corrupt(_)), "{error:?}");
        let before = entries.iter().filter(|e| e.entry.seq < orphan).count();
        assert_eq!(visited, before, "{slug}");
    }
}

//! Quick checks against a live server. Skipped unless `PEERSTAKE_TEST_POSTGRES_URL` names a
//! maintenance database (such as `postgres://postgres@127.0.0.1:5432/postgres`) on which the
//! user may create databases.

use super::*;
use peerstake_core::kind::Class;
use peerstake_core::replay::Effect;
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

fn entry(seq: u64, on: Date, effects: Vec<Effect>) -> StoredEntry {
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

fn effect(member: u32, kind: Kind, class: Class, fmv: i64) -> Effect {
    Effect { member: MemberNo(member), kind, class, fmv_minor: fmv, slices_minor: 2 * fmv, well_minor: 0 }
}

#[test]
fn round_trip_against_a_live_server() {
    let Some(db) = TestDb::create() else {
        return;
    };
    let store = PostgresStore::connect(&db.url).unwrap();
    assert!(!format!("{store:?}").contains("password"));
    assert_eq!(store.backend(), "postgres");
    assert!(store.migrate().unwrap().is_empty(), "migrations run once");

    let mut tx = store.begin(Mode::Write).unwrap();
    let id = venture(tx.as_mut(), "acme");
    tx.insert_member(id, &member(1, "ann")).unwrap();
    tx.insert_member(id, &member(2, "bob")).unwrap();
    tx.insert_terms(
        id,
        &TermsRecord {
            member_no: MemberNo(1),
            version: 1,
            effective_from: date!(2024 - 01 - 01),
            terms: Terms::Salary { market_salary_minor: 100_000, cash_salary_minor: 20_000, hours_per_year: Some(2000) },
            recorded_at_ms: 3,
        },
    )
    .unwrap();
    tx.insert_terms(
        id,
        &TermsRecord {
            member_no: MemberNo(2),
            version: 1,
            effective_from: date!(2024 - 02 - 01),
            terms: Terms::Hourly { rate_minor: 5000 },
            recorded_at_ms: 3,
        },
    )
    .unwrap();
    tx.insert_policy_version(id, &PolicyVersionRecord { version: 1, effective_from: date!(2024 - 01 - 01), settings: "x = 1".into(), recorded_at_ms: 4 })
        .unwrap();
    let first = entry(1, date!(2024 - 03 - 01), vec![effect(1, Kind::Time, Class::NonCash, 100), effect(2, Kind::Cash, Class::Cash, 50)]);
    tx.insert_entries(id, std::slice::from_ref(&first)).unwrap();
    // A bulk batch goes through COPY; every third entry has no effects.
    let bulk: Vec<StoredEntry> = (2..=40)
        .map(|seq| {
            let effects = if seq % 3 == 0 { Vec::new() } else { vec![effect(2, Kind::Time, Class::NonCash, 10)] };
            entry(seq, date!(2024 - 04 - 01), effects)
        })
        .collect();
    tx.insert_entries(id, &bulk).unwrap();
    tx.insert_entries(id, &[]).unwrap();
    let mut reversal = entry(41, date!(2024 - 05 - 01), Vec::new());
    reversal.entry.reverses = Some(1);
    reversal.entry.tag = "reversal".into();
    reversal.entry.author = None;
    tx.insert_entries(id, &[reversal]).unwrap();
    let key = BucketKey { member: MemberNo(1), kind: Kind::Time, class: Class::NonCash };
    let delta = Bucket { fmv_minor: 100, slices_minor: 200, well_minor: 7 };
    tx.add_totals(id, &[(key, delta)]).unwrap();
    tx.add_totals(id, &[(key, delta)]).unwrap();
    tx.set_head(id, 41, &EntryHash([9; 32])).unwrap();
    tx.put_idempotency(id, "k1", &IdempotencyRecord { fingerprint: "f".into(), result: "entry:1".into() }, 5).unwrap();
    tx.commit().unwrap();

    let mut tx = store.begin(Mode::Read).unwrap();
    let record = tx.venture_by_slug("acme").unwrap().unwrap();
    assert_eq!(record.id, id);
    assert_eq!(record.head_seq, 41);
    assert_eq!(record.head_hash, EntryHash([9; 32]));
    assert!(tx.venture_by_slug("nope").unwrap().is_none());
    assert_eq!(tx.ventures().unwrap().len(), 1);
    let members = tx.members(id).unwrap();
    assert_eq!(members, vec![member(1, "ann"), member(2, "bob")]);
    let terms = tx.terms(id).unwrap();
    assert_eq!(terms.len(), 2);
    assert_eq!(terms[1].terms, Terms::Hourly { rate_minor: 5000 });
    assert_eq!(tx.policy_versions(id).unwrap()[0].settings, "x = 1");
    assert_eq!(tx.entry(id, 1).unwrap().unwrap(), first);
    assert!(tx.entry(id, 99).unwrap().is_none());
    assert_eq!(tx.reversal_of(id, 1).unwrap(), Some(41));
    assert_eq!(tx.reversal_of(id, 2).unwrap(), None);
    assert_eq!(tx.latest_entry_date(id).unwrap(), Some(date!(2024 - 05 - 01)));
    assert_eq!(tx.latest_entry_date(VentureId(999)).unwrap(), None);

    let page = tx.entries(id, &EntryFilter { limit: 5, ..EntryFilter::default() }).unwrap();
    assert_eq!(page.iter().map(|e| e.entry.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
    assert_eq!(page[0], first);
    assert!(page[2].entry.effects.is_empty());
    assert_eq!(page[3].entry.effects.len(), 1);
    let filtered = tx
        .entries(
            id,
            &EntryFilter {
                member: Some(MemberNo(2)),
                tag: Some("time".into()),
                from: Some(date!(2024 - 03 - 01)),
                to: Some(date!(2024 - 04 - 01)),
                after_seq: Some(1),
                limit: 0,
            },
        )
        .unwrap();
    assert_eq!(filtered.len(), 1, "a zero limit means one");
    assert_eq!(filtered[0].entry.seq, 2);
    let everything = tx.entries(id, &EntryFilter { limit: 10_000, ..EntryFilter::default() }).unwrap();
    assert_eq!(everything.len(), 41);

    let mut scanned = Vec::new();
    tx.scan_entries(id, &mut |stored| {
        scanned.push(stored);
        Ok(())
    })
    .unwrap();
    assert_eq!(scanned, everything);
    assert_eq!(scanned[0].entry.effects.len(), 2);
    // A failing visitor stops the scan, and the transaction can scan again.
    let error = tx.scan_entries(id, &mut |_| Err(StoreError::Corrupt("stop".into()))).unwrap_err();
    assert!(matches!(error, StoreError::Corrupt(_)));
    let mut count = 0;
    tx.scan_entries(id, &mut |_| {
        count += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(count, 41);
    tx.scan_entries(VentureId(999), &mut |_| panic!("no entries")).unwrap();

    assert_eq!(tx.totals(id).unwrap(), vec![(key, Bucket { fmv_minor: 200, slices_minor: 400, well_minor: 14 })]);
    assert_eq!(tx.member_totals(id, MemberNo(1)).unwrap().len(), 1);
    assert!(tx.member_totals(id, MemberNo(2)).unwrap().is_empty());
    assert_eq!(tx.well_balances(id).unwrap(), vec![(MemberNo(1), 14)]);
    let as_of = tx.totals_as_of(id, date!(2024 - 03 - 31)).unwrap();
    assert_eq!(as_of.len(), 2);
    assert_eq!(as_of[0].1.fmv_minor, 100);
    let later = tx.totals_as_of(id, date!(2024 - 12 - 31)).unwrap();
    let bob_time = later.iter().find(|(k, _)| k.member == MemberNo(2) && k.kind == Kind::Time).unwrap();
    assert_eq!(bob_time.1.fmv_minor, 260);
    assert_eq!(tx.idempotency(id, "k1").unwrap().unwrap().result, "entry:1");
    assert!(tx.idempotency(id, "k2").unwrap().is_none());
    drop(tx);

    // Uniqueness is a conflict, and an aborted transaction does not pretend to commit.
    let mut tx = store.begin(Mode::Write).unwrap();
    let error = tx
        .insert_venture(
            &NewVenture {
                slug: "acme".into(),
                name: "x".into(),
                pitch: "x".into(),
                currency: "EUR".into(),
                created_at_ms: 1,
                number_format: Default::default(),
                edition: peerstake_core::edition::Edition::CURRENT,
            },
            &EntryHash::genesis("acme"),
        )
        .unwrap_err();
    assert!(matches!(error, StoreError::Conflict(_)), "{error:?}");
    assert!(tx.commit().is_err());
    let mut tx = store.begin(Mode::Write).unwrap();
    assert!(matches!(tx.insert_member(id, &member(3, "ann")), Err(StoreError::Conflict(_))));
    drop(tx);
    let mut tx = store.begin(Mode::Write).unwrap();
    assert!(matches!(tx.insert_entries(id, &[entry(5, date!(2024 - 01 - 01), Vec::new())]), Err(StoreError::Conflict(_))));
    drop(tx);
    let mut tx = store.begin(Mode::Write).unwrap();
    let clash: Vec<StoredEntry> = (40..50).map(|seq| entry(seq, date!(2024 - 01 - 01), Vec::new())).collect();
    assert!(matches!(tx.insert_entries(id, &clash), Err(StoreError::Conflict(_))));
    drop(tx);
    let mut tx = store.begin(Mode::Write).unwrap();
    let mut twice = entry(42, date!(2024 - 06 - 01), Vec::new());
    twice.entry.reverses = Some(1);
    assert!(matches!(tx.insert_entries(id, &[twice]), Err(StoreError::Conflict(_))));
    drop(tx);

    // Dropping a transaction rolls it back.
    let mut tx = store.begin(Mode::Write).unwrap();
    tx.put_idempotency(COMMONS_SCOPE_FOR_TEST, "gone", &IdempotencyRecord { fingerprint: "f".into(), result: "r".into() }, 1).unwrap();
    drop(tx);
    let mut tx = store.begin(Mode::Read).unwrap();
    assert!(tx.idempotency(COMMONS_SCOPE_FOR_TEST, "gone").unwrap().is_none());
    drop(tx);

    // The database itself refuses to change the ledger.
    for sql in [
        "UPDATE entries SET note = 'x'",
        "DELETE FROM entries",
        "TRUNCATE entries",
        "UPDATE entries SET effects = ''::bytea",
        "DELETE FROM member_terms",
        "UPDATE policy_versions SET settings = ''",
    ] {
        let error = execute_raw(&db.url, sql).unwrap_err();
        assert!(matches!(error, StoreError::AppendOnly(_)), "{sql}: {error:?}");
    }
    assert_eq!(execute_raw(&db.url, "UPDATE member_totals SET well_minor = 0").unwrap(), 1);
    drop(store);
}

const COMMONS_SCOPE_FOR_TEST: VentureId = peerstake_store::COMMONS_SCOPE;

#[test]
fn writers_to_one_venture_wait_for_each_other() {
    let Some(db) = TestDb::create() else {
        return;
    };
    let store = PostgresStore::connect(&db.url).unwrap();
    let mut tx = store.begin(Mode::Write).unwrap();
    let id = venture(tx.as_mut(), "acme");
    tx.commit().unwrap();

    let mut first = store.begin(Mode::Write).unwrap();
    first.lock_venture(id).unwrap();
    std::thread::scope(|scope| {
        let waiter = scope.spawn(|| {
            let started = std::time::Instant::now();
            let mut second = store.begin(Mode::Write).unwrap();
            let head = second.lock_venture(id).unwrap();
            second.commit().unwrap();
            (started.elapsed(), head.head_seq)
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        first.set_head(id, 7, &EntryHash([1; 32])).unwrap();
        first.commit().unwrap();
        let (waited, head) = waiter.join().unwrap();
        assert!(waited >= std::time::Duration::from_millis(250), "{waited:?}");
        assert_eq!(head, 7, "the second writer sees the first one's head");
    });

    drop(store);
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

#[test]
fn accounts_sessions_tokens_access_links_and_join_requests() {
    let Some(db) = TestDb::create() else {
        return;
    };
    let store = PostgresStore::connect(&db.url).unwrap();

    // Accounts: ids from the identity column, lookups by id and username, a new password hash.
    let mut tx = store.begin(Mode::Write).unwrap();
    let ann = tx.insert_account("ann", "Ann", "hash-a", 10).unwrap();
    let bob = tx.insert_account("bob", "Bob", "hash-b", 11).unwrap();
    assert_ne!(ann, bob);
    let acme = venture(tx.as_mut(), "acme");
    let beta = venture(tx.as_mut(), "beta");
    tx.insert_member(acme, &member(1, "ann")).unwrap();
    tx.insert_member(acme, &member(2, "bob")).unwrap();
    tx.insert_member(beta, &member(1, "ann")).unwrap();
    tx.commit().unwrap();

    let mut tx = store.begin(Mode::Write).unwrap();
    assert!(matches!(tx.insert_account("ann", "Other Ann", "h", 12), Err(StoreError::Conflict(_))));
    drop(tx);

    let mut tx = store.begin(Mode::Write).unwrap();
    let record = tx.account(ann).unwrap().unwrap();
    assert_eq!(
        record,
        AccountRecord { id: ann, username: "ann".into(), display_name: "Ann".into(), password_hash: "hash-a".into(), created_at_ms: 10, number_format: None }
    );
    assert_eq!(tx.account_by_username("bob").unwrap().unwrap().id, bob);
    assert!(tx.account_by_username("carol").unwrap().is_none());
    assert!(tx.account(AccountId(9999)).unwrap().is_none());
    tx.set_password_hash(ann, "hash-a2").unwrap();
    assert_eq!(tx.account(ann).unwrap().unwrap().password_hash, "hash-a2");

    // Sessions, under the hash of their token.
    let session = SessionRecord { account: ann, created_at_ms: 20, expires_at_ms: 30 };
    tx.insert_session(&[1; 32], &session).unwrap();
    tx.insert_session(&[2; 32], &SessionRecord { account: ann, created_at_ms: 21, expires_at_ms: 31 }).unwrap();
    tx.insert_session(&[3; 32], &SessionRecord { account: bob, created_at_ms: 22, expires_at_ms: 32 }).unwrap();
    assert_eq!(tx.session(&[1; 32]).unwrap(), Some(session));
    assert!(tx.session(&[9; 32]).unwrap().is_none());
    tx.delete_session(&[1; 32]).unwrap();
    assert!(tx.session(&[1; 32]).unwrap().is_none());
    assert!(tx.session(&[2; 32]).unwrap().is_some());
    tx.delete_sessions_of(ann).unwrap();
    assert!(tx.session(&[2; 32]).unwrap().is_none());
    assert!(tx.session(&[3; 32]).unwrap().is_some(), "another account's session stays");

    // API tokens: newest first, found by hash, revoked once and only by their owner.
    let first = tx.insert_api_token(&[4; 32], ann, "ci", "ps_aaaa", 40).unwrap();
    let second = tx.insert_api_token(&[5; 32], ann, "laptop", "ps_bbbb", 41).unwrap();
    tx.insert_api_token(&[6; 32], bob, "bob's", "ps_cccc", 42).unwrap();
    let tokens = tx.api_tokens(ann).unwrap();
    assert_eq!(tokens.iter().map(|t| t.id).collect::<Vec<_>>(), vec![second, first]);
    assert_eq!(tokens[1], ApiTokenRecord { id: first, account: ann, name: "ci".into(), prefix: "ps_aaaa".into(), created_at_ms: 40, revoked_at_ms: None });
    assert_eq!(tx.api_token_by_hash(&[5; 32]).unwrap().unwrap().id, second);
    assert!(tx.api_token_by_hash(&[7; 32]).unwrap().is_none());
    assert!(!tx.revoke_api_token(bob, first, 50).unwrap(), "not bob's token");
    assert!(tx.revoke_api_token(ann, first, 50).unwrap());
    assert!(!tx.revoke_api_token(ann, first, 51).unwrap(), "already revoked");
    assert!(!tx.revoke_api_token(ann, 9999, 51).unwrap(), "no such token");
    assert_eq!(tx.api_token_by_hash(&[4; 32]).unwrap().unwrap().revoked_at_ms, Some(50));
    assert_eq!(tx.api_tokens(ann).unwrap().len(), 2, "revoked tokens are listed");

    // Access: none stored, then set, then replaced.
    assert!(tx.venture_access(acme).unwrap().is_none());
    let request = AccessRecord { join_mode: "request".into(), visibility: "public".into() };
    tx.set_venture_access(acme, &request, 60).unwrap();
    assert_eq!(tx.venture_access(acme).unwrap(), Some(request));
    let invite = AccessRecord { join_mode: "invite".into(), visibility: "members".into() };
    tx.set_venture_access(acme, &invite, 61).unwrap();
    assert_eq!(tx.venture_access(acme).unwrap(), Some(invite));
    assert!(tx.venture_access(beta).unwrap().is_none());

    // Member to account links.
    tx.link_member(acme, MemberNo(2), bob).unwrap();
    tx.link_member(acme, MemberNo(1), ann).unwrap();
    tx.link_member(beta, MemberNo(1), ann).unwrap();
    tx.commit().unwrap();

    let mut tx = store.begin(Mode::Write).unwrap();
    tx.insert_member(acme, &member(3, "cat")).unwrap();
    assert!(matches!(tx.link_member(acme, MemberNo(3), ann), Err(StoreError::Conflict(_))), "ann is already linked in acme");
    drop(tx);

    let mut tx = store.begin(Mode::Read).unwrap();
    assert_eq!(tx.member_accounts(acme).unwrap(), vec![(MemberNo(1), ann), (MemberNo(2), bob)]);
    assert_eq!(tx.member_accounts(beta).unwrap(), vec![(MemberNo(1), ann)]);
    assert_eq!(tx.account_memberships(ann).unwrap(), vec![(acme, MemberNo(1)), (beta, MemberNo(1))]);
    assert_eq!(tx.account_memberships(bob).unwrap(), vec![(acme, MemberNo(2))]);
    drop(tx);

    // Join requests: one pending per person and venture, decided once, asked again after.
    let carol;
    {
        let mut tx = store.begin(Mode::Write).unwrap();
        carol = tx.insert_account("carol", "Carol", "hash-c", 70).unwrap();
        tx.insert_join_request(beta, carol, "hello", 71).unwrap();
        tx.insert_join_request(beta, bob, "me too", 72).unwrap();
        tx.commit().unwrap();
    }
    let mut tx = store.begin(Mode::Write).unwrap();
    assert!(matches!(tx.insert_join_request(beta, carol, "again", 73), Err(StoreError::Conflict(_))));
    drop(tx);

    let mut tx = store.begin(Mode::Write).unwrap();
    assert!(tx.decide_join_request(beta, carol, false, 80).unwrap());
    assert!(!tx.decide_join_request(beta, carol, true, 81).unwrap(), "no pending request left");
    assert!(!tx.decide_join_request(acme, carol, true, 81).unwrap(), "none in another venture");
    tx.insert_join_request(beta, carol, "please", 90).unwrap();
    assert!(tx.decide_join_request(beta, bob, true, 91).unwrap());
    let requests = tx.join_requests(beta).unwrap();
    assert_eq!(
        requests,
        vec![
            JoinRequestRecord { account: carol, message: "hello".into(), requested_at_ms: 71, status: "declined".into(), decided_at_ms: Some(80) },
            JoinRequestRecord { account: bob, message: "me too".into(), requested_at_ms: 72, status: "accepted".into(), decided_at_ms: Some(91) },
            JoinRequestRecord { account: carol, message: "please".into(), requested_at_ms: 90, status: "pending".into(), decided_at_ms: None },
        ]
    );
    assert!(tx.join_requests(acme).unwrap().is_empty());
    tx.commit().unwrap();

    let mut client = Client::connect(&db.url, NoTls).unwrap();
    let numbers: Vec<i64> =
        client.query("SELECT request_no FROM join_requests WHERE venture_id = $1 ORDER BY request_no", &[&beta.0]).unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(numbers, vec![1, 2, 3], "request numbers count up per venture");
    drop(store);
}

#[test]
fn comments_versions_activity_and_visits() {
    let Some(db) = TestDb::create() else {
        return;
    };
    let store = PostgresStore::connect(&db.url).unwrap();
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
        vec!["2001 comment 3 about bob", "2001 comment 2 a reply", "2000 comment 1 first, edited", "1002 time 2", "1001 time 1", "2 joined 2", "2 joined 1"]
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
        assert!(matches!(execute_raw(&db.url, sql), Err(StoreError::AppendOnly(_))), "{sql}");
    }
    drop(store);
}

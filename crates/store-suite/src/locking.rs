//! Writers and readers side by side, on real threads: two writers locking one venture (or one
//! good, which bookings from several ventures share) take turns, the second seeing what the
//! first committed; two writers resolving one hold resolve it once; a reader keeps one
//! snapshot while a writer commits.
//!
//! The cases are deterministic when the store is right: the first writer raises a flag just
//! before it commits, and the second must see the flag raised once it holds the lock. The first
//! writer waits a little before raising it, so a lock that does not wait is caught in the act.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use peerstake_core::chain::EntryHash;
use peerstake_store::{Mode, PledgeRecord};
use time::macros::date;

use crate::Factory;
use crate::capital::{good, laptop, pledge};
use crate::fixtures::{entry, read, venture, write};

/// How long the first writer holds its lock before it commits.
const HOLD: Duration = Duration::from_millis(200);

/// A second writer locking a venture waits until the first commits, then sees its head.
pub fn writers_to_one_venture_wait_for_each_other(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let acme = write(store, |tx| venture(tx, "acme"));
    let committing = AtomicBool::new(false);

    let mut first = store.begin(Mode::Write).unwrap();
    assert_eq!(first.lock_venture(acme).unwrap().head_seq, 0);
    std::thread::scope(|scope| {
        let second = scope.spawn(|| {
            let mut tx = store.begin(Mode::Write).unwrap();
            let head = tx.lock_venture(acme).unwrap();
            let after_first = committing.load(Ordering::SeqCst);
            tx.set_head(acme, head.head_seq + 1, &EntryHash([2; 32])).unwrap();
            tx.commit().unwrap();
            (after_first, head.head_seq, head.head_hash)
        });
        std::thread::sleep(HOLD);
        first.set_head(acme, 7, &EntryHash([1; 32])).unwrap();
        committing.store(true, Ordering::SeqCst);
        first.commit().unwrap();
        let (after_first, head_seq, head_hash) = second.join().unwrap();
        assert!(after_first, "the second writer held the lock before the first committed");
        assert_eq!((head_seq, head_hash), (7, EntryHash([1; 32])), "the second writer sees the first one's head");
    });
    let record = read(store, |tx| tx.venture_by_slug("acme").unwrap().unwrap());
    assert_eq!((record.head_seq, record.head_hash), (8, EntryHash([2; 32])));
}

/// Writers of two ventures locking one good take turns, the second seeing the first's change.
pub fn writers_to_one_good_wait_for_each_other(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta, laptop_id) = write(store, |tx| {
        let ann = tx.insert_account("ann", "Ann", "h", 1).unwrap();
        (venture(tx, "acme"), venture(tx, "beta"), tx.insert_good(&good(ann, 10)).unwrap())
    });
    let committing = AtomicBool::new(false);

    let mut first = store.begin(Mode::Write).unwrap();
    first.lock_venture(acme).unwrap();
    assert_eq!(first.lock_good(laptop_id).unwrap().unwrap().status, "available");
    std::thread::scope(|scope| {
        let second = scope.spawn(|| {
            let mut tx = store.begin(Mode::Write).unwrap();
            tx.lock_venture(beta).unwrap();
            let status = tx.lock_good(laptop_id).unwrap().unwrap().status;
            (committing.load(Ordering::SeqCst), status)
        });
        std::thread::sleep(HOLD);
        first.set_good_status(laptop_id, "withdrawn", None).unwrap();
        committing.store(true, Ordering::SeqCst);
        first.commit().unwrap();
        let (after_first, status) = second.join().unwrap();
        assert!(after_first, "the second writer held the good before the first committed");
        assert_eq!(status, "withdrawn", "the second writer sees the first one's change");
    });
}

/// Two writers resolving one held pledge: the first resolves it, the second, waiting on it,
/// then finds it no longer held.
pub fn two_writers_resolve_a_hold_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, ann) = write(store, |tx| {
        let ann = tx.insert_account("ann", "Ann", "h", 1).unwrap();
        let acme = venture(tx, "acme");
        tx.insert_need(acme, &laptop()).unwrap();
        tx.insert_pledge(acme, &pledge(1, ann, 10_000)).unwrap();
        (acme, ann)
    });

    let mut first = store.begin(Mode::Write).unwrap();
    assert!(first.resolve_pledge(acme, 1, "posted", 500, Some(12)).unwrap());
    std::thread::scope(|scope| {
        let second = scope.spawn(|| {
            let mut tx = store.begin(Mode::Write).unwrap();
            let resolved = tx.resolve_pledge(acme, 1, "released", 501, None).unwrap();
            tx.commit().unwrap();
            resolved
        });
        std::thread::sleep(HOLD);
        first.commit().unwrap();
        assert!(!second.join().unwrap(), "the second writer found the pledge resolved");
    });
    let posted = PledgeRecord { number: 1, status: "posted".into(), resolved_at_ms: Some(500), entry_seq: Some(12), ..pledge(1, ann, 10_000) };
    assert_eq!(read(store, |tx| tx.pledges(acme, None).unwrap()), vec![posted]);
}

/// A read transaction sees one snapshot: what a writer commits meanwhile shows in the next one.
pub fn a_reader_sees_one_snapshot(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let acme = write(store, |tx| venture(tx, "acme"));
    let mut reader = store.begin(Mode::Read).unwrap();
    assert_eq!(reader.venture_by_slug("acme").unwrap().unwrap().head_seq, 0);
    write(store, |tx| {
        tx.insert_entries(acme, &[entry(1, date!(2024 - 03 - 01), Vec::new())]).unwrap();
        tx.set_head(acme, 1, &EntryHash([1; 32])).unwrap();
        venture(tx, "beta");
    });
    assert_eq!(reader.venture_by_slug("acme").unwrap().unwrap().head_seq, 0, "the head as it was");
    assert!(reader.entry(acme, 1).unwrap().is_none(), "no entry yet");
    assert!(reader.venture_by_slug("beta").unwrap().is_none(), "no new venture yet");
    drop(reader);
    read(store, |tx| {
        assert_eq!(tx.venture_by_slug("acme").unwrap().unwrap().head_seq, 1);
        assert!(tx.entry(acme, 1).unwrap().is_some());
        assert!(tx.venture_by_slug("beta").unwrap().is_some());
    });
}

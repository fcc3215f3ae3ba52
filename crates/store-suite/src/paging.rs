//! Pages of entries ([`peerstake_store::Ledger::entries`]): in order after a cursor, capped at
//! [`PAGE_SIZE_MAX`], filtered by member (their own entries and the shared ones that reach
//! them), tag and dates; and the scan of every entry in order.

use peerstake_core::kind::{Class, Kind};
use peerstake_core::replay::Effect;
use peerstake_core::terms::MemberNo;
use peerstake_store::{EntryFilter, Mode, PAGE_SIZE_MAX, StoreError, StoredEntry, Transaction, VentureId};
use time::Date;
use time::macros::date;

use crate::Factory;
use crate::fixtures::{effect, entry, read, venture, write};

fn seqs(entries: &[StoredEntry]) -> Vec<u64> {
    entries.iter().map(|stored| stored.entry.seq).collect()
}

fn page(tx: &mut dyn Transaction, venture: VentureId, filter: EntryFilter) -> Vec<u64> {
    seqs(&tx.entries(venture, &filter).unwrap())
}

/// A page holds the first entries in order, up to its limit (a limit of zero means one); a
/// cursor starts the next page after it, so pages cover every entry once.
pub fn entries_page_in_order_after_a_cursor(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let entries: Vec<StoredEntry> = (1..=41).map(|seq| entry(seq, date!(2024 - 03 - 01), vec![effect(1, Kind::Time, Class::NonCash, 1)])).collect();
    let (acme, beta) = write(store, |tx| {
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        tx.insert_entries(acme, &entries).unwrap();
        tx.insert_entries(beta, &entries[..3]).unwrap();
        (acme, beta)
    });
    read(store, |tx| {
        let first = tx.entries(acme, &EntryFilter { limit: 5, ..EntryFilter::default() }).unwrap();
        assert_eq!(first, entries[..5].to_vec(), "whole entries, in order");
        assert_eq!(page(tx, acme, EntryFilter { limit: 0, ..EntryFilter::default() }), vec![1], "a zero limit means one");
        assert_eq!(page(tx, acme, EntryFilter { after_seq: Some(39), limit: 5, ..EntryFilter::default() }), vec![40, 41]);
        assert!(page(tx, acme, EntryFilter { after_seq: Some(41), limit: 5, ..EntryFilter::default() }).is_empty());
        assert_eq!(page(tx, beta, EntryFilter { limit: 100, ..EntryFilter::default() }), vec![1, 2, 3], "a venture's own entries");

        let mut paged = Vec::new();
        let mut cursor = None;
        loop {
            let next = tx.entries(acme, &EntryFilter { after_seq: cursor, limit: 7, ..EntryFilter::default() }).unwrap();
            let Some(last) = next.last() else { break };
            assert!(next.len() <= 7);
            cursor = Some(last.entry.seq);
            paged.extend(next);
        }
        assert_eq!(paged, entries, "pages of seven cover every entry once");
    });
}

/// No page is longer than [`PAGE_SIZE_MAX`], whatever limit is asked for, with or without a
/// member filter; the rest follows after the cursor.
pub fn entry_pages_are_capped(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let total = u64::from(PAGE_SIZE_MAX) + 5;
    let max = usize::try_from(PAGE_SIZE_MAX).unwrap();
    let acme = write(store, |tx| {
        let acme = venture(tx, "acme");
        let entries: Vec<StoredEntry> = (1..=total).map(|seq| entry(seq, date!(2024 - 03 - 01), vec![effect(1, Kind::Time, Class::NonCash, 1)])).collect();
        tx.insert_entries(acme, &entries).unwrap();
        acme
    });
    read(store, |tx| {
        for limit in [PAGE_SIZE_MAX, PAGE_SIZE_MAX + 1, u32::MAX] {
            let all = page(tx, acme, EntryFilter { limit, ..EntryFilter::default() });
            assert_eq!(all.len(), max, "limit {limit}");
            assert_eq!(all.last(), Some(&u64::from(PAGE_SIZE_MAX)));
            let mine = page(tx, acme, EntryFilter { member: Some(MemberNo(1)), limit, ..EntryFilter::default() });
            assert_eq!(mine.len(), max, "limit {limit} with a member filter");
        }
        let rest = page(tx, acme, EntryFilter { after_seq: Some(u64::from(PAGE_SIZE_MAX)), limit: u32::MAX, ..EntryFilter::default() });
        assert_eq!(rest, (u64::from(PAGE_SIZE_MAX) + 1..=total).collect::<Vec<_>>());
    });
}

/// A member's entries are those recorded for them and those whose effects reach them (a
/// withdrawal paying several depositors), not the shared entries that do not; a limit counts
/// only the member's.
pub fn entries_filter_by_member(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let on = date!(2024 - 03 - 01);
    let for_member = |seq: u64, member: Option<u32>, effects: Vec<Effect>| {
        let mut stored = entry(seq, on, effects);
        stored.entry.member = member.map(MemberNo);
        stored
    };
    let time = |member: u32| effect(member, Kind::Time, Class::NonCash, 10);
    let entries = vec![
        for_member(1, Some(1), vec![time(1)]),
        for_member(2, Some(2), vec![time(2)]),
        for_member(3, None, vec![time(1), time(2)]),
        for_member(4, Some(1), vec![time(1), time(3)]),
        for_member(5, Some(2), Vec::new()),
        for_member(6, Some(3), vec![time(3)]),
        for_member(7, Some(1), vec![time(2)]),
        for_member(8, None, vec![time(3)]),
    ];
    let acme = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.insert_entries(acme, &entries).unwrap();
        acme
    });
    read(store, |tx| {
        let of = |member: u32, after_seq: Option<u64>, limit: u32| EntryFilter { member: Some(MemberNo(member)), after_seq, limit, ..EntryFilter::default() };
        assert_eq!(page(tx, acme, of(1, None, 100)), vec![1, 3, 4, 7]);
        assert_eq!(page(tx, acme, of(2, None, 100)), vec![2, 3, 5, 7]);
        assert_eq!(page(tx, acme, of(3, None, 100)), vec![4, 6, 8]);
        assert!(page(tx, acme, of(4, None, 100)).is_empty());
        assert_eq!(page(tx, acme, of(2, None, 2)), vec![2, 3], "the limit counts the member's entries");
        assert_eq!(page(tx, acme, of(2, Some(3), 2)), vec![5, 7]);
        assert_eq!(tx.entries(acme, &of(3, None, 100)).unwrap(), vec![entries[3].clone(), entries[5].clone(), entries[7].clone()]);
    });
}

/// Filters by tag and by dates (both ends included) combine with each other, with a member
/// filter and with the cursor.
pub fn entries_filter_by_tag_and_dates(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let tagged = |seq: u64, on: Date, tag: &str, member: u32| {
        let mut stored = entry(seq, on, vec![effect(member, Kind::Time, Class::NonCash, 10)]);
        stored.entry.tag = tag.into();
        stored.entry.member = Some(MemberNo(member));
        stored
    };
    let entries = vec![
        tagged(1, date!(2024 - 01 - 31), "time", 1),
        tagged(2, date!(2024 - 02 - 01), "deposit", 2),
        tagged(3, date!(2024 - 02 - 15), "time", 2),
        tagged(4, date!(2024 - 02 - 29), "time", 1),
        tagged(5, date!(2024 - 03 - 01), "time", 2),
        tagged(6, date!(2024 - 01 - 15), "reversal", 2),
        tagged(7, date!(2024 - 02 - 20), "time", 2),
    ];
    let acme = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.insert_entries(acme, &entries).unwrap();
        acme
    });
    read(store, |tx| {
        let tag = |tag: &str| EntryFilter { tag: Some(tag.into()), limit: 100, ..EntryFilter::default() };
        assert_eq!(page(tx, acme, tag("time")), vec![1, 3, 4, 5, 7]);
        assert_eq!(page(tx, acme, tag("reversal")), vec![6]);
        assert!(page(tx, acme, tag("Time")).is_empty(), "tags are matched exactly");
        let february = EntryFilter { from: Some(date!(2024 - 02 - 01)), to: Some(date!(2024 - 02 - 29)), limit: 100, ..EntryFilter::default() };
        assert_eq!(page(tx, acme, february.clone()), vec![2, 3, 4, 7], "both ends included");
        assert_eq!(page(tx, acme, EntryFilter { from: Some(date!(2024 - 02 - 20)), limit: 100, ..EntryFilter::default() }), vec![4, 5, 7]);
        assert_eq!(page(tx, acme, EntryFilter { to: Some(date!(2024 - 01 - 31)), limit: 100, ..EntryFilter::default() }), vec![1, 6]);
        let bobs_february_time = EntryFilter { member: Some(MemberNo(2)), tag: Some("time".into()), ..february };
        assert_eq!(page(tx, acme, bobs_february_time.clone()), vec![3, 7]);
        assert_eq!(page(tx, acme, EntryFilter { after_seq: Some(3), ..bobs_february_time.clone() }), vec![7]);
        assert_eq!(page(tx, acme, EntryFilter { limit: 0, ..bobs_february_time }), vec![3], "a zero limit means one");
    });
}

/// A scan visits every entry once, whole and in order of number (whatever order they were
/// written in), in read and write transactions; a failing visitor stops it with its error, and
/// the transaction can scan again.
pub fn scan_visits_every_entry_in_order(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let entries: Vec<StoredEntry> = (1..=12)
        .map(|seq| {
            let effects = (0..seq % 3).map(|n| effect(u32::try_from(n).unwrap() + 1, Kind::Time, Class::NonCash, 5)).collect();
            entry(seq, date!(2024 - 03 - 01), effects)
        })
        .collect();
    let (acme, beta) = write(store, |tx| {
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        tx.insert_entries(acme, &entries[4..8]).unwrap();
        tx.insert_entries(acme, &entries[..4]).unwrap();
        tx.insert_entries(acme, &entries[8..]).unwrap();
        (acme, beta)
    });
    for mode in [Mode::Read, Mode::Write] {
        let mut tx = store.begin(mode).unwrap();
        let mut scanned = Vec::new();
        tx.scan_entries(acme, &mut |stored| {
            scanned.push(stored);
            Ok(())
        })
        .unwrap();
        assert_eq!(scanned, entries, "{mode:?}");

        let mut visited = 0;
        let error = tx
            .scan_entries(acme, &mut |_| {
                visited += 1;
                if visited == 3 { Err(StoreError::Corrupt("stop".into())) } else { Ok(()) }
            })
            .unwrap_err();
        assert!(matches!(&error, StoreError::Corrupt(text) if text == "stop"), "{error:?}");
        assert_eq!(visited, 3, "the scan stops at the visitor's error");

        let mut count = 0;
        tx.scan_entries(acme, &mut |_| {
            count += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(count, entries.len(), "the transaction scans again");
        tx.scan_entries(beta, &mut |stored| panic!("beta has no entries, got {}", stored.entry.seq)).unwrap();
    }
}

/// A number too large to be stored (beyond `i64::MAX`) finds nothing, wherever it is asked
/// for: an entry, its reversal, entries about it or after it, review statuses, a comment, its
/// versions, comments after it. It is never mistaken for damaged data.
pub fn ids_too_large_to_exist_are_not_found(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let acme = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.insert_entries(acme, &[entry(1, date!(2024 - 03 - 01), vec![effect(1, Kind::Time, Class::NonCash, 1)])]).unwrap();
        acme
    });
    let huge = u64::MAX / 2 + 1;
    read(store, |tx| {
        assert_eq!(tx.entry(acme, huge).unwrap(), None);
        assert_eq!(tx.reversal_of(acme, huge).unwrap(), None);
        assert!(tx.entries_about(acme, huge).unwrap().is_empty());
        assert!(page(tx, acme, EntryFilter { after_seq: Some(huge), limit: 5, ..EntryFilter::default() }).is_empty());
        assert!(tx.review_statuses(acme, 0, huge).unwrap().is_empty());
        assert_eq!(tx.comment(acme, huge).unwrap(), None);
        assert!(tx.comment_versions(acme, huge).unwrap().is_empty());
        assert!(tx.comments(acme, peerstake_store::CommentSubject::Entry(huge), 0, 10).unwrap().is_empty());
        assert!(tx.comments(acme, peerstake_store::CommentSubject::Entry(1), huge, 10).unwrap().is_empty());
    });
}

//! The conversation around a venture ([`peerstake_store::Talk`]): comments and their versions,
//! pages of comments on a subject, the venture's activity paged newest first by a cursor, counts
//! of what is new, and when each person last looked.

use peerstake_core::terms::MemberNo;
use peerstake_store::talk::{ACTIVITY_PAGE_MAX, ACTIVITY_START, COMMENTS_PAGE_MAX};
use peerstake_store::{ActivityRecord, ActivityWhat, CommentRecord, CommentSubject, Mode, NewComment, StoredEntry, VentureId};
use time::macros::date;

use crate::Factory;
use crate::fixtures::{entry, member, read, two_accounts_two_ventures, venture, write};

fn say(subject: CommentSubject, reply_to: Option<u64>, author: u32, body: &str, at_ms: i64) -> NewComment {
    NewComment { subject, reply_to, author: MemberNo(author), body: body.into(), at_ms }
}

fn ids(records: &[CommentRecord]) -> Vec<u64> {
    records.iter().map(|c| c.id).collect()
}

/// A venture `acme` with members ann (1) and bob (2), recorded at 2 ms, and entries 1 and 2 by
/// ann, recorded at 1001 and 1002 ms.
fn acme_with_two_entries(tx: &mut dyn peerstake_store::Transaction) -> VentureId {
    let acme = venture(tx, "acme");
    tx.insert_member(acme, &member(1, "ann")).unwrap();
    tx.insert_member(acme, &member(2, "bob")).unwrap();
    tx.insert_entries(acme, &[entry(1, date!(2024 - 01 - 02), vec![]), entry(2, date!(2024 - 01 - 03), vec![])]).unwrap();
    acme
}

/// Comments take the venture's next number and read back whole with their latest version; an
/// edit appends a version and keeps the old ones; every kind of subject is kept apart.
pub fn comments_and_versions_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta) = write(store, |tx| {
        let acme = acme_with_two_entries(tx);
        let beta = venture(tx, "beta");
        tx.insert_member(beta, &member(1, "ann")).unwrap();
        assert_eq!(tx.insert_comment(acme, &say(CommentSubject::Entry(1), None, 1, "first", 2000)).unwrap(), 1);
        assert_eq!(tx.insert_comment(acme, &say(CommentSubject::Entry(1), Some(1), 2, "a reply", 2001)).unwrap(), 2);
        assert_eq!(tx.insert_comment(acme, &say(CommentSubject::Member(MemberNo(2)), None, 1, "about bob", 2001)).unwrap(), 3);
        assert_eq!(tx.insert_comment(acme, &say(CommentSubject::Proposal(1), None, 2, "on the proposal", 2002)).unwrap(), 4);
        assert_eq!(tx.insert_comment(acme, &say(CommentSubject::Need(1), None, 2, "on the need", 2003)).unwrap(), 5);
        assert_eq!(tx.insert_comment(beta, &say(CommentSubject::Entry(1), None, 1, "elsewhere", 2004)).unwrap(), 1, "numbers are per venture");
        (acme, beta)
    });
    write(store, |tx| {
        assert_eq!(tx.insert_comment_version(acme, 1, "first, edited", 3000).unwrap(), 2);
        assert_eq!(tx.insert_comment_version(acme, 1, "first, edited again", 3001).unwrap(), 3);
    });
    read(store, |tx| {
        assert_eq!(
            tx.comment(acme, 1).unwrap(),
            Some(CommentRecord {
                id: 1,
                subject: CommentSubject::Entry(1),
                reply_to: None,
                author: MemberNo(1),
                created_at_ms: 2000,
                version: 3,
                body: "first, edited again".into(),
                edited_at_ms: 3001
            })
        );
        assert_eq!(
            tx.comment(acme, 2).unwrap(),
            Some(CommentRecord {
                id: 2,
                subject: CommentSubject::Entry(1),
                reply_to: Some(1),
                author: MemberNo(2),
                created_at_ms: 2001,
                version: 1,
                body: "a reply".into(),
                edited_at_ms: 2001
            })
        );
        assert!(tx.comment(acme, 6).unwrap().is_none());
        assert_eq!(tx.comment(beta, 1).unwrap().unwrap().body, "elsewhere");
        assert_eq!(ids(&tx.comments(acme, CommentSubject::Entry(1), 0, 10).unwrap()), vec![1, 2]);
        assert_eq!(ids(&tx.comments(acme, CommentSubject::Member(MemberNo(2)), 0, 10).unwrap()), vec![3]);
        assert_eq!(ids(&tx.comments(acme, CommentSubject::Proposal(1), 0, 10).unwrap()), vec![4]);
        assert_eq!(ids(&tx.comments(acme, CommentSubject::Need(1), 0, 10).unwrap()), vec![5]);
        assert!(tx.comments(acme, CommentSubject::Member(MemberNo(1)), 0, 10).unwrap().is_empty(), "entry 1 and member 1 are different subjects");
        assert!(tx.comments(acme, CommentSubject::Entry(2), 0, 10).unwrap().is_empty());
        let versions = tx.comment_versions(acme, 1).unwrap();
        assert_eq!(
            versions.iter().map(|v| (v.version, v.body.as_str(), v.at_ms)).collect::<Vec<_>>(),
            vec![(1, "first", 2000), (2, "first, edited", 3000), (3, "first, edited again", 3001)]
        );
        assert_eq!(tx.comment_versions(acme, 2).unwrap().len(), 1);
        assert!(tx.comment_versions(acme, 9).unwrap().is_empty());
    });
}

/// The comments on a subject come oldest first, numbered above the cursor, at most the limit
/// and never more than [`COMMENTS_PAGE_MAX`].
pub fn comments_page_by_number(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let total = u64::from(COMMENTS_PAGE_MAX) + 3;
    let acme = write(store, |tx| {
        let acme = acme_with_two_entries(tx);
        for n in 1..=total {
            let subject = if n == 2 { CommentSubject::Entry(2) } else { CommentSubject::Entry(1) };
            assert_eq!(tx.insert_comment(acme, &say(subject, None, 1, &format!("comment {n}"), 2000)).unwrap(), n);
        }
        acme
    });
    read(store, |tx| {
        let thread = CommentSubject::Entry(1);
        assert_eq!(ids(&tx.comments(acme, thread, 0, 3).unwrap()), vec![1, 3, 4]);
        assert_eq!(ids(&tx.comments(acme, thread, 1, 3).unwrap()), vec![3, 4, 5]);
        assert_eq!(ids(&tx.comments(acme, thread, 2, 2).unwrap()), vec![3, 4]);
        assert!(tx.comments(acme, thread, total, 10).unwrap().is_empty());
        let capped = tx.comments(acme, thread, 0, u32::MAX).unwrap();
        assert_eq!(capped.len(), usize::try_from(COMMENTS_PAGE_MAX).unwrap());
        assert_eq!(capped.last().unwrap().body, format!("comment {}", COMMENTS_PAGE_MAX + 1));
        let rest = tx.comments(acme, thread, capped.last().unwrap().id, u32::MAX).unwrap();
        assert_eq!(ids(&rest), (u64::from(COMMENTS_PAGE_MAX) + 2..=total).collect::<Vec<_>>());
        assert_eq!(ids(&tx.comments(acme, CommentSubject::Entry(2), 0, 10).unwrap()), vec![2]);
    });
}

fn describe(item: &ActivityRecord) -> String {
    match &item.what {
        ActivityWhat::Comment { id, body, .. } => format!("{} comment {id} {body}", item.at_ms),
        ActivityWhat::Entry { seq, tag, .. } => format!("{} {tag} {seq}", item.at_ms),
        ActivityWhat::Joined { member } => format!("{} joined {}", item.at_ms, member.0),
    }
}

fn every_page(tx: &mut dyn peerstake_store::Transaction, venture: VentureId, size: u32) -> Vec<ActivityRecord> {
    let mut paged = Vec::new();
    let mut cursor = ACTIVITY_START;
    loop {
        let page = tx.activity(venture, &cursor, size).unwrap();
        assert!(page.len() <= usize::try_from(size).unwrap());
        let Some(last) = page.last() else { break };
        cursor = last.cursor();
        paged.extend(page);
    }
    paged
}

/// The activity lists entries (by when they were recorded), comments (by when they were first
/// made, with their latest text) and members joining, newest first; pages after a cursor cover
/// everything once; no page is longer than [`ACTIVITY_PAGE_MAX`].
pub fn activity_pages_newest_first(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let acme = write(store, |tx| {
        let acme = acme_with_two_entries(tx);
        tx.insert_comment(acme, &say(CommentSubject::Entry(1), None, 1, "first", 2000)).unwrap();
        tx.insert_comment(acme, &say(CommentSubject::Entry(1), Some(1), 2, "a reply", 2001)).unwrap();
        tx.insert_comment(acme, &say(CommentSubject::Member(MemberNo(2)), None, 1, "about bob", 2001)).unwrap();
        tx.insert_comment_version(acme, 1, "first, edited", 3000).unwrap();
        acme
    });
    read(store, |tx| {
        let all = tx.activity(acme, &ACTIVITY_START, 50).unwrap();
        assert_eq!(
            all.iter().map(describe).collect::<Vec<_>>(),
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
        assert_eq!(
            all[3].what,
            ActivityWhat::Entry { seq: 2, tag: "time".into(), member: Some(MemberNo(1)), author: Some(MemberNo(1)), note: "entry 2".into() }
        );
        assert_eq!(all[1].what, ActivityWhat::Comment { id: 2, subject: CommentSubject::Entry(1), author: MemberNo(2), body: "a reply".into() });
        assert_eq!(every_page(tx, acme, 2), all, "pages of two cover everything once");
        assert_eq!(tx.activity(acme, &all[3].cursor(), 2).unwrap(), all[4..6].to_vec());
        assert!(tx.activity(acme, &all[6].cursor(), 2).unwrap().is_empty());
    });

    // Many more entries than a page holds.
    let many: Vec<StoredEntry> = (3..=u64::from(ACTIVITY_PAGE_MAX) + 5)
        .map(|seq| {
            let mut stored = entry(seq, date!(2024 - 02 - 01), vec![]);
            stored.entry.recorded_at_ms = 10_000 + i64::try_from(seq).unwrap();
            stored
        })
        .collect();
    write(store, |tx| tx.insert_entries(acme, &many).unwrap());
    read(store, |tx| {
        let page = tx.activity(acme, &ACTIVITY_START, u32::MAX).unwrap();
        assert_eq!(page.len(), usize::try_from(ACTIVITY_PAGE_MAX).unwrap());
        assert_eq!(describe(&page[0]), format!("{} time {}", 10_005 + ACTIVITY_PAGE_MAX, ACTIVITY_PAGE_MAX + 5));
        assert_eq!(every_page(tx, acme, ACTIVITY_PAGE_MAX).len(), 7 + many.len());
    });
}

/// Items of the same millisecond are ordered comments, then entries, then members joining,
/// each by number, newest first, and a cursor on any of them starts the next page right after it.
pub fn activity_breaks_ties_by_kind_and_number(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let at = 5_000;
    let acme = write(store, |tx| {
        let acme = acme_with_two_entries(tx);
        for no in [3, 4] {
            tx.insert_member(acme, &peerstake_store::MemberRecord { recorded_at_ms: at, ..member(no, &format!("m{no}")) }).unwrap();
        }
        let same_time: Vec<StoredEntry> = (10..=11)
            .map(|seq| {
                let mut stored = entry(seq, date!(2024 - 02 - 01), vec![]);
                stored.entry.recorded_at_ms = at;
                stored
            })
            .collect();
        tx.insert_entries(acme, &same_time).unwrap();
        tx.insert_comment(acme, &say(CommentSubject::Entry(10), None, 3, "one", at)).unwrap();
        tx.insert_comment(acme, &say(CommentSubject::Entry(11), None, 4, "two", at)).unwrap();
        tx.insert_comment(acme, &say(CommentSubject::Entry(11), None, 4, "later", at + 1)).unwrap();
        acme
    });
    read(store, |tx| {
        let all = tx.activity(acme, &ACTIVITY_START, 50).unwrap();
        assert_eq!(
            all.iter().map(describe).take(8).collect::<Vec<_>>(),
            vec![
                "5001 comment 3 later",
                "5000 comment 2 two",
                "5000 comment 1 one",
                "5000 time 11",
                "5000 time 10",
                "5000 joined 4",
                "5000 joined 3",
                "1002 time 2"
            ]
        );
        for size in [1, 2, 3] {
            assert_eq!(every_page(tx, acme, size), all, "pages of {size}");
        }
    });
}

/// The count of what is new counts entries, comments and members joining after a time (not at
/// it), leaving out those by one member (an entry with no author is by no one), and stops at a
/// cap.
pub fn activity_count_since(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let acme = write(store, |tx| {
        let acme = acme_with_two_entries(tx);
        let mut imported = entry(3, date!(2024 - 01 - 04), vec![]);
        imported.entry.author = None;
        imported.entry.member = None;
        tx.insert_entries(acme, &[imported]).unwrap();
        tx.insert_comment(acme, &say(CommentSubject::Entry(1), None, 1, "first", 2000)).unwrap();
        tx.insert_comment(acme, &say(CommentSubject::Entry(1), Some(1), 2, "a reply", 2001)).unwrap();
        tx.insert_comment(acme, &say(CommentSubject::Member(MemberNo(2)), None, 1, "about bob", 2001)).unwrap();
        acme
    });
    read(store, |tx| {
        // Members at 2 ms, ann's entries at 1001 and 1002, the authorless one at 1003, comments at
        // 2000 (ann), 2001 (bob) and 2001 (ann).
        assert_eq!(tx.activity_count_since(acme, 0, None, 100).unwrap(), 8);
        assert_eq!(tx.activity_count_since(acme, 0, None, 3).unwrap(), 3, "counts stop at the cap");
        assert_eq!(tx.activity_count_since(acme, 0, Some(MemberNo(1)), 100).unwrap(), 3, "bob joining, the import and bob's reply");
        assert_eq!(tx.activity_count_since(acme, 2, Some(MemberNo(1)), 100).unwrap(), 2, "the import and bob's reply");
        assert_eq!(tx.activity_count_since(acme, 2, None, 100).unwrap(), 6, "not what happened at the time itself");
        assert_eq!(tx.activity_count_since(acme, 1002, Some(MemberNo(2)), 100).unwrap(), 3, "the import and ann's comments");
        assert_eq!(tx.activity_count_since(acme, 2001, None, 100).unwrap(), 0);
        assert_eq!(tx.activity_count_since(VentureId(acme.0 + 1), 0, None, 100).unwrap(), 0);
    });
}

/// When a person last looked at a venture's activity only moves forward, per person and venture.
pub fn feed_visits_only_move_forward(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta, ann, bob) = write(store, two_accounts_two_ventures);
    let mut tx = store.begin(Mode::Write).unwrap();
    assert_eq!(tx.feed_visit(acme, ann).unwrap(), None);
    tx.set_feed_visit(acme, ann, 500).unwrap();
    tx.set_feed_visit(acme, ann, 400).unwrap();
    assert_eq!(tx.feed_visit(acme, ann).unwrap(), Some(500));
    tx.set_feed_visit(acme, ann, 600).unwrap();
    tx.set_feed_visit(beta, ann, 100).unwrap();
    tx.commit().unwrap();
    write(store, |tx| tx.set_feed_visit(acme, ann, 550).unwrap());
    read(store, |tx| {
        assert_eq!(tx.feed_visit(acme, ann).unwrap(), Some(600));
        assert_eq!(tx.feed_visit(beta, ann).unwrap(), Some(100));
        assert_eq!(tx.feed_visit(acme, bob).unwrap(), None);
    });
}

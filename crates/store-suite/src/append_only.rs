//! The ledger tables are append-only in the database itself: raw SQL run outside the
//! application's rules may not update or delete a row of entries, member terms, policy
//! versions, proposal votes, comments, comment versions or settings changes
//! ([`peerstake_store::StoreError::AppendOnly`]). Each case writes rows through the store,
//! checks that raw statements do work on a table the application may change (so a refusal is
//! the trigger's, not a broken connection's), that every update and delete is refused, that the
//! rows read back unchanged, and that appending still works.

use peerstake_core::kind::{Class, Kind};
use peerstake_core::terms::{MemberNo, Terms};
use peerstake_store::{CommentSubject, NewComment, PolicyVersionRecord, ProposalVote, StoreError, StoredEntry, VentureId};
use time::macros::date;

use crate::fixtures::{effect, entry, member, open_proposal, read, terms, venture, write};
use crate::{Factory, Fresh};

/// Every statement must be refused as append-only; a raw update of the venture (which the
/// application may change) must work.
fn assert_refused(fresh: &Fresh, statements: &[&str]) {
    assert_eq!(fresh.raw("UPDATE ventures SET name = name").unwrap(), 1, "raw SQL runs against the store's database");
    for sql in statements {
        match fresh.raw(sql) {
            Err(StoreError::AppendOnly(_)) => {}
            other => panic!("{sql}: expected an append-only refusal, got {other:?}"),
        }
    }
}

/// A venture `acme` with members ann (1) and bob (2).
fn acme(fresh: &Fresh) -> VentureId {
    write(fresh.store(), |tx| {
        let acme = venture(tx, "acme");
        tx.insert_member(acme, &member(1, "ann")).unwrap();
        tx.insert_member(acme, &member(2, "bob")).unwrap();
        acme
    })
}

/// Entries can be neither updated nor deleted.
pub fn entries_are_append_only(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let acme = acme(&fresh);
    let entries: Vec<StoredEntry> = (1..=3).map(|seq| entry(seq, date!(2024 - 03 - 01), vec![effect(1, Kind::Time, Class::NonCash, 10)])).collect();
    write(fresh.store(), |tx| tx.insert_entries(acme, &entries).unwrap());
    assert_refused(
        &fresh,
        &[
            "UPDATE entries SET note = 'rewritten'",
            "UPDATE entries SET fmv_minor = 0 WHERE seq = 2",
            "UPDATE entries SET seq = seq + 100",
            "DELETE FROM entries",
            "DELETE FROM entries WHERE seq = 3",
        ],
    );
    write(fresh.store(), |tx| tx.insert_entries(acme, &[entry(4, date!(2024 - 03 - 02), Vec::new())]).unwrap());
    read(fresh.store(), |tx| {
        for stored in &entries {
            assert_eq!(tx.entry(acme, stored.entry.seq).unwrap().as_ref(), Some(stored));
        }
        assert!(tx.entry(acme, 4).unwrap().is_some(), "appending still works");
    });
}

/// Member terms can be neither updated nor deleted.
pub fn member_terms_are_append_only(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let acme = acme(&fresh);
    let salaried =
        |member: u32, version: u32| terms(member, version, Terms::Salary { market_salary_minor: 10_000_000, cash_salary_minor: 0, hours_per_year: None });
    write(fresh.store(), |tx| {
        tx.insert_terms(acme, &salaried(1, 1)).unwrap();
        tx.insert_terms(acme, &salaried(2, 1)).unwrap();
    });
    assert_refused(
        &fresh,
        &["UPDATE member_terms SET market_salary_minor = 1", "UPDATE member_terms SET version = 2 WHERE member_no = 1", "DELETE FROM member_terms"],
    );
    write(fresh.store(), |tx| tx.insert_terms(acme, &salaried(1, 2)).unwrap());
    assert_eq!(read(fresh.store(), |tx| tx.terms(acme).unwrap()), vec![salaried(1, 1), salaried(1, 2), salaried(2, 1)]);
}

/// Policy versions can be neither updated nor deleted.
pub fn policy_versions_are_append_only(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let acme = acme(&fresh);
    let policy = |version: u32| PolicyVersionRecord { version, effective_from: date!(2024 - 01 - 01), settings: format!("v = {version}"), recorded_at_ms: 4 };
    write(fresh.store(), |tx| tx.insert_policy_version(acme, &policy(1)).unwrap());
    assert_refused(&fresh, &["UPDATE policy_versions SET settings = ''", "DELETE FROM policy_versions WHERE version = 1"]);
    write(fresh.store(), |tx| tx.insert_policy_version(acme, &policy(2)).unwrap());
    assert_eq!(read(fresh.store(), |tx| tx.policy_versions(acme).unwrap()), vec![policy(1), policy(2)]);
}

/// Votes on proposals can be neither updated nor deleted.
pub fn proposal_votes_are_append_only(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let acme = acme(&fresh);
    let vote = |member: u32, at_ms: i64| ProposalVote { member: MemberNo(member), approve: true, note: "yes".into(), at_ms };
    write(fresh.store(), |tx| {
        tx.insert_proposal(acme, &open_proposal()).unwrap();
        tx.insert_proposal_vote(acme, 1, &vote(1, 10)).unwrap();
    });
    assert_refused(
        &fresh,
        &["UPDATE proposal_votes SET note = 'changed my mind'", "UPDATE proposal_votes SET approve = NOT approve", "DELETE FROM proposal_votes"],
    );
    write(fresh.store(), |tx| tx.insert_proposal_vote(acme, 1, &vote(2, 11)).unwrap());
    assert_eq!(read(fresh.store(), |tx| tx.proposal_votes(acme, 1).unwrap()), vec![vote(1, 10), vote(2, 11)]);
}

fn comment(body: &str, at_ms: i64) -> NewComment {
    NewComment { subject: CommentSubject::Entry(1), reply_to: None, author: MemberNo(1), body: body.into(), at_ms }
}

/// Comments can be neither updated nor deleted.
pub fn comments_are_append_only(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let acme = acme(&fresh);
    write(fresh.store(), |tx| tx.insert_comment(acme, &comment("first", 2000)).unwrap());
    let before = read(fresh.store(), |tx| tx.comment(acme, 1).unwrap());
    assert_refused(&fresh, &["UPDATE comments SET created_at_ms = 0", "UPDATE comments SET author_no = 2", "DELETE FROM comments"]);
    write(fresh.store(), |tx| tx.insert_comment(acme, &comment("second", 2001)).unwrap());
    read(fresh.store(), |tx| {
        assert_eq!(tx.comment(acme, 1).unwrap(), before);
        assert_eq!(tx.comment(acme, 2).unwrap().unwrap().body, "second");
    });
}

/// The versions of a comment's text can be neither updated nor deleted: an edit appends one.
pub fn comment_versions_are_append_only(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let acme = acme(&fresh);
    write(fresh.store(), |tx| {
        tx.insert_comment(acme, &comment("first", 2000)).unwrap();
        tx.insert_comment_version(acme, 1, "first, edited", 3000).unwrap();
    });
    assert_refused(
        &fresh,
        &["UPDATE comment_versions SET body = 'rewritten'", "DELETE FROM comment_versions WHERE version = 2", "DELETE FROM comment_versions"],
    );
    write(fresh.store(), |tx| tx.insert_comment_version(acme, 1, "first, edited twice", 4000).unwrap());
    let versions = read(fresh.store(), |tx| tx.comment_versions(acme, 1).unwrap());
    assert_eq!(
        versions.iter().map(|v| (v.version, v.body.as_str(), v.at_ms)).collect::<Vec<_>>(),
        vec![(1, "first", 2000), (2, "first, edited", 3000), (3, "first, edited twice", 4000)]
    );
}

/// A venture's settings history can be neither updated nor deleted: a change is a new row.
pub fn settings_changes_are_append_only(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let acme = acme(&fresh);
    let change = |setting: &str, member: Option<u32>, old: &str, new: &str, at_ms: i64| crate::people::settings_change(setting, member, old, new, at_ms);
    write(fresh.store(), |tx| {
        tx.insert_settings_change(acme, &change("visibility", None, "public", "members", 10)).unwrap();
        tx.insert_settings_change(acme, &change("steward", Some(2), "member", "steward", 11)).unwrap();
    });
    let before = read(fresh.store(), |tx| tx.settings_changes(acme).unwrap());
    assert_refused(
        &fresh,
        &[
            "UPDATE settings_changes SET new_value = 'public'",
            "UPDATE settings_changes SET at_ms = 0 WHERE change_no = 2",
            "UPDATE settings_changes SET by_kind = 'rule', by_member = NULL",
            "DELETE FROM settings_changes WHERE change_no = 1",
            "DELETE FROM settings_changes",
        ],
    );
    write(fresh.store(), |tx| tx.insert_settings_change(acme, &change("visibility", None, "members", "public", 12)).unwrap());
    let after = read(fresh.store(), |tx| tx.settings_changes(acme).unwrap());
    assert_eq!(after[..2], before[..], "the rows read back unchanged");
    assert_eq!((after.len(), after[2].number, after[2].new_value.as_str()), (3, 3, "public"), "appending still works");
}

//! Uniqueness is the database's job, reported as [`peerstake_store::StoreError::Conflict`]: each
//! case writes a record, then tries to write one that would break a rule in a transaction of
//! its own, and checks the refusal and that the first record stands as it was.

use peerstake_core::chain::EntryHash;
use peerstake_core::terms::{MemberNo, Terms};
use peerstake_store::{
    COMMONS_SCOPE, CommentSubject, FreezeVoteRecord, IdempotencyRecord, MemberRecord, NewComment, NewVenture, PolicyVersionRecord, ProposalVote, StoredEntry,
};
use time::macros::date;

use crate::Factory;
use crate::fixtures::{assert_conflict, entry, member, new_venture, open_proposal, read, terms, two_accounts_two_ventures, venture, write};
use crate::lifecycle::{departure, freeze};

/// A slug names one venture.
pub fn a_slug_is_taken_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    write(store, |tx| venture(tx, "acme"));
    let again = NewVenture { name: "Other".into(), ..new_venture("acme") };
    assert_conflict(store, "a second venture acme", |tx| tx.insert_venture(&again, &EntryHash::genesis("acme")));
    read(store, |tx| {
        assert_eq!(tx.ventures().unwrap().len(), 1);
        assert_eq!(tx.venture_by_slug("acme").unwrap().unwrap().name, "Acme");
    });
}

/// A member number is taken once per venture (another venture may use it).
pub fn a_member_number_is_taken_once(factory: Factory<'_>) {
    member_taken_once_per_venture(factory, "member 1 again", member(1, "zed"));
}

/// A handle is taken once per venture (another venture may use it).
pub fn a_handle_is_taken_once_per_venture(factory: Factory<'_>) {
    member_taken_once_per_venture(factory, "a second ann", member(3, "ann"));
}

/// With ann member 1 of `acme`, `clash` is refused there (as `what`) but taken by `beta`, and
/// `acme` keeps ann alone.
fn member_taken_once_per_venture(factory: Factory<'_>, what: &str, clash: MemberRecord) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta) = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.insert_member(acme, &member(1, "ann")).unwrap();
        (acme, venture(tx, "beta"))
    });
    assert_conflict(store, what, |tx| tx.insert_member(acme, &clash));
    write(store, |tx| tx.insert_member(beta, &clash).unwrap());
    assert_eq!(read(store, |tx| tx.members(acme).unwrap()), vec![member(1, "ann")]);
}

/// A username names one account.
pub fn a_username_is_taken_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let ann = write(store, |tx| tx.insert_account("ann", "Ann", "hash-a", 10).unwrap());
    assert_conflict(store, "a second ann", |tx| tx.insert_account("ann", "Other Ann", "h", 12));
    read(store, |tx| {
        let record = tx.account_by_username("ann").unwrap().unwrap();
        assert_eq!((record.id, record.display_name.as_str(), record.password_hash.as_str()), (ann, "Ann", "hash-a"));
    });
}

/// An idempotency key is taken once per scope, the commons scope included; the first record
/// stands.
pub fn an_idempotency_key_is_taken_once_per_scope(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let first = IdempotencyRecord { fingerprint: "f1".into(), result: "entry:1".into() };
    let second = IdempotencyRecord { fingerprint: "f2".into(), result: "entry:2".into() };
    let acme = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.put_idempotency(acme, "k1", &first, 5).unwrap();
        tx.put_idempotency(COMMONS_SCOPE, "k1", &first, 5).unwrap();
        acme
    });
    assert_conflict(store, "k1 again", |tx| tx.put_idempotency(acme, "k1", &second, 6));
    assert_conflict(store, "k1 again in the commons", |tx| tx.put_idempotency(COMMONS_SCOPE, "k1", &second, 6));
    read(store, |tx| {
        assert_eq!(tx.idempotency(acme, "k1").unwrap(), Some(first.clone()));
        assert_eq!(tx.idempotency(COMMONS_SCOPE, "k1").unwrap(), Some(first));
    });
}

/// An entry number is taken once per venture, whether the clash comes alone, in a batch, or
/// within the batch itself; a refused batch writes none of its entries.
pub fn an_entry_number_is_taken_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let on = date!(2024 - 03 - 01);
    let originals: Vec<StoredEntry> = (1..=5).map(|seq| entry(seq, on, Vec::new())).collect();
    let (acme, beta) = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.insert_entries(acme, &originals).unwrap();
        (acme, venture(tx, "beta"))
    });
    let other_day = date!(2025 - 01 - 01);
    assert_conflict(store, "entry 5 again", |tx| tx.insert_entries(acme, &[entry(5, other_day, Vec::new())]));
    let clash: Vec<StoredEntry> = (4..=12).map(|seq| entry(seq, other_day, Vec::new())).collect();
    assert_conflict(store, "a batch over entries 4 and 5", |tx| tx.insert_entries(acme, &clash));
    let clash_at_the_end: Vec<StoredEntry> = (6..=12).chain([1]).map(|seq| entry(seq, other_day, Vec::new())).collect();
    assert_conflict(store, "a batch ending on entry 1", |tx| tx.insert_entries(acme, &clash_at_the_end));
    assert_conflict(store, "entry 6 twice in one batch", |tx| tx.insert_entries(acme, &[entry(6, on, Vec::new()), entry(6, on, Vec::new())]));
    write(store, |tx| tx.insert_entries(beta, &originals).unwrap());
    read(store, |tx| {
        let all = tx.entries(acme, &peerstake_store::EntryFilter { limit: 100, ..Default::default() }).unwrap();
        assert_eq!(all, originals, "the refused batches left nothing behind");
    });
}

/// An entry is reversed at most once.
pub fn an_entry_is_reversed_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let on = date!(2024 - 03 - 01);
    let reversing = |seq: u64, of: u64| {
        let mut stored = entry(seq, on, Vec::new());
        stored.entry.reverses = Some(of);
        stored.entry.tag = "reversal".into();
        stored
    };
    let acme = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.insert_entries(acme, &[entry(1, on, Vec::new()), entry(2, on, Vec::new()), reversing(3, 1)]).unwrap();
        acme
    });
    assert_conflict(store, "a second reversal of 1", |tx| tx.insert_entries(acme, &[reversing(4, 1)]));
    let batch: Vec<StoredEntry> = (4..=9).map(|seq| if seq == 9 { reversing(seq, 1) } else { entry(seq, on, Vec::new()) }).collect();
    assert_conflict(store, "a batch reversing 1 again", |tx| tx.insert_entries(acme, &batch));
    assert_conflict(store, "two reversals of 2 in one batch", |tx| tx.insert_entries(acme, &[reversing(4, 2), reversing(5, 2)]));
    write(store, |tx| tx.insert_entries(acme, &[reversing(4, 2)]).unwrap());
    read(store, |tx| {
        assert_eq!(tx.reversal_of(acme, 1).unwrap(), Some(3));
        assert_eq!(tx.reversal_of(acme, 2).unwrap(), Some(4));
        assert!(tx.entry(acme, 5).unwrap().is_none());
    });
}

/// A member's terms version and a venture's policy version are each taken once; terms belong to
/// a member of the venture.
pub fn terms_and_policy_versions_are_taken_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let hourly = |member: u32, version: u32, rate_minor: i64| terms(member, version, Terms::Hourly { rate_minor });
    let policy =
        |version: u32, settings: &str| PolicyVersionRecord { version, effective_from: date!(2024 - 01 - 01), settings: settings.into(), recorded_at_ms: 4 };
    let acme = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.insert_member(acme, &member(1, "ann")).unwrap();
        tx.insert_member(acme, &member(2, "bob")).unwrap();
        tx.insert_terms(acme, &hourly(1, 1, 100)).unwrap();
        tx.insert_policy_version(acme, &policy(1, "x = 1")).unwrap();
        acme
    });
    assert_conflict(store, "ann's terms version 1 again", |tx| tx.insert_terms(acme, &hourly(1, 1, 200)));
    assert_conflict(store, "terms for no member", |tx| tx.insert_terms(acme, &hourly(9, 1, 200)));
    assert_conflict(store, "policy version 1 again", |tx| tx.insert_policy_version(acme, &policy(1, "x = 2")));
    write(store, |tx| tx.insert_terms(acme, &hourly(2, 1, 300)).unwrap());
    read(store, |tx| {
        assert_eq!(tx.terms(acme).unwrap(), vec![hourly(1, 1, 100), hourly(2, 1, 300)]);
        assert_eq!(tx.policy_versions(acme).unwrap(), vec![policy(1, "x = 1")]);
    });
}

/// A member votes once on a proposal; the first vote stands.
pub fn a_member_votes_once_on_a_proposal(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let vote = |member: u32, approve: bool, at_ms: i64| ProposalVote { member: MemberNo(member), approve, note: String::new(), at_ms };
    let acme = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.insert_proposal(acme, &open_proposal()).unwrap();
        tx.insert_proposal(acme, &open_proposal()).unwrap();
        tx.insert_proposal_vote(acme, 1, &vote(1, true, 10)).unwrap();
        acme
    });
    assert_conflict(store, "ann's second vote", |tx| tx.insert_proposal_vote(acme, 1, &vote(1, false, 11)));
    write(store, |tx| tx.insert_proposal_vote(acme, 2, &vote(1, false, 12)).unwrap());
    assert_eq!(read(store, |tx| tx.proposal_votes(acme, 1).unwrap()), vec![vote(1, true, 10)]);
}

/// A member votes once per round of a freeze: once on freezing, once on each unfreezing.
pub fn a_member_votes_once_per_freeze_round(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let vote = |round: &str, approve: bool, at_ms: i64| FreezeVoteRecord { round: round.into(), member: MemberNo(1), approve, at_ms };
    let acme = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.insert_freeze(acme, &freeze()).unwrap();
        tx.insert_freeze_vote(acme, 1, &vote("freeze", true, 10)).unwrap();
        acme
    });
    assert_conflict(store, "ann's second freeze vote", |tx| tx.insert_freeze_vote(acme, 1, &vote("freeze", false, 11)));
    write(store, |tx| tx.insert_freeze_vote(acme, 1, &vote("unfreeze", false, 12)).unwrap());
    assert_conflict(store, "ann's second unfreeze vote", |tx| tx.insert_freeze_vote(acme, 1, &vote("unfreeze", true, 13)));
    read(store, |tx| {
        assert_eq!(tx.freeze_votes(acme, 1, "freeze").unwrap(), vec![vote("freeze", true, 10)]);
        assert_eq!(tx.freeze_votes(acme, 1, "unfreeze").unwrap(), vec![vote("unfreeze", false, 12)]);
    });
}

/// A person has at most one pending request to join a venture; once it is decided they may ask
/// again, and they may ask another venture meanwhile.
pub fn one_pending_join_request_per_account(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta, carol) = write(store, |tx| {
        let carol = tx.insert_account("carol", "Carol", "h", 1).unwrap();
        let acme = venture(tx, "acme");
        tx.insert_join_request(acme, carol, "hello", 71).unwrap();
        (acme, venture(tx, "beta"), carol)
    });
    assert_conflict(store, "a second pending request", |tx| tx.insert_join_request(acme, carol, "again", 72));
    write(store, |tx| {
        tx.insert_join_request(beta, carol, "hello", 73).unwrap();
        assert!(tx.decide_join_request(acme, carol, false, 80).unwrap());
        tx.insert_join_request(acme, carol, "please", 90).unwrap();
    });
    assert_conflict(store, "a pending request again", |tx| tx.insert_join_request(acme, carol, "and again", 91));
    let messages = read(store, |tx| tx.join_requests(acme).unwrap().into_iter().map(|r| r.message).collect::<Vec<_>>());
    assert_eq!(messages, vec!["hello", "please"]);
}

/// An account is linked to one member of a venture, and a member to one account; links are to
/// members that exist.
pub fn an_account_is_linked_once_per_venture(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta, ann, bob) = write(store, |tx| {
        let (acme, beta, ann, bob) = two_accounts_two_ventures(tx);
        for (no, handle) in [(1, "ann"), (2, "bob"), (3, "cat")] {
            tx.insert_member(acme, &member(no, handle)).unwrap();
        }
        tx.insert_member(beta, &member(1, "ann")).unwrap();
        tx.link_member(acme, MemberNo(1), ann).unwrap();
        (acme, beta, ann, bob)
    });
    assert_conflict(store, "ann linked to a second member", |tx| tx.link_member(acme, MemberNo(3), ann));
    assert_conflict(store, "ann's member linked to bob", |tx| tx.link_member(acme, MemberNo(1), bob));
    assert_conflict(store, "a link to no member", |tx| tx.link_member(acme, MemberNo(9), bob));
    write(store, |tx| tx.link_member(beta, MemberNo(1), ann).unwrap());
    read(store, |tx| {
        assert_eq!(tx.member_accounts(acme).unwrap(), vec![(MemberNo(1), ann)]);
        assert_eq!(tx.account_memberships(ann).unwrap(), vec![(acme, MemberNo(1)), (beta, MemberNo(1))]);
    });
}

/// A recurring contribution has one draft per period.
pub fn a_draft_is_made_once_per_period(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let period = date!(2024 - 01 - 01);
    let acme = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.insert_recurring_draft(acme, 1, period).unwrap();
        assert!(tx.decide_recurring_draft(acme, 1, period, "confirmed", Some(5)).unwrap());
        acme
    });
    assert_conflict(store, "the period's draft again", |tx| tx.insert_recurring_draft(acme, 1, period));
    write(store, |tx| {
        tx.insert_recurring_draft(acme, 2, period).unwrap();
        tx.insert_recurring_draft(acme, 1, date!(2024 - 01 - 08)).unwrap();
    });
    let drafts = read(store, |tx| tx.recurring_drafts(acme, Some("confirmed")).unwrap());
    assert_eq!(drafts.iter().map(|d| (d.number, d.period_on, d.entry_seq)).collect::<Vec<_>>(), vec![(1, period, Some(5))], "the confirmed draft stands");
}

/// A member departs once.
pub fn a_member_departs_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let acme = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.insert_departure(acme, &departure(2)).unwrap();
        acme
    });
    let again = peerstake_store::DepartureRecord { case: "quit-without-good-reason".into(), ..departure(2) };
    assert_conflict(store, "bob leaving twice", |tx| tx.insert_departure(acme, &again));
    write(store, |tx| tx.insert_departure(acme, &departure(3)).unwrap());
    let cases = read(store, |tx| tx.departures(acme).unwrap().into_iter().map(|d| (d.member, d.case)).collect::<Vec<_>>());
    assert_eq!(cases, vec![(MemberNo(2), "fired-for-good-reason".to_string()), (MemberNo(3), "fired-for-good-reason".to_string())]);
}

/// A comment is written by a member of the venture, and answers a comment that exists.
pub fn a_comment_needs_its_author_and_the_comment_it_answers(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let say =
        |reply_to: Option<u64>, author: u32| NewComment { subject: CommentSubject::Entry(1), reply_to, author: MemberNo(author), body: "x".into(), at_ms: 1 };
    let acme = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.insert_member(acme, &member(1, "ann")).unwrap();
        tx.insert_comment(acme, &say(None, 1)).unwrap();
        acme
    });
    assert_conflict(store, "a reply to no comment", |tx| tx.insert_comment(acme, &say(Some(99), 1)));
    assert_conflict(store, "a comment by no member", |tx| tx.insert_comment(acme, &say(None, 9)));
    assert_eq!(write(store, |tx| tx.insert_comment(acme, &say(Some(1), 1)).unwrap()), 2, "the refusals took no number");
}

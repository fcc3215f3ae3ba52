//! Peer review and policy proposals ([`peerstake_store::Reviews`]): where reviewed entries
//! stand, proposals and their votes, recurring contributions and their drafts.

use peerstake_core::terms::MemberNo;
use peerstake_store::{DraftRecord, ProposalRecord, ProposalVote, RecurringRecord};
use time::Date;
use time::macros::date;

use crate::Factory;
use crate::fixtures::{read, venture, write};

/// A reviewed entry's status is replaced by the next; statuses are listed by entry number over
/// a range (both ends included) or by status (in entry order, whatever order the statuses are
/// asked in, at most the limit), each venture's its own.
pub fn review_statuses_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta) = write(store, |tx| {
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        for (seq, status) in [(7, "disputed"), (2, "pending"), (5, "counted"), (3, "pending")] {
            tx.set_review_status(acme, seq, status).unwrap();
        }
        tx.set_review_status(beta, 4, "pending").unwrap();
        (acme, beta)
    });
    write(store, |tx| {
        tx.set_review_status(acme, 2, "counted").unwrap();
        tx.set_review_status(acme, 9, "rejected").unwrap();
        tx.set_review_status(acme, 10, "reversed").unwrap();
    });
    let owned = |pairs: &[(u64, &str)]| pairs.iter().map(|(seq, status)| (*seq, (*status).to_string())).collect::<Vec<_>>();
    read(store, |tx| {
        assert_eq!(tx.review_statuses(acme, 2, 7).unwrap(), owned(&[(2, "counted"), (3, "pending"), (5, "counted"), (7, "disputed")]));
        assert_eq!(tx.review_statuses(acme, 8, 100).unwrap(), owned(&[(9, "rejected"), (10, "reversed")]));
        assert!(tx.review_statuses(acme, 4, 4).unwrap().is_empty());
        assert_eq!(tx.review_statuses(beta, 1, 100).unwrap(), owned(&[(4, "pending")]));

        assert_eq!(tx.entries_with_status(acme, &["pending", "disputed"], 10).unwrap(), owned(&[(3, "pending"), (7, "disputed")]));
        assert_eq!(tx.entries_with_status(acme, &["disputed", "counted"], 10).unwrap(), owned(&[(2, "counted"), (5, "counted"), (7, "disputed")]));
        assert_eq!(tx.entries_with_status(acme, &["disputed", "counted"], 2).unwrap(), owned(&[(2, "counted"), (5, "counted")]));
        assert_eq!(tx.entries_with_status(acme, &["reversed"], 10).unwrap(), owned(&[(10, "reversed")]));
        assert!(tx.entries_with_status(acme, &[], 10).unwrap().is_empty());
        assert!(tx.entries_with_status(beta, &["counted"], 10).unwrap().is_empty());
    });
}

fn proposal(proposed_by: u32, label: &str, effective_from: Date, created_at_ms: i64) -> ProposalRecord {
    ProposalRecord {
        number: 0,
        proposed_by: MemberNo(proposed_by),
        label: label.into(),
        settings: format!("preset = \"{label}\"\n"),
        effective_from,
        note: format!("why {label}"),
        status: "open".into(),
        created_at_ms,
        decided_at_ms: None,
        policy_version: None,
    }
}

/// Proposals take the venture's next number and read back whole, newest first; votes read back
/// in the order cast, each proposal's its own.
pub fn proposals_and_votes_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let first = proposal(1, "slicing-pie", date!(2024 - 04 - 01), 100);
    let decided =
        ProposalRecord { status: "adopted".into(), decided_at_ms: Some(250), policy_version: Some(2), ..proposal(2, "custom", date!(2024 - 05 - 01), 200) };
    let vote = |member: u32, approve: bool, at_ms: i64| ProposalVote { member: MemberNo(member), approve, note: format!("{member} says {approve}"), at_ms };
    let (acme, beta) = write(store, |tx| {
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        assert_eq!(tx.insert_proposal(acme, &first).unwrap(), 1);
        assert_eq!(tx.insert_proposal(acme, &decided).unwrap(), 2);
        assert_eq!(tx.insert_proposal(beta, &first).unwrap(), 1, "numbers are per venture");
        for cast in [vote(1, true, 20), vote(3, false, 25), vote(2, true, 30)] {
            tx.insert_proposal_vote(acme, 1, &cast).unwrap();
        }
        tx.insert_proposal_vote(acme, 2, &vote(1, false, 40)).unwrap();
        (acme, beta)
    });
    read(store, |tx| {
        let numbered = |record: &ProposalRecord, number: u32| ProposalRecord { number, ..record.clone() };
        assert_eq!(tx.proposals(acme).unwrap(), vec![numbered(&decided, 2), numbered(&first, 1)], "newest first");
        assert_eq!(tx.proposal(acme, 1).unwrap(), Some(numbered(&first, 1)));
        assert_eq!(tx.proposal(acme, 2).unwrap(), Some(numbered(&decided, 2)));
        assert!(tx.proposal(acme, 3).unwrap().is_none());
        assert_eq!(tx.proposals(beta).unwrap(), vec![numbered(&first, 1)]);
        assert_eq!(tx.proposal_votes(acme, 1).unwrap(), vec![vote(1, true, 20), vote(3, false, 25), vote(2, true, 30)]);
        assert_eq!(tx.proposal_votes(acme, 2).unwrap(), vec![vote(1, false, 40)]);
        assert!(tx.proposal_votes(beta, 1).unwrap().is_empty());
    });
}

/// Recurring contributions take the venture's next number and read back whole; their schedule
/// moves or stops; drafts are listed by period then number, all or by status, and a decided
/// draft keeps the entry it was confirmed as.
pub fn recurring_and_drafts_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let weekly = RecurringRecord {
        number: 1,
        member: MemberNo(1),
        form: "kind=time&hours=20".into(),
        note: "twenty hours a week".into(),
        cadence: "weekly".into(),
        starts_on: date!(2024 - 01 - 01),
        next_on: date!(2024 - 01 - 08),
        ends_on: Some(date!(2024 - 12 - 31)),
        active: true,
        created_at_ms: 10,
    };
    let monthly = RecurringRecord {
        number: 2,
        member: MemberNo(2),
        form: "kind=facilities&amount=300".into(),
        note: "the desk".into(),
        cadence: "monthly".into(),
        starts_on: date!(2024 - 02 - 01),
        next_on: date!(2024 - 02 - 01),
        ends_on: None,
        active: false,
        created_at_ms: 11,
    };
    let (acme, beta) = write(store, |tx| {
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        assert_eq!(tx.insert_recurring(acme, &RecurringRecord { number: 0, ..weekly.clone() }).unwrap(), 1);
        assert_eq!(tx.insert_recurring(acme, &RecurringRecord { number: 0, ..monthly.clone() }).unwrap(), 2);
        assert_eq!(tx.insert_recurring(beta, &RecurringRecord { number: 0, ..monthly.clone() }).unwrap(), 1, "numbers are per venture");
        tx.insert_recurring_draft(acme, 2, date!(2024 - 03 - 01)).unwrap();
        tx.insert_recurring_draft(acme, 1, date!(2024 - 03 - 01)).unwrap();
        tx.insert_recurring_draft(acme, 1, date!(2024 - 02 - 01)).unwrap();
        (acme, beta)
    });
    read(store, |tx| {
        assert_eq!(tx.recurring(acme).unwrap(), vec![weekly.clone(), monthly.clone()]);
        assert_eq!(tx.recurring(beta).unwrap(), vec![RecurringRecord { number: 1, ..monthly.clone() }]);
        let waiting = |number: u32, period_on: Date| DraftRecord { number, period_on, status: "waiting".into(), entry_seq: None };
        assert_eq!(
            tx.recurring_drafts(acme, None).unwrap(),
            vec![waiting(1, date!(2024 - 02 - 01)), waiting(1, date!(2024 - 03 - 01)), waiting(2, date!(2024 - 03 - 01))]
        );
        assert!(tx.recurring_drafts(beta, None).unwrap().is_empty());
    });
    write(store, |tx| {
        tx.set_recurring_schedule(acme, 1, date!(2024 - 03 - 08), false).unwrap();
        tx.set_recurring_schedule(acme, 2, date!(2024 - 04 - 01), true).unwrap();
        assert!(tx.decide_recurring_draft(acme, 1, date!(2024 - 02 - 01), "confirmed", Some(17)).unwrap());
        assert!(tx.decide_recurring_draft(acme, 1, date!(2024 - 03 - 01), "skipped", None).unwrap());
    });
    read(store, |tx| {
        assert_eq!(
            tx.recurring(acme).unwrap(),
            vec![
                RecurringRecord { next_on: date!(2024 - 03 - 08), active: false, ..weekly },
                RecurringRecord { next_on: date!(2024 - 04 - 01), active: true, ..monthly.clone() }
            ]
        );
        assert_eq!(tx.recurring(beta).unwrap()[0].next_on, monthly.next_on, "another venture's schedule stays");
        let draft = |number: u32, period_on: Date, status: &str, entry_seq: Option<u64>| DraftRecord { number, period_on, status: status.into(), entry_seq };
        assert_eq!(tx.recurring_drafts(acme, Some("waiting")).unwrap(), vec![draft(2, date!(2024 - 03 - 01), "waiting", None)]);
        assert_eq!(tx.recurring_drafts(acme, Some("confirmed")).unwrap(), vec![draft(1, date!(2024 - 02 - 01), "confirmed", Some(17))]);
        assert_eq!(tx.recurring_drafts(acme, Some("skipped")).unwrap(), vec![draft(1, date!(2024 - 03 - 01), "skipped", None)]);
        assert_eq!(tx.recurring_drafts(acme, None).unwrap().len(), 3);
    });
}

//! Status changes that name the status they leave resolve once: the first call changes the
//! record and answers true; a second call from the same status, a call from a status the record
//! is not in, or a call on a number that does not exist answers false and changes nothing; the
//! same number in another venture is untouched. Needs, pledges, bookings, usage, proposals,
//! drafts, freezes, buyouts, changes of steward and requests to join.

use peerstake_core::terms::MemberNo;
use peerstake_store::{
    BookingRecord, BuyoutRecord, DraftRecord, FreezeRecord, NeedRecord, PledgeRecord, ProposalRecord, RecurringRecord, StewardshipRecord, UsageRecord,
    VentureId,
};
use time::macros::date;

use crate::Factory;
use crate::capital::{booking, good, laptop, pledge, usage};
use crate::fixtures::{read, venture, write};
use crate::lifecycle::{accept_buyout, accepted_buyout, buyout, freeze, handover};

/// Two ventures, `acme` and `beta`.
fn two(tx: &mut dyn peerstake_store::Transaction) -> (VentureId, VentureId) {
    (venture(tx, "acme"), venture(tx, "beta"))
}

/// A need moves from the status named to the next once.
pub fn a_need_changes_status_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta) = write(store, |tx| {
        let (acme, beta) = two(tx);
        tx.insert_need(acme, &laptop()).unwrap();
        tx.insert_need(beta, &laptop()).unwrap();
        (acme, beta)
    });
    write(store, |tx| {
        assert!(tx.set_need_status(acme, 1, "open", "met", 500).unwrap());
        assert!(!tx.set_need_status(acme, 1, "open", "unmet", 501).unwrap(), "no longer open");
        assert!(!tx.set_need_status(acme, 1, "cancelled", "open", 502).unwrap(), "not cancelled");
        assert!(!tx.set_need_status(acme, 2, "open", "met", 503).unwrap(), "no such need");
    });
    assert!(!write(store, |tx| tx.set_need_status(acme, 1, "open", "cancelled", 504).unwrap()), "not in a later transaction either");
    read(store, |tx| {
        assert_eq!(tx.needs(acme).unwrap(), vec![NeedRecord { number: 1, status: "met".into(), resolved_at_ms: Some(500), ..laptop() }]);
        assert_eq!(tx.needs(beta).unwrap(), vec![NeedRecord { number: 1, ..laptop() }]);
    });
}

/// A held pledge is posted or released once; it keeps the first outcome's time and deposit.
pub fn a_pledge_resolves_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta, ann) = write(store, |tx| {
        let ann = tx.insert_account("ann", "Ann", "h", 1).unwrap();
        let (acme, beta) = two(tx);
        for id in [acme, beta] {
            tx.insert_need(id, &laptop()).unwrap();
            tx.insert_pledge(id, &pledge(1, ann, 10_000)).unwrap();
        }
        (acme, beta, ann)
    });
    write(store, |tx| {
        assert!(tx.resolve_pledge(acme, 1, "posted", 500, Some(12)).unwrap());
        assert!(!tx.resolve_pledge(acme, 1, "released", 501, None).unwrap(), "no longer held");
        assert!(!tx.resolve_pledge(acme, 2, "released", 501, None).unwrap(), "no such pledge");
    });
    assert!(!write(store, |tx| tx.resolve_pledge(acme, 1, "posted", 502, Some(13)).unwrap()), "not twice");
    read(store, |tx| {
        let posted = PledgeRecord { number: 1, status: "posted".into(), resolved_at_ms: Some(500), entry_seq: Some(12), ..pledge(1, ann, 10_000) };
        assert_eq!(tx.pledges(acme, None).unwrap(), vec![posted]);
        assert_eq!(tx.pledges(beta, None).unwrap(), vec![PledgeRecord { number: 1, ..pledge(1, ann, 10_000) }]);
    });
}

/// A booking moves from the status named to the next once: requested to accepted, then accepted
/// to cancelled, never back.
pub fn a_booking_is_decided_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta, laptop_id) = write(store, |tx| {
        let ann = tx.insert_account("ann", "Ann", "h", 1).unwrap();
        let laptop_id = tx.insert_good(&good(ann, 10)).unwrap();
        let (acme, beta) = two(tx);
        tx.insert_booking(acme, &booking(laptop_id, date!(2024 - 05 - 01), date!(2024 - 05 - 02))).unwrap();
        tx.insert_booking(beta, &booking(laptop_id, date!(2024 - 06 - 01), date!(2024 - 06 - 02))).unwrap();
        (acme, beta, laptop_id)
    });
    write(store, |tx| {
        assert!(tx.decide_booking(acme, 1, "requested", "accepted", 310).unwrap());
        assert!(!tx.decide_booking(acme, 1, "requested", "declined", 311).unwrap(), "no longer requested");
        assert!(!tx.decide_booking(acme, 2, "requested", "accepted", 311).unwrap(), "no such booking");
    });
    read(store, |tx| {
        let accepted = BookingRecord {
            number: 1,
            status: "accepted".into(),
            decided_at_ms: Some(310),
            ..booking(laptop_id, date!(2024 - 05 - 01), date!(2024 - 05 - 02))
        };
        assert_eq!(tx.bookings(acme).unwrap(), vec![accepted]);
    });
    write(store, |tx| {
        assert!(tx.decide_booking(acme, 1, "accepted", "cancelled", 320).unwrap());
        assert!(!tx.decide_booking(acme, 1, "accepted", "cancelled", 321).unwrap(), "not twice");
    });
    read(store, |tx| {
        let record = &tx.bookings(acme).unwrap()[0];
        assert_eq!((record.status.as_str(), record.decided_at_ms), ("cancelled", Some(320)));
        assert_eq!(tx.bookings(beta).unwrap()[0].status, "requested");
    });
}

/// Logged usage is confirmed or declined once; it keeps the first answer's time and entry.
pub fn a_usage_is_decided_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta) = write(store, |tx| {
        let ann = tx.insert_account("ann", "Ann", "h", 1).unwrap();
        let laptop_id = tx.insert_good(&good(ann, 10)).unwrap();
        let (acme, beta) = two(tx);
        for id in [acme, beta] {
            tx.insert_booking(id, &booking(laptop_id, date!(2024 - 05 - 01), date!(2024 - 05 - 02))).unwrap();
            tx.insert_usage(id, &usage(1, date!(2024 - 05 - 01))).unwrap();
        }
        (acme, beta)
    });
    write(store, |tx| {
        assert!(tx.decide_usage(acme, 1, "confirmed", 450, Some(21)).unwrap());
        assert!(!tx.decide_usage(acme, 1, "declined", 451, None).unwrap(), "no longer logged");
        assert!(!tx.decide_usage(acme, 2, "declined", 451, None).unwrap(), "no such usage");
    });
    assert!(!write(store, |tx| tx.decide_usage(acme, 1, "confirmed", 452, Some(22)).unwrap()), "not twice");
    read(store, |tx| {
        let confirmed = UsageRecord { number: 1, status: "confirmed".into(), decided_at_ms: Some(450), entry_seq: Some(21), ..usage(1, date!(2024 - 05 - 01)) };
        assert_eq!(tx.usages(acme).unwrap(), vec![confirmed]);
        assert_eq!(tx.usages(beta).unwrap(), vec![UsageRecord { number: 1, ..usage(1, date!(2024 - 05 - 01)) }]);
    });
}

/// An open proposal is decided once; it keeps the first decision, its time and its policy
/// version.
pub fn a_proposal_is_decided_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let open = ProposalRecord {
        number: 0,
        proposed_by: MemberNo(1),
        label: "custom".into(),
        settings: "x = 2\n".into(),
        effective_from: date!(2024 - 04 - 01),
        note: String::new(),
        status: "open".into(),
        created_at_ms: 100,
        decided_at_ms: None,
        policy_version: None,
    };
    let (acme, beta) = write(store, |tx| {
        let (acme, beta) = two(tx);
        tx.insert_proposal(acme, &open).unwrap();
        tx.insert_proposal(beta, &open).unwrap();
        (acme, beta)
    });
    write(store, |tx| {
        assert!(tx.decide_proposal(acme, 1, "adopted", 200, Some(2)).unwrap());
        assert!(!tx.decide_proposal(acme, 1, "rejected", 201, None).unwrap(), "no longer open");
        assert!(!tx.decide_proposal(acme, 2, "rejected", 201, None).unwrap(), "no such proposal");
    });
    assert!(!write(store, |tx| tx.decide_proposal(acme, 1, "withdrawn", 202, None).unwrap()), "not twice");
    read(store, |tx| {
        let adopted = ProposalRecord { number: 1, status: "adopted".into(), decided_at_ms: Some(200), policy_version: Some(2), ..open.clone() };
        assert_eq!(tx.proposal(acme, 1).unwrap(), Some(adopted));
        assert_eq!(tx.proposal(beta, 1).unwrap(), Some(ProposalRecord { number: 1, ..open }));
    });
}

/// A waiting draft is confirmed or skipped once; it keeps the first answer and its entry.
pub fn a_draft_is_decided_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let weekly = RecurringRecord {
        number: 0,
        member: MemberNo(1),
        form: "kind=time&hours=20".into(),
        note: String::new(),
        cadence: "weekly".into(),
        starts_on: date!(2024 - 01 - 01),
        next_on: date!(2024 - 01 - 08),
        ends_on: None,
        active: true,
        created_at_ms: 1,
    };
    let period = date!(2024 - 01 - 01);
    let (acme, beta) = write(store, |tx| {
        let (acme, beta) = two(tx);
        for id in [acme, beta] {
            tx.insert_recurring(id, &weekly).unwrap();
            tx.insert_recurring_draft(id, 1, period).unwrap();
        }
        (acme, beta)
    });
    write(store, |tx| {
        assert!(tx.decide_recurring_draft(acme, 1, period, "confirmed", Some(17)).unwrap());
        assert!(!tx.decide_recurring_draft(acme, 1, period, "skipped", None).unwrap(), "no longer waiting");
        assert!(!tx.decide_recurring_draft(acme, 1, date!(2024 - 01 - 08), "skipped", None).unwrap(), "no draft for that period");
    });
    assert!(!write(store, |tx| tx.decide_recurring_draft(acme, 1, period, "confirmed", Some(18)).unwrap()), "not twice");
    read(store, |tx| {
        assert_eq!(
            tx.recurring_drafts(acme, None).unwrap(),
            vec![DraftRecord { number: 1, period_on: period, status: "confirmed".into(), entry_seq: Some(17) }]
        );
        assert_eq!(tx.recurring_drafts(beta, None).unwrap(), vec![DraftRecord { number: 1, period_on: period, status: "waiting".into(), entry_seq: None }]);
    });
}

/// A freeze moves from the status named once: proposed to frozen (stamped with the head), then
/// frozen to unfrozen; a second move from a status it left changes nothing.
pub fn a_freeze_moves_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let hash = "cd".repeat(32);
    let (acme, beta) = write(store, |tx| {
        let (acme, beta) = two(tx);
        tx.insert_freeze(acme, &freeze()).unwrap();
        tx.insert_freeze(beta, &freeze()).unwrap();
        (acme, beta)
    });
    write(store, |tx| {
        assert!(tx.set_freeze_status(acme, 1, "proposed", "frozen", 450, Some((41, hash.as_str())), Some(date!(2024 - 09 - 30))).unwrap());
        assert!(!tx.set_freeze_status(acme, 1, "proposed", "rejected", 451, None, None).unwrap(), "no longer proposed");
        assert!(!tx.set_freeze_status(acme, 1, "proposed", "frozen", 452, Some((42, "00")), Some(date!(2024 - 10 - 01))).unwrap(), "not frozen twice");
        assert!(!tx.set_freeze_status(acme, 2, "proposed", "frozen", 452, Some((42, "00")), None).unwrap(), "no such freeze");
    });
    let frozen = FreezeRecord {
        number: 1,
        status: "frozen".into(),
        head: Some((41, hash.clone())),
        frozen_on: Some(date!(2024 - 09 - 30)),
        frozen_at_ms: Some(450),
        ..freeze()
    };
    assert_eq!(read(store, |tx| tx.freezes(acme).unwrap()), vec![frozen.clone()]);
    write(store, |tx| {
        assert!(tx.set_freeze_status(acme, 1, "frozen", "unfrozen", 700, None, None).unwrap());
        assert!(!tx.set_freeze_status(acme, 1, "frozen", "unfrozen", 701, None, None).unwrap(), "not unfrozen twice");
    });
    read(store, |tx| {
        assert_eq!(tx.freezes(acme).unwrap(), vec![FreezeRecord { status: "unfrozen".into(), unfrozen_at_ms: Some(700), ..frozen }]);
        assert_eq!(tx.freezes(beta).unwrap(), vec![FreezeRecord { number: 1, ..freeze() }]);
    });
}

/// An offered buyout is accepted, declined or withdrawn once; it keeps the first decision's
/// time, entry and claw-back window.
pub fn a_buyout_is_decided_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta) = write(store, |tx| {
        let (acme, beta) = two(tx);
        tx.insert_buyout(acme, &buyout()).unwrap();
        tx.insert_buyout(beta, &buyout()).unwrap();
        (acme, beta)
    });
    write(store, |tx| {
        assert!(accept_buyout(tx, acme));
        assert!(!tx.decide_buyout(acme, 1, "offered", "withdrawn", 251, None, None).unwrap(), "no longer offered");
        assert!(!tx.decide_buyout(acme, 2, "offered", "withdrawn", 251, None, None).unwrap(), "no such buyout");
    });
    assert!(!write(store, |tx| tx.decide_buyout(acme, 1, "offered", "accepted", 252, Some(11), None).unwrap()), "not twice");
    read(store, |tx| {
        assert_eq!(tx.buyouts(acme).unwrap(), vec![accepted_buyout()]);
        assert_eq!(tx.buyouts(beta).unwrap(), vec![BuyoutRecord { number: 1, ..buyout() }]);
    });
}

/// A proposed change of steward is decided once; it keeps the first decider and their words.
pub fn a_stewardship_is_decided_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta) = write(store, |tx| {
        let (acme, beta) = two(tx);
        tx.insert_stewardship(acme, &handover()).unwrap();
        tx.insert_stewardship(beta, &handover()).unwrap();
        (acme, beta)
    });
    write(store, |tx| {
        assert!(tx.decide_stewardship(acme, 1, "proposed", "accepted", 350, Some(MemberNo(2)), "gladly").unwrap());
        assert!(!tx.decide_stewardship(acme, 1, "proposed", "objected", 351, Some(MemberNo(3)), "no").unwrap(), "no longer proposed");
        assert!(!tx.decide_stewardship(acme, 2, "proposed", "declined", 351, None, "").unwrap(), "no such change");
    });
    read(store, |tx| {
        let accepted = StewardshipRecord {
            number: 1,
            status: "accepted".into(),
            decided_at_ms: Some(350),
            decided_by: Some(MemberNo(2)),
            decision_note: "gladly".into(),
            ..handover()
        };
        assert_eq!(tx.stewardships(acme).unwrap(), vec![accepted]);
        assert_eq!(tx.stewardships(beta).unwrap(), vec![StewardshipRecord { number: 1, ..handover() }]);
    });
}

/// A pending request to join is decided once; one in another venture is not touched.
pub fn a_join_request_is_decided_once(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta, carol) = write(store, |tx| {
        let carol = tx.insert_account("carol", "Carol", "h", 1).unwrap();
        let (acme, beta) = two(tx);
        tx.insert_join_request(acme, carol, "hello", 71).unwrap();
        tx.insert_join_request(beta, carol, "hello", 72).unwrap();
        (acme, beta, carol)
    });
    write(store, |tx| {
        assert!(tx.decide_join_request(acme, carol, false, 80).unwrap());
        assert!(!tx.decide_join_request(acme, carol, true, 81).unwrap(), "no pending request left");
    });
    assert!(!write(store, |tx| tx.decide_join_request(acme, carol, true, 82).unwrap()), "not twice");
    read(store, |tx| {
        let acme_request = &tx.join_requests(acme).unwrap()[0];
        assert_eq!((acme_request.status.as_str(), acme_request.decided_at_ms), ("declined", Some(80)));
        let beta_request = &tx.join_requests(beta).unwrap()[0];
        assert_eq!((beta_request.status.as_str(), beta_request.decided_at_ms), ("pending", None));
    });
}

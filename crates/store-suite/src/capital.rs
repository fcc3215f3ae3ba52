//! Pooled capital ([`peerstake_store::Capital`]): needs, pledges held toward them, the well
//! withdrawals that paid them, the commons-wide registry of goods, the bookings ventures make of
//! goods and the usage logged under a booking. (That each status change resolves once is in
//! [`crate::transitions`].)

use peerstake_core::terms::MemberNo;
use peerstake_store::{AccountId, BookingRecord, GoodRecord, Mode, NeedRecord, PledgeRecord, UsageRecord, VentureId};
use time::Date;
use time::macros::date;

use crate::Factory;
use crate::fixtures::{read, two_accounts_two_ventures, venture, write};

/// A one-off need for a laptop, open, published by member 1.
pub fn laptop() -> NeedRecord {
    NeedRecord {
        number: 0,
        title: "A laptop for the designer".into(),
        description: "14 inch, 32 GB".into(),
        goal_minor: 150_000,
        stretch_minor: None,
        cadence: None,
        periods: 1,
        deadline: date!(2024 - 06 - 30),
        min_pledge_minor: 1_000,
        status: "open".into(),
        created_by: Some(MemberNo(1)),
        created_at_ms: 100,
        resolved_at_ms: None,
    }
}

/// A pledge by an account toward a need, held.
pub fn pledge(need: u32, account: AccountId, amount_minor: i64) -> PledgeRecord {
    PledgeRecord { number: 0, need, account, amount_minor, status: "held".into(), created_at_ms: 200, resolved_at_ms: None, entry_seq: None }
}

/// A laptop owned by an account, available from March 2024, at 5.00 a day.
pub fn good(owner: AccountId, created_at_ms: i64) -> GoodRecord {
    GoodRecord {
        id: 0,
        owner,
        kind: "laptop".into(),
        description: "ThinkPad, 32 GB".into(),
        currency: "EUR".into(),
        rate_minor: 500,
        unit: "day".into(),
        available_from: Some(date!(2024 - 03 - 01)),
        available_until: None,
        availability: "weekday evenings".into(),
        status: "available".into(),
        given_to: None,
        created_at_ms,
    }
}

/// A requested booking of a good for the days given.
pub fn booking(good: i64, starts_on: Date, ends_on: Date) -> BookingRecord {
    BookingRecord {
        number: 0,
        good,
        need: None,
        starts_on,
        ends_on,
        planned_milli: 3_000,
        status: "requested".into(),
        requested_by: Some(MemberNo(1)),
        note: "for the launch".into(),
        created_at_ms: 300,
        decided_at_ms: None,
    }
}

/// Usage of a booking, logged.
pub fn usage(booking: u32, occurred_on: Date) -> UsageRecord {
    UsageRecord {
        number: 0,
        booking,
        occurred_on,
        units_milli: 1_500,
        fee_paid_minor: 0,
        note: "a day and a half".into(),
        status: "logged".into(),
        logged_by: Some(MemberNo(2)),
        entry_seq: None,
        created_at_ms: 400,
        decided_at_ms: None,
    }
}

/// Needs take the venture's next number and read back whole, one-off or recurring, with or
/// without a stretch goal or a publisher.
pub fn needs_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let hosting = NeedRecord {
        title: "Hosting".into(),
        description: String::new(),
        goal_minor: 12 * 2_000,
        stretch_minor: Some(12 * 3_000),
        cadence: Some("monthly".into()),
        periods: 12,
        deadline: date!(2025 - 01 - 31),
        min_pledge_minor: 1,
        created_by: None,
        created_at_ms: 101,
        ..laptop()
    };
    let (acme, beta) = write(store, |tx| {
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        assert_eq!(tx.insert_need(acme, &laptop()).unwrap(), 1);
        assert_eq!(tx.insert_need(acme, &hosting).unwrap(), 2);
        assert_eq!(tx.insert_need(beta, &hosting).unwrap(), 1, "numbers are per venture");
        (acme, beta)
    });
    read(store, |tx| {
        assert_eq!(tx.needs(acme).unwrap(), vec![NeedRecord { number: 1, ..laptop() }, NeedRecord { number: 2, ..hosting.clone() }]);
        assert_eq!(tx.needs(beta).unwrap(), vec![NeedRecord { number: 1, ..hosting }]);
    });
}

/// Pledges take the venture's next number and read back whole, all of them or one need's; a
/// resolved pledge keeps its time and the deposit it was posted as.
pub fn pledges_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta, ann, bob) = write(store, |tx| {
        let (acme, beta, ann, bob) = two_accounts_two_ventures(tx);
        tx.insert_need(acme, &laptop()).unwrap();
        tx.insert_need(acme, &laptop()).unwrap();
        tx.insert_need(beta, &laptop()).unwrap();
        assert_eq!(tx.insert_pledge(acme, &pledge(1, ann, 10_000)).unwrap(), 1);
        assert_eq!(tx.insert_pledge(acme, &pledge(2, bob, 2_500)).unwrap(), 2);
        assert_eq!(tx.insert_pledge(acme, &pledge(1, bob, 5_000)).unwrap(), 3);
        assert_eq!(tx.insert_pledge(beta, &pledge(1, ann, 1)).unwrap(), 1, "numbers are per venture");
        (acme, beta, ann, bob)
    });
    write(store, |tx| {
        assert!(tx.resolve_pledge(acme, 1, "posted", 500, Some(12)).unwrap());
        assert!(tx.resolve_pledge(acme, 3, "released", 501, None).unwrap());
    });
    read(store, |tx| {
        let first = PledgeRecord { number: 1, status: "posted".into(), resolved_at_ms: Some(500), entry_seq: Some(12), ..pledge(1, ann, 10_000) };
        let second = PledgeRecord { number: 2, ..pledge(2, bob, 2_500) };
        let third = PledgeRecord { number: 3, status: "released".into(), resolved_at_ms: Some(501), ..pledge(1, bob, 5_000) };
        assert_eq!(tx.pledges(acme, None).unwrap(), vec![first.clone(), second.clone(), third.clone()]);
        assert_eq!(tx.pledges(acme, Some(1)).unwrap(), vec![first, third]);
        assert_eq!(tx.pledges(acme, Some(2)).unwrap(), vec![second]);
        assert!(tx.pledges(acme, Some(3)).unwrap().is_empty());
        assert_eq!(tx.pledges(beta, None).unwrap(), vec![PledgeRecord { number: 1, ..pledge(1, ann, 1) }]);
    });
}

/// The withdrawals that paid needs are listed as (need, withdrawal) in ledger order.
pub fn need_payments_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta) = write(store, |tx| {
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        tx.insert_need(acme, &laptop()).unwrap();
        tx.insert_need(acme, &laptop()).unwrap();
        tx.insert_need_payment(acme, 1, 9).unwrap();
        tx.insert_need_payment(acme, 2, 4).unwrap();
        tx.insert_need_payment(acme, 1, 6).unwrap();
        (acme, beta)
    });
    read(store, |tx| {
        assert_eq!(tx.need_payments(acme).unwrap(), vec![(2, 4), (1, 6), (1, 9)]);
        assert!(tx.need_payments(beta).unwrap().is_empty());
    });
}

/// Goods are registered commons-wide, each with its own id, listed newest first (all or one
/// owner's), read back whole, locked for a booking, and change status, recording where a given
/// good went.
pub fn goods_registry(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let desk = |owner| GoodRecord {
        kind: "desk".into(),
        description: "standing desk".into(),
        rate_minor: 15_000,
        unit: "month".into(),
        available_from: None,
        available_until: Some(date!(2025 - 12 - 31)),
        availability: String::new(),
        ..good(owner, 11)
    };
    let (acme, ann, bob, laptop_id, desk_id, server_id) = write(store, |tx| {
        let ann = tx.insert_account("ann", "Ann", "h", 1).unwrap();
        let bob = tx.insert_account("bob", "Bob", "h", 1).unwrap();
        let acme = venture(tx, "acme");
        let laptop_id = tx.insert_good(&good(ann, 10)).unwrap();
        let desk_id = tx.insert_good(&desk(bob)).unwrap();
        let server_id = tx.insert_good(&GoodRecord { kind: "server".into(), unit: "hour".into(), ..good(ann, 12) }).unwrap();
        (acme, ann, bob, laptop_id, desk_id, server_id)
    });
    assert!(laptop_id < desk_id && desk_id < server_id, "ids count up");
    let laptop = GoodRecord { id: laptop_id, ..good(ann, 10) };
    let desk = GoodRecord { id: desk_id, ..desk(bob) };
    let server = GoodRecord { id: server_id, kind: "server".into(), unit: "hour".into(), ..good(ann, 12) };
    read(store, |tx| {
        assert_eq!(tx.goods(None).unwrap(), vec![server.clone(), desk.clone(), laptop.clone()]);
        assert_eq!(tx.goods(Some(ann)).unwrap(), vec![server.clone(), laptop.clone()]);
        assert_eq!(tx.goods(Some(bob)).unwrap(), vec![desk.clone()]);
        assert_eq!(tx.good(desk_id).unwrap(), Some(desk.clone()));
        assert!(tx.good(server_id + 1000).unwrap().is_none());
    });
    let mut tx = store.begin(Mode::Write).unwrap();
    assert_eq!(tx.lock_good(laptop_id).unwrap(), Some(laptop.clone()));
    assert!(tx.lock_good(server_id + 1000).unwrap().is_none());
    tx.set_good_status(laptop_id, "given", Some((acme, 17))).unwrap();
    tx.set_good_status(desk_id, "withdrawn", None).unwrap();
    tx.commit().unwrap();
    read(store, |tx| {
        assert_eq!(tx.good(laptop_id).unwrap(), Some(GoodRecord { status: "given".into(), given_to: Some((acme, 17)), ..laptop.clone() }));
        assert_eq!(tx.good(desk_id).unwrap(), Some(GoodRecord { status: "withdrawn".into(), ..desk }));
        assert_eq!(tx.good(server_id).unwrap(), Some(server));
    });
    write(store, |tx| tx.set_good_status(laptop_id, "available", None).unwrap());
    assert_eq!(read(store, |tx| tx.good(laptop_id).unwrap()), Some(laptop), "back, with nowhere it went");
}

/// Bookings take the venture's next number and read back whole; a good's bookings in every
/// venture are listed by their first day.
pub fn bookings_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let for_need = |good_id| BookingRecord {
        need: Some(1),
        status: "accepted".into(),
        requested_by: None,
        decided_at_ms: Some(310),
        ..booking(good_id, date!(2024 - 04 - 01), date!(2024 - 04 - 01))
    };
    let (acme, beta, laptop_id, other_id) = write(store, |tx| {
        let ann = tx.insert_account("ann", "Ann", "h", 1).unwrap();
        let laptop_id = tx.insert_good(&good(ann, 10)).unwrap();
        let other_id = tx.insert_good(&good(ann, 11)).unwrap();
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        tx.insert_need(acme, &laptop()).unwrap();
        assert_eq!(tx.insert_booking(acme, &booking(laptop_id, date!(2024 - 05 - 01), date!(2024 - 05 - 10))).unwrap(), 1);
        assert_eq!(tx.insert_booking(acme, &for_need(laptop_id)).unwrap(), 2);
        assert_eq!(tx.insert_booking(beta, &booking(laptop_id, date!(2024 - 04 - 15), date!(2024 - 04 - 20))).unwrap(), 1, "numbers are per venture");
        assert_eq!(tx.insert_booking(beta, &booking(other_id, date!(2024 - 01 - 01), date!(2024 - 01 - 02))).unwrap(), 2);
        (acme, beta, laptop_id, other_id)
    });
    read(store, |tx| {
        let first = BookingRecord { number: 1, ..booking(laptop_id, date!(2024 - 05 - 01), date!(2024 - 05 - 10)) };
        let second = BookingRecord { number: 2, ..for_need(laptop_id) };
        let betas = BookingRecord { number: 1, ..booking(laptop_id, date!(2024 - 04 - 15), date!(2024 - 04 - 20)) };
        assert_eq!(tx.bookings(acme).unwrap(), vec![first.clone(), second.clone()]);
        assert_eq!(tx.bookings(beta).unwrap().len(), 2);
        assert_eq!(tx.good_bookings(laptop_id).unwrap(), vec![(acme, second), (beta, betas), (acme, first)]);
        assert_eq!(tx.good_bookings(other_id).unwrap().len(), 1);
        assert!(tx.good_bookings(other_id + 1000).unwrap().is_empty());
    });
}

/// Usage takes the venture's next number and reads back whole; a decided usage keeps its time
/// and the capital-use entry it became.
pub fn usages_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let paid = UsageRecord { fee_paid_minor: 250, logged_by: None, note: String::new(), ..usage(1, date!(2024 - 05 - 03)) };
    let (acme, beta): (VentureId, VentureId) = write(store, |tx| {
        let ann = tx.insert_account("ann", "Ann", "h", 1).unwrap();
        let laptop_id = tx.insert_good(&good(ann, 10)).unwrap();
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        tx.insert_booking(acme, &booking(laptop_id, date!(2024 - 05 - 01), date!(2024 - 05 - 10))).unwrap();
        tx.insert_booking(beta, &booking(laptop_id, date!(2024 - 06 - 01), date!(2024 - 06 - 10))).unwrap();
        assert_eq!(tx.insert_usage(acme, &usage(1, date!(2024 - 05 - 02))).unwrap(), 1);
        assert_eq!(tx.insert_usage(acme, &paid).unwrap(), 2);
        assert_eq!(tx.insert_usage(beta, &usage(1, date!(2024 - 06 - 02))).unwrap(), 1, "numbers are per venture");
        (acme, beta)
    });
    write(store, |tx| assert!(tx.decide_usage(acme, 1, "confirmed", 450, Some(21)).unwrap()));
    read(store, |tx| {
        assert_eq!(
            tx.usages(acme).unwrap(),
            vec![
                UsageRecord { number: 1, status: "confirmed".into(), decided_at_ms: Some(450), entry_seq: Some(21), ..usage(1, date!(2024 - 05 - 02)) },
                UsageRecord { number: 2, ..paid }
            ]
        );
        assert_eq!(tx.usages(beta).unwrap(), vec![UsageRecord { number: 1, ..usage(1, date!(2024 - 06 - 02)) }]);
    });
}

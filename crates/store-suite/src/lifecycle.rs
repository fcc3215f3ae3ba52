//! A venture's later life ([`peerstake_store::Lifecycle`]): members leaving and changing role,
//! when a member was last active, departures, buyouts, changes of steward, freezes with their
//! votes and cap tables, income, distributions with their payouts, and each member's slices.
//! (That each status change resolves once is in [`crate::transitions`].)

use peerstake_core::kind::{Class, Kind};
use peerstake_core::replay::{Bucket, BucketKey};
use peerstake_core::terms::MemberNo;
use peerstake_store::{
    BuyoutRecord, CapTableLine, CommentSubject, DepartureRecord, DistributionRecord, FreezeRecord, FreezeVoteRecord, IncomeRecord, MemberRecord, NewComment,
    Payout, StewardshipRecord, VentureId,
};
use time::macros::date;

use crate::Factory;
use crate::fixtures::{entry, member, read, venture, write};

/// A departure of a member, with no ledger entry.
pub fn departure(member: u32) -> DepartureRecord {
    DepartureRecord {
        number: 0,
        member: MemberNo(member),
        case: "fired-for-good-reason".into(),
        justification: "missed every meeting".into(),
        departed_on: date!(2024 - 06 - 30),
        entry_seq: None,
        recorded_by: Some(MemberNo(1)),
        recorded_at_ms: 100,
    }
}

/// An offered buyout of member 2's slices by the venture.
pub fn buyout() -> BuyoutRecord {
    BuyoutRecord {
        number: 0,
        member: MemberNo(2),
        forced: false,
        buyer: None,
        slices_minor: 12_345,
        price_per_slice_minor: 150,
        amount_minor: 18_517,
        status: "offered".into(),
        offered_by: Some(MemberNo(1)),
        offered_at_ms: 200,
        decided_at_ms: None,
        entry_seq: None,
        clawback_until: None,
    }
}

/// Accepts buyout 1 of `venture` at 250 ms as entry 10, with a claw-back window until 30 June
/// 2025, as [`accepted_buyout`] reads back; true when it was still offered.
pub fn accept_buyout(tx: &mut dyn peerstake_store::Transaction, venture: VentureId) -> bool {
    tx.decide_buyout(venture, 1, "offered", "accepted", 250, Some(10), Some(date!(2025 - 06 - 30))).unwrap()
}

/// [`buyout`] numbered 1 as [`accept_buyout`] leaves it.
pub fn accepted_buyout() -> BuyoutRecord {
    BuyoutRecord {
        number: 1,
        status: "accepted".into(),
        decided_at_ms: Some(250),
        entry_seq: Some(10),
        clawback_until: Some(date!(2025 - 06 - 30)),
        ..buyout()
    }
}

/// A proposed handover of the steward role from member 1 to member 2.
pub fn handover() -> StewardshipRecord {
    StewardshipRecord {
        number: 0,
        kind: "handover".into(),
        from: Some(MemberNo(1)),
        to_member: Some(MemberNo(2)),
        to_account: None,
        message: "over to you".into(),
        status: "proposed".into(),
        notice_until: None,
        created_at_ms: 300,
        decided_at_ms: None,
        decided_by: None,
        decision_note: String::new(),
    }
}

/// A proposed freeze at break-even into a million shares, proposed by member 1.
pub fn freeze() -> FreezeRecord {
    FreezeRecord {
        number: 0,
        reason: "break-even".into(),
        note: "we made it".into(),
        total_shares: 1_000_000,
        issued: Vec::new(),
        status: "proposed".into(),
        proposed_by: MemberNo(1),
        proposed_at_ms: 400,
        head: None,
        frozen_on: None,
        frozen_at_ms: None,
        unfreeze_proposed_at_ms: None,
        unfrozen_at_ms: None,
    }
}

/// Revenue received, recorded by member 1.
pub fn income() -> IncomeRecord {
    IncomeRecord {
        number: 0,
        kind: "revenue".into(),
        amount_minor: 1_000_000,
        received_on: date!(2024 - 09 - 01),
        note: "first customer".into(),
        valuation_minor: None,
        recorded_by: Some(MemberNo(1)),
        recorded_at_ms: 500,
    }
}

/// A distribution of the current split to the payouts given, posted by member 1.
pub fn distribution(payouts: Vec<Payout>) -> DistributionRecord {
    DistributionRecord {
        number: 0,
        amount_minor: payouts.iter().map(|p| p.amount_minor).sum(),
        basis: "split".into(),
        freeze: None,
        head_seq: 41,
        total_weight: payouts.iter().map(|p| p.weight).sum::<i64>().max(1),
        paid_on: date!(2024 - 10 - 01),
        note: "first payout".into(),
        posted_by: Some(MemberNo(1)),
        posted_at_ms: 600,
        payouts,
    }
}

fn with_members(tx: &mut dyn peerstake_store::Transaction, slug: &str) -> VentureId {
    let id = venture(tx, slug);
    for (no, handle) in [(1, "ann"), (2, "bob"), (3, "cat")] {
        tx.insert_member(id, &member(no, handle)).unwrap();
    }
    id
}

/// A member's departure day and role change in place, moving the book version, and touch no
/// other member; a departure can be undone.
pub fn members_depart_and_change_role(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let acme = write(store, |tx| with_members(tx, "acme"));
    let before = read(store, |tx| tx.venture_by_slug("acme").unwrap().unwrap().book_version);
    write(store, |tx| tx.set_member_departed(acme, MemberNo(2), Some(date!(2024 - 06 - 30))).unwrap());
    let departed = read(store, |tx| {
        let members = tx.members(acme).unwrap();
        assert_eq!(members[1], MemberRecord { departed_on: Some(date!(2024 - 06 - 30)), ..member(2, "bob") });
        assert_eq!((members[0].departed_on, members[2].departed_on), (None, None));
        tx.venture_by_slug("acme").unwrap().unwrap().book_version
    });
    assert!(departed > before, "a departure changes the book");
    write(store, |tx| tx.set_member_role(acme, MemberNo(3), "steward").unwrap());
    let promoted = read(store, |tx| {
        let members = tx.members(acme).unwrap();
        assert_eq!(members[2], MemberRecord { role: "steward".into(), ..member(3, "cat") });
        assert_eq!(members[0].role, "member");
        tx.venture_by_slug("acme").unwrap().unwrap().book_version
    });
    assert!(promoted > departed, "a change of role changes the book");
    write(store, |tx| tx.set_member_departed(acme, MemberNo(2), None).unwrap());
    assert_eq!(read(store, |tx| tx.members(acme).unwrap()[1].departed_on), None, "back again");
}

/// A member was last active at the latest of: joining, an entry or comment they wrote, a change
/// of steward they handed over or decided, a freeze vote, income they recorded or a
/// distribution they posted. Older activity does not move it back; another member's does not
/// move it at all.
pub fn member_last_active(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let acme = write(store, |tx| with_members(tx, "acme"));
    let ann = MemberNo(1);
    let last = || read(store, |tx| tx.member_last_active(acme, ann).unwrap());
    assert_eq!(last(), Some(2), "joining");
    assert_eq!(read(store, |tx| tx.member_last_active(acme, MemberNo(9)).unwrap()), None, "not a member");

    write(store, |tx| tx.insert_entries(acme, &[entry(1, date!(2024 - 03 - 01), vec![])]).unwrap());
    assert_eq!(last(), Some(1001), "an entry ann wrote");
    let comment = |author: u32, at_ms| NewComment { subject: CommentSubject::Entry(1), reply_to: None, author: MemberNo(author), body: "x".into(), at_ms };
    write(store, |tx| tx.insert_comment(acme, &comment(1, 2000)).unwrap());
    assert_eq!(last(), Some(2000), "a comment");
    write(store, |tx| tx.insert_stewardship(acme, &StewardshipRecord { created_at_ms: 3000, ..handover() }).unwrap());
    assert_eq!(last(), Some(3000), "a handover");
    write(store, |tx| {
        let number =
            tx.insert_stewardship(acme, &StewardshipRecord { from: Some(MemberNo(2)), to_member: Some(ann), created_at_ms: 3100, ..handover() }).unwrap();
        assert!(tx.decide_stewardship(acme, number, "proposed", "accepted", 3500, Some(ann), "gladly").unwrap());
    });
    assert_eq!(last(), Some(3500), "deciding a change of steward");
    write(store, |tx| {
        let number = tx.insert_freeze(acme, &freeze()).unwrap();
        tx.insert_freeze_vote(acme, number, &FreezeVoteRecord { round: "freeze".into(), member: ann, approve: true, at_ms: 4000 }).unwrap();
    });
    assert_eq!(last(), Some(4000), "a freeze vote");
    write(store, |tx| tx.insert_income(acme, &IncomeRecord { recorded_at_ms: 5000, ..income() }).unwrap());
    assert_eq!(last(), Some(5000), "income recorded");
    write(store, |tx| {
        tx.insert_distribution(
            acme,
            &DistributionRecord { posted_at_ms: 6000, ..distribution(vec![Payout { member: MemberNo(2), weight: 1, amount_minor: 1 }]) },
        )
        .unwrap()
    });
    assert_eq!(last(), Some(6000), "a distribution posted");
    write(store, |tx| {
        tx.insert_comment(acme, &comment(1, 100)).unwrap();
        tx.insert_comment(acme, &comment(3, 7000)).unwrap();
    });
    assert_eq!(last(), Some(6000), "older activity, or another member's, does not move it");
    assert_eq!(read(store, |tx| tx.member_last_active(acme, MemberNo(3)).unwrap()), Some(7000));
}

/// Departures take the venture's next number and read back whole.
pub fn departures_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let with_entry = DepartureRecord {
        case: "quit-without-good-reason".into(),
        justification: String::new(),
        entry_seq: Some(7),
        recorded_by: None,
        departed_on: date!(2024 - 07 - 15),
        ..departure(3)
    };
    let (acme, beta) = write(store, |tx| {
        let acme = with_members(tx, "acme");
        let beta = with_members(tx, "beta");
        assert_eq!(tx.insert_departure(acme, &departure(2)).unwrap(), 1);
        assert_eq!(tx.insert_departure(acme, &with_entry).unwrap(), 2);
        assert_eq!(tx.insert_departure(beta, &departure(2)).unwrap(), 1, "numbers are per venture");
        (acme, beta)
    });
    read(store, |tx| {
        assert_eq!(tx.departures(acme).unwrap(), vec![DepartureRecord { number: 1, ..departure(2) }, DepartureRecord { number: 2, ..with_entry }]);
        assert_eq!(tx.departures(beta).unwrap().len(), 1);
    });
}

/// Buyouts take the venture's next number and read back whole, forced or offered, by the
/// venture or a member; an accepted offer keeps its entry and claw-back window.
pub fn buyouts_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let forced = BuyoutRecord {
        member: MemberNo(3),
        forced: true,
        buyer: Some(MemberNo(1)),
        price_per_slice_minor: 0,
        amount_minor: 0,
        status: "accepted".into(),
        offered_by: None,
        decided_at_ms: Some(200),
        entry_seq: Some(9),
        ..buyout()
    };
    let acme = write(store, |tx| {
        let acme = with_members(tx, "acme");
        assert_eq!(tx.insert_buyout(acme, &buyout()).unwrap(), 1);
        assert_eq!(tx.insert_buyout(acme, &forced).unwrap(), 2);
        acme
    });
    write(store, |tx| assert!(accept_buyout(tx, acme)));
    read(store, |tx| assert_eq!(tx.buyouts(acme).unwrap(), vec![accepted_buyout(), BuyoutRecord { number: 2, ..forced }]));
}

/// Changes of steward take the venture's next number and read back whole, handovers and
/// adoptions alike; a decision keeps who took it and what they said.
pub fn stewardships_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, carol) = write(store, |tx| {
        let carol = tx.insert_account("carol", "Carol", "h", 1).unwrap();
        (with_members(tx, "acme"), carol)
    });
    let adoption = StewardshipRecord {
        kind: "adoption".into(),
        from: None,
        to_member: None,
        to_account: Some(carol),
        message: "the stewards are gone".into(),
        notice_until: Some(date!(2024 - 12 - 31)),
        created_at_ms: 301,
        ..handover()
    };
    write(store, |tx| {
        assert_eq!(tx.insert_stewardship(acme, &handover()).unwrap(), 1);
        assert_eq!(tx.insert_stewardship(acme, &adoption).unwrap(), 2);
        assert!(tx.decide_stewardship(acme, 1, "proposed", "declined", 350, Some(MemberNo(2)), "not now").unwrap());
    });
    read(store, |tx| {
        assert_eq!(
            tx.stewardships(acme).unwrap(),
            vec![
                StewardshipRecord {
                    number: 1,
                    status: "declined".into(),
                    decided_at_ms: Some(350),
                    decided_by: Some(MemberNo(2)),
                    decision_note: "not now".into(),
                    ..handover()
                },
                StewardshipRecord { number: 2, ..adoption }
            ]
        );
    });
}

/// A freeze reads back whole with the shares issued at the start; freezing stamps the head and
/// the day; votes are kept per round in the order cast, and opening a new unfreeze round clears
/// that round's votes; unfreezing stamps its time and closes the round; the cap table reads
/// back by member.
pub fn freezes_votes_and_cap_tables(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let planned = FreezeRecord { reason: "funding-round".into(), issued: vec![(MemberNo(1), 600_000), (MemberNo(3), 5)], ..freeze() };
    let vote = |round: &str, member: u32, approve: bool, at_ms: i64| FreezeVoteRecord { round: round.into(), member: MemberNo(member), approve, at_ms };
    let hash = "ab".repeat(32);
    let lines = vec![
        CapTableLine { member: MemberNo(1), slices_minor: 60_000, shares: 600_000, issued: 600_000, buy_back: 0, issue: 0 },
        CapTableLine { member: MemberNo(2), slices_minor: 39_999, shares: 399_995, issued: 0, buy_back: 0, issue: 399_995 },
        CapTableLine { member: MemberNo(3), slices_minor: 1, shares: 5, issued: 5, buy_back: 0, issue: 0 },
    ];
    let acme = write(store, |tx| {
        let acme = with_members(tx, "acme");
        assert_eq!(tx.insert_freeze(acme, &freeze()).unwrap(), 1);
        assert_eq!(tx.insert_freeze(acme, &planned).unwrap(), 2);
        for cast in [vote("freeze", 2, true, 10), vote("freeze", 3, false, 11), vote("freeze", 1, true, 12)] {
            tx.insert_freeze_vote(acme, 2, &cast).unwrap();
        }
        assert!(tx.set_freeze_status(acme, 2, "proposed", "frozen", 450, Some((41, hash.as_str())), Some(date!(2024 - 09 - 30))).unwrap());
        tx.insert_cap_table(acme, 2, &[lines[2], lines[0], lines[1]]).unwrap();
        acme
    });
    let frozen = FreezeRecord {
        number: 2,
        status: "frozen".into(),
        head: Some((41, hash.clone())),
        frozen_on: Some(date!(2024 - 09 - 30)),
        frozen_at_ms: Some(450),
        ..planned
    };
    read(store, |tx| {
        assert_eq!(tx.freezes(acme).unwrap(), vec![FreezeRecord { number: 1, ..freeze() }, frozen.clone()]);
        assert_eq!(tx.freeze_votes(acme, 2, "freeze").unwrap(), vec![vote("freeze", 2, true, 10), vote("freeze", 3, false, 11), vote("freeze", 1, true, 12)]);
        assert!(tx.freeze_votes(acme, 1, "freeze").unwrap().is_empty());
        assert_eq!(tx.cap_table(acme, 2).unwrap(), lines);
        assert!(tx.cap_table(acme, 1).unwrap().is_empty());
    });

    write(store, |tx| {
        tx.set_unfreeze_proposed(acme, 2, Some(500)).unwrap();
        tx.insert_freeze_vote(acme, 2, &vote("unfreeze", 1, true, 510)).unwrap();
    });
    read(store, |tx| {
        assert_eq!(tx.freezes(acme).unwrap()[1].unfreeze_proposed_at_ms, Some(500));
        assert_eq!(tx.freeze_votes(acme, 2, "unfreeze").unwrap(), vec![vote("unfreeze", 1, true, 510)]);
    });
    write(store, |tx| {
        tx.set_unfreeze_proposed(acme, 2, None).unwrap();
        tx.set_unfreeze_proposed(acme, 2, Some(600)).unwrap();
    });
    read(store, |tx| {
        assert!(tx.freeze_votes(acme, 2, "unfreeze").unwrap().is_empty(), "a new round starts with no votes");
        assert_eq!(tx.freeze_votes(acme, 2, "freeze").unwrap().len(), 3, "the freeze round's votes stay");
        assert_eq!(tx.freezes(acme).unwrap()[1].unfreeze_proposed_at_ms, Some(600));
    });
    write(store, |tx| {
        tx.insert_freeze_vote(acme, 2, &vote("unfreeze", 2, true, 610)).unwrap();
        assert!(tx.set_freeze_status(acme, 2, "frozen", "unfrozen", 700, None, None).unwrap());
    });
    read(store, |tx| {
        assert_eq!(tx.freezes(acme).unwrap()[1], FreezeRecord { status: "unfrozen".into(), unfrozen_at_ms: Some(700), ..frozen });
        assert_eq!(tx.cap_table(acme, 2).unwrap(), lines, "the cap table stays");
    });
}

/// Income takes the venture's next number and reads back whole, revenue or a sale with the
/// venture's valuation.
pub fn incomes_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let sale = IncomeRecord { kind: "sale".into(), valuation_minor: Some(200_000_000), recorded_by: None, note: String::new(), ..income() };
    let (acme, beta) = write(store, |tx| {
        let acme = with_members(tx, "acme");
        let beta = venture(tx, "beta");
        assert_eq!(tx.insert_income(acme, &income()).unwrap(), 1);
        assert_eq!(tx.insert_income(acme, &sale).unwrap(), 2);
        (acme, beta)
    });
    read(store, |tx| {
        assert_eq!(tx.incomes(acme).unwrap(), vec![IncomeRecord { number: 1, ..income() }, IncomeRecord { number: 2, ..sale }]);
        assert!(tx.incomes(beta).unwrap().is_empty());
    });
}

/// Distributions take the venture's next number and read back whole with every payout (a
/// thousand holders are one record); the summary counts them and sums their amounts; members'
/// slices are summed over their buckets, listed by member when positive.
pub fn distributions_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let small = distribution(vec![
        Payout { member: MemberNo(1), weight: 60_000, amount_minor: 600 },
        Payout { member: MemberNo(2), weight: 40_000, amount_minor: 400 },
    ]);
    let many: Vec<Payout> = (1..=1_000).map(|n| Payout { member: MemberNo(n), weight: i64::from(n) * 1_000_003, amount_minor: i64::from(n % 7) }).collect();
    let by_cap_table = DistributionRecord { basis: "cap-table".into(), freeze: Some(1), head_seq: 0, posted_by: None, ..distribution(many) };
    let slices = |member: u32, kind: Kind, class: Class, slices_minor: i64| {
        (BucketKey { member: MemberNo(member), kind, class }, Bucket { fmv_minor: 0, slices_minor, well_minor: 0 })
    };
    let (acme, beta) = write(store, |tx| {
        let acme = with_members(tx, "acme");
        let beta = venture(tx, "beta");
        assert_eq!(tx.distribution_summary(acme).unwrap(), (0, 0));
        assert_eq!(tx.insert_distribution(acme, &small).unwrap(), 1);
        assert_eq!(tx.insert_distribution(acme, &by_cap_table).unwrap(), 2);
        tx.add_totals(
            acme,
            &[
                slices(2, Kind::Time, Class::NonCash, 300),
                slices(1, Kind::Time, Class::NonCash, 100),
                slices(1, Kind::Cash, Class::Cash, 50),
                slices(3, Kind::Time, Class::NonCash, 10),
                slices(3, Kind::Cash, Class::Cash, -10),
                slices(4, Kind::Time, Class::NonCash, -5),
            ],
        )
        .unwrap();
        (acme, beta)
    });
    read(store, |tx| {
        assert_eq!(
            tx.distributions(acme).unwrap(),
            vec![DistributionRecord { number: 1, ..small.clone() }, DistributionRecord { number: 2, ..by_cap_table.clone() }]
        );
        assert_eq!(tx.distribution_summary(acme).unwrap(), (2, small.amount_minor + by_cap_table.amount_minor));
        assert_eq!(tx.distribution_summary(beta).unwrap(), (0, 0));
        assert!(tx.distributions(beta).unwrap().is_empty());
        assert_eq!(tx.member_slices(acme).unwrap(), vec![(MemberNo(1), 150), (MemberNo(2), 300)]);
        assert!(tx.member_slices(beta).unwrap().is_empty());
    });
}

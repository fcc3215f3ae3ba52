//! Pooled capital: needs met all or nothing by pledges, the well they fill and what spending it
//! earns, lent goods booked, used and confirmed, and goods given outright.

use peerstake_app::access::Account;

use peerstake_app::accounts::SignUp;
use peerstake_app::capital::{PayNeed, PledgeRequest, PublishNeed};
use peerstake_app::goods::{BookGood, GiveGood, LogUsage, RegisterGood};
use peerstake_app::journal::LogRequest;
use peerstake_app::talk::{AddComment, Subject};
use peerstake_app::{Commons, Now};
use proptest::prelude::*;
use time::Date;
use time::macros::date;

use crate::harness::*;

const DAY: Date = date!(2025 - 06 - 02);

fn now() -> Now {
    at(DAY)
}

fn person(commons: &Commons, username: &str) -> Account {
    commons.sign_up(&SignUp { username: username.into(), display_name: String::new(), password: format!("{username}-long-password") }, now()).unwrap()
}

fn need(commons: &Commons, title: &str, amount: &str, stretch: &str, deadline: Date) -> u32 {
    let request = PublishNeed {
        venture: "pie".into(),
        title: title.into(),
        amount: amount.into(),
        stretch: stretch.into(),
        min_pledge: "5".into(),
        deadline: Some(deadline),
        by: Some("ana".into()),
        ..PublishNeed::default()
    };
    commons.publish_need(&request, now()).unwrap().record.number
}

fn pledge(commons: &Commons, need: u32, account: &Account, amount: &str, when: Now) -> Result<peerstake_app::capital::PledgeOutcome, peerstake_app::AppError> {
    commons.pledge(&PledgeRequest { venture: "pie".into(), need, account: account.id, amount: amount.into(), idempotency_key: None }, when)
}

fn slices_of(commons: &Commons, handle: &str) -> String {
    let report = commons.split("pie", &Default::default()).unwrap();
    report.lines.iter().find(|l| l.member.handle == handle).map(|l| report.currency.format(l.figures.slices_minor)).unwrap_or_default()
}

#[test]
fn a_need_is_met_all_or_nothing_and_its_payment_earns_the_backers_cash_slices() {
    on_every_backend(|db, commons| {
        small_venture(commons);
        let backers = [person(commons, "gus"), person(commons, "hal"), person(commons, "ivy")];
        let laptop = need(commons, "A laptop for the designer", "100", "", date!(2025 - 06 - 30));
        let (before, _) = head(commons);

        let first = pledge(commons, laptop, &backers[0], "30", now()).unwrap();
        assert_eq!((first.pledge.status.as_str(), first.need.percent()), ("held", 30));
        assert!(first.posted.is_empty(), "a hold posts nothing");
        assert_eq!(head(commons).0, before, "holds are not in the ledger");
        // Below the minimum while more remains: refused, nothing written.
        assert_eq!(code(pledge(commons, laptop, &backers[1], "4.99", now())), "invalid_input");
        pledge(commons, laptop, &backers[1], "30", now()).unwrap();
        // 50 asked, 40 remain: capped, and the goal is met; every hold posts at once.
        let last = pledge(commons, laptop, &backers[2], "50", now()).unwrap();
        assert_eq!((last.asked_minor, last.pledge.amount_minor), (5_000, 4_000), "{}", db.backend);
        assert_eq!(last.need.record.status, "met");
        assert_eq!(last.posted.len(), 3);
        assert_eq!(head(commons).0, before + 3);
        let (view, pledges) = commons.need("pie", laptop, now()).unwrap();
        assert_eq!((view.posted_minor, view.held_minor, view.backers), (10_000, 0, 3));
        assert!(pledges.iter().all(|p| p.record.status == "posted" && p.record.entry_seq.is_some()));
        // A met need with no stretch goal takes no more.
        assert_eq!(code(pledge(commons, laptop, &backers[0], "10", now())), "invalid_input");

        // The backers are members now, each with their deposit in the well and no slices yet.
        let well = commons.well("pie").unwrap();
        assert_eq!((well.balance_minor, well.deposited_minor), (10_000, 10_000));
        let depositors: Vec<(String, i64)> = well.depositors.iter().map(|d| (d.handle.clone(), d.balance_minor)).collect();
        assert_eq!(depositors, vec![("gus".into(), 3_000), ("hal".into(), 3_000), ("ivy".into(), 4_000)]);
        assert_eq!(slices_of(commons, "gus"), "0.00");

        // Paying more than the need is refused; paying it turns the well into cash slices ×4.
        let pay = |amount: &str| PayNeed { venture: "pie".into(), need: laptop, amount: amount.into(), by: Some("ana".into()), idempotency_key: None };
        assert_eq!(code(commons.pay_need(&pay("100.01"), now())), "invalid_input");
        let withdrawal = commons.pay_need(&pay(""), now()).unwrap();
        assert_eq!(withdrawal.entry.fmv_minor, 10_000);
        assert_eq!(slices_of(commons, "gus"), "120.00");
        assert_eq!(slices_of(commons, "ivy"), "160.00");
        assert_eq!(code(commons.pay_need(&pay("1"), now())), "invalid_input", "paid in full");

        // Each member's statement traces their share to the withdrawal.
        let ivy = commons.member_well("pie", "ivy").unwrap();
        assert_eq!((ivy.deposited_minor, ivy.spent_minor, ivy.slices_minor, ivy.balance_minor), (4_000, 4_000, 16_000, 0));
        let spending = ivy.movements.last().unwrap();
        assert_eq!((spending.seq, spending.change_minor, spending.need), (withdrawal.entry.seq, -4_000, Some(laptop)));

        // Who covered the laptop.
        let costs = commons.shared_costs("pie").unwrap();
        let laptop_costs = costs.needs.iter().find(|n| n.need.number == laptop).unwrap();
        let shares: Vec<(String, i64)> = laptop_costs.shares.iter().map(|s| (s.handle.clone(), s.cash_minor)).collect();
        assert_eq!(shares, vec![("gus".into(), 3_000), ("hal".into(), 3_000), ("ivy".into(), 4_000)]);
        assert_eq!(costs.months.iter().map(|m| m.month.as_str()).collect::<Vec<_>>(), vec!["2025-06"]);

        // People talk about needs like anything else.
        commons
            .add_comment(
                &AddComment { venture: "pie".into(), subject: Subject::Need(laptop), author: "ana".into(), body: "Ordered today.".into(), reply_to: None },
                now(),
            )
            .unwrap();
        assert_eq!(
            code(
                commons.add_comment(
                    &AddComment { venture: "pie".into(), subject: Subject::Need(99), author: "ana".into(), body: "?".into(), reply_to: None },
                    now()
                )
            ),
            "not_found"
        );
        assert!(commons.verify("pie").unwrap().differences.is_empty());
    });
}

#[test]
fn an_unmet_need_releases_every_hold_at_its_deadline() {
    on_every_backend(|_, commons| {
        small_venture(commons);
        let gus = person(commons, "gus");
        let hosting = commons
            .publish_need(
                &PublishNeed {
                    venture: "pie".into(),
                    title: "Hosting".into(),
                    amount: "40".into(),
                    cadence: "monthly".into(),
                    periods: 6,
                    deadline: Some(date!(2025 - 06 - 10)),
                    ..PublishNeed::default()
                },
                now(),
            )
            .unwrap();
        assert_eq!((hosting.record.goal_minor, hosting.period_minor()), (24_000, 4_000));
        let number = hosting.record.number;
        pledge(commons, number, &gus, "100", now()).unwrap();
        let (before, _) = head(commons);
        // On the deadline itself pledges are still taken.
        pledge(commons, number, &gus, "20", at(date!(2025 - 06 - 10))).unwrap();
        let after = at(date!(2025 - 06 - 11));
        assert_eq!(code(pledge(commons, number, &gus, "20", after)), "invalid_input");
        let (view, pledges) = commons.need("pie", number, after).unwrap();
        assert_eq!((view.record.status.as_str(), view.held_minor, view.posted_minor), ("unmet", 0, 0));
        assert!(pledges.iter().all(|p| p.record.status == "released" && p.record.entry_seq.is_none()));
        assert_eq!(head(commons).0, before, "nothing was taken");
        assert_eq!(commons.settle_needs("pie", after).unwrap(), 0, "a hold resolves once");

        // Bad input changes nothing.
        let base =
            PublishNeed { venture: "pie".into(), title: "X".into(), amount: "10".into(), deadline: Some(date!(2025 - 07 - 01)), ..PublishNeed::default() };
        let bad = |request: PublishNeed| code(commons.publish_need(&request, now()));
        assert_eq!(bad(PublishNeed { deadline: Some(date!(2025 - 06 - 01)), ..base.clone() }), "date_out_of_range");
        assert_eq!(bad(PublishNeed { stretch: "10".into(), ..base.clone() }), "invalid_input");
        assert_eq!(bad(PublishNeed { cadence: "daily".into(), ..base.clone() }), "invalid_input");
        assert_eq!(bad(PublishNeed { periods: 3, ..base.clone() }), "invalid_input");
        assert_eq!(bad(PublishNeed { amount: "-5".into(), ..base.clone() }), "negative_amount");
        assert_eq!(bad(PublishNeed { min_pledge: "11".into(), ..base }), "invalid_input");
        assert_eq!(commons.needs("pie", after).unwrap().len(), 1);
    });
}

#[test]
fn a_stretch_goal_takes_pledges_past_the_goal_and_a_cancelled_need_releases_its_holds() {
    on_every_backend(|_, commons| {
        small_venture(commons);
        let (gus, hal) = (person(commons, "gus"), person(commons, "hal"));
        let number = need(commons, "Trademark filing", "50", "80", date!(2025 - 06 - 30));
        pledge(commons, number, &gus, "50", now()).unwrap();
        let more = pledge(commons, number, &hal, "50", now()).unwrap();
        // Met already: the stretch pledge posts at once, capped at the stretch goal.
        assert_eq!((more.pledge.status.as_str(), more.pledge.amount_minor, more.posted.len()), ("posted", 3_000, 1));
        assert_eq!(more.need.stretch_percent(), Some(100));
        assert_eq!(code(pledge(commons, number, &gus, "5", now())), "invalid_input", "fully pledged");

        let other = need(commons, "A desk", "300", "", date!(2025 - 06 - 30));
        pledge(commons, other, &gus, "10", now()).unwrap();
        let cancelled = commons.cancel_need("pie", other, now()).unwrap();
        assert_eq!((cancelled.record.status.as_str(), cancelled.held_minor), ("cancelled", 0));
        assert_eq!(code(commons.cancel_need("pie", other, now())), "invalid_input");
    });
}

#[test]
fn racing_pledges_never_overfund_a_need_and_every_hold_resolves_once() {
    on_every_backend(|db, commons| {
        small_venture(commons);
        let people: Vec<Account> = (0..8).map(|n| person(commons, &format!("racer{n}"))).collect();
        let number = need(commons, "Server", "100", "", date!(2025 - 06 - 30));
        let outcomes: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = people.iter().map(|account| scope.spawn(move || pledge(commons, number, account, "30", now()))).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let taken: i64 = outcomes.iter().filter_map(|o| o.as_ref().ok()).map(|o| o.pledge.amount_minor).sum();
        assert_eq!(taken, 10_000, "exactly the goal on {}: {outcomes:?}", db.backend);
        // Three full pledges and one capped at 10; the rest find the need met.
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 4);
        let (view, pledges) = commons.need("pie", number, now()).unwrap();
        assert_eq!((view.record.status.as_str(), view.posted_minor, view.held_minor), ("met", 10_000, 0));
        let mut seqs: Vec<u64> = pledges.iter().map(|p| p.record.entry_seq.unwrap()).collect();
        seqs.sort();
        seqs.dedup();
        assert_eq!(seqs.len(), 4, "one deposit per pledge");
        assert_eq!(commons.well("pie").unwrap().balance_minor, 10_000);
        assert!(commons.verify("pie").unwrap().differences.is_empty());
    });
}

#[test]
fn lent_goods_are_booked_without_overlap_used_confirmed_and_can_meet_a_need() {
    on_every_backend(|_, commons| {
        small_venture(commons);
        let (owner, stranger, gus) = (person(commons, "olga"), person(commons, "sam"), person(commons, "gus"));
        let desk = commons
            .register_good(
                &RegisterGood {
                    account: owner.id,
                    kind: "Desk".into(),
                    description: "A desk by the window".into(),
                    currency: "EUR".into(),
                    rate: "100".into(),
                    unit: "month".into(),
                    ..RegisterGood::default()
                },
                now(),
            )
            .unwrap();
        assert_eq!((desk.record.kind.as_str(), desk.owner.as_str()), ("desk", "olga"));
        let desk_need = need(commons, "A desk for 3 months", "300", "", date!(2025 - 06 - 30));
        pledge(commons, desk_need, &gus, "20", now()).unwrap();
        let book = |from: Date, until: Date| BookGood {
            venture: "pie".into(),
            good: desk.record.id,
            starts_on: Some(from),
            ends_on: Some(until),
            need: Some(desk_need),
            by: Some("ana".into()),
            ..BookGood::default()
        };
        let booking = commons.book_good(&book(date!(2025 - 07 - 01), date!(2025 - 09 - 30)), now()).unwrap();
        assert_eq!((booking.record.planned_milli, booking.value_minor, booking.record.status.as_str()), (3_000, 30_000, "requested"));
        // Overlapping bookings of one good are refused, before and after acceptance.
        assert_eq!(code(commons.book_good(&book(date!(2025 - 09 - 30), date!(2025 - 10 - 31)), now())), "already_exists");
        // Only the owner answers; accepting covers the need, so its hold posts.
        assert_eq!(code(commons.decide_booking(stranger.id, "pie", booking.record.number, true, now())), "forbidden");
        let accepted = commons.decide_booking(owner.id, "pie", booking.record.number, true, now()).unwrap();
        assert_eq!(accepted.record.status, "accepted");
        let (view, _) = commons.need("pie", desk_need, now()).unwrap();
        assert_eq!((view.record.status.as_str(), view.goods_minor, view.posted_minor), ("met", 30_000, 2_000));
        assert_eq!(code(commons.book_good(&book(date!(2025 - 08 - 01), date!(2025 - 08 - 02)), now())), "already_exists");

        // Use is logged within the booking and confirmed by the owner: capital use ×2.
        let july = at(date!(2025 - 07 - 31));
        let usage = |units: &str, on: Date| LogUsage {
            venture: "pie".into(),
            booking: booking.record.number,
            occurred_on: Some(on),
            units: units.into(),
            fee_paid: "20".into(),
            by: Some("ben".into()),
            ..LogUsage::default()
        };
        assert_eq!(code(commons.log_usage(&usage("1", date!(2025 - 06 - 30)), july)), "date_out_of_range");
        let logged = commons.log_usage(&usage("1", date!(2025 - 07 - 31)), july).unwrap();
        assert_eq!((logged.record.status.as_str(), logged.value_minor), ("logged", 10_000));
        assert_eq!(code(commons.decide_usage(stranger.id, "pie", logged.record.number, true, july)), "forbidden");
        let confirmed = commons.decide_usage(owner.id, "pie", logged.record.number, true, july).unwrap();
        let seq = confirmed.record.entry_seq.unwrap();
        let entry = commons.ledger("pie", &Default::default()).unwrap().entries.into_iter().find(|e| e.entry.seq == seq).unwrap().entry;
        // (1 month × 100 − 20 paid) × 2.
        assert_eq!((entry.tag.as_str(), entry.fmv_minor, entry.slices_minor, entry.member.is_some()), ("capital-use", 8_000, 16_000, true));
        assert_eq!(slices_of(commons, "olga"), "160.00");
        assert_eq!(code(commons.decide_usage(owner.id, "pie", logged.record.number, false, july)), "invalid_input", "answered once");
        let declined = commons.log_usage(&usage("0.5", date!(2025 - 07 - 15)), july).unwrap();
        assert_eq!(commons.decide_usage(owner.id, "pie", declined.record.number, false, july).unwrap().record.entry_seq, None);

        // The desk's cost, spread: the owner covered it in goods.
        let costs = commons.shared_costs("pie").unwrap();
        let desk_costs = costs.needs.iter().find(|n| n.need.number == desk_need).unwrap();
        assert_eq!(desk_costs.goods_minor, 8_000);
        assert_eq!(desk_costs.shares.iter().map(|s| (s.handle.as_str(), s.goods_minor)).collect::<Vec<_>>(), vec![("olga", 8_000)]);
        // Reversing the use, or any goods logged by hand, takes it out of the shared costs again.
        let desk_rent = commons.log(&log_request(Some("ben"), date!(2025 - 07 - 31), form("facilities", &[("amount", "50")])), july).unwrap().entry.seq;
        assert!(commons.shared_costs("pie").unwrap().totals.iter().any(|s| s.handle == "ben" && s.goods_minor == 5_000));
        commons
            .reverse(
                &peerstake_app::journal::ReverseRequest {
                    venture: "pie".into(),
                    seq: desk_rent,
                    reason: "Not ours".into(),
                    author: None,
                    idempotency_key: None,
                },
                july,
            )
            .unwrap();
        commons
            .reverse(
                &peerstake_app::journal::ReverseRequest { venture: "pie".into(), seq, reason: "Logged twice".into(), author: None, idempotency_key: None },
                july,
            )
            .unwrap();
        let costs = commons.shared_costs("pie").unwrap();
        assert_eq!(costs.needs.iter().find(|n| n.need.number == desk_need).unwrap().goods_minor, 0);
        assert!(costs.totals.iter().all(|s| s.handle != "olga" && s.handle != "ben"), "{:?}", costs.totals);

        // A good given outright is equipment (pre-owned under a year: ×2) and leaves the registry.
        let laptop = commons
            .register_good(
                &RegisterGood {
                    account: owner.id,
                    kind: "laptop".into(),
                    description: "Spare laptop".into(),
                    currency: "EUR".into(),
                    rate: "5".into(),
                    unit: "day".into(),
                    ..RegisterGood::default()
                },
                now(),
            )
            .unwrap();
        let give = GiveGood {
            account: owner.id,
            good: laptop.record.id,
            venture: "pie".into(),
            condition: "used-recent".into(),
            value: "600".into(),
            note: String::new(),
        };
        assert_eq!(code(commons.give_good(&GiveGood { account: stranger.id, ..give.clone() }, july)), "forbidden");
        let gift = commons.give_good(&give, july).unwrap();
        assert_eq!((gift.entry.tag.as_str(), gift.entry.slices_minor), ("equipment", 120_000));
        assert_eq!(commons.good(laptop.record.id).unwrap().0.record.status, "given");
        assert_eq!(code(commons.give_good(&GiveGood { value: "700".into(), ..give }, july)), "invalid_input");
        assert!(commons.verify("pie").unwrap().differences.is_empty());
    });
}

#[test]
fn unspent_money_is_returned_from_the_well_and_earns_nothing() {
    on_every_backend(|_, commons| {
        small_venture(commons);
        commons.log(&log_request(Some("fay"), DAY, form("deposit", &[("amount", "50")])), now()).unwrap();
        let back = |amount: &str| LogRequest {
            note: "Returned at the backer's request".into(),
            ..log_request(Some("fay"), DAY, form("well-return", &[("amount", amount)]))
        };
        assert_eq!(code(commons.log(&back("50.01"), now())), "well_insufficient");
        commons.log(&back("20"), now()).unwrap();
        let fay = commons.member_well("pie", "fay").unwrap();
        assert_eq!((fay.deposited_minor, fay.returned_minor, fay.balance_minor, fay.slices_minor), (5_000, 2_000, 3_000, 0));
        assert_eq!(slices_of(commons, "fay"), "0.00");
    });
}

#[derive(Debug, Clone)]
enum WellOp {
    Deposit { member: usize, cents: u32 },
    Spend { cents: u32 },
    Return { member: usize, cents: u32 },
}

fn well_op() -> impl Strategy<Value = WellOp> {
    prop_oneof![
        3 => (0_usize..3, 1_u32..100_000).prop_map(|(member, cents)| WellOp::Deposit { member, cents }),
        2 => (1_u32..150_000).prop_map(|cents| WellOp::Spend { cents }),
        1 => (0_usize..3, 1_u32..50_000).prop_map(|(member, cents)| WellOp::Return { member, cents }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    /// The well never goes negative, its depositors' balances add up to its balance, and each
    /// withdrawal's shares add up exactly to the amount spent.
    #[test]
    fn the_well_balances_and_every_withdrawal_splits_exactly(ops in proptest::collection::vec(well_op(), 1..30)) {
        let database = databases().into_iter().next().unwrap();
        let commons = database.commons();
        small_venture(&commons);
        let members = ["ana", "ben", "fay"];
        let amount = |cents: u32| format!("{}.{:02}", cents / 100, cents % 100);
        for op in &ops {
            let before = commons.well("pie").unwrap().balance_minor;
            match op {
                WellOp::Deposit { member, cents } => {
                    commons.log(&log_request(Some(members[*member]), DAY, form("deposit", &[("amount", &amount(*cents))])), now()).unwrap();
                }
                WellOp::Spend { cents } => {
                    let outcome = commons.log(&log_request(None, DAY, form("withdrawal", &[("amount", &amount(*cents))])), now());
                    match outcome {
                        Ok(stored) => {
                            let shares: i64 = stored.entry.effects.iter().map(|e| -e.well_minor).sum();
                            let value: i64 = stored.entry.effects.iter().map(|e| e.fmv_minor).sum();
                            prop_assert_eq!(shares, i64::from(*cents));
                            prop_assert_eq!(value, i64::from(*cents));
                        }
                        Err(error) => prop_assert!(i64::from(*cents) > before, "refused only when the well is short: {}", error),
                    }
                }
                WellOp::Return { member, cents } => {
                    let request = log_request(Some(members[*member]), DAY, form("well-return", &[("amount", &amount(*cents))]));
                    let had = commons.member_well("pie", members[*member]).unwrap().balance_minor;
                    match commons.log(&request, now()) {
                        Ok(_) => prop_assert!(i64::from(*cents) <= had),
                        Err(_) => prop_assert!(i64::from(*cents) > had),
                    }
                }
            }
            let well = commons.well("pie").unwrap();
            prop_assert!(well.balance_minor >= 0);
            prop_assert!(well.depositors.iter().all(|d| d.balance_minor >= 0));
            prop_assert_eq!(well.depositors.iter().map(|d| d.balance_minor).sum::<i64>(), well.balance_minor);
            prop_assert_eq!(well.deposited_minor - well.spent_minor - well.returned_minor, well.balance_minor);
        }
        prop_assert!(commons.verify("pie").unwrap().differences.is_empty());
    }
}

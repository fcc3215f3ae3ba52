//! A venture's later life: the four departure cases with and without the loyalty clause against
//! worked figures, buyouts and their claw-back, handover and adoption, freezing the split into a
//! cap table, and distributions that add up exactly.

use peerstake_app::access::Account;

use peerstake_app::accounts::SignUp;
use peerstake_app::departures::{BuyoutRequest, DepartRequest};
use peerstake_app::forms::TermsForm;
use peerstake_app::freezes::FreezeRequest;
use peerstake_app::journal::LogRequest;
use peerstake_app::ledger::SplitQuery;
use peerstake_app::payouts::{DistributeRequest, IncomeRequest};
use peerstake_app::policy_file::PolicyChoice;
use peerstake_app::proposals::{ProposeRequest, VoteRequest};
use peerstake_app::ventures::CreateVenture;
use peerstake_app::{Commons, Now};
use proptest::prelude::*;
use time::Date;
use time::macros::date;

use crate::harness::*;

const LEAVE_ON: Date = date!(2025 - 12 - 31);

fn when() -> Now {
    at(LEAVE_ON)
}

/// A venture with ana (steward, salary 100,000), ben (hourly 50) and cy (hourly 50), under
/// Slicing Pie with an optional loyalty clause; ben logs two old and two recent contributions:
/// 10 h and a 100 expense in January, 4 h and a 50 expense in June.
fn venture_with_ben(commons: &Commons, slug: &str, loyalty_months: Option<u32>) {
    let policy = match loyalty_months {
        Some(months) => PolicyChoice::File(format!("loyalty_months = {months}")),
        None => PolicyChoice::Preset("slicing-pie".into()),
    };
    commons.create_venture(&CreateVenture { policy, ..venture_request(slug) }, at(START)).unwrap();
    add_members(
        commons,
        slug,
        [
            ("ana", "steward", TermsForm { market_salary: "100000".into(), ..TermsForm::default() }),
            ("ben", "member", TermsForm { hourly_rate: "50".into(), ..TermsForm::default() }),
            ("cy", "member", TermsForm { hourly_rate: "50".into(), ..TermsForm::default() }),
        ],
    );
    for (member, on, kind, fields) in [
        ("ben", date!(2025 - 01 - 10), "time", vec![("quantity", "10")]),
        ("ben", date!(2025 - 01 - 20), "expense", vec![("amount", "100")]),
        ("ben", date!(2025 - 06 - 10), "time", vec![("quantity", "4")]),
        ("ben", date!(2025 - 06 - 15), "expense", vec![("amount", "50")]),
        ("cy", date!(2025 - 02 - 01), "time", vec![("quantity", "20")]),
    ] {
        let request = LogRequest { venture: slug.into(), ..log_request(Some(member), on, form(kind, &fields)) };
        commons.log(&request, when()).unwrap();
    }
}

fn leave(slug: &str, member: &str, case: &str) -> DepartRequest {
    DepartRequest {
        venture: slug.into(),
        member: member.into(),
        case: case.into(),
        justification: "Recorded for the test".into(),
        departed_on: Some(LEAVE_ON),
        by: Some("ana".into()),
        idempotency_key: None,
    }
}

fn slices(commons: &Commons, slug: &str, handle: &str) -> String {
    let report = commons.split(slug, &SplitQuery::default()).unwrap();
    report.lines.iter().find(|l| l.member.handle == handle).map(|l| report.currency.format(l.figures.slices_minor)).unwrap_or_default()
}

/// The four cases, with and without a loyalty clause of nine months (cut-off 2025-03-31, so the
/// January contributions are protected), against worked figures: ben holds 2,000 slices (time
/// 1,000 + 400 at ×2, expenses 400 + 200 at ×4).
#[test]
fn the_four_departure_cases_with_and_without_the_loyalty_clause() {
    // (case, loyalty months, slices after, entries adjusted, slices of time after, of expenses after)
    let cases: [(&str, Option<u32>, &str, Vec<u64>, &str); 8] = [
        // Bad leaver: time is lost, expenses kept at ×1 (value 150).
        ("fired-for-good-reason", None, "150.00", vec![1, 2, 3, 4], "0.00"),
        ("fired-for-no-good-reason", None, "2000.00", vec![], "1400.00"),
        ("resigned-for-good-reason", None, "2000.00", vec![], "1400.00"),
        ("resigned-for-no-good-reason", None, "150.00", vec![1, 2, 3, 4], "0.00"),
        // The loyalty clause protects only resigning for no good reason.
        ("fired-for-good-reason", Some(9), "150.00", vec![1, 2, 3, 4], "0.00"),
        ("fired-for-no-good-reason", Some(9), "2000.00", vec![], "1400.00"),
        ("resigned-for-good-reason", Some(9), "2000.00", vec![], "1400.00"),
        // January kept as it was (1,000 + 400); June: time lost, the 50 expense at ×1.
        ("resigned-for-no-good-reason", Some(9), "1450.00", vec![3, 4], "1000.00"),
    ];
    on_every_backend(|_, commons| {
        for (index, (case, loyalty, after, entries, time_after)) in cases.iter().enumerate() {
            let slug = format!("case-{index}");
            venture_with_ben(commons, &slug, *loyalty);
            assert_eq!(slices(commons, &slug, "ben"), "2000.00");
            let before = commons.venture(&slug, when()).unwrap().record.head_seq;

            let preview = commons.preview_departure(&leave(&slug, "ben", case), when()).unwrap();
            assert_eq!(commons.venture(&slug, when()).unwrap().record.head_seq, before, "{case}: a preview writes nothing");
            assert_eq!(slices(commons, &slug, "ben"), "2000.00");
            assert_eq!(format!("{:.2}", preview.slices_after() as f64 / 100.0), *after, "{case} {loyalty:?}: preview");
            assert_eq!(&preview.entries, entries, "{case} {loyalty:?}: entries adjusted");
            assert_eq!(preview.cutoff.is_some(), *loyalty == Some(9) && *case == "resigned-for-no-good-reason");

            let recorded = commons.depart(&leave(&slug, "ben", case), when()).unwrap();
            assert_eq!(recorded.slices_after(), preview.slices_after());
            assert_eq!(slices(commons, &slug, "ben"), *after, "{case} {loyalty:?}: the split");
            let trace = commons.trace(&slug, "ben").unwrap();
            let time = trace.kinds.iter().find(|k| k.kind.name() == "time").map(|k| k.slices_minor).unwrap_or(0);
            assert_eq!(format!("{}.{:02}", time / 100, time % 100), *time_after, "{case} {loyalty:?}: time slices after");
            assert!(commons.verify(&slug).unwrap().differences.is_empty(), "{case}: verify recomputes the departure");

            // The departure is an entry about ben that names the entries it adjusts.
            let entry = commons.ledger(&slug, &Default::default()).unwrap().entries.last().cloned().unwrap().entry;
            assert_eq!(entry.tag, "departure");
            let listed: Vec<String> = entries.iter().map(u64::to_string).collect();
            assert!(entry.inputs.ends_with(&format!("entries={}", listed.join(","))), "{}", entry.inputs);

            // Those who left take part in nothing new.
            let more = LogRequest { venture: slug.clone(), ..log_request(Some("ben"), LEAVE_ON, form("time", &[("quantity", "1")])) };
            assert_eq!(code(commons.log(&more, when())), "forbidden");
            assert_eq!(code(commons.depart(&leave(&slug, "ben", case), when())), "invalid_input", "one departure per member");
        }
    });
}

#[test]
fn bad_input_records_no_departure() {
    on_every_backend(|_, commons| {
        venture_with_ben(commons, "pie", None);
        let (before, _) = head(commons);
        assert_eq!(code(commons.depart(&leave("pie", "ben", "quit"), when())), "invalid_input");
        assert_eq!(code(commons.depart(&DepartRequest { justification: " ".into(), ..leave("pie", "ben", "fired-for-good-reason") }, when())), "invalid_input");
        assert_eq!(code(commons.depart(&leave("pie", "nobody", "fired-for-good-reason"), when())), "not_found");
        let backdated = DepartRequest { departed_on: Some(date!(2025 - 06 - 01)), ..leave("pie", "ben", "fired-for-good-reason") };
        assert_eq!(code(commons.depart(&backdated, when())), "date_out_of_range");
        let by_self = DepartRequest { by: Some("ben".into()), ..leave("pie", "ben", "fired-for-good-reason") };
        assert_eq!(code(commons.depart(&by_self, when())), "invalid_input");
        assert_eq!(head(commons).0, before, "nothing was written");
        assert!(commons.departures("pie").unwrap().is_empty());
    });
}

#[test]
fn a_bad_leaver_is_bought_out_and_a_good_leaver_may_decline_or_accept_with_a_clawback() {
    on_every_backend(|_, commons| {
        venture_with_ben(commons, "pie", None);
        // cy is a good leaver: the buyout is only offered.
        commons.depart(&leave("pie", "cy", "resigned-for-good-reason"), when()).unwrap();
        let offer = BuyoutRequest { venture: "pie".into(), member: "cy".into(), by: Some("ana".into()), ..BuyoutRequest::default() };
        let offered = commons.offer_buyout(&offer, when()).unwrap();
        assert_eq!((offered.record.status.as_str(), offered.record.forced), ("offered", false));
        assert_eq!(offered.record.amount_minor, offered.record.slices_minor, "1 slice = 1 EUR by default");
        assert_eq!(code(commons.answer_buyout("pie", offered.record.number, "accept", Some("ana"), when())), "forbidden");
        let declined = commons.answer_buyout("pie", offered.record.number, "decline", Some("cy"), when()).unwrap();
        assert_eq!(declined.record.status, "declined");
        assert_eq!(slices(commons, "pie", "cy"), "2000.00", "a good leaver cannot be forced");

        // A second offer, bought by ana at 0.50 a slice, accepted: the slices pass to her.
        let ana_before = slices(commons, "pie", "ana");
        let again = BuyoutRequest { buyer: Some("ana".into()), price_per_slice: "0.50".into(), ..offer.clone() };
        let second = commons.offer_buyout(&again, when()).unwrap();
        let accepted = commons.answer_buyout("pie", second.record.number, "accept", Some("cy"), when()).unwrap();
        assert_eq!(accepted.record.amount_minor, 100_000, "2,000 slices at 0.50");
        assert_eq!(accepted.record.clawback_until, Some(date!(2026 - 12 - 31)), "a year's claw-back window");
        assert_eq!(slices(commons, "pie", "cy"), "0.00");
        let ana_after: f64 = slices(commons, "pie", "ana").parse().unwrap();
        assert_eq!(ana_after - ana_before.parse::<f64>().unwrap(), 2000.0);

        // ben is a bad leaver: his buyout is forced and his slices leave the pie.
        commons.depart(&leave("pie", "ben", "fired-for-good-reason"), when()).unwrap();
        let forced = commons.offer_buyout(&BuyoutRequest { member: "ben".into(), ..offer.clone() }, when()).unwrap();
        assert_eq!((forced.record.status.as_str(), forced.record.forced, forced.record.amount_minor), ("accepted", true, 15_000));
        assert_eq!(forced.record.clawback_until, None, "no claw-back for a bad leaver");
        assert_eq!(slices(commons, "pie", "ben"), "0.00");
        assert_eq!(code(commons.offer_buyout(&BuyoutRequest { member: "ben".into(), ..offer.clone() }, when())), "already_exists", "bought once");
        assert!(commons.verify("pie").unwrap().differences.is_empty());

        // A sale within the window at a higher implied price: cy is owed the difference.
        let total: i64 = commons.split("pie", &SplitQuery::default()).unwrap().total_slices_minor;
        let sale = IncomeRequest {
            venture: "pie".into(),
            kind: "sale".into(),
            amount: "1000".into(),
            received_on: Some(LEAVE_ON),
            note: "The venture's assets sold".into(),
            valuation: format!("{}", total * 2 / 100),
            by: Some("ana".into()),
            idempotency_key: None,
        };
        commons.record_income(&sale, when()).unwrap();
        let statement = commons.statement("pie", "cy").unwrap();
        assert_eq!(statement.clawbacks.len(), 1);
        assert_eq!(statement.clawbacks[0].implied_per_slice_minor, 200, "valuation ÷ slices = 2 EUR a slice");
        assert_eq!(statement.owed_minor, 300_000, "(2.00 − 0.50) × 2,000 slices");
        assert!(commons.statement("pie", "ben").unwrap().clawbacks.is_empty());
    });
}

#[test]
fn a_venture_with_a_departure_and_a_buyout_exports_and_restores_to_the_same_head() {
    on_every_backend(|_, commons| {
        venture_with_ben(commons, "pie", Some(9));
        commons.depart(&leave("pie", "ben", "resigned-for-no-good-reason"), when()).unwrap();
        let offer = BuyoutRequest { venture: "pie".into(), member: "ben".into(), buyer: Some("cy".into()), by: Some("ana".into()), ..BuyoutRequest::default() };
        commons.offer_buyout(&offer, when()).unwrap();
        let mut exported = Vec::new();
        let report = commons.export("pie", &mut exported).unwrap();
        for target in databases() {
            let restored = target.commons();
            assert_eq!(restored.import_venture("pie", exported.as_slice()).unwrap().head, report.head);
            assert!(restored.verify("pie").unwrap().differences.is_empty(), "the departure and buyout replay on {}", target.backend);
            assert_eq!(slices(&restored, "pie", "cy"), slices(commons, "pie", "cy"));
            let members = restored.members("pie", when()).unwrap();
            assert_eq!(members.iter().find(|m| m.record.handle == "ben").unwrap().record.departed_on, Some(LEAVE_ON));
        }
    });
}

#[test]
fn a_departed_member_cannot_vote_or_review() {
    on_every_backend(|_, commons| {
        venture_with_ben(commons, "pie", None);
        commons.depart(&leave("pie", "cy", "resigned-for-good-reason"), when()).unwrap();
        let propose = ProposeRequest {
            venture: "pie".into(),
            by: "cy".into(),
            policy: PolicyChoice::Preset("hours-only".into()),
            effective_from: date!(2026 - 02 - 01),
            note: String::new(),
            idempotency_key: None,
        };
        assert_eq!(code(commons.propose(&propose, when())), "forbidden");
        let by_ben = ProposeRequest { by: "ben".into(), ..propose };
        let proposal = commons.propose(&by_ben, when()).unwrap();
        let vote = VoteRequest { venture: "pie".into(), number: proposal.record.number, by: "cy".into(), approve: true, note: String::new() };
        assert_eq!(code(commons.vote_on_proposal(&vote, when())), "forbidden");
        assert!(commons.proposal("pie", proposal.record.number).unwrap().votes.iter().all(|(who, _)| who != "cy"), "the refused vote does not count");
        let freeze = FreezeRequest { venture: "pie".into(), by: "cy".into(), reason: "break-even".into(), ..FreezeRequest::default() };
        assert_eq!(code(commons.propose_freeze(&freeze, when())), "forbidden");
    });
}

#[test]
fn handover_and_adoption_pass_the_steward_role() {
    on_every_backend(|_, commons| {
        venture_with_ben(commons, "pie", None);
        let change = commons.propose_handover("pie", "ana", "ben", "Over to you", when()).unwrap();
        assert_eq!(code(commons.answer_handover("pie", change.record.number, "accept", "cy", "", when())), "forbidden");
        commons.answer_handover("pie", change.record.number, "accept", "ben", "Gladly", when()).unwrap();
        let members = commons.members("pie", when()).unwrap();
        let role = |h: &str| members.iter().find(|m| m.record.handle == h).unwrap().record.role.clone();
        assert_eq!((role("ben").as_str(), role("ana").as_str()), ("steward", "member"));

        // ben was active today: the venture cannot be adopted yet.
        let newcomer = commons.sign_up(&SignUp { username: "dee".into(), display_name: String::new(), password: "dee-long-password".into() }, when()).unwrap();
        assert!(!commons.adoptable("pie", when()).unwrap().open);
        assert_eq!(code(commons.ask_to_adopt("pie", newcomer.id, "I can run it", when())), "forbidden");
        // Two hundred days of silence later it can; a member's objection stops one request...
        let later = at(date!(2026 - 07 - 20));
        assert!(commons.adoptable("pie", later).unwrap().open);
        let asked = commons.ask_to_adopt("pie", newcomer.id, "I can run it", later).unwrap();
        commons.object_to_adoption("pie", asked.record.number, "cy", "Let us talk first", later).unwrap();
        assert_eq!(commons.settle_adoptions("pie", at(date!(2026 - 09 - 01))).unwrap(), 0);
        // ...and without one, the role passes after the notice period (30 days by default).
        let again = commons.ask_to_adopt("pie", newcomer.id, "After our talk", later).unwrap();
        assert_eq!(again.record.notice_until, Some(date!(2026 - 08 - 19)));
        assert_eq!(commons.settle_adoptions("pie", at(date!(2026 - 08 - 19))).unwrap(), 0, "not before the notice ends");
        assert_eq!(commons.settle_adoptions("pie", at(date!(2026 - 08 - 20))).unwrap(), 1);
        let members = commons.members("pie", when()).unwrap();
        let dee = members.iter().find(|m| m.record.handle == "dee").expect("the adopter became a member");
        assert_eq!(dee.record.role, "steward");
        let _: Account = newcomer;

        // The settings history names who changed the stewards: the operator, for the member
        // answering, and the venture's rules when an adoption passed.
        let history: Vec<(String, String, String, i64)> =
            commons.settings_history("pie").unwrap().iter().map(|c| (c.what(), c.record.reason.clone(), c.by(), c.record.at_ms)).collect();
        let row = |what: &str, reason: &str, by: &str, at: Now| (what.to_string(), reason.to_string(), by.to_string(), at.at_ms);
        assert_eq!(
            history,
            [
                row("ana's role: — → steward", "added", "the operator", at(START)),
                row("ben's role: member → steward", "handover #1 accepted", "the operator, for ben", when()),
                row("ana's role: steward → member", "handover #1 accepted", "the operator, for ben", when()),
                row(
                    "dee's role: member → steward",
                    "adoption #3 passed: no member objected during the notice period",
                    "the venture's rules",
                    at(date!(2026 - 08 - 20))
                ),
            ]
        );
    });
}

#[test]
fn a_freeze_makes_a_cap_table_and_distributions_add_up_exactly() {
    on_every_backend(|_, commons| {
        venture_with_ben(commons, "pie", None);
        let income = IncomeRequest { venture: "pie".into(), amount: "1000.01".into(), note: "First customer".into(), ..IncomeRequest::default() };
        commons.record_income(&income, when()).unwrap();
        let too_much = DistributeRequest { venture: "pie".into(), amount: "2000".into(), ..DistributeRequest::default() };
        assert_eq!(code(commons.post_distribution(&too_much, when())), "invalid_input");

        // By the live split: previewed, then posted exactly as previewed.
        let request = DistributeRequest { venture: "pie".into(), amount: "500.01".into(), by: Some("ana".into()), ..DistributeRequest::default() };
        let preview = commons.preview_distribution(&request, when()).unwrap();
        assert!(commons.distributions("pie").unwrap().is_empty(), "a preview writes nothing");
        let posted = commons.post_distribution(&request, when()).unwrap();
        assert_eq!(posted.record.payouts, preview.record.payouts);
        assert_eq!(posted.record.payouts.iter().map(|p| p.amount_minor).sum::<i64>(), 50_001);
        assert_eq!(posted.record.basis, "split");
        // ben and cy hold 2,000 slices each: a spare cent goes to one, then to the other.
        let cent = DistributeRequest { amount: "0.01".into(), ..request.clone() };
        let second = commons.post_distribution(&cent, when()).unwrap();
        let third = commons.post_distribution(&cent, when()).unwrap();
        let amounts = |d: &peerstake_app::payouts::DistributionView| d.record.payouts.iter().map(|p| p.amount_minor).collect::<Vec<i64>>();
        assert_eq!(amounts(&second).iter().sum::<i64>(), 1);
        assert_ne!(amounts(&second), amounts(&third), "the tie-break rotates");

        // ben logs 10 more hours (3,000 slices to cy's 2,000), then the split is frozen with a
        // buy-back plan: each was issued 1,000,000 shares at the start.
        let more = LogRequest { venture: "pie".into(), ..log_request(Some("ben"), LEAVE_ON, form("time", &[("quantity", "10")])) };
        commons.log(&more, when()).unwrap();
        let issued = vec![("ben".to_string(), "1000000".to_string()), ("cy".to_string(), "1000000".to_string())];
        let freeze = FreezeRequest { venture: "pie".into(), by: "ana".into(), reason: "break-even".into(), issued, ..FreezeRequest::default() };
        let frozen = commons.propose_freeze(&freeze, when()).unwrap();
        assert_eq!(frozen.record.status, "frozen", "the only steward's vote decides");
        assert_eq!(frozen.record.head.as_ref().map(|(seq, _)| *seq), Some(commons.venture("pie", when()).unwrap().record.head_seq));
        let line = |h: &str| frozen.cap_table.iter().find(|l| l.member == h).unwrap().line;
        assert_eq!((line("ben").shares, line("cy").shares), (6_000_000, 4_000_000));
        assert_eq!(frozen.buyback_total, Some(1_666_666), "the most shares that buying back alone can reach");
        assert_eq!((line("ben").buy_back, line("cy").buy_back), (0, 333_334));
        assert_eq!((frozen.cap_table[0].percent.as_str(), frozen.cap_table[1].percent.as_str()), ("60.00", "40.00"));
        assert_eq!(code(commons.propose_freeze(&FreezeRequest { issued: vec![], ..freeze.clone() }, when())), "already_exists");

        // Payouts now follow the frozen cap table.
        let by_shares = DistributeRequest { amount: "0.05".into(), ..request.clone() };
        let paid = commons.post_distribution(&by_shares, when()).unwrap();
        assert_eq!(paid.record.basis, "cap-table");
        assert_eq!(amounts(&paid), vec![3, 2]);
        let statements = commons.statements("pie").unwrap();
        assert_eq!(statements.iter().map(|s| s.received_minor).sum::<i64>(), 50_001 + 2 + 5);
        assert!(statements.iter().all(|s| s.shares.is_some()));

        // The same rule unfreezes it.
        let unfrozen = commons.propose_unfreeze("pie", frozen.record.number, "ana", when()).unwrap();
        assert_eq!(unfrozen.record.status, "unfrozen");
        let csv = commons.export_table("pie", "distributions", "csv", when()).unwrap();
        assert!(csv.starts_with("distribution,paid_on,basis,member,weight,total_weight,percent,amount,head_seq\n"), "{csv}");
        assert_eq!(csv.lines().count(), 1 + 4 * 2);
        assert!(commons.verify("pie").unwrap().differences.is_empty());
    });
}

#[test]
fn a_policy_can_refuse_contributions_while_the_split_is_frozen() {
    on_every_backend(|_, commons| {
        venture_with_ben(commons, "pie", None);
        let refuse = peerstake_app::book::SetPolicy {
            venture: "pie".into(),
            policy: PolicyChoice::File("after_freeze = \"refuse\"".into()),
            effective_from: date!(2025 - 12 - 01),
            idempotency_key: None,
        };
        commons.set_policy(&refuse, when()).unwrap();
        let freeze =
            FreezeRequest { venture: "pie".into(), by: "ana".into(), reason: "funding-round".into(), total_shares: "1000".into(), ..FreezeRequest::default() };
        let frozen = commons.propose_freeze(&freeze, when()).unwrap();
        assert_eq!(frozen.cap_table.iter().map(|l| l.line.shares).sum::<i64>(), 1000);
        let more = || LogRequest { venture: "pie".into(), ..log_request(Some("cy"), LEAVE_ON, form("time", &[("quantity", "1")])) };
        let (before, _) = head(commons);
        assert_eq!(code(commons.log(&more(), when())), "invalid_input");
        assert_eq!(head(commons).0, before);
        commons.propose_unfreeze("pie", frozen.record.number, "ana", when()).unwrap();
        commons.log(&more(), when()).unwrap();
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    /// Any amount over any holdings of up to 100,000 holders: the payouts add up to the amount
    /// exactly, and each is within
    /// one minor unit of its exact share.
    #[test]
    fn distributions_add_up_for_any_amount_and_holders(amount in 1_i64..1_000_000_000_000, weights in proptest::collection::vec(0_i64..1_000_000_000, 1..100_001), number in 1_u32..1000) {
        prop_assume!(weights.iter().any(|w| *w > 0));
        let paid = peerstake_core::lifecycle::distribute(amount, &weights, number).unwrap();
        prop_assert_eq!(paid.iter().sum::<i64>(), amount);
        let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
        for (part, weight) in paid.iter().zip(&weights) {
            let exact_floor = i128::from(amount) * i128::from(*weight) / total;
            prop_assert!(i128::from(*part) == exact_floor || i128::from(*part) == exact_floor + 1);
        }
    }
}

/// A hundred thousand equal holders and an amount that leaves spare units: every distribution
/// adds up, and the spare units start at a different holder each time.
#[test]
fn distributions_to_a_hundred_thousand_holders_add_up_and_rotate() {
    let weights = vec![7_i64; 100_000];
    let mut firsts = Vec::new();
    for number in 1..=5_u32 {
        let paid = peerstake_core::lifecycle::distribute(1_000_003, &weights, number).unwrap();
        assert_eq!(paid.iter().sum::<i64>(), 1_000_003);
        firsts.push(paid.iter().position(|p| *p == 11).unwrap());
    }
    firsts.dedup();
    assert_eq!(firsts.len(), 5, "each distribution starts the spare units elsewhere: {firsts:?}");
}

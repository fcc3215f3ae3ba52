//! Properties over random ledgers: replay equals the maintained totals (verify is clean), the
//! split adds up to exactly 100.00, and a random retry with an old key is a no-op.

use peerstake_app::forms::ContributionForm;
use peerstake_app::journal::{LogRequest, ReverseRequest};
use peerstake_app::ledger::SplitQuery;
use proptest::prelude::*;
use time::macros::date;

use crate::harness::*;

#[derive(Debug, Clone)]
enum Op {
    Log { member: usize, kind: usize, amount_cents: u32, day: u8 },
    Withdraw { amount_cents: u32 },
    Reverse { back: usize },
    Retry { back: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0_usize..3, 0_usize..7, 1_u32..500_000, 1_u8..28).prop_map(|(member, kind, amount_cents, day)| Op::Log { member, kind, amount_cents, day }),
        1 => (1_u32..100_000).prop_map(|amount_cents| Op::Withdraw { amount_cents }),
        1 => (0_usize..10).prop_map(|back| Op::Reverse { back }),
        1 => (0_usize..10).prop_map(|back| Op::Retry { back }),
    ]
}

fn amount(cents: u32) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn contribution(kind: usize, cents: u32) -> ContributionForm {
    let minutes = format!("{}m", cents % 600 + 1);
    let value = amount(cents);
    match kind {
        0 => form("time", &[("quantity", &minutes)]),
        1 => form("deposit", &[("amount", &value)]),
        2 => form("expense", &[("amount", &value)]),
        3 => form("equipment", &[("amount", &value), ("condition", "used-recent")]),
        4 => form("sale", &[("amount", &value)]),
        5 => form("cash-paid", &[("amount", &value)]),
        _ => form("capital-use", &[("quantity", "1.5"), ("unit", "hour"), ("rate", &value)]),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn replay_equals_the_maintained_totals(ops in proptest::collection::vec(op(), 1..40)) {
        let database = databases().into_iter().next().unwrap();
        let commons = database.commons();
        small_venture(&commons);
        let members = ["ana", "ben", "fay"];
        let mut requests: Vec<LogRequest> = Vec::new();
        let mut seqs: Vec<u64> = Vec::new();
        for (index, op) in ops.iter().enumerate() {
            match op {
                Op::Log { member, kind, amount_cents, day } => {
                    let handle = members[*member];
                    let on = date!(2025 - 02 - 01).replace_day(*day).unwrap();
                    let mut request = log_request(Some(handle), on, contribution(*kind, *amount_cents));
                    request.idempotency_key = Some(format!("op-{index}"));
                    if let Ok(stored) = commons.log(&request, today()) {
                        seqs.push(stored.entry.seq);
                        requests.push(request);
                    }
                }
                Op::Withdraw { amount_cents } => {
                    let _ = log(&commons, None, date!(2025 - 02 - 15), form("withdrawal", &[("amount", &amount(*amount_cents))]));
                }
                Op::Reverse { back } => {
                    if let Some(seq) = seqs.iter().rev().nth(*back) {
                        let _ = commons.reverse(&ReverseRequest { venture: "pie".into(), seq: *seq, reason: "test".into(), author: None, idempotency_key: None }, today());
                    }
                }
                Op::Retry { back } => {
                    if let Some(request) = requests.iter().rev().nth(*back) {
                        let before = head(&commons);
                        let split = shares(&commons, &SplitQuery::default());
                        commons.log(request, today()).unwrap();
                        prop_assert_eq!(head(&commons), before);
                        prop_assert_eq!(shares(&commons, &SplitQuery::default()), split);
                    }
                }
            }
        }
        let report = commons.verify("pie").unwrap();
        prop_assert!(report.differences.is_empty(), "{:?}", report.differences);

        // Logging an entry and reversing it restores the split exactly.
        let before = shares(&commons, &SplitQuery::default());
        let seq = log(&commons, Some("ana"), date!(2025 - 02 - 27), form("expense", &[("amount", "12.34")])).unwrap();
        prop_assert_ne!(shares(&commons, &SplitQuery::default()), before.clone());
        commons.reverse(&ReverseRequest { venture: "pie".into(), seq, reason: "property".into(), author: None, idempotency_key: None }, today()).unwrap();
        prop_assert_eq!(shares(&commons, &SplitQuery::default()), before.clone());

        // A new policy version changes nothing dated before it, now or as of any earlier date.
        let as_of = SplitQuery { as_of: Some(date!(2025 - 02 - 14)), policy: None };
        let as_of_before = shares(&commons, &as_of);
        let ledger_before = commons.ledger("pie", &peerstake_app::ledger::LedgerQuery { limit: 1000, ..Default::default() }).unwrap().entries;
        commons
            .set_policy(
                &peerstake_app::book::SetPolicy {
                    venture: "pie".into(),
                    policy: peerstake_app::policy_file::PolicyChoice::File("multiplier_cash = \"7\"\nmultiplier_non_cash = \"5\"".into()),
                    effective_from: date!(2025 - 03 - 01),
                    idempotency_key: None,
                },
                today(),
            )
            .unwrap();
        prop_assert_eq!(shares(&commons, &SplitQuery::default()), before);
        prop_assert_eq!(shares(&commons, &as_of), as_of_before);
        let ledger_after = commons.ledger("pie", &peerstake_app::ledger::LedgerQuery { limit: 1000, ..Default::default() }).unwrap().entries;
        prop_assert_eq!(ledger_after, ledger_before);
        let split = commons.split("pie", &SplitQuery::default()).unwrap();
        let total: i64 = split.lines.iter().map(|l| l.figures.share_units).sum();
        prop_assert!(total == 10_000 || (total == 0 && split.total_slices_minor == 0));
        prop_assert!(split.lines.iter().all(|l| l.figures.slices_minor >= 0 && l.figures.well_minor >= 0));
    }
}

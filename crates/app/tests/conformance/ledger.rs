//! Logging, reversing, the split, tracing, verification and the append-only guarantee.

use peerstake_app::ledger::{LedgerQuery, SplitQuery};

use peerstake_app::journal::{LogRequest, ReverseRequest};
use peerstake_app::policy_file::PolicyChoice;
use peerstake_core::ErrorCode;
use time::macros::date;

use crate::harness::*;

#[test]
fn every_kind_is_valued_by_the_slicing_pie_rules() {
    on_every_backend(|db, commons| {
        small_venture(commons);
        let d = date!(2025 - 03 - 01);
        let cases: Vec<(&str, Option<&str>, Vec<(&str, &str)>, &str, &str)> = vec![
            ("time", Some("ana"), vec![("quantity", "10")], "500.00", "1000.00"),
            ("time", Some("ben"), vec![("quantity", "1:30"), ("paid", "25")], "50.00", "100.00"),
            ("deposit", Some("fay"), vec![("amount", "300")], "0.00", "0.00"),
            ("withdrawal", None, vec![("amount", "120")], "120.00", "480.00"),
            ("expense", Some("ana"), vec![("amount", "80"), ("paid", "30")], "50.00", "200.00"),
            ("equipment", Some("ben"), vec![("amount", "1000"), ("condition", "new")], "1000.00", "4000.00"),
            ("supplies", Some("ben"), vec![("amount", "60"), ("condition", "used-old")], "60.00", "120.00"),
            ("facilities", Some("ana"), vec![("amount", "400"), ("paid", "100")], "300.00", "600.00"),
            ("capital-use", Some("ben"), vec![("quantity", "2.5"), ("unit", "day"), ("rate", "12")], "30.00", "60.00"),
            ("idea", Some("ana"), vec![("amount", "2000")], "100.00", "200.00"),
            ("sale", Some("ben"), vec![("amount", "3000"), ("paid", "100")], "200.00", "400.00"),
            ("finders-fee", Some("ana"), vec![("amount", "2000000")], "75000.00", "150000.00"),
            ("other", Some("fay"), vec![("amount", "10"), ("class", "cash")], "10.00", "40.00"),
            ("cash-paid", Some("ben"), vec![("amount", "1000")], "-1000.00", "-4000.00"),
        ];
        for (kind, member, fields, fmv, slices) in cases {
            let seq = log(commons, member, d, form(kind, &fields)).unwrap_or_else(|e| panic!("{kind} on {}: {e}", db.backend));
            let page = commons.ledger("pie", &LedgerQuery { after: Some(seq - 1), limit: 1, ..Default::default() }).unwrap();
            let entry = &page.entries.first().unwrap().entry;
            assert_eq!((page.currency.format(entry.fmv_minor), page.currency.format(entry.slices_minor)), (fmv.to_string(), slices.to_string()), "{kind}");
        }
        let split = shares(commons, &SplitQuery::default());
        let total: i64 = commons.split("pie", &SplitQuery::default()).unwrap().lines.iter().map(|l| l.figures.share_units).sum();
        assert_eq!(total, 10_000, "{split:?}");
        assert!(commons.verify("pie").unwrap().differences.is_empty());
    });
}

#[test]
fn the_well_pays_slices_pro_rata_when_spent() {
    on_every_backend(|_, commons| {
        small_venture(commons);
        let d = date!(2025 - 04 - 01);
        log(commons, Some("fay"), d, form("deposit", &[("amount", "20")])).unwrap();
        log(commons, Some("ben"), d, form("deposit", &[("amount", "50")])).unwrap();
        log(commons, Some("ana"), d, form("deposit", &[("amount", "30")])).unwrap();
        assert!(shares(commons, &SplitQuery::default()).iter().all(|s| s.1 == "0.00"), "deposits earn nothing until spent");
        log(commons, None, d, form("withdrawal", &[("amount", "10.01")])).unwrap();
        let report = commons.split("pie", &SplitQuery::default()).unwrap();
        let figures: Vec<(String, i64, i64)> = report.lines.iter().map(|l| (l.member.handle.clone(), l.figures.slices_minor, l.figures.well_minor)).collect();
        // 10.01 × 30% / 50% / 20%: 3.003 / 5.005 / 2.002 → 3.00 / 5.01 / 2.00, ×4.
        assert_eq!(figures, vec![("ana".into(), 1200, 2700), ("ben".into(), 2004, 4499), ("fay".into(), 800, 1800)]);
        assert_eq!(code(log(commons, None, d, form("withdrawal", &[("amount", "90")]))), "well_insufficient");
        // Spending and paying out are valued against today's balances: no backdating.
        assert_eq!(code(log(commons, None, date!(2025 - 03 - 31), form("withdrawal", &[("amount", "1")]))), "date_out_of_range");
        assert_eq!(code(log(commons, Some("ben"), date!(2025 - 03 - 31), form("cash-paid", &[("amount", "1")]))), "date_out_of_range");
        assert_eq!(code(log(commons, Some("ana"), d, form("withdrawal", &[("amount", "1")]))), "invalid_input");
    });
}

#[test]
fn bad_input_is_refused_and_writes_nothing() {
    on_every_backend(|db, commons| {
        small_venture(commons);
        log(commons, Some("ana"), date!(2025 - 01 - 05), form("time", &[("quantity", "1")])).unwrap();
        let before = head(commons);
        let d = date!(2025 - 02 - 01);
        let refusals: Vec<(Option<&str>, time::Date, peerstake_app::forms::ContributionForm, &str)> = vec![
            (Some("ana"), d, form("expense", &[("amount", "-5")]), "negative_amount"),
            (Some("ana"), d, form("expense", &[("amount", "1000000000000000")]), "amount_too_large"),
            (Some("ana"), d, form("expense", &[("amount", "abc")]), "invalid_amount"),
            (Some("ana"), d, form("expense", &[("amount", "1.001")]), "invalid_amount"),
            (Some("ana"), d, form("expense", &[("amount", "0")]), "zero_amount"),
            (Some("ana"), d, form("expense", &[("amount", "5"), ("paid", "6")]), "over_reimbursed"),
            (Some("nobody"), d, form("expense", &[("amount", "5")]), "not_found"),
            (Some("ana"), date!(2026 - 01 - 01), form("expense", &[("amount", "5")]), "date_out_of_range"),
            (Some("ana"), date!(1969 - 12 - 31), form("expense", &[("amount", "5")]), "date_out_of_range"),
            (Some("fay"), d, form("time", &[("quantity", "2")]), "no_terms_in_force"),
            (Some("ana"), d, form("time", &[("quantity", "20000")]), "amount_too_large"),
            (Some("ana"), d, form("finders-fee", &[("amount", "999999999999999")]), "amount_too_large"),
            (Some("ana"), d, form("bonus", &[("amount", "5")]), "invalid_input"),
            (None, d, form("expense", &[("amount", "5")]), "invalid_input"),
        ];
        for (member, on, contribution, expected) in refusals {
            let kind = contribution.kind.clone();
            assert_eq!(code(log(commons, member, on, contribution)), expected, "{kind} on {}", db.backend);
        }
        let mut request = log_request(Some("ana"), d, form("expense", &[("amount", "5")]));
        request.note = "bad\u{0007}note".into();
        assert_eq!(code(commons.log(&request, today())), "invalid_input");
        assert_eq!(code(commons.log(&log_request(Some("ana"), d, form("expense", &[("amount", "5")])), at(date!(2025 - 01 - 15)))), "date_out_of_range");
        assert_eq!(head(commons), before, "nothing was written");
        assert!(commons.verify("pie").unwrap().differences.is_empty());
    });
}

#[test]
fn an_idempotent_retry_returns_the_first_result() {
    on_every_backend(|_, commons| {
        small_venture(commons);
        let mut request = log_request(Some("ana"), date!(2025 - 02 - 01), form("time", &[("quantity", "3")]));
        request.idempotency_key = Some("retry-1".into());
        let first = commons.log(&request, today()).unwrap();
        let split = shares(commons, &SplitQuery::default());
        let second = commons.log(&request, today()).unwrap();
        assert_eq!(first, second);
        assert_eq!(head(commons).0, 1);
        assert_eq!(shares(commons, &SplitQuery::default()), split);
        request.form.quantity = "4".into();
        assert_eq!(code(commons.log(&request, today())), "idempotency_conflict");
        // The same hours over a period are another request too.
        request.form.quantity = "3".into();
        request.from = Some(date!(2025 - 01 - 30));
        assert_eq!(code(commons.log(&request, today())), "idempotency_conflict");
        assert_eq!(head(commons).0, 1);
    });
}

#[test]
fn reversing_restores_the_split_exactly() {
    on_every_backend(|db, commons| {
        small_venture(commons);
        let d = date!(2025 - 02 - 01);
        log(commons, Some("ana"), d, form("time", &[("quantity", "7")])).unwrap();
        log(commons, Some("fay"), d, form("deposit", &[("amount", "99")])).unwrap();
        let before = shares(commons, &SplitQuery::default());
        let withdrawal = log(commons, None, d, form("withdrawal", &[("amount", "33.33")])).unwrap();
        let expense = log(commons, Some("ben"), d, form("expense", &[("amount", "450")])).unwrap();
        let reverse = |seq, reason: &str| {
            commons.reverse(&ReverseRequest { venture: "pie".into(), seq, reason: reason.into(), author: None, idempotency_key: None }, today())
        };
        let reversal = reverse(expense, "typo").unwrap().entry.seq;
        reverse(withdrawal, "charged twice").unwrap();
        assert_eq!(shares(commons, &SplitQuery::default()), before, "{}", db.backend);
        assert_eq!(code(reverse(expense, "again")), "already_reversed");
        assert_eq!(code(reverse(reversal, "undo")), "reversal_of_reversal");
        assert_eq!(code(reverse(999, "missing")), "not_found");
        assert_eq!(code(reverse(1, "")), "invalid_input");
        let reversals = commons.ledger("pie", &LedgerQuery { tag: Some("reversal".into()), ..Default::default() }).unwrap();
        assert_eq!(reversals.entries.iter().map(|e| e.entry.reverses).collect::<Vec<_>>(), [Some(expense), Some(withdrawal)]);
        assert!(commons.verify("pie").unwrap().differences.is_empty());
    });
}

#[test]
fn a_reversal_that_would_go_negative_is_refused() {
    on_every_backend(|_, commons| {
        small_venture(commons);
        let d = date!(2025 - 02 - 01);
        let deposit = log(commons, Some("fay"), d, form("deposit", &[("amount", "50")])).unwrap();
        log(commons, None, d, form("withdrawal", &[("amount", "50")])).unwrap();
        let refused =
            commons.reverse(&ReverseRequest { venture: "pie".into(), seq: deposit, reason: "oops".into(), author: None, idempotency_key: None }, today());
        assert_eq!(code(refused), "would_go_negative");
    });
}

#[test]
fn the_split_as_of_a_date_and_under_a_candidate_policy() {
    on_every_backend(|db, commons| {
        small_venture(commons);
        log(commons, Some("ana"), date!(2025 - 01 - 10), form("time", &[("quantity", "10")])).unwrap();
        // Thirty hours over two days (a day holds at most 24).
        let two_days = LogRequest { from: Some(date!(2025 - 03 - 09)), ..log_request(Some("ben"), date!(2025 - 03 - 10), form("time", &[("quantity", "30")])) };
        commons.log(&two_days, today()).unwrap();
        log(commons, Some("fay"), date!(2025 - 03 - 11), form("expense", &[("amount", "100")])).unwrap();
        let january = shares(commons, &SplitQuery { as_of: Some(date!(2025 - 01 - 31)), policy: None });
        assert_eq!(january.iter().map(|s| s.2.as_str()).collect::<Vec<_>>(), ["100.00", "0.00", "0.00"], "{}", db.backend);
        // Ledger policy: ana 500×2 = 1000, ben 1500×2 = 3000, fay 100×4 = 400.
        assert_eq!(shares(commons, &SplitQuery::default()).iter().map(|s| s.1.as_str()).collect::<Vec<_>>(), ["1000.00", "3000.00", "400.00"]);
        let head_before = head(commons);
        let hours = shares(commons, &SplitQuery { as_of: None, policy: Some(PolicyChoice::Preset("hours-only".into())) });
        assert_eq!(
            hours,
            vec![("ana".into(), "10.00".into(), "25.00".into()), ("ben".into(), "30.00".into(), "75.00".into()), ("fay".into(), "0.00".into(), "0.00".into())]
        );
        assert_eq!(head(commons), head_before, "comparing formulas writes nothing");
        let report = commons
            .split("pie", &SplitQuery { as_of: None, policy: Some(PolicyChoice::File("supplies_value_min = \"1000\"\nmultiplier_cash = \"3\"".into())) })
            .unwrap();
        assert_eq!(report.policy, "custom");
        assert_eq!(report.currency.format(report.lines.iter().find(|l| l.member.handle == "fay").unwrap().figures.slices_minor), "300.00");
    });
}

#[test]
fn every_figure_traces_to_its_entries() {
    on_every_backend(|_, commons| {
        small_venture(commons);
        let d = date!(2025 - 02 - 01);
        let a = log(commons, Some("ana"), d, form("time", &[("quantity", "1")])).unwrap();
        let b = log(commons, Some("ana"), d, form("expense", &[("amount", "5")])).unwrap();
        log(commons, Some("fay"), d, form("deposit", &[("amount", "10")])).unwrap();
        log(commons, Some("ana"), d, form("deposit", &[("amount", "10")])).unwrap();
        let w = log(commons, None, d, form("withdrawal", &[("amount", "4")])).unwrap();
        let trace = commons.trace("pie", "ana").unwrap();
        let split = commons.split("pie", &SplitQuery::default()).unwrap();
        let ana = split.lines.iter().find(|l| l.member.handle == "ana").unwrap();
        assert_eq!(trace.slices_minor, ana.figures.slices_minor);
        for kind in &trace.kinds {
            assert_eq!(kind.slices_minor, ana.figures.slices_of(kind.kind));
            assert_eq!(kind.entries.iter().map(|e| e.slices_minor).sum::<i64>(), kind.slices_minor);
        }
        let seqs: Vec<u64> = trace.kinds.iter().flat_map(|k| k.entries.iter().map(|e| e.seq)).collect();
        assert!(seqs.contains(&a) && seqs.contains(&b) && seqs.contains(&w), "{seqs:?}");
    });
}

#[test]
fn the_database_refuses_updates_and_deletes_of_the_ledger() {
    on_every_backend(|db, commons| {
        small_venture(commons);
        log(commons, Some("ana"), date!(2025 - 02 - 01), form("time", &[("quantity", "1")])).unwrap();
        for sql in [
            "UPDATE entries SET note = 'changed'",
            "DELETE FROM entries",
            "UPDATE entries SET slices_minor = 1 WHERE seq = 1",
            "UPDATE entries SET effects = hash",
            "UPDATE policy_versions SET settings = ''",
            "DELETE FROM member_terms",
        ] {
            let refused = db.raw(sql).expect_err(sql);
            assert!(matches!(refused, peerstake_store::StoreError::AppendOnly(_)), "{sql} on {}: {refused:?}", db.backend);
        }
        assert!(commons.verify("pie").unwrap().differences.is_empty());
    });
}

#[test]
fn verify_finds_tampering() {
    on_every_backend(|db, commons| {
        small_venture(commons);
        log(commons, Some("ana"), date!(2025 - 02 - 01), form("time", &[("quantity", "1")])).unwrap();
        log(commons, Some("ben"), date!(2025 - 02 - 02), form("time", &[("quantity", "2")])).unwrap();
        assert!(commons.verify("pie").unwrap().differences.is_empty());
        // The maintained totals are not the ledger; a change there is found by replay.
        db.raw("UPDATE member_totals SET slices_minor = slices_minor + 1 WHERE member_no = 1").unwrap();
        let report = commons.verify("pie").unwrap();
        assert!(report.differences.iter().any(|d| d.contains("totals of member #1")), "{:?}", report.differences);
        db.raw("UPDATE member_totals SET slices_minor = slices_minor - 1 WHERE member_no = 1").unwrap();
        // Someone with the database's keys drops the guard and edits an entry: the chain breaks.
        let drop_guard = if db.backend == "sqlite" { "DROP TRIGGER entries_append_only_update" } else { "ALTER TABLE entries DISABLE TRIGGER USER" };
        db.raw(drop_guard).unwrap();
        db.raw("UPDATE entries SET note = 'edited' WHERE seq = 1").unwrap();
        let report = commons.verify("pie").unwrap();
        assert_eq!(report.differences.len(), 1, "{:?}", report.differences);
        assert!(report.differences.iter().all(|d| d.starts_with("entry #1: hash")), "{:?}", report.differences);
        // A changed figure breaks the chain and no longer follows from the entry's inputs.
        db.raw("UPDATE entries SET slices_minor = slices_minor + 1 WHERE seq = 2").unwrap();
        let report = commons.verify("pie").unwrap();
        assert_eq!(
            report.differences.iter().filter(|d| d.starts_with("entry #2")).map(|d| d.split(':').nth(1).unwrap_or("").trim()).collect::<Vec<_>>(),
            vec!["hash does not match its contents and the entry before it", "stored figures differ from its inputs valued under policy version 1"],
            "{:?}",
            report.differences
        );
    });
}

#[test]
fn concurrent_writers_keep_one_unbroken_chain() {
    on_every_backend(|db, commons| {
        small_venture(commons);
        std::thread::scope(|scope| {
            for member in ["ana", "ben", "fay"] {
                scope.spawn(move || {
                    for _ in 0..10 {
                        let fields = if member == "fay" { vec![("amount", "5")] } else { vec![("quantity", "1")] };
                        let kind = if member == "fay" { "deposit" } else { "time" };
                        log(commons, Some(member), date!(2025 - 02 - 01), form(kind, &fields)).unwrap();
                    }
                });
            }
        });
        assert_eq!(head(commons).0, 30, "{}", db.backend);
        let report = commons.verify("pie").unwrap();
        assert!(report.differences.is_empty(), "{:?} on {}", report.differences, db.backend);
    });
}

/// A request of the batch property: a kind, a member, an amount and maybe a key shared with an
/// earlier request.
#[derive(Debug, Clone)]
struct Batched {
    kind: &'static str,
    member: Option<&'static str>,
    amount: u32,
    day: u8,
    key: Option<u8>,
}

fn batched() -> impl proptest::strategy::Strategy<Value = Batched> {
    use proptest::prelude::*;
    (
        prop_oneof![Just("time"), Just("expense"), Just("deposit"), Just("withdrawal"), Just("well-return"), Just("no-such-kind")],
        prop_oneof![Just(Some("ana")), Just(Some("ben")), Just(Some("fay")), Just(Some("nobody")), Just(None)],
        0_u32..400,
        1_u8..28,
        proptest::option::of(0_u8..4),
    )
        .prop_map(|(kind, member, amount, day, key)| Batched { kind, member, amount, day, key })
}

fn request_of(b: &Batched) -> LogRequest {
    let field = if b.kind == "time" { "quantity" } else { "amount" };
    let member = if b.kind == "withdrawal" { None } else { b.member };
    let on = time::Date::from_calendar_date(2025, time::Month::June, b.day).unwrap();
    let mut request = log_request(member, on, form(b.kind, &[(field, &b.amount.to_string())]));
    request.idempotency_key = b.key.map(|k| format!("key-{k}"));
    request
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 12, ..proptest::prelude::ProptestConfig::default() })]

    /// A batch is the same as its requests logged one by one, in order: the same answers (an
    /// entry, a replay of one, or the same refusal) and the same chain, and it verifies.
    #[test]
    fn a_batch_is_its_requests_one_by_one(requests in proptest::collection::vec(batched(), 1..25)) {
        for (first, second) in databases().into_iter().zip(databases()) {
        let (one, batch) = (first.commons(), second.commons());
        small_venture(&one);
        small_venture(&batch);
        let singles: Vec<Result<(u64, String), &'static str>> =
            requests.iter().map(|b| one.log(&request_of(b), today()).map(|s| (s.entry.seq, s.hash.to_hex())).map_err(|e| e.code())).collect();
        let authorized: Vec<_> = requests.iter().map(|b| peerstake_app::ledger::AuthorizedLog::as_operator(request_of(b))).collect();
        let answers = batch.log_batch("pie", &authorized, today()).unwrap();
        let batched: Vec<Result<(u64, String), &'static str>> = answers.into_iter().map(|a| a.map(|n| (n.entry.entry.seq, n.entry.hash.to_hex())).map_err(|e| e.code())).collect();
        proptest::prop_assert_eq!(&batched, &singles);
        proptest::prop_assert_eq!(head(&batch), head(&one));
        proptest::prop_assert!(batch.verify("pie").unwrap().differences.is_empty());
        proptest::prop_assert_eq!(shares(&batch, &SplitQuery::default()), shares(&one, &SplitQuery::default()));
        }
    }
}

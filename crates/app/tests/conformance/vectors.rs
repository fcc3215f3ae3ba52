//! The test vectors of `docs/valuation.md`: small ledgers built through the use cases, written to
//! `docs/vectors/*.json` with everything another implementation needs to prove it agrees — the
//! venture (currency, edition, slice decimals), members and their terms, every policy version as
//! stored, every entry with its inputs, figures, effects, canonical bytes and hash, the chain head
//! and the split it gives. The suite checks that the files are exactly what the code produces, on
//! every backend; `PEERSTAKE_BLESS_VECTORS=1` writes them anew after a deliberate change.

use std::path::PathBuf;

use peerstake_app::Commons;
use peerstake_app::book::SetPolicy;
use peerstake_app::departures::{BuyoutRequest, DepartRequest};
use peerstake_app::forms::TermsForm;
use peerstake_app::journal::{LogRequest, ReverseRequest};
use peerstake_app::ledger::{LedgerQuery, SplitQuery};
use peerstake_app::membership::AddMember;
use peerstake_app::policy_file::PolicyChoice;
use peerstake_app::review::ReviewRequest;
use peerstake_app::ventures::CreateVenture;
use peerstake_core::review::{Step, Verdict};
use serde_json::{Value, json};
use time::Date;
use time::macros::date;

use crate::harness::*;

struct Scenario {
    name: &'static str,
    about: &'static str,
    build: fn(&Commons),
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "every-kind",
        about: "Slicing Pie in EUR: every kind of contribution, a pro-rata payment from the well with a spare cent, cash paid drawing on cash, then the well, then non-cash, money handed back, a reversal, a week of work, an advisor's cap and a second policy version.",
        build: every_kind,
    },
    Scenario {
        name: "yen-hours-only",
        about: "Hours only in JPY (no minor unit): slices keep two decimals of their own, so twenty minutes is 0.33 of a slice although it is worth a third of a yen.",
        build: yen_hours_only,
    },
    Scenario {
        name: "review",
        about: "Entries approved by a steward before they count: a pending entry has no effects; its approval carries them, dated the day it counts; a dispute takes them out and a stewards' decision puts them back.",
        build: review,
    },
    Scenario {
        name: "bad-leaver",
        about: "A member resigns for no good reason under a six-month loyalty clause: what they held six months before is protected, the rest of their time is lost and their cash kept at ×1; then the venture buys their slices out.",
        build: bad_leaver,
    },
    Scenario {
        name: "half-even-kwd",
        about: "A custom policy in KWD (three decimals): rounding half to even, over-reimbursement counted as zero, a flat rate for time and multipliers ×3 and ×1.5.",
        build: half_even_kwd,
    },
];

fn venture(commons: &Commons, slug: &str, currency: &str, policy: PolicyChoice, members: &[(&str, &str, TermsForm)]) {
    let request = CreateVenture { currency: currency.into(), policy, ..venture_request(slug) };
    commons.create_venture(&request, at(START)).unwrap();
    for (handle, role, terms) in members {
        let add = AddMember {
            venture: slug.into(),
            handle: (*handle).into(),
            display_name: handle.to_uppercase(),
            role: (*role).into(),
            joined_on: Some(START),
            terms: terms.clone(),
            idempotency_key: None,
        };
        commons.add_member(&add, at(START)).unwrap();
    }
}

fn salary(market: &str, cash: &str) -> TermsForm {
    TermsForm { market_salary: market.into(), cash_salary: cash.into(), ..TermsForm::default() }
}

fn hourly(rate: &str) -> TermsForm {
    TermsForm { hourly_rate: rate.into(), ..TermsForm::default() }
}

/// Logs an entry dated `on`, recorded at noon that day.
fn add(commons: &Commons, slug: &str, member: Option<&str>, on: Date, kind: &str, fields: &[(&str, &str)]) -> u64 {
    let request = LogRequest { venture: slug.into(), author: member.map(str::to_string).or(Some("ana".into())), ..log_request(member, on, form(kind, fields)) };
    commons.log(&request, at(on)).unwrap_or_else(|e| panic!("{slug} {kind} on {on}: {e}")).entry.seq
}

fn every_kind(commons: &Commons) {
    let slug = "every-kind";
    let cap = PolicyChoice::File("advisor_cap_slices_per_hour = \"200\"".into());
    venture(
        commons,
        slug,
        "EUR",
        cap,
        &[
            ("ana", "steward", salary("100000", "40000")),
            ("ben", "member", hourly("80")),
            ("cy", "backer", TermsForm::default()),
            ("dee", "advisor", hourly("300")),
        ],
    );
    let d = |month: u8, day: u8| Date::from_calendar_date(2025, time::Month::try_from(month).unwrap(), day).unwrap();
    add(commons, slug, Some("ana"), d(1, 10), "time", &[("quantity", "10")]);
    add(commons, slug, Some("ben"), d(1, 11), "time", &[("quantity", "2"), ("paid", "50")]);
    add(commons, slug, Some("dee"), d(1, 12), "time", &[("quantity", "1")]);
    add(commons, slug, Some("ana"), d(1, 20), "deposit", &[("amount", "100")]);
    add(commons, slug, Some("cy"), d(1, 20), "deposit", &[("amount", "200")]);
    add(commons, slug, Some("ben"), d(1, 21), "deposit", &[("amount", "200")]);
    add(commons, slug, None, d(1, 31), "withdrawal", &[("amount", "100.01")]);
    add(commons, slug, Some("ben"), d(2, 1), "expense", &[("amount", "120"), ("paid", "20")]);
    add(commons, slug, Some("ben"), d(2, 2), "equipment", &[("amount", "1000"), ("condition", "new")]);
    add(commons, slug, Some("ana"), d(2, 3), "equipment", &[("amount", "600"), ("condition", "used-recent")]);
    add(commons, slug, Some("ana"), d(2, 4), "supplies", &[("amount", "300"), ("condition", "used-old")]);
    add(commons, slug, Some("ana"), d(2, 5), "facilities", &[("amount", "500"), ("paid", "200")]);
    add(commons, slug, Some("ben"), d(2, 6), "capital-use", &[("quantity", "2.5"), ("unit", "day"), ("rate", "15"), ("paid", "5")]);
    add(commons, slug, Some("ana"), d(2, 7), "idea", &[("amount", "10000"), ("paid", "100")]);
    add(commons, slug, Some("ben"), d(2, 8), "sale", &[("amount", "20000")]);
    add(commons, slug, Some("dee"), d(2, 9), "finders-fee", &[("amount", "1500000")]);
    add(commons, slug, Some("cy"), d(2, 10), "other", &[("amount", "10"), ("class", "cash")]);
    add(commons, slug, Some("dee"), d(2, 10), "other", &[("amount", "10"), ("class", "non-cash")]);
    let wrong = add(commons, slug, Some("ben"), d(2, 11), "expense", &[("amount", "450")]);
    commons
        .reverse(
            &ReverseRequest { venture: slug.into(), seq: wrong, reason: "Typed 450 for 45".into(), author: Some("ana".into()), idempotency_key: None },
            at(d(2, 12)),
        )
        .unwrap();
    add(commons, slug, Some("ben"), d(2, 12), "expense", &[("amount", "45")]);
    let week = LogRequest {
        venture: slug.into(),
        from: Some(d(3, 3)),
        author: Some("ben".into()),
        ..log_request(Some("ben"), d(3, 9), form("time", &[("quantity", "40")]))
    };
    commons.log(&week, at(d(3, 9))).unwrap();
    let second = SetPolicy {
        venture: slug.into(),
        policy: PolicyChoice::File("commission_rate_percent = \"8\"\nadvisor_cap_slices_per_hour = \"200\"".into()),
        effective_from: d(4, 1),
        idempotency_key: None,
    };
    commons.set_policy(&second, at(d(3, 20))).unwrap();
    add(commons, slug, Some("ben"), d(4, 2), "sale", &[("amount", "20000")]);
    add(commons, slug, Some("ben"), d(4, 30), "cash-paid", &[("amount", "1500")]);
    add(commons, slug, Some("cy"), d(5, 2), "well-return", &[("amount", "50")]);
}

fn yen_hours_only(commons: &Commons) {
    let slug = "yen-hours-only";
    venture(
        commons,
        slug,
        "JPY",
        PolicyChoice::Preset("hours-only".into()),
        &[("ana", "steward", TermsForm::default()), ("ben", "member", TermsForm::default())],
    );
    add(commons, slug, Some("ana"), date!(2025 - 02 - 01), "time", &[("quantity", "20m")]);
    add(commons, slug, Some("ben"), date!(2025 - 02 - 01), "time", &[("quantity", "20m")]);
    add(commons, slug, Some("ben"), date!(2025 - 02 - 02), "time", &[("quantity", "20m")]);
    add(commons, slug, Some("ana"), date!(2025 - 02 - 03), "expense", &[("amount", "1500")]);
}

fn review(commons: &Commons) {
    let slug = "review";
    let policy = PolicyChoice::File("review = \"stewards\"\ndisputes = \"stewards\"".into());
    venture(commons, slug, "EUR", policy, &[("ana", "steward", hourly("50")), ("ben", "member", hourly("40")), ("cy", "steward", hourly("45"))]);
    let logged = add(commons, slug, Some("ben"), date!(2025 - 03 - 02), "time", &[("quantity", "5")]);
    let step = |step: Step, by: &str, note: &str, on: Date| {
        let request = ReviewRequest { venture: slug.into(), seq: logged, step, by: by.into(), note: note.into(), idempotency_key: None };
        commons.review(&request, at(on)).unwrap();
    };
    step(Step::Approve, "ana", "", date!(2025 - 03 - 05));
    step(Step::Dispute, "cy", "Five hours for this seems a lot", date!(2025 - 03 - 10));
    step(Step::Decide(Verdict::Uphold), "ana", "Checked the commits: it was five hours", date!(2025 - 03 - 12));
}

fn bad_leaver(commons: &Commons) {
    let slug = "bad-leaver";
    venture(
        commons,
        slug,
        "EUR",
        PolicyChoice::File("loyalty_months = 6".into()),
        &[("ana", "steward", salary("100000", "0")), ("ben", "member", hourly("50"))],
    );
    add(commons, slug, Some("ben"), date!(2025 - 01 - 10), "time", &[("quantity", "10")]);
    add(commons, slug, Some("ben"), date!(2025 - 01 - 20), "expense", &[("amount", "100")]);
    add(commons, slug, Some("ben"), date!(2025 - 09 - 10), "time", &[("quantity", "4")]);
    add(commons, slug, Some("ben"), date!(2025 - 09 - 15), "expense", &[("amount", "50")]);
    add(commons, slug, Some("ana"), date!(2025 - 09 - 16), "time", &[("quantity", "8")]);
    let leave = date!(2025 - 12 - 01);
    let depart = DepartRequest {
        venture: slug.into(),
        member: "ben".into(),
        case: "resigned-for-no-good-reason".into(),
        justification: "Left for a competitor".into(),
        departed_on: Some(leave),
        by: Some("ana".into()),
        idempotency_key: None,
    };
    commons.depart(&depart, at(leave)).unwrap();
    let buyout = BuyoutRequest {
        venture: slug.into(),
        member: "ben".into(),
        buyer: None,
        price_per_slice: String::new(),
        by: Some("ana".into()),
        idempotency_key: None,
    };
    commons.offer_buyout(&buyout, at(leave)).unwrap();
}

fn half_even_kwd(commons: &Commons) {
    let slug = "half-even-kwd";
    let policy = "rounding = \"half-even\"\nover_reimbursement = \"count-as-zero\"\ntime_valuation = \"flat-rate\"\ntime_flat_rate = \"12.345\"\nmultiplier_cash = \"3\"\nmultiplier_non_cash = \"1.5\"";
    venture(commons, slug, "KWD", PolicyChoice::File(policy.into()), &[("ana", "steward", TermsForm::default()), ("ben", "member", TermsForm::default())]);
    add(commons, slug, Some("ana"), date!(2025 - 02 - 01), "time", &[("quantity", "1:10")]);
    add(commons, slug, Some("ben"), date!(2025 - 02 - 01), "time", &[("quantity", "1"), ("paid", "20")]);
    add(commons, slug, Some("ben"), date!(2025 - 02 - 02), "expense", &[("amount", "0.005")]);
    add(commons, slug, Some("ana"), date!(2025 - 02 - 03), "deposit", &[("amount", "1.001")]);
    add(commons, slug, Some("ben"), date!(2025 - 02 - 03), "deposit", &[("amount", "1.001")]);
    add(commons, slug, None, date!(2025 - 02 - 04), "withdrawal", &[("amount", "0.001")]);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A scenario's vector: the export, with each entry's canonical bytes, and the split it gives.
fn vector(commons: &Commons, scenario: &Scenario) -> Value {
    (scenario.build)(commons);
    let slug = scenario.name;
    let mut file = Vec::new();
    commons.export(slug, &mut file).unwrap();
    let mut document: Value = serde_json::from_slice(&file).unwrap();
    let page = commons.ledger(slug, &LedgerQuery { limit: 1_000, ..LedgerQuery::default() }).unwrap();
    let entries = document["entries"].as_array_mut().unwrap();
    assert_eq!(entries.len(), page.entries.len());
    for (exported, stored) in entries.iter_mut().zip(&page.entries) {
        assert_eq!(exported["seq"].as_u64(), Some(stored.entry.seq));
        exported["canonical_bytes"] = json!(hex(&stored.entry.canonical_bytes()));
    }
    let split = commons.split(slug, &SplitQuery::default()).unwrap();
    let c = split.currency;
    let lines: Vec<Value> = split
        .lines
        .iter()
        .map(|l| {
            json!({
                "member": l.member.handle,
                "slices": c.format_slices(l.figures.slices_minor),
                "value_at_risk": c.format(l.figures.fmv_minor),
                "well": c.format(l.figures.well_minor),
                "share_percent": peerstake_core::split::format_share(l.figures.share_units),
            })
        })
        .collect();
    let report = commons.verify(slug).unwrap();
    assert!(report.differences.is_empty(), "{slug}: {:?}", report.differences);
    json!({
        "scenario": slug,
        "about": scenario.about,
        "genesis_hash": peerstake_core::chain::EntryHash::genesis(slug).to_hex(),
        "venture": document,
        "split": {"total_slices": c.format_slices(split.total_slices_minor), "members": lines},
    })
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/vectors")
}

#[test]
fn the_published_vectors_are_what_the_code_computes() {
    let bless = std::env::var("PEERSTAKE_BLESS_VECTORS").is_ok_and(|v| v == "1");
    on_every_backend(|db, commons| {
        for scenario in SCENARIOS {
            let produced = serde_json::to_string_pretty(&vector(commons, scenario)).unwrap() + "\n";
            let path = vectors_dir().join(format!("{}.json", scenario.name));
            if bless && db.backend == "sqlite" {
                std::fs::create_dir_all(vectors_dir()).unwrap();
                std::fs::write(&path, &produced).unwrap();
                continue;
            }
            let published = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}; run with PEERSTAKE_BLESS_VECTORS=1", path.display()));
            assert!(
                published == produced,
                "{} on {} differs from what the code computes; check the change, then run with PEERSTAKE_BLESS_VECTORS=1",
                path.display(),
                db.backend
            );
        }
    });
}

/// Figures worked by hand for a few entries of the vectors, so the files are not only checked
/// against the code that wrote them.
#[test]
fn the_vectors_hold_figures_worked_by_hand() {
    let read = |name: &str| -> Value { serde_json::from_str(&std::fs::read_to_string(vectors_dir().join(format!("{name}.json"))).unwrap()).unwrap() };
    let every = read("every-kind");
    let entries = every["venture"]["entries"].as_array().unwrap();
    let figures = |seq: usize| (entries[seq - 1]["fmv"].as_str().unwrap().to_string(), entries[seq - 1]["slices"].as_str().unwrap().to_string());
    // Ana: (100,000 − 40,000) ÷ 2,000 h × 10 h = 300.00, ×2.
    assert_eq!(figures(1), ("300.00".into(), "600.00".into()));
    // Ben: 2 h × 80 − 50 paid = 110.00, ×2.
    assert_eq!(figures(2), ("110.00".into(), "220.00".into()));
    // Dee: 1 h × 300 = 300.00, ×2 = 600 slices, capped at 200 an hour.
    assert_eq!(figures(3), ("300.00".into(), "200.00".into()));
    // 100.01 from a well of 100 / 200 / 200: 20.002 / 40.004 / 40.004, the spare cent to one of
    // the two largest remainders, ×4.
    let paid: Vec<String> = entries[6]["effects"].as_array().unwrap().iter().map(|e| e["fmv"].as_str().unwrap().to_string()).collect();
    assert_eq!(paid.iter().filter(|p| *p == "20.00").count(), 1, "{paid:?}");
    assert_eq!(paid.iter().map(|p| p.replace('.', "").parse::<i64>().unwrap()).sum::<i64>(), 10_001);
    // A finder's fee on 1,500,000: 5% of 1,000,000 + 2.5% of 500,000 = 62,500.00, ×2.
    assert_eq!(figures(16), ("62500.00".into(), "125000.00".into()));
    let yen = read("yen-hours-only");
    let members = yen["split"]["members"].as_array().unwrap();
    assert_eq!((members[0]["slices"].as_str(), members[0]["share_percent"].as_str()), (Some("0.33"), Some("33.33")));
    assert_eq!((members[1]["slices"].as_str(), members[1]["share_percent"].as_str()), (Some("0.66"), Some("66.67")));
    // Half to even in KWD: 1:10 at 12.345 an hour is 14.4025, so 14.402 (even), ×1.5 = 21.603.
    let kwd = read("half-even-kwd");
    let first = &kwd["venture"]["entries"][0];
    assert_eq!((first["fmv"].as_str(), first["slices"].as_str()), (Some("14.402"), Some("21.603")));
}

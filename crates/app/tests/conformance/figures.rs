//! Every figure as people mean it: amounts read in the venture's number format (and only in the
//! canonical form by programs), the split a function of the dated entries whatever order they
//! were keyed in, slices with their own precision in every currency, dates that make sense, and
//! members who left earning nothing new by any path.

use std::sync::atomic::{AtomicU32, Ordering};

use peerstake_app::access::Account;

use peerstake_app::accounts::SignUp;
use peerstake_app::capital::{PayNeed, PledgeRequest, PublishNeed};
use peerstake_app::departures::DepartRequest;
use peerstake_app::forms::TermsForm;
use peerstake_app::journal::LogRequest;
use peerstake_app::ledger::SplitQuery;
use peerstake_app::membership::AddMember;
use peerstake_app::policy_file::PolicyChoice;
use peerstake_app::recurring::SetUpRecurring;
use peerstake_app::ventures::CreateVenture;
use peerstake_app::{AppError, Commons};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use time::Date;
use time::macros::date;

use crate::harness::*;

/// A fresh venture per call, so a property can run many cases in one database.
static VENTURES: AtomicU32 = AtomicU32::new(0);

/// Creates a venture with ana (steward, salary 100,000), ben (hourly 50) and cy (backer).
fn venture(commons: &Commons, currency: &str, preset: &str, number_format: &str) -> String {
    let slug = format!("v{}", VENTURES.fetch_add(1, Ordering::SeqCst));
    let request =
        CreateVenture { currency: currency.into(), policy: PolicyChoice::Preset(preset.into()), number_format: number_format.into(), ..venture_request(&slug) };
    commons.create_venture(&request, at(START)).unwrap();
    add_members(
        commons,
        &slug,
        [
            ("ana", "steward", TermsForm { market_salary: "100000".into(), ..TermsForm::default() }),
            ("ben", "member", TermsForm { hourly_rate: "50".into(), ..TermsForm::default() }),
            ("cy", "backer", TermsForm::default()),
        ],
    );
    slug
}

fn entry(slug: &str, member: Option<&str>, on: Date, kind: &str, fields: &[(&str, &str)]) -> LogRequest {
    LogRequest { venture: slug.into(), ..log_request(member, on, form(kind, fields)) }
}

/// Each member's (slices, value at risk, well) and the shares, as exact text.
fn split_of(commons: &Commons, slug: &str) -> Vec<(String, String, String, String, String)> {
    let report = commons.split(slug, &SplitQuery::default()).unwrap();
    let c = report.currency;
    report
        .lines
        .iter()
        .map(|l| {
            (
                l.member.handle.clone(),
                c.format_slices(l.figures.slices_minor),
                c.format(l.figures.fmv_minor),
                c.format(l.figures.well_minor),
                peerstake_core::split::format_share(l.figures.share_units),
            )
        })
        .collect()
}

fn verified(commons: &Commons, slug: &str) {
    let report = commons.verify(slug).unwrap();
    assert!(report.differences.is_empty(), "{slug}: {:?}", report.differences);
}

#[test]
fn amounts_are_read_in_the_ventures_number_format_and_nothing_else() {
    on_every_backend(|db, commons| {
        let en = venture(commons, "EUR", "slicing-pie", "");
        let de = venture(commons, "EUR", "slicing-pie", "de");
        assert_eq!(commons.number_format(&de).unwrap().name(), "1.234,56");
        // The use cases take only the canonical form: the defect was 12,50 read as 1250.00.
        let (before, _) = (commons.venture(&en, today()).unwrap().record.head_seq, ());
        for text in ["12,50", "1,5", "1_0", "1,2,3", "1,234.56"] {
            let refused = commons.log(&entry(&en, Some("ben"), START, "expense", &[("amount", text)]), today());
            assert_eq!(code(refused), "invalid_amount", "{text} on {}", db.backend);
        }
        assert_eq!(commons.venture(&en, today()).unwrap().record.head_seq, before, "nothing was written");
        // A CSV import reads the venture's format: 12,50 is twelve and a half where numbers are
        // written 1.234,56 ...
        let csv = "date,member,kind,amount,quantity\n2025-02-01,ben,expense,\"12,50\",\n2025-02-02,ben,time,,\"1,5\"\n";
        commons.import_csv(&de, csv.as_bytes(), None, today()).unwrap();
        let rows = split_of(commons, &de);
        assert_eq!(rows[1].2, "87.50", "12.50 expense and 1.5 h at 50: {rows:?}");
        // ... and refused, with its line and both readings, where they are written 1,234.56.
        let refused = commons.import_csv(&en, csv.as_bytes(), None, today()).unwrap_err();
        let message = refused.to_string();
        assert!(message.starts_with("line 2:") && message.contains("12.50 for twelve and a half"), "{message}");
        assert_eq!(commons.venture(&en, today()).unwrap().record.head_seq, 0, "all or nothing");
        // The stewards change the format; the ledger does not change.
        commons.set_number_format(&en, "1'234.56").unwrap();
        assert_eq!(commons.number_format(&en).unwrap().name(), "1'234.56");
        assert_eq!(code(commons.set_number_format(&en, "1.234.56")), "invalid_input");
    });
}

#[test]
fn backdating_before_what_a_reader_read_is_refused_with_the_earliest_date() {
    on_every_backend(|db, commons| {
        // The deposit defect: a deposit backdated before a recorded payment from the well was
        // left out of it (ana 200 / ben 0 of the cash slices instead of 100 / 100).
        let keyed = venture(commons, "EUR", "slicing-pie", "");
        commons.log(&entry(&keyed, Some("ana"), date!(2025 - 03 - 01), "deposit", &[("amount", "100")]), today()).unwrap();
        commons.log(&entry(&keyed, None, date!(2025 - 03 - 10), "withdrawal", &[("amount", "100")]), today()).unwrap();
        let late = commons.log(&entry(&keyed, Some("ben"), date!(2025 - 03 - 05), "deposit", &[("amount", "100")]), today());
        let error = late.unwrap_err();
        assert_eq!(peerstake_core::ErrorCode::code(&error), "backdated", "{}", db.backend);
        assert!(matches!(error, AppError::Backdated { earliest, .. } if earliest == date!(2025 - 03 - 10)), "{error}");
        // On the payment's own day it lands after it, and the split is what date order gives.
        commons.log(&entry(&keyed, Some("ben"), date!(2025 - 03 - 10), "deposit", &[("amount", "100")]), today()).unwrap();
        let in_order = venture(commons, "EUR", "slicing-pie", "");
        commons.log(&entry(&in_order, Some("ana"), date!(2025 - 03 - 01), "deposit", &[("amount", "100")]), today()).unwrap();
        commons.log(&entry(&in_order, None, date!(2025 - 03 - 10), "withdrawal", &[("amount", "100")]), today()).unwrap();
        commons.log(&entry(&in_order, Some("ben"), date!(2025 - 03 - 10), "deposit", &[("amount", "100")]), today()).unwrap();
        assert_eq!(split_of(commons, &keyed), split_of(commons, &in_order));

        // The cash-paid defect: time backdated before cash paid changed what the payment took.
        let paid = venture(commons, "EUR", "slicing-pie", "");
        commons.log(&entry(&paid, Some("ben"), date!(2025 - 04 - 01), "time", &[("quantity", "10")]), today()).unwrap();
        commons.log(&entry(&paid, Some("ben"), date!(2025 - 04 - 20), "cash-paid", &[("amount", "100")]), today()).unwrap();
        let late = commons.log(&entry(&paid, Some("ben"), date!(2025 - 04 - 10), "time", &[("quantity", "2")]), today());
        assert!(matches!(late, Err(AppError::Backdated { earliest, .. }) if earliest == date!(2025 - 04 - 20)));
        // Another member's time is no business of ben's payment.
        commons.log(&entry(&paid, Some("ana"), date!(2025 - 04 - 10), "time", &[("quantity", "2")]), today()).unwrap();
        // A payment itself is never dated before what it reads.
        let early = commons.log(&entry(&paid, Some("ben"), date!(2025 - 04 - 15), "cash-paid", &[("amount", "1")]), today());
        assert_eq!(code(early), "date_out_of_range");
        for slug in [&keyed, &in_order, &paid] {
            verified(commons, slug);
        }
    });
}

#[derive(Debug, Clone)]
enum Dated {
    Time { member: usize, hours: u8 },
    Deposit { member: usize, amount: u16 },
    Expense { member: usize, amount: u16 },
    Withdrawal { amount: u16 },
    CashPaid { member: usize, amount: u16 },
    WellReturn { member: usize, amount: u16 },
}

fn dated() -> impl Strategy<Value = (u8, Dated)> {
    let kind = prop_oneof![
        3 => (0_usize..2, 1_u8..12).prop_map(|(member, hours)| Dated::Time { member, hours }),
        3 => (0_usize..3, 1_u16..300).prop_map(|(member, amount)| Dated::Deposit { member, amount }),
        1 => (0_usize..3, 1_u16..300).prop_map(|(member, amount)| Dated::Expense { member, amount }),
        2 => (1_u16..400).prop_map(|amount| Dated::Withdrawal { amount }),
        1 => (0_usize..3, 1_u16..400).prop_map(|(member, amount)| Dated::CashPaid { member, amount }),
        1 => (0_usize..3, 1_u16..100).prop_map(|(member, amount)| Dated::WellReturn { member, amount }),
    ];
    (0_u8..12, kind)
}

fn request(slug: &str, day: u8, what: &Dated) -> LogRequest {
    let on = date!(2025 - 03 - 01).replace_day(day + 1).unwrap();
    let members = ["ana", "ben", "cy"];
    let money = |amount: &u16| amount.to_string();
    match what {
        Dated::Time { member, hours } => entry(slug, Some(members[*member]), on, "time", &[("quantity", &hours.to_string())]),
        Dated::Deposit { member, amount } => entry(slug, Some(members[*member]), on, "deposit", &[("amount", &money(amount))]),
        Dated::Expense { member, amount } => entry(slug, Some(members[*member]), on, "expense", &[("amount", &money(amount))]),
        Dated::Withdrawal { amount } => entry(slug, None, on, "withdrawal", &[("amount", &money(amount))]),
        Dated::CashPaid { member, amount } => entry(slug, Some(members[*member]), on, "cash-paid", &[("amount", &money(amount))]),
        Dated::WellReturn { member, amount } => entry(slug, Some(members[*member]), on, "well-return", &[("amount", &money(amount))]),
    }
}

/// The dating invariant: whatever order a set of dated entries is keyed in, the entries accepted,
/// recorded again in date order (on one date, in the order they were keyed), are all accepted and
/// give the same split to the cent, and both ledgers verify.
#[test]
fn any_keying_order_ends_in_the_split_of_date_order() {
    on_every_backend(|db, commons| {
        let cases = if db.backend == "sqlite" { 64 } else { 16 };
        let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
        let strategy = proptest::collection::vec(dated(), 2..14).prop_flat_map(|set| Just(set).prop_shuffle());
        let refused_for_dating = std::cell::Cell::new(0_u32);
        runner
            .run(&strategy, |keyed| {
                let first = venture(commons, "EUR", "slicing-pie", "");
                let mut accepted: Vec<(u8, Dated)> = Vec::new();
                for (day, what) in &keyed {
                    match commons.log(&request(&first, *day, what), today()) {
                        Ok(_) => accepted.push((*day, what.clone())),
                        // Either rule: a reader dated before what it reads, or an entry dated
                        // before a reader of what it changes.
                        Err(AppError::Backdated { .. } | AppError::DateOutOfRange { .. }) => refused_for_dating.set(refused_for_dating.get() + 1),
                        Err(_) => {}
                    }
                }
                let mut by_date = accepted.clone();
                by_date.sort_by_key(|(day, _)| *day);
                let second = venture(commons, "EUR", "slicing-pie", "");
                for (day, what) in &by_date {
                    if let Err(error) = commons.log(&request(&second, *day, what), today()) {
                        return Err(TestCaseError::fail(format!("date order refused {what:?} on day {day}: {error}")));
                    }
                }
                prop_assert_eq!(split_of(commons, &first), split_of(commons, &second), "keyed {:?}", keyed);
                for slug in [&first, &second] {
                    let report = commons.verify(slug).unwrap();
                    prop_assert!(report.differences.is_empty(), "{:?}", report.differences);
                }
                Ok(())
            })
            .unwrap_or_else(|failure| panic!("{}: {failure}", db.backend));
        assert!(refused_for_dating.get() > 0, "{}: the property saw no backdating at all", db.backend);
    });
}

#[test]
fn slices_keep_their_precision_in_a_currency_without_decimals() {
    on_every_backend(|db, commons| {
        // The defect: hours-only in yen rounded each 20 minutes to whole slices (0 and 1).
        let yen = venture(commons, "JPY", "hours-only", "");
        commons.log(&entry(&yen, Some("ana"), date!(2025 - 02 - 01), "time", &[("quantity", "20m")]), today()).unwrap();
        for day in [date!(2025 - 02 - 01), date!(2025 - 02 - 02)] {
            commons.log(&entry(&yen, Some("ben"), day, "time", &[("quantity", "20m")]), today()).unwrap();
        }
        let rows = split_of(commons, &yen);
        assert_eq!((rows[0].1.as_str(), rows[0].4.as_str()), ("0.33", "33.33"), "{}: {rows:?}", db.backend);
        assert_eq!((rows[1].1.as_str(), rows[1].4.as_str()), ("0.66", "66.67"), "{rows:?}");
        verified(commons, &yen);
        // An export restores to the same chain head, slices and all.
        let mut file = Vec::new();
        commons.export(&yen, &mut file).unwrap();
        let text = String::from_utf8(file.clone()).unwrap();
        assert!(text.contains("\"slice_decimals\":2") && text.contains("\"slices\":\"0.33\""), "{}", &text[..400.min(text.len())]);
        let other = databases().into_iter().next().unwrap();
        let restored = other.commons();
        let report = restored.import_venture(&yen, file.as_slice()).unwrap();
        assert_eq!(report.head.to_hex(), commons.venture(&yen, today()).unwrap().record.head_hash.to_hex());
        assert_eq!(split_of(&restored, &yen), rows);
    });
}

#[test]
fn a_first_edition_ledger_keeps_verifying_to_the_same_head() {
    on_every_backend(|_, commons| {
        let eur = venture(commons, "EUR", "slicing-pie", "");
        commons.log(&entry(&eur, Some("ben"), date!(2025 - 02 - 01), "time", &[("quantity", "3")]), today()).unwrap();
        commons.log(&entry(&eur, Some("cy"), date!(2025 - 02 - 02), "deposit", &[("amount", "10")]), today()).unwrap();
        let mut file = Vec::new();
        commons.export(&eur, &mut file).unwrap();
        // An export written before editions existed has no edition: it is the first.
        let old = String::from_utf8(file).unwrap().replace("\"edition\":2,", "");
        let other = databases().into_iter().next().unwrap();
        let restored = other.commons();
        let report = restored.import_venture(&eur, old.as_bytes()).unwrap();
        assert_eq!(report.head.to_hex(), commons.venture(&eur, today()).unwrap().record.head_hash.to_hex());
        assert_eq!(restored.venture(&eur, today()).unwrap().record.edition, peerstake_core::edition::Edition::FIRST);
        verified(&restored, &eur);
    });
}

#[test]
fn dates_make_sense() {
    on_every_backend(|db, commons| {
        let slug = venture(commons, "EUR", "slicing-pie", "");
        // Before the venture started no policy was in force.
        let early = commons.log(&entry(&slug, Some("ben"), date!(2024 - 12 - 31), "time", &[("quantity", "1")]), today());
        assert!(code(early) == "date_out_of_range", "{}", db.backend);
        // Before a member joined.
        let add = AddMember {
            venture: slug.clone(),
            handle: "dee".into(),
            display_name: String::new(),
            role: "member".into(),
            joined_on: Some(date!(2025 - 06 - 01)),
            terms: TermsForm { hourly_rate: "40".into(), ..TermsForm::default() },
            idempotency_key: None,
        };
        commons.add_member(&add, today()).unwrap();
        let refused = commons.log(&entry(&slug, Some("dee"), date!(2025 - 05 - 31), "time", &[("quantity", "1")]), today()).unwrap_err();
        assert!(refused.to_string().contains("before dee joined"), "{refused}");
        // A day holds 24 hours at most; the defect took 8760 hours in one entry.
        for hours in ["24:01", "8760"] {
            assert_eq!(code(commons.log(&entry(&slug, Some("ben"), date!(2025 - 03 - 02), "time", &[("quantity", hours)]), today())), "amount_too_large");
        }
        // Longer work is logged for a period, at most 24 hours a day of it.
        let week = LogRequest { from: Some(date!(2025 - 03 - 03)), ..entry(&slug, Some("ben"), date!(2025 - 03 - 09), "time", &[("quantity", "40")]) };
        let stored = commons.log(&week, today()).unwrap();
        assert_eq!(stored.entry.inputs, "time;minutes=2400;paid=0;days=7");
        let sixty = LogRequest { from: Some(date!(2025 - 03 - 08)), ..entry(&slug, Some("ben"), date!(2025 - 03 - 09), "time", &[("quantity", "60")]) };
        let two_days = commons.preview(&sixty, today()).map(|_| ()).unwrap_err();
        assert!(two_days.to_string().contains("48 hours"), "{two_days}");
        let inverted = LogRequest { from: Some(date!(2025 - 03 - 10)), ..week.clone() };
        assert_eq!(code(commons.log(&inverted, today())), "date_out_of_range");
        let not_time = LogRequest { from: Some(date!(2025 - 03 - 03)), ..entry(&slug, Some("ben"), date!(2025 - 03 - 09), "expense", &[("amount", "5")]) };
        assert_eq!(code(commons.log(&not_time, today())), "invalid_input");
        // A period may not start before the member joined either.
        let before_joining = LogRequest { from: Some(date!(2025 - 05 - 30)), ..entry(&slug, Some("dee"), date!(2025 - 06 - 02), "time", &[("quantity", "3")]) };
        assert_eq!(code(commons.log(&before_joining, today())), "date_out_of_range");
        // A weekly recurring contribution of 40 hours is drafted as the week it covers.
        let set_up = SetUpRecurring {
            venture: slug.clone(),
            member: "ben".into(),
            form: form("time", &[("quantity", "40")]),
            note: "Building".into(),
            cadence: "weekly".into(),
            starts_on: date!(2025 - 04 - 07),
            ends_on: Some(date!(2025 - 04 - 07)),
        };
        commons.set_up_recurring(&set_up, today()).unwrap();
        commons.run_recurring(&slug, at(date!(2025 - 04 - 10))).unwrap();
        let seq = commons.decide_draft(&slug, 1, date!(2025 - 04 - 07), true, Some("ben"), at(date!(2025 - 04 - 10))).unwrap().unwrap();
        let page = commons.ledger(&slug, &peerstake_app::ledger::LedgerQuery { after: Some(seq - 1), limit: 1, ..Default::default() }).unwrap();
        assert_eq!(page.entries[0].entry.inputs, "time;minutes=2400;paid=0;days=7");
        let too_much = SetUpRecurring { form: form("time", &[("quantity", "169")]), ..set_up };
        assert_eq!(code(commons.set_up_recurring(&too_much, today())), "amount_too_large");
        verified(commons, &slug);
    });
}

fn person(commons: &Commons, username: &str) -> Account {
    commons.sign_up(&SignUp { username: username.into(), display_name: String::new(), password: format!("{username}-long-password") }, at(START)).unwrap()
}

#[test]
fn someone_who_left_earns_nothing_new_by_any_path() {
    on_every_backend(|db, commons| {
        let slug = venture(commons, "EUR", "slicing-pie", "");
        let day = date!(2025 - 05 - 01);
        // Cy backs the venture: money in the well, and a hold on a need still open.
        let cy = person(commons, "cy-account");
        commons.link_account(&slug, "cy", "cy-account").unwrap();
        commons.log(&entry(&slug, Some("cy"), date!(2025 - 04 - 01), "deposit", &[("amount", "80")]), today()).unwrap();
        commons.log(&entry(&slug, Some("ana"), date!(2025 - 04 - 01), "deposit", &[("amount", "20")]), today()).unwrap();
        let need = PublishNeed {
            venture: slug.clone(),
            title: "Printer".into(),
            amount: "100".into(),
            deadline: Some(date!(2025 - 12 - 30)),
            by: Some("ana".into()),
            ..PublishNeed::default()
        };
        let number = commons.publish_need(&need, at(day)).unwrap().record.number;
        let held = commons
            .pledge(&PledgeRequest { venture: slug.clone(), need: number, account: cy.id, amount: "40".into(), idempotency_key: None }, at(day))
            .unwrap();
        assert_eq!(held.pledge.status, "held");
        commons
            .set_up_recurring(
                &SetUpRecurring {
                    venture: slug.clone(),
                    member: "cy".into(),
                    form: form("deposit", &[("amount", "5")]),
                    note: String::new(),
                    cadence: "weekly".into(),
                    starts_on: date!(2025 - 05 - 05),
                    ends_on: None,
                },
                at(day),
            )
            .unwrap();
        commons.run_recurring(&slug, at(date!(2025 - 05 - 06))).unwrap();
        // Cy leaves, resigning for no good reason.
        let depart = DepartRequest {
            venture: slug.clone(),
            member: "cy".into(),
            case: "resigned-for-no-good-reason".into(),
            justification: "Stopped answering".into(),
            departed_on: Some(date!(2025 - 05 - 10)),
            by: Some("ana".into()),
            idempotency_key: None,
        };
        commons.depart(&depart, at(date!(2025 - 05 - 10))).unwrap();
        let after = at(date!(2025 - 05 - 12));
        // The hold was released, the recurring contribution stopped, its draft skipped.
        let (_, pledges) = commons.need(&slug, number, after).unwrap();
        assert_eq!(pledges[0].record.status, "released", "{}", db.backend);
        assert!(commons.recurring(&slug).unwrap().iter().all(|r| !r.record.active));
        assert!(commons.recurring_drafts(&slug).unwrap().iter().all(|d| d.draft.status != "waiting"));
        // No new pledge, no deposit, no time.
        let pledge = commons.pledge(&PledgeRequest { venture: slug.clone(), need: number, account: cy.id, amount: "10".into(), idempotency_key: None }, after);
        assert_eq!(code(pledge), "forbidden");
        assert_eq!(code(commons.log(&entry(&slug, Some("cy"), date!(2025 - 05 - 12), "deposit", &[("amount", "5")]), after)), "forbidden");
        // A payment from the well leaves their money out of it: ana's 20 pays, cy's 80 is owed back.
        assert_eq!(
            code(commons.pay_need(&PayNeed { venture: slug.clone(), need: number, amount: "21".into(), by: Some("ana".into()), idempotency_key: None }, after)),
            "well_insufficient"
        );
        commons.pay_need(&PayNeed { venture: slug.clone(), need: number, amount: "20".into(), by: Some("ana".into()), idempotency_key: None }, after).unwrap();
        let rows = split_of(commons, &slug);
        assert_eq!((rows[2].1.as_str(), rows[2].3.as_str()), ("0.00", "80.00"), "cy: no slices, 80 still theirs: {rows:?}");
        let statement = commons.statement(&slug, "cy").unwrap();
        assert_eq!(statement.well_owed_back_minor, 8_000);
        // It is handed back with a well return, recorded by a steward.
        commons
            .log(&LogRequest { author: Some("ana".into()), ..entry(&slug, Some("cy"), date!(2025 - 05 - 12), "well-return", &[("amount", "80")]) }, after)
            .unwrap();
        assert_eq!(commons.statement(&slug, "cy").unwrap().well_owed_back_minor, 0);
        verified(commons, &slug);
    });
}

#[test]
fn no_approval_and_no_buyout_adds_to_someone_who_left() {
    on_every_backend(|db, commons| {
        let request = CreateVenture { name: "Reviewed".into(), policy: PolicyChoice::File("review = \"stewards\"".into()), ..venture_request("reviewed") };
        commons.create_venture(&request, at(START)).unwrap();
        let hourly = || TermsForm { hourly_rate: "50".into(), ..TermsForm::default() };
        add_members(commons, "reviewed", [("ana", "steward", hourly()), ("ben", "member", hourly()), ("cy", "member", hourly())]);
        let waiting = commons.log(&entry("reviewed", Some("ben"), date!(2025 - 03 - 01), "time", &[("quantity", "4")]), today()).unwrap().entry.seq;
        let counted = commons.log(&entry("reviewed", Some("cy"), date!(2025 - 03 - 01), "time", &[("quantity", "4")]), today()).unwrap().entry.seq;
        let approve = |seq: u64| peerstake_app::review::ReviewRequest {
            venture: "reviewed".into(),
            seq,
            step: peerstake_core::review::Step::Approve,
            by: "ana".into(),
            note: String::new(),
            idempotency_key: None,
        };
        commons.review(&approve(counted), at(date!(2025 - 03 - 02))).unwrap();
        for (who, case) in [("ben", "fired-for-no-good-reason"), ("cy", "resigned-for-good-reason")] {
            let depart = DepartRequest {
                venture: "reviewed".into(),
                member: who.into(),
                case: case.into(),
                justification: "Moved on".into(),
                departed_on: Some(date!(2025 - 03 - 10)),
                by: Some("ana".into()),
                idempotency_key: None,
            };
            commons.depart(&depart, at(date!(2025 - 03 - 10))).unwrap();
        }
        // Ben's entry was still waiting: approving it now would count it for someone who left.
        assert_eq!(code(commons.review(&approve(waiting), at(date!(2025 - 03 - 11)))), "forbidden", "{}", db.backend);
        // Cy's slices cannot pass to ben, who left too.
        let buyout = peerstake_app::departures::BuyoutRequest {
            venture: "reviewed".into(),
            member: "cy".into(),
            buyer: Some("ben".into()),
            price_per_slice: String::new(),
            by: Some("ana".into()),
            idempotency_key: None,
        };
        let offer = commons.offer_buyout(&buyout, at(date!(2025 - 03 - 11)));
        assert!(offer.is_err(), "a buyer who left: {offer:?}");
        verified(commons, "reviewed");
    });
}

//! Ventures, members, terms and policy versions.

use peerstake_app::book::SetPolicy;
use peerstake_app::forms::TermsForm;
use peerstake_app::members::SetTerms;
use peerstake_app::membership::AddMember;
use peerstake_app::policy_file::PolicyChoice;
use peerstake_app::ventures::CreateVenture;
use time::macros::date;

use crate::harness::*;

fn create(slug: &str, currency: &str, policy: PolicyChoice, key: Option<&str>) -> CreateVenture {
    CreateVenture {
        slug: slug.into(),
        name: "Name".into(),
        pitch: String::new(),
        currency: currency.into(),
        policy,
        started_on: Some(START),
        number_format: String::new(),
        idempotency_key: key.map(str::to_string),
    }
}

#[test]
fn ventures_are_created_listed_and_refused_when_invalid() {
    on_every_backend(|db, commons| {
        let preset = || PolicyChoice::Preset("slicing-pie".into());
        commons.create_venture(&create("alpha", "EUR", preset(), None), at(START)).unwrap();
        commons.create_venture(&create("beta", "jpy", PolicyChoice::Preset("hours-only".into()), None), at(START)).unwrap();
        assert_eq!(code(commons.create_venture(&create("alpha", "EUR", preset(), None), at(START))), "already_exists", "{}", db.backend);
        assert_eq!(code(commons.create_venture(&create("Bad Slug", "EUR", preset(), None), at(START))), "invalid_input");
        assert_eq!(code(commons.create_venture(&create("gamma", "XYZ", preset(), None), at(START))), "unknown_currency");
        assert_eq!(code(commons.create_venture(&create("gamma", "EUR", PolicyChoice::Preset("magic".into()), None), at(START))), "invalid_input");
        assert_eq!(
            code(commons.create_venture(&create("gamma", "EUR", PolicyChoice::File("multiplier_cash = \"-1\"".into()), None), at(START))),
            "invalid_input"
        );
        let list = commons.ventures(today()).unwrap();
        let slugs: Vec<&str> = list.iter().map(|v| v.record.slug.as_str()).collect();
        assert_eq!(slugs, ["alpha", "beta"], "{}", db.backend);
        assert_eq!(list.get(1).map(|v| v.record.currency.as_str()), Some("JPY"));
        assert_eq!(list.get(1).map(|v| v.policy_preset.as_str()), Some("hours-only"));
    });
}

#[test]
fn creating_a_venture_twice_with_one_key_is_harmless() {
    on_every_backend(|_, commons| {
        let request = create("alpha", "EUR", PolicyChoice::Preset("slicing-pie".into()), Some("k-1"));
        let first = commons.create_venture(&request, at(START)).unwrap();
        let second = commons.create_venture(&request, at(START)).unwrap();
        assert_eq!(first, second);
        let other = create("other", "EUR", PolicyChoice::Preset("slicing-pie".into()), Some("k-1"));
        assert_eq!(code(commons.create_venture(&other, at(START))), "idempotency_conflict");
        assert_eq!(commons.ventures(today()).unwrap().len(), 1);
    });
}

#[test]
fn members_and_terms() {
    on_every_backend(|db, commons| {
        small_venture(commons);
        let add = |handle: &str, role: &str, terms: TermsForm| AddMember {
            venture: "pie".into(),
            handle: handle.into(),
            display_name: "Someone".into(),
            role: role.into(),
            joined_on: Some(START),
            terms,
            idempotency_key: None,
        };
        assert_eq!(code(commons.add_member(&add("ana", "member", TermsForm::default()), today())), "already_exists", "{}", db.backend);
        assert_eq!(code(commons.add_member(&add("cy", "king", TermsForm::default()), today())), "invalid_input");
        assert_eq!(code(commons.add_member(&add("cy", "member", TermsForm { hourly_rate: "-3".into(), ..TermsForm::default() }), today())), "negative_amount");
        assert_eq!(code(commons.add_member(&add("ghost", "member", TermsForm::default()), at(date!(2024 - 12 - 31)))), "date_out_of_range");
        let members = commons.members("pie", today()).unwrap();
        assert_eq!(members.iter().map(|m| m.record.handle.as_str()).collect::<Vec<_>>(), ["ana", "ben", "fay"]);

        // Terms change from a date on: earlier time keeps the old rate.
        log(commons, Some("ben"), date!(2025 - 02 - 01), form("time", &[("quantity", "2")])).unwrap();
        let set = |from| SetTerms {
            venture: "pie".into(),
            handle: "ben".into(),
            terms: TermsForm { hourly_rate: "80".into(), ..TermsForm::default() },
            effective_from: from,
            idempotency_key: None,
        };
        assert_eq!(code(commons.set_terms(&set(date!(2025 - 02 - 01)), today())), "retroactive_change");
        commons.set_terms(&set(date!(2025 - 03 - 01)), today()).unwrap();
        log(commons, Some("ben"), date!(2025 - 03 - 02), form("time", &[("quantity", "1")])).unwrap();
        log(commons, Some("ben"), date!(2025 - 02 - 20), form("time", &[("quantity", "1")])).unwrap();
        // 2 h × 50 + 1 h × 80 + 1 h × 50 (backdated, old terms) = 230, ×2.
        assert_eq!(shares(commons, &Default::default()).into_iter().find(|s| s.0 == "ben").map(|s| s.1), Some("460.00".to_string()));
    });
}

#[test]
fn a_policy_change_applies_only_from_its_date() {
    on_every_backend(|db, commons| {
        small_venture(commons);
        log(commons, Some("fay"), date!(2025 - 01 - 10), form("expense", &[("amount", "100")])).unwrap();
        let before = shares(commons, &Default::default());
        let set =
            |from, policy: &str| SetPolicy { venture: "pie".into(), policy: PolicyChoice::File(policy.into()), effective_from: from, idempotency_key: None };
        assert_eq!(code(commons.set_policy(&set(date!(2025 - 01 - 10), "multiplier_cash = \"2\""), today())), "retroactive_change", "{}", db.backend);
        commons.set_policy(&set(date!(2025 - 02 - 01), "multiplier_cash = \"2\""), today()).unwrap();
        assert_eq!(shares(commons, &Default::default()), before, "entries before the effective date keep their slices");
        log(commons, Some("fay"), date!(2025 - 02 - 10), form("expense", &[("amount", "100")])).unwrap();
        assert_eq!(shares(commons, &Default::default()).into_iter().find(|s| s.0 == "fay").map(|s| s.1), Some("600.00".to_string()));
        let (_, history) = commons.policy_history("pie").unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(commons.verify("pie").unwrap().differences, Vec::<String>::new());
    });
}

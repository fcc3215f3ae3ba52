//! Accounts, sessions, API tokens, access settings and joining, on every backend.

use peerstake_app::access::Account;
use peerstake_app::accounts::SignUp;
use peerstake_app::forms::TermsForm;
use peerstake_app::ledger::SplitQuery;
use peerstake_app::members::Joined;
use peerstake_app::ventures::CreateVenture;
use peerstake_app::{Commons, Now};
use peerstake_store::AccessRecord;
use time::macros::date;

use crate::harness::{code, on_every_backend, venture_request};

fn now() -> Now {
    Now::noon_of(date!(2026 - 01 - 15))
}

fn account(commons: &Commons, username: &str) -> Account {
    commons.sign_up(&SignUp { username: username.into(), display_name: String::new(), password: format!("{username}-long-password") }, now()).unwrap()
}

fn create(commons: &Commons, steward: &Account, slug: &str, join_mode: &str, visibility: &str) {
    let request = CreateVenture { name: slug.to_uppercase(), started_on: None, ..venture_request(slug) };
    let access = AccessRecord { join_mode: join_mode.into(), visibility: visibility.into() };
    let standing = commons.acting(Some(steward)).create_venture(&request, &access, now()).unwrap();
    assert!(standing.is_steward());
}

#[test]
fn accounts_sessions_and_passwords() {
    on_every_backend(|_, commons| {
        let ana = account(commons, "ana");
        assert_eq!(ana.display_name, "ana");
        assert_eq!(
            code(commons.sign_up(&SignUp { username: "ANA".into(), display_name: String::new(), password: "another-password".into() }, now())),
            "already_exists"
        );
        assert_eq!(code(commons.sign_up(&SignUp { username: "bo".into(), display_name: String::new(), password: "short".into() }, now())), "invalid_input");
        assert_eq!(code(commons.account_by_username("bo")), "not_found", "a refused sign-up writes nothing");
        assert_eq!(code(commons.sign_in("ana", "wrong-password", "10.0.0.1", now())), "unauthorized");
        assert_eq!(code(commons.sign_in("nobody", "wrong-password", "10.0.0.1", now())), "unauthorized");

        let session = commons.sign_in("Ana", "ana-long-password", "10.0.0.1", now()).unwrap();
        assert_eq!(commons.session_account(&session.token, now()).unwrap(), Some(ana.clone()));
        let later = Now::from_unix_ms(session.expires_at_ms);
        assert_eq!(commons.session_account(&session.token, later).unwrap(), None, "a session ends when it expires");
        assert_eq!(commons.session_account("not-a-token", now()).unwrap(), None);

        let other = commons.sign_in("ana", "ana-long-password", "10.0.0.2", now()).unwrap();
        assert_eq!(code(commons.change_password(ana.id, "wrong-password", "a-new-password", &[], now())), "invalid_input");
        assert_eq!(code(commons.change_password(ana.id, "ana-long-password", "short", &[], now())), "invalid_input");
        let renewed = commons.change_password(ana.id, "ana-long-password", "a-new-password", &[], now()).unwrap();
        assert_eq!(commons.session_account(&other.token, now()).unwrap(), None, "other sessions end");
        assert_eq!(commons.session_account(&renewed.token, now()).unwrap(), Some(ana.clone()));
        assert_eq!(code(commons.sign_in("ana", "ana-long-password", "10.0.0.3", now())), "unauthorized");
        commons.sign_out(&renewed.token).unwrap();
        assert_eq!(commons.session_account(&renewed.token, now()).unwrap(), None);
    });
}

#[test]
fn a_password_change_ends_the_tokens_made_before_it_but_those_kept() {
    on_every_backend(|_, commons| {
        let ana = account(commons, "ana");
        let (laptop, _) = commons.create_api_token(ana.id, "laptop", now()).unwrap();
        let (ci, kept) = commons.create_api_token(ana.id, "ci", now()).unwrap();
        let (ben_token, _) = commons.create_api_token(account(commons, "ben").id, "ben's", now()).unwrap();
        // A refused change keeps every token.
        assert_eq!(code(commons.change_password(ana.id, "wrong-password", "a-new-password", &[], now())), "invalid_input");
        assert!(commons.token_account(&laptop).unwrap().is_some());
        commons.change_password(ana.id, "ana-long-password", "a-new-password", &[kept.id], now()).unwrap();
        assert_eq!(commons.token_account(&laptop).unwrap(), None, "a token made before the change ends");
        assert_eq!(commons.token_account(&ci).unwrap(), Some(ana.clone()), "unless it was kept");
        assert!(commons.token_account(&ben_token).unwrap().is_some(), "others' tokens are not touched");
        let listed = commons.api_tokens(ana.id).unwrap();
        assert!(listed.iter().any(|t| t.name == "laptop" && t.revoked_at_ms == Some(now().at_ms)), "the end is recorded");
        // A token made after the change lives on.
        let (after, _) = commons.create_api_token(ana.id, "after", now()).unwrap();
        assert!(commons.token_account(&after).unwrap().is_some());
    });
}

#[test]
fn api_tokens() {
    on_every_backend(|_, commons| {
        let ana = account(commons, "ana");
        let ben = account(commons, "ben");
        let (first, _) = commons.create_api_token(ana.id, "laptop", now()).unwrap();
        let (second, record) = commons.create_api_token(ana.id, "ci", now()).unwrap();
        assert!(first.starts_with("pst_") && first != second);
        assert_eq!(commons.api_tokens(ana.id).unwrap().iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["ci", "laptop"]);
        assert_eq!(commons.token_account(&second).unwrap(), Some(ana.clone()));
        assert_eq!(commons.token_account("pst_0000").unwrap(), None);
        assert_eq!(code(commons.revoke_api_token(ben.id, record.id, now())), "not_found", "only the owner revokes");
        commons.revoke_api_token(ana.id, record.id, now()).unwrap();
        assert_eq!(code(commons.revoke_api_token(ana.id, record.id, now())), "not_found");
        assert_eq!(commons.token_account(&second).unwrap(), None);
        assert_eq!(commons.token_account(&first).unwrap(), Some(ana));
        assert_eq!(code(commons.create_api_token(ben.id, "  ", now())), "invalid_input");
    });
}

#[test]
fn access_and_joining() {
    on_every_backend(|_, commons| {
        let ana = account(commons, "ana");
        let ben = account(commons, "ben");
        create(commons, &ana, "open-one", "open", "public");
        create(commons, &ana, "ask", "request", "public");
        create(commons, &ana, "closed", "invite", "members");
        let as_ben = commons.acting(Some(&ben));
        let visible: Vec<String> = as_ben.ventures("", now()).unwrap().iter().map(|c| c.venture.record.slug.clone()).collect();
        assert_eq!(visible, ["ask", "open-one"]);
        assert_eq!(code(as_ben.standing("closed", now())), "not_found");
        assert_eq!(code(commons.acting(None).split("closed", &SplitQuery::default(), now())), "not_found");

        assert_eq!(as_ben.join("open-one", "", &TermsForm { hourly_rate: "30".into(), ..TermsForm::default() }, now()).unwrap(), Joined::Member("ben".into()));
        assert_eq!(as_ben.join("open-one", "", &TermsForm::default(), now()).unwrap(), Joined::Member("ben".into()), "joining twice changes nothing");
        assert_eq!(commons.members("open-one", now()).unwrap().len(), 2);

        assert_eq!(as_ben.join("ask", "hello", &TermsForm::default(), now()).unwrap(), Joined::Requested);
        assert_eq!(as_ben.join("ask", "hello again", &TermsForm::default(), now()).unwrap(), Joined::Requested);
        assert_eq!(code(as_ben.join_requests("ask", now())), "forbidden");
        let requests = commons.acting(Some(&ana)).join_requests("ask", now()).unwrap();
        assert_eq!(requests.len(), 1, "one pending request per person");
        assert_eq!(requests[0].record.message, "hello");
        assert_eq!(commons.acting(Some(&ana)).decide_join("ask", "ben", true, now()).unwrap(), Some("ben".into()));
        assert_eq!(code(commons.acting(Some(&ana)).decide_join("ask", "ben", true, now())), "not_found");
        assert!(as_ben.standing("ask", now()).unwrap().member.is_some());

        assert_eq!(code(as_ben.join("open-one-typo", "", &TermsForm::default(), now())), "not_found");
        let carl = account(commons, "carl");
        assert_eq!(code(commons.acting(Some(&carl)).invite("open-one", "ben", "member", &TermsForm::default(), now())), "forbidden");
        assert_eq!(commons.acting(Some(&ana)).invite("closed", "carl", "advisor", &TermsForm::default(), now()).unwrap(), "carl");
        assert!(commons.acting(Some(&carl)).standing("closed", now()).unwrap().member.is_some());
        assert_eq!(code(commons.acting(None).join("open-one", "", &TermsForm::default(), now())), "unauthorized");

        let members_only = AccessRecord { join_mode: "open".into(), visibility: "members".into() };
        assert_eq!(code(as_ben.set_access("open-one", &members_only, now())), "forbidden");
        assert_eq!(
            code(commons.acting(Some(&ana)).set_access("open-one", &AccessRecord { join_mode: "x".into(), visibility: "public".into() }, now())),
            "invalid_input"
        );
        commons.acting(Some(&ana)).set_access("open-one", &members_only, now()).unwrap();
        assert_eq!(code(commons.acting(Some(&carl)).standing("open-one", now())), "not_found");
        assert!(as_ben.standing("open-one", now()).is_ok(), "members still see it");
    });
}

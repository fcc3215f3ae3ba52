//! Accounts, sessions, API tokens, access settings and joining, on every backend.

use peerstake_app::access::Account;
use peerstake_app::accounts::SignUp;
use peerstake_app::departures::DepartRequest;
use peerstake_app::forms::TermsForm;
use peerstake_app::ledger::SplitQuery;
use peerstake_app::members::Joined;
use peerstake_app::ventures::CreateVenture;
use peerstake_app::{AppError, Commons, Now};
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

#[test]
fn failed_sign_ins_are_throttled_across_restarts_and_servers() {
    on_every_backend(|database, first| {
        account(first, "ana");
        account(first, "ben");
        let minute = |n: i64| Now::from_unix_ms(now().at_ms + n * 60_000);
        for n in 0..5 {
            assert_eq!(code(first.sign_in("ana", "wrong-password", "10.0.0.1", minute(n))), "unauthorized");
        }
        // A second commons over the same database (another server, or this one restarted) counts
        // the first one's failures: a failed sign-in is recorded even though it fails.
        let second = database.commons();
        let throttled = second.sign_in("ana", "ana-long-password", "10.0.0.2", minute(5)).unwrap_err();
        assert!(matches!(throttled, AppError::Throttled { retry_after_seconds: 600 }), "the oldest failure leaves the window in ten minutes: {throttled:?}");
        assert_eq!(code(second.sign_in("ben", "ben-long-password", "10.0.0.1", minute(5))), "too_many_attempts", "the address is throttled too");
        assert!(second.sign_in("ben", "ben-long-password", "10.0.0.2", minute(5)).is_ok(), "another person from another address is not");
        drop(second);
        // A moment before the oldest failure leaves, still throttled (for at least a second); as it
        // leaves, four remain and the right password works.
        let window_ms = peerstake_app::accounts::THROTTLE_WINDOW_MS;
        let just_before = Now::from_unix_ms(now().at_ms + window_ms - 1);
        let waiting = first.sign_in("ana", "ana-long-password", "10.0.0.3", just_before).unwrap_err();
        assert!(matches!(waiting, AppError::Throttled { retry_after_seconds: 1 }), "{waiting:?}");
        let third = database.commons();
        let window_end = Now::from_unix_ms(now().at_ms + window_ms);
        assert!(third.sign_in("ana", "ana-long-password", "10.0.0.3", window_end).is_ok(), "a restart changes nothing either");

        // A success forgets the username's failures, not the address's.
        for n in 0..4 {
            assert_eq!(code(third.sign_in("ben", "wrong-password", "10.0.0.4", minute(20 + n))), "unauthorized");
        }
        third.sign_in("ben", "ben-long-password", "10.0.0.4", minute(24)).unwrap();
        assert_eq!(code(third.sign_in("ben", "wrong-password", "10.0.0.5", minute(25))), "unauthorized");
        assert!(first.sign_in("ben", "ben-long-password", "10.0.0.6", minute(26)).is_ok(), "one failure since the success, not five");
        assert_eq!(code(first.sign_in("ana", "wrong-password", "10.0.0.4", minute(26))), "unauthorized", "the address's fifth failure");
        assert_eq!(code(first.sign_in("ana", "ana-long-password", "10.0.0.4", minute(27))), "too_many_attempts");
    });
}

#[test]
fn the_settings_history_keeps_every_change_of_access_and_stewards_with_who_and_when() {
    on_every_backend(|_, commons| {
        let [ana, ben, cy, carl] = ["ana", "ben", "cy", "carl"].map(|name| account(commons, name));
        let minute = |n: i64| Now::from_unix_ms(now().at_ms + n * 60_000);
        create(commons, &ana, "loom", "request", "public");
        let (as_ana, as_cy) = (commons.acting(Some(&ana)), commons.acting(Some(&cy)));
        let count = || commons.settings_history("loom").unwrap().len();
        assert_eq!(count(), 3, "the first steward, how it is joined and who may read it");

        // Refused changes record nothing.
        let invite_members = AccessRecord { join_mode: "invite".into(), visibility: "members".into() };
        assert_eq!(code(commons.acting(Some(&carl)).set_access("loom", &invite_members, minute(1))), "forbidden");
        assert_eq!(code(commons.acting(None).set_access("loom", &invite_members, minute(1))), "unauthorized");
        assert_eq!(code(as_ana.set_access("loom", &AccessRecord { join_mode: "sometimes".into(), ..invite_members.clone() }, minute(1))), "invalid_input");
        assert_eq!(code(as_ana.invite("loom", "ben", "chief", &TermsForm::default(), minute(1))), "invalid_input");
        assert_eq!(code(as_ana.invite("loom", "nobody", "steward", &TermsForm::default(), minute(1))), "not_found");
        assert_eq!(count(), 3);

        as_ana.set_access("loom", &invite_members, minute(1)).unwrap();
        as_ana.set_access("loom", &invite_members, minute(2)).unwrap();
        assert_eq!(count(), 5, "saving the same settings again changes nothing");
        as_ana.invite("loom", "ben", "steward", &TermsForm::default(), minute(3)).unwrap();
        as_ana.invite("loom", "cy", "member", &TermsForm::default(), minute(3)).unwrap();
        assert_eq!(count(), 6, "a member who is no steward is no change of the settings");
        assert_eq!(code(as_cy.invite("loom", "carl", "steward", &TermsForm::default(), minute(3))), "forbidden");

        // A handover declined changes nothing; one accepted makes one steward and ends another.
        let declined = as_ana.propose_handover("loom", "cy", "Over to you?", minute(4)).unwrap().record.number;
        as_cy.answer_handover("loom", declined, "decline", "Not yet", minute(4)).unwrap();
        let accepted = as_ana.propose_handover("loom", "cy", "Now?", minute(5)).unwrap().record.number;
        assert_eq!(code(commons.acting(Some(&ben)).answer_handover("loom", accepted, "accept", "", minute(5))), "forbidden");
        assert_eq!(count(), 6);
        as_cy.answer_handover("loom", accepted, "accept", "Gladly", minute(6)).unwrap();
        // A steward who leaves is a steward no longer.
        let leave = DepartRequest {
            venture: "loom".into(),
            member: "ben".into(),
            case: "resigned-for-good-reason".into(),
            justification: "Moving abroad".into(),
            ..DepartRequest::default()
        };
        as_cy.depart(&leave, minute(7)).unwrap();

        let history = as_cy.settings_history("loom", minute(8)).unwrap();
        let rows: Vec<(u32, &str, String, String, &str, String, i64)> = history
            .iter()
            .map(|c| (c.record.number, c.record.setting.as_str(), c.what(), c.record.reason.clone(), c.record.by_kind.as_str(), c.by(), c.record.at_ms))
            .collect();
        let t = |n: i64| minute(n).at_ms;
        let handover = format!("handover #{accepted} accepted");
        let expected: Vec<(u32, &str, String, String, &str, String, i64)> = [
            (1, "steward", "ana's role: — → steward", "venture created", "ana", 0),
            (2, "join_mode", "who may join: — → request", "venture created", "ana", 0),
            (3, "visibility", "who may read: — → public", "venture created", "ana", 0),
            (4, "join_mode", "who may join: request → invite", "access changed", "ana", 1),
            (5, "visibility", "who may read: public → members", "access changed", "ana", 1),
            (6, "steward", "ben's role: — → steward", "invited", "ana", 3),
            (7, "steward", "cy's role: member → steward", handover.as_str(), "cy", 6),
            (8, "steward", "ana's role: steward → member", handover.as_str(), "cy", 6),
            (9, "steward", "ben's role: steward → left", "left the venture (departure #1)", "cy", 7),
        ]
        .into_iter()
        .map(|(n, setting, what, reason, by, at)| (n, setting, what.to_string(), reason.to_string(), "person", by.to_string(), t(at)))
        .collect();
        assert_eq!(rows, expected);
        // Who, exactly: the account, and the member when they were one.
        let ids = |c: &peerstake_app::audit::SettingsChangeView| (c.record.by_account, c.by_username.clone(), c.by_handle.clone());
        assert_eq!(ids(&history[0]), (Some(ana.id), Some("ana".into()), None), "not a member yet when the venture was created");
        assert_eq!(ids(&history[3]), (Some(ana.id), Some("ana".into()), Some("ana".into())));
        assert_eq!(ids(&history[8]), (Some(cy.id), Some("cy".into()), Some("cy".into())));
        assert_eq!(history[6].member.as_deref(), Some("cy"));

        // Members read it; nobody else finds the members-only venture, and one who left no longer does.
        assert_eq!(code(commons.acting(Some(&carl)).settings_history("loom", minute(8))), "not_found");
        assert_eq!(code(commons.acting(None).settings_history("loom", minute(8))), "not_found");
        assert_eq!(code(commons.acting(Some(&ben)).settings_history("loom", minute(8))), "not_found");
        as_cy.set_access("loom", &AccessRecord { join_mode: "invite".into(), visibility: "public".into() }, minute(9)).unwrap();
        assert_eq!(code(commons.acting(Some(&carl)).settings_history("loom", minute(9))), "forbidden", "of a public venture too: members only");
        assert_eq!(code(commons.acting(None).settings_history("loom", minute(9))), "unauthorized");
    });
}

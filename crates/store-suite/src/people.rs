//! The people side of the commons ([`peerstake_store::People`]): accounts with their password
//! hash, notification address and number format, sessions and API tokens under the hash of
//! their secret, failed sign-ins counted in a window, access settings and their history,
//! member-to-account links and requests to join.

use peerstake_core::numbers::NumberFormat;
use peerstake_core::terms::MemberNo;
use peerstake_store::people::{SIGN_IN_FAILURES_PRUNED_MAX, SettingsChangeRecord, SignInFailures};
use peerstake_store::{AccessRecord, AccountId, AccountRecord, ApiTokenRecord, JoinRequestRecord, Mode, SessionRecord};

use crate::Factory;
use crate::fixtures::{member, read, venture, write};

/// Accounts read back whole by id and by username, each with its own id; a new password hash
/// replaces the old; an unknown id or username is none.
pub fn accounts_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (ann, bob) = write(store, |tx| (tx.insert_account("ann", "Ann", "hash-a", 10).unwrap(), tx.insert_account("bob", "Bob Ö'Neil", "hash-b", 11).unwrap()));
    assert_ne!(ann, bob);
    read(store, |tx| {
        assert_eq!(
            tx.account(ann).unwrap(),
            Some(AccountRecord {
                id: ann,
                username: "ann".into(),
                display_name: "Ann".into(),
                password_hash: "hash-a".into(),
                created_at_ms: 10,
                number_format: None
            })
        );
        let by_name = tx.account_by_username("bob").unwrap().unwrap();
        assert_eq!((by_name.id, by_name.display_name.as_str(), by_name.created_at_ms), (bob, "Bob Ö'Neil", 11));
        assert!(tx.account_by_username("carol").unwrap().is_none());
        assert!(tx.account(AccountId(ann.0.max(bob.0) + 1000)).unwrap().is_none());
    });
    write(store, |tx| tx.set_password_hash(ann, "$argon2id$v=19$new").unwrap());
    read(store, |tx| {
        assert_eq!(tx.account(ann).unwrap().unwrap().password_hash, "$argon2id$v=19$new");
        assert_eq!(tx.account(bob).unwrap().unwrap().password_hash, "hash-b", "another account's hash stays");
    });
}

/// An account's notification address is none until set, then replaced, then removed; its number
/// format is none until chosen, takes every format, and is removed again; neither touches
/// another account.
pub fn account_email_and_number_format(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (ann, bob) = write(store, |tx| (tx.insert_account("ann", "Ann", "h", 1).unwrap(), tx.insert_account("bob", "Bob", "h", 2).unwrap()));
    write(store, |tx| {
        assert_eq!(tx.account_email(ann).unwrap(), None);
        tx.set_account_email(ann, Some("ann@example.org"), 10).unwrap();
        tx.set_account_email(bob, Some("bob@example.org"), 10).unwrap();
    });
    write(store, |tx| {
        assert_eq!(tx.account_email(ann).unwrap().as_deref(), Some("ann@example.org"));
        tx.set_account_email(ann, Some("ann@example.net"), 11).unwrap();
        assert_eq!(tx.account_email(ann).unwrap().as_deref(), Some("ann@example.net"));
        tx.set_account_email(bob, None, 12).unwrap();
        tx.set_account_email(bob, None, 13).unwrap();
    });
    read(store, |tx| {
        assert_eq!(tx.account_email(ann).unwrap().as_deref(), Some("ann@example.net"));
        assert_eq!(tx.account_email(bob).unwrap(), None);
    });

    for format in NumberFormat::ALL {
        write(store, |tx| tx.set_account_number_format(ann, Some(format)).unwrap());
        read(store, |tx| {
            assert_eq!(tx.account(ann).unwrap().unwrap().number_format, Some(format));
            assert_eq!(tx.account_by_username("ann").unwrap().unwrap().number_format, Some(format));
            assert_eq!(tx.account(bob).unwrap().unwrap().number_format, None);
        });
    }
    write(store, |tx| tx.set_account_number_format(ann, None).unwrap());
    assert_eq!(read(store, |tx| tx.account(ann).unwrap().unwrap().number_format), None);
}

/// Sessions are found by the hash of their token; one ends alone, or all of an account's at
/// once, leaving other accounts' sessions.
pub fn sessions_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (ann, bob) = write(store, |tx| (tx.insert_account("ann", "Ann", "h", 1).unwrap(), tx.insert_account("bob", "Bob", "h", 2).unwrap()));
    let session = SessionRecord { account: ann, created_at_ms: 20, expires_at_ms: 30 };
    let bobs = SessionRecord { account: bob, created_at_ms: 22, expires_at_ms: 32 };
    write(store, |tx| {
        tx.insert_session(&[1; 32], &session).unwrap();
        tx.insert_session(&[2; 32], &SessionRecord { account: ann, created_at_ms: 21, expires_at_ms: 31 }).unwrap();
        tx.insert_session(&[3; 32], &bobs).unwrap();
    });
    let mut tx = store.begin(Mode::Write).unwrap();
    assert_eq!(tx.session(&[1; 32]).unwrap(), Some(session));
    assert!(tx.session(&[9; 32]).unwrap().is_none());
    tx.delete_session(&[1; 32]).unwrap();
    tx.delete_session(&[9; 32]).unwrap();
    assert!(tx.session(&[1; 32]).unwrap().is_none());
    assert!(tx.session(&[2; 32]).unwrap().is_some());
    tx.delete_sessions_of(ann).unwrap();
    assert!(tx.session(&[2; 32]).unwrap().is_none());
    assert_eq!(tx.session(&[3; 32]).unwrap(), Some(bobs.clone()), "another account's session stays");
    tx.commit().unwrap();
    read(store, |tx| {
        assert!(tx.session(&[2; 32]).unwrap().is_none());
        assert_eq!(tx.session(&[3; 32]).unwrap(), Some(bobs));
    });
}

/// API tokens are listed newest first, revoked ones included, found by the hash of their secret,
/// and revoked once and only by their owner.
pub fn api_tokens_and_revocation(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (ann, bob) = write(store, |tx| (tx.insert_account("ann", "Ann", "h", 1).unwrap(), tx.insert_account("bob", "Bob", "h", 2).unwrap()));
    let (first, second) = write(store, |tx| {
        let first = tx.insert_api_token(&[4; 32], ann, "ci", "ps_aaaa", 40).unwrap();
        let second = tx.insert_api_token(&[5; 32], ann, "laptop", "ps_bbbb", 41).unwrap();
        tx.insert_api_token(&[6; 32], bob, "bob's", "ps_cccc", 42).unwrap();
        (first, second)
    });
    assert_ne!(first, second);
    let mut tx = store.begin(Mode::Write).unwrap();
    let tokens = tx.api_tokens(ann).unwrap();
    assert_eq!(tokens.iter().map(|t| t.id).collect::<Vec<_>>(), vec![second, first]);
    assert_eq!(tokens[1], ApiTokenRecord { id: first, account: ann, name: "ci".into(), prefix: "ps_aaaa".into(), created_at_ms: 40, revoked_at_ms: None });
    assert_eq!(tx.api_token_by_hash(&[5; 32]).unwrap().unwrap().id, second);
    assert_eq!(tx.api_token_by_hash(&[6; 32]).unwrap().unwrap().account, bob);
    assert!(tx.api_token_by_hash(&[7; 32]).unwrap().is_none());
    assert!(!tx.revoke_api_token(bob, first, 50).unwrap(), "not bob's token");
    assert!(tx.revoke_api_token(ann, first, 50).unwrap());
    assert!(!tx.revoke_api_token(ann, first, 51).unwrap(), "already revoked");
    assert!(!tx.revoke_api_token(ann, first.max(second) + 1000, 51).unwrap(), "no such token");
    tx.commit().unwrap();
    read(store, |tx| {
        assert_eq!(tx.api_token_by_hash(&[4; 32]).unwrap().unwrap().revoked_at_ms, Some(50), "the first revocation's time stays");
        assert_eq!(tx.api_token_by_hash(&[5; 32]).unwrap().unwrap().revoked_at_ms, None);
        assert_eq!(tx.api_tokens(ann).unwrap().len(), 2, "revoked tokens are listed");
        assert_eq!(tx.api_tokens(bob).unwrap().len(), 1);
    });
}

/// A venture's access settings are none until set, then replaced, and each venture's own.
pub fn access_settings(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta) = write(store, |tx| (venture(tx, "acme"), venture(tx, "beta")));
    let request = AccessRecord { join_mode: "request".into(), visibility: "public".into() };
    let invite = AccessRecord { join_mode: "invite".into(), visibility: "members".into() };
    write(store, |tx| {
        assert!(tx.venture_access(acme).unwrap().is_none());
        tx.set_venture_access(acme, &request, 60).unwrap();
        assert_eq!(tx.venture_access(acme).unwrap(), Some(request.clone()));
    });
    write(store, |tx| tx.set_venture_access(acme, &invite, 61).unwrap());
    read(store, |tx| {
        assert_eq!(tx.venture_access(acme).unwrap(), Some(invite));
        assert!(tx.venture_access(beta).unwrap().is_none());
    });
}

/// Members are linked to the accounts they sign in with: found from either side, listed by
/// member number within a venture and by venture for an account.
pub fn member_links(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta, ann, bob, cat) = write(store, |tx| {
        let ann = tx.insert_account("ann", "Ann", "h", 1).unwrap();
        let bob = tx.insert_account("bob", "Bob", "h", 2).unwrap();
        let cat = tx.insert_account("cat", "Cat", "h", 3).unwrap();
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        for (no, handle) in [(1, "ann"), (2, "bob"), (3, "cat")] {
            tx.insert_member(acme, &member(no, handle)).unwrap();
        }
        tx.insert_member(beta, &member(1, "bob")).unwrap();
        tx.insert_member(beta, &member(2, "ann")).unwrap();
        tx.link_member(acme, MemberNo(2), bob).unwrap();
        tx.link_member(acme, MemberNo(1), ann).unwrap();
        tx.link_member(beta, MemberNo(2), ann).unwrap();
        (acme, beta, ann, bob, cat)
    });
    assert!(acme < beta, "ids count up");
    read(store, |tx| {
        assert_eq!(tx.member_accounts(acme).unwrap(), vec![(MemberNo(1), ann), (MemberNo(2), bob)]);
        assert_eq!(tx.member_accounts(beta).unwrap(), vec![(MemberNo(2), ann)]);
        assert_eq!(tx.account_member(acme, ann).unwrap(), Some(MemberNo(1)));
        assert_eq!(tx.account_member(beta, ann).unwrap(), Some(MemberNo(2)));
        assert_eq!(tx.account_member(beta, bob).unwrap(), None);
        assert_eq!(tx.account_member(acme, cat).unwrap(), None);
        assert_eq!(tx.account_memberships(ann).unwrap(), vec![(acme, MemberNo(1)), (beta, MemberNo(2))]);
        assert_eq!(tx.account_memberships(bob).unwrap(), vec![(acme, MemberNo(2))]);
        assert!(tx.account_memberships(cat).unwrap().is_empty());
    });
}

/// Requests to join are listed oldest first with their status and decision time; a declined
/// person may ask again; each venture's are its own and numbered from 1.
pub fn join_requests_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta, bob, carol) = write(store, |tx| {
        let bob = tx.insert_account("bob", "Bob", "h", 1).unwrap();
        let carol = tx.insert_account("carol", "Carol", "h", 2).unwrap();
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        tx.insert_join_request(beta, carol, "hello", 71).unwrap();
        tx.insert_join_request(beta, bob, "me too", 72).unwrap();
        (acme, beta, bob, carol)
    });
    write(store, |tx| {
        assert!(tx.decide_join_request(beta, carol, false, 80).unwrap());
        tx.insert_join_request(beta, carol, "please", 90).unwrap();
        assert!(tx.decide_join_request(beta, bob, true, 91).unwrap());
        tx.insert_join_request(acme, bob, "and here", 92).unwrap();
    });
    read(store, |tx| {
        assert_eq!(
            tx.join_requests(beta).unwrap(),
            vec![
                JoinRequestRecord { account: carol, message: "hello".into(), requested_at_ms: 71, status: "declined".into(), decided_at_ms: Some(80) },
                JoinRequestRecord { account: bob, message: "me too".into(), requested_at_ms: 72, status: "accepted".into(), decided_at_ms: Some(91) },
                JoinRequestRecord { account: carol, message: "please".into(), requested_at_ms: 90, status: "pending".into(), decided_at_ms: None },
            ]
        );
        assert_eq!(
            tx.join_requests(acme).unwrap(),
            vec![JoinRequestRecord { account: bob, message: "and here".into(), requested_at_ms: 92, status: "pending".into(), decided_at_ms: None }]
        );
    });
    let numbered = |venture: peerstake_store::VentureId| {
        format!("UPDATE join_requests SET message = message WHERE venture_id = {} AND request_no IN (1, 2, 3)", venture.0)
    };
    assert_eq!(fresh.raw(&numbered(beta)).unwrap(), 3, "request numbers count up per venture");
    assert_eq!(fresh.raw(&numbered(acme)).unwrap(), 1);
}

/// Failed sign-ins read back per key: how many after a time, and the oldest; a failure recorded
/// under two keys counts once under each; a key never failed has none.
pub fn sign_in_failures_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    write(store, |tx| {
        tx.record_sign_in_failure(&["user:ann", "client:10.0.0.1"], 1_000, 0).unwrap();
        tx.record_sign_in_failure(&["user:ann"], 1_000, 0).unwrap();
        tx.record_sign_in_failure(&["user:ann", "client:10.0.0.2"], 2_000, 0).unwrap();
    });
    read(store, |tx| {
        assert_eq!(tx.sign_in_failures("user:ann", 0).unwrap(), SignInFailures { count: 3, oldest_at_ms: Some(1_000) }, "two at the same moment count twice");
        assert_eq!(tx.sign_in_failures("client:10.0.0.1", 0).unwrap(), SignInFailures { count: 1, oldest_at_ms: Some(1_000) });
        assert_eq!(tx.sign_in_failures("client:10.0.0.2", 0).unwrap(), SignInFailures { count: 1, oldest_at_ms: Some(2_000) });
        assert_eq!(tx.sign_in_failures("user:bob", 0).unwrap(), SignInFailures { count: 0, oldest_at_ms: None });
    });
}

/// Only failures after the time asked count, the oldest of those first; failures at or before
/// the time a new one forgets through are deleted as it is written, at most
/// [`SIGN_IN_FAILURES_PRUNED_MAX`] a write, oldest first.
pub fn sign_in_failures_count_in_their_window_and_old_ones_go(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    write(store, |tx| {
        for at_ms in [10, 20, 30] {
            tx.record_sign_in_failure(&["user:ann"], at_ms, 0).unwrap();
        }
    });
    read(store, |tx| {
        assert_eq!(tx.sign_in_failures("user:ann", 9).unwrap(), SignInFailures { count: 3, oldest_at_ms: Some(10) });
        assert_eq!(tx.sign_in_failures("user:ann", 10).unwrap(), SignInFailures { count: 2, oldest_at_ms: Some(20) }, "after, not at");
        assert_eq!(tx.sign_in_failures("user:ann", 30).unwrap(), SignInFailures { count: 0, oldest_at_ms: None });
    });
    // Another key's failure forgets every key's failures through 20.
    write(store, |tx| tx.record_sign_in_failure(&["user:bob"], 1_000, 20).unwrap());
    read(store, |tx| {
        assert_eq!(tx.sign_in_failures("user:ann", i64::MIN).unwrap(), SignInFailures { count: 1, oldest_at_ms: Some(30) }, "10 and 20 are gone");
        assert_eq!(tx.sign_in_failures("user:bob", i64::MIN).unwrap(), SignInFailures { count: 1, oldest_at_ms: Some(1_000) });
    });

    // A backlog goes a bounded number of rows at a time.
    let backlog = SIGN_IN_FAILURES_PRUNED_MAX + 50;
    write(store, |tx| {
        for at_ms in 1..=i64::from(backlog) {
            tx.record_sign_in_failure(&["client:old"], 2_000 + at_ms, 0).unwrap();
        }
    });
    let old = |tx: &mut dyn peerstake_store::Transaction| tx.sign_in_failures("client:old", i64::MIN).unwrap().count;
    assert_eq!(read(store, old), backlog);
    write(store, |tx| tx.record_sign_in_failure(&["client:new"], 100_000, 99_999).unwrap());
    assert_eq!(
        read(store, old),
        backlog - (SIGN_IN_FAILURES_PRUNED_MAX - 2),
        "the oldest went, {SIGN_IN_FAILURES_PRUNED_MAX} in all: ann's, bob's, then the backlog's"
    );
    write(store, |tx| tx.record_sign_in_failure(&["client:new"], 100_001, 99_999).unwrap());
    assert_eq!(read(store, old), 0);
    assert_eq!(read(store, |tx| tx.sign_in_failures("client:new", i64::MIN).unwrap().count), 2, "failures in the window stay");
}

/// Clearing a key forgets its failures only: another key's, even one recorded with it, stay.
pub fn sign_in_failures_are_cleared_per_key(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    write(store, |tx| {
        tx.record_sign_in_failure(&["user:ann", "client:10.0.0.1"], 100, 0).unwrap();
        tx.record_sign_in_failure(&["user:bob", "client:10.0.0.1"], 200, 0).unwrap();
        tx.clear_sign_in_failures("user:ann").unwrap();
        tx.clear_sign_in_failures("user:nobody").unwrap();
    });
    read(store, |tx| {
        assert_eq!(tx.sign_in_failures("user:ann", 0).unwrap(), SignInFailures::default());
        assert_eq!(tx.sign_in_failures("user:bob", 0).unwrap(), SignInFailures { count: 1, oldest_at_ms: Some(200) });
        assert_eq!(tx.sign_in_failures("client:10.0.0.1", 0).unwrap(), SignInFailures { count: 2, oldest_at_ms: Some(100) });
    });
    // A dropped transaction's clearing is undone: the failures come back.
    {
        let mut tx = store.begin(Mode::Write).unwrap();
        tx.clear_sign_in_failures("user:bob").unwrap();
    }
    assert_eq!(read(store, |tx| tx.sign_in_failures("user:bob", 0).unwrap().count), 1);
}

/// A change of a venture's settings as the cases write it: by the operator, for member 1.
pub fn settings_change(setting: &str, member: Option<u32>, old_value: &str, new_value: &str, at_ms: i64) -> SettingsChangeRecord {
    SettingsChangeRecord {
        number: 0,
        setting: setting.into(),
        member: member.map(MemberNo),
        old_value: old_value.into(),
        new_value: new_value.into(),
        reason: format!("{setting} to {new_value}"),
        by_kind: "operator".into(),
        by_account: None,
        by_member: Some(MemberNo(1)),
        at_ms,
    }
}

/// A venture's settings history reads back whole and in order, numbered from 1 per venture,
/// with each kind of author (a person, the operator naming a member or not, the rules); each
/// venture's history is its own.
pub fn settings_changes_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta, gamma, ann, bob) = write(store, |tx| {
        let (acme, beta, ann, bob) = crate::fixtures::two_accounts_two_ventures(tx);
        tx.insert_member(acme, &member(1, "ann")).unwrap();
        tx.insert_member(acme, &member(2, "bob")).unwrap();
        tx.insert_member(beta, &member(1, "bob")).unwrap();
        (acme, beta, venture(tx, "gamma"), ann, bob)
    });
    let person = |account: AccountId, member: Option<u32>, change: SettingsChangeRecord| SettingsChangeRecord {
        by_kind: "person".into(),
        by_account: Some(account),
        by_member: member.map(MemberNo),
        ..change
    };
    let acme_changes = [
        person(ann, Some(1), settings_change("join_mode", None, "", "open", 10)),
        person(ann, Some(1), settings_change("visibility", None, "", "public", 10)),
        person(ann, None, settings_change("steward", Some(1), "", "steward", 10)),
        settings_change("steward", Some(2), "member", "steward", 20),
        SettingsChangeRecord { by_member: None, ..settings_change("visibility", None, "public", "members", 30) },
        SettingsChangeRecord {
            by_kind: "rule".into(),
            by_member: None,
            reason: "adoption #1 passed".into(),
            ..settings_change("steward", Some(1), "steward", "left", 40)
        },
    ];
    let beta_change = person(bob, Some(1), settings_change("join_mode", None, "open", "invite", 15));
    write(store, |tx| {
        for (index, change) in acme_changes.iter().take(3).enumerate() {
            assert_eq!(tx.insert_settings_change(acme, change).unwrap(), u32::try_from(index).unwrap() + 1);
        }
        assert_eq!(tx.insert_settings_change(beta, &SettingsChangeRecord { number: 99, ..beta_change.clone() }).unwrap(), 1, "the store numbers it");
    });
    write(store, |tx| {
        for change in &acme_changes[3..] {
            tx.insert_settings_change(acme, change).unwrap();
        }
    });
    read(store, |tx| {
        let numbered: Vec<SettingsChangeRecord> =
            acme_changes.iter().enumerate().map(|(index, c)| SettingsChangeRecord { number: u32::try_from(index).unwrap() + 1, ..c.clone() }).collect();
        assert_eq!(tx.settings_changes(acme).unwrap(), numbered);
        assert_eq!(tx.settings_changes(beta).unwrap(), vec![SettingsChangeRecord { number: 1, ..beta_change }]);
        assert!(tx.settings_changes(gamma).unwrap().is_empty(), "a venture without changes has no history");
    });
    // What no change can be: a person's without their account, a steward change naming nobody,
    // the rules' naming someone, a setting that does not exist.
    for (what, change) in [
        (
            "a person's change names their account",
            SettingsChangeRecord { by_kind: "person".into(), ..settings_change("visibility", None, "public", "members", 50) },
        ),
        ("a steward change names the member", settings_change("steward", None, "member", "steward", 50)),
        ("the rules act for nobody", SettingsChangeRecord { by_kind: "rule".into(), ..settings_change("steward", Some(2), "member", "steward", 50) }),
        ("only these settings", settings_change("currency", None, "EUR", "USD", 50)),
        ("the member exists", settings_change("steward", Some(9), "member", "steward", 50)),
    ] {
        crate::fixtures::assert_conflict(store, what, |tx| tx.insert_settings_change(acme, &change));
    }
    assert_eq!(read(store, |tx| tx.settings_changes(acme).unwrap().len()), acme_changes.len(), "nothing refused was kept");
}

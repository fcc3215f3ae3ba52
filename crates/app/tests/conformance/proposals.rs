//! Policy proposals: proposed, voted on, adopted or rejected by the rule in force, withdrawn;
//! nobody changes the formula without one.

use peerstake_app::Commons;
use peerstake_app::book::SetPolicy;
use peerstake_app::forms::TermsForm;
use peerstake_app::membership::AddMember;
use peerstake_app::policy_file::PolicyChoice;
use peerstake_app::proposals::{ProposeRequest, VoteRequest};
use time::macros::date;

use crate::harness::*;

/// `pie` with a second steward, cal.
fn two_stewards(commons: &Commons) {
    small_venture(commons);
    commons
        .add_member(
            &AddMember {
                venture: "pie".into(),
                handle: "cal".into(),
                display_name: String::new(),
                role: "steward".into(),
                joined_on: Some(START),
                terms: TermsForm { hourly_rate: "30".into(), ..TermsForm::default() },
                idempotency_key: None,
            },
            at(START),
        )
        .unwrap();
}

fn propose(commons: &Commons, by: &str, preset: &str, from: time::Date) -> Result<(u32, String), peerstake_app::AppError> {
    let request = ProposeRequest {
        venture: "pie".into(),
        by: by.into(),
        policy: PolicyChoice::Preset(preset.into()),
        effective_from: from,
        note: "simpler".into(),
        idempotency_key: None,
    };
    commons.propose(&request, today()).map(|v| (v.record.number, v.record.status))
}

fn vote(commons: &Commons, number: u32, by: &str, approve: bool) -> Result<String, peerstake_app::AppError> {
    commons.vote_on_proposal(&VoteRequest { venture: "pie".into(), number, by: by.into(), approve, note: String::new() }, today()).map(|v| v.record.status)
}

fn versions(commons: &Commons) -> usize {
    commons.policy_history("pie").unwrap().1.len()
}

#[test]
fn a_majority_of_the_stewards_adopts_a_proposal() {
    on_every_backend(|db, commons| {
        two_stewards(commons);
        log(commons, Some("ben"), date!(2025 - 02 - 01), form("time", &[("quantity", "10")])).unwrap();
        // A member proposes; his vote is not a steward's.
        let (first, status) = propose(commons, "ben", "hours-only", date!(2025 - 03 - 01)).unwrap();
        assert_eq!(status, "open");
        assert_eq!(vote(commons, first, "ana", true).unwrap(), "open", "one steward of two is not a majority");
        assert_eq!(code(vote(commons, first, "ana", false)), "invalid_input", "one vote each");
        assert_eq!(vote(commons, first, "cal", false).unwrap(), "rejected", "a majority is out of reach");
        assert_eq!(code(vote(commons, first, "fay", true)), "invalid_input", "a decided proposal takes no votes");
        assert_eq!(versions(commons), 1);
        // A steward proposes; the other steward's vote adopts it from its date.
        let (second, status) = propose(commons, "ana", "hours-only", date!(2025 - 03 - 01)).unwrap();
        assert_eq!(status, "open");
        assert_eq!(vote(commons, second, "cal", true).unwrap(), "adopted");
        assert_eq!(versions(commons), 2);
        let view = commons.proposal("pie", second).unwrap();
        assert_eq!(view.record.policy_version, Some(2));
        assert_eq!(view.votes.iter().map(|(who, v)| (who.as_str(), v.approve)).collect::<Vec<_>>(), [("ana", true), ("cal", true)]);
        // Entries before its date keep their value; later ones are valued under it (1 slice an hour).
        let entry = commons.log(&log_request(Some("ben"), date!(2025 - 03 - 02), form("time", &[("quantity", "3")])), today()).unwrap();
        assert_eq!(entry.entry.slices_minor, 300);
        assert!(commons.verify("pie").unwrap().differences.is_empty(), "{}", db.backend);
    });
}

#[test]
fn proposals_are_checked_withdrawn_and_decided_by_the_rule_in_force() {
    on_every_backend(|_, commons| {
        two_stewards(commons);
        log(commons, Some("ben"), date!(2025 - 02 - 01), form("time", &[("quantity", "10")])).unwrap();
        assert_eq!(code(propose(commons, "ben", "hours-only", START)), "retroactive_change");
        assert_eq!(code(propose(commons, "ben", "no-such-preset", date!(2025 - 03 - 01))), "invalid_input");
        assert_eq!(code(propose(commons, "nobody", "hours-only", date!(2025 - 03 - 01))), "not_found");
        assert!(commons.proposals("pie").unwrap().is_empty(), "refused proposals write nothing");
        let (number, _) = propose(commons, "ben", "hours-only", date!(2025 - 03 - 01)).unwrap();
        assert_eq!(code(commons.withdraw_proposal("pie", number, "ana", today())), "forbidden");
        assert_eq!(commons.withdraw_proposal("pie", number, "ben", today()).unwrap().record.status, "withdrawn");
        assert_eq!(code(vote(commons, number, "ana", true)), "invalid_input");
        // Under `all`, one member against rejects it; everyone for adopts it.
        let all = "proposals = \"all\"";
        commons
            .set_policy(
                &SetPolicy { venture: "pie".into(), policy: PolicyChoice::File(all.into()), effective_from: date!(2025 - 02 - 02), idempotency_key: None },
                today(),
            )
            .unwrap();
        let (blocked, _) = propose(commons, "ana", "slicing-pie", date!(2025 - 04 - 01)).unwrap();
        vote(commons, blocked, "ben", true).unwrap();
        assert_eq!(vote(commons, blocked, "fay", false).unwrap(), "rejected");
        let (agreed, _) = propose(commons, "ana", "slicing-pie", date!(2025 - 04 - 01)).unwrap();
        for who in ["ben", "cal"] {
            assert_eq!(vote(commons, agreed, who, true).unwrap(), "open");
        }
        assert_eq!(vote(commons, agreed, "fay", true).unwrap(), "adopted");
        assert_eq!(versions(commons), 3);
    });
}

#[test]
fn concurrent_votes_decide_a_proposal_once() {
    on_every_backend(|db, commons| {
        two_stewards(commons);
        let quorum = "proposals = \"quorum\"\nproposal_quorum = 2";
        commons
            .set_policy(
                &SetPolicy { venture: "pie".into(), policy: PolicyChoice::File(quorum.into()), effective_from: date!(2025 - 01 - 02), idempotency_key: None },
                today(),
            )
            .unwrap();
        let (number, status) = propose(commons, "fay", "hours-only", date!(2025 - 03 - 01)).unwrap();
        assert_eq!(status, "open");
        let outcomes: Vec<Result<String, peerstake_app::AppError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = ["ana", "ben", "cal"].into_iter().map(|who| scope.spawn(move || vote(commons, number, who, true))).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        // The first vote meets the quorum of two; the others find it decided.
        assert_eq!(outcomes.iter().filter(|o| matches!(o.as_deref(), Ok("adopted"))).count(), 1, "{outcomes:?} on {}", db.backend);
        assert_eq!(versions(commons), 3, "adopted exactly once");
    });
}

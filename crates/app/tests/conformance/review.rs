//! Peer review: pending entries do not count, approvals make them count from that day, disputes
//! take them out until settled, amendments replace them, and concurrent approvals reach a quorum
//! exactly once.

use peerstake_app::Commons;
use peerstake_app::book::SetPolicy;
use peerstake_app::forms::TermsForm;
use peerstake_app::journal::ReverseRequest;
use peerstake_app::ledger::SplitQuery;
use peerstake_app::membership::AddMember;
use peerstake_app::policy_file::PolicyChoice;
use peerstake_app::review::{AmendRequest, ReviewRequest};
use peerstake_core::ErrorCode;
use peerstake_core::review::{Status, Step, Verdict};
use time::macros::date;

use crate::harness::*;

/// `pie` with a fourth member, gus, and from 2025-02-01 on the given review settings.
fn reviewed_venture(commons: &Commons, settings: &str) {
    small_venture(commons);
    commons
        .add_member(
            &AddMember {
                venture: "pie".into(),
                handle: "gus".into(),
                display_name: String::new(),
                role: "member".into(),
                joined_on: Some(START),
                terms: TermsForm { hourly_rate: "20".into(), ..TermsForm::default() },
                idempotency_key: None,
            },
            at(START),
        )
        .unwrap();
    commons
        .set_policy(
            &SetPolicy { venture: "pie".into(), policy: PolicyChoice::File(settings.into()), effective_from: date!(2025 - 02 - 01), idempotency_key: None },
            at(START),
        )
        .unwrap();
}

fn step(commons: &Commons, seq: u64, step: Step, by: &str, note: &str, on: time::Date) -> Result<u64, peerstake_app::AppError> {
    commons.review(&ReviewRequest { venture: "pie".into(), seq, step, by: by.into(), note: note.into(), idempotency_key: None }, at(on)).map(|s| s.entry.seq)
}

fn slices_of(commons: &Commons, handle: &str, as_of: Option<time::Date>) -> String {
    shares(commons, &SplitQuery { as_of, ..Default::default() }).into_iter().find(|(h, _, _)| h == handle).map(|(_, s, _)| s).unwrap()
}

fn status(commons: &Commons, seq: u64) -> Option<Status> {
    commons.entry_review("pie", seq).unwrap().status
}

fn verified(commons: &Commons, backend: &str) {
    let report = commons.verify("pie").unwrap();
    assert!(report.differences.is_empty(), "{:?} on {backend}", report.differences);
}

#[test]
fn a_steward_approves_and_the_entry_counts_from_that_day() {
    on_every_backend(|db, commons| {
        reviewed_venture(commons, "review = \"stewards\"");
        let logged = commons.log(&log_request(Some("ben"), date!(2025 - 03 - 03), form("time", &[("quantity", "10")])), at(date!(2025 - 03 - 03))).unwrap();
        // 10 h × 50 × 2 = 1,000 slices, shown on the entry but not counted.
        assert_eq!((logged.entry.slices_minor, logged.entry.effects.len()), (100_000, 0));
        assert_eq!(status(commons, logged.entry.seq), Some(Status::Pending));
        assert_eq!(slices_of(commons, "ben", None), "0.00");
        let queue = commons.review_queue("pie").unwrap();
        assert_eq!(queue.iter().map(|(e, s)| (e.entry.entry.seq, *s)).collect::<Vec<_>>(), [(logged.entry.seq, Status::Pending)]);

        let seq = logged.entry.seq;
        let on = date!(2025 - 03 - 10);
        assert_eq!(code(step(commons, seq, Step::Approve, "ben", "", on)), "own_entry", "the author cannot approve");
        assert_eq!(code(step(commons, seq, Step::Approve, "gus", "", on)), "stewards_only");
        assert_eq!(head(commons).0, seq, "a refused step writes nothing");
        let approval = step(commons, seq, Step::Approve, "ana", "checked the timesheet", on).unwrap();
        assert_eq!(status(commons, seq), Some(Status::Counted));
        assert_eq!(slices_of(commons, "ben", None), "1000.00");
        assert_eq!(slices_of(commons, "ben", Some(date!(2025 - 03 - 09))), "0.00", "before its approval it did not count");
        assert_eq!(slices_of(commons, "ben", Some(on)), "1000.00");
        assert_eq!(code(step(commons, seq, Step::Approve, "ana", "", on)), "wrong_status", "approved once");
        // The trace names the approval that brought the slices.
        let trace = commons.trace("pie", "ben").unwrap();
        assert!(trace.kinds.iter().flat_map(|k| &k.entries).any(|e| e.seq == approval && e.tag == "approval"));
        assert!(commons.review_queue("pie").unwrap().is_empty());
        verified(commons, db.backend);
    });
}

#[test]
fn a_dispute_takes_an_entry_out_until_the_stewards_decide() {
    on_every_backend(|db, commons| {
        reviewed_venture(commons, "review = \"none\"");
        let d = date!(2025 - 03 - 03);
        let seq = commons.log(&log_request(Some("ben"), d, form("time", &[("quantity", "4")])), at(d)).unwrap().entry.seq;
        assert_eq!(slices_of(commons, "ben", None), "400.00", "no approval needed");
        assert_eq!(code(step(commons, seq, Step::Approve, "ana", "", d)), "no_approval_needed");
        assert_eq!(code(step(commons, seq, Step::Dispute, "gus", "  ", d)), "invalid_input", "a dispute needs a reason");
        assert_eq!(code(step(commons, seq, Step::Dispute, "ben", "mine", d)), "own_entry");
        step(commons, seq, Step::Dispute, "gus", "I saw 2 hours", date!(2025 - 03 - 05)).unwrap();
        assert_eq!(status(commons, seq), Some(Status::Disputed));
        assert_eq!(slices_of(commons, "ben", None), "0.00");
        assert_eq!(slices_of(commons, "ben", Some(date!(2025 - 03 - 04))), "400.00", "it counted until disputed");
        assert_eq!(code(step(commons, seq, Step::Withdraw, "fay", "", d)), "not_their_dispute");
        assert_eq!(code(step(commons, seq, Step::Decide(Verdict::Uphold), "gus", "", d)), "stewards_only");
        assert_eq!(code(step(commons, seq, Step::Vote(Verdict::Uphold), "fay", "", d)), "other_rule");
        step(commons, seq, Step::Withdraw, "gus", "my mistake", date!(2025 - 03 - 06)).unwrap();
        assert_eq!(slices_of(commons, "ben", None), "400.00");
        step(commons, seq, Step::Dispute, "fay", "no timesheet", date!(2025 - 03 - 07)).unwrap();
        step(commons, seq, Step::Decide(Verdict::Reject), "ana", "no timesheet", date!(2025 - 03 - 08)).unwrap();
        assert_eq!(status(commons, seq), Some(Status::Rejected));
        assert_eq!(slices_of(commons, "ben", None), "0.00");
        assert_eq!(code(step(commons, seq, Step::Dispute, "gus", "again", d)), "wrong_status");
        // Reversing a rejected entry undoes nothing more; the split stays and the ledger verifies.
        commons.reverse(&ReverseRequest { venture: "pie".into(), seq, reason: "rejected".into(), author: None, idempotency_key: None }, today()).unwrap();
        assert_eq!(slices_of(commons, "ben", None), "0.00");
        verified(commons, db.backend);
    });
}

#[test]
fn a_vote_settles_a_dispute_and_an_amendment_replaces_the_entry() {
    on_every_backend(|db, commons| {
        reviewed_venture(commons, "review = \"stewards\"\ndisputes = \"vote\"");
        let d = date!(2025 - 03 - 03);
        let seq = commons.log(&log_request(Some("ben"), d, form("time", &[("quantity", "8")])), at(d)).unwrap().entry.seq;
        step(commons, seq, Step::Dispute, "gus", "it was 6", d).unwrap();
        assert_eq!(code(step(commons, seq, Step::Approve, "ana", "", d)), "wrong_status", "a disputed entry waits for the dispute");
        // Peers other than ben: ana, fay, gus. Two of three settle it.
        step(commons, seq, Step::Vote(Verdict::Reject), "gus", "", d).unwrap();
        assert_eq!(code(step(commons, seq, Step::Vote(Verdict::Uphold), "gus", "", d)), "already_done");
        assert_eq!(status(commons, seq), Some(Status::Disputed));
        // Ben amends instead: the entry is reversed and a new one, linked to it, waits for review.
        let amended = commons
            .amend(
                &AmendRequest {
                    seq,
                    reason: "it was 6 hours".into(),
                    log: peerstake_app::journal::LogRequest { author: Some("ben".into()), ..log_request(Some("ben"), d, form("time", &[("quantity", "6")])) },
                },
                at(d),
            )
            .unwrap();
        assert_eq!(amended.entry.about, Some(seq));
        let old = commons.entry_review("pie", seq).unwrap();
        assert_eq!((old.reversed_by, old.amended_by), (Some(amended.entry.seq - 1), Some(amended.entry.seq)), "reversal and amendment in one go");
        assert_eq!(status(commons, amended.entry.seq), Some(Status::Pending));
        step(commons, amended.entry.seq, Step::Approve, "ana", "", d).unwrap();
        assert_eq!(slices_of(commons, "ben", None), "600.00");
        assert_eq!(code(step(commons, seq, Step::Vote(Verdict::Uphold), "fay", "", d)), "invalid_input", "the reversed entry is closed");
        verified(commons, db.backend);
    });
}

#[test]
fn a_quorum_weighted_by_slices_counts_withdrawals_at_approval() {
    on_every_backend(|db, commons| {
        reviewed_venture(commons, "review = \"quorum\"\nreview_quorum = 50\nreview_weighted = true");
        let d = date!(2025 - 01 - 10);
        // Before the review rule: these count at once.
        log(commons, Some("ana"), d, form("time", &[("quantity", "20")])).unwrap();
        log(commons, Some("gus"), d, form("time", &[("quantity", "5")])).unwrap();
        let d = date!(2025 - 03 - 03);
        let deposit = commons.log(&log_request(Some("fay"), d, form("deposit", &[("amount", "100")])), at(d)).unwrap().entry.seq;
        assert_eq!(commons.split("pie", &SplitQuery::default()).unwrap().lines.iter().find(|l| l.member.handle == "fay").unwrap().figures.slices_minor, 0);
        // Peers other than fay: ana holds 2,000 slices, ben 0, gus 200. Gus alone is not enough.
        step(commons, deposit, Step::Approve, "gus", "", d).unwrap();
        assert_eq!(status(commons, deposit), Some(Status::Pending));
        step(commons, deposit, Step::Approve, "ana", "", d).unwrap();
        assert_eq!(status(commons, deposit), Some(Status::Counted));
        // A withdrawal waits too, and is valued against the well when approved.
        let withdrawal = commons.log(&log_request(None, d, form("withdrawal", &[("amount", "40")])), at(d)).unwrap().entry.seq;
        assert_eq!(slices_of(commons, "fay", None), "0.00", "money in the well earns nothing");
        step(commons, withdrawal, Step::Approve, "ana", "", d).unwrap();
        assert_eq!(slices_of(commons, "fay", None), "160.00");
        verified(commons, db.backend);
    });
}

#[test]
fn concurrent_approvals_reach_the_quorum_exactly_once() {
    on_every_backend(|db, commons| {
        reviewed_venture(commons, "review = \"quorum\"\nreview_quorum = 2");
        let d = date!(2025 - 03 - 03);
        let seq = commons.log(&log_request(Some("ben"), d, form("time", &[("quantity", "3")])), at(d)).unwrap().entry.seq;
        let outcomes: Vec<Result<u64, peerstake_app::AppError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = ["ana", "fay", "gus"].into_iter().map(|who| scope.spawn(move || step(commons, seq, Step::Approve, who, "", d))).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        // Two approvals reach the quorum; the third arrives at a counted entry and is refused.
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 2, "{outcomes:?} on {}", db.backend);
        assert_eq!(outcomes.iter().filter_map(|o| o.as_ref().err()).map(|e| e.code()).collect::<Vec<_>>(), ["wrong_status"]);
        assert_eq!(slices_of(commons, "ben", None), "300.00", "counted once");
        let steps = commons.entry_review("pie", seq).unwrap().steps;
        assert_eq!(steps.iter().filter(|s| !s.entry.entry.effects.is_empty()).count(), 1);
        verified(commons, db.backend);
    });
}

#[test]
fn export_and_import_keep_review_statuses() {
    on_every_backend(|db, commons| {
        reviewed_venture(commons, "review = \"stewards\"");
        let d = date!(2025 - 03 - 03);
        let pending = commons.log(&log_request(Some("ben"), d, form("time", &[("quantity", "2")])), at(d)).unwrap().entry.seq;
        let approved = commons.log(&log_request(Some("gus"), d, form("time", &[("quantity", "2")])), at(d)).unwrap().entry.seq;
        step(commons, approved, Step::Approve, "ana", "", d).unwrap();
        let mut text = Vec::new();
        commons.export("pie", &mut text).unwrap();
        for target in databases() {
            let fresh = target.commons();
            fresh.import_venture("pie", text.as_slice()).unwrap();
            assert_eq!(fresh.entry_review("pie", pending).unwrap().status, Some(Status::Pending), "{} → {}", db.backend, target.backend);
            assert_eq!(fresh.entry_review("pie", approved).unwrap().status, Some(Status::Counted));
            assert!(fresh.verify("pie").unwrap().differences.is_empty());
            assert_eq!(fresh.review_queue("pie").unwrap().len(), 1);
        }
    });
}

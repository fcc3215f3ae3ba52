//! Recurring contributions: each period that comes round drafts a contribution that waits for
//! the member to confirm or skip it.

use peerstake_app::book::SetPolicy;
use peerstake_app::policy_file::PolicyChoice;
use peerstake_app::recurring::SetUpRecurring;
use peerstake_core::review::Status;
use time::macros::date;

use crate::harness::*;

fn set_up(commons: &peerstake_app::Commons, cadence: &str, starts_on: time::Date, ends_on: Option<time::Date>) -> Result<u32, peerstake_app::AppError> {
    let request = SetUpRecurring {
        venture: "pie".into(),
        member: "ben".into(),
        form: form("time", &[("quantity", "20")]),
        note: "Weekly build".into(),
        cadence: cadence.into(),
        starts_on,
        ends_on,
    };
    commons.set_up_recurring(&request, at(starts_on)).map(|v| v.record.number)
}

#[test]
fn each_period_drafts_a_contribution_to_confirm() {
    on_every_backend(|db, commons| {
        small_venture(commons);
        assert_eq!(code(set_up(commons, "daily", date!(2025 - 03 - 03), None)), "invalid_input");
        assert_eq!(code(set_up(commons, "weekly", date!(2025 - 03 - 03), Some(date!(2025 - 03 - 01)))), "invalid_input");
        let weekly = set_up(commons, "weekly", date!(2025 - 03 - 03), Some(date!(2025 - 03 - 20))).unwrap();
        // Nothing is due before it starts.
        assert_eq!(commons.run_recurring("pie", at(date!(2025 - 03 - 02))).unwrap(), 0);
        // Three weeks come round (3, 10 and 17 March); the end date stops the fourth.
        assert_eq!(commons.run_recurring("pie", at(date!(2025 - 03 - 30))).unwrap(), 3, "{}", db.backend);
        assert_eq!(commons.run_recurring("pie", at(date!(2025 - 03 - 30))).unwrap(), 0, "each period once");
        let drafts = commons.recurring_drafts("pie").unwrap();
        assert_eq!(drafts.iter().map(|d| d.draft.period_on).collect::<Vec<_>>(), [date!(2025 - 03 - 03), date!(2025 - 03 - 10), date!(2025 - 03 - 17)]);
        assert!(!commons.recurring("pie").unwrap()[0].record.active, "past its end");
        // Nothing counts until confirmed: 20 h × 50 × 2 = 2,000 slices per week.
        assert!(shares(commons, &Default::default()).iter().all(|(_, slices, _)| slices == "0.00"));
        let seq = commons.decide_draft("pie", weekly, date!(2025 - 03 - 03), true, Some("ben"), today()).unwrap().unwrap();
        assert_eq!(commons.entry_review("pie", seq).unwrap().entry.entry.entry.occurred_on, date!(2025 - 03 - 03));
        commons.decide_draft("pie", weekly, date!(2025 - 03 - 10), false, Some("ben"), today()).unwrap();
        assert_eq!(code(commons.decide_draft("pie", weekly, date!(2025 - 03 - 10), true, Some("ben"), today())), "invalid_input", "decided once");
        assert_eq!(code(commons.decide_draft("pie", 9, date!(2025 - 03 - 17), true, Some("ben"), today())), "not_found");
        let ben = shares(commons, &Default::default()).into_iter().find(|(h, _, _)| h == "ben").unwrap();
        assert_eq!(ben.1, "2000.00");
        assert_eq!(commons.recurring_drafts("pie").unwrap().len(), 1);
        assert!(commons.verify("pie").unwrap().differences.is_empty());
    });
}

#[test]
fn a_confirmed_draft_is_reviewed_like_any_entry_and_monthly_keeps_its_day() {
    on_every_backend(|_, commons| {
        small_venture(commons);
        commons
            .set_policy(
                &SetPolicy {
                    venture: "pie".into(),
                    policy: PolicyChoice::File("review = \"stewards\"".into()),
                    effective_from: date!(2025 - 01 - 02),
                    idempotency_key: None,
                },
                at(START),
            )
            .unwrap();
        let request = SetUpRecurring {
            venture: "pie".into(),
            member: "ben".into(),
            form: form("facilities", &[("amount", "300")]),
            note: "Desk rent".into(),
            cadence: "monthly".into(),
            starts_on: date!(2025 - 01 - 31),
            ends_on: None,
        };
        let monthly = commons.set_up_recurring(&request, at(START)).unwrap().record.number;
        assert_eq!(commons.run_recurring("pie", at(date!(2025 - 04 - 29))).unwrap(), 3);
        let periods: Vec<_> = commons.recurring_drafts("pie").unwrap().iter().map(|d| d.draft.period_on).collect();
        assert_eq!(periods, [date!(2025 - 01 - 31), date!(2025 - 02 - 28), date!(2025 - 03 - 31)], "the last day of a shorter month");
        let seq = commons.decide_draft("pie", monthly, date!(2025 - 02 - 28), true, Some("ben"), today()).unwrap().unwrap();
        assert_eq!(commons.entry_review("pie", seq).unwrap().status, Some(Status::Pending), "then a steward approves it");
        commons.stop_recurring("pie", monthly).unwrap();
        assert_eq!(commons.run_recurring("pie", at(date!(2025 - 12 - 31))).unwrap(), 0, "stopped");
    });
}

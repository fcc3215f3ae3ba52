//! Each kind's canonical input text (`time;minutes=90;paid=0`, …) and a review step's stored
//! inputs (`verdict=uphold;status=counted`): the texts a restored export brings into the ledger.
//! Only the one canonical spelling reads, and what reads writes back to exactly the text read.

use fastrand::Rng;
use peerstake_core::input::{Condition, Input, RentalUnit};
use peerstake_core::kind::Class;
use peerstake_core::review::{REVIEW_TAGS, Status, Step, Verdict};

use crate::mutate;
use crate::runner::Target;

/// Separates a review step's tag from its stored inputs in one fuzzer input.
const STEP_SEPARATOR: char = '|';

fn amount(rng: &mut Rng) -> i64 {
    match rng.u8(0..5) {
        0 => 0,
        1 => rng.i64(..),
        2 => rng.i64(0..=1_000_000_000_000_000),
        _ => rng.i64(0..100_000),
    }
}

/// Any input, valid or not (negative and huge values included: the text must still round-trip).
fn any_input(rng: &mut Rng) -> Input {
    let condition = *mutate::pick(rng, &[Condition::New, Condition::UsedRecent, Condition::UsedOld]);
    match rng.u8(0..14) {
        0 => Input::Time { minutes: amount(rng), paid_minor: amount(rng), days: if rng.bool() { 1 } else { rng.u32(1..) } },
        1 => Input::Deposit { amount_minor: amount(rng) },
        2 => Input::Withdrawal { amount_minor: amount(rng) },
        3 => Input::Expense { amount_minor: amount(rng), reimbursed_minor: amount(rng) },
        4 => Input::Equipment { condition, value_minor: amount(rng), reimbursed_minor: amount(rng) },
        5 => Input::Supplies { condition, value_minor: amount(rng), reimbursed_minor: amount(rng) },
        6 => Input::Facilities { market_rent_minor: amount(rng), rent_paid_minor: amount(rng) },
        7 => Input::CapitalUse {
            units_milli: amount(rng),
            unit: *mutate::pick(rng, &[RentalUnit::Hour, RentalUnit::Day, RentalUnit::Week, RentalUnit::Month, RentalUnit::Unit]),
            rate_minor: amount(rng),
            fee_paid_minor: amount(rng),
        },
        8 => Input::Idea { revenue_minor: amount(rng), royalty_paid_minor: amount(rng) },
        9 => Input::Sale { revenue_minor: amount(rng), commission_paid_minor: amount(rng) },
        10 => Input::FindersFee { investment_minor: amount(rng), fee_paid_minor: amount(rng) },
        11 => Input::Other { amount_minor: amount(rng), class: *mutate::pick(rng, &[Class::Cash, Class::NonCash, Class::Plain]) },
        12 => Input::CashPaid { amount_minor: amount(rng) },
        _ => Input::WellReturn { amount_minor: amount(rng) },
    }
}

/// A review step's stored inputs, as the ledger writes them.
fn step_text(rng: &mut Rng) -> String {
    let tag = *mutate::pick(rng, &REVIEW_TAGS);
    let status = *mutate::pick(rng, &[Status::Pending, Status::Counted, Status::Disputed, Status::Rejected]);
    let verdict = *mutate::pick(rng, &[Verdict::Uphold, Verdict::Reject]);
    let step = match tag {
        "approval" => Step::Approve,
        "dispute" => Step::Dispute,
        "dispute-withdrawn" => Step::Withdraw,
        "decision" => Step::Decide(verdict),
        _ => Step::Vote(verdict),
    };
    format!("{}{STEP_SEPARATOR}{}", step.tag(), step.stored_inputs(status))
}

/// `Input::from_canonical` and `Step::from_stored`.
#[derive(Default)]
pub struct Canonical;

impl Canonical {
    /// Field-level edits of a canonical text: a field moved, dropped, doubled or renamed.
    fn edit_fields(rng: &mut Rng, text: &str) -> String {
        let mut parts: Vec<String> = text.split(';').map(str::to_string).collect();
        if parts.len() < 2 {
            return mutate::text(rng, text, 2);
        }
        let at = rng.usize(1..parts.len());
        match rng.u8(0..5) {
            0 => {
                let other = rng.usize(1..parts.len());
                parts.swap(at, other);
            }
            1 => {
                parts.remove(at);
            }
            2 => {
                let copy = parts[at].clone();
                parts.insert(at, copy);
            }
            3 => parts.push(mutate::pick(rng, &["days=1", "days=0", "days=4294967296", "x=1", "", "=", "paid=0"]).to_string()),
            _ => {
                let value = mutate::pick(rng, mutate::TOKENS).to_string();
                if let Some((key, _)) = parts[at].split_once('=') {
                    parts[at] = format!("{key}={value}");
                }
            }
        }
        parts.join(";")
    }
}

impl Target for Canonical {
    fn generate(&mut self, rng: &mut Rng) -> Vec<u8> {
        let text = if rng.u8(0..4) == 0 { step_text(rng) } else { any_input(rng).canonical() };
        let text = match rng.u8(0..3) {
            0 => text,
            1 => Canonical::edit_fields(rng, &text),
            _ => mutate::text(rng, &text, 2),
        };
        text.into_bytes()
    }

    fn run(&mut self, input: &[u8]) -> Result<String, String> {
        let text = mutate::as_text(input);
        let mut outcome = Vec::new();
        match Input::from_canonical(&text) {
            Ok(read) => {
                if read.canonical() != text {
                    return Err(format!("canonical: {text:?} read as {read:?}, which writes {:?}", read.canonical()));
                }
                let _ = read.validate();
                outcome.push(format!("input:{}", read.tag()));
            }
            Err(_) => outcome.push("input:refused".to_string()),
        }
        if let Some((tag, inputs)) = text.split_once(STEP_SEPARATOR) {
            match Step::from_stored(tag, inputs) {
                Some((step, status)) => {
                    let written = step.stored_inputs(status);
                    if step.tag() != tag || written != inputs {
                        return Err(format!(
                            "canonical step: {tag:?} {inputs:?} read as {step:?} leaving {status:?}, which writes {:?} {written:?}",
                            step.tag()
                        ));
                    }
                    outcome.push(format!("step:{tag}"));
                }
                None => outcome.push("step:refused".to_string()),
            }
        }
        Ok(outcome.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_texts_round_trip() {
        let mut target = Canonical;
        assert_eq!(target.run(b"time;minutes=90;paid=0").unwrap(), "input:time");
        assert_eq!(target.run(b"decision|verdict=uphold;status=counted").unwrap(), "input:refused step:decision");
        let mut rng = Rng::with_seed(5);
        for _ in 0..1_000 {
            let input = any_input(&mut rng);
            assert_eq!(Input::from_canonical(&input.canonical()).unwrap(), input);
            let step = step_text(&mut rng);
            target.run(step.as_bytes()).unwrap();
        }
    }
}

//! Dates as people and files write them (`peerstake_app::files::date`, `YYYY-MM-DD`, which the
//! web, the command line, CSV imports and restores all read through), and the periods of work
//! between two of them (`Input::period_start`, the dating rules' `Marks`): a date that reads
//! writes back to itself, and a period ends where it started counting.

use fastrand::Rng;
use peerstake_app::files::date;
use peerstake_core::ErrorCode;
use peerstake_core::dating::Marks;
use peerstake_core::input::{Input, PERIOD_DAYS_MAX};
use peerstake_core::kind::{Class, Kind};
use peerstake_core::replay::Effect;
use peerstake_core::terms::MemberNo;
use time::{Date, Month};

use crate::mutate;
use crate::runner::Target;

/// Separates the first day of a period from its last in one fuzzer input.
const PERIOD_SEPARATOR: char = '|';

fn some_date(rng: &mut Rng) -> Date {
    let year = match rng.u8(0..4) {
        0 => rng.i32(-9999..=9999),
        _ => rng.i32(1960..=2030),
    };
    let month = Month::try_from(rng.u8(1..=12)).unwrap_or(Month::January);
    let day = rng.u8(1..=month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MIN)
}

fn date_text(rng: &mut Rng) -> String {
    let text = match rng.u8(0..6) {
        0 => format!("{:04}-{:02}-{:02}", rng.i32(-10..=10_100), rng.u8(0..=13), rng.u8(0..=32)),
        1 => mutate::pick(rng, &["2024-02-29", "2025-02-29", "1970-01-01", "9999-12-31", "-9999-01-01", "0000-01-01", "2025-12-31"]).to_string(),
        _ => some_date(rng).to_string(),
    };
    if rng.u8(0..3) == 0 { mutate::text(rng, &text, 2) } else { text }
}

/// `files::date`, and periods between two dates.
#[derive(Default)]
pub struct Dates;

impl Target for Dates {
    fn generate(&mut self, rng: &mut Rng) -> Vec<u8> {
        let mut text = date_text(rng);
        if rng.bool() {
            let first = date_text(rng);
            text = format!("{first}{PERIOD_SEPARATOR}{text}");
        }
        text.into_bytes()
    }

    fn run(&mut self, input: &[u8]) -> Result<String, String> {
        let text = mutate::as_text(input);
        let read = |text: &str| -> Result<Option<Date>, String> {
            match date("date", text) {
                Ok(day) => {
                    let written = day.to_string();
                    match date("date", &written) {
                        Ok(back) if back == day => Ok(Some(day)),
                        other => Err(format!("round trip: {text:?} read as {day}, written {written:?}, read back {other:?}")),
                    }
                }
                Err(error) if error.code() == "date_out_of_range" => Ok(None),
                Err(error) => Err(format!("refusal code: {text:?} refused as {} ({error})", error.code())),
            }
        };
        let Some((first, last)) = text.split_once(PERIOD_SEPARATOR) else {
            return Ok(if read(&text)?.is_some() { "date".into() } else { "refused".into() });
        };
        let (Some(first), Some(last)) = (read(first)?, read(last)?) else {
            return Ok("period:refused".into());
        };
        let days = (last - first).whole_days() + 1;
        let Some(days) = u32::try_from(days).ok().filter(|d| (1..=PERIOD_DAYS_MAX).contains(d)) else {
            return Ok("period:out-of-range".into());
        };
        let work = Input::Time { minutes: 60, paid_minor: 0, days };
        let start = work.period_start(last);
        if start != first && first.checked_add(time::Duration::days(i64::from(days) - 1)).is_some() {
            return Err(format!("period: {days} days ending {last} start on {start}, not {first}"));
        }
        // The dating rules read the same dates: a reader on the last day refuses work before it.
        let mut marks = Marks::default();
        if let Some(mark) = Marks::read_by("cash-paid", Some(MemberNo(1)), last) {
            marks.raise(mark);
        }
        let effect = Effect { member: MemberNo(1), kind: Kind::Time, class: Class::NonCash, fmv_minor: 1, slices_minor: 2, well_minor: 0 };
        let refused = marks.check(first, &[effect]).is_err();
        if refused != (first < last) {
            return Err(format!("dating: work on {first} after a payment read on {last} is refused: {refused}"));
        }
        Ok(format!("period:{}", if days == 1 { "one-day" } else { "days" }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_periods_pass() {
        let mut dates = Dates;
        assert_eq!(dates.run(b"2025-02-01").unwrap(), "date");
        assert_eq!(dates.run(b"2025-02-30").unwrap(), "refused");
        assert_eq!(dates.run(b"2025-02-01|2025-02-07").unwrap(), "period:days");
        assert_eq!(dates.run(b"2025-02-07|2025-02-01").unwrap(), "period:out-of-range");
        let mut rng = Rng::with_seed(9);
        for _ in 0..2_000 {
            let input = dates.generate(&mut rng);
            dates.run(&input).unwrap();
        }
    }
}

//! When an entry may be dated, so that the split depends on the dated entries alone and not on
//! the order they were keyed in.
//!
//! Most entries only add to balances, and additions commute: their order never matters. Some
//! entries are valued on the balances they find — a payment from the well (all depositors'
//! balances), cash paid to a member and a departure or buyout (that member's balances), a well
//! return (that member's well balance) — and a freeze or a distribution reads every member's
//! slices. Call them readers. The ledger is in date order, and on one date in the order entries
//! were recorded. Two rules keep every reader's valuation what date order gives it:
//!
//! 1. A reader is dated on or after every entry already recorded (the application checks this
//!    before valuing it), so it reads nothing dated after it.
//! 2. An entry that would change what a recorded reader read must be dated on or after that
//!    reader (on the same day it comes after it). Otherwise it is refused with the earliest date
//!    it may carry.
//!
//! Under both, recording order and date order agree for every pair of entries whose order
//! matters, so any order of keying that is accepted ends in the split of date order.

use std::collections::BTreeMap;

use time::Date;

use crate::replay::Effect;
use crate::terms::MemberNo;

/// What a reader read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReadScope {
    /// Every balance of one member (cash paid, a departure, a buyout).
    Member,
    /// One member's well balance (a well return).
    MemberWell,
    /// Every member's well balance (a payment from the well).
    Well,
    /// Every member's slices (a freeze, a distribution).
    Slices,
}

impl ReadScope {
    /// The stored code.
    pub fn code(&self) -> i16 {
        match self {
            ReadScope::Member => 1,
            ReadScope::MemberWell => 2,
            ReadScope::Well => 3,
            ReadScope::Slices => 4,
        }
    }

    /// A scope from its stored code.
    pub fn from_code(code: i64) -> Option<ReadScope> {
        match code {
            1 => Some(ReadScope::Member),
            2 => Some(ReadScope::MemberWell),
            3 => Some(ReadScope::Well),
            4 => Some(ReadScope::Slices),
            _ => None,
        }
    }

    fn words(&self) -> &'static str {
        match self {
            ReadScope::Member => "cash paid, a departure or a buyout read this member's balances",
            ReadScope::MemberWell => "a well return read this member's well balance",
            ReadScope::Well => "a payment from the well read every depositor's balance",
            ReadScope::Slices => "a freeze or a distribution read every member's slices",
        }
    }
}

/// The latest date a recorded reader read a scope (of one member, or of the whole venture).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadMark {
    /// What was read.
    pub scope: ReadScope,
    /// Whose, for the member scopes.
    pub member: Option<MemberNo>,
    /// The reader's date.
    pub read_on: Date,
}

/// Why an entry cannot carry its date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backdated {
    /// The earliest date it may carry.
    pub earliest: Date,
    /// What read the balances it would change.
    pub reason: &'static str,
}

/// The read marks of one venture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    marks: BTreeMap<(ReadScope, u32), Date>,
}

impl Marks {
    /// Marks from stored rows.
    pub fn from_marks(rows: impl IntoIterator<Item = ReadMark>) -> Marks {
        let mut marks = Marks::default();
        for mark in rows {
            marks.raise(mark);
        }
        marks
    }

    /// Every mark.
    pub fn marks(&self) -> Vec<ReadMark> {
        self.marks
            .iter()
            .map(|((scope, member), read_on)| ReadMark { scope: *scope, member: (*member != 0).then_some(MemberNo(*member)), read_on: *read_on })
            .collect()
    }

    fn get(&self, scope: ReadScope, member: Option<MemberNo>) -> Option<Date> {
        self.marks.get(&(scope, member.map_or(0, |m| m.0))).copied()
    }

    /// Raises a mark to `mark.read_on` (marks only move forward); true when it moved.
    pub fn raise(&mut self, mark: ReadMark) -> bool {
        let key = (mark.scope, mark.member.map_or(0, |m| m.0));
        match self.marks.get(&key) {
            Some(read_on) if *read_on >= mark.read_on => false,
            _ => {
                self.marks.insert(key, mark.read_on);
                true
            }
        }
    }

    /// What an entry of this tag, for this member, dated `on`, reads: `None` for an entry that
    /// only adds to balances.
    pub fn read_by(tag: &str, member: Option<MemberNo>, on: Date) -> Option<ReadMark> {
        let scope = match tag {
            "withdrawal" => ReadScope::Well,
            "cash-paid" | "departure" | "buyout" => ReadScope::Member,
            "well-return" => ReadScope::MemberWell,
            _ => return None,
        };
        let member = if scope == ReadScope::Well { None } else { Some(member?) };
        Some(ReadMark { scope, member, read_on: on })
    }

    /// What a stored entry reads: by its tag, or, for a review step that makes an entry count
    /// (valuing it then), by the tag of the entry it counts, which `target` gives from its number.
    pub fn read_by_entry(entry: &crate::entry::Entry, target: impl FnOnce(u64) -> Option<String>) -> Option<ReadMark> {
        if crate::review::is_review_tag(&entry.tag) {
            let counts = crate::review::Step::from_stored(&entry.tag, &entry.inputs).is_some_and(|(_, after)| after == crate::review::Status::Counted);
            if !counts || entry.effects.is_empty() {
                return None;
            }
            let tag = target(entry.about?)?;
            return Marks::read_by(&tag, entry.member, entry.occurred_on);
        }
        Marks::read_by(&entry.tag, entry.member, entry.occurred_on)
    }

    /// Rule 2: whether effects dated `on` would change what a recorded reader dated later read.
    pub fn check(&self, on: Date, effects: &[Effect]) -> Result<(), Backdated> {
        let mut worst: Option<(Date, ReadScope)> = None;
        let mut consider = |read: Option<Date>, scope: ReadScope| {
            if let Some(read_on) = read
                && read_on > on
                && worst.is_none_or(|(date, _)| read_on > date)
            {
                worst = Some((read_on, scope));
            }
        };
        for effect in effects {
            let member = Some(effect.member);
            consider(self.get(ReadScope::Member, member), ReadScope::Member);
            if effect.well_minor != 0 {
                consider(self.get(ReadScope::MemberWell, member), ReadScope::MemberWell);
                consider(self.get(ReadScope::Well, None), ReadScope::Well);
            }
            if effect.slices_minor != 0 || effect.fmv_minor != 0 {
                consider(self.get(ReadScope::Slices, None), ReadScope::Slices);
            }
        }
        match worst {
            Some((earliest, scope)) => Err(Backdated { earliest, reason: scope.words() }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::{Class, Kind};
    use time::macros::date;

    fn effect(member: u32, slices: i64, well: i64) -> Effect {
        Effect { member: MemberNo(member), kind: Kind::Cash, class: Class::Cash, fmv_minor: slices / 4, slices_minor: slices, well_minor: well }
    }

    #[test]
    fn readers_refuse_what_would_change_them() {
        let mut marks = Marks::default();
        marks.raise(Marks::read_by("cash-paid", Some(MemberNo(2)), date!(2026 - 03 - 10)).unwrap());
        marks.raise(Marks::read_by("withdrawal", None, date!(2026 - 03 - 05)).unwrap());
        // Time for member 2 before the cash paid to them: refused, the earliest date is that day.
        let refused = marks.check(date!(2026 - 03 - 01), &[Effect { kind: Kind::Time, class: Class::NonCash, ..effect(2, 800, 0) }]).unwrap_err();
        assert_eq!(refused.earliest, date!(2026 - 03 - 10));
        // The same day lands after it.
        assert!(marks.check(date!(2026 - 03 - 10), &[effect(2, 800, 0)]).is_ok());
        // Another member's time is no one's business here.
        assert!(marks.check(date!(2026 - 03 - 01), &[effect(3, 800, 0)]).is_ok());
        // A deposit before the payment from the well: refused.
        assert_eq!(marks.check(date!(2026 - 03 - 01), &[effect(3, 0, 500)]).unwrap_err().earliest, date!(2026 - 03 - 05));
        // Entries with no effects (waiting for review) change nothing.
        assert!(marks.check(date!(2020 - 01 - 01), &[]).is_ok());
    }

    #[test]
    fn marks_only_move_forward() {
        let mut marks = Marks::default();
        assert!(marks.raise(ReadMark { scope: ReadScope::Slices, member: None, read_on: date!(2026 - 05 - 01) }));
        assert!(!marks.raise(ReadMark { scope: ReadScope::Slices, member: None, read_on: date!(2026 - 04 - 01) }));
        assert_eq!(marks.marks()[0].read_on, date!(2026 - 05 - 01));
        assert_eq!(Marks::read_by("time", Some(MemberNo(1)), date!(2026 - 05 - 01)), None);
        assert_eq!(Marks::read_by("cash-paid", None, date!(2026 - 05 - 01)), None);
        for scope in [ReadScope::Member, ReadScope::MemberWell, ReadScope::Well, ReadScope::Slices] {
            assert_eq!(ReadScope::from_code(i64::from(scope.code())), Some(scope));
        }
    }
}

//! The rules of a venture's later life: what a departing member keeps (the recovery framework),
//! what a buyout costs and what a claw-back owes, the cap table of whole shares a frozen split
//! becomes, the buy-back plan for a team that issued equal shares at the start, and an exact
//! distribution of money to holders.
//!
//! Every function is pure and exact: integers in minor units, each split by the largest-remainder
//! method, so the parts add up to the whole.

use crate::DomainError;
use crate::allocation::largest_remainder;
use crate::kind::{Class, Kind};
use crate::money::Rounding;
use crate::policy::{LeaverRentRoyalty, Policy};
use crate::replay::{Bucket, Effect};
use crate::terms::MemberNo;
use time::Date;

/// Why a member leaves: fired or resigned, for a good reason or not. The first and the last are
/// *bad leavers*, the middle two *good leavers*.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaveCase {
    /// Fired for a good reason (misconduct, repeated warnings): a bad leaver.
    FiredForGoodReason,
    /// Fired for no good reason: a good leaver.
    FiredForNoGoodReason,
    /// Resigned for a good reason (demotion, relocation, illness): a good leaver.
    ResignedForGoodReason,
    /// Resigned for no good reason: a bad leaver, whom a loyalty clause may protect.
    ResignedForNoGoodReason,
}

/// Every case, in the order forms show them.
pub const ALL_CASES: [LeaveCase; 4] =
    [LeaveCase::FiredForGoodReason, LeaveCase::FiredForNoGoodReason, LeaveCase::ResignedForGoodReason, LeaveCase::ResignedForNoGoodReason];

impl LeaveCase {
    /// The name used in files, the CLI and the API.
    pub fn name(&self) -> &'static str {
        match self {
            LeaveCase::FiredForGoodReason => "fired-for-good-reason",
            LeaveCase::FiredForNoGoodReason => "fired-for-no-good-reason",
            LeaveCase::ResignedForGoodReason => "resigned-for-good-reason",
            LeaveCase::ResignedForNoGoodReason => "resigned-for-no-good-reason",
        }
    }

    /// Parses a name.
    pub fn from_name(name: &str) -> Option<LeaveCase> {
        ALL_CASES.iter().copied().find(|c| c.name() == name)
    }

    /// Words for people.
    pub fn words(&self) -> &'static str {
        match self {
            LeaveCase::FiredForGoodReason => "fired for a good reason",
            LeaveCase::FiredForNoGoodReason => "fired for no good reason",
            LeaveCase::ResignedForGoodReason => "resigned for a good reason",
            LeaveCase::ResignedForNoGoodReason => "resigned for no good reason",
        }
    }

    /// Whether this case makes a bad leaver.
    pub fn bad_leaver(&self) -> bool {
        matches!(self, LeaveCase::FiredForGoodReason | LeaveCase::ResignedForNoGoodReason)
    }

    /// Whether a loyalty clause protects older slices in this case (only resigning for no good
    /// reason).
    pub fn loyalty_applies(&self) -> bool {
        matches!(self, LeaveCase::ResignedForNoGoodReason)
    }
}

/// What a departure does to one bucket of a leaver's slices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment {
    /// Kept as it is, multiplier included.
    Keep,
    /// Kept at multiplier 1: the slices become the value at risk.
    AtPar,
    /// Lost: slices and value to zero.
    Lose,
}

impl Treatment {
    /// The name shown in previews.
    pub fn name(&self) -> &'static str {
        match self {
            Treatment::Keep => "kept",
            Treatment::AtPar => "kept at ×1",
            Treatment::Lose => "lost",
        }
    }
}

/// How a departure treats slices of a kind and class, by what was given: cash and tangible goods
/// are kept at ×1 by a bad leaver, time and relationships are lost, and rent and royalties follow
/// the policy's setting. A good leaver keeps everything.
pub fn treatment(policy: &Policy, case: LeaveCase, kind: Kind, class: Class) -> Treatment {
    if !case.bad_leaver() {
        return Treatment::Keep;
    }
    match kind {
        Kind::Cash | Kind::Expense | Kind::Equipment | Kind::Supplies => Treatment::AtPar,
        Kind::Facilities | Kind::CapitalUse | Kind::Idea => match policy.leaver_rent_royalty {
            LeaverRentRoyalty::Keep => Treatment::AtPar,
            LeaverRentRoyalty::Lose => Treatment::Lose,
        },
        Kind::Time | Kind::Sale | Kind::FindersFee => Treatment::Lose,
        Kind::Other => match class {
            Class::Cash => Treatment::AtPar,
            Class::NonCash | Class::Plain => Treatment::Lose,
        },
    }
}

/// One bucket of a leaver's balance before and after the departure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecoveryLine {
    /// The kind.
    pub kind: Kind,
    /// The class.
    pub class: Class,
    /// What the rule does to the unprotected part.
    pub treatment: Treatment,
    /// The balance before.
    pub before: Bucket,
    /// The part a loyalty clause protects (held on the cut-off date and still held).
    pub protected: Bucket,
    /// The balance after.
    pub after: Bucket,
}

/// The outcome of a departure: each bucket before and after, and the effects that take it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// One line per bucket the leaver holds.
    pub lines: Vec<RecoveryLine>,
    /// The ledger effects (negative or zero slices; the well is not touched).
    pub effects: Vec<Effect>,
}

impl Recovery {
    /// Slices before the departure, slice minor units.
    pub fn slices_before(&self) -> i64 {
        self.lines.iter().map(|l| l.before.slices_minor).sum()
    }

    /// Slices after it.
    pub fn slices_after(&self) -> i64 {
        self.lines.iter().map(|l| l.after.slices_minor).sum()
    }
}

/// Applies the recovery framework to a leaver's buckets. `current` is what they hold now;
/// `protected` what they held on the loyalty cut-off date (ignored unless the clause applies to
/// this case). A protected part is kept as it is; the rest is treated by [`treatment`]. Slices
/// never grow and never go below zero; the well balance (money lent) is left alone. At ×1 a
/// bucket keeps one slice per unit of value: `slices_per_minor` slice units per minor unit.
pub fn recovery(
    policy: &Policy,
    case: LeaveCase,
    member: MemberNo,
    current: &[(Kind, Class, Bucket)],
    protected: &[(Kind, Class, Bucket)],
    slices_per_minor: i64,
) -> Recovery {
    let mut lines = Vec::with_capacity(current.len());
    let mut effects = Vec::new();
    for &(kind, class, before) in current {
        if before.slices_minor == 0 && before.fmv_minor == 0 {
            continue;
        }
        let rule = treatment(policy, case, kind, class);
        let held = if case.loyalty_applies() && policy.loyalty_months.is_some() {
            protected.iter().find(|(k, c, _)| *k == kind && *c == class).map(|(_, _, b)| *b).unwrap_or_default()
        } else {
            Bucket::default()
        };
        let kept = Bucket {
            fmv_minor: held.fmv_minor.clamp(0, before.fmv_minor.max(0)),
            slices_minor: held.slices_minor.clamp(0, before.slices_minor.max(0)),
            well_minor: 0,
        };
        let open_fmv = before.fmv_minor - kept.fmv_minor;
        let open_slices = before.slices_minor - kept.slices_minor;
        let after = match rule {
            Treatment::Keep => before,
            Treatment::AtPar => {
                let at_par = open_fmv.saturating_mul(slices_per_minor);
                Bucket { slices_minor: kept.slices_minor + at_par.min(open_slices).max(0), ..before }
            }
            Treatment::Lose => Bucket { fmv_minor: kept.fmv_minor, slices_minor: kept.slices_minor, well_minor: before.well_minor },
        };
        let effect = Effect {
            member,
            kind,
            class,
            fmv_minor: after.fmv_minor - before.fmv_minor,
            slices_minor: after.slices_minor - before.slices_minor,
            well_minor: 0,
        };
        if effect.fmv_minor != 0 || effect.slices_minor != 0 {
            effects.push(effect);
        }
        lines.push(RecoveryLine { kind, class, treatment: rule, before, protected: kept, after });
    }
    Recovery { lines, effects }
}

/// The price of `slices_minor` slices at `price_per_slice_minor` for one whole slice, rounded to
/// the minor unit by the policy's rule.
pub fn buyout_amount(slices_minor: i64, price_per_slice_minor: i64, minor_per_major: i64, rounding: Rounding) -> Result<i64, DomainError> {
    let product = i128::from(slices_minor).checked_mul(i128::from(price_per_slice_minor)).ok_or(DomainError::Overflow("a buyout price"))?;
    let amount = rounding.divide(product, i128::from(minor_per_major))?;
    i64::try_from(amount).map_err(|_| DomainError::Overflow("a buyout price"))
}

/// The value of one whole slice implied by paying `amount_minor` across `total_slices_minor`
/// slices, in minor units per slice, rounded down (the claw-back owes no more than is implied).
pub fn implied_price_per_slice(amount_minor: i64, total_slices_minor: i64, minor_per_major: i64) -> Result<i64, DomainError> {
    if total_slices_minor <= 0 {
        return Ok(0);
    }
    let product = i128::from(amount_minor).checked_mul(i128::from(minor_per_major)).ok_or(DomainError::Overflow("an implied price"))?;
    i64::try_from(product / i128::from(total_slices_minor)).map_err(|_| DomainError::Overflow("an implied price"))
}

/// What a bought-out leaver is owed when the venture later paid or sold at a higher implied price
/// per slice: the difference on every slice bought, never less than zero.
pub fn clawback_owed(slices_minor: i64, paid_per_slice_minor: i64, implied_per_slice_minor: i64, minor_per_major: i64) -> Result<i64, DomainError> {
    let gap = implied_per_slice_minor.saturating_sub(paid_per_slice_minor);
    if gap <= 0 {
        return Ok(0);
    }
    buyout_amount(slices_minor, gap, minor_per_major, Rounding::Down)
}

/// A cap table: `total_shares` whole shares split by slices with the largest-remainder method,
/// so the shares add up to the total exactly. Ties go to the earliest holder.
pub fn cap_table(total_shares: i64, slices: &[i64]) -> Result<Vec<i64>, DomainError> {
    if total_shares <= 0 {
        return Err(DomainError::ZeroAmount { field: "total shares" });
    }
    largest_remainder(total_shares, slices, 0)
}

/// One holder's line in a buy-back plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuyBackLine {
    /// Shares issued at the start.
    pub issued: i64,
    /// Shares to hold so holdings match the split.
    pub target: i64,
    /// Shares to buy back (issued − target, when positive).
    pub buy_back: i64,
    /// Shares to issue (target − issued, when positive: a holder who joined later).
    pub issue: i64,
}

/// A buy-back plan for a team that issued shares at the start: the largest total that the
/// holders' issued shares can cover by buying back only (the holder whose share of the split is
/// largest against what they were issued keeps all of theirs), split by slices with the largest
/// remainder, and for each holder what to buy back. Holders issued nothing need new shares.
pub fn buyback_plan(slices: &[i64], issued: &[i64]) -> Result<(i64, Vec<BuyBackLine>), DomainError> {
    if slices.len() != issued.len() {
        return Err(DomainError::Overflow("a buy-back plan with mismatched holders"));
    }
    let total_slices: i128 = slices.iter().map(|s| i128::from((*s).max(0))).sum();
    if total_slices == 0 {
        return Err(DomainError::ZeroAmount { field: "slices" });
    }
    // The total T must satisfy T × slices_i ÷ all slices ≤ issued_i for every holder issued shares.
    let mut total: Option<i128> = None;
    for (s, i) in slices.iter().zip(issued) {
        if *s > 0 && *i > 0 {
            let bound = i128::from(*i) * total_slices / i128::from(*s);
            total = Some(total.map_or(bound, |t| t.min(bound)));
        }
    }
    let total = total.ok_or(DomainError::ZeroAmount { field: "issued shares" })?;
    let total = i64::try_from(total).map_err(|_| DomainError::Overflow("a buy-back plan"))?;
    let targets = largest_remainder(total, slices, 0)?;
    let lines = targets
        .iter()
        .zip(issued)
        .map(|(target, issued)| BuyBackLine { issued: *issued, target: *target, buy_back: (issued - target).max(0), issue: (target - issued).max(0) })
        .collect();
    Ok((total, lines))
}

/// Splits a distribution of `amount_minor` over holders by weight (slices or shares), exact to
/// the minor unit. `number` is the distribution's number: it rotates where ties start, so the
/// spare units do not always go to the same holders.
pub fn distribute(amount_minor: i64, weights: &[i64], number: u32) -> Result<Vec<i64>, DomainError> {
    if amount_minor <= 0 {
        return Err(DomainError::ZeroAmount { field: "amount" });
    }
    if weights.iter().all(|w| *w <= 0) {
        return Err(DomainError::ZeroAmount { field: "slices held" });
    }
    let start = if weights.is_empty() { 0 } else { usize::try_from(number).unwrap_or(0) % weights.len() };
    largest_remainder(amount_minor, weights, start)
}

/// The tag of a departure entry: the leaver's slices adjusted by the recovery rules.
pub const DEPARTURE_TAG: &str = "departure";
/// The tag of a buyout entry: a departed member's slices leave the pie or pass to a buyer.
pub const BUYOUT_TAG: &str = "buyout";

/// Whether a tag is one of the later-life entries (departure, buyout).
pub fn is_lifecycle_tag(tag: &str) -> bool {
    tag == DEPARTURE_TAG || tag == BUYOUT_TAG
}

/// What a departure entry records besides its effects: the case, what the leaver held just
/// before, the loyalty cut-off and the balances it protected, and the entries whose slices it
/// adjusts. Its canonical text is the entry's inputs, so the hash chain covers all of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartureEvent {
    /// Why they left.
    pub case: LeaveCase,
    /// What the leaver held just before, per bucket (value and slices; `verify` checks it
    /// against the replay, and the departure's lines before and after read from it).
    pub held: Vec<(Kind, Class, Bucket)>,
    /// The loyalty cut-off: slices held on this day are protected (when the clause applies).
    pub cutoff: Option<Date>,
    /// What the leaver held on the cut-off day, per bucket.
    pub protected: Vec<(Kind, Class, Bucket)>,
    /// The entries whose slices the departure adjusts.
    pub entries: Vec<u64>,
}

fn corrupt(text: &str) -> DomainError {
    DomainError::CorruptInputs(text.chars().take(120).collect())
}

fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?.parse::<i32>().ok()?;
    let month = time::Month::try_from(parts.next()?.parse::<u8>().ok()?).ok()?;
    let day = parts.next()?.parse::<u8>().ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// Buckets as `kind/class/fmv/slices` joined by `+` (the well is left out).
fn write_buckets(buckets: &[(Kind, Class, Bucket)]) -> String {
    buckets.iter().map(|(k, c, b)| format!("{}/{}/{}/{}", k.name(), c.name(), b.fmv_minor, b.slices_minor)).collect::<Vec<String>>().join("+")
}

fn read_buckets(text: &str) -> Option<Vec<(Kind, Class, Bucket)>> {
    text.split('+')
        .filter(|p| !p.is_empty())
        .map(|part| {
            let bits: Vec<&str> = part.split('/').collect();
            let [kind, class, fmv, slices] = bits.as_slice() else { return None };
            let bucket = Bucket { fmv_minor: fmv.parse().ok()?, slices_minor: slices.parse().ok()?, well_minor: 0 };
            Some((Kind::from_name(kind)?, Class::from_name(class)?, bucket))
        })
        .collect()
}

/// The buckets with value or slices, the well left out: what a departure records as held.
pub fn held_buckets(buckets: &[(Kind, Class, Bucket)]) -> Vec<(Kind, Class, Bucket)> {
    buckets.iter().filter(|(_, _, b)| b.fmv_minor != 0 || b.slices_minor != 0).map(|(k, c, b)| (*k, *c, Bucket { well_minor: 0, ..*b })).collect()
}

impl DepartureEvent {
    /// The canonical text:
    /// `departure;case=…;held=kind/class/fmv/slices+…;cutoff=…|none;protected=…;entries=1,2`.
    pub fn canonical(&self) -> String {
        let entries: Vec<String> = self.entries.iter().map(u64::to_string).collect();
        format!(
            "{DEPARTURE_TAG};case={};held={};cutoff={};protected={};entries={}",
            self.case.name(),
            write_buckets(&self.held),
            self.cutoff.map_or_else(|| "none".to_string(), |d| d.to_string()),
            write_buckets(&self.protected),
            entries.join(",")
        )
    }

    /// Reads what [`DepartureEvent::canonical`] wrote; anything else is corrupt.
    pub fn from_canonical(text: &str) -> Result<DepartureEvent, DomainError> {
        let fields: Vec<&str> = text.split(';').collect();
        let [tag, case, held, cutoff, protected, entries] = fields.as_slice() else { return Err(corrupt(text)) };
        let value = |field: &'_ str, name: &str| field.strip_prefix(name).and_then(|f| f.strip_prefix('=')).map(str::to_string);
        if *tag != DEPARTURE_TAG {
            return Err(corrupt(text));
        }
        let case = value(case, "case").and_then(|c| LeaveCase::from_name(&c)).ok_or_else(|| corrupt(text))?;
        let held = value(held, "held").and_then(|h| read_buckets(&h)).ok_or_else(|| corrupt(text))?;
        let cutoff = match value(cutoff, "cutoff").ok_or_else(|| corrupt(text))?.as_str() {
            "none" => None,
            day => Some(parse_date(day).ok_or_else(|| corrupt(text))?),
        };
        let protected = value(protected, "protected").and_then(|p| read_buckets(&p)).ok_or_else(|| corrupt(text))?;
        let entries_text = value(entries, "entries").ok_or_else(|| corrupt(text))?;
        let entries =
            entries_text.split(',').filter(|e| !e.is_empty()).map(|e| e.parse::<u64>().map_err(|_| corrupt(text))).collect::<Result<Vec<u64>, _>>()?;
        let event = DepartureEvent { case, held, cutoff, protected, entries };
        if event.canonical() != text {
            return Err(corrupt(text));
        }
        Ok(event)
    }
}

/// What a buyout entry records besides its effects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuyoutEvent {
    /// The buyout's number.
    pub number: u32,
    /// Price of one whole slice, minor units.
    pub price_per_slice_minor: i64,
    /// The price of all the slices, minor units.
    pub amount_minor: i64,
    /// The member who bought them, or none when the venture did and they left the pie.
    pub buyer: Option<MemberNo>,
}

impl BuyoutEvent {
    /// The canonical text: `buyout;number=…;price=…;amount=…;buyer=…|none`.
    pub fn canonical(&self) -> String {
        format!(
            "{BUYOUT_TAG};number={};price={};amount={};buyer={}",
            self.number,
            self.price_per_slice_minor,
            self.amount_minor,
            self.buyer.map_or_else(|| "none".to_string(), |m| m.0.to_string())
        )
    }

    /// Reads what [`BuyoutEvent::canonical`] wrote; anything else is corrupt.
    pub fn from_canonical(text: &str) -> Result<BuyoutEvent, DomainError> {
        let fields: Vec<&str> = text.split(';').collect();
        let [tag, number, price, amount, buyer] = fields.as_slice() else { return Err(corrupt(text)) };
        let value = |field: &str, name: &str| field.strip_prefix(name).and_then(|f| f.strip_prefix('=')).map(str::to_string);
        if *tag != BUYOUT_TAG {
            return Err(corrupt(text));
        }
        let number = value(number, "number").and_then(|n| n.parse::<u32>().ok()).ok_or_else(|| corrupt(text))?;
        let price_per_slice_minor = value(price, "price").and_then(|n| n.parse::<i64>().ok()).ok_or_else(|| corrupt(text))?;
        let amount_minor = value(amount, "amount").and_then(|n| n.parse::<i64>().ok()).ok_or_else(|| corrupt(text))?;
        let buyer = match value(buyer, "buyer").ok_or_else(|| corrupt(text))?.as_str() {
            "none" => None,
            n => Some(MemberNo(n.parse::<u32>().map_err(|_| corrupt(text))?)),
        };
        let event = BuyoutEvent { number, price_per_slice_minor, amount_minor, buyer };
        if event.canonical() != text {
            return Err(corrupt(text));
        }
        Ok(event)
    }
}

/// The effects a departure or buyout entry implies, from its inputs and the leaver's buckets just
/// before it, under `policy` (its own version, or a candidate being compared). On its own
/// formula (`check_held`), a departure's record of what was held must be those buckets.
pub fn entry_effects(
    entry: &crate::entry::Entry,
    buckets: &[(Kind, Class, Bucket)],
    policy: &Policy,
    check_held: bool,
    slices_per_minor: i64,
) -> Result<Vec<Effect>, DomainError> {
    let refuse = |reason: &str| DomainError::InvalidText { field: "entry", reason: format!("#{} {reason}", entry.seq) };
    let member = entry.member.ok_or_else(|| refuse("names no member"))?;
    if entry.tag == DEPARTURE_TAG {
        let event = DepartureEvent::from_canonical(&entry.inputs)?;
        if check_held && event.held != held_buckets(buckets) {
            return Err(refuse("records balances the ledger does not hold"));
        }
        Ok(recovery(policy, event.case, member, buckets, &event.protected, slices_per_minor).effects)
    } else if entry.tag == BUYOUT_TAG {
        let event = BuyoutEvent::from_canonical(&entry.inputs)?;
        Ok(buyout_effects(member, buckets, event.buyer, event.amount_minor))
    } else {
        Err(refuse("is not a departure or buyout"))
    }
}

/// The effects of a buyout: every slice the leaver holds leaves them (value and slices to zero,
/// the well untouched); a member who buys them gets the same number of slices, worth what they
/// paid, with no multiplier.
pub fn buyout_effects(leaver: MemberNo, buckets: &[(Kind, Class, Bucket)], buyer: Option<MemberNo>, amount_minor: i64) -> Vec<Effect> {
    let mut effects: Vec<Effect> = buckets
        .iter()
        .filter(|(_, _, b)| b.slices_minor != 0 || b.fmv_minor != 0)
        .map(|(kind, class, b)| Effect { member: leaver, kind: *kind, class: *class, fmv_minor: -b.fmv_minor, slices_minor: -b.slices_minor, well_minor: 0 })
        .collect();
    let slices: i64 = buckets.iter().map(|(_, _, b)| b.slices_minor).sum();
    if let Some(buyer) = buyer
        && slices > 0
    {
        effects.push(Effect { member: buyer, kind: Kind::Other, class: Class::Plain, fmv_minor: amount_minor, slices_minor: slices, well_minor: 0 });
    }
    effects
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn bucket(fmv: i64, slices: i64) -> Bucket {
        Bucket { fmv_minor: fmv, slices_minor: slices, well_minor: 0 }
    }

    #[test]
    fn a_good_leaver_keeps_everything() {
        let policy = Policy::slicing_pie(Currency::from_code("EUR").unwrap());
        let current = [(Kind::Time, Class::NonCash, bucket(1000, 2000)), (Kind::Cash, Class::Cash, bucket(500, 2000))];
        for case in [LeaveCase::FiredForNoGoodReason, LeaveCase::ResignedForGoodReason] {
            let outcome = recovery(&policy, case, MemberNo(1), &current, &[], 1);
            assert!(outcome.effects.is_empty());
            assert_eq!(outcome.slices_after(), 4000);
        }
    }

    #[test]
    fn a_bad_leaver_loses_time_and_keeps_cash_at_par() {
        let policy = Policy::slicing_pie(Currency::from_code("EUR").unwrap());
        let current = [(Kind::Time, Class::NonCash, bucket(1000, 2000)), (Kind::Cash, Class::Cash, bucket(500, 2000))];
        let outcome = recovery(&policy, LeaveCase::FiredForGoodReason, MemberNo(1), &current, &[], 1);
        assert_eq!(outcome.slices_after(), 500);
        assert_eq!(outcome.effects.len(), 2);
        assert_eq!(outcome.effects[0].slices_minor, -2000);
        assert_eq!(outcome.effects[0].fmv_minor, -1000);
        assert_eq!(outcome.effects[1].slices_minor, -1500);
        assert_eq!(outcome.effects[1].fmv_minor, 0);
    }

    #[test]
    fn the_loyalty_clause_protects_only_resigning_for_no_good_reason() {
        let mut policy = Policy::slicing_pie(Currency::from_code("EUR").unwrap());
        policy.loyalty_months = Some(12);
        let current = [(Kind::Time, Class::NonCash, bucket(1000, 2000))];
        let protected = [(Kind::Time, Class::NonCash, bucket(600, 1200))];
        let resigned = recovery(&policy, LeaveCase::ResignedForNoGoodReason, MemberNo(1), &current, &protected, 1);
        assert_eq!(resigned.slices_after(), 1200);
        let fired = recovery(&policy, LeaveCase::FiredForGoodReason, MemberNo(1), &current, &protected, 1);
        assert_eq!(fired.slices_after(), 0);
    }

    #[test]
    fn buyout_and_clawback_are_exact() {
        assert_eq!(buyout_amount(12_345, 100, 100, Rounding::HalfUp).unwrap(), 12_345);
        assert_eq!(buyout_amount(12_345, 150, 100, Rounding::HalfUp).unwrap(), 18_518);
        assert_eq!(clawback_owed(10_000, 100, 250, 100).unwrap(), 15_000);
        assert_eq!(clawback_owed(10_000, 300, 250, 100).unwrap(), 0);
        assert_eq!(implied_price_per_slice(50_000, 20_000, 100).unwrap(), 250);
    }

    #[test]
    fn a_buyback_plan_keeps_the_largest_holder_whole() {
        // Three founders issued 1,000,000 each; the pie says 50%, 30%, 20%.
        let (total, lines) = buyback_plan(&[500, 300, 200], &[1_000_000, 1_000_000, 1_000_000]).unwrap();
        assert_eq!(total, 2_000_000);
        assert_eq!(lines.iter().map(|l| l.target).collect::<Vec<_>>(), vec![1_000_000, 600_000, 400_000]);
        assert_eq!(lines.iter().map(|l| l.buy_back).collect::<Vec<_>>(), vec![0, 400_000, 600_000]);
    }

    #[test]
    fn a_cap_table_adds_up_to_its_total() {
        let shares = cap_table(10_000_000, &[1, 1, 1]).unwrap();
        assert_eq!(shares.iter().sum::<i64>(), 10_000_000);
        assert_eq!(shares, vec![3_333_334, 3_333_333, 3_333_333]);
    }

    #[test]
    fn events_round_trip_through_their_canonical_text() {
        let departure = DepartureEvent {
            case: LeaveCase::ResignedForNoGoodReason,
            held: vec![(Kind::Time, Class::NonCash, bucket(1000, 2000)), (Kind::Cash, Class::Cash, bucket(50, 200))],
            cutoff: Some(time::macros::date!(2025 - 03 - 01)),
            protected: vec![(Kind::Time, Class::NonCash, bucket(600, 1200))],
            entries: vec![3, 7],
        };
        assert_eq!(DepartureEvent::from_canonical(&departure.canonical()).unwrap(), departure);
        let bare = DepartureEvent { case: LeaveCase::FiredForGoodReason, held: vec![], cutoff: None, protected: vec![], entries: vec![] };
        assert_eq!(DepartureEvent::from_canonical(&bare.canonical()).unwrap(), bare);
        assert!(DepartureEvent::from_canonical("departure;case=quit;held=;cutoff=none;protected=;entries=").is_err());
        assert!(DepartureEvent::from_canonical("departure;case=fired-for-good-reason;held=time/x/1/2;cutoff=none;protected=;entries=").is_err());
        let buyout = BuyoutEvent { number: 2, price_per_slice_minor: 100, amount_minor: 5_000, buyer: Some(MemberNo(4)) };
        assert_eq!(BuyoutEvent::from_canonical(&buyout.canonical()).unwrap(), buyout);
        assert!(BuyoutEvent::from_canonical("buyout;number=2;price=1;amount=1;buyer=x").is_err());
    }

    #[test]
    fn distributions_rotate_the_spare_unit() {
        let first = distribute(100, &[1, 1, 1], 0).unwrap();
        let second = distribute(100, &[1, 1, 1], 1).unwrap();
        assert_eq!(first, vec![34, 33, 33]);
        assert_eq!(second, vec![33, 34, 33]);
        assert!(distribute(0, &[1], 0).is_err());
        assert!(distribute(10, &[0, 0], 0).is_err());
    }
}

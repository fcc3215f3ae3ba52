//! The edition of the rules a venture's ledger was started under. It is fixed when the venture is
//! created, so a ledger recorded under earlier rules keeps verifying to the same chain head while
//! new ventures get the current ones.

use time::Date;

use crate::money::Currency;

/// The rules a ledger was started under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edition(u8);

impl Edition {
    /// The first rules: slices in the currency's minor unit; the well's spare units rotate with
    /// the entry's number; members who left stay in the well's pro-rata base (a payment from the
    /// well is refused while one of them has money in it).
    pub const FIRST: Edition = Edition(1);
    /// The current rules: slices to at least a hundredth whatever the currency; the well's spare
    /// units rotate with the entry's date, so the split depends on the dated entries alone; a
    /// member who left has no share in what the well pays for (their unspent money is owed back);
    /// `verify` checks that no entry was dated before a balance it changed had been read.
    pub const CURRENT: Edition = Edition(2);

    /// The edition with this number, if there is one.
    pub fn from_number(number: u8) -> Option<Edition> {
        (1..=2).contains(&number).then_some(Edition(number))
    }

    /// Its number, as stored.
    pub fn number(&self) -> u8 {
        self.0
    }

    /// Decimals of a slice in a venture of this currency: the currency's own under the first
    /// rules, at least two since.
    pub fn slice_scale(&self, currency: Currency) -> u8 {
        if *self == Edition::FIRST { currency.exponent() } else { currency.exponent().max(2) }
    }

    /// Slice units in one minor unit of the currency.
    pub fn slices_per_minor(&self, currency: Currency) -> i64 {
        10_i64.pow(u32::from(self.slice_scale(currency) - currency.exponent()))
    }

    /// Where the rotation of a pro-rata split's spare units starts for an entry: its number
    /// under the first rules, its date (days since the Julian epoch) since, which does not depend
    /// on the order entries were keyed in.
    pub fn tie_break(&self, seq: u64, occurred_on: Date) -> u64 {
        if *self == Edition::FIRST { seq } else { u64::try_from(occurred_on.to_julian_day()).unwrap_or(0) }
    }

    /// Whether members who left are outside the well's pro-rata base.
    pub fn leavers_leave_the_well(&self) -> bool {
        *self >= Edition::CURRENT
    }

    /// Whether `verify` checks the dating rules ([`crate::dating`]) over the whole ledger.
    pub fn dating_verified(&self) -> bool {
        *self >= Edition::CURRENT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_have_at_least_two_decimals_since_the_first_edition() {
        let code = |c: &str| Currency::from_code(c).unwrap();
        assert_eq!(Edition::FIRST.slice_scale(code("JPY")), 0);
        assert_eq!(Edition::CURRENT.slice_scale(code("JPY")), 2);
        assert_eq!(Edition::CURRENT.slice_scale(code("EUR")), 2);
        assert_eq!(Edition::CURRENT.slice_scale(code("KWD")), 3);
        assert_eq!(Edition::CURRENT.slices_per_minor(code("JPY")), 100);
        assert_eq!(Edition::CURRENT.slices_per_minor(code("EUR")), 1);
        assert!(Edition::from_number(3).is_none());
    }
}

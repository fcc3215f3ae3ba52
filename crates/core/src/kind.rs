//! Kinds of contribution and the two multiplier classes.

/// What was given. Every ledger effect is filed under one kind, so a member's slices can be shown
/// by kind and the leaver rules can treat each kind by what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Hours of work.
    Time,
    /// Cash into the well, and the slices it earns when spent.
    Cash,
    /// An unreimbursed expense.
    Expense,
    /// Equipment given to the venture.
    Equipment,
    /// Supplies given to the venture.
    Supplies,
    /// Space used by the venture.
    Facilities,
    /// Use of a good the member keeps (spare cycles).
    CapitalUse,
    /// An idea or IP, paid as a royalty on revenue.
    Idea,
    /// A sale, paid as a commission on revenue.
    Sale,
    /// A finder's fee on an investment brought in.
    FindersFee,
    /// Anything else, with a class chosen per entry.
    Other,
}

/// Every kind, in the order used for display and for the order of reductions.
pub const ALL_KINDS: [Kind; 11] = [
    Kind::Time,
    Kind::Cash,
    Kind::Expense,
    Kind::Equipment,
    Kind::Supplies,
    Kind::Facilities,
    Kind::CapitalUse,
    Kind::Idea,
    Kind::Sale,
    Kind::FindersFee,
    Kind::Other,
];

impl Kind {
    /// The name used in files, the CLI and the API.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Time => "time",
            Kind::Cash => "cash",
            Kind::Expense => "expense",
            Kind::Equipment => "equipment",
            Kind::Supplies => "supplies",
            Kind::Facilities => "facilities",
            Kind::CapitalUse => "capital-use",
            Kind::Idea => "idea",
            Kind::Sale => "sale",
            Kind::FindersFee => "finders-fee",
            Kind::Other => "other",
        }
    }

    /// Parses a name as written by [`Kind::name`].
    pub fn from_name(name: &str) -> Option<Kind> {
        ALL_KINDS.iter().copied().find(|k| k.name() == name)
    }

    /// A stable index (0..11), for arrays keyed by kind.
    pub fn index(&self) -> usize {
        match self {
            Kind::Time => 0,
            Kind::Cash => 1,
            Kind::Expense => 2,
            Kind::Equipment => 3,
            Kind::Supplies => 4,
            Kind::Facilities => 5,
            Kind::CapitalUse => 6,
            Kind::Idea => 7,
            Kind::Sale => 8,
            Kind::FindersFee => 9,
            Kind::Other => 10,
        }
    }
}

/// The risk class that picks the multiplier: cash-like contributions (post-tax money and goods
/// bought new) carry the cash multiplier, everything else the non-cash one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// Cash-like: the cash multiplier (4 by default).
    Cash,
    /// Non-cash: the non-cash multiplier (2 by default).
    NonCash,
    /// No multiplier (×1): used where the policy says a kind is not multiplied.
    Plain,
}

impl Class {
    /// The name used in files.
    pub fn name(&self) -> &'static str {
        match self {
            Class::Cash => "cash",
            Class::NonCash => "non-cash",
            Class::Plain => "plain",
        }
    }

    /// Parses a name.
    pub fn from_name(name: &str) -> Option<Class> {
        match name {
            "cash" => Some(Class::Cash),
            "non-cash" => Some(Class::NonCash),
            "plain" => Some(Class::Plain),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_indexes_are_distinct() {
        for (position, kind) in ALL_KINDS.iter().enumerate() {
            assert_eq!(Kind::from_name(kind.name()), Some(*kind));
            assert_eq!(kind.index(), position);
        }
        for class in [Class::Cash, Class::NonCash, Class::Plain] {
            assert_eq!(Class::from_name(class.name()), Some(class));
        }
    }
}

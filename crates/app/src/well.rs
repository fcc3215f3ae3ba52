//! The well, read: a venture's statement (balance, depositors, every movement with its running
//! balance), one person's (paid in, their share of each withdrawal and the slices it earned,
//! handed back), and how the venture's costs were spread across its peers, per need and per
//! month, in cash and in goods. Everything here is derived from the ledger's entries and the
//! links `capital` and `goods` keep to them; nothing is stored.

use crate::error::AppError;
use crate::{Commons, Now};
use peerstake_core::entry::{Entry, REVERSAL_TAG};
use peerstake_core::kind::Kind;
use peerstake_core::money::Currency;
use peerstake_core::terms::MemberNo;
use peerstake_store::{Mode, NeedRecord};
use std::collections::{BTreeMap, HashMap, HashSet};
use time::Date;

/// One movement of the well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WellMovement {
    /// The entry.
    pub seq: u64,
    /// Its date.
    pub occurred_on: Date,
    /// Its tag (`deposit`, `withdrawal`, `well-return`, `reversal`, a review step…).
    pub tag: String,
    /// Whose balance moved, when it is one person's.
    pub member: Option<String>,
    /// The change, minor units (deposits up, spending and returns down).
    pub change_minor: i64,
    /// Cash slices it earned (spending only).
    pub slices_minor: i64,
    /// The balance after it.
    pub balance_minor: i64,
    /// The entry's note.
    pub note: String,
    /// The need it paid, if any.
    pub need: Option<u32>,
}

/// A depositor's balance in the well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Depositor {
    /// Their handle.
    pub handle: String,
    /// Their display name.
    pub display_name: String,
    /// Unspent balance.
    pub balance_minor: i64,
}

/// A well statement: a venture's, or one member's.
#[derive(Debug, Clone)]
pub struct WellStatement {
    /// The venture's currency.
    pub currency: Currency,
    /// Whose it is (none: the venture's).
    pub member: Option<Depositor>,
    /// The balance now.
    pub balance_minor: i64,
    /// Paid in.
    pub deposited_minor: i64,
    /// Spent on costs.
    pub spent_minor: i64,
    /// Handed back, or paid out otherwise.
    pub returned_minor: i64,
    /// Cash slices the spending earned.
    pub slices_minor: i64,
    /// Every depositor with a balance (the venture's statement only).
    pub depositors: Vec<Depositor>,
    /// Every movement, oldest first.
    pub movements: Vec<WellMovement>,
}

/// Who covered what of a cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostShare {
    /// Their handle.
    pub handle: String,
    /// Their display name.
    pub display_name: String,
    /// Their share of well spending.
    pub cash_minor: i64,
    /// The value of goods they lent or gave.
    pub goods_minor: i64,
}

/// How one need's cost was spread.
#[derive(Debug, Clone)]
pub struct NeedCosts {
    /// The need.
    pub need: NeedRecord,
    /// Paid from the well.
    pub cash_minor: i64,
    /// Covered by goods in use.
    pub goods_minor: i64,
    /// Who covered it.
    pub shares: Vec<CostShare>,
}

/// How a month's costs were spread.
#[derive(Debug, Clone)]
pub struct MonthCosts {
    /// `YYYY-MM`.
    pub month: String,
    /// Who covered them.
    pub shares: Vec<CostShare>,
}

/// How a venture's costs were spread across its peers, per need and per month.
#[derive(Debug, Clone)]
pub struct SharedCosts {
    /// The venture's currency.
    pub currency: Currency,
    /// Per need, by number.
    pub needs: Vec<NeedCosts>,
    /// Per month, oldest first.
    pub months: Vec<MonthCosts>,
    /// Over the venture's life.
    pub totals: Vec<CostShare>,
}

impl Commons {
    /// The venture's well statement: balance, depositors and every movement.
    pub fn well(&self, venture: &str) -> Result<WellStatement, AppError> {
        self.well_statement(venture, None)
    }

    /// One member's well statement: what they paid in, their share of each withdrawal with the
    /// slices it earned, what was handed back.
    pub fn member_well(&self, venture: &str, handle: &str) -> Result<WellStatement, AppError> {
        self.well_statement(venture, Some(handle))
    }

    fn well_statement(&self, venture: &str, handle: Option<&str>) -> Result<WellStatement, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let member = handle.map(|h| book.member(h).map(|m| m.member_no)).transpose()?;
        let payments: HashMap<u64, u32> = tx.need_payments(book.venture.id)?.into_iter().map(|(need, seq)| (seq, need)).collect();
        let name = |m: MemberNo| book.member_by_no(m).map_or_else(|| format!("#{}", m.0), |r| r.handle.clone());
        let mut statement = WellStatement {
            currency: book.currency,
            member: None,
            balance_minor: 0,
            deposited_minor: 0,
            spent_minor: 0,
            returned_minor: 0,
            slices_minor: 0,
            depositors: Vec::new(),
            movements: Vec::new(),
        };
        let mut balance: i64 = 0;
        tx.scan_entries(book.venture.id, &mut |stored| {
            let entry = &stored.entry;
            let mine: Vec<_> = entry.effects.iter().filter(|e| e.well_minor != 0 && member.is_none_or(|m| e.member == m)).collect();
            if mine.is_empty() {
                return Ok(());
            }
            let change: i64 = mine.iter().map(|e| e.well_minor).sum();
            let spent: i64 = mine.iter().filter(|e| is_spending(e)).map(|e| e.fmv_minor).sum();
            let slices: i64 = mine.iter().filter(|e| is_spending(e)).map(|e| e.slices_minor).sum();
            if change > 0 && spent == 0 {
                statement.deposited_minor += change;
            } else if spent != 0 {
                statement.spent_minor += spent;
            } else {
                statement.returned_minor -= change;
            }
            statement.slices_minor += slices;
            balance += change;
            let owners: HashSet<MemberNo> = mine.iter().map(|e| e.member).collect();
            let who = if owners.len() == 1 { owners.iter().next().map(|m| name(*m)) } else { None };
            statement.movements.push(WellMovement {
                seq: entry.seq,
                occurred_on: entry.occurred_on,
                tag: entry.tag.clone(),
                member: who,
                change_minor: change,
                slices_minor: slices,
                balance_minor: balance,
                note: entry.note.clone(),
                need: need_of(entry, &payments),
            });
            Ok(())
        })?;
        statement.balance_minor = balance;
        let balances = tx.well_balances(book.venture.id)?;
        let depositor = |(m, b): (MemberNo, i64)| {
            let record = book.member_by_no(m);
            Depositor {
                handle: record.map_or_else(|| format!("#{}", m.0), |r| r.handle.clone()),
                display_name: record.map_or_else(String::new, |r| r.display_name.clone()),
                balance_minor: b,
            }
        };
        match member {
            Some(m) => statement.member = Some(depositor((m, balances.iter().find(|(x, _)| *x == m).map_or(0, |(_, b)| *b)))),
            None => statement.depositors = balances.into_iter().map(depositor).collect(),
        }
        Ok(statement)
    }

    /// How the venture's costs were spread across its peers: for each need, who paid what from
    /// the well and whose goods covered it; and the same per month for every cost.
    pub fn shared_costs(&self, venture: &str) -> Result<SharedCosts, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let id = book.venture.id;
        let payments: HashMap<u64, u32> = tx.need_payments(id)?.into_iter().map(|(need, seq)| (seq, need)).collect();
        let bookings: HashMap<u32, Option<u32>> = tx.bookings(id)?.into_iter().map(|b| (b.number, b.need)).collect();
        let usage_need: HashMap<u64, u32> =
            tx.usages(id)?.into_iter().filter_map(|u| Some((u.entry_seq?, bookings.get(&u.booking).copied().flatten()?))).collect();
        // Entries that lent or gave goods, by tag; their reversals undo them.
        let goods_tags = ["capital-use", "equipment", "supplies", "facilities"];
        // need -> member -> (cash, goods), and the same per month.
        let mut per_need: BTreeMap<u32, BTreeMap<MemberNo, (i64, i64)>> = BTreeMap::new();
        let mut per_month: BTreeMap<String, BTreeMap<MemberNo, (i64, i64)>> = BTreeMap::new();
        let mut goods_entries: HashSet<u64> = HashSet::new();
        tx.scan_entries(id, &mut |stored| {
            let entry = &stored.entry;
            let month = format!("{:04}-{:02}", entry.occurred_on.year(), u8::from(entry.occurred_on.month()));
            let need = need_of(entry, &payments);
            for effect in entry.effects.iter().filter(|e| is_spending(e)) {
                let slot = per_month.entry(month.clone()).or_default().entry(effect.member).or_default();
                slot.0 += effect.fmv_minor;
                if let Some(need) = need {
                    per_need.entry(need).or_default().entry(effect.member).or_default().0 += effect.fmv_minor;
                }
            }
            // Goods count at their value on the entry, whether or not review has let it count yet.
            let is_goods = if entry.tag == REVERSAL_TAG {
                entry.reverses.is_some_and(|target| goods_entries.contains(&target))
            } else {
                goods_tags.contains(&entry.tag.as_str())
            };
            if is_goods && let Some(member) = entry.member {
                goods_entries.insert(entry.seq);
                let value = entry.fmv_minor;
                per_month.entry(month.clone()).or_default().entry(member).or_default().1 += value;
                if let Some(need) = usage_need.get(&entry.reverses.unwrap_or(entry.seq)).copied() {
                    per_need.entry(need).or_default().entry(member).or_default().1 += value;
                }
            }
            Ok(())
        })?;
        let shares = |map: BTreeMap<MemberNo, (i64, i64)>| -> Vec<CostShare> {
            map.into_iter()
                .filter(|(_, (cash, goods))| *cash != 0 || *goods != 0)
                .map(|(m, (cash_minor, goods_minor))| {
                    let record = book.member_by_no(m);
                    CostShare {
                        handle: record.map_or_else(|| format!("#{}", m.0), |r| r.handle.clone()),
                        display_name: record.map_or_else(String::new, |r| r.display_name.clone()),
                        cash_minor,
                        goods_minor,
                    }
                })
                .collect()
        };
        let mut totals: BTreeMap<MemberNo, (i64, i64)> = BTreeMap::new();
        for month in per_month.values() {
            for (m, (cash, goods)) in month {
                let slot = totals.entry(*m).or_default();
                slot.0 += cash;
                slot.1 += goods;
            }
        }
        let mut needs = Vec::new();
        for need in tx.needs(id)? {
            let map = per_need.remove(&need.number).unwrap_or_default();
            let cash_minor = map.values().map(|(c, _)| c).sum();
            let goods_minor = map.values().map(|(_, g)| g).sum();
            needs.push(NeedCosts { need, cash_minor, goods_minor, shares: shares(map) });
        }
        let months = per_month.into_iter().map(|(month, map)| MonthCosts { month, shares: shares(map) }).collect();
        Ok(SharedCosts { currency: book.currency, needs, months, totals: shares(totals) })
    }
}

/// Whether an effect is a depositor's share of spending from the well (or its reversal): cash
/// that leaves the well and counts at the same value.
fn is_spending(effect: &peerstake_core::replay::Effect) -> bool {
    effect.kind == Kind::Cash && effect.fmv_minor != 0 && effect.fmv_minor == -effect.well_minor
}

/// The need an entry paid: a payment itself, its reversal, or the review step that let it count.
fn need_of(entry: &Entry, payments: &HashMap<u64, u32>) -> Option<u32> {
    payments.get(&entry.seq).or_else(|| entry.reverses.and_then(|s| payments.get(&s))).or_else(|| entry.about.and_then(|s| payments.get(&s))).copied()
}

impl crate::access::Acting<'_> {
    /// The venture's well statement (whoever may read the venture).
    pub fn well(&self, slug: &str, now: Now) -> Result<WellStatement, AppError> {
        self.standing(slug, now)?;
        self.commons.well(slug)
    }

    /// One member's well statement (whoever may read the venture: the ledger is open to them).
    pub fn member_well(&self, slug: &str, handle: &str, now: Now) -> Result<WellStatement, AppError> {
        self.standing(slug, now)?;
        self.commons.member_well(slug, handle)
    }

    /// How the venture's costs were spread (whoever may read the venture).
    pub fn shared_costs(&self, slug: &str, now: Now) -> Result<SharedCosts, AppError> {
        self.standing(slug, now)?;
        self.commons.shared_costs(slug)
    }
}

//! Paying people: income is recorded; distributions pay it out to holders by the live split or
//! the frozen cap table (see `freezes`), exact to the minor unit; every member has a statement of
//! what they hold and received, and of what a claw-back owes them; and the venture's printable
//! report and its CSV and JSON exports.

use crate::book::{Book, BuyoutView, buyout_view, check_note};
use crate::error::{AppError, invalid};
use crate::idempotency::{fingerprint, remember, replayed};
use crate::journal::frozen;
use crate::{Commons, Now};
use peerstake_core::lifecycle::{clawback_owed, distribute, implied_price_per_slice};
use peerstake_core::split::format_share;
use peerstake_core::split::percents;
use peerstake_core::terms::MemberNo;
use peerstake_store::{CapTableLine, DistributionRecord, FreezeRecord, IncomeRecord, Mode, Payout, Transaction};
use time::Date;

/// Kinds of income.
pub const INCOME_KINDS: [&str; 2] = ["revenue", "sale"];

/// Money received, with what is left to distribute.
#[derive(Debug, Clone)]
pub struct IncomeBook {
    /// Every income record.
    pub incomes: Vec<IncomeRecord>,
    /// Received − distributed, minor units.
    pub undistributed_minor: i64,
}

/// Income to record.
#[derive(Debug, Clone, Default)]
pub struct IncomeRequest {
    /// The venture's slug.
    pub venture: String,
    /// `revenue` or `sale`.
    pub kind: String,
    /// The amount.
    pub amount: String,
    /// The day it arrived (today when none).
    pub received_on: Option<Date>,
    /// Where it came from.
    pub note: String,
    /// For a sale of the venture: the price of the whole venture (implies a price per slice).
    pub valuation: String,
    /// The steward recording it (handle).
    pub by: Option<String>,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// A distribution to post (or preview).
#[derive(Debug, Clone, Default)]
pub struct DistributeRequest {
    /// The venture's slug.
    pub venture: String,
    /// The amount to pay out.
    pub amount: String,
    /// `split`, `cap-table`, or empty for the cap table when frozen and the split otherwise.
    pub basis: String,
    /// The day it is paid (today when none).
    pub paid_on: Option<Date>,
    /// What it is.
    pub note: String,
    /// The steward posting it (handle).
    pub by: Option<String>,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// One holder's payout, as people see it.
#[derive(Debug, Clone)]
pub struct PayoutLine {
    /// The holder's handle.
    pub member: String,
    /// Their display name.
    pub display_name: String,
    /// The payout.
    pub payout: Payout,
    /// Their share of the weight, two decimals.
    pub percent: String,
}

/// A distribution (posted, or previewed with number 0 … its number to be).
#[derive(Debug, Clone)]
pub struct DistributionView {
    /// The record, with its payouts.
    pub record: DistributionRecord,
    /// Whether it is posted.
    pub posted: bool,
    /// One line per holder.
    pub lines: Vec<PayoutLine>,
}

fn distribution_view(book: &Book, record: DistributionRecord, posted: bool) -> Result<DistributionView, AppError> {
    let weights: Vec<i64> = record.payouts.iter().map(|p| p.weight).collect();
    let percents = percents(&weights)?;
    let lines = record
        .payouts
        .iter()
        .zip(percents)
        .map(|(payout, percent)| {
            let member = book.member_by_no(payout.member);
            PayoutLine {
                member: member.map_or_else(|| format!("#{}", payout.member.0), |m| m.handle.clone()),
                display_name: member.map_or_else(String::new, |m| m.display_name.clone()),
                payout: *payout,
                percent,
            }
        })
        .collect();
    Ok(DistributionView { record, posted, lines })
}

/// Works out a distribution against the holdings now; writes nothing.
fn draft_distribution(tx: &mut dyn Transaction, book: &Book, request: &DistributeRequest, now: Now) -> Result<DistributionRecord, AppError> {
    check_note(&request.note)?;
    let amount = book.currency.parse_amount("amount", &request.amount)?;
    if amount == 0 {
        return Err(invalid("amount", "must be more than zero"));
    }
    let paid_on = request.paid_on.unwrap_or(now.today);
    crate::book::check_date("date", paid_on, now.today)?;
    let undistributed = undistributed(tx, book)?;
    if amount > undistributed {
        return Err(invalid(
            "amount",
            format!("is more than the income not yet distributed ({} {}); record the income first", book.currency.format(undistributed), book.currency.code()),
        ));
    }
    let freeze = frozen(tx, book)?;
    let basis = match (request.basis.trim(), &freeze) {
        ("" | "cap-table", Some(_)) => "cap-table",
        ("cap-table", None) => return Err(invalid("basis", "the split is not frozen; there is no cap table to pay by")),
        ("" | "split", _) => "split",
        _ => return Err(invalid("basis", "use split or cap-table")),
    };
    if basis == "split"
        && let Some(latest) = tx.latest_entry_date(book.venture.id)?
        && paid_on < latest
    {
        return Err(AppError::DateOutOfRange {
            field: "date",
            reason: format!("a distribution by the split reads every member's slices now, so it cannot be dated before the latest entry ({latest})"),
        });
    }
    let weights: Vec<(MemberNo, i64)> = if basis == "cap-table" {
        let number = freeze.as_ref().map_or(0, |f| f.number);
        tx.cap_table(book.venture.id, number)?.into_iter().filter(|l| l.shares > 0).map(|l| (l.member, l.shares)).collect()
    } else {
        tx.member_slices(book.venture.id)?
    };
    let number = tx.distribution_summary(book.venture.id)?.0.saturating_add(1);
    let amounts = distribute(amount, &weights.iter().map(|(_, w)| *w).collect::<Vec<i64>>(), number)?;
    let payouts = weights.iter().zip(amounts).map(|((member, weight), amount_minor)| Payout { member: *member, weight: *weight, amount_minor }).collect();
    Ok(DistributionRecord {
        number,
        amount_minor: amount,
        basis: basis.to_string(),
        freeze: if basis == "cap-table" { freeze.map(|f| f.number) } else { None },
        head_seq: book.venture.head_seq,
        total_weight: weights.iter().map(|(_, w)| *w).sum(),
        paid_on,
        note: request.note.trim().to_string(),
        posted_by: request.by.as_deref().map(|h| book.member(h).map(|m| m.member_no)).transpose()?,
        posted_at_ms: now.at_ms,
        payouts,
    })
}

fn undistributed(tx: &mut dyn Transaction, book: &Book) -> Result<i64, AppError> {
    let received: i64 = tx.incomes(book.venture.id)?.iter().map(|i| i.amount_minor).sum();
    let paid = tx.distribution_summary(book.venture.id)?.1;
    Ok(received - paid)
}

/// One payout on a member's statement.
#[derive(Debug, Clone)]
pub struct StatementPayout {
    /// The distribution's number.
    pub distribution: u32,
    /// The day it was paid.
    pub paid_on: Date,
    /// `split` or `cap-table`.
    pub basis: String,
    /// What the member's payout was split by (their slices or shares).
    pub weight: i64,
    /// All the weight.
    pub total_weight: i64,
    /// The ledger head it was split at: the entries behind their slices are those up to it.
    pub head_seq: u64,
    /// Paid, minor units.
    pub amount_minor: i64,
}

/// What a claw-back owes a bought-out good leaver for one buyout.
#[derive(Debug, Clone)]
pub struct Clawback {
    /// The buyout.
    pub buyout: u32,
    /// The last day of its window.
    pub until: Date,
    /// The event with the highest implied price in the window, if any: `sale #n` or `distribution #n`.
    pub event: Option<String>,
    /// Its date.
    pub on: Option<Date>,
    /// The price per slice it implies, minor units.
    pub implied_per_slice_minor: i64,
    /// Owed, minor units.
    pub owed_minor: i64,
}

/// A member's statement.
#[derive(Debug, Clone)]
pub struct Statement {
    /// Handle.
    pub member: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: String,
    /// The day they left, and why.
    pub departed: Option<(Date, String)>,
    /// Slices held now.
    pub slices_minor: i64,
    /// All slices.
    pub total_slices_minor: i64,
    /// Their share of the split now, two decimals.
    pub percent: String,
    /// Whole shares in the frozen cap table, and the total, when frozen.
    pub shares: Option<(i64, i64)>,
    /// Their unspent money in the well.
    pub well_minor: i64,
    /// Of it, what is owed back to them because they left: it has no share in what the well pays
    /// for any more and is handed back with a well return.
    pub well_owed_back_minor: i64,
    /// Every payout they received.
    pub payouts: Vec<StatementPayout>,
    /// All they received.
    pub received_minor: i64,
    /// Buyouts of their slices.
    pub buyouts: Vec<BuyoutView>,
    /// Claw-backs owed to them.
    pub clawbacks: Vec<Clawback>,
    /// All claw-backs owed.
    pub owed_minor: i64,
}

/// Everything a statement is built from, read once for all members.
struct Books {
    totals: Vec<(peerstake_core::replay::BucketKey, peerstake_core::replay::Bucket)>,
    distributions: Vec<DistributionRecord>,
    incomes: Vec<IncomeRecord>,
    buyouts: Vec<peerstake_store::BuyoutRecord>,
    departures: Vec<peerstake_store::DepartureRecord>,
    frozen: Option<(FreezeRecord, Vec<CapTableLine>)>,
}

fn read_books(tx: &mut dyn Transaction, book: &Book) -> Result<Books, AppError> {
    let frozen = match frozen(tx, book)? {
        Some(freeze) => {
            let lines = tx.cap_table(book.venture.id, freeze.number)?;
            Some((freeze, lines))
        }
        None => None,
    };
    Ok(Books {
        totals: tx.totals(book.venture.id)?,
        distributions: tx.distributions(book.venture.id)?,
        incomes: tx.incomes(book.venture.id)?,
        buyouts: tx.buyouts(book.venture.id)?,
        departures: tx.departures(book.venture.id)?,
        frozen,
    })
}

fn date_of_ms(at_ms: i64) -> Date {
    time::OffsetDateTime::from_unix_timestamp(at_ms.div_euclid(1000)).map_or(crate::book::DATE_MIN, |t| t.date())
}

/// What each accepted good-leaver buyout is owed under its claw-back window.
fn clawbacks(tx: &mut dyn Transaction, book: &Book, books: &Books, member: MemberNo) -> Result<Vec<Clawback>, AppError> {
    let unit = book.slice_unit();
    let mut out = Vec::new();
    for buyout in books.buyouts.iter().filter(|b| b.member == member && b.status == "accepted") {
        let Some(until) = buyout.clawback_until else { continue };
        let from = date_of_ms(buyout.decided_at_ms.unwrap_or(buyout.offered_at_ms));
        let mut best: Option<(String, Date, i64)> = None;
        for distribution in books.distributions.iter().filter(|d| d.paid_on >= from && d.paid_on <= until) {
            let slices = if distribution.basis == "cap-table" {
                let number = distribution.freeze.unwrap_or(0);
                tx.cap_table(book.venture.id, number)?.iter().map(|l| l.slices_minor).sum()
            } else {
                distribution.total_weight
            };
            let implied = implied_price_per_slice(distribution.amount_minor, slices, unit)?;
            if best.as_ref().is_none_or(|(_, _, p)| implied > *p) {
                best = Some((format!("distribution #{}", distribution.number), distribution.paid_on, implied));
            }
        }
        for sale in books.incomes.iter().filter(|i| i.kind == "sale" && i.received_on >= from && i.received_on <= until) {
            let Some(valuation) = sale.valuation_minor else { continue };
            let slices: i64 = tx.totals_as_of(book.venture.id, sale.received_on)?.iter().map(|(_, b)| b.slices_minor).sum();
            let implied = implied_price_per_slice(valuation, slices, unit)?;
            if best.as_ref().is_none_or(|(_, _, p)| implied > *p) {
                best = Some((format!("sale #{}", sale.number), sale.received_on, implied));
            }
        }
        let implied = best.as_ref().map_or(0, |(_, _, p)| *p);
        out.push(Clawback {
            buyout: buyout.number,
            until,
            owed_minor: clawback_owed(buyout.slices_minor, buyout.price_per_slice_minor, implied, unit)?,
            event: best.as_ref().map(|(e, _, _)| e.clone()),
            on: best.map(|(_, d, _)| d),
            implied_per_slice_minor: implied,
        });
    }
    Ok(out)
}

pub(crate) fn statements_in(tx: &mut dyn Transaction, book: &Book, only: Option<MemberNo>) -> Result<Vec<Statement>, AppError> {
    let books = read_books(tx, book)?;
    let member_nos: Vec<MemberNo> = book.members.iter().map(|m| m.member_no).collect();
    let split = peerstake_core::split::compute(&member_nos, books.totals.iter().copied())?;
    let mut out = Vec::new();
    for line in &split.members {
        if only.is_some_and(|m| m != line.member) {
            continue;
        }
        let Some(record) = book.member_by_no(line.member) else { continue };
        let payouts: Vec<StatementPayout> = books
            .distributions
            .iter()
            .filter_map(|d| {
                let payout = d.payouts.binary_search_by_key(&line.member, |p| p.member).ok().and_then(|i| d.payouts.get(i))?;
                Some(StatementPayout {
                    distribution: d.number,
                    paid_on: d.paid_on,
                    basis: d.basis.clone(),
                    weight: payout.weight,
                    total_weight: d.total_weight,
                    head_seq: d.head_seq,
                    amount_minor: payout.amount_minor,
                })
            })
            .collect();
        let clawbacks = clawbacks(tx, book, &books, line.member)?;
        let shares = books.frozen.as_ref().map(|(_, lines)| {
            let total = lines.iter().map(|l| l.shares).sum();
            (lines.iter().find(|l| l.member == line.member).map_or(0, |l| l.shares), total)
        });
        out.push(Statement {
            member: record.handle.clone(),
            display_name: record.display_name.clone(),
            role: record.role.clone(),
            departed: books.departures.iter().find(|d| d.member == line.member).map(|d| (d.departed_on, d.case.clone())),
            slices_minor: line.slices_minor,
            total_slices_minor: split.total_slices_minor,
            percent: format_share(line.share_units),
            shares,
            well_minor: line.well_minor,
            well_owed_back_minor: if record.departed_on.is_some() { line.well_minor } else { 0 },
            received_minor: payouts.iter().map(|p| p.amount_minor).sum(),
            payouts,
            buyouts: books.buyouts.iter().filter(|b| b.member == line.member).map(|b| buyout_view(book, b.clone())).collect(),
            owed_minor: clawbacks.iter().map(|c| c.owed_minor).sum(),
            clawbacks,
        });
    }
    Ok(out)
}

impl Commons {
    /// Records money the venture received.
    pub fn record_income(&self, request: &IncomeRequest, now: Now) -> Result<IncomeRecord, AppError> {
        check_note(&request.note)?;
        let kind = request.kind.trim();
        let kind = if kind.is_empty() { "revenue" } else { kind };
        if !INCOME_KINDS.contains(&kind) {
            return Err(invalid("kind", "use revenue or sale"));
        }
        let received_on = request.received_on.unwrap_or(now.today);
        crate::book::check_date("date", received_on, now.today)?;
        let key = fingerprint(&[
            "income",
            &request.venture,
            kind,
            &request.amount,
            &received_on.to_string(),
            &request.note,
            &request.valuation,
            request.by.as_deref().unwrap_or(""),
        ]);
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        if let Some(result) = replayed(tx.as_mut(), book.venture.id, request.idempotency_key.as_deref(), &key)? {
            let number: u32 =
                result.strip_prefix("income:").and_then(|n| n.parse().ok()).ok_or_else(|| invalid("idempotency key", "was used for something else"))?;
            return tx
                .incomes(book.venture.id)?
                .into_iter()
                .find(|i| i.number == number)
                .ok_or(AppError::NotFound { what: "income", name: number.to_string() });
        }
        let amount = book.currency.parse_amount("amount", &request.amount)?;
        if amount == 0 {
            return Err(invalid("amount", "must be more than zero"));
        }
        let valuation = match request.valuation.trim() {
            "" => None,
            text if kind == "sale" => Some(book.currency.parse_amount("valuation", text)?).filter(|v| *v > 0),
            _ => return Err(invalid("valuation", "only a sale of the venture carries a valuation")),
        };
        let mut record = IncomeRecord {
            number: 0,
            kind: kind.to_string(),
            amount_minor: amount,
            received_on,
            note: request.note.trim().to_string(),
            valuation_minor: valuation,
            recorded_by: request.by.as_deref().map(|h| book.member(h).map(|m| m.member_no)).transpose()?,
            recorded_at_ms: now.at_ms,
        };
        record.number = tx.insert_income(book.venture.id, &record)?;
        remember(tx.as_mut(), book.venture.id, request.idempotency_key.as_deref(), &key, &format!("income:{}", record.number), now)?;
        tx.commit()?;
        Ok(record)
    }

    /// Income received and what is left to distribute.
    pub fn incomes(&self, venture: &str) -> Result<IncomeBook, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let incomes = tx.incomes(book.venture.id)?;
        let undistributed_minor = undistributed(tx.as_mut(), &book)?;
        Ok(IncomeBook { incomes, undistributed_minor })
    }

    /// Works out a distribution and writes nothing: every holder's payout, exact to the minor unit.
    pub fn preview_distribution(&self, request: &DistributeRequest, now: Now) -> Result<DistributionView, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), &request.venture)?;
        let record = draft_distribution(tx.as_mut(), &book, request, now)?;
        distribution_view(&book, record, false)
    }

    /// Posts a distribution: the payouts are recorded as one row, exactly as previewed against
    /// the same holdings. The tie-break rotates with the distribution's number.
    pub fn post_distribution(&self, request: &DistributeRequest, now: Now) -> Result<DistributionView, AppError> {
        let key = fingerprint(&[
            "distribute",
            &request.venture,
            &request.amount,
            &request.basis,
            &request.paid_on.map(|d| d.to_string()).unwrap_or_default(),
            &request.note,
            request.by.as_deref().unwrap_or(""),
        ]);
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        if let Some(result) = replayed(tx.as_mut(), book.venture.id, request.idempotency_key.as_deref(), &key)? {
            let number: u32 =
                result.strip_prefix("distribution:").and_then(|n| n.parse().ok()).ok_or_else(|| invalid("idempotency key", "was used for something else"))?;
            let record = tx
                .distributions(book.venture.id)?
                .into_iter()
                .find(|d| d.number == number)
                .ok_or(AppError::NotFound { what: "distribution", name: number.to_string() })?;
            return distribution_view(&book, record, true);
        }
        let mut record = draft_distribution(tx.as_mut(), &book, request, now)?;
        record.number = tx.insert_distribution(book.venture.id, &record)?;
        if record.basis == "split" {
            // It read every member's slices: nothing may be dated before it now.
            let read = peerstake_core::dating::ReadMark { scope: peerstake_core::dating::ReadScope::Slices, member: None, read_on: record.paid_on };
            tx.raise_read_marks(book.venture.id, &[read])?;
        }
        remember(tx.as_mut(), book.venture.id, request.idempotency_key.as_deref(), &key, &format!("distribution:{}", record.number), now)?;
        tx.commit()?;
        let holders: Vec<MemberNo> = record.payouts.iter().map(|p| p.member).collect();
        let subject = format!("[{}] Income distributed: {} {}", book.venture.name, book.currency.format(record.amount_minor), book.currency.code());
        self.notify(
            &book.venture.slug,
            &holders,
            &subject,
            "Your statement shows your payout and what it was split by.",
            &format!("/v/{}/statement", book.venture.slug),
        );
        distribution_view(&book, record, true)
    }

    /// Every distribution of a venture, with payouts.
    pub fn distributions(&self, venture: &str) -> Result<Vec<DistributionView>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        tx.distributions(book.venture.id)?.into_iter().map(|r| distribution_view(&book, r, true)).collect()
    }

    /// One distribution.
    pub fn distribution(&self, venture: &str, number: u32) -> Result<DistributionView, AppError> {
        self.distributions(venture)?
            .into_iter()
            .find(|d| d.record.number == number)
            .ok_or(AppError::NotFound { what: "distribution", name: number.to_string() })
    }

    /// Every member's statement.
    pub fn statements(&self, venture: &str) -> Result<Vec<Statement>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        statements_in(tx.as_mut(), &book, None)
    }

    /// One member's statement.
    pub fn statement(&self, venture: &str, handle: &str) -> Result<Statement, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let member = book.member(handle)?.member_no;
        statements_in(tx.as_mut(), &book, Some(member))?.into_iter().next().ok_or(AppError::NotFound { what: "member", name: handle.to_string() })
    }
}

/// The day a freeze-related time in ms falls on (for display).
pub fn day_of(at_ms: i64) -> Date {
    date_of_ms(at_ms)
}

impl crate::access::Acting<'_> {
    /// Records income (stewards).
    pub fn record_income(&self, request: &IncomeRequest, now: Now) -> Result<IncomeRecord, AppError> {
        let steward = self.standing(&request.venture, now)?.require_steward()?.handle.clone();
        self.commons.record_income(&IncomeRequest { by: Some(steward), ..request.clone() }, now)
    }

    /// Income and what is left to distribute (whoever may read the venture).
    pub fn incomes(&self, slug: &str, now: Now) -> Result<IncomeBook, AppError> {
        self.standing(slug, now)?;
        self.commons.incomes(slug)
    }

    /// Previews a distribution (stewards).
    pub fn preview_distribution(&self, request: &DistributeRequest, now: Now) -> Result<DistributionView, AppError> {
        let steward = self.standing(&request.venture, now)?.require_steward()?.handle.clone();
        self.commons.preview_distribution(&DistributeRequest { by: Some(steward), ..request.clone() }, now)
    }

    /// Posts a distribution (stewards).
    pub fn post_distribution(&self, request: &DistributeRequest, now: Now) -> Result<DistributionView, AppError> {
        let steward = self.standing(&request.venture, now)?.require_steward()?.handle.clone();
        self.commons.post_distribution(&DistributeRequest { by: Some(steward), ..request.clone() }, now)
    }

    /// A venture's distributions (whoever may read it).
    pub fn distributions(&self, slug: &str, now: Now) -> Result<Vec<DistributionView>, AppError> {
        self.standing(slug, now)?;
        self.commons.distributions(slug)
    }

    /// One distribution (whoever may read the venture).
    pub fn distribution(&self, slug: &str, number: u32, now: Now) -> Result<DistributionView, AppError> {
        self.standing(slug, now)?;
        self.commons.distribution(slug, number)
    }

    /// Every member's statement (whoever may read the venture).
    pub fn statements(&self, slug: &str, now: Now) -> Result<Vec<Statement>, AppError> {
        self.standing(slug, now)?;
        self.commons.statements(slug)
    }

    /// One member's statement: whoever may read the venture, and always the member themselves,
    /// even after they left a members-only venture.
    pub fn statement(&self, slug: &str, handle: &str, now: Now) -> Result<Statement, AppError> {
        let standing = self.standing_of_any(slug, now)?;
        let own = standing.handle() == Some(handle);
        if !own && standing.departed() && standing.access.visibility == "members" {
            return Err(AppError::Forbidden("a member who left reads only their own statement".into()));
        }
        self.commons.statement(slug, handle)
    }

    /// The signed-in person's own statement, with their standing in the venture. A member who
    /// left a members-only venture reaches it too: the venture is hidden from them otherwise, so
    /// this is the only way a page learns which member they were.
    pub fn own_statement(&self, slug: &str, now: Now) -> Result<(crate::access::Standing, Statement), AppError> {
        self.signed_in()?;
        let standing = self.standing_of_any(slug, now)?;
        let handle = standing
            .member
            .as_ref()
            .map(|m| m.handle.clone())
            .ok_or_else(|| AppError::Forbidden(format!("you are not a member of {slug}, so you have no statement")))?;
        let statement = self.commons.statement(slug, &handle)?;
        Ok((standing, statement))
    }
}

//! Crystallizing the split: a steward proposes a freeze, the policy's decision rule approves it
//! (the same tally as a formula change), and the split becomes a cap table of whole shares by
//! largest remainder, with a buy-back plan for a team that issued shares at the start, stored
//! with the ledger's hash head. Undoing a freeze takes the same approval; while frozen, the
//! policy says whether contributions are still recorded.

use crate::book::{Book, Outcome, check_note, tally};
use crate::error::{AppError, invalid};
use crate::membership::require_present;
use crate::{Commons, Now};
use peerstake_core::lifecycle::{buyback_plan, cap_table};
use peerstake_core::split::percents;
use peerstake_core::terms::MemberNo;
use peerstake_store::{CapTableLine, FreezeRecord, FreezeVoteRecord, Mode, StoreError, Transaction};

/// Whole shares in a cap table unless the stewards choose another total.
pub const TOTAL_SHARES_DEFAULT: i64 = 10_000_000;

/// The most whole shares a cap table may split.
pub const TOTAL_SHARES_MAX: i64 = 1_000_000_000_000;

/// Why a split is frozen.
pub const FREEZE_REASONS: [&str; 3] = ["break-even", "funding-round", "other"];

/// One holder's line of a cap table.
#[derive(Debug, Clone)]
pub struct CapLine {
    /// The holder's handle.
    pub member: String,
    /// Their display name.
    pub display_name: String,
    /// The stored line.
    pub line: CapTableLine,
    /// Their share of the shares, two decimals.
    pub percent: String,
}

/// A freeze (proposed, frozen, unfrozen or turned down) as people see it.
#[derive(Debug, Clone)]
pub struct FreezeView {
    /// The record.
    pub record: FreezeRecord,
    /// Who proposed it (handle).
    pub proposed_by: String,
    /// Votes on freezing.
    pub votes: Vec<(String, FreezeVoteRecord)>,
    /// Votes on unfreezing, while that is open.
    pub unfreeze_votes: Vec<(String, FreezeVoteRecord)>,
    /// The rule that decides, and where the count stands.
    pub rule: String,
    /// The cap table: stored once frozen, worked out from the split now while proposed.
    pub cap_table: Vec<CapLine>,
    /// The total a buy-back plan leads to, when shares were issued at the start.
    pub buyback_total: Option<i64>,
}

/// A freeze to propose.
#[derive(Debug, Clone, Default)]
pub struct FreezeRequest {
    /// The venture's slug.
    pub venture: String,
    /// The steward proposing it (handle).
    pub by: String,
    /// `break-even`, `funding-round` or `other`.
    pub reason: String,
    /// More about it.
    pub note: String,
    /// Whole shares to split (10,000,000 when empty).
    pub total_shares: String,
    /// Shares issued at the start, per member handle, for a buy-back plan.
    pub issued: Vec<(String, String)>,
}

/// Works out a cap table (and buy-back plan) from the split now.
pub(crate) fn compute_cap_table(
    tx: &mut dyn Transaction,
    book: &Book,
    total_shares: i64,
    issued: &[(MemberNo, i64)],
) -> Result<(Vec<CapTableLine>, Option<i64>), AppError> {
    let holders = tx.member_slices(book.venture.id)?;
    if holders.is_empty() {
        return Err(invalid("split", "no one holds slices yet; there is nothing to freeze"));
    }
    let slices: Vec<i64> = holders.iter().map(|(_, s)| *s).collect();
    let shares = cap_table(total_shares, &slices)?;
    let issued_of = |m: MemberNo| issued.iter().find(|(who, _)| *who == m).map_or(0, |(_, n)| *n);
    let (plan, buyback_total) = if issued.is_empty() {
        (None, None)
    } else {
        let issued_each: Vec<i64> = holders.iter().map(|(m, _)| issued_of(*m)).collect();
        let (total, lines) = buyback_plan(&slices, &issued_each)?;
        (Some(lines), Some(total))
    };
    let lines = holders
        .iter()
        .enumerate()
        .map(|(index, (member, slices_minor))| {
            let step = plan.as_ref().and_then(|p| p.get(index));
            CapTableLine {
                member: *member,
                slices_minor: *slices_minor,
                shares: shares.get(index).copied().unwrap_or(0),
                issued: issued_of(*member),
                buy_back: step.map_or(0, |s| s.buy_back),
                issue: step.map_or(0, |s| s.issue),
            }
        })
        .collect();
    Ok((lines, buyback_total))
}

pub(crate) fn cap_lines(book: &Book, lines: &[CapTableLine]) -> Result<Vec<CapLine>, AppError> {
    let shares: Vec<i64> = lines.iter().map(|l| l.shares).collect();
    let percents = percents(&shares)?;
    Ok(lines
        .iter()
        .zip(percents)
        .map(|(line, percent)| {
            let record = book.member_by_no(line.member);
            CapLine {
                member: record.map_or_else(|| format!("#{}", line.member.0), |r| r.handle.clone()),
                display_name: record.map_or_else(String::new, |r| r.display_name.clone()),
                line: *line,
                percent,
            }
        })
        .collect())
}

fn freeze_view(tx: &mut dyn Transaction, book: &Book, record: FreezeRecord, now: Now) -> Result<FreezeView, AppError> {
    let name = |m: MemberNo| book.member_by_no(m).map_or_else(|| format!("#{}", m.0), |r| r.handle.clone());
    let votes = tx.freeze_votes(book.venture.id, record.number, "freeze")?;
    let unfreeze_votes = if record.unfreeze_proposed_at_ms.is_some() { tx.freeze_votes(book.venture.id, record.number, "unfreeze")? } else { Vec::new() };
    let rule = book.policy_at(now.today)?.1.proposals;
    let as_proposals = |votes: &[FreezeVoteRecord]| -> Vec<peerstake_store::ProposalVote> {
        votes.iter().map(|v| peerstake_store::ProposalVote { member: v.member, approve: v.approve, note: String::new(), at_ms: v.at_ms }).collect()
    };
    let counting = if record.unfreeze_proposed_at_ms.is_some() { &unfreeze_votes } else { &votes };
    let (_, words) = tally(rule, book, &as_proposals(counting));
    let (lines, buyback_total) = if record.status == "proposed" {
        // A proposal whose cap table cannot be worked out now (no one holds slices) shows none.
        compute_cap_table(tx, book, record.total_shares, &record.issued).unwrap_or_default()
    } else {
        let lines = tx.cap_table(book.venture.id, record.number)?;
        let total = (!record.issued.is_empty()).then(|| lines.iter().map(|l| l.issued - l.buy_back + l.issue).sum());
        (lines, total)
    };
    Ok(FreezeView {
        proposed_by: name(record.proposed_by),
        votes: votes.into_iter().map(|v| (name(v.member), v)).collect(),
        unfreeze_votes: unfreeze_votes.into_iter().map(|v| (name(v.member), v)).collect(),
        rule: words,
        cap_table: cap_lines(book, &lines)?,
        buyback_total,
        record,
    })
}

/// Decides a freeze (or an unfreeze) if the votes allow.
fn settle_freeze(tx: &mut dyn Transaction, book: &Book, record: &FreezeRecord, now: Now) -> Result<(), AppError> {
    let rule = book.policy_at(now.today)?.1.proposals;
    let round = if record.status == "frozen" { "unfreeze" } else { "freeze" };
    let votes: Vec<peerstake_store::ProposalVote> = tx
        .freeze_votes(book.venture.id, record.number, round)?
        .into_iter()
        .map(|v| peerstake_store::ProposalVote { member: v.member, approve: v.approve, note: String::new(), at_ms: v.at_ms })
        .collect();
    match (round, tally(rule, book, &votes).0) {
        ("freeze", Outcome::Adopt) => {
            let (lines, _) = compute_cap_table(tx, book, record.total_shares, &record.issued)?;
            tx.insert_cap_table(book.venture.id, record.number, &lines)?;
            // The book was read under the venture's write lock: its head is the ledger's now.
            let hash = book.venture.head_hash.to_hex();
            tx.set_freeze_status(book.venture.id, record.number, "proposed", "frozen", now.at_ms, Some((book.venture.head_seq, &hash)), Some(now.today))?;
            // The cap table read every member's slices: nothing may be dated before it now.
            let read = peerstake_core::dating::ReadMark { scope: peerstake_core::dating::ReadScope::Slices, member: None, read_on: now.today };
            tx.raise_read_marks(book.venture.id, &[read])?;
        }
        ("freeze", Outcome::Reject) => {
            tx.set_freeze_status(book.venture.id, record.number, "proposed", "rejected", now.at_ms, None, None)?;
        }
        ("unfreeze", Outcome::Adopt) => {
            tx.set_freeze_status(book.venture.id, record.number, "frozen", "unfrozen", now.at_ms, None, None)?;
        }
        ("unfreeze", Outcome::Reject) => {
            tx.set_unfreeze_proposed(book.venture.id, record.number, None)?;
        }
        _ => {}
    }
    Ok(())
}

fn find_freeze(tx: &mut dyn Transaction, book: &Book, number: u32) -> Result<FreezeRecord, AppError> {
    tx.freezes(book.venture.id)?.into_iter().find(|f| f.number == number).ok_or(AppError::NotFound { what: "freeze", name: number.to_string() })
}

impl Commons {
    /// A steward proposes to freeze the split into a cap table, with their own vote for it. It
    /// freezes when the policy's decision rule is met (at once for a venture's only steward).
    pub fn propose_freeze(&self, request: &FreezeRequest, now: Now) -> Result<FreezeView, AppError> {
        check_note(&request.note)?;
        let reason = request.reason.trim();
        if !FREEZE_REASONS.contains(&reason) {
            return Err(invalid("reason", "use break-even, funding-round or other"));
        }
        let total_shares = match request.total_shares.trim().replace(['_', ','], "") {
            text if text.is_empty() => TOTAL_SHARES_DEFAULT,
            text => text
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=TOTAL_SHARES_MAX).contains(n))
                .ok_or_else(|| invalid("total shares", format!("use a whole number from 1 to {TOTAL_SHARES_MAX}")))?,
        };
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let by = book.member(&request.by)?.member_no;
        require_present(&book, by)?;
        if !book.is_steward(by) {
            return Err(AppError::Forbidden("only a steward may propose a freeze".into()));
        }
        let mut issued = Vec::new();
        for (handle, shares) in &request.issued {
            let member = book.member(handle.trim())?.member_no;
            let shares = shares
                .trim()
                .replace(['_', ','], "")
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=TOTAL_SHARES_MAX).contains(n))
                .ok_or_else(|| invalid("issued shares", format!("'{shares}' for {handle} is not a whole number of shares")))?;
            if issued.iter().any(|(m, _)| *m == member) {
                return Err(invalid("issued shares", format!("{handle} is named twice")));
            }
            issued.push((member, shares));
        }
        if tx.freezes(book.venture.id)?.iter().any(|f| f.status == "proposed" || f.status == "frozen") {
            return Err(AppError::AlreadyExists { what: "freeze", name: "for this venture (decide or unfreeze it first)".into() });
        }
        // The cap table must be computable now; a plan with no issued shares is refused here.
        compute_cap_table(tx.as_mut(), &book, total_shares, &issued)?;
        let mut record = FreezeRecord {
            number: 0,
            reason: reason.to_string(),
            note: request.note.trim().to_string(),
            total_shares,
            issued,
            status: "proposed".into(),
            proposed_by: by,
            proposed_at_ms: now.at_ms,
            head: None,
            frozen_on: None,
            frozen_at_ms: None,
            unfreeze_proposed_at_ms: None,
            unfrozen_at_ms: None,
        };
        record.number = tx.insert_freeze(book.venture.id, &record)?;
        tx.insert_freeze_vote(book.venture.id, record.number, &FreezeVoteRecord { round: "freeze".into(), member: by, approve: true, at_ms: now.at_ms })?;
        settle_freeze(tx.as_mut(), &book, &record, now)?;
        let record = find_freeze(tx.as_mut(), &book, record.number)?;
        let view = freeze_view(tx.as_mut(), &book, record, now)?;
        tx.commit()?;
        let members: Vec<MemberNo> = book.active_members().map(|m| m.member_no).collect();
        let subject = if view.record.status == "frozen" {
            format!("[{}] The split is frozen", book.venture.name)
        } else {
            format!("[{}] A freeze of the split is proposed", book.venture.name)
        };
        self.notify(&book.venture.slug, &members, &subject, &view.record.note, &format!("/v/{}/freezes/{}", book.venture.slug, view.record.number));
        Ok(view)
    }

    /// A member votes on a proposed freeze, or on undoing a freeze when that is open.
    pub fn vote_freeze(&self, venture: &str, number: u32, by: &str, approve: bool, now: Now) -> Result<FreezeView, AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let by = book.member(by)?.member_no;
        require_present(&book, by)?;
        let record = find_freeze(tx.as_mut(), &book, number)?;
        let round = match (record.status.as_str(), record.unfreeze_proposed_at_ms) {
            ("proposed", _) => "freeze",
            ("frozen", Some(_)) => "unfreeze",
            _ => return Err(invalid("freeze", format!("#{number} is {} with no vote open", record.status))),
        };
        match tx.insert_freeze_vote(book.venture.id, number, &FreezeVoteRecord { round: round.into(), member: by, approve, at_ms: now.at_ms }) {
            Err(StoreError::Conflict(_)) => return Err(AppError::AlreadyExists { what: "vote", name: format!("on freeze #{number}") }),
            other => other?,
        }
        settle_freeze(tx.as_mut(), &book, &record, now)?;
        let record = find_freeze(tx.as_mut(), &book, number)?;
        let view = freeze_view(tx.as_mut(), &book, record, now)?;
        tx.commit()?;
        Ok(view)
    }

    /// A steward proposes to undo a freeze (when the policy allows it); the same rule decides.
    pub fn propose_unfreeze(&self, venture: &str, number: u32, by: &str, now: Now) -> Result<FreezeView, AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let by = book.member(by)?.member_no;
        require_present(&book, by)?;
        if !book.is_steward(by) {
            return Err(AppError::Forbidden("only a steward may propose to unfreeze".into()));
        }
        if !book.policy_at(now.today)?.1.freeze_reversible {
            return Err(AppError::Forbidden("the policy makes a freeze final (freeze_reversible = false)".into()));
        }
        let record = find_freeze(tx.as_mut(), &book, number)?;
        if record.status != "frozen" {
            return Err(invalid("freeze", format!("#{number} is {}; only a frozen split can be unfrozen", record.status)));
        }
        if record.unfreeze_proposed_at_ms.is_some() {
            return Err(AppError::AlreadyExists { what: "unfreeze proposal", name: format!("for freeze #{number}") });
        }
        tx.set_unfreeze_proposed(book.venture.id, number, Some(now.at_ms))?;
        tx.insert_freeze_vote(book.venture.id, number, &FreezeVoteRecord { round: "unfreeze".into(), member: by, approve: true, at_ms: now.at_ms })?;
        let record = find_freeze(tx.as_mut(), &book, number)?;
        settle_freeze(tx.as_mut(), &book, &record, now)?;
        let record = find_freeze(tx.as_mut(), &book, number)?;
        let view = freeze_view(tx.as_mut(), &book, record, now)?;
        tx.commit()?;
        Ok(view)
    }

    /// Every freeze of a venture, newest last.
    pub fn freezes(&self, venture: &str, now: Now) -> Result<Vec<FreezeView>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let records = tx.freezes(book.venture.id)?;
        records.into_iter().map(|r| freeze_view(tx.as_mut(), &book, r, now)).collect()
    }

    /// One freeze.
    pub fn freeze(&self, venture: &str, number: u32, now: Now) -> Result<FreezeView, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let record = find_freeze(tx.as_mut(), &book, number)?;
        freeze_view(tx.as_mut(), &book, record, now)
    }

    /// The cap table frozen now, if the split is frozen.
    pub fn current_cap_table(&self, venture: &str, now: Now) -> Result<Option<FreezeView>, AppError> {
        Ok(self.freezes(venture, now)?.into_iter().find(|f| f.record.status == "frozen"))
    }
}

impl crate::access::Acting<'_> {
    /// Proposes a freeze (stewards).
    pub fn propose_freeze(&self, request: &FreezeRequest, now: Now) -> Result<FreezeView, AppError> {
        let steward = self.standing(&request.venture, now)?.require_steward()?.handle.clone();
        self.commons.propose_freeze(&FreezeRequest { by: steward, ..request.clone() }, now)
    }

    /// Votes on a freeze or an unfreeze (members).
    pub fn vote_freeze(&self, slug: &str, number: u32, approve: bool, now: Now) -> Result<FreezeView, AppError> {
        let member = self.standing(slug, now)?.require_member()?.handle.clone();
        self.commons.vote_freeze(slug, number, &member, approve, now)
    }

    /// Proposes undoing a freeze (stewards).
    pub fn propose_unfreeze(&self, slug: &str, number: u32, now: Now) -> Result<FreezeView, AppError> {
        let steward = self.standing(slug, now)?.require_steward()?.handle.clone();
        self.commons.propose_unfreeze(slug, number, &steward, now)
    }

    /// A venture's freezes (whoever may read it).
    pub fn freezes(&self, slug: &str, now: Now) -> Result<Vec<FreezeView>, AppError> {
        self.standing(slug, now)?;
        self.commons.freezes(slug, now)
    }

    /// One freeze (whoever may read the venture).
    pub fn freeze(&self, slug: &str, number: u32, now: Now) -> Result<FreezeView, AppError> {
        self.standing(slug, now)?;
        self.commons.freeze(slug, number, now)
    }
}

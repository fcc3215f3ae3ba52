//! Policy proposals: a change to the formula is proposed by a member, shown as the split under the
//! current and the proposed policy side by side, voted on, and adopted when the rule of the policy
//! in force is met (a majority of the stewards, a quorum of members, or all of them). Every
//! proposal and vote is kept; nobody changes the formula without one.

use crate::book::{Book, Outcome, PolicyVersionView, SetPolicy, check_note, insert_policy_version, tally};
use crate::error::{AppError, invalid};
use crate::idempotency::{fingerprint, remember, replayed};
use crate::policy_file::PolicyChoice;
use crate::{Commons, Now};
use peerstake_core::policy::{DecisionRule, Policy};
use peerstake_core::terms::MemberNo;
use peerstake_store::{Mode, ProposalRecord, ProposalVote, Transaction};
use time::Date;

/// A proposal's status while it waits.
pub const OPEN: &str = "open";

/// A proposal to make.
#[derive(Debug, Clone)]
pub struct ProposeRequest {
    /// The venture's slug.
    pub venture: String,
    /// Handle of the member proposing (their vote for it is recorded with it).
    pub by: String,
    /// The proposed policy.
    pub policy: PolicyChoice,
    /// From when it would apply.
    pub effective_from: Date,
    /// Why.
    pub note: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// A vote on a proposal.
#[derive(Debug, Clone)]
pub struct VoteRequest {
    /// The venture's slug.
    pub venture: String,
    /// The proposal's number.
    pub number: u32,
    /// Handle of the member voting.
    pub by: String,
    /// For or against.
    pub approve: bool,
    /// What they say.
    pub note: String,
}

/// A proposal with its votes and where it stands.
#[derive(Debug, Clone)]
pub struct ProposalView {
    /// The stored proposal.
    pub record: ProposalRecord,
    /// The proposed policy.
    pub policy: Policy,
    /// Who proposed it.
    pub proposed_by: String,
    /// The votes, each with the voter's handle.
    pub votes: Vec<(String, ProposalVote)>,
    /// The rule that decides it, in words, with how far it has come.
    pub rule: String,
}

fn view(book: &Book, record: ProposalRecord, votes: Vec<ProposalVote>, rule: DecisionRule) -> Result<ProposalView, AppError> {
    let policy = crate::policy_file::parse(&record.settings, book.currency)?;
    let name = |m: MemberNo| book.member_by_no(m).map_or_else(|| format!("#{}", m.0), |r| r.handle.clone());
    let (_, words) = tally(rule, book, &votes);
    Ok(ProposalView { proposed_by: name(record.proposed_by), votes: votes.into_iter().map(|v| (name(v.member), v)).collect(), policy, record, rule: words })
}

/// The rule deciding proposals today: the one in the policy in force.
fn rule_today(book: &Book, today: Date) -> Result<DecisionRule, AppError> {
    Ok(book.policy_at(today)?.1.proposals)
}

/// Decides an open proposal if the votes allow: adopts it as the next policy version, or rejects it.
fn settle(tx: &mut dyn Transaction, book: &Book, record: &ProposalRecord, votes: &[ProposalVote], now: Now) -> Result<(), AppError> {
    let rule = rule_today(book, now.today)?;
    match tally(rule, book, votes).0 {
        Outcome::Adopt => {
            let policy = crate::policy_file::parse(&record.settings, book.currency)?;
            let version = insert_policy_version(tx, book, &policy, record.effective_from, now)?;
            tx.decide_proposal(book.venture.id, record.number, "adopted", now.at_ms, Some(version.version))?;
        }
        Outcome::Reject => {
            tx.decide_proposal(book.venture.id, record.number, "rejected", now.at_ms, None)?;
        }
        Outcome::Wait => {}
    }
    Ok(())
}

impl Commons {
    /// Proposes a policy change, with the proposer's vote for it; adopts it at once if that
    /// already meets the rule in force (a venture's only steward, say). The proposal, its vote
    /// and its outcome stay on record.
    pub fn propose(&self, request: &ProposeRequest, now: Now) -> Result<ProposalView, AppError> {
        check_note(&request.note)?;
        let fingerprint =
            fingerprint(&["propose", &request.venture, &request.by, &request.effective_from.to_string(), &request.policy.fingerprint_part(), &request.note]);
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let venture = book.venture.clone();
        if let Some(result) = replayed(tx.as_mut(), venture.id, request.idempotency_key.as_deref(), &fingerprint)? {
            let number: u32 = result.strip_prefix("proposal:").and_then(|n| n.parse().ok()).unwrap_or(0);
            drop(tx);
            return self.proposal(&request.venture, number);
        }
        let by = book.member(&request.by)?.member_no;
        crate::membership::require_present(&book, by)?;
        let policy = request.policy.resolve(book.currency)?;
        let last = book.policies.last().map(|(record, _)| record.effective_from);
        if let Some(last) = last
            && request.effective_from <= last
        {
            return Err(AppError::Retroactive {
                what: "a policy",
                effective_from: request.effective_from.to_string(),
                reason: format!("the current version takes effect on {last}; choose a later date"),
            });
        }
        let label = match &request.policy {
            PolicyChoice::Preset(name) => name.clone(),
            PolicyChoice::File(_) => policy.preset.clone(),
        };
        let mut record = ProposalRecord {
            number: 0,
            proposed_by: by,
            label,
            settings: crate::policy_file::to_toml(&policy, book.currency),
            effective_from: request.effective_from,
            note: request.note.trim().to_string(),
            status: OPEN.to_string(),
            created_at_ms: now.at_ms,
            decided_at_ms: None,
            policy_version: None,
        };
        record.number = tx.insert_proposal(venture.id, &record)?;
        let vote = ProposalVote { member: by, approve: true, note: String::new(), at_ms: now.at_ms };
        tx.insert_proposal_vote(venture.id, record.number, &vote)?;
        settle(tx.as_mut(), &book, &record, std::slice::from_ref(&vote), now)?;
        remember(tx.as_mut(), venture.id, request.idempotency_key.as_deref(), &fingerprint, &format!("proposal:{}", record.number), now)?;
        tx.commit()?;
        let view = self.proposal(&request.venture, record.number)?;
        if view.record.status == OPEN {
            let others: Vec<MemberNo> = book.members.iter().map(|m| m.member_no).filter(|m| *m != by).collect();
            let subject = format!("[{}] Proposal #{} waits for your vote", venture.name, record.number);
            let body = format!(
                "{} proposes the {} formula from {}: {}. Compare the split now and under it, then vote.",
                view.proposed_by,
                view.policy.preset,
                record.effective_from,
                if record.note.is_empty() { "no reason given" } else { record.note.as_str() }
            );
            self.notify(&venture.slug, &others, &subject, &body, &format!("/v/{}/proposals/{}", venture.slug, record.number));
        }
        Ok(view)
    }

    /// Votes on an open proposal, once per member; the vote that meets the rule adopts it (or
    /// makes it impossible, and rejects it). Writers are serialized per venture, so it is decided
    /// exactly once.
    pub fn vote_on_proposal(&self, request: &VoteRequest, now: Now) -> Result<ProposalView, AppError> {
        check_note(&request.note)?;
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let venture = book.venture.clone();
        let by = book.member(&request.by)?.member_no;
        crate::membership::require_present(&book, by)?;
        let record = tx.proposal(venture.id, request.number)?.ok_or(AppError::NotFound { what: "proposal", name: request.number.to_string() })?;
        if record.status != OPEN {
            return Err(invalid("proposal", format!("#{} is {}; it takes no more votes", record.number, record.status)));
        }
        if tx.proposal_votes(venture.id, request.number)?.iter().any(|v| v.member == by) {
            return Err(invalid("vote", format!("{} has already voted on proposal #{}", request.by, record.number)));
        }
        tx.insert_proposal_vote(
            venture.id,
            record.number,
            &ProposalVote { member: by, approve: request.approve, note: request.note.trim().to_string(), at_ms: now.at_ms },
        )?;
        let votes = tx.proposal_votes(venture.id, record.number)?;
        settle(tx.as_mut(), &book, &record, &votes, now)?;
        tx.commit()?;
        self.proposal(&request.venture, request.number)
    }

    /// Withdraws an open proposal (its proposer).
    pub fn withdraw_proposal(&self, venture: &str, number: u32, by: &str, now: Now) -> Result<ProposalView, AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let member = book.member(by)?.member_no;
        let record = tx.proposal(book.venture.id, number)?.ok_or(AppError::NotFound { what: "proposal", name: number.to_string() })?;
        if record.proposed_by != member {
            return Err(AppError::Forbidden("only whoever proposed it may withdraw a proposal".into()));
        }
        if !tx.decide_proposal(book.venture.id, number, "withdrawn", now.at_ms, None)? {
            return Err(invalid("proposal", format!("#{number} is {}; it can no longer be withdrawn", record.status)));
        }
        tx.commit()?;
        self.proposal(venture, number)
    }

    /// A venture's proposals, newest first.
    pub fn proposals(&self, venture: &str) -> Result<Vec<ProposalView>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let rule = book.policies.last().map_or(DecisionRule::Stewards, |(_, p)| p.proposals);
        let mut out = Vec::new();
        for record in tx.proposals(book.venture.id)? {
            let votes = tx.proposal_votes(book.venture.id, record.number)?;
            out.push(view(&book, record, votes, rule)?);
        }
        Ok(out)
    }

    /// One proposal with its votes.
    pub fn proposal(&self, venture: &str, number: u32) -> Result<ProposalView, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let record = tx.proposal(book.venture.id, number)?.ok_or(AppError::NotFound { what: "proposal", name: number.to_string() })?;
        let votes = tx.proposal_votes(book.venture.id, number)?;
        let rule = book.policies.last().map_or(DecisionRule::Stewards, |(_, p)| p.proposals);
        view(&book, record, votes, rule)
    }
}

impl crate::access::Acting<'_> {
    /// Proposes a policy change as a steward, with their vote: adopted at once only when that
    /// meets the rule in force (a venture's only steward, under the default rule). Returns the
    /// version adopted, or the proposal still open.
    pub fn set_policy(&self, request: &SetPolicy, now: Now) -> Result<Result<PolicyVersionView, ProposalView>, AppError> {
        self.standing(&request.venture, now)?.require_steward()?;
        let proposal = self.propose(
            &ProposeRequest {
                venture: request.venture.clone(),
                by: String::new(),
                policy: request.policy.clone(),
                effective_from: request.effective_from,
                note: String::new(),
                idempotency_key: request.idempotency_key.clone(),
            },
            now,
        )?;
        match proposal.record.policy_version {
            Some(version) => {
                let (_, versions) = self.commons.policy_history(&request.venture)?;
                versions
                    .into_iter()
                    .find(|v| v.record.version == version)
                    .map(Ok)
                    .ok_or(AppError::NotFound { what: "policy version", name: version.to_string() })
            }
            None => Ok(Err(proposal)),
        }
    }

    /// Proposes a policy change (members), with one's own vote for it.
    pub fn propose(&self, request: &ProposeRequest, now: Now) -> Result<ProposalView, AppError> {
        let standing = self.standing(&request.venture, now)?;
        let member = standing.require_member()?;
        self.commons.propose(&ProposeRequest { by: member.handle.clone(), ..request.clone() }, now)
    }

    /// Votes on a proposal (members, once each).
    pub fn vote_on_proposal(&self, request: &VoteRequest, now: Now) -> Result<ProposalView, AppError> {
        let standing = self.standing(&request.venture, now)?;
        let member = standing.require_member()?;
        self.commons.vote_on_proposal(&VoteRequest { by: member.handle.clone(), ..request.clone() }, now)
    }

    /// Withdraws one's own open proposal.
    pub fn withdraw_proposal(&self, slug: &str, number: u32, now: Now) -> Result<ProposalView, AppError> {
        let standing = self.standing(slug, now)?;
        let member = standing.require_member()?;
        self.commons.withdraw_proposal(slug, number, &member.handle, now)
    }

    /// A venture's proposals, for anyone who may read it.
    pub fn proposals(&self, slug: &str, now: Now) -> Result<Vec<ProposalView>, AppError> {
        self.standing(slug, now)?;
        self.commons.proposals(slug)
    }

    /// One proposal, for anyone who may read the venture (its page shows the split now and
    /// under the proposal's settings, from the ledger's split).
    pub fn proposal(&self, slug: &str, number: u32, now: Now) -> Result<ProposalView, AppError> {
        self.standing(slug, now)?;
        self.commons.proposal(slug, number)
    }
}

//! Peer review of entries: the states an entry passes through (pending, counted, disputed,
//! rejected), the steps that move it (approve, dispute, withdraw a dispute, a stewards' decision,
//! a vote), and what each step does to the entry's effects on the split.
//!
//! Every step is itself a ledger entry about the entry it reviews. A step that makes the entry
//! count carries the entry's effects, valued at that moment and dated that day; a step that takes
//! it out of the split carries the negation of what it counted. So the split as of any date
//! counts an entry exactly from when it was approved, and `verify` replays the steps like any
//! other entry.

use std::fmt;

use crate::policy::{DisputeRule, ReviewRule};
use crate::terms::MemberNo;

/// Tag of an approval.
pub const APPROVAL_TAG: &str = "approval";
/// Tag of a dispute.
pub const DISPUTE_TAG: &str = "dispute";
/// Tag of a dispute withdrawn by whoever raised it.
pub const WITHDRAWAL_TAG: &str = "dispute-withdrawn";
/// Tag of a stewards' decision on a dispute.
pub const DECISION_TAG: &str = "decision";
/// Tag of a vote on a dispute.
pub const VOTE_TAG: &str = "vote";

/// Every review step's tag.
pub const REVIEW_TAGS: [&str; 5] = [APPROVAL_TAG, DISPUTE_TAG, WITHDRAWAL_TAG, DECISION_TAG, VOTE_TAG];

/// The status a reviewed entry has once it is reversed (kept beside the four review statuses).
pub const REVERSED: &str = "reversed";

/// What a reviewed entry counts now: its own effects plus its steps', summed per bucket, the
/// buckets that come to nothing left out. A reversal or a step that takes it out of the split
/// negates exactly this.
pub fn counted_effects<'a>(parts: impl IntoIterator<Item = &'a [crate::replay::Effect]>) -> Vec<crate::replay::Effect> {
    let mut sums: std::collections::BTreeMap<crate::replay::BucketKey, crate::replay::Effect> = std::collections::BTreeMap::new();
    for effect in parts.into_iter().flatten() {
        let key = crate::replay::BucketKey { member: effect.member, kind: effect.kind, class: effect.class };
        let sum = sums.entry(key).or_insert(crate::replay::Effect { fmv_minor: 0, slices_minor: 0, well_minor: 0, ..*effect });
        sum.fmv_minor += effect.fmv_minor;
        sum.slices_minor += effect.slices_minor;
        sum.well_minor += effect.well_minor;
    }
    sums.into_values().filter(|e| e.fmv_minor != 0 || e.slices_minor != 0 || e.well_minor != 0).collect()
}

/// Whether a tag names a review step.
pub fn is_review_tag(tag: &str) -> bool {
    REVIEW_TAGS.contains(&tag)
}

/// Where an entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Waiting for approval; shown, never counted.
    Pending,
    /// In the split.
    Counted,
    /// Disputed: out of the split until the dispute is settled.
    Disputed,
    /// Settled against: out of the split for good.
    Rejected,
}

impl Status {
    /// The name used in files, pages and the API.
    pub fn name(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Counted => "counted",
            Status::Disputed => "disputed",
            Status::Rejected => "rejected",
        }
    }

    /// A status from its name.
    pub fn from_name(name: &str) -> Option<Status> {
        [Status::Pending, Status::Counted, Status::Disputed, Status::Rejected].into_iter().find(|s| s.name() == name)
    }
}

/// A settlement of a dispute: the entry stands, or it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The entry counts.
    Uphold,
    /// The entry is out for good.
    Reject,
}

impl Verdict {
    /// The name used in forms and the API.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Uphold => "uphold",
            Verdict::Reject => "reject",
        }
    }

    /// A verdict from its name.
    pub fn from_name(name: &str) -> Option<Verdict> {
        match name {
            "uphold" => Some(Verdict::Uphold),
            "reject" => Some(Verdict::Reject),
            _ => None,
        }
    }
}

/// A review step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Approve a pending entry.
    Approve,
    /// Dispute an entry (with a reason, kept in the step's note).
    Dispute,
    /// Withdraw one's own dispute.
    Withdraw,
    /// A steward settles a dispute.
    Decide(Verdict),
    /// A member votes on a dispute.
    Vote(Verdict),
}

impl Step {
    /// The tag of the ledger entry recording this step.
    pub fn tag(self) -> &'static str {
        match self {
            Step::Approve => APPROVAL_TAG,
            Step::Dispute => DISPUTE_TAG,
            Step::Withdraw => WITHDRAWAL_TAG,
            Step::Decide(_) => DECISION_TAG,
            Step::Vote(_) => VOTE_TAG,
        }
    }

    /// The step a stored entry records and the status it left the entry in, from its tag and
    /// stored inputs, which must be spelled exactly as [`Step::stored_inputs`] writes them (a
    /// restored file could otherwise carry one step under several spellings).
    pub fn from_stored(tag: &str, inputs: &str) -> Option<(Step, Status)> {
        let mut verdict = None;
        let mut status = None;
        for part in inputs.split(';') {
            match part.split_once('=') {
                Some(("verdict", name)) => verdict = Some(Verdict::from_name(name)?),
                Some(("status", name)) => status = Some(Status::from_name(name)?),
                _ => return None,
            }
        }
        let step = match (tag, verdict) {
            (APPROVAL_TAG, None) => Step::Approve,
            (DISPUTE_TAG, None) => Step::Dispute,
            (WITHDRAWAL_TAG, None) => Step::Withdraw,
            (DECISION_TAG, Some(v)) => Step::Decide(v),
            (VOTE_TAG, Some(v)) => Step::Vote(v),
            _ => return None,
        };
        let status = status?;
        (step.stored_inputs(status) == inputs).then_some((step, status))
    }

    /// The stored inputs of this step: `verdict=…;` if it has one, then the status it left.
    pub fn stored_inputs(self, status: Status) -> String {
        match self {
            Step::Decide(v) | Step::Vote(v) => format!("verdict={};status={}", v.name(), status.name()),
            _ => format!("status={}", status.name()),
        }
    }
}

/// What a step does to the entry's effects on the split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing yet.
    None,
    /// The entry starts counting: the step carries its effects, valued now.
    Count,
    /// The entry stops counting: the step carries the negation of what it counted.
    Uncount,
}

impl Change {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Change::None => "none",
            Change::Count => "count",
            Change::Uncount => "uncount",
        }
    }

    /// The change between two statuses: into the split, out of it, or neither.
    pub fn between(before: Status, after: Status) -> Change {
        match (before == Status::Counted, after == Status::Counted) {
            (false, true) => Change::Count,
            (true, false) => Change::Uncount,
            _ => Change::None,
        }
    }
}

/// Why a step is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Under this policy entries count at once; there is nothing to approve.
    NoApprovalNeeded,
    /// The author, or the member the entry is for, cannot review it.
    OwnEntry,
    /// Only a steward may take this step.
    StewardsOnly,
    /// They took this step on this entry already.
    AlreadyDone(&'static str),
    /// The entry's status does not allow this step.
    WrongStatus {
        /// The step.
        step: &'static str,
        /// The entry's status.
        status: Status,
    },
    /// Only whoever raised the dispute may withdraw it.
    NotTheirDispute,
    /// The policy settles disputes another way.
    OtherRule(&'static str),
}

impl Refusal {
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NoApprovalNeeded => "no_approval_needed",
            Refusal::OwnEntry => "own_entry",
            Refusal::StewardsOnly => "stewards_only",
            Refusal::AlreadyDone(_) => "already_done",
            Refusal::WrongStatus { .. } => "wrong_status",
            Refusal::NotTheirDispute => "not_their_dispute",
            Refusal::OtherRule(_) => "other_rule",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NoApprovalNeeded => write!(f, "entries count as soon as they are logged under this policy; there is nothing to approve"),
            Refusal::OwnEntry => write!(f, "the author of an entry, and the member it is for, cannot review it"),
            Refusal::StewardsOnly => write!(f, "only a steward may do this"),
            Refusal::AlreadyDone(what) => write!(f, "you have already {what} this entry"),
            Refusal::WrongStatus { step, status } => write!(f, "cannot {step} an entry that is {}", status.name()),
            Refusal::NotTheirDispute => write!(f, "only whoever raised the dispute may withdraw it"),
            Refusal::OtherRule(rule) => write!(f, "this policy settles disputes {rule}"),
        }
    }
}

/// Who takes a step, as the caller found them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reviewer {
    /// Their member number.
    pub member: MemberNo,
    /// Whether they are a steward.
    pub steward: bool,
    /// Whether they are the entry's author or the member it is for.
    pub party: bool,
}

/// Who else could take part, as the caller found them when the step is taken.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Electorate {
    /// Members other than the parties who may approve or vote, with their slices (minor units).
    pub peers: Vec<(MemberNo, i64)>,
    /// Whether any steward other than the parties exists.
    pub other_steward: bool,
}

impl Electorate {
    fn weight(&self, member: MemberNo) -> i64 {
        self.peers.iter().find(|(m, _)| *m == member).map_or(0, |(_, w)| *w)
    }
}

/// An open dispute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispute {
    /// Who raised it.
    pub by: MemberNo,
    /// The entry recording it.
    pub seq: u64,
    /// Whether the entry counted before it was disputed.
    pub was_counted: bool,
    /// Votes cast on it so far.
    pub votes: Vec<(MemberNo, Verdict)>,
}

/// An entry's review, folded from its steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// Where it stands.
    pub status: Status,
    /// Who approved it.
    pub approvals: Vec<MemberNo>,
    /// The open dispute, if any.
    pub dispute: Option<Dispute>,
}

impl Review {
    /// The review of a freshly logged entry under a rule.
    pub fn logged(rule: ReviewRule) -> Review {
        let status = if rule == ReviewRule::None { Status::Counted } else { Status::Pending };
        Review { status, approvals: Vec::new(), dispute: None }
    }

    /// Takes a step: checks who may take it and whether the status allows it, moves the status,
    /// and says what happens to the entry's effects. On a refusal nothing changes.
    pub fn step(&mut self, step: Step, seq: u64, by: Reviewer, rules: (ReviewRule, DisputeRule), electorate: &Electorate) -> Result<Change, Refusal> {
        let (review, disputes) = rules;
        let wrong = |name: &'static str, status: Status| Refusal::WrongStatus { step: name, status };
        match step {
            Step::Approve => {
                if review == ReviewRule::None && self.status != Status::Pending {
                    return Err(Refusal::NoApprovalNeeded);
                }
                if by.party {
                    return Err(Refusal::OwnEntry);
                }
                if self.status != Status::Pending {
                    return Err(wrong("approve", self.status));
                }
                if self.approvals.contains(&by.member) {
                    return Err(Refusal::AlreadyDone("approved"));
                }
                if review == ReviewRule::Stewards && !by.steward && electorate.other_steward {
                    return Err(Refusal::StewardsOnly);
                }
                self.approvals.push(by.member);
                let met = match review {
                    ReviewRule::None | ReviewRule::Stewards => true,
                    ReviewRule::Quorum { count, weighted } => {
                        let total: i64 = electorate.peers.iter().map(|(_, w)| *w).sum();
                        if weighted && total > 0 {
                            let approving: i64 = self.approvals.iter().map(|m| electorate.weight(*m)).sum();
                            i128::from(approving) * 100 >= i128::from(count) * i128::from(total)
                        } else {
                            // Count of peers; a quorum larger than the peers there are is all of them.
                            let needed = if weighted { 1 } else { usize::try_from(count).unwrap_or(usize::MAX).min(electorate.peers.len()).max(1) };
                            self.approvals.len() >= needed
                        }
                    }
                };
                if met {
                    self.status = Status::Counted;
                    Ok(Change::Count)
                } else {
                    Ok(Change::None)
                }
            }
            Step::Dispute => {
                if by.party {
                    return Err(Refusal::OwnEntry);
                }
                let was_counted = match self.status {
                    Status::Counted => true,
                    Status::Pending => false,
                    status => return Err(wrong("dispute", status)),
                };
                self.status = Status::Disputed;
                self.dispute = Some(Dispute { by: by.member, seq, was_counted, votes: Vec::new() });
                Ok(if was_counted { Change::Uncount } else { Change::None })
            }
            Step::Withdraw => {
                let Some(dispute) = self.dispute.as_ref().filter(|_| self.status == Status::Disputed) else {
                    return Err(wrong("withdraw a dispute on", self.status));
                };
                if dispute.by != by.member {
                    return Err(Refusal::NotTheirDispute);
                }
                let was_counted = dispute.was_counted;
                self.dispute = None;
                self.status = if was_counted { Status::Counted } else { Status::Pending };
                Ok(if was_counted { Change::Count } else { Change::None })
            }
            Step::Decide(verdict) => {
                if disputes != DisputeRule::Stewards {
                    return Err(Refusal::OtherRule("by a vote of the members"));
                }
                if by.party {
                    return Err(Refusal::OwnEntry);
                }
                if !by.steward {
                    return Err(Refusal::StewardsOnly);
                }
                if self.status != Status::Disputed {
                    return Err(wrong("decide on", self.status));
                }
                Ok(self.settle(verdict))
            }
            Step::Vote(verdict) => {
                if disputes != DisputeRule::Vote {
                    return Err(Refusal::OtherRule("by the stewards' decision"));
                }
                if by.party {
                    return Err(Refusal::OwnEntry);
                }
                let Some(dispute) = self.dispute.as_mut().filter(|_| self.status == Status::Disputed) else {
                    return Err(wrong("vote on", self.status));
                };
                if dispute.votes.iter().any(|(m, _)| *m == by.member) {
                    return Err(Refusal::AlreadyDone("voted on"));
                }
                dispute.votes.push((by.member, verdict));
                let voters = electorate.peers.len().max(1);
                let cast = |side: Verdict| dispute.votes.iter().filter(|(_, v)| *v == side).count();
                if cast(Verdict::Uphold) * 2 > voters {
                    Ok(self.settle(Verdict::Uphold))
                } else if cast(Verdict::Reject) * 2 > voters {
                    Ok(self.settle(Verdict::Reject))
                } else {
                    Ok(Change::None)
                }
            }
        }
    }

    fn settle(&mut self, verdict: Verdict) -> Change {
        self.dispute = None;
        match verdict {
            Verdict::Uphold => {
                self.status = Status::Counted;
                Change::Count
            }
            Verdict::Reject => {
                self.status = Status::Rejected;
                Change::None
            }
        }
    }

    /// Replays a stored step with the status it recorded, without checking who took it (that
    /// was checked when it was recorded, against the members and slices of that moment): checks
    /// the status could follow from this step, moves to it, and returns the change it implies.
    pub fn replay(&mut self, step: Step, seq: u64, by: MemberNo, after: Status) -> Result<Change, Refusal> {
        let before = self.status;
        let legal = match step {
            Step::Approve => before == Status::Pending && matches!(after, Status::Pending | Status::Counted) && !self.approvals.contains(&by),
            Step::Dispute => matches!(before, Status::Pending | Status::Counted) && after == Status::Disputed,
            Step::Withdraw => {
                let Some(dispute) = self.dispute.as_ref().filter(|_| before == Status::Disputed) else {
                    return Err(Refusal::WrongStatus { step: "withdraw a dispute on", status: before });
                };
                if dispute.by != by {
                    return Err(Refusal::NotTheirDispute);
                }
                after == if dispute.was_counted { Status::Counted } else { Status::Pending }
            }
            Step::Decide(Verdict::Uphold) | Step::Vote(Verdict::Uphold) => {
                before == Status::Disputed && (after == Status::Counted || (after == Status::Disputed && matches!(step, Step::Vote(_))))
            }
            Step::Decide(Verdict::Reject) | Step::Vote(Verdict::Reject) => {
                before == Status::Disputed && (after == Status::Rejected || (after == Status::Disputed && matches!(step, Step::Vote(_))))
            }
        };
        if !legal {
            return Err(Refusal::WrongStatus { step: step.tag(), status: before });
        }
        match step {
            Step::Approve => self.approvals.push(by),
            Step::Dispute => self.dispute = Some(Dispute { by, seq, was_counted: before == Status::Counted, votes: Vec::new() }),
            Step::Vote(verdict) => {
                if let Some(dispute) = self.dispute.as_mut() {
                    dispute.votes.push((by, verdict));
                }
            }
            Step::Withdraw | Step::Decide(_) => {}
        }
        if after != Status::Disputed {
            self.dispute = None;
        }
        self.status = after;
        Ok(Change::between(before, after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES_STEWARDS: (ReviewRule, DisputeRule) = (ReviewRule::Stewards, DisputeRule::Stewards);

    fn who(member: u32, steward: bool, party: bool) -> Reviewer {
        Reviewer { member: MemberNo(member), steward, party }
    }

    fn peers(weights: &[(u32, i64)]) -> Electorate {
        Electorate { peers: weights.iter().map(|(m, w)| (MemberNo(*m), *w)).collect(), other_steward: true }
    }

    #[test]
    fn a_steward_approves_and_the_author_cannot() {
        let mut review = Review::logged(ReviewRule::Stewards);
        assert_eq!(review.status, Status::Pending);
        let electorate = peers(&[(2, 0), (3, 0)]);
        assert_eq!(review.step(Step::Approve, 5, who(1, true, true), RULES_STEWARDS, &electorate), Err(Refusal::OwnEntry));
        assert_eq!(review.step(Step::Approve, 5, who(3, false, false), RULES_STEWARDS, &electorate), Err(Refusal::StewardsOnly));
        assert_eq!(review.status, Status::Pending, "a refusal changes nothing");
        assert_eq!(review.step(Step::Approve, 5, who(2, true, false), RULES_STEWARDS, &electorate), Ok(Change::Count));
        assert_eq!(review.status, Status::Counted);
        assert!(matches!(review.step(Step::Approve, 6, who(3, true, false), RULES_STEWARDS, &electorate), Err(Refusal::WrongStatus { .. })));
    }

    #[test]
    fn with_no_other_steward_any_peer_approves() {
        let mut review = Review::logged(ReviewRule::Stewards);
        let electorate = Electorate { peers: vec![(MemberNo(2), 0)], other_steward: false };
        assert_eq!(review.step(Step::Approve, 5, who(2, false, false), RULES_STEWARDS, &electorate), Ok(Change::Count));
    }

    #[test]
    fn a_quorum_counts_once_and_each_peer_once() {
        let rules = (ReviewRule::Quorum { count: 2, weighted: false }, DisputeRule::Stewards);
        let electorate = peers(&[(2, 0), (3, 0), (4, 0)]);
        let mut review = Review::logged(rules.0);
        assert_eq!(review.step(Step::Approve, 9, who(2, false, false), rules, &electorate), Ok(Change::None));
        assert_eq!(review.step(Step::Approve, 10, who(2, false, false), rules, &electorate), Err(Refusal::AlreadyDone("approved")));
        assert_eq!(review.step(Step::Approve, 11, who(3, false, false), rules, &electorate), Ok(Change::Count));
        assert!(review.step(Step::Approve, 12, who(4, false, false), rules, &electorate).is_err(), "quorum is reached once");
    }

    #[test]
    fn a_quorum_larger_than_the_peers_is_all_of_them() {
        let rules = (ReviewRule::Quorum { count: 5, weighted: false }, DisputeRule::Stewards);
        let electorate = peers(&[(2, 0)]);
        let mut review = Review::logged(rules.0);
        assert_eq!(review.step(Step::Approve, 3, who(2, false, false), rules, &electorate), Ok(Change::Count));
    }

    #[test]
    fn a_weighted_quorum_weighs_by_slices() {
        let rules = (ReviewRule::Quorum { count: 50, weighted: true }, DisputeRule::Stewards);
        let electorate = peers(&[(2, 100), (3, 300), (4, 600)]);
        let mut review = Review::logged(rules.0);
        assert_eq!(review.step(Step::Approve, 3, who(3, false, false), rules, &electorate), Ok(Change::None), "30% of the slices");
        assert_eq!(review.step(Step::Approve, 4, who(2, false, false), rules, &electorate), Ok(Change::None), "40%");
        assert_eq!(review.step(Step::Approve, 5, who(4, false, false), rules, &electorate), Ok(Change::Count), "100%");
        let mut other = Review::logged(rules.0);
        assert_eq!(other.step(Step::Approve, 6, who(4, false, false), rules, &electorate), Ok(Change::Count), "60% alone");
    }

    #[test]
    fn disputes_take_an_entry_out_until_settled() {
        const RULES: (ReviewRule, DisputeRule) = (ReviewRule::None, DisputeRule::Stewards);
        let electorate = peers(&[(2, 0), (3, 0)]);
        let mut review = Review::logged(ReviewRule::None);
        assert_eq!(review.step(Step::Approve, 2, who(2, false, false), RULES, &electorate), Err(Refusal::NoApprovalNeeded));
        assert_eq!(review.step(Step::Dispute, 2, who(1, false, true), RULES, &electorate), Err(Refusal::OwnEntry));
        assert_eq!(review.step(Step::Dispute, 2, who(2, false, false), RULES, &electorate), Ok(Change::Uncount));
        assert!(review.step(Step::Dispute, 3, who(3, false, false), RULES, &electorate).is_err(), "one dispute at a time");
        assert_eq!(review.step(Step::Withdraw, 3, who(3, false, false), RULES, &electorate), Err(Refusal::NotTheirDispute));
        assert_eq!(review.step(Step::Withdraw, 3, who(2, false, false), RULES, &electorate), Ok(Change::Count));
        assert_eq!(review.status, Status::Counted);
        assert_eq!(review.step(Step::Dispute, 4, who(3, false, false), RULES, &electorate), Ok(Change::Uncount));
        assert_eq!(review.step(Step::Decide(Verdict::Uphold), 5, who(3, false, false), RULES, &electorate), Err(Refusal::StewardsOnly));
        assert_eq!(review.step(Step::Vote(Verdict::Uphold), 5, who(3, true, false), RULES, &electorate), Err(Refusal::OtherRule("by the stewards' decision")));
        assert_eq!(review.step(Step::Decide(Verdict::Reject), 5, who(2, true, false), RULES, &electorate), Ok(Change::None));
        assert_eq!(review.status, Status::Rejected);
        assert!(review.step(Step::Dispute, 6, who(3, false, false), RULES, &electorate).is_err());
    }

    #[test]
    fn a_vote_settles_by_majority_of_the_peers() {
        let rules = (ReviewRule::Stewards, DisputeRule::Vote);
        let electorate = peers(&[(2, 0), (3, 0), (4, 0)]);
        let mut review = Review::logged(rules.0);
        assert_eq!(review.step(Step::Dispute, 2, who(2, false, false), rules, &electorate), Ok(Change::None), "a pending entry did not count");
        assert_eq!(review.step(Step::Vote(Verdict::Uphold), 3, who(3, false, false), rules, &electorate), Ok(Change::None));
        assert_eq!(review.step(Step::Vote(Verdict::Reject), 4, who(3, false, false), rules, &electorate), Err(Refusal::AlreadyDone("voted on")));
        assert_eq!(review.step(Step::Vote(Verdict::Uphold), 4, who(4, false, false), rules, &electorate), Ok(Change::Count));
        assert_eq!(review.status, Status::Counted);
    }

    #[test]
    fn stored_steps_read_back() {
        for (step, status) in [(Step::Approve, Status::Counted), (Step::Dispute, Status::Disputed), (Step::Vote(Verdict::Reject), Status::Rejected)] {
            assert_eq!(Step::from_stored(step.tag(), &step.stored_inputs(status)), Some((step, status)));
        }
        assert_eq!(Step::from_stored(APPROVAL_TAG, "status=sideways"), None);
        assert_eq!(Step::from_stored(DECISION_TAG, "status=counted"), None, "a decision names its verdict");
        // Found by the fuzzer: a repeated or reordered field read as the same step.
        for inputs in ["verdict=reject;status=pending;status=pending", "status=pending;verdict=reject", "verdict=uphold;verdict=reject;status=pending"] {
            assert_eq!(Step::from_stored(VOTE_TAG, inputs), None, "{inputs}");
        }
        assert_eq!(Step::from_stored(APPROVAL_TAG, "status=counted;status=counted"), None);
    }

    #[test]
    fn replay_follows_recorded_steps_and_refuses_impossible_ones() {
        let mut review = Review::logged(ReviewRule::Stewards);
        assert_eq!(review.replay(Step::Approve, 2, MemberNo(2), Status::Pending), Ok(Change::None));
        assert_eq!(review.replay(Step::Dispute, 3, MemberNo(3), Status::Disputed), Ok(Change::None));
        assert!(review.replay(Step::Withdraw, 4, MemberNo(2), Status::Pending).is_err(), "not theirs");
        assert!(review.replay(Step::Withdraw, 4, MemberNo(3), Status::Counted).is_err(), "it was pending");
        assert_eq!(review.replay(Step::Decide(Verdict::Uphold), 4, MemberNo(1), Status::Counted), Ok(Change::Count));
        assert!(review.replay(Step::Approve, 5, MemberNo(4), Status::Counted).is_err(), "counted already");
        assert_eq!(review.replay(Step::Dispute, 5, MemberNo(4), Status::Disputed), Ok(Change::Uncount));
    }
}

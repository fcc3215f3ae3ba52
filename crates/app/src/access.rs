//! Who may do what. Every use case a person reaches through the web or the API goes through
//! [`Acting`], which checks the rules here and then calls the operator's use case (the CLI is
//! the operator: whoever holds the database may do anything).
//!
//! The rules: a members-only venture does not exist for anyone but its members; members log for
//! themselves and stewards for anyone; an entry is reversed by its author or a steward; only
//! stewards change the policy, the access settings, terms of others, and who joins.

use peerstake_core::terms::{MemberNo, Role};
use peerstake_store::{AccessRecord, JoinRequestRecord, MemberRecord, Mode, StoredEntry, Transaction, VentureId};

use crate::accounts::Account;
use crate::book::Book;
use crate::error::{AppError, invalid};
use crate::forms::TermsForm;
use crate::ledger::{LedgerPage, LedgerQuery, LogRequest, ReverseRequest, SplitQuery, SplitReport, TraceReport};
use crate::proposals::{ProposalView, ProposeRequest, VoteRequest};
use crate::recurring::{DraftView, RecurringView, SetUpRecurring};
use crate::review::{AmendRequest, EntryReview, ReviewRequest};
use crate::talk::{ActivityPage, ActivityQuery, AddComment, CommentThread, CommentView, EditComment, PersonFeed, Subject};
use crate::ventures::{AddMember, CreateVenture, MemberView, PolicyVersionView, SetPolicy, SetTerms, VentureSummary};
use crate::{Commons, Now};

/// How people join: anyone, by request, or by a steward's invitation.
pub const JOIN_MODES: [&str; 3] = ["open", "request", "invite"];
/// Who may read: anyone, or members only.
pub const VISIBILITIES: [&str; 2] = ["public", "members"];

/// A venture's default access: open to join, public to read.
pub fn default_access() -> AccessRecord {
    AccessRecord { join_mode: "open".into(), visibility: "public".into() }
}

/// Checks access settings.
pub fn check_access(access: &AccessRecord) -> Result<(), AppError> {
    if !JOIN_MODES.contains(&access.join_mode.as_str()) {
        return Err(invalid("join mode", "use open, request or invite"));
    }
    if !VISIBILITIES.contains(&access.visibility.as_str()) {
        return Err(invalid("visibility", "use public or members"));
    }
    Ok(())
}

/// A person's standing in one venture.
#[derive(Debug, Clone)]
pub struct Standing {
    /// The venture.
    pub venture: VentureSummary,
    /// How it is joined and read.
    pub access: AccessRecord,
    /// The person, when signed in.
    pub account: Option<Account>,
    /// Their member record, when they are a member.
    pub member: Option<MemberRecord>,
    /// Whether they have a join request waiting.
    pub request_pending: bool,
}

impl Standing {
    /// Whether they are a steward of the venture.
    pub fn is_steward(&self) -> bool {
        self.member.as_ref().is_some_and(|m| Role::from_name(&m.role) == Some(Role::Steward) && m.departed_on.is_none())
    }

    /// Their member handle, when they are a member.
    pub fn handle(&self) -> Option<&str> {
        self.member.as_ref().map(|m| m.handle.as_str())
    }

    pub(crate) fn require_member(&self) -> Result<&MemberRecord, AppError> {
        match (&self.account, &self.member) {
            (None, _) => Err(AppError::Unauthorized("sign in first".into())),
            (Some(_), None) => Err(AppError::Forbidden(format!("only members of {} may do this", self.venture.record.slug))),
            (Some(_), Some(member)) if let Some(on) = member.departed_on => {
                Err(AppError::Forbidden(format!("you left {} on {on}; you can still read your statement", self.venture.record.slug)))
            }
            (Some(_), Some(member)) => Ok(member),
        }
    }

    /// Whether they are a member who has left.
    pub fn departed(&self) -> bool {
        self.member.as_ref().is_some_and(|m| m.departed_on.is_some())
    }

    pub(crate) fn require_steward(&self) -> Result<&MemberRecord, AppError> {
        let member = self.require_member()?;
        if !self.is_steward() {
            return Err(AppError::Forbidden(format!("only stewards of {} may do this", self.venture.record.slug)));
        }
        Ok(member)
    }
}

/// A card on the commons page.
#[derive(Debug, Clone)]
pub struct VentureCard {
    /// The venture.
    pub venture: VentureSummary,
    /// How it is joined and read.
    pub access: AccessRecord,
    /// Whether the viewer is a member.
    pub is_member: bool,
}

/// What joining did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Joined {
    /// They are a member now, with this handle.
    Member(String),
    /// Their request waits for a steward.
    Requested,
}

/// A join request with who made it.
#[derive(Debug, Clone)]
pub struct JoinRequestView {
    /// The request.
    pub record: JoinRequestRecord,
    /// Who asks.
    pub account: Account,
}

/// Use cases on behalf of one person (or nobody, when signed out).
#[derive(Debug, Clone, Copy)]
pub struct Acting<'a> {
    pub(crate) commons: &'a Commons,
    pub(crate) account: Option<&'a Account>,
}

impl Commons {
    /// Links an existing member to the account they sign in with (the operator's tool for
    /// members added from the command line or an import).
    pub fn link_account(&self, slug: &str, handle: &str, username: &str) -> Result<(), AppError> {
        let account = self.account_by_username(username)?;
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), slug)?;
        let member = book.member(handle)?.member_no;
        if let Some(linked) = tx.account_member(book.venture.id, account.id)? {
            if linked == member {
                return Ok(());
            }
            return Err(AppError::AlreadyExists { what: "account link", name: format!("{username} in {slug}") });
        }
        if tx.member_accounts(book.venture.id)?.iter().any(|(no, _)| *no == member) {
            return Err(AppError::AlreadyExists { what: "account link", name: format!("{handle} in {slug}") });
        }
        tx.link_member(book.venture.id, member, account.id)?;
        tx.commit()?;
        Ok(())
    }

    /// Acts on behalf of a signed-in person, or of nobody.
    pub fn acting<'a>(&'a self, account: Option<&'a Account>) -> Acting<'a> {
        Acting { commons: self, account }
    }
}

fn access_in(tx: &mut dyn Transaction, venture: VentureId) -> Result<AccessRecord, AppError> {
    Ok(tx.venture_access(venture)?.unwrap_or_else(default_access))
}

fn member_of(tx: &mut dyn Transaction, book: &Book, account: Option<&Account>) -> Result<Option<MemberRecord>, AppError> {
    let Some(account) = account else { return Ok(None) };
    Ok(tx.account_member(book.venture.id, account.id)?.and_then(|member| book.member_by_no(member)).cloned())
}

/// The member an account is in a venture, adding them (with `role`, linked to the account) when
/// they are not one yet. The book must be re-read after a member is added.
pub(crate) fn ensure_member(
    commons: &Commons,
    tx: &mut dyn Transaction,
    slug: &str,
    account: peerstake_store::AccountId,
    role: &str,
    now: Now,
) -> Result<MemberNo, AppError> {
    let book = commons.books.within(tx, slug)?;
    if let Some(member) = tx.account_member(book.venture.id, account)? {
        return Ok(member);
    }
    let record = tx.account(account)?.ok_or_else(|| AppError::NotFound { what: "account", name: account.0.to_string() })?;
    let add = AddMember {
        venture: slug.to_string(),
        handle: free_handle(&book, &record.username),
        display_name: record.display_name.clone(),
        role: role.to_string(),
        joined_on: None,
        terms: TermsForm::default(),
        idempotency_key: None,
    };
    let view = commons.add_member_in(tx, &add, now)?;
    tx.link_member(book.venture.id, view.record.member_no, account)?;
    Ok(view.record.member_no)
}

/// A free handle for a new member: their username, or it with a number.
fn free_handle(book: &Book, username: &str) -> String {
    if book.member(username).is_err() {
        return username.to_string();
    }
    (2..).map(|n| format!("{username}-{n}")).find(|h| book.member(h).is_err()).unwrap_or_else(|| username.to_string())
}

impl Acting<'_> {
    pub(crate) fn signed_in(&self) -> Result<&Account, AppError> {
        self.account.ok_or_else(|| AppError::Unauthorized("sign in first".into()))
    }

    /// The person's standing in a venture. A members-only venture is not found by anyone else.
    pub fn standing(&self, slug: &str, now: Now) -> Result<Standing, AppError> {
        let standing = self.standing_of_any(slug, now)?;
        // A member who left keeps only their statement of a members-only venture.
        if standing.access.visibility == "members" && standing.departed() {
            return Err(AppError::NotFound { what: "venture", name: slug.to_string() });
        }
        Ok(standing)
    }

    /// The person's standing, members who left included.
    pub(crate) fn standing_of_any(&self, slug: &str, now: Now) -> Result<Standing, AppError> {
        let mut tx = self.commons.store.begin(Mode::Read)?;
        let book = self.commons.books.read(tx.as_mut(), slug)?;
        let access = access_in(tx.as_mut(), book.venture.id)?;
        let member = member_of(tx.as_mut(), &book, self.account)?;
        if access.visibility == "members" && member.is_none() {
            return Err(AppError::NotFound { what: "venture", name: slug.to_string() });
        }
        let request_pending = match (self.account, &member) {
            (Some(account), None) => tx.join_requests(book.venture.id)?.iter().any(|r| r.account == account.id && r.status == "pending"),
            _ => false,
        };
        let (policy_version, policy) = book.policy_at(now.today)?;
        let venture = VentureSummary { member_count: book.members.len(), policy_preset: policy.preset.clone(), policy_version, record: book.venture.clone() };
        Ok(Standing { venture, access, account: self.account.cloned(), member, request_pending })
    }

    /// Ventures this person may see, whose name, slug or pitch contains `search` (any case).
    pub fn ventures(&self, search: &str, now: Now) -> Result<Vec<VentureCard>, AppError> {
        let search = search.trim().to_lowercase();
        let summaries = self.commons.ventures(now)?;
        let mut tx = self.commons.store.begin(Mode::Read)?;
        let memberships = match self.account {
            Some(account) => tx.account_memberships(account.id)?,
            None => Vec::new(),
        };
        let mut cards = Vec::new();
        for venture in summaries {
            let access = access_in(tx.as_mut(), venture.record.id)?;
            let is_member = memberships.iter().any(|(id, _)| *id == venture.record.id);
            if access.visibility == "members" && !is_member {
                continue;
            }
            let text = format!("{} {} {}", venture.record.slug, venture.record.name, venture.record.pitch).to_lowercase();
            if !search.is_empty() && !text.contains(&search) {
                continue;
            }
            cards.push(VentureCard { venture, access, is_member });
        }
        Ok(cards)
    }

    /// Creates a venture; its creator becomes its first member, a steward.
    pub fn create_venture(&self, request: &CreateVenture, access: &AccessRecord, now: Now) -> Result<Standing, AppError> {
        let account = self.signed_in()?;
        check_access(access)?;
        self.commons.create_venture(request, now)?;
        let mut tx = self.commons.store.begin(Mode::Write)?;
        let book = self.commons.books.write(tx.as_mut(), &request.slug)?;
        if book.members.is_empty() {
            let add = AddMember {
                venture: request.slug.clone(),
                handle: account.username.clone(),
                display_name: account.display_name.clone(),
                role: "steward".into(),
                joined_on: request.started_on,
                terms: TermsForm::default(),
                idempotency_key: None,
            };
            let view = self.commons.add_member_in(tx.as_mut(), &add, now)?;
            tx.link_member(book.venture.id, view.record.member_no, account.id)?;
            tx.set_venture_access(book.venture.id, access, now.at_ms)?;
            tx.commit()?;
        } else {
            drop(tx);
            // A retry of a creation that completed: only its creator gets it back.
            let standing = self.standing(&request.slug, now)?;
            if !standing.is_steward() {
                return Err(AppError::AlreadyExists { what: "venture", name: request.slug.clone() });
            }
        }
        self.standing(&request.slug, now)
    }

    /// Changes how a venture is joined and read (stewards).
    pub fn set_access(&self, slug: &str, access: &AccessRecord, now: Now) -> Result<(), AppError> {
        check_access(access)?;
        let standing = self.standing(slug, now)?;
        standing.require_steward()?;
        let mut tx = self.commons.store.begin(Mode::Write)?;
        tx.set_venture_access(standing.venture.record.id, access, now.at_ms)?;
        tx.commit()?;
        Ok(())
    }

    /// Sets how a venture's people write numbers (stewards).
    pub fn set_number_format(&self, slug: &str, format: &str, now: Now) -> Result<peerstake_core::numbers::NumberFormat, AppError> {
        self.standing(slug, now)?.require_steward()?;
        self.commons.set_number_format(slug, format)
    }

    /// Joins a venture: at once when it is open, as a request when stewards accept members.
    pub fn join(&self, slug: &str, message: &str, terms: &TermsForm, now: Now) -> Result<Joined, AppError> {
        let account = self.signed_in()?;
        crate::ventures::check_text("message", message, 1_000, false)?;
        let standing = self.standing(slug, now)?;
        if let Some(member) = &standing.member {
            return Ok(Joined::Member(member.handle.clone()));
        }
        match standing.access.join_mode.as_str() {
            "open" => self.admit(slug, account, "member", terms, now).map(Joined::Member),
            "request" => {
                let mut tx = self.commons.store.begin(Mode::Write)?;
                let venture = tx.lock_venture(standing.venture.record.id)?;
                let pending = tx.join_requests(venture.id)?.iter().any(|r| r.account == account.id && r.status == "pending");
                if !pending {
                    tx.insert_join_request(venture.id, account.id, message.trim(), now.at_ms)?;
                    tx.commit()?;
                }
                Ok(Joined::Requested)
            }
            _ => Err(AppError::Forbidden(format!("{slug} takes new members by invitation only"))),
        }
    }

    /// Adds an account as a member and links it, in one transaction; returns the handle.
    fn admit(&self, slug: &str, account: &Account, role: &str, terms: &TermsForm, now: Now) -> Result<String, AppError> {
        let mut tx = self.commons.store.begin(Mode::Write)?;
        let book = self.commons.books.write(tx.as_mut(), slug)?;
        if let Some(member) = member_of(tx.as_mut(), &book, Some(account))? {
            return Ok(member.handle);
        }
        let add = AddMember {
            venture: slug.to_string(),
            handle: free_handle(&book, &account.username),
            display_name: account.display_name.clone(),
            role: role.to_string(),
            joined_on: None,
            terms: terms.clone(),
            idempotency_key: None,
        };
        let view = self.commons.add_member_in(tx.as_mut(), &add, now)?;
        tx.link_member(book.venture.id, view.record.member_no, account.id)?;
        tx.commit()?;
        Ok(view.record.handle)
    }

    /// Join requests waiting for a decision (stewards).
    pub fn join_requests(&self, slug: &str, now: Now) -> Result<Vec<JoinRequestView>, AppError> {
        let standing = self.standing(slug, now)?;
        standing.require_steward()?;
        let mut tx = self.commons.store.begin(Mode::Read)?;
        let mut out = Vec::new();
        for record in tx.join_requests(standing.venture.record.id)? {
            if record.status != "pending" {
                continue;
            }
            if let Some(account) = tx.account(record.account)? {
                out.push(JoinRequestView { record, account: account.into() });
            }
        }
        Ok(out)
    }

    /// Accepts or declines a request to join (stewards).
    pub fn decide_join(&self, slug: &str, username: &str, accept: bool, now: Now) -> Result<Option<String>, AppError> {
        let standing = self.standing(slug, now)?;
        standing.require_steward()?;
        let account = self.commons.account_by_username(username)?;
        {
            let mut tx = self.commons.store.begin(Mode::Write)?;
            if !tx.decide_join_request(standing.venture.record.id, account.id, accept, now.at_ms)? {
                return Err(AppError::NotFound { what: "join request", name: username.to_string() });
            }
            tx.commit()?;
        }
        if accept { self.admit(slug, &account, "member", &TermsForm::default(), now).map(Some) } else { Ok(None) }
    }

    /// Adds a person by username with a role (stewards; the way into an invite-only venture).
    pub fn invite(&self, slug: &str, username: &str, role: &str, terms: &TermsForm, now: Now) -> Result<String, AppError> {
        let standing = self.standing(slug, now)?;
        standing.require_steward()?;
        if Role::from_name(role).is_none() {
            return Err(invalid("role", "use steward, member, advisor, contractor or backer"));
        }
        let account = self.commons.account_by_username(username)?;
        self.admit(slug, &account, role, terms, now)
    }

    /// Members with their terms today (anyone who may see the venture).
    pub fn members(&self, slug: &str, now: Now) -> Result<Vec<MemberView>, AppError> {
        self.standing(slug, now)?;
        self.commons.members(slug, now)
    }

    /// Sets terms from a date: stewards for anyone, members for themselves.
    pub fn set_terms(&self, request: &SetTerms, now: Now) -> Result<peerstake_store::TermsRecord, AppError> {
        let standing = self.standing(&request.venture, now)?;
        let member = standing.require_member()?;
        if member.handle != request.handle && !standing.is_steward() {
            return Err(AppError::Forbidden("members set their own terms; stewards set anyone's".into()));
        }
        self.commons.set_terms(request, now)
    }

    /// Logs a contribution: for oneself, or for anyone as a steward. The author is always the
    /// person acting.
    pub fn log(&self, request: &LogRequest, now: Now) -> Result<StoredEntry, AppError> {
        let request = self.authorize_log(request, now)?;
        self.commons.log(&request, now)
    }

    /// Logs (`commit`) or previews a contribution, with the handles of the members it names.
    pub fn log_named(&self, request: &LogRequest, now: Now, commit: bool) -> Result<crate::ledger::NamedEntry, AppError> {
        let request = self.authorize_log(request, now)?;
        self.commons.log_named(&request, now, commit)
    }

    /// Values a contribution as [`Acting::log`] would, writing nothing.
    pub fn preview(&self, request: &LogRequest, now: Now) -> Result<StoredEntry, AppError> {
        let request = self.authorize_log(request, now)?;
        self.commons.preview(&request, now)
    }

    /// The request as the person may make it: authored by them, and for them when it names
    /// nobody (except a withdrawal, which is for the venture).
    fn authorize_log(&self, request: &LogRequest, now: Now) -> Result<LogRequest, AppError> {
        let standing = self.standing(&request.venture, now)?;
        let member = standing.require_member()?;
        let for_whom = match &request.member {
            None if request.form.kind.trim() != "withdrawal" => Some(member.handle.clone()),
            other => other.clone(),
        };
        let for_self = for_whom.as_deref() == Some(member.handle.as_str());
        if !for_self && !standing.is_steward() {
            return Err(AppError::Forbidden("members log for themselves; stewards log for anyone and spend from the well".into()));
        }
        Ok(LogRequest { author: Some(member.handle.clone()), member: for_whom, ..request.clone() })
    }

    /// Reverses an entry: its author or a steward.
    pub fn reverse(&self, request: &ReverseRequest, now: Now) -> Result<StoredEntry, AppError> {
        let standing = self.standing(&request.venture, now)?;
        let member = standing.require_member()?;
        if !standing.is_steward() {
            let mut tx = self.commons.store.begin(Mode::Read)?;
            let entry = tx.entry(standing.venture.record.id, request.seq)?.ok_or(AppError::NotFound { what: "entry", name: format!("#{}", request.seq) })?;
            if entry.entry.author != Some(member.member_no) {
                return Err(AppError::Forbidden("an entry is reversed by its author or a steward".into()));
            }
        }
        self.commons.reverse(&ReverseRequest { author: Some(member.handle.clone()), ..request.clone() }, now)
    }

    /// Takes a review step as oneself: members only; the rules of the step (not one's own
    /// entry, stewards only, one approval each) are checked by the use case.
    pub fn review(&self, request: &ReviewRequest, now: Now) -> Result<StoredEntry, AppError> {
        let standing = self.standing(&request.venture, now)?;
        let member = standing.require_member()?;
        self.commons.review(&ReviewRequest { by: member.handle.clone(), ..request.clone() }, now)
    }

    /// Amends an entry (its author or a steward): reverses it and logs the correction, linked.
    pub fn amend(&self, request: &AmendRequest, now: Now) -> Result<StoredEntry, AppError> {
        let log = self.authorize_log(&request.log, now)?;
        let standing = self.standing(&log.venture, now)?;
        let member = standing.require_member()?;
        if !standing.is_steward() {
            let mut tx = self.commons.store.begin(Mode::Read)?;
            let entry = tx.entry(standing.venture.record.id, request.seq)?.ok_or(AppError::NotFound { what: "entry", name: format!("#{}", request.seq) })?;
            if entry.entry.author != Some(member.member_no) {
                return Err(AppError::Forbidden("an entry is amended by its author or a steward".into()));
            }
        }
        self.commons.amend(&AmendRequest { log, ..request.clone() }, now)
    }

    /// An entry with its review, for anyone who may read the venture.
    pub fn entry_review(&self, slug: &str, seq: u64, now: Now) -> Result<EntryReview, AppError> {
        self.standing(slug, now)?;
        self.commons.entry_review(slug, seq)
    }

    /// Entries waiting for review or disputed, for anyone who may read the venture.
    pub fn review_queue(&self, slug: &str, now: Now) -> Result<Vec<(crate::ledger::NamedEntry, peerstake_core::review::Status)>, AppError> {
        self.standing(slug, now)?;
        self.commons.review_queue(slug)
    }

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

    /// Sets up a recurring contribution: for oneself, or for anyone as a steward.
    pub fn set_up_recurring(&self, request: &SetUpRecurring, now: Now) -> Result<RecurringView, AppError> {
        let standing = self.standing(&request.venture, now)?;
        let member = standing.require_member()?;
        if member.handle != request.member && !standing.is_steward() {
            return Err(AppError::Forbidden("members set up recurring contributions for themselves; stewards for anyone".into()));
        }
        self.commons.set_up_recurring(request, now)
    }

    /// A venture's recurring contributions and the drafts waiting (drafting any period that has
    /// come round first), for its members.
    pub fn recurring(&self, slug: &str, now: Now) -> Result<(Vec<RecurringView>, Vec<DraftView>), AppError> {
        self.standing(slug, now)?.require_member()?;
        self.commons.run_recurring(slug, now)?;
        Ok((self.commons.recurring(slug)?, self.commons.recurring_drafts(slug)?))
    }

    /// Confirms (logs) or skips a draft: the member it is for, or a steward.
    pub fn decide_draft(&self, slug: &str, number: u32, period_on: time::Date, confirm: bool, now: Now) -> Result<Option<u64>, AppError> {
        let standing = self.standing(slug, now)?;
        let member = standing.require_member()?.clone();
        self.require_own_recurring(&standing, &member, slug, number)?;
        self.commons.decide_draft(slug, number, period_on, confirm, Some(&member.handle), now)
    }

    /// Stops a recurring contribution: the member it is for, or a steward.
    pub fn stop_recurring(&self, slug: &str, number: u32, now: Now) -> Result<(), AppError> {
        let standing = self.standing(slug, now)?;
        let member = standing.require_member()?.clone();
        self.require_own_recurring(&standing, &member, slug, number)?;
        self.commons.stop_recurring(slug, number)
    }

    fn require_own_recurring(&self, standing: &Standing, member: &MemberRecord, slug: &str, number: u32) -> Result<(), AppError> {
        let recurring = self.commons.recurring(slug)?;
        let found =
            recurring.iter().find(|r| r.record.number == number).ok_or(AppError::NotFound { what: "recurring contribution", name: number.to_string() })?;
        if found.record.member != member.member_no && !standing.is_steward() {
            return Err(AppError::Forbidden("only the member it is for, or a steward, may do this".into()));
        }
        Ok(())
    }

    /// A venture's proposals, for anyone who may read it.
    pub fn proposals(&self, slug: &str, now: Now) -> Result<Vec<ProposalView>, AppError> {
        self.standing(slug, now)?;
        self.commons.proposals(slug)
    }

    /// One proposal, with the split now and under it, for anyone who may read the venture.
    pub fn proposal(&self, slug: &str, number: u32, now: Now) -> Result<(ProposalView, SplitReport, SplitReport), AppError> {
        self.standing(slug, now)?;
        let proposal = self.commons.proposal(slug, number)?;
        let (current, proposed) = self.commons.proposal_comparison(slug, number)?;
        Ok((proposal, current, proposed))
    }

    /// The policy history.
    pub fn policy_history(&self, slug: &str, now: Now) -> Result<(peerstake_core::money::Currency, Vec<PolicyVersionView>), AppError> {
        self.standing(slug, now)?;
        self.commons.policy_history(slug)
    }

    /// The split: now, as of a date, or under a candidate policy.
    pub fn split(&self, slug: &str, query: &SplitQuery, now: Now) -> Result<SplitReport, AppError> {
        self.standing(slug, now)?;
        self.commons.split(slug, query)
    }

    /// The split month by month.
    pub fn split_history(&self, slug: &str, months: usize, now: Now) -> Result<crate::ledger::SplitHistory, AppError> {
        self.standing(slug, now)?;
        self.commons.split_history(slug, months)
    }

    /// A page of the ledger.
    pub fn ledger(&self, slug: &str, query: &LedgerQuery, now: Now) -> Result<LedgerPage, AppError> {
        self.standing(slug, now)?;
        self.commons.ledger(slug, query)
    }

    /// A member's slices traced to their entries.
    pub fn trace(&self, slug: &str, handle: &str, now: Now) -> Result<TraceReport, AppError> {
        self.standing(slug, now)?;
        self.commons.trace(slug, handle)
    }

    /// The whole venture as JSON.
    pub fn export(&self, slug: &str, out: impl std::io::Write, now: Now) -> Result<(), AppError> {
        self.standing(slug, now)?;
        self.commons.export(slug, out).map(|_| ())
    }

    /// The member number of the person in a venture, if any.
    pub fn member_no(&self, slug: &str, now: Now) -> Result<Option<MemberNo>, AppError> {
        Ok(self.standing(slug, now)?.member.map(|m| m.member_no))
    }
}

// ---- talk: comments and activity. Members speak; anyone who may read the venture reads.
impl Acting<'_> {
    /// Comments on an entry or a member (members only), or answers another comment.
    pub fn add_comment(&self, venture: &str, subject: &Subject, reply_to: Option<u64>, body: &str, now: Now) -> Result<CommentView, AppError> {
        let standing = self.standing(venture, now)?;
        let member = standing.require_member()?;
        let request = AddComment { venture: venture.to_string(), subject: subject.clone(), reply_to, author: member.handle.clone(), body: body.to_string() };
        self.commons.add_comment(&request, now)
    }

    /// Edits one's own comment: a new version; the old ones stay readable.
    pub fn edit_comment(&self, venture: &str, id: u64, body: &str, now: Now) -> Result<CommentView, AppError> {
        let standing = self.standing(venture, now)?;
        let member = standing.require_member()?;
        self.commons.edit_comment(&EditComment { venture: venture.to_string(), id, author: member.handle.clone(), body: body.to_string() }, now)
    }

    /// A page of the comments on an entry or a member.
    pub fn comments(&self, venture: &str, subject: &Subject, after: Option<u64>, limit: u32, now: Now) -> Result<CommentThread, AppError> {
        self.standing(venture, now)?;
        self.commons.comments(venture, subject, after, limit)
    }

    /// One comment.
    pub fn comment(&self, venture: &str, id: u64, now: Now) -> Result<CommentView, AppError> {
        self.standing(venture, now)?;
        self.commons.comment(venture, id)
    }

    /// Every version of a comment's text.
    pub fn comment_versions(&self, venture: &str, id: u64, now: Now) -> Result<Vec<peerstake_store::CommentVersionRecord>, AppError> {
        self.standing(venture, now)?;
        self.commons.comment_versions(venture, id)
    }

    /// A page of a venture's activity. Looking at its newest page while signed in marks it read:
    /// the page says how many items were new before.
    pub fn activity(&self, venture: &str, query: &ActivityQuery, now: Now) -> Result<ActivityPage, AppError> {
        let standing = self.standing(venture, now)?;
        let mut page = self.commons.activity(venture, query)?;
        if let (Some(account), None) = (self.account, query.before) {
            page.unread_before = self.commons.unread(venture, account.id, standing.member.as_ref())?;
            self.commons.mark_activity_read(venture, account.id, now)?;
        }
        Ok(page)
    }

    /// What is new in a venture since the person last looked at its activity (none when signed
    /// out, or when they never looked and are not a member).
    pub fn unread(&self, venture: &str, now: Now) -> Result<Option<u32>, AppError> {
        let standing = self.standing(venture, now)?;
        match self.account {
            Some(account) => self.commons.unread(venture, account.id, standing.member.as_ref()),
            None => Ok(None),
        }
    }

    /// The person's ventures with what is new in each, and the latest activity across them.
    pub fn my_activity(&self, limit: u32) -> Result<PersonFeed, AppError> {
        let account = self.signed_in()?;
        self.commons.person_feed(account.id, limit)
    }
}

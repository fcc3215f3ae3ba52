//! Members: adding them with their first terms, changing terms from a date, listing them with the
//! terms in force; people joining (at once, by request, by invitation) and their accounts linked.

use crate::access::{Account, member_of};
use crate::audit::{Change, ChangedBy};
use crate::book::check_not_retroactive;
use crate::error::{AppError, invalid};
use crate::forms::TermsForm;
use crate::idempotency::{fingerprint, remember, replayed};
use crate::membership::{AddMember, MemberView, free_handle};
use crate::{Commons, Now};
use peerstake_core::terms::{Role, Terms};
use peerstake_store::{JoinRequestRecord, Mode, TermsRecord};
use time::Date;

/// A request to change a member's terms from a date.
#[derive(Debug, Clone)]
pub struct SetTerms {
    /// The venture's slug.
    pub venture: String,
    /// The member's handle.
    pub handle: String,
    /// The new terms.
    pub terms: TermsForm,
    /// They apply to time logged on or after this date.
    pub effective_from: Date,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
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

impl Commons {
    /// Adds a member, with their first terms if given (the operator: one added as a steward is
    /// recorded in the venture's settings history as the operator's doing).
    pub fn add_member(&self, request: &AddMember, now: Now) -> Result<MemberView, AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let view = self.add_member_in(tx.as_mut(), request, Change { by: ChangedBy::Operator { member: None }, reason: "added" }, now)?;
        tx.commit()?;
        Ok(view)
    }

    /// Adds a version of a member's terms, applying from its date on. The date must come after
    /// every entry already valued, so no past figure changes.
    pub fn set_terms(&self, request: &SetTerms, now: Now) -> Result<TermsRecord, AppError> {
        let fingerprint = fingerprint(&[
            "set-terms",
            &request.venture,
            &request.handle,
            &request.effective_from.to_string(),
            &request.terms.market_salary,
            &request.terms.cash_salary,
            &request.terms.hours_per_year,
            &request.terms.hourly_rate,
        ]);
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let venture = book.venture.clone();
        let member = book.member(&request.handle)?.clone();
        if let Some(result) = replayed(tx.as_mut(), venture.id, request.idempotency_key.as_deref(), &fingerprint)? {
            let version: u32 = result.rsplit(':').next().and_then(|v| v.parse().ok()).unwrap_or(0);
            return book
                .terms
                .get(&member.member_no)
                .and_then(|versions| versions.iter().find(|t| t.version == version))
                .cloned()
                .ok_or(AppError::NotFound { what: "terms version", name: result });
        }
        let terms: Terms = request.terms.to_terms(book.currency)?;
        let versions = book.terms.get(&member.member_no).map(Vec::as_slice).unwrap_or(&[]);
        check_not_retroactive(tx.as_mut(), venture.id, "terms", request.effective_from, versions.last().map(|t| t.effective_from))?;
        let record = TermsRecord {
            member_no: member.member_no,
            version: versions.last().map_or(1, |t| t.version + 1),
            effective_from: request.effective_from,
            terms,
            recorded_at_ms: now.at_ms,
        };
        tx.insert_terms(venture.id, &record)?;
        remember(tx.as_mut(), venture.id, request.idempotency_key.as_deref(), &fingerprint, &format!("terms:{}:{}", member.handle, record.version), now)?;
        tx.commit()?;
        Ok(record)
    }

    /// Members, with their terms in force today.
    pub fn members(&self, venture: &str, now: Now) -> Result<Vec<MemberView>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        Ok(book.members.iter().map(|m| MemberView { record: m.clone(), terms: book.terms_at(m.member_no, now.today).cloned() }).collect())
    }

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
}

impl crate::access::Acting<'_> {
    /// Joins a venture: at once when it is open, as a request when stewards accept members.
    pub fn join(&self, slug: &str, message: &str, terms: &TermsForm, now: Now) -> Result<Joined, AppError> {
        let account = self.signed_in()?;
        crate::forms::check_text("message", message, 1_000, false)?;
        let standing = self.standing(slug, now)?;
        if let Some(member) = &standing.member {
            return Ok(Joined::Member(member.handle.clone()));
        }
        match standing.access.join_mode.as_str() {
            "open" => self
                .admit(slug, account, "member", terms, Change { by: ChangedBy::Person { account: account.id, member: None }, reason: "joined" }, now)
                .map(Joined::Member),
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

    /// Adds an account as a member and links it, in one transaction; returns the handle. `change`
    /// says who admits them and why, for the settings history when they come in as a steward.
    fn admit(&self, slug: &str, account: &Account, role: &str, terms: &TermsForm, change: Change<'_>, now: Now) -> Result<String, AppError> {
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
        let view = self.commons.add_member_in(tx.as_mut(), &add, change, now)?;
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
        let steward = standing.require_steward()?.member_no;
        let account = self.commons.account_by_username(username)?;
        {
            let mut tx = self.commons.store.begin(Mode::Write)?;
            if !tx.decide_join_request(standing.venture.record.id, account.id, accept, now.at_ms)? {
                return Err(AppError::NotFound { what: "join request", name: username.to_string() });
            }
            tx.commit()?;
        }
        if !accept {
            return Ok(None);
        }
        let change = Change { by: ChangedBy::member(self.account.map(|a| a.id), Some(steward)), reason: "request to join accepted" };
        self.admit(slug, &account, "member", &TermsForm::default(), change, now).map(Some)
    }

    /// Adds a person by username with a role (stewards; the way into an invite-only venture).
    pub fn invite(&self, slug: &str, username: &str, role: &str, terms: &TermsForm, now: Now) -> Result<String, AppError> {
        let standing = self.standing(slug, now)?;
        let steward = standing.require_steward()?.member_no;
        if Role::from_name(role).is_none() {
            return Err(invalid("role", "use steward, member, advisor, contractor or backer"));
        }
        let account = self.commons.account_by_username(username)?;
        let change = Change { by: ChangedBy::member(self.account.map(|a| a.id), Some(steward)), reason: "invited" };
        self.admit(slug, &account, role, terms, change, now)
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
}

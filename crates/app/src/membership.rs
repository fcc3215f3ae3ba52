//! Membership: adding a member (with their first terms) inside a caller's transaction, making a
//! signed-in person a member when they back or lend to a venture, and the rule that a member who
//! left takes part in nothing new. Used by every capability that brings people in.

use crate::audit::{Change, ChangedBy, record_role};
use crate::book::Book;
use crate::error::{AppError, invalid};
use crate::forms::{TermsForm, check_slug, check_text};
use crate::idempotency::{fingerprint, remember, replayed};
use crate::{Commons, Now};
use peerstake_core::terms::{MemberNo, Role};
use peerstake_store::{MemberRecord, TermsRecord, Transaction};
use time::Date;

/// A request to add a member.
#[derive(Debug, Clone)]
pub struct AddMember {
    /// The venture's slug.
    pub venture: String,
    /// Short unique name within the venture.
    pub handle: String,
    /// Display name (the handle when empty).
    pub display_name: String,
    /// `steward`, `member`, `advisor`, `contractor` or `backer`.
    pub role: String,
    /// The date they joined (today when absent); their first terms apply from it.
    pub joined_on: Option<Date>,
    /// Their first terms; empty for none (a backer logs no time).
    pub terms: TermsForm,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// A member with their terms in force today.
#[derive(Debug, Clone)]
pub struct MemberView {
    /// The stored record.
    pub record: MemberRecord,
    /// Terms in force today.
    pub terms: Option<TermsRecord>,
}

impl Commons {
    /// Adds a member inside a transaction the caller commits; one added as a steward is a change
    /// of the venture's settings, recorded with `change` (who adds them, and why).
    pub(crate) fn add_member_in(&self, tx: &mut dyn Transaction, request: &AddMember, change: Change<'_>, now: Now) -> Result<MemberView, AppError> {
        check_slug("handle", &request.handle)?;
        check_text("name", &request.display_name, 100, false)?;
        let role = Role::from_name(&request.role).ok_or_else(|| invalid("role", "use steward, member, advisor, contractor or backer"))?;
        let joined_on = request.joined_on.unwrap_or(now.today);
        crate::book::check_date("joined on", joined_on, now.today)?;
        let terms_form = &request.terms;
        let fingerprint = fingerprint(&[
            "add-member",
            &request.venture,
            &request.handle,
            &request.display_name,
            role.name(),
            &joined_on.to_string(),
            &terms_form.market_salary,
            &terms_form.cash_salary,
            &terms_form.hours_per_year,
            &terms_form.hourly_rate,
        ]);
        let book = self.books.write(tx, &request.venture)?;
        let venture = book.venture.clone();
        if let Some(result) = replayed(tx, venture.id, request.idempotency_key.as_deref(), &fingerprint)? {
            let handle = result.strip_prefix("member:").unwrap_or(&result);
            return self.member_view(tx, &request.venture, handle, now);
        }
        if book.members.iter().any(|m| m.handle == request.handle) {
            return Err(AppError::AlreadyExists { what: "member", name: request.handle.clone() });
        }
        let terms = if terms_form.is_empty() { None } else { Some(terms_form.to_terms(book.currency)?) };
        let member_no = MemberNo(book.members.iter().map(|m| m.member_no.0).max().unwrap_or(0) + 1);
        let display_name = if request.display_name.trim().is_empty() { request.handle.clone() } else { request.display_name.trim().to_string() };
        let record = MemberRecord {
            member_no,
            handle: request.handle.clone(),
            display_name,
            role: role.name().to_string(),
            joined_on,
            recorded_at_ms: now.at_ms,
            departed_on: None,
        };
        tx.insert_member(venture.id, &record)?;
        record_role(tx, venture.id, member_no, "", role.name(), change, now)?;
        if let Some(terms) = terms {
            tx.insert_terms(venture.id, &TermsRecord { member_no, version: 1, effective_from: joined_on, terms, recorded_at_ms: now.at_ms })?;
        }
        remember(tx, venture.id, request.idempotency_key.as_deref(), &fingerprint, &format!("member:{}", request.handle), now)?;
        self.member_view(tx, &request.venture, &request.handle, now)
    }

    fn member_view(&self, tx: &mut dyn Transaction, venture: &str, handle: &str, now: Now) -> Result<MemberView, AppError> {
        let book = self.books.within(tx, venture)?;
        let record = book.member(handle)?.clone();
        let terms = book.terms_at(record.member_no, now.today).cloned();
        Ok(MemberView { record, terms })
    }
}

/// The member an account is in a venture, adding them (with `role`, linked to the account) when
/// they are not one yet. The book must be re-read after a member is added. It brings people in as
/// backers or members only: a steward is added through [`Commons::add_member_in`] by whoever
/// makes them one, which the history of the venture's settings names.
pub(crate) fn ensure_member(
    commons: &Commons,
    tx: &mut dyn Transaction,
    slug: &str,
    account: peerstake_store::AccountId,
    role: &str,
    now: Now,
) -> Result<MemberNo, AppError> {
    if Role::from_name(role) == Some(Role::Steward) {
        return Err(AppError::Internal("ensure_member makes no steward: add_member_in records who does".into()));
    }
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
    // Never a steward (refused above), so nothing goes into the venture's settings history.
    let view = commons.add_member_in(tx, &add, Change { by: ChangedBy::Rule, reason: "joined" }, now)?;
    tx.link_member(book.venture.id, view.record.member_no, account)?;
    Ok(view.record.member_no)
}

/// A free handle for a new member: their username, or it with a number.
pub(crate) fn free_handle(book: &Book, username: &str) -> String {
    if book.member(username).is_err() {
        return username.to_string();
    }
    (2..).map(|n| format!("{username}-{n}")).find(|h| book.member(h).is_err()).unwrap_or_else(|| username.to_string())
}

/// Refuses anything by or for a member who has left.
pub(crate) fn require_present(book: &Book, member: MemberNo) -> Result<(), AppError> {
    match book.member_by_no(member) {
        Some(record) if let Some(on) = record.departed_on => {
            Err(AppError::Forbidden(format!("{} left the venture on {on}; members who left take part in nothing new", record.handle)))
        }
        _ => Ok(()),
    }
}

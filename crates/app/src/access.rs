//! Who may do what. Every use case a person reaches through the web or the API goes through
//! [`Acting`], which checks the rules here and then calls the operator's use case (the CLI is
//! the operator: whoever holds the database may do anything).
//!
//! The rules: a members-only venture does not exist for anyone but its members; members log for
//! themselves and stewards for anyone; an entry is reversed by its author or a steward; only
//! stewards change the policy, the access settings, terms of others, and who joins.

use crate::book::Book;
use crate::error::{AppError, invalid};
use crate::journal::LogRequest;
use crate::{Commons, Now};
use peerstake_core::money::Currency;
use peerstake_core::numbers::NumberFormat;
use peerstake_core::terms::{MemberNo, Role};
use peerstake_store::VentureRecord;
use peerstake_store::{AccessRecord, MemberRecord, Mode, Transaction, VentureId};
use peerstake_store::{AccountId, AccountRecord};

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

/// Use cases on behalf of one person (or nobody, when signed out).
#[derive(Debug, Clone, Copy)]
pub struct Acting<'a> {
    pub(crate) commons: &'a Commons,
    pub(crate) account: Option<&'a Account>,
}

impl Commons {
    /// Acts on behalf of a signed-in person, or of nobody.
    pub fn acting<'a>(&'a self, account: Option<&'a Account>) -> Acting<'a> {
        Acting { commons: self, account }
    }
}

pub(crate) fn access_in(tx: &mut dyn Transaction, venture: VentureId) -> Result<AccessRecord, AppError> {
    Ok(tx.venture_access(venture)?.unwrap_or_else(default_access))
}

pub(crate) fn member_of(tx: &mut dyn Transaction, book: &Book, account: Option<&Account>) -> Result<Option<MemberRecord>, AppError> {
    let Some(account) = account else { return Ok(None) };
    Ok(tx.account_member(book.venture.id, account.id)?.and_then(|member| book.member_by_no(member)).cloned())
}

impl Acting<'_> {
    /// The request as the person may make it: authored by them, and for them when it names
    /// nobody (except a withdrawal, which is for the venture).
    pub(crate) fn authorize_log(&self, request: &LogRequest, now: Now) -> Result<LogRequest, AppError> {
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
}

/// What a view's numbers and member numbers are written with: the venture's slug and currency,
/// and each member's handle.
#[derive(Debug, Clone)]
pub struct Names {
    /// The venture.
    pub slug: String,
    /// Its currency, with the decimals its slices are written with.
    pub currency: Currency,
    handles: Vec<(MemberNo, String)>,
}

impl Names {
    /// A member's handle (`#n` for a number the venture does not know).
    pub fn handle(&self, member: MemberNo) -> String {
        self.handles.iter().find(|(no, _)| *no == member).map_or_else(|| format!("#{}", member.0), |(_, handle)| handle.clone())
    }

    /// An amount in minor units, written in the currency.
    pub fn money(&self, minor: i64) -> String {
        self.currency.format(minor)
    }

    /// Slices in the venture's slice units, written with their decimals.
    pub fn slices(&self, units: i64) -> String {
        self.currency.format_slices(units)
    }
}

impl Acting<'_> {
    /// The names a venture's views are written with, for anyone who may read it (members who
    /// left included). Read from the shared book, so it costs no scan of the members.
    pub fn names(&self, slug: &str, now: Now) -> Result<Names, AppError> {
        self.standing_of_any(slug, now)?;
        let mut tx = self.commons.store.begin(Mode::Read)?;
        let book = self.commons.books.read(tx.as_mut(), slug)?;
        let handles = book.members.iter().map(|m| (m.member_no, m.handle.clone())).collect();
        Ok(Names { slug: book.venture.slug.clone(), currency: book.currency, handles })
    }
}

// ---- talk: comments and activity. Members speak; anyone who may read the venture reads.

/// An account as others may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Database id.
    pub id: AccountId,
    /// Sign-in name.
    pub username: String,
    /// How others see them.
    pub display_name: String,
    /// How they write numbers, when they chose; otherwise each venture's format applies.
    pub number_format: Option<NumberFormat>,
}

impl Account {
    /// How this person's numbers are read (and, later, written) in a venture written `venture`.
    pub fn numbers_in(&self, venture: NumberFormat) -> NumberFormat {
        self.number_format.unwrap_or(venture)
    }
}

impl From<AccountRecord> for Account {
    fn from(record: AccountRecord) -> Account {
        Account { id: record.id, username: record.username, display_name: record.display_name, number_format: record.number_format }
    }
}

/// A venture with what a listing shows.
#[derive(Debug, Clone)]
pub struct VentureSummary {
    /// The stored record.
    pub record: VentureRecord,
    /// Number of members.
    pub member_count: usize,
    /// The preset name of the policy in force today.
    pub policy_preset: String,
    /// Current policy version.
    pub policy_version: u32,
}

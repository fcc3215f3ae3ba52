//! The audit trail of a venture's settings: every change of how it is joined and who may read
//! it, and every member made a steward or no longer one, written in the transaction that makes
//! the change, with who made it and when — and the trail read back as people see it. Nothing in
//! it is ever rewritten: the table refuses UPDATE and DELETE, and a correction is a new change.
//!
//! Every place that changes a member's role or a venture's access calls [`record_role`] or
//! [`record_access`]; the capabilities that own those changes (ventures, members, stewards,
//! departures, files) share this one writer.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::Now;
use crate::book::Book;
use crate::error::AppError;
use peerstake_core::terms::{MemberNo, Role};
use peerstake_store::people::SettingsChangeRecord;
use peerstake_store::{AccessRecord, AccountId, Transaction, VentureId};

/// The role the trail shows for a steward who left the venture.
pub const LEFT: &str = "left";

/// Who makes a change of a venture's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangedBy {
    /// A person signed in (pages, API): their account, and their member number when they are one.
    Person {
        /// Their account.
        account: AccountId,
        /// Their member number in the venture, when they are a member.
        member: Option<MemberNo>,
    },
    /// The operator on the command line, naming the member they act for, if any.
    Operator {
        /// The member named (`--by`).
        member: Option<MemberNo>,
    },
    /// The venture's rules: an adoption whose notice ran out without objection.
    Rule,
}

impl ChangedBy {
    /// A member acting: through their account when there is one, else the operator naming them.
    pub(crate) fn member(account: Option<AccountId>, member: Option<MemberNo>) -> ChangedBy {
        match account {
            Some(account) => ChangedBy::Person { account, member },
            None => ChangedBy::Operator { member },
        }
    }

    fn columns(self) -> (&'static str, Option<AccountId>, Option<MemberNo>) {
        match self {
            ChangedBy::Person { account, member } => ("person", Some(account), member),
            ChangedBy::Operator { member } => ("operator", None, member),
            ChangedBy::Rule => ("rule", None, None),
        }
    }
}

/// Who makes a change, and why: what the trail keeps with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change<'a> {
    /// Who.
    pub by: ChangedBy,
    /// Why, in a few words (`venture created`, `handover #2 accepted`).
    pub reason: &'a str,
}

/// What changed: a setting (and whose role, for `steward`), from a value to another.
struct What<'a> {
    setting: &'a str,
    member: Option<MemberNo>,
    old: &'a str,
    new: &'a str,
}

fn insert(tx: &mut dyn Transaction, venture: VentureId, what: What<'_>, change: Change<'_>, now: Now) -> Result<(), AppError> {
    let (by_kind, by_account, by_member) = change.by.columns();
    let record = SettingsChangeRecord {
        number: 0,
        setting: what.setting.to_string(),
        member: what.member,
        old_value: what.old.to_string(),
        new_value: what.new.to_string(),
        reason: change.reason.to_string(),
        by_kind: by_kind.to_string(),
        by_account,
        by_member,
        at_ms: now.at_ms,
    };
    tx.insert_settings_change(venture, &record)?;
    Ok(())
}

/// Records a change of a venture's access: one change for the join mode and one for the
/// visibility, each only when it changed (`before` is none for a new venture: both are recorded).
pub(crate) fn record_access(
    tx: &mut dyn Transaction,
    venture: VentureId,
    before: Option<&AccessRecord>,
    after: &AccessRecord,
    change: Change<'_>,
    now: Now,
) -> Result<(), AppError> {
    let (old_join_mode, old_visibility) = before.map_or(("", ""), |b| (b.join_mode.as_str(), b.visibility.as_str()));
    if before.is_none() || old_join_mode != after.join_mode {
        insert(tx, venture, What { setting: "join_mode", member: None, old: old_join_mode, new: &after.join_mode }, change, now)?;
    }
    if before.is_none() || old_visibility != after.visibility {
        insert(tx, venture, What { setting: "visibility", member: None, old: old_visibility, new: &after.visibility }, change, now)?;
    }
    Ok(())
}

/// Records a member's role changing from `old` (empty for a new member) to `new` ([`LEFT`] for a
/// member who left), when it makes them a steward or ends their being one; any other change of
/// role is not a change of the venture's settings and is not recorded.
pub(crate) fn record_role(
    tx: &mut dyn Transaction,
    venture: VentureId,
    member: MemberNo,
    old: &str,
    new: &str,
    change: Change<'_>,
    now: Now,
) -> Result<(), AppError> {
    let steward = |role: &str| Role::from_name(role) == Some(Role::Steward);
    if steward(old) == steward(new) {
        return Ok(());
    }
    insert(tx, venture, What { setting: "steward", member: Some(member), old, new }, change, now)
}

/// A change of a venture's settings as people read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsChangeView {
    /// The record.
    pub record: SettingsChangeRecord,
    /// Whose role changed (their handle), for a change of steward.
    pub member: Option<String>,
    /// The account that made it (its username).
    pub by_username: Option<String>,
    /// The member who made it (their handle).
    pub by_handle: Option<String>,
}

impl SettingsChangeView {
    /// What changed, in words: `who may join: open → invite`, `ben's role: member → steward`
    /// (`—` where there was nothing before).
    pub fn what(&self) -> String {
        let label = match self.record.setting.as_str() {
            "join_mode" => "who may join".to_string(),
            "visibility" => "who may read".to_string(),
            _ => format!("{}'s role", self.member.as_deref().unwrap_or("a member")),
        };
        let old = if self.record.old_value.is_empty() { "—" } else { &self.record.old_value };
        format!("{label}: {old} → {}", self.record.new_value)
    }

    /// Who made it, in words: a member's handle or an account's username, the operator (for a
    /// member), or the venture's rules.
    pub fn by(&self) -> String {
        match (self.record.by_kind.as_str(), &self.by_handle, &self.by_username) {
            ("person", Some(handle), _) => handle.clone(),
            ("person", None, Some(username)) => username.clone(),
            ("operator", Some(handle), _) => format!("the operator, for {handle}"),
            ("operator", None, _) => "the operator".to_string(),
            ("rule", _, _) => "the venture's rules".to_string(),
            _ => "someone".to_string(),
        }
    }
}

/// A venture's settings history, oldest first, with the names of the people in it.
pub(crate) fn history(tx: &mut dyn Transaction, book: &Book) -> Result<Vec<SettingsChangeView>, AppError> {
    let handle = |member: Option<MemberNo>| member.map(|m| book.member_by_no(m).map_or_else(|| format!("#{}", m.0), |r| r.handle.clone()));
    let mut usernames: HashMap<AccountId, String> = HashMap::new();
    let mut out = Vec::new();
    for record in tx.settings_changes(book.venture.id)? {
        let by_username = match record.by_account {
            Some(account) => Some(match usernames.entry(account) {
                Entry::Occupied(known) => known.get().clone(),
                Entry::Vacant(slot) => {
                    let name = tx.account(account)?.map_or_else(|| format!("account {}", account.0), |a| a.username);
                    slot.insert(name).clone()
                }
            }),
            None => None,
        };
        out.push(SettingsChangeView { member: handle(record.member), by_handle: handle(record.by_member), by_username, record });
    }
    Ok(out)
}

//! Stewards: the steward role handed over to another member (who accepts or declines), or passed
//! by adoption when the stewards have left or fallen silent: a person asks, the members have a
//! notice period to object, and the server passes the role when it runs out unopposed.

use crate::audit::{Change, ChangedBy, record_role};
use crate::book::{Book, check_note};
use crate::error::{AppError, invalid};
use crate::membership::require_present;
use crate::{Commons, Now};
use peerstake_core::terms::{MemberNo, Role};
use peerstake_store::lifecycle::StewardshipRecord;
use peerstake_store::{AccountId, Mode, Transaction};
use time::Duration;

/// A change of steward as people see it.
#[derive(Debug, Clone)]
pub struct StewardshipView {
    /// The record.
    pub record: StewardshipRecord,
    /// The steward handing over (handle).
    pub from: Option<String>,
    /// Who takes over: a member's handle, or an account's username.
    pub to: String,
}

fn stewardship_view(tx: &mut dyn Transaction, book: &Book, record: StewardshipRecord) -> Result<StewardshipView, AppError> {
    let name = |m: MemberNo| book.member_by_no(m).map_or_else(|| format!("#{}", m.0), |r| r.handle.clone());
    let to = match (record.to_member, record.to_account) {
        (Some(member), _) => name(member),
        (None, Some(account)) => tx.account(account)?.map_or_else(|| format!("account {}", account.0), |a| a.username),
        (None, None) => String::new(),
    };
    Ok(StewardshipView { from: record.from.map(name), to, record })
}

/// Whether a venture may be adopted now, and why (or why not).
#[derive(Debug, Clone)]
pub struct Adoptable {
    /// Whether someone may ask to adopt it.
    pub open: bool,
    /// Why, in words.
    pub reason: String,
}

fn adoptable_in(tx: &mut dyn Transaction, book: &Book, now: Now) -> Result<Adoptable, AppError> {
    let stewards: Vec<MemberNo> = book.active_members().map(|m| m.member_no).filter(|m| book.is_steward(*m)).collect();
    if stewards.is_empty() {
        return Ok(Adoptable { open: true, reason: "no steward remains".into() });
    }
    let policy = book.policy_at(now.today)?.1;
    let silence_ms = i64::from(policy.steward_silence_days) * 86_400_000;
    let mut latest: Option<i64> = None;
    for steward in stewards {
        let active = tx.member_last_active(book.venture.id, steward)?;
        latest = latest.max(active);
    }
    let since = latest.unwrap_or(0);
    if now.at_ms - since >= silence_ms {
        Ok(Adoptable { open: true, reason: format!("no steward has been active for {} days or more", policy.steward_silence_days) })
    } else {
        let days_left = (silence_ms - (now.at_ms - since)).div_euclid(86_400_000) + 1;
        Ok(Adoptable {
            open: false,
            reason: format!("its stewards are active (it may be adopted after {} days of silence; {days_left} to go)", policy.steward_silence_days),
        })
    }
}

impl Commons {
    /// A steward proposes to hand the steward role to another member; it passes when they accept.
    pub fn propose_handover(&self, venture: &str, from: &str, to: &str, message: &str, now: Now) -> Result<StewardshipView, AppError> {
        check_note(message)?;
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let from = book.member(from)?.member_no;
        if !book.is_steward(from) {
            return Err(AppError::Forbidden("only a steward can hand the role over".into()));
        }
        let to_record = book.member(to.trim())?;
        let to = to_record.member_no;
        require_present(&book, to)?;
        if to == from || book.is_steward(to) {
            return Err(invalid("to", format!("{} is already a steward", to_record.handle)));
        }
        if tx.stewardships(book.venture.id)?.iter().any(|s| s.kind == "handover" && s.status == "proposed" && s.from == Some(from) && s.to_member == Some(to)) {
            return Err(AppError::AlreadyExists { what: "handover", name: format!("to {}", to_record.handle) });
        }
        let mut record = StewardshipRecord {
            number: 0,
            kind: "handover".into(),
            from: Some(from),
            to_member: Some(to),
            to_account: None,
            message: message.trim().to_string(),
            status: "proposed".into(),
            notice_until: None,
            created_at_ms: now.at_ms,
            decided_at_ms: None,
            decided_by: None,
            decision_note: String::new(),
        };
        record.number = tx.insert_stewardship(book.venture.id, &record)?;
        tx.commit()?;
        let subject = format!("[{}] You are asked to take over as steward", book.venture.name);
        self.notify(&book.venture.slug, &[to], &subject, message, &format!("/v/{}/stewards", book.venture.slug));
        stewardship_view(self.store.begin(Mode::Read)?.as_mut(), &book, record)
    }

    /// The member a handover names accepts (the role passes: they become a steward, the one
    /// handing over a member) or declines it; the steward who proposed it may withdraw it. The
    /// operator answers for the member `by` names; the history of the venture's settings says so.
    pub fn answer_handover(&self, venture: &str, number: u32, answer: &str, by: &str, note: &str, now: Now) -> Result<StewardshipView, AppError> {
        self.answer_handover_as(venture, number, answer, (None, by), note, now)
    }

    /// Answers a handover as `by`: a member's handle, through their account when there is one.
    fn answer_handover_as(
        &self,
        venture: &str,
        number: u32,
        answer: &str,
        (account, by): (Option<AccountId>, &str),
        note: &str,
        now: Now,
    ) -> Result<StewardshipView, AppError> {
        check_note(note)?;
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let by = book.member(by)?.member_no;
        let mut record = tx
            .stewardships(book.venture.id)?
            .into_iter()
            .find(|s| s.number == number && s.kind == "handover")
            .ok_or(AppError::NotFound { what: "handover", name: number.to_string() })?;
        if record.status != "proposed" {
            return Err(invalid("handover", format!("#{number} is {}", record.status)));
        }
        let to = if answer == "withdraw" {
            "withdrawn"
        } else if answer == "accept" {
            "accepted"
        } else if answer == "decline" {
            "declined"
        } else {
            return Err(invalid("answer", "use accept, decline or withdraw"));
        };
        if to == "withdrawn" && record.from != Some(by) {
            return Err(AppError::Forbidden("only the steward who proposed a handover may withdraw it".into()));
        }
        if to != "withdrawn" && record.to_member != Some(by) {
            return Err(AppError::Forbidden("only the member it names may accept or decline a handover".into()));
        }
        if to == "accepted" {
            require_present(&book, by)?;
            let reason = format!("handover #{number} accepted");
            let change = Change { by: ChangedBy::member(account, Some(by)), reason: &reason };
            let role_of = |member: MemberNo| book.member_by_no(member).map_or(String::new(), |m| m.role.clone());
            tx.set_member_role(book.venture.id, by, Role::Steward.name())?;
            record_role(tx.as_mut(), book.venture.id, by, &role_of(by), Role::Steward.name(), change, now)?;
            if let Some(from) = record.from
                && book.is_steward(from)
            {
                tx.set_member_role(book.venture.id, from, Role::Member.name())?;
                record_role(tx.as_mut(), book.venture.id, from, &role_of(from), Role::Member.name(), change, now)?;
            }
        }
        if !tx.decide_stewardship(book.venture.id, number, "proposed", to, now.at_ms, Some(by), note.trim())? {
            return Err(invalid("handover", format!("#{number} was already answered")));
        }
        record.status = to.to_string();
        record.decided_at_ms = Some(now.at_ms);
        record.decided_by = Some(by);
        record.decision_note = note.trim().to_string();
        tx.commit()?;
        let book = {
            let mut tx = self.store.begin(Mode::Read)?;
            self.books.read(tx.as_mut(), venture)?
        };
        stewardship_view(self.store.begin(Mode::Read)?.as_mut(), &book, record)
    }

    /// Every change of steward of a venture, with any adoption whose notice ran out settled first.
    pub fn stewardships(&self, venture: &str, now: Now) -> Result<Vec<StewardshipView>, AppError> {
        self.settle_adoptions(venture, now)?;
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let records = tx.stewardships(book.venture.id)?;
        records.into_iter().map(|r| stewardship_view(tx.as_mut(), &book, r)).collect()
    }

    /// Whether a venture may be adopted: when no steward remains, or none has logged, reviewed
    /// or commented for the policy's silence period.
    pub fn adoptable(&self, venture: &str, now: Now) -> Result<Adoptable, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        adoptable_in(tx.as_mut(), &book, now)
    }

    /// Someone asks to adopt a venture whose stewards left or fell silent. The members are told;
    /// unless one objects within the notice period, the role passes to them.
    pub fn ask_to_adopt(&self, venture: &str, account: AccountId, message: &str, now: Now) -> Result<StewardshipView, AppError> {
        check_note(message)?;
        if message.trim().is_empty() {
            return Err(invalid("message", "say who you are and what you would do with the venture"));
        }
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let state = adoptable_in(tx.as_mut(), &book, now)?;
        if !state.open {
            return Err(AppError::Forbidden(format!("this venture cannot be adopted: {}", state.reason)));
        }
        let member = tx.account_member(book.venture.id, account)?;
        if let Some(member) = member {
            require_present(&book, member)?;
        }
        if tx.stewardships(book.venture.id)?.iter().any(|s| s.kind == "adoption" && s.status == "proposed") {
            return Err(AppError::AlreadyExists { what: "adoption request", name: "for this venture (wait for it to be settled)".into() });
        }
        let policy = book.policy_at(now.today)?.1;
        let mut record = StewardshipRecord {
            number: 0,
            kind: "adoption".into(),
            from: None,
            to_member: member,
            to_account: Some(account),
            message: message.trim().to_string(),
            status: "proposed".into(),
            notice_until: Some(now.today + Duration::days(i64::from(policy.adoption_notice_days))),
            created_at_ms: now.at_ms,
            decided_at_ms: None,
            decided_by: None,
            decision_note: String::new(),
        };
        record.number = tx.insert_stewardship(book.venture.id, &record)?;
        tx.commit()?;
        let members: Vec<MemberNo> = book.active_members().map(|m| m.member_no).collect();
        let subject = format!("[{}] Someone asks to adopt the venture", book.venture.name);
        let body = format!(
            "{}\n\nUnless a member objects by {}, they become its steward.",
            record.message,
            record.notice_until.map(|d| d.to_string()).unwrap_or_default()
        );
        self.notify(&book.venture.slug, &members, &subject, &body, &format!("/v/{}/stewards", book.venture.slug));
        stewardship_view(self.store.begin(Mode::Read)?.as_mut(), &book, record)
    }

    /// A member objects to an adoption during its notice period: it does not pass.
    pub fn object_to_adoption(&self, venture: &str, number: u32, by: &str, note: &str, now: Now) -> Result<StewardshipView, AppError> {
        check_note(note)?;
        if note.trim().is_empty() {
            return Err(invalid("note", "say why, so the person asking can answer"));
        }
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let by = book.member(by)?.member_no;
        require_present(&book, by)?;
        let mut record = tx
            .stewardships(book.venture.id)?
            .into_iter()
            .find(|s| s.number == number && s.kind == "adoption")
            .ok_or(AppError::NotFound { what: "adoption request", name: number.to_string() })?;
        if record.status != "proposed" || record.notice_until.is_some_and(|d| d < now.today) {
            return Err(invalid("adoption request", format!("#{number} is no longer open to objections")));
        }
        if record.to_member == Some(by) {
            return Err(invalid("adoption request", "you cannot object to your own request; withdraw it instead"));
        }
        if !tx.decide_stewardship(book.venture.id, number, "proposed", "objected", now.at_ms, Some(by), note.trim())? {
            return Err(invalid("adoption request", format!("#{number} was already settled")));
        }
        record.status = "objected".into();
        record.decided_at_ms = Some(now.at_ms);
        record.decided_by = Some(by);
        record.decision_note = note.trim().to_string();
        tx.commit()?;
        if let Some(account) = record.to_account {
            self.notify_accounts(
                &[account],
                &format!("[{}] A member objected to your adoption request", book.venture.name),
                note,
                &format!("/v/{}/stewards", book.venture.slug),
            );
        }
        stewardship_view(self.store.begin(Mode::Read)?.as_mut(), &book, record)
    }

    /// Passes the steward role for every adoption whose notice period ended without objection.
    /// Runs on the server's timer, on every read of the stewards page, and from the CLI.
    pub fn settle_adoptions(&self, venture: &str, now: Now) -> Result<usize, AppError> {
        {
            let mut tx = self.store.begin(Mode::Read)?;
            let book = self.books.read(tx.as_mut(), venture)?;
            let due = tx
                .stewardships(book.venture.id)?
                .iter()
                .any(|s| s.kind == "adoption" && s.status == "proposed" && s.notice_until.is_some_and(|d| d < now.today));
            if !due {
                return Ok(0);
            }
        }
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let mut passed = 0;
        for record in tx.stewardships(book.venture.id)? {
            if record.kind != "adoption" || record.status != "proposed" || record.notice_until.is_none_or(|d| d >= now.today) {
                continue;
            }
            let member = match (record.to_member, record.to_account) {
                (Some(member), _) => member,
                (None, Some(account)) => crate::membership::ensure_member(self, tx.as_mut(), venture, account, Role::Member.name(), now)?,
                (None, None) => continue,
            };
            // One added just now is not in the book read before: a member, as just added.
            let old = book.member_by_no(member).map_or(Role::Member.name(), |m| m.role.as_str()).to_string();
            tx.set_member_role(book.venture.id, member, Role::Steward.name())?;
            let reason = format!("adoption #{} passed: no member objected during the notice period", record.number);
            record_role(tx.as_mut(), book.venture.id, member, &old, Role::Steward.name(), Change { by: ChangedBy::Rule, reason: &reason }, now)?;
            if tx.decide_stewardship(book.venture.id, record.number, "proposed", "passed", now.at_ms, None, "no member objected during the notice period")? {
                passed += 1;
            }
        }
        tx.commit()?;
        Ok(passed)
    }

    /// Settles due adoptions in every venture (the server runs this on a timer).
    pub fn settle_all_adoptions(&self, now: Now) -> Result<usize, AppError> {
        let slugs: Vec<String> = {
            let mut tx = self.store.begin(Mode::Read)?;
            tx.ventures()?.into_iter().map(|v| v.slug).collect()
        };
        let mut passed = 0;
        for slug in slugs {
            passed += self.settle_adoptions(&slug, now)?;
        }
        Ok(passed)
    }
}

impl crate::access::Acting<'_> {
    /// Proposes handing the steward role to another member (stewards).
    pub fn propose_handover(&self, slug: &str, to: &str, message: &str, now: Now) -> Result<StewardshipView, AppError> {
        let steward = self.standing(slug, now)?.require_steward()?.handle.clone();
        self.commons.propose_handover(slug, &steward, to, message, now)
    }

    /// Accepts, declines or withdraws a handover (the member it names, or the steward who proposed it).
    pub fn answer_handover(&self, slug: &str, number: u32, answer: &str, note: &str, now: Now) -> Result<StewardshipView, AppError> {
        let member = self.standing(slug, now)?.require_member()?.handle.clone();
        self.commons.answer_handover_as(slug, number, answer, (self.account.map(|a| a.id), &member), note, now)
    }

    /// A venture's changes of steward (whoever may read it).
    pub fn stewardships(&self, slug: &str, now: Now) -> Result<Vec<StewardshipView>, AppError> {
        self.standing(slug, now)?;
        self.commons.stewardships(slug, now)
    }

    /// Whether the venture may be adopted (whoever may read it).
    pub fn adoptable(&self, slug: &str, now: Now) -> Result<Adoptable, AppError> {
        self.standing(slug, now)?;
        self.commons.adoptable(slug, now)
    }

    /// Asks to adopt a venture whose stewards left or fell silent (anyone signed in who may read it).
    pub fn ask_to_adopt(&self, slug: &str, message: &str, now: Now) -> Result<StewardshipView, AppError> {
        let account = self.signed_in()?.id;
        self.standing(slug, now)?;
        self.commons.ask_to_adopt(slug, account, message, now)
    }

    /// Objects to an adoption during its notice period (members).
    pub fn object_to_adoption(&self, slug: &str, number: u32, note: &str, now: Now) -> Result<StewardshipView, AppError> {
        let member = self.standing(slug, now)?.require_member()?.handle.clone();
        self.commons.object_to_adoption(slug, number, &member, note, now)
    }
}

//! Ventures: creating them, their access settings and the history of their settings, number
//! format and policy versions.

use crate::access::{Standing, VentureSummary, access_in, check_access};
use crate::audit::{Change, ChangedBy, SettingsChangeView, record_access};
use crate::book::{PolicyVersionView, SetPolicy, insert_policy_version};
use crate::error::AppError;
use crate::forms::{TermsForm, check_slug, check_text, number_format};
use crate::idempotency::{fingerprint, remember, replayed};
use crate::membership::AddMember;
use crate::policy_file::PolicyChoice;
use crate::{Commons, Now};
use peerstake_core::chain::EntryHash;
use peerstake_core::edition::Edition;
use peerstake_core::money::Currency;
use peerstake_core::numbers::NumberFormat;
use peerstake_core::terms::MemberNo;
use peerstake_store::AccessRecord;
use peerstake_store::{COMMONS_SCOPE, Mode, NewVenture, PolicyVersionRecord, StoreError, Transaction, VentureId, VentureRecord};
use time::Date;

/// A request to create a venture.
#[derive(Debug, Clone)]
pub struct CreateVenture {
    /// Unique slug: 2–40 lowercase letters, digits and hyphens, starting with a letter.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// One-line pitch.
    pub pitch: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The first policy.
    pub policy: PolicyChoice,
    /// The date the first policy takes effect (today when absent).
    pub started_on: Option<Date>,
    /// How its people write numbers: a format (`1,234.56`, `1.234,56`, `1 234,56`, `1'234.56`)
    /// or a language whose usual format it is (`en`, `de`, `fr`, `de-CH`); `1,234.56` when empty.
    pub number_format: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

impl Commons {
    /// Creates a venture with its first policy version.
    pub fn create_venture(&self, request: &CreateVenture, now: Now) -> Result<VentureRecord, AppError> {
        check_slug("slug", &request.slug)?;
        check_text("name", &request.name, 100, true)?;
        check_text("pitch", &request.pitch, 500, false)?;
        let currency = Currency::from_code(&request.currency)?;
        let policy = request.policy.resolve(currency)?;
        let started_on = request.started_on.unwrap_or(now.today);
        crate::book::check_date("started on", started_on, now.today)?;
        let number_format = number_format(&request.number_format)?;
        let fingerprint = fingerprint(&[
            "create-venture",
            &request.slug,
            &request.name,
            &request.pitch,
            currency.code(),
            &request.policy.fingerprint_part(),
            &started_on.to_string(),
            number_format.name(),
        ]);
        let mut tx = self.store.begin(Mode::Write)?;
        if let Some(result) = replayed(tx.as_mut(), COMMONS_SCOPE, request.idempotency_key.as_deref(), &fingerprint)? {
            let slug = result.strip_prefix("venture:").unwrap_or(&result).to_string();
            return tx.venture_by_slug(&slug)?.ok_or(AppError::NotFound { what: "venture", name: slug });
        }
        let new = NewVenture {
            slug: request.slug.clone(),
            name: request.name.trim().to_string(),
            pitch: request.pitch.trim().to_string(),
            currency: currency.code().to_string(),
            created_at_ms: now.at_ms,
            number_format,
            edition: Edition::CURRENT,
        };
        let id = match tx.insert_venture(&new, &EntryHash::genesis(&request.slug)) {
            Err(StoreError::Conflict(_)) => return Err(AppError::AlreadyExists { what: "venture", name: request.slug.clone() }),
            other => other?,
        };
        tx.insert_policy_version(
            id,
            &PolicyVersionRecord {
                version: 1,
                effective_from: started_on,
                settings: crate::policy_file::to_toml(&policy, currency),
                recorded_at_ms: now.at_ms,
            },
        )?;
        remember(tx.as_mut(), COMMONS_SCOPE, request.idempotency_key.as_deref(), &fingerprint, &format!("venture:{}", request.slug), now)?;
        let record = tx.venture_by_slug(&request.slug)?.ok_or(AppError::NotFound { what: "venture", name: request.slug.clone() })?;
        tx.commit()?;
        Ok(record)
    }

    /// How a venture's people write numbers (unless their account says otherwise).
    pub fn number_format(&self, slug: &str) -> Result<NumberFormat, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        Ok(tx.venture_by_slug(slug)?.ok_or_else(|| AppError::NotFound { what: "venture", name: slug.to_string() })?.number_format)
    }

    /// How a person's typed numbers are read in a venture: their own format when they chose one,
    /// else the venture's; for forms of the whole commons (the registry of goods), theirs or the
    /// default.
    pub fn numbers_for(&self, account: &crate::access::Account, venture: Option<&str>) -> Result<NumberFormat, AppError> {
        match (account.number_format, venture) {
            (Some(own), _) => Ok(own),
            (None, Some(slug)) => self.number_format(slug),
            (None, None) => Ok(NumberFormat::default()),
        }
    }

    /// Sets how a venture's people write numbers (those who chose their own keep it).
    pub fn set_number_format(&self, slug: &str, format: &str) -> Result<NumberFormat, AppError> {
        let format = number_format(format)?;
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), slug)?;
        tx.set_number_format(book.venture.id, format)?;
        tx.commit()?;
        Ok(format)
    }

    /// Every venture, by slug.
    pub fn ventures(&self, now: Now) -> Result<Vec<VentureSummary>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let records = tx.ventures()?;
        let mut out = Vec::with_capacity(records.len());
        for record in records {
            let book = self.books.read_record(tx.as_mut(), record)?;
            let (policy_version, policy) = book.policy_at(now.today)?;
            out.push(VentureSummary { member_count: book.members.len(), policy_preset: policy.preset.clone(), policy_version, record: book.venture.clone() });
        }
        Ok(out)
    }

    /// One venture.
    pub fn venture(&self, slug: &str, now: Now) -> Result<VentureSummary, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), slug)?;
        let (policy_version, policy) = book.policy_at(now.today)?;
        Ok(VentureSummary { member_count: book.members.len(), policy_preset: policy.preset.clone(), policy_version, record: book.venture.clone() })
    }

    /// Adopts a new policy version from a date on. The date must come after every entry already
    /// valued and after the current version's, so no past figure changes.
    pub fn set_policy(&self, request: &SetPolicy, now: Now) -> Result<PolicyVersionView, AppError> {
        let fingerprint = fingerprint(&["set-policy", &request.venture, &request.effective_from.to_string(), &request.policy.fingerprint_part()]);
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let venture = book.venture.clone();
        if let Some(result) = replayed(tx.as_mut(), venture.id, request.idempotency_key.as_deref(), &fingerprint)? {
            let version: u32 = result.strip_prefix("policy:").and_then(|v| v.parse().ok()).unwrap_or(0);
            return book
                .policies
                .iter()
                .find(|(record, _)| record.version == version)
                .map(|(record, policy)| PolicyVersionView { record: record.clone(), policy: policy.clone() })
                .ok_or(AppError::NotFound { what: "policy version", name: result });
        }
        let policy = request.policy.resolve(book.currency)?;
        let record = insert_policy_version(tx.as_mut(), &book, &policy, request.effective_from, now)?;
        remember(tx.as_mut(), venture.id, request.idempotency_key.as_deref(), &fingerprint, &format!("policy:{}", record.version), now)?;
        tx.commit()?;
        Ok(PolicyVersionView { record, policy })
    }

    /// The history of a venture's settings, oldest first: every change of how it is joined and
    /// read and of who its stewards are, with who made it and when.
    pub fn settings_history(&self, slug: &str) -> Result<Vec<SettingsChangeView>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), slug)?;
        crate::audit::history(tx.as_mut(), &book)
    }

    /// Every policy version, oldest first.
    pub fn policy_history(&self, venture: &str) -> Result<(Currency, Vec<PolicyVersionView>), AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        Ok((book.currency, book.policies.iter().map(|(record, policy)| PolicyVersionView { record: record.clone(), policy: policy.clone() }).collect()))
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

impl crate::access::Acting<'_> {
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
            // A members-only venture is listed for its present members only: one who left keeps
            // their statement, reached by its address, as `standing` allows.
            if access.visibility == "members" && !(is_member && self.present_in(tx.as_mut(), &venture.record.slug, &memberships)?) {
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

    /// Whether the person is a member of the venture who has not left.
    fn present_in(&self, tx: &mut dyn Transaction, slug: &str, memberships: &[(VentureId, MemberNo)]) -> Result<bool, AppError> {
        let book = self.commons.books.read(tx, slug)?;
        Ok(memberships.iter().filter(|(id, _)| *id == book.venture.id).any(|(_, no)| book.member_by_no(*no).is_some_and(|m| m.departed_on.is_none())))
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
            let created = |member| Change { by: ChangedBy::Person { account: account.id, member }, reason: "venture created" };
            let view = self.commons.add_member_in(tx.as_mut(), &add, created(None), now)?;
            tx.link_member(book.venture.id, view.record.member_no, account.id)?;
            tx.set_venture_access(book.venture.id, access, now.at_ms)?;
            record_access(tx.as_mut(), book.venture.id, None, access, created(Some(view.record.member_no)), now)?;
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

    /// Changes how a venture is joined and read (stewards); the history of its settings keeps
    /// what changed, by whom.
    pub fn set_access(&self, slug: &str, access: &AccessRecord, now: Now) -> Result<(), AppError> {
        check_access(access)?;
        let standing = self.standing(slug, now)?;
        let steward = standing.require_steward()?.member_no;
        let account = self.signed_in()?.id;
        let mut tx = self.commons.store.begin(Mode::Write)?;
        // Writers to the venture wait for each other, so the value before is the one replaced.
        let venture = tx.lock_venture(standing.venture.record.id)?.id;
        let before = access_in(tx.as_mut(), venture)?;
        tx.set_venture_access(venture, access, now.at_ms)?;
        let change = Change { by: ChangedBy::Person { account, member: Some(steward) }, reason: "access changed" };
        record_access(tx.as_mut(), venture, Some(&before), access, change, now)?;
        tx.commit()?;
        Ok(())
    }

    /// The history of the venture's settings, oldest first: its access and who its stewards
    /// are, each change with who made it and when (members).
    pub fn settings_history(&self, slug: &str, now: Now) -> Result<Vec<SettingsChangeView>, AppError> {
        self.standing(slug, now)?.require_member()?;
        self.commons.settings_history(slug)
    }

    /// Sets how a venture's people write numbers (stewards).
    pub fn set_number_format(&self, slug: &str, format: &str, now: Now) -> Result<peerstake_core::numbers::NumberFormat, AppError> {
        self.standing(slug, now)?.require_steward()?;
        self.commons.set_number_format(slug, format)
    }

    /// The policy history.
    pub fn policy_history(&self, slug: &str, now: Now) -> Result<(peerstake_core::money::Currency, Vec<PolicyVersionView>), AppError> {
        self.standing(slug, now)?;
        self.commons.policy_history(slug)
    }
}

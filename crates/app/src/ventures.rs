//! Ventures, members, terms and policy versions.

use peerstake_core::chain::EntryHash;
use peerstake_core::edition::Edition;
use peerstake_core::money::Currency;
use peerstake_core::numbers::NumberFormat;
use peerstake_core::policy::Policy;
use peerstake_core::terms::{MemberNo, Role, Terms};
use peerstake_store::{
    COMMONS_SCOPE, IdempotencyRecord, MemberRecord, Mode, NewVenture, PolicyVersionRecord, StoreError, TermsRecord, Transaction, VentureId, VentureRecord,
};
use sha2::{Digest, Sha256};
use time::Date;

use crate::error::{AppError, invalid};
use crate::forms::TermsForm;
use crate::{Commons, Now, policy_file};

/// Longest idempotency key.
pub const IDEMPOTENCY_KEY_CHARS_MAX: usize = 200;

/// Which policy to adopt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyChoice {
    /// A preset by name: `slicing-pie` or `hours-only`.
    Preset(String),
    /// The text of a TOML policy file.
    File(String),
}

impl PolicyChoice {
    /// Reads the choice in a currency.
    pub fn resolve(&self, currency: Currency) -> Result<Policy, AppError> {
        match self {
            PolicyChoice::Preset(name) => Policy::preset(name, currency)
                .ok_or_else(|| invalid("policy", format!("unknown preset '{name}' (use slicing-pie, hours-only or a .toml file)"))),
            PolicyChoice::File(text) => policy_file::parse(text, currency),
        }
    }

    pub(crate) fn fingerprint_part(&self) -> String {
        match self {
            PolicyChoice::Preset(name) => format!("preset:{name}"),
            PolicyChoice::File(text) => format!("file:{text}"),
        }
    }
}

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

/// Reads a number format by name or language; the default when empty.
pub fn number_format(text: &str) -> Result<NumberFormat, AppError> {
    if text.trim().is_empty() {
        return Ok(NumberFormat::default());
    }
    NumberFormat::from_name(text).ok_or_else(|| invalid("number format", "use 1,234.56, 1.234,56, 1 234,56 or 1'234.56, or a language such as en, de or fr"))
}

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

/// A request to adopt a new policy version.
#[derive(Debug, Clone)]
pub struct SetPolicy {
    /// The venture's slug.
    pub venture: String,
    /// The new policy.
    pub policy: PolicyChoice,
    /// It applies to contributions on or after this date.
    pub effective_from: Date,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
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

/// A member with their terms in force today.
#[derive(Debug, Clone)]
pub struct MemberView {
    /// The stored record.
    pub record: MemberRecord,
    /// Terms in force today.
    pub terms: Option<TermsRecord>,
}

/// A policy version with its parsed settings.
#[derive(Debug, Clone)]
pub struct PolicyVersionView {
    /// The stored record.
    pub record: PolicyVersionRecord,
    /// The parsed policy.
    pub policy: Policy,
}

pub(crate) fn fingerprint(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    let digest: [u8; 32] = hasher.finalize().into();
    EntryHash(digest).to_hex()
}

/// Looks up an idempotency key: `Some(result)` when this exact request ran before.
pub(crate) fn replayed(tx: &mut dyn Transaction, scope: VentureId, key: Option<&str>, fingerprint: &str) -> Result<Option<String>, AppError> {
    let Some(key) = key else { return Ok(None) };
    if key.is_empty() || key.chars().count() > IDEMPOTENCY_KEY_CHARS_MAX || key.chars().any(char::is_control) {
        return Err(invalid("idempotency key", format!("must be 1 to {IDEMPOTENCY_KEY_CHARS_MAX} printable characters")));
    }
    match tx.idempotency(scope, key)? {
        Some(record) if record.fingerprint == fingerprint => Ok(Some(record.result)),
        Some(_) => Err(AppError::IdempotencyConflict(key.to_string())),
        None => Ok(None),
    }
}

pub(crate) fn remember(tx: &mut dyn Transaction, scope: VentureId, key: Option<&str>, fingerprint: &str, result: &str, now: Now) -> Result<(), AppError> {
    if let Some(key) = key {
        tx.put_idempotency(scope, key, &IdempotencyRecord { fingerprint: fingerprint.to_string(), result: result.to_string() }, now.at_ms)?;
    }
    Ok(())
}

/// Checks a slug or handle: 2–40 characters, lowercase letters, digits and hyphens, starting
/// with a letter.
pub fn check_slug(field: &'static str, text: &str) -> Result<(), AppError> {
    let valid_chars = text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let starts_with_letter = text.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    if !(2..=40).contains(&text.len()) || !valid_chars || !starts_with_letter || text.ends_with('-') {
        return Err(invalid(field, format!("'{text}' must be 2 to 40 lowercase letters, digits or hyphens, starting with a letter")));
    }
    Ok(())
}

pub(crate) fn check_text(field: &'static str, text: &str, chars_max: usize, required: bool) -> Result<(), AppError> {
    if required && text.trim().is_empty() {
        return Err(invalid(field, "is required"));
    }
    if text.chars().count() > chars_max {
        return Err(invalid(field, format!("is longer than {chars_max} characters")));
    }
    if text.chars().any(char::is_control) {
        return Err(invalid(field, "contains control characters"));
    }
    Ok(())
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
            &PolicyVersionRecord { version: 1, effective_from: started_on, settings: policy_file::to_toml(&policy, currency), recorded_at_ms: now.at_ms },
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
    pub fn numbers_for(&self, account: &crate::accounts::Account, venture: Option<&str>) -> Result<NumberFormat, AppError> {
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

    /// Adds a member, with their first terms if given.
    pub fn add_member(&self, request: &AddMember, now: Now) -> Result<MemberView, AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let view = self.add_member_in(tx.as_mut(), request, now)?;
        tx.commit()?;
        Ok(view)
    }

    /// Adds a member inside a transaction the caller commits.
    pub(crate) fn add_member_in(&self, tx: &mut dyn Transaction, request: &AddMember, now: Now) -> Result<MemberView, AppError> {
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

    /// Every policy version, oldest first.
    pub fn policy_history(&self, venture: &str) -> Result<(Currency, Vec<PolicyVersionView>), AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        Ok((book.currency, book.policies.iter().map(|(record, policy)| PolicyVersionView { record: record.clone(), policy: policy.clone() }).collect()))
    }
}

/// Adds a policy version after the last, refusing a date that would reach entries already valued.
pub(crate) fn insert_policy_version(
    tx: &mut dyn Transaction,
    book: &crate::book::Book,
    policy: &Policy,
    effective_from: Date,
    now: Now,
) -> Result<PolicyVersionRecord, AppError> {
    let last = book.policies.last().map(|(record, _)| record);
    check_not_retroactive(tx, book.venture.id, "a policy", effective_from, last.map(|r| r.effective_from))?;
    let record = PolicyVersionRecord {
        version: last.map_or(1, |r| r.version + 1),
        effective_from,
        settings: policy_file::to_toml(policy, book.currency),
        recorded_at_ms: now.at_ms,
    };
    tx.insert_policy_version(book.venture.id, &record)?;
    Ok(record)
}

fn check_not_retroactive(
    tx: &mut dyn Transaction,
    venture: VentureId,
    what: &'static str,
    effective_from: Date,
    previous: Option<Date>,
) -> Result<(), AppError> {
    if let Some(previous) = previous
        && effective_from <= previous
    {
        return Err(AppError::Retroactive {
            what,
            effective_from: effective_from.to_string(),
            reason: format!("the current version takes effect on {previous}"),
        });
    }
    if let Some(latest) = tx.latest_entry_date(venture)?
        && effective_from <= latest
    {
        return Err(AppError::Retroactive { what, effective_from: effective_from.to_string(), reason: format!("entries up to {latest} are already valued") });
    }
    Ok(())
}

//! Files: contributions from CSV (one transaction, all or nothing), and a whole venture to and
//! from JSON (members, terms, policy versions, entries), such that importing an export into an
//! empty database reproduces the same hash-chain head.

use crate::book::{Draft, check_not_backdated, check_note};
use crate::error::{AppError, invalid};
use crate::forms::{ContributionForm, check_slug};
use crate::idempotency::{fingerprint, remember, replayed};
use crate::journal::{check_dated, guard, period_days};
use crate::verify::verify_in;
use crate::{Commons, Now};
use peerstake_core::chain::EntryHash;
use peerstake_core::dating::Marks;
use peerstake_core::edition::Edition;
use peerstake_core::entry::Entry;
use peerstake_core::kind::{Class, Kind};
use peerstake_core::money::{Currency, format_scaled};
use peerstake_core::numbers::parse_canonical;
use peerstake_core::replay::{Bucket, BucketKey, Effect, LedgerState};
use peerstake_core::terms::{MemberNo, Terms};
use peerstake_store::codes::{TERMS_HOURLY, TERMS_SALARY};
use peerstake_store::{MemberRecord, Mode, NewVenture, PolicyVersionRecord, StoreError, StoredEntry, TermsRecord};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use time::Date;

/// The columns of a contributions CSV file. `date` and `kind` are required; the others may be
/// left out when no row uses them.
pub const CSV_COLUMNS: &[&str] = &["date", "member", "kind", "quantity", "amount", "paid", "condition", "unit", "rate", "class", "note", "author", "from"];

/// Entries written to the database per batch during an import.
const IMPORT_BATCH_ENTRIES: usize = 10_000;

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Entries written.
    pub entries: u64,
    /// The chain head after the import.
    pub head_seq: u64,
    /// Its hash.
    pub head: EntryHash,
}

fn parse_date(field: &'static str, text: &str) -> Result<Date, AppError> {
    Date::parse(text.trim(), time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| AppError::DateOutOfRange { field, reason: format!("'{text}' is not a date (use YYYY-MM-DD)") })
}

/// Parses a date written as `YYYY-MM-DD`.
pub fn date(field: &'static str, text: &str) -> Result<Date, AppError> {
    parse_date(field, text)
}

impl Commons {
    /// Imports contributions from CSV text. Every row is checked and valued in order inside one
    /// transaction; the first bad row rejects the whole file with its line number, and nothing
    /// is written.
    pub fn import_csv(&self, venture: &str, mut reader: impl Read, idempotency_key: Option<&str>, now: Now) -> Result<ImportReport, AppError> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).map_err(|e| AppError::File(format!("cannot read the file: {e}")))?;
        let content_hash = fingerprint(&["import-csv", venture, &String::from_utf8_lossy(&bytes)]);
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let venture_record = book.venture.clone();
        if let Some(result) = replayed(tx.as_mut(), venture_record.id, idempotency_key, &content_hash)? {
            let (entries, head_seq) =
                result.strip_prefix("import:").and_then(|r| r.split_once(':')).and_then(|(n, h)| Some((n.parse().ok()?, h.parse().ok()?))).unwrap_or((0, 0));
            let head = tx.entry(venture_record.id, head_seq)?.map(|s| s.hash).unwrap_or(venture_record.head_hash);
            return Ok(ImportReport { entries, head_seq, head });
        }
        let mut csv_reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(bytes.as_slice());
        let headers = csv_reader.headers().map_err(|e| AppError::ImportLine { line: 1, source: Box::new(invalid("header", e.to_string())) })?.clone();
        let mut columns: BTreeMap<&str, usize> = BTreeMap::new();
        for (index, name) in headers.iter().enumerate() {
            let known = CSV_COLUMNS.iter().find(|c| **c == name).ok_or_else(|| AppError::ImportLine {
                line: 1,
                source: Box::new(invalid("header", format!("unknown column '{name}' (columns: {})", CSV_COLUMNS.join(", ")))),
            })?;
            columns.insert(known, index);
        }
        for required in ["date", "kind"] {
            if !columns.contains_key(required) {
                return Err(AppError::ImportLine { line: 1, source: Box::new(invalid("header", format!("the '{required}' column is required"))) });
            }
        }
        let mut state = LedgerState::from_buckets(tx.totals(venture_record.id)?);
        let mut latest_date = tx.latest_entry_date(venture_record.id)?;
        let mut marks = Marks::from_marks(tx.read_marks(venture_record.id)?);
        let leavers = book.leavers();
        let freeze = crate::journal::frozen(tx.as_mut(), &book)?;
        let mut seq = venture_record.head_seq;
        let mut previous = venture_record.head_hash;
        let mut batch: Vec<StoredEntry> = Vec::with_capacity(IMPORT_BATCH_ENTRIES);
        let mut totals: BTreeMap<BucketKey, Bucket> = BTreeMap::new();
        let mut imported: u64 = 0;
        let mut pending: Vec<u64> = Vec::new();
        let mut record = csv::StringRecord::new();
        loop {
            let more = csv_reader.read_record(&mut record).map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                AppError::ImportLine { line, source: Box::new(invalid("row", e.to_string())) }
            })?;
            if !more {
                break;
            }
            let line = record.position().map_or(0, |p| p.line());
            let field = |name: &str| columns.get(name).and_then(|index| record.get(*index)).unwrap_or("");
            let stored = (|| -> Result<StoredEntry, AppError> {
                let occurred_on = parse_date("date", field("date"))?;
                let note = field("note");
                check_note(note)?;
                let form = ContributionForm {
                    kind: field("kind").to_string(),
                    quantity: field("quantity").to_string(),
                    amount: field("amount").to_string(),
                    paid: field("paid").to_string(),
                    condition: field("condition").to_string(),
                    unit: field("unit").to_string(),
                    rate: field("rate").to_string(),
                    class: field("class").to_string(),
                };
                let days = match field("from") {
                    "" => 1,
                    from => period_days(parse_date("from", from)?, occurred_on)?,
                };
                let input = form.read_in(book.venture.number_format)?.to_period_input(book.currency, days)?;
                let member_handle = field("member");
                let member = if member_handle.is_empty() { None } else { Some(book.member(member_handle)?.member_no) };
                match (input.needs_member(), member) {
                    (true, None) => return Err(invalid("member", "is required")),
                    (false, Some(_)) => return Err(invalid("member", "a withdrawal takes no member")),
                    _ => {}
                }
                let author_handle = field("author");
                let author = if author_handle.is_empty() { None } else { Some(book.member(author_handle)?.member_no) };
                check_dated(&book, &input, occurred_on, member, author, now.today)?;
                crate::journal::refuse_while_frozen(&book, occurred_on, freeze.as_ref())?;
                check_not_backdated(&input, occurred_on, latest_date)?;
                let draft = Draft { occurred_on, recorded_at_ms: now.at_ms, author, member, input: &input, note };
                let stored = book.value_entry(seq + 1, &previous, &draft, &book.view(&state, &leavers))?;
                guard(&book, &marks, &stored.entry)?;
                if let Some(mark) = Marks::read_by(&stored.entry.tag, stored.entry.member, stored.entry.occurred_on) {
                    marks.raise(mark);
                }
                state.apply(&stored.entry.effects)?;
                Ok(stored)
            })()
            .map_err(|source| AppError::ImportLine { line, source: Box::new(source) })?;
            latest_date = latest_date.max(Some(stored.entry.occurred_on));
            if book.logged_pending(&stored.entry) {
                pending.push(stored.entry.seq);
            }
            seq += 1;
            imported += 1;
            previous = stored.hash;
            for effect in &stored.entry.effects {
                let bucket = totals.entry(BucketKey { member: effect.member, kind: effect.kind, class: effect.class }).or_default();
                bucket.fmv_minor += effect.fmv_minor;
                bucket.slices_minor += effect.slices_minor;
                bucket.well_minor += effect.well_minor;
            }
            batch.push(stored);
            if batch.len() == IMPORT_BATCH_ENTRIES {
                tx.insert_entries(venture_record.id, &batch)?;
                batch.clear();
            }
        }
        if imported == 0 {
            return Err(invalid("file", "has no contributions"));
        }
        tx.insert_entries(venture_record.id, &batch)?;
        for seq in pending {
            tx.set_review_status(venture_record.id, seq, peerstake_core::review::Status::Pending.name())?;
        }
        let totals: Vec<(BucketKey, Bucket)> = totals.into_iter().collect();
        tx.add_totals(venture_record.id, &totals)?;
        tx.raise_read_marks(venture_record.id, &marks.marks())?;
        tx.set_head(venture_record.id, seq, &previous)?;
        remember(tx.as_mut(), venture_record.id, idempotency_key, &content_hash, &format!("import:{imported}:{seq}"), now)?;
        tx.commit()?;
        self.store.settle()?;
        Ok(ImportReport { entries: imported, head_seq: seq, head: previous })
    }

    /// Writes a whole venture as JSON, streaming the entries.
    pub fn export(&self, venture: &str, mut out: impl Write) -> Result<ImportReport, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let currency = book.currency;
        let slice_scale = book.slice_scale();
        let io = |e: std::io::Error| AppError::File(format!("cannot write the export: {e}"));
        let json = |e: serde_json::Error| AppError::File(format!("cannot write the export: {e}"));
        let header = ExportHeader {
            format: EXPORT_FORMAT.to_string(),
            version: EXPORT_VERSION,
            venture: ExportVenture {
                slug: book.venture.slug.clone(),
                name: book.venture.name.clone(),
                pitch: book.venture.pitch.clone(),
                currency: book.venture.currency.clone(),
                created_at_ms: book.venture.created_at_ms,
                number_format: Some(book.venture.number_format.name().to_string()),
                edition: book.venture.edition.number(),
                slice_decimals: book.slice_scale(),
            },
            members: book.members.iter().map(ExportMember::from_record).collect(),
            terms: {
                // In member then version order, so the same venture always exports the same text.
                let mut records: Vec<&TermsRecord> = book.terms.values().flatten().collect();
                records.sort_by_key(|t| (t.member_no, t.version));
                records.into_iter().map(|t| ExportTerms::from_record(t, currency)).collect()
            },
            policy_versions: book.policies.iter().map(|(record, _)| ExportPolicy::from_record(record)).collect(),
        };
        let mut header_text = serde_json::to_string(&header).map_err(json)?;
        // Open the entries array inside the header object.
        header_text.pop();
        out.write_all(header_text.as_bytes()).map_err(io)?;
        out.write_all(b",\"entries\":[").map_err(io)?;
        let mut count: u64 = 0;
        let mut head = EntryHash::genesis(&book.venture.slug);
        tx.scan_entries(book.venture.id, &mut |stored| {
            let text =
                serde_json::to_string(&ExportEntry::from_stored(&stored, currency.exponent(), slice_scale)).map_err(|e| StoreError::Backend(e.to_string()))?;
            let separator: &[u8] = if count == 0 { b"\n" } else { b",\n" };
            out.write_all(separator).and_then(|_| out.write_all(text.as_bytes())).map_err(|e| StoreError::Backend(e.to_string()))?;
            count += 1;
            head = stored.hash;
            Ok(())
        })?;
        let footer = serde_json::to_string(&ExportHead { seq: count, hash: head.to_hex() }).map_err(json)?;
        out.write_all(format!("\n],\"head\":{footer}}}\n").as_bytes()).map_err(io)?;
        out.flush().map_err(io)?;
        Ok(ImportReport { entries: count, head_seq: count, head })
    }

    /// Restores a venture from an export into this database, where it must not exist yet. Every
    /// entry's hash is checked as it is read, and the whole venture is verified before anything
    /// is committed.
    pub fn import_venture(&self, venture: &str, reader: impl Read) -> Result<ImportReport, AppError> {
        let document: ExportDocument =
            serde_json::from_reader(std::io::BufReader::new(reader)).map_err(|e| AppError::File(format!("not a peerstake export: {e}")))?;
        if document.format != EXPORT_FORMAT || document.version != EXPORT_VERSION {
            return Err(AppError::File(format!("not a peerstake export of version {EXPORT_VERSION}")));
        }
        let slug = &document.venture.slug;
        if slug != venture {
            return Err(invalid("venture", format!("the file holds venture '{slug}', not '{venture}' (the slug is part of the hash chain)")));
        }
        check_slug("slug", slug)?;
        let currency = Currency::from_code(&document.venture.currency)?;
        let edition =
            Edition::from_number(document.venture.edition).ok_or_else(|| invalid("edition", format!("unknown edition {}", document.venture.edition)))?;
        let number_format = crate::forms::number_format(document.venture.number_format.as_deref().unwrap_or(""))?;
        let slice_scale = edition.slice_scale(currency);
        let mut tx = self.store.begin(Mode::Write)?;
        if tx.venture_by_slug(slug)?.is_some() {
            return Err(AppError::AlreadyExists { what: "venture", name: slug.clone() });
        }
        let new = NewVenture {
            slug: slug.clone(),
            name: document.venture.name.clone(),
            pitch: document.venture.pitch.clone(),
            currency: currency.code().to_string(),
            created_at_ms: document.venture.created_at_ms,
            number_format,
            edition,
        };
        let id = tx.insert_venture(&new, &EntryHash::genesis(slug))?;
        for member in &document.members {
            tx.insert_member(id, &member.to_record()?)?;
        }
        for terms in &document.terms {
            tx.insert_terms(id, &terms.to_record(currency)?)?;
        }
        for policy in &document.policy_versions {
            tx.insert_policy_version(id, &policy.to_record()?)?;
        }
        let mut previous = EntryHash::genesis(slug);
        let mut state = LedgerState::new();
        let mut marks = Marks::default();
        // The tags of readers, for the review steps that count them.
        let mut tags: std::collections::HashMap<u64, String> = std::collections::HashMap::new();
        let mut batch = Vec::with_capacity(IMPORT_BATCH_ENTRIES);
        for (index, exported) in document.entries.iter().enumerate() {
            let stored = exported.to_stored(currency.exponent(), slice_scale)?;
            let expected_seq = u64::try_from(index).unwrap_or(u64::MAX).saturating_add(1);
            if stored.entry.seq != expected_seq {
                return Err(invalid("entries", format!("entry #{} is out of order (expected #{expected_seq})", stored.entry.seq)));
            }
            // An entry can only reverse or be about an earlier one (a later or huge number would
            // reach the store, which reads it as damage).
            for (what, target) in [("reverses", stored.entry.reverses), ("is about", stored.entry.about)] {
                if let Some(target) = target
                    && !(1..stored.entry.seq).contains(&target)
                {
                    return Err(invalid("entries", format!("entry #{} {what} #{target}, which is not an earlier entry", stored.entry.seq)));
                }
            }
            if stored.entry.hash_after(&previous) != stored.hash {
                return Err(invalid("entries", format!("entry #{}: its hash does not match its contents; the file was altered", stored.entry.seq)));
            }
            state.apply(&stored.entry.effects)?;
            if let Some(mark) = Marks::read_by_entry(&stored.entry, |seq| tags.get(&seq).cloned()) {
                marks.raise(mark);
            }
            if Marks::read_by(&stored.entry.tag, stored.entry.member, stored.entry.occurred_on).is_some() {
                tags.insert(stored.entry.seq, stored.entry.tag.clone());
            }
            previous = stored.hash;
            batch.push(stored);
            if batch.len() == IMPORT_BATCH_ENTRIES {
                tx.insert_entries(id, &batch)?;
                batch.clear();
            }
        }
        tx.insert_entries(id, &batch)?;
        let count = u64::try_from(document.entries.len()).unwrap_or(u64::MAX);
        if document.head.seq != count || document.head.hash != previous.to_hex() {
            return Err(invalid("head", "the entries do not end at the head the file names"));
        }
        tx.add_totals(id, &state.sorted_buckets())?;
        tx.raise_read_marks(id, &marks.marks())?;
        tx.set_head(id, count, &previous)?;
        let book = self.books.within(tx.as_mut(), slug)?;
        let report = verify_in(tx.as_mut(), &book, false)?;
        if let Some(first) = report.differences.first() {
            return Err(invalid("entries", format!("the venture does not verify: {first}")));
        }
        for (seq, status) in &report.statuses {
            tx.set_review_status(id, *seq, status)?;
        }
        tx.commit()?;
        self.store.settle()?;
        Ok(ImportReport { entries: count, head_seq: count, head: previous })
    }
}

const EXPORT_FORMAT: &str = "peerstake-export";
const EXPORT_VERSION: u32 = 1;

#[derive(Serialize)]
struct ExportHeader {
    format: String,
    version: u32,
    venture: ExportVenture,
    members: Vec<ExportMember>,
    terms: Vec<ExportTerms>,
    policy_versions: Vec<ExportPolicy>,
}

#[derive(Deserialize)]
struct ExportDocument {
    format: String,
    version: u32,
    venture: ExportVenture,
    members: Vec<ExportMember>,
    terms: Vec<ExportTerms>,
    policy_versions: Vec<ExportPolicy>,
    entries: Vec<ExportEntry>,
    head: ExportHead,
}

#[derive(Serialize, Deserialize)]
struct ExportVenture {
    slug: String,
    name: String,
    pitch: String,
    currency: String,
    created_at_ms: i64,
    /// How its people write numbers (the default when absent).
    #[serde(default)]
    number_format: Option<String>,
    /// The edition of the rules its ledger was started under (the first when absent).
    #[serde(default = "first_edition")]
    edition: u8,
    /// Decimals of a slice, for readers of the file (it follows from the edition and currency).
    #[serde(default, skip_deserializing)]
    slice_decimals: u8,
}

fn first_edition() -> u8 {
    Edition::FIRST.number()
}

#[derive(Serialize, Deserialize)]
struct ExportHead {
    seq: u64,
    hash: String,
}

#[derive(Serialize, Deserialize)]
struct ExportMember {
    member_no: u32,
    handle: String,
    display_name: String,
    role: String,
    joined_on: String,
    recorded_at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    departed_on: Option<String>,
}

impl ExportMember {
    fn from_record(record: &MemberRecord) -> ExportMember {
        ExportMember {
            member_no: record.member_no.0,
            handle: record.handle.clone(),
            display_name: record.display_name.clone(),
            role: record.role.clone(),
            joined_on: record.joined_on.to_string(),
            recorded_at_ms: record.recorded_at_ms,
            departed_on: record.departed_on.map(|d| d.to_string()),
        }
    }

    fn to_record(&self) -> Result<MemberRecord, AppError> {
        Ok(MemberRecord {
            member_no: MemberNo(self.member_no),
            handle: self.handle.clone(),
            display_name: self.display_name.clone(),
            role: self.role.clone(),
            joined_on: parse_date("joined_on", &self.joined_on)?,
            recorded_at_ms: self.recorded_at_ms,
            departed_on: self.departed_on.as_deref().map(|d| parse_date("departed_on", d)).transpose()?,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct ExportTerms {
    member_no: u32,
    version: u32,
    effective_from: String,
    basis: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    market_salary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    cash_salary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    hours_per_year: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    hourly_rate: Option<String>,
    recorded_at_ms: i64,
}

impl ExportTerms {
    fn from_record(record: &TermsRecord, currency: Currency) -> ExportTerms {
        let (basis, market_salary, cash_salary, hours_per_year, hourly_rate) = match record.terms {
            Terms::Salary { market_salary_minor, cash_salary_minor, hours_per_year } => {
                (TERMS_SALARY, Some(currency.format(market_salary_minor)), Some(currency.format(cash_salary_minor)), hours_per_year, None)
            }
            Terms::Hourly { rate_minor } => (TERMS_HOURLY, None, None, None, Some(currency.format(rate_minor))),
        };
        ExportTerms {
            member_no: record.member_no.0,
            version: record.version,
            effective_from: record.effective_from.to_string(),
            basis: basis.to_string(),
            market_salary,
            cash_salary,
            hours_per_year,
            hourly_rate,
            recorded_at_ms: record.recorded_at_ms,
        }
    }

    fn to_record(&self, currency: Currency) -> Result<TermsRecord, AppError> {
        let amount = |field: &'static str, text: &Option<String>| -> Result<i64, AppError> {
            Ok(currency.parse_amount(field, text.as_deref().ok_or_else(|| invalid(field, "is missing"))?)?)
        };
        let terms = match self.basis.as_str() {
            TERMS_SALARY => Terms::Salary {
                market_salary_minor: amount("market_salary", &self.market_salary)?,
                cash_salary_minor: amount("cash_salary", &self.cash_salary)?,
                hours_per_year: self.hours_per_year,
            },
            TERMS_HOURLY => Terms::Hourly { rate_minor: amount("hourly_rate", &self.hourly_rate)? },
            other => return Err(invalid("basis", format!("unknown terms basis '{other}'"))),
        };
        Ok(TermsRecord {
            member_no: MemberNo(self.member_no),
            version: self.version,
            effective_from: parse_date("effective_from", &self.effective_from)?,
            terms,
            recorded_at_ms: self.recorded_at_ms,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct ExportPolicy {
    version: u32,
    effective_from: String,
    settings: String,
    recorded_at_ms: i64,
}

impl ExportPolicy {
    fn from_record(record: &PolicyVersionRecord) -> ExportPolicy {
        ExportPolicy {
            version: record.version,
            effective_from: record.effective_from.to_string(),
            settings: record.settings.clone(),
            recorded_at_ms: record.recorded_at_ms,
        }
    }

    fn to_record(&self) -> Result<PolicyVersionRecord, AppError> {
        Ok(PolicyVersionRecord {
            version: self.version,
            effective_from: parse_date("effective_from", &self.effective_from)?,
            settings: self.settings.clone(),
            recorded_at_ms: self.recorded_at_ms,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct ExportEffect {
    member: u32,
    kind: String,
    class: String,
    fmv: String,
    slices: String,
    well: String,
}

#[derive(Serialize, Deserialize)]
struct ExportEntry {
    seq: u64,
    occurred_on: String,
    recorded_at_ms: i64,
    author: Option<u32>,
    member: Option<u32>,
    tag: String,
    inputs: String,
    note: String,
    policy_version: u32,
    terms_version: u32,
    fmv: String,
    slices: String,
    reverses: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    about: Option<u64>,
    hash: String,
    effects: Vec<ExportEffect>,
}

/// Parses a signed exact decimal with at most `scale` decimals, scaled by 10^scale.
fn signed_amount(field: &'static str, text: &str, scale: u8) -> Result<i64, AppError> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let magnitude = parse_canonical(field, digits, scale)?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).map_err(|_| invalid(field, format!("'{text}' is too large")))
}

impl ExportEntry {
    fn from_stored(stored: &StoredEntry, money_scale: u8, slice_scale: u8) -> ExportEntry {
        let entry = &stored.entry;
        let amount = |minor: i64| format_scaled(i128::from(minor), money_scale);
        let slices = |units: i64| format_scaled(i128::from(units), slice_scale);
        ExportEntry {
            seq: entry.seq,
            occurred_on: entry.occurred_on.to_string(),
            recorded_at_ms: entry.recorded_at_ms,
            author: entry.author.map(|m| m.0),
            member: entry.member.map(|m| m.0),
            tag: entry.tag.clone(),
            inputs: entry.inputs.clone(),
            note: entry.note.clone(),
            policy_version: entry.policy_version,
            terms_version: entry.terms_version,
            fmv: amount(entry.fmv_minor),
            slices: slices(entry.slices_minor),
            reverses: entry.reverses,
            about: entry.about,
            hash: stored.hash.to_hex(),
            effects: entry
                .effects
                .iter()
                .map(|e| ExportEffect {
                    member: e.member.0,
                    kind: e.kind.name().to_string(),
                    class: e.class.name().to_string(),
                    fmv: amount(e.fmv_minor),
                    slices: slices(e.slices_minor),
                    well: amount(e.well_minor),
                })
                .collect(),
        }
    }

    fn to_stored(&self, money_scale: u8, slice_scale: u8) -> Result<StoredEntry, AppError> {
        let mut effects = Vec::with_capacity(self.effects.len());
        for effect in &self.effects {
            effects.push(Effect {
                member: MemberNo(effect.member),
                kind: Kind::from_name(&effect.kind).ok_or_else(|| invalid("kind", format!("unknown kind '{}'", effect.kind)))?,
                class: Class::from_name(&effect.class).ok_or_else(|| invalid("class", format!("unknown class '{}'", effect.class)))?,
                fmv_minor: signed_amount("fmv", &effect.fmv, money_scale)?,
                slices_minor: signed_amount("slices", &effect.slices, slice_scale)?,
                well_minor: signed_amount("well", &effect.well, money_scale)?,
            });
        }
        Ok(StoredEntry {
            entry: Entry {
                seq: self.seq,
                occurred_on: parse_date("occurred_on", &self.occurred_on)?,
                recorded_at_ms: self.recorded_at_ms,
                author: self.author.map(MemberNo),
                member: self.member.map(MemberNo),
                tag: self.tag.clone(),
                inputs: self.inputs.clone(),
                note: self.note.clone(),
                policy_version: self.policy_version,
                terms_version: self.terms_version,
                fmv_minor: signed_amount("fmv", &self.fmv, money_scale)?,
                slices_minor: signed_amount("slices", &self.slices, slice_scale)?,
                reverses: self.reverses,
                about: self.about,
                effects,
            },
            hash: EntryHash::from_hex(&self.hash).ok_or_else(|| invalid("hash", format!("entry #{}: not a hash", self.seq)))?,
        })
    }
}

impl crate::access::Acting<'_> {
    /// The whole venture as JSON.
    pub fn export(&self, slug: &str, out: impl std::io::Write, now: Now) -> Result<(), AppError> {
        self.standing(slug, now)?;
        self.commons.export(slug, out).map(|_| ())
    }
}

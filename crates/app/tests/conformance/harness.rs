//! Fresh databases per test, on every backend available.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use peerstake_app::forms::{ContributionForm, TermsForm};
use peerstake_app::journal::LogRequest;
use peerstake_app::ledger::SplitQuery;
use peerstake_app::membership::AddMember;
use peerstake_app::policy_file::PolicyChoice;
use peerstake_app::ventures::CreateVenture;
use peerstake_app::{AppError, Commons, Now};
use peerstake_core::ErrorCode;
use time::Date;
use time::macros::date;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A database made for one test; dropped (PostgreSQL) or deleted (SQLite) afterwards.
pub struct TestDatabase {
    pub backend: &'static str,
    pub url: String,
    sqlite_dir: Option<PathBuf>,
    postgres_admin: Option<(String, String)>,
}

impl TestDatabase {
    pub fn commons(&self) -> Commons {
        peerstake_backends::open(&self.url).map(Commons::with_store).unwrap_or_else(|e| panic!("open {}: {e}", self.backend))
    }

    /// Runs one raw SQL statement outside the application's rules.
    pub fn raw(&self, sql: &str) -> Result<(), peerstake_store::StoreError> {
        match &self.sqlite_dir {
            Some(dir) => peerstake_sqlite::execute_raw(&dir.join("peerstake.db"), sql).map(|_| ()),
            None => peerstake_postgres::execute_raw(&self.url, sql).map(|_| ()),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(dir) = &self.sqlite_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin_url, name)) = &self.postgres_admin
            && let Ok(mut client) = postgres::Client::connect(admin_url, postgres::NoTls)
        {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

fn unique_name() -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("peerstake_test_{}_{}_{}", std::process::id(), nanos, n)
}

/// Every backend to run on: SQLite always, PostgreSQL when configured.
pub fn databases() -> Vec<TestDatabase> {
    let mut out = Vec::new();
    let dir = std::env::temp_dir().join(unique_name());
    std::fs::create_dir_all(&dir).unwrap();
    out.push(TestDatabase { backend: "sqlite", url: format!("sqlite://{}", dir.join("peerstake.db").display()), sqlite_dir: Some(dir), postgres_admin: None });
    if let Ok(admin_url) = std::env::var("PEERSTAKE_TEST_POSTGRES_URL") {
        let name = unique_name();
        let mut client = postgres::Client::connect(&admin_url, postgres::NoTls).expect("connect to PEERSTAKE_TEST_POSTGRES_URL");
        client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let base = admin_url.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin_url).to_string();
        out.push(TestDatabase { backend: "postgres", url: format!("{base}/{name}"), sqlite_dir: None, postgres_admin: Some((admin_url, name)) });
    }
    out
}

/// Runs a test body on every backend.
pub fn on_every_backend(body: impl Fn(&TestDatabase, &Commons)) {
    for database in databases() {
        let commons = database.commons();
        body(&database, &commons);
    }
}

pub const START: Date = date!(2025 - 01 - 01);

pub fn at(date: Date) -> Now {
    Now::noon_of(date)
}

pub fn today() -> Now {
    at(date!(2025 - 12 - 31))
}

/// A request for a venture `slug`, named after its slug, with no pitch, in EUR under the Slicing
/// Pie preset, started on [`START`].
pub fn venture_request(slug: &str) -> CreateVenture {
    CreateVenture {
        slug: slug.into(),
        name: slug.into(),
        pitch: String::new(),
        currency: "EUR".into(),
        policy: PolicyChoice::Preset("slicing-pie".into()),
        started_on: Some(START),
        number_format: String::new(),
        idempotency_key: None,
    }
}

/// Adds each (handle, role, terms) to venture `slug` as a member with no display name who joined
/// on [`START`], recorded that day.
pub fn add_members<'a>(commons: &Commons, slug: &str, members: impl IntoIterator<Item = (&'a str, &'a str, TermsForm)>) {
    for (handle, role, terms) in members {
        let add = AddMember {
            venture: slug.into(),
            handle: handle.into(),
            display_name: String::new(),
            role: role.into(),
            joined_on: Some(START),
            terms,
            idempotency_key: None,
        };
        commons.add_member(&add, at(START)).unwrap();
    }
}

/// A venture `pie` in EUR with ana (salary 100,000, no cash), ben (hourly 50) and fay (backer).
pub fn small_venture(commons: &Commons) {
    let request = CreateVenture { name: "Pie".into(), pitch: "A test venture".into(), ..venture_request("pie") };
    commons.create_venture(&request, at(START)).unwrap();
    add_members(
        commons,
        "pie",
        [
            ("ana", "steward", TermsForm { market_salary: "100000".into(), ..TermsForm::default() }),
            ("ben", "member", TermsForm { hourly_rate: "50".into(), ..TermsForm::default() }),
            ("fay", "backer", TermsForm::default()),
        ],
    );
}

pub fn form(kind: &str, fields: &[(&str, &str)]) -> ContributionForm {
    let mut form = ContributionForm { kind: kind.into(), ..ContributionForm::default() };
    for (name, value) in fields {
        let value = value.to_string();
        match *name {
            "quantity" => form.quantity = value,
            "amount" => form.amount = value,
            "paid" => form.paid = value,
            "condition" => form.condition = value,
            "unit" => form.unit = value,
            "rate" => form.rate = value,
            "class" => form.class = value,
            other => panic!("unknown field {other}"),
        }
    }
    form
}

pub fn log_request(member: Option<&str>, on: Date, form: ContributionForm) -> LogRequest {
    LogRequest {
        venture: "pie".into(),
        member: member.map(str::to_string),
        author: None,
        occurred_on: on,
        from: None,
        form,
        note: String::new(),
        idempotency_key: None,
    }
}

pub fn log(commons: &Commons, member: Option<&str>, on: Date, form: ContributionForm) -> Result<u64, AppError> {
    commons.log(&log_request(member, on, form), today()).map(|s| s.entry.seq)
}

/// (handle, slices as a decimal string, share) per member.
pub fn shares(commons: &Commons, query: &SplitQuery) -> Vec<(String, String, String)> {
    let report = commons.split("pie", query).unwrap();
    report
        .lines
        .iter()
        .map(|l| (l.member.handle.clone(), report.currency.format_slices(l.figures.slices_minor), peerstake_core::split::format_share(l.figures.share_units)))
        .collect()
}

pub fn head(commons: &Commons) -> (u64, String) {
    let venture = commons.venture("pie", today()).unwrap();
    (venture.record.head_seq, venture.record.head_hash.to_hex())
}

pub fn code(result: Result<impl std::fmt::Debug, AppError>) -> &'static str {
    result.expect_err("should be refused").code()
}

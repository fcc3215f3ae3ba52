//! Databases for the targets that write: SQLite files in a scratch folder (in memory-backed
//! `/dev/shm` where there is one, so commits cost no disk syncs), opened through
//! `peerstake_backends::open` as the binaries open them, with small ventures in every number
//! format; and a venture's state (head, totals, read marks) read straight from the store, to tell
//! whether an import wrote anything.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context as _;
use peerstake_app::forms::TermsForm;
use peerstake_app::membership::AddMember;
use peerstake_app::policy_file::PolicyChoice;
use peerstake_app::ventures::CreateVenture;
use peerstake_app::{Commons, Now};
use peerstake_core::dating::ReadMark;
use peerstake_core::numbers::NumberFormat;
use peerstake_core::replay::{Bucket, BucketKey};
use peerstake_store::Mode;
use time::Date;
use time::macros::date;

/// The day every fixture venture starts.
pub const START: Date = date!(2025 - 01 - 01);

/// The moment imports run at: the last day of the fixtures' year, at noon.
pub fn now() -> Now {
    Now::noon_of(date!(2025 - 12 - 31))
}

static SCRATCH_COUNT: AtomicU64 = AtomicU64::new(0);

/// A folder of databases, removed when dropped.
pub struct Scratch {
    dir: PathBuf,
    opened: u64,
}

impl Scratch {
    /// A new folder, in `/dev/shm` when it exists.
    pub fn new(label: &str) -> anyhow::Result<Scratch> {
        let shm = PathBuf::from("/dev/shm");
        let base = if shm.is_dir() { shm } else { std::env::temp_dir() };
        let count = SCRATCH_COUNT.fetch_add(1, Ordering::SeqCst);
        let dir = base.join(format!("peerstake-fuzz-{}-{label}-{count}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Scratch { dir, opened: 0 })
    }

    /// A fresh, migrated database in the folder (the one opened before it is removed).
    pub fn fresh(&mut self) -> anyhow::Result<Commons> {
        if self.opened > 0 {
            let old = self.dir.join(format!("db-{}.sqlite", self.opened));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", old.display()));
            }
        }
        self.opened += 1;
        let path = self.dir.join(format!("db-{}.sqlite", self.opened));
        let store = peerstake_backends::open(&format!("sqlite://{}", path.display()))?;
        Ok(Commons::with_store(store))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Creates venture `slug` in `currency`, its numbers written in `format`, started on [`START`],
/// with a steward on an hourly rate (`ana`), a member on a salary (`ben`), a backer with no
/// terms (`fay`) and an advisor (`cy`).
pub fn venture(commons: &Commons, slug: &str, currency: &str, format: NumberFormat) -> anyhow::Result<()> {
    let at_start = Now::noon_of(START);
    commons.create_venture(
        &CreateVenture {
            slug: slug.to_string(),
            name: slug.to_string(),
            pitch: String::new(),
            currency: currency.to_string(),
            policy: PolicyChoice::Preset("slicing-pie".into()),
            started_on: Some(START),
            number_format: format.name().to_string(),
            idempotency_key: None,
        },
        at_start,
    )?;
    let hourly = |rate: &str| TermsForm { hourly_rate: rate.into(), ..TermsForm::default() };
    let members = [
        ("ana", "steward", hourly("50")),
        ("ben", "member", TermsForm { market_salary: "60000".into(), cash_salary: "30000".into(), ..TermsForm::default() }),
        ("fay", "backer", TermsForm::default()),
        ("cy", "advisor", hourly("80")),
    ];
    for (handle, role, terms) in members {
        let add = AddMember {
            venture: slug.to_string(),
            handle: handle.to_string(),
            display_name: String::new(),
            role: role.to_string(),
            joined_on: Some(START),
            terms,
            idempotency_key: None,
        };
        commons.add_member(&add, at_start).with_context(|| format!("adding {handle} to {slug}"))?;
    }
    Ok(())
}

/// What a venture holds, as stored: (head seq, head hash, totals, read marks); `None` when there
/// is no such venture.
pub type State = Option<(u64, String, Vec<(BucketKey, Bucket)>, Vec<ReadMark>)>;

/// A venture's state, read straight from the store (no cache in between).
pub fn state(commons: &Commons, slug: &str) -> anyhow::Result<State> {
    let mut tx = commons.store().begin(Mode::Read)?;
    let Some(record) = tx.venture_by_slug(slug)? else {
        return Ok(None);
    };
    let totals = tx.totals(record.id)?;
    let marks = tx.read_marks(record.id)?;
    Ok(Some((record.head_seq, record.head_hash.to_hex(), totals, marks)))
}

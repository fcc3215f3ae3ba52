//! `peerstake-bench`: builds a synthetic venture (members with terms, a CSV of mixed
//! contributions), then measures the bulk import rate, reading the current split, an as-of split,
//! and a full replay + verify, and reports the peak resident memory. See BENCHMARKS.md.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use peerstake_app::forms::{ContributionForm, TermsForm};
use peerstake_app::journal::LogRequest;
use peerstake_app::ledger::SplitQuery;
use peerstake_app::membership::AddMember;
use peerstake_app::policy_file::PolicyChoice;
use peerstake_app::ventures::CreateVenture;
use peerstake_app::{Commons, Now};
use time::macros::date;

/// The same allocator as the `peerstake` binary, so the figures are the product's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
struct Args {
    /// Members in the venture.
    #[arg(long, default_value_t = 1_000)]
    members: u32,
    /// Entries to import.
    #[arg(long, default_value_t = 1_000_000)]
    entries: u64,
    /// Database (default: a new SQLite file in the temp directory).
    #[arg(long)]
    database_url: Option<String>,
    /// How many times to read the current split.
    #[arg(long, default_value_t = 200)]
    split_reads: u32,
    /// Keep the temporary SQLite database (to profile `peerstake verify` on it, say).
    #[arg(long)]
    keep: bool,
    /// The venture's slug (default: bench-<process id>).
    #[arg(long)]
    slug: Option<String>,
    /// Holders to split a payout across, exact to the minor unit (0: skip).
    #[arg(long, default_value_t = 100_000)]
    payout_holders: usize,
    /// Measure only the payout split, not the ledger.
    #[arg(long)]
    payout_only: bool,
    /// Holders to post whole distributions to, through the use case (0: skip).
    #[arg(long, default_value_t = 0)]
    distribution_holders: u32,
}

/// Opens the database at `url` and creates the venture `slug`, named `name`, in EUR under the
/// Slicing Pie preset from 1 January 2024; returns the commons and the moment every step of a
/// measurement runs at (noon on 1 January 2026).
fn open_with_venture(url: &str, slug: &str, name: &str) -> anyhow::Result<(Commons, Now)> {
    let commons = peerstake_backends::open(url).map(Commons::with_store).context("open the database")?;
    let now = Now::noon_of(date!(2026 - 01 - 01));
    let venture = CreateVenture {
        slug: slug.into(),
        name: name.into(),
        pitch: String::new(),
        currency: "EUR".into(),
        policy: PolicyChoice::Preset("slicing-pie".into()),
        started_on: Some(date!(2024 - 01 - 01)),
        number_format: String::new(),
        idempotency_key: None,
    };
    commons.create_venture(&venture, now)?;
    Ok((commons, now))
}

/// The time below which `p` percent of the sorted `times` fall (100: the slowest); zero for none.
fn percentile(times: &[Duration], p: usize) -> Duration {
    times.get((times.len() * p / 100).min(times.len().saturating_sub(1))).copied().unwrap_or_default()
}

/// Posts 20 distributions to `holders` holders through the use case (read the holdings, split
/// exactly, record the payouts) on a fresh venture, and prints the median and slowest time of a
/// preview and of a post.
fn measure_distribution(holders: u32, url: &str) -> anyhow::Result<()> {
    use peerstake_app::payouts::{DistributeRequest, IncomeRequest};
    use peerstake_core::kind::{Class, Kind};
    use peerstake_core::replay::{Bucket, BucketKey};
    use peerstake_core::terms::MemberNo;
    use peerstake_store::{MemberRecord, Mode};

    let slug = format!("payout-{}", std::process::id());
    let (commons, now) = open_with_venture(url, &slug, "Distribution benchmark")?;
    // The holders and their slices go straight into the store: adding 100,000 members one at a
    // time through the use case re-reads the venture's book after each.
    let setup = Instant::now();
    let mut random = Random(0x853c_49e6_748f_ea9b);
    let mut tx = commons.store().begin(Mode::Write)?;
    let venture = tx.venture_by_slug(&slug)?.context("the venture just created")?;
    let mut totals = Vec::with_capacity(usize::try_from(holders).unwrap_or(0));
    for number in 1..=holders {
        tx.insert_member(
            venture.id,
            &MemberRecord {
                member_no: MemberNo(number),
                handle: format!("h{number}"),
                display_name: String::new(),
                role: "member".into(),
                joined_on: date!(2024 - 01 - 01),
                recorded_at_ms: now.at_ms,
                departed_on: None,
            },
        )?;
        let fmv = i64::try_from(random.below(5_000_000)).unwrap_or(0) + 1;
        totals.push((
            BucketKey { member: MemberNo(number), kind: Kind::Time, class: Class::NonCash },
            Bucket { fmv_minor: fmv, slices_minor: fmv * 2, well_minor: 0 },
        ));
    }
    tx.add_totals(venture.id, &totals)?;
    tx.commit()?;
    commons.record_income(&IncomeRequest { venture: slug.clone(), amount: "100000000".into(), ..IncomeRequest::default() }, now)?;
    println!("distribution setup: {holders} holders in {:.0} ms", millis(setup.elapsed()));
    let mut previews = Vec::with_capacity(20);
    let mut posts = Vec::with_capacity(20);
    for round in 0..21_u32 {
        let cents = random.below(100_000_000) + 1;
        let request = DistributeRequest { venture: slug.clone(), amount: format!("{}.{:02}", cents / 100, cents % 100), ..DistributeRequest::default() };
        let started = Instant::now();
        let preview = commons.preview_distribution(&request, now)?;
        let previewed = started.elapsed();
        let started = Instant::now();
        let posted = commons.post_distribution(&request, now)?;
        let elapsed = started.elapsed();
        let paid: i64 = posted.record.payouts.iter().map(|p| p.amount_minor).sum();
        if paid != posted.record.amount_minor
            || posted.record.payouts.len() != usize::try_from(holders).unwrap_or(0)
            || preview.record.payouts != posted.record.payouts
        {
            bail!("distribution #{} did not add up", posted.record.number);
        }
        // The first round reads the venture's book into the cache; it is not counted.
        if round > 0 {
            previews.push(previewed);
            posts.push(elapsed);
        }
    }
    for (what, times) in [("preview", &mut previews), ("post", &mut posts)] {
        times.sort();
        let (median, slowest) = (percentile(times, 50), percentile(times, 100));
        println!("distribution to {holders} holders, {what} (20 rounds): median {:.2} ms, slowest {:.2} ms", millis(median), millis(slowest));
    }
    Ok(())
}

/// Splits an amount across `holders` holdings by the largest-remainder method, 50 times with the
/// spare units' starting point rotating, and prints the median and slowest time.
fn measure_payout(holders: usize) -> anyhow::Result<()> {
    let mut random = Random(0x2545_f491_4f6c_dd1d);
    let holdings: Vec<i64> = (0..holders).map(|_| i64::try_from(random.below(50_000_000)).unwrap_or(0) + 1).collect();
    let mut times = Vec::with_capacity(50);
    for round in 0..50_usize {
        let amount = i64::try_from(random.below(10_000_000_000)).unwrap_or(0);
        let started = Instant::now();
        let parts = peerstake_core::allocation::largest_remainder(amount, &holdings, round)?;
        times.push(started.elapsed());
        if parts.iter().sum::<i64>() != amount {
            bail!("a payout of {amount} did not add up");
        }
    }
    times.sort();
    let (median, slowest) = (percentile(&times, 50), percentile(&times, 100));
    println!("payout split across {holders} holders (50 amounts): median {:.2} ms, slowest {:.2} ms", millis(median), millis(slowest));
    Ok(())
}

/// A small deterministic generator (xorshift), so every run imports the same ledger.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn synthetic_csv(members: u32, entries: u64) -> String {
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let mut text = String::with_capacity(usize::try_from(entries).unwrap_or(0) * 48);
    text.push_str("date,member,kind,quantity,amount,paid,condition,unit,rate,class,note\n");
    let first_day = date!(2024 - 01 - 01);
    for index in 0..entries {
        // Dates advance through two years as the ledger grows, like a real one.
        let day = first_day + time::Duration::days(i64::try_from(index * 730 / entries.max(1)).unwrap_or(0));
        let member = random.below(u64::from(members)) + 1;
        let cents = random.below(50_000) + 100;
        let amount = format!("{}.{:02}", cents / 100, cents % 100);
        let roll = random.below(1_000);
        let _ = match roll {
            0..=499 => writeln!(text, "{day},m{member},time,{}m,,,,,,,", random.below(480) + 15),
            500..=599 => writeln!(text, "{day},m{member},deposit,,{amount},,,,,,"),
            600..=600 => writeln!(text, "{day},,withdrawal,,20,,,,,,"),
            601..=719 => writeln!(text, "{day},m{member},expense,,{amount},,,,,,"),
            720..=769 => writeln!(text, "{day},m{member},facilities,,{amount},,,,,,"),
            770..=849 => writeln!(text, "{day},m{member},capital-use,{},,,,day,{amount},,", random.below(10) + 1),
            850..=899 => writeln!(text, "{day},m{member},sale,,{amount},,,,,,"),
            900..=949 => writeln!(text, "{day},m{member},equipment,,{amount},,new,,,,"),
            _ => writeln!(text, "{day},m{member},other,,{amount},,,,,non-cash,"),
        };
    }
    text
}

fn peak_resident_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.payout_holders > 0 {
        measure_payout(args.payout_holders)?;
    }
    let scratch = std::env::temp_dir().join(format!("peerstake-bench-{}", std::process::id()));
    let url = args.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", scratch.join("bench.db").display()));
    if args.distribution_holders > 0 {
        measure_distribution(args.distribution_holders, &url)?;
    }
    if args.payout_only {
        if args.database_url.is_none() && !args.keep {
            let _ = std::fs::remove_dir_all(&scratch);
        }
        return Ok(());
    }
    let slug = args.slug.clone().unwrap_or_else(|| format!("bench-{}", std::process::id()));
    let (commons, now) = open_with_venture(&url, &slug, "Benchmark")?;
    let setup = Instant::now();
    for number in 1..=args.members {
        commons.add_member(
            &AddMember {
                venture: slug.clone(),
                handle: format!("m{number}"),
                display_name: String::new(),
                role: "member".into(),
                joined_on: Some(date!(2024 - 01 - 01)),
                terms: TermsForm { hourly_rate: format!("{}", 20 + number % 80), ..TermsForm::default() },
                idempotency_key: None,
            },
            now,
        )?;
    }
    let csv = synthetic_csv(args.members, args.entries);
    println!("backend: {}", commons.store().backend());
    println!("setup: {} members in {:.0} ms; CSV of {} entries, {} MiB", args.members, millis(setup.elapsed()), args.entries, csv.len() / (1024 * 1024));

    let started = Instant::now();
    let report = commons.import_csv(&slug, csv.as_bytes(), None, now)?;
    let import = started.elapsed();
    drop(csv);
    println!("import: {} entries in {:.2} s = {:.0} entries/s", report.entries, import.as_secs_f64(), report.entries as f64 / import.as_secs_f64());

    // Each read follows a write, so it is computed from the maintained totals (not served from
    // the cache of the current split); a second read of the same state is served from the cache.
    let mut computed = Vec::with_capacity(usize::try_from(args.split_reads).unwrap_or(0));
    let mut cached = Vec::with_capacity(computed.capacity());
    for _ in 0..args.split_reads {
        let entry = LogRequest {
            venture: slug.clone(),
            member: Some("m1".into()),
            author: None,
            occurred_on: date!(2025 - 12 - 31),
            from: None,
            form: ContributionForm { kind: "time".into(), quantity: "15m".into(), ..ContributionForm::default() },
            note: String::new(),
            idempotency_key: None,
        };
        commons.log(&entry, now)?;
        for times in [&mut computed, &mut cached] {
            let started = Instant::now();
            let split = commons.split(&slug, &SplitQuery::default())?;
            times.push(started.elapsed());
            if split.lines.len() != usize::try_from(args.members).unwrap_or(0) {
                bail!("the split has {} lines", split.lines.len());
            }
        }
    }
    for (what, times) in [("computed from the totals", &mut computed), ("served from the cache", &mut cached)] {
        times.sort();
        println!(
            "current split ({} members), {what}: median {:.2} ms, p99 {:.3} ms",
            args.members,
            millis(percentile(times, 50)),
            millis(percentile(times, 99))
        );
    }

    let started = Instant::now();
    commons.split(&slug, &SplitQuery { as_of: Some(date!(2025 - 01 - 01)), policy: None })?;
    println!("as-of split (half the ledger): {:.0} ms", millis(started.elapsed()));

    let started = Instant::now();
    let verify = commons.verify(&slug)?;
    let verify_time = started.elapsed();
    if !verify.differences.is_empty() {
        bail!("verify found {} differences: {:?}", verify.differences.len(), verify.differences.first());
    }
    println!("replay + verify: {} entries in {:.2} s", verify.entries, verify_time.as_secs_f64());
    if let Some(mib) = peak_resident_mib() {
        println!("peak resident memory: {mib} MiB");
    }
    if args.keep {
        println!("kept: {url} (venture {slug})");
    } else if args.database_url.is_none() {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    Ok(())
}

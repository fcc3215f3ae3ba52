//! The engine: runs one target for a bounded time on inputs made three ways (structure-aware
//! from the target's real formats, mutations of a corpus of inputs that reached new outcomes, and
//! random bytes), and checks each one: no panic (caught and reported with the input), no input
//! slower than the per-input limit (a watchdog ends the run on one that never returns), and the
//! target's own properties. Failing inputs are shrunk before they are printed.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

use fastrand::Rng;

use crate::mutate;

/// One parser under test.
pub trait Target {
    /// A near-valid input built from the real format, with mutations that matter to it.
    fn generate(&mut self, rng: &mut Rng) -> Vec<u8>;

    /// A mutation of an input that reached a new outcome (by default, text or byte edits).
    fn mutate(&mut self, rng: &mut Rng, input: &[u8]) -> Vec<u8> {
        mutate::any(rng, input)
    }

    /// Runs one input: the outcome it reached (`ok`, an error code, …), or what property broke.
    fn run(&mut self, input: &[u8]) -> Result<String, String>;

    /// The longest random-bytes input worth trying.
    fn random_len_max(&self) -> usize {
        64
    }
}

/// A target by name, with what it checks and how to make it.
pub struct Spec {
    /// The name `--target` takes.
    pub name: &'static str,
    /// What it feeds and what it checks, one line.
    pub about: &'static str,
    /// Makes the target (databases and seeds included); not counted in its time.
    pub make: fn() -> anyhow::Result<Box<dyn Target>>,
}

/// How long and how to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// The time each target runs for.
    pub duration: Duration,
    /// The seed of the first target; each target mixes in its name.
    pub seed: u64,
    /// The longest one input may take.
    pub input_limit: Duration,
    /// When set, every input is written here before it runs (to catch one that aborts).
    pub dump: Option<std::path::PathBuf>,
}

/// What kind of failure an input caused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The parser panicked.
    Panic,
    /// A property the target checks did not hold.
    Property,
    /// The input took longer than the limit.
    Slow,
}

/// A failing input, shrunk.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Panic, property or slow.
    pub kind: FailureKind,
    /// What happened.
    pub message: String,
    /// The input, as small as it still fails the same way.
    pub input: Vec<u8>,
}

/// What one target's run did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The target.
    pub name: &'static str,
    /// Inputs run.
    pub executions: u64,
    /// Time spent running them.
    pub elapsed: Duration,
    /// Distinct outcomes reached, with how often.
    pub outcomes: BTreeMap<String, u64>,
    /// Inputs kept because they reached a new outcome.
    pub corpus: usize,
    /// Failures, one per distinct cause.
    pub failures: Vec<Failure>,
    /// Failing inputs seen, including repeats of one cause.
    pub failing_inputs: u64,
}

/// Inputs kept for mutation.
const CORPUS_MAX: usize = 512;
/// Distinct failures kept per target (repeats of a cause are counted, not kept).
const FAILURES_MAX: usize = 16;
/// Attempts to shrink one failing input.
const SHRINK_ATTEMPTS_MAX: usize = 4_000;

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

static QUIET_PANICS: Once = Once::new();

/// Panics are caught and reported with their input, so the default message is kept for the report
/// instead of printed.
fn quiet_panics() {
    QUIET_PANICS.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let text = info.to_string();
            LAST_PANIC.with(|last| *last.borrow_mut() = Some(text));
        }));
    });
}

/// Runs one input, catching a panic.
fn execute(target: &mut dyn Target, input: &[u8]) -> Result<String, (FailureKind, String)> {
    match catch_unwind(AssertUnwindSafe(|| target.run(input))) {
        Ok(Ok(outcome)) => Ok(outcome),
        Ok(Err(property)) => Err((FailureKind::Property, property)),
        Err(_) => {
            let message = LAST_PANIC.with(|last| last.borrow_mut().take()).unwrap_or_else(|| "a panic with no message".to_string());
            Err((FailureKind::Panic, message))
        }
    }
}

/// What makes two failures the same: the panic's place, or the property's name (before `:`).
fn cause(kind: FailureKind, message: &str) -> String {
    match kind {
        FailureKind::Panic => message.split_once(" at ").map_or(message, |(_, place)| place).lines().next().unwrap_or_default().to_string(),
        FailureKind::Property => format!("property {}", message.split(':').next().unwrap_or_default()),
        FailureKind::Slow => "slow".to_string(),
    }
}

/// The smallest input found that fails with the same cause, by cutting pieces out.
fn shrink(target: &mut dyn Target, input: &[u8], kind: FailureKind, wanted: &str) -> (Vec<u8>, String) {
    let mut best = input.to_vec();
    let mut message = String::new();
    let mut attempts = 0;
    let mut chunk = best.len().div_ceil(2).max(1);
    while chunk >= 1 && attempts < SHRINK_ATTEMPTS_MAX {
        let mut at = 0;
        let mut shrunk = false;
        while at < best.len() && attempts < SHRINK_ATTEMPTS_MAX {
            let end = (at + chunk).min(best.len());
            let mut candidate = best[..at].to_vec();
            candidate.extend_from_slice(&best[end..]);
            attempts += 1;
            match execute(target, &candidate) {
                Err((k, m)) if k == kind && cause(k, &m) == wanted => {
                    best = candidate;
                    message = m;
                    shrunk = true;
                }
                _ => at += chunk,
            }
        }
        if !shrunk {
            if chunk == 1 {
                break;
            }
            chunk /= 2;
        }
    }
    (best, message)
}

/// State the watchdog reads: when the current input started (0 when idle) and the input.
struct Watch {
    started_ns: AtomicU64,
    input: Mutex<Vec<u8>>,
    done: AtomicBool,
}

/// Runs a target for the configured time on its own thread, with a watchdog that ends the process
/// (after printing the input) if one input never returns.
pub fn run(spec: &Spec, config: &Config) -> anyhow::Result<Report> {
    quiet_panics();
    let watch = Arc::new(Watch { started_ns: AtomicU64::new(0), input: Mutex::new(Vec::new()), done: AtomicBool::new(false) });
    let base = Instant::now();
    let worker = {
        let (watch, config, make, name) = (Arc::clone(&watch), config.clone(), spec.make, spec.name);
        std::thread::Builder::new().name(format!("fuzz-{name}")).spawn(move || {
            let result = make().and_then(|mut target| fuzz(name, target.as_mut(), &config, &watch, base));
            watch.done.store(true, Ordering::SeqCst);
            result
        })?
    };
    let hang_after = config.input_limit.saturating_mul(10).max(Duration::from_secs(10));
    while !watch.done.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(20));
        let started = watch.started_ns.load(Ordering::SeqCst);
        if started == 0 {
            continue;
        }
        let running = base.elapsed().saturating_sub(Duration::from_nanos(started));
        if running > hang_after && !watch.done.load(Ordering::SeqCst) && watch.started_ns.load(Ordering::SeqCst) == started {
            let input = watch.input.lock().unwrap_or_else(|p| p.into_inner()).clone();
            let failure = Failure { kind: FailureKind::Slow, message: format!("no answer after {} ms: the input hangs", running.as_millis()), input };
            print_failure(spec.name, &failure);
            let _ = std::io::stdout().flush();
            std::process::exit(2);
        }
    }
    worker.join().map_err(|_| anyhow::anyhow!("the {} worker panicked outside an input", spec.name))?
}

fn seed_for(name: &str, seed: u64) -> u64 {
    // FNV-1a over the name, mixed with the run's seed: each target has its own stream.
    name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)) ^ seed
}

fn fuzz(name: &'static str, target: &mut dyn Target, config: &Config, watch: &Watch, base: Instant) -> anyhow::Result<Report> {
    let mut rng = Rng::with_seed(seed_for(name, config.seed));
    let mut corpus: Vec<Vec<u8>> = Vec::new();
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    let mut causes: HashSet<String> = HashSet::new();
    let mut failures: Vec<Failure> = Vec::new();
    let mut failing_inputs: u64 = 0;
    let mut dump = match &config.dump {
        Some(path) => Some(std::fs::File::create(path)?),
        None => None,
    };
    let start = Instant::now();
    let mut executions: u64 = 0;
    while start.elapsed() < config.duration {
        let input = match rng.u8(0..20) {
            0..=1 => mutate::random_bytes(&mut rng, target.random_len_max()),
            2..=8 => target.generate(&mut rng),
            _ if corpus.is_empty() => target.generate(&mut rng),
            _ => {
                let parent = corpus[rng.usize(0..corpus.len())].clone();
                target.mutate(&mut rng, &parent)
            }
        };
        if let Some(file) = dump.as_mut() {
            // Length, then the bytes: the last record is the input that was running.
            file.write_all(&u64::try_from(input.len()).unwrap_or(u64::MAX).to_le_bytes())?;
            file.write_all(&input)?;
            file.flush()?;
        }
        watch.input.lock().unwrap_or_else(|p| p.into_inner()).clone_from(&input);
        let began = Instant::now();
        watch.started_ns.store(u64::try_from((began - base).as_nanos()).unwrap_or(u64::MAX).max(1), Ordering::SeqCst);
        let result = execute(target, &input);
        let took = began.elapsed();
        watch.started_ns.store(0, Ordering::SeqCst);
        executions += 1;
        let result = match result {
            Ok(_) if took > config.input_limit => {
                Err((FailureKind::Slow, format!("took {} ms, over the limit of {} ms", took.as_millis(), config.input_limit.as_millis())))
            }
            other => other,
        };
        match result {
            Ok(outcome) => {
                let count = outcomes.entry(outcome).or_insert(0);
                *count += 1;
                if *count == 1 {
                    if corpus.len() < CORPUS_MAX {
                        corpus.push(input);
                    } else {
                        let slot = rng.usize(0..corpus.len());
                        corpus[slot] = input;
                    }
                }
            }
            Err((kind, message)) => {
                failing_inputs += 1;
                let key = cause(kind, &message);
                *outcomes.entry(format!("FAILED {key}")).or_insert(0) += 1;
                if failures.len() < FAILURES_MAX && causes.insert(key.clone()) {
                    let failure = if kind == FailureKind::Slow {
                        Failure { kind, message, input }
                    } else {
                        let (input, shrunk_message) = shrink(target, &input, kind, &key);
                        Failure { kind, message: if shrunk_message.is_empty() { message } else { shrunk_message }, input }
                    };
                    print_failure(name, &failure);
                    failures.push(failure);
                }
            }
        }
    }
    Ok(Report { name, executions, elapsed: start.elapsed(), outcomes, corpus: corpus.len(), failures, failing_inputs })
}

/// Runs one given input (a regression candidate) and says what it did.
pub fn replay(spec: &Spec, input: &[u8]) -> anyhow::Result<Result<String, Failure>> {
    quiet_panics();
    let mut target = (spec.make)()?;
    let began = Instant::now();
    let result = execute(target.as_mut(), input);
    let took = began.elapsed();
    Ok(result.map(|outcome| format!("{outcome} ({} µs)", took.as_micros())).map_err(|(kind, message)| Failure { kind, message, input: input.to_vec() }))
}

/// The input as a Rust string literal (escaped) and as hex, so it can become a regression test.
pub fn show_input(input: &[u8]) -> String {
    const SHOWN_MAX: usize = 4_096;
    let shown = &input[..input.len().min(SHOWN_MAX)];
    let hex: String = shown.iter().map(|b| format!("{b:02x}")).collect();
    let more = if input.len() > SHOWN_MAX { format!(" … ({} bytes in all)", input.len()) } else { String::new() };
    match std::str::from_utf8(input) {
        Ok(text) if input.len() <= SHOWN_MAX => format!("    text: {text:?}\n    hex:  {hex}"),
        _ => format!("    bytes: {:?}{more}\n    hex:   {hex}{more}", String::from_utf8_lossy(shown)),
    }
}

/// Prints a failure as it is found.
pub fn print_failure(target: &str, failure: &Failure) {
    let kind = match failure.kind {
        FailureKind::Panic => "panic",
        FailureKind::Property => "property violated",
        FailureKind::Slow => "too slow",
    };
    println!("FAILURE in {target} ({kind}): {}\n{}", failure.message, show_input(&failure.input));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parser with a planted bug: it panics on a `!` and breaks a property on a `?`.
    struct Planted;

    impl Target for Planted {
        fn generate(&mut self, rng: &mut Rng) -> Vec<u8> {
            let mut text = mutate::digits(rng, 3).into_bytes();
            if rng.u8(0..50) == 0 {
                text.push(if rng.bool() { b'!' } else { b'?' });
            }
            text
        }

        fn run(&mut self, input: &[u8]) -> Result<String, String> {
            if input.contains(&b'!') {
                panic!("planted");
            }
            if input.contains(&b'?') {
                return Err("planted: a question".into());
            }
            Ok(format!("len {}", input.len().min(5)))
        }
    }

    #[test]
    fn panics_and_broken_properties_are_caught_and_shrunk() {
        let spec = Spec { name: "planted", about: "", make: || Ok(Box::new(Planted)) };
        let config = Config { duration: Duration::from_millis(300), seed: 1, input_limit: Duration::from_secs(1), dump: None };
        let report = run(&spec, &config).unwrap();
        assert!(report.executions > 100);
        let kinds: Vec<FailureKind> = report.failures.iter().map(|f| f.kind).collect();
        assert!(kinds.contains(&FailureKind::Panic) && kinds.contains(&FailureKind::Property), "{kinds:?}");
        for failure in &report.failures {
            assert_eq!(failure.input.len(), 1, "shrunk to the one byte that matters: {failure:?}");
        }
        assert!(report.outcomes.keys().any(|k| k.starts_with("len")));
    }

    #[test]
    fn inputs_are_shown_escaped_and_in_hex() {
        assert_eq!(show_input(b"1\n"), "    text: \"1\\n\"\n    hex:  310a");
        assert!(show_input(&[0xff, 0x31]).contains("ff31"));
    }
}

//! `peerstake-fuzz`: fuzzes every parser of outside input on the stable toolchain (`cargo fuzz`
//! needs a nightly one), each target for a bounded time, and exits non-zero on any failure with
//! the failing input printed escaped and in hex, ready to become a regression test.
//!
//! ```text
//! peerstake-fuzz [--target NAME[,NAME…]|all] [--seconds N] [--seed N] [--limit-ms N]
//!                [--input-hex HEX] [--dump FILE] [--list]
//! ```
//!
//! `--input-hex` runs one input through one target (to check a fix); `--dump` writes every input
//! to a file before it runs, so an input that kills the process (a stack overflow) can be found.

mod mutate;
mod runner;
mod targets;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};

use runner::{Config, Spec};
use targets::canonical::Canonical;
use targets::csv::CsvImport;
use targets::dates::Dates;
use targets::effects::Effects;
use targets::numbers::{Money, Numbers};
use targets::policy::PolicyToml;
use targets::quantities::{Form, Hours};
use targets::restore::Restore;

/// Every target, in the order `all` runs them.
const SPECS: &[Spec] = &[
    Spec {
        name: "numbers",
        about: "people's numbers in the four formats: strict, one reading, canonical, written back the same",
        make: || Ok(Box::new(Numbers)),
    },
    Spec {
        name: "money",
        about: "canonical amounts (parse_amount) at 0-4 decimals and parse_scaled: limits, round trips, refusal reasons",
        make: || Ok(Box::new(Money::new()?)),
    },
    Spec { name: "hours", about: "hours (1.5, 1.5h, 1:30, 90m) and units, in every format: limits and round trips", make: || Ok(Box::new(Hours)) },
    Spec {
        name: "form",
        about: "contribution forms read in a format into inputs: valid, canonical, written back the same",
        make: || Ok(Box::new(Form::new()?)),
    },
    Spec {
        name: "input",
        about: "each kind's canonical input text and review steps' stored inputs: one spelling, read and written the same",
        make: || Ok(Box::new(Canonical)),
    },
    Spec { name: "date", about: "YYYY-MM-DD dates and periods between two: round trips, period starts, dating rules", make: || Ok(Box::new(Dates)) },
    Spec {
        name: "csv",
        about: "CSV imports into SQLite ventures of every number format: all or nothing, head moved by the entries, verified, idempotent",
        make: || Ok(Box::new(CsvImport::new()?)),
    },
    Spec {
        name: "policy",
        about: "policy TOML in 0-, 2- and 3-decimal currencies: validates, to_toml reads back the same policy",
        make: || Ok(Box::new(PolicyToml::new()?)),
    },
    Spec {
        name: "restore",
        about: "JSON exports restored into SQLite, bent and re-chained: all or nothing, re-exports restore to the same head",
        make: || Ok(Box::new(Restore::new()?)),
    },
    Spec { name: "effects", about: "stored effects' compact bytes: decoding never panics, re-encoding gives the same bytes", make: || Ok(Box::new(Effects)) },
];

const USAGE: &str = "usage: peerstake-fuzz [--target NAME[,NAME...]|all] [--seconds N] [--seed N] [--limit-ms N] [--input-hex HEX] [--dump FILE] [--list] [--verbose]\n\ntargets:";

/// The command line, read once.
struct Args {
    targets: Vec<&'static Spec>,
    config: Config,
    input_hex: Option<String>,
    list: bool,
    verbose: bool,
}

fn parse_args(mut words: impl Iterator<Item = String>) -> anyhow::Result<Args> {
    let mut names = "all".to_string();
    let mut seconds = 10.0_f64;
    let mut seed: Option<u64> = None;
    let mut limit_ms: u64 = 1_000;
    let mut input_hex = None;
    let mut dump = None;
    let mut list = false;
    let mut verbose = false;
    while let Some(word) = words.next() {
        let mut value = |name: &str| words.next().with_context(|| format!("{name} needs a value"));
        match word.as_str() {
            "--target" => names = value("--target")?,
            "--seconds" => seconds = value("--seconds")?.parse().context("--seconds takes a number of seconds")?,
            "--seed" => seed = Some(value("--seed")?.parse().context("--seed takes a whole number")?),
            "--limit-ms" => limit_ms = value("--limit-ms")?.parse().context("--limit-ms takes a whole number of milliseconds")?,
            "--input-hex" => input_hex = Some(value("--input-hex")?),
            "--dump" => dump = Some(std::path::PathBuf::from(value("--dump")?)),
            "--list" => list = true,
            "--verbose" => verbose = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                for spec in SPECS {
                    println!("  {:<8} {}", spec.name, spec.about);
                }
                std::process::exit(0);
            }
            other => bail!("unknown argument '{other}' (see --help)"),
        }
    }
    if !(seconds.is_finite() && seconds >= 0.0) {
        bail!("--seconds must be zero or more");
    }
    let targets = if names == "all" {
        SPECS.iter().collect()
    } else {
        names
            .split(',')
            .map(|name| {
                SPECS
                    .iter()
                    .find(|s| s.name == name.trim())
                    .with_context(|| format!("unknown target '{name}' (targets: {})", SPECS.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")))
            })
            .collect::<anyhow::Result<Vec<_>>>()?
    };
    // Without a seed, the clock's: printed, so a run can be repeated.
    let seed = seed.unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_nanos() % u128::from(u64::MAX)).unwrap_or(0))
    });
    let config = Config { duration: Duration::from_secs_f64(seconds), seed, input_limit: Duration::from_millis(limit_ms), dump };
    Ok(Args { targets, config, input_hex, list, verbose })
}

fn hex_bytes(text: &str) -> anyhow::Result<Vec<u8>> {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if !text.len().is_multiple_of(2) {
        bail!("--input-hex takes an even number of hex digits");
    }
    (0..text.len()).step_by(2).map(|at| u8::from_str_radix(&text[at..at + 2], 16).context("--input-hex takes hex digits")).collect()
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("peerstake-fuzz: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs what the command line asks; false when any input failed.
fn run() -> anyhow::Result<bool> {
    let args = parse_args(std::env::args().skip(1))?;
    if args.list {
        for spec in &args.targets {
            println!("{:<8} {}", spec.name, spec.about);
        }
        return Ok(true);
    }
    if let Some(hex) = &args.input_hex {
        let [spec] = args.targets.as_slice() else { bail!("--input-hex runs one input through one --target") };
        let input = hex_bytes(hex)?;
        return Ok(match runner::replay(spec, &input)? {
            Ok(outcome) => {
                println!("{}: {outcome}", spec.name);
                true
            }
            Err(failure) => {
                runner::print_failure(spec.name, &failure);
                false
            }
        });
    }
    println!(
        "peerstake-fuzz: seed {}, {:.0} s per target, {} ms per input at most",
        args.config.seed,
        args.config.duration.as_secs_f64(),
        args.config.input_limit.as_millis()
    );
    let mut reports = Vec::new();
    for spec in &args.targets {
        let report = runner::run(spec, &args.config).with_context(|| format!("running target {}", spec.name))?;
        println!(
            "{:<8} {:>10} executions in {:>5.1} s  {:>9.0}/s  {:>4} outcomes  {:>3} in corpus  {} failures ({} distinct)",
            report.name,
            report.executions,
            report.elapsed.as_secs_f64(),
            report.executions as f64 / report.elapsed.as_secs_f64().max(1e-9),
            report.outcomes.len(),
            report.corpus,
            report.failing_inputs,
            report.failures.len(),
        );
        if args.verbose {
            let mut outcomes: Vec<(&String, &u64)> = report.outcomes.iter().collect();
            outcomes.sort_by(|a, b| b.1.cmp(a.1));
            for (outcome, count) in outcomes.iter().take(40) {
                println!("    {count:>10}  {outcome}");
            }
        }
        reports.push(report);
    }
    let failed: Vec<&str> = reports.iter().filter(|r| r.failing_inputs > 0).map(|r| r.name).collect();
    let executions: u64 = reports.iter().map(|r| r.executions).sum();
    if failed.is_empty() {
        println!("peerstake-fuzz: {executions} executions, no failures");
        Ok(true)
    } else {
        println!("peerstake-fuzz: failures in {} (seed {}); each failing input is printed above", failed.join(", "), args.config.seed);
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> anyhow::Result<Args> {
        parse_args(line.split_whitespace().map(str::to_string))
    }

    #[test]
    fn the_command_line_is_read_once() {
        let all = args("--seconds 2 --seed 7").unwrap();
        assert_eq!(all.targets.len(), SPECS.len());
        assert_eq!((all.config.duration, all.config.seed), (Duration::from_secs(2), 7));
        assert_eq!(args("--target csv,effects").unwrap().targets.iter().map(|s| s.name).collect::<Vec<_>>(), ["csv", "effects"]);
        assert!(args("--target nothing").is_err());
        assert!(args("--seconds -1").is_err());
        assert!(args("--frobnicate").is_err());
        assert_eq!(hex_bytes("01 ff").unwrap(), [1, 255]);
        assert!(hex_bytes("1").is_err());
    }

    /// Inputs the fuzzer found failing, by target; each must pass now that its parser is fixed.
    const FOUND: &[(&str, &[u8])] = &[
        ("numbers", b"8919852592462403196582175150123"),
        ("numbers", b"0999999999999999999999999999999,6"),
        ("money", b"355029755"),
        ("money", b"0"),
        ("money", b"0000000000000000000000000000001"),
        ("input", b"vote|verdict=reject;status=pending;status=pending"),
        ("effects", &[0x01, 0x01, 0x0c, 0x0a, 0x03, 0x16, 0x00, 0xf7, 0x00]),
    ];

    #[test]
    fn inputs_found_failing_pass() {
        for (name, input) in FOUND {
            let spec = SPECS.iter().find(|s| s.name == *name).unwrap();
            if let Err(failure) = runner::replay(spec, input).unwrap() {
                panic!("{name} still fails on {}: {}", runner::show_input(input), failure.message);
            }
        }
    }

    #[test]
    fn every_target_runs_briefly_without_failures() {
        let config = Config { duration: Duration::from_millis(300), seed: 42, input_limit: Duration::from_secs(30), dump: None };
        for spec in SPECS {
            let report = runner::run(spec, &config).unwrap();
            assert!(report.executions > 0, "{}", spec.name);
            assert!(report.failures.is_empty(), "{}: {:?}", spec.name, report.failures);
        }
    }
}

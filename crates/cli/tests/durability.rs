//! What survives: a server killed with `kill -9` under a write load loses no write it answered
//! and records none twice when the unanswered ones are retried with their keys (on SQLite and,
//! when configured, PostgreSQL); a backup taken while writes go on holds every write answered
//! before it began, restores, and verifies.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Scratch;

static NEXT_PORT: AtomicU16 = AtomicU16::new(0);

/// A free port for one server of this test process.
fn port() -> u16 {
    let base = 20_000 + u16::try_from(std::process::id() % 20_000).unwrap();
    base + NEXT_PORT.fetch_add(1, Ordering::SeqCst)
}

/// `peerstake serve` on a database, as its own process.
struct Server {
    child: Child,
}

impl Server {
    fn start(url: &str, port: u16) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_peerstake"))
            .args(["--database-url", url, "serve", "--address", &format!("127.0.0.1:{port}")])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "the server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Server { child }
    }

    /// Kills the process outright, as a power cut would the process (not the disk).
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An operator's set-up: a venture, a steward who signs in as `ana`.
fn set_up(url: &str, scratch: &Scratch) {
    let run = |args: &[&str], input: Option<&str>| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_peerstake"))
            .args(["--database-url", url])
            .args(args)
            .current_dir(&scratch.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(input) = input {
            child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        }
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    };
    run(&["venture", "create", "mill", "--name", "Mill", "--currency", "EUR", "--started-on", "2025-01-01"], None);
    run(&["member", "add", "mill", "ana", "--role", "steward", "--hourly-rate", "40", "--joined-on", "2025-01-01"], None);
    run(&["account", "add", "ana"], Some("ana-long-password\n"));
    run(&["member", "link", "mill", "ana", "ana"], None);
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(10))).http_status_as_error(false).build().into()
}

fn token(port: u16) -> String {
    let body = serde_json::json!({"name": "load", "username": "ana", "password": "ana-long-password"});
    let mut reply = agent().post(&format!("http://127.0.0.1:{port}/api/v1/tokens")).send_json(&body).unwrap();
    let json: serde_json::Value = reply.body_mut().read_json().unwrap();
    json["token"].as_str().unwrap().to_string()
}

/// Logs one expense whose note is its key. `Some(true)`: answered as recorded; `Some(false)`:
/// answered as refused; `None`: no answer (the server died).
fn write(agent: &ureq::Agent, port: u16, token: &str, key: &str) -> Option<bool> {
    let body = serde_json::json!({"kind": "expense", "amount": "1", "date": "2025-06-01", "note": key});
    let reply = agent
        .post(&format!("http://127.0.0.1:{port}/api/v1/ventures/mill/entries"))
        .header("authorization", &format!("Bearer {token}"))
        .header("idempotency-key", key)
        .send_json(&body);
    match reply {
        Ok(reply) if reply.status() == 201 => Some(true),
        Ok(reply) if reply.status().is_server_error() => None,
        Ok(_) => Some(false),
        Err(_) => None,
    }
}

/// Each entry's note (its key), with how many entries carry it, read through the CLI.
fn recorded(url: &str) -> BTreeMap<String, usize> {
    let output =
        Command::new(env!("CARGO_BIN_EXE_peerstake")).args(["--database-url", url, "ledger", "mill", "--limit", "1000", "--format", "json"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let mut counts = BTreeMap::new();
    let mut after = 0_u64;
    let mut page: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    loop {
        let entries = page["entries"].as_array().unwrap().clone();
        for entry in &entries {
            *counts.entry(entry["note"].as_str().unwrap().to_string()).or_insert(0) += 1;
            after = entry["entry"].as_u64().unwrap();
        }
        if entries.len() < 1000 {
            return counts;
        }
        let next = Command::new(env!("CARGO_BIN_EXE_peerstake"))
            .args(["--database-url", url, "ledger", "mill", "--after", &after.to_string(), "--limit", "1000", "--format", "json"])
            .output()
            .unwrap();
        page = serde_json::from_slice(&next.stdout).unwrap();
    }
}

fn verified(url: &str) {
    let output = Command::new(env!("CARGO_BIN_EXE_peerstake")).args(["--database-url", url, "verify", "--all"]).output().unwrap();
    assert!(output.status.success(), "verify: {}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
}

/// Writers log entries with keys until stopped; the server is killed and started again
/// `kills` times; then every unanswered key is tried again. No answered write may be missing
/// and no key may be recorded twice.
fn survive_kills(url: &str, scratch: &Scratch, kills: usize) {
    set_up(url, scratch);
    let port = port();
    let mut server = Server::start(url, port);
    let token = Arc::new(token(port));
    let answered = Arc::new(Mutex::new(BTreeSet::new()));
    let unanswered = Arc::new(Mutex::new(BTreeSet::new()));
    for round in 0..kills {
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..4)
            .map(|writer| {
                let (stop, token, answered, unanswered) = (Arc::clone(&stop), Arc::clone(&token), Arc::clone(&answered), Arc::clone(&unanswered));
                std::thread::spawn(move || {
                    let agent = agent();
                    let mut n = 0;
                    while !stop.load(Ordering::SeqCst) {
                        let key = format!("r{round}-w{writer}-{n}");
                        n += 1;
                        match write(&agent, port, &token, &key) {
                            Some(true) => answered.lock().unwrap().insert(key),
                            Some(false) => panic!("{key} was refused"),
                            None => unanswered.lock().unwrap().insert(key),
                        };
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(400 + 150 * u64::try_from(round).unwrap()));
        server.kill();
        stop.store(true, Ordering::SeqCst);
        for writer in writers {
            writer.join().unwrap();
        }
        server = Server::start(url, port);
    }
    // Every unanswered request again, with its key: recorded now, or answered from the record.
    let agent = agent();
    for key in unanswered.lock().unwrap().iter() {
        assert_eq!(write(&agent, port, &token, key), Some(true), "{key} on retry");
    }
    drop(server);
    let counts = recorded(url);
    let answered = answered.lock().unwrap();
    assert!(answered.len() > 100, "a real load: {} answered", answered.len());
    let lost: Vec<_> = answered.iter().filter(|key| !counts.contains_key(*key)).collect();
    assert!(lost.is_empty(), "answered but lost: {lost:?}");
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "recorded twice: {twice:?}");
    let unanswered = unanswered.lock().unwrap();
    let tried: BTreeSet<&String> = answered.iter().chain(unanswered.iter()).collect();
    assert_eq!(counts.len(), tried.len(), "every key tried is recorded once, and nothing else");
    verified(url);
}

#[test]
fn a_killed_server_loses_no_answered_write_on_sqlite() {
    let scratch = Scratch::new("kill-sqlite");
    survive_kills(&format!("sqlite://{}", scratch.path("mill.db").display()), &scratch, 3);
}

#[test]
fn a_killed_server_loses_no_answered_write_on_postgres() {
    let Ok(admin) = std::env::var("PEERSTAKE_TEST_POSTGRES_URL") else {
        eprintln!("PEERSTAKE_TEST_POSTGRES_URL is unset: skipping");
        return;
    };
    let name = format!("peerstake_kill_{}", std::process::id());
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
    client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base).to_string();
    let scratch = Scratch::new("kill-postgres");
    survive_kills(&format!("{base}/{name}"), &scratch, 3);
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).unwrap();
}

#[test]
fn a_backup_taken_under_load_holds_every_write_answered_before_it() {
    let scratch = Scratch::new("backup");
    let url = format!("sqlite://{}", scratch.path("live.db").display());
    set_up(&url, &scratch);
    let port = port();
    let server = Server::start(&url, port);
    let token = Arc::new(token(port));
    let answered = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..2)
        .map(|writer| {
            let (stop, token, answered) = (Arc::clone(&stop), Arc::clone(&token), Arc::clone(&answered));
            std::thread::spawn(move || {
                let agent = agent();
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    let key = format!("w{writer}-{n}");
                    n += 1;
                    assert_eq!(write(&agent, port, &token, &key), Some(true), "{key}");
                    answered.lock().unwrap().push((key, Instant::now()));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let began = Instant::now();
    scratch.ok(&["--database-url", &url, "backup", "--output", scratch.path("copy.db").to_str().unwrap()]);
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::SeqCst);
    for writer in writers {
        writer.join().unwrap();
    }
    drop(server);
    let before: Vec<String> = answered.lock().unwrap().iter().filter(|(_, at)| *at < began).map(|(key, _)| key.clone()).collect();
    let after = answered.lock().unwrap().len() - before.len();
    assert!(before.len() > 50 && after > 0, "writes before ({}) and during or after ({after}) the backup", before.len());

    // Restored as a new database, verified there; the live one is left alone.
    let restored = format!("sqlite://{}", scratch.path("restored.db").display());
    let output = scratch.ok(&["--database-url", &restored, "restore", "--input", scratch.path("copy.db").to_str().unwrap()]);
    assert!(output.contains("mill: ok"), "{output}");
    let counts = recorded(&restored);
    let missing: Vec<_> = before.iter().filter(|key| !counts.contains_key(*key)).collect();
    assert!(missing.is_empty(), "answered before the backup began, missing from it: {missing:?}");
    assert!(counts.values().all(|n| *n == 1));
    // A backup never overwrites, and a restore never replaces a database.
    let again = scratch.run(&["--database-url", &url, "backup", "--output", scratch.path("copy.db").to_str().unwrap()]);
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let over = scratch.run(&["--database-url", &restored, "restore", "--input", scratch.path("copy.db").to_str().unwrap()]);
    assert!(!over.status.success() && String::from_utf8_lossy(&over.stderr).contains("exists already"));
    let not_ours = scratch.path("notes.txt");
    std::fs::write(&not_ours, "not a database").unwrap();
    let refused = scratch.run(&["--database-url", &format!("sqlite://{}", scratch.path("x.db").display()), "restore", "--input", not_ours.to_str().unwrap()]);
    assert!(!refused.status.success(), "{}", String::from_utf8_lossy(&refused.stdout));
    assert!(!scratch.path("x.db").exists(), "a refused restore makes nothing");
}

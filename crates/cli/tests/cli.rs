#![allow(clippy::unwrap_used)]

//! Journeys through the `peerstake` binary: what an operator or a script sees.

use std::path::PathBuf;
use std::process::{Command, Output};

struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("peerstake-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch { dir }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_peerstake"))
            .args(args)
            .env("PEERSTAKE_DATABASE_URL", format!("sqlite://{}", self.dir.join("db.sqlite").display()))
            .current_dir(&self.dir)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(output.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn share_sum(json: &serde_json::Value) -> i64 {
    json["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let text = m["share_percent"].as_str().unwrap().replace('.', "");
            text.parse::<i64>().unwrap()
        })
        .sum()
}

#[test]
fn the_demo_journey() {
    let scratch = Scratch::new("demo");
    let text = scratch.ok(&["demo"]);
    assert!(text.contains("Created the demo venture"), "{text}");
    assert!(text.contains("100.00"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&scratch.ok(&["split", "demo", "--format", "json"])).unwrap();
    assert_eq!(json["members"].as_array().unwrap().len(), 6);
    assert_eq!(share_sum(&json), 10_000);
    let hours: serde_json::Value = serde_json::from_str(&scratch.ok(&["split", "demo", "--policy", "hours-only", "--format", "json"])).unwrap();
    assert_eq!(hours["policy"], "hours-only");
    assert_ne!(hours["members"], json["members"]);
    assert!(scratch.ok(&["verify", "demo"]).contains("demo: ok"));
    let csv = scratch.ok(&["ledger", "demo", "--limit", "5", "--format", "csv"]);
    assert_eq!(csv.lines().count(), 6, "{csv}");
    assert!(scratch.ok(&["trace", "demo", "ana"]).contains("= time"));
    assert!(scratch.ok(&["venture", "list"]).contains("Loomworks"));
    assert!(scratch.ok(&["policy", "history", "demo"]).contains("2025-07-01"));
    assert!(scratch.ok(&["demo"]).contains("already exists"));
    // Export, then restore into a fresh database: the same chain head.
    scratch.ok(&["export", "demo", "--output", scratch.path("demo.json").to_str().unwrap()]);
    let other = Scratch::new("restore");
    let restored = other.ok(&["import", "demo", scratch.path("demo.json").to_str().unwrap()]);
    let head = |text: &str| text.split_whitespace().last().unwrap().to_string();
    let list: serde_json::Value = serde_json::from_str(&scratch.ok(&["venture", "list", "--format", "json"])).unwrap();
    assert_eq!(head(&restored), list[0]["chain_head"].as_str().unwrap());
}

#[test]
fn a_new_venture_from_the_command_line() {
    let scratch = Scratch::new("new");
    scratch.ok(&["venture", "create", "kiln", "--name", "Kiln", "--currency", "USD", "--started-on", "2025-01-01"]);
    scratch.ok(&["member", "add", "kiln", "ada", "--role", "steward", "--market-salary", "80000", "--joined-on", "2025-01-01"]);
    scratch.ok(&["member", "add", "kiln", "bo", "--hourly-rate", "40", "--joined-on", "2025-01-01"]);
    let logged = scratch.ok(&["log", "time", "kiln", "--member", "ada", "--hours", "2:30", "--date", "2025-01-02", "--key", "k1", "--format", "json"]);
    let entry: serde_json::Value = serde_json::from_str(&logged).unwrap();
    assert_eq!(entry["entries"][0]["value"], "100.00");
    assert_eq!(entry["entries"][0]["slices"], "200.00");
    // The same key again adds nothing.
    scratch.ok(&["log", "time", "kiln", "--member", "ada", "--hours", "2:30", "--date", "2025-01-02", "--key", "k1"]);
    scratch.ok(&["log", "expense", "kiln", "--member", "bo", "--amount", "25", "--date", "2025-01-03"]);
    let split: serde_json::Value = serde_json::from_str(&scratch.ok(&["split", "kiln", "--format", "json"])).unwrap();
    assert_eq!(split["total_slices"], "300.00");
    assert_eq!(share_sum(&split), 10_000);
    scratch.ok(&["reverse", "kiln", "2", "--reason", "wrong member"]);
    let split: serde_json::Value = serde_json::from_str(&scratch.ok(&["split", "kiln", "--format", "json"])).unwrap();
    assert_eq!(split["total_slices"], "200.00");
    std::fs::write(scratch.path("policy.toml"), "preset = \"slicing-pie\"\nmultiplier_cash = \"3\"\n").unwrap();
    scratch.ok(&["policy", "set", "kiln", scratch.path("policy.toml").to_str().unwrap(), "--from", "2025-02-01"]);
    assert!(scratch.ok(&["policy", "show", "kiln", "--on", "2025-02-02"]).contains("multiplier_cash = \"3\""));
}

fn refused(scratch: &Scratch, args: &[&str], code: &str) -> String {
    let output = scratch.run(args);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(!output.status.success(), "{args:?} should fail");
    assert!(stderr.starts_with(&format!("error[{code}]")), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one clear line: {stderr}");
    stderr
}

#[test]
fn errors_are_one_line_with_a_code_and_write_nothing() {
    let scratch = Scratch::new("errors");
    scratch.ok(&["venture", "create", "kiln", "--name", "Kiln", "--started-on", "2025-01-01"]);
    scratch.ok(&["member", "add", "kiln", "ada", "--hourly-rate", "40", "--joined-on", "2025-01-01"]);
    refused(&scratch, &["log", "expense", "kiln", "--member", "ada", "--amount=-3"], "negative_amount");
    refused(&scratch, &["log", "expense", "kiln", "--member", "zed", "--amount", "3"], "not_found");
    refused(&scratch, &["log", "expense", "kiln", "--member", "ada", "--amount", "3", "--date", "2999-01-01"], "date_out_of_range");
    refused(&scratch, &["log", "expense", "kiln", "--member", "ada", "--amount", "99999999999999999999"], "amount_too_large");
    refused(&scratch, &["venture", "create", "kiln", "--name", "Again"], "already_exists");
    refused(&scratch, &["split", "nowhere"], "not_found");
    let bad = "date,member,kind,amount\n2025-01-02,ada,expense,5\n2025-01-03,ada,expense,five\n";
    std::fs::write(scratch.path("bad.csv"), bad).unwrap();
    let message = refused(&scratch, &["import", "kiln", scratch.path("bad.csv").to_str().unwrap()], "invalid_amount");
    assert!(message.contains("line 3"), "{message}");
    let ledger = scratch.ok(&["ledger", "kiln", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&ledger).unwrap();
    assert_eq!(json["entries"].as_array().unwrap().len(), 0, "nothing was written");
    assert!(scratch.ok(&["verify", "--all"]).contains("kiln: ok"));
}

#[test]
fn review_proposals_and_recurring_from_the_command_line() {
    let scratch = Scratch::new("review");
    std::fs::write(scratch.path("review.toml"), "review = \"stewards\"\n").unwrap();
    let policy = scratch.path("review.toml");
    scratch.ok(&["venture", "create", "kiln", "--name", "Kiln", "--currency", "EUR", "--policy", policy.to_str().unwrap(), "--started-on", "2025-01-01"]);
    scratch.ok(&["member", "add", "kiln", "ada", "--role", "steward", "--hourly-rate", "50", "--joined-on", "2025-01-01"]);
    scratch.ok(&["member", "add", "kiln", "bo", "--hourly-rate", "40", "--joined-on", "2025-01-01"]);
    scratch.ok(&["log", "time", "kiln", "--member", "bo", "--by", "bo", "--hours", "3", "--date", "2025-01-02"]);
    assert!(scratch.ok(&["review", "queue", "kiln"]).contains("pending"));
    refused(&scratch, &["review", "approve", "kiln", "1", "--by", "bo"], "own_entry");
    refused(&scratch, &["review", "dispute", "kiln", "1", "--by", "ada"], "invalid_input");
    scratch.ok(&["review", "dispute", "kiln", "1", "--by", "ada", "--reason", "It was 2 hours"]);
    let amended =
        scratch.ok(&["amend", "--entry", "1", "--reason", "2 hours", "time", "kiln", "--member", "bo", "--by", "bo", "--hours", "2", "--date", "2025-01-02"]);
    assert!(amended.contains("entry #4 amends entry #1"), "{amended}");
    assert!(scratch.ok(&["review", "approve", "kiln", "4", "--by", "ada"]).contains("now counted"));
    let split: serde_json::Value = serde_json::from_str(&scratch.ok(&["split", "kiln", "--format", "json"])).unwrap();
    assert_eq!(split["total_slices"], "160.00");
    assert!(scratch.ok(&["review", "show", "kiln", "1"]).contains("amended by entry #4"));

    // Bo proposes hours-only; Ada, the only steward, adopts it.
    assert!(scratch.ok(&["proposal", "propose", "kiln", "--by", "bo", "--policy", "hours-only", "--effective-from", "2099-01-01"]).contains("open"));
    refused(&scratch, &["proposal", "vote", "kiln", "1", "--by", "ada", "--choice", "maybe"], "invalid_input");
    assert!(scratch.ok(&["proposal", "vote", "kiln", "1", "--by", "ada", "--choice", "for"]).contains("adopted"));

    // A weekly contribution until the end of March: its periods are drafted; one is confirmed.
    scratch.ok(&["recurring", "add", "--cadence", "weekly", "--from", "2025-03-03", "--until", "2025-03-31", "time", "kiln", "--member", "bo", "--hours", "5"]);
    assert!(scratch.ok(&["recurring", "run", "kiln"]).contains("period(s) drafted"));
    let listed = scratch.ok(&["recurring", "list", "kiln"]);
    assert!(listed.contains("waiting: #1 2025-03-03"), "{listed}");
    assert!(scratch.ok(&["recurring", "confirm", "kiln", "1", "--period", "2025-03-03", "--by", "bo"]).contains("logged"));
    refused(&scratch, &["recurring", "confirm", "kiln", "1", "--period", "2025-03-03"], "invalid_input");
    scratch.ok(&["recurring", "stop", "kiln", "1"]);
    let verified = scratch.ok(&["verify", "kiln"]);
    assert!(verified.contains("ok") || verified.contains("verified"), "{verified}");
}

#[test]
fn comments_and_activity_from_the_command_line() {
    let scratch = Scratch::new("talk");
    scratch.ok(&["venture", "create", "kiln", "--name", "Kiln", "--started-on", "2025-01-01"]);
    scratch.ok(&["member", "add", "kiln", "ada", "--role", "steward", "--hourly-rate", "40", "--joined-on", "2025-01-01"]);
    scratch.ok(&["member", "add", "kiln", "bo", "--hourly-rate", "40", "--joined-on", "2025-01-01"]);
    scratch.ok(&["log", "time", "kiln", "--member", "ada", "--hours", "2", "--date", "2025-01-02", "--note", "Glaze tests"]);

    let added = scratch.ok(&["comment", "add", "kiln", "--on", "entry:1", "--as", "bo", "Which glazes?", "--format", "json"]);
    let added: serde_json::Value = serde_json::from_str(&added).unwrap();
    assert_eq!((added[0]["id"].as_u64(), added[0]["author"].as_str()), (Some(1), Some("bo")));
    scratch.ok(&["comment", "add", "kiln", "--on", "entry:1", "--as", "ada", "--reply-to", "1", "The blue ones"]);
    scratch.ok(&["comment", "add", "kiln", "--on", "member:bo", "--as", "ada", "Welcome"]);
    refused(&scratch, &["comment", "edit", "kiln", "1", "--as", "ada", "Rewritten"], "forbidden");
    refused(&scratch, &["comment", "add", "kiln", "--on", "entry:9", "--as", "bo", "x"], "not_found");
    refused(&scratch, &["comment", "add", "kiln", "--on", "member:zed", "--as", "bo", "x"], "not_found");
    refused(&scratch, &["comment", "add", "kiln", "--on", "entry:1", "--as", "zed", "x"], "not_found");
    refused(&scratch, &["comment", "add", "kiln", "--on", "nothing", "--as", "bo", "x"], "invalid_input");
    refused(&scratch, &["comment", "add", "kiln", "--on", "member:bo", "--as", "bo", "--reply-to", "1", "x"], "invalid_input");
    refused(&scratch, &["comment", "add", "kiln", "--on", "entry:1", "--as", "bo", "  "], "invalid_input");
    scratch.ok(&["comment", "edit", "kiln", "1", "--as", "bo", "Which glazes, and which kiln?"]);

    let list = scratch.ok(&["comment", "list", "kiln", "--on", "entry:1"]);
    assert!(list.contains("Which glazes, and which kiln?") && list.contains("v2") && list.contains("The blue ones"), "{list}");
    assert_eq!(list.lines().count(), 4, "a header, a rule and two comments: {list}");
    let versions = scratch.ok(&["comment", "versions", "kiln", "1", "--format", "json"]);
    let versions: serde_json::Value = serde_json::from_str(&versions).unwrap();
    assert_eq!(
        versions.as_array().unwrap().iter().map(|v| v["body"].as_str().unwrap()).collect::<Vec<_>>(),
        ["Which glazes?", "Which glazes, and which kiln?"]
    );

    let activity = scratch.ok(&["activity", "kiln", "--format", "json"]);
    let activity: serde_json::Value = serde_json::from_str(&activity).unwrap();
    let kinds: Vec<&str> = activity["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "comment").count(), 3);
    assert!(kinds.contains(&"entry") && kinds.iter().filter(|k| **k == "joined").count() == 2, "{kinds:?}");
    let first_page = scratch.ok(&["activity", "kiln", "--limit", "2"]);
    let cursor = first_page.lines().last().unwrap().strip_prefix("older: --before ").unwrap().to_string();
    let rest = scratch.ok(&["activity", "kiln", "--before", &cursor, "--format", "json"]);
    let rest: serde_json::Value = serde_json::from_str(&rest).unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 4);
    refused(&scratch, &["activity", "kiln", "--limit", "500"], "invalid_input");
}

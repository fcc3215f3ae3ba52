#![allow(clippy::unwrap_used)]

//! Journeys through the `peerstake` binary: what an operator or a script sees.

use std::path::PathBuf;
use std::process::{Command, Output};

mod durability;

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
            // Errors are one line on standard error whatever the caller's log settings.
            .env_remove("RUST_LOG")
            .env_remove("PEERSTAKE_LOG_FORMAT")
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
    scratch.ok(&[
        "recurring",
        "add",
        "--cadence",
        "weekly",
        "--starts-on",
        "2025-03-03",
        "--until",
        "2025-03-31",
        "time",
        "kiln",
        "--member",
        "bo",
        "--hours",
        "5",
    ]);
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

#[test]
fn pooled_capital_and_lent_goods_from_the_command_line() {
    let scratch = Scratch::new("capital");
    let json = |args: &[&str]| -> serde_json::Value { serde_json::from_str(&scratch.ok(args)).unwrap() };
    // The binary dates what it records today (UTC): the dates here are around today.
    let today = time::OffsetDateTime::now_utc().date();
    let day = |offset: i64| (today + time::Duration::days(offset)).to_string();
    scratch.ok(&["venture", "create", "kiln", "--name", "Kiln", "--currency", "EUR", "--started-on", &day(-30)]);
    scratch.ok(&["member", "add", "kiln", "ada", "--role", "steward", "--hourly-rate", "40", "--joined-on", &day(-30)]);
    for username in ["bea", "cy", "dan"] {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_peerstake"))
            .args(["account", "add", username])
            .env("PEERSTAKE_DATABASE_URL", format!("sqlite://{}", scratch.dir.join("db.sqlite").display()))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"a long enough password\n").unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }

    // Three months of studio rent, pledged by three people; the last pledge is lowered to what
    // was still lacking, and meeting the goal pays every pledge into the well at once.
    let need = json(&[
        "need",
        "publish",
        "kiln",
        "--title",
        "Studio rent",
        "--amount",
        "100",
        "--cadence",
        "monthly",
        "--periods",
        "3",
        "--deadline",
        &day(30),
        "--by",
        "ada",
        "--format",
        "json",
    ]);
    assert_eq!((need[0]["number"].as_u64(), need[0]["goal"].as_str(), need[0]["status"].as_str()), (Some(1), Some("300.00"), Some("open")));
    let first = json(&["pledge", "kiln", "--need", "1", "--as", "bea", "--amount", "100", "--format", "json"]);
    assert_eq!(
        (first["pledge"]["status"].as_str(), first["need"]["covered"].as_str(), first["need"]["percent"].as_u64()),
        (Some("held"), Some("100.00"), Some(33))
    );
    scratch.ok(&["pledge", "kiln", "--need", "1", "--as", "cy", "--amount", "120"]);
    let last = json(&["pledge", "kiln", "--need", "1", "--as", "dan", "--amount", "150", "--format", "json"]);
    assert_eq!(
        (last["pledge"]["asked"].as_str(), last["pledge"]["amount"].as_str(), last["pledge"]["capped"].as_bool()),
        (Some("150.00"), Some("80.00"), Some(true))
    );
    assert_eq!((last["need"]["status"].as_str(), last["need"]["backers"].as_u64()), (Some("met"), Some(3)));
    assert_eq!(last["posted"], serde_json::json!([1, 2, 3]));
    refused(&scratch, &["pledge", "kiln", "--need", "1", "--as", "bea", "--amount", "5"], "invalid_input");

    let well = json(&["well", "kiln", "--format", "json"]);
    assert_eq!((well["balance"].as_str(), well["deposited"].as_str()), (Some("300.00"), Some("300.00")));
    let balances: Vec<(&str, &str)> =
        well["depositors"].as_array().unwrap().iter().map(|d| (d["member"].as_str().unwrap(), d["balance"].as_str().unwrap())).collect();
    assert_eq!(balances, [("bea", "100.00"), ("cy", "120.00"), ("dan", "80.00")]);

    // Paying half the need from the well: a withdrawal shared pro rata, cash slices at ×4.
    let paid = json(&["need", "pay", "kiln", "1", "--amount", "150", "--by", "ada", "--format", "json"]);
    assert_eq!((paid["entries"][0]["kind"].as_str(), paid["entries"][0]["value"].as_str()), (Some("withdrawal"), Some("150.00")));
    let split = json(&["split", "kiln", "--format", "json"]);
    let cash: Vec<(&str, &str)> =
        split["members"].as_array().unwrap().iter().filter_map(|m| Some((m["member"].as_str()?, m["slices_by_kind"]["cash"].as_str()?))).collect();
    assert_eq!(cash, [("bea", "200.00"), ("cy", "240.00"), ("dan", "160.00")]);
    let bea = json(&["well", "kiln", "--member", "bea", "--format", "json"]);
    assert_eq!((bea["member"]["balance"].as_str(), bea["spent"].as_str(), bea["slices"].as_str()), (Some("50.00"), Some("50.00"), Some("200.00")));
    let needs = json(&["need", "list", "kiln", "--format", "json"]);
    assert_eq!((needs[0]["paid"].as_str(), needs[0]["posted"].as_str()), (Some("150.00"), Some("300.00")));

    // Bea lends her desk: booked, accepted by her, half a month used, confirmed by her.
    let good = json(&[
        "goods",
        "register",
        "--as",
        "bea",
        "--kind",
        "desk",
        "--description",
        "Standing desk",
        "--currency",
        "EUR",
        "--rate",
        "100",
        "--unit",
        "month",
        "--format",
        "json",
    ]);
    assert_eq!((good[0]["id"].as_i64(), good[0]["owner"].as_str(), good[0]["rate"].as_str()), (Some(1), Some("bea"), Some("100.00")));
    let booked =
        json(&["booking", "request", "kiln", "--good", "1", "--from", &day(-10), "--until", &day(19), "--planned", "1", "--by", "ada", "--format", "json"]);
    assert_eq!((booked[0]["status"].as_str(), booked[0]["value"].as_str()), (Some("requested"), Some("100.00")));
    refused(&scratch, &["booking", "accept", "kiln", "1", "--as", "cy"], "forbidden");
    let accepted = json(&["booking", "accept", "kiln", "1", "--as", "bea", "--format", "json"]);
    assert_eq!(accepted[0]["status"], "accepted");

    // An overlapping booking is refused and writes nothing.
    let before = (scratch.ok(&["booking", "list", "kiln", "--format", "json"]), scratch.ok(&["ledger", "kiln", "--format", "json"]));
    let message = refused(&scratch, &["booking", "request", "kiln", "--good", "1", "--from", &day(0), "--until", &day(40), "--planned", "1"], "already_exists");
    assert!(message.contains("booking #1 of kiln"), "{message}");
    assert_eq!((scratch.ok(&["booking", "list", "kiln", "--format", "json"]), scratch.ok(&["ledger", "kiln", "--format", "json"])), before);

    let used = json(&["booking", "use", "kiln", "1", "--date", &day(-2), "--units", "0.5", "--fee-paid", "20", "--by", "ada", "--format", "json"]);
    assert_eq!((used[0]["status"].as_str(), used[0]["value"].as_str(), used[0]["fee_paid"].as_str()), (Some("logged"), Some("50.00"), Some("20.00")));
    let inbox = json(&["goods", "inbox", "--as", "bea", "--format", "json"]);
    assert_eq!((inbox["bookings"].as_array().unwrap().len(), inbox["usages"][0]["number"].as_u64()), (0, Some(1)));
    let confirmed = json(&["usage", "confirm", "kiln", "1", "--as", "bea", "--format", "json"]);
    assert_eq!((confirmed[0]["status"].as_str(), confirmed[0]["entry"].as_u64()), (Some("confirmed"), Some(5)));
    // (50.00 − 20.00 fee) × 2 for non-cash.
    let split = json(&["split", "kiln", "--format", "json"]);
    let bea = split["members"].as_array().unwrap().iter().find(|m| m["member"] == "bea").unwrap();
    assert_eq!((bea["slices_by_kind"]["capital-use"].as_str(), bea["slices"].as_str()), (Some("60.00"), Some("260.00")));
    let costs = json(&["costs", "kiln", "--format", "json"]);
    assert_eq!(costs["needs"][0]["cash"], "150.00");
    let totals: Vec<(&str, &str, &str)> = costs["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["member"].as_str().unwrap(), s["cash"].as_str().unwrap(), s["goods"].as_str().unwrap()))
        .collect();
    assert_eq!(totals, [("bea", "50.00", "30.00"), ("cy", "60.00", "0.00"), ("dan", "40.00", "0.00")]);
    assert!(scratch.ok(&["verify", "kiln"]).contains("kiln: ok"));
}

#[test]
fn departures_freezes_and_payouts_from_the_command_line() {
    let scratch = Scratch::new("lifecycle");
    let json = |args: &[&str]| -> serde_json::Value { serde_json::from_str(&scratch.ok(args)).unwrap() };
    let entries = || json(&["ledger", "kiln", "--format", "json"])["entries"].as_array().unwrap().len();
    // The binary dates what it records today (UTC): contributions are dated before it.
    let today = time::OffsetDateTime::now_utc().date();
    let day = |offset: i64| (today + time::Duration::days(offset)).to_string();
    scratch.ok(&["venture", "create", "kiln", "--name", "Kiln", "--currency", "EUR", "--started-on", &day(-30)]);
    for (handle, role, rate) in [("ada", "steward", "40"), ("bo", "member", "40"), ("cy", "member", "30"), ("dan", "member", "50")] {
        scratch.ok(&["member", "add", "kiln", handle, "--role", role, "--hourly-rate", rate, "--joined-on", &day(-30)]);
    }
    // Slices: ada 20 h × 40 × 2 = 1600; bo 10 h × 40 × 2 = 800 and an expense of 50 × 4 = 200;
    // cy 10 h × 30 × 2 = 600; dan 8 h × 50 × 2 = 800.
    scratch.ok(&["log", "time", "kiln", "--member", "ada", "--hours", "20", "--date", &day(-10)]);
    scratch.ok(&["log", "time", "kiln", "--member", "bo", "--hours", "10", "--date", &day(-10)]);
    scratch.ok(&["log", "expense", "kiln", "--member", "bo", "--amount", "50", "--date", &day(-10)]);
    scratch.ok(&["log", "time", "kiln", "--member", "cy", "--hours", "10", "--date", &day(-10)]);
    scratch.ok(&["log", "time", "kiln", "--member", "dan", "--hours", "8", "--date", &day(-10)]);
    assert_eq!(entries(), 5);

    // A bad leaver, previewed: time is lost, the expense kept at ×1; nothing is written.
    let bad = ["depart", "kiln", "bo", "--case", "fired-for-good-reason", "--why", "Took the client list", "--by", "ada"];
    let preview = json(&[&bad[..], &["--preview", "--format", "json"]].concat());
    assert_eq!(preview["preview"], true);
    assert_eq!((preview["slices_before"].as_str(), preview["slices_after"].as_str()), (Some("1000.00"), Some("50.00")));
    let buckets: Vec<(&str, &str, &str, &str)> = preview["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (b["kind"].as_str().unwrap(), b["treatment"].as_str().unwrap(), b["before"]["slices"].as_str().unwrap(), b["after"]["slices"].as_str().unwrap())
        })
        .collect();
    assert_eq!(buckets, [("time", "lost", "800.00", "0.00"), ("expense", "kept at ×1", "200.00", "50.00")]);
    assert_eq!((preview["entries_adjusted"].clone(), preview["buyout_price"].as_str()), (serde_json::json!([2, 3]), Some("50.00")));
    let table = scratch.ok(&[&bad[..], &["--preview"]].concat());
    assert!(table.contains("Preview, nothing written") && table.contains("Slices: 1000.00 before, 50.00 after."), "{table}");
    assert_eq!(entries(), 5, "a preview writes nothing");
    assert_eq!(json(&["departures", "kiln", "--format", "json"]), serde_json::json!([]));

    let departed = json(&[&bad[..], &["--format", "json"]].concat());
    assert_eq!((departed["number"].as_u64(), departed["entry"].as_u64(), departed["slices_after"].as_str()), (Some(1), Some(6), Some("50.00")));
    // Their buyout is forced: final at once, and what they kept leaves the pie.
    let forced = json(&["buyout", "offer", "kiln", "bo", "--by", "ada", "--format", "json"]);
    assert_eq!(
        (forced[0]["forced"].as_bool(), forced[0]["status"].as_str(), forced[0]["amount"].as_str(), forced[0]["entry"].as_u64()),
        (Some(true), Some("accepted"), Some("50.00"), Some(7))
    );

    // A good leaver keeps everything; dan buys their slices, and they accept.
    let good = json(&["depart", "kiln", "cy", "--case", "resigned-for-good-reason", "--why", "Moving abroad", "--by", "ada", "--format", "json"]);
    assert_eq!((good["bad_leaver"].as_bool(), good["slices_before"].as_str(), good["slices_after"].as_str()), (Some(false), Some("600.00"), Some("600.00")));
    let offered = json(&["buyout", "offer", "kiln", "cy", "--buyer", "dan", "--by", "ada", "--key", "offer-cy", "--format", "json"]);
    assert_eq!((offered[0]["number"].as_u64(), offered[0]["status"].as_str(), offered[0]["amount"].as_str()), (Some(2), Some("offered"), Some("600.00")));
    refused(&scratch, &["buyout", "accept", "kiln", "2", "--by", "dan"], "forbidden");
    let accepted = json(&["buyout", "accept", "kiln", "2", "--by", "cy", "--format", "json"]);
    assert_eq!((accepted[0]["status"].as_str(), accepted[0]["entry"].as_u64()), (Some("accepted"), Some(9)));
    assert!(accepted[0]["clawback_until"].as_str().unwrap().starts_with(&(today.year() + 1).to_string()), "{accepted}");
    let buyouts = scratch.ok(&["buyout", "list", "kiln", "--format", "csv"]);
    assert_eq!(buyouts.lines().count(), 3, "{buyouts}");
    // Read back after the buyouts, each departure still shows its own before and after.
    let listed = json(&["departures", "kiln", "--format", "json"]);
    let figures: Vec<(&str, &str, &str)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["member"].as_str().unwrap(), d["slices_before"].as_str().unwrap(), d["slices_after"].as_str().unwrap()))
        .collect();
    assert_eq!(figures, [("bo", "1000.00", "50.00"), ("cy", "600.00", "600.00")]);
    assert_eq!(json(&["split", "kiln", "--format", "json"])["total_slices"], "3000.00");

    // Ada hands the steward role to dan.
    scratch.ok(&["handover", "propose", "kiln", "--from", "ada", "--to", "dan", "--message", "Over to you"]);
    let handed = json(&["handover", "accept", "kiln", "1", "--by", "dan", "--note", "Gladly", "--format", "json"]);
    assert_eq!(handed[0]["status"], "accepted");
    let stewards = json(&["stewards", "kiln", "--format", "json"]);
    assert_eq!((stewards["stewards"].clone(), stewards["adoptable"]["open"].as_bool()), (serde_json::json!(["dan"]), Some(false)));

    // Income, then a freeze by the only steward: frozen at once.
    scratch.ok(&["income", "record", "kiln", "--amount", "1000", "--note", "First client", "--by", "dan", "--key", "income-1"]);
    scratch.ok(&["income", "record", "kiln", "--amount", "1000", "--note", "First client", "--by", "dan", "--key", "income-1"]);
    let income = json(&["income", "list", "kiln", "--format", "json"]);
    assert_eq!((income["incomes"].as_array().unwrap().len(), income["undistributed"].as_str()), (1, Some("1000.00")));
    let frozen = json(&["freeze", "propose", "kiln", "--by", "dan", "--reason", "break-even", "--total-shares", "1000", "--format", "json"]);
    assert_eq!((frozen["status"].as_str(), frozen["head_seq"].as_u64()), (Some("frozen"), Some(9)));
    let cap: Vec<(&str, &str, i64)> = frozen["cap_table"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["member"].as_str().unwrap(), l["slices"].as_str().unwrap(), l["shares"].as_i64().unwrap()))
        .collect();
    assert_eq!(cap, [("ada", "1600.00", 533), ("dan", "1400.00", 467)]);
    assert_eq!(cap.iter().map(|(_, _, shares)| shares).sum::<i64>(), 1000);
    assert!(scratch.ok(&["freeze", "show", "kiln", "1"]).contains("Cap table: 1000 whole shares"));

    // A distribution by the cap table, exact to the cent; a preview writes nothing, and a retry
    // with the same key pays nothing twice.
    let preview = json(&["distribute", "kiln", "--amount", "333.33", "--by", "dan", "--preview", "--format", "json"]);
    assert_eq!((preview["posted"].as_bool(), preview["basis"].as_str()), (Some(false), Some("cap-table")));
    assert_eq!(json(&["distributions", "kiln", "--format", "json"]), serde_json::json!([]));
    let pay = ["distribute", "kiln", "--amount", "333.33", "--by", "dan", "--idempotency-key", "d1", "--format", "json"];
    let paid = json(&pay);
    let payouts: Vec<(&str, &str)> =
        paid["payouts"].as_array().unwrap().iter().map(|p| (p["member"].as_str().unwrap(), p["amount"].as_str().unwrap())).collect();
    assert_eq!(payouts, [("ada", "177.66"), ("dan", "155.67")]);
    let cents: i64 = payouts.iter().map(|(_, amount)| amount.replace('.', "").parse::<i64>().unwrap()).sum();
    assert_eq!(cents, 33_333, "the payouts add up to the amount exactly");
    assert_eq!(json(&pay)["number"], paid["number"]);
    assert_eq!(json(&["distributions", "kiln", "--format", "json"]).as_array().unwrap().len(), 1);
    assert!(scratch.ok(&["distributions", "kiln", "1"]).contains("333.33"));

    // Statements: what each holds and received, and the good leaver's claw-back window.
    let statements = json(&["statement", "kiln", "--format", "json"]);
    let received: Vec<(&str, &str)> = statements.as_array().unwrap().iter().map(|s| (s["member"].as_str().unwrap(), s["received"].as_str().unwrap())).collect();
    assert_eq!(received, [("ada", "177.66"), ("bo", "0.00"), ("cy", "0.00"), ("dan", "155.67")]);
    let cy = json(&["statement", "kiln", "cy", "--format", "json"]);
    assert_eq!(
        (cy["departure_case"].as_str(), cy["buyouts"][0]["number"].as_u64(), cy["clawbacks"][0]["buyout"].as_u64()),
        (Some("resigned-for-good-reason"), Some(2), Some(2))
    );
    assert!(scratch.ok(&["statement", "kiln"]).contains("Owed under claw-back"));

    // Exports for spreadsheets.
    let csv = scratch.ok(&["report", "export", "kiln", "cap-table", "--format", "csv"]);
    assert!(csv.starts_with("member,name,slices,shares,percent"), "{csv}");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    scratch.ok(&["report", "export", "kiln", "distributions", "--format", "csv", "--out", scratch.path("payouts.csv").to_str().unwrap()]);
    let file = std::fs::read_to_string(scratch.path("payouts.csv")).unwrap();
    assert!(file.starts_with("distribution,paid_on,basis,member") && file.lines().count() == 3, "{file}");
    assert!(scratch.ok(&["verify", "kiln"]).contains("kiln: ok"));

    // Bad input: one line with a code, exit code 2, nothing changed.
    let state = || {
        (
            scratch.ok(&["ledger", "kiln", "--format", "json"]),
            scratch.ok(&["departures", "kiln", "--format", "json"]),
            scratch.ok(&["distributions", "kiln", "--format", "json"]),
            scratch.ok(&["income", "list", "kiln", "--format", "json"]),
        )
    };
    let before = state();
    for (args, code) in [
        (vec!["depart", "kiln", "ada", "--case", "quit", "--why", "Bored", "--by", "dan"], "invalid_input"),
        (vec!["distribute", "kiln", "--amount", "666.68", "--by", "dan"], "invalid_input"),
        (vec!["freeze", "propose", "kiln", "--by", "dan", "--reason", "break-even"], "already_exists"),
    ] {
        let message = refused(&scratch, &args, code);
        assert_eq!(scratch.run(&args).status.code(), Some(2), "{args:?}");
        if args[0] == "distribute" {
            assert!(message.contains("666.67"), "{message}");
        }
    }
    assert_eq!(state(), before);
    assert!(scratch.ok(&["verify", "kiln"]).contains("kiln: ok"));
}

/// The one error form, `error[code]: message` on one line and exit 2, for the parser's refusals
/// too; numbers read in the venture's format or the one named; periods of work.
#[test]
fn errors_are_one_line_and_numbers_are_read_as_written() {
    let scratch = Scratch::new("figures");
    let failed = |args: &[&str], code: &str| -> String {
        let output = scratch.run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(stderr.starts_with(&format!("error[{code}]: ")), "{stderr}");
        stderr
    };
    failed(&["--no-such-flag"], "usage");
    failed(&["log"], "usage");
    failed(&["venture", "create"], "usage");
    scratch.ok(&["venture", "create", "kiln", "--name", "Kiln", "--started-on", "2025-01-01"]);
    scratch.ok(&["member", "add", "kiln", "bo", "--name", "Bo", "--hourly-rate", "50", "--joined-on", "2025-01-01"]);
    failed(&["log", "time", "kiln", "--member", "bo", "--hours", "-2", "--date", "2025-02-01"], "negative_amount");
    // 12,50 where numbers are written 1,234.56: refused with both readings, nothing written.
    let message = failed(&["log", "expense", "kiln", "--member", "bo", "--amount", "12,50", "--date", "2025-02-01"], "invalid_amount");
    assert!(message.contains("12.50 for twelve and a half"), "{message}");
    // Named on the command line, or the venture's own.
    scratch.ok(&["--number-format", "1.234,56", "log", "expense", "kiln", "--member", "bo", "--amount", "12,50", "--date", "2025-02-01"]);
    scratch.ok(&["venture", "numbers", "kiln", "de"]);
    scratch.ok(&["log", "time", "kiln", "--member", "bo", "--hours", "1,5", "--date", "2025-02-02"]);
    failed(&["venture", "numbers", "kiln", "1.234.56"], "invalid_input");
    // A day holds 24 hours; a period more.
    failed(&["log", "time", "kiln", "--member", "bo", "--hours", "40", "--date", "2025-02-09"], "amount_too_large");
    scratch.ok(&["log", "time", "kiln", "--member", "bo", "--hours", "40", "--from", "2025-02-03", "--to", "2025-02-09"]);
    let ledger: serde_json::Value = serde_json::from_str(&scratch.ok(&["ledger", "kiln", "--format", "json"])).unwrap();
    let entries = ledger["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{ledger}");
    assert_eq!((entries[0]["value"].as_str(), entries[1]["value"].as_str()), (Some("12.50"), Some("75.00")));
    assert_eq!((entries[2]["from"].as_str(), entries[2]["date"].as_str()), (Some("2025-02-03"), Some("2025-02-09")));
    let ventures: serde_json::Value = serde_json::from_str(&scratch.ok(&["venture", "list", "--format", "json"])).unwrap();
    assert_eq!((ventures[0]["number_format"].as_str(), ventures[0]["slice_decimals"].as_u64()), (Some("1.234,56"), Some(2)));
    failed(&["log", "expense", "kiln", "--member", "bo", "--amount", "5", "--date", "2024-12-31"], "date_out_of_range");
}

/// Log lines go to standard error, for people or as JSON objects, filtered by RUST_LOG; every
/// command runs in a span and says at debug level how long it took; standard output keeps the
/// results alone, and at the default level a command that succeeds logs nothing.
#[test]
fn commands_log_to_standard_error_for_people_or_as_json() {
    let scratch = Scratch::new("logs");
    let logged = |log_format: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_peerstake"))
            .args(["--log-format", log_format, "venture", "list", "--format", "json"])
            .env("PEERSTAKE_DATABASE_URL", format!("sqlite://{}", scratch.dir.join("db.sqlite").display()))
            .env("RUST_LOG", "debug")
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap(), serde_json::json!([]));
        String::from_utf8(output.stderr).unwrap()
    };
    let lines: Vec<serde_json::Value> = logged("json").lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let finished = lines.iter().find(|line| line["fields"]["message"] == "command finished").unwrap();
    assert_eq!((finished["level"].as_str(), finished["span"]["command"].as_str()), (Some("DEBUG"), Some("venture list")));
    assert_eq!(finished["fields"]["result"], "ok");
    assert!(finished["fields"]["elapsed_ms"].as_f64().is_some(), "{finished}");
    let human = logged("human");
    assert!(human.contains("command finished") && human.contains("command=venture list") && !human.starts_with('{'), "{human}");
    let quiet = scratch.run(&["venture", "list"]);
    assert!(quiet.status.success() && quiet.stderr.is_empty(), "{}", String::from_utf8_lossy(&quiet.stderr));
}

/// Whether a spreadsheet could take `cell` for a formula: it starts with `=`, `+`, `-`, `@`, tab
/// or CR and is not a plain negative number (`-12.50`).
fn could_run(cell: &str) -> bool {
    let plain_negative = cell.strip_prefix('-').is_some_and(|n| {
        let (whole, fraction) = n.split_once('.').unwrap_or((n, "0"));
        [whole, fraction].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    });
    cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !plain_negative
}

/// The rows of CSV output, each cell checked: none may run as a formula.
fn csv_rows(scratch: &Scratch, args: &[&str]) -> Vec<Vec<String>> {
    let text = scratch.ok(args);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    for cell in rows.iter().flatten() {
        assert!(!could_run(cell), "{args:?}: the cell {cell:?} could run as a formula:\n{text}");
    }
    rows
}

/// The cells of the column headed `header`.
fn column<'a>(rows: &'a [Vec<String>], header: &str) -> Vec<&'a str> {
    let at = rows[0].iter().position(|h| h == header).unwrap_or_else(|| panic!("no {header} in {:?}", rows[0]));
    rows.iter().skip(1).map(|row| row[at].as_str()).collect()
}

#[test]
fn csv_output_cannot_carry_spreadsheet_formulas() {
    let scratch = Scratch::new("csv-formulas");
    scratch.ok(&["venture", "create", "kiln", "--name", "Kiln", "--currency", "USD", "--started-on", "2025-01-01"]);
    for (handle, name) in [("ada", "=HYPERLINK(\"http://evil\")"), ("bo", "+1"), ("cy", "@SUM(1)")] {
        scratch.ok(&["member", "add", "kiln", handle, "--name", name, "--hourly-rate", "40", "--joined-on", "2025-01-01"]);
    }
    for (member, note) in [("ada", "=HYPERLINK(\"http://evil\")"), ("bo", "+1"), ("cy", "@SUM(1)"), ("ada", "\tx")] {
        scratch.ok(&["log", "expense", "kiln", "--member", member, "--amount", "12.50", "--date", "2025-01-03", "--note", note]);
    }
    scratch.ok(&["reverse", "kiln", "4", "--reason", "=1+2 typed by mistake"]);
    let names = ["'=HYPERLINK(\"http://evil\")", "'+1", "'@SUM(1)"];

    let ledger = csv_rows(&scratch, &["ledger", "kiln", "--format", "csv"]);
    let notes = column(&ledger, "note");
    for note in names.iter().chain(&["'\tx"]) {
        assert!(notes.contains(note), "{note} in {notes:?}");
    }
    // The reversal takes back 12.50: a negative amount, left a number.
    assert!(column(&ledger, "value").contains(&"-12.50"), "{ledger:?}");

    for args in [
        &["member", "list", "kiln", "--format", "csv"][..],
        &["split", "kiln", "--format", "csv"],
        &["report", "export", "kiln", "cap-table"],
        &["report", "export", "kiln", "statements"],
    ] {
        let rows = csv_rows(&scratch, args);
        let header = if rows[0].iter().any(|h| h == "display_name") { "display_name" } else { "name" };
        let shown = column(&rows, header);
        for name in names {
            assert!(shown.contains(&name), "{args:?}: {name} in {shown:?}");
        }
    }
    csv_rows(&scratch, &["report", "export", "kiln", "distributions"]);
}

//! The lifecycle over the JSON API: departures, buyouts, handover and adoption, freezes, income,
//! distributions, statements and exports.

#[allow(unused_imports)]
use super::*;

const OK: StatusCode = StatusCode::OK;
const NEW: StatusCode = StatusCode::CREATED;
const NO: StatusCode = StatusCode::UNAUTHORIZED;
const FORBID: StatusCode = StatusCode::FORBIDDEN;
const GONE: StatusCode = StatusCode::NOT_FOUND;
const BAD: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
const CLASH: StatusCode = StatusCode::CONFLICT;

/// A decimal string (`190.47`, `-3.50`) in minor units.
fn minor(text: &Value) -> i64 {
    let text = text.as_str().unwrap_or_else(|| panic!("not a decimal string: {text}"));
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "00"));
    assert_eq!(fraction.len(), 2, "two decimals: {text}");
    let negative = whole.starts_with('-');
    let value = whole.trim_start_matches('-').parse::<i64>().unwrap() * 100 + fraction.parse::<i64>().unwrap();
    if negative { -value } else { value }
}

/// The figure `field` of the bucket of `kind` in a departure.
fn bucket<'a>(departure: &'a Value, kind: &str) -> &'a Value {
    departure["buckets"].as_array().unwrap().iter().find(|b| b["kind"] == kind).unwrap_or_else(|| panic!("no {kind} bucket: {departure}"))
}

/// Each member's share of the split, by handle.
async fn shares(browser: &mut Browser, slug: &str) -> Vec<(String, String)> {
    let split = browser.api("GET", &format!("/api/v1/ventures/{slug}/split"), None).await;
    assert_eq!(split.status, OK, "{}", split.text);
    split.json()["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["member"].as_str().unwrap().to_string(), m["share_percent"].as_str().unwrap().to_string()))
        .collect()
}

/// A POST with an `Idempotency-Key` header.
async fn post_keyed(browser: &mut Browser, uri: &str, body: Value, key: &str) -> Reply {
    let mut builder = browser.request("POST", uri).header("idempotency-key", key).header(header::CONTENT_TYPE, "application/json");
    if browser.bearer.is_none() && browser.cookies.contains_key(SESSION_COOKIE) {
        builder = builder.header("x-csrf-token", browser.csrf());
    }
    browser.send(builder.body(Body::from(body.to_string())).unwrap()).await
}

/// A POST from a signed-in browser that leaves out the anti-forgery header (a forged request).
async fn post_forged(browser: &mut Browser, uri: &str, body: Value) -> Reply {
    let request = browser.request("POST", uri).header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())).unwrap();
    browser.send(request).await
}

/// Sends the same request as each role and checks each status; every refusal is a JSON problem.
async fn each(roles: &mut [(&str, Browser)], method: &str, path: &str, body: Option<Value>, expected: [StatusCode; 4]) -> Vec<Reply> {
    let mut replies = Vec::new();
    for ((role, browser), want) in roles.iter_mut().zip(expected) {
        let reply = browser.api(method, path, body.clone()).await;
        assert_eq!(reply.status, want, "{method} {path} as {role}: {}", reply.text);
        if reply.status.is_client_error() {
            let problem = reply.json();
            assert!(problem["error"]["code"].is_string() && problem["error"]["message"].is_string(), "{method} {path} as {role}: {}", reply.text);
        }
        replies.push(reply);
    }
    replies
}

/// The steward's attempt at a bad input: refused with `status`, naming `field` when one is given.
async fn refused(steward: &mut Browser, path: &str, body: Value, status: StatusCode, field: Option<&str>) {
    let reply = steward.api("POST", path, Some(body.clone())).await;
    assert_eq!(reply.status, status, "POST {path} {body}: {}", reply.text);
    let problem = reply.json();
    assert!(problem["error"]["code"].is_string(), "{}", reply.text);
    if let Some(field) = field {
        assert_eq!(problem["error"]["field"], field, "POST {path} {body}: {}", reply.text);
    }
}

async fn count(browser: &mut Browser, path: &str) -> usize {
    let reply = browser.api("GET", path, None).await;
    assert_eq!(reply.status, OK, "{path}: {}", reply.text);
    reply.json().as_array().unwrap_or_else(|| panic!("{path}: not a list: {}", reply.text)).len()
}

async fn log(browser: &mut Browser, slug: &str, entry: Value) {
    let reply = browser.api("POST", &format!("/api/v1/ventures/{slug}/entries"), Some(entry)).await;
    assert_eq!(reply.status, NEW, "{}", reply.text);
}

/// A server whose clock stays at noon and moves forward a whole day at a time, on demand.
fn server_with_days() -> (Server, Arc<std::sync::atomic::AtomicI64>) {
    let dir = std::env::temp_dir().join(format!("peerstake-web-lifecycle-{}-{}-{}", std::process::id(), unique_nanos(), rand_suffix()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let commons = peerstake_backends::open_with(&format!("sqlite://{}", dir.join("web.db").display()), peerstake_store::Durability::Grouped)
        .map(Commons::with_store)
        .unwrap();
    let days = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let read = Arc::clone(&days);
    let clock = Arc::new(move || Now::noon_of(date!(2026 - 01 - 15) + time::Duration::days(read.load(std::sync::atomic::Ordering::Relaxed))));
    (Server { app: router(AppState::new(Arc::new(commons), clock, true)), dir: Some(dir) }, days)
}

#[tokio::test]
async fn a_ventures_later_life_from_a_departure_to_every_members_statement() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "kiln", "invite", "members").await;
    let (mut ben, mut cleo) = (person(&server, "ben").await, person(&server, "cleo").await);
    for (who, rate) in [("ben", "40"), ("cleo", "30")] {
        let invited = ana.api("POST", "/api/v1/ventures/kiln/members", Some(json!({"username": who, "hourly_rate": rate}))).await;
        assert_eq!(invited.status, NEW, "{}", invited.text);
    }
    // Ana 100 spent (×4 = 400); ben 10 hours at 40 (×2 = 800) and 50 spent (×4 = 200); cleo 5
    // hours at 30 (×2 = 300).
    log(&mut ana, "kiln", json!({"date": "2026-01-15", "kind": "expense", "amount": "100"})).await;
    log(&mut ben, "kiln", json!({"date": "2026-01-15", "kind": "time", "quantity": "10"})).await;
    log(&mut ben, "kiln", json!({"date": "2026-01-15", "kind": "expense", "amount": "50"})).await;
    log(&mut cleo, "kiln", json!({"date": "2026-01-15", "kind": "time", "quantity": "5"})).await;
    let pie = |list: &[(&str, &str)]| list.iter().map(|(m, s)| (m.to_string(), s.to_string())).collect::<Vec<_>>();
    assert_eq!(shares(&mut ana, "kiln").await, pie(&[("ana", "23.53"), ("ben", "58.82"), ("cleo", "17.65")]));

    // The steward previews ben leaving as a bad leaver: nothing is written.
    let leave = json!({"member": "ben", "case": "fired-for-good-reason", "justification": "Took the client list to a competitor", "preview": true});
    let preview = ana.api("POST", "/api/v1/ventures/kiln/departures", Some(leave.clone())).await;
    assert_eq!(preview.status, OK, "{}", preview.text);
    let preview = preview.json();
    assert_eq!((preview["recorded"].as_bool(), preview["number"].as_u64(), preview["bad_leaver"].as_bool()), (Some(false), None, Some(true)), "{preview}");
    // Time is lost; the expense is kept at ×1 (200 slices become its value, 50); he keeps 50
    // slices, bought at 1.00 a slice for 50.00.
    let time = bucket(&preview, "time");
    assert_eq!((time["class"].as_str(), time["treatment"].as_str()), (Some("non-cash"), Some("lose")));
    assert_eq!(
        (time["before"]["slices"].as_str(), time["protected"]["slices"].as_str(), time["after"]["slices"].as_str()),
        (Some("800.00"), Some("0.00"), Some("0.00"))
    );
    let expense = bucket(&preview, "expense");
    assert_eq!((expense["class"].as_str(), expense["treatment"].as_str()), (Some("cash"), Some("at-par")));
    assert_eq!(
        (expense["before"]["slices"].as_str(), expense["after"]["slices"].as_str(), expense["after"]["value"].as_str()),
        (Some("200.00"), Some("50.00"), Some("50.00"))
    );
    let figures = |d: &Value| {
        (
            d["slices_before"].as_str().map(str::to_string),
            d["slices_after"].as_str().map(str::to_string),
            d["price_per_slice"].as_str().map(str::to_string),
            d["buyout_price"].as_str().map(str::to_string),
            d["entries_adjusted"].clone(),
        )
    };
    let expected = (Some("1000.00".to_string()), Some("50.00".to_string()), Some("1.00".to_string()), Some("50.00".to_string()), json!([2, 3]));
    assert_eq!(figures(&preview), expected, "{preview}");
    assert_eq!((preview["currency"].as_str(), preview["case_words"].as_str()), (Some("EUR"), Some("fired for a good reason")));
    assert_eq!(count(&mut ana, "/api/v1/ventures/kiln/departures").await, 0, "a preview writes nothing");
    assert_eq!(entries(&mut ana, "kiln").await.len(), 4);

    // Recorded, with an idempotency key: a retry returns the same departure.
    let mut record = leave.clone();
    record["preview"] = json!(false);
    let recorded = post_keyed(&mut ana, "/api/v1/ventures/kiln/departures", record.clone(), "ben-leaves").await;
    assert_eq!(recorded.status, NEW, "{}", recorded.text);
    let recorded = recorded.json();
    assert_eq!((recorded["number"].as_u64(), recorded["entry"].as_u64(), recorded["recorded_by"].as_str()), (Some(1), Some(5), Some("ana")), "{recorded}");
    assert_eq!(figures(&recorded), expected, "the record is what the preview showed");
    let retried = post_keyed(&mut ana, "/api/v1/ventures/kiln/departures", record.clone(), "ben-leaves").await;
    assert_eq!((retried.status, retried.json()["number"].as_u64()), (NEW, Some(1)), "{}", retried.text);
    let twice = ana.api("POST", "/api/v1/ventures/kiln/departures", Some(record)).await;
    assert_eq!((twice.status, twice.json()["error"]["field"].as_str()), (BAD, Some("member")), "he left already: {}", twice.text);
    assert_eq!(count(&mut ana, "/api/v1/ventures/kiln/departures").await, 1);
    assert_eq!(shares(&mut ana, "kiln").await, pie(&[("ana", "53.33"), ("ben", "6.67"), ("cleo", "40.00")]));

    // A bad leaver's buyout is forced: accepted at once, and his slices leave the pie.
    let buyout = ana.api("POST", "/api/v1/ventures/kiln/buyouts", Some(json!({"member": "ben"}))).await;
    assert_eq!(buyout.status, NEW, "{}", buyout.text);
    let buyout = buyout.json();
    assert_eq!(
        (buyout["forced"].as_bool(), buyout["status"].as_str(), buyout["slices"].as_str(), buyout["amount"].as_str(), buyout["buyer"].as_str()),
        (Some(true), Some("accepted"), Some("50.00"), Some("50.00"), None),
        "{buyout}"
    );
    assert_eq!((buyout["entry"].as_u64(), buyout["clawback_until"].as_str()), (Some(6), None), "no claw-back for a bad leaver");
    assert_eq!(shares(&mut ana, "kiln").await, pie(&[("ana", "57.14"), ("ben", "0.00"), ("cleo", "42.86")]), "the others' shares rise");
    // The departure still reads as it was recorded, the buyout after it notwithstanding.
    let departures = ana.api("GET", "/api/v1/ventures/kiln/departures", None).await.json();
    assert_eq!(figures(&departures[0]), expected, "{departures}");

    // Income, then a freeze: the only steward's proposal freezes the split at once.
    let income = post_keyed(&mut ana, "/api/v1/ventures/kiln/income", json!({"amount": "1000", "note": "First kiln sold"}), "income-1").await;
    assert_eq!((income.status, income.json()["amount"].as_str()), (NEW, Some("1000.00")), "{}", income.text);
    let again = post_keyed(&mut ana, "/api/v1/ventures/kiln/income", json!({"amount": "1000", "note": "First kiln sold"}), "income-1").await;
    assert_eq!((again.status, again.json()["number"].as_u64()), (NEW, Some(1)));
    let book = cleo.api("GET", "/api/v1/ventures/kiln/income", None).await.json();
    assert_eq!(
        (book["received"].as_str(), book["undistributed"].as_str(), book["incomes"].as_array().unwrap().len()),
        (Some("1000.00"), Some("1000.00"), 1),
        "{book}"
    );
    assert_eq!(ana.api("GET", "/api/v1/ventures/kiln/cap-table", None).await.status, GONE, "not frozen yet");
    let freeze = ana.api("POST", "/api/v1/ventures/kiln/freezes", Some(json!({"reason": "break-even", "note": "We pay our way"}))).await;
    assert_eq!(freeze.status, NEW, "{}", freeze.text);
    let freeze = freeze.json();
    assert_eq!(
        (freeze["status"].as_str(), freeze["head_seq"].as_u64(), freeze["total_shares"].as_i64()),
        (Some("frozen"), Some(6), Some(10_000_000)),
        "{freeze}"
    );
    let table = cleo.api("GET", "/api/v1/ventures/kiln/cap-table", None).await;
    assert_eq!(table.status, OK, "{}", table.text);
    let table = table.json();
    let lines: Vec<(String, i64, String)> = table["cap_table"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["member"].as_str().unwrap().to_string(), l["shares"].as_i64().unwrap(), l["percent"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(lines, [("ana".to_string(), 5_714_286, "57.14".to_string()), ("cleo".to_string(), 4_285_714, "42.86".to_string())], "{table}");
    assert_eq!(lines.iter().map(|(_, n, _)| n).sum::<i64>(), 10_000_000);
    assert_eq!(table["cap_table_shares"], 10_000_000);

    // A distribution: previewed (nothing written), then posted exactly as previewed; the payouts
    // add up to the amount to the cent, each with what it was split by.
    let previewed = ana.api("POST", "/api/v1/ventures/kiln/distributions", Some(json!({"amount": "333.33", "preview": true}))).await;
    assert_eq!(previewed.status, OK, "{}", previewed.text);
    let previewed = previewed.json();
    assert_eq!(
        (previewed["posted"].as_bool(), previewed["basis"].as_str(), previewed["freeze"].as_u64()),
        (Some(false), Some("cap-table"), Some(1)),
        "{previewed}"
    );
    assert_eq!(count(&mut ana, "/api/v1/ventures/kiln/distributions").await, 0, "a preview writes nothing");
    let posted = post_keyed(&mut ana, "/api/v1/ventures/kiln/distributions", json!({"amount": "333.33", "note": "January"}), "pay-1").await;
    assert_eq!(posted.status, NEW, "{}", posted.text);
    let posted = posted.json();
    assert_eq!((posted["posted"].as_bool(), posted["number"].as_u64()), (Some(true), Some(1)));
    let payouts = posted["payouts"].as_array().unwrap();
    assert_eq!(payouts, previewed["payouts"].as_array().unwrap(), "posted as previewed");
    assert_eq!(payouts.iter().map(|p| minor(&p["amount"])).sum::<i64>(), 33_333, "{posted}");
    let paid: Vec<(&str, &str, &str, &str, &str)> = payouts
        .iter()
        .map(|p| {
            (
                p["member"].as_str().unwrap(),
                p["weight"].as_str().unwrap(),
                p["total_weight"].as_str().unwrap(),
                p["percent"].as_str().unwrap(),
                p["amount"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(paid, [("ana", "5714286", "10000000", "57.14", "190.47"), ("cleo", "4285714", "10000000", "42.86", "142.86")]);
    assert!(payouts.iter().all(|p| p["head_seq"] == 6), "{posted}");
    let trace = payouts[0]["trace"].as_str().unwrap();
    assert_eq!(trace, "/api/v1/ventures/kiln/members/ana/trace");
    assert_eq!(ana.api("GET", trace, None).await.json()["slices"], "400.00", "the trace behind the weight");
    let retried = post_keyed(&mut ana, "/api/v1/ventures/kiln/distributions", json!({"amount": "333.33", "note": "January"}), "pay-1").await;
    assert_eq!(retried.json()["number"], 1, "a retry pays nothing twice");
    assert_eq!(cleo.api("GET", "/api/v1/ventures/kiln/distributions/1", None).await.json()["payouts"], posted["payouts"]);
    assert_eq!(cleo.api("GET", "/api/v1/ventures/kiln/income", None).await.json()["undistributed"], "666.67");

    // Every member reads their own statement, the one who left included.
    for (browser, handle, received) in [(&mut ana, "ana", "190.47"), (&mut cleo, "cleo", "142.86"), (&mut ben, "ben", "0.00")] {
        let statement = browser.api("GET", &format!("/api/v1/ventures/kiln/statements/{handle}"), None).await;
        assert_eq!(statement.status, OK, "{handle}: {}", statement.text);
        assert_eq!(statement.json()["received"], received, "{}", statement.text);
    }
    let own = ben.api("GET", "/api/v1/ventures/kiln/statements/ben", None).await.json();
    assert_eq!(
        (own["departed_on"].as_str(), own["departure_case"].as_str(), own["slices"].as_str()),
        (Some("2026-01-15"), Some("fired-for-good-reason"), Some("0.00")),
        "{own}"
    );
    assert_eq!((own["buyouts"][0]["amount"].as_str(), own["buyouts"][0]["status"].as_str()), (Some("50.00"), Some("accepted")), "{own}");
    let cleos = cleo.api("GET", "/api/v1/ventures/kiln/statements/cleo", None).await.json();
    assert_eq!(
        (cleos["shares"].as_i64(), cleos["total_shares"].as_i64(), cleos["payouts"][0]["head_seq"].as_u64()),
        (Some(4_285_714), Some(10_000_000), Some(6)),
        "{cleos}"
    );
    // … and nothing else of a members-only venture.
    let other = ben.api("GET", "/api/v1/ventures/kiln/statements/ana", None).await;
    assert_eq!((other.status, other.json()["error"]["code"].as_str()), (FORBID, Some("forbidden")), "{}", other.text);
    for path in [
        "/api/v1/ventures/kiln",
        "/api/v1/ventures/kiln/split",
        "/api/v1/ventures/kiln/entries",
        "/api/v1/ventures/kiln/departures",
        "/api/v1/ventures/kiln/statements",
        "/api/v1/ventures/kiln/distributions/1",
        "/api/v1/ventures/kiln/cap-table",
        "/api/v1/ventures/kiln/report",
        "/api/v1/ventures/kiln/exports/statements",
    ] {
        let reply = ben.api("GET", path, None).await;
        assert_eq!(reply.status, GONE, "{path}: {}", reply.text);
        assert_eq!(reply.json()["error"]["code"], "not_found");
    }
    let logged = ben.api("POST", "/api/v1/ventures/kiln/entries", Some(json!({"date": "2026-01-15", "kind": "time", "quantity": "1"}))).await;
    assert_eq!(logged.status, GONE, "{}", logged.text);
    let voted = ben.api("POST", "/api/v1/ventures/kiln/freezes/1/vote", Some(json!({"approve": false}))).await;
    assert_eq!(voted.status, GONE, "{}", voted.text);

    // The report and the exports, as JSON and CSV.
    let report = cleo.api("GET", "/api/v1/ventures/kiln/report", None).await;
    assert_eq!(report.status, OK, "{}", report.text);
    let report = report.json();
    assert_eq!(
        (report["departures"].as_array().unwrap().len(), report["statements"].as_array().unwrap().len(), report["cap_table"]["number"].as_u64()),
        (1, 3, Some(1))
    );
    let csv = cleo.api("GET", "/api/v1/ventures/kiln/exports/distributions?format=csv", None).await;
    assert_eq!(csv.status, OK, "{}", csv.text);
    assert!(csv.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    let rows: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        rows,
        [
            "distribution,paid_on,basis,member,weight,total_weight,percent,amount,head_seq",
            "1,2026-01-15,cap-table,ana,5714286,10000000,57.14,190.47,6",
            "1,2026-01-15,cap-table,cleo,4285714,10000000,42.86,142.86,6"
        ]
    );
    let json_export = cleo.api("GET", "/api/v1/ventures/kiln/exports/cap-table?format=json", None).await;
    assert!(json_export.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"));
    let rows = json_export.json()["rows"].clone();
    assert_eq!(
        (rows[0]["shares"].as_str(), rows[1]["shares"].as_str(), rows[0]["status"].as_str()),
        (Some("5714286"), Some("4285714"), Some("frozen")),
        "{rows}"
    );
}

#[tokio::test]
async fn every_lifecycle_route_for_every_role() {
    let server = server();
    let mut steward = person(&server, "ana").await;
    venture(&mut steward, "loom", "open", "public").await;
    let mut member = person(&server, "ben").await;
    member.post("/v/loom/join", &[("hourly_rate", "40")]).await;
    let mut dan = person(&server, "dan").await;
    dan.post("/v/loom/join", &[("hourly_rate", "30")]).await;
    log(&mut member, "loom", json!({"date": "2026-01-15", "kind": "time", "quantity": "3"})).await;
    log(&mut dan, "loom", json!({"date": "2026-01-15", "kind": "time", "quantity": "2"})).await;
    let outsider = person(&server, "olga").await;
    let mut roles = [("visitor", Browser::new(&server)), ("outsider", outsider), ("member", member), ("steward", steward)];
    let all = [OK; 4];
    let none = [GONE; 4];
    let stewards = |ok: StatusCode| [NO, FORBID, FORBID, ok];
    let v = "/api/v1/ventures/loom";

    // Reads: anyone may read a public venture's later life.
    for path in [
        "departures",
        "buyouts",
        "stewards",
        "freezes",
        "income",
        "distributions",
        "statements",
        "statements/ben",
        "report",
        "exports/statements",
        "exports/cap-table?format=csv",
    ] {
        each(&mut roles, "GET", &format!("{v}/{path}"), None, all).await;
    }
    for path in ["cap-table", "freezes/1", "distributions/1", "statements/nobody"] {
        each(&mut roles, "GET", &format!("{v}/{path}"), None, none).await;
    }
    each(&mut roles, "GET", &format!("{v}/exports/everything"), None, [BAD; 4]).await;
    each(&mut roles, "GET", &format!("{v}/exports/statements?format=xml"), None, [BAD; 4]).await;
    each(&mut roles, "GET", &format!("{v}/freezes/first"), None, [StatusCode::BAD_REQUEST; 4]).await;

    // Departures: stewards only; bad input refused, and nothing written.
    let leaves = json!({"member": "dan", "case": "resigned-for-good-reason", "justification": "Moving abroad"});
    let mut preview = leaves.clone();
    preview["preview"] = json!(true);
    each(&mut roles, "POST", &format!("{v}/departures"), Some(preview), stewards(OK)).await;
    let steward = &mut roles[3].1;
    for (change, status, field) in [
        (json!({"case": "quit"}), BAD, Some("case")),
        (json!({"justification": "  "}), BAD, Some("justification")),
        (json!({"departed_on": "someday"}), BAD, None),
        (json!({"departed_on": "2026-01-01"}), BAD, Some("date")),
        (json!({"member": "ana"}), BAD, Some("member")),
        (json!({"member": "nobody"}), GONE, None),
    ] {
        let mut body = leaves.clone();
        for (k, value) in change.as_object().unwrap() {
            body[k] = value.clone();
        }
        refused(steward, &format!("{v}/departures"), body, status, field).await;
    }
    let no_json = steward.api("POST", &format!("{v}/departures"), None).await;
    assert_eq!((no_json.status, no_json.json()["error"]["code"].as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("invalid_request")));
    refused(steward, &format!("{v}/departures"), json!({"member": "dan"}), BAD, None).await;
    assert_eq!(count(steward, &format!("{v}/departures")).await, 0);
    assert_eq!(entries(steward, "loom").await.len(), 2);
    let recorded = each(&mut roles, "POST", &format!("{v}/departures"), Some(leaves), stewards(NEW)).await;
    assert_eq!(
        (recorded[3].json()["bad_leaver"].as_bool(), recorded[3].json()["slices_after"].as_str()),
        (Some(false), Some("120.00")),
        "a good leaver keeps everything"
    );

    // Buyouts: offered by stewards; only the leaver accepts or declines, a steward withdraws.
    let steward = &mut roles[3].1;
    refused(steward, &format!("{v}/buyouts"), json!({"member": "ben"}), BAD, Some("member")).await;
    refused(steward, &format!("{v}/buyouts"), json!({"member": "dan", "price_per_slice": "cheap"}), BAD, None).await;
    refused(steward, &format!("{v}/buyouts"), json!({"member": "dan", "buyer": "dan"}), BAD, Some("buyer")).await;
    assert_eq!(count(steward, &format!("{v}/buyouts")).await, 0);
    let offered = each(&mut roles, "POST", &format!("{v}/buyouts"), Some(json!({"member": "dan"})), stewards(NEW)).await;
    let offer = offered[3].json();
    assert_eq!((offer["forced"].as_bool(), offer["status"].as_str(), offer["amount"].as_str()), (Some(false), Some("offered"), Some("120.00")), "{offer}");
    refused(&mut roles[3].1, &format!("{v}/buyouts"), json!({"member": "dan"}), CLASH, None).await;
    each(&mut roles, "POST", &format!("{v}/buyouts/1/answer"), Some(json!({"answer": "accept"})), [NO, FORBID, FORBID, FORBID]).await;
    refused(&mut roles[3].1, &format!("{v}/buyouts/1/answer"), json!({"answer": "maybe"}), BAD, Some("answer")).await;
    refused(&mut roles[3].1, &format!("{v}/buyouts/9/answer"), json!({"answer": "withdraw"}), GONE, None).await;
    refused(&mut roles[3].1, &format!("{v}/buyouts/first/answer"), json!({"answer": "withdraw"}), StatusCode::BAD_REQUEST, None).await;
    let withdrawn = each(&mut roles, "POST", &format!("{v}/buyouts/1/answer"), Some(json!({"answer": "withdraw"})), stewards(OK)).await;
    assert_eq!(withdrawn[3].json()["status"], "withdrawn");
    let again = roles[3].1.api("POST", &format!("{v}/buyouts"), Some(json!({"member": "dan", "price_per_slice": "0.50"}))).await;
    assert_eq!((again.status, again.json()["amount"].as_str()), (NEW, Some("60.00")), "{}", again.text);
    // The leaver answers their own offer: accepted, with a claw-back window of a year.
    let accepted = dan.api("POST", &format!("{v}/buyouts/2/answer"), Some(json!({"answer": "accept"}))).await;
    assert_eq!(accepted.status, OK, "{}", accepted.text);
    assert_eq!((accepted.json()["status"].as_str(), accepted.json()["clawback_until"].as_str()), (Some("accepted"), Some("2027-01-15")));
    assert_eq!(count(&mut roles[0].1, &format!("{v}/buyouts")).await, 2);

    // Handover: a steward proposes, the member it names answers.
    refused(&mut roles[3].1, &format!("{v}/stewards/handover"), json!({"to": "olga"}), GONE, None).await;
    refused(&mut roles[3].1, &format!("{v}/stewards/handover"), json!({"to": "dan"}), FORBID, None).await;
    refused(&mut roles[3].1, &format!("{v}/stewards/handover"), json!({"to": "ana"}), BAD, Some("to")).await;
    each(&mut roles, "POST", &format!("{v}/stewards/handover"), Some(json!({"to": "ben", "message": "Over to you"})), stewards(NEW)).await;
    let answered =
        each(&mut roles, "POST", &format!("{v}/stewards/1/answer"), Some(json!({"answer": "decline", "note": "Not now"})), [NO, FORBID, OK, BAD]).await;
    assert_eq!((answered[2].json()["status"].as_str(), answered[2].json()["decided_by"].as_str()), (Some("declined"), Some("ben")));
    // Active stewards: nobody may adopt; there is no adoption to object to.
    each(&mut roles, "POST", &format!("{v}/stewards/adopt"), Some(json!({"message": "I would run it"})), [NO, FORBID, FORBID, FORBID]).await;
    each(&mut roles, "POST", &format!("{v}/stewards/1/object"), Some(json!({"note": "No"})), [NO, FORBID, GONE, GONE]).await;
    let listed = roles[0].1.api("GET", &format!("{v}/stewards"), None).await.json();
    assert_eq!((listed["changes"].as_array().unwrap().len(), listed["adoptable"]["open"].as_bool()), (1, Some(false)), "{listed}");

    // Freezes: stewards propose (the only one freezes at once) and unfreeze; members vote.
    let steward = &mut roles[3].1;
    refused(steward, &format!("{v}/freezes"), json!({"reason": "boredom"}), BAD, Some("reason")).await;
    refused(steward, &format!("{v}/freezes"), json!({"reason": "other", "total_shares": 0}), BAD, None).await;
    refused(steward, &format!("{v}/freezes"), json!({"reason": "other", "issued": [{"member": "ben", "shares": -1}]}), BAD, None).await;
    refused(steward, &format!("{v}/freezes"), json!({"reason": "other", "total_shares": "many"}), BAD, None).await;
    assert_eq!(count(steward, &format!("{v}/freezes")).await, 0);
    let frozen = each(&mut roles, "POST", &format!("{v}/freezes"), Some(json!({"reason": "break-even"})), stewards(NEW)).await;
    assert_eq!((frozen[3].json()["status"].as_str(), frozen[3].json()["cap_table_shares"].as_i64()), (Some("frozen"), Some(10_000_000)));
    refused(&mut roles[3].1, &format!("{v}/freezes"), json!({"reason": "other"}), CLASH, None).await;
    each(&mut roles, "POST", &format!("{v}/freezes/1/vote"), Some(json!({"approve": true})), [NO, FORBID, BAD, BAD]).await;
    each(&mut roles, "POST", &format!("{v}/freezes/9/vote"), Some(json!({"approve": true})), [NO, FORBID, GONE, GONE]).await;
    each(&mut roles, "GET", &format!("{v}/cap-table"), None, all).await;
    each(&mut roles, "GET", &format!("{v}/freezes/1"), None, all).await;
    let unfrozen = each(&mut roles, "POST", &format!("{v}/freezes/1/unfreeze"), None, stewards(OK)).await;
    assert_eq!(unfrozen[3].json()["status"], "unfrozen");
    each(&mut roles, "GET", &format!("{v}/cap-table"), None, none).await;

    // Income and distributions: stewards only.
    let steward = &mut roles[3].1;
    for (body, field) in [
        (json!({"amount": "-5"}), Some("amount")),
        (json!({"amount": "ten"}), Some("amount")),
        (json!({"amount": "5", "kind": "gift"}), Some("kind")),
        (json!({"amount": "5", "valuation": "100"}), Some("valuation")),
        (json!({"amount": "5", "received_on": "2027-01-01"}), None),
        (json!({"note": "no amount"}), None),
    ] {
        refused(steward, &format!("{v}/income"), body, BAD, field).await;
    }
    assert!(steward.api("GET", &format!("{v}/income"), None).await.json()["incomes"].as_array().unwrap().is_empty());
    each(&mut roles, "POST", &format!("{v}/income"), Some(json!({"amount": "100", "note": "Workshop fees"})), stewards(NEW)).await;
    let steward = &mut roles[3].1;
    refused(steward, &format!("{v}/distributions"), json!({"amount": "100.01"}), BAD, Some("amount")).await;
    refused(steward, &format!("{v}/distributions"), json!({"amount": "0"}), BAD, Some("amount")).await;
    refused(steward, &format!("{v}/distributions"), json!({"amount": "10", "basis": "cap-table"}), BAD, Some("basis")).await;
    refused(steward, &format!("{v}/distributions"), json!({"amount": "10", "paid_on": "2027-01-01"}), BAD, None).await;
    each(&mut roles, "POST", &format!("{v}/distributions"), Some(json!({"amount": "10", "preview": true})), stewards(OK)).await;
    assert_eq!(count(&mut roles[3].1, &format!("{v}/distributions")).await, 0);
    let paid = each(&mut roles, "POST", &format!("{v}/distributions"), Some(json!({"amount": "10"})), stewards(NEW)).await;
    let paid = paid[3].json();
    assert_eq!(
        (paid["basis"].as_str(), paid["payouts"][0]["member"].as_str(), paid["payouts"][0]["amount"].as_str()),
        (Some("split"), Some("ben"), Some("10.00")),
        "{paid}"
    );
    assert_eq!((paid["payouts"][0]["weight"].as_str(), paid["payouts"][0]["percent"].as_str()), (Some("240.00"), Some("100.00")), "slices, as a decimal");
    each(&mut roles, "GET", &format!("{v}/distributions/1"), None, all).await;
    each(&mut roles, "GET", &format!("{v}/distributions/2"), None, none).await;
    assert_eq!(count(&mut roles[3].1, &format!("{v}/distributions")).await, 1);

    // A forged cookie request is refused and writes nothing; an API token needs no header.
    let steward = &mut roles[3].1;
    let forged = post_forged(steward, &format!("{v}/income"), json!({"amount": "1"})).await;
    assert_eq!((forged.status, forged.json()["error"]["code"].as_str()), (FORBID, Some("forbidden")), "{}", forged.text);
    let forged = post_forged(steward, &format!("{v}/departures"), json!({"member": "ben", "case": "resigned-for-good-reason", "justification": "x"})).await;
    assert_eq!(forged.status, FORBID);
    assert_eq!(steward.api("GET", &format!("{v}/income"), None).await.json()["incomes"].as_array().unwrap().len(), 1);
    let token = steward.api("POST", "/api/v1/tokens", Some(json!({"name": "books"}))).await.json()["token"].as_str().unwrap().to_string();
    let mut script = Browser::new(&server);
    script.bearer = Some(token);
    let by_token = script.api("POST", &format!("{v}/income"), Some(json!({"amount": "1", "note": "by script"}))).await;
    assert_eq!((by_token.status, by_token.json()["recorded_by"].as_str()), (NEW, Some("ana")), "{}", by_token.text);
    script.bearer = Some("pst_not-a-token".into());
    assert_eq!(script.api("POST", &format!("{v}/income"), Some(json!({"amount": "1"}))).await.status, NO);

    // The API describes every new route.
    let document = roles[0].1.api("GET", "/api/v1/openapi.json", None).await.json();
    for path in [
        "departures",
        "buyouts",
        "buyouts/{number}/answer",
        "stewards",
        "stewards/handover",
        "stewards/{number}/answer",
        "stewards/adopt",
        "stewards/{number}/object",
        "freezes",
        "freezes/{number}",
        "freezes/{number}/vote",
        "freezes/{number}/unfreeze",
        "cap-table",
        "income",
        "distributions",
        "distributions/{number}",
        "statements",
        "statements/{handle}",
        "report",
        "exports/{what}",
    ] {
        assert!(document["paths"][format!("/api/v1/ventures/{{slug}}/{path}")].is_object(), "{path} is not described");
    }
    for schema in ["DepartureOut", "DepartureIn", "BuyoutOut", "FreezeOut", "DistributionOut", "PayoutOut", "StatementOut", "IncomeBookOut", "StewardsOut"] {
        assert!(document["components"]["schemas"][schema].is_object(), "{schema} is not described");
    }
}

#[tokio::test]
async fn a_members_only_venture_hides_its_later_life_from_everyone_else() {
    let server = server();
    let mut steward = person(&server, "ana").await;
    venture(&mut steward, "vault", "invite", "members").await;
    let mut member = person(&server, "ben").await;
    assert_eq!(steward.api("POST", "/api/v1/ventures/vault/members", Some(json!({"username": "ben", "hourly_rate": "40"}))).await.status, NEW);
    log(&mut member, "vault", json!({"date": "2026-01-15", "kind": "time", "quantity": "1"})).await;
    let outsider = person(&server, "olga").await;
    let mut roles = [("visitor", Browser::new(&server)), ("outsider", outsider), ("member", member), ("steward", steward)];
    let v = "/api/v1/ventures/vault";
    for path in ["departures", "buyouts", "stewards", "freezes", "income", "distributions", "statements", "statements/ben", "report", "exports/statements"] {
        each(&mut roles, "GET", &format!("{v}/{path}"), None, [GONE, GONE, OK, OK]).await;
    }
    let writes = [
        ("departures", json!({"member": "ben", "case": "resigned-for-good-reason", "justification": "x", "preview": true}), OK),
        ("buyouts", json!({"member": "ben"}), BAD),
        ("stewards/handover", json!({"to": "ben"}), NEW),
        ("freezes", json!({"reason": "other"}), NEW),
        ("income", json!({"amount": "5"}), NEW),
        ("distributions", json!({"amount": "5", "preview": true}), OK),
    ];
    for (path, body, steward_gets) in writes {
        each(&mut roles, "POST", &format!("{v}/{path}"), Some(body), [NO, GONE, FORBID, steward_gets]).await;
    }
    each(&mut roles, "POST", &format!("{v}/stewards/adopt"), Some(json!({"message": "Let me"})), [NO, GONE, FORBID, FORBID]).await;
}

#[tokio::test]
async fn a_silent_venture_is_adopted_unless_a_member_objects() {
    let (server, days) = server_with_days();
    let mut ana = person(&server, "ana").await;
    venture_under(&mut ana, "quiet", "steward_silence_days = 7\nadoption_notice_days = 3", None).await;
    let mut ben = person(&server, "ben").await;
    ben.post("/v/quiet/join", &[("hourly_rate", "40")]).await;
    let (mut olga, mut pat) = (person(&server, "olga").await, person(&server, "pat").await);
    let mut visitor = Browser::new(&server);
    let v = "/api/v1/ventures/quiet";
    let ask = json!({"message": "I ran a kiln for ten years"});
    assert_eq!(olga.api("POST", &format!("{v}/stewards/adopt"), Some(ask.clone())).await.status, FORBID, "the steward is active");

    // Eight days of silence: the venture may be adopted.
    days.store(8, std::sync::atomic::Ordering::Relaxed);
    let open = visitor.api("GET", &format!("{v}/stewards"), None).await.json();
    assert_eq!(open["adoptable"]["open"], true, "{open}");
    assert_eq!(visitor.api("POST", &format!("{v}/stewards/adopt"), Some(ask.clone())).await.status, NO);
    refused(&mut olga, &format!("{v}/stewards/adopt"), json!({"message": " "}), BAD, Some("message")).await;
    let asked = olga.api("POST", &format!("{v}/stewards/adopt"), Some(ask.clone())).await;
    assert_eq!(asked.status, NEW, "{}", asked.text);
    let asked = asked.json();
    assert_eq!((asked["kind"].as_str(), asked["to"].as_str(), asked["notice_until"].as_str()), (Some("adoption"), Some("olga"), Some("2026-01-26")), "{asked}");
    assert_eq!(pat.api("POST", &format!("{v}/stewards/adopt"), Some(ask.clone())).await.status, CLASH, "one request at a time");
    // Only members object, with a reason.
    assert_eq!(visitor.api("POST", &format!("{v}/stewards/1/object"), Some(json!({"note": "No"}))).await.status, NO);
    assert_eq!(pat.api("POST", &format!("{v}/stewards/1/object"), Some(json!({"note": "No"}))).await.status, FORBID);
    refused(&mut ben, &format!("{v}/stewards/1/object"), json!({"note": ""}), BAD, Some("note")).await;
    let objected = ben.api("POST", &format!("{v}/stewards/1/object"), Some(json!({"note": "Ana is on holiday"}))).await;
    assert_eq!((objected.status, objected.json()["status"].as_str()), (OK, Some("objected")), "{}", objected.text);

    // Asked again, with no objection: after the notice the role passes.
    let again = pat.api("POST", &format!("{v}/stewards/adopt"), Some(ask)).await;
    assert_eq!(again.status, NEW, "{}", again.text);
    days.store(12, std::sync::atomic::Ordering::Relaxed);
    let settled = visitor.api("GET", &format!("{v}/stewards"), None).await.json();
    let statuses: Vec<&str> = settled["changes"].as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["objected", "passed"], "{settled}");
    assert_eq!(pat.api("GET", v, None).await.json()["you_are_steward"], true);
}

#[tokio::test]
async fn a_departed_member_cannot_vote() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture_under(&mut ana, "guild", "proposals = \"all\"", Some("2026-01-01")).await;
    let (mut ben, mut cleo) = (person(&server, "ben").await, person(&server, "cleo").await);
    for browser in [&mut ben, &mut cleo] {
        assert_eq!(browser.post("/v/guild/join", &[("hourly_rate", "40")]).await.status, StatusCode::SEE_OTHER);
        log(browser, "guild", json!({"date": "2026-01-15", "kind": "time", "quantity": "2"})).await;
    }
    let v = "/api/v1/ventures/guild";
    // A policy proposal and a freeze, both waiting for every member.
    let proposed = cleo.api("POST", &format!("{v}/proposals"), Some(json!({"preset": "hours-only", "effective_from": "2026-02-01"}))).await;
    assert_eq!(proposed.status, NEW, "{}", proposed.text);
    let freeze = ana.api("POST", &format!("{v}/freezes"), Some(json!({"reason": "funding-round"}))).await;
    assert_eq!((freeze.status, freeze.json()["status"].as_str()), (NEW, Some("proposed")), "{}", freeze.text);
    assert!(freeze.json()["rule"].as_str().unwrap().contains("1 of 3"), "{}", freeze.text);

    // Ben leaves; his votes are refused and count for nothing.
    let left = ana.api("POST", &format!("{v}/departures"), Some(json!({"member": "ben", "case": "resigned-for-good-reason", "justification": "Family"}))).await;
    assert_eq!(left.status, NEW, "{}", left.text);
    let vote = ben.api("POST", &format!("{v}/proposals/1/votes"), Some(json!({"approve": true}))).await;
    assert_eq!((vote.status, vote.json()["error"]["code"].as_str()), (FORBID, Some("forbidden")), "{}", vote.text);
    let vote = ben.api("POST", &format!("{v}/freezes/1/vote"), Some(json!({"approve": false}))).await;
    assert_eq!((vote.status, vote.json()["error"]["code"].as_str()), (FORBID, Some("forbidden")), "{}", vote.text);
    let proposal = ana.api("GET", &format!("{v}/proposals/1"), None).await.json();
    assert_eq!(proposal["proposal"]["status"], "open", "{proposal}");
    assert_eq!(proposal["proposal"]["votes"].as_array().unwrap().iter().map(|v| v["member"].as_str().unwrap()).collect::<Vec<_>>(), ["cleo"]);
    let waiting = ana.api("GET", &format!("{v}/freezes/1"), None).await.json();
    assert_eq!(waiting["status"], "proposed", "{waiting}");
    assert_eq!(waiting["votes"].as_array().unwrap().iter().map(|v| v["member"].as_str().unwrap()).collect::<Vec<_>>(), ["ana"]);
    assert!(waiting["rule"].as_str().unwrap().contains("1 of 2"), "he is no longer counted among the voters: {waiting}");

    // The members still present decide without him.
    let adopted = ana.api("POST", &format!("{v}/proposals/1/votes"), Some(json!({"approve": true}))).await;
    assert!(adopted.status.is_success(), "{}", adopted.text);
    assert_eq!(adopted.json()["status"], "adopted", "{}", adopted.text);
    let frozen = cleo.api("POST", &format!("{v}/freezes/1/vote"), Some(json!({"approve": true}))).await;
    assert_eq!((frozen.status, frozen.json()["status"].as_str()), (OK, Some("frozen")), "{}", frozen.text);
    let voters: Vec<String> = frozen.json()["votes"].as_array().unwrap().iter().map(|v| v["member"].as_str().unwrap().to_string()).collect();
    assert_eq!(voters, ["ana", "cleo"]);
    // He still holds what he kept as a good leaver, so he is on the cap table.
    let table = ben.api("GET", &format!("{v}/cap-table"), None).await.json();
    assert_eq!(table["cap_table"].as_array().unwrap().iter().map(|l| l["member"].as_str().unwrap()).collect::<Vec<_>>(), ["ben", "cleo"], "{table}");
}

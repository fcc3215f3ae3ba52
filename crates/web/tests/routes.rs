//! Every route for every role (a visitor, an outsider, a member, a steward) on both backends, ids
//! of one venture that reach nothing in another, and the API's own description.

#[allow(unused_imports)]
use super::*;

#[tokio::test]
async fn another_ventures_ids_reach_nothing() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "alpha", "open", "public").await;
    let mut bo = person(&server, "bo").await;
    venture(&mut bo, "beta", "open", "public").await;
    let logged = ana.api("POST", "/api/v1/ventures/alpha/entries", Some(json!({"date": "2026-01-10", "kind": "expense", "amount": "10"}))).await;
    assert_eq!(logged.status, StatusCode::CREATED);
    // Ana steward of alpha, using her handle and alpha's entry number against beta.
    assert_eq!(
        ana.api("POST", "/api/v1/ventures/beta/entries", Some(json!({"member": "ana", "date": "2026-01-10", "kind": "time", "quantity": "1"}))).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(ana.api("POST", "/api/v1/ventures/beta/entries/1/reversal", Some(json!({"reason": "x"}))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(ana.post("/v/beta/ledger/1/reverse", &[("reason", "x")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        ana.api("POST", "/api/v1/ventures/beta/policy", Some(json!({"preset": "hours-only", "effective_from": "2026-01-14"}))).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(ana.api("PUT", "/api/v1/ventures/beta/access", Some(json!({"join_mode": "open", "visibility": "members"}))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(ana.api("GET", "/api/v1/ventures/beta/join-requests", None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(ana.get("/api/v1/ventures/beta/members/ana/trace").await.status, StatusCode::NOT_FOUND, "ana is no member of beta");
    // Bo, steward of beta, reaches nothing in alpha.
    assert_eq!(bo.api("POST", "/api/v1/ventures/alpha/entries/1/reversal", Some(json!({"reason": "x"}))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(entries(&mut bo, "alpha").await.len(), 1);
    assert!(entries(&mut bo, "beta").await.is_empty());
}

#[tokio::test]
async fn the_api_is_described_limited_and_speaks_json_errors() {
    let server = server();
    let mut visitor = Browser::new(&server);
    let document = visitor.get("/api/v1/openapi.json").await.json();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let paths = document["paths"].as_object().unwrap();
    for path in [
        "/api/v1/accounts",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
        "/api/v1/ventures",
        "/api/v1/ventures/{slug}",
        "/api/v1/ventures/{slug}/split",
        "/api/v1/ventures/{slug}/entries",
        "/api/v1/ventures/{slug}/entries/preview",
        "/api/v1/ventures/{slug}/entries/{seq}/reversal",
        "/api/v1/ventures/{slug}/members",
        "/api/v1/ventures/{slug}/members/{handle}/trace",
        "/api/v1/ventures/{slug}/policy",
        "/api/v1/ventures/{slug}/join",
        "/api/v1/ventures/{slug}/export",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    assert!(document["components"]["schemas"]["SplitOut"].is_object());

    let unknown = visitor.get("/api/v1/nothing").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json()["error"]["code"], "not_found");
    assert_eq!(visitor.get("/no/such/page").await.status, StatusCode::NOT_FOUND);

    let huge = "x".repeat(peerstake_web::BODY_BYTES_MAX + 10);
    let reply = visitor.api("POST", "/api/v1/accounts", Some(json!({"username": "big", "password": huge}))).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.json()["error"]["code"], "too_large");
    let signed = visitor.api("POST", "/api/v1/accounts", Some(json!({"username": "zoe", "password": "zoe-long-password"}))).await;
    assert_eq!(signed.status, StatusCode::CREATED);
    let short = visitor.api("POST", "/api/v1/accounts", Some(json!({"username": "yan", "password": "short"}))).await;
    assert_eq!((short.status, short.json()["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("password")));
}

/// Every route, for every role: a visitor, a signed-in outsider, a member and a steward. Roles
/// run in that order, so a request that succeeds does so last.
#[tokio::test]
async fn every_route_for_every_role() {
    every_route(&server()).await;
}

/// The same on PostgreSQL, where every use case runs on the blocking pool.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_for_every_role_on_postgres() {
    on_postgres(server_on, every_route).await;
}

async fn every_route(server: &Server) {
    let mut steward = person(server, "ana").await;
    venture(&mut steward, "loom", "open", "public").await;
    let mut member = person(server, "ben").await;
    member.post("/v/loom/join", &[("hourly_rate", "40")]).await;
    steward.api("POST", "/api/v1/ventures/loom/members/ana/terms", Some(json!({"effective_from": "2026-01-15", "hourly_rate": "50"}))).await;
    // Entries authored by the steward, for the reversal routes.
    for _ in 0..2 {
        let reply = steward.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"date": "2026-01-15", "kind": "time", "quantity": "1"}))).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }
    person(server, "carl").await;
    person(server, "dan").await;
    let outsider = person(server, "olga").await;
    let mut roles = [("visitor", Browser::new(server)), ("outsider", outsider), ("member", member), ("steward", steward)];

    const OK: StatusCode = StatusCode::OK;
    const NEW: StatusCode = StatusCode::CREATED;
    const SEE: StatusCode = StatusCode::SEE_OTHER;
    const NO: StatusCode = StatusCode::UNAUTHORIZED;
    const FORBID: StatusCode = StatusCode::FORBIDDEN;
    let all = [OK; 4];
    let signed_in = [NO, OK, OK, OK];
    let members = [NO, FORBID, OK, OK];
    let stewards = [NO, FORBID, FORBID, OK];
    let pages: Vec<(&str, [StatusCode; 4])> = vec![
        ("/", all),
        ("/signup", all),
        ("/login", all),
        ("/account", signed_in),
        ("/new", signed_in),
        ("/v/loom", all),
        ("/v/loom/log", members),
        ("/v/loom/log?kind=capital-use", members),
        ("/v/loom/members/ana", all),
        ("/v/loom/ledger", all),
        ("/v/loom/ledger?member=ben&kind=time&from=2026-01-01&to=2026-01-31", all),
        ("/v/loom/policy", all),
        ("/v/loom/policy?candidate=slicing-pie", all),
        ("/v/loom/settings", stewards),
        ("/v/loom/split.csv", all),
        ("/v/loom/ledger.csv", all),
        ("/v/loom/export.json", all),
        ("/api/v1/openapi.json", all),
        ("/api/v1/ventures", all),
        ("/api/v1/ventures/loom", all),
        ("/api/v1/ventures/loom/split", all),
        ("/api/v1/ventures/loom/split?as_of=2026-01-01", all),
        ("/api/v1/ventures/loom/entries", all),
        ("/api/v1/ventures/loom/members", all),
        ("/api/v1/ventures/loom/members/ben/trace", all),
        ("/api/v1/ventures/loom/policy", all),
        ("/api/v1/ventures/loom/export", all),
        ("/api/v1/ventures/loom/join-requests", [NO, FORBID, FORBID, OK]),
        ("/api/v1/ventures/loom/settings-history", members),
        ("/api/v1/me", signed_in),
        ("/api/v1/tokens", signed_in),
        ("/v/loom/entries/1", all),
        ("/v/loom/review", all),
        ("/api/v1/ventures/loom/entries/1", all),
        ("/api/v1/ventures/loom/review-queue", all),
        ("/v/loom/recurring", members),
        ("/api/v1/ventures/loom/recurring", members),
        ("/v/loom/needs", all),
        ("/v/loom/well", all),
        ("/v/loom/well/ben", all),
        ("/v/loom/costs", all),
        ("/v/loom/goods", all),
        ("/goods", all),
        ("/api/v1/ventures/loom/needs", all),
        ("/api/v1/ventures/loom/well", all),
        ("/api/v1/ventures/loom/well/ben", all),
        ("/api/v1/ventures/loom/costs", all),
        ("/api/v1/ventures/loom/bookings", all),
        ("/api/v1/goods", all),
        ("/api/v1/me/goods/inbox", signed_in),
    ];
    for (path, expected) in &pages {
        for ((role, browser), want) in roles.iter_mut().zip(expected) {
            let reply = browser.get(path).await;
            assert_eq!(reply.status, *want, "GET {path} as {role}: {}", &reply.text[..reply.text.len().min(300)]);
        }
    }

    let forms: Vec<(&str, Vec<(&str, &str)>, [StatusCode; 4])> = vec![
        ("/v/loom/log", vec![("action", "preview"), ("kind", "time"), ("member", "ben"), ("date", "2026-01-15"), ("quantity", "1")], [NO, FORBID, OK, OK]),
        ("/v/loom/log", vec![("action", "record"), ("kind", "time"), ("member", "ben"), ("date", "2026-01-15"), ("quantity", "1")], [NO, FORBID, SEE, SEE]),
        ("/v/loom/ledger/1/reverse", vec![("reason", "wrong")], [NO, FORBID, FORBID, SEE]),
        ("/v/loom/policy", vec![("preset", "hours-only"), ("effective_from", "2026-03-01")], [NO, FORBID, FORBID, SEE]),
        ("/v/loom/settings/access", vec![("join_mode", "request"), ("visibility", "public")], [NO, FORBID, FORBID, SEE]),
        ("/v/loom/settings/invite", vec![("username", "carl"), ("role", "member")], [NO, FORBID, FORBID, SEE]),
        ("/account/tokens", vec![("name", "script")], [NO, NEW, NEW, NEW]),
    ];
    for (path, fields, expected) in &forms {
        for ((role, browser), want) in roles.iter_mut().zip(expected) {
            let reply = browser.post(path, fields).await;
            assert_eq!(reply.status, *want, "POST {path} as {role}: {}", &reply.text[..reply.text.len().min(300)]);
        }
    }

    let api: Vec<(&str, &str, Value, [StatusCode; 4])> = vec![
        (
            "POST",
            "/api/v1/ventures/loom/entries/preview",
            json!({"member": "ben", "date": "2026-01-15", "kind": "time", "quantity": "1"}),
            [NO, FORBID, OK, OK],
        ),
        ("POST", "/api/v1/ventures/loom/entries", json!({"member": "ben", "date": "2026-01-15", "kind": "time", "quantity": "1"}), [NO, FORBID, NEW, NEW]),
        ("POST", "/api/v1/ventures/loom/entries/2/reversal", json!({"reason": "wrong"}), [NO, FORBID, FORBID, NEW]),
        // The member sets their own terms; the steward may set anyone's, but not again from the same date.
        (
            "POST",
            "/api/v1/ventures/loom/members/ben/terms",
            json!({"effective_from": "2026-05-01", "hourly_rate": "45"}),
            [NO, FORBID, NEW, StatusCode::UNPROCESSABLE_ENTITY],
        ),
        ("POST", "/api/v1/ventures/loom/members/ana/terms", json!({"effective_from": "2026-06-01", "hourly_rate": "55"}), [NO, FORBID, FORBID, NEW]),
        ("POST", "/api/v1/ventures/loom/policy", json!({"preset": "slicing-pie", "effective_from": "2026-04-01"}), [NO, FORBID, FORBID, NEW]),
        ("PUT", "/api/v1/ventures/loom/access", json!({"join_mode": "open", "visibility": "public"}), [NO, FORBID, FORBID, OK]),
        ("POST", "/api/v1/ventures/loom/members", json!({"username": "dan"}), [NO, FORBID, FORBID, NEW]),
        ("POST", "/api/v1/ventures/loom/join-requests/carl", json!({"accept": true}), [NO, FORBID, FORBID, StatusCode::NOT_FOUND]),
    ];
    for (method, path, body, expected) in &api {
        for ((role, browser), want) in roles.iter_mut().zip(expected) {
            let reply = browser.api(method, path, Some(body.clone())).await;
            assert_eq!(reply.status, *want, "{method} {path} as {role}: {}", reply.text);
            if reply.status.is_client_error() {
                assert!(reply.json()["error"]["code"].is_string(), "{method} {path} as {role}: {}", reply.text);
            }
        }
    }
    // What the writes left: the steward's 2, the member's and the steward's from the form, a
    // reversal, the same two from the API, and another reversal.
    let ledger = roles[3].1.api("GET", "/api/v1/ventures/loom/entries", None).await.json();
    let kinds: Vec<&str> = ledger["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["time", "time", "time", "time", "reversal", "time", "time", "reversal"], "{ledger}");
    let authors: Vec<&str> = ledger["entries"].as_array().unwrap().iter().map(|e| e["author"].as_str().unwrap()).collect();
    assert_eq!(authors, ["ana", "ana", "ben", "ana", "ana", "ben", "ana", "ana"]);

    // Review: ben disputes ana's new entry 9 (its author cannot), then withdraws it (only he
    // can); ben amends his own entry 6, after which it is closed to everyone.
    const CLOSED: StatusCode = StatusCode::CONFLICT;
    let own = roles[3].1.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"date": "2026-01-15", "kind": "time", "quantity": "1"}))).await;
    assert_eq!(own.json()["seq"], 9);
    let review_forms: Vec<(&str, Vec<(&str, &str)>, [StatusCode; 4])> =
        vec![("/v/loom/entries/9/review", vec![("step", "dispute"), ("note", "I was there; it was shorter")], [NO, FORBID, SEE, FORBID])];
    for (path, fields, expected) in &review_forms {
        for ((role, browser), want) in roles.iter_mut().zip(expected) {
            let reply = browser.post(path, fields).await;
            assert_eq!(reply.status, *want, "POST {path} as {role}: {}", &reply.text[..reply.text.len().min(300)]);
        }
    }
    let review_api: Vec<(&str, Value, [StatusCode; 4])> = vec![
        ("/api/v1/ventures/loom/entries/9/review", json!({"step": "withdraw"}), [NO, FORBID, NEW, CLOSED]),
        ("/api/v1/ventures/loom/entries/9/review", json!({"step": "approve"}), [NO, FORBID, CLOSED, CLOSED]),
        (
            "/api/v1/ventures/loom/entries/6/amendment",
            json!({"reason": "it was 2 hours", "entry": {"member": "ben", "date": "2026-01-15", "kind": "time", "quantity": "2"}}),
            [NO, FORBID, NEW, CLOSED],
        ),
    ];
    for (path, body, expected) in &review_api {
        for ((role, browser), want) in roles.iter_mut().zip(expected) {
            let reply = browser.api("POST", path, Some(body.clone())).await;
            assert_eq!(reply.status, *want, "POST {path} as {role}: {}", reply.text);
        }
    }
    let entry = roles[0].1.api("GET", "/api/v1/ventures/loom/entries/9", None).await.json();
    assert_eq!(entry["status"], "counted", "{entry}");
    assert_eq!(entry["steps"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect::<Vec<_>>(), ["dispute", "dispute-withdrawn"]);
    let amended = roles[0].1.api("GET", "/api/v1/ventures/loom/entries/6", None).await.json();
    assert_eq!((amended["reversed_by"].as_u64(), amended["amended_by"].as_u64()), (Some(12), Some(13)), "{amended}");
}

//! In-process tests of every route, pages and API, through the real router over a SQLite file.
#![allow(clippy::unwrap_used, clippy::type_complexity)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use peerstake_app::{Commons, Now};
use peerstake_web::{AppState, CSRF_COOKIE, SESSION_COOKIE, router};
use serde_json::{Value, json};
use time::macros::date;
use tower::ServiceExt;

mod e2e;

struct Server {
    app: Router,
    /// The SQLite file's directory, removed when the test ends.
    dir: Option<std::path::PathBuf>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn server() -> Server {
    let dir = std::env::temp_dir().join(format!("peerstake-web-{}-{}-{}", std::process::id(), unique_nanos(), rand_suffix()));
    // A directory left by an earlier run whose process id is reused must not leak its accounts in.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    server_on(&format!("sqlite://{}", dir.join("web.db").display()), Some(dir))
}

fn server_on(url: &str, dir: Option<std::path::PathBuf>) -> Server {
    let commons = peerstake_backends::open(url).map(Commons::with_store).unwrap();
    let clock = Arc::new(|| Now::noon_of(date!(2026 - 01 - 15)));
    Server { app: router(AppState::new(Arc::new(commons), clock, true)), dir }
}

fn unique_nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

/// A fresh PostgreSQL database for one test, dropped afterwards; none when
/// `PEERSTAKE_TEST_POSTGRES_URL` is unset.
struct PostgresDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PostgresDatabase {
    fn create() -> Option<PostgresDatabase> {
        let admin_url = std::env::var("PEERSTAKE_TEST_POSTGRES_URL").ok()?;
        let name = format!("peerstake_web_{}_{}", std::process::id(), rand_suffix());
        let mut client = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap();
        client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(base, _)| base).to_string();
        Some(PostgresDatabase { url: format!("{base}/{name}"), admin_url, name })
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.admin_url, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    fn location(&self) -> String {
        self.headers.get(header::LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    }
}

/// A browser: keeps cookies, sends the anti-forgery token with forms.
#[derive(Clone)]
struct Browser {
    app: Router,
    cookies: HashMap<String, String>,
    bearer: Option<String>,
}

impl Browser {
    fn new(server: &Server) -> Browser {
        Browser { app: server.app.clone(), cookies: HashMap::new(), bearer: None }
    }

    async fn send(&mut self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        for cookie in headers.get_all(header::SET_COOKIE) {
            let text = cookie.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply { status, headers, text: String::from_utf8_lossy(&bytes).to_string() }
    }

    fn request(&self, method: &str, uri: &str) -> axum::http::request::Builder {
        let mut builder = Request::builder().method(method).uri(uri);
        if !self.cookies.is_empty() {
            let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            builder = builder.header(header::COOKIE, cookie);
        }
        if let Some(token) = &self.bearer {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        builder
    }

    async fn get(&mut self, uri: &str) -> Reply {
        let request = self.request("GET", uri).body(Body::empty()).unwrap();
        self.send(request).await
    }

    fn csrf(&self) -> String {
        self.cookies.get(CSRF_COOKIE).cloned().unwrap_or_default()
    }

    /// Posts a form with this browser's anti-forgery token (visiting the commons first if it has none).
    async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Reply {
        if !self.cookies.contains_key(CSRF_COOKIE) {
            self.get("/").await;
        }
        let csrf = self.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(uri, &all).await
    }

    async fn post_raw(&mut self, uri: &str, fields: &[(&str, &str)]) -> Reply {
        let body = fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
        let request = self.request("POST", uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(body)).unwrap();
        self.send(request).await
    }

    async fn api(&mut self, method: &str, uri: &str, body: Option<Value>) -> Reply {
        let mut builder = self.request(method, uri);
        if self.bearer.is_none() && self.cookies.contains_key(SESSION_COOKIE) {
            builder = builder.header("x-csrf-token", self.csrf());
        }
        let request = match body {
            Some(body) => builder.header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())).unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        };
        self.send(request).await
    }

    async fn sign_up(&mut self, username: &str) -> Reply {
        let password = format!("{username}-long-password");
        self.post("/signup", &[("username", username), ("display_name", &username.to_uppercase()), ("password", &password)]).await
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A signed-up browser.
async fn person(server: &Server, username: &str) -> Browser {
    let mut browser = Browser::new(server);
    let reply = browser.sign_up(username).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    assert!(browser.cookies.contains_key(SESSION_COOKIE));
    browser
}

/// A venture `slug` whose steward is `steward`, with join mode and visibility.
async fn venture(steward: &mut Browser, slug: &str, join_mode: &str, visibility: &str) {
    let reply = steward
        .post(
            "/new",
            &[
                ("name", &format!("Venture {slug}")),
                ("slug", slug),
                ("pitch", "Making things"),
                ("currency", "EUR"),
                ("policy", "slicing-pie"),
                ("join_mode", join_mode),
                ("visibility", visibility),
                ("started_on", "2025-01-01"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    assert_eq!(reply.location(), format!("/v/{slug}"));
}

async fn entries(browser: &mut Browser, slug: &str) -> Vec<Value> {
    let reply = browser.api("GET", &format!("/api/v1/ventures/{slug}/entries"), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json()["entries"].as_array().unwrap().clone()
}

#[tokio::test]
async fn accounts_sign_up_in_out_and_change_password() {
    let server = server();
    let mut ana = Browser::new(&server);
    // Pages render with an anti-forgery cookie and labelled fields.
    let page = ana.get("/signup").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains(r#"<label for="f-username">"#), "{}", page.text);
    let cookie = page.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).find(|c| c.starts_with(CSRF_COOKIE)).unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure"), "{cookie}");

    // A form without the token is refused and creates nothing.
    let forged = ana.post_raw("/signup", &[("username", "ana"), ("password", "a-long-password")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let missing = ana.post("/login", &[("username", "ana"), ("password", "a-long-password")]).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED, "no account was created");

    // Bad input: the error is next to its field.
    let short = ana.post("/signup", &[("username", "ana"), ("password", "short")]).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.text.contains(r#"id="password-error""#), "{}", short.text);
    let bad_name = ana.post("/signup", &[("username", "Ana Smith"), ("password", "a-long-password")]).await;
    assert!(bad_name.text.contains(r#"id="username-error""#));

    let reply = ana.sign_up("ana").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let session = reply.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).find(|c| c.starts_with(SESSION_COOKIE)).unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Secure"), "{session}");
    assert!(ana.get("/").await.text.contains("Sign out"));
    let taken = Browser::new(&server).sign_up("ana").await;
    assert_eq!(taken.status, StatusCode::CONFLICT);

    // Change password: the wrong current one is refused; the right one ends other sessions.
    let mut other_device = Browser::new(&server);
    assert_eq!(other_device.post("/login", &[("username", "ana"), ("password", "ana-long-password")]).await.status, StatusCode::SEE_OTHER);
    let wrong = ana.post("/account/password", &[("current", "not-my-password"), ("new", "a-brand-new-password")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text.contains(r#"id="current-password-error""#));
    let changed = ana.post("/account/password", &[("current", "ana-long-password"), ("new", "a-brand-new-password")]).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    assert_eq!(ana.get("/account").await.status, StatusCode::OK);
    assert_eq!(other_device.get("/account").await.status, StatusCode::UNAUTHORIZED, "the other session ended");
    assert_eq!(Browser::new(&server).post("/login", &[("username", "ana"), ("password", "ana-long-password")]).await.status, StatusCode::UNAUTHORIZED);

    // Sign out ends the session on the server too.
    let token = ana.cookies.get(SESSION_COOKIE).cloned().unwrap();
    assert_eq!(ana.post("/logout", &[]).await.status, StatusCode::SEE_OTHER);
    assert!(!ana.cookies.contains_key(SESSION_COOKIE));
    let mut replay = Browser::new(&server);
    replay.cookies.insert(SESSION_COOKIE.into(), token);
    assert_eq!(replay.get("/account").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn failed_sign_ins_are_throttled() {
    let server = server();
    person(&server, "ben").await;
    let mut attacker = Browser::new(&server);
    for _ in 0..5 {
        assert_eq!(attacker.post("/login", &[("username", "ben"), ("password", "guess-guess-guess")]).await.status, StatusCode::UNAUTHORIZED);
    }
    let throttled = attacker.post("/login", &[("username", "ben"), ("password", "ben-long-password")]).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    let api = attacker.api("POST", "/api/v1/tokens", Some(json!({"name": "x", "username": "ben", "password": "ben-long-password"}))).await;
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(api.json()["error"]["code"], "too_many_attempts");
}

#[tokio::test]
async fn api_tokens_are_created_listed_used_and_revoked() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    let page = ana.post("/account/tokens", &[("name", "my script")]).await;
    assert_eq!(page.status, StatusCode::CREATED);
    let secret = page.text.split(r#"data-token="new">"#).nth(1).unwrap().split('<').next().unwrap().to_string();
    assert!(secret.starts_with("pst_"));
    let bad = ana.post("/account/tokens", &[("name", "")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let mut script = Browser::new(&server);
    script.bearer = Some(secret.clone());
    let me = script.api("GET", "/api/v1/me", None).await;
    assert_eq!(me.json()["username"], "ana");
    // A script gets a token with a username and password, no cookie involved.
    let mut ci = Browser::new(&server);
    let created = ci.api("POST", "/api/v1/tokens", Some(json!({"name": "ci", "username": "ana", "password": "ana-long-password"}))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    ci.bearer = Some(created.json()["token"].as_str().unwrap().to_string());
    assert_eq!(ci.api("GET", "/api/v1/me", None).await.status, StatusCode::OK);
    let listed = script.api("GET", "/api/v1/tokens", None).await.json();
    assert_eq!(listed.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect::<Vec<_>>(), ["ci", "my script"]);
    assert!(listed.as_array().unwrap().iter().all(|t| t.get("token").is_none()), "secrets are shown once only");
    let id = listed[0]["id"].as_i64().unwrap();
    assert_eq!(script.api("DELETE", &format!("/api/v1/tokens/{id}"), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(script.api("DELETE", &format!("/api/v1/tokens/{id}"), None).await.status, StatusCode::NOT_FOUND);
    let mut outsider = person(&server, "olga").await;
    assert_eq!(outsider.api("DELETE", "/api/v1/tokens/1", None).await.status, StatusCode::NOT_FOUND, "nobody revokes another's token");
    assert_eq!(script.api("GET", "/api/v1/me", None).await.status, StatusCode::OK);
    let revoked = ci.api("GET", "/api/v1/me", None).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(revoked.json()["error"]["code"], "unauthorized");

    // A browser session calling the API must send the anti-forgery header on writes.
    let mut no_header = ana.clone();
    let request = no_header.request("POST", "/api/v1/tokens").header(header::CONTENT_TYPE, "application/json").body(Body::from(r#"{"name":"x"}"#)).unwrap();
    assert_eq!(no_header.send(request).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_commons_lists_open_ventures_and_hides_members_only_ones() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;
    venture(&mut ana, "secret-lab", "invite", "members").await;
    let mut visitor = Browser::new(&server);
    let commons = visitor.get("/").await;
    assert!(commons.text.contains("Venture loom") && !commons.text.contains("secret-lab"), "{}", commons.text);
    assert!(commons.text.contains("Open: anyone may join."));
    assert!(visitor.get("/?q=LOOM").await.text.contains("Venture loom"));
    assert!(!visitor.get("/?q=nothing-like-it").await.text.contains("Venture loom"));
    assert!(ana.get("/").await.text.contains("Venture secret-lab"), "members see their members-only ventures");
    let api = visitor.api("GET", "/api/v1/ventures?q=loom", None).await.json();
    assert_eq!(api.as_array().unwrap().len(), 1);
    assert_eq!(api[0]["join_mode"], "open");

    // A members-only venture does not exist for outsiders, on any route.
    let mut outsider = person(&server, "olga").await;
    for uri in [
        "/v/secret-lab",
        "/v/secret-lab/ledger",
        "/v/secret-lab/policy",
        "/v/secret-lab/members/ana",
        "/v/secret-lab/split.csv",
        "/v/secret-lab/ledger.csv",
        "/v/secret-lab/export.json",
        "/v/secret-lab/log",
    ] {
        assert_eq!(outsider.get(uri).await.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(visitor.get(uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
    for uri in [
        "/api/v1/ventures/secret-lab",
        "/api/v1/ventures/secret-lab/split",
        "/api/v1/ventures/secret-lab/entries",
        "/api/v1/ventures/secret-lab/members",
        "/api/v1/ventures/secret-lab/policy",
        "/api/v1/ventures/secret-lab/export",
        "/api/v1/ventures/secret-lab/members/ana/trace",
    ] {
        let reply = outsider.api("GET", uri, None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(reply.json()["error"]["code"], "not_found");
    }
    let join = outsider.post("/v/secret-lab/join", &[]).await;
    assert_eq!(join.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn joining_open_by_request_and_by_invitation() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "open-one", "open", "public").await;
    venture(&mut ana, "ask-first", "request", "public").await;
    venture(&mut ana, "invited", "invite", "public").await;
    let mut ben = person(&server, "ben").await;

    // Bad input is shown next to its field on the page it came from, and nobody joins.
    let bad_rate = ben.post("/v/open-one/join", &[("hourly_rate", "-25")]).await;
    assert_eq!(bad_rate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_rate.text.contains(r#"id="hourly-rate-error""#) && bad_rate.text.contains(r#"data-chart="pie""#), "{}", bad_rate.text);
    assert_eq!(ben.api("GET", "/api/v1/ventures/open-one/members", None).await.json().as_array().unwrap().len(), 1);
    assert_eq!(ben.post("/v/open-one/join", &[("hourly_rate", "25")]).await.status, StatusCode::SEE_OTHER);
    let members = ben.api("GET", "/api/v1/ventures/open-one/members", None).await.json();
    assert_eq!(members.as_array().unwrap().iter().map(|m| m["handle"].as_str().unwrap()).collect::<Vec<_>>(), ["ana", "ben"]);
    assert_eq!(members[1]["terms"], "25.00 / hour");

    assert_eq!(ben.post("/v/ask-first/join", &[("message", "I weave")]).await.status, StatusCode::SEE_OTHER);
    assert!(ben.get("/v/ask-first").await.text.contains("waits for the stewards"));
    assert_eq!(ben.get("/v/ask-first/settings").await.status, StatusCode::FORBIDDEN);
    let settings = ana.get("/v/ask-first/settings").await;
    assert!(settings.text.contains("I weave"), "{}", settings.text);
    assert_eq!(ana.post("/v/ask-first/settings/requests/ben", &[("accept", "true")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(ben.api("GET", "/api/v1/ventures/ask-first", None).await.json()["your_handle"], "ben");
    let again = ana.post("/v/ask-first/settings/requests/ben", &[("accept", "true")]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "decided once: {}", again.text);

    let refused = ben.api("POST", "/api/v1/ventures/invited/join", Some(json!({}))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(ben.post("/v/invited/settings/invite", &[("username", "ben")]).await.status, StatusCode::FORBIDDEN, "only stewards invite");
    assert_eq!(ana.post("/v/invited/settings/invite", &[("username", "ben"), ("role", "advisor")]).await.status, StatusCode::SEE_OTHER);
    let members = ana.api("GET", "/api/v1/ventures/invited/members", None).await.json();
    assert_eq!(members[1]["role"], "advisor");
    let unknown = ana.post("/v/invited/settings/invite", &[("username", "nobody-here")]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.text.contains("nobody-here") && unknown.text.contains("Invite someone"), "the form is shown again: {}", unknown.text);

    // Access settings: stewards only, checked.
    assert_eq!(ben.post("/v/open-one/settings/access", &[("join_mode", "invite"), ("visibility", "public")]).await.status, StatusCode::FORBIDDEN);
    let bad_mode = ana.post("/v/open-one/settings/access", &[("join_mode", "sometimes"), ("visibility", "public")]).await;
    assert_eq!(bad_mode.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_mode.text.contains("use open, request or invite") && bad_mode.text.contains("Who may join"));
    assert_eq!(ana.post("/v/open-one/settings/access", &[("join_mode", "invite"), ("visibility", "members")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(Browser::new(&server).get("/v/open-one").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn logging_previewing_and_reversing_follow_the_rules() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;
    let mut ben = person(&server, "ben").await;
    ben.post("/v/loom/join", &[("hourly_rate", "40")]).await;
    let mut cleo = person(&server, "cleo").await;
    cleo.post("/v/loom/join", &[("hourly_rate", "30")]).await;

    // The form, the preview (nothing written) and the record.
    let form = ben.get("/v/loom/log?kind=time").await;
    assert!(form.text.contains(r#"<label for="f-quantity">Hours"#), "{}", form.text);
    let preview =
        ben.post("/v/loom/log", &[("action", "preview"), ("kind", "time"), ("member", "ben"), ("date", "2026-01-15"), ("quantity", "2"), ("key", "k1")]).await;
    assert_eq!(preview.status, StatusCode::OK);
    // 2 hours at 40 = 80.00 FMV; non-cash ×2 = 160.00 slices.
    assert!(preview.text.contains("160.00 slices") && preview.text.contains("Record it"), "{}", preview.text);
    assert!(entries(&mut ben, "loom").await.is_empty(), "a preview writes nothing");
    let recorded =
        ben.post("/v/loom/log", &[("action", "record"), ("kind", "time"), ("member", "ben"), ("date", "2026-01-15"), ("quantity", "2"), ("key", "k1")]).await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER);
    let retried =
        ben.post("/v/loom/log", &[("action", "record"), ("kind", "time"), ("member", "ben"), ("date", "2026-01-15"), ("quantity", "2"), ("key", "k1")]).await;
    assert_eq!(retried.status, StatusCode::SEE_OTHER);
    assert_eq!(entries(&mut ben, "loom").await.len(), 1, "a retried form adds nothing");

    // Bad input: the error next to the field, nothing written.
    for (fields, error_id) in [
        (vec![("quantity", "-3")], "hours-error"),
        (vec![("quantity", "2"), ("date", "2027-01-01")], "date-error"),
        (vec![("quantity", "2"), ("date", "someday")], "date-error"),
    ] {
        let mut all = vec![("action", "record"), ("kind", "time"), ("member", "ben"), ("date", "2026-01-15")];
        for (k, v) in &fields {
            all.retain(|(key, _)| key != k);
            all.push((k, v));
        }
        let reply = ben.post("/v/loom/log", &all).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(reply.text.contains(&format!(r#"id="{error_id}""#)), "{fields:?}: {}", reply.text);
    }
    assert_eq!(entries(&mut ben, "loom").await.len(), 1);

    // Members log for themselves; stewards for anyone.
    let for_cleo =
        ben.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"member": "cleo", "date": "2026-01-15", "kind": "time", "quantity": "1"}))).await;
    assert_eq!(for_cleo.status, StatusCode::FORBIDDEN);
    assert_eq!(for_cleo.json()["error"]["code"], "forbidden");
    let withdrawal = ben.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"date": "2026-01-15", "kind": "withdrawal", "amount": "1"}))).await;
    assert_eq!(withdrawal.status, StatusCode::FORBIDDEN, "only stewards spend from the well");
    let by_steward = ana
        .api("POST", "/api/v1/ventures/loom/entries", Some(json!({"member": "cleo", "date": "2026-01-15", "kind": "time", "quantity": "1", "note": "pairing"})))
        .await;
    assert_eq!(by_steward.status, StatusCode::CREATED, "{}", by_steward.text);
    let entry = by_steward.json();
    assert_eq!((entry["member"].as_str(), entry["author"].as_str(), entry["slices"].as_str()), (Some("cleo"), Some("ana"), Some("60.00")));
    let own = cleo.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"date": "2026-01-15", "kind": "expense", "amount": "12.50"}))).await;
    assert_eq!(own.status, StatusCode::CREATED, "the member defaults to oneself");
    assert_eq!(own.json()["member"], "cleo");
    let preview = cleo.api("POST", "/api/v1/ventures/loom/entries/preview", Some(json!({"date": "2026-01-15", "kind": "deposit", "amount": "50"}))).await;
    assert_eq!((preview.status, preview.json()["slices"].as_str()), (StatusCode::OK, Some("0.00")));
    let bad = cleo.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"date": "2026-01-15", "kind": "expense", "amount": "-5"}))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["field"], "amount");
    let not_json = cleo.api("POST", "/api/v1/ventures/loom/entries", None).await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(not_json.json()["error"]["code"], "invalid_request");
    assert_eq!(entries(&mut ana, "loom").await.len(), 3);

    // Reversal: by the author or a steward, with a reason.
    let seq_ben = 1;
    let seq_cleo_expense = 3;
    assert_eq!(cleo.post(&format!("/v/loom/ledger/{seq_ben}/reverse"), &[("reason", "not mine")]).await.status, StatusCode::FORBIDDEN);
    let no_reason = ben.api("POST", &format!("/api/v1/ventures/loom/entries/{seq_ben}/reversal"), Some(json!({"reason": " "}))).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let blank = ben.post(&format!("/v/loom/ledger/{seq_ben}/reverse"), &[("reason", "  ")]).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.text.contains("Entry #1 was not reversed") && blank.text.contains(r#"id="reason-error""#), "{}", blank.text);
    assert_eq!(ben.post(&format!("/v/loom/ledger/{seq_ben}/reverse"), &[("reason", "wrong day")]).await.status, StatusCode::SEE_OTHER);
    let steward = ana.api("POST", &format!("/api/v1/ventures/loom/entries/{seq_cleo_expense}/reversal"), Some(json!({"reason": "duplicate"}))).await;
    assert_eq!(steward.status, StatusCode::CREATED);
    assert_eq!(steward.json()["reverses"], 3);
    let again = ana.api("POST", &format!("/api/v1/ventures/loom/entries/{seq_cleo_expense}/reversal"), Some(json!({"reason": "again"}))).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let split = ana.api("GET", "/api/v1/ventures/loom/split", None).await.json();
    assert_eq!(split["total_slices"], "60.00");
    assert_eq!(split["members"].as_array().unwrap().iter().map(|m| m["share_percent"].as_str().unwrap()).collect::<Vec<_>>(), ["0.00", "0.00", "100.00"]);

    // Outsiders and visitors cannot write.
    let mut olga = person(&server, "olga").await;
    assert_eq!(olga.get("/v/loom/log").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        olga.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"date": "2026-01-15", "kind": "time", "quantity": "1"}))).await.status,
        StatusCode::FORBIDDEN
    );
    let mut visitor = Browser::new(&server);
    assert_eq!(
        visitor.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"date": "2026-01-15", "kind": "time", "quantity": "1"}))).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(visitor.post("/v/loom/ledger/2/reverse", &[("reason", "x")]).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(entries(&mut ana, "loom").await.len(), 5);
}

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
async fn pages_show_the_split_its_history_the_ledger_and_the_formula() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;
    let mut ben = person(&server, "ben").await;
    ben.post("/v/loom/join", &[]).await;
    // Members set their own terms (here from before they joined: nothing is valued yet).
    assert_eq!(
        ben.api("POST", "/api/v1/ventures/loom/members/ben/terms", Some(json!({"effective_from": "2025-01-01", "hourly_rate": "40"}))).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        ana.api("POST", "/api/v1/ventures/loom/members/ana/terms", Some(json!({"effective_from": "2025-01-01", "hourly_rate": "50"}))).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        ben.api("POST", "/api/v1/ventures/loom/members/ana/terms", Some(json!({"effective_from": "2025-01-02", "hourly_rate": "500"}))).await.status,
        StatusCode::FORBIDDEN
    );
    // Ben joined today: his work counts from today on.
    for (who, date, hours) in [("ana", "2025-11-03", "3"), ("ben", "2026-01-15", "2"), ("ben", "2026-01-15", "4")] {
        let reply = ana.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"member": who, "date": date, "kind": "time", "quantity": hours}))).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }
    // ana: 3 h × 50 × 2 = 300.00; ben: 6 h × 40 × 2 = 480.00.
    let page = ben.get("/v/loom").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains(r#"data-chart="pie""#) && page.text.contains(r#"data-chart="history""#), "{}", page.text);
    assert!(page.text.contains(r#"data-share="ana">38.46%"#) && page.text.contains(r#"data-share="ben">61.54%"#), "{}", page.text);
    assert!(page.text.contains("My slices and how I earned them") && page.text.contains("480.00"));
    assert!(page.text.contains(r#"name="viewport""#));

    let member = ben.get("/v/loom/members/ben").await;
    assert!(member.text.contains("#2") && member.text.contains("#3") && member.text.contains("Policy version"), "{}", member.text);
    assert_eq!(ben.get("/v/loom/members/nobody").await.status, StatusCode::NOT_FOUND);

    let ledger = ben.get("/v/loom/ledger?member=ben&limit=1").await;
    assert!(ledger.text.contains(r#"id="entry-2""#) && !ledger.text.contains(r#"id="entry-3""#) && ledger.text.contains("Next page"), "{}", ledger.text);
    let filtered = ben.get("/v/loom/ledger?from=2026-01-01").await;
    assert!(filtered.text.contains(r#"id="entry-3""#) && !filtered.text.contains(r#"id="entry-1""#));
    assert_eq!(ben.get("/v/loom/ledger?from=yesterday").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page_api = ben.api("GET", "/api/v1/ventures/loom/entries?limit=2", None).await.json();
    assert_eq!((page_api["entries"].as_array().unwrap().len(), page_api["next_after"].as_u64()), (2, Some(2)));
    assert_eq!(ben.api("GET", "/api/v1/ventures/loom/entries?limit=many", None).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    let policy = ben.get("/v/loom/policy?candidate=hours-only").await;
    assert!(policy.text.contains("Share under hours-only") && !policy.text.contains("Adopt a formula"), "{}", policy.text);
    let as_of = ben.api("GET", "/api/v1/ventures/loom/split?as_of=2025-11-30", None).await.json();
    assert_eq!(as_of["members"][0]["share_percent"], "100.00");
    let candidate = ben.api("GET", "/api/v1/ventures/loom/split?policy=hours-only", None).await.json();
    assert_eq!(candidate["policy"], "hours-only");
    assert_eq!(ben.post("/v/loom/policy", &[("preset", "hours-only"), ("effective_from", "2026-02-01")]).await.status, StatusCode::FORBIDDEN);
    let retroactive = ana.post("/v/loom/policy", &[("preset", "hours-only"), ("effective_from", "2026-01-01")]).await;
    assert_eq!(retroactive.status, StatusCode::UNPROCESSABLE_ENTITY, "not retroactive");
    assert!(retroactive.text.contains("Adopt a formula") && retroactive.text.contains("already valued"), "{}", retroactive.text);
    let no_date = ana.post("/v/loom/policy", &[("preset", "hours-only"), ("effective_from", "")]).await;
    assert!(no_date.text.contains(r#"id="effective-from-error""#), "{}", no_date.text);
    assert_eq!(ana.post("/v/loom/policy", &[("preset", "hours-only"), ("effective_from", "2026-02-01")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(ana.api("GET", "/api/v1/ventures/loom/policy", None).await.json().as_array().unwrap().len(), 2);

    let csv = ben.get("/v/loom/split.csv").await;
    assert!(csv.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.text.starts_with("member,name,role,slices,share_percent") && csv.text.contains("ben,BEN,member,480.00,61.54"), "{}", csv.text);
    let ledger_csv = ben.get("/v/loom/ledger.csv").await;
    assert_eq!(ledger_csv.text.lines().count(), 4);
    let export = ben.get("/v/loom/export.json").await;
    let document: Value = serde_json::from_str(&export.text).unwrap();
    assert_eq!(document["venture"]["slug"], "loom");
    assert_eq!(ben.api("GET", "/api/v1/ventures/loom/export", None).await.json()["venture"]["slug"], "loom");
}

#[tokio::test]
async fn creating_a_venture_bad_input_and_the_api() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    assert_eq!(Browser::new(&server).get("/new").await.status, StatusCode::UNAUTHORIZED);
    let bad = ana.post("/new", &[("name", "Loom"), ("slug", "Bad Slug"), ("currency", "EUR")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains(r#"id="slug-error""#));
    let currency = ana.post("/new", &[("name", "Loom"), ("slug", "loom"), ("currency", "XXQ")]).await;
    assert_eq!(currency.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(ana.api("GET", "/api/v1/ventures", None).await.json().as_array().unwrap().is_empty(), "nothing was written");

    let created = ana.api("POST", "/api/v1/ventures", Some(json!({"slug": "kiln", "name": "Kiln", "currency": "usd", "visibility": "members"}))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let body = created.json();
    assert_eq!((body["currency"].as_str(), body["your_handle"].as_str(), body["you_are_steward"].as_bool()), (Some("USD"), Some("ana"), Some(true)));
    let taken = ana.api("POST", "/api/v1/ventures", Some(json!({"slug": "kiln", "name": "Kiln", "currency": "USD"}))).await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    let mut ben = person(&server, "ben").await;
    assert_eq!(ben.api("POST", "/api/v1/ventures", Some(json!({"slug": "kiln", "name": "Mine now", "currency": "USD"}))).await.status, StatusCode::CONFLICT);
    let missing = ana.api("POST", "/api/v1/ventures", Some(json!({"slug": "x-y"}))).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.json()["error"]["code"], "invalid_request");
    let visitor = Browser::new(&server).api("POST", "/api/v1/ventures", Some(json!({"slug": "free", "name": "Free", "currency": "EUR"}))).await;
    assert_eq!(visitor.status, StatusCode::UNAUTHORIZED);
    let access = ana.api("PUT", "/api/v1/ventures/kiln/access", Some(json!({"join_mode": "request", "visibility": "public"}))).await;
    assert_eq!(access.status, StatusCode::OK);
    let request = ben.api("POST", "/api/v1/ventures/kiln/join", Some(json!({"message": "hello"}))).await.json();
    assert_eq!(request["status"], "requested");
    let pending = ana.api("GET", "/api/v1/ventures/kiln/join-requests", None).await.json();
    assert_eq!(pending[0]["username"], "ben");
    let decided = ana.api("POST", "/api/v1/ventures/kiln/join-requests/ben", Some(json!({"accept": false}))).await.json();
    assert_eq!(decided["status"], "declined");
    let invited = ana.api("POST", "/api/v1/ventures/kiln/members", Some(json!({"username": "ben", "role": "backer"}))).await;
    assert_eq!(invited.status, StatusCode::CREATED);
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
    // The PostgreSQL driver is synchronous: set-up and tear-down run off the async workers.
    let Some(database) = tokio::task::block_in_place(PostgresDatabase::create) else { return };
    let server = tokio::task::block_in_place(|| server_on(&database.url, None));
    every_route(&server).await;
    tokio::task::block_in_place(move || {
        drop(server);
        drop(database);
    });
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

/// Ben's slices in loom's current split.
async fn slices_of(browser: &mut Browser, handle: &str) -> String {
    let split = browser.api("GET", "/api/v1/ventures/loom/split", None).await.json();
    split["members"].as_array().unwrap().iter().find(|m| m["member"] == handle).map(|m| m["slices"].as_str().unwrap().to_string()).unwrap()
}

#[tokio::test]
async fn entries_wait_for_review_and_disputes_take_them_out() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    let created = ana
        .api(
            "POST",
            "/api/v1/ventures",
            Some(json!({"slug": "loom", "name": "Loom", "currency": "EUR", "policy_toml": "review = \"stewards\"", "started_on": "2026-01-01"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let mut ben = person(&server, "ben").await;
    ben.post("/v/loom/join", &[("hourly_rate", "40")]).await;
    let mut cy = person(&server, "cy").await;
    cy.post("/v/loom/join", &[("hourly_rate", "40")]).await;

    let logged = ben.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"date": "2026-01-15", "kind": "time", "quantity": "5"}))).await;
    assert_eq!(logged.status, StatusCode::CREATED, "{}", logged.text);
    let entry = ben.api("GET", "/api/v1/ventures/loom/entries/1", None).await.json();
    assert_eq!((entry["status"].as_str(), entry["entry"]["slices"].as_str()), (Some("pending"), Some("400.00")), "{entry}");
    assert_eq!(slices_of(&mut ben, "ben").await, "0.00", "a pending entry does not count");

    let own = ben.api("POST", "/api/v1/ventures/loom/entries/1/review", Some(json!({"step": "approve"}))).await;
    assert_eq!((own.status, own.json()["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_entry")));
    let peer = cy.api("POST", "/api/v1/ventures/loom/entries/1/review", Some(json!({"step": "approve"}))).await;
    assert_eq!((peer.status, peer.json()["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("stewards_only")));
    let bad = cy.api("POST", "/api/v1/ventures/loom/entries/1/review", Some(json!({"step": "applaud"}))).await;
    assert_eq!((bad.status, bad.json()["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("step")));
    let queue = cy.get("/v/loom/review").await;
    assert!(queue.text.contains(r#"data-status="pending""#) && queue.text.contains("/v/loom/entries/1"), "{}", queue.text);

    // The steward approves on the entry's page.
    let page = ana.get("/v/loom/entries/1").await;
    assert!(page.text.contains(r#"name="step" value="approve""#), "{}", page.text);
    assert_eq!(ana.post("/v/loom/entries/1/review", &[("step", "approve")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(slices_of(&mut ben, "ben").await, "400.00");

    // A dispute needs a reason, shown next to the field; then it takes the entry out.
    let empty = cy.post("/v/loom/entries/1/review", &[("step", "dispute"), ("note", " ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text.contains(r#"id="reason-error""#), "{}", empty.text);
    assert_eq!(ben.api("GET", "/api/v1/ventures/loom/entries/1", None).await.json()["steps"].as_array().unwrap().len(), 1, "nothing written");
    let disputed =
        cy.api("POST", "/api/v1/ventures/loom/entries/1/review", Some(json!({"step": "dispute", "note": "<script>alert(1)</script> too long"}))).await;
    assert_eq!((disputed.status, disputed.json()["status"].as_str()), (StatusCode::CREATED, Some("disputed")));
    assert_eq!(slices_of(&mut ben, "ben").await, "0.00");
    let vote = cy.api("POST", "/api/v1/ventures/loom/entries/1/review", Some(json!({"step": "vote", "verdict": "reject"}))).await;
    assert_eq!((vote.status, vote.json()["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("other_rule")), "this policy has stewards decide");
    let page = ben.get("/v/loom/entries/1").await;
    assert!(page.text.contains("&lt;script&gt;") && !page.text.contains("<script>alert"), "the reason is shown as text");
    let decided =
        ana.api("POST", "/api/v1/ventures/loom/entries/1/review", Some(json!({"step": "decide", "verdict": "uphold", "note": "timesheet checked"}))).await;
    assert_eq!((decided.status, decided.json()["status"].as_str()), (StatusCode::CREATED, Some("counted")));
    assert_eq!(slices_of(&mut ben, "ben").await, "400.00");
    let ledger = ben.get("/v/loom/ledger").await;
    assert!(ledger.text.contains(r#"data-status="counted""#) && ledger.text.contains("decision of #1"), "{}", ledger.text);
    // Members-only ventures hide their entries from outsiders, reviews included.
    ana.api("PUT", "/api/v1/ventures/loom/access", Some(json!({"join_mode": "open", "visibility": "members"}))).await;
    let mut olga = person(&server, "olga").await;
    assert_eq!(olga.api("GET", "/api/v1/ventures/loom/entries/1", None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(olga.api("POST", "/api/v1/ventures/loom/entries/1/review", Some(json!({"step": "dispute", "note": "x"}))).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn recurring_contributions_draft_each_period_for_the_member_to_confirm() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;
    let mut ben = person(&server, "ben").await;
    ben.post("/v/loom/join", &[("hourly_rate", "40")]).await;
    let bad = ben
        .api("POST", "/api/v1/ventures/loom/recurring", Some(json!({"kind": "time", "quantity": "20", "cadence": "daily", "starts_on": "2026-01-01"})))
        .await;
    assert_eq!((bad.status, bad.json()["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("cadence")));
    let made = ben
        .api(
            "POST",
            "/api/v1/ventures/loom/recurring",
            Some(json!({"kind": "time", "quantity": "2", "cadence": "weekly", "starts_on": "2026-01-01", "note": "Docs"})),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    assert_eq!(made.json()["member"], "ben", "for oneself by default");
    let for_ana = ben
        .api(
            "POST",
            "/api/v1/ventures/loom/recurring",
            Some(json!({"member": "ana", "kind": "time", "quantity": "2", "cadence": "weekly", "starts_on": "2026-01-01"})),
        )
        .await;
    assert_eq!(for_ana.status, StatusCode::FORBIDDEN, "members set up their own");
    // The clock is at 2026-01-15: three weeks have come round (1, 8 and 15 January).
    let listed = ben.api("GET", "/api/v1/ventures/loom/recurring", None).await.json();
    let periods: Vec<&str> = listed["drafts"].as_array().unwrap().iter().map(|d| d["period_on"].as_str().unwrap()).collect();
    assert_eq!(periods, ["2026-01-01", "2026-01-08", "2026-01-15"], "{listed}");
    // Ben's terms start on the 15th: the 15th's draft is confirmed on the page and logged.
    let page = ben.get("/v/loom/recurring").await;
    assert!(page.text.contains(r#"data-draft="1-2026-01-15""#), "{}", page.text);
    assert_eq!(
        ana.api("POST", "/api/v1/ventures/loom/recurring/1/drafts", Some(json!({"period_on": "2026-01-15", "decision": "confirm"}))).await.status,
        StatusCode::OK,
        "a steward may confirm"
    );
    let skipped = ben.api("POST", "/api/v1/ventures/loom/recurring/1/drafts", Some(json!({"period_on": "2026-01-08", "decision": "skip"}))).await;
    assert_eq!((skipped.status, skipped.json()["entry"].is_null()), (StatusCode::OK, true));
    let again = ben.api("POST", "/api/v1/ventures/loom/recurring/1/drafts", Some(json!({"period_on": "2026-01-08", "decision": "confirm"}))).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "decided once: {}", again.text);
    let early = ben.post("/v/loom/recurring/1/drafts", &[("period_on", "2026-01-01"), ("decision", "confirm")]).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY, "ben joined on the 15th: the error is shown on the page");
    assert!(early.text.contains("before ben joined"), "{}", early.text);
    let entries = ben.api("GET", "/api/v1/ventures/loom/entries", None).await.json();
    assert_eq!(entries["entries"].as_array().unwrap().len(), 1);
    assert_eq!(entries["entries"][0]["date"], "2026-01-15");
    let mut olga = person(&server, "olga").await;
    assert_eq!(olga.api("POST", "/api/v1/ventures/loom/recurring/1/stop", None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(ben.api("POST", "/api/v1/ventures/loom/recurring/1/stop", None).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn notifications_are_mailed_to_those_who_gave_an_address() {
    let dir = std::env::temp_dir().join(format!("peerstake-mail-{}-{}", std::process::id(), unique_nanos()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mail = dir.join("mail");
    let mut commons = peerstake_backends::open(&format!("sqlite://{}", dir.join("web.db").display())).map(Commons::with_store).unwrap();
    let mailer =
        peerstake_web::mail::EmailMailer::start(&format!("file://{}", mail.display()), "peerstake <peerstake@example.org>", "https://commons.example.org")
            .unwrap();
    commons.set_mailer(Arc::new(mailer));
    let clock = Arc::new(|| Now::noon_of(date!(2026 - 01 - 15)));
    let server = Server { app: router(AppState::new(Arc::new(commons), clock, true)), dir: Some(dir) };

    let mut ana = person(&server, "ana").await;
    let created = ana
        .api(
            "POST",
            "/api/v1/ventures",
            Some(json!({"slug": "loom", "name": "Loom", "currency": "EUR", "policy_toml": "review = \"stewards\"", "started_on": "2026-01-01"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let mut ben = person(&server, "ben").await;
    ben.post("/v/loom/join", &[("hourly_rate", "40")]).await;
    let bad = ana.api("PUT", "/api/v1/me/email", Some(json!({"email": "not an address"}))).await;
    assert_eq!((bad.status, bad.json()["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("email")));
    assert_eq!(ana.api("PUT", "/api/v1/me/email", Some(json!({"email": "ana@example.org"}))).await.status, StatusCode::NO_CONTENT);
    let page = ben.post("/account/notifications", &[("email", "ben@example.org")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(ben.get("/account/notifications").await.text.contains("ben@example.org"));

    // Ben's entry waits: Ana, the steward, is asked to review it; Ana disputes it and Ben is told.
    ben.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"date": "2026-01-15", "kind": "time", "quantity": "2"}))).await;
    ana.api("POST", "/api/v1/ventures/loom/entries/1/review", Some(json!({"step": "dispute", "note": "Which task?"}))).await;
    let read_mail = || -> Vec<String> {
        std::fs::read_dir(&mail).map(|d| d.flatten().filter_map(|f| std::fs::read_to_string(f.path()).ok()).collect()).unwrap_or_default()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut messages = read_mail();
    while messages.iter().filter(|m| m.contains("Subject:")).count() < 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        messages = read_mail();
    }
    let to_ana = messages.iter().find(|m| m.contains("To: ana@example.org")).expect("ana is asked to review");
    assert!(to_ana.contains("Entry #1 waits for your review") && to_ana.contains("https://commons.example.org/v/loom/entries/1"), "{to_ana}");
    let to_ben = messages.iter().find(|m| m.contains("To: ben@example.org")).expect("ben is told of the dispute");
    assert!(to_ben.contains("Entry #1 is disputed") && to_ben.contains("Which task?"), "{to_ben}");
}

// ---- talk: comments, activity, unread counts and the Atom feed

/// A server whose clock moves one second on every reading, so that what happens after a visit
/// is later than the visit.
fn ticking_server_on(url: &str, dir: Option<std::path::PathBuf>) -> Server {
    let commons = peerstake_backends::open(url).map(Commons::with_store).unwrap();
    let start = Now::noon_of(date!(2026 - 01 - 15)).at_ms;
    let ticks = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let clock = Arc::new(move || Now::from_unix_ms(start + 1000 * ticks.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
    Server { app: router(AppState::new(Arc::new(commons), clock, true)), dir }
}

fn ticking_server() -> Server {
    let dir = std::env::temp_dir().join(format!("peerstake-web-talk-{}-{}-{}", std::process::id(), unique_nanos(), rand_suffix()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    ticking_server_on(&format!("sqlite://{}", dir.join("web.db").display()), Some(dir))
}

async fn comments_json(browser: &mut Browser, slug: &str, subject: &str) -> Vec<Value> {
    let reply = browser.api("GET", &format!("/api/v1/ventures/{slug}/comments?subject={subject}"), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json()["comments"].as_array().unwrap().clone()
}

#[tokio::test]
async fn comments_for_every_role() {
    comments_for_every_role_on(&ticking_server()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_for_every_role_on_postgres() {
    let Some(database) = tokio::task::block_in_place(PostgresDatabase::create) else { return };
    let server = tokio::task::block_in_place(|| ticking_server_on(&database.url, None));
    comments_for_every_role_on(&server).await;
    tokio::task::block_in_place(move || {
        drop(server);
        drop(database);
    });
}

async fn comments_for_every_role_on(server: &Server) {
    let mut steward = person(server, "ana").await;
    venture(&mut steward, "loom", "open", "public").await;
    venture(&mut steward, "vault", "invite", "members").await;
    let mut member = person(server, "ben").await;
    member.post("/v/loom/join", &[("hourly_rate", "40")]).await;
    let logged = steward.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"date": "2026-01-15", "kind": "deposit", "amount": "50"}))).await;
    assert_eq!(logged.status, StatusCode::CREATED, "{}", logged.text);
    let outsider = person(server, "olga").await;
    // A member of another venture only.
    let mut elsewhere = person(server, "dee").await;
    assert_eq!(steward.post("/v/vault/settings/invite", &[("username", "dee"), ("role", "member")]).await.status, StatusCode::SEE_OTHER);
    let mut roles = [("visitor", Browser::new(server)), ("outsider", outsider), ("member", member), ("steward", steward)];

    const OK: StatusCode = StatusCode::OK;
    const SEE: StatusCode = StatusCode::SEE_OTHER;
    const NO: StatusCode = StatusCode::UNAUTHORIZED;
    const FORBID: StatusCode = StatusCode::FORBIDDEN;
    const GONE: StatusCode = StatusCode::NOT_FOUND;
    for (path, expected) in [
        ("/v/loom/entries/1/comments", [OK; 4]),
        ("/v/loom/members/ana", [OK; 4]),
        ("/v/loom/activity", [OK; 4]),
        ("/v/loom/feed.atom", [OK; 4]),
        ("/activity", [NO, OK, OK, OK]),
        ("/api/v1/ventures/loom/comments?subject=entry:1", [OK; 4]),
        ("/api/v1/ventures/loom/activity", [OK; 4]),
        ("/api/v1/me/activity", [NO, OK, OK, OK]),
        ("/v/vault/entries/1/comments", [GONE; 4]),
        ("/v/vault/members/ana", [GONE, GONE, GONE, OK]),
        ("/v/vault/activity", [GONE, GONE, GONE, OK]),
        ("/v/vault/feed.atom", [GONE; 4]),
        ("/api/v1/ventures/vault/comments?subject=member:ana", [GONE, GONE, GONE, OK]),
        ("/api/v1/ventures/vault/activity", [GONE, GONE, GONE, OK]),
    ] {
        for ((role, browser), want) in roles.iter_mut().zip(expected) {
            let reply = browser.get(path).await;
            assert_eq!(reply.status, want, "GET {path} as {role}: {}", &reply.text[..reply.text.len().min(300)]);
        }
    }
    let members_thread = roles[2].1.get("/v/loom/members/ana").await;
    assert!(members_thread.text.contains(r#"id="comment-form""#) && members_thread.text.contains("Conversation"), "{}", members_thread.text);
    assert!(!roles[1].1.get("/v/loom/members/ana").await.text.contains(r#"id="comment-form""#), "no form for outsiders");

    // Who may comment, by form and by API; a refusal writes nothing.
    for (path, fields, expected) in [
        ("/v/loom/comments", vec![("subject", "entry:1"), ("body", "On the deposit")], [NO, FORBID, SEE, SEE]),
        ("/v/loom/comments", vec![("subject", "member:ana"), ("body", "About Ana")], [NO, FORBID, SEE, SEE]),
        // Not signed in: 401 whatever the venture, which tells nothing of it.
        ("/v/vault/comments", vec![("subject", "member:ana"), ("body", "Hidden")], [NO, GONE, GONE, SEE]),
    ] {
        for ((role, browser), want) in roles.iter_mut().zip(expected) {
            let reply = browser.post(path, &fields).await;
            assert_eq!(reply.status, want, "POST {path} {fields:?} as {role}: {}", &reply.text[..reply.text.len().min(300)]);
        }
    }
    for (path, body, expected) in [
        ("/api/v1/ventures/loom/comments?subject=entry:1", json!({"body": "By API"}), [NO, FORBID, StatusCode::CREATED, StatusCode::CREATED]),
        ("/api/v1/ventures/loom/comments", json!({"subject": "member:ben", "body": "By API"}), [NO, FORBID, StatusCode::CREATED, StatusCode::CREATED]),
        ("/api/v1/ventures/vault/comments", json!({"subject": "member:ana", "body": "Hidden"}), [NO, GONE, GONE, StatusCode::CREATED]),
    ] {
        for ((role, browser), want) in roles.iter_mut().zip(expected) {
            let reply = browser.api("POST", path, Some(body.clone())).await;
            assert_eq!(reply.status, want, "POST {path} as {role}: {}", reply.text);
            if reply.status.is_client_error() {
                assert!(reply.json()["error"]["code"].is_string());
            }
        }
    }
    let on_entry = comments_json(&mut roles[3].1, "loom", "entry:1").await;
    assert_eq!(on_entry.len(), 4, "the member's and the steward's, by form and by API");
    let on_vault = comments_json(&mut roles[3].1, "vault", "member:ana").await;
    assert_eq!(on_vault.len(), 2);
    assert_eq!(elsewhere.post("/v/loom/comments", &[("subject", "entry:1"), ("body", "From the vault")]).await.status, FORBID);
    assert_eq!(elsewhere.api("POST", "/api/v1/ventures/loom/comments?subject=entry:1", Some(json!({"body": "x"}))).await.status, FORBID);

    // Bad input: the error next to the field, and nothing written.
    let member = &mut roles[2].1;
    let empty = member.post("/v/loom/comments", &[("subject", "entry:1"), ("body", "   ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text.contains(r#"id="body-error""#) && empty.text.contains("Entry #1"), "{}", empty.text);
    let long = "x".repeat(4_001);
    let too_long = member.post("/v/loom/comments", &[("subject", "member:ana"), ("body", &long)]).await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        too_long.text.contains(r#"id="body-error""#) && too_long.text.contains("4000 characters") && too_long.text.contains(&long),
        "the text typed is kept"
    );
    assert_eq!(member.post("/v/loom/comments", &[("subject", "entry:99"), ("body", "x")]).await.status, GONE);
    assert_eq!(member.post("/v/loom/comments", &[("subject", "member:nobody"), ("body", "x")]).await.status, GONE);
    assert_eq!(member.post("/v/loom/comments", &[("subject", "proposal:1"), ("body", "x")]).await.status, GONE, "no such proposal");
    assert_eq!(member.post("/v/loom/comments", &[("subject", "need:1"), ("body", "x")]).await.status, GONE, "no such need");
    assert_eq!(member.post("/v/loom/comments", &[("subject", "goal:1"), ("body", "x")]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let first_on_member = comments_json(member, "loom", "member:ana").await[0]["id"].as_u64().unwrap();
    let wrong_thread = member.post("/v/loom/comments", &[("subject", "entry:1"), ("reply_to", &first_on_member.to_string()), ("body", "x")]).await;
    assert_eq!(wrong_thread.status, StatusCode::UNPROCESSABLE_ENTITY, "a reply stays on its subject");
    let api_empty = member.api("POST", "/api/v1/ventures/loom/comments?subject=entry:1", Some(json!({"body": ""}))).await;
    assert_eq!((api_empty.status, api_empty.json()["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("body")));
    let no_subject = member.api("POST", "/api/v1/ventures/loom/comments", Some(json!({"body": "x"}))).await;
    assert_eq!((no_subject.status, no_subject.json()["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("subject")));
    assert_eq!(comments_json(member, "loom", "entry:1").await.len(), 4);
    assert_eq!(comments_json(member, "loom", "member:ana").await.len(), 2);

    // A reply, by form: it sits under what it answers.
    let reply_form = member.get(&format!("/v/loom/members/ana?reply_to={first_on_member}")).await;
    assert!(reply_form.text.contains(&format!(r#"name="reply_to" value="{first_on_member}""#)), "{}", reply_form.text);
    let replied = member.post("/v/loom/comments", &[("subject", "member:ana"), ("reply_to", &first_on_member.to_string()), ("body", "Agreed")]).await;
    assert_eq!(replied.status, SEE);
    assert!(replied.location().starts_with("/v/loom/members/ana#comment-"), "{}", replied.location());
    let thread = comments_json(member, "loom", "member:ana").await;
    assert_eq!(thread.last().unwrap()["reply_to"].as_u64(), Some(first_on_member));

    // Edits: only the author; each edit is a version; the page says "edited" and shows the history.
    let mine = on_entry.iter().find(|c| c["author"] == "ben").unwrap()["id"].as_u64().unwrap();
    let edit_page = format!("/v/loom/comments/{mine}/edit");
    assert_eq!(roles[3].1.get(&edit_page).await.status, FORBID);
    assert_eq!(roles[3].1.post(&edit_page, &[("body", "Rewritten by the steward")]).await.status, FORBID);
    assert_eq!(roles[3].1.api("PUT", &format!("/api/v1/ventures/loom/comments/{mine}"), Some(json!({"body": "No"}))).await.status, FORBID);
    assert_eq!(roles[0].1.post(&edit_page, &[("body", "x")]).await.status, NO);
    let member = &mut roles[2].1;
    assert_eq!(member.get(&edit_page).await.status, OK);
    let bad_edit = member.post(&edit_page, &[("body", "")]).await;
    assert_eq!(bad_edit.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_edit.text.contains(r#"id="body-error""#));
    let saved = member.post(&edit_page, &[("body", "On the deposit, edited")]).await;
    assert_eq!(saved.status, SEE);
    assert_eq!(saved.location(), format!("/v/loom/entries/1#comment-{mine}"));
    let by_api = member.api("PUT", &format!("/api/v1/ventures/loom/comments/{mine}"), Some(json!({"body": "Edited twice"}))).await;
    assert_eq!((by_api.status, by_api.json()["version"].as_u64(), by_api.json()["edited"].as_bool()), (OK, Some(3), Some(true)));
    let versions = roles[0].1.api("GET", &format!("/api/v1/ventures/loom/comments/{mine}/versions"), None).await.json();
    let texts: Vec<&str> = versions.as_array().unwrap().iter().map(|v| v["body"].as_str().unwrap()).collect();
    assert_eq!(texts, ["On the deposit", "On the deposit, edited", "Edited twice"]);
    let page = roles[0].1.get("/v/loom/entries/1/comments").await;
    assert!(page.text.contains(&format!(r#"href="/v/loom/comments/{mine}/history">edited</a>"#)) && page.text.contains("Edited twice"), "{}", page.text);
    let history = roles[0].1.get(&format!("/v/loom/comments/{mine}/history")).await;
    assert!(history.text.contains("On the deposit, edited") && history.text.contains("Version 1"), "{}", history.text);
    assert_eq!(roles[1].1.get("/v/vault/comments/1/history").await.status, GONE);
    assert_eq!(roles[1].1.api("GET", "/api/v1/ventures/vault/comments/1/versions", None).await.status, GONE);
    assert_eq!(roles[2].1.api("PUT", "/api/v1/ventures/loom/comments/999", Some(json!({"body": "x"}))).await.status, GONE);
}

#[tokio::test]
async fn comment_text_is_shown_as_text_with_safe_links() {
    let server = ticking_server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;
    let text = "<script>alert('x')</script> <img src=x onerror=alert(1)> javascript:alert(1) see https://example.org/a?b=1&c=2.\nNext line";
    assert_eq!(ana.post("/v/loom/comments", &[("subject", "member:ana"), ("body", text)]).await.status, StatusCode::SEE_OTHER);
    let forged = ana.post_raw("/v/loom/comments", &[("subject", "member:ana"), ("body", "Forged elsewhere")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "a form without the anti-forgery token");
    let edit_forged = ana.post_raw("/v/loom/comments/1/edit", &[("body", "Forged elsewhere")]).await;
    assert_eq!(edit_forged.status, StatusCode::FORBIDDEN);
    let page = ana.get("/v/loom/members/ana").await;
    assert!(!page.text.contains("Forged elsewhere"), "nothing written");
    assert!(!page.text.contains("<script>alert") && !page.text.contains("<img src=x"), "{}", page.text);
    assert!(page.text.contains("&lt;script&gt;alert('x')&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; javascript:alert(1) see "));
    assert!(page.text.contains(
        r#"<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener ugc">https://example.org/a?b=1&amp;c=2</a>.
Next line"#
    ));
    assert!(!page.text.contains(r#"href="javascript:"#));
    for path in ["/v/loom/activity", "/activity"] {
        let feed = ana.get(path).await;
        assert!(!feed.text.contains("<script>alert") && feed.text.contains("&lt;script&gt;"), "{path}: {}", feed.text);
    }
    let atom = ana.get("/v/loom/feed.atom").await;
    assert!(!atom.text.contains("<script>") && atom.text.contains("&lt;script&gt;alert(&apos;x&apos;)"), "{}", atom.text);
    check_xml(&atom.text);
}

#[tokio::test]
async fn activity_unread_counts_and_the_atom_feed() {
    let server = ticking_server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;
    venture(&mut ana, "vault", "invite", "members").await;
    let mut ben = person(&server, "ben").await;
    ben.post("/v/loom/join", &[("hourly_rate", "40")]).await;
    let unread_of = |text: &str, slug: &str| -> Option<String> {
        text.split(&format!(r#"data-unread="{slug}">"#)).nth(1).map(|rest| rest.split('<').next().unwrap().trim().to_string())
    };
    let mine = ben.get("/activity").await;
    assert_eq!(unread_of(&mine.text, "loom").as_deref(), Some("0"), "{}", mine.text);
    assert!(unread_of(&mine.text, "vault").is_none(), "only ventures the person belongs to");

    // Ana logs with a note full of markup and comments: ben's count goes up.
    let logged = ana
        .api("POST", "/api/v1/ventures/loom/entries", Some(json!({"date": "2026-01-15", "kind": "deposit", "amount": "50", "note": "Kiln & <glaze> \"fund\""})))
        .await;
    assert_eq!(logged.status, StatusCode::CREATED);
    ana.post("/v/loom/comments", &[("subject", "entry:1"), ("body", "Thanks all")]).await;
    assert_eq!(unread_of(&ben.get("/activity").await.text, "loom").as_deref(), Some("2"));
    let venture_page = ben.get("/v/loom").await;
    assert!(
        venture_page.text.contains(r#"data-unread="loom">2 new</a>"#) && venture_page.text.contains(r#"href="/v/loom/activity">Activity</a>"#),
        "{}",
        venture_page.text
    );
    let api = ben.api("GET", "/api/v1/me/activity", None).await.json();
    assert_eq!(api["ventures"][0]["unread"], 2);
    assert_eq!(api["items"][0]["kind"], "comment");
    assert_eq!(api["items"][0]["venture"], "loom");
    // His own comment does not count.
    ben.post("/v/loom/comments", &[("subject", "entry:1"), ("body", "My pleasure")]).await;
    assert_eq!(unread_of(&ben.get("/activity").await.text, "loom").as_deref(), Some("2"));

    // Visiting the feed marks it read.
    let feed = ben.get("/v/loom/activity").await;
    assert!(
        feed.text.contains("2 new since your last visit") && feed.text.contains("#1 deposit") && feed.text.contains("Kiln &amp; &lt;glaze&gt;"),
        "{}",
        feed.text
    );
    assert!(feed.text.contains(r#"<a href="/v/loom/members/ben">BEN</a> joined"#), "{}", feed.text);
    assert_eq!(unread_of(&ben.get("/activity").await.text, "loom").as_deref(), Some("0"));
    assert!(!ben.get("/v/loom").await.text.contains(r#"data-unread="loom""#));
    ana.post("/v/loom/comments", &[("subject", "member:ben"), ("body", "Welcome")]).await;
    assert_eq!(unread_of(&ben.get("/activity").await.text, "loom").as_deref(), Some("1"));
    let by_api = ben.api("GET", "/api/v1/ventures/loom/activity", None).await.json();
    assert_eq!(by_api["unread_before"], 1);
    assert_eq!(ben.api("GET", "/api/v1/me/activity", None).await.json()["ventures"][0]["unread"], 0);

    // The venture's activity pages newest first; generic by tag.
    let page = ben.api("GET", "/api/v1/ventures/loom/activity?limit=2", None).await.json();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let next = page["next_before"].as_str().unwrap().to_string();
    let rest = ben.api("GET", &format!("/api/v1/ventures/loom/activity?limit=200&before={next}"), None).await.json();
    let kinds: Vec<&str> = rest["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["comment", "entry", "joined", "joined"]);
    assert_eq!(rest["items"][1]["tag"], "deposit");
    assert_eq!(ben.api("GET", "/api/v1/ventures/loom/activity?before=garbage", None).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(ben.api("GET", "/api/v1/ventures/loom/activity?limit=5000", None).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The Atom feed: public ventures only, well-formed, everything escaped.
    let mut visitor = Browser::new(&server);
    let atom = visitor.get("/v/loom/feed.atom").await;
    assert_eq!(atom.status, StatusCode::OK);
    assert_eq!(atom.headers.get(header::CONTENT_TYPE).unwrap(), "application/atom+xml; charset=utf-8");
    let feed = check_xml(&atom.text);
    assert_eq!((feed.name.as_str(), feed.attribute("xmlns")), ("feed", Some("http://www.w3.org/2005/Atom")));
    for required in ["id", "title", "updated", "author"] {
        assert!(feed.child(required).is_some(), "the feed has no {required}");
    }
    let updated = &feed.child("updated").unwrap().text;
    assert!(updated.len() == 20 && updated.starts_with("2026-01-15T12:00:") && updated.ends_with('Z'), "RFC 3339: {updated}");
    let entries: Vec<&Xml> = feed.children.iter().filter(|c| c.name == "entry").collect();
    assert_eq!(entries.len(), 6, "three comments, an entry, two members joining");
    for entry in &entries {
        for required in ["id", "title", "updated", "link", "content"] {
            assert!(entry.child(required).is_some(), "an entry has no {required}: {}", atom.text);
        }
        assert_eq!(entry.child("content").unwrap().attribute("type"), Some("text"));
        assert!(entry.child("link").unwrap().attribute("href").unwrap().starts_with("https://"));
    }
    let ids: std::collections::HashSet<&str> = entries.iter().map(|e| e.child("id").unwrap().text.as_str()).collect();
    assert_eq!(ids.len(), entries.len(), "entry ids are unique");
    let deposit = entries.iter().find(|e| e.child("title").unwrap().text.starts_with("#1 deposit")).unwrap();
    assert_eq!(deposit.child("content").unwrap().text, "Kiln &amp; &lt;glaze&gt; &quot;fund&quot;", "escaped once, read back as the note");
    assert_eq!(visitor.get("/v/vault/feed.atom").await.status, StatusCode::NOT_FOUND);
    assert_eq!(ana.get("/v/vault/feed.atom").await.status, StatusCode::NOT_FOUND, "members-only: no feed, even for members");
    assert_eq!(visitor.get("/v/nothing/feed.atom").await.status, StatusCode::NOT_FOUND);

    let document = visitor.get("/api/v1/openapi.json").await.json();
    for path in [
        "/api/v1/ventures/{slug}/comments",
        "/api/v1/ventures/{slug}/comments/{id}",
        "/api/v1/ventures/{slug}/comments/{id}/versions",
        "/api/v1/ventures/{slug}/activity",
        "/api/v1/me/activity",
    ] {
        assert!(document["paths"].get(path).is_some(), "{path} is not documented");
    }
    assert!(document["paths"]["/api/v1/ventures/{slug}/comments/{id}"]["put"].is_object());
    for schema in ["CommentOut", "CommentsOut", "NewCommentIn", "EditCommentIn", "CommentVersionOut", "ActivityOut", "ActivityItemOut", "MyActivityOut"] {
        assert!(document["components"]["schemas"][schema].is_object(), "{schema} is not in the document");
    }
}

/// An element of a parsed XML document: its name, attributes (entities left as written),
/// children and text.
struct Xml {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Xml>,
    text: String,
}

impl Xml {
    fn child(&self, name: &str) -> Option<&Xml> {
        self.children.iter().find(|c| c.name == name)
    }

    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Checks that text is well-formed XML (a declaration, one root, balanced tags, quoted
/// attributes, only the five named entities or character references, no stray `<` or `&`) and
/// returns its root.
fn check_xml(text: &str) -> Xml {
    fn check_entities(text: &str) {
        assert!(!text.contains('<'), "a raw < in text: {text}");
        for (index, _) in text.match_indices('&') {
            let rest = &text[index..];
            let ok = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].iter().any(|e| rest.starts_with(e))
                || (rest.starts_with("&#") && rest[2..].find(';').is_some_and(|end| end > 0 && rest[2..2 + end].chars().all(|c| c.is_ascii_digit())));
            assert!(ok, "a bare & in {text}");
        }
    }
    let body = text.strip_prefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>").expect("an XML declaration");
    let mut stack: Vec<Xml> = Vec::new();
    let mut root: Option<Xml> = None;
    let mut rest = body;
    while !rest.is_empty() {
        let next = rest.find('<').unwrap_or(rest.len());
        let between = &rest[..next];
        check_entities(between);
        match stack.last_mut() {
            Some(open) => open.text.push_str(between),
            None => assert!(between.trim().is_empty(), "text outside the root: {between}"),
        }
        rest = &rest[next..];
        if rest.is_empty() {
            break;
        }
        let end = rest.find('>').expect("an unclosed tag");
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let element = stack.pop().expect("a closing tag without an opening one");
            assert_eq!(element.name, name, "mismatched tags");
            match stack.last_mut() {
                Some(parent) => parent.children.push(element),
                None => {
                    assert!(root.is_none(), "two roots");
                    root = Some(element);
                }
            }
            continue;
        }
        let empty = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, mut attributes_text) = tag.split_once(' ').unwrap_or((tag, ""));
        assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '-'), "a bad tag name: {name}");
        let mut attributes = Vec::new();
        loop {
            attributes_text = attributes_text.trim_start();
            if attributes_text.is_empty() {
                break;
            }
            let (key, after) = attributes_text.split_once("=\"").expect("an unquoted attribute");
            let close = after.find('"').expect("an unclosed attribute");
            check_entities(&after[..close]);
            attributes.push((key.trim().to_string(), after[..close].to_string()));
            attributes_text = &after[close + 1..];
        }
        let element = Xml { name: name.to_string(), attributes, children: Vec::new(), text: String::new() };
        if empty {
            stack.last_mut().expect("an empty root").children.push(element);
        } else {
            stack.push(element);
        }
    }
    assert!(stack.is_empty(), "unclosed elements");
    root.expect("no root")
}

#[tokio::test]
async fn formula_changes_are_proposed_compared_discussed_and_voted() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;
    let mut ben = person(&server, "ben").await;
    ben.post("/v/loom/join", &[("hourly_rate", "40")]).await;
    // A second steward: a change now needs both.
    let mut cy = person(&server, "cy").await;
    let invited = ana.api("POST", "/api/v1/ventures/loom/members", Some(json!({"username": "cy", "role": "steward"}))).await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.text);
    ben.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"date": "2026-01-15", "kind": "time", "quantity": "3"}))).await;

    // Ben proposes on the page; it waits, with the split now and under it side by side.
    let proposed = ben.post("/v/loom/proposals", &[("preset", "hours-only"), ("effective_from", "2026-02-01"), ("note", "Every hour the same")]).await;
    assert_eq!((proposed.status, proposed.location()), (StatusCode::SEE_OTHER, "/v/loom/proposals/1".to_string()));
    let bad = ben.post("/v/loom/proposals", &[("preset", "hours-only"), ("effective_from", "soon")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains(r#"id="effective-from-error""#), "{}", bad.text);
    let page = ana.get("/v/loom/proposals/1").await;
    assert!(page.text.contains(r#"data-proposed="ben""#) && page.text.contains("Vote for"), "{}", page.text);
    let detail = ana.api("GET", "/api/v1/ventures/loom/proposals/1", None).await.json();
    assert_eq!((detail["proposal"]["status"].as_str(), detail["proposed"]["policy"].as_str()), (Some("open"), Some("hours-only")), "{detail}");

    // It is discussed: comments on a proposal, like on an entry.
    let said = cy.api("POST", "/api/v1/ventures/loom/comments?subject=proposal:1", Some(json!({"body": "Fine by me from February"}))).await;
    assert_eq!(said.status, StatusCode::CREATED, "{}", said.text);
    assert!(ben.get("/v/loom/proposals/1").await.text.contains("Fine by me from February"));
    assert_eq!(cy.api("POST", "/api/v1/ventures/loom/comments?subject=proposal:9", Some(json!({"body": "?"}))).await.status, StatusCode::NOT_FOUND);

    // One steward's vote is not a majority of two; the second adopts it as version 2.
    let first = ana.api("POST", "/api/v1/ventures/loom/proposals/1/votes", Some(json!({"approve": true}))).await.json();
    assert_eq!(first["status"], "open");
    assert_eq!(
        ana.api("POST", "/api/v1/ventures/loom/proposals/1/votes", Some(json!({"approve": true}))).await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "one vote each"
    );
    assert_eq!(cy.post("/v/loom/proposals/1/vote", &[("approve", "yes")]).await.status, StatusCode::SEE_OTHER);
    let adopted = ben.api("GET", "/api/v1/ventures/loom/proposals/1", None).await.json();
    assert_eq!((adopted["proposal"]["status"].as_str(), adopted["proposal"]["policy_version"].as_u64()), (Some("adopted"), Some(2)));
    assert_eq!(ben.api("GET", "/api/v1/ventures/loom/policy", None).await.json().as_array().unwrap().len(), 2);

    // A steward's change on the formula page is a proposal too: with two stewards it waits.
    let direct = ana.api("POST", "/api/v1/ventures/loom/policy", Some(json!({"preset": "slicing-pie", "effective_from": "2026-03-01"}))).await;
    assert_eq!((direct.status, direct.json()["status"].as_str()), (StatusCode::ACCEPTED, Some("open")));
    assert_eq!(ana.api("POST", "/api/v1/ventures/loom/proposals/2/withdrawal", None).await.json()["status"], "withdrawn");
    assert_eq!(ben.api("POST", "/api/v1/ventures/loom/proposals/2/votes", Some(json!({"approve": true}))).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut olga = person(&server, "olga").await;
    assert_eq!(
        olga.api("POST", "/api/v1/ventures/loom/proposals", Some(json!({"preset": "hours-only", "effective_from": "2026-04-01"}))).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn needs_pledges_the_well_and_lent_goods_over_the_web() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;
    let mut ben = person(&server, "ben").await;
    ben.post("/v/loom/join", &[("hourly_rate", "40")]).await;
    let (mut gus, mut hal, mut olga) = (person(&server, "gus").await, person(&server, "hal").await, person(&server, "olga").await);
    let mut visitor = Browser::new(&server);

    // Only stewards publish; bad input is shown on the form and writes nothing.
    let need = json!({"title": "A laptop", "amount": "100", "min_pledge": "5", "deadline": "2026-02-15"});
    assert_eq!(ben.api("POST", "/api/v1/ventures/loom/needs", Some(need.clone())).await.status, StatusCode::FORBIDDEN);
    let bad = ana.post("/v/loom/needs", &[("title", "A laptop"), ("amount", "100"), ("deadline", "2026-01-01")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(bad.text.contains("has passed"), "{}", bad.text);
    let forged = ana.post_raw("/v/loom/needs", &[("title", "Forged"), ("amount", "1"), ("deadline", "2026-02-01")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(ana.api("GET", "/api/v1/ventures/loom/needs", None).await.json().as_array().unwrap().is_empty());
    let made = ana.post("/v/loom/needs", &[("title", "A laptop"), ("amount", "100"), ("min_pledge", "5"), ("deadline", "2026-02-15")]).await;
    assert_eq!((made.status, made.location()), (StatusCode::SEE_OTHER, "/v/loom/needs/1".to_string()));

    // Anyone signed in pledges and becomes a backer; the last pledge is capped and meets the goal.
    assert_eq!(visitor.api("POST", "/api/v1/ventures/loom/needs/1/pledges", Some(json!({"amount": "30"}))).await.status, StatusCode::UNAUTHORIZED);
    let small = gus.api("POST", "/api/v1/ventures/loom/needs/1/pledges", Some(json!({"amount": "1"}))).await;
    assert_eq!((small.status, small.json()["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("amount")));
    assert_eq!(gus.post("/v/loom/needs/1/pledge", &[("amount", "30")]).await.status, StatusCode::SEE_OTHER);
    let page = visitor.get("/v/loom/needs/1").await;
    assert!(page.text.contains(r#"data-covered="30.00""#) && page.text.contains("<progress"), "{}", page.text);
    assert!(visitor.get("/").await.text.contains(r#"data-need="1""#), "the commons shows open needs");
    hal.api("POST", "/api/v1/ventures/loom/needs/1/pledges", Some(json!({"amount": "30"}))).await;
    let last = olga.api("POST", "/api/v1/ventures/loom/needs/1/pledges", Some(json!({"amount": "50", "idempotency_key": "olga-1"}))).await;
    assert_eq!(last.status, StatusCode::CREATED, "{}", last.text);
    let last = last.json();
    assert_eq!((last["amount"].as_str(), last["capped"].as_bool(), last["need"]["status"].as_str()), (Some("40.00"), Some(true), Some("met")), "{last}");
    assert_eq!(last["posted_entries"].as_array().unwrap().len(), 3);
    let retry = olga.api("POST", "/api/v1/ventures/loom/needs/1/pledges", Some(json!({"amount": "50", "idempotency_key": "olga-1"}))).await;
    assert_eq!(retry.json()["number"], last["number"], "a retry is harmless");
    let well = visitor.api("GET", "/api/v1/ventures/loom/well", None).await.json();
    assert_eq!(well["balance"], "100.00", "{well}");

    // Stewards pay the need from the well; each backer's share becomes cash slices ×4.
    assert_eq!(ben.api("POST", "/api/v1/ventures/loom/needs/1/payments", Some(json!({}))).await.status, StatusCode::FORBIDDEN);
    let paid = ana.api("POST", "/api/v1/ventures/loom/needs/1/payments", Some(json!({}))).await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.text);
    let shares: Vec<(String, String)> = paid.json()["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["member"].as_str().unwrap().to_string(), s["slices"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(shares, [("gus".to_string(), "120.00".to_string()), ("hal".into(), "120.00".into()), ("olga".into(), "160.00".into())]);
    assert_eq!(slices_of(&mut visitor, "olga").await, "160.00");
    let statement = visitor.api("GET", "/api/v1/ventures/loom/well/olga", None).await.json();
    assert_eq!((statement["spent"].as_str(), statement["balance"].as_str()), (Some("40.00"), Some("0.00")), "{statement}");
    let costs = visitor.api("GET", "/api/v1/ventures/loom/costs", None).await.json();
    assert_eq!(costs["needs"][0]["cash"], "100.00", "{costs}");

    // Olga lends a desk: ana books it, overlaps are refused, olga accepts and confirms ben's use.
    let desk =
        olga.api("POST", "/api/v1/goods", Some(json!({"kind": "desk", "description": "Window desk", "currency": "EUR", "rate": "10", "unit": "day"}))).await;
    assert_eq!(desk.status, StatusCode::CREATED, "{}", desk.text);
    let id = desk.json()["id"].as_i64().unwrap();
    let booking = json!({"good": id, "starts_on": "2026-01-10", "ends_on": "2026-01-20"});
    assert_eq!(ben.api("POST", "/api/v1/ventures/loom/bookings", Some(booking.clone())).await.status, StatusCode::FORBIDDEN);
    assert_eq!(ana.api("POST", "/api/v1/ventures/loom/bookings", Some(booking.clone())).await.status, StatusCode::CREATED);
    let clash = ana.api("POST", "/api/v1/ventures/loom/bookings", Some(json!({"good": id, "starts_on": "2026-01-20", "ends_on": "2026-01-25"}))).await;
    assert_eq!(clash.status, StatusCode::CONFLICT, "{}", clash.text);
    assert!(olga.get("/goods").await.text.contains(r#"data-ask="booking-loom-1""#), "the owner is asked");
    assert_eq!(ana.api("POST", "/api/v1/ventures/loom/bookings/1/decision", Some(json!({"decision": "accept"}))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(olga.post("/v/loom/bookings/1/decide", &[("decision", "accept")]).await.status, StatusCode::SEE_OTHER);
    let used = ben.api("POST", "/api/v1/ventures/loom/bookings/1/usage", Some(json!({"date": "2026-01-12", "units": "2", "fee_paid": "5"}))).await;
    assert_eq!(used.status, StatusCode::CREATED, "{}", used.text);
    let confirmed = olga.api("POST", "/api/v1/ventures/loom/usage/1/decision", Some(json!({"decision": "confirm"}))).await.json();
    assert_eq!(confirmed["status"], "confirmed", "{confirmed}");
    // (2 days × 10 − 5 paid) × 2 = 30 slices, on top of her 160 from the well.
    assert_eq!(slices_of(&mut visitor, "olga").await, "190.00");
    let inbox = olga.api("GET", "/api/v1/me/goods/inbox", None).await.json();
    assert!(inbox["bookings"].as_array().unwrap().is_empty() && inbox["usages"].as_array().unwrap().is_empty(), "{inbox}");
}

mod figures;
#[path = "lifecycle/api.rs"]
mod lifecycle_api;
#[path = "lifecycle/pages.rs"]
mod lifecycle_pages;
mod plumbing;

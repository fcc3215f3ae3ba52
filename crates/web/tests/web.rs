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
    let commons = peerstake_backends::open_with(url, peerstake_store::Durability::Grouped).map(Commons::with_store).unwrap();
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
    /// The anti-forgery token the last page carried in its forms (signed in, the session's own).
    form_token: Option<String>,
}

impl Browser {
    fn new(server: &Server) -> Browser {
        Browser { app: server.app.clone(), cookies: HashMap::new(), bearer: None, form_token: None }
    }

    async fn send(&mut self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        for cookie in headers.get_all(header::SET_COOKIE) {
            let text = cookie.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if name == SESSION_COOKIE {
                // A new session has a token of its own, shown on the next page.
                self.form_token = None;
            }
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).to_string();
        if let Some((_, rest)) = text.split_once(r#"name="csrf" value=""#) {
            self.form_token = rest.split('"').next().map(str::to_string);
        }
        Reply { status, headers, text }
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

    /// The token, visiting the commons first when this browser has seen none since it last
    /// signed in or out.
    async fn token(&mut self) -> String {
        if self.form_token.is_none() || !self.cookies.contains_key(CSRF_COOKIE) {
            self.get("/").await;
        }
        self.csrf()
    }

    /// The token a form of this browser carries: the one its pages last showed, as a person's
    /// browser would send it.
    fn csrf(&self) -> String {
        self.form_token.clone().or_else(|| self.cookies.get(CSRF_COOKIE).cloned()).unwrap_or_default()
    }

    /// Posts a form with this browser's anti-forgery token (visiting the commons first if it has none).
    async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Reply {
        let csrf = self.token().await;
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
        let token = if self.bearer.is_none() && self.cookies.contains_key(SESSION_COOKIE) { Some(self.token().await) } else { None };
        let mut builder = self.request(method, uri);
        if let Some(token) = token {
            builder = builder.header("x-csrf-token", token);
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

/// A venture `slug` made over the API under a policy file (its name is the slug capitalised),
/// started on `started_on` when given.
async fn venture_under(steward: &mut Browser, slug: &str, policy_toml: &str, started_on: Option<&str>) {
    let name = slug[..1].to_uppercase() + &slug[1..];
    let mut body = json!({"slug": slug, "name": name, "currency": "EUR", "policy_toml": policy_toml});
    if let Some(day) = started_on {
        body["started_on"] = json!(day);
    }
    let created = steward.api("POST", "/api/v1/ventures", Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
}

/// Runs `check` on a server over a fresh PostgreSQL database, when one is configured. The
/// driver is synchronous: set-up and tear-down run off the async workers.
async fn on_postgres(make: fn(&str, Option<std::path::PathBuf>) -> Server, check: impl AsyncFnOnce(&Server)) {
    let Some(database) = tokio::task::block_in_place(PostgresDatabase::create) else { return };
    let server = tokio::task::block_in_place(|| make(&database.url, None));
    check(&server).await;
    tokio::task::block_in_place(move || {
        drop(server);
        drop(database);
    });
}

async fn entries(browser: &mut Browser, slug: &str) -> Vec<Value> {
    let reply = browser.api("GET", &format!("/api/v1/ventures/{slug}/entries"), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json()["entries"].as_array().unwrap().clone()
}

mod csv_exports;
mod figures;
mod hardening;
mod ledger;
#[path = "lifecycle/api.rs"]
mod lifecycle_api;
#[path = "lifecycle/pages.rs"]
mod lifecycle_pages;
mod mail;
mod people;
mod plumbing;
mod routes;
mod talk;

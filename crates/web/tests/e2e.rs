//! End to end in a real browser: headless Chromium driven over WebDriver by Debian's
//! `chromedriver`, against the app served in-process on a free port over a SQLite file.
//! Runs when `/usr/bin/chromedriver` exists or `PEERSTAKE_E2E` is set (then it is mandatory);
//! screenshots of the main steps land in `target/e2e/`.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use peerstake_app::Commons;
use peerstake_web::{AppState, serve, system_clock};
use serde_json::{Value, json};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// The key W3C WebDriver names an element reference by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long a page may take to show what a step waits for.
const PATIENCE: Duration = Duration::from_secs(20);

/// The chromedriver process, killed when the test ends, also on panic.
struct Chromedriver(Child);

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A temporary directory, removed when the test ends.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A WebDriver session: a minimal client of the W3C protocol over HTTP and JSON.
struct Browser {
    agent: ureq::Agent,
    session: String,
    /// Where the app is, e.g. `http://127.0.0.1:1234`.
    app: String,
    /// Where screenshots go.
    shots: PathBuf,
}

impl Browser {
    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder().http_status_as_error(false).proxy(None).timeout_global(Some(Duration::from_secs(60))).build().into()
    }

    /// Calls the driver; panics with the driver's message when it reports an error.
    fn call(agent: &ureq::Agent, method: &str, url: &str, body: Option<Value>) -> Value {
        let response = match (method, body) {
            ("GET", _) => agent.get(url).call(),
            ("DELETE", _) => agent.delete(url).call(),
            (_, body) => agent.post(url).send_json(body.unwrap_or_else(|| json!({}))),
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = response.status();
        let reply: Value = response.body_mut().with_config().limit(64 * 1024 * 1024).read_json().unwrap_or_else(|e| panic!("{method} {url}: {status}: {e}"));
        let value = reply.get("value").cloned().unwrap_or(Value::Null);
        if let Some(error) = value.get("error").and_then(Value::as_str) {
            panic!("{method} {url}: {status}: {error}: {}", value.get("message").and_then(Value::as_str).unwrap_or(""));
        }
        value
    }

    fn start(driver: &str, app: &str, shots: &Path) -> Browser {
        let agent = Browser::agent();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--disable-dev-shm-usage", "--window-size=1200,900"],
            },
        }}});
        let value = Browser::call(&agent, "POST", &format!("{driver}/session"), Some(capabilities));
        let session = value.get("sessionId").and_then(Value::as_str).expect("a session id").to_string();
        Browser { agent, session: format!("{driver}/session/{session}"), app: app.to_string(), shots: shots.to_path_buf() }
    }

    fn get(&self, path: &str) -> Value {
        Browser::call(&self.agent, "GET", &format!("{}{path}", self.session), None)
    }

    fn post(&self, path: &str, body: Value) -> Value {
        Browser::call(&self.agent, "POST", &format!("{}{path}", self.session), Some(body))
    }

    /// Opens a page of the app.
    fn open(&self, path: &str) {
        self.post("/url", json!({"url": format!("{}{path}", self.app)}));
    }

    /// The path (and query) of the page shown.
    fn path(&self) -> String {
        let url = self.get("/url").as_str().unwrap_or_default().to_string();
        url.strip_prefix(&self.app).map_or(url.clone(), str::to_string)
    }

    fn source(&self) -> String {
        self.get("/source").as_str().unwrap_or_default().to_string()
    }

    /// The elements a CSS selector matches.
    fn all(&self, css: &str) -> Vec<String> {
        let found = self.post("/elements", json!({"using": "css selector", "value": css}));
        found.as_array().map(|list| list.iter().filter_map(|e| e.get(ELEMENT).and_then(Value::as_str)).map(str::to_string).collect()).unwrap_or_default()
    }

    /// The one element a CSS selector matches, waiting for it to appear.
    fn find(&self, css: &str) -> String {
        let mut found = None;
        self.wait(&format!("an element {css}"), || {
            found = self.all(css).into_iter().next();
            found.is_some()
        });
        found.unwrap_or_default()
    }

    fn fill(&self, css: &str, text: &str) {
        let element = self.find(css);
        self.post(&format!("/element/{element}/clear"), json!({}));
        self.post(&format!("/element/{element}/value"), json!({"text": text}));
    }

    fn click(&self, css: &str) {
        let element = self.find(css);
        self.post(&format!("/element/{element}/click"), json!({}));
    }

    fn text(&self, css: &str) -> String {
        let element = self.find(css);
        self.get(&format!("/element/{element}/text")).as_str().unwrap_or_default().to_string()
    }

    /// Waits until `ready` holds; on timeout saves a screenshot and fails with the page.
    fn wait(&self, what: &str, mut ready: impl FnMut() -> bool) {
        let deadline = Instant::now() + PATIENCE;
        while !ready() {
            if Instant::now() > deadline {
                self.screenshot("failure");
                panic!("timed out waiting for {what} on {}; the page:\n{}", self.path(), self.source());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the page shown is `path` (ignoring a query) and has finished loading.
    fn wait_for_page(&self, path: &str) {
        self.wait(&format!("the page {path}"), || {
            let shown = self.path();
            shown.split(['?', '#']).next() == Some(path)
                && self.post("/execute/sync", json!({"script": "return document.readyState", "args": []})) == "complete"
        });
    }

    fn wait_for_text(&self, text: &str) {
        self.wait(&format!("the text {text:?}"), || self.source().contains(text));
    }

    /// Saves a PNG of the window as `<shots>/<name>.png`.
    fn screenshot(&self, name: &str) -> PathBuf {
        let encoded = self.get("/screenshot");
        let png = base64::engine::general_purpose::STANDARD.decode(encoded.as_str().unwrap_or_default()).expect("a base64 screenshot");
        let file = self.shots.join(format!("{name}.png"));
        std::fs::write(&file, png).expect("the screenshot is saved");
        file
    }

    fn sign_up(&self, username: &str, display_name: &str) {
        self.open("/signup");
        self.fill(r#"input[name="username"]"#, username);
        self.fill(r#"input[name="display_name"]"#, display_name);
        self.fill(r#"input[name="password"]"#, "correct horse battery");
        self.click(r#"form[action="/signup"] button[type="submit"]"#);
        self.wait_for_page("/");
        self.wait_for_text("Sign out");
    }

    fn sign_in(&self, username: &str) {
        self.open("/login");
        self.fill(r#"input[name="username"]"#, username);
        self.fill(r#"input[name="password"]"#, "correct horse battery");
        self.click(r#"form[action="/login"] button[type="submit"]"#);
        self.wait_for_page("/");
        self.wait_for_text("Sign out");
    }

    fn sign_out(&self) {
        self.click(r#"form[action="/logout"] button"#);
        self.wait_for_page("/");
        self.wait(&format!("signed out on {}", self.path()), || self.all(r#"form[action="/logout"]"#).is_empty());
    }

    /// Logs a contribution of `kind` with `field` = `value`: preview, check, record.
    fn log(&self, kind: &str, field: &str, value: &str, expected_value: &str, expected_slices: &str) {
        self.open(&format!("/v/loom/log?kind={kind}"));
        self.wait_for_page("/v/loom/log");
        self.fill(&format!(r#"input[name="{field}"]"#), value);
        self.click(r#"button[name="action"][value="preview"]"#);
        self.wait_for_text("Record it");
        let preview = self.text("[data-preview-slices]");
        assert_eq!(preview, expected_slices, "the preview of {value} {kind}");
        let said = self.text("[data-preview]");
        assert!(said.contains(&format!("worth {expected_value} and earns {expected_slices}")), "the preview of {value} {kind}: {said}");
        self.screenshot(&format!("preview-{kind}"));
        self.click(r#"button[name="action"][value="record"]"#);
        self.wait_for_page("/v/loom");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.agent.delete(&self.session).call();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// Serves the app on a background thread over a fresh SQLite file; returns its address.
fn start_app(dir: &Path) -> SocketAddr {
    let url = format!("sqlite://{}", dir.join("e2e.db").display());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
        let commons = peerstake_backends::open(&url).map(Commons::with_store).expect("the commons opens");
        let state = AppState::new(Arc::new(commons), system_clock(), true);
        let address = "127.0.0.1:0".parse().expect("an address");
        if let Err(e) = runtime.block_on(serve(state, address, |addr| {
            let _ = tx.send(addr);
        })) {
            eprintln!("the app stopped: {e}");
        }
    });
    rx.recv_timeout(Duration::from_secs(30)).expect("the app listens")
}

/// Starts chromedriver on a free port and waits until it is ready; returns it and its URL.
fn start_chromedriver(log: &Path) -> (Chromedriver, String) {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .arg(format!("--log-path={}", log.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Chromedriver(child);
    let url = format!("http://127.0.0.1:{port}");
    let agent = Browser::agent();
    let deadline = Instant::now() + PATIENCE;
    loop {
        let ready = agent
            .get(&format!("{url}/status"))
            .call()
            .ok()
            .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
            .and_then(|v| v.pointer("/value/ready").and_then(Value::as_bool))
            .unwrap_or(false);
        if ready {
            return (driver, url);
        }
        assert!(Instant::now() < deadline, "chromedriver did not become ready on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_venture_in_a_real_browser() {
    if std::env::var_os("PEERSTAKE_E2E").is_none() && !Path::new(CHROMEDRIVER).exists() {
        eprintln!("note: skipping the browser test: no {CHROMEDRIVER} (apt-get install chromium chromium-driver) and PEERSTAKE_E2E is unset");
        return;
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shots = workspace.join("target/e2e");
    std::fs::create_dir_all(&shots).expect("target/e2e is made");
    let shots = shots.canonicalize().expect("target/e2e exists");
    // No picture from an earlier run may pass for one of this run.
    for old in std::fs::read_dir(&shots).expect("target/e2e is readable").flatten() {
        if old.path().extension().is_some_and(|e| e == "png") {
            let _ = std::fs::remove_file(old.path());
        }
    }
    let dir = TempDir(std::env::temp_dir().join(format!("peerstake-e2e-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    std::fs::create_dir_all(&dir.0).expect("a temporary directory");

    let app = start_app(&dir.0);
    let (_driver, driver_url) = start_chromedriver(&shots.join("chromedriver.log"));
    let browser = Browser::start(&driver_url, &format!("http://{app}"), &shots);

    // Ana signs up and starts a venture, open to anyone and public.
    browser.sign_up("ana", "Ana");
    browser.screenshot("01-signed-up");
    browser.open("/new");
    browser.fill(r#"input[name="name"]"#, "Loomworks");
    browser.fill(r#"input[name="slug"]"#, "loom");
    browser.fill(r#"input[name="pitch"]"#, "Looms for the neighbourhood");
    browser.fill(r#"input[name="currency"]"#, "EUR");
    browser.click(r#"form[action="/new"] button[type="submit"]"#);
    browser.wait_for_page("/v/loom");
    browser.wait_for_text("Loomworks");
    browser.screenshot("02-venture");

    // Ben signs up and joins at 40 EUR an hour.
    browser.sign_out();
    browser.sign_up("ben", "Ben");
    browser.open("/v/loom");
    browser.fill(r#"input[name="hourly_rate"]"#, "40");
    browser.click(r#"form[action="/v/loom/join"] button[type="submit"]"#);
    browser.wait_for_page("/v/loom");
    browser.wait_for_text("Log a contribution");
    browser.screenshot("03-joined");

    // Three hours of time (3 × 40 × 2 slices), and 50 EUR into the well, which is valued and
    // earns slices only when spent.
    browser.log("time", "quantity", "3", "120.00 EUR", "240.00 slices");
    browser.log("deposit", "amount", "50", "0.00 EUR", "0.00 slices");
    browser.wait_for_text("deposit for Ben");
    browser.wait_for_text("You hold <strong>240.00</strong> slices.");
    browser.screenshot("04-logged");

    // Ana sees Ben holding the whole split, drawn as a pie.
    browser.sign_out();
    browser.sign_in("ana");
    browser.open("/v/loom");
    browser.wait_for_page("/v/loom");
    assert_eq!(browser.text(r#"td[data-share="ben"]"#), "100.00%");
    assert!(!browser.all(r#"svg[data-chart="pie"]"#).is_empty(), "a pie chart");
    let drawn = browser.all(r#"svg[data-chart="pie"] path, svg[data-chart="pie"] circle"#);
    assert!(!drawn.is_empty(), "the pie has a slice");
    let shot = browser.screenshot("05-split");
    assert!(std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0) > 0);

    // At phone width every page reflows: nothing wider than the screen but the tables, which
    // scroll inside their own box.
    browser.post("/window/rect", json!({"width": 390, "height": 844}));
    for (path, name) in [("/v/loom", "06-phone-venture"), ("/v/loom/log?kind=capital-use", "07-phone-log"), ("/v/loom/ledger", "08-phone-ledger")] {
        browser.open(path);
        browser.wait_for_text("Loomworks");
        let overflow =
            browser.post("/execute/sync", json!({"script": "return document.documentElement.scrollWidth - document.documentElement.clientWidth;", "args": []}));
        assert_eq!(overflow.as_i64(), Some(0), "{path} is wider than a phone screen");
        browser.screenshot(name);
    }
    // Keyboard use: the controls are focusable, and every field has a label.
    browser.open("/v/loom");
    browser.wait_for_text("Loomworks");
    let focused = browser.post(
        "/execute/sync",
        json!({"script": "document.body.focus(); return Array.from(document.querySelectorAll('a, button, input, select, textarea')).filter(e => e.tabIndex >= 0).length;", "args": []}),
    );
    assert!(focused.as_i64().unwrap_or(0) > 5, "the page has focusable controls");
    let labelled = browser.post(
        "/execute/sync",
        json!({"script": "return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea')).filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length;", "args": []}),
    );
    assert_eq!(labelled.as_i64(), Some(0), "every field has a label");
    browser.post("/window/rect", json!({"width": 1200, "height": 900}));

    review_in_a_real_browser(&browser, &dir.0);
    capital_in_a_real_browser(&browser);
    eprintln!("e2e screenshots in {}", shots.display());
}

/// Peer review: in a venture whose stewards approve each entry, Ben logs time, Ana disputes it,
/// Ben amends it, Ana approves the amendment, and the split shows it.
fn review_in_a_real_browser(browser: &Browser, dir: &Path) {
    use peerstake_app::Now;
    use peerstake_app::forms::TermsForm;
    use peerstake_app::membership::AddMember;
    use peerstake_app::policy_file::PolicyChoice;
    use peerstake_app::ventures::CreateVenture;
    // The operator sets the venture up: stewards approve entries; Ana is its steward.
    let operator = peerstake_backends::open(&format!("sqlite://{}", dir.join("e2e.db").display())).map(Commons::with_store).expect("the commons opens");
    let now = Now::from_unix_ms(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0)));
    let venture = CreateVenture {
        slug: "mill".into(),
        name: "Millhouse".into(),
        pitch: "Flour for the street".into(),
        currency: "EUR".into(),
        policy: PolicyChoice::File("review = \"stewards\"".into()),
        started_on: None,
        number_format: String::new(),
        idempotency_key: None,
    };
    operator.create_venture(&venture, now).expect("the venture is made");
    let steward = AddMember {
        venture: "mill".into(),
        handle: "ana".into(),
        display_name: "Ana".into(),
        role: "steward".into(),
        joined_on: None,
        terms: TermsForm { hourly_rate: "50".into(), ..TermsForm::default() },
        idempotency_key: None,
    };
    operator.add_member(&steward, now).expect("ana is its steward");
    operator.link_account("mill", "ana", "ana").expect("linked to her account");

    let sign_in = |who: &str| {
        browser.sign_out();
        browser.sign_in(who);
    };

    // Ben joins and logs 4 hours: it waits for a steward and does not count yet.
    sign_in("ben");
    browser.open("/v/mill");
    browser.fill(r#"input[name="hourly_rate"]"#, "40");
    browser.click(r#"form[action="/v/mill/join"] button[type="submit"]"#);
    browser.wait_for_text("Log a contribution");
    browser.open("/v/mill/log?kind=time");
    browser.fill(r#"input[name="quantity"]"#, "4");
    browser.click(r#"button[name="action"][value="preview"]"#);
    browser.wait_for_text("Record it");
    browser.click(r#"button[name="action"][value="record"]"#);
    browser.wait_for_page("/v/mill");
    browser.open("/v/mill/entries/1");
    assert_eq!(browser.text("strong[data-status]"), "pending");
    browser.screenshot("10-review-pending");

    // Ana disputes it: it was 3 hours.
    sign_in("ana");
    browser.open("/v/mill/review");
    browser.click(r#"a[href="/v/mill/entries/1"]"#);
    browser.wait_for_page("/v/mill/entries/1");
    browser.fill(r#"form[action="/v/mill/entries/1/review"] input[name="note"]"#, "It was 3 hours");
    browser.click(r#"form[action="/v/mill/entries/1/review"] button.secondary"#);
    browser.wait_for_text("It was 3 hours");
    assert_eq!(browser.text("strong[data-status]"), "disputed");
    browser.screenshot("11-review-disputed");

    // Ben amends it to 3 hours; the amendment waits in turn.
    sign_in("ben");
    browser.open("/v/mill/entries/1");
    browser.fill(r#"form[action="/v/mill/entries/1/amend"] input[name="quantity"]"#, "3");
    browser.fill(r#"form[action="/v/mill/entries/1/amend"] input[name="reason"]"#, "Right, 3 hours");
    browser.click(r#"form[action="/v/mill/entries/1/amend"] button[type="submit"]"#);
    browser.wait_for_page("/v/mill/entries/4");
    assert_eq!(browser.text("strong[data-status]"), "pending");

    // Ana approves the amendment, and the split counts it: 3 × 40 × 2 = 240 slices.
    sign_in("ana");
    browser.open("/v/mill/entries/4");
    browser.click(r#"form[action="/v/mill/entries/4/review"] button[type="submit"]"#);
    browser.wait_for_text("counted");
    browser.screenshot("12-review-approved");
    browser.open("/v/mill");
    browser.wait_for_page("/v/mill");
    assert_eq!(browser.text(r#"td[data-share="ben"]"#), "100.00%");
    assert!(browser.source().contains("240.00"), "ben's 240 slices are in the split");
    browser.screenshot("13-review-split");
}

/// Pooled capital: Ana publishes a need, three backers pledge until it is met (the last pledge
/// capped), the well fills, Ana pays the cost from it, and the backers' cash slices appear.
fn capital_in_a_real_browser(browser: &Browser) {
    let sign_in = |who: &str| {
        browser.sign_out();
        browser.sign_in(who);
    };
    sign_in("ana");
    browser.open("/new");
    browser.fill(r#"input[name="name"]"#, "Kiln");
    browser.fill(r#"input[name="slug"]"#, "kiln");
    browser.fill(r#"input[name="currency"]"#, "EUR");
    browser.click(r#"form[action="/new"] button[type="submit"]"#);
    browser.wait_for_page("/v/kiln");

    browser.open("/v/kiln/needs");
    browser.fill(r#"form[action="/v/kiln/needs"] input[name="title"]"#, "A kiln shelf");
    browser.fill(r#"form[action="/v/kiln/needs"] input[name="amount"]"#, "100");
    let deadline = (time::OffsetDateTime::now_utc().date() + time::Duration::days(30)).to_string();
    // A date field's typing order depends on the browser's locale; its value does not.
    browser.post(
        "/execute/sync",
        json!({"script": "document.querySelector('form[action=\"/v/kiln/needs\"] input[name=\"deadline\"]').value = arguments[0];", "args": [deadline]}),
    );
    browser.click(r#"form[action="/v/kiln/needs"] button[type="submit"]"#);
    browser.wait_for_page("/v/kiln/needs/1");
    browser.screenshot("20-need-published");

    for (who, amount, covered) in [("ben", "30", "30.00"), ("carl", "30", "60.00"), ("dora", "50", "100.00")] {
        if who == "ben" {
            sign_in(who);
        } else {
            browser.sign_out();
            browser.sign_up(who, &who.to_uppercase());
        }
        browser.open("/v/kiln/needs/1");
        browser.fill(r#"form[action="/v/kiln/needs/1/pledge"] input[name="amount"]"#, amount);
        browser.click(r#"form[action="/v/kiln/needs/1/pledge"] button[type="submit"]"#);
        browser.wait_for_page("/v/kiln/needs/1");
        browser.wait_for_text(&format!(r#"data-covered="{covered}""#));
    }
    // Dora's 50 was capped at the 40 that remained, and meeting the goal posted every hold.
    browser.wait_for_text(r#"data-status="met""#);
    browser.screenshot("21-need-met");
    browser.open("/v/kiln/well");
    assert_eq!(browser.text("td[data-balance]"), "100.00");
    browser.screenshot("22-well-filled");

    // Ana pays the shelf from the well: each backer's share becomes cash slices ×4.
    sign_in("ana");
    browser.open("/v/kiln/needs/1");
    browser.click(r#"form[action="/v/kiln/needs/1/pay"] button[type="submit"]"#);
    browser.wait_for_page("/v/kiln/needs/1");
    browser.wait_for_text("100.00 paid of 100.00");
    browser.open("/v/kiln");
    browser.wait_for_page("/v/kiln");
    assert_eq!(browser.text(r#"td[data-share="ben"]"#), "30.00%");
    assert_eq!(browser.text(r#"td[data-share="carl"]"#), "30.00%");
    assert_eq!(browser.text(r#"td[data-share="dora"]"#), "40.00%");
    assert!(browser.source().contains("160.00"), "dora's 160 slices are in the split");
    browser.screenshot("23-backers-slices");
}

/// A browser on a fresh app, for one test: the app, chromedriver and a WebDriver session whose
/// screenshots land in `target/e2e/<name>/` (emptied of pictures from an earlier run). Fields
/// drop in order: the session ends before its driver stops and the app's files go.
struct Session {
    browser: Browser,
    _driver: Chromedriver,
    _dir: TempDir,
}

impl Session {
    /// None when there is no browser to drive and `PEERSTAKE_E2E` is unset.
    fn start(name: &str) -> Option<Session> {
        if std::env::var_os("PEERSTAKE_E2E").is_none() && !Path::new(CHROMEDRIVER).exists() {
            eprintln!("note: skipping the browser test: no {CHROMEDRIVER} (apt-get install chromium chromium-driver) and PEERSTAKE_E2E is unset");
            return None;
        }
        let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e").join(name);
        std::fs::create_dir_all(&shots).expect("the screenshot directory is made");
        let shots = shots.canonicalize().expect("the screenshot directory exists");
        for old in std::fs::read_dir(&shots).expect("the screenshot directory is readable").flatten() {
            if old.path().extension().is_some_and(|e| e == "png") {
                let _ = std::fs::remove_file(old.path());
            }
        }
        let dir = TempDir(std::env::temp_dir().join(format!("peerstake-e2e-{name}-{}", std::process::id())));
        let _ = std::fs::remove_dir_all(&dir.0);
        std::fs::create_dir_all(&dir.0).expect("a temporary directory");
        let app = start_app(&dir.0);
        let (driver, driver_url) = start_chromedriver(&shots.join("chromedriver.log"));
        let browser = Browser::start(&driver_url, &format!("http://{app}"), &shots);
        Some(Session { browser, _driver: driver, _dir: dir })
    }
}

impl Browser {
    /// How many pixels the page shown is wider than the window (only tables may scroll, in their box).
    fn overflows(&self) -> i64 {
        let overflow =
            self.post("/execute/sync", json!({"script": "return document.documentElement.scrollWidth - document.documentElement.clientWidth;", "args": []}));
        overflow.as_i64().unwrap_or(-1)
    }
}

/// A venture's later life through the pages: a member leaves as a bad leaver and is bought out,
/// the pie is frozen, income is distributed, and every member sees their statement.
#[test]
fn a_bad_leaver_is_bought_out_the_pie_frozen_income_distributed_and_every_member_sees_their_statement() {
    let Some(session) = Session::start("lifecycle") else { return };
    let browser = &session.browser;
    let sign_in = |who: &str| {
        browser.sign_out();
        browser.sign_in(who);
    };

    // Ana starts Loomworks and gives 200 for an expense (800 slices); Ben joins at 40 an hour,
    // works 10 hours and pays a 100 expense (1,200 slices); Cy joins at 50 and works 4 hours (400).
    browser.sign_up("ana", "Ana");
    browser.open("/new");
    browser.fill(r#"input[name="name"]"#, "Loomworks");
    browser.fill(r#"input[name="slug"]"#, "loom");
    browser.fill(r#"input[name="currency"]"#, "EUR");
    browser.click(r#"form[action="/new"] button[type="submit"]"#);
    browser.wait_for_page("/v/loom");
    browser.log("expense", "amount", "200", "200.00 EUR", "800.00 slices");
    for (who, name, rate) in [("ben", "Ben", "40"), ("cy", "Cy", "50")] {
        browser.sign_out();
        browser.sign_up(who, name);
        browser.open("/v/loom");
        browser.fill(r#"input[name="hourly_rate"]"#, rate);
        browser.click(r#"form[action="/v/loom/join"] button[type="submit"]"#);
        browser.wait_for_page("/v/loom");
        browser.wait_for_text("Log a contribution");
    }
    browser.log("time", "quantity", "4", "200.00 EUR", "400.00 slices");
    sign_in("ben");
    browser.log("time", "quantity", "10", "400.00 EUR", "800.00 slices");
    browser.log("expense", "amount", "100", "100.00 EUR", "400.00 slices");

    // Ben stops coming after warnings. Ana records his departure: the first submit shows what it
    // does (his time is lost, his expense kept at ×1), and only the confirmation records it.
    sign_in("ana");
    browser.open("/v/loom");
    browser.click(r#"nav[aria-label="Venture"] a[href="/v/loom/departures"]"#);
    browser.wait_for_page("/v/loom/departures");
    browser.wait_for_text("Nobody has left.");
    browser.click(r#"form[action="/v/loom/departures"] select[name="member"] option[value="ben"]"#);
    browser.click("#f-case-fired-for-good-reason");
    browser.fill(r#"textarea[name="justification"]"#, "Stopped coming after three warnings");
    browser.click(r#"button[name="action"][value="preview"]"#);
    browser.wait_for_text("Confirm departure");
    assert_eq!(browser.text("[data-departure-preview] [data-slices-before]"), "1200.00");
    assert_eq!(browser.text("[data-departure-preview] [data-slices-after]"), "100.00");
    assert_eq!(browser.text("[data-departure-preview] [data-buyout]"), "100.00 EUR");
    assert_eq!(browser.all("[data-departure-preview] [data-entries-adjusted] a").len(), 2, "his two entries are adjusted");
    assert!(browser.source().contains("Nobody has left."), "nothing is recorded yet");
    browser.screenshot("01-departure-preview");
    browser.click("[data-departure-preview] button[type=\"submit\"]");
    browser.wait_for_page("/v/loom/departures");
    browser.wait_for_text(r#"data-departure="ben""#);
    assert_eq!(browser.text(r#"[data-departure="ben"] [data-slices-after]"#), "100.00");

    // As a bad leaver, his buyout is forced: what he kept (100 slices at 1 EUR) leaves the pie.
    browser.click(r#"form[action="/v/loom/buyouts"] button[type="submit"]"#);
    browser.wait_for_page("/v/loom/departures");
    browser.wait_for_text(r#"data-status="accepted""#);
    assert_eq!(browser.text(r#"tr[data-buyout="1"] td[data-clawback]"#), "none (a bad leaver)");
    browser.screenshot("02-bought-out");

    // The business breaks even: Ana, its only steward, freezes the split into 10,000,000 shares.
    browser.click(r#"nav[aria-label="Venture"] a[href="/v/loom/freezes"]"#);
    browser.wait_for_page("/v/loom/freezes");
    browser.click(r#"form[action="/v/loom/freezes"] button[type="submit"]"#);
    browser.wait_for_page("/v/loom/freezes/1");
    assert_eq!(browser.text("strong[data-status]"), "frozen");
    assert_eq!(browser.text(r#"td[data-shares="ana"]"#), "6666667");
    assert_eq!(browser.text(r#"td[data-shares="cy"]"#), "3333333");
    assert!(browser.all(r#"td[data-shares="ben"]"#).is_empty(), "ben holds nothing");
    browser.screenshot("03-frozen");

    // 300 EUR of revenue arrives and is paid out by the cap table, previewed first.
    browser.click(r#"nav[aria-label="Venture"] a[href="/v/loom/income"]"#);
    browser.wait_for_page("/v/loom/income");
    browser.fill(r#"form[action="/v/loom/income"] input[name="amount"]"#, "300");
    browser.fill(r#"form[action="/v/loom/income"] input[name="note"]"#, "First looms sold");
    browser.click(r#"form[action="/v/loom/income"] button[type="submit"]"#);
    browser.wait_for_page("/v/loom/income");
    browser.wait_for_text("First looms sold");
    assert_eq!(browser.text("strong[data-undistributed]"), "300.00 EUR");
    browser.click(r#"nav[aria-label="Venture"] a[href="/v/loom/distributions"]"#);
    browser.wait_for_page("/v/loom/distributions");
    browser.fill(r#"input[name="note"]"#, "January");
    browser.click(r#"button[name="action"][value="preview"]"#);
    browser.wait_for_text("Post this distribution");
    assert_eq!(browser.text(r#"td[data-payout="ana"]"#), "200.00");
    assert_eq!(browser.text(r#"td[data-payout="cy"]"#), "100.00");
    assert!(browser.source().contains("Nothing distributed yet."), "a preview pays nothing");
    browser.screenshot("04-distribution-preview");
    browser.click("[data-distribution-preview] button[type=\"submit\"]");
    browser.wait_for_page("/v/loom/distributions/1");
    assert_eq!(browser.text("strong[data-amount]"), "300.00 EUR");

    // Every member, Ben included, signs in and reads their own statement.
    for (who, received) in [("ana", "200.00 EUR"), ("ben", "0.00 EUR"), ("cy", "100.00 EUR")] {
        sign_in(who);
        browser.open("/v/loom");
        browser.click(r#"nav[aria-label="Venture"] a[href="/v/loom/statement"]"#);
        browser.wait_for_page("/v/loom/statement");
        assert_eq!(browser.text("td[data-received]"), received, "{who}'s payouts");
        if who == "ben" {
            assert!(!browser.all("p[data-departed]").is_empty(), "his statement says he left");
            assert_eq!(browser.text("td[data-buyout-amount]"), "100.00 EUR");
        } else {
            assert_eq!(browser.all("tr[data-statement-payout]").len(), 1, "{who} was paid once");
        }
        browser.screenshot(&format!("05-statement-{who}"));
    }

    // At phone width the new pages reflow, and the report prints without navigation.
    browser.post("/window/rect", json!({"width": 390, "height": 844}));
    for path in ["/v/loom/departures", "/v/loom/statement", "/v/loom/freezes/1", "/v/loom/report"] {
        browser.open(path);
        browser.wait_for_page(path);
        assert_eq!(browser.overflows(), 0, "{path} is wider than a phone screen");
    }
    browser.screenshot("06-phone-report");
    browser.post("/window/rect", json!({"width": 1200, "height": 900}));
}

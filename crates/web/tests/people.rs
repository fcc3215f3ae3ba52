//! Accounts, API tokens, the commons' listing and joining, over pages and the API.

#[allow(unused_imports)]
use super::*;

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
    // Two API tokens: the page offers to keep each; the one not ticked ends with the change.
    let mut made = Vec::new();
    for name in ["laptop", "ci"] {
        let reply = ana.api("POST", "/api/v1/tokens", Some(json!({"name": name}))).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        made.push((reply.json()["id"].as_i64().unwrap(), reply.json()["token"].as_str().unwrap().to_string()));
    }
    let page = ana.get("/account").await.text;
    assert!(page.contains(&format!(r#"name="keep" value="{}""#, made[0].0)) && page.contains("API tokens to keep"), "{page}");
    let keep = made[1].0.to_string();
    let changed = ana.post("/account/password", &[("current", "ana-long-password"), ("new", "a-brand-new-password"), ("keep", &keep)]).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let with_token = |secret: &str| {
        let mut script = Browser::new(&server);
        script.bearer = Some(secret.to_string());
        script
    };
    assert_eq!(with_token(&made[0].1).get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED, "not kept: ended");
    assert_eq!(with_token(&made[1].1).get("/api/v1/me").await.status, StatusCode::OK, "kept");
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
async fn notifications_are_mailed_to_those_who_gave_an_address() {
    let dir = std::env::temp_dir().join(format!("peerstake-mail-{}-{}", std::process::id(), unique_nanos()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mail = dir.join("mail");
    let mut commons = peerstake_backends::open_with(&format!("sqlite://{}", dir.join("web.db").display()), peerstake_store::Durability::Grouped)
        .map(Commons::with_store)
        .unwrap();
    let mailer =
        peerstake_web::mail::EmailMailer::start(&format!("file://{}", mail.display()), "peerstake <peerstake@example.org>", "https://commons.example.org")
            .unwrap();
    commons.set_mailer(Arc::new(mailer));
    let clock = Arc::new(|| Now::noon_of(date!(2026 - 01 - 15)));
    let server = Server { app: router(AppState::new(Arc::new(commons), clock, true)), dir: Some(dir) };

    let mut ana = person(&server, "ana").await;
    venture_under(&mut ana, "loom", "review = \"stewards\"", Some("2026-01-01")).await;
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

/// The settings page and the API show who changed a venture's access and stewards, and when;
/// members read it, and a members-only venture's history does not exist for anyone else.
#[tokio::test]
async fn the_history_of_a_ventures_settings_on_the_page_and_the_api() {
    settings_history_on(&server()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_of_a_ventures_settings_on_postgres() {
    on_postgres(server_on, settings_history_on).await;
}

async fn settings_history_on(server: &Server) {
    let mut ana = person(server, "ana").await;
    venture(&mut ana, "loom", "request", "public").await;
    let mut ben = person(server, "ben").await;
    let mut cy = person(server, "cy").await;
    let mut olga = person(server, "olga").await;
    assert_eq!(ana.post("/v/loom/settings/invite", &[("username", "ben"), ("role", "steward")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(ana.post("/v/loom/settings/invite", &[("username", "cy"), ("role", "member")]).await.status, StatusCode::SEE_OTHER);
    // Refused changes record nothing.
    assert_eq!(cy.post("/v/loom/settings/access", &[("join_mode", "open"), ("visibility", "public")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(ana.post("/v/loom/settings/access", &[("join_mode", "sometimes"), ("visibility", "public")]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = cy.api("PUT", "/api/v1/ventures/loom/access", Some(json!({"join_mode": "open", "visibility": "members"}))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(ana.post("/v/loom/settings/access", &[("join_mode", "invite"), ("visibility", "members")]).await.status, StatusCode::SEE_OTHER);

    let page = ana.get("/v/loom/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("History of these settings"), "{}", page.text);
    for (number, text) in [
        (1, "ana's role: — → steward"),
        (2, "who may join: — → request"),
        (3, "who may read: — → public"),
        (4, "ben's role: — → steward"),
        (5, "who may join: request → invite"),
        (6, "who may read: public → members"),
    ] {
        let row = page.text.split(&format!(r#"data-change="{number}""#)).nth(1).unwrap_or_else(|| panic!("no change #{number}: {}", page.text));
        assert!(row.split("</tr>").next().unwrap().contains(text), "change #{number} is {text}: {row}");
    }
    assert!(!page.text.contains(r#"data-change="7""#), "refused changes and a member who is no steward are not in it");
    assert!(page.text.contains("2026-01-15 12:00 UTC") && page.text.contains(r#"data-by="person""#));
    assert!(!page.text.contains("style=") && !page.text.contains("<script"), "no inline style or script");

    let api = ben.api("GET", "/api/v1/ventures/loom/settings-history", None).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text);
    let changes = api.json()["changes"].as_array().unwrap().clone();
    assert_eq!(changes.len(), 6);
    assert_eq!(
        changes[3],
        json!({
            "number": 4, "setting": "steward", "member": "ben", "from": "", "to": "steward", "reason": "invited",
            "by_kind": "person", "by_account": "ana", "by_member": "ana", "by": "ana", "what": "ben's role: — → steward",
            "at_ms": Now::noon_of(date!(2026 - 01 - 15)).at_ms,
        })
    );
    assert_eq!((changes[0]["by_account"].as_str(), changes[0]["by_member"].as_str()), (Some("ana"), None), "not yet a member as the venture began");
    assert_eq!(cy.api("GET", "/api/v1/ventures/loom/settings-history", None).await.status, StatusCode::OK, "every member reads it");
    assert_eq!(cy.get("/v/loom/settings").await.status, StatusCode::FORBIDDEN, "the settings page stays the stewards'");

    // A members-only venture's history does not exist for anyone else.
    let mut visitor = Browser::new(server);
    for browser in [&mut visitor, &mut olga] {
        let reply = browser.api("GET", "/api/v1/ventures/loom/settings-history", None).await;
        assert_eq!((reply.status, reply.json()["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    }
    assert_eq!(olga.get("/v/loom/settings").await.status, StatusCode::NOT_FOUND);
    // A settings page asks a visitor to sign in first, whether the venture exists or not.
    assert_eq!(visitor.get("/v/loom/settings").await.status, visitor.get("/v/nowhere/settings").await.status);
    assert_eq!(visitor.get("/api/v1/ventures/nowhere/settings-history").await.status, StatusCode::NOT_FOUND);
}

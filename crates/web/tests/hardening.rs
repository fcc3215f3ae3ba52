//! What outside probing found, kept out: ids too large to exist are not found (never "damaged
//! data"), a sign-in sends people only to a path on this site, every response carries the
//! browser security headers and pages carry no inline style or script, and a signed-in form's
//! anti-forgery token is the session's own.

#[allow(unused_imports)]
use super::*;

#[tokio::test]
async fn ids_too_large_to_exist_are_not_found() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;
    ana.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"date": "2026-01-10", "kind": "expense", "amount": "10"}))).await;
    for path in [
        "/api/v1/ventures/loom/entries/9223372036854775808",
        "/api/v1/ventures/loom/entries/18446744073709551615",
        "/api/v1/ventures/loom/comments/9223372036854775808",
        "/api/v1/ventures/loom/comments/9223372036854775808/versions",
        "/v/loom/entries/9223372036854775808",
    ] {
        let reply = ana.get(path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}: {}", reply.text);
        assert!(!reply.text.contains("damaged"), "{path}: {}", reply.text);
    }
    let after = ana.get("/api/v1/ventures/loom/entries?after=9223372036854775808").await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.text);
    assert!(after.json()["entries"].as_array().unwrap().is_empty());
    for path in ["/api/v1/ventures/loom/entries/-1", "/api/v1/ventures/loom/needs/4294967296", "/api/v1/ventures/loom/entries/99999999999999999999"] {
        let reply = ana.get(path).await;
        assert_eq!((reply.status, reply.json()["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{path}");
    }
}

#[tokio::test]
async fn signing_in_leads_only_to_a_path_on_this_site() {
    let server = server();
    person(&server, "ana").await;
    for (next, to) in [
        ("/v/loom", "/v/loom"),
        ("/account?tab=tokens", "/account?tab=tokens"),
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("/\r\nSet-Cookie: x=1", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/ /evil.example", "/"),
        ("/café", "/"),
        ("", "/"),
    ] {
        let mut browser = Browser::new(&server);
        let reply = browser.post("/login", &[("username", "ana"), ("password", "ana-long-password"), ("next", next)]).await;
        assert_eq!((reply.status, reply.location()), (StatusCode::SEE_OTHER, to.to_string()), "{next:?}");
    }
}

/// The pages and answers a steward, a member and a visitor see.
const SEEN: [&str; 12] = [
    "/",
    "/login",
    "/signup",
    "/account",
    "/v/loom",
    "/v/loom/ledger",
    "/v/loom/log",
    "/v/loom/entries/1",
    "/v/loom/settings",
    "/api/v1/ventures/loom/split",
    "/api/v1/nowhere",
    "/no/such/page",
];

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_nothing_inline() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;
    ana.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"date": "2026-01-10", "kind": "expense", "amount": "10"}))).await;
    let mut visitor = Browser::new(&server);
    for browser in [&mut ana, &mut visitor] {
        for path in SEEN {
            let reply = browser.get(path).await;
            let header = |name: &str| reply.headers.get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
            let policy = header("content-security-policy");
            assert!(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"), "{path}: {policy:?}");
            assert!(!policy.contains("unsafe-inline") && !policy.contains("script-src"), "{path}: nothing inline, no script: {policy}");
            assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
            assert_eq!(header("referrer-policy"), "same-origin", "{path}");
            let private = ["/login", "/signup", "/account"].contains(&path);
            assert_eq!(header("cache-control") == "no-store", private, "{path}: {}", header("cache-control"));
            if header("content-type").starts_with("text/html") {
                for inline in ["<script", "<style", " style=", "javascript:"] {
                    assert!(!reply.text.contains(inline), "{path} carries {inline}");
                }
            }
        }
    }
    let tokens = ana.api("GET", "/api/v1/tokens", None).await;
    assert_eq!(tokens.headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn a_planted_anti_forgery_cookie_is_refused_once_signed_in() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;
    let mut ben = person(&server, "ben").await;
    // An attacker who can set a cookie on the site sets the anti-forgery cookie and a form
    // field to match: signed in, the token is the session's own, so both are refused.
    let planted = "a".repeat(64);
    ben.cookies.insert(CSRF_COOKIE.to_string(), planted.clone());
    let forged = ben.post_raw("/v/loom/join", &[("csrf", &planted), ("hourly_rate", "40")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.text);
    let forged_api = ben
        .send(
            ben.request("POST", "/api/v1/ventures/loom/join")
                .header("x-csrf-token", &planted)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(forged_api.status, StatusCode::FORBIDDEN, "{}", forged_api.text);
    let members = ana.api("GET", "/api/v1/ventures/loom/members", None).await.json();
    assert_eq!(members.as_array().unwrap().len(), 1, "nothing was written");
    // The token the pages gave him works, and differs from the cookie's.
    ben.form_token = None;
    let token = ben.token().await;
    assert_ne!(token, planted);
    assert_eq!(ben.post("/v/loom/join", &[("hourly_rate", "40")]).await.status, StatusCode::SEE_OTHER);
}

//! The conversation: comments for every role on both backends, comment text shown safely,
//! activity, unread counts and the Atom feed (checked as XML).

#[allow(unused_imports)]
use super::*;

// ---- talk: comments, activity, unread counts and the Atom feed

/// A server whose clock moves one second on every reading, so that what happens after a visit
/// is later than the visit.
fn ticking_server_on(url: &str, dir: Option<std::path::PathBuf>) -> Server {
    let commons = peerstake_backends::open_with(url, peerstake_store::Durability::Grouped).map(Commons::with_store).unwrap();
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
    on_postgres(ticking_server_on, comments_for_every_role_on).await;
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

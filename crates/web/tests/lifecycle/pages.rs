//! The lifecycle in the pages: forms, the printable report and its exports, and roles.

#[allow(unused_imports)]
use super::*;

use std::sync::atomic::{AtomicI64, Ordering};

/// A server whose clock starts at noon on 2026-01-15 and moves on by whole days when told.
fn server_with_clock() -> (Server, Arc<AtomicI64>) {
    let dir = std::env::temp_dir().join(format!("peerstake-web-later-{}-{}-{}", std::process::id(), unique_nanos(), rand_suffix()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let commons = peerstake_backends::open_with(&format!("sqlite://{}", dir.join("web.db").display()), peerstake_store::Durability::Grouped)
        .map(Commons::with_store)
        .unwrap();
    let days = Arc::new(AtomicI64::new(0));
    let start = Now::noon_of(date!(2026 - 01 - 15)).at_ms;
    let moved = Arc::clone(&days);
    let clock = Arc::new(move || Now::from_unix_ms(start + moved.load(Ordering::Relaxed) * 86_400_000));
    (Server { app: router(AppState::new(Arc::new(commons), clock, true)), dir: Some(dir) }, days)
}

/// Logs through the API as `by`: `fields` with the date of the test's today.
async fn log(by: &mut Browser, slug: &str, fields: Value) {
    let mut body = json!({"date": "2026-01-15"});
    body.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
    let reply = by.api("POST", &format!("/api/v1/ventures/{slug}/entries"), Some(body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
}

/// Signs each browser in again, with the password `person` gave it, when its session ran out.
async fn sign_in_again(browsers: &mut [(&mut Browser, &str)]) {
    for (browser, username) in browsers.iter_mut() {
        let me = browser.get("/api/v1/me").await;
        if me.status == StatusCode::OK {
            continue;
        }
        browser.cookies.remove(SESSION_COOKIE);
        browser.form_token = None;
        let reply = browser.post("/login", &[("username", username), ("password", &format!("{username}-long-password"))]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    }
}

/// The people of a venture's later life.
struct People {
    /// The steward.
    ana: Browser,
    /// A member who stays.
    ben: Browser,
    /// A member who leaves.
    dan: Browser,
    /// Signed in, not a member.
    olga: Browser,
    /// Not signed in.
    visitor: Browser,
}

/// `slug`, open and public, run by ana with ben (40 an hour) and dan (30 an hour) as members:
/// ana's 200 expense (800 slices, entry 1), ben's 10 hours (800, entry 2), dan's 5 hours (300,
/// entry 3) and 100 expense (400, entry 4).
async fn later_life(server: &Server, slug: &str) -> People {
    let mut ana = person(server, "ana").await;
    venture(&mut ana, slug, "open", "public").await;
    let mut ben = person(server, "ben").await;
    assert_eq!(ben.post(&format!("/v/{slug}/join"), &[("hourly_rate", "40")]).await.status, StatusCode::SEE_OTHER);
    let mut dan = person(server, "dan").await;
    assert_eq!(dan.post(&format!("/v/{slug}/join"), &[("hourly_rate", "30")]).await.status, StatusCode::SEE_OTHER);
    log(&mut ana, slug, json!({"kind": "expense", "amount": "200"})).await;
    log(&mut ana, slug, json!({"member": "ben", "kind": "time", "quantity": "10"})).await;
    log(&mut ana, slug, json!({"member": "dan", "kind": "time", "quantity": "5"})).await;
    log(&mut ana, slug, json!({"member": "dan", "kind": "expense", "amount": "100"})).await;
    People { ana, ben, dan, olga: person(server, "olga").await, visitor: Browser::new(server) }
}

/// The fields of a departure form.
fn leaving<'a>(action: &'a str, member: &'a str, case: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("action", action), ("member", member), ("case", case), ("justification", "Recorded for the test"), ("date", "2026-01-15"), ("key", "k1")]
}

async fn departures_count(browser: &mut Browser, slug: &str) -> usize {
    let page = browser.get(&format!("/v/{slug}/departures")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    page.text.matches("data-departure=").count()
}

/// The text of the first element carrying `attribute="value"`.
fn text_at(text: &str, attribute: &str) -> String {
    let start = text.find(attribute).unwrap_or_else(|| panic!("no {attribute} in {text}"));
    let rest = &text[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest[open..].find('<').unwrap();
    rest[open..open + close].to_string()
}

const OK: StatusCode = StatusCode::OK;
const SEE: StatusCode = StatusCode::SEE_OTHER;
const NO: StatusCode = StatusCode::UNAUTHORIZED;
const FORBID: StatusCode = StatusCode::FORBIDDEN;
const GONE: StatusCode = StatusCode::NOT_FOUND;
const BAD: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

#[tokio::test]
async fn every_lifecycle_page_for_every_role() {
    let server = server();
    let People { mut ana, ben, mut dan, olga, visitor } = later_life(&server, "loom").await;
    // Dan leaves as a good leaver and is offered a buyout; the split is frozen, income arrives
    // and is paid out.
    assert_eq!(ana.post("/v/loom/departures", &leaving("confirm", "dan", "resigned-for-good-reason")).await.status, SEE);
    assert_eq!(ana.post("/v/loom/buyouts", &[("member", "dan"), ("price_per_slice", "0.50")]).await.status, SEE);
    assert_eq!(ana.post("/v/loom/freezes", &[("reason", "break-even"), ("total_shares", "1000")]).await.status, SEE);
    assert_eq!(ana.post("/v/loom/income", &[("kind", "revenue"), ("amount", "230")]).await.status, SEE);
    assert_eq!(ana.post("/v/loom/distributions", &[("action", "post"), ("amount", "230")]).await.status, SEE);

    // The departed member's own offer carries their answer buttons; nobody else's page does.
    let own = dan.get("/v/loom/departures").await.text;
    assert!(own.contains(r#"action="/v/loom/buyouts/1""#) && own.contains(r#"value="accept""#), "{own}");
    let mut roles = [("visitor", visitor), ("outsider", olga), ("member", ben), ("steward", ana), ("departed", dan)];
    let other = roles[2].1.get("/v/loom/departures").await.text;
    assert!(!other.contains(r#"value="accept""#) && !other.contains(r#"value="withdraw""#), "{other}");
    assert!(roles[3].1.get("/v/loom/departures").await.text.contains(r#"value="withdraw""#), "stewards may withdraw an offer");
    // Who left sees no form to log, but a link to their statement.
    let nav = roles[4].1.get("/v/loom").await.text;
    assert!(!nav.contains("Log a contribution") && nav.contains(r#"href="/v/loom/statement""#), "{nav}");

    let all = [OK; 5];
    let pages: Vec<(&str, [StatusCode; 5])> = vec![
        ("/v/loom/departures", all),
        ("/v/loom/stewards", all),
        ("/v/loom/freezes", all),
        ("/v/loom/freezes/1", all),
        ("/v/loom/freezes/9", [GONE; 5]),
        ("/v/loom/income", all),
        ("/v/loom/distributions", all),
        ("/v/loom/distributions/1", all),
        ("/v/loom/distributions/9", [GONE; 5]),
        ("/v/loom/statement", [NO, FORBID, OK, OK, OK]),
        ("/v/loom/statement/ben", all),
        ("/v/loom/statement/dan", all),
        ("/v/loom/statement/nobody", [GONE; 5]),
        ("/v/loom/report", all),
        ("/v/loom/exports/cap-table.csv", all),
        ("/v/loom/exports/cap-table.json", all),
        ("/v/loom/exports/distributions.csv", all),
        ("/v/loom/exports/distributions.json", all),
        ("/v/loom/exports/statements.csv", all),
        ("/v/loom/exports/statements.json", all),
        ("/v/loom/exports/ledger.csv", [GONE; 5]),
        ("/v/loom/exports/cap-table.xml", [GONE; 5]),
        ("/v/nowhere/departures", [GONE; 5]),
        ("/v/nowhere/exports/cap-table.csv", [GONE; 5]),
    ];
    for (path, expected) in &pages {
        for ((role, browser), want) in roles.iter_mut().zip(expected) {
            let reply = browser.get(path).await;
            assert_eq!(reply.status, *want, "GET {path} as {role}: {}", &reply.text[..reply.text.len().min(400)]);
        }
    }
    // Forms, each for every role; the steward's succeed (or show their own refusal).
    let forms: Vec<(&str, Vec<(&str, &str)>, [StatusCode; 5])> = vec![
        ("/v/loom/departures", leaving("preview", "ben", "fired-for-good-reason"), [NO, FORBID, FORBID, OK, FORBID]),
        ("/v/loom/buyouts", vec![("member", "dan")], [NO, FORBID, FORBID, StatusCode::CONFLICT, FORBID]),
        ("/v/loom/buyouts/1", vec![("answer", "decline")], [NO, FORBID, FORBID, FORBID, SEE]),
        ("/v/loom/stewards/handover", vec![("to", "ben")], [NO, FORBID, FORBID, SEE, FORBID]),
        ("/v/loom/stewards/adopt", vec![("message", "I would run it")], [NO, FORBID, FORBID, FORBID, FORBID]),
        ("/v/loom/freezes", vec![("reason", "other")], [NO, FORBID, FORBID, StatusCode::CONFLICT, FORBID]),
        ("/v/loom/freezes/1/vote", vec![("vote", "for")], [NO, FORBID, BAD, BAD, FORBID]),
        ("/v/loom/income", vec![("amount", "10")], [NO, FORBID, FORBID, SEE, FORBID]),
        ("/v/loom/distributions", vec![("action", "preview"), ("amount", "10")], [NO, FORBID, FORBID, OK, FORBID]),
    ];
    for (path, fields, expected) in &forms {
        for ((role, browser), want) in roles.iter_mut().zip(expected) {
            let reply = browser.post(path, fields).await;
            assert_eq!(reply.status, *want, "POST {path} as {role}: {}", &reply.text[..reply.text.len().min(400)]);
        }
    }
}

#[tokio::test]
async fn who_left_a_members_only_venture_still_reads_their_own_statement() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "lab", "invite", "members").await;
    let (mut ben, mut dan, mut olga, mut visitor) =
        (person(&server, "ben").await, person(&server, "dan").await, person(&server, "olga").await, Browser::new(&server));
    for who in ["ben", "dan"] {
        assert_eq!(ana.post("/v/lab/settings/invite", &[("username", who), ("role", "member")]).await.status, SEE);
    }
    // Invited members have no terms yet: they give money, not time (300 and 400 slices).
    log(&mut ana, "lab", json!({"member": "dan", "kind": "expense", "amount": "75"})).await;
    log(&mut ana, "lab", json!({"member": "ben", "kind": "expense", "amount": "100"})).await;
    assert_eq!(ana.post("/v/lab/departures", &leaving("confirm", "dan", "resigned-for-good-reason")).await.status, SEE);
    assert_eq!(ana.post("/v/lab/buyouts", &[("member", "dan")]).await.status, SEE);

    // Dan reads his statement, without the venture's navigation, and nothing else.
    let own = dan.get("/v/lab/statement").await;
    assert_eq!(own.status, OK, "{}", own.text);
    assert!(own.text.contains("You left this venture") && !own.text.contains(r#"href="/v/lab/ledger""#), "{}", own.text);
    assert_eq!(text_at(&own.text, "data-slices="), "300.00 of 700.00 (42.86%)");
    assert_eq!(dan.get("/v/lab/statement/dan").await.status, OK);
    assert_eq!(dan.get("/v/lab/statement/ben").await.status, FORBID);
    // The list of ventures leaves the venture out for him, and still answers.
    let listed = dan.api("GET", "/api/v1/ventures", None).await;
    assert_eq!(listed.status, OK, "{}", listed.text);
    assert!(listed.json().as_array().unwrap().iter().all(|v| v["slug"] != "lab"), "{}", listed.text);
    assert!(!dan.get("/").await.text.contains("/v/lab\""), "nor does the commons page");
    for path in ["/v/lab", "/v/lab/departures", "/v/lab/report", "/v/lab/exports/statements.csv", "/v/lab/freezes"] {
        assert_eq!(dan.get(path).await.status, GONE, "{path}");
    }
    // He answers the offer for his slices from there.
    assert!(own.text.contains(r#"name="from" value="statement""#), "{}", own.text);
    let declined = dan.post("/v/lab/buyouts/1", &[("answer", "decline"), ("from", "statement")]).await;
    assert_eq!((declined.status, declined.location()), (SEE, "/v/lab/statement".to_string()));
    assert!(dan.get("/v/lab/statement").await.text.contains(r#"data-status="declined""#));
    let again = dan.post("/v/lab/buyouts/1", &[("answer", "accept"), ("from", "statement")]).await;
    assert_eq!(again.status, BAD, "an answered offer stays answered: {}", again.text);
    assert!(again.text.contains("You left this venture"), "the statement is shown again with the error");

    // Outsiders learn nothing; members read anyone's statement.
    for path in ["/v/lab/statement/dan", "/v/lab/departures", "/v/lab/exports/cap-table.csv"] {
        assert_eq!(olga.get(path).await.status, GONE, "{path}");
        assert_eq!(visitor.get(path).await.status, GONE, "{path}");
    }
    assert_eq!(olga.get("/v/lab/statement").await.status, GONE);
    assert_eq!(visitor.get("/v/lab/statement").await.status, NO);
    assert_eq!(ben.get("/v/lab/statement/dan").await.status, OK);
    assert_eq!(ben.get("/v/lab/departures").await.status, OK);
}

#[tokio::test]
async fn a_departure_is_shown_before_it_is_recorded_and_bad_input_changes_nothing() {
    let server = server();
    let People { mut ana, mut ben, mut dan, .. } = later_life(&server, "loom").await;
    let before = entries(&mut ana, "loom").await.len();

    // Bad input is shown next to its field; nothing is written.
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("action", "preview"), ("member", "dan"), ("case", "fired-for-good-reason"), ("justification", " ")], "justification-error"),
        (vec![("action", "preview"), ("member", "dan"), ("case", "quit"), ("justification", "Gone")], "case-error"),
        (vec![("action", "confirm"), ("member", "dan"), ("case", "fired-for-good-reason"), ("justification", "Gone"), ("date", "2026-01-10")], "date-error"),
        (vec![("action", "confirm"), ("member", "dan"), ("case", "fired-for-good-reason"), ("justification", "Gone"), ("date", "15/01/2026")], "date-error"),
        (vec![("action", "confirm"), ("member", "ana"), ("case", "fired-for-good-reason"), ("justification", "Me")], "member-error"),
    ];
    for (fields, field) in &cases {
        let reply = ana.post("/v/loom/departures", fields).await;
        assert_eq!(reply.status, BAD, "{fields:?}: {}", reply.text);
        assert!(reply.text.contains(&format!(r#"id="{field}""#)), "{fields:?}: {}", reply.text);
        assert!(reply.text.contains(r#"<form class="stack" method="post" action="/v/loom/departures""#), "the form is shown again");
    }
    let nobody = ana.post("/v/loom/departures", &leaving("confirm", "nobody", "fired-for-good-reason")).await;
    assert_eq!(nobody.status, BAD, "{}", nobody.text);
    let forged = ana.post_raw("/v/loom/departures", &leaving("confirm", "dan", "fired-for-good-reason")).await;
    assert_eq!(forged.status, FORBID);
    assert_eq!(ben.post("/v/loom/departures", &leaving("confirm", "dan", "fired-for-good-reason")).await.status, FORBID);
    assert_eq!(entries(&mut ana, "loom").await.len(), before, "nothing was written");
    assert_eq!(departures_count(&mut ana, "loom").await, 0);

    // The first submit shows the outcome and writes nothing: dan, a bad leaver, loses his time
    // (300) and keeps his expense at ×1 (100 of 400).
    let preview = ana.post("/v/loom/departures", &leaving("preview", "dan", "fired-for-good-reason")).await;
    assert_eq!(preview.status, OK, "{}", preview.text);
    let text = &preview.text;
    assert!(text.contains("data-departure-preview"), "{text}");
    assert_eq!(text_at(text, "data-slices-before="), "700.00");
    assert_eq!(text_at(text, "data-slices-after="), "100.00");
    assert!(text.contains(r#"href="/v/loom/entries/3""#) && text.contains(r#"href="/v/loom/entries/4""#), "{text}");
    assert!(!text.contains(r#"href="/v/loom/entries/2""#), "ben's entry is not adjusted");
    assert!(text.contains("<td>lost</td>") && text.contains("<td>kept at ×1</td>"), "{text}");
    assert!(text.contains(r#"data-buyout="100.00""#), "{text}");
    assert!(text.contains(r#"<button type="submit">Confirm departure</button>"#), "{text}");
    assert_eq!(entries(&mut ana, "loom").await.len(), before, "a preview writes nothing");
    assert_eq!(departures_count(&mut ana, "loom").await, 0);

    // Confirming records it once, however often it is sent.
    for _ in 0..2 {
        let confirmed = ana.post("/v/loom/departures", &leaving("confirm", "dan", "fired-for-good-reason")).await;
        assert_eq!((confirmed.status, confirmed.location()), (SEE, "/v/loom/departures#departure-1".to_string()), "{}", confirmed.text);
    }
    assert_eq!(entries(&mut ana, "loom").await.len(), before + 1);
    let page = ana.get("/v/loom/departures").await.text;
    assert_eq!(page.matches("data-departure=").count(), 1, "{page}");
    assert!(page.contains("Recorded for the test") && page.contains(r#"data-slices-after="100.00""#), "{page}");
    let again =
        ana.post("/v/loom/departures", &[("action", "preview"), ("member", "dan"), ("case", "fired-for-good-reason"), ("justification", "Twice")]).await;
    assert_eq!(again.status, BAD, "one departure per member: {}", again.text);
    assert_eq!(dan.post("/v/loom/income", &[("amount", "1")]).await.status, FORBID, "who left takes part in nothing new");

    // The buyout form refuses bad input and changes nothing.
    let bad_buyouts: Vec<Vec<(&str, &str)>> = vec![
        vec![("member", "dan"), ("price_per_slice", "abc")],
        vec![("member", "ben")],
        vec![("member", "dan"), ("buyer", "dan")],
        vec![("member", "nobody")],
    ];
    for fields in &bad_buyouts {
        let reply = ana.post("/v/loom/buyouts", fields).await;
        assert_eq!(reply.status, BAD, "{fields:?}: {}", reply.text);
    }
    assert_eq!(ana.post_raw("/v/loom/buyouts", &[("member", "dan")]).await.status, FORBID);
    assert_eq!(ben.post("/v/loom/buyouts", &[("member", "dan")]).await.status, FORBID);
    assert!(ana.get("/v/loom/departures").await.text.contains("No buyouts."));
    assert_eq!(entries(&mut ana, "loom").await.len(), before + 1);

    // A bad leaver's buyout is forced: recorded at once, with no claw-back.
    assert_eq!(ana.post("/v/loom/buyouts", &[("member", "dan")]).await.status, SEE);
    let page = ana.get("/v/loom/departures").await.text;
    assert!(page.contains(r#"data-status="accepted""#) && page.contains("(forced)") && page.contains("none (a bad leaver)"), "{page}");
    assert!(!page.contains(r#"value="withdraw""#), "a forced buyout is final");
    let statement = dan.get("/v/loom/statement").await.text;
    assert_eq!(text_at(&statement, "data-buyout-amount="), "100.00 EUR");
    assert!(statement.contains(r#"data-slices="0.00""#), "{statement}");
    assert_eq!(entries(&mut ana, "loom").await.len(), before + 2);
}

#[tokio::test]
async fn a_good_leaver_answers_offers_and_accepting_opens_a_claw_back_window() {
    let server = server();
    let People { mut ana, mut ben, mut dan, .. } = later_life(&server, "loom").await;
    assert_eq!(ana.post("/v/loom/departures", &leaving("confirm", "dan", "resigned-for-good-reason")).await.status, SEE);
    let page = ana.get("/v/loom/departures").await.text;
    assert!(page.contains(r#"data-slices-after="700.00""#) && page.contains("a good leaver"), "{page}");

    // Offered at 0.50 a slice, bought by ben; ben cannot answer it, dan declines.
    assert_eq!(ana.post("/v/loom/buyouts", &[("member", "dan"), ("buyer", "ben"), ("price_per_slice", "0.50")]).await.status, SEE);
    let offered = dan.get("/v/loom/departures").await.text;
    assert!(offered.contains(r#"data-status="offered""#) && offered.contains("350.00 EUR"), "{offered}");
    assert_eq!(ben.post("/v/loom/buyouts/1", &[("answer", "accept")]).await.status, FORBID);
    assert_eq!(dan.post_raw("/v/loom/buyouts/1", &[("answer", "accept")]).await.status, FORBID, "a forged answer");
    let bad = dan.post("/v/loom/buyouts/1", &[("answer", "maybe")]).await;
    assert_eq!(bad.status, BAD, "{}", bad.text);
    assert_eq!(dan.post("/v/loom/buyouts/1", &[("answer", "decline")]).await.status, SEE);
    // A second offer, withdrawn by the steward; dan cannot withdraw.
    assert_eq!(ana.post("/v/loom/buyouts", &[("member", "dan")]).await.status, SEE);
    assert_eq!(dan.post("/v/loom/buyouts/2", &[("answer", "withdraw")]).await.status, FORBID);
    assert_eq!(ana.post("/v/loom/buyouts/2", &[("answer", "withdraw")]).await.status, SEE);
    // A third, accepted: the slices pass to the venture and the claw-back window opens for a year.
    assert_eq!(ana.post("/v/loom/buyouts", &[("member", "dan")]).await.status, SEE);
    let accepted = dan.post("/v/loom/buyouts/3", &[("answer", "accept")]).await;
    assert_eq!((accepted.status, accepted.location()), (SEE, "/v/loom/departures#buyouts".to_string()));
    let page = dan.get("/v/loom/departures").await.text;
    for status in ["declined", "withdrawn", "accepted"] {
        assert!(page.contains(&format!(r#"data-status="{status}""#)), "{status}: {page}");
    }
    assert!(page.contains(r#"data-clawback="2027-01-15""#), "{page}");
    let statement = dan.get("/v/loom/statement").await.text;
    assert!(statement.contains("Claw-backs") && statement.contains("window until 2027-01-15"), "{statement}");
    assert_eq!(text_at(&statement, "data-slices="), "0.00 of 1600.00 (0.00%)");
}

#[tokio::test]
async fn stewards_hand_over_and_a_silent_venture_is_adopted_unless_a_member_objects() {
    let (server, days) = server_with_clock();
    let People { mut ana, mut ben, mut dan, mut olga, mut visitor } = later_life(&server, "loom").await;
    let stewards = |text: &str| text.matches("data-steward=").count();

    // Ana asks ben to take over; bad input and forged forms change nothing.
    for (fields, status) in [(vec![("to", "ana")], BAD), (vec![("to", "nobody")], BAD), (vec![("to", "ben"), ("message", &"x".repeat(20_000))], BAD)] {
        let reply = ana.post("/v/loom/stewards/handover", &fields).await;
        assert_eq!(reply.status, status, "{}", reply.text);
    }
    assert_eq!(ana.post_raw("/v/loom/stewards/handover", &[("to", "ben")]).await.status, FORBID);
    assert_eq!(ben.post("/v/loom/stewards/handover", &[("to", "dan")]).await.status, FORBID);
    assert!(ana.get("/v/loom/stewards").await.text.contains("None yet."));
    assert_eq!(ana.post("/v/loom/stewards/handover", &[("to", "ben"), ("message", "Over to you")]).await.status, SEE);
    let page = ben.get("/v/loom/stewards").await.text;
    assert!(page.contains("Accept: become a steward") && page.contains("Over to you"), "{page}");
    assert!(!dan.get("/v/loom/stewards").await.text.contains("Accept: become a steward"), "only the member named answers");
    assert_eq!(dan.post("/v/loom/stewards/1/answer", &[("answer", "accept")]).await.status, FORBID);
    assert_eq!(ben.post("/v/loom/stewards/1/answer", &[("answer", "accept"), ("note", "Gladly")]).await.status, SEE);
    let page = visitor.get("/v/loom/stewards").await.text;
    assert!(page.contains(r#"data-steward="ben""#) && stewards(&page) == 1 && page.contains("Gladly"), "{page}");
    assert!(page.contains(r#"data-adoptable="closed""#) && !page.contains("Ask to adopt"), "{page}");
    assert_eq!(olga.post("/v/loom/stewards/adopt", &[("message", "Let me")]).await.status, FORBID, "not open to adoption");

    // Half a year of silence: anyone signed in may ask to adopt it, with a word about themselves.
    // (Sessions last 30 days: people sign in again.)
    days.store(181, Ordering::Relaxed);
    sign_in_again(&mut [(&mut olga, "olga"), (&mut dan, "dan")]).await;
    let page = visitor.get("/v/loom/stewards").await.text;
    assert!(page.contains(r#"data-adoptable="open""#) && page.contains("no steward has been active for 180 days"), "{page}");
    assert!(page.contains("to ask to adopt this venture"), "a visitor is asked to sign in: {page}");
    assert!(olga.get("/v/loom/stewards").await.text.contains(r#"action="/v/loom/stewards/adopt""#));
    let empty = olga.post("/v/loom/stewards/adopt", &[("message", "  ")]).await;
    assert_eq!(empty.status, BAD, "{}", empty.text);
    assert!(empty.text.contains(r#"id="message-error""#), "{}", empty.text);
    assert_eq!(visitor.post("/v/loom/stewards/adopt", &[("message", "Me")]).await.status, NO);
    assert_eq!(olga.post_raw("/v/loom/stewards/adopt", &[("message", "Forged")]).await.status, FORBID);
    assert_eq!(olga.post("/v/loom/stewards/adopt", &[("message", "I make looms")]).await.status, SEE);
    let page = dan.get("/v/loom/stewards").await.text;
    assert!(page.contains("unless a member objects by 2026-08-14") && page.contains(r#"action="/v/loom/stewards/2/object""#), "{page}");
    assert!(!olga.get("/v/loom/stewards").await.text.contains("/stewards/2/object"), "no objection to oneself");

    // Dan objects (with a reason): it does not pass.
    assert_eq!(dan.post("/v/loom/stewards/2/object", &[("note", " ")]).await.status, BAD);
    assert_eq!(olga.post("/v/loom/stewards/2/object", &[("note", "No")]).await.status, FORBID, "only members object");
    assert_eq!(dan.post("/v/loom/stewards/2/object", &[("note", "We do not know her")]).await.status, SEE);
    assert!(visitor.get("/v/loom/stewards").await.text.contains(r#"data-status="objected""#));

    // Asked again, nobody objects within 30 days: reading the page passes the role.
    assert_eq!(olga.post("/v/loom/stewards/adopt", &[("message", "Second try")]).await.status, SEE);
    days.store(181 + 31, Ordering::Relaxed);
    sign_in_again(&mut [(&mut olga, "olga")]).await;
    let page = visitor.get("/v/loom/stewards").await.text;
    assert!(page.contains(r#"data-status="passed""#) && page.contains(r#"data-steward="olga""#), "{page}");
    assert!(olga.get("/v/loom/departures").await.text.contains("Record a departure"), "olga is a steward now");
}

#[tokio::test]
async fn freezing_the_split_into_a_cap_table_by_vote_and_undoing_it() {
    let server = server();
    let People { mut ana, mut ben, .. } = later_life(&server, "loom").await;
    let mut carl = person(&server, "carl").await;
    assert_eq!(ana.post("/v/loom/settings/invite", &[("username", "carl"), ("role", "steward")]).await.status, SEE);

    // Bad input and the wrong people change nothing.
    for (fields, field) in [
        (vec![("reason", "boredom")], "reason-error"),
        (vec![("reason", "break-even"), ("total_shares", "lots")], "total-shares-error"),
        (vec![("reason", "break-even"), ("total_shares", "0")], "total-shares-error"),
        (vec![("reason", "break-even"), ("issued-ana", "many")], "issued-shares-error"),
    ] {
        let reply = ana.post("/v/loom/freezes", &fields).await;
        assert_eq!(reply.status, BAD, "{fields:?}: {}", reply.text);
        assert!(reply.text.contains(&format!(r#"id="{field}""#)), "{fields:?}: {}", reply.text);
    }
    assert_eq!(ana.post_raw("/v/loom/freezes", &[("reason", "break-even")]).await.status, FORBID);
    assert_eq!(ben.post("/v/loom/freezes", &[("reason", "break-even")]).await.status, FORBID);
    assert!(ana.get("/v/loom/freezes").await.text.contains("None yet."));

    // Proposed by one of two stewards, it waits; the cap table is worked out from the split now.
    let proposed = ana.post("/v/loom/freezes", &[("reason", "break-even"), ("note", "First profit"), ("total_shares", "")]).await;
    assert_eq!((proposed.status, proposed.location()), (SEE, "/v/loom/freezes/1".to_string()));
    let page = ben.get("/v/loom/freezes/1").await.text;
    assert!(page.contains(r#"data-status="proposed""#) && page.contains("worked out from the split now"), "{page}");
    // 2,300 slices: ana and ben 800 each, dan 700, of 10,000,000 shares.
    assert_eq!(text_at(&page, r#"data-shares="ana""#), "3478261");
    assert_eq!(text_at(&page, r#"data-shares="dan""#), "3043478");
    assert!(!ana.get("/v/loom/freezes").await.text.contains("Propose the freeze"), "one freeze at a time");
    assert_eq!(carl.post("/v/loom/freezes/1/vote", &[("vote", "maybe")]).await.status, BAD);
    assert_eq!(carl.post_raw("/v/loom/freezes/1/vote", &[("vote", "for")]).await.status, FORBID);
    assert_eq!(carl.post("/v/loom/freezes/1/vote", &[("vote", "for")]).await.status, SEE);
    let page = ben.get("/v/loom/freezes/1").await.text;
    assert!(page.contains(r#"data-status="frozen""#) && page.contains(r#"data-head="4""#), "frozen at the ledger's head: {page}");
    assert!(page.contains(r#"href="/v/loom/entries/4""#), "{page}");
    assert!(ben.get("/v/loom/freezes").await.text.contains("The split is frozen since 2026-01-15"));
    assert_eq!(ben.get("/v/loom/statement").await.text.matches(r#"data-shares="3478261""#).count(), 1);

    // Undoing it takes the same rule.
    assert_eq!(ben.post("/v/loom/freezes/1/unfreeze", &[]).await.status, FORBID);
    assert_eq!(ana.post("/v/loom/freezes/1/unfreeze", &[]).await.status, SEE);
    assert!(carl.get("/v/loom/freezes/1").await.text.contains("Vote to unfreeze"));
    assert_eq!(carl.post("/v/loom/freezes/1/vote", &[("vote", "for")]).await.status, SEE);
    assert!(ana.get("/v/loom/freezes/1").await.text.contains(r#"data-status="unfrozen""#));

    // Again, with equal shares issued at the start: the buy-back plan.
    let planned = ana
        .post("/v/loom/freezes", &[("reason", "funding-round"), ("total_shares", "2300"), ("issued-ana", "100"), ("issued-ben", "100"), ("issued-dan", "100")])
        .await;
    assert_eq!(planned.status, SEE, "{}", planned.text);
    carl.post("/v/loom/freezes/2/vote", &[("vote", "for")]).await;
    let page = ana.get("/v/loom/freezes/2").await.text;
    assert!(page.contains("Buy back") && page.contains("After the buy-back plan"), "{page}");
    assert_eq!(text_at(&page, r#"data-shares="ana""#), "800");
}

#[tokio::test]
async fn income_is_distributed_after_a_preview_and_every_statement_shows_its_payout() {
    let server = server();
    let People { mut ana, mut ben, mut dan, mut visitor, .. } = later_life(&server, "loom").await;

    // Income: bad input and the wrong people change nothing.
    for (fields, field) in [
        (vec![("amount", "ten")], "amount-error"),
        (vec![("amount", "0")], "amount-error"),
        (vec![("amount", "10"), ("kind", "gift")], "kind-error"),
        (vec![("amount", "10"), ("valuation", "5000")], "valuation-error"),
        (vec![("amount", "10"), ("date", "2026-02-01")], "date-error"),
    ] {
        let reply = ana.post("/v/loom/income", &fields).await;
        assert_eq!(reply.status, BAD, "{fields:?}: {}", reply.text);
        assert!(reply.text.contains(&format!(r#"id="{field}""#)), "{fields:?}: {}", reply.text);
    }
    assert_eq!(ana.post_raw("/v/loom/income", &[("amount", "10")]).await.status, FORBID);
    assert_eq!(ben.post("/v/loom/income", &[("amount", "10")]).await.status, FORBID);
    assert!(visitor.get("/v/loom/income").await.text.contains(r#"data-undistributed="0.00""#));
    // The same form sent twice records it once.
    for _ in 0..2 {
        assert_eq!(ana.post("/v/loom/income", &[("kind", "revenue"), ("amount", "230"), ("note", "First sales"), ("key", "inc-1")]).await.status, SEE);
    }
    let page = visitor.get("/v/loom/income").await.text;
    assert!(page.contains(r#"data-undistributed="230.00""#) && page.contains("First sales"), "{page}");

    // Distributions: bad input shows the form again and pays nothing.
    for (fields, field) in [
        (vec![("action", "preview"), ("amount", "231")], "amount-error"),
        (vec![("action", "post"), ("amount", "100"), ("basis", "cap-table")], "basis-error"),
        (vec![("action", "post"), ("amount", "-5")], "amount-error"),
    ] {
        let reply = ana.post("/v/loom/distributions", &fields).await;
        assert_eq!(reply.status, BAD, "{fields:?}: {}", reply.text);
        assert!(reply.text.contains(&format!(r#"id="{field}""#)), "{fields:?}: {}", reply.text);
    }
    assert_eq!(ana.post_raw("/v/loom/distributions", &[("action", "post"), ("amount", "230")]).await.status, FORBID);
    assert_eq!(ben.post("/v/loom/distributions", &[("action", "post"), ("amount", "230")]).await.status, FORBID);

    // The first submit shows every holder's payout, with what it is split by and where.
    assert!(ana.get("/v/loom/distributions").await.text.contains(r#"value="230.00""#), "the amount waiting is offered");
    let preview = ana.post("/v/loom/distributions", &[("action", "preview"), ("amount", "230"), ("note", "January"), ("key", "d-1")]).await;
    assert_eq!(preview.status, OK, "{}", preview.text);
    let text = &preview.text;
    assert!(text.contains("data-distribution-preview") && text.contains("Post this distribution"), "{text}");
    // 800 + 800 + 700 slices share 230: 80, 80, 70.
    for (who, amount) in [("ana", "80.00"), ("ben", "80.00"), ("dan", "70.00")] {
        assert_eq!(text_at(text, &format!(r#"data-payout="{who}""#)), amount, "{who}");
        assert!(text.contains(&format!(r#"href="/v/loom/members/{who}""#)), "{who}'s trace: {text}");
    }
    assert!(text.contains("700.00 slices of 2300.00 slices, at entry #4"), "{text}");
    assert!(visitor.get("/v/loom/distributions").await.text.contains("Nothing distributed yet."), "a preview pays nothing");

    // Posting it (twice, as a double click would) pays once.
    for _ in 0..2 {
        let posted = ana.post("/v/loom/distributions", &[("action", "post"), ("amount", "230"), ("note", "January"), ("key", "d-1")]).await;
        assert_eq!((posted.status, posted.location()), (SEE, "/v/loom/distributions/1".to_string()), "{}", posted.text);
    }
    let page = visitor.get("/v/loom/distributions/1").await.text;
    assert_eq!(text_at(&page, r#"data-payout="dan""#), "70.00");
    assert!(page.contains(r#"data-amount="230.00""#) && page.contains("January"), "{page}");
    assert!(visitor.get("/v/loom/income").await.text.contains(r#"data-undistributed="0.00""#));
    for (browser, amount) in [(&mut ana, "80.00"), (&mut ben, "80.00"), (&mut dan, "70.00")] {
        let statement = browser.get("/v/loom/statement").await.text;
        assert_eq!(text_at(&statement, "data-received="), format!("{amount} EUR"), "{statement}");
        assert!(statement.contains(r#"data-statement-payout="1""#) && statement.contains("<td>#4</td>"), "{statement}");
    }
    let dan_seen = visitor.get("/v/loom/statement/dan").await.text;
    assert!(dan_seen.contains("700.00 slices of 2300.00 slices (the split)"), "{dan_seen}");
}

#[tokio::test]
async fn the_printable_report_and_its_exports() {
    let server = server();
    let People { mut ana, mut visitor, .. } = later_life(&server, "loom").await;
    assert_eq!(ana.post("/v/loom/departures", &leaving("confirm", "dan", "fired-for-good-reason")).await.status, SEE);
    assert_eq!(ana.post("/v/loom/buyouts", &[("member", "dan")]).await.status, SEE);
    assert_eq!(ana.post("/v/loom/freezes", &[("reason", "break-even"), ("total_shares", "1000")]).await.status, SEE);
    assert_eq!(ana.post("/v/loom/income", &[("amount", "160"), ("note", "Looms sold")]).await.status, SEE);
    assert_eq!(ana.post("/v/loom/distributions", &[("action", "post"), ("amount", "160")]).await.status, SEE);

    let report = visitor.get("/v/loom/report").await;
    assert_eq!(report.status, OK);
    let text = &report.text;
    let sheet = text.split(r#"rel="stylesheet" href=""#).nth(1).and_then(|rest| rest.split('"').next()).expect("the page links its stylesheet").to_string();
    let style = visitor.get(&sheet).await;
    assert_eq!(style.headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
    assert!(style.text.contains("@media print") && style.text.contains("break-before:page"), "a print stylesheet");
    for part in ["The split", "The cap table (freeze #1)", "Departures", "Buyouts", "Income", "Distributions", "Every member"] {
        assert!(text.contains(&format!("<h2>{part}")), "{part}: {text}");
    }
    assert_eq!(text.matches("<section class=\"report-part\">").count(), 7);
    assert_eq!(text.matches("<article class=\"statement\">").count(), 3, "ana's, ben's and dan's");
    assert!(text.contains("Looms sold") && text.contains("Recorded for the test"), "{text}");
    for what in ["cap-table", "distributions", "statements"] {
        for format in ["csv", "json"] {
            assert!(text.contains(&format!(r#"href="/v/loom/exports/{what}.{format}""#)), "{what}.{format}");
        }
    }

    let headers = [
        ("cap-table", "member,name,slices,shares,percent,issued,buy_back,issue,status,head_seq,head_hash"),
        ("distributions", "distribution,paid_on,basis,member,weight,total_weight,percent,amount,head_seq"),
        ("statements", "member,name,role,departed_on,slices,percent,shares,well,well_owed_back,received,owed_clawback"),
    ];
    for (what, header) in headers {
        let csv = visitor.get(&format!("/v/loom/exports/{what}.csv")).await;
        assert_eq!(csv.status, OK, "{}", csv.text);
        assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        assert_eq!(csv.headers[header::CONTENT_DISPOSITION], format!("attachment; filename=\"loom-{what}.csv\"").as_str());
        assert_eq!(csv.text.lines().next(), Some(header), "{}", csv.text);
        let json = visitor.get(&format!("/v/loom/exports/{what}.json")).await;
        assert_eq!(json.headers[header::CONTENT_TYPE], "application/json");
        assert_eq!(json.headers[header::CONTENT_DISPOSITION], format!("attachment; filename=\"loom-{what}.json\"").as_str());
        let body = json.json();
        assert_eq!((body["venture"].as_str(), body["export"].as_str()), (Some("loom"), Some(what)), "{body}");
        assert_eq!(body["rows"].as_array().unwrap().len(), csv.text.lines().count() - 1, "the same rows: {body}");
    }
    let cap = visitor.get("/v/loom/exports/cap-table.csv").await.text;
    assert!(cap.lines().any(|l| l.starts_with("ana,ANA,800.00,500,50.00,")), "{cap}");
    let statements = visitor.get("/v/loom/exports/statements.csv").await.text;
    assert!(statements.lines().any(|l| l.starts_with("dan,DAN,member,2026-01-15,0.00,")), "{statements}");
}

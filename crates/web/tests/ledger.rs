//! The ledger over pages and the API: logging, previewing and reversing, the split and its pages,
//! creating a venture, review, recurring contributions and formula proposals.

#[allow(unused_imports)]
use super::*;

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

/// Ben's slices in loom's current split.
async fn slices_of(browser: &mut Browser, handle: &str) -> String {
    let split = browser.api("GET", "/api/v1/ventures/loom/split", None).await.json();
    split["members"].as_array().unwrap().iter().find(|m| m["member"] == handle).map(|m| m["slices"].as_str().unwrap().to_string()).unwrap()
}

#[tokio::test]
async fn entries_wait_for_review_and_disputes_take_them_out() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture_under(&mut ana, "loom", "review = \"stewards\"", Some("2026-01-01")).await;
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

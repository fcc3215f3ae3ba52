//! Figures as people mean them, over HTTP: the API takes and gives the canonical form only, pages
//! read the person's number format (theirs, else the venture's) and say a contribution back in
//! words before it is recorded, periods of work, and the formats people choose.

#[allow(unused_imports)]
use super::*;

#[tokio::test]
async fn the_api_takes_the_canonical_form_only_naming_the_field() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;
    for (field, text) in [("amount", "12,50"), ("amount", "1,234.56"), ("amount", "1_0"), ("amount", ".5"), ("paid", "1,5"), ("amount", "12.505")] {
        let mut body = json!({"date": "2026-01-10", "kind": "expense", "amount": "10"});
        body[field] = json!(text);
        let reply = ana.api("POST", "/api/v1/ventures/loom/entries", Some(body)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{text}: {}", reply.text);
        let error = &reply.json()["error"];
        assert_eq!(error["code"], "invalid_amount", "{text}");
        let named = if field == "paid" { "reimbursed" } else { "amount" };
        assert_eq!(error["field"], named, "{text}");
    }
    assert!(entries(&mut ana, "loom").await.is_empty(), "nothing was written");
    let logged = ana.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"date": "2026-01-10", "kind": "expense", "amount": "12.50"}))).await;
    assert_eq!(logged.status, StatusCode::CREATED, "{}", logged.text);
    let body = logged.json();
    assert_eq!((body["value"].as_str(), body["slices"].as_str()), (Some("12.50"), Some("50.00")));
    assert_eq!(body["in_words"][0]["words"], "twelve euros and fifty cents");
    // A period of work, over the API.
    let week =
        ana.api("POST", "/api/v1/ventures/loom/entries", Some(json!({"date": "2026-01-11", "from": "2026-01-05", "kind": "time", "quantity": "40"}))).await;
    assert_eq!(week.status, StatusCode::UNPROCESSABLE_ENTITY, "ana has no terms: {}", week.text);
    let one_day = ana.api("POST", "/api/v1/ventures/loom/entries/preview", Some(json!({"date": "2026-01-11", "kind": "time", "quantity": "25"}))).await;
    assert_eq!(one_day.json()["error"]["code"], "amount_too_large", "{}", one_day.text);
    let venture = ana.api("GET", "/api/v1/ventures/loom", None).await.json();
    assert_eq!((venture["number_format"].as_str(), venture["slice_decimals"].as_u64(), venture["edition"].as_u64()), (Some("1,234.56"), Some(2), Some(2)));
}

#[tokio::test]
async fn pages_read_the_persons_number_format_and_say_it_back_in_words() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;
    // The page says which format it reads.
    let form = ana.get("/v/loom/log?kind=expense").await;
    assert!(form.text.contains(r#"data-number-format="1,234.56""#), "{}", form.text);
    // 12,50 where numbers are written 1,234.56: refused next to its field, with both readings.
    let fields = [("kind", "expense"), ("member", "ana"), ("date", "2026-01-10"), ("amount", "12,50"), ("action", "preview")];
    let refused = ana.post("/v/loom/log", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text.contains(r#"id="amount-error""#) && refused.text.contains("12.50 for twelve and a half"), "{}", refused.text);
    // Ana writes numbers the German way: her own choice wins over the venture's.
    assert_eq!(ana.post("/account/numbers", &[("number_format", "1.234,56")]).await.status, StatusCode::SEE_OTHER);
    let preview = ana.post("/v/loom/log", &fields).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    assert!(preview.text.contains("twelve euros and fifty cents") && preview.text.contains("12.50 EUR"), "{}", preview.text);
    let fields = [("kind", "expense"), ("member", "ana"), ("date", "2026-01-10"), ("amount", "1.234,5"), ("action", "record")];
    assert_eq!(ana.post("/v/loom/log", &fields).await.status, StatusCode::SEE_OTHER);
    assert_eq!(entries(&mut ana, "loom").await[0]["value"], "1234.50");
    // Back to each venture's own; the steward sets the venture's.
    ana.post("/account/numbers", &[("number_format", "")]).await;
    assert_eq!(ana.post("/v/loom/settings/numbers", &[("number_format", "1 234,56")]).await.status, StatusCode::SEE_OTHER);
    let form = ana.get("/v/loom/log?kind=expense").await;
    assert!(form.text.contains(r#"data-number-format="1 234,56""#), "{}", form.text);
    let mut ben = person(&server, "ben").await;
    ben.post("/v/loom/join", &[]).await;
    assert_eq!(ben.post("/v/loom/settings/numbers", &[("number_format", "1,234.56")]).await.status, StatusCode::FORBIDDEN);
    // Over the API too, and only formats that exist.
    assert_eq!(ben.api("PUT", "/api/v1/me/number-format", Some(json!({"number_format": "de"}))).await.status, StatusCode::NO_CONTENT);
    let bad = ben.api("PUT", "/api/v1/me/number-format", Some(json!({"number_format": "1.234.56"}))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(ana.api("PUT", "/api/v1/ventures/loom/number-format", Some(json!({"number_format": "en"}))).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_period_of_work_is_logged_from_the_page_and_shown_as_such() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;
    assert_eq!(
        ana.api("POST", "/api/v1/ventures/loom/members/ana/terms", Some(json!({"effective_from": "2025-01-01", "hourly_rate": "50"}))).await.status,
        StatusCode::CREATED
    );
    let form = ana.get("/v/loom/log?kind=time").await;
    assert!(form.text.contains(r#"name="from""#), "{}", form.text);
    let fields = [("kind", "time"), ("member", "ana"), ("from", "2026-01-05"), ("date", "2026-01-11"), ("quantity", "40"), ("action", "preview")];
    let preview = ana.post("/v/loom/log", &fields).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    assert!(preview.text.contains("forty hours over seven days") && preview.text.contains("2026-01-05 to 2026-01-11"), "{}", preview.text);
    let too_long = [("kind", "time"), ("member", "ana"), ("date", "2026-01-11"), ("quantity", "40"), ("action", "preview")];
    let refused = ana.post("/v/loom/log", &too_long).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text.contains("24 hours in one day"), "{}", refused.text);
    let record = [("kind", "time"), ("member", "ana"), ("from", "2026-01-05"), ("date", "2026-01-11"), ("quantity", "40"), ("action", "record")];
    assert_eq!(ana.post("/v/loom/log", &record).await.status, StatusCode::SEE_OTHER);
    let logged = entries(&mut ana, "loom").await;
    assert_eq!((logged[0]["from"].as_str(), logged[0]["date"].as_str()), (Some("2026-01-05"), Some("2026-01-11")));
    assert_eq!(logged[0]["slices"], "4000.00");
}

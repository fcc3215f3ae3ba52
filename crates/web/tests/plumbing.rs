//! What every request shares: a request id echoed and logged with the route it matched, JSON
//! errors for paths, methods and routes the API does not have, and the `Idempotency-Key` header
//! on every write that can be replayed.

use std::sync::{Arc, Mutex};

#[allow(unused_imports)]
use super::*;

/// Log lines written while `run` ran, as the JSON the server writes them in.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn lines(&self) -> Vec<Value> {
        let bytes = self.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
}

#[tokio::test]
async fn every_request_has_an_id_and_one_log_line_with_its_route() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber =
        tracing_subscriber::fmt().json().with_max_level(tracing::Level::DEBUG).with_current_span(true).with_writer(move || writer.clone()).finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;

    let given = Request::builder().uri("/api/v1/ventures/loom").header("x-request-id", "trace-7.a_b").body(Body::empty()).unwrap();
    let echoed = ana.send(given).await;
    assert_eq!((echoed.status, echoed.headers["x-request-id"].to_str().unwrap()), (StatusCode::OK, "trace-7.a_b"));
    for bad in ["has space", "quote\"d", &"x".repeat(65)] {
        let request = Request::builder().uri("/api/v1/ventures/nowhere").header("x-request-id", bad).body(Body::empty()).unwrap();
        let reply = ana.send(request).await;
        let id = reply.headers["x-request-id"].to_str().unwrap().to_string();
        assert!(id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()), "{bad:?} is replaced by a new id, not {id:?}");
    }
    let page = ana.get("/v/loom").await;
    let page_id = page.headers["x-request-id"].to_str().unwrap().to_string();

    let ends: Vec<Value> = captured.lines().into_iter().filter(|l| l["fields"]["message"] == "request").collect();
    let of = |id: &str| ends.iter().find(|l| l["span"]["id"] == id).unwrap_or_else(|| panic!("no line for {id}: {ends:?}")).clone();
    let api = of("trace-7.a_b");
    assert_eq!((api["span"]["method"].as_str(), api["span"]["route"].as_str()), (Some("GET"), Some("/api/v1/ventures/{slug}")));
    assert_eq!(api["fields"]["status"], 200);
    assert!(api["fields"]["latency_us"].is_u64());
    let shown = of(&page_id);
    assert_eq!((shown["span"]["route"].as_str(), shown["fields"]["status"].as_u64()), (Some("/v/{slug}"), Some(200)));
    let missing: Vec<&Value> = ends.iter().filter(|l| l["fields"]["status"] == 404).collect();
    assert_eq!(missing.len(), 3, "one line per request, the unknown venture's too");
    assert!(missing.iter().all(|l| l["span"]["route"] == "/api/v1/ventures/{slug}"), "the route, never the raw path");
}

#[tokio::test]
async fn api_paths_methods_and_routes_it_lacks_answer_json() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;
    for (method, path, status, code) in [
        ("GET", "/api/v1/ventures/loom/needs/first", StatusCode::BAD_REQUEST, "invalid_request"),
        ("GET", "/api/v1/ventures/loom/proposals/-1", StatusCode::BAD_REQUEST, "invalid_request"),
        ("GET", "/api/v1/ventures/loom/comments/x", StatusCode::BAD_REQUEST, "invalid_request"),
        ("DELETE", "/api/v1/ventures", StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        ("PUT", "/api/v1/ventures/loom/entries", StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        ("GET", "/api/v1/nothing/here", StatusCode::NOT_FOUND, "not_found"),
    ] {
        let reply = ana.api(method, path, None).await;
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.text);
        assert_eq!(reply.json()["error"]["code"], code, "{method} {path}");
        assert!(reply.json()["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn writes_take_the_idempotency_header() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "loom", "open", "public").await;
    let send = |browser: &mut Browser, key: &str, body: Value| {
        let mut browser = browser.clone();
        let key = key.to_string();
        async move {
            let request = browser
                .request("POST", "/api/v1/ventures/loom/entries")
                .header("x-csrf-token", browser.csrf())
                .header("idempotency-key", key)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            browser.send(request).await
        }
    };
    let expense = json!({"date": "2026-01-10", "kind": "expense", "amount": "12.50"});
    let first = send(&mut ana, "receipt-1", expense.clone()).await;
    let again = send(&mut ana, "receipt-1", expense.clone()).await;
    assert_eq!((first.status, again.status), (StatusCode::CREATED, StatusCode::CREATED), "{}", again.text);
    assert_eq!(first.json()["seq"], again.json()["seq"], "a retry with the same key is the same entry");
    assert_eq!(entries(&mut ana, "loom").await.len(), 1);
    let other = send(&mut ana, "receipt-1", json!({"date": "2026-01-10", "kind": "expense", "amount": "13.00"})).await;
    assert_eq!(other.status, StatusCode::CONFLICT, "the same key for another write is refused: {}", other.text);
    assert_eq!(other.json()["error"]["code"], "idempotency_conflict");
    assert_eq!(entries(&mut ana, "loom").await.len(), 1, "and changes nothing");

    // The header wins over a key in the body, for every write that takes one.
    let need = |key: &str| json!({"title": "A kiln", "amount": "500.00", "deadline": "2026-03-01", "idempotency_key": key});
    let mut published = Vec::new();
    for body_key in ["body-a", "body-b"] {
        let request = ana
            .request("POST", "/api/v1/ventures/loom/needs")
            .header("x-csrf-token", ana.csrf())
            .header("idempotency-key", "kiln")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(need(body_key).to_string()))
            .unwrap();
        published.push(ana.send(request).await);
    }
    assert_eq!(published[0].status, StatusCode::CREATED, "{}", published[0].text);
    assert_eq!(published[0].json()["number"], published[1].json()["number"]);
    let needs = ana.api("GET", "/api/v1/ventures/loom/needs", None).await.json();
    assert_eq!(needs.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn every_operation_documents_its_refusals() {
    let server = server();
    let document = Browser::new(&server).get("/api/v1/openapi.json").await.json();
    let mut operations = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            operations += 1;
            let responses = operation["responses"].as_object().unwrap();
            for status in ["400", "401", "403", "404", "409", "422"] {
                let response = &responses.get(status).unwrap_or_else(|| panic!("{method} {path} does not list {status}"));
                assert_eq!(response["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody", "{method} {path} {status}");
            }
            if operation.get("requestBody").is_some() {
                assert!(responses.contains_key("413") && responses.contains_key("415"), "{method} {path} takes a body");
            }
            assert!(responses.keys().any(|s| s.starts_with('2')), "{method} {path} says what success is");
        }
    }
    assert!(operations >= 90, "every operation was read: {operations}");
}

#[tokio::test]
async fn the_openapi_document_says_exactly_what_each_operation_takes() {
    let server = server();
    let document = Browser::new(&server).get("/api/v1/openapi.json").await.json();
    let mut ids = std::collections::BTreeMap::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        let in_path: std::collections::BTreeSet<String> = path.split('{').skip(1).map(|part| part.split('}').next().unwrap().to_string()).collect();
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId")).to_string();
            if let Some(other) = ids.insert(id.clone(), format!("{method} {path}")) {
                panic!("operationId {id} names both {other} and {method} {path}");
            }
            let params = operation["parameters"].as_array().cloned().unwrap_or_default();
            let declared: std::collections::BTreeSet<String> =
                params.iter().filter(|p| p["in"] == "path").map(|p| p["name"].as_str().unwrap().to_string()).collect();
            assert_eq!(declared, in_path, "{method} {path}: the path parameters declared are the path's own");
            for param in &params {
                assert!(["path", "query", "header"].contains(&param["in"].as_str().unwrap()), "{method} {path}: {param}");
            }
        }
    }
}

//! CSV exports cannot carry spreadsheet formulas: names and notes that start like one
//! (`=HYPERLINK(…)`, `+1`, `@SUM(1)`, a tab) come out of every CSV download with a `'` in front,
//! while a negative amount stays a number.

#[allow(unused_imports)]
use super::*;

/// The cells of a CSV text, row by row (quotes as RFC 4180 writes them).
fn csv_cells(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell, mut quoted, mut chars) = (Vec::new(), Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

/// Whether a spreadsheet could take `cell` for a formula: it starts with `=`, `+`, `-`, `@`, tab
/// or CR and is not a plain negative number.
fn could_run(cell: &str) -> bool {
    let plain_negative = cell.strip_prefix('-').is_some_and(|n| {
        let (whole, fraction) = n.split_once('.').unwrap_or((n, "0"));
        [whole, fraction].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    });
    cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !plain_negative
}

/// The names and notes an attacker would try.
const FORMULAS: [&str; 4] = ["=HYPERLINK(\"http://evil\")", "+1", "@SUM(1)", "\tx"];

async fn export(browser: &mut Browser, path: &str) -> Vec<Vec<String>> {
    let reply = browser.get(path).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text);
    assert!(reply.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"), "{path}");
    let rows = csv_cells(&reply.text);
    for row in &rows {
        for cell in row {
            assert!(!could_run(cell), "{path}: the cell {cell:?} could run as a formula:\n{}", reply.text);
        }
    }
    rows
}

#[tokio::test]
async fn csv_exports_neutralise_formulas_in_names_and_notes_and_keep_negative_amounts() {
    let server = server();
    let mut ana = person(&server, "ana").await;
    venture(&mut ana, "kiln", "open", "public").await;
    // Three people whose display names start like formulas (a name cannot hold a tab; a note can).
    for (username, display_name) in [("eve", FORMULAS[0]), ("pat", FORMULAS[1]), ("sam", FORMULAS[2])] {
        let mut browser = Browser::new(&server);
        let password = format!("{username}-long-password");
        let reply = browser.post("/signup", &[("username", username), ("display_name", display_name), ("password", &password)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
        let joined = browser.post("/v/kiln/join", &[("hourly_rate", "40")]).await;
        assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.text);
    }
    for (member, note) in [("eve", FORMULAS[0]), ("pat", FORMULAS[1]), ("sam", FORMULAS[2]), ("ana", FORMULAS[3])] {
        let logged = ana
            .api(
                "POST",
                "/api/v1/ventures/kiln/entries",
                Some(json!({"member": member, "date": "2026-01-15", "kind": "expense", "amount": "12.50", "note": note})),
            )
            .await;
        assert_eq!(logged.status, StatusCode::CREATED, "{}", logged.text);
    }
    let reversed = ana.api("POST", "/api/v1/ventures/kiln/entries/4/reversal", Some(json!({"reason": "@SUM(1) typed by mistake"}))).await;
    assert_eq!(reversed.status, StatusCode::CREATED, "{}", reversed.text);

    let split = export(&mut ana, "/v/kiln/split.csv").await;
    let names: Vec<&str> = split.iter().skip(1).map(|row| row[1].as_str()).collect();
    for name in ["'=HYPERLINK(\"http://evil\")", "'+1", "'@SUM(1)"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }

    let ledger = export(&mut ana, "/v/kiln/ledger.csv").await;
    let notes: Vec<&str> = ledger.iter().skip(1).map(|row| row[5].as_str()).collect();
    for note in ["'=HYPERLINK(\"http://evil\")", "'+1", "'@SUM(1)", "'\tx"] {
        assert!(notes.contains(&note), "{note} in {notes:?}");
    }
    // The reversal takes back 12.50: a negative amount, left a number.
    let reversal = ledger.iter().find(|row| row[9] == "4").unwrap_or_else(|| panic!("no reversal in {ledger:?}"));
    assert_eq!(reversal[6], "-12.50", "{reversal:?}");
    assert!(reversal[7].starts_with('-') && reversal[7][1..].parse::<f64>().is_ok(), "{reversal:?}");

    for path in ["/v/kiln/exports/cap-table.csv", "/v/kiln/exports/statements.csv", "/api/v1/ventures/kiln/exports/statements?format=csv"] {
        let rows = export(&mut ana, path).await;
        let column = rows[0].iter().position(|h| h == "name" || h == "display_name").unwrap_or_else(|| panic!("{path}: {:?}", rows[0]));
        let names: Vec<&str> = rows.iter().skip(1).map(|row| row[column].as_str()).collect();
        for name in ["'=HYPERLINK(\"http://evil\")", "'+1", "'@SUM(1)"] {
            assert!(names.contains(&name), "{path}: {name} in {names:?}");
        }
    }
    export(&mut ana, "/v/kiln/exports/distributions.csv").await;
}

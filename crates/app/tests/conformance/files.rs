//! CSV import, JSON export and restore, and the demo.

use peerstake_app::ledger::SplitQuery;
use peerstake_core::ErrorCode;

use crate::harness::*;

const GOOD_CSV: &str = "\
date,member,kind,quantity,amount,paid,condition,unit,rate,class,note
2025-02-01,ana,time,2:30,,,,,,,Design review
2025-02-01,fay,deposit,,100,,,,,,Into the well
2025-02-02,,withdrawal,,40,,,,,,Hosting
2025-02-03,ben,equipment,,900,100,new,,,,\"Laptop, bought new\"
2025-02-04,ben,capital-use,3,,,,day,10,,Server
2025-02-05,fay,other,,5,,,,,cash,Stamps
";

#[test]
fn a_csv_file_imports_in_one_transaction() {
    on_every_backend(|db, commons| {
        small_venture(commons);
        let report = commons.import_csv("pie", GOOD_CSV.as_bytes(), Some("file-1"), today()).unwrap();
        assert_eq!(report.entries, 6, "{}", db.backend);
        assert_eq!(head(commons), (6, report.head.to_hex()));
        let split = shares(commons, &SplitQuery::default());
        // ana 2.5 h × 50 ×2 = 250; ben (900 − 100) ×4 + 30 ×2 = 3260; fay 40 ×4 + 5 ×4 = 180.
        assert_eq!(split.iter().map(|s| s.1.as_str()).collect::<Vec<_>>(), ["250.00", "3260.00", "180.00"]);
        // The same file with the same key again changes nothing.
        let again = commons.import_csv("pie", GOOD_CSV.as_bytes(), Some("file-1"), today()).unwrap();
        assert_eq!(again.head, report.head);
        assert_eq!(head(commons).0, 6);
        assert!(commons.verify("pie").unwrap().differences.is_empty());
    });
}

#[test]
fn one_bad_row_rejects_the_whole_file() {
    on_every_backend(|db, commons| {
        small_venture(commons);
        let before = head(commons);
        let cases = [
            (GOOD_CSV.replace("2025-02-04,ben,capital-use,3", "2025-02-04,zed,capital-use,3"), 6, "not_found"),
            (GOOD_CSV.replace("900,100", "-900,100"), 5, "negative_amount"),
            (GOOD_CSV.replace("2025-02-05", "2025-13-05"), 7, "date_out_of_range"),
            (GOOD_CSV.replace("withdrawal,,40", "withdrawal,,4000"), 4, "well_insufficient"),
            (GOOD_CSV.replace("note\n", "note,colour\n"), 1, "invalid_input"),
            ("date,member\n2025-01-01,ana\n".to_string(), 1, "invalid_input"),
        ];
        for (text, line, expected) in cases {
            let error = commons.import_csv("pie", text.as_bytes(), None, today()).unwrap_err();
            assert_eq!(error.code(), expected, "{error} on {}", db.backend);
            assert!(error.to_string().starts_with(&format!("line {line}:")), "{error}");
            assert_eq!(head(commons), before, "nothing was imported");
        }
    });
}

#[test]
fn an_export_restores_to_the_same_chain_head() {
    for source in databases() {
        let commons = source.commons();
        commons.create_demo().unwrap();
        let mut exported = Vec::new();
        let report = commons.export("demo", &mut exported).unwrap();
        for target in databases() {
            let restored = target.commons();
            let imported = restored.import_venture("demo", exported.as_slice()).unwrap();
            assert_eq!(imported.head, report.head, "{} → {}", source.backend, target.backend);
            let venture = restored.venture("demo", today()).unwrap();
            assert_eq!(venture.record.head_hash, report.head);
            assert!(restored.verify("demo").unwrap().differences.is_empty());
            assert_eq!(restored.split("demo", &SplitQuery::default()).unwrap().lines.len(), 6);
            assert_eq!(restored.import_venture("demo", exported.as_slice()).unwrap_err().code(), "already_exists");
        }
        // A file altered by hand is refused.
        let text = String::from_utf8(exported.clone()).unwrap().replacen("Product design and coordination", "Product design and coordinatiom", 1);
        let target = databases().into_iter().next().unwrap();
        let error = target.commons().import_venture("demo", text.as_bytes()).unwrap_err();
        assert!(error.to_string().contains("hash does not match"), "{error}");
    }
}

#[test]
fn the_demo_has_every_kind_a_policy_change_and_a_reversal() {
    on_every_backend(|db, commons| {
        commons.create_demo().unwrap();
        let verify = commons.verify("demo").unwrap();
        assert!(verify.differences.is_empty(), "{:?} on {}", verify.differences, db.backend);
        let split = commons.split("demo", &SplitQuery::default()).unwrap();
        assert_eq!(split.lines.len(), 6);
        assert_eq!(split.lines.iter().map(|l| l.figures.share_units).sum::<i64>(), 10_000);
        let (_, policies) = commons.policy_history("demo").unwrap();
        assert_eq!(policies.len(), 2);
        let mut tags = std::collections::BTreeSet::new();
        let mut after = None;
        loop {
            let page = commons.ledger("demo", &peerstake_app::ledger::LedgerQuery { after, limit: 1000, ..Default::default() }).unwrap();
            tags.extend(page.entries.iter().map(|e| e.entry.tag.clone()));
            match page.next_after {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        for kind in peerstake_app::forms::LOG_KINDS.iter().chain(["reversal"].iter()) {
            assert!(tags.contains(*kind), "the demo lacks {kind}");
        }
        assert_eq!(commons.create_demo().unwrap_err().code(), "already_exists");
    });
}

#[test]
fn a_restore_refuses_an_entry_that_refers_to_a_later_one() {
    // Found by the fuzzer: an export whose last entry reverses (or is about) entry
    // 18446744073709551615, its hashes recomputed, reached the store, which answered
    // `corrupt_data` ("stored data is damaged") for what was only a bad file.
    let source = databases().into_iter().next().unwrap();
    let commons = source.commons();
    small_venture(&commons);
    commons.import_csv("pie", GOOD_CSV.as_bytes(), None, today()).unwrap();
    let mut exported = Vec::new();
    commons.export("pie", &mut exported).unwrap();
    let page = commons.ledger("pie", &peerstake_app::ledger::LedgerQuery { limit: 1000, ..Default::default() }).unwrap();
    let mut entries = page.entries.clone();
    entries.sort_by_key(|stored| stored.entry.seq);
    let (before, last) = (&entries[entries.len() - 2], &entries[entries.len() - 1]);
    for (field, target) in [("reverses", u64::MAX), ("about", u64::MAX), ("reverses", last.entry.seq)] {
        let mut altered = last.entry.clone();
        if field == "reverses" {
            altered.reverses = Some(target);
        } else {
            altered.about = Some(target);
        }
        let hash = altered.hash_after(&before.hash).to_hex();
        let mut document: serde_json::Value = serde_json::from_slice(&exported).unwrap();
        let entry = document["entries"].as_array_mut().unwrap().last_mut().unwrap();
        entry[field] = serde_json::Value::from(target);
        entry["hash"] = serde_json::Value::from(hash.clone());
        document["head"]["hash"] = serde_json::Value::from(hash);
        let text = serde_json::to_vec(&document).unwrap();
        for database in databases() {
            let restored = database.commons();
            let error = restored.import_venture("pie", text.as_slice()).unwrap_err();
            assert_eq!(error.code(), "invalid_input", "{field} #{target} on {}: {error}", database.backend);
            assert!(error.to_string().contains("not an earlier entry"), "{error}");
            assert_eq!(code(restored.venture("pie", today())), "not_found", "nothing was restored");
        }
    }
}

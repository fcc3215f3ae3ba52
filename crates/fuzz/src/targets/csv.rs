//! Contributions imported from CSV (`Commons::import_csv`) into ventures that write numbers in
//! each of the four formats (and one in yen), through a real SQLite store. Files are built from
//! the real columns and kinds, with amounts written in the venture's format, then bent: quoting,
//! columns added, dropped or doubled, rows of the wrong width, dates out of range, numbers in
//! another format. An import that fails writes nothing (head, totals and read marks unchanged);
//! one that succeeds moves the head by its entries, verifies, and repeated with its idempotency key
//! changes nothing.

use fastrand::Rng;
use peerstake_app::Commons;
use peerstake_app::files::CSV_COLUMNS;
use peerstake_app::forms::LOG_KINDS;
use peerstake_core::numbers::NumberFormat;
use time::Date;

use crate::mutate;
use crate::runner::Target;
use crate::targets::fixture::{self, Scratch};
use crate::targets::{outcome_of, refuse_fault};

/// The ventures imported into: (slug, currency, its minor unit's decimals, number format).
const VENTURES: [(&str, &str, u8, NumberFormat); 5] = [
    ("fz-point", "EUR", 2, NumberFormat::Point),
    ("fz-comma", "EUR", 2, NumberFormat::Comma),
    ("fz-space", "EUR", 2, NumberFormat::SpaceComma),
    ("fz-apostrophe", "EUR", 2, NumberFormat::Apostrophe),
    ("fz-yen", "JPY", 0, NumberFormat::Point),
];

/// Successful imports before the ventures start afresh (a long ledger only slows the target).
const IMPORTS_PER_DATABASE: u64 = 300;
/// One successful import in this many is followed by a full verification.
const VERIFY_EVERY: u64 = 25;

/// `Commons::import_csv`.
pub struct CsvImport {
    scratch: Scratch,
    commons: Commons,
    imported: u64,
    keys: u64,
}

impl CsvImport {
    /// The target, with its ventures in a scratch database.
    pub fn new() -> anyhow::Result<CsvImport> {
        let mut scratch = Scratch::new("csv")?;
        let commons = CsvImport::ventures(&mut scratch)?;
        Ok(CsvImport { scratch, commons, imported: 0, keys: 0 })
    }

    fn ventures(scratch: &mut Scratch) -> anyhow::Result<Commons> {
        let commons = scratch.fresh()?;
        for (slug, currency, _, format) in VENTURES {
            fixture::venture(&commons, slug, currency, format)?;
        }
        Ok(commons)
    }

    fn date(rng: &mut Rng) -> Date {
        let day = rng.i64(0..365);
        fixture::START.checked_add(time::Duration::days(day)).unwrap_or(fixture::START)
    }

    /// One row's cells by column name, for a contribution of some kind.
    fn row(rng: &mut Rng, format: NumberFormat, exponent: u8) -> Vec<(&'static str, String)> {
        let amount = |rng: &mut Rng| {
            let major = if rng.u8(0..8) == 0 { crate::targets::numbers::value(rng) } else { i128::from(rng.u32(1..20_000)) };
            let scale = if rng.u8(0..6) == 0 { rng.u8(0..=4) } else { exponent };
            let written = format.format(major * 10_i128.pow(u32::from(scale)) + i128::from(rng.u8(0..100)) % 10_i128.pow(u32::from(scale)), scale);
            if rng.u8(0..8) == 0 { mutate::text(rng, &written, 2) } else { written }
        };
        let on = CsvImport::date(rng);
        let kind = if rng.u8(0..30) == 0 { mutate::text(rng, "expense", 2) } else { mutate::pick(rng, LOG_KINDS).to_string() };
        let mut cells = vec![("date", on.to_string()), ("kind", kind.clone())];
        if kind != "withdrawal" || rng.u8(0..10) == 0 {
            cells.push(("member", mutate::pick(rng, &["ana", "ben", "fay", "cy", "cy", "zed", ""]).to_string()));
        }
        match kind.as_str() {
            "time" => {
                let minutes = rng.u32(1..=24 * 60);
                let hours = match rng.u8(0..3) {
                    0 => format!("{}:{:02}", minutes / 60, minutes % 60),
                    1 => format!("{minutes}m"),
                    _ => format.format(i128::from(minutes / 15 * 25), 2),
                };
                cells.push(("quantity", hours));
                if rng.u8(0..4) == 0 {
                    let from = on.checked_sub(time::Duration::days(rng.i64(0..10))).unwrap_or(on);
                    cells.push(("from", from.to_string()));
                }
            }
            "capital-use" => {
                cells.push(("quantity", format.format(i128::from(rng.u32(1..10_000)), 3)));
                cells.push(("unit", mutate::pick(rng, &["hour", "day", "week", "month", "unit"]).to_string()));
                cells.push(("rate", amount(rng)));
            }
            _ => cells.push(("amount", amount(rng))),
        }
        if rng.u8(0..3) == 0 {
            cells.push(("paid", amount(rng)));
        }
        if matches!(kind.as_str(), "equipment" | "supplies") {
            cells.push(("condition", mutate::pick(rng, &["new", "used-recent", "used-old"]).to_string()));
        }
        if kind == "other" {
            cells.push(("class", mutate::pick(rng, &["cash", "non-cash"]).to_string()));
        }
        if rng.u8(0..3) == 0 {
            cells.push(("note", mutate::pick(rng, &["Design review", "a, b", "say \"hi\"", "line\nbreak", "=1+1", "caf\u{e9}"]).to_string()));
        }
        if rng.u8(0..6) == 0 {
            cells.push(("author", mutate::pick(rng, &["ana", "ben", "zed"]).to_string()));
        }
        cells
    }

    /// A cell as CSV writes it: quoted when it must be (and sometimes when it need not be).
    fn cell(rng: &mut Rng, text: &str) -> String {
        if text.contains([',', '"', '\n', '\r']) || rng.u8(0..10) == 0 { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
    }

    fn file(rng: &mut Rng, format: NumberFormat, exponent: u8) -> String {
        let rows: Vec<Vec<(&'static str, String)>> = (0..match rng.u8(0..10) {
            0 => 0,
            1 => rng.usize(10..60),
            _ => rng.usize(1..6),
        })
            .map(|_| CsvImport::row(rng, format, exponent))
            .collect();
        let mut columns: Vec<&str> = CSV_COLUMNS.iter().copied().filter(|c| rows.iter().any(|r| r.iter().any(|(name, _)| name == c))).collect();
        for required in ["date", "kind"] {
            if !columns.contains(&required) {
                columns.push(required);
            }
        }
        rng.shuffle(&mut columns);
        let mut header: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        match rng.u8(0..20) {
            0 => header.push("colour".into()),
            1 => header.push(mutate::pick(rng, CSV_COLUMNS).to_string()),
            2 if !header.is_empty() => {
                header.remove(rng.usize(0..header.len()));
            }
            3 => header.push(String::new()),
            _ => {}
        }
        let end = if rng.u8(0..4) == 0 { "\r\n" } else { "\n" };
        let mut text = if rng.u8(0..20) == 0 { "\u{feff}".to_string() } else { String::new() };
        text.push_str(&header.iter().map(|h| CsvImport::cell(rng, h)).collect::<Vec<_>>().join(","));
        text.push_str(end);
        for row in rows {
            let mut cells: Vec<String> =
                header.iter().map(|h| row.iter().find(|(name, _)| name == h).map(|(_, value)| CsvImport::cell(rng, value)).unwrap_or_default()).collect();
            match rng.u8(0..30) {
                0 => cells.push("extra".into()),
                1 => {
                    cells.pop();
                }
                _ => {}
            }
            text.push_str(&cells.join(","));
            if rng.u8(0..10) != 0 {
                text.push_str(end);
            }
        }
        text
    }

    /// A file with one cell of one line (the header seldom) edited.
    fn edit_cell(rng: &mut Rng, text: &str) -> String {
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let at = if lines.len() > 1 && rng.u8(0..10) != 0 { rng.usize(1..lines.len()) } else { 0 };
        let mut cells: Vec<String> = lines[at].split(',').map(str::to_string).collect();
        let cell = rng.usize(0..cells.len());
        cells[cell] = match rng.u8(0..4) {
            0 => mutate::pick(rng, mutate::TOKENS).to_string(),
            1 => {
                let edited = mutate::text(rng, &cells[cell], 2);
                CsvImport::cell(rng, &edited)
            }
            _ => mutate::text(rng, &cells[cell], 2),
        };
        lines[at] = cells.join(",");
        lines.join("\n")
    }

    fn import(&mut self, input: &[u8]) -> Result<String, String> {
        let (selector, file) = input.split_first().map_or((0, input), |(first, rest)| (*first, rest));
        let (slug, ..) = VENTURES[usize::from(selector) % VENTURES.len()];
        let before = fixture::state(&self.commons, slug).map_err(|e| format!("fixture: {e}"))?;
        let key = (selector % 4 == 1).then(|| {
            self.keys += 1;
            format!("fuzz-{}", self.keys)
        });
        let now = fixture::now();
        let result = self.commons.import_csv(slug, file, key.as_deref(), now);
        let after = fixture::state(&self.commons, slug).map_err(|e| format!("fixture: {e}"))?;
        let report = match result {
            Ok(report) => report,
            Err(error) => {
                refuse_fault("the CSV import", &error)?;
                if after != before {
                    return Err(format!("all or nothing: a refused import ({error}) changed the venture from {before:?} to {after:?}"));
                }
                return Ok(outcome_of(&error));
            }
        };
        let (Some((seq_before, ..)), Some((seq_after, hash_after, ..))) = (&before, &after) else {
            return Err("fixture: the venture went missing".into());
        };
        if *seq_after != seq_before + report.entries || report.head_seq != *seq_after || *hash_after != report.head.to_hex() {
            return Err(format!(
                "head: an import of {} entries moved the head from {seq_before} to {seq_after}, reporting {}",
                report.entries, report.head_seq
            ));
        }
        if let Some(key) = &key {
            let again = self.commons.import_csv(slug, file, Some(key), now).map_err(|e| format!("idempotency: the same import with its key failed: {e}"))?;
            let replayed = fixture::state(&self.commons, slug).map_err(|e| format!("fixture: {e}"))?;
            if again != report || replayed != after {
                return Err(format!("idempotency: the same import with its key answered {again:?} after {report:?}"));
            }
        }
        self.imported += 1;
        if self.imported.is_multiple_of(VERIFY_EVERY) {
            let verified = self.commons.verify(slug).map_err(|e| format!("verify: {e}"))?;
            if let Some(first) = verified.differences.first() {
                return Err(format!("verify: after an import, {first}"));
            }
        }
        if self.imported.is_multiple_of(IMPORTS_PER_DATABASE) {
            self.commons = CsvImport::ventures(&mut self.scratch).map_err(|e| format!("fixture: {e}"))?;
        }
        Ok(format!("ok:{}", report.entries.min(3)))
    }
}

impl Target for CsvImport {
    fn generate(&mut self, rng: &mut Rng) -> Vec<u8> {
        let selector = rng.u8(..);
        let (_, _, exponent, format) = VENTURES[usize::from(selector) % VENTURES.len()];
        // Sometimes a file written in another format than the venture's.
        let written_in = if rng.u8(0..5) == 0 { *mutate::pick(rng, &NumberFormat::ALL) } else { format };
        let file = CsvImport::file(rng, written_in, exponent);
        let file = if rng.u8(0..4) == 0 { mutate::text(rng, &file, 3) } else { file };
        let mut input = vec![selector];
        input.extend_from_slice(file.as_bytes());
        input
    }

    fn mutate(&mut self, rng: &mut Rng, input: &[u8]) -> Vec<u8> {
        let Some((selector, file)) = input.split_first() else { return mutate::random_bytes(rng, 8) };
        let mut out = vec![if rng.u8(0..8) == 0 { rng.u8(..) } else { *selector }];
        match std::str::from_utf8(file) {
            // Mostly one cell of one row, so the file keeps its shape and the row gets checked.
            Ok(text) if rng.u8(0..4) != 0 => out.extend(CsvImport::edit_cell(rng, text).into_bytes()),
            _ => out.extend(mutate::any(rng, file)),
        }
        out
    }

    fn run(&mut self, input: &[u8]) -> Result<String, String> {
        self.import(input)
    }

    fn random_len_max(&self) -> usize {
        256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_import_or_write_nothing() {
        let mut target = CsvImport::new().unwrap();
        let good = b"\x00date,member,kind,amount\n2025-02-01,ben,expense,\"1,234.50\"\n";
        assert_eq!(target.run(good).unwrap(), "ok:1");
        let comma = b"\x01date,member,kind,amount\n2025-02-01,ben,expense,\"1.234,50\"\n";
        assert_eq!(target.run(comma).unwrap(), "ok:1");
        assert_eq!(target.run(b"\x01date,member,kind,amount\n2025-02-01,ben,expense,\"1,234.50\"\n").unwrap(), "invalid_amount:amount");
        let mut rng = Rng::with_seed(17);
        for _ in 0..100 {
            let input = target.generate(&mut rng);
            target.run(&input).unwrap();
        }
    }
}

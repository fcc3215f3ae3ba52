//! CSV that a spreadsheet opens as data, never as formulas: every CSV the product writes (the
//! web's exports, the reports' exports, the command line's `--format csv`) goes through
//! [`CsvWriter`], whose every cell passes [`cell`].
//!
//! The rule (OWASP's "CSV injection"): a cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return gets a single quote `'` in front, so a spreadsheet shows it as text instead of
//! running it (`=HYPERLINK(…)` becomes `'=HYPERLINK(…)`). One exception keeps figures figures: a
//! plain negative number — `-`, digits, and optionally `.` and more digits, nothing else
//! (`-12.50`, `-3`) — is left as it is, since a spreadsheet reads it as a number and there is
//! nothing in it to run. Every amount peerstake writes is in that canonical form; a `+` is never
//! a figure here, so `+1` is neutralised like any other cell starting with `+`.

use std::borrow::Cow;
use std::io::Write;

use crate::error::AppError;

/// The characters a spreadsheet may read as the start of a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` as a cell a spreadsheet will not run: unchanged unless it starts with one of `=`, `+`,
/// `-`, `@`, tab or carriage return and is not a plain negative number; then with `'` in front.
pub fn cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some(first) if FORMULA_STARTS.contains(&first) && !is_plain_negative_number(text) => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Whether `text` is `-` followed by digits, optionally with `.` and more digits (`-12.50`).
fn is_plain_negative_number(text: &str) -> bool {
    let Some(number) = text.strip_prefix('-') else { return false };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && digits(fraction)
}

/// A CSV writer whose every cell passes [`cell`]: the one way peerstake writes CSV. Quoting is
/// the `csv` crate's (a cell with a comma, a quote or a line break is quoted).
pub struct CsvWriter<W: Write> {
    inner: csv::Writer<W>,
}

/// A failure to write CSV, as the error every edge reports.
fn write_error(error: impl std::fmt::Display) -> AppError {
    AppError::File(format!("cannot write CSV: {error}"))
}

impl<W: Write> CsvWriter<W> {
    /// A writer into `out`.
    pub fn new(out: W) -> CsvWriter<W> {
        CsvWriter { inner: csv::Writer::from_writer(out) }
    }

    /// Writes one row (the header row too), each cell neutralised.
    pub fn row<I>(&mut self, cells: I) -> Result<(), AppError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let cells: Vec<_> = cells.into_iter().collect();
        self.inner.write_record(cells.iter().map(|c| cell(c.as_ref()).into_owned())).map_err(write_error)
    }

    /// Writes what is buffered through to the output.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }

    /// The output, once everything buffered is written to it.
    pub fn into_inner(self) -> Result<W, AppError> {
        self.inner.into_inner().map_err(|e| write_error(e.error()))
    }
}

/// Rows as CSV text, headers first, every cell neutralised.
pub fn to_text<R>(headers: &[&str], rows: R) -> Result<String, AppError>
where
    R: IntoIterator,
    R::Item: IntoIterator,
    <R::Item as IntoIterator>::Item: AsRef<str>,
{
    let mut writer = CsvWriter::new(Vec::new());
    writer.row(headers)?;
    for row in rows {
        writer.row(row)?;
    }
    String::from_utf8(writer.into_inner()?).map_err(write_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_could_run_are_neutralised_and_figures_stay_figures() {
        for (input, expected) in [
            // What a spreadsheet would run, or read as the start of a formula.
            ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
            ("=1+2", "'=1+2"),
            ("+1", "'+1"),
            ("+12.50", "'+12.50"),
            ("@SUM(1)", "'@SUM(1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-", "'-"),
            ("-x", "'-x"),
            ("-1+2", "'-1+2"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("-12.", "'-12."),
            ("-.5", "'-.5"),
            ("-1.2.3", "'-1.2.3"),
            ("-1e5", "'-1e5"),
            ("-12,50", "'-12,50"),
            ("- 12", "'- 12"),
            ("-١٢", "'-١٢"),
            // Plain negative numbers: figures, left alone.
            ("-12.50", "-12.50"),
            ("-3", "-3"),
            ("-0.0001", "-0.0001"),
            // Everything else, as it is (a formula character later in the text runs nothing).
            ("", ""),
            ("12.50", "12.50"),
            ("ana", "ana"),
            ("Ana = the founder", "Ana = the founder"),
            (" =1", " =1"),
            ("'quoted", "'quoted"),
            ("2026-01-15", "2026-01-15"),
            ("#3", "#3"),
        ] {
            assert_eq!(cell(input), expected, "{input:?}");
        }
    }

    #[test]
    fn the_writer_neutralises_every_cell_and_quotes_as_csv_does() {
        let text = to_text(&["name", "note", "value"], [["=HYPERLINK(\"http://evil\")", "a, b", "-12.50"], ["@SUM(1)", "\tx", "+1"]]).unwrap();
        assert_eq!(text, "name,note,value\n\"'=HYPERLINK(\"\"http://evil\"\")\",\"a, b\",-12.50\n'@SUM(1),'\tx,'+1\n");
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
        assert_eq!(rows, [["'=HYPERLINK(\"http://evil\")", "a, b", "-12.50"], ["'@SUM(1)", "'\tx", "'+1"]]);
    }
}

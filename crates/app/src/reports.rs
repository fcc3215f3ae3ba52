//! Reports: the printable report of a venture (the split, the cap table, departures, buyouts,
//! income, distributions and every member's statement) and the cap table, distributions and
//! statements as CSV or JSON. Reports only read: they compose the views of several capabilities,
//! the one module besides the demo allowed to use its siblings.

use crate::book::BuyoutView;
use crate::error::{AppError, invalid};
use crate::freezes::{FreezeView, TOTAL_SHARES_DEFAULT, cap_lines, compute_cap_table};
use crate::payouts::{DistributionView, IncomeBook, Statement, statements_in};
use crate::{Commons, Now};
use peerstake_store::Mode;

/// Everything a printable venture report shows.
#[derive(Debug, Clone)]
pub struct VentureReport {
    /// The venture.
    pub venture: peerstake_store::VentureRecord,
    /// Its currency.
    pub currency: peerstake_core::money::Currency,
    /// The ledger's head: sequence number and hash (hex).
    pub head: (u64, String),
    /// The split now.
    pub split: crate::ledger::SplitReport,
    /// The frozen cap table, if frozen.
    pub frozen: Option<FreezeView>,
    /// Departures.
    pub departures: Vec<crate::departures::DepartureView>,
    /// Buyouts.
    pub buyouts: Vec<BuyoutView>,
    /// Income and what is left to distribute.
    pub income: IncomeBook,
    /// Distributions.
    pub distributions: Vec<DistributionView>,
    /// Every member's statement.
    pub statements: Vec<Statement>,
}

/// What an export holds.
pub const EXPORTS: [&str; 3] = ["cap-table", "distributions", "statements"];

impl Commons {
    /// Everything the printable report shows.
    pub fn venture_report(&self, venture: &str, now: Now) -> Result<VentureReport, AppError> {
        let split = self.split(venture, &crate::ledger::SplitQuery::default())?;
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let head = (book.venture.head_seq, book.venture.head_hash.to_hex());
        let statements = statements_in(tx.as_mut(), &book, None)?;
        drop(tx);
        Ok(VentureReport {
            currency: book.currency,
            head,
            split,
            frozen: self.current_cap_table(venture, now)?,
            departures: self.departures(venture)?,
            buyouts: self.buyouts(venture)?,
            income: self.incomes(venture)?,
            distributions: self.distributions(venture)?,
            statements,
            venture: book.venture.clone(),
        })
    }

    /// An export as CSV or JSON: `cap-table` (the frozen one, or the split now as a would-be
    /// cap table), `distributions` (one line per payout) or `statements` (one line per member).
    pub fn export_table(&self, venture: &str, what: &str, format: &str, now: Now) -> Result<String, AppError> {
        if !EXPORTS.contains(&what) {
            return Err(invalid("export", "use cap-table, distributions or statements"));
        }
        if format != "csv" && format != "json" {
            return Err(invalid("format", "use csv or json"));
        }
        let currency = {
            let mut tx = self.store.begin(Mode::Read)?;
            self.books.read(tx.as_mut(), venture)?.currency
        };
        let money = |v: i64| currency.format(v);
        let slices = |v: i64| currency.format_slices(v);
        // Slices for a distribution by the split, whole shares by the cap table.
        let weight = move |basis: &str, v: i64| if basis == "cap-table" { v.to_string() } else { currency.format_slices(v) };
        let (header, rows): (Vec<&str>, Vec<Vec<String>>) = match what {
            "cap-table" => {
                // The frozen cap table, or the split now as one would be.
                let (status, head, lines) = match self.current_cap_table(venture, now)? {
                    Some(view) => (view.record.status, view.record.head.unwrap_or_default(), view.cap_table),
                    None => {
                        let mut tx = self.store.begin(Mode::Read)?;
                        let book = self.books.read(tx.as_mut(), venture)?;
                        let (lines, _) = compute_cap_table(tx.as_mut(), &book, TOTAL_SHARES_DEFAULT, &[])?;
                        ("live".to_string(), (book.venture.head_seq, book.venture.head_hash.to_hex()), cap_lines(&book, &lines)?)
                    }
                };
                (
                    vec!["member", "name", "slices", "shares", "percent", "issued", "buy_back", "issue", "status", "head_seq", "head_hash"],
                    lines
                        .iter()
                        .map(|l| {
                            vec![
                                l.member.clone(),
                                l.display_name.clone(),
                                slices(l.line.slices_minor),
                                l.line.shares.to_string(),
                                l.percent.clone(),
                                l.line.issued.to_string(),
                                l.line.buy_back.to_string(),
                                l.line.issue.to_string(),
                                status.clone(),
                                head.0.to_string(),
                                head.1.clone(),
                            ]
                        })
                        .collect(),
                )
            }
            "distributions" => (
                vec!["distribution", "paid_on", "basis", "member", "weight", "total_weight", "percent", "amount", "head_seq"],
                self.distributions(venture)?
                    .iter()
                    .flat_map(|d| {
                        d.lines.iter().map(move |l| {
                            vec![
                                d.record.number.to_string(),
                                d.record.paid_on.to_string(),
                                d.record.basis.clone(),
                                l.member.clone(),
                                weight(&d.record.basis, l.payout.weight),
                                weight(&d.record.basis, d.record.total_weight),
                                l.percent.clone(),
                                currency.format(l.payout.amount_minor),
                                d.record.head_seq.to_string(),
                            ]
                        })
                    })
                    .collect(),
            ),
            _ => (
                vec!["member", "name", "role", "departed_on", "slices", "percent", "shares", "well", "well_owed_back", "received", "owed_clawback"],
                self.statements(venture)?
                    .iter()
                    .map(|s| {
                        vec![
                            s.member.clone(),
                            s.display_name.clone(),
                            s.role.clone(),
                            s.departed.as_ref().map(|(d, _)| d.to_string()).unwrap_or_default(),
                            slices(s.slices_minor),
                            s.percent.clone(),
                            s.shares.map(|(n, _)| n.to_string()).unwrap_or_default(),
                            money(s.well_minor),
                            money(s.well_owed_back_minor),
                            money(s.received_minor),
                            money(s.owed_minor),
                        ]
                    })
                    .collect(),
            ),
        };
        if format == "json" {
            let items: Vec<serde_json::Value> = rows
                .iter()
                .map(|row| serde_json::Value::Object(header.iter().zip(row).map(|(h, v)| ((*h).to_string(), serde_json::Value::String(v.clone()))).collect()))
                .collect();
            return serde_json::to_string_pretty(&serde_json::json!({ "venture": venture, "export": what, "currency": currency.code(), "rows": items }))
                .map_err(|e| AppError::Internal(e.to_string()));
        }
        // Every cell neutralised, so a name or a note cannot become a spreadsheet formula.
        crate::csv_safe::to_text(&header, rows)
    }
}

impl crate::access::Acting<'_> {
    /// The printable report (whoever may read the venture).
    pub fn venture_report(&self, slug: &str, now: Now) -> Result<VentureReport, AppError> {
        self.standing(slug, now)?;
        self.commons.venture_report(slug, now)
    }

    /// An export (whoever may read the venture).
    pub fn export_table(&self, slug: &str, what: &str, format: &str, now: Now) -> Result<String, AppError> {
        self.standing(slug, now)?;
        self.commons.export_table(slug, what, format, now)
    }
}

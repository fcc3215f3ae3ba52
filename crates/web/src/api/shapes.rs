//! Shapes more than one API module answers with: the split, an entry with its effects, a
//! balance, an answer to an offer. A leaf of the API: it imports no API module.

use std::collections::BTreeMap;

use peerstake_app::access::Names;
use peerstake_app::book::BuyoutView;
use peerstake_app::error::AppError;
use peerstake_app::ledger::SplitReport;
use peerstake_app::policy_file::PolicyChoice;
use peerstake_core::kind::ALL_KINDS;
use peerstake_core::money::Currency;
use peerstake_core::replay::Bucket;
use peerstake_core::split::format_share;
use peerstake_store::StoredEntry;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One member's line of the split.
#[derive(Debug, Serialize, ToSchema)]
pub struct SplitMemberOut {
    /// Handle.
    pub member: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Slices, exact.
    pub slices: String,
    /// Share in percent with two decimals; the shares add up to exactly 100.00.
    pub share_percent: String,
    /// Fair market value at risk.
    pub value_at_risk: String,
    /// Unspent balance in the well.
    pub well_balance: String,
    /// Slices by kind (kinds with none are left out).
    pub slices_by_kind: BTreeMap<String, String>,
}

/// An entry a candidate policy could not value.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnvaluedOut {
    /// The entry.
    pub entry: u64,
    /// Why.
    pub reason: String,
}

/// The split.
#[derive(Debug, Serialize, ToSchema)]
pub struct SplitOut {
    /// The venture.
    pub venture: String,
    /// Its currency.
    pub currency: String,
    /// As of this date (none: now).
    pub as_of: Option<String>,
    /// `ledger` (the versions in force) or the candidate preset.
    pub policy: String,
    /// All slices.
    pub total_slices: String,
    /// Per member.
    pub members: Vec<SplitMemberOut>,
    /// Entries the candidate policy could not value.
    pub unvalued: Vec<UnvaluedOut>,
}

pub(super) fn split_out(report: &SplitReport) -> SplitOut {
    let currency = report.currency;
    SplitOut {
        venture: report.venture.clone(),
        currency: currency.code().to_string(),
        as_of: report.as_of.map(|d| d.to_string()),
        policy: report.policy.clone(),
        total_slices: currency.format_slices(report.total_slices_minor),
        members: report
            .lines
            .iter()
            .map(|line| SplitMemberOut {
                member: line.member.handle.clone(),
                name: line.member.display_name.clone(),
                role: line.member.role.clone(),
                slices: currency.format_slices(line.figures.slices_minor),
                share_percent: format_share(line.figures.share_units),
                value_at_risk: currency.format(line.figures.fmv_minor),
                well_balance: currency.format(line.figures.well_minor),
                slices_by_kind: ALL_KINDS
                    .iter()
                    .filter(|k| line.figures.slices_of(**k) != 0)
                    .map(|k| (k.name().to_string(), currency.format_slices(line.figures.slices_of(*k))))
                    .collect(),
            })
            .collect(),
        unvalued: report.unvalued.iter().map(|(entry, reason)| UnvaluedOut { entry: *entry, reason: reason.clone() }).collect(),
    }
}

/// What an entry did to one member.
#[derive(Debug, Serialize, ToSchema)]
pub struct EffectOut {
    /// Handle.
    pub member: String,
    /// Kind.
    pub kind: String,
    /// `cash`, `non-cash` or `plain`.
    pub class: String,
    /// Change in value at risk.
    pub value: String,
    /// Change in slices.
    pub slices: String,
    /// Change in the member's well balance.
    pub well: String,
}

/// A ledger entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryOut {
    /// Its number.
    pub seq: u64,
    /// When it happened (for time worked over a period, its last day).
    pub date: String,
    /// For time worked over a period: its first day.
    pub from: Option<String>,
    /// When it was recorded, ms since the epoch.
    pub recorded_at_ms: i64,
    /// Who recorded it.
    pub author: Option<String>,
    /// Whom it is for.
    pub member: Option<String>,
    /// Its kind, or `reversal`.
    pub kind: String,
    /// The inputs it was valued from, canonical.
    pub inputs: String,
    /// Its note.
    pub note: String,
    /// The policy version it was valued with.
    pub policy_version: u32,
    /// The terms version it was valued with (0: none).
    pub terms_version: u32,
    /// Fair market value.
    pub value: String,
    /// Slices.
    pub slices: String,
    /// The entry it reverses.
    pub reverses: Option<u64>,
    /// The entry a review step is about, or the entry an amendment replaces.
    pub about: Option<u64>,
    /// Where it stands in review, for a reviewed contribution: `pending`, `counted`,
    /// `disputed`, `rejected` or `reversed`.
    pub status: Option<String>,
    /// Its hash in the chain.
    pub hash: String,
    /// Its effects.
    pub effects: Vec<EffectOut>,
    /// The figures it was logged with, said in words (so a slip shows in a preview).
    pub in_words: Vec<WordsOut>,
}

/// One figure of an entry, in words.
#[derive(Debug, Serialize, ToSchema)]
pub struct WordsOut {
    /// Which figure (`amount`, `hours`, `reimbursed`, …).
    pub figure: String,
    /// It, as written (`12.50 EUR`, `1:30`).
    pub written: String,
    /// It, in words (`twelve euros and fifty cents`).
    pub words: String,
}

pub(super) fn entry_out(stored: &StoredEntry, currency: Currency, handle: &dyn Fn(peerstake_core::terms::MemberNo) -> String) -> EntryOut {
    let entry = &stored.entry;
    let input = peerstake_core::input::Input::from_canonical(&entry.inputs).ok();
    EntryOut {
        seq: entry.seq,
        date: entry.occurred_on.to_string(),
        from: input.as_ref().map(|i| i.period_start(entry.occurred_on)).filter(|from| *from != entry.occurred_on).map(|d| d.to_string()),
        in_words: input
            .as_ref()
            .map(|i| peerstake_app::forms::in_words(i, currency))
            .unwrap_or_default()
            .into_iter()
            .map(|(figure, written, words)| WordsOut { figure: figure.to_string(), written, words })
            .collect(),
        recorded_at_ms: entry.recorded_at_ms,
        author: entry.author.map(handle),
        member: entry.member.map(handle),
        kind: entry.tag.clone(),
        inputs: entry.inputs.clone(),
        note: entry.note.clone(),
        policy_version: entry.policy_version,
        terms_version: entry.terms_version,
        value: currency.format(entry.fmv_minor),
        slices: currency.format_slices(entry.slices_minor),
        reverses: entry.reverses,
        about: entry.about,
        status: None,
        hash: stored.hash.to_hex(),
        effects: entry
            .effects
            .iter()
            .map(|e| EffectOut {
                member: handle(e.member),
                kind: e.kind.name().to_string(),
                class: e.class.name().to_string(),
                value: currency.format(e.fmv_minor),
                slices: currency.format_slices(e.slices_minor),
                well: currency.format(e.well_minor),
            })
            .collect(),
    }
}

/// An entry a capital action wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct CapitalEntryOut {
    /// Its number in the ledger.
    pub seq: u64,
    /// Its kind.
    pub kind: String,
    /// Value.
    pub value: String,
    /// Slices.
    pub slices: String,
    /// Its effects by member (empty while it waits for review).
    pub shares: Vec<ShareOut>,
}

pub(super) fn capital_entry(stored: &StoredEntry, currency: Currency, handle: &dyn Fn(u32) -> String) -> CapitalEntryOut {
    let e = &stored.entry;
    CapitalEntryOut {
        seq: e.seq,
        kind: e.tag.clone(),
        value: currency.format(e.fmv_minor),
        slices: currency.format_slices(e.slices_minor),
        shares: e
            .effects
            .iter()
            .map(|x| ShareOut { member: handle(x.member.0), value: currency.format(x.fmv_minor), slices: currency.format_slices(x.slices_minor) })
            .collect(),
    }
}

/// A balance: value at risk and slices.
#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceOut {
    /// Value at risk.
    pub value: String,
    /// Slices.
    pub slices: String,
}

/// An answer to an offer or a handover.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerIn {
    /// `accept`, `decline` (the member it names) or `withdraw` (the steward).
    pub answer: String,
    /// What the one answering says.
    #[serde(default)]
    pub note: String,
}

pub(super) fn balance(names: &Names, bucket: &Bucket) -> BalanceOut {
    BalanceOut { value: names.money(bucket.fmv_minor), slices: names.slices(bucket.slices_minor) }
}

/// Slices (a decimal) for a split, whole shares for a cap table.
pub(super) fn weight(names: &Names, basis: &str, weight: i64) -> String {
    if basis == "cap-table" { weight.to_string() } else { names.slices(weight) }
}

/// Where a member's trace is read over the API.
pub(super) fn trace_path(names: &Names, handle: &str) -> String {
    format!("/api/v1/ventures/{}/members/{handle}/trace", names.slug)
}

/// One depositor's share of a withdrawal, or the slices of a contribution.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareOut {
    /// The member.
    pub member: String,
    /// Value.
    pub value: String,
    /// Slices.
    pub slices: String,
}

/// How a person writes numbers.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NumberFormatIn {
    /// `1,234.56`, `1.234,56`, `1 234,56`, `1'234.56` or a language (`en`, `de`, `fr`, `de-CH`);
    /// empty for each venture's own.
    pub number_format: String,
}

pub(crate) fn policy_choice(preset: Option<&str>, toml: Option<&str>) -> Result<PolicyChoice, AppError> {
    match (preset.map(str::trim).filter(|p| !p.is_empty()), toml.filter(|t| !t.trim().is_empty())) {
        (Some(_), Some(_)) => Err(AppError::Invalid { field: "policy".into(), reason: "give a preset or a TOML policy, not both".into() }),
        (Some(preset), None) => Ok(PolicyChoice::Preset(preset.to_string())),
        (None, Some(toml)) => Ok(PolicyChoice::File(toml.to_string())),
        (None, None) => Ok(PolicyChoice::Preset("slicing-pie".into())),
    }
}

/// A buyout.
#[derive(Debug, Serialize, ToSchema)]
pub struct BuyoutOut {
    /// Its number in the venture.
    pub number: u32,
    /// Whose slices.
    pub member: String,
    /// Who buys them; none when the venture does.
    pub buyer: Option<String>,
    /// Forced (a bad leaver) or offered.
    pub forced: bool,
    /// Slices bought.
    pub slices: String,
    /// Price of one whole slice.
    pub price_per_slice: String,
    /// The price of all of them.
    pub amount: String,
    /// `offered`, `accepted`, `declined` or `withdrawn`.
    pub status: String,
    /// The steward who offered it.
    pub offered_by: Option<String>,
    /// When, ms since the epoch.
    pub offered_at_ms: i64,
    /// When it was accepted, declined or withdrawn.
    pub decided_at_ms: Option<i64>,
    /// The ledger entry moving the slices, once accepted.
    pub entry: Option<u64>,
    /// The last day of the claw-back window (an accepted offer to a good leaver).
    pub clawback_until: Option<String>,
}

pub(super) fn buyout_out(view: &BuyoutView, names: &Names) -> BuyoutOut {
    let r = &view.record;
    BuyoutOut {
        number: r.number,
        member: view.member.clone(),
        buyer: view.buyer.clone(),
        forced: r.forced,
        slices: names.slices(r.slices_minor),
        price_per_slice: names.money(r.price_per_slice_minor),
        amount: names.money(r.amount_minor),
        status: r.status.clone(),
        offered_by: r.offered_by.map(|m| names.handle(m)),
        offered_at_ms: r.offered_at_ms,
        decided_at_ms: r.decided_at_ms,
        entry: r.entry_seq,
        clawback_until: r.clawback_until.map(|d| d.to_string()),
    }
}

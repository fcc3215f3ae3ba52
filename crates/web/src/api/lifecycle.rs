//! A venture's later life over the API: departures (previewed, then recorded), buyouts, handover
//! and adoption of the steward role, freezes of the split into a cap table, income,
//! distributions (previewed, then posted), statements, the report and its exports. Its OpenAPI
//! paths are merged into the document by [`LifecycleDoc`].
//!
//! Money, slices and prices are decimal strings in the venture's currency; whole shares are
//! integers. Writes take an `Idempotency-Key` header (or an `idempotency_key` field) where the
//! use case can replay them.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use peerstake_app::stewards::{Adoptable, StewardshipView};
use peerstake_app::departures::{BuyoutRequest, DepartRequest, DepartureView};
use peerstake_app::book::BuyoutView;
use peerstake_app::error::AppError;
use peerstake_app::freezes::{FreezeRequest, FreezeView};
use peerstake_app::payouts::{Clawback, DistributeRequest, DistributionView, IncomeBook, IncomeRequest, Statement};
use peerstake_app::reports::VentureReport;
use peerstake_app::{Commons, Now};
use peerstake_core::lifecycle::Treatment;
use peerstake_core::money::Currency;
use peerstake_core::replay::Bucket;
use peerstake_core::terms::MemberNo;
use peerstake_store::IncomeRecord;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{ApiError, ApiResult, Body, ErrorBody, Params, SplitOut, optional_date, split_out};
use crate::AppState;
use crate::auth::Caller;

/// The header that makes a retried write harmless.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

// ---------------------------------------------------------------- extractors

/// Path parameters whose errors are JSON too (a buyout number that is not a number is a 400
/// problem, not plain text).
pub struct At<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for At<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<At<T>, ApiError> {
        Path::<T>::from_request_parts(parts, state).await.map(|p| At(p.0)).map_err(|rejection: PathRejection| {
            let status = if rejection.status().is_server_error() { rejection.status() } else { StatusCode::BAD_REQUEST };
            ApiError::Rejected(status, rejection.body_text())
        })
    }
}

/// The `Idempotency-Key` header, when one was sent.
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<IdempotencyKey, ApiError> {
        match parts.headers.get(IDEMPOTENCY_HEADER) {
            None => Ok(IdempotencyKey(None)),
            Some(value) => value
                .to_str()
                .map(|text| IdempotencyKey(Some(text.trim().to_string())))
                .map_err(|_| ApiError::Rejected(StatusCode::BAD_REQUEST, "the Idempotency-Key header must be printable ASCII".into())),
        }
    }
}

impl IdempotencyKey {
    /// The header's key, else the body's.
    fn or(self, body: Option<String>) -> Option<String> {
        self.0.or(body)
    }
}

// ---------------------------------------------------------------- shapes

/// A departure to record, or to preview.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DepartureIn {
    /// Who leaves (handle).
    pub member: String,
    /// `fired-for-good-reason`, `fired-for-no-good-reason`, `resigned-for-good-reason` or
    /// `resigned-for-no-good-reason`.
    pub case: String,
    /// Why, so the members can check the case (required).
    #[serde(default)]
    pub justification: String,
    /// The day they leave (YYYY-MM-DD; today when absent).
    pub departed_on: Option<String>,
    /// Work out the outcome and write nothing.
    #[serde(default)]
    pub preview: bool,
    /// Makes a retry harmless (the `Idempotency-Key` header wins).
    pub idempotency_key: Option<String>,
}

/// A balance: value at risk and slices.
#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceOut {
    /// Value at risk.
    pub value: String,
    /// Slices.
    pub slices: String,
}

/// One bucket of a leaver's slices: what the rule does to it, and the balance before and after.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartureBucketOut {
    /// Kind.
    pub kind: String,
    /// `cash`, `non-cash` or `plain`.
    pub class: String,
    /// `keep`, `at-par` (kept at multiplier 1) or `lose`.
    pub treatment: String,
    /// The treatment in words.
    pub treatment_words: String,
    /// Before the departure.
    pub before: BalanceOut,
    /// The part a loyalty clause protects.
    pub protected: BalanceOut,
    /// After it.
    pub after: BalanceOut,
}

/// A departure: recorded, or as it would be.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartureOut {
    /// Its number, once recorded.
    pub number: Option<u32>,
    /// Whether it is recorded (false for a preview).
    pub recorded: bool,
    /// Who leaves.
    pub member: String,
    /// Their display name.
    pub name: String,
    /// The case.
    pub case: String,
    /// The case in words.
    pub case_words: String,
    /// Whether the case makes a bad leaver (whose buyout can be forced).
    pub bad_leaver: bool,
    /// Why.
    pub justification: String,
    /// The day they leave.
    pub departed_on: String,
    /// The loyalty cut-off, when the clause applies: slices held that day are protected.
    pub loyalty_cutoff: Option<String>,
    /// The venture's currency.
    pub currency: String,
    /// Each bucket before and after.
    pub buckets: Vec<DepartureBucketOut>,
    /// The entries whose slices change.
    pub entries_adjusted: Vec<u64>,
    /// The ledger entry recording it, once recorded.
    pub entry: Option<u64>,
    /// Slices before.
    pub slices_before: String,
    /// Slices after.
    pub slices_after: String,
    /// The policy's price of one whole slice.
    pub price_per_slice: String,
    /// The price of buying what they keep, at that price.
    pub buyout_price: String,
    /// The steward who recorded it.
    pub recorded_by: Option<String>,
}

/// A buyout to offer (a good leaver) or force (a bad leaver).
#[derive(Debug, Deserialize, ToSchema)]
pub struct BuyoutIn {
    /// Whose slices (a member who left).
    pub member: String,
    /// A member who buys them; absent when the venture buys them and they leave the pie.
    pub buyer: Option<String>,
    /// Price of one whole slice; the policy's when absent.
    #[serde(default)]
    pub price_per_slice: String,
    /// Makes a retry harmless (the `Idempotency-Key` header wins).
    pub idempotency_key: Option<String>,
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

/// An answer to an offer or a handover.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerIn {
    /// `accept`, `decline` (the member it names) or `withdraw` (the steward).
    pub answer: String,
    /// What the one answering says.
    #[serde(default)]
    pub note: String,
}

/// A change of steward: a handover or an adoption.
#[derive(Debug, Serialize, ToSchema)]
pub struct StewardshipOut {
    /// Its number in the venture.
    pub number: u32,
    /// `handover` or `adoption`.
    pub kind: String,
    /// The steward handing over.
    pub from: Option<String>,
    /// Who takes over: a member's handle, or an account's username.
    pub to: String,
    /// What they say.
    pub message: String,
    /// `proposed`, `accepted`, `declined`, `withdrawn`, `objected` or `passed`.
    pub status: String,
    /// For an adoption: the role passes after this day unless a member objects.
    pub notice_until: Option<String>,
    /// When it was made, ms since the epoch.
    pub created_at_ms: i64,
    /// When it was decided.
    pub decided_at_ms: Option<i64>,
    /// Who decided it.
    pub decided_by: Option<String>,
    /// What they said.
    pub decision_note: String,
}

/// Whether the venture may be adopted now.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdoptableOut {
    /// Whether someone may ask to adopt it.
    pub open: bool,
    /// Why, or why not.
    pub reason: String,
}

/// The venture's changes of steward, and whether it may be adopted.
#[derive(Debug, Serialize, ToSchema)]
pub struct StewardsOut {
    /// Every handover and adoption, oldest first.
    pub changes: Vec<StewardshipOut>,
    /// Whether it may be adopted.
    pub adoptable: AdoptableOut,
}

/// A handover to propose.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HandoverIn {
    /// The member to take over (handle).
    pub to: String,
    /// What the steward says.
    #[serde(default)]
    pub message: String,
}

/// A request to adopt a venture whose stewards left or fell silent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AdoptIn {
    /// Who you are and what you would do with the venture (required).
    #[serde(default)]
    pub message: String,
}

/// An objection to an adoption.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ObjectIn {
    /// Why (required).
    #[serde(default)]
    pub note: String,
}

/// Shares issued at the start to one member, for a buy-back plan.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct IssuedShares {
    /// The member (handle).
    pub member: String,
    /// Whole shares.
    pub shares: i64,
}

/// A freeze to propose.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FreezeIn {
    /// `break-even`, `funding-round` or `other`.
    pub reason: String,
    /// More about it.
    #[serde(default)]
    pub note: String,
    /// Whole shares to split (10,000,000 when absent).
    pub total_shares: Option<i64>,
    /// Shares issued at the start, for a buy-back plan.
    #[serde(default)]
    pub issued: Vec<IssuedShares>,
}

/// A vote on a freeze, or on undoing one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FreezeVoteIn {
    /// For (true) or against (false).
    pub approve: bool,
}

/// One vote on a freeze.
#[derive(Debug, Serialize, ToSchema)]
pub struct FreezeVoteOut {
    /// The voter.
    pub member: String,
    /// For or against.
    pub approve: bool,
    /// When, ms since the epoch.
    pub at_ms: i64,
}

/// One holder's line of a cap table.
#[derive(Debug, Serialize, ToSchema)]
pub struct CapLineOut {
    /// Handle.
    pub member: String,
    /// Display name.
    pub name: String,
    /// Slices held at the freeze (or now, while it is proposed).
    pub slices: String,
    /// Whole shares.
    pub shares: i64,
    /// Share of all shares, two decimals; the lines add up to exactly 100.00.
    pub percent: String,
    /// Shares issued at the start.
    pub issued: i64,
    /// Shares to buy back.
    pub buy_back: i64,
    /// Shares to issue.
    pub issue: i64,
}

/// A freeze of the split into a cap table.
#[derive(Debug, Serialize, ToSchema)]
pub struct FreezeOut {
    /// Its number in the venture.
    pub number: u32,
    /// `break-even`, `funding-round` or `other`.
    pub reason: String,
    /// More about it.
    pub note: String,
    /// `proposed`, `rejected`, `frozen` or `unfrozen`.
    pub status: String,
    /// Who proposed it.
    pub proposed_by: String,
    /// When, ms since the epoch.
    pub proposed_at_ms: i64,
    /// Whole shares it splits.
    pub total_shares: i64,
    /// Shares issued at the start, for a buy-back plan.
    pub issued: Vec<IssuedShares>,
    /// The ledger's head when it froze: sequence number.
    pub head_seq: Option<u64>,
    /// … and hash.
    pub head_hash: Option<String>,
    /// The day it froze.
    pub frozen_on: Option<String>,
    /// When it froze, ms since the epoch.
    pub frozen_at_ms: Option<i64>,
    /// When undoing it was proposed, while that vote is open.
    pub unfreeze_proposed_at_ms: Option<i64>,
    /// When it was unfrozen.
    pub unfrozen_at_ms: Option<i64>,
    /// The rule that decides, and where the count stands.
    pub rule: String,
    /// Votes on freezing.
    pub votes: Vec<FreezeVoteOut>,
    /// Votes on undoing it.
    pub unfreeze_votes: Vec<FreezeVoteOut>,
    /// The cap table: stored once frozen, worked out from the split now while proposed.
    pub cap_table: Vec<CapLineOut>,
    /// The shares in the cap table, added up.
    pub cap_table_shares: i64,
    /// The total the buy-back plan leads to, when shares were issued at the start.
    pub buyback_total: Option<i64>,
}

/// Income to record.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IncomeIn {
    /// `revenue` (default) or `sale`.
    #[serde(default)]
    pub kind: String,
    /// The amount.
    pub amount: String,
    /// The day it arrived (YYYY-MM-DD; today when absent).
    pub received_on: Option<String>,
    /// Where it came from.
    #[serde(default)]
    pub note: String,
    /// For a sale of the venture: the price of the whole venture.
    #[serde(default)]
    pub valuation: String,
    /// Makes a retry harmless (the `Idempotency-Key` header wins).
    pub idempotency_key: Option<String>,
}

/// Income received.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncomeOut {
    /// Its number in the venture.
    pub number: u32,
    /// `revenue` or `sale`.
    pub kind: String,
    /// The amount.
    pub amount: String,
    /// The day it arrived.
    pub received_on: String,
    /// Where it came from.
    pub note: String,
    /// For a sale: the price of the whole venture.
    pub valuation: Option<String>,
    /// Who recorded it.
    pub recorded_by: Option<String>,
    /// When, ms since the epoch.
    pub recorded_at_ms: i64,
}

/// Income, and what is left to distribute.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncomeBookOut {
    /// The venture's currency.
    pub currency: String,
    /// All received.
    pub received: String,
    /// Received and not yet distributed.
    pub undistributed: String,
    /// Every income, oldest first.
    pub incomes: Vec<IncomeOut>,
}

/// A distribution to post, or to preview.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DistributionIn {
    /// The amount to pay out (at most what is undistributed).
    pub amount: String,
    /// `split`, `cap-table`, or absent for the cap table when frozen and the split otherwise.
    #[serde(default)]
    pub basis: String,
    /// The day it is paid (YYYY-MM-DD; today when absent).
    pub paid_on: Option<String>,
    /// What it is.
    #[serde(default)]
    pub note: String,
    /// Work out every payout and write nothing.
    #[serde(default)]
    pub preview: bool,
    /// Makes a retry harmless (the `Idempotency-Key` header wins).
    pub idempotency_key: Option<String>,
}

/// One holder's payout, with what it was split by.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayoutOut {
    /// Handle.
    pub member: String,
    /// Display name.
    pub name: String,
    /// What their payout was split by: slices (a decimal) or whole shares.
    pub weight: String,
    /// All the weight.
    pub total_weight: String,
    /// Their share of the weight, two decimals; the payouts' add up to exactly 100.00.
    pub percent: String,
    /// Paid.
    pub amount: String,
    /// The ledger head it was split at: the entries behind their slices are those up to it.
    pub head_seq: u64,
    /// Where their entries are traced (those up to `head_seq` made the weight, for a split).
    pub trace: String,
}

/// A distribution: posted, or as it would be.
#[derive(Debug, Serialize, ToSchema)]
pub struct DistributionOut {
    /// Its number (the number it would get, for a preview).
    pub number: u32,
    /// Whether it is posted (false for a preview).
    pub posted: bool,
    /// The venture's currency.
    pub currency: String,
    /// The amount; the payouts add up to exactly it.
    pub amount: String,
    /// `split` or `cap-table`.
    pub basis: String,
    /// The freeze whose cap table it used.
    pub freeze: Option<u32>,
    /// The ledger head it was split at.
    pub head_seq: u64,
    /// All the weight.
    pub total_weight: String,
    /// The day it is paid.
    pub paid_on: String,
    /// What it is.
    pub note: String,
    /// Who posted it.
    pub posted_by: Option<String>,
    /// When, ms since the epoch.
    pub posted_at_ms: i64,
    /// One per holder, by member number.
    pub payouts: Vec<PayoutOut>,
}

/// One payout on a member's statement.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementPayoutOut {
    /// The distribution.
    pub distribution: u32,
    /// The day it was paid.
    pub paid_on: String,
    /// `split` or `cap-table`.
    pub basis: String,
    /// What the payout was split by: slices or whole shares.
    pub weight: String,
    /// All the weight.
    pub total_weight: String,
    /// The ledger head it was split at.
    pub head_seq: u64,
    /// Paid.
    pub amount: String,
}

/// What a claw-back owes for one buyout.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClawbackOut {
    /// The buyout.
    pub buyout: u32,
    /// The last day of its window.
    pub until: String,
    /// The event with the highest implied price in the window: `sale #n` or `distribution #n`.
    pub event: Option<String>,
    /// Its date.
    pub on: Option<String>,
    /// The price per slice it implies.
    pub implied_price_per_slice: String,
    /// Owed.
    pub owed: String,
}

/// A member's statement.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementOut {
    /// Handle.
    pub member: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: String,
    /// The venture's currency.
    pub currency: String,
    /// The day they left.
    pub departed_on: Option<String>,
    /// The case they left under.
    pub departure_case: Option<String>,
    /// Slices held now.
    pub slices: String,
    /// All slices.
    pub total_slices: String,
    /// Their share of the split now, two decimals.
    pub percent: String,
    /// Whole shares in the frozen cap table, when frozen.
    pub shares: Option<i64>,
    /// All shares in it, when frozen.
    pub total_shares: Option<i64>,
    /// Their unspent money in the well.
    pub well_balance: String,
    /// Of it, what is owed back to them because they left (handed back with a well return).
    pub well_owed_back: String,
    /// All they received.
    pub received: String,
    /// Every payout.
    pub payouts: Vec<StatementPayoutOut>,
    /// Buyouts of their slices.
    pub buyouts: Vec<BuyoutOut>,
    /// Claw-backs owed to them.
    pub clawbacks: Vec<ClawbackOut>,
    /// All claw-backs owed.
    pub owed: String,
}

/// Which format an export comes in.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportParams {
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// Everything the printable report shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportOut {
    /// The venture's slug.
    pub venture: String,
    /// Its name.
    pub name: String,
    /// Its currency.
    pub currency: String,
    /// The ledger's head: sequence number.
    pub head_seq: u64,
    /// … and hash.
    pub head_hash: String,
    /// The split now.
    pub split: SplitOut,
    /// The frozen cap table, if frozen.
    pub cap_table: Option<FreezeOut>,
    /// Departures.
    pub departures: Vec<DepartureOut>,
    /// Buyouts.
    pub buyouts: Vec<BuyoutOut>,
    /// Income.
    pub income: IncomeBookOut,
    /// Distributions.
    pub distributions: Vec<DistributionOut>,
    /// Every member's statement.
    pub statements: Vec<StatementOut>,
}

// ---------------------------------------------------------------- conversions

/// What every response needs beyond the view: the currency, and member handles by number.
struct Names {
    slug: String,
    currency: Currency,
    handles: Vec<(MemberNo, String)>,
}

impl Names {
    /// Read after an access-checked call, so it reveals nothing the caller may not see.
    fn of(commons: &Commons, slug: &str, now: Now) -> Result<Names, AppError> {
        let currency = commons.venture(slug, now)?.record.money()?;
        let handles = commons.members(slug, now)?.into_iter().map(|m| (m.record.member_no, m.record.handle)).collect();
        Ok(Names { slug: slug.to_string(), currency, handles })
    }

    fn handle(&self, member: MemberNo) -> String {
        self.handles.iter().find(|(no, _)| *no == member).map_or_else(|| format!("#{}", member.0), |(_, h)| h.clone())
    }

    fn money(&self, minor: i64) -> String {
        self.currency.format(minor)
    }

    fn slices(&self, units: i64) -> String {
        self.currency.format_slices(units)
    }

    /// Slices (a decimal) for a split, whole shares for a cap table.
    fn weight(&self, basis: &str, weight: i64) -> String {
        if basis == "cap-table" { weight.to_string() } else { self.currency.format_slices(weight) }
    }

    fn trace(&self, handle: &str) -> String {
        format!("/api/v1/ventures/{}/members/{handle}/trace", self.slug)
    }
}

fn treatment_name(treatment: Treatment) -> &'static str {
    match treatment {
        Treatment::Keep => "keep",
        Treatment::AtPar => "at-par",
        Treatment::Lose => "lose",
    }
}

fn balance(names: &Names, bucket: &Bucket) -> BalanceOut {
    BalanceOut { value: names.money(bucket.fmv_minor), slices: names.slices(bucket.slices_minor) }
}

fn departure_out(view: &DepartureView, names: &Names) -> DepartureOut {
    DepartureOut {
        number: view.number,
        recorded: view.number.is_some(),
        member: view.member.clone(),
        name: view.display_name.clone(),
        case: view.case.name().to_string(),
        case_words: view.case.words().to_string(),
        bad_leaver: view.bad_leaver(),
        justification: view.justification.clone(),
        departed_on: view.departed_on.to_string(),
        loyalty_cutoff: view.cutoff.map(|d| d.to_string()),
        currency: names.currency.code().to_string(),
        buckets: view
            .lines
            .iter()
            .map(|line| DepartureBucketOut {
                kind: line.kind.name().to_string(),
                class: line.class.name().to_string(),
                treatment: treatment_name(line.treatment).to_string(),
                treatment_words: line.treatment.name().to_string(),
                before: balance(names, &line.before),
                protected: balance(names, &line.protected),
                after: balance(names, &line.after),
            })
            .collect(),
        entries_adjusted: view.entries.clone(),
        entry: view.entry_seq,
        slices_before: names.slices(view.slices_before()),
        slices_after: names.slices(view.slices_after()),
        price_per_slice: names.money(view.price_per_slice_minor),
        buyout_price: names.money(view.buyout_minor),
        recorded_by: view.recorded_by.clone(),
    }
}

fn buyout_out(view: &BuyoutView, names: &Names) -> BuyoutOut {
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

fn stewardship_out(view: &StewardshipView, names: &Names) -> StewardshipOut {
    let r = &view.record;
    StewardshipOut {
        number: r.number,
        kind: r.kind.clone(),
        from: view.from.clone(),
        to: view.to.clone(),
        message: r.message.clone(),
        status: r.status.clone(),
        notice_until: r.notice_until.map(|d| d.to_string()),
        created_at_ms: r.created_at_ms,
        decided_at_ms: r.decided_at_ms,
        decided_by: r.decided_by.map(|m| names.handle(m)),
        decision_note: r.decision_note.clone(),
    }
}

fn adoptable_out(adoptable: &Adoptable) -> AdoptableOut {
    AdoptableOut { open: adoptable.open, reason: adoptable.reason.clone() }
}

fn freeze_out(view: &FreezeView, names: &Names) -> FreezeOut {
    let r = &view.record;
    let votes = |votes: &[(String, peerstake_store::FreezeVoteRecord)]| -> Vec<FreezeVoteOut> {
        votes.iter().map(|(member, v)| FreezeVoteOut { member: member.clone(), approve: v.approve, at_ms: v.at_ms }).collect()
    };
    FreezeOut {
        number: r.number,
        reason: r.reason.clone(),
        note: r.note.clone(),
        status: r.status.clone(),
        proposed_by: view.proposed_by.clone(),
        proposed_at_ms: r.proposed_at_ms,
        total_shares: r.total_shares,
        issued: r.issued.iter().map(|(member, shares)| IssuedShares { member: names.handle(*member), shares: *shares }).collect(),
        head_seq: r.head.as_ref().map(|(seq, _)| *seq),
        head_hash: r.head.as_ref().map(|(_, hash)| hash.clone()),
        frozen_on: r.frozen_on.map(|d| d.to_string()),
        frozen_at_ms: r.frozen_at_ms,
        unfreeze_proposed_at_ms: r.unfreeze_proposed_at_ms,
        unfrozen_at_ms: r.unfrozen_at_ms,
        rule: view.rule.clone(),
        votes: votes(&view.votes),
        unfreeze_votes: votes(&view.unfreeze_votes),
        cap_table: view
            .cap_table
            .iter()
            .map(|l| CapLineOut {
                member: l.member.clone(),
                name: l.display_name.clone(),
                slices: names.slices(l.line.slices_minor),
                shares: l.line.shares,
                percent: l.percent.clone(),
                issued: l.line.issued,
                buy_back: l.line.buy_back,
                issue: l.line.issue,
            })
            .collect(),
        cap_table_shares: view.cap_table.iter().map(|l| l.line.shares).sum(),
        buyback_total: view.buyback_total,
    }
}

fn income_out(record: &IncomeRecord, names: &Names) -> IncomeOut {
    IncomeOut {
        number: record.number,
        kind: record.kind.clone(),
        amount: names.money(record.amount_minor),
        received_on: record.received_on.to_string(),
        note: record.note.clone(),
        valuation: record.valuation_minor.map(|v| names.money(v)),
        recorded_by: record.recorded_by.map(|m| names.handle(m)),
        recorded_at_ms: record.recorded_at_ms,
    }
}

fn income_book_out(book: &IncomeBook, names: &Names) -> IncomeBookOut {
    IncomeBookOut {
        currency: names.currency.code().to_string(),
        received: names.money(book.incomes.iter().map(|i| i.amount_minor).sum()),
        undistributed: names.money(book.undistributed_minor),
        incomes: book.incomes.iter().map(|i| income_out(i, names)).collect(),
    }
}

fn distribution_out(view: &DistributionView, names: &Names) -> DistributionOut {
    let r = &view.record;
    DistributionOut {
        number: r.number,
        posted: view.posted,
        currency: names.currency.code().to_string(),
        amount: names.money(r.amount_minor),
        basis: r.basis.clone(),
        freeze: r.freeze,
        head_seq: r.head_seq,
        total_weight: names.weight(&r.basis, r.total_weight),
        paid_on: r.paid_on.to_string(),
        note: r.note.clone(),
        posted_by: r.posted_by.map(|m| names.handle(m)),
        posted_at_ms: r.posted_at_ms,
        payouts: view
            .lines
            .iter()
            .map(|line| PayoutOut {
                member: line.member.clone(),
                name: line.display_name.clone(),
                weight: names.weight(&r.basis, line.payout.weight),
                total_weight: names.weight(&r.basis, r.total_weight),
                percent: line.percent.clone(),
                amount: names.money(line.payout.amount_minor),
                head_seq: r.head_seq,
                trace: names.trace(&line.member),
            })
            .collect(),
    }
}

fn clawback_out(clawback: &Clawback, names: &Names) -> ClawbackOut {
    ClawbackOut {
        buyout: clawback.buyout,
        until: clawback.until.to_string(),
        event: clawback.event.clone(),
        on: clawback.on.map(|d| d.to_string()),
        implied_price_per_slice: names.money(clawback.implied_per_slice_minor),
        owed: names.money(clawback.owed_minor),
    }
}

fn statement_out(statement: &Statement, names: &Names) -> StatementOut {
    StatementOut {
        member: statement.member.clone(),
        name: statement.display_name.clone(),
        role: statement.role.clone(),
        currency: names.currency.code().to_string(),
        departed_on: statement.departed.as_ref().map(|(on, _)| on.to_string()),
        departure_case: statement.departed.as_ref().map(|(_, case)| case.clone()),
        slices: names.slices(statement.slices_minor),
        total_slices: names.slices(statement.total_slices_minor),
        percent: statement.percent.clone(),
        shares: statement.shares.map(|(shares, _)| shares),
        total_shares: statement.shares.map(|(_, total)| total),
        well_balance: names.money(statement.well_minor),
        well_owed_back: names.money(statement.well_owed_back_minor),
        received: names.money(statement.received_minor),
        payouts: statement
            .payouts
            .iter()
            .map(|p| StatementPayoutOut {
                distribution: p.distribution,
                paid_on: p.paid_on.to_string(),
                basis: p.basis.clone(),
                weight: names.weight(&p.basis, p.weight),
                total_weight: names.weight(&p.basis, p.total_weight),
                head_seq: p.head_seq,
                amount: names.money(p.amount_minor),
            })
            .collect(),
        buyouts: statement.buyouts.iter().map(|b| buyout_out(b, names)).collect(),
        clawbacks: statement.clawbacks.iter().map(|c| clawback_out(c, names)).collect(),
        owed: names.money(statement.owed_minor),
    }
}

fn report_out(report: &VentureReport, names: &Names) -> ReportOut {
    ReportOut {
        venture: report.venture.slug.clone(),
        name: report.venture.name.clone(),
        currency: report.currency.code().to_string(),
        head_seq: report.head.0,
        head_hash: report.head.1.clone(),
        split: split_out(&report.split),
        cap_table: report.frozen.as_ref().map(|f| freeze_out(f, names)),
        departures: report.departures.iter().map(|d| departure_out(d, names)).collect(),
        buyouts: report.buyouts.iter().map(|b| buyout_out(b, names)).collect(),
        income: income_book_out(&report.income, names),
        distributions: report.distributions.iter().map(|d| distribution_out(d, names)).collect(),
        statements: report.statements.iter().map(|s| statement_out(s, names)).collect(),
    }
}

// ---------------------------------------------------------------- departures and buyouts

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/departures", params(("slug" = String, Path)), responses((status = 200, body = [DepartureOut]), (status = 404, body = ErrorBody)))]
async fn list_departures(State(state): State<AppState>, caller: Caller, At(slug): At<String>) -> ApiResult<Vec<DepartureOut>> {
    let account = caller.account.clone();
    let out = state
        .run(move |commons, now| {
            let views = commons.acting(account.as_ref()).departures(&slug, now)?;
            let names = Names::of(commons, &slug, now)?;
            Ok(views.iter().map(|v| departure_out(v, &names)).collect())
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(
    post,
    path = "/api/v1/ventures/{slug}/departures",
    params(("slug" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless")),
    request_body = DepartureIn,
    responses(
        (status = 200, body = DepartureOut, description = "A preview: the outcome, nothing written"),
        (status = 201, body = DepartureOut, description = "Recorded"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
async fn depart(
    State(state): State<AppState>,
    caller: Caller,
    At(slug): At<String>,
    key: IdempotencyKey,
    Body(input): Body<DepartureIn>,
) -> Result<(StatusCode, Json<DepartureOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let preview = input.preview;
    let out = state
        .run(move |commons, now| {
            let acting = commons.acting(Some(&account));
            let request = DepartRequest {
                venture: slug.clone(),
                member: input.member,
                case: input.case,
                justification: input.justification,
                departed_on: optional_date("departed on", &input.departed_on)?,
                by: None,
                idempotency_key: key.or(input.idempotency_key),
            };
            let view = if preview { acting.preview_departure(&request, now)? } else { acting.depart(&request, now)? };
            Ok(departure_out(&view, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok((if preview { StatusCode::OK } else { StatusCode::CREATED }, Json(out)))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/buyouts", params(("slug" = String, Path)), responses((status = 200, body = [BuyoutOut]), (status = 404, body = ErrorBody)))]
async fn list_buyouts(State(state): State<AppState>, caller: Caller, At(slug): At<String>) -> ApiResult<Vec<BuyoutOut>> {
    let account = caller.account.clone();
    let out = state
        .run(move |commons, now| {
            let views = commons.acting(account.as_ref()).buyouts(&slug, now)?;
            let names = Names::of(commons, &slug, now)?;
            Ok(views.iter().map(|v| buyout_out(v, &names)).collect())
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(
    post,
    path = "/api/v1/ventures/{slug}/buyouts",
    params(("slug" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless")),
    request_body = BuyoutIn,
    responses(
        (status = 201, body = BuyoutOut, description = "Offered (a good leaver) or, forced, accepted at once (a bad leaver)"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
async fn offer_buyout(
    State(state): State<AppState>,
    caller: Caller,
    At(slug): At<String>,
    key: IdempotencyKey,
    Body(input): Body<BuyoutIn>,
) -> Result<(StatusCode, Json<BuyoutOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let out = state
        .run(move |commons, now| {
            let request = BuyoutRequest {
                venture: slug.clone(),
                member: input.member,
                buyer: input.buyer,
                price_per_slice: input.price_per_slice,
                by: None,
                idempotency_key: key.or(input.idempotency_key),
            };
            let view = commons.acting(Some(&account)).offer_buyout(&request, now)?;
            Ok(buyout_out(&view, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(
    post,
    path = "/api/v1/ventures/{slug}/buyouts/{number}/answer",
    params(("slug" = String, Path), ("number" = u32, Path)),
    request_body = AnswerIn,
    responses((status = 200, body = BuyoutOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
async fn answer_buyout(
    State(state): State<AppState>,
    caller: Caller,
    At((slug, number)): At<(String, u32)>,
    Body(input): Body<AnswerIn>,
) -> ApiResult<BuyoutOut> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let out = state
        .run(move |commons, now| {
            let view = commons.acting(Some(&account)).answer_buyout(&slug, number, input.answer.trim(), now)?;
            Ok(buyout_out(&view, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok(Json(out))
}

// ---------------------------------------------------------------- stewards

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/stewards", params(("slug" = String, Path)), responses((status = 200, body = StewardsOut), (status = 404, body = ErrorBody)))]
async fn stewards(State(state): State<AppState>, caller: Caller, At(slug): At<String>) -> ApiResult<StewardsOut> {
    let account = caller.account.clone();
    let out = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            let changes = acting.stewardships(&slug, now)?;
            let adoptable = acting.adoptable(&slug, now)?;
            let names = Names::of(commons, &slug, now)?;
            Ok(StewardsOut { changes: changes.iter().map(|c| stewardship_out(c, &names)).collect(), adoptable: adoptable_out(&adoptable) })
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(
    post,
    path = "/api/v1/ventures/{slug}/stewards/handover",
    params(("slug" = String, Path)),
    request_body = HandoverIn,
    responses((status = 201, body = StewardshipOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
async fn propose_handover(
    State(state): State<AppState>,
    caller: Caller,
    At(slug): At<String>,
    Body(input): Body<HandoverIn>,
) -> Result<(StatusCode, Json<StewardshipOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let out = state
        .run(move |commons, now| {
            let view = commons.acting(Some(&account)).propose_handover(&slug, &input.to, &input.message, now)?;
            Ok(stewardship_out(&view, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(
    post,
    path = "/api/v1/ventures/{slug}/stewards/{number}/answer",
    params(("slug" = String, Path), ("number" = u32, Path)),
    request_body = AnswerIn,
    responses((status = 200, body = StewardshipOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
async fn answer_handover(
    State(state): State<AppState>,
    caller: Caller,
    At((slug, number)): At<(String, u32)>,
    Body(input): Body<AnswerIn>,
) -> ApiResult<StewardshipOut> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let out = state
        .run(move |commons, now| {
            let view = commons.acting(Some(&account)).answer_handover(&slug, number, input.answer.trim(), &input.note, now)?;
            Ok(stewardship_out(&view, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(
    post,
    path = "/api/v1/ventures/{slug}/stewards/adopt",
    params(("slug" = String, Path)),
    request_body = AdoptIn,
    responses(
        (status = 201, body = StewardshipOut, description = "Asked; the members are told and may object during the notice period"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "The venture's stewards are active"),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
async fn ask_to_adopt(
    State(state): State<AppState>,
    caller: Caller,
    At(slug): At<String>,
    Body(input): Body<AdoptIn>,
) -> Result<(StatusCode, Json<StewardshipOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let out = state
        .run(move |commons, now| {
            let view = commons.acting(Some(&account)).ask_to_adopt(&slug, &input.message, now)?;
            Ok(stewardship_out(&view, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(
    post,
    path = "/api/v1/ventures/{slug}/stewards/{number}/object",
    params(("slug" = String, Path), ("number" = u32, Path)),
    request_body = ObjectIn,
    responses((status = 200, body = StewardshipOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
async fn object_to_adoption(
    State(state): State<AppState>,
    caller: Caller,
    At((slug, number)): At<(String, u32)>,
    Body(input): Body<ObjectIn>,
) -> ApiResult<StewardshipOut> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let out = state
        .run(move |commons, now| {
            let view = commons.acting(Some(&account)).object_to_adoption(&slug, number, &input.note, now)?;
            Ok(stewardship_out(&view, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok(Json(out))
}

// ---------------------------------------------------------------- freezes

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/freezes", params(("slug" = String, Path)), responses((status = 200, body = [FreezeOut]), (status = 404, body = ErrorBody)))]
async fn list_freezes(State(state): State<AppState>, caller: Caller, At(slug): At<String>) -> ApiResult<Vec<FreezeOut>> {
    let account = caller.account.clone();
    let out = state
        .run(move |commons, now| {
            let views = commons.acting(account.as_ref()).freezes(&slug, now)?;
            let names = Names::of(commons, &slug, now)?;
            Ok(views.iter().map(|v| freeze_out(v, &names)).collect())
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(
    post,
    path = "/api/v1/ventures/{slug}/freezes",
    params(("slug" = String, Path)),
    request_body = FreezeIn,
    responses(
        (status = 201, body = FreezeOut, description = "Proposed with the steward's vote; frozen at once when that meets the rule"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
async fn propose_freeze(
    State(state): State<AppState>,
    caller: Caller,
    At(slug): At<String>,
    Body(input): Body<FreezeIn>,
) -> Result<(StatusCode, Json<FreezeOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let out = state
        .run(move |commons, now| {
            let request = FreezeRequest {
                venture: slug.clone(),
                by: String::new(),
                reason: input.reason,
                note: input.note,
                total_shares: input.total_shares.map(|n| n.to_string()).unwrap_or_default(),
                issued: input.issued.into_iter().map(|i| (i.member, i.shares.to_string())).collect(),
            };
            let view = commons.acting(Some(&account)).propose_freeze(&request, now)?;
            Ok(freeze_out(&view, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/freezes/{number}", params(("slug" = String, Path), ("number" = u32, Path)), responses((status = 200, body = FreezeOut), (status = 404, body = ErrorBody)))]
async fn get_freeze(State(state): State<AppState>, caller: Caller, At((slug, number)): At<(String, u32)>) -> ApiResult<FreezeOut> {
    let account = caller.account.clone();
    let out = state
        .run(move |commons, now| {
            let view = commons.acting(account.as_ref()).freeze(&slug, number, now)?;
            Ok(freeze_out(&view, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(
    post,
    path = "/api/v1/ventures/{slug}/freezes/{number}/vote",
    params(("slug" = String, Path), ("number" = u32, Path)),
    request_body = FreezeVoteIn,
    responses((status = 200, body = FreezeOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
async fn vote_freeze(
    State(state): State<AppState>,
    caller: Caller,
    At((slug, number)): At<(String, u32)>,
    Body(input): Body<FreezeVoteIn>,
) -> ApiResult<FreezeOut> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let out = state
        .run(move |commons, now| {
            let view = commons.acting(Some(&account)).vote_freeze(&slug, number, input.approve, now)?;
            Ok(freeze_out(&view, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(
    post,
    path = "/api/v1/ventures/{slug}/freezes/{number}/unfreeze",
    params(("slug" = String, Path), ("number" = u32, Path)),
    responses(
        (status = 200, body = FreezeOut, description = "Proposed with the steward's vote; unfrozen at once when that meets the rule"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
async fn propose_unfreeze(State(state): State<AppState>, caller: Caller, At((slug, number)): At<(String, u32)>) -> ApiResult<FreezeOut> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let out = state
        .run(move |commons, now| {
            let view = commons.acting(Some(&account)).propose_unfreeze(&slug, number, now)?;
            Ok(freeze_out(&view, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(
    get,
    path = "/api/v1/ventures/{slug}/cap-table",
    params(("slug" = String, Path)),
    responses((status = 200, body = FreezeOut, description = "The freeze in force, with its cap table"), (status = 404, body = ErrorBody, description = "Not frozen"))
)]
async fn cap_table(State(state): State<AppState>, caller: Caller, At(slug): At<String>) -> ApiResult<FreezeOut> {
    let account = caller.account.clone();
    let out = state
        .run(move |commons, now| {
            let frozen = commons.acting(account.as_ref()).freezes(&slug, now)?.into_iter().find(|f| f.record.status == "frozen");
            let view = frozen.ok_or_else(|| AppError::NotFound { what: "cap table", name: format!("{slug} (the split is not frozen)") })?;
            Ok(freeze_out(&view, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok(Json(out))
}

// ---------------------------------------------------------------- income and distributions

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/income", params(("slug" = String, Path)), responses((status = 200, body = IncomeBookOut), (status = 404, body = ErrorBody)))]
async fn list_income(State(state): State<AppState>, caller: Caller, At(slug): At<String>) -> ApiResult<IncomeBookOut> {
    let account = caller.account.clone();
    let out = state
        .run(move |commons, now| {
            let book = commons.acting(account.as_ref()).incomes(&slug, now)?;
            Ok(income_book_out(&book, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(
    post,
    path = "/api/v1/ventures/{slug}/income",
    params(("slug" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless")),
    request_body = IncomeIn,
    responses((status = 201, body = IncomeOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
async fn record_income(
    State(state): State<AppState>,
    caller: Caller,
    At(slug): At<String>,
    key: IdempotencyKey,
    Body(input): Body<IncomeIn>,
) -> Result<(StatusCode, Json<IncomeOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let out = state
        .run(move |commons, now| {
            let request = IncomeRequest {
                venture: slug.clone(),
                kind: input.kind,
                amount: input.amount,
                received_on: optional_date("received on", &input.received_on)?,
                note: input.note,
                valuation: input.valuation,
                by: None,
                idempotency_key: key.or(input.idempotency_key),
            };
            let record = commons.acting(Some(&account)).record_income(&request, now)?;
            Ok(income_out(&record, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/distributions", params(("slug" = String, Path)), responses((status = 200, body = [DistributionOut]), (status = 404, body = ErrorBody)))]
async fn list_distributions(State(state): State<AppState>, caller: Caller, At(slug): At<String>) -> ApiResult<Vec<DistributionOut>> {
    let account = caller.account.clone();
    let out = state
        .run(move |commons, now| {
            let views = commons.acting(account.as_ref()).distributions(&slug, now)?;
            let names = Names::of(commons, &slug, now)?;
            Ok(views.iter().map(|v| distribution_out(v, &names)).collect())
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(
    post,
    path = "/api/v1/ventures/{slug}/distributions",
    params(("slug" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless")),
    request_body = DistributionIn,
    responses(
        (status = 200, body = DistributionOut, description = "A preview: every payout, nothing written"),
        (status = 201, body = DistributionOut, description = "Posted"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
async fn distribute(
    State(state): State<AppState>,
    caller: Caller,
    At(slug): At<String>,
    key: IdempotencyKey,
    Body(input): Body<DistributionIn>,
) -> Result<(StatusCode, Json<DistributionOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let preview = input.preview;
    let out = state
        .run(move |commons, now| {
            let acting = commons.acting(Some(&account));
            let request = DistributeRequest {
                venture: slug.clone(),
                amount: input.amount,
                basis: input.basis,
                paid_on: optional_date("paid on", &input.paid_on)?,
                note: input.note,
                by: None,
                idempotency_key: key.or(input.idempotency_key),
            };
            let view = if preview { acting.preview_distribution(&request, now)? } else { acting.post_distribution(&request, now)? };
            Ok(distribution_out(&view, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok((if preview { StatusCode::OK } else { StatusCode::CREATED }, Json(out)))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/distributions/{number}", params(("slug" = String, Path), ("number" = u32, Path)), responses((status = 200, body = DistributionOut), (status = 404, body = ErrorBody)))]
async fn get_distribution(State(state): State<AppState>, caller: Caller, At((slug, number)): At<(String, u32)>) -> ApiResult<DistributionOut> {
    let account = caller.account.clone();
    let out = state
        .run(move |commons, now| {
            let view = commons.acting(account.as_ref()).distribution(&slug, number, now)?;
            Ok(distribution_out(&view, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok(Json(out))
}

// ---------------------------------------------------------------- statements, report, exports

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/statements", params(("slug" = String, Path)), responses((status = 200, body = [StatementOut]), (status = 404, body = ErrorBody)))]
async fn list_statements(State(state): State<AppState>, caller: Caller, At(slug): At<String>) -> ApiResult<Vec<StatementOut>> {
    let account = caller.account.clone();
    let out = state
        .run(move |commons, now| {
            let statements = commons.acting(account.as_ref()).statements(&slug, now)?;
            let names = Names::of(commons, &slug, now)?;
            Ok(statements.iter().map(|s| statement_out(s, &names)).collect())
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(
    get,
    path = "/api/v1/ventures/{slug}/statements/{handle}",
    params(("slug" = String, Path), ("handle" = String, Path)),
    responses(
        (status = 200, body = StatementOut, description = "Whoever may read the venture, and always the member themselves, even after they left"),
        (status = 403, body = ErrorBody, description = "A member who left a members-only venture asks for someone else's"),
        (status = 404, body = ErrorBody)
    )
)]
async fn get_statement(State(state): State<AppState>, caller: Caller, At((slug, handle)): At<(String, String)>) -> ApiResult<StatementOut> {
    let account = caller.account.clone();
    let out = state
        .run(move |commons, now| {
            let statement = commons.acting(account.as_ref()).statement(&slug, &handle, now)?;
            Ok(statement_out(&statement, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/report", params(("slug" = String, Path)), responses((status = 200, body = ReportOut), (status = 404, body = ErrorBody)))]
async fn report(State(state): State<AppState>, caller: Caller, At(slug): At<String>) -> ApiResult<ReportOut> {
    let account = caller.account.clone();
    let out = state
        .run(move |commons, now| {
            let report = commons.acting(account.as_ref()).venture_report(&slug, now)?;
            Ok(report_out(&report, &Names::of(commons, &slug, now)?))
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(
    get,
    path = "/api/v1/ventures/{slug}/exports/{what}",
    params(("slug" = String, Path), ("what" = String, Path, description = "`cap-table`, `distributions` or `statements`"), ExportParams),
    responses(
        (status = 200, description = "JSON (`{venture, export, currency, rows}`) or CSV (text/csv), every figure a decimal string"),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)
    )
)]
async fn export_table(
    State(state): State<AppState>,
    caller: Caller,
    At((slug, what)): At<(String, String)>,
    Params(params): Params<ExportParams>,
) -> Result<Response, ApiError> {
    let account = caller.account.clone();
    let format = params.format.as_deref().map(str::trim).filter(|f| !f.is_empty()).unwrap_or("json").to_string();
    let (text, file) = state
        .run(move |commons, now| {
            let text = commons.acting(account.as_ref()).export_table(&slug, &what, &format, now)?;
            Ok((text, format!("{slug}-{what}.{format}")))
        })
        .await?;
    let content_type = if file.ends_with(".csv") { "text/csv; charset=utf-8" } else { "application/json" };
    let disposition = format!("attachment; filename=\"{file}\"");
    Ok(([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], text).into_response())
}

#[derive(OpenApi)]
#[openapi(paths(
    list_departures,
    depart,
    list_buyouts,
    offer_buyout,
    answer_buyout,
    stewards,
    propose_handover,
    answer_handover,
    ask_to_adopt,
    object_to_adoption,
    list_freezes,
    propose_freeze,
    get_freeze,
    vote_freeze,
    propose_unfreeze,
    cap_table,
    list_income,
    record_income,
    list_distributions,
    distribute,
    get_distribution,
    list_statements,
    get_statement,
    report,
    export_table
))]
pub(crate) struct LifecycleDoc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ventures/{slug}/departures", get(list_departures).post(depart))
        .route("/ventures/{slug}/buyouts", get(list_buyouts).post(offer_buyout))
        .route("/ventures/{slug}/buyouts/{number}/answer", post(answer_buyout))
        .route("/ventures/{slug}/stewards", get(stewards))
        .route("/ventures/{slug}/stewards/handover", post(propose_handover))
        .route("/ventures/{slug}/stewards/adopt", post(ask_to_adopt))
        .route("/ventures/{slug}/stewards/{number}/answer", post(answer_handover))
        .route("/ventures/{slug}/stewards/{number}/object", post(object_to_adoption))
        .route("/ventures/{slug}/freezes", get(list_freezes).post(propose_freeze))
        .route("/ventures/{slug}/freezes/{number}", get(get_freeze))
        .route("/ventures/{slug}/freezes/{number}/vote", post(vote_freeze))
        .route("/ventures/{slug}/freezes/{number}/unfreeze", post(propose_unfreeze))
        .route("/ventures/{slug}/cap-table", get(cap_table))
        .route("/ventures/{slug}/income", get(list_income).post(record_income))
        .route("/ventures/{slug}/distributions", get(list_distributions).post(distribute))
        .route("/ventures/{slug}/distributions/{number}", get(get_distribution))
        .route("/ventures/{slug}/statements", get(list_statements))
        .route("/ventures/{slug}/statements/{handle}", get(get_statement))
        .route("/ventures/{slug}/report", get(report))
        .route("/ventures/{slug}/exports/{what}", get(export_table))
}

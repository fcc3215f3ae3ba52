//! The JSON API under `/api/v1`. Amounts are exact decimal strings; errors are
//! `{"error": {"code", "message", "field"}}` with a stable code; lists of entries are paged with
//! a cursor. `/api/v1/openapi.json` is generated from the handlers and types below.

use std::collections::BTreeMap;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use peerstake_app::members::Joined;
use peerstake_app::access::Standing;
use peerstake_app::error::AppError;
use peerstake_app::forms::{ContributionForm, TermsForm};
use peerstake_app::ledger::{LedgerPage, LedgerQuery, SplitQuery, SplitReport, TraceReport};
use peerstake_app::journal::{LogRequest, ReverseRequest};
use peerstake_app::ventures::CreateVenture;
use peerstake_app::membership::MemberView;
use peerstake_app::policy_file::PolicyChoice;
use peerstake_app::book::{PolicyVersionView, SetPolicy};
use peerstake_app::members::SetTerms;
use peerstake_core::ErrorCode;
use peerstake_core::kind::ALL_KINDS;
use peerstake_core::money::Currency;
use peerstake_core::split::format_share;
use peerstake_core::terms::Terms;
use peerstake_store::{AccessRecord, ApiTokenRecord, StoredEntry};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::auth::Caller;
use crate::{AppState, status_of};

pub(crate) mod capital;
pub(crate) mod lifecycle;
mod proposals;
mod recurring;
mod review;
pub(crate) mod talk;

// ---------------------------------------------------------------- errors and extractors

/// An error as the API returns it.
#[derive(Debug)]
pub enum ApiError {
    /// A use case refused.
    App(AppError),
    /// The request could not be read (bad JSON, bad query, too large).
    Rejected(StatusCode, String),
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> ApiError {
        ApiError::App(error)
    }
}

/// The body of every error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code: `invalid_input`, `not_found`, `unauthorized`, `forbidden`, `conflict`, …
    pub code: String,
    /// One readable sentence.
    pub message: String,
    /// The field at fault, when one is.
    pub field: Option<String>,
}

pub(crate) fn error_detail(error: &AppError) -> ErrorDetail {
    ErrorDetail { code: error.code().to_string(), message: error.to_string(), field: error.field().map(str::to_string) }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, detail) = match self {
            ApiError::App(error) => (status_of(&error), error_detail(&error)),
            ApiError::Rejected(status, message) => {
                let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "too_large" } else { "invalid_request" };
                (status, ErrorDetail { code: code.into(), message, field: None })
            }
        };
        (status, Json(ErrorBody { error: detail })).into_response()
    }
}

/// A JSON body whose errors are JSON too.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Body<T>, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => {
                let status = match &rejection {
                    JsonRejection::BytesRejection(_) => rejection.status(),
                    JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                Err(ApiError::Rejected(status, rejection.body_text()))
            }
        }
    }
}

/// Query parameters whose errors are JSON too.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Params<T>, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Params(q.0))
            .map_err(|rejection: QueryRejection| ApiError::Rejected(StatusCode::UNPROCESSABLE_ENTITY, rejection.body_text()))
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

pub(crate) fn parse_date(field: &'static str, text: &str) -> Result<Date, AppError> {
    peerstake_app::files::date(field, text)
}

fn optional_date(field: &'static str, text: &Option<String>) -> Result<Option<Date>, AppError> {
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse_date(field, text).map(Some),
    }
}

// ---------------------------------------------------------------- shapes

/// An account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountOut {
    /// Sign-in name.
    pub username: String,
    /// Display name.
    pub display_name: String,
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SignUpIn {
    /// 2–40 lowercase letters, digits and hyphens, starting with a letter.
    pub username: String,
    /// Display name (the username when absent).
    #[serde(default)]
    pub display_name: String,
    /// At least 10 characters.
    pub password: String,
}

/// A new API token: signed in already, or with a username and password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTokenIn {
    /// What the token is for.
    pub name: String,
    /// When not signed in: the username.
    pub username: Option<String>,
    /// When not signed in: the password.
    pub password: Option<String>,
}

/// An API token (the secret only when created).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    /// Its id, to revoke it.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its first characters.
    pub prefix: String,
    /// When it was created, ms since the epoch.
    pub created_at_ms: i64,
    /// Whether it is revoked.
    pub revoked: bool,
    /// The secret: shown once, when the token is created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

fn token_out(record: ApiTokenRecord, secret: Option<String>) -> TokenOut {
    TokenOut {
        id: record.id,
        name: record.name,
        prefix: record.prefix,
        created_at_ms: record.created_at_ms,
        revoked: record.revoked_at_ms.is_some(),
        token: secret,
    }
}

/// A venture.
#[derive(Debug, Serialize, ToSchema)]
pub struct VentureOut {
    /// Unique slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// One-line pitch.
    pub pitch: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Number of members.
    pub members: usize,
    /// Number of entries.
    pub entries: u64,
    /// Preset of the policy in force.
    pub policy: String,
    /// Version of the policy in force.
    pub policy_version: u32,
    /// The ledger's hash-chain head.
    pub chain_head: String,
    /// `open`, `request` or `invite`.
    pub join_mode: String,
    /// `public` or `members`.
    pub visibility: String,
    /// How its people write numbers in forms and on the command line (`1,234.56`, `1.234,56`,
    /// `1 234,56` or `1'234.56`). The API always takes and gives `1234.56`.
    pub number_format: String,
    /// Decimals of a slice (at least two; fixed when the venture was created).
    pub slice_decimals: u8,
    /// The edition of the ledger's rules (fixed when the venture was created).
    pub edition: u8,
    /// The caller's handle, when they are a member.
    pub your_handle: Option<String>,
    /// Whether the caller is a steward.
    pub you_are_steward: bool,
}

fn venture_out(standing: &Standing) -> VentureOut {
    let record = &standing.venture.record;
    VentureOut {
        slug: record.slug.clone(),
        name: record.name.clone(),
        pitch: record.pitch.clone(),
        currency: record.currency.clone(),
        members: standing.venture.member_count,
        entries: record.head_seq,
        policy: standing.venture.policy_preset.clone(),
        policy_version: standing.venture.policy_version,
        chain_head: record.head_hash.to_hex(),
        join_mode: standing.access.join_mode.clone(),
        visibility: standing.access.visibility.clone(),
        number_format: record.number_format.name().to_string(),
        slice_decimals: record.money().map_or(0, |c| c.slice_scale()),
        edition: record.edition.number(),
        your_handle: standing.handle().map(str::to_string),
        you_are_steward: standing.is_steward(),
    }
}

/// A new venture.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateVentureIn {
    /// Unique slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// One-line pitch.
    #[serde(default)]
    pub pitch: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Policy preset: `slicing-pie` (default) or `hours-only`.
    pub policy: Option<String>,
    /// A whole policy as TOML text, instead of a preset.
    pub policy_toml: Option<String>,
    /// When the first policy takes effect (YYYY-MM-DD; today when absent).
    pub started_on: Option<String>,
    /// `open` (default), `request` or `invite`.
    pub join_mode: Option<String>,
    /// `public` (default) or `members`.
    pub visibility: Option<String>,
    /// How its people write numbers in forms: `1,234.56` (default), `1.234,56`, `1 234,56`,
    /// `1'234.56`, or a language whose usual format it is (`en`, `de`, `fr`, `de-CH`).
    #[serde(default)]
    pub number_format: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// Search the commons.
#[derive(Debug, Deserialize, IntoParams)]
pub struct VenturesQuery {
    /// Text in the name, slug or pitch.
    pub q: Option<String>,
}

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

pub(crate) fn split_out(report: &SplitReport) -> SplitOut {
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

/// Which split.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SplitParams {
    /// As of the end of this date (YYYY-MM-DD).
    pub as_of: Option<String>,
    /// Revalue the whole ledger under this preset instead (nothing is written).
    pub policy: Option<String>,
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

pub(crate) fn entry_out(stored: &StoredEntry, currency: Currency, handle: &dyn Fn(peerstake_core::terms::MemberNo) -> String) -> EntryOut {
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

/// A page of the ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerOut {
    /// The entries, oldest first.
    pub entries: Vec<EntryOut>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<u64>,
}

fn ledger_out(page: &LedgerPage) -> LedgerOut {
    let handle =
        |no: peerstake_core::terms::MemberNo| page.members.iter().find(|m| m.member_no == no).map_or_else(|| format!("#{}", no.0), |m| m.handle.clone());
    LedgerOut { entries: page.entries.iter().map(|s| entry_out(s, page.currency, &handle)).collect(), next_after: page.next_after }
}

/// Which entries.
#[derive(Debug, Deserialize, IntoParams)]
pub struct LedgerParams {
    /// Only this member's (handle).
    pub member: Option<String>,
    /// Only this kind (or `reversal`).
    pub kind: Option<String>,
    /// From this date.
    pub from: Option<String>,
    /// To this date.
    pub to: Option<String>,
    /// After this entry number (the cursor).
    pub after: Option<u64>,
    /// Page size, 1 to 1,000 (100 by default).
    pub limit: Option<u32>,
}

pub(crate) fn ledger_query(params: &LedgerParams) -> Result<LedgerQuery, AppError> {
    Ok(LedgerQuery {
        member: params.member.clone().filter(|m| !m.trim().is_empty()),
        tag: params.kind.clone().filter(|k| !k.trim().is_empty()),
        from: optional_date("from", &params.from)?,
        to: optional_date("to", &params.to)?,
        after: params.after,
        limit: params.limit.unwrap_or(100),
    })
}

/// A contribution to log (or preview). Which fields a kind reads is in the README.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct LogIn {
    /// Handle of whom it is for (yourself when absent; none for a withdrawal).
    pub member: Option<String>,
    /// When it happened (YYYY-MM-DD).
    pub date: String,
    /// `time`, `deposit`, `withdrawal`, `expense`, `equipment`, `supplies`, `facilities`,
    /// `capital-use`, `idea`, `sale`, `finders-fee`, `other`, `cash-paid` or `well-return`.
    pub kind: String,
    /// Hours for time (`1.5`, `1:30`, `90m`); units for capital-use.
    #[serde(default)]
    pub quantity: String,
    /// The main amount.
    #[serde(default)]
    pub amount: String,
    /// What was paid back.
    #[serde(default)]
    pub paid: String,
    /// Equipment and supplies: `new`, `used-recent`, `used-old`.
    #[serde(default)]
    pub condition: String,
    /// Capital-use: `hour`, `day`, `week`, `month`, `unit`.
    #[serde(default)]
    pub unit: String,
    /// Capital-use: rate per unit.
    #[serde(default)]
    pub rate: String,
    /// Other: `cash` or `non-cash`.
    #[serde(default)]
    pub class: String,
    /// What was done.
    #[serde(default)]
    pub note: String,
    /// Time worked over a period: its first day (`date` is its last; at most 24 hours a day).
    #[serde(default)]
    pub from: Option<String>,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

pub(crate) fn log_request(slug: &str, input: &LogIn, own_handle: Option<&str>) -> Result<LogRequest, AppError> {
    let member = match input.member.as_deref().map(str::trim) {
        Some("") => None,
        Some(handle) => Some(handle.to_string()),
        None if input.kind == "withdrawal" => None,
        None => own_handle.map(str::to_string),
    };
    Ok(LogRequest {
        venture: slug.to_string(),
        member,
        author: None,
        occurred_on: parse_date("date", input.date.trim())?,
        from: match input.from.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(parse_date("from", text)?),
        },
        form: ContributionForm {
            kind: input.kind.trim().to_string(),
            quantity: input.quantity.clone(),
            amount: input.amount.clone(),
            paid: input.paid.clone(),
            condition: input.condition.clone(),
            unit: input.unit.clone(),
            rate: input.rate.clone(),
            class: input.class.clone(),
        },
        note: input.note.clone(),
        idempotency_key: input.idempotency_key.clone(),
    })
}

/// A reversal.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReverseIn {
    /// Why (required).
    pub reason: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// A member.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    /// Number in the venture.
    pub member_no: u32,
    /// Handle.
    pub handle: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: String,
    /// When they joined.
    pub joined_on: String,
    /// Their terms today, in words.
    pub terms: String,
}

pub(crate) fn terms_text(view: &MemberView, currency: Currency) -> String {
    match view.terms.as_ref().map(|t| t.terms) {
        None => String::new(),
        Some(Terms::Salary { market_salary_minor, cash_salary_minor, .. }) => {
            format!("salary {} (cash {}) / year", currency.format(market_salary_minor), currency.format(cash_salary_minor))
        }
        Some(Terms::Hourly { rate_minor }) => format!("{} / hour", currency.format(rate_minor)),
    }
}

/// New terms for a member from a date.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SetTermsIn {
    /// They apply to time logged on or after this date.
    pub effective_from: String,
    /// An hourly rate, or:
    #[serde(default)]
    pub hourly_rate: String,
    /// a market salary per year
    #[serde(default)]
    pub market_salary: String,
    /// and the cash salary paid per year.
    #[serde(default)]
    pub cash_salary: String,
    /// Hours per year, when the policy lets members set it.
    #[serde(default)]
    pub hours_per_year: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// One entry behind a figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct TraceEntryOut {
    /// Entry number.
    pub entry: u64,
    /// Its date.
    pub date: String,
    /// Its kind.
    pub tag: String,
    /// Policy version used.
    pub policy_version: u32,
    /// Change in value.
    pub value: String,
    /// Change in slices.
    pub slices: String,
}

/// A kind of a member's slices.
#[derive(Debug, Serialize, ToSchema)]
pub struct TraceKindOut {
    /// The kind.
    pub kind: String,
    /// Slices of this kind.
    pub slices: String,
    /// Value of this kind.
    pub value: String,
    /// The entries behind it.
    pub entries: Vec<TraceEntryOut>,
}

/// A member's slices traced to entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct TraceOut {
    /// Handle.
    pub member: String,
    /// All their slices.
    pub slices: String,
    /// By kind.
    pub kinds: Vec<TraceKindOut>,
}

pub(crate) fn trace_out(report: &TraceReport) -> TraceOut {
    let currency = report.currency;
    TraceOut {
        member: report.member.handle.clone(),
        slices: currency.format_slices(report.slices_minor),
        kinds: report
            .kinds
            .iter()
            .map(|k| TraceKindOut {
                kind: k.kind.name().to_string(),
                slices: currency.format_slices(k.slices_minor),
                value: currency.format(k.fmv_minor),
                entries: k
                    .entries
                    .iter()
                    .map(|e| TraceEntryOut {
                        entry: e.seq,
                        date: e.occurred_on.to_string(),
                        tag: e.tag.clone(),
                        policy_version: e.policy_version,
                        value: currency.format(e.fmv_minor),
                        slices: currency.format_slices(e.slices_minor),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// A policy version.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyVersionOut {
    /// Version.
    pub version: u32,
    /// From when.
    pub effective_from: String,
    /// Its preset name.
    pub preset: String,
    /// Every setting, as TOML.
    pub settings: String,
}

fn policy_out(view: &PolicyVersionView) -> PolicyVersionOut {
    PolicyVersionOut {
        version: view.record.version,
        effective_from: view.record.effective_from.to_string(),
        preset: view.policy.preset.clone(),
        settings: view.record.settings.clone(),
    }
}

/// A new policy version.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SetPolicyIn {
    /// A preset name…
    pub preset: Option<String>,
    /// …or a whole policy as TOML.
    pub toml: Option<String>,
    /// It applies from this date (after every entry already valued).
    pub effective_from: String,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

pub(crate) fn policy_choice(preset: Option<&str>, toml: Option<&str>) -> Result<PolicyChoice, AppError> {
    match (preset.map(str::trim).filter(|p| !p.is_empty()), toml.filter(|t| !t.trim().is_empty())) {
        (Some(_), Some(_)) => Err(AppError::Invalid { field: "policy".into(), reason: "give a preset or a TOML policy, not both".into() }),
        (Some(preset), None) => Ok(PolicyChoice::Preset(preset.to_string())),
        (None, Some(toml)) => Ok(PolicyChoice::File(toml.to_string())),
        (None, None) => Ok(PolicyChoice::Preset("slicing-pie".into())),
    }
}

/// How a venture is joined and read.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccessOut {
    /// `open`, `request` or `invite`.
    pub join_mode: String,
    /// `public` or `members`.
    pub visibility: String,
}

/// A request to join.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct JoinIn {
    /// A word to the stewards.
    #[serde(default)]
    pub message: String,
    /// Your market hourly rate, for valuing your time.
    #[serde(default)]
    pub hourly_rate: String,
}

/// What joining did.
#[derive(Debug, Serialize, ToSchema)]
pub struct JoinOut {
    /// `member` or `requested`.
    pub status: String,
    /// Your handle, when you are a member.
    pub handle: Option<String>,
}

/// A request waiting for the stewards.
#[derive(Debug, Serialize, ToSchema)]
pub struct JoinRequestOut {
    /// Who asks.
    pub username: String,
    /// Their display name.
    pub display_name: String,
    /// What they say.
    pub message: String,
    /// When, ms since the epoch.
    pub requested_at_ms: i64,
}

/// A decision on a request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecideIn {
    /// Accept (true) or decline (false).
    pub accept: bool,
}

/// A person added by a steward.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InviteIn {
    /// Their username.
    pub username: String,
    /// Their role (`member` when absent).
    pub role: Option<String>,
    /// Their market hourly rate.
    #[serde(default)]
    pub hourly_rate: String,
}

// ---------------------------------------------------------------- handlers

#[utoipa::path(post, path = "/api/v1/accounts", request_body = SignUpIn, responses((status = 201, body = AccountOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn sign_up(State(state): State<AppState>, Body(input): Body<SignUpIn>) -> Result<(StatusCode, Json<AccountOut>), ApiError> {
    let request = peerstake_app::accounts::SignUp { username: input.username, display_name: input.display_name, password: input.password };
    let account = state.run(move |commons, now| commons.sign_up(&request, now)).await?;
    Ok((StatusCode::CREATED, Json(AccountOut { username: account.username, display_name: account.display_name })))
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = AccountOut), (status = 401, body = ErrorBody)))]
async fn me(caller: Caller) -> ApiResult<AccountOut> {
    let account = caller.account()?;
    Ok(Json(AccountOut { username: account.username.clone(), display_name: account.display_name.clone() }))
}

/// Where notifications go.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailIn {
    /// An email address, or empty for none.
    pub email: String,
}

#[utoipa::path(put, path = "/api/v1/me/email", request_body = EmailIn, responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_email(State(state): State<AppState>, caller: Caller, Body(input): Body<EmailIn>) -> Result<StatusCode, ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    state.run(move |commons, now| commons.set_email(&account, &input.email, now)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How a person writes numbers.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NumberFormatIn {
    /// `1,234.56`, `1.234,56`, `1 234,56`, `1'234.56` or a language (`en`, `de`, `fr`, `de-CH`);
    /// empty for each venture's own.
    pub number_format: String,
}

#[utoipa::path(put, path = "/api/v1/me/number-format", request_body = NumberFormatIn, responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_my_number_format(State(state): State<AppState>, caller: Caller, Body(input): Body<NumberFormatIn>) -> Result<StatusCode, ApiError> {
    caller.check_api()?;
    let account = caller.account()?.id;
    state.run(move |commons, _| commons.set_account_number_format(account, &input.number_format)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/ventures/{slug}/number-format", params(("slug" = String, Path, description = "The venture")), request_body = NumberFormatIn,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_venture_number_format(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Body(input): Body<NumberFormatIn>,
) -> Result<StatusCode, ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    state.run(move |commons, now| commons.acting(Some(&account)).set_number_format(&slug, &input.number_format, now)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/tokens", request_body = NewTokenIn, responses((status = 201, body = TokenOut), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn create_token(State(state): State<AppState>, caller: Caller, Body(input): Body<NewTokenIn>) -> Result<(StatusCode, Json<TokenOut>), ApiError> {
    caller.check_api()?;
    let signed_in = caller.account.clone();
    let client = caller.client.clone();
    let (secret, record) = state
        .run(move |commons, now| {
            let account = match (signed_in, input.username, input.password) {
                (Some(account), _, _) => account,
                (None, Some(username), Some(password)) => commons.sign_in(&username, &password, &client, now)?.account,
                _ => return Err(AppError::Unauthorized("sign in, or give a username and password".into())),
            };
            commons.create_api_token(account.id, &input.name, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(token_out(record, Some(secret)))))
}

#[utoipa::path(get, path = "/api/v1/tokens", responses((status = 200, body = [TokenOut]), (status = 401, body = ErrorBody)))]
async fn list_tokens(State(state): State<AppState>, caller: Caller) -> ApiResult<Vec<TokenOut>> {
    let account = caller.account()?.id;
    let tokens = state.run(move |commons, _| commons.api_tokens(account)).await?;
    Ok(Json(tokens.into_iter().map(|t| token_out(t, None)).collect()))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", params(("id" = i64, Path, description = "The token's id")), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke_token(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    caller.check_api()?;
    let account = caller.account()?.id;
    state.run(move |commons, now| commons.revoke_api_token(account, id, now)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/ventures", params(VenturesQuery), responses((status = 200, body = [VentureOut])))]
async fn list_ventures(State(state): State<AppState>, caller: Caller, Params(query): Params<VenturesQuery>) -> ApiResult<Vec<VentureOut>> {
    let account = caller.account.clone();
    let out = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            let cards = acting.ventures(query.q.as_deref().unwrap_or(""), now)?;
            cards.iter().map(|card| acting.standing(&card.venture.record.slug, now).map(|s| venture_out(&s))).collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/ventures", request_body = CreateVentureIn, responses((status = 201, body = VentureOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_venture(State(state): State<AppState>, caller: Caller, Body(input): Body<CreateVentureIn>) -> Result<(StatusCode, Json<VentureOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let standing = state
        .run(move |commons, now| {
            let request = CreateVenture {
                slug: input.slug.trim().to_string(),
                name: input.name,
                pitch: input.pitch,
                currency: input.currency.trim().to_uppercase(),
                policy: policy_choice(input.policy.as_deref(), input.policy_toml.as_deref())?,
                started_on: optional_date("started on", &input.started_on)?,
                number_format: input.number_format,
                idempotency_key: input.idempotency_key,
            };
            let access =
                AccessRecord { join_mode: input.join_mode.unwrap_or_else(|| "open".into()), visibility: input.visibility.unwrap_or_else(|| "public".into()) };
            commons.acting(Some(&account)).create_venture(&request, &access, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(venture_out(&standing))))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}", params(("slug" = String, Path)), responses((status = 200, body = VentureOut), (status = 404, body = ErrorBody)))]
async fn get_venture(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> ApiResult<VentureOut> {
    let account = caller.account.clone();
    let standing = state.run_quick(move |commons, now| commons.acting(account.as_ref()).standing(&slug, now)).await?;
    Ok(Json(venture_out(&standing)))
}

#[utoipa::path(put, path = "/api/v1/ventures/{slug}/access", params(("slug" = String, Path)), request_body = AccessOut, responses((status = 200, body = AccessOut), (status = 403, body = ErrorBody)))]
async fn set_access(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Body(input): Body<AccessOut>) -> ApiResult<AccessOut> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let access = AccessRecord { join_mode: input.join_mode.clone(), visibility: input.visibility.clone() };
    state.run(move |commons, now| commons.acting(Some(&account)).set_access(&slug, &access, now)).await?;
    Ok(Json(input))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/split", params(("slug" = String, Path), SplitParams), responses((status = 200, body = SplitOut), (status = 404, body = ErrorBody)))]
async fn get_split(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Params(params): Params<SplitParams>) -> Result<Response, ApiError> {
    let account = caller.account.clone();
    let query = SplitQuery {
        as_of: optional_date("as of", &params.as_of)?,
        policy: params.policy.as_deref().filter(|p| !p.trim().is_empty()).map(|p| PolicyChoice::Preset(p.trim().to_string())),
    };
    let work = move |commons: &peerstake_app::Commons, now| commons.acting(account.as_ref()).split(&slug, &query, now);
    // The current split is read from maintained totals (or the cache): quick. An as-of split or
    // a comparison replays the ledger: that goes to a blocking thread.
    let report = if params.as_of.is_none() && params.policy.is_none() { state.run_quick(work).await? } else { state.run(work).await? };
    // The current split is written once per committed state and served from then on.
    let body = match report.state {
        Some(at) => state.split_json.get_or_render(&report.venture, at, || serde_json::to_vec(&split_out(&report))),
        None => serde_json::to_vec(&split_out(&report)).map(axum::body::Bytes::from),
    }
    .map_err(|e| AppError::Internal(format!("cannot write JSON: {e}")))?;
    Ok(([(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"))], body).into_response())
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/entries", params(("slug" = String, Path), LedgerParams), responses((status = 200, body = LedgerOut), (status = 404, body = ErrorBody)))]
async fn get_ledger(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Params(params): Params<LedgerParams>) -> ApiResult<LedgerOut> {
    let account = caller.account.clone();
    let page = state.run_quick(move |commons, now| commons.acting(account.as_ref()).ledger(&slug, &ledger_query(&params)?, now)).await?;
    Ok(Json(ledger_out(&page)))
}

async fn log_or_preview(state: AppState, caller: Caller, slug: String, input: LogIn, record: bool) -> Result<(StatusCode, Json<EntryOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let work = move |commons: &peerstake_app::Commons, now| {
        // With no member named, the entry is for the person logging it.
        let request = log_request(&slug, &input, None)?;
        commons.acting(Some(&account)).log_named(&request, now, record)
    };
    let named = state.run(work).await?;
    let handle = |no: peerstake_core::terms::MemberNo| named.handle(no);
    Ok((if record { StatusCode::CREATED } else { StatusCode::OK }, Json(entry_out(&named.entry, named.currency, &handle))))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/entries", params(("slug" = String, Path)), request_body = LogIn, responses((status = 201, body = EntryOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn log_entry(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Body(input): Body<LogIn>,
) -> Result<(StatusCode, Json<EntryOut>), ApiError> {
    log_or_preview(state, caller, slug, input, true).await
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/entries/preview", params(("slug" = String, Path)), request_body = LogIn, responses((status = 200, body = EntryOut, description = "What the entry would be; nothing is written"), (status = 422, body = ErrorBody)))]
async fn preview_entry(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Body(input): Body<LogIn>,
) -> Result<(StatusCode, Json<EntryOut>), ApiError> {
    log_or_preview(state, caller, slug, input, false).await
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/entries/{seq}/reversal", params(("slug" = String, Path), ("seq" = u64, Path)), request_body = ReverseIn, responses((status = 201, body = EntryOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn reverse_entry(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, seq)): Path<(String, u64)>,
    Body(input): Body<ReverseIn>,
) -> Result<(StatusCode, Json<EntryOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let (stored, currency, members) = state
        .run(move |commons, now| {
            let acting = commons.acting(Some(&account));
            let request = ReverseRequest { venture: slug.clone(), seq, reason: input.reason, author: None, idempotency_key: input.idempotency_key };
            let stored = acting.reverse(&request, now)?;
            let standing = acting.standing(&slug, now)?;
            Ok((stored, standing.venture.record.money()?, commons.members(&slug, now)?))
        })
        .await?;
    let handle = |no: peerstake_core::terms::MemberNo| {
        members.iter().find(|m| m.record.member_no == no).map_or_else(|| format!("#{}", no.0), |m| m.record.handle.clone())
    };
    Ok((StatusCode::CREATED, Json(entry_out(&stored, currency, &handle))))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/members", params(("slug" = String, Path)), responses((status = 200, body = [MemberOut]), (status = 404, body = ErrorBody)))]
async fn list_members(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> ApiResult<Vec<MemberOut>> {
    let account = caller.account.clone();
    let (members, currency) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            let standing = acting.standing(&slug, now)?;
            Ok((acting.members(&slug, now)?, standing.venture.record.money()?))
        })
        .await?;
    Ok(Json(
        members
            .iter()
            .map(|m| MemberOut {
                member_no: m.record.member_no.0,
                handle: m.record.handle.clone(),
                name: m.record.display_name.clone(),
                role: m.record.role.clone(),
                joined_on: m.record.joined_on.to_string(),
                terms: terms_text(m, currency),
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/members/{handle}/trace", params(("slug" = String, Path), ("handle" = String, Path)), responses((status = 200, body = TraceOut), (status = 404, body = ErrorBody)))]
async fn get_trace(State(state): State<AppState>, caller: Caller, Path((slug, handle)): Path<(String, String)>) -> ApiResult<TraceOut> {
    let account = caller.account.clone();
    let report = state.run(move |commons, now| commons.acting(account.as_ref()).trace(&slug, &handle, now)).await?;
    Ok(Json(trace_out(&report)))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/members/{handle}/terms", params(("slug" = String, Path), ("handle" = String, Path)), request_body = SetTermsIn, responses((status = 201), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_terms(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, handle)): Path<(String, String)>,
    Body(input): Body<SetTermsIn>,
) -> Result<StatusCode, ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    state
        .run(move |commons, now| {
            let request = SetTerms {
                venture: slug,
                handle,
                terms: TermsForm {
                    market_salary: input.market_salary,
                    cash_salary: input.cash_salary,
                    hours_per_year: input.hours_per_year,
                    hourly_rate: input.hourly_rate,
                },
                effective_from: parse_date("effective from", input.effective_from.trim())?,
                idempotency_key: input.idempotency_key,
            };
            commons.acting(Some(&account)).set_terms(&request, now)
        })
        .await?;
    Ok(StatusCode::CREATED)
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/policy", params(("slug" = String, Path)), responses((status = 200, body = [PolicyVersionOut]), (status = 404, body = ErrorBody)))]
async fn get_policy(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> ApiResult<Vec<PolicyVersionOut>> {
    let account = caller.account.clone();
    let (_, versions) = state.run(move |commons, now| commons.acting(account.as_ref()).policy_history(&slug, now)).await?;
    Ok(Json(versions.iter().map(policy_out).collect()))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/policy", params(("slug" = String, Path)), request_body = SetPolicyIn, responses((status = 201, body = PolicyVersionOut, description = "Adopted at once (the rule in force allows it)"), (status = 202, body = proposals::ProposalOut, description = "Proposed; it waits for votes"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_policy(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Body(input): Body<SetPolicyIn>) -> Result<Response, ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let outcome = state
        .run(move |commons, now| {
            let request = SetPolicy {
                venture: slug,
                policy: policy_choice(input.preset.as_deref(), input.toml.as_deref())?,
                effective_from: parse_date("effective from", input.effective_from.trim())?,
                idempotency_key: input.idempotency_key,
            };
            commons.acting(Some(&account)).set_policy(&request, now)
        })
        .await?;
    Ok(match outcome {
        Ok(view) => (StatusCode::CREATED, Json(policy_out(&view))).into_response(),
        Err(proposal) => (StatusCode::ACCEPTED, Json(proposals::proposal_out(&proposal))).into_response(),
    })
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/join", params(("slug" = String, Path)), request_body = JoinIn, responses((status = 200, body = JoinOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn join(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Body(input): Body<JoinIn>) -> ApiResult<JoinOut> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let joined = state
        .run(move |commons, now| {
            let terms = TermsForm { hourly_rate: input.hourly_rate, ..TermsForm::default() };
            commons.acting(Some(&account)).join(&slug, &input.message, &terms, now)
        })
        .await?;
    Ok(Json(match joined {
        Joined::Member(handle) => JoinOut { status: "member".into(), handle: Some(handle) },
        Joined::Requested => JoinOut { status: "requested".into(), handle: None },
    }))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/join-requests", params(("slug" = String, Path)), responses((status = 200, body = [JoinRequestOut]), (status = 403, body = ErrorBody)))]
async fn join_requests(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> ApiResult<Vec<JoinRequestOut>> {
    let account = caller.account()?.clone();
    let requests = state.run(move |commons, now| commons.acting(Some(&account)).join_requests(&slug, now)).await?;
    Ok(Json(
        requests
            .into_iter()
            .map(|r| JoinRequestOut {
                username: r.account.username,
                display_name: r.account.display_name,
                message: r.record.message,
                requested_at_ms: r.record.requested_at_ms,
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/join-requests/{username}", params(("slug" = String, Path), ("username" = String, Path)), request_body = DecideIn, responses((status = 200, body = JoinOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn decide_join(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, username)): Path<(String, String)>,
    Body(input): Body<DecideIn>,
) -> ApiResult<JoinOut> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let handle = state.run(move |commons, now| commons.acting(Some(&account)).decide_join(&slug, &username, input.accept, now)).await?;
    Ok(Json(JoinOut { status: if handle.is_some() { "member".into() } else { "declined".into() }, handle }))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/members", params(("slug" = String, Path)), request_body = InviteIn, responses((status = 201, body = JoinOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Body(input): Body<InviteIn>,
) -> Result<(StatusCode, Json<JoinOut>), ApiError> {
    caller.check_api()?;
    let account = caller.account()?.clone();
    let handle = state
        .run(move |commons, now| {
            let terms = TermsForm { hourly_rate: input.hourly_rate, ..TermsForm::default() };
            commons.acting(Some(&account)).invite(&slug, &input.username, input.role.as_deref().unwrap_or("member"), &terms, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(JoinOut { status: "member".into(), handle: Some(handle) })))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/export", params(("slug" = String, Path)), responses((status = 200, description = "The whole venture as JSON (the `peerstake export` format)"), (status = 404, body = ErrorBody)))]
async fn export(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>) -> Result<Response, ApiError> {
    let account = caller.account.clone();
    let bytes = state
        .run(move |commons, now| {
            let mut out = Vec::new();
            commons.acting(account.as_ref()).export(&slug, &mut out, now)?;
            Ok(out)
        })
        .await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

#[derive(OpenApi)]
#[openapi(
    info(title = "peerstake", description = "A fair, checkable ledger of contributions to peer-produced ventures, and the split it gives."),
    paths(
        sign_up,
        me,
        set_email,
        set_my_number_format,
        set_venture_number_format,
        create_token,
        list_tokens,
        revoke_token,
        list_ventures,
        create_venture,
        get_venture,
        set_access,
        get_split,
        get_ledger,
        log_entry,
        preview_entry,
        reverse_entry,
        list_members,
        get_trace,
        set_terms,
        get_policy,
        set_policy,
        join,
        join_requests,
        decide_join,
        invite,
        export,
        review::get_entry,
        review::review_entry,
        review::amend_entry,
        review::review_queue,
        proposals::list,
        proposals::propose,
        proposals::detail,
        proposals::vote,
        proposals::withdraw,
        recurring::list,
        recurring::set_up,
        recurring::decide,
        recurring::stop
    ),
    components(schemas(ErrorBody, ErrorDetail))
)]
struct ApiDoc;

/// The OpenAPI document, generated from the handlers above.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    document.merge(talk::TalkDoc::openapi());
    document.merge(capital::CapitalDoc::openapi());
    document.merge(lifecycle::LifecycleDoc::openapi());
    document
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}

async fn not_found() -> ApiError {
    ApiError::App(AppError::NotFound { what: "API route", name: "this path".into() })
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/accounts", post(sign_up))
        .route("/me", get(me))
        .route("/me/email", axum::routing::put(set_email))
        .route("/me/number-format", axum::routing::put(set_my_number_format))
        .route("/ventures/{slug}/number-format", axum::routing::put(set_venture_number_format))
        .route("/tokens", post(create_token).get(list_tokens))
        .route("/tokens/{id}", delete(revoke_token))
        .route("/ventures", get(list_ventures).post(create_venture))
        .route("/ventures/{slug}", get(get_venture))
        .route("/ventures/{slug}/access", axum::routing::put(set_access))
        .route("/ventures/{slug}/split", get(get_split))
        .route("/ventures/{slug}/entries", get(get_ledger).post(log_entry))
        .route("/ventures/{slug}/entries/preview", post(preview_entry))
        .route("/ventures/{slug}/entries/{seq}/reversal", post(reverse_entry))
        .route("/ventures/{slug}/entries/{seq}", get(review::get_entry))
        .route("/ventures/{slug}/entries/{seq}/review", post(review::review_entry))
        .route("/ventures/{slug}/entries/{seq}/amendment", post(review::amend_entry))
        .route("/ventures/{slug}/review-queue", get(review::review_queue))
        .route("/ventures/{slug}/proposals", get(proposals::list).post(proposals::propose))
        .route("/ventures/{slug}/recurring", get(recurring::list).post(recurring::set_up))
        .route("/ventures/{slug}/recurring/{number}/drafts", post(recurring::decide))
        .route("/ventures/{slug}/recurring/{number}/stop", post(recurring::stop))
        .route("/ventures/{slug}/proposals/{number}", get(proposals::detail))
        .route("/ventures/{slug}/proposals/{number}/votes", post(proposals::vote))
        .route("/ventures/{slug}/proposals/{number}/withdrawal", post(proposals::withdraw))
        .route("/ventures/{slug}/members", get(list_members).post(invite))
        .route("/ventures/{slug}/members/{handle}/trace", get(get_trace))
        .route("/ventures/{slug}/members/{handle}/terms", post(set_terms))
        .route("/ventures/{slug}/policy", get(get_policy).post(set_policy))
        .route("/ventures/{slug}/join", post(join))
        .route("/ventures/{slug}/join-requests", get(join_requests))
        .route("/ventures/{slug}/join-requests/{username}", post(decide_join))
        .route("/ventures/{slug}/export", get(export))
        .merge(talk::routes())
        .merge(capital::routes())
        .merge(lifecycle::routes())
        .fallback(not_found)
}

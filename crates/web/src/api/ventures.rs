//! Ventures over the API: listing and searching, creating one, its access settings and number
//! format, the history of its settings, and the whole venture exported as JSON.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use peerstake_app::access::Standing;
use peerstake_app::audit::SettingsChangeView;
use peerstake_app::ventures::CreateVenture;
use peerstake_store::AccessRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::shapes::{NumberFormatIn, policy_choice};
use crate::AppState;
use crate::error::{ApiError, ApiResult, BodyRefused, Refused};
use crate::extract::{Actor, At, Body, IdempotencyKey, Params, optional_date};

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
    /// The actor's handle, when they are a member.
    pub your_handle: Option<String>,
    /// Whether the actor is a steward.
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
    #[schema(format = Date)]
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
#[into_params(parameter_in = Query)]
pub struct VenturesQuery {
    /// Text in the name, slug or pitch.
    pub q: Option<String>,
}

/// How a venture is joined and read.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccessOut {
    /// `open`, `request` or `invite`.
    pub join_mode: String,
    /// `public` or `members`.
    pub visibility: String,
}

/// One change of a venture's settings: how it is joined or who may read it, or a member made a
/// steward or no longer one. The history is append-only: a change is never rewritten.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsChangeOut {
    /// Its number in the venture, from 1, in the order the changes were made.
    pub number: u32,
    /// `join_mode`, `visibility` or `steward`.
    pub setting: String,
    /// For `steward`: whose role changed (a member's handle).
    pub member: Option<String>,
    /// The value before: a join mode, a visibility or a role; empty when there was none (a new
    /// venture, a new member).
    pub from: String,
    /// The value after: a join mode, a visibility, a role, or `left` for a steward who left.
    pub to: String,
    /// Why (`venture created`, `access changed`, `invited`, `handover #2 accepted`, …).
    pub reason: String,
    /// Who made it: `person` (signed in), `operator` (the command line) or `rule` (the
    /// venture's rules: an adoption whose notice ran out without objection).
    pub by_kind: String,
    /// The username of the person who made it (`person` only).
    pub by_account: Option<String>,
    /// The handle of the member who made it, or the operator acted for.
    pub by_member: Option<String>,
    /// Who, in words.
    pub by: String,
    /// What changed, in words (`who may join: request → invite`).
    pub what: String,
    /// When, ms since the epoch.
    pub at_ms: i64,
}

/// The history of a venture's settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsHistoryOut {
    /// Every change, oldest first.
    pub changes: Vec<SettingsChangeOut>,
}

fn settings_change_out(change: &SettingsChangeView) -> SettingsChangeOut {
    let record = &change.record;
    SettingsChangeOut {
        number: record.number,
        setting: record.setting.clone(),
        member: change.member.clone(),
        from: record.old_value.clone(),
        to: record.new_value.clone(),
        reason: record.reason.clone(),
        by_kind: record.by_kind.clone(),
        by_account: change.by_username.clone(),
        by_member: change.by_handle.clone(),
        by: change.by(),
        what: change.what(),
        at_ms: record.at_ms,
    }
}

#[utoipa::path(put, path = "/api/v1/ventures/{slug}/number-format", params(("slug" = String, Path, description = "The venture", example = "demo")), request_body = NumberFormatIn, responses((status = 204), Refused, BodyRefused))]
async fn set_venture_number_format(actor: Actor, At(slug): At<String>, Body(input): Body<NumberFormatIn>) -> Result<StatusCode, ApiError> {
    actor.writer()?;
    actor.run(move |acting, now| acting.set_number_format(&slug, &input.number_format, now)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/ventures", params(VenturesQuery), responses((status = 200, body = [VentureOut]), Refused))]
async fn list_ventures(actor: Actor, Params(query): Params<VenturesQuery>) -> ApiResult<Vec<VentureOut>> {
    let out = actor
        .run(move |acting, now| {
            let cards = acting.ventures(query.q.as_deref().unwrap_or(""), now)?;
            cards.iter().map(|card| acting.standing(&card.venture.record.slug, now).map(|s| venture_out(&s))).collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/ventures", params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry harmless")), request_body = CreateVentureIn, responses((status = 201, body = VentureOut), Refused, BodyRefused))]
async fn create_venture(actor: Actor, key: IdempotencyKey, Body(input): Body<CreateVentureIn>) -> Result<(StatusCode, Json<VentureOut>), ApiError> {
    actor.writer()?;
    let standing = actor
        .run(move |acting, now| {
            let request = CreateVenture {
                slug: input.slug.trim().to_string(),
                name: input.name,
                pitch: input.pitch,
                currency: input.currency.trim().to_uppercase(),
                policy: policy_choice(input.policy.as_deref(), input.policy_toml.as_deref())?,
                started_on: optional_date("started on", &input.started_on)?,
                number_format: input.number_format,
                idempotency_key: key.or(input.idempotency_key),
            };
            let access =
                AccessRecord { join_mode: input.join_mode.unwrap_or_else(|| "open".into()), visibility: input.visibility.unwrap_or_else(|| "public".into()) };
            acting.create_venture(&request, &access, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(venture_out(&standing))))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = VentureOut), Refused))]
async fn get_venture(actor: Actor, At(slug): At<String>) -> ApiResult<VentureOut> {
    let standing = actor.run_quick(move |acting, now| acting.standing(&slug, now)).await?;
    Ok(Json(venture_out(&standing)))
}

#[utoipa::path(put, path = "/api/v1/ventures/{slug}/access", params(("slug" = String, Path, example = "demo")), request_body = AccessOut, responses((status = 200, body = AccessOut), Refused, BodyRefused))]
async fn set_access(actor: Actor, At(slug): At<String>, Body(input): Body<AccessOut>) -> ApiResult<AccessOut> {
    actor.writer()?;
    let access = AccessRecord { join_mode: input.join_mode.clone(), visibility: input.visibility.clone() };
    actor.run(move |acting, now| acting.set_access(&slug, &access, now)).await?;
    Ok(Json(input))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/settings-history", params(("slug" = String, Path, description = "The venture", example = "demo")), responses((status = 200, description = "Every change of how the venture is joined and read and of who its stewards are, with who made it and when, oldest first (members only)", body = SettingsHistoryOut), Refused))]
async fn settings_history(actor: Actor, At(slug): At<String>) -> ApiResult<SettingsHistoryOut> {
    let changes = actor.run(move |acting, now| acting.settings_history(&slug, now)).await?;
    Ok(Json(SettingsHistoryOut { changes: changes.iter().map(settings_change_out).collect() }))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/export", params(("slug" = String, Path, example = "demo")), responses((status = 200, description = "The whole venture as JSON (the `peerstake export` format)"), Refused))]
async fn export(actor: Actor, At(slug): At<String>) -> Result<Response, ApiError> {
    let bytes = actor
        .run(move |acting, now| {
            let mut out = Vec::new();
            acting.export(&slug, &mut out, now)?;
            Ok(out)
        })
        .await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

#[derive(OpenApi)]
#[openapi(paths(set_venture_number_format, list_ventures, create_venture, get_venture, set_access, settings_history, export))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ventures/{slug}/number-format", put(set_venture_number_format))
        .route("/ventures", get(list_ventures).post(create_venture))
        .route("/ventures/{slug}", get(get_venture))
        .route("/ventures/{slug}/access", put(set_access))
        .route("/ventures/{slug}/settings-history", get(settings_history))
        .route("/ventures/{slug}/export", get(export))
}

//! How failures answer: the HTTP status of each application error, and the JSON body every API
//! error has (`{"error": {"code", "message", "field"}}` with a stable code). A leaf: pages and
//! the API both use it; it knows neither.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use peerstake_app::error::AppError;
use peerstake_core::ErrorCode;
use serde::Serialize;
use utoipa::{IntoResponses, ToSchema};

/// The HTTP status for an application error.
pub(crate) fn status_of(error: &AppError) -> StatusCode {
    match error.code() {
        "not_found" => StatusCode::NOT_FOUND,
        "already_exists" | "already_reversed" | "conflict" | "idempotency_conflict" => StatusCode::CONFLICT,
        "unauthorized" => StatusCode::UNAUTHORIZED,
        "forbidden" | "csrf" | "own_entry" | "stewards_only" | "not_their_dispute" => StatusCode::FORBIDDEN,
        "already_done" | "wrong_status" | "no_approval_needed" | "other_rule" | "not_open" => StatusCode::CONFLICT,
        "too_many_attempts" => StatusCode::TOO_MANY_REQUESTS,
        "storage_error" | "internal" | "corrupt_data" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// An error as the API returns it.
#[derive(Debug)]
pub enum ApiError {
    /// A use case refused.
    App(AppError),
    /// The request could not be read (bad JSON, bad query, bad path, too large).
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

/// The detail of an application error.
pub(crate) fn error_detail(error: &AppError) -> ErrorDetail {
    ErrorDetail { code: error.code().to_string(), message: error.to_string(), field: error.field().map(str::to_string) }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, detail) = match self {
            ApiError::App(error) => (status_of(&error), error_detail(&error)),
            ApiError::Rejected(status, message) => {
                let code = match status {
                    StatusCode::PAYLOAD_TOO_LARGE => "too_large",
                    StatusCode::NOT_FOUND => "not_found",
                    StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
                    _ => "invalid_request",
                };
                (status, ErrorDetail { code: code.into(), message, field: None })
            }
        };
        (status, Json(ErrorBody { error: detail })).into_response()
    }
}

/// What an API handler returns.
pub(crate) type ApiResult<T> = Result<Json<T>, ApiError>;

/// What any API request may be refused with, as the OpenAPI document lists it for every
/// operation. Each is an [`ErrorBody`] with a stable code.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub(crate) enum Refused {
    /// A path parameter is not what the route takes.
    #[response(status = 400, description = "A path parameter is not what the route takes (`invalid_request`)")]
    BadPath(ErrorBody),
    /// Not signed in, or the API token is unknown or revoked.
    #[response(status = 401, description = "Not signed in, or the API token is unknown or revoked")]
    Unauthorized(ErrorBody),
    /// Signed in, but not allowed.
    #[response(status = 403, description = "Signed in, but not allowed (or a browser's call without its anti-forgery header)")]
    Forbidden(ErrorBody),
    /// No such venture or record, or none this caller may see.
    #[response(status = 404, description = "No such venture or record, or none this caller may see")]
    NotFound(ErrorBody),
    /// In conflict with what is recorded.
    #[response(status = 409, description = "In conflict with what is recorded: already done, no longer open, or an idempotency key reused for another write")]
    Conflict(ErrorBody),
    /// Bad input.
    #[response(status = 422, description = "Bad input: the query or body is malformed, or a field is refused (the field is named)")]
    Invalid(ErrorBody),
}

/// What a request with a body may also be refused with.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub(crate) enum BodyRefused {
    /// The body is larger than the server takes.
    #[response(status = 413, description = "The body is larger than the server takes (`too_large`)")]
    TooLarge(ErrorBody),
    /// The body is not JSON.
    #[response(status = 415, description = "The body is not sent as `application/json`")]
    NotJson(ErrorBody),
}

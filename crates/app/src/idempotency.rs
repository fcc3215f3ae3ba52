//! Idempotency: a key per write makes a retry harmless. The first request with a key stores
//! the hash of its canonical form and its result; the same request again gets that result back,
//! and a different request with the same key is refused.

use crate::Now;
use crate::error::{AppError, invalid};
use peerstake_core::chain::EntryHash;
use peerstake_store::{IdempotencyRecord, Transaction, VentureId};
use sha2::{Digest, Sha256};

/// Longest idempotency key.
pub const IDEMPOTENCY_KEY_CHARS_MAX: usize = 200;

pub(crate) fn fingerprint(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    let digest: [u8; 32] = hasher.finalize().into();
    EntryHash(digest).to_hex()
}

/// Looks up an idempotency key: `Some(result)` when this exact request ran before.
pub(crate) fn replayed(tx: &mut dyn Transaction, scope: VentureId, key: Option<&str>, fingerprint: &str) -> Result<Option<String>, AppError> {
    let Some(key) = key else { return Ok(None) };
    if key.is_empty() || key.chars().count() > IDEMPOTENCY_KEY_CHARS_MAX || key.chars().any(char::is_control) {
        return Err(invalid("idempotency key", format!("must be 1 to {IDEMPOTENCY_KEY_CHARS_MAX} printable characters")));
    }
    match tx.idempotency(scope, key)? {
        Some(record) if record.fingerprint == fingerprint => Ok(Some(record.result)),
        Some(_) => Err(AppError::IdempotencyConflict(key.to_string())),
        None => Ok(None),
    }
}

pub(crate) fn remember(tx: &mut dyn Transaction, scope: VentureId, key: Option<&str>, fingerprint: &str, result: &str, now: Now) -> Result<(), AppError> {
    if let Some(key) = key {
        tx.put_idempotency(scope, key, &IdempotencyRecord { fingerprint: fingerprint.to_string(), result: result.to_string() }, now.at_ms)?;
    }
    Ok(())
}

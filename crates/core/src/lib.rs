//! The domain core of peerstake: the rules that turn contributions into slices and slices into a
//! split, with exact integer arithmetic and explicit rounding.
//!
//! Architecture invariant: this crate does no IO, knows nothing about SQL, HTTP, JSON or the
//! clock. Time and ids are arguments. Every function here is deterministic, so every figure the
//! product shows can be recomputed from the ledger by anyone.
#![warn(missing_docs)]

pub mod allocation;
pub mod chain;
pub mod dating;
pub mod decimal;
pub mod edition;
pub mod entry;
pub mod error;
pub mod input;
pub mod kind;
pub mod lifecycle;
pub mod money;
pub mod numbers;
pub mod policy;
pub mod replay;
pub mod review;
pub mod split;
pub mod terms;
pub mod valuation;

pub use error::{DomainError, ErrorCode};

#![allow(clippy::unwrap_used, clippy::type_complexity)]

//! The conformance suite: every use case against SQLite, and against PostgreSQL when
//! `PEERSTAKE_TEST_POSTGRES_URL` names a server (each test gets a fresh database on it).

mod harness;

mod capital;
mod figures;
mod files;
mod invariants;
mod ledger;
mod lifecycle;
mod people;
mod proposals;
mod recurring;
mod review;
mod talk;
mod vectors;
mod ventures;

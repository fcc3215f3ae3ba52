//! Small records and helpers the cases share, public so a backend's own tests can build the same
//! ventures, members and entries: a venture `Acme` in EUR, members who joined on 1 January 2024
//! with their terms, accounts, an open proposal, time entries for member 1 with a hash made from
//! their number, and transactions that commit or must be refused.

use std::fmt::Debug;

use peerstake_core::chain::EntryHash;
use peerstake_core::edition::Edition;
use peerstake_core::entry::Entry;
use peerstake_core::kind::{Class, Kind};
use peerstake_core::replay::Effect;
use peerstake_core::terms::{MemberNo, Terms};
use peerstake_store::{AccountId, MemberRecord, Mode, NewVenture, ProposalRecord, Store, StoreError, StoredEntry, TermsRecord, Transaction, VentureId};
use time::Date;
use time::macros::date;

/// The day every fixture member joined.
pub const JOINED_ON: Date = date!(2024 - 01 - 01);

/// A new venture `Acme` in EUR under the current edition, with the slug given.
pub fn new_venture(slug: &str) -> NewVenture {
    NewVenture {
        slug: slug.into(),
        name: "Acme".into(),
        pitch: "Anvils".into(),
        currency: "EUR".into(),
        created_at_ms: 1,
        number_format: Default::default(),
        edition: Edition::CURRENT,
    }
}

/// Inserts [`new_venture`] with its genesis hash and returns its id.
pub fn venture(tx: &mut dyn Transaction, slug: &str) -> VentureId {
    tx.insert_venture(&new_venture(slug), &EntryHash::genesis(slug)).unwrap()
}

/// A member numbered `no`, with the handle given and its upper case as display name, who
/// joined on [`JOINED_ON`] (recorded at 2 ms) and has not left.
pub fn member(no: u32, handle: &str) -> MemberRecord {
    MemberRecord {
        member_no: MemberNo(no),
        handle: handle.into(),
        display_name: handle.to_uppercase(),
        role: "member".into(),
        joined_on: JOINED_ON,
        recorded_at_ms: 2,
        departed_on: None,
    }
}

/// Version `version` of member `member`'s terms, in force from [`JOINED_ON`] (recorded at 3 ms).
pub fn terms(member: u32, version: u32, terms: Terms) -> TermsRecord {
    TermsRecord { member_no: MemberNo(member), version, effective_from: JOINED_ON, terms, recorded_at_ms: 3 }
}

/// Inserts accounts `ann` and `bob` (created at 1 ms) and ventures `acme` and `beta`; returns
/// (acme, beta, ann, bob).
pub fn two_accounts_two_ventures(tx: &mut dyn Transaction) -> (VentureId, VentureId, AccountId, AccountId) {
    let ann = tx.insert_account("ann", "Ann", "h", 1).unwrap();
    let bob = tx.insert_account("bob", "Bob", "h", 1).unwrap();
    (venture(tx, "acme"), venture(tx, "beta"), ann, bob)
}

/// An open proposal by member 1 to adopt the `custom` preset from 1 April 2024, with no
/// settings or note, created at 1 ms.
pub fn open_proposal() -> ProposalRecord {
    ProposalRecord {
        number: 0,
        proposed_by: MemberNo(1),
        label: "custom".into(),
        settings: String::new(),
        effective_from: date!(2024 - 04 - 01),
        note: String::new(),
        status: "open".into(),
        created_at_ms: 1,
        decided_at_ms: None,
        policy_version: None,
    }
}

/// A time entry numbered `seq` for member 1, written by member 1, on the date given with the
/// effects given; recorded at `1000 + seq` ms, its hash the number's bytes.
pub fn entry(seq: u64, on: Date, effects: Vec<Effect>) -> StoredEntry {
    let mut hash = [0u8; 32];
    hash[..8].copy_from_slice(&seq.to_be_bytes());
    StoredEntry {
        entry: Entry {
            seq,
            occurred_on: on,
            recorded_at_ms: 1000 + i64::try_from(seq).unwrap(),
            author: Some(MemberNo(1)),
            member: Some(MemberNo(1)),
            tag: "time".into(),
            inputs: format!("hours={seq}"),
            note: format!("entry {seq}"),
            policy_version: 1,
            terms_version: 1,
            fmv_minor: 100,
            slices_minor: 200,
            reverses: None,
            about: None,
            effects,
        },
        hash: EntryHash(hash),
    }
}

/// An effect of `fmv` on a member's bucket, earning twice as many slices and nothing in the well.
pub fn effect(member: u32, kind: Kind, class: Class, fmv: i64) -> Effect {
    Effect { member: MemberNo(member), kind, class, fmv_minor: fmv, slices_minor: 2 * fmv, well_minor: 0 }
}

/// Runs `body` in a write transaction and commits it.
pub fn write<T>(store: &dyn Store, body: impl FnOnce(&mut dyn Transaction) -> T) -> T {
    let mut tx = store.begin(Mode::Write).unwrap();
    let out = body(tx.as_mut());
    tx.commit().unwrap();
    out
}

/// Runs `body` in a read transaction.
pub fn read<T>(store: &dyn Store, body: impl FnOnce(&mut dyn Transaction) -> T) -> T {
    let mut tx = store.begin(Mode::Read).unwrap();
    body(tx.as_mut())
}

/// Runs `attempt` in a write transaction of its own, which must fail; the transaction is then
/// dropped (rolled back) and the error returned.
pub fn refused<T: Debug>(store: &dyn Store, what: &str, attempt: impl FnOnce(&mut dyn Transaction) -> Result<T, StoreError>) -> StoreError {
    let mut tx = store.begin(Mode::Write).unwrap();
    match attempt(tx.as_mut()) {
        Ok(value) => panic!("{what}: expected a refusal, got {value:?}"),
        Err(error) => error,
    }
}

/// Runs `attempt` in a write transaction of its own, which must fail with
/// [`StoreError::Conflict`].
pub fn assert_conflict<T: Debug>(store: &dyn Store, what: &str, attempt: impl FnOnce(&mut dyn Transaction) -> Result<T, StoreError>) {
    let error = refused(store, what, attempt);
    assert!(matches!(error, StoreError::Conflict(_)), "{what}: expected a conflict, got {error:?}");
}

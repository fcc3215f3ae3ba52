//! The store conformance suite: every promise of the [`Store`] and
//! [`peerstake_store::Transaction`] traits, written once and run by every backend from one line,
//! as atuin's `tests-database` crate is for its server databases.
//!
//! A backend's unit tests give a factory that makes a [`Fresh`] store (an empty, migrated
//! database and a way to run raw SQL against it) and invoke [`store_suite!`]:
//!
//! ```ignore
//! #[cfg(test)]
//! mod tests {
//!     fn fresh() -> Option<peerstake_store_suite::Fresh> { /* a new database */ }
//!
//!     peerstake_store_suite::store_suite!(fresh);
//! }
//! ```
//!
//! That expands to a module `store_suite` with one `#[test]` per case. A factory returns none
//! when its backend is not configured on this machine (PostgreSQL without
//! `PEERSTAKE_TEST_POSTGRES_URL`); every case then returns at once.
//!
//! Each case is a public function taking the factory, in a module per area: [`ledger`],
//! [`paging`], [`people`], [`reviews`], [`talk`], [`capital`], [`lifecycle`], [`transitions`]
//! (status changes that name the status they leave), [`conflicts`] (uniqueness),
//! [`append_only`] and [`locking`]. A new case is one function there and one line in
//! [`store_suite!`].
//!
//! Architecture invariant: knows the store traits and the domain's types and depends on no
//! backend; the only SQL it holds is the plain `UPDATE` and `DELETE` statements of the
//! append-only checks, which both dialects read alike.

// A test-support crate: its cases are test code, where a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]
#![warn(missing_docs)]

use peerstake_store::{Store, StoreError};

pub mod append_only;
pub mod capital;
pub mod conflicts;
pub mod fixtures;
pub mod ledger;
pub mod lifecycle;
pub mod locking;
pub mod paging;
pub mod people;
pub mod reviews;
pub mod talk;
pub mod transitions;

/// Runs one raw SQL statement against a fresh store's database, outside the application's
/// rules, and returns how many rows it changed.
pub type RawSql = Box<dyn Fn(&str) -> Result<usize, StoreError>>;

/// What a backend gives each case: a fresh store, or none when the backend is not configured
/// here (the case is then skipped).
pub type Factory<'a> = &'a dyn Fn() -> Option<Fresh>;

/// A fresh, empty, migrated store made for one case, with a way to run raw SQL against its
/// database. Dropped at the end of the case: the store first, then whatever the backend left to
/// clean up (a temporary directory, a database to drop).
pub struct Fresh {
    // Fields drop in this order: the store closes its connections before the cleanup runs.
    store: Box<dyn Store>,
    raw: RawSql,
    cleanup: Option<Box<dyn std::any::Any>>,
}

impl Fresh {
    /// A fresh store and the way to run raw SQL against its database.
    pub fn new(store: impl Store + 'static, raw: impl Fn(&str) -> Result<usize, StoreError> + 'static) -> Fresh {
        Fresh { store: Box::new(store), raw: Box::new(raw), cleanup: None }
    }

    /// Keeps `guard` until the store is dropped, then drops it (a temporary directory that
    /// removes itself, a database that drops itself).
    pub fn with_cleanup(mut self, guard: impl std::any::Any) -> Fresh {
        self.cleanup = Some(Box::new(guard));
        self
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// Runs one raw SQL statement against the store's database and returns how many rows it
    /// changed.
    pub fn raw(&self, sql: &str) -> Result<usize, StoreError> {
        (self.raw)(sql)
    }
}

impl std::fmt::Debug for Fresh {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Fresh").field("backend", &self.store.backend()).field("cleanup", &self.cleanup.is_some()).finish_non_exhaustive()
    }
}

/// Expands to a module `store_suite` holding one `#[test]` per case of the suite, each calling
/// the case with `$factory` (an expression of type `impl Fn() -> Option<Fresh>`, usually the
/// name of a function in the invoking module, which the generated module sees through
/// `use super::*`).
#[macro_export]
macro_rules! store_suite {
    ($factory:expr) => {
        $crate::store_suite!(@cases $factory;
            ledger::migrations_are_idempotent,
            ledger::ventures_round_trip,
            ledger::venture_head_and_number_format_change,
            ledger::book_version_moves_with_the_book,
            ledger::members_round_trip,
            ledger::terms_round_trip_on_both_bases,
            ledger::policy_versions_round_trip,
            ledger::entries_round_trip_with_their_effects,
            ledger::an_entry_with_many_effects_is_one_entry,
            ledger::reversals_and_about_links,
            ledger::maintained_totals_add_up,
            ledger::well_balances_sum_positive_wells,
            ledger::totals_as_of_sum_effects_up_to_a_date,
            ledger::read_marks_rise_and_never_fall,
            ledger::idempotency_records_are_scoped,
            ledger::a_dropped_transaction_writes_nothing,
            ledger::a_savepoint_undoes_only_its_own_writes,
            paging::entries_page_in_order_after_a_cursor,
            paging::entry_pages_are_capped,
            paging::entries_filter_by_member,
            paging::entries_filter_by_tag_and_dates,
            paging::scan_visits_every_entry_in_order,
            paging::ids_too_large_to_exist_are_not_found,
            people::accounts_round_trip,
            people::account_email_and_number_format,
            people::sessions_round_trip,
            people::api_tokens_and_revocation,
            people::access_settings,
            people::member_links,
            people::join_requests_round_trip,
            people::sign_in_failures_round_trip,
            people::sign_in_failures_count_in_their_window_and_old_ones_go,
            people::sign_in_failures_are_cleared_per_key,
            people::settings_changes_round_trip,
            reviews::review_statuses_round_trip,
            reviews::proposals_and_votes_round_trip,
            reviews::recurring_and_drafts_round_trip,
            talk::comments_and_versions_round_trip,
            talk::comments_page_by_number,
            talk::activity_pages_newest_first,
            talk::activity_breaks_ties_by_kind_and_number,
            talk::activity_count_since,
            talk::feed_visits_only_move_forward,
            capital::needs_round_trip,
            capital::pledges_round_trip,
            capital::need_payments_round_trip,
            capital::goods_registry,
            capital::bookings_round_trip,
            capital::usages_round_trip,
            lifecycle::members_depart_and_change_role,
            lifecycle::member_last_active,
            lifecycle::departures_round_trip,
            lifecycle::buyouts_round_trip,
            lifecycle::stewardships_round_trip,
            lifecycle::freezes_votes_and_cap_tables,
            lifecycle::incomes_round_trip,
            lifecycle::distributions_round_trip,
            transitions::a_need_changes_status_once,
            transitions::a_pledge_resolves_once,
            transitions::a_booking_is_decided_once,
            transitions::a_usage_is_decided_once,
            transitions::a_proposal_is_decided_once,
            transitions::a_draft_is_decided_once,
            transitions::a_freeze_moves_once,
            transitions::a_buyout_is_decided_once,
            transitions::a_stewardship_is_decided_once,
            transitions::a_join_request_is_decided_once,
            conflicts::a_slug_is_taken_once,
            conflicts::a_member_number_is_taken_once,
            conflicts::a_handle_is_taken_once_per_venture,
            conflicts::a_username_is_taken_once,
            conflicts::an_idempotency_key_is_taken_once_per_scope,
            conflicts::an_entry_number_is_taken_once,
            conflicts::an_entry_is_reversed_once,
            conflicts::terms_and_policy_versions_are_taken_once,
            conflicts::a_member_votes_once_on_a_proposal,
            conflicts::a_member_votes_once_per_freeze_round,
            conflicts::one_pending_join_request_per_account,
            conflicts::an_account_is_linked_once_per_venture,
            conflicts::a_draft_is_made_once_per_period,
            conflicts::a_member_departs_once,
            conflicts::a_comment_needs_its_author_and_the_comment_it_answers,
            append_only::entries_are_append_only,
            append_only::member_terms_are_append_only,
            append_only::policy_versions_are_append_only,
            append_only::proposal_votes_are_append_only,
            append_only::comments_are_append_only,
            append_only::comment_versions_are_append_only,
            append_only::settings_changes_are_append_only,
            locking::writers_to_one_venture_wait_for_each_other,
            locking::writers_to_one_good_wait_for_each_other,
            locking::two_writers_resolve_a_hold_once,
            locking::a_reader_sees_one_snapshot,
        );
    };
    (@cases $factory:expr; $($area:ident :: $case:ident),+ $(,)?) => {
        /// The store conformance suite (`peerstake-store-suite`), one test per case.
        mod store_suite {
            #[allow(unused_imports)]
            use super::*;

            $(
                #[test]
                fn $case() {
                    let factory = $factory;
                    $crate::$area::$case(&factory);
                }
            )+
        }
    };
}

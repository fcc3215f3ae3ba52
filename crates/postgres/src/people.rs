//! The PostgreSQL storage of accounts, sessions, API tokens, failed sign-ins, access settings and
//! their history, member links and requests to join.

use super::*;
use crate::capital::{member, member_opt, number};
use peerstake_store::People;
use peerstake_store::people::{SIGN_IN_FAILURES_PRUNED_MAX, SettingsChangeRecord, SignInFailures};

const SETTINGS_CHANGE_COLUMNS: &str = "change_no, setting, member_no, old_value, new_value, reason, by_kind, by_account, by_member, at_ms";

fn settings_change_from_row(row: &Row) -> Result<SettingsChangeRecord, StoreError> {
    Ok(SettingsChangeRecord {
        number: number(get(row, 0)?, "change")?,
        setting: get(row, 1)?,
        member: member(get(row, 2)?)?,
        old_value: get(row, 3)?,
        new_value: get(row, 4)?,
        reason: get(row, 5)?,
        by_kind: get(row, 6)?,
        by_account: get::<Option<i64>>(row, 7)?.map(AccountId),
        by_member: member(get(row, 8)?)?,
        at_ms: get(row, 9)?,
    })
}

impl People for PostgresTransaction<'_> {
    fn insert_account(&mut self, username: &str, display_name: &str, password_hash: &str, at_ms: i64) -> Result<AccountId, StoreError> {
        let row = self.pooled().query_one(
            "INSERT INTO accounts (username, display_name, password_hash, created_at_ms) VALUES ($1, $2, $3, $4) RETURNING account_id",
            &[&username, &display_name, &password_hash, &at_ms],
        )?;
        Ok(AccountId(get(&row, 0)?))
    }

    fn account(&mut self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        let row = self.pooled().query_opt(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE account_id = $1"), &[&id.0])?;
        row.as_ref().map(account_from_row).transpose()
    }

    fn account_by_username(&mut self, username: &str) -> Result<Option<AccountRecord>, StoreError> {
        let row = self.pooled().query_opt(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username = $1"), &[&username])?;
        row.as_ref().map(account_from_row).transpose()
    }

    fn set_password_hash(&mut self, id: AccountId, password_hash: &str) -> Result<(), StoreError> {
        self.pooled().execute("UPDATE accounts SET password_hash = $2 WHERE account_id = $1", &[&id.0, &password_hash])?;
        Ok(())
    }

    fn set_account_email(&mut self, id: AccountId, email: Option<&str>, at_ms: i64) -> Result<(), StoreError> {
        match email {
            Some(email) => self.pooled().execute(
                "INSERT INTO account_emails (account_id, email, updated_at_ms) VALUES ($1, $2, $3)
                 ON CONFLICT (account_id) DO UPDATE SET email = excluded.email, updated_at_ms = excluded.updated_at_ms",
                &[&id.0, &email, &at_ms],
            )?,
            None => self.pooled().execute("DELETE FROM account_emails WHERE account_id = $1", &[&id.0])?,
        };
        Ok(())
    }

    fn account_email(&mut self, id: AccountId) -> Result<Option<String>, StoreError> {
        let row = self.pooled().query_opt("SELECT email FROM account_emails WHERE account_id = $1", &[&id.0])?;
        row.map(|row| get(&row, 0)).transpose()
    }

    fn set_account_number_format(&mut self, id: AccountId, format: Option<NumberFormat>) -> Result<(), StoreError> {
        self.pooled().execute("UPDATE accounts SET number_format = $2 WHERE account_id = $1", &[&id.0, &format.map(|f| f.name())])?;
        Ok(())
    }

    fn insert_session(&mut self, token_hash: &[u8; 32], session: &SessionRecord) -> Result<(), StoreError> {
        let hash = token_hash.as_slice();
        self.pooled().execute(
            "INSERT INTO sessions (token_hash, account_id, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4)",
            &[&hash, &session.account.0, &session.created_at_ms, &session.expires_at_ms],
        )?;
        Ok(())
    }

    fn session(&mut self, token_hash: &[u8; 32]) -> Result<Option<SessionRecord>, StoreError> {
        let hash = token_hash.as_slice();
        let row = self.pooled().query_opt("SELECT account_id, created_at_ms, expires_at_ms FROM sessions WHERE token_hash = $1", &[&hash])?;
        row.map(|row| Ok(SessionRecord { account: AccountId(get(&row, 0)?), created_at_ms: get(&row, 1)?, expires_at_ms: get(&row, 2)? })).transpose()
    }

    fn delete_session(&mut self, token_hash: &[u8; 32]) -> Result<(), StoreError> {
        let hash = token_hash.as_slice();
        self.pooled().execute("DELETE FROM sessions WHERE token_hash = $1", &[&hash])?;
        Ok(())
    }

    fn delete_sessions_of(&mut self, account: AccountId) -> Result<(), StoreError> {
        self.pooled().execute("DELETE FROM sessions WHERE account_id = $1", &[&account.0])?;
        Ok(())
    }

    fn insert_api_token(&mut self, token_hash: &[u8; 32], account: AccountId, name: &str, prefix: &str, at_ms: i64) -> Result<i64, StoreError> {
        let hash = token_hash.as_slice();
        let row = self.pooled().query_one(
            "INSERT INTO api_tokens (token_hash, account_id, name, prefix, created_at_ms) VALUES ($1, $2, $3, $4, $5) RETURNING token_id",
            &[&hash, &account.0, &name, &prefix, &at_ms],
        )?;
        get(&row, 0)
    }

    fn api_tokens(&mut self, account: AccountId) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let rows = self.pooled().query(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE account_id = $1 ORDER BY token_id DESC"), &[&account.0])?;
        rows.iter().map(token_from_row).collect()
    }

    fn api_token_by_hash(&mut self, token_hash: &[u8; 32]) -> Result<Option<ApiTokenRecord>, StoreError> {
        let hash = token_hash.as_slice();
        let row = self.pooled().query_opt(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1"), &[&hash])?;
        row.as_ref().map(token_from_row).transpose()
    }

    fn revoke_api_token(&mut self, account: AccountId, id: i64, at_ms: i64) -> Result<bool, StoreError> {
        let changed = self.pooled().execute(
            "UPDATE api_tokens SET revoked_at_ms = $3 WHERE account_id = $1 AND token_id = $2 AND revoked_at_ms IS NULL",
            &[&account.0, &id, &at_ms],
        )?;
        Ok(changed == 1)
    }

    fn venture_access(&mut self, venture: VentureId) -> Result<Option<AccessRecord>, StoreError> {
        let row = self.pooled().query_opt("SELECT join_mode, visibility FROM venture_access WHERE venture_id = $1", &[&venture.0])?;
        row.map(|row| Ok(AccessRecord { join_mode: get(&row, 0)?, visibility: get(&row, 1)? })).transpose()
    }

    fn set_venture_access(&mut self, venture: VentureId, access: &AccessRecord, at_ms: i64) -> Result<(), StoreError> {
        self.pooled().execute(
            "INSERT INTO venture_access (venture_id, join_mode, visibility, updated_at_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (venture_id) DO UPDATE SET join_mode = excluded.join_mode, visibility = excluded.visibility, updated_at_ms = excluded.updated_at_ms",
            &[&venture.0, &access.join_mode, &access.visibility, &at_ms],
        )?;
        Ok(())
    }

    fn record_sign_in_failure(&mut self, keys: &[&str], at_ms: i64, forget_through_ms: i64) -> Result<(), StoreError> {
        // Rows another writer is deleting are skipped, not waited for: pruning never blocks a
        // sign-in, and two writers never wait for each other's rows.
        self.pooled().execute(
            "DELETE FROM sign_in_failures WHERE failure_id IN
             (SELECT failure_id FROM sign_in_failures WHERE failed_at_ms <= $1 ORDER BY failed_at_ms LIMIT $2 FOR UPDATE SKIP LOCKED)",
            &[&forget_through_ms, &i64::from(SIGN_IN_FAILURES_PRUNED_MAX)],
        )?;
        for key in keys {
            self.pooled().execute("INSERT INTO sign_in_failures (throttle_key, failed_at_ms) VALUES ($1, $2)", &[key, &at_ms])?;
        }
        Ok(())
    }

    fn sign_in_failures(&mut self, key: &str, after_ms: i64) -> Result<SignInFailures, StoreError> {
        let row = self
            .pooled()
            .query_one("SELECT count(*), min(failed_at_ms) FROM sign_in_failures WHERE throttle_key = $1 AND failed_at_ms > $2", &[&key, &after_ms])?;
        let count: i64 = get(&row, 0)?;
        Ok(SignInFailures { count: narrow(count, "failure count")?, oldest_at_ms: get(&row, 1)? })
    }

    fn clear_sign_in_failures(&mut self, key: &str) -> Result<(), StoreError> {
        self.pooled().execute("DELETE FROM sign_in_failures WHERE throttle_key = $1", &[&key])?;
        Ok(())
    }

    fn insert_settings_change(&mut self, venture: VentureId, change: &SettingsChangeRecord) -> Result<u32, StoreError> {
        let row = self.pooled().query_one(
            &format!(
                "INSERT INTO settings_changes (venture_id, {SETTINGS_CHANGE_COLUMNS})
                 VALUES ($1, (SELECT coalesce(max(change_no), 0) + 1 FROM settings_changes WHERE venture_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 RETURNING change_no"
            ),
            &[
                &venture.0,
                &change.setting,
                &member_opt(change.member)?,
                &change.old_value,
                &change.new_value,
                &change.reason,
                &change.by_kind,
                &change.by_account.map(|a| a.0),
                &member_opt(change.by_member)?,
                &change.at_ms,
            ],
        )?;
        number(get(&row, 0)?, "change")
    }

    fn settings_changes(&mut self, venture: VentureId) -> Result<Vec<SettingsChangeRecord>, StoreError> {
        let rows =
            self.pooled().query(&format!("SELECT {SETTINGS_CHANGE_COLUMNS} FROM settings_changes WHERE venture_id = $1 ORDER BY change_no"), &[&venture.0])?;
        rows.iter().map(settings_change_from_row).collect()
    }

    fn link_member(&mut self, venture: VentureId, member: MemberNo, account: AccountId) -> Result<(), StoreError> {
        self.pooled().execute(
            "INSERT INTO member_accounts (venture_id, member_no, account_id) VALUES ($1, $2, $3)",
            &[&venture.0, &member_param(member)?, &account.0],
        )?;
        Ok(())
    }

    fn account_member(&mut self, venture: VentureId, account: AccountId) -> Result<Option<MemberNo>, StoreError> {
        let row = self.pooled().query_opt("SELECT member_no FROM member_accounts WHERE venture_id = $1 AND account_id = $2", &[&venture.0, &account.0])?;
        row.map(|row| {
            let member: i32 = get(&row, 0)?;
            narrow(member, "member").map(MemberNo)
        })
        .transpose()
    }

    fn member_accounts(&mut self, venture: VentureId) -> Result<Vec<(MemberNo, AccountId)>, StoreError> {
        let rows = self.pooled().query("SELECT member_no, account_id FROM member_accounts WHERE venture_id = $1 ORDER BY member_no", &[&venture.0])?;
        rows.iter()
            .map(|row| {
                let member: i32 = get(row, 0)?;
                Ok((MemberNo(narrow(member, "member")?), AccountId(get(row, 1)?)))
            })
            .collect()
    }

    fn account_memberships(&mut self, account: AccountId) -> Result<Vec<(VentureId, MemberNo)>, StoreError> {
        let rows = self.pooled().query("SELECT venture_id, member_no FROM member_accounts WHERE account_id = $1 ORDER BY venture_id", &[&account.0])?;
        rows.iter()
            .map(|row| {
                let member: i32 = get(row, 1)?;
                Ok((VentureId(get(row, 0)?), MemberNo(narrow(member, "member")?)))
            })
            .collect()
    }

    fn insert_join_request(&mut self, venture: VentureId, account: AccountId, message: &str, at_ms: i64) -> Result<(), StoreError> {
        self.pooled().execute(
            "INSERT INTO join_requests (venture_id, request_no, account_id, message, requested_at_ms, status)
             VALUES ($1, (SELECT coalesce(max(request_no), 0) + 1 FROM join_requests WHERE venture_id = $1), $2, $3, $4, 'pending')",
            &[&venture.0, &account.0, &message, &at_ms],
        )?;
        Ok(())
    }

    fn join_requests(&mut self, venture: VentureId) -> Result<Vec<JoinRequestRecord>, StoreError> {
        let rows = self.pooled().query(
            "SELECT account_id, message, requested_at_ms, status, decided_at_ms FROM join_requests WHERE venture_id = $1 ORDER BY request_no",
            &[&venture.0],
        )?;
        rows.iter()
            .map(|row| {
                Ok(JoinRequestRecord {
                    account: AccountId(get(row, 0)?),
                    message: get(row, 1)?,
                    requested_at_ms: get(row, 2)?,
                    status: get(row, 3)?,
                    decided_at_ms: get(row, 4)?,
                })
            })
            .collect()
    }

    fn decide_join_request(&mut self, venture: VentureId, account: AccountId, accepted: bool, at_ms: i64) -> Result<bool, StoreError> {
        let status = if accepted { "accepted" } else { "declined" };
        let changed = self.pooled().execute(
            "UPDATE join_requests SET status = $3, decided_at_ms = $4 WHERE venture_id = $1 AND account_id = $2 AND status = 'pending'",
            &[&venture.0, &account.0, &status, &at_ms],
        )?;
        Ok(changed == 1)
    }
}

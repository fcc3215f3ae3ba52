//! The SQLite storage of accounts, sessions, API tokens, failed sign-ins, access settings and
//! their history, member links and requests to join.

use super::*;
use peerstake_store::People;
use peerstake_store::people::{SIGN_IN_FAILURES_PRUNED_MAX, SettingsChangeRecord, SignInFailures};

const SETTINGS_CHANGE_COLUMNS: &str = "change_no, setting, member_no, old_value, new_value, reason, by_kind, by_account, by_member, at_ms";

fn settings_change_from_row(row: &Row<'_>) -> Result<SettingsChangeRecord, StoreError> {
    Ok(SettingsChangeRecord {
        number: to_u32(row.get(0).map_err(backend)?, "change")?,
        setting: row.get(1).map_err(backend)?,
        member: member(row.get(2).map_err(backend)?)?,
        old_value: row.get(3).map_err(backend)?,
        new_value: row.get(4).map_err(backend)?,
        reason: row.get(5).map_err(backend)?,
        by_kind: row.get(6).map_err(backend)?,
        by_account: row.get::<_, Option<i64>>(7).map_err(backend)?.map(AccountId),
        by_member: member(row.get(8).map_err(backend)?)?,
        at_ms: row.get(9).map_err(backend)?,
    })
}

impl People for SqliteTransaction<'_> {
    fn insert_account(&mut self, username: &str, display_name: &str, password_hash: &str, at_ms: i64) -> Result<AccountId, StoreError> {
        self.connection()
            .exec(
                "INSERT INTO accounts (username, display_name, password_hash, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
                params![username, display_name, password_hash, at_ms],
            )
            .map_err(backend)?;
        Ok(AccountId(self.connection().last_insert_rowid()))
    }

    fn account(&mut self, id: AccountId) -> Result<Option<AccountRecord>, StoreError> {
        self.connection()
            .one(
                "SELECT account_id, username, display_name, password_hash, created_at_ms, number_format FROM accounts WHERE account_id = ?1",
                [id.0],
                account_from_row,
            )
            .optional()
            .map_err(backend)
    }

    fn account_by_username(&mut self, username: &str) -> Result<Option<AccountRecord>, StoreError> {
        self.connection()
            .one(
                "SELECT account_id, username, display_name, password_hash, created_at_ms, number_format FROM accounts WHERE username = ?1",
                [username],
                account_from_row,
            )
            .optional()
            .map_err(backend)
    }

    fn set_password_hash(&mut self, id: AccountId, password_hash: &str) -> Result<(), StoreError> {
        self.connection().exec("UPDATE accounts SET password_hash = ?2 WHERE account_id = ?1", params![id.0, password_hash]).map_err(backend)?;
        Ok(())
    }

    fn set_account_email(&mut self, id: AccountId, email: Option<&str>, at_ms: i64) -> Result<(), StoreError> {
        match email {
            Some(email) => self.connection().exec(
                "INSERT INTO account_emails (account_id, email, updated_at_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account_id) DO UPDATE SET email = excluded.email, updated_at_ms = excluded.updated_at_ms",
                params![id.0, email, at_ms],
            ),
            None => self.connection().exec("DELETE FROM account_emails WHERE account_id = ?1", params![id.0]),
        }
        .map_err(backend)?;
        Ok(())
    }

    fn account_email(&mut self, id: AccountId) -> Result<Option<String>, StoreError> {
        self.connection().one("SELECT email FROM account_emails WHERE account_id = ?1", [id.0], |row| row.get(0)).optional().map_err(backend)
    }

    fn set_account_number_format(&mut self, id: AccountId, format: Option<NumberFormat>) -> Result<(), StoreError> {
        self.connection().exec("UPDATE accounts SET number_format = ?2 WHERE account_id = ?1", params![id.0, format.map(|f| f.name())]).map_err(backend)?;
        Ok(())
    }

    fn insert_session(&mut self, token_hash: &[u8; 32], session: &SessionRecord) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO sessions (token_hash, account_id, created_at_ms, expires_at_ms) VALUES (?1, ?2, ?3, ?4)",
                params![token_hash.as_slice(), session.account.0, session.created_at_ms, session.expires_at_ms],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn session(&mut self, token_hash: &[u8; 32]) -> Result<Option<SessionRecord>, StoreError> {
        self.connection()
            .one("SELECT account_id, created_at_ms, expires_at_ms FROM sessions WHERE token_hash = ?1", [token_hash.as_slice()], |row| {
                Ok(SessionRecord { account: AccountId(row.get(0)?), created_at_ms: row.get(1)?, expires_at_ms: row.get(2)? })
            })
            .optional()
            .map_err(backend)
    }

    fn delete_session(&mut self, token_hash: &[u8; 32]) -> Result<(), StoreError> {
        self.connection().exec("DELETE FROM sessions WHERE token_hash = ?1", [token_hash.as_slice()]).map_err(backend)?;
        Ok(())
    }

    fn delete_sessions_of(&mut self, account: AccountId) -> Result<(), StoreError> {
        self.connection().exec("DELETE FROM sessions WHERE account_id = ?1", [account.0]).map_err(backend)?;
        Ok(())
    }

    fn insert_api_token(&mut self, token_hash: &[u8; 32], account: AccountId, name: &str, prefix: &str, at_ms: i64) -> Result<i64, StoreError> {
        self.connection()
            .exec(
                "INSERT INTO api_tokens (token_hash, account_id, name, prefix, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![token_hash.as_slice(), account.0, name, prefix, at_ms],
            )
            .map_err(backend)?;
        Ok(self.connection().last_insert_rowid())
    }

    fn api_tokens(&mut self, account: AccountId) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE account_id = ?1 ORDER BY token_id DESC"))
            .map_err(backend)?;
        let rows = statement.query_map([account.0], token_from_row).map_err(backend)?;
        rows.collect::<Result<_, _>>().map_err(backend)
    }

    fn api_token_by_hash(&mut self, token_hash: &[u8; 32]) -> Result<Option<ApiTokenRecord>, StoreError> {
        self.connection()
            .one(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = ?1"), [token_hash.as_slice()], token_from_row)
            .optional()
            .map_err(backend)
    }

    fn revoke_api_token(&mut self, account: AccountId, id: i64, at_ms: i64) -> Result<bool, StoreError> {
        let changed = self
            .connection()
            .exec("UPDATE api_tokens SET revoked_at_ms = ?3 WHERE account_id = ?1 AND token_id = ?2 AND revoked_at_ms IS NULL", params![account.0, id, at_ms])
            .map_err(backend)?;
        Ok(changed == 1)
    }

    fn venture_access(&mut self, venture: VentureId) -> Result<Option<AccessRecord>, StoreError> {
        self.connection()
            .one("SELECT join_mode, visibility FROM venture_access WHERE venture_id = ?1", [venture.0], |row| {
                Ok(AccessRecord { join_mode: row.get(0)?, visibility: row.get(1)? })
            })
            .optional()
            .map_err(backend)
    }

    fn set_venture_access(&mut self, venture: VentureId, access: &AccessRecord, at_ms: i64) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO venture_access (venture_id, join_mode, visibility, updated_at_ms) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (venture_id) DO UPDATE SET join_mode = excluded.join_mode, visibility = excluded.visibility, updated_at_ms = excluded.updated_at_ms",
                params![venture.0, access.join_mode, access.visibility, at_ms],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn record_sign_in_failure(&mut self, keys: &[&str], at_ms: i64, forget_through_ms: i64) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "DELETE FROM sign_in_failures WHERE failure_id IN
                 (SELECT failure_id FROM sign_in_failures WHERE failed_at_ms <= ?1 ORDER BY failed_at_ms LIMIT ?2)",
                params![forget_through_ms, SIGN_IN_FAILURES_PRUNED_MAX],
            )
            .map_err(backend)?;
        for key in keys {
            self.connection().exec("INSERT INTO sign_in_failures (throttle_key, failed_at_ms) VALUES (?1, ?2)", params![key, at_ms]).map_err(backend)?;
        }
        Ok(())
    }

    fn sign_in_failures(&mut self, key: &str, after_ms: i64) -> Result<SignInFailures, StoreError> {
        let (count, oldest_at_ms): (i64, Option<i64>) = self
            .connection()
            .one("SELECT count(*), min(failed_at_ms) FROM sign_in_failures WHERE throttle_key = ?1 AND failed_at_ms > ?2", params![key, after_ms], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .map_err(backend)?;
        Ok(SignInFailures { count: to_u32(count, "failure count")?, oldest_at_ms })
    }

    fn clear_sign_in_failures(&mut self, key: &str) -> Result<(), StoreError> {
        self.connection().exec("DELETE FROM sign_in_failures WHERE throttle_key = ?1", [key]).map_err(backend)?;
        Ok(())
    }

    fn insert_settings_change(&mut self, venture: VentureId, change: &SettingsChangeRecord) -> Result<u32, StoreError> {
        let number = self.next_number("settings_changes", "change_no", venture)?;
        self.connection()
            .exec(
                &format!("INSERT INTO settings_changes (venture_id, {SETTINGS_CHANGE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
                params![
                    venture.0,
                    number,
                    change.setting,
                    change.member.map(|m| m.0),
                    change.old_value,
                    change.new_value,
                    change.reason,
                    change.by_kind,
                    change.by_account.map(|a| a.0),
                    change.by_member.map(|m| m.0),
                    change.at_ms,
                ],
            )
            .map_err(backend)?;
        to_u32(number, "change")
    }

    fn settings_changes(&mut self, venture: VentureId) -> Result<Vec<SettingsChangeRecord>, StoreError> {
        self.rows(
            &format!("SELECT {SETTINGS_CHANGE_COLUMNS} FROM settings_changes WHERE venture_id = ?1 ORDER BY change_no"),
            [venture.0],
            settings_change_from_row,
        )
    }

    fn link_member(&mut self, venture: VentureId, member: MemberNo, account: AccountId) -> Result<(), StoreError> {
        self.connection()
            .exec("INSERT INTO member_accounts (venture_id, member_no, account_id) VALUES (?1, ?2, ?3)", params![venture.0, member.0, account.0])
            .map_err(backend)?;
        Ok(())
    }

    fn account_member(&mut self, venture: VentureId, account: AccountId) -> Result<Option<MemberNo>, StoreError> {
        let member: Option<i64> = self
            .connection()
            .one("SELECT member_no FROM member_accounts WHERE venture_id = ?1 AND account_id = ?2", params![venture.0, account.0], |row| row.get(0))
            .optional()
            .map_err(backend)?;
        member.map(|m| to_u32(m, "member").map(MemberNo)).transpose()
    }

    fn member_accounts(&mut self, venture: VentureId) -> Result<Vec<(MemberNo, AccountId)>, StoreError> {
        self.rows("SELECT member_no, account_id FROM member_accounts WHERE venture_id = ?1 ORDER BY member_no", [venture.0], |row| {
            Ok((MemberNo(to_u32(row.get(0).map_err(backend)?, "member")?), AccountId(row.get(1).map_err(backend)?)))
        })
    }

    fn account_memberships(&mut self, account: AccountId) -> Result<Vec<(VentureId, MemberNo)>, StoreError> {
        self.rows("SELECT venture_id, member_no FROM member_accounts WHERE account_id = ?1 ORDER BY venture_id", [account.0], |row| {
            Ok((VentureId(row.get(0).map_err(backend)?), MemberNo(to_u32(row.get(1).map_err(backend)?, "member")?)))
        })
    }

    fn insert_join_request(&mut self, venture: VentureId, account: AccountId, message: &str, at_ms: i64) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO join_requests (venture_id, request_no, account_id, message, requested_at_ms, status)
                 VALUES (?1, (SELECT coalesce(max(request_no), 0) + 1 FROM join_requests WHERE venture_id = ?1), ?2, ?3, ?4, 'pending')",
                params![venture.0, account.0, message, at_ms],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn join_requests(&mut self, venture: VentureId) -> Result<Vec<JoinRequestRecord>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT account_id, message, requested_at_ms, status, decided_at_ms FROM join_requests WHERE venture_id = ?1 ORDER BY request_no")
            .map_err(backend)?;
        let rows = statement
            .query_map([venture.0], |row| {
                Ok(JoinRequestRecord {
                    account: AccountId(row.get(0)?),
                    message: row.get(1)?,
                    requested_at_ms: row.get(2)?,
                    status: row.get(3)?,
                    decided_at_ms: row.get(4)?,
                })
            })
            .map_err(backend)?;
        rows.collect::<Result<_, _>>().map_err(backend)
    }

    fn decide_join_request(&mut self, venture: VentureId, account: AccountId, accepted: bool, at_ms: i64) -> Result<bool, StoreError> {
        let changed = self
            .connection()
            .exec(
                "UPDATE join_requests SET status = ?3, decided_at_ms = ?4 WHERE venture_id = ?1 AND account_id = ?2 AND status = 'pending'",
                params![venture.0, account.0, if accepted { "accepted" } else { "declined" }, at_ms],
            )
            .map_err(backend)?;
        Ok(changed == 1)
    }
}

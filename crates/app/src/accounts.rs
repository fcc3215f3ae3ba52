//! Accounts: signing up, signing in and out, changing a password, and API tokens for scripts.
//!
//! Passwords are hashed with argon2id. Session tokens and API token secrets are random and shown
//! only once; the database keeps their SHA-256. Failed sign-ins are throttled per username and
//! per client address, counted in the database (so a restart forgets none of them, and every
//! server of one database counts the same ones). These calls are blocking (the hash takes tens
//! of milliseconds on purpose): an async server runs them on a blocking thread.

use crate::access::{Account, Acting};
use crate::error::{AppError, invalid};
use crate::forms::check_slug;
use crate::{Commons, Now};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use peerstake_core::numbers::NumberFormat;
use peerstake_store::{AccountId, ApiTokenRecord, Mode, SessionRecord, StoreError, Transaction};
use sha2::{Digest, Sha256};

/// How long a session lasts.
pub const SESSION_DAYS: i64 = 30;
/// Shortest password.
pub const PASSWORD_CHARS_MIN: usize = 10;
/// Longest password.
pub const PASSWORD_CHARS_MAX: usize = 200;
/// Failed sign-ins allowed per username, and per client, within [`THROTTLE_WINDOW_MS`].
pub const FAILURES_MAX: usize = 5;
/// The window failed sign-ins are counted in.
pub const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;
/// What every API token starts with, so a leaked one is easy to recognise.
pub const API_TOKEN_PREFIX: &str = "pst_";

/// A request to create an account.
#[derive(Debug, Clone)]
pub struct SignUp {
    /// 2–40 lowercase letters, digits and hyphens, starting with a letter.
    pub username: String,
    /// How others see them (the username when empty).
    pub display_name: String,
    /// At least [`PASSWORD_CHARS_MIN`] characters.
    pub password: String,
}

/// A new session: the token goes to the client once, in a cookie.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The secret token.
    pub token: String,
    /// Who signed in.
    pub account: Account,
    /// When it stops being valid, ms since the epoch.
    pub expires_at_ms: i64,
}

/// The key failed sign-ins are counted under, for a username or a client address: a SHA-256
/// digest, so the database keeps neither the names tried nor the addresses, and every key is the
/// same size however long the text typed.
fn throttle_key(kind: &str, value: &str) -> String {
    Sha256::digest(format!("{kind}:{value}").as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Refuses a sign-in while any of its keys has [`FAILURES_MAX`] failures in the window; the
/// answer says when the oldest of them leaves it.
fn check_throttle(tx: &mut dyn Transaction, keys: &[String], now_ms: i64) -> Result<(), AppError> {
    for key in keys {
        let failures = tx.sign_in_failures(key, now_ms - THROTTLE_WINDOW_MS)?;
        if usize::try_from(failures.count).unwrap_or(usize::MAX) >= FAILURES_MAX {
            let oldest = failures.oldest_at_ms.unwrap_or(now_ms);
            let seconds = (oldest + THROTTLE_WINDOW_MS - now_ms).max(1000) / 1000;
            return Err(AppError::Throttled { retry_after_seconds: seconds });
        }
    }
    Ok(())
}

/// A fresh random secret: 32 bytes as 64 hex digits.
fn random_secret() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness available: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The SHA-256 of a secret, as stored.
pub(crate) fn secret_hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt_bytes = [0u8; 16];
    getrandom::fill(&mut salt_bytes).map_err(|e| AppError::Internal(format!("no randomness available: {e}")))?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| AppError::Internal(format!("salt: {e}")))?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|hash| hash.to_string()).map_err(|e| AppError::Internal(format!("password hash: {e}")))
}

fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

fn check_password(field: &'static str, password: &str) -> Result<(), AppError> {
    let chars = password.chars().count();
    if chars < PASSWORD_CHARS_MIN {
        return Err(invalid(field, format!("must be at least {PASSWORD_CHARS_MIN} characters")));
    }
    if chars > PASSWORD_CHARS_MAX {
        return Err(invalid(field, format!("must be at most {PASSWORD_CHARS_MAX} characters")));
    }
    Ok(())
}

impl Commons {
    /// Sets (or, with an empty text, clears) how an account writes numbers: a format
    /// (`1,234.56`, `1.234,56`, `1 234,56`, `1'234.56`) or a language whose usual format it is.
    pub fn set_account_number_format(&self, account: AccountId, format: &str) -> Result<Option<NumberFormat>, AppError> {
        let format = if format.trim().is_empty() { None } else { Some(crate::forms::number_format(format)?) };
        let mut tx = self.store.begin(Mode::Write)?;
        tx.set_account_number_format(account, format)?;
        tx.commit()?;
        Ok(format)
    }

    /// Creates an account.
    pub fn sign_up(&self, request: &SignUp, now: Now) -> Result<Account, AppError> {
        let username = request.username.trim().to_lowercase();
        check_slug("username", &username)?;
        let display_name = if request.display_name.trim().is_empty() { username.clone() } else { request.display_name.trim().to_string() };
        crate::forms::check_text("name", &display_name, 100, true)?;
        check_password("password", &request.password)?;
        let hash = hash_password(&request.password)?;
        let mut tx = self.store.begin(Mode::Write)?;
        let id = match tx.insert_account(&username, &display_name, &hash, now.at_ms) {
            Err(StoreError::Conflict(_)) => return Err(AppError::AlreadyExists { what: "account", name: username }),
            other => other?,
        };
        tx.commit()?;
        Ok(Account { id, username, display_name, number_format: None })
    }

    /// Signs in: checks the password and starts a session. `client` identifies where the attempt
    /// comes from (an IP address) for throttling.
    pub fn sign_in(&self, username: &str, password: &str, client: &str, now: Now) -> Result<NewSession, AppError> {
        let username = username.trim().to_lowercase();
        let keys = [throttle_key("user", &username), throttle_key("client", client)];
        let record = {
            let mut tx = self.store.begin(Mode::Read)?;
            check_throttle(tx.as_mut(), &keys, now.at_ms)?;
            tx.account_by_username(&username)?
        };
        // An unknown name costs the same hash as a wrong password, so timing tells nothing.
        let matches = match &record {
            Some(record) => password_matches(password, &record.password_hash),
            None => {
                let _ = password_matches(password, DUMMY_HASH);
                false
            }
        };
        let Some(record) = record.filter(|_| matches) else {
            // The failure is committed on its own: the sign-in fails, its record stays.
            let mut tx = self.store.begin(Mode::Write)?;
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            tx.record_sign_in_failure(&keys, now.at_ms, now.at_ms - THROTTLE_WINDOW_MS)?;
            tx.commit()?;
            return Err(AppError::Unauthorized("the username or password is wrong".into()));
        };
        // A success forgets the username's failures (not the client's), with the session.
        self.start_session(record.into(), Some(&keys[0]), now)
    }

    /// Starts a session, forgetting the failed sign-ins under `forget` in the same transaction.
    fn start_session(&self, account: Account, forget: Option<&str>, now: Now) -> Result<NewSession, AppError> {
        let token = random_secret()?;
        let expires_at_ms = now.at_ms + SESSION_DAYS * 24 * 60 * 60 * 1000;
        let mut tx = self.store.begin(Mode::Write)?;
        if let Some(key) = forget {
            tx.clear_sign_in_failures(key)?;
        }
        tx.insert_session(&secret_hash(&token), &SessionRecord { account: account.id, created_at_ms: now.at_ms, expires_at_ms })?;
        tx.commit()?;
        Ok(NewSession { token, account, expires_at_ms })
    }

    /// The account a session token belongs to, if the session is live.
    pub fn session_account(&self, token: &str, now: Now) -> Result<Option<Account>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let Some(session) = tx.session(&secret_hash(token))? else { return Ok(None) };
        if session.expires_at_ms <= now.at_ms {
            return Ok(None);
        }
        Ok(tx.account(session.account)?.map(Account::from))
    }

    /// Ends a session.
    pub fn sign_out(&self, token: &str) -> Result<(), AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        tx.delete_session(&secret_hash(token))?;
        tx.commit()?;
        Ok(())
    }

    /// Changes a password after checking the current one; ends every session of the account and
    /// starts a new one, and revokes every API token made before, but those in `keep_tokens`
    /// (whoever learnt the old password may have made one).
    pub fn change_password(&self, account: AccountId, current: &str, new: &str, keep_tokens: &[i64], now: Now) -> Result<NewSession, AppError> {
        check_password("new password", new)?;
        let record = {
            let mut tx = self.store.begin(Mode::Read)?;
            tx.account(account)?.ok_or(AppError::NotFound { what: "account", name: account.0.to_string() })?
        };
        if !password_matches(current, &record.password_hash) {
            return Err(invalid("current password", "is wrong"));
        }
        let hash = hash_password(new)?;
        let mut tx = self.store.begin(Mode::Write)?;
        tx.set_password_hash(account, &hash)?;
        tx.delete_sessions_of(account)?;
        for token in tx.api_tokens(account)?.into_iter().filter(|t| t.revoked_at_ms.is_none() && !keep_tokens.contains(&t.id)) {
            tx.revoke_api_token(account, token.id, now.at_ms)?;
        }
        tx.commit()?;
        self.start_session(record.into(), None, now)
    }

    /// Creates an API token; the secret is returned once and never again.
    pub fn create_api_token(&self, account: AccountId, name: &str, now: Now) -> Result<(String, ApiTokenRecord), AppError> {
        crate::forms::check_text("token name", name, 100, true)?;
        let secret = format!("{API_TOKEN_PREFIX}{}", random_secret()?);
        let prefix: String = secret.chars().take(API_TOKEN_PREFIX.len() + 6).collect();
        let mut tx = self.store.begin(Mode::Write)?;
        let id = tx.insert_api_token(&secret_hash(&secret), account, name.trim(), &prefix, now.at_ms)?;
        tx.commit()?;
        Ok((secret, ApiTokenRecord { id, account, name: name.trim().to_string(), prefix, created_at_ms: now.at_ms, revoked_at_ms: None }))
    }

    /// An account's API tokens, newest first.
    pub fn api_tokens(&self, account: AccountId) -> Result<Vec<ApiTokenRecord>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        Ok(tx.api_tokens(account)?)
    }

    /// Revokes one of an account's tokens.
    pub fn revoke_api_token(&self, account: AccountId, id: i64, now: Now) -> Result<(), AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        if !tx.revoke_api_token(account, id, now.at_ms)? {
            return Err(AppError::NotFound { what: "API token", name: id.to_string() });
        }
        tx.commit()?;
        Ok(())
    }

    /// The account a live API token belongs to.
    pub fn token_account(&self, secret: &str) -> Result<Option<Account>, AppError> {
        if !secret.starts_with(API_TOKEN_PREFIX) {
            return Ok(None);
        }
        let mut tx = self.store.begin(Mode::Read)?;
        let Some(token) = tx.api_token_by_hash(&secret_hash(secret))? else { return Ok(None) };
        if token.revoked_at_ms.is_some() {
            return Ok(None);
        }
        Ok(tx.account(token.account)?.map(Account::from))
    }

    /// An account by username.
    pub fn account_by_username(&self, username: &str) -> Result<Account, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        tx.account_by_username(&username.trim().to_lowercase())?.map(Account::from).ok_or(AppError::NotFound { what: "account", name: username.to_string() })
    }
}

/// A valid argon2id hash of a password nobody has, checked when the username is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

impl Acting<'_> {
    /// Creates an account (anyone may, signed in or not).
    pub fn sign_up(&self, request: &SignUp, now: Now) -> Result<Account, AppError> {
        self.commons.sign_up(request, now)
    }

    /// Signs in: see [`Commons::sign_in`].
    pub fn sign_in(&self, username: &str, password: &str, client: &str, now: Now) -> Result<NewSession, AppError> {
        self.commons.sign_in(username, password, client, now)
    }

    /// Ends the session with this token.
    pub fn sign_out(&self, token: &str) -> Result<(), AppError> {
        self.commons.sign_out(token)
    }

    /// Changes the person's password, keeping the API tokens named: see
    /// [`Commons::change_password`].
    pub fn change_password(&self, current: &str, new: &str, keep_tokens: &[i64], now: Now) -> Result<NewSession, AppError> {
        let account = self.signed_in()?;
        self.commons.change_password(account.id, current, new, keep_tokens, now)
    }

    /// Creates an API token for the person; the secret is returned once.
    pub fn create_api_token(&self, name: &str, now: Now) -> Result<(String, ApiTokenRecord), AppError> {
        let account = self.signed_in()?;
        self.commons.create_api_token(account.id, name, now)
    }

    /// Creates an API token for a script that has no session: for the account whose username
    /// and password are given, checked (and throttled) as a sign-in is.
    pub fn create_api_token_signing_in(
        &self,
        username: &str,
        password: &str,
        client: &str,
        name: &str,
        now: Now,
    ) -> Result<(String, ApiTokenRecord), AppError> {
        let session = self.commons.sign_in(username, password, client, now)?;
        self.commons.create_api_token(session.account.id, name, now)
    }

    /// The person's API tokens, newest first.
    pub fn api_tokens(&self) -> Result<Vec<ApiTokenRecord>, AppError> {
        let account = self.signed_in()?;
        self.commons.api_tokens(account.id)
    }

    /// Revokes one of the person's API tokens.
    pub fn revoke_api_token(&self, id: i64, now: Now) -> Result<(), AppError> {
        let account = self.signed_in()?;
        self.commons.revoke_api_token(account.id, id, now)
    }

    /// Sets (or, with an empty text, clears) how the person writes numbers.
    pub fn set_own_number_format(&self, format: &str) -> Result<Option<NumberFormat>, AppError> {
        let account = self.signed_in()?;
        self.commons.set_account_number_format(account.id, format)
    }

    /// How the person's typed numbers are read in a venture (or, with none, in the commons).
    pub fn numbers_for(&self, venture: Option<&str>) -> Result<NumberFormat, AppError> {
        let account = self.signed_in()?;
        self.commons.numbers_for(account, venture)
    }

    /// Sets (or, when empty, removes) the address the person's notifications go to.
    pub fn set_email(&self, email: &str, now: Now) -> Result<(), AppError> {
        let account = self.signed_in()?;
        self.commons.set_email(account, email, now)
    }

    /// The address the person's notifications go to.
    pub fn email(&self) -> Result<Option<String>, AppError> {
        let account = self.signed_in()?;
        self.commons.email_of(account.id)
    }
}

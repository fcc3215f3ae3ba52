//! Notifications: who is told what when something needs them (an entry waits for their review,
//! their entry is disputed or counts, a proposal waits for their vote). The application decides
//! the message and the recipients; an edge delivers it through a [`Mailer`]. With no mailer set,
//! nothing is sent and nothing fails. Delivery is best effort and never undoes a write.

use crate::access::Account;
use crate::error::{AppError, invalid};
use crate::{Commons, Now};
use peerstake_core::terms::MemberNo;
use peerstake_store::{AccountId, Mode};

/// The longest email address accepted.
pub const EMAIL_CHARS_MAX: usize = 254;

/// One message to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Their email address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The text.
    pub body: String,
    /// The page it is about, as a path (`/v/loom/entries/7`); the mailer makes it a link.
    pub path: String,
}

/// Delivers notices (SMTP, a directory of files…). Must not block: queue and return.
pub trait Mailer: Send + Sync {
    /// Hands a notice over for delivery.
    fn send(&self, notice: Notice);
}

/// Checks an email address: one `@` with text on both sides, no spaces or control characters.
pub fn check_email(email: &str) -> Result<(), AppError> {
    let email = email.trim();
    let parts: Vec<&str> = email.split('@').collect();
    let well_formed = parts.len() == 2 && parts.iter().all(|p| !p.is_empty()) && parts[1].contains('.');
    if !well_formed || email.chars().any(|c| c.is_whitespace() || c.is_control()) || email.chars().count() > EMAIL_CHARS_MAX {
        return Err(invalid("email", "is not an email address (name@example.org)"));
    }
    Ok(())
}

impl Commons {
    /// Sets where notifications are delivered (none: nothing is sent).
    pub fn set_mailer(&mut self, mailer: std::sync::Arc<dyn Mailer>) {
        self.mailer = Some(mailer);
    }

    /// Sets (or, when empty, removes) the address an account's notifications go to.
    pub fn set_email(&self, account: &Account, email: &str, now: Now) -> Result<(), AppError> {
        let email = email.trim();
        if !email.is_empty() {
            check_email(email)?;
        }
        let mut tx = self.store.begin(Mode::Write)?;
        tx.set_account_email(account.id, (!email.is_empty()).then_some(email), now.at_ms)?;
        tx.commit()?;
        Ok(())
    }

    /// The address an account's notifications go to.
    pub fn email_of(&self, account: AccountId) -> Result<Option<String>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        Ok(tx.account_email(account)?)
    }

    /// Tells members of a venture something, through the mailer when one is set, to those who
    /// sign in with an account that has an address. Failures to look anyone up are reported
    /// and swallowed: the write this follows has happened.
    pub(crate) fn notify(&self, slug: &str, members: &[MemberNo], subject: &str, body: &str, path: &str) {
        let Some(mailer) = &self.mailer else { return };
        let recipients = (|| -> Result<Vec<String>, AppError> {
            let mut tx = self.store.begin(Mode::Read)?;
            let venture = tx.venture_by_slug(slug)?.ok_or_else(|| AppError::NotFound { what: "venture", name: slug.to_string() })?;
            let mut out = Vec::new();
            for (member, account) in tx.member_accounts(venture.id)? {
                if members.contains(&member)
                    && let Some(email) = tx.account_email(account)?
                {
                    out.push(email);
                }
            }
            Ok(out)
        })();
        match recipients {
            Ok(recipients) => {
                for to in recipients {
                    mailer.send(Notice { to, subject: subject.to_string(), body: body.to_string(), path: path.to_string() });
                }
            }
            Err(error) => tracing::warn!(venture = slug, %error, "notifications not sent"),
        }
    }
}

impl Commons {
    /// Tells people by account (a backer or an owner of goods need not be a member), as
    /// [`Commons::notify`] does for members.
    pub(crate) fn notify_accounts(&self, accounts: &[AccountId], subject: &str, body: &str, path: &str) {
        let Some(mailer) = &self.mailer else { return };
        let recipients = (|| -> Result<Vec<String>, AppError> {
            let mut tx = self.store.begin(Mode::Read)?;
            let mut out = Vec::new();
            for account in accounts {
                if let Some(email) = tx.account_email(*account)? {
                    out.push(email);
                }
            }
            out.sort();
            out.dedup();
            Ok(out)
        })();
        match recipients {
            Ok(recipients) => {
                for to in recipients {
                    mailer.send(Notice { to, subject: subject.to_string(), body: body.to_string(), path: path.to_string() });
                }
            }
            Err(error) => tracing::warn!(%error, "notifications not sent"),
        }
    }
}

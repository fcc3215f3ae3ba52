//! Delivering notifications by email: a background thread takes notices from a queue and sends
//! them through an SMTP relay, or writes them as files into a directory (`file:///path`, for
//! trying it out).
//!
//! A relay is reached over TLS unless the operator opts out for a relay on this machine:
//!
//! | `--smtp-url` | connection | port unless given |
//! | --- | --- | --- |
//! | `smtp://[user:password@]host[:port]` | plain, upgraded with STARTTLS, which is required | 587 |
//! | `smtps://[user:password@]host[:port]` | TLS from the first byte (implicit TLS) | 465 |
//! | `smtp://[user:password@]host[:port]?tls=none` | no TLS, for a relay on loopback only | 25 |
//!
//! STARTTLS is required rather than tried: a relay that does not offer it, or a man in the middle
//! who strips the offer, gets nothing (lettre's "opportunistic" mode would send in the clear).
//! The relay's certificate must be valid for the host named in the URL and chain to Mozilla's
//! roots (built in, the same on every machine) or to a certificate in the CA file
//! (`--smtp-ca-file`, for a private relay). Nothing here can turn that check off. A setting that
//! cannot work fails at start; a certificate that does not check out fails each send, logged with
//! the reason, and the mail thread tries the relay once at start so the log says so at once.

use std::net::IpAddr;
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::{Sender, channel};

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{FileTransport, Message, SmtpTransport, Transport};
use peerstake_app::notify::{Mailer, Notice};

/// What `serve` is told about mail: `--smtp-url`, `--mail-from`, `--public-url` and
/// `--smtp-ca-file`.
#[derive(Debug, Clone, Copy)]
pub struct MailSettings<'a> {
    /// `smtp://…`, `smtps://…` or `file:///dir`.
    pub url: &'a str,
    /// The sender, `name <address>` or an address.
    pub from: &'a str,
    /// Where links in messages point (`https://commons.example.org`).
    pub public_url: &'a str,
    /// PEM certificates of certificate authorities to trust besides the built-in roots.
    pub ca_file: Option<&'a Path>,
}

/// How a relay is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// Plain at first, then STARTTLS, which the relay must offer.
    StartTls,
    /// TLS from the first byte.
    ImplicitTls,
    /// No TLS at all (loopback only).
    Plain,
}

impl Security {
    fn default_port(self) -> u16 {
        match self {
            Security::StartTls => 587,
            Security::ImplicitTls => 465,
            Security::Plain => 25,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Security::StartTls => "STARTTLS",
            Security::ImplicitTls => "implicit TLS",
            Security::Plain => "no TLS",
        }
    }
}

/// A relay as an SMTP URL names it.
#[derive(PartialEq, Eq)]
struct Relay {
    host: String,
    port: u16,
    security: Security,
    /// User and password.
    credentials: Option<(String, String)>,
}

impl std::fmt::Debug for Relay {
    /// Everything but the password, which is never shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let user = self.credentials.as_ref().map(|(user, _)| user);
        f.debug_struct("Relay").field("host", &self.host).field("port", &self.port).field("security", &self.security).field("user", &user).finish()
    }
}

impl Relay {
    /// Reads `smtp://[user:password@]host[:port][?tls=none]` or `smtps://[user:password@]host[:port]`.
    fn parse(url: &str) -> Result<Relay, String> {
        let (mut security, rest) = if let Some(rest) = url.strip_prefix("smtps://") {
            (Security::ImplicitTls, rest)
        } else if let Some(rest) = url.strip_prefix("smtp://") {
            (Security::StartTls, rest)
        } else {
            // Only the scheme is shown: the rest may hold a password.
            let scheme = url.split_once("://").map_or("none", |(scheme, _)| scheme);
            return Err(format!("the mail URL must start with smtp://, smtps:// or file:// (its scheme: {scheme})"));
        };
        // The last `@` ends the credentials, so a password may hold `@`, `?` or `/`.
        let (credentials, location) = match rest.rsplit_once('@') {
            Some((credentials, location)) => (Some(credentials), location),
            None => (None, rest),
        };
        let (location, query) = location.split_once('?').unwrap_or((location, ""));
        for option in query.split('&').filter(|o| !o.is_empty()) {
            security = match (security, option) {
                (Security::StartTls | Security::Plain, "tls=none") => Security::Plain,
                (Security::StartTls | Security::Plain, "tls=starttls") => Security::StartTls,
                _ => {
                    return Err(format!(
                        "the SMTP URL option '{option}' is not one there is: smtp:// takes ?tls=none (a relay on loopback only), smtps:// none"
                    ));
                }
            };
        }
        let location = location.trim_end_matches('/');
        let (host, port) = match location.strip_prefix('[') {
            // An IPv6 address, `[::1]` or `[::1]:2525`.
            Some(bracketed) => {
                let (host, after) = bracketed.split_once(']').ok_or_else(|| format!("the SMTP host '{location}' lacks its closing ']'"))?;
                (host, after.strip_prefix(':'))
            }
            None => match location.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (location, None),
            },
        };
        if host.is_empty() {
            return Err("the SMTP URL names no host".to_string());
        }
        let port = match port {
            Some(port) => port.parse::<u16>().map_err(|_| format!("the SMTP port '{port}' is not a number"))?,
            None => security.default_port(),
        };
        if security == Security::Plain && !is_loopback(host) {
            return Err(format!(
                "?tls=none would send mail and passwords in the clear: it is only for a relay on this machine (localhost, 127.0.0.1, ::1), not '{host}'; use smtp:// (STARTTLS) or smtps://"
            ));
        }
        let credentials = credentials.map(|c| {
            let (user, password) = c.split_once(':').unwrap_or((c, ""));
            (user.to_string(), password.to_string())
        });
        Ok(Relay { host: host.to_string(), port, security, credentials })
    }

    /// The transport that reaches this relay, trusting `extra_roots` besides the built-in roots.
    fn transport(&self, extra_roots: Option<&Certificate>) -> Result<SmtpTransport, String> {
        // "Dangerous" only because it starts without TLS: TLS is set just below, unless opted out.
        let mut builder = SmtpTransport::builder_dangerous(&self.host).port(self.port);
        if self.security != Security::Plain {
            let mut parameters = TlsParameters::builder(self.host.clone());
            if let Some(roots) = extra_roots {
                parameters = parameters.add_root_certificate(roots.clone());
            }
            let parameters = parameters.build_rustls().map_err(|e| format!("cannot set up TLS for the SMTP relay {}: {e}", self.host))?;
            builder = builder.tls(if self.security == Security::ImplicitTls { Tls::Wrapper(parameters) } else { Tls::Required(parameters) });
        }
        if let Some((user, password)) = &self.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(builder.build())
    }

    /// What a failure to reach or use this relay says, with its cause.
    fn failure(&self, error: &lettre::transport::smtp::Error) -> String {
        let text = error.to_string();
        let hint = if text.contains("not valid for name") {
            " (the relay's certificate is for another name: name the relay in --smtp-url as its certificate does)"
        } else if text.contains("UnknownIssuer") {
            " (no trusted authority signed the relay's certificate: for a relay with a private certificate authority, give its certificate with --smtp-ca-file)"
        } else if text.contains("certificate") {
            " (the relay's certificate does not check out)"
        } else if text.contains("STARTTLS") {
            " (the relay does not offer STARTTLS: use smtps:// if it speaks TLS from the start)"
        } else {
            ""
        };
        format!("SMTP relay {}:{} ({}): {text}{hint}", self.host, self.port, self.security.describe())
    }
}

/// Whether `host` is this machine: `localhost` or a loopback address.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Reads the certificate authorities in a PEM file.
fn read_ca_file(path: &Path) -> Result<Certificate, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read the SMTP CA file {}: {e}", path.display()))?;
    if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
        return Err(format!("the SMTP CA file {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)", path.display()));
    }
    Certificate::from_pem(&pem).map_err(|e| format!("the SMTP CA file {} is not valid PEM: {e}", path.display()))
}

/// Where mail goes.
enum Delivery {
    Smtp(Box<Relay>, SmtpTransport),
    Files(FileTransport),
}

/// Delivery of notices, one at a time, answering whether each was sent: what the mail thread
/// runs (and what a test can call directly).
pub struct Outbox {
    delivery: Delivery,
    from: Mailbox,
    public_url: String,
}

impl Outbox {
    /// Checks `settings` and sets up delivery; nothing is sent yet. Fails on a URL that cannot
    /// work, an unreadable CA file, or `tls=none` to a relay that is not on loopback.
    pub fn open(settings: &MailSettings<'_>) -> Result<Outbox, String> {
        let from: Mailbox = settings.from.parse().map_err(|e| format!("--mail-from '{}': {e}", settings.from))?;
        let delivery = if let Some(path) = settings.url.strip_prefix("file://") {
            if settings.ca_file.is_some() {
                return Err("--smtp-ca-file applies to smtp:// and smtps:// relays, not to file://".to_string());
            }
            std::fs::create_dir_all(path).map_err(|e| format!("cannot use {path} for mail: {e}"))?;
            Delivery::Files(FileTransport::new(path))
        } else {
            let relay = Relay::parse(settings.url)?;
            if relay.security == Security::Plain && settings.ca_file.is_some() {
                return Err("--smtp-ca-file has no use with ?tls=none".to_string());
            }
            let roots = settings.ca_file.map(read_ca_file).transpose()?;
            let transport = relay.transport(roots.as_ref())?;
            Delivery::Smtp(Box::new(relay), transport)
        };
        Ok(Outbox { delivery, from, public_url: settings.public_url.trim_end_matches('/').to_string() })
    }

    /// Sends one notice now; the error says why it was not sent.
    pub fn send(&self, notice: &Notice) -> Result<(), String> {
        let to: Mailbox = notice.to.parse().map_err(|e| format!("not an address: {e}"))?;
        let body = format!("{}\n\n{}{}\n\n— peerstake", notice.body, self.public_url, notice.path);
        let message = Message::builder().from(self.from.clone()).to(to).subject(notice.subject.clone()).body(body).map_err(|e| e.to_string())?;
        match &self.delivery {
            Delivery::Smtp(relay, transport) => transport.send(&message).map(|_| ()).map_err(|e| relay.failure(&e)),
            Delivery::Files(transport) => transport.send(&message).map(|_| ()).map_err(|e| e.to_string()),
        }
    }

    /// Connects to the relay (TLS and sign-in included) and says whether it works; a directory
    /// always does.
    pub fn check(&self) -> Result<(), String> {
        match &self.delivery {
            Delivery::Smtp(relay, transport) => match transport.test_connection() {
                Ok(true) => Ok(()),
                Ok(false) => Err(format!("SMTP relay {}:{} ({}): connected, but it did not answer", relay.host, relay.port, relay.security.describe())),
                Err(e) => Err(relay.failure(&e)),
            },
            Delivery::Files(_) => Ok(()),
        }
    }
}

/// A mailer with its delivery thread.
pub struct EmailMailer {
    queue: Mutex<Sender<Notice>>,
}

impl EmailMailer {
    /// Starts delivering to `url` from `from`; links in messages start with `public_url`.
    pub fn start(url: &str, from: &str, public_url: &str) -> Result<EmailMailer, String> {
        EmailMailer::with_outbox(Outbox::open(&MailSettings { url, from, public_url, ca_file: None })?)
    }

    /// Starts a thread delivering through `outbox`. It first tries the relay once, so a relay
    /// that cannot be reached or whose certificate does not check out is in the log at start;
    /// then every notice that cannot be sent is logged with the reason.
    pub fn with_outbox(outbox: Outbox) -> Result<EmailMailer, String> {
        let (queue, arriving) = channel::<Notice>();
        std::thread::Builder::new()
            .name("mail".into())
            .spawn(move || {
                match outbox.check() {
                    Ok(()) => tracing::info!("the mail relay answers"),
                    Err(error) => tracing::warn!(%error, "the mail relay cannot be used; notices will fail until it can"),
                }
                for notice in arriving {
                    if let Err(error) = outbox.send(&notice) {
                        tracing::warn!(to = %notice.to, %error, "mail not sent");
                    }
                }
            })
            .map_err(|e| format!("cannot start the mail thread: {e}"))?;
        Ok(EmailMailer { queue: Mutex::new(queue) })
    }
}

impl Mailer for EmailMailer {
    fn send(&self, notice: Notice) {
        let queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        // The thread only stops when the process does.
        let _ = queue.send(notice);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relay(host: &str, port: u16, security: Security, credentials: Option<(&str, &str)>) -> Relay {
        Relay { host: host.to_string(), port, security, credentials: credentials.map(|(u, p)| (u.to_string(), p.to_string())) }
    }

    #[test]
    fn smtp_urls_read_as_a_relay_and_its_security() {
        for (url, expected) in [
            ("smtp://mail.example.org", relay("mail.example.org", 587, Security::StartTls, None)),
            ("smtp://mail.example.org:25/", relay("mail.example.org", 25, Security::StartTls, None)),
            ("smtp://ana:s3cr@t?@mail.example.org:2525", relay("mail.example.org", 2525, Security::StartTls, Some(("ana", "s3cr@t?")))),
            ("smtp://mail.example.org?tls=starttls", relay("mail.example.org", 587, Security::StartTls, None)),
            ("smtps://ana:pw@mail.example.org", relay("mail.example.org", 465, Security::ImplicitTls, Some(("ana", "pw")))),
            ("smtps://mail.example.org:2465", relay("mail.example.org", 2465, Security::ImplicitTls, None)),
            ("smtp://localhost?tls=none", relay("localhost", 25, Security::Plain, None)),
            ("smtp://127.0.0.1:2525?tls=none", relay("127.0.0.1", 2525, Security::Plain, None)),
            ("smtp://[::1]:2525?tls=none", relay("::1", 2525, Security::Plain, None)),
            ("smtps://[2001:db8::1]", relay("2001:db8::1", 465, Security::ImplicitTls, None)),
        ] {
            assert_eq!(Relay::parse(url), Ok(expected), "{url}");
        }
    }

    #[test]
    fn smtp_urls_that_cannot_work_are_refused_with_the_reason() {
        for (url, reason) in [
            ("smtp://ana:secret@mail.example.org?tls=none", "only for a relay on this machine"),
            ("smtp://10.0.0.1?tls=none", "only for a relay on this machine"),
            ("smtps://localhost?tls=none", "not one there is"),
            ("smtp://mail.example.org?tls=opportunistic", "not one there is"),
            ("smtp://mail.example.org:smtp", "is not a number"),
            ("smtp://", "names no host"),
            ("smtp://[::1", "closing"),
            ("imap://mail.example.org", "must start with smtp://, smtps:// or file:// (its scheme: imap)"),
            ("ana:secret@mail.example.org", "(its scheme: none)"),
        ] {
            let error = Relay::parse(url).unwrap_err();
            assert!(error.contains(reason) && !error.contains("secret"), "{url}: {error}");
        }
    }

    #[test]
    fn a_ca_file_must_hold_a_certificate_and_suit_the_url() {
        let dir = std::env::temp_dir().join(format!("peerstake-mail-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (not_pem, missing) = (dir.join("not.pem"), dir.join("missing.pem"));
        std::fs::write(&not_pem, "hello").unwrap();
        let settings = |url, ca_file| MailSettings { url, from: "peerstake@example.org", public_url: "https://example.org", ca_file };
        let error = Outbox::open(&settings("smtps://mail.example.org", Some(&not_pem))).err().unwrap();
        assert!(error.contains("holds no PEM certificate"), "{error}");
        let error = Outbox::open(&settings("smtps://mail.example.org", Some(&missing))).err().unwrap();
        assert!(error.contains("cannot read the SMTP CA file"), "{error}");
        let error = Outbox::open(&settings("smtp://localhost?tls=none", Some(&not_pem))).err().unwrap();
        assert!(error.contains("no use with ?tls=none"), "{error}");
        assert!(Outbox::open(&settings("smtps://mail.example.org", None)).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Delivering notifications by email: a background thread takes notices from a queue and sends
//! them over SMTP (`smtp://[user:password@]host[:port]`, for a relay such as the operator's
//! Postfix) or writes them as files into a directory (`file:///path`, for trying it out).

use std::sync::Mutex;
use std::sync::mpsc::{Sender, channel};

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{FileTransport, Message, SmtpTransport, Transport};
use peerstake_app::notify::{Mailer, Notice};

/// Where mail goes.
enum Delivery {
    Smtp(SmtpTransport),
    Files(FileTransport),
}

/// A mailer with its delivery thread.
pub struct EmailMailer {
    queue: Mutex<Sender<Notice>>,
}

impl EmailMailer {
    /// Starts delivering to `url` from `from`; links in messages start with `public_url`.
    pub fn start(url: &str, from: &str, public_url: &str) -> Result<EmailMailer, String> {
        let from: Mailbox = from.parse().map_err(|e| format!("--mail-from '{from}': {e}"))?;
        let delivery = if let Some(path) = url.strip_prefix("file://") {
            std::fs::create_dir_all(path).map_err(|e| format!("cannot use {path} for mail: {e}"))?;
            Delivery::Files(FileTransport::new(path))
        } else if let Some(rest) = url.strip_prefix("smtp://") {
            let (credentials, host) = match rest.rsplit_once('@') {
                Some((credentials, host)) => (Some(credentials), host),
                None => (None, rest),
            };
            let host = host.trim_end_matches('/');
            let (host, port) = match host.rsplit_once(':') {
                Some((host, port)) => (host, port.parse::<u16>().map_err(|_| format!("the SMTP port '{port}' is not a number"))?),
                None => (host, 25),
            };
            let mut builder = SmtpTransport::builder_dangerous(host).port(port);
            if let Some(credentials) = credentials {
                let (user, password) = credentials.split_once(':').unwrap_or((credentials, ""));
                builder = builder.credentials(Credentials::new(user.to_string(), password.to_string()));
            }
            Delivery::Smtp(builder.build())
        } else {
            return Err(format!("the mail URL '{url}' must start with smtp:// or file://"));
        };
        let public_url = public_url.trim_end_matches('/').to_string();
        let (queue, arriving) = channel::<Notice>();
        std::thread::Builder::new()
            .name("mail".into())
            .spawn(move || {
                for notice in arriving {
                    if let Err(error) = deliver(&delivery, &from, &public_url, &notice) {
                        tracing::warn!(to = %notice.to, %error, "mail not sent");
                    }
                }
            })
            .map_err(|e| format!("cannot start the mail thread: {e}"))?;
        Ok(EmailMailer { queue: Mutex::new(queue) })
    }
}

fn deliver(delivery: &Delivery, from: &Mailbox, public_url: &str, notice: &Notice) -> Result<(), String> {
    let to: Mailbox = notice.to.parse().map_err(|e| format!("not an address: {e}"))?;
    let body = format!("{}\n\n{public_url}{}\n\n— peerstake", notice.body, notice.path);
    let message = Message::builder().from(from.clone()).to(to).subject(notice.subject.clone()).body(body).map_err(|e| e.to_string())?;
    match delivery {
        Delivery::Smtp(transport) => transport.send(&message).map(|_| ()).map_err(|e| e.to_string()),
        Delivery::Files(transport) => transport.send(&message).map(|_| ()).map_err(|e| e.to_string()),
    }
}

impl Mailer for EmailMailer {
    fn send(&self, notice: Notice) {
        let queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        // The thread only stops when the process does.
        let _ = queue.send(notice);
    }
}

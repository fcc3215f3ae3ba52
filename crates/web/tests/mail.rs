//! Mail over TLS against a real SMTP server: PyPI's `aiosmtpd` on loopback, with a certificate
//! signed by a test authority `openssl` makes for the run. Notices go through the real mailer
//! over STARTTLS and over implicit TLS (trusting the test authority through the CA-file
//! setting) and arrive; an untrusted certificate, or a relay that does not offer STARTTLS, makes
//! sending fail with the reason. Runs when `python3` with `aiosmtpd` and `openssl` are found, or
//! when `PEERSTAKE_E2E` is set (then it is mandatory, as in CI).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use peerstake_app::notify::{Mailer, Notice};
use peerstake_web::mail::{EmailMailer, MailSettings, Outbox};

/// The SMTP server: `python3 smtpd.py MODE DIR`, MODE `starttls` (STARTTLS required before
/// anything else), `implicit` (TLS from the first byte) or `plain` (no TLS offered). It prints its
/// port, then writes each message it accepts to `DIR/mail/N.eml` with a first line saying
/// whether it came over TLS and who signed in. The user `ana` with password `pw` may sign in.
const SMTP_SERVER: &str = r#"
import asyncio, logging, os, ssl, sys, warnings
from aiosmtpd.smtp import SMTP, AuthResult

# Refused handshakes are what some tests are for: no tracebacks for them, nor for aiosmtpd's own
# deprecation notices.
logging.getLogger("mail.log").disabled = True
warnings.simplefilter("ignore")

mode, base = sys.argv[1], sys.argv[2]
maildir = os.path.join(base, "mail")
os.makedirs(maildir, exist_ok=True)
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(os.path.join(base, "server.pem"), os.path.join(base, "server.key"))

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = getattr(auth_data, "login", None) == b"ana" and getattr(auth_data, "password", None) == b"pw"
    return AuthResult(success=ok, handled=False, auth_data=auth_data)

class Handler:
    count = 0
    async def handle_DATA(self, server, session, envelope):
        Handler.count += 1
        tls = server.transport.get_extra_info("ssl_object") is not None
        login = session.auth_data.login.decode() if session.authenticated else "-"
        path = os.path.join(maildir, f"{Handler.count}.eml")
        with open(path + ".part", "wb") as out:
            out.write(f"tls={'yes' if tls else 'no'} login={login} to={','.join(envelope.rcpt_tos)}\n".encode())
            out.write(envelope.content)
        os.rename(path + ".part", path)
        return "250 OK"

def protocol():
    if mode == "starttls":
        return SMTP(Handler(), hostname="localhost", tls_context=context, require_starttls=True, authenticator=authenticator)
    if mode == "implicit":
        # TLS is the connection's from the start, so signing in needs no STARTTLS first.
        return SMTP(Handler(), hostname="localhost", authenticator=authenticator, auth_require_tls=False)
    return SMTP(Handler(), hostname="localhost", authenticator=authenticator, auth_require_tls=False)

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(protocol, "127.0.0.1", 0, ssl=context if mode == "implicit" else None)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()

asyncio.run(main())
"#;

/// Whether the tools are here; None (after a printed note) when they are not and the test may
/// be skipped.
fn tools() -> Option<()> {
    let found = |program: &str, args: &[&str]| Command::new(program).args(args).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
    let python = found("python3", &["-c", "import aiosmtpd"]);
    let openssl = found("openssl", &["version"]);
    if python && openssl {
        return Some(());
    }
    let missing = if python { "openssl" } else { "python3 with aiosmtpd (pip install aiosmtpd)" };
    assert!(std::env::var_os("PEERSTAKE_E2E").is_none(), "PEERSTAKE_E2E is set, so the mail test must run, but {missing} is missing");
    eprintln!("note: skipping the mail-over-TLS test: {missing} is missing and PEERSTAKE_E2E is unset");
    None
}

/// A directory for one test's certificates and mail, removed when it ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("peerstake-mail-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn openssl(&self, args: &[&str]) {
        let output = Command::new("openssl").args(args).current_dir(&self.0).output().unwrap();
        assert!(output.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }

    /// A test authority (`ca.pem`) and a certificate it signs for the address `127.0.0.1` only
    /// (`server.pem`, `server.key`), so `localhost` is another name; also a second authority
    /// (`other-ca.pem`) that signed nothing.
    fn certificates(&self) {
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        for (key, pem, name) in [("ca.key", "ca.pem", "peerstake test CA"), ("other-ca.key", "other-ca.pem", "someone else's CA")] {
            let subject = format!("/CN={name}");
            let mut args = vec!["req", "-x509", "-days", "2", "-keyout", key, "-out", pem, "-subj", &subject];
            args.extend(ec);
            args.extend(["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
            self.openssl(&args);
        }
        let mut args = vec!["req", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=peerstake test relay"];
        args.extend(ec);
        self.openssl(&args);
        std::fs::write(
            self.path("server.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        self.openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ]);
    }

    /// The messages received so far, oldest first.
    fn received(&self) -> Vec<String> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(self.path("mail"))
            .map(|entries| entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "eml")).collect())
            .unwrap_or_default();
        paths.sort();
        paths.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
    }

    /// Waits for the `count`th message.
    fn wait_for(&self, count: usize) -> Vec<String> {
        let started = Instant::now();
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "message {count} did not arrive; {} did", received.len());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The SMTP server process, stopped when the test ends, also on panic.
struct SmtpServer {
    child: Child,
    port: u16,
}

impl SmtpServer {
    fn start(scratch: &Scratch, mode: &str) -> SmtpServer {
        let script = scratch.path("smtpd.py");
        std::fs::write(&script, SMTP_SERVER).unwrap();
        let mut child = Command::new("python3").arg(&script).arg(mode).arg(&scratch.0).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().parse().unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("the SMTP server did not start ({mode}): {line:?}")
        });
        SmtpServer { child, port }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn notice(to: &str, subject: &str) -> Notice {
    Notice { to: to.to_string(), subject: subject.to_string(), body: "Entry #7 waits for your review.".to_string(), path: "/v/loom/entries/7".to_string() }
}

fn outbox(url: &str, ca_file: Option<&Path>) -> Outbox {
    Outbox::open(&MailSettings { url, from: "peerstake <peerstake@example.org>", public_url: "https://commons.example.org/", ca_file })
        .unwrap_or_else(|e| panic!("{url}: {e}"))
}

#[test]
fn mail_goes_over_starttls_to_a_relay_whose_authority_is_trusted() {
    let Some(()) = tools() else { return };
    let scratch = Scratch::new("starttls");
    scratch.certificates();
    let server = SmtpServer::start(&scratch, "starttls");
    let ca = scratch.path("ca.pem");
    let url = format!("smtp://ana:pw@127.0.0.1:{}", server.port);

    outbox(&url, Some(&ca)).send(&notice("ben@example.org", "Entry #7 waits for you")).unwrap();
    let received = scratch.wait_for(1);
    assert!(received[0].starts_with("tls=yes login=ana to=ben@example.org\n"), "{}", received[0]);
    assert!(received[0].contains("Subject: Entry #7 waits for you") && received[0].contains("https://commons.example.org/v/loom/entries/7"), "{}", received[0]);

    // As `serve` sends: queued, and delivered by the mail thread.
    let mailer = EmailMailer::with_outbox(outbox(&url, Some(&ca))).unwrap();
    mailer.send(notice("cleo@example.org", "Through the queue"));
    let received = scratch.wait_for(2);
    assert!(received[1].starts_with("tls=yes login=ana to=cleo@example.org\n") && received[1].contains("Subject: Through the queue"), "{}", received[1]);

    // Without the test authority, or trusting another one, the certificate does not check out.
    for ca_file in [None, Some(scratch.path("other-ca.pem"))] {
        let error = outbox(&url, ca_file.as_deref()).send(&notice("ben@example.org", "Never sent")).unwrap_err();
        assert!(error.contains("STARTTLS") && error.contains("certificate") && error.contains("UnknownIssuer") && error.contains("--smtp-ca-file"), "{error}");
    }
    // A certificate for another name does not check out either (it names 127.0.0.1 only).
    let error = outbox(&format!("smtp://ana:pw@localhost:{}", server.port), Some(&ca)).send(&notice("ben@example.org", "Never sent")).unwrap_err();
    assert!(error.contains("certificate not valid for name \"localhost\"") && error.contains("for another name"), "{error}");
    // A wrong password is refused by the relay, over TLS.
    let error = outbox(&format!("smtp://ana:wrong@127.0.0.1:{}", server.port), Some(&ca)).send(&notice("ben@example.org", "Never sent")).unwrap_err();
    assert!(error.contains("535"), "{error}");
    assert_eq!(scratch.received().len(), 2, "nothing else arrived");
}

#[test]
fn mail_goes_over_implicit_tls_and_an_untrusted_certificate_fails() {
    let Some(()) = tools() else { return };
    let scratch = Scratch::new("implicit");
    scratch.certificates();
    let server = SmtpServer::start(&scratch, "implicit");
    let ca = scratch.path("ca.pem");
    let url = format!("smtps://ana:pw@127.0.0.1:{}", server.port);

    outbox(&url, Some(&ca)).check().unwrap();
    outbox(&url, Some(&ca)).send(&notice("ben@example.org", "Over implicit TLS")).unwrap();
    let received = scratch.wait_for(1);
    assert!(received[0].starts_with("tls=yes login=ana to=ben@example.org\n") && received[0].contains("Subject: Over implicit TLS"), "{}", received[0]);

    let untrusted = outbox(&url, None);
    let error = untrusted.send(&notice("ben@example.org", "Never sent")).unwrap_err();
    assert!(error.contains("implicit TLS") && error.contains("certificate") && error.contains("UnknownIssuer") && error.contains("--smtp-ca-file"), "{error}");
    assert!(untrusted.check().unwrap_err().contains("UnknownIssuer"), "the check at start says so too");
    assert_eq!(scratch.received().len(), 1, "nothing else arrived");
}

#[test]
fn starttls_is_required_unless_a_loopback_relay_is_named_without_tls() {
    let Some(()) = tools() else { return };
    let scratch = Scratch::new("plain");
    scratch.certificates();
    let server = SmtpServer::start(&scratch, "plain");
    let ca = scratch.path("ca.pem");

    // A relay that offers no STARTTLS gets nothing, not even the password.
    let error = outbox(&format!("smtp://ana:pw@127.0.0.1:{}", server.port), Some(&ca)).send(&notice("ben@example.org", "Never sent")).unwrap_err();
    assert!(error.contains("STARTTLS is not supported"), "{error}");
    assert!(scratch.received().is_empty());

    // The explicit opt-out, for a relay on this machine.
    outbox(&format!("smtp://ana:pw@127.0.0.1:{}?tls=none", server.port), None).send(&notice("ben@example.org", "In the clear")).unwrap();
    let received = scratch.wait_for(1);
    assert!(received[0].starts_with("tls=no login=ana to=ben@example.org\n") && received[0].contains("Subject: In the clear"), "{}", received[0]);
    // Anywhere else it is refused at start.
    let error =
        Outbox::open(&MailSettings { url: "smtp://mail.example.org?tls=none", from: "peerstake@example.org", public_url: "https://x.example", ca_file: None })
            .err()
            .unwrap();
    assert!(error.contains("only for a relay on this machine"), "{error}");
}

//! The web application: server-rendered pages for people (`pages`) and a JSON API for programs
//! (`api`, described by an OpenAPI document generated from the handlers). Both call the same
//! use cases in `peerstake-app` through [`peerstake_app::access::Acting`], which enforces who may
//! do what; they share no code with each other beyond the session and error plumbing here.
//!
//! Architecture invariant: no SQL and no valuation rules here. The store is synchronous, so every
//! use case runs on a blocking thread, off the async runtime (password hashing included).
#![warn(missing_docs)]

mod api;
mod auth;
mod batch;
mod common;
mod error;
mod extract;
mod headers;
pub mod mail;
mod pages;
mod trace;
mod views;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use peerstake_app::error::AppError;
use peerstake_app::{Commons, Now};

pub use auth::{CSRF_COOKIE, SESSION_COOKIE};
pub use trace::REQUEST_ID_HEADER;

/// The largest request body accepted.
pub const BODY_BYTES_MAX: usize = 1024 * 1024;

/// Where the time comes from: the system clock in production, a fixed one in tests.
pub type Clock = Arc<dyn Fn() -> Now + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        let at_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Now::from_unix_ms(at_ms)
    })
}

/// A split's JSON with the committed (head, book version) it shows.
type RenderedSplit = ((u64, u64), axum::body::Bytes);

/// The JSON of each venture's current split, by the committed state it shows.
#[derive(Default)]
pub(crate) struct SplitJson {
    bodies: std::sync::Mutex<std::collections::HashMap<String, RenderedSplit>>,
}

impl SplitJson {
    fn get_or_render(&self, venture: &str, at: (u64, u64), render: impl FnOnce() -> serde_json::Result<Vec<u8>>) -> serde_json::Result<axum::body::Bytes> {
        if let Some((cached_at, body)) = self.bodies.lock().unwrap_or_else(|p| p.into_inner()).get(venture)
            && *cached_at == at
        {
            return Ok(body.clone());
        }
        let body = axum::body::Bytes::from(render()?);
        let mut bodies = self.bodies.lock().unwrap_or_else(|p| p.into_inner());
        if bodies.get(venture).is_none_or(|(cached_at, _)| *cached_at < at) {
            bodies.insert(venture.to_string(), (at, body.clone()));
        }
        Ok(body)
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    commons: Arc<Commons>,
    clock: Clock,
    secure_cookies: bool,
    split_json: Arc<SplitJson>,
    inline_reads: bool,
    /// Logged contributions waiting to be written together.
    batcher: Arc<batch::Batcher>,
}

impl AppState {
    /// A state over a commons. `secure_cookies` marks cookies Secure (HTTPS only; browsers also
    /// accept them on loopback addresses).
    pub fn new(commons: Arc<Commons>, clock: Clock, secure_cookies: bool) -> AppState {
        let inline_reads = commons.store().backend() == "sqlite";
        AppState { commons, clock, secure_cookies, split_json: Arc::default(), inline_reads, batcher: Arc::default() }
    }

    fn now(&self) -> Now {
        (self.clock)()
    }

    /// Runs a short read: inline on SQLite, whose reads never wait for a lock (WAL) and take
    /// microseconds, so a hop to another thread would cost more than the work; on a blocking
    /// thread for PostgreSQL, whose reads wait on the network.
    async fn run_quick<T: Send + 'static>(&self, work: impl FnOnce(&Commons, Now) -> Result<T, AppError> + Send + 'static) -> Result<T, AppError> {
        if self.inline_reads {
            return work(&self.commons, self.now());
        }
        self.run(work).await
    }

    /// Runs a use case on a blocking thread.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce(&Commons, Now) -> Result<T, AppError> + Send + 'static) -> Result<T, AppError> {
        let commons = Arc::clone(&self.commons);
        let now = self.now();
        tokio::task::spawn_blocking(move || work(&commons, now)).await.map_err(|e| AppError::Internal(format!("a worker failed: {e}")))?
    }

    /// Runs a use case on a blocking thread and answers only once what it committed is on
    /// disk: the thread is free as soon as the use case is done, and the wait for the shared
    /// sync is this task's, not a thread's.
    pub(crate) async fn run_durably<T: Send + 'static>(&self, work: impl FnOnce(&Commons, Now) -> Result<T, AppError> + Send + 'static) -> Result<T, AppError> {
        let (outcome, mark) = self
            .run(move |commons, now| {
                // A mark left on this thread by earlier work is not this use case's.
                let _ = commons.store().take_commit_mark();
                let outcome = work(commons, now);
                Ok((outcome, commons.store().take_commit_mark()))
            })
            .await?;
        if let Some(mark) = mark {
            self.commons.store().durable(mark).await?;
        }
        outcome
    }
}

/// The whole application: pages at `/`, the API at `/api/v1`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .layer(axum::extract::DefaultBodyLimit::max(BODY_BYTES_MAX))
        .layer(axum::middleware::from_fn(headers::security_headers))
        .layer(axum::middleware::from_fn(trace::request_span))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::csrf_cookie))
        .with_state(state)
}

/// Serves the application until interrupted (Ctrl-C or SIGTERM), finishing requests in flight.
pub async fn serve(state: AppState, address: SocketAddr, ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(address).await?;
    ready(listener.local_addr()?);
    tokio::spawn(draft_recurring(state.clone()));
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown()).await
}

/// How often the server drafts the recurring contributions whose period has come round,
/// releases the holds of needs whose deadline has passed unmet, and passes the steward role for
/// adoptions whose notice period ended without objection.
const RECURRING_EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Drafts due recurring contributions, settles needs and adoptions, now and then every
/// [`RECURRING_EVERY`]; a failure is reported and tried again next time.
async fn draft_recurring(state: AppState) {
    let mut ticks = tokio::time::interval(RECURRING_EVERY);
    loop {
        ticks.tick().await;
        if let Err(error) = state.run(|commons, now| commons.run_all_recurring(now)).await {
            tracing::error!(%error, "drafting the recurring contributions due failed; tried again next time");
        }
        if let Err(error) = state.run(|commons, now| commons.settle_all_needs(now)).await {
            tracing::error!(%error, "settling the needs past their deadline failed; tried again next time");
        }
        if let Err(error) = state.run(|commons, now| commons.settle_all_adoptions(now)).await {
            tracing::error!(%error, "settling the adoptions past their notice period failed; tried again next time");
        }
    }
}

async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

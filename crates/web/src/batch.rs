//! Group commit of logged contributions. Requests to log into one venture that arrive while the
//! venture's last batch is being written wait together and go in as the next batch: one
//! transaction, one lock, one commit and (on SQLite) one sync for all of them, each answered
//! with its own entry or its own refusal once the batch is on disk. A venture with one writer at
//! a time sees batches of one; under load, many writes share each commit. Waiting is the
//! request's task's, never a blocked thread's. A leaf: it knows the use case it batches, no
//! handler.

use std::collections::HashMap;
use std::sync::Mutex;

use peerstake_app::error::AppError;
use peerstake_app::journal::NamedEntry;
use peerstake_app::ledger::AuthorizedLog;
use tokio::sync::oneshot;

use crate::AppState;

/// The most requests one batch takes; the rest wait for the next.
pub const BATCH_MAX: usize = 512;

type Answer = Result<NamedEntry, AppError>;

#[derive(Default)]
struct Queue {
    waiting: Vec<(AuthorizedLog, oneshot::Sender<Answer>)>,
    /// A task is writing this venture's batches.
    writing: bool,
}

/// The queues of requests waiting to be logged, by venture.
#[derive(Default)]
pub(crate) struct Batcher {
    queues: Mutex<HashMap<String, Queue>>,
}

impl Batcher {
    /// Logs a contribution with whatever else is waiting for its venture, and answers once it
    /// is on disk.
    pub(crate) async fn log(&self, state: &AppState, request: AuthorizedLog) -> Answer {
        let venture = request.venture().to_string();
        let (answer, answered) = oneshot::channel();
        let start = {
            let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
            let queue = queues.entry(venture.clone()).or_default();
            queue.waiting.push((request, answer));
            !std::mem::replace(&mut queue.writing, true)
        };
        if start {
            tokio::spawn(write_batches(state.clone(), venture));
        }
        answered.await.map_err(|_| AppError::Internal("the batch this write was in was abandoned".into()))?
    }

    /// The next batch for a venture, or none (and the venture's writer stops) when nothing waits.
    fn next(&self, venture: &str) -> Vec<(AuthorizedLog, oneshot::Sender<Answer>)> {
        let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        let Some(queue) = queues.get_mut(venture) else { return Vec::new() };
        if queue.waiting.is_empty() {
            queues.remove(venture);
            return Vec::new();
        }
        let take = queue.waiting.len().min(BATCH_MAX);
        queue.waiting.drain(..take).collect()
    }
}

/// Writes a venture's batches until none waits.
async fn write_batches(state: AppState, venture: String) {
    loop {
        let batch = state.batcher.next(&venture);
        if batch.is_empty() {
            return;
        }
        let (requests, answers): (Vec<AuthorizedLog>, Vec<oneshot::Sender<Answer>>) = batch.into_iter().unzip();
        let size = requests.len();
        let slug = venture.clone();
        let outcome = state.run_durably(move |commons, now| commons.log_batch(&slug, &requests, now)).await;
        tracing::debug!(venture = %venture, size, "batch of writes");
        match outcome {
            Ok(each) => {
                for (answer, sender) in each.into_iter().zip(answers) {
                    let _ = sender.send(answer);
                }
            }
            Err(error) => {
                // Nothing of the batch was written: each request learns why.
                for sender in answers {
                    let _ = sender.send(Err(again(&error)));
                }
            }
        }
    }
}

/// The same refusal for each request of a batch that failed as a whole.
fn again(error: &AppError) -> AppError {
    match error {
        AppError::NotFound { what, name } => AppError::NotFound { what, name: name.clone() },
        other => AppError::Internal(other.to_string()),
    }
}

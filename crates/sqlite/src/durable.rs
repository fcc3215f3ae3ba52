//! Grouped durability. A commit returns once its pages are written to the write-ahead log; a
//! thread of its own then syncs the log to disk — one sync for every commit made while the one
//! before ran — and tells whoever waits for those commits. A server answers a write only then,
//! so an answered write survives a power cut, while a thousand writes a second share a few
//! hundred syncs instead of paying one each.
//!
//! A sync that fails leaves the log in an unknown state (the kernel may have dropped the pages
//! it could not write), so the store refuses every later wait: a server keeps answering reads
//! and says why writes fail, and is restarted to recover from the log.

use std::cell::Cell;
use std::fs::File;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::thread::JoinHandle;

use peerstake_store::{DurableFuture, StoreError};

thread_local! {
    /// The last commit this thread made through a grouped store: the store's identity and the
    /// commit's mark.
    static LAST_COMMIT: Cell<Option<(usize, u64)>> = const { Cell::new(None) };
}

/// The count of commits and how far they are on disk.
#[derive(Default)]
struct State {
    committed: u64,
    synced: u64,
    failure: Option<String>,
    waiters: Vec<(u64, Waker)>,
    stop: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// Wakes the syncer when there is something to sync, and blocking waiters when a sync ends.
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The syncer of one store's write-ahead log.
pub(crate) struct Syncer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Syncer {
    /// Starts syncing the write-ahead log at `wal` (the database's path with `-wal`).
    pub(crate) fn start(wal: PathBuf) -> Result<Syncer, StoreError> {
        let shared = Arc::new(Shared::default());
        let for_thread = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("sqlite-sync".into())
            .spawn(move || run(&for_thread, &wal))
            .map_err(|e| StoreError::Backend(format!("cannot start the sync thread: {e}")))?;
        Ok(Syncer { shared, thread: Some(thread) })
    }

    fn identity(&self) -> usize {
        Arc::as_ptr(&self.shared) as usize
    }

    /// Counts a commit that has just been written, and remembers its mark for this thread.
    pub(crate) fn committed(&self) {
        let mark = {
            let mut state = self.shared.lock();
            state.committed += 1;
            state.committed
        };
        self.shared.changed.notify_all();
        LAST_COMMIT.with(|last| last.set(Some((self.identity(), mark))));
    }

    /// The mark of the last commit this thread made through this store, forgotten once read.
    pub(crate) fn take_mark(&self) -> Option<u64> {
        LAST_COMMIT.with(|last| match last.get() {
            Some((store, mark)) if store == self.identity() => {
                last.set(None);
                Some(mark)
            }
            _ => None,
        })
    }

    /// Resolves once the commit `mark` (and every one before it) is on disk.
    pub(crate) fn durable(&self, mark: u64) -> DurableFuture<'_> {
        Box::pin(Wait { shared: &self.shared, mark })
    }

    /// Blocks until every commit made so far is on disk.
    pub(crate) fn sync(&self) -> Result<(), StoreError> {
        let mut state = self.shared.lock();
        let target = state.committed;
        loop {
            if let Some(failure) = &state.failure {
                return Err(failed(failure));
            }
            if state.synced >= target {
                return Ok(());
            }
            state = self.shared.changed.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }
}

impl Drop for Syncer {
    /// Syncs what is left, then stops.
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.changed.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn failed(reason: &str) -> StoreError {
    StoreError::Backend(format!("the write-ahead log could not be synced to disk ({reason}); writes are refused until the server restarts"))
}

/// The syncer's loop: wait for commits beyond the last sync, sync, tell the waiters.
fn run(shared: &Shared, wal: &PathBuf) {
    let mut file: Option<File> = None;
    loop {
        let target = {
            let mut state = shared.lock();
            while state.synced >= state.committed && !state.stop {
                state = shared.changed.wait(state).unwrap_or_else(|p| p.into_inner());
            }
            if state.synced >= state.committed || state.failure.is_some() {
                return;
            }
            state.committed
        };
        let outcome = match &file {
            Some(open) => open.sync_data(),
            None => File::open(wal).and_then(|open| {
                let synced = open.sync_data();
                file = Some(open);
                synced
            }),
        };
        let ready = {
            let mut state = shared.lock();
            match outcome {
                Ok(()) => state.synced = target,
                Err(error) => state.failure = Some(error.to_string()),
            }
            let (synced, failed) = (state.synced, state.failure.is_some());
            let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut state.waiters).into_iter().partition(|(mark, _)| failed || *mark <= synced);
            state.waiters = waiting;
            ready
        };
        shared.changed.notify_all();
        for (_, waker) in ready {
            waker.wake();
        }
    }
}

/// A wait for one commit to be on disk.
struct Wait<'a> {
    shared: &'a Shared,
    mark: u64,
}

impl Future for Wait<'_> {
    type Output = Result<(), StoreError>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.shared.lock();
        if let Some(failure) = &state.failure {
            return Poll::Ready(Err(failed(failure)));
        }
        if state.synced >= self.mark {
            return Poll::Ready(Ok(()));
        }
        state.waiters.push((self.mark, context.waker().clone()));
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::task::Wake;

    /// Runs a future to its end on this thread.
    fn block_on<T>(future: impl Future<Output = T>) -> T {
        struct Unpark(std::thread::Thread, AtomicBool);
        impl Wake for Unpark {
            fn wake(self: Arc<Self>) {
                self.1.store(true, Ordering::SeqCst);
                self.0.unpark();
            }
        }
        let waker = Arc::new(Unpark(std::thread::current(), AtomicBool::new(false)));
        let as_waker = Waker::from(Arc::clone(&waker));
        let mut context = Context::from_waker(&as_waker);
        let mut future = Box::pin(future);
        loop {
            if let Poll::Ready(value) = future.as_mut().poll(&mut context) {
                return value;
            }
            while !waker.1.swap(false, Ordering::SeqCst) {
                std::thread::park();
            }
        }
    }

    fn log_file(name: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("peerstake-durable-{}-{name}", std::process::id()));
        std::fs::write(&path, b"frames").unwrap();
        path
    }

    #[test]
    fn a_commit_is_durable_once_a_sync_after_it_ends_and_marks_are_per_store_and_thread() {
        let path = log_file("marks");
        let (one, two) = (Syncer::start(path.clone()).unwrap(), Syncer::start(path.clone()).unwrap());
        assert_eq!(one.take_mark(), None, "nothing committed yet");
        one.committed();
        one.committed();
        assert_eq!(two.take_mark(), None, "another store's commit is not this store's");
        assert_eq!(one.take_mark(), Some(2));
        assert_eq!(one.take_mark(), None, "a mark is taken once");
        block_on(one.durable(2)).unwrap();
        assert!(one.shared.lock().synced >= 2);
        let elsewhere = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    one.committed();
                    one.take_mark()
                })
                .join()
                .unwrap()
        });
        assert_eq!(elsewhere, Some(3), "each thread knows its own last commit");
        assert_eq!(one.take_mark(), None);
        one.sync().unwrap();
        assert_eq!(one.shared.lock().synced, 3, "sync waits for every commit so far");
        drop((one, two));
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn every_waiter_of_many_commits_is_answered() {
        let path = log_file("shared");
        let syncer = Syncer::start(path.clone()).unwrap();
        let marks: Vec<u64> = (0..2_000)
            .map(|_| {
                syncer.committed();
                syncer.take_mark().unwrap()
            })
            .collect();
        for mark in &marks {
            block_on(syncer.durable(*mark)).unwrap();
        }
        assert_eq!(syncer.shared.lock().synced, 2_000);
        drop(syncer);
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn a_failed_sync_refuses_every_wait_after_it() {
        let missing = std::env::temp_dir().join(format!("peerstake-durable-{}-missing/none-wal", std::process::id()));
        let syncer = Syncer::start(missing).unwrap();
        syncer.committed();
        let mark = syncer.take_mark().unwrap();
        let refused = block_on(syncer.durable(mark)).unwrap_err().to_string();
        assert!(refused.contains("could not be synced"), "{refused}");
        assert!(syncer.sync().is_err());
        syncer.committed();
        assert!(block_on(syncer.durable(mark + 1)).is_err(), "and stays refused");
    }
}

//! Lines read on IRC, stored in the order read by one writer task beside the read
//! loop. The read loop only queues a line ([`Lines::push`]); the writer ([`start`])
//! stores them one at a time, retrying each while the database refuses (with the key
//! given when it was read, so a retry is still one entry), so a database blip never
//! stalls reading from the server (nor the answers to its PINGs). The queue outlives
//! connections, and on stopping the worker gives it [`FLUSH_LIMIT`] to store what is
//! left ([`Writer::flush`]).

use super::capture::Heard;
use crate::state::AppState;
use crate::store::{IrcLine, StoreError};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How a line is retried: tries before it is given up on, and the waits between.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub attempts: u32,
    pub first: Duration,
    pub max: Duration,
}

/// About half a minute of a busy database per line.
pub const STORE_RETRY: Retry = Retry {
    attempts: 12,
    first: Duration::from_millis(100),
    max: Duration::from_secs(4),
};

/// Lines read and not yet stored, at most: past it, reading waits for the writer
/// (a database down for long) rather than a line being dropped.
pub const QUEUE_LEN: usize = 1024;

/// How long a stopping worker waits for the lines still queued to be stored.
pub const FLUSH_LIMIT: Duration = Duration::from_secs(5);

/// A line read, waiting to be stored.
#[derive(Debug, Clone)]
pub struct Pending {
    pub incident_id: i64,
    pub channel: String,
    /// The Slack user the nick maps to, if any.
    pub author_id: Option<String>,
    pub heard: Heard,
}

/// The read loop's end of the queue.
#[derive(Clone)]
pub struct Lines {
    tx: mpsc::Sender<Pending>,
    /// Queued and not yet stored or given up on (for the log when stopping).
    waiting: Arc<AtomicUsize>,
}

impl Lines {
    /// Queues `line` behind those read before it. Waits only while [`QUEUE_LEN`]
    /// lines are already waiting.
    pub async fn push(&self, line: Pending) {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let line = match self.tx.try_send(line) {
            Ok(()) => return,
            Err(mpsc::error::TrySendError::Full(line)) => {
                tracing::warn!(
                    queued = QUEUE_LEN,
                    "IRC lines are waiting for the database; reading waits for them"
                );
                line
            }
            Err(mpsc::error::TrySendError::Closed(line)) => line,
        };
        let incident_id = line.incident_id;
        if self.tx.send(line).await.is_err() {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            tracing::error!(incident_id, "an IRC line was lost: its writer has stopped");
        }
    }

    /// Lines queued and not yet stored or given up on.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }
}

/// The writer task and its queue.
pub struct Writer {
    pub lines: Lines,
    task: JoinHandle<()>,
}

impl Writer {
    /// Closes the queue and waits up to `limit` for the writer to store what is
    /// left; says how many lines were not stored if it runs out.
    pub async fn flush(self, limit: Duration) {
        let Writer { lines, mut task } = self;
        let waiting = lines.waiting.clone();
        drop(lines);
        if tokio::time::timeout(limit, &mut task).await.is_err() {
            task.abort();
            tracing::error!(
                lines = waiting.load(Ordering::SeqCst),
                "IRC lines were not stored before stopping: the database refused them"
            );
        }
    }
}

/// Starts the writer that stores the lines pushed to it in `state`'s store. Every
/// clone of its [`Lines`] must be dropped (or [`Writer::flush`] called) for it to end.
pub fn start(state: AppState) -> Writer {
    spawn_with(STORE_RETRY, move |line| {
        let state = state.clone();
        async move { write(&state, &line).await }
    })
}

/// A writer storing with `write`, retried by `retry`.
pub fn spawn_with<W, F, E>(retry: Retry, write: W) -> Writer
where
    W: FnMut(Pending) -> F + Send + 'static,
    F: Future<Output = Result<(), E>> + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let (tx, rx) = mpsc::channel(QUEUE_LEN);
    let waiting = Arc::new(AtomicUsize::new(0));
    let task = tokio::spawn(drain(rx, waiting.clone(), retry, write));
    Writer {
        lines: Lines { tx, waiting },
        task,
    }
}

/// Stores each line as it comes, one at a time and in order: a line is retried
/// until stored or given up on (logged as lost) before the next is tried.
async fn drain<W, F, E>(
    mut rx: mpsc::Receiver<Pending>,
    waiting: Arc<AtomicUsize>,
    retry: Retry,
    mut write: W,
) where
    W: FnMut(Pending) -> F,
    F: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    while let Some(line) = rx.recv().await {
        let incident_id = line.incident_id;
        let mut wait = retry.first;
        let mut attempt = 1;
        loop {
            match write(line.clone()).await {
                Ok(()) => break,
                Err(e) if attempt >= retry.attempts => {
                    tracing::error!(incident_id, error = %e, "an IRC line was lost: the database refused it every time");
                    break;
                }
                Err(e) => {
                    tracing::warn!(incident_id, attempt, error = %e, "an IRC line was not stored yet; retrying");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(retry.max);
                    attempt += 1;
                }
            }
        }
        waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One try at storing `line`; a line stored before (same key) is no error.
async fn write(state: &AppState, line: &Pending) -> Result<(), StoreError> {
    let line = IrcLine {
        incident_id: line.incident_id,
        channel: &line.channel,
        key: &line.heard.key,
        nick: &line.heard.nick,
        author_id: line.author_id.as_deref(),
        text: &line.heard.text,
        at: line.heard.at,
    };
    let mut tx = state.store.begin().await?;
    tx.insert_irc_line(&line).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fallback::irc::capture::received_key;
    use chrono::Utc;
    use std::collections::HashMap;
    use std::sync::Mutex;

    const QUICK: Retry = Retry {
        attempts: 4,
        first: Duration::from_millis(100),
        max: Duration::from_millis(400),
    };

    fn pending(text: &str) -> Pending {
        Pending {
            incident_id: 7,
            channel: "#warroom-inc-7".into(),
            author_id: None,
            heard: Heard {
                key: received_key(),
                at: Utc::now(),
                nick: "alice".into(),
                text: text.into(),
            },
        }
    }

    /// A store that refuses each text its given number of times, then keeps it;
    /// what it kept (text and key), in order, and how often each text was tried.
    #[derive(Clone, Default)]
    struct Flaky {
        refuse: Arc<Mutex<HashMap<String, u32>>>,
        kept: Arc<Mutex<Vec<(String, String)>>>,
        tries: Arc<Mutex<HashMap<String, u32>>>,
    }

    impl Flaky {
        fn refusing(pairs: &[(&str, u32)]) -> Flaky {
            let f = Flaky::default();
            for (text, n) in pairs {
                f.refuse.lock().unwrap().insert(text.to_string(), *n);
            }
            f
        }

        fn writer(&self, retry: Retry) -> Writer {
            let f = self.clone();
            spawn_with(retry, move |line: Pending| {
                let f = f.clone();
                async move {
                    *f.tries
                        .lock()
                        .unwrap()
                        .entry(line.heard.text.clone())
                        .or_default() += 1;
                    let mut refuse = f.refuse.lock().unwrap();
                    match refuse.get_mut(&line.heard.text) {
                        Some(n) if *n > 0 => {
                            *n -= 1;
                            Err("database is locked")
                        }
                        _ => {
                            f.kept
                                .lock()
                                .unwrap()
                                .push((line.heard.text, line.heard.key));
                            Ok(())
                        }
                    }
                }
            })
        }

        fn kept_texts(&self) -> Vec<String> {
            self.kept
                .lock()
                .unwrap()
                .iter()
                .map(|(t, _)| t.clone())
                .collect()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_line_retried_after_a_refusal_is_stored_once_before_the_lines_read_after_it() {
        let store = Flaky::refusing(&[("db failover started", 3)]);
        let writer = store.writer(QUICK);
        let lines: Vec<Pending> = ["db failover started", "replica is up", "back to normal"]
            .iter()
            .map(|t| pending(t))
            .collect();
        for line in &lines {
            writer.lines.push(line.clone()).await;
        }
        writer.flush(FLUSH_LIMIT).await;

        assert_eq!(
            store.kept_texts(),
            ["db failover started", "replica is up", "back to normal"]
        );
        assert_eq!(store.tries.lock().unwrap()["db failover started"], 4);
        let keys: Vec<String> = store
            .kept
            .lock()
            .unwrap()
            .iter()
            .map(|(_, k)| k.clone())
            .collect();
        let read: Vec<String> = lines.iter().map(|l| l.heard.key.clone()).collect();
        assert_eq!(keys, read, "every try keeps the key given when read");
    }

    #[tokio::test(start_paused = true)]
    async fn reading_goes_on_while_the_database_refuses_a_line() {
        // Refused for far longer than the old in-loop retries would have let the
        // read loop wait.
        let store = Flaky::refusing(&[("first", 3)]);
        let slow = Retry {
            attempts: 4,
            first: Duration::from_secs(60),
            max: Duration::from_secs(60),
        };
        let writer = store.writer(slow);
        let started = tokio::time::Instant::now();
        for text in ["first", "second", "third"] {
            writer.lines.push(pending(text)).await;
        }
        assert_eq!(started.elapsed(), Duration::ZERO, "pushing waited");
        assert_eq!(writer.lines.waiting(), 3);
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert!(store.kept_texts().is_empty(), "stored out of order");

        writer.flush(Duration::from_secs(600)).await;
        assert_eq!(store.kept_texts(), ["first", "second", "third"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_line_refused_every_time_is_given_up_on_and_the_next_is_still_stored() {
        let store = Flaky::refusing(&[("cursed", u32::MAX)]);
        let writer = store.writer(QUICK);
        writer.lines.push(pending("cursed")).await;
        writer.lines.push(pending("fine")).await;
        let lines = writer.lines.clone();
        writer.flush(FLUSH_LIMIT).await;
        assert_eq!(store.kept_texts(), ["fine"]);
        assert_eq!(store.tries.lock().unwrap()["cursed"], QUICK.attempts);
        assert_eq!(lines.waiting(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn stopping_waits_for_the_queue_only_as_long_as_the_flush_limit() {
        let store = Flaky::refusing(&[("stuck", u32::MAX)]);
        let slow = Retry {
            attempts: 100,
            first: Duration::from_secs(1),
            max: Duration::from_secs(1),
        };
        let writer = store.writer(slow);
        writer.lines.push(pending("stuck")).await;
        writer.lines.push(pending("behind it")).await;
        let lines = writer.lines.clone();
        let started = tokio::time::Instant::now();
        writer.flush(Duration::from_secs(5)).await;
        assert!(
            started.elapsed() <= Duration::from_secs(6),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(lines.waiting(), 2, "both lines counted as not stored");
    }
}

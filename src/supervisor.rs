//! Background tasks that must not die silently: the escalator, the outbox workers,
//! the timeline writers, the reminders, Socket Mode, the SQLite checkpointer and the pruner. Each runs
//! under a supervisor that notices when it ends before shutdown (it returned, or it
//! panicked), logs which task ended and why, marks it in [`Tasks`] (so `/healthz`
//! answers 503 while it is down), and starts it again after a backoff. A task that
//! keeps dying ([`MAX_DEATHS`] times within [`DEATH_WINDOW`]) is left down, and the
//! health check says so until the process is restarted.
//!
//! Every handle aborts its task when dropped, so dropping the application (a test
//! killing it, or the shutdown grace running out) stops everything it started.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::{JoinError, JoinHandle};

/// Deaths within [`DEATH_WINDOW`] after which a task is no longer restarted.
pub const MAX_DEATHS: usize = 5;
pub const DEATH_WINDOW: Duration = Duration::from_secs(600);
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// A spawned task that is aborted when this handle is dropped.
pub struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    pub fn spawn<F>(future: F) -> Self
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        Self(tokio::spawn(future))
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

/// How one supervised task stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    Running {
        restarts: u32,
    },
    /// Ended unexpectedly; it will be started again.
    Down {
        why: String,
        restarts: u32,
    },
    /// Ended too often; it stays down.
    GaveUp {
        why: String,
    },
}

/// The registry of supervised tasks, shared with the health check.
#[derive(Clone, Default)]
pub struct Tasks {
    states: Arc<Mutex<BTreeMap<String, TaskState>>>,
}

impl Tasks {
    pub fn new() -> Self {
        Self::default()
    }

    /// What is wrong, one line per task that is not running; empty when all are.
    pub fn problems(&self) -> Vec<String> {
        self.lock()
            .iter()
            .filter_map(|(name, state)| match state {
                TaskState::Running { .. } => None,
                TaskState::Down { why, restarts } => Some(format!(
                    "background task `{name}` ended ({why}); restarting (restarted {restarts} times so far)"
                )),
                TaskState::GaveUp { why } => Some(format!(
                    "background task `{name}` ended ({why}) {MAX_DEATHS} times within {} minutes; no longer restarted",
                    DEATH_WINDOW.as_secs() / 60
                )),
            })
            .collect()
    }

    pub fn state(&self, name: &str) -> Option<TaskState> {
        self.lock().get(name).cloned()
    }

    /// Runs `make(shutdown)` as the task called `name` until `shutdown` turns true,
    /// starting it again whenever it ends before then.
    pub fn supervise<F, Fut>(
        &self,
        name: impl Into<String>,
        shutdown: watch::Receiver<bool>,
        make: F,
    ) -> AbortOnDrop<()>
    where
        F: FnMut(watch::Receiver<bool>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let tasks = self.clone();
        AbortOnDrop::spawn(tasks.watch_over(name.into(), shutdown, make))
    }

    async fn watch_over<F, Fut>(
        self,
        name: String,
        mut shutdown: watch::Receiver<bool>,
        mut make: F,
    ) where
        F: FnMut(watch::Receiver<bool>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let mut restarts = 0u32;
        let mut deaths: Vec<Instant> = Vec::new();
        let mut backoff = FIRST_BACKOFF;
        loop {
            self.set(&name, TaskState::Running { restarts });
            let ended = AbortOnDrop::spawn(make(shutdown.clone())).await;
            if *shutdown.borrow() {
                self.lock().remove(&name);
                return;
            }
            let why = match ended {
                Ok(()) => "it returned".to_string(),
                Err(e) if e.is_panic() => format!("panicked: {}", panic_message(e)),
                Err(_) => "it was cancelled".to_string(),
            };
            deaths.retain(|t| t.elapsed() < DEATH_WINDOW);
            deaths.push(Instant::now());
            if deaths.len() >= MAX_DEATHS {
                tracing::error!(task = %name, why = %why, "background task keeps ending; not restarting it");
                self.set(&name, TaskState::GaveUp { why });
                return;
            }
            tracing::error!(task = %name, why = %why, restart_in_ms = backoff.as_millis() as u64, "background task ended unexpectedly; restarting it");
            self.set(&name, TaskState::Down { why, restarts });
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = shutdown.changed() => {
                    self.lock().remove(&name);
                    return;
                }
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
            restarts += 1;
        }
    }

    fn set(&self, name: &str, state: TaskState) {
        self.lock().insert(name.to_string(), state);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, TaskState>> {
        self.states.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn panic_message(e: JoinError) -> String {
    let payload = e.into_panic();
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(start_paused = true)]
    async fn a_task_that_panics_is_reported_down_then_started_again() {
        let tasks = Tasks::new();
        let (_stop, shutdown) = watch::channel(false);
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = runs.clone();
        let _guard = tasks.supervise("escalator", shutdown, move |mut shutdown| {
            let run = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                if run == 0 {
                    panic!("boom");
                }
                let _ = shutdown.changed().await;
            }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(
            tasks.state("escalator"),
            Some(TaskState::Down {
                why: "panicked: boom".into(),
                restarts: 0
            })
        );
        assert!(tasks.problems()[0].contains("`escalator` ended (panicked: boom)"));
        tokio::time::sleep(FIRST_BACKOFF * 2).await;
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        assert_eq!(
            tasks.state("escalator"),
            Some(TaskState::Running { restarts: 1 })
        );
        assert!(tasks.problems().is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn a_task_that_keeps_ending_is_given_up_and_stays_reported() {
        let tasks = Tasks::new();
        let (_stop, shutdown) = watch::channel(false);
        let _guard = tasks.supervise("checkpointer", shutdown, |_| async {});
        tokio::time::sleep(MAX_BACKOFF * MAX_DEATHS as u32).await;
        assert_eq!(
            tasks.state("checkpointer"),
            Some(TaskState::GaveUp {
                why: "it returned".into()
            })
        );
        assert!(tasks.problems()[0].contains("no longer restarted"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_task_that_ends_at_shutdown_is_not_a_problem() {
        let tasks = Tasks::new();
        let (stop, shutdown) = watch::channel(false);
        let guard = tasks.supervise("outbox worker 1", shutdown, |mut shutdown| async move {
            let _ = shutdown.changed().await;
        });
        stop.send(true).unwrap();
        guard.await.unwrap();
        assert_eq!(tasks.state("outbox worker 1"), None);
        assert!(tasks.problems().is_empty());
    }

    #[tokio::test]
    async fn dropping_the_handle_stops_the_task_it_supervises() {
        let tasks = Tasks::new();
        let (_stop, shutdown) = watch::channel(false);
        let alive = Arc::new(AtomicUsize::new(0));
        let ticks = alive.clone();
        let guard = tasks.supervise("ticker", shutdown, move |_| {
            let ticks = ticks.clone();
            async move {
                loop {
                    ticks.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        });
        tokio::time::sleep(Duration::from_millis(30)).await;
        drop(guard);
        tokio::time::sleep(Duration::from_millis(10)).await;
        let after_drop = alive.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(alive.load(Ordering::SeqCst), after_drop, "it kept running");
    }
}

//! The `!` commands a session runs beside its read loop, tracked rather than fired and
//! forgotten: reading never waits for one, but a panic in one is reported (to the log
//! and, by the session, on IRC) instead of lost, and a session that ends waits a
//! bounded time for those still running before aborting them. (Long-lived tasks that
//! restart are [`crate::supervisor`]'s; these run once.)

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;
use tokio::task::{Id, JoinSet};

/// How long an ending session waits for its running commands: with the writer's
/// flush ([`super::writer::FLUSH_LIMIT`]) it stays within the app's shutdown grace.
pub const COMMANDS_LIMIT: Duration = Duration::from_secs(3);

/// Tasks, each with `M`: what to say about it if it panics.
pub struct Supervised<M> {
    set: JoinSet<()>,
    about: HashMap<Id, M>,
}

impl<M> Default for Supervised<M> {
    fn default() -> Self {
        Supervised {
            set: JoinSet::new(),
            about: HashMap::new(),
        }
    }
}

impl<M> Supervised<M> {
    /// Runs `task` at once, beside the caller.
    pub fn spawn<F>(&mut self, about: M, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let id = self.set.spawn(task).id();
        self.about.insert(id, about);
    }

    /// Tasks still running (or finished and not yet reaped).
    pub fn len(&self) -> usize {
        self.set.len()
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Waits for the next task that panics, reaping those that end well on the way;
    /// `None` once none is left. Cancel-safe, so it can sit in a `select!`.
    pub async fn next_panic(&mut self) -> Option<(M, String)> {
        loop {
            match self.set.join_next_with_id().await? {
                Ok((id, ())) => {
                    self.about.remove(&id);
                }
                Err(e) => {
                    let about = self.about.remove(&e.id());
                    if e.is_panic() {
                        let why = panic_text(e.into_panic());
                        if let Some(about) = about {
                            return Some((about, why));
                        }
                    }
                }
            }
        }
    }

    /// Waits up to `limit` for the running tasks (the panics among them returned),
    /// then aborts the rest: how many were aborted.
    pub async fn wind_down(&mut self, limit: Duration) -> (Vec<(M, String)>, usize) {
        let mut panics = Vec::new();
        let waited = tokio::time::timeout(limit, async {
            while let Some(p) = self.next_panic().await {
                panics.push(p);
            }
        })
        .await;
        let aborted = if waited.is_err() { self.set.len() } else { 0 };
        self.set.abort_all();
        while self.set.join_next().await.is_some() {}
        self.about.clear();
        (panics, aborted)
    }
}

fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_task_is_reported_with_what_it_was_about() {
        let mut tasks = Supervised::default();
        tasks.spawn(1_i64, async {});
        tasks.spawn(2_i64, async { panic!("boom") });
        tasks.spawn(3_i64, async {});
        let (about, why) = tasks.next_panic().await.expect("the panic is reported");
        assert_eq!((about, why.as_str()), (2, "boom"));
        assert!(tasks.next_panic().await.is_none());
        assert!(tasks.is_empty());
    }

    // A paused clock: the quick task's 10ms, the limit's 200ms and the slow task's
    // hour pass in that order whatever the machine's load.
    #[tokio::test(start_paused = true)]
    async fn winding_down_waits_for_quick_tasks_and_aborts_slow_ones() {
        let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
        let mut tasks = Supervised::default();
        let quick = done_tx.clone();
        tasks.spawn("quick", async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            quick.send("quick").unwrap();
        });
        let slow = done_tx;
        tasks.spawn("slow", async move {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            slow.send("slow").unwrap();
        });
        tasks.spawn("panics", async { panic!("at {}", 7) });

        let (panics, aborted) = tasks.wind_down(Duration::from_millis(200)).await;

        assert_eq!(panics, vec![("panics", "at 7".to_string())]);
        assert_eq!(aborted, 1);
        assert!(tasks.is_empty());
        assert_eq!(done_rx.recv().await, Some("quick"));
        // The slow one was aborted: its sender is dropped without sending.
        assert_eq!(done_rx.recv().await, None);
    }
}

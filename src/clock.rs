//! The time Warroom acts on. In production: the UTC wall clock read once at start
//! plus tokio's monotonic time since (so it also follows a paused tokio clock). In
//! tests: a manual clock the test moves forward, so an escalation due in five minutes
//! fires the moment the test says five minutes have passed.
//!
//! Why not only `tokio::time::pause`: a paused runtime auto-advances to its next
//! timer whenever it waits on real I/O (the database, loopback sockets), which would
//! fire escalations while a test is still acknowledging over HTTP.

use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};
use tokio::time::Instant;

#[derive(Clone, Debug)]
pub struct Clock(Source);

#[derive(Clone, Debug)]
enum Source {
    System {
        origin_utc: DateTime<Utc>,
        origin: Instant,
    },
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    pub fn new() -> Self {
        Self(Source::System {
            origin_utc: Utc::now(),
            origin: Instant::now(),
        })
    }

    /// A clock that stands still at `start` until [`Clock::advance`] moves it.
    pub fn manual(start: DateTime<Utc>) -> Self {
        Self(Source::Manual(Arc::new(Mutex::new(start))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            Source::System { origin_utc, origin } => {
                let elapsed = Instant::now().saturating_duration_since(*origin);
                *origin_utc + chrono::Duration::from_std(elapsed).unwrap_or_default()
            }
            Source::Manual(at) => *at.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Moves a manual clock forward; a system clock moves by itself and ignores this.
    pub fn advance(&self, by: std::time::Duration) {
        if let Source::Manual(at) = &self.0 {
            let mut at = at.lock().unwrap_or_else(|e| e.into_inner());
            *at += chrono::Duration::from_std(by).unwrap_or_default();
        }
    }

    /// How long from now until `at` (zero if it has passed).
    pub fn until(&self, at: DateTime<Utc>) -> std::time::Duration {
        (at - self.now()).to_std().unwrap_or_default()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn the_system_clock_moves_with_tokio_time() {
        let clock = Clock::new();
        let start = clock.now();
        tokio::time::advance(Duration::from_secs(300)).await;
        assert_eq!((clock.now() - start).num_seconds(), 300);
        assert_eq!(
            clock
                .until(start + chrono::Duration::seconds(360))
                .as_secs(),
            60
        );
    }

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_it() {
        let start = Utc::now();
        let clock = Clock::manual(start);
        let other = clock.clone();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now(), start);
        other.advance(Duration::from_secs(90));
        assert_eq!((clock.now() - start).num_seconds(), 90);
    }
}

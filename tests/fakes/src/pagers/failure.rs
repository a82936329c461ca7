//! Failure injection shared by the fake paging providers.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use super::lock;

/// What an injected failure does to the next request(s) a fake provider receives.
///
/// Each provider answers with its own body shape (documented on its `fail_next`).
/// A failed request is recorded but never changes state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PagerFailure {
    /// HTTP 429 with `Retry-After: {retry_after_secs}`.
    RateLimited { retry_after_secs: u64 },
    /// HTTP 500.
    ServerError,
    /// HTTP 400 (for a well-formed request: use it to test "do not retry").
    BadRequest,
    /// Sleep this long, then handle the request normally. If the client gives up
    /// meanwhile, the request is not applied and is recorded with status 0.
    Hang(Duration),
}

/// What the handler must answer instead of handling the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Injected {
    /// The fake is down: HTTP 503.
    Down,
    RateLimited(u64),
    ServerError,
    BadRequest,
}

/// The queue of injected failures plus the outage switch.
#[derive(Debug, Default)]
pub(crate) struct Injector {
    down: bool,
    queue: VecDeque<PagerFailure>,
}

impl Injector {
    pub fn push(&mut self, n: usize, failure: PagerFailure) {
        self.queue.extend(std::iter::repeat_n(failure, n));
    }

    pub fn set_down(&mut self, down: bool) {
        self.down = down;
    }
}

/// Outage and injected failures. `Ok(())` means: handle the request normally.
/// An outage does not consume queued failures.
pub(crate) async fn interfere(injector: &Mutex<Injector>) -> Result<(), Injected> {
    let failure = {
        let mut injector = lock(injector);
        if injector.down {
            return Err(Injected::Down);
        }
        injector.queue.pop_front()
    };
    match failure {
        None => Ok(()),
        Some(PagerFailure::RateLimited { retry_after_secs }) => {
            Err(Injected::RateLimited(retry_after_secs))
        }
        Some(PagerFailure::ServerError) => Err(Injected::ServerError),
        Some(PagerFailure::BadRequest) => Err(Injected::BadRequest),
        Some(PagerFailure::Hang(duration)) => {
            tokio::time::sleep(duration).await;
            Ok(())
        }
    }
}

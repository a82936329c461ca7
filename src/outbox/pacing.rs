//! Pacing posts per channel: Slack allows about one message a second in a channel,
//! so a worker holds a post back rather than collect 429s.

use std::sync::Arc;
use std::time::Duration;

/// Spacing between posts to one channel: Slack allows about one a second.
pub const POST_SPACING: Duration = Duration::from_millis(1050);

/// The last post to each channel, for pacing. It holds only channels posted to within
/// the last [`POST_SPACING`]: an older post no longer holds anything back, so it is
/// forgotten, and the map stays as small as the set of war rooms busy this second.
#[derive(Clone, Default)]
pub struct Pacing(Arc<std::sync::Mutex<std::collections::HashMap<String, tokio::time::Instant>>>);

impl Pacing {
    /// How long until `channel` may take another post, if it is too soon.
    pub fn too_soon(&self, channel: &str) -> Option<Duration> {
        let last = *self.lock().get(channel)?;
        POST_SPACING
            .checked_sub(last.elapsed())
            .filter(|wait| !wait.is_zero())
    }

    /// Takes `channel`'s next post for the caller, now, if it may take one: `None`
    /// when reserved (post, then call [`Pacing::posted`]), or how long until it may.
    /// Checking and reserving at once matters when two lanes post to one channel
    /// (a person's pages and the notice of pages added to their DM): two workers
    /// must not both find the channel free and post within the same second.
    pub fn reserve(&self, channel: &str) -> Option<Duration> {
        let mut map = self.lock();
        if let Some(wait) = map
            .get(channel)
            .and_then(|last| POST_SPACING.checked_sub(last.elapsed()))
            .filter(|wait| !wait.is_zero())
        {
            return Some(wait);
        }
        map.retain(|_, at| at.elapsed() < POST_SPACING);
        map.insert(channel.to_string(), tokio::time::Instant::now());
        None
    }

    /// Notes a post to `channel` now, and forgets channels that are idle again.
    pub fn posted(&self, channel: String) {
        let mut map = self.lock();
        map.retain(|_, at| at.elapsed() < POST_SPACING);
        map.insert(channel, tokio::time::Instant::now());
    }

    pub fn tracked(&self) -> usize {
        self.lock().len()
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, tokio::time::Instant>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn pacing_holds_a_channel_for_a_second_then_forgets_it() {
        let pacing = Pacing::default();
        pacing.posted("incident:1".into());
        assert!(pacing.too_soon("incident:1").is_some());
        assert_eq!(pacing.too_soon("incident:2"), None);
        tokio::time::advance(POST_SPACING).await;
        assert_eq!(pacing.too_soon("incident:1"), None);
        pacing.posted("incident:2".into());
        assert_eq!(pacing.tracked(), 1, "the idle channel is forgotten");
    }

    #[tokio::test(start_paused = true)]
    async fn of_two_workers_reserving_one_channel_only_the_first_may_post() {
        let pacing = Pacing::default();
        assert_eq!(pacing.reserve("dm:U1"), None, "free: reserved");
        let wait = pacing.reserve("dm:U1").expect("taken this second");
        assert!(wait <= POST_SPACING);
        assert_eq!(pacing.reserve("dm:U2"), None, "another channel is free");
        tokio::time::advance(POST_SPACING).await;
        assert_eq!(pacing.reserve("dm:U1"), None, "free again a second later");
    }
}

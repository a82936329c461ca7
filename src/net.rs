//! HTTP helpers shared by every outbound client: Slack's ([`crate::slack::client`])
//! and the pagers' ([`crate::paging`]).

use reqwest::header::{HeaderMap, RETRY_AFTER};
use std::time::Duration;

/// How long a rate-limited answer asks the caller to wait, from its `Retry-After`
/// header: whole seconds, surrounding whitespace allowed, no cap. The HTTP-date form,
/// a fraction, or anything else unreadable is `None`, and the caller falls back to its
/// own backoff.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, value.parse().unwrap());
        headers
    }

    #[test]
    fn retry_after_reads_whole_seconds_and_nothing_else() {
        assert_eq!(retry_after(&with("7")), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&with(" 30 ")), Some(Duration::from_secs(30)));
        assert_eq!(retry_after(&with("0")), Some(Duration::ZERO));
        assert_eq!(retry_after(&with("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(retry_after(&with("1.5")), None);
        assert_eq!(retry_after(&with("-1")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }
}

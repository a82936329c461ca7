//! Slack's message timestamp (`"1615281300.000100"`): the message id within its channel,
//! and its UTC send time to the microsecond.

use chrono::{DateTime, Utc};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SlackTs(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a Slack timestamp (expected seconds.micros, e.g. 1615281300.000100)")]
pub struct BadTs(pub String);

impl SlackTs {
    pub fn parse(input: &str) -> Result<Self, BadTs> {
        let bad = || BadTs(input.to_string());
        let (secs, micros) = input.split_once('.').ok_or_else(bad)?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(secs) || !digits(micros) || micros.len() != 6 || secs.len() > 12 {
            return Err(bad());
        }
        Ok(Self(input.to_string()))
    }

    /// Builds the ts Slack would give a message sent at `at`.
    pub fn from_datetime(at: DateTime<Utc>) -> Self {
        Self(format!(
            "{}.{:06}",
            at.timestamp(),
            at.timestamp_subsec_micros()
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn to_datetime(&self) -> DateTime<Utc> {
        let (secs, micros) = self.0.split_once('.').expect("validated in parse");
        let secs: i64 = secs.parse().expect("validated in parse");
        let micros: u32 = micros.parse().expect("validated in parse");
        DateTime::from_timestamp(secs, micros * 1000).unwrap_or_default()
    }
}

impl fmt::Display for SlackTs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slack_ts_gives_its_utc_time_to_the_microsecond() {
        let ts = SlackTs::parse("1615281300.000100").unwrap();
        assert_eq!(
            ts.to_datetime().to_rfc3339(),
            "2021-03-09T09:15:00.000100+00:00"
        );
    }

    #[test]
    fn malformed_timestamps_are_rejected() {
        for bad in [
            "",
            "1615281300",
            "1615281300.1",
            "abc.000100",
            ".000100",
            "1.0000001",
        ] {
            assert!(SlackTs::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_datetime_round_trips_through_a_ts() {
        let ts = SlackTs::parse("1700000000.123456").unwrap();
        assert_eq!(SlackTs::from_datetime(ts.to_datetime()), ts);
    }
}

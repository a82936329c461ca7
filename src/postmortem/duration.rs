//! How the postmortem writes times and durations: `2021-03-09 09:15 UTC`, `1h 15m`.

use chrono::{DateTime, TimeDelta, Utc};

/// Whole days, hours and minutes, leaving out zero parts: `2d 3h 4m`, `1h`, `45m`.
/// Exactly zero is `0m`; a few seconds is `under 1m` so it doesn't read as "no time";
/// a negative span (clock skew, an entry before the declaration) counts as zero.
pub fn format_duration(d: TimeDelta) -> String {
    if d <= TimeDelta::zero() {
        return "0m".to_string();
    }
    let secs = d.num_seconds();
    if secs < 60 {
        return "under 1m".to_string();
    }
    let minutes = secs / 60;
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let mut parts = Vec::with_capacity(3);
    if days > 0 {
        parts.push(format!("{days}d"));
    }
    if hours > 0 {
        parts.push(format!("{hours}h"));
    }
    if mins > 0 {
        parts.push(format!("{mins}m"));
    }
    parts.join(" ")
}

/// `2021-03-09 09:15 UTC`
pub fn format_datetime(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mins(m: i64) -> TimeDelta {
        TimeDelta::minutes(m)
    }

    #[test]
    fn durations_read_as_days_hours_and_minutes_without_zero_parts() {
        assert_eq!(format_duration(mins(75)), "1h 15m");
        assert_eq!(format_duration(mins(45)), "45m");
        assert_eq!(format_duration(mins(2 * 1440 + 3 * 60 + 4)), "2d 3h 4m");
        assert_eq!(format_duration(mins(120)), "2h");
        assert_eq!(format_duration(mins(1440 + 4)), "1d 4m");
    }

    #[test]
    fn zero_is_zero_minutes_and_a_few_seconds_is_under_a_minute() {
        assert_eq!(format_duration(TimeDelta::zero()), "0m");
        assert_eq!(format_duration(TimeDelta::seconds(59)), "under 1m");
        assert_eq!(format_duration(TimeDelta::milliseconds(1)), "under 1m");
    }

    #[test]
    fn seconds_are_dropped_rather_than_rounded_up() {
        assert_eq!(format_duration(TimeDelta::seconds(119)), "1m");
    }

    #[test]
    fn a_negative_duration_counts_as_zero() {
        assert_eq!(format_duration(mins(-5)), "0m");
    }
}

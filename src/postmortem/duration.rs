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

/// The span from `from` to `to` as a reader computes it from the `HH:MM` times the
/// draft shows: 13:01:05 to 13:10:00 is 9m, not 8m. Within one shown minute it stays
/// the real span, so a quick answer still reads "under 1m" rather than "0m".
pub fn shown_span(from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
    let minute = |t: DateTime<Utc>| t.timestamp().div_euclid(60);
    match minute(to) - minute(from) {
        0 => to - from,
        minutes => TimeDelta::minutes(minutes),
    }
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
    fn a_shown_span_counts_the_minutes_between_the_times_shown() {
        let at = |h, m, s| chrono::TimeZone::with_ymd_and_hms(&Utc, 2021, 3, 9, h, m, s).unwrap();
        assert_eq!(shown_span(at(13, 1, 5), at(13, 10, 0)), mins(9));
        assert_eq!(shown_span(at(13, 1, 59), at(13, 2, 1)), mins(1));
        assert_eq!(
            shown_span(at(13, 1, 5), at(13, 1, 50)),
            TimeDelta::seconds(45)
        );
        assert_eq!(shown_span(at(13, 10, 0), at(13, 1, 5)), mins(-9));
    }

    #[test]
    fn a_negative_duration_counts_as_zero() {
        assert_eq!(format_duration(mins(-5)), "0m");
    }
}

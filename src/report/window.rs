//! The report's window `[since, until)` and the times people give for its ends: an
//! RFC 3339 time (`2026-12-01T09:00:00Z`, any offset), a date (`2026-12-01`,
//! midnight UTC), an age (`24h`, `7d`: that long before now) or `now`.
//!
//! Ages are a fixed, tiny grammar (a whole number and one of `m`, `h`, `d`, `w`), so
//! they are read here rather than with a duration crate; chrono reads the rest.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use std::fmt;

/// The forms a time may take, for error messages.
pub const TIME_FORMS: &str = "an RFC 3339 time (2026-12-01T09:00:00Z), a date (2026-12-01, midnight UTC), an age (30m, 24h, 7d, 2w) or `now`";

/// The longest age taken, so `now - age` is always a real time.
const MAX_AGE: TimeDelta = TimeDelta::days(366 * 100);

/// A time as given: fixed, or relative to when the report runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeArg {
    At(DateTime<Utc>),
    /// That long before now.
    Ago(Age),
    Now,
}

/// A span written as `<n><unit>`: `30m`, `24h`, `7d`, `2w`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Age {
    delta: TimeDelta,
    text_n: i64,
    unit: char,
}

impl Age {
    /// `24h`, `7d`, … ; `None` for anything else (zero included).
    pub fn parse(raw: &str) -> Option<Age> {
        let raw = raw.trim();
        let unit = raw.chars().last()?.to_ascii_lowercase();
        let digits = &raw[..raw.len() - raw.chars().last()?.len_utf8()];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: i64 = digits.parse().ok()?;
        let delta = match unit {
            'm' => TimeDelta::try_minutes(n)?,
            'h' => TimeDelta::try_hours(n)?,
            'd' => TimeDelta::try_days(n)?,
            'w' => TimeDelta::try_weeks(n)?,
            _ => return None,
        };
        (n > 0 && delta <= MAX_AGE).then_some(Age {
            delta,
            text_n: n,
            unit,
        })
    }

    pub fn delta(self) -> TimeDelta {
        self.delta
    }
}

impl fmt::Display for Age {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.text_n, self.unit)
    }
}

impl TimeArg {
    /// Reads one of [`TIME_FORMS`]; the error says what was given and what is taken.
    pub fn parse(raw: &str) -> Result<TimeArg, String> {
        let trimmed = raw.trim();
        if trimmed.eq_ignore_ascii_case("now") {
            return Ok(TimeArg::Now);
        }
        if let Some(age) = Age::parse(trimmed) {
            return Ok(TimeArg::Ago(age));
        }
        if let Ok(at) = DateTime::parse_from_rfc3339(trimmed) {
            return Ok(TimeArg::At(at.with_timezone(&Utc)));
        }
        if let Ok(day) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
            return Ok(TimeArg::At(day.and_time(chrono::NaiveTime::MIN).and_utc()));
        }
        Err(format!(
            "`{}` is not a time; give {TIME_FORMS}",
            crate::domain::clip(&super::format::one_line(trimmed), 40)
        ))
    }

    /// The time this stands for when the report runs at `now`.
    pub fn at(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            TimeArg::At(at) => at,
            TimeArg::Ago(age) => now - age.delta,
            TimeArg::Now => now,
        }
    }
}

/// `[since, until)`, never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    since: DateTime<Utc>,
    until: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "--since ({}) must be before --until ({}): the report covers from --since up to --until",
    super::format::utc(*.since),
    super::format::utc(*.until)
)]
pub struct EmptyWindow {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

impl Window {
    pub fn new(since: DateTime<Utc>, until: DateTime<Utc>) -> Result<Window, EmptyWindow> {
        if since < until {
            Ok(Window { since, until })
        } else {
            Err(EmptyWindow { since, until })
        }
    }

    /// The `age` up to `now`: what `/incident report 24h` covers.
    pub fn last(age: Age, now: DateTime<Utc>) -> Window {
        Window {
            since: now - age.delta,
            until: now,
        }
    }

    pub fn since(&self) -> DateTime<Utc> {
        self.since
    }

    pub fn until(&self) -> DateTime<Utc> {
        self.until
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.since <= at && at < self.until
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap()
    }

    #[test]
    fn ages_count_back_from_now() {
        for (raw, back) in [
            ("24h", TimeDelta::hours(24)),
            ("7d", TimeDelta::days(7)),
            ("30m", TimeDelta::minutes(30)),
            ("2w", TimeDelta::weeks(2)),
            (" 12H ", TimeDelta::hours(12)),
        ] {
            let arg = TimeArg::parse(raw).unwrap();
            assert_eq!(arg.at(now()), now() - back, "{raw}");
        }
        assert_eq!(Age::parse("7d").unwrap().to_string(), "7d");
    }

    #[test]
    fn rfc3339_times_of_any_offset_and_plain_dates_are_read_as_utc() {
        assert_eq!(
            TimeArg::parse("2026-12-01T10:30:00+01:00")
                .unwrap()
                .at(now()),
            Utc.with_ymd_and_hms(2026, 12, 1, 9, 30, 0).unwrap()
        );
        assert_eq!(
            TimeArg::parse("2026-12-01T09:30:00Z").unwrap().at(now()),
            Utc.with_ymd_and_hms(2026, 12, 1, 9, 30, 0).unwrap()
        );
        assert_eq!(
            TimeArg::parse("2026-12-01").unwrap().at(now()),
            Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(TimeArg::parse("now").unwrap().at(now()), now());
    }

    #[test]
    fn anything_else_is_refused_with_the_forms_taken() {
        for bad in [
            "",
            "yesterday",
            "24",
            "h",
            "0h",
            "-3d",
            "3y",
            "1.5h",
            "2026-13-01",
            "2026-12-01T25:00Z",
            "99999999999999999999d",
            "1e3h",
            "24h ago",
        ] {
            let e = TimeArg::parse(bad).unwrap_err();
            assert!(
                e.contains("is not a time") && e.contains("RFC 3339"),
                "{bad}: {e}"
            );
        }
        assert!(Age::parse("1000000w").is_none(), "beyond a century");
    }

    #[test]
    fn a_window_must_end_after_it_starts() {
        let t = now();
        assert!(Window::new(t - TimeDelta::hours(1), t).is_ok());
        let e = Window::new(t, t).unwrap_err();
        assert!(
            e.to_string()
                .contains("--since (2026-12-02 09:00 UTC) must be before --until")
        );
        assert!(Window::new(t, t - TimeDelta::seconds(1)).is_err());
    }

    #[test]
    fn the_window_holds_its_start_but_not_its_end() {
        let w = Window::last(Age::parse("1h").unwrap(), now());
        assert!(w.contains(now() - TimeDelta::hours(1)));
        assert!(w.contains(now() - TimeDelta::seconds(1)));
        assert!(!w.contains(now()));
        assert!(!w.contains(now() - TimeDelta::hours(2)));
    }
}

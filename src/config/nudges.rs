//! `[nudges]`: how often stakeholders should hear news (a cadence per severity), when
//! the other nudges go off, and the working hours the "can it be resolved?" nudge
//! keeps to, in a named time zone. Every key has a default and an environment
//! override (`WARROOM_NUDGES_…`); a bad value stops startup naming the file and key.

use super::ConfigError;
use super::escalation::parse_duration;
use super::file::FileNudges;
use super::load::{Source, parse_bool};
use chrono::{NaiveTime, Weekday};
use std::time::Duration;

/// The nudges Warroom sends into war rooms, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct NudgeSettings {
    /// Off: no timers are armed and none fire.
    pub enabled: bool,
    /// How long after the declare, or the last stakeholder update, the commander is
    /// nudged to post one; by severity, SEV1 first.
    pub cadence: [Duration; 4],
    /// No commander this long after the declare.
    pub no_commander_after: Duration,
    /// Open with no war-room message this long: "Can it be resolved?".
    pub quiet_after: Duration,
    /// Resolved but not closed this long.
    pub unclosed_after: Duration,
    /// When the quiet nudge may be sent.
    pub working_hours: WorkingHours,
}

/// Working days and hours in a time zone: `start` until `end`, local time.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkingHours {
    pub timezone: chrono_tz::Tz,
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// Monday first.
    pub days: [bool; 7],
}

impl WorkingHours {
    pub fn is_working_day(&self, day: Weekday) -> bool {
        self.days[day.num_days_from_monday() as usize]
    }
}

const MINUTE: u64 = 60;
const HOUR: u64 = 3600;

impl Default for NudgeSettings {
    /// What `config/default.toml` says.
    fn default() -> Self {
        Self {
            enabled: true,
            cadence: [
                Duration::from_secs(15 * MINUTE),
                Duration::from_secs(30 * MINUTE),
                Duration::from_secs(2 * HOUR),
                Duration::from_secs(4 * HOUR),
            ],
            no_commander_after: Duration::from_secs(5 * MINUTE),
            quiet_after: Duration::from_secs(24 * HOUR),
            unclosed_after: Duration::from_secs(24 * HOUR),
            working_hours: WorkingHours {
                timezone: chrono_tz::UTC,
                start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
                end: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
                days: [true, true, true, true, true, false, false],
            },
        }
    }
}

impl NudgeSettings {
    /// No nudges at all.
    pub fn disabled() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }

    /// The update cadence of severity `level` (1–4).
    pub fn cadence_for(&self, level: u8) -> Duration {
        self.cadence[usize::from(level.clamp(1, 4)) - 1]
    }
}

/// The longest any nudge may wait: past it, a value is a typo.
const MAX_WAIT: Duration = Duration::from_secs(30 * 24 * HOUR);

pub(super) fn load_nudges(
    src: &Source<'_>,
    file: FileNudges,
) -> Result<NudgeSettings, ConfigError> {
    let defaults = NudgeSettings::default();
    let invalid = |origin: String, key: &str, problem: String| ConfigError::Invalid {
        origin,
        key: key.to_string(),
        problem,
    };
    let enabled = match src.pick(
        "WARROOM_NUDGES_ENABLED",
        "nudges.enabled",
        file.enabled.map(|b| b.to_string()),
    ) {
        Some((v, origin)) => parse_bool(&v).ok_or_else(|| {
            invalid(
                origin,
                "enabled",
                format!("must be true or false, got `{v}`"),
            )
        })?,
        None => defaults.enabled,
    };
    let duration = |env: &str, key: &str, value: Option<String>, default: Duration| {
        let Some((raw, origin)) = src.pick(env, &format!("nudges.{key}"), value) else {
            return Ok(default);
        };
        let short = key.rsplit('.').next().unwrap_or(key);
        let d = parse_duration(&raw).map_err(|e| invalid(origin.clone(), short, e.to_string()))?;
        if d > MAX_WAIT {
            return Err(invalid(
                origin,
                short,
                format!("must be at most 720h (30 days), got `{raw}`"),
            ));
        }
        Ok(d)
    };
    let cadence_file = file.cadence.unwrap_or_default();
    let mut cadence = defaults.cadence;
    for (i, (slot, value)) in cadence.iter_mut().zip(cadence_file.by_level()).enumerate() {
        let level = i + 1;
        *slot = duration(
            &format!("WARROOM_NUDGES_CADENCE_SEV{level}"),
            &format!("cadence.sev{level}"),
            value,
            *slot,
        )?;
    }
    let no_commander_after = duration(
        "WARROOM_NUDGES_NO_COMMANDER_AFTER",
        "no_commander_after",
        file.no_commander_after,
        defaults.no_commander_after,
    )?;
    let quiet_after = duration(
        "WARROOM_NUDGES_QUIET_AFTER",
        "quiet_after",
        file.quiet_after,
        defaults.quiet_after,
    )?;
    let unclosed_after = duration(
        "WARROOM_NUDGES_UNCLOSED_AFTER",
        "unclosed_after",
        file.unclosed_after,
        defaults.unclosed_after,
    )?;
    let mut hours = defaults.working_hours;
    if let Some((raw, origin)) =
        src.pick("WARROOM_NUDGES_TIMEZONE", "nudges.timezone", file.timezone)
    {
        hours.timezone = raw.trim().parse().map_err(|_| {
            invalid(
                origin,
                "timezone",
                format!("must be an IANA time zone like Europe/Berlin or UTC, got `{raw}`"),
            )
        })?;
    }
    if let Some((raw, origin)) = src.pick(
        "WARROOM_NUDGES_WORKING_HOURS",
        "nudges.working_hours",
        file.working_hours,
    ) {
        (hours.start, hours.end) =
            parse_hours(&raw).map_err(|problem| invalid(origin, "working_hours", problem))?;
    }
    if let Some((raw, origin)) = src.pick(
        "WARROOM_NUDGES_WORKING_DAYS",
        "nudges.working_days",
        file.working_days,
    ) {
        hours.days =
            parse_days(&raw).map_err(|problem| invalid(origin, "working_days", problem))?;
    }
    Ok(NudgeSettings {
        enabled,
        cadence,
        no_commander_after,
        quiet_after,
        unclosed_after,
        working_hours: hours,
    })
}

/// `09:00-18:00`: a start before an end, both `HH:MM` in 24-hour time.
pub fn parse_hours(raw: &str) -> Result<(NaiveTime, NaiveTime), String> {
    let bad = || format!("must be like 09:00-18:00 (24-hour HH:MM, start before end), got `{raw}`");
    let (start, end) = raw.trim().split_once('-').ok_or_else(bad)?;
    let time = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| bad());
    let (start, end) = (time(start)?, time(end)?);
    if start >= end {
        return Err(bad());
    }
    Ok((start, end))
}

/// `mon-fri`, `mon,wed,fri`, `sun-thu`: days and ranges of days (a range may wrap
/// past Sunday), at least one day.
pub fn parse_days(raw: &str) -> Result<[bool; 7], String> {
    let bad = || {
        format!(
            "must be days like mon-fri or mon,wed,fri (mon tue wed thu fri sat sun), got `{raw}`"
        )
    };
    let day = |s: &str| -> Result<usize, String> {
        s.trim()
            .parse::<Weekday>()
            .map(|d| d.num_days_from_monday() as usize)
            .map_err(|_| bad())
    };
    let mut days = [false; 7];
    for part in raw.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (mut d, to) = (day(from)?, day(to)?);
                loop {
                    days[d] = true;
                    if d == to {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => days[day(part)?] = true,
        }
    }
    if !days.contains(&true) {
        return Err(bad());
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::config::test_env::env_of;
    use std::path::{Path, PathBuf};

    fn file(name: &str, text: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("warroom-nudges-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("default.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_shipped_file_says_what_the_defaults_say() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(crate::config::DEFAULT_CONFIG_PATH);
        let s = Settings::load(&path, &env_of(&[])).unwrap();
        assert_eq!(s.nudges, NudgeSettings::default());
    }

    #[test]
    fn a_cadence_and_working_hours_are_read_from_the_file_and_the_environment_wins() {
        let path = file(
            "read",
            "[nudges]\ntimezone = \"Europe/Berlin\"\nworking_hours = \"08:30-17:00\"\nworking_days = \"sun-thu\"\n\
             [nudges.cadence]\nsev1 = \"10m\"\nsev3 = \"1h30m\"\n",
        );
        let env = env_of(&[("WARROOM_NUDGES_CADENCE_SEV1", "5m")]);
        let s = Settings::load(&path, &env).unwrap().nudges;
        assert_eq!(s.cadence_for(1), Duration::from_secs(300));
        assert_eq!(s.cadence_for(2), Duration::from_secs(1800), "default kept");
        assert_eq!(s.cadence_for(3), Duration::from_secs(5400));
        assert_eq!(s.working_hours.timezone, chrono_tz::Europe::Berlin);
        assert_eq!(
            s.working_hours.start,
            NaiveTime::from_hms_opt(8, 30, 0).unwrap()
        );
        assert_eq!(
            s.working_hours.days,
            [true, true, true, true, false, false, true]
        );
    }

    #[test]
    fn bad_values_stop_startup_naming_the_file_and_key() {
        let cases = [
            (
                "[nudges.cadence]\nsev2 = \"soon\"\n",
                "[nudges.cadence.sev2]",
                "`sev2` must be a duration",
            ),
            (
                "[nudges.cadence]\nsev1 = \"0m\"\n",
                "[nudges.cadence.sev1]",
                "longer than zero",
            ),
            (
                "[nudges]\nquiet_after = \"900h\"\n",
                "[nudges.quiet_after]",
                "at most 720h",
            ),
            (
                "[nudges]\ntimezone = \"Mars/Olympus\"\n",
                "[nudges.timezone]",
                "IANA time zone",
            ),
            (
                "[nudges]\nworking_hours = \"18:00-09:00\"\n",
                "[nudges.working_hours]",
                "start before end",
            ),
            (
                "[nudges]\nworking_days = \"mon-fry\"\n",
                "[nudges.working_days]",
                "must be days",
            ),
            (
                "[nudges]\nenabled = \"perhaps\"\n",
                "default.toml",
                "invalid type",
            ),
            (
                "[nudges.cadence]\nsev5 = \"1h\"\n",
                "default.toml",
                "unknown field `sev5`",
            ),
        ];
        for (i, (text, place, problem)) in cases.into_iter().enumerate() {
            let path = file(&format!("bad{i}"), text);
            let err = Settings::load(&path, &env_of(&[])).unwrap_err().to_string();
            assert!(
                err.contains(place) && err.contains(problem),
                "{text}: {err}"
            );
        }
        let env = env_of(&[("WARROOM_NUDGES_TIMEZONE", "Nowhere")]);
        let err = Settings::load(Path::new("/nonexistent/default.toml"), &env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("environment variable WARROOM_NUDGES_TIMEZONE"),
            "{err}"
        );
    }

    #[test]
    fn days_read_as_ranges_and_lists() {
        assert_eq!(
            parse_days("mon-fri").unwrap(),
            [true, true, true, true, true, false, false]
        );
        assert_eq!(
            parse_days("mon,wed, fri").unwrap(),
            [true, false, true, false, true, false, false]
        );
        assert_eq!(
            parse_days("fri-mon").unwrap(),
            [true, false, false, false, true, true, true]
        );
        assert!(parse_days("").is_err());
    }
}

//! When a nudge is due, from what is known about the incident: pure, so each rule is
//! tested without a database or a clock. The engine asks this when a timer fires; if
//! the answer is later than now, the nudge is no longer true and is re-armed instead.

use crate::config::{NudgeSettings, WorkingHours};
use crate::domain::{Nudge, Status};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};

/// What the nudges decide on, read when a timer fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub status: Status,
    /// Severity level, 1 (worst) to 4.
    pub level: u8,
    pub has_commander: bool,
    pub declared_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// The newest stakeholder update.
    pub last_update: Option<DateTime<Utc>>,
    /// The newest war-room message.
    pub last_message: Option<DateTime<Utc>>,
    /// When this nudge last went off: a repeat counts from there.
    pub last_fired: Option<DateTime<Utc>>,
    /// Not before this: a person snoozed it.
    pub snoozed_until: Option<DateTime<Utc>>,
}

/// When to send a nudge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// At this time (now or earlier: send it).
    At(DateTime<Utc>),
    /// Not while the incident is as it is (e.g. not resolved yet): look again later.
    Wait,
    /// Never again for this incident.
    Stop,
}

/// When `nudge` is next due, given `facts`.
pub fn plan(nudge: Nudge, facts: &Facts, settings: &NudgeSettings) -> Plan {
    if facts.status == Status::Closed {
        return Plan::Stop;
    }
    let resolved = facts.status == Status::Resolved;
    // A snooze says when to ask again; without one, a repeat counts from the last ask.
    let last_fired = match facts.snoozed_until {
        Some(_) => None,
        None => facts.last_fired,
    };
    let latest = |times: &[Option<DateTime<Utc>>]| {
        times
            .iter()
            .flatten()
            .copied()
            .fold(facts.declared_at, DateTime::max)
    };
    let at = match nudge {
        Nudge::UpdateDue if resolved => return Plan::Wait,
        Nudge::UpdateDue => {
            let since = latest(&[facts.last_update, last_fired]);
            since + to_chrono(settings.cadence_for(facts.level))
        }
        Nudge::NoCommander if facts.has_commander || resolved => return Plan::Stop,
        // Said once; a snooze asks for it again.
        Nudge::NoCommander if facts.last_fired.is_some() && facts.snoozed_until.is_none() => {
            return Plan::Stop;
        }
        Nudge::NoCommander => facts.declared_at + to_chrono(settings.no_commander_after),
        Nudge::Quiet if resolved => return Plan::Wait,
        Nudge::Quiet => {
            let since = latest(&[facts.last_message, last_fired]);
            since + to_chrono(settings.quiet_after)
        }
        Nudge::Unclosed => match facts.resolved_at {
            Some(resolved_at) if resolved => {
                let since = [last_fired]
                    .into_iter()
                    .flatten()
                    .fold(resolved_at, DateTime::max);
                since + to_chrono(settings.unclosed_after)
            }
            _ => return Plan::Wait,
        },
    };
    let at = facts.snoozed_until.map_or(at, |s| at.max(s));
    Plan::At(match nudge {
        Nudge::Quiet => next_working_instant(at, &settings.working_hours),
        _ => at,
    })
}

/// Settings hold at most 30 days, which always fits.
fn to_chrono(d: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// The first instant at or after `t` that falls in working hours, in the working
/// hours' time zone. `t` itself when it does.
pub fn next_working_instant(t: DateTime<Utc>, hours: &WorkingHours) -> DateTime<Utc> {
    let mut date = t.with_timezone(&hours.timezone).date_naive();
    // A week and a day reaches every weekday once past today.
    for _ in 0..8 {
        if hours.is_working_day(date.weekday()) {
            let open = local(hours, date, hours.start);
            let close = local(hours, date, hours.end);
            if t < close {
                return t.max(open);
            }
        }
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    t // no working day at all: the config refuses that
}

/// `time` on `date` in the zone, as UTC. A time skipped by a clock change (spring
/// forward) is taken as the first instant after the gap; a repeated one, the first.
fn local(hours: &WorkingHours, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let tz = hours.timezone;
    let mut naive = date.and_time(time);
    for _ in 0..4 {
        if let Some(at) = tz.from_local_datetime(&naive).earliest() {
            return at.with_timezone(&Utc);
        }
        naive += chrono::Duration::minutes(30);
    }
    Utc.from_utc_datetime(&naive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// Declared Friday 2026-12-04 at 10:00 UTC, SEV2, open, with a commander.
    fn facts() -> Facts {
        Facts {
            status: Status::Investigating,
            level: 2,
            has_commander: true,
            declared_at: t("2026-12-04T10:00:00Z"),
            resolved_at: None,
            last_update: None,
            last_message: None,
            last_fired: None,
            snoozed_until: None,
        }
    }

    fn berlin() -> NudgeSettings {
        let mut s = NudgeSettings::default();
        s.working_hours.timezone = chrono_tz::Europe::Berlin;
        s
    }

    #[test]
    fn an_update_is_due_one_cadence_after_the_declare_or_the_last_update() {
        let s = NudgeSettings::default();
        assert_eq!(
            plan(Nudge::UpdateDue, &facts(), &s),
            Plan::At(t("2026-12-04T10:30:00Z"))
        );
        let updated = Facts {
            last_update: Some(t("2026-12-04T10:20:00Z")),
            ..facts()
        };
        assert_eq!(
            plan(Nudge::UpdateDue, &updated, &s),
            Plan::At(t("2026-12-04T10:50:00Z"))
        );
        let sev1 = Facts {
            level: 1,
            ..facts()
        };
        assert_eq!(
            plan(Nudge::UpdateDue, &sev1, &s),
            Plan::At(t("2026-12-04T10:15:00Z"))
        );
    }

    #[test]
    fn a_repeat_counts_from_the_last_nudge_and_a_snooze_pushes_it_later() {
        let s = NudgeSettings::default();
        let fired = Facts {
            last_fired: Some(t("2026-12-04T10:30:00Z")),
            ..facts()
        };
        assert_eq!(
            plan(Nudge::UpdateDue, &fired, &s),
            Plan::At(t("2026-12-04T11:00:00Z"))
        );
        let snoozed = Facts {
            snoozed_until: Some(t("2026-12-04T11:30:00Z")),
            ..fired
        };
        assert_eq!(
            plan(Nudge::UpdateDue, &snoozed, &s),
            Plan::At(t("2026-12-04T11:30:00Z"))
        );
        let short = Facts {
            snoozed_until: Some(t("2026-12-04T10:45:00Z")),
            ..snoozed.clone()
        };
        assert_eq!(
            plan(Nudge::UpdateDue, &short, &s),
            Plan::At(t("2026-12-04T10:45:00Z")),
            "a snooze shorter than the cadence asks again when it ends"
        );
        let updated = Facts {
            last_update: Some(t("2026-12-04T10:40:00Z")),
            ..short
        };
        assert_eq!(
            plan(Nudge::UpdateDue, &updated, &s),
            Plan::At(t("2026-12-04T11:10:00Z")),
            "an update posted during the snooze restarts the cadence"
        );
    }

    #[test]
    fn no_commander_is_said_once_five_minutes_in_unless_snoozed() {
        let s = NudgeSettings::default();
        let none = Facts {
            has_commander: false,
            ..facts()
        };
        assert_eq!(
            plan(Nudge::NoCommander, &none, &s),
            Plan::At(t("2026-12-04T10:05:00Z"))
        );
        assert_eq!(plan(Nudge::NoCommander, &facts(), &s), Plan::Stop);
        let fired = Facts {
            last_fired: Some(t("2026-12-04T10:05:00Z")),
            ..none.clone()
        };
        assert_eq!(plan(Nudge::NoCommander, &fired, &s), Plan::Stop);
        let snoozed = Facts {
            snoozed_until: Some(t("2026-12-04T11:05:00Z")),
            ..fired
        };
        assert_eq!(
            plan(Nudge::NoCommander, &snoozed, &s),
            Plan::At(t("2026-12-04T11:05:00Z"))
        );
    }

    #[test]
    fn resolved_incidents_wait_for_updates_and_closed_ones_stop_everything() {
        let s = NudgeSettings::default();
        let resolved = Facts {
            status: Status::Resolved,
            resolved_at: Some(t("2026-12-04T12:00:00Z")),
            ..facts()
        };
        assert_eq!(plan(Nudge::UpdateDue, &resolved, &s), Plan::Wait);
        assert_eq!(plan(Nudge::Quiet, &resolved, &s), Plan::Wait);
        assert_eq!(
            plan(Nudge::Unclosed, &resolved, &s),
            Plan::At(t("2026-12-05T12:00:00Z"))
        );
        assert_eq!(plan(Nudge::Unclosed, &facts(), &s), Plan::Wait);
        let closed = Facts {
            status: Status::Closed,
            ..resolved
        };
        for n in Nudge::ALL {
            assert_eq!(plan(n, &closed, &s), Plan::Stop, "{n:?}");
        }
    }

    #[test]
    fn quiet_waits_a_day_from_the_last_message_then_for_working_hours() {
        let s = berlin();
        // Friday 10:00 UTC + 24h = Saturday 11:00 Berlin: Monday 09:00 Berlin (CET, UTC+1).
        assert_eq!(
            plan(Nudge::Quiet, &facts(), &s),
            Plan::At(t("2026-12-07T08:00:00Z"))
        );
        let talked = Facts {
            last_message: Some(t("2026-12-03T12:00:00Z")),
            declared_at: t("2026-12-03T09:00:00Z"),
            ..facts()
        };
        // Thursday 13:00 Berlin + 24h = Friday 13:00 Berlin: inside working hours.
        assert_eq!(
            plan(Nudge::Quiet, &talked, &s),
            Plan::At(t("2026-12-04T12:00:00Z"))
        );
    }

    #[test]
    fn working_hours_move_a_time_to_the_next_opening_in_the_zone() {
        let hours = berlin().working_hours;
        let cases = [
            // Monday 08:00 Berlin → 09:00 the same day.
            ("2026-12-07T07:00:00Z", "2026-12-07T08:00:00Z"),
            // Monday 12:00 Berlin: already open.
            ("2026-12-07T11:00:00Z", "2026-12-07T11:00:00Z"),
            // Monday 18:00 Berlin: closed, Tuesday 09:00.
            ("2026-12-07T17:00:00Z", "2026-12-08T08:00:00Z"),
            // Friday 19:00 Berlin → Monday 09:00.
            ("2026-12-04T18:00:00Z", "2026-12-07T08:00:00Z"),
            // Summer time: Monday 2026-06-01 09:00 Berlin is 07:00 UTC (CEST).
            ("2026-05-30T12:00:00Z", "2026-06-01T07:00:00Z"),
        ];
        for (at, expected) in cases {
            assert_eq!(next_working_instant(t(at), &hours), t(expected), "{at}");
        }
    }

    #[test]
    fn an_opening_skipped_by_the_clock_change_is_the_first_instant_after_it() {
        let mut hours = berlin().working_hours;
        // Berlin springs forward on Sunday 2026-03-29 from 02:00 to 03:00.
        hours.days = [true; 7];
        hours.start = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        let at = next_working_instant(t("2026-03-28T23:00:00Z"), &hours);
        assert_eq!(at, t("2026-03-29T01:00:00Z"), "03:00 CEST");
        assert!(at - t("2026-03-28T23:00:00Z") < Duration::hours(3));
    }
}

//! Query strings into typed values: the list's filters, page cursors and the trends'
//! window. Anything wrong (an unknown parameter, one given twice, a value that does
//! not parse) becomes a [`BadParam`] naming the parameter, which the page answers
//! with 400 and that message.

use crate::domain::{Severity, Status};
use crate::store::{Cursor, IncidentFilter, Seek, StatusFilter};
use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, Utc};
use std::fmt;

/// A query parameter the page cannot use, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadParam {
    pub param: String,
    pub problem: String,
}

impl fmt::Display for BadParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "The parameter `{}` {}.", self.param, self.problem)
    }
}

fn bad(param: &str, problem: impl Into<String>) -> BadParam {
    BadParam {
        param: clip(param),
        problem: problem.into(),
    }
}

/// Outside text shown back in a message: one line, not too long.
fn clip(text: &str) -> String {
    let one_line: String = text.chars().filter(|c| !c.is_control()).collect();
    crate::domain::clip(&one_line, 60)
}

/// A query string's parameters, each known to the page and given at most once.
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Self, BadParam> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|_| bad("(query)", "is not a valid query string"))?;
        for (i, (name, _)) in pairs.iter().enumerate() {
            if !allowed.contains(&name.as_str()) {
                return Err(bad(
                    name,
                    format!("is not known here; this page takes {}", allowed.join(", ")),
                ));
            }
            if pairs[..i].iter().any(|(earlier, _)| earlier == name) {
                return Err(bad(name, "is given more than once"));
            }
        }
        Ok(Params(pairs))
    }

    /// The value of `name`, trimmed; an empty value (a form's "any") counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// The incident list's query, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub filter: IncidentFilter,
    pub seek: Seek,
    /// The filters as given, to fill the form and build page links.
    pub status: Option<String>,
    pub severity: Option<u8>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

pub const LIST_PARAMS: [&str; 6] = ["status", "severity", "from", "to", "after", "before"];

/// `?status=open&severity=1&from=2026-11-01&to=2026-11-30&after=<cursor>`. `from` and
/// `to` are UTC dates, both included.
pub fn list_query(raw: Option<&str>, include_private: bool) -> Result<ListQuery, BadParam> {
    let p = Params::parse(raw, &LIST_PARAMS)?;
    let status = match p.get("status") {
        None => None,
        Some(s) if s.eq_ignore_ascii_case("open") => Some(StatusFilter::Open),
        Some(s) => Some(StatusFilter::Is(Status::from_stored(&s.to_ascii_lowercase()).map_err(
            |_| {
                bad(
                    "status",
                    format!(
                        "must be open, investigating, identified, monitoring, resolved or closed; got `{}`",
                        clip(s)
                    ),
                )
            },
        )?)),
    };
    let severity = p.get("severity").map(severity).transpose()?;
    let from = p.get("from").map(|v| date("from", v)).transpose()?;
    let to = p.get("to").map(|v| date("to", v)).transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        return Err(bad("to", format!("({t}) is before `from` ({f})")));
    }
    let filter = IncidentFilter {
        status,
        severity,
        from: from.map(start_of),
        until: to.map(|t| start_of(t) + TimeDelta::days(1)),
        include_private,
    };
    Ok(ListQuery {
        filter,
        seek: seek(&p)?,
        status: status.map(|s| match s {
            StatusFilter::Open => "open".to_string(),
            StatusFilter::Is(s) => s.as_str().to_string(),
        }),
        severity: severity.map(Severity::level),
        from,
        to,
    })
}

/// `1`–`4`, or `sev1`–`sev4` in any case.
fn severity(raw: &str) -> Result<Severity, BadParam> {
    let digits = raw
        .strip_prefix("sev")
        .or_else(|| raw.strip_prefix("SEV"))
        .or_else(|| raw.strip_prefix("Sev"))
        .unwrap_or(raw);
    digits
        .parse::<i64>()
        .ok()
        .and_then(|n| Severity::from_level(n).ok())
        .ok_or_else(|| {
            bad(
                "severity",
                format!(
                    "must be 1, 2, 3 or 4 (or sev1 to sev4); got `{}`",
                    clip(raw)
                ),
            )
        })
}

fn date(param: &str, raw: &str) -> Result<NaiveDate, BadParam> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        bad(
            param,
            format!("must be a date like 2026-11-01 (UTC); got `{}`", clip(raw)),
        )
    })
}

fn start_of(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// `after=<cursor>` or `before=<cursor>` (from the page links), or `page=last`.
fn seek(p: &Params) -> Result<Seek, BadParam> {
    let after = p.get("after").map(|v| cursor("after", v)).transpose()?;
    let before = p.get("before").map(|v| cursor("before", v)).transpose()?;
    let last = match p.get("page") {
        None => false,
        Some("last") => true,
        Some(other) => {
            return Err(bad(
                "page",
                format!("can only be `last`; got `{}`", clip(other)),
            ));
        }
    };
    match (after, before, last) {
        (None, None, false) => Ok(Seek::First),
        (Some(c), None, false) => Ok(Seek::After(c)),
        (None, Some(c), false) => Ok(Seek::Before(c)),
        (None, None, true) => Ok(Seek::Last),
        _ => Err(bad(
            if last { "page" } else { "before" },
            "cannot be combined with another page position; follow one page link",
        )),
    }
}

pub const TIMELINE_PARAMS: [&str; 3] = ["after", "before", "page"];

/// The position in an incident's timeline.
pub fn timeline_query(raw: Option<&str>) -> Result<Seek, BadParam> {
    seek(&Params::parse(raw, &TIMELINE_PARAMS)?)
}

/// A page cursor: the row's time (RFC 3339, UTC) and id, as `<time>_<id>`.
pub fn format_cursor(c: Cursor) -> String {
    format!(
        "{}_{}",
        c.at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        c.id
    )
}

fn cursor(param: &str, raw: &str) -> Result<Cursor, BadParam> {
    let parsed = raw.rsplit_once('_').and_then(|(at, id)| {
        let at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
        let id = id.parse::<i64>().ok().filter(|id| *id > 0)?;
        Some(Cursor { at, id })
    });
    parsed.ok_or_else(|| {
        bad(
            param,
            format!(
                "is not a page position (follow the page links); got `{}`",
                clip(raw)
            ),
        )
    })
}

/// The trends' window: whole weeks and whole months back from now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendsWindow {
    pub weeks: u32,
    pub months: u32,
}

pub const DEFAULT_WEEKS: u32 = 26;
pub const DEFAULT_MONTHS: u32 = 12;
pub const MAX_WEEKS: u32 = 104;
pub const MAX_MONTHS: u32 = 36;

pub fn trends_query(raw: Option<&str>) -> Result<TrendsWindow, BadParam> {
    let p = Params::parse(raw, &["weeks", "months"])?;
    let count = |name: &str, default: u32, max: u32| match p.get(name) {
        None => Ok(default),
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                bad(
                    name,
                    format!("must be a whole number from 1 to {max}; got `{}`", clip(v)),
                )
            }),
    };
    Ok(TrendsWindow {
        weeks: count("weeks", DEFAULT_WEEKS, MAX_WEEKS)?,
        months: count("months", DEFAULT_MONTHS, MAX_MONTHS)?,
    })
}

/// The on-call report's window: `?since=…&until=…` in any of
/// [`crate::report::TIME_FORMS`] (`24h`, `7d`, a date, an RFC 3339 time, `now`).
/// The last 24 hours by default; at most [`MAX_REPORT_DAYS`] long, so a page stays
/// readable and quick.
pub fn report_query(
    raw: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<crate::report::Window, BadParam> {
    use crate::report::{TimeArg, Window};
    let p = Params::parse(raw, &["since", "until"])?;
    let time = |name: &str, default: &str| {
        let v = p.get(name).unwrap_or(default);
        TimeArg::parse(v)
            .map(|t| t.at(now))
            .map_err(|problem| bad(name, problem))
    };
    let since = time("since", "24h")?;
    let until = time("until", "now")?;
    let window = Window::new(since, until).map_err(|_| bad("since", "must be before `until`"))?;
    if until - since > chrono::TimeDelta::days(MAX_REPORT_DAYS) {
        return Err(bad(
            "since",
            format!(
                "spans more than {MAX_REPORT_DAYS} days; `warroom report` prints longer windows"
            ),
        ));
    }
    Ok(window)
}

/// The longest window the report page shows.
pub const MAX_REPORT_DAYS: i64 = 31;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_filters_parse_into_a_store_filter() {
        let q = list_query(
            Some("status=open&severity=sev1&from=2026-11-01&to=2026-11-30"),
            false,
        )
        .unwrap();
        assert_eq!(q.filter.status, Some(StatusFilter::Open));
        assert_eq!(q.filter.severity, Some(Severity::SEV1));
        assert_eq!(
            q.filter.from.unwrap().to_rfc3339(),
            "2026-11-01T00:00:00+00:00"
        );
        assert_eq!(
            q.filter.until.unwrap().to_rfc3339(),
            "2026-12-01T00:00:00+00:00",
            "`to` is included"
        );
        assert_eq!(q.seek, Seek::First);
        let q = list_query(Some("status=Resolved&severity=&from="), true).unwrap();
        assert_eq!(q.filter.status, Some(StatusFilter::Is(Status::Resolved)));
        assert_eq!((q.filter.severity, q.filter.from), (None, None));
        assert!(q.filter.include_private);
    }

    #[test]
    fn bad_filters_name_the_parameter() {
        for (query, param, says) in [
            ("severity=9", "severity", "must be 1, 2, 3 or 4"),
            ("severity=high", "severity", "got `high`"),
            ("status=melting", "status", "must be open, investigating"),
            ("from=yesterday", "from", "must be a date like 2026-11-01"),
            ("to=2026-13-01", "to", "must be a date"),
            ("from=2026-11-02&to=2026-11-01", "to", "is before `from`"),
            ("sevrity=1", "sevrity", "is not known here"),
            ("severity=1&severity=2", "severity", "more than once"),
            ("after=garbage", "after", "is not a page position"),
            (
                "after=2026-11-01T00:00:00Z_0",
                "after",
                "is not a page position",
            ),
            (
                "after=2026-11-01T00:00:00Z_1&before=2026-11-01T00:00:00Z_2",
                "before",
                "cannot be combined",
            ),
        ] {
            let err = list_query(Some(query), false).unwrap_err();
            assert_eq!(err.param, param, "{query}: {err}");
            assert!(err.to_string().contains(says), "{query}: {err}");
        }
    }

    #[test]
    fn a_cursor_round_trips_to_the_nanosecond() {
        let at = DateTime::parse_from_rfc3339("2026-11-01T10:00:00.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        let c = Cursor { at, id: 42 };
        let text = format_cursor(c);
        assert_eq!(text, "2026-11-01T10:00:00.123456789Z_42");
        assert_eq!(
            timeline_query(Some(&format!("after={text}"))).unwrap(),
            Seek::After(c)
        );
        assert_eq!(timeline_query(Some("page=last")).unwrap(), Seek::Last);
        assert!(timeline_query(Some("page=2")).is_err());
    }

    #[test]
    fn the_trends_window_has_defaults_and_bounds() {
        assert_eq!(
            trends_query(None).unwrap(),
            TrendsWindow {
                weeks: 26,
                months: 12
            }
        );
        assert_eq!(trends_query(Some("weeks=4")).unwrap().weeks, 4);
        for bad in ["weeks=0", "weeks=105", "months=x", "months=-1", "days=3"] {
            assert!(trends_query(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn outside_text_in_a_message_is_cut_and_kept_to_one_line() {
        let long = format!("severity={}", "9".repeat(500));
        let err = list_query(Some(&long), false).unwrap_err().to_string();
        assert!(err.chars().count() < 200, "{err}");
        let err = list_query(Some("severity=a%0Ab"), false)
            .unwrap_err()
            .to_string();
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn the_report_window_defaults_to_a_day_and_names_a_bad_parameter() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-18T09:00:00Z")
            .unwrap()
            .to_utc();
        let w = report_query(None, now).unwrap();
        assert_eq!(w.until(), now);
        assert_eq!(now - w.since(), chrono::TimeDelta::hours(24));
        let w = report_query(Some("since=2026-11-10&until=2026-11-11"), now).unwrap();
        assert_eq!(w.since().to_rfc3339(), "2026-11-10T00:00:00+00:00");
        for (query, param, says) in [
            ("since=lately", "since", "is not a time"),
            ("until=soon", "until", "is not a time"),
            ("since=now&until=24h", "since", "before `until`"),
            ("since=60d", "since", "more than 31 days"),
            ("weeks=2", "weeks", ""),
        ] {
            let e = report_query(Some(query), now).unwrap_err();
            assert_eq!(e.param, param, "{query}");
            assert!(e.problem.contains(says), "{query}: {}", e.problem);
        }
    }
}

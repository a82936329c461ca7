//! The on-call report as data: what [`super::build`] reads from the store and every
//! renderer (Markdown, Slack, the dashboard's templates) shows. Its serialized shape
//! is a contract for templates, so fields are only ever added, never renamed.
//!
//! Shape (JSON as serde writes it):
//! - times are RFC 3339 strings in UTC (`"2026-12-01T10:00:00Z"`), dates `YYYY-MM-DD`;
//! - a duration is `{"seconds": 250, "text": "4m 10s"}` ([`Elapsed`]);
//! - a person is `{"id": "U06SREONCL", "name": "Karen House"}` ([`PersonRef`]): the
//!   people cache's name, or the id itself when the person is not known;
//! - text fields are plain text: Slack's markup is already resolved (mentions to
//!   `@Name`, links to `label (url)`, `&lt;` to `<`). They are not escaped for any
//!   format; each renderer escapes them for its own (HTML, Markdown, mrkdwn).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// Everything that happened in a window: its incidents and their pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OncallReport {
    /// The window's start, included.
    pub since: DateTime<Utc>,
    /// The window's end, excluded.
    pub until: DateTime<Utc>,
    /// When the report was read from the store.
    pub generated_at: DateTime<Utc>,
    pub totals: Totals,
    /// Oldest declaration first. See [`super`] for which incidents belong.
    pub incidents: Vec<IncidentReport>,
}

/// Counts over the window, for a summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Incidents in the report.
    pub incidents: usize,
    /// Of those, declared within the window.
    pub declared: usize,
    /// Of those, resolved within the window.
    pub resolved: usize,
    /// Of those, not resolved at the window's end.
    pub open_at_end: usize,
    /// Pages sent within the window.
    pub pages: usize,
    /// Of those, acknowledged (at any time).
    pub pages_acked: usize,
}

/// One incident as its on-call log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentReport {
    pub id: i64,
    pub title: String,
    /// A practice incident: listed, and marked DRILL.
    pub drill: bool,
    /// `SEV1` … `SEV4`.
    pub severity: String,
    /// 1 (most severe) to 4.
    pub severity_level: u8,
    /// `investigating`, `identified`, `monitoring`, `resolved` or `closed`, now.
    pub status: String,
    /// Whether it is still unresolved now (investigating, identified or monitoring).
    pub open: bool,
    pub service: Option<String>,
    /// The war room's channel name, without `#`, once it exists.
    pub war_room: Option<String>,
    pub channel_id: Option<String>,
    pub declared_at: DateTime<Utc>,
    pub declared_by: PersonRef,
    pub commander: Option<PersonRef>,
    /// The first acknowledgement of any page, if any.
    pub first_ack: Option<FirstAck>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// From the declaration to `resolved_at`.
    pub time_to_resolve: Option<Elapsed>,
    pub closed_at: Option<DateTime<Utc>>,
    /// What fixed it, in the team's words.
    pub resolution: Option<String>,
    /// Every page of the incident, in the order sent (those outside the window too,
    /// marked by `in_window`, so a shift sees who was woken before it began).
    pub pages: Vec<PageReport>,
    /// The escalation's record: started, switched, levels fired, stopped.
    pub escalations: Vec<EventReport>,
    /// The team's troubleshooting steps: messages marked 📌 or pinned, and changes of
    /// status, severity and roles, and alerts firing or resolving, in time order.
    pub key_events: Vec<EventReport>,
    /// Action items still open, by number.
    pub open_actions: Vec<ActionReport>,
}

/// Who answered first and how long it took from the declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FirstAck {
    pub at: DateTime<Utc>,
    pub by: PersonRef,
    pub after_declared: Elapsed,
}

/// One person paged once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageReport {
    pub person: PersonRef,
    /// The team they were paged through: its name from the escalation config, or
    /// its id when the config no longer has it.
    pub team: Option<String>,
    /// 1-based escalation level; `None` for a page sent by hand.
    pub level: Option<i64>,
    /// Who paged by hand, for a manual page.
    pub paged_by: Option<PersonRef>,
    /// The message sent with a manual page.
    pub note: Option<String>,
    pub paged_at: DateTime<Utc>,
    /// Whether `paged_at` is inside the report's window.
    pub in_window: bool,
    pub acked_at: Option<DateTime<Utc>>,
    /// Who acknowledged: the person paged, or whoever acked at a provider.
    pub acked_by: Option<PersonRef>,
    /// From the page to its acknowledgement.
    pub ack_after: Option<Elapsed>,
    /// How it was acknowledged: `Slack button`, `/incident ack`, `PagerDuty`, …
    pub ack_via: Option<String>,
}

/// A timeline entry the report shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventReport {
    pub at: DateTime<Utc>,
    /// `message` for a marked message, else the system entry's kind (`status`,
    /// `escalation`, `alert_firing`, …).
    pub kind: String,
    /// Who wrote or did it; `None` for what Warroom did by itself.
    pub author: Option<PersonRef>,
    pub text: String,
}

/// An action item still open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionReport {
    /// Its number within the incident (`/incident action done 2`).
    pub seq: i64,
    pub text: String,
    pub owner: Option<PersonRef>,
    pub due: Option<NaiveDate>,
    /// Due before the day the report was generated (UTC).
    pub overdue: bool,
    pub issue_url: Option<String>,
}

/// A Slack user (or a provider's user) by id, with the name to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRef {
    pub id: String,
    /// The people cache's name, else the id.
    pub name: String,
}

/// A span of time, exact and as people say it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Elapsed {
    /// Whole seconds, never negative (clock skew counts as zero).
    pub seconds: i64,
    /// `4m 10s`, `1h 15m`, `2d 3h`: see [`super::format::human`].
    pub text: String,
}

impl Elapsed {
    /// From `from` to `to`, whole seconds, zero when `to` is earlier.
    pub fn between(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        let seconds = (to - from).num_seconds().max(0);
        Elapsed {
            seconds,
            text: super::format::human(seconds),
        }
    }
}

//! A notification as Warroom reads it, whichever tool sent it: Alertmanager's webhook
//! (`version: "4"`) and Grafana's unified-alerting webhook share this core.
//! `crate::alerts::payload` reads each format into it. Pure values, no I/O.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::fmt;

/// Labels or annotations: names to values, in name order.
pub type Pairs = BTreeMap<String, String>;

/// Which tool sent a notification; each has its own route and token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Alertmanager,
    Grafana,
}

impl Source {
    pub const ALL: [Source; 2] = [Source::Alertmanager, Source::Grafana];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Alertmanager => "alertmanager",
            Source::Grafana => "grafana",
        }
    }

    /// As people call it.
    pub fn title(self) -> &'static str {
        match self {
            Source::Alertmanager => "Alertmanager",
            Source::Grafana => "Grafana",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Source::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// How a declarer is shown to people: an alert source by its name (`Alertmanager`),
/// anyone else as `None` (the caller shows the Slack user).
pub fn source_title(declared_by: &str) -> Option<&'static str> {
    Source::from_name(declared_by).map(Source::title)
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStatus {
    Firing,
    Resolved,
}

impl AlertStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Firing => "firing",
            AlertStatus::Resolved => "resolved",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "firing" => Some(AlertStatus::Firing),
            "resolved" => Some(AlertStatus::Resolved),
            _ => None,
        }
    }
}

/// One webhook delivery: a group of alerts.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub source: Source,
    pub receiver: String,
    /// The group's status: `resolved` only when every alert in it has resolved.
    pub status: AlertStatus,
    /// Identifies the group across notifications (Alertmanager's `groupKey`).
    pub group_key: String,
    pub group_labels: Pairs,
    pub common_labels: Pairs,
    pub common_annotations: Pairs,
    /// Alertmanager's or Grafana's own URL, when sent.
    pub external_url: Option<String>,
    /// How many alerts the sender left out for `max_alerts`.
    pub truncated_alerts: u64,
    /// Grafana's `title` (deprecated there, but still sent).
    pub title: Option<String>,
    pub alerts: Vec<Alert>,
}

/// One alert in a notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub status: AlertStatus,
    pub labels: Pairs,
    pub annotations: Pairs,
    /// `None` for Go's zero time or a missing value.
    pub starts_at: Option<DateTime<Utc>>,
    /// `None` for Go's zero time (Grafana's "still firing") or a missing value.
    pub ends_at: Option<DateTime<Utc>>,
    pub generator_url: Option<String>,
    /// Identifies the alert within its group: the sender's `fingerprint`, or one
    /// computed from the labels when an old sender leaves it out.
    pub fingerprint: String,
    pub silence_url: Option<String>,
    pub dashboard_url: Option<String>,
    pub panel_url: Option<String>,
    /// Grafana's `values` (query results by ref id), as sent.
    pub values: Option<serde_json::Value>,
}

impl Alert {
    /// The `alertname` label, or `(unnamed alert)`.
    pub fn name(&self) -> &str {
        self.labels
            .get("alertname")
            .map(String::as_str)
            .filter(|n| !n.trim().is_empty())
            .unwrap_or("(unnamed alert)")
    }

    /// `annotations.runbook_url` (or Grafana's `runbook_url` label-style annotation).
    pub fn runbook_url(&self) -> Option<&str> {
        self.annotations
            .get("runbook_url")
            .map(String::as_str)
            .filter(|u| !u.trim().is_empty())
    }
}

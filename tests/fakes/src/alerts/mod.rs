//! Alert webhook bodies as Alertmanager (`version: "4"`) and Grafana's unified
//! alerting (`version: "1"`) POST them, for integration tests and the benchmark.
//!
//! Build a group of alerts once, then take either sender's body:
//!
//! ```
//! use warroom_fakes::alerts::{AlertGroup, FakeAlert};
//! let group = AlertGroup::new(r#"{}:{alertname="DiskFull"}"#)
//!     .group_label("alertname", "DiskFull")
//!     .alert(
//!         FakeAlert::new("DiskFull")
//!             .label("severity", "critical")
//!             .summary("/var is 97% full")
//!             .runbook("https://runbooks.example.com/disk"),
//!     );
//! let alertmanager_body: Vec<u8> = group.alertmanager_body();
//! let grafana_body: Vec<u8> = group.grafana_body();
//! ```
//!
//! What the senders do and these builders copy (from Alertmanager's
//! `template.Data` and grafana/alerting's `ExtendedData`, as encoded by Go):
//! the group's `status` is firing while any alert fires; `commonLabels` and
//! `commonAnnotations` are the pairs every alert shares; each alert's `fingerprint`
//! is Prometheus's FNV-1a label fingerprint unless set; times are RFC 3339 with
//! trailing zeros trimmed and Go's zero time `0001-01-01T00:00:00Z` for "not set";
//! Grafana sends that zero time as every firing alert's `endsAt`, plus `orgId`,
//! `title`, `state`, `message`, and per alert `silenceURL`, `dashboardURL`,
//! `panelURL` (empty when not linked), `values` (`null` when none) and
//! `valueString`. Serialized JSON escapes `&` as `\u0026`, as Go does.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

mod wire;
use wire::{common, go_json, percent};
pub use wire::{go_time, label_fingerprint};

/// Go's zero `time.Time`, which both senders write for a time that is not set.
pub const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// When a [`FakeAlert`] starts firing unless told: 2026-11-30T09:00:00Z.
pub fn default_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()
}

/// One alert of a group.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeAlert {
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    starts_at: DateTime<Utc>,
    ends_at: Option<DateTime<Utc>>,
    resolved: bool,
    generator_url: String,
    fingerprint: Option<String>,
    sends_fingerprint: bool,
    dashboard_url: String,
    panel_url: String,
    silence_url: Option<String>,
    values: Option<Value>,
}

impl FakeAlert {
    /// A firing alert with the `alertname` label, starting at [`default_start`].
    pub fn new(alertname: &str) -> Self {
        FakeAlert {
            labels: BTreeMap::from([("alertname".to_string(), alertname.to_string())]),
            annotations: BTreeMap::new(),
            starts_at: default_start(),
            ends_at: None,
            resolved: false,
            generator_url: format!(
                "http://prometheus.example.com:9090/graph?g0.expr=ALERTS%7Balertname%3D%22{}%22%7D&g0.tab=1",
                percent(alertname)
            ),
            fingerprint: None,
            sends_fingerprint: true,
            dashboard_url: String::new(),
            panel_url: String::new(),
            silence_url: None,
            values: None,
        }
    }

    pub fn label(mut self, name: &str, value: &str) -> Self {
        self.labels.insert(name.into(), value.into());
        self
    }

    pub fn annotation(mut self, name: &str, value: &str) -> Self {
        self.annotations.insert(name.into(), value.into());
        self
    }

    /// The `summary` annotation.
    pub fn summary(self, text: &str) -> Self {
        self.annotation("summary", text)
    }

    /// The `runbook_url` annotation.
    pub fn runbook(self, url: &str) -> Self {
        self.annotation("runbook_url", url)
    }

    pub fn starts_at(mut self, at: DateTime<Utc>) -> Self {
        self.starts_at = at;
        self
    }

    /// A firing alert's `endsAt` as Prometheus sets it (a little in the future);
    /// Alertmanager passes it on, Grafana always sends the zero time instead.
    pub fn ends_at(mut self, at: DateTime<Utc>) -> Self {
        self.ends_at = Some(at);
        self
    }

    /// Resolved at `at` (its `endsAt`).
    pub fn resolved_at(mut self, at: DateTime<Utc>) -> Self {
        self.resolved = true;
        self.ends_at = Some(at);
        self
    }

    pub fn generator_url(mut self, url: &str) -> Self {
        self.generator_url = url.into();
        self
    }

    /// Sent as given instead of the one computed from the labels.
    pub fn fingerprint(mut self, fingerprint: &str) -> Self {
        self.fingerprint = Some(fingerprint.into());
        self
    }

    /// Leaves `fingerprint` out, as Alertmanager before 0.19 did.
    pub fn without_fingerprint(mut self) -> Self {
        self.sends_fingerprint = false;
        self
    }

    /// Grafana's `dashboardURL` and `panelURL` (a rule linked to a panel).
    pub fn dashboard(mut self, dashboard_url: &str, panel_url: &str) -> Self {
        self.dashboard_url = dashboard_url.into();
        self.panel_url = panel_url.into();
        self
    }

    /// Grafana's `silenceURL`; by default one is built from the labels.
    pub fn silence_url(mut self, url: &str) -> Self {
        self.silence_url = Some(url.into());
        self
    }

    /// Grafana's `values` (query results by ref id), e.g. `json!({"A": 93.4, "C": 1})`.
    pub fn values(mut self, values: Value) -> Self {
        self.values = Some(values);
        self
    }

    pub fn name(&self) -> &str {
        &self.labels["alertname"]
    }

    pub fn is_firing(&self) -> bool {
        !self.resolved
    }

    /// The fingerprint the body carries (or would, for [`Self::without_fingerprint`]).
    pub fn fingerprint_sent(&self) -> String {
        self.fingerprint
            .clone()
            .unwrap_or_else(|| label_fingerprint(&self.labels))
    }

    fn status(&self) -> &'static str {
        if self.resolved { "resolved" } else { "firing" }
    }

    /// The fields both senders send, in Go's field order.
    fn core(&self, ends_at: Option<DateTime<Utc>>) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("status".into(), self.status().into());
        m.insert("labels".into(), json!(self.labels));
        m.insert("annotations".into(), json!(self.annotations));
        m.insert("startsAt".into(), go_time(Some(self.starts_at)).into());
        m.insert("endsAt".into(), go_time(ends_at).into());
        m.insert("generatorURL".into(), self.generator_url.clone().into());
        if self.sends_fingerprint {
            m.insert("fingerprint".into(), self.fingerprint_sent().into());
        }
        m
    }

    fn alertmanager(&self) -> Value {
        Value::Object(self.core(self.ends_at))
    }

    fn grafana(&self, external_url: &str) -> Value {
        let ends_at = if self.resolved { self.ends_at } else { None };
        let mut m = self.core(ends_at);
        let silence = self.silence_url.clone().unwrap_or_else(|| {
            let matchers: String = self
                .labels
                .iter()
                .map(|(k, v)| format!("&matcher={}", percent(&format!("{k}={v}"))))
                .collect();
            let base = external_url.trim_end_matches('/');
            format!("{base}/alerting/silence/new?alertmanager=grafana{matchers}&orgId=1")
        });
        m.insert("silenceURL".into(), silence.into());
        m.insert("dashboardURL".into(), self.dashboard_url.clone().into());
        m.insert("panelURL".into(), self.panel_url.clone().into());
        m.insert("values".into(), self.values.clone().unwrap_or(Value::Null));
        m.insert("valueString".into(), "".into());
        m.insert("orgId".into(), 1.into());
        Value::Object(m)
    }
}

/// A group of alerts as one notification carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertGroup {
    group_key: String,
    receiver: String,
    group_labels: BTreeMap<String, String>,
    external_url: Option<String>,
    truncated_alerts: u64,
    alerts: Vec<FakeAlert>,
}

impl AlertGroup {
    /// An empty group under `group_key`, for the receiver `warroom`.
    pub fn new(group_key: &str) -> Self {
        AlertGroup {
            group_key: group_key.into(),
            receiver: "warroom".into(),
            group_labels: BTreeMap::new(),
            external_url: None,
            truncated_alerts: 0,
            alerts: Vec::new(),
        }
    }

    /// The receiver's name, sent as is (Alertmanager regexp-quotes it:
    /// `web.hook` arrives as `web\.hook`).
    pub fn receiver(mut self, name: &str) -> Self {
        self.receiver = name.into();
        self
    }

    pub fn group_label(mut self, name: &str, value: &str) -> Self {
        self.group_labels.insert(name.into(), value.into());
        self
    }

    /// The sender's own URL; defaults to an example Alertmanager or Grafana.
    pub fn external_url(mut self, url: &str) -> Self {
        self.external_url = Some(url.into());
        self
    }

    /// How many alerts the sender left out for `max_alerts`.
    pub fn truncated(mut self, count: u64) -> Self {
        self.truncated_alerts = count;
        self
    }

    pub fn alert(mut self, alert: FakeAlert) -> Self {
        self.alerts.push(alert);
        self
    }

    pub fn alerts(&self) -> &[FakeAlert] {
        &self.alerts
    }

    pub fn group_key(&self) -> &str {
        &self.group_key
    }

    /// Firing while any alert fires.
    pub fn status(&self) -> &'static str {
        if self.alerts.iter().any(FakeAlert::is_firing) {
            "firing"
        } else {
            "resolved"
        }
    }

    /// The labels every alert shares, as the senders compute `commonLabels`.
    pub fn common_labels(&self) -> BTreeMap<String, String> {
        common(self.alerts.iter().map(|a| &a.labels))
    }

    pub fn common_annotations(&self) -> BTreeMap<String, String> {
        common(self.alerts.iter().map(|a| &a.annotations))
    }

    /// Alertmanager 0.34's webhook body.
    pub fn alertmanager(&self) -> Value {
        let external = self
            .external_url
            .as_deref()
            .unwrap_or("http://alertmanager.example.com:9093");
        json!({
            "receiver": self.receiver,
            "status": self.status(),
            "alerts": self.alerts.iter().map(FakeAlert::alertmanager).collect::<Vec<_>>(),
            "notification_reason": "first notification",
            "groupLabels": self.group_labels,
            "commonLabels": self.common_labels(),
            "commonAnnotations": self.common_annotations(),
            "routeLabels": {},
            "externalURL": external,
            "version": "4",
            "groupKey": self.group_key,
            "truncatedAlerts": self.truncated_alerts,
        })
    }

    /// Grafana's unified-alerting webhook body (Grafana 11/12).
    pub fn grafana(&self) -> Value {
        let external = self
            .external_url
            .as_deref()
            .unwrap_or("https://grafana.example.com/");
        let firing = self.alerts.iter().filter(|a| a.is_firing()).count();
        let (title, state) = if firing > 0 {
            (
                format!("[FIRING:{firing}] {}", self.title_suffix()),
                "alerting",
            )
        } else {
            (format!("[RESOLVED] {}", self.title_suffix()), "ok")
        };
        json!({
            "receiver": self.receiver,
            "status": self.status(),
            "alerts": self.alerts.iter().map(|a| a.grafana(external)).collect::<Vec<_>>(),
            "groupLabels": self.group_labels,
            "commonLabels": self.common_labels(),
            "commonAnnotations": self.common_annotations(),
            "externalURL": external,
            "version": "1",
            "groupKey": self.group_key,
            "truncatedAlerts": self.truncated_alerts,
            "orgId": 1,
            "title": title,
            "state": state,
            "message": format!("**{}**\n", if firing > 0 { "Firing" } else { "Resolved" }),
        })
    }

    /// [`Self::alertmanager`] as the bytes Alertmanager POSTs.
    pub fn alertmanager_body(&self) -> Vec<u8> {
        go_json(&self.alertmanager())
    }

    /// [`Self::grafana`] as the bytes Grafana POSTs.
    pub fn grafana_body(&self) -> Vec<u8> {
        go_json(&self.grafana())
    }

    /// Grafana's default title: group label values, then the other common ones.
    fn title_suffix(&self) -> String {
        let common = self.common_labels();
        let rest: Vec<&str> = common
            .iter()
            .filter(|(k, _)| !self.group_labels.contains_key(*k))
            .map(|(_, v)| v.as_str())
            .collect();
        let groups: Vec<&str> = self.group_labels.values().map(String::as_str).collect();
        format!("{} ({})", groups.join(" "), rest.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_labels_are_those_every_alert_shares_and_the_status_follows_the_alerts() {
        let group = AlertGroup::new("{}:{}")
            .alert(FakeAlert::new("A").label("team", "db").label("host", "1"))
            .alert(
                FakeAlert::new("A")
                    .label("team", "db")
                    .label("host", "2")
                    .resolved_at(default_start()),
            );
        let common = group.common_labels();
        assert_eq!(common.get("team").map(String::as_str), Some("db"));
        assert!(!common.contains_key("host"));
        assert_eq!(group.status(), "firing");
        assert_eq!(group.alertmanager()["status"], "firing");
    }

    #[test]
    fn grafana_sends_the_zero_time_as_a_firing_alerts_end_but_alertmanager_passes_it_on() {
        let later = default_start() + chrono::Duration::minutes(4);
        let group = AlertGroup::new("{}:{}").alert(FakeAlert::new("A").ends_at(later));
        assert_eq!(group.grafana()["alerts"][0]["endsAt"], GO_ZERO_TIME);
        assert_eq!(
            group.alertmanager()["alerts"][0]["endsAt"],
            "2026-11-30T09:04:00Z"
        );
    }
}

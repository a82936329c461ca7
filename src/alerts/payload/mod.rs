//! Reading a webhook body into a [`Notification`]: Alertmanager's (`version: "4"`,
//! `alertmanager.rs`) and Grafana's unified-alerting one (`version: "1"`,
//! `grafana.rs`). Both encode Alertmanager's template data (receiver, status,
//! alerts, group and common labels, groupKey, truncatedAlerts); Grafana adds links
//! and `values` to each alert. Samples of both are in `tests/fixtures/alerts/`.
//!
//! Lenient where real senders vary:
//! - unknown fields are ignored (each release adds some), `null` reads as missing;
//! - a missing `version` or `receiver` is accepted; a missing `groupKey` or
//!   `fingerprint` is derived (see [`derived_group_key`], [`fingerprint`]); empty
//!   URLs read as none;
//! - times are RFC 3339 in any offset, read into UTC; Go's zero time reads as none;
//! - an alert without `status` has the notification's; a notification without one
//!   is firing when any alert fires. A sender that says `firing` while every alert
//!   has resolved (Alertmanager takes the two readings a moment apart) is read as
//!   resolved. Two alerts with one fingerprint keep the later.
//!
//! Strict where the data would be wrong, each error naming the path and what was
//! expected (it is the 400's text): not a JSON object; `alerts` missing, empty, not
//! an array, or over [`MAX_ALERTS`]; a status other than `firing`/`resolved`, or a
//! `resolved` notification with a firing alert; labels or annotations that are not
//! objects of strings; an unreadable time; another version; Grafana's legacy alerting format; NUL characters, which no store keeps.
//! Values are kept as sent: escaping happens where they are shown.

mod alertmanager;
mod grafana;
mod identity;
mod read;
#[cfg(test)]
mod tests;

pub use identity::{derived_group_key, fingerprint};

use crate::domain::alert::{Alert, AlertStatus, Notification, Source};
use read::{Fields, wrong};
use serde_json::Value;
use std::collections::HashMap;

/// The most alerts one notification may carry. Alertmanager and Grafana both have
/// a `max_alerts` setting for their webhooks that keeps a group under it.
pub const MAX_ALERTS: usize = 10_000;

/// Why a body is not a notification; answered as 400 with this text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PayloadError(pub String);

/// Reads `body` as `source`'s webhook format.
pub fn parse(source: Source, body: &[u8]) -> Result<Notification, PayloadError> {
    let format = match source {
        Source::Alertmanager => alertmanager::FORMAT,
        Source::Grafana => grafana::FORMAT,
    };
    let value = json(body, format)?;
    let Value::Object(obj) = &value else {
        return Err(PayloadError(format!(
            "the body must be a JSON object ({format}), not {}",
            read::kind(&value)
        )));
    };
    let top = Fields::new(obj, String::new());
    grafana::refuse_legacy(&top)?;
    match source {
        Source::Alertmanager => alertmanager::check_version(&top)?,
        Source::Grafana => grafana::check_version(&top)?,
    }
    let items = alert_items(&top)?;
    let sent_status = top.status("status")?;
    let alerts = items
        .iter()
        .enumerate()
        .map(|(i, item)| alert(source, i, item, sent_status))
        .collect::<Result<Vec<_>, _>>()?;
    let alerts = distinct(alerts);
    let receiver = top.string("receiver")?.unwrap_or_default().to_string();
    let group_labels = top.pairs("groupLabels")?;
    let group_key = match top.non_empty("groupKey")? {
        Some(key) => key,
        None => derived_group_key(&receiver, &group_labels),
    };
    Ok(Notification {
        source,
        receiver,
        status: group_status(sent_status, &alerts)?,
        group_key,
        group_labels,
        common_labels: top.pairs("commonLabels")?,
        common_annotations: top.pairs("commonAnnotations")?,
        external_url: top.non_empty("externalURL")?,
        truncated_alerts: top.count("truncatedAlerts")?,
        title: match source {
            Source::Alertmanager => None,
            Source::Grafana => grafana::title(&top)?,
        },
        alerts,
    })
}

fn json(body: &[u8], format: &str) -> Result<Value, PayloadError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(PayloadError(format!(
            "the body is empty: expected {format}"
        )));
    }
    serde_json::from_slice(body)
        .map_err(|e| PayloadError(format!("the body is not JSON ({e}): expected {format}")))
}

fn alert_items<'a>(top: &Fields<'a>) -> Result<&'a [Value], PayloadError> {
    let items = match top.get("alerts") {
        None => {
            return Err(PayloadError(
                "`alerts` is missing: expected an array of alerts".into(),
            ));
        }
        Some(Value::Array(items)) => items,
        Some(other) => return Err(wrong("alerts", "an array of alerts", other)),
    };
    if items.is_empty() {
        return Err(PayloadError(
            "`alerts` is empty: a notification carries at least one alert".into(),
        ));
    }
    if items.len() > MAX_ALERTS {
        return Err(PayloadError(format!(
            "`alerts` has {} alerts, over the {MAX_ALERTS} one notification may carry: \
             set `max_alerts` on the webhook",
            items.len()
        )));
    }
    Ok(items)
}

fn alert(
    source: Source,
    i: usize,
    item: &Value,
    sent_status: Option<AlertStatus>,
) -> Result<Alert, PayloadError> {
    let at = format!("alerts[{i}]");
    let Value::Object(obj) = item else {
        return Err(wrong(&at, "an alert object", item));
    };
    let f = Fields::new(obj, at);
    let status = match (f.status("status")?, sent_status) {
        (Some(status), _) | (None, Some(status)) => status,
        (None, None) => {
            return Err(PayloadError(format!(
                "`{}` is missing, and so is the notification's `status`: \
                 expected \"firing\" or \"resolved\"",
                f.path("status")
            )));
        }
    };
    let labels = f.pairs("labels")?;
    let fingerprint = match f.non_empty("fingerprint")? {
        Some(sent) => sent,
        None => identity::fingerprint(&labels),
    };
    let mut alert = Alert {
        status,
        labels,
        annotations: f.pairs("annotations")?,
        starts_at: f.time("startsAt")?,
        ends_at: f.time("endsAt")?,
        generator_url: f.non_empty("generatorURL")?,
        fingerprint,
        silence_url: None,
        dashboard_url: None,
        panel_url: None,
        values: None,
    };
    if source == Source::Grafana {
        grafana::read_extras(&f, &mut alert)?;
    }
    Ok(alert)
}

/// Each alert once: the store keeps one row per fingerprint. Two readings of one
/// alert in one notification keep the later one (in the order sent), and the rest of
/// the notification is taken: refusing it with a 400 would make the sender drop it.
fn distinct(alerts: Vec<Alert>) -> Vec<Alert> {
    let mut last = HashMap::with_capacity(alerts.len());
    for (i, alert) in alerts.iter().enumerate() {
        last.insert(alert.fingerprint.clone(), i);
    }
    if last.len() < alerts.len() {
        tracing::warn!(
            sent = alerts.len(),
            distinct = last.len(),
            "a notification repeats alerts by fingerprint; keeping the last of each"
        );
    }
    alerts
        .into_iter()
        .enumerate()
        .filter(|(i, a)| last.get(&a.fingerprint) == Some(i))
        .map(|(_, a)| a)
        .collect()
}

/// Firing while any alert fires, as the senders compute it.
fn group_status(sent: Option<AlertStatus>, alerts: &[Alert]) -> Result<AlertStatus, PayloadError> {
    let firing = alerts.iter().position(|a| a.status == AlertStatus::Firing);
    match (sent, firing) {
        (Some(AlertStatus::Resolved), Some(i)) => Err(PayloadError(format!(
            "`status` is \"resolved\" but `alerts[{i}]` is firing: \
             a group has resolved only when all its alerts have"
        ))),
        (_, Some(_)) => Ok(AlertStatus::Firing),
        (_, None) => Ok(AlertStatus::Resolved),
    }
}

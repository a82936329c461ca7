//! What Warroom shows in Slack about alerts: the group's context pinned in the war
//! room (runbook first), the note that every alert resolved at the source, the
//! triage post with its "Declare incident" button and what it turns into, and the
//! "Firing" section of the pinned summary. Built from data; no I/O.
//!
//! Alert text is written by whoever can reach Alertmanager or Grafana, so none of it
//! is trusted: names, labels and annotations go through [`super::untrusted::inert`]
//! (no mention, broadcast or link survives), URLs through [`super::untrusted::link`]
//! (http(s) only, unable to leave their `<…>`), and every text object is `verbatim`.

mod parts;
#[cfg(test)]
mod tests;

pub use parts::{GroupView, MAX_ALERTS_SHOWN};

use super::untrusted::inert;
use crate::domain::alert::AlertStatus;
use crate::domain::{Status, clip};
use crate::store::StoredAlert;
use chrono::{DateTime, Utc};
use parts::{
    alert_lines, external, facts, header, labels_and_annotations, prose, runbook, section,
};
use serde_json::{Value, json};

/// The triage post's "Declare incident" button; its value is the alert group id.
pub const DECLARE_ALERT_ACTION_ID: &str = "warroom_alert_declare";
/// The "Resolve incident" button under "every alert resolved"; its value is the
/// incident id.
pub const RESOLVE_ALERT_ACTION_ID: &str = "warroom_alert_resolve";
/// Block Kit's limit on a message's blocks.
const MAX_BLOCKS: usize = 50;
/// What the Resolve button records as the resolution.
pub const RESOLVED_AT_SOURCE: &str = "Every alert resolved at the source";

/// The group's context for the war room, to pin: `(fallback text, blocks)`.
pub fn alert_post(v: &GroupView<'_>) -> (String, Value) {
    let names = v.names();
    let text = format!("🔔 {} alert: {}", v.source(), inert(&names));
    let mut blocks = vec![header(&format!("🔔 {}: {names}", v.source())), runbook(v)];
    blocks.extend(prose(v));
    blocks.push(facts(v, false));
    blocks.extend(alert_lines(v));
    blocks.extend(labels_and_annotations(v));
    blocks.extend(external(v));
    blocks.push(
        json!({"type": "context", "elements": [{"type": "mrkdwn", "text":
        "The alert as its sender described it. The pinned summary shows what is still firing."}]}),
    );
    (text, capped(blocks, None))
}

/// A group no rule declared, for the triage channel, with the Declare button.
pub fn triage_post(v: &GroupView<'_>) -> (String, Value) {
    let (text, mut blocks) = triage_body(v);
    blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text":
        "No rule in config/alerts.toml declares an incident for this. Declare one if it needs people on it."}]}));
    let button = json!({"type": "actions", "block_id": "alert_triage", "elements": [
        {"type": "button", "action_id": DECLARE_ALERT_ACTION_ID, "style": "primary",
         "value": v.group.id.to_string(), "text": {"type": "plain_text", "text": "Declare incident"}}
    ]});
    (text, capped(blocks, Some(button)))
}

/// What became of a triage post's group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriageOutcome {
    Declared {
        incident_id: i64,
        /// `None` while the war room is being opened.
        channel_id: Option<String>,
    },
    Resolved {
        at: Option<DateTime<Utc>>,
    },
}

/// The triage post once its group was declared or resolved: no button, and what
/// happened on top.
pub fn triage_done(v: &GroupView<'_>, outcome: &TriageOutcome) -> (String, Value) {
    let (_, mut blocks) = triage_body(v);
    let said = match outcome {
        TriageOutcome::Declared {
            incident_id,
            channel_id: Some(c),
        } => format!("✅ Declared as incident #{incident_id} <#{c}>"),
        TriageOutcome::Declared { incident_id, .. } => {
            format!("✅ Declared as incident #{incident_id} (its war room is opening)")
        }
        TriageOutcome::Resolved { at: Some(at) } => {
            format!("✅ Resolved at the source at {}", at.format("%H:%M UTC"))
        }
        TriageOutcome::Resolved { at: None } => "✅ Resolved at the source".to_string(),
    };
    blocks.insert(1, section(&said));
    let text = format!("{said}: {}", inert(&v.names()));
    (text, capped(blocks, None))
}

fn triage_body(v: &GroupView<'_>) -> (String, Vec<Value>) {
    let names = v.names();
    let text = format!("🔔 {} alert to triage: {}", v.source(), inert(&names));
    let mut blocks = vec![header(&format!("🔔 To triage: {names}")), runbook(v)];
    blocks.extend(prose(v));
    blocks.push(facts(v, true));
    blocks.extend(alert_lines(v));
    blocks.extend(labels_and_annotations(v));
    blocks.extend(external(v));
    (text, blocks)
}

/// What the war room can do now that every alert of a group resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterResolved {
    /// The rule's `auto_resolve` marked the incident resolved.
    AutoResolved,
    /// The incident is open: offer the Resolve button.
    Offer,
    /// Someone resolved (or closed) it meanwhile.
    Already(Status),
}

/// "Every alert of this group has resolved", with the Resolve button when it helps.
pub fn alerts_resolved(
    v: &GroupView<'_>,
    incident_id: i64,
    next: AfterResolved,
) -> (String, Value) {
    let text = format!(
        "✅ Every alert of this group has resolved at {}.",
        v.source()
    );
    let mut blocks = vec![section(&format!("{text}\n{}", inert(&v.names())))];
    match next {
        AfterResolved::AutoResolved => blocks.push(section(
            "Warroom marked the incident resolved because every alert resolved (auto_resolve). It stays open for the postmortem: `/incident close` when done.",
        )),
        AfterResolved::Offer => blocks.push(json!({"type": "actions", "block_id": "alerts_resolved", "elements": [
            {"type": "button", "action_id": RESOLVE_ALERT_ACTION_ID, "style": "primary",
             "value": incident_id.to_string(), "text": {"type": "plain_text", "text": "Resolve incident"}}
        ]})),
        AfterResolved::Already(status) => blocks.push(section(&format!(
            "The incident is already {status}."
        ))),
    }
    (text, Value::Array(blocks))
}

/// The pinned summary's "Firing" section: alert names with counts, or that all
/// resolved. `None` for an incident no alert feeds.
pub fn firing_block(alerts: &[StoredAlert]) -> Option<Value> {
    if alerts.is_empty() {
        return None;
    }
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for a in alerts.iter().filter(|a| a.status == AlertStatus::Firing) {
        match counts.iter_mut().find(|(n, _)| *n == a.alertname) {
            Some((_, c)) => *c += 1,
            None => counts.push((&a.alertname, 1)),
        }
    }
    if counts.is_empty() {
        return Some(section("*Firing*\n✅ All alerts resolved at the source"));
    }
    let mut lines: Vec<String> = counts
        .iter()
        .take(MAX_ALERTS_SHOWN)
        .map(|(name, n)| match n {
            1 => format!("🔴 {}", inert(&clip(name, 200))),
            n => format!("🔴 {} ×{n}", inert(&clip(name, 200))),
        })
        .collect();
    if counts.len() > MAX_ALERTS_SHOWN {
        lines.push(format!(
            "_…and {} more alert names_",
            counts.len() - MAX_ALERTS_SHOWN
        ));
    }
    let resolved = alerts
        .iter()
        .filter(|a| a.status == AlertStatus::Resolved)
        .count();
    if resolved > 0 {
        lines.push(format!("_{resolved} resolved_"));
    }
    Some(section(&format!("*Firing*\n{}", lines.join("\n"))))
}

/// Within Block Kit's 50 blocks, keeping `last` (the buttons) when given.
fn capped(mut blocks: Vec<Value>, last: Option<Value>) -> Value {
    let room = MAX_BLOCKS - usize::from(last.is_some());
    if blocks.len() > room {
        blocks.truncate(room - 1);
        blocks.push(section("_…cut to fit Slack's limits_"));
    }
    blocks.extend(last);
    Value::Array(blocks)
}

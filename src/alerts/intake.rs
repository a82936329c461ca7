//! One notification, handled in one transaction under its group's row lock, before
//! the sender hears 200: a retry (Alertmanager retries on 5xx and timeouts) or a
//! re-send at `repeat_interval` finds every alert already in the state it reports and
//! changes nothing.
//!
//! What a notification can do, in order:
//! - feed the open incident its group already feeds: alerts that start firing or
//!   resolve become timeline entries, new ones are announced in the war room;
//! - reopen that incident when it was marked resolved and an alert fires again within
//!   the flap window (outside it, a new incident is declared);
//! - declare an incident, when a firing alert matches a rule and the group feeds no
//!   open incident;
//! - post the group to triage, when no rule matches;
//! - tell the war room that every alert of the group resolved, and under the rule's
//!   `auto_resolve` mark the incident resolved (never closed).

use crate::commands::declare::{DeclareArgs, DeclaredVia, NewIncident, declare_in};
use crate::config::alert_rules::{AlertRules, Rule, TitleContext};
use crate::config::escalation::EscalationConfig;
use crate::domain::alert::{Alert, AlertStatus, Notification};
use crate::domain::{
    Change, Incident, IncidentTitle, MAX_TITLE_CHARS, Status, TimelineEntry, clip,
};
use crate::error::AppError;
use crate::outbox::{self, Op};
use crate::paging;
use crate::slack::untrusted::inert;
use crate::state::AppState;
use crate::store::{AlertChange, AlertGroup, StoredAlert, Tx};
use chrono::{DateTime, Utc};

/// Timeline kinds of alert entries.
pub const FIRING_KIND: &str = "alert_firing";
pub const RESOLVED_KIND: &str = "alert_resolved";

/// What a notification did, for the HTTP answer and the logs.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    /// The incident the group feeds after this notification, if any.
    pub incident_id: Option<i64>,
    /// A new incident was declared.
    pub declared: bool,
    /// The incident was reopened (an alert fired again within the flap window).
    pub reopened: bool,
    /// Alerts whose state changed.
    pub changed: usize,
    /// Posted to the triage channel.
    pub triaged: bool,
    /// Matched no rule and no triage channel is set: dropped (and logged).
    pub dropped: bool,
}

/// Handles `n` and commits; the caller answers the sender after this returns.
pub async fn intake(state: &AppState, n: Notification) -> Result<Outcome, AppError> {
    let rules = state.settings.alerts.clone();
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let mut group = tx.lock_alert_group(&n, now).await?;
    let mut changes = Vec::with_capacity(n.alerts.len());
    for alert in &n.alerts {
        let change = tx.upsert_alert(group.id, alert, now).await?;
        changes.push((alert, change));
    }
    let mut out = Outcome {
        changed: changes
            .iter()
            .filter(|(_, c)| *c != AlertChange::Unchanged)
            .count(),
        ..Outcome::default()
    };
    let started: Vec<&Alert> = changes
        .iter()
        .filter(|(_, c)| matches!(c, AlertChange::New | AlertChange::Refired { .. }))
        .map(|(a, _)| *a)
        .collect();
    let current = match group.incident_id {
        Some(id) => tx
            .incident_for_update(id)
            .await?
            .filter(|i| i.status != Status::Closed),
        None => None,
    };
    let mut escalates = false;
    let mut target = match current {
        Some(mut incident) if incident.status == Status::Resolved && !started.is_empty() => {
            if within_flap_window(&group, &rules, now) {
                let config = &state.settings.paging.escalation;
                escalates = reopen(&mut tx, config, &mut incident, &started, now).await?;
                out.reopened = true;
                Some(incident)
            } else {
                None // a new occurrence: the resolved incident waits for its close
            }
        }
        other => other,
    };
    if target.is_none() && !started.is_empty() {
        let firing: Vec<&Alert> = n
            .alerts
            .iter()
            .filter(|a| a.status == AlertStatus::Firing)
            .collect();
        match rules.first_match(&firing) {
            Some((rule, matched)) => {
                let (incident, e) = declare(state, &mut tx, &n, &rules, rule, matched, now).await?;
                escalates = e;
                let op = Op::PostAlert {
                    incident_id: incident.id,
                    group_id: group.id,
                };
                outbox::enqueue(&mut tx, &op, Some(&incident.id.to_string())).await?;
                group.incident_id = Some(incident.id);
                group.rule_name = Some(rule.name.clone());
                group.triage_channel = None;
                group.triage_ts = None;
                out.declared = true;
                target = Some(incident);
            }
            None => match &rules.triage_channel {
                // A group that had resolved fires anew: that episode gets a post of its
                // own (the last one keeps saying it resolved).
                Some(channel)
                    if group.triage_channel.is_none() || group.status == AlertStatus::Resolved =>
                {
                    group.triage_channel = Some(channel.clone());
                    group.triage_ts = None;
                    let op = Op::TriageAlert {
                        group_id: group.id,
                        channel: channel.clone(),
                    };
                    outbox::enqueue(&mut tx, &op, None).await?;
                    out.triaged = true;
                }
                Some(_) => {} // its triage post is up already
                None => {
                    tracing::info!(source = %n.source, receiver = %n.receiver, alerts = firing.len(),
                        "alert group matched no declaring rule and no triage channel is set; dropped");
                    out.dropped = true;
                }
            },
        }
    }
    let group_resolved = n.status == AlertStatus::Resolved
        && tx
            .alerts_of_group(group.id)
            .await?
            .iter()
            .all(|a| a.status == AlertStatus::Resolved);
    let newly_resolved =
        group_resolved && (group.status == AlertStatus::Firing || group.resolved_at.is_none());
    if let Some(incident) = &mut target {
        record_changes(&mut tx, incident, &changes, out.declared, now).await?;
        if !out.declared && !started.is_empty() {
            let names = names(&started);
            let text = format!(":rotating_light: Alert firing: {}", inert(&names));
            outbox::enqueue(
                &mut tx,
                &Op::Notice {
                    incident_id: incident.id,
                    text,
                },
                None,
            )
            .await?;
        }
        if out.changed > 0 && !out.declared {
            outbox::enqueue(
                &mut tx,
                &Op::RefreshSummary {
                    incident_id: incident.id,
                },
                None,
            )
            .await?;
        }
        if newly_resolved {
            let auto = auto_resolve(&mut tx, &rules, &group, incident, now).await?;
            if auto {
                crate::commands::count_resolution(&state.metrics, &mut tx, incident);
                crate::commands::resolve_status_page(&mut tx, &state.settings, incident).await?;
            }
            let op = Op::AlertsResolved {
                incident_id: incident.id,
                group_id: group.id,
                auto_resolved: auto,
            };
            outbox::enqueue(&mut tx, &op, None).await?;
        }
        out.incident_id = Some(incident.id);
    } else if newly_resolved && group.triage_channel.is_some() {
        outbox::enqueue(&mut tx, &Op::RefreshTriage { group_id: group.id }, None).await?;
    }
    if group_resolved {
        if newly_resolved {
            // The triage post (if any) is kept: RefreshTriage, queued above, updates it.
            group.resolved_at = Some(now);
        }
        group.status = AlertStatus::Resolved;
    } else if n.alerts.iter().any(|a| a.status == AlertStatus::Firing) {
        group.status = AlertStatus::Firing;
    }
    tx.update_alert_group(&group).await?;
    tx.commit().await?;
    state.wake_outbox();
    if escalates {
        state.wake_escalations();
    }
    Ok(out)
}

/// Whether the group resolved recently enough that firing again is flapping.
fn within_flap_window(group: &AlertGroup, rules: &AlertRules, now: DateTime<Utc>) -> bool {
    let window = chrono::Duration::from_std(rules.flap_window).unwrap_or_default();
    group.resolved_at.is_none_or(|at| now - at <= window)
}

/// Declares the incident for a group whose firing alert `matched` `rule`.
async fn declare(
    state: &AppState,
    tx: &mut Tx,
    n: &Notification,
    rules: &AlertRules,
    rule: &Rule,
    matched: &Alert,
    now: DateTime<Utc>,
) -> Result<(Incident, bool), AppError> {
    let ctx = TitleContext {
        labels: &matched.labels,
        annotations: &matched.annotations,
        common_labels: &n.common_labels,
        group_labels: &n.group_labels,
        receiver: &n.receiver,
    };
    let args = DeclareArgs {
        title: incident_title(&rules.title_of(Some(rule), &ctx)),
        severity: rules.severity_of(Some(rule), &matched.labels),
        service: rules.service_of(Some(rule), &matched.labels),
        summary: None,
        drill: false,
    };
    let new = NewIncident {
        args,
        declared_by: n.source.as_str().to_string(),
        lead: None,
        invite: Vec::new(),
        policy: rule.policy.clone(),
        author: None,
        how: Some(format!("from {}, rule \"{}\"", n.source.title(), rule.name)),
        via: DeclaredVia::Alert,
    };
    declare_in(state, tx, new, now).await
}

/// A title Warroom accepts, from whatever the template or the alert said. A title is
/// shown through `echo`, which keeps the mentions and links a person types; an alert
/// names nobody, so its angle brackets become look-alikes that Slack never parses.
pub fn incident_title(text: &str) -> IncidentTitle {
    let inert: String = text
        .chars()
        .map(|c| match c {
            '<' => '‹',
            '>' => '›',
            c => c,
        })
        .collect();
    let one_line = inert.split_whitespace().collect::<Vec<_>>().join(" ");
    IncidentTitle::parse(&clip(&one_line, MAX_TITLE_CHARS))
        .or_else(|_| IncidentTitle::parse("Alert"))
        .expect("a plain word is a valid title")
}

/// Marks a resolved incident investigating again, because its alerts fire again.
/// Reopens the resolved `incident` and pages again (see [`paging::on_reopened`]);
/// returns whether an escalation is now due.
async fn reopen(
    tx: &mut Tx,
    config: &EscalationConfig,
    incident: &mut Incident,
    started: &[&Alert],
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let note = format!("{} fired again within the flap window", names(started));
    let reopen = Change::Status {
        to: Status::Investigating,
        note: Some(note),
    };
    apply_as_warroom(tx, incident, reopen, now).await?;
    let escalates = paging::on_reopened(tx, config, incident, now).await?;
    let id = incident.id;
    outbox::enqueue(tx, &Op::SyncTopic { incident_id: id }, None).await?;
    let text = format!(
        ":repeat: Reopened: {} fired again soon after resolving.",
        inert(&names(started))
    );
    outbox::enqueue(
        tx,
        &Op::Notice {
            incident_id: id,
            text,
        },
        None,
    )
    .await?;
    Ok(escalates)
}

/// Runs `change` through the state machine as Warroom itself (no author) and stores
/// the incident and its timeline entries.
async fn apply_as_warroom(
    tx: &mut Tx,
    incident: &mut Incident,
    change: Change,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let events = incident
        .apply(change, now)
        .map_err(|e| anyhow::anyhow!("incident #{}: {e}", incident.id))?;
    tx.update_incident(incident).await?;
    for event in &events {
        let entry = TimelineEntry::system(incident.id, now, event.kind(), None, event.describe());
        tx.insert_system_entry(&entry).await?;
    }
    crate::timers::nudges::on_change(tx, incident.id, now).await?;
    Ok(())
}

/// Under the rule's `auto_resolve`, marks the incident resolved (never closed) and
/// stands the paging down. Returns whether it did.
async fn auto_resolve(
    tx: &mut Tx,
    rules: &AlertRules,
    group: &AlertGroup,
    incident: &mut Incident,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let rule = group
        .rule_name
        .as_deref()
        .and_then(|name| rules.rules.iter().find(|r| r.name == name));
    if !rule.is_some_and(|r| r.auto_resolve) || incident.status == Status::Resolved {
        return Ok(false);
    }
    let text = "Every alert resolved at the source (auto_resolve)".to_string();
    apply_as_warroom(tx, incident, Change::Resolve(text), now).await?;
    paging::stand_down(tx, incident.id, now).await?;
    outbox::enqueue(
        tx,
        &Op::SyncTopic {
            incident_id: incident.id,
        },
        None,
    )
    .await?;
    Ok(true)
}

/// One timeline entry per alert that started firing or resolved. For a new incident,
/// every firing alert of the notification counts as started.
async fn record_changes(
    tx: &mut Tx,
    incident: &Incident,
    changes: &[(&Alert, AlertChange)],
    declared: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for (alert, change) in changes {
        let firing = match change {
            AlertChange::New | AlertChange::Refired { .. } => true,
            AlertChange::Unchanged if declared && alert.status == AlertStatus::Firing => true,
            AlertChange::Resolved | AlertChange::NewResolved => false,
            AlertChange::Unchanged => continue,
        };
        let entry = alert_entry(incident.id, alert, firing, now);
        tx.insert_system_entry(&entry).await?;
    }
    Ok(())
}

/// The timeline entry of an alert starting to fire (at its `startsAt`) or resolving
/// (at its `endsAt`); a time missing or ahead of ours is taken as now.
pub fn alert_entry(
    incident_id: i64,
    alert: &Alert,
    firing: bool,
    now: DateTime<Utc>,
) -> TimelineEntry {
    let (kind, at, verb) = if firing {
        (FIRING_KIND, alert.starts_at, "Alert firing")
    } else {
        (RESOLVED_KIND, alert.ends_at, "Alert resolved")
    };
    let at = at.filter(|t| *t <= now).unwrap_or(now);
    let mut text = format!("{verb}: {}", alert.name());
    if let Some(summary) = alert
        .annotations
        .get("summary")
        .filter(|s| !s.trim().is_empty())
    {
        text.push_str(&format!(" ({})", clip(summary.trim(), 300)));
    }
    TimelineEntry::system(incident_id, at, kind, None, text)
}

/// The same entry from a stored alert (a declare from triage).
pub fn stored_alert_entry(
    incident_id: i64,
    alert: &StoredAlert,
    now: DateTime<Utc>,
) -> TimelineEntry {
    let as_alert = Alert {
        status: alert.status,
        labels: alert.labels.clone(),
        annotations: alert.annotations.clone(),
        starts_at: alert.starts_at,
        ends_at: alert.ends_at,
        generator_url: alert.generator_url.clone(),
        fingerprint: alert.fingerprint.clone(),
        silence_url: alert.silence_url.clone(),
        dashboard_url: alert.dashboard_url.clone(),
        panel_url: alert.panel_url.clone(),
        values: alert.values.clone(),
    };
    alert_entry(
        incident_id,
        &as_alert,
        alert.status == AlertStatus::Firing,
        now,
    )
}

/// `A, B and 3 more`, for notices.
fn names(alerts: &[&Alert]) -> String {
    let mut names: Vec<&str> = alerts.iter().map(|a| a.name()).collect();
    names.dedup();
    match names.len() {
        0 => String::new(),
        1..=3 => names.join(", "),
        n => format!("{} and {} more", names[..3].join(", "), n - 3),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn alert(name: &str, starts: Option<DateTime<Utc>>, ends: Option<DateTime<Utc>>) -> Alert {
        Alert {
            status: AlertStatus::Firing,
            labels: [("alertname".to_string(), name.to_string())].into(),
            annotations: [("summary".to_string(), "  Checkout   is down ".to_string())].into(),
            starts_at: starts,
            ends_at: ends,
            generator_url: None,
            fingerprint: "f".into(),
            silence_url: None,
            dashboard_url: None,
            panel_url: None,
            values: None,
        }
    }

    #[test]
    fn an_alert_entry_is_at_its_start_or_end_unless_that_is_missing_or_ahead_of_us() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap();
        let before = now - chrono::Duration::minutes(7);
        let ahead = now + chrono::Duration::minutes(7);
        let firing = alert_entry(1, &alert("Down", Some(before), None), true, now);
        assert_eq!(
            (firing.at, firing.kind.system_kind().unwrap()),
            (before, FIRING_KIND)
        );
        assert_eq!(firing.text, "Alert firing: Down (Checkout   is down)");
        assert_eq!(
            alert_entry(1, &alert("Down", Some(ahead), None), true, now).at,
            now
        );
        assert_eq!(
            alert_entry(1, &alert("Down", None, None), true, now).at,
            now
        );
        let resolved = alert_entry(1, &alert("Down", Some(before), Some(before)), false, now);
        assert_eq!(
            (resolved.at, resolved.kind.system_kind().unwrap()),
            (before, RESOLVED_KIND)
        );
    }

    #[test]
    fn a_title_from_an_alert_is_one_line_cut_to_the_limit_and_never_empty() {
        assert_eq!(
            incident_title("Disk\nfull  on db-1").as_str(),
            "Disk full on db-1"
        );
        let long = "x".repeat(MAX_TITLE_CHARS * 2);
        assert!(incident_title(&long).as_str().chars().count() <= MAX_TITLE_CHARS);
        assert_eq!(incident_title("   ").as_str(), "Alert");
        assert_eq!(
            incident_title("<!channel> ask <@U1> <https://x|y>").as_str(),
            "‹!channel› ask ‹@U1› ‹https://x|y›"
        );
    }

    #[test]
    fn notices_name_three_alerts_then_count_the_rest() {
        let a = alert("A", None, None);
        let b = alert("B", None, None);
        let c = alert("C", None, None);
        let d = alert("D", None, None);
        assert_eq!(names(&[&a, &b]), "A, B");
        assert_eq!(names(&[&a, &b, &c, &d, &d]), "A, B, C and 1 more");
    }
}

//! The triage post's "Declare incident" button: a person declares an incident from a
//! group no rule declared, with the alert's context (severity from its label, the
//! service, the title), and becomes its commander.

use super::intake::{incident_title, stored_alert_entry};
use crate::commands::declare::{DeclareArgs, DeclaredVia, NewIncident, declare_in};
use crate::config::alert_rules::TitleContext;
use crate::domain::Status;
use crate::domain::alert::{AlertStatus, Source};
use crate::error::AppError;
use crate::outbox::{self, Op};
use crate::state::AppState;

/// What pressing the button did, for the answer to the person who pressed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriageDeclare {
    Declared {
        incident_id: i64,
    },
    /// The group already feeds an open incident (someone pressed first).
    Already {
        incident_id: i64,
        channel_id: Option<String>,
    },
    /// No such group (a stale or forged button).
    Unknown,
}

/// Declares an incident for alert group `group_id`, on behalf of `user`.
pub async fn declare_from_triage(
    state: &AppState,
    group_id: i64,
    user: &str,
) -> Result<TriageDeclare, AppError> {
    let rules = state.settings.alerts.clone();
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let Some(mut group) = tx.lock_alert_group_by_id(group_id).await? else {
        return Ok(TriageDeclare::Unknown);
    };
    if let Some(id) = group.incident_id
        && let Some(open) = tx
            .incident(id)
            .await?
            .filter(|i| i.status != Status::Closed)
    {
        return Ok(TriageDeclare::Already {
            incident_id: open.id,
            channel_id: open.channel_id,
        });
    }
    let alerts = tx.alerts_of_group(group.id).await?;
    let lead = alerts
        .iter()
        .find(|a| a.status == AlertStatus::Firing)
        .or(alerts.first());
    let empty = Default::default();
    let (labels, annotations) = match lead {
        Some(a) => (&a.labels, &a.annotations),
        None => (&group.common_labels, &empty),
    };
    let ctx = TitleContext {
        labels,
        annotations,
        common_labels: &group.common_labels,
        group_labels: &group.group_labels,
        receiver: &group.receiver,
    };
    let source = Source::from_name(&group.source).map_or("an alert", |s| s.title());
    let new = NewIncident {
        args: DeclareArgs {
            title: incident_title(&rules.title_of(None, &ctx)),
            severity: rules.severity_of(None, labels),
            service: rules.service_of(None, labels),
            summary: None,
            drill: false,
        },
        declared_by: user.to_string(),
        lead: Some(user.to_string()),
        invite: vec![user.to_string()],
        policy: None,
        author: Some(user.to_string()),
        how: Some(format!("from a {source} alert in triage")),
        via: DeclaredVia::Triage,
    };
    let (incident, escalates) = declare_in(state, &mut tx, new, now).await?;
    for alert in &alerts {
        tx.insert_system_entry(&stored_alert_entry(incident.id, alert, now))
            .await?;
    }
    group.incident_id = Some(incident.id);
    group.rule_name = None;
    tx.update_alert_group(&group).await?;
    let post = Op::PostAlert {
        incident_id: incident.id,
        group_id: group.id,
    };
    outbox::enqueue(&mut tx, &post, Some(&incident.id.to_string())).await?;
    outbox::enqueue(&mut tx, &Op::RefreshTriage { group_id: group.id }, None).await?;
    tx.commit().await?;
    state.wake_outbox();
    if escalates {
        state.wake_escalations();
    }
    Ok(TriageDeclare::Declared {
        incident_id: incident.id,
    })
}

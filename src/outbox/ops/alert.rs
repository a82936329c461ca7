//! Alerts in Slack: the group's context posted and pinned in the war room, the note
//! that every alert resolved at the source, and the triage post of a group no rule
//! declared, kept up to date. Each step checks what an earlier attempt stored before
//! calling Slack again: the war-room post is remembered as `alert:<group id>`, the
//! triage post on the group itself.

use super::post::post_once;
use super::{Ctx, Delivery, SendError, war_room};
use crate::domain::alert::AlertStatus;
use crate::domain::{Incident, Status};
use crate::slack::alert_views::{
    AfterResolved, GroupView, TriageOutcome, alert_post, alerts_resolved, triage_done, triage_post,
};
use crate::store::{AlertGroup, StoredAlert};

/// The group and its alerts, as stored now.
async fn load(ctx: &Ctx, group_id: i64) -> Result<(AlertGroup, Vec<StoredAlert>), SendError> {
    let mut tx = ctx.store.read().await?;
    let group = tx.alert_group(group_id).await?;
    let alerts = tx.alerts_of_group(group_id).await?;
    tx.commit().await?;
    let group = group
        .ok_or_else(|| SendError::Missing(format!("alert group {group_id} does not exist")))?;
    Ok((group, alerts))
}

/// Posts the group's context in the war room, once, and pins it.
pub(super) async fn post(
    ctx: &Ctx,
    d: Delivery<'_>,
    incident: &Incident,
    group_id: i64,
) -> Result<(), SendError> {
    let channel = war_room(incident)?;
    let purpose = format!("alert:{group_id}");
    let mut tx = ctx.store.read().await?;
    let existing = tx.remembered_message(incident.id, &purpose).await?;
    tx.commit().await?;
    let ts = match existing {
        Some((_, ts)) => ts,
        None => {
            let (group, alerts) = load(ctx, group_id).await?;
            let (text, blocks) = alert_post(&GroupView::new(&group, &alerts, &ctx.alerts));
            let ts = post_once(ctx, d, channel, &text, Some(&blocks)).await?;
            let mut tx = ctx.store.begin().await?;
            tx.remember_message(incident.id, &purpose, channel, &ts)
                .await?;
            tx.commit().await?;
            ts
        }
    };
    Ok(ctx.slack.pin(channel, &ts).await?)
}

/// Says in the war room that every alert of the group resolved at the source.
pub(super) async fn resolved(
    ctx: &Ctx,
    d: Delivery<'_>,
    incident: &Incident,
    group_id: i64,
    auto_resolved: bool,
) -> Result<(), SendError> {
    let channel = war_room(incident)?;
    let (group, alerts) = load(ctx, group_id).await?;
    let next = match incident.status {
        _ if auto_resolved => AfterResolved::AutoResolved,
        s @ (Status::Resolved | Status::Closed) => AfterResolved::Already(s),
        _ => AfterResolved::Offer,
    };
    let view = GroupView::new(&group, &alerts, &ctx.alerts);
    let (text, blocks) = alerts_resolved(&view, incident.id, next);
    post_once(ctx, d, channel, &text, Some(&blocks)).await?;
    Ok(())
}

/// Posts a group to the triage channel, once, and stores where the post went. A
/// group already declared or resolved by then is posted as it stands, without the
/// button.
pub(super) async fn triage(
    ctx: &Ctx,
    d: Delivery<'_>,
    group_id: i64,
    channel: &str,
) -> Result<(), SendError> {
    let (group, alerts) = load(ctx, group_id).await?;
    if group.triage_channel.as_deref() == Some(channel) && group.triage_ts.is_some() {
        // An earlier attempt posted it and stored where: bring that post up to date.
        return refresh_triage(ctx, group_id).await;
    }
    let outcome = outcome(ctx, &group).await?;
    let view = GroupView::new(&group, &alerts, &ctx.alerts);
    let (text, blocks) = match &outcome {
        Some(done) => triage_done(&view, done),
        None => triage_post(&view),
    };
    let ts = post_once(ctx, d, channel, &text, Some(&blocks)).await?;
    let mut tx = ctx.store.begin().await?;
    tx.set_triage_post(group_id, channel, &ts).await?;
    tx.commit().await?;
    waiting_for_war_room(outcome)
}

/// Updates a group's triage post (when one is stored) to what became of the group.
pub(super) async fn refresh_triage(ctx: &Ctx, group_id: i64) -> Result<(), SendError> {
    let (group, alerts) = load(ctx, group_id).await?;
    let (Some(channel), Some(ts)) = (&group.triage_channel, &group.triage_ts) else {
        return Ok(()); // never posted; TriageAlert posts the state as it stands
    };
    let Some(outcome) = outcome(ctx, &group).await? else {
        return Ok(()); // still to triage: the post says so already
    };
    let view = GroupView::new(&group, &alerts, &ctx.alerts);
    let (text, blocks) = triage_done(&view, &outcome);
    ctx.slack
        .update_message(channel, ts, &text, Some(&blocks))
        .await?;
    waiting_for_war_room(Some(outcome))
}

/// What became of the group: declared (with its war room, once open) or resolved;
/// `None` while it waits for someone to triage it.
async fn outcome(ctx: &Ctx, group: &AlertGroup) -> Result<Option<TriageOutcome>, SendError> {
    if let Some(id) = group.incident_id {
        let mut tx = ctx.store.read().await?;
        let incident = tx.incident(id).await?;
        tx.commit().await?;
        return Ok(Some(TriageOutcome::Declared {
            incident_id: id,
            channel_id: incident.and_then(|i| i.channel_id),
        }));
    }
    Ok(
        (group.status == AlertStatus::Resolved).then_some(TriageOutcome::Resolved {
            at: group.resolved_at,
        }),
    )
}

/// A post that says "its war room is opening" is said again once it has opened: the
/// item is retried until the channel exists.
fn waiting_for_war_room(outcome: Option<TriageOutcome>) -> Result<(), SendError> {
    match outcome {
        Some(TriageOutcome::Declared {
            incident_id,
            channel_id: None,
        }) => Err(SendError::NotYet(format!(
            "incident #{incident_id}'s war room is not open yet"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_declared_incident_without_its_war_room_is_worth_another_try() {
        let waiting = Some(TriageOutcome::Declared {
            incident_id: 3,
            channel_id: None,
        });
        let e = waiting_for_war_room(waiting).unwrap_err();
        assert!(!e.is_permanent(), "{e}");
        let open = Some(TriageOutcome::Declared {
            incident_id: 3,
            channel_id: Some("C1".into()),
        });
        assert!(waiting_for_war_room(open).is_ok());
        assert!(waiting_for_war_room(Some(TriageOutcome::Resolved { at: None })).is_ok());
        assert!(waiting_for_war_room(None).is_ok());
    }
}

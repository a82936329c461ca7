//! The war room's summary: posted once and pinned (`pins.add`), then updated in
//! place. An incident alerts feed shows what is firing in it.

use super::post::post_once;
use super::{Ctx, Delivery, SendError, war_room};
use crate::domain::Incident;
use crate::slack::views;

pub(super) async fn post(ctx: &Ctx, d: Delivery<'_>, incident: &Incident) -> Result<(), SendError> {
    let channel = war_room(incident)?;
    let mut tx = ctx.store.read().await?;
    let existing = tx.remembered_message(incident.id, "summary").await?;
    tx.commit().await?;
    let ts = match existing {
        Some((_, ts)) => ts,
        None => {
            let (text, blocks) = render(ctx, incident).await?;
            let ts = post_once(ctx, d, channel, &text, Some(&blocks)).await?;
            let mut tx = ctx.store.begin().await?;
            tx.remember_message(incident.id, "summary", channel, &ts)
                .await?;
            tx.commit().await?;
            ts
        }
    };
    Ok(ctx.slack.pin(channel, &ts).await?)
}

/// `chat.update` of the pinned summary after a change of status, severity or lead.
pub(super) async fn refresh(ctx: &Ctx, incident: &Incident) -> Result<(), SendError> {
    let mut tx = ctx.store.read().await?;
    let summary = tx.remembered_message(incident.id, "summary").await?;
    tx.commit().await?;
    let Some((channel, ts)) = summary else {
        return Ok(()); // never posted (yet); PostSummary will show the latest state
    };
    let (text, blocks) = render(ctx, incident).await?;
    Ok(ctx
        .slack
        .update_message(&channel, &ts, &text, Some(&blocks))
        .await?)
}

/// The summary as it stands, with the alerts feeding the incident.
async fn render(ctx: &Ctx, incident: &Incident) -> Result<(String, serde_json::Value), SendError> {
    let mut tx = ctx.store.read().await?;
    let alerts = tx.alerts_of_incident(incident.id).await?;
    tx.commit().await?;
    Ok(views::summary_with_alerts(incident, &alerts))
}

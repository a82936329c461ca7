//! DMs about action items (`conversations.open`, then one post): an owner's open
//! items when the incident closes, and an item's reminder on its due date. Both
//! re-read the items when they are sent, so what was finished meanwhile is left out.

use super::post::post_once;
use super::{Ctx, Delivery, SendError};
use crate::domain::{ActionItem, Incident};
use crate::slack::action_views;
use chrono::NaiveDate;

/// The owner's open items of `incident`, in one DM. Nothing is sent when none is
/// left open in their name (all finished, or handed over, since the close).
pub(super) async fn owner_actions(
    ctx: &Ctx,
    d: Delivery<'_>,
    incident: &Incident,
    owner: &str,
) -> Result<(), SendError> {
    let mut tx = ctx.store.read().await?;
    let items: Vec<ActionItem> = tx
        .actions(incident.id)
        .await?
        .into_iter()
        .filter(|i| i.is_open() && i.owner_id.as_deref() == Some(owner))
        .collect();
    tx.commit().await?;
    if items.is_empty() {
        tracing::info!(
            incident_id = incident.id,
            "no open items left for the owner; not sending"
        );
        return Ok(());
    }
    let today = ctx.clock.now().date_naive();
    let (text, blocks) = action_views::owner_actions(incident, &items, today);
    let dm = ctx.slack.open_dm(owner).await?;
    post_once(ctx, d, &dm, &text, Some(&blocks)).await?;
    Ok(())
}

/// The reminder for `item_id` due on `due`. Not sent when the item is no longer
/// open, has no owner, or was moved to another date (its new date has its own
/// reminder). It goes to whoever owns the item now.
pub(super) async fn reminder(
    ctx: &Ctx,
    d: Delivery<'_>,
    incident: &Incident,
    item_id: i64,
    due: NaiveDate,
) -> Result<(), SendError> {
    let mut tx = ctx.store.read().await?;
    let item = tx.action_by_id(item_id).await?;
    tx.commit().await?;
    let item =
        item.ok_or_else(|| SendError::Missing(format!("action item #{item_id} does not exist")))?;
    let owner = match &item.owner_id {
        Some(owner) if item.is_open() && item.due == Some(due) => owner,
        _ => {
            tracing::info!(
                item_id,
                status = %item.status,
                "the item changed before its reminder went out; not sending"
            );
            return Ok(());
        }
    };
    let today = ctx.clock.now().date_naive();
    let (text, blocks) = action_views::action_reminder(incident, &item, today);
    let dm = ctx.slack.open_dm(owner).await?;
    post_once(ctx, d, &dm, &text, Some(&blocks)).await?;
    Ok(())
}

//! `conversations.create` for the war room, with a numeric suffix when the name is
//! taken, adopting the channel an interrupted attempt made. Storing the channel
//! queues the update that links it in the page DMs.

use super::{Ctx, SendError};
use crate::domain::{Incident, drill_channel_name, war_room_channel_name, with_suffix};
use crate::slack::client::SlackCallError;

/// Channel names tried after `name_taken` before giving up.
const MAX_NAME_SUFFIX: u32 = 50;

pub(super) async fn run(ctx: &Ctx, incident: &Incident) -> Result<(), SendError> {
    if incident.channel_id.is_some() {
        return Ok(());
    }
    let title = crate::domain::IncidentTitle::parse(&incident.title)
        .map_err(|e| SendError::Missing(format!("stored title is invalid: {e}")))?;
    let base = match incident.drill {
        true => drill_channel_name(&title, incident.declared_at),
        false => war_room_channel_name(&title, incident.declared_at),
    };
    for attempt in 1..=MAX_NAME_SUFFIX {
        let name = with_suffix(&base, attempt);
        match ctx.slack.create_channel(&name, ctx.private_channels).await {
            Ok(channel) => {
                let mut tx = ctx.store.begin().await?;
                tx.set_channel(incident.id, &channel.id, &channel.name)
                    .await?;
                link_page_dms(&mut tx, incident.id).await?;
                tx.commit().await?;
                tracing::info!(incident_id = incident.id, channel = %channel.name, "war room created");
                return Ok(());
            }
            Err(SlackCallError::Api(code)) if code == "name_taken" => {
                if adopt_orphan(ctx, incident, &name).await? {
                    return Ok(());
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(SendError::Missing(format!(
        "every name from {base} to {base}-{MAX_NAME_SUFFIX} is taken"
    )))
}

/// A crash between `conversations.create` and storing its answer leaves a channel we
/// made but never recorded; the retry then hits `name_taken` on it. A channel of that
/// name that this bot created and no incident owns is that channel: take it.
async fn adopt_orphan(ctx: &Ctx, incident: &Incident, name: &str) -> Result<bool, SendError> {
    let Some(found) = ctx.slack.find_channel(name).await? else {
        return Ok(false);
    };
    let me = ctx.slack.identity().await?;
    if found.creator.as_deref() != Some(me.user_id.as_str()) {
        return Ok(false);
    }
    let mut tx = ctx.store.begin().await?;
    if tx.incident_by_channel(&found.id).await?.is_some() {
        return Ok(false);
    }
    tx.set_channel(incident.id, &found.id, &found.name).await?;
    link_page_dms(&mut tx, incident.id).await?;
    tx.commit().await?;
    tracing::info!(incident_id = incident.id, channel = %found.name, "adopted the war room an interrupted attempt created");
    Ok(true)
}

/// The page DMs went out before the room existed: queue their update, so each links
/// the room. (A page still waiting for its DM renders the link itself.)
async fn link_page_dms(tx: &mut crate::store::Tx, incident_id: i64) -> Result<(), SendError> {
    let users = tx.paged_users(incident_id).await?;
    crate::paging::dm::queue_refresh(tx, incident_id, &users).await?;
    Ok(())
}

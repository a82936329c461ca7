//! `chat.postMessage`, once: a retry first looks for the message an earlier attempt
//! may have left (by the item's key in its metadata).

use super::{Ctx, Delivery, SendError, war_room};
use crate::domain::Incident;
use crate::slack::views;

/// The announcement in the announcements channel.
pub(super) async fn announce(
    ctx: &Ctx,
    d: Delivery<'_>,
    incident: &Incident,
    channel: &str,
) -> Result<(), SendError> {
    let text = views::announcement(incident);
    post_once(ctx, d, channel, &text, None).await?;
    Ok(())
}

/// A notice in the war room. Notices quote providers and people (an error body, a
/// note), so their text is escaped.
pub(super) async fn notice(
    ctx: &Ctx,
    d: Delivery<'_>,
    incident: &Incident,
    text: &str,
) -> Result<(), SendError> {
    let text = format!(
        "{}{}",
        incident.drill_mark(),
        crate::slack::mrkdwn::echo(text)
    );
    post_once(ctx, d, war_room(incident)?, &text, None).await?;
    Ok(())
}

/// Posts a message once: on a retry, a message carrying this item's key that an
/// earlier attempt left in the channel counts as posted.
pub(super) async fn post_once(
    ctx: &Ctx,
    d: Delivery<'_>,
    channel: &str,
    text: &str,
    blocks: Option<&serde_json::Value>,
) -> Result<String, SendError> {
    if d.retry
        && let Some(ts) = ctx
            .slack
            .find_posted(channel, d.key, &d.oldest_ts())
            .await?
    {
        tracing::info!(
            key = d.key,
            "an earlier attempt was posted; not posting again"
        );
        return Ok(ts);
    }
    Ok(ctx
        .slack
        .post_keyed(channel, text, blocks, Some(d.key))
        .await?)
}

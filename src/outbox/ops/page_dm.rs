//! A page as a Slack DM (`conversations.open`, then a post with an Acknowledge button).

use super::post::post_once;
use super::{Ctx, Delivery, SendError};
use crate::domain::Incident;
use crate::slack::views;

/// The page itself: a DM with what, how bad, where, and an Acknowledge button. A page
/// acknowledged before its DM went out is not sent.
pub(super) async fn run(
    ctx: &Ctx,
    d: Delivery<'_>,
    incident: &Incident,
    page_id: i64,
) -> Result<(), SendError> {
    let mut tx = ctx.store.read().await?;
    let page = tx.page(page_id).await?;
    tx.commit().await?;
    let page = page.ok_or_else(|| SendError::Missing(format!("page #{page_id} does not exist")))?;
    if page.acked_at.is_some() {
        return Ok(());
    }
    let dm = ctx.slack.open_dm(&page.user_id).await?;
    let (text, blocks) = views::page_dm(incident, &page);
    post_once(ctx, d, &dm, &text, Some(&blocks)).await?;
    Ok(())
}

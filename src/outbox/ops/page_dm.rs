//! Pages as Slack DMs (`conversations.open`, then one post with an Acknowledge button
//! per page), and re-rendering them (`chat.update`).
//!
//! A DM channel takes about one post a second, so a person paged for twenty incidents
//! at once cannot get twenty DMs in a second. Instead the page that goes out carries
//! every page of theirs still waiting (across incidents), and each page records the
//! DM that carries it: the items of pages already carried finish without posting.
//! A page due while the channel's second is taken joins the latest page DM by an
//! update at once instead ([`super::page_join`]). What a DM shows is always rendered
//! whole from the pages recorded on it.

use super::{Ctx, Delivery, SendError, page_join};
use crate::outbox::Op;
use crate::paging::dm;
use crate::slack::client::SlackCallError;
use crate::slack::page_views::{self, MAX_PAGES_PER_DM};
use crate::store::PageRecord;

/// The prefix of a page's outbox key (`page_dm:<page id>`), by which the pages
/// still waiting for their DM are found.
const KEY_PREFIX: &str = "page_dm:";

/// Whether the page needs no DM any more: acknowledged, or carried by a DM already.
/// The worker asks before pacing, so a page carried by an earlier DM never waits
/// for the DM channel's next free second. On a retry a carried page is not settled:
/// the earlier attempt may have recorded it and stopped before showing it.
pub(super) async fn settled(ctx: &Ctx, page_id: i64, retry: bool) -> Result<bool, SendError> {
    let mut tx = ctx.store.read().await?;
    let page = tx.page(page_id).await?;
    tx.commit().await?;
    Ok(page.is_some_and(|p| p.acked_at.is_some() || (p.dm_ts.is_some() && !retry)))
}

/// The page `page_id`, which must exist.
pub(super) async fn load(ctx: &Ctx, page_id: i64) -> Result<PageRecord, SendError> {
    let mut tx = ctx.store.read().await?;
    let page = tx.page(page_id).await?;
    tx.commit().await?;
    page.ok_or_else(|| SendError::Missing(format!("page #{page_id} does not exist")))
}

/// What is left to do for a page already acknowledged or carried: nothing, except
/// on a retry, where the DM carrying it is shown again (an earlier attempt may have
/// recorded it and died before Slack showed it). `None` when the page is neither.
pub(super) async fn finish_carried(
    ctx: &Ctx,
    d: Delivery<'_>,
    page: &PageRecord,
) -> Option<Result<(), SendError>> {
    if page.acked_at.is_some() {
        return Some(Ok(()));
    }
    let (Some(channel), Some(ts)) = (&page.dm_channel, &page.dm_ts) else {
        return None;
    };
    if !d.retry {
        return Some(Ok(()));
    }
    Some(update(ctx, channel, ts).await)
}

/// The page `page_id` goes out, with every other page of the same person still
/// waiting. A page acknowledged or carried before its turn is not sent again.
pub(super) async fn run(ctx: &Ctx, d: Delivery<'_>, page_id: i64) -> Result<(), SendError> {
    let page = load(ctx, page_id).await?;
    if let Some(done) = finish_carried(ctx, d, &page).await {
        return done;
    }
    let channel = ctx.slack.open_dm(&page.user_id).await?;
    if d.retry
        && let Some(ts) = ctx
            .slack
            .find_posted(&channel, d.key, &d.oldest_ts())
            .await?
    {
        // An earlier attempt got through but was never recorded. It carries some of
        // the waiting pages: let it carry all of them, and show them all.
        tracing::info!(
            key = d.key,
            "an earlier attempt was posted; not posting again"
        );
        record(ctx, &waiting(ctx, &page).await?, &channel, &ts).await?;
        return update(ctx, &channel, &ts).await;
    }
    let pages = waiting(ctx, &page).await?;
    let mut tx = ctx.store.read().await?;
    let shown = dm::with_incidents(&mut tx, pages.clone()).await?;
    let irc = dm::irc_places(&mut tx, &shown, ctx.irc_server.as_deref()).await?;
    tx.commit().await?;
    if shown.is_empty() {
        return Err(SendError::Missing(format!(
            "the incident of page #{page_id} does not exist"
        )));
    }
    let (text, blocks) = page_views::page_dm_with(&shown, &irc);
    let ts = match ctx
        .slack
        .post_keyed(&channel, &text, Some(&blocks), Some(d.key))
        .await
    {
        Ok(ts) => ts,
        // Another replica posted there within the second (pacing is per process):
        // show the pages at once on the latest page DM; the notice follows.
        Err(SlackCallError::RateLimited(after)) => {
            let free_in = after.unwrap_or(crate::outbox::pacing::POST_SPACING);
            return match page_join::join(ctx, d, page_id, free_in).await? {
                true => Ok(()),
                false => Err(SlackCallError::RateLimited(after).into()),
            };
        }
        Err(e) => return Err(e.into()),
    };
    record(ctx, &pages, &channel, &ts).await?;
    // A war room that opened or an ack that came while it was sent: show it now.
    // (The war room's own update may have looked before the pages were recorded.)
    let mut tx = ctx.store.read().await?;
    let now = dm::render(&mut tx, &channel, &ts, ctx.irc_server.as_deref()).await?;
    tx.commit().await?;
    if let Some((text, fresh)) = now
        && fresh != blocks
    {
        ctx.slack
            .update_message(&channel, &ts, &text, Some(&fresh))
            .await?;
    }
    Ok(())
}

/// Re-renders each DM carrying `user`'s pages in `incident_id`. A DM that a later
/// re-render in the lane will render anyway is left to it: when twenty war rooms
/// open at once, a person's DM is updated once or twice, not twenty times, which
/// keeps within `chat.update`'s Tier 3 (about 50 a minute).
pub(super) async fn refresh(
    ctx: &Ctx,
    d: Delivery<'_>,
    incident_id: i64,
    user: &str,
) -> Result<(), SendError> {
    let later = later_refreshes(ctx, d, incident_id, user).await?;
    let mut tx = ctx.store.read().await?;
    let dms = tx.page_dms(incident_id, user).await?;
    let mut mine = Vec::new();
    for (channel, ts) in dms {
        let carried = tx.pages_in_dm(&channel, &ts).await?;
        if carried.iter().any(|p| later.contains(&p.incident_id)) {
            continue;
        }
        mine.push((channel, ts));
    }
    tx.commit().await?;
    for (channel, ts) in mine {
        update(ctx, &channel, &ts).await?;
    }
    Ok(())
}

/// The incidents whose re-render of `user`'s DMs waits behind this one.
async fn later_refreshes(
    ctx: &Ctx,
    d: Delivery<'_>,
    incident_id: i64,
    user: &str,
) -> Result<Vec<i64>, SendError> {
    let lane = Op::RefreshPageDm {
        incident_id,
        user: user.to_string(),
    }
    .lane();
    let payloads = ctx.store.later_in_lane(&lane, d.key).await?;
    Ok(payloads
        .iter()
        .filter_map(|p| serde_json::from_str::<Op>(p).ok())
        .filter_map(|op| match op {
            Op::RefreshPageDm { incident_id, .. } => Some(incident_id),
            _ => None,
        })
        .collect())
}

/// `chat.update` of one DM with what its pages say now.
pub(super) async fn update(ctx: &Ctx, channel: &str, ts: &str) -> Result<(), SendError> {
    let mut tx = ctx.store.read().await?;
    let now = dm::render(&mut tx, channel, ts, ctx.irc_server.as_deref()).await?;
    tx.commit().await?;
    if let Some((text, blocks)) = now {
        ctx.slack
            .update_message(channel, ts, &text, Some(&blocks))
            .await?;
    }
    Ok(())
}

/// `page` and the person's other pages still waiting for a DM, oldest first, as
/// many as one DM carries (`page` always among them).
pub(super) async fn waiting(ctx: &Ctx, page: &PageRecord) -> Result<Vec<PageRecord>, SendError> {
    let mut tx = ctx.store.read().await?;
    let mut pages = tx
        .unsent_pages(&page.user_id, KEY_PREFIX, MAX_PAGES_PER_DM as i64)
        .await?;
    tx.commit().await?;
    if !pages.iter().any(|p| p.id == page.id) {
        pages.truncate(MAX_PAGES_PER_DM - 1);
        pages.push(page.clone());
        pages.sort_by_key(|p| p.id);
    }
    Ok(pages)
}

/// Records that the DM `(channel, ts)` carries `pages`.
async fn record(ctx: &Ctx, pages: &[PageRecord], channel: &str, ts: &str) -> Result<(), SendError> {
    let mut tx = ctx.store.begin().await?;
    for page in pages {
        if !tx.set_page_dm(page.id, channel, ts).await? {
            tracing::warn!(page_id = page.id, "another DM carries this page already");
        }
    }
    tx.commit().await?;
    Ok(())
}

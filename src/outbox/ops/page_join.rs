//! A page that cannot wait for its DM channel's next free second. Slack takes about
//! one post a second in a DM, so a page due just after another went out would wait
//! up to a second for its own post. Instead it joins the person's latest page DM at
//! once (`chat.update`, rendered whole, its Acknowledge button with the others),
//! and is recorded on that DM like any page it carries: acks and re-renders treat it
//! the same. An update rings no phone, so a short notice follows as soon as the
//! channel can take a post ([`Op::PageNotice`]): one post for every page that joined
//! a DM since the last one, naming them and pointing up to their buttons.
//!
//! Each page is notified exactly once: by the post that carries it, or, if it joined
//! a DM by an update, by the one notice its recording queued in the same
//! transaction (so a crash between the update and the notice still notifies). The
//! notice leaves out pages acknowledged meanwhile.

use super::page_dm::{finish_carried, load, waiting};
use super::{Ctx, Delivery, SendError};
use crate::outbox::{self, Op};
use crate::paging::dm;
use crate::slack::page_views::{self, MAX_PAGES_PER_DM};
use crate::store::{PageRecord, StoreResult, Tx};
use chrono::Utc;
use serde_json::json;

/// How recent a person's latest page DM must be (its newest page, on the incident
/// clock) for a new page to join it: an older one has scrolled out of sight, and
/// the page waits for a post of its own.
const JOIN_WITHIN: chrono::Duration = chrono::Duration::minutes(5);

/// How far back a re-render of the same DM counts as concurrent with an update
/// here: finish times come from the clocks of whichever replicas ran them.
const CLOCK_SKEW: chrono::Duration = chrono::Duration::milliseconds(250);

/// Shows page `page_id`, with the person's other pages still waiting, at once on
/// their latest page DM, when their DM channel cannot take a post yet; queues the
/// notice. `false` when there is no DM to join (none recent, or full) or Slack
/// refused the update: the page then waits for a post of its own.
///
/// `free_in` is how long until the channel may take the notice (this process's
/// pacing, or Slack's `Retry-After`): the notice is not due before, so every page
/// that joins meanwhile is added to it rather than to a notice of its own.
pub(super) async fn join(
    ctx: &Ctx,
    d: Delivery<'_>,
    page_id: i64,
    free_in: std::time::Duration,
) -> Result<bool, SendError> {
    let page = load(ctx, page_id).await?;
    if let Some(done) = finish_carried(ctx, d, &page).await {
        return done.map(|()| true);
    }
    let Some((channel, ts, carried)) = latest_open_dm(ctx, &page).await? else {
        return Ok(false);
    };
    let joining = fitting(
        waiting(ctx, &page).await?,
        &page,
        MAX_PAGES_PER_DM - carried.len(),
    );
    let mut all = carried;
    all.extend(joining.iter().cloned());
    all.sort_by_key(|p| p.id);
    let mut tx = ctx.store.read().await?;
    let shown = dm::with_incidents(&mut tx, all).await?;
    let irc = dm::irc_places(&mut tx, &shown, ctx.irc_server.as_deref()).await?;
    tx.commit().await?;
    if !shown.iter().any(|(_, p)| p.id == page.id) {
        return Ok(false); // its incident is gone: the post path says so
    }
    let (text, blocks) = page_views::page_dm_with(&shown, &irc);
    let started = Utc::now();
    // Updated before it is recorded: if Slack refuses (Tier 3 is about 50 updates a
    // minute), nothing says the page is shown, and it goes out in a post instead.
    if let Err(e) = ctx
        .slack
        .update_message(&channel, &ts, &text, Some(&blocks))
        .await
    {
        tracing::warn!(error = %e, "could not add a page to the latest page DM; it waits for a post");
        return Ok(false);
    }
    let due = Utc::now() + chrono::Duration::from_std(free_in).unwrap_or_default();
    let sent = Sent {
        channel: &channel,
        ts: &ts,
        blocks: &blocks,
        at: started,
    };
    record_joined(ctx, &page, &joining, &sent, due).await?;
    ctx.wake.notify_one();
    Ok(true)
}

/// The person's latest page DM, with the pages it carries, if a page may join it:
/// in recent use and with room for one more.
async fn latest_open_dm(
    ctx: &Ctx,
    page: &PageRecord,
) -> Result<Option<(String, String, Vec<PageRecord>)>, SendError> {
    let mut tx = ctx.store.read().await?;
    let Some((channel, ts)) = tx.latest_page_dm(&page.user_id).await? else {
        tx.commit().await?;
        return Ok(None);
    };
    let carried = tx.pages_in_dm(&channel, &ts).await?;
    tx.commit().await?;
    let recent = carried
        .iter()
        .map(|p| p.paged_at)
        .max()
        .is_some_and(|at| ctx.clock.now() - at <= JOIN_WITHIN);
    let room = carried.len() < MAX_PAGES_PER_DM;
    Ok((recent && room).then_some((channel, ts, carried)))
}

/// The update that showed the joining pages: where, what, and when it was sent.
struct Sent<'a> {
    channel: &'a str,
    ts: &'a str,
    blocks: &'a serde_json::Value,
    at: chrono::DateTime<Utc>,
}

/// Of `waiting` (oldest first, `page` among them), `page` and the oldest others, at
/// most `room` in all, in id order.
fn fitting(waiting: Vec<PageRecord>, page: &PageRecord, room: usize) -> Vec<PageRecord> {
    let mut fit: Vec<PageRecord> = waiting
        .into_iter()
        .filter(|p| p.id != page.id)
        .take(room.saturating_sub(1))
        .collect();
    fit.push(page.clone());
    fit.sort_by_key(|p| p.id);
    fit
}

/// Records that the DM carries the pages that joined it and queues their notice, in
/// one transaction. Then, if the DM should read differently now (an ack or a war
/// room came meanwhile, or a re-render of it ran alongside and may have landed after
/// this update), queues a re-render: its lane runs after any re-render in flight.
async fn record_joined(
    ctx: &Ctx,
    page: &PageRecord,
    joining: &[PageRecord],
    sent: &Sent<'_>,
    notice_due: chrono::DateTime<Utc>,
) -> Result<(), SendError> {
    let (channel, ts) = (sent.channel, sent.ts);
    let mut tx = ctx.store.begin().await?;
    let mut joined = Vec::new();
    for p in joining {
        if tx.set_page_dm(p.id, channel, ts).await? {
            joined.push(p.id);
        } else {
            tracing::warn!(page_id = p.id, "another DM carries this page already");
        }
    }
    queue_notice(&mut tx, &page.user_id, &joined, notice_due).await?;
    tx.commit().await?;
    let refresh = Op::RefreshPageDm {
        incident_id: page.incident_id,
        user: page.user_id.clone(),
    };
    let raced = ctx
        .store
        .lane_active_since(&refresh.lane(), sent.at - CLOCK_SKEW)
        .await
        .unwrap_or(true);
    let mut tx = ctx.store.read().await?;
    let now = dm::render(&mut tx, channel, ts, ctx.irc_server.as_deref()).await?;
    tx.commit().await?;
    if raced || now.is_none_or(|(_, blocks)| &blocks != sent.blocks) {
        let mut tx = ctx.store.begin().await?;
        outbox::enqueue(&mut tx, &refresh, None).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Adds `pages` to the notice still waiting untried in the person's notice lane
/// (a paced wait is not a try), so the pages that join a DM within one second share
/// one notice; or queues a new one. A notice already tried is left alone: what it
/// says was fixed when it was sent.
async fn queue_notice(
    tx: &mut Tx,
    user: &str,
    pages: &[i64],
    due: chrono::DateTime<Utc>,
) -> StoreResult<()> {
    let Some(first) = pages.first() else {
        return Ok(());
    };
    let op = Op::PageNotice {
        user: user.to_string(),
        pages: pages.to_vec(),
    };
    if let Some((id, payload)) = tx.untried_in_lane(&op.lane()).await?
        && let Ok(Op::PageNotice {
            user,
            pages: mut all,
        }) = serde_json::from_str(&payload)
    {
        all.extend_from_slice(pages);
        all.sort_unstable();
        all.dedup();
        let merged = serde_json::to_string(&Op::PageNotice { user, pages: all })
            .expect("ops always serialize");
        if tx.amend_untried(id, &merged).await? {
            return Ok(());
        }
    }
    // Keyed by the first page, which joins a DM once; a fresh key if it ever clashed.
    if !outbox::enqueue_at(tx, &op, Some(&format!("{user}:{first}")), due).await? {
        outbox::enqueue_at(tx, &op, None, due).await?;
    }
    Ok(())
}

/// Of a notice's pages, those it must still announce: not acknowledged (whoever
/// acked has seen it, or stood in for this person), and carried by a DM of `user`.
async fn to_announce(ctx: &Ctx, user: &str, ids: &[i64]) -> Result<Vec<PageRecord>, SendError> {
    let mut tx = ctx.store.read().await?;
    let mut pages = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(p) = tx.page(*id).await?
            && p.user_id == user
            && p.acked_at.is_none()
            && p.dm_channel.is_some()
        {
            pages.push(p);
        }
    }
    tx.commit().await?;
    Ok(pages)
}

/// Whether a notice has nothing left to announce (each page acknowledged), known
/// before it waits for the channel.
pub(super) async fn notice_settled(ctx: &Ctx, user: &str, ids: &[i64]) -> Result<bool, SendError> {
    Ok(to_announce(ctx, user, ids).await?.is_empty())
}

/// Posts the notice of pages that joined a DM by an update, keyed so a retry never
/// posts it twice. Its metadata lists the pages it announces.
pub(super) async fn notice(
    ctx: &Ctx,
    d: Delivery<'_>,
    user: &str,
    ids: &[i64],
) -> Result<(), SendError> {
    let pages = to_announce(ctx, user, ids).await?;
    let Some(channel) = pages.first().and_then(|p| p.dm_channel.clone()) else {
        return Ok(());
    };
    if d.retry
        && ctx
            .slack
            .find_posted(&channel, d.key, &d.oldest_ts())
            .await?
            .is_some()
    {
        tracing::info!(
            key = d.key,
            "an earlier attempt was posted; not posting again"
        );
        return Ok(());
    }
    let mut tx = ctx.store.read().await?;
    let shown = dm::with_incidents(&mut tx, pages).await?;
    tx.commit().await?;
    if shown.is_empty() {
        return Ok(());
    }
    let text = page_views::page_notice(&shown);
    let announced: Vec<i64> = shown.iter().map(|(_, p)| p.id).collect();
    ctx.slack
        .post_keyed_with(&channel, &text, d.key, &json!({ "pages": announced }))
        .await?;
    Ok(())
}
